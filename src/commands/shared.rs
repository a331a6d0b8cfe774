//! What verbs share: the global flags, and the shared flags as the operations take them.

use crate::cli::ConfigArgs;
use crate::ops::ConfigOpts;

/// What every verb is told besides its own arguments.
#[derive(Debug, Clone, Copy)]
pub struct Global {
    /// `--json` (or `diff --format json`).
    pub json: bool,
    /// `--quiet`.
    pub quiet: bool,
    /// The whole command line's definition (for completions and the man page).
    pub cli: fn() -> clap::Command,
}

/// `-c`, `--env` and `--api-version`.
pub fn config(args: &ConfigArgs) -> ConfigOpts {
    ConfigOpts { config: args.config.clone(), env: args.env.clone(), api_version: args.api_version.clone() }
}
