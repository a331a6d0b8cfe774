//! SObject instance methods, and the statics of custom settings and custom metadata types
//! (Apex Reference, "SObject Class", "Custom Settings Methods", "Custom Metadata Type
//! Methods"). Custom metadata records are the package's own `customMetadata/` files, stored in
//! the org before each test (tests see them without SeeAllData, as the platform does).

use super::{arg_str, Interp, R};
use crate::apex::runtime::db::schema::{FieldType, ObjKind};
use crate::apex::runtime::values::*;
use std::cell::RefCell;
use std::rc::Rc;

fn field_name(it: &mut Interp, v: Option<&Value>) -> R<String> {
    match v {
        Some(Value::Str(s)) => Ok(s.to_string()),
        Some(Value::SField(f)) => Ok(f.1.to_string()),
        Some(Value::Null) | None => it.npe(),
        Some(other) => it.stringify(other),
    }
}

/// Methods of a record.
pub fn method(it: &mut Interp, s: &Rc<RefCell<SObj>>, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "get" => {
            let f = field_name(it, args.first())?;
            if let Some((rel, rest)) = f.split_once('.') {
                let parent = it.sobject_get(s, rel)?;
                return match parent {
                    Value::SObject(p) => method(it, &p, "get", vec![Value::str(rest)]),
                    _ => Ok(Value::Null),
                };
            }
            it.sobject_get(s, &f)
        }
        "put" => {
            let f = field_name(it, args.first())?;
            let v = args.get(1).cloned().unwrap_or_default();
            let ty = s.borrow().ty.clone();
            let v = it.field_value_for(&ty, &f, v)?;
            let old = s.borrow().get(&f).cloned().unwrap_or_default();
            s.borrow_mut().put(&f, v);
            Ok(old)
        }
        "getsobjecttype" => Ok(Value::SType(s.borrow().ty.clone())),
        "getsobject" => {
            let f = field_name(it, args.first())?;
            it.sobject_get(s, &f)
        }
        "getsobjects" => {
            let f = field_name(it, args.first())?;
            it.sobject_get(s, &f)
        }
        "putsobject" => {
            let f = field_name(it, args.first())?;
            let v = args.get(1).cloned().unwrap_or_default();
            let old = s.borrow().get(&f).cloned().unwrap_or_default();
            s.borrow_mut().put(&f, v);
            Ok(old)
        }
        "clone" => {
            let preserve_id = matches!(args.first(), Some(Value::Bool(true)));
            let deep = matches!(args.get(1), Some(Value::Bool(true)));
            let keep_ts = matches!(args.get(2), Some(Value::Bool(true)));
            let src = s.borrow().clone();
            let mut c = if deep {
                match deep_copy(&Value::sobject(src.clone())) {
                    Value::SObject(x) => x.borrow().clone(),
                    _ => src.clone(),
                }
            } else {
                src.clone()
            };
            c.errors.clear();
            c.queried = false;
            if !preserve_id {
                c.fields.shift_remove("id");
            }
            if !keep_ts {
                for f in ["createddate", "createdbyid", "lastmodifieddate", "lastmodifiedbyid", "systemmodstamp"] {
                    c.fields.shift_remove(f);
                }
            }
            Ok(Value::sobject(c))
        }
        "adderror" => {
            let (msg, field) = match args.len() {
                1 => (it.stringify(&args[0])?, None),
                _ => {
                    let f = field_name(it, args.first())?;
                    (it.stringify(&args[1])?, Some(f))
                }
            };
            s.borrow_mut().errors.push((msg, field));
            Ok(Value::Null)
        }
        "haserrors" => Ok(Value::Bool(!s.borrow().errors.is_empty())),
        "geterrors" => it.unsupported("SObject.getErrors"),
        "isset" => {
            let f = field_name(it, args.first())?;
            Ok(Value::Bool(s.borrow().get(&f).is_some()))
        }
        "getpopulatedfieldsasmap" => {
            let m = Value::map(Ty::String, Ty::Object);
            if let Value::Map(mm) = &m {
                for (_, (n, v)) in s.borrow().fields.iter() {
                    let k = Value::str(n);
                    mm.borrow_mut().items.insert(key_of(&k), (k, v.clone()));
                }
            }
            Ok(m)
        }
        "getclonesourceid" => Ok(Value::Null),
        "isclone" => Ok(Value::Bool(false)),
        "recalculateformulas" => it.unsupported("SObject.recalculateFormulas (formula fields)"),
        "setoptions" => Ok(Value::Null),
        _ => {
            let _ = arg_str;
            it.unsupported(format!("SObject.{name}"))
        }
    }
}

/// Custom metadata records of the package as stored rows (typed by the type's fields).
pub fn mdt_rows(it: &mut Interp) -> Vec<(String, SObj)> {
    let mut out = Vec::new();
    let recs = it.schema.mdt.clone();
    for r in recs {
        let table = r.ty.to_ascii_lowercase();
        let prefix = it.schema.object(&r.ty).map(|o| o.prefix.to_string()).unwrap_or_else(|| "m99".into());
        let id = it.db.new_id(&prefix);
        let mut s = SObj::new(&r.ty);
        s.put("Id", Value::Id(id));
        s.put("DeveloperName", Value::str(&*r.name));
        s.put("MasterLabel", Value::str(&*r.label));
        s.put("Label", Value::str(&*r.label));
        s.put("QualifiedApiName", Value::str(&*r.name));
        s.put("NamespacePrefix", Value::Null);
        for (f, v) in &r.values {
            let ft = it.schema.object(&r.ty).and_then(|o| o.field(f)).map(|x| x.ty.clone());
            let val = match (v, ft) {
                (None, _) => Value::Null,
                (Some(t), Some(FieldType::Checkbox)) => Value::Bool(t.trim() == "true"),
                (Some(t), Some(FieldType::Number(_))) => match rust_decimal::Decimal::from_str_exact(t.trim()) {
                    Ok(d) => Value::Dec(d),
                    Err(_) => Value::str(t),
                },
                (Some(t), Some(FieldType::Date)) => {
                    crate::apex::runtime::time::parse_date(t).map(|d| Value::Date(d as i32)).unwrap_or_default()
                }
                (Some(t), Some(FieldType::DateTime)) => {
                    crate::apex::runtime::time::parse_datetime(t).map(Value::Datetime).unwrap_or_default()
                }
                (Some(t), _) => Value::str(t),
            };
            s.put(f, val);
        }
        out.push((table, s));
    }
    out
}

/// `Settings__c.getOrgDefaults()`, `Type__mdt.getInstance('Name')`, ...
pub fn statics(it: &mut Interp, obj: &Rc<str>, name: &str, args: Vec<Value>) -> R<Value> {
    if name == "getsobjecttype" && args.is_empty() {
        return Ok(Value::SType(obj.clone()));
    }
    let Some(info) = it.schema.object(obj).cloned() else {
        return it.unsupported(format!("{obj}.{name}"));
    };
    let table = obj.to_ascii_lowercase();
    let fresh = |it: &mut Interp| -> Value {
        // A new setting object holding the fields' default values (Custom Settings Methods:
        // "If no custom setting data is defined ..., this method returns a new custom setting
        // object ... with default values").
        let mut s = SObj::new(obj);
        for f in info.fields.values() {
            if let (Some(d), FieldType::Checkbox) = (&f.default, &f.ty) {
                s.put(&f.name, Value::Bool(d.eq_ignore_ascii_case("true")));
            }
        }
        let _ = it;
        Value::sobject(s)
    };
    match (info.kind, name) {
        (ObjKind::HierarchySetting, "getorgdefaults") => {
            let org = it.org_id.clone();
            let row = it
                .db
                .rows(&table)
                .find(|r| matches!(r.get("setupownerid"), Some(Value::Id(o)) if o.eq_ignore_ascii_case(&org)))
                .cloned();
            Ok(row.map(Value::sobject).unwrap_or_else(|| fresh(it)))
        }
        (ObjKind::HierarchySetting, "getinstance" | "getvalues") => {
            let who: Option<String> = match args.first() {
                Some(v) => Some(it.stringify(v)?),
                None => Some(it.test.user.to_string()),
            };
            let who18 = who.as_deref().and_then(crate::apex::runtime::db::ids::to18);
            let find = |it: &Interp, id: &str| {
                it.db
                    .rows(&table)
                    .find(|r| matches!(r.get("setupownerid"), Some(Value::Id(o)) if o.eq_ignore_ascii_case(id)))
                    .cloned()
            };
            if let Some(w) = &who18 {
                if let Some(r) = find(it, w) {
                    return Ok(Value::sobject(r));
                }
            }
            if name == "getvalues" {
                return Ok(Value::Null);
            }
            // The user's value merged down the hierarchy: profile, then the org default.
            let profile = it.db.row("user", &it.test.user).and_then(|u| u.id().and(u.get("profileid").cloned()));
            if let Some(Value::Id(p)) = profile {
                if let Some(r) = find(it, &p) {
                    return Ok(Value::sobject(r));
                }
            }
            let org = it.org_id.clone();
            if let Some(mut r) = find(it, &org) {
                r.fields.shift_remove("id");
                return Ok(Value::sobject(r));
            }
            Ok(fresh(it))
        }
        (ObjKind::ListSetting, "getall") | (ObjKind::Metadata, "getall") => {
            let m = Value::map(Ty::String, Ty::SObject(Some(obj.clone())));
            let key_field = if info.kind == ObjKind::Metadata { "developername" } else { "name" };
            if let Value::Map(mm) = &m {
                for r in it.db.rows(&table) {
                    let k = r.get(key_field).cloned().unwrap_or_default();
                    mm.borrow_mut().items.insert(key_of(&k), (k, Value::sobject(r.clone())));
                }
            }
            Ok(m)
        }
        (ObjKind::ListSetting, "getinstance" | "getvalues") | (ObjKind::Metadata, "getinstance") => {
            let key = arg_str(it, &args, 0)?.unwrap_or_default();
            let by_id = crate::apex::runtime::db::ids::to18(&key);
            let key_field = if info.kind == ObjKind::Metadata { "developername" } else { "name" };
            let row = it
                .db
                .rows(&table)
                .find(|r| {
                    matches!(r.get(key_field), Some(Value::Str(n)) if **n == *key)
                        || by_id.as_deref().is_some_and(|i| r.id().as_deref() == Some(i))
                })
                .cloned();
            Ok(row.map(Value::sobject).unwrap_or_default())
        }
        _ => it.unsupported(format!("{obj}.{name}")),
    }
}
