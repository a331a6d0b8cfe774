//! The comparison engine of `sfgen diff`: what sfgen would deploy (the *desired* tree) against
//! what an org holds (a retrieve, loaded as a tree), component by component.
//!
//! Every desired component is `added` (the org lacks it), `changed` or `unchanged`; with
//! `prune`, org components of the types the desired state manages that it does not hold are
//! `removed`, and so are the children of decomposed parents (a CustomObject's fields, list
//! views, ...) that the org has and the desired parent lacks, because deploying the parent
//! would not delete them. Files are compared through their canonical forms ([`crate::canon`]),
//! after a byte comparison that settles the common case (most components are identical)
//! without parsing anything. The report is plain data in a deterministic order (component
//! key order); rendering it is the command's business.

use crate::canon::{self, Options};
use crate::error::Result;
use crate::metadata::{Component, ComponentKey, Raw, Tree};
use crate::sf::registry::{registry, MdType, Transformer};
use std::collections::{BTreeMap, BTreeSet};

/// What happens to a component if the desired state is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Desired, and the org does not have it.
    Added,
    /// Desired, and the org's copy differs.
    Changed,
    /// Desired, and the org's copy is the same.
    Unchanged,
    /// In the org, of a managed type, and not desired (only with prune).
    Removed,
}

impl Status {
    /// The lower-case name (`added`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
            Status::Removed => "removed",
        }
    }
}

/// One component's comparison.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ComponentDiff {
    /// Type and full name.
    #[serde(flatten)]
    pub key: ComponentKey,
    /// The verdict.
    pub status: Status,
    /// For `changed`: the unified diff (org → sfgen) of the canonical forms of every file that
    /// differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Components the org lacks.
    pub added: usize,
    /// Components that differ.
    pub changed: usize,
    /// Components that are the same.
    pub unchanged: usize,
    /// Org components the desired state no longer holds (prune only).
    pub removed: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DiffReport {
    /// Every compared component, in key order.
    pub components: Vec<ComponentDiff>,
    /// Counts per status.
    pub summary: Summary,
}

impl DiffReport {
    /// Whether deploying the desired state would change anything.
    pub fn has_differences(&self) -> bool {
        let s = &self.summary;
        s.added + s.changed + s.removed > 0
    }

    /// Components with the given status.
    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &ComponentDiff> {
        self.components.iter().filter(move |c| c.status == status)
    }

    /// The deployable part of the desired tree: its added and changed components.
    pub fn delta_tree(&self, desired: &Tree) -> Tree {
        let mut tree = Tree::new();
        for c in &self.components {
            if matches!(c.status, Status::Added | Status::Changed) {
                if let Some(comp) = desired.get(&c.key) {
                    tree.insert(comp.clone());
                }
            }
        }
        tree
    }

    /// The keys of the added and changed components (what a delta deploys).
    pub fn delta_keys(&self) -> impl Iterator<Item = &ComponentKey> {
        self.components.iter().filter(|c| matches!(c.status, Status::Added | Status::Changed)).map(|c| &c.key)
    }

    /// The removed components grouped by type (for `destructiveChanges.xml`).
    pub fn removed_by_type(&self) -> BTreeMap<String, Vec<String>> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in self.with_status(Status::Removed) {
            map.entry(c.key.type_name.clone()).or_default().push(c.key.full_name.clone());
        }
        map
    }
}

/// How to compare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Report org components of the managed types that the desired state lacks.
    pub prune: bool,
    /// Canonicalisation options (Apex comments).
    pub canon: Options,
    /// Worker threads for the components that need canonicalising (0 = available cores).
    pub threads: usize,
    /// Decide only whether components differ, without rendering textual diffs (`--format stat`
    /// shows counts: no unified diff is computed at all).
    pub skip_text: bool,
}

/// One side of a comparison: components by key, read on demand.
pub trait Side: Sync {
    /// Every component key, sorted.
    fn keys(&self) -> Vec<ComponentKey>;
    /// Whether the side holds `key`.
    fn has(&self, key: &ComponentKey) -> bool;
    /// Reads the component `key`.
    fn load(&self, key: &ComponentKey) -> Result<Option<Component>>;
    /// The component's files as read, before any check or recomposition, when the side can
    /// tell them (see [`crate::read::compose::Unit::raw`]): two equal raw forms are the same
    /// component, so nothing is parsed.
    fn raw(&self, _key: &ComponentKey) -> Result<Option<Raw>> {
        Ok(None)
    }
}

impl Side for Tree {
    fn keys(&self) -> Vec<ComponentKey> {
        self.components.keys().cloned().collect()
    }

    fn has(&self, key: &ComponentKey) -> bool {
        self.components.contains_key(key)
    }

    fn load(&self, key: &ComponentKey) -> Result<Option<Component>> {
        Ok(self.get(key).cloned())
    }

    fn raw(&self, key: &ComponentKey) -> Result<Option<Raw>> {
        Ok(self.get(key).map(Raw::of_component))
    }
}

/// Compares `desired` with `org` (both in memory).
pub fn diff_trees(desired: &Tree, org: &Tree, opts: &DiffOptions) -> DiffReport {
    diff_sides(desired, org, opts).unwrap_or_default()
}

/// Components compared at a time: memory follows a chunk of components, not the trees.
const CHUNK: usize = 512;

/// Compares `desired` with `org`, walking both key by key on every core: each pair is read,
/// compared by bytes first and through canonical forms only where the bytes differ, and dropped.
pub fn diff_sides(desired: &dyn Side, org: &dyn Side, opts: &DiffOptions) -> Result<DiffReport> {
    use rayon::prelude::*;
    let desired_keys = desired.keys();
    let pool = match opts.threads {
        0 => None,
        n => rayon::ThreadPoolBuilder::new().num_threads(n).build().ok(),
    };
    let compare_one = |key: &ComponentKey| -> Result<(Status, Option<String>, Vec<ComponentKey>)> {
        if !org.has(key) {
            return Ok((Status::Added, None, Vec::new()));
        }
        // Bytes first: the same files on both sides are the same component, read once and
        // never parsed (a project diffed against a copy of itself parses nothing).
        if let (Some(a), Some(b)) = (desired.raw(key)?, org.raw(key)?) {
            if a == b {
                return Ok((Status::Unchanged, None, Vec::new()));
            }
        }
        let (Some(d), Some(o)) = (desired.load(key)?, org.load(key)?) else {
            return Ok((Status::Added, None, Vec::new()));
        };
        if d.files == o.files {
            return Ok((Status::Unchanged, None, Vec::new()));
        }
        let (changed, diff) = if opts.skip_text {
            (component_differs(&d, &o, opts.canon), None)
        } else {
            let diff = compare_component(&d, &o, opts.canon);
            (diff.is_some(), diff)
        };
        let removed = if opts.prune { removed_children(&d, &o) } else { Vec::new() };
        Ok((if changed { Status::Changed } else { Status::Unchanged }, diff, removed))
    };
    let mut verdicts: BTreeMap<ComponentKey, (Status, Option<String>)> = BTreeMap::new();
    for chunk in desired_keys.chunks(CHUNK) {
        let run = || chunk.par_iter().map(&compare_one).collect::<Result<Vec<_>>>();
        let results = match &pool {
            Some(p) => p.install(run)?,
            None => run()?,
        };
        for (key, (status, diff, removed)) in chunk.iter().zip(results) {
            verdicts.insert(key.clone(), (status, diff));
            for r in removed {
                verdicts.entry(r).or_insert((Status::Removed, None));
            }
        }
    }
    // What only the org holds is read too (and so checked: a hostile retrieve is refused whole),
    // then reported as removed when its type is one the desired state manages.
    let managed: BTreeSet<&str> = desired_keys.iter().map(|k| k.type_name.as_str()).collect();
    let org_only: Vec<ComponentKey> = org.keys().into_iter().filter(|k| !desired.has(k)).collect();
    for chunk in org_only.chunks(CHUNK) {
        let run = || chunk.par_iter().try_for_each(|k| org.load(k).map(drop));
        match &pool {
            Some(p) => p.install(run)?,
            None => run()?,
        }
    }
    if opts.prune {
        for k in org_only {
            if managed.contains(k.type_name.as_str()) {
                verdicts.insert(k, (Status::Removed, None));
            }
        }
    }
    let mut report = DiffReport::default();
    for (key, (status, diff)) in verdicts {
        match status {
            Status::Added => report.summary.added += 1,
            Status::Changed => report.summary.changed += 1,
            Status::Unchanged => report.summary.unchanged += 1,
            Status::Removed => report.summary.removed += 1,
        }
        report.components.push(ComponentDiff { key, status, diff });
    }
    Ok(report)
}

/// The unified diff (org → sfgen) of every file of the component that differs after
/// canonicalisation, or `None` when none does.
pub fn compare_component(desired: &Component, org: &Component, opts: Options) -> Option<String> {
    let paths: BTreeSet<&str> = desired.files.iter().chain(org.files.iter()).map(|f| f.path.as_str()).collect();
    let mut out = String::new();
    for path in paths {
        let d = desired.files.iter().find(|f| f.path == path);
        let o = org.files.iter().find(|f| f.path == path);
        let (old, new) = match (o, d) {
            (Some(o), Some(d)) => {
                if o.bytes == d.bytes {
                    continue;
                }
                let (old, new) = canon::canonical_pair(path, &o.bytes, &d.bytes, opts);
                if old == new {
                    continue;
                }
                (old, new)
            }
            (Some(o), None) => (canon::canonical(path, &o.bytes, opts), String::new()),
            (None, Some(d)) => (String::new(), canon::canonical(path, &d.bytes, opts)),
            (None, None) => continue,
        };
        out.push_str(&unified(path, &old, &new));
    }
    (!out.is_empty()).then_some(out)
}

/// Whether any file of the two components differs after canonicalisation (what
/// [`compare_component`] decides, without rendering a diff).
pub fn component_differs(desired: &Component, org: &Component, opts: Options) -> bool {
    let paths: BTreeSet<&str> = desired.files.iter().chain(org.files.iter()).map(|f| f.path.as_str()).collect();
    paths.into_iter().any(|path| {
        let d = desired.files.iter().find(|f| f.path == path);
        let o = org.files.iter().find(|f| f.path == path);
        match (o, d) {
            (Some(o), Some(d)) => !canon::same(path, &o.bytes, &d.bytes, opts),
            _ => true,
        }
    })
}

/// How long [`unified`] may search for a minimal diff of one file before it settles for a
/// coarser (still correct) one.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_secs(2);

/// A unified diff with headers `org/<path>` and `sfgen/<path>` (3 lines of context). Bounded:
/// the common prefix and suffix are trimmed (by `similar`), and the search for a minimal diff
/// stops at [`DIFF_DEADLINE`], after which the rest is shown as one coarse hunk.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .deadline(std::time::Instant::now() + DIFF_DEADLINE)
        .diff_lines(old, new);
    let mut u = diff.unified_diff();
    u.context_radius(3).header(&format!("org/{path}"), &format!("sfgen/{path}"));
    u.to_string()
}

/// Children of a decomposed parent (CustomObject fields, list views, ...) that the org's copy
/// has and the desired copy lacks, as their own component keys (`CustomField:Obj.Field`).
fn removed_children(desired: &Component, org: &Component) -> Vec<ComponentKey> {
    let reg = registry();
    let Some(ty) = reg.by_name(&desired.key.type_name) else {
        return Vec::new();
    };
    if ty.transformer != Transformer::Decomposed {
        return Vec::new();
    }
    let names = |c: &Component| -> BTreeSet<(String, String)> {
        let mut set = BTreeSet::new();
        for f in &c.files {
            child_names(&f.bytes, ty, &mut set);
        }
        set
    };
    let want = names(desired);
    names(org)
        .into_iter()
        .filter(|k| !want.contains(k))
        .map(|(t, n)| ComponentKey::new(t, format!("{}.{n}", desired.key.full_name)))
        .collect()
}

/// Adds the `(child type, name)` of every child element of the document's root that is one of
/// `parent`'s addressable child types; a streaming scan (no tree), as this runs on every changed
/// parent.
fn child_names(bytes: &[u8], parent: &MdType, set: &mut BTreeSet<(String, String)>) {
    use quick_xml::events::Event;
    let reg = registry();
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut depth = 0usize;
    let mut current: Option<&MdType> = None;
    let mut in_name = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                depth += 1;
                let local = e.local_name();
                let name: &str = local.as_ref();
                if depth == 2 {
                    current = reg.child_by_element(parent, name).filter(|c| c.is_addressable);
                } else if depth == 3 {
                    if let Some(c) = current {
                        in_name = name == c.unique_id_element.as_deref().unwrap_or("fullName");
                    }
                }
            }
            Ok(Event::End(_)) => {
                if depth == 2 {
                    current = None;
                }
                in_name = false;
                depth = depth.saturating_sub(1);
            }
            Ok(Event::Text(t)) if in_name => {
                if let Some(c) = current {
                    set.insert((c.name.clone(), t.xml10_content().trim().to_string()));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::MetadataFile;

    fn comp(ty: &str, name: &str, files: &[(&str, &str)]) -> Component {
        Component::new(
            ComponentKey::new(ty, name),
            files.iter().map(|(p, b)| MetadataFile::new(*p, b.as_bytes().to_vec())).collect(),
        )
    }

    fn tree(comps: Vec<Component>) -> Tree {
        let mut t = Tree::new();
        for c in comps {
            t.insert(c);
        }
        t
    }

    const META: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n";

    fn class(name: &str, body: &str) -> Component {
        let p = format!("classes/{name}.cls");
        let m = format!("{p}-meta.xml");
        comp("ApexClass", name, &[(&p, body), (&m, META)])
    }

    #[test]
    fn statuses_and_order() {
        let desired = tree(vec![class("A", "class A {}\n"), class("B", "class B {}\n"), class("C", "class C { }\n")]);
        let org = tree(vec![
            class("B", "class B {}\r\n"),
            class("C", "class C {}\n"),
            class("Z", "class Z {}\n"),
            comp("RemoteSiteSetting", "R", &[("remoteSiteSettings/R.remoteSite", "<RemoteSiteSetting/>")]),
        ]);
        for threads in [1, 2] {
            let r = diff_trees(&desired, &org, &DiffOptions { prune: true, threads, ..DiffOptions::default() });
            let got: Vec<(String, Status)> = r.components.iter().map(|c| (c.key.to_string(), c.status)).collect();
            assert_eq!(
                got,
                vec![
                    ("ApexClass:A".into(), Status::Added),
                    ("ApexClass:B".into(), Status::Unchanged),
                    ("ApexClass:C".into(), Status::Changed),
                    ("ApexClass:Z".into(), Status::Removed),
                ]
            );
            assert_eq!(r.summary, Summary { added: 1, changed: 1, unchanged: 1, removed: 1 });
            let d = r.components[2].diff.as_deref().unwrap_or_default();
            assert!(d.starts_with("--- org/classes/C.cls\n+++ sfgen/classes/C.cls\n"), "{d}");
            assert!(d.contains("-class C {}\n+class C { }\n"), "{d}");
        }
        let r = diff_trees(&desired, &org, &DiffOptions::default());
        assert_eq!(r.summary.removed, 0);
        assert!(r.has_differences());
        let delta = r.delta_tree(&desired);
        assert_eq!(
            delta.components.keys().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["ApexClass:A", "ApexClass:C"]
        );
    }

    /// Finding 9 of issue 12: `stat` computed a textual diff of every changed file; with
    /// `skip_text` the verdicts are the same and no diff text is made.
    #[test]
    fn skip_text_gives_the_same_verdicts_without_diffs() {
        let desired = tree(vec![class("A", "class A {}\n"), class("B", "class B {}\n"), class("C", "class C { }\n")]);
        let org = tree(vec![class("B", "class B {}\r\n"), class("C", "class C {}\n"), class("Z", "class Z {}\n")]);
        let full = diff_trees(&desired, &org, &DiffOptions { prune: true, ..DiffOptions::default() });
        let stat = diff_trees(&desired, &org, &DiffOptions { prune: true, skip_text: true, ..DiffOptions::default() });
        assert_eq!(full.summary, stat.summary);
        let verdicts = |r: &DiffReport| r.components.iter().map(|c| (c.key.clone(), c.status)).collect::<Vec<_>>();
        assert_eq!(verdicts(&full), verdicts(&stat));
        assert!(full.components.iter().any(|c| c.diff.is_some()));
        assert!(stat.components.iter().all(|c| c.diff.is_none()));
    }

    #[test]
    fn identical_trees_have_no_differences() {
        let t = tree(vec![class("A", "class A {}\n")]);
        let r = diff_trees(&t, &t, &DiffOptions { prune: true, ..DiffOptions::default() });
        assert!(!r.has_differences());
        assert_eq!(r.summary.unchanged, 1);
    }

    #[test]
    fn removed_children_of_decomposed_parents() {
        let d = comp(
            "CustomObject",
            "O__c",
            &[(
                "objects/O__c.object",
                "<CustomObject><fields><fullName>A__c</fullName></fields><label>O</label></CustomObject>",
            )],
        );
        let o = comp("CustomObject", "O__c", &[("objects/O__c.object", "<CustomObject><fields><fullName>A__c</fullName></fields><fields><fullName>B__c</fullName></fields><label>O</label></CustomObject>")]);
        let r = diff_trees(&tree(vec![d]), &tree(vec![o]), &DiffOptions { prune: true, ..DiffOptions::default() });
        let got: Vec<(String, Status)> = r.components.iter().map(|c| (c.key.to_string(), c.status)).collect();
        assert_eq!(
            got,
            vec![("CustomField:O__c.B__c".into(), Status::Removed), ("CustomObject:O__c".into(), Status::Changed)]
        );
        assert_eq!(r.removed_by_type().get("CustomField"), Some(&vec!["O__c.B__c".to_string()]));
    }

    #[test]
    fn missing_file_in_org_is_a_change() {
        let d = class("A", "class A {}\n");
        let o = comp("ApexClass", "A", &[("classes/A.cls", "class A {}\n")]);
        let r = diff_trees(&tree(vec![d]), &tree(vec![o]), &DiffOptions::default());
        assert_eq!(r.summary.changed, 1);
        assert!(r.components[0].diff.as_deref().unwrap_or_default().contains("+++ sfgen/classes/A.cls-meta.xml"));
    }
}
