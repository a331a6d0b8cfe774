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
//!   ([`super::delta_infile`]): each added, changed or deleted child is a member; profiles and
//!   translations are listed when an element of theirs changed;
//! - a member both deployed and deleted (a rename back, a case-only rename, a file moved to
//!   another folder) is deployed only;
//! - files outside the package directories of `sfdx-project.json`, and files `.forceignore`
//!   ignores, are no metadata (sgd reads `.forceignore` only when given as `--ignore-file`).
//!
//! Beyond sgd: `result.tests` names the test classes that reach the changed Apex
//! ([`super::delta_tests`]), printed as the validation command; a deleted flow, a deleted
//! component others still reference, and a deleted parent with its children are warned about.

use super::delta_infile;
use crate::cli::{DeltaArgs, DestructiveWhen};
use crate::error::{Error, Result};
use crate::git::{Change, ChangeKind, Repo, Snapshot};
use crate::read::archive::Limits;
use crate::read::ignore::ForceIgnore;
use crate::read::resolve::{Resolver, SourceComponent};
use crate::read::vfs::Vfs;
use crate::sf::registry::{registry, Adapter, MdType};
use crate::Outcome;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Members by type.
pub type Members = BTreeMap<String, BTreeSet<String>>;

/// Where a file of `--generate-delta` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Copy {
    /// The file as it is at `--to`.
    Same,
    /// A file pruned to what changed (inline children).
    Pruned(String),
}

/// What the delta holds.
#[derive(Debug, Default)]
pub struct Delta {
    /// What to deploy.
    pub package: Members,
    /// What to delete.
    pub destructive: Members,
    /// The files `--generate-delta` writes (paths from the repository's root).
    pub copies: BTreeMap<String, Copy>,
    /// The changed files considered (after the package directories, .forceignore and the
    /// ignore files): `A`/`M`/`D` and the path.
    pub lines: Vec<(ChangeKind, String)>,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// What decides a delta, besides the two commits.
#[derive(Debug, Default)]
pub struct Options {
    /// Folders to look in (from the repository's root; empty: everywhere).
    pub source_dirs: Vec<String>,
    /// Patterns of files left out (gitignore syntax), for additions and changes.
    pub ignore: Option<Patterns>,
    /// Patterns of files whose deletion is left out.
    pub ignore_destructive: Option<Patterns>,
    /// Patterns of files deployed whatever changed.
    pub include: Option<Patterns>,
    /// Patterns of files deleted whatever changed.
    pub include_destructive: Option<Patterns>,
    /// Whitespace-only changes are no changes.
    pub ignore_whitespace: bool,
    /// Whether the source files are wanted (`--generate-delta`).
    pub generate_delta: bool,
}

/// A set of gitignore-style patterns (sgd reads its ignore and include files with node-ignore).
#[derive(Debug)]
pub struct Patterns(::ignore::gitignore::Gitignore);

impl Patterns {
    /// Patterns from the text of a file (`file` names it in messages).
    pub fn parse(file: &Path, text: &str, extra: &[&str]) -> Result<Self> {
        let mut b = ::ignore::gitignore::GitignoreBuilder::new("");
        for (i, line) in text.lines().chain(extra.iter().copied()).enumerate() {
            b.add_line(None, line).map_err(|_| Error::Input {
                message: format!("{}:{}: not a valid pattern", file.display(), i + 1),
                hint: Some("fix the pattern (gitignore syntax: * ** ? [abc] !negation)".into()),
            })?;
        }
        let g = b.build().map_err(|e| Error::Input {
            message: format!("{}: the patterns cannot be compiled: {e}", file.display()),
            hint: Some("fix the patterns (gitignore syntax)".into()),
        })?;
        Ok(Self(g))
    }

    /// Whether `path` (from the repository's root) matches, itself or through a parent folder.
    pub fn matches(&self, path: &str) -> bool {
        self.0.matched_path_or_any_parents(path, false).is_ignore()
    }
}

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

/// The package directory `path` is in.
fn root_of<'a>(path: &str, roots: &'a [String]) -> Option<&'a str> {
    roots
        .iter()
        .filter(|r| r.is_empty() || path.starts_with(&format!("{r}/")))
        .max_by_key(|r| r.len())
        .map(String::as_str)
}

/// The files around `path` at one commit that decide its component: beneath its type folder
/// (the first folder of the path named like a metadata type's, `classes`, `lwc`, `objects`...),
/// every entry named like the component (`A.cls` and `A.cls-meta.xml`; the bundle folder; the
/// object's folder and its `.object-meta.xml`); for a file in no type folder, its siblings of
/// the same name.
fn neighbourhood(snap: &Snapshot<'_>, path: &str, root: &str, seen: &mut BTreeSet<String>) -> Result<Vec<String>> {
    let rel = if root.is_empty() { path } else { &path[root.len() + 1..] };
    let segs: Vec<&str> = rel.split('/').collect();
    let reg = registry();
    let pos = segs[..segs.len() - 1].iter().position(|s| reg.types_in_directory(s).next().is_some());
    let (dir, stem_of) = match pos {
        Some(i) => {
            let dir = segs[..=i].join("/");
            let dir = if root.is_empty() { dir } else { format!("{root}/{dir}") };
            (dir, segs[i + 1])
        }
        None => (crate::sf::paths::dirname(path).to_string(), segs[segs.len() - 1]),
    };
    let stem = stem_of.split('.').next().unwrap_or(stem_of);
    if !seen.insert(format!("{dir}\0{stem}")) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (name, is_dir) in snap.named_like(&dir, stem)? {
        let p = if dir.is_empty() { name } else { format!("{dir}/{name}") };
        if is_dir {
            out.extend(snap.files_under(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}

/// One side of the comparison: the files around the changed ones at one commit, resolved.
struct Side<'s, 'r> {
    snap: &'s Snapshot<'r>,
    vfs: Vfs,
}

impl<'s, 'r> Side<'s, 'r> {
    fn new(snap: &'s Snapshot<'r>, paths: &[&str], roots: &[String], forceignore: &ForceIgnore) -> Result<Self> {
        let mut seen = BTreeSet::new();
        let mut files: BTreeSet<String> = BTreeSet::new();
        for p in paths {
            let Some(root) = root_of(p, roots) else { continue };
            files.extend(neighbourhood(snap, p, root, &mut seen)?);
        }
        let mut listed = Vec::with_capacity(files.len());
        for f in files {
            if forceignore.denies(&f, false) {
                continue;
            }
            // Only a plain .xml file is ever read while resolving (is it a package.xml?).
            let bytes = if f.ends_with(".xml") && !f.ends_with("-meta.xml") {
                snap.read(&f)?.unwrap_or_default()
            } else {
                Vec::new()
            };
            listed.push((f, bytes));
        }
        let vfs = Vfs::memory(Path::new(&format!("git:{}", snap.id())), listed, &Limits::default());
        Ok(Self { snap, vfs })
    }

    /// The component of the file `path` at this side's commit.
    fn component(&self, path: &str, forceignore: &ForceIgnore) -> Option<SourceComponent> {
        if !self.vfs.is_file(path) {
            return None;
        }
        let mut r = Resolver::new(&self.vfs, forceignore);
        let found = r.components_from_path(path).into_iter().next();
        found.or_else(|| decomposed_permission_set(path))
    }
}

/// A file of a permission set in the decomposed layout (`permissionsets/X/...`, which the
/// default registry does not resolve): sgd deploys the permission set `X` whole.
fn decomposed_permission_set(path: &str) -> Option<SourceComponent> {
    let segs: Vec<&str> = path.split('/').collect();
    let i = segs.iter().position(|s| *s == "permissionsets")?;
    if segs.len() < i + 3 {
        return None;
    }
    let ty = registry().by_name("PermissionSet")?;
    let folder = segs[..=i + 1].join("/");
    Some(SourceComponent {
        ty,
        name: segs[i + 1].to_string(),
        xml: None,
        content: Some(folder),
        parent: None,
        parent_type: None,
    })
}

fn add(m: &mut Members, ty: &str, member: String) {
    m.entry(ty.to_string()).or_default().insert(member);
}

/// The path that says whether a component is still there at a commit: a decomposed
/// component's metadata file (its folder may hold children still), else its content (a bundle
/// or resource folder, a class body), else its metadata file.
fn presence_path(c: &SourceComponent) -> Option<&str> {
    if matches!(c.ty.adapter, Adapter::Decomposed | Adapter::PartiallyDecomposed) {
        return c.xml.as_deref().or(c.content.as_deref());
    }
    c.content.as_deref().or(c.xml.as_deref())
}

/// Whether the field file is a master-detail relationship (sgd then deploys its object too).
fn is_master_detail(bytes: &[u8]) -> bool {
    bytes.windows(25).any(|w| w == b"<type>MasterDetail</type>")
}

fn strip_ws(b: &[u8]) -> Vec<u8> {
    b.iter().copied().filter(|c| !c.is_ascii_whitespace()).collect()
}

/// The delta between `from` and `to` (see the module docs). `roots` are the package
/// directories; `forceignore` the rules of `.forceignore` at `to`.
pub fn compute(
    repo: &Repo,
    from: &Snapshot<'_>,
    to: &Snapshot<'_>,
    roots: &[String],
    forceignore: &ForceIgnore,
    opts: &Options,
) -> Result<Delta> {
    let mut delta = Delta::default();
    let walk: Vec<String> =
        if opts.source_dirs.iter().any(String::is_empty) { Vec::new() } else { opts.source_dirs.clone() };
    let mut changes = repo.changes(from, to, &walk)?;
    // --include-file / --include-destructive-file: files of `to` deployed or deleted whatever
    // changed (sgd's IncludeProcessor).
    let mut forced_delete: BTreeSet<String> = BTreeSet::new();
    if opts.include.is_some() || opts.include_destructive.is_some() {
        let mut all = Vec::new();
        for r in if walk.is_empty() { vec![String::new()] } else { walk.clone() } {
            all.extend(to.files_under(&r)?);
        }
        for p in all {
            if opts.include.as_ref().is_some_and(|i| i.matches(&p)) && !changes.iter().any(|c| c.path == p) {
                let new = to.file_id(&p)?;
                changes.push(Change { path: p.clone(), kind: ChangeKind::Added, old: None, new });
            }
            if opts.include_destructive.as_ref().is_some_and(|i| i.matches(&p)) {
                forced_delete.insert(p.clone());
                let old = to.file_id(&p)?;
                changes.retain(|c| c.path != p);
                changes.push(Change { path: p, kind: ChangeKind::Deleted, old, new: None });
            }
        }
        changes.sort();
    }
    let mut kept: Vec<Change> = Vec::new();
    for c in changes {
        if root_of(&c.path, roots).is_none() || forceignore.denies(&c.path, false) {
            continue;
        }
        let ignore = if c.kind == ChangeKind::Deleted { &opts.ignore_destructive } else { &opts.ignore };
        if ignore.as_ref().is_some_and(|i| i.matches(&c.path)) {
            continue;
        }
        if opts.ignore_whitespace && c.kind == ChangeKind::Modified {
            if let (Some(a), Some(b)) = (c.old, c.new) {
                if strip_ws(&repo.blob(a)?) == strip_ws(&repo.blob(b)?) {
                    continue;
                }
            }
        }
        kept.push(c);
    }
    let old_paths: Vec<&str> = kept.iter().filter(|c| c.kind != ChangeKind::Added).map(|c| c.path.as_str()).collect();
    let new_paths: Vec<&str> = kept
        .iter()
        .filter(|c| c.kind != ChangeKind::Deleted || !forced_delete.contains(&c.path))
        .map(|c| c.path.as_str())
        .collect();
    let before = Side::new(from, &old_paths, roots, forceignore)?;
    // A forced deletion is resolved at `to`, where the file is.
    let mut after_paths = new_paths.clone();
    after_paths.extend(forced_delete.iter().map(String::as_str));
    let after = Side::new(to, &after_paths, roots, forceignore)?;
    let reg = registry();
    let mut deleted_parents: BTreeSet<(String, String)> = BTreeSet::new();
    for c in &kept {
        delta.lines.push((c.kind, c.path.clone()));
        let forced = forced_delete.contains(&c.path);
        let side = if c.kind == ChangeKind::Deleted && !forced { &before } else { &after };
        let Some(comp) = side.component(&c.path, forceignore) else { continue };
        let ty: &MdType = comp.ty;
        let full_name = comp.full_name();
        if delta_infile::is_in_file(ty) {
            if c.kind == ChangeKind::Deleted && delta_infile::deletion_is_whole(ty) {
                add(&mut delta.destructive, &ty.name, full_name);
                continue;
            }
            let old = match c.old {
                Some(id) if !forced => Some(repo.blob(id)?),
                _ => None,
            };
            let new = match (c.kind, c.new) {
                (ChangeKind::Deleted, _) => None,
                (_, Some(id)) => Some(repo.blob(id)?),
                _ => None,
            };
            let (old, new) = if forced { (to.read(&c.path)?, None) } else { (old, new) };
            let d = delta_infile::compare(ty, &full_name, old.as_deref(), new.as_deref());
            for (t, m) in d.added {
                add(&mut delta.package, &t, m);
            }
            for (t, m) in d.deleted {
                add(&mut delta.destructive, &t, m);
            }
            if d.changed && ty.name != "CustomLabels" {
                add(&mut delta.package, &ty.name, full_name);
            }
            if let (true, Some(p)) = (opts.generate_delta, d.pruned) {
                delta.copies.insert(c.path.clone(), Copy::Pruned(p));
            }
            continue;
        }
        let gone = match c.kind {
            ChangeKind::Deleted if forced => true,
            ChangeKind::Deleted => match presence_path(&comp) {
                Some(p) => !to.exists(p)?,
                None => true,
            },
            _ => false,
        };
        if gone {
            // Record types cannot be deleted through the Metadata API (sgd never lists them).
            if c.path.split('/').any(|s| s == "recordTypes") {
                continue;
            }
            if ty.name == "Flow" {
                delta.warnings.push(format!(
                    "Flow {full_name} is deleted: the Metadata API deletes only a flow with no active version and no other version; deactivate it first, and delete its other versions, or the deploy fails"
                ));
            }
            if comp.parent.is_none() && reg.children_of(ty).next().is_some() {
                deleted_parents.insert((ty.name.clone(), full_name.clone()));
            }
            add(&mut delta.destructive, &ty.name, full_name);
            continue;
        }
        add(&mut delta.package, &ty.name, full_name);
        if opts.generate_delta {
            copies_of(after.snap, &comp, &mut delta.copies)?;
        }
    }
    // A member both deployed and deleted is deployed (sgd's PackageGenerator); names are
    // case-insensitive in an org, so a case-only rename is one member.
    for (t, members) in &delta.package {
        if let Some(d) = delta.destructive.get_mut(t) {
            let lower: BTreeSet<String> = members.iter().map(|m| m.to_lowercase()).collect();
            d.retain(|m| !lower.contains(&m.to_lowercase()));
        }
    }
    delta.destructive.retain(|_, m| !m.is_empty());
    for (t, name) in deleted_parents {
        let Some(parent_ty) = reg.by_name(&t) else { continue };
        if !delta.destructive.get(&t).is_some_and(|m| m.contains(&name)) {
            continue;
        }
        let prefix = format!("{name}.");
        let children: usize = reg
            .children_of(parent_ty)
            .filter_map(|c| delta.destructive.get(&c.name))
            .map(|m| m.iter().filter(|x| x.starts_with(&prefix)).count())
            .sum();
        if children > 0 {
            delta.warnings.push(format!(
                "{t} {name} is deleted with {children} of its children listed too: deleting the {t} deletes them; list only the {t} if the deploy refuses the children"
            ));
        }
    }
    if opts.generate_delta {
        // Only files of `to` that the ignore file lets through (sgd's copyFiles).
        delta
            .copies
            .retain(|p, _| !opts.ignore.as_ref().is_some_and(|i| i.matches(p)) && !forceignore.denies(p, false));
    }
    Ok(delta)
}

/// The files sgd copies for a deployed component: its metadata file and content (a file, or
/// every file of its folder); for a field only its file (and its object's metadata file when it
/// is a master-detail relationship); for an object its metadata file and its master-detail
/// fields.
fn copies_of(snap: &Snapshot<'_>, c: &SourceComponent, out: &mut BTreeMap<String, Copy>) -> Result<()> {
    let decomposed = matches!(c.ty.adapter, Adapter::Decomposed | Adapter::PartiallyDecomposed);
    if let Some(parent) = &c.parent {
        if let Some(x) = &c.xml {
            out.insert(x.clone(), Copy::Same);
            if c.ty.name == "CustomField" && snap.read(x)?.is_some_and(|b| is_master_detail(&b)) {
                if let Some(px) = parent.xml.clone().or_else(|| parent_xml(x, parent)) {
                    if snap.exists(&px)? {
                        out.insert(px, Copy::Same);
                    }
                }
            }
        }
        return Ok(());
    }
    if decomposed {
        if let Some(x) = &c.xml {
            out.insert(x.clone(), Copy::Same);
        }
        if c.ty.name == "CustomObject" {
            if let Some(dir) = &c.content {
                for f in snap.files_under(&format!("{dir}/fields"))? {
                    if snap.read(&f)?.is_some_and(|b| is_master_detail(&b)) {
                        out.insert(f, Copy::Same);
                    }
                }
            }
        }
        return Ok(());
    }
    if let Some(x) = &c.xml {
        if snap.file_id(x)?.is_some() {
            out.insert(x.clone(), Copy::Same);
        }
    }
    if let Some(content) = &c.content {
        if snap.file_id(content)?.is_some() {
            out.insert(content.clone(), Copy::Same);
        } else {
            for f in snap.files_under(content)? {
                out.insert(f, Copy::Same);
            }
        }
    }
    Ok(())
}

/// `objects/Obj/Obj.object-meta.xml` for a child file `objects/Obj/fields/F.field-meta.xml`.
fn parent_xml(child: &str, parent: &SourceComponent) -> Option<String> {
    let dir = crate::sf::paths::dirname(crate::sf::paths::dirname(child));
    let suffix = parent.ty.suffix.as_deref()?;
    Some(format!("{dir}/{}.{suffix}-meta.xml", parent.name))
}

/// Runs `sfgen delta`.
pub fn run(args: &DeltaArgs, json: bool) -> Result<Outcome> {
    let version = match &args.api_version {
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
    let opts = Options {
        source_dirs: normalise_dirs(&args.source_dir)?,
        ignore: read_patterns(args.ignore_file.as_ref(), &[])?,
        ignore_destructive: read_patterns(args.ignore_destructive_file.as_ref().or(args.ignore_file.as_ref()), &[])?,
        include: read_patterns(args.include_file.as_ref(), &[])?,
        include_destructive: read_patterns(args.include_destructive_file.as_ref(), &[])?,
        ignore_whitespace: args.ignore_whitespace,
        generate_delta: args.generate_delta,
    };
    let org = super::org(&args.target, None)?;
    let repo = Repo::discover(&args.repo_dir)?;
    let from = repo.commit("--from", &args.from)?;
    let to = repo.commit("--to", &args.to)?;
    let (roots, source_version) = project_at(&to, &args.repo_dir)?;
    let forceignore = match to.read(".forceignore")? {
        Some(b) => ForceIgnore::parse(&args.repo_dir.join(".forceignore"), Some(&b))?,
        None => ForceIgnore::defaults(),
    };
    let mut delta = compute(&repo, &from, &to, &roots, &forceignore, &opts)?;
    let dependencies = match args.with_dependencies {
        Some(scope) => {
            let (added, warnings) = super::delta_deps::add(&from, &to, &roots, &forceignore, &mut delta, scope, &opts)?;
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
    let plan = if args.plan_tests || json {
        super::delta_tests::plan(&repo, &to, &roots, &forceignore, &delta)?
    } else {
        super::delta_tests::unplanned(&delta)
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
            message: format!("{}: refusing to copy {:?}: {why}", args.repo_dir.display(), crate::ui::printable(path)),
            hint: Some("rename the file in the repository".into()),
        })?;
        let bytes = match how {
            Copy::Pruned(text) => text.clone().into_bytes(),
            Copy::Same => to.read(path)?.unwrap_or_default(),
        };
        files.push((PathBuf::from(path), bytes));
    }
    std::fs::create_dir_all(&args.output_dir).map_err(|e| Error::Write { path: args.output_dir.clone(), source: e })?;
    for (rel, bytes) in &files {
        let path = args.output_dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::Write { path: parent.to_path_buf(), source: e })?;
        }
        crate::write::file(&path, bytes)?;
    }

    let count = |m: &Members| m.values().map(BTreeSet::len).sum::<usize>();
    let (deploying, deleting) = (count(&delta.package), count(&delta.destructive));
    let out = &args.output_dir;
    let manifest = out.join("package/package.xml");
    let destructive = out.join("destructiveChanges/destructiveChanges.xml");
    let target = super::deploy::Target::Source {
        project: Path::new("."),
        select: super::deploy::SourceSelect::Manifest {
            manifest: manifest.display().to_string(),
            destructive: (deleting > 0).then(|| (args.destructive_when, destructive.display().to_string())),
        },
    };
    let tests = super::deploy::Tests { has_apex: plan.has_apex, classes: plan.classes.clone() };
    let commands = (deploying + deleting > 0).then(|| super::deploy::commands(&target, &tests, &org));
    let mut text = format!(
        "sfgen delta {} ({}) -> {} ({}): {} changed file{} in the package directories\n",
        crate::ui::printable(&args.from),
        &from.id()[..10.min(from.id().len())],
        crate::ui::printable(&args.to),
        &to.id()[..10.min(to.id().len())],
        delta.lines.len(),
        if delta.lines.len() == 1 { "" } else { "s" },
    );
    text.push_str(&format!("  {}: {deploying} to deploy\n", manifest.display()));
    text.push_str(&format!(
        "  {}: {deleting} to delete ({} the deploy)\n",
        destructive.display(),
        match args.destructive_when {
            DestructiveWhen::Pre => "before",
            DestructiveWhen::Post => "after",
        }
    ));
    if args.generate_delta {
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
        "from": { "ref": args.from, "commit": from.id() },
        "to": { "ref": args.to, "commit": to.id() },
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
        "destructiveWhen": match args.destructive_when { DestructiveWhen::Pre => "pre", DestructiveWhen::Post => "post" },
        "validateCommand": commands.as_ref().map(|c| c.validate.clone()),
        "deployCommand": commands.as_ref().map(|c| c.deploy.clone()),
        "quickDeployCommand": commands.as_ref().and_then(|c| c.quick.clone()),
        "testLevel": commands.as_ref().and_then(|c| c.test_level),
    });
    let mut warnings = delta.warnings;
    warnings.extend(plan.warnings.iter().cloned());
    Ok(Outcome { exit: 0, result, text: crate::shell::printable(&text), guidance: String::new(), warnings })
}
