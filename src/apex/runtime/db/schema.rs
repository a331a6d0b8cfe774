//! The in-memory org's schema: the package's own objects (custom objects and fields, custom
//! settings, custom metadata types and records, platform events) read from its `objects/` and
//! `customMetadata/`, and every standard object from Salesforce's describe data
//! ([`crate::sf::schema`]: fields, Apex types, lookups, required fields, key prefixes), built
//! when first used. A field neither knows is a compile error ("Invalid field X for Contact").

use crate::metadata::Tree;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// What kind of object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjKind {
    /// A standard object.
    Standard,
    /// A custom object (`__c`).
    Custom,
    /// A hierarchy custom setting.
    HierarchySetting,
    /// A list custom setting.
    ListSetting,
    /// A custom metadata type (`__mdt`).
    Metadata,
    /// A platform event (`__e`).
    Event,
}

/// A field's data type, as the schema says it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// Id
    Id,
    /// Text, Email, Phone, Url, Picklist, TextArea, ... with a maximum length.
    Text(usize),
    /// A number with a scale (0: Integer-like, still a Decimal in Apex).
    Number(u32),
    /// Checkbox.
    Checkbox,
    /// A standard Integer field (an Apex Integer, not a Decimal).
    Integer,
    /// A standard Double field.
    Double,
    /// Date.
    Date,
    /// Date/Time.
    DateTime,
    /// Time.
    Time,
    /// Lookup or master-detail to the objects named.
    Reference(Vec<Arc<str>>),
    /// A custom metadata relationship to `EntityDefinition` or `FieldDefinition`: its value is an
    /// API name (`Account`, `Account.Name`), and SOQL follows it (`Object__r.QualifiedApiName`).
    EntityRef(Arc<str>),
    /// Anything else (formula, address, ...): read-only here, any value.
    Other,
}

/// One field.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    /// API name.
    pub name: Arc<str>,
    /// Type.
    pub ty: FieldType,
    /// Required on create (the platform refuses a null: REQUIRED_FIELD_MISSING).
    pub required: bool,
    /// Unique (DUPLICATE_VALUE).
    pub unique: bool,
    /// An external id (upsert key).
    pub external_id: bool,
    /// The default value formula, when a literal (`false`, `'x'`, `42`).
    pub default: Option<String>,
    /// Relationship name of a lookup (`Account` for `AccountId`, `Parent__r` for `Parent__c`).
    pub relationship: Option<Arc<str>>,
    /// Picklist values (value, label, default).
    pub picklist: Vec<(Arc<str>, Arc<str>, bool)>,
    /// Label.
    pub label: Arc<str>,
    /// Whether the platform sets it (not createable or updateable by Apex).
    pub system: bool,
    /// For a package lookup: the child relationship name it adds to its parent
    /// (`<relationshipName>__r`).
    pub child_relationship: Option<Arc<str>>,
}

impl FieldInfo {
    fn new(name: &str, ty: FieldType) -> FieldInfo {
        FieldInfo {
            name: name.into(),
            ty,
            required: false,
            unique: false,
            external_id: false,
            default: None,
            relationship: None,
            picklist: Vec::new(),
            label: name.into(),
            system: false,
            child_relationship: None,
        }
    }
}

/// A child relationship: (name as spelled, child object, the child's lookup field).
pub type Child = (Arc<str>, Arc<str>, Arc<str>);

/// One object.
#[derive(Debug, Clone)]
pub struct ObjInfo {
    /// API name.
    pub name: Arc<str>,
    /// Kind.
    pub kind: ObjKind,
    /// The 3-character key prefix of its ids.
    pub prefix: Arc<str>,
    /// Fields by lower-case name.
    pub fields: IndexMap<String, FieldInfo>,
    /// Child relationships: lower-case relationship name → (child object, lookup field).
    pub children: HashMap<String, Child>,
    /// Label.
    pub label: Arc<str>,
    /// Plural label.
    pub plural: Arc<str>,
    /// Whether fields not listed are accepted (standard objects until the describe data lands).
    pub lenient: bool,
    /// The display format of an auto-number Name (`D-{0000000000}`).
    pub autonumber: Option<String>,
    /// Whether records can be inserted.
    pub createable: bool,
}

impl ObjInfo {
    /// A field by any case.
    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields.get(&name.to_ascii_lowercase())
    }

    /// The lookup field a relationship name (`Account`, `Parent__r`) stands for.
    pub fn relationship(&self, rel: &str) -> Option<&FieldInfo> {
        let l = rel.to_ascii_lowercase();
        self.fields.values().find(|f| f.relationship.as_ref().is_some_and(|r| r.to_ascii_lowercase() == l))
    }
}

/// A custom metadata record: type, DeveloperName, label, field values (text as in the file).
#[derive(Debug, Clone)]
pub struct MdtRecord {
    /// The type (`Webhook_Endpoint__mdt`).
    pub ty: Arc<str>,
    /// DeveloperName.
    pub name: Arc<str>,
    /// Label.
    pub label: Arc<str>,
    /// Values: (field, text; `None` for xsi:nil).
    pub values: Vec<(Arc<str>, Option<String>)>,
}

/// The schema of the in-memory org.
#[derive(Debug, Default)]
pub struct Schema {
    /// The package's objects (and standard objects the package extends), by lower-case name.
    pub objects: HashMap<String, ObjInfo>,
    /// Standard objects, built from the describe data when first used.
    standard: HashMap<String, OnceLock<ObjInfo>>,
    /// Child relationships the package's lookups add to standard objects: parent → (relationship,
    /// child, field).
    extra_children: HashMap<String, Vec<Child>>,
    /// Custom metadata records.
    pub mdt: Vec<MdtRecord>,
    /// Key prefix → object name (the package's objects; standard ones are looked up).
    pub by_prefix: HashMap<String, Arc<str>>,
    /// Setup records the package's metadata puts in the org (PermissionSet, PermissionSetGroup,
    /// StaticResource, RecordType): lower-case object → rows of (field, value).
    pub setup_rows: HashMap<String, Vec<Vec<(&'static str, MetaVal)>>>,
    /// Platform events (lower-case names) published immediately (`publishBehavior`
    /// `PublishImmediately`); the others are published after the transaction commits, the
    /// default (Metadata API Developer Guide, CustomObject: publishBehavior).
    pub immediate_events: std::collections::HashSet<String>,
}

/// A value of a setup record read from metadata.
#[derive(Debug, Clone)]
pub enum MetaVal {
    /// Text.
    Str(String),
    /// Checkbox.
    Bool(bool),
    /// Binary content (a static resource's Body).
    Blob(Arc<[u8]>),
}

/// A standard object from the describe data, with the package's child relationships onto it.
fn standard(name: &str, extra: Option<&Vec<Child>>) -> Option<ObjInfo> {
    let info = crate::sf::schema::standard_object(name)?;
    let mut o = ObjInfo {
        name: info.name.as_str().into(),
        kind: ObjKind::Standard,
        prefix: info.key_prefix.clone().unwrap_or_else(|| "z00".into()).into(),
        fields: IndexMap::new(),
        children: HashMap::new(),
        label: info.name.as_str().into(),
        plural: format!("{}s", info.name).into(),
        lenient: false,
        autonumber: None,
        createable: info.createable,
    };
    for f in &info.fields {
        let ty = match (f.apex_type.as_str(), f.is_lookup()) {
            (_, true) => FieldType::Reference(f.reference_to.iter().map(|t| Arc::from(t.as_str())).collect()),
            ("Id", false) => FieldType::Id,
            ("String", _) => FieldType::Text(usize::MAX),
            ("Boolean", _) => FieldType::Checkbox,
            ("Date", _) => FieldType::Date,
            ("Datetime", _) => FieldType::DateTime,
            ("Time", _) => FieldType::Time,
            ("Decimal", _) => FieldType::Number(2),
            ("Integer", _) => FieldType::Integer,
            ("Double", _) => FieldType::Double,
            _ => FieldType::Other,
        };
        let mut fi = FieldInfo::new(&f.name, ty);
        fi.required = f.required_on_create;
        fi.relationship = f.relationship_name.as_deref().map(Arc::from);
        fi.system = !f.createable && !f.updateable;
        o.fields.insert(f.name.to_ascii_lowercase(), fi);
    }
    if !o.fields.contains_key("id") {
        let mut id = FieldInfo::new("Id", FieldType::Id);
        id.system = true;
        o.fields.insert("id".into(), id);
    }
    for c in &info.child_relationships {
        let field = c.field.clone().unwrap_or_default();
        o.children.insert(
            c.name.to_ascii_lowercase(),
            (c.name.as_str().into(), c.child_object.as_str().into(), field.as_str().into()),
        );
    }
    for (rel, child, field) in extra.into_iter().flatten() {
        o.children.entry(rel.to_ascii_lowercase()).or_insert((rel.clone(), child.clone(), field.clone()));
    }
    Some(o)
}

/// Relationship fields every object has (system fields).
const SYSTEM_LOOKUPS: &[(&str, &str)] = &[("CreatedById", "User"), ("LastModifiedById", "User")];

impl Schema {
    /// Reads the package's objects and custom metadata records and adds the standard objects.
    pub fn from_tree(tree: &Tree) -> Schema {
        let mut s = Schema::default();
        let mut counter = 0usize;
        for c in tree.iter().filter(|c| c.key.type_name == "CustomObject") {
            for f in &c.files {
                let Ok(root) = crate::sf::xml::parse(&f.bytes) else { continue };
                let name = c.key.full_name.clone();
                let lname = name.to_ascii_lowercase();
                let text =
                    |e: &crate::sf::xml::Element, n: &str| e.find(n).map(|x| x.text_content().trim().to_string());
                let is_standard = !lname.contains("__") && crate::sf::schema::is_standard_object(&lname);
                let kind = if lname.ends_with("__mdt") {
                    ObjKind::Metadata
                } else if lname.ends_with("__e") {
                    ObjKind::Event
                } else {
                    match text(&root, "customSettingsType").as_deref() {
                        Some("Hierarchy") => ObjKind::HierarchySetting,
                        Some("List") => ObjKind::ListSetting,
                        _ if is_standard => ObjKind::Standard,
                        _ => ObjKind::Custom,
                    }
                };
                if kind == ObjKind::Event && text(&root, "publishBehavior").as_deref() == Some("PublishImmediately") {
                    s.immediate_events.insert(lname.clone());
                }
                let existing =
                    s.objects.remove(&lname).or_else(|| if is_standard { standard(&name, None) } else { None });
                let mut o = existing.unwrap_or_else(|| {
                    let prefix = match kind {
                        ObjKind::Metadata => format!("m{counter:02}"),
                        ObjKind::Event => format!("e{counter:02}"),
                        _ => format!("a{counter:02}"),
                    };
                    counter += 1;
                    let mut o = ObjInfo {
                        name: name.as_str().into(),
                        kind,
                        prefix: prefix.into(),
                        fields: IndexMap::new(),
                        children: HashMap::new(),
                        label: text(&root, "label").unwrap_or_else(|| name.clone()).into(),
                        plural: text(&root, "pluralLabel").unwrap_or_else(|| name.clone()).into(),
                        lenient: false,
                        autonumber: None,
                        createable: kind != ObjKind::Metadata,
                    };
                    add_system_fields(&mut o);
                    if kind == ObjKind::Event {
                        // Every platform event's standard fields (Platform Events Developer
                        // Guide, "Platform Event Fields": EventUuid, ReplayId).
                        for n in ["EventUuid", "ReplayId"] {
                            let mut f = FieldInfo::new(n, FieldType::Text(255));
                            f.system = true;
                            o.fields.insert(n.to_ascii_lowercase(), f);
                        }
                    }
                    match kind {
                        ObjKind::HierarchySetting | ObjKind::ListSetting => {
                            o.fields.insert("setupownerid".into(), {
                                let mut f = FieldInfo::new(
                                    "SetupOwnerId",
                                    FieldType::Reference(vec!["User".into(), "Profile".into(), "Organization".into()]),
                                );
                                f.relationship = Some("SetupOwner".into());
                                f
                            });
                        }
                        ObjKind::Metadata => {
                            for n in [
                                "DeveloperName",
                                "MasterLabel",
                                "Label",
                                "QualifiedApiName",
                                "NamespacePrefix",
                                "Language",
                            ] {
                                o.fields.insert(n.to_ascii_lowercase(), FieldInfo::new(n, FieldType::Text(255)));
                            }
                        }
                        _ => {}
                    }
                    o
                });
                if let Some(nf) = root.find("nameField") {
                    if text(nf, "type").as_deref() == Some("AutoNumber") {
                        o.autonumber = Some(text(nf, "displayFormat").unwrap_or_else(|| "{0}".into()));
                    }
                }
                for fd in root.elements().filter(|e| e.name == "fields") {
                    let Some(fname) = text(fd, "fullName") else { continue };
                    let ty = text(fd, "type").unwrap_or_default();
                    let len = text(fd, "length").and_then(|l| l.parse().ok());
                    let scale = text(fd, "scale").and_then(|l| l.parse().ok()).unwrap_or(0);
                    let target = text(fd, "referenceTo");
                    let fty = match ty.as_str() {
                        "Text" | "Email" | "Phone" | "Url" | "Picklist" | "EncryptedText" => {
                            FieldType::Text(len.unwrap_or(match ty.as_str() {
                                "Email" => 80,
                                "Phone" => 40,
                                _ => 255,
                            }))
                        }
                        "TextArea" => FieldType::Text(255),
                        "LongTextArea" | "Html" => FieldType::Text(len.unwrap_or(32_768)),
                        "MultiselectPicklist" => FieldType::Text(4099),
                        "Number" | "Currency" | "Percent" => FieldType::Number(scale),
                        "Checkbox" => FieldType::Checkbox,
                        "Date" => FieldType::Date,
                        "DateTime" => FieldType::DateTime,
                        "Time" => FieldType::Time,
                        // A metadata relationship holds an API name (`Account`, `Account.Name`).
                        "MetadataRelationship" => {
                            FieldType::EntityRef(target.clone().unwrap_or_else(|| "EntityDefinition".into()).into())
                        }
                        "Lookup" | "MasterDetail" => {
                            FieldType::Reference(target.clone().map(|t| vec![t.into()]).unwrap_or_default())
                        }
                        _ => FieldType::Other,
                    };
                    let mut f = FieldInfo::new(&fname, fty);
                    let formula = fd.find("formula").is_some();
                    f.required = (text(fd, "required").as_deref() == Some("true") || ty == "MasterDetail") && !formula;
                    f.unique = text(fd, "unique").as_deref() == Some("true");
                    f.external_id = text(fd, "externalId").as_deref() == Some("true");
                    f.default = text(fd, "defaultValue");
                    f.system = formula || matches!(ty.as_str(), "AutoNumber" | "Summary");
                    f.label = text(fd, "label").unwrap_or_else(|| fname.clone()).into();
                    if ty == "Checkbox" && f.default.is_none() {
                        f.default = Some("false".into());
                    }
                    if matches!(ty.as_str(), "Lookup" | "MasterDetail" | "MetadataRelationship") {
                        // The parent relationship is the field's name with `__r`; the child
                        // relationship the parent sees is `relationshipName` with `__r`.
                        let base = fname.strip_suffix("__c").unwrap_or(&fname);
                        f.relationship = Some(format!("{base}__r").into());
                        f.child_relationship =
                            text(fd, "relationshipName").map(|r| Arc::from(format!("{r}__r").as_str()));
                    }
                    if let Some(vs) = fd.find("valueSet").and_then(|v| v.find("valueSetDefinition")) {
                        for v in vs.elements().filter(|e| e.name == "value") {
                            let full = text(v, "fullName").unwrap_or_default();
                            let label = text(v, "label").unwrap_or_else(|| full.clone());
                            let def = text(v, "default").as_deref() == Some("true");
                            f.picklist.push((full.into(), label.into(), def));
                        }
                    }
                    o.fields.insert(fname.to_ascii_lowercase(), f);
                }
                s.objects.insert(lname, o);
            }
        }
        for c in tree.iter() {
            let text_of = |tag: &str| -> Option<String> {
                c.files.iter().find_map(|f| {
                    crate::sf::xml::parse(&f.bytes)
                        .ok()
                        .and_then(|r| r.find(tag).map(|x| x.text_content().trim().to_string()))
                })
            };
            let name = c.key.full_name.clone();
            match c.key.type_name.as_str() {
                "PermissionSet" => {
                    let label = text_of("label").unwrap_or_else(|| name.clone());
                    s.setup_rows.entry("permissionset".into()).or_default().push(vec![
                        ("Name", MetaVal::Str(name.clone())),
                        ("Label", MetaVal::Str(label)),
                        ("IsOwnedByProfile", MetaVal::Bool(false)),
                        ("NamespacePrefix", MetaVal::Str(String::new())),
                    ]);
                }
                "PermissionSetGroup" => {
                    let label = text_of("label").unwrap_or_else(|| name.clone());
                    s.setup_rows.entry("permissionsetgroup".into()).or_default().push(vec![
                        ("DeveloperName", MetaVal::Str(name.clone())),
                        ("MasterLabel", MetaVal::Str(label)),
                        ("Status", MetaVal::Str("Updated".into())),
                    ]);
                }
                "StaticResource" => {
                    let body = c
                        .files
                        .iter()
                        .find(|f| !f.path.ends_with("-meta.xml"))
                        .map(|f| Arc::<[u8]>::from(f.bytes.as_slice()));
                    let ctype = c
                        .files
                        .iter()
                        .find(|f| f.path.ends_with("-meta.xml"))
                        .and_then(|f| crate::sf::xml::parse(&f.bytes).ok())
                        .and_then(|r| r.find("contentType").map(|x| x.text_content().trim().to_string()))
                        .unwrap_or_default();
                    let mut row = vec![("Name", MetaVal::Str(name.clone())), ("ContentType", MetaVal::Str(ctype))];
                    if let Some(b) = body {
                        row.push(("Body", MetaVal::Blob(b)));
                    }
                    s.setup_rows.entry("staticresource".into()).or_default().push(row);
                }
                "CustomObject" => {
                    for f in &c.files {
                        let Ok(root) = crate::sf::xml::parse(&f.bytes) else { continue };
                        for rt in root.elements().filter(|e| e.name == "recordTypes") {
                            let t = |n: &str| rt.find(n).map(|x| x.text_content().trim().to_string());
                            let dev = t("fullName").unwrap_or_default();
                            s.setup_rows.entry("recordtype".into()).or_default().push(vec![
                                ("DeveloperName", MetaVal::Str(dev.clone())),
                                ("Name", MetaVal::Str(t("label").unwrap_or(dev))),
                                ("SobjectType", MetaVal::Str(name.clone())),
                                ("IsActive", MetaVal::Bool(t("active").as_deref() != Some("false"))),
                            ]);
                        }
                    }
                }
                _ => {}
            }
        }
        for c in tree.iter().filter(|c| c.key.type_name == "CustomMetadata") {
            let Some((ty, dev)) = c.key.full_name.split_once('.') else { continue };
            for f in &c.files {
                let Ok(root) = crate::sf::xml::parse(&f.bytes) else { continue };
                let label =
                    root.find("label").map(|l| l.text_content().trim().to_string()).unwrap_or_else(|| dev.to_string());
                let mut values = Vec::new();
                for v in root.elements().filter(|e| e.name == "values") {
                    let Some(field) = v.find("field").map(|x| x.text_content().trim().to_string()) else { continue };
                    let val = v.find("value");
                    let nil = val.is_none_or(|x| x.attributes.iter().any(|(k, v)| k.ends_with("nil") && v == "true"));
                    values.push((field.into(), if nil { None } else { val.map(|x| x.text_content()) }));
                }
                s.mdt.push(MdtRecord {
                    ty: format!("{ty}__mdt").into(),
                    name: dev.into(),
                    label: label.into(),
                    values,
                });
            }
        }
        // Child relationships of the package's lookups (`relationshipName` + `__r`).
        let mut children: Vec<(String, Child)> = Vec::new();
        for o in s.objects.values() {
            if o.kind == ObjKind::Standard {
                continue;
            }
            for f in o.fields.values() {
                if let (FieldType::Reference(targets), Some(rel)) = (&f.ty, &f.child_relationship) {
                    if o.kind == ObjKind::Metadata {
                        continue;
                    }
                    for t in targets {
                        children.push((t.to_ascii_lowercase(), (rel.clone(), o.name.clone(), f.name.clone())));
                    }
                }
            }
        }
        for (parent, child) in children {
            match s.objects.get_mut(&parent) {
                Some(p) => {
                    p.children.entry(child.0.to_ascii_lowercase()).or_insert(child);
                }
                None => s.extra_children.entry(parent).or_default().push(child),
            }
        }
        s.by_prefix = s.objects.values().map(|o| (o.prefix.to_string(), o.name.clone())).collect();
        for n in crate::sf::schema::standard_object_names() {
            let l = n.to_ascii_lowercase();
            if !s.objects.contains_key(&l) {
                s.standard.insert(l, OnceLock::new());
            }
        }
        s
    }

    /// The object a key prefix belongs to.
    pub fn object_by_prefix(&self, prefix: &str) -> Option<Arc<str>> {
        if let Some(o) = self.by_prefix.get(prefix) {
            return Some(o.clone());
        }
        crate::sf::schema::object_by_key_prefix(prefix).map(|o| Arc::from(o.name.as_str()))
    }

    /// An object by any case (`Contact`, `schema.contact`).
    pub fn object(&self, name: &str) -> Option<&ObjInfo> {
        let l = name.to_ascii_lowercase();
        let l = l.strip_prefix("schema.").unwrap_or(&l);
        if let Some(o) = self.objects.get(l) {
            return Some(o);
        }
        let cell = self.standard.get(l)?;
        if cell.get().is_none() {
            let built = standard(l, self.extra_children.get(l))?;
            let _ = cell.set(built);
        }
        cell.get()
    }

    /// The API name of an object a type name means, if it is one.
    pub fn object_name(&self, name: &str) -> Option<Arc<str>> {
        self.object(name).map(|o| o.name.clone())
    }
}

fn add_system_fields(o: &mut ObjInfo) {
    let mut id = FieldInfo::new("Id", FieldType::Id);
    id.system = true;
    o.fields.insert("id".into(), id);
    for (n, t) in [
        ("Name", FieldType::Text(255)),
        ("CreatedDate", FieldType::DateTime),
        ("LastModifiedDate", FieldType::DateTime),
        ("SystemModstamp", FieldType::DateTime),
        ("IsDeleted", FieldType::Checkbox),
    ] {
        let mut f = FieldInfo::new(n, t);
        f.system = n != "Name";
        o.fields.entry(n.to_ascii_lowercase()).or_insert(f);
    }
    for (n, t) in SYSTEM_LOOKUPS {
        let mut f = FieldInfo::new(n, FieldType::Reference(vec![(*t).into()]));
        f.system = true;
        f.relationship = Some(n.trim_end_matches("Id").into());
        o.fields.entry(n.to_ascii_lowercase()).or_insert(f);
    }
}
