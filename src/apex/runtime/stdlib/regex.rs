//! `Pattern` and `Matcher`, and the regex methods of String (`split`, `replaceAll`,
//! `replaceFirst`), with Java regex semantics (Apex uses `java.util.regex`): fancy-regex gives
//! backreferences and look-around; `split` drops trailing empty strings as Java's does;
//! replacements use `$1` for groups and `\` to escape. The backtracking budget bounds
//! catastrophic patterns (an error the test sees, not a hang).

use super::{arg_int, arg_str, Interp, R};
use crate::apex::runtime::values::*;
use std::cell::RefCell;
use std::rc::Rc;

fn compile(it: &mut Interp, pat: &str) -> R<fancy_regex::Regex> {
    // Java's possessive and atomic forms are rare in Apex; `\p{...}` classes map directly.
    match fancy_regex::RegexBuilder::new(pat).backtrack_limit(1_000_000).build() {
        Ok(r) => Ok(r),
        Err(e) => it.throw("System.StringException", format!("Invalid regex: {e}")),
    }
}

fn java_replacement(rep: &str) -> String {
    let mut out = String::new();
    let mut c = rep.chars().peekable();
    while let Some(ch) = c.next() {
        match ch {
            '\\' => {
                if let Some(n) = c.next() {
                    if n == '$' {
                        out.push_str("$$");
                    } else {
                        out.push(n);
                    }
                }
            }
            '$' => {
                let mut digits = String::new();
                while let Some(d) = c.peek().copied().filter(|d| d.is_ascii_digit()) {
                    digits.push(d);
                    c.next();
                }
                if digits.is_empty() {
                    out.push_str("$$");
                } else {
                    out.push_str(&format!("${{{digits}}}"));
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn regex_err<T>(it: &mut Interp, e: fancy_regex::Error) -> R<T> {
    it.throw("System.LimitException", format!("Regex too complicated: {e}"))
}

/// `s.replaceAll(regex, rep)` / `replaceFirst`.
pub fn replace(it: &mut Interp, s: &str, pat: &str, rep: &str, all: bool) -> R<Value> {
    let re = compile(it, pat)?;
    let rep = java_replacement(rep);
    let mut out = String::new();
    let mut last = 0;
    let mut n = 0;
    for m in re.captures_iter(s) {
        let caps = match m {
            Ok(c) => c,
            Err(e) => return regex_err(it, e),
        };
        let Some(whole) = caps.get(0) else { continue };
        out.push_str(&s[last..whole.start()]);
        caps.expand(&rep, &mut out);
        last = whole.end();
        n += 1;
        if !all {
            break;
        }
        it.step()?;
    }
    let _ = n;
    out.push_str(&s[last..]);
    it.heap_check(out.len())?;
    Ok(Value::str(out))
}

/// `s.split(regex, limit)` with Java's rules.
pub fn split(it: &mut Interp, s: &str, pat: &str, limit: i64) -> R<Value> {
    let re = compile(it, pat)?;
    let mut parts: Vec<String> = Vec::new();
    let mut last = 0;
    for m in re.find_iter(s) {
        let m = match m {
            Ok(m) => m,
            Err(e) => return regex_err(it, e),
        };
        if limit > 0 && parts.len() as i64 == limit - 1 {
            break;
        }
        if m.end() == 0 {
            // A zero-width match at the start yields no leading empty string (Java 8+).
            continue;
        }
        if m.start() == m.end() && m.start() >= s.len() {
            break;
        }
        parts.push(s[last..m.start()].to_string());
        last = m.end();
        it.step()?;
    }
    parts.push(s[last..].to_string());
    if limit == 0 {
        while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        if s.is_empty() {
            parts = vec![String::new()];
        }
    }
    Ok(Value::list(Ty::String, parts.into_iter().map(Value::str).collect()))
}

/// `Pattern.compile`, `Pattern.matches`, `Pattern.quote`.
pub fn call_static(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "compile" => {
            let p = arg_str(it, &args, 0)?.unwrap_or_default();
            compile(it, &p)?;
            Ok(Value::native(Native::Pattern(p.into())))
        }
        "matches" => {
            let p = arg_str(it, &args, 0)?.unwrap_or_default();
            let s = arg_str(it, &args, 1)?.unwrap_or_default();
            let re = compile(it, &format!("^(?:{p})$"))?;
            match re.is_match(&s) {
                Ok(b) => Ok(Value::Bool(b)),
                Err(e) => regex_err(it, e),
            }
        }
        "quote" => {
            let s = arg_str(it, &args, 0)?.unwrap_or_default();
            Ok(Value::str(format!("\\Q{s}\\E")))
        }
        _ => it.unsupported(format!("Pattern.{name}")),
    }
}

fn char_pos(s: &str, byte: usize) -> usize {
    s[..byte.min(s.len())].chars().count()
}

/// Methods of Pattern and Matcher.
pub fn method(it: &mut Interp, n: &Rc<RefCell<Native>>, name: &str, args: Vec<Value>) -> R<Value> {
    let nb = n.borrow().clone();
    match nb {
        Native::Pattern(p) => match name {
            "matcher" => {
                let input = arg_str(it, &args, 0)?.unwrap_or_default();
                Ok(Value::native(Native::Matcher(MatcherState {
                    pattern: p,
                    input: input.into(),
                    groups: Vec::new(),
                    pos: 0,
                })))
            }
            "pattern" | "tostring" => Ok(Value::str(&*p)),
            "split" => {
                let s = arg_str(it, &args, 0)?.unwrap_or_default();
                split(it, &s, &p, 0)
            }
            _ => it.unsupported(format!("Pattern.{name}")),
        },
        Native::Matcher(mut m) => {
            let out = match name {
                "matches" | "lookingat" | "find" => {
                    let anchored = match name {
                        "matches" => format!("^(?:{})$", m.pattern),
                        "lookingat" => format!("^(?:{})", m.pattern),
                        _ => m.pattern.to_string(),
                    };
                    let re = compile(it, &anchored)?;
                    let start_char = if name == "find" {
                        if let Some(i) = args.first() {
                            let _ = i;
                            arg_int(it, &args, 0)?.max(0) as usize
                        } else {
                            m.pos
                        }
                    } else {
                        0
                    };
                    let start_byte = m.input.char_indices().nth(start_char).map(|(b, _)| b).unwrap_or(m.input.len());
                    let caps = match re.captures_from_pos(&m.input, start_byte) {
                        Ok(c) => c,
                        Err(e) => return regex_err(it, e),
                    };
                    match caps {
                        Some(c) => {
                            m.groups = (0..c.len())
                                .map(|i| c.get(i).map(|g| (char_pos(&m.input, g.start()), char_pos(&m.input, g.end()))))
                                .collect();
                            let (s, e) = m.groups.first().copied().flatten().unwrap_or((0, 0));
                            m.pos = if e == s { e + 1 } else { e };
                            Value::Bool(true)
                        }
                        None => {
                            m.groups.clear();
                            Value::Bool(false)
                        }
                    }
                }
                "group" => {
                    let i = if args.is_empty() { 0 } else { arg_int(it, &args, 0)?.max(0) as usize };
                    if m.groups.is_empty() {
                        return it.throw("System.StringException", "No match found");
                    }
                    match m.groups.get(i) {
                        Some(Some((s, e))) => Value::str(m.input.chars().skip(*s).take(e - s).collect::<String>()),
                        Some(None) => Value::Null,
                        None => return it.throw("System.StringException", format!("No group {i}")),
                    }
                }
                "start" | "end" => {
                    let i = if args.is_empty() { 0 } else { arg_int(it, &args, 0)?.max(0) as usize };
                    match m.groups.get(i) {
                        Some(Some((s, e))) => Value::Int(if name == "start" { *s } else { *e } as i32),
                        _ => return it.throw("System.StringException", "No match available"),
                    }
                }
                "groupcount" => {
                    let re = compile(it, &m.pattern)?;
                    Value::Int(re.captures_len() as i32 - 1)
                }
                "replaceall" | "replacefirst" => {
                    let rep = arg_str(it, &args, 0)?.unwrap_or_default();
                    return replace(it, &m.input.clone(), &m.pattern.clone(), &rep, name == "replaceall");
                }
                "reset" => {
                    if let Some(s) = arg_str(it, &args, 0)? {
                        m.input = s.into();
                    }
                    m.pos = 0;
                    m.groups.clear();
                    Value::Native(n.clone())
                }
                "hitend" => Value::Bool(m.pos >= m.input.chars().count()),
                _ => return it.unsupported(format!("Matcher.{name}")),
            };
            *n.borrow_mut() = Native::Matcher(m);
            Ok(out)
        }
        _ => it.npe(),
    }
}
