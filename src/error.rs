//! sfgen's error type and exit codes.
//!
//! Exit codes follow ripgrep and diff(1): 0 success (or "no differences"), 1 findings
//! (differences, failed checks), 2 bad input or any error; nothing is written on 2.

use std::fmt;
use std::path::PathBuf;

/// One problem in an input file, located as precisely as sfgen can.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file (as given on the command line).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// JSON path of the offending value (`webhook.objects[0].events[1]`), empty for the root.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

/// Everything that can stop an sfgen command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The config is invalid; every problem found is listed.
    #[error("{}", render_diagnostics(.0))]
    Config(Vec<Diagnostic>),
    /// An input (file, folder, archive, flag) is unusable.
    #[error("{message}{}", .hint.as_ref().map(|h| format!("\n  help: {h}")).unwrap_or_default())]
    Input {
        /// What is wrong, naming the input.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// Writing the output failed (nothing partial is left behind).
    #[error("cannot write {path}: {source}")]
    Write {
        /// The target.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Generated artefacts failed sfgen's own checks (exit 1).
    #[error("{0}")]
    Findings(String),
}

impl Error {
    /// The process exit code for this error: 1 for findings, 2 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Findings(_) => 1,
            _ => 2,
        }
    }

    /// A short, stable name for machine output (`ConfigError`, `InputError`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Error::Config(_) => "ConfigError",
            Error::Input { .. } => "InputError",
            Error::Write { .. } => "WriteError",
            Error::Findings(_) => "CheckFailed",
        }
    }

    /// What went wrong, without the hints (those are [`Error::actions`]): the `message` of the
    /// JSON envelope.
    pub fn message(&self) -> String {
        match self {
            Error::Config(diags) => {
                let mut lines: Vec<String> =
                    diags.iter().map(|d| Diagnostic { hint: None, ..d.clone() }.to_string()).collect();
                if diags.len() > 1 {
                    lines.push(format!("{} problems in the config; nothing was written", diags.len()));
                }
                lines.join("\n")
            }
            other => split_hints(&other.to_string()).0,
        }
    }

    /// How to fix it, one hint per entry: the `actions` of the JSON envelope (a config
    /// diagnostic's hint is prefixed with its JSON path).
    pub fn actions(&self) -> Vec<String> {
        match self {
            Error::Config(diags) => diags
                .iter()
                .filter_map(|d| {
                    d.hint.as_ref().map(|h| if d.path.is_empty() { h.clone() } else { format!("{}: {h}", d.path) })
                })
                .collect(),
            other => split_hints(&other.to_string()).1,
        }
    }

    /// Shorthand for an input error without a hint.
    pub fn input(message: impl Into<String>) -> Self {
        Error::Input { message: message.into(), hint: None }
    }
}

/// Splits a rendered error into its message and its `  help: ...` lines.
fn split_hints(text: &str) -> (String, Vec<String>) {
    let mut message = Vec::new();
    let mut hints = Vec::new();
    for line in text.lines() {
        match line.strip_prefix("  help: ") {
            Some(h) => hints.push(h.to_string()),
            None => message.push(line),
        }
    }
    (message.join("\n"), hints)
}

fn render_diagnostics(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    if diags.len() > 1 {
        out.push_str(&format!("\n{} problems in the config; nothing was written", diags.len()));
    }
    out
}

/// sfgen's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
