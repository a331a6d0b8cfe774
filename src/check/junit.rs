//! JUnit XML for CI dashboards: one testcase per check rule and one per unit's coverage.

use super::{CheckReport, Severity, RULES};
use crate::apex::coverage::{fmt_pct, fmt_range};
use crate::sf::xml::{escape_attr, escape_text};

/// The JUnit XML document of a report: suite `sfgen check` with a passing testcase per rule that
/// found nothing, a testcase per finding (`file` and `line` attributes for CI annotations; a
/// `<failure>` for an error, `<system-out>` for a warning) and a testcase per class/trigger
/// coverage (its `file`, the first line not covered; a `<failure>` when below the minimum).
pub fn render_junit(report: &CheckReport) -> String {
    let mut cases = String::new();
    let mut failures = 0usize;
    let mut count = 0usize;
    for super::Rule { id: rule, what } in RULES {
        let found: Vec<_> = report.findings.iter().filter(|f| f.rule == *rule).collect();
        if found.is_empty() {
            count += 1;
            cases
                .push_str(&format!("    <testcase classname=\"sfgen.check.rules\" name=\"{}\"/>\n", escape_attr(rule)));
            continue;
        }
        // One case per finding, with the file and line CI annotations point at.
        for f in found {
            count += 1;
            let mut attrs = format!(
                "classname=\"sfgen.check.rules\" name=\"{}\"",
                escape_attr(&format!("{rule}: {}", f.component))
            );
            if let Some(file) = &f.file {
                attrs.push_str(&format!(" file=\"{}\"", escape_attr(&crate::printable::one_line(file))));
            }
            if let Some(l) = f.line {
                attrs.push_str(&format!(" line=\"{l}\""));
            }
            cases.push_str(&format!("    <testcase {attrs}>\n"));
            let loc = match (&f.file, f.line) {
                (Some(file), Some(l)) => format!(" {file}:{l}"),
                (Some(file), None) => format!(" {file}"),
                _ => String::new(),
            };
            let text = format!("{}{}: {}", f.component, loc, f.message);
            if f.severity == Severity::Error {
                failures += 1;
                cases.push_str(&format!(
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                    escape_attr(&format!("{}: {what}", f.message)),
                    escape_attr(rule),
                    escape_text(&text)
                ));
            } else {
                cases.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    escape_text(&format!("warning: {text}"))
                ));
            }
            cases.push_str("    </testcase>\n");
        }
    }
    for u in &report.analysis.units {
        count += 1;
        let range = fmt_range(u.low, u.high);
        let line = u.uncovered.first().or(u.unknown.first()).map(|l| format!(" line=\"{l}\"")).unwrap_or_default();
        cases.push_str(&format!(
            "    <testcase classname=\"sfgen.check.coverage\" name=\"{}\" file=\"{}\"{line}>\n",
            escape_attr(&if u.measured {
                format!("{} {} ({}% measured)", u.type_name, u.name, fmt_pct(u.percent))
            } else {
                format!("{} {} ({}% estimated, {range})", u.type_name, u.name, fmt_pct(u.percent))
            }),
            escape_attr(&crate::printable::one_line(&u.file))
        ));
        // A failure exactly when the unit's coverage finding is an error.
        let failing = |low: bool, high: bool| high || (report.strict && low);
        let zero_trigger =
            u.type_name == "ApexTrigger" && failing(u.covered_lines == 0, u.covered_lines + u.unknown_lines == 0);
        let below = failing(u.low < report.min_coverage, u.high < report.min_coverage);
        let list = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
        if below || zero_trigger {
            failures += 1;
            cases.push_str(&format!(
                "      <failure message=\"{}\" type=\"coverage\">not covered: {}\nunknown: {}</failure>\n",
                escape_attr(&format!(
                    "estimated coverage {}% within {range} ({} covered, {} unknown, of {} lines) below {}%",
                    fmt_pct(u.percent),
                    u.covered_lines,
                    u.unknown_lines,
                    u.total_lines,
                    fmt_pct(report.min_coverage)
                )),
                escape_text(&list(&u.uncovered)),
                escape_text(&list(&u.unknown))
            ));
        } else if u.low < report.min_coverage {
            cases.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                escape_text(&format!(
                    "warning: coverage may be below {}%: estimated {}% within {range}; unknown lines: {}",
                    fmt_pct(report.min_coverage),
                    fmt_pct(u.percent),
                    list(&u.unknown)
                ))
            ));
        }
        cases.push_str("    </testcase>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sfgen check\" tests=\"{count}\" failures=\"{failures}\">\n  <testsuite name=\"sfgen check\" tests=\"{count}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n</testsuites>\n"
    )
}
