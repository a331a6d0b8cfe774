//! `sfgen test`: the Apex tests, run offline by the runtime.

use super::output::Outcome;
use crate::cli::TestArgs;
use crate::error::Result;

/// Runs `sfgen test`.
pub fn run(args: &TestArgs, quiet: bool, json: bool) -> Result<Outcome> {
    crate::ops::test::run(args, quiet, json).map(Outcome::report)
}
