//! `sfgen delta --with-dependencies`: what the delta's components need in the org to deploy,
//! added to `package/package.xml`, each addition with the component that needs it and why.
//!
//! sfdx-git-delta's premise is that the org holds what `--from` holds, so a delta of what changed
//! deploys. It does not when the delta leaves out something the range added or changed (a
//! `--source-dir` narrower than the project), when the Metadata API checks a reference against
//! the same deploy, or when the org is behind `--from` (a scratch org, a sandbox refreshed
//! before the range, a deploy that failed half-way). For each component the delta deploys, its
//! source at `--to` is read for the references a deploy resolves (the list is
//! [`references`]'s: Apex's classes, custom objects, fields and labels; an LWC's imports; a
//! permission set's or profile's grants; a field's lookup, controlling field, global value set
//! and formula; a record type's picklists and business process; a layout's, list view's and
//! compact layout's fields; a flow's Apex actions), and a referenced component the project
//! (every package directory) holds at `--to` and the package lacks is added:
//!
//! - scope `range` (the default): when its files differ between `--from` and `--to` (new or
//!   changed in the range: the org at `--from` lacks that version), and whatever the rules
//!   below say;
//! - scope `all`: always (the org may lack it);
//!
//! in both, transitively (an added field brings its global value set). The rules, from what
//! users hit:
//!
//! - a dependent picklist brings its controlling field: its `valueSettings` name values of the
//!   controlling field, which the deploy checks (sfdx-git-delta issue #1321);
//! - a picklist field brings the record types of its object that, at `--to`, still assign a
//!   value the field no longer has: the delta alone deploys, the next full deployment fails on
//!   the record type (sfdx-hardis issue #1349); added so the validation fails now, with a
//!   warning.
//!
//! References to what the project does not hold (standard objects and fields, managed
//! packages) are the org's and are not followed. What `--ignore-file` ignores is never added
//! (the user left it out on purpose): a warning names what needs it. With `--generate-delta`
//! the added components' files are copied too (a label file pruned to the labels deployed).
//! Without the flag nothing here runs: the manifests are sgd's.

use super::model::{skip_comment, Copy, Delta, Options};
use crate::cli::DependencyScope;
use crate::error::Result;
use crate::git::Snapshot;
use crate::read::ignore::ForceIgnore;
use crate::sf::paths::basename;
use crate::sf::registry::registry;
use crate::sf::xml::{self, Element};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// One component added to the package.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Addition {
    /// Its metadata type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Its member name.
    pub member: String,
    /// The component that needs it (`Type:Member`).
    pub needed_by: String,
    /// Why.
    pub reason: String,
}

/// A component of the project at `--to`.
#[derive(Debug, Default)]
struct Entry {
    /// Its name as the files write it.
    name: String,
    /// Its files.
    paths: Vec<String>,
}

/// The components of the project at `--to` that references can name, by type and lower-case
/// name, found from their paths (no file is read).
#[derive(Debug, Default)]
struct Index {
    members: HashMap<(String, String), Entry>,
    /// Custom fields by lower-case field name (`region__c`): their `Obj.Field` names.
    fields_by_name: HashMap<String, Vec<String>>,
    /// Classes, custom objects and bundles by lower-case name (for source that names them).
    classes: HashMap<String, String>,
    objects: HashMap<String, String>,
    /// The custom label files.
    label_files: Vec<String>,
}

/// The component a file of the project is (or belongs to), from its path: `X.cls` and
/// `X.cls-meta.xml` are `ApexClass X`, `objects/O/fields/F.field-meta.xml` is `CustomField
/// O.F`, a file of `lwc/b/` is the bundle `b`.
fn member_of(path: &str) -> Option<(String, String)> {
    let segs: Vec<&str> = path.split('/').collect();
    // A file of a bundle, or of a decomposed permission set (`permissionsets/X/...`, every file
    // of it is the set `X`).
    for (dir, ty) in
        [("lwc", "LightningComponentBundle"), ("aura", "AuraDefinitionBundle"), ("permissionsets", "PermissionSet")]
    {
        if let Some(i) = segs.iter().position(|s| *s == dir) {
            if segs.len() > i + 2 {
                return Some((ty.into(), segs[i + 1].to_string()));
            }
        }
    }
    let file = basename(path);
    let bare = file.strip_suffix("-meta.xml").unwrap_or(file);
    let (stem, suffix) = bare.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    // A child of a decomposed parent: `<parent folder>/<Parent>/<child folder>/<file>`
    // (`objects/Account/fields/Region__c.field-meta.xml`); the registry knows child suffixes
    // only under their parent type.
    let n = segs.len();
    if n >= 4 {
        let child =
            registry().types_in_directory(segs[n - 4]).find_map(|parent| registry().child_by_suffix(parent, suffix));
        if let Some(ty) = child {
            return Some((ty.name.clone(), format!("{}.{stem}", segs[n - 3])));
        }
    }
    let ty = registry().by_suffix(suffix)?;
    if ty.is_child() {
        return None;
    }
    Some((ty.name.clone(), stem.to_string()))
}

fn key(ty: &str, name: &str) -> (String, String) {
    (ty.to_string(), name.to_ascii_lowercase())
}

impl Index {
    fn build(to: &Snapshot<'_>, roots: &[String], ignore: &ForceIgnore) -> Result<Self> {
        let mut index = Index::default();
        for root in roots {
            for path in to.files_under(root)? {
                if ignore.denies(&path, false) {
                    continue;
                }
                let Some((ty, name)) = member_of(&path) else { continue };
                match ty.as_str() {
                    "CustomLabels" => index.label_files.push(path.clone()),
                    "CustomField" => {
                        if let Some((_, field)) = name.split_once('.') {
                            let list = index.fields_by_name.entry(field.to_ascii_lowercase()).or_default();
                            if !list.contains(&name) {
                                list.push(name.clone());
                            }
                        }
                    }
                    "ApexClass" => {
                        index.classes.insert(name.to_ascii_lowercase(), name.clone());
                    }
                    "CustomObject" if name.contains("__") => {
                        index.objects.insert(name.to_ascii_lowercase(), name.clone());
                    }
                    _ => {}
                }
                let e = index.members.entry(key(&ty, &name)).or_default();
                if e.name.is_empty() {
                    e.name = name;
                }
                e.paths.push(path);
            }
        }
        Ok(index)
    }

    fn get(&self, ty: &str, name: &str) -> Option<&Entry> {
        self.members.get(&key(ty, name))
    }
}

/// A reference from one component to another.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ref {
    ty: &'static str,
    name: String,
    /// How the referencing component uses it ("grants access to it").
    how: &'static str,
    /// Added whatever the scope (a rule), with this reason.
    rule: Option<String>,
}

fn r(ty: &'static str, name: impl Into<String>, how: &'static str) -> Ref {
    Ref { ty, name: name.into(), how, rule: None }
}

/// The text of every element named `name` beneath `e` (at any depth).
fn texts<'a>(e: &'a Element, name: &str, out: &mut Vec<&'a Element>) {
    for c in e.elements() {
        if c.name == name {
            out.push(c);
        }
        texts(c, name, out);
    }
}

fn all_texts(e: &Element, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    texts(e, name, &mut out);
    out.into_iter().map(|e| e.text_content().trim().to_string()).filter(|t| !t.is_empty()).collect()
}

fn child_text(e: &Element, name: &str) -> Option<String> {
    e.find(name).map(|c| c.text_content().trim().to_string()).filter(|t| !t.is_empty())
}

/// The words of source or a formula (identifiers, lower case, comments and string literals
/// skipped), with `.` kept as a word of its own so `Label.X` can be told.
fn words(source: &str) -> Vec<String> {
    let b = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(after) = skip_comment(b, i) {
            i = after;
        } else if c == b'\'' || c == b'"' {
            i += 1;
            while i < b.len() && b[i] != c {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(source[start..i].to_ascii_lowercase());
        } else {
            if c == b'.' {
                out.push(".".into());
            }
            i += 1;
        }
    }
    out
}

/// What Apex source (a class or trigger) names that the project holds: classes, custom objects,
/// custom fields (`Region__c` when the source also names its object) and custom labels
/// (`Label.X`, `System.Label.X`).
fn apex_refs(source: &str, index: &Index, own: &str) -> Vec<Ref> {
    let w = words(source);
    let set: BTreeSet<&str> = w.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for name in &set {
        if let Some(c) = index.classes.get(*name) {
            if !c.eq_ignore_ascii_case(own) {
                out.push(r("ApexClass", c.clone(), "names it"));
            }
        }
        if let Some(o) = index.objects.get(*name) {
            out.push(r("CustomObject", o.clone(), "names it"));
        }
        if let Some(fields) = index.fields_by_name.get(*name) {
            for f in fields {
                let object = f.split('.').next().unwrap_or("").to_ascii_lowercase();
                if set.contains(object.as_str()) {
                    out.push(r("CustomField", f.clone(), "names it"));
                }
            }
        }
    }
    for i in 2..w.len() {
        if w[i - 2] == "label" && w[i - 1] == "." && w[i] != "." {
            out.push(r("CustomLabel", w[i].clone(), "names it"));
        }
    }
    out
}

/// What a Lightning web component's JavaScript imports from the project: Apex methods
/// (`@salesforce/apex/Class.method`), fields and objects (`@salesforce/schema/Obj.Field`),
/// labels (`@salesforce/label/c.X`) and other components (`c/name`).
fn lwc_refs(source: &str) -> Vec<Ref> {
    let mut out = Vec::new();
    for quoted in source.split(['\'', '"']).skip(1).step_by(2) {
        if let Some(rest) = quoted.strip_prefix("@salesforce/apex/") {
            if let Some(class) = rest.split('.').next().filter(|c| !c.is_empty()) {
                out.push(r("ApexClass", class, "imports it"));
            }
        } else if let Some(rest) = quoted.strip_prefix("@salesforce/schema/") {
            match rest.split_once('.') {
                Some((o, f)) if !f.contains('.') => out.push(r("CustomField", format!("{o}.{f}"), "imports it")),
                Some(_) => {}
                None => out.push(r("CustomObject", rest, "imports it")),
            }
        } else if let Some(rest) = quoted.strip_prefix("@salesforce/label/c.") {
            out.push(r("CustomLabel", rest, "imports it"));
        } else if let Some(rest) = quoted.strip_prefix("c/") {
            if !rest.is_empty() && !rest.contains('/') {
                out.push(r("LightningComponentBundle", rest, "imports it"));
            }
        }
    }
    out
}

/// The custom fields of `object` a formula names (`Region__c`, `Parent__r.Name` is the
/// relationship's field `Parent__c`).
fn formula_refs(formula: &str, object: &str, index: &Index, how: &'static str) -> Vec<Ref> {
    let mut out = Vec::new();
    for w in words(formula) {
        let field = match w.strip_suffix("__r") {
            Some(base) => format!("{base}__c"),
            None if w.ends_with("__c") => w.clone(),
            None => continue,
        };
        if let Some(e) = index.get("CustomField", &format!("{object}.{field}")) {
            out.push(r("CustomField", e.name.clone(), how));
        }
    }
    out
}

/// The references of one component, read from its files at `--to` (see the module docs).
fn references(ty: &str, name: &str, entry: &Entry, to: &Snapshot<'_>, index: &Index) -> Result<Vec<Ref>> {
    let object = name.split('.').next().unwrap_or(name);
    let mut out = Vec::new();
    for path in &entry.paths {
        let is_xml = path.ends_with(".xml");
        let Some(bytes) = to.read(path)? else { continue };
        if !is_xml {
            let text = String::from_utf8_lossy(&bytes);
            match ty {
                "ApexClass" | "ApexTrigger" => out.extend(apex_refs(&text, index, name)),
                "LightningComponentBundle" if path.ends_with(".js") => out.extend(lwc_refs(&text)),
                _ => {}
            }
            continue;
        }
        // A file that does not parse deploys no reference (the deploy reports it).
        let Ok(root) = xml::parse(&bytes) else { continue };
        match ty {
            "PermissionSet" | "Profile" | "MutingPermissionSet" => {
                let how = "grants access to it";
                let groups: [(&str, &str, &'static str); 13] = [
                    ("fieldPermissions", "field", "CustomField"),
                    ("objectPermissions", "object", "CustomObject"),
                    ("classAccesses", "apexClass", "ApexClass"),
                    ("pageAccesses", "apexPage", "ApexPage"),
                    ("recordTypeVisibilities", "recordType", "RecordType"),
                    ("tabSettings", "tab", "CustomTab"),
                    ("tabVisibilities", "tab", "CustomTab"),
                    ("applicationVisibilities", "application", "CustomApplication"),
                    ("customPermissions", "name", "CustomPermission"),
                    ("customMetadataTypeAccesses", "name", "CustomObject"),
                    ("customSettingAccesses", "name", "CustomObject"),
                    ("flowAccesses", "flow", "Flow"),
                    ("externalDataSourceAccesses", "externalDataSource", "ExternalDataSource"),
                ];
                for g in root.elements() {
                    if let Some((_, el, t)) = groups.iter().find(|(n, _, _)| g.name == *n) {
                        if let Some(v) = child_text(g, el) {
                            out.push(r(t, v, how));
                        }
                    }
                    if g.name == "layoutAssignments" {
                        if let Some(v) = child_text(g, "layout") {
                            out.push(r("Layout", v, "assigns it"));
                        }
                        if let Some(v) = child_text(g, "recordType") {
                            out.push(r("RecordType", v, "assigns a layout to it"));
                        }
                    }
                }
            }
            "PermissionSetGroup" => {
                for v in all_texts(&root, "permissionSets") {
                    out.push(r("PermissionSet", v, "groups it"));
                }
                for v in all_texts(&root, "mutingPermissionSets") {
                    out.push(r("MutingPermissionSet", v, "groups it"));
                }
            }
            "RecordType" => {
                if let Some(bp) = child_text(&root, "businessProcess") {
                    out.push(r("BusinessProcess", format!("{object}.{bp}"), "follows it"));
                }
                if let Some(cl) = child_text(&root, "compactLayoutAssignment") {
                    out.push(r("CompactLayout", format!("{object}.{cl}"), "assigns it"));
                }
                for p in root.elements().filter(|e| e.name == "picklistValues") {
                    if let Some(f) = child_text(p, "picklist") {
                        out.push(r("CustomField", format!("{object}.{f}"), "assigns its picklist values"));
                    }
                }
            }
            "CustomField" => {
                if let Some(vs) = root.find("valueSet") {
                    if let Some(g) = child_text(vs, "valueSetName") {
                        out.push(r("GlobalValueSet", g, "takes its values from it"));
                    }
                    if let Some(c) = child_text(vs, "controllingField") {
                        let mut rf = r("CustomField", format!("{object}.{c}"), "is a dependent picklist it controls");
                        rf.rule = Some("the deploy checks a dependent picklist's valueSettings against the controlling field's values (sfdx-git-delta #1321)".into());
                        out.push(rf);
                    }
                }
                for t in all_texts(&root, "referenceTo") {
                    out.push(r("CustomObject", t, "looks it up"));
                }
                for el in ["summaryForeignKey", "summarizedField"] {
                    if let Some(v) = child_text(&root, el) {
                        out.push(r("CustomField", v, "sums over it"));
                    }
                }
                if let Some(f) = child_text(&root, "formula") {
                    out.extend(formula_refs(&f, object, index, "computes from it"));
                }
            }
            "Layout" => {
                let object = name.split('-').next().unwrap_or(name);
                for f in all_texts(&root, "field") {
                    out.push(r("CustomField", format!("{object}.{f}"), "shows it"));
                }
                for b in all_texts(&root, "customButtons") {
                    out.push(r("WebLink", format!("{object}.{b}"), "shows it"));
                }
            }
            "CompactLayout" | "FieldSet" | "ListView" => {
                for el in ["fields", "field", "columns"] {
                    for f in all_texts(&root, el) {
                        out.push(r("CustomField", format!("{object}.{f}"), "shows it"));
                    }
                }
            }
            "ValidationRule" => {
                if let Some(f) = child_text(&root, "errorConditionFormula") {
                    out.extend(formula_refs(&f, object, index, "tests it"));
                }
            }
            "CustomObject" => {
                if let Some(cl) = child_text(&root, "compactLayoutAssignment") {
                    out.push(r("CompactLayout", format!("{name}.{cl}"), "assigns it"));
                }
            }
            "Flow" => {
                for call in root.elements().filter(|e| e.name == "actionCalls") {
                    if child_text(call, "actionType").as_deref() == Some("apex") {
                        if let Some(a) = child_text(call, "actionName") {
                            out.push(r("ApexClass", a, "calls it"));
                        }
                    }
                }
                for o in all_texts(&root, "object") {
                    out.push(r("CustomObject", o, "works on it"));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The values of a picklist field (`valueSet/valueSetDefinition/value/fullName`), none for a
/// field without its own values (a global value set's, or not a picklist).
fn picklist_values(root: &Element) -> Option<BTreeSet<String>> {
    let def = root.find("valueSet")?.find("valueSetDefinition")?;
    Some(def.elements().filter(|e| e.name == "value").filter_map(|v| child_text(v, "fullName")).collect())
}

/// Record types of `object` at `--to` assigning values of `field` that the field no longer has.
fn stale_record_types(
    object: &str,
    field: &str,
    values: &BTreeSet<String>,
    to: &Snapshot<'_>,
    index: &Index,
) -> Result<Vec<(String, Vec<String>)>> {
    let prefix = format!("{}.", object.to_ascii_lowercase());
    let mut out = Vec::new();
    for ((ty, lower), e) in &index.members {
        if ty != "RecordType" || !lower.starts_with(&prefix) {
            continue;
        }
        for path in &e.paths {
            let Some(bytes) = to.read(path)? else { continue };
            let Ok(root) = xml::parse(&bytes) else { continue };
            for p in root.elements().filter(|e| e.name == "picklistValues") {
                if !child_text(p, "picklist").is_some_and(|f| f.eq_ignore_ascii_case(field)) {
                    continue;
                }
                let gone: Vec<String> = p
                    .elements()
                    .filter(|e| e.name == "values")
                    .filter_map(|v| child_text(v, "fullName"))
                    .filter(|v| !values.contains(v))
                    .collect();
                if !gone.is_empty() {
                    out.push((e.name.clone(), gone));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether the component's files differ between the two commits (new or changed in the range).
fn changed_in_range(entry: &Entry, from: &Snapshot<'_>, to: &Snapshot<'_>) -> Result<Option<&'static str>> {
    let mut any_old = false;
    let mut differs = false;
    for p in &entry.paths {
        let old = from.file_id(p)?;
        any_old |= old.is_some();
        differs |= old != to.file_id(p)?;
    }
    Ok(match (differs, any_old) {
        (false, _) => None,
        (true, false) => Some("new in the range"),
        (true, true) => Some("changed in the range"),
    })
}

/// The labels the range added or changed (the label files compared element by element).
fn labels_changed(index: &Index, from: &Snapshot<'_>, to: &Snapshot<'_>) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let Some(ty) = registry().by_name("CustomLabels") else { return Ok(out) };
    for path in &index.label_files {
        let (old, new) = (from.read(path)?, to.read(path)?);
        if old == new {
            continue;
        }
        let d = super::infile::compare(ty, "CustomLabels", old.as_deref(), new.as_deref());
        out.extend(d.added.into_iter().filter(|(t, _)| t == "CustomLabel").map(|(_, m)| m.to_ascii_lowercase()));
    }
    Ok(out)
}

/// Adds to `delta.package` what its components need (see the module docs), and with
/// `--generate-delta` their files to the copies; returns the additions in the order found, and
/// warnings. What `--ignore-file` leaves out is never added: the user said so; a warning names
/// it instead when the delta needs it.
pub fn add(
    from: &Snapshot<'_>,
    to: &Snapshot<'_>,
    roots: &[String],
    forceignore: &ForceIgnore,
    delta: &mut Delta,
    scope: DependencyScope,
    opts: &Options,
) -> Result<(Vec<Addition>, Vec<String>)> {
    let index = Index::build(to, roots, forceignore)?;
    let mut additions: Vec<Addition> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let in_package = |d: &Delta, ty: &str, name: &str| {
        d.package.get(ty).is_some_and(|m| m.iter().any(|x| x.eq_ignore_ascii_case(name)))
    };
    let ignored = |paths: &[String]| opts.ignore.as_ref().is_some_and(|i| paths.iter().any(|p| i.matches(p)));
    let left_out = |warnings: &mut Vec<String>, needed_by: &str, what: &str, why: &str| {
        let then = if why.starts_with("new") {
            "the deploy fails unless the org holds it"
        } else {
            "the org keeps the version it holds"
        };
        warnings.push(format!("{needed_by} needs {what} ({why}), which --ignore-file leaves out: {then}"));
    };
    let mut queue: VecDeque<(String, String)> =
        delta.package.iter().flat_map(|(t, ms)| ms.iter().map(move |m| (t.clone(), m.clone()))).collect();
    let mut labels: Option<(Labels, BTreeSet<String>)> = None;
    let mut labels_added = false;
    while let Some((ty, name)) = queue.pop_front() {
        let Some(entry) = index.get(&ty, &name) else { continue };
        let needed_by = format!("{ty}:{name}");
        let mut refs = references(&ty, &name, entry, to, &index)?;
        if ty == "CustomField" {
            // A picklist whose values the record types at --to still assign beyond its own.
            if let Some(bytes) = entry.paths.first().map(|p| to.read(p)).transpose()?.flatten() {
                if let Some(values) = xml::parse(&bytes).ok().as_ref().and_then(picklist_values) {
                    let (object, field) = name.split_once('.').unwrap_or((&name, ""));
                    for (rt, gone) in stale_record_types(object, field, &values, to, &index)? {
                        warnings.push(format!(
                            "RecordType {rt} assigns {} of {name}, which the field no longer has: a full deployment fails on the record type; remove the value{} from it",
                            gone.join(", "),
                            if gone.len() == 1 { "" } else { "s" },
                        ));
                        refs.push(Ref {
                            ty: "RecordType",
                            name: rt,
                            how: "is a picklist whose values it assigns",
                            rule: Some("it assigns values the field no longer has, so the validation fails now as a full deployment would (sfdx-hardis #1349)".into()),
                        });
                    }
                }
            }
        }
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        for rf in refs {
            if !seen.insert((rf.ty.to_string(), rf.name.to_ascii_lowercase())) {
                continue;
            }
            if rf.ty == "CustomLabel" {
                if labels.is_none() {
                    labels = Some((label_names(&index, to)?, labels_changed(&index, from, to)?));
                }
                let Some((names, changed)) = labels.as_ref() else { continue };
                let Some((written, file)) = names.get(&rf.name.to_ascii_lowercase()).cloned() else { continue };
                if in_package(delta, "CustomLabel", &written) {
                    continue;
                }
                let why = match scope {
                    DependencyScope::All => Some("the org may lack it".to_string()),
                    DependencyScope::Range => changed
                        .contains(&written.to_ascii_lowercase())
                        .then(|| "new or changed in the range and left out of the delta".to_string()),
                };
                let Some(why) = why else { continue };
                if ignored(std::slice::from_ref(&file)) {
                    left_out(&mut warnings, &needed_by, &format!("CustomLabel:{written}"), &why);
                    continue;
                }
                delta.package.entry("CustomLabel".into()).or_default().insert(written.clone());
                labels_added = true;
                additions.push(Addition {
                    ty: "CustomLabel".into(),
                    member: written,
                    needed_by: needed_by.clone(),
                    reason: format!("{needed_by} {}; {why}", rf.how),
                });
                continue;
            }
            let Some(target) = index.get(rf.ty, &rf.name) else { continue };
            if in_package(delta, rf.ty, &target.name) || (rf.ty == ty && target.name.eq_ignore_ascii_case(&name)) {
                continue;
            }
            let why = match (&rf.rule, scope) {
                (Some(rule), _) => Some(rule.clone()),
                (None, DependencyScope::All) => Some(match changed_in_range(target, from, to)? {
                    Some(c) => format!("{c} and left out of the delta"),
                    None => "the org may lack it".to_string(),
                }),
                (None, DependencyScope::Range) => {
                    changed_in_range(target, from, to)?.map(|c| format!("{c} and left out of the delta"))
                }
            };
            let Some(why) = why else { continue };
            if ignored(&target.paths) {
                left_out(&mut warnings, &needed_by, &format!("{}:{}", rf.ty, target.name), &why);
                continue;
            }
            delta.package.entry(rf.ty.to_string()).or_default().insert(target.name.clone());
            if opts.generate_delta {
                for p in &target.paths {
                    delta.copies.entry(p.clone()).or_insert(Copy::Same);
                }
            }
            additions.push(Addition {
                ty: rf.ty.to_string(),
                member: target.name.clone(),
                needed_by: needed_by.clone(),
                reason: format!("{needed_by} {}; {why}", rf.how),
            });
            queue.push_back((rf.ty.to_string(), target.name.clone()));
        }
    }
    // The label files copied hold the labels the package deploys (the changed ones and those
    // added), as the delta's own copies hold the changed ones.
    if opts.generate_delta && labels_added {
        let wanted: BTreeSet<String> = delta
            .package
            .get("CustomLabel")
            .map(|m| m.iter().map(|l| l.to_ascii_lowercase()).collect())
            .unwrap_or_default();
        for path in &index.label_files {
            let Some(bytes) = to.read(path)? else { continue };
            let Ok(root) = xml::parse(&bytes) else { continue };
            let kept: Vec<xml::Node> = root
                .elements()
                .filter(|l| {
                    l.name == "labels"
                        && child_text(l, "fullName").is_some_and(|n| wanted.contains(&n.to_ascii_lowercase()))
                })
                .map(|l| xml::Node::Element(l.clone()))
                .collect();
            if !kept.is_empty() {
                let pruned = Element { name: root.name.clone(), attributes: root.attributes.clone(), children: kept };
                delta.copies.insert(path.clone(), Copy::Pruned(pruned.to_document()));
            }
        }
    }
    // Nothing deployed is also deleted.
    for (t, members) in &delta.package {
        if let Some(d) = delta.destructive.get_mut(t) {
            let lower: BTreeSet<String> = members.iter().map(|m| m.to_lowercase()).collect();
            d.retain(|m| !lower.contains(&m.to_lowercase()));
        }
    }
    delta.destructive.retain(|_, m| !m.is_empty());
    Ok((additions, warnings))
}

/// Labels by lower-case name: their name as written and their file.
type Labels = BTreeMap<String, (String, String)>;

/// The labels of the project at `--to`.
fn label_names(index: &Index, to: &Snapshot<'_>) -> Result<Labels> {
    let mut out = BTreeMap::new();
    for path in &index.label_files {
        let Some(bytes) = to.read(path)? else { continue };
        let Ok(root) = xml::parse(&bytes) else { continue };
        for l in root.elements().filter(|e| e.name == "labels") {
            if let Some(n) = child_text(l, "fullName") {
                out.insert(n.to_ascii_lowercase(), (n, path.clone()));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_come_from_paths() {
        let m = |p: &str| member_of(p).map(|(t, n)| format!("{t}:{n}"));
        assert_eq!(m("force-app/main/default/classes/A/B.cls").as_deref(), Some("ApexClass:B"));
        assert_eq!(m("force-app/main/default/classes/B.cls-meta.xml").as_deref(), Some("ApexClass:B"));
        assert_eq!(
            m("f/objects/Account/fields/Region__c.field-meta.xml").as_deref(),
            Some("CustomField:Account.Region__c")
        );
        assert_eq!(m("f/objects/Account/Account.object-meta.xml").as_deref(), Some("CustomObject:Account"));
        assert_eq!(
            m("f/objects/Account/recordTypes/Big.recordType-meta.xml").as_deref(),
            Some("RecordType:Account.Big")
        );
        assert_eq!(
            m("f/layouts/Account-Account Layout.layout-meta.xml").as_deref(),
            Some("Layout:Account-Account Layout")
        );
        assert_eq!(m("f/lwc/card/card.js").as_deref(), Some("LightningComponentBundle:card"));
        assert_eq!(m("f/aura/cmp/cmpController.js").as_deref(), Some("AuraDefinitionBundle:cmp"));
        assert_eq!(
            m("f/permissionsets/Sales/objectSettings/Account.objectSettings-meta.xml").as_deref(),
            Some("PermissionSet:Sales"),
            "a file of a decomposed permission set"
        );
        assert_eq!(m("f/permissionsets/Sales.permissionset-meta.xml").as_deref(), Some("PermissionSet:Sales"));
        assert_eq!(m("f/README"), None);
        assert_eq!(m("f/fields/Orphan__c.field-meta.xml"), None, "a field outside an object's folder");
    }

    #[test]
    fn apex_names_classes_objects_fields_and_labels() {
        let mut index = Index::default();
        index.classes.insert("helper".into(), "Helper".into());
        index.objects.insert("invoice__c".into(), "Invoice__c".into());
        index.fields_by_name.insert("region__c".into(), vec!["Account.Region__c".into(), "Lead.Region__c".into()]);
        let src = "public class A { // Lead.Region__c in a comment\n void m() { Account a; a.Region__c = Label.Greeting; Helper.go(); Invoice__c i; String s = 'Lead'; } }";
        let refs: Vec<String> =
            apex_refs(src, &index, "A").into_iter().map(|r| format!("{}:{}", r.ty, r.name)).collect();
        assert_eq!(
            refs,
            vec![
                "ApexClass:Helper",
                "CustomObject:Invoice__c",
                "CustomField:Account.Region__c",
                "CustomLabel:greeting"
            ]
        );
    }

    #[test]
    fn lwc_imports_are_references() {
        let js = "import go from '@salesforce/apex/Helper.go';\nimport F from \"@salesforce/schema/Account.Region__c\";\nimport O from '@salesforce/schema/Invoice__c';\nimport L from '@salesforce/label/c.Greeting';\nimport { x } from 'c/other';\nimport { LightningElement } from 'lwc';";
        let refs: Vec<String> = lwc_refs(js).into_iter().map(|r| format!("{}:{}", r.ty, r.name)).collect();
        assert_eq!(
            refs,
            vec![
                "ApexClass:Helper",
                "CustomField:Account.Region__c",
                "CustomObject:Invoice__c",
                "CustomLabel:Greeting",
                "LightningComponentBundle:other"
            ]
        );
    }

    #[test]
    fn formulas_name_fields_and_relationships() {
        let mut index = Index::default();
        for f in ["Account.Region__c", "Account.Parent__c"] {
            index.members.insert(key("CustomField", f), Entry { name: f.into(), paths: vec![] });
        }
        let refs: Vec<String> =
            formula_refs("AND(ISBLANK(Region__c), Parent__r.Name = 'x', Other__c)", "Account", &index, "tests it")
                .into_iter()
                .map(|r| r.name)
                .collect();
        assert_eq!(refs, vec!["Account.Region__c", "Account.Parent__c"]);
    }
}
