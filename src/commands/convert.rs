//! `sfgen convert`: a project between source (SFDX) and Metadata API layouts.

use super::output::Outcome;
use super::shared::Global;
use crate::cli::Format;
use crate::error::Result;
use crate::ops::convert::ConvertOpts;
use clap::Args;
use std::path::PathBuf;

/// `sfgen convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// SFDX project, mdapi folder or zip.
    #[arg(long, value_name = "PATH")]
    pub from: PathBuf,
    /// Output folder (new or empty).
    #[arg(long, short = 'd', visible_alias = "output-dir", value_name = "DIR")]
    pub to: PathBuf,
    /// Target layout.
    #[arg(long, value_enum)]
    pub format: Format,
}

/// Runs `sfgen convert`.
pub fn run(args: &ConvertArgs, _global: Global) -> Result<Outcome> {
    let opts = ConvertOpts { from: args.from.clone(), to: args.to.clone(), format: args.format };
    crate::ops::convert::convert(&opts).map(Outcome::report)
}
