//! Reading existing metadata (an SFDX project, a bare source folder, an mdapi folder, or a zip
//! of any of them) into the one shape every verb works on: a [`Tree`] in mdapi layout.
//!
//! The type of every file comes from the registry ([`crate::metadata::registry`]), by its
//! folder and suffix. A file that no registry row explains is an error naming the file: the
//! Salesforce CLI drops such files silently, and a deploy that quietly lacks a component is
//! exactly what sfgen exists to prevent. Reading itself goes through [`crate::archive`], which
//! refuses hostile paths, links and bombs.
//!
//! Source → mdapi follows the Salesforce CLI (source-deploy-retrieve): `-meta.xml` suffixes
//! are dropped for XML-only types, a decomposed CustomObject is recomposed with its children
//! sorted by `fullName` (as the CLI sorts them) but in the WSDL's element order (the CLI
//! appends them after the parent's elements, which the XSD rejects); a static
//! resource folder becomes a (deterministic) zip; folders of reports, dashboards, documents and
//! email templates become `<Folder>-meta.xml` components.

use crate::archive::{self, Limits, RawFile};
use crate::error::{Error, Result};
use crate::metadata::registry::{self, ChildType, MetadataType, Shape};
use crate::metadata::xml::{self, Element, Node};
use crate::metadata::{Component, ComponentKey, MetadataFile, Tree};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layout an input was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// SFDX source format (`-meta.xml` files, decomposed objects).
    Source,
    /// Metadata API format (`package.xml` at the root).
    Mdapi,
}

/// What [`load_tree`] read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The components, in mdapi layout.
    pub tree: Tree,
    /// The layout the input was in.
    pub format: SourceFormat,
    /// `<version>` of the input's package.xml, or `sourceApiVersion` of its sfdx-project.json.
    pub api_version: Option<String>,
}

/// Paths that are never metadata: the Salesforce CLI's built-in ignores (hidden files such as
/// `.DS_Store` or `.eslintrc.json`, `*.dup`, package2 descriptors).
const DEFAULT_IGNORES: &[&str] = &["**/.*", "**/*.dup", "**/package2-descriptor.json", "**/package2-manifest.json"];

fn input_error(path: &Path, message: impl std::fmt::Display, hint: impl Into<String>) -> Error {
    Error::Input { message: format!("{}: {message}", path.display()), hint: Some(hint.into()) }
}

/// Reads `path`, which may be an SFDX project (sfdx-project.json: its packageDirectories,
/// minus what `.forceignore` ignores), a bare source folder (`force-app`,
/// `force-app/main/default`), an mdapi folder (package.xml at its root) or a zip of any of
/// them (a single top folder such as `unpackaged/` is stripped).
pub fn load_tree(path: &Path, limits: &Limits) -> Result<Loaded> {
    load(path, &Ctx { limits, names_only: false })
}

/// Like [`load_tree`], for listing only (`sfgen manifest`): from folders, file contents are
/// read only where package.xml needs them (CustomLabels, mdapi CustomObjects); other files
/// are empty, and a source CustomObject is a skeleton that names its children. Reading 30 000
/// files costs far more than listing them. Zips are read in full (their limits are checked
/// while decompressing).
pub fn load_names(path: &Path, limits: &Limits) -> Result<Loaded> {
    load(path, &Ctx { limits, names_only: true })
}

/// How to load.
struct Ctx<'a> {
    limits: &'a Limits,
    names_only: bool,
}

impl Ctx<'_> {
    /// Whether a file's bytes are needed (paths relative to the folder being read).
    fn wants(&self, rel: &str, mdapi: bool) -> bool {
        if !self.names_only {
            return true;
        }
        let in_dir = |d: &str| rel.starts_with(&format!("{d}/")) || rel.contains(&format!("/{d}/"));
        in_dir("labels")
            || (mdapi && in_dir("objects"))
            || rel == "package.xml"
            || rel.ends_with("sfdx-project.json")
            || rel.ends_with(".forceignore")
    }
}

fn load(path: &Path, ctx: &Ctx<'_>) -> Result<Loaded> {
    let limits = ctx.limits;
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| input_error(path, e, "give an existing SFDX project, mdapi folder or zip"))?;
    if meta.file_type().is_symlink() {
        return Err(input_error(path, "is a symbolic link", "give the real path"));
    }
    if meta.is_dir() {
        if path.join("sfdx-project.json").is_file() {
            return load_project_dir(path, ctx);
        }
        let ignore = Ignore::new(path, None)?;
        // Without sfdx-project.json, an mdapi folder is known by package.xml at its root.
        let mdapi = path.join("package.xml").is_file();
        let files = archive::read_dir_with(path, limits, &|rel, is_dir| ignore.skip_entry(rel, is_dir), &|rel| {
            ctx.wants(rel, mdapi)
        })?;
        return from_files(path, files, ctx);
    }
    let bytes = archive::read_zip_file(path, limits)?;
    let mut files = archive::read_zip(path, &bytes, limits)?;
    drop(bytes);
    archive::strip_top_folder(&mut files);
    from_files(path, files, &Ctx { limits, names_only: false })
}

/// Detects the layout of a set of files already read (from a zip or a folder).
fn from_files(input: &Path, files: Vec<RawFile>, ctx: &Ctx<'_>) -> Result<Loaded> {
    check_xml_files(input, "", &files, ctx)?;
    if files.iter().any(|(p, _)| p == "package.xml") {
        return mdapi_tree(input, files);
    }
    if let Some((_, json)) = files.iter().find(|(p, _)| p == "sfdx-project.json") {
        let project = ProjectJson::parse(input, json)?;
        let ignore = Ignore::new(input, files.iter().find(|(p, _)| p == ".forceignore").map(|(_, b)| b.as_slice()))?;
        let mut tree = Tree::new();
        for dir in &project.package_dirs {
            let prefix = format!("{}/", dir.trim_end_matches('/'));
            let part: Vec<RawFile> = files
                .iter()
                .filter(|(p, _)| p.starts_with(&prefix) && !ignore.skip_path(p))
                .map(|(p, b)| (p[prefix.len()..].to_string(), b.clone()))
                .collect();
            merge(&mut tree, source_tree(&input.join(dir), part, ctx)?, input)?;
        }
        return Ok(Loaded { tree, format: SourceFormat::Source, api_version: project.api_version });
    }
    let files: Vec<RawFile> = files.into_iter().filter(|(p, _)| !is_default_ignored(p)).collect();
    if files.iter().any(|(p, _)| p.ends_with("-meta.xml")) {
        let tree = source_tree(input, files, ctx)?;
        return Ok(Loaded { tree, format: SourceFormat::Source, api_version: None });
    }
    if files.is_empty() {
        return Ok(Loaded { tree: Tree::new(), format: SourceFormat::Source, api_version: None });
    }
    Err(input_error(
        input,
        "is neither an SFDX project (sfdx-project.json), an mdapi folder (package.xml) nor a source folder (-meta.xml files)",
        "point at the project root, the mdapi folder or the retrieve zip",
    ))
}

/// Refuses metadata XML that does not parse (DOCTYPE and entities, nesting deeper than
/// [`xml::MAX_DEPTH`], malformed markup), naming the entry: sfgen never expands an entity, and a
/// file it cannot read as XML would otherwise reach diffs as raw text. Only metadata XML is
/// checked (`-meta.xml`, `package.xml`, destructive manifests, single-file XML types in mdapi
/// layout); the content of documents, static resources and bundles is left alone.
fn check_xml_files(input: &Path, prefix: &str, files: &[RawFile], ctx: &Ctx<'_>) -> Result<()> {
    let is_metadata_xml = |path: &str, bytes: &[u8]| {
        if ctx.names_only && bytes.is_empty() {
            return false; // not read: listing only
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        name.ends_with("-meta.xml")
            || path == "package.xml"
            || (name.starts_with("destructiveChanges") && name.ends_with(".xml") && !path.contains('/'))
            || (!name.ends_with(".xml") && crate::canon::kind_of(path) == crate::canon::FileKind::Xml)
    };
    // Tens of megabytes of permission sets: check on every core, without building trees.
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
    let chunk = files.len().div_ceil(threads).max(1);
    let first_bad: Option<(String, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .filter(|(p, b)| is_metadata_xml(p, b))
                        .find_map(|(p, b)| check_xml(b).err().map(|e| (p.clone(), e)))
                })
            })
            .collect();
        handles
            .into_iter()
            .find_map(|h| h.join().unwrap_or_else(|_| Some((String::new(), "checker thread panicked".into()))))
    });
    match first_bad {
        None => Ok(()),
        Some((path, e)) => Err(input_error(
            input,
            format!("refusing entry {:?}: not readable metadata XML: {e}", format!("{prefix}{path}")),
            "metadata XML has no DOCTYPE or entities; re-retrieve or fix the file",
        )),
    }
}

/// Whether [`xml::parse`] would accept `bytes`, without building the tree: UTF-8, well formed
/// with matching end tags, one root, no DOCTYPE, no entity but the five predefined ones and
/// character references, nesting at most [`xml::MAX_DEPTH`] deep.
fn check_xml(bytes: &[u8]) -> std::result::Result<(), String> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = quick_xml::reader::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let at = |r: &quick_xml::reader::Reader<&[u8]>, m: String| format!("{m} at byte {}", r.buffer_position());
    let (mut depth, mut seen_root) = (0usize, false);
    loop {
        match reader.read_event().map_err(|e| at(&reader, e.to_string()))? {
            Event::Start(e) | Event::Empty(e) if seen_root && depth == 0 => {
                let _ = e;
                return Err(at(&reader, "content after the root element".into()));
            }
            Event::Start(e) => {
                if depth >= xml::MAX_DEPTH {
                    return Err(at(&reader, format!("elements nested deeper than {}", xml::MAX_DEPTH)));
                }
                check_attributes(&e).map_err(|m| at(&reader, m))?;
                depth += 1;
            }
            Event::Empty(e) => {
                check_attributes(&e).map_err(|m| at(&reader, m))?;
                if depth == 0 {
                    seen_root = true;
                }
            }
            Event::End(_) => {
                depth = depth.checked_sub(1).ok_or_else(|| at(&reader, "unexpected end tag".into()))?;
                if depth == 0 {
                    seen_root = true;
                }
            }
            Event::Text(t) => {
                if depth == 0 && !t.xml10_content().trim().is_empty() {
                    return Err(at(&reader, "text outside the root element".into()));
                }
            }
            Event::CData(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| at(&reader, e.to_string()))?
                        .ok_or_else(|| at(&reader, "invalid character reference".into()))?;
                } else if !matches!(&*r.as_ref().to_string(), "amp" | "lt" | "gt" | "quot" | "apos") {
                    return Err(at(&reader, format!("undefined entity &{}; (sfgen expands no entities)", r.as_ref())));
                }
                if depth == 0 {
                    return Err(at(&reader, "text outside the root element".into()));
                }
            }
            Event::DocType(_) => {
                return Err(at(&reader, "DOCTYPE is not allowed in metadata (no entities are ever expanded)".into()))
            }
            Event::Eof => break,
        }
    }
    if depth > 0 {
        return Err(at(&reader, "unclosed element".into()));
    }
    if !seen_root {
        return Err("no root element".into());
    }
    Ok(())
}

fn check_attributes(e: &quick_xml::events::BytesStart<'_>) -> std::result::Result<(), String> {
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| format!("bad attribute value: {e}"))?;
    }
    Ok(())
}

/// `F/logo.png` → `F/logo` (the extension is after the last dot of the file name).
fn strip_ext(path: &str) -> &str {
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    match path[name_start..].rfind('.') {
        Some(i) if i > 0 => &path[..name_start + i],
        _ => path,
    }
}

fn is_default_ignored(rel: &str) -> bool {
    rel.split('/').any(|s| s.starts_with('.'))
        || rel.ends_with(".dup")
        || rel.ends_with("package2-descriptor.json")
        || rel.ends_with("package2-manifest.json")
}

/// The parts of sfdx-project.json sfgen needs.
struct ProjectJson {
    package_dirs: Vec<String>,
    api_version: Option<String>,
}

impl ProjectJson {
    fn parse(input: &Path, bytes: &[u8]) -> Result<Self> {
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            input_error(input, format!("sfdx-project.json is not valid JSON: {e}"), "fix sfdx-project.json")
        })?;
        let dirs = v.get("packageDirectories").and_then(|d| d.as_array()).ok_or_else(|| {
            input_error(
                input,
                "sfdx-project.json has no packageDirectories",
                "add \"packageDirectories\": [{\"path\": \"force-app\", \"default\": true}]",
            )
        })?;
        let mut package_dirs = Vec::new();
        for d in dirs {
            let Some(p) = d.get("path").and_then(|p| p.as_str()) else {
                return Err(input_error(
                    input,
                    "a packageDirectories entry has no \"path\"",
                    "give every package directory a path",
                ));
            };
            let p = p.trim_start_matches("./").trim_end_matches('/').to_string();
            archive::check_relative_path(&p).map_err(|why| {
                input_error(
                    input,
                    format!("packageDirectories path {p:?}: {why}"),
                    "use a relative path inside the project",
                )
            })?;
            package_dirs.push(p);
        }
        let api_version = v.get("sourceApiVersion").and_then(|s| s.as_str()).map(str::to_string);
        Ok(Self { package_dirs, api_version })
    }
}

/// `.forceignore` (gitignore semantics) plus the CLI's default ignores.
struct Ignore {
    matcher: ignore::gitignore::Gitignore,
}

impl Ignore {
    fn new(root: &Path, forceignore: Option<&[u8]>) -> Result<Self> {
        let mut b = ignore::gitignore::GitignoreBuilder::new(root);
        for pat in DEFAULT_IGNORES {
            b.add_line(None, pat).map_err(|e| Error::input(format!("internal ignore pattern {pat}: {e}")))?;
        }
        let text = match forceignore {
            Some(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            None => std::fs::read_to_string(root.join(".forceignore")).ok(),
        };
        if let Some(text) = text {
            for (i, line) in text.lines().enumerate() {
                b.add_line(Some(root.join(".forceignore")), line).map_err(|e| {
                    input_error(
                        &root.join(".forceignore"),
                        format!("line {}: {e}", i + 1),
                        "fix the pattern (gitignore syntax)",
                    )
                })?;
            }
        }
        let matcher =
            b.build().map_err(|e| input_error(&root.join(".forceignore"), e, "fix the pattern (gitignore syntax)"))?;
        Ok(Self { matcher })
    }

    /// Whether `rel` (relative to the project root) is ignored; a folder's ignore covers its
    /// files.
    fn skip(&self, rel: &str, is_dir: bool) -> bool {
        self.matcher.matched_path_or_any_parents(rel, is_dir).is_ignore()
    }

    /// Like [`Ignore::skip`] for a walk that does not enter ignored folders: the parents were
    /// already checked, so only the entry itself is matched.
    fn skip_entry(&self, rel: &str, is_dir: bool) -> bool {
        self.matcher.matched(rel, is_dir).is_ignore()
    }

    fn skip_path(&self, rel: &str) -> bool {
        self.skip(rel, false)
    }
}

fn load_project_dir(root: &Path, ctx: &Ctx<'_>) -> Result<Loaded> {
    let limits = ctx.limits;
    let json = std::fs::read(root.join("sfdx-project.json"))
        .map_err(|e| input_error(&root.join("sfdx-project.json"), e, "make it readable"))?;
    let project = ProjectJson::parse(&root.join("sfdx-project.json"), &json)?;
    let ignore = Ignore::new(root, None)?;
    let mut tree = Tree::new();
    for dir in &project.package_dirs {
        let base = root.join(dir);
        // The package directory (or a folder on the way to it) must not be a link: links are
        // never followed out of the input.
        let mut at = root.to_path_buf();
        for seg in dir.split('/') {
            at.push(seg);
            if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(input_error(
                    root,
                    format!(
                        "refusing entry {:?}: symbolic link (sfgen does not follow links)",
                        at.strip_prefix(root).unwrap_or(&at).display()
                    ),
                    "replace the link with the folder it points to",
                ));
            }
        }
        if !base.is_dir() {
            return Err(input_error(
                &base,
                "package directory listed in sfdx-project.json does not exist",
                "create it or remove it from packageDirectories",
            ));
        }
        let files = archive::read_dir_with(
            &base,
            limits,
            &|rel, is_dir| ignore.skip_entry(&format!("{dir}/{rel}"), is_dir),
            &|rel| ctx.wants(rel, false),
        )?;
        check_xml_files(root, &format!("{dir}/"), &files, ctx)?;
        merge(&mut tree, source_tree(&base, files, ctx)?, root)?;
    }
    Ok(Loaded { tree, format: SourceFormat::Source, api_version: project.api_version })
}

fn merge(into: &mut Tree, from: Tree, input: &Path) -> Result<()> {
    for (key, c) in from.components {
        if into.components.contains_key(&key) {
            return Err(input_error(
                input,
                format!("{key} is defined in two package directories"),
                "keep one definition",
            ));
        }
        into.insert(c);
    }
    Ok(())
}

// ------------------------------------------------------------------------------- mdapi

/// Reads an mdapi file set (package.xml at its root) into a tree.
fn mdapi_tree(input: &Path, files: Vec<RawFile>) -> Result<Loaded> {
    let mut api_version = None;
    let paths: std::collections::HashSet<String> = files.iter().map(|(p, _)| p.clone()).collect();
    let mut groups: BTreeMap<ComponentKey, Vec<MetadataFile>> = BTreeMap::new();
    for (path, bytes) in files {
        if path == "package.xml" {
            api_version = xml::parse(&bytes).ok().and_then(|r| r.find("version").map(Element::text_content));
            continue;
        }
        if path.starts_with("destructiveChanges") && path.ends_with(".xml") && !path.contains('/')
            || is_default_ignored(&path)
        {
            continue;
        }
        let key = mdapi_key(&path, &paths).map_err(|why| unexplained(input, &path, &why))?;
        groups.entry(key).or_default().push(MetadataFile::new(path, bytes));
    }
    let mut tree = Tree::new();
    for (key, files) in groups {
        check_pairs(input, &key, &files, false)?;
        tree.insert(Component::new(key, files));
    }
    Ok(Loaded { tree, format: SourceFormat::Mdapi, api_version })
}

fn unexplained(input: &Path, path: &str, why: &str) -> Error {
    Error::Input {
        message: format!("{}: no metadata type explains {path:?}: {why}", input.display()),
        hint: Some(
            "move it to the folder and suffix of its type (see `sfgen convert --help`), or list it in .forceignore"
                .into(),
        ),
    }
}

/// The component an mdapi path belongs to.
fn mdapi_key(path: &str, all: &std::collections::HashSet<String>) -> std::result::Result<ComponentKey, String> {
    let segs: Vec<&str> = path.split('/').collect();
    let ty = registry::by_directory(segs[0]).ok_or_else(|| format!("{}/ is not a metadata folder", segs[0]))?;
    let rest = &segs[1..];
    let file = *rest.last().ok_or("a file directly at the root")?;
    if rest.is_empty() {
        return Err("a file directly at the root".into());
    }
    match ty.shape {
        Shape::Bundle => {
            if rest.len() < 2 {
                return Err(format!("{} files live in a folder per bundle ({}/<name>/...)", ty.name, ty.directory));
            }
            Ok(ComponentKey::new(ty.name, rest[0]))
        }
        _ if ty.folder_type.is_some() => {
            let folder_type = ty.folder_type.unwrap_or_default();
            let rel = rest.join("/");
            // A folder's own metadata: `reports/Sales-meta.xml`, `reports/Sales/Sub-meta.xml`
            // (for documents, `X.png-meta.xml` with `X.png` beside it is a document).
            if let Some(folder) = rel.strip_suffix("-meta.xml") {
                let is_member_meta = match ty.shape {
                    Shape::WithMeta => folder.ends_with(&format!(".{}", ty.suffix)),
                    Shape::AnyExtWithMeta => all.contains(&format!("{}/{folder}", ty.directory)),
                    _ => false,
                };
                if !is_member_meta {
                    return Ok(ComponentKey::new(folder_type, folder));
                }
            }
            if rest.len() < 2 {
                return Err(format!("{} components live in a folder ({}/<Folder>/...)", ty.name, ty.directory));
            }
            match ty.shape {
                Shape::AnyExtWithMeta => {
                    // Documents are named without their extension, as the Salesforce CLI
                    // lists them: documents/F/logo.png → Document:F/logo.
                    let content = rel.strip_suffix("-meta.xml").unwrap_or(&rel);
                    Ok(ComponentKey::new(ty.name, strip_ext(content)))
                }
                Shape::WithMeta => {
                    let base = rel.strip_suffix("-meta.xml").unwrap_or(&rel);
                    let name = base
                        .strip_suffix(&format!(".{}", ty.suffix))
                        .ok_or_else(|| format!("{} files end in .{}", ty.name, ty.suffix))?;
                    Ok(ComponentKey::new(ty.name, name))
                }
                _ => {
                    let name = rel
                        .strip_suffix(&format!(".{}", ty.suffix))
                        .ok_or_else(|| format!("{} files end in .{}", ty.name, ty.suffix))?;
                    Ok(ComponentKey::new(ty.name, name))
                }
            }
        }
        _ => {
            if rest.len() != 1 {
                return Err(format!("{} files sit directly in {}/", ty.name, ty.directory));
            }
            let base = match ty.shape {
                Shape::WithMeta | Shape::AnyExtWithMeta => file.strip_suffix("-meta.xml").unwrap_or(file),
                _ => file,
            };
            let name = base
                .strip_suffix(&format!(".{}", ty.suffix))
                .filter(|n| !n.is_empty())
                .ok_or_else(|| format!("{} files end in .{}", ty.name, ty.suffix))?;
            Ok(ComponentKey::new(ty.name, name))
        }
    }
}

/// Body + `-meta.xml` types need both files.
fn check_pairs(input: &Path, key: &ComponentKey, files: &[MetadataFile], _source: bool) -> Result<()> {
    let Some(ty) = registry::by_name(&key.type_name) else {
        return Ok(());
    };
    if !matches!(ty.shape, Shape::WithMeta | Shape::AnyExtWithMeta) {
        return Ok(());
    }
    let metas = files.iter().filter(|f| f.path.ends_with("-meta.xml")).count();
    let bodies = files.len() - metas;
    if metas == 0 {
        return Err(input_error(
            input,
            format!("{key} has no -meta.xml file ({})", files[0].path),
            "add the -meta.xml file beside it",
        ));
    }
    if bodies == 0 {
        return Err(input_error(
            input,
            format!("{key} has a -meta.xml but no content file ({})", files[0].path),
            "add the content file, or remove the -meta.xml",
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------------------ source

/// What one source file contributes.
enum Part {
    /// A whole file of a component, already at its mdapi path.
    File(ComponentKey, MetadataFile),
    /// The parent file of a decomposed component.
    Parent(&'static MetadataType, String, Vec<u8>, String),
    /// A child file of a decomposed component.
    Child(&'static MetadataType, String, &'static ChildType, String, Vec<u8>, String),
    /// A static resource's `-meta.xml`.
    ResourceMeta(String, Vec<u8>),
    /// A static resource's single content file.
    ResourceFile(String, Vec<u8>, String),
    /// A file inside a static resource folder (relative path inside it).
    ResourceDirFile(String, String, Vec<u8>),
    /// A document's `-meta.xml` (`Folder/Name`).
    DocumentMeta(String, Vec<u8>),
    /// A document's content (`Folder/Name`, extension).
    DocumentFile(String, String, Vec<u8>),
}

/// Converts source-format files (paths relative to a package directory) to a tree.
fn source_tree(input: &Path, files: Vec<RawFile>, ctx: &Ctx<'_>) -> Result<Tree> {
    let mut groups: BTreeMap<ComponentKey, Vec<MetadataFile>> = BTreeMap::new();
    let mut objects: BTreeMap<String, ObjectParts> = BTreeMap::new();
    let mut resources: BTreeMap<String, ResourceParts> = BTreeMap::new();
    let mut documents: BTreeMap<String, DocumentParts> = BTreeMap::new();
    for (path, bytes) in files {
        if is_default_ignored(&path) {
            continue;
        }
        match classify_source(&path, bytes).map_err(|why| unexplained(input, &path, &why))? {
            Part::File(key, file) => groups.entry(key).or_default().push(file),
            Part::Parent(ty, name, bytes, path) => {
                let o = objects.entry(name).or_insert_with(|| ObjectParts::new(ty));
                o.parent = Some((bytes, path));
            }
            Part::Child(ty, name, child, child_name, bytes, path) => {
                objects
                    .entry(name)
                    .or_insert_with(|| ObjectParts::new(ty))
                    .children
                    .push((child, child_name, bytes, path));
            }
            Part::ResourceMeta(name, bytes) => resources.entry(name).or_default().meta = Some(bytes),
            Part::ResourceFile(name, bytes, path) => {
                let r = resources.entry(name).or_default();
                if r.file.is_some() || !r.dir.is_empty() {
                    return Err(input_error(
                        input,
                        format!("static resource has two content files ({path})"),
                        "keep one content file or folder per resource",
                    ));
                }
                r.file = Some(bytes);
            }
            Part::ResourceDirFile(name, rel, bytes) => {
                let r = resources.entry(name).or_default();
                if r.file.is_some() {
                    return Err(input_error(
                        input,
                        format!("static resource {rel} has both a content file and a folder"),
                        "keep one",
                    ));
                }
                r.dir.push((rel, bytes));
            }
            Part::DocumentMeta(name, bytes) => documents.entry(name).or_default().meta = Some(bytes),
            Part::DocumentFile(name, ext, bytes) => {
                let d = documents.entry(name.clone()).or_default();
                if d.file.is_some() {
                    return Err(input_error(
                        input,
                        format!("document {name} has two content files"),
                        "keep one content file per document",
                    ));
                }
                d.file = Some((ext, bytes));
            }
        }
    }
    let mut tree = Tree::new();
    for (key, files) in groups {
        check_pairs(input, &key, &files, true)?;
        tree.insert(Component::new(key, files));
    }
    if ctx.names_only {
        for (name, parts) in objects {
            tree.insert(parts.skeleton(&name));
        }
    } else {
        // Objects are independent; recompose them on every core (results keep their order).
        let objects: Vec<_> = objects.into_iter().collect();
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
        let chunk = objects.len().div_ceil(threads).max(1);
        let mut chunks: Vec<Vec<_>> = Vec::new();
        let mut rest = objects;
        while !rest.is_empty() {
            let tail = rest.split_off(chunk.min(rest.len()));
            chunks.push(std::mem::replace(&mut rest, tail));
        }
        let results: Vec<Result<Vec<Component>>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|part| {
                    s.spawn(move || part.into_iter().map(|(name, parts)| parts.recompose(input, &name)).collect())
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| Err(input_error(input, "recomposing objects failed unexpectedly", "")))
                })
                .collect()
        });
        for components in results {
            for c in components? {
                tree.insert(c);
            }
        }
    }
    for (name, r) in resources {
        tree.insert(r.into_component(input, &name, ctx.names_only)?);
    }
    for (name, d) in documents {
        let Some(meta) = d.meta else {
            return Err(input_error(
                input,
                format!("document {name} has no .document-meta.xml"),
                "add documents/<Folder>/<Name>.document-meta.xml",
            ));
        };
        let Some((ext, bytes)) = d.file else {
            return Err(input_error(
                input,
                format!("document {name} has a .document-meta.xml but no content file"),
                "add the document's file beside it",
            ));
        };
        let full = if ext.is_empty() { name.clone() } else { format!("{name}.{ext}") };
        tree.insert(Component::new(
            ComponentKey::new("Document", name.clone()),
            vec![
                MetadataFile::new(format!("documents/{full}"), bytes),
                MetadataFile::new(format!("documents/{full}-meta.xml"), meta),
            ],
        ));
    }
    Ok(tree)
}

/// Works out what one source path is.
fn classify_source(path: &str, bytes: Vec<u8>) -> std::result::Result<Part, String> {
    let segs: Vec<&str> = path.split('/').collect();
    let idx = segs[..segs.len() - 1]
        .iter()
        .position(|s| registry::by_directory(s).is_some())
        .ok_or("it is not inside a metadata folder such as classes/ or objects/")?;
    let ty = registry::by_directory(segs[idx]).ok_or("unknown folder")?;
    let rest = &segs[idx + 1..];
    let file = rest[rest.len() - 1];
    let dir = ty.directory;
    if !ty.children.is_empty() {
        // objects/<Obj>/<Obj>.object-meta.xml or objects/<Obj>/<childdir>/<Name>.<suffix>-meta.xml
        let obj = rest[0];
        if rest.len() == 2 {
            if file == format!("{obj}.{}-meta.xml", ty.suffix) {
                return Ok(Part::Parent(ty, obj.to_string(), bytes, path.to_string()));
            }
            return Err(format!("expected {dir}/{obj}/{obj}.{}-meta.xml", ty.suffix));
        }
        if rest.len() == 3 {
            let child = ty
                .children
                .iter()
                .find(|c| c.directory == rest[1])
                .ok_or_else(|| format!("{} is not a child folder of {}", rest[1], ty.name))?;
            let name = file
                .strip_suffix(&format!(".{}-meta.xml", child.suffix))
                .filter(|n| !n.is_empty())
                .ok_or_else(|| format!("{} files end in .{}-meta.xml", child.name, child.suffix))?;
            return Ok(Part::Child(ty, obj.to_string(), child, name.to_string(), bytes, path.to_string()));
        }
        return Err(format!(
            "{} files are {dir}/<Object>/<Object>.{}-meta.xml or {dir}/<Object>/<childFolder>/<Name>.<suffix>-meta.xml",
            ty.name, ty.suffix
        ));
    }
    match ty.shape {
        Shape::Bundle => {
            if rest.len() < 2 {
                return Err(format!("{} files live in a folder per bundle ({dir}/<name>/...)", ty.name));
            }
            let key = ComponentKey::new(ty.name, rest[0]);
            Ok(Part::File(key, MetadataFile::new(format!("{dir}/{}", rest.join("/")), bytes)))
        }
        _ if ty.folder_type.is_some() => {
            let folder_type = ty.folder_type.unwrap_or_default();
            let rel = rest.join("/");
            let folder_suffix = format!(".{}-meta.xml", registry::folder_suffix(folder_type));
            if let Some(folder) = rel.strip_suffix(&folder_suffix) {
                return Ok(Part::File(
                    ComponentKey::new(folder_type, folder),
                    MetadataFile::new(format!("{dir}/{folder}-meta.xml"), bytes),
                ));
            }
            if rest.len() < 2 {
                return Err(format!("{} components live in a folder ({dir}/<Folder>/...), whose metadata is {dir}/<Folder>{folder_suffix}", ty.name));
            }
            match ty.shape {
                Shape::AnyExtWithMeta => {
                    if let Some(name) = rel.strip_suffix(&format!(".{}-meta.xml", ty.suffix)) {
                        return Ok(Part::DocumentMeta(name.to_string(), bytes));
                    }
                    let (stem, ext) = match file.rsplit_once('.') {
                        Some((s, e)) if !s.is_empty() => (s, e),
                        _ => (file, ""),
                    };
                    let folder = rest[..rest.len() - 1].join("/");
                    Ok(Part::DocumentFile(format!("{folder}/{stem}"), ext.to_string(), bytes))
                }
                Shape::WithMeta => {
                    let base = rel.strip_suffix("-meta.xml").unwrap_or(&rel);
                    let name = base
                        .strip_suffix(&format!(".{}", ty.suffix))
                        .ok_or_else(|| format!("{} files end in .{0} or .{0}-meta.xml", ty.suffix))?;
                    Ok(Part::File(ComponentKey::new(ty.name, name), MetadataFile::new(format!("{dir}/{rel}"), bytes)))
                }
                _ => {
                    let name = rel
                        .strip_suffix(&format!(".{}-meta.xml", ty.suffix))
                        .ok_or_else(|| format!("{} files end in .{}-meta.xml", ty.name, ty.suffix))?;
                    Ok(Part::File(
                        ComponentKey::new(ty.name, name),
                        MetadataFile::new(format!("{dir}/{name}.{}", ty.suffix), bytes),
                    ))
                }
            }
        }
        Shape::AnyExtWithMeta => {
            // staticresources/X.resource-meta.xml, staticresources/X.<ext>, staticresources/X/...
            if rest.len() >= 2 {
                return Ok(Part::ResourceDirFile(rest[0].to_string(), rest[1..].join("/"), bytes));
            }
            if let Some(name) = file.strip_suffix(&format!(".{}-meta.xml", ty.suffix)) {
                return Ok(Part::ResourceMeta(name.to_string(), bytes));
            }
            let stem = file.split_once('.').map_or(file, |(s, _)| s);
            Ok(Part::ResourceFile(stem.to_string(), bytes, path.to_string()))
        }
        Shape::WithMeta => {
            let base = file.strip_suffix("-meta.xml").unwrap_or(file);
            let name = base
                .strip_suffix(&format!(".{}", ty.suffix))
                .filter(|n| !n.is_empty())
                .ok_or_else(|| format!("{} files end in .{0} or .{0}-meta.xml", ty.suffix))?;
            Ok(Part::File(ComponentKey::new(ty.name, name), MetadataFile::new(format!("{dir}/{file}"), bytes)))
        }
        Shape::Xml => {
            let name = file
                .strip_suffix(&format!(".{}-meta.xml", ty.suffix))
                .filter(|n| !n.is_empty())
                .ok_or_else(|| format!("{} files end in .{}-meta.xml", ty.name, ty.suffix))?;
            Ok(Part::File(
                ComponentKey::new(ty.name, name),
                MetadataFile::new(format!("{dir}/{name}.{}", ty.suffix), bytes),
            ))
        }
    }
}

#[derive(Default)]
struct ResourceParts {
    meta: Option<Vec<u8>>,
    file: Option<Vec<u8>>,
    dir: Vec<(String, Vec<u8>)>,
}

impl ResourceParts {
    fn into_component(self, input: &Path, name: &str, names_only: bool) -> Result<Component> {
        let Some(meta) = self.meta else {
            return Err(input_error(
                input,
                format!("static resource {name} has no {name}.resource-meta.xml"),
                "add staticresources/<Name>.resource-meta.xml with its contentType",
            ));
        };
        let content = match (self.file, self.dir.is_empty()) {
            (Some(bytes), _) => bytes,
            (None, false) if names_only => Vec::new(),
            (None, false) => crate::package::zip_bytes(&self.dir)?,
            (None, true) => {
                return Err(input_error(
                    input,
                    format!("static resource {name} has no content file or folder"),
                    "add the resource's file or folder beside its -meta.xml",
                ))
            }
        };
        Ok(Component::new(
            ComponentKey::new("StaticResource", name),
            vec![
                MetadataFile::new(format!("staticresources/{name}.resource"), content),
                MetadataFile::new(format!("staticresources/{name}.resource-meta.xml"), meta),
            ],
        ))
    }
}

#[derive(Default)]
struct DocumentParts {
    meta: Option<Vec<u8>>,
    file: Option<(String, Vec<u8>)>,
}

struct ObjectParts {
    ty: &'static MetadataType,
    parent: Option<(Vec<u8>, String)>,
    children: Vec<(&'static ChildType, String, Vec<u8>, String)>,
}

impl ObjectParts {
    fn new(ty: &'static MetadataType) -> Self {
        Self { ty, parent: None, children: Vec::new() }
    }

    /// For listing only: an mdapi file naming the children (and, when the parent file exists,
    /// one parent element), which is all [`crate::package::manifest_members`] looks at.
    fn skeleton(self, name: &str) -> Component {
        let mut root = Element::new(self.ty.name);
        if self.parent.is_some() {
            root.children.push(Node::Element(Element::text("label", name)));
        }
        for (child, child_name, _, _) in self.children {
            root.children.push(Node::Element(Element::new(child.element).child(Element::text("fullName", child_name))));
        }
        let path = format!("{}/{name}.{}", self.ty.directory, self.ty.suffix);
        Component::new(ComponentKey::new(self.ty.name, name), vec![MetadataFile::new(path, root.to_document())])
    }

    /// One mdapi file from the parent and its children: every element in the WSDL's sequence
    /// order, the children of each group sorted by fullName as the Salesforce CLI sorts them.
    fn recompose(self, input: &Path, name: &str) -> Result<Component> {
        let mut root = match &self.parent {
            Some((bytes, path)) => {
                let root = xml::parse(bytes).map_err(|e| input_error(input, format!("{path}: {e}"), "fix the XML"))?;
                if root.name != self.ty.name {
                    return Err(input_error(
                        input,
                        format!("{path}: root element is <{}>, expected <{}>", root.name, self.ty.name),
                        format!("use <{}> as the root", self.ty.name),
                    ));
                }
                root
            }
            None => Element::new(self.ty.name),
        };
        root.attributes.retain(|(k, _)| k != "xmlns");
        let mut groups: BTreeMap<&str, Vec<(String, Element)>> = BTreeMap::new();
        for (child, child_name, bytes, path) in self.children {
            let mut el = xml::parse(&bytes).map_err(|e| input_error(input, format!("{path}: {e}"), "fix the XML"))?;
            if el.name != child.name {
                return Err(input_error(
                    input,
                    format!("{path}: root element is <{}>, expected <{}>", el.name, child.name),
                    format!("use <{}> as the root", child.name),
                ));
            }
            el.name = child.element.to_string();
            el.attributes.clear();
            let full = match el.find("fullName") {
                Some(f) => f.text_content(),
                None => {
                    el.children.insert(0, Node::Element(Element::text("fullName", child_name.clone())));
                    child_name.clone()
                }
            };
            if full != child_name {
                return Err(input_error(
                    input,
                    format!("{path}: <fullName>{full}</fullName> does not match the file name {child_name}"),
                    "make them the same",
                ));
            }
            groups.entry(child.element).or_default().push((full, el));
        }
        for (element, mut items) in groups {
            // JavaScript localeCompare, approximately: case-insensitive first, then by case.
            items.sort_by(|a, b| a.0.to_lowercase().cmp(&b.0.to_lowercase()).then_with(|| b.0.cmp(&a.0)));
            for pair in items.windows(2) {
                if pair[0].0 == pair[1].0 {
                    return Err(input_error(
                        input,
                        format!("{name} has two {element} named {}", pair[0].0),
                        "keep one",
                    ));
                }
            }
            // An inline group in the parent is replaced by the child files.
            root.children.retain(|n| !matches!(n, Node::Element(e) if e.name == element));
            root.children.extend(items.into_iter().map(|(_, e)| Node::Element(e)));
        }
        let order = self.ty.element_order;
        if !order.is_empty() {
            // Schema order (what an org retrieve returns and what the XSD validates); the
            // Salesforce CLI appends the child groups after the parent's elements instead.
            // The sort is stable, so children keep their fullName order.
            root.children.sort_by_key(|n| match n {
                Node::Element(e) => order.iter().position(|o| *o == e.name).unwrap_or(usize::MAX),
                Node::Text(_) => usize::MAX,
            });
        }
        let path = format!("{}/{name}.{}", self.ty.directory, self.ty.suffix);
        Ok(Component::new(ComponentKey::new(self.ty.name, name), vec![MetadataFile::new(path, root.to_document())]))
    }
}

// ----------------------------------------------------------------------------- desired

/// The desired state: generated components merged with included trees.
#[derive(Debug, Clone)]
pub struct Desired {
    /// Every component, in mdapi layout.
    pub tree: Tree,
    /// The validated config, unless `--no-generate`.
    pub project: Option<crate::model::Project>,
    /// API version for package.xml.
    pub api_version: String,
}

/// API version used when neither a config nor an included input says.
pub const DEFAULT_API_VERSION: &str = "62.0";

/// Builds the desired state: the config's generated components (unless `no_generate`) plus
/// every `include`d project, folder or zip. A component present in two places is an error
/// naming it, unless `prefer` says whether the generated or the included one wins (two
/// includes defining the same component is always an error).
pub fn desired(
    args: &crate::cli::ConfigArgs,
    include: &[PathBuf],
    prefer: Option<crate::cli::Prefer>,
    no_generate: bool,
    limits: &Limits,
) -> Result<Desired> {
    desired_with(args, include, prefer, no_generate, &Ctx { limits, names_only: false })
}

/// Like [`desired`], with included trees loaded by [`load_names`]: for listing only.
pub fn desired_names(
    args: &crate::cli::ConfigArgs,
    include: &[PathBuf],
    prefer: Option<crate::cli::Prefer>,
    no_generate: bool,
    limits: &Limits,
) -> Result<Desired> {
    desired_with(args, include, prefer, no_generate, &Ctx { limits, names_only: true })
}

fn desired_with(
    args: &crate::cli::ConfigArgs,
    include: &[PathBuf],
    prefer: Option<crate::cli::Prefer>,
    no_generate: bool,
    ctx: &Ctx<'_>,
) -> Result<Desired> {
    let (mut tree, project, mut api_version) = if no_generate {
        (Tree::new(), None, None)
    } else {
        let (_, project) = crate::ops::load_project(args)?;
        let tree = crate::render::render(&project);
        let version = project.api_version.to_string();
        (tree, Some(project), Some(version))
    };
    let mut origin: BTreeMap<ComponentKey, PathBuf> = BTreeMap::new();
    for path in include {
        let loaded = load(path, ctx)?;
        if api_version.is_none() {
            api_version = loaded.api_version.clone();
        }
        for (key, component) in loaded.tree.components {
            if let Some(first) = origin.get(&key) {
                return Err(Error::Input {
                    message: format!("{key} is in both {} and {}", first.display(), path.display()),
                    hint: Some("remove it from one of the included inputs".into()),
                });
            }
            origin.insert(key.clone(), path.clone());
            if tree.get(&key).is_some() {
                match prefer {
                    Some(crate::cli::Prefer::Generated) => continue,
                    Some(crate::cli::Prefer::Include) => {}
                    None => {
                        return Err(Error::Input {
                            message: format!("{key} is both generated from the config and included from {}", path.display()),
                            hint: Some("pass --prefer generated or --prefer include to say which one ships, or remove it from the included project".into()),
                        })
                    }
                }
            }
            tree.insert(component);
        }
    }
    Ok(Desired { tree, project, api_version: api_version.unwrap_or_else(|| DEFAULT_API_VERSION.to_string()) })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (p, c) in files {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, c).unwrap();
        }
    }

    const NS: &str = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";

    fn project(root: &Path) {
        let field = |n: &str| {
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField {NS}>\n    <fullName>{n}</fullName>\n    <label>{n}</label>\n    <type>Checkbox</type>\n    <defaultValue>false</defaultValue>\n</CustomField>\n")
        };
        write(
            root,
            &[
                (
                    "sfdx-project.json",
                    r#"{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"61.0"}"#,
                ),
                (".forceignore", "**/jsconfig.json\n**/__tests__/**\n"),
                ("force-app/main/default/classes/A.cls", "public class A {}"),
                ("force-app/main/default/classes/A.cls-meta.xml", "<ApexClass/>"),
                ("force-app/main/default/lwc/jsconfig.json", "{}"),
                ("force-app/main/default/lwc/hello/hello.js", "export default class {}"),
                ("force-app/main/default/lwc/hello/hello.js-meta.xml", "<LightningComponentBundle/>"),
                ("force-app/main/default/lwc/hello/__tests__/hello.test.js", "test"),
                ("force-app/main/default/remoteSiteSettings/Api.remoteSite-meta.xml", "<RemoteSiteSetting/>"),
                (
                    "force-app/main/default/objects/Invoice__c/Invoice__c.object-meta.xml",
                    &format!(
                        "<?xml version=\"1.0\"?>\n<CustomObject {NS}>\n    <label>Invoice</label>\n</CustomObject>\n"
                    ),
                ),
                ("force-app/main/default/objects/Invoice__c/fields/Paid__c.field-meta.xml", &field("Paid__c")),
                ("force-app/main/default/objects/Invoice__c/fields/Due__c.field-meta.xml", &field("Due__c")),
                ("force-app/main/default/objects/Account/fields/Vip__c.field-meta.xml", &field("Vip__c")),
                ("force-app/main/default/staticresources/lib.resource-meta.xml", "<StaticResource/>"),
                ("force-app/main/default/staticresources/lib/js/a.js", "a"),
                ("force-app/main/default/reports/Sales.reportFolder-meta.xml", "<ReportFolder/>"),
                ("force-app/main/default/reports/Sales/Pipeline.report-meta.xml", "<Report/>"),
                ("force-app/main/default/documents/Docs/logo.png", "PNG"),
                ("force-app/main/default/documents/Docs/logo.document-meta.xml", "<Document/>"),
                ("force-app/main/default/documents/Docs.documentFolder-meta.xml", "<DocumentFolder/>"),
            ],
        );
    }

    fn keys(tree: &Tree) -> Vec<String> {
        tree.components.keys().map(ToString::to_string).collect()
    }

    #[test]
    fn loads_an_sfdx_project_into_mdapi_layout() {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path());
        let loaded = load_tree(dir.path(), &Limits::default()).unwrap();
        assert_eq!(loaded.format, SourceFormat::Source);
        assert_eq!(loaded.api_version.as_deref(), Some("61.0"));
        assert_eq!(
            keys(&loaded.tree),
            [
                "ApexClass:A",
                "CustomObject:Account",
                "CustomObject:Invoice__c",
                "Document:Docs/logo",
                "DocumentFolder:Docs",
                "LightningComponentBundle:hello",
                "RemoteSiteSetting:Api",
                "Report:Sales/Pipeline",
                "ReportFolder:Sales",
                "StaticResource:lib",
            ]
        );
        let paths: Vec<&str> = loaded.tree.files().into_iter().map(|f| f.path.as_str()).collect();
        assert!(paths.contains(&"remoteSiteSettings/Api.remoteSite"), "{paths:?}");
        assert!(paths.contains(&"reports/Sales-meta.xml"), "{paths:?}");
        assert!(paths.contains(&"documents/Docs/logo.png-meta.xml"), "{paths:?}");
        assert!(!paths.iter().any(|p| p.contains("__tests__") || p.contains("jsconfig")), "{paths:?}");
        let obj = String::from_utf8(
            loaded.tree.get(&ComponentKey::new("CustomObject", "Invoice__c")).unwrap().files[0].bytes.clone(),
        )
        .unwrap();
        let (label, due, paid) =
            (obj.find("<label>Invoice").unwrap(), obj.find("Due__c").unwrap(), obj.find("Paid__c").unwrap());
        assert!(due < paid && paid < label, "fields sort by name and come before <label> (WSDL order): {obj}");
        let manifest = crate::package::manifest_members(&loaded.tree);
        assert_eq!(manifest["CustomObject"], ["Invoice__c"]);
        assert_eq!(manifest["CustomField"], ["Account.Vip__c", "Invoice__c.Due__c", "Invoice__c.Paid__c"]);
        let res = loaded.tree.get(&ComponentKey::new("StaticResource", "lib")).unwrap();
        let inner = crate::archive::read_zip(Path::new("r"), &res.files[0].bytes, &Limits::default()).unwrap();
        assert_eq!(inner, vec![("js/a.js".to_string(), b"a".to_vec())]);
    }

    #[test]
    fn listing_without_reading_gives_the_same_manifest() {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path());
        write(
            dir.path(),
            &[(
                "force-app/main/default/labels/CustomLabels.labels-meta.xml",
                &format!("<CustomLabels {NS}><labels><fullName>Hi</fullName></labels></CustomLabels>"),
            )],
        );
        let full = load_tree(dir.path(), &Limits::default()).unwrap();
        let names = load_names(dir.path(), &Limits::default()).unwrap();
        let members = crate::package::manifest_members(&full.tree);
        assert!(members["CustomLabel"].contains(&"Hi".to_string()));
        assert_eq!(crate::package::manifest_members(&names.tree), members);
        // The same for the mdapi form.
        let out = tempfile::tempdir().unwrap();
        let mut files = crate::output::mdapi_files(&full.tree, "61.0");
        files.retain(|(p, _)| p != "package.xml");
        files.push(("package.xml".into(), crate::package::package_xml(&full.tree, "61.0").into_bytes()));
        crate::output::write_all(out.path(), &files).unwrap();
        let names = load_names(out.path(), &Limits::default()).unwrap();
        assert_eq!(crate::package::manifest_members(&names.tree), members);
    }

    #[test]
    fn streaming_xml_check_agrees_with_the_parser() {
        let cases: &[&[u8]] = &[
            b"<?xml version=\"1.0\"?>\n<A xmlns=\"x\"><b>1 &amp; &#65;</b><c/></A>\n",
            b"<A/>",
            b"<!DOCTYPE a [<!ENTITY x \"y\">]><A>&x;</A>",
            b"<A>&nope;</A>",
            b"<A><b></A>",
            b"<A/><B/>",
            b"text<A/>",
            b"",
            b"<A>\xff</A>",
            b"<A x=\"&bad;\"/>",
            b"<!-- c --><A><![CDATA[<x>]]></A>",
        ];
        for c in cases {
            assert_eq!(check_xml(c).is_ok(), xml::parse(c).is_ok(), "{}", String::from_utf8_lossy(c));
        }
        let deep = format!("{}{}", "<a>".repeat(xml::MAX_DEPTH + 1), "</a>".repeat(xml::MAX_DEPTH + 1));
        assert_eq!(check_xml(deep.as_bytes()).is_ok(), xml::parse(deep.as_bytes()).is_ok());
        let ok = format!("{}{}", "<a>".repeat(xml::MAX_DEPTH), "</a>".repeat(xml::MAX_DEPTH));
        assert_eq!(check_xml(ok.as_bytes()).is_ok(), xml::parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn unexplained_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path());
        write(dir.path(), &[("force-app/main/default/classes/README.md", "hi")]);
        let e = load_tree(dir.path(), &Limits::default()).unwrap_err().to_string();
        assert!(e.contains("classes/README.md"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        project(dir.path());
        write(dir.path(), &[("force-app/main/default/remoteSites/X.remoteSite-meta.xml", "<x/>")]);
        let e = load_tree(dir.path(), &Limits::default()).unwrap_err().to_string();
        assert!(e.contains("remoteSites/X.remoteSite-meta.xml"), "{e}");
    }

    #[test]
    fn missing_meta_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[("classes/A.cls", "x"), ("classes/B.cls", "x"), ("classes/B.cls-meta.xml", "<ApexClass/>")],
        );
        let e = load_tree(dir.path(), &Limits::default()).unwrap_err().to_string();
        assert!(e.contains("ApexClass:A"), "{e}");
    }

    #[test]
    fn mdapi_folder_and_zip_agree_with_source() {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path());
        let source = load_tree(dir.path(), &Limits::default()).unwrap();
        let mut files = crate::output::mdapi_files(&source.tree, "61.0");
        files.retain(|(p, _)| p != "package.xml");
        files.push(("package.xml".into(), crate::package::package_xml(&source.tree, "61.0").into_bytes()));
        let out = tempfile::tempdir().unwrap();
        crate::output::write_all(out.path(), &files).unwrap();
        let mdapi = load_tree(out.path(), &Limits::default()).unwrap();
        assert_eq!(mdapi.format, SourceFormat::Mdapi);
        assert_eq!(mdapi.tree, source.tree);
        assert_eq!(mdapi.api_version.as_deref(), Some("61.0"));
        let zipped: Vec<RawFile> = files.iter().map(|(p, b)| (format!("unpackaged/{p}"), b.clone())).collect();
        let zip_path = out.path().join("../retrieve-test.zip");
        std::fs::write(&zip_path, crate::package::zip_bytes(&zipped).unwrap()).unwrap();
        let from_zip = load_tree(&zip_path, &Limits::default()).unwrap();
        std::fs::remove_file(&zip_path).unwrap();
        assert_eq!(from_zip.tree, source.tree);
    }

    #[test]
    fn bare_source_folder_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("main/default/classes/A.cls", "x"),
                ("main/default/classes/A.cls-meta.xml", "<ApexClass/>"),
                (".DS_Store", "x"),
            ],
        );
        let loaded = load_tree(dir.path(), &Limits::default()).unwrap();
        assert!(loaded.tree.get(&ComponentKey::new("ApexClass", "A")).is_some());
    }
}
