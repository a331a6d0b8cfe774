//! Conversion between the Metadata API (mdapi) layout, which [`Tree`] holds, and the SFDX
//! source layout (the other direction, source → mdapi, is [`crate::load`]).
//!
//! Source layout differs from mdapi in these ways, all following the Salesforce CLI: XML-only
//! components get a `-meta.xml` suffix (`X.remoteSite` → `X.remoteSite-meta.xml`); decomposed
//! types (CustomObject) are split into one file per child (`objects/X/fields/F.field-meta.xml`);
//! folders of reports, dashboards, documents and email templates are `<Folder>.<type>Folder-meta.xml`
//! files; a document's `-meta.xml` is named `<Name>.document-meta.xml`; a static resource's
//! content gets the extension of its content type, and an archive (application/zip) is
//! expanded into a folder, which [`crate::load`] zips back (deterministically) on the way in.

use crate::error::Error;
use crate::metadata::registry::{self, Shape};
use crate::metadata::xml::{self, Element, Node};
use crate::metadata::{Component, MetadataFile, Tree};

/// Converts every component to source-layout files, with paths relative to the package
/// directory's `main/default` folder.
pub fn mdapi_to_source(tree: &Tree) -> Result<Vec<MetadataFile>, Error> {
    let mut out = Vec::new();
    for component in tree.iter() {
        out.extend(component_to_source(component)?);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Like [`mdapi_to_source`], consuming the tree: bodies that keep their bytes (Apex, bundles,
/// XML-only files) are moved rather than copied, so converting a large project does not hold
/// it in memory twice.
pub fn into_source(tree: Tree) -> Result<Vec<MetadataFile>, Error> {
    let mut out = Vec::with_capacity(tree.len() * 2);
    for component in tree.components.into_values() {
        let ty = registry::by_name(&component.key.type_name);
        match ty.map(|t| (t.shape, t.children.is_empty())) {
            Some((Shape::WithMeta | Shape::Bundle, _)) => out.extend(component.files),
            Some((Shape::Xml, true)) => out.extend(
                component.files.into_iter().map(|f| MetadataFile::new(format!("{}-meta.xml", f.path), f.bytes)),
            ),
            _ => out.extend(component_to_source(&component)?),
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The source-layout files of one component.
pub fn component_to_source(component: &Component) -> Result<Vec<MetadataFile>, Error> {
    let type_name = component.key.type_name.as_str();
    if registry::by_folder_type(type_name).is_some() {
        // reports/Sales-meta.xml → reports/Sales.reportFolder-meta.xml
        let suffix = registry::folder_suffix(type_name);
        return Ok(component
            .files
            .iter()
            .map(|f| {
                let base = f.path.strip_suffix("-meta.xml").unwrap_or(&f.path);
                MetadataFile::new(format!("{base}.{suffix}-meta.xml"), f.bytes.clone())
            })
            .collect());
    }
    let ty = registry::by_name(type_name)
        .ok_or_else(|| Error::input(format!("no registry entry for metadata type {type_name}")))?;
    let mut out = Vec::new();
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
        Shape::AnyExtWithMeta if ty.name == "StaticResource" => out.extend(static_resource_to_source(component)?),
        Shape::AnyExtWithMeta => {
            // documents/F/X.png-meta.xml → documents/F/X.document-meta.xml
            for f in &component.files {
                match f.path.strip_suffix("-meta.xml") {
                    Some(content) => {
                        let (stem, _) = split_ext(content);
                        out.push(MetadataFile::new(format!("{stem}.{}-meta.xml", ty.suffix), f.bytes.clone()));
                    }
                    None => out.push(f.clone()),
                }
            }
        }
        Shape::WithMeta | Shape::Bundle => out.extend(component.files.iter().cloned()),
    }
    Ok(out)
}

/// `documents/F/logo.png` → (`documents/F/logo`, `png`); the extension is after the last dot
/// of the file name.
fn split_ext(path: &str) -> (&str, &str) {
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    match path[name_start..].rfind('.') {
        Some(i) if i > 0 => (&path[..name_start + i], &path[name_start + i + 1..]),
        _ => (path, ""),
    }
}

/// Content types whose static resources the Salesforce CLI expands into a folder.
const ARCHIVE_TYPES: &[&str] = &[
    "application/zip",
    "application/x-zip-compressed",
    "application/jar",
    "application/java-archive",
    "application/x-java-archive",
];

/// File extension for a static resource content type (the common ones; as the `mime-types`
/// package the CLI uses answers), `bin` otherwise.
pub fn extension_for(content_type: &str) -> &'static str {
    match content_type.trim().to_ascii_lowercase().as_str() {
        "text/javascript" | "application/javascript" | "application/x-javascript" => "js",
        "text/css" => "css",
        "text/html" => "html",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "text/xml" | "application/xml" => "xml",
        "application/json" => "json",
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpeg",
        "image/gif" => "gif",
        "image/svg+xml" => "svg",
        "image/x-icon" | "image/vnd.microsoft.icon" => "ico",
        "image/webp" => "webp",
        "font/woff" => "woff",
        "font/woff2" => "woff2",
        "application/zip" | "application/x-zip-compressed" => "zip",
        "application/jar" | "application/java-archive" | "application/x-java-archive" => "jar",
        _ => "bin",
    }
}

fn static_resource_to_source(component: &Component) -> Result<Vec<MetadataFile>, Error> {
    let name = &component.key.full_name;
    let meta = component.files.iter().find(|f| f.path.ends_with("-meta.xml"));
    let content = component.files.iter().find(|f| !f.path.ends_with("-meta.xml"));
    let mut out: Vec<MetadataFile> = meta.into_iter().cloned().collect();
    let Some(content) = content else {
        return Ok(out);
    };
    let content_type = meta
        .and_then(|m| xml::parse(&m.bytes).ok())
        .and_then(|root| root.find("contentType").map(Element::text_content))
        .unwrap_or_default();
    let is_archive = ARCHIVE_TYPES.contains(&content_type.trim().to_ascii_lowercase().as_str())
        && crate::archive::looks_like_zip(&content.bytes);
    if is_archive {
        let path = std::path::PathBuf::from(&content.path);
        let files = crate::archive::read_zip(&path, &content.bytes, &crate::archive::Limits::default())?;
        if !files.is_empty() {
            out.extend(files.into_iter().map(|(p, b)| MetadataFile::new(format!("staticresources/{name}/{p}"), b)));
            return Ok(out);
        }
    }
    out.push(MetadataFile::new(
        format!("staticresources/{name}.{}", extension_for(&content_type)),
        content.bytes.clone(),
    ));
    Ok(out)
}

/// Splits a parent's mdapi XML (`objects/X.object`) into the parent file and one file per
/// decomposed child. A parent that holds nothing but children (a standard object whose source
/// had only `fields/`) gets no parent file, as in the source it came from.
fn decompose(ty: &registry::MetadataType, name: &str, file: &MetadataFile) -> Result<Vec<MetadataFile>, Error> {
    let root = xml::parse(&file.bytes).map_err(|e| Error::input(format!("{}: {e}", file.path)))?;
    let mut parent = Element { name: root.name.clone(), attributes: Vec::new(), children: Vec::new() };
    let mut out = Vec::new();
    for child in &root.children {
        let Node::Element(el) = child else { continue };
        match ty.children.iter().find(|c| c.element == el.name) {
            Some(c) => {
                let child_name = el.find("fullName").map(Element::text_content).unwrap_or_default();
                crate::archive::check_relative_path(&child_name)
                    .ok()
                    .filter(|()| !child_name.contains('/'))
                    .ok_or_else(|| {
                        Error::input(format!("{}: {} has an unusable fullName {child_name:?}", file.path, c.element))
                    })?;
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
    let has_own_elements = parent.children.iter().any(|n| matches!(n, Node::Element(_)));
    if has_own_elements || out.is_empty() {
        out.push(MetadataFile::new(
            format!("{}/{name}/{name}.{}-meta.xml", ty.directory, ty.suffix),
            parent.to_document(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::metadata::ComponentKey;

    #[test]
    fn split_ext_uses_the_last_dot_of_the_name() {
        assert_eq!(split_ext("documents/F.x/logo.min.png"), ("documents/F.x/logo.min", "png"));
        assert_eq!(split_ext("documents/F/README"), ("documents/F/README", ""));
    }

    #[test]
    fn folders_documents_and_resources_take_source_names() {
        let mut tree = Tree::new();
        tree.insert(Component::new(
            ComponentKey::new("ReportFolder", "Sales"),
            vec![MetadataFile::new("reports/Sales-meta.xml", "x")],
        ));
        tree.insert(Component::new(
            ComponentKey::new("Document", "Docs/logo"),
            vec![
                MetadataFile::new("documents/Docs/logo.png", "PNG"),
                MetadataFile::new("documents/Docs/logo.png-meta.xml", "m"),
            ],
        ));
        let meta = "<StaticResource xmlns=\"http://soap.sforce.com/2006/04/metadata\"><contentType>text/javascript</contentType></StaticResource>";
        tree.insert(Component::new(
            ComponentKey::new("StaticResource", "app"),
            vec![
                MetadataFile::new("staticresources/app.resource", "js"),
                MetadataFile::new("staticresources/app.resource-meta.xml", meta),
            ],
        ));
        let zipped = crate::package::zip_bytes(&[("css/a.css".into(), b"a".to_vec())]).unwrap();
        let meta = meta.replace("text/javascript", "application/zip");
        tree.insert(Component::new(
            ComponentKey::new("StaticResource", "lib"),
            vec![
                MetadataFile::new("staticresources/lib.resource", zipped),
                MetadataFile::new("staticresources/lib.resource-meta.xml", meta),
            ],
        ));
        let paths: Vec<String> = mdapi_to_source(&tree).unwrap().into_iter().map(|f| f.path).collect();
        assert_eq!(
            paths,
            [
                "documents/Docs/logo.document-meta.xml",
                "documents/Docs/logo.png",
                "reports/Sales.reportFolder-meta.xml",
                "staticresources/app.js",
                "staticresources/app.resource-meta.xml",
                "staticresources/lib.resource-meta.xml",
                "staticresources/lib/css/a.css",
            ]
        );
    }

    #[test]
    fn into_source_equals_mdapi_to_source() {
        let mut tree = Tree::new();
        tree.insert(Component::new(
            ComponentKey::new("ApexClass", "A"),
            vec![MetadataFile::new("classes/A.cls", "x"), MetadataFile::new("classes/A.cls-meta.xml", "m")],
        ));
        tree.insert(Component::new(
            ComponentKey::new("RemoteSiteSetting", "R"),
            vec![MetadataFile::new("remoteSiteSettings/R.remoteSite", "r")],
        ));
        tree.insert(Component::new(
            ComponentKey::new("ReportFolder", "F"),
            vec![MetadataFile::new("reports/F-meta.xml", "f")],
        ));
        assert_eq!(into_source(tree.clone()).unwrap(), mdapi_to_source(&tree).unwrap());
    }

    #[test]
    fn children_only_object_has_no_parent_file() {
        let mut tree = Tree::new();
        let xml = "<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\"><fields><fullName>A__c</fullName><type>Text</type></fields></CustomObject>";
        tree.insert(Component::new(
            ComponentKey::new("CustomObject", "Account"),
            vec![MetadataFile::new("objects/Account.object", xml)],
        ));
        let paths: Vec<String> = mdapi_to_source(&tree).unwrap().into_iter().map(|f| f.path).collect();
        assert_eq!(paths, ["objects/Account/fields/A__c.field-meta.xml"]);
    }
}
