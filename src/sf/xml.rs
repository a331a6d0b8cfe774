//! A small XML element tree and the one formatter every sfgen XML file goes through.
//!
//! Generated metadata is built as [`Element`] trees in the WSDL's element order and written by
//! [`Element::to_document`]: UTF-8, the exact declaration Salesforce writes, 4-space indent, LF
//! line endings and a trailing newline. Text is escaped here and nowhere else, so a config
//! string can never turn into markup.

use std::fmt::Write as _;

/// A node of an XML tree: an element or a text run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data (unescaped).
    Text(String),
}

/// An XML element with attributes and children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Local name (no prefix).
    pub name: String,
    /// Attributes in document order (unescaped values).
    pub attributes: Vec<(String, String)>,
    /// Children in document order.
    pub children: Vec<Node>,
}

impl Element {
    /// An empty element.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), attributes: Vec::new(), children: Vec::new() }
    }

    /// An element holding only text: `<name>text</name>`.
    pub fn text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut e = Self::new(name);
        e.children.push(Node::Text(text.into()));
        e
    }

    /// An element holding `true` or `false`.
    pub fn boolean(name: impl Into<String>, value: bool) -> Self {
        Self::text(name, if value { "true" } else { "false" })
    }

    /// Appends a child element (builder style).
    #[must_use]
    pub fn child(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    /// Appends a child element when `child` is `Some`.
    #[must_use]
    pub fn opt_child(self, child: Option<Element>) -> Self {
        match child {
            Some(c) => self.child(c),
            None => self,
        }
    }

    /// Appends every child element.
    #[must_use]
    pub fn children(mut self, children: impl IntoIterator<Item = Element>) -> Self {
        self.children.extend(children.into_iter().map(Node::Element));
        self
    }

    /// Adds an attribute (builder style).
    #[must_use]
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }

    /// The element children, skipping text.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element with this name.
    pub fn find(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The concatenated text of this element's direct text children.
    pub fn text_content(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// Writes the element as a complete Metadata API document: declaration, the metadata
    /// namespace on the root, 4-space indentation, LF endings and a trailing newline.
    pub fn to_document(&self) -> String {
        let mut root = self.clone();
        if !root.attributes.iter().any(|(k, _)| k == "xmlns") {
            root.attributes.insert(0, ("xmlns".into(), super::MD_NAMESPACE.into()));
        }
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        root.write_into(&mut out, 0);
        out
    }

    fn write_into(&self, out: &mut String, depth: usize) {
        let indent = "    ".repeat(depth);
        out.push_str(&indent);
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attributes {
            let _ = write!(out, " {k}=\"{}\"", escape_attr(v));
        }
        let has_elements = self.children.iter().any(|n| matches!(n, Node::Element(_)));
        if self.children.is_empty() {
            out.push_str("/>\n");
        } else if !has_elements {
            out.push('>');
            out.push_str(&escape_text(&self.text_content()));
            let _ = writeln!(out, "</{}>", self.name);
        } else {
            out.push_str(">\n");
            for child in &self.children {
                match child {
                    Node::Element(e) => e.write_into(out, depth + 1),
                    // Mixed content does not occur in metadata; keep any text on its own line.
                    Node::Text(t) if t.trim().is_empty() => {}
                    Node::Text(t) => {
                        let _ = writeln!(out, "{indent}    {}", escape_text(t));
                    }
                }
            }
            let _ = writeln!(out, "{indent}</{}>", self.name);
        }
    }
}

/// Escapes character data: `&`, `<`, `>` and carriage returns (which XML parsers would
/// otherwise normalise away).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value (text escaping plus quotes, tabs and newlines).
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_text(s).chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether [`parse`] would accept `bytes`, without building the tree (for checking every metadata
/// file of an input quickly): UTF-8, well formed with matching end tags, one root, no DOCTYPE, no
/// entity but the five predefined ones and character references, nesting at most [`MAX_DEPTH`]
/// deep.
pub fn check(bytes: &[u8]) -> std::result::Result<(), String> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = quick_xml::reader::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let at = |r: &quick_xml::reader::Reader<&[u8]>, m: String| format!("{m} at byte {}", r.buffer_position());
    let (mut depth, mut seen_root) = (0usize, false);
    loop {
        match reader.read_event().map_err(|e| at(&reader, e.to_string()))? {
            Event::Start(e) | Event::Empty(e) if seen_root && depth == 0 => {
                let _ = e;
                return Err(at(&reader, "content after the root element".into()));
            }
            Event::Start(e) => {
                if depth >= MAX_DEPTH {
                    return Err(at(&reader, format!("elements nested deeper than {}", MAX_DEPTH)));
                }
                check_attributes(&e).map_err(|m| at(&reader, m))?;
                depth += 1;
            }
            Event::Empty(e) => {
                check_attributes(&e).map_err(|m| at(&reader, m))?;
                if depth == 0 {
                    seen_root = true;
                }
            }
            Event::End(_) => {
                depth = depth.checked_sub(1).ok_or_else(|| at(&reader, "unexpected end tag".into()))?;
                if depth == 0 {
                    seen_root = true;
                }
            }
            Event::Text(t) => {
                if depth == 0 && !t.xml10_content().trim().is_empty() {
                    return Err(at(&reader, "text outside the root element".into()));
                }
            }
            Event::CData(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| at(&reader, e.to_string()))?
                        .ok_or_else(|| at(&reader, "invalid character reference".into()))?;
                } else if !matches!(&*r.as_ref().to_string(), "amp" | "lt" | "gt" | "quot" | "apos") {
                    return Err(at(&reader, format!("undefined entity &{}; (sfgen expands no entities)", r.as_ref())));
                }
                if depth == 0 {
                    return Err(at(&reader, "text outside the root element".into()));
                }
            }
            Event::DocType(_) => {
                return Err(at(&reader, "DOCTYPE is not allowed in metadata (no entities are ever expanded)".into()))
            }
            Event::Eof => break,
        }
    }
    if depth > 0 {
        return Err(at(&reader, "unclosed element".into()));
    }
    if !seen_root {
        return Err("no root element".into());
    }
    Ok(())
}
fn check_attributes(e: &quick_xml::events::BytesStart<'_>) -> std::result::Result<(), String> {
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| format!("bad attribute value: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_metadata_document_with_namespace_and_indent() {
        let doc = Element::new("RemoteSiteSetting")
            .child(Element::boolean("isActive", true))
            .child(Element::text("url", "https://a.example.com?x=1&y=<2>"))
            .to_document();
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    \
             <isActive>true</isActive>\n    \
             <url>https://a.example.com?x=1&amp;y=&lt;2&gt;</url>\n\
             </RemoteSiteSetting>\n"
        );
    }

    #[test]
    fn empty_element_is_self_closing() {
        let doc = Element::new("Package").child(Element::new("types")).to_document();
        assert!(doc.contains("    <types/>\n"), "{doc}");
    }

    #[test]
    fn carriage_return_survives_as_reference() {
        assert_eq!(escape_text("a\r\nb"), "a&#13;\nb");
    }
}

/// Deepest element nesting [`parse`] accepts: metadata rarely goes past 8 levels; this bound
/// keeps hostile input from exhausting the stack.
pub const MAX_DEPTH: usize = 128;

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {position})")]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the input.
    pub position: u64,
}

/// Parses an XML document into an [`Element`] tree.
///
/// Whitespace-only text between elements, comments, processing instructions and the XML
/// declaration are dropped. A DOCTYPE is refused, so no entity is ever defined or expanded;
/// only the five predefined entities and character references are resolved. Nesting deeper
/// than [`MAX_DEPTH`] is refused.
pub fn parse(bytes: &[u8]) -> Result<Element, ParseError> {
    use quick_xml::events::Event;
    use quick_xml::reader::Reader;

    let text = std::str::from_utf8(bytes)
        .map_err(|e| ParseError { message: "not UTF-8".into(), position: e.valid_up_to() as u64 })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let err = |reader: &Reader<&[u8]>, message: String| ParseError { message, position: reader.buffer_position() };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;

    fn start_element(e: &quick_xml::events::BytesStart<'_>) -> Result<Element, String> {
        let name = e.local_name().as_ref().to_string();
        let mut el = Element::new(name);
        for a in e.attributes() {
            let a = a.map_err(|e| format!("bad attribute: {e}"))?;
            let key = a.key.as_ref().to_string();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| format!("bad attribute value: {e}"))?
                .into_owned();
            el.attributes.push((key, value));
        }
        Ok(el)
    }

    fn push_text(stack: &mut [Element], s: &str) {
        if let Some(top) = stack.last_mut() {
            if let Some(Node::Text(t)) = top.children.last_mut() {
                t.push_str(s);
            } else {
                top.children.push(Node::Text(s.to_string()));
            }
        }
    }

    loop {
        let event = reader.read_event().map_err(|e| err(&reader, e.to_string()))?;
        match event {
            Event::Start(e) => {
                if root.is_some() {
                    return Err(err(&reader, "content after the root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err(&reader, format!("elements nested deeper than {MAX_DEPTH}")));
                }
                let el = start_element(&e).map_err(|m| err(&reader, m))?;
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = start_element(&e).map_err(|m| err(&reader, m))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None if root.is_none() => root = Some(el),
                    None => return Err(err(&reader, "content after the root element".into())),
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(err(&reader, "unexpected end tag".into()));
                };
                // Drop whitespace-only text in elements that hold elements (indentation).
                if el.children.iter().any(|n| matches!(n, Node::Element(_))) {
                    el.children.retain(|n| !matches!(n, Node::Text(t) if t.trim().is_empty()));
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                let blank = s.trim().is_empty();
                match stack.last() {
                    None if !blank => return Err(err(&reader, "text outside the root element".into())),
                    None => {}
                    // Indentation between child elements is dropped at the end tag anyway; not
                    // storing it saves an allocation per line on large files.
                    Some(top) if blank && matches!(top.children.last(), Some(Node::Element(_))) => {}
                    Some(_) => push_text(&mut stack, &s),
                }
            }
            Event::CData(t) => {
                let s = t.xml10_content();
                push_text(&mut stack, &s);
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().map_err(|e| err(&reader, e.to_string()))?
                } else {
                    let name = r.as_ref().to_string();
                    match name.as_str() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => {
                            return Err(err(&reader, format!("undefined entity &{name}; (sfgen expands no entities)")))
                        }
                    }
                };
                let c = resolved.ok_or_else(|| err(&reader, "invalid character reference".into()))?;
                if stack.is_empty() {
                    return Err(err(&reader, "text outside the root element".into()));
                }
                push_text(&mut stack, c.encode_utf8(&mut [0; 4]));
            }
            Event::DocType(_) => {
                return Err(err(&reader, "DOCTYPE is not allowed in metadata (no entities are ever expanded)".into()));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(err(
            &reader,
            format!("unclosed element <{}>", stack.last().map(|e| e.name.as_str()).unwrap_or("")),
        ));
    }
    root.ok_or_else(|| ParseError { message: "no root element".into(), position: 0 })
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn round_trips_generated_documents() {
        let doc = Element::new("X").child(Element::text("a", "1 & <2> \"q\" \r\n é")).child(Element::new("empty"));
        let text = doc.to_document();
        let parsed = parse(text.as_bytes()).expect("parses");
        assert_eq!(parsed.find("a").map(Element::text_content).as_deref(), Some("1 & <2> \"q\" \r\n é"));
        assert_eq!(parsed.to_document(), text);
    }

    #[test]
    fn refuses_doctype_and_unknown_entities() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>";
        assert!(parse(bomb.as_bytes()).unwrap_err().message.contains("DOCTYPE"));
        assert!(parse(b"<x>&nope;</x>").unwrap_err().message.contains("entity"));
    }

    #[test]
    fn refuses_deep_nesting_and_garbage() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(deep.as_bytes()).is_err());
        assert!(parse(b"<a></b>").is_err());
        assert!(parse(b"").is_err());
        assert!(parse(b"<a/><b/>").is_err());
    }
}
