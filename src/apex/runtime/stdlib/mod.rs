//! The standard library: one file per namespace or class. Each platform method is one arm of a
//! `match` in its class's file, calling a small function; a method the runtime does not model
//! ends the test as skipped ("unsupported") with its name, never as a guess.
//!
//! Dispatch: [`call_static`] (`String.isBlank(x)`), [`call_method`] (`s.length()`),
//! [`object_method`] (methods every instance has: exceptions' `getMessage`, `equals`, ...),
//! [`static_prop`] / [`instance_prop`] / [`set_prop`] (properties), [`construct`] (`new
//! HttpRequest()`), [`sobject_static`] (`Settings__c.getOrgDefaults()`).

pub mod assert;
pub mod collections;
pub mod cron;
pub mod crypto;
pub mod datetime;
pub mod http;
pub mod json;
pub mod number;
pub mod platform;
pub mod regex;
pub mod schema;
pub mod sobject;
pub mod string;
pub mod system;
pub mod test;

use super::interp::{Interp, Qual, R};
use super::values::*;
use std::cell::RefCell;
use std::rc::Rc;

/// `Class.method(args)` for a platform class (lower-case names).
pub fn call_static(it: &mut Interp, class: &str, name: &str, args: Vec<Value>) -> R<Value> {
    let class = class.strip_prefix("system.").unwrap_or(class);
    let r = match class {
        "system" => system::call_system(it, name, args),
        "string" => string::call_static(it, name, args),
        "math" => number::call_math(it, name, args),
        "integer" | "long" | "decimal" | "double" | "boolean" | "id" => number::call_static(it, class, name, args),
        "json" => json::call_static(it, name, args),
        "test" => test::call_static(it, name, args),
        "limits" => system::call_limits(it, name, args),
        "userinfo" => system::call_userinfo(it, name, args),
        "crypto" => crypto::call_crypto(it, name, args),
        "encodingutil" => crypto::call_encoding(it, name, args),
        "blob" => crypto::call_blob_static(it, name, args),
        "date" | "datetime" | "time" => datetime::call_static(it, class, name, args),
        "assert" => assert::call_assert(it, name, args),
        "database" => system::call_database(it, name, args),
        "schema" => schema::call_schema(it, name, args),
        "type" => schema::call_type_static(it, name, args),
        "pattern" => regex::call_static(it, name, args),
        "eventbus" => system::call_eventbus(it, name, args),
        "url" => http::call_url_static(it, name, args),
        "request" => Ok(Value::native(Native::Request)),
        "security" => platform::security_static(it, name, args),
        "cache.org" => platform::cache_static(it, "org", name, args),
        "cache.session" => platform::cache_static(it, "session", name, args),
        "queueableduplicatesignature" => it.unsupported("QueueableDuplicateSignature static methods"),
        _ => return unknown(it, class, name),
    }?;
    Ok(r)
}

fn unknown<T>(it: &mut Interp, class: &str, name: &str) -> R<T> {
    it.unsupported(format!("{}.{} (a platform method the runtime does not model)", display_class(class), name))
}

/// A platform class name as written (`system.httprequest` → `HttpRequest`).
pub fn display_class(class: &str) -> String {
    let last = class.rsplit('.').next().unwrap_or(class);
    let mut c = last.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `v.name(args)` on a platform value.
pub fn call_method(it: &mut Interp, v: &Value, name: &str, args: Vec<Value>) -> R<Value> {
    // Methods every value has.
    match (name, args.len()) {
        ("equals", 1) if !matches!(v, Value::Str(_) | Value::Id(_)) => {
            let b = it.eq(v, &args[0])?;
            return Ok(Value::Bool(b));
        }
        ("hashcode", 0) if !matches!(v, Value::Str(_) | Value::Native(_)) => {
            let k = key_of(v);
            return Ok(Value::Int(hash_key(&k)));
        }
        ("tostring", 0) if !matches!(v, Value::Native(_) | Value::Blob(_)) => {
            let s = it.stringify(v)?;
            return Ok(Value::str(s));
        }
        _ => {}
    }
    match v {
        Value::Str(_) | Value::Id(_) => string::method(it, v, name, args),
        Value::List(l) => collections::list_method(it, l, name, args),
        Value::Set(s) => collections::set_method(it, s, name, args),
        Value::Map(m) => collections::map_method(it, m, name, args),
        Value::SObject(s) => sobject::method(it, s, name, args),
        Value::Int(_) | Value::Long(_) | Value::Double(_) | Value::Dec(_) => number::method(it, v, name, args),
        Value::Date(_) | Value::Datetime(_) | Value::Time(_) => datetime::method(it, v, name, args),
        Value::Blob(b) => crypto::blob_method(it, b, name, args),
        Value::Bool(b) => match name {
            "format" => Ok(Value::str(b.to_string())),
            _ => it.unsupported(format!("Boolean.{name}")),
        },
        Value::Enum(c, o) => match name {
            "name" => Ok(Value::str(it.enum_name(*c, *o))),
            "ordinal" => Ok(Value::Int(*o as i32)),
            _ => it.compile_error(format!("Method does not exist or incorrect signature: {name}")),
        },
        Value::SType(s) => schema::stype_method(it, s, name, args),
        Value::SField(f) => schema::sfield_method(it, f, name, args),
        Value::Type(t) => schema::type_method(it, t, name, args),
        Value::Native(n) => native_method(it, n, name, args),
        Value::Obj(_) | Value::Null => it.npe(),
    }
}

fn native_method(it: &mut Interp, n: &Rc<RefCell<Native>>, name: &str, args: Vec<Value>) -> R<Value> {
    let kind = super::interp::ops::native_kind(&n.borrow());
    match kind {
        "system.httprequest" | "system.httpresponse" | "system.http" | "system.url" => http::method(it, n, name, args),
        "database.saveresult"
        | "database.deleteresult"
        | "database.upsertresult"
        | "database.undeleteresult"
        | "database.error" => system::dml_result_method(it, n, name, args),
        "system.queueablecontext"
        | "system.finalizercontext"
        | "database.batchablecontext"
        | "system.schedulablecontext" => system::context_method(it, n, name, args),
        "system.queueableduplicatesignature.builder" | "system.queueableduplicatesignature" => {
            system::signature_method(it, n, name, args)
        }
        "system.pattern" | "system.matcher" => regex::method(it, n, name, args),
        "schema.describesobjectresult"
        | "schema.describefieldresult"
        | "schema.picklistentry"
        | "schema.sobjecttypefields" => schema::describe_method(it, n, name, args),
        "system.jsongenerator" | "system.jsonparser" => json::native_method(it, n, name, args),
        "eventbus.testbroker" => system::eventbus_method(it, name, args),
        "system.request" => system::request_method(it, name, args),
        "system.asyncoptions" | "system.savepoint" => it.unsupported(format!("{}.{name}", display_class(kind))),
        "system.object" => platform::bag_method(it, n, name, args),
        _ => it.unsupported(format!("{}.{name}", display_class(kind))),
    }
}

/// Methods every instance of a class has (exceptions' methods; `equals`, `hashCode`,
/// `toString` when the class does not define them). `None`: not such a method.
pub fn object_method(it: &mut Interp, o: &Rc<RefCell<Obj>>, name: &str, args: &[Value]) -> R<Option<Value>> {
    let cid = o.borrow().class;
    if it.p.is_exception(cid) {
        if let Some(v) = system::exception_method(it, o, name, args)? {
            return Ok(Some(v));
        }
    }
    Ok(match (name, args.len()) {
        ("equals", 1) => Some(Value::Bool(matches!(&args[0], Value::Obj(x) if Rc::ptr_eq(x, o)))),
        ("hashcode", 0) => Some(Value::Int((Rc::as_ptr(o) as usize as u64 % 2_147_483_647) as i32)),
        ("tostring", 0) => {
            let s = it.stringify(&Value::Obj(o.clone()))?;
            Some(Value::str(s))
        }
        _ => None,
    })
}

/// `Builtin.name` (a static property or a nested platform class).
pub fn static_prop(it: &mut Interp, class: &str, name: &str) -> R<Option<Qual>> {
    let class = class.strip_prefix("system.").unwrap_or(class);
    if let Some(v) = platform::static_get(it, class, name) {
        return Ok(Some(Qual::Val(v)));
    }
    Ok(match class {
        "trigger" => Some(Qual::Val(system::trigger_prop(it, name)?)),
        "schema.sobjecttype" => match it.sobject_type(name) {
            Some(o) => Some(Qual::Val(Value::native(Native::DescribeSObject(o)))),
            None => {
                return it.unsupported(format!("Schema.SObjectType.{name}: an object the org schema does not know"))
            }
        },
        "math" => match name {
            "pi" => Some(Qual::Val(Value::Double(std::f64::consts::PI))),
            "e" => Some(Qual::Val(Value::Double(std::f64::consts::E))),
            _ => None,
        },
        "label" => return it.unsupported(format!("custom label {name} (labels are org metadata)")),
        "integer" | "long" => number::static_prop(name),
        _ => None,
    })
}

/// `value.name` for a platform value (`None`: no such property).
pub fn instance_prop(it: &mut Interp, v: &Value, name: &str) -> R<Option<Value>> {
    match v {
        Value::Native(n) => {
            let nb = n.borrow().clone();
            match nb {
                Native::AsyncOptions { delay, signature, depth } => Ok(match name {
                    "minimumqueueabledelayinminutes" => Some(delay),
                    "duplicatesignature" => Some(signature),
                    "maximumqueueablestackdepth" => Some(depth),
                    _ => None,
                }),
                Native::DescribeSObject(o) if name == "fields" => Ok(Some(Value::native(Native::FieldsOf(o)))),
                Native::DescribeSObject(o) if name == "fieldsets" => {
                    let _ = o;
                    it.unsupported("field sets (org metadata)")
                }
                Native::FieldsOf(o) => schema::field_describe(it, &o, name).map(Some),
                // DML results serialise their getters as properties (`sr.success`, `sr.id`).
                Native::DmlResult { id, errors, .. } => Ok(match name {
                    "id" => Some(id.map(Value::Id).unwrap_or_default()),
                    "success" => Some(Value::Bool(errors.is_empty())),
                    "errors" => Some(Value::list(
                        Ty::Native("database.error".into()),
                        errors.into_iter().map(|e| Value::native(Native::DbError(e))).collect(),
                    )),
                    _ => None,
                }),
                Native::Bag(_, props) => Ok(Some(props.get(name).cloned().unwrap_or_default())),
                _ => Ok(None),
            }
        }
        Value::SType(o) if name == "fields" => Ok(Some(Value::native(Native::FieldsOf(o.clone())))),
        _ => Ok(None),
    }
}

/// `value.name = v` for a platform value.
pub fn set_prop(it: &mut Interp, target: &Value, name: &str, v: Value) -> R<()> {
    if let Value::Native(n) = target {
        let mut nb = n.borrow_mut();
        match &mut *nb {
            Native::AsyncOptions { delay, signature, depth } => {
                match name {
                    "minimumqueueabledelayinminutes" => *delay = v,
                    "duplicatesignature" => *signature = v,
                    "maximumqueueablestackdepth" => *depth = v,
                    _ => {
                        drop(nb);
                        return it.compile_error(format!("Variable does not exist: {name}"));
                    }
                }
                return Ok(());
            }
            Native::Bag(_, props) => {
                props.insert(name.to_string(), v);
                return Ok(());
            }
            _ => {}
        }
    }
    let t = it.type_name_of(target);
    it.unsupported(format!("setting {t}.{name}"))
}

/// `new T(args)` for a platform type.
pub fn construct(it: &mut Interp, ty: &str, args: Vec<Value>) -> R<Value> {
    let t = ty.strip_prefix("system.").unwrap_or(ty);
    if let Some(v) = platform::construct(it, t) {
        return Ok(v);
    }
    match (t, args.len()) {
        ("httprequest", 0) => Ok(Value::native(Native::HttpRequest(HttpMsg { timeout: 10_000, ..HttpMsg::default() }))),
        ("httpresponse", 0) => Ok(Value::native(Native::HttpResponse(HttpMsg::default()))),
        ("http", 0) => Ok(Value::native(Native::Http)),
        ("asyncoptions", 0) => {
            Ok(Value::native(Native::AsyncOptions { delay: Value::Null, signature: Value::Null, depth: Value::Null }))
        }
        ("queueableduplicatesignature.builder", 0) => {
            Ok(Value::native(Native::Signature { builder: true, parts: Vec::new() }))
        }
        ("url", 1) => match &args[0] {
            Value::Str(s) => Ok(Value::native(Native::Url(s.clone()))),
            _ => it.npe(),
        },
        (
            "messaging.singleemailmessage"
            | "messaging.massemailmessage"
            | "messaging.emailfileattachment"
            | "database.dmloptions"
            | "database.dmloptions.assignmentruleheader"
            | "pagereference"
            | "system.pagereference"
            | "apexpages.standardcontroller",
            _,
        ) => {
            let mut props = std::collections::HashMap::new();
            if let Some(a) = args.first() {
                props.insert("__arg".to_string(), a.clone());
            }
            Ok(Value::native(Native::Bag(t.into(), props)))
        }
        _ => it.unsupported(format!("new {}(...) (a platform type the runtime does not model)", display_class(t))),
    }
}

/// `Object__c.method(args)`: custom settings and custom metadata statics.
pub fn sobject_static(it: &mut Interp, obj: &Rc<str>, name: &str, args: Vec<Value>) -> R<Value> {
    sobject::statics(it, obj, name, args)
}

/// A stable 32-bit hash of a key (for `hashCode()`).
pub fn hash_key(k: &Key) -> i32 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    k.hash(&mut h);
    h.finish() as i32
}

// ---- argument helpers ---------------------------------------------------------------------

/// The argument as a String (`None` for null).
pub fn arg_str(it: &mut Interp, args: &[Value], i: usize) -> R<Option<String>> {
    match args.get(i) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) | Some(Value::Id(s)) => Ok(Some(s.to_string())),
        Some(other) => Ok(Some(it.stringify(other)?)),
    }
}

/// The argument as an Integer (null throws).
pub fn arg_int(it: &mut Interp, args: &[Value], i: usize) -> R<i64> {
    match args.get(i) {
        Some(Value::Int(n)) => Ok(*n as i64),
        Some(Value::Long(n)) => Ok(*n),
        Some(Value::Dec(d)) => Ok(rust_decimal::prelude::ToPrimitive::to_i64(d).unwrap_or(0)),
        Some(Value::Double(d)) => Ok(*d as i64),
        Some(Value::Null) | None => it.npe(),
        Some(other) => {
            let t = it.type_name_of(other);
            it.compile_error(format!("Expected an Integer argument, got {t}"))
        }
    }
}

/// Checks the argument count.
pub fn arity(it: &mut Interp, what: &str, args: &[Value], n: std::ops::RangeInclusive<usize>) -> R<()> {
    if n.contains(&args.len()) {
        Ok(())
    } else {
        it.compile_error(format!("Method does not exist or incorrect signature: {what} with {} arguments", args.len()))
    }
}
