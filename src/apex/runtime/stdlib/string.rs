//! `String` (Apex Reference, "String Class"). Positions count characters; the platform counts
//! UTF-16 units, which differs only for characters outside the Basic Multilingual Plane.

use super::{arg_int, arg_str, Interp, R};
use crate::apex::runtime::values::*;

/// Java's `String.hashCode` (what Apex returns), over UTF-16 units.
pub fn java_hash(s: &str) -> i32 {
    let mut h: i32 = 0;
    for u in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(u as i32);
    }
    h
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn sub(it: &mut Interp, s: &str, a: i64, b: Option<i64>) -> R<Value> {
    let c = chars(s);
    let n = c.len() as i64;
    let e = b.unwrap_or(n);
    if a < 0 || e > n || a > e {
        return it.throw("System.StringException", format!("Starting position out of bounds: {a}"));
    }
    Ok(Value::str(c[a as usize..e as usize].iter().collect::<String>()))
}

/// Static methods: `String.isBlank(s)`, `String.valueOf(x)`, `String.join(list, sep)`, ...
pub fn call_static(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "isblank" => Ok(Value::Bool(arg_str(it, &args, 0)?.is_none_or(|s| s.trim().is_empty()))),
        "isnotblank" => Ok(Value::Bool(!arg_str(it, &args, 0)?.is_none_or(|s| s.trim().is_empty()))),
        "isempty" => Ok(Value::Bool(arg_str(it, &args, 0)?.is_none_or(|s| s.is_empty()))),
        "isnotempty" => Ok(Value::Bool(!arg_str(it, &args, 0)?.is_none_or(|s| s.is_empty()))),
        "valueof" => match args.first() {
            // `String.valueOf(null)` is null in Apex (unlike Java's "null"): code relies on it
            // (`String.valueOf(map.get(k)) == null`).
            None | Some(Value::Null) => Ok(Value::Null),
            Some(v) => {
                let v = v.clone();
                Ok(Value::str(it.stringify(&v)?))
            }
        },
        "valueofgmt" => match args.first() {
            Some(Value::Datetime(ms)) => Ok(Value::str(crate::apex::runtime::time::fmt_datetime(*ms))),
            _ => it.npe(),
        },
        "join" => {
            let sep = arg_str(it, &args, 1)?.unwrap_or_default();
            let items: Vec<Value> = match args.first() {
                Some(Value::List(l)) => l.borrow().items.clone(),
                Some(Value::Set(s)) => s.borrow().items.values().cloned().collect(),
                Some(Value::Null) | None => return it.npe(),
                Some(_) => return it.unsupported("String.join over a custom Iterable"),
            };
            let mut parts = Vec::with_capacity(items.len());
            for i in &items {
                parts.push(it.stringify(i)?);
            }
            let out = parts.join(&sep);
            it.heap_check(out.len())?;
            Ok(Value::str(out))
        }
        "format" => {
            let pat = arg_str(it, &args, 0)?.unwrap_or_default();
            let items: Vec<Value> = match args.get(1) {
                Some(Value::List(l)) => l.borrow().items.clone(),
                _ => Vec::new(),
            };
            let mut strs = Vec::new();
            for i in &items {
                strs.push(if i.is_null() { "null".to_string() } else { it.stringify(i)? });
            }
            Ok(Value::str(message_format(&pat, &strs)))
        }
        "escapesinglequotes" => {
            let s = arg_str(it, &args, 0)?;
            match s {
                Some(s) => Ok(Value::str(s.replace('\'', "\\'"))),
                None => it.npe(),
            }
        }
        "fromchararray" => match args.first() {
            Some(Value::List(l)) => {
                let mut out = String::new();
                for v in l.borrow().items.iter() {
                    if let Value::Int(c) = v {
                        out.push(char::from_u32(*c as u32).unwrap_or('\u{FFFD}'));
                    }
                }
                Ok(Value::str(out))
            }
            _ => it.npe(),
        },
        "isnumeric" => {
            Ok(Value::Bool(arg_str(it, &args, 0)?.is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_numeric()))))
        }
        _ => it.unsupported(format!("String.{name}")),
    }
}

/// Java `MessageFormat`-style `{0}` substitution (quotes escape, `''` is a quote).
pub fn message_format(pat: &str, args: &[String]) -> String {
    let mut out = String::new();
    let c: Vec<char> = pat.chars().collect();
    let mut i = 0;
    let mut quoted = false;
    while i < c.len() {
        let ch = c[i];
        if ch == '\'' {
            if i + 1 < c.len() && c[i + 1] == '\'' {
                out.push('\'');
                i += 2;
                continue;
            }
            quoted = !quoted;
            i += 1;
            continue;
        }
        if ch == '{' && !quoted {
            if let Some(end) = c[i..].iter().position(|x| *x == '}') {
                let inner: String = c[i + 1..i + end].iter().collect();
                let idx = inner.split(',').next().unwrap_or("").trim().parse::<usize>();
                if let Ok(n) = idx {
                    out.push_str(args.get(n).map(|s| s.as_str()).unwrap_or(""));
                    i += end + 1;
                    continue;
                }
            }
        }
        out.push(ch);
        i += 1;
    }
    out
}

/// Instance methods of a String (or an Id).
pub fn method(it: &mut Interp, v: &Value, name: &str, args: Vec<Value>) -> R<Value> {
    let s: String = v.as_str().unwrap_or("").to_string();
    let a0 = |it: &mut Interp| -> R<String> {
        match arg_str(it, &args, 0)? {
            Some(x) => Ok(x),
            None => it.npe(),
        }
    };
    let out = match name {
        "length" => Value::Int(s.chars().count() as i32),
        "substring" => {
            let a = arg_int(it, &args, 0)?;
            let b = if args.len() > 1 { Some(arg_int(it, &args, 1)?) } else { None };
            return sub(it, &s, a, b);
        }
        "mid" => {
            let c = chars(&s);
            let a = arg_int(it, &args, 0)?.max(0) as usize;
            let n = arg_int(it, &args, 1)?.max(0) as usize;
            Value::str(c.iter().skip(a).take(n).collect::<String>())
        }
        "left" => {
            let n = arg_int(it, &args, 0)?.max(0) as usize;
            Value::str(s.chars().take(n).collect::<String>())
        }
        "right" => {
            let c = chars(&s);
            let n = (arg_int(it, &args, 0)?.max(0) as usize).min(c.len());
            Value::str(c[c.len() - n..].iter().collect::<String>())
        }
        "contains" => Value::Bool(s.contains(&a0(it)?)),
        "containsignorecase" => Value::Bool(s.to_lowercase().contains(&a0(it)?.to_lowercase())),
        "containsany" => {
            let set = a0(it)?;
            Value::Bool(s.chars().any(|c| set.contains(c)))
        }
        "containsnone" => {
            let set = a0(it)?;
            Value::Bool(!s.chars().any(|c| set.contains(c)))
        }
        "containsonly" => {
            let set = a0(it)?;
            Value::Bool(s.chars().all(|c| set.contains(c)))
        }
        "containswhitespace" => Value::Bool(s.chars().any(char::is_whitespace)),
        "startswith" => Value::Bool(s.starts_with(&a0(it)?)),
        "endswith" => Value::Bool(s.ends_with(&a0(it)?)),
        "startswithignorecase" => Value::Bool(s.to_lowercase().starts_with(&a0(it)?.to_lowercase())),
        "endswithignorecase" => Value::Bool(s.to_lowercase().ends_with(&a0(it)?.to_lowercase())),
        "indexof" | "indexofignorecase" => {
            let needle = a0(it)?;
            let from = if args.len() > 1 { arg_int(it, &args, 1)?.max(0) as usize } else { 0 };
            let (hay, nd) = if name == "indexofignorecase" {
                (s.to_lowercase(), needle.to_lowercase())
            } else {
                (s.clone(), needle)
            };
            let c = chars(&hay);
            let prefix: String = c.iter().take(from).collect();
            let rest: String = c.iter().skip(from).collect();
            match rest.find(&nd) {
                Some(b) => Value::Int((prefix.chars().count() + rest[..b].chars().count()) as i32),
                None => Value::Int(-1),
            }
        }
        "lastindexof" | "lastindexofignorecase" => {
            let needle = a0(it)?;
            let (hay, nd) = if name == "lastindexofignorecase" {
                (s.to_lowercase(), needle.to_lowercase())
            } else {
                (s.clone(), needle)
            };
            match hay.rfind(&nd) {
                Some(b) => Value::Int(hay[..b].chars().count() as i32),
                None => Value::Int(-1),
            }
        }
        "charat" | "codepointat" => {
            let i = arg_int(it, &args, 0)?;
            match s.chars().nth(i.max(0) as usize) {
                Some(c) if i >= 0 => Value::Int(c as i32),
                _ => return it.throw("System.StringException", format!("Char index out of bounds: {i}")),
            }
        }
        "tolowercase" => Value::str(s.to_lowercase()),
        "touppercase" => Value::str(s.to_uppercase()),
        "trim" => Value::str(s.trim_matches(|c: char| c <= ' ')),
        "strip" => Value::str(s.trim()),
        "normalizespace" => Value::str(s.split_whitespace().collect::<Vec<_>>().join(" ")),
        "deletewhitespace" => Value::str(s.chars().filter(|c| !c.is_whitespace()).collect::<String>()),
        "capitalize" => {
            let mut c = s.chars();
            Value::str(match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            })
        }
        "uncapitalize" => {
            let mut c = s.chars();
            Value::str(match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => String::new(),
            })
        }
        "reverse" => Value::str(s.chars().rev().collect::<String>()),
        "repeat" => {
            let (sep, n) = if args.len() == 2 {
                (a0(it)?, arg_int(it, &args, 1)?)
            } else {
                (String::new(), arg_int(it, &args, 0)?)
            };
            let n = n.max(0) as usize;
            let size = (s.len() + sep.len()).saturating_mul(n);
            it.heap_check(size)?;
            Value::str(vec![s.clone(); n].join(&sep))
        }
        "equals" => Value::Bool(matches!(args.first(), Some(Value::Str(x)) | Some(Value::Id(x)) if **x == *s)),
        "equalsignorecase" => Value::Bool(
            matches!(args.first(), Some(Value::Str(x)) | Some(Value::Id(x)) if x.to_lowercase() == s.to_lowercase()),
        ),
        "compareto" => {
            let o = a0(it)?;
            let a: Vec<u16> = s.encode_utf16().collect();
            let b: Vec<u16> = o.encode_utf16().collect();
            let mut r = a.len() as i32 - b.len() as i32;
            for (x, y) in a.iter().zip(b.iter()) {
                if x != y {
                    r = *x as i32 - *y as i32;
                    break;
                }
            }
            Value::Int(r)
        }
        "hashcode" => Value::Int(java_hash(&s)),
        "getsobjecttype" if matches!(v, Value::Id(_)) => match s.get(..3).and_then(|p| it.schema.object_by_prefix(p)) {
            Some(o) => Value::SType(std::rc::Rc::from(&*o)),
            None => return it.throw("System.SObjectException", format!("Invalid id: {s}")),
        },
        "to15" if matches!(v, Value::Id(_)) => Value::str(s.get(..15).unwrap_or(&s)),
        "isblank" => Value::Bool(s.trim().is_empty()),
        "isnotblank" => Value::Bool(!s.trim().is_empty()),
        "isempty" => Value::Bool(s.is_empty()),
        "isnotempty" => Value::Bool(!s.is_empty()),
        "isnumeric" => Value::Bool(!s.is_empty() && s.chars().all(|c| c.is_numeric())),
        "isnumericspace" => Value::Bool(s.chars().all(|c| c.is_numeric() || c == ' ')),
        "isalpha" => Value::Bool(!s.is_empty() && s.chars().all(char::is_alphabetic)),
        "isalphaspace" => Value::Bool(s.chars().all(|c| c.is_alphabetic() || c == ' ')),
        "isalphanumeric" => Value::Bool(!s.is_empty() && s.chars().all(char::is_alphanumeric)),
        "isalphanumericspace" => Value::Bool(s.chars().all(|c| c.is_alphanumeric() || c == ' ')),
        "isalluppercase" => Value::Bool(!s.is_empty() && s.chars().all(char::is_uppercase)),
        "isalllowercase" => Value::Bool(!s.is_empty() && s.chars().all(char::is_lowercase)),
        "iswhitespace" => Value::Bool(s.chars().all(char::is_whitespace)),
        "replace" => {
            let a = a0(it)?;
            let b = arg_str(it, &args, 1)?.unwrap_or_default();
            Value::str(if a.is_empty() { s.clone() } else { s.replace(&a, &b) })
        }
        "replaceall" | "replacefirst" => {
            let pat = a0(it)?;
            let rep = arg_str(it, &args, 1)?.unwrap_or_default();
            return super::regex::replace(it, &s, &pat, &rep, name == "replaceall");
        }
        "split" => {
            let pat = a0(it)?;
            let limit = if args.len() > 1 { arg_int(it, &args, 1)? } else { 0 };
            return super::regex::split(it, &s, &pat, limit);
        }
        "remove" => Value::str(s.replace(&a0(it)?, "")),
        "removestart" => {
            let p = a0(it)?;
            Value::str(s.strip_prefix(p.as_str()).unwrap_or(&s))
        }
        "removeend" => {
            let p = a0(it)?;
            Value::str(s.strip_suffix(p.as_str()).unwrap_or(&s))
        }
        "removestartignorecase" => {
            let p = a0(it)?;
            Value::str(if s.to_lowercase().starts_with(&p.to_lowercase()) {
                s.chars().skip(p.chars().count()).collect()
            } else {
                s.clone()
            })
        }
        "removeendignorecase" => {
            let p = a0(it)?;
            let n = s.chars().count();
            let k = p.chars().count();
            Value::str(if s.to_lowercase().ends_with(&p.to_lowercase()) {
                s.chars().take(n - k).collect()
            } else {
                s.clone()
            })
        }
        "substringafter" | "substringbefore" | "substringafterlast" | "substringbeforelast" => {
            let sep = a0(it)?;
            let pos = if name.ends_with("last") { s.rfind(&sep) } else { s.find(&sep) };
            Value::str(match (name, pos) {
                ("substringafter" | "substringafterlast", Some(p)) => s[p + sep.len()..].to_string(),
                ("substringafter" | "substringafterlast", None) => String::new(),
                (_, Some(p)) => s[..p].to_string(),
                (_, None) => s.clone(),
            })
        }
        "substringbetween" => {
            let open = a0(it)?;
            let close = arg_str(it, &args, 1)?.unwrap_or_else(|| open.clone());
            match s.find(&open).and_then(|a| s[a + open.len()..].find(&close).map(|b| (a, b))) {
                Some((a, b)) => Value::str(&s[a + open.len()..a + open.len() + b]),
                None => Value::Null,
            }
        }
        "leftpad" | "rightpad" => {
            let n = arg_int(it, &args, 0)?.max(0) as usize;
            let pad = arg_str(it, &args, 1)?.unwrap_or_else(|| " ".into());
            let len = s.chars().count();
            if len >= n || pad.is_empty() {
                Value::str(&s)
            } else {
                let fill: String = pad.chars().cycle().take(n - len).collect();
                Value::str(if name == "leftpad" { fill + &s } else { s.clone() + &fill })
            }
        }
        "center" => {
            let n = arg_int(it, &args, 0)?.max(0) as usize;
            let len = s.chars().count();
            if len >= n {
                Value::str(&s)
            } else {
                let total = n - len;
                let left = total / 2;
                Value::str(format!("{}{}{}", " ".repeat(left), s, " ".repeat(total - left)))
            }
        }
        "abbreviate" => {
            let n = arg_int(it, &args, 0)?.max(0) as usize;
            if n < 4 {
                return it.throw("System.StringException", "Minimum abbreviation width is 4");
            }
            let len = s.chars().count();
            Value::str(if len <= n { s.clone() } else { s.chars().take(n - 3).collect::<String>() + "..." })
        }
        "countmatches" => {
            let p = a0(it)?;
            Value::Int(if p.is_empty() { 0 } else { s.matches(&p).count() as i32 })
        }
        "escapehtml4" | "escapexml" => Value::str(
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', if name == "escapexml" { "&apos;" } else { "&#39;" }),
        ),
        "unescapehtml4" | "unescapexml" => Value::str(
            s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        ),
        "escapejava" | "escapeecmascript" => Value::str(
            s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n").replace('\t', "\\t").replace('\r', "\\r"),
        ),
        "escapecsv" => Value::str(if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.clone()
        }),
        "striphtmltags" => {
            let mut out = String::new();
            let mut inside = false;
            for c in s.chars() {
                match c {
                    '<' => inside = true,
                    '>' => inside = false,
                    _ if !inside => out.push(c),
                    _ => {}
                }
            }
            Value::str(out.trim())
        }
        "getchars" | "tochararray" => Value::list(Ty::Integer, s.chars().map(|c| Value::Int(c as i32)).collect()),
        "difference" => {
            let o = a0(it)?;
            let p = s.chars().zip(o.chars()).take_while(|(a, b)| a == b).count();
            Value::str(o.chars().skip(p).collect::<String>())
        }
        "format" => {
            // Apex's String.format on an instance is the static one; `s.format()` formats nothing.
            Value::str(&s)
        }
        "touppercase_locale" => Value::str(s.to_uppercase()),
        "splitbycharactertype" | "splitbycharactertypecamelcase" => return it.unsupported(format!("String.{name}")),
        _ => return it.unsupported(format!("String.{name}")),
    };
    Ok(out)
}
