//! What the walk knows of a value ([`Val`]): literals, records and collections of known
//! elements, their types, and the value several paths agree on.

use crate::apex::estimate::model::{lower, text, type_text, unquote};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use tree_sitter::Node;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    Unknown,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// An object of a known type (lower-case type name).
    Obj(String),
    /// An instance of a package class: index into `Ctx::heap`.
    Inst(usize),
    /// A `System.Type`: the package class it names (`Type.forName('X')`, `X.class`), or
    /// `None` when the name is only known at run time.
    Type(Option<usize>),
    /// A list or set (lower-case type) whose elements are known in number: a literal
    /// `new List<X>{ ... }`, an empty `new List<X>()`, or `Trigger.new` of a known DML. Any
    /// change to it makes it an [`Val::Obj`].
    Coll(String, Vec<Val>),
    /// An SObject record (lower-case type) and the fields known to be set on it
    /// (`new Account(Name = 'x')`, `a.Industry = 'y'`).
    Rec(String, BTreeMap<String, Val>),
}

impl Val {
    /// The lower-case type of a value that has one.
    pub(super) fn type_name(&self) -> Option<String> {
        match self {
            Val::Obj(t) | Val::Coll(t, _) | Val::Rec(t, _) => Some(t.clone()),
            _ => None,
        }
    }
}

/// List/Set/Map methods that change the collection.
pub(super) const MUTATORS: &[&str] =
    &["add", "addall", "put", "putall", "remove", "removeall", "retainall", "clear", "set", "sort"];

/// A package-class object created during a test: its class and known field values.
#[derive(Clone)]
pub(super) struct Instance {
    pub(super) class: usize,
    pub(super) fields: HashMap<String, Val>,
}

pub(super) fn truth(v: &Val) -> Option<bool> {
    match v {
        Val::Bool(b) => Some(*b),
        _ => None,
    }
}

/// The records a DML statement passes to its triggers, when known: one record, or a list of
/// known size.
pub(super) fn records_of(v: &Val) -> Option<Vec<Val>> {
    match v {
        Val::Rec(..) => Some(vec![v.clone()]),
        Val::Coll(_, items) => Some(items.clone()),
        _ => None,
    }
}

/// The SObject or class a DML target or collection holds: `list<contact>` → `contact`.
pub(super) fn element_type(ty: &str) -> String {
    let t = ty.trim_end_matches("[]");
    for p in ["list<", "set<"] {
        if let Some(inner) = t.strip_prefix(p) {
            return inner.trim_end_matches('>').to_string();
        }
    }
    t.to_string()
}

/// Strips generics, array brackets and a `system.` namespace: `system.comparator<account>` →
/// `comparator`.
pub(super) fn base_type(ty: &str) -> &str {
    let t = ty.split('<').next().unwrap_or(ty).trim_end_matches("[]");
    t.strip_prefix("system.").unwrap_or(t)
}

/// The value a field initialiser gives without running code: a literal, or an empty
/// `new List<X>()` / `new Set<X>()`.
pub(super) fn initial(n: Node, src: &str) -> Val {
    if let Some(v) = literal(n, src) {
        return v;
    }
    if n.kind() == "object_creation_expression" {
        let ty = n.child_by_field_name("type").map(|t| type_text(t, src)).unwrap_or_default();
        let empty = n.child_by_field_name("arguments").is_none_or(|a| a.named_child_count() == 0);
        if empty && matches!(base_type(&ty), "list" | "set") {
            return Val::Coll(ty, Vec::new());
        }
    }
    Val::Unknown
}

/// Most elements the walk keeps of a collection it knows element by element.
const MAX_KNOWN_ELEMENTS: usize = 64;

/// The elements of the collection `ty` holding `items` after `m(args)`, and what the call
/// returns, when both are known: `List.add(x)`, `List.addAll(known)`, `Set.add(x)` on a set that
/// cannot already hold `x` (empty, or only literals unequal to a literal `x`: returns true) or
/// holds it (returns false).
pub(super) fn grown(ty: &str, items: &[Val], m: &str, args: &[Val]) -> Option<(Vec<Val>, Val)> {
    let base = base_type(ty);
    let mut out = items.to_vec();
    let ret = match (base, m, args) {
        ("list", "add", [x]) => {
            out.push(x.clone());
            Val::Unknown
        }
        ("list", "addall", [Val::Coll(_, more)]) => {
            out.extend(more.iter().cloned());
            Val::Unknown
        }
        ("set", "add", [x]) => {
            let plain = |v: &Val| matches!(v, Val::Str(_) | Val::Num(_) | Val::Bool(_) | Val::Null);
            let present = if items.is_empty() {
                false
            } else if plain(x) && items.iter().all(plain) {
                items.iter().any(|i| match (i, x) {
                    // Set<String> is case-sensitive.
                    (Val::Str(a), Val::Str(b)) => a == b,
                    (a, b) => a == b,
                })
            } else {
                return None;
            };
            if !present {
                out.push(x.clone());
            }
            Val::Bool(!present)
        }
        _ => return None,
    };
    (out.len() <= MAX_KNOWN_ELEMENTS).then_some((out, ret))
}

/// The value of a literal node.
pub(super) fn literal(n: Node, src: &str) -> Option<Val> {
    Some(match n.kind() {
        "null_literal" => Val::Null,
        "boolean" => Val::Bool(lower(n, src) == "true"),
        "int" | "decimal_floating_point_literal" => {
            Val::Num(text(n, src).trim_end_matches(['l', 'L', 'd', 'D']).parse().ok()?)
        }
        "string_literal" => Val::Str(unquote(text(n, src))),
        _ => return None,
    })
}

pub(super) fn agree(vals: &[Option<&Val>]) -> Option<Val> {
    let first = vals.first().copied().flatten()?;
    if vals.iter().all(|v| *v == Some(first)) {
        return Some(first.clone());
    }
    // Different values of one type (a list before and after a loop added to it) keep the type;
    // a List<SObject> and a list of one SObject type keep the specific one.
    let types: Vec<String> = vals.iter().map(|v| v.and_then(Val::type_name)).collect::<Option<Vec<_>>>()?;
    let specific: BTreeSet<&String> = types.iter().filter(|t| element_type(t) != "sobject").collect();
    match specific.len() {
        0 => Some(Val::Obj(types[0].clone())),
        1 => specific.into_iter().next().map(|t| Val::Obj(t.clone())),
        _ => None,
    }
}
