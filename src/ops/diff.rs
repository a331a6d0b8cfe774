//! `sfgen diff` (being built).

use crate::error::{Error, Result};
use crate::Outcome;

/// Runs `sfgen diff`.
pub fn run(_args: &crate::cli::DiffArgs) -> Result<Outcome> {
    Err(Error::input("sfgen diff is not available in this build yet"))
}
