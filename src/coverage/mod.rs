//! Static Apex line-coverage **estimate**, computed offline from the package's own tests.
//!
//! Why: a production deploy fails when coverage is under 75 % overall, when a trigger has 0 %,
//! or (RunSpecifiedTests) when one deployed class or trigger is under 75 %. Teams learn this
//! minutes into a deploy; this module tells them in a second, without an org. It is an
//! estimate, not a test run: it reads the Apex with a real grammar (tree-sitter-sfapex),
//! counts executable lines the way Salesforce does, and walks every test method symbolically
//! to see which of those lines the tests reach.
//!
//! # Executable lines (what the denominator counts)
//! Lines holding part of a statement: expression statements, declarations *with* an
//! initialiser (locals and fields), `return`, `throw`, `break`, `continue`, `this(...)`/
//! `super(...)`, and the *condition/header* of `if`, `for`, `while`, `do`, `switch on`.
//! Not counted: braces, `else`, `try`/`finally`/`catch (...)` lines, comments, signatures,
//! declarations without initialiser, `System.debug(...)` statements, test classes (`@IsTest`).
//! A statement spread over several lines counts every line holding one of its tokens other
//! than punctuation (`(`, `)`, `{`, `}`, `;`, `,`, `.`); a line holding only `);` does not count.
//! Inner classes count towards their top-level class.
//!
//! # Reachability (what the numerator counts)
//! Every `@IsTest`/`testMethod` method is walked in order, after the class's `@TestSetup`
//! methods, with static state reset per test. The walker follows static calls
//! (`Class.m(...)`, `m(...)`), instance calls on variables/fields whose declared type (or
//! known value) is a class of the package, dispatching to the runtime class (an override in
//! a subclass wins, as in trigger-handler frameworks), constructors (`new X(...)`,
//! `this(...)`, `super(...)`), `static { }` blocks, Queueables passed to `System.enqueueJob`
//! and `@future` methods (run when the test calls `Test.stopTest()`), the `respond` method of
//! the mock given to `Test.setMock` when code reaches `Http.send` (on the instance the test
//! built, so the fields its constructor set are known; an exception it throws reaches the
//! caller of `Http.send`, as in Apex), and triggers fired by DML
//! (`insert`/`update`/`delete`/`undelete`/`upsert` statements and `Database.insert/update/...`)
//! on their object, told by the static type of the DML target (variable, `new X(...)`, or a
//! method's declared return type), for each event the trigger declares. Inside a trigger and
//! every class it calls, `Trigger.isInsert`, `Trigger.isBefore`, `Trigger.operationType`
//! (also in `switch on`), `Trigger.new`/`old` (null where the platform passes null) are
//! known; outside a trigger the flags are false.
//!
//! # Branches
//! Conditions are evaluated three-valued (true/false/unknown) from literals, `null`, static
//! fields (their initialiser, or what the test assigned before the call, e.g. a
//! `@TestVisible` Boolean), fields of objects created in the test (literal initialisers and
//! what constructors and methods assigned), parameters bound to literal arguments,
//! `Trigger.*` context,
//! `Test.isRunningTest()`, `String.isBlank/isNotBlank/isEmpty/isNotEmpty` of a literal or
//! null, and `HttpResponse.getStatusCode()`, which answers the integer literal the test's
//! mock was constructed with (`Test.setMock(..., new Mock(500))`). A branch (`if`/`else`,
//! `switch` arm, ternary arm) whose condition is unknown is **not entered** (pessimistic),
//! except: inside a test's `try { call(); Assert.fail(...); } catch ...` the test proves the
//! call throws, so when the walk cannot show a throw by itself, the *last* unknown `if`
//! whose body throws that the call passes is entered (the walk is run once dry to find it).
//!
//! # Where the estimate is knowingly off
//! - Optimistic: a loop body reached counts as executed once unless the collection is
//!   provably `null` or the loop condition provably false at entry; instance field
//!   initialisers count as covered when any member of the class runs; a caught exception
//!   enters the first `catch` regardless of its type; overloads are chosen by arity only;
//!   the expected-exception rule may pick the wrong throwing branch when a call passes
//!   several.
//! - Pessimistic: branches on values the walker cannot evaluate (SOQL results, collection
//!   contents, custom settings, arithmetic beyond `+`/`-`, most method results) are not
//!   entered; calls on values of unknown type (interfaces without a known implementation,
//!   `Type.forName`, dispatch through collections) are not followed; DML on `List<SObject>`
//!   fires no trigger; `upsert` fires insert events only; async work queued without a later
//!   `Test.stopTest()` is not run; Batch Apex, Schedulables, platform events, flows and
//!   process builders are not modelled; a walk cut by its limits (call depth 40, 20 000
//!   steps per test, 6 walks of one method per test, 2 000 steps per test once 3 million
//!   were spent) counts nothing beyond the cut ([`TestMethod::truncated`], reported).
//!
//! Calls without side effects are memoised by callee, arguments and the state they read, so
//! the work stays bounded on large packages.

mod model;
mod walk;

use crate::metadata::{ComponentKey, Tree};
use std::collections::{BTreeMap, BTreeSet};

/// Coverage of one Apex class or trigger.
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
    /// Executable lines the tests are estimated to reach.
    pub covered_lines: usize,
    /// Executable lines.
    pub total_lines: usize,
    /// `covered / total * 100`, rounded to two decimals (100 when there are no lines).
    pub percent: f64,
    /// Executable lines not reached, 1-based.
    pub uncovered: Vec<usize>,
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
    /// Whether the walk hit a limit (call depth 40, 20 000 steps per test, 6 walks of one
    /// method per test): what it reaches beyond is not counted (pessimistic).
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
    /// Whether a test's DML fired it.
    pub fired: bool,
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
    /// Covered and total executable lines over all units.
    pub fn totals(&self) -> (usize, usize) {
        self.units.iter().fold((0, 0), |(c, t), u| (c + u.covered_lines, t + u.total_lines))
    }

    /// Overall estimated percent (100 when there is no Apex).
    pub fn overall_percent(&self) -> f64 {
        let (c, t) = self.totals();
        percent(c, t)
    }
}

/// `covered / total * 100` rounded to two decimals; 100 for an empty unit.
pub fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        return 100.0;
    }
    ((covered as f64) * 10000.0 / (total as f64)).round() / 100.0
}

/// One Apex source handed to the estimator.
#[derive(Debug, Clone)]
pub struct Source {
    /// `ApexClass:Name` or `ApexTrigger:Name`.
    pub key: ComponentKey,
    /// The body file's mdapi path.
    pub file: String,
    /// The Apex text.
    pub text: String,
}

/// The Apex sources of a tree: every `ApexClass` and `ApexTrigger` body file.
pub fn sources(tree: &Tree) -> Vec<Source> {
    let mut out = Vec::new();
    for c in tree.iter() {
        let suffix = match c.key.type_name.as_str() {
            "ApexClass" => ".cls",
            "ApexTrigger" => ".trigger",
            _ => continue,
        };
        for f in &c.files {
            if f.path.ends_with(suffix) {
                out.push(Source {
                    key: c.key.clone(),
                    file: f.path.clone(),
                    text: String::from_utf8_lossy(&f.bytes).into_owned(),
                });
            }
        }
    }
    out
}

/// Estimates the coverage of every class and trigger in `tree` and collects the facts the
/// test-quality checks need.
pub fn analyze(tree: &Tree) -> Analysis {
    analyze_sources(&sources(tree))
}

/// [`analyze`] on explicit sources.
pub fn analyze_sources(sources: &[Source]) -> Analysis {
    // The walk recurses over syntax nesting (capped at model::MAX_NESTING) times call depth:
    // give it a stack of its own so the caller's (a 2 MiB test thread) does not matter.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("sfgen-coverage".into())
            .stack_size(256 << 20)
            .spawn_scoped(scope, || analyze_inline(sources))
            .ok()
            .and_then(|h| h.join().ok())
    })
    .unwrap_or_else(|| analyze_inline(sources))
}

fn analyze_inline(sources: &[Source]) -> Analysis {
    let parsed = model::parse_all(sources);
    let index = model::Index::build(&parsed);
    let mut result = walk::run(&index);
    let mut units = Vec::new();
    for (i, u) in index.units.iter().enumerate() {
        if u.is_test || u.exec.is_empty() {
            continue;
        }
        let covered: &BTreeSet<usize> = result.covered.get(&i).unwrap_or(&EMPTY);
        let cov: BTreeSet<usize> = u.exec.intersection(covered).copied().collect();
        let uncovered: Vec<usize> = u.exec.difference(&cov).copied().collect();
        units.push(UnitCoverage {
            type_name: u.type_name.clone(),
            name: u.name.clone(),
            file: u.file.clone(),
            covered_lines: cov.len(),
            total_lines: u.exec.len(),
            percent: percent(cov.len(), u.exec.len()),
            uncovered,
        });
    }
    units.sort_by(|a, b| (&a.type_name, &a.name).cmp(&(&b.type_name, &b.name)));
    let mut triggers: Vec<TriggerInfo> = index
        .units
        .iter()
        .filter(|u| u.type_name == "ApexTrigger")
        .map(|u| TriggerInfo {
            name: u.name.clone(),
            file: u.file.clone(),
            object: u.trigger_object.clone().unwrap_or_default(),
            fired: result.fired.contains(&u.name.to_ascii_lowercase()),
        })
        .collect();
    triggers.sort_by(|a, b| a.name.cmp(&b.name));
    result.tests.sort_by(|a, b| (&a.class, &a.method).cmp(&(&b.class, &b.method)));
    Analysis {
        units,
        tests: result.tests,
        triggers,
        endpoints: index.endpoints(),
        untested_mocks: index.untested_mocks(),
        parse_errors: parsed
            .iter()
            .filter_map(|p| p.error_line.map(|l| (p.file.clone(), l, p.error_reason.clone())))
            .collect(),
    }
}

static EMPTY: BTreeSet<usize> = BTreeSet::new();

/// Per-unit coverage as a `sf apex run test --code-coverage`-like table, labelled as an estimate.
pub fn render_table(analysis: &Analysis) -> String {
    let mut out = String::from("Apex code coverage (estimated, static analysis; not a test run)\n");
    if analysis.units.is_empty() {
        out.push_str("  no Apex classes or triggers with executable lines\n");
        return out;
    }
    let width = analysis.units.iter().map(|u| u.name.len()).max().unwrap_or(4).max(4);
    out.push_str(&format!("  {:<12} {:<width$} {:>8} {:>7}  Uncovered lines\n", "Type", "Name", "Percent", "Lines"));
    for u in &analysis.units {
        let lines = format!("{}/{}", u.covered_lines, u.total_lines);
        let unc: Vec<String> = u.uncovered.iter().map(usize::to_string).collect();
        out.push_str(&format!(
            "  {:<12} {:<width$} {:>7}% {:>7}  {}\n",
            u.type_name,
            u.name,
            fmt_pct(u.percent),
            lines,
            unc.join(",")
        ));
    }
    let (c, t) = analysis.totals();
    out.push_str(&format!("  Overall (estimated): {}% ({c}/{t} lines)\n", fmt_pct(analysis.overall_percent())));
    out
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

#[cfg(test)]
mod tests;
