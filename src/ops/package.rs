//! `sfgen package` (being built).

use crate::error::{Error, Result};
use crate::Outcome;

/// Runs `sfgen package`.
pub fn run(_args: &crate::cli::PackageArgs) -> Result<Outcome> {
    Err(Error::input("sfgen package is not available in this build yet"))
}
