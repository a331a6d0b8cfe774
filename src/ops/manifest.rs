//! `sfgen manifest` (being built).

use crate::error::{Error, Result};
use crate::Outcome;

/// Runs `sfgen manifest`.
pub fn run(_args: &crate::cli::ManifestArgs) -> Result<Outcome> {
    Err(Error::input("sfgen manifest is not available in this build yet"))
}
