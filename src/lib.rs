//! sfgen: one reviewed config in, Salesforce metadata that deploys on the first try out.
//!
//! The data flows one way: `cli → ops → {config → model → render, read} → {write, diff,
//! check, convert} → sf → metadata`.
//!
//! - [`config`]: the JSON contract (raw serde types, loading, `--env` patches, diagnostics).
//! - [`model`]: the validated project every verb works from.
//! - [`section`]: one module per config section: raw form, validation, rendering.
//! - [`render`]: project → [`metadata::Tree`] (Apex from askama templates, metadata XML).
//! - [`read`]: existing projects and retrieves → components (detect, walk, resolve, compose),
//!   as the Salesforce CLI reads them, one component at a time.
//! - [`write`]: the one atomic writer (files, folders, deterministic zips).
//! - [`convert`]: mdapi → source layout; [`diff`] and [`canon`]: comparing meaning;
//!   [`check`] and [`coverage`]: offline deployability and coverage.
//! - [`sf`]: Salesforce knowledge in one place: the metadata registry (the Salesforce CLI's own
//!   data), file placement, package.xml, XML.
//! - [`metadata`]: the data model every verb works on (components in mdapi layout).
//! - [`apex`]: the Apex language: executable-line rules and the runtime behind `sfgen test`.
//! - [`ops`]: one module per command; only `ops` and `main` touch the environment.

pub mod apex;
pub mod canon;
pub mod check;
pub mod cli;
pub mod config;
pub mod convert;
pub mod coverage;
pub mod diff;
pub mod error;
pub mod git;
pub mod metadata;
pub mod model;
pub mod ops;
pub mod printable;
pub mod project;
pub mod read;
pub mod relpath;
pub mod render;
pub mod section;
pub mod sf;
pub mod shell;
pub mod spans;
pub mod suggest;
pub mod ui;
pub mod write;
pub mod zip_write;

pub use read::archive;

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
///
/// With `--json` (or `diff --format json`) every exit prints exactly one envelope on stdout,
/// shaped like the Salesforce CLI's: `{status, result, warnings}` on success, `{status, name,
/// message, exitCode, actions, warnings, data}` on error, flag errors and `--help` included.
/// `--quiet` hides the summary and the next steps, never the output a user redirects
/// (the text of `manifest`, `schema`, `completions` and `man`). Text for the terminal is made printable
/// ([`printable::text`]): a config or input value never drives the terminal.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, &args),
    };
    let json = cli.json || matches!(&cli.command, cli::Command::Diff(d) if d.format == cli::DiffFormat::Json);
    let quiet = cli.quiet;
    // What users redirect into a file (package.xml, the schema, a script, the man page) is
    // printed as is, `--quiet` or not.
    let text_is_output = matches!(
        &cli.command,
        cli::Command::Manifest(_) | cli::Command::Schema(_) | cli::Command::Completions(_) | cli::Command::Man
    );
    ui::init(ui::decide(cli.color, json, quiet));
    // A coloured diff or check report holds escape sequences of its own (and escapes the text it
    // shows).
    let coloured = matches!(&cli.command, cli::Command::Diff(_) | cli::Command::Check(_)) && ui::get().color;
    // `diff` exits 1 when the sides differ: an answer, not an error, so `-q` keeps it quiet (the
    // exit status says it, as `diff -q` and `git diff --quiet` do).
    let quiet_answer = quiet && matches!(&cli.command, cli::Command::Diff(_));
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
                    let _ = writeln!(stderr, "warning: {}", printable::text(w));
                }
                if quiet_answer {
                    // Nothing but the warnings.
                } else if text_is_output || (coloured && (!quiet || outcome.exit != 0)) {
                    let _ = write!(stdout, "{}", outcome.text);
                } else if !quiet || outcome.exit != 0 {
                    let _ = write!(stdout, "{}", printable::text(&outcome.text));
                }
                if !quiet && !outcome.guidance.is_empty() {
                    let _ = write!(stdout, "{}", printable::text(&outcome.guidance));
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
                    "message": e.message(),
                    "exitCode": code,
                    "actions": e.actions(),
                    "warnings": Vec::<String>::new(),
                    "data": data,
                });
                println!("{}", serde_json::to_string_pretty(&envelope).unwrap_or_default());
            } else {
                eprintln!("error: {}", printable::text(&e.to_string()));
            }
            ExitCode::from(code)
        }
    }
}

/// Whether the raw arguments ask for JSON (`--json`, or `--format json` as `diff` takes it),
/// looked for before parsing so that a command line clap refuses still gets an envelope.
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    let args: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).take_while(|a| *a != "--").collect();
    args.iter()
        .enumerate()
        .any(|(i, a)| *a == "--json" || *a == "--format=json" || (*a == "--format" && args.get(i + 1) == Some(&"json")))
}

/// `sfgen SUBCOMMAND --help` for the subcommand the arguments name (`sfgen --help` without one).
fn help_command(args: &[std::ffi::OsString]) -> String {
    use clap::CommandFactory as _;
    let cmd = cli::Cli::command();
    let sub =
        args.iter().skip(1).filter_map(|a| a.to_str()).find(|a| cmd.get_subcommands().any(|s| s.get_name() == *a));
    match sub {
        Some(s) => format!("sfgen {s} --help"),
        None => "sfgen --help".to_string(),
    }
}

/// Prints what clap had to say about the command line (an error, `--help`, `--version`): its
/// own text, or with `--json` one envelope; returns the exit code (2 for an error).
/// sf verbs people type at sfgen: what sfgen does instead, and the sf command that does it.
fn sf_verb_pointer(args: &[std::ffi::OsString]) -> Option<(String, Vec<String>)> {
    let verb = args.iter().skip(1).map(|a| a.to_string_lossy()).find(|a| !a.starts_with('-'))?;
    match verb.as_ref() {
        "deploy" | "validate" | "push" => Some((
            format!("sfgen does not {verb}: it writes the package and prints the sf commands that deploy it"),
            vec![
                "`sfgen package --out deploy.zip --target-org ALIAS` writes the zip and prints, e.g., `sf project deploy validate --metadata-dir deploy.zip --single-package --test-level RunSpecifiedTests --tests ... --target-org ALIAS` then `sf project deploy quick --use-most-recent --target-org ALIAS`".into(),
                "`sfgen generate --out out` prints `(cd out && sf project deploy start --source-dir force-app ...)` for a source project".into(),
                "run `sfgen --help` for sfgen's commands".into(),
            ],
        )),
        "retrieve" | "pull" => Some((
            format!("sfgen does not {verb}: `sf project retrieve start` does, with the manifest sfgen prints"),
            vec![
                "`sfgen manifest > package.xml` then `sf project retrieve start --manifest package.xml --target-metadata-dir org-retrieve --target-org ALIAS`, and `sfgen diff --org org-retrieve`".into(),
                "run `sfgen --help` for sfgen's commands".into(),
            ],
        )),
        _ => None,
    }
}

fn usage_error(e: &clap::Error, args: &[std::ffi::OsString]) -> ExitCode {
    let json = wants_json(args);
    use clap::error::ErrorKind;
    let code: u8 = if e.use_stderr() { 2 } else { 0 };
    if e.kind() == ErrorKind::InvalidSubcommand {
        if let Some((message, actions)) = sf_verb_pointer(args) {
            if json {
                let envelope = serde_json::json!({
                    "status": 2,
                    "name": "UsageError",
                    "message": message,
                    "exitCode": 2,
                    "actions": actions,
                    "warnings": [],
                    "data": { "kind": "InvalidSubcommand" },
                });
                println!("{}", serde_json::to_string_pretty(&envelope).unwrap_or_default());
            } else {
                eprintln!("error: {message}");
                for a in &actions {
                    eprintln!("  help: {a}");
                }
            }
            return ExitCode::from(2);
        }
    }
    if !json {
        let _ = e.print();
        return ExitCode::from(code);
    }
    let rendered = e.render().to_string();
    let envelope = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if code == 0 => {
            serde_json::json!({ "status": 0, "result": { "help": rendered }, "warnings": [] })
        }
        ErrorKind::DisplayVersion => serde_json::json!({
            "status": 0,
            "result": { "version": env!("CARGO_PKG_VERSION") },
            "warnings": [],
        }),
        _ => {
            let mut message = Vec::new();
            let mut actions = Vec::new();
            for line in rendered.lines() {
                let line = line.trim_end();
                if let Some(tip) = line.trim_start().strip_prefix("tip: ") {
                    actions.push(tip.to_string());
                } else if line.starts_with("For more information, try ") {
                    actions.push(format!("run `{}` for the flags and examples", help_command(args)));
                } else if line.starts_with("Usage: ") {
                    actions.push(format!("usage: {}", line.trim_start_matches("Usage: ")));
                } else if !line.is_empty() {
                    message.push(line.strip_prefix("error: ").unwrap_or(line).to_string());
                }
            }
            serde_json::json!({
                "status": code,
                "name": "UsageError",
                "message": message.join("\n"),
                "exitCode": code,
                "actions": actions,
                "warnings": [],
                "data": { "kind": format!("{:?}", e.kind()) },
            })
        }
    };
    println!("{}", serde_json::to_string_pretty(&envelope).unwrap_or_default());
    ExitCode::from(code)
}
