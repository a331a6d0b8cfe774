//! Fuzz and property tests of the config path: bytes → `config::parse_str` →
//! `Project::from_config` → `render`.
//!
//! - `fuzz_config_bytes`: any bytes (random, or mutations of the seed corpus in
//!   `fixtures/fuzz-corpus/config/` and the fixtures' configs) never panic, and whatever
//!   validates renders XML that parses and Apex that lexes and parses.
//! - `fuzz_config_json`: random JSON shaped like a config (keys from the schema's vocabulary,
//!   values from a pool of valid and hostile ones) is either a config error or a project that
//!   renders cleanly.
//! - `nasty_strings_round_trip`: any string in any config field that reaches an output is
//!   either refused with a config error naming the field, or held exactly: the XML element's
//!   text after `metadata::xml::parse` (quick-xml), or the generated Apex literal after
//!   unescaping, equals the string; no config string lands in an Apex comment.
//!
//! See `tests/support/fuzz.rs` for the environment variables that turn these into timed fuzz
//! runs (`scripts/fuzz-smoke.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::fuzz as fuzzkit;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{json, Value};
use sfgen::metadata::Tree;
use sfgen::sf::xml;
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Apex: a small lexer for string literals and comments, and the literal unescaper.

/// What the lexer found in one Apex file.
#[derive(Debug, Default)]
struct ApexLex {
    /// Every single-quoted literal, unescaped.
    literals: Vec<String>,
    /// Every comment's text.
    comments: Vec<String>,
    /// The code outside literals and comments.
    code: String,
}

/// Numeric tokens of Apex code that Apex cannot compile: exponents (`1e300`) and integer
/// literals beyond an Integer without the `L` suffix.
fn bad_apex_numbers(code: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit() && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if !starts {
            i += 1;
            continue;
        }
        let begin = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.' || chars[i] == '_') {
            i += 1;
        }
        let token: String = chars[begin..i].iter().collect();
        let body = token.trim_end_matches(['l', 'L', 'd', 'D']);
        let well_formed = !body.is_empty()
            && body.split('.').count() <= 2
            && body.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        let fits = token.contains('.') || token.len() != body.len() || body.parse::<i32>().is_ok();
        if !well_formed || !fits {
            bad.push(token);
        }
    }
    bad
}

/// Unescapes the body of an Apex single-quoted literal (without the quotes).
fn unescape_apex(body: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\\') => out.push('\\'),
                Some('\'') => out.push('\''),
                Some('"') => out.push('"'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let n = u32::from_str_radix(&hex, 16).map_err(|_| format!("bad \\u escape {hex:?}"))?;
                    out.push(char::from_u32(n).ok_or_else(|| format!("\\u{hex} is not a character"))?);
                }
                other => return Err(format!("unknown escape \\{other:?}")),
            },
            '\n' | '\r' => return Err("raw line break inside a literal".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Lexes Apex just enough to find literals and comments; fails on an unterminated literal or
/// block comment, or a literal that does not unescape.
fn lex_apex(src: &str) -> Result<ApexLex, String> {
    let mut lex = ApexLex::default();
    let b: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            '/' if b.get(i + 1) == Some(&'/') => {
                let start = i + 2;
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
                lex.comments.push(b[start..i].iter().collect());
            }
            '/' if b.get(i + 1) == Some(&'*') => {
                let start = i + 2;
                i += 2;
                loop {
                    if i + 1 >= b.len() {
                        return Err("unterminated /* comment".into());
                    }
                    if b[i] == '*' && b[i + 1] == '/' {
                        break;
                    }
                    i += 1;
                }
                lex.comments.push(b[start..i].iter().collect());
                i += 2;
            }
            '\'' => {
                let start = i + 1;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\\') => i += 2,
                        Some('\'') => break,
                        Some(_) => i += 1,
                    }
                }
                let body: String = b[start..i.min(b.len())].iter().collect();
                lex.literals.push(unescape_apex(&body)?);
                i += 1;
            }
            c => {
                lex.code.push(c);
                i += 1;
            }
        }
    }
    Ok(lex)
}

// ---------------------------------------------------------------------------------------------
// Rendering a config and checking everything it produced.

/// What a config produced.
struct Rendered {
    /// Text content of every element of every XML file.
    xml_texts: Vec<String>,
    apex: ApexLex,
    tree: Tree,
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn all_texts(el: &xml::Element, out: &mut Vec<String>) {
    out.push(el.text_content());
    for c in el.elements() {
        all_texts(c, out);
    }
}

/// Parses, validates and renders `text`; `Ok(None)` for a config error. Checks that every
/// generated XML parses, every Apex file lexes, and tree-sitter parses the Apex without error.
fn generate(text: &str, env: Option<&str>) -> Result<Result<Rendered, Vec<sfgen::error::Diagnostic>>, TestCaseError> {
    let loaded = match sfgen::config::parse_str(text, Path::new("sfgen.json"), env) {
        Ok(l) => l,
        Err(sfgen::Error::Config(d)) => {
            prop_assert!(!d.is_empty(), "a config error without diagnostics");
            return Ok(Err(d));
        }
        Err(e) => return Err(TestCaseError::fail(format!("parse_str gave a non-config error: {e}"))),
    };
    let project = match sfgen::model::Project::from_config(&loaded) {
        Ok(p) => p,
        Err(sfgen::Error::Config(d)) => {
            prop_assert!(!d.is_empty(), "a config error without diagnostics");
            for x in &d {
                prop_assert!(!x.message.trim().is_empty(), "a diagnostic without a message: {x:?}");
            }
            return Ok(Err(d));
        }
        Err(e) => return Err(TestCaseError::fail(format!("from_config gave a non-config error: {e}"))),
    };
    let tree = sfgen::render::render(&project);
    let version = project.api_version.to_string();
    let mut rendered = Rendered { xml_texts: Vec::new(), apex: ApexLex::default(), tree };
    for f in rendered.tree.files() {
        let is_apex = f.path.ends_with(".cls") || f.path.ends_with(".trigger");
        if is_apex {
            let src =
                std::str::from_utf8(&f.bytes).map_err(|_| TestCaseError::fail(format!("{} is not UTF-8", f.path)))?;
            let lex = lex_apex(src).map_err(|e| TestCaseError::fail(format!("{}: {e}\n{src}", f.path)))?;
            let bad = bad_apex_numbers(&lex.code);
            prop_assert!(bad.is_empty(), "{}: number literals Apex cannot compile: {bad:?}", f.path);
            rendered.apex.literals.extend(lex.literals);
            rendered.apex.comments.extend(lex.comments);
        } else {
            if let Ok(text) = std::str::from_utf8(&f.bytes) {
                if let Some(c) = text.chars().find(|&c| !is_xml_char(c)) {
                    return Err(TestCaseError::fail(format!(
                        "{} holds U+{:04X}, which XML 1.0 forbids (not well-formed)",
                        f.path, c as u32
                    )));
                }
            }
            let root = xml::parse(&f.bytes).map_err(|e| {
                TestCaseError::fail(format!("{} does not parse: {e}\n{}", f.path, String::from_utf8_lossy(&f.bytes)))
            })?;
            all_texts(&root, &mut rendered.xml_texts);
        }
    }
    let package = sfgen::sf::manifest::tree_package_xml(&rendered.tree, &version);
    xml::parse(package.as_bytes()).map_err(|e| TestCaseError::fail(format!("package.xml: {e}")))?;
    sfgen::ops::generate::source_files(&rendered.tree, &version)
        .map_err(|e| TestCaseError::fail(format!("source conversion failed: {e}")))?;
    let analysis = sfgen::apex::estimate::analyze(&rendered.tree);
    prop_assert!(analysis.parse_errors.is_empty(), "generated Apex does not parse: {:?}", analysis.parse_errors);
    Ok(Ok(rendered))
}

// ---------------------------------------------------------------------------------------------
// Target 1: any bytes.

const CONFIG_TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"'",
    b"<&>",
    b"*/",
    b"{!",
    b"{n}",
    b"$today+",
    b"null",
    b"true",
    b"1e999",
    b"-1",
    b"99999999999999999999",
    b"\"environments\":{\"x\":{}}",
    b"\"webhook\":{}",
    b"\xff",
    b"\xef\xbb\xbf",
];

fn config_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = fuzzkit::corpus("config");
    for case in ["contact-webhook", "integration-user", "signed-webhook"] {
        let p = support::root().join("fixtures").join(case).join("sfgen.json");
        seeds.push((case.to_string(), std::fs::read(p).unwrap()));
    }
    seeds.push((
        "nasty-strings".into(),
        std::fs::read(support::root().join("fixtures/hostile/nasty-strings/sfgen.json")).unwrap(),
    ));
    seeds
}

#[test]
fn fuzz_config_bytes() {
    let seeds = config_seeds();
    assert!(seeds.len() >= 4, "seed corpus missing");
    let n = seeds.len();
    let strategy = prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..512).prop_map(fuzzkit::Input::Raw),
        6 => (0..n, fuzzkit::edits(CONFIG_TOKENS)).prop_map(|(i, e)| fuzzkit::Input::Mutated(i, e)),
    ];
    fuzzkit::run("config-bytes", 512, strategy, |input| {
        let bytes = input.bytes(&seeds);
        let text = String::from_utf8_lossy(&bytes);
        for env in [None, Some("sandbox"), Some("production")] {
            let _ = generate(&text, env)?;
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Target 2: JSON shaped like a config.

/// Every key of the config schema (raw.rs), so random objects hit real fields.
const KEYS: &[&str] = &[
    "$schema",
    "apiVersion",
    "webhook",
    "remoteSites",
    "connectedApps",
    "permissionSets",
    "settings",
    "integration",
    "environments",
    "className",
    "endpoint",
    "namedCredential",
    "path",
    "timeoutMs",
    "batchSize",
    "headers",
    "mockClassName",
    "testClassName",
    "signing",
    "objects",
    "name",
    "label",
    "url",
    "header",
    "sobject",
    "triggerName",
    "events",
    "fields",
    "testRecord",
    "description",
    "disableProtocolSecurity",
    "isActive",
    "contactEmail",
    "callbackUrls",
    "scopes",
    "license",
    "userPermissions",
    "classes",
    "tabs",
    "recordTypes",
    "emailToCase",
    "enabled",
    "oauth",
    "allowUsernamePasswordFlow",
    "vendor",
    "orgDomain",
    "sandbox",
    "managedPackageId",
    "integrationUser",
    "username",
    "permissionSets",
    "sandbox",
    "production",
    "Contact",
    "Account",
    "X-Tenant",
    "LastName",
    "Name",
    "standard-Case",
    "Case.Subject",
];

const WORDS: &[&str] = &[
    "62.0",
    "56.0",
    "66.0",
    "55.0",
    "67.0",
    "62",
    "Contact",
    "Account",
    "Lead",
    "Opportunity",
    "Case",
    "Invoice__c",
    "Task",
    "Event",
    "User",
    "https://api.example.com/hook",
    "https://a.example.com",
    "http://a.example.com",
    "http://localhost:1717/cb",
    "https://u:p@a.example.com",
    "https://a.example.com/#f",
    "callout:X",
    "Webhook",
    "Order_Sync",
    "afterInsert",
    "afterUpdate",
    "afterDelete",
    "afterUndelete",
    "beforeInsert",
    "read",
    "edit",
    "create",
    "delete",
    "viewAll",
    "modifyAll",
    "visible",
    "available",
    "none",
    "Api",
    "Full",
    "RefreshToken",
    "refresh_token",
    "ApiEnabled",
    "ApexRestServices",
    "ApiUserOnly",
    "ModifyAllData",
    "ViewAllData",
    "EditTask",
    "a@example.com",
    "04t5w000004QFkXAAW",
    "$today",
    "$today+30",
    "$today-5",
    "x{n}y",
    "X-Signature",
    "Authorization",
    "Content-Type",
    "standard-Case",
    "Case.Order",
    "Account.Name",
    "Contact.Email",
    "Id",
    "",
    " ",
    "it's",
    "a\\b",
    "<&>",
    "*/",
    "{!x}",
    "é",
    "\u{2028}",
    "\u{0}",
    "\u{1}",
    "\n",
    "\r",
];

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => proptest::sample::select(WORDS).prop_map(|s| Value::String(s.to_string())),
        2 => nasty().prop_map(Value::String),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => prop_oneof![Just(0i64), Just(1), Just(2), Just(199), Just(200), Just(201), Just(120_000), Just(-1), any::<i64>()].prop_map(Value::from),
        1 => prop_oneof![Just(1.5f64), Just(-0.0), Just(1e300), Just(0.1)].prop_map(Value::from),
        1 => Just(Value::Null),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// One structural edit of a config.
#[derive(Debug, Clone)]
enum JsonEdit {
    Replace(usize, Value),
    Remove(usize),
    Insert(usize, &'static str, Value),
}

fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(c, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn apply_json(v: &mut Value, edits: &[JsonEdit]) {
    for e in edits {
        let mut ptrs = Vec::new();
        pointers(v, String::new(), &mut ptrs);
        let pick = |i: usize| ptrs[i % ptrs.len()].clone();
        match e {
            JsonEdit::Replace(i, new) => {
                if let Some(slot) = v.pointer_mut(&pick(*i)) {
                    *slot = new.clone();
                }
            }
            JsonEdit::Remove(i) => {
                let p = pick(*i);
                if let Some((parent, last)) = p.rsplit_once('/') {
                    match v.pointer_mut(parent) {
                        Some(Value::Object(m)) => {
                            m.remove(&last.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(a)) => {
                            if let Ok(n) = last.parse::<usize>() {
                                if n < a.len() {
                                    a.remove(n);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            JsonEdit::Insert(i, k, new) => match v.pointer_mut(&pick(*i)) {
                Some(Value::Object(m)) => {
                    m.insert((*k).to_string(), new.clone());
                }
                Some(Value::Array(a)) => a.push(new.clone()),
                _ => {}
            },
        }
    }
}

fn json_edits() -> impl Strategy<Value = Vec<JsonEdit>> {
    let edit = prop_oneof![
        4 => (any::<usize>(), json_value()).prop_map(|(i, v)| JsonEdit::Replace(i, v)),
        2 => any::<usize>().prop_map(JsonEdit::Remove),
        3 => (any::<usize>(), proptest::sample::select(KEYS), json_value()).prop_map(|(i, k, v)| JsonEdit::Insert(i, k, v)),
    ];
    proptest::collection::vec(edit, 1..6)
}

fn fixture_values() -> Vec<Value> {
    let mut out: Vec<Value> = ["contact-webhook", "integration-user", "signed-webhook"]
        .iter()
        .map(|c| {
            serde_json::from_slice(&std::fs::read(support::root().join("fixtures").join(c).join("sfgen.json")).unwrap())
                .unwrap()
        })
        .collect();
    out.push(base_endpoint());
    out.push(base_named_credential());
    out
}

#[test]
fn fuzz_config_json() {
    let bases = fixture_values();
    let n = bases.len();
    let strategy = (0..n, json_edits());
    fuzzkit::run("config-json", 384, strategy, |(i, edits)| {
        let mut v = bases[i].clone();
        apply_json(&mut v, &edits);
        let text = serde_json::to_string_pretty(&v).unwrap();
        for env in [None, Some("sandbox")] {
            let _ = generate(&text, env)?;
        }
        Ok(())
    });
}

/// Duplicate keys (issue 12, finding 12): any key of any object in a valid config, written a
/// second time in the same object, is refused with a duplicate-key diagnostic naming its path
/// and both positions; never accepted with one of the two values silently winning.
#[test]
fn fuzz_config_duplicate_keys() {
    let texts: Vec<String> = fixture_values().iter().map(|v| serde_json::to_string_pretty(v).unwrap()).collect();
    // Every `"key":` occurrence of every fixture (an object key, since values are never followed
    // by a colon).
    let mut sites: Vec<(usize, usize)> = Vec::new();
    for (t, text) in texts.iter().enumerate() {
        let mut i = 0;
        while let Some(off) = text[i..].find("\":") {
            let end = i + off;
            if let Some(start) = text[..end].rfind('"') {
                let before = text[..start].trim_end();
                if before.ends_with('{') || before.ends_with(',') {
                    sites.push((t, start));
                }
            }
            i = end + 2;
        }
    }
    let n = sites.len();
    fuzzkit::run("config-duplicate-keys", 256, (0..n, any::<bool>()), |(site, null_value)| {
        let (t, start) = sites[site];
        let text = &texts[t];
        let key_end = start + 1 + text[start + 1..].find('"').unwrap();
        let key = &text[start..=key_end];
        let value = if null_value { "null" } else { "\"duplicate\"" };
        let mutated = format!("{}{key}: {value}, {}", &text[..start], &text[start..]);
        match sfgen::config::parse_str(&mutated, Path::new("dup.json"), None) {
            Err(sfgen::error::Error::Config(d)) => {
                prop_assert!(
                    d.iter().any(|d| d.message.starts_with("duplicate key") && d.line.is_some()),
                    "{key} duplicated but not reported as such: {d:#?}"
                );
                Ok(())
            }
            other => Err(TestCaseError::fail(format!("{key} written twice was accepted: {other:?}"))),
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Target 3: nasty strings in every field that reaches an output.

/// Strings made of the pieces that break escaping: quotes, backslashes, line breaks, markup,
/// comment ends, merge-field syntax, sfgen's own `{n}` and `$today`, non-ASCII, controls.
fn nasty() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "'",
        "\\",
        "\"",
        "\n",
        "\r",
        "\r\n",
        "\t",
        "<",
        ">",
        "&",
        "&amp;",
        "&#x27;",
        "]]>",
        "<!--",
        "<![CDATA[",
        "*/",
        "/*",
        "//",
        "{!",
        "{!$Credential.Password}",
        "}",
        "{n}",
        "$today",
        "$today+1",
        "${x}",
        "é",
        "日本",
        "😀",
        "\u{2028}",
        "\u{2029}",
        "\u{0}",
        "\u{1}",
        "\u{1f}",
        "\u{7f}",
        "\u{85}",
        "\u{a0}",
        "\u{feff}",
        "\u{fffe}",
        "\u{ffff}",
        " ",
        "   ",
        "%",
        "%0a",
        "+",
        "--",
        "\\u0027",
        "\\'",
        "''",
        "@",
        "#",
        "?",
        "=",
        ";",
        "callout:",
        "https://",
        "..",
        "/",
        "\u{202e}",
        "\u{200b}",
        "\\n",
        "\u{10ffff}",
    ];
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_string),
        2 => "[a-zA-Z0-9 ]{1,6}",
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 1..8).prop_map(|v| v.concat())
}

fn base_endpoint() -> Value {
    json!({
        "apiVersion": "62.0",
        "webhook": {
            "endpoint": "https://api.example.com/hook",
            "headers": { "X-Test": "value" },
            "objects": [{ "sobject": "Contact", "testRecord": { "LastName": "Test {n}", "Email": "t{n}@example.com" } }]
        },
        "remoteSites": [{ "name": "Extra_Site", "url": "https://rs.example.com", "description": "d" }],
        "connectedApps": [{
            "name": "App", "label": "App", "contactEmail": "a@example.com", "description": "d",
            "callbackUrls": ["https://cb.example.com/cb"], "scopes": ["Api"]
        }],
        "permissionSets": [{ "name": "Perms", "label": "Perms", "description": "d", "license": "Salesforce", "userPermissions": ["ApiEnabled"] }],
        "integration": { "vendor": "V", "integrationUser": { "username": "u@example.com", "permissionSets": ["Perms"] } }
    })
}

fn base_named_credential() -> Value {
    json!({
        "apiVersion": "62.0",
        "webhook": {
            "className": "Sync",
            "namedCredential": { "name": "Svc", "label": "Svc", "url": "https://nc.example.com", "externalCredential": {} },
            "path": "/events",
            "signing": { "header": "X-Signature" },
            "delivery": { "runAsUser": "delivery@example.com" },
            "objects": [{ "sobject": "Case", "testRecord": { "Subject": "s", "Description": "d" } }]
        }
    })
}

/// Where a field's string ends up.
#[derive(Debug, Clone, Copy)]
enum Sink {
    /// The text of an XML element.
    Xml,
    /// An Apex string literal.
    Apex,
    /// An Apex test value (`{n}` splits it into literals; `$today...` becomes a date).
    ApexTestValue,
    /// The Apex endpoint `callout:Svc` + the string.
    ApexCallout,
    /// Only printed (next steps), never written.
    Printed,
}

/// A config field: base config, JSON pointer (or `headers` key), how the value is built around
/// the string, and where it lands.
struct Slot {
    base: u8,
    pointer: &'static str,
    prefix: &'static str,
    suffix: &'static str,
    sink: Sink,
    /// The value is a key of the object at `pointer` (value "v") instead of a value.
    as_key: bool,
}

const fn slot(base: u8, pointer: &'static str, prefix: &'static str, suffix: &'static str, sink: Sink) -> Slot {
    Slot { base, pointer, prefix, suffix, sink, as_key: false }
}

const SLOTS: &[Slot] = &[
    slot(0, "/remoteSites/0/description", "", "", Sink::Xml),
    slot(0, "/remoteSites/0/url", "https://rs.example.com/", "", Sink::Xml),
    slot(0, "/connectedApps/0/label", "", "", Sink::Xml),
    slot(0, "/connectedApps/0/description", "", "", Sink::Xml),
    slot(0, "/connectedApps/0/contactEmail", "x", "@example.com", Sink::Xml),
    slot(0, "/connectedApps/0/callbackUrls/0", "https://cb.example.com/cb?x=", "", Sink::Xml),
    slot(0, "/connectedApps/0/callbackUrls/0", "http://localhost:8080/", "", Sink::Xml),
    slot(0, "/permissionSets/0/label", "", "", Sink::Xml),
    slot(0, "/permissionSets/0/description", "", "", Sink::Xml),
    slot(0, "/permissionSets/0/license", "", "", Sink::Xml),
    slot(0, "/permissionSets/0/userPermissions/0", "", "", Sink::Xml),
    // The endpoint lives in a custom metadata record, not in the Apex (one Apex for every
    // environment).
    slot(0, "/webhook/endpoint", "https://api.example.com/hook?q=", "", Sink::Xml),
    slot(0, "/webhook/headers/X-Test", "", "", Sink::Apex),
    slot(0, "/webhook/objects/0/testRecord/LastName", "", "", Sink::ApexTestValue),
    slot(0, "/integration/vendor", "", "", Sink::Printed),
    slot(0, "/integration/integrationUser/username", "u", "@example.com", Sink::Printed),
    slot(1, "/webhook/namedCredential/label", "", "", Sink::Xml),
    slot(1, "/webhook/namedCredential/url", "https://nc.example.com/", "", Sink::Xml),
    slot(1, "/webhook/path", "/", "", Sink::ApexCallout),
    slot(1, "/webhook/objects/0/testRecord/Description", "", "", Sink::ApexTestValue),
    slot(1, "/webhook/signing/header", "", "", Sink::Apex),
    Slot { base: 0, pointer: "/webhook/headers", prefix: "", suffix: "", sink: Sink::Apex, as_key: true },
];

/// `/connectedApps/0/label` → `connectedApps[0].label` (the diagnostics' path syntax).
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        if seg.parse::<usize>().is_ok() {
            out = format!("{out}[{seg}]");
        } else if out.is_empty() {
            out = seg.to_string();
        } else {
            out = format!("{out}.{seg}");
        }
    }
    out
}

fn check_nasty(placed: &[(usize, String)]) -> Result<(), TestCaseError> {
    let base_index = SLOTS[placed[0].0].base;
    let mut config = if base_index == 0 { base_endpoint() } else { base_named_credential() };
    let mut expected = Vec::new();
    for (n, (i, s)) in placed.iter().enumerate() {
        let slot = &SLOTS[*i];
        // A later string in the same field replaces this one.
        if slot.base != base_index || placed[n + 1..].iter().any(|(j, _)| SLOTS[*j].pointer == slot.pointer) {
            continue;
        }
        let value = format!("{}{s}{}", slot.prefix, slot.suffix);
        if slot.as_key {
            let Some(Value::Object(m)) = config.pointer_mut(slot.pointer) else { unreachable!() };
            m.insert(value.clone(), Value::String("v".into()));
        } else {
            *config.pointer_mut(slot.pointer).unwrap() = Value::String(value.clone());
        }
        expected.push((slot, value));
    }
    let text = serde_json::to_string_pretty(&config).unwrap();
    match generate(&text, None)? {
        Err(diags) => {
            // Refused: the error must name one of the fields we touched.
            let named =
                diags.iter().any(|d| expected.iter().any(|(slot, _)| d.path.starts_with(&dotted(slot.pointer))));
            prop_assert!(named, "refused, but no diagnostic names the field: {diags:#?}");
            for d in &diags {
                prop_assert!(d.line.is_some(), "diagnostic without a position: {d:?}");
            }
        }
        Ok(r) => {
            for (slot, value) in &expected {
                if slot.prefix.starts_with("http") || slot.pointer.ends_with("/path") {
                    prop_assert!(
                        !value.chars().any(|c| c.is_whitespace() || c.is_control()),
                        "{}: a URL with whitespace or a control character was accepted: {value:?}",
                        slot.pointer
                    );
                }
                match slot.sink {
                    Sink::Xml => prop_assert!(
                        r.xml_texts.iter().any(|t| t == value),
                        "{}: {value:?} is not held exactly by any XML element; texts: {:?}",
                        slot.pointer,
                        r.xml_texts
                    ),
                    Sink::Apex => prop_assert!(
                        r.apex.literals.iter().any(|t| t == value),
                        "{}: {value:?} is not held exactly by any Apex literal",
                        slot.pointer
                    ),
                    Sink::ApexCallout => {
                        let want = format!("callout:Svc{value}");
                        prop_assert!(
                            r.apex.literals.contains(&want),
                            "{}: {want:?} not in any Apex literal",
                            slot.pointer
                        )
                    }
                    Sink::ApexTestValue => {
                        if !value.starts_with("$today") {
                            for piece in value.split("{n}").filter(|p| !p.is_empty()) {
                                prop_assert!(
                                    r.apex.literals.iter().any(|t| t == piece),
                                    "{}: {piece:?} (of {value:?}) not in any Apex literal",
                                    slot.pointer
                                );
                            }
                        }
                    }
                    Sink::Printed => {}
                }
                let special = value.chars().any(|c| "'\"<>&*/{}!\\\n".contains(c));
                if special && value.trim().chars().count() >= 4 {
                    for c in &r.apex.comments {
                        prop_assert!(
                            !c.contains(value.as_str()),
                            "{}: {value:?} landed in an Apex comment: {c:?}",
                            slot.pointer
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

#[test]
fn nasty_strings_round_trip() {
    let strategy = proptest::collection::vec((0..SLOTS.len(), nasty()), 1..4);
    fuzzkit::run("nasty-strings", 768, strategy, |placed| check_nasty(&placed));
}

/// Every slot, one by one, with a fixed battery of the worst strings: the whole battery in each
/// slot in the full tier (`SFGEN_FULL=1`); in `cargo test`, three strings a slot, rotating so
/// that every string still lands in five or more slots.
#[test]
fn nasty_strings_every_slot() {
    let battery = [
        "it's a \\ \"quote\"",
        "line1\nline2\r\nline3\ttab",
        "<tag attr=\"x\">&amp; &lt; ]]> <!-- c -->",
        "*/ System.debug('pwned'); /*",
        "{!$Credential.Password} {!Contact.Email}",
        "ünïcødé 日本語 😀 \u{2028}\u{2029}",
        "\\'; delete [SELECT Id FROM Account]; String s = '",
        "x{n}y $today",
        "   ",
        "\u{1}",
        "\u{fffe}",
        "\u{7f}\u{85}",
    ];
    let per_slot = support::count("SFGEN_NASTY_PER_SLOT", 3, battery.len()).clamp(1, battery.len());
    let mut failures = Vec::new();
    for (i, _) in SLOTS.iter().enumerate() {
        for k in 0..per_slot {
            let s = battery[(i * per_slot + k) % battery.len()];
            if let Err(e) = check_nasty(&[(i, s.to_string())]) {
                failures.push(format!("slot {} with {s:?}: {e}", SLOTS[i].pointer));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The committed nasty-strings fixture (which CI generates and hands to sf-conformance)
/// renders, and holds its strings exactly.
#[test]
fn nasty_strings_fixture_generates() {
    let text = std::fs::read_to_string(support::root().join("fixtures/hostile/nasty-strings/sfgen.json")).unwrap();
    let r = generate(&text, None).unwrap().unwrap_or_else(|d| panic!("the fixture must validate: {d:#?}"));
    assert!(r.apex.literals.iter().any(|l| l.contains("*/") && l.contains('\'')), "{:?}", r.apex.literals);
    assert!(r.xml_texts.iter().any(|t| t.contains("<&>") && t.contains('\n')));
}

#[test]
fn apex_lexer_self_test() {
    let lex = lex_apex("String s = 'a\\'b\\\\c\\n\\u00e9'; // it's\n/* 'x' */ String t = '';").unwrap();
    assert_eq!(lex.literals, ["a'b\\c\né", ""]);
    assert_eq!(lex.comments, [" it's", " 'x' "]);
    assert!(lex_apex("String s = 'abc;").is_err());
    assert!(lex_apex("/* open").is_err());
    assert!(unescape_apex("\\q").is_err());
    assert_eq!(
        bad_apex_numbers("x = 1e+300; y = 12345678901; z = 3000000000L; w = 1.5; v = -0.0; a1 = 2;"),
        ["1e", "12345678901"]
    );
}
