//! Salesforce's standard objects as data: every standard object of API 61, its fields (Apex type,
//! lookup targets, relationship name, required on create, createable, updateable), child
//! relationships and key prefix.
//!
//! The table is `data/sf/sobjects.tsv.gz`, which `scripts/gen-sf-schema.py` derives from the Apex
//! language server's SObject stubs (apex-ls `sobject-types-61.0.0.jar`, BSD-3-Clause) and the
//! documented facts in `data/sf/sobject-facts.json` (key prefixes from Salesforce Help's "Standard
//! Field Record ID Prefix Decoder", required and createable fields from recorded describes and the
//! Object Reference, each object with its source); `tests/registry.rs` holds the file to its
//! sources. It is compiled in compressed (about 210 KB), decompressed on first use, and each object
//! is parsed only when first asked for.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

const DATA: &[u8] = include_bytes!("../../data/sf/sobjects.tsv.gz");

/// One standard object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SObjectInfo {
    /// API name, as Salesforce spells it (`Contact`).
    pub name: String,
    /// The three characters every record id of the object starts with (`003`), when documented.
    pub key_prefix: Option<String>,
    /// Whether records can be inserted (false for `Organization`, `AsyncApexJob`, `RecordType`, ...).
    pub createable: bool,
    /// Fields in the stubs' order.
    pub fields: Vec<FieldInfo>,
    /// Child relationships (`Account.Contacts`), in the stubs' order.
    pub child_relationships: Vec<ChildRelationship>,
    by_name: HashMap<String, usize>,
    by_relationship: HashMap<String, usize>,
}

/// One field of a standard object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInfo {
    /// API name (`MobilePhone`).
    pub name: String,
    /// The Apex type of its value: `String`, `Id`, `Boolean`, `Date`, `Datetime`, `Time`,
    /// `Decimal`, `Integer`, `Long`, `Blob`, `Address`, `Location`, `Object` (history values),
    /// `SObject`, `List<String>`.
    pub apex_type: String,
    /// For a lookup, the objects it may point to (empty for a polymorphic lookup whose targets are
    /// not listed, e.g. `Attachment.ParentId`).
    pub reference_to: Vec<String>,
    /// For a lookup, the relationship name used in SOQL and Apex (`Account` for `AccountId`).
    pub relationship_name: Option<String>,
    /// Createable, not nillable and not defaulted on create: an insert without it fails.
    pub required_on_create: bool,
    /// Can be set on insert.
    pub createable: bool,
    /// Can be changed on update.
    pub updateable: bool,
}

impl FieldInfo {
    /// Whether the field is a lookup (has a relationship).
    pub fn is_lookup(&self) -> bool {
        self.relationship_name.is_some()
    }
}

/// A child relationship: `Account.Contacts` is the `Contact` records whose `AccountId` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRelationship {
    /// The relationship name (`Contacts`).
    pub name: String,
    /// The child object (`Contact`).
    pub child_object: String,
    /// The child's lookup field (`AccountId`), when the stubs tell it unambiguously.
    pub field: Option<String>,
}

impl SObjectInfo {
    /// The field of that name, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.by_name.get(&name.to_ascii_lowercase()).map(|&i| &self.fields[i])
    }

    /// The lookup whose relationship name this is (`Account` gives `AccountId`), case-insensitively.
    pub fn field_by_relationship(&self, relationship: &str) -> Option<&FieldInfo> {
        self.by_relationship.get(&relationship.to_ascii_lowercase()).map(|&i| &self.fields[i])
    }

    /// The child relationship of that name, case-insensitively.
    pub fn child_relationship(&self, name: &str) -> Option<&ChildRelationship> {
        self.child_relationships.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Field names, for "did you mean".
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}

struct Table {
    text: String,
    /// Line spans, one per object, in file order (alphabetical).
    lines: Vec<(usize, usize)>,
    /// Spans of the object names in `text`.
    names: Vec<(usize, usize)>,
    by_name: HashMap<String, usize>,
    by_prefix: HashMap<String, usize>,
    parsed: Vec<OnceLock<SObjectInfo>>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut text = String::new();
        // The data is compiled in and checked by tests/registry.rs and the unit tests below; a
        // corrupt copy leaves an empty table (every name unknown) rather than a panic.
        if flate2::read::GzDecoder::new(DATA).read_to_string(&mut text).is_err() {
            text.clear();
        }
        let mut lines = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let end = start + line.trim_end_matches('\n').len();
            if !line.starts_with('#') && end > start {
                lines.push((start, end));
            }
            start += line.len();
        }
        let mut t = Table {
            text,
            lines: Vec::new(),
            names: Vec::new(),
            by_name: HashMap::new(),
            by_prefix: HashMap::new(),
            parsed: Vec::new(),
        };
        let mut names = Vec::new();
        for (i, &(s, e)) in lines.iter().enumerate() {
            let mut cols = t.text[s..e].split('\t');
            let name = cols.next().unwrap_or_default();
            let prefix = cols.next().unwrap_or("-");
            t.by_name.insert(name.to_ascii_lowercase(), i);
            if prefix != "-" {
                t.by_prefix.insert(prefix.to_string(), i);
            }
            names.push((s, s + name.len()));
        }
        t.lines = lines;
        t.parsed = (0..t.lines.len()).map(|_| OnceLock::new()).collect();
        t.names = names;
        t
    })
}

fn parse(line: &str) -> SObjectInfo {
    let mut cols = line.split('\t');
    let name = cols.next().unwrap_or_default().to_string();
    let key_prefix = cols.next().filter(|p| *p != "-").map(str::to_string);
    let createable = cols.next() != Some("-");
    let mut fields = Vec::new();
    for tok in cols.next().unwrap_or_default().split(' ').filter(|t| !t.is_empty()) {
        let Some((fname, rest)) = tok.split_once(':') else { continue };
        let (head, rel) = match rest.split_once('@') {
            Some((h, r)) => (h, Some(r.to_string())),
            None => (rest, None),
        };
        let (spec, refs) = match head.split_once('>') {
            Some((s, r)) => (s, Some(r)),
            None => (head, None),
        };
        let mut chars = spec.chars();
        let apex_type = match chars.next() {
            Some('S') => "String",
            Some('I') => "Id",
            Some('T') => "Datetime",
            Some('B') => "Boolean",
            Some('N') => "Decimal",
            Some('i') => "Integer",
            Some('D') => "Date",
            Some('t') => "Time",
            Some('b') => "Blob",
            Some('L') => "Long",
            Some('A') => "Address",
            Some('G') => "Location",
            Some('X') => "SObject",
            Some('s') => "List<String>",
            _ => "Object",
        };
        let flags: String = chars.collect();
        let read_only = flags.contains('r');
        let reference_to: Vec<String> =
            refs.map(|r| r.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()).unwrap_or_default();
        let relationship_name = refs.map(|_| {
            rel.clone().unwrap_or_else(|| {
                if let Some(stem) = fname.strip_suffix("__c") {
                    format!("{stem}__r")
                } else {
                    fname.strip_suffix("Id").unwrap_or(fname).to_string()
                }
            })
        });
        fields.push(FieldInfo {
            name: fname.to_string(),
            apex_type: apex_type.to_string(),
            reference_to,
            relationship_name,
            required_on_create: flags.contains('!'),
            createable: !read_only && !flags.contains('u'),
            updateable: !read_only && !flags.contains('k'),
        });
    }
    let child_relationships = cols
        .next()
        .unwrap_or_default()
        .split(' ')
        .filter_map(|tok| {
            let (rel, target) = tok.split_once('=')?;
            let (child, field) = match target.split_once('.') {
                Some((c, f)) => (c, Some(f.to_string())),
                None => (target, None),
            };
            Some(ChildRelationship { name: rel.to_string(), child_object: child.to_string(), field })
        })
        .collect();
    let by_name = fields.iter().enumerate().map(|(i, f)| (f.name.to_ascii_lowercase(), i)).collect();
    let by_relationship = fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.relationship_name.as_ref().map(|r| (r.to_ascii_lowercase(), i)))
        .collect();
    SObjectInfo { name, key_prefix, createable, fields, child_relationships, by_name, by_relationship }
}

fn object_at(i: usize) -> &'static SObjectInfo {
    let t = table();
    t.parsed[i].get_or_init(|| {
        let (s, e) = t.lines[i];
        parse(&t.text[s..e])
    })
}

/// The standard object of that name (case-insensitive), as of API 61.
pub fn standard_object(name: &str) -> Option<&'static SObjectInfo> {
    table().by_name.get(&name.to_ascii_lowercase()).map(|&i| object_at(i))
}

/// Whether a standard object of that name exists (case-insensitive), without parsing it.
pub fn is_standard_object(name: &str) -> bool {
    table().by_name.contains_key(&name.to_ascii_lowercase())
}

/// The standard object whose record ids start with this key prefix (`003` gives Contact).
pub fn object_by_key_prefix(prefix: &str) -> Option<&'static SObjectInfo> {
    table().by_prefix.get(prefix).map(|&i| object_at(i))
}

/// Every standard object's API name, alphabetically.
pub fn standard_object_names() -> impl Iterator<Item = &'static str> {
    let t = table();
    t.names.iter().map(move |&(s, e)| &t.text[s..e])
}

pub use crate::suggest::closest as suggest;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_is_described() {
        let c = standard_object("contact").unwrap();
        assert_eq!(c.name, "Contact");
        assert_eq!(c.key_prefix.as_deref(), Some("003"));
        assert!(c.createable);
        let last = c.field("lastname").unwrap();
        assert_eq!((last.name.as_str(), last.apex_type.as_str()), ("LastName", "String"));
        assert!(last.required_on_create && last.createable && last.updateable);
        let acc = c.field("AccountId").unwrap();
        assert_eq!(acc.reference_to, vec!["Account".to_string()]);
        assert_eq!(acc.relationship_name.as_deref(), Some("Account"));
        assert!(!acc.required_on_create);
        assert_eq!(c.field_by_relationship("account").unwrap().name, "AccountId");
        let id = c.field("Id").unwrap();
        assert!(!id.createable && !id.updateable);
        assert_eq!(c.field("Name").map(|f| f.createable), Some(false), "compound name is read-only");
        assert_eq!(c.field("MailingAddress").unwrap().apex_type, "Address");
        assert_eq!(c.field("Birthdate").unwrap().apex_type, "Date");
        assert!(c.field("MobilPhone").is_none());
        assert_eq!(suggest("MobilPhone", c.field_names()).as_deref(), Some("MobilePhone"));
    }

    #[test]
    fn relationships_both_ways() {
        let a = standard_object("Account").unwrap();
        let contacts = a.child_relationship("contacts").unwrap();
        assert_eq!((contacts.child_object.as_str(), contacts.field.as_deref()), ("Contact", Some("AccountId")));
        let t = standard_object("Task").unwrap();
        let who = t.field("WhoId").unwrap();
        assert_eq!(who.reference_to, vec!["Contact".to_string(), "Lead".to_string()]);
        assert_eq!(who.relationship_name.as_deref(), Some("Who"));
        let what = t.field("WhatId").unwrap();
        assert!(what.is_lookup() && what.reference_to.is_empty(), "polymorphic, targets not listed");
        let case = standard_object("Case").unwrap();
        assert_eq!(case.field("OwnerId").unwrap().reference_to, vec!["Group".to_string(), "User".to_string()]);
    }

    #[test]
    fn required_fields_and_object_flags() {
        let req = |o: &str| -> Vec<String> {
            standard_object(o).unwrap().fields.iter().filter(|f| f.required_on_create).map(|f| f.name.clone()).collect()
        };
        assert_eq!(req("Opportunity"), ["CloseDate", "Name", "StageName"]);
        assert_eq!(req("Lead"), ["Company", "LastName"]);
        assert_eq!(req("Account"), ["Name"]);
        assert_eq!(req("PricebookEntry"), ["Pricebook2Id", "Product2Id", "UnitPrice"]);
        assert!(req("Case").is_empty() && req("Task").is_empty());
        assert!(req("User").contains(&"Username".to_string()));
        assert!(!standard_object("AsyncApexJob").unwrap().createable);
        assert!(!standard_object("Organization").unwrap().createable);
        let oi = standard_object("OrderItem").unwrap();
        let pbe = oi.field("PricebookEntryId").unwrap();
        assert!(pbe.createable && !pbe.updateable);
    }

    #[test]
    fn names_prefixes_and_keywords() {
        for o in [
            "Account",
            "Contact",
            "Lead",
            "Opportunity",
            "Case",
            "Task",
            "Event",
            "User",
            "Profile",
            "PermissionSet",
            "RecordType",
            "Group",
            "Campaign",
            "Product2",
            "Pricebook2",
            "PricebookEntry",
            "Order",
            "OrderItem",
            "Contract",
            "Asset",
            "ContentVersion",
            "ContentDocument",
            "ContentDocumentLink",
            "Attachment",
            "Note",
            "FeedItem",
            "EmailMessage",
            "CronTrigger",
            "AsyncApexJob",
            "Organization",
        ] {
            let info = standard_object(o).unwrap_or_else(|| panic!("{o}"));
            assert!(info.key_prefix.is_some(), "{o} has a key prefix");
            assert!(is_standard_object(&o.to_ascii_uppercase()));
        }
        assert_eq!(object_by_key_prefix("00Q").unwrap().name, "Lead");
        assert_eq!(object_by_key_prefix("0PS").unwrap().name, "PermissionSet");
        assert!(standard_object("Contcat").is_none() && standard_object("Address").is_none());
        assert_eq!(suggest("Contcat", standard_object_names()).as_deref(), Some("Contact"));
        assert_eq!(suggest("opportunity", standard_object_names()).as_deref(), Some("Opportunity"));
        assert!(suggest("Zzqx", standard_object_names()).is_none());
        let names: Vec<_> = standard_object_names().collect();
        assert!(names.len() > 3000, "{}", names.len());
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert!(standard_object("Invoice__c").is_none());
    }
}
