//! `package.xml`: which members a component contributes, named as the Salesforce CLI names them
//! (source-deploy-retrieve's `ComponentSet.getObject`), and the manifest itself (sorted types,
//! sorted members, `<version>` last).
//!
//! - every addressable component, plus its children: those of a decomposed parent
//!   (`CustomField: Account.Vip__c`) and the inline ones the registry names with a unique element
//!   (`CustomLabel: Greeting`, `WorkflowRule: Case.Escalate`);
//! - a decomposed parent whose own file holds nothing but children (source had only
//!   `objects/Account/fields/...`) is listed by its children only;
//! - folders are listed under the type they hold (`Report: Sales/`, `EmailTemplate: Billing`),
//!   Report and Dashboard folders with a trailing `/`.

use super::registry::{registry, MdType, Transformer};
use super::xml::Element;
use crate::metadata::{Component, Tree};
use std::collections::BTreeMap;

/// The (type, member) pairs package.xml lists for `c` (an mdapi component).
pub fn members_of(c: &Component) -> Vec<(String, String)> {
    let reg = registry();
    let full = c.key.full_name.clone();
    let Some(ty) = reg.by_name(&c.key.type_name) else {
        return vec![(c.key.type_name.clone(), full)];
    };
    if !ty.is_addressable {
        return Vec::new();
    }
    if let Some(content) = ty.folder_content_type.as_deref().and_then(|id| reg.by_id(id)) {
        let slash = if matches!(ty.name.as_str(), "DashboardFolder" | "ReportFolder") && !full.ends_with('/') {
            "/"
        } else {
            ""
        };
        return vec![(content.name.clone(), format!("{full}{slash}"))];
    }
    if ty.children.is_none() {
        return vec![(ty.name.clone(), full)];
    }
    let mut out = Vec::new();
    let mut own_elements = false;
    let mut parsed_any = false;
    for f in &c.files {
        let Ok(root) = super::xml::parse(&f.bytes) else { continue };
        parsed_any = true;
        for el in root.elements() {
            match reg.child_by_element(ty, &el.name) {
                Some(ct) if listable(ty, ct) => {
                    let name = child_name(el, ct);
                    let member = if ct.ignore_parent_name { name } else { format!("{full}.{name}") };
                    out.push((ct.name.clone(), member));
                }
                Some(_) => {}
                None => own_elements = true,
            }
        }
    }
    let skippable = ty.transformer == Transformer::Decomposed
        && reg.children_of(ty).any(|ct| !ct.unaddressable_without_parent)
        && reg.children_of(ty).any(|ct| ct.is_addressable);
    if own_elements || !skippable || !parsed_any {
        out.push((ty.name.clone(), full));
    }
    out
}

fn listable(parent: &MdType, child: &MdType) -> bool {
    child.is_addressable
        && (parent.transformer == Transformer::Decomposed
            || (child.unique_id_element.is_some() && child.xml_element_name.is_some()))
}

/// The name a child goes by: its unique element, else `fullName`, else `name`.
pub(crate) fn child_name(el: &Element, ty: &MdType) -> String {
    ty.unique_id_element
        .as_deref()
        .and_then(|u| el.find(u))
        .or_else(|| el.find("fullName"))
        .or_else(|| el.find("name"))
        .map(Element::text_content)
        .unwrap_or_default()
}

/// Every member of `tree`, by type, sorted and unique.
pub fn members(tree: &Tree) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in tree.iter() {
        for (t, m) in members_of(c) {
            map.entry(t).or_default().push(m);
        }
    }
    sort_members(&mut map);
    map
}

/// Sorts each type's members (byte order, as JavaScript sorts ASCII names) and drops duplicates.
pub fn sort_members(map: &mut BTreeMap<String, Vec<String>>) {
    for m in map.values_mut() {
        m.sort_unstable();
        m.dedup();
    }
}

/// Renders a package.xml listing `members_by_type` (types and members are sorted here, so
/// callers may pass them in any order) for API `version`.
pub fn package_xml<'a>(members_by_type: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>, version: &str) -> String {
    let mut sorted: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (ty, members) in members_by_type {
        sorted.entry(ty).or_default().extend(members);
    }
    // Written straight into the text (the layout `Element::to_document` gives): an element per
    // member would take several times the document's size for a large org.
    use crate::sf::xml::escape_text;
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"{}\">\n",
        crate::sf::xml::escape_attr(crate::sf::MD_NAMESPACE)
    );
    for (ty, mut members) in sorted {
        members.sort_unstable();
        members.dedup();
        out.push_str("    <types>\n");
        for m in members {
            out.push_str("        <members>");
            out.push_str(&escape_text(m));
            out.push_str("</members>\n");
        }
        out.push_str("        <name>");
        out.push_str(&escape_text(ty));
        out.push_str("</name>\n    </types>\n");
    }
    out.push_str("    <version>");
    out.push_str(&escape_text(version));
    out.push_str("</version>\n</Package>\n");
    out
}

/// The package.xml of `members`.
pub fn package_xml_of(members: &BTreeMap<String, Vec<String>>, version: &str) -> String {
    package_xml(members.iter().map(|(t, m)| (t.as_str(), m.iter().map(String::as_str).collect())), version)
}

/// The package.xml describing `tree`.
pub fn tree_package_xml(tree: &Tree, version: &str) -> String {
    package_xml_of(&members(tree), version)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::metadata::{ComponentKey, MetadataFile};

    #[test]
    fn sorts_types_and_members_and_puts_version_last() {
        let xml =
            package_xml([("PermissionSet", vec!["B", "A"]), ("ApexClass", vec!["Webhook", "TestWebhook"])], "62.0");
        let apex = xml.find("ApexClass").unwrap_or(usize::MAX);
        let perm = xml.find("PermissionSet").unwrap_or(0);
        assert!(apex < perm, "{xml}");
        assert!(xml.find("TestWebhook") < xml.find(">Webhook<"), "{xml}");
        assert!(xml.trim_end().ends_with("<version>62.0</version>\n</Package>"), "{xml}");
        assert_eq!(
            package_xml(std::iter::empty(), "62.0"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <version>62.0</version>\n</Package>\n"
        );
    }

    #[test]
    fn written_as_the_element_tree_would_write_it() {
        let members = [("ApexClass", vec!["B", "A&<b>", ""]), ("CustomObject", vec!["X__c"])];
        let mut root = Element::new("Package");
        for (ty, ms) in &members {
            let mut ms = ms.clone();
            ms.sort_unstable();
            let types = Element::new("types")
                .children(ms.into_iter().map(|m| Element::text("members", m)))
                .child(Element::text("name", *ty));
            root = root.child(types);
        }
        let expected = root.child(Element::text("version", "66.0")).to_document();
        assert_eq!(package_xml(members.iter().cloned(), "66.0"), expected);
    }

    fn comp(ty: &str, name: &str, path: &str, xml: &str) -> Component {
        Component::new(ComponentKey::new(ty, name), vec![MetadataFile::new(path, xml)])
    }

    #[test]
    fn children_folders_and_labels() {
        let obj = comp(
            "CustomObject",
            "Account",
            "objects/Account.object",
            "<CustomObject><fields><fullName>Vip__c</fullName></fields></CustomObject>",
        );
        assert_eq!(members_of(&obj), [("CustomField".to_string(), "Account.Vip__c".to_string())]);
        let obj = comp(
            "CustomObject",
            "Inv__c",
            "objects/Inv__c.object",
            "<CustomObject><fields><fullName>A__c</fullName></fields><label>I</label></CustomObject>",
        );
        assert_eq!(members_of(&obj).len(), 2);
        let labels = comp(
            "CustomLabels",
            "CustomLabels",
            "labels/CustomLabels.labels",
            "<CustomLabels><labels><fullName>Hi</fullName></labels></CustomLabels>",
        );
        assert_eq!(
            members_of(&labels),
            [("CustomLabel".to_string(), "Hi".to_string()), ("CustomLabels".to_string(), "CustomLabels".to_string())]
        );
        let folder = comp("ReportFolder", "Sales", "reports/Sales-meta.xml", "<ReportFolder/>");
        assert_eq!(members_of(&folder), [("Report".to_string(), "Sales/".to_string())]);
        let folder = comp("EmailFolder", "Billing", "email/Billing-meta.xml", "<EmailFolder/>");
        assert_eq!(members_of(&folder), [("EmailTemplate".to_string(), "Billing".to_string())]);
    }
}
