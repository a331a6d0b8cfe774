//! `sfgen generate`: config → every artefact, written as an SFDX project or an mdapi folder.

use crate::cli::{Format, GenerateArgs};
use crate::error::Result;
use crate::output;
use crate::render;
use crate::Outcome;
use std::fmt::Write as _;

/// Runs `sfgen generate`.
pub fn run(args: &GenerateArgs) -> Result<Outcome> {
    let (_, project) = super::load_project(&args.config)?;
    let tree = render::render(&project);
    let mut warnings = super::warning_lines(&project);
    gate(&tree, args.no_check, &mut warnings)?;
    let version = project.api_version.to_string();
    let mut files = match args.format {
        Format::Mdapi => output::mdapi_files(&tree, &version),
        Format::Source => output::source_files(&tree, &version)?,
    };
    // sfdx-project.json belongs to the user once it exists.
    let keep_project_json = args.format == Format::Source && args.out.join("sfdx-project.json").exists();
    if keep_project_json {
        files.retain(|(p, _)| p != "sfdx-project.json");
    }
    let written = output::write_folder_atomic(&args.out, &files)?;

    let mut text = String::new();
    let _ = writeln!(
        text,
        "Generated {} components ({} files) in {} ({} format, API {version}{})",
        tree.len(),
        written.len(),
        args.out.display(),
        match args.format {
            Format::Source => "source",
            Format::Mdapi => "mdapi",
        },
        project.env.as_ref().map(|e| format!(", environment {e}")).unwrap_or_default(),
    );
    for (ty, members) in tree.members_by_type() {
        let _ = writeln!(text, "  {ty:<18} {}", members.join(", "));
    }
    if keep_project_json {
        let _ = writeln!(text, "  (kept the existing sfdx-project.json)");
    }
    let steps = super::next_steps::next_steps(
        &project,
        super::next_steps::Artefact::Folder { path: &args.out, format: args.format },
    );
    let result = serde_json::json!({
        "outDir": args.out,
        "format": match args.format { Format::Source => "source", Format::Mdapi => "mdapi" },
        "apiVersion": version,
        "configHash": project.config_hash,
        "environment": project.env,
        "components": tree.iter().map(|c| &c.key).collect::<Vec<_>>(),
        "files": written.iter().map(|p| p.strip_prefix(&args.out).unwrap_or(p).to_string_lossy().replace('\\', "/")).collect::<Vec<_>>(),
        "testClasses": project.test_classes(),
        "nextSteps": steps,
    });
    Ok(Outcome { exit: 0, result, text, guidance: super::next_steps::render_text(&steps), warnings })
}

/// Runs sfgen's own checks on what is about to be written: errors refuse the output (exit 1),
/// warnings are passed on. `--no-check` skips the checks altogether (they cost time on large
/// inputs, and the user asked for the artefacts as they are).
pub fn gate(tree: &crate::metadata::Tree, no_check: bool, warnings: &mut Vec<String>) -> Result<()> {
    if no_check {
        return Ok(());
    }
    let report = crate::check::check_tree(tree, &crate::check::CheckOptions::default());
    for f in report.findings.iter().filter(|f| f.severity != crate::check::Severity::Error) {
        warnings.push(format!("{} [{}] {}", f.component, f.rule, f.message));
    }
    if report.has_errors() {
        return Err(crate::error::Error::Findings(format!(
            "the generated artefacts fail sfgen's checks; nothing was written\n{}\n  help: fix the config, or pass --no-check to write them anyway",
            report.render_text().trim_end()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{Component, ComponentKey, MetadataFile, Tree};

    fn untested_trigger() -> Tree {
        let mut tree = Tree::new();
        tree.insert(Component::new(
            ComponentKey::new("ApexTrigger", "LonelyTrigger"),
            vec![
                MetadataFile::new(
                    "triggers/LonelyTrigger.trigger",
                    "trigger LonelyTrigger on Contact (after insert) {\n    System.assert(true);\n}\n",
                ),
                MetadataFile::new(
                    "triggers/LonelyTrigger.trigger-meta.xml",
                    crate::render::meta::apex_meta("ApexTrigger", &crate::model::ApiVersion { major: 62 }),
                ),
            ],
        ));
        tree
    }

    #[test]
    fn gate_refuses_artefacts_with_check_errors() {
        let mut warnings = Vec::new();
        let err = gate(&untested_trigger(), false, &mut warnings).expect_err("a trigger no test fires must be refused");
        assert_eq!(err.exit_code(), 1);
        assert!(err.to_string().contains("LonelyTrigger"), "{err}");
    }

    #[test]
    fn no_check_skips_the_checks() {
        let mut warnings = Vec::new();
        gate(&untested_trigger(), true, &mut warnings).expect("--no-check writes anyway");
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
