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
//!   ([`crate::apex::coverage::TestMethod::truncated`], reported).
//!
//! Calls without side effects are memoised by callee, arguments and the state they read, so
//! the work stays bounded on large packages.

mod model;
mod walk;

use crate::apex::coverage::{percent, Analysis, TriggerInfo, UnitCoverage};
use crate::apex::source::{sources, Source};
use crate::metadata::Tree;
use std::collections::HashMap;

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

#[cfg(test)]
mod tests;
