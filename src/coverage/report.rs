//! The coverage estimate in the formats CI tools ingest and a reviewer opens.
//!
//! - Cobertura XML (`coverage-04.dtd`; what GitLab's `coverage_report: cobertura` and Codecov
//!   read) and LCOV (`lcov.info`; Codecov, Coveralls, SonarQube's generic import): the two
//!   machine formats the Salesforce CLI's `--coverage-formatters` also writes. They know only
//!   "hit" and "not hit", so they list the lines whose coverage is *known*: proven covered
//!   (hits 1) and proven not covered (hits 0). Lines of unknown coverage are left out, so a
//!   tool's per-file figure is `covered / (covered + not covered)`, which always lies within
//!   sfgen's `[low, high]` range; the range itself is in `check --json` and the HTML report.
//! - HTML: one self-contained page (no script, no external resource) with the summary table and
//!   every class's source, each executable line coloured covered / not covered / unknown.

use super::{fmt_pct, fmt_range, Analysis, UnitCoverage};
// Names and paths go through the one escaping policy (`shell::one_line`): a raw bidirectional
// control or line separator from a file name never reaches a report.
use crate::sf::xml::{escape_attr, escape_text};
use crate::shell::one_line;
use std::collections::BTreeSet;

/// The lines of a unit by state.
fn states(u: &UnitCoverage) -> (BTreeSet<usize>, BTreeSet<usize>, BTreeSet<usize>) {
    (u.covered.iter().copied().collect(), u.uncovered.iter().copied().collect(), u.unknown.iter().copied().collect())
}

/// (line, hits) of every line whose coverage is known, in line order.
fn known(u: &UnitCoverage) -> Vec<(usize, u8)> {
    let mut v: Vec<(usize, u8)> = u.covered.iter().map(|&l| (l, 1)).collect();
    v.extend(u.uncovered.iter().map(|&l| (l, 0)));
    v.sort_unstable();
    v
}

/// `rate` in Cobertura's 0..1 form with four decimals.
fn rate(hit: usize, valid: usize) -> String {
    if valid == 0 {
        return "1".into();
    }
    format!("{:.4}", hit as f64 / valid as f64)
}

/// Cobertura XML (`coverage-04.dtd`) of the analysis; `timestamp` is seconds since the epoch.
pub fn cobertura(a: &Analysis, timestamp: u64) -> String {
    let mut packages = String::new();
    let (mut all_hit, mut all_valid) = (0usize, 0usize);
    for ty in ["ApexClass", "ApexTrigger"] {
        let units: Vec<&UnitCoverage> = a.units.iter().filter(|u| u.type_name == ty).collect();
        if units.is_empty() {
            continue;
        }
        let mut classes = String::new();
        let (mut p_hit, mut p_valid) = (0usize, 0usize);
        for u in units {
            let known = known(u);
            let hit = &u.covered;
            p_hit += hit.len();
            p_valid += known.len();
            let mut body = String::new();
            for (l, h) in &known {
                body.push_str(&format!("            <line number=\"{l}\" hits=\"{h}\" branch=\"false\"/>\n"));
            }
            classes.push_str(&format!(
                "        <class name=\"{}\" filename=\"{}\" line-rate=\"{}\" branch-rate=\"0\" complexity=\"0\">\n          <methods/>\n          <lines>\n{body}          </lines>\n        </class>\n",
                escape_attr(&one_line(&u.name)),
                escape_attr(&one_line(&u.file)),
                rate(hit.len(), known.len()),
            ));
        }
        all_hit += p_hit;
        all_valid += p_valid;
        packages.push_str(&format!(
            "    <package name=\"{ty}\" line-rate=\"{}\" branch-rate=\"0\" complexity=\"0\">\n      <classes>\n{classes}      </classes>\n    </package>\n",
            rate(p_hit, p_valid)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n<!-- sfgen check: estimated by static analysis, not a test run. Lines of unknown coverage are left out: the JSON output of sfgen check has the range. -->\n<coverage line-rate=\"{}\" branch-rate=\"0\" lines-covered=\"{all_hit}\" lines-valid=\"{all_valid}\" branches-covered=\"0\" branches-valid=\"0\" complexity=\"0\" version=\"sfgen {}\" timestamp=\"{timestamp}\">\n  <sources>\n    <source>.</source>\n  </sources>\n  <packages>\n{packages}  </packages>\n</coverage>\n",
        rate(all_hit, all_valid),
        env!("CARGO_PKG_VERSION"),
    )
}

/// LCOV tracefile of the analysis: `SF:`/`DA:`/`LH:`/`LF:`/`end_of_record` per file.
pub fn lcov(a: &Analysis) -> String {
    let mut out = String::from("TN:sfgen_check_estimate\n");
    for u in &a.units {
        let known = known(u);
        let hit = &u.covered;
        out.push_str(&format!("SF:{}\n", one_line(&u.file)));
        for (l, h) in &known {
            out.push_str(&format!("DA:{l},{h}\n"));
        }
        out.push_str(&format!("LH:{}\nLF:{}\nend_of_record\n", hit.len(), known.len()));
    }
    out
}

const CSS: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}\
table.sum{border-collapse:collapse}table.sum td,table.sum th{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
.bar{display:inline-block;width:120px;height:.8em;background:#f2c2c2;vertical-align:middle}\
.bar span{display:inline-block;height:100%}\
.bar .c{background:#4caf50}.bar .u{background:#f0c419}\
pre.src{font:13px/1.35 ui-monospace,monospace;border:1px solid #ddd;margin:0}\
pre.src span.l{display:block;padding:0 .5em;white-space:pre}\
span.l i{display:inline-block;width:4em;color:#888;font-style:normal;user-select:none}\
span.covered{background:#d4f5d4}span.notcovered{background:#f9d0d0}span.unknown{background:#fdf1c4}\
.key span{padding:0 .5em;margin-right:.5em}";

fn bar(u: &UnitCoverage) -> String {
    let t = u.total_lines.max(1) as f64;
    format!(
        "<span class=\"bar\"><span class=\"c\" style=\"width:{:.1}%\"></span><span class=\"u\" style=\"width:{:.1}%\"></span></span>",
        u.covered_lines as f64 * 100.0 / t,
        u.unknown_lines as f64 * 100.0 / t
    )
}

fn anchor(u: &UnitCoverage) -> String {
    format!("{}-{}", u.type_name, u.name).replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
}

/// The HTML report: summary table, then each unit's source with its executable lines
/// coloured (`covered`, `notcovered`, `unknown` classes). `source` gives a unit's text by file.
pub fn html(a: &Analysis, source: &dyn Fn(&str) -> Option<String>) -> String {
    let (c, unk, t) = a.totals();
    let (lo, hi) = a.overall_range();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>sfgen check: Apex coverage (estimated)</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>Apex coverage, estimated by static analysis (not a test run)</h1>\n<p id=\"overall\">Overall: <b>{}%</b> estimated, within <b>{}</b>: {c} lines proven covered, {unk} unknown, {} proven not covered, of {t}.</p>\n<p class=\"key\"><span class=\"covered\">covered</span><span class=\"notcovered\">not covered</span><span class=\"unknown\">unknown (a path through a value the estimate cannot tell)</span></p>\n<table class=\"sum\">\n<tr><th>Type</th><th>Name</th><th>Estimate</th><th>Range</th><th>Covered</th><th>Unknown</th><th>Not covered</th><th>Lines</th><th></th></tr>\n",
        fmt_pct(a.overall_percent()),
        escape_text(&fmt_range(lo, hi)),
        t - c - unk
    );
    for u in &a.units {
        out.push_str(&format!(
            "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td class=\"n\">{}%</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
            u.type_name,
            anchor(u),
            escape_text(&one_line(&u.name)),
            fmt_pct(u.percent),
            escape_text(&fmt_range(u.low, u.high)),
            u.covered_lines,
            u.unknown_lines,
            u.total_lines - u.covered_lines - u.unknown_lines,
            u.total_lines,
            bar(u)
        ));
    }
    out.push_str("</table>\n");
    for u in &a.units {
        let (lines, no, unknown) = states(u);
        out.push_str(&format!(
            "<h2 id=\"{}\">{} {} — {}% within {}</h2>\n<pre class=\"src\">",
            anchor(u),
            u.type_name,
            escape_text(&one_line(&u.name)),
            fmt_pct(u.percent),
            escape_text(&fmt_range(u.low, u.high))
        ));
        let text = source(&u.file).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let class = if no.contains(&n) {
                " notcovered"
            } else if unknown.contains(&n) {
                " unknown"
            } else if lines.contains(&n) {
                " covered"
            } else {
                ""
            };
            out.push_str(&format!(
                "<span class=\"l{class}\" id=\"{}-L{n}\"><i>{n}</i>{}</span>",
                anchor(u),
                escape_text(line)
            ));
        }
        out.push_str("</pre>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
