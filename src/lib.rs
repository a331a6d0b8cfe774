//! sfgen: one reviewed config in, Salesforce metadata that deploys on the first try out.
//!
//! The data flows one way: `cli → ops → (config → model) → render → {output, package, diff,
//! check}`.
//!
//! - [`config`]: the JSON contract (raw serde types, loading, `--env` patches, diagnostics).
//! - [`model`]: the validated project every verb works from.
//! - [`section`]: one module per config section: raw form, validation, rendering.
//! - [`render`]: project → [`metadata::Tree`] (Apex from askama templates, metadata XML).
//! - [`metadata`]: shared Salesforce knowledge: component tree, type registry, XML, package.xml.
//! - [`convert`]: mdapi ↔ source layouts.
//! - [`output`]: writing trees to disk atomically.
//! - [`ops`]: one module per command; only `ops` and `main` touch the environment.

pub mod archive;
pub mod canon;
pub mod check;
pub mod cli;
pub mod config;
pub mod convert;
pub mod coverage;
pub mod diff;
pub mod error;
pub mod load;
pub mod metadata;
pub mod model;
pub mod ops;
pub mod output;
pub mod package;
pub mod render;
pub mod section;
pub mod ui;

pub use error::{Error, Result};

use clap::Parser as _;
use std::io::Write as _;
use std::process::ExitCode;

/// What a command produced: an exit code, data for `--json`, and text for people.
#[derive(Debug, Default)]
pub struct Outcome {
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

/// Parses `args` and runs the command; prints the outcome; returns the exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let json = cli.json || matches!(&cli.command, cli::Command::Diff(d) if d.format == cli::DiffFormat::Json);
    let quiet = cli.quiet;
    ui::init(ui::decide(cli.color, json, quiet));
    match ops::dispatch(&cli) {
        Ok(outcome) => {
            let mut stdout = std::io::stdout().lock();
            if json {
                let envelope = serde_json::json!({
                    "status": outcome.exit,
                    "result": outcome.result,
                    "warnings": outcome.warnings,
                });
                let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&envelope).unwrap_or_default());
            } else {
                let mut stderr = std::io::stderr().lock();
                for w in &outcome.warnings {
                    let _ = writeln!(stderr, "warning: {w}");
                }
                if !quiet || outcome.exit != 0 {
                    let _ = write!(stdout, "{}", outcome.text);
                }
                if !quiet && !outcome.guidance.is_empty() {
                    let _ = write!(stdout, "{}", outcome.guidance);
                }
            }
            ExitCode::from(outcome.exit)
        }
        Err(e) => {
            let code = e.exit_code();
            if json {
                let data = match &e {
                    Error::Config(diags) => serde_json::to_value(diags).unwrap_or_default(),
                    _ => serde_json::Value::Null,
                };
                let envelope = serde_json::json!({
                    "status": code,
                    "name": e.name(),
                    "message": e.to_string(),
                    "exitCode": code,
                    "data": data,
                });
                println!("{}", serde_json::to_string_pretty(&envelope).unwrap_or_default());
            } else {
                eprintln!("error: {e}");
            }
            ExitCode::from(code)
        }
    }
}
