//! `sfgen generate`: config → every artefact, written as an SFDX project or an mdapi folder.

use super::output::Outcome;
use super::shared;
use crate::cli::GenerateArgs;
use crate::error::Result;
use crate::ops::generate::GenerateOpts;

/// Runs `sfgen generate`.
pub fn run(args: &GenerateArgs) -> Result<Outcome> {
    let opts = GenerateOpts {
        config: shared::config(&args.config),
        format: args.format,
        out: args.out.clone(),
        no_check: args.no_check,
        target_org: args.org.target_org.clone(),
    };
    crate::ops::generate::generate(&opts).map(Outcome::report)
}
