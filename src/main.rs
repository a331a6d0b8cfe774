//! The `sfgen` binary: everything happens in the library.

/// Reading and comparing metadata builds and drops millions of small strings (XML names, text,
/// paths) on every core; mimalloc's per-thread free lists make that about a third cheaper than
/// the system allocator (bench/bench.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sfgen::run(std::env::args_os())
}
