//! `sfgen manifest`: the package.xml of the same components, printed for a redirect.

use super::output::Outcome;
use crate::cli::ManifestArgs;
use crate::error::Result;

/// Runs `sfgen manifest`.
pub fn run(args: &ManifestArgs, json: bool) -> Result<Outcome> {
    crate::ops::manifest::run(args, json).map(Outcome::output)
}
