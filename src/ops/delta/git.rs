//! The delta between two commits, file by file (see [`super`] for sgd's rules it follows).

use super::infile as delta_infile;
use super::model::{add, Copy, Delta, Options};
use crate::error::Result;
use crate::git::{Change, ChangeKind, Repo, Snapshot};
use crate::read::archive::Limits;
use crate::read::ignore::ForceIgnore;
use crate::read::resolve::{Resolver, SourceComponent};
use crate::read::vfs::Vfs;
use crate::sf::registry::{registry, Adapter, MdType};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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
