//! `sfgen convert`: a project between source (SFDX) and Metadata API layouts.

use super::output::Outcome;
use crate::cli::ConvertArgs;
use crate::error::Result;
use crate::ops::convert::ConvertOpts;

/// Runs `sfgen convert`.
pub fn run(args: &ConvertArgs) -> Result<Outcome> {
    let opts = ConvertOpts { from: args.from.clone(), to: args.to.clone(), format: args.format };
    crate::ops::convert::convert(&opts).map(Outcome::report)
}
