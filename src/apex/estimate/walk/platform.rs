//! What the platform runs for a test: triggers fired by DML, async work at `Test.stopTest()`
//! (Queueables, Finalizers, `@future`, batches, schedules, platform events), platform callbacks
//! (`Comparator`, `Comparable`, `Cache.CacheBuilder`, `Iterable`), mocked callouts; and the
//! platform's static calls with a meaning for the walk (`Assert`, `Test`, async starts,
//! `EventBus.publish`, `Database` DML, `Type.forName`, `String.isBlank` & co.).

use super::value::{element_type, literal, records_of, Val};
use super::{Ctx, Frame, Job, Pending, Var, Walked, Walker, CERTAIN, EITHER, LIKELY, MAX_DEPTH, RARE};
use crate::apex::estimate::model::lower;
use std::collections::{BTreeSet, HashMap};
use tree_sitter::Node;

impl<'i, 'p> Walker<'i, 'p> {
    fn fire(&mut self, trigger: &str, level: u8) {
        let best = self.fired.entry(trigger.to_string()).or_insert(level);
        if level < *best {
            *best = level;
        }
    }

    /// Runs the queued jobs `which` selects (all at `Test.stopTest()`, events only at
    /// `Test.getEventBus().deliver()`), each at the level it was queued at or worse.
    pub(super) fn run_pending(&mut self, ctx: &mut Ctx, which: fn(&Job) -> bool) {
        let all = std::mem::take(&mut ctx.pending);
        let (jobs, keep): (Vec<Pending>, Vec<Pending>) = all.into_iter().partition(|p| which(&p.job));
        ctx.pending = keep;
        let saved = ctx.trigger_op.take();
        for p in jobs {
            ctx.open(p.level);
            self.run_job(ctx, p.job);
            ctx.close(p.level);
        }
        ctx.trigger_op = saved;
    }

    fn run_job(&mut self, ctx: &mut Ctx, job: Job) {
        match job {
            Job::Queueable(ci, obj) => {
                let before = ctx.pending.len();
                self.call_on(ctx, ci, obj, "execute", vec![Val::Obj("queueablecontext".into())]);
                // Finalizers it attached run when it ends; Queueables it chains do not run in
                // a test (the platform runs only the first job of a chain there).
                let added: Vec<Pending> = ctx.pending.drain(before..).collect();
                for p in added {
                    match p.job {
                        Job::Finalizer(..) => {
                            ctx.open(p.level);
                            self.run_job(ctx, p.job);
                            ctx.close(p.level);
                        }
                        _ => ctx.pending.push(p),
                    }
                }
            }
            Job::Future(ci, mi, args) => {
                // Run the body directly (the @future marker only defers it).
                let class = &self.idx.classes[ci];
                let m = &class.methods[mi];
                if let Some(body) = m.body {
                    let mut frame = Frame {
                        class: Some(ci),
                        src: class.src,
                        scopes: vec![HashMap::new()],
                        in_test: false,
                        this_class: None,
                        this_obj: None,
                        raised: 0,
                        accessor: None,
                    };
                    for (i, (name, ty)) in m.params.iter().enumerate() {
                        let val = args.get(i).cloned().unwrap_or(Val::Unknown);
                        frame.scopes[0].insert(name.clone(), Var { ty: ty.clone(), val });
                    }
                    let _ = self.run_body(ctx, &mut frame, body);
                }
            }
            Job::Batch(ci, obj) => {
                let bc = Val::Obj("database.batchablecontext".into());
                self.call_on(ctx, ci, obj, "start", vec![bc.clone()]);
                // execute runs once per chunk of what start returned: none when it found no
                // records.
                ctx.open(LIKELY);
                self.call_on(ctx, ci, obj, "execute", vec![bc.clone(), Val::Unknown]);
                ctx.close(LIKELY);
                self.call_on(ctx, ci, obj, "finish", vec![bc]);
            }
            Job::Schedule(ci, obj) => {
                self.call_on(ctx, ci, obj, "execute", vec![Val::Obj("schedulablecontext".into())]);
            }
            Job::Finalizer(ci, obj) => {
                self.call_on(ctx, ci, obj, "execute", vec![Val::Obj("finalizercontext".into())]);
            }
            Job::Event(object, callback, records) => {
                if let Some((ci, obj)) = callback {
                    self.call_on(ctx, ci, obj, "onsuccess", vec![Val::Obj("eventbus.successresult".into())]);
                }
                if object.is_empty() {
                    // Events of a type the walk could not tell: any platform-event trigger may run.
                    ctx.open(RARE);
                    let objs: BTreeSet<String> = self
                        .idx
                        .triggers
                        .iter()
                        .filter(|t| t.object.ends_with("__e"))
                        .map(|t| t.object.clone())
                        .collect();
                    for o in objs {
                        self.fire_triggers(ctx, &o, "insert", None);
                    }
                    ctx.close(RARE);
                } else {
                    self.fire_triggers(ctx, &object, "insert", records);
                }
            }
        }
    }

    /// Runs the triggers on `sobject` for DML `op`; an empty `sobject` (records of a type the
    /// walk could not tell, `List<SObject>`) runs every trigger on `op`, once per test, as
    /// [`RARE`].
    pub(super) fn fire_triggers(&mut self, ctx: &mut Ctx, sobject: &str, op: &str, records: Option<Vec<Val>>) {
        if ctx.depth >= MAX_DEPTH {
            return;
        }
        let untyped = sobject.is_empty() || sobject == "sobject";
        if untyped {
            ctx.open(RARE);
        }
        let ops: &[&str] = if op == "upsert" { &["insert", "update"] } else { std::slice::from_ref(&op) };
        let idx = self.idx;
        for (ti, t) in idx.triggers.iter().enumerate() {
            if !untyped && t.object != sobject {
                continue;
            }
            for o in ops {
                // upsert inserts or updates each record: either may be the one that happens.
                let either = ops.len() > 1;
                for timing in ["before", "after"] {
                    let event = format!("{timing}_{o}");
                    if !t.events.contains(&event) {
                        continue;
                    }
                    let op_name: &'static str = match event.as_str() {
                        "before_insert" => "before_insert",
                        "after_insert" => "after_insert",
                        "before_update" => "before_update",
                        "after_update" => "after_update",
                        "before_delete" => "before_delete",
                        "after_delete" => "after_delete",
                        "after_undelete" => "after_undelete",
                        _ => continue,
                    };
                    if untyped && !ctx.untyped_fired.insert((ti, op_name)) {
                        continue;
                    }
                    if either {
                        ctx.open(EITHER);
                    }
                    self.fire(&idx.units[t.unit].name.to_ascii_lowercase(), ctx.level());
                    let mut frame = Frame {
                        class: None,
                        src: t.src,
                        scopes: vec![HashMap::new()],
                        in_test: false,
                        this_class: None,
                        this_obj: None,
                        raised: 0,
                        accessor: None,
                    };
                    let saved = ctx.trigger_op.replace(op_name);
                    let saved_records = std::mem::replace(&mut ctx.trigger_records, records.clone());
                    let _ = self.run_body(ctx, &mut frame, t.body);
                    ctx.trigger_op = saved;
                    ctx.trigger_records = saved_records;
                    if either {
                        ctx.close(EITHER);
                    }
                }
            }
        }
        if untyped {
            ctx.close(RARE);
        }
    }

    /// Package code the platform calls back: a `Comparator` given to `List.sort`, the
    /// `compareTo` of `Comparable` elements, a `Cache.CacheBuilder` given to a cache `get`
    /// (`doLoad` on a miss, which a test's empty cache always is), `newInstance()` on a
    /// `Type` naming a package class.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn platform_callback(
        &mut self,
        ctx: &mut Ctx,
        f: &mut Frame,
        name: &str,
        receiver: &Val,
        receiver_type: Option<&str>,
        arg_nodes: &[Node],
        args: &[Val],
    ) -> Walked<Option<Val>> {
        match (name, args.len()) {
            ("newinstance", 0) => {
                return Ok(Some(match receiver {
                    Val::Type(Some(ci)) => self.construct(ctx, *ci, Vec::new(), &[])?,
                    _ => Val::Unknown,
                }));
            }
            ("sort", 1) => {
                let class = self.val_class(ctx, &args[0]).map(|(ci, _)| ci).or_else(|| {
                    arg_nodes.first().and_then(|a| self.static_type(f, *a)).and_then(|t| self.idx.class(&t))
                });
                if let Some(ci) = class.filter(|&ci| self.is_subtype(ci, "comparator")) {
                    let obj = match &args[0] {
                        Val::Inst(id) => Some(*id),
                        _ => None,
                    };
                    // compare runs when the list has two elements or more.
                    let level = match receiver {
                        Val::Coll(_, items) if items.len() >= 2 => CERTAIN,
                        Val::Coll(..) => return Ok(Some(Val::Unknown)),
                        _ => LIKELY,
                    };
                    ctx.open(level);
                    self.call_on(ctx, ci, obj, "compare", vec![Val::Unknown, Val::Unknown]);
                    ctx.close(level);
                    return Ok(Some(Val::Unknown));
                }
            }
            ("sort", 0) => {
                let elem = receiver_type.map(element_type);
                if let Some(ci) = elem.and_then(|t| self.idx.class(&t)).filter(|&ci| self.is_subtype(ci, "comparable"))
                {
                    ctx.open(LIKELY);
                    self.call_on(ctx, ci, None, "compareto", vec![Val::Unknown]);
                    ctx.close(LIKELY);
                    return Ok(Some(Val::Unknown));
                }
            }
            ("get", 2) => {
                let loader = arg_nodes
                    .first()
                    .map(|a| lower(*a, f.src).replace(char::is_whitespace, ""))
                    .filter(|t| t.ends_with(".class"))
                    .and_then(|t| self.idx.class(t.trim_end_matches(".class")))
                    .filter(|&ci| self.is_subtype(ci, "cache.cachebuilder") || self.is_subtype(ci, "cachebuilder"));
                if let Some(ci) = loader {
                    ctx.open(LIKELY);
                    self.call_on(ctx, ci, None, "doload", vec![args[1].clone()]);
                    ctx.close(LIKELY);
                    return Ok(Some(Val::Unknown));
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// The SObject type of the records a publish or DML call is given (its first argument): the
    /// declared type when it names one, else the type of the value the walk holds.
    fn records_type(&self, f: &Frame, arg_nodes: &[Node], args: &[Val]) -> Option<String> {
        arg_nodes
            .first()
            .and_then(|a| self.static_type(f, *a))
            .filter(|t| element_type(t) != "sobject")
            .or_else(|| args.first().and_then(Val::type_name))
            .map(|t| element_type(&t))
    }

    pub(super) fn callout(&mut self, ctx: &mut Ctx, e: Node, f: &Frame) -> Walked<()> {
        match ctx.mock.clone() {
            None => {
                // Only a callout every path reaches with no mock set is certain to fail.
                if ctx.level() == CERTAIN && !ctx.expect_throw {
                    let file =
                        f.class.map(|ci| self.idx.units[self.idx.classes[ci].unit].file.clone()).unwrap_or_default();
                    ctx.effects += 1;
                    ctx.unmocked.push((file, e.start_position().row + 1));
                }
            }
            Some(mock) => {
                if let Some(ci) = self.idx.class(&mock) {
                    if let Some((c, m)) = self.find_method(ci, "respond", 1) {
                        ctx.next_this = Some(ci);
                        ctx.next_obj = ctx.mock_obj;
                        self.call(ctx, c, m, false, vec![Val::Obj("httprequest".into())])?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A platform call with a meaning for the walk (`Assert.*`, `Test.stopTest()` and the event
    /// bus, `Test.setMock`, `System.enqueueJob` and the other async starts, `EventBus.publish`,
    /// `Database.insert` & co., `Type.forName`, `String.isBlank` & co.): what it gives, or `None`
    /// for any other call.
    pub(super) fn platform_call(
        &mut self,
        ctx: &mut Ctx,
        f: &mut Frame,
        e: Node,
        on: Option<&str>,
        name: &str,
        arg_nodes: &[Node],
    ) -> Walked<Option<Val>> {
        let src = f.src;
        match (on, name) {
            (Some("assert" | "system.assert"), _) | (Some("system"), "assert" | "assertequals" | "assertnotequals") => {
                ctx.effects += 1;
                ctx.asserted = true;
                self.args(ctx, f, e.child_by_field_name("arguments"))?;
                return Ok(Some(Val::Unknown));
            }
            (Some("test" | "system.test"), "stoptest") => {
                ctx.effects += 1;
                self.run_pending(ctx, |_| true);
                return Ok(Some(Val::Unknown));
            }
            (Some("test.geteventbus()" | "system.test.geteventbus()"), "deliver") => {
                ctx.effects += 1;
                self.run_pending(ctx, |j| matches!(j, Job::Event(..)));
                return Ok(Some(Val::Unknown));
            }
            (Some("test.geteventbus()" | "system.test.geteventbus()"), "fail") => {
                // The queued publishes fail: no trigger runs, the failure callbacks do.
                ctx.effects += 1;
                let all = std::mem::take(&mut ctx.pending);
                let (events, keep): (Vec<Pending>, Vec<Pending>) =
                    all.into_iter().partition(|p| matches!(p.job, Job::Event(..)));
                ctx.pending = keep;
                for p in events {
                    if let Job::Event(_, Some((ci, obj)), _) = p.job {
                        ctx.open(p.level);
                        self.call_on(ctx, ci, obj, "onfailure", vec![Val::Obj("eventbus.failureresult".into())]);
                        ctx.close(p.level);
                    }
                }
                return Ok(Some(Val::Unknown));
            }
            (Some("test" | "system.test"), "isrunningtest") => return Ok(Some(Val::Bool(true))),
            (Some("test" | "system.test"), "setmock") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                let mock_ty = arg_nodes.get(1).and_then(|a| self.static_type(f, *a));
                ctx.mock_status = arg_nodes
                    .get(1)
                    .filter(|a| a.kind() == "object_creation_expression")
                    .and_then(|a| a.child_by_field_name("arguments"))
                    .and_then(|a| a.named_child(0))
                    .and_then(|a| literal(a, src))
                    .and_then(|v| match v {
                        Val::Num(n) => Some(n),
                        _ => None,
                    });
                ctx.effects += 1;
                ctx.mock_obj = match args.get(1) {
                    Some(Val::Inst(id)) => Some(*id),
                    _ => None,
                };
                ctx.mock = match args.get(1).and_then(|v| self.val_class(ctx, v)) {
                    Some((_, c)) => Some(c),
                    None => mock_ty.or(Some(String::new())),
                };
                ctx.mock_certain = ctx.level() == CERTAIN;
                return Ok(Some(Val::Unknown));
            }
            (Some("system"), "enqueuejob" | "schedule" | "attachfinalizer")
            | (Some("database" | "system.database"), "executebatch") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                // The job object: the third argument of System.schedule, else the first.
                let at = if name == "schedule" { 2 } else { 0 };
                let obj = match args.get(at) {
                    Some(Val::Inst(id)) => Some(*id),
                    _ => None,
                };
                let class = match args.get(at).and_then(|v| self.val_class(ctx, v)) {
                    Some((ci, _)) => Some(ci),
                    None => arg_nodes.get(at).and_then(|a| self.static_type(f, *a)).and_then(|t| self.idx.class(&t)),
                };
                if let Some(ci) = class {
                    ctx.effects += 1;
                    let job = match name {
                        "enqueuejob" => Job::Queueable(ci, obj),
                        "schedule" => Job::Schedule(ci, obj),
                        "attachfinalizer" => Job::Finalizer(ci, obj),
                        _ => Job::Batch(ci, obj),
                    };
                    let level = ctx.level();
                    ctx.pending.push(Pending { job, level });
                }
                return Ok(Some(Val::Unknown));
            }
            (Some("eventbus" | "system.eventbus"), "publish") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                let ty = self.records_type(f, arg_nodes, &args);
                let object = ty.filter(|t| t.ends_with("__e")).unwrap_or_default();
                let callback = args.get(1).and_then(|v| {
                    let obj = match v {
                        Val::Inst(id) => Some(*id),
                        _ => None,
                    };
                    self.val_class(ctx, v).map(|(ci, _)| (ci, obj))
                });
                ctx.effects += 1;
                let level = ctx.level();
                let records = args.first().and_then(records_of);
                ctx.pending.push(Pending { job: Job::Event(object, callback, records), level });
                return Ok(Some(Val::Unknown));
            }
            (Some("database" | "system.database"), "insert" | "update" | "delete" | "undelete" | "upsert") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                let ty = self.records_type(f, arg_nodes, &args);
                ctx.effects += 1;
                let records = args.first().and_then(records_of);
                self.fire_triggers(ctx, &ty.unwrap_or_default(), name, records);
                return Ok(Some(Val::Unknown));
            }
            (Some("type" | "system.type"), "forname") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                return Ok(Some(match args.last() {
                    Some(Val::Str(n)) => Val::Type(self.idx.class(&n.to_ascii_lowercase())),
                    _ => Val::Type(None),
                }));
            }
            (Some("string"), "isblank" | "isempty") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                return Ok(Some(match args.first() {
                    Some(Val::Null) => Val::Bool(true),
                    Some(Val::Str(s)) => Val::Bool(if name == "isblank" { s.trim().is_empty() } else { s.is_empty() }),
                    _ => Val::Unknown,
                }));
            }
            (Some("string"), "isnotblank" | "isnotempty") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                return Ok(Some(match args.first() {
                    Some(Val::Null) => Val::Bool(false),
                    Some(Val::Str(s)) => {
                        Val::Bool(if name == "isnotblank" { !s.trim().is_empty() } else { !s.is_empty() })
                    }
                    _ => Val::Unknown,
                }));
            }
            _ => {}
        }
        Ok(None)
    }
}
