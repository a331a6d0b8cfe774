//! The state the arms of a branch start from and are merged into (a value they disagree on
//! becomes unknown), and what a call the walk does not enter may have changed.

use super::value::{agree, Val};
use super::{Ctx, Frame, Var, Walker};
use std::collections::{BTreeSet, HashMap};

/// The mutable state an arm of a branch can change, to run the other arms from the same start
/// and to merge them afterwards (a value the arms disagree on becomes unknown).
#[derive(Clone)]
pub(super) struct Snap {
    scopes: Vec<HashMap<String, Var>>,
    statics: HashMap<(usize, String), Val>,
    heap: Vec<HashMap<String, Val>>,
    mock: Option<String>,
    mock_status: Option<f64>,
    mock_certain: bool,
    mock_obj: Option<usize>,
}

/// A call the walk does not enter may add to any collection it can reach: the static and
/// instance fields holding collections of known elements keep only their type.
pub(super) fn forget_collections(ctx: &mut Ctx) {
    let forget = |v: &mut Val| {
        if let Val::Coll(ty, _) = v {
            *v = Val::Obj(ty.clone());
        }
    };
    ctx.statics.values_mut().for_each(forget);
    ctx.heap.iter_mut().flat_map(|i| i.fields.values_mut()).for_each(forget);
}

/// The state after arms that started from `pre`: a value every arm left the same is kept,
/// any other becomes unknown.
pub(super) fn join(pre: &Snap, ends: &[Snap]) -> Snap {
    let Some(first) = ends.first() else { return pre.clone() };
    let mut out = pre.clone();
    for (i, scope) in out.scopes.iter_mut().enumerate() {
        for (name, var) in scope.iter_mut() {
            let vals: Vec<Option<&Val>> =
                ends.iter().map(|e| e.scopes.get(i).and_then(|s| s.get(name)).map(|v| &v.val)).collect();
            var.val = agree(&vals).unwrap_or(Val::Unknown);
        }
    }
    let keys: BTreeSet<(usize, String)> = ends.iter().flat_map(|e| e.statics.keys().cloned()).collect();
    for k in keys {
        let vals: Vec<Option<&Val>> = ends.iter().map(|e| e.statics.get(&k)).collect();
        out.statics.insert(k, agree(&vals).unwrap_or(Val::Unknown));
    }
    for (i, fields) in out.heap.iter_mut().enumerate() {
        let keys: BTreeSet<String> =
            ends.iter().filter_map(|e| e.heap.get(i)).flat_map(|h| h.keys().cloned()).collect();
        for k in keys {
            let vals: Vec<Option<&Val>> = ends.iter().map(|e| e.heap.get(i).and_then(|h| h.get(&k))).collect();
            fields.insert(k, agree(&vals).unwrap_or(Val::Unknown));
        }
    }
    if ends.iter().all(|e| e.mock == first.mock && e.mock_status == first.mock_status) {
        out.mock.clone_from(&first.mock);
        out.mock_status = first.mock_status;
        out.mock_certain = ends.iter().all(|e| e.mock_certain);
    } else {
        out.mock = ends.iter().find_map(|e| e.mock.clone());
        out.mock_status = None;
        out.mock_certain = false;
    }
    out
}

impl<'i, 'p> Walker<'i, 'p> {
    pub(super) fn snap(&self, ctx: &Ctx, f: &Frame) -> Snap {
        Snap {
            scopes: f.scopes.clone(),
            statics: ctx.statics.clone(),
            heap: ctx.heap.iter().map(|i| i.fields.clone()).collect(),
            mock: ctx.mock.clone(),
            mock_status: ctx.mock_status,
            mock_certain: ctx.mock_certain,
            mock_obj: ctx.mock_obj,
        }
    }

    pub(super) fn restore(&self, ctx: &mut Ctx, f: &mut Frame, s: &Snap) {
        if f.scopes.len() == s.scopes.len() {
            f.scopes.clone_from(&s.scopes);
        }
        ctx.statics.clone_from(&s.statics);
        for (i, fields) in s.heap.iter().enumerate() {
            if let Some(inst) = ctx.heap.get_mut(i) {
                inst.fields.clone_from(fields);
            }
        }
        ctx.mock.clone_from(&s.mock);
        ctx.mock_status = s.mock_status;
        ctx.mock_certain = s.mock_certain;
        ctx.mock_obj = s.mock_obj;
    }
}
