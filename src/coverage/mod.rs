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
//! # Reachability: a range, not a number
//! Every `@IsTest`/`testMethod` method is walked in order, after the class's `@TestSetup`
//! methods, with static state reset per test. Each line the walk reaches is marked with how sure
//! the walk is that a real run reaches it ([`walk`]'s levels): *certain*; *likely* (a loop body
//! over a collection of unknown size, the code after an early exit on an unknown value, the one
//! package implementation of an interface, a class a custom metadata record names); *either* (an
//! arm of a branch on a value the walk cannot evaluate, one of several implementations or
//! overloads); *rare* (a `catch` when nothing is seen to throw, triggers fired by DML on records
//! of unknown type, code beyond a walk's limits, async work never followed by
//! `Test.stopTest()`). A line's level is the best any walk reached it at. Certain lines are
//! *covered*, never-reached lines *not covered*, the rest *unknown*: the range is
//! `[covered, covered + unknown] / lines`, and the point estimate counts likely lines as covered
//! and either-lines as half. Branch arms are walked from the same state and merged afterwards
//! (a value they disagree on becomes unknown), so the upper bound holds whatever the arms do.
//!
//! The walker follows static calls, instance calls on values of a known class (dispatching to
//! the runtime class: an override wins), calls on values known only by static type (every
//! package implementation, under a doubt), overloads chosen by argument types, constructors,
//! property `get`/`set` bodies, `static { }` blocks, triggers fired by DML (`insert` ...
//! statements and `Database.*`) on their object for each event they declare, with the records
//! the test built (`new Account(Name = 'x')`, lists of them) as `Trigger.new`; platform events
//! (`EventBus.publish`, delivered at `Test.stopTest()` / `Test.getEventBus().deliver()`, with
//! publish callbacks); async work run at `Test.stopTest()` (Queueables and their Finalizers,
//! `@future`, `Database.executeBatch` start/execute/finish, `System.schedule`); the `respond`
//! of the `Test.setMock` mock at `Http.send` (on the instance the test built, so the fields its
//! constructor set are known; an exception it throws reaches the caller of `Http.send`, as in
//! Apex); platform callbacks (`List.sort` with a
//! `Comparator`, `compareTo` of `Comparable` elements, `Cache.CacheBuilder.doLoad` on a cache
//! `get`, an `Iterable` in a `for` loop, `Type.forName(...).newInstance()`).
//!
//! # Conditions
//! Evaluated three-valued (true/false/unknown) from literals, `null`, static fields (their
//! initialiser, or what the test assigned), fields of objects created in the test, parameters
//! bound to known arguments, collections of known size (`new List<X>{ a, b }`, `isEmpty()`,
//! `size()`, `contains` of literals), SObject records with known fields (a custom field of the
//! package with no default value is null until set), `Trigger.*` context,
//! `Test.isRunningTest()`, `String.isBlank` & co. on known strings and
//! `HttpResponse.getStatusCode()` (the status the test's mock was built with). A counted
//! `for (init; condition; update)` loop is walked iteration by iteration while its condition
//! stays known (`i++`, `i += n` on known numbers), up to 8 iterations, then as any loop; a list
//! or set of known elements stays known through `List.add`/`addAll` (of a known collection),
//! `Set.add` (which returns whether the element was new, when the set is empty or holds only
//! literals) and `list[i]`, up to 64 elements. Collections are tracked as values: a change
//! through a second reference to the same list (`b = a; b.add(x)`) is not seen on `a`. The right
//! side of `&&`/`||` after a left side the walk cannot tell may not run: what it changes is
//! merged with the state it would leave alone, as the arms of a branch are. A call the walk does
//! not enter (its limits) may have added to any collection: those in static and instance fields
//! keep only their type. Inside a test's
//! `try { call(); Assert.fail(...); } catch ...` the test proves the call throws, so when the
//! walk cannot show a throw by itself, the *last* unknown `if` whose body throws that the call
//! passes is taken for sure (the walk is run once dry to find it).
//!
//! # Where the estimate is knowingly off
//! - A `catch` reached after a certain throw is the first one, whatever the exception type.
//! - Not modelled, so their lines stay unknown or not covered: flows and process builders,
//!   field values of queried records, `Type.forName` on names only the org's data holds; a walk
//!   cut by its limits (call depth 40, 20 000 steps per test, 6 walks of one method per test,
//!   2 000 steps per test once 3 million were spent) marks what it could not enter as rare
//!   ([`TestMethod::truncated`], reported).
//!
//! Calls without side effects are memoised by callee, arguments and the state they read, so
//! the work stays bounded on large packages.

mod model;
pub mod report;
mod walk;

use crate::metadata::{ComponentKey, Tree};
use std::collections::{BTreeMap, HashMap};

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

/// Most characters of one class or trigger body the platform accepts: "Limit: 1 million
/// characters" (Object Reference, ApexClass `Body`; ApexTrigger likewise; Apex Developer Guide,
/// "Execution Governors and Limits", static Apex limits). A larger file is not Apex the platform
/// takes: it is a finding (`apex-size`), never parsed.
pub const MAX_APEX_CHARS: usize = 1_000_000;

/// Most characters of Apex the estimator parses in one run: well over an org's Apex code limit
/// (6 000 000 characters by default, tests and comments excepted), so a real project is always
/// estimated whole; past it the remaining classes are not estimated (a warning, `apex-size`), so
/// a package built to amplify cannot make `check` take minutes and gigabytes.
pub const MAX_TOTAL_APEX_CHARS: usize = 16_000_000;

/// A body file the estimator does not parse, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `ApexClass:Name` or `ApexTrigger:Name`.
    pub key: ComponentKey,
    /// The body file's mdapi path.
    pub file: String,
    /// Its length in characters.
    pub chars: usize,
    /// `true` when over [`MAX_APEX_CHARS`] (the platform refuses it); `false` when over the
    /// total bound [`MAX_TOTAL_APEX_CHARS`].
    pub too_large: bool,
}

/// The Apex sources of a tree: every `ApexClass` and `ApexTrigger` body file, within
/// [`MAX_APEX_CHARS`] each and [`MAX_TOTAL_APEX_CHARS`] in all (see [`bounded_sources`]).
pub fn sources(tree: &Tree) -> Vec<Source> {
    bounded_sources(tree).0
}

/// The Apex sources of a tree, and the body files left out: those over [`MAX_APEX_CHARS`], and
/// those past [`MAX_TOTAL_APEX_CHARS`] (in key order). Lengths are counted without decoding more
/// than the bound of any file.
pub fn bounded_sources(tree: &Tree) -> (Vec<Source>, Vec<Skipped>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut total = 0usize;
    for c in tree.iter() {
        let suffix = match c.key.type_name.as_str() {
            "ApexClass" => ".cls",
            "ApexTrigger" => ".trigger",
            _ => continue,
        };
        for f in &c.files {
            if !f.path.ends_with(suffix) {
                continue;
            }
            // Characters, as the platform counts them (a byte count would overstate non-ASCII
            // text); UTF-8 continuation bytes are not characters.
            let chars = f.bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count();
            let skip = |too_large| Skipped { key: c.key.clone(), file: f.path.clone(), chars, too_large };
            if chars > MAX_APEX_CHARS {
                skipped.push(skip(true));
                continue;
            }
            if total + chars > MAX_TOTAL_APEX_CHARS {
                skipped.push(skip(false));
                continue;
            }
            total += chars;
            out.push(Source {
                key: c.key.clone(),
                file: f.path.clone(),
                text: String::from_utf8_lossy(&f.bytes).into_owned(),
            });
        }
    }
    (out, skipped)
}

/// Estimates the coverage of every class and trigger in `tree` and collects the facts the
/// test-quality checks need.
pub fn analyze(tree: &Tree) -> Analysis {
    let facts = PackageFacts { cmdt: custom_metadata_values(tree), no_default: fields_without_default(tree) };
    analyze_facts(&sources(tree), &facts)
}

/// What the walk uses from the package besides Apex.
#[derive(Debug, Clone, Default)]
pub struct PackageFacts {
    /// Text values of custom metadata records ([`custom_metadata_values`]).
    pub cmdt: Vec<String>,
    /// `Object.Field` of custom fields with no default value ([`fields_without_default`]).
    pub no_default: Vec<String>,
}

/// `Object__c.Field__c` of the package's custom fields that a new record holds as null until
/// set: no `<defaultValue>`, not a formula, roll-up, auto-number or checkbox.
pub fn fields_without_default(tree: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for c in tree.iter().filter(|c| c.key.type_name == "CustomObject") {
        for f in &c.files {
            let Ok(root) = crate::sf::xml::parse(&f.bytes) else { continue };
            for fd in root.elements().filter(|e| e.name == "fields") {
                let ty = fd.find("type").map(|t| t.text_content().trim().to_string()).unwrap_or_default();
                let calculated =
                    fd.find("formula").is_some() || matches!(ty.as_str(), "Summary" | "AutoNumber" | "Checkbox");
                if fd.find("defaultValue").is_none() && !calculated && !ty.is_empty() {
                    if let Some(name) = fd.find("fullName") {
                        out.push(format!("{}.{}", c.key.full_name, name.text_content().trim()));
                    }
                }
            }
        }
    }
    out
}

/// [`analyze`] on explicit sources.
pub fn analyze_sources(sources: &[Source]) -> Analysis {
    analyze_with(sources, &[])
}

/// The text values of the package's custom metadata records (`customMetadata/*.md`).
pub fn custom_metadata_values(tree: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for c in tree.iter().filter(|c| c.key.type_name == "CustomMetadata") {
        for f in &c.files {
            let Ok(root) = crate::sf::xml::parse(&f.bytes) else { continue };
            for v in root.elements().filter(|e| e.name == "values") {
                if let Some(x) = v.find("value") {
                    out.push(x.text_content().trim().to_string());
                }
            }
        }
    }
    out
}

/// [`analyze`] on explicit sources and custom metadata values.
pub fn analyze_with(sources: &[Source], cmdt: &[String]) -> Analysis {
    analyze_facts(sources, &PackageFacts { cmdt: cmdt.to_vec(), no_default: Vec::new() })
}

/// [`analyze`] on explicit sources and package facts.
pub fn analyze_facts(sources: &[Source], facts: &PackageFacts) -> Analysis {
    // The walk recurses over syntax nesting (capped at model::MAX_NESTING) times call depth:
    // give it a stack of its own so the caller's (a 2 MiB test thread) does not matter.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("sfgen-coverage".into())
            .stack_size(256 << 20)
            .spawn_scoped(scope, || analyze_inline(sources, facts))
            .ok()
            .and_then(|h| h.join().ok())
    })
    .unwrap_or_else(|| analyze_inline(sources, facts))
}

fn analyze_inline(sources: &[Source], facts: &PackageFacts) -> Analysis {
    let parsed = model::parse_all(sources);
    let mut index = model::Index::build(&parsed);
    index.cmdt_strings = facts.cmdt.iter().map(|s| s.to_ascii_lowercase()).collect();
    index.no_default = facts.no_default.iter().map(|s| s.to_ascii_lowercase()).collect();
    let mut result = walk::run(&index);
    let mut units = Vec::new();
    for (i, u) in index.units.iter().enumerate() {
        if u.is_test || u.exec.is_empty() {
            continue;
        }
        let reached = result.lines.get(&i).unwrap_or(&EMPTY);
        let (mut covered, mut unknown, mut uncovered) = (Vec::new(), Vec::new(), Vec::new());
        let mut point = 0.0f64;
        for &l in &u.exec {
            match reached.get(&l).copied() {
                Some(walk::CERTAIN) => {
                    covered.push(l);
                    point += 1.0;
                }
                Some(level) => {
                    unknown.push(l);
                    point += match level {
                        walk::LIKELY => 1.0,
                        walk::EITHER => 0.5,
                        _ => 0.0,
                    };
                }
                None => uncovered.push(l),
            }
        }
        let total = u.exec.len();
        units.push(UnitCoverage {
            type_name: u.type_name.clone(),
            name: u.name.clone(),
            file: u.file.clone(),
            covered_lines: covered.len(),
            unknown_lines: unknown.len(),
            total_lines: total,
            percent: (point * 10000.0 / total as f64).round() / 100.0,
            low: percent(covered.len(), total),
            high: percent(covered.len() + unknown.len(), total),
            covered,
            uncovered,
            unknown,
            point_lines: point,
            measured: false,
        });
    }
    units.sort_by(|a, b| (&a.type_name, &a.name).cmp(&(&b.type_name, &b.name)));
    let mut triggers: Vec<TriggerInfo> = index
        .units
        .iter()
        .filter(|u| u.type_name == "ApexTrigger")
        .map(|u| {
            let level = result.fired.get(&u.name.to_ascii_lowercase()).copied();
            TriggerInfo {
                name: u.name.clone(),
                file: u.file.clone(),
                object: u.trigger_object.clone().unwrap_or_default(),
                fired: level.is_some_and(|l| l <= walk::LIKELY),
                reachable: level.is_some(),
            }
        })
        .collect();
    triggers.sort_by(|a, b| a.name.cmp(&b.name));
    result.tests.sort_by_cached_key(|t| (t.class.clone(), t.method.to_ascii_lowercase()));
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

static EMPTY: std::sync::LazyLock<HashMap<usize, u8>> = std::sync::LazyLock::new(HashMap::new);

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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod bound_tests {
    use super::*;
    use crate::metadata::{Component, MetadataFile};

    /// Finding 8 of issue 12: what the estimator parses is bounded per file and in total.
    #[test]
    fn finding_08_sources_are_bounded_per_file_and_in_total() {
        let mut tree = Tree::new();
        let body = |n: usize| {
            let head = "public class C {}";
            format!("{head}{}", " ".repeat(n - head.len())).into_bytes()
        };
        tree.insert(Component::new(
            ComponentKey::new("ApexClass", "AHuge"),
            vec![MetadataFile::new("classes/AHuge.cls", body(MAX_APEX_CHARS + 1))],
        ));
        // Multi-byte characters count once: 1 000 000 'é' (2 000 000 bytes) is within the bound.
        tree.insert(Component::new(
            ComponentKey::new("ApexClass", "BAccents"),
            vec![MetadataFile::new("classes/BAccents.cls", "é".repeat(MAX_APEX_CHARS).into_bytes())],
        ));
        for i in 0..16 {
            tree.insert(Component::new(
                ComponentKey::new("ApexClass", format!("C{i:02}")),
                vec![MetadataFile::new(format!("classes/C{i:02}.cls"), body(MAX_APEX_CHARS))],
            ));
        }
        let (kept, skipped) = bounded_sources(&tree);
        let names = |v: Vec<&ComponentKey>| v.into_iter().map(|k| k.full_name.clone()).collect::<Vec<_>>();
        assert_eq!(names(skipped.iter().filter(|s| s.too_large).map(|s| &s.key).collect()), ["AHuge"]);
        let total: usize = kept.iter().map(|s| s.text.chars().count()).sum();
        assert!(total <= MAX_TOTAL_APEX_CHARS, "{total}");
        assert_eq!(kept.len(), 16, "BAccents and 15 of the 16 others fit");
        assert_eq!(names(skipped.iter().filter(|s| !s.too_large).map(|s| &s.key).collect()), ["C15"]);
    }
}
