//! `sfgen test`: the Apex tests, run offline by sfgen's Apex runtime.

use super::output::Outcome;
use super::shared::{self, Global};
use crate::cli::ConfigArgs;
use crate::error::Result;
use crate::ops::test::TestOpts;
use clap::Args;
use std::path::PathBuf;

/// `sfgen test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Config file and environment (generate, then test the generated package).
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also test these projects, folders or zips (with the generated components, or with --package).
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// Test an existing package (zip, mdapi folder, SFDX project or retrieve) instead of the config's output.
    #[arg(long, value_name = "ZIP|DIR")]
    pub package: Option<PathBuf>,
    /// Run only this test class or Class.method (repeatable, as `sf apex run test --tests`).
    #[arg(long = "tests", short = 't', value_name = "CLASS[.METHOD]")]
    pub tests: Vec<String>,
    /// Write a JUnit XML report (one testsuite per test class).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the measured coverage as Cobertura XML.
    #[arg(long, value_name = "FILE")]
    pub cobertura: Option<PathBuf>,
    /// Write the measured coverage as an LCOV tracefile.
    #[arg(long, value_name = "FILE")]
    pub lcov: Option<PathBuf>,
    /// Write an HTML coverage report (per class, covered lines coloured in the source).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Runs `sfgen test`.
pub fn run(args: &TestArgs, global: Global) -> Result<Outcome> {
    let opts = TestOpts {
        config: shared::config(&args.config),
        include: args.include.clone(),
        package: args.package.clone(),
        tests: args.tests.clone(),
        junit: args.junit.clone(),
        cobertura: args.cobertura.clone(),
        lcov: args.lcov.clone(),
        html: args.html.clone(),
        quiet: global.quiet,
        json: global.json,
    };
    crate::ops::test::test(&opts).map(Outcome::report)
}
