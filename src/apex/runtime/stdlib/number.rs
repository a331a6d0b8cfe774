//! `Math`, `Integer`, `Long`, `Decimal`, `Double`, `Boolean` and `Id` statics, and the methods
//! of numbers (Apex Reference, the class of each). `Decimal.round()` and `setScale` round half
//! even, as the Decimal Class page says; `Math.round` rounds half up (Java's `Math.round`).

use super::{arg_int, arg_str, Interp, R};
use crate::apex::runtime::db::ids;
use crate::apex::runtime::interp::ops::{as_dec, as_f64, as_i64, dec_from_f64, fmt_double};
use crate::apex::runtime::interp::Qual;
use crate::apex::runtime::values::*;
use rust_decimal::prelude::*;
use rust_decimal::RoundingStrategy;

/// `Integer.MAX_VALUE`-like constants (none in Apex; kept for `Long`).
pub fn static_prop(_name: &str) -> Option<Qual> {
    None
}

fn num_arg(it: &mut Interp, args: &[Value], i: usize) -> R<Value> {
    match args.get(i) {
        Some(v @ (Value::Int(_) | Value::Long(_) | Value::Double(_) | Value::Dec(_))) => Ok(v.clone()),
        Some(Value::Null) | None => it.npe(),
        Some(other) => {
            let t = it.type_name_of(other);
            it.compile_error(format!("Expected a number, got {t}"))
        }
    }
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Int(_) => 0,
        Value::Long(_) => 1,
        Value::Double(_) => 2,
        _ => 3,
    }
}

/// `Math.*`
pub fn call_math(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "min" | "max" => {
            let a = num_arg(it, &args, 0)?;
            let b = num_arg(it, &args, 1)?;
            let r = rank(&a).max(rank(&b));
            let ord = it.compare(&a, &b)?.unwrap_or(std::cmp::Ordering::Equal);
            let pick = if (name == "min") == (ord != std::cmp::Ordering::Greater) { a } else { b };
            Ok(widen(pick, r))
        }
        "abs" => {
            let a = num_arg(it, &args, 0)?;
            Ok(match a {
                Value::Int(i) => Value::Int(i.wrapping_abs()),
                Value::Long(i) => Value::Long(i.wrapping_abs()),
                Value::Double(d) => Value::Double(d.abs()),
                Value::Dec(d) => Value::Dec(d.abs()),
                v => v,
            })
        }
        "pow" => {
            let a = as_f64(&num_arg(it, &args, 0)?).unwrap_or(0.0);
            let b = as_f64(&num_arg(it, &args, 1)?).unwrap_or(0.0);
            Ok(Value::Double(a.powf(b)))
        }
        "sqrt" | "exp" | "log" | "log10" | "sin" | "cos" | "tan" | "cbrt" | "asin" | "acos" | "atan" | "sinh"
        | "cosh" | "tanh" => {
            let a = as_f64(&num_arg(it, &args, 0)?).unwrap_or(0.0);
            Ok(Value::Double(match name {
                "sqrt" => a.sqrt(),
                "exp" => a.exp(),
                "log" => a.ln(),
                "log10" => a.log10(),
                "sin" => a.sin(),
                "cos" => a.cos(),
                "tan" => a.tan(),
                "asin" => a.asin(),
                "acos" => a.acos(),
                "atan" => a.atan(),
                "sinh" => a.sinh(),
                "cosh" => a.cosh(),
                "tanh" => a.tanh(),
                _ => a.cbrt(),
            }))
        }
        "mod" => {
            let a = num_arg(it, &args, 0)?;
            let b = num_arg(it, &args, 1)?;
            let (x, y) = (as_i64(&a).unwrap_or(0), as_i64(&b).unwrap_or(0));
            if y == 0 {
                return it.throw("System.MathException", "Divide by 0");
            }
            Ok(if rank(&a).max(rank(&b)) == 0 { Value::Int((x % y) as i32) } else { Value::Long(x % y) })
        }
        "round" | "roundtolong" => {
            let a = num_arg(it, &args, 0)?;
            let r = match &a {
                Value::Dec(d) => {
                    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero).to_i64().unwrap_or(0)
                }
                other => (as_f64(other).unwrap_or(0.0) + 0.5).floor() as i64,
            };
            let r = match &a {
                Value::Dec(d) if d.is_sign_negative() => {
                    // Java Math.round: floor(x + 0.5).
                    (d.to_f64().unwrap_or(0.0) + 0.5).floor() as i64
                }
                _ => r,
            };
            Ok(if name == "round" { Value::Int(r as i32) } else { Value::Long(r) })
        }
        "floor" | "ceil" => {
            let a = num_arg(it, &args, 0)?;
            Ok(match a {
                Value::Dec(d) => Value::Dec(if name == "floor" { d.floor() } else { d.ceil() }),
                other => {
                    let x = as_f64(&other).unwrap_or(0.0);
                    Value::Double(if name == "floor" { x.floor() } else { x.ceil() })
                }
            })
        }
        "signum" => {
            let a = as_f64(&num_arg(it, &args, 0)?).unwrap_or(0.0);
            Ok(Value::Double(if a > 0.0 {
                1.0
            } else if a < 0.0 {
                -1.0
            } else {
                0.0
            }))
        }
        "random" => {
            let r = it.random();
            Ok(Value::Double((r >> 11) as f64 / (1u64 << 53) as f64))
        }
        _ => it.unsupported(format!("Math.{name}")),
    }
}

fn widen(v: Value, r: u8) -> Value {
    match r {
        0 => v,
        1 => match v {
            Value::Int(i) => Value::Long(i as i64),
            v => v,
        },
        2 => Value::Double(as_f64(&v).unwrap_or(0.0)),
        _ => Value::Dec(as_dec(&v).unwrap_or_default()),
    }
}

/// `Integer.valueOf`, `Decimal.valueOf`, `Id.valueOf`, ...
pub fn call_static(it: &mut Interp, class: &str, name: &str, args: Vec<Value>) -> R<Value> {
    let a = args.first().cloned().unwrap_or_default();
    match (class, name) {
        ("integer", "valueof") => match &a {
            Value::Null => Ok(Value::Null),
            Value::Str(s) => match s.trim().parse::<i32>() {
                Ok(i) => Ok(Value::Int(i)),
                Err(_) => it.throw("System.TypeException", format!("Invalid integer: {s}")),
            },
            v => Ok(Value::Int(as_f64(v).map(|d| d as i32).unwrap_or(0))),
        },
        ("long", "valueof") => match &a {
            Value::Null => Ok(Value::Null),
            Value::Str(s) => match s.trim().parse::<i64>() {
                Ok(i) => Ok(Value::Long(i)),
                Err(_) => it.throw("System.TypeException", format!("Invalid long: {s}")),
            },
            v => Ok(Value::Long(as_i64(v).unwrap_or_else(|| as_f64(v).map(|d| d as i64).unwrap_or(0)))),
        },
        ("decimal", "valueof") => match &a {
            Value::Null => Ok(Value::Null),
            Value::Str(s) => match Decimal::from_str(s.trim()).or_else(|_| Decimal::from_scientific(s.trim())) {
                Ok(d) => Ok(Value::Dec(d)),
                Err(_) => it.throw("System.TypeException", format!("Invalid decimal: {s}")),
            },
            Value::Double(d) => Ok(Value::Dec(dec_from_f64(*d).unwrap_or_default())),
            v => Ok(Value::Dec(as_dec(v).unwrap_or_default())),
        },
        ("double", "valueof") => match &a {
            Value::Null => Ok(Value::Null),
            Value::Str(s) => match s.trim().parse::<f64>() {
                Ok(d) => Ok(Value::Double(d)),
                Err(_) => it.throw("System.TypeException", format!("Invalid double: {s}")),
            },
            v => Ok(Value::Double(as_f64(v).unwrap_or(0.0))),
        },
        ("boolean", "valueof") => match &a {
            Value::Null => Ok(Value::Null),
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::Str(s) => Ok(Value::Bool(s.eq_ignore_ascii_case("true"))),
            _ => it.throw("System.TypeException", "Invalid conversion to Boolean"),
        },
        ("id", "valueof") => match arg_str(it, &args, 0)? {
            None => Ok(Value::Null),
            Some(s) => match ids::to18(&s) {
                Some(id) => Ok(Value::Id(id.into())),
                None => it.throw("System.StringException", format!("Invalid id: {s}")),
            },
        },
        _ => it.unsupported(format!("{}.{name}", super::display_class(class))),
    }
}

/// Methods of Integer, Long, Double and Decimal values.
pub fn method(it: &mut Interp, v: &Value, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "intvalue" => Ok(Value::Int(match v {
            Value::Dec(d) => d.trunc().to_i64().unwrap_or(0) as i32,
            other => as_f64(other).map(|d| d.trunc() as i64 as i32).unwrap_or(0),
        })),
        "longvalue" => Ok(Value::Long(match v {
            Value::Dec(d) => d.trunc().to_i64().unwrap_or(0),
            Value::Int(i) => *i as i64,
            Value::Long(l) => *l,
            other => as_f64(other).map(|d| d.trunc() as i64).unwrap_or(0),
        })),
        "doublevalue" => Ok(Value::Double(as_f64(v).unwrap_or(0.0))),
        "format" => Ok(Value::str(match v {
            Value::Int(_) | Value::Long(_) => group(&as_i64(v).unwrap_or(0).to_string()),
            Value::Dec(d) => {
                let s = d.round_dp(3).normalize().to_string();
                let (i, f) = s.split_once('.').unwrap_or((&s, ""));
                if f.is_empty() {
                    group(i)
                } else {
                    format!("{}.{f}", group(i))
                }
            }
            other => fmt_double(as_f64(other).unwrap_or(0.0)),
        })),
        "setscale" => {
            let scale = arg_int(it, &args, 0)?.clamp(0, 28) as u32;
            let d = as_dec(v).unwrap_or_default();
            let mode = rounding_of(it, args.get(1))?;
            let mut r = d.round_dp_with_strategy(scale, mode);
            r.rescale(scale);
            Ok(Value::Dec(r))
        }
        "round" => {
            let d = as_dec(v).unwrap_or_default();
            let mode =
                if args.is_empty() { RoundingStrategy::MidpointNearestEven } else { rounding_of(it, args.first())? };
            Ok(Value::Long(d.round_dp_with_strategy(0, mode).to_i64().unwrap_or(0)))
        }
        "scale" => Ok(Value::Int(as_dec(v).map(|d| d.scale() as i32).unwrap_or(0))),
        "precision" => Ok(Value::Int(as_dec(v).map(|d| d.mantissa().abs().to_string().len() as i32).unwrap_or(0))),
        "abs" => Ok(match v {
            Value::Dec(d) => Value::Dec(d.abs()),
            Value::Int(i) => Value::Int(i.abs()),
            Value::Long(l) => Value::Long(l.abs()),
            Value::Double(d) => Value::Double(d.abs()),
            o => o.clone(),
        }),
        "divide" => {
            let d = as_dec(v).unwrap_or_default();
            let by = as_dec(&num_arg(it, &args, 0)?).unwrap_or_default();
            if by.is_zero() {
                return it.throw("System.MathException", "Divide by 0");
            }
            let scale = arg_int(it, &args, 1)?.clamp(0, 28) as u32;
            let mode = rounding_of(it, args.get(2))?;
            let mut r = (d / by).round_dp_with_strategy(scale, mode);
            r.rescale(scale);
            Ok(Value::Dec(r))
        }
        "pow" => {
            let d = as_dec(v).unwrap_or_default();
            let e = arg_int(it, &args, 0)?;
            match d.checked_powi(e) {
                Some(r) => Ok(Value::Dec(r)),
                None => it.unsupported("Decimal.pow beyond 28 digits"),
            }
        }
        "striptrailingzeros" => Ok(Value::Dec(as_dec(v).unwrap_or_default().normalize())),
        "toplainstring" => Ok(Value::str(as_dec(v).unwrap_or_default().to_string())),
        _ => {
            let t = it.type_name_of(v);
            it.unsupported(format!("{t}.{name}"))
        }
    }
}

fn rounding_of(it: &mut Interp, v: Option<&Value>) -> R<RoundingStrategy> {
    Ok(match v {
        None => RoundingStrategy::MidpointNearestEven,
        Some(Value::Enum(c, o)) => match it.enum_name(*c, *o).as_str() {
            "CEILING" => RoundingStrategy::ToPositiveInfinity,
            "FLOOR" => RoundingStrategy::ToNegativeInfinity,
            "DOWN" => RoundingStrategy::ToZero,
            "UP" => RoundingStrategy::AwayFromZero,
            "HALF_UP" => RoundingStrategy::MidpointAwayFromZero,
            "HALF_DOWN" => RoundingStrategy::MidpointTowardZero,
            _ => RoundingStrategy::MidpointNearestEven,
        },
        Some(_) => return it.npe(),
    })
}

fn group(digits: &str) -> String {
    let (sign, d) = digits.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", digits));
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}
