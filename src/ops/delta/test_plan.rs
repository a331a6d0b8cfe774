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

use super::model::{skip_comment, Delta, Members};
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

/// A hasher for short byte strings (FxHash's multiply-rotate): the scan looks up every
/// identifier of every class, where SipHash's cost shows.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
}

type FxBuild = std::hash::BuildHasherDefault<Fx>;

/// No entry.
const NONE: u32 = u32::MAX;

/// What a name (lower case) is to the reach.
#[derive(Debug, Clone, Copy)]
struct Sym {
    /// The class of that name (its unit).
    class: u32,
    /// The object of that name (an index into the objects with triggers).
    object: u32,
    /// The deleted class of that name.
    deleted: u32,
    /// 1: a DML word, 2: `forName`.
    word: u8,
}

impl Default for Sym {
    fn default() -> Self {
        Self { class: NONE, object: NONE, deleted: NONE, word: 0 }
    }
}

/// The names the scan looks for.
#[derive(Default)]
struct Names(std::collections::HashMap<Box<[u8]>, Sym, FxBuild>);

impl Names {
    fn entry(&mut self, name: &str) -> &mut Sym {
        self.0.entry(name.to_ascii_lowercase().into_bytes().into_boxed_slice()).or_default()
    }
    fn get(&self, lower: &[u8]) -> Option<&Sym> {
        self.0.get(lower)
    }
}

/// One Apex file, reduced to what the reach follows.
#[derive(Debug, Default)]
struct Unit {
    is_test: bool,
    /// The classes it names (their units), sorted.
    classes: Vec<u32>,
    /// The classes string literals name (followed when it calls `Type.forName`).
    strings: Vec<u32>,
    /// The objects with triggers it names.
    objects: Vec<u32>,
    /// The deleted classes it names.
    deleted: Vec<u32>,
    has_dml: bool,
    has_for_name: bool,
    /// For a trigger: `trigger Name on Object`, its object (lower case).
    object: Option<String>,
}

/// The longest name looked up (Apex names are at most 40 characters, 80 with a namespace and a
/// suffix); longer words are no class or object.
const MAX_NAME: usize = 96;

/// Scans Apex source once, without allocating per word: each identifier and string literal
/// (comments skipped) is lower-cased into a buffer and looked up in `names`.
fn scan(source: &[u8], names: &Names, is_trigger: bool) -> Unit {
    let mut u = Unit::default();
    let mut buf = [0u8; MAX_NAME];
    // The first words of a trigger: `trigger Name on Object`.
    let mut header: Vec<String> = Vec::new();
    let lower = |bytes: &[u8], buf: &mut [u8; MAX_NAME]| -> Option<usize> {
        if bytes.len() > MAX_NAME {
            return None;
        }
        for (d, s) in buf.iter_mut().zip(bytes) {
            *d = s.to_ascii_lowercase();
        }
        Some(bytes.len())
    };
    let b = source;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(after) = skip_comment(b, i) {
            i = after;
        } else if c == b'\'' {
            let start = i + 1;
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            let end = i.min(b.len());
            if let Some(n) = lower(&b[start.min(end)..end], &mut buf) {
                if let Some(sym) = names.get(&buf[..n]) {
                    if sym.class != NONE {
                        u.strings.push(sym.class);
                    }
                }
            }
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let Some(n) = lower(&b[start..i], &mut buf) else { continue };
            if is_trigger && header.len() < 4 {
                header.push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
            if let Some(sym) = names.get(&buf[..n]) {
                if sym.class != NONE {
                    u.classes.push(sym.class);
                }
                if sym.object != NONE {
                    u.objects.push(sym.object);
                }
                if sym.deleted != NONE {
                    u.deleted.push(sym.deleted);
                }
                match sym.word {
                    1 => u.has_dml = true,
                    2 => u.has_for_name = true,
                    _ => {}
                }
            }
        } else {
            i += 1;
        }
    }
    for v in [&mut u.classes, &mut u.strings, &mut u.objects, &mut u.deleted] {
        v.sort_unstable();
        v.dedup();
    }
    if is_trigger && header.len() == 4 && header[0] == "trigger" && header[2] == "on" {
        u.object = header.pop();
    }
    u.is_test = !is_trigger && crate::sf::apex::is_test_class(source);
    u
}

/// The plan without reading the project's Apex (no `--plan-tests`): every local test when the
/// delta holds Apex.
pub fn unplanned(delta: &Delta) -> Plan {
    let apex = |m: &Members| m.contains_key("ApexClass") || m.contains_key("ApexTrigger");
    Plan { has_apex: apex(&delta.package) || apex(&delta.destructive), ..Plan::default() }
}

/// Types whose change can make tests of unchanged Apex fail (what they validate is data).
const BEHAVIOUR_TYPES: &[&str] = &["ValidationRule", "Flow", "WorkflowRule", "WorkflowFieldUpdate", "DuplicateRule"];

/// The test plan of `delta` over the Apex of the project at `to`.
pub fn plan(repo: &Repo, to: &Snapshot<'_>, roots: &[String], ignore: &ForceIgnore, delta: &Delta) -> Result<Plan> {
    let apex = |m: &Members| -> Vec<(String, String)> {
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
    // Every class and trigger of the package directories at `to`.
    let mut triggers: Vec<(String, gix::ObjectId)> = Vec::new();
    let mut classes: Vec<(String, gix::ObjectId)> = Vec::new();
    for root in roots {
        for path in to.files_under(root)? {
            let (is_class, is_trigger) = (path.ends_with(".cls"), path.ends_with(".trigger"));
            if !(is_class || is_trigger) || ignore.denies(&path, false) {
                continue;
            }
            if let Some(id) = to.file_id(&path)? {
                let name = crate::sf::paths::base_name(&path).to_string();
                if is_trigger {
                    triggers.push((name, id));
                } else {
                    classes.push((name, id));
                }
            }
        }
    }
    // Units: the triggers first, then the classes.
    let nt = triggers.len();
    let mut names = Names::default();
    for (i, (n, _)) in classes.iter().enumerate() {
        names.entry(n).class = (nt + i) as u32;
    }
    let deleted_classes: Vec<&String> = deleted.iter().filter(|(t, _)| t == "ApexClass").map(|(_, n)| n).collect();
    for (i, n) in deleted_classes.iter().enumerate() {
        names.entry(n).deleted = i as u32;
    }
    for w in ["insert", "update", "upsert", "delete", "undelete", "merge"] {
        names.entry(w).word = 1;
    }
    names.entry("forname").word = 2;
    // The triggers are read first for the objects they are on (what DML reaches), then every
    // trigger and class is scanned with those objects known, on every core (a trigger is read
    // twice: triggers are few).
    let trigger_ids: Vec<gix::ObjectId> = triggers.iter().map(|t| t.1).collect();
    let heads = repo.map_blobs(&trigger_ids, |bytes| scan(bytes, &Names::default(), true).object)?;
    let mut objects: BTreeMap<String, u32> = BTreeMap::new();
    let mut triggers_on: Vec<Vec<u32>> = Vec::new();
    for (i, object) in heads.iter().enumerate() {
        let Some(object) = object else { continue };
        let next = objects.len() as u32;
        let o = *objects.entry(object.clone()).or_insert(next);
        if o as usize == triggers_on.len() {
            triggers_on.push(Vec::new());
        }
        triggers_on[o as usize].push(i as u32);
    }
    for (name, o) in &objects {
        names.entry(name).object = *o;
    }
    let mut units = repo.map_blobs(&trigger_ids, |bytes| scan(bytes, &names, true))?;
    let class_ids: Vec<gix::ObjectId> = classes.iter().map(|t| t.1).collect();
    units.extend(repo.map_blobs(&class_ids, |bytes| scan(bytes, &names, false))?);
    let name_of = |u: usize| -> &str {
        if u < nt {
            &triggers[u].0
        } else {
            &classes[u - nt].0
        }
    };
    // A class deleted while code at --to still names it: the Metadata API refuses the deletion
    // (the class is still referenced), so the deploy fails.
    for (d, name) in deleted_classes.iter().enumerate() {
        let users: Vec<&str> =
            (0..units.len()).filter(|&u| units[u].deleted.contains(&(d as u32))).map(name_of).collect();
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
    // The edges: a unit reaches the classes it names, the triggers of the objects it names when
    // it holds DML, and the classes its strings name when it calls Type.forName.
    let edges = |u: &Unit| -> Vec<u32> {
        let mut out = u.classes.clone();
        if u.has_dml {
            for o in &u.objects {
                out.extend(triggers_on.get(*o as usize).into_iter().flatten());
            }
        }
        if u.has_for_name {
            out.extend(&u.strings);
        }
        out
    };
    let mut callers: Vec<Vec<u32>> = vec![Vec::new(); units.len()];
    for (u, unit) in units.iter().enumerate() {
        for v in edges(unit) {
            if v as usize != u {
                callers[v as usize].push(u as u32);
            }
        }
    }
    // The changed units, and what reaches any of them (walking callers back from the change):
    // only those tests and paths are followed.
    let mut by_lower: BTreeMap<(bool, String), u32> = BTreeMap::new();
    for u in 0..units.len() {
        by_lower.insert((u < nt, name_of(u).to_ascii_lowercase()), u as u32);
    }
    let mut changed: BTreeMap<u32, String> = BTreeMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for (t, n) in &deployed {
        let is_trigger = t == "ApexTrigger";
        let label = format!("{t}:{n}");
        match by_lower.get(&(is_trigger, n.to_ascii_lowercase())) {
            Some(u) => {
                changed.insert(*u, label);
            }
            None => unknown.push(label),
        }
    }
    let mut relevant = vec![false; units.len()];
    let mut stack: Vec<u32> = changed.keys().copied().collect();
    for u in &stack {
        relevant[*u as usize] = true;
    }
    while let Some(u) = stack.pop() {
        for c in &callers[u as usize] {
            if !relevant[*c as usize] {
                relevant[*c as usize] = true;
                stack.push(*c);
            }
        }
    }
    // Each test among them, walked forward within them: the changed units it reaches.
    let mut reached_by: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    let mut seen = vec![u32::MAX; units.len()];
    for t in (0..units.len()).filter(|&u| relevant[u] && units[u].is_test) {
        let mut stack = vec![t as u32];
        seen[t] = t as u32;
        while let Some(u) = stack.pop() {
            if changed.contains_key(&u) {
                reached_by.entry(u).or_default().insert(name_of(t).to_string());
            }
            for v in edges(&units[u as usize]) {
                if relevant[v as usize] && seen[v as usize] != t as u32 {
                    seen[v as usize] = t as u32;
                    stack.push(v);
                }
            }
        }
    }
    let mut unreached = Vec::new();
    let mut tests: BTreeSet<String> = BTreeSet::new();
    let mut labels: Vec<(String, Vec<String>)> = changed
        .iter()
        .map(|(u, label)| (label.clone(), reached_by.get(u).map(|s| s.iter().cloned().collect()).unwrap_or_default()))
        .collect();
    labels.extend(unknown.into_iter().map(|l| (l, Vec::new())));
    labels.sort();
    for (label, by) in labels {
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

    fn names(classes: &[&str]) -> Names {
        let mut n = Names::default();
        for (i, c) in classes.iter().enumerate() {
            n.entry(c).class = i as u32;
        }
        n.entry("insert").word = 1;
        n.entry("forname").word = 2;
        n
    }

    #[test]
    fn the_scan_skips_comments_and_reads_strings() {
        let n = names(&["Foo", "Bar", "B", "Baz"]);
        let u =
            scan(b"// Foo\nclass A { /* Bar */ b x = new B(); String s = 'BAZ'; String t = 'it\\'s Foo'; }", &n, false);
        assert_eq!(u.classes, vec![2], "only B is named outside comments and strings");
        assert_eq!(u.strings, vec![3], "'BAZ' names Baz; an escaped quote does not end the literal");
        assert!(!u.has_dml && !u.has_for_name && !u.is_test);
        let u = scan(b"@IsTest class T { void m() { insert new Foo(); Type.forName('bar'); } }", &n, false);
        assert!(u.is_test && u.has_dml && u.has_for_name);
        assert_eq!((u.classes, u.strings), (vec![0], vec![1]));
    }

    #[test]
    fn a_trigger_names_its_object() {
        let u = scan(b"trigger AccountTrigger on Account (before insert) { }", &Names::default(), true);
        assert_eq!(u.object.as_deref(), Some("account"));
        let u = scan(b"/* header */ trigger T on Contact(after update) {}", &Names::default(), true);
        assert_eq!(u.object.as_deref(), Some("contact"));
        let u = scan(b"public class NotATrigger {}", &Names::default(), true);
        assert_eq!(u.object, None);
    }

    #[test]
    fn words_longer_than_any_name_and_unterminated_text_do_not_panic() {
        let long = "x".repeat(500);
        let n = names(&["A"]);
        for src in [format!("class {long} {{ A a; }}"), "'unterminated".into(), "/* open".into(), "a'".into()] {
            let _ = scan(src.as_bytes(), &n, false);
        }
        assert_eq!(scan(format!("class {long} {{ A a; }}").as_bytes(), &n, false).classes, vec![0]);
    }
}
