//! `sfgen generate`: config → every artefact, written as an SFDX project or an mdapi folder.

use crate::cli::{Format, GenerateArgs};
use crate::error::Result;
use crate::metadata::Tree;
use crate::render;
use crate::write::PlannedFile;
use crate::Outcome;
use std::fmt::Write as _;

/// Folder of generated source under an SFDX project.
pub const SOURCE_ROOT: &str = "force-app/main/default";

/// The files of `tree` in mdapi layout, with `package.xml`.
pub fn mdapi_files(tree: &Tree, version: &str) -> Vec<PlannedFile> {
    let mut files: Vec<PlannedFile> = tree.files().into_iter().map(|f| (f.path.clone(), f.bytes.clone())).collect();
    files.push(("package.xml".into(), crate::sf::manifest::tree_package_xml(tree, version).into_bytes()));
    files.sort();
    files
}

/// The files of `tree` in source layout, with `sfdx-project.json` (which the caller writes
/// only if absent).
pub fn source_files(tree: &Tree, version: &str) -> Result<Vec<PlannedFile>> {
    let mut files: Vec<PlannedFile> = crate::convert::mdapi_to_source(tree)?
        .into_iter()
        .map(|f| (format!("{SOURCE_ROOT}/{}", f.path), f.bytes))
        .collect();
    files.push(("sfdx-project.json".into(), sfdx_project_json(version).into_bytes()));
    files.sort();
    Ok(files)
}

/// A minimal `sfdx-project.json`.
pub fn sfdx_project_json(version: &str) -> String {
    let v = serde_json::json!({
        "packageDirectories": [{ "path": "force-app", "default": true }],
        "name": "sfgen",
        "namespace": "",
        "sourceApiVersion": version,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// Runs `sfgen generate`.
pub fn run(args: &GenerateArgs) -> Result<Outcome> {
    let (_, project) = super::load_project(&args.config)?;
    let tree = render::render(&project);
    let mut warnings = super::warning_lines(&project);
    gate(&tree, args.no_check, &mut warnings)?;
    let version = project.api_version.to_string();
    let mut files = match args.format {
        Format::Mdapi => mdapi_files(&tree, &version),
        Format::Source => source_files(&tree, &version)?,
    };
    // sfdx-project.json belongs to the user once it exists: it is written back as it is.
    let project_json = args.out.join("sfdx-project.json");
    let keep_project_json = args.format == Format::Source && std::fs::symlink_metadata(&project_json).is_ok();
    if keep_project_json {
        let existing = crate::read::archive::read_file_capped(
            &project_json,
            1 << 20,
            false,
            "sfdx-project.json is a small JSON file",
        )?;
        for (p, bytes) in &mut files {
            if p == "sfdx-project.json" {
                *bytes = existing.clone();
            }
        }
    }
    crate::write::folder(&args.out, &files)?;
    let written: Vec<std::path::PathBuf> = files
        .iter()
        .filter(|(rel, _)| !(keep_project_json && rel == "sfdx-project.json"))
        .map(|(rel, _)| args.out.join(rel))
        .collect();

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
