//! `sfgen diff`: what sfgen would deploy against what an org holds, and the delta package.

use super::output::Outcome;
use crate::cli::DiffArgs;
use crate::error::Result;

/// Runs `sfgen diff`.
pub fn run(args: &DiffArgs) -> Result<Outcome> {
    crate::ops::diff::run(args).map(|report| Outcome {
        report,
        colours_itself: true,
        quiet_answer: true,
        ..Outcome::default()
    })
}
