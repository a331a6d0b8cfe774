//! Expressions: names and member chains (a value, a class, an SObject type or a platform
//! class), assignment, operators, object and collection creation.

use super::{Ctl, Frame, Interp, Qual, R};
use crate::apex::runtime::ast::*;
use crate::apex::runtime::stdlib;
use crate::apex::runtime::values::*;
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::rc::Rc;
use std::str::FromStr;

/// Platform classes and namespaces whose static members the standard library serves.
const BUILTINS: &[&str] = &[
    "system",
    "schema",
    "database",
    "string",
    "math",
    "json",
    "test",
    "limits",
    "userinfo",
    "crypto",
    "encodingutil",
    "date",
    "datetime",
    "time",
    "integer",
    "long",
    "decimal",
    "double",
    "boolean",
    "id",
    "blob",
    "type",
    "url",
    "eventbus",
    "assert",
    "trigger",
    "pattern",
    "matcher",
    "http",
    "httprequest",
    "httpresponse",
    "messaging",
    "search",
    "label",
    "site",
    "network",
    "auth",
    "cache",
    "apexpages",
    "connectapi",
    "flow",
    "approval",
    "userinfo",
    "sobjecttype",
    "queueableduplicatesignature",
    "asyncinfo",
    "request",
    "featuremanagement",
    "jsonparser",
    "jsongenerator",
    "jsontoken",
    "dom",
    "xmlstreamreader",
    "xmlstreamwriter",
    "formula",
    "process",
    "metadata",
    "reports",
    "knowledgearticleversion",
    "canvas",
    "datacategory",
    "wave",
    "compression",
    "quickaction",
    "invocable",
    "apexclass",
    "limit",
    "object",
    "sobject",
    "list",
    "set",
    "map",
    "comparator",
    "security",
    "restcontext",
    "restrequest",
    "restresponse",
];

impl<'p> Interp<'p> {
    /// Evaluates an expression.
    pub fn eval(&mut self, f: &mut Frame, e: &Expr) -> R<Value> {
        match &e.kind {
            E::Null => Ok(Value::Null),
            E::Bool(b) => Ok(Value::Bool(*b)),
            E::Int(i) => Ok(Value::Int(*i)),
            E::Long(l) => Ok(Value::Long(*l)),
            E::Double(d) => Ok(Value::Double(*d)),
            E::Decimal(t) => match Decimal::from_str(t) {
                Ok(d) => Ok(Value::Dec(d)),
                Err(_) => Ok(Value::Double(t.parse().unwrap_or(0.0))),
            },
            E::Str(s) => Ok(Value::Str(Rc::from(&**s))),
            E::Local(slot, _) => Ok(f.locals.get(*slot as usize).cloned().unwrap_or_default()),
            E::This => match &f.this {
                Some(o) => Ok(Value::Obj(o.clone())),
                None => self.compile_error("Variable does not exist: this"),
            },
            E::Name(_) | E::Field { .. } => match self.qual(f, e)? {
                None => Ok(Value::Null),
                Some(Qual::Val(v)) => Ok(v),
                Some(Qual::Class(c)) => Ok(Value::Type(Rc::new(Ty::Class(c)))),
                Some(Qual::SObj(_)) | Some(Qual::Builtin(_)) => {
                    let n = match &e.kind {
                        E::Name(n) => n.to_string(),
                        E::Field { name, .. } => name.to_string(),
                        _ => String::new(),
                    };
                    self.compile_error(format!("Variable does not exist: {n}"))
                }
            },
            E::Call { .. } => match self.call_expr(f, e)? {
                Some(v) => Ok(v),
                None => Ok(Value::Null),
            },
            E::New { ty, args } => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(f, a)?);
                }
                let t = self.ty(ty, f.class);
                self.construct(&t, ty, vals, e.loc)
            }
            E::NewSObject { ty, fields } => {
                let t = self.ty(ty, f.class);
                match t {
                    Ty::SObject(Some(name)) => {
                        let mut s = SObj::new(&name);
                        for (k, v) in fields {
                            let val = self.eval(f, v)?;
                            let val = self.field_value_for(&name, k, val)?;
                            s.put(k, val);
                        }
                        Ok(Value::sobject(s))
                    }
                    _ => self.unsupported(format!("named arguments to the constructor of {}", ty.display())),
                }
            }
            E::NewCollection { ty, items } => {
                let t = self.ty(ty, f.class);
                let mut vals = Vec::with_capacity(items.len());
                match &t {
                    Ty::List(el) | Ty::Set(el) => {
                        for i in items {
                            let v = self.eval(f, i)?;
                            vals.push(self.coerce(v, el)?);
                        }
                    }
                    _ => return self.compile_error(format!("Invalid initializer type {}", ty.display())),
                }
                Ok(match t {
                    Ty::List(el) => Value::list(*el, vals),
                    Ty::Set(el) => Value::set(*el, vals),
                    _ => Value::Null,
                })
            }
            E::NewArray { ty, size } => {
                let t = self.ty(ty, f.class);
                let n = self.eval(f, size)?;
                let n = match n {
                    Value::Int(n) if n >= 0 => n as usize,
                    Value::Int(n) => return self.throw("System.ListException", format!("Negative array size: {n}")),
                    Value::Null => return self.npe(),
                    _ => return self.compile_error("Array size must be an Integer"),
                };
                self.heap_check(n.saturating_mul(8))?;
                let el = match t {
                    Ty::List(el) => *el,
                    other => other,
                };
                Ok(Value::list(el, vec![Value::Null; n]))
            }
            E::NewMap { ty, pairs } => {
                let t = self.ty(ty, f.class);
                // `new List<T>{}` parses as an empty map initialiser.
                match (&t, pairs.is_empty()) {
                    (Ty::List(el), true) => return Ok(Value::list((**el).clone(), Vec::new())),
                    (Ty::Set(el), true) => return Ok(Value::set((**el).clone(), Vec::new())),
                    _ => {}
                }
                let (kt, vt) = match t {
                    Ty::Map(k, v) => (*k, *v),
                    _ => (Ty::Object, Ty::Object),
                };
                let m = Value::map(kt.clone(), vt.clone());
                for (k, v) in pairs {
                    let kv = self.eval(f, k)?;
                    let kv = self.coerce(kv, &kt)?;
                    let vv = self.eval(f, v)?;
                    let vv = self.coerce(vv, &vt)?;
                    if let Value::Map(mm) = &m {
                        mm.borrow_mut().items.insert(key_of(&kv), (kv, vv));
                    }
                }
                Ok(m)
            }
            E::Index { obj, index } => {
                let o = self.eval(f, obj)?;
                let i = self.eval(f, index)?;
                self.index_get(&o, &i)
            }
            E::Assign { target, op, value } => {
                let v = match op {
                    None => self.eval(f, value)?,
                    Some(op) => {
                        let cur = self.eval(f, target)?;
                        let rhs = self.eval(f, value)?;
                        self.arith(*op, cur, rhs)?
                    }
                };
                self.assign(f, target, v)
            }
            E::Binary { op, l, r } => {
                let a = self.eval(f, l)?;
                let b = self.eval(f, r)?;
                self.binary(*op, a, b)
            }
            E::And(l, r) => {
                let a = self.eval(f, l)?;
                if !self.truthy(&a)? {
                    return Ok(Value::Bool(false));
                }
                let b = self.eval(f, r)?;
                Ok(Value::Bool(self.truthy(&b)?))
            }
            E::Or(l, r) => {
                let a = self.eval(f, l)?;
                if self.truthy(&a)? {
                    return Ok(Value::Bool(true));
                }
                let b = self.eval(f, r)?;
                Ok(Value::Bool(self.truthy(&b)?))
            }
            E::Coalesce(l, r) => {
                let a = self.eval(f, l)?;
                if a.is_null() {
                    self.eval(f, r)
                } else {
                    Ok(a)
                }
            }
            E::Not(x) => {
                let v = self.eval(f, x)?;
                Ok(Value::Bool(!self.truthy(&v)?))
            }
            E::Neg(x) => {
                let v = self.eval(f, x)?;
                match v {
                    Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
                    Value::Long(i) => Ok(Value::Long(i.wrapping_neg())),
                    Value::Double(d) => Ok(Value::Double(-d)),
                    Value::Dec(d) => Ok(Value::Dec(-d)),
                    Value::Null => self.npe(),
                    _ => self.compile_error("Arithmetic expressions must use numeric arguments"),
                }
            }
            E::Plus(x) => self.eval(f, x),
            E::BitNot(x) => match self.eval(f, x)? {
                Value::Int(i) => Ok(Value::Int(!i)),
                Value::Long(i) => Ok(Value::Long(!i)),
                Value::Null => self.npe(),
                _ => self.compile_error("Bitwise operators require Integer or Long arguments"),
            },
            E::IncDec { target, inc, prefix } => {
                let cur = self.eval(f, target)?;
                let one = Value::Int(1);
                let next = self.arith(if *inc { BinOp::Add } else { BinOp::Sub }, cur.clone(), one)?;
                self.assign(f, target, next.clone())?;
                Ok(if *prefix { next } else { cur })
            }
            E::Ternary(c, a, b) => {
                let v = self.eval(f, c)?;
                if self.truthy(&v)? {
                    self.eval(f, a)
                } else {
                    self.eval(f, b)
                }
            }
            E::Cast { ty, e: x } => {
                let v = self.eval(f, x)?;
                let t = self.ty(ty, f.class);
                self.cast(v, &t)
            }
            E::InstanceOf { e: x, ty } => {
                let v = self.eval(f, x)?;
                let t = self.ty(ty, f.class);
                Ok(Value::Bool(self.is_instance(&v, &t)))
            }
            E::ClassLit(ty) => {
                let t = self.ty(ty, f.class);
                Ok(Value::Type(Rc::new(t)))
            }
            E::Soql { text, binds } => {
                let mut vals = Vec::with_capacity(binds.len());
                for b in binds {
                    vals.push(self.eval(f, b)?);
                }
                self.soql(text, vals)
            }
            E::Sosl => self.unsupported("SOSL (a FIND query) needs the org's search index"),
            E::Dml { op, target, key, merge_with, user_mode } => {
                if *user_mode {
                    stdlib::platform::permission_gap(self, "user-mode DML")?;
                }
                let t = self.eval(f, target)?;
                let m = match merge_with {
                    Some(m) => Some(self.eval(f, m)?),
                    None => None,
                };
                self.dml_statement(*op, t, key.as_ref(), m)?;
                Ok(Value::Null)
            }
            E::WithScope { call, scope } => {
                let vals: Vec<(std::sync::Arc<str>, Value)> = scope
                    .iter()
                    .map(|(n, s)| (n.clone(), f.locals.get(*s as usize).cloned().unwrap_or_default()))
                    .collect();
                let saved = (std::mem::replace(&mut self.dyn_scope, vals), self.dyn_this.take(), self.dyn_class);
                self.dyn_this = f.this.clone();
                self.dyn_class = f.class;
                let r = self.eval(f, call);
                self.dyn_scope = saved.0;
                self.dyn_this = saved.1;
                self.dyn_class = saved.2;
                r
            }
            E::Unsupported(what) => self.unsupported(what.to_string()),
        }
    }

    /// [`Interp::eval`] where the expected type is known (kept for typed literals).
    pub fn eval_typed(&mut self, f: &mut Frame, e: &Expr, _t: &Ty) -> R<Value> {
        self.eval(f, e)
    }

    /// A binary operator.
    pub fn binary(&mut self, op: BinOp, a: Value, b: Value) -> R<Value> {
        use std::cmp::Ordering::*;
        Ok(match op {
            BinOp::Eq => Value::Bool(self.eq(&a, &b)?),
            BinOp::Ne => Value::Bool(!self.eq(&a, &b)?),
            BinOp::ExactEq => Value::Bool(exact_eq(&a, &b)),
            BinOp::ExactNe => Value::Bool(!exact_eq(&a, &b)),
            BinOp::Lt => Value::Bool(matches!(self.compare(&a, &b)?, Some(Less))),
            BinOp::Le => Value::Bool(matches!(self.compare(&a, &b)?, Some(Less | Equal))),
            BinOp::Gt => Value::Bool(matches!(self.compare(&a, &b)?, Some(Greater))),
            BinOp::Ge => Value::Bool(matches!(self.compare(&a, &b)?, Some(Greater | Equal))),
            BinOp::Rem => return self.compile_error("The % operator is not Apex: use Math.mod"),
            _ => return self.arith(op, a, b),
        })
    }

    /// Resolves a name or member chain. `None`: a safe navigation met null and the whole chain
    /// is null.
    pub fn qual(&mut self, f: &mut Frame, e: &Expr) -> R<Option<Qual>> {
        match &e.kind {
            E::Name(n) => self.name(f, n).map(Some),
            E::Local(slot, _) => Ok(Some(Qual::Val(f.locals.get(*slot as usize).cloned().unwrap_or_default()))),
            E::Field { obj, name, safe } => {
                if let E::Soql { .. } = obj.kind {
                    // `[SELECT Name FROM Account LIMIT 1].Name`: a one-row query used as a record.
                    let rows = self.eval(f, obj)?;
                    let rec = self.single_row(rows)?;
                    return self.member(Qual::Val(rec), name).map(Some);
                }
                let Some(q) = self.qual(f, obj)? else { return Ok(None) };
                if *safe {
                    if let Qual::Val(Value::Null) = q {
                        return Ok(None);
                    }
                }
                self.member(q, name).map(Some)
            }
            E::Call { .. } => Ok(self.call_expr(f, e)?.map(Qual::Val)),
            E::Index { obj, index } => {
                let Some(q) = self.qual(f, obj)? else { return Ok(None) };
                let o = match q {
                    Qual::Val(v) => v,
                    _ => return self.compile_error("Expression must be a list type"),
                };
                let i = self.eval(f, index)?;
                Ok(Some(Qual::Val(self.index_get(&o, &i)?)))
            }
            _ => Ok(Some(Qual::Val(self.eval(f, e)?))),
        }
    }

    /// A simple name: a field (instance or static, of the class, its ancestors and enclosing
    /// classes), a class, an SObject type, or a platform class.
    fn name(&mut self, f: &mut Frame, n: &str) -> R<Qual> {
        let l = n.to_ascii_lowercase();
        if let Some(this) = &f.this {
            let cid = this.borrow().class;
            if let Some(v) = self.instance_field_get(this.clone(), cid, &l)? {
                return Ok(Qual::Val(v));
            }
        }
        let mut at = f.class;
        let mut guard = 0;
        while let Some(c) = at {
            guard += 1;
            if guard > 200 {
                break;
            }
            if let Some((owner, idx)) = self.find_static(c, &l) {
                return Ok(Qual::Val(self.static_get(owner, idx)?));
            }
            at = self.p.classes[c as usize].outer;
        }
        if let Some(c) = self.p.class_named(&l, f.class) {
            return Ok(Qual::Class(c));
        }
        if let Some(o) = self.sobject_type(&l) {
            return Ok(Qual::SObj(o));
        }
        if BUILTINS.contains(&l.as_str()) {
            return Ok(Qual::Builtin(l));
        }
        if f.class.is_none() && l == "trigger" {
            return Ok(Qual::Builtin(l));
        }
        self.unknown_name(n)
    }

    fn unknown_name<T>(&mut self, n: &str) -> R<T> {
        // A name the program does not know: a custom object or platform class the runtime has
        // no schema for is not a compile error the platform would raise; a plain variable is.
        let l = n.to_ascii_lowercase();
        if l.ends_with("__c") || l.ends_with("__mdt") || l.ends_with("__e") || l.ends_with("__x") || l.contains("__") {
            return self.unsupported(format!("{n}: an object not in the package (org metadata)"));
        }
        if n.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            return self.unsupported(format!("{n}: a type or object the runtime does not model"));
        }
        self.compile_error(format!("Variable does not exist: {n}"))
    }

    /// `q.name`.
    pub fn member(&mut self, q: Qual, name: &str) -> R<Qual> {
        let l = name.to_ascii_lowercase();
        match q {
            Qual::Val(v) => Ok(Qual::Val(self.field_get(&v, name)?)),
            Qual::Class(c) => {
                if let Some((owner, idx)) = self.find_static(c, &l) {
                    return Ok(Qual::Val(self.static_get(owner, idx)?));
                }
                let cl = &self.p.classes[c as usize];
                if let Some(i) = cl.inner.get(&l) {
                    return Ok(Qual::Class(*i));
                }
                if let Some(o) = cl.decl.enum_values.iter().position(|x| x.eq_ignore_ascii_case(name)) {
                    return Ok(Qual::Val(Value::Enum(c, o as u32)));
                }
                // A platform class nested in a modelled one (`Database.Batchable` ...).
                let full = format!("{}.{l}", cl.full.to_ascii_lowercase());
                if let Some(x) = self.p.class_named(&full, None) {
                    return Ok(Qual::Class(x));
                }
                let cname = cl.full.to_string();
                if self.p.classes[c as usize].platform {
                    return self.unsupported(format!("{cname}.{name}"));
                }
                self.compile_error(format!("Variable does not exist: {name} (on {cname})"))
            }
            Qual::SObj(o) => {
                if l == "sobjecttype" {
                    return Ok(Qual::Val(Value::SType(o)));
                }
                let info = self.schema.object(&o);
                let known = info.and_then(|i| i.field(name)).map(|fi| fi.name.to_string());
                match (known, info.map(|i| i.lenient)) {
                    (Some(fname), _) => Ok(Qual::Val(Value::SField(Rc::new((o.clone(), fname.into()))))),
                    (None, Some(true)) => Ok(Qual::Val(Value::SField(Rc::new((o.clone(), name.into()))))),
                    _ => {
                        if let Some(rel) = info.and_then(|i| i.relationship(name)) {
                            let _ = rel;
                            return Ok(Qual::Val(Value::SField(Rc::new((o.clone(), name.into())))));
                        }
                        self.invalid_field(&o, name)
                    }
                }
            }
            Qual::Builtin(b) => {
                let full = format!("{b}.{l}");
                if let Some(c) = self.p.class_named(&full, None) {
                    return Ok(Qual::Class(c));
                }
                if b == "schema" {
                    if let Some(o) = self.sobject_type(&l) {
                        return Ok(Qual::SObj(o));
                    }
                }
                if let Some(v) = stdlib::static_prop(self, &b, &l)? {
                    return Ok(v);
                }
                if BUILTINS.contains(&l.as_str()) && matches!(b.as_str(), "system" | "schema" | "database") {
                    return Ok(Qual::Builtin(if b == "system" { l } else { full }));
                }
                Ok(Qual::Builtin(full))
            }
        }
    }

    /// `v.name` on a value.
    pub fn field_get(&mut self, v: &Value, name: &str) -> R<Value> {
        let l = name.to_ascii_lowercase();
        match v {
            Value::Null => self.npe(),
            Value::Obj(o) => {
                let cid = o.borrow().class;
                match self.instance_field_get(o.clone(), cid, &l)? {
                    Some(v) => Ok(v),
                    None => {
                        // A static read through an instance.
                        if let Some((owner, idx)) = self.find_static(cid, &l) {
                            return self.static_get(owner, idx);
                        }
                        let cname = self.p.classes[cid as usize].full.to_string();
                        self.compile_error(format!("Variable does not exist: {name} (on {cname})"))
                    }
                }
            }
            Value::SObject(s) => self.sobject_get(s, name),
            _ => match stdlib::instance_prop(self, v, &l)? {
                Some(x) => Ok(x),
                None => {
                    let t = self.type_name_of(v);
                    self.unsupported(format!("the property {name} of {t}"))
                }
            },
        }
    }

    /// Reads a record's field (or parent record, or child list).
    pub fn sobject_get(&mut self, s: &Rc<RefCell<SObj>>, name: &str) -> R<Value> {
        let l = name.to_ascii_lowercase();
        let (ty, found, queried) = {
            let b = s.borrow();
            (b.ty.clone(), b.fields.get(l.as_str()).map(|(_, v)| v.clone()), b.queried)
        };
        if let Some(v) = found {
            return Ok(v);
        }
        let info = self.schema.object(&ty);
        let is_field = info.is_none_or(|i| i.lenient || i.field(name).is_some());
        let is_rel = info.is_some_and(|i| i.relationship(name).is_some() || i.children.contains_key(&l));
        if !is_field && !is_rel {
            return self.invalid_field(&ty, name);
        }
        // A lookup whose parent the query selected fields of: the query returns the foreign key
        // too (`SELECT Account.Name FROM Contact` fills AccountId).
        let parent_rel = info.and_then(|i| i.field(name)).and_then(|f| f.relationship.clone());
        if let Some(rel) = parent_rel.filter(|_| queried) {
            let parent = s.borrow().get(&rel).cloned();
            if let Some(Value::SObject(p)) = parent {
                return Ok(p.borrow().get("id").cloned().unwrap_or_default());
            }
        }
        if queried && !is_rel && l != "id" {
            return self.throw(
                "System.SObjectException",
                format!("SObject row was retrieved via SOQL without querying the requested field: {ty}.{name}"),
            );
        }
        Ok(Value::Null)
    }

    /// `v[i]`.
    pub fn index_get(&mut self, o: &Value, i: &Value) -> R<Value> {
        match (o, i) {
            (Value::Null, _) => self.npe(),
            (Value::List(l), Value::Int(i)) => {
                let l = l.borrow();
                match usize::try_from(*i).ok().and_then(|i| l.items.get(i)) {
                    Some(v) => Ok(v.clone()),
                    None => {
                        let n = l.items.len();
                        drop(l);
                        let _ = n;
                        self.throw("System.ListException", format!("List index out of bounds: {i}"))
                    }
                }
            }
            (Value::List(_), Value::Null) => self.npe(),
            _ => self.compile_error("Expression must be a list type"),
        }
    }

    /// Assigns to a local, field, static or list element.
    pub fn assign(&mut self, f: &mut Frame, target: &Expr, v: Value) -> R<Value> {
        match &target.kind {
            E::Local(slot, _) => {
                // Locals keep their declared type: convert as a declaration would.
                let types = f.types.clone();
                let declared = types.as_ref().and_then(|t| t.get(*slot as usize)).and_then(|x| x.as_ref());
                if let Some(tr) = declared {
                    // `tr` lives in the program (the Arc is the method's): the cache key is stable.
                    let t = self.ty(tr, f.class);
                    let v = self.coerce(v, &t)?;
                    if let Some(s) = f.locals.get_mut(*slot as usize) {
                        *s = v.clone();
                    }
                    return Ok(v);
                }
                let cur = f.locals.get(*slot as usize).cloned().unwrap_or_default();
                let v = match (&cur, &v) {
                    (Value::Long(_), Value::Int(i)) => Value::Long(*i as i64),
                    (Value::Double(_), Value::Int(_) | Value::Long(_) | Value::Dec(_)) => {
                        Value::Double(crate::apex::runtime::interp::ops::as_f64(&v).unwrap_or(0.0))
                    }
                    (Value::Dec(_), Value::Int(_) | Value::Long(_) | Value::Double(_)) => {
                        Value::Dec(crate::apex::runtime::interp::ops::as_dec(&v).unwrap_or_default())
                    }
                    _ => v,
                };
                if let Some(s) = f.locals.get_mut(*slot as usize) {
                    *s = v.clone();
                }
                Ok(v)
            }
            E::Name(n) => {
                let l = n.to_ascii_lowercase();
                if let Some(this) = f.this.clone() {
                    let cid = this.borrow().class;
                    if self.instance_field_set(this, cid, &l, v.clone())? {
                        return Ok(v);
                    }
                }
                let mut at = f.class;
                while let Some(c) = at {
                    if let Some((owner, idx)) = self.find_static(c, &l) {
                        self.static_set(owner, idx, v.clone())?;
                        return Ok(v);
                    }
                    at = self.p.classes[c as usize].outer;
                }
                self.unknown_name(n)
            }
            E::Field { obj, name, .. } => {
                let Some(q) = self.qual(f, obj)? else { return self.npe() };
                match q {
                    Qual::Val(Value::Obj(o)) => {
                        let cid = o.borrow().class;
                        let l = name.to_ascii_lowercase();
                        if self.instance_field_set(o, cid, &l, v.clone())? {
                            return Ok(v);
                        }
                        if let Some((owner, idx)) = self.find_static(cid, &l) {
                            self.static_set(owner, idx, v.clone())?;
                            return Ok(v);
                        }
                        self.compile_error(format!("Variable does not exist: {name}"))
                    }
                    Qual::Val(Value::SObject(s)) => {
                        let ty = s.borrow().ty.clone();
                        let v = self.field_value_for(&ty, name, v)?;
                        s.borrow_mut().put(name, v.clone());
                        Ok(v)
                    }
                    Qual::Val(Value::Null) => self.npe(),
                    Qual::Val(other) => {
                        stdlib::set_prop(self, &other, &name.to_ascii_lowercase(), v.clone())?;
                        Ok(v)
                    }
                    Qual::Builtin(b) => {
                        let b = b.strip_prefix("system.").unwrap_or(&b).to_string();
                        if stdlib::platform::static_set(self, &b, &name.to_ascii_lowercase(), v.clone()) {
                            return Ok(v);
                        }
                        self.unsupported(format!("setting {b}.{name}"))
                    }
                    Qual::Class(c) => {
                        let l = name.to_ascii_lowercase();
                        match self.find_static(c, &l) {
                            Some((owner, idx)) => {
                                self.static_set(owner, idx, v.clone())?;
                                Ok(v)
                            }
                            None => self.compile_error(format!("Variable does not exist: {name}")),
                        }
                    }
                    _ => self.compile_error(format!("Variable does not exist: {name}")),
                }
            }
            E::Index { obj, index } => {
                let o = self.eval(f, obj)?;
                let i = self.eval(f, index)?;
                match (&o, &i) {
                    (Value::List(l), Value::Int(idx)) => {
                        let el = l.borrow().elem.clone();
                        let v = self.coerce(v, &el)?;
                        let mut lb = l.borrow_mut();
                        match usize::try_from(*idx).ok().filter(|x| *x < lb.items.len()) {
                            Some(x) => {
                                lb.items[x] = v.clone();
                                Ok(v)
                            }
                            None => {
                                drop(lb);
                                self.throw("System.ListException", format!("List index out of bounds: {idx}"))
                            }
                        }
                    }
                    (Value::Null, _) | (_, Value::Null) => self.npe(),
                    _ => self.compile_error("Expression must be a list type"),
                }
            }
            _ => self.compile_error("Expression cannot be assigned"),
        }
    }

    /// Checks and converts a value written to a record's field (an unknown field of a package
    /// object is a compile error; numbers become Decimals as record fields hold them).
    pub fn field_value_for(&mut self, obj: &str, field: &str, v: Value) -> R<Value> {
        use crate::apex::runtime::db::schema::FieldType;
        let Some(info) = self.schema.object(obj) else { return Ok(v) };
        let Some(fi) = info.field(field) else {
            if info.lenient
                || info.relationship(field).is_some()
                || info.children.contains_key(&field.to_ascii_lowercase())
            {
                return Ok(v);
            }
            return self.invalid_field(obj, field);
        };
        let ty = fi.ty.clone();
        Ok(match (ty, v) {
            (_, Value::Null) => Value::Null,
            (FieldType::Number(_), Value::Int(i)) => Value::Dec(Decimal::from(i)),
            (FieldType::Number(_), Value::Long(i)) => Value::Dec(Decimal::from(i)),
            (FieldType::Number(_), Value::Double(d)) => {
                Value::Dec(crate::apex::runtime::interp::ops::dec_from_f64(d).unwrap_or_default())
            }
            (FieldType::Id | FieldType::Reference(_), Value::Str(s)) => match crate::apex::runtime::db::ids::to18(&s) {
                Some(id) => Value::Id(id.into()),
                None => {
                    return self.throw("System.StringException", format!("Invalid id: {s}"));
                }
            },
            (FieldType::Text(_), Value::Id(s)) => Value::Str(s),
            (_, v) => v,
        })
    }

    /// Finds a static field by name in a class or its ancestors: (declaring class, index).
    pub fn find_static(&self, c: ClassId, l: &str) -> Option<(ClassId, usize)> {
        let mut at = Some(c);
        let mut guard = 0;
        while let Some(x) = at {
            guard += 1;
            if guard > 100 {
                break;
            }
            if let Some(i) = self.p.classes[x as usize].statics.get(l) {
                return Some((x, *i));
            }
            at = self.p.classes[x as usize].superclass;
        }
        None
    }

    /// Reads an instance field or property (`None`: no such field).
    pub fn instance_field_get(&mut self, o: Rc<RefCell<Obj>>, cid: ClassId, l: &str) -> R<Option<Value>> {
        let Some(&pos) = self.p.classes[cid as usize].layout_index.get(l) else { return Ok(None) };
        let (owner, fi) = self.p.classes[cid as usize].layout[pos];
        let field = &self.p.classes[owner as usize].decl.fields[fi];
        if let Some(g) = &field.getter {
            if !self.in_accessor(owner, fi) {
                let v = self.run_accessor(owner, fi, g, Some(o), None)?;
                return Ok(Some(v));
            }
        }
        let v = o.borrow().fields.get(pos).cloned().unwrap_or_default();
        Ok(Some(v))
    }

    /// Writes an instance field or property (`false`: no such field).
    pub fn instance_field_set(&mut self, o: Rc<RefCell<Obj>>, cid: ClassId, l: &str, v: Value) -> R<bool> {
        let Some(&pos) = self.p.classes[cid as usize].layout_index.get(l) else { return Ok(false) };
        let (owner, fi) = self.p.classes[cid as usize].layout[pos];
        let field = &self.p.classes[owner as usize].decl.fields[fi];
        let t = self.ty(&field.ty, Some(owner));
        let v = self.coerce(v, &t)?;
        if let Some(s) = &field.setter {
            if !self.in_accessor(owner, fi) {
                self.run_accessor(owner, fi, s, Some(o), Some(v))?;
                return Ok(true);
            }
        }
        if let Some(slot) = o.borrow_mut().fields.get_mut(pos) {
            *slot = v;
        }
        Ok(true)
    }

    /// Reads a static field (initialising the class first).
    pub fn static_get(&mut self, c: ClassId, idx: usize) -> R<Value> {
        self.init_class(c)?;
        let field = &self.p.classes[c as usize].decl.fields[idx];
        if let Some(g) = &field.getter {
            if !self.in_accessor(c, idx) {
                return self.run_accessor(c, idx, g, None, None);
            }
        }
        Ok(self.statics[c as usize].as_ref().and_then(|s| s.get(idx).cloned()).unwrap_or_default())
    }

    /// Writes a static field.
    pub fn static_set(&mut self, c: ClassId, idx: usize, v: Value) -> R<()> {
        self.init_class(c)?;
        let field = &self.p.classes[c as usize].decl.fields[idx];
        let t = self.ty(&field.ty, Some(c));
        let v = self.coerce(v, &t)?;
        if let Some(s) = &field.setter {
            if !self.in_accessor(c, idx) {
                self.run_accessor(c, idx, s, None, Some(v))?;
                return Ok(());
            }
        }
        if let Some(s) = self.statics[c as usize].as_mut() {
            if let Some(slot) = s.get_mut(idx) {
                *slot = v;
            }
        }
        Ok(())
    }

    /// Evaluates a call expression. `None`: a safe navigation met null.
    pub fn call_expr(&mut self, f: &mut Frame, e: &Expr) -> R<Option<Value>> {
        let E::Call { obj, name, args, safe, is_super } = &e.kind else { return Ok(Some(self.eval(f, e)?)) };
        let q = match obj {
            Some(o) => match self.qual(f, o)? {
                Some(q) => Some(q),
                None => return Ok(None),
            },
            None => None,
        };
        if *safe {
            if let Some(Qual::Val(Value::Null)) = q {
                return Ok(None);
            }
        }
        // `Test.startTest()` & co. need no argument evaluation order subtleties; evaluate args.
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(f, a)?);
        }
        let hints: Vec<Option<Ty>> = args
            .iter()
            .map(|a| match &a.kind {
                E::Cast { ty, .. } => Some(self.ty(ty, f.class)),
                _ => None,
            })
            .collect();
        self.arg_hints = if hints.iter().any(Option::is_some) { hints } else { Vec::new() };
        let here = e.loc;
        if let Some(top) = self.stack.last_mut() {
            top.loc = Loc { line: here.line, col: top.loc.col, file: top.loc.file };
        }
        let r = match q {
            None if *is_super => self.call_super(f, name, vals, here)?,
            None => self.call_unqualified(f, name, vals, here)?,
            Some(Qual::Val(v)) => self.call_method_value(&v, name, vals)?,
            Some(Qual::Class(c)) => self.call_static(c, name, vals, here)?,
            Some(Qual::SObj(o)) => {
                self.arg_hints.clear();
                stdlib::sobject_static(self, &o, &name.to_ascii_lowercase(), vals)?
            }
            Some(Qual::Builtin(b)) => {
                self.arg_hints.clear();
                stdlib::call_static(self, &b, &name.to_ascii_lowercase(), vals)?
            }
        };
        Ok(Some(r))
    }

    /// Whether a property accessor of (class, field) is running (inside it, the name means the
    /// backing field).
    pub fn in_accessor(&self, c: ClassId, idx: usize) -> bool {
        let tag = accessor_tag(self, c, idx);
        self.stack.last().is_some_and(|s| *s.name == *tag)
    }

    fn run_accessor(
        &mut self,
        c: ClassId,
        idx: usize,
        m: &'p Method,
        this: Option<Rc<RefCell<Obj>>>,
        value: Option<Value>,
    ) -> R<Value> {
        let tag = accessor_tag(self, c, idx);
        let here = self.here();
        self.enter(tag, here)?;
        let mut fr = super::Frame::for_method(m, this, Some(c));
        if let Some(v) = value {
            fr.locals[0] = v;
        }
        let r = match &m.body {
            Some(b) => self.exec_block(&mut fr, b),
            None => Ok(super::Flow::Next),
        };
        self.leave();
        match r? {
            super::Flow::Return(v) => {
                let t = self.ty(&self.p.classes[c as usize].decl.fields[idx].ty, Some(c));
                self.coerce(v, &t)
            }
            _ => Ok(Value::Null),
        }
    }

    /// Rethrows a control (helper for `?`-free branches).
    pub fn ctl<T>(&self, c: Ctl) -> R<T> {
        Err(Box::new(c))
    }
}

fn accessor_tag(it: &Interp, c: ClassId, idx: usize) -> Rc<str> {
    let cl = &it.p.classes[c as usize];
    format!("Class.{}.{}", cl.full, cl.decl.fields[idx].name).into()
}

fn exact_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (x, y)
            if matches!(
                x,
                Value::List(_) | Value::Set(_) | Value::Map(_) | Value::SObject(_) | Value::Obj(_) | Value::Native(_)
            ) =>
        {
            same_ref(x, y)
        }
        (x, y) => key_of(x) == key_of(y),
    }
}
