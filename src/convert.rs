//! Conversion between the Metadata API (mdapi) layout, which [`Tree`] holds, and the SFDX
//! source layout.
//!
//! Source layout differs from mdapi in three ways: XML-only components get a `-meta.xml`
//! suffix (`X.remoteSite` → `X.remoteSite-meta.xml`); decomposed types (CustomObject) are
//! split into one file per child (`objects/X/fields/F.field-meta.xml`); and everything lives
//! under a package directory (`force-app/main/default`).

use crate::error::Error;
use crate::metadata::registry::{self, Shape};
use crate::metadata::xml::{self, Element, Node};
use crate::metadata::{MetadataFile, Tree};

/// Converts every component to source-layout files, with paths relative to the package
/// directory's `main/default` folder.
pub fn mdapi_to_source(tree: &Tree) -> Result<Vec<MetadataFile>, Error> {
    let mut out = Vec::new();
    for component in tree.iter() {
        let ty = registry::by_name(&component.key.type_name)
            .ok_or_else(|| Error::input(format!("no registry entry for metadata type {}", component.key.type_name)))?;
        match ty.shape {
            Shape::Xml if !ty.children.is_empty() => {
                for f in &component.files {
                    out.extend(decompose(ty, &component.key.full_name, f)?);
                }
            }
            Shape::Xml => {
                for f in &component.files {
                    out.push(MetadataFile::new(format!("{}-meta.xml", f.path), f.bytes.clone()));
                }
            }
            Shape::WithMeta | Shape::AnyExtWithMeta | Shape::Bundle => out.extend(component.files.iter().cloned()),
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Splits a parent's mdapi XML (`objects/X.object`) into the parent file and one file per
/// decomposed child.
fn decompose(ty: &registry::MetadataType, name: &str, file: &MetadataFile) -> Result<Vec<MetadataFile>, Error> {
    let root = xml::parse(&file.bytes).map_err(|e| Error::input(format!("{}: {e}", file.path)))?;
    let mut parent = Element { name: root.name.clone(), attributes: Vec::new(), children: Vec::new() };
    let mut out = Vec::new();
    for child in &root.children {
        let Node::Element(el) = child else { continue };
        match ty.children.iter().find(|c| c.element == el.name) {
            Some(c) => {
                let child_name = el.find("fullName").map(Element::text_content).unwrap_or_default();
                let mut child_root = el.clone();
                child_root.name = c.name.to_string();
                out.push(MetadataFile::new(
                    format!("{}/{name}/{}/{child_name}.{}-meta.xml", ty.directory, c.directory, c.suffix),
                    child_root.to_document(),
                ));
            }
            None => parent.children.push(child.clone()),
        }
    }
    out.push(MetadataFile::new(format!("{}/{name}/{name}.{}-meta.xml", ty.directory, ty.suffix), parent.to_document()));
    Ok(out)
}
