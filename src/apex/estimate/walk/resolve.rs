//! Lookup: variables in scope, static fields and their defaults, property accessors, methods and
//! the overload a call picks, subtypes and implementations, the static type of an expression.

use super::value::{base_type, initial, Val};
use super::{Ctx, Frame, Var, Walker};
use crate::apex::estimate::model::{lower, type_text};
use tree_sitter::Node;

impl<'i, 'p> Walker<'i, 'p> {
    fn static_default(&self, ci: usize, field: &str) -> Option<Val> {
        let f = self.idx.classes[ci].fields.iter().find(|f| f.name == field && f.is_static)?;
        let src = self.idx.classes[ci].src;
        Some(match f.value {
            Some(v) => initial(v, src),
            None => Val::Null,
        })
    }

    pub(super) fn read_static(&mut self, ctx: &mut Ctx, ci: usize, field: &str) -> Option<Val> {
        self.load(ctx, ci);
        if let Some(v) = ctx.statics.get(&(ci, field.to_string())) {
            return Some(v.clone());
        }
        self.static_default(ci, field)
    }

    /// The classes a member of `ci` is looked up in, nearest first: `ci`, then its superclass,
    /// or (with `outer`, as for fields and methods) its outer class when it extends none; at
    /// most 16 classes, so a cyclic hierarchy ends.
    pub(super) fn lineage(&self, ci: usize, outer: bool) -> impl Iterator<Item = usize> + use<'i, 'p> {
        let idx = self.idx;
        let mut cur = Some(ci);
        std::iter::from_fn(move || {
            let c = cur?;
            let class = &idx.classes[c];
            let sup = class.superclass.as_deref().and_then(|s| idx.class(s));
            cur = if outer { sup.or(class.outer) } else { sup };
            Some(c)
        })
        .take(16)
    }

    /// Finds a field through the class, its outer classes and superclasses.
    pub(super) fn field_owner(&self, ci: usize, field: &str) -> Option<(usize, String, bool)> {
        self.lineage(ci, true).find_map(|c| {
            let f = self.idx.classes[c].fields.iter().find(|f| f.name == field)?;
            Some((c, f.ty.clone(), f.is_static))
        })
    }

    /// The `get { }` (or `set { }`) body of property `field` of class `ci` or a class it
    /// inherits it from: (owner class, body).
    pub(super) fn accessor_of(&self, ci: usize, field: &str, get: bool) -> Option<(usize, Node<'p>)> {
        let (c, f) = self.lineage(ci, true).find_map(|c| {
            let f = self.idx.classes[c].fields.iter().find(|f| f.name == field)?;
            Some((c, f))
        })?;
        if get { f.getter } else { f.setter }.map(|b| (c, b))
    }

    pub(super) fn find_method(&self, ci: usize, name: &str, arity: usize) -> Option<(usize, usize)> {
        self.lineage(ci, true).find_map(|c| {
            let m = self.idx.classes[c].methods.iter().position(|m| m.name == name && m.params.len() == arity)?;
            Some((c, m))
        })
    }

    /// The overloads `name/arity` of class `ci` (nearest class first, an override hiding the
    /// method it overrides) whose parameter types the arguments fit.
    pub(super) fn overloads(
        &self,
        ci: usize,
        name: &str,
        args: &[Val],
        types: &[Option<String>],
    ) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut seen: Vec<Vec<String>> = Vec::new();
        for c in self.lineage(ci, true) {
            let class = &self.idx.classes[c];
            for (mi, m) in class.methods.iter().enumerate() {
                if m.name != name || m.params.len() != args.len() {
                    continue;
                }
                let sig: Vec<String> = m.params.iter().map(|(_, t)| t.clone()).collect();
                if seen.contains(&sig) {
                    continue;
                }
                seen.push(sig);
                if m.params
                    .iter()
                    .enumerate()
                    .all(|(i, (_, p))| self.fits(p, &args[i], types.get(i).and_then(Option::as_ref)))
                {
                    out.push((c, mi));
                }
            }
        }
        out
    }

    /// Whether an argument (its value, or its static type) can be passed to a parameter of
    /// type `param`; true unless a mismatch is certain.
    pub(super) fn fits(&self, param: &str, v: &Val, ty: Option<&String>) -> bool {
        let p = base_type(param);
        if p == "object" {
            return true;
        }
        let prim = |t: &str| {
            matches!(
                t,
                "string"
                    | "id"
                    | "integer"
                    | "long"
                    | "decimal"
                    | "double"
                    | "boolean"
                    | "date"
                    | "datetime"
                    | "time"
                    | "blob"
            )
        };
        let number = |t: &str| matches!(t, "integer" | "long" | "decimal" | "double");
        let known: Option<String> = match v {
            Val::Str(_) => Some("string".into()),
            Val::Num(_) => Some("integer".into()),
            Val::Bool(_) => Some("boolean".into()),
            Val::Inst(_) | Val::Obj(_) | Val::Rec(..) | Val::Coll(..) => v.type_name().or_else(|| ty.cloned()),
            Val::Null => return true,
            _ => ty.cloned(),
        };
        let Some(t) = known else { return true };
        let t = base_type(&t).to_string();
        if t == p {
            return true;
        }
        match (prim(&t), prim(p)) {
            (true, true) => (number(&t) && number(p)) || (t == "string" && p == "id") || (t == "id" && p == "string"),
            // Enum values are strings to the walk (Trigger.operationType, switch labels).
            (true, false) => t == "string" && matches!(v, Val::Str(_)),
            (false, true) => false,
            (false, false) => match (self.idx.class(&t), self.idx.class(p)) {
                (Some(a), Some(_)) => self.is_subtype(a, p),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                // Platform types: only an exception against a non-exception is told apart.
                (None, None) => p.ends_with("exception") == t.ends_with("exception"),
            },
        }
    }

    /// Whether class `ci` is `ty` or extends or implements it (lower-case base name).
    pub(super) fn is_subtype(&self, ci: usize, ty: &str) -> bool {
        self.is_subtype_within(ci, ty, 0)
    }

    /// [`Self::is_subtype`] at a nesting of interface hierarchies (cycles end at 16).
    fn is_subtype_within(&self, ci: usize, ty: &str, nesting: usize) -> bool {
        if nesting > 16 {
            return false;
        }
        for c in self.lineage(ci, false) {
            let class = &self.idx.classes[c];
            if class.name.eq_ignore_ascii_case(ty) || class.interfaces.iter().any(|i| base_type(i) == ty) {
                return true;
            }
            // Interfaces extending interfaces (`interface B extends A`).
            if class
                .interfaces
                .iter()
                .filter_map(|i| self.idx.class(base_type(i)))
                .any(|i| i != c && self.is_subtype_within(i, ty, nesting + 1))
            {
                return true;
            }
        }
        false
    }

    /// Package classes that are `ty` or one of its subtypes, with a body for `name/arity`:
    /// the methods a call on a receiver of static type `ty` may run.
    pub(super) fn implementations(&mut self, ty: &str, name: &str, arity: usize) -> Vec<(usize, usize, usize)> {
        let base = base_type(ty).to_string();
        if !self.subtypes.contains_key(&base) {
            let subs: Vec<usize> = (0..self.idx.classes.len())
                .filter(|&c| !self.idx.classes[c].is_test && self.is_subtype(c, &base))
                .collect();
            self.subtypes.insert(base.clone(), subs);
        }
        let mut out: Vec<(usize, usize, usize)> = Vec::new();
        for &c in self.subtypes.get(&base).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some((owner, m)) = self.find_method(c, name, arity) {
                if self.idx.classes[owner].methods[m].body.is_some()
                    && !out.iter().any(|&(_, o, mm)| o == owner && mm == m)
                {
                    out.push((c, owner, m));
                }
            }
        }
        out
    }

    pub(super) fn lookup<'a>(f: &'a Frame, name: &str) -> Option<&'a Var> {
        f.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// The static type of an expression (lower case), when it can be told.
    pub(super) fn static_type(&self, f: &Frame, e: Node) -> Option<String> {
        let src = f.src;
        match e.kind() {
            "identifier" => {
                let name = lower(e, src);
                if let Some(v) = Self::lookup(f, &name) {
                    return Some(v.ty.clone());
                }
                f.class.and_then(|ci| self.field_owner(ci, &name)).map(|(_, ty, _)| ty)
            }
            "field_access" => {
                let obj = e.child_by_field_name("object")?;
                let field = lower(e.child_by_field_name("field")?, src);
                if lower(obj, src) == "this" {
                    return f.class.and_then(|ci| self.field_owner(ci, &field)).map(|(_, ty, _)| ty);
                }
                if lower(obj, src) == "trigger" && (field == "new" || field == "old") {
                    return None;
                }
                let oc = self.idx.class(&lower(obj, src))?;
                self.field_owner(oc, &field).map(|(_, ty, _)| ty)
            }
            "object_creation_expression" | "array_creation_expression" => {
                e.child_by_field_name("type").map(|t| type_text(t, src))
            }
            "cast_expression" => e.child_by_field_name("type").map(|t| type_text(t, src)),
            "parenthesized_expression" => e.named_child(0).and_then(|x| self.static_type(f, x)),
            "method_invocation" => {
                let name = lower(e.child_by_field_name("name")?, src);
                let arity = e.child_by_field_name("arguments").map_or(0, |a| a.named_child_count());
                let class = match e.child_by_field_name("object") {
                    None => f.this_class.or(f.class)?,
                    Some(o) if o.kind() == "identifier" => {
                        let o_l = lower(o, src);
                        match Self::lookup(f, &o_l) {
                            Some(v) => self.idx.class(&v.ty)?,
                            None => self.idx.class(&o_l)?,
                        }
                    }
                    Some(o) => self.idx.class(&self.static_type(f, o)?)?,
                };
                let (c, m) = self.find_method(class, &name, arity)?;
                Some(self.idx.classes[c].methods[m].ret.clone())
            }
            _ => None,
        }
    }

    /// The package class (index and lower-case name) a value is an object of.
    pub(super) fn val_class(&self, ctx: &Ctx, v: &Val) -> Option<(usize, String)> {
        match v {
            Val::Inst(id) => {
                let ci = ctx.heap.get(*id)?.class;
                Some((ci, self.idx.classes[ci].name.to_ascii_lowercase()))
            }
            Val::Obj(c) => self.idx.class(c).map(|ci| (ci, c.clone())),
            _ => None,
        }
    }
}
