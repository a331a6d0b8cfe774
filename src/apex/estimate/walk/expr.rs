//! Expressions: their values where the walk can tell them, field reads and writes, assignment,
//! binary operators, call arguments.

use super::state::join;
use super::value::{agree, base_type, element_type, literal, records_of, truth, Val};
use super::{Ctx, Frame, Thrown, Walked, Walker, EITHER};
use crate::apex::estimate::model::{lower, text, type_text};
use std::collections::BTreeMap;
use tree_sitter::Node;

impl<'i, 'p> Walker<'i, 'p> {
    pub(super) fn args(&mut self, ctx: &mut Ctx, f: &mut Frame, list: Option<Node>) -> Walked<Vec<Val>> {
        let mut out = Vec::new();
        if let Some(l) = list {
            let mut c = l.walk();
            let items: Vec<Node> = l.named_children(&mut c).collect();
            for a in items {
                out.push(self.expr(ctx, f, a)?);
            }
        }
        Ok(out)
    }

    pub(super) fn expr(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node) -> Walked {
        ctx.steps += 1;
        let src = f.src;
        if let Some(v) = literal(e, src) {
            return Ok(v);
        }
        match e.kind() {
            "identifier" => {
                let name = lower(e, src);
                if let Some(v) = Self::lookup(f, &name) {
                    return Ok(v.val.clone());
                }
                if let Some(ci) = f.class {
                    if f.accessor.as_deref() != Some(name.as_str()) {
                        if let Some((owner, body)) = self.accessor_of(f.this_class.unwrap_or(ci), &name, true) {
                            return self.run_accessor(ctx, owner, body, (f.this_class, f.this_obj), &name, None);
                        }
                    }
                    match self.field_owner(ci, &name) {
                        Some((owner, _, true)) => {
                            return Ok(self.read_static(ctx, owner, &name).unwrap_or(Val::Unknown))
                        }
                        Some((_, _, false)) => return Ok(Self::read_field(ctx, f.this_obj, &name)),
                        None => {}
                    }
                }
                Ok(Val::Unknown)
            }
            "field_access" => self.field_access(ctx, f, e),
            "parenthesized_expression" => match e.named_child(0) {
                Some(x) => self.expr(ctx, f, x),
                None => Ok(Val::Unknown),
            },
            "unary_expression" => {
                let op = e.child_by_field_name("operator").map(|o| text(o, src).to_string()).unwrap_or_default();
                let v = match e.child_by_field_name("operand") {
                    Some(x) => self.expr(ctx, f, x)?,
                    None => Val::Unknown,
                };
                Ok(match (op.as_str(), v) {
                    ("!", Val::Bool(b)) => Val::Bool(!b),
                    ("-", Val::Num(n)) => Val::Num(-n),
                    _ => Val::Unknown,
                })
            }
            "binary_expression" => self.binary(ctx, f, e),
            "ternary_expression" => {
                let cond = match e.child_by_field_name("condition") {
                    Some(c) => self.expr(ctx, f, c)?,
                    None => Val::Unknown,
                };
                match truth(&cond) {
                    Some(true) => {
                        e.child_by_field_name("consequence").map_or(Ok(Val::Unknown), |x| self.expr(ctx, f, x))
                    }
                    Some(false) => {
                        e.child_by_field_name("alternative").map_or(Ok(Val::Unknown), |x| self.expr(ctx, f, x))
                    }
                    None => {
                        // Either arm may be the one evaluated.
                        let pre = self.snap(ctx, f);
                        let mut ends = Vec::new();
                        let mut vals = Vec::new();
                        for (i, field) in ["consequence", "alternative"].into_iter().enumerate() {
                            if i > 0 {
                                self.restore(ctx, f, &pre);
                            }
                            ctx.open(EITHER);
                            let v = match e.child_by_field_name(field) {
                                Some(x) => self.expr(ctx, f, x).unwrap_or_else(|Thrown| {
                                    ctx.maybe_threw += 1;
                                    ctx.effects += 1;
                                    Val::Unknown
                                }),
                                None => Val::Unknown,
                            };
                            ctx.close(EITHER);
                            ends.push(self.snap(ctx, f));
                            vals.push(v);
                        }
                        let merged = join(&pre, &ends);
                        self.restore(ctx, f, &merged);
                        let refs: Vec<Option<&Val>> = vals.iter().map(Some).collect();
                        Ok(agree(&refs).unwrap_or(Val::Unknown))
                    }
                }
            }
            "assignment_expression" => {
                let v = match e.child_by_field_name("right") {
                    Some(r) => self.expr(ctx, f, r)?,
                    None => Val::Unknown,
                };
                let op = e.child_by_field_name("operator").map(|o| text(o, src).to_string()).unwrap_or_default();
                let v = match op.trim() {
                    "=" => v,
                    // `n += 2`, `n -= 1` on a known number (a loop's step).
                    "+=" | "-=" => {
                        let old = match e.child_by_field_name("left") {
                            Some(l) if matches!(l.kind(), "identifier" | "field_access") => self.expr(ctx, f, l)?,
                            _ => Val::Unknown,
                        };
                        match (old, v) {
                            (Val::Num(a), Val::Num(b)) => Val::Num(if op.trim() == "+=" { a + b } else { a - b }),
                            _ => Val::Unknown,
                        }
                    }
                    _ => Val::Unknown,
                };
                if let Some(l) = e.child_by_field_name("left") {
                    self.assign(ctx, f, l, v.clone());
                }
                Ok(v)
            }
            "method_invocation" => self.invoke(ctx, f, e),
            "class_literal" => {
                let t = lower(e, src);
                Ok(Val::Type(self.idx.class(t.trim_end_matches(".class").trim())))
            }
            "object_creation_expression" => {
                let ty = e.child_by_field_name("type").map(|t| type_text(t, src)).unwrap_or_default();
                let arg_list = e.child_by_field_name("arguments");
                let named: Vec<Node> = arg_list
                    .map(|a| {
                        let mut c = a.walk();
                        let v: Vec<Node> = a.named_children(&mut c).collect();
                        v
                    })
                    .unwrap_or_default();
                if !named.is_empty() && named.iter().all(|n| n.kind() == "assignment_expression") {
                    // An SObject with field values: new Account(Name = 'x').
                    let mut fields = BTreeMap::new();
                    for n in named {
                        let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else {
                            continue;
                        };
                        let v = self.expr(ctx, f, r)?;
                        fields.insert(lower(l, src), v);
                    }
                    return Ok(Val::Rec(ty, fields));
                }
                let args = self.args(ctx, f, arg_list)?;
                let types: Vec<Option<String>> = named.iter().map(|a| self.static_type(f, *a)).collect();
                let base = base_type(&ty);
                match self.idx.class(&ty) {
                    Some(ci) if !ty.contains('<') => self.construct(ctx, ci, args, &types),
                    _ if matches!(base, "list" | "set") && args.is_empty() => Ok(Val::Coll(ty, Vec::new())),
                    _ if matches!(base, "list" | "set") => Ok(match args.first() {
                        Some(Val::Coll(_, items)) if args.len() == 1 => Val::Coll(ty, items.clone()),
                        _ => Val::Obj(ty),
                    }),
                    _ if args.is_empty() && !base.contains('.') && self.idx.class(base).is_none() && base != "map" => {
                        Ok(Val::Rec(ty, BTreeMap::new()))
                    }
                    _ => Ok(Val::Obj(ty)),
                }
            }
            "dml_expression" => {
                let op = {
                    let mut c = e.walk();
                    let dml = e.named_children(&mut c).find(|n| n.kind() == "dml_type");
                    dml.map(|d| lower(d, src)).unwrap_or_default()
                };
                if let Some(t) = e.child_by_field_name("target") {
                    let v = self.expr(ctx, f, t)?;
                    // Records of a type the walk cannot tell fire every trigger on the event.
                    let obj = self
                        .static_type(f, t)
                        .filter(|ty| element_type(ty) != "sobject")
                        .or_else(|| v.type_name())
                        .map(|ty| element_type(&ty))
                        .unwrap_or_default();
                    ctx.effects += 1;
                    self.fire_triggers(ctx, &obj, op.trim(), records_of(&v));
                }
                Ok(Val::Unknown)
            }
            "array_creation_expression" => {
                let ty = e.child_by_field_name("type").map(|t| type_text(t, src)).unwrap_or_default();
                let ty = if ty.contains('<') { ty } else { format!("list<{ty}>") };
                let Some(init) = e.child_by_field_name("value") else { return Ok(Val::Obj(ty)) };
                let mut c = init.walk();
                let kids: Vec<Node> = init.named_children(&mut c).collect();
                let mut items = Vec::new();
                for k in kids {
                    items.push(self.expr(ctx, f, k)?);
                }
                if base_type(&ty) == "map" {
                    return Ok(Val::Obj(ty));
                }
                Ok(Val::Coll(ty, items))
            }
            "array_access" => {
                // `list[i]`: the element of a list of known elements at a known index.
                let (Some(a), Some(i)) = (e.child_by_field_name("array"), e.child_by_field_name("index")) else {
                    return Ok(Val::Unknown);
                };
                let list = self.expr(ctx, f, a)?;
                let index = self.expr(ctx, f, i)?;
                Ok(match (list, index) {
                    (Val::Coll(ty, items), Val::Num(n)) if base_type(&ty) == "list" && n >= 0.0 && n.fract() == 0.0 => {
                        // An index past the end throws a ListException: not modelled, unknown.
                        items.get(n as usize).cloned().unwrap_or(Val::Unknown)
                    }
                    _ => Val::Unknown,
                })
            }
            "cast_expression" => match e.child_by_field_name("value") {
                Some(v) => self.expr(ctx, f, v),
                None => Ok(Val::Unknown),
            },
            "update_expression" => {
                // `i++`, `--i`: a known number stays known (the loop counters the walk unrolls).
                let Some(o) = e.child_by_field_name("operand") else { return Ok(Val::Unknown) };
                let op = e.child_by_field_name("operator");
                let step = if op.is_some_and(|x| text(x, src).contains('-')) { -1.0 } else { 1.0 };
                let old = if matches!(o.kind(), "identifier" | "field_access") {
                    self.expr(ctx, f, o)?
                } else {
                    Val::Unknown
                };
                let new = match old {
                    Val::Num(n) => Val::Num(n + step),
                    _ => Val::Unknown,
                };
                self.assign(ctx, f, o, new.clone());
                let prefix = op.is_some_and(|x| x.start_byte() < o.start_byte());
                Ok(if prefix { new } else { old })
            }
            _ => {
                let mut c = e.walk();
                let kids: Vec<Node> = e.named_children(&mut c).collect();
                for k in kids {
                    if k.kind().ends_with("_statement") || k.kind() == "block" {
                        continue;
                    }
                    self.expr(ctx, f, k)?;
                }
                Ok(Val::Unknown)
            }
        }
    }

    fn field_access(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node) -> Walked {
        let src = f.src;
        let (Some(obj), Some(field)) = (e.child_by_field_name("object"), e.child_by_field_name("field")) else {
            return Ok(Val::Unknown);
        };
        let field = lower(field, src);
        let on = lower(obj, src).replace(char::is_whitespace, "");
        if on == "trigger" && Self::lookup(f, "trigger").is_none() {
            let Some(op) = ctx.trigger_op else {
                // Outside a trigger: the flags are false and the record lists null.
                return Ok(match field.as_str() {
                    "new" | "old" | "newmap" | "oldmap" | "operationtype" | "size" => Val::Null,
                    _ => Val::Bool(false),
                });
            };
            {
                return Ok(match field.as_str() {
                    "isinsert" => Val::Bool(op.ends_with("insert") && !op.ends_with("undelete")),
                    "isupdate" => Val::Bool(op.ends_with("update")),
                    "isdelete" => Val::Bool(op.ends_with("_delete")),
                    "isundelete" => Val::Bool(op.ends_with("undelete")),
                    "isbefore" => Val::Bool(op.starts_with("before")),
                    "isafter" => Val::Bool(op.starts_with("after")),
                    "isexecuting" => Val::Bool(true),
                    "operationtype" => Val::Str(op.to_ascii_uppercase()),
                    "new" | "newmap" if op.ends_with("_delete") => Val::Null,
                    "old" | "oldmap" if op.ends_with("insert") || op.ends_with("undelete") => Val::Null,
                    // The records the test's DML passed, with the fields it set.
                    "new" => match &ctx.trigger_records {
                        Some(r) => Val::Coll("list<sobject>".into(), r.clone()),
                        None => Val::Unknown,
                    },
                    // Their stored values (before the update): count known, fields not.
                    "old" => match &ctx.trigger_records {
                        Some(r) => Val::Coll("list<sobject>".into(), vec![Val::Unknown; r.len()]),
                        None => Val::Unknown,
                    },
                    "size" => ctx.trigger_records.as_ref().map_or(Val::Unknown, |r| Val::Num(r.len() as f64)),
                    _ => Val::Unknown,
                });
            }
        }
        if on.ends_with("triggeroperation") {
            return Ok(Val::Str(field.to_ascii_uppercase()));
        }
        if on == "this" {
            if let Some((owner, body)) = f.this_class.or(f.class).and_then(|c| self.accessor_of(c, &field, true)) {
                if f.accessor.as_deref() != Some(field.as_str()) {
                    return self.run_accessor(ctx, owner, body, (f.this_class, f.this_obj), &field, None);
                }
            }
            return Ok(Self::read_field(ctx, f.this_obj, &field));
        }
        if field == "class" && Self::lookup(f, &on).is_none() {
            return Ok(Val::Type(self.idx.class(&on)));
        }
        if Self::lookup(f, &on).is_none() {
            if let Some(ci) = self.idx.class(&on) {
                if f.class.is_none_or(|c| f.this_class.unwrap_or(c) != ci) || f.accessor.as_deref() != Some(&field) {
                    if let Some((owner, body)) = self.accessor_of(ci, &field, true) {
                        return self.run_accessor(ctx, owner, body, (None, None), &field, None);
                    }
                }
                if let Some((owner, _, true)) = self.field_owner(ci, &field) {
                    return Ok(self.read_static(ctx, owner, &field).unwrap_or(Val::Unknown));
                }
                return Ok(Val::Unknown);
            }
        }
        let static_ty = self.static_type(f, obj);
        let v = self.expr(ctx, f, obj)?;
        let class = self.val_class(ctx, &v).map(|(c, _)| c).or_else(|| static_ty.and_then(|t| self.idx.class(&t)));
        if let Some((owner, body)) = class.and_then(|c| self.accessor_of(c, &field, true)) {
            let id = match v {
                Val::Inst(id) => Some(id),
                _ => None,
            };
            return self.run_accessor(ctx, owner, body, (class, id), &field, None);
        }
        match v {
            Val::Inst(id) => Ok(Self::read_field(ctx, Some(id), &field)),
            Val::Rec(ty, fields) => Ok(match fields.get(&field) {
                Some(v) => v.clone(),
                // A custom field with no default value the record was never given.
                None if self.idx.no_default.contains(&format!("{ty}.{field}")) => Val::Null,
                None => Val::Unknown,
            }),
            _ => Ok(Val::Unknown),
        }
    }

    fn read_field(ctx: &Ctx, obj: Option<usize>, field: &str) -> Val {
        obj.and_then(|id| ctx.heap.get(id)).and_then(|i| i.fields.get(field).cloned()).unwrap_or(Val::Unknown)
    }

    fn write_field(ctx: &mut Ctx, obj: Option<usize>, field: String, v: Val) {
        if let Some(inst) = obj.and_then(|id| ctx.heap.get_mut(id)) {
            ctx.effects += 1;
            inst.fields.insert(field, v);
        }
    }

    pub(super) fn assign(&mut self, ctx: &mut Ctx, f: &mut Frame, l: Node, v: Val) {
        let src = f.src;
        match l.kind() {
            "identifier" => {
                let name = lower(l, src);
                if let Some(var) = f.scopes.iter_mut().rev().find_map(|s| s.get_mut(&name)) {
                    var.val = v;
                    return;
                }
                if let Some(ci) = f.class.filter(|_| f.accessor.as_deref() != Some(name.as_str())) {
                    if let Some((owner, body)) = self.accessor_of(f.this_class.unwrap_or(ci), &name, false) {
                        let _ = self.run_accessor(ctx, owner, body, (f.this_class, f.this_obj), &name, Some(v));
                        return;
                    }
                }
                if let Some(ci) = f.class {
                    match self.field_owner(ci, &name) {
                        Some((owner, _, true)) => {
                            ctx.effects += 1;
                            ctx.statics.insert((owner, name), v);
                        }
                        Some((_, _, false)) => Self::write_field(ctx, f.this_obj, name, v),
                        None => {}
                    }
                }
            }
            "field_access" => {
                let (Some(obj), Some(field)) = (l.child_by_field_name("object"), l.child_by_field_name("field")) else {
                    return;
                };
                let field = lower(field, src);
                let on = lower(obj, src);
                if on == "this" {
                    if f.accessor.as_deref() != Some(field.as_str()) {
                        if let Some((owner, body)) =
                            f.this_class.or(f.class).and_then(|c| self.accessor_of(c, &field, false))
                        {
                            let _ = self.run_accessor(ctx, owner, body, (f.this_class, f.this_obj), &field, Some(v));
                            return;
                        }
                    }
                    Self::write_field(ctx, f.this_obj, field, v);
                    return;
                }
                let inst = Self::lookup(f, &on).and_then(|var| match var.val {
                    Val::Inst(id) => ctx.heap.get(id).map(|i| (i.class, id)),
                    _ => None,
                });
                if let Some((ci, id)) = inst {
                    if let Some((owner, body)) = self.accessor_of(ci, &field, false) {
                        let _ = self.run_accessor(ctx, owner, body, (Some(ci), Some(id)), &field, Some(v));
                        return;
                    }
                }
                if let Some(var) = f.scopes.iter_mut().rev().find_map(|s| s.get_mut(&on)) {
                    match &mut var.val {
                        Val::Inst(id) => {
                            let id = *id;
                            Self::write_field(ctx, Some(id), field, v);
                        }
                        Val::Rec(_, fields) => {
                            fields.insert(field, v);
                        }
                        _ => {}
                    }
                    return;
                }
                if let Some(ci) = self.idx.class(&on) {
                    if let Some((owner, body)) = self.accessor_of(ci, &field, false) {
                        let _ = self.run_accessor(ctx, owner, body, (None, None), &field, Some(v));
                        return;
                    }
                    if let Some((owner, _, true)) = self.field_owner(ci, &field) {
                        self.load(ctx, owner);
                        ctx.effects += 1;
                        ctx.statics.insert((owner, field), v);
                    }
                }
            }
            _ => {}
        }
    }

    /// Evaluates `e`, under an [`EITHER`] doubt when `doubtful` (the right side of `&&`/`||`
    /// after a left side the walk cannot tell).
    fn maybe_expr(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node, doubtful: bool) -> Walked {
        if !doubtful {
            return self.expr(ctx, f, e);
        }
        // It may not run: what it changes is merged with the state it would have left alone.
        let pre = self.snap(ctx, f);
        ctx.open(EITHER);
        let v = self.expr(ctx, f, e);
        ctx.close(EITHER);
        let end = self.snap(ctx, f);
        let merged = join(&pre, &[pre.clone(), end]);
        self.restore(ctx, f, &merged);
        Ok(v.unwrap_or_else(|Thrown| {
            ctx.maybe_threw += 1;
            ctx.effects += 1;
            Val::Unknown
        }))
    }

    fn binary(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node) -> Walked {
        let src = f.src;
        let op = e.child_by_field_name("operator").map(|o| text(o, src).to_string()).unwrap_or_default();
        let (Some(l), Some(r)) = (e.child_by_field_name("left"), e.child_by_field_name("right")) else {
            return Ok(Val::Unknown);
        };
        let lv = self.expr(ctx, f, l)?;
        match op.as_str() {
            "&&" => {
                if truth(&lv) == Some(false) {
                    return Ok(Val::Bool(false));
                }
                let rv = self.maybe_expr(ctx, f, r, truth(&lv).is_none())?;
                return Ok(match (truth(&lv), truth(&rv)) {
                    (_, Some(false)) => Val::Bool(false),
                    (Some(true), Some(true)) => Val::Bool(true),
                    _ => Val::Unknown,
                });
            }
            "||" => {
                if truth(&lv) == Some(true) {
                    return Ok(Val::Bool(true));
                }
                let rv = self.maybe_expr(ctx, f, r, truth(&lv).is_none())?;
                return Ok(match (truth(&lv), truth(&rv)) {
                    (_, Some(true)) => Val::Bool(true),
                    (Some(false), Some(false)) => Val::Bool(false),
                    _ => Val::Unknown,
                });
            }
            _ => {}
        }
        let rv = self.expr(ctx, f, r)?;
        let known = |v: &Val| !matches!(v, Val::Unknown);
        Ok(match op.as_str() {
            "==" | "!=" | "===" | "!==" => {
                let eq = match (&lv, &rv) {
                    (Val::Null, Val::Null) => Some(true),
                    (Val::Null, Val::Obj(_) | Val::Inst(_) | Val::Coll(..) | Val::Rec(..) | Val::Type(Some(_)))
                    | (Val::Obj(_) | Val::Inst(_) | Val::Coll(..) | Val::Rec(..) | Val::Type(Some(_)), Val::Null) => {
                        Some(false)
                    }
                    (Val::Inst(a), Val::Inst(b)) => Some(a == b),
                    (Val::Null, x) | (x, Val::Null) if matches!(x, Val::Bool(_) | Val::Num(_) | Val::Str(_)) => {
                        Some(false)
                    }
                    (Val::Bool(a), Val::Bool(b)) => Some(a == b),
                    (Val::Num(a), Val::Num(b)) => Some(a == b),
                    (Val::Str(a), Val::Str(b)) => Some(a.eq_ignore_ascii_case(b)),
                    _ => None,
                };
                match eq {
                    Some(b) => Val::Bool(if op.starts_with('!') { !b } else { b }),
                    None => Val::Unknown,
                }
            }
            "<" | ">" | "<=" | ">=" => match (&lv, &rv) {
                (Val::Num(a), Val::Num(b)) => Val::Bool(match op.as_str() {
                    "<" => a < b,
                    ">" => a > b,
                    "<=" => a <= b,
                    _ => a >= b,
                }),
                _ => Val::Unknown,
            },
            "+" if known(&lv) && known(&rv) => match (&lv, &rv) {
                (Val::Num(a), Val::Num(b)) => Val::Num(a + b),
                _ => Val::Unknown,
            },
            "-" => match (&lv, &rv) {
                (Val::Num(a), Val::Num(b)) => Val::Num(a - b),
                _ => Val::Unknown,
            },
            _ => Val::Unknown,
        })
    }
}
