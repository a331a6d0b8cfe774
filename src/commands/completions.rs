//! `sfgen completions SHELL`: the shell's completion script, printed for a redirect.

use super::output::Outcome;
use super::shared::Global;
use crate::cli::Shell;
use crate::error::Result;
use crate::ops::Report;
use clap_complete::Shell as S;
use clap::Args;

/// `sfgen completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Runs `sfgen completions`.
pub fn run(args: &CompletionsArgs, global: Global) -> Result<Outcome> {
    let mut cmd = (global.cli)();
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "sfgen", &mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    Ok(Outcome::output(Report { result: serde_json::json!({ "script": text }), text, ..Report::default() }))
}
