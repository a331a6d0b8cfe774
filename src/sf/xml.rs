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
        // Written in place (no copy of the tree: a package.xml of a large org is big).
        let xmlns = (!self.attributes.iter().any(|(k, _)| k == "xmlns")).then_some(super::MD_NAMESPACE);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.write_into(&mut out, 0, xmlns);
        out
    }

    fn write_into(&self, out: &mut String, depth: usize, xmlns: Option<&str>) {
        let indent = "    ".repeat(depth);
        out.push_str(&indent);
        out.push('<');
        out.push_str(&self.name);
        if let Some(ns) = xmlns {
            let _ = write!(out, " xmlns=\"{}\"", escape_attr(ns));
        }
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
                    Node::Element(e) => e.write_into(out, depth + 1, None),
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
/// otherwise normalise away). A character XML 1.0 cannot carry at all (C0 controls other than
/// tab, LF and CR, U+FFFE, U+FFFF: not even as a character reference) becomes U+FFFD, so the
/// writer never emits a document an XML parser rejects; inputs are refused long before that
/// (config validation, destructive lists), this is the last line of defence.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

/// Whether each attribute of a start tag follows whitespace: XML 1.0's `STag ::= '<' Name (S
/// Attribute)* S? '>'` (<https://www.w3.org/TR/xml/#NT-STag>), so `b='>'xmlns="..."` is not
/// well-formed (xmllint: "attributes construct error"). `raw` is the tag after its name.
fn attributes_separated(raw: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut after_value = false;
    for c in raw.chars() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                    after_value = true;
                }
            }
            None => {
                if after_value && !matches!(c, ' ' | '\t' | '\r' | '\n' | '/') {
                    return false;
                }
                after_value = false;
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
            }
        }
    }
    true
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

/// Whether `c` is a character of XML 1.0 (production `Char`: tab, LF, CR, U+0020–U+D7FF,
/// U+E000–U+FFFD, U+10000–U+10FFFF; surrogates cannot occur in a `char`).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Checks an XML declaration after its `<?xml` (production `XMLDecl`): `version`, then optionally
/// `encoding` and `standalone`, in that order, each after white space, quoted, then `?>`.
fn check_declaration(rest: &str) -> std::result::Result<(), String> {
    let bad = |why: &str| Err(format!("malformed XML declaration: {why}"));
    let ws = |s: &str| s.trim_start_matches([' ', '\t', '\n', '\r']).len();
    let mut s = rest;
    let mut seen: Vec<&str> = Vec::new();
    loop {
        let skipped = s.len() - ws(s);
        s = &s[skipped..];
        if let Some(after) = s.strip_prefix("?>") {
            let _ = after;
            break;
        }
        if skipped == 0 {
            return bad("white space expected between its parts");
        }
        let name_len = s.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(s.len());
        let name = &s[..name_len];
        let allowed = ["version", "encoding", "standalone"];
        let Some(rank) = allowed.iter().position(|a| *a == name) else {
            return bad(&format!("unexpected {name:?}"));
        };
        if seen.last().is_some_and(|l| allowed.iter().position(|a| a == l).unwrap_or(0) >= rank)
            || (seen.is_empty() && rank != 0)
        {
            return bad("version first, then encoding, then standalone");
        }
        seen.push(name);
        s = &s[name_len..];
        s = &s[s.len() - ws(s)..];
        let Some(after_eq) = s.strip_prefix('=') else { return bad("`=` expected") };
        s = &after_eq[after_eq.len() - ws(after_eq)..];
        let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return bad("a quoted value expected");
        };
        let Some(end) = s[1..].find(q) else { return bad("unterminated value") };
        let value = &s[1..1 + end];
        if value.is_empty() || value.contains(['<', '&', '?', ' ']) {
            return bad(&format!("bad value {value:?}"));
        }
        s = &s[end + 2..];
    }
    if seen.is_empty() {
        return bad("no version");
    }
    Ok(())
}

/// Whether `s` is an XML 1.0 `Name`: a letter, `_` or `:` (or any non-ASCII name character)
/// first, then those, digits, `-`, `.` and `·`.
fn is_name(s: &str) -> bool {
    let start = |c: char| c.is_ascii_alphabetic() || c == '_' || c == ':' || (!c.is_ascii() && c.is_alphanumeric());
    let mut chars = s.chars();
    chars.next().is_some_and(start)
        && chars.all(|c| {
            start(c)
                || c.is_ascii_digit()
                || matches!(c, '-' | '.' | '\u{b7}')
                || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
        })
}

/// The checks XML 1.0 asks of a whole document that quick-xml leaves to its caller, done on the
/// text before any event is read: UTF-8 with at most one byte order mark, and no character
/// outside `Char` (raw C0 controls, U+FFFE, U+FFFF). Returns the text after the BOM.
fn strict_text(bytes: &[u8]) -> std::result::Result<&str, (String, usize)> {
    let text = std::str::from_utf8(bytes).map_err(|e| ("not UTF-8".to_string(), e.valid_up_to()))?;
    let (text, bom) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    };
    if text.starts_with('\u{feff}') {
        return Err(("a second byte order mark (a document has at most one, at its start)".into(), bom));
    }
    if let Some(rest) = text.strip_prefix("<?xml") {
        if rest.starts_with([' ', '\t', '\n', '\r']) {
            check_declaration(rest).map_err(|m| (m, bom))?;
        }
    }
    // One pass over the bytes: C0 controls are single bytes; U+FFFE and U+FFFF are EF BF BE/BF.
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r') {
            return Err((format!("control character U+{c:04X}, which XML 1.0 does not allow"), bom + i));
        }
        if c == 0xEF && b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)) {
            return Err(("U+FFFE or U+FFFF, which XML 1.0 does not allow".into(), bom + i));
        }
        i += 1;
    }
    Ok(text)
}

/// Per-event checks shared by [`check`] and [`parse`] (XML 1.0 well-formedness quick-xml does not
/// do itself). `first` says whether this is the document's first event.
fn strict_event(e: &quick_xml::events::Event<'_>, first: bool, depth: usize) -> std::result::Result<(), String> {
    use quick_xml::events::Event;
    match e {
        Event::Decl(d) => {
            if !first {
                return Err("XML declaration not at the start of the document".into());
            }
            let version = d.version().map_err(|e| format!("bad XML declaration: {e}"))?;
            if &*version != "1.0" {
                return Err(format!("XML version {version:?}: metadata is XML 1.0"));
            }
            if let Some(enc) = d.encoding() {
                let enc = enc.map_err(|e| format!("bad XML declaration: {e}"))?;
                if !enc.eq_ignore_ascii_case("utf-8") {
                    return Err(format!("encoding {enc:?}: metadata is UTF-8"));
                }
            }
        }
        Event::PI(p) if p.target().eq_ignore_ascii_case("xml") => {
            return Err("XML declaration not at the start of the document".into());
        }
        Event::PI(p) if !is_name(p.target()) => {
            return Err(format!("processing instruction target {:?} is not an XML name", p.target()));
        }
        Event::Start(e) | Event::Empty(e) => {
            let name = e.name();
            if !is_name(name.as_ref()) {
                return Err(format!("{:?} is not an XML name", name.as_ref()));
            }
            if !attributes_separated(e.attributes_raw()) {
                return Err("an attribute not preceded by whitespace (XML 1.0, production [40] STag)".into());
            }
            for a in e.attributes() {
                let a = a.map_err(|e| format!("bad attribute: {e}"))?;
                if !is_name(a.key.as_ref()) {
                    return Err(format!("{:?} is not an XML name", a.key.as_ref()));
                }
                if a.value.contains('<') {
                    return Err("`<` in an attribute value (write it as &lt;)".into());
                }
                let v = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map_err(|e| format!("bad attribute value: {e}"))?;
                if let Some(c) = v.chars().find(|c| !is_xml_char(*c)) {
                    return Err(format!("character reference to U+{:04X}, which XML 1.0 does not allow", c as u32));
                }
            }
        }
        Event::Text(t) if t.as_ref().contains("]]>") => {
            return Err("`]]>` in text (write it as ]]&gt;)".into());
        }
        Event::CData(_) if depth == 0 => return Err("CDATA outside the root element".into()),
        Event::GeneralRef(r) if r.is_char_ref() => {
            let c = r
                .resolve_char_ref()
                .map_err(|e| format!("bad character reference &{};: {e}", &**r))?
                .ok_or_else(|| format!("bad character reference &{};", &**r))?;
            if !is_xml_char(c) {
                return Err(format!("character reference to U+{:04X}, which XML 1.0 does not allow", c as u32));
            }
        }
        _ => {}
    }
    Ok(())
}

/// A quick-xml reader configured for metadata: end names checked, comments checked (`--` inside
/// a comment is an error).
fn reader(text: &str) -> quick_xml::reader::Reader<&[u8]> {
    let mut reader = quick_xml::reader::Reader::from_str(text);
    let c = reader.config_mut();
    c.check_end_names = true;
    c.check_comments = true;
    reader
}

/// The root element of a document, as [`check_root`] reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Root {
    /// Local name (no prefix).
    pub name: String,
    /// Its namespace (the default one, or the one its prefix is bound to on the root).
    pub namespace: Option<String>,
}

/// Whether [`parse`] would accept `bytes`, without building the tree (for checking every metadata
/// file of an input quickly): well formed as XML 1.0 says (UTF-8, at most one byte order mark, no
/// character outside `Char` raw or as a reference, the declaration only at the start, no `--` in
/// comments, no `<` in attribute values, no `]]>` in text, matching end tags, one root and
/// nothing after it but comments, PIs and white space), no DOCTYPE, no entity but the five
/// predefined ones and character references, nesting at most [`MAX_DEPTH`] deep.
pub fn check(bytes: &[u8]) -> std::result::Result<(), String> {
    check_root(bytes).map(drop)
}

/// [`check`], and the root element: its local name and namespace.
pub fn check_root(bytes: &[u8]) -> std::result::Result<Root, String> {
    check_document(bytes).map_err(|(message, at)| match at {
        Some(at) => format!("{message} at byte {at}"),
        None => message,
    })
}

/// [`check_root`], with the error's byte position (when there is one) apart.
fn check_document(bytes: &[u8]) -> std::result::Result<Root, (String, Option<u64>)> {
    let text = strict_text(bytes).map_err(|(message, at)| (message, Some(at as u64)))?;
    check_events(text, MAX_ELEMENTS)
}

/// The event checks of [`check_document`] on `text` (what [`strict_text`] gave), with at most
/// `budget` elements.
fn check_events(text: &str, budget: usize) -> std::result::Result<Root, (String, Option<u64>)> {
    use quick_xml::events::Event;
    let mut reader = reader(text);
    let at = |r: &quick_xml::reader::Reader<&[u8]>, message: String| (message, Some(r.buffer_position()));
    let (mut depth, mut seen_root, mut first) = (0usize, false, true);
    let mut root = Root::default();
    let mut elements = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| at(&reader, e.to_string()))?;
        strict_event(&event, first, depth).map_err(|m| at(&reader, m))?;
        first = false;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > budget {
                return Err(at(&reader, over_budget(budget)));
            }
        }
        match event {
            Event::Start(e) | Event::Empty(e) if seen_root && depth == 0 => {
                let _ = e;
                return Err(at(&reader, "content after the root element".into()));
            }
            Event::Start(e) => {
                if depth >= MAX_DEPTH {
                    return Err(at(&reader, format!("elements nested deeper than {}", MAX_DEPTH)));
                }
                if depth == 0 {
                    root = root_of(&e);
                }
                depth += 1;
            }
            Event::Empty(e) => {
                if depth == 0 {
                    root = root_of(&e);
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
                if !r.is_char_ref() && !matches!(&*r.as_ref().to_string(), "amp" | "lt" | "gt" | "quot" | "apos") {
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
        return Err(("no root element".into(), None));
    }
    Ok(root)
}

fn root_of(e: &quick_xml::events::BytesStart<'_>) -> Root {
    let name = e.name();
    let (prefix, local) = match name.as_ref().split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, name.as_ref()),
    };
    let want = match prefix {
        Some(p) => format!("xmlns:{p}"),
        None => "xmlns".to_string(),
    };
    let namespace = e
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == want)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()));
    Root { name: local.to_string(), namespace }
}

/// The Tooling API's name for the metadata namespace. Metadata files written by tools that work
/// through the Tooling API carry it (Salesforce's own sample apps, lwc-recipes and dreamhouse-lwc,
/// hold class and Aura meta files in it), and the Metadata API deploys them.
pub const TOOLING_NAMESPACE: &str = "urn:metadata.tooling.soap.sforce.com";

/// [`check`], and that the root element is `<expected>` in the Metadata API namespace
/// (`http://soap.sforce.com/2006/04/metadata`, or [`TOOLING_NAMESPACE`]), as every metadata file's
/// root is its type's name (the `<X>Settings` of a settings file, `<Package>` of package.xml and
/// destructive manifests).
pub fn check_metadata(bytes: &[u8], expected: &str) -> std::result::Result<(), String> {
    let root = check_root(bytes)?;
    if root.name != expected {
        return Err(format!("root element is <{}>, expected <{expected}>", root.name));
    }
    match root.namespace.as_deref() {
        Some(super::MD_NAMESPACE | TOOLING_NAMESPACE) => Ok(()),
        Some(other) => Err(format!("<{expected}> is in namespace {other:?}, expected {:?}", super::MD_NAMESPACE)),
        None => Err(format!("<{expected}> has no namespace, expected xmlns=\"{}\"", super::MD_NAMESPACE)),
    }
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

/// Most elements one document may hold (the element budget of [`check`] and [`parse`]). The
/// largest file sfgen reads is 64 MiB (`SFGEN_MAX_FILE_BYTES`); metadata as Salesforce and sf
/// write it (indented by four spaces a level) spends 30 to 40 bytes an element, so a 64 MiB
/// permission set, profile or object holds about 2 million (a 63 MB CustomObject of picklists,
/// 1.55 million; NPSP's largest file, its custom labels, 8 thousand). Three million leaves room
/// for denser files and refuses what only an attack holds: 12 million `<a/>` siblings in a 48 MB
/// file that compresses to 396 KB.
pub const MAX_ELEMENTS: usize = 3_000_000;

/// Documents larger than this that could hold more elements than the budget are checked (and
/// their elements counted) before their tree is built, so that a file over the element budget is
/// refused before it takes memory.
const PRECHECK_BYTES: usize = 4 << 20;

fn over_budget(budget: usize) -> String {
    format!("more than {budget} elements in one document (the element budget; real metadata holds far fewer)")
}

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
    parse_within(bytes, MAX_ELEMENTS, PRECHECK_BYTES)
}

/// [`parse`] with at most `budget` elements, checking documents over `precheck` bytes whole
/// before building their tree.
fn parse_within(bytes: &[u8], budget: usize, precheck: usize) -> Result<Element, ParseError> {
    use quick_xml::events::Event;
    use quick_xml::reader::Reader;

    let text = strict_text(bytes).map_err(|(message, at)| ParseError { message, position: at as u64 })?;
    // Every element starts with `<` followed by neither `/` (an end tag), `?` nor `!`: a document
    // with fewer such than the budget is within it. A large one that may not be is checked whole
    // first (no tree, no allocation per element), so that one over the budget never takes memory.
    let starts = || bytes.windows(2).filter(|w| w[0] == b'<' && !matches!(w[1], b'/' | b'?' | b'!')).count();
    if bytes.len() > precheck && starts() > budget {
        check_events(text, budget)
            .map_err(|(message, position)| ParseError { message, position: position.unwrap_or(0) })?;
    }
    let mut reader = reader(text);
    let err = |reader: &Reader<&[u8]>, message: String| ParseError { message, position: reader.buffer_position() };
    let mut first = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;

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
        strict_event(&event, first, stack.len()).map_err(|m| err(&reader, m))?;
        first = false;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > budget {
                return Err(err(&reader, over_budget(budget)));
            }
        }
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
                // A compact tree: no spare capacity kept (a growing Vec holds up to twice what it
                // needs, and a leaf's one text node would otherwise sit in room for four).
                el.children.shrink_to_fit();
                if let [Node::Text(t)] = el.children.as_mut_slice() {
                    t.shrink_to_fit();
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

    /// Finding 11 of issue 12: documents XML 1.0 says are not well formed, each refused by both
    /// `check` and `parse`, with what is wrong.
    #[test]
    fn finding_11_not_well_formed_documents_are_refused() {
        const NS: &str = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";
        let ok = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A {NS}><b>x</b></A>\n");
        assert!(check(ok.as_bytes()).is_ok() && parse(ok.as_bytes()).is_ok());
        let cases: Vec<(&str, String, &str)> = vec![
            ("raw ESC", format!("<A {NS}><b>x\u{1b}[31m</b></A>"), "control character U+001B"),
            ("raw NUL", format!("<A {NS}><b>x\u{0}</b></A>"), "control character U+0000"),
            ("raw BEL in an attribute", format!("<A {NS} a=\"\u{7}\"/>"), "control character U+0007"),
            ("U+FFFF", format!("<A {NS}><b>\u{ffff}</b></A>"), "U+FFFF"),
            ("-- in a comment", format!("<A {NS}><!-- a -- b --><b/></A>"), "--"),
            ("< in an attribute", format!("<A {NS} a=\"x<y\"/>"), "`<` in an attribute"),
            ("attributes without whitespace", format!("<A b='>'{NS}/>"), "not preceded by whitespace"),
            ("content after the root", format!("<A {NS}/><B/>"), "after the root"),
            ("text after the root", format!("<A {NS}/>tail"), "outside the root"),
            ("CDATA after the root", format!("<A {NS}/><![CDATA[x]]>"), "CDATA outside"),
            ("a second BOM", format!("\u{feff}\u{feff}<A {NS}/>"), "second byte order mark"),
            ("a late declaration", format!("<A {NS}><?xml version=\"1.0\"?></A>"), "declaration not at the start"),
            (
                "a declaration after white space",
                format!("\n<?xml version=\"1.0\"?><A {NS}/>"),
                "declaration not at the start",
            ),
            (
                "a declaration after the root",
                format!("<A {NS}/><?xml version=\"1.0\"?>"),
                "declaration not at the start",
            ),
            ("&#0;", format!("<A {NS}>&#0;</A>"), "character reference"),
            ("&#1;", format!("<A {NS}>&#1;</A>"), "U+0001"),
            ("&#x1B; in an attribute", format!("<A {NS} a=\"&#x1B;\"/>"), "U+001B"),
            ("&#xFFFE;", format!("<A {NS}>&#xFFFE;</A>"), "U+FFFE"),
            ("&#x110000;", format!("<A {NS}>&#x110000;</A>"), "character reference"),
            ("&#xD800;", format!("<A {NS}>&#xD800;</A>"), "character reference"),
            ("&#;", format!("<A {NS}>&#;</A>"), "character reference"),
            ("&#x-1;", format!("<A {NS}>&#x-1;</A>"), "character reference"),
            ("]]> in text", format!("<A {NS}>a]]>b</A>"), "]]>"),
            ("XML 1.1", format!("<?xml version=\"1.1\"?><A {NS}/>"), "version"),
            ("another encoding", format!("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><A {NS}/>"), "encoding"),
            ("a name starting with a digit", format!("<A {NS}><1b/></A>"), "not an XML name"),
        ];
        let mut failures = Vec::new();
        for (what, doc, mention) in &cases {
            match check(doc.as_bytes()) {
                Ok(()) => failures.push(format!("check accepts {what}")),
                Err(e) if !e.contains(mention) => failures.push(format!("check on {what}: {e:?} lacks {mention:?}")),
                Err(_) => {}
            }
            if parse(doc.as_bytes()).is_ok() {
                failures.push(format!("parse accepts {what}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // What XML allows stays allowed: one BOM, comments and PIs around the root, tabs and
        // line breaks, `>` in attributes, references to allowed characters.
        for doc in [
            format!("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><!-- c --><A {NS} a=\"x>y&#9;\">\t&#x10000;&#xD7FF;<![CDATA[<]]]]></A><?pi x?>\n<!-- end -->"),
            format!("<A {NS}>a]]b</A>"),
            "<md:A xmlns:md=\"http://soap.sforce.com/2006/04/metadata\"/>".to_string(),
        ] {
            assert!(check(doc.as_bytes()).is_ok(), "{doc}: {:?}", check(doc.as_bytes()));
            assert!(parse(doc.as_bytes()).is_ok(), "{doc}: {:?}", parse(doc.as_bytes()));
        }
    }

    /// Finding 3 of issue 24: the element budget, the same for `check` and `parse` (the root
    /// counts), and `parse` refuses a large document over it before building its tree. (A budget
    /// of 10 here; `MAX_ELEMENTS` in use.)
    #[test]
    fn element_budget_is_exact_and_shared_by_check_and_parse() {
        let doc = |n: usize| format!("<P>{}</P>", "<a/>".repeat(n - 1));
        let check = |d: &str| check_events(d, 10);
        assert!(check(&doc(10)).is_ok());
        let e = check(&doc(11)).unwrap_err();
        assert!(e.0.contains("more than 10 elements") && e.1.is_some(), "{e:?}");
        for precheck in [0, usize::MAX] {
            assert!(parse_within(doc(10).as_bytes(), 10, precheck).is_ok());
            let e = parse_within(doc(11).as_bytes(), 10, precheck).unwrap_err();
            assert!(e.message.contains("element budget") && e.position > 0, "{e}");
        }
        // Nested elements count too.
        assert!(check("<P><a><b/></a><a><b/></a><a><b/></a><a><b/></a><a><b/></a></P>").is_err());
        assert_eq!(
            over_budget(MAX_ELEMENTS),
            format!(
                "more than {MAX_ELEMENTS} elements in one document (the element budget; real metadata holds far fewer)"
            )
        );
    }

    #[test]
    fn finding_11_root_element_and_namespace_are_checked() {
        let ns = "http://soap.sforce.com/2006/04/metadata";
        assert!(check_metadata(format!("<ApexClass xmlns=\"{ns}\"/>").as_bytes(), "ApexClass").is_ok());
        assert!(check_metadata(format!("<m:ApexClass xmlns:m=\"{ns}\"/>").as_bytes(), "ApexClass").is_ok());
        assert!(check_metadata(b"<ApexClass xmlns=\"urn:metadata.tooling.soap.sforce.com\"/>", "ApexClass").is_ok());
        let e = check_metadata(format!("<ApexTrigger xmlns=\"{ns}\"/>").as_bytes(), "ApexClass").unwrap_err();
        assert!(e.contains("<ApexTrigger>") && e.contains("<ApexClass>"), "{e}");
        let e = check_metadata(b"<ApexClass xmlns=\"http://example.com/other\"/>", "ApexClass").unwrap_err();
        assert!(e.contains("namespace"), "{e}");
        let e = check_metadata(b"<ApexClass/>", "ApexClass").unwrap_err();
        assert!(e.contains("no namespace"), "{e}");
        // A prefix bound elsewhere is not the metadata namespace.
        let e = check_metadata(format!("<m:ApexClass xmlns=\"{ns}\" xmlns:m=\"urn:x\"/>").as_bytes(), "ApexClass")
            .unwrap_err();
        assert!(e.contains("namespace"), "{e}");
    }

    #[test]
    fn finding_11_the_writer_never_emits_a_character_xml_forbids() {
        let nasty: String = (0u32..0x20).filter_map(char::from_u32).chain(['\u{fffe}', '\u{ffff}', 'é', '<']).collect();
        let doc = Element::new("X").attr("a", nasty.clone()).child(Element::text("t", nasty)).to_document();
        assert!(check(doc.as_bytes()).is_ok(), "{doc:?}: {:?}", check(doc.as_bytes()));
        let parsed = parse(doc.as_bytes()).unwrap();
        assert_eq!(
            parsed.find("t").map(Element::text_content).unwrap().chars().filter(|c| *c == '\u{fffd}').count(),
            31
        );
    }
}
