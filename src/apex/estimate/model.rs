//! Parsing Apex with tree-sitter-sfapex and indexing classes, methods, fields and the
//! executable lines of every statement.

use crate::apex::coverage::{Endpoint, UntestedMock};
use crate::apex::lines::exec_lines;
use crate::apex::source::Source;
use std::collections::{BTreeSet, HashMap, HashSet};
use tree_sitter::Node;

/// One parsed Apex file.
pub(super) struct Parsed {
    pub key_type: String,
    pub name: String,
    pub file: String,
    pub src: String,
    pub tree: Option<tree_sitter::Tree>,
    pub error_line: Option<usize>,
    pub error_reason: String,
}

/// Deepest syntax nesting analysed; deeper files (never seen in real Apex) are reported and
/// skipped, so the recursive walk cannot exhaust its stack.
pub(super) const MAX_NESTING: usize = 256;

pub(super) fn parse_all(sources: &[Source]) -> Vec<Parsed> {
    let mut parser = tree_sitter::Parser::new();
    let ok = parser.set_language(&tree_sitter_sfapex::apex::LANGUAGE.into()).is_ok();
    sources
        .iter()
        .map(|s| {
            let mut tree = if ok { parser.parse(&s.text, None) } else { None };
            let mut reason =
                "the Apex grammar cannot parse this file (the deploy would fail to compile it)".to_string();
            let mut error_line = None;
            if let Some(t) = &tree {
                let (depth, line) = crate::apex::syntax::nesting(t);
                if depth > MAX_NESTING {
                    reason =
                        format!("nested deeper than {MAX_NESTING} levels: not analysed (its lines are not counted)");
                    error_line = Some(line);
                } else if t.root_node().has_error() {
                    error_line = Some(first_error_line(t.root_node()));
                }
            } else {
                error_line = Some(1);
            }
            if error_line.is_some() && reason.starts_with("nested") {
                tree = None;
            }
            Parsed {
                key_type: s.key.type_name.clone(),
                name: s.key.full_name.clone(),
                file: s.file.clone(),
                src: s.text.clone(),
                tree,
                error_line,
                error_reason: reason,
            }
        })
        .collect()
}

fn first_error_line(n: Node) -> usize {
    if n.is_error() || n.is_missing() {
        return n.start_position().row + 1;
    }
    let mut c = n.walk();
    for ch in n.children(&mut c) {
        if ch.has_error() {
            return first_error_line(ch);
        }
    }
    n.start_position().row + 1
}

/// A class or trigger: what coverage is reported for.
pub(super) struct Unit {
    pub type_name: String,
    pub name: String,
    pub file: String,
    pub is_test: bool,
    pub exec: BTreeSet<usize>,
    pub trigger_object: Option<String>,
}

/// A method or constructor.
pub(super) struct Method<'p> {
    /// Lower case (Apex names are case-insensitive): what calls are matched on.
    pub name: String,
    /// As the source spells it: what reports show.
    pub display_name: String,
    /// Return type, lower case (`void`, `list<contact>`).
    pub ret: String,
    pub params: Vec<(String, String)>,
    pub body: Option<Node<'p>>,
    pub annotations: Vec<String>,
    pub is_test: bool,
    pub is_setup: bool,
    pub see_all_data: bool,
    pub line: usize,
}

/// A field.
pub(super) struct Field<'p> {
    pub name: String,
    pub ty: String,
    pub is_static: bool,
    pub value: Option<Node<'p>>,
    pub decl: Node<'p>,
    /// A property's `get { ... }` body (none for a plain field or an automatic `get;`).
    pub getter: Option<Node<'p>>,
    /// A property's `set { ... }` body.
    pub setter: Option<Node<'p>>,
}

/// A class (top-level or inner).
pub(super) struct Class<'p> {
    pub name: String,
    pub unit: usize,
    pub src: &'p str,
    pub is_test: bool,
    pub see_all_data: bool,
    pub outer: Option<usize>,
    pub superclass: Option<String>,
    pub interfaces: Vec<String>,
    pub methods: Vec<Method<'p>>,
    pub ctors: Vec<Method<'p>>,
    pub fields: Vec<Field<'p>>,
    /// `static { ... }` blocks, run when the class is first used.
    pub static_blocks: Vec<Node<'p>>,
    pub line: usize,
}

/// A trigger.
pub(super) struct Trigger<'p> {
    pub unit: usize,
    pub object: String,
    pub events: Vec<String>,
    pub body: Node<'p>,
    pub src: &'p str,
}

/// Everything the walker needs.
pub(super) struct Index<'p> {
    pub units: Vec<Unit>,
    pub classes: Vec<Class<'p>>,
    pub by_name: HashMap<String, usize>,
    pub triggers: Vec<Trigger<'p>>,
    /// Statement node id → (unit, executable lines).
    pub stmt_lines: HashMap<usize, (usize, Vec<usize>)>,
    /// Lower-case text values of the package's custom metadata records (class names a
    /// metadata-driven framework instantiates with `Type.forName`).
    pub cmdt_strings: HashSet<String>,
    /// `object.field` (lower case) of the package's custom fields that have no default value
    /// and are not calculated: null on a record until something sets them.
    pub no_default: HashSet<String>,
    roots: Vec<(usize, Node<'p>, &'p str)>,
}

/// Lower-case text of a node.
pub(super) fn text<'a>(n: Node, src: &'a str) -> &'a str {
    src.get(n.byte_range()).unwrap_or("")
}

pub(super) fn lower(n: Node, src: &str) -> String {
    text(n, src).to_ascii_lowercase()
}

fn annotations(modifiers: Option<Node>, src: &str) -> (Vec<String>, bool, bool) {
    let mut names = Vec::new();
    let mut see_all = false;
    let mut test_method = false;
    let Some(m) = modifiers else { return (names, false, false) };
    let mut c = m.walk();
    for ch in m.named_children(&mut c) {
        if ch.kind() == "annotation" {
            if let Some(n) = ch.child_by_field_name("name") {
                names.push(lower(n, src));
            }
            let t = text(ch, src).to_ascii_lowercase().replace(char::is_whitespace, "");
            if t.contains("seealldata=true") {
                see_all = true;
            }
        } else if ch.kind() == "modifier" && lower(ch, src) == "testmethod" {
            test_method = true;
        }
    }
    (names, see_all, test_method)
}

fn modifiers_of(n: Node) -> Option<Node> {
    let mut c = n.walk();
    let found = n.children(&mut c).find(|ch| ch.kind() == "modifiers");
    found
}

fn has_modifier(n: Node, src: &str, word: &str) -> bool {
    modifiers_of(n).is_some_and(|m| {
        let mut c = m.walk();
        let found = m.named_children(&mut c).any(|ch| ch.kind() == "modifier" && lower(ch, src) == word);
        found
    })
}

/// The base type name of a type node, lower case, generics kept (`list<contact>`).
pub(super) fn type_text(n: Node, src: &str) -> String {
    lower(n, src).replace(char::is_whitespace, "")
}

fn params(n: Node, src: &str) -> Vec<(String, String)> {
    let Some(ps) = n.child_by_field_name("parameters") else { return Vec::new() };
    let mut c = ps.walk();
    let out = ps
        .named_children(&mut c)
        .filter(|p| p.kind() == "formal_parameter")
        .map(|p| {
            let name = p.child_by_field_name("name").map(|x| lower(x, src)).unwrap_or_default();
            let ty = p.child_by_field_name("type").map(|x| type_text(x, src)).unwrap_or_default();
            (name, ty)
        })
        .collect();
    out
}

impl<'p> Index<'p> {
    pub(super) fn build(parsed: &'p [Parsed]) -> Index<'p> {
        let mut idx = Index {
            units: Vec::new(),
            classes: Vec::new(),
            by_name: HashMap::new(),
            triggers: Vec::new(),
            stmt_lines: HashMap::new(),
            cmdt_strings: HashSet::new(),
            no_default: HashSet::new(),
            roots: Vec::new(),
        };
        for p in parsed {
            let Some(tree) = &p.tree else { continue };
            let root = tree.root_node();
            let unit = idx.units.len();
            idx.units.push(Unit {
                type_name: p.key_type.clone(),
                name: p.name.clone(),
                file: p.file.clone(),
                is_test: false,
                exec: BTreeSet::new(),
                trigger_object: None,
            });
            let src = p.src.as_str();
            idx.roots.push((unit, root, src));
            let mut c = root.walk();
            for top in root.named_children(&mut c) {
                match top.kind() {
                    "class_declaration" | "interface_declaration" | "enum_declaration" => {
                        let ci = idx.add_class(top, src, unit, None);
                        if let Some(ci) = ci {
                            if idx.classes[ci].is_test {
                                idx.units[unit].is_test = true;
                            }
                        }
                    }
                    "trigger_declaration" => {
                        let object =
                            top.child_by_field_name("object").map(|o| text(o, src).to_string()).unwrap_or_default();
                        let mut cc = top.walk();
                        let events = top
                            .children_by_field_name("events", &mut cc)
                            .map(|e| lower(e, src).replace(char::is_whitespace, "_"))
                            .collect();
                        if let Some(body) = top.child_by_field_name("body") {
                            idx.units[unit].trigger_object = Some(object.clone());
                            idx.triggers.push(Trigger { unit, object: object.to_ascii_lowercase(), events, body, src });
                        }
                    }
                    _ => {}
                }
            }
            idx.collect_statements(root, src, unit);
        }
        idx
    }

    fn add_class(&mut self, n: Node<'p>, src: &'p str, unit: usize, outer: Option<usize>) -> Option<usize> {
        let name = text(n.child_by_field_name("name")?, src).to_string();
        let (ann, see_all, _) = annotations(modifiers_of(n), src);
        let outer_test = outer.is_some_and(|o| self.classes[o].is_test);
        let is_test = ann.iter().any(|a| a == "istest") || outer_test;
        let superclass = n.child_by_field_name("superclass").and_then(|s| s.named_child(0)).map(|t| type_text(t, src));
        let interfaces = n
            .child_by_field_name("interfaces")
            .map(|i| {
                let t = lower(i, src);
                t.trim_start_matches("implements")
                    .split(',')
                    .map(|s| s.trim().replace(char::is_whitespace, ""))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let ci = self.classes.len();
        self.classes.push(Class {
            name: name.clone(),
            unit,
            src,
            is_test,
            see_all_data: see_all,
            outer,
            superclass,
            interfaces,
            methods: Vec::new(),
            ctors: Vec::new(),
            fields: Vec::new(),
            static_blocks: Vec::new(),
            line: n.start_position().row + 1,
        });
        let lname = name.to_ascii_lowercase();
        match outer {
            Some(o) => {
                let full = format!("{}.{}", self.classes[o].name.to_ascii_lowercase(), lname);
                self.by_name.insert(full, ci);
                self.by_name.entry(lname).or_insert(ci);
            }
            None => {
                self.by_name.insert(lname, ci);
            }
        }
        let Some(body) = n.child_by_field_name("body") else { return Some(ci) };
        let mut c = body.walk();
        for m in body.named_children(&mut c) {
            match m.kind() {
                "method_declaration" | "constructor_declaration" => {
                    let (ann, see_all, test_mod) = annotations(modifiers_of(m), src);
                    let method = Method {
                        name: m.child_by_field_name("name").map(|x| lower(x, src)).unwrap_or_default(),
                        display_name: m
                            .child_by_field_name("name")
                            .map(|x| text(x, src).to_string())
                            .unwrap_or_default(),
                        ret: m.child_by_field_name("type").map(|x| type_text(x, src)).unwrap_or_default(),
                        params: params(m, src),
                        body: m.child_by_field_name("body"),
                        is_test: ann.iter().any(|a| a == "istest") || test_mod,
                        is_setup: ann.iter().any(|a| a == "testsetup"),
                        see_all_data: see_all,
                        annotations: ann,
                        line: m.child_by_field_name("name").map(|x| x.start_position().row + 1).unwrap_or(1),
                    };
                    if m.kind() == "method_declaration" {
                        self.classes[ci].methods.push(method);
                    } else {
                        self.classes[ci].ctors.push(method);
                    }
                }
                "field_declaration" => {
                    let is_static = has_modifier(m, src, "static");
                    let ty = m.child_by_field_name("type").map(|t| type_text(t, src)).unwrap_or_default();
                    let (mut getter, mut setter) = (None, None);
                    let mut ac = m.walk();
                    let accessors: Vec<Node> = m
                        .named_children(&mut ac)
                        .filter(|c| c.kind() == "accessor_list")
                        .flat_map(|l| {
                            let mut lc = l.walk();
                            let v: Vec<Node> = l.named_children(&mut lc).collect();
                            v
                        })
                        .collect();
                    for a in accessors {
                        let kind = a.child_by_field_name("accessor").map(|k| lower(k, src)).unwrap_or_default();
                        match kind.as_str() {
                            "get" => getter = a.child_by_field_name("body"),
                            "set" => setter = a.child_by_field_name("body"),
                            _ => {}
                        }
                    }
                    let mut cc = m.walk();
                    for d in m.children_by_field_name("declarator", &mut cc) {
                        self.classes[ci].fields.push(Field {
                            name: d.child_by_field_name("name").map(|x| lower(x, src)).unwrap_or_default(),
                            ty: ty.clone(),
                            is_static,
                            value: d.child_by_field_name("value"),
                            decl: m,
                            getter,
                            setter,
                        });
                    }
                }
                "class_declaration" | "interface_declaration" | "enum_declaration" => {
                    self.add_class(m, src, unit, Some(ci));
                }
                "static_initializer" => {
                    let mut cc = m.walk();
                    let block = m.named_children(&mut cc).find(|b| b.kind() == "block");
                    if let Some(b) = block {
                        self.classes[ci].static_blocks.push(b);
                    }
                }
                _ => {}
            }
        }
        Some(ci)
    }

    fn collect_statements(&mut self, n: Node<'p>, src: &str, unit: usize) {
        if let Some(lines) = exec_lines(n, src) {
            self.stmt_lines.insert(n.id(), (unit, lines.clone()));
            if !self.units[unit].is_test {
                self.units[unit].exec.extend(lines);
            }
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.collect_statements(ch, src, unit);
        }
    }

    /// The class named `name` (lower case, `outer.inner` or simple).
    pub(super) fn class(&self, name: &str) -> Option<usize> {
        let base = name.split('<').next().unwrap_or(name).trim_end_matches("[]");
        self.by_name.get(base).copied()
    }

    pub(super) fn endpoints(&self) -> Vec<Endpoint> {
        let mut out = Vec::new();
        for &(unit, root, src) in &self.roots {
            if self.units[unit].is_test {
                continue;
            }
            let mut consts: HashMap<String, String> = HashMap::new();
            for c in self.classes.iter().filter(|c| c.unit == unit) {
                for f in &c.fields {
                    if let Some(v) = f.value.filter(|v| v.kind() == "string_literal") {
                        consts.insert(f.name.clone(), unquote(text(v, src)));
                    }
                }
            }
            find_endpoints(root, src, &consts, &self.units[unit], &mut out);
        }
        out.sort_by(|a, b| (&a.file, a.line, &a.value).cmp(&(&b.file, b.line, &b.value)));
        out.dedup();
        out
    }

    pub(super) fn untested_mocks(&self) -> Vec<UntestedMock> {
        self.classes
            .iter()
            .filter(|c| {
                !c.is_test && c.interfaces.iter().any(|i| i == "httpcalloutmock" || i == "system.httpcalloutmock")
            })
            .map(|c| UntestedMock { class: c.name.clone(), file: self.units[c.unit].file.clone(), line: c.line })
            .collect()
    }
}

/// The value of an Apex string literal.
pub(super) fn unquote(s: &str) -> String {
    let inner = s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')).unwrap_or(s);
    inner.replace("\\'", "'").replace("\\\\", "\\")
}

fn leftmost_literal(n: Node, src: &str, consts: &HashMap<String, String>) -> Option<String> {
    match n.kind() {
        "string_literal" => Some(unquote(text(n, src))),
        "identifier" => consts.get(&lower(n, src)).cloned(),
        "parenthesized_expression" => n.named_child(0).and_then(|c| leftmost_literal(c, src, consts)),
        "binary_expression" => n.child_by_field_name("left").and_then(|c| leftmost_literal(c, src, consts)),
        _ => None,
    }
}

fn find_endpoints(
    n: Node,
    src: &str,
    consts: &HashMap<String, String>,
    unit: &super::model::Unit,
    out: &mut Vec<Endpoint>,
) {
    let push = |out: &mut Vec<Endpoint>, value: String, line: usize| {
        out.push(Endpoint { unit: unit.name.clone(), file: unit.file.clone(), line, value });
    };
    if n.kind() == "method_invocation" && n.child_by_field_name("name").is_some_and(|x| lower(x, src) == "setendpoint")
    {
        if let Some(arg) = n.child_by_field_name("arguments").and_then(|a| a.named_child(0)) {
            if let Some(v) = leftmost_literal(arg, src, consts) {
                if v.to_ascii_lowercase().starts_with("https://") || v.to_ascii_lowercase().starts_with("http://") {
                    push(out, v, n.start_position().row + 1);
                }
            }
        }
    }
    if n.kind() == "string_literal" {
        let v = unquote(text(n, src));
        if v.to_ascii_lowercase().starts_with("callout:") {
            push(out, v, n.start_position().row + 1);
        }
    }
    let mut c = n.walk();
    for ch in n.named_children(&mut c) {
        find_endpoints(ch, src, consts, unit, out);
    }
}
