//! Salesforce metadata knowledge shared by every verb.
//!
//! Everything sfgen handles, whether generated from a config, read from an SFDX project, or
//! retrieved from an org, ends up as a [`Tree`]: a sorted map from [`ComponentKey`] (type +
//! full name) to a [`Component`] whose files are held **in Metadata API (mdapi) layout**, with
//! paths relative to the package root (`classes/Webhook.cls`). mdapi is the canonical form
//! because it is what a deploy zip holds and what `package.xml` describes; the source (SFDX)
//! layout is derived from it by [`crate::convert`]. This module is data only: what a type is
//! and how its files are named lives in [`crate::sf`].

use std::collections::BTreeMap;
use std::fmt;

/// Identifies one component: its package.xml type name and member name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ComponentKey {
    /// package.xml `<name>`, e.g. `ApexClass`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// package.xml `<members>`, e.g. `Webhook` or `Account.Vendor_Id__c`.
    #[serde(rename = "fullName")]
    pub full_name: String,
}

impl ComponentKey {
    /// Builds a key from a type and member name.
    pub fn new(type_name: impl Into<String>, full_name: impl Into<String>) -> Self {
        Self { type_name: type_name.into(), full_name: full_name.into() }
    }
}

impl fmt::Display for ComponentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.type_name, self.full_name)
    }
}

/// One file of a component, in mdapi layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataFile {
    /// POSIX path relative to the package root, e.g. `classes/Webhook.cls-meta.xml`.
    pub path: String,
    /// The exact bytes.
    pub bytes: Vec<u8>,
}

impl MetadataFile {
    /// A file from a path and its contents.
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self { path: path.into(), bytes: bytes.into() }
    }
}

/// A metadata component with its files (mdapi layout, sorted by path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Type and member name.
    pub key: ComponentKey,
    /// The files that make up the component (body and `-meta.xml`, or the single XML file).
    pub files: Vec<MetadataFile>,
}

impl Component {
    /// A component with the given files; the files are sorted by path.
    pub fn new(key: ComponentKey, mut files: Vec<MetadataFile>) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Self { key, files }
    }

    /// Total size of the component's files in bytes.
    pub fn byte_len(&self) -> usize {
        self.files.iter().map(|f| f.bytes.len()).sum()
    }
}

/// A set of components keyed and sorted by type and name: the one shape every verb works on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    /// Components in `(type, fullName)` order.
    pub components: BTreeMap<ComponentKey, Component>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a component; returns the previous one with the same key, if any.
    pub fn insert(&mut self, component: Component) -> Option<Component> {
        self.components.insert(component.key.clone(), component)
    }

    /// The component with this key.
    pub fn get(&self, key: &ComponentKey) -> Option<&Component> {
        self.components.get(key)
    }

    /// Number of components.
    pub fn len(&self) -> usize {
        self.components.len()
    }

    /// Whether the tree holds no component.
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// Iterates over the components in key order.
    pub fn iter(&self) -> impl Iterator<Item = &Component> {
        self.components.values()
    }

    /// Every file of every component, sorted by path.
    pub fn files(&self) -> Vec<&MetadataFile> {
        let mut files: Vec<&MetadataFile> = self.components.values().flat_map(|c| c.files.iter()).collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// The component keys grouped by type.
    pub fn members_by_type(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for key in self.components.keys() {
            map.entry(key.type_name.as_str()).or_default().push(key.full_name.as_str());
        }
        map
    }
}

/// A component's files as read, before any check or recomposition (see `read::compose::Unit::raw`).
#[derive(Debug, PartialEq, Eq)]
pub struct Raw(Vec<(String, Vec<u8>)>);

impl Raw {
    /// A raw form from (key, bytes) entries, in any order.
    pub fn new(mut entries: Vec<(String, Vec<u8>)>) -> Raw {
        entries.sort();
        Raw(entries)
    }

    /// The raw form of a component already built in Metadata API layout (generated, or held in
    /// memory): its files copied as they are.
    pub fn of_component(c: &Component) -> Raw {
        let mut entries: Vec<(String, Vec<u8>)> =
            c.files.iter().map(|f| (format!("file:{}", f.path), f.bytes.to_vec())).collect();
        entries.sort();
        Raw(entries)
    }
}
