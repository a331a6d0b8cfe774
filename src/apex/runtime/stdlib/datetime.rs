//! `Date`, `Datetime` and `Time` (Apex Reference, each class). The running user's time zone
//! is GMT and the locale en_US (sfgen's test user), so "local" methods equal the GMT ones and
//! `format()` uses en_US patterns (`M/d/yyyy`, `M/d/yyyy h:mm a`).

use super::{arg_int, arg_str, Interp, R};
use crate::apex::runtime::time::*;
use crate::apex::runtime::values::*;

fn int(it: &mut Interp, args: &[Value], i: usize) -> R<i64> {
    arg_int(it, args, i)
}

/// Statics of Date, Datetime and Time.
pub fn call_static(it: &mut Interp, class: &str, name: &str, args: Vec<Value>) -> R<Value> {
    match (class, name, args.len()) {
        ("date", "today", 0) => Ok(Value::Date(it.today() as i32)),
        ("date", "newinstance", 3) => {
            let (y, m, d) = (int(it, &args, 0)?, int(it, &args, 1)?, int(it, &args, 2)?);
            Ok(Value::Date(civil(y, m, d) as i32))
        }
        ("date", "valueof", 1) => match &args[0] {
            Value::Str(s) => match parse_date(s) {
                Some(d) => Ok(Value::Date(d as i32)),
                None => it.throw("System.TypeException", format!("Invalid date: {s}")),
            },
            Value::Datetime(ms) => Ok(Value::Date(split(*ms).0 as i32)),
            Value::Null => Ok(Value::Null),
            _ => it.unsupported("Date.valueOf of this type"),
        },
        ("date", "parse", 1) => {
            let s = arg_str(it, &args, 0)?.unwrap_or_default();
            let p: Vec<&str> = s.split('/').collect();
            match (
                p.first().and_then(|x| x.trim().parse::<i64>().ok()),
                p.get(1).and_then(|x| x.trim().parse::<i64>().ok()),
                p.get(2).and_then(|x| x.trim().parse::<i64>().ok()),
            ) {
                (Some(m), Some(d), Some(y)) if (1..=12).contains(&m) => Ok(Value::Date(civil(y, m, d) as i32)),
                _ => it.throw("System.TypeException", format!("Invalid date: {s}")),
            }
        }
        ("date", "daysinmonth", 2) => {
            let (y, m) = (int(it, &args, 0)?, int(it, &args, 1)?);
            Ok(Value::Int(days_in_month(y, m.clamp(1, 12) as u32) as i32))
        }
        ("date", "isleapyear", 1) => {
            let y = int(it, &args, 0)?;
            Ok(Value::Bool(is_leap(y)))
        }
        ("datetime", "now", 0) => Ok(Value::Datetime(it.now_ms())),
        ("datetime", "newinstance" | "newinstancegmt", 1) => match &args[0] {
            Value::Long(ms) => Ok(Value::Datetime(*ms)),
            Value::Int(ms) => Ok(Value::Datetime(*ms as i64)),
            Value::Date(d) => Ok(Value::Datetime(*d as i64 * DAY_MS)),
            _ => it.npe(),
        },
        ("datetime", "newinstance" | "newinstancegmt", 2) => match (&args[0], &args[1]) {
            (Value::Date(d), Value::Time(t)) => Ok(Value::Datetime(*d as i64 * DAY_MS + t)),
            _ => it.npe(),
        },
        ("datetime", "newinstance" | "newinstancegmt", 3 | 6) => {
            let mut v = Vec::new();
            for i in 0..args.len() {
                v.push(int(it, &args, i)?);
            }
            let days = civil(v[0], v[1], v[2]);
            let (h, mi, s) = if v.len() == 6 { (v[3], v[4], v[5]) } else { (0, 0, 0) };
            Ok(Value::Datetime(days * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000))
        }
        ("datetime", "valueof" | "valueofgmt" | "parse", 1) => match &args[0] {
            Value::Str(s) => match parse_datetime(s) {
                Some(ms) => Ok(Value::Datetime(ms)),
                None => it.throw("System.TypeException", format!("Invalid date/time: {s}")),
            },
            Value::Null => Ok(Value::Null),
            _ => it.unsupported("Datetime.valueOf of this type"),
        },
        ("time", "newinstance", 4) => {
            let mut v = Vec::new();
            for i in 0..4 {
                v.push(int(it, &args, i)?);
            }
            Ok(Value::Time((((v[0] * 60 + v[1]) * 60 + v[2]) * 1000 + v[3]).rem_euclid(DAY_MS)))
        }
        _ => it.unsupported(format!("{}.{name}", super::display_class(class))),
    }
}

/// `Date.newInstance` arithmetic: months and days outside their range roll over (Java's
/// lenient calendar).
fn civil(y: i64, m: i64, d: i64) -> i64 {
    let total = y * 12 + (m - 1);
    let (yy, mm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    days_from_civil(yy, mm, 1) + d - 1
}

/// Methods of Date, Datetime and Time values.
pub fn method(it: &mut Interp, v: &Value, name: &str, args: Vec<Value>) -> R<Value> {
    match v {
        Value::Date(d) => {
            let d = *d as i64;
            let (y, m, day) = civil_from_days(d);
            Ok(match name {
                "adddays" => Value::Date((d + int(it, &args, 0)?) as i32),
                "addmonths" => Value::Date(add_months(d, int(it, &args, 0)?) as i32),
                "addyears" => Value::Date(add_months(d, 12 * int(it, &args, 0)?) as i32),
                "day" => Value::Int(day as i32),
                "month" => Value::Int(m as i32),
                "year" => Value::Int(y as i32),
                "dayofyear" => Value::Int((d - days_from_civil(y, 1, 1) + 1) as i32),
                "daysbetween" => match args.first() {
                    Some(Value::Date(o)) => Value::Int((*o as i64 - d) as i32),
                    _ => return it.npe(),
                },
                "monthsbetween" => match args.first() {
                    Some(Value::Date(o)) => {
                        let (y2, m2, _) = civil_from_days(*o as i64);
                        Value::Int(((y2 - y) * 12 + m2 as i64 - m as i64) as i32)
                    }
                    _ => return it.npe(),
                },
                "issameday" => Value::Bool(matches!(args.first(), Some(Value::Date(o)) if *o as i64 == d)),
                "format" => Value::str(format!("{m}/{day}/{y}")),
                "tostartofmonth" => Value::Date(days_from_civil(y, m, 1) as i32),
                "tostartofweek" => Value::Date((d - (weekday(d) as i64 - 1)) as i32),
                _ => return it.unsupported(format!("Date.{name}")),
            })
        }
        Value::Datetime(ms) => {
            let ms = *ms;
            let (days, t) = split(ms);
            let (y, m, day) = civil_from_days(days);
            Ok(match name {
                "adddays" => Value::Datetime(ms + int(it, &args, 0)? * DAY_MS),
                "addhours" => Value::Datetime(ms + int(it, &args, 0)? * 3_600_000),
                "addminutes" => Value::Datetime(ms + int(it, &args, 0)? * 60_000),
                "addseconds" => Value::Datetime(ms + int(it, &args, 0)? * 1000),
                "addmonths" => Value::Datetime(add_months(days, int(it, &args, 0)?) * DAY_MS + t),
                "addyears" => Value::Datetime(add_months(days, 12 * int(it, &args, 0)?) * DAY_MS + t),
                "gettime" => Value::Long(ms),
                "date" | "dategmt" => Value::Date(days as i32),
                "time" | "timegmt" => Value::Time(t),
                "year" | "yeargmt" => Value::Int(y as i32),
                "month" | "monthgmt" => Value::Int(m as i32),
                "day" | "daygmt" => Value::Int(day as i32),
                "hour" | "hourgmt" => Value::Int((t / 3_600_000) as i32),
                "minute" | "minutegmt" => Value::Int(((t / 60_000) % 60) as i32),
                "second" | "secondgmt" => Value::Int(((t / 1000) % 60) as i32),
                "millisecond" | "millisecondgmt" => Value::Int((t % 1000) as i32),
                "dayofyear" | "dayofyeargmt" => Value::Int((days - days_from_civil(y, 1, 1) + 1) as i32),
                "issameday" => Value::Bool(matches!(args.first(), Some(Value::Datetime(o)) if split(*o).0 == days)),
                "format" | "formatgmt" => match arg_str(it, &args, 0)? {
                    Some(p) => Value::str(format_pattern(ms, &p)),
                    None if args.is_empty() => Value::str(format_pattern(ms, "M/d/yyyy h:mm a")),
                    None => return it.npe(),
                },
                "formatlong" => Value::str(format_pattern(ms, "M/d/yyyy h:mm:ss a z")),
                _ => return it.unsupported(format!("Datetime.{name}")),
            })
        }
        Value::Time(t) => {
            let t = *t;
            Ok(match name {
                "hour" => Value::Int((t / 3_600_000) as i32),
                "minute" => Value::Int(((t / 60_000) % 60) as i32),
                "second" => Value::Int(((t / 1000) % 60) as i32),
                "millisecond" => Value::Int((t % 1000) as i32),
                "addhours" => Value::Time((t + int(it, &args, 0)? * 3_600_000).rem_euclid(DAY_MS)),
                "addminutes" => Value::Time((t + int(it, &args, 0)? * 60_000).rem_euclid(DAY_MS)),
                "addseconds" => Value::Time((t + int(it, &args, 0)? * 1000).rem_euclid(DAY_MS)),
                "addmilliseconds" => Value::Time((t + int(it, &args, 0)?).rem_euclid(DAY_MS)),
                _ => return it.unsupported(format!("Time.{name}")),
            })
        }
        _ => it.npe(),
    }
}
