//! `Assert` and `System.assert*` with Salesforce's failure messages: `System.AssertException:
//! Assertion Failed: msg: Expected: 5, Actual: 4` (areEqual/assertEquals), `Assertion Failed:
//! msg: Same value: 5` (areNotEqual/assertNotEquals), `Assertion Failed: msg` (isTrue, isFalse,
//! assert, fail). An assertion failure cannot be caught ("You can’t catch an assertion failure
//! using a try/catch block even though it’s logged as an exception", Apex Reference, Assert
//! Class).

use super::{Interp, R};
use crate::apex::runtime::values::*;

fn fail<T>(it: &mut Interp, msg: Option<&Value>, detail: Option<String>) -> R<T> {
    let m = match msg {
        Some(Value::Null) | None => None,
        Some(v) => Some(it.stringify(v)?),
    };
    let text = match (m, detail) {
        (Some(m), Some(d)) => format!("Assertion Failed: {m}: {d}"),
        (Some(m), None) => format!("Assertion Failed: {m}"),
        (None, Some(d)) => format!("Assertion Failed: {d}"),
        (None, None) => "Assertion Failed".to_string(),
    };
    it.throw("System.AssertException", text)
}

fn shown(it: &mut Interp, v: &Value) -> R<String> {
    it.stringify(v)
}

/// `Assert.*`
pub fn call_assert(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    let a0 = args.first().cloned().unwrap_or_default();
    let a1 = args.get(1).cloned().unwrap_or_default();
    match name {
        "areequal" => {
            if !assert_eq(it, &a0, &a1)? {
                let d = format!("Expected: {}, Actual: {}", shown(it, &a0)?, shown(it, &a1)?);
                return fail(it, args.get(2), Some(d));
            }
        }
        "arenotequal" => {
            if assert_eq(it, &a0, &a1)? {
                let d = format!("Same value: {}", shown(it, &a1)?);
                return fail(it, args.get(2), Some(d));
            }
        }
        "istrue" => {
            if !matches!(a0, Value::Bool(true)) {
                return fail(it, args.get(1), None);
            }
        }
        "isfalse" => {
            if !matches!(a0, Value::Bool(false)) {
                return fail(it, args.get(1), None);
            }
        }
        "isnull" => {
            if !a0.is_null() {
                let d = format!("Expected: null, Actual: {}", shown(it, &a0)?);
                return fail(it, args.get(1), Some(d));
            }
        }
        "isnotnull" => {
            if a0.is_null() {
                return fail(it, args.get(1), None);
            }
        }
        "fail" => return fail(it, args.first(), None),
        "isinstanceoftype" | "isnotinstanceoftype" => {
            let t = match &a1 {
                Value::Type(t) => (**t).clone(),
                _ => return it.npe(),
            };
            let is = it.is_instance(&a0, &t);
            if is != (name == "isinstanceoftype") {
                let tn = crate::apex::runtime::interp::ops::type_name(it.p, &t);
                let d = if is {
                    format!("Not expected type: {tn}")
                } else {
                    format!("Expected type: {tn}, Actual: {}", it.type_name_of(&a0))
                };
                return fail(it, args.get(2), Some(d));
            }
        }
        _ => return it.unsupported(format!("Assert.{name}")),
    }
    Ok(Value::Null)
}

/// Equality as assertions see it: `Object.equals`, so Strings compare case-sensitively (unlike
/// `==`), an Id equals the String of the same id, numbers compare by value.
fn assert_eq(it: &mut Interp, a: &Value, b: &Value) -> R<bool> {
    if let (Value::Str(x), Value::Str(y)) = (a, b) {
        return Ok(x == y);
    }
    Ok(same_kind(a, b) && it.eq(a, b)?)
}

/// Whether two values may be equal for an assertion: Apex compares an Integer and a Decimal
/// by value, but a String never equals a number.
fn same_kind(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| matches!(v, Value::Int(_) | Value::Long(_) | Value::Double(_) | Value::Dec(_));
    !(num(a) ^ num(b)) || a.is_null() || b.is_null()
}

/// `System.assert`, `System.assertEquals`, `System.assertNotEquals`.
pub fn system_assert(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "assert" => {
            let c = args.first().cloned().unwrap_or_default();
            if !matches!(c, Value::Bool(true)) {
                return fail(it, args.get(1), None);
            }
            Ok(Value::Null)
        }
        "assertequals" => call_assert(it, "areequal", args),
        _ => call_assert(it, "arenotequal", args),
    }
}
