//! Offline checks that tell, in a second and in the deploy's own words, whether a package will
//! deploy and pass coverage.
//!
//! Why: a production deploy fails on coverage (75 % overall, any trigger at 0 %, each class
//! under RunSpecifiedTests) and on platform rules the schema does not express (permission
//! dependencies, field-level security on required fields, callout hosts, package.xml out of
//! sync). Teams learn this minutes into a deploy; [`check_tree`] finds it offline so CI,
//! `sfgen generate` and `sfgen package` can refuse early. Coverage comes from the static
//! estimate in [`crate::apex::estimate`]; every other rule reads the package's own files.

mod html;
mod junit;
pub mod names;
mod rules;

pub use html::{coverage_html, render_html};
pub use junit::render_junit;

use crate::apex::coverage::{self, Analysis};
use crate::metadata::Tree;

/// How bad a finding is: errors fail `sfgen check` (exit 1), warnings are reported only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The deploy (or its tests) would fail.
    Error,
    /// Worth a look; the deploy may still succeed.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found by a rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The rule's stable id (see [`RULES`]).
    pub rule: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The component, `Type:Name` (or `package.xml`).
    pub component: String,
    /// The file (mdapi path), when one is concerned.
    pub file: Option<String>,
    /// 1-based line in that file, when known.
    pub line: Option<usize>,
    /// What is wrong, in the deploy's words where there are some.
    pub message: String,
}

/// A check rule: its stable id (in findings, JSON and JUnit) and what it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The stable id, e.g. `permission-dependency`.
    pub id: &'static str,
    /// What it checks (the JUnit report and the text report's group headings).
    pub what: &'static str,
}

/// Defines each rule once: a constant in [`rule`] for the code that reports it, and a row of
/// [`RULES`] for the reports that list them all.
macro_rules! rules {
    ($($name:ident = $id:literal: $what:literal,)*) => {
        /// One constant per rule; a finding names its rule through one of these.
        pub mod rule {
            $(
                #[doc = $what]
                pub const $name: super::Rule = super::Rule { id: $id, what: $what };
            )*
        }
        /// Every rule, in the order reports list them.
        pub const RULES: &[Rule] = &[$(rule::$name),*];
    };
}

rules! {
    APEX_SYNTAX = "apex-syntax": "Apex the grammar cannot parse (its coverage is not estimated)",
    APEX_SIZE = "apex-size": "a class or trigger over the platform's 1 000 000 characters (error), or past sfgen's bound for one run (not estimated)",
    COVERAGE_UNIT = "coverage-unit": "a class or trigger below the minimum coverage (RunSpecifiedTests fails): error when even the upper bound is",
    COVERAGE_OVERALL = "coverage-overall": "overall coverage below the minimum: error when even the upper bound is",
    TRIGGER_ZERO_COVERAGE = "trigger-zero-coverage": "a trigger at 0% (every deploy with tests fails): error when no test can reach it",
    TRIGGER_NOT_FIRED = "trigger-not-fired": "a trigger no test can fire (no DML or publish on its object on any path)",
    TEST_WITHOUT_ASSERTION = "test-without-assertion": "a test method that asserts nothing",
    CALLOUT_WITHOUT_MOCK = "callout-without-mock": "a test reaching Http.send without Test.setMock",
    SEE_ALL_DATA = "see-all-data": "a test using @IsTest(SeeAllData=true)",
    MOCK_NOT_TEST = "mock-not-test": "an HttpCalloutMock class not marked @IsTest (counts as uncovered code)",
    PERMISSION_DEPENDENCY = "permission-dependency": "object or user permissions missing the permissions they need",
    FLS_NOT_ALLOWED = "fls-not-allowed": "field-level security on a field that cannot carry it",
    CALLOUT_HOST = "callout-host": "a callout host or Named Credential the package does not provide (the org must)",
    PACKAGE_XML_SYNC = "package-xml-sync": "package.xml listing components that are not there, or missing ones that are",
    API_VERSION_MIX = "api-version-mix": "different API versions across -meta.xml files and package.xml",
    OAUTH_SECRET = "oauth-secret": "an OAuth app's consumer secret (or a fixed consumer key) in a file to deploy",
    UNKNOWN_NAME = "unknown-name": "an object, field or relationship Salesforce's schema (API 61) does not have, named by a permission set, profile or Apex (the deploy fails)",
    NAME_NOT_IN_PACKAGE = "name-not-in-package": "a custom object, field, record type or Apex class named by a permission set, profile or Apex that the package does not define (the target org must hold it)",
    METADATA_XML = "metadata-xml": "metadata XML that is not well formed, or whose root is not its type in the Metadata API namespace",
}

/// What [`check_tree`] needs besides the tree.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Minimum estimated coverage, percent, per class/trigger and overall.
    pub min_coverage: f64,
    /// The package.xml the input came with (when checking an existing mdapi package or zip).
    pub package_xml: Option<Vec<u8>>,
    /// Coverage findings whose lower bound fails but whose upper bound passes are errors too.
    pub strict: bool,
    /// Components sfgen generated from a config: their names were checked with the config (and
    /// their objects are complete definitions).
    pub generated: std::collections::BTreeSet<crate::metadata::ComponentKey>,
    /// Run the package's tests in sfgen's Apex runtime and use the measured coverage where
    /// every test ran ([`crate::apex::runtime::measure`]).
    pub measure: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self { min_coverage: 75.0, package_xml: None, strict: false, generated: Default::default(), measure: false }
    }
}

/// The coverage estimate and every finding.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The coverage estimate and test facts.
    pub analysis: Analysis,
    /// Findings, errors first, then by rule, component, file and line.
    pub findings: Vec<Finding>,
    /// The minimum coverage applied.
    pub min_coverage: f64,
    /// Whether `--strict` made doubtful coverage findings errors.
    pub strict: bool,
}

impl CheckReport {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Number of (errors, warnings).
    pub fn counts(&self) -> (usize, usize) {
        let e = self.findings.iter().filter(|f| f.severity == Severity::Error).count();
        (e, self.findings.len() - e)
    }

    /// The human report: the estimated coverage table, then the findings grouped by severity
    /// and rule, and a summary line.
    pub fn render_text(&self) -> String {
        self.render_text_coloured(false)
    }

    /// [`CheckReport::render_text`], coloured like `diff` when `color` (errors red, warnings
    /// yellow, rule names bold). Text from the package (names, paths, messages) is made printable
    /// here, since coloured output is printed as it is.
    pub fn render_text_coloured(&self, color: bool) -> String {
        let paint = |s: &str, code: &str| if color { format!("{code}{s}\x1b[0m") } else { s.to_string() };
        // The table and the note are lines of text: their line feeds stay (`field` would show
        // them as `\n`), everything else the one policy escapes is escaped.
        let p = crate::printable::text;
        let mut out = p(&coverage::render_table(&self.analysis));
        let cut = self.truncated_tests();
        if !cut.is_empty() {
            out.push_str(&p(&format!(
                "  note: {} test method(s) hit the estimator's limits; lines beyond the cut count as unknown: {}\n",
                cut.len(),
                if cut.len() > 5 {
                    format!("{}, and {} more", cut[..5].join(", "), cut.len() - 5)
                } else {
                    cut.join(", ")
                }
            )));
        }
        out.push('\n');
        if self.findings.is_empty() {
            out.push_str("No findings.\n");
        } else {
            for (severity, heading, code) in
                [(Severity::Error, "Errors", "\x1b[1;31m"), (Severity::Warning, "Warnings", "\x1b[1;33m")]
            {
                let of: Vec<&Finding> = self.findings.iter().filter(|f| f.severity == severity).collect();
                if of.is_empty() {
                    continue;
                }
                out.push_str(&paint(&format!("{heading} ({})", of.len()), code));
                out.push('\n');
                // Findings are sorted by severity, then rule: each rule's run is one group.
                let mut i = 0;
                while i < of.len() {
                    let rule = of[i].rule;
                    let n = of[i..].iter().take_while(|f| f.rule == rule).count();
                    let what = RULES.iter().find(|r| r.id == rule).map_or("", |r| r.what);
                    out.push_str(&format!("  {} ({n}): {what}\n", paint(rule, "\x1b[1m")));
                    for f in &of[i..i + n] {
                        out.push_str("  ");
                        out.push_str(&Self::finding_line_coloured(f, color));
                    }
                    i += n;
                }
            }
        }
        out.push('\n');
        out.push_str(&self.summary_line());
        out
    }

    /// `-q`: the error findings and the summary line, nothing else.
    pub fn render_quiet(&self) -> String {
        let mut out = String::new();
        for f in self.findings.iter().filter(|f| f.severity == Severity::Error) {
            out.push_str(&Self::finding_line(f));
        }
        out.push_str(&self.summary_line());
        out
    }

    fn finding_line(f: &Finding) -> String {
        Self::finding_line_coloured(f, false)
    }

    fn finding_line_coloured(f: &Finding, color: bool) -> String {
        let p = crate::printable::field;
        let loc = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!(" {}:{line}", p(file)),
            (Some(file), None) => format!(" {}", p(file)),
            _ => String::new(),
        };
        let tag = format!("{}[{}]", f.severity.as_str(), f.rule);
        let tag = match (color, f.severity) {
            (false, _) => tag,
            (true, Severity::Error) => format!("\x1b[31m{tag}\x1b[0m"),
            (true, Severity::Warning) => format!("\x1b[33m{tag}\x1b[0m"),
        };
        format!("  {tag} {}{loc}: {}\n", p(&f.component), p(&f.message))
    }

    /// `check: 1 error, 2 warnings (coverage estimated 81% within [70%, 96%], minimum 75%)`.
    pub fn summary_line(&self) -> String {
        let (e, w) = self.counts();
        let (lo, hi) = self.analysis.overall_range();
        let measured = !self.analysis.units.is_empty() && self.analysis.units.iter().all(|u| u.measured);
        format!(
            "check: {e} error{}, {w} warning{} (coverage {} {}% within {}, minimum {}%)\n",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" },
            if measured { "measured" } else { "estimated" },
            coverage::fmt_pct(self.analysis.overall_percent()),
            coverage::fmt_range(lo, hi),
            coverage::fmt_pct(self.min_coverage)
        )
    }

    /// Names files as the user's project has them: `map` takes an mdapi path
    /// (`classes/SchemaRecipes.cls`) to the file on disk it was read from
    /// (`force-app/main/default/classes/Schema Recipes/SchemaRecipes.cls`); paths it does not
    /// know stay as they are.
    pub fn rename_files(&mut self, map: &std::collections::BTreeMap<String, String>) {
        let re = |p: &mut String| {
            if let Some(d) = map.get(p.as_str()) {
                p.clone_from(d);
            }
        };
        for f in &mut self.findings {
            if let Some(p) = f.file.as_mut() {
                re(p);
            }
        }
        let a = &mut self.analysis;
        a.units.iter_mut().for_each(|u| re(&mut u.file));
        a.tests.iter_mut().for_each(|t| re(&mut t.file));
        a.triggers.iter_mut().for_each(|t| re(&mut t.file));
        a.endpoints.iter_mut().for_each(|e| re(&mut e.file));
        a.untested_mocks.iter_mut().for_each(|m| re(&mut m.file));
        a.parse_errors.iter_mut().for_each(|e| re(&mut e.0));
    }

    /// `Class.method` of every test whose walk hit the estimator's limits.
    pub fn truncated_tests(&self) -> Vec<String> {
        self.analysis.tests.iter().filter(|t| t.truncated).map(|t| format!("{}.{}", t.class, t.method)).collect()
    }

    /// The `result` of `sfgen check --json`.
    pub fn to_json(&self) -> serde_json::Value {
        let cov: Vec<serde_json::Value> = self
            .analysis
            .units
            .iter()
            .map(|u| {
                serde_json::json!({
                    "type": u.type_name,
                    "name": u.name,
                    "file": u.file,
                    "percent": u.percent,
                    "range": [u.low, u.high],
                    "coveredLines": u.covered_lines,
                    "unknownLines": u.unknown_lines,
                    "notCoveredLines": u.total_lines - u.covered_lines - u.unknown_lines,
                    "totalLines": u.total_lines,
                    "uncovered": u.uncovered,
                    "unknown": u.unknown,
                    "measured": u.measured,
                })
            })
            .collect();
        let (covered, unknown, total) = self.analysis.totals();
        let (low, high) = self.analysis.overall_range();
        let (errors, warnings) = self.counts();
        serde_json::json!({
            "estimated": true,
            "minCoverage": self.min_coverage,
            "coverage": cov,
            "overall": self.analysis.overall_percent(),
            "overallRange": [low, high],
            "overallCoveredLines": covered,
            "overallUnknownLines": unknown,
            "overallTotalLines": total,
            "findings": self.findings,
            "truncatedTests": self.truncated_tests(),
            "errors": errors,
            "warnings": warnings,
        })
    }
}

/// Runs every rule on `tree` (mdapi layout).
pub fn check_tree(tree: &Tree, opts: &CheckOptions) -> CheckReport {
    let mut analysis = crate::apex::estimate::analyze(tree);
    if opts.measure {
        crate::apex::runtime::measure::apply(tree, &mut analysis);
    }
    let mut findings = Vec::new();
    rules::apex(&analysis, opts, &mut findings);
    rules::permissions(tree, &mut findings);
    rules::callout_hosts(tree, &analysis, &mut findings);
    if let Some(px) = &opts.package_xml {
        rules::package_xml_sync(tree, px, &mut findings);
    }
    rules::api_versions(tree, opts.package_xml.as_deref(), &mut findings);
    rules::oauth_secrets(tree, &mut findings);
    rules::names(tree, &opts.generated, &mut findings);
    rules::metadata_xml(tree, opts.package_xml.as_deref(), &mut findings);
    rules::apex_size(tree, &mut findings);
    findings.sort_by(|a, b| {
        (a.severity, a.rule, &a.component, &a.file, a.line).cmp(&(b.severity, b.rule, &b.component, &b.file, b.line))
    });
    findings.dedup();
    CheckReport { analysis, findings, min_coverage: opts.min_coverage, strict: opts.strict }
}

#[cfg(test)]
mod tests;
