//! Metadata whose children live inside one file (custom labels, workflows, sharing rules,
//! assignment / auto-response / escalation / matching rules) and the files sfdx-git-delta
//! compares element by element (profiles, translations): which children a change between two
//! versions of the file adds, changes or deletes, and the file pruned to what changed.
//!
//! This follows sfdx-git-delta 6.31's `MetadataDiff` (`src/utils/metadataDiff.ts`) so that the
//! manifests name the same members: a child (an element whose name is one of the type's child
//! types, keyed by its `fullName` or the registry's unique id element) is added or changed when
//! the later file holds it with other content, deleted when only the earlier one holds it; the
//! file itself is listed (its container member) when any group of elements of the later file
//! differs from the earlier one's (elements only the earlier file holds do not count, as in
//! sgd); for a keyed group only the rows that differ are kept in the pruned file, for other
//! groups the whole group.

use crate::sf::registry::{registry, MdType};
use crate::sf::xml::{self, Element, Node};

/// Types handled element by element (sgd's `InFile` handlers).
pub fn is_in_file(ty: &MdType) -> bool {
    matches!(
        ty.name.as_str(),
        "AssignmentRules"
            | "AutoResponseRules"
            | "EscalationRules"
            | "MatchingRules"
            | "Workflow"
            | "SharingRules"
            | "MarketingAppExtension"
            | "CustomLabels"
            | "Profile"
            | "Translations"
            | "GlobalValueSetTranslation"
            | "StandardValueSetTranslation"
    )
}

/// Types whose deletion deletes the file's component (sgd's `pruneOnly`); for the others a
/// deleted file deletes each child it held.
pub fn deletion_is_whole(ty: &MdType) -> bool {
    matches!(ty.name.as_str(), "Profile" | "Translations" | "GlobalValueSetTranslation" | "StandardValueSetTranslation")
}

/// What changed inside one file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct InFileDiff {
    /// (type, member) added or changed.
    pub added: Vec<(String, String)>,
    /// (type, member) deleted.
    pub deleted: Vec<(String, String)>,
    /// Whether the container is listed: some group of the later file differs.
    pub changed: bool,
    /// The later file pruned to what differs (when `changed`).
    pub pruned: Option<String>,
}

/// How rows of a group are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key<'a> {
    /// By the text of this child element.
    Field(&'a str),
    /// The whole group is one value (sgd's `<array>`).
    Array,
    /// Rows are values; new ones are those the earlier file lacks (sgd's `<object>`).
    Object,
    /// Not keyed: the whole group counts.
    None,
}

/// The key of a group of elements of `root` type (sgd's per-tag `key`).
fn key_of<'a>(root: &'a MdType, element: &str) -> (Key<'a>, Option<&'a MdType>) {
    let reg = registry();
    if let Some(ct) = reg.child_by_element(root, element).filter(|c| c.is_addressable) {
        return (Key::Field(ct.unique_id_element.as_deref().unwrap_or("fullName")), Some(ct));
    }
    let field = match (root.name.as_str(), element) {
        ("Profile", "categoryGroupVisibilities") => "dataCategoryGroup",
        ("Profile", "applicationVisibilities") => "application",
        ("Profile", "classAccesses") => "apexClass",
        (
            "Profile",
            "customMetadataTypeAccesses" | "customPermissions" | "customSettingAccesses" | "userPermissions",
        ) => "name",
        ("Profile", "externalDataSourceAccesses") => "externalDataSource",
        ("Profile", "fieldPermissions") => "field",
        ("Profile", "flowAccesses") => "flow",
        ("Profile", "loginFlows") => "friendlyname",
        ("Profile", "layoutAssignments") => return (Key::Object, None),
        ("Profile", "loginHours" | "loginIpRanges") => return (Key::Array, None),
        ("Profile", "objectPermissions") => "object",
        ("Profile", "pageAccesses") => "apexPage",
        ("Profile", "profileActionOverrides") => "actionName",
        ("Profile", "recordTypeVisibilities") => "recordType",
        ("Profile", "tabVisibilities") => "tab",
        ("Translations", "bots" | "flowDefinitions") => "fullName",
        (
            "Translations",
            "customApplications"
            | "customLabels"
            | "customPageWebLinks"
            | "customTabs"
            | "pipelineInspMetricConfigs"
            | "prompts"
            | "quickActions"
            | "reportTypes"
            | "scontrols",
        ) => "name",
        ("GlobalValueSetTranslation" | "StandardValueSetTranslation", "valueTranslation") => "masterLabel",
        _ => return (Key::None, None),
    };
    (Key::Field(field), None)
}

fn field_text(el: &Element, field: &str) -> String {
    el.find(field).map(Element::text_content).unwrap_or_default()
}

/// The root element of `bytes`, or an empty one (a missing or unreadable file holds nothing).
fn root_of(bytes: Option<&[u8]>, name: &str) -> Element {
    bytes.and_then(|b| xml::parse(b).ok()).unwrap_or_else(|| Element::new(name))
}

fn groups(root: &Element) -> Vec<(&str, Vec<&Element>)> {
    let mut out: Vec<(&str, Vec<&Element>)> = Vec::new();
    for el in root.elements() {
        match out.iter_mut().find(|(n, _)| *n == el.name) {
            Some((_, v)) => v.push(el),
            None => out.push((el.name.as_str(), vec![el])),
        }
    }
    out
}

/// Compares two versions of the file of `ty` named `container` (`None`: the file is absent).
pub fn compare(ty: &MdType, container: &str, from: Option<&[u8]>, to: Option<&[u8]>) -> InFileDiff {
    let old = root_of(from, &ty.name);
    let new = root_of(to, &ty.name);
    let old_groups = groups(&old);
    let new_groups = groups(&new);
    fn find<'a>(gs: &[(&str, Vec<&'a Element>)], name: &str) -> Vec<&'a Element> {
        gs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    let member = |ct: &MdType, key: String| -> String {
        if ty.name == "CustomLabels" || ct.ignore_parent_name {
            key
        } else {
            format!("{container}.{key}")
        }
    };
    let mut diff = InFileDiff::default();
    // Children added or changed, and deleted.
    for (name, rows) in &new_groups {
        let (key, child) = key_of(ty, name);
        let (Key::Field(field), Some(ct)) = (key, child) else { continue };
        let before = find(&old_groups, name);
        for row in rows {
            let k = field_text(row, field);
            if !before.iter().any(|b| field_text(b, field) == k && *b == *row) {
                diff.added.push((ct.name.clone(), member(ct, k)));
            }
        }
    }
    for (name, rows) in &old_groups {
        let (key, child) = key_of(ty, name);
        let (Key::Field(field), Some(ct)) = (key, child) else { continue };
        let after = find(&new_groups, name);
        for row in rows {
            let k = field_text(row, field);
            if !after.iter().any(|a| field_text(a, field) == k) {
                diff.deleted.push((ct.name.clone(), member(ct, k)));
            }
        }
    }
    // The file pruned to the groups (or rows) that differ.
    let mut pruned = Element { name: new.name.clone(), attributes: new.attributes.clone(), children: Vec::new() };
    for (name, rows) in &new_groups {
        let before = find(&old_groups, name);
        let kept: Vec<&Element> = if before.is_empty() {
            diff.changed = true;
            rows.clone()
        } else {
            match key_of(ty, name).0 {
                Key::Field(field) => {
                    let d: Vec<&Element> = rows
                        .iter()
                        .copied()
                        .filter(|r| {
                            let k = field_text(r, field);
                            !before.iter().any(|b| field_text(b, field) == k && *b == *r)
                        })
                        .collect();
                    diff.changed |= !d.is_empty();
                    d
                }
                Key::Array => {
                    if before == *rows {
                        Vec::new()
                    } else {
                        diff.changed = true;
                        rows.clone()
                    }
                }
                Key::Object => {
                    let d: Vec<&Element> = rows.iter().copied().filter(|r| !before.contains(r)).collect();
                    diff.changed |= !d.is_empty();
                    d
                }
                Key::None => {
                    diff.changed |= before != *rows;
                    rows.clone()
                }
            }
        };
        pruned.children.extend(kept.into_iter().map(|e| Node::Element(e.clone())));
    }
    if diff.changed {
        if !pruned.attributes.iter().any(|(k, _)| k == "xmlns") {
            pruned.attributes.insert(0, ("xmlns".into(), crate::sf::MD_NAMESPACE.into()));
        }
        diff.pruned = Some(pruned.to_document());
    }
    diff
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn labels(items: &[(&str, &str)]) -> Vec<u8> {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomLabels xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n",
        );
        for (n, v) in items {
            s.push_str(&format!(
                "    <labels>\n        <fullName>{n}</fullName>\n        <language>en_US</language>\n        <protected>true</protected>\n        <value>{v}</value>\n    </labels>\n"
            ));
        }
        s.push_str("</CustomLabels>\n");
        s.into_bytes()
    }

    #[test]
    fn labels_changed_added_and_deleted_one_by_one() {
        let ty = registry().by_name("CustomLabels").unwrap();
        let d = compare(
            ty,
            "CustomLabels",
            Some(&labels(&[("a", "1"), ("b", "2"), ("c", "3")])),
            Some(&labels(&[("a", "1"), ("b", "two"), ("d", "4")])),
        );
        assert_eq!(d.added, vec![("CustomLabel".into(), "b".into()), ("CustomLabel".into(), "d".into())]);
        assert_eq!(d.deleted, vec![("CustomLabel".into(), "c".into())]);
        assert!(d.changed);
        let pruned = d.pruned.unwrap();
        assert!(pruned.contains("<fullName>b</fullName>") && pruned.contains("<fullName>d</fullName>"), "{pruned}");
        assert!(!pruned.contains("<fullName>a</fullName>"), "{pruned}");
    }

    #[test]
    fn a_deleted_workflow_file_deletes_its_children_and_only_they() {
        let ty = registry().by_name("Workflow").unwrap();
        let wf = b"<Workflow xmlns=\"http://soap.sforce.com/2006/04/metadata\"><rules><fullName>R1</fullName><active>true</active></rules><alerts><fullName>A1</fullName></alerts></Workflow>";
        let d = compare(ty, "Account", Some(wf), None);
        assert!(d.added.is_empty() && !d.changed);
        let mut deleted = d.deleted.clone();
        deleted.sort();
        assert_eq!(
            deleted,
            vec![("WorkflowAlert".into(), "Account.A1".into()), ("WorkflowRule".into(), "Account.R1".into())]
        );
    }

    #[test]
    fn a_profile_is_listed_when_a_row_of_the_later_file_differs_not_when_one_is_removed() {
        let ty = registry().by_name("Profile").unwrap();
        let p = |rows: &str| {
            format!("<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">{rows}<custom>false</custom></Profile>")
                .into_bytes()
        };
        let a = "<fieldPermissions><editable>false</editable><field>A.F</field><readable>true</readable></fieldPermissions>";
        let b =
            "<fieldPermissions><editable>true</editable><field>A.G</field><readable>true</readable></fieldPermissions>";
        let b2 = "<fieldPermissions><editable>false</editable><field>A.G</field><readable>true</readable></fieldPermissions>";
        let removed = compare(ty, "Admin", Some(&p(&format!("{a}{b}"))), Some(&p(a)));
        assert!(!removed.changed && removed.added.is_empty() && removed.deleted.is_empty());
        let changed = compare(ty, "Admin", Some(&p(&format!("{a}{b}"))), Some(&p(&format!("{a}{b2}"))));
        assert!(changed.changed);
        let pruned = changed.pruned.unwrap();
        assert!(pruned.contains("<field>A.G</field>") && !pruned.contains("<field>A.F</field>"), "{pruned}");
    }
}
