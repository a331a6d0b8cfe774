//! Every metadata type the Salesforce CLI knows, from the CLI's own data.
//!
//! The registry is `data/sdr/metadataRegistry.json` of `@salesforce/source-deploy-retrieve`
//! (SDR, the library behind `sf project convert`, `deploy` and `retrieve`), checked in byte for
//! byte at the version the pinned Salesforce CLI installs, and parsed once on first use. Nothing
//! about a type is written here by hand: its folder, suffixes, folder and child types, and the
//! strategies that say how its files are shaped (`adapter`) and converted (`transformer`) all come
//! from that file, so a type that needs no special strategy is a data change
//! (`scripts/gen-sf-data.mjs` refreshes it; `tests/registry.rs` holds the copy to the original).
//!
//! The element order of types that are recomposed from several files (CustomObject, ...) comes from
//! the Metadata API WSDL, `data/sf/element-order.json` (`scripts/gen-element-order.py`).

use std::collections::HashMap;
use std::sync::OnceLock;

/// How a type's source files are grouped into a component (SDR's `strategies.adapter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// One XML file per component (`X.remoteSite-meta.xml`).
    Default,
    /// A content file beside its `-meta.xml` (`X.cls` + `X.cls-meta.xml`).
    MatchingContentFile,
    /// A content file of any extension, or a folder, beside `X.<suffix>-meta.xml` (static
    /// resources, documents, experience bundles).
    MixedContent,
    /// A folder per component (LWC, Aura, ...).
    Bundle,
    /// A folder per component whose children live in their own files (CustomObject).
    Decomposed,
    /// DigitalExperienceBundle and its DigitalExperience children.
    DigitalExperience,
    /// UI bundles (a folder per component, like [`Adapter::Bundle`]).
    UiBundles,
    /// Partially decomposed types (handled as [`Adapter::Decomposed`]).
    PartiallyDecomposed,
}

/// How a type's files change between the source and Metadata API formats (SDR's
/// `strategies.transformer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transformer {
    /// Same files; XML-only types drop or gain the `-meta.xml` suffix.
    Default,
    /// Children in their own files in source, inline in the parent in mdapi.
    Decomposed,
    /// Several source files merged into one mdapi file (CustomLabels).
    NonDecomposed,
    /// A folder in source, a zip in mdapi; the extension follows the content type.
    StaticResource,
    /// UI bundles (handled as [`Transformer::Default`]).
    UiBundle,
    /// Labels decomposed one per file (a registry preset; handled as [`Transformer::Default`]).
    DecomposedLabels,
}

/// Where a decomposed type's children live in source format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decomposition {
    /// `objects/X/fields/F.field-meta.xml`.
    FolderPerType,
    /// `objectTranslations/X/F.fieldTranslation-meta.xml`.
    TopLevel,
}

/// One metadata type (top-level or child).
#[derive(Debug)]
pub struct MdType {
    /// Registry id: the lower-case name (`apexclass`).
    pub id: String,
    /// package.xml `<name>` (`ApexClass`).
    pub name: String,
    /// Folder of the type (`classes`).
    pub directory_name: String,
    /// File suffix without the dot (`cls`), if any (bundles have none).
    pub suffix: Option<String>,
    /// An older suffix still recognised (`indexe` for Index).
    pub legacy_suffix: Option<String>,
    /// Components live in folders of a folder type (reports, dashboards, documents, email).
    pub in_folder: bool,
    /// The type's files are recognised only inside a folder of its `directory_name`.
    pub strict_directory_name: bool,
    /// For in-folder types: the folder's type id (`reportfolder`).
    pub folder_type: Option<String>,
    /// For folder types: the type they hold (`report`).
    pub folder_content_type: Option<String>,
    /// A fixed name of the metadata file inside a bundle (`schema.json`).
    pub meta_file_suffix: Option<String>,
    /// This type is another name for that type id.
    pub alias_for: Option<String>,
    /// The component's full name is the type name (CustomLabels).
    pub ignore_parsed_full_name: bool,
    /// A child whose full name does not carry its parent's (CustomLabel).
    pub ignore_parent_name: bool,
    /// The child element that names a child (`fullName`).
    pub unique_id_element: Option<String>,
    /// The element name of a child inside its parent, when not `directory_name`.
    pub xml_element_name: Option<String>,
    /// False for children that package.xml cannot list on their own.
    pub is_addressable: bool,
    /// Children that are only deployed with their parent.
    pub unaddressable_without_parent: bool,
    /// Type and name may be mixed with `*` in package.xml.
    pub supports_wildcard_and_name: bool,
    /// How files are grouped.
    pub adapter: Adapter,
    /// How files are converted.
    pub transformer: Transformer,
    /// Where decomposed children live.
    pub decomposition: Option<Decomposition>,
    /// Recomposition starts from no parent file (CustomLabels).
    pub recompose_start_empty: bool,
    /// Child types, if any.
    pub children: Option<Children>,
    /// The parent type's index, for a child type.
    parent: Option<usize>,
    index: usize,
}

/// A type's child types.
#[derive(Debug, Default)]
pub struct Children {
    /// Child type indexes, in registry order.
    types: Vec<usize>,
    /// Source suffix → child type index.
    suffixes: HashMap<String, usize>,
    /// Source sub-folder → child type index.
    directories: HashMap<String, usize>,
}

/// The whole registry.
#[derive(Debug)]
pub struct Registry {
    types: Vec<MdType>,
    by_id: HashMap<String, usize>,
    suffixes: HashMap<String, usize>,
    strict_folder_types: Vec<usize>,
    /// Directory name → positions in `strict_folder_types` of the strict types using it.
    strict_by_dir: HashMap<String, Vec<usize>>,
    folder_content_types: Vec<usize>,
    element_order: HashMap<String, Vec<String>>,
    /// The SDR version the data comes from.
    pub version: &'static str,
}

/// The SDR version of `data/sdr/metadataRegistry.json`.
pub const SDR_VERSION: &str = "13.7.0";
const REGISTRY_JSON: &str = include_str!("../../data/sdr/metadataRegistry.json");
const ORDER_JSON: &str = include_str!("../../data/sf/element-order.json");

/// The registry, parsed on first use.
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| Registry::parse(REGISTRY_JSON, ORDER_JSON).unwrap_or_else(|e| panic_free_empty(&e)))
}

/// The checked-in data is validated by tests; should it ever fail to parse, sfgen knows no type
/// rather than panicking (every file is then reported as unknown).
fn panic_free_empty(_why: &str) -> Registry {
    Registry {
        types: Vec::new(),
        by_id: HashMap::new(),
        suffixes: HashMap::new(),
        strict_folder_types: Vec::new(),
        strict_by_dir: HashMap::new(),
        folder_content_types: Vec::new(),
        element_order: HashMap::new(),
        version: SDR_VERSION,
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRegistry {
    types: Ordered<RawType>,
    suffixes: HashMap<String, String>,
    strict_directory_names: Ordered<String>,
}

/// A JSON object's entries in file order (SDR iterates its registry in that order, and the first
/// match wins in a few lookups).
struct Ordered<V>(Vec<(String, V)>);

impl<V> Default for Ordered<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, V: serde::Deserialize<'de>> serde::Deserialize<'de> for Ordered<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, V>()? {
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawType {
    id: String,
    name: String,
    directory_name: String,
    suffix: Option<String>,
    legacy_suffix: Option<String>,
    in_folder: bool,
    strict_directory_name: bool,
    folder_type: Option<String>,
    folder_content_type: Option<String>,
    meta_file_suffix: Option<String>,
    alias_for: Option<String>,
    ignore_parsed_full_name: bool,
    ignore_parent_name: bool,
    unique_id_element: Option<String>,
    xml_element_name: Option<String>,
    is_addressable: Option<bool>,
    unaddressable_without_parent: bool,
    supports_wildcard_and_name: bool,
    strategies: Option<RawStrategies>,
    children: Option<RawChildren>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RawStrategies {
    adapter: Option<String>,
    transformer: Option<String>,
    decomposition: Option<String>,
    recomposition: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RawChildren {
    types: Ordered<RawType>,
    suffixes: HashMap<String, String>,
    directories: HashMap<String, String>,
}

#[derive(serde::Deserialize)]
struct RawOrder {
    order: HashMap<String, Vec<String>>,
}

impl Registry {
    /// Parses the registry and element-order data.
    pub fn parse(registry_json: &str, order_json: &str) -> Result<Self, String> {
        let raw: RawRegistry = serde_json::from_str(registry_json).map_err(|e| e.to_string())?;
        let order: RawOrder = serde_json::from_str(order_json).map_err(|e| e.to_string())?;
        let mut reg = panic_free_empty("");
        reg.element_order = order.order;
        let mut pending_children: Vec<(usize, RawChildren)> = Vec::new();
        for (_, mut t) in raw.types.0 {
            let children = t.children.take();
            let i = reg.push(t, None)?;
            if let Some(c) = children {
                pending_children.push((i, c));
            }
        }
        for (parent, raw_children) in pending_children {
            let mut children = Children::default();
            let mut ids: HashMap<String, usize> = HashMap::new();
            for (_, t) in raw_children.types.0 {
                let id = t.id.clone();
                let i = reg.push(t, Some(parent))?;
                children.types.push(i);
                ids.insert(id, i);
            }
            // A few entries name something that is not a child type (SharingRules' directories
            // name the parent itself); SDR finds nothing for them either.
            for (suffix, id) in &raw_children.suffixes {
                if let Some(&i) = ids.get(id) {
                    children.suffixes.insert(suffix.clone(), i);
                }
            }
            for (dir, id) in &raw_children.directories {
                if let Some(&i) = ids.get(id) {
                    children.directories.insert(dir.clone(), i);
                }
            }
            reg.types[parent].children = Some(children);
        }
        for (suffix, id) in raw.suffixes {
            let i = *reg.by_id.get(&id).ok_or_else(|| format!("suffix {suffix}: unknown type id {id}"))?;
            reg.suffixes.insert(suffix, i);
        }
        // SDR iterates `Object.values(strictDirectoryNames)` in file order; the first match wins.
        reg.strict_folder_types = raw
            .strict_directory_names
            .0
            .iter()
            .map(|(_, id)| reg.by_id.get(id).copied().ok_or_else(|| format!("strict directory: unknown type id {id}")))
            .collect::<Result<_, _>>()?;
        for (pos, &i) in reg.strict_folder_types.iter().enumerate() {
            reg.strict_by_dir.entry(reg.types[i].directory_name.clone()).or_default().push(pos);
        }
        reg.folder_content_types = (0..reg.types.len())
            .filter(|&i| reg.types[i].folder_content_type.is_some() && reg.types[i].alias_for.is_none())
            .collect();
        Ok(reg)
    }

    fn push(&mut self, t: RawType, parent: Option<usize>) -> Result<usize, String> {
        let s = t.strategies.unwrap_or_default();
        let adapter = match s.adapter.as_deref() {
            None | Some("default") => Adapter::Default,
            Some("matchingContentFile") => Adapter::MatchingContentFile,
            Some("mixedContent") => Adapter::MixedContent,
            Some("bundle") => Adapter::Bundle,
            Some("decomposed") => Adapter::Decomposed,
            Some("digitalExperience") => Adapter::DigitalExperience,
            Some("uiBundles") => Adapter::UiBundles,
            Some("partiallyDecomposed") => Adapter::PartiallyDecomposed,
            Some(other) => return Err(format!("{}: unknown adapter {other}", t.name)),
        };
        let transformer = match s.transformer.as_deref() {
            None | Some("default") => Transformer::Default,
            Some("decomposed") => Transformer::Decomposed,
            Some("nonDecomposed") => Transformer::NonDecomposed,
            Some("staticResource") => Transformer::StaticResource,
            Some("uiBundle") => Transformer::UiBundle,
            Some("decomposedLabels") => Transformer::DecomposedLabels,
            Some(other) => return Err(format!("{}: unknown transformer {other}", t.name)),
        };
        let decomposition = match s.decomposition.as_deref() {
            None => None,
            Some("folderPerType") => Some(Decomposition::FolderPerType),
            Some("topLevel") => Some(Decomposition::TopLevel),
            Some(other) => return Err(format!("{}: unknown decomposition {other}", t.name)),
        };
        let index = self.types.len();
        if parent.is_none() {
            self.by_id.insert(t.id.clone(), index);
        } else {
            // Child ids are looked up by name too (CustomField): SDR's `childTypes` map.
            self.by_id.entry(t.id.clone()).or_insert(index);
        }
        self.types.push(MdType {
            id: t.id,
            name: t.name,
            directory_name: t.directory_name,
            suffix: t.suffix,
            legacy_suffix: t.legacy_suffix,
            in_folder: t.in_folder,
            strict_directory_name: t.strict_directory_name,
            folder_type: t.folder_type,
            folder_content_type: t.folder_content_type,
            meta_file_suffix: t.meta_file_suffix,
            alias_for: t.alias_for,
            ignore_parsed_full_name: t.ignore_parsed_full_name,
            ignore_parent_name: t.ignore_parent_name,
            unique_id_element: t.unique_id_element,
            xml_element_name: t.xml_element_name,
            is_addressable: t.is_addressable.unwrap_or(true),
            unaddressable_without_parent: t.unaddressable_without_parent,
            supports_wildcard_and_name: t.supports_wildcard_and_name,
            adapter,
            transformer,
            decomposition,
            recompose_start_empty: s.recomposition.as_deref() == Some("startEmpty"),
            children: None,
            parent,
            index,
        });
        Ok(index)
    }

    /// Every type, top-level and child.
    pub fn types(&self) -> impl Iterator<Item = &MdType> {
        self.types.iter()
    }

    /// The type of a package.xml name or registry id, case-insensitively (`ApexClass`,
    /// `customfield`); an alias resolves to the type it stands for.
    pub fn by_name(&self, name: &str) -> Option<&MdType> {
        let t = &self.types[*self.by_id.get(&name.trim().to_ascii_lowercase())?];
        match &t.alias_for {
            Some(alias) => self.by_id.get(alias).map(|&i| &self.types[i]),
            None => Some(t),
        }
    }

    /// The type of a source or mdapi suffix (`cls`, `object`, `field`).
    pub fn by_suffix(&self, suffix: &str) -> Option<&MdType> {
        let t = &self.types[*self.suffixes.get(suffix)?];
        match &t.alias_for {
            Some(alias) => self.by_id.get(alias).map(|&i| &self.types[i]),
            None => Some(t),
        }
    }

    /// The top-level types whose folder is `dir` (several types may share one: `settings`,
    /// `reports`).
    pub fn types_in_directory<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a MdType> + 'a {
        self.types.iter().filter(move |t| t.parent.is_none() && t.directory_name == dir)
    }

    /// The types whose files are only recognised inside their own folder.
    pub fn strict_folder_types(&self) -> impl Iterator<Item = &MdType> {
        self.strict_folder_types.iter().map(|&i| &self.types[i])
    }

    /// The strict-folder types whose folder is one of `segments`, in registry order.
    pub fn strict_types_in<'a>(&'a self, segments: &[&str]) -> Vec<&'a MdType> {
        let mut positions: Vec<usize> =
            segments.iter().filter_map(|s| self.strict_by_dir.get(*s)).flatten().copied().collect();
        positions.sort_unstable();
        positions.dedup();
        positions.into_iter().map(|p| &self.types[self.strict_folder_types[p]]).collect()
    }

    /// Folder types (ReportFolder, ...).
    pub fn folder_content_types(&self) -> impl Iterator<Item = &MdType> {
        self.folder_content_types.iter().map(|&i| &self.types[i])
    }

    /// The first type matching `pred`, aliases resolved.
    pub fn find(&self, pred: impl Fn(&MdType) -> bool) -> Option<&MdType> {
        let t = self.types.iter().filter(|t| t.parent.is_none()).find(|t| pred(t))?;
        match &t.alias_for {
            Some(alias) => self.by_id.get(alias).map(|&i| &self.types[i]),
            None => Some(t),
        }
    }

    /// The parent type of a child type.
    pub fn parent_of(&self, t: &MdType) -> Option<&MdType> {
        t.parent.map(|i| &self.types[i])
    }

    /// The child types of `t`.
    pub fn children_of<'a>(&'a self, t: &'a MdType) -> impl Iterator<Item = &'a MdType> + 'a {
        t.children.iter().flat_map(move |c| c.types.iter().map(move |&i| &self.types[i]))
    }

    /// The child type of `t` for a source suffix (`field` → CustomField).
    pub fn child_by_suffix(&self, t: &MdType, suffix: &str) -> Option<&MdType> {
        t.children.as_ref()?.suffixes.get(suffix).map(|&i| &self.types[i])
    }

    /// The child type of `t` for an XML element name of the parent (`fields` → CustomField).
    pub fn child_by_element(&self, t: &MdType, element: &str) -> Option<&MdType> {
        let c = t.children.as_ref()?;
        c.types
            .iter()
            .map(|&i| &self.types[i])
            .find(|ch| ch.xml_element_name.as_deref() == Some(element))
            .or_else(|| c.directories.get(element).map(|&i| &self.types[i]))
    }

    /// The type `t.folder_type` or `t.folder_content_type` names.
    pub fn by_id(&self, id: &str) -> Option<&MdType> {
        self.by_id.get(id).map(|&i| &self.types[i])
    }

    /// The WSDL element sequence of a recomposed type, when known.
    pub fn element_order(&self, type_name: &str) -> Option<&[String]> {
        self.element_order.get(type_name).map(Vec::as_slice)
    }
}

impl MdType {
    /// The element a child is stored under inside its parent (`fields`).
    pub fn xml_element(&self) -> &str {
        self.xml_element_name.as_deref().unwrap_or(&self.directory_name)
    }

    /// Whether this is a child type (CustomField, CustomLabel, ...).
    pub fn is_child(&self) -> bool {
        self.parent.is_some()
    }

    /// Whether `suffix` is this type's suffix or legacy suffix.
    pub fn has_suffix(&self, suffix: &str) -> bool {
        self.suffix.as_deref() == Some(suffix) || self.legacy_suffix.as_deref() == Some(suffix)
    }
}

impl PartialEq for MdType {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}

impl Eq for MdType {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_data_parses_and_knows_every_type() {
        let reg = Registry::parse(REGISTRY_JSON, ORDER_JSON).unwrap();
        assert!(reg.types().filter(|t| !t.is_child()).count() >= 500);
        let class = reg.by_name("ApexClass").unwrap();
        assert_eq!((class.directory_name.as_str(), class.suffix.as_deref()), ("classes", Some("cls")));
        assert_eq!(class.adapter, Adapter::MatchingContentFile);
        assert_eq!(reg.by_suffix("cls").unwrap(), class);
        let field = reg.by_name("CustomField").unwrap();
        assert_eq!(reg.parent_of(field).unwrap().name, "CustomObject");
        let object = reg.by_name("customobject").unwrap();
        assert_eq!(reg.child_by_suffix(object, "field").unwrap(), field);
        assert_eq!(reg.child_by_element(object, "fields").unwrap(), field);
        assert_eq!(object.decomposition, Some(Decomposition::FolderPerType));
        assert_eq!(reg.element_order("CustomObject").unwrap()[0], "fullName");
        let labels = reg.by_name("CustomLabels").unwrap();
        assert!(labels.recompose_start_empty && labels.transformer == Transformer::NonDecomposed);
        let label = reg.child_by_element(labels, "labels").unwrap();
        assert!(label.ignore_parent_name);
        for name in [
            "ExternalClientApplication",
            "ExtlClntAppOauthSettings",
            "PlatformCachePartition",
            "DataWeaveResource",
            "ExperienceBundle",
            "Workflow",
        ] {
            assert!(reg.by_name(name).is_some(), "{name}");
        }
        let alias = reg.by_name("EmailTemplateFolder").unwrap();
        assert_eq!(alias.name, "EmailFolder");
        assert_eq!(reg.by_name("ReportFolder").unwrap().folder_content_type.as_deref(), Some("report"));
    }
}
