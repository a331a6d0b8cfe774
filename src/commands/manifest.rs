//! `sfgen manifest`: the package.xml of the same components, printed for a redirect.

use super::output::Outcome;
use super::shared::{self, Global};
use crate::cli::ConfigArgs;
use crate::error::Result;
use crate::ops::manifest::ManifestOpts;
use clap::Args;
use std::path::PathBuf;

/// `sfgen manifest`.
#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also list the components of these projects, folders or zips.
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// List only the --include'd components (no config needed).
    #[arg(long)]
    pub no_generate: bool,
}

/// Runs `sfgen manifest`.
pub fn run(args: &ManifestArgs, global: Global) -> Result<Outcome> {
    let opts = ManifestOpts {
        config: shared::config(&args.config),
        include: args.include.clone(),
        no_generate: args.no_generate,
        list_components: global.json,
    };
    crate::ops::manifest::manifest(&opts).map(Outcome::output)
}
