//! XML normalised in place (line endings, attributes, secrets redacted, children in canonical
//! order, set-like rows by their key) and written back in the document formatter's layout.

use super::redact::{fingerprint, is_secret, redact_document, redact_row, redact_userinfo, REDACTED};
use crate::sf::compare::{PERMISSION_ROOTS, PERMISSION_ROWS, SET_ROWS};
use crate::sf::xml::{self, Element, Node};

/// The path of `name`'s children given `name`'s own parent path (`None` for the root).
pub(super) fn child_path(path: Option<&str>, name: &str) -> String {
    match path {
        None => String::new(),
        Some("") => name.to_string(),
        Some(p) => format!("{p}/{name}"),
    }
}

/// The set key of `el` (whose parent path is `parent`), when its group compares as a set.
pub(super) fn key_of(root: &str, parent: &str, el: &Element) -> Option<String> {
    let keys: Option<&[&str]> = if parent.is_empty() && PERMISSION_ROOTS.contains(&root) {
        PERMISSION_ROWS.iter().find(|(n, _, _)| *n == el.name).map(|(_, k, _)| *k)
    } else {
        None
    };
    let keys = keys.or_else(|| {
        SET_ROWS.iter().find(|(r, p, n, _)| *r == root && *p == parent && *n == el.name).map(|(_, _, _, k)| *k)
    });
    match keys {
        Some([]) => Some(el.text_content()),
        Some(keys) => {
            let parts: Vec<String> =
                keys.iter().map(|k| el.find(k).map(Element::text_content).unwrap_or_default()).collect();
            if parts.iter().all(String::is_empty) {
                None
            } else {
                Some(parts.join("\u{1f}"))
            }
        }
        // Children of the root that carry their own `fullName` (CustomObject fields,
        // listViews, recordTypes, validationRules, CustomLabels labels, workflow rules, ...).
        None if parent.is_empty() => el.find("fullName").map(Element::text_content),
        None => None,
    }
}

/// Normalises `el` (whose parent path is `path`, `None` for the root) in place: line endings,
/// empty text, sorted attributes, redacted secrets, children in canonical order.
pub(super) fn normalize(el: &mut Element, root: &str, path: Option<&str>) {
    el.attributes.retain(|(k, _)| !k.starts_with("xmlns:"));
    el.attributes.sort();
    for (_, v) in &mut el.attributes {
        if let std::borrow::Cow::Owned(r) = redact_userinfo(v) {
            *v = r;
        }
    }
    if (is_secret(el) || el.name == "consumerKey")
        && !el.children.is_empty()
        && !el.text_content().starts_with(REDACTED)
    {
        // Compared by fingerprint (an org's OAuth client id too): a different value is still
        // drift, but the value itself never reaches a diff.
        let fp = if el.elements().next().is_some() { REDACTED.to_string() } else { fingerprint(&el.text_content()) };
        el.children = vec![Node::Text(fp)];
        return;
    }
    let has_elements = el.children.iter().any(|n| matches!(n, Node::Element(_)));
    if !has_elements {
        let t = el.text_content();
        // `<a></a>`, `<a/>` and `<a>  </a>` are alike, and leading and trailing whitespace of a
        // value does not count: the Salesforce CLI trims it when it converts (its XML parser's
        // `trimValues`), so a project and its conversion differ only there.
        el.children.clear();
        let t = t.trim();
        if !t.is_empty() {
            let t = if t.contains('\r') { t.replace("\r\n", "\n").replace('\r', "\n") } else { t.to_string() };
            let t = match redact_userinfo(&t) {
                std::borrow::Cow::Owned(r) => r,
                std::borrow::Cow::Borrowed(_) => t,
            };
            el.children.push(Node::Text(t));
        }
        return;
    }
    let cpath = child_path(path, &el.name);
    let mut keyed: Vec<(String, Option<String>, Node)> = Vec::with_capacity(el.children.len());
    for n in std::mem::take(&mut el.children) {
        match n {
            Node::Element(mut c) => {
                normalize(&mut c, root, Some(&cpath));
                redact_row(&mut c, root, &cpath);
                let k = key_of(root, &cpath, &c);
                keyed.push((c.name.clone(), k, Node::Element(c)));
            }
            Node::Text(t) => {
                let t = t.replace("\r\n", "\n").replace('\r', "\n");
                keyed.push((String::new(), None, Node::Text(t)));
            }
        }
    }
    // A stable sort: same-name rows without a key keep their document order (layout items,
    // picklist values), which means something.
    keyed.sort_by(|a, b| (a.0.as_str(), a.1.as_deref()).cmp(&(b.0.as_str(), b.1.as_deref())));
    el.children = keyed.into_iter().map(|(_, _, n)| n).collect();
    if path.is_none() {
        redact_document(el);
    }
}

/// Serialises a canonical tree the way [`Element::to_document`] does (declaration, 4-space
/// indent, LF), without copying the tree first.
pub(super) fn write_canonical(root: &Element) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    write_element(&mut out, root, 0);
    out
}

fn write_element(out: &mut String, el: &Element, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
    out.push('<');
    out.push_str(&el.name);
    for (k, v) in &el.attributes {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        out.push_str(&xml::escape_attr(v));
        out.push('"');
    }
    let has_elements = el.children.iter().any(|n| matches!(n, Node::Element(_)));
    if el.children.is_empty() {
        out.push_str("/>\n");
    } else if !has_elements {
        out.push('>');
        for n in &el.children {
            if let Node::Text(t) = n {
                out.push_str(&xml::escape_text(t));
            }
        }
        out.push_str("</");
        out.push_str(&el.name);
        out.push_str(">\n");
    } else {
        out.push_str(">\n");
        for n in &el.children {
            match n {
                Node::Element(c) => write_element(out, c, depth + 1),
                Node::Text(t) if t.trim().is_empty() => {}
                Node::Text(t) => {
                    for _ in 0..=depth {
                        out.push_str("    ");
                    }
                    out.push_str(&xml::escape_text(t));
                    out.push('\n');
                }
            }
        }
        for _ in 0..depth {
            out.push_str("    ");
        }
        out.push_str("</");
        out.push_str(&el.name);
        out.push_str(">\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_writer_matches_the_document_formatter() {
        let doc = Element::new("X")
            .attr("xmlns", crate::sf::MD_NAMESPACE)
            .child(Element::text("a", "1 & <2>"))
            .child(Element::new("e"))
            .child(Element::new("g").child(Element::text("b", "x")));
        assert_eq!(write_canonical(&doc), doc.to_document());
    }
}
