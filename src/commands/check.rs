//! `sfgen check`: offline proof that the artefacts deploy and reach coverage (an estimate).

use super::output::Outcome;
use super::shared::{self, Global};
use crate::cli::ConfigArgs;
use crate::error::Result;
use crate::ops::check::CheckOpts;
use clap::Args;
use std::path::PathBuf;

/// `sfgen check --help`: how to read the coverage estimate.
pub const LONG_HELP: &str = "Examples:
  sfgen check
  sfgen check --package deploy.zip --junit target/sfgen-check.xml
  sfgen check --package . --cobertura target/coverage.xml --lcov target/lcov.info --html target/coverage.html

Exit codes: 0 all good, 1 findings of error severity, 2 bad input.
Errors are certainties: the deploy would reject the package, or a test run would
certainly fail (no test can reach a trigger, a callout with no mock on every path).
Everything else is a warning. -q prints only the errors and the summary line.

Coverage is an ESTIMATE from static analysis, not a test run, given as a RANGE:
  covered     lines every test run reaches for sure (the lower bound)
  unknown     lines reached only through a value the estimate cannot tell (a SOQL
              result, a collection's size, most method results, a catch block, an
              interface implementation): they may or may not run
  not covered lines no path of any test reaches
  range       [covered, covered + unknown] / lines; the point estimate adds the
              unknown lines that usually run (loop bodies, code after a guard
              clause) and half of those behind an unknown branch.
  coverage-unit / coverage-overall / trigger-zero-coverage are errors only when even
  the upper bound fails, warnings when only the lower bound does (--strict: errors).
  Counted: statements, declarations with an initialiser, the condition of
    if/for/while/switch; a statement over several lines counts each line holding an
    expression. Not counted: braces, else, comments, signatures, System.debug, test
    classes.
  Walked: every test method (after @TestSetup) through calls, constructors,
    overrides, interface implementations, the Test.setMock mock, triggers fired by
    DML and by platform events (EventBus.publish, delivered at Test.stopTest() or
    Test.getEventBus().deliver()), and at Test.stopTest() the async work queued
    before it: Queueables (and their Finalizers), @future, Database.executeBatch
    (start, execute, finish), System.schedule. Platform callbacks: a Comparator given
    to List.sort, a Cache.CacheBuilder given to a cache get, Type.forName(...).newInstance().
  Conditions are evaluated from literals, fields the test set, literal arguments,
    Trigger.* context and the mock's status code (try { call(); Assert.fail(...) }
    proves the call throws: the last throwing branch it passes counts as taken).
  Knowingly optimistic: a catch block reached after a certain throw is the first one,
    whatever the exception type.
  Records: the field values of records a test builds (new Account(Name = 'x')) are
    followed into the triggers their DML fires (Trigger.new conditions); a custom field
    of the package with no default value is null until set.
  Not modelled (their lines stay unknown or not covered): flows and process builders,
    field values of queried records, Type.forName on names only known at run time
    (beyond the package's custom metadata records); a walk stops at depth 40, 20 000
    steps or 6 visits per method, and what lies beyond counts as unknown (reported).
  Reports: --junit, --cobertura (coverage-04.dtd), --lcov, --html. Cobertura and LCOV
    list the lines whose coverage is known (unknown lines are left out).

Coverage is MEASURED when it can be: check runs the package's tests in sfgen's Apex
runtime (as `sfgen test` does). When every test runs to a verdict, each class's and
trigger's coverage is the measured figure (marked \"measured\": no unknown lines). When a
test is skipped (a platform feature the runtime does not model), the lines the tests ran
count as covered and the estimate's range stands for the rest. --estimate-only (or
SFGEN_CHECK_ESTIMATE_ONLY=1) skips running them.";

/// `sfgen check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also check these projects, folders or zips.
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// Check an existing package (zip, mdapi folder or SFDX project) instead of the config's output.
    #[arg(long, value_name = "ZIP|DIR")]
    pub package: Option<PathBuf>,
    /// Minimum coverage (percent) per class and trigger and overall.
    #[arg(long, default_value_t = 75.0, value_name = "PERCENT")]
    pub min_coverage: f64,
    /// Coverage that only MAY be below the minimum (its lower bound is, its upper bound is not)
    /// fails too; without it that is a warning.
    #[arg(long)]
    pub strict: bool,
    /// Write a JUnit XML report (one testcase per check and per unit's coverage).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the coverage estimate as Cobertura XML (GitLab coverage_report, Codecov).
    #[arg(long, value_name = "FILE")]
    pub cobertura: Option<PathBuf>,
    /// Write the coverage estimate as an LCOV tracefile (Codecov, Coveralls, SonarQube).
    #[arg(long, value_name = "FILE")]
    pub lcov: Option<PathBuf>,
    /// Write an HTML coverage report: per class, lines covered / not covered / unknown,
    /// coloured in the source.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Do not run the tests in sfgen's Apex runtime: coverage is the static estimate only (also
    /// SFGEN_CHECK_ESTIMATE_ONLY=1). By default check runs them and uses the measured coverage
    /// when every test ran to a verdict.
    #[arg(long)]
    pub estimate_only: bool,
}

/// Runs `sfgen check`.
pub fn run(args: &CheckArgs, global: Global) -> Result<Outcome> {
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
        quiet: global.quiet,
    };
    crate::ops::check::check(&opts).map(|report| Outcome { report, colours_itself: true, ..Outcome::default() })
}
