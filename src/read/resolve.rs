//! Which files make up which component: a port of the Salesforce CLI's resolver
//! (`@salesforce/source-deploy-retrieve` 13.7.0, `MetadataResolver` and its source adapters), so
//! that sfgen finds in a project exactly the components `sf project convert source` and `sf
//! project deploy` find, in either format.
//!
//! The walk goes through every folder of a package directory (any nesting: a class in
//! `force-app/tests/Shared Code/` is found by its suffix as sf finds it); a file becomes metadata
//! when its name or folder says so (a `-meta.xml`, a registered suffix, a folder's metadata, a
//! bundle folder); the type comes from the strict type folder it is in, its `-meta.xml` suffix,
//! a folder type, or its extension; the adapter of that type then groups the file with the
//! others of its component (a body with its `-meta.xml`, a bundle folder, a decomposed object's
//! children). A file that is no metadata (a Jest mock, a README) is skipped, as sf skips it; one
//! that looks like metadata of a type the registry does not know is reported and skipped, where
//! sf would stop. Paths are relative to the input's root, `/`-separated.
//!
//! Function names follow the original so that the two can be read side by side.

use super::ignore::ForceIgnore;
use super::vfs::Vfs;
use crate::sf::paths::parent_name;
pub use crate::sf::paths::{
    base_name, basename, dirname, ext_name, join, parse_metadata_xml, parse_nested_full_name, trim_until, MetaXml,
};
use crate::sf::registry::{registry, Adapter, Decomposition, MdType, Registry};

/// A component as the resolver sees it: where its metadata file and content are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceComponent {
    /// Its type.
    pub ty: &'static MdType,
    /// Its name (for a child, without the parent's).
    pub name: String,
    /// The metadata XML file (`X.cls-meta.xml`, `objects/X/X.object-meta.xml`, `objects/X.object`).
    pub xml: Option<String>,
    /// The content: a file (`X.cls`) or a folder (a bundle, a static resource folder, a decomposed
    /// object's folder).
    pub content: Option<String>,
    /// The parent of a child component (CustomField → its CustomObject).
    pub parent: Option<Box<SourceComponent>>,
    /// The folder type of an in-folder component (Report → ReportFolder).
    pub parent_type: Option<&'static MdType>,
}

impl SourceComponent {
    fn new(ty: &'static MdType, name: impl Into<String>) -> Self {
        Self { ty, name: name.into(), xml: None, content: None, parent: None, parent_type: None }
    }

    /// The package.xml member name (`Account.Vip__c` for a field, `CustomLabels` for labels).
    pub fn full_name(&self) -> String {
        if self.ty.ignore_parsed_full_name {
            return self.ty.name.clone();
        }
        match &self.parent {
            Some(_) if self.ty.ignore_parent_name => self.name.clone(),
            Some(p) => format!("{}.{}", p.full_name(), self.name),
            None => self.name.clone(),
        }
    }
}

/// Why a file was not made part of a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// Whether sf would refuse the project for it (a broken component) rather than the file
    /// merely being of a type the registry does not know.
    pub fatal: bool,
}

fn parts(path: &str) -> Vec<&str> {
    path.split('/').collect()
}

fn includes(path: &str, segment: &str) -> bool {
    path.split('/').any(|p| p == segment)
}

/// The resolver over one input tree.
pub struct Resolver<'a> {
    reg: &'static Registry,
    vfs: &'a Vfs,
    ignore: &'a ForceIgnore,
    /// Files skipped because `.forceignore` denies them.
    pub ignored: Vec<String>,
    /// Files skipped or refused, with why.
    pub problems: Vec<Problem>,
}

impl<'a> Resolver<'a> {
    /// A resolver over `vfs` with `ignore`'s rules.
    pub fn new(vfs: &'a Vfs, ignore: &'a ForceIgnore) -> Self {
        Self { reg: registry(), vfs, ignore, ignored: Vec::new(), problems: Vec::new() }
    }

    fn denies(&self, path: &str) -> bool {
        // SDR: `ignores(rel) || (couldBeDirectory && ignores(rel + "/"))`.
        self.ignore.denies(path, false) || (!self.vfs.is_file(path) && self.ignore.denies(path, true))
    }

    /// SDR `getComponentsFromPath`: every component in the folder (or the one file) `path`.
    pub fn components_from_path(&mut self, path: &str) -> Vec<SourceComponent> {
        if self.vfs.is_dir(path) && !self.resolve_directory_as_component(path) {
            return self.components_from_path_recursive(path);
        }
        self.resolve_component(path, true).into_iter().collect()
    }

    fn components_from_path_recursive(&mut self, dir: &str) -> Vec<SourceComponent> {
        let mut dir_queue: Vec<String> = Vec::new();
        let mut components: Vec<SourceComponent> = Vec::new();
        let mut skip: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut entries: Vec<String> = self.vfs.read_dir(dir).iter().map(|e| join(dir, e)).collect();
        // Folders first: look as far down as possible before finding a parent.
        entries.sort_by_key(|e| !self.vfs.is_dir(e));
        for path in entries {
            if skip.contains(&path) {
                continue;
            }
            if self.vfs.is_dir(&path) {
                if self.resolve_directory_as_component(&path) {
                    if self.vfs.read_dir(&path).is_empty() {
                        continue;
                    }
                    if let Some(c) = self.resolve_component(&path, true) {
                        if let Some(x) = &c.xml {
                            skip.insert(x.clone());
                        }
                        components.push(c);
                    }
                } else if !(self.denies(&path) && includes(&path, "node_modules")) {
                    dir_queue.push(path);
                }
            } else if self.is_metadata(&path) {
                if let Some(c) = self.resolve_component(&path, false) {
                    if let Some(content) = &c.content {
                        skip.insert(content.clone());
                    }
                    let type_dir_of = if c.ty.in_folder { dirname(&path) } else { path.as_str() };
                    let type_dir = parent_name(type_dir_of).to_string();
                    let stop = c.ty.strict_directory_name && type_dir != c.ty.directory_name;
                    components.push(c);
                    // Not in the type's own folder (inside a bundle or a static resource folder):
                    // the rest of this folder belongs to the component just found.
                    if stop {
                        return components;
                    }
                }
            }
        }
        for d in dir_queue {
            let more = self.components_from_path_recursive(&d);
            components.extend(more);
        }
        components
    }

    fn resolve_component(&mut self, path: &str, is_resolving_source: bool) -> Option<SourceComponent> {
        if self.denies(path) {
            self.ignored.push(path.to_string());
            return None;
        }
        if let Some(ty) = self.resolve_type(path) {
            let should_resolve = is_resolving_source
                || parse_metadata_xml(path).is_some()
                || !self.parse_as_content_metadata_xml(path)
                || !allow_metadata_with_content(ty);
            if !should_resolve {
                return None;
            }
            return match self.get_component(ty, path, is_resolving_source) {
                Ok(c) => c,
                Err(p) => {
                    self.problems.push(p);
                    None
                }
            };
        }
        if self.is_probably_package_manifest(path) {
            return None;
        }
        let name = basename(path);
        self.problems.push(Problem {
            path: path.to_string(),
            message: format!(
                "{name:?} looks like metadata, but no metadata type the Salesforce CLI knows (source-deploy-retrieve {}) explains it",
                crate::sf::registry::SDR_VERSION
            ),
            fatal: false,
        });
        None
    }

    fn is_probably_package_manifest(&self, path: &str) -> bool {
        if path.ends_with(".xml") && !path.ends_with("-meta.xml") {
            if path.ends_with("package.xml") {
                return true;
            }
            return self.vfs.read(path).is_ok_and(|b| b.windows(13).any(|w| w == b"<Package xmln"));
        }
        false
    }

    /// SDR `resolveDirectoryAsComponent`.
    fn resolve_directory_as_component(&self, dir: &str) -> bool {
        let Some(ty) = self.resolve_type(dir) else { return false };
        let ps = parts(dir);
        let folder_offset = if ty.in_folder { 2 } else { 1 };
        let Some(idx) = ps.iter().rposition(|p| *p == ty.directory_name) else { return false };
        !(ps.len() <= idx + folder_offset || self.vfs.exists(&join(dir, &ty.directory_name)) || ty.children.is_some())
    }

    fn is_metadata(&self, path: &str) -> bool {
        parse_metadata_xml(path).is_some()
            || self.parse_as_content_metadata_xml(path)
            || self.parse_as_folder_metadata_xml(path).is_some()
            || self.parse_as_metadata(path).is_some()
    }

    /// SDR `parseAsFolderMetadataXml` (the resolver's, unanchored): the type folder a folder's
    /// `-meta.xml` sits in.
    fn parse_as_folder_metadata_xml(&self, path: &str) -> Option<&'static str> {
        let name = basename(path);
        let meta = name.rfind("-meta.xml")?;
        if meta == 0 || name[..meta].contains('.') {
            return None;
        }
        let ps = parts(path);
        if ps.len() <= 1 {
            return None;
        }
        let dirs = &ps[..ps.len() - 1];
        let mut found = None;
        for t in self.reg.folder_content_types() {
            if dirs.contains(&t.directory_name.as_str()) {
                found = Some(t.directory_name.as_str());
            }
        }
        found
    }

    /// SDR `resolveType`.
    pub fn resolve_type(&self, path: &str) -> Option<&'static MdType> {
        if let Some(t) = self.resolve_type_from_strict_folder(path) {
            return Some(t);
        }
        if let Some(suffix) = parse_metadata_xml(path).and_then(|m| m.suffix) {
            if let Some(t) = self.reg.by_suffix(&suffix) {
                return Some(t);
            }
        }
        if let Some(folder) = self.parse_as_folder_metadata_xml(path) {
            if let Some(t) = self.reg.find(|t| t.directory_name == folder && !t.in_folder) {
                return Some(t);
            }
        }
        if let Some(t) = self.reg.by_suffix(ext_name(path)) {
            if !t.strict_directory_name || includes(path, &t.directory_name) {
                return Some(t);
            }
        }
        self.parse_as_metadata(path).and_then(|name| self.reg.by_name(name))
    }

    /// SDR `parseAsContentMetadataXml` (the resolver's): a file with a registered suffix in its
    /// type's folder, or in a strict type folder.
    fn parse_as_content_metadata_xml(&self, path: &str) -> bool {
        let Some(t) = self.reg.by_suffix(ext_name(path)) else { return false };
        includes(path, &t.directory_name) || self.resolve_type_from_strict_folder(path).is_some()
    }

    /// SDR `parseAsMetadata`: files that are metadata by the folder they are in.
    fn parse_as_metadata(&self, path: &str) -> Option<&'static str> {
        if self.vfs.is_dir(path) {
            return None;
        }
        [
            "DigitalExperience",
            "ExperiencePropertyTypeBundle",
            "LightningTypeBundle",
            "ContentTypeBundle",
            "UiWidgetBundle",
        ]
        .into_iter()
        .filter_map(|n| self.reg.by_name(n))
        .find(|t| includes(path, &t.directory_name))
        .map(|t| t.name.as_str())
    }

    /// SDR `resolveTypeFromStrictFolder`.
    fn resolve_type_from_strict_folder(&self, path: &str) -> Option<&'static MdType> {
        let ps = parts(path);
        self.reg
            .strict_types_in(&ps)
            .into_iter()
            .filter(|t| !t.in_folder || parent_name(path) != t.directory_name)
            .find(|t| {
                matches!(t.adapter, Adapter::MixedContent | Adapter::Bundle | Adapter::UiBundles)
                    || suffix_matches(t, path)
                    || self.reg.children_of(t).any(|c| suffix_matches(c, path))
            })
    }

    // ------------------------------------------------------------------------- adapters

    /// SDR `BaseSourceAdapter.getComponent` (and the decomposed adapter's override).
    fn get_component(
        &self,
        ty: &'static MdType,
        path: &str,
        is_resolving_source: bool,
    ) -> Result<Option<SourceComponent>, Problem> {
        let mut root = self.parse_as_root_metadata_xml(ty, path);
        if root.is_none() {
            if let Some(p) = self.get_root_metadata_xml_path(ty, path) {
                root = self.parse_metadata_xml_for(ty, &p);
            }
        }
        if let Some(r) = &root {
            if self.denies(&r.path) {
                return Err(fatal(
                    path,
                    format!("{} is ignored by .forceignore, but {} needs it", r.path, basename(path)),
                ));
            }
        }
        let component = match root {
            None => None,
            Some(r) if matches!(ty.adapter, Adapter::Decomposed | Adapter::PartiallyDecomposed) => {
                let name = if ty.folder_type.is_some() {
                    format!("{}/{}", parent_name(&r.path), r.full_name)
                } else {
                    r.full_name.clone()
                };
                let mut c = SourceComponent::new(ty, name);
                c.xml = Some(r.path);
                Some(c)
            }
            Some(r) => {
                let mut c = SourceComponent::new(ty, self.calculate_name(ty, &r)?);
                c.xml = Some(r.path);
                c.parent_type = ty.folder_type.as_deref().and_then(|f| self.reg.by_id(f));
                Some(c)
            }
        };
        self.populate(ty, path, component, is_resolving_source)
    }

    fn parse_metadata_xml_for(&self, ty: &MdType, path: &str) -> Option<MetaXml> {
        let xml = parse_metadata_xml(path)?;
        if ty.adapter == Adapter::DigitalExperience && ty.id == "digitalexperiencebundle" {
            return Some(MetaXml { full_name: self.de_bundle_name(ty, path), ..xml });
        }
        Some(xml)
    }

    /// SDR `parseAsRootMetadataXml`.
    fn parse_as_root_metadata_xml(&self, ty: &MdType, path: &str) -> Option<MetaXml> {
        if let Some(meta) = self.parse_metadata_xml_for(ty, path) {
            let is_root = if ty.strict_directory_name {
                let parent_path = dirname(path);
                let type_dir = basename(if ty.in_folder { dirname(parent_path) } else { parent_path });
                let name_matches_parent = basename(parent_path) == meta.full_name;
                let in_type_dir = type_dir == ty.directory_name;
                let suffix_matches_root = meta.suffix.as_deref().is_some_and(|s| ty.has_suffix(s));
                suffix_matches_root && (name_matches_parent || in_type_dir)
            } else {
                true
            };
            return is_root.then_some(meta);
        }
        // A folder's metadata, strictly: `Name-meta.xml` with no dot in the name.
        let name = basename(path);
        if let Some(stem) = name.strip_suffix("-meta.xml") {
            if !stem.is_empty() && !stem.contains('.') && path.contains('/') {
                return Some(MetaXml { full_name: stem.to_string(), suffix: None, path: path.to_string() });
            }
        }
        if !allow_metadata_with_content(ty) {
            return parse_as_content_metadata_xml_of(ty, path);
        }
        None
    }

    /// SDR `calculateName`.
    fn calculate_name(&self, ty: &MdType, root: &MetaXml) -> Result<String, Problem> {
        if ty.folder_content_type.is_some() || ty.in_folder {
            return parse_nested_full_name(&root.path, &ty.directory_name)
                .ok_or_else(|| fatal(&root.path, format!("cannot work out the name of this {}", ty.name)));
        }
        let Some(folder_type) = &ty.folder_type else { return Ok(root.full_name.clone()) };
        let Some(grandparent) = self.reg.by_id(folder_type) else { return Ok(root.full_name.clone()) };
        match &grandparent.folder_type {
            Some(gf) if *gf != ty.id => {
                let ps = parts(&root.path);
                let i = ps.iter().position(|p| *p == grandparent.directory_name).map(|i| i + 1);
                let model = i.and_then(|i| ps.get(i)).copied().unwrap_or("");
                Ok(format!("{model}.{}", root.full_name))
            }
            Some(_) => Ok(root.full_name.clone()),
            None => Err(fatal(&root.path, format!("cannot work out the name of this {}", ty.name))),
        }
    }

    /// SDR `getRootMetadataXmlPath` of each adapter.
    fn get_root_metadata_xml_path(&self, ty: &MdType, trigger: &str) -> Option<String> {
        match ty.adapter {
            Adapter::Default => Some(trigger.to_string()),
            Adapter::MatchingContentFile => Some(format!("{trigger}-meta.xml")),
            Adapter::MixedContent => self.find_metadata_from_content(ty, trigger),
            Adapter::DigitalExperience => {
                if ty.id == "digitalexperiencebundle" {
                    return Some(self.de_bundle_metadata_xml_path(ty, trigger));
                }
                let suffix = ty.meta_file_suffix.as_deref()?;
                Some(join(dirname(trigger), suffix))
            }
            Adapter::Bundle | Adapter::UiBundles | Adapter::Decomposed | Adapter::PartiallyDecomposed => {
                // Own folder: the component's root file inside its folder.
                let root = self.trim_path_to_content(ty, trigger);
                if !self.vfs.is_dir(&root) {
                    return None;
                }
                let found = self.vfs.read_dir(&root).into_iter().find(|e| {
                    parse_metadata_xml(&join(&root, e)).and_then(|m| m.suffix).is_some_and(|s| ty.has_suffix(&s))
                });
                if let Some(f) = found {
                    return Some(join(&root, f));
                }
                self.find(FileKind::MetadataXml, basename(&root), &root)
            }
        }
    }

    /// SDR `TreeContainer.find`: the first entry of `dir` whose base name is `name` and that is
    /// (or is not) a `-meta.xml`.
    fn find(&self, kind: FileKind, name: &str, dir: &str) -> Option<String> {
        self.vfs
            .read_dir(dir)
            .iter()
            .find(|e| {
                let is_meta = parse_metadata_xml(&join(dir, e)).is_some();
                base_name(e) == name && (is_meta == (kind == FileKind::MetadataXml))
            })
            .map(|e| join(dir, e))
    }

    /// SDR `MixedContentSourceAdapter.trimPathToContent` (and the digital experience override).
    fn trim_path_to_content(&self, ty: &MdType, path: &str) -> String {
        if ty.adapter == Adapter::DigitalExperience {
            if ty.id == "digitalexperiencebundle" {
                return path.to_string();
            }
            let to_content = dirname(path);
            let mut ps = parts(to_content);
            if let Some(i) = ps.iter().position(|p| *p == "digitalExperiences") {
                // BaseType/SpaceApiName/ContentType/ContentApiName below digitalExperiences.
                let content_len = i + 1 + 4;
                if ps.len() > content_len {
                    ps.truncate(content_len);
                    return ps.join("/");
                }
            }
            return to_content.to_string();
        }
        let ps = parts(path);
        let offset = if ty.in_folder { 3 } else { 2 };
        let end = match ps.iter().rposition(|p| *p == ty.directory_name) {
            Some(i) => (i + offset).min(ps.len()),
            None => (offset - 1).min(ps.len()),
        };
        ps[..end].join("/")
    }

    fn find_metadata_from_content(&self, ty: &MdType, path: &str) -> Option<String> {
        let root_content = self.trim_path_to_content(ty, path);
        self.find(FileKind::MetadataXml, base_name(&root_content), dirname(&root_content))
    }

    /// SDR `populate` of each adapter.
    fn populate(
        &self,
        ty: &'static MdType,
        trigger: &str,
        component: Option<SourceComponent>,
        is_resolving_source: bool,
    ) -> Result<Option<SourceComponent>, Problem> {
        match ty.adapter {
            Adapter::Default => Ok(component),
            Adapter::MatchingContentFile => {
                let Some(mut c) = component else { return Ok(None) };
                let source = if c.xml.as_deref() == Some(trigger) {
                    let body = &trigger[..trigger.rfind("-meta.xml").unwrap_or(trigger.len())];
                    self.vfs.exists(body).then(|| body.to_string())
                } else if self.reg.by_suffix(ext_name(trigger)) == Some(ty) {
                    Some(trigger.to_string())
                } else {
                    None
                };
                let Some(source) = source else {
                    return Err(fatal(
                        trigger,
                        format!(
                            "a {} needs its content file beside the -meta.xml ({})",
                            ty.name,
                            basename(trigger).trim_end_matches("-meta.xml")
                        ),
                    ));
                };
                if self.denies(&source) {
                    return Err(fatal(
                        trigger,
                        format!(
                            "{source} is ignored by .forceignore, but {} needs it (ignore both files or neither)",
                            ty.name
                        ),
                    ));
                }
                c.content = Some(source);
                Ok(Some(c))
            }
            Adapter::MixedContent => self.populate_mixed(ty, trigger, component),
            Adapter::Bundle | Adapter::UiBundles => {
                if self.vfs.is_dir(trigger) {
                    if self.vfs.read_dir(trigger).is_empty() {
                        return Ok(None);
                    }
                } else if component.is_none() {
                    let root = self.trim_path_to_content(ty, trigger);
                    if !self.vfs.is_dir(&root) {
                        // A file directly in the type folder (lwc/README.md): no component.
                        return Ok(None);
                    }
                }
                self.populate_mixed(ty, trigger, component)
            }
            Adapter::DigitalExperience => self.populate_digital_experience(ty, trigger, component),
            Adapter::Decomposed | Adapter::PartiallyDecomposed => {
                self.populate_decomposed(ty, trigger, component, is_resolving_source)
            }
        }
    }

    fn populate_mixed(
        &self,
        ty: &'static MdType,
        trigger: &str,
        component: Option<SourceComponent>,
    ) -> Result<Option<SourceComponent>, Problem> {
        let trimmed = self.trim_path_to_content(ty, trigger);
        let content = if component.as_ref().and_then(|c| c.xml.as_deref()) == Some(trimmed.as_str()) {
            self.find(FileKind::Content, base_name(&trimmed), dirname(&trimmed))
        } else {
            Some(trimmed)
        };
        let Some(content) = content.filter(|c| self.vfs.exists(c)) else {
            return Err(fatal(
                trigger,
                format!("a {} needs its content (a file or folder named like its -meta.xml)", ty.name),
            ));
        };
        Ok(Some(match component {
            Some(mut c) => {
                c.content = Some(content);
                c
            }
            None => {
                let mut c = SourceComponent::new(ty, base_name(&content));
                c.xml = ty.meta_file_suffix.as_deref().map(|m| join(&content, m));
                c.content = Some(content);
                c
            }
        }))
    }

    fn populate_decomposed(
        &self,
        ty: &'static MdType,
        trigger: &str,
        component: Option<SourceComponent>,
        is_resolving_source: bool,
    ) -> Result<Option<SourceComponent>, Problem> {
        let mut component = component;
        if let Some(suffix) = parse_metadata_xml(trigger).and_then(|m| m.suffix) {
            let to_content = self.trim_path_to_content(ty, trigger);
            let child = self.reg.child_by_suffix(ty, &suffix);
            match child {
                Some(child) if !child.unaddressable_without_parent && child.is_addressable => {
                    let strategy = ty.decomposition;
                    if matches!(strategy, Some(Decomposition::FolderPerType | Decomposition::TopLevel))
                        || is_resolving_source
                    {
                        let mut parent = component.unwrap_or_else(|| {
                            let name = if strategy == Some(Decomposition::FolderPerType) {
                                base_name(&to_content).to_string()
                            } else {
                                to_content.clone()
                            };
                            SourceComponent::new(ty, name)
                        });
                        parent.content = Some(to_content);
                        let mut c = SourceComponent::new(
                            child,
                            parse_metadata_xml(trigger).map(|m| m.full_name).unwrap_or_default(),
                        );
                        c.xml = Some(trigger.to_string());
                        c.parent = Some(Box::new(parent));
                        return Ok(Some(c));
                    }
                }
                Some(_) => {}
                None if component.is_none() => {
                    return Err(Problem {
                        path: trigger.to_string(),
                        message: format!(
                            "{} is not a child type of {} (it sits inside {})",
                            basename(trigger),
                            ty.name,
                            to_content
                        ),
                        fatal: false,
                    });
                }
                None => {}
            }
            if let Some(c) = &mut component {
                c.content = Some(to_content);
            }
        }
        Ok(component)
    }

    fn de_bundle_metadata_xml_path(&self, ty: &MdType, path: &str) -> String {
        if ty.id == "digitalexperiencebundle" && path.ends_with("-meta.xml") {
            return path.to_string();
        }
        let ps = parts(path);
        let dir = if ty.id == "digitalexperiencebundle" {
            &ty.directory_name
        } else {
            self.reg.parent_of(ty).map_or(&ty.directory_name, |p| &p.directory_name)
        };
        let i = ps.iter().rposition(|p| p == dir).unwrap_or(0);
        let base = ps[..(i + 3).min(ps.len())].join("/");
        let bundle_file = ps.get(i + 2).copied().unwrap_or("");
        let suffix = if ty.id == "digitalexperiencebundle" {
            ty.suffix.clone().unwrap_or_default()
        } else {
            self.reg.parent_of(ty).and_then(|p| p.suffix.clone()).unwrap_or_default()
        };
        format!("{base}/{bundle_file}.{suffix}-meta.xml")
    }

    fn de_bundle_name(&self, ty: &MdType, path: &str) -> String {
        let xml = self.de_bundle_metadata_xml_path(ty, path);
        format!("{}/{}", parent_name(dirname(&xml)), parent_name(&xml))
    }

    fn populate_digital_experience(
        &self,
        ty: &'static MdType,
        trigger: &str,
        component: Option<SourceComponent>,
    ) -> Result<Option<SourceComponent>, Problem> {
        if ty.id == "digitalexperiencebundle" {
            if component.is_some() {
                return Ok(component);
            }
            // As a bundle.
            if self.vfs.is_dir(trigger) && self.vfs.read_dir(trigger).is_empty() {
                return Ok(None);
            }
            return self.populate_mixed(ty, trigger, component);
        }
        let source = if self.vfs.is_dir(trigger) && self.vfs.read_dir(trigger).is_empty() {
            None
        } else {
            self.populate_mixed(ty, trigger, component)?
        };
        let (Some(source), Some(parent_type)) = (source, self.reg.parent_of(ty)) else {
            return Err(fatal(trigger, format!("cannot read this {}", ty.name)));
        };
        let Some(content) = source.content.clone() else {
            return Err(fatal(trigger, format!("cannot read this {}", ty.name)));
        };
        let mut parent = SourceComponent::new(parent_type, self.de_bundle_name(ty, &content));
        parent.xml = Some(self.de_bundle_metadata_xml_path(ty, &content));
        let mut c = SourceComponent::new(ty, format!("{}/{}", parent_name(&content), base_name(&content)));
        c.content = Some(content);
        c.xml = source.xml;
        c.parent = Some(Box::new(parent));
        c.parent_type = Some(parent_type);
        Ok(Some(c))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    MetadataXml,
    Content,
}

fn fatal(path: &str, message: String) -> Problem {
    Problem { path: path.to_string(), message, fatal: true }
}

/// SDR `metadataWithContent`: whether the type's metadata file may sit beside content.
fn allow_metadata_with_content(ty: &MdType) -> bool {
    !matches!(ty.adapter, Adapter::Default | Adapter::Decomposed | Adapter::PartiallyDecomposed)
}

/// SDR: `fsPath` ends with the type's suffix or `<suffix>-meta.xml` (or the legacy suffix).
fn suffix_matches(ty: &MdType, path: &str) -> bool {
    let stem = path.strip_suffix("-meta.xml");
    [&ty.suffix, &ty.legacy_suffix]
        .into_iter()
        .flatten()
        .any(|s| path.ends_with(s.as_str()) || stem.is_some_and(|p| p.ends_with(s.as_str())))
}

/// SDR `parseAsContentMetadataXml` (the adapter's): an mdapi-style file `<name>.<suffix>` directly
/// in its type folder (or, in folders, below it).
fn parse_as_content_metadata_xml_of(ty: &MdType, path: &str) -> Option<MetaXml> {
    if ty.in_folder {
        if let (Some(full), Some(suffix)) = (parse_nested_full_name(path, &ty.directory_name), &ty.suffix) {
            return Some(MetaXml { full_name: full, suffix: Some(suffix.clone()), path: path.to_string() });
        }
    }
    let ps = parts(dirname(path));
    let type_folder = ps.iter().rposition(|p| *p == ty.directory_name)?;
    let allowed =
        if ty.folder_type.as_deref() == Some(ty.id.as_str()) { ps.len().checked_sub(2)? } else { ps.len() - 1 };
    if type_folder != allowed {
        return None;
    }
    let name = basename(path);
    let dot = name.rfind('.')?;
    let (full, suffix) = (&name[..dot], &name[dot + 1..]);
    if full.is_empty() || suffix.is_empty() || ty.suffix.as_deref() != Some(suffix) {
        return None;
    }
    Some(MetaXml { full_name: full.to_string(), suffix: Some(suffix.to_string()), path: path.to_string() })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::read::archive::Limits;
    use std::path::Path;

    type Found = (String, String, Option<String>, Option<String>);

    fn resolve(paths: &[&str]) -> (Vec<Found>, Vec<Problem>) {
        let vfs = Vfs::memory(
            Path::new("t"),
            paths.iter().map(|p| ((*p).to_string(), Vec::new())).collect(),
            &Limits::default(),
        );
        let ig = ForceIgnore::defaults();
        let mut r = Resolver::new(&vfs, &ig);
        let mut out: Vec<_> = r
            .components_from_path("")
            .into_iter()
            .map(|c| (c.ty.name.clone(), c.full_name(), c.xml.clone(), c.content.clone()))
            .collect();
        out.sort();
        (out, r.problems)
    }

    fn t(
        ty: &str,
        name: &str,
        xml: Option<&str>,
        content: Option<&str>,
    ) -> (String, String, Option<String>, Option<String>) {
        (ty.into(), name.into(), xml.map(Into::into), content.map(Into::into))
    }

    #[test]
    fn parses_metadata_xml_names_like_sdr() {
        let m = parse_metadata_xml("classes/A.cls-meta.xml").unwrap();
        assert_eq!((m.full_name.as_str(), m.suffix.as_deref()), ("A", Some("cls")));
        let m = parse_metadata_xml("x/My.Class.cls-meta.xml").unwrap();
        assert_eq!((m.full_name.as_str(), m.suffix.as_deref()), ("My.Class", Some("cls")));
        assert!(parse_metadata_xml("reports/Sales-meta.xml").is_none());
        assert!(parse_metadata_xml("classes/A.cls").is_none());
        assert_eq!(ext_name("A.cls-meta.xml"), "xml");
        assert_eq!(ext_name(".eslintrc"), "");
        assert_eq!(base_name("a/b.c.d"), "b");
        assert_eq!(
            parse_nested_full_name("reports/Sales/Q1/P.report-meta.xml", "reports").as_deref(),
            Some("Sales/Q1/P")
        );
    }

    #[test]
    fn finds_apex_anywhere_and_skips_what_is_not_metadata() {
        let (c, problems) = resolve(&[
            "force-app/main/default/classes/A.cls",
            "force-app/main/default/classes/A.cls-meta.xml",
            "force-app/tests/Shared Code/ATest.cls",
            "force-app/tests/Shared Code/ATest.cls-meta.xml",
            "force-app/test/jest-mocks/lightning/navigation.js",
            "force-app/main/default/lwc/hello/hello.js",
            "force-app/main/default/lwc/hello/hello.js-meta.xml",
            "force-app/main/default/lwc/hello/hello.html",
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            c,
            [
                t(
                    "ApexClass",
                    "A",
                    Some("force-app/main/default/classes/A.cls-meta.xml"),
                    Some("force-app/main/default/classes/A.cls")
                ),
                t(
                    "ApexClass",
                    "ATest",
                    Some("force-app/tests/Shared Code/ATest.cls-meta.xml"),
                    Some("force-app/tests/Shared Code/ATest.cls")
                ),
                t(
                    "LightningComponentBundle",
                    "hello",
                    Some("force-app/main/default/lwc/hello/hello.js-meta.xml"),
                    Some("force-app/main/default/lwc/hello")
                ),
            ]
        );
    }

    #[test]
    fn decomposed_children_static_resources_and_folders() {
        let (c, problems) = resolve(&[
            "objects/Invoice__c/Invoice__c.object-meta.xml",
            "objects/Invoice__c/fields/Paid__c.field-meta.xml",
            "objects/Contact/fields/Vip__c.field-meta.xml",
            "staticresources/lib.resource-meta.xml",
            "staticresources/lib/js/a.js",
            "staticresources/logo.png",
            "staticresources/logo.resource-meta.xml",
            "reports/Sales.reportFolder-meta.xml",
            "reports/Sales/Pipeline.report-meta.xml",
            "labels/CustomLabels.labels-meta.xml",
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        let names: Vec<String> = c.iter().map(|x| format!("{}:{}", x.0, x.1)).collect();
        assert_eq!(
            names,
            [
                // A parent file makes the object one component; its children are found in its
                // folder later (SDR's getChildren), so the walk does not list them on their own.
                "CustomField:Contact.Vip__c",
                "CustomLabels:CustomLabels",
                "CustomObject:Invoice__c",
                "Report:Sales/Pipeline",
                "ReportFolder:Sales",
                "StaticResource:lib",
                "StaticResource:logo",
            ]
        );
        let lib = c.iter().find(|x| x.1 == "lib").unwrap();
        assert_eq!(lib.3.as_deref(), Some("staticresources/lib"));
        let logo = c.iter().find(|x| x.1 == "logo").unwrap();
        assert_eq!(logo.3.as_deref(), Some("staticresources/logo.png"));
    }

    #[test]
    fn unknown_types_are_problems_not_crashes() {
        let (c, problems) = resolve(&["classes/A.cls", "classes/A.cls-meta.xml", "weird/X.notatype-meta.xml"]);
        assert_eq!(c.len(), 1);
        assert_eq!(problems.len(), 1);
        assert!(!problems[0].fatal && problems[0].path == "weird/X.notatype-meta.xml", "{problems:?}");
    }
}
