//! `package.xml` and destructive manifests: sorted types, sorted members, `<version>` last,
//! exactly as the Salesforce CLI writes them.

use super::xml::Element;
use std::collections::BTreeMap;

/// Renders a package.xml listing `members_by_type` (types and members are sorted here, so
/// callers may pass them in any order) for API `version`.
pub fn package_xml<'a>(members_by_type: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>, version: &str) -> String {
    let mut sorted: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (ty, members) in members_by_type {
        sorted.entry(ty).or_default().extend(members);
    }
    let mut root = Element::new("Package");
    for (ty, mut members) in sorted {
        // Byte order, as JavaScript's default sort does for ASCII API names.
        members.sort_unstable();
        members.dedup();
        let types = Element::new("types")
            .children(members.into_iter().map(|m| Element::text("members", m)))
            .child(Element::text("name", ty));
        root = root.child(types);
    }
    root.child(Element::text("version", version)).to_document()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_types_and_members_and_puts_version_last() {
        let xml =
            package_xml([("PermissionSet", vec!["B", "A"]), ("ApexClass", vec!["Webhook", "TestWebhook"])], "62.0");
        let apex = xml.find("ApexClass").unwrap_or(usize::MAX);
        let perm = xml.find("PermissionSet").unwrap_or(0);
        assert!(apex < perm, "{xml}");
        assert!(xml.find("TestWebhook") < xml.find(">Webhook<"), "{xml}");
        assert!(xml.trim_end().ends_with("<version>62.0</version>\n</Package>"), "{xml}");
    }

    #[test]
    fn empty_package_has_only_version() {
        assert_eq!(
            package_xml(std::iter::empty(), "62.0"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <version>62.0</version>\n</Package>\n"
        );
    }
}
