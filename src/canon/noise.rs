//! The pairwise noise rules: what one side of an org-vs-desired comparison holds that means
//! nothing (rows that grant nothing, spelled-out defaults, values the org assigns itself).

use super::normal::{child_path, key_of};
use crate::sf::compare::{ORG_ASSIGNED, PERMISSION_ROOTS, PERMISSION_ROWS};
use crate::sf::xml::{Element, Node};
use std::collections::HashMap;

/// Which side of the comparison an element is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Org,
    Desired,
}

/// Identities of the element children of `el`, in child order: (name, key, occurrence), with
/// their index in `el.children`.
fn identities(el: &Element, root: &str, cpath: &str) -> Vec<((String, String, usize), usize)> {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, n) in el.children.iter().enumerate() {
        if let Node::Element(c) = n {
            let key = key_of(root, cpath, c).unwrap_or_default();
            let count = seen.entry((c.name.clone(), key.clone())).or_insert(0);
            out.push(((c.name.clone(), key, *count), i));
            *count += 1;
        }
    }
    out
}

/// Applies the pairwise noise rules to two matched elements (same name and place; `path` is
/// their parent path, `None` for the roots): one-sided children that mean nothing are
/// dropped, matched children are reconciled in turn.
pub(super) fn reconcile(org: &mut Element, desired: &mut Element, root: &str, path: Option<&str>) {
    let cpath = child_path(path, &org.name);
    let org_ids = identities(org, root, &cpath);
    let des_ids = identities(desired, root, &cpath);
    let des_index: HashMap<&(String, String, usize), usize> = des_ids.iter().map(|(id, i)| (id, *i)).collect();
    let org_index: HashMap<&(String, String, usize), usize> = org_ids.iter().map(|(id, i)| (id, *i)).collect();
    let mut drop_org = Vec::new();
    let mut drop_des = Vec::new();
    for (id, oi) in &org_ids {
        match des_index.get(id) {
            Some(&di) => {
                if let (Node::Element(o), Node::Element(d)) = (&mut org.children[*oi], &mut desired.children[di]) {
                    if o.elements().next().is_some() && d.elements().next().is_some() {
                        reconcile(o, d, root, Some(&cpath));
                    }
                }
            }
            None => {
                if let Node::Element(o) = &org.children[*oi] {
                    if is_noise(o, Side::Org, root, &cpath) {
                        drop_org.push(*oi);
                    }
                }
            }
        }
    }
    for (id, di) in &des_ids {
        if !org_index.contains_key(id) {
            if let Node::Element(d) = &desired.children[*di] {
                if is_noise(d, Side::Desired, root, &cpath) {
                    drop_des.push(*di);
                }
            }
        }
    }
    remove_indices(&mut org.children, &drop_org);
    remove_indices(&mut desired.children, &drop_des);
}

/// Removes the children at the indices `drop` (any order): linear in the children, however many
/// are dropped (a retrieve's permission set may hold a million no-access rows; issue 12 finding 9).
fn remove_indices(children: &mut Vec<Node>, drop: &[usize]) {
    if drop.is_empty() {
        return;
    }
    let mut gone = vec![false; children.len()];
    for &i in drop {
        if let Some(g) = gone.get_mut(i) {
            *g = true;
        }
    }
    let mut i = 0;
    children.retain(|_| {
        let keep = !gone[i];
        i += 1;
        keep
    });
}

/// Whether `el`, present on `side` only (its parent path is `parent`), means nothing: a
/// permission row that grants nothing, a leaf that spells out a default (`false`, empty), a
/// value the org assigns itself, or a container holding only such things.
fn is_noise(el: &Element, side: Side, root: &str, parent: &str) -> bool {
    if side == Side::Org {
        for (r, p, n, v) in ORG_ASSIGNED {
            if *r == root && *p == parent && *n == el.name && v.is_none_or(|v| el.text_content().trim() == v) {
                return true;
            }
        }
        // Standard action overrides a retrieve lists for every custom object.
        if root == "CustomObject"
            && parent.is_empty()
            && el.name == "actionOverrides"
            && el.find("type").map(Element::text_content).as_deref() == Some("Default")
            && el.find("content").is_none()
        {
            return true;
        }
    }
    if parent.is_empty() && PERMISSION_ROOTS.contains(&root) {
        if let Some((_, keys, no_access)) = PERMISSION_ROWS.iter().find(|(n, _, _)| *n == el.name) {
            return *no_access
                && el.elements().filter(|c| !keys.contains(&c.name.as_str())).all(|c| {
                    c.elements().next().is_none() && matches!(c.text_content().trim(), "" | "false" | "None" | "Hidden")
                });
        }
    }
    if el.elements().next().is_none() {
        return matches!(el.text_content().trim(), "" | "false");
    }
    // The row's own key (`fullName`, `name`) makes it a real row, not a default.
    if key_of(root, parent, el).is_some() {
        return false;
    }
    let cpath = child_path(Some(parent), &el.name);
    el.elements().all(|c| is_noise(c, side, root, &cpath))
}
