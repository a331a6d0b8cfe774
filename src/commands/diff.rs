//! `sfgen diff`: what sfgen would deploy against what an org holds, and the delta package.

use super::output::Outcome;
use super::shared::{self, Global};
use crate::cli::{ConfigArgs, OrgArgs, Prefer, DestructiveWhen, DiffFormat, DeltaLayout};
use crate::error::Result;
use crate::ops::diff::DiffOpts;
use clap::Args;
use std::path::PathBuf;

/// `sfgen diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also compare these projects, folders or zips as part of the desired state.
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// Which side wins for a component both generated and included.
    #[arg(long, value_enum)]
    pub prefer: Option<Prefer>,
    /// What the org holds: a retrieve zip (with or without unpackaged/), an mdapi folder or an SFDX source folder.
    #[arg(long, value_name = "PATH")]
    pub org: PathBuf,
    /// Output format (--json is the same as --format json).
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write a deployable package of the added and changed components (a zip if PATH ends in .zip).
    #[arg(long, short = 'd', visible_alias = "output-dir", value_name = "PATH")]
    pub delta_out: Option<PathBuf>,
    /// Layout of --delta-out: mdapi (one Metadata API folder or zip) or sgd (as sfdx-git-delta writes
    /// it: package/package.xml, destructiveChanges/destructiveChanges.xml and the source).
    #[arg(long, value_enum, default_value_t = DeltaLayout::Mdapi, requires = "delta_out")]
    pub layout: DeltaLayout,
    /// When the deletions of --prune run: pre (before the deploy; a plain destructiveChanges.xml
    /// also runs first) or post (after it).
    #[arg(long, value_enum, requires = "delta_out")]
    pub destructive_when: Option<DestructiveWhen>,
    /// Report org components of the same types that the desired state lacks as removed.
    #[arg(long)]
    pub prune: bool,
    /// Ignore Apex comments when comparing.
    #[arg(long)]
    pub ignore_comments: bool,
    /// Compare only the --include'd components (no config needed).
    #[arg(long)]
    pub no_generate: bool,
    /// The org of the printed deploy commands (not the --org retrieve).
    #[command(flatten)]
    pub target: OrgArgs,
}

/// Runs `sfgen diff`.
pub fn run(args: &DiffArgs, _global: Global) -> Result<Outcome> {
    let opts = DiffOpts {
        config: shared::config(&args.config),
        include: args.include.clone(),
        prefer: args.prefer,
        org: args.org.clone(),
        format: args.format,
        delta_out: args.delta_out.clone(),
        layout: args.layout,
        destructive_when: args.destructive_when,
        prune: args.prune,
        ignore_comments: args.ignore_comments,
        no_generate: args.no_generate,
        target_org: args.target.target_org.clone(),
    };
    crate::ops::diff::diff(&opts).map(|report| Outcome {
        report,
        colours_itself: true,
        quiet_answer: true,
        ..Outcome::default()
    })
}
