//! `sfgen test` on the corpus (`../shared/corpus`: apex-recipes, dreamhouse-lwc, lwc-recipes),
//! public projects whose tests pass in real orgs: every Fail here is a runtime bug until shown
//! otherwise. Per project, the counts of tests that ran to a verdict, passed, failed and were
//! skipped are held to floors and ceilings (raise them as the runtime grows; never lower them
//! without saying why), and the skip reasons are printed, counted. The figures are in the
//! README ("sfgen test" section). Slow tier (`#[ignore]`d; `.ci/run` runs it): without the corpus
//! the test is skipped, unless required (`SFGEN_REQUIRE_CORPUS=1`, `SFGEN_REQUIRE_ALL=1` or `CI`).

mod support;

use std::collections::BTreeMap;
use std::process::Command;

/// (project, at least this many test methods to a verdict, at least this many passing, at most
/// this many failing).
/// Lowered with reason: dreamhouse-lwc went from 11 verdicts to 8 and apex-recipes from 248 to
/// 242 when failures that were the runtime guessing at what it does not hold became Skips (a
/// Profile filtered on its permissions, ContentVersion inserts the platform refuses with an
/// undocumented error, the org's app menu and field permissions, EntityDefinition and
/// FieldDefinition beyond the runtime's copy).
const EXPECT: &[(&str, u64, u64, u64)] =
    &[("apex-recipes", 242, 241, 1), ("dreamhouse-lwc", 8, 8, 0), ("lwc-recipes", 13, 13, 0)];

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus); .ci/run runs it"]
fn corpus_tests_run_to_verdicts_and_pass() {
    let Some(dir) = support::require(support::Tool::Corpus) else { return };
    let tmp = tempfile::tempdir().expect("tmp");
    let mut report = Vec::new();
    let mut problems = Vec::new();
    for (name, min_verdicts, min_pass, max_fail) in EXPECT {
        let o = Command::new("tar")
            .arg("xzf")
            .arg(dir.join(format!("{name}.tar.gz")))
            .arg("-C")
            .arg(tmp.path())
            .output()
            .expect("tar");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v = support::sfgen(&["--json", "test", "--package", tmp.path().join(name).to_str().expect("utf8")]).json();
        let s = &v["result"]["summary"];
        let (ran, pass, fail, skip) = (
            s["testsRan"].as_u64().expect("ran"),
            s["passing"].as_u64().expect("pass"),
            s["failing"].as_u64().expect("fail"),
            s["skipped"].as_u64().expect("skip"),
        );
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut fails = Vec::new();
        for t in v["result"]["tests"].as_array().expect("tests") {
            match t["Outcome"].as_str() {
                Some("Skip") => {
                    *reasons.entry(t["SkipReason"].as_str().unwrap_or("").chars().take(90).collect()).or_default() += 1
                }
                Some("Fail" | "CompileFail") => fails.push(format!(
                    "  {}: {}",
                    t["FullName"],
                    t["Message"].as_str().unwrap_or("").lines().next().unwrap_or("")
                )),
                _ => {}
            }
        }
        report.push(format!("{name}: {ran} ran to a verdict ({pass} passed, {fail} failed), {skip} skipped"));
        let mut by_count: Vec<(usize, String)> = reasons.into_iter().map(|(r, n)| (n, r)).collect();
        by_count.sort_by(|a, b| b.cmp(a));
        for (n, r) in by_count {
            report.push(format!("    {n:3} skipped: {r}"));
        }
        if ran < *min_verdicts || pass < *min_pass || fail > *max_fail {
            problems.push(format!("{name}: {ran} verdicts (>= {min_verdicts}), {pass} passed (>= {min_pass}), {fail} failed (<= {max_fail})\n{}", fails.join("\n")));
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
