//! `sfgen package`: a deterministic, deployable Metadata API zip, and the commands that deploy it.

use super::output::Outcome;
use crate::cli::PackageArgs;
use crate::error::Result;

/// Runs `sfgen package`.
pub fn run(args: &PackageArgs) -> Result<Outcome> {
    crate::ops::package::run(args).map(Outcome::report)
}
