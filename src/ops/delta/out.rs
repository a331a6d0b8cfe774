//! `sfgen diff --delta-out`: the delta package, in the layout a pipeline reads, and the
//! commands that validate and deploy it.
//!
//! Two layouts (`--layout`):
//!
//! - `mdapi` (default): one Metadata API folder, or a zip when the path ends in `.zip`:
//!   `package.xml`, the added and changed components, and with `--prune` the removed ones in
//!   `destructiveChanges.xml` (deleted before the deploy, as the Metadata API does with that
//!   file), or `destructiveChangesPre.xml` / `destructiveChangesPost.xml` with
//!   `--destructive-when pre|post`. Deployed with `--metadata-dir`.
//! - `sgd`: as sfdx-git-delta writes it (`sf sgd source delta --generate-delta`):
//!   `package/package.xml`, `destructiveChanges/destructiveChanges.xml` with an empty
//!   `destructiveChanges/package.xml` beside it (both always written, empty when there is
//!   nothing to delete), and the components in source format under `force-app/` with an
//!   `sfdx-project.json`, so the folder deploys on its own. Deployed from inside it with
//!   `--manifest package/package.xml` and `--pre-destructive-changes` or
//!   `--post-destructive-changes destructiveChanges/destructiveChanges.xml` (sgd's README
//!   uses post), which is what pipelines built around sgd already run and grep.
//!
//! The writing itself (all or nothing, into a new folder or an earlier delta) is
//! [`write_delta`]'s.

use crate::cli::{DeltaLayout, DestructiveWhen};
use crate::diff::DiffReport;
use crate::error::{Error, Result};
use crate::metadata::Tree;
use crate::ops::ConfigOpts;
use crate::plan::deploy::{self, SourceSelect, Target};
use crate::plan::desired::Desired;
use crate::sf::manifest;

/// What was written, for the report.
#[derive(Debug)]
pub struct Written {
    /// The lines for the text report.
    pub note: String,
    /// `result.delta` of the JSON envelope.
    pub json: serde_json::Value,
}

/// What `sfgen diff --delta-out` asks of the delta package.
#[derive(Debug, Clone, Copy)]
pub struct OutOpts<'a> {
    /// Where it goes (none: no delta).
    pub delta_out: Option<&'a std::path::Path>,
    /// The config (its `--api-version`).
    pub config: &'a ConfigOpts,
    /// Its layout.
    pub layout: DeltaLayout,
    /// When the deletions run.
    pub destructive_when: Option<DestructiveWhen>,
    /// Whether the removed components are deleted.
    pub prune: bool,
    /// The org of the printed commands.
    pub target_org: Option<&'a str>,
}

/// Writes the delta `opts` asks for (nothing without `--delta-out`).
pub fn write(opts: &OutOpts<'_>, report: &DiffReport, desired: &Desired) -> Result<Option<Written>> {
    let Some(out) = opts.delta_out else { return Ok(None) };
    let version = crate::plan::load::api_version(opts.config)?.unwrap_or_else(|| desired.api_version.clone());
    let is_zip = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if is_zip && opts.layout == DeltaLayout::Sgd {
        return Err(Error::Input {
            message: format!(
                "--delta-out {}: the sgd layout is a folder",
                crate::shell::printable(&out.display().to_string())
            ),
            hint: Some("give a folder with --layout sgd, or drop --layout sgd for a zip".into()),
        });
    }
    // Only what the delta deploys is read again (the diff held one chunk at a time).
    let delta = crate::diff::delta_components(report, |key| desired.load(key))?;
    let removed = report.removed_by_type();
    let removed_count: usize = removed.values().map(Vec::len).sum();
    let files = match opts.layout {
        DeltaLayout::Mdapi => delta_files(report, &delta, &version, opts.prune, opts.destructive_when),
        DeltaLayout::Sgd => sgd_files(&delta, &removed, &version)?,
    };
    write_delta(out, &files)?;

    let deleting = opts.prune && removed_count > 0;
    let when = opts.destructive_when.unwrap_or(DestructiveWhen::Pre);
    let destructive_file = match (opts.layout, opts.destructive_when) {
        (DeltaLayout::Sgd, _) => "destructiveChanges/destructiveChanges.xml",
        (DeltaLayout::Mdapi, None) => "destructiveChanges.xml",
        (DeltaLayout::Mdapi, Some(DestructiveWhen::Pre)) => "destructiveChangesPre.xml",
        (DeltaLayout::Mdapi, Some(DestructiveWhen::Post)) => "destructiveChangesPost.xml",
    };
    let target = match (opts.layout, is_zip) {
        (DeltaLayout::Sgd, _) => Target::Source {
            project: out,
            select: SourceSelect::Manifest {
                manifest: "package/package.xml".into(),
                destructive: deleting.then(|| (when, destructive_file.to_string())),
            },
        },
        (DeltaLayout::Mdapi, true) => Target::Zip(out),
        (DeltaLayout::Mdapi, false) => Target::MetadataDir(out),
    };
    let mut tests = crate::ops::package::test_plan(desired, &Default::default()).tests;
    let deploys_apex = is_apex(delta.iter().map(|c| c.key.type_name.as_str()));
    let deletes_apex = deleting && is_apex(removed.keys().map(String::as_str));
    tests.has_apex = deploys_apex || deletes_apex;
    if !deploys_apex {
        // Deleted classes have no coverage to name tests for: run the local tests.
        tests.classes.clear();
    }
    let org = crate::plan::deploy::org(opts.target_org, desired.project.as_ref().and_then(|p| p.integration.sandbox))?;
    let nothing = delta.is_empty() && !deleting;
    let commands = (!nothing).then(|| deploy::commands(&target, &tests, &org));

    let mut note = format!(
        "Delta package written to {} ({} layout{}: {} components to deploy{})\n",
        out.display(),
        match opts.layout {
            DeltaLayout::Mdapi => "mdapi",
            DeltaLayout::Sgd => "sgd",
        },
        if is_zip { ", zip" } else { "" },
        report.summary.added + report.summary.changed,
        if opts.prune { format!(", {removed_count} to delete in {destructive_file}") } else { String::new() },
    );
    match &commands {
        Some(c) => {
            note.push_str("Validate, then deploy it:\n");
            for cmd in c.in_order() {
                note.push_str(&format!("  $ {cmd}\n"));
            }
        }
        None => note.push_str("Nothing to deploy.\n"),
    }
    let json = serde_json::json!({
        "path": out,
        "layout": match opts.layout { DeltaLayout::Mdapi => "mdapi", DeltaLayout::Sgd => "sgd" },
        "zip": is_zip,
        "packageXml": match opts.layout { DeltaLayout::Mdapi => "package.xml", DeltaLayout::Sgd => "package/package.xml" },
        "components": delta.len(),
        "destructive": opts.prune.then(|| serde_json::json!({
            "file": destructive_file,
            "when": match opts.destructive_when { Some(DestructiveWhen::Post) => "post", _ => "pre" },
            "components": removed_count,
        })),
        "validateCommand": commands.as_ref().map(|c| c.validate.clone()),
        "deployCommand": commands.as_ref().map(|c| c.deploy.clone()),
        "quickDeployCommand": commands.as_ref().and_then(|c| c.quick.clone()),
        "testLevel": commands.as_ref().and_then(|c| c.test_level),
        "tests": commands.as_ref().map(|c| c.tests.clone()).unwrap_or_default(),
    });
    Ok(Some(Written { note: crate::shell::printable(&note), json }))
}

fn is_apex<'a>(mut types: impl Iterator<Item = &'a str>) -> bool {
    types.any(|t| t == "ApexClass" || t == "ApexTrigger")
}

/// The files of the mdapi delta (sorted): the added and changed components (`delta`), their
/// `package.xml`, and with `prune` the removed ones in `destructiveChanges.xml` (or the Pre/Post
/// file `when` names).
pub fn delta_files(
    report: &DiffReport,
    delta: &Tree,
    version: &str,
    prune: bool,
    when: Option<DestructiveWhen>,
) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> =
        delta.files().into_iter().map(|f| (f.path.clone(), f.bytes.clone())).collect();
    files.push(("package.xml".into(), manifest::tree_package_xml(delta, version).into_bytes()));
    if prune {
        let name = match when {
            None => "destructiveChanges.xml",
            Some(DestructiveWhen::Pre) => "destructiveChangesPre.xml",
            Some(DestructiveWhen::Post) => "destructiveChangesPost.xml",
        };
        files.push((name.into(), destructive_xml(&report.removed_by_type(), version).into_bytes()));
    }
    files.sort();
    files
}

fn destructive_xml(removed: &std::collections::BTreeMap<String, Vec<String>>, version: &str) -> String {
    manifest::package_xml(removed.iter().map(|(t, m)| (t.as_str(), m.iter().map(String::as_str).collect())), version)
}

/// The files of the sgd delta (sorted).
fn sgd_files(
    delta: &Tree,
    removed: &std::collections::BTreeMap<String, Vec<String>>,
    version: &str,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = crate::ops::generate::source_files(delta, version)?;
    files.push(("package/package.xml".into(), manifest::tree_package_xml(delta, version).into_bytes()));
    files.push(("destructiveChanges/destructiveChanges.xml".into(), destructive_xml(removed, version).into_bytes()));
    files.push((
        "destructiveChanges/package.xml".into(),
        manifest::package_xml(std::iter::empty::<(&str, Vec<&str>)>(), version).into_bytes(),
    ));
    files.sort();
    Ok(files)
}

/// Writes the delta as a zip (`PATH` ends in `.zip`) or a folder, all or nothing. An existing
/// folder is replaced only when sfgen wrote everything in it (an earlier delta); a folder
/// holding anything else (a project, the retrieve itself) is refused, never wiped.
fn write_delta(out: &std::path::Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let is_zip = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if is_zip {
        let bytes = crate::write::zip::zip_bytes(files)?;
        return crate::write::file(out, &bytes);
    }
    crate::write::owned_folder(out, files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{ComponentDiff, Status, Summary};
    use crate::metadata::{Component, ComponentKey, MetadataFile};

    fn case() -> (DiffReport, Tree) {
        let mut desired = Tree::new();
        for n in ["A", "B"] {
            desired.insert(Component::new(
                ComponentKey::new("ApexClass", n),
                vec![
                    MetadataFile::new(format!("classes/{n}.cls"), b"public class A {}".to_vec()),
                    MetadataFile::new(
                        format!("classes/{n}.cls-meta.xml"),
                        crate::sf::apex::apex_meta("ApexClass", &crate::model::ApiVersion { major: 62 }),
                    ),
                ],
            ));
        }
        let report = DiffReport {
            components: vec![
                ComponentDiff { key: ComponentKey::new("ApexClass", "A"), status: Status::Added, diff: None },
                ComponentDiff { key: ComponentKey::new("ApexClass", "B"), status: Status::Changed, diff: None },
                ComponentDiff { key: ComponentKey::new("ApexClass", "Old"), status: Status::Removed, diff: None },
            ],
            summary: Summary { added: 1, changed: 1, unchanged: 0, removed: 1 },
        };
        (report, desired)
    }

    #[test]
    fn delta_lists_added_and_changed_and_destructive_on_prune() {
        let (r, desired) = case();
        let files = delta_files(&r, &r.delta_tree(&desired), "62.0", true, None);
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "classes/A.cls",
                "classes/A.cls-meta.xml",
                "classes/B.cls",
                "classes/B.cls-meta.xml",
                "destructiveChanges.xml",
                "package.xml"
            ]
        );
        let destructive = String::from_utf8_lossy(&files[4].1).into_owned();
        assert!(destructive.contains("<members>Old</members>"), "{destructive}");
        assert!(!delta_files(&r, &r.delta_tree(&desired), "62.0", false, None)
            .iter()
            .any(|(p, _)| p.starts_with("destructive")));
    }

    #[test]
    fn destructive_when_names_the_pre_or_post_file() {
        let (r, desired) = case();
        let delta = r.delta_tree(&desired);
        let names = |w| delta_files(&r, &delta, "62.0", true, w).into_iter().map(|(p, _)| p).collect::<Vec<_>>();
        assert!(names(Some(DestructiveWhen::Post)).contains(&"destructiveChangesPost.xml".to_string()));
        assert!(names(Some(DestructiveWhen::Pre)).contains(&"destructiveChangesPre.xml".to_string()));
        assert!(!names(Some(DestructiveWhen::Post)).contains(&"destructiveChanges.xml".to_string()));
    }

    #[test]
    fn sgd_layout_is_what_sfdx_git_delta_writes() {
        let (r, desired) = case();
        let delta = r.delta_tree(&desired);
        let files = sgd_files(&delta, &r.removed_by_type(), "62.0").expect("files");
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "destructiveChanges/destructiveChanges.xml",
                "destructiveChanges/package.xml",
                "force-app/main/default/classes/A.cls",
                "force-app/main/default/classes/A.cls-meta.xml",
                "force-app/main/default/classes/B.cls",
                "force-app/main/default/classes/B.cls-meta.xml",
                "package/package.xml",
                "sfdx-project.json",
            ]
        );
        let text = |p: &str| String::from_utf8_lossy(&files.iter().find(|(n, _)| n == p).expect(p).1).into_owned();
        assert!(text("package/package.xml").contains("<members>A</members>"));
        assert!(text("package/package.xml").contains("<members>B</members>"));
        assert!(text("destructiveChanges/destructiveChanges.xml").contains("<members>Old</members>"));
        assert!(!text("destructiveChanges/package.xml").contains("<types>"));
    }
}
