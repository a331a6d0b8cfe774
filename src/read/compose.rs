//! From resolved components to Metadata API components, one at a time.
//!
//! [`units`] turns what the resolver found into [`Unit`]s: one per mdapi component, knowing which
//! files it is made of and how (copied, recomposed from a decomposed folder, merged like custom
//! labels, zipped like a static resource folder), but holding no bytes. [`Unit::load`] reads and
//! builds one component; [`Unit::members`] says what package.xml lists for it, reading only the
//! few files that decide it. So a whole project is listed without reading it, and a command that
//! goes through its components holds one at a time.
//!
//! The conversion follows the Salesforce CLI (source-deploy-retrieve's transformers): a
//! decomposed parent gets its children grouped by element and sorted by name, placed in the
//! WSDL's element order (the order an org retrieve returns; the CLI appends them after the
//! parent's own elements, which the deploy accepts as well); every `CustomLabels` file of every
//! package directory is merged into `labels/CustomLabels.labels`; a static resource folder becomes
//! a deterministic zip.

use super::ignore::ForceIgnore;
use super::resolve::SourceComponent;
use super::vfs::{FileId, Vfs};
use crate::error::{Error, Result};
use crate::metadata::{Component, ComponentKey, MetadataFile, Raw};
use crate::sf::manifest::child_name;
use crate::sf::paths::{self, Layout};
use crate::sf::registry::{registry, Adapter, MdType, Transformer};
use crate::sf::xml::{self, Element, Node};
use std::collections::BTreeMap;

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// How a unit's files are made.
#[derive(Debug, Clone)]
enum Recipe {
    /// Files copied as they are.
    Files(Vec<FileRef>),
    /// A decomposed component: the parent's XML (if any) and its children's files, recomposed
    /// into one mdapi file.
    Recompose { parent: Option<FileId>, children: Vec<(&'static MdType, FileId)>, out: String },
    /// Files whose children are merged into one (custom labels); one file is copied as is.
    Merge { files: Vec<String>, out: String },
    /// A static resource: its `-meta.xml` and a content file or folder.
    StaticResource { xml: String, content: String, folder: bool, name: String },
}

/// A file of a component copied as it is: where it is in the input and where it goes in mdapi
/// layout (kept only when the two differ: an mdapi input's files stay where they are).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileRef {
    src: FileId,
    dest: Option<Box<str>>,
    /// It is the component's metadata XML (checked when read).
    is_xml: bool,
}

impl FileRef {
    fn new(vfs: &Vfs, src: &str, dest: String, is_xml: bool) -> Result<Self> {
        let dest = (dest != src).then(|| dest.into_boxed_str());
        Ok(Self { src: vfs.file(src)?, dest, is_xml })
    }

    fn src<'a>(&self, vfs: &'a Vfs) -> &'a str {
        vfs.path(self.src)
    }

    fn dest<'a>(&'a self, vfs: &'a Vfs) -> &'a str {
        self.dest.as_deref().unwrap_or_else(|| vfs.path(self.src))
    }
}

/// One Metadata API component of an input, not yet read.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Its key.
    pub key: ComponentKey,
    /// Its type.
    pub ty: &'static MdType,
    recipe: Recipe,
}

/// A decomposed component being gathered: its parent file, its children's files, its type.
type Decomposed = (Option<FileId>, Vec<(&'static MdType, FileId)>, &'static MdType);

/// Groups the resolved components of an input into units (sorted by key). `mdapi` says the input
/// is in Metadata API layout already (its files are kept where they are).
pub fn units(vfs: &Vfs, found: Vec<SourceComponent>, mdapi: bool, ignore: &ForceIgnore) -> Result<Vec<Unit>> {
    let reg = registry();
    // Units copied as they are, in the order found, each with whether it is a further piece of a
    // multi-part component (joined to the first piece below) rather than a second definition.
    let mut plain: Vec<(Unit, bool)> = Vec::new();
    let mut recompose: BTreeMap<ComponentKey, Decomposed> = BTreeMap::new();
    let mut merges: BTreeMap<ComponentKey, (Vec<String>, &'static MdType)> = BTreeMap::new();
    let mut scanned: std::collections::HashSet<String> = std::collections::HashSet::new();
    fn twice(vfs: &Vfs, first: &Unit, unit: &Unit) -> Error {
        Error::Input {
            message: format!(
                "{}: {} is defined twice ({} and {})",
                vfs.input().display(),
                unit.key,
                first.origin(vfs),
                unit.origin(vfs)
            ),
            hint: Some("keep one definition (two package directories may not hold the same component)".into()),
        }
    }
    for c in found {
        // A decomposed child belongs to its parent's unit.
        let (top, child) = match c.parent.clone() {
            Some(p) if matches!(p.ty.transformer, Transformer::Decomposed) => (*p, Some(c)),
            _ => (c, None),
        };
        let ty = top.ty;
        let full_name = top.full_name();
        let key_type = ty.name.clone();
        let key = ComponentKey::new(key_type, full_name.clone());
        match ty.transformer {
            Transformer::Decomposed if !mdapi => {
                let entry = recompose.entry(key).or_insert_with(|| (None, Vec::new(), ty));
                if entry.0.is_none() {
                    entry.0 = top.xml.as_deref().and_then(|x| vfs.id(x));
                }
                if let Some(child) = child {
                    if let Some(x) = child.xml {
                        entry.1.push((child.ty, vfs.file(&x)?));
                    }
                }
                // Children the walk does not list on their own (unaddressable ones) are found
                // in the parent's folder, as the CLI's `getChildren` finds them: once per
                // folder (every child of a component names its parent's folder again).
                if let Some(dir) = top.content.as_deref().filter(|d| scanned.insert(d.to_string())) {
                    for path in vfs.files_under(dir) {
                        if ignore.denies(path, false) {
                            continue;
                        }
                        let Some(suffix) = paths::parse_metadata_xml(path).and_then(|m| m.suffix) else { continue };
                        if ty.has_suffix(&suffix) {
                            continue;
                        }
                        if let Some(ct) = reg.child_by_suffix(ty, &suffix) {
                            entry.1.push((ct, vfs.file(path)?));
                        }
                    }
                }
            }
            Transformer::NonDecomposed => {
                let entry = merges.entry(key).or_insert_with(|| (Vec::new(), ty));
                if let Some(x) = top.xml {
                    entry.0.push(x);
                }
            }
            Transformer::StaticResource if !mdapi => {
                let (Some(xml), Some(content)) = (top.xml.clone(), top.content.clone()) else {
                    return Err(missing(vfs, &key));
                };
                let folder = vfs.is_dir(&content);
                let name = crate::sf::paths::base_name(&content).to_string();
                plain.push((Unit { key, ty, recipe: Recipe::StaticResource { xml, content, folder, name } }, false));
            }
            _ => {
                let files = if mdapi { mdapi_files(vfs, &top)? } else { source_files(vfs, &top, ignore)? };
                if files.is_empty() {
                    continue;
                }
                // Several resolved pieces of one component (a bundle's or digital experience's
                // parts) are one unit.
                let piece = child.is_none() && top.parent.is_none() && is_multi_part(ty);
                plain.push((Unit { key, ty, recipe: Recipe::Files(files) }, piece));
            }
        }
    }
    // Sorted by key, stably: of two with one key, the first found stays first.
    plain.sort_by(|a, b| a.0.key.cmp(&b.0.key));
    let mut out: Vec<Unit> = Vec::with_capacity(plain.len() + recompose.len() + merges.len());
    for (unit, piece) in plain {
        match out.last_mut() {
            Some(first) if first.key == unit.key => match (&mut first.recipe, unit.recipe) {
                (Recipe::Files(existing), Recipe::Files(files)) if piece => {
                    for f in files {
                        if !existing.contains(&f) {
                            existing.push(f);
                        }
                    }
                }
                (_, recipe) => return Err(twice(vfs, first, &Unit { recipe, ..unit })),
            },
            _ => out.push(unit),
        }
    }
    for (key, (parent, mut children, ty)) in recompose {
        // Ids are in path order.
        children.sort_by_key(|c| c.1);
        children.dedup_by(|a, b| a.1 == b.1);
        children.shrink_to_fit();
        let out_path = format!("{}/{}.{}", ty.directory_name, key.full_name, ty.suffix.as_deref().unwrap_or(""));
        out.push(Unit { key, ty, recipe: Recipe::Recompose { parent, children, out: out_path } });
    }
    for (key, (mut files, ty)) in merges {
        files.sort();
        files.dedup();
        let out_path = format!("{}/{}.{}", ty.directory_name, key.full_name, ty.suffix.as_deref().unwrap_or(""));
        out.push(Unit { key, ty, recipe: Recipe::Merge { files, out: out_path } });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

fn is_multi_part(ty: &MdType) -> bool {
    matches!(ty.adapter, Adapter::DigitalExperience)
}

fn missing(vfs: &Vfs, key: &ComponentKey) -> Error {
    Error::Input {
        message: format!("{}: {key} is missing its -meta.xml or its content", vfs.input().display()),
        hint: Some("give every component both files".into()),
    }
}

/// The files of a component of an mdapi-layout input: where they are.
fn mdapi_files(vfs: &Vfs, c: &SourceComponent) -> Result<Vec<FileRef>> {
    let same = |p: &str, is_xml| Ok::<_, Error>(FileRef { src: vfs.file(p)?, dest: None, is_xml });
    let mut files: Vec<FileRef> = Vec::new();
    if let Some(content) = &c.content {
        if vfs.is_dir(content) {
            for p in vfs.files_under(content).filter(|p| Some(*p) != c.xml.as_deref()) {
                files.push(same(p, false)?);
            }
        } else {
            files.push(same(content, false)?);
        }
    }
    if let Some(x) = &c.xml {
        if !files.iter().any(|f| f.src(vfs) == x) {
            files.push(same(x, true)?);
        }
    }
    Ok(files)
}

/// The files of a component of a source-layout input, with their mdapi paths
/// (`DefaultMetadataTransformer.toMetadataFormat`).
fn source_files(vfs: &Vfs, c: &SourceComponent, ignore: &ForceIgnore) -> Result<Vec<FileRef>> {
    let full_name = c.full_name();
    let parent_type = c.parent_type;
    let mut files: Vec<FileRef> = Vec::new();
    if let Some(content) = &c.content {
        let walked: Vec<&str> = if vfs.is_dir(content) {
            vfs.files_under(content).filter(|p| !ignore.denies(p, false)).collect()
        } else {
            vec![content.as_str()]
        };
        for p in walked {
            if Some(p) != c.xml.as_deref() {
                let dest = paths::relative_path(c.ty, parent_type, &full_name, p);
                files.push(FileRef::new(vfs, p, dest, false)?);
            }
        }
    }
    if let Some(x) = &c.xml {
        if vfs.is_file(x) {
            let dest = paths::xml_destination(Layout::Mdapi, c.ty, parent_type, &full_name, x, c.content.as_deref());
            files.push(FileRef::new(vfs, x, dest, true)?);
        }
    }
    Ok(files)
}

impl Unit {
    /// The root element its metadata file must have ([`root_element`]).
    fn root_element(&self) -> String {
        root_element(self.ty, &self.key.full_name)
    }

    /// The unit's first file in the input (for messages).
    fn origin<'a>(&'a self, vfs: &'a Vfs) -> &'a str {
        match &self.recipe {
            Recipe::Files(f) => f.first().map_or("", |f| f.src(vfs)),
            Recipe::StaticResource { xml, .. } => xml,
            Recipe::Recompose { out, .. } | Recipe::Merge { out, .. } => out,
        }
    }

    /// Each mdapi file of the unit with the input file it comes from: a copied file keeps its
    /// lines, so findings on it can name the input's file; a recomposed or merged one is named
    /// after its first input file (the object's own file).
    pub fn file_origins<'a>(&'a self, vfs: &'a Vfs) -> Vec<(String, &'a str)> {
        match &self.recipe {
            Recipe::Files(f) => f.iter().map(|f| (f.dest(vfs).to_string(), f.src(vfs))).collect(),
            Recipe::Recompose { parent, children, out } => parent
                .iter()
                .chain(children.iter().map(|(_, p)| p))
                .next()
                .map(|&id| vec![(out.clone(), vfs.path(id))])
                .unwrap_or_default(),
            Recipe::Merge { files, out } => files.first().map(|f| vec![(out.clone(), f.as_str())]).unwrap_or_default(),
            Recipe::StaticResource { xml, content, name, .. } => vec![
                (format!("staticresources/{name}.resource-meta.xml"), xml.as_str()),
                (format!("staticresources/{name}.resource"), content.as_str()),
            ],
        }
    }

    /// The unit's files in the input (for messages and hashing), sorted.
    pub fn sources<'a>(&'a self, vfs: &'a Vfs) -> Vec<&'a str> {
        let mut v: Vec<&str> = match &self.recipe {
            Recipe::Files(f) => f.iter().map(|f| f.src(vfs)).collect(),
            Recipe::Recompose { parent, children, .. } => {
                parent.iter().chain(children.iter().map(|(_, p)| p)).map(|&id| vfs.path(id)).collect()
            }
            Recipe::Merge { files, .. } => files.iter().map(String::as_str).collect(),
            Recipe::StaticResource { xml, content, .. } => vec![xml.as_str(), content.as_str()],
        };
        v.sort_unstable();
        v
    }

    /// Reads and builds the component.
    pub fn load(&self, vfs: &Vfs) -> Result<Component> {
        let files = match &self.recipe {
            Recipe::Files(files) => {
                let mut out = Vec::with_capacity(files.len());
                for f in files {
                    let bytes = vfs.read_id(f.src)?;
                    if f.is_xml {
                        check_metadata_xml(vfs, f.src(vfs), &bytes, &self.root_element())?;
                    }
                    out.push(MetadataFile::new(f.dest(vfs).to_string(), bytes));
                }
                out
            }
            Recipe::Recompose { parent, children, out } => {
                vec![MetadataFile::new(out.clone(), recompose(vfs, self.ty, *parent, children)?)]
            }
            Recipe::Merge { files, out } => vec![MetadataFile::new(out.clone(), merge(vfs, self.ty, files)?)],
            Recipe::StaticResource { xml, content, folder, name } => {
                let meta = vfs.read(xml)?;
                check_metadata_xml(vfs, xml, &meta, "StaticResource")?;
                let body = if *folder {
                    let content_type = content_type_of(&meta);
                    if !crate::sf::mime::is_archive(&content_type) {
                        return Err(Error::Input {
                            message: format!(
                                "{}: static resource {name} is a folder, but its contentType is {:?}",
                                vfs.input().display(),
                                content_type
                            ),
                            hint: Some("a static resource folder needs <contentType>application/zip</contentType> (it is zipped on deploy)".into()),
                        });
                    }
                    let prefix = format!("{content}/");
                    let mut entries = Vec::new();
                    for p in vfs.files_under(content) {
                        entries.push((p[prefix.len()..].to_string(), vfs.read(p)?));
                    }
                    if entries.is_empty() {
                        return Err(missing(vfs, &self.key));
                    }
                    crate::zip_write::zip_bytes(&entries)?
                } else {
                    vfs.read(content)?
                };
                vec![
                    MetadataFile::new(format!("staticresources/{name}.resource"), body),
                    MetadataFile::new(format!("staticresources/{name}.resource-meta.xml"), meta),
                ]
            }
        };
        Ok(Component::new(self.key.clone(), files))
    }

    /// The unit's files as the input holds them, read but not checked, recomposed or merged.
    /// Equal raw forms build byte-identical components: recomposing depends only on each file's
    /// type, name and bytes (never on the folder above the type's folder), copying only on the
    /// mdapi path and the bytes. So a diff compares raw forms first and parses XML only where
    /// they differ.
    pub fn raw(&self, vfs: &Vfs) -> Result<Raw> {
        let mut entries = Vec::new();
        match &self.recipe {
            Recipe::Files(files) => {
                for f in files {
                    entries.push((format!("file:{}", f.dest(vfs)), vfs.read_id(f.src)?));
                }
            }
            Recipe::Recompose { parent, children, out } => {
                entries.push((format!("recompose:{out}"), Vec::new()));
                if let Some(p) = *parent {
                    entries.push((format!("parent:{}/{}", self.ty.name, last_segment(vfs.path(p))), vfs.read_id(p)?));
                }
                for &(ct, id) in children {
                    entries.push((format!("child:{}/{}", ct.name, last_segment(vfs.path(id))), vfs.read_id(id)?));
                }
            }
            Recipe::Merge { files, out } => {
                // Which files merge into one is decided by their paths: no shortcut across layouts.
                entries.push((format!("merge:{out}"), Vec::new()));
                for f in files {
                    entries.push((format!("merged:{f}"), vfs.read(f)?));
                }
            }
            Recipe::StaticResource { xml, content, folder, name } => {
                entries.push((format!("resource:{name}:{folder}"), vfs.read(xml)?));
                if *folder {
                    let prefix = format!("{content}/");
                    for p in vfs.files_under(content) {
                        entries.push((format!("entry:{}", &p[prefix.len()..]), vfs.read(p)?));
                    }
                } else {
                    entries.push(("content".into(), vfs.read(content)?));
                }
            }
        }
        entries.sort();
        Ok(Raw::new(entries))
    }

    /// What package.xml lists for this unit (type, member), reading only what decides it: the
    /// parent XML of a decomposed component, the files of a component whose children are inline.
    pub fn members(&self, vfs: &Vfs) -> Result<Vec<(String, String)>> {
        match &self.recipe {
            Recipe::Recompose { parent, children, .. } => {
                let reg = registry();
                let mut out = Vec::new();
                for (ct, id) in children {
                    let path = vfs.path(*id);
                    if !ct.is_addressable {
                        continue;
                    }
                    let name = paths::parse_metadata_xml(path).map(|m| m.full_name).unwrap_or_default();
                    let member = if ct.ignore_parent_name { name } else { format!("{}.{name}", self.key.full_name) };
                    out.push((ct.name.clone(), member));
                }
                let has_values = match *parent {
                    Some(p) => xml::parse(&vfs.read_id(p)?).is_ok_and(|root| root.elements().next().is_some()),
                    None => false,
                };
                let skippable = reg.children_of(self.ty).any(|c| !c.unaddressable_without_parent)
                    && reg.children_of(self.ty).any(|c| c.is_addressable);
                if has_values || !skippable {
                    out.push((self.ty.name.clone(), self.key.full_name.clone()));
                }
                Ok(out)
            }
            _ if self.ty.children.is_some() || self.ty.folder_content_type.is_some() => {
                Ok(crate::sf::manifest::members_of(&self.load(vfs)?))
            }
            _ => Ok(crate::sf::manifest::members_of(&Component::new(self.key.clone(), Vec::new()))),
        }
    }
}

/// Refuses metadata XML that is not well formed as XML 1.0 says (control characters, DOCTYPE and
/// entities, nesting too deep, malformed markup) or whose root is not `<expected>` in the Metadata
/// API namespace, naming the file: sfgen never expands an entity, and a file it cannot read as
/// XML, or that is not the metadata it claims to be, would otherwise reach a deploy or a diff as
/// raw text. Only a component's metadata file is checked; the content of documents, static
/// resources and bundles is left alone.
/// Refuses metadata XML no tool can read (not well-formed, a DOCTYPE or entities, runaway
/// nesting). A root that is not the file's type, or a root outside the Metadata API namespace, is
/// what `sf project convert source` copies without a word (a public project ships a
/// `.featureParameterInteger-meta.xml` whose root is `<FeatureParameterBoolean>`): read as sf
/// reads it, with a warning naming the file, since the deploy may refuse it.
fn check_metadata_xml(vfs: &Vfs, src: &str, bytes: &[u8], expected: &str) -> Result<()> {
    if xml::check_root(bytes).is_ok() {
        if let Err(why) = xml::check_metadata(bytes, expected) {
            let shown = vfs.disk_path(src).unwrap_or_else(|| src.to_string());
            vfs.note(format!(
                "{}: {why}; read as sf reads it (by its folder and suffix), but the deploy may refuse it",
                crate::printable::field(&shown)
            ));
        }
        return Ok(());
    }
    xml::check_metadata(bytes, expected).map_err(|e| Error::Input {
        message: format!(
            "{}: refusing entry {:?}: not readable metadata XML: {e}",
            vfs.input().display(),
            crate::printable::field(src)
        ),
        hint: Some(format!(
            "a metadata file is well-formed XML 1.0 with the root <{expected} xmlns=\"{}\">, no DOCTYPE or entities; re-retrieve or fix the file",
            crate::sf::MD_NAMESPACE
        )),
    })
}

/// The root element of a type's metadata file: the type's name, or for a settings file the
/// `<X>Settings` of its name (`settings/Account.settings` holds `<AccountSettings>`).
pub fn root_element(ty: &MdType, full_name: &str) -> String {
    if ty.name == "Settings" {
        format!("{full_name}Settings")
    } else {
        ty.name.clone()
    }
}

/// Whether the file at `path` (either layout) is metadata XML: a `-meta.xml`, package.xml or a
/// destructive manifest, or a single-file XML component (`remoteSiteSettings/X.remoteSite`).
pub fn is_metadata_xml_path(path: &str) -> bool {
    let name = paths::basename(path);
    name.ends_with("-meta.xml")
        || path == "package.xml"
        || (!path.contains('/') && name.starts_with("destructiveChanges") && name.ends_with(".xml"))
        || (!name.ends_with(".xml") && crate::sf::compare::kind_of(path) == crate::sf::compare::FileKind::Xml)
}

fn content_type_of(meta: &[u8]) -> String {
    xml::parse(meta).ok().and_then(|r| r.find("contentType").map(Element::text_content)).unwrap_or_default()
}

fn parse_root(vfs: &Vfs, path: &str, expected: &str) -> Result<Element> {
    let root = xml::parse(&vfs.read(path)?).map_err(|e| Error::Input {
        message: format!("{}: {path}: {e}", vfs.input().display()),
        hint: Some("fix the XML".into()),
    })?;
    if root.name != expected {
        // As for copied files (see check_metadata_xml): sf recomposes it all the same.
        let shown = vfs.disk_path(path).unwrap_or_else(|| path.to_string());
        vfs.note(format!(
            "{}: root element is <{}>, expected <{expected}>; read as sf reads it (by its folder and suffix), but the deploy may refuse it",
            crate::printable::field(&shown),
            root.name
        ));
    }
    Ok(root)
}

/// The recomposed mdapi XML of a decomposed component.
fn recompose(
    vfs: &Vfs,
    ty: &MdType,
    parent: Option<FileId>,
    children: &[(&'static MdType, FileId)],
) -> Result<Vec<u8>> {
    let mut root = match parent.map(|id| vfs.path(id)) {
        Some(p) => parse_root(vfs, p, &ty.name)?,
        None => Element::new(ty.name.as_str()),
    };
    root.attributes.retain(|(k, _)| k != "xmlns");
    let mut groups: BTreeMap<String, Vec<(String, Element)>> = BTreeMap::new();
    for (ct, id) in children {
        let path = vfs.path(*id);
        let mut el = parse_root(vfs, path, &ct.name)?;
        el.name = ct.xml_element().to_string();
        el.attributes.clear();
        let name = child_name(&el, ct);
        if el.find("fullName").is_none() && ct.unique_id_element.is_none() {
            // The file name is the child's name; mdapi needs it inside.
            let file_name = paths::parse_metadata_xml(path).map(|m| m.full_name).unwrap_or_default();
            el.children.insert(0, Node::Element(Element::text("fullName", file_name.clone())));
            groups.entry(el.name.clone()).or_default().push((file_name, el));
            continue;
        }
        groups.entry(el.name.clone()).or_default().push((name, el));
    }
    for (element, mut items) in groups {
        items.sort_by(|a, b| locale_cmp(&a.0, &b.0));
        // A group inline in the parent file is replaced by the child files.
        root.children.retain(|n| !matches!(n, Node::Element(e) if e.name == element));
        root.children.extend(items.into_iter().map(|(_, e)| Node::Element(e)));
    }
    if let Some(order) = registry().element_order(&ty.name) {
        // Schema order, stable: children keep their name order.
        root.children.sort_by_key(|n| match n {
            Node::Element(e) => order.iter().position(|o| *o == e.name).unwrap_or(usize::MAX),
            Node::Text(_) => usize::MAX,
        });
    }
    Ok(root.to_document().into_bytes())
}

/// Custom labels of several files merged into one, sorted by name; a single file is kept as is.
fn merge(vfs: &Vfs, ty: &MdType, files: &[String]) -> Result<Vec<u8>> {
    if let [one] = files {
        return vfs.read(one);
    }
    let reg = registry();
    let mut items: BTreeMap<String, Element> = BTreeMap::new();
    let mut root = Element::new(ty.name.as_str());
    for f in files {
        let parsed = parse_root(vfs, f, &ty.name)?;
        for el in parsed.elements() {
            // Labels files hold nothing else (recomposition "startEmpty").
            if let Some(ct) = reg.child_by_element(ty, &el.name) {
                items.insert(child_name(el, ct), el.clone());
            }
        }
    }
    let mut sorted: Vec<(String, Element)> = items.into_iter().collect();
    sorted.sort_by(|a, b| locale_cmp(&a.0, &b.0));
    root.children.extend(sorted.into_iter().map(|(_, e)| Node::Element(e)));
    Ok(root.to_document().into_bytes())
}

/// JavaScript's `localeCompare` (ICU root collation), closely enough for API names: punctuation
/// before digits before letters, letters case-insensitively, lower case first on a tie.
pub fn locale_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn class(c: char) -> (u8, char) {
        if c.is_alphabetic() {
            (2, c.to_lowercase().next().unwrap_or(c))
        } else if c.is_ascii_digit() {
            (1, c)
        } else {
            (0, c)
        }
    }
    let primary = a.chars().map(class).cmp(b.chars().map(class));
    primary.then_with(|| {
        // Tertiary: lower case before upper case.
        a.chars().map(|c| c.is_uppercase()).cmp(b.chars().map(|c| c.is_uppercase()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_order_is_case_insensitive_with_punctuation_first() {
        let mut v = vec!["b", "A_x", "a", "B", "Ab", "a1", "a_"];
        v.sort_by(|a, b| locale_cmp(a, b));
        assert_eq!(v, ["a", "a_", "A_x", "a1", "Ab", "b", "B"]);
    }
}
