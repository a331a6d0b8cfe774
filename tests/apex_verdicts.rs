//! `sfgen test` on the known-verdict fixtures (`fixtures/apex/*`): every test method's outcome,
//! message and stack trace, and the measured coverage, as written down in each fixture's
//! `expected.json` from Salesforce's documentation before the run (`VERDICTS.md`).

mod support;

use std::path::Path;

fn run_json(pkg: &Path) -> serde_json::Value {
    support::sfgen(&["--json", "test", "--package", pkg.to_str().expect("ok")]).json()
}

fn check_fixture(name: &str) {
    let dir = support::root().join("fixtures/apex").join(name);
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("ok")).expect("ok");
    let got = run_json(&dir.join("package"));
    let tests = got["result"]["tests"].as_array().expect("tests");
    let mut problems = Vec::new();
    let want = expected["tests"].as_object().expect("ok");
    assert_eq!(tests.len(), want.len(), "test count of {name}: {got:#}");
    for t in tests {
        let full = t["FullName"].as_str().expect("ok");
        let Some(w) = want.get(full) else {
            problems.push(format!("{full}: not in expected.json"));
            continue;
        };
        let outcome = t["Outcome"].as_str().unwrap_or("");
        let message = t["Message"].as_str().unwrap_or("");
        if outcome != w["outcome"].as_str().expect("ok") {
            problems.push(format!("{full}: outcome {outcome} ({message}), expected {}", w["outcome"]));
            continue;
        }
        if let Some(m) = w["message"].as_str() {
            if message != m {
                problems.push(format!("{full}: message\n  got      {message}\n  expected {m}"));
            }
        }
        if let Some(m) = w["messageContains"].as_str() {
            if !message.contains(m) {
                problems.push(format!("{full}: message {message:?} lacks {m:?}"));
            }
        }
        if let Some(s) = w["stack"].as_str() {
            let stack = t["StackTrace"].as_str().unwrap_or("");
            if stack != s {
                problems.push(format!("{full}: stack\n  got      {stack:?}\n  expected {s:?}"));
            }
        }
    }
    for (class, want) in expected["coverage"].as_object().expect("ok") {
        let c = got["result"]["coverage"]["coverage"].as_array().expect("ok").iter().find(|c| c["name"] == *class);
        let Some(c) = c else {
            problems.push(format!("no coverage for {class}"));
            continue;
        };
        let pair = (c["totalCovered"].as_u64().expect("ok"), c["totalLines"].as_u64().expect("ok"));
        if pair != (want[0].as_u64().expect("ok"), want[1].as_u64().expect("ok")) {
            problems.push(format!("coverage of {class}: {pair:?}, expected {want}"));
        }
    }
    assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
}

#[test]
fn language_fixture_passes_every_test() {
    check_fixture("language");
}

#[test]
fn async_fixture_models_events_finalizers_signatures_and_cron() {
    check_fixture("async");
}

#[test]
fn verdicts_fixture_gives_the_documented_outcomes() {
    check_fixture("verdicts");
}

#[test]
fn todays_generated_webhook_fails_its_no_slot_test() {
    check_fixture("webhook-no-slot");
}
