//! Statements: blocks, branches walked arm by arm and merged, loops (counted ones unrolled while
//! their condition stays known), `try`/`catch`/`finally`.

use super::state::join;
use super::value::{truth, Val};
use super::{contains_kind, Arm, Ctx, Flow, Frame, Thrown, Var, Walker, CERTAIN, EITHER, LIKELY, MAX_UNROLL, RARE};
use crate::apex::estimate::model::{lower, type_text, unquote};
use std::collections::HashMap;
use tree_sitter::Node;

impl<'i, 'p> Walker<'i, 'p> {
    /// Walks each arm (a statement, and a catch parameter to declare) from the same state under
    /// a doubt of `level`, merges what they did, and tells how the code after them goes on.
    fn arms(&mut self, ctx: &mut Ctx, f: &mut Frame, arms: &[Arm], level: u8) -> Flow {
        let pre = self.snap(ctx, f);
        let mut ends = Vec::new();
        let mut flows = Vec::new();
        for (i, (arm, param)) in arms.iter().enumerate() {
            if i > 0 {
                self.restore(ctx, f, &pre);
            }
            ctx.open(level);
            let flow = match arm {
                Some(b) => {
                    f.scopes.push(HashMap::new());
                    if let (Some((name, ty)), Some(scope)) = (param, f.scopes.last_mut()) {
                        scope.insert(name.clone(), Var { ty: ty.clone(), val: Val::Unknown });
                    }
                    let flow = self.stmt(ctx, f, *b);
                    f.scopes.pop();
                    flow
                }
                None => Flow::Normal,
            };
            ctx.close(level);
            ends.push(self.snap(ctx, f));
            flows.push(flow);
        }
        let merged = join(&pre, &ends);
        self.restore(ctx, f, &merged);
        self.settle(ctx, f, flows)
    }

    /// The flow after arms the walk is not sure which of runs.
    fn settle(&mut self, ctx: &mut Ctx, f: &mut Frame, flows: Vec<Flow>) -> Flow {
        let exits = flows.iter().filter(|x| !matches!(x, Flow::Normal)).count();
        if exits == 0 {
            return Flow::Normal;
        }
        let throws = flows.iter().filter(|x| matches!(x, Flow::Throw)).count();
        if exits == flows.len() {
            return if throws == exits {
                Flow::Throw
            } else if flows.iter().any(|x| matches!(x, Flow::Return(_))) {
                Flow::Return(Val::Unknown)
            } else if flows.iter().all(|x| matches!(x, Flow::Continue)) {
                Flow::Continue
            } else {
                Flow::Break
            };
        }
        if throws > 0 {
            ctx.maybe_threw += 1;
            ctx.effects += 1;
        }
        // Some arm left early: what follows runs only on the other paths.
        ctx.doubt[0] += 1;
        f.raised += 1;
        Flow::Normal
    }

    pub(super) fn block(&mut self, ctx: &mut Ctx, f: &mut Frame, n: Node) -> Flow {
        f.scopes.push(HashMap::new());
        let mut flow = Flow::Normal;
        let mut c = n.walk();
        let children: Vec<Node> = n.named_children(&mut c).collect();
        for s in children {
            flow = self.stmt(ctx, f, s);
            if !matches!(flow, Flow::Normal) {
                break;
            }
        }
        f.scopes.pop();
        flow
    }

    fn stmt(&mut self, ctx: &mut Ctx, f: &mut Frame, s: Node) -> Flow {
        ctx.steps += 1;
        if ctx.steps >= ctx.budget {
            ctx.truncated += 1;
            self.mark_subtree(s, RARE);
            return Flow::Normal;
        }
        self.mark(ctx, s);
        let src = f.src;
        macro_rules! ev {
            ($e:expr) => {
                match self.expr(ctx, f, $e) {
                    Ok(v) => v,
                    Err(Thrown) => return Flow::Throw,
                }
            };
        }
        match s.kind() {
            "block" | "trigger_body" | "constructor_body" => self.block(ctx, f, s),
            "expression_statement" => {
                if let Some(e) = s.named_child(0) {
                    ev!(e);
                }
                Flow::Normal
            }
            "local_variable_declaration" => {
                let ty = s.child_by_field_name("type").map(|t| type_text(t, src)).unwrap_or_default();
                let mut c = s.walk();
                let decls: Vec<Node> = s.children_by_field_name("declarator", &mut c).collect();
                for d in decls {
                    let name = d.child_by_field_name("name").map(|x| lower(x, src)).unwrap_or_default();
                    let val = match d.child_by_field_name("value") {
                        Some(v) => ev!(v),
                        None => Val::Null,
                    };
                    if let Some(scope) = f.scopes.last_mut() {
                        scope.insert(name, Var { ty: ty.clone(), val });
                    }
                }
                Flow::Normal
            }
            "return_statement" => {
                let v = match s.named_child(0) {
                    Some(e) => ev!(e),
                    None => Val::Unknown,
                };
                Flow::Return(v)
            }
            "throw_statement" => {
                if let Some(e) = s.named_child(0) {
                    ev!(e);
                }
                Flow::Throw
            }
            "break_statement" => Flow::Break,
            "continue_statement" => Flow::Continue,
            "explicit_constructor_invocation" => {
                let args = match self.args(ctx, f, s.child_by_field_name("arguments")) {
                    Ok(a) => a,
                    Err(Thrown) => return Flow::Throw,
                };
                let target = s.child_by_field_name("constructor").map(|x| lower(x, src)).unwrap_or_default();
                if let Some(ci) = f.class {
                    let class_idx = if target == "super" {
                        self.idx.classes[ci].superclass.as_deref().and_then(|s| self.idx.class(s))
                    } else {
                        Some(ci)
                    };
                    if let Some(c2) = class_idx {
                        if let Some(k) = self.idx.classes[c2].ctors.iter().position(|m| m.params.len() == args.len()) {
                            ctx.next_this = f.this_class.or(Some(ci));
                            ctx.next_obj = f.this_obj;
                            if self.call(ctx, c2, k, true, args).is_err() {
                                return Flow::Throw;
                            }
                        }
                    }
                }
                Flow::Normal
            }
            "if_statement" => {
                let cond = match s.child_by_field_name("condition") {
                    Some(c) => ev!(c),
                    None => Val::Unknown,
                };
                let cons = s.child_by_field_name("consequence");
                let alt = s.child_by_field_name("alternative");
                match truth(&cond) {
                    Some(true) => cons.map_or(Flow::Normal, |b| self.stmt(ctx, f, b)),
                    Some(false) => alt.map_or(Flow::Normal, |b| self.stmt(ctx, f, b)),
                    None => {
                        let throws = |b: Node| {
                            let mut c = b.walk();
                            let direct = b.kind() == "throw_statement"
                                || b.named_children(&mut c).any(|x| x.kind() == "throw_statement");
                            direct
                        };
                        if ctx.force_throw == Some(s.id()) {
                            ctx.force_throw = None;
                            cons.map_or(Flow::Normal, |b| self.stmt(ctx, f, b))
                        } else {
                            if ctx.expect_throw && !f.in_test && cons.is_some_and(throws) {
                                ctx.effects += 1;
                                ctx.candidates.push(s.id());
                            }
                            self.arms(ctx, f, &[(cons, None), (alt, None)], EITHER)
                        }
                    }
                }
            }
            "for_statement" => {
                f.scopes.push(HashMap::new());
                let mut c = s.walk();
                let inits: Vec<Node> = s.children_by_field_name("init", &mut c).collect();
                for i in inits {
                    if i.kind() == "local_variable_declaration" {
                        if let Flow::Throw = self.stmt(ctx, f, i) {
                            f.scopes.pop();
                            return Flow::Throw;
                        }
                    } else if self.expr(ctx, f, i).is_err() {
                        f.scopes.pop();
                        return Flow::Throw;
                    }
                }
                let cond = match s.child_by_field_name("condition") {
                    Some(c) => match self.expr(ctx, f, c) {
                        Ok(v) => v,
                        Err(Thrown) => {
                            f.scopes.pop();
                            return Flow::Throw;
                        }
                    },
                    None => Val::Bool(true),
                };
                let flow = match truth(&cond) {
                    Some(false) => Flow::Normal,
                    Some(true) => self.unrolled(ctx, f, s),
                    None => self.loop_body(ctx, f, s, LIKELY),
                };
                f.scopes.pop();
                flow
            }
            "enhanced_for_statement" => {
                let coll = match s.child_by_field_name("value") {
                    Some(v) => ev!(v),
                    None => Val::Unknown,
                };
                if coll == Val::Null {
                    return Flow::Normal;
                }
                let ty = s.child_by_field_name("type").map(|t| type_text(t, src)).unwrap_or_default();
                let name = s.child_by_field_name("name").map(|x| lower(x, src)).unwrap_or_default();
                if let Val::Coll(_, items) = &coll {
                    // Known elements: the body runs once per element (with its fields), or never.
                    if items.is_empty() {
                        return Flow::Normal;
                    }
                    let each: Vec<Val> = if items.len() <= 5 { items.clone() } else { vec![Val::Unknown] };
                    for item in each {
                        f.scopes.push(HashMap::from([(name.clone(), Var { ty: ty.clone(), val: item })]));
                        let flow = self.loop_body(ctx, f, s, CERTAIN);
                        f.scopes.pop();
                        if !matches!(flow, Flow::Normal) {
                            return flow;
                        }
                    }
                    return Flow::Normal;
                }
                // An Iterable of the package: the platform calls iterator(), hasNext(), next().
                if let Some((ci, _)) = self.val_class(ctx, &coll).filter(|(ci, _)| self.is_subtype(*ci, "iterable")) {
                    let obj = match coll {
                        Val::Inst(id) => Some(id),
                        _ => None,
                    };
                    if let Some((c, m)) = self.find_method(ci, "iterator", 0) {
                        ctx.next_this = Some(ci);
                        ctx.next_obj = obj;
                        if let Ok(it) = self.call(ctx, c, m, false, Vec::new()) {
                            if let Some((ic, _)) = self.val_class(ctx, &it) {
                                let iobj = match it {
                                    Val::Inst(id) => Some(id),
                                    _ => None,
                                };
                                self.call_on(ctx, ic, iobj, "hasnext", Vec::new());
                                ctx.open(LIKELY);
                                self.call_on(ctx, ic, iobj, "next", Vec::new());
                                ctx.close(LIKELY);
                            }
                        }
                    }
                }
                f.scopes.push(HashMap::from([(name, Var { ty, val: Val::Unknown })]));
                // The collection's size is not tracked: the body runs if it is not empty.
                let flow = self.loop_body(ctx, f, s, LIKELY);
                f.scopes.pop();
                flow
            }
            "while_statement" => {
                let cond = match s.child_by_field_name("condition") {
                    Some(c) => ev!(c),
                    None => Val::Unknown,
                };
                match truth(&cond) {
                    Some(false) => Flow::Normal,
                    Some(true) => self.loop_body(ctx, f, s, CERTAIN),
                    None => self.loop_body(ctx, f, s, LIKELY),
                }
            }
            "do_statement" => {
                let flow = self.loop_body(ctx, f, s, CERTAIN);
                if matches!(flow, Flow::Normal) {
                    if let Some(c) = s.child_by_field_name("condition") {
                        ev!(c);
                    }
                }
                flow
            }
            "try_statement" => self.try_stmt(ctx, f, s),
            "switch_expression" => {
                let v = match s.child_by_field_name("condition") {
                    Some(c) => ev!(c),
                    None => Val::Unknown,
                };
                let Some(body) = s.child_by_field_name("body") else { return Flow::Normal };
                let mut c = body.walk();
                let rules: Vec<Node> = body.named_children(&mut c).filter(|r| r.kind() == "switch_rule").collect();
                let is_else = |r: &Node| {
                    r.named_child(0).is_some_and(|l| lower(l, src).replace(char::is_whitespace, "") == "whenelse")
                };
                let Val::Str(key) = v else {
                    // A value the walk cannot tell: any arm may run (none, without `when else`).
                    let mut arms: Vec<Arm> = rules.iter().map(|r| (r.named_child(1), None)).collect();
                    if !rules.iter().any(is_else) {
                        arms.push((None, None));
                    }
                    return self.arms(ctx, f, &arms, EITHER);
                };
                let mut chosen = None;
                let mut fallback = None;
                for r in &rules {
                    let Some(label) = r.named_child(0) else { continue };
                    if is_else(r) {
                        fallback = Some(*r);
                        continue;
                    }
                    let lt = lower(label, src);
                    let values = lt.trim_start_matches("when").split(',').map(|x| {
                        let x = x.trim();
                        let x = x.rsplit('.').next().unwrap_or(x);
                        unquote(x).to_ascii_lowercase()
                    });
                    if values.into_iter().any(|x| x == key.to_ascii_lowercase()) {
                        chosen = Some(*r);
                        break;
                    }
                }
                match chosen.or(fallback).and_then(|r| r.named_child(1)) {
                    Some(b) => self.stmt(ctx, f, b),
                    None => Flow::Normal,
                }
            }
            "run_as_statement" => match s
                .child_by_field_name("body")
                .or_else(|| s.named_child(s.named_child_count().saturating_sub(1) as u32))
            {
                Some(b) if b.kind() == "block" => self.block(ctx, f, b),
                _ => Flow::Normal,
            },
            _ => Flow::Normal,
        }
    }

    /// A loop body, entered for sure (`CERTAIN`) or when the collection is not empty
    /// (`LIKELY`); what it changes is unknown afterwards (it may run any number of times).
    fn loop_body(&mut self, ctx: &mut Ctx, f: &mut Frame, s: Node, level: u8) -> Flow {
        let Some(body) = s.child_by_field_name("body") else { return Flow::Normal };
        let pre = self.snap(ctx, f);
        ctx.open(level);
        let mut flow = self.stmt(ctx, f, body);
        if matches!(flow, Flow::Break | Flow::Continue | Flow::Normal) {
            if let Some(u) = s.child_by_field_name("update") {
                if self.expr(ctx, f, u).is_err() {
                    flow = Flow::Throw;
                }
            }
        }
        ctx.close(level);
        let end = self.snap(ctx, f);
        let merged = join(&pre, &[pre.clone(), end]);
        self.restore(ctx, f, &merged);
        match flow {
            Flow::Break | Flow::Continue | Flow::Normal => Flow::Normal,
            other if level == CERTAIN => other,
            other => self.settle(ctx, f, vec![Flow::Normal, other]),
        }
    }

    /// A `for (init; condition; update)` loop whose condition holds now: its iterations are
    /// walked one by one while the condition stays known (a counted loop over a known bound),
    /// at most [`MAX_UNROLL`] of them; past that, or once the condition or an iteration's path
    /// is unknown, the rest is walked as [`Self::loop_body`] walks a loop.
    fn unrolled(&mut self, ctx: &mut Ctx, f: &mut Frame, s: Node) -> Flow {
        let Some(body) = s.child_by_field_name("body") else { return Flow::Normal };
        for _ in 0..MAX_UNROLL {
            let pre = self.snap(ctx, f);
            let (doubt, raised, threw) = (ctx.doubt, f.raised, ctx.maybe_threw);
            let mut flow = self.stmt(ctx, f, body);
            if matches!(flow, Flow::Break | Flow::Return(_) | Flow::Throw) {
                return match flow {
                    Flow::Break => Flow::Normal,
                    other => other,
                };
            }
            if let Some(u) = s.child_by_field_name("update") {
                if self.expr(ctx, f, u).is_err() {
                    flow = Flow::Throw;
                }
            }
            if matches!(flow, Flow::Throw) {
                return flow;
            }
            if ctx.doubt != doubt || f.raised != raised || ctx.maybe_threw != threw {
                // The iteration may have left early: the state after it is not certain.
                let end = self.snap(ctx, f);
                let merged = join(&pre, &[pre.clone(), end]);
                self.restore(ctx, f, &merged);
                return self.loop_body(ctx, f, s, LIKELY);
            }
            let cond = match s.child_by_field_name("condition") {
                Some(c) => match self.expr(ctx, f, c) {
                    Ok(v) => v,
                    Err(Thrown) => return Flow::Throw,
                },
                None => Val::Bool(true),
            };
            match truth(&cond) {
                Some(false) => return Flow::Normal,
                Some(true) => {}
                None => return self.loop_body(ctx, f, s, LIKELY),
            }
        }
        self.loop_body(ctx, f, s, CERTAIN)
    }

    fn try_stmt(&mut self, ctx: &mut Ctx, f: &mut Frame, s: Node) -> Flow {
        let src = f.src;
        let Some(body) = s.child_by_field_name("body") else { return Flow::Normal };
        let expects = f.in_test
            && contains_kind(body, &|n: Node| {
                if n.kind() != "method_invocation" {
                    return false;
                }
                let t = lower(n, src).replace(char::is_whitespace, "");
                t.starts_with("assert.fail(")
                    || t.starts_with("system.assert.fail(")
                    || t.starts_with("system.assert(false")
            });
        if expects && ctx.force_throw.is_none() {
            // Dry run (nothing recorded): does the call throw by itself, and which unknown
            // throwing branches does it pass? The test proves it throws, so the real run takes
            // the last such branch (the one nearest to where the call would return).
            let saved_lines = std::mem::take(&mut self.lines);
            let saved_fired = std::mem::take(&mut self.fired);
            let saved_scopes = f.scopes.clone();
            let saved_raised = f.raised;
            let mut dry = ctx.clone();
            dry.expect_throw = true;
            dry.candidates.clear();
            let dry_flow = self.block(&mut dry, f, body);
            self.lines = saved_lines;
            self.fired = saved_fired;
            f.scopes = saved_scopes;
            f.raised = saved_raised;
            if !matches!(dry_flow, Flow::Throw) {
                ctx.force_throw = dry.candidates.last().copied();
            }
        }
        let threw0 = ctx.maybe_threw;
        let mut flow = self.block(ctx, f, body);
        ctx.force_throw = None;
        let mut c = s.walk();
        let clauses: Vec<Node> = s.named_children(&mut c).collect();
        let catches: Vec<Arm> = clauses
            .iter()
            .filter(|n| n.kind() == "catch_clause")
            .map(|catch| {
                let param = catch.named_children(&mut catch.walk()).find(|n| n.kind() == "formal_parameter").map(|p| {
                    let name = p.child_by_field_name("name").map(|x| lower(x, src)).unwrap_or_default();
                    let ty = p.child_by_field_name("type").map(|x| type_text(x, src)).unwrap_or_default();
                    (name, ty)
                });
                (catch.child_by_field_name("body"), param)
            })
            .collect();
        if matches!(flow, Flow::Throw) {
            if let Some((body, param)) = catches.first() {
                let mut scope = HashMap::new();
                if let Some((name, ty)) = param {
                    scope.insert(name.clone(), Var { ty: ty.clone(), val: Val::Unknown });
                }
                f.scopes.push(scope);
                flow = match body {
                    Some(b) => self.block(ctx, f, *b),
                    None => Flow::Normal,
                };
                f.scopes.pop();
            }
        } else if !catches.is_empty() && matches!(flow, Flow::Normal) {
            // Nothing is seen to throw for sure: a catch runs only if something does (a throw
            // on an unknown path, or a platform error the walk does not model).
            let level = if ctx.maybe_threw > threw0 { EITHER } else { RARE };
            let mut arms = catches.clone();
            arms.push((None, None));
            flow = self.arms(ctx, f, &arms, level);
        }
        if let Some(fin) = clauses.iter().find(|n| n.kind() == "finally_clause") {
            if let Some(b) = fin.named_children(&mut fin.walk()).find(|n| n.kind() == "block") {
                let ff = self.block(ctx, f, b);
                if !matches!(ff, Flow::Normal) {
                    return ff;
                }
            }
        }
        flow
    }
}
