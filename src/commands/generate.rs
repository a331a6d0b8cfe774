//! `sfgen generate`: config → every artefact, written as an SFDX project or an mdapi folder.

use super::output::Outcome;
use super::shared::{self, Global};
use crate::cli::{ConfigArgs, OrgArgs, Format};
use crate::error::Result;
use crate::ops::generate::GenerateOpts;
use clap::Args;
use std::path::PathBuf;

/// `sfgen generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Layout: source (SFDX project) or mdapi (Metadata API folder with package.xml).
    #[arg(long, value_enum, default_value_t = Format::Source)]
    pub format: Format,
    /// Output folder (created if missing). In an existing SFDX project, the source goes into its
    /// default package directory.
    #[arg(long, short = 'd', visible_alias = "output-dir", value_name = "DIR")]
    pub out: PathBuf,
    /// Write even if sfgen's own checks find errors.
    #[arg(long)]
    pub no_check: bool,
    /// The org of the printed commands.
    #[command(flatten)]
    pub org: OrgArgs,
}

/// Runs `sfgen generate`.
pub fn run(args: &GenerateArgs, _global: Global) -> Result<Outcome> {
    let opts = GenerateOpts {
        config: shared::config(&args.config),
        format: args.format,
        out: args.out.clone(),
        no_check: args.no_check,
        target_org: args.org.target_org.clone(),
    };
    crate::ops::generate::generate(&opts).map(Outcome::report)
}
