//! `Schema` describe (SObjectType, SObjectField, DescribeSObjectResult, DescribeFieldResult,
//! PicklistEntry) over the in-memory org's schema, and `Type` (`Type.forName`, `newInstance`).
//! A test runs as a user with every permission, so every `is*able()` is true.

use super::{arg_str, Interp, R};
use crate::apex::runtime::db::schema::{FieldType, ObjKind};
use crate::apex::runtime::values::*;
use std::cell::RefCell;
use std::rc::Rc;

/// Standard auto-number fields (Object Reference: "Auto Number" fields of these objects).
pub const AUTONUMBER_FIELDS: &[(&str, &str)] = &[
    ("Case", "CaseNumber"),
    ("Contract", "ContractNumber"),
    ("Order", "OrderNumber"),
    ("Solution", "SolutionNumber"),
    ("Quote", "QuoteNumber"),
    ("Idea", "IdeaNumber"),
    ("WorkOrder", "WorkOrderNumber"),
];

/// `Schema.*`
pub fn call_schema(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "getglobaldescribe" => {
            let m = Value::map(Ty::String, Ty::Native("schema.sobjecttype".into()));
            if let Value::Map(mm) = &m {
                mm.borrow_mut().ci = true;
                let mut names: Vec<Rc<str>> = it.schema.objects.values().map(|o| Rc::from(&*o.name)).collect();
                names.sort();
                for n in names {
                    let k = Value::str(n.to_ascii_lowercase());
                    mm.borrow_mut().items.insert(key_of(&k), (k, Value::SType(n)));
                }
            }
            Ok(m)
        }
        "describesobjects" => {
            let names: Vec<Value> = match args.first() {
                Some(Value::List(l)) => l.borrow().items.clone(),
                _ => return it.npe(),
            };
            let mut out = Vec::new();
            for n in names {
                let s = it.stringify(&n)?;
                match it.sobject_type(&s) {
                    Some(o) => out.push(Value::native(Native::DescribeSObject(o))),
                    None => return it.throw("System.InvalidParameterValueException", format!("Invalid sobject provided. The Schema.describeSObjects() methods does not support the {s} sobject as a parameter")),
                }
            }
            Ok(Value::list(Ty::Native("schema.describesobjectresult".into()), out))
        }
        _ => it.unsupported(format!("Schema.{name}")),
    }
}

/// Methods of `Schema.SObjectType`.
pub fn stype_method(it: &mut Interp, s: &Rc<str>, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "getdescribe" => Ok(Value::native(Native::DescribeSObject(s.clone()))),
        "newsobject" => {
            let mut o = SObj::new(s);
            let load_defaults = matches!(args.get(1), Some(Value::Bool(true)));
            if load_defaults {
                // newSObject(recordTypeId, loadDefaults): the fields' default values, and for a
                // platform event its EventUuid (Apex Reference, SObjectType.newSObject; EventBus
                // Class: "created using the newSObject(recordTypeId, loadDefaults) method and
                // contains a prepopulated UUID").
                it.apply_defaults(&mut o);
                if let Some(Value::Id(rt)) | Some(Value::Str(rt)) = args.first() {
                    o.put("RecordTypeId", Value::Id(rt.clone()));
                }
                let is_event =
                    it.schema.object(s).is_some_and(|i| i.kind == crate::apex::runtime::db::schema::ObjKind::Event);
                if is_event {
                    let (a, b) = (it.random(), it.random());
                    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
                    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
                    let hex = format!("{a:016x}{b:016x}");
                    let uuid =
                        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
                    o.put("EventUuid", Value::str(uuid));
                }
            } else if let Some(Value::Id(id)) | Some(Value::Str(id)) = args.first() {
                o.put("Id", Value::Id(id.clone()));
            }
            Ok(Value::sobject(o))
        }
        _ => it.unsupported(format!("SObjectType.{name}")),
    }
}

/// Methods of `Schema.SObjectField`.
pub fn sfield_method(it: &mut Interp, f: &Rc<(Rc<str>, Rc<str>)>, name: &str, _args: Vec<Value>) -> R<Value> {
    match name {
        "getdescribe" => field_describe(it, &f.0, &f.1),
        _ => it.unsupported(format!("SObjectField.{name}")),
    }
}

/// The DescribeFieldResult of `obj.field` (a compile error for a field a package object lacks).
pub fn field_describe(it: &mut Interp, obj: &Rc<str>, field: &str) -> R<Value> {
    let info = it.schema.object(obj);
    match info.and_then(|i| i.field(field)) {
        Some(f) => Ok(Value::native(Native::DescribeField(obj.clone(), Rc::from(&*f.name)))),
        None if info.is_none_or(|i| i.lenient) => Ok(Value::native(Native::DescribeField(obj.clone(), field.into()))),
        None => it.invalid_field(obj, field),
    }
}

fn display_type(it: &mut Interp, ft: Option<&FieldType>, name: &str) -> Value {
    let t = match ft {
        Some(FieldType::Id) => "ID",
        Some(FieldType::Text(_)) => "STRING",
        Some(FieldType::Number(0)) => "DOUBLE",
        Some(FieldType::Number(_)) => "DOUBLE",
        Some(FieldType::Checkbox) => "BOOLEAN",
        Some(FieldType::Date) => "DATE",
        Some(FieldType::DateTime) => "DATETIME",
        Some(FieldType::Time) => "TIME",
        Some(FieldType::Reference(_)) => "REFERENCE",
        _ => {
            if name.eq_ignore_ascii_case("id") {
                "ID"
            } else {
                "STRING"
            }
        }
    };
    match it.p.class_named("schema.displaytype", None) {
        Some(c) => match it.p.classes[c as usize].decl.enum_values.iter().position(|x| &**x == t) {
            Some(o) => Value::Enum(c, o as u32),
            None => Value::str(t),
        },
        None => Value::str(t),
    }
}

/// Methods of describe results and picklist entries.
pub fn describe_method(it: &mut Interp, n: &Rc<RefCell<Native>>, name: &str, args: Vec<Value>) -> R<Value> {
    let nb = n.borrow().clone();
    match nb {
        Native::DescribeSObject(o) => {
            let info = it.schema.object(&o).cloned();
            Ok(match name {
                "getname" | "getlocalname" => Value::str(&*o),
                "getlabel" => Value::str(info.as_ref().map(|i| i.label.to_string()).unwrap_or_else(|| o.to_string())),
                "getlabelplural" => {
                    Value::str(info.as_ref().map(|i| i.plural.to_string()).unwrap_or_else(|| format!("{o}s")))
                }
                "getkeyprefix" => info.as_ref().map(|i| Value::str(&*i.prefix)).unwrap_or_default(),
                "getsobjecttype" => Value::SType(o),
                "iscustom" => Value::Bool(info.as_ref().is_some_and(|i| i.kind != ObjKind::Standard)),
                "iscustomsetting" => Value::Bool(
                    info.as_ref().is_some_and(|i| matches!(i.kind, ObjKind::HierarchySetting | ObjKind::ListSetting)),
                ),
                "isaccessible" | "iscreateable" | "isupdateable" | "isdeletable" | "isqueryable" | "issearchable"
                | "isundeletable" | "ismergeable" => {
                    super::platform::permission_gap(it, "object permissions")?;
                    Value::Bool(true)
                }
                "fields" => Value::native(Native::FieldsOf(o)),
                "getrecordtypeinfos"
                | "getrecordtypeinfosbyname"
                | "getrecordtypeinfosbydevelopername"
                | "getrecordtypeinfosbyid" => return it.unsupported("record type describe (org metadata)"),
                _ => return it.unsupported(format!("DescribeSObjectResult.{name}")),
            })
        }
        Native::FieldsOf(o) => match name {
            "getmap" => {
                let m = Value::map(Ty::String, Ty::Native("schema.sobjectfield".into()));
                if let (Value::Map(mm), Some(info)) = (&m, it.schema.object(&o)) {
                    mm.borrow_mut().ci = true;
                    for f in info.fields.values() {
                        let k = Value::str(f.name.to_ascii_lowercase());
                        mm.borrow_mut()
                            .items
                            .insert(key_of(&k), (k, Value::SField(Rc::new((o.clone(), Rc::from(&*f.name))))));
                    }
                }
                Ok(m)
            }
            _ => it.unsupported(format!("fields.{name}")),
        },
        Native::DescribeField(o, f) => {
            let fi = it.schema.object(&o).and_then(|i| i.field(&f)).cloned();
            Ok(match name {
                "getname" | "getlocalname" => Value::str(&*f),
                "getlabel" => Value::str(fi.as_ref().map(|x| x.label.to_string()).unwrap_or_else(|| f.to_string())),
                "gettype" => display_type(it, fi.as_ref().map(|x| &x.ty), &f),
                "isaccessible" | "iscreateable" | "isupdateable" | "isfilterable" | "issortable" | "isgroupable" => {
                    super::platform::permission_gap(it, "field permissions")?;
                    Value::Bool(
                        !(fi.as_ref().is_some_and(|x| x.system)
                            && name != "isaccessible"
                            && name != "isfilterable"
                            && name != "issortable"),
                    )
                }
                "isnillable" => Value::Bool(!fi.as_ref().is_some_and(|x| x.required)),
                "iscustom" => Value::Bool(f.ends_with("__c")),
                "isexternalid" => Value::Bool(fi.as_ref().is_some_and(|x| x.external_id)),
                "isunique" => Value::Bool(fi.as_ref().is_some_and(|x| x.unique)),
                "iscalculated" => Value::Bool(fi.as_ref().is_some_and(|x| x.system) && !f.eq_ignore_ascii_case("id")),
                "isautonumber" => Value::Bool(
                    (f.eq_ignore_ascii_case("name") && it.schema.object(&o).is_some_and(|i| i.autonumber.is_some()))
                        || AUTONUMBER_FIELDS
                            .iter()
                            .any(|(ob, fl)| ob.eq_ignore_ascii_case(&o) && fl.eq_ignore_ascii_case(&f)),
                ),
                "getlength" => Value::Int(match fi.as_ref().map(|x| &x.ty) {
                    Some(FieldType::Text(n)) => *n as i32,
                    _ => 0,
                }),
                "getscale" => Value::Int(match fi.as_ref().map(|x| &x.ty) {
                    Some(FieldType::Number(s)) => *s as i32,
                    _ => 0,
                }),
                "getsobjectfield" => Value::SField(Rc::new((o.clone(), f.clone()))),
                "getreferenceto" => Value::list(
                    Ty::Native("schema.sobjecttype".into()),
                    match fi.as_ref().map(|x| &x.ty) {
                        Some(FieldType::Reference(t)) => t.iter().map(|x| Value::SType(Rc::from(&**x))).collect(),
                        _ => Vec::new(),
                    },
                ),
                "getrelationshipname" => {
                    fi.as_ref().and_then(|x| x.relationship.clone()).map(|r| Value::str(&*r)).unwrap_or_default()
                }
                "getdefaultvalue" | "getdefaultvalueformula" => Value::Null,
                "getpicklistvalues" => Value::list(
                    Ty::Native("schema.picklistentry".into()),
                    fi.as_ref()
                        .map(|x| {
                            x.picklist
                                .iter()
                                .map(|(v, l, d)| {
                                    Value::native(Native::PicklistEntry(Rc::from(&**v), Rc::from(&**l), *d))
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
                _ => return it.unsupported(format!("DescribeFieldResult.{name}")),
            })
        }
        Native::PicklistEntry(v, l, d) => Ok(match name {
            "getvalue" => Value::str(&*v),
            "getlabel" => Value::str(&*l),
            "isdefaultvalue" => Value::Bool(d),
            "isactive" => Value::Bool(true),
            _ => return it.unsupported(format!("PicklistEntry.{name}")),
        }),
        _ => {
            let _ = args;
            it.npe()
        }
    }
}

/// `Type.forName(name)` / `Type.forName(namespace, name)`.
pub fn call_type_static(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "forname" => {
            let n = if args.len() == 2 {
                let ns = arg_str(it, &args, 0)?.unwrap_or_default();
                let n = arg_str(it, &args, 1)?.unwrap_or_default();
                if ns.is_empty() {
                    n
                } else {
                    format!("{ns}.{n}")
                }
            } else {
                arg_str(it, &args, 0)?.unwrap_or_default()
            };
            let Some(t) = parse_type_name(&n) else { return Ok(Value::Null) };
            let schema = it.schema;
            let ty = it.p.resolve_type(&t, None, &|x| schema.object_name(x).map(|s| s.to_string().into()));
            Ok(match ty {
                Ty::Native(_) if !n.contains('.') => Value::Null,
                Ty::Native(ref l) if !l.starts_with("system.") && !l.starts_with("schema.") => Value::Null,
                ty => Value::Type(Rc::new(ty)),
            })
        }
        _ => it.unsupported(format!("Type.{name}")),
    }
}

/// A type written as text (`Account`, `Outer.Inner`, `Map<Id,Account>`, `List<String>`,
/// `String[]`), as `Type.forName` takes it.
pub fn parse_type_name(s: &str) -> Option<crate::apex::runtime::ast::TypeRef> {
    fn parse(c: &[char], i: &mut usize, depth: usize) -> Option<crate::apex::runtime::ast::TypeRef> {
        if depth > 20 {
            return None;
        }
        let skip = |i: &mut usize| {
            while *i < c.len() && c[*i].is_whitespace() {
                *i += 1;
            }
        };
        skip(i);
        let mut name = String::new();
        while *i < c.len() && (c[*i].is_alphanumeric() || c[*i] == '_' || c[*i] == '.') {
            name.push(c[*i]);
            *i += 1;
        }
        if name.is_empty() {
            return None;
        }
        let mut t = crate::apex::runtime::ast::TypeRef {
            parts: name.split('.').map(String::from).collect(),
            args: Vec::new(),
            array: 0,
        };
        skip(i);
        if *i < c.len() && c[*i] == '<' {
            *i += 1;
            loop {
                t.args.push(parse(c, i, depth + 1)?);
                skip(i);
                match c.get(*i) {
                    Some(',') => *i += 1,
                    Some('>') => {
                        *i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        skip(i);
        while *i + 1 < c.len() && c[*i] == '[' && c[*i + 1] == ']' {
            t.array += 1;
            *i += 2;
            skip(i);
        }
        Some(t)
    }
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let t = parse(&c, &mut i, 0)?;
    (i == c.len()).then_some(t)
}

/// Methods of a `System.Type`.
pub fn type_method(it: &mut Interp, t: &Rc<Ty>, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "getname" | "tostring" => Ok(Value::str(crate::apex::runtime::interp::ops::type_name(it.p, t))),
        "newinstance" => {
            let here = it.here();
            let tr = crate::apex::runtime::ast::TypeRef::named("Object");
            it.construct(t, &tr, Vec::new(), here)
        }
        "isassignablefrom" => match args.first() {
            Some(Value::Type(o)) => Ok(Value::Bool(match (&**t, &**o) {
                (a, b) if a == b => true,
                (Ty::Object, _) => true,
                (Ty::Class(a), Ty::Class(b)) => it.p.is_subclass(*b, *a),
                (Ty::Native(n), Ty::Class(b)) => it.p.implements(*b, n),
                _ => false,
            })),
            _ => it.npe(),
        },
        "equals" => Ok(Value::Bool(matches!(args.first(), Some(Value::Type(o)) if o == t))),
        "hashcode" => Ok(Value::Int(super::hash_key(&key_of(&Value::Type(t.clone()))))),
        _ => it.unsupported(format!("Type.{name}")),
    }
}
