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
use crate::metadata::{registry, Component, ComponentKey, Tree};
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
}

/// Compares `desired` with `org`.
pub fn diff_trees(desired: &Tree, org: &Tree, opts: &DiffOptions) -> DiffReport {
    // Pairs that are not byte-identical need the canonical comparison; do those in parallel.
    let mut pending: Vec<(&Component, &Component)> = Vec::new();
    let mut verdicts: BTreeMap<ComponentKey, (Status, Option<String>)> = BTreeMap::new();
    for d in desired.iter() {
        match org.get(&d.key) {
            None => {
                verdicts.insert(d.key.clone(), (Status::Added, None));
            }
            Some(o) if o.files == d.files => {
                verdicts.insert(d.key.clone(), (Status::Unchanged, None));
            }
            Some(o) => pending.push((d, o)),
        }
    }
    for (key, diff) in compare_all(&pending, opts) {
        let status = if diff.is_some() { Status::Changed } else { Status::Unchanged };
        verdicts.insert(key, (status, diff));
    }
    if opts.prune {
        let managed: BTreeSet<&str> = desired.components.keys().map(|k| k.type_name.as_str()).collect();
        for o in org.iter() {
            if managed.contains(o.key.type_name.as_str()) && desired.get(&o.key).is_none() {
                verdicts.insert(o.key.clone(), (Status::Removed, None));
            }
        }
        for (d, o) in &pending {
            for key in removed_children(d, o) {
                verdicts.entry(key).or_insert((Status::Removed, None));
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
    report
}

/// Compares every pair on up to `opts.threads` threads; returns each key with its diff text
/// (`None` when the pair is the same after canonicalisation).
fn compare_all(pending: &[(&Component, &Component)], opts: &DiffOptions) -> Vec<(ComponentKey, Option<String>)> {
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        n => n,
    }
    .min(pending.len().max(1));
    if threads <= 1 || pending.len() < 2 {
        return pending.iter().map(|(d, o)| (d.key.clone(), compare_component(d, o, opts.canon))).collect();
    }
    // Interleave so big components spread over the workers.
    let mut out: Vec<(ComponentKey, Option<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    pending
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .map(|(d, o)| (d.key.clone(), compare_component(d, o, opts.canon)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
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

/// A unified diff with headers `org/<path>` and `sfgen/<path>` (3 lines of context).
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_secs(5))
        .diff_lines(old, new);
    let mut u = diff.unified_diff();
    u.context_radius(3).header(&format!("org/{path}"), &format!("sfgen/{path}"));
    u.to_string()
}

/// Children of a decomposed parent (CustomObject fields, list views, ...) that the org's copy
/// has and the desired copy lacks, as their own component keys (`CustomField:Obj.Field`).
fn removed_children(desired: &Component, org: &Component) -> Vec<ComponentKey> {
    let Some(ty) = registry::by_name(&desired.key.type_name) else {
        return Vec::new();
    };
    if ty.children.is_empty() {
        return Vec::new();
    }
    let names = |c: &Component| -> BTreeSet<(&'static str, String)> {
        let mut set = BTreeSet::new();
        for f in &c.files {
            child_names(&f.bytes, ty.children, &mut set);
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

/// Adds the `(child type, fullName)` of every child element of the document's root that
/// `children` names; a streaming scan (no tree), as this runs on every changed parent.
fn child_names(bytes: &[u8], children: &'static [registry::ChildType], set: &mut BTreeSet<(&'static str, String)>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut depth = 0usize;
    let mut current: Option<&'static registry::ChildType> = None;
    let mut in_full_name = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                depth += 1;
                let local = e.local_name();
                let name: &str = local.as_ref();
                if depth == 2 {
                    current = children.iter().find(|c| c.element == name);
                } else if depth == 3 && current.is_some() && name == "fullName" {
                    in_full_name = true;
                }
            }
            Ok(Event::End(_)) => {
                if depth == 2 {
                    current = None;
                }
                in_full_name = false;
                depth = depth.saturating_sub(1);
            }
            Ok(Event::Text(t)) if in_full_name => {
                if let Some(c) = current {
                    set.insert((c.name, t.xml10_content().trim().to_string()));
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
