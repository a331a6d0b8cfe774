//! The flags several verbs share, as the operations take them.

use crate::cli::ConfigArgs;
use crate::ops::ConfigOpts;

/// `-c`, `--env` and `--api-version`.
pub fn config(args: &ConfigArgs) -> ConfigOpts {
    ConfigOpts { config: args.config.clone(), env: args.env.clone(), api_version: args.api_version.clone() }
}
