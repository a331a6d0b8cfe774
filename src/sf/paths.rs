//! Where a component's files go in each format, as the Salesforce CLI places them
//! (source-deploy-retrieve's `calculateRelativePath` and `DefaultMetadataTransformer`).

use super::registry::MdType;

/// Folder of generated source under an SFDX project (the package directory `sf project
/// generate` creates, and its `main/default`).
pub const SOURCE_ROOT: &str = "force-app/main/default";

/// A layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Metadata API layout (what a deploy zip holds).
    Mdapi,
    /// SFDX source layout, relative to a package directory's `main/default`.
    Source,
}

/// `a/b/c` → `a/b`; `a` → `""`.
pub fn dirname(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// `a/b/c` → `c`.
pub fn basename(path: &str) -> &str {
    path.rfind('/').map_or(path, |i| &path[i + 1..])
}

/// Joins two relative paths (`""` is the root).
pub fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// SDR `parentName`: the name of the folder holding `path`.
pub fn parent_name(path: &str) -> &str {
    basename(dirname(path))
}

/// A file name parsed as `<fullName>.<suffix>-meta.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaXml {
    /// The part before the suffix.
    pub full_name: String,
    /// The suffix; `None` for a folder's `-meta.xml` (`reports/Sales-meta.xml`).
    pub suffix: Option<String>,
    /// The file.
    pub path: String,
}

/// SDR `parseMetadataXml`: `/(.+)\.(.+)-meta\.xml/` on the file name (unanchored, greedy).
pub fn parse_metadata_xml(path: &str) -> Option<MetaXml> {
    let name = basename(path);
    let mut search_end = name.len();
    while let Some(meta) = name[..search_end].rfind("-meta.xml") {
        // (.+) before the dot and (.+) after it: the last dot with a character on both sides.
        if meta >= 2 {
            if let Some(dot) = name[..meta - 1].rfind('.') {
                if dot >= 1 {
                    return Some(MetaXml {
                        full_name: name[..dot].to_string(),
                        suffix: Some(name[dot + 1..meta].to_string()),
                        path: path.to_string(),
                    });
                }
            }
        }
        if meta == 0 {
            break;
        }
        search_end = meta + "-meta.xml".len() - 1;
    }
    None
}

/// Node's `path.extname` without the dot: `A.cls-meta.xml` → `xml`, `.eslintrc` → ``.
pub fn ext_name(path: &str) -> &str {
    let name = basename(path);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[i + 1..],
        _ => "",
    }
}

/// SDR `baseName`: the file name up to its first dot.
pub fn base_name(path: &str) -> &str {
    let name = basename(path);
    name.split('.').next().unwrap_or(name)
}

/// SDR `trimUntil`: the path from the (first or last) segment equal to `part`.
pub fn trim_until(path: &str, part: &str, until_last: bool) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let i = if until_last { parts.iter().rposition(|p| *p == part) } else { parts.iter().position(|p| *p == part) };
    match i {
        Some(i) => parts[i..].join("/"),
        None => path.to_string(),
    }
}

/// SDR `parseNestedFullName`: for in-folder types, the path after the type folder with the last
/// file name reduced to its base (`reports/Sales/Q1/Pipeline.report-meta.xml` → `Sales/Q1/Pipeline`).
pub fn parse_nested_full_name(path: &str, directory_name: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let idx = parts.iter().rposition(|p| *p == directory_name)?;
    let mut prefix: Vec<String> = parts[idx + 1..].iter().map(|s| (*s).to_string()).collect();
    let file = parts.last()?.replacen("-meta.xml", "", 1);
    let file = file.split('.').next().unwrap_or("").to_string();
    match prefix.last_mut() {
        Some(last) => *last = file,
        None => return None,
    }
    Some(prefix.join("/"))
}

/// SDR `calculateRelativePath`: the path of the file `path` of a component of type `ty` named
/// `full_name` in `layout` (relative to the package root; source paths are relative to
/// `main/default`).
pub fn relative_path(ty: &MdType, parent_type: Option<&MdType>, full_name: &str, path: &str) -> String {
    let dir = &ty.directory_name;
    if ty.suffix.is_none()
        || ty.in_folder
        || ty.folder_content_type.is_some()
        || matches!(ty.id.as_str(), "digitalexperiencebundle" | "digitalexperience" | "uibundle")
    {
        return trim_until(path, dir, true);
    }
    if ty.folder_type.is_some() {
        if let Some(p) = parent_type {
            if p.folder_type.is_some() && p.folder_type.as_deref() != Some(ty.id.as_str()) {
                return trim_until(path, &p.directory_name, false);
            }
        }
        return format!("{dir}/{}/{}", full_name.split('/').next().unwrap_or(""), basename(path));
    }
    format!("{dir}/{}", basename(path))
}

/// `(.)([a-zA-Z]+)(-meta\.xml)$` → `.<suffix>-meta.xml`: the metadata file takes the type's own
/// suffix.
fn normalise_suffix(path: &str, suffix: &str) -> String {
    let Some(stem) = path.strip_suffix("-meta.xml") else { return path.to_string() };
    let alpha = stem.bytes().rev().take_while(u8::is_ascii_alphabetic).count();
    if alpha == 0 || stem.len() < alpha + 1 {
        return path.to_string();
    }
    let head = &stem[..stem.len() - alpha - 1];
    format!("{head}.{suffix}-meta.xml")
}

/// SDR `getXmlDestination`: where a component's metadata XML `xml` goes in `layout`.
/// `content` is the component's content path, if it has one.
pub fn xml_destination(
    layout: Layout,
    ty: &MdType,
    parent_type: Option<&MdType>,
    full_name: &str,
    xml: &str,
    content: Option<&str>,
) -> String {
    let mut dest = relative_path(ty, parent_type, full_name, xml);
    let suffix = ty.suffix.as_deref().unwrap_or("");
    match content {
        None if ty.id != "digitalexperiencebundle" => {
            if layout == Layout::Mdapi {
                if ty.folder_content_type.is_some() {
                    dest = dest.replacen(&format!(".{suffix}"), "", 1);
                } else if let Some(i) = dest.rfind("-meta.xml") {
                    dest.truncate(i);
                }
            } else if ty.folder_content_type.is_some() {
                dest = dest.replacen("-meta.xml", &format!(".{suffix}-meta.xml"), 1);
            } else {
                dest.push_str("-meta.xml");
            }
        }
        None => {}
        Some(content) if ty.suffix.is_some() => {
            if ty.name == "Document" && layout == Layout::Mdapi {
                let ext = ext_name(content);
                if let Some(stem) = dest.strip_suffix(&format!(".{suffix}-meta.xml")) {
                    dest = format!("{stem}.{ext}-meta.xml");
                }
            } else {
                dest = normalise_suffix(&dest, suffix);
            }
        }
        Some(_) => {}
    }
    if let (Some(legacy), Some(s)) = (&ty.legacy_suffix, &ty.suffix) {
        if dest.contains(legacy.as_str()) {
            dest = dest.replacen(legacy.as_str(), s, 1);
        }
    }
    dest
}

/// Where the Metadata API keeps a component whose type has one file of its own:
/// `{directoryName}/{fullName}.{suffix}`, from the registry (`objects/Invoice__c.object`,
/// `permissionsets/Admin.permissionset`, `classes/Webhook.cls`). `None` for a type the registry
/// does not know or that has no suffix.
pub fn mdapi_path(type_name: &str, full_name: &str) -> Option<String> {
    let ty = crate::sf::registry::registry().by_name(type_name)?;
    let suffix = ty.suffix.as_deref()?;
    Some(format!("{}/{full_name}.{suffix}", ty.directory_name))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sf::registry::registry;

    #[test]
    fn metadata_files_take_their_place() {
        let r = registry();
        let class = r.by_name("ApexClass").unwrap();
        assert_eq!(
            xml_destination(
                Layout::Mdapi,
                class,
                None,
                "A",
                "force-app/tests/x/A.cls-meta.xml",
                Some("force-app/tests/x/A.cls")
            ),
            "classes/A.cls-meta.xml"
        );
        assert_eq!(relative_path(class, None, "A", "force-app/tests/x/A.cls"), "classes/A.cls");
        let site = r.by_name("RemoteSiteSetting").unwrap();
        assert_eq!(
            xml_destination(Layout::Mdapi, site, None, "X", "a/remoteSiteSettings/X.remoteSite-meta.xml", None),
            "remoteSiteSettings/X.remoteSite"
        );
        assert_eq!(
            xml_destination(Layout::Source, site, None, "X", "remoteSiteSettings/X.remoteSite", None),
            "remoteSiteSettings/X.remoteSite-meta.xml"
        );
        let folder = r.by_name("ReportFolder").unwrap();
        assert_eq!(
            xml_destination(Layout::Mdapi, folder, None, "Sales", "x/reports/Sales.reportFolder-meta.xml", None),
            "reports/Sales-meta.xml"
        );
        assert_eq!(
            xml_destination(Layout::Source, folder, None, "Sales", "reports/Sales-meta.xml", None),
            "reports/Sales.reportFolder-meta.xml"
        );
        let doc = r.by_name("Document").unwrap();
        assert_eq!(
            xml_destination(
                Layout::Mdapi,
                doc,
                None,
                "F/logo",
                "x/documents/F/logo.document-meta.xml",
                Some("x/documents/F/logo.png")
            ),
            "documents/F/logo.png-meta.xml"
        );
        assert_eq!(
            xml_destination(
                Layout::Source,
                doc,
                None,
                "F/logo",
                "documents/F/logo.png-meta.xml",
                Some("documents/F/logo.png")
            ),
            "documents/F/logo.document-meta.xml"
        );
    }
}
