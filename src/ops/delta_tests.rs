//! The tests a delta's validation runs (`result.tests` of `sfgen delta`): the test classes of
//! the project at `--to` that reach a changed Apex class or trigger, as `RunSpecifiedTests`, or
//! `RunLocalTests` with the reason when that cannot be sure.
//!
//! Reaching is read from the Apex source without running it, over every class and trigger of
//! the package directories: a class reaches the classes it names (a call, a `new`, a type, a
//! static reference: each is a possible call, so the set errs on the side of more tests), the
//! triggers of the objects it names when it holds DML (`insert`, `update`, `upsert`, `delete`,
//! `undelete`, `merge`, `Database.*`), and, when it calls `Type.forName`, the classes whose
//! names it holds in string literals; reaching is transitive. A test class reaches itself (a
//! changed test runs). `RunLocalTests` (every local test) is chosen, with the reason, when a
//! changed class or trigger is reached by no test (the validation would fail on coverage with
//! the named ones, or run none), or when the delta changes what the tests of other Apex may
//! depend on beyond calls (validation rules, flows, workflow rules, required fields).

use super::delta_git::Delta;
use crate::error::Result;
use crate::git::{Repo, Snapshot};
use crate::read::ignore::ForceIgnore;
use std::collections::{BTreeMap, BTreeSet};

/// The test plan of a delta.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// Whether the delta deploys or deletes Apex.
    pub has_apex: bool,
    /// The test classes to run (`RunSpecifiedTests`); empty with `has_apex`: `RunLocalTests`.
    pub classes: Vec<String>,
    /// Why `RunLocalTests` (when it is).
    pub reason: Option<String>,
    /// Per changed class or trigger (`ApexClass:Name`), the tests that reach it.
    pub reached: BTreeMap<String, Vec<String>>,
    /// Warnings.
    pub warnings: Vec<String>,
}

impl Plan {
    /// `result.tests`.
    pub fn json(&self) -> serde_json::Value {
        let level = match (self.has_apex, self.classes.is_empty()) {
            (false, _) => None,
            (true, true) => Some("RunLocalTests"),
            (true, false) => Some("RunSpecifiedTests"),
        };
        serde_json::json!({
            "testLevel": level,
            "classes": self.classes,
            "reason": self.reason,
            "reachedBy": self.reached,
        })
    }
}

/// One Apex file, read.
#[derive(Debug, Default)]
struct Unit {
    is_test: bool,
    is_trigger: bool,
    /// The object a trigger is on.
    object: String,
    /// Identifiers named (lower case).
    names: BTreeSet<String>,
    /// String literals (lower case).
    strings: BTreeSet<String>,
    has_dml: bool,
    has_for_name: bool,
}

/// Identifiers and string literals of Apex source (comments skipped), lower case.
fn lex(source: &str, keep: &dyn Fn(&str) -> bool) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut names, mut strings) = (BTreeSet::new(), BTreeSet::new());
    let b = source.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if c == b'\'' {
            let start = i + 1;
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            if let Some(s) = source.get(start..i.min(b.len())) {
                let s = s.to_ascii_lowercase();
                if keep(&s) {
                    strings.insert(s);
                }
            }
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let name = source[start..i].to_ascii_lowercase();
            if keep(&name) {
                names.insert(name);
            }
        } else {
            i += 1;
        }
    }
    (names, strings)
}

/// Reads one class or trigger, keeping the names `keep` says may matter (class names, objects
/// with triggers: what the reach follows), so memory follows the graph, not the source.
fn read_unit(source: &str, is_trigger: bool, keep: &dyn Fn(&str) -> bool) -> Unit {
    let keep = |n: &str| {
        keep(n) || matches!(n, "insert" | "update" | "upsert" | "delete" | "undelete" | "merge" | "forname" | "on")
    };
    let (names, strings) = lex(source, &keep);
    let has_dml = ["insert", "update", "upsert", "delete", "undelete", "merge"].iter().any(|k| names.contains(*k));
    let has_for_name = names.contains("forname");
    let object = if is_trigger {
        // trigger Name on Object (events) { ... }
        let lower = source.to_ascii_lowercase();
        lower
            .split_whitespace()
            .skip_while(|w| *w != "on")
            .nth(1)
            .map(|w| w.split('(').next().unwrap_or(w).to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    Unit {
        is_test: !is_trigger && crate::sf::apex::is_test_class(source.as_bytes()),
        is_trigger,
        object,
        names,
        strings,
        has_dml,
        has_for_name,
    }
}

/// The plan without reading the project's Apex (no `--plan-tests`): every local test when the
/// delta holds Apex.
pub fn unplanned(delta: &Delta) -> Plan {
    let apex = |m: &super::delta_git::Members| m.contains_key("ApexClass") || m.contains_key("ApexTrigger");
    Plan { has_apex: apex(&delta.package) || apex(&delta.destructive), ..Plan::default() }
}

/// Types whose change can make tests of unchanged Apex fail (what they validate is data).
const BEHAVIOUR_TYPES: &[&str] = &["ValidationRule", "Flow", "WorkflowRule", "WorkflowFieldUpdate", "DuplicateRule"];

/// The test plan of `delta` over the Apex of the project at `to`.
pub fn plan(repo: &Repo, to: &Snapshot<'_>, roots: &[String], ignore: &ForceIgnore, delta: &Delta) -> Result<Plan> {
    let apex = |m: &super::delta_git::Members| -> Vec<(String, String)> {
        ["ApexClass", "ApexTrigger"]
            .iter()
            .flat_map(|t| m.get(*t).into_iter().flatten().map(move |n| (t.to_string(), n.clone())))
            .collect()
    };
    let deployed = apex(&delta.package);
    let deleted = apex(&delta.destructive);
    let mut plan = Plan { has_apex: !deployed.is_empty() || !deleted.is_empty(), ..Plan::default() };
    if !plan.has_apex {
        return Ok(plan);
    }
    let deleted_classes: BTreeMap<String, String> =
        deleted.iter().filter(|(t, _)| t == "ApexClass").map(|(_, n)| (n.to_ascii_lowercase(), n.clone())).collect();
    // Every class and trigger of the package directories at `to`, read on every core.
    let mut found: Vec<(String, bool, gix::ObjectId)> = Vec::new();
    for root in roots {
        for path in to.files_under(root)? {
            let (is_class, is_trigger) = (path.ends_with(".cls"), path.ends_with(".trigger"));
            if !(is_class || is_trigger) || ignore.denies(&path, false) {
                continue;
            }
            if let Some(id) = to.file_id(&path)? {
                found.push((crate::sf::paths::base_name(&path).to_string(), is_trigger, id));
            }
        }
    }
    // Triggers first (the objects they are on matter), then classes, each read and reduced to
    // the names that matter on every core, without holding the sources.
    let class_names: BTreeSet<String> = found.iter().filter(|f| !f.1).map(|f| f.0.to_ascii_lowercase()).collect();
    let trigger_ids: Vec<gix::ObjectId> = found.iter().filter(|f| f.1).map(|f| f.2).collect();
    let trigger_units = repo.map_blobs(&trigger_ids, |bytes| {
        read_unit(&String::from_utf8_lossy(bytes), true, &|n: &str| class_names.contains(n))
    })?;
    let objects: BTreeSet<String> = trigger_units.iter().map(|u| u.object.clone()).collect();
    let class_ids: Vec<gix::ObjectId> = found.iter().filter(|f| !f.1).map(|f| f.2).collect();
    let class_units = repo.map_blobs(&class_ids, |bytes| {
        read_unit(&String::from_utf8_lossy(bytes), false, &|n: &str| {
            class_names.contains(n) || objects.contains(n) || deleted_classes.contains_key(n)
        })
    })?;
    let mut units: BTreeMap<String, Unit> = BTreeMap::new();
    let mut names_of_tests: BTreeMap<String, String> = BTreeMap::new();
    let (triggers, classes): (Vec<_>, Vec<_>) = found.into_iter().partition(|f| f.1);
    for ((written, is_trigger, _), unit) in
        triggers.into_iter().zip(trigger_units).chain(classes.into_iter().zip(class_units))
    {
        let key = format!("{}:{}", if is_trigger { "t" } else { "c" }, written.to_ascii_lowercase());
        names_of_tests.insert(key.clone(), written);
        units.insert(key, unit);
    }
    // A class deleted while code at --to still names it: the Metadata API refuses the deletion
    // (the class is still referenced), so the deploy fails.
    for (lower, name) in &deleted_classes {
        let users: Vec<&str> = units
            .iter()
            .filter(|(_, u)| u.names.contains(lower))
            .filter_map(|(k, _)| names_of_tests.get(k).map(String::as_str))
            .collect();
        if !users.is_empty() {
            plan.warnings.push(format!(
                "ApexClass {name} is deleted, but {} still name{} it: the deletion fails while code references the class; change or delete {} in the same delta",
                users.join(", "),
                if users.len() == 1 { "s" } else { "" },
                if users.len() == 1 { "it" } else { "them" },
            ));
        }
    }
    if deployed.is_empty() {
        plan.reason =
            Some("the delta only deletes Apex: no changed class to name tests for, so every local test runs".into());
        return Ok(plan);
    }
    let classes: BTreeSet<String> = units.keys().filter_map(|k| k.strip_prefix("c:")).map(str::to_string).collect();
    let triggers_on: BTreeMap<String, Vec<String>> =
        units.iter().filter(|(_, u)| u.is_trigger).fold(BTreeMap::new(), |mut m, (k, u)| {
            m.entry(u.object.clone()).or_default().push(k.clone());
            m
        });
    let edges = |u: &Unit| -> Vec<String> {
        let mut out: Vec<String> = u.names.iter().filter(|n| classes.contains(*n)).map(|n| format!("c:{n}")).collect();
        if u.has_dml {
            for (object, ts) in &triggers_on {
                if u.names.contains(object) {
                    out.extend(ts.iter().cloned());
                }
            }
        }
        if u.has_for_name {
            out.extend(u.strings.iter().filter(|s| classes.contains(*s)).map(|s| format!("c:{s}")));
        }
        out
    };
    // What each test class reaches.
    let mut reached_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let display: BTreeMap<String, String> = deployed
        .iter()
        .map(|(t, n)| (format!("{}:{}", if t == "ApexTrigger" { "t" } else { "c" }, n.to_ascii_lowercase()), n.clone()))
        .collect();
    for key in units.iter().filter(|(_, u)| u.is_test).map(|(k, _)| k) {
        let mut seen: BTreeSet<String> = BTreeSet::from([key.clone()]);
        let mut stack = vec![key.clone()];
        while let Some(k) = stack.pop() {
            if let Some(u) = units.get(&k) {
                for e in edges(u) {
                    if seen.insert(e.clone()) {
                        stack.push(e);
                    }
                }
            }
        }
        let test_name = names_of_tests.get(key).cloned().unwrap_or_else(|| key[2..].to_string());
        for k in seen.iter().filter(|k| display.contains_key(*k)) {
            reached_by.entry(k.clone()).or_default().insert(test_name.clone());
        }
    }
    let mut unreached = Vec::new();
    let mut tests: BTreeSet<String> = BTreeSet::new();
    for (key, name) in &display {
        let label = format!("{}:{name}", if key.starts_with("t:") { "ApexTrigger" } else { "ApexClass" });
        let by: Vec<String> = reached_by.get(key).map(|s| s.iter().cloned().collect()).unwrap_or_default();
        if by.is_empty() {
            unreached.push(label.clone());
        }
        tests.extend(by.iter().cloned());
        plan.reached.insert(label, by);
    }
    let behaviour: Vec<String> = BEHAVIOUR_TYPES
        .iter()
        .filter_map(|t| delta.package.get(*t).or(delta.destructive.get(*t)).map(|m| format!("{t} ({})", m.len())))
        .collect();
    if !unreached.is_empty() {
        let shown = if unreached.len() > 10 {
            format!("{} and {} more", unreached[..10].join(", "), unreached.len() - 10)
        } else {
            unreached.join(", ")
        };
        plan.reason = Some(format!(
            "no test class reaches {shown} (through calls, triggers fired by DML or Type.forName), so every local test runs"
        ));
    } else if !behaviour.is_empty() {
        plan.reason = Some(format!(
            "the delta also changes {}, which the tests of other Apex may depend on, so every local test runs",
            behaviour.join(", ")
        ));
    } else {
        plan.classes = tests.into_iter().collect();
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexing_skips_comments_and_keeps_strings() {
        let (names, strings) = lex("// Foo\nclass A { /* Bar */ B b = new B(); String s = 'Baz\\'x'; }", &|_| true);
        assert!(names.contains("a") && names.contains("b") && !names.contains("foo") && !names.contains("bar"));
        assert!(strings.contains("baz\\'x"), "{strings:?}");
    }

    #[test]
    fn a_trigger_names_its_object() {
        let u = read_unit("trigger AccountTrigger on Account (before insert) { }", true, &|_| true);
        assert_eq!(u.object, "account");
        let u = read_unit("trigger T on Contact(after update) {}", true, &|_| true);
        assert_eq!(u.object, "contact");
    }
}
