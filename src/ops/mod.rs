//! The operations behind the verbs, one module each. Each takes an options struct and returns a
//! [`Report`]; the command line ([`crate::commands`]) parses, calls one operation and prints. What
//! they plan from (the config read, the desired state, deploy commands, next steps) is
//! [`crate::plan`], the stage below.

pub mod check;
pub mod convert;
pub mod delta;
pub mod diff;
pub mod generate;
pub mod init;
pub mod manifest;
pub mod package;
pub mod test;

use crate::error::Result;
use crate::plan::load::find_config;
pub use crate::plan::load::ConfigOpts;

/// What an operation produced: an exit code, data for `--json`, and text for people. How it is
/// printed is the command line's business (`commands::output`).
#[derive(Debug, Default)]
pub struct Report {
    /// 0 success, 1 findings/differences.
    pub exit: u8,
    /// The `result` of the JSON envelope.
    pub result: serde_json::Value,
    /// The human-readable report (stdout).
    pub text: String,
    /// Next steps and other guidance, hidden by `--quiet` (stdout, after the report).
    pub guidance: String,
    /// Warnings (stderr in text mode, `warnings` in JSON).
    pub warnings: Vec<String>,
}

/// The reports of `check` and `test` (`--junit`, `--cobertura`, `--lcov`, `--html`) may not name
/// one of the run's inputs (the config, `--package`, an `--include`) nor each other.
pub(crate) fn refuse_reports_over_inputs(
    config: &ConfigOpts,
    package: Option<&std::path::Path>,
    include: &[std::path::PathBuf],
    reports: [Option<&std::path::Path>; 4],
) -> Result<()> {
    let mut inputs: Vec<(&str, &std::path::Path)> = include.iter().map(|p| ("the --include", p.as_path())).collect();
    inputs.extend(package.map(|p| ("the --package", p)));
    let [junit, cobertura, lcov, html] = reports;
    refuse_overwriting_inputs(
        package.is_none().then_some(config),
        &inputs,
        &[("--junit", junit), ("--cobertura", cobertura), ("--lcov", lcov), ("--html", html)],
    )
}

/// Refuses a command whose output is one of its inputs (issue 24, finding 9): the config, when
/// `config` is given (the command reads it; found as [`crate::plan::load::load_project`] finds it), and `inputs`;
/// `outputs` holds each output flag with its path, if given.
pub(crate) fn refuse_overwriting_inputs(
    config: Option<&ConfigOpts>,
    inputs: &[(&str, &std::path::Path)],
    outputs: &[(&str, Option<&std::path::Path>)],
) -> Result<()> {
    let found = config.and_then(|c| find_config(&c.config).ok());
    let mut all: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(f) = &found {
        all.push(("the config", f));
    }
    all.extend_from_slice(inputs);
    let outputs: Vec<(&str, &std::path::Path)> = outputs.iter().filter_map(|(f, p)| p.map(|p| (*f, p))).collect();
    crate::write::refuse_overwriting_inputs(&outputs, &all)
}
