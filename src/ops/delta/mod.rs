//! `sfgen delta --from REF [--to REF]`: what changed between two commits, as the manifests
//! sfdx-git-delta (sgd) writes (`package/package.xml`, `destructiveChanges/destructiveChanges.xml`
//! and the empty `destructiveChanges/package.xml` beside it), with the same members, found
//! through sfgen's own reader.
//!
//! How: the files that differ between the two commits' trees ([`crate::git`], in-process) are
//! taken one by one, as sgd takes the lines of `git diff --no-renames`; each is resolved into
//! its component by the Salesforce CLI's resolver ([`crate::read::resolve`]) over the few files
//! around it at the commit that holds it (its bundle, its object's folder, its `-meta.xml`), so a
//! field is `CustomField:Obj.Field`, a file of an LWC or of a folder static resource is its
//! bundle or resource, a report is `Folder/Name`. Then sgd's rules:
//!
//! - added and modified files: their component is deployed (package.xml);
//! - deleted files: their component is deleted (destructiveChanges.xml), unless it is still
//!   there at `--to` (a file removed from a bundle, a static resource folder or a decomposed
//!   permission set: the component changed); deleted record types are never deleted (the
//!   Metadata API cannot), as sgd does;
//! - files whose children are inline (custom labels, workflows, sharing rules, assignment,
//!   auto-response, escalation and matching rules) are compared element by element
//!   ([`infile`]): each added, changed or deleted child is a member; profiles and
//!   translations are listed when an element of theirs changed;
//! - a member both deployed and deleted (a rename back, a case-only rename, a file moved to
//!   another folder) is deployed only;
//! - files outside the package directories of `sfdx-project.json`, and files `.forceignore`
//!   ignores, are no metadata (sgd reads `.forceignore` only when given as `--ignore-file`).
//!
//! Beyond sgd: `result.tests` names the test classes that reach the changed Apex
//! ([`test_plan`]), printed as the validation command; a deleted flow, a deleted
//! component others still reference, and a deleted parent with its children are warned about.
//!
//! The rooms, each above the ones it uses: [`model`] (what a delta is), [`infile`] (children
//! inside one file), [`git`] (the delta of a commit range), [`deps`] (`--with-dependencies`),
//! [`test_plan`] (the tests to run); this module runs them in order. [`out`] writes the delta
//! package of `sfgen diff --delta-out`.

pub mod deps;
pub mod git;
pub(crate) mod infile;
pub mod model;
pub mod out;
pub mod test_plan;

use self::git::compute;
use self::model::{Copy, Members, Options, Patterns};
use crate::cli::{DependencyScope, DestructiveWhen};
use crate::error::{Error, Result};
use crate::git::{Repo, Snapshot};
use crate::ops::Report;
use crate::read::ignore::ForceIgnore;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn read_patterns(file: Option<&PathBuf>, extra: &[&str]) -> Result<Option<Patterns>> {
    match file {
        None if extra.is_empty() => Ok(None),
        None => Patterns::parse(Path::new("(built in)"), "", extra).map(Some),
        Some(f) => {
            let meta = std::fs::metadata(f).map_err(|e| Error::Input {
                message: format!("{}: {e}", f.display()),
                hint: Some("give an existing file of patterns (gitignore syntax)".into()),
            })?;
            if !meta.is_file() || meta.len() > crate::read::ignore::MAX_BYTES as u64 {
                return Err(Error::Input {
                    message: format!("{}: not a file of patterns (a regular file of at most 256 KiB)", f.display()),
                    hint: Some("give a file of gitignore-style patterns".into()),
                });
            }
            let text = std::fs::read_to_string(f).map_err(|e| Error::Input {
                message: format!("{}: {e}", f.display()),
                hint: Some("give a UTF-8 text file of patterns".into()),
            })?;
            Patterns::parse(f, &text, extra).map(Some)
        }
    }
}

/// The folders of `--source-dir`, relative to the repository's root (`./` is the root).
fn normalise_dirs(dirs: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for d in dirs {
        let t = d.replace('\\', "/");
        let t = t.trim_start_matches("./").trim_end_matches('/');
        if t.is_empty() || t == "." {
            out.push(String::new());
            continue;
        }
        crate::read::archive::check_relative_path(t).map_err(|why| Error::Input {
            message: format!("--source-dir {}: {why}", crate::shell::quote(d)),
            hint: Some("give a folder inside the repository, relative to its root".into()),
        })?;
        out.push(t.to_string());
    }
    Ok(out)
}

/// The project at `to`: its package directories and sourceApiVersion (none without
/// sfdx-project.json: the whole repository is the source).
fn project_at(to: &Snapshot<'_>, repo_dir: &Path) -> Result<(Vec<String>, Option<String>)> {
    match to.read("sfdx-project.json")? {
        Some(bytes) => {
            let p = crate::read::ProjectJson::parse(&repo_dir.join("sfdx-project.json"), &bytes)?;
            Ok((p.package_dirs, p.api_version))
        }
        None => Ok((vec![String::new()], None)),
    }
}

/// What `sfgen delta` compares, and what it writes.
#[derive(Debug, Clone)]
pub struct DeltaOpts {
    /// The commit compared from (a hash, branch, tag or `HEAD~N`).
    pub from: String,
    /// The commit compared to.
    pub to: String,
    /// Where `package/` and `destructiveChanges/` (and the copied source) go.
    pub output_dir: PathBuf,
    /// The git repository (its work tree, or a folder inside it).
    pub repo_dir: PathBuf,
    /// Only changes beneath these folders (empty: the whole repository).
    pub source_dir: Vec<String>,
    /// Copy the changed components' source files too (`--generate-delta`).
    pub generate_delta: bool,
    /// Files left out of the delta (gitignore syntax).
    pub ignore_file: Option<PathBuf>,
    /// Files whose deletion is left out.
    pub ignore_destructive_file: Option<PathBuf>,
    /// Files deployed whether they changed or not.
    pub include_file: Option<PathBuf>,
    /// Files deleted whether they changed or not.
    pub include_destructive_file: Option<PathBuf>,
    /// Changes of whitespace only are no changes.
    pub ignore_whitespace: bool,
    /// The API version of the manifests (none: sfdx-project.json's sourceApiVersion).
    pub api_version: Option<String>,
    /// When the printed deploy runs destructiveChanges.xml.
    pub destructive_when: DestructiveWhen,
    /// Name the test classes that reach the changed Apex (`--plan-tests`, and always with `--json`).
    pub plan_tests: bool,
    /// Also deploy what the delta's components need (`--with-dependencies`).
    pub with_dependencies: Option<DependencyScope>,
    /// The org of the printed commands (`--target-org`).
    pub target_org: Option<String>,
}

/// Writes the delta between two commits, as sfdx-git-delta does (see the module docs).
pub fn delta(opts: &DeltaOpts) -> Result<Report> {
    let version = match &opts.api_version {
        None => None,
        Some(v) => {
            let known = crate::model::API_VERSIONS;
            match v.trim_end_matches(".0").parse::<u16>() {
                Ok(m) if known.contains(&m) => Some(format!("{m}.0")),
                _ => {
                    return Err(Error::Input {
                        message: format!("--api-version {}: not an API version sfgen knows", crate::shell::quote(v)),
                        hint: Some(format!(
                            "give one from {}.0 to {}.0, e.g. --api-version 62.0",
                            known.start(),
                            known.end()
                        )),
                    })
                }
            }
        }
    };
    let options = Options {
        source_dirs: normalise_dirs(&opts.source_dir)?,
        ignore: read_patterns(opts.ignore_file.as_ref(), &[])?,
        ignore_destructive: read_patterns(opts.ignore_destructive_file.as_ref().or(opts.ignore_file.as_ref()), &[])?,
        include: read_patterns(opts.include_file.as_ref(), &[])?,
        include_destructive: read_patterns(opts.include_destructive_file.as_ref(), &[])?,
        ignore_whitespace: opts.ignore_whitespace,
        generate_delta: opts.generate_delta,
    };
    let org = crate::plan::deploy::org(opts.target_org.as_deref(), None)?;
    let repo = Repo::discover(&opts.repo_dir)?;
    let from = repo.commit("--from", &opts.from)?;
    let to = repo.commit("--to", &opts.to)?;
    let (roots, source_version) = project_at(&to, &opts.repo_dir)?;
    let forceignore = match to.read(".forceignore")? {
        Some(b) => ForceIgnore::parse(&opts.repo_dir.join(".forceignore"), Some(&b))?,
        None => ForceIgnore::defaults(),
    };
    let mut delta = compute(&repo, &from, &to, &roots, &forceignore, &options)?;
    let dependencies = match opts.with_dependencies {
        Some(scope) => {
            let (added, warnings) = deps::add(&from, &to, &roots, &forceignore, &mut delta, scope, &options)?;
            delta.warnings.extend(warnings);
            Some(added)
        }
        None => None,
    };
    let version = version
        .or_else(|| {
            source_version.and_then(|v| {
                let m = v.trim_end_matches(".0").parse::<u16>().ok()?;
                Some(format!("{m}.0"))
            })
        })
        .unwrap_or_else(|| crate::sf::api::DEFAULT_API_VERSION.to_string());
    let plan = if opts.plan_tests {
        test_plan::plan(&repo, &to, &roots, &forceignore, &delta)?
    } else {
        test_plan::unplanned(&delta)
    };

    // Every file is planned before anything is written.
    let xml = |m: &Members| {
        crate::sf::manifest::package_xml(
            m.iter().map(|(t, v)| (t.as_str(), v.iter().map(String::as_str).collect())),
            &version,
        )
    };
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (PathBuf::from("package/package.xml"), xml(&delta.package).into_bytes()),
        (PathBuf::from("destructiveChanges/destructiveChanges.xml"), xml(&delta.destructive).into_bytes()),
        (PathBuf::from("destructiveChanges/package.xml"), xml(&Members::new()).into_bytes()),
    ];
    for (path, how) in &delta.copies {
        crate::read::archive::check_relative_path(path).map_err(|why| Error::Input {
            message: format!("{}: refusing to copy {:?}: {why}", opts.repo_dir.display(), crate::ui::printable(path)),
            hint: Some("rename the file in the repository".into()),
        })?;
        let bytes = match how {
            Copy::Pruned(text) => text.clone().into_bytes(),
            Copy::Same => to.read(path)?.unwrap_or_default(),
        };
        files.push((PathBuf::from(path), bytes));
    }
    std::fs::create_dir_all(&opts.output_dir).map_err(|e| Error::Write { path: opts.output_dir.clone(), source: e })?;
    for (rel, bytes) in &files {
        let path = opts.output_dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::Write { path: parent.to_path_buf(), source: e })?;
        }
        crate::write::file(&path, bytes)?;
    }

    let count = |m: &Members| m.values().map(BTreeSet::len).sum::<usize>();
    let (deploying, deleting) = (count(&delta.package), count(&delta.destructive));
    let out = &opts.output_dir;
    let manifest = out.join("package/package.xml");
    let destructive = out.join("destructiveChanges/destructiveChanges.xml");
    let target = crate::plan::deploy::Target::Source {
        project: Path::new("."),
        select: crate::plan::deploy::SourceSelect::Manifest {
            manifest: manifest.display().to_string(),
            destructive: (deleting > 0).then(|| (opts.destructive_when, destructive.display().to_string())),
        },
    };
    let tests = crate::plan::deploy::Tests { has_apex: plan.has_apex, classes: plan.classes.clone() };
    let commands = (deploying + deleting > 0).then(|| crate::plan::deploy::commands(&target, &tests, &org));
    let mut text = format!(
        "sfgen delta {} ({}) -> {} ({}): {} changed file{} in the package directories\n",
        crate::ui::printable(&opts.from),
        &from.id()[..10.min(from.id().len())],
        crate::ui::printable(&opts.to),
        &to.id()[..10.min(to.id().len())],
        delta.lines.len(),
        if delta.lines.len() == 1 { "" } else { "s" },
    );
    text.push_str(&format!("  {}: {deploying} to deploy\n", manifest.display()));
    text.push_str(&format!(
        "  {}: {deleting} to delete ({} the deploy)\n",
        destructive.display(),
        match opts.destructive_when {
            DestructiveWhen::Pre => "before",
            DestructiveWhen::Post => "after",
        }
    ));
    if opts.generate_delta {
        text.push_str(&format!("  {} source files copied into {}\n", delta.copies.len(), out.display()));
    }
    if let Some(added) = &dependencies {
        if added.is_empty() {
            text.push_str("  with dependencies: nothing to add\n");
        } else {
            text.push_str(&format!(
                "  with dependencies: {} added to {} (what the delta needs in the org):\n",
                added.len(),
                manifest.display()
            ));
            for a in added {
                text.push_str(&format!("    {}:{}  ({})\n", a.ty, a.member, a.reason));
            }
        }
    }
    if let Some(reason) = &plan.reason {
        text.push_str(&format!("Tests: {reason}\n"));
    } else if plan.has_apex && plan.classes.is_empty() {
        text.push_str("Tests: every local test (--plan-tests names the test classes that reach the changed Apex)\n");
    }
    match &commands {
        Some(c) => {
            text.push_str("Validate, then deploy it:\n");
            for cmd in c.in_order() {
                text.push_str(&format!("  $ {cmd}\n"));
            }
        }
        None => text.push_str("Nothing to deploy.\n"),
    }
    let members = |m: &Members| -> serde_json::Value {
        m.iter().map(|(t, v)| (t.clone(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>().into()
    };
    let result = serde_json::json!({
        "from": { "ref": opts.from, "commit": from.id() },
        "to": { "ref": opts.to, "commit": to.id() },
        "outputDir": out,
        "apiVersion": version,
        "packageXml": manifest,
        "destructiveChangesXml": destructive,
        "package": members(&delta.package),
        "destructiveChanges": members(&delta.destructive),
        "changes": delta.lines.iter().map(|(k, p)| serde_json::json!({ "status": k, "path": p })).collect::<Vec<_>>(),
        "files": delta.copies.keys().collect::<Vec<_>>(),
        "tests": plan.json(),
        "dependencies": dependencies,
        "destructiveWhen": match opts.destructive_when { DestructiveWhen::Pre => "pre", DestructiveWhen::Post => "post" },
        "validateCommand": commands.as_ref().map(|c| c.validate.clone()),
        "deployCommand": commands.as_ref().map(|c| c.deploy.clone()),
        "quickDeployCommand": commands.as_ref().and_then(|c| c.quick.clone()),
        "testLevel": commands.as_ref().and_then(|c| c.test_level),
    });
    let mut warnings = delta.warnings;
    warnings.extend(plan.warnings.iter().cloned());
    Ok(Report { exit: 0, result, text: crate::shell::printable(&text), guidance: String::new(), warnings })
}
