//! `sfgen generate`: config → every artefact, written as an SFDX project or an mdapi folder.

use super::output::Outcome;
use crate::cli::GenerateArgs;
use crate::error::Result;

/// Runs `sfgen generate`.
pub fn run(args: &GenerateArgs) -> Result<Outcome> {
    crate::ops::generate::run(args).map(Outcome::report)
}
