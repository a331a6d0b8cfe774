//! `sfgen schema`: the JSON Schema of the config (or its Markdown reference), printed for a
//! redirect.

use super::output::Outcome;
use crate::cli::SchemaArgs;
use crate::config::reference;
use crate::ops::Report;

/// Runs `sfgen schema`.
pub fn run(args: &SchemaArgs) -> Outcome {
    let schema = reference::schema();
    let text = if args.markdown {
        reference::markdown()
    } else {
        serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
    };
    Outcome::output(Report { result: schema, text, ..Report::default() })
}
