//! Names against Salesforce's schema: every object, field, record type and Apex class a config,
//! a permission set, a profile or Apex code names is either a standard one
//! ([`crate::sf::schema`]), one the package defines, or reported.
//!
//! - A standard name Salesforce does not have (`Contact.MobilPhone`, `Contcat`) fails the deploy:
//!   an **error**, with the closest real name.
//! - A custom name (`__c`, `__mdt`, `__e`, a namespace) the package does not define may exist in
//!   the target org: a **warning** naming it. When the package defines the object completely (sfgen
//!   generated it) a missing custom field or record type is an error, since the deploy creates the
//!   object without it.
//!
//! The same verdicts serve `generate` (on the config, before anything is written) and `check` (on
//! a package's permission sets, profiles and Apex).

use crate::metadata::Tree;
use crate::sf::schema;
use crate::sf::xml;
use std::collections::BTreeMap;

/// Standard fields every custom object has (Object Reference, "Custom Objects": system fields).
const CUSTOM_OBJECT_FIELDS: &[&str] = &[
    "Id",
    "Name",
    "OwnerId",
    "CreatedById",
    "CreatedDate",
    "LastModifiedById",
    "LastModifiedDate",
    "SystemModstamp",
    "IsDeleted",
    "RecordTypeId",
    "CurrencyIsoCode",
    "LastActivityDate",
    "LastViewedDate",
    "LastReferencedDate",
    "SetupOwnerId",
];

/// Standard fields of custom metadata types and platform events.
const MDT_FIELDS: &[&str] =
    &["DeveloperName", "MasterLabel", "Label", "QualifiedApiName", "NamespacePrefix", "Language"];
const EVENT_FIELDS: &[&str] = &["ReplayId", "EventUuid"];

/// A verdict on one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Known.
    Ok,
    /// The deploy would fail: message and hint.
    Error(String, Option<String>),
    /// The target org must hold it: message and hint.
    Warning(String, Option<String>),
}

/// An object the package defines.
#[derive(Debug, Clone, Default)]
struct ObjectDef {
    name: String,
    /// Lower-case name → name.
    fields: BTreeMap<String, String>,
    /// Lower-case name → name.
    record_types: BTreeMap<String, String>,
    /// The package holds the object's own definition (a CustomObject), not only children.
    defined: bool,
    /// sfgen generated that definition: the object has exactly the fields it lists.
    complete: bool,
}

/// What a package defines: objects (with their fields and record types) and Apex classes.
#[derive(Debug, Clone, Default)]
pub struct PackageNames {
    objects: BTreeMap<String, ObjectDef>,
    classes: BTreeMap<String, String>,
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Whether an object or field name is custom (or a namespace's): it has a `__` suffix.
pub fn is_custom(name: &str) -> bool {
    name.contains("__")
}

impl PackageNames {
    /// What `tree` (mdapi layout) defines. `generated` tells the components sfgen generated: an
    /// object sfgen defines has no other fields or record types than it lists.
    pub fn from_tree(tree: &Tree, generated: &dyn Fn(&crate::metadata::ComponentKey) -> bool) -> Self {
        let mut p = PackageNames::default();
        for c in tree.iter() {
            let full = c.key.full_name.as_str();
            match c.key.type_name.as_str() {
                "CustomObject" => {
                    let def = p.object_mut(full);
                    def.defined = true;
                    def.complete = generated(&c.key);
                    for f in &c.files {
                        let Ok(root) = xml::parse(&f.bytes) else { continue };
                        for el in root.elements() {
                            let Some(name) = el.find("fullName").map(|n| n.text_content().trim().to_string()) else {
                                continue;
                            };
                            match el.name.as_str() {
                                "fields" => {
                                    def.fields.insert(lower(&name), name);
                                }
                                "recordTypes" => {
                                    def.record_types.insert(lower(&name), name);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                "CustomField" => {
                    if let Some((o, f)) = full.split_once('.') {
                        p.object_mut(o).fields.insert(lower(f), f.to_string());
                    }
                }
                "RecordType" => {
                    if let Some((o, r)) = full.split_once('.') {
                        p.object_mut(o).record_types.insert(lower(r), r.to_string());
                    }
                }
                "ApexClass" => {
                    p.classes.insert(lower(full), full.to_string());
                }
                _ => {}
            }
        }
        p
    }

    fn object_mut(&mut self, name: &str) -> &mut ObjectDef {
        self.objects.entry(lower(name)).or_insert_with(|| ObjectDef { name: name.to_string(), ..Default::default() })
    }

    fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.objects.get(&lower(name))
    }

    /// Whether the package holds an Apex class of that name.
    pub fn has_class(&self, name: &str) -> bool {
        self.classes.contains_key(&lower(name))
    }

    /// The verdict on an object name.
    pub fn object_verdict(&self, object: &str) -> Verdict {
        if self.object(object).is_some_and(|d| d.defined) || schema::is_standard_object(object) {
            return Verdict::Ok;
        }
        if is_custom(object) {
            return Verdict::Warning(
                format!("object {object} is not defined by the package"),
                Some("the target org must already hold it; otherwise add it to the package".into()),
            );
        }
        let mut candidates: Vec<&str> = schema::standard_object_names().collect();
        candidates.extend(self.objects.values().filter(|d| d.defined).map(|d| d.name.as_str()));
        let hint = schema::suggest(object, candidates.into_iter());
        Verdict::Error(
            format!("unknown object {object}: no standard object of that name (Salesforce's schema, API 61) and the package defines none"),
            Some(hint.map_or_else(|| "check the spelling; custom objects end in __c".to_string(), |h| format!("did you mean {h}?"))),
        )
    }

    /// The verdict on `object.field` (the object's own verdict is reported separately: an
    /// unknown object gives no field verdict).
    pub fn field_verdict(&self, object: &str, field: &str) -> Verdict {
        let def = self.object(object);
        if def.is_some_and(|d| d.fields.contains_key(&lower(field))) {
            return Verdict::Ok;
        }
        if let Some(info) = schema::standard_object(object) {
            if info.field(field).is_some() {
                return Verdict::Ok;
            }
            if is_custom(field) {
                return Verdict::Warning(
                    format!("field {object}.{field} is not defined by the package"),
                    Some("the target org must already hold it; otherwise add the field to the package".into()),
                );
            }
            let own: Vec<&str> = def.map(|d| d.fields.values().map(String::as_str).collect()).unwrap_or_default();
            let hint = schema::suggest(field, info.field_names().chain(own.iter().copied()));
            return Verdict::Error(
                format!("{object} has no field {field} (Salesforce's schema, API 61)"),
                Some(hint.map_or_else(
                    || "check the spelling; custom fields end in __c".to_string(),
                    |h| format!("did you mean {h}?"),
                )),
            );
        }
        if !is_custom(object) {
            return Verdict::Ok; // an unknown standard object: its own verdict says so
        }
        let builtin: &[&str] = if lower(object).ends_with("__mdt") {
            MDT_FIELDS
        } else if lower(object).ends_with("__e") {
            EVENT_FIELDS
        } else {
            &[]
        };
        if CUSTOM_OBJECT_FIELDS.iter().chain(builtin).any(|f| f.eq_ignore_ascii_case(field)) {
            return Verdict::Ok;
        }
        match def {
            Some(d) if d.complete => {
                let hint = schema::suggest(
                    field,
                    d.fields.values().map(String::as_str).chain(CUSTOM_OBJECT_FIELDS.iter().copied()),
                );
                Verdict::Error(
                    format!("{object} has no field {field}: the package defines {object} without it"),
                    Some(hint.map_or_else(|| "check the spelling".to_string(), |h| format!("did you mean {h}?"))),
                )
            }
            Some(d) if d.defined => Verdict::Warning(
                format!("field {object}.{field} is not in the package's definition of {object}"),
                Some("the target org must already hold it; otherwise add the field to the package".into()),
            ),
            // The object itself is not in the package: its warning covers its fields.
            _ => Verdict::Ok,
        }
    }

    /// The verdict on a record type `object.name` (issue 20: a record type a permission set
    /// grants must exist at deploy time).
    pub fn record_type_verdict(&self, object: &str, name: &str) -> Verdict {
        let def = self.object(object);
        if def.is_some_and(|d| d.record_types.contains_key(&lower(name))) {
            return Verdict::Ok;
        }
        if def.is_some_and(|d| d.defined) && is_custom(object) {
            let hint = def.and_then(|d| schema::suggest(name, d.record_types.values().map(String::as_str)));
            return Verdict::Error(
                format!("record type {object}.{name} is not in the package, which defines {object}"),
                Some(hint.map_or_else(
                    || format!("add recordTypes/{name} to {object}, or remove the record type"),
                    |h| format!("did you mean {h}?"),
                )),
            );
        }
        Verdict::Warning(
            format!("record type {object}.{name} is not in the package"),
            Some(format!("the target org must already hold it; otherwise add the record type to {object}")),
        )
    }

    /// The verdict on an Apex class name.
    pub fn class_verdict(&self, class: &str) -> Verdict {
        if self.has_class(class) {
            return Verdict::Ok;
        }
        let hint = schema::suggest(class, self.classes.values().map(String::as_str));
        Verdict::Warning(
            format!("Apex class {class} is not in the package"),
            Some(hint.map_or_else(
                || "the target org must already hold it; otherwise add it to the package".to_string(),
                |h| format!("did you mean {h}? otherwise the target org must already hold {class}"),
            )),
        )
    }

    /// `Object.Field` as a permission set writes it: the object's verdict, else the field's.
    pub fn qualified_field_verdict(&self, qualified: &str) -> Verdict {
        let Some((o, f)) = qualified.split_once('.') else { return Verdict::Ok };
        match self.object_verdict(o) {
            Verdict::Ok => self.field_verdict(o, f),
            v => v,
        }
    }

    /// `Object.RecordType`: the object's verdict, else the record type's.
    pub fn qualified_record_type_verdict(&self, qualified: &str) -> Verdict {
        let Some((o, r)) = qualified.split_once('.') else { return Verdict::Ok };
        match self.object_verdict(o) {
            v @ Verdict::Error(..) => v,
            _ => self.record_type_verdict(o, r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{Component, ComponentKey, MetadataFile};

    fn pkg(complete: bool) -> PackageNames {
        let mut tree = Tree::new();
        let object = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields><fullName>Status__c</fullName><type>Text</type></fields>
    <recordTypes><fullName>Urgent</fullName></recordTypes>
</CustomObject>
"#;
        tree.insert(Component::new(
            ComponentKey::new("CustomObject", "Outbox__c"),
            vec![MetadataFile::new("objects/Outbox__c.object", object)],
        ));
        tree.insert(Component::new(
            ComponentKey::new("CustomField", "Contact.Tier__c"),
            vec![MetadataFile::new("x", "<CustomField/>")],
        ));
        tree.insert(Component::new(ComponentKey::new("ApexClass", "Webhook"), vec![]));
        PackageNames::from_tree(&tree, &|_| complete)
    }

    fn is_err(v: &Verdict, hint: &str) -> bool {
        matches!(v, Verdict::Error(_, Some(h)) if h.contains(hint))
    }

    #[test]
    fn standard_names_are_errors_with_the_real_name() {
        let p = pkg(true);
        assert_eq!(p.object_verdict("Contact"), Verdict::Ok);
        assert!(is_err(&p.object_verdict("Contcat"), "did you mean Contact?"));
        assert_eq!(p.field_verdict("Contact", "MobilePhone"), Verdict::Ok);
        assert!(is_err(&p.field_verdict("Contact", "MobilPhone"), "did you mean MobilePhone?"));
        assert!(is_err(&p.qualified_field_verdict("Contact.Phon"), "did you mean Phone?"));
        assert!(is_err(&p.qualified_field_verdict("Contcat.Phone"), "did you mean Contact?"));
    }

    #[test]
    fn custom_names_the_package_lacks_are_warnings() {
        let p = pkg(true);
        assert!(matches!(p.object_verdict("Invoice__c"), Verdict::Warning(..)));
        assert!(matches!(p.object_verdict("ns__Thing__c"), Verdict::Warning(..)));
        assert_eq!(p.object_verdict("Outbox__c"), Verdict::Ok);
        assert_eq!(p.field_verdict("Contact", "Tier__c"), Verdict::Ok);
        assert!(matches!(p.field_verdict("Contact", "Score__c"), Verdict::Warning(..)));
        assert_eq!(p.field_verdict("Outbox__c", "Status__c"), Verdict::Ok);
        assert_eq!(p.field_verdict("Outbox__c", "OwnerId"), Verdict::Ok);
        assert!(is_err(&p.field_verdict("Outbox__c", "Staus__c"), "did you mean Status__c?"));
        assert!(matches!(pkg(false).field_verdict("Outbox__c", "Other__c"), Verdict::Warning(..)));
        assert_eq!(p.field_verdict("Invoice__c", "Amount__c"), Verdict::Ok, "the object's warning covers it");
        assert_eq!(p.field_verdict("Setting__mdt", "DeveloperName"), Verdict::Ok);
    }

    #[test]
    fn record_types_and_classes() {
        let p = pkg(true);
        assert_eq!(p.qualified_record_type_verdict("Outbox__c.Urgent"), Verdict::Ok);
        assert!(matches!(p.qualified_record_type_verdict("Outbox__c.Other"), Verdict::Error(..)));
        assert!(matches!(p.qualified_record_type_verdict("Case.Support"), Verdict::Warning(..)));
        assert!(matches!(p.qualified_record_type_verdict("Invoice__c.Big"), Verdict::Warning(..)));
        assert!(is_err(&p.qualified_record_type_verdict("Cse.Support"), "did you mean Case?"));
        assert_eq!(p.class_verdict("webhook"), Verdict::Ok);
        assert!(
            matches!(p.class_verdict("Webhok"), Verdict::Warning(_, Some(h)) if h.contains("did you mean Webhook?"))
        );
    }
}

/// Reports a verdict at a config path.
fn report(cx: &mut crate::section::Ctx<'_>, path: &str, v: Verdict) {
    match v {
        Verdict::Ok => {}
        Verdict::Error(m, h) => cx.error(path, m, h),
        Verdict::Warning(m, h) => cx.warn(path, m, h),
    }
}

/// The config's names (webhook objects and fields, test records, permission sets' objects,
/// fields, classes and record types) against Salesforce's schema and `names`, what the config
/// generates. Names that are not API names at all were refused earlier; they are skipped here.
pub(crate) fn check_config(cx: &mut crate::section::Ctx<'_>, raw: &crate::config::RawConfig, names: &PackageNames) {
    use crate::sf::names::{is_api_name, is_sobject_name};
    use crate::spans::{push_index, push_key};
    if let Some(w) = &raw.webhook {
        for (i, o) in w.objects.iter().enumerate() {
            let path = push_index("webhook.objects", i);
            if !is_sobject_name(&o.sobject) {
                continue;
            }
            let object_ok = names.object_verdict(&o.sobject);
            let known = matches!(object_ok, Verdict::Ok);
            report(cx, &push_key(&path, "sobject"), object_ok);
            if !known {
                continue;
            }
            for (j, f) in o.fields.iter().flatten().enumerate() {
                if is_sobject_name(f) {
                    report(cx, &push_index(&push_key(&path, "fields"), j), names.field_verdict(&o.sobject, f));
                }
            }
            for field in o.test_record.iter().flat_map(|m| m.keys()) {
                if is_sobject_name(field) {
                    let fp = push_key(&push_key(&path, "testRecord"), field);
                    report(cx, &fp, names.field_verdict(&o.sobject, field));
                }
            }
        }
    }
    for (i, p) in raw.permission_sets.iter().enumerate() {
        let path = push_index("permissionSets", i);
        for object in p.objects.keys() {
            if is_sobject_name(object) && object != "Task" && object != "Event" {
                report(cx, &push_key(&push_key(&path, "objects"), object), names.object_verdict(object));
            }
        }
        for field in p.fields.keys() {
            if field.split_once('.').is_some_and(|(o, f)| is_sobject_name(o) && is_sobject_name(f)) {
                report(cx, &push_key(&push_key(&path, "fields"), field), names.qualified_field_verdict(field));
            }
        }
        for (j, c) in p.classes.iter().enumerate() {
            if is_api_name(c) {
                report(cx, &push_index(&push_key(&path, "classes"), j), names.class_verdict(c));
            }
        }
        for (j, rt) in p.record_types.iter().enumerate() {
            if rt.split_once('.').is_some_and(|(o, n)| is_sobject_name(o) && is_api_name(n)) {
                report(cx, &push_index(&push_key(&path, "recordTypes"), j), names.qualified_record_type_verdict(rt));
            }
        }
    }
}

/// Standard objects whose names are also classes of Apex's `System` namespace, which win in
/// `Name.member` (apex-ls standard-types 61: System.Approval, BusinessHours, Domain, Network,
/// Site): `Site.getBaseUrl()` is the class, never the object.
const SYSTEM_CLASS_OBJECTS: &[&str] = &["approval", "businesshours", "domain", "network", "site"];

/// Members of an SObject type that are not fields (`Contact.SObjectType`, `Contact.class`).
const TYPE_MEMBERS: &[&str] = &["sobjecttype", "fields", "class", "fieldsets", "getsobjecttype"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Punct(char),
    /// `==`, `!=`, `=>`, `<=` ...: only told apart from `=`.
    Op,
}

/// Apex tokens with their 1-based lines: identifiers and punctuation; comments, string literals
/// and numbers dropped.
fn apex_tokens(src: &str) -> Vec<(Tok, usize)> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let (mut i, mut line) = (0, 1);
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    line += usize::from(b[i] == b'\n');
                    i += 1;
                }
                i += 2;
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    line += usize::from(b.get(i) == Some(&b'\n'));
                    i += 1;
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push((Tok::Ident(src[s..i].to_string()), line));
            }
            c if c.is_ascii_digit() => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    i += 1;
                }
            }
            b'=' | b'!' | b'<' | b'>' if b.get(i + 1) == Some(&b'=') || (c == b'=' && b.get(i + 1) == Some(&b'>')) => {
                out.push((Tok::Op, line));
                i += 2;
            }
            c if c.is_ascii_whitespace() => i += 1,
            c if c.is_ascii() => {
                out.push((Tok::Punct(c as char), line));
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn ident(t: Option<&(Tok, usize)>) -> Option<&str> {
    match t {
        Some((Tok::Ident(s), _)) => Some(s.as_str()),
        _ => None,
    }
}

fn punct(t: Option<&(Tok, usize)>, c: char) -> bool {
    matches!(t, Some((Tok::Punct(p), _)) if *p == c)
}

/// The fields one Apex file names on standard objects that the checker can tell for sure:
/// `new Contact(MobilePhone = ...)`, field tokens `Contact.MobilePhone`, and the plain field
/// lists of SOQL queries (`[SELECT Id, Account.Name FROM Contact ...]`). Returns (line, verdict).
pub fn apex_field_verdicts(src: &str, names: &PackageNames) -> Vec<(usize, Verdict)> {
    let toks = apex_tokens(src);
    let mut out = Vec::new();
    // Identifiers declared as variables (`Type name =`, `Type name;`, parameters): an object name
    // used as a variable name makes `name.member` an instance access, which is not checked.
    let mut declared = std::collections::BTreeSet::new();
    for w in toks.windows(3) {
        if let (Some(_), Some(name)) = (ident(w.first()), ident(w.get(1))) {
            if matches!(&w[2].0, Tok::Punct('=' | ';' | ',' | ')' | ':')) {
                declared.insert(lower(name));
            }
        }
    }
    let std_object = |name: &str| {
        (!names.has_class(name) && !SYSTEM_CLASS_OBJECTS.contains(&lower(name).as_str()))
            .then(|| schema::standard_object(name))
            .flatten()
    };
    let mut i = 0;
    while i < toks.len() {
        // new Contact(Field = value, ...)
        if ident(toks.get(i)).is_some_and(|w| w.eq_ignore_ascii_case("new")) && punct(toks.get(i + 2), '(') {
            if let Some(obj) = ident(toks.get(i + 1)).and_then(std_object) {
                let mut depth = 0usize;
                let mut j = i + 2;
                while j < toks.len() {
                    match &toks[j].0 {
                        Tok::Punct('(' | '[' | '{') => depth += 1,
                        Tok::Punct(')' | ']' | '}') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Tok::Ident(f)
                            if depth == 1
                                && (punct(toks.get(j - 1), '(') || punct(toks.get(j - 1), ','))
                                && punct(toks.get(j + 1), '=') =>
                        {
                            out.push((toks[j].1, names.field_verdict(&obj.name, f)));
                        }
                        _ => {}
                    }
                    j += 1;
                }
            }
        }
        // Contact.Field (a field token), not an instance access or a call or a type.
        if let (Some(o), Some(f)) = (ident(toks.get(i)), ident(toks.get(i + 2))) {
            let after = toks.get(i + 3).map(|t| &t.0);
            let plain_member = punct(toks.get(i + 1), '.')
                && (i == 0 || !punct(toks.get(i - 1), '.'))
                && o.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && !declared.contains(&lower(o))
                && !TYPE_MEMBERS.contains(&lower(f).as_str())
                && !matches!(after, Some(Tok::Punct('(' | '<' | '[')) | Some(Tok::Ident(_)));
            if plain_member {
                if let Some(obj) = std_object(o) {
                    if obj.field_by_relationship(f).is_none() && obj.child_relationship(f).is_none() {
                        out.push((toks[i].1, names.field_verdict(&obj.name, f)));
                    }
                }
            }
        }
        // [SELECT a, b.c FROM Object ...]
        if punct(toks.get(i), '[') && ident(toks.get(i + 1)).is_some_and(|w| w.eq_ignore_ascii_case("select")) {
            i = soql(&toks, i + 2, names, &mut out);
            continue;
        }
        i += 1;
    }
    out.retain(|(_, v)| *v != Verdict::Ok);
    out
}

/// The select list of a SOQL query starting at `start` (after SELECT); returns where to go on.
fn soql(toks: &[(Tok, usize)], start: usize, names: &PackageNames, out: &mut Vec<(usize, Verdict)>) -> usize {
    let mut items: Vec<(Vec<String>, usize, bool)> = vec![(Vec::new(), 0, true)];
    let mut j = start;
    let mut depth = 0usize;
    while j < toks.len() {
        match &toks[j].0 {
            Tok::Ident(w) if depth == 0 && w.eq_ignore_ascii_case("from") => break,
            Tok::Ident(w) if depth == 0 && w.eq_ignore_ascii_case("typeof") => return j,
            Tok::Punct('(') => {
                depth += 1;
                if let Some(last) = items.last_mut() {
                    last.2 = false;
                }
            }
            Tok::Punct(')') => depth = depth.saturating_sub(1),
            Tok::Punct(']') if depth == 0 => return j,
            Tok::Punct(',') if depth == 0 => items.push((Vec::new(), 0, true)),
            Tok::Punct('.') | Tok::Punct(':') => {}
            Tok::Ident(w) if depth == 0 => {
                if let Some(last) = items.last_mut() {
                    if last.0.is_empty() {
                        last.1 = toks[j].1;
                    } else if !punct(toks.get(j - 1), '.') {
                        last.2 = false; // an alias or something else: not a plain path
                    }
                    last.0.push(w.clone());
                }
            }
            _ if depth == 0 => {
                if let Some(last) = items.last_mut() {
                    last.2 = false;
                }
            }
            _ => {}
        }
        j += 1;
    }
    let Some(object) = ident(toks.get(j + 1)) else { return j };
    if names.has_class(object) {
        return j;
    }
    let Some(info) = schema::standard_object(object) else { return j };
    for (path, line, plain) in items {
        if !plain || path.is_empty() {
            continue;
        }
        // Follow relationships while they lead to one known standard object.
        let mut obj = info;
        for (k, part) in path.iter().enumerate() {
            if k + 1 == path.len() {
                out.push((line, names.field_verdict(&obj.name, part)));
                break;
            }
            let Some(rel) = obj.field_by_relationship(part) else {
                if !is_custom(part) {
                    let hint = schema::suggest(part, obj.fields.iter().filter_map(|f| f.relationship_name.as_deref()));
                    out.push((
                        line,
                        Verdict::Error(
                            format!("{} has no relationship {part} (Salesforce's schema, API 61)", obj.name),
                            Some(
                                hint.map_or_else(|| "check the spelling".to_string(), |h| format!("did you mean {h}?")),
                            ),
                        ),
                    ));
                }
                break;
            };
            match rel.reference_to.as_slice() {
                [one] => match schema::standard_object(one) {
                    Some(next) => obj = next,
                    None => break,
                },
                _ => break,
            }
        }
    }
    j
}

#[cfg(test)]
mod apex_tests {
    use super::*;

    fn verdicts(src: &str) -> Vec<(usize, String)> {
        let p = PackageNames::default();
        apex_field_verdicts(src, &p)
            .into_iter()
            .map(|(l, v)| match v {
                Verdict::Error(m, h) => (l, format!("error: {m} ({})", h.unwrap_or_default())),
                Verdict::Warning(m, _) => (l, format!("warning: {m}")),
                Verdict::Ok => (l, "ok".into()),
            })
            .collect()
    }

    #[test]
    fn constructors_tokens_and_queries() {
        let src = "public class A {\n  void m() {\n    Contact c = new Contact(LastName = 'x', MobilPhone = '1');\n    Object f = Contact.MobilPhone;\n    List<Contact> l = [SELECT Id, Acount.Name, Account.Nmae, Email FROM Contact WHERE Phon = null];\n    insert new Account(Name = 'a', Tier__c = 2);\n  }\n}\n";
        let v = verdicts(src);
        assert_eq!(v.len(), 5, "{v:#?}");
        assert!(
            v[0].0 == 3
                && v[0].1.contains("Contact has no field MobilPhone")
                && v[0].1.contains("did you mean MobilePhone?")
        );
        assert!(v[1].0 == 4 && v[1].1.contains("MobilPhone"));
        assert!(
            v[2].0 == 5
                && v[2].1.contains("Contact has no relationship Acount")
                && v[2].1.contains("did you mean Account?")
        );
        assert!(v[3].0 == 5 && v[3].1.contains("Account has no field Nmae"), "{v:#?}");
        assert!(v[4].0 == 6 && v[4].1.starts_with("warning: field Account.Tier__c"));
    }

    #[test]
    fn what_is_not_a_field_reference_is_left_alone() {
        let src = "public class B {\n  Contact contact;\n  void m(Account account) {\n    String s = contact.Nonsense;\n    Schema.SObjectType t = Contact.SObjectType;\n    Site.getBaseUrl();\n    Approval.ProcessResult r = Approval.process(null);\n    String q = 'new Contact(Bogus = 1)'; // new Contact(Bogus = 2)\n    Contact c2 = new Contact(LastName = x == y ? 'a' : 'b');\n    List<AggregateResult> a = [SELECT COUNT(Id) n, MAX(Bogus__c) FROM Contact];\n    Object o = Account.Contacts;\n  }\n}\n";
        assert!(verdicts(src).is_empty(), "{:#?}", verdicts(src));
    }
}
