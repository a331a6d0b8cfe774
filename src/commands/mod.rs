//! The command line: parse, run the one operation a verb names, print its outcome.
//!
//! One file per verb, each thin: the verb's parsed arguments, the library call that does the
//! work ([`crate::ops`]), and the [`Outcome`] that says how its report is shown. Printing,
//! `--json` envelopes and exit codes are [`output`]'s alone; a command line clap refuses is
//! [`usage`]'s. A new verb is one file here and one arm in [`crate::cli::Command`] (with its arm
//! in [`dispatch`]).

pub mod check;
pub mod completions;
pub mod convert;
pub mod delta;
pub mod diff;
pub mod generate;
pub mod init;
pub mod man;
pub mod manifest;
pub mod output;
pub mod package;
pub mod schema;
mod shared;
pub mod test;
mod usage;

pub use output::Outcome;

use crate::cli::{Cli, Command, DiffFormat};
use crate::error::Result;
use clap::Parser as _;
use std::process::ExitCode;

/// Parses `args` and runs the command; prints the outcome ([`output`]); returns the exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return usage::usage_error(&e, &args),
    };
    let json = cli.json || matches!(&cli.command, Command::Diff(d) if d.format == DiffFormat::Json);
    crate::ui::init(crate::ui::decide(cli.color, json, cli.quiet));
    output::print(dispatch(&cli), output::Mode { json, quiet: cli.quiet })
}

/// Runs the command `cli` names.
pub fn dispatch(cli: &Cli) -> Result<Outcome> {
    match &cli.command {
        Command::Generate(args) => generate::run(args),
        Command::Init(args) => init::run(args),
        Command::Schema(args) => Ok(schema::run(args)),
        Command::Completions(args) => Ok(completions::run(args)),
        Command::Man => man::run(),
        Command::Package(args) => package::run(args),
        Command::Manifest(args) => manifest::run(args, cli.json),
        Command::Convert(args) => convert::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Delta(args) => delta::run(args, cli.json),
        Command::Check(args) => check::run(args, cli.quiet),
        Command::Test(args) => test::run(args, cli.quiet, cli.json),
    }
}
