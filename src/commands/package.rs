//! `sfgen package`: a deterministic, deployable Metadata API zip, and the commands that deploy it.

use super::output::Outcome;
use super::shared::{self, Global};
use crate::cli::{ConfigArgs, OrgArgs, Prefer, DestructiveWhen};
use crate::error::Result;
use crate::ops::package::PackageOpts;
use clap::Args;
use std::path::PathBuf;

/// `sfgen package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// An SFDX project, mdapi folder or zip whose components ship with the generated ones (repeatable).
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// Which side wins for a component present in both.
    #[arg(long, value_enum)]
    pub prefer: Option<Prefer>,
    /// Components to delete: a package.xml-format file or a plain `Type:Member` list.
    #[arg(long, value_name = "FILE")]
    pub destructive: Option<PathBuf>,
    /// Write destructiveChangesPre.xml or destructiveChangesPost.xml instead of destructiveChanges.xml.
    #[arg(long, value_enum, requires = "destructive")]
    pub destructive_when: Option<DestructiveWhen>,
    /// The zip to write.
    #[arg(long, value_name = "FILE.zip")]
    pub out: PathBuf,
    /// Package even if sfgen's own checks find errors.
    #[arg(long)]
    pub no_check: bool,
    /// Package only the --include'd components (no config needed).
    #[arg(long)]
    pub no_generate: bool,
    /// The org of the printed commands.
    #[command(flatten)]
    pub org: OrgArgs,
}

/// Runs `sfgen package`.
pub fn run(args: &PackageArgs, _global: Global) -> Result<Outcome> {
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
