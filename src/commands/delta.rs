//! `sfgen delta`: the delta between two git commits, as sfdx-git-delta writes it.

use super::output::Outcome;
use crate::cli::DeltaArgs;
use crate::error::Result;

/// Runs `sfgen delta`.
pub fn run(args: &DeltaArgs, json: bool) -> Result<Outcome> {
    crate::ops::delta::run(args, json).map(Outcome::report)
}
