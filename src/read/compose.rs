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
use super::vfs::Vfs;
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
    /// Files copied as they are: (path in the input, mdapi path, whether it is the metadata XML).
    Files(Vec<(String, String, bool)>),
    /// A decomposed component: the parent's XML (if any) and its children's files, recomposed
    /// into one mdapi file.
    Recompose { parent: Option<String>, children: Vec<(&'static MdType, String)>, out: String },
    /// Files whose children are merged into one (custom labels); one file is copied as is.
    Merge { files: Vec<String>, out: String },
    /// A static resource: its `-meta.xml` and a content file or folder.
    StaticResource { xml: String, content: String, folder: bool, name: String },
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
type Decomposed = (Option<String>, Vec<(&'static MdType, String)>, &'static MdType);

/// Groups the resolved components of an input into units (sorted by key). `mdapi` says the input
/// is in Metadata API layout already (its files are kept where they are).
pub fn units(vfs: &Vfs, found: Vec<SourceComponent>, mdapi: bool, ignore: &ForceIgnore) -> Result<Vec<Unit>> {
    let reg = registry();
    let mut plain: BTreeMap<ComponentKey, (Unit, String)> = BTreeMap::new();
    let mut recompose: BTreeMap<ComponentKey, Decomposed> = BTreeMap::new();
    let mut merges: BTreeMap<ComponentKey, (Vec<String>, &'static MdType)> = BTreeMap::new();
    fn add_plain(
        plain: &mut BTreeMap<ComponentKey, (Unit, String)>,
        vfs: &Vfs,
        unit: Unit,
        origin: String,
    ) -> Result<()> {
        if let Some((_, first)) = plain.get(&unit.key) {
            return Err(Error::Input {
                message: format!("{}: {} is defined twice ({first} and {origin})", vfs.input().display(), unit.key),
                hint: Some("keep one definition (two package directories may not hold the same component)".into()),
            });
        }
        plain.insert(unit.key.clone(), (unit, origin));
        Ok(())
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
                    entry.0 = top.xml.clone().filter(|x| vfs.is_file(x));
                }
                if let Some(child) = child {
                    if let Some(x) = child.xml {
                        entry.1.push((child.ty, x));
                    }
                }
                // Children the walk does not list on their own (unaddressable ones) are found
                // in the parent's folder, as the CLI's `getChildren` finds them.
                if let Some(dir) = &top.content {
                    for path in vfs.files_under(dir) {
                        if ignore.denies(path, false) {
                            continue;
                        }
                        let Some(suffix) = paths::parse_metadata_xml(path).and_then(|m| m.suffix) else { continue };
                        if ty.has_suffix(&suffix) {
                            continue;
                        }
                        if let Some(ct) = reg.child_by_suffix(ty, &suffix) {
                            entry.1.push((ct, path.to_string()));
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
                let origin = xml.clone();
                let name = crate::sf::paths::base_name(&content).to_string();
                add_plain(
                    &mut plain,
                    vfs,
                    Unit { key, ty, recipe: Recipe::StaticResource { xml, content, folder, name } },
                    origin,
                )?;
            }
            _ => {
                let files = if mdapi { mdapi_files(vfs, &top) } else { source_files(vfs, &top, ignore) };
                if files.is_empty() {
                    continue;
                }
                let origin = files[0].0.clone();
                match plain.get_mut(&key) {
                    // Several resolved pieces of one component (a bundle's or digital
                    // experience's parts) are one unit.
                    Some((unit, _)) if child.is_none() && top.parent.is_none() && is_multi_part(ty) => {
                        if let Recipe::Files(existing) = &mut unit.recipe {
                            for f in files {
                                if !existing.contains(&f) {
                                    existing.push(f);
                                }
                            }
                        }
                    }
                    _ => add_plain(&mut plain, vfs, Unit { key, ty, recipe: Recipe::Files(files) }, origin)?,
                }
            }
        }
    }
    let mut out: Vec<Unit> = plain.into_values().map(|(u, _)| u).collect();
    for (key, (parent, mut children, ty)) in recompose {
        children.sort_by(|a, b| a.1.cmp(&b.1));
        children.dedup_by(|a, b| a.1 == b.1);
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
fn mdapi_files(vfs: &Vfs, c: &SourceComponent) -> Vec<(String, String, bool)> {
    let mut files: Vec<(String, String, bool)> = Vec::new();
    if let Some(content) = &c.content {
        if vfs.is_dir(content) {
            files.extend(
                vfs.files_under(content)
                    .filter(|p| Some(*p) != c.xml.as_deref())
                    .map(|p| (p.to_string(), p.to_string(), false)),
            );
        } else {
            files.push((content.clone(), content.clone(), false));
        }
    }
    if let Some(x) = &c.xml {
        if !files.iter().any(|(p, _, _)| p == x) {
            files.push((x.clone(), x.clone(), true));
        }
    }
    files
}

/// The files of a component of a source-layout input, with their mdapi paths
/// (`DefaultMetadataTransformer.toMetadataFormat`).
fn source_files(vfs: &Vfs, c: &SourceComponent, ignore: &ForceIgnore) -> Vec<(String, String, bool)> {
    let full_name = c.full_name();
    let parent_type = c.parent_type;
    let mut files: Vec<(String, String, bool)> = Vec::new();
    if let Some(content) = &c.content {
        let walked: Vec<String> = if vfs.is_dir(content) {
            vfs.files_under(content).filter(|p| !ignore.denies(p, false)).map(str::to_string).collect()
        } else {
            vec![content.clone()]
        };
        for p in walked {
            if Some(p.as_str()) != c.xml.as_deref() {
                let dest = paths::relative_path(c.ty, parent_type, &full_name, &p);
                files.push((p, dest, false));
            }
        }
    }
    if let Some(x) = &c.xml {
        if vfs.is_file(x) {
            let dest = paths::xml_destination(Layout::Mdapi, c.ty, parent_type, &full_name, x, c.content.as_deref());
            files.push((x.clone(), dest, true));
        }
    }
    files
}

impl Unit {
    /// The root element its metadata file must have ([`root_element`]).
    fn root_element(&self) -> String {
        root_element(self.ty, &self.key.full_name)
    }

    /// The unit's files in the input (for messages and hashing), sorted.
    pub fn sources(&self) -> Vec<&str> {
        let mut v: Vec<&str> = match &self.recipe {
            Recipe::Files(f) => f.iter().map(|(s, _, _)| s.as_str()).collect(),
            Recipe::Recompose { parent, children, .. } => {
                parent.iter().map(String::as_str).chain(children.iter().map(|(_, p)| p.as_str())).collect()
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
                for (src, dest, is_xml) in files {
                    let bytes = vfs.read(src)?;
                    if *is_xml {
                        check_metadata_xml(vfs, src, &bytes, &self.root_element())?;
                    }
                    out.push(MetadataFile::new(dest.clone(), bytes));
                }
                out
            }
            Recipe::Recompose { parent, children, out } => {
                vec![MetadataFile::new(out.clone(), recompose(vfs, self.ty, parent.as_deref(), children)?)]
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
                    crate::write::zip::zip_bytes(&entries)?
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
                for (src, dest, _) in files {
                    entries.push((format!("file:{dest}"), vfs.read(src)?));
                }
            }
            Recipe::Recompose { parent, children, out } => {
                entries.push((format!("recompose:{out}"), Vec::new()));
                if let Some(p) = parent {
                    entries.push((format!("parent:{}/{}", self.ty.name, last_segment(p)), vfs.read(p)?));
                }
                for (ct, path) in children {
                    entries.push((format!("child:{}/{}", ct.name, last_segment(path)), vfs.read(path)?));
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
                for (ct, path) in children {
                    if !ct.is_addressable {
                        continue;
                    }
                    let name = paths::parse_metadata_xml(path).map(|m| m.full_name).unwrap_or_default();
                    let member = if ct.ignore_parent_name { name } else { format!("{}.{name}", self.key.full_name) };
                    out.push((ct.name.clone(), member));
                }
                let has_values = match parent {
                    Some(p) => xml::parse(&vfs.read(p)?).is_ok_and(|root| root.elements().next().is_some()),
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
fn check_metadata_xml(vfs: &Vfs, src: &str, bytes: &[u8], expected: &str) -> Result<()> {
    xml::check_metadata(bytes, expected).map_err(|e| Error::Input {
        message: format!(
            "{}: refusing entry {:?}: not readable metadata XML: {e}",
            vfs.input().display(),
            crate::ui::printable(src)
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
        || (!name.ends_with(".xml") && crate::canon::kind_of(path) == crate::canon::FileKind::Xml)
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
        return Err(Error::Input {
            message: format!(
                "{}: {path}: root element is <{}>, expected <{expected}>",
                vfs.input().display(),
                root.name
            ),
            hint: Some(format!("use <{expected}> as the root")),
        });
    }
    Ok(root)
}

/// The recomposed mdapi XML of a decomposed component.
fn recompose(vfs: &Vfs, ty: &MdType, parent: Option<&str>, children: &[(&'static MdType, String)]) -> Result<Vec<u8>> {
    let mut root = match parent {
        Some(p) => parse_root(vfs, p, &ty.name)?,
        None => Element::new(ty.name.as_str()),
    };
    root.attributes.retain(|(k, _)| k != "xmlns");
    let mut groups: BTreeMap<String, Vec<(String, Element)>> = BTreeMap::new();
    for (ct, path) in children {
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
