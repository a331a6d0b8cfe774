//! `sfgen man`: the man page (roff), printed for a redirect.

use super::output::Outcome;
use super::shared::Global;
use crate::error::{Error, Result};
use crate::ops::Report;
use clap::Args;

/// `sfgen man` (no arguments of its own).
#[derive(Debug, Args)]
pub struct ManArgs {}

/// Runs `sfgen man`.
pub fn run(_args: &ManArgs, global: Global) -> Result<Outcome> {
    let mut buf = Vec::new();
    clap_mangen::Man::new((global.cli)())
        .render(&mut buf)
        .map_err(|source| Error::Write { path: "<stdout>".into(), source })?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    Ok(Outcome::output(Report { result: serde_json::json!({ "roff": text }), text, ..Report::default() }))
}
