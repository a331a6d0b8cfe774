//! `sfgen schema`: the JSON Schema of the config (or its Markdown reference), printed for a
//! redirect.

use super::output::Outcome;
use super::shared::Global;
use crate::config::reference;
use crate::error::Result;
use crate::ops::Report;
use clap::Args;

/// `sfgen schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the config reference as Markdown (docs/config.md) instead of the JSON Schema.
    #[arg(long)]
    pub markdown: bool,
}

/// Runs `sfgen schema`.
pub fn run(args: &SchemaArgs, _global: Global) -> Result<Outcome> {
    let schema = reference::schema();
    let text = if args.markdown {
        reference::markdown()
    } else {
        serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
    };
    Ok(Outcome::output(Report { result: schema, text, ..Report::default() }))
}
