//! Apex code coverage as sfgen reports it, estimated or measured: per class and trigger a range
//! of lines ([`UnitCoverage`]), the test methods and what they showed, and the table, Cobertura
//! and LCOV forms ([`report`]). The static estimator ([`crate::apex::estimate`]) fills an
//! [`Analysis`]; the runtime ([`crate::apex::runtime::measure`]) replaces its figures with the
//! lines the tests ran.

pub mod report;

use std::collections::BTreeMap;

/// Coverage of one Apex class or trigger, as a range: lines proven covered, lines proven not
/// covered, and lines in between (reached only on paths through values the walk cannot tell).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitCoverage {
    /// `ApexClass` or `ApexTrigger`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Class or trigger name.
    pub name: String,
    /// The body file (mdapi path).
    pub file: String,
    /// Executable lines every test run reaches for sure (the lower bound).
    pub covered_lines: usize,
    /// Executable lines the tests may or may not reach.
    pub unknown_lines: usize,
    /// Executable lines.
    pub total_lines: usize,
    /// The point estimate, percent: proven lines, plus unknown lines that usually run (a loop
    /// body, the code after a guard clause), plus half of those behind a branch the walk
    /// cannot evaluate.
    pub percent: f64,
    /// `covered / total`, percent: the coverage cannot be lower.
    pub low: f64,
    /// `(covered + unknown) / total`, percent: the coverage cannot be higher.
    pub high: f64,
    /// Executable lines proven covered, 1-based.
    pub covered: Vec<usize>,
    /// Executable lines proven not covered, 1-based.
    pub uncovered: Vec<usize>,
    /// Executable lines whose coverage is unknown, 1-based.
    pub unknown: Vec<usize>,
    /// Point-estimate lines (`percent * total / 100`, unrounded).
    #[serde(skip)]
    pub point_lines: f64,
    /// Whether the figure is measured by running the tests (`sfgen check` runs them in sfgen's
    /// Apex runtime; see [`crate::apex::runtime::measure`]) rather than estimated.
    pub measured: bool,
}

/// One test method and what walking it showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestMethod {
    /// The test class.
    pub class: String,
    /// The method.
    pub method: String,
    /// The class body file.
    pub file: String,
    /// Line of the method name.
    pub line: usize,
    /// Whether an `Assert.*`/`System.assert*` call was reached while running it.
    pub asserts: bool,
    /// Whether the test (or its class) says `SeeAllData=true`.
    pub see_all_data: bool,
    /// Callouts (`Http.send`) reached with no mock set: (file, line) of each.
    pub unmocked_callouts: Vec<(String, usize)>,
    /// Whether the walk hit a limit (call depth 40, 20 000 steps per test): what it could not
    /// enter counts as unknown (in the upper bound only). Calls beyond 6 walks of one method
    /// per test are treated the same way but not reported (their lines were walked already).
    pub truncated: bool,
}

/// An endpoint string found in Apex: an `https://` URL given to `setEndpoint`, or a
/// `callout:NAME` literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The class holding it.
    pub unit: String,
    /// Its file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The literal value.
    pub value: String,
}

/// A class implementing `HttpCalloutMock` that is not `@IsTest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UntestedMock {
    /// Class name.
    pub class: String,
    /// Its file.
    pub file: String,
    /// Line of the class name.
    pub line: usize,
}

/// A trigger and whether any test fires it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerInfo {
    /// Trigger name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// The object it is on.
    pub object: String,
    /// Whether a test's DML (or published event) fires it on a path the walk is sure of, or
    /// that usually runs.
    pub fired: bool,
    /// Whether any path of any test may fire it (DML on records of unknown type included):
    /// when false, no test can fire it.
    pub reachable: bool,
}

/// Everything the estimator learnt about the package's Apex.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    /// Per class and trigger with at least one executable line, sorted by type and name.
    pub units: Vec<UnitCoverage>,
    /// Every test method.
    pub tests: Vec<TestMethod>,
    /// Every trigger.
    pub triggers: Vec<TriggerInfo>,
    /// Endpoints found in non-test Apex.
    pub endpoints: Vec<Endpoint>,
    /// Mocks that would count as uncovered code.
    pub untested_mocks: Vec<UntestedMock>,
    /// Files the estimator could not analyse: (file, line of the first error, why).
    pub parse_errors: Vec<(String, usize, String)>,
}

impl Analysis {
    /// Covered (proven), unknown and total executable lines over all units.
    pub fn totals(&self) -> (usize, usize, usize) {
        self.units.iter().fold((0, 0, 0), |(c, u, t), x| (c + x.covered_lines, u + x.unknown_lines, t + x.total_lines))
    }

    /// Overall point estimate, percent (100 when there is no Apex).
    pub fn overall_percent(&self) -> f64 {
        let (_, _, t) = self.totals();
        let p: f64 = self.units.iter().map(|u| u.point_lines).sum();
        if t == 0 {
            100.0
        } else {
            (p * 10000.0 / t as f64).round() / 100.0
        }
    }

    /// Overall `[low, high]`, percent.
    pub fn overall_range(&self) -> (f64, f64) {
        let (c, u, t) = self.totals();
        (percent(c, t), percent(c + u, t))
    }
}

/// `covered / total * 100` rounded to two decimals; 100 for an empty unit.
pub fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        return 100.0;
    }
    ((covered as f64) * 10000.0 / (total as f64)).round() / 100.0
}

/// Per-unit coverage as a `sf apex run test --code-coverage`-like table, labelled as an
/// estimate: the point estimate, the range it lies in, and the lines proven not covered.
pub fn render_table(analysis: &Analysis) -> String {
    let measured = analysis.units.iter().filter(|u| u.measured).count();
    let mut out = if measured > 0 && measured == analysis.units.len() {
        String::from("Apex code coverage (measured: sfgen's Apex runtime ran every test)\n")
    } else if measured > 0 {
        String::from("Apex code coverage (measured where marked; the rest estimated by static analysis)\n")
    } else {
        String::from("Apex code coverage (estimated, static analysis; not a test run)\n")
    };
    if analysis.units.is_empty() {
        out.push_str("  no Apex classes or triggers with executable lines\n");
        return out;
    }
    let width = analysis.units.iter().map(|u| u.name.len()).max().unwrap_or(4).max(4);
    out.push_str(&format!(
        "  {:<12} {:<width$} {:>8} {:>15} {:>11}  Not covered (proven)\n",
        "Type", "Name", "Estimate", "Range", "Lines c/?/t"
    ));
    for u in &analysis.units {
        let lines = format!("{}/{}/{}", u.covered_lines, u.unknown_lines, u.total_lines);
        let unc: Vec<String> = u.uncovered.iter().map(usize::to_string).collect();
        out.push_str(&format!(
            "  {:<12} {:<width$} {:>7}% {:>15} {:>11}  {}{}\n",
            u.type_name,
            u.name,
            fmt_pct(u.percent),
            fmt_range(u.low, u.high),
            lines,
            unc.join(","),
            if u.measured { "  (measured)" } else { "" }
        ));
    }
    let (c, unk, t) = analysis.totals();
    let (lo, hi) = analysis.overall_range();
    out.push_str(&format!(
        "  Overall ({}): {}% within {} ({c} lines covered, {unk} unknown, {} not covered, of {t})\n",
        if measured == analysis.units.len() { "measured" } else { "estimated" },
        fmt_pct(analysis.overall_percent()),
        fmt_range(lo, hi),
        t - c - unk
    ));
    out
}

/// `[low%, high%]`.
pub fn fmt_range(low: f64, high: f64) -> String {
    format!("[{}%, {}%]", fmt_pct(low), fmt_pct(high))
}

/// A percent without needless decimals (`100`, `87.5`, `66.67`).
pub fn fmt_pct(p: f64) -> String {
    let s = format!("{p:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Per unit name → coverage, for lookups.
pub fn by_name(analysis: &Analysis) -> BTreeMap<(String, String), &UnitCoverage> {
    analysis.units.iter().map(|u| ((u.type_name.clone(), u.name.clone()), u)).collect()
}
