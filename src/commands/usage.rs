//! A command line clap refuses (or `--help`, `--version`): clap's own text, or with `--json`
//! one envelope; the Salesforce CLI's verbs typed at sfgen point to what sfgen does instead.

use std::process::ExitCode;

/// Whether the raw arguments ask for JSON (`--json`, or `--format json` as `diff` takes it),
/// looked for before parsing so that a command line clap refuses still gets an envelope.
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    let args: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).take_while(|a| *a != "--").collect();
    args.iter()
        .enumerate()
        .any(|(i, a)| *a == "--json" || *a == "--format=json" || (*a == "--format" && args.get(i + 1) == Some(&"json")))
}

/// `sfgen SUBCOMMAND --help` for the subcommand the arguments name (`sfgen --help` without one).
fn help_command(args: &[std::ffi::OsString], cli: fn() -> clap::Command) -> String {
    let cmd = cli();
    let sub =
        args.iter().skip(1).filter_map(|a| a.to_str()).find(|a| cmd.get_subcommands().any(|s| s.get_name() == *a));
    match sub {
        Some(s) => format!("sfgen {s} --help"),
        None => "sfgen --help".to_string(),
    }
}

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

/// Prints what clap had to say about the command line (an error, `--help`, `--version`): its
/// own text, or with `--json` one envelope; returns the exit code (2 for an error).
pub(super) fn usage_error(e: &clap::Error, args: &[std::ffi::OsString], cli: fn() -> clap::Command) -> ExitCode {
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
                    actions.push(format!("run `{}` for the flags and examples", help_command(args, cli)));
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
