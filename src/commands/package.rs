//! `sfgen package`: a deterministic, deployable Metadata API zip, and the commands that deploy it.

use super::output::Outcome;
use super::shared;
use crate::cli::PackageArgs;
use crate::error::Result;
use crate::ops::package::PackageOpts;

/// Runs `sfgen package`.
pub fn run(args: &PackageArgs) -> Result<Outcome> {
    let opts = PackageOpts {
        config: shared::config(&args.config),
        include: args.include.clone(),
        prefer: args.prefer,
        destructive: args.destructive.clone(),
        destructive_when: args.destructive_when,
        out: args.out.clone(),
        no_check: args.no_check,
        no_generate: args.no_generate,
        target_org: args.org.target_org.clone(),
    };
    crate::ops::package::package(&opts).map(Outcome::report)
}
