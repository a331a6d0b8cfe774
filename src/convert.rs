//! Metadata API (mdapi) layout → SFDX source layout, one component at a time, as `sf project
//! convert mdapi` writes it (source-deploy-retrieve's transformers, `toSourceFormat`). The other
//! direction is [`crate::read`].
//!
//! Driven by the registry: XML-only components gain `-meta.xml`; a body keeps its name beside a
//! `-meta.xml` of the type's suffix (`documents/F/logo.png-meta.xml` →
//! `documents/F/logo.document-meta.xml`); folders become `<Folder>.<type>Folder-meta.xml`;
//! decomposed types (CustomObject, translations, bots) are split into a parent file and one
//! file per child; custom labels go to `labels/CustomLabels.labels-meta.xml`; a static resource
//! gets the extension of its content type, and an archive is expanded into a folder.

use crate::error::{Error, Result};
use crate::metadata::{Component, MetadataFile, Tree};
use crate::sf::paths::{self, Layout};
use crate::sf::registry::{registry, Adapter, Decomposition, MdType, Transformer};
use crate::sf::xml::{self, Element, Node};

/// Converts every component to source-layout files, with paths relative to the package
/// directory's `main/default` folder, sorted.
pub fn mdapi_to_source(tree: &Tree) -> Result<Vec<MetadataFile>> {
    let mut out = Vec::new();
    for component in tree.iter() {
        out.extend(component_to_source(component)?);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The source-layout files of one component.
pub fn component_to_source(component: &Component) -> Result<Vec<MetadataFile>> {
    let reg = registry();
    let Some(ty) = reg.by_name(&component.key.type_name) else {
        return Err(Error::input(format!("no registry entry for metadata type {}", component.key.type_name)));
    };
    match ty.transformer {
        Transformer::Decomposed => decompose(ty, component),
        Transformer::NonDecomposed => Ok(component
            .files
            .iter()
            .map(|f| {
                let path = format!("{}/{}.{}-meta.xml", ty.directory_name, ty.name, ty.suffix.as_deref().unwrap_or(""));
                MetadataFile::new(path, f.bytes.clone())
            })
            .collect()),
        Transformer::StaticResource => static_resource(component),
        _ => Ok(default_files(ty, component)),
    }
}

/// `DefaultMetadataTransformer.toSourceFormat`: content files where the type keeps them, the
/// metadata XML under its source name.
fn default_files(ty: &MdType, component: &Component) -> Vec<MetadataFile> {
    let reg = registry();
    let full_name = &component.key.full_name;
    let parent_type = ty.folder_type.as_deref().and_then(|f| reg.by_id(f));
    let has_content = ty.adapter != Adapter::Default;
    let content = component.files.iter().find(|f| !f.path.ends_with("-meta.xml")).map(|f| f.path.as_str());
    component
        .files
        .iter()
        .map(|f| {
            let is_xml = !has_content || f.path.ends_with("-meta.xml");
            let path = if is_xml {
                paths::xml_destination(
                    Layout::Source,
                    ty,
                    parent_type,
                    full_name,
                    &f.path,
                    if has_content { content } else { None },
                )
            } else {
                paths::relative_path(ty, parent_type, full_name, &f.path)
            };
            MetadataFile::new(path, f.bytes.clone())
        })
        .collect()
}

fn static_resource(component: &Component) -> Result<Vec<MetadataFile>> {
    let name = &component.key.full_name;
    let meta = component.files.iter().find(|f| f.path.ends_with("-meta.xml"));
    let content = component.files.iter().find(|f| !f.path.ends_with("-meta.xml"));
    let mut out: Vec<MetadataFile> = meta
        .iter()
        .map(|m| MetadataFile::new(format!("staticresources/{name}.resource-meta.xml"), m.bytes.clone()))
        .collect();
    let Some(content) = content else { return Ok(out) };
    let content_type = meta
        .and_then(|m| xml::parse(&m.bytes).ok())
        .and_then(|root| root.find("contentType").map(Element::text_content))
        .unwrap_or_default();
    if crate::sf::mime::is_archive(&content_type) && crate::read::archive::looks_like_zip(&content.bytes) {
        let path = std::path::PathBuf::from(&content.path);
        let files = crate::read::archive::read_zip(&path, &content.bytes, &crate::read::archive::Limits::default())?;
        out.extend(files.into_iter().map(|(p, b)| MetadataFile::new(format!("staticresources/{name}/{p}"), b)));
        return Ok(out);
    }
    out.push(MetadataFile::new(
        format!("staticresources/{name}.{}", crate::sf::mime::extension_for(&content_type)),
        content.bytes.clone(),
    ));
    Ok(out)
}

/// `DecomposedMetadataTransformer.toSourceFormat`: the parent's own elements in
/// `<dir>/<Name>/<Name>.<suffix>-meta.xml` (written even when empty, as sf writes it), each child
/// in its own file.
fn decompose(ty: &MdType, component: &Component) -> Result<Vec<MetadataFile>> {
    let reg = registry();
    let name = &component.key.full_name;
    let suffix = ty.suffix.as_deref().unwrap_or("");
    let dir = format!("{}/{name}", ty.directory_name);
    let mut out = Vec::new();
    for file in &component.files {
        let root = xml::parse(&file.bytes).map_err(|e| Error::input(format!("{}: {e}", file.path)))?;
        let mut parent = Element { name: root.name.clone(), attributes: Vec::new(), children: Vec::new() };
        for child in &root.children {
            let Node::Element(el) = child else { continue };
            match reg.child_by_element(ty, &el.name) {
                Some(ct) => {
                    let child_name = ct
                        .unique_id_element
                        .as_deref()
                        .and_then(|u| el.find(u))
                        .or_else(|| el.find("fullName"))
                        .or_else(|| el.find("name"))
                        .map(Element::text_content)
                        .unwrap_or_default();
                    crate::read::archive::check_relative_path(&child_name)
                        .ok()
                        .filter(|()| !child_name.contains('/'))
                        .ok_or_else(|| {
                            Error::input(format!("{}: {} has an unusable name {child_name:?}", file.path, el.name))
                        })?;
                    let mut child_root = el.clone();
                    child_root.name = ct.name.clone();
                    let sub = if ty.decomposition == Some(Decomposition::FolderPerType) {
                        format!("{}/", ct.directory_name)
                    } else {
                        String::new()
                    };
                    out.push(MetadataFile::new(
                        format!("{dir}/{sub}{child_name}.{}-meta.xml", ct.suffix.as_deref().unwrap_or("")),
                        child_root.to_document(),
                    ));
                }
                None => parent.children.push(child.clone()),
            }
        }
        out.push(MetadataFile::new(format!("{dir}/{name}.{suffix}-meta.xml"), parent.to_document()));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::metadata::ComponentKey;

    fn comp(ty: &str, name: &str, files: &[(&str, &[u8])]) -> Component {
        Component::new(
            ComponentKey::new(ty, name),
            files.iter().map(|(p, b)| MetadataFile::new(*p, b.to_vec())).collect(),
        )
    }

    #[test]
    fn folders_documents_and_resources_take_source_names() {
        let mut tree = Tree::new();
        tree.insert(comp("ReportFolder", "Sales", &[("reports/Sales-meta.xml", b"x")]));
        tree.insert(comp(
            "Document",
            "Docs/logo",
            &[("documents/Docs/logo.png", b"PNG"), ("documents/Docs/logo.png-meta.xml", b"m")],
        ));
        let meta = "<StaticResource xmlns=\"http://soap.sforce.com/2006/04/metadata\"><contentType>text/javascript</contentType></StaticResource>";
        tree.insert(comp(
            "StaticResource",
            "app",
            &[("staticresources/app.resource", b"js"), ("staticresources/app.resource-meta.xml", meta.as_bytes())],
        ));
        let zipped = crate::write::zip::zip_bytes(&[("css/a.css".into(), b"a".to_vec())]).unwrap();
        let meta = meta.replace("text/javascript", "application/zip");
        tree.insert(comp(
            "StaticResource",
            "lib",
            &[("staticresources/lib.resource", &zipped), ("staticresources/lib.resource-meta.xml", meta.as_bytes())],
        ));
        let meta =
            meta.replace("application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        tree.insert(comp(
            "StaticResource",
            "doc",
            &[("staticresources/doc.resource", b"d"), ("staticresources/doc.resource-meta.xml", meta.as_bytes())],
        ));
        tree.insert(comp("RemoteSiteSetting", "R", &[("remoteSiteSettings/R.remoteSite", b"r")]));
        tree.insert(comp("CustomLabels", "CustomLabels", &[("labels/CustomLabels.labels", b"l")]));
        let paths: Vec<String> = mdapi_to_source(&tree).unwrap().into_iter().map(|f| f.path).collect();
        assert_eq!(
            paths,
            [
                "documents/Docs/logo.document-meta.xml",
                "documents/Docs/logo.png",
                "labels/CustomLabels.labels-meta.xml",
                "remoteSiteSettings/R.remoteSite-meta.xml",
                "reports/Sales.reportFolder-meta.xml",
                "staticresources/app.js",
                "staticresources/app.resource-meta.xml",
                "staticresources/doc.docx",
                "staticresources/doc.resource-meta.xml",
                "staticresources/lib.resource-meta.xml",
                "staticresources/lib/css/a.css",
            ]
        );
    }

    #[test]
    fn decomposed_objects_keep_an_empty_parent_like_sf() {
        let mut tree = Tree::new();
        let xml = "<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\"><fields><fullName>A__c</fullName><type>Text</type></fields></CustomObject>";
        tree.insert(comp("CustomObject", "Account", &[("objects/Account.object", xml.as_bytes())]));
        let files = mdapi_to_source(&tree).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["objects/Account/Account.object-meta.xml", "objects/Account/fields/A__c.field-meta.xml"]);
        assert!(String::from_utf8_lossy(&files[1].bytes).contains("<CustomField xmlns="));
    }
}
