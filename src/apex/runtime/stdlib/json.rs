//! `JSON`, `JSONGenerator`, `JSONParser` (Apex Reference). Serialisation follows the platform:
//! Datetimes as `2024-01-05T10:00:00.000Z`, Dates as `2024-01-05`, records with their
//! `attributes` (type, and url when they have an Id), Decimals with their scale, Blobs in
//! base64, instances by their (non-transient) fields. Untyped deserialisation gives
//! `Map<String, Object>`, `List<Object>`, Integer/Long for integral numbers and Decimal for the
//! others. Numbers are parsed exactly (no float round trip).

use super::{arg_str, Interp, R};
use crate::apex::runtime::interp::ops::fmt_double;
use crate::apex::runtime::time;
use crate::apex::runtime::values::*;
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::rc::Rc;
use std::str::FromStr;

/// Deepest JSON nesting parsed (deeper input is a JSONException, not a stack overflow).
const MAX_DEPTH: usize = 500;

/// A parsed JSON value.
#[derive(Debug, Clone)]
pub enum J {
    /// null
    Null,
    /// true/false
    Bool(bool),
    /// A number, as written.
    Num(String),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<J>),
    /// An object, in order.
    Obj(Vec<(String, J)>),
}

/// Parses JSON text.
pub fn parse(s: &str) -> Result<J, String> {
    let b: Vec<char> = s.chars().collect();
    let mut p = P { b, i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.err("Unexpected character"));
    }
    Ok(v)
}

struct P {
    b: Vec<char>,
    i: usize,
}

impl P {
    fn err(&self, what: &str) -> String {
        let (mut line, mut col) = (1, 1);
        for c in self.b.iter().take(self.i) {
            if *c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        let c = self.b.get(self.i).copied();
        match c {
            Some(c) => format!("{what} ('{c}' (code {})): at [line:{line}, column:{col}]", c as u32),
            None => format!("Unexpected end-of-input: at [line:{line}, column:{col}]"),
        }
    }
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_whitespace() {
            self.i += 1;
        }
    }
    fn value(&mut self, depth: usize) -> Result<J, String> {
        if depth > MAX_DEPTH {
            return Err("JSON nested too deeply".into());
        }
        self.ws();
        let here = self.b.get(self.i).copied();
        match here {
            Some('{') => {
                self.i += 1;
                let mut out = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&'}') {
                    self.i += 1;
                    return Ok(J::Obj(out));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&'"') {
                        return Err(self.err("Unexpected character"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&':') {
                        return Err(self.err("Unexpected character"));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    out.push((k, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(',') => self.i += 1,
                        Some('}') => {
                            self.i += 1;
                            return Ok(J::Obj(out));
                        }
                        _ => return Err(self.err("Unexpected character")),
                    }
                }
            }
            Some('[') => {
                self.i += 1;
                let mut out = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&']') {
                    self.i += 1;
                    return Ok(J::Arr(out));
                }
                loop {
                    out.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(',') => self.i += 1,
                        Some(']') => {
                            self.i += 1;
                            return Ok(J::Arr(out));
                        }
                        _ => return Err(self.err("Unexpected character")),
                    }
                }
            }
            Some('"') => Ok(J::Str(self.string()?)),
            Some('t') if self.lit("true") => Ok(J::Bool(true)),
            Some('f') if self.lit("false") => Ok(J::Bool(false)),
            Some('n') if self.lit("null") => Ok(J::Null),
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.i;
                self.i += 1;
                while self.i < self.b.len()
                    && (self.b[self.i].is_ascii_digit() || matches!(self.b[self.i], '.' | 'e' | 'E' | '+' | '-'))
                {
                    self.i += 1;
                }
                Ok(J::Num(self.b[start..self.i].iter().collect()))
            }
            _ => Err(self.err("Unexpected character")),
        }
    }
    fn lit(&mut self, w: &str) -> bool {
        let n = w.chars().count();
        if self.b.len() >= self.i + n && self.b[self.i..self.i + n].iter().copied().eq(w.chars()) {
            self.i += n;
            true
        } else {
            false
        }
    }
    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.b.get(self.i) {
                None => return Err(self.err("Unexpected end-of-input")),
                Some('"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some('\\') => {
                    self.i += 1;
                    let c = self.b.get(self.i).copied();
                    self.i += 1;
                    match c {
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some('r') => out.push('\r'),
                        Some('b') => out.push('\u{8}'),
                        Some('f') => out.push('\u{c}'),
                        Some('u') => {
                            let h: String = self.b.iter().skip(self.i).take(4).collect();
                            self.i += 4;
                            let mut code = u32::from_str_radix(&h, 16).map_err(|_| self.err("Bad unicode escape"))?;
                            if (0xD800..0xDC00).contains(&code)
                                && self.b.get(self.i) == Some(&'\\')
                                && self.b.get(self.i + 1) == Some(&'u')
                            {
                                let h2: String = self.b.iter().skip(self.i + 2).take(4).collect();
                                if let Ok(low) = u32::from_str_radix(&h2, 16) {
                                    if (0xDC00..0xE000).contains(&low) {
                                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                        self.i += 6;
                                    }
                                }
                            }
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        Some(c) => out.push(c),
                        None => return Err(self.err("Unexpected end-of-input")),
                    }
                }
                Some(c) => {
                    out.push(*c);
                    self.i += 1;
                }
            }
        }
    }
}

/// A JSON string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `JSON.*`
pub fn call_static(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "serialize" | "serializepretty" => {
            let v = args.first().cloned().unwrap_or_default();
            let suppress = matches!(args.get(1), Some(Value::Bool(true)));
            let mut out = String::new();
            serialize(it, &v, suppress, &mut out, 0)?;
            if name == "serializepretty" {
                out = pretty(&out);
            }
            it.heap_check(out.len())?;
            Ok(Value::str(out))
        }
        "deserializeuntyped" => {
            let s = match arg_str(it, &args, 0)? {
                Some(s) => s,
                None => return it.npe(),
            };
            match parse(&s) {
                Ok(j) => Ok(untyped(&j)),
                Err(e) => it.throw("System.JSONException", e),
            }
        }
        "deserialize" | "deserializestrict" => {
            let s = match arg_str(it, &args, 0)? {
                Some(s) if !s.is_empty() => s,
                // The platform's message for a null or empty JSON string (apex-recipes'
                // CustomRestEndpointRecipes_Tests expect it).
                _ => return it.throw("System.NullPointerException", "Argument cannot be null."),
            };
            let t = match args.get(1) {
                Some(Value::Type(t)) => (**t).clone(),
                _ => return it.npe(),
            };
            if matches!(t, Ty::List(_) | Ty::Set(_)) && !s.trim_start().starts_with('[') {
                // The typed parser reads a collection from its first token.
                return it.throw("System.JSONException", "Malformed JSON: Expected '[' at the beginning of List/Set");
            }
            match parse(&s) {
                Ok(j) => typed(it, &j, &t, name == "deserializestrict"),
                Err(e) => it.throw("System.JSONException", e),
            }
        }
        "creategenerator" => {
            let pretty = matches!(args.first(), Some(Value::Bool(true)));
            Ok(Value::native(Native::JsonGenerator(JsonGen { pretty, ..JsonGen::default() })))
        }
        "createparser" => {
            let s = arg_str(it, &args, 0)?.unwrap_or_default();
            match parse(&s) {
                Ok(j) => {
                    let mut tokens = Vec::new();
                    tokenize(&j, None, &mut tokens);
                    Ok(Value::native(Native::JsonParser(JsonParserState { tokens, pos: None })))
                }
                Err(e) => it.throw("System.JSONException", e),
            }
        }
        _ => it.unsupported(format!("JSON.{name}")),
    }
}

/// Serialises a value.
pub fn serialize(it: &mut Interp, v: &Value, suppress: bool, out: &mut String, depth: usize) -> R<()> {
    if depth > MAX_DEPTH {
        return it.throw("System.JSONException", "Cannot serialize: nested too deeply (a cycle?)");
    }
    it.step()?;
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Long(i) => out.push_str(&i.to_string()),
        Value::Double(d) => out.push_str(&fmt_double(*d)),
        Value::Dec(d) => out.push_str(&d.to_string()),
        Value::Str(s) | Value::Id(s) => out.push_str(&quote(s)),
        Value::Date(d) => out.push_str(&quote(&time::fmt_date(*d as i64))),
        Value::Datetime(ms) => out.push_str(&quote(&time::fmt_iso(*ms))),
        Value::Time(t) => out.push_str(&quote(&format!("{}.{:03}Z", time::fmt_time_of_day(*t), t % 1000))),
        Value::Blob(b) => out.push_str(&quote(&super::crypto::base64_encode(b))),
        Value::Enum(c, o) => out.push_str(&quote(&it.enum_name(*c, *o))),
        Value::List(l) => {
            let items = l.borrow().items.clone();
            seq(it, &items, suppress, out, depth)?;
        }
        Value::Set(s) => {
            let items: Vec<Value> = s.borrow().items.values().cloned().collect();
            seq(it, &items, suppress, out, depth)?;
        }
        Value::Map(m) => {
            let items: Vec<(Value, Value)> = m.borrow().items.values().cloned().collect();
            out.push('{');
            let mut first = true;
            for (k, val) in items {
                if suppress && val.is_null() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                let ks = it.stringify(&k)?;
                out.push_str(&quote(&ks));
                out.push(':');
                serialize(it, &val, suppress, out, depth + 1)?;
            }
            out.push('}');
        }
        Value::SObject(s) => {
            let s = s.borrow().clone();
            out.push_str("{\"attributes\":{\"type\":");
            out.push_str(&quote(&s.ty));
            if let Some(id) = s.id() {
                out.push_str(&format!(",\"url\":{}", quote(&format!("/services/data/v62.0/sobjects/{}/{id}", s.ty))));
            }
            out.push('}');
            for (_, (name, val)) in s.fields.iter() {
                if suppress && val.is_null() {
                    continue;
                }
                out.push(',');
                out.push_str(&quote(name));
                out.push(':');
                match val {
                    Value::List(l) => {
                        // A child relationship: {"totalSize":n,"done":true,"records":[...]}.
                        let items = l.borrow().items.clone();
                        out.push_str(&format!("{{\"totalSize\":{},\"done\":true,\"records\":", items.len()));
                        seq(it, &items, suppress, out, depth)?;
                        out.push('}');
                    }
                    _ => serialize(it, val, suppress, out, depth + 1)?,
                }
            }
            out.push('}');
        }
        Value::Obj(o) => {
            let cid = o.borrow().class;
            let fields = o.borrow().fields.clone();
            let layout = it.p.classes[cid as usize].layout.clone();
            out.push('{');
            let mut first = true;
            for ((c, fi), val) in layout.iter().zip(fields.iter()) {
                let f = &it.p.classes[*c as usize].decl.fields[*fi];
                if f.mods.is_transient || (suppress && val.is_null()) {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&quote(&f.name));
                out.push(':');
                serialize(it, val, suppress, out, depth + 1)?;
            }
            out.push('}');
        }
        Value::SType(s) => out.push_str(&quote(s)),
        Value::SField(f) => out.push_str(&quote(&f.1)),
        Value::Type(_) | Value::Native(_) => {
            let t = it.type_name_of(v);
            return it.unsupported(format!("JSON.serialize of a {t}"));
        }
    }
    Ok(())
}

fn seq(it: &mut Interp, items: &[Value], suppress: bool, out: &mut String, depth: usize) -> R<()> {
    out.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        serialize(it, x, suppress, out, depth + 1)?;
    }
    out.push(']');
    Ok(())
}

/// Re-indents compact JSON as `JSON.serializePretty` does (two spaces, `" : "`).
pub fn pretty(s: &str) -> String {
    let Ok(j) = parse(s) else { return s.to_string() };
    let mut out = String::new();
    pretty_j(&j, 0, &mut out);
    out
}

fn pretty_j(j: &J, ind: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match j {
        J::Arr(a) if !a.is_empty() => {
            out.push_str("[ ");
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                pretty_j(x, ind, out);
            }
            out.push_str(" ]");
        }
        J::Obj(o) if !o.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in o.iter().enumerate() {
                out.push_str(&pad(ind + 1));
                out.push_str(&quote(k));
                out.push_str(" : ");
                pretty_j(v, ind + 1, out);
                if i + 1 < o.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(ind));
            out.push('}');
        }
        J::Arr(_) => out.push_str("[ ]"),
        J::Obj(_) => out.push_str("{ }"),
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(n),
        J::Str(s) => out.push_str(&quote(s)),
    }
}

fn num_value(n: &str) -> Value {
    if !n.contains(['.', 'e', 'E']) {
        if let Ok(i) = n.parse::<i32>() {
            return Value::Int(i);
        }
        if let Ok(i) = n.parse::<i64>() {
            return Value::Long(i);
        }
    }
    match Decimal::from_str(n).or_else(|_| Decimal::from_scientific(n)) {
        Ok(d) => Value::Dec(d),
        Err(_) => Value::Double(n.parse().unwrap_or(0.0)),
    }
}

/// `JSON.deserializeUntyped` of a parsed value.
pub fn untyped(j: &J) -> Value {
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Num(n) => num_value(n),
        J::Str(s) => Value::str(s),
        J::Arr(a) => Value::list(Ty::Object, a.iter().map(untyped).collect()),
        J::Obj(o) => {
            let m = Value::map(Ty::String, Ty::Object);
            if let Value::Map(mm) = &m {
                let mut b = mm.borrow_mut();
                for (k, v) in o {
                    let kv = Value::str(k);
                    b.items.insert(key_of(&kv), (kv, untyped(v)));
                }
            }
            m
        }
    }
}

/// `JSON.deserialize(text, type)` of a parsed value.
pub fn typed(it: &mut Interp, j: &J, t: &Ty, strict: bool) -> R<Value> {
    it.step()?;
    if let J::Null = j {
        return Ok(Value::Null);
    }
    Ok(match t {
        Ty::Object => untyped(j),
        Ty::Boolean => match j {
            J::Bool(b) => Value::Bool(*b),
            J::Str(s) => Value::Bool(s.eq_ignore_ascii_case("true")),
            _ => return mismatch(it, j, t),
        },
        Ty::Integer | Ty::Long | Ty::Double | Ty::Decimal => {
            let n = match j {
                J::Num(n) => n.clone(),
                J::Str(s) => s.clone(),
                _ => return mismatch(it, j, t),
            };
            let v = num_value(&n);
            match t {
                Ty::Integer => Value::Int(crate::apex::runtime::interp::ops::as_f64(&v).unwrap_or(0.0) as i32),
                Ty::Long => Value::Long(crate::apex::runtime::interp::ops::as_f64(&v).unwrap_or(0.0) as i64),
                Ty::Double => Value::Double(crate::apex::runtime::interp::ops::as_f64(&v).unwrap_or(0.0)),
                _ => Value::Dec(crate::apex::runtime::interp::ops::as_dec(&v).unwrap_or_default()),
            }
        }
        Ty::String => match j {
            J::Str(s) => Value::str(s),
            J::Num(n) => Value::str(n),
            J::Bool(b) => Value::str(b.to_string()),
            _ => return mismatch(it, j, t),
        },
        Ty::Id => match j {
            J::Str(s) => it.coerce(Value::str(s), &Ty::Id)?,
            _ => return mismatch(it, j, t),
        },
        Ty::Date => match j {
            J::Str(s) => match time::parse_date(s) {
                Some(d) => Value::Date(d as i32),
                None => {
                    return it.throw(
                        "System.JSONException",
                        format!("Cannot deserialize instance of date from VALUE_STRING value {s}"),
                    )
                }
            },
            _ => return mismatch(it, j, t),
        },
        Ty::Datetime => match j {
            J::Str(s) => match time::parse_datetime(s) {
                Some(d) => Value::Datetime(d),
                None => {
                    return it.throw(
                        "System.JSONException",
                        format!("Cannot deserialize instance of datetime from VALUE_STRING value {s}"),
                    )
                }
            },
            J::Num(n) => Value::Datetime(n.parse().unwrap_or(0)),
            _ => return mismatch(it, j, t),
        },
        Ty::Blob => match j {
            J::Str(s) => Value::Blob(Rc::new(super::crypto::base64_decode(s).unwrap_or_default())),
            _ => return mismatch(it, j, t),
        },
        Ty::List(e) | Ty::Set(e) => {
            let J::Arr(a) = j else { return mismatch(it, j, t) };
            let mut items = Vec::with_capacity(a.len());
            for x in a {
                items.push(typed(it, x, e, strict)?);
            }
            if matches!(t, Ty::Set(_)) {
                Value::set((**e).clone(), items)
            } else {
                Value::list((**e).clone(), items)
            }
        }
        Ty::Map(k, v) => {
            let J::Obj(o) = j else { return mismatch(it, j, t) };
            let m = Value::map((**k).clone(), (**v).clone());
            for (key, val) in o {
                let kv = it.coerce(Value::str(key), k)?;
                let vv = typed(it, val, v, strict)?;
                if let Value::Map(mm) = &m {
                    mm.borrow_mut().items.insert(key_of(&kv), (kv, vv));
                }
            }
            m
        }
        Ty::SObject(name) => {
            let J::Obj(o) = j else { return mismatch(it, j, t) };
            let ty = name.clone().or_else(|| {
                o.iter().find(|(k, _)| k == "attributes").and_then(|(_, a)| match a {
                    J::Obj(x) => x.iter().find(|(k, _)| k == "type").and_then(|(_, v)| match v {
                        J::Str(s) => Some(Rc::from(s.as_str())),
                        _ => None,
                    }),
                    _ => None,
                })
            });
            let Some(ty) = ty else {
                return it.throw("System.JSONException", "Cannot deserialize an SObject without its type");
            };
            let mut s = SObj::new(&ty);
            for (k, v) in o {
                if k == "attributes" {
                    continue;
                }
                let val = match v {
                    J::Obj(inner) if inner.iter().any(|(k, _)| k == "records") => {
                        let recs = inner
                            .iter()
                            .find(|(k, _)| k == "records")
                            .map(|(_, r)| r.clone())
                            .unwrap_or(J::Arr(vec![]));
                        // A child relationship's records are of its child object.
                        let child = it
                            .schema
                            .object(&ty)
                            .and_then(|oi| oi.children.get(&k.to_ascii_lowercase()).map(|(_, c, _)| Rc::from(&**c)));
                        typed(it, &recs, &Ty::List(Box::new(Ty::SObject(child))), strict)?
                    }
                    J::Obj(_) => {
                        // A parent relationship (`Broker__r`) is of the object its lookup names.
                        let parent =
                            it.schema.object(&ty).and_then(|oi| oi.relationship(k)).and_then(|f| match &f.ty {
                                crate::apex::runtime::db::schema::FieldType::Reference(to) if to.len() == 1 => {
                                    Some(Rc::from(&*to[0]))
                                }
                                _ => None,
                            });
                        typed(it, v, &Ty::SObject(parent), strict)?
                    }
                    other => {
                        let field_ty = it.schema.object(&ty).and_then(|oi| oi.field(k)).map(|f| f.ty.clone());
                        use crate::apex::runtime::db::schema::FieldType as F;
                        match field_ty {
                            Some(F::Date) => typed(it, other, &Ty::Date, strict)?,
                            Some(F::DateTime) => typed(it, other, &Ty::Datetime, strict)?,
                            Some(F::Number(_)) => typed(it, other, &Ty::Decimal, strict)?,
                            Some(F::Id | F::Reference(_)) => typed(it, other, &Ty::Id, strict)?,
                            _ => untyped(other),
                        }
                    }
                };
                s.put(k, val);
            }
            Value::sobject(s)
        }
        Ty::Class(c) => {
            let cl = &it.p.classes[*c as usize];
            if cl.decl.kind == crate::apex::runtime::ast::ClassKind::Enum {
                let J::Str(s) = j else { return mismatch(it, j, t) };
                return Ok(match cl.decl.enum_values.iter().position(|x| x.eq_ignore_ascii_case(s)) {
                    Some(o) => Value::Enum(*c, o as u32),
                    None => Value::Null,
                });
            }
            let J::Obj(o) = j else { return mismatch(it, j, t) };
            it.init_class(*c)?;
            let n = cl.layout.len();
            let obj = Rc::new(RefCell::new(Obj { class: *c, fields: vec![Value::Null; n], exc: None, stub: None }));
            for (k, v) in o {
                let l = k.to_ascii_lowercase();
                let Some(&pos) = it.p.classes[*c as usize].layout_index.get(&l) else {
                    if strict {
                        let cname = it.p.classes[*c as usize].full.to_string();
                        return it
                            .throw("System.JSONException", format!("No such column '{k}' on sobject of type {cname}"));
                    }
                    continue;
                };
                let (owner, fi) = it.p.classes[*c as usize].layout[pos];
                let p = it.p;
                let ft = it.ty(&p.classes[owner as usize].decl.fields[fi].ty, Some(owner));
                let val = typed(it, v, &ft, strict)?;
                obj.borrow_mut().fields[pos] = val;
            }
            Value::Obj(obj)
        }
        Ty::Native(n) => return it.unsupported(format!("JSON.deserialize into {n}")),
        Ty::Void | Ty::Time => return mismatch(it, j, t),
    })
}

fn mismatch<T>(it: &mut Interp, j: &J, t: &Ty) -> R<T> {
    let tn = crate::apex::runtime::interp::ops::type_name(it.p, t);
    let token = match j {
        J::Null => "VALUE_NULL",
        J::Bool(true) => "VALUE_TRUE",
        J::Bool(false) => "VALUE_FALSE",
        J::Num(n) if n.contains('.') => "VALUE_NUMBER_FLOAT",
        J::Num(_) => "VALUE_NUMBER_INT",
        J::Str(_) => "VALUE_STRING",
        J::Arr(_) => "START_ARRAY",
        J::Obj(_) => "START_OBJECT",
    };
    it.throw("System.JSONException", format!("Cannot deserialize instance of {tn} from {token}"))
}

fn tokenize(j: &J, name: Option<String>, out: &mut Vec<(String, String, Option<String>)>) {
    if let Some(n) = &name {
        out.push(("FIELD_NAME".into(), n.clone(), Some(n.clone())));
    }
    match j {
        J::Null => out.push(("VALUE_NULL".into(), "null".into(), name)),
        J::Bool(b) => out.push((if *b { "VALUE_TRUE" } else { "VALUE_FALSE" }.into(), b.to_string(), name)),
        J::Num(n) => out.push((
            if n.contains(['.', 'e', 'E']) { "VALUE_NUMBER_FLOAT" } else { "VALUE_NUMBER_INT" }.into(),
            n.clone(),
            name,
        )),
        J::Str(s) => out.push(("VALUE_STRING".into(), s.clone(), name)),
        J::Arr(a) => {
            out.push(("START_ARRAY".into(), "[".into(), name.clone()));
            for x in a {
                tokenize(x, None, out);
            }
            out.push(("END_ARRAY".into(), "]".into(), name));
        }
        J::Obj(o) => {
            out.push(("START_OBJECT".into(), "{".into(), name.clone()));
            for (k, v) in o {
                tokenize(v, Some(k.clone()), out);
            }
            out.push(("END_OBJECT".into(), "}".into(), name));
        }
    }
}

/// Methods of JSONGenerator and JSONParser.
pub fn native_method(it: &mut Interp, n: &Rc<RefCell<Native>>, name: &str, args: Vec<Value>) -> R<Value> {
    let is_gen = matches!(&*n.borrow(), Native::JsonGenerator(_));
    if is_gen {
        return generator(it, n, name, args);
    }
    parser_method(it, n, name, args)
}

fn generator(it: &mut Interp, n: &Rc<RefCell<Native>>, name: &str, args: Vec<Value>) -> R<Value> {
    let mut piece = String::new();
    let mut field: Option<String> = None;
    let mut open: Option<bool> = None;
    let mut close = false;
    match name {
        "writestartobject" => open = Some(true),
        "writestartarray" => open = Some(false),
        "writeendobject" | "writeendarray" => close = true,
        "writefieldname" => {
            let f = arg_str(it, &args, 0)?.unwrap_or_default();
            let mut b = n.borrow_mut();
            if let Native::JsonGenerator(g) = &mut *b {
                if g.stack.last().copied() == Some(true) {
                    g.out.push(',');
                }
                if let Some(top) = g.stack.last_mut() {
                    *top = true;
                }
                g.out.push_str(&quote(&f));
                g.out.push(':');
                g.after_name = true;
            }
            return Ok(Value::Null);
        }
        "writestring" | "writenumber" | "writeboolean" | "writenull" | "writeobject" | "writedate"
        | "writedatetime" | "writeid" | "writeblob" | "writetime" => {
            let v = args.first().cloned().unwrap_or_default();
            serialize(it, &v, false, &mut piece, 0)?;
        }
        "writestringfield" | "writenumberfield" | "writebooleanfield" | "writeobjectfield" | "writedatefield"
        | "writedatetimefield" | "writeidfield" | "writeblobfield" | "writetimefield" => {
            field = Some(arg_str(it, &args, 0)?.unwrap_or_default());
            let v = args.get(1).cloned().unwrap_or_default();
            serialize(it, &v, false, &mut piece, 0)?;
        }
        "writenullfield" => {
            field = Some(arg_str(it, &args, 0)?.unwrap_or_default());
            piece.push_str("null");
        }
        "getasstring" => {
            let b = n.borrow();
            if let Native::JsonGenerator(g) = &*b {
                let s = if g.pretty { pretty(&g.out) } else { g.out.clone() };
                return Ok(Value::str(s));
            }
            return Ok(Value::Null);
        }
        "close" => return Ok(Value::Null),
        "isclosed" => return Ok(Value::Bool(false)),
        _ => return it.unsupported(format!("JSONGenerator.{name}")),
    }
    let mut b = n.borrow_mut();
    let Native::JsonGenerator(g) = &mut *b else { return Ok(Value::Null) };
    if close {
        g.stack.pop();
        g.out.push(if name == "writeendobject" { '}' } else { ']' });
        g.after_name = false;
        return Ok(Value::Null);
    }
    if !g.after_name && g.stack.last().copied() == Some(true) {
        g.out.push(',');
    }
    if let Some(top) = g.stack.last_mut() {
        *top = true;
    }
    if let Some(f) = field {
        g.out.push_str(&quote(&f));
        g.out.push(':');
    }
    g.after_name = false;
    match open {
        Some(obj) => {
            g.out.push(if obj { '{' } else { '[' });
            g.stack.push(false);
        }
        None => g.out.push_str(&piece),
    }
    Ok(Value::Null)
}

fn parser_method(it: &mut Interp, n: &Rc<RefCell<Native>>, name: &str, args: Vec<Value>) -> R<Value> {
    let mut b = n.borrow_mut();
    let Native::JsonParser(p) = &mut *b else { return Ok(Value::Null) };
    let token_enum = |it: &Interp, name: &str| -> Value {
        match it.p.class_named("system.jsontoken", None) {
            Some(c) => match it.p.classes[c as usize].decl.enum_values.iter().position(|x| &**x == name) {
                Some(o) => Value::Enum(c, o as u32),
                None => Value::Null,
            },
            None => Value::str(name),
        }
    };
    let cur = p.pos.and_then(|i| p.tokens.get(i)).cloned();
    match name {
        "nexttoken" => {
            let next = p.pos.map(|i| i + 1).unwrap_or(0);
            p.pos = Some(next);
            let t = p.tokens.get(next).map(|t| t.0.clone());
            drop(b);
            Ok(t.map(|t| token_enum(it, &t)).unwrap_or_default())
        }
        "nextvalue" => {
            let mut next = p.pos.map(|i| i + 1).unwrap_or(0);
            while p.tokens.get(next).is_some_and(|t| t.0 == "FIELD_NAME") {
                next += 1;
            }
            p.pos = Some(next);
            let t = p.tokens.get(next).map(|t| t.0.clone());
            drop(b);
            Ok(t.map(|t| token_enum(it, &t)).unwrap_or_default())
        }
        "getcurrenttoken" => {
            drop(b);
            Ok(cur.map(|t| token_enum(it, &t.0)).unwrap_or_default())
        }
        "hascurrenttoken" => Ok(Value::Bool(cur.is_some())),
        "gettext" => Ok(cur.map(|t| Value::str(t.1)).unwrap_or_default()),
        "getcurrentname" => Ok(cur.and_then(|t| t.2).map(Value::str).unwrap_or_default()),
        "getintegervalue" => Ok(cur.map(|t| Value::Int(t.1.parse::<f64>().unwrap_or(0.0) as i32)).unwrap_or_default()),
        "getlongvalue" => Ok(cur.map(|t| Value::Long(t.1.parse::<f64>().unwrap_or(0.0) as i64)).unwrap_or_default()),
        "getdoublevalue" => Ok(cur.map(|t| Value::Double(t.1.parse().unwrap_or(0.0))).unwrap_or_default()),
        "getdecimalvalue" => {
            Ok(cur.map(|t| Value::Dec(Decimal::from_str(&t.1).unwrap_or_default())).unwrap_or_default())
        }
        "getbooleanvalue" => Ok(cur.map(|t| Value::Bool(t.1 == "true")).unwrap_or_default()),
        "getdatevalue" => {
            Ok(cur.and_then(|t| time::parse_date(&t.1)).map(|d| Value::Date(d as i32)).unwrap_or_default())
        }
        "getdatetimevalue" => Ok(cur.and_then(|t| time::parse_datetime(&t.1)).map(Value::Datetime).unwrap_or_default()),
        "getidvalue" => {
            let s = cur.map(|t| t.1).unwrap_or_default();
            drop(b);
            it.coerce(Value::str(s), &Ty::Id)
        }
        "skipchildren" => {
            if let Some(i) = p.pos {
                if let Some(t) = p.tokens.get(i) {
                    if t.0 == "START_OBJECT" || t.0 == "START_ARRAY" {
                        let mut depth = 0i64;
                        let mut j = i;
                        while j < p.tokens.len() {
                            match p.tokens[j].0.as_str() {
                                "START_OBJECT" | "START_ARRAY" => depth += 1,
                                "END_OBJECT" | "END_ARRAY" => depth -= 1,
                                _ => {}
                            }
                            if depth == 0 {
                                break;
                            }
                            j += 1;
                        }
                        p.pos = Some(j);
                    }
                }
            }
            Ok(Value::Null)
        }
        "clearcurrenttoken" => Ok(Value::Null),
        "readvalueas" | "readvalueasstrict" => {
            drop(b);
            let _ = args;
            it.unsupported("JSONParser.readValueAs")
        }
        _ => {
            drop(b);
            it.unsupported(format!("JSONParser.{name}"))
        }
    }
}
