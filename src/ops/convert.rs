//! `sfgen convert` (being built).

use crate::error::{Error, Result};
use crate::Outcome;

/// Runs `sfgen convert`.
pub fn run(_args: &crate::cli::ConvertArgs) -> Result<Outcome> {
    Err(Error::input("sfgen convert is not available in this build yet"))
}
