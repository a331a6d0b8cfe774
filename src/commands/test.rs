//! `sfgen test`: the Apex tests, run offline by sfgen's Apex runtime.

use super::output::Outcome;
use super::shared;
use crate::cli::TestArgs;
use crate::error::Result;
use crate::ops::test::TestOpts;

/// Runs `sfgen test`.
pub fn run(args: &TestArgs, quiet: bool, json: bool) -> Result<Outcome> {
    let opts = TestOpts {
        config: shared::config(&args.config),
        include: args.include.clone(),
        package: args.package.clone(),
        tests: args.tests.clone(),
        junit: args.junit.clone(),
        cobertura: args.cobertura.clone(),
        lcov: args.lcov.clone(),
        html: args.html.clone(),
        quiet,
        json,
    };
    crate::ops::test::test(&opts).map(Outcome::report)
}
