//! `sfgen manifest`: the package.xml of the same components, printed for a redirect.

use super::output::Outcome;
use super::shared;
use crate::cli::ManifestArgs;
use crate::error::Result;
use crate::ops::manifest::ManifestOpts;

/// Runs `sfgen manifest`.
pub fn run(args: &ManifestArgs, json: bool) -> Result<Outcome> {
    let opts = ManifestOpts {
        config: shared::config(&args.config),
        include: args.include.clone(),
        no_generate: args.no_generate,
        list_components: json,
    };
    crate::ops::manifest::manifest(&opts).map(Outcome::output)
}
