//! `sfgen init`: a starter config that reproduces one of the integration guides.

use super::output::Outcome;
use super::shared::Global;
use crate::cli::Preset;
use crate::error::Result;
use crate::ops::init::InitOpts;
use clap::Args;
use std::path::PathBuf;

/// `sfgen init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Which guide to start from.
    #[arg(long, value_enum, default_value_t = Preset::Webhook)]
    pub preset: Preset,
    /// Where to write the config (its JSON Schema, sfgen.schema.json, goes beside it and the
    /// config names it in "$schema").
    #[arg(long, value_name = "FILE", default_value = "sfgen.json")]
    pub out: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Runs `sfgen init`.
pub fn run(args: &InitArgs, _global: Global) -> Result<Outcome> {
    let opts = InitOpts { preset: args.preset, out: args.out.clone(), force: args.force };
    crate::ops::init::init(&opts).map(Outcome::report)
}
