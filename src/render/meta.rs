//! Metadata XML shared by every section. Each section builds its own XML element by element in
//! the WSDL's `xsd:sequence` order (see `shared/docs/salesforce-metadata.md`), with repeated
//! rows sorted by their key as a retrieve sorts them.

use crate::metadata::{Component, ComponentKey, MetadataFile, Tree};
use crate::model::names::ApiVersion;
use crate::sf::xml::Element;

/// `<ApexClass>`/`<ApexTrigger>` `-meta.xml`.
pub fn apex_meta(root: &str, version: &ApiVersion) -> String {
    Element::new(root)
        .child(Element::text("apiVersion", version.to_string()))
        .child(Element::text("status", "Active"))
        .to_document()
}

/// Adds a component made of one XML file.
pub fn xml_component(tree: &mut Tree, type_name: &str, name: &str, path: String, xml: String) {
    tree.insert(Component::new(ComponentKey::new(type_name, name), vec![MetadataFile::new(path, xml)]));
}
