//! `sfgen delta`: the delta between two git commits, as sfdx-git-delta writes it.

use super::output::Outcome;
use crate::cli::DeltaArgs;
use crate::error::Result;
use crate::ops::delta::DeltaOpts;

/// Runs `sfgen delta`.
pub fn run(args: &DeltaArgs, json: bool) -> Result<Outcome> {
    let opts = DeltaOpts {
        from: args.from.clone(),
        to: args.to.clone(),
        output_dir: args.output_dir.clone(),
        repo_dir: args.repo_dir.clone(),
        source_dir: args.source_dir.clone(),
        generate_delta: args.generate_delta,
        ignore_file: args.ignore_file.clone(),
        ignore_destructive_file: args.ignore_destructive_file.clone(),
        include_file: args.include_file.clone(),
        include_destructive_file: args.include_destructive_file.clone(),
        ignore_whitespace: args.ignore_whitespace,
        api_version: args.api_version.clone(),
        destructive_when: args.destructive_when,
        // The JSON result always holds the tests.
        plan_tests: args.plan_tests || json,
        with_dependencies: args.with_dependencies,
        target_org: args.target.target_org.clone(),
    };
    crate::ops::delta::delta(&opts).map(Outcome::report)
}
