//! Reports of a run: the JSON result in the shape of `sf apex run test --json --code-coverage`
//! (`summary`, `tests[]`, `coverage.coverage[]`), the terminal report, JUnit XML, and the
//! measured coverage as a [`crate::apex::coverage::Analysis`] so Cobertura, LCOV and HTML reuse
//! [`crate::apex::coverage::report`].

use super::harness::{Outcome, RunResult, TestResult};
use super::program::Program;
use crate::apex::coverage::{percent, Analysis, UnitCoverage};
use crate::sf::xml::{escape_attr, escape_text};
use serde_json::json;

/// Measured coverage per class and trigger (test classes and classes that do not compile
/// excluded), sorted by type and name.
pub fn units(p: &Program, r: &RunResult) -> Vec<UnitCoverage> {
    let mut out = Vec::new();
    for (i, f) in p.files.iter().enumerate() {
        if f.is_test || f.error.is_some() || f.exec.is_empty() {
            continue;
        }
        let (mut covered, mut uncovered) = (Vec::new(), Vec::new());
        for &l in &f.exec {
            if r.coverage.covered(i as u32, l) {
                covered.push(l);
            } else {
                uncovered.push(l);
            }
        }
        let total = f.exec.len();
        let pct = percent(covered.len(), total);
        out.push(UnitCoverage {
            type_name: f.type_name.clone(),
            name: f.name.clone(),
            file: f.path.clone(),
            covered_lines: covered.len(),
            unknown_lines: 0,
            total_lines: total,
            percent: pct,
            low: pct,
            high: pct,
            point_lines: covered.len() as f64,
            covered,
            uncovered,
            unknown: Vec::new(),
            measured: true,
        });
    }
    out.sort_by(|a, b| (&a.type_name, &a.name).cmp(&(&b.type_name, &b.name)));
    out
}

/// The measured coverage as an analysis (for the Cobertura, LCOV and HTML writers).
pub fn analysis(p: &Program, r: &RunResult) -> Analysis {
    Analysis { units: units(p, r), ..Analysis::default() }
}

/// Counts: (ran to a verdict, passed, failed incl. compile failures, skipped).
pub fn counts(tests: &[TestResult]) -> (usize, usize, usize, usize) {
    let pass = tests.iter().filter(|t| t.outcome == Outcome::Pass).count();
    let fail = tests.iter().filter(|t| matches!(t.outcome, Outcome::Fail | Outcome::CompileFail)).count();
    let skip = tests.iter().filter(|t| t.outcome == Outcome::Skip).count();
    (pass + fail, pass, fail, skip)
}

fn rate(n: usize, d: usize) -> String {
    if d == 0 {
        "0%".into()
    } else {
        format!("{}%", ((n as f64) * 100.0 / d as f64).round() as i64)
    }
}

/// The `result` of `sfgen test --json`, shaped like `sf apex run test --json --code-coverage`.
pub fn json(p: &Program, r: &RunResult, units: &[UnitCoverage]) -> serde_json::Value {
    let (ran, pass, fail, skip) = counts(&r.tests);
    let (cov, tot) = units.iter().fold((0, 0), |(c, t), u| (c + u.covered_lines, t + u.total_lines));
    let run_cov =
        if tot == 0 { "0%".to_string() } else { format!("{}%", ((cov as f64) * 100.0 / tot as f64).round() as i64) };
    let tests: Vec<serde_json::Value> = r
        .tests
        .iter()
        .map(|t| {
            json!({
                "Id": null,
                "QueueItemId": null,
                "StackTrace": if t.stack.is_empty() { serde_json::Value::Null } else { json!(t.stack.join("\n")) },
                "Message": t.message,
                "AsyncApexJobId": null,
                "MethodName": t.method,
                "Outcome": t.outcome.as_str(),
                "ApexClass": { "Id": null, "Name": t.class, "NamespacePrefix": null },
                "RunTime": t.ms,
                "FullName": format!("{}.{}", t.class, t.method),
                "SkipReason": t.skip_reason,
            })
        })
        .collect();
    let coverage: Vec<serde_json::Value> = units
        .iter()
        .map(|u| {
            let mut lines = serde_json::Map::new();
            let mut all: Vec<(usize, u8)> =
                u.covered.iter().map(|l| (*l, 1)).chain(u.uncovered.iter().map(|l| (*l, 0))).collect();
            all.sort();
            for (l, h) in all {
                lines.insert(l.to_string(), json!(h));
            }
            json!({
                "id": null,
                "name": u.name,
                "type": u.type_name,
                "totalLines": u.total_lines,
                "lines": lines,
                "totalCovered": u.covered_lines,
                "coveredPercent": u.percent.round() as i64,
            })
        })
        .collect();
    let org = "00D000000000000AAA";
    json!({
        "summary": {
            "outcome": if fail == 0 { "Passed" } else { "Failed" },
            "testsRan": ran,
            "passing": pass,
            "failing": fail,
            "skipped": skip,
            "passRate": rate(pass, ran),
            "failRate": rate(fail, ran),
            "testStartTime": null,
            "testExecutionTime": format!("{} ms", r.wall_ms),
            "testTotalTime": format!("{} ms", r.wall_ms),
            "commandTime": format!("{} ms", r.wall_ms),
            "hostname": "sfgen (offline Apex runtime)",
            "orgId": org,
            "username": "sfgen.test.user@example.com",
            "testRunId": null,
            "userId": null,
            "testRunCoverage": run_cov,
            "orgWideCoverage": run_cov,
        },
        "tests": tests,
        "coverage": { "coverage": coverage },
        "classesWithoutTests": p.files.iter().filter(|f| !f.is_test && f.error.is_none() && !f.exec.is_empty()).count() > 0 && r.tests.is_empty(),
    })
}

/// The terminal report: per class, each test with its outcome (failures with message and stack
/// trace, skips with the reason), the coverage table and the summary.
pub fn text(r: &RunResult, units: &[UnitCoverage]) -> String {
    let mut out = String::new();
    let mut current = String::new();
    for t in &r.tests {
        if t.class != current {
            current = t.class.clone();
            out.push_str(&format!("{current}\n"));
        }
        let mark = match t.outcome {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::CompileFail => "COMPILE",
            Outcome::Skip => "skip",
        };
        out.push_str(&format!("  {mark:<7} {} ({} ms)\n", t.method, t.ms));
        if t.outcome != Outcome::Pass {
            if let Some(m) = &t.message {
                for line in m.lines() {
                    out.push_str(&format!("          {line}\n"));
                }
            }
            for s in t.stack.iter().take(8) {
                out.push_str(&format!("          at {s}\n"));
            }
        }
    }
    if r.tests.is_empty() {
        out.push_str("No test methods in the package: nothing ran (coverage 0%).\n");
    }
    out.push_str("\nApex code coverage (measured by running the tests)\n");
    if units.is_empty() {
        out.push_str("  no Apex classes or triggers with executable lines\n");
    } else {
        let width = units.iter().map(|u| u.name.len()).max().unwrap_or(4).max(4);
        out.push_str(&format!("  {:<12} {:<width$} {:>8} {:>9}  Not covered\n", "Type", "Name", "Percent", "Lines"));
        for u in units {
            let unc: Vec<String> = u.uncovered.iter().map(usize::to_string).collect();
            out.push_str(&format!(
                "  {:<12} {:<width$} {:>7}% {:>9}  {}\n",
                u.type_name,
                u.name,
                crate::apex::coverage::fmt_pct(u.percent),
                format!("{}/{}", u.covered_lines, u.total_lines),
                unc.join(",")
            ));
        }
        let (c, t) = units.iter().fold((0, 0), |(c, t), u| (c + u.covered_lines, t + u.total_lines));
        out.push_str(&format!("  Overall: {}% ({c} of {t} lines)\n", crate::apex::coverage::fmt_pct(percent(c, t))));
    }
    let (ran, pass, fail, skip) = counts(&r.tests);
    out.push_str(&format!(
        "\n{pass} passed, {fail} failed, {skip} skipped ({ran} ran to a verdict) in {} ms\n",
        r.wall_ms
    ));
    out
}

/// JUnit XML: one testsuite per class, failures with message and stack trace, skips with the
/// reason.
pub fn junit(r: &RunResult) -> String {
    let mut suites: Vec<(String, Vec<&TestResult>)> = Vec::new();
    for t in &r.tests {
        match suites.iter_mut().find(|(c, _)| *c == t.class) {
            Some((_, v)) => v.push(t),
            None => suites.push((t.class.clone(), vec![t])),
        }
    }
    let (_, _, fail, skip) = counts(&r.tests);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sfgen test\" tests=\"{}\" failures=\"{fail}\" skipped=\"{skip}\" time=\"{:.3}\">\n",
        r.tests.len(),
        r.wall_ms as f64 / 1000.0
    );
    for (class, tests) in suites {
        let f = tests.iter().filter(|t| matches!(t.outcome, Outcome::Fail | Outcome::CompileFail)).count();
        let s = tests.iter().filter(|t| t.outcome == Outcome::Skip).count();
        let time: u64 = tests.iter().map(|t| t.ms).sum();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" skipped=\"{s}\" time=\"{:.3}\">\n",
            escape_attr(&class),
            tests.len(),
            time as f64 / 1000.0
        ));
        for t in tests {
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                escape_attr(&t.class),
                escape_attr(&t.method),
                t.ms as f64 / 1000.0
            ));
            let msg = t.message.clone().unwrap_or_default();
            match t.outcome {
                Outcome::Pass => out.push_str("/>\n"),
                Outcome::Fail | Outcome::CompileFail => out.push_str(&format!(
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                    escape_attr(&msg),
                    t.outcome.as_str(),
                    escape_text(&format!("{msg}\n{}", t.stack.join("\n")))
                )),
                Outcome::Skip => {
                    out.push_str(&format!(">\n      <skipped message=\"{}\"/>\n    </testcase>\n", escape_attr(&msg)))
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
