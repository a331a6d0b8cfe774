//! `sfgen man`: the man page (roff), printed for a redirect.

use super::output::Outcome;
use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::ops::Report;
use clap::CommandFactory as _;

/// Runs `sfgen man`.
pub fn run() -> Result<Outcome> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|source| Error::Write { path: "<stdout>".into(), source })?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    Ok(Outcome::output(Report { result: serde_json::json!({ "roff": text }), text, ..Report::default() }))
}
