//! Input limits with clear errors (exit 2, nothing written): a config over the size cap, inputs
//! that never end (`/dev/zero` for every file argument), too many components, names and texts
//! over Salesforce's limits, API versions sfgen does not know.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use serde_json::{json, Value};
use std::path::Path;
use support::sfgen;

fn base() -> Value {
    json!({
        "apiVersion": "62.0",
        "webhook": { "endpoint": "https://hooks.example.com/in", "objects": [{ "sobject": "Contact" }] },
        "remoteSites": [{ "name": "Extra", "url": "https://extra.example.com", "description": "d" }],
        "connectedApps": [{ "name": "App", "label": "App", "contactEmail": "a@example.com",
                            "callbackUrls": ["https://cb.example.com/cb"], "scopes": ["Api"] }],
        "permissionSets": [{ "name": "Perms", "label": "Perms", "description": "d" }]
    })
}

/// Generates `config`; asserts exit 2, nothing written, and every `mentions` in the error.
fn refused(what: &str, config: &Value, mentions: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sfgen.json");
    std::fs::write(&cfg, serde_json::to_vec_pretty(config).unwrap()).unwrap();
    let out = dir.path().join("out");
    let r = sfgen(&["generate", "-c", &cfg.to_string_lossy(), "--out", &out.to_string_lossy()]);
    assert_eq!(r.code, 2, "{what}: {}", r.stderr);
    assert!(!out.exists(), "{what}: output written");
    for m in mentions {
        assert!(r.stderr.contains(m), "{what}: the error does not mention {m:?}:\n{}", r.stderr);
    }
}

fn set(v: &mut Value, pointer: &str, new: Value) {
    *v.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = new;
}

#[test]
fn base_config_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sfgen.json");
    std::fs::write(&cfg, serde_json::to_vec_pretty(&base()).unwrap()).unwrap();
    let r = sfgen(&["generate", "-c", &cfg.to_string_lossy(), "--out", &dir.path().join("out").to_string_lossy()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn config_over_the_size_cap() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sfgen.json");
    let mut text = serde_json::to_string(&base()).unwrap();
    text.push_str(&" ".repeat(sfgen::config::MAX_CONFIG_BYTES as usize));
    std::fs::write(&cfg, text).unwrap();
    let out = dir.path().join("out");
    let r = sfgen(&["generate", "-c", &cfg.to_string_lossy(), "--out", &out.to_string_lossy()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("1048576") && r.stderr.contains("limit"), "{}", r.stderr);
    assert!(!out.exists());
}

#[cfg(unix)]
#[test]
fn endless_inputs_are_refused_not_read_forever() {
    let cfg = "fixtures/contact-webhook/sfgen.json";
    let dir = tempfile::tempdir().unwrap();
    let o = |rel: &str| dir.path().join(rel).to_string_lossy().into_owned();
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("-c", vec!["generate".into(), "-c".into(), "/dev/zero".into(), "--out".into(), o("gen")]),
        ("--org", vec!["diff".into(), "-c".into(), cfg.into(), "--org".into(), "/dev/zero".into()]),
        (
            "--include",
            vec![
                "package".into(),
                "-c".into(),
                cfg.into(),
                "--include".into(),
                "/dev/zero".into(),
                "--out".into(),
                o("p.zip"),
            ],
        ),
        ("--package", vec!["check".into(), "--package".into(), "/dev/zero".into()]),
        (
            "--from",
            vec![
                "convert".into(),
                "--from".into(),
                "/dev/zero".into(),
                "--to".into(),
                o("conv"),
                "--format".into(),
                "source".into(),
            ],
        ),
        (
            "--destructive",
            vec![
                "package".into(),
                "-c".into(),
                cfg.into(),
                "--destructive".into(),
                "/dev/zero".into(),
                "--out".into(),
                o("d.zip"),
            ],
        ),
        (
            "manifest --include",
            vec!["manifest".into(), "-c".into(), cfg.into(), "--include".into(), "/dev/zero".into()],
        ),
    ];
    for (what, args) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = sfgen(&args);
        assert_eq!(r.code, 2, "{what}: {}", r.stderr);
        assert!(r.stderr.contains("/dev/zero"), "{what}: {}", r.stderr);
    }
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing is written");
}

#[test]
fn too_many_components() {
    let lists: [(&str, usize, Value); 4] = [
        ("/webhook/objects", 51, json!({ "sobject": "Obj{i}__c" })),
        ("/remoteSites", 201, json!({ "name": "Site_{i}", "url": "https://s{i}.example.com" })),
        (
            "/connectedApps",
            101,
            json!({ "name": "App_{i}", "contactEmail": "a@example.com", "callbackUrls": ["https://cb.example.com"], "scopes": ["Api"] }),
        ),
        ("/permissionSets", 501, json!({ "name": "Set_{i}" })),
    ];
    for (pointer, n, template) in lists {
        let mut c = base();
        let items: Vec<Value> = (0..n)
            .map(|i| serde_json::from_str(&template.to_string().replace("{i}", &i.to_string())).unwrap())
            .collect();
        set(&mut c, pointer, Value::Array(items));
        refused(pointer, &c, &[&format!("{n} entries"), "at most"]);
    }
}

#[test]
fn names_and_texts_over_salesforce_limits() {
    let long = |n: usize| "A".repeat(n);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/webhook/className", json!(long(41)), "40"),
        ("/webhook/mockClassName", json!(long(41)), "40"),
        ("/webhook/testClassName", json!(long(41)), "40"),
        ("/webhook/objects/0/triggerName", json!(long(41)), "40"),
        ("/remoteSites/0/name", json!(long(41)), "40"),
        ("/remoteSites/0/description", json!("d".repeat(256)), "255"),
        ("/connectedApps/0/name", json!(long(41)), "40"),
        ("/connectedApps/0/label", json!("l".repeat(81)), "80"),
        ("/permissionSets/0/name", json!(long(81)), "80"),
        ("/permissionSets/0/label", json!("l".repeat(81)), "80"),
        ("/permissionSets/0/description", json!("d".repeat(256)), "255"),
    ];
    for (pointer, value, limit) in cases {
        let mut c = base();
        let key = pointer.rsplit('/').next().unwrap();
        let parent = &pointer[..pointer.len() - key.len() - 1];
        c.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_string(), value);
        refused(pointer, &c, &[limit, "characters"]);
    }
}

#[test]
fn unknown_api_versions() {
    for (v, mention) in [
        ("99.0", "not one sfgen knows"),
        ("55.0", "not one sfgen knows"),
        ("62.5", "not an API version"),
        ("v62", "not an API version"),
        ("", "not an API version"),
    ] {
        let mut c = base();
        set(&mut c, "/apiVersion", json!(v));
        refused(&format!("apiVersion {v:?}"), &c, &["apiVersion", mention]);
    }
    let mut c = base();
    set(&mut c, "/apiVersion", json!(62));
    refused("apiVersion as a number", &c, &["apiVersion"]);
}

/// `--org` given a pipe or a folder that is really a file is refused cleanly too.
#[test]
fn org_must_be_a_folder_or_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let notzip = dir.path().join("retrieve.zip");
    std::fs::write(&notzip, b"this is not a zip").unwrap();
    let r = sfgen(&["diff", "-c", "fixtures/contact-webhook/sfgen.json", "--org", &notzip.to_string_lossy()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("retrieve.zip"), "{}", r.stderr);
    let _ = Path::new("");
}

/// Test record numbers are pasted into Apex: exponents and integers beyond an Apex Integer
/// would not compile (sf-conformance: "Illegal integer", "Expecting ')' but was: 'e'").
#[test]
fn test_record_numbers_apex_cannot_write_are_refused() {
    for (n, ok) in [
        (json!(1250.5), true),
        (json!(2147483647), true),
        (json!(-2147483648), true),
        (json!(-0.0), true),
        (json!(1e300), false),
        (json!(2147483648u64), false),
        (json!(12345678901234567890u64), false),
        (json!(1e-7), false),
    ] {
        let mut c = base();
        set(
            &mut c,
            "/webhook/objects/0",
            json!({ "sobject": "Opportunity", "testRecord": { "Name": "n{n}", "StageName": "Prospecting", "CloseDate": "$today", "Amount": n } }),
        );
        if ok {
            let dir = tempfile::tempdir().unwrap();
            let cfg = dir.path().join("sfgen.json");
            std::fs::write(&cfg, serde_json::to_vec(&c).unwrap()).unwrap();
            let r =
                sfgen(&["generate", "-c", &cfg.to_string_lossy(), "--out", &dir.path().join("out").to_string_lossy()]);
            assert_eq!(r.code, 0, "{n}: {}", r.stderr);
        } else {
            refused(&format!("Amount {n}"), &c, &["testRecord.Amount", "Apex number literal"]);
        }
    }
}

/// A config nested deeper than any real one is a clear error, not a stack overflow.
#[test]
fn deeply_nested_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sfgen.json");
    let depth = 100_000;
    let text =
        format!("{{\"apiVersion\":\"62.0\",\"environments\":{{\"x\":{}{}}}}}", "[".repeat(depth), "]".repeat(depth));
    std::fs::write(&cfg, text).unwrap();
    let r = sfgen(&["generate", "-c", &cfg.to_string_lossy(), "--out", &dir.path().join("out").to_string_lossy()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("sfgen.json"), "{}", r.stderr);
}
