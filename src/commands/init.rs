//! `sfgen init`: a starter config that reproduces one of the integration guides.

use super::output::Outcome;
use crate::cli::InitArgs;
use crate::error::Result;
use crate::ops::init::InitOpts;

/// Runs `sfgen init`.
pub fn run(args: &InitArgs) -> Result<Outcome> {
    let opts = InitOpts { preset: args.preset, out: args.out.clone(), force: args.force };
    crate::ops::init::init(&opts).map(Outcome::report)
}
