//! `sfgen check`: offline proof that the artefacts deploy and reach coverage (an estimate).

use super::output::Outcome;
use super::shared;
use crate::cli::CheckArgs;
use crate::error::Result;
use crate::ops::check::CheckOpts;

/// Runs `sfgen check`.
pub fn run(args: &CheckArgs, quiet: bool) -> Result<Outcome> {
    let opts = CheckOpts {
        config: shared::config(&args.config),
        include: args.include.clone(),
        package: args.package.clone(),
        min_coverage: args.min_coverage,
        strict: args.strict,
        junit: args.junit.clone(),
        cobertura: args.cobertura.clone(),
        lcov: args.lcov.clone(),
        html: args.html.clone(),
        estimate_only: args.estimate_only,
        quiet,
    };
    crate::ops::check::check(&opts).map(|report| Outcome { report, colours_itself: true, ..Outcome::default() })
}
