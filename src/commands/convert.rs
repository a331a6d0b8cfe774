//! `sfgen convert`: a project between source (SFDX) and Metadata API layouts.

use super::output::Outcome;
use crate::cli::ConvertArgs;
use crate::error::Result;

/// Runs `sfgen convert`.
pub fn run(args: &ConvertArgs) -> Result<Outcome> {
    crate::ops::convert::run(args).map(Outcome::report)
}
