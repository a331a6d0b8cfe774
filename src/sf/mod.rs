//! Salesforce knowledge, in one place: the metadata-type registry (from the Salesforce CLI's own
//! data), where each type's files go in each layout, package.xml naming, static resource content
//! types, metadata XML, naming rules and vocabularies (API versions, OAuth scopes, reserved words). Everything else asks here; nothing here reads inputs or writes
//! outputs.

pub mod apex;
pub mod api;
pub mod compare;
pub mod manifest;
pub mod mime;
pub mod names;
pub mod oauth;
pub mod paths;
pub mod permissions;
pub mod registry;
pub mod schema;
pub mod xml;

/// The XML namespace of every Metadata API file.
pub const MD_NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";
