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
use crate::sf::xml::{Element, Node};
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

    /// The deployable part of the desired tree: its added and changed components (see
    /// [`delta_components`]).
    pub fn delta_tree(&self, desired: &Tree) -> Tree {
        delta_components(self, |k| Ok(desired.get(k).cloned())).unwrap_or_default()
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
    type Verdict = (Status, Option<String>, Vec<ComponentKey>, Vec<(ComponentKey, Status, Option<String>)>);
    let compare_one = |key: &ComponentKey| -> Result<Verdict> {
        if !org.has(key) {
            return Ok((Status::Added, None, Vec::new(), Vec::new()));
        }
        // Bytes first: the same files on both sides are the same component, read once and
        // never parsed (a project diffed against a copy of itself parses nothing).
        if let (Some(a), Some(b)) = (desired.raw(key)?, org.raw(key)?) {
            if a == b {
                return Ok((Status::Unchanged, None, Vec::new(), Vec::new()));
            }
        }
        let (Some(d), Some(o)) = (desired.load(key)?, org.load(key)?) else {
            return Ok((Status::Added, None, Vec::new(), Vec::new()));
        };
        if d.files == o.files {
            return Ok((Status::Unchanged, None, Vec::new(), Vec::new()));
        }
        let removed = if opts.prune { removed_children(&d, &o) } else { Vec::new() };
        // A component whose children are components of their own (an object's fields, list
        // views, record types; custom labels; workflow rules) is compared child by child: a
        // changed field is `CustomField:Obj.Field` changed, and the parent is changed only when
        // its own elements are.
        if let Some((own_changed, own_diff, children, org_only)) = compare_children(&d, &o, opts) {
            let removed = if opts.prune { org_only } else { Vec::new() };
            return Ok((if own_changed { Status::Changed } else { Status::Unchanged }, own_diff, removed, children));
        }
        let (changed, diff) = if opts.skip_text {
            (component_differs(&d, &o, opts.canon), None)
        } else {
            let diff = compare_component(&d, &o, opts.canon);
            (diff.is_some(), diff)
        };
        Ok((if changed { Status::Changed } else { Status::Unchanged }, diff, removed, Vec::new()))
    };
    let mut verdicts: BTreeMap<ComponentKey, (Status, Option<String>)> = BTreeMap::new();
    for chunk in desired_keys.chunks(CHUNK) {
        let run = || chunk.par_iter().map(&compare_one).collect::<Result<Vec<_>>>();
        let results = match &pool {
            Some(p) => p.install(run)?,
            None => run()?,
        };
        for (key, (status, diff, removed, children)) in chunk.iter().zip(results) {
            verdicts.insert(key.clone(), (status, diff));
            for (k, st, diff) in children {
                verdicts.insert(k, (st, diff));
            }
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

/// Whether `child` is listed in package.xml on its own under `parent` (as
/// [`crate::sf::manifest::members_of`] lists it).
fn listable(parent: &MdType, child: &MdType) -> bool {
    child.is_addressable
        && (parent.transformer == Transformer::Decomposed
            || (child.unique_id_element.is_some() && child.xml_element_name.is_some()))
}

/// A component with children of its own, split: its root (attributes kept) holding only its own
/// elements, and each listable child as `(child type, member) -> element`. `None` when the
/// component is not one file of XML with such children.
type Split = (Element, BTreeMap<(String, String), Element>);

fn split_children(c: &Component) -> Option<(String, Split)> {
    let reg = registry();
    let ty = reg.by_name(&c.key.type_name)?;
    ty.children.as_ref()?;
    let [file] = c.files.as_slice() else { return None };
    let root = crate::sf::xml::parse(&file.bytes).ok()?;
    let mut own = Element { name: root.name.clone(), attributes: root.attributes.clone(), children: Vec::new() };
    let mut children = BTreeMap::new();
    for node in root.children {
        match &node {
            Node::Element(el) => match reg.child_by_element(ty, &el.name) {
                Some(ct) if listable(ty, ct) => {
                    let name = crate::sf::manifest::child_name(el, ct);
                    let member = if ct.ignore_parent_name { name } else { format!("{}.{name}", c.key.full_name) };
                    children.insert((ct.name.clone(), member), el.clone());
                }
                _ => own.children.push(node),
            },
            Node::Text(_) => own.children.push(node),
        }
    }
    (!children.is_empty() || reg.children_of(ty).any(|ct| listable(ty, ct)))
        .then(|| (file.path.clone(), (own, children)))
}

fn document(root: &Element, children: Vec<Node>) -> Vec<u8> {
    Element { name: root.name.clone(), attributes: root.attributes.clone(), children }.to_document().into_bytes()
}

/// The child-by-child comparison of two components with children of their own (see
/// [`split_children`]): whether the parent's own elements differ (and their diff), and a verdict
/// per added or changed child, and the children only the org holds.
#[allow(clippy::type_complexity)]
fn compare_children(
    desired: &Component,
    org: &Component,
    opts: &DiffOptions,
) -> Option<(bool, Option<String>, Vec<(ComponentKey, Status, Option<String>)>, Vec<ComponentKey>)> {
    let (path, (d_own, d_children)) = split_children(desired)?;
    let (org_path, (o_own, o_children)) = split_children(org)?;
    if path != org_path {
        return None;
    }
    let differ = |old: &[u8], new: &[u8]| -> (bool, Option<String>) {
        if opts.skip_text {
            return (!canon::same(&path, old, new, opts.canon), None);
        }
        let (a, b) = canon::canonical_pair(&path, old, new, opts.canon);
        if a == b {
            (false, None)
        } else {
            (true, Some(unified(&path, &a, &b)))
        }
    };
    let (own_changed, own_diff) =
        differ(&document(&o_own, o_own.children.clone()), &document(&d_own, d_own.children.clone()));
    // A child is judged in its parent's secrecy context: a field of a protected custom setting
    // is redacted as in the whole object (protected on either side: redacted on both).
    let protected = |own: &Element| {
        own.find("customSettingsType").is_some()
            && own.find("visibility").map(Element::text_content).as_deref() == Some("Protected")
    };
    let context: Vec<Node> = if protected(&d_own) || protected(&o_own) {
        vec![
            Node::Element(Element::text("customSettingsType", "Hierarchy")),
            Node::Element(Element::text("visibility", "Protected")),
        ]
    } else {
        Vec::new()
    };
    let with_context = |el: &Element| {
        let mut v = context.clone();
        v.push(Node::Element(el.clone()));
        v
    };
    let mut children = Vec::new();
    for ((t, member), el) in &d_children {
        let key = ComponentKey::new(t.clone(), member.clone());
        match o_children.get(&(t.clone(), member.clone())) {
            None => children.push((key, Status::Added, None)),
            Some(o_el) if o_el == el => {}
            Some(o_el) => {
                let (changed, diff) =
                    differ(&document(&o_own, with_context(o_el)), &document(&d_own, with_context(el)));
                if changed {
                    children.push((key, Status::Changed, diff));
                }
            }
        }
    }
    let org_only = o_children
        .keys()
        .filter(|k| !d_children.contains_key(*k))
        .map(|(t, m)| ComponentKey::new(t.clone(), m.clone()))
        .collect();
    Some((own_changed, own_diff, children, org_only))
}

/// What a delta deploys of `desired` for `report`: the added and changed components, and for a
/// changed child whose parent is otherwise unchanged, the parent's file holding only the changed
/// children (so package.xml lists `CustomField:Obj.Field`, not the object). `load` reads a
/// desired component.
pub fn delta_components(
    report: &DiffReport,
    load: impl Fn(&ComponentKey) -> Result<Option<Component>>,
) -> Result<Tree> {
    let reg = registry();
    let keys: BTreeSet<&ComponentKey> = report.delta_keys().collect();
    let mut tree = Tree::new();
    let mut by_parent: BTreeMap<ComponentKey, BTreeSet<(String, String)>> = BTreeMap::new();
    for key in &keys {
        let parent = reg.by_name(&key.type_name).filter(|t| t.is_child()).and_then(|t| {
            let pt = reg.parent_of(t)?;
            let name = if t.ignore_parent_name {
                pt.name.clone()
            } else {
                key.full_name.split_once('.').map(|(p, _)| p.to_string())?
            };
            Some(ComponentKey::new(pt.name.clone(), name))
        });
        match parent {
            Some(p) if keys.contains(&p) => {}
            Some(p) => {
                by_parent.entry(p).or_default().insert((key.type_name.clone(), key.full_name.clone()));
            }
            None => {
                if let Some(c) = load(key)? {
                    tree.insert(c);
                }
            }
        }
    }
    for (parent, keep) in by_parent {
        let Some(c) = load(&parent)? else { continue };
        let Some((path, (own, children))) = split_children(&c) else {
            tree.insert(c);
            continue;
        };
        let kept: Vec<Node> =
            children.into_iter().filter(|(k, _)| keep.contains(k)).map(|(_, el)| Node::Element(el)).collect();
        let root = Element { name: own.name.clone(), attributes: own.attributes.clone(), children: Vec::new() };
        tree.insert(Component::new(
            c.key.clone(),
            vec![crate::metadata::MetadataFile::new(path, document(&root, kept))],
        ));
    }
    Ok(tree)
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
        // The object's own elements are the same: only the field is a difference (issue 23).
        assert_eq!(
            got,
            vec![("CustomField:O__c.B__c".into(), Status::Removed), ("CustomObject:O__c".into(), Status::Unchanged)]
        );
        assert_eq!(r.removed_by_type().get("CustomField"), Some(&vec!["O__c.B__c".to_string()]));
    }

    const NS: &str = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";

    fn object(label: &str, fields: &[(&str, &str)]) -> Component {
        let fields: String = fields
            .iter()
            .map(|(n, l)| format!("<fields><fullName>{n}</fullName><label>{l}</label><type>Text</type></fields>"))
            .collect();
        comp(
            "CustomObject",
            "O__c",
            &[("objects/O__c.object", &format!("<CustomObject {NS}>{fields}<label>{label}</label></CustomObject>"))],
        )
    }

    #[test]
    fn a_changed_field_is_the_field_changed_and_the_delta_holds_only_it() {
        let d = object("O", &[("A__c", "A"), ("B__c", "B relabelled"), ("C__c", "C")]);
        let o = object("O", &[("A__c", "A"), ("B__c", "B")]);
        for skip_text in [false, true] {
            let r = diff_trees(
                &tree(vec![d.clone()]),
                &tree(vec![o.clone()]),
                &DiffOptions { skip_text, ..DiffOptions::default() },
            );
            let got: Vec<(String, Status)> = r.components.iter().map(|c| (c.key.to_string(), c.status)).collect();
            assert_eq!(
                got,
                vec![
                    ("CustomField:O__c.B__c".into(), Status::Changed),
                    ("CustomField:O__c.C__c".into(), Status::Added),
                    ("CustomObject:O__c".into(), Status::Unchanged),
                ]
            );
            assert_eq!((r.summary.added, r.summary.changed, r.summary.unchanged), (1, 1, 1));
            if !skip_text {
                let diff = r.components[0].diff.as_deref().unwrap_or_default();
                assert!(
                    diff.contains("-        <label>B</label>") && diff.contains("+        <label>B relabelled</label>"),
                    "{diff}"
                );
                assert!(!diff.contains("A__c"), "only the field's own diff: {diff}");
            }
            let delta = r.delta_tree(&tree(vec![d.clone()]));
            let members = crate::sf::manifest::members(&delta);
            assert_eq!(
                members.into_iter().collect::<Vec<_>>(),
                vec![("CustomField".to_string(), vec!["O__c.B__c".to_string(), "O__c.C__c".to_string()])]
            );
            let file = String::from_utf8_lossy(&delta.components.values().next().unwrap().files[0].bytes).into_owned();
            assert!(file.contains("B__c") && file.contains("C__c") && !file.contains("A__c"), "{file}");
            assert!(!file.contains("<label>O</label>"), "the object's own elements stay out: {file}");
        }
        // The object's own change is the object changed; the whole object is then deployed.
        let d2 = object("O renamed", &[("A__c", "A"), ("B__c", "B")]);
        let r = diff_trees(&tree(vec![d2.clone()]), &tree(vec![o]), &DiffOptions::default());
        let got: Vec<(String, Status)> = r.components.iter().map(|c| (c.key.to_string(), c.status)).collect();
        assert_eq!(got, vec![("CustomObject:O__c".into(), Status::Changed)]);
        assert_eq!(r.delta_tree(&tree(vec![d2.clone()])).get(&d2.key), Some(&d2));
    }

    #[test]
    fn a_protected_settings_field_is_redacted_in_its_own_diff() {
        let setting = |default: &str| {
            comp(
                "CustomObject",
                "S__c",
                &[(
                    "objects/S__c.object",
                    &format!("<CustomObject {NS}><customSettingsType>Hierarchy</customSettingsType><fields><fullName>Plain__c</fullName><defaultValue>{default}</defaultValue><type>Text</type></fields><label>S</label><visibility>Protected</visibility></CustomObject>"),
                )],
            )
        };
        let r = diff_trees(
            &tree(vec![setting("'new-s3cret'")]),
            &tree(vec![setting("'old-s3cret'")]),
            &DiffOptions::default(),
        );
        let field = r.components.iter().find(|c| c.key.type_name == "CustomField").expect("the field changed");
        assert_eq!(field.status, Status::Changed);
        let diff = field.diff.as_deref().unwrap_or_default();
        assert!(diff.contains(REDACTED_PREFIX) && !diff.contains("s3cret"), "{diff}");
    }

    const REDACTED_PREFIX: &str = "***REDACTED***";

    #[test]
    fn labels_are_compared_label_by_label() {
        let labels = |items: &[(&str, &str)]| {
            let body: String = items
                .iter()
                .map(|(n, v)| format!("<labels><fullName>{n}</fullName><language>en_US</language><protected>false</protected><shortDescription>{n}</shortDescription><value>{v}</value></labels>"))
                .collect();
            comp(
                "CustomLabels",
                "CustomLabels",
                &[("labels/CustomLabels.labels", &format!("<CustomLabels {NS}>{body}</CustomLabels>"))],
            )
        };
        let d = labels(&[("a", "1"), ("b", "two"), ("c", "3")]);
        let o = labels(&[("a", "1"), ("b", "2"), ("z", "9")]);
        let r = diff_trees(&tree(vec![d]), &tree(vec![o]), &DiffOptions { prune: true, ..DiffOptions::default() });
        let got: Vec<(String, Status)> = r.components.iter().map(|c| (c.key.to_string(), c.status)).collect();
        assert_eq!(
            got,
            vec![
                ("CustomLabel:b".into(), Status::Changed),
                ("CustomLabel:c".into(), Status::Added),
                ("CustomLabel:z".into(), Status::Removed),
                ("CustomLabels:CustomLabels".into(), Status::Unchanged),
            ]
        );
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
