//! `sfgen delta`: the delta between two git commits, as sfdx-git-delta writes it.

use super::output::Outcome;
use super::shared::Global;
use crate::cli::{OrgArgs, DestructiveWhen, DependencyScope};
use crate::error::Result;
use crate::ops::delta::DeltaOpts;
use clap::Args;
use std::path::PathBuf;

/// `sfgen delta`.
#[derive(Debug, Args)]
pub struct DeltaArgs {
    /// The commit to compare from (a hash, branch, tag or HEAD~N).
    #[arg(long, short = 'f', value_name = "REF")]
    pub from: String,
    /// The commit to compare to.
    #[arg(long, short = 't', value_name = "REF", default_value = "HEAD")]
    pub to: String,
    /// Where package/ and destructiveChanges/ (and, with --generate-delta, the source files) go.
    #[arg(long, short = 'd', value_name = "DIR", default_value = "output")]
    pub output_dir: PathBuf,
    /// The git repository (its work tree, or a folder inside it).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo_dir: PathBuf,
    /// Only look at changes beneath this folder (repeatable; default: the whole repository, within
    /// the package directories of sfdx-project.json).
    #[arg(long, short = 's', value_name = "DIR")]
    pub source_dir: Vec<String>,
    /// Also copy the changed components' source files into the output folder, in place.
    #[arg(long)]
    pub generate_delta: bool,
    /// Files to leave out of the delta (gitignore syntax; also applied to deletions unless
    /// --ignore-destructive-file is given).
    #[arg(long, short = 'i', value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Files whose deletion to leave out of destructiveChanges.xml.
    #[arg(long, short = 'D', value_name = "FILE")]
    pub ignore_destructive_file: Option<PathBuf>,
    /// Files to deploy whether they changed or not (gitignore syntax).
    #[arg(long, short = 'n', value_name = "FILE")]
    pub include_file: Option<PathBuf>,
    /// Files to delete whether they changed or not (gitignore syntax).
    #[arg(long, short = 'N', value_name = "FILE")]
    pub include_destructive_file: Option<PathBuf>,
    /// Changes of whitespace only are no changes.
    #[arg(long, short = 'W')]
    pub ignore_whitespace: bool,
    /// The API version of the manifests (default: sfdx-project.json's sourceApiVersion).
    #[arg(long, short = 'a', value_name = "VERSION")]
    pub api_version: Option<String>,
    /// When the printed deploy runs destructiveChanges.xml: post (after the deploy, as
    /// sfdx-git-delta's documentation does) or pre (before it).
    #[arg(long, value_enum, default_value_t = DestructiveWhen::Post)]
    pub destructive_when: DestructiveWhen,
    /// Name the test classes that reach the changed Apex (result.tests; always with --json) and
    /// print the validation with them (RunSpecifiedTests), or RunLocalTests with the reason.
    #[arg(long)]
    pub plan_tests: bool,
    /// Also deploy what the delta's components need (each addition with its reason): `range`
    /// (the default) adds what they reference that is new or changed in the range but left out
    /// (by --source-dir) and what the Metadata API checks in the same deploy (a dependent
    /// picklist's controlling field); `all` adds everything they reference that the project
    /// holds, for an org that lacks it (a scratch org, a sandbox refreshed before the range).
    /// What --ignore-file ignores is never added (a warning names it).
    #[arg(long, value_enum, value_name = "SCOPE", num_args = 0..=1, default_missing_value = "range", require_equals = true)]
    pub with_dependencies: Option<DependencyScope>,
    /// The org of the printed commands.
    #[command(flatten)]
    pub target: OrgArgs,
}

/// Runs `sfgen delta`.
pub fn run(args: &DeltaArgs, global: Global) -> Result<Outcome> {
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
        plan_tests: args.plan_tests || global.json,
        with_dependencies: args.with_dependencies,
        target_org: args.target.target_org.clone(),
    };
    crate::ops::delta::delta(&opts).map(Outcome::report)
}
