//! `sfgen check --package` on the three public corpus projects (`../shared/corpus/*.tar.gz`):
//! every error it reports must be one a deploy or a test run would really produce. The
//! measurement is `scripts/corpus-check.py`, which checks each project as the SFDX project it
//! is, and (while sfgen's reader cannot read a project: exit 2) on the project converted by the
//! pinned Salesforce CLI (`sfx project convert source`) minus the folders sfgen does not know.
//!
//! The errors that remain, and why they are real:
//! - apex-recipes, `coverage-unit` on `ApexClass:SchemaRecipes`: no Apex in the project
//!   references the class (only its documentation does), so no test can reach any of its 4
//!   lines: 0 %, and a RunSpecifiedTests deploy of it fails the 75 % per-class rule.
//! - dreamhouse-lwc, lwc-recipes: none.

mod support;
use std::process::Command;
use support::{root, Tool};

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus); .ci/run runs it"]
fn corpus_projects_report_only_real_errors() {
    if support::require(Tool::Corpus).is_none() {
        return;
    }
    let shared = support::shared();
    let work = tempfile::tempdir().expect("tempdir");
    let summary = work.path().join("summary.json");
    let out = Command::new("python3")
        .arg(root().join("scripts/corpus-check.py"))
        .arg("--sfgen")
        .arg(support::bin())
        .arg("--keep")
        .arg(work.path())
        .arg("--json")
        .arg(&summary)
        .env("SFGEN_SHARED", &shared)
        .output()
        .expect("run scripts/corpus-check.py");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let results: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).expect("summary")).expect("json");
    let expected: &[(&str, &[&str])] =
        &[("apex-recipes", &["coverage-unit ApexClass:SchemaRecipes"]), ("dreamhouse-lwc", &[]), ("lwc-recipes", &[])];
    for (project, errors) in expected {
        let r = results
            .as_array()
            .and_then(|a| a.iter().find(|r| r["project"] == *project))
            .unwrap_or_else(|| panic!("{project} not measured: {results:#}"));
        assert!(r["error"].is_null(), "{project}: {r:#}");
        let got: Vec<String> = r["errorFindings"]
            .as_array()
            .expect("errorFindings")
            .iter()
            .filter_map(|e| e.as_str())
            .map(|e| e.split(':').take(2).collect::<Vec<_>>().join(":"))
            .collect();
        assert_eq!(got, errors.to_vec(), "{project}: {r:#}");
        assert_eq!(r["exit"].as_i64(), Some(i64::from(!errors.is_empty())), "{project}");
        eprintln!(
            "{project}: {} errors, {} warnings, estimated {}% within {}, input {}",
            r["errors"], r["warnings"], r["overall"], r["range"], r["input"]
        );
    }
}
