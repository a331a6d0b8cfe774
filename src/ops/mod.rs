//! One module per command. Each takes its parsed arguments, does the work through the
//! library, and returns an [`Outcome`]; printing and exit codes are decided in [`crate::run`].

pub mod check;
pub mod convert;
pub mod delivery_steps;
pub mod diff;
pub mod generate;
pub mod init;
pub mod manifest;
pub mod next_steps;
pub mod package;

use crate::cli::{Cli, Command, ConfigArgs};
use crate::config::{self, LoadedConfig};
use crate::error::{Error, Result};
use crate::model::Project;
use crate::Outcome;

/// Runs the command `cli` names.
pub fn dispatch(cli: &Cli) -> Result<Outcome> {
    match &cli.command {
        Command::Generate(args) => generate::run(args),
        Command::Init(args) => init::run(args),
        Command::Schema(args) => Ok(schema(args.markdown)),
        Command::Completions(args) => Ok(completions(args.shell)),
        Command::Man => man(),
        Command::Package(args) => package::run(args),
        Command::Manifest(args) => manifest::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Check(args) => check::run(args),
    }
}

/// Loads and validates the config named by `args`.
pub fn load_project(args: &ConfigArgs) -> Result<(LoadedConfig, Project)> {
    let loaded = config::load(&args.config, args.env.as_deref())?;
    let project = Project::from_config(&loaded)?;
    Ok((loaded, project))
}

/// Warnings of a project as printable lines.
pub fn warning_lines(project: &Project) -> Vec<String> {
    let one_line = |d: &crate::error::Diagnostic| {
        let base = crate::error::Diagnostic { hint: None, ..d.clone() }.to_string();
        match &d.hint {
            Some(h) => format!("{base} (help: {h})"),
            None => base,
        }
    };
    project.warnings.iter().map(one_line).collect()
}

fn schema(markdown: bool) -> Outcome {
    let schema = config::reference::schema();
    let text = if markdown {
        config::reference::markdown()
    } else {
        serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
    };
    Outcome { result: schema, text, ..Outcome::default() }
}

fn completions(shell: crate::cli::Shell) -> Outcome {
    use clap::CommandFactory as _;
    use clap_complete::Shell as S;
    let mut cmd = Cli::command();
    let shell = match shell {
        crate::cli::Shell::Bash => S::Bash,
        crate::cli::Shell::Zsh => S::Zsh,
        crate::cli::Shell::Fish => S::Fish,
        crate::cli::Shell::Powershell => S::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "sfgen", &mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    Outcome { result: serde_json::json!({ "script": text }), text, ..Outcome::default() }
}

fn man() -> Result<Outcome> {
    use clap::CommandFactory as _;
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|source| Error::Write { path: "<stdout>".into(), source })?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    Ok(Outcome { result: serde_json::json!({ "roff": text }), text, ..Outcome::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_one_line_with_their_hint() {
        let cfg = config::parse_str(
            r#"{"apiVersion":"62.0","webhook":{"endpoint":"https://h.example.com","objects":[{"sobject":"Invoice__c","fields":["Name"]}]}}"#,
            std::path::Path::new("w.json"),
            None,
        )
        .expect("parses");
        let lines = warning_lines(&Project::from_config(&cfg).expect("valid"));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(!lines[0].contains('\n'), "{lines:?}");
        assert!(lines[0].starts_with("w.json:1:"), "{lines:?}");
        assert!(lines[0].ends_with("(help: add \"testRecord\" with the object's required fields)"), "{lines:?}");
    }
}
