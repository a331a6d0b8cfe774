//! `sfgen init`: a starter config that reproduces one of the integration guides.

use super::output::Outcome;
use crate::cli::InitArgs;
use crate::error::Result;

/// Runs `sfgen init`.
pub fn run(args: &InitArgs) -> Result<Outcome> {
    crate::ops::init::run(args).map(Outcome::report)
}
