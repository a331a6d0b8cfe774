//! `sfgen check` end to end: the real binary on the known-coverage fixtures (estimate within
//! 5 points of the hand-counted truth), one fixture per rule, the clean fixture, both guide
//! configs (100 % estimated), `--junit` and exit codes.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sfgen(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sfgen")).current_dir(root()).args(args).output().expect("run sfgen");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), json, stdout + &String::from_utf8_lossy(&out.stderr))
}

fn check_json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["--json", "check"];
    all.extend_from_slice(args);
    let (code, json, text) = sfgen(&all);
    assert!(json.is_object(), "no JSON from sfgen {all:?}: {text}");
    (code, json)
}

fn rules_of(json: &serde_json::Value) -> Vec<(String, String)> {
    json["result"]["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (f["rule"].as_str().unwrap_or("").to_string(), f["severity"].as_str().unwrap_or("").to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn estimate_is_within_five_points_of_hand_counted_coverage() {
    let dir = root().join("fixtures/coverage");
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures/coverage") {
        let case = entry.expect("entry").path();
        if !case.is_dir() {
            continue;
        }
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(case.join("expected.json")).expect("expected.json")).expect("json");
        let pkg = case.join("package");
        let (_, json) = check_json(&["--package", pkg.to_str().expect("utf8")]);
        let coverage = json["result"]["coverage"].as_array().expect("coverage[]").clone();
        let units = expected["units"].as_array().expect("units");
        assert_eq!(coverage.len(), units.len(), "{}: units {coverage:?}", case.display());
        for want in units {
            let got = coverage
                .iter()
                .find(|u| u["type"] == want["type"] && u["name"] == want["name"])
                .unwrap_or_else(|| panic!("{}: no estimate for {want}", case.display()));
            let (g, w) = (got["percent"].as_f64().expect("percent"), want["percent"].as_f64().expect("percent"));
            assert!((g - w).abs() <= 5.0, "{}: {} estimated {g}%, true {w}%", case.display(), want["name"]);
            assert_eq!(got["totalLines"], want["totalLines"], "{}: {} executable lines", case.display(), want["name"]);
        }
        cases += 1;
    }
    assert!(cases >= 3, "expected at least 3 coverage fixtures, found {cases}");
}

#[test]
fn every_rule_has_a_fixture_that_trips_it() {
    let dir = root().join("fixtures/check");
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures/check") {
        let path = entry.expect("entry").path();
        if !path.is_dir() || path.ends_with("clean") {
            continue;
        }
        let rule = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        let (code, json) = check_json(&["--package", path.to_str().expect("utf8")]);
        let rules = rules_of(&json);
        assert!(rules.iter().any(|(r, _)| *r == rule), "{rule}: not tripped, findings {rules:?}");
        let errors = rules.iter().any(|(_, s)| s == "error");
        assert_eq!(code, i32::from(errors), "{rule}: exit code follows error findings {rules:?}");
        seen.push(rule);
    }
    for (rule, _) in sfgen::check::RULES {
        assert!(seen.iter().any(|s| s == rule), "no fixture for rule {rule}");
    }
}

#[test]
fn clean_fixture_trips_nothing() {
    let (code, json) = check_json(&["--package", "fixtures/check/clean"]);
    assert_eq!(rules_of(&json), Vec::<(String, String)>::new());
    assert_eq!(code, 0);
    assert_eq!(json["result"]["overall"].as_f64(), Some(100.0));
}

#[test]
fn guide_fixtures_pass_with_full_estimated_coverage() {
    for cfg in ["fixtures/contact-webhook/sfgen.json", "fixtures/integration-user/sfgen.json"] {
        let (code, json) = check_json(&["-c", cfg]);
        assert_eq!(code, 0, "{cfg}: {json:#}");
        assert_eq!(rules_of(&json), Vec::<(String, String)>::new(), "{cfg}");
        for u in json["result"]["coverage"].as_array().expect("coverage") {
            assert_eq!(u["percent"].as_f64(), Some(100.0), "{cfg}: {u}");
        }
    }
    let (_, json) = check_json(&["-c", "fixtures/contact-webhook/sfgen.json"]);
    let names: Vec<&str> =
        json["result"]["coverage"].as_array().expect("coverage").iter().filter_map(|u| u["name"].as_str()).collect();
    assert_eq!(
        names,
        ["Webhook", "WebhookAdmin", "ContactTrigger"],
        "test classes and the @IsTest mock are not counted"
    );
}

#[test]
fn junit_is_written_with_one_case_per_rule_and_unit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("nested/sfgen-check.xml");
    let (code, _, text) =
        sfgen(&["check", "-c", "fixtures/contact-webhook/sfgen.json", "--junit", out.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{text}");
    let xml = std::fs::read_to_string(&out).expect("junit written");
    assert_eq!(xml.matches("<testcase ").count(), sfgen::check::RULES.len() + 3, "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
    assert!(xml.contains("ApexClass Webhook (100% estimated)"), "{xml}");

    let failing = dir.path().join("fail.xml");
    let (code, _, _) =
        sfgen(&["check", "--package", "fixtures/check/coverage-unit", "--junit", failing.to_str().expect("utf8")]);
    assert_eq!(code, 1);
    let xml = std::fs::read_to_string(&failing).expect("junit written");
    assert!(xml.contains("<testcase classname=\"sfgen.check.rules\" name=\"coverage-unit\">\n      <failure"), "{xml}");
    assert!(xml.contains("name=\"ApexClass Greeter (33.33% estimated)\">\n      <failure"), "{xml}");
}

#[test]
fn text_report_labels_the_estimate_and_min_coverage_changes_the_verdict() {
    let (code, _, text) = sfgen(&["check", "--package", "fixtures/coverage/queueable-stoptest/package"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("estimated"), "{text}");
    assert!(text.contains("SyncJob") && text.contains("77.78%"), "{text}");
    let (code, json) =
        check_json(&["--package", "fixtures/coverage/queueable-stoptest/package", "--min-coverage", "80"]);
    assert_eq!(code, 1);
    assert!(rules_of(&json).iter().any(|(r, _)| r == "coverage-unit"));
}

#[test]
fn bad_input_exits_two() {
    let (code, _, _) = sfgen(&["check", "--package", "fixtures/does-not-exist"]);
    assert_eq!(code, 2);
    let (code, _, _) = sfgen(&["check", "-c", "fixtures/contact-webhook/sfgen.json", "--min-coverage", "150"]);
    assert_eq!(code, 2);
}

#[test]
fn package_zip_is_read_with_its_package_xml() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = root().join("fixtures/check/package-xml-sync");
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.expect("entry");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&src).expect("prefix").to_string_lossy().replace('\\', "/");
            files.push((format!("unpackaged/{rel}"), std::fs::read(entry.path()).expect("read")));
        }
    }
    let zip = dir.path().join("deploy.zip");
    std::fs::write(&zip, sfgen::package::zip_bytes(&files).expect("zip")).expect("write zip");
    let (code, json) = check_json(&["--package", zip.to_str().expect("utf8")]);
    assert_eq!(code, 1);
    let rules = rules_of(&json);
    assert_eq!(rules.iter().filter(|(r, _)| r == "package-xml-sync").count(), 2, "{rules:?}");
}

#[test]
fn included_code_is_checked_with_the_generated_code() {
    let (code, json) =
        check_json(&["-c", "fixtures/contact-webhook/sfgen.json", "--include", "fixtures/check/coverage-unit"]);
    assert_eq!(code, 1, "{json:#}");
    let names: Vec<&str> =
        json["result"]["coverage"].as_array().expect("coverage").iter().filter_map(|u| u["name"].as_str()).collect();
    assert!(names.contains(&"Webhook") && names.contains(&"Greeter"), "{names:?}");
    assert!(rules_of(&json).iter().any(|(r, _)| r == "coverage-unit"));
}
