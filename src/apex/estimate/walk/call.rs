//! Entering package code: class initialisation, method and accessor bodies, calls (memoised when
//! they have no side effects), constructors, dispatch on the runtime class, method invocations.

use super::state::{forget_collections, join};
use super::value::{element_type, grown, initial, Instance, Val, MUTATORS};
use super::{Ctx, Flow, Frame, Job, Pending, Thrown, Var, Walked, Walker, EITHER, LIKELY, MAX_DEPTH, MAX_VISITS, RARE};
use crate::apex::estimate::model::lower;
use std::collections::HashMap;
use tree_sitter::Node;

impl<'i, 'p> Walker<'i, 'p> {
    /// Class initialisation: field initialisers count once any member of the class runs.
    pub(super) fn load(&mut self, ctx: &mut Ctx, ci: usize) {
        let level = ctx.level();
        let class = &self.idx.classes[ci];
        if let Some(&was) = ctx.loaded.get(&ci) {
            if was > level {
                // Initialised under a doubt and now used for sure: its lines are as sure.
                ctx.loaded.insert(ci, level);
                let decls: Vec<Node> = class.fields.iter().filter(|f| f.value.is_some()).map(|f| f.decl).collect();
                for d in decls.into_iter().chain(class.static_blocks.iter().copied()) {
                    self.mark_subtree(d, level);
                }
            }
            return;
        }
        ctx.loaded.insert(ci, level);
        let decls: Vec<Node> = class.fields.iter().filter(|f| f.value.is_some()).map(|f| f.decl).collect();
        for d in decls {
            self.mark(ctx, d);
        }
        if let Some(o) = class.outer {
            self.load(ctx, o);
        }
        for b in class.static_blocks.clone() {
            let mut frame = Frame {
                class: Some(ci),
                src: class.src,
                scopes: vec![HashMap::new()],
                in_test: class.is_test,
                this_class: None,
                this_obj: None,
                raised: 0,
                accessor: None,
            };
            let _ = self.run_body(ctx, &mut frame, b);
        }
    }

    /// Walks a method, trigger or initialiser body in its own frame; the doubts raised inside
    /// end with it.
    pub(super) fn run_body(&mut self, ctx: &mut Ctx, frame: &mut Frame, body: Node) -> Flow {
        ctx.depth += 1;
        let flow = self.block(ctx, frame, body);
        ctx.depth -= 1;
        ctx.doubt[0] = ctx.doubt[0].saturating_sub(frame.raised);
        match flow {
            Flow::Return(_) if frame.raised > 0 => Flow::Return(Val::Unknown),
            // A throw after an arm that may have returned: the call may also return normally.
            Flow::Throw if frame.raised > 0 => {
                ctx.maybe_threw += 1;
                ctx.effects += 1;
                Flow::Return(Val::Unknown)
            }
            other => other,
        }
    }

    /// Runs a property accessor body (`value` bound for a setter); inside it the property's
    /// name is the stored value.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_accessor(
        &mut self,
        ctx: &mut Ctx,
        owner: usize,
        body: Node,
        this: (Option<usize>, Option<usize>),
        prop: &str,
        value: Option<Val>,
    ) -> Walked {
        if ctx.depth >= MAX_DEPTH || ctx.steps >= ctx.budget {
            ctx.truncated += 1;
            self.mark_subtree(body, RARE);
            return Ok(Val::Unknown);
        }
        self.load(ctx, owner);
        let class = &self.idx.classes[owner];
        let mut scope = HashMap::new();
        if let Some(v) = value {
            scope.insert("value".to_string(), Var { ty: String::new(), val: v });
        }
        let mut frame = Frame {
            class: Some(owner),
            src: class.src,
            scopes: vec![scope],
            in_test: class.is_test,
            this_class: this.0,
            this_obj: this.1,
            raised: 0,
            accessor: Some(prop.to_string()),
        };
        match self.run_body(ctx, &mut frame, body) {
            Flow::Return(v) => Ok(v),
            Flow::Throw => Err(Thrown),
            _ => Ok(Val::Unknown),
        }
    }

    /// Calls each possible implementation under a doubt (the one there is: [`LIKELY`]; one of
    /// several, or one a custom metadata record of the package does not name: [`EITHER`]).
    fn dispatch(&mut self, ctx: &mut Ctx, f: &mut Frame, impls: Vec<(usize, usize, usize)>, args: &[Val]) -> Val {
        self.dispatch_on(ctx, f, impls, args, None, LIKELY)
    }

    /// [`Self::dispatch`] on a known instance, with the level a lone candidate gets.
    fn dispatch_on(
        &mut self,
        ctx: &mut Ctx,
        f: &mut Frame,
        impls: Vec<(usize, usize, usize)>,
        args: &[Val],
        obj: Option<usize>,
        lone: u8,
    ) -> Val {
        let pre = self.snap(ctx, f);
        let mut ends = Vec::new();
        let many = impls.len() > 1;
        let named = |w: &Self, c: usize| w.idx.cmdt_strings.contains(&w.idx.classes[c].name.to_ascii_lowercase());
        // When the package's custom metadata names some of the candidates, those are what a
        // metadata-driven framework runs; the others only if the org's records name them.
        let any_named = many && impls.iter().any(|&(r, _, _)| named(self, r));
        for (i, (runtime, owner, m)) in impls.into_iter().enumerate() {
            if i > 0 {
                self.restore(ctx, f, &pre);
            }
            let level = match (many, named(self, runtime), any_named) {
                (false, _, _) => lone,
                (true, true, _) => LIKELY,
                (true, false, true) => RARE,
                (true, false, false) => EITHER,
            };
            ctx.open(level);
            ctx.next_this = Some(runtime);
            ctx.next_obj = obj;
            if self.call(ctx, owner, m, false, args.to_vec()).is_err() {
                ctx.maybe_threw += 1;
                ctx.effects += 1;
            }
            ctx.close(level);
            ends.push(self.snap(ctx, f));
        }
        if !ends.is_empty() {
            ends.push(pre.clone());
            let merged = join(&pre, &ends);
            self.restore(ctx, f, &merged);
        }
        Val::Unknown
    }

    /// Runs method `mi` of class `ci` (`ctor` picks constructors) with argument values.
    pub(super) fn call(&mut self, ctx: &mut Ctx, ci: usize, mi: usize, ctor: bool, args: Vec<Val>) -> Walked {
        let this = ctx.next_this.take();
        let obj = ctx.next_obj.take();
        let body = {
            let class = &self.idx.classes[ci];
            if ctor {
                class.ctors[mi].body
            } else {
                class.methods[mi].body
            }
        };
        if ctx.depth >= MAX_DEPTH || ctx.steps >= ctx.budget {
            ctx.truncated += 1;
            if let Some(b) = body {
                self.mark_subtree(b, RARE);
            }
            forget_collections(ctx);
            return Ok(Val::Unknown);
        }
        self.load(ctx, ci);
        // Memo: not during a dry run (its coverage marks are discarded), nor on instances
        // (their fields are mutable state the key does not hold).
        let key = if ctx.expect_throw || obj.is_some() || args.iter().any(|a| matches!(a, Val::Inst(_))) {
            None
        } else {
            let mut st: Vec<String> = ctx.statics.iter().map(|(k, v)| format!("{k:?}={v:?}")).collect();
            st.sort();
            // The mock's fields decide what its `respond` answers.
            let mut mock_fields: Vec<String> = ctx
                .mock_obj
                .and_then(|id| ctx.heap.get(id))
                .map(|i| i.fields.iter().map(|(k, v)| format!("{k}={v:?}")).collect())
                .unwrap_or_default();
            mock_fields.sort();
            st.extend(mock_fields);
            Some(format!(
                "{ci}:{mi}:{ctor}:{args:?}:{:?}:{:?}:{}:{:?}:{:?}:{:?}:{}:{}",
                ctx.mock,
                ctx.mock_status,
                ctx.mock_certain,
                ctx.force_throw,
                ctx.trigger_op,
                this,
                ctx.level(),
                st.join(",")
            ))
        };
        if let Some(hit) = key.as_ref().and_then(|k| self.memo.get(k)) {
            return hit.clone();
        }
        let visits = ctx.visits.entry((ci, mi, ctor)).or_default();
        *visits += 1;
        if *visits > MAX_VISITS {
            // Its lines were walked already (with other arguments): what only other arguments
            // would reach stays in the upper bound. Not reported as a truncated test.
            ctx.revisits += 1;
            if let Some(b) = body {
                self.mark_subtree(b, RARE);
            }
            forget_collections(ctx);
            return Ok(Val::Unknown);
        }
        let (effects0, truncated0) = (ctx.effects, ctx.truncated + ctx.revisits);
        ctx.next_this = this;
        ctx.next_obj = obj;
        let result = self.call_uncached(ctx, ci, mi, ctor, args);
        if let Some(k) = key {
            if ctx.effects == effects0 && ctx.truncated + ctx.revisits == truncated0 {
                self.memo.insert(k, result.clone());
            }
        }
        result
    }

    fn call_uncached(&mut self, ctx: &mut Ctx, ci: usize, mi: usize, ctor: bool, args: Vec<Val>) -> Walked {
        let class = &self.idx.classes[ci];
        let m = if ctor { &class.ctors[mi] } else { &class.methods[mi] };
        if !ctor && m.annotations.iter().any(|a| a == "future") && !class.is_test {
            ctx.effects += 1;
            let level = ctx.level();
            ctx.pending.push(Pending { job: Job::Future(ci, mi, args), level });
            ctx.next_this = None;
            ctx.next_obj = None;
            return Ok(Val::Unknown);
        }
        let Some(body) = m.body else {
            ctx.next_this = None;
            ctx.next_obj = None;
            return Ok(Val::Unknown);
        };
        let mut scope = HashMap::new();
        for (i, (name, ty)) in m.params.iter().enumerate() {
            scope.insert(name.clone(), Var { ty: ty.clone(), val: args.get(i).cloned().unwrap_or(Val::Unknown) });
        }
        let this_class = ctx.next_this.take().or(if ctor { Some(ci) } else { None });
        let this_obj = ctx.next_obj.take();
        let mut frame = Frame {
            class: Some(ci),
            src: class.src,
            scopes: vec![scope],
            in_test: class.is_test,
            this_class,
            this_obj,
            raised: 0,
            accessor: None,
        };
        let flow = self.run_body(ctx, &mut frame, body);
        match flow {
            Flow::Return(v) => Ok(v),
            Flow::Throw => Err(Thrown),
            _ => Ok(match (ctor, this_obj) {
                (true, Some(id)) => Val::Inst(id),
                (true, None) => Val::Obj(class.name.to_ascii_lowercase()),
                _ => Val::Unknown,
            }),
        }
    }

    pub(super) fn construct(&mut self, ctx: &mut Ctx, ci: usize, args: Vec<Val>, types: &[Option<String>]) -> Walked {
        self.load(ctx, ci);
        let arity = args.len();
        // Instance fields: literal initialisers known, others unknown, none null.
        let mut fields = HashMap::new();
        for c in self.lineage(ci, false) {
            let class = &self.idx.classes[c];
            for fl in class.fields.iter().filter(|fl| !fl.is_static) {
                let v = match fl.value {
                    Some(v) => initial(v, class.src),
                    None => Val::Null,
                };
                fields.entry(fl.name.clone()).or_insert(v);
            }
        }
        let id = ctx.heap.len();
        ctx.heap.push(Instance { class: ci, fields });
        let ctors: Vec<usize> = self.idx.classes[ci]
            .ctors
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                m.params.len() == arity
                    && m.params
                        .iter()
                        .enumerate()
                        .all(|(i, (_, p))| self.fits(p, &args[i], types.get(i).and_then(Option::as_ref)))
            })
            .map(|(k, _)| k)
            .collect();
        // A constructor that does not start with this(...) or super(...) first runs the
        // superclass's no-argument constructor, as does a class with no constructor.
        if ctors.is_empty() || ctors.iter().any(|&k| !self.explicit_ctor_call(ci, k)) {
            self.init_super(ctx, ci, ci, id)?;
        }
        match ctors.as_slice() {
            [] => {}
            [k] => {
                ctx.next_this = Some(ci);
                ctx.next_obj = Some(id);
                self.call(ctx, ci, *k, true, args)?;
            }
            // Constructors the arguments' types do not tell apart: either may run.
            many => {
                for &k in many {
                    ctx.open(EITHER);
                    ctx.next_this = Some(ci);
                    ctx.next_obj = Some(id);
                    if self.call(ctx, ci, k, true, args.clone()).is_err() {
                        ctx.maybe_threw += 1;
                        ctx.effects += 1;
                    }
                    ctx.close(EITHER);
                }
            }
        }
        Ok(Val::Inst(id))
    }

    /// Whether constructor `k` of class `ci` starts with `this(...)` or `super(...)`.
    fn explicit_ctor_call(&self, ci: usize, k: usize) -> bool {
        self.idx.classes[ci].ctors[k]
            .body
            .and_then(|b| b.named_child(0))
            .is_some_and(|s| s.kind() == "explicit_constructor_invocation")
    }

    /// Runs the no-argument constructor of `ci`'s superclass (and, before it, its own
    /// superclass's) on instance `id` of runtime class `runtime`.
    fn init_super(&mut self, ctx: &mut Ctx, ci: usize, runtime: usize, id: usize) -> Walked<()> {
        self.init_super_within(ctx, ci, runtime, id, 0)
    }

    /// [`Self::init_super`] `level` classes up the chain (a cyclic chain ends at 16).
    fn init_super_within(&mut self, ctx: &mut Ctx, ci: usize, runtime: usize, id: usize, level: usize) -> Walked<()> {
        let Some(sc) = self.idx.classes[ci].superclass.as_deref().and_then(|s| self.idx.class(s)) else {
            return Ok(());
        };
        if sc == ci || level > 16 || ctx.depth >= MAX_DEPTH {
            return Ok(());
        }
        let k = self.idx.classes[sc].ctors.iter().position(|m| m.params.is_empty());
        if k.is_none_or(|k| !self.explicit_ctor_call(sc, k)) {
            self.init_super_within(ctx, sc, runtime, id, level + 1)?;
        }
        if let Some(k) = k {
            ctx.next_this = Some(runtime);
            ctx.next_obj = Some(id);
            self.call(ctx, sc, k, true, Vec::new())?;
        }
        Ok(())
    }

    /// Calls `name/arity` on a job's object (its runtime class and instance).
    pub(super) fn call_on(&mut self, ctx: &mut Ctx, ci: usize, obj: Option<usize>, name: &str, args: Vec<Val>) -> bool {
        match self.find_method(ci, name, args.len()) {
            Some((c, m)) => {
                ctx.next_this = Some(ci);
                ctx.next_obj = obj;
                let _ = self.call(ctx, c, m, false, args);
                true
            }
            None => false,
        }
    }

    pub(super) fn invoke(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node) -> Walked {
        let src = f.src;
        let name = e.child_by_field_name("name").map(|n| lower(n, src)).unwrap_or_default();
        let obj = e.child_by_field_name("object");
        let on = obj.map(|o| lower(o, src).replace(char::is_whitespace, ""));
        let arg_nodes: Vec<Node> = e
            .child_by_field_name("arguments")
            .map(|a| {
                let mut c = a.walk();
                let v: Vec<Node> = a.named_children(&mut c).collect();
                v
            })
            .unwrap_or_default();
        if let Some(v) = self.platform_call(ctx, f, e, on.as_deref(), &name, &arg_nodes)? {
            return Ok(v);
        }
        // Resolve the receiver.
        let mut target_class: Option<usize> = None;
        let mut receiver_type: Option<String> = None;
        let mut receiver_val = Val::Unknown;
        let mut this_for_call: Option<usize> = None;
        let mut obj_for_call: Option<usize> = None;
        // Whether the class whose method runs is known (not only the receiver's static type).
        let mut exact = true;
        match obj {
            None => {
                target_class = f.this_class.or(f.class);
                this_for_call = f.this_class;
                obj_for_call = f.this_obj;
            }
            Some(o) => {
                let o_l = lower(o, src);
                if o_l == "this" {
                    target_class = f.this_class.or(f.class);
                    this_for_call = f.this_class;
                    obj_for_call = f.this_obj;
                } else if o_l == "super" {
                    target_class = f
                        .class
                        .and_then(|ci| self.idx.classes[ci].superclass.as_deref())
                        .and_then(|s| self.idx.class(s));
                    this_for_call = f.this_class;
                    obj_for_call = f.this_obj;
                } else if o.kind() == "identifier"
                    && Self::lookup(f, &o_l).is_none()
                    && f.class.and_then(|ci| self.field_owner(ci, &o_l)).is_none()
                {
                    // A class name: a static call.
                    target_class = self.idx.class(&o_l);
                    receiver_type = Some(o_l);
                } else if o.kind() == "field_access" && self.idx.class(&o_l).is_some() {
                    target_class = self.idx.class(&o_l);
                } else {
                    let ty = self.static_type(f, o);
                    let v = self.expr(ctx, f, o)?;
                    let from_val = self.val_class(ctx, &v);
                    if let Val::Inst(id) = v {
                        obj_for_call = Some(id);
                    }
                    match from_val {
                        Some((ci, c)) => {
                            target_class = Some(ci);
                            this_for_call = Some(ci);
                            receiver_type = Some(c);
                        }
                        None => {
                            exact = false;
                            if let Some(t) = ty.clone() {
                                target_class = self.idx.class(&t);
                            }
                            receiver_type = ty.or(v.type_name());
                        }
                    }
                    receiver_val = v;
                }
            }
        }
        let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
        if let Val::Coll(ty, items) = &receiver_val {
            match (name.as_str(), args.len()) {
                ("isempty", 0) => return Ok(Val::Bool(items.is_empty())),
                ("size", 0) => return Ok(Val::Num(items.len() as f64)),
                ("contains", 1) if items.iter().all(|i| matches!(i, Val::Str(_) | Val::Num(_) | Val::Bool(_))) => {
                    let hit = |x: &Val| match (x, &args[0]) {
                        (Val::Str(a), Val::Str(b)) => Some(a == b),
                        (a, b) if matches!(b, Val::Num(_) | Val::Bool(_)) => Some(a == b),
                        _ => None,
                    };
                    if items.is_empty() {
                        return Ok(Val::Bool(false));
                    }
                    if let Some(found) = items.iter().map(hit).try_fold(false, |acc, h| h.map(|h| acc || h)) {
                        return Ok(Val::Bool(found));
                    }
                    return Ok(Val::Unknown);
                }
                ("get", 1) => {
                    if let Some(Val::Num(i)) = args.first() {
                        return Ok(items.get(*i as usize).cloned().unwrap_or(Val::Unknown));
                    }
                    return Ok(Val::Unknown);
                }
                (m, _) if MUTATORS.contains(&m) => {
                    // A List<SObject> that receives records of one type holds that type (for the
                    // triggers its DML or publish fires).
                    let elem = element_type(ty);
                    let ty = match args.first().and_then(Val::type_name) {
                        Some(t) if elem == "sobject" && m == "add" && args.len() == 1 => format!("list<{t}>"),
                        _ => ty.clone(),
                    };
                    // Adding to a collection of known elements held by a variable or field keeps
                    // it known: a list grows by the element (`add`) or the elements (`addAll` of a
                    // known collection); a set by an element it cannot already hold. Any other
                    // change leaves its size unknown.
                    if let Some(o) = obj.filter(|o| matches!(o.kind(), "identifier" | "field_access")) {
                        if let Some((grown, ret)) = grown(&ty, items, m, &args) {
                            self.assign(ctx, f, o, Val::Coll(ty, grown));
                            return Ok(ret);
                        }
                    }
                    if let Some(o) = obj {
                        self.assign(ctx, f, o, Val::Obj(ty));
                    }
                    if m != "sort" {
                        return Ok(Val::Unknown);
                    }
                }
                _ => {}
            }
        }
        // A collection handed to package code may be changed there: the caller no longer knows
        // its size.
        for (node, v) in arg_nodes.iter().zip(&args) {
            if let (Val::Coll(ty, _), "identifier" | "field_access") = (v, node.kind()) {
                if target_class.is_some() || receiver_type.is_some() {
                    self.assign(ctx, f, *node, Val::Obj(ty.clone()));
                }
            }
        }
        if name == "send" && receiver_type.as_deref().is_some_and(|t| t == "http" || t == "system.http") {
            // An exception the mock's `respond` throws reaches the caller of `Http.send`, as in
            // Apex (a mock that times out, for example).
            self.callout(ctx, e, f)?;
            return Ok(Val::Obj("httpresponse".into()));
        }
        if name == "getstatuscode"
            && receiver_type.as_deref().is_some_and(|t| t == "httpresponse" || t == "system.httpresponse")
        {
            return Ok(ctx.mock_status.map_or(Val::Unknown, Val::Num));
        }
        if let Some(v) =
            self.platform_callback(ctx, f, &name, &receiver_val, receiver_type.as_deref(), &arg_nodes, &args)?
        {
            return Ok(v);
        }
        if !exact {
            // Only the static type is known: any package implementation may be what runs.
            if let Some(ty) = receiver_type.clone() {
                let impls = self.implementations(&ty, &name, args.len());
                let only_own = impls.len() == 1 && Some(impls[0].0) == target_class;
                if !impls.is_empty() && !only_own {
                    return Ok(self.dispatch(ctx, f, impls, &args));
                }
            }
        }
        let Some(ci) = target_class else { return Ok(Val::Unknown) };
        let types: Vec<Option<String>> = arg_nodes.iter().map(|a| self.static_type(f, *a)).collect();
        let overloads = self.overloads(ci, &name, &args, &types);
        match overloads.as_slice() {
            [] => Ok(Val::Unknown),
            [(c, m)] => {
                ctx.next_this = this_for_call;
                ctx.next_obj = obj_for_call;
                self.call(ctx, *c, *m, false, args)
            }
            // Overloads the walk cannot tell apart by the arguments' types: either may run.
            many => {
                let impls: Vec<(usize, usize, usize)> =
                    many.iter().map(|&(c, m)| (this_for_call.unwrap_or(c), c, m)).collect();
                let saved = obj_for_call;
                Ok(self.dispatch_on(ctx, f, impls, &args, saved, EITHER))
            }
        }
    }
}
