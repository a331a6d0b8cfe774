//! Smaller platform classes: `RestRequest`/`RestResponse`/`RestContext`, Platform Cache
//! (`Cache.Org`, `Cache.Session` and their partitions), `Security.stripInaccessible`,
//! `Test.createStub` with a `StubProvider`, inbound email objects, and the rule for what the
//! runtime does not model about permissions.
//!
//! Permissions: a test runs as an administrator-like user, for whom every object and field is
//! accessible, so `stripInaccessible`, user-mode DML and SOQL and describe `is*able()` checks
//! pass. Inside `System.runAs` of another user they depend on that user's profile and permission
//! sets, which the runtime does not model: such a check ends the test as skipped
//! ([`permission_gap`]), never as a guess.

use super::{arg_str, Interp, R};
use crate::apex::runtime::values::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Skips when the running user is not the test's own (administrator-like) user: their
/// permissions are not modelled.
pub fn permission_gap(it: &mut Interp, what: &str) -> R<()> {
    let admin = it.setup.get("user").cloned();
    if admin.as_deref() != Some(&*it.test.user) {
        return it.unsupported(format!(
            "{what} as a user other than the test's administrator (profiles and permission sets are not modelled)"
        ));
    }
    Ok(())
}

fn bag(ty: &str, props: Vec<(&str, Value)>) -> Value {
    Value::native(Native::Bag(ty.into(), props.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

/// `new RestRequest()`, `new RestResponse()`, inbound email objects.
pub fn construct(it: &mut Interp, ty: &str) -> Option<Value> {
    let _ = it;
    Some(match ty {
        "restrequest" => bag(
            "restrequest",
            // requestBody starts as an empty Blob, not null: apex-recipes'
            // CustomRestEndpointRecipes_Tests (passing in real orgs) read
            // `new RestRequest().requestBody.toString()` without a NullPointerException.
            vec![
                ("params", Value::map(Ty::String, Ty::String)),
                ("headers", Value::map(Ty::String, Ty::String)),
                ("requestbody", Value::Blob(Rc::new(Vec::new()))),
            ],
        ),
        "restresponse" => {
            bag("restresponse", vec![("headers", Value::map(Ty::String, Ty::String)), ("statuscode", Value::Int(200))])
        }
        "messaging.inboundemail" => bag(
            "messaging.inboundemail",
            vec![
                ("toaddresses", Value::list(Ty::String, Vec::new())),
                ("ccaddresses", Value::list(Ty::String, Vec::new())),
                ("headers", Value::list(Ty::Object, Vec::new())),
            ],
        ),
        "messaging.inboundenvelope"
        | "messaging.inboundemailresult"
        | "messaging.inboundemail.binaryattachment"
        | "messaging.inboundemail.textattachment"
        | "messaging.inboundemail.header" => bag(ty, Vec::new()),
        _ => return None,
    })
}

/// Methods of the bag-shaped platform objects.
pub fn bag_method(it: &mut Interp, n: &Rc<RefCell<Native>>, name: &str, args: Vec<Value>) -> R<Value> {
    let ty = match &*n.borrow() {
        Native::Bag(t, _) => t.to_string(),
        _ => String::new(),
    };
    match (ty.as_str(), name) {
        ("restrequest" | "restresponse", "addheader") | ("restrequest", "addparameter") => {
            let k = arg_str(it, &args, 0)?.unwrap_or_default();
            let v = args.get(1).cloned().unwrap_or_default();
            let prop = if name == "addparameter" { "params" } else { "headers" };
            let map = match &*n.borrow() {
                Native::Bag(_, p) => p.get(prop).cloned(),
                _ => None,
            };
            if let Some(Value::Map(m)) = map {
                let kv = Value::str(&k);
                m.borrow_mut().items.insert(key_of(&kv), (kv, v));
            }
            Ok(Value::Null)
        }
        (
            t,
            "cacheget" | "get" | "put" | "contains" | "remove" | "getkeys" | "isavailable" | "getname" | "getcapacity"
            | "getnumkeys",
        ) if t.starts_with("cache.") => partition_method(it, n, name, args),
        ("security.sobjectaccessdecision", "getrecords") => Ok(match &*n.borrow() {
            Native::Bag(_, p) => p.get("records").cloned().unwrap_or_default(),
            _ => Value::Null,
        }),
        ("security.sobjectaccessdecision", "getremovedfields") => {
            Ok(Value::map(Ty::String, Ty::Set(Box::new(Ty::String))))
        }
        ("security.sobjectaccessdecision", "getmodifiedindexes") => Ok(Value::set(Ty::Integer, Vec::new())),
        _ => it.unsupported(format!("{}.{name}", super::display_class(&ty))),
    }
}

/// `RestContext.request` / `RestContext.response` and other settable platform statics.
pub fn static_get(it: &mut Interp, class: &str, name: &str) -> Option<Value> {
    let key = format!("{class}.{name}");
    match key.as_str() {
        "restcontext.request" | "restcontext.response" => {
            Some(it.platform_statics.get(&key).cloned().unwrap_or_default())
        }
        _ => None,
    }
}

/// Sets a settable platform static (`RestContext.request = req`); false when not one.
pub fn static_set(it: &mut Interp, class: &str, name: &str, v: Value) -> bool {
    let key = format!("{class}.{name}");
    match key.as_str() {
        "restcontext.request" | "restcontext.response" => {
            it.platform_statics.insert(key, v);
            true
        }
        _ => false,
    }
}

fn partition_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// `Cache.Org.*` / `Cache.Session.*` statics: `getPartition(name)`, and `get`/`put`/`contains`/
/// `remove` with `namespace.partition.key` names.
pub fn cache_static(it: &mut Interp, kind: &str, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "getpartition" => {
            let p = arg_str(it, &args, 0)?.unwrap_or_default();
            Ok(bag(&format!("cache.{kind}partition"), vec![("name", Value::str(&p)), ("kind", Value::str(kind))]))
        }
        "get" | "put" | "contains" | "remove" => {
            let full = match args.first() {
                Some(Value::Type(_)) => return it.unsupported(format!("Cache.{kind}.get with a CacheBuilder")),
                _ => arg_str(it, &args, 0)?.unwrap_or_default(),
            };
            let (part, key) = full
                .rsplit_once('.')
                .map(|(p, k)| (p.to_string(), k.to_string()))
                .unwrap_or_else(|| ("local.default".into(), full.clone()));
            let store = it.cache.entry(format!("{kind}:{}", partition_key(&part))).or_default();
            Ok(match name {
                "get" => store.get(&key).cloned().unwrap_or_default(),
                "put" => {
                    store.insert(key, deep_copy(args.get(1).unwrap_or(&Value::Null)));
                    Value::Null
                }
                "contains" => Value::Bool(store.contains_key(&key)),
                _ => Value::Bool(store.remove(&key).is_some()),
            })
        }
        _ => it.unsupported(format!("Cache.{kind}.{name}")),
    }
}

fn partition_method(it: &mut Interp, n: &Rc<RefCell<Native>>, name: &str, args: Vec<Value>) -> R<Value> {
    let (pname, kind) = match &*n.borrow() {
        Native::Bag(_, p) => (
            p.get("name").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
            p.get("kind").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        ),
        _ => (String::new(), String::new()),
    };
    let slot = format!("{kind}:{}", partition_key(&pname));
    match name {
        "getname" => Ok(Value::str(&pname)),
        "isavailable" => Ok(Value::Bool(true)),
        "getcapacity" => Ok(Value::Dec(rust_decimal::Decimal::ZERO)),
        "getnumkeys" => Ok(Value::Int(it.cache.get(&slot).map(|s| s.len()).unwrap_or(0) as i32)),
        "getkeys" => {
            let keys: Vec<Value> = it.cache.get(&slot).map(|s| s.keys().map(Value::str).collect()).unwrap_or_default();
            Ok(Value::set(Ty::String, keys))
        }
        "get" if matches!(args.first(), Some(Value::Type(_))) => {
            // get(CacheBuilder.class, key): the builder's doLoad(key) fills a miss.
            let key = arg_str(it, &args, 1)?.unwrap_or_default();
            if let Some(v) = it.cache.get(&slot).and_then(|s| s.get(&key)).cloned() {
                return Ok(v);
            }
            let Some(Value::Type(t)) = args.first().cloned() else { return it.npe() };
            let here = it.here();
            let builder = it.construct(&t, &crate::apex::runtime::ast::TypeRef::named("Object"), Vec::new(), here)?;
            let v = it.call_method_value(&builder, "doLoad", vec![Value::str(&key)])?;
            it.cache.entry(slot).or_default().insert(key, deep_copy(&v));
            Ok(v)
        }
        "get" | "put" | "contains" | "remove" => {
            let key = arg_str(it, &args, 0)?.unwrap_or_default();
            let store = it.cache.entry(slot).or_default();
            Ok(match name {
                "get" => store.get(&key).cloned().unwrap_or_default(),
                "put" => {
                    store.insert(key, deep_copy(args.get(1).unwrap_or(&Value::Null)));
                    Value::Null
                }
                "contains" => Value::Bool(store.contains_key(&key)),
                _ => Value::Bool(store.remove(&key).is_some()),
            })
        }
        _ => it.unsupported(format!("Cache partition .{name}")),
    }
}

/// `Security.stripInaccessible(accessType, records)`: for the test's administrator nothing is
/// stripped.
pub fn security_static(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "stripinaccessible" => {
            permission_gap(it, "Security.stripInaccessible")?;
            let records = args.get(1).cloned().unwrap_or_default();
            Ok(bag("security.sobjectaccessdecision", vec![("records", records)]))
        }
        _ => it.unsupported(format!("Security.{name}")),
    }
}

/// `Test.createStub(type, provider)`: an instance of the class whose every method call goes to
/// `provider.handleMethodCall(stub, methodName, returnType, paramTypes, paramNames, args)`
/// (Apex Developer Guide, "Build a Mocking Framework with the Stub API").
pub fn create_stub(it: &mut Interp, args: Vec<Value>) -> R<Value> {
    let (Some(Value::Type(t)), Some(provider)) = (args.first(), args.get(1)) else { return it.npe() };
    let Ty::Class(c) = **t else { return it.unsupported("Test.createStub of a platform type") };
    let n = it.p.classes[c as usize].layout.len();
    Ok(Value::Obj(Rc::new(RefCell::new(Obj {
        class: c,
        fields: vec![Value::Null; n],
        exc: None,
        stub: Some(provider.clone()),
    }))))
}

/// A call on a stub: forwarded to its provider.
pub fn stub_call(it: &mut Interp, stub: &Rc<RefCell<Obj>>, provider: Value, name: &str, args: Vec<Value>) -> R<Value> {
    let cid = stub.borrow().class;
    let found = it.find_method(cid, name, &args, false).or_else(|| {
        // An abstract or interface method (no body) of that arity.
        let l = name.to_ascii_lowercase();
        let cl = &it.p.classes[cid as usize];
        cl.methods
            .get(&l)
            .and_then(|v| v.iter().copied().find(|m| cl.decl.methods[*m].params.len() == args.len()))
            .map(|m| (cid, m))
    });
    let (ret, ptypes, pnames, mname) = match found {
        Some((dc, mi)) => {
            let m = &it.p.classes[dc as usize].decl.methods[mi];
            let (ret_ref, params, mname) = (m.ret.clone(), m.params.clone(), m.name.to_string());
            let ret = it.ty_uncached(&ret_ref, Some(dc));
            let mut ptypes = Vec::new();
            let mut pnames = Vec::new();
            for (pt, pn) in &params {
                ptypes.push(Value::Type(Rc::new(it.ty_uncached(pt, Some(dc)))));
                pnames.push(Value::str(&**pn));
            }
            (ret, ptypes, pnames, mname)
        }
        None => (
            Ty::Object,
            args.iter().map(|a| Value::Type(Rc::new(it.type_of(a)))).collect(),
            Vec::new(),
            name.to_string(),
        ),
    };
    let r = it.call_method_value(
        &provider,
        "handleMethodCall",
        vec![
            Value::Obj(stub.clone()),
            Value::str(&mname),
            Value::Type(Rc::new(ret.clone())),
            Value::list(Ty::Native("type".into()), ptypes),
            Value::list(Ty::String, pnames),
            Value::list(Ty::Object, args),
        ],
    )?;
    if ret == Ty::Void {
        return Ok(Value::Null);
    }
    it.cast(r, &ret)
}

/// The cache store type.
pub type CacheStore = HashMap<String, HashMap<String, Value>>;
