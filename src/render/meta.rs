//! Metadata XML shared by every section. Each section builds its own XML element by element in
//! the WSDL's `xsd:sequence` order (see `shared/docs/salesforce-metadata.md`), with repeated
//! rows sorted by their key as a retrieve sorts them.
//!
//! The two helpers live below the sections ([`crate::metadata::xml_component`],
//! [`crate::sf::apex::apex_meta`]); these are the names the webhook section still calls them by.

pub use crate::metadata::xml_component;
pub use crate::sf::apex::apex_meta;
