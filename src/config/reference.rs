//! `docs/config.md`: the config reference, generated from the JSON Schema so the two can never
//! disagree (a test compares the committed file with [`markdown`]).

use serde_json::Value;
use std::fmt::Write as _;

/// The JSON Schema of the config.
pub fn schema() -> Value {
    serde_json::to_value(schemars::schema_for!(super::RawConfig)).unwrap_or_default()
}

fn type_of(v: &Value) -> (String, Option<String>) {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r).to_string();
        return (format!("[{name}](#{})", name.to_ascii_lowercase()), Some(name));
    }
    if let Some(any) = v.get("anyOf").and_then(Value::as_array) {
        let parts: Vec<(String, Option<String>)> =
            any.iter().filter(|x| x.get("type") != Some(&Value::from("null"))).map(type_of).collect();
        let link = parts.iter().find_map(|p| p.1.clone());
        return (parts.into_iter().map(|p| p.0).collect::<Vec<_>>().join(" or "), link);
    }
    let ty = match v.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => {
            a.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect::<Vec<_>>().join(" or ")
        }
        _ => "any".to_string(),
    };
    if ty == "array" {
        if let Some(items) = v.get("items") {
            let (inner, link) = type_of(items);
            return (format!("array of {inner}"), link);
        }
    }
    if ty == "object" {
        if let Some(ap) = v.get("additionalProperties").filter(|a| a.is_object()) {
            let (inner, link) = type_of(ap);
            return (format!("map of {inner}"), link);
        }
    }
    (ty, None)
}

fn table(out: &mut String, obj: &Value) {
    let required: Vec<&str> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let _ = writeln!(out, "| key | type | required | description |\n|---|---|---|---|");
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (key, v) in props {
            let (ty, _) = type_of(v);
            let desc =
                v.get("description").and_then(Value::as_str).unwrap_or("").replace('\n', " ").replace('|', "\\|");
            let req = if required.contains(&key.as_str()) { "yes" } else { "" };
            let _ = writeln!(out, "| `{key}` | {ty} | {req} | {desc} |");
        }
    }
    if let Some(variants) = obj.get("anyOf").and_then(Value::as_array) {
        for v in variants {
            let (ty, _) = type_of(v);
            let desc = v.get("description").and_then(Value::as_str).unwrap_or("").replace('\n', " ");
            let _ = writeln!(out, "| (one of) | {ty} | | {desc} |");
        }
    }
}

/// A word type (an `enum`, or a `oneOf` of `const`s with their descriptions): its values, and
/// whether it was one.
fn values(out: &mut String, def: &Value) -> bool {
    if let Some(words) = def.get("enum").and_then(Value::as_array) {
        let words: Vec<String> = words.iter().filter_map(Value::as_str).map(|w| format!("`{w}`")).collect();
        let _ = writeln!(out, "One of: {}.", words.join(", "));
        return true;
    }
    let Some(variants) = def.get("oneOf").and_then(Value::as_array) else { return false };
    if !variants.iter().all(|v| v.get("const").is_some()) {
        return false;
    }
    let _ = writeln!(out, "| value | description |\n|---|---|");
    for v in variants {
        let word = v.get("const").and_then(Value::as_str).unwrap_or_default();
        let desc = v.get("description").and_then(Value::as_str).unwrap_or("").replace('\n', " ").replace('|', "\\|");
        let _ = writeln!(out, "| `{word}` | {desc} |");
    }
    true
}

/// The config reference as Markdown.
pub fn markdown() -> String {
    let schema = schema();
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let mut out = String::from(
        "# sfgen config reference\n\n\
         Generated from the config's JSON Schema (`sfgen schema`) by `sfgen schema --markdown`; \
         a test fails when this file and the schema disagree. Unknown keys are errors. \
         Point your editor at the schema with `\"$schema\": \"./sfgen.schema.json\"` after \
         `sfgen schema > sfgen.schema.json`.\n\n## SfgenConfig (top level)\n\n",
    );
    if let Some(d) = schema.get("description").and_then(Value::as_str) {
        let _ = writeln!(out, "{d}\n");
    }
    table(&mut out, &schema);
    if let Some(map) = defs.as_object() {
        for (name, def) in map {
            let _ = writeln!(out, "\n## {name}\n");
            if let Some(d) = def.get("description").and_then(Value::as_str) {
                let _ = writeln!(out, "{}\n", d.replace('\n', " "));
            }
            if !values(&mut out, def) {
                table(&mut out, def);
            }
        }
    }
    out
}
