//! Invalid configs: each `fixtures/invalid/<case>/sfgen.json` must be refused with exit code 2,
//! the exact diagnostics in `expected_stderr.txt` (file:line:column, JSON path, what is wrong,
//! how to fix it), and nothing written. `UPDATE_GOLDENS=1` rewrites the expected messages.

mod support;
use support::*;

#[test]
fn every_invalid_fixture_is_refused_with_its_diagnostics() {
    let dir = root().join("fixtures/invalid");
    let mut cases: Vec<_> =
        std::fs::read_dir(&dir).expect("fixtures/invalid").map(|e| e.expect("entry").path()).collect();
    cases.sort();
    assert!(cases.len() >= 5, "expected the invalid fixtures");
    let mut failures = String::new();
    for case in cases {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::copy(case.join("sfgen.json"), tmp.path().join("sfgen.json")).expect("copy");
        let o = sfgen_in(tmp.path(), &["generate", "--out", "out"]);
        let stderr = o.stderr.clone();
        let name = case.file_name().expect("name").to_string_lossy().into_owned();
        if Some(o.code) != Some(2) {
            failures.push_str(&format!("{name}: exit {:?}, expected 2\n", Some(o.code)));
        }
        if tmp.path().join("out").exists() {
            failures.push_str(&format!("{name}: the output folder was created\n"));
        }
        let expected_path = case.join("expected_stderr.txt");
        if updating() {
            std::fs::write(&expected_path, &stderr).expect("write");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != stderr {
            let diff = similar::TextDiff::from_lines(&expected, &stderr)
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            failures.push_str(&format!("{name}: stderr differs:\n{diff}\n"));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}
