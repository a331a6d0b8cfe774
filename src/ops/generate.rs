//! `sfgen generate`: config → every artefact, written as an SFDX project or an mdapi folder.

use super::ConfigOpts;
use crate::cli::Format;
use crate::error::{Error, Result};
use crate::metadata::Tree;
use crate::ops::Report;
use crate::plan::deploy::{SourceSelect, Target, Tests};
use crate::render;
use crate::write::PlannedFile;
use std::fmt::Write as _;
use std::path::Path;

use crate::sf::paths::SOURCE_ROOT;

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

/// Whether `bytes` is an sfdx-project.json as [`sfdx_project_json`] writes it (for any API
/// version): its name is `sfgen`, and it says nothing else.
fn is_sfgens_own_project_json(bytes: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else { return false };
    let Some(version) = v.get("sourceApiVersion").and_then(serde_json::Value::as_str) else { return false };
    v == serde_json::from_str::<serde_json::Value>(&sfdx_project_json(version)).unwrap_or_default()
}

/// What `sfgen generate` renders, and where.
#[derive(Debug, Clone)]
pub struct GenerateOpts {
    /// The config rendered.
    pub config: ConfigOpts,
    /// The layout written.
    pub format: Format,
    /// The folder written.
    pub out: std::path::PathBuf,
    /// Skip the offline deployability gate (`--no-check`).
    pub no_check: bool,
    /// The org of the printed commands (`--target-org`).
    pub target_org: Option<String>,
}

/// Renders every artefact of the config into `opts.out`.
pub fn generate(opts: &GenerateOpts) -> Result<Report> {
    let (_, project) = crate::plan::load::load_project(&opts.config)?;
    let org = crate::plan::deploy::org(opts.target_org.as_deref(), project.integration.sandbox)?;
    let tree = render::render(&project);
    let mut warnings = crate::plan::load::warning_lines(&project);
    gate(&tree, opts.no_check, &mut warnings)?;
    let version = project.api_version.to_string();
    // In an existing SFDX project, the source goes into its default package directory, and
    // sfdx-project.json stays the user's.
    let existing = match opts.format {
        Format::Source => existing_project(&opts.out, &mut warnings)?,
        Format::Mdapi => None,
    };
    let mut files = match opts.format {
        Format::Mdapi => mdapi_files(&tree, &version),
        Format::Source => source_files(&tree, &version)?,
    };
    if let Some(p) = &existing {
        // Written back as it is (it is the user's), so that replacing a folder sfgen owns keeps it.
        for (path, bytes) in &mut files {
            if path == "sfdx-project.json" {
                bytes.clone_from(&p.bytes);
            }
        }
        if p.package_dir != "force-app" {
            let from = format!("{SOURCE_ROOT}/");
            for (path, _) in &mut files {
                if let Some(rest) = path.strip_prefix(&from) {
                    *path = format!("{}/main/default/{rest}", p.package_dir);
                }
            }
        }
        if let Some(v) = p.source_api_version.as_deref().filter(|v| *v != version) {
            warnings.push(format!(
                "{}: sourceApiVersion is {v}, but the generated files are for API {version} ({}) (help: pass --api-version {v} to match the project, or raise its sourceApiVersion)",
                opts.out.join("sfdx-project.json").display(),
                if opts.config.api_version.is_some() { "--api-version" } else { "the config's apiVersion" },
            ));
        }
    }
    let wrote = crate::write::folder(&opts.out, &files)?;
    warnings.extend(wrote.warnings.iter().cloned());
    let written: Vec<std::path::PathBuf> = files
        .iter()
        .filter(|(rel, _)| !(existing.is_some() && rel == "sfdx-project.json"))
        .map(|(rel, _)| opts.out.join(rel))
        .collect();

    let mut text = String::new();
    let _ = writeln!(
        text,
        "Generated {} components ({} files) in {} ({} format, API {version}{})",
        tree.len(),
        written.len(),
        opts.out.display(),
        match opts.format {
            Format::Source => "source",
            Format::Mdapi => "mdapi",
        },
        project.env.as_ref().map(|e| format!(", environment {e}")).unwrap_or_default(),
    );
    let by_type = tree.members_by_type();
    let width = by_type.keys().map(|t| t.len()).max().unwrap_or(0).max(18);
    for (ty, members) in by_type {
        let _ = writeln!(text, "  {ty:<width$} {}", members.join(", "));
    }
    if !wrote.removed.is_empty() {
        let _ = writeln!(
            text,
            "Removed {} file{} sfgen wrote there before and generates no more:",
            wrote.removed.len(),
            if wrote.removed.len() == 1 { "" } else { "s" }
        );
        for rel in &wrote.removed {
            let _ = writeln!(text, "  {}", opts.out.join(rel).display());
        }
    }
    if let Some(p) = &existing {
        let _ = writeln!(
            text,
            "  (into the existing project's package directory {}; its sfdx-project.json is kept)",
            p.package_dir
        );
    }
    let select = match &existing {
        // Exactly the generated components, in a project that holds others.
        Some(_) => {
            SourceSelect::Components(tree.iter().map(|c| format!("{}:{}", c.key.type_name, c.key.full_name)).collect())
        }
        None => SourceSelect::Dir("force-app".into()),
    };
    let target = match opts.format {
        Format::Source => Target::Source { project: &opts.out, select },
        Format::Mdapi => Target::MetadataDir(&opts.out),
    };
    let tests = Tests { has_apex: project.webhook.is_some(), classes: project.test_classes() };
    let deploy = crate::plan::deploy::commands(&target, &tests, &org);
    let steps = crate::plan::next_steps::next_steps(&project, &deploy, &org, opts.config.api_version.as_deref());
    let result = serde_json::json!({
        "outDir": opts.out,
        "format": match opts.format { Format::Source => "source", Format::Mdapi => "mdapi" },
        "apiVersion": version,
        "configHash": project.config_hash,
        "environment": project.env,
        "packageDirectory": existing.as_ref().map(|p| p.package_dir.clone()),
        "components": tree.iter().map(|c| &c.key).collect::<Vec<_>>(),
        "files": written.iter().map(|p| p.strip_prefix(&opts.out).unwrap_or(p).to_string_lossy().replace('\\', "/")).collect::<Vec<_>>(),
        "removed": wrote.removed,
        "testClasses": project.test_classes(),
        "validateCommand": deploy.validate,
        "deployCommand": deploy.deploy,
        "quickDeployCommand": deploy.quick,
        "nextSteps": steps,
    });
    Ok(Report { exit: 0, result, text, guidance: crate::plan::next_steps::render_text(&steps), warnings })
}

/// What sfgen needs of an SFDX project it generates into.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExistingProject {
    /// The default package directory (`"default": true`, else the first), relative.
    package_dir: String,
    /// Its `sourceApiVersion`.
    source_api_version: Option<String>,
    /// The file as it is.
    bytes: Vec<u8>,
}

/// Reads `out/sfdx-project.json` when there is one (not through a link, at most 1 MiB). One
/// that does not name a package directory (which `sf` would refuse too) leaves the source in
/// `force-app`, with a warning.
fn existing_project(out: &Path, warnings: &mut Vec<String>) -> Result<Option<ExistingProject>> {
    let path = out.join("sfdx-project.json");
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(_) => return Ok(None),
    };
    let shown = crate::printable::text(&path.display().to_string());
    if !meta.is_file() {
        return Err(Error::Input {
            message: format!("{shown}: not a regular file"),
            hint: Some("replace it with the project's sfdx-project.json, or choose another --out".into()),
        });
    }
    let bytes =
        crate::read::archive::read_file_capped(&path, 1024 * 1024, false, "an sfdx-project.json is a small JSON file")?;
    // The one sfgen wrote on an earlier run is sfgen's, not the user's: generating again gives
    // the same output (whatever API version that run had).
    if is_sfgens_own_project_json(&bytes) {
        return Ok(None);
    }
    // The same reading `package --include` does; a file sf would refuse leaves the source in
    // force-app, with a warning.
    match crate::read::ProjectJson::parse_kind(&path, &bytes) {
        Ok(p) => match p.package_dirs.first() {
            Some(dir) => {
                Ok(Some(ExistingProject { package_dir: dir.clone(), source_api_version: p.api_version, bytes }))
            }
            None => {
                warnings.push(format!(
                    "{shown}: no packageDirectories; the source goes into force-app (help: fix sfdx-project.json: sf reads it too)"
                ));
                Ok(Some(ExistingProject { package_dir: "force-app".into(), source_api_version: None, bytes }))
            }
        },
        Err(crate::read::ProjectJsonError::UnsafePath(e)) => Err(e),
        Err(crate::read::ProjectJsonError::Unusable(e)) => {
            warnings.push(format!(
                "{}; the source goes into force-app (help: fix sfdx-project.json: sf reads it too)",
                crate::printable::text(&e.message())
            ));
            Ok(Some(ExistingProject { package_dir: "force-app".into(), source_api_version: None, bytes }))
        }
    }
}

/// Runs sfgen's own checks on what is about to be written: errors refuse the output (exit 1),
/// warnings are passed on. `--no-check` skips the checks altogether (they cost time on large
/// inputs, and the user asked for the artefacts as they are).
pub fn gate(tree: &crate::metadata::Tree, no_check: bool, warnings: &mut Vec<String>) -> Result<()> {
    if no_check {
        return Ok(());
    }
    // Only generated components reach here; their names were checked with the config.
    let opts = crate::check::CheckOptions {
        generated: tree.iter().map(|c| c.key.clone()).collect(),
        ..crate::check::CheckOptions::default()
    };
    let report = crate::check::check_tree(tree, &opts);
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
                    crate::sf::apex::apex_meta("ApexTrigger", &crate::model::ApiVersion { major: 62 }),
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
