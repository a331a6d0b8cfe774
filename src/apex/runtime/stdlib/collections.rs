//! `List`, `Set` and `Map` (Apex Reference, "List Class", "Set Class", "Map Class"). Keys hash
//! by value ([`crate::apex::runtime::values::Key`]): String keys are case-sensitive, Id keys
//! match in 15 or 18 characters (an argument is converted to the key type first).

use super::{arg_int, Interp, R};
use crate::apex::runtime::values::*;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;

/// Bytes a collection element is counted as for the heap estimate.
const ELEM_BYTES: usize = 8;

fn grow_check(it: &mut Interp, n: usize) -> R<()> {
    it.heap_check(n.saturating_mul(ELEM_BYTES))
}

/// List methods.
pub fn list_method(it: &mut Interp, l: &Rc<RefCell<ListV>>, name: &str, args: Vec<Value>) -> R<Value> {
    let elem = l.borrow().elem.clone();
    let len = l.borrow().items.len();
    let idx = |it: &mut Interp, i: i64, n: usize| -> R<usize> {
        if i < 0 || i as usize >= n {
            return it.throw("System.ListException", format!("List index out of bounds: {i}"));
        }
        Ok(i as usize)
    };
    match (name, args.len()) {
        ("add", 1) => {
            let v = it.coerce(args[0].clone(), &elem)?;
            grow_check(it, len + 1)?;
            l.borrow_mut().items.push(v);
            Ok(Value::Null)
        }
        ("add", 2) => {
            let i = arg_int(it, &args, 0)?;
            if i < 0 || i as usize > len {
                return it.throw("System.ListException", format!("List index out of bounds: {i}"));
            }
            let v = it.coerce(args[1].clone(), &elem)?;
            l.borrow_mut().items.insert(i as usize, v);
            Ok(Value::Null)
        }
        ("addall", 1) => {
            let items: Vec<Value> = match &args[0] {
                Value::List(o) => o.borrow().items.clone(),
                Value::Set(o) => o.borrow().items.values().cloned().collect(),
                Value::Null => return it.npe(),
                _ => return it.compile_error("List.addAll takes a List or a Set"),
            };
            grow_check(it, len + items.len())?;
            let mut conv = Vec::with_capacity(items.len());
            for v in items {
                conv.push(it.coerce(v, &elem)?);
            }
            l.borrow_mut().items.extend(conv);
            Ok(Value::Null)
        }
        ("get", 1) => {
            let i = arg_int(it, &args, 0)?;
            let i = idx(it, i, len)?;
            Ok(l.borrow().items[i].clone())
        }
        ("set", 2) => {
            let i = arg_int(it, &args, 0)?;
            let i = idx(it, i, len)?;
            let v = it.coerce(args[1].clone(), &elem)?;
            l.borrow_mut().items[i] = v;
            Ok(Value::Null)
        }
        ("remove", 1) => {
            let i = arg_int(it, &args, 0)?;
            let i = idx(it, i, len)?;
            Ok(l.borrow_mut().items.remove(i))
        }
        ("size", 0) => Ok(Value::Int(len as i32)),
        ("isempty", 0) => Ok(Value::Bool(len == 0)),
        ("clear", 0) => {
            l.borrow_mut().items.clear();
            Ok(Value::Null)
        }
        ("contains", 1) => {
            let items = l.borrow().items.clone();
            for v in &items {
                if it.eq(v, &args[0])? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        ("indexof", 1) => {
            let items = l.borrow().items.clone();
            for (i, v) in items.iter().enumerate() {
                if it.eq(v, &args[0])? {
                    return Ok(Value::Int(i as i32));
                }
            }
            Ok(Value::Int(-1))
        }
        ("clone", 0) => {
            let b = l.borrow();
            Ok(Value::list(b.elem.clone(), b.items.clone()))
        }
        ("deepclone", _) => {
            let preserve_id = matches!(args.first(), Some(Value::Bool(true)));
            let b = l.borrow();
            let items = b
                .items
                .iter()
                .map(|v| {
                    let c = deep_copy(v);
                    if !preserve_id {
                        if let Value::SObject(s) = &c {
                            s.borrow_mut().fields.shift_remove("id");
                        }
                    }
                    c
                })
                .collect();
            Ok(Value::list(b.elem.clone(), items))
        }
        ("getsobjecttype", 0) => Ok(match &elem {
            Ty::SObject(Some(n)) => Value::SType(n.clone()),
            _ => Value::Null,
        }),
        ("sort", 0) => {
            let mut items = l.borrow().items.clone();
            sort_values(it, &mut items, None)?;
            l.borrow_mut().items = items;
            Ok(Value::Null)
        }
        ("sort", 1) => {
            let mut items = l.borrow().items.clone();
            let cmp = args[0].clone();
            if cmp.is_null() {
                return it.npe();
            }
            sort_values(it, &mut items, Some(cmp))?;
            l.borrow_mut().items = items;
            Ok(Value::Null)
        }
        ("iterator", 0) => it.unsupported("List.iterator()"),
        ("hashcode", 0) => Ok(Value::Int(super::hash_key(&key_of(&Value::List(l.clone()))))),
        _ => it.compile_error(format!("Method does not exist or incorrect signature: List.{name}")),
    }
}

/// Sorts with Apex's natural order (or a `Comparator`, or `Comparable.compareTo`), stably.
pub fn sort_values(it: &mut Interp, items: &mut Vec<Value>, cmp: Option<Value>) -> R<()> {
    let n = items.len();
    let mut v = std::mem::take(items);
    let mut buf: Vec<Value> = Vec::with_capacity(n);
    let mut width = 1;
    while width < n {
        let mut i = 0;
        buf.clear();
        while i < n {
            let mid = (i + width).min(n);
            let end = (i + 2 * width).min(n);
            let (mut a, mut b) = (i, mid);
            while a < mid && b < end {
                it.step()?;
                let o = compare_for_sort(it, &v[a], &v[b], cmp.as_ref())?;
                if o == Ordering::Greater {
                    buf.push(v[b].clone());
                    b += 1;
                } else {
                    buf.push(v[a].clone());
                    a += 1;
                }
            }
            buf.extend_from_slice(&v[a..mid]);
            buf.extend_from_slice(&v[b..end]);
            i = end;
        }
        std::mem::swap(&mut v, &mut buf);
        width *= 2;
    }
    *items = v;
    Ok(())
}

fn compare_for_sort(it: &mut Interp, a: &Value, b: &Value, cmp: Option<&Value>) -> R<Ordering> {
    if let Some(c) = cmp {
        let r = it.call_method_value(c, "compare", vec![a.clone(), b.clone()])?;
        return Ok(match r {
            Value::Int(i) => i.cmp(&0),
            _ => Ordering::Equal,
        });
    }
    match (a, b) {
        (Value::Null, Value::Null) => Ok(Ordering::Equal),
        (Value::Null, _) => Ok(Ordering::Less),
        (_, Value::Null) => Ok(Ordering::Greater),
        (Value::Obj(_), _) => {
            let r = it.call_method_value(a, "compareTo", vec![b.clone()])?;
            Ok(match r {
                Value::Int(i) => i.cmp(&0),
                _ => Ordering::Equal,
            })
        }
        (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
        (Value::Id(x), Value::Id(y)) => Ok(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Ok(x.cmp(y)),
        (Value::Enum(_, x), Value::Enum(_, y)) => Ok(x.cmp(y)),
        (Value::SObject(_), _) => it.unsupported("sorting a list of records without a Comparator"),
        _ => Ok(it.compare(a, b)?.unwrap_or(Ordering::Equal)),
    }
}

/// Set methods.
pub fn set_method(it: &mut Interp, s: &Rc<RefCell<SetV>>, name: &str, args: Vec<Value>) -> R<Value> {
    let elem = s.borrow().elem.clone();
    let items_of = |it: &mut Interp, v: &Value| -> R<Vec<Value>> {
        Ok(match v {
            Value::List(o) => o.borrow().items.clone(),
            Value::Set(o) => o.borrow().items.values().cloned().collect(),
            Value::Null => return it.npe(),
            _ => return it.compile_error("expected a List or a Set"),
        })
    };
    match (name, args.len()) {
        ("add", 1) => {
            let v = it.coerce(args[0].clone(), &elem)?;
            let k = key_of(&v);
            let b = s.borrow();
            if b.items.contains_key(&k) {
                return Ok(Value::Bool(false));
            }
            let n = b.items.len();
            drop(b);
            grow_check(it, n + 1)?;
            s.borrow_mut().items.insert(k, v);
            Ok(Value::Bool(true))
        }
        ("addall", 1) => {
            let items = items_of(it, &args[0])?;
            let mut changed = false;
            for v in items {
                let v = it.coerce(v, &elem)?;
                let k = key_of(&v);
                let mut b = s.borrow_mut();
                if !b.items.contains_key(&k) {
                    b.items.insert(k, v);
                    changed = true;
                }
            }
            let n = s.borrow().items.len();
            grow_check(it, n)?;
            Ok(Value::Bool(changed))
        }
        ("contains", 1) => {
            let v = it.coerce(args[0].clone(), &elem)?;
            Ok(Value::Bool(s.borrow().items.contains_key(&key_of(&v))))
        }
        ("containsall", 1) => {
            let items = items_of(it, &args[0])?;
            let mut all = true;
            for v in items {
                let v = it.coerce(v, &elem)?;
                if !s.borrow().items.contains_key(&key_of(&v)) {
                    all = false;
                }
            }
            Ok(Value::Bool(all))
        }
        ("remove", 1) => {
            let v = it.coerce(args[0].clone(), &elem)?;
            Ok(Value::Bool(s.borrow_mut().items.shift_remove(&key_of(&v)).is_some()))
        }
        ("removeall", 1) => {
            let items = items_of(it, &args[0])?;
            let mut changed = false;
            for v in items {
                let v = it.coerce(v, &elem)?;
                changed |= s.borrow_mut().items.shift_remove(&key_of(&v)).is_some();
            }
            Ok(Value::Bool(changed))
        }
        ("retainall", 1) => {
            let items = items_of(it, &args[0])?;
            let mut keep = std::collections::HashSet::new();
            for v in items {
                let v = it.coerce(v, &elem)?;
                keep.insert(key_of(&v));
            }
            let before = s.borrow().items.len();
            s.borrow_mut().items.retain(|k, _| keep.contains(k));
            Ok(Value::Bool(before != s.borrow().items.len()))
        }
        ("size", 0) => Ok(Value::Int(s.borrow().items.len() as i32)),
        ("isempty", 0) => Ok(Value::Bool(s.borrow().items.is_empty())),
        ("clear", 0) => {
            s.borrow_mut().items.clear();
            Ok(Value::Null)
        }
        ("clone", 0) => {
            let b = s.borrow();
            Ok(Value::Set(Rc::new(RefCell::new(b.clone()))))
        }
        ("iterator", 0) => it.unsupported("Set.iterator()"),
        _ => it.compile_error(format!("Method does not exist or incorrect signature: Set.{name}")),
    }
}

/// Map methods.
pub fn map_method(it: &mut Interp, m: &Rc<RefCell<MapV>>, name: &str, args: Vec<Value>) -> R<Value> {
    let (kt, vt) = {
        let b = m.borrow();
        (b.key.clone(), b.val.clone())
    };
    match (name, args.len()) {
        ("put", 2) => {
            let k = it.coerce(args[0].clone(), &kt)?;
            let v = it.coerce(args[1].clone(), &vt)?;
            let key = m.borrow().key(&k);
            let n = m.borrow().items.len();
            grow_check(it, n + 1)?;
            let old = m.borrow_mut().items.insert(key, (k, v));
            Ok(old.map(|(_, v)| v).unwrap_or_default())
        }
        ("get", 1) => {
            let k = match it.coerce(args[0].clone(), &kt) {
                Ok(k) => k,
                Err(_) => return Ok(Value::Null),
            };
            let key = m.borrow().key(&k);
            Ok(m.borrow().items.get(&key).map(|(_, v)| v.clone()).unwrap_or_default())
        }
        ("containskey", 1) => {
            let k = match it.coerce(args[0].clone(), &kt) {
                Ok(k) => k,
                Err(_) => return Ok(Value::Bool(false)),
            };
            let key = m.borrow().key(&k);
            Ok(Value::Bool(m.borrow().items.contains_key(&key)))
        }
        ("remove", 1) => {
            let k = it.coerce(args[0].clone(), &kt)?;
            let key = m.borrow().key(&k);
            Ok(m.borrow_mut().items.shift_remove(&key).map(|(_, v)| v).unwrap_or_default())
        }
        ("keyset", 0) => {
            let keys: Vec<Value> = m.borrow().items.values().map(|(k, _)| k.clone()).collect();
            Ok(Value::set(kt, keys))
        }
        ("values", 0) => {
            let vals: Vec<Value> = m.borrow().items.values().map(|(_, v)| v.clone()).collect();
            Ok(Value::list(vt, vals))
        }
        ("size", 0) => Ok(Value::Int(m.borrow().items.len() as i32)),
        ("isempty", 0) => Ok(Value::Bool(m.borrow().items.is_empty())),
        ("clear", 0) => {
            m.borrow_mut().items.clear();
            Ok(Value::Null)
        }
        ("putall", 1) => {
            match &args[0] {
                Value::Map(o) => {
                    let items = o.borrow().items.clone();
                    for (_, (k, v)) in items {
                        let k = it.coerce(k, &kt)?;
                        let v = it.coerce(v, &vt)?;
                        m.borrow_mut().items.insert(key_of(&k), (k, v));
                    }
                }
                Value::List(l) => {
                    let items = l.borrow().items.clone();
                    for r in items {
                        if let Value::SObject(s) = &r {
                            if let Some(id) = s.borrow().id() {
                                let k = Value::Id(id);
                                m.borrow_mut().items.insert(key_of(&k), (k, r.clone()));
                            }
                        }
                    }
                }
                Value::Null => return it.npe(),
                _ => return it.compile_error("Map.putAll takes a Map or a List of records"),
            }
            Ok(Value::Null)
        }
        ("clone", 0) => {
            let b = m.borrow();
            Ok(Value::Map(Rc::new(RefCell::new(b.clone()))))
        }
        ("deepclone", 0) => Ok(deep_copy(&Value::Map(m.clone()))),
        ("getsobjecttype", 0) => Ok(match &vt {
            Ty::SObject(Some(n)) => Value::SType(n.clone()),
            _ => Value::Null,
        }),
        _ => it.compile_error(format!("Method does not exist or incorrect signature: Map.{name}")),
    }
}
