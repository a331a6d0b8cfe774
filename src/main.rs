//! The `sfgen` binary: everything happens in the library.

fn main() -> std::process::ExitCode {
    sfgen::run(std::env::args_os())
}
