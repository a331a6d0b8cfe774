//! The coverage estimate in the formats CI tools ingest and a reviewer opens.
//!
//! - Cobertura XML (`coverage-04.dtd`; what GitLab's `coverage_report: cobertura` and Codecov
//!   read) and LCOV (`lcov.info`; Codecov, Coveralls, SonarQube's generic import): the two
//!   machine formats the Salesforce CLI's `--coverage-formatters` also writes. They know only
//!   "hit" and "not hit", so they list the lines whose coverage is *known*: proven covered
//!   (hits 1) and proven not covered (hits 0). Lines of unknown coverage are left out, so a
//!   tool's per-file figure is `covered / (covered + not covered)`, which always lies within
//!   sfgen's `[low, high]` range; the range itself is in `check --json` and the HTML report.
//!
//! The HTML report, with the findings, is [`crate::check::render_html`].

use super::{Analysis, UnitCoverage};
// Names and paths go through the one escaping policy (`printable::one_line`): a raw bidirectional
// control or line separator from a file name never reaches a report.
use crate::printable::one_line;
use crate::sf::xml::escape_attr;

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
