//! The config's structure, checked against its own JSON Schema before it is deserialised, so
//! that every typo in a key, wrong type, missing key and value outside an enum is reported in
//! one run (serde stops at the first).
//!
//! Problems are of two kinds. *Blocking* ones would make deserialisation fail (an unknown key,
//! a missing key, a wrong type, a value a typed enum does not know): when there is one, every
//! problem found is reported and nothing else runs. *Schema-only* ones (bounds, lengths,
//! patterns, the vocabulary of string fields) are checked again, with more specific messages,
//! by the model's validation ([`crate::model`]); they are reported here only alongside a
//! blocking problem, so that one run shows everything.

use crate::spans::{push_index, push_key};
use crate::suggest::did_you_mean;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// One structural problem: where, what, how to fix it, and whether it blocks deserialisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Whether deserialisation would fail on it.
    pub blocking: bool,
    /// Whether the value is of the wrong JSON type: of an untagged enum's alternatives, one whose
    /// only problem is this at the value itself is set aside for one that fits better.
    pub wrong_type: bool,
}

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(super::reference::schema)
}

/// Every structural problem of `config` (the whole document, after the `--env` patch).
pub fn check(config: &Value) -> Vec<Problem> {
    let root = schema();
    let mut out = Vec::new();
    Walker { defs: root.get("$defs").and_then(Value::as_object) }.walk(config, root, "", &mut out);
    out
}

struct Walker<'a> {
    defs: Option<&'a Map<String, Value>>,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// How serde would name the value it found.
fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_i64() || n.is_u64() => format!("integer `{n}`"),
        Value::Number(n) => format!("floating point `{n}`"),
        Value::String(s) => {
            let shown: String = s.chars().take(40).collect();
            format!("string {:?}", if shown.len() < s.len() { format!("{shown}...") } else { shown })
        }
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn expected(ty: &str) -> &'static str {
    match ty {
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "an array",
        "object" => "an object",
        _ => "null",
    }
}

fn type_matches(ty: &str, v: &Value) -> bool {
    let k = kind(v);
    ty == k || (ty == "number" && k == "integer")
}

/// A fix for a value of the wrong type.
fn type_hint(want: &[&str], v: &Value) -> Option<String> {
    match (want.first().copied(), v) {
        (Some("string"), Value::Number(n)) => Some(format!("put the value in double quotes, e.g. \"{n}\"")),
        (Some("string"), Value::Bool(b)) => Some(format!("put the value in double quotes, e.g. \"{b}\"")),
        (Some("integer" | "number"), Value::String(s)) if s.trim().parse::<f64>().is_ok() => {
            Some(format!("write the number without quotes: {}", s.trim()))
        }
        (Some("boolean"), Value::String(s)) if s == "true" || s == "false" => Some(format!("write {s} without quotes")),
        (Some("array"), _) => Some("use a JSON array: [ ... ]".into()),
        _ => None,
    }
}

impl<'a> Walker<'a> {
    fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        for _ in 0..16 {
            match s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
                Some(name) => match self.defs.and_then(|d| d.get(name)) {
                    Some(d) => s = d,
                    None => return s,
                },
                None => return s,
            }
        }
        s
    }

    fn walk(&self, v: &Value, schema: &'a Value, path: &str, out: &mut Vec<Problem>) {
        let s = self.resolve(schema);
        if s.as_bool() == Some(true) || s.as_object().is_some_and(Map::is_empty) {
            return;
        }
        let push = |out: &mut Vec<Problem>, message: String, hint: Option<String>, blocking: bool| {
            out.push(Problem { path: path.to_string(), message, hint, blocking, wrong_type: false });
        };
        let wrong_type = |out: &mut Vec<Problem>, want: &[&str], hint: Option<String>| {
            let message = format!("wrong type: {}, expected {}", found(v), want.join(" or "));
            out.push(Problem { path: path.to_string(), message, hint, blocking: true, wrong_type: true });
        };

        // Alternatives: an optional value, an untagged enum, a typed enum of constants.
        if let Some(alts) = s.get("anyOf").or_else(|| s.get("oneOf")).and_then(Value::as_array) {
            let consts: Vec<&str> = alts.iter().filter_map(|a| a.get("const").and_then(Value::as_str)).collect();
            if consts.len() == alts.len() && !consts.is_empty() {
                if !v.as_str().is_some_and(|x| consts.contains(&x)) {
                    let hint = v.as_str().and_then(|x| did_you_mean(x, consts.iter().copied()));
                    let hint = match hint {
                        Some(h) => format!("did you mean \"{h}\"?"),
                        None => format!("use one of: {}", consts.join(", ")),
                    };
                    push(out, format!("{} is not one of {}", found(v), consts.join(", ")), Some(hint), true);
                }
                return;
            }
            let mut best: Option<Vec<Problem>> = None;
            for a in alts {
                let mut trial = Vec::new();
                self.walk(v, a, path, &mut trial);
                if trial.iter().all(|p| !p.blocking) {
                    out.extend(trial);
                    return;
                }
                // Keep the attempt whose top-level type fits the value: its problems are the
                // relevant ones.
                let top = self.resolve(a);
                let fits = top.get("type").is_some_and(|t| match t {
                    Value::String(t) => type_matches(t, v),
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(|t| type_matches(t, v)),
                    _ => false,
                });
                if fits || best.is_none() {
                    best = Some(trial);
                }
            }
            let types: Vec<&str> = alts
                .iter()
                .filter_map(|a| self.resolve(a).get("type").and_then(Value::as_str))
                .filter(|t| *t != "null")
                .collect();
            match best {
                Some(b) if b.iter().any(|p| p.path != path || !p.wrong_type) => out.extend(b),
                _ => {
                    let want: Vec<&str> = types.iter().map(|t| expected(t)).collect();
                    wrong_type(out, &want, None);
                }
            }
            return;
        }

        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !types.is_empty() && !types.iter().any(|t| type_matches(t, v)) {
                let want: Vec<&str> = types.iter().filter(|t| **t != "null").map(|t| expected(t)).collect();
                let hint = type_hint(&types, v);
                wrong_type(out, &want, hint);
                return;
            }
        }
        match v {
            Value::Object(map) => self.object(map, s, path, out),
            Value::Array(items) => {
                let n = items.len() as u64;
                if let Some(min) = s.get("minItems").and_then(Value::as_u64).filter(|m| n < *m) {
                    push(out, format!("has {n} entries; at least {min} needed"), Some("add an entry".into()), false);
                }
                if let Some(max) = s.get("maxItems").and_then(Value::as_u64).filter(|m| n > *m) {
                    push(
                        out,
                        format!("{n} entries; sfgen accepts at most {max}"),
                        Some("split the integration into several configs".into()),
                        false,
                    );
                }
                if let Some(item) = s.get("items") {
                    for (i, x) in items.iter().enumerate() {
                        self.walk(x, item, &push_index(path, i), out);
                    }
                }
            }
            Value::String(text) => {
                let n = text.chars().count() as u64;
                if let Some(max) = s.get("maxLength").and_then(Value::as_u64).filter(|m| n > *m) {
                    push(out, format!("is {n} characters; at most {max} allowed"), Some("shorten it".into()), false);
                }
                if let Some(min) = s.get("minLength").and_then(Value::as_u64).filter(|m| n < *m) {
                    push(out, format!("is {n} characters; at least {min} needed"), Some("fill it in".into()), false);
                }
                if let Some(allowed) = s.get("enum").and_then(Value::as_array) {
                    let words: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    if !words.contains(&text.as_str()) {
                        let hint = did_you_mean(text, words.iter().copied())
                            .map(|h| format!("did you mean \"{h}\"?"))
                            .or_else(|| Some(format!("use one of: {}", words.join(", "))));
                        push(out, format!("{} is not one of the allowed values", found(v)), hint, false);
                    }
                }
            }
            Value::Number(num) => {
                let x = num.as_f64().unwrap_or(0.0);
                let uint = s.get("format").and_then(Value::as_str).is_some_and(|f| f.starts_with("uint"));
                if uint && (num.as_u64().is_none() || num.as_u64().is_some_and(|u| u > u64::from(u32::MAX))) {
                    push(out, format!("{} is not a whole number from 0 to {}", found(v), u32::MAX), None, true);
                    return;
                }
                let (min, max) = (s.get("minimum").and_then(Value::as_f64), s.get("maximum").and_then(Value::as_f64));
                let range = match (min, max) {
                    (Some(a), Some(b)) => Some(format!("use a value from {a} to {b}")),
                    _ => None,
                };
                if let Some(min) = min.filter(|m| x < *m) {
                    push(out, format!("{num} is below the minimum {min}"), range.clone(), false);
                }
                if let Some(max) = max.filter(|m| x > *m) {
                    push(out, format!("{num} is above the maximum {max}"), range, false);
                }
            }
            _ => {}
        }
    }

    fn object(&self, map: &Map<String, Value>, s: &'a Value, path: &str, out: &mut Vec<Problem>) {
        let props = s.get("properties").and_then(Value::as_object);
        let extra = s.get("additionalProperties");
        if let Some(required) = s.get("required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(r) {
                    let example = if r == "apiVersion" { " (e.g. \"apiVersion\": \"62.0\")" } else { "" };
                    out.push(Problem {
                        path: path.to_string(),
                        message: format!("missing required key \"{r}\""),
                        hint: Some(format!("add \"{r}\"{example}")),
                        blocking: true,
                        wrong_type: false,
                    });
                }
            }
        }
        for (key, value) in map {
            let child = push_key(path, key);
            match props.and_then(|p| p.get(key)) {
                Some(sub) => self.walk(value, sub, &child, out),
                None => match extra {
                    Some(Value::Bool(false)) => {
                        let known: Vec<&str> =
                            props.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
                        let hint = match did_you_mean(key, known.iter().copied()) {
                            Some(k) => format!("did you mean \"{k}\"?"),
                            None => format!("known keys here: {}", known.join(", ")),
                        };
                        out.push(Problem {
                            path: child,
                            message: format!("unknown key \"{}\"", key.escape_debug()),
                            hint: Some(hint),
                            blocking: true,
                            wrong_type: false,
                        });
                    }
                    Some(sub) if sub.is_object() => self.walk(value, sub, &child, out),
                    _ => {}
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn blocking(v: Value) -> Vec<(String, String)> {
        check(&v).into_iter().filter(|p| p.blocking).map(|p| (p.path, p.message)).collect()
    }

    #[test]
    fn every_structural_error_at_once() {
        let p = blocking(json!({
            "apiVersion": 62.0,
            "webhok": {},
            "webhook": { "timeoutMs": "10000", "endpiont": "x", "objects": [{ "sobject": 5 }], "signing": { "header": "X", "keyEncoding": "base-64" } },
            "permissionSets": [{ "name": "P", "objects": { "Account": "read" } }]
        }));
        let paths: Vec<&str> = p.iter().map(|(p, _)| p.as_str()).collect();
        for want in [
            "apiVersion",
            "webhok",
            "webhook.timeoutMs",
            "webhook.endpiont",
            "webhook.objects[0].sobject",
            "webhook.signing.keyEncoding",
            "permissionSets[0].objects.Account",
        ] {
            assert!(paths.contains(&want), "{want} missing from {p:#?}");
        }
    }

    /// Of an untagged enum's alternatives (a Named Credential is a name or an object), a value
    /// that fits none is one "wrong type" problem naming both; an object that fits the object
    /// form keeps that form's own problems.
    #[test]
    fn an_untagged_enum_reports_the_alternative_that_fits() {
        let at = |nc: serde_json::Value| {
            let p = check(&json!({ "apiVersion": "62.0", "webhook": { "namedCredential": nc, "objects": [] } }));
            p.into_iter().filter(|x| x.path.starts_with("webhook.namedCredential")).collect::<Vec<_>>()
        };
        let p = at(json!(5));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(p[0].wrong_type && p[0].message.starts_with("wrong type: integer `5`, expected"), "{p:#?}");
        let p = at(json!({ "name": "N", "lable": "x" }));
        assert!(!p.is_empty() && p.iter().all(|x| !x.wrong_type), "{p:#?}");
        assert!(p.iter().any(|x| x.message.contains("lable")), "{p:#?}");
    }

    #[test]
    fn messages_name_what_was_found_and_expected() {
        let p = check(&json!({ "apiVersion": 62.0, "webhook": { "timeoutMs": "10000", "objects": [] } }));
        let api = p.iter().find(|x| x.path == "apiVersion").expect("apiVersion");
        assert_eq!(api.message, "wrong type: floating point `62.0`, expected a string");
        assert_eq!(api.hint.as_deref(), Some("put the value in double quotes, e.g. \"62.0\""));
        let t = p.iter().find(|x| x.path == "webhook.timeoutMs").expect("timeoutMs");
        assert_eq!(t.message, "wrong type: string \"10000\", expected a whole number");
        assert_eq!(t.hint.as_deref(), Some("write the number without quotes: 10000"));
    }

    #[test]
    fn a_valid_config_has_no_blocking_problem() {
        for case in ["contact-webhook", "integration-user", "signed-webhook"] {
            let text = std::fs::read_to_string(format!("{}/fixtures/{case}/sfgen.json", env!("CARGO_MANIFEST_DIR")))
                .expect("fixture");
            let v: Value = serde_json::from_str(&text).expect("json");
            assert_eq!(check(&v), Vec::new(), "{case}");
        }
    }

    #[test]
    fn untagged_alternatives_pick_the_relevant_branch() {
        let ok = json!({ "apiVersion": "62.0", "webhook": { "namedCredential": "Vendor", "objects": [] } });
        assert!(blocking(ok).is_empty());
        let bad = json!({ "apiVersion": "62.0", "webhook": { "namedCredential": { "name": "N", "url": "https://x", "lable": "L" }, "objects": [] } });
        assert_eq!(blocking(bad), [("webhook.namedCredential.lable".to_string(), "unknown key \"lable\"".to_string())]);
    }

    #[test]
    fn schema_only_bounds_do_not_block() {
        let p = check(&json!({ "apiVersion": "62.0", "webhook": { "batchSize": 1, "objects": [] } }));
        assert!(p.iter().any(|x| x.path == "webhook.batchSize" && !x.blocking), "{p:?}");
    }
}
