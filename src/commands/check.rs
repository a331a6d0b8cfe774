//! `sfgen check`: offline proof that the artefacts deploy and reach coverage (an estimate).

use super::output::Outcome;
use crate::cli::CheckArgs;
use crate::error::Result;

/// Runs `sfgen check`.
pub fn run(args: &CheckArgs, quiet: bool) -> Result<Outcome> {
    crate::ops::check::run(args, quiet).map(|report| Outcome { report, colours_itself: true, ..Outcome::default() })
}
