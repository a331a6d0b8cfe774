//! `sfgen check` (being built).

use crate::error::{Error, Result};
use crate::Outcome;

/// Runs `sfgen check`.
pub fn run(_args: &crate::cli::CheckArgs) -> Result<Outcome> {
    Err(Error::input("sfgen check is not available in this build yet"))
}
