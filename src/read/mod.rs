//! The reading side, one way: **detect** what an input is, **walk** its files (names and sizes
//! only), **resolve** them into components as the Salesforce CLI does, and **compose** each
//! component in Metadata API layout when, and only when, it is needed.
//!
//! ```text
//! path ──detect──▶ Vfs (listing) ──resolve──▶ [SourceComponent] ──compose──▶ [Unit] ──load──▶ Component
//! ```
//!
//! An input is any of what a Salesforce developer hands around: an SFDX project (every
//! `packageDirectories` entry of its `sfdx-project.json`, minus what `.forceignore` ignores), a
//! bare source folder (`force-app`, or what `sf project retrieve start --output-dir` writes), an
//! mdapi folder (`package.xml` at its root), a zip of any of these (a single top folder such as
//! `unpackaged/` is stripped), and the folder `sf project retrieve start --target-metadata-dir`
//! writes (holding `unpackaged.zip`, or `unpackaged/` with `--unzip`). Files that are no metadata
//! (Jest mocks, READMEs) are skipped and reported as warnings, as are files of types the registry
//! does not know; a broken component that sf would refuse is an error. Hostile input (escaping
//! paths, links, bombs, duplicates, non-regular files) is refused by [`archive`].

pub mod archive;
pub mod compose;
mod files;
pub mod ignore;
mod limits;
mod listing;
pub mod resolve;
pub mod vfs;
mod zipped;

use crate::error::{Error, Result};
use crate::metadata::{Component, Tree};
use archive::{Limits, Root, Zip};
use compose::Unit;
use ignore::ForceIgnore;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vfs::Vfs;

/// The layout an input is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// SFDX source format (`-meta.xml` files, decomposed objects).
    Source,
    /// Metadata API format (`package.xml` at the root).
    Mdapi,
}

/// Largest `sfdx-project.json` read.
const MAX_PROJECT_JSON: u64 = 1 << 20;

/// An input, resolved: its components as [`Unit`]s, read on demand.
#[derive(Debug)]
pub struct Input {
    /// The path given.
    pub path: PathBuf,
    /// Its layout.
    pub format: Format,
    /// `<version>` of its package.xml, or `sourceApiVersion` of its sfdx-project.json.
    pub api_version: Option<String>,
    /// The components, sorted by key.
    pub units: Vec<Unit>,
    /// What was skipped, one line each (files that are no metadata, types sf does not know).
    pub warnings: Vec<String>,
    /// For an SFDX project: its package directories, the default one first.
    pub package_dirs: Vec<String>,
    vfs: Vfs,
}

impl Input {
    /// Reads and builds one component.
    pub fn load(&self, unit: &Unit) -> Result<Component> {
        unit.load(&self.vfs)
    }

    /// Every component, read on every core.
    pub fn load_all(&self) -> Result<Tree> {
        let components: Vec<Component> = self.units.par_iter().map(|u| u.load(&self.vfs)).collect::<Result<_>>()?;
        let mut tree = Tree::new();
        for c in components {
            tree.insert(c);
        }
        Ok(tree)
    }

    /// What package.xml lists for this input, reading only the few files that decide it.
    pub fn members(&self) -> Result<BTreeMap<String, Vec<String>>> {
        let lists: Vec<Vec<(String, String)>> =
            self.units.par_iter().map(|u| u.members(&self.vfs)).collect::<Result<_>>()?;
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (t, m) in lists.into_iter().flatten() {
            map.entry(t).or_default().push(m);
        }
        crate::sf::manifest::sort_members(&mut map);
        Ok(map)
    }

    /// Warnings found while components were read (a metadata file whose root is not its type),
    /// one line each; each is given once.
    pub fn take_read_warnings(&self) -> Vec<String> {
        self.vfs.take_notes()
    }

    /// mdapi path → the file on disk it was read from, as the user names it
    /// (`force-app/main/default/classes/Schema Recipes/SchemaRecipes.cls`), for every component
    /// file of a folder input (none for a zip: its files are not on disk).
    pub fn disk_paths(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for u in &self.units {
            for (dest, src) in u.file_origins(&self.vfs) {
                if let Some(p) = self.vfs.disk_path(src) {
                    out.insert(dest, p);
                }
            }
        }
        out
    }

    /// The input's file tree (for callers that need a file outside any component, such as
    /// package.xml).
    pub fn vfs(&self) -> &Vfs {
        &self.vfs
    }
}

fn input_error(path: &Path, message: impl std::fmt::Display, hint: impl Into<String>) -> Error {
    Error::Input { message: format!("{}: {message}", path.display()), hint: Some(hint.into()) }
}

/// Reads the input at `path` (see the module docs).
pub fn open(path: &Path, limits: &Limits) -> Result<Input> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| input_error(path, e, "give an existing SFDX project, mdapi folder, retrieve folder or zip"))?;
    if meta.file_type().is_symlink() {
        return Err(input_error(path, "is a symbolic link", "give the real path (sfgen does not follow links)"));
    }
    if meta.is_dir() {
        return open_dir(path, limits);
    }
    if !meta.is_file() {
        return Err(input_error(path, "is not a folder or a regular file", "give a folder or a .zip"));
    }
    let bytes = archive::read_zip_file(path, limits)?;
    let zip = Zip::open(path, Arc::from(bytes), limits)?;
    // An untrusted archive is decompressed once in full, within its caps, before anything is
    // used: a bomb in an entry no component takes is refused too. (Entries are decompressed again
    // when their component is read; for a zip that is cheap next to what is done with them.)
    // Its metadata XML is checked then too (no DOCTYPE, entities, runaway nesting), so even
    // listing it refuses a hostile one.
    zip.entries.par_iter().try_for_each(|e| {
        let bytes = zip.read(e)?;
        if compose::is_metadata_xml_path(&e.name) {
            crate::sf::xml::check(&bytes).map_err(|why| Error::Input {
                message: format!(
                    "{}: refusing entry {:?}: not readable metadata XML: {why}",
                    path.display(),
                    crate::printable::field(&e.name)
                ),
                hint: Some("metadata XML has no DOCTYPE or entities; re-retrieve or fix the file".into()),
            })?;
        }
        Ok::<(), Error>(())
    })?;
    let names: Vec<&str> = zip.entries.iter().map(|e| e.name.as_str()).collect();
    let strip = archive::top_folder(names.iter().copied());
    let vfs = Vfs::zip(path, zip, strip.as_deref(), limits);
    resolve_vfs(path, vfs)
}

fn open_dir(path: &Path, limits: &Limits) -> Result<Input> {
    let is_file = |name: &str| std::fs::symlink_metadata(path.join(name)).is_ok_and(|m| m.is_file());
    if !is_file("sfdx-project.json") && !is_file("package.xml") {
        // What `sf project retrieve start --target-metadata-dir DIR` writes: DIR/unpackaged.zip
        // (or another single zip), or DIR/unpackaged/ with package.xml inside (--unzip).
        let entries: Vec<(String, bool)> = std::fs::read_dir(path)
            .map_err(|e| input_error(path, e, "make the folder readable"))?
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_string();
                let ft = e.file_type().ok()?;
                (!name.starts_with('.')).then_some((name, ft.is_dir()))
            })
            .collect();
        let zips: Vec<&String> =
            entries.iter().filter(|(n, d)| !d && n.to_ascii_lowercase().ends_with(".zip")).map(|(n, _)| n).collect();
        if entries.len() == 1 && zips.len() == 1 {
            return open(&path.join(zips[0]), limits).map(|mut i| {
                i.path = path.to_path_buf();
                i
            });
        }
        let dirs: Vec<&String> = entries.iter().filter(|(_, d)| *d).map(|(n, _)| n).collect();
        if let [only] = dirs.as_slice() {
            let inner = path.join(only);
            if std::fs::symlink_metadata(inner.join("package.xml")).is_ok_and(|m| m.is_file()) {
                return open_dir(&inner, limits).map(|mut i| {
                    i.path = path.to_path_buf();
                    i
                });
            }
        }
    }
    let root = Root::open(path)?;
    let forceignore = read_forceignore(&root)?;
    let (project, package_dirs) = if is_file("sfdx-project.json") {
        let json = root.read("sfdx-project.json", MAX_PROJECT_JSON)?;
        let project = ProjectJson::parse(&path.join("sfdx-project.json"), &json)?;
        for dir in &project.package_dirs {
            check_package_dir(path, dir)?;
        }
        let dirs = project.package_dirs.clone();
        (Some(project), Some(dirs))
    } else {
        (None, None)
    };
    let skip = |rel: &str, is_dir: bool| {
        if matches!(rel, "sfdx-project.json" | ".forceignore" | "package.xml") {
            return false;
        }
        if let Some(dirs) = &package_dirs {
            // Only the package directories (and the files on the way to them) are walked.
            let inside = dirs.iter().any(|d| rel == d || rel.starts_with(&format!("{d}/")));
            let on_the_way = is_dir && dirs.iter().any(|d| d.starts_with(&format!("{rel}/")));
            if !inside && !on_the_way {
                return true;
            }
        }
        forceignore.denies_entry(rel, is_dir)
    };
    let listed = archive::list_dir(path, limits, &skip)?;
    let vfs = Vfs::folder(root, listed, limits);
    // The rules were applied while listing: what is ignored is simply not there.
    resolve_with(path, vfs, ForceIgnore::none(), project)
}

fn check_package_dir(root: &Path, dir: &str) -> Result<()> {
    let mut at = root.to_path_buf();
    for seg in dir.split('/') {
        at.push(seg);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(input_error(
                root,
                format!(
                    "refusing entry {:?}: symbolic link (sfgen does not follow links)",
                    crate::printable::field(dir)
                ),
                "replace the link with the folder it points to",
            ));
        }
    }
    if !root.join(dir).is_dir() {
        return Err(input_error(
            &root.join(dir),
            "package directory listed in sfdx-project.json does not exist",
            "create it or remove it from packageDirectories",
        ));
    }
    Ok(())
}

fn read_forceignore(root: &Root) -> Result<ForceIgnore> {
    let path = root.path().join(".forceignore");
    match std::fs::symlink_metadata(&path) {
        Err(_) => Ok(ForceIgnore::defaults()),
        Ok(_) => {
            let bytes = root.read(".forceignore", ignore::MAX_BYTES as u64)?;
            ForceIgnore::parse(&path, Some(&bytes))
        }
    }
}

/// Detects the layout of a zip's (or memory tree's) files and resolves them.
fn resolve_vfs(path: &Path, vfs: Vfs) -> Result<Input> {
    let forceignore = if vfs.is_file(".forceignore") {
        let bytes = vfs.read(".forceignore")?;
        ForceIgnore::parse(&path.join(".forceignore"), Some(&bytes))?
    } else {
        ForceIgnore::defaults()
    };
    // Applied once, here: what is ignored is simply not there for the resolver.
    let keep = ["sfdx-project.json", ".forceignore", "package.xml"];
    let vfs = vfs.without(|p| !keep.contains(&p) && forceignore.denies(p, false));
    let forceignore = ForceIgnore::none();
    let project = if !vfs.is_file("package.xml") && vfs.is_file("sfdx-project.json") {
        let json = vfs.read("sfdx-project.json")?;
        let p = ProjectJson::parse(&path.join("sfdx-project.json"), &json)?;
        for d in &p.package_dirs {
            if !vfs.is_dir(d) {
                return Err(input_error(
                    path,
                    format!(
                        "package directory {:?} listed in sfdx-project.json is not in the archive",
                        crate::printable::field(d)
                    ),
                    "add it, or remove it from packageDirectories",
                ));
            }
        }
        Some(p)
    } else {
        None
    };
    resolve_with(path, vfs, forceignore, project)
}

/// Resolves every component of `vfs`.
pub fn resolve_with(path: &Path, vfs: Vfs, forceignore: ForceIgnore, project: Option<ProjectJson>) -> Result<Input> {
    let mdapi = vfs.is_file("package.xml") && project.is_none();
    let format = if mdapi { Format::Mdapi } else { Format::Source };
    let roots: Vec<String> = match &project {
        Some(p) => p.package_dirs.clone(),
        None => vec![String::new()],
    };
    let mut resolver = resolve::Resolver::new(&vfs, &forceignore);
    let mut found = Vec::new();
    for r in &roots {
        found.extend(resolver.components_from_path(r));
    }
    let problems = std::mem::take(&mut resolver.problems);
    let ignored: BTreeSet<String> = resolver.ignored.drain(..).collect();
    drop(resolver);
    let fatal: Vec<&resolve::Problem> = problems.iter().filter(|p| p.fatal).collect();
    if !fatal.is_empty() {
        let list: Vec<String> =
            fatal.iter().map(|p| format!("  {}: {}", crate::printable::field(&p.path), p.message)).collect();
        return Err(Error::Input {
            message: format!(
                "{}: {} component{} cannot be read (the Salesforce CLI refuses them too):\n{}",
                path.display(),
                fatal.len(),
                if fatal.len() == 1 { "" } else { "s" },
                list.join("\n")
            ),
            hint: Some("fix or remove these files, or list them in .forceignore".into()),
        });
    }
    let units = compose::units(&vfs, found, mdapi, &forceignore)?;
    // Files no component took: not metadata (sf skips them), or of a type sf does not know.
    let used: BTreeSet<&str> = units.iter().flat_map(|u| u.sources(&vfs)).collect();
    let unknown: BTreeSet<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    let mut warnings: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: skipped {}: {}", path.display(), crate::printable::field(&p.path), p.message))
        .collect();
    let in_roots = |p: &str| roots.iter().any(|r| r.is_empty() || p.starts_with(&format!("{r}/")));
    let mut skipped = Vec::new();
    for p in vfs.paths() {
        if !in_roots(p)
            || used.contains(p)
            || unknown.contains(p)
            || ignored.contains(p)
            || forceignore.denies(p, false)
        {
            continue;
        }
        if mdapi && (p == "package.xml" || is_destructive_manifest(p)) {
            continue;
        }
        if used.iter().any(|u| p.starts_with(&format!("{u}/"))) {
            continue;
        }
        skipped.push(p);
    }
    let reg = crate::sf::registry::registry();
    for p in &skipped {
        let why = match reg.by_suffix(crate::sf::paths::ext_name(p)) {
            Some(t)
                if t.adapter == crate::sf::registry::Adapter::MatchingContentFile
                    && !vfs.is_file(&format!("{p}-meta.xml")) =>
            {
                format!(
                    "a {} needs its -meta.xml ({}-meta.xml) beside it; without one the Salesforce CLI skips the file too",
                    t.name,
                    crate::sf::paths::basename(p)
                )
            }
            _ => "not metadata (the Salesforce CLI skips it too)".to_string(),
        };
        warnings.push(format!("{}: skipped {}: {why}", path.display(), crate::printable::field(p)));
    }
    let api_version = match &project {
        Some(p) => p.api_version.clone(),
        None if mdapi => vfs
            .read("package.xml")
            .ok()
            .and_then(|b| crate::sf::xml::parse(&b).ok())
            .and_then(|r| r.find("version").map(crate::sf::xml::Element::text_content)),
        None => None,
    };
    if units.is_empty() && vfs.paths().next().is_some() && !mdapi && project.is_none() {
        return Err(input_error(
            path,
            "holds no metadata: it is neither an SFDX project (sfdx-project.json), an mdapi folder (package.xml), a retrieve, nor a source folder",
            "point at the project root, the mdapi folder, the retrieve folder or the retrieve zip",
        ));
    }
    Ok(Input { path: path.to_path_buf(), format, api_version, units, warnings, package_dirs: roots, vfs })
}

fn is_destructive_manifest(p: &str) -> bool {
    !p.contains('/') && p.starts_with("destructiveChanges") && p.ends_with(".xml")
}

/// The parts of sfdx-project.json sfgen needs.
#[derive(Debug, Clone)]
pub struct ProjectJson {
    /// Package directories, the default one first, as given.
    pub package_dirs: Vec<String>,
    /// `sourceApiVersion`.
    pub api_version: Option<String>,
}

/// Why an sfdx-project.json cannot be used, by kind: a caller may fall back from a file sf would
/// refuse, never from one whose package directory leaves the project.
#[derive(Debug)]
pub enum ProjectJsonError {
    /// Not JSON, no package directories, an entry without a path.
    Unusable(crate::error::Error),
    /// A package directory's path is not a safe relative path inside the project.
    UnsafePath(crate::error::Error),
}

impl ProjectJsonError {
    /// The error to report.
    pub fn into_error(self) -> crate::error::Error {
        match self {
            Self::Unusable(e) | Self::UnsafePath(e) => e,
        }
    }
}

impl ProjectJson {
    /// Parses sfdx-project.json (`input` names it in messages).
    pub fn parse(input: &Path, bytes: &[u8]) -> Result<Self> {
        Self::parse_kind(input, bytes).map_err(ProjectJsonError::into_error)
    }

    /// [`ProjectJson::parse`], saying which kind of problem refused the file.
    pub fn parse_kind(input: &Path, bytes: &[u8]) -> std::result::Result<Self, ProjectJsonError> {
        use ProjectJsonError::{UnsafePath, Unusable};
        // sf reads a file that starts with a UTF-8 byte order mark (editors on Windows write one).
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let v: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| Unusable(input_error(input, format!("not valid JSON: {e}"), "fix sfdx-project.json")))?;
        let dirs = v.get("packageDirectories").and_then(|d| d.as_array()).ok_or_else(|| {
            Unusable(input_error(
                input,
                "has no packageDirectories",
                "add \"packageDirectories\": [{\"path\": \"force-app\", \"default\": true}]",
            ))
        })?;
        let mut package_dirs: Vec<(bool, String)> = Vec::new();
        for d in dirs {
            let Some(p) = d.get("path").and_then(|p| p.as_str()) else {
                return Err(Unusable(input_error(
                    input,
                    "a packageDirectories entry has no \"path\"",
                    "give every package directory a path",
                )));
            };
            let p = p.trim_start_matches("./").trim_end_matches('/').to_string();
            archive::check_relative_path(&p).map_err(|why| {
                UnsafePath(input_error(
                    input,
                    format!("packageDirectories path {:?}: {why}", crate::printable::field(&p)),
                    "use a relative path inside the project",
                ))
            })?;
            let default = d.get("default").and_then(serde_json::Value::as_bool).unwrap_or(false);
            if !package_dirs.iter().any(|(_, q)| *q == p) {
                package_dirs.push((default, p));
            }
        }
        // The default package directory first (where sf writes new source), then the others in
        // their order.
        package_dirs.sort_by_key(|(default, _)| !*default);
        let api_version = v.get("sourceApiVersion").and_then(|s| s.as_str()).map(str::to_string);
        Ok(Self { package_dirs: package_dirs.into_iter().map(|(_, p)| p).collect(), api_version })
    }
}

/// Reads every component of the input at `path` into a tree (for small inputs and tests).
pub fn load_tree(path: &Path, limits: &Limits) -> Result<Loaded> {
    let input = open(path, limits)?;
    let tree = input.load_all()?;
    Ok(Loaded { tree, format: input.format, api_version: input.api_version.clone(), warnings: input.warnings })
}

/// What [`load_tree`] read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The components, in mdapi layout.
    pub tree: Tree,
    /// The layout the input was in.
    pub format: Format,
    /// `<version>` of the input's package.xml, or `sourceApiVersion` of its sfdx-project.json.
    pub api_version: Option<String>,
    /// What was skipped.
    pub warnings: Vec<String>,
}

/// An in-memory input (files in any layout), resolved: for tests and nested archives.
pub fn from_files(path: &Path, files: Vec<(String, Vec<u8>)>, limits: &Limits) -> Result<Input> {
    let vfs = Vfs::memory(path, files, limits);
    resolve_vfs(path, vfs)
}
