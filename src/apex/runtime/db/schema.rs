//! The in-memory org's schema: the package's own objects (custom objects and fields, custom
//! settings, custom metadata types and records, platform events) read from its `objects/` and
//! `customMetadata/`, plus the standard objects tests touch. Standard objects are lenient: a
//! field the runtime does not know is accepted (Salesforce's describe data decides once
//! `crate::sf::schema` lands).

use crate::metadata::Tree;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::Arc;

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
    /// Date.
    Date,
    /// Date/Time.
    DateTime,
    /// Time.
    Time,
    /// Lookup or master-detail to the objects named.
    Reference(Vec<Arc<str>>),
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
        }
    }
}

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
    pub children: HashMap<String, (Arc<str>, Arc<str>)>,
    /// Label.
    pub label: Arc<str>,
    /// Plural label.
    pub plural: Arc<str>,
    /// Whether fields not listed are accepted (standard objects until the describe data lands).
    pub lenient: bool,
    /// The display format of an auto-number Name (`D-{0000000000}`).
    pub autonumber: Option<String>,
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
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Objects by lower-case name.
    pub objects: HashMap<String, ObjInfo>,
    /// Custom metadata records.
    pub mdt: Vec<MdtRecord>,
    /// Key prefix → object name.
    pub by_prefix: HashMap<String, Arc<str>>,
}

/// Standard objects the runtime knows, with their documented key prefixes ("Standard Field
/// Record ID Prefix Decoder", Salesforce Help) and the fields a create requires (the SOAP API
/// Object Reference: fields that are "Create" and not "Nillable" without a default).
/// (object, key prefix, required fields, lookups (field, target)).
type Standard = (&'static str, &'static str, &'static [&'static str], &'static [(&'static str, &'static str)]);

const STANDARD: &[Standard] = &[
    ("Account", "001", &["Name"], &[("ParentId", "Account"), ("OwnerId", "User")]),
    ("Contact", "003", &["LastName"], &[("AccountId", "Account"), ("ReportsToId", "Contact"), ("OwnerId", "User")]),
    ("Lead", "00Q", &["LastName", "Company"], &[("OwnerId", "User")]),
    ("Opportunity", "006", &["Name", "StageName", "CloseDate"], &[("AccountId", "Account"), ("OwnerId", "User")]),
    (
        "Case",
        "500",
        &[],
        &[("AccountId", "Account"), ("ContactId", "Contact"), ("OwnerId", "User"), ("ParentId", "Case")],
    ),
    (
        "User",
        "005",
        &[
            "Username",
            "LastName",
            "Email",
            "Alias",
            "TimeZoneSidKey",
            "LocaleSidKey",
            "EmailEncodingKey",
            "ProfileId",
            "LanguageLocaleKey",
        ],
        &[("ProfileId", "Profile"), ("ManagerId", "User"), ("ContactId", "Contact"), ("UserRoleId", "UserRole")],
    ),
    ("Profile", "00e", &["Name"], &[]),
    ("UserRole", "00E", &["Name"], &[]),
    ("PermissionSet", "0PS", &["Name", "Label"], &[]),
    (
        "PermissionSetAssignment",
        "0Pa",
        &["AssigneeId", "PermissionSetId"],
        &[("AssigneeId", "User"), ("PermissionSetId", "PermissionSet")],
    ),
    ("Organization", "00D", &[], &[]),
    ("Task", "00T", &[], &[("WhoId", "Contact"), ("WhatId", "Account"), ("OwnerId", "User")]),
    (
        "Event",
        "00U",
        &["DurationInMinutes", "ActivityDateTime"],
        &[("WhoId", "Contact"), ("WhatId", "Account"), ("OwnerId", "User")],
    ),
    ("Product2", "01t", &["Name"], &[]),
    ("Pricebook2", "01s", &["Name"], &[]),
    (
        "PricebookEntry",
        "01u",
        &["Pricebook2Id", "Product2Id", "UnitPrice"],
        &[("Pricebook2Id", "Pricebook2"), ("Product2Id", "Product2")],
    ),
    (
        "OpportunityLineItem",
        "00k",
        &["OpportunityId", "Quantity"],
        &[("OpportunityId", "Opportunity"), ("PricebookEntryId", "PricebookEntry"), ("Product2Id", "Product2")],
    ),
    ("Campaign", "701", &["Name"], &[]),
    (
        "CampaignMember",
        "00v",
        &["CampaignId"],
        &[("CampaignId", "Campaign"), ("ContactId", "Contact"), ("LeadId", "Lead")],
    ),
    ("Group", "00G", &["Name"], &[]),
    ("GroupMember", "011", &["GroupId", "UserOrGroupId"], &[("GroupId", "Group")]),
    ("RecordType", "012", &[], &[]),
    ("Note", "002", &["Title", "ParentId"], &[]),
    ("Attachment", "00P", &["Name", "ParentId", "Body"], &[]),
    ("Document", "015", &["Name", "FolderId"], &[]),
    ("ContentVersion", "068", &["Title", "PathOnClient", "VersionData"], &[("ContentDocumentId", "ContentDocument")]),
    ("ContentDocument", "069", &[], &[]),
    (
        "ContentDocumentLink",
        "06A",
        &["ContentDocumentId", "LinkedEntityId"],
        &[("ContentDocumentId", "ContentDocument")],
    ),
    ("FeedItem", "0D5", &["ParentId"], &[]),
    ("Asset", "02i", &["Name"], &[("AccountId", "Account"), ("ContactId", "Contact")]),
    ("Contract", "800", &["AccountId"], &[("AccountId", "Account")]),
    ("Order", "801", &["AccountId", "EffectiveDate", "Status"], &[("AccountId", "Account")]),
    ("Solution", "501", &["SolutionName"], &[]),
    ("CronTrigger", "08e", &[], &[("CronJobDetailId", "CronJobDetail")]),
    ("CronJobDetail", "08a", &[], &[]),
    ("AsyncApexJob", "707", &[], &[("ApexClassId", "ApexClass"), ("CreatedById", "User")]),
    ("ApexClass", "01p", &[], &[]),
    ("ApexTrigger", "01q", &[], &[]),
    ("EmailTemplate", "00X", &["Name", "DeveloperName", "TemplateType", "FolderId"], &[]),
    ("OrgWideEmailAddress", "0D2", &[], &[]),
    ("BusinessHours", "01m", &[], &[]),
    ("Entitlement", "550", &["Name", "AccountId"], &[("AccountId", "Account")]),
    ("CaseComment", "00a", &["ParentId"], &[("ParentId", "Case")]),
    (
        "AccountContactRelation",
        "07k",
        &["AccountId", "ContactId"],
        &[("AccountId", "Account"), ("ContactId", "Contact")],
    ),
    (
        "OpportunityContactRole",
        "00K",
        &["OpportunityId", "ContactId"],
        &[("OpportunityId", "Opportunity"), ("ContactId", "Contact")],
    ),
    ("Folder", "00l", &[], &[]),
    ("Site", "0DM", &[], &[]),
    ("Network", "0DB", &[], &[]),
    ("StaticResource", "081", &[], &[]),
];

/// Relationship fields every object has (system fields).
const SYSTEM_LOOKUPS: &[(&str, &str)] = &[("CreatedById", "User"), ("LastModifiedById", "User")];

impl Schema {
    /// Reads the package's objects and custom metadata records and adds the standard objects.
    pub fn from_tree(tree: &Tree) -> Schema {
        let mut s = Schema::default();
        for (name, prefix, required, lookups) in STANDARD {
            let mut o = ObjInfo {
                name: (*name).into(),
                kind: ObjKind::Standard,
                prefix: (*prefix).into(),
                fields: IndexMap::new(),
                children: HashMap::new(),
                label: (*name).into(),
                plural: format!("{name}s").into(),
                lenient: true,
                autonumber: None,
            };
            add_system_fields(&mut o);
            for r in *required {
                let mut f = FieldInfo::new(r, FieldType::Other);
                f.required = true;
                o.fields.insert(r.to_ascii_lowercase(), f);
            }
            for (field, target) in *lookups {
                let mut f = FieldInfo::new(field, FieldType::Reference(vec![(*target).into()]));
                f.required = required.contains(field);
                f.relationship = Some(field.trim_end_matches("Id").into());
                o.fields.insert(field.to_ascii_lowercase(), f);
            }
            if *name == "CronJobDetail" {
                o.fields.insert("name".into(), FieldInfo::new("Name", FieldType::Text(255)));
            }
            s.objects.insert(name.to_ascii_lowercase(), o);
        }
        let mut counter = 0usize;
        for c in tree.iter().filter(|c| c.key.type_name == "CustomObject") {
            for f in &c.files {
                let Ok(root) = crate::sf::xml::parse(&f.bytes) else { continue };
                let name = c.key.full_name.clone();
                let lname = name.to_ascii_lowercase();
                let text =
                    |e: &crate::sf::xml::Element, n: &str| e.find(n).map(|x| x.text_content().trim().to_string());
                let kind = if lname.ends_with("__mdt") {
                    ObjKind::Metadata
                } else if lname.ends_with("__e") {
                    ObjKind::Event
                } else {
                    match text(&root, "customSettingsType").as_deref() {
                        Some("Hierarchy") => ObjKind::HierarchySetting,
                        Some("List") => ObjKind::ListSetting,
                        _ if s.objects.contains_key(&lname) => ObjKind::Standard,
                        _ => ObjKind::Custom,
                    }
                };
                let existing = s.objects.remove(&lname);
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
                    };
                    add_system_fields(&mut o);
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
                        "Lookup" | "MasterDetail" | "MetadataRelationship" => {
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
                    if let Some(rel) = text(fd, "relationshipName") {
                        f.relationship = Some(format!("{rel}__r").into());
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
        // Child relationships from every lookup.
        let mut children: Vec<(String, String, Arc<str>, Arc<str>)> = Vec::new();
        for o in s.objects.values() {
            for f in o.fields.values() {
                if let FieldType::Reference(targets) = &f.ty {
                    for t in targets {
                        let rel = if o.kind == ObjKind::Standard {
                            format!("{}s", o.name)
                        } else {
                            format!("{}s__r", o.name.trim_end_matches("__c"))
                        };
                        children.push((
                            t.to_ascii_lowercase(),
                            rel.to_ascii_lowercase(),
                            o.name.clone(),
                            f.name.clone(),
                        ));
                    }
                }
            }
        }
        for (parent, rel, child, field) in children {
            if let Some(p) = s.objects.get_mut(&parent) {
                p.children.entry(rel).or_insert((child, field));
            }
        }
        s.by_prefix = s.objects.values().map(|o| (o.prefix.to_string(), o.name.clone())).collect();
        s
    }

    /// An object by any case (`Contact`, `schema.contact`).
    pub fn object(&self, name: &str) -> Option<&ObjInfo> {
        let l = name.to_ascii_lowercase();
        self.objects.get(l.strip_prefix("schema.").unwrap_or(&l))
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
