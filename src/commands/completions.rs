//! `sfgen completions SHELL`: the shell's completion script, printed for a redirect.

use super::output::Outcome;
use crate::cli::{Cli, CompletionsArgs, Shell};
use crate::ops::Report;
use clap::CommandFactory as _;
use clap_complete::Shell as S;

/// Runs `sfgen completions`.
pub fn run(args: &CompletionsArgs) -> Outcome {
    let mut cmd = Cli::command();
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "sfgen", &mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    Outcome::output(Report { result: serde_json::json!({ "script": text }), text, ..Report::default() })
}
