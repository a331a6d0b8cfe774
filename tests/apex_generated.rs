//! sfgen's own generated Apex, run by `sfgen test`: every test of every fixture config's output
//! and of both `sfgen init` presets runs to a verdict (none skipped, none a compile failure) and
//! passes, except the generated code's own known bugs, each listed below with the exact
//! failure the platform would report. Guide A's own test classes (fixtures/guide-a-tests) pass
//! against the generated Webhook.

mod support;

use std::path::Path;

/// Failures of the generated code itself (not the runtime), with the evidence in the issue
/// they are tracked in: (method, message). Empty: issue 20's redesign fixed finding 1 (the
/// no-slot test), and fixtures/apex/webhook-no-slot keeps the old copy as a regression test.
const KNOWN_GENERATED_BUGS: &[(&str, &str)] = &[];

/// Verdicts that differ from a real org's only because sfgen's runtime does not model the
/// platform yet, each requested in /work/wt/rt-requests.md with the page that says what the
/// platform does: (method, outcome, message). An entry that now passes is stale and fails
/// the test, so the list shrinks as the runtime catches up. A message matches by its start
/// (a skip names the file it stopped at).
const KNOWN_RUNTIME_GAPS: &[(&str, &str, &str)] = &[];

fn run_tests(cwd: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json", "test"];
    all.extend_from_slice(args);
    support::sfgen_in(cwd, &all).json()
}

/// Checks a run: at least `min` tests, every one to a verdict, passing but for the known bugs.
fn assert_generated_tests_pass(what: &str, v: &serde_json::Value, min: usize) {
    let tests = v["result"]["tests"].as_array().unwrap_or_else(|| panic!("{what}: no tests in {v}"));
    assert!(tests.len() >= min, "{what}: {} tests, expected at least {min}", tests.len());
    let mut problems = Vec::new();
    for t in tests {
        let name = t["FullName"].as_str().unwrap_or("");
        let method = t["MethodName"].as_str().unwrap_or("");
        let message = t["Message"].as_str().or(t["SkipReason"].as_str()).unwrap_or("");
        let outcome = t["Outcome"].as_str().unwrap_or("");
        let gap = KNOWN_RUNTIME_GAPS.iter().find(|(m, _, _)| *m == method);
        match (outcome, gap) {
            ("Pass", Some(_)) => problems.push(format!("{name}: passes now: remove it from KNOWN_RUNTIME_GAPS")),
            ("Pass", None) => {}
            (o, Some((_, go, gmsg))) if o == *go && message.starts_with(gmsg) => {}
            ("Fail", None) if KNOWN_GENERATED_BUGS.iter().any(|(m, msg)| *m == method && *msg == message) => {}
            (other, _) => {
                problems.push(format!("{name}: {other}: {message}\n{}", t["StackTrace"].as_str().unwrap_or("")))
            }
        }
    }
    assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
}

#[test]
fn every_fixture_configs_generated_tests_pass() {
    let root = support::root();
    let mut seen = 0;
    for entry in std::fs::read_dir(root.join("fixtures")).expect("fixtures") {
        let cfg = entry.expect("entry").path().join("sfgen.json");
        if !cfg.is_file() {
            continue;
        }
        seen += 1;
        let v = run_tests(&root, &["-c", cfg.to_str().expect("utf8")]);
        let has_apex = v["result"]["coverage"]["coverage"].as_array().is_some_and(|c| !c.is_empty());
        if has_apex {
            assert_generated_tests_pass(&cfg.display().to_string(), &v, 5);
            for c in v["result"]["coverage"]["coverage"].as_array().expect("coverage") {
                assert_eq!(c["coveredPercent"], 100, "{}: {} is not fully covered: {c}", cfg.display(), c["name"]);
            }
        }
    }
    assert!(seen >= 3, "fixture configs found: {seen}");
}

#[test]
fn both_init_presets_generated_tests_pass() {
    for preset in ["webhook", "integration-user"] {
        let dir = tempfile::tempdir().expect("tmp");
        support::Sfgen::new().current_dir(dir.path()).args(["init", "--preset", preset]).status(0).run();
        let v = run_tests(dir.path(), &[]);
        let tests = v["result"]["tests"].as_array().expect("tests").len();
        if preset == "webhook" {
            assert_generated_tests_pass(preset, &v, 20);
        } else {
            // Guide B generates no Apex: nothing to run, and that is not a failure.
            assert_eq!(tests, 0, "{v}");
            assert_eq!(v["status"], 0, "{v}");
        }
    }
}

#[test]
fn guide_a_own_tests_pass_against_the_generated_webhook() {
    let root = support::root();
    let dir = tempfile::tempdir().expect("tmp");
    let out_dir = dir.path().join("pkg");
    let cfg = root.join("fixtures/contact-webhook/sfgen.json");
    let out = support::sfgen(&[
        "generate",
        "-q",
        "-c",
        cfg.to_str().expect("utf8"),
        "--format",
        "mdapi",
        "--out",
        out_dir.to_str().expect("utf8"),
    ]);
    assert!(out.success(), "{}", out.stderr);
    for f in std::fs::read_dir(root.join("fixtures/guide-a-tests/classes")).expect("guide-a") {
        let f = f.expect("entry").path();
        std::fs::copy(&f, out_dir.join("classes").join(f.file_name().expect("name"))).expect("copy");
    }
    let v = run_tests(&root, &["--package", out_dir.to_str().expect("utf8")]);
    let tests = v["result"]["tests"].as_array().expect("tests");
    // Guide A's TestWebhook and TestContactTrigger replace the generated ones; the generated
    // tests of the delivery (TestWebhookOutbox, ..) run beside them.
    let guide: Vec<_> = tests
        .iter()
        .filter(|t| matches!(t["ApexClass"]["Name"].as_str(), Some("TestWebhook" | "TestContactTrigger")))
        .collect();
    assert_eq!(guide.len(), 3, "{v}");
    assert!(guide.iter().all(|t| t["Outcome"] == "Pass"), "{v:#}");
    assert_generated_tests_pass("guide A's tests beside the generated ones", &v, 20);
}
