//! Lowering: tree-sitter-sfapex's concrete tree → the runtime's syntax tree ([`super::ast`]).
//! Locals and parameters get frame slots here (a scope stack per body); statements carry their
//! executable lines from [`crate::apex::lines`]. Syntax the runtime does not model becomes
//! [`E::Unsupported`] (a test reaching it is skipped with the reason), never a guess.

use super::ast::*;
use crate::apex::lines::exec_lines;
use std::sync::Arc;
use tree_sitter::Node;

/// Deepest syntax nesting lowered (the lowering and the interpreter recurse over it); deeper
/// files are refused with a compile error naming the line. Real Apex stays far below.
pub const MAX_NESTING: usize = 400;

/// What lowering one file produced.
#[derive(Debug, Default)]
pub struct Lowered {
    /// Top-level classes (with their inner classes).
    pub classes: Vec<ClassDecl>,
    /// Triggers.
    pub triggers: Vec<TriggerDecl>,
}

/// A syntax error: line and message.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What is wrong.
    pub message: String,
}

/// Parses and lowers one file.
pub fn lower_file(src: &str, file: u32) -> Result<Lowered, SyntaxError> {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_sfapex::apex::LANGUAGE.into()).map_err(|e| SyntaxError {
        line: 1,
        col: 1,
        message: format!("Apex grammar unavailable: {e}"),
    })?;
    let tree = parser.parse(src, None).ok_or(SyntaxError { line: 1, col: 1, message: "cannot parse".into() })?;
    let root = tree.root_node();
    let (depth, line) = crate::apex::syntax::nesting(&tree);
    if depth > MAX_NESTING {
        return Err(SyntaxError {
            line: line as u32,
            col: 1,
            message: format!("nested deeper than {MAX_NESTING} levels: not run"),
        });
    }
    if root.has_error() {
        let n = first_error(root);
        let p = n.start_position();
        let near = src.get(n.byte_range()).unwrap_or("").chars().take(30).collect::<String>();
        return Err(SyntaxError {
            line: p.row as u32 + 1,
            col: p.column as u32 + 1,
            message: if n.is_missing() {
                format!("Missing '{}'", n.kind())
            } else {
                format!("Unexpected token '{}'", near.trim())
            },
        });
    }
    let mut cx = Cx { src, file, scopes: Vec::new(), next: 0, max: 0, slot_types: Vec::new() };
    let mut out = Lowered::default();
    let mut c = root.walk();
    for top in root.named_children(&mut c) {
        match top.kind() {
            "class_declaration" | "interface_declaration" | "enum_declaration" => {
                out.classes.push(cx.class(top));
            }
            "trigger_declaration" => out.triggers.push(cx.trigger(top)),
            _ => {}
        }
    }
    Ok(out)
}

fn first_error(n: Node) -> Node {
    if n.is_error() || n.is_missing() {
        return n;
    }
    let mut c = n.walk();
    for ch in n.children(&mut c) {
        if ch.has_error() {
            return first_error(ch);
        }
    }
    n
}

struct Cx<'s> {
    src: &'s str,
    file: u32,
    scopes: Vec<Vec<(String, u32)>>,
    next: u32,
    max: u32,
    /// Declared type of each slot of the body being lowered.
    slot_types: Vec<Option<TypeRef>>,
}

fn named_children(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.named_children(&mut c).filter(|x| !x.kind().contains("comment")).collect()
}

fn children_by_field<'a>(n: Node<'a>, field: &str) -> Vec<Node<'a>> {
    let mut c = n.walk();
    n.children_by_field_name(field, &mut c).collect()
}

impl<'s> Cx<'s> {
    fn text(&self, n: Node) -> &'s str {
        self.src.get(n.byte_range()).unwrap_or("")
    }

    fn loc(&self, n: Node) -> Loc {
        let p = n.start_position();
        Loc { file: self.file, line: p.row as u32 + 1, col: p.column as u32 + 1 }
    }

    fn lines(&self, n: Node) -> Box<[u32]> {
        exec_lines(n, self.src).unwrap_or_default().into_iter().map(|l| l as u32).collect()
    }

    // ---- scopes -------------------------------------------------------------------------

    fn begin_body(&mut self) {
        self.scopes = vec![Vec::new()];
        self.next = 0;
        self.max = 0;
        self.slot_types.clear();
    }

    /// Declares a local with its type.
    fn declare_typed(&mut self, name: &str, ty: &TypeRef) -> u32 {
        let slot = self.declare(name);
        if self.slot_types.len() <= slot as usize {
            self.slot_types.resize(slot as usize + 1, None);
        }
        self.slot_types[slot as usize] = Some(ty.clone());
        slot
    }

    fn push(&mut self) {
        self.scopes.push(Vec::new());
    }

    fn pop(&mut self) {
        self.scopes.pop();
    }

    fn declare(&mut self, name: &str) -> u32 {
        let slot = self.next;
        self.next += 1;
        self.max = self.max.max(self.next);
        if let Some(s) = self.scopes.last_mut() {
            s.push((name.to_ascii_lowercase(), slot));
        }
        slot
    }

    fn lookup(&self, name: &str) -> Option<u32> {
        let l = name.to_ascii_lowercase();
        for s in self.scopes.iter().rev() {
            if let Some((_, slot)) = s.iter().rev().find(|(n, _)| *n == l) {
                return Some(*slot);
            }
        }
        None
    }

    // ---- declarations -------------------------------------------------------------------

    fn modifiers(&self, decl: Node) -> Modifiers {
        let mut m = Modifiers::default();
        let mut c = decl.walk();
        let mods: Vec<Node> = decl.children(&mut c).filter(|ch| ch.kind() == "modifiers").collect();
        for ms in mods {
            for ch in named_children(ms) {
                match ch.kind() {
                    "annotation" => {
                        let name = ch
                            .child_by_field_name("name")
                            .map(|n| self.text(n).to_ascii_lowercase())
                            .unwrap_or_default();
                        let args = self.text(ch).to_ascii_lowercase().replace(char::is_whitespace, "");
                        match name.as_str() {
                            "istest" => m.is_test = true,
                            "testsetup" => m.is_setup = true,
                            "future" => m.is_future = true,
                            "testvisible" => m.test_visible = true,
                            _ => {}
                        }
                        if args.contains("seealldata=true") {
                            m.see_all_data = true;
                        }
                        m.annotations.push(name);
                    }
                    "modifier" => match self.text(ch).to_ascii_lowercase().as_str() {
                        "static" => m.is_static = true,
                        "final" => m.is_final = true,
                        "abstract" => m.is_abstract = true,
                        "virtual" => m.is_virtual = true,
                        "override" => m.is_override = true,
                        "private" => m.is_private = true,
                        "transient" => m.is_transient = true,
                        "testmethod" => m.is_test = true,
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        m
    }

    fn class(&mut self, n: Node) -> ClassDecl {
        let kind = match n.kind() {
            "interface_declaration" => ClassKind::Interface,
            "enum_declaration" => ClassKind::Enum,
            _ => ClassKind::Class,
        };
        let name: Arc<str> = n.child_by_field_name("name").map(|x| self.text(x)).unwrap_or("").into();
        let mods = self.modifiers(n);
        let superclass =
            n.child_by_field_name("superclass").and_then(|s| named_children(s).first().map(|t| self.ty(*t)));
        let mut interfaces = Vec::new();
        let mut c = n.walk();
        for ch in n.children(&mut c) {
            if matches!(ch.kind(), "interfaces" | "extends_interfaces") {
                for tl in named_children(ch) {
                    for t in named_children(tl) {
                        interfaces.push(self.ty(t));
                    }
                }
            }
        }
        let mut decl = ClassDecl {
            name,
            kind,
            mods,
            superclass,
            interfaces,
            fields: Vec::new(),
            methods: Vec::new(),
            ctors: Vec::new(),
            static_blocks: Vec::new(),
            instance_blocks: Vec::new(),
            enum_values: Vec::new(),
            inner: Vec::new(),
            loc: self.loc(n.child_by_field_name("name").unwrap_or(n)),
        };
        let Some(body) = n.child_by_field_name("body") else { return decl };
        for m in named_children(body) {
            match m.kind() {
                "method_declaration" => decl.methods.push(self.method(m)),
                "constructor_declaration" => decl.ctors.push(self.method(m)),
                "field_declaration" | "constant_declaration" => self.fields(m, &mut decl.fields),
                "class_declaration" | "interface_declaration" | "enum_declaration" => {
                    let inner = self.class(m);
                    decl.inner.push(inner);
                }
                "static_initializer" => {
                    if let Some(b) = named_children(m).into_iter().find(|b| b.kind() == "block") {
                        let body = self.block_body(b, &[]);
                        decl.static_blocks.push(body);
                    }
                }
                "block" => {
                    let body = self.block_body(m, &[]);
                    decl.instance_blocks.push(body);
                }
                "enum_constant" => {
                    if let Some(nm) = m.child_by_field_name("name") {
                        decl.enum_values.push(self.text(nm).into());
                    }
                }
                _ => {}
            }
        }
        decl
    }

    /// A synthetic method holding a block (initialisers, accessors), with `params` in scope.
    fn block_body(&mut self, block: Node, params: &[(TypeRef, Arc<str>)]) -> Method {
        self.begin_body();
        for (t, p) in params {
            self.declare_typed(p, t);
        }
        let body = self.block_stmts(block);
        Method {
            name: "".into(),
            lname: "".into(),
            params: params.to_vec(),
            ret: TypeRef::named("void"),
            body: Some(body),
            nlocals: self.max,
            slot_types: self.slot_types.clone().into(),
            mods: Modifiers::default(),
            loc: self.loc(block),
        }
    }

    fn method(&mut self, m: Node) -> Method {
        let name: Arc<str> = m.child_by_field_name("name").map(|x| self.text(x)).unwrap_or("").into();
        let ret = m.child_by_field_name("type").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("void"));
        let mut params = Vec::new();
        if let Some(ps) = m.child_by_field_name("parameters") {
            for p in named_children(ps).into_iter().filter(|p| p.kind() == "formal_parameter") {
                params.push(self.param(p));
            }
        }
        self.begin_body();
        for (t, p) in &params {
            self.declare_typed(p, t);
        }
        let body = m.child_by_field_name("body").map(|b| {
            if b.kind() == "constructor_body" {
                let mut out = Vec::new();
                self.push();
                for s in named_children(b) {
                    out.push(self.stmt(s));
                }
                self.pop();
                out
            } else {
                self.block_stmts(b)
            }
        });
        Method {
            lname: name.to_ascii_lowercase().into(),
            name,
            params,
            ret,
            body,
            nlocals: self.max,
            slot_types: self.slot_types.clone().into(),
            mods: self.modifiers(m),
            loc: self.loc(m.child_by_field_name("name").unwrap_or(m)),
        }
    }

    fn param(&self, p: Node) -> (TypeRef, Arc<str>) {
        let mut ty = p.child_by_field_name("type").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("Object"));
        if p.child_by_field_name("dimensions").is_some() {
            ty.array += 1;
        }
        (ty, p.child_by_field_name("name").map(|x| self.text(x)).unwrap_or("").into())
    }

    fn fields(&mut self, m: Node, out: &mut Vec<Field>) {
        let mods = self.modifiers(m);
        let ty = m.child_by_field_name("type").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("Object"));
        let lines = self.lines(m);
        let (mut getter, mut setter) = (None, None);
        let mut has_accessors = false;
        for l in named_children(m).into_iter().filter(|c| c.kind() == "accessor_list") {
            has_accessors = true;
            for a in named_children(l) {
                let kind =
                    a.child_by_field_name("accessor").map(|k| self.text(k).to_ascii_lowercase()).unwrap_or_default();
                let Some(b) = a.child_by_field_name("body") else { continue };
                match kind.as_str() {
                    "get" => getter = Some(self.block_body(b, &[])),
                    "set" => setter = Some(self.block_body(b, &[(ty.clone(), "value".into())])),
                    _ => {}
                }
            }
        }
        let _ = has_accessors;
        for d in children_by_field(m, "declarator") {
            let name: Arc<str> = d.child_by_field_name("name").map(|x| self.text(x)).unwrap_or("").into();
            let mut fty = ty.clone();
            if d.child_by_field_name("dimensions").is_some() {
                fty.array += 1;
            }
            // A field initialiser runs in a frame of its own (no locals can be declared in it).
            self.begin_body();
            let init = d.child_by_field_name("value").map(|v| self.init_value(v, &fty));
            out.push(Field {
                lname: name.to_ascii_lowercase().into(),
                name,
                ty: fty,
                mods: mods.clone(),
                init,
                lines: lines.clone(),
                getter: getter.clone(),
                setter: setter.clone(),
                loc: self.loc(d),
            });
        }
    }

    /// A declarator's value: an expression, or an array initialiser `= { a, b }`.
    fn init_value(&mut self, v: Node, ty: &TypeRef) -> Expr {
        if v.kind() == "array_initializer" {
            let items = named_children(v).into_iter().map(|x| self.expr(x)).collect();
            let mut lt = ty.clone();
            if lt.array > 0 {
                lt.array -= 1;
            }
            return Expr {
                kind: E::NewCollection { ty: TypeRef { parts: vec!["List".into()], args: vec![lt], array: 0 }, items },
                loc: self.loc(v),
            };
        }
        self.expr(v)
    }

    fn trigger(&mut self, n: Node) -> TriggerDecl {
        let name: Arc<str> = n.child_by_field_name("name").map(|x| self.text(x)).unwrap_or("").into();
        let object: Arc<str> = n.child_by_field_name("object").map(|x| self.text(x)).unwrap_or("").into();
        let events = children_by_field(n, "events")
            .into_iter()
            .filter(|e| e.is_named())
            .map(|e| self.text(e).to_ascii_lowercase().split_whitespace().collect::<Vec<_>>().join("_"))
            .collect();
        let body = n
            .child_by_field_name("body")
            .and_then(|b| named_children(b).into_iter().find(|x| x.kind() == "block"))
            .map(|b| self.block_body(b, &[]))
            .unwrap_or_else(|| Method {
                name: "".into(),
                lname: "".into(),
                params: Vec::new(),
                ret: TypeRef::named("void"),
                body: Some(Vec::new()),
                nlocals: 0,
                slot_types: Vec::new().into(),
                mods: Modifiers::default(),
                loc: self.loc(n),
            });
        TriggerDecl { name, object, events, body, loc: self.loc(n) }
    }

    // ---- types --------------------------------------------------------------------------

    fn ty(&self, n: Node) -> TypeRef {
        match n.kind() {
            "type_identifier" | "identifier" | "void_type" | "boolean_type" => TypeRef::named(self.text(n).trim()),
            "array_type" => {
                let mut t =
                    n.child_by_field_name("element").map(|e| self.ty(e)).unwrap_or_else(|| TypeRef::named("Object"));
                t.array += 1;
                t
            }
            "generic_type" => {
                let mut parts = Vec::new();
                let mut args = Vec::new();
                for ch in named_children(n) {
                    match ch.kind() {
                        "type_arguments" => args = named_children(ch).into_iter().map(|a| self.ty(a)).collect(),
                        _ => parts.extend(self.ty(ch).parts),
                    }
                }
                TypeRef { parts, args, array: 0 }
            }
            "scoped_type_identifier" => {
                let mut parts = Vec::new();
                let mut args = Vec::new();
                for ch in named_children(n) {
                    if ch.kind() == "annotation" {
                        continue;
                    }
                    let t = self.ty(ch);
                    parts.extend(t.parts);
                    if !t.args.is_empty() {
                        args = t.args;
                    }
                }
                TypeRef { parts, args, array: 0 }
            }
            "annotated_type" | "java_type" => named_children(n)
                .into_iter()
                .next_back()
                .map(|c| self.ty(c))
                .unwrap_or_else(|| TypeRef::named("Object")),
            _ => TypeRef::named(self.text(n).trim()),
        }
    }

    // ---- statements ---------------------------------------------------------------------

    fn block_stmts(&mut self, b: Node) -> Vec<Stmt> {
        self.push();
        let out = named_children(b).into_iter().map(|s| self.stmt(s)).collect();
        self.pop();
        out
    }

    fn body_stmt(&mut self, n: Node) -> Box<Stmt> {
        // A statement body (`if (x) y;`) is its own scope.
        self.push();
        let s = self.stmt(n);
        self.pop();
        Box::new(s)
    }

    fn stmt(&mut self, n: Node) -> Stmt {
        let loc = self.loc(n);
        let lines = self.lines(n);
        let kind = self.stmt_kind(n);
        Stmt { kind, loc, lines }
    }

    fn stmt_kind(&mut self, n: Node) -> S {
        match n.kind() {
            "expression_statement" => match named_children(n).first() {
                Some(e) => S::Expr(self.expr(*e)),
                None => S::Empty,
            },
            "local_variable_declaration" => self.local(n),
            "block" => S::Block(self.block_stmts(n)),
            "if_statement" => {
                let cond = self.cond(n);
                let then = n.child_by_field_name("consequence").map(|c| self.body_stmt(c));
                let otherwise = n.child_by_field_name("alternative").map(|c| self.body_stmt(c));
                S::If { cond, then: then.unwrap_or_else(|| Box::new(self.empty(n))), otherwise }
            }
            "while_statement" => {
                let cond = self.cond(n);
                let body =
                    n.child_by_field_name("body").map(|c| self.body_stmt(c)).unwrap_or_else(|| Box::new(self.empty(n)));
                S::While { cond, body }
            }
            "do_statement" => {
                let body =
                    n.child_by_field_name("body").map(|c| self.body_stmt(c)).unwrap_or_else(|| Box::new(self.empty(n)));
                let cond = self.cond(n);
                S::DoWhile { body, cond }
            }
            "for_statement" => {
                self.push();
                let mut init = Vec::new();
                for i in children_by_field(n, "init") {
                    if i.kind() == "local_variable_declaration" {
                        init.push(Stmt { kind: self.local(i), loc: self.loc(i), lines: Box::new([]) });
                    } else {
                        let e = self.expr(i);
                        init.push(Stmt { kind: S::Expr(e), loc: self.loc(i), lines: Box::new([]) });
                    }
                }
                let cond = n.child_by_field_name("condition").map(|c| self.expr(c));
                let update = children_by_field(n, "update").into_iter().map(|u| self.expr(u)).collect();
                let body =
                    n.child_by_field_name("body").map(|c| self.body_stmt(c)).unwrap_or_else(|| Box::new(self.empty(n)));
                self.pop();
                S::For { init, cond, update, body }
            }
            "enhanced_for_statement" => {
                let mut ty =
                    n.child_by_field_name("type").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("Object"));
                if n.child_by_field_name("dimensions").is_some() {
                    ty.array += 1;
                }
                let iter = n.child_by_field_name("value").map(|v| self.expr(v)).unwrap_or_else(|| self.null(n));
                self.push();
                let name = n.child_by_field_name("name").map(|x| self.text(x)).unwrap_or("");
                let slot = self.declare(name);
                let body =
                    n.child_by_field_name("body").map(|c| self.body_stmt(c)).unwrap_or_else(|| Box::new(self.empty(n)));
                self.pop();
                S::ForEach { ty, slot, iter, body }
            }
            "return_statement" => S::Return(named_children(n).first().map(|e| self.expr(*e))),
            "break_statement" => S::Break,
            "continue_statement" => S::Continue,
            "throw_statement" => {
                S::Throw(named_children(n).first().map(|e| self.expr(*e)).unwrap_or_else(|| self.null(n)))
            }
            "try_statement" => {
                let body = n.child_by_field_name("body").map(|b| self.block_stmts(b)).unwrap_or_default();
                let mut catches = Vec::new();
                let mut finally = None;
                for ch in named_children(n) {
                    match ch.kind() {
                        "catch_clause" => {
                            self.push();
                            let (ty, name) = named_children(ch)
                                .into_iter()
                                .find(|p| p.kind() == "formal_parameter")
                                .map(|p| self.param(p))
                                .unwrap_or_else(|| (TypeRef::named("Exception"), "e".into()));
                            let slot = self.declare(&name);
                            let body = ch.child_by_field_name("body").map(|b| self.block_stmts(b)).unwrap_or_default();
                            self.pop();
                            catches.push(Catch { ty, slot, body });
                        }
                        "finally_clause" => {
                            finally = named_children(ch)
                                .into_iter()
                                .find(|b| b.kind() == "block")
                                .map(|b| self.block_stmts(b));
                        }
                        _ => {}
                    }
                }
                S::Try { body, catches, finally }
            }
            "switch_expression" => {
                let subject = n.child_by_field_name("condition").map(|c| self.expr(c)).unwrap_or_else(|| self.null(n));
                let mut whens = Vec::new();
                if let Some(b) = n.child_by_field_name("body") {
                    for rule in named_children(b).into_iter().filter(|r| r.kind() == "switch_rule") {
                        let rc = named_children(rule);
                        let label = rc.iter().find(|x| x.kind() == "switch_label").copied();
                        let block = rc.iter().find(|x| x.kind() == "block").copied();
                        self.push();
                        let labels = match label {
                            Some(l) => {
                                let lc = named_children(l);
                                if let Some(st) = lc.iter().find(|x| x.kind() == "when_sobject_type") {
                                    let parts = named_children(*st);
                                    let ty =
                                        parts.first().map(|t| self.ty(*t)).unwrap_or_else(|| TypeRef::named("SObject"));
                                    let var = parts.get(1).map(|v| self.text(*v)).unwrap_or("");
                                    let slot = self.declare(var);
                                    WhenLabels::Type(ty, slot)
                                } else if lc.is_empty() {
                                    WhenLabels::Else
                                } else {
                                    WhenLabels::Values(lc.into_iter().map(|e| self.expr(e)).collect())
                                }
                            }
                            None => WhenLabels::Else,
                        };
                        let body = block.map(|b| self.block_stmts(b)).unwrap_or_default();
                        self.pop();
                        whens.push(When { labels, body, loc: self.loc(rule) });
                    }
                }
                S::Switch { subject, whens }
            }
            "run_as_statement" => {
                let user = n
                    .child_by_field_name("user")
                    .and_then(|u| named_children(u).first().copied())
                    .map(|e| self.expr(e))
                    .unwrap_or_else(|| self.null(n));
                let body = named_children(n)
                    .into_iter()
                    .find(|b| b.kind() == "block")
                    .map(|b| self.block_stmts(b))
                    .unwrap_or_default();
                S::RunAs { user, body }
            }
            "explicit_constructor_invocation" => {
                let this = n.child_by_field_name("constructor").is_some_and(|c| c.kind() == "this");
                let args = self.args(n);
                S::CtorCall { this, args }
            }
            ";" => S::Empty,
            "class_declaration" | "interface_declaration" | "enum_declaration" => {
                S::Expr(self.unsupported(n, "a class declared inside a method"))
            }
            _ => S::Expr(self.unsupported(n, &format!("the statement '{}'", n.kind()))),
        }
    }

    fn empty(&self, n: Node) -> Stmt {
        Stmt { kind: S::Empty, loc: self.loc(n), lines: Box::new([]) }
    }

    fn null(&self, n: Node) -> Expr {
        Expr { kind: E::Null, loc: self.loc(n) }
    }

    fn unsupported(&self, n: Node, what: &str) -> Expr {
        Expr { kind: E::Unsupported(what.into()), loc: self.loc(n) }
    }

    fn cond(&mut self, n: Node) -> Expr {
        let c = n.child_by_field_name("condition");
        match c {
            Some(p) if p.kind() == "parenthesized_expression" => {
                named_children(p).first().map(|e| self.expr(*e)).unwrap_or_else(|| self.null(n))
            }
            Some(e) => self.expr(e),
            None => self.null(n),
        }
    }

    fn local(&mut self, n: Node) -> S {
        let ty = n.child_by_field_name("type").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("Object"));
        let mut vars = Vec::new();
        for d in children_by_field(n, "declarator") {
            let name: Arc<str> = d.child_by_field_name("name").map(|x| self.text(x)).unwrap_or("").into();
            // The initialiser is evaluated before the name is in scope... but Apex resolves
            // `Integer x = x;` as an error anyway; declare after lowering the value.
            let init = d.child_by_field_name("value").map(|v| self.init_value(v, &ty));
            let slot = self.declare_typed(&name, &ty);
            vars.push((slot, name, init));
        }
        S::Local { ty, vars }
    }

    // ---- expressions --------------------------------------------------------------------

    fn args(&mut self, n: Node) -> Vec<Expr> {
        n.child_by_field_name("arguments")
            .map(|a| named_children(a).into_iter().map(|e| self.expr(e)).collect())
            .unwrap_or_default()
    }

    fn has_safe_nav(n: Node) -> bool {
        let mut c = n.walk();
        let found = n.children(&mut c).any(|ch| ch.kind() == "safe_navigation_operator");
        found
    }

    fn expr(&mut self, n: Node) -> Expr {
        let loc = self.loc(n);
        let kind = self.expr_kind(n);
        Expr { kind, loc }
    }

    fn bx(&mut self, n: Option<Node>, parent: Node) -> Box<Expr> {
        Box::new(match n {
            Some(x) => self.expr(x),
            None => self.null(parent),
        })
    }

    fn expr_kind(&mut self, n: Node) -> E {
        match n.kind() {
            "null_literal" => E::Null,
            "boolean" => E::Bool(self.text(n).eq_ignore_ascii_case("true")),
            "int" => {
                let t = self.text(n).replace('_', "");
                if let Some(l) = t.strip_suffix(['l', 'L']) {
                    match l.parse::<i64>() {
                        Ok(v) => E::Long(v),
                        Err(_) => E::Unsupported("a Long literal out of range (does not compile)".into()),
                    }
                } else {
                    match t.parse::<i32>() {
                        Ok(v) => E::Int(v),
                        // `-2147483648` is the negation of an out-of-range literal: kept as Long,
                        // folded by Neg below.
                        Err(_) => match t.parse::<i64>() {
                            Ok(v) if v == 2_147_483_648 => E::Long(v),
                            _ => E::Unsupported("an Integer literal out of range (does not compile)".into()),
                        },
                    }
                }
            }
            "decimal_floating_point_literal" => {
                let t = self.text(n).replace('_', "");
                if let Some(d) = t.strip_suffix(['d', 'D']) {
                    E::Double(d.parse().unwrap_or(0.0))
                } else if let Some(d) = t.strip_suffix(['f', 'F']) {
                    E::Double(d.parse().unwrap_or(0.0))
                } else {
                    E::Decimal(t)
                }
            }
            "string_literal" | "multi_line_string_literal" => E::Str(unescape(self.text(n)).into()),
            "identifier" => {
                let name = self.text(n);
                match self.lookup(name) {
                    Some(slot) => E::Local(slot, name.into()),
                    None => E::Name(name.into()),
                }
            }
            "this" => E::This,
            "parenthesized_expression" => match named_children(n).first() {
                Some(e) => self.expr_kind(*e),
                None => E::Null,
            },
            "field_access" => {
                let field = n.child_by_field_name("field").map(|f| self.text(f)).unwrap_or("");
                let obj = n.child_by_field_name("object");
                if field.eq_ignore_ascii_case("class") {
                    // `Foo.Bar.class`: a type literal.
                    if let Some(o) = obj {
                        return E::ClassLit(self.type_of_chain(o));
                    }
                }
                if obj.is_some_and(|o| o.kind() == "super") {
                    return E::Field {
                        obj: Box::new(Expr { kind: E::This, loc: self.loc(n) }),
                        name: field.into(),
                        safe: false,
                    };
                }
                E::Field { obj: self.bx(obj, n), name: field.into(), safe: Self::has_safe_nav(n) }
            }
            "java_field_access" => E::Unsupported("java: field access".into()),
            "method_invocation" => {
                let name: Arc<str> = n.child_by_field_name("name").map(|x| self.text(x)).unwrap_or("").into();
                let objn = n.child_by_field_name("object");
                let is_super = objn.is_some_and(|o| o.kind() == "super");
                let obj = if is_super { None } else { objn.map(|o| Box::new(self.expr(o))) };
                let args = self.args(n);
                let dynamic = matches!(
                    name.to_ascii_lowercase().as_str(),
                    "query"
                        | "countquery"
                        | "getquerylocator"
                        | "querywithbinds"
                        | "countquerywithbinds"
                        | "getquerylocatorwithbinds"
                );
                let call = E::Call { obj, name, args, safe: Self::has_safe_nav(n), is_super };
                if dynamic {
                    let mut scope = Vec::new();
                    for s in &self.scopes {
                        for (n2, slot) in s {
                            scope.push((Arc::<str>::from(n2.as_str()), *slot));
                        }
                    }
                    return E::WithScope { call: Box::new(Expr { kind: call, loc: self.loc(n) }), scope };
                }
                call
            }
            "object_creation_expression" => {
                let ty = n.child_by_field_name("type").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("Object"));
                let argn: Vec<Node> = n.child_by_field_name("arguments").map(named_children).unwrap_or_default();
                let named = !argn.is_empty()
                    && argn.iter().all(|a| {
                        a.kind() == "assignment_expression"
                            && a.child_by_field_name("left").is_some_and(|l| l.kind() == "identifier")
                            && a.child_by_field_name("operator").is_some_and(|o| self.text(o) == "=")
                    });
                if named {
                    let mut fields = Vec::new();
                    for a in argn {
                        let f = a.child_by_field_name("left").map(|l| self.text(l)).unwrap_or("");
                        let v = self.bx(a.child_by_field_name("right"), a);
                        fields.push((Arc::<str>::from(f), *v));
                    }
                    return E::NewSObject { ty, fields };
                }
                let mut c = n.walk();
                if n.children(&mut c).any(|ch| ch.kind() == "class_body") {
                    return E::Unsupported("an anonymous class body".into());
                }
                let args = argn.into_iter().map(|a| self.expr(a)).collect();
                E::New { ty, args }
            }
            "array_creation_expression" => {
                let base =
                    n.child_by_field_name("type").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("Object"));
                let dims = children_by_field(n, "dimensions");
                let value = n.child_by_field_name("value");
                let sized = dims.iter().find(|d| d.kind() == "dimensions_expr").copied();
                let is_array = !dims.is_empty();
                // `new List<T>{...}` / `new Set<T>{...}` come here too (no dimensions).
                let coll = if is_array {
                    let mut extra = base.clone();
                    let more = dims.len().saturating_sub(1) as u8;
                    extra.array += more;
                    TypeRef { parts: vec!["List".into()], args: vec![extra], array: 0 }
                } else {
                    base
                };
                if let Some(sz) = sized {
                    let size = named_children(sz).first().map(|e| self.expr(*e)).unwrap_or_else(|| self.null(n));
                    return E::NewArray { ty: coll, size: Box::new(size) };
                }
                let items =
                    value.map(|v| named_children(v).into_iter().map(|x| self.expr(x)).collect()).unwrap_or_default();
                E::NewCollection { ty: coll, items }
            }
            "map_creation_expression" => {
                let ty = n.child_by_field_name("type").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("Map"));
                let mut pairs = Vec::new();
                if let Some(init) = n.child_by_field_name("value") {
                    for kv in named_children(init).into_iter().filter(|k| k.kind() == "map_key_initializer") {
                        let parts = named_children(kv);
                        if parts.len() == 2 {
                            let k = self.expr(parts[0]);
                            let v = self.expr(parts[1]);
                            pairs.push((k, v));
                        }
                    }
                }
                E::NewMap { ty, pairs }
            }
            "array_access" => {
                let obj = self.bx(n.child_by_field_name("array"), n);
                let index = self.bx(n.child_by_field_name("index"), n);
                E::Index { obj, index }
            }
            "assignment_expression" => {
                let target = self.bx(n.child_by_field_name("left"), n);
                let value = self.bx(n.child_by_field_name("right"), n);
                let op_text = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("=");
                let op = match op_text {
                    "=" => None,
                    "+=" => Some(BinOp::Add),
                    "-=" => Some(BinOp::Sub),
                    "*=" => Some(BinOp::Mul),
                    "/=" => Some(BinOp::Div),
                    "&=" => Some(BinOp::BitAnd),
                    "|=" => Some(BinOp::BitOr),
                    "^=" => Some(BinOp::BitXor),
                    "<<=" => Some(BinOp::Shl),
                    ">>=" => Some(BinOp::Shr),
                    ">>>=" => Some(BinOp::UShr),
                    "%=" => Some(BinOp::Rem),
                    other => return E::Unsupported(format!("the assignment operator '{other}'").into()),
                };
                E::Assign { target, op, value }
            }
            "binary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
                let l = self.bx(n.child_by_field_name("left"), n);
                let r = self.bx(n.child_by_field_name("right"), n);
                let op = match op {
                    "&&" => return E::And(l, r),
                    "||" => return E::Or(l, r),
                    "??" => return E::Coalesce(l, r),
                    "+" => BinOp::Add,
                    "-" => BinOp::Sub,
                    "*" => BinOp::Mul,
                    "/" => BinOp::Div,
                    "%" => BinOp::Rem,
                    "==" => BinOp::Eq,
                    "!=" | "<>" => BinOp::Ne,
                    "===" => BinOp::ExactEq,
                    "!==" => BinOp::ExactNe,
                    "<" => BinOp::Lt,
                    "<=" => BinOp::Le,
                    ">" => BinOp::Gt,
                    ">=" => BinOp::Ge,
                    "&" => BinOp::BitAnd,
                    "|" => BinOp::BitOr,
                    "^" => BinOp::BitXor,
                    "<<" => BinOp::Shl,
                    ">>" => BinOp::Shr,
                    ">>>" => BinOp::UShr,
                    other => return E::Unsupported(format!("the operator '{other}'").into()),
                };
                E::Binary { op, l, r }
            }
            "unary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
                let e = self.bx(n.child_by_field_name("operand"), n);
                match op {
                    "!" => E::Not(e),
                    "-" => match e.kind {
                        E::Long(2_147_483_648) => E::Int(i32::MIN),
                        E::Int(v) => E::Int(-v),
                        E::Long(v) => E::Long(-v),
                        _ => E::Neg(e),
                    },
                    "+" => E::Plus(e),
                    "~" => E::BitNot(e),
                    other => E::Unsupported(format!("the operator '{other}'").into()),
                }
            }
            "update_expression" => {
                let opn = n.child_by_field_name("operator");
                let operand = n.child_by_field_name("operand");
                let inc = opn.map(|o| self.text(o) == "++").unwrap_or(true);
                let prefix = match (opn, operand) {
                    (Some(o), Some(x)) => o.start_byte() < x.start_byte(),
                    _ => false,
                };
                E::IncDec { target: self.bx(operand, n), inc, prefix }
            }
            "ternary_expression" => E::Ternary(
                self.bx(n.child_by_field_name("condition"), n),
                self.bx(n.child_by_field_name("consequence"), n),
                self.bx(n.child_by_field_name("alternative"), n),
            ),
            "cast_expression" => {
                let ty = n.child_by_field_name("type").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("Object"));
                E::Cast { ty, e: self.bx(n.child_by_field_name("value"), n) }
            }
            "instanceof_expression" => {
                let ty = n.child_by_field_name("right").map(|t| self.ty(t)).unwrap_or_else(|| TypeRef::named("Object"));
                E::InstanceOf { e: self.bx(n.child_by_field_name("left"), n), ty }
            }
            "class_literal" => {
                E::ClassLit(named_children(n).first().map(|t| self.ty(*t)).unwrap_or_else(|| TypeRef::named("Object")))
            }
            "query_expression" => {
                let Some(body) = named_children(n).into_iter().next() else { return E::Null };
                if body.kind() == "sosl_query_body" {
                    return E::Sosl;
                }
                self.soql(body)
            }
            "dml_expression" => {
                let op = named_children(n)
                    .into_iter()
                    .find(|c| c.kind() == "dml_type")
                    .map(|d| self.text(d).to_ascii_lowercase())
                    .unwrap_or_default();
                let op = match op.as_str() {
                    "insert" => DmlOp::Insert,
                    "update" => DmlOp::Update,
                    "upsert" => DmlOp::Upsert,
                    "delete" => DmlOp::Delete,
                    "undelete" => DmlOp::Undelete,
                    "merge" => DmlOp::Merge,
                    other => return E::Unsupported(format!("the DML verb '{other}'").into()),
                };
                // `insert as user`: user-mode DML checks the running user's access.
                let user_mode =
                    children_by_field(n, "security_mode").iter().any(|m| self.text(*m).eq_ignore_ascii_case("user"));
                let target = self.bx(n.child_by_field_name("target"), n);
                let key = n.child_by_field_name("upsert_key").map(|k| self.ty(k));
                let merge_with = n.child_by_field_name("merge_with").map(|m| Box::new(self.expr(m)));
                E::Dml { op, target, key, merge_with, user_mode }
            }
            "version_expression" => E::Unsupported("Package.Version".into()),
            other => E::Unsupported(format!("the expression '{other}'").into()),
        }
    }

    /// A type named by an expression chain (`Foo.Bar` in `Foo.Bar.class`).
    fn type_of_chain(&self, n: Node) -> TypeRef {
        match n.kind() {
            "identifier" | "type_identifier" => TypeRef::named(self.text(n)),
            "field_access" => {
                let mut t = n
                    .child_by_field_name("object")
                    .map(|o| self.type_of_chain(o))
                    .unwrap_or_else(|| TypeRef::named("Object"));
                if let Some(f) = n.child_by_field_name("field") {
                    t.parts.push(self.text(f).to_string());
                }
                t
            }
            _ => self.ty(n),
        }
    }

    /// A SOQL query: its text with each `:expr` bind replaced by `:__bindN`, and the binds.
    fn soql(&mut self, body: Node) -> E {
        let mut binds_nodes = Vec::new();
        let mut stack = vec![body];
        while let Some(x) = stack.pop() {
            if x.kind() == "bound_apex_expression" {
                binds_nodes.push(x);
                continue;
            }
            let mut c = x.walk();
            stack.extend(x.named_children(&mut c));
        }
        binds_nodes.sort_by_key(|b| b.start_byte());
        let mut text = String::new();
        let mut at = body.start_byte();
        let mut binds = Vec::new();
        for (i, b) in binds_nodes.iter().enumerate() {
            text.push_str(self.src.get(at..b.start_byte()).unwrap_or(""));
            text.push_str(&format!(":__bind{i}"));
            at = b.end_byte();
            let e = named_children(*b).first().map(|e| self.expr(*e)).unwrap_or_else(|| self.null(*b));
            binds.push(e);
        }
        text.push_str(self.src.get(at..body.end_byte()).unwrap_or(""));
        E::Soql { text: text.into(), binds }
    }
}

/// The value of an Apex string literal: quotes removed, escapes (`\n`, `\t`, `\'`, `\\`,
/// `\uXXXX`, ...) applied.
pub fn unescape(lit: &str) -> String {
    let inner = lit.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')).unwrap_or(lit);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some('t' | 'T') => out.push('\t'),
            Some('r' | 'R') => out.push('\r'),
            Some('b' | 'B') => out.push('\u{8}'),
            Some('f' | 'F') => out.push('\u{c}'),
            Some('u' | 'U') => {
                let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&hex),
                }
            }
            // `\_` and `\%` keep their backslash (they are LIKE escapes in SOQL).
            Some(c @ ('_' | '%')) => {
                out.push('\\');
                out.push(c);
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
