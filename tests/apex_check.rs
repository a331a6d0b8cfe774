//! Measured coverage: `sfgen test` counts the lines the tests ran with Salesforce's rules (the
//! ones `check` estimates with, `src/apex/lines.rs`), equal to the hand counts of
//! `fixtures/coverage/*/COUNT.md`; `sfgen check` uses the measured figure when every test ran
//! to a verdict, and says so.

mod support;

fn json_of(args: &[&str]) -> (i32, serde_json::Value) {
    let out = support::sfgen(args);
    let text = &out.stdout;
    let v = serde_json::from_str(text).unwrap_or_else(|e| panic!("no JSON ({e}) from {args:?}: {text}"));
    (out.code, v)
}

fn uncovered_of(c: &serde_json::Value) -> Vec<u64> {
    let mut v: Vec<u64> = c["lines"]
        .as_object()
        .expect("lines")
        .iter()
        .filter(|(_, h)| h.as_u64() == Some(0))
        .map(|(l, _)| l.parse().expect("line"))
        .collect();
    v.sort_unstable();
    v
}

/// Coverage cases the runtime cannot run yet, each with the Skip reason it gives (the hand count in
/// the case's COUNT.md still holds for `check`'s estimate, tests/check.rs):
/// - platform-event: `EventBus.publish(event, callback)` — the callback's `onSuccess` runs at
///   `Test.getEventBus().deliver()` or `Test.stopTest()` (Platform Events Developer Guide, "Test
///   Apex Publish Callbacks"); the runtime does not model callbacks and says so.
const KNOWN_RUNTIME_GAPS: &[(&str, &str)] = &[("platform-event", "EventBus.publish with a publish callback")];

#[test]
fn measured_coverage_equals_the_hand_counts() {
    let dir = support::root().join("fixtures/coverage");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures/coverage") {
        let case = entry.expect("entry").path();
        if !case.is_dir() {
            continue;
        }
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(case.join("expected.json")).expect("expected")).expect("json");
        let (_, v) = json_of(&["--json", "test", "--package", case.join("package").to_str().expect("utf8")]);
        let tests = v["result"]["tests"].as_array().expect("tests");
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if let Some((_, gap)) = KNOWN_RUNTIME_GAPS.iter().find(|(c, _)| *c == name) {
            // Not measured: every test is a Skip naming the gap. One that runs makes the entry stale.
            assert!(
                !tests.is_empty()
                    && tests
                        .iter()
                        .all(|t| t["Outcome"] == "Skip" && t["Message"].as_str().is_some_and(|m| m.contains(gap))),
                "{}: listed as a known runtime gap ({gap}) but a test ran: remove it from KNOWN_RUNTIME_GAPS: {v:#}",
                case.display()
            );
            continue;
        }
        assert!(tests.iter().all(|t| t["Outcome"] != "Skip"), "{}: a test was skipped: {v:#}", case.display());
        for want in expected["units"].as_array().expect("units") {
            let got = v["result"]["coverage"]["coverage"]
                .as_array()
                .expect("coverage")
                .iter()
                .find(|c| c["name"] == want["name"])
                .unwrap_or_else(|| panic!("{}: no coverage for {}", case.display(), want["name"]));
            let at = format!("{}: {}", case.display(), want["name"]);
            assert_eq!(got["totalLines"], want["totalLines"], "{at}");
            assert_eq!(got["totalCovered"], want["coveredLines"], "{at}: {got}");
            let want_unc: Vec<u64> =
                want["uncoveredLines"].as_array().expect("unc").iter().map(|l| l.as_u64().expect("line")).collect();
            assert_eq!(uncovered_of(got), want_unc, "{at}");
            checked += 1;
        }
    }
    assert!(checked >= 15, "units checked: {checked}");
}

#[test]
fn check_uses_the_measured_figure_when_every_test_ran() {
    let (code, v) = json_of(&["--json", "check", "--package", "fixtures/coverage/methods-branches/package"]);
    assert_eq!(code, 1, "66.67% is under 75%: {v:#}");
    let u = &v["result"]["coverage"][0];
    assert_eq!(u["measured"], true, "{u}");
    assert_eq!(u["coveredLines"], 12);
    assert_eq!(u["unknownLines"], 0);
    assert_eq!(u["range"], serde_json::json!([66.67, 66.67]), "{u}");
    let text = support::sfgen(&["check", "--package", "fixtures/coverage/methods-branches/package"]).stdout;
    assert!(text.contains("Apex code coverage (measured: sfgen's Apex runtime ran every test)"), "{text}");
    assert!(text.contains("(measured)"), "{text}");
    // --estimate-only keeps the static range.
    let (_, v) =
        json_of(&["--json", "check", "--estimate-only", "--package", "fixtures/coverage/methods-branches/package"]);
    assert_eq!(v["result"]["coverage"][0]["measured"], false);
}

#[test]
fn check_keeps_the_estimate_where_a_test_was_skipped_and_says_so() {
    // verdicts has skipped tests (SOSL, SeeAllData): the figure is not called measured, and the
    // lines the tests ran are covered.
    let (_, v) = json_of(&["--json", "check", "--package", "fixtures/apex/verdicts/package"]);
    let u = v["result"]["coverage"]
        .as_array()
        .expect("coverage")
        .iter()
        .find(|u| u["name"] == "Verdicts")
        .expect("Verdicts")
        .clone();
    assert_eq!(u["measured"], false, "{u}");
    assert_eq!(u["coveredLines"], 17, "every line ran in some test: {u}");
    let text = support::sfgen(&["check", "--package", "fixtures/apex/verdicts/package"]).stdout;
    assert!(
        text.contains("Apex code coverage (estimated, static analysis; not a test run)")
            || text.contains("measured where marked"),
        "{text}"
    );
}
