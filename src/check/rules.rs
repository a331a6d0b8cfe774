//! The rules behind [`super::check_tree`], one function per family.

use super::{rule, CheckOptions, Finding, Rule, Severity};
use crate::apex::coverage::{fmt_pct, fmt_range, Analysis};
use crate::metadata::{ComponentKey, Tree};
use crate::sf::xml;
use std::collections::{BTreeMap, BTreeSet};

fn finding(
    rule: Rule,
    severity: Severity,
    component: impl Into<String>,
    file: Option<&str>,
    line: Option<usize>,
    message: String,
) -> Finding {
    Finding { rule: rule.id, severity, component: component.into(), file: file.map(str::to_string), line, message }
}

/// `1,2,5` (at most 40 numbers, then `...`).
fn lines_list(lines: &[usize]) -> String {
    let mut v: Vec<String> = lines.iter().take(40).map(usize::to_string).collect();
    if lines.len() > 40 {
        v.push("...".into());
    }
    if v.is_empty() {
        "none".into()
    } else {
        v.join(",")
    }
}

fn class_key(name: &str) -> String {
    ComponentKey::new("ApexClass", name).to_string()
}

/// Coverage and test-quality rules. A coverage finding is an error only when even the upper
/// bound of the range fails (no path the tests may take reaches enough lines); when only the
/// lower bound fails it is a warning, or an error under `--strict`.
pub(super) fn apex(a: &Analysis, opts: &CheckOptions, out: &mut Vec<Finding>) {
    let min = opts.min_coverage;
    let doubtful = if opts.strict { Severity::Error } else { Severity::Warning };
    for (file, line, why) in &a.parse_errors {
        let name = file.rsplit('/').next().unwrap_or(file).split('.').next().unwrap_or(file);
        let ty = if file.ends_with(".trigger") { "ApexTrigger" } else { "ApexClass" };
        // The grammar is not Salesforce's compiler: what it rejects, the deploy may accept.
        out.push(finding(
            rule::APEX_SYNTAX,
            Severity::Warning,
            ComponentKey::new(ty, name).to_string(),
            Some(file),
            Some(*line),
            format!("{why}; its coverage is not estimated"),
        ));
    }
    for u in &a.units {
        let comp = ComponentKey::new(u.type_name.as_str(), u.name.as_str()).to_string();
        let range = fmt_range(u.low, u.high);
        if u.type_name == "ApexTrigger" && u.covered_lines == 0 {
            let certain = u.unknown_lines == 0;
            out.push(finding(
                rule::TRIGGER_ZERO_COVERAGE,
                if certain { Severity::Error } else { doubtful },
                comp.clone(),
                Some(&u.file),
                None,
                if certain {
                    format!("{}: Test coverage of selected Apex Trigger is 0%, at least 1% test coverage is required (no test can reach any of its lines)", u.name)
                } else {
                    format!("{}: no line of this trigger is proven covered (estimated range {range}): if no test reaches it, the deploy fails with \"Test coverage of selected Apex Trigger is 0%\"", u.name)
                },
            ));
        }
        if u.low < min {
            let certain = u.high < min;
            let first = u.uncovered.first().or(u.unknown.first()).copied();
            out.push(finding(
                rule::COVERAGE_UNIT,
                if certain { Severity::Error } else { doubtful },
                comp,
                Some(&u.file),
                first,
                format!(
                    "estimated coverage {}% within {range} ({} lines covered, {} unknown, of {}) {} {}%; a RunSpecifiedTests deploy {} (not covered: {}{})",
                    fmt_pct(u.percent),
                    u.covered_lines,
                    u.unknown_lines,
                    u.total_lines,
                    if certain { "is below" } else { "may be below" },
                    fmt_pct(min),
                    if certain { "fails" } else { "fails if the real figure is" },
                    lines_list(&u.uncovered),
                    if u.unknown.is_empty() { String::new() } else { format!("; unknown: {}", lines_list(&u.unknown)) }
                ),
            ));
        }
    }
    let (_, _, total) = a.totals();
    let (low, high) = a.overall_range();
    if total > 0 && low < min {
        let certain = high < min;
        out.push(finding(
            rule::COVERAGE_OVERALL,
            if certain { Severity::Error } else { doubtful },
            "Apex",
            None,
            None,
            if certain {
                format!(
                    "Average test coverage across all Apex Classes and Triggers is at most {}% (estimated {}%), at least {}% test coverage is required (this package's code only)",
                    fmt_pct(high),
                    fmt_pct(a.overall_percent()),
                    fmt_pct(min)
                )
            } else {
                format!(
                    "overall coverage is estimated at {}% within {}: it may be below the {}% a deploy needs (this package's code only)",
                    fmt_pct(a.overall_percent()),
                    fmt_range(low, high),
                    fmt_pct(min)
                )
            },
        ));
    }
    for t in &a.triggers {
        if !t.reachable {
            out.push(finding(
                rule::TRIGGER_NOT_FIRED,
                Severity::Error,
                ComponentKey::new("ApexTrigger", t.name.as_str()).to_string(),
                Some(&t.file),
                None,
                format!(
                    "no test inserts, updates, deletes, undeletes or publishes {} records on any path, so nothing fires this trigger",
                    t.object
                ),
            ));
        }
    }
    for t in &a.tests {
        let comp = class_key(&t.class);
        if !t.asserts {
            out.push(finding(
                rule::TEST_WITHOUT_ASSERTION,
                Severity::Warning,
                comp.clone(),
                Some(&t.file),
                Some(t.line),
                format!("test method {} asserts nothing (no Assert.* or System.assert* call reached)", t.method),
            ));
        }
        if t.see_all_data {
            out.push(finding(
                rule::SEE_ALL_DATA,
                Severity::Warning,
                comp.clone(),
                Some(&t.file),
                Some(t.line),
                format!("test method {} runs with SeeAllData=true: it depends on the org's data and may fail in another org", t.method),
            ));
        }
        for (file, line) in &t.unmocked_callouts {
            out.push(finding(
                rule::CALLOUT_WITHOUT_MOCK,
                Severity::Error,
                comp.clone(),
                Some(&t.file),
                Some(t.line),
                format!(
                    "test method {} reaches a callout ({file}:{line}) without Test.setMock: the test fails with \"Methods defined as TestMethod do not support Web service callouts\"",
                    t.method
                ),
            ));
        }
    }
    for m in &a.untested_mocks {
        out.push(finding(
            rule::MOCK_NOT_TEST,
            Severity::Warning,
            class_key(&m.class),
            Some(&m.file),
            Some(m.line),
            format!("{} implements HttpCalloutMock but is not @IsTest: its lines count as (uncovered) code", m.class),
        ));
    }
}

// The same Salesforce rules the config validator applies, from one table.
use crate::sf::permissions::{missing_object_permissions, no_fls, NoFls, USER_PERMISSION_DEPENDENCIES};

/// 1-based line of the first occurrence of `needle` in `bytes`.
fn line_of(bytes: &[u8], needle: &str) -> Option<usize> {
    let text = std::str::from_utf8(bytes).ok()?;
    let pos = text.find(needle)?;
    Some(text[..pos].matches('\n').count() + 1)
}

/// The 1-based line of the first `<members>X</members>` of each member `X` in a package.xml.
fn member_lines(bytes: &[u8]) -> std::collections::HashMap<&str, usize> {
    let mut out = std::collections::HashMap::new();
    let Ok(text) = std::str::from_utf8(bytes) else { return out };
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("<members>") {
            rest = &rest[start + "<members>".len()..];
            let Some(end) = rest.find("</members>") else { break };
            out.entry(&rest[..end]).or_insert(i + 1);
            rest = &rest[end..];
        }
    }
    out
}

fn flag(el: &xml::Element, name: &str) -> bool {
    el.find(name).is_some_and(|e| e.text_content().trim() == "true")
}

/// PermissionSet/Profile: object and user permission dependencies, FLS on non-FLS fields.
pub(super) fn permissions(tree: &Tree, out: &mut Vec<Finding>) {
    let fields = field_facts(tree);
    for c in tree.iter() {
        if c.key.type_name != "PermissionSet" && c.key.type_name != "Profile" {
            continue;
        }
        for f in &c.files {
            let Ok(root) = xml::parse(&f.bytes) else { continue };
            let comp = c.key.to_string();
            let mut push = |needle: &str, msg: String, rule: Rule| {
                out.push(finding(rule, Severity::Error, comp.clone(), Some(&f.path), line_of(&f.bytes, needle), msg));
            };
            for op in root.elements().filter(|e| e.name == "objectPermissions") {
                let object = op.find("object").map(xml::Element::text_content).unwrap_or_default();
                let needle = format!("<object>{object}</object>");
                for (has, needs) in missing_object_permissions(|p| flag(op, p.xml_flag())) {
                    let (what, need, flag) = (has.label(), needs.label(), needs.xml_flag());
                    push(&needle, format!("objectPermissions {object}: {what} requires {need} ({flag}); the deploy fails with a permission dependency error"), rule::PERMISSION_DEPENDENCY);
                }
            }
            let enabled: BTreeSet<String> = root
                .elements()
                .filter(|e| e.name == "userPermissions" && flag(e, "enabled"))
                .filter_map(|e| e.find("name").map(xml::Element::text_content))
                .collect();
            for (perm, needs) in USER_PERMISSION_DEPENDENCIES {
                if !enabled.contains(*perm) {
                    continue;
                }
                for n in *needs {
                    if !enabled.contains(*n) {
                        push(
                            &format!("<name>{perm}</name>"),
                            format!("userPermissions {perm} requires {n} to be enabled too; the deploy fails with a permission dependency error"),
                            rule::PERMISSION_DEPENDENCY,
                        );
                    }
                }
            }
            for fp in root.elements().filter(|e| e.name == "fieldPermissions") {
                let field = fp.find("field").map(xml::Element::text_content).unwrap_or_default();
                let needle = format!("<field>{field}</field>");
                if let Some((severity, msg)) = fls_verdict(&field, flag(fp, "editable"), &fields) {
                    out.push(finding(
                        rule::FLS_NOT_ALLOWED,
                        severity,
                        comp.clone(),
                        Some(&f.path),
                        line_of(&f.bytes, &needle),
                        msg,
                    ));
                }
            }
        }
    }
}

/// What the package says about a custom field: required, master-detail, calculated.
#[derive(Debug, Default, Clone, Copy)]
struct FieldFacts {
    required: bool,
    master_detail: bool,
    /// Formula, roll-up summary or auto-number: read-only for everyone.
    calculated: bool,
}

/// `Object.Field` → facts, from the package's CustomObject files (mdapi: fields inline) and
/// CustomField components (source layout).
fn field_facts(tree: &Tree) -> BTreeMap<String, FieldFacts> {
    let mut out = BTreeMap::new();
    let facts = |f: &xml::Element| {
        let ty = f.find("type").map(|t| t.text_content().trim().to_string()).unwrap_or_default();
        FieldFacts {
            required: flag(f, "required"),
            master_detail: ty == "MasterDetail",
            calculated: f.find("formula").is_some() || ty == "Summary" || ty == "AutoNumber",
        }
    };
    for c in tree.iter() {
        for file in &c.files {
            match c.key.type_name.as_str() {
                "CustomObject" => {
                    let Ok(root) = xml::parse(&file.bytes) else { continue };
                    for fd in root.elements().filter(|e| e.name == "fields") {
                        if let Some(name) = fd.find("fullName") {
                            out.insert(
                                format!("{}.{}", c.key.full_name, name.text_content().trim()).to_ascii_lowercase(),
                                facts(fd),
                            );
                        }
                    }
                }
                "CustomField" => {
                    let Ok(root) = xml::parse(&file.bytes) else { continue };
                    out.insert(c.key.full_name.to_ascii_lowercase(), facts(&root));
                }
                _ => {}
            }
        }
    }
    out
}

/// Whether a `fieldPermissions` entry can stand, after Salesforce's rules: required and
/// master-detail fields always have read and edit access, and a permission set that names one
/// fails to deploy ("You cannot deploy to a required field"); calculated fields (formula,
/// roll-up summary, auto-number) are read-only, so `editable` true cannot take effect; the
/// Name field of a custom object and the audit/system fields are governed by the platform, so
/// an entry for them has no effect (the deploy accepts it: a warning). Sources: Salesforce
/// Help "What Determines Field Access?" (universally required fields override field-level
/// security) and the Metadata API PermissionSet/FieldPermissions reference.
fn fls_verdict(field: &str, editable: bool, fields: &BTreeMap<String, FieldFacts>) -> Option<(Severity, String)> {
    if let Some(f) = fields.get(&field.to_ascii_lowercase()) {
        if f.master_detail {
            return Some((Severity::Error, format!("fieldPermissions {field}: a master-detail field is always readable and editable (it is required); the deploy fails with \"You cannot deploy to a required field\". Remove the entry")));
        }
        if f.required {
            return Some((Severity::Error, format!("fieldPermissions {field}: the field is required (<required>true</required>), so it always has read and edit access; the deploy fails with \"You cannot deploy to a required field\". Remove the entry")));
        }
        if f.calculated && editable {
            return Some((Severity::Warning, format!("fieldPermissions {field}: a formula, roll-up summary or auto-number field is read-only; <editable>true</editable> cannot take effect. Set it to false")));
        }
        return None;
    }
    let short = field.rsplit('.').next().unwrap_or(field);
    let object = field.split('.').next().unwrap_or("");
    match no_fls(object, short)? {
        NoFls::Required => Some((Severity::Error, format!("fieldPermissions {field}: this standard field is required, so it always has read and edit access; the deploy fails with \"You cannot deploy to a required field\". Remove the entry"))),
        NoFls::CustomObjectName => Some((Severity::Warning, format!("fieldPermissions {field}: the Name field of a custom object is always readable and editable; the entry has no effect (the deploy accepts it)"))),
        NoFls::System => Some((Severity::Warning, format!("fieldPermissions {field}: a system field's access is set by the platform, not by field-level security; the entry has no effect"))),
    }
}

fn origin(url: &str) -> Option<(String, String, u16)> {
    let u = url::Url::parse(url.trim()).ok()?;
    let scheme = u.scheme().to_ascii_lowercase();
    let host = u.host_str()?.to_ascii_lowercase();
    let port = u.port_or_known_default()?;
    Some((scheme, host, port))
}

/// Callout endpoints must be allowed by a Remote Site Setting or name a Named Credential.
pub(super) fn callout_hosts(tree: &Tree, a: &Analysis, out: &mut Vec<Finding>) {
    let mut sites = Vec::new();
    let mut named = BTreeSet::new();
    for c in tree.iter() {
        match c.key.type_name.as_str() {
            "RemoteSiteSetting" => {
                for f in &c.files {
                    let Ok(root) = xml::parse(&f.bytes) else { continue };
                    let active = root.find("isActive").is_none_or(|e| e.text_content().trim() != "false");
                    let no_sec = flag(&root, "disableProtocolSecurity");
                    if let Some(o) = root.find("url").and_then(|u| origin(&u.text_content())) {
                        if active {
                            sites.push((o, no_sec));
                        }
                    }
                }
            }
            "NamedCredential" => {
                named.insert(c.key.full_name.to_ascii_lowercase());
            }
            _ => {}
        }
    }
    for e in &a.endpoints {
        let comp = class_key(&e.unit);
        let lower = e.value.to_ascii_lowercase();
        if lower.starts_with("callout:") {
            let rest = &e.value["callout:".len()..];
            let name = rest.split(['/', '?']).next().unwrap_or(rest);
            // `'callout:' + name + ...`: the name is built at run time; nothing to check.
            if name.is_empty() {
                continue;
            }
            if !named.contains(&name.to_ascii_lowercase()) {
                out.push(finding(
                    rule::CALLOUT_HOST,
                    Severity::Warning,
                    comp,
                    Some(&e.file),
                    Some(e.line),
                    format!("the callout uses Named Credential {name:?}, which is not in the package: it must already exist in the target org"),
                ));
            }
            continue;
        }
        let Some((scheme, host, port)) = origin(&e.value) else { continue };
        let allowed = sites
            .iter()
            .any(|((s, h, p), no_sec)| *h == host && *p == port && (*s == scheme || (*no_sec && s == "http")));
        if !allowed {
            // The org may already allow the host (a Remote Site Setting deployed before, or
            // made by hand): not a certainty, so a warning that names the host.
            out.push(finding(
                rule::CALLOUT_HOST,
                Severity::Warning,
                comp,
                Some(&e.file),
                Some(e.line),
                format!(
                    "callout to {scheme}://{host}: no Remote Site Setting in the package allows this host, so it must already be allowed in the target org, or the callout fails with \"Unauthorized endpoint, please check Setup->Security->Remote site settings\". Add a RemoteSiteSetting for {scheme}://{host} or use a Named Credential"
                ),
            ));
        }
    }
}

/// package.xml must list exactly the components present.
pub(super) fn package_xml_sync(tree: &Tree, package_xml: &[u8], out: &mut Vec<Finding>) {
    let Ok(root) = xml::parse(package_xml) else {
        out.push(finding(
            rule::PACKAGE_XML_SYNC,
            Severity::Error,
            "package.xml",
            Some("package.xml"),
            None,
            "package.xml is not well-formed XML".into(),
        ));
        return;
    };
    let mut listed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in root.elements().filter(|e| e.name == "types") {
        let name = t.find("name").map(xml::Element::text_content).unwrap_or_default();
        let members = listed.entry(name.trim().to_string()).or_default();
        for m in t.elements().filter(|e| e.name == "members") {
            members.insert(m.text_content().trim().to_string());
        }
    }
    let present = crate::sf::manifest::members(tree);
    // The line of each member, found in one pass (a search per missing member was quadratic).
    let lines = member_lines(package_xml);
    for (ty, members) in &listed {
        let have: BTreeSet<&str> = present.get(ty).map(|v| v.iter().map(String::as_str).collect()).unwrap_or_default();
        for m in members {
            if m == "*" || have.contains(m.as_str()) {
                continue;
            }
            out.push(finding(
                rule::PACKAGE_XML_SYNC,
                Severity::Error,
                ComponentKey::new(ty.as_str(), m.as_str()).to_string(),
                Some("package.xml"),
                lines.get(m.as_str()).copied(),
                format!("package.xml declares {ty}:{m} but no such component file is in the package"),
            ));
        }
    }
    // A child inside a listed parent's file deploys with it: package.xml listing `CustomObject:
    // Big__c` deploys every field, list view and record type `objects/Big__c.object` holds (an
    // org retrieve names only the object). Such children need no line of their own.
    let is_listed = |ty: &str, m: &str| listed.get(ty).is_some_and(|l| l.contains(m) || l.contains("*"));
    let mut in_listed_parent: BTreeSet<(String, String)> = BTreeSet::new();
    for c in tree.iter() {
        if is_listed(&c.key.type_name, &c.key.full_name) {
            in_listed_parent.extend(crate::sf::manifest::members_of(c));
        }
    }
    for (ty, members) in &present {
        for m in members {
            if is_listed(ty, m) || in_listed_parent.contains(&(ty.clone(), m.clone())) {
                continue;
            }
            out.push(finding(
                rule::PACKAGE_XML_SYNC,
                Severity::Error,
                ComponentKey::new(ty.as_str(), m.as_str()).to_string(),
                Some("package.xml"),
                None,
                format!("{ty}:{m} is in the package but not listed in package.xml: the deploy ignores it"),
            ));
        }
    }
}

/// Every `-meta.xml` `<apiVersion>` and the package.xml `<version>` should agree.
pub(super) fn api_versions(tree: &Tree, package_xml: Option<&[u8]>, out: &mut Vec<Finding>) {
    let mut versions: Vec<(String, String, String)> = Vec::new();
    for c in tree.iter() {
        for f in &c.files {
            if !f.path.ends_with("-meta.xml") {
                continue;
            }
            let Ok(root) = xml::parse(&f.bytes) else { continue };
            if let Some(v) = root.find("apiVersion") {
                versions.push((c.key.to_string(), f.path.clone(), v.text_content().trim().to_string()));
            }
        }
    }
    let pkg = package_xml
        .and_then(|b| xml::parse(b).ok())
        .and_then(|r| r.find("version").map(|v| v.text_content().trim().to_string()));
    let reference = match &pkg {
        Some(v) => v.clone(),
        None => {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for (_, _, v) in &versions {
                *counts.entry(v.as_str()).or_default() += 1;
            }
            match counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))) {
                Some((v, _)) => v.to_string(),
                None => return,
            }
        }
    };
    let source = if pkg.is_some() { "package.xml's <version>" } else { "most files' apiVersion" };
    for (comp, file, v) in versions {
        if v != reference {
            let line = tree
                .iter()
                .flat_map(|c| c.files.iter())
                .find(|f| f.path == file)
                .and_then(|f| line_of(&f.bytes, "<apiVersion>"));
            out.push(finding(
                rule::API_VERSION_MIX,
                Severity::Warning,
                comp,
                Some(&file),
                line,
                format!("apiVersion {v} differs from {source} {reference}: mixed API versions behave differently (and a version newer than the org's fails to deploy)"),
            ));
        }
    }
}

/// An OAuth app's consumer secret must never be in a file to deploy (Salesforce assigns it; an
/// admin hands it over by hand), and a fixed consumer key ties the package to one org. They
/// live in a Connected App's `oauthConfig` and in an External Client App's global OAuth
/// settings (`ExtlClntAppGlobalOauthSettings`). The finding never quotes the value.
pub(super) fn oauth_secrets(tree: &Tree, out: &mut Vec<Finding>) {
    for c in tree.iter() {
        let parent = match c.key.type_name.as_str() {
            "ConnectedApp" => Some("oauthConfig"),
            "ExtlClntAppGlobalOauthSettings" => None,
            _ => continue,
        };
        for f in &c.files {
            let Ok(root) = xml::parse(&f.bytes) else { continue };
            let holder = match parent {
                Some(p) => root.find(p),
                None => Some(&root),
            };
            let Some(holder) = holder else { continue };
            for (element, severity, what) in [
                ("consumerSecret", Severity::Error, "a consumer secret: it must never be deployed from a file; Salesforce assigns it and an admin hands it over by hand"),
                ("consumerKey", Severity::Warning, "a fixed consumer key, which ties the package to one org; leave it out and Salesforce assigns one"),
            ] {
                if holder.find(element).is_some_and(|e| !e.text_content().trim().is_empty()) {
                    out.push(finding(
                        rule::OAUTH_SECRET,
                        severity,
                        c.key.to_string(),
                        Some(&f.path),
                        line_of(&f.bytes, &format!("<{element}>")),
                        format!("{} holds {what}", c.key),
                    ));
                }
            }
        }
    }
}

/// Metadata XML that is not well formed (XML 1.0), or whose root is not its type's element in the
/// Metadata API namespace: the deploy refuses the file ("Error parsing file", "Unknown type
/// name"). The files checked are each component's own metadata file (its `-meta.xml`, or the
/// file itself for a type whose body is XML) and package.xml.
pub(super) fn metadata_xml(tree: &Tree, package_xml: Option<&[u8]>, out: &mut Vec<Finding>) {
    let reg = crate::sf::registry::registry();
    for c in tree.iter() {
        let Some(ty) = reg.by_name(&c.key.type_name) else { continue };
        let expected = crate::read::compose::root_element(ty, &c.key.full_name);
        let own = ty.suffix.as_deref().map(|s| format!("{}/{}.{s}", ty.directory_name, c.key.full_name));
        for f in &c.files {
            let is_meta = f.path.ends_with("-meta.xml");
            let is_own_xml = own.as_deref() == Some(f.path.as_str())
                && crate::sf::compare::kind_of(&f.path) == crate::sf::compare::FileKind::Xml;
            if !(is_meta || is_own_xml) {
                continue;
            }
            if let Err(e) = xml::check_metadata(&f.bytes, &expected) {
                // A root named after another type is what sf converts without a word (a public
                // project's .featureParameterInteger-meta.xml holds <FeatureParameterBoolean>): a
                // warning; a file the deploy cannot read (no or another namespace) an error.
                let other_root = xml::check_root(&f.bytes).is_ok_and(|r| r.name != expected);
                let (severity, e) = if other_root {
                    (
                        Severity::Warning,
                        format!("{e}: sf reads the file by its folder and suffix, the deploy may refuse it"),
                    )
                } else {
                    (Severity::Error, e)
                };
                out.push(finding(rule::METADATA_XML, severity, c.key.to_string(), Some(&f.path), None, e));
            }
        }
    }
    if let Some(px) = package_xml {
        if let Err(e) = xml::check_metadata(px, "Package") {
            out.push(finding(rule::METADATA_XML, Severity::Error, "package.xml", Some("package.xml"), None, e));
        }
    }
}

/// Apex bodies the platform refuses for their size (over [`crate::apex::source::MAX_APEX_CHARS`]
/// characters: an error, and the estimator does not parse them), and those past the estimator's
/// total bound (a warning: their coverage is not estimated).
pub(super) fn apex_size(tree: &Tree, out: &mut Vec<Finding>) {
    for s in crate::apex::source::bounded_sources(tree).1 {
        let (severity, message) = if s.too_large {
            (
                Severity::Error,
                format!(
                    "{} characters: the platform takes at most {} in one class or trigger (the deploy fails); not estimated",
                    s.chars,
                    crate::apex::source::MAX_APEX_CHARS
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "not estimated: the package holds more than {} characters of Apex, sfgen's bound for one run",
                    crate::apex::source::MAX_TOTAL_APEX_CHARS
                ),
            )
        };
        out.push(finding(rule::APEX_SIZE, severity, s.key.to_string(), Some(&s.file), None, message));
    }
}

/// Names against Salesforce's schema and the package ([`super::names`]): what permission sets and
/// profiles grant (objects, fields, record types, classes) and the fields Apex names for sure.
/// Components sfgen generated were checked with their config and are skipped.
pub(super) fn names(tree: &Tree, generated: &BTreeSet<ComponentKey>, out: &mut Vec<Finding>) {
    use super::names::{PackageNames, Verdict};
    let pkg = PackageNames::from_tree(tree, &|k| generated.contains(k));
    let mut push = |comp: &ComponentKey, file: &str, line: Option<usize>, v: Verdict, what: &str| {
        let (rule, severity, m, h) = match v {
            Verdict::Ok => return,
            Verdict::Error(m, h) => (rule::UNKNOWN_NAME, Severity::Error, m, h),
            Verdict::Warning(m, h) => (rule::NAME_NOT_IN_PACKAGE, Severity::Warning, m, h),
        };
        let msg = match h {
            Some(h) => format!("{what}{m} ({h})"),
            None => format!("{what}{m}"),
        };
        out.push(finding(rule, severity, comp.to_string(), Some(file), line, msg));
    };
    for c in tree.iter() {
        if generated.contains(&c.key) {
            continue;
        }
        match c.key.type_name.as_str() {
            "PermissionSet" | "Profile" => {
                for f in &c.files {
                    let Ok(root) = xml::parse(&f.bytes) else { continue };
                    let text =
                        |e: &xml::Element, child: &str| e.find(child).map(|x| x.text_content().trim().to_string());
                    for el in root.elements() {
                        let (tag, name, v) = match el.name.as_str() {
                            "objectPermissions" => {
                                let Some(o) = text(el, "object") else { continue };
                                let v = pkg.object_verdict(&o);
                                ("object", o, v)
                            }
                            "fieldPermissions" => {
                                let Some(fl) = text(el, "field") else { continue };
                                let v = pkg.qualified_field_verdict(&fl);
                                ("field", fl, v)
                            }
                            "recordTypeVisibilities" => {
                                let Some(r) = text(el, "recordType") else { continue };
                                let v = pkg.qualified_record_type_verdict(&r);
                                ("recordType", r, v)
                            }
                            "classAccesses" => {
                                let Some(k) = text(el, "apexClass") else { continue };
                                let v = if k.contains('.') { Verdict::Ok } else { pkg.class_verdict(&k) };
                                ("apexClass", k, v)
                            }
                            _ => continue,
                        };
                        let line = line_of(&f.bytes, &format!("<{tag}>{name}</{tag}>"));
                        push(&c.key, &f.path, line, v, &format!("{}/{tag} {name}: ", el.name));
                    }
                }
            }
            "ApexClass" | "ApexTrigger" => {
                for f in c.files.iter().filter(|f| f.path.ends_with(".cls") || f.path.ends_with(".trigger")) {
                    let src = String::from_utf8_lossy(&f.bytes);
                    for (line, v) in super::names::apex_field_verdicts(&src, &pkg) {
                        push(&c.key, &f.path, Some(line), v, "");
                    }
                }
            }
            _ => {}
        }
    }
}
