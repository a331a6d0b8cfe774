//! What the platform cannot take is refused at generate time, with the reason (issue 12,
//! findings 10 and 12), and the config's structure is reported whole (issue 14). One test per
//! finding, named after it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};
use sfgen::error::{Diagnostic, Error};
use std::path::Path;

fn diagnostics(config: &Value) -> Vec<Diagnostic> {
    let text = serde_json::to_string_pretty(config).unwrap();
    diagnostics_of(&text)
}

fn diagnostics_of(text: &str) -> Vec<Diagnostic> {
    let loaded = match sfgen::config::parse_str(text, Path::new("sfgen.json"), None) {
        Ok(l) => l,
        Err(Error::Config(d)) => return d,
        Err(e) => panic!("unexpected error {e}"),
    };
    match sfgen::model::Project::from_config(&loaded) {
        Ok(_) => Vec::new(),
        Err(Error::Config(d)) => d,
        Err(e) => panic!("unexpected error {e}"),
    }
}

fn webhook(extra: Value) -> Value {
    let mut w = json!({
        "endpoint": "https://hooks.example.com/in",
        "objects": [{ "sobject": "Contact", "fields": ["Email"] }]
    });
    for (k, v) in extra.as_object().unwrap() {
        w[k] = v.clone();
    }
    json!({ "apiVersion": "62.0", "webhook": w })
}

fn refused_at(config: &Value, path: &str, words: &str) {
    let d = diagnostics(config);
    assert!(
        d.iter().any(|d| d.path == path && d.message.contains(words) && d.line.is_some()),
        "expected {path}: ...{words}... in {d:#?}"
    );
}

#[test]
fn finding_10_today_plus_three_billion_days_is_refused() {
    let config = webhook(
        json!({ "objects": [{ "sobject": "Contact", "testRecord": { "LastName": "x", "Birthdate": "$today+3000000000" } }] }),
    );
    refused_at(&config, "webhook.objects[0].testRecord.Birthdate", "between the years 1700 and 4000");
    let config = webhook(
        json!({ "objects": [{ "sobject": "Contact", "testRecord": { "LastName": "x", "Birthdate": "$today+99999999999999999999" } }] }),
    );
    refused_at(&config, "webhook.objects[0].testRecord.Birthdate", "whole number");
    let ok = webhook(
        json!({ "objects": [{ "sobject": "Contact", "testRecord": { "LastName": "x", "Birthdate": "$today-365" } }] }),
    );
    assert!(diagnostics(&ok).is_empty(), "{:#?}", diagnostics(&ok));
}

#[test]
fn finding_10_megabyte_header_name_is_refused() {
    let name = "X".repeat(1 << 20);
    let config = webhook(json!({ "headers": { name.clone(): "v" } }));
    let d = diagnostics(&config);
    assert!(d.iter().any(|d| d.message.contains("1048576 characters")), "{d:#?}");
    assert!(d.iter().all(|d| d.to_string().len() < 1000), "the message does not echo the name");
}

#[test]
fn finding_10_names_longer_than_salesforce_allows_are_refused() {
    let long = format!("{}__c", "A".repeat(300));
    let config =
        webhook(json!({ "objects": [{ "sobject": long.clone(), "fields": [format!("{}__c", "B".repeat(41))] }] }));
    refused_at(&config, "webhook.objects[0].sobject", "at most 40");
    refused_at(&config, "webhook.objects[0].fields[0]", "at most 40");
    let config =
        json!({ "apiVersion": "62.0", "permissionSets": [{ "name": "P", "objects": { long.clone(): ["read"] } }] });
    let d = diagnostics(&config);
    assert!(d.iter().any(|d| d.message.contains("at most 40")), "{d:#?}");
    let forty = format!("{}__c", "C".repeat(40));
    let ok = webhook(json!({ "objects": [{ "sobject": forty, "testRecord": { "Name": "x" } }] }));
    assert!(diagnostics(&ok).iter().all(|d| !d.message.contains("at most 40")), "40 characters fit");
}

#[test]
fn finding_10_headers_differing_only_by_case_are_refused() {
    let config = webhook(json!({ "headers": { "X-A": "1", "x-a": "2" } }));
    let d = diagnostics(&config);
    assert!(d.iter().any(|d| d.message.contains("case-insensitive")), "{d:#?}");
}

#[test]
fn finding_10_port_zero_is_refused() {
    refused_at(&webhook(json!({ "endpoint": "https://hooks.example.com:0/in" })), "webhook.endpoint", "port 0");
    refused_at(
        &json!({ "apiVersion": "62.0", "remoteSites": [{ "name": "S", "url": "https://api.example.com:0" }] }),
        "remoteSites[0].url",
        "port 0",
    );
}

#[test]
fn finding_10_backslash_at_does_not_yield_a_remote_site_for_another_host() {
    for endpoint in [
        "https://evil.example\\@hooks.example.com/",
        "https://hooks.example.com@evil.example/",
        "https://evil%2Eexample/in",
        "https://h\u{f6}oks.example.com/in",
    ] {
        let d = diagnostics(&webhook(json!({ "endpoint": endpoint })));
        assert!(d.iter().any(|d| d.path == "webhook.endpoint"), "{endpoint} accepted: {d:#?}");
    }
    assert!(diagnostics(&webhook(json!({ "endpoint": "https://Hooks.Example.com:8443/in?x=1" }))).is_empty());
}

#[test]
fn finding_12_duplicate_keys_name_both_positions() {
    let text = "{\n  \"apiVersion\": \"62.0\",\n  \"webhook\": {\n    \"endpoint\": \"https://a.example.com\",\n    \"objects\": [{ \"sobject\": \"Contact\" }],\n    \"endpoint\": \"https://b.example.com\"\n  }\n}";
    let d = diagnostics_of(text);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].path, "webhook.endpoint");
    assert_eq!((d[0].line, d[0].column), (Some(6), Some(5)));
    assert!(d[0].message.contains("line 4, column 5"), "{}", d[0].message);
}

#[test]
fn issue_14_content_type_application_json_is_accepted() {
    assert!(diagnostics(&webhook(json!({ "headers": { "Content-Type": "application/json" } }))).is_empty());
    refused_at(
        &webhook(json!({ "headers": { "content-type": "text/plain" } })),
        "webhook.headers.content-type",
        "always application/json",
    );
}

#[test]
fn issue_14_every_structural_error_in_one_run() {
    let d = diagnostics(&json!({
        "apiVersion": 62,
        "webhook": { "timeoutMs": "10000", "endpiont": "https://x.example.com", "objects": [] },
        "permissionSet": []
    }));
    let mut paths: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        ["apiVersion", "permissionSet", "webhook.endpiont", "webhook.objects", "webhook.timeoutMs"],
        "{d:#?}"
    );
    assert!(d.iter().all(|d| d.line.is_some() && d.hint.is_some()), "{d:#?}");
}

#[test]
fn the_webhook_needs_api_60() {
    let mut config = webhook(json!({}));
    config["apiVersion"] = json!("59.0");
    refused_at(&config, "apiVersion", "60.0 or later");
}

#[test]
fn connected_apps_key_still_works_and_both_keys_are_refused() {
    let app = json!({ "name": "V", "contactEmail": "a@example.com", "callbackUrls": ["https://cb.example.com"], "scopes": ["Api"] });
    assert!(diagnostics(&json!({ "apiVersion": "62.0", "connectedApps": [app.clone()] })).is_empty());
    let d = diagnostics(&json!({ "apiVersion": "62.0", "connectedApps": [app.clone()], "oauthApps": [app.clone()] }));
    assert!(d.iter().any(|d| d.message.contains("not both")), "{d:#?}");
    let d =
        diagnostics(&json!({ "apiVersion": "62.0", "oauthApps": [dict_with(&app, "clientCredentials", json!(true))] }));
    assert!(
        d.iter().any(|d| d.path == "oauthApps[0].clientCredentials"),
        "client credentials need an integration user: {d:#?}"
    );
}

fn dict_with(v: &Value, key: &str, value: Value) -> Value {
    let mut v = v.clone();
    v[key] = value;
    v
}

#[test]
fn external_credential_prefix_cannot_inject_into_its_formula() {
    let nc = |prefix: &str| {
        json!({ "apiVersion": "62.0", "webhook": {
            "namedCredential": { "name": "Svc", "url": "https://api.example.com", "externalCredential": { "header": "Authorization", "prefix": prefix } },
            "delivery": { "runAsUser": "delivery@example.com" },
            "objects": [{ "sobject": "Contact", "fields": ["Email"] }] } })
    };
    assert!(diagnostics(&nc("Bearer ")).is_empty(), "{:#?}", diagnostics(&nc("Bearer ")));
    refused_at(
        &nc("x' & $Credential.Other.Key & '"),
        "webhook.namedCredential.externalCredential.prefix",
        "may hold only",
    );
}

#[test]
fn delivery_settings_are_bounded() {
    refused_at(
        &webhook(json!({ "delivery": { "maxAttempts": 0 } })),
        "webhook.delivery.maxAttempts",
        "outside 1 to 20",
    );
    refused_at(&webhook(json!({ "className": "A_Class_Name_Of_29_Characters" })), "webhook.className", "at most 28");
    let d = diagnostics(&webhook(json!({ "signing": { "header": "X-Sig", "timestampHeader": "x-sig" } })));
    assert!(d.iter().any(|d| d.path == "webhook.signing.timestampHeader"), "{d:#?}");
    let d = diagnostics(&webhook(json!({ "headers": { "Idempotency-Key": "fixed" } })));
    assert!(d.iter().any(|d| d.message.contains("set by the generated class")), "{d:#?}");
}
