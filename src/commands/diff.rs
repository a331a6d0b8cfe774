//! `sfgen diff`: what sfgen would deploy against what an org holds, and the delta package.

use super::output::Outcome;
use super::shared;
use crate::cli::DiffArgs;
use crate::error::Result;
use crate::ops::diff::DiffOpts;

/// Runs `sfgen diff`.
pub fn run(args: &DiffArgs) -> Result<Outcome> {
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
