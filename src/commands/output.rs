//! The one place that prints: an [`Outcome`] or an error, as text for people or as the `--json`
//! envelope, and the exit code.
//!
//! With `--json` (or `diff --format json`) every exit prints exactly one envelope on stdout,
//! shaped like the Salesforce CLI's: `{status, result, warnings}` on success, `{status, name,
//! message, exitCode, actions, warnings, data}` on error (flag errors and `--help` included:
//! [`super::usage`]). `--quiet` hides the summary and the next steps, never the output a user
//! redirects. Text for the terminal is made printable ([`crate::printable::text`]): a config or
//! input value never drives the terminal.

use crate::error::{Error, Result};
use crate::ops::Report;
use crate::printable;
use std::io::Write as _;
use std::process::ExitCode;

/// What a command produced ([`Report`]: an exit code, data for `--json`, text for people) and
/// how its text is shown.
#[derive(Debug, Default)]
pub struct Outcome {
    /// What the operation produced.
    pub report: Report,
    /// The text is what users redirect into a file (package.xml, the schema, a script, the man
    /// page): printed as is, `--quiet` or not.
    pub text_is_output: bool,
    /// The text is coloured when colour is on: it holds escape sequences of its own (and escapes
    /// the text it shows).
    pub colours_itself: bool,
    /// Exit 1 is an answer, not an error (`diff`: the sides differ), so `--quiet` prints nothing
    /// but the warnings (the exit status says it, as `diff -q` and `git diff --quiet` do).
    pub quiet_answer: bool,
}

impl Outcome {
    /// A report shown as a report: made printable, hidden by `--quiet` unless it exits non-zero.
    pub fn report(report: Report) -> Self {
        Self { report, ..Self::default() }
    }

    /// Text a user redirects into a file, printed as is.
    pub fn output(report: Report) -> Self {
        Self { report, text_is_output: true, ..Self::default() }
    }
}

/// How the command line asked for output.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// `--json` (or `diff --format json`): one envelope on stdout.
    pub json: bool,
    /// `--quiet`.
    pub quiet: bool,
}

/// Prints what a command ended with; returns its exit code.
pub fn print(ended: Result<Outcome>, mode: Mode) -> ExitCode {
    match ended {
        Ok(outcome) => print_outcome(&outcome, mode),
        Err(e) => print_error(&e, mode),
    }
}

fn print_outcome(outcome: &Outcome, Mode { json, quiet }: Mode) -> ExitCode {
    let report = &outcome.report;
    let coloured = outcome.colours_itself && crate::ui::get().color;
    let quiet_answer = quiet && outcome.quiet_answer;
    let mut stdout = std::io::stdout().lock();
    if json {
        let envelope = serde_json::json!({
            "status": report.exit,
            "result": report.result,
            "warnings": report.warnings,
        });
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&envelope).unwrap_or_default());
    } else {
        let mut stderr = std::io::stderr().lock();
        for w in &report.warnings {
            let _ = writeln!(stderr, "warning: {}", printable::text(w));
        }
        if quiet_answer {
            // Nothing but the warnings.
        } else if outcome.text_is_output || (coloured && (!quiet || report.exit != 0)) {
            let _ = write!(stdout, "{}", report.text);
        } else if !quiet || report.exit != 0 {
            let _ = write!(stdout, "{}", printable::text(&report.text));
        }
        if !quiet && !report.guidance.is_empty() {
            let _ = write!(stdout, "{}", printable::text(&report.guidance));
        }
    }
    ExitCode::from(report.exit)
}

fn print_error(e: &Error, Mode { json, .. }: Mode) -> ExitCode {
    let code = e.exit_code();
    if json {
        let data = match e {
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
