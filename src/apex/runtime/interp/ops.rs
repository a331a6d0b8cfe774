//! Conversions, comparisons and arithmetic with Apex's rules (Apex Developer Guide, "Expression
//! Operators", "Rules of Conversion", "Primitive Data Types"):
//! - `==` on Strings ignores case; an Id compared with a String compares as Ids (15 and 18
//!   characters alike); records compare by field values; collections by their elements;
//!   instances by `equals` when their class defines it, else by reference.
//! - `<`, `>`, ... on Strings ignore case too; with a null Integer, Double, Date or Datetime
//!   operand they are false; a non-null String is greater than a null one.
//! - Numbers widen Integer → Long → Double → Decimal: the result has the wider type. Integer and
//!   Long arithmetic wraps on overflow (Java semantics); division by zero throws
//!   `System.MathException: Divide by 0`.

use super::{Frame, Interp, R};
use crate::apex::runtime::ast::BinOp;
use crate::apex::runtime::db::ids;
use crate::apex::runtime::time;
use crate::apex::runtime::values::*;
use rust_decimal::prelude::*;
use std::cmp::Ordering;
use std::rc::Rc;

/// Java's `Double.toString`.
pub fn fmt_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let a = d.abs();
    if a == 0.0 {
        return if d.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    if (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let s = format!("{d:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') { m.to_string() } else { format!("{m}.0") };
        format!("{m}E{e}")
    }
}

/// A Decimal from a Double, as `Decimal.valueOf(Double)` does (its shortest text).
pub fn dec_from_f64(d: f64) -> Option<Decimal> {
    Decimal::from_str(&format!("{d}")).ok().or_else(|| Decimal::from_f64(d))
}

/// Numeric rank: Integer < Long < Double < Decimal.
fn rank(v: &Value) -> Option<u8> {
    match v {
        Value::Int(_) => Some(0),
        Value::Long(_) => Some(1),
        Value::Double(_) => Some(2),
        Value::Dec(_) => Some(3),
        _ => None,
    }
}

/// A number as i64 (Integer, Long), f64 or Decimal.
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i as i64),
        Value::Long(l) => Some(*l),
        _ => None,
    }
}

/// A number as f64.
pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Long(l) => Some(*l as f64),
        Value::Double(d) => Some(*d),
        Value::Dec(d) => d.to_f64(),
        _ => None,
    }
}

/// A number as Decimal.
pub fn as_dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Long(l) => Some(Decimal::from(*l)),
        Value::Double(d) => dec_from_f64(*d),
        Value::Dec(d) => Some(*d),
        _ => None,
    }
}

/// The name of a type as Apex prints it.
pub fn type_name(p: &crate::apex::runtime::program::Program, t: &Ty) -> String {
    match t {
        Ty::Void => "void".into(),
        Ty::Object => "Object".into(),
        Ty::Boolean => "Boolean".into(),
        Ty::Integer => "Integer".into(),
        Ty::Long => "Long".into(),
        Ty::Double => "Double".into(),
        Ty::Decimal => "Decimal".into(),
        Ty::String => "String".into(),
        Ty::Id => "Id".into(),
        Ty::Date => "Date".into(),
        Ty::Datetime => "Datetime".into(),
        Ty::Time => "Time".into(),
        Ty::Blob => "Blob".into(),
        Ty::SObject(None) => "SObject".into(),
        Ty::SObject(Some(n)) => n.to_string(),
        Ty::List(e) => format!("List<{}>", type_name(p, e)),
        Ty::Set(e) => format!("Set<{}>", type_name(p, e)),
        Ty::Map(k, v) => format!("Map<{},{}>", type_name(p, k), type_name(p, v)),
        Ty::Class(c) => p.classes[*c as usize].full.to_string(),
        Ty::Native(n) => native_display(n),
    }
}

fn native_display(n: &str) -> String {
    let known = [
        "HttpRequest",
        "HttpResponse",
        "Http",
        "Pattern",
        "Matcher",
        "JSONGenerator",
        "JSONParser",
        "Savepoint",
        "Type",
        "Url",
        "AsyncOptions",
        "QueueableContext",
        "SchedulableContext",
        "FinalizerContext",
    ];
    let last = n.rsplit('.').next().unwrap_or(n);
    known.iter().find(|k| k.eq_ignore_ascii_case(last)).map(|k| k.to_string()).unwrap_or_else(|| last.to_string())
}

impl<'p> Interp<'p> {
    /// The runtime type of a value.
    pub fn type_of(&self, v: &Value) -> Ty {
        match v {
            Value::Null => Ty::Object,
            Value::Bool(_) => Ty::Boolean,
            Value::Int(_) => Ty::Integer,
            Value::Long(_) => Ty::Long,
            Value::Double(_) => Ty::Double,
            Value::Dec(_) => Ty::Decimal,
            Value::Str(_) => Ty::String,
            Value::Id(_) => Ty::Id,
            Value::Date(_) => Ty::Date,
            Value::Datetime(_) => Ty::Datetime,
            Value::Time(_) => Ty::Time,
            Value::Blob(_) => Ty::Blob,
            Value::List(l) => Ty::List(Box::new(l.borrow().elem.clone())),
            Value::Set(s) => Ty::Set(Box::new(s.borrow().elem.clone())),
            Value::Map(m) => {
                let m = m.borrow();
                Ty::Map(Box::new(m.key.clone()), Box::new(m.val.clone()))
            }
            Value::SObject(s) => Ty::SObject(Some(s.borrow().ty.clone())),
            Value::Obj(o) => Ty::Class(o.borrow().class),
            Value::Enum(c, _) => Ty::Class(*c),
            Value::SType(_) => Ty::Native("schema.sobjecttype".into()),
            Value::SField(_) => Ty::Native("schema.sobjectfield".into()),
            Value::Type(_) => Ty::Native("type".into()),
            Value::Native(n) => Ty::Native(native_kind(&n.borrow()).into()),
        }
    }

    /// The name of a value's runtime type (`Integer`, `List<String>`, `Contact`).
    pub fn type_name_of(&self, v: &Value) -> String {
        type_name(self.p, &self.type_of(v))
    }

    /// Whether `v` is an instance of `t` (`instanceof`; null is not an instance of anything).
    pub fn is_instance(&self, v: &Value, t: &Ty) -> bool {
        if v.is_null() {
            return false;
        }
        match t {
            Ty::Object => true,
            Ty::Boolean => matches!(v, Value::Bool(_)),
            Ty::Integer => matches!(v, Value::Int(_)),
            Ty::Long => matches!(v, Value::Long(_) | Value::Int(_)),
            Ty::Double => matches!(v, Value::Double(_) | Value::Dec(_) | Value::Int(_) | Value::Long(_)),
            Ty::Decimal => matches!(v, Value::Dec(_) | Value::Double(_) | Value::Int(_) | Value::Long(_)),
            Ty::String => matches!(v, Value::Str(_) | Value::Id(_)),
            Ty::Id => match v {
                Value::Id(_) => true,
                Value::Str(s) => ids::to18(s).is_some(),
                _ => false,
            },
            Ty::Date => matches!(v, Value::Date(_)),
            Ty::Datetime => matches!(v, Value::Datetime(_)),
            Ty::Time => matches!(v, Value::Time(_)),
            Ty::Blob => matches!(v, Value::Blob(_)),
            Ty::SObject(None) => matches!(v, Value::SObject(_)),
            Ty::SObject(Some(n)) => match v {
                Value::SObject(s) => s.borrow().ty.eq_ignore_ascii_case(n),
                _ => false,
            },
            Ty::List(e) => match v {
                Value::List(l) => elem_compatible(self, &l.borrow().elem, e),
                _ => false,
            },
            Ty::Set(e) => match v {
                Value::Set(s) => elem_compatible(self, &s.borrow().elem, e),
                _ => false,
            },
            Ty::Map(k, val) => match v {
                Value::Map(m) => {
                    let m = m.borrow();
                    elem_compatible(self, &m.key, k) && elem_compatible(self, &m.val, val)
                }
                _ => false,
            },
            Ty::Class(c) => match v {
                Value::Obj(o) => self.p.is_subclass(o.borrow().class, *c),
                Value::Enum(e, _) => e == c,
                _ => false,
            },
            Ty::Native(n) => match v {
                Value::SType(_) => &**n == "schema.sobjecttype",
                Value::SField(_) => &**n == "schema.sobjectfield",
                Value::Type(_) => &**n == "type",
                Value::Native(x) => {
                    let k = native_kind(&x.borrow());
                    &**n == k || n.rsplit('.').next() == k.rsplit('.').next()
                }
                Value::Obj(o) => self.p.implements(o.borrow().class, n),
                _ => false,
            },
            Ty::Void => false,
        }
    }

    /// Converts a value for storage in a variable, parameter or field of type `t` (the implicit
    /// conversions Apex makes: numbers widen, a String assigned to an Id is checked, an Id
    /// assigned to a String becomes a String).
    pub fn coerce(&mut self, v: Value, t: &Ty) -> R<Value> {
        Ok(match (t, v) {
            (_, Value::Null) => Value::Null,
            (Ty::Long, Value::Int(i)) => Value::Long(i as i64),
            (Ty::Double, Value::Int(i)) => Value::Double(i as f64),
            (Ty::Double, Value::Long(i)) => Value::Double(i as f64),
            (Ty::Double, Value::Dec(d)) => Value::Double(d.to_f64().unwrap_or(0.0)),
            (Ty::Decimal, Value::Int(i)) => Value::Dec(Decimal::from(i)),
            (Ty::Decimal, Value::Long(i)) => Value::Dec(Decimal::from(i)),
            (Ty::Decimal, Value::Double(d)) => Value::Dec(dec_from_f64(d).unwrap_or_default()),
            (Ty::Id, Value::Str(s)) => match ids::to18(&s) {
                Some(id) => Value::Id(id.into()),
                None => return self.throw("System.StringException", format!("Invalid id: {s}")),
            },
            (Ty::String, Value::Id(s)) => Value::Str(s),
            (Ty::SObject(_), v @ Value::List(_)) => self.single_row(v)?,
            (_, v) => v,
        })
    }

    /// A query's rows assigned to one record: exactly one row, else `System.QueryException`
    /// ("List has no rows for assignment to SObject" / "List has more than 1 row for assignment
    /// to SObject", Apex Developer Guide, "SOQL Statements").
    pub fn single_row(&mut self, v: Value) -> R<Value> {
        let Value::List(l) = &v else { return Ok(v) };
        let (n, first) = {
            let b = l.borrow();
            if !matches!(b.elem, Ty::SObject(_)) {
                drop(b);
                return Ok(v);
            }
            (b.items.len(), b.items.first().cloned())
        };
        match n {
            0 => self.throw("System.QueryException", "List has no rows for assignment to SObject"),
            1 => Ok(first.unwrap_or_default()),
            _ => self.throw("System.QueryException", "List has more than 1 row for assignment to SObject"),
        }
    }

    /// `(T) v`: checks the runtime type ("Invalid conversion from runtime type X to Y").
    pub fn cast(&mut self, v: Value, t: &Ty) -> R<Value> {
        if v.is_null() {
            return Ok(v);
        }
        let ok = match (t, &v) {
            (Ty::Integer, Value::Int(_)) => true,
            (Ty::Long, Value::Int(_) | Value::Long(_)) => true,
            (Ty::Double | Ty::Decimal, Value::Int(_) | Value::Long(_) | Value::Double(_) | Value::Dec(_)) => true,
            (Ty::Id, Value::Str(_)) => true,
            (Ty::String, Value::Id(_)) => true,
            (Ty::List(_), Value::List(_)) | (Ty::Set(_), Value::Set(_)) | (Ty::Map(_, _), Value::Map(_)) => {
                // Casting collections retypes them when compatible (List<Object> → List<String>
                // holds only Strings); Apex checks the element type, so do the same.
                self.is_instance(&v, t) || collection_retype_ok(self, &v, t)
            }
            (Ty::Native(n), _) if !matches!(&v, Value::Obj(_)) => self.is_instance(&v, t) || !known_native(n),
            _ => self.is_instance(&v, t),
        };
        if !ok {
            let from = self.type_name_of(&v);
            let to = type_name(self.p, t);
            return self.throw("System.TypeException", format!("Invalid conversion from runtime type {from} to {to}"));
        }
        match (t, v) {
            (Ty::List(e), Value::List(l)) if matches!(l.borrow().elem, Ty::Object | Ty::SObject(None)) => {
                // A cast of a List<Object> to List<T> gives a list typed T (same elements).
                let items = l.borrow().items.clone();
                if matches!(**e, Ty::Object) {
                    return Ok(Value::List(l));
                }
                Ok(Value::list((**e).clone(), items))
            }
            (t, v) => self.coerce(v, t),
        }
    }

    /// `String.valueOf(v)`: the text Apex prints for a value.
    pub fn stringify(&mut self, v: &Value) -> R<String> {
        Ok(match v {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Long(l) => l.to_string(),
            Value::Double(d) => fmt_double(*d),
            Value::Dec(d) => d.to_string(),
            Value::Str(s) | Value::Id(s) => s.to_string(),
            Value::Date(d) => time::fmt_date(*d as i64),
            Value::Datetime(ms) => time::fmt_datetime(*ms),
            Value::Time(t) => format!("{}.{:03}Z", time::fmt_time_of_day(*t), t % 1000),
            Value::Blob(b) => format!("Blob[{}]", b.len()),
            Value::List(l) => {
                let items = l.borrow().items.clone();
                let mut parts = Vec::new();
                for i in items.iter().take(1000) {
                    parts.push(self.stringify(i)?);
                }
                format!("({})", parts.join(", "))
            }
            Value::Set(s) => {
                let items: Vec<Value> = s.borrow().items.values().cloned().collect();
                let mut parts = Vec::new();
                for i in items.iter().take(1000) {
                    parts.push(self.stringify(i)?);
                }
                format!("{{{}}}", parts.join(", "))
            }
            Value::Map(m) => {
                let items: Vec<(Value, Value)> = m.borrow().items.values().cloned().collect();
                let mut parts = Vec::new();
                for (k, v) in items.iter().take(1000) {
                    parts.push(format!("{}={}", self.stringify(k)?, self.stringify(v)?));
                }
                format!("{{{}}}", parts.join(", "))
            }
            Value::SObject(s) => {
                let s = s.borrow().clone();
                let mut parts = Vec::new();
                for (_, (name, v)) in s.fields.iter() {
                    if matches!(v, Value::SObject(_) | Value::List(_)) {
                        continue;
                    }
                    parts.push(format!("{name}={}", self.stringify(v)?));
                }
                format!("{}:{{{}}}", s.ty, parts.join(", "))
            }
            Value::Obj(o) => {
                let cid = o.borrow().class;
                if self.p.is_exception(cid) {
                    let msg = o.borrow().exc.as_ref().and_then(|e| e.message.clone());
                    let name = self.p.classes[cid as usize].full.to_string();
                    return Ok(match msg {
                        Some(m) => format!("{name}: {m}"),
                        None => name,
                    });
                }
                if let Some(r) = self.call_virtual_opt(v, "tostring", vec![])? {
                    return self.stringify(&r);
                }
                let fields = o.borrow().fields.clone();
                let cl = &self.p.classes[cid as usize];
                let names: Vec<String> = cl
                    .layout
                    .iter()
                    .map(|(c, i)| self.p.classes[*c as usize].decl.fields[*i].name.to_string())
                    .collect();
                let mut parts = Vec::new();
                for (n, v) in names.iter().zip(fields.iter()) {
                    parts.push(format!("{n}={}", self.stringify(v)?));
                }
                // `String.valueOf(obj)` names the class without its outer class ("Inner:[...]").
                format!("{}:[{}]", cl.decl.name, parts.join(", "))
            }
            Value::Enum(c, o) => self.enum_name(*c, *o),
            Value::SType(s) => s.to_string(),
            Value::SField(f) => f.1.to_string(),
            Value::Type(t) => type_name(self.p, t),
            Value::Native(n) => {
                let n = n.borrow();
                match &*n {
                    Native::HttpRequest(r) => {
                        format!("System.HttpRequest[Endpoint={}, Method={}]", r.endpoint, r.method)
                    }
                    Native::HttpResponse(r) => {
                        format!("System.HttpResponse[Status={}, StatusCode={}]", r.status, r.status_code)
                    }
                    Native::Url(u) => u.to_string(),
                    Native::Pattern(p) => p.to_string(),
                    other => native_kind(other).to_string(),
                }
            }
        })
    }

    /// The name of an enum constant.
    pub fn enum_name(&self, c: ClassId, o: u32) -> String {
        self.p.classes[c as usize].decl.enum_values.get(o as usize).map(|s| s.to_string()).unwrap_or_default()
    }

    /// Apex `==`.
    pub fn eq(&mut self, a: &Value, b: &Value) -> R<bool> {
        Ok(match (a, b) {
            (Value::Null, Value::Null) => true,
            (Value::Null, _) | (_, Value::Null) => false,
            (Value::Str(x), Value::Str(y)) => eq_ignore_case(x, y),
            (Value::Id(x), Value::Id(y)) => x.eq_ignore_ascii_case(y),
            (Value::Id(x), Value::Str(y)) | (Value::Str(y), Value::Id(x)) => match ids::to18(y) {
                Some(y18) => x.eq_ignore_ascii_case(&y18),
                None => false,
            },
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Date(x), Value::Date(y)) => x == y,
            (Value::Datetime(x), Value::Datetime(y)) => x == y,
            (Value::Time(x), Value::Time(y)) => x == y,
            (Value::Blob(x), Value::Blob(y)) => x == y,
            (Value::Enum(c1, o1), Value::Enum(c2, o2)) => c1 == c2 && o1 == o2,
            (Value::SType(x), Value::SType(y)) => x.eq_ignore_ascii_case(y),
            (Value::SField(x), Value::SField(y)) => x.0.eq_ignore_ascii_case(&y.0) && x.1.eq_ignore_ascii_case(&y.1),
            (Value::Type(x), Value::Type(y)) => x == y,
            (x, y) if rank(x).is_some() && rank(y).is_some() => self.num_cmp(x, y) == Some(Ordering::Equal),
            (Value::List(x), Value::List(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                let (xs, ys) = (x.borrow().items.clone(), y.borrow().items.clone());
                if xs.len() != ys.len() {
                    return Ok(false);
                }
                for (i, j) in xs.iter().zip(ys.iter()) {
                    if !self.eq(i, j)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Value::Set(x), Value::Set(y)) => {
                let (x, y) = (x.borrow(), y.borrow());
                x.items.len() == y.items.len() && x.items.keys().all(|k| y.items.contains_key(k))
            }
            (Value::Map(x), Value::Map(y)) => {
                let (xs, ys) = (x.borrow().items.clone(), y.borrow().items.clone());
                if xs.len() != ys.len() {
                    return Ok(false);
                }
                for (k, (_, v)) in xs.iter() {
                    match ys.get(k) {
                        Some((_, w)) => {
                            if !self.eq(v, w)? {
                                return Ok(false);
                            }
                        }
                        None => return Ok(false),
                    }
                }
                true
            }
            (Value::SObject(x), Value::SObject(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                let (xs, ys) = (x.borrow().clone(), y.borrow().clone());
                if !xs.ty.eq_ignore_ascii_case(&ys.ty) || xs.fields.len() != ys.fields.len() {
                    return Ok(false);
                }
                for (k, (_, v)) in xs.fields.iter() {
                    match ys.fields.get(k) {
                        Some((_, w)) => {
                            if !self.eq(v, w)? {
                                return Ok(false);
                            }
                        }
                        None => return Ok(false),
                    }
                }
                true
            }
            (Value::Obj(x), Value::Obj(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                match self.call_virtual_opt(a, "equals", vec![b.clone()])? {
                    Some(Value::Bool(r)) => r,
                    _ => false,
                }
            }
            (x, y) => same_ref(x, y),
        })
    }

    fn num_cmp(&self, a: &Value, b: &Value) -> Option<Ordering> {
        let r = rank(a)?.max(rank(b)?);
        match r {
            0 | 1 => Some(as_i64(a)?.cmp(&as_i64(b)?)),
            2 => as_f64(a)?.partial_cmp(&as_f64(b)?),
            _ => Some(as_dec(a)?.cmp(&as_dec(b)?)),
        }
    }

    /// Apex `<`, `<=`, `>`, `>=`: `None` when the operands do not compare (false).
    pub fn compare(&mut self, a: &Value, b: &Value) -> R<Option<Ordering>> {
        Ok(match (a, b) {
            (Value::Str(_) | Value::Id(_), Value::Null) => Some(Ordering::Greater),
            (Value::Null, Value::Str(_) | Value::Id(_)) => Some(Ordering::Less),
            (Value::Null, _) | (_, Value::Null) => None,
            (Value::Str(x) | Value::Id(x), Value::Str(y) | Value::Id(y)) => {
                Some(x.to_lowercase().cmp(&y.to_lowercase()))
            }
            (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
            (Value::Datetime(x), Value::Datetime(y)) => Some(x.cmp(y)),
            (Value::Date(x), Value::Datetime(y)) => Some((*x as i64 * time::DAY_MS).cmp(y)),
            (Value::Datetime(x), Value::Date(y)) => Some(x.cmp(&(*y as i64 * time::DAY_MS))),
            (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
            (x, y) if rank(x).is_some() && rank(y).is_some() => self.num_cmp(x, y),
            _ => {
                let (ta, tb) = (self.type_name_of(a), self.type_name_of(b));
                return self.compile_error(format!("Comparison arguments must be compatible types: {ta}, {tb}"));
            }
        })
    }

    /// A binary arithmetic or bitwise operation (not `==`/`<`: see [`Interp::eq`] and
    /// [`Interp::compare`]).
    pub fn arith(&mut self, op: BinOp, a: Value, b: Value) -> R<Value> {
        if op == BinOp::Add {
            if matches!(a, Value::Str(_)) || matches!(b, Value::Str(_)) {
                let s = format!("{}{}", self.stringify(&a)?, self.stringify(&b)?);
                self.heap_check(s.len())?;
                return Ok(Value::Str(s.into()));
            }
            if matches!(a, Value::Id(_)) || matches!(b, Value::Id(_)) {
                let s = format!("{}{}", self.stringify(&a)?, self.stringify(&b)?);
                return Ok(Value::Str(s.into()));
            }
        }
        // Date and Datetime arithmetic: `date + n` adds days, `datetime + n` adds days
        // (fractions as time), `time + n` adds milliseconds.
        match (&a, &b, op) {
            (Value::Date(d), n, BinOp::Add | BinOp::Sub) if rank(n).is_some() => {
                let k = as_i64(n).unwrap_or_else(|| as_f64(n).unwrap_or(0.0) as i64);
                let k = if op == BinOp::Sub { -k } else { k };
                return Ok(Value::Date((*d as i64 + k) as i32));
            }
            (Value::Datetime(d), n, BinOp::Add | BinOp::Sub) if rank(n).is_some() => {
                let days = as_f64(n).unwrap_or(0.0);
                let ms = (days * time::DAY_MS as f64).round() as i64;
                return Ok(Value::Datetime(if op == BinOp::Sub { d - ms } else { d + ms }));
            }
            (Value::Time(t), n, BinOp::Add | BinOp::Sub) if rank(n).is_some() => {
                let k = as_i64(n).unwrap_or(0);
                let k = if op == BinOp::Sub { -k } else { k };
                return Ok(Value::Time((t + k).rem_euclid(time::DAY_MS)));
            }
            _ => {}
        }
        if matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
            if let (Value::Bool(x), Value::Bool(y)) = (&a, &b) {
                return Ok(Value::Bool(match op {
                    BinOp::BitAnd => x & y,
                    BinOp::BitOr => x | y,
                    _ => x ^ y,
                }));
            }
        }
        if a.is_null() || b.is_null() {
            return self.npe();
        }
        let (Some(ra), Some(rb)) = (rank(&a), rank(&b)) else {
            let (ta, tb) = (self.type_name_of(&a), self.type_name_of(&b));
            return self.compile_error(format!("Arithmetic expressions must use numeric arguments: {ta}, {tb}"));
        };
        let r = ra.max(rb);
        match op {
            BinOp::Shl | BinOp::Shr | BinOp::UShr | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                let (x, y) = (as_i64(&a).unwrap_or(0), as_i64(&b).unwrap_or(0));
                if r == 0 {
                    let (x, y) = (x as i32, y as u32);
                    return Ok(Value::Int(match op {
                        BinOp::Shl => x.wrapping_shl(y),
                        BinOp::Shr => x.wrapping_shr(y),
                        BinOp::UShr => ((x as u32).wrapping_shr(y)) as i32,
                        BinOp::BitAnd => x & (y as i32),
                        BinOp::BitOr => x | (y as i32),
                        _ => x ^ (y as i32),
                    }));
                }
                let y2 = y as u32;
                return Ok(Value::Long(match op {
                    BinOp::Shl => x.wrapping_shl(y2),
                    BinOp::Shr => x.wrapping_shr(y2),
                    BinOp::UShr => ((x as u64).wrapping_shr(y2)) as i64,
                    BinOp::BitAnd => x & y,
                    BinOp::BitOr => x | y,
                    _ => x ^ y,
                }));
            }
            _ => {}
        }
        match r {
            0 | 1 => {
                let (x, y) = (as_i64(&a).unwrap_or(0), as_i64(&b).unwrap_or(0));
                if matches!(op, BinOp::Div | BinOp::Rem) && y == 0 {
                    return self.throw("System.MathException", "Divide by 0");
                }
                if r == 0 {
                    let (x, y) = (x as i32, y as i32);
                    Ok(Value::Int(match op {
                        BinOp::Add => x.wrapping_add(y),
                        BinOp::Sub => x.wrapping_sub(y),
                        BinOp::Mul => x.wrapping_mul(y),
                        BinOp::Div => x.wrapping_div(y),
                        _ => x.wrapping_rem(y),
                    }))
                } else {
                    Ok(Value::Long(match op {
                        BinOp::Add => x.wrapping_add(y),
                        BinOp::Sub => x.wrapping_sub(y),
                        BinOp::Mul => x.wrapping_mul(y),
                        BinOp::Div => x.wrapping_div(y),
                        _ => x.wrapping_rem(y),
                    }))
                }
            }
            2 => {
                let (x, y) = (as_f64(&a).unwrap_or(0.0), as_f64(&b).unwrap_or(0.0));
                Ok(Value::Double(match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::Div => {
                        if y == 0.0 {
                            return self.throw("System.MathException", "Divide by 0");
                        }
                        x / y
                    }
                    _ => x % y,
                }))
            }
            _ => {
                let (x, y) = (as_dec(&a).unwrap_or_default(), as_dec(&b).unwrap_or_default());
                let out = match op {
                    BinOp::Add => x.checked_add(y),
                    BinOp::Sub => x.checked_sub(y),
                    BinOp::Mul => x.checked_mul(y),
                    BinOp::Div => {
                        if y.is_zero() {
                            return self.throw("System.MathException", "Divide by 0");
                        }
                        x.checked_div(y)
                    }
                    _ => x.checked_rem(y),
                };
                match out {
                    Some(d) => Ok(Value::Dec(d)),
                    None => self.unsupported("a Decimal beyond 28 significant digits"),
                }
            }
        }
    }

    /// A condition's value (`if`, `while`, `&&` ...): a Boolean; null throws.
    pub fn truthy(&mut self, v: &Value) -> R<bool> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::Null => self.npe(),
            other => {
                let t = self.type_name_of(other);
                self.compile_error(format!("Expression must be of type Boolean: {t}"))
            }
        }
    }

    /// Calls `name` on an instance of a package class when its class (or an ancestor) defines it
    /// with that many parameters; `None` when not defined.
    pub fn call_virtual_opt(&mut self, this: &Value, name: &str, args: Vec<Value>) -> R<Option<Value>> {
        let Value::Obj(o) = this else { return Ok(None) };
        let cid = o.borrow().class;
        let Some((c, m)) = self.find_method(cid, name, &args, false) else { return Ok(None) };
        if self.p.classes[c as usize].platform {
            return Ok(None);
        }
        let r = self.invoke(c, m, Some(o.clone()), args, self.here())?;
        Ok(Some(r))
    }

    /// Evaluates with a temporary frame (used by the standard library for callbacks).
    pub fn blank_frame(&self) -> Frame {
        Frame::new(0, None, None)
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b) || (a.to_lowercase() == b.to_lowercase())
}

fn elem_compatible(it: &Interp, have: &Ty, want: &Ty) -> bool {
    if have == want || matches!(want, Ty::Object) {
        return true;
    }
    match (have, want) {
        (Ty::SObject(Some(_)), Ty::SObject(None)) => true,
        (Ty::Id, Ty::String) | (Ty::String, Ty::Id) => true,
        (Ty::Class(a), Ty::Class(b)) => it.p.is_subclass(*a, *b),
        (Ty::List(a), Ty::List(b)) | (Ty::Set(a), Ty::Set(b)) => elem_compatible(it, a, b),
        (Ty::Map(a, b), Ty::Map(c, d)) => elem_compatible(it, a, c) && elem_compatible(it, b, d),
        (Ty::Class(c), Ty::Native(n)) => it.p.implements(*c, n),
        _ => false,
    }
}

fn collection_retype_ok(it: &Interp, v: &Value, t: &Ty) -> bool {
    match (v, t) {
        (Value::List(l), Ty::List(e)) => {
            let l = l.borrow();
            matches!(l.elem, Ty::Object | Ty::SObject(None))
                && l.items.iter().all(|x| x.is_null() || it.is_instance(x, e))
        }
        _ => false,
    }
}

/// The lower-case type name of a platform object.
pub fn native_kind(n: &Native) -> &'static str {
    match n {
        Native::HttpRequest(_) => "system.httprequest",
        Native::HttpResponse(_) => "system.httpresponse",
        Native::Http => "system.http",
        Native::DmlResult { kind, .. } => match *kind {
            "saveresult" => "database.saveresult",
            "deleteresult" => "database.deleteresult",
            "upsertresult" => "database.upsertresult",
            _ => "database.undeleteresult",
        },
        Native::DbError(_) => "database.error",
        Native::Context { kind, .. } => match *kind {
            "queueablecontext" => "system.queueablecontext",
            "finalizercontext" => "system.finalizercontext",
            "batchablecontext" => "database.batchablecontext",
            _ => "system.schedulablecontext",
        },
        Native::AsyncOptions { .. } => "system.asyncoptions",
        Native::Signature { builder: true, .. } => "system.queueableduplicatesignature.builder",
        Native::Signature { .. } => "system.queueableduplicatesignature",
        Native::Savepoint(_) => "system.savepoint",
        Native::Pattern(_) => "system.pattern",
        Native::Matcher(_) => "system.matcher",
        Native::DescribeSObject(_) => "schema.describesobjectresult",
        Native::DescribeField(_, _) => "schema.describefieldresult",
        Native::PicklistEntry(..) => "schema.picklistentry",
        Native::FieldsOf(_) => "schema.sobjecttypefields",
        Native::JsonGenerator(_) => "system.jsongenerator",
        Native::JsonParser(_) => "system.jsonparser",
        Native::Url(_) => "system.url",
        Native::Bag(..) => "system.object",
        Native::EventBus => "eventbus.testbroker",
        Native::Request => "system.request",
    }
}

fn known_native(n: &str) -> bool {
    n.starts_with("system.") || n.starts_with("schema.") || n.starts_with("database.")
}
