//! The symbolic test walker: runs every test method over the syntax trees, marking the
//! executable lines it reaches (rules in the parent module's doc).

use super::model::{lower, text, type_text, unquote, Index};
use crate::apex::coverage::TestMethod;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use tree_sitter::Node;

const MAX_DEPTH: usize = 40;
const MAX_STEPS: usize = 20_000;
/// Steps over all tests after which each further test gets only [`LATE_STEPS`]; the guide
/// fixtures' tests take under 500 steps each.
const TOTAL_STEPS: usize = 3_000_000;
const LATE_STEPS: usize = 2_000;
/// Walks of one method per test; more only re-walk the same lines with other arguments.
const MAX_VISITS: usize = 6;
/// Iterations of a counted `for` loop walked one by one (see `Walker::unrolled`).
const MAX_UNROLL: usize = 8;

/// How sure the walk is that a line it reached runs: the lines of a unit are classed by the
/// best level any walk reached them at.
pub(super) const CERTAIN: u8 = 0;
/// Reached under a doubt that usually resolves towards running: a loop body over a collection
/// of unknown size, the code after an early `return` on an unknown value, the one package
/// implementation of an interface (or the one a custom metadata record of the package names).
pub(super) const LIKELY: u8 = 1;
/// An arm of a branch on a value the walk cannot evaluate.
pub(super) const EITHER: u8 = 2;
/// Reachable only through what the walk cannot see happening: a `catch` when nothing in the
/// `try` is seen to throw, DML on records of unknown type firing a trigger, an implementation
/// no custom metadata record names when another one is named, code beyond a walk's limits,
/// async work never followed by `Test.stopTest()`.
pub(super) const RARE: u8 = 3;

/// What the walk found.
pub(super) struct WalkResult {
    /// Per unit: line → best level it was reached at.
    pub lines: HashMap<usize, HashMap<usize, u8>>,
    /// Lower-case trigger name → best level it was fired at.
    pub fired: HashMap<String, u8>,
    pub tests: Vec<TestMethod>,
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Unknown,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// An object of a known type (lower-case type name).
    Obj(String),
    /// An instance of a package class: index into [`Ctx::heap`].
    Inst(usize),
    /// A `System.Type`: the package class it names (`Type.forName('X')`, `X.class`), or
    /// `None` when the name is only known at run time.
    Type(Option<usize>),
    /// A list or set (lower-case type) whose elements are known in number: a literal
    /// `new List<X>{ ... }`, an empty `new List<X>()`, or `Trigger.new` of a known DML. Any
    /// change to it makes it an [`Val::Obj`].
    Coll(String, Vec<Val>),
    /// An SObject record (lower-case type) and the fields known to be set on it
    /// (`new Account(Name = 'x')`, `a.Industry = 'y'`).
    Rec(String, BTreeMap<String, Val>),
}

impl Val {
    /// The lower-case type of a value that has one.
    fn type_name(&self) -> Option<String> {
        match self {
            Val::Obj(t) | Val::Coll(t, _) | Val::Rec(t, _) => Some(t.clone()),
            _ => None,
        }
    }
}

/// An arm of a branch: its statement (none: the empty arm of an `if` without `else`) and the
/// `catch` parameter it declares (name, type).
type Arm<'t> = (Option<Node<'t>>, Param);
/// A `catch` parameter: (name, type).
type Param = Option<(String, String)>;

/// List/Set/Map methods that change the collection.
const MUTATORS: &[&str] =
    &["add", "addall", "put", "putall", "remove", "removeall", "retainall", "clear", "set", "sort"];

/// A package-class object created during a test: its class and known field values.
#[derive(Clone)]
struct Instance {
    class: usize,
    fields: HashMap<String, Val>,
}

#[derive(Debug)]
enum Flow {
    Normal,
    Return(Val),
    Throw,
    Break,
    Continue,
}

#[derive(Clone)]
struct Var {
    ty: String,
    val: Val,
}

struct Frame<'a> {
    class: Option<usize>,
    src: &'a str,
    scopes: Vec<HashMap<String, Var>>,
    in_test: bool,
    /// The runtime class of `this` (a subclass when a base-class method runs).
    this_class: Option<usize>,
    /// The instance `this` is, when known.
    this_obj: Option<usize>,
    /// [`LIKELY`] doubts raised for the rest of this body because an arm on an unknown
    /// value left it early (returned, threw, broke out): lowered again when the body ends.
    raised: u32,
    /// The property whose `get`/`set` body this is: inside it, the name is the stored value.
    accessor: Option<String>,
}

/// Async work queued by a test, run at `Test.stopTest()` (events also at
/// `Test.getEventBus().deliver()`).
#[derive(Clone)]
enum Job {
    /// `System.enqueueJob`: the class and the instance.
    Queueable(usize, Option<usize>),
    /// An `@future` method and its arguments.
    Future(usize, usize, Vec<Val>),
    /// `Database.executeBatch`: start, execute, finish.
    Batch(usize, Option<usize>),
    /// `System.schedule`: execute.
    Schedule(usize, Option<usize>),
    /// `System.attachFinalizer`: execute, after the Queueable that attached it.
    Finalizer(usize, Option<usize>),
    /// `EventBus.publish` of a platform event (lower-case object; empty when its type is not
    /// known): its `after insert` triggers, then the publish callback's `onSuccess` (class and
    /// instance), if one was given.
    Event(String, Option<(usize, Option<usize>)>, Option<Vec<Val>>),
}

#[derive(Clone)]
struct Pending {
    job: Job,
    /// The doubt level it was queued at.
    level: u8,
}

/// The mutable state an arm of a branch can change, to run the other arms from the same start
/// and to merge them afterwards (a value the arms disagree on becomes unknown).
#[derive(Clone)]
struct Snap {
    scopes: Vec<HashMap<String, Var>>,
    statics: HashMap<(usize, String), Val>,
    heap: Vec<HashMap<String, Val>>,
    mock: Option<String>,
    mock_status: Option<f64>,
    mock_certain: bool,
    mock_obj: Option<usize>,
}

#[derive(Clone)]
struct Ctx {
    statics: HashMap<(usize, String), Val>,
    /// Classes initialised in this test, with the best level they were at.
    loaded: HashMap<usize, u8>,
    pending: Vec<Pending>,
    mock: Option<String>,
    mock_status: Option<f64>,
    /// Whether the mock was set on every path to here.
    mock_certain: bool,
    /// The mock instance given to `Test.setMock`, when the test built it: `respond` runs on it,
    /// so the fields its constructor set are known.
    mock_obj: Option<usize>,
    asserted: bool,
    /// Dry run inside a test's `try { call(); Assert.fail(); }`: record unknown throwing ifs.
    expect_throw: bool,
    /// Unknown throwing `if`s met during the dry run (node ids, in order).
    candidates: Vec<usize>,
    /// The `if` the real run takes because the test proves the call throws.
    force_throw: Option<usize>,
    /// Counts side effects beyond coverage (static writes, queued jobs, DML, asserts ...):
    /// a call that caused none may be memoised.
    effects: usize,
    /// Counts walks cut short by the depth or step limits (never memoised; reported).
    truncated: usize,
    /// Counts calls not walked again because of the visit limit (never memoised).
    revisits: usize,
    /// Counts throws on a path the walk is not sure of (a `catch` may run).
    maybe_threw: usize,
    /// Open doubts per level ([`LIKELY`], [`EITHER`], [`RARE`]).
    doubt: [u32; 3],
    /// Walks per method in this test (capped at MAX_VISITS).
    visits: HashMap<(usize, usize, bool), usize>,
    /// Steps this test may take.
    budget: usize,
    /// The trigger event being run (`after_insert` ...), also inside classes it calls.
    trigger_op: Option<&'static str>,
    /// The records of the DML that fired the running trigger, when known.
    trigger_records: Option<Vec<Val>>,
    /// The runtime class of `this` for the next call (set by the caller).
    next_this: Option<usize>,
    /// The instance `this` is for the next call (set by the caller).
    next_obj: Option<usize>,
    /// Objects created in this test.
    heap: Vec<Instance>,
    unmocked: Vec<(String, usize)>,
    /// Triggers fired for DML on records of unknown type in this test (once each).
    untyped_fired: HashSet<(usize, &'static str)>,
    depth: usize,
    steps: usize,
}

impl Ctx {
    /// The level a line reached now is at: the worst open doubt.
    fn level(&self) -> u8 {
        if self.doubt[2] > 0 {
            RARE
        } else if self.doubt[1] > 0 {
            EITHER
        } else if self.doubt[0] > 0 {
            LIKELY
        } else {
            CERTAIN
        }
    }

    fn open(&mut self, level: u8) {
        if level > CERTAIN {
            self.doubt[usize::from(level - 1)] += 1;
        }
    }

    fn close(&mut self, level: u8) {
        if level > CERTAIN {
            let d = &mut self.doubt[usize::from(level - 1)];
            *d = d.saturating_sub(1);
        }
    }
}

struct Walker<'i, 'p> {
    idx: &'i Index<'p>,
    lines: HashMap<usize, HashMap<usize, u8>>,
    fired: HashMap<String, u8>,
    /// Results of calls without side effects, by callee, arguments and the state they read.
    memo: HashMap<String, Result<Val, ()>>,
    /// Statement lines under a node (for code a walk cannot enter), by node id.
    subtree: HashMap<usize, Vec<(usize, usize)>>,
    /// Package classes that are a subtype of a type (lower-case base name).
    subtypes: HashMap<String, Vec<usize>>,
    total_steps: usize,
}

pub(super) fn run(idx: &Index) -> WalkResult {
    let mut w = Walker {
        idx,
        lines: HashMap::new(),
        fired: HashMap::new(),
        memo: HashMap::new(),
        subtree: HashMap::new(),
        subtypes: HashMap::new(),
        total_steps: 0,
    };
    let mut tests = Vec::new();
    for (ci, class) in idx.classes.iter().enumerate() {
        if !class.is_test {
            continue;
        }
        let setups: Vec<usize> = (0..class.methods.len()).filter(|&m| class.methods[m].is_setup).collect();
        for (mi, m) in class.methods.iter().enumerate() {
            if !m.is_test {
                continue;
            }
            let mut ctx = new_ctx();
            ctx.budget = if w.total_steps > TOTAL_STEPS { LATE_STEPS } else { MAX_STEPS };
            for &s in &setups {
                let _ = w.call(&mut ctx, ci, s, false, Vec::new());
                // Async work a @TestSetup queues runs when the setup method ends.
                w.run_pending(&mut ctx, |_| true);
            }
            ctx.asserted = false;
            ctx.mock = None;
            ctx.mock_status = None;
            ctx.mock_certain = true;
            ctx.mock_obj = None;
            ctx.pending.clear();
            ctx.unmocked.clear();
            ctx.doubt = [0; 3];
            let _ = w.call(&mut ctx, ci, mi, false, Vec::new());
            // Work still queued (no later Test.stopTest()): whether the platform runs it when
            // the test method ends is not relied on, so it only widens the upper bound.
            ctx.doubt = [0; 3];
            ctx.open(RARE);
            w.run_pending(&mut ctx, |_| true);
            ctx.close(RARE);
            w.total_steps += ctx.steps;
            tests.push(TestMethod {
                class: class.name.clone(),
                method: text_name(m),
                file: idx.units[class.unit].file.clone(),
                line: m.line,
                asserts: ctx.asserted,
                see_all_data: m.see_all_data || class.see_all_data,
                unmocked_callouts: ctx.unmocked,
                truncated: ctx.truncated > 0,
            });
        }
    }
    WalkResult { lines: w.lines, fired: w.fired, tests }
}

fn text_name(m: &super::model::Method) -> String {
    m.display_name.clone()
}

fn new_ctx() -> Ctx {
    Ctx {
        statics: HashMap::new(),
        loaded: HashMap::new(),
        pending: Vec::new(),
        mock: None,
        mock_status: None,
        mock_certain: true,
        mock_obj: None,
        asserted: false,
        expect_throw: false,
        candidates: Vec::new(),
        force_throw: None,
        effects: 0,
        truncated: 0,
        revisits: 0,
        maybe_threw: 0,
        doubt: [0; 3],
        visits: HashMap::new(),
        budget: MAX_STEPS,
        trigger_op: None,
        trigger_records: None,
        next_this: None,
        next_obj: None,
        heap: Vec::new(),
        unmocked: Vec::new(),
        untyped_fired: HashSet::new(),
        depth: 0,
        steps: 0,
    }
}

fn truth(v: &Val) -> Option<bool> {
    match v {
        Val::Bool(b) => Some(*b),
        _ => None,
    }
}

/// The records a DML statement passes to its triggers, when known: one record, or a list of
/// known size.
fn records_of(v: &Val) -> Option<Vec<Val>> {
    match v {
        Val::Rec(..) => Some(vec![v.clone()]),
        Val::Coll(_, items) => Some(items.clone()),
        _ => None,
    }
}

/// The SObject or class a DML target or collection holds: `list<contact>` → `contact`.
fn element_type(ty: &str) -> String {
    let t = ty.trim_end_matches("[]");
    for p in ["list<", "set<"] {
        if let Some(inner) = t.strip_prefix(p) {
            return inner.trim_end_matches('>').to_string();
        }
    }
    t.to_string()
}

fn contains_kind(n: Node, pred: &dyn Fn(Node) -> bool) -> bool {
    if pred(n) {
        return true;
    }
    let mut c = n.walk();
    let found = n.named_children(&mut c).any(|ch| contains_kind(ch, pred));
    found
}

/// Strips generics, array brackets and a `system.` namespace: `system.comparator<account>` →
/// `comparator`.
fn base_type(ty: &str) -> &str {
    let t = ty.split('<').next().unwrap_or(ty).trim_end_matches("[]");
    t.strip_prefix("system.").unwrap_or(t)
}

impl<'i, 'p> Walker<'i, 'p> {
    fn record(&mut self, unit: usize, line: usize, level: u8) {
        let best = self.lines.entry(unit).or_default().entry(line).or_insert(level);
        if level < *best {
            *best = level;
        }
    }

    fn mark(&mut self, ctx: &Ctx, n: Node) {
        let level = ctx.level();
        if let Some((unit, lines)) = self.idx.stmt_lines.get(&n.id()) {
            for &l in lines {
                self.record(*unit, l, level);
            }
        }
    }

    /// Marks every statement under `n` at `level` without walking it (code the walk cannot
    /// enter: beyond its limits, or re-reached at a better level).
    fn mark_subtree(&mut self, n: Node, level: u8) {
        if !self.subtree.contains_key(&n.id()) {
            let mut out = Vec::new();
            let mut stack = vec![n];
            while let Some(x) = stack.pop() {
                if let Some((unit, lines)) = self.idx.stmt_lines.get(&x.id()) {
                    out.extend(lines.iter().map(|&l| (*unit, l)));
                }
                let mut c = x.walk();
                stack.extend(x.named_children(&mut c));
            }
            self.subtree.insert(n.id(), out);
        }
        let lines = self.subtree.get(&n.id()).cloned().unwrap_or_default();
        for (u, l) in lines {
            self.record(u, l, level);
        }
    }

    fn fire(&mut self, trigger: &str, level: u8) {
        let best = self.fired.entry(trigger.to_string()).or_insert(level);
        if level < *best {
            *best = level;
        }
    }

    /// Class initialisation: field initialisers count once any member of the class runs.
    fn load(&mut self, ctx: &mut Ctx, ci: usize) {
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
    fn run_body(&mut self, ctx: &mut Ctx, frame: &mut Frame, body: Node) -> Flow {
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

    fn static_default(&self, ci: usize, field: &str) -> Option<Val> {
        let f = self.idx.classes[ci].fields.iter().find(|f| f.name == field && f.is_static)?;
        let src = self.idx.classes[ci].src;
        Some(match f.value {
            Some(v) => initial(v, src),
            None => Val::Null,
        })
    }

    fn read_static(&mut self, ctx: &mut Ctx, ci: usize, field: &str) -> Option<Val> {
        self.load(ctx, ci);
        if let Some(v) = ctx.statics.get(&(ci, field.to_string())) {
            return Some(v.clone());
        }
        self.static_default(ci, field)
    }

    /// Finds a field through the class, its outer classes and superclasses.
    fn field_owner(&self, ci: usize, field: &str) -> Option<(usize, String, bool)> {
        let mut cur = Some(ci);
        let mut guard = 0;
        while let Some(c) = cur {
            guard += 1;
            if guard > 16 {
                break;
            }
            let class = &self.idx.classes[c];
            if let Some(f) = class.fields.iter().find(|f| f.name == field) {
                return Some((c, f.ty.clone(), f.is_static));
            }
            cur = class.superclass.as_deref().and_then(|s| self.idx.class(s)).or(class.outer);
        }
        None
    }

    /// The `get { }` (or `set { }`) body of property `field` of class `ci` or a class it
    /// inherits it from: (owner class, body).
    fn accessor_of(&self, ci: usize, field: &str, get: bool) -> Option<(usize, Node<'p>)> {
        let mut cur = Some(ci);
        let mut guard = 0;
        while let Some(c) = cur {
            guard += 1;
            if guard > 16 {
                break;
            }
            let class = &self.idx.classes[c];
            if let Some(f) = class.fields.iter().find(|f| f.name == field) {
                return if get { f.getter } else { f.setter }.map(|b| (c, b));
            }
            cur = class.superclass.as_deref().and_then(|s| self.idx.class(s)).or(class.outer);
        }
        None
    }

    /// Runs a property accessor body (`value` bound for a setter); inside it the property's
    /// name is the stored value.
    #[allow(clippy::too_many_arguments)]
    fn run_accessor(
        &mut self,
        ctx: &mut Ctx,
        owner: usize,
        body: Node,
        this: (Option<usize>, Option<usize>),
        prop: &str,
        value: Option<Val>,
    ) -> Result<Val, ()> {
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
            Flow::Throw => Err(()),
            _ => Ok(Val::Unknown),
        }
    }

    fn find_method(&self, ci: usize, name: &str, arity: usize) -> Option<(usize, usize)> {
        let mut cur = Some(ci);
        let mut guard = 0;
        while let Some(c) = cur {
            guard += 1;
            if guard > 16 {
                break;
            }
            let class = &self.idx.classes[c];
            if let Some(m) = class.methods.iter().position(|m| m.name == name && m.params.len() == arity) {
                return Some((c, m));
            }
            cur = class.superclass.as_deref().and_then(|s| self.idx.class(s)).or(class.outer);
        }
        None
    }

    /// The overloads `name/arity` of class `ci` (nearest class first, an override hiding the
    /// method it overrides) whose parameter types the arguments fit.
    fn overloads(&self, ci: usize, name: &str, args: &[Val], types: &[Option<String>]) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut seen: Vec<Vec<String>> = Vec::new();
        let mut cur = Some(ci);
        let mut guard = 0;
        while let Some(c) = cur {
            guard += 1;
            if guard > 16 {
                break;
            }
            let class = &self.idx.classes[c];
            for (mi, m) in class.methods.iter().enumerate() {
                if m.name != name || m.params.len() != args.len() {
                    continue;
                }
                let sig: Vec<String> = m.params.iter().map(|(_, t)| t.clone()).collect();
                if seen.contains(&sig) {
                    continue;
                }
                seen.push(sig);
                if m.params
                    .iter()
                    .enumerate()
                    .all(|(i, (_, p))| self.fits(p, &args[i], types.get(i).and_then(Option::as_ref)))
                {
                    out.push((c, mi));
                }
            }
            cur = class.superclass.as_deref().and_then(|s| self.idx.class(s)).or(class.outer);
        }
        out
    }

    /// Whether an argument (its value, or its static type) can be passed to a parameter of
    /// type `param`; true unless a mismatch is certain.
    fn fits(&self, param: &str, v: &Val, ty: Option<&String>) -> bool {
        let p = base_type(param);
        if p == "object" {
            return true;
        }
        let prim = |t: &str| {
            matches!(
                t,
                "string"
                    | "id"
                    | "integer"
                    | "long"
                    | "decimal"
                    | "double"
                    | "boolean"
                    | "date"
                    | "datetime"
                    | "time"
                    | "blob"
            )
        };
        let number = |t: &str| matches!(t, "integer" | "long" | "decimal" | "double");
        let known: Option<String> = match v {
            Val::Str(_) => Some("string".into()),
            Val::Num(_) => Some("integer".into()),
            Val::Bool(_) => Some("boolean".into()),
            Val::Inst(_) | Val::Obj(_) | Val::Rec(..) | Val::Coll(..) => v.type_name().or_else(|| ty.cloned()),
            Val::Null => return true,
            _ => ty.cloned(),
        };
        let Some(t) = known else { return true };
        let t = base_type(&t).to_string();
        if t == p {
            return true;
        }
        match (prim(&t), prim(p)) {
            (true, true) => (number(&t) && number(p)) || (t == "string" && p == "id") || (t == "id" && p == "string"),
            // Enum values are strings to the walk (Trigger.operationType, switch labels).
            (true, false) => t == "string" && matches!(v, Val::Str(_)),
            (false, true) => false,
            (false, false) => match (self.idx.class(&t), self.idx.class(p)) {
                (Some(a), Some(_)) => self.is_subtype(a, p),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                // Platform types: only an exception against a non-exception is told apart.
                (None, None) => p.ends_with("exception") == t.ends_with("exception"),
            },
        }
    }

    /// Whether class `ci` is `ty` or extends or implements it (lower-case base name).
    fn is_subtype(&self, ci: usize, ty: &str) -> bool {
        self.is_subtype_within(ci, ty, 0)
    }

    /// [`Self::is_subtype`] at a nesting of interface hierarchies (cycles end at 16).
    fn is_subtype_within(&self, ci: usize, ty: &str, nesting: usize) -> bool {
        if nesting > 16 {
            return false;
        }
        let mut cur = Some(ci);
        let mut guard = 0;
        while let Some(c) = cur {
            guard += 1;
            if guard > 16 {
                return false;
            }
            let class = &self.idx.classes[c];
            if class.name.eq_ignore_ascii_case(ty) || class.interfaces.iter().any(|i| base_type(i) == ty) {
                return true;
            }
            // Interfaces extending interfaces (`interface B extends A`).
            if class
                .interfaces
                .iter()
                .filter_map(|i| self.idx.class(base_type(i)))
                .any(|i| i != c && self.is_subtype_within(i, ty, nesting + 1))
            {
                return true;
            }
            cur = class.superclass.as_deref().and_then(|s| self.idx.class(s));
        }
        false
    }

    /// Package classes that are `ty` or one of its subtypes, with a body for `name/arity`:
    /// the methods a call on a receiver of static type `ty` may run.
    fn implementations(&mut self, ty: &str, name: &str, arity: usize) -> Vec<(usize, usize, usize)> {
        let base = base_type(ty).to_string();
        if !self.subtypes.contains_key(&base) {
            let subs: Vec<usize> = (0..self.idx.classes.len())
                .filter(|&c| !self.idx.classes[c].is_test && self.is_subtype(c, &base))
                .collect();
            self.subtypes.insert(base.clone(), subs);
        }
        let mut out: Vec<(usize, usize, usize)> = Vec::new();
        for &c in self.subtypes.get(&base).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some((owner, m)) = self.find_method(c, name, arity) {
                if self.idx.classes[owner].methods[m].body.is_some()
                    && !out.iter().any(|&(_, o, mm)| o == owner && mm == m)
                {
                    out.push((c, owner, m));
                }
            }
        }
        out
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
    fn call(&mut self, ctx: &mut Ctx, ci: usize, mi: usize, ctor: bool, args: Vec<Val>) -> Result<Val, ()> {
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

    fn call_uncached(&mut self, ctx: &mut Ctx, ci: usize, mi: usize, ctor: bool, args: Vec<Val>) -> Result<Val, ()> {
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
            Flow::Throw => Err(()),
            _ => Ok(match (ctor, this_obj) {
                (true, Some(id)) => Val::Inst(id),
                (true, None) => Val::Obj(class.name.to_ascii_lowercase()),
                _ => Val::Unknown,
            }),
        }
    }

    fn construct(&mut self, ctx: &mut Ctx, ci: usize, args: Vec<Val>, types: &[Option<String>]) -> Result<Val, ()> {
        self.load(ctx, ci);
        let arity = args.len();
        // Instance fields: literal initialisers known, others unknown, none null.
        let mut fields = HashMap::new();
        let mut chain = Some(ci);
        let mut guard = 0;
        while let Some(c) = chain {
            guard += 1;
            if guard > 16 {
                break;
            }
            let class = &self.idx.classes[c];
            for fl in class.fields.iter().filter(|fl| !fl.is_static) {
                let v = match fl.value {
                    Some(v) => initial(v, class.src),
                    None => Val::Null,
                };
                fields.entry(fl.name.clone()).or_insert(v);
            }
            chain = class.superclass.as_deref().and_then(|s| self.idx.class(s));
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
    fn init_super(&mut self, ctx: &mut Ctx, ci: usize, runtime: usize, id: usize) -> Result<(), ()> {
        self.init_super_within(ctx, ci, runtime, id, 0)
    }

    /// [`Self::init_super`] `level` classes up the chain (a cyclic chain ends at 16).
    fn init_super_within(
        &mut self,
        ctx: &mut Ctx,
        ci: usize,
        runtime: usize,
        id: usize,
        level: usize,
    ) -> Result<(), ()> {
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

    /// Runs the queued jobs `which` selects (all at `Test.stopTest()`, events only at
    /// `Test.getEventBus().deliver()`), each at the level it was queued at or worse.
    fn run_pending(&mut self, ctx: &mut Ctx, which: fn(&Job) -> bool) {
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

    /// Calls `name/arity` on a job's object (its runtime class and instance).
    fn call_on(&mut self, ctx: &mut Ctx, ci: usize, obj: Option<usize>, name: &str, args: Vec<Val>) -> bool {
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
    fn fire_triggers(&mut self, ctx: &mut Ctx, sobject: &str, op: &str, records: Option<Vec<Val>>) {
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

    fn snap(&self, ctx: &Ctx, f: &Frame) -> Snap {
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

    fn restore(&self, ctx: &mut Ctx, f: &mut Frame, s: &Snap) {
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

    fn block(&mut self, ctx: &mut Ctx, f: &mut Frame, n: Node) -> Flow {
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
                    Err(()) => return Flow::Throw,
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
                    Err(()) => return Flow::Throw,
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
                        Err(()) => {
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
                    Err(()) => return Flow::Throw,
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

    fn args(&mut self, ctx: &mut Ctx, f: &mut Frame, list: Option<Node>) -> Result<Vec<Val>, ()> {
        let mut out = Vec::new();
        if let Some(l) = list {
            let mut c = l.walk();
            let items: Vec<Node> = l.named_children(&mut c).collect();
            for a in items {
                out.push(self.expr(ctx, f, a)?);
            }
        }
        Ok(out)
    }

    fn lookup<'a>(f: &'a Frame, name: &str) -> Option<&'a Var> {
        f.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// The static type of an expression (lower case), when it can be told.
    fn static_type(&self, f: &Frame, e: Node) -> Option<String> {
        let src = f.src;
        match e.kind() {
            "identifier" => {
                let name = lower(e, src);
                if let Some(v) = Self::lookup(f, &name) {
                    return Some(v.ty.clone());
                }
                f.class.and_then(|ci| self.field_owner(ci, &name)).map(|(_, ty, _)| ty)
            }
            "field_access" => {
                let obj = e.child_by_field_name("object")?;
                let field = lower(e.child_by_field_name("field")?, src);
                if lower(obj, src) == "this" {
                    return f.class.and_then(|ci| self.field_owner(ci, &field)).map(|(_, ty, _)| ty);
                }
                if lower(obj, src) == "trigger" && (field == "new" || field == "old") {
                    return None;
                }
                let oc = self.idx.class(&lower(obj, src))?;
                self.field_owner(oc, &field).map(|(_, ty, _)| ty)
            }
            "object_creation_expression" | "array_creation_expression" => {
                e.child_by_field_name("type").map(|t| type_text(t, src))
            }
            "cast_expression" => e.child_by_field_name("type").map(|t| type_text(t, src)),
            "parenthesized_expression" => e.named_child(0).and_then(|x| self.static_type(f, x)),
            "method_invocation" => {
                let name = lower(e.child_by_field_name("name")?, src);
                let arity = e.child_by_field_name("arguments").map_or(0, |a| a.named_child_count());
                let class = match e.child_by_field_name("object") {
                    None => f.this_class.or(f.class)?,
                    Some(o) if o.kind() == "identifier" => {
                        let o_l = lower(o, src);
                        match Self::lookup(f, &o_l) {
                            Some(v) => self.idx.class(&v.ty)?,
                            None => self.idx.class(&o_l)?,
                        }
                    }
                    Some(o) => self.idx.class(&self.static_type(f, o)?)?,
                };
                let (c, m) = self.find_method(class, &name, arity)?;
                Some(self.idx.classes[c].methods[m].ret.clone())
            }
            _ => None,
        }
    }

    fn expr(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node) -> Result<Val, ()> {
        ctx.steps += 1;
        let src = f.src;
        if let Some(v) = literal(e, src) {
            return Ok(v);
        }
        match e.kind() {
            "identifier" => {
                let name = lower(e, src);
                if let Some(v) = Self::lookup(f, &name) {
                    return Ok(v.val.clone());
                }
                if let Some(ci) = f.class {
                    if f.accessor.as_deref() != Some(name.as_str()) {
                        if let Some((owner, body)) = self.accessor_of(f.this_class.unwrap_or(ci), &name, true) {
                            return self.run_accessor(ctx, owner, body, (f.this_class, f.this_obj), &name, None);
                        }
                    }
                    match self.field_owner(ci, &name) {
                        Some((owner, _, true)) => {
                            return Ok(self.read_static(ctx, owner, &name).unwrap_or(Val::Unknown))
                        }
                        Some((_, _, false)) => return Ok(Self::read_field(ctx, f.this_obj, &name)),
                        None => {}
                    }
                }
                Ok(Val::Unknown)
            }
            "field_access" => self.field_access(ctx, f, e),
            "parenthesized_expression" => match e.named_child(0) {
                Some(x) => self.expr(ctx, f, x),
                None => Ok(Val::Unknown),
            },
            "unary_expression" => {
                let op = e.child_by_field_name("operator").map(|o| text(o, src).to_string()).unwrap_or_default();
                let v = match e.child_by_field_name("operand") {
                    Some(x) => self.expr(ctx, f, x)?,
                    None => Val::Unknown,
                };
                Ok(match (op.as_str(), v) {
                    ("!", Val::Bool(b)) => Val::Bool(!b),
                    ("-", Val::Num(n)) => Val::Num(-n),
                    _ => Val::Unknown,
                })
            }
            "binary_expression" => self.binary(ctx, f, e),
            "ternary_expression" => {
                let cond = match e.child_by_field_name("condition") {
                    Some(c) => self.expr(ctx, f, c)?,
                    None => Val::Unknown,
                };
                match truth(&cond) {
                    Some(true) => {
                        e.child_by_field_name("consequence").map_or(Ok(Val::Unknown), |x| self.expr(ctx, f, x))
                    }
                    Some(false) => {
                        e.child_by_field_name("alternative").map_or(Ok(Val::Unknown), |x| self.expr(ctx, f, x))
                    }
                    None => {
                        // Either arm may be the one evaluated.
                        let pre = self.snap(ctx, f);
                        let mut ends = Vec::new();
                        let mut vals = Vec::new();
                        for (i, field) in ["consequence", "alternative"].into_iter().enumerate() {
                            if i > 0 {
                                self.restore(ctx, f, &pre);
                            }
                            ctx.open(EITHER);
                            let v = match e.child_by_field_name(field) {
                                Some(x) => self.expr(ctx, f, x).unwrap_or_else(|()| {
                                    ctx.maybe_threw += 1;
                                    ctx.effects += 1;
                                    Val::Unknown
                                }),
                                None => Val::Unknown,
                            };
                            ctx.close(EITHER);
                            ends.push(self.snap(ctx, f));
                            vals.push(v);
                        }
                        let merged = join(&pre, &ends);
                        self.restore(ctx, f, &merged);
                        let refs: Vec<Option<&Val>> = vals.iter().map(Some).collect();
                        Ok(agree(&refs).unwrap_or(Val::Unknown))
                    }
                }
            }
            "assignment_expression" => {
                let v = match e.child_by_field_name("right") {
                    Some(r) => self.expr(ctx, f, r)?,
                    None => Val::Unknown,
                };
                let op = e.child_by_field_name("operator").map(|o| text(o, src).to_string()).unwrap_or_default();
                let v = match op.trim() {
                    "=" => v,
                    // `n += 2`, `n -= 1` on a known number (a loop's step).
                    "+=" | "-=" => {
                        let old = match e.child_by_field_name("left") {
                            Some(l) if matches!(l.kind(), "identifier" | "field_access") => self.expr(ctx, f, l)?,
                            _ => Val::Unknown,
                        };
                        match (old, v) {
                            (Val::Num(a), Val::Num(b)) => Val::Num(if op.trim() == "+=" { a + b } else { a - b }),
                            _ => Val::Unknown,
                        }
                    }
                    _ => Val::Unknown,
                };
                if let Some(l) = e.child_by_field_name("left") {
                    self.assign(ctx, f, l, v.clone());
                }
                Ok(v)
            }
            "method_invocation" => self.invoke(ctx, f, e),
            "class_literal" => {
                let t = lower(e, src);
                Ok(Val::Type(self.idx.class(t.trim_end_matches(".class").trim())))
            }
            "object_creation_expression" => {
                let ty = e.child_by_field_name("type").map(|t| type_text(t, src)).unwrap_or_default();
                let arg_list = e.child_by_field_name("arguments");
                let named: Vec<Node> = arg_list
                    .map(|a| {
                        let mut c = a.walk();
                        let v: Vec<Node> = a.named_children(&mut c).collect();
                        v
                    })
                    .unwrap_or_default();
                if !named.is_empty() && named.iter().all(|n| n.kind() == "assignment_expression") {
                    // An SObject with field values: new Account(Name = 'x').
                    let mut fields = BTreeMap::new();
                    for n in named {
                        let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else {
                            continue;
                        };
                        let v = self.expr(ctx, f, r)?;
                        fields.insert(lower(l, src), v);
                    }
                    return Ok(Val::Rec(ty, fields));
                }
                let args = self.args(ctx, f, arg_list)?;
                let types: Vec<Option<String>> = named.iter().map(|a| self.static_type(f, *a)).collect();
                let base = base_type(&ty);
                match self.idx.class(&ty) {
                    Some(ci) if !ty.contains('<') => self.construct(ctx, ci, args, &types),
                    _ if matches!(base, "list" | "set") && args.is_empty() => Ok(Val::Coll(ty, Vec::new())),
                    _ if matches!(base, "list" | "set") => Ok(match args.first() {
                        Some(Val::Coll(_, items)) if args.len() == 1 => Val::Coll(ty, items.clone()),
                        _ => Val::Obj(ty),
                    }),
                    _ if args.is_empty() && !base.contains('.') && self.idx.class(base).is_none() && base != "map" => {
                        Ok(Val::Rec(ty, BTreeMap::new()))
                    }
                    _ => Ok(Val::Obj(ty)),
                }
            }
            "dml_expression" => {
                let op = {
                    let mut c = e.walk();
                    let dml = e.named_children(&mut c).find(|n| n.kind() == "dml_type");
                    dml.map(|d| lower(d, src)).unwrap_or_default()
                };
                if let Some(t) = e.child_by_field_name("target") {
                    let v = self.expr(ctx, f, t)?;
                    // Records of a type the walk cannot tell fire every trigger on the event.
                    let obj = self
                        .static_type(f, t)
                        .filter(|ty| element_type(ty) != "sobject")
                        .or_else(|| v.type_name())
                        .map(|ty| element_type(&ty))
                        .unwrap_or_default();
                    ctx.effects += 1;
                    self.fire_triggers(ctx, &obj, op.trim(), records_of(&v));
                }
                Ok(Val::Unknown)
            }
            "array_creation_expression" => {
                let ty = e.child_by_field_name("type").map(|t| type_text(t, src)).unwrap_or_default();
                let ty = if ty.contains('<') { ty } else { format!("list<{ty}>") };
                let Some(init) = e.child_by_field_name("value") else { return Ok(Val::Obj(ty)) };
                let mut c = init.walk();
                let kids: Vec<Node> = init.named_children(&mut c).collect();
                let mut items = Vec::new();
                for k in kids {
                    items.push(self.expr(ctx, f, k)?);
                }
                if base_type(&ty) == "map" {
                    return Ok(Val::Obj(ty));
                }
                Ok(Val::Coll(ty, items))
            }
            "array_access" => {
                // `list[i]`: the element of a list of known elements at a known index.
                let (Some(a), Some(i)) = (e.child_by_field_name("array"), e.child_by_field_name("index")) else {
                    return Ok(Val::Unknown);
                };
                let list = self.expr(ctx, f, a)?;
                let index = self.expr(ctx, f, i)?;
                Ok(match (list, index) {
                    (Val::Coll(ty, items), Val::Num(n)) if base_type(&ty) == "list" && n >= 0.0 && n.fract() == 0.0 => {
                        // An index past the end throws a ListException: not modelled, unknown.
                        items.get(n as usize).cloned().unwrap_or(Val::Unknown)
                    }
                    _ => Val::Unknown,
                })
            }
            "cast_expression" => match e.child_by_field_name("value") {
                Some(v) => self.expr(ctx, f, v),
                None => Ok(Val::Unknown),
            },
            "update_expression" => {
                // `i++`, `--i`: a known number stays known (the loop counters the walk unrolls).
                let Some(o) = e.child_by_field_name("operand") else { return Ok(Val::Unknown) };
                let op = e.child_by_field_name("operator");
                let step = if op.is_some_and(|x| text(x, src).contains('-')) { -1.0 } else { 1.0 };
                let old = if matches!(o.kind(), "identifier" | "field_access") {
                    self.expr(ctx, f, o)?
                } else {
                    Val::Unknown
                };
                let new = match old {
                    Val::Num(n) => Val::Num(n + step),
                    _ => Val::Unknown,
                };
                self.assign(ctx, f, o, new.clone());
                let prefix = op.is_some_and(|x| x.start_byte() < o.start_byte());
                Ok(if prefix { new } else { old })
            }
            _ => {
                let mut c = e.walk();
                let kids: Vec<Node> = e.named_children(&mut c).collect();
                for k in kids {
                    if k.kind().ends_with("_statement") || k.kind() == "block" {
                        continue;
                    }
                    self.expr(ctx, f, k)?;
                }
                Ok(Val::Unknown)
            }
        }
    }

    fn field_access(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node) -> Result<Val, ()> {
        let src = f.src;
        let (Some(obj), Some(field)) = (e.child_by_field_name("object"), e.child_by_field_name("field")) else {
            return Ok(Val::Unknown);
        };
        let field = lower(field, src);
        let on = lower(obj, src).replace(char::is_whitespace, "");
        if on == "trigger" && Self::lookup(f, "trigger").is_none() {
            let Some(op) = ctx.trigger_op else {
                // Outside a trigger: the flags are false and the record lists null.
                return Ok(match field.as_str() {
                    "new" | "old" | "newmap" | "oldmap" | "operationtype" | "size" => Val::Null,
                    _ => Val::Bool(false),
                });
            };
            {
                return Ok(match field.as_str() {
                    "isinsert" => Val::Bool(op.ends_with("insert") && !op.ends_with("undelete")),
                    "isupdate" => Val::Bool(op.ends_with("update")),
                    "isdelete" => Val::Bool(op.ends_with("_delete")),
                    "isundelete" => Val::Bool(op.ends_with("undelete")),
                    "isbefore" => Val::Bool(op.starts_with("before")),
                    "isafter" => Val::Bool(op.starts_with("after")),
                    "isexecuting" => Val::Bool(true),
                    "operationtype" => Val::Str(op.to_ascii_uppercase()),
                    "new" | "newmap" if op.ends_with("_delete") => Val::Null,
                    "old" | "oldmap" if op.ends_with("insert") || op.ends_with("undelete") => Val::Null,
                    // The records the test's DML passed, with the fields it set.
                    "new" => match &ctx.trigger_records {
                        Some(r) => Val::Coll("list<sobject>".into(), r.clone()),
                        None => Val::Unknown,
                    },
                    // Their stored values (before the update): count known, fields not.
                    "old" => match &ctx.trigger_records {
                        Some(r) => Val::Coll("list<sobject>".into(), vec![Val::Unknown; r.len()]),
                        None => Val::Unknown,
                    },
                    "size" => ctx.trigger_records.as_ref().map_or(Val::Unknown, |r| Val::Num(r.len() as f64)),
                    _ => Val::Unknown,
                });
            }
        }
        if on.ends_with("triggeroperation") {
            return Ok(Val::Str(field.to_ascii_uppercase()));
        }
        if on == "this" {
            if let Some((owner, body)) = f.this_class.or(f.class).and_then(|c| self.accessor_of(c, &field, true)) {
                if f.accessor.as_deref() != Some(field.as_str()) {
                    return self.run_accessor(ctx, owner, body, (f.this_class, f.this_obj), &field, None);
                }
            }
            return Ok(Self::read_field(ctx, f.this_obj, &field));
        }
        if field == "class" && Self::lookup(f, &on).is_none() {
            return Ok(Val::Type(self.idx.class(&on)));
        }
        if Self::lookup(f, &on).is_none() {
            if let Some(ci) = self.idx.class(&on) {
                if f.class.is_none_or(|c| f.this_class.unwrap_or(c) != ci) || f.accessor.as_deref() != Some(&field) {
                    if let Some((owner, body)) = self.accessor_of(ci, &field, true) {
                        return self.run_accessor(ctx, owner, body, (None, None), &field, None);
                    }
                }
                if let Some((owner, _, true)) = self.field_owner(ci, &field) {
                    return Ok(self.read_static(ctx, owner, &field).unwrap_or(Val::Unknown));
                }
                return Ok(Val::Unknown);
            }
        }
        let static_ty = self.static_type(f, obj);
        let v = self.expr(ctx, f, obj)?;
        let class = self.val_class(ctx, &v).map(|(c, _)| c).or_else(|| static_ty.and_then(|t| self.idx.class(&t)));
        if let Some((owner, body)) = class.and_then(|c| self.accessor_of(c, &field, true)) {
            let id = match v {
                Val::Inst(id) => Some(id),
                _ => None,
            };
            return self.run_accessor(ctx, owner, body, (class, id), &field, None);
        }
        match v {
            Val::Inst(id) => Ok(Self::read_field(ctx, Some(id), &field)),
            Val::Rec(ty, fields) => Ok(match fields.get(&field) {
                Some(v) => v.clone(),
                // A custom field with no default value the record was never given.
                None if self.idx.no_default.contains(&format!("{ty}.{field}")) => Val::Null,
                None => Val::Unknown,
            }),
            _ => Ok(Val::Unknown),
        }
    }

    fn read_field(ctx: &Ctx, obj: Option<usize>, field: &str) -> Val {
        obj.and_then(|id| ctx.heap.get(id)).and_then(|i| i.fields.get(field).cloned()).unwrap_or(Val::Unknown)
    }

    fn write_field(ctx: &mut Ctx, obj: Option<usize>, field: String, v: Val) {
        if let Some(inst) = obj.and_then(|id| ctx.heap.get_mut(id)) {
            ctx.effects += 1;
            inst.fields.insert(field, v);
        }
    }

    /// The package class (index and lower-case name) a value is an object of.
    fn val_class(&self, ctx: &Ctx, v: &Val) -> Option<(usize, String)> {
        match v {
            Val::Inst(id) => {
                let ci = ctx.heap.get(*id)?.class;
                Some((ci, self.idx.classes[ci].name.to_ascii_lowercase()))
            }
            Val::Obj(c) => self.idx.class(c).map(|ci| (ci, c.clone())),
            _ => None,
        }
    }

    fn assign(&mut self, ctx: &mut Ctx, f: &mut Frame, l: Node, v: Val) {
        let src = f.src;
        match l.kind() {
            "identifier" => {
                let name = lower(l, src);
                if let Some(var) = f.scopes.iter_mut().rev().find_map(|s| s.get_mut(&name)) {
                    var.val = v;
                    return;
                }
                if let Some(ci) = f.class.filter(|_| f.accessor.as_deref() != Some(name.as_str())) {
                    if let Some((owner, body)) = self.accessor_of(f.this_class.unwrap_or(ci), &name, false) {
                        let _ = self.run_accessor(ctx, owner, body, (f.this_class, f.this_obj), &name, Some(v));
                        return;
                    }
                }
                if let Some(ci) = f.class {
                    match self.field_owner(ci, &name) {
                        Some((owner, _, true)) => {
                            ctx.effects += 1;
                            ctx.statics.insert((owner, name), v);
                        }
                        Some((_, _, false)) => Self::write_field(ctx, f.this_obj, name, v),
                        None => {}
                    }
                }
            }
            "field_access" => {
                let (Some(obj), Some(field)) = (l.child_by_field_name("object"), l.child_by_field_name("field")) else {
                    return;
                };
                let field = lower(field, src);
                let on = lower(obj, src);
                if on == "this" {
                    if f.accessor.as_deref() != Some(field.as_str()) {
                        if let Some((owner, body)) =
                            f.this_class.or(f.class).and_then(|c| self.accessor_of(c, &field, false))
                        {
                            let _ = self.run_accessor(ctx, owner, body, (f.this_class, f.this_obj), &field, Some(v));
                            return;
                        }
                    }
                    Self::write_field(ctx, f.this_obj, field, v);
                    return;
                }
                let inst = Self::lookup(f, &on).and_then(|var| match var.val {
                    Val::Inst(id) => ctx.heap.get(id).map(|i| (i.class, id)),
                    _ => None,
                });
                if let Some((ci, id)) = inst {
                    if let Some((owner, body)) = self.accessor_of(ci, &field, false) {
                        let _ = self.run_accessor(ctx, owner, body, (Some(ci), Some(id)), &field, Some(v));
                        return;
                    }
                }
                if let Some(var) = f.scopes.iter_mut().rev().find_map(|s| s.get_mut(&on)) {
                    match &mut var.val {
                        Val::Inst(id) => {
                            let id = *id;
                            Self::write_field(ctx, Some(id), field, v);
                        }
                        Val::Rec(_, fields) => {
                            fields.insert(field, v);
                        }
                        _ => {}
                    }
                    return;
                }
                if let Some(ci) = self.idx.class(&on) {
                    if let Some((owner, body)) = self.accessor_of(ci, &field, false) {
                        let _ = self.run_accessor(ctx, owner, body, (None, None), &field, Some(v));
                        return;
                    }
                    if let Some((owner, _, true)) = self.field_owner(ci, &field) {
                        self.load(ctx, owner);
                        ctx.effects += 1;
                        ctx.statics.insert((owner, field), v);
                    }
                }
            }
            _ => {}
        }
    }

    /// Evaluates `e`, under an [`EITHER`] doubt when `doubtful` (the right side of `&&`/`||`
    /// after a left side the walk cannot tell).
    fn maybe_expr(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node, doubtful: bool) -> Result<Val, ()> {
        if !doubtful {
            return self.expr(ctx, f, e);
        }
        // It may not run: what it changes is merged with the state it would have left alone.
        let pre = self.snap(ctx, f);
        ctx.open(EITHER);
        let v = self.expr(ctx, f, e);
        ctx.close(EITHER);
        let end = self.snap(ctx, f);
        let merged = join(&pre, &[pre.clone(), end]);
        self.restore(ctx, f, &merged);
        Ok(v.unwrap_or_else(|()| {
            ctx.maybe_threw += 1;
            ctx.effects += 1;
            Val::Unknown
        }))
    }

    fn binary(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node) -> Result<Val, ()> {
        let src = f.src;
        let op = e.child_by_field_name("operator").map(|o| text(o, src).to_string()).unwrap_or_default();
        let (Some(l), Some(r)) = (e.child_by_field_name("left"), e.child_by_field_name("right")) else {
            return Ok(Val::Unknown);
        };
        let lv = self.expr(ctx, f, l)?;
        match op.as_str() {
            "&&" => {
                if truth(&lv) == Some(false) {
                    return Ok(Val::Bool(false));
                }
                let rv = self.maybe_expr(ctx, f, r, truth(&lv).is_none())?;
                return Ok(match (truth(&lv), truth(&rv)) {
                    (_, Some(false)) => Val::Bool(false),
                    (Some(true), Some(true)) => Val::Bool(true),
                    _ => Val::Unknown,
                });
            }
            "||" => {
                if truth(&lv) == Some(true) {
                    return Ok(Val::Bool(true));
                }
                let rv = self.maybe_expr(ctx, f, r, truth(&lv).is_none())?;
                return Ok(match (truth(&lv), truth(&rv)) {
                    (_, Some(true)) => Val::Bool(true),
                    (Some(false), Some(false)) => Val::Bool(false),
                    _ => Val::Unknown,
                });
            }
            _ => {}
        }
        let rv = self.expr(ctx, f, r)?;
        let known = |v: &Val| !matches!(v, Val::Unknown);
        Ok(match op.as_str() {
            "==" | "!=" | "===" | "!==" => {
                let eq = match (&lv, &rv) {
                    (Val::Null, Val::Null) => Some(true),
                    (Val::Null, Val::Obj(_) | Val::Inst(_) | Val::Coll(..) | Val::Rec(..) | Val::Type(Some(_)))
                    | (Val::Obj(_) | Val::Inst(_) | Val::Coll(..) | Val::Rec(..) | Val::Type(Some(_)), Val::Null) => {
                        Some(false)
                    }
                    (Val::Inst(a), Val::Inst(b)) => Some(a == b),
                    (Val::Null, x) | (x, Val::Null) if matches!(x, Val::Bool(_) | Val::Num(_) | Val::Str(_)) => {
                        Some(false)
                    }
                    (Val::Bool(a), Val::Bool(b)) => Some(a == b),
                    (Val::Num(a), Val::Num(b)) => Some(a == b),
                    (Val::Str(a), Val::Str(b)) => Some(a.eq_ignore_ascii_case(b)),
                    _ => None,
                };
                match eq {
                    Some(b) => Val::Bool(if op.starts_with('!') { !b } else { b }),
                    None => Val::Unknown,
                }
            }
            "<" | ">" | "<=" | ">=" => match (&lv, &rv) {
                (Val::Num(a), Val::Num(b)) => Val::Bool(match op.as_str() {
                    "<" => a < b,
                    ">" => a > b,
                    "<=" => a <= b,
                    _ => a >= b,
                }),
                _ => Val::Unknown,
            },
            "+" if known(&lv) && known(&rv) => match (&lv, &rv) {
                (Val::Num(a), Val::Num(b)) => Val::Num(a + b),
                _ => Val::Unknown,
            },
            "-" => match (&lv, &rv) {
                (Val::Num(a), Val::Num(b)) => Val::Num(a - b),
                _ => Val::Unknown,
            },
            _ => Val::Unknown,
        })
    }

    fn invoke(&mut self, ctx: &mut Ctx, f: &mut Frame, e: Node) -> Result<Val, ()> {
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
        // Platform calls with a meaning for the walk.
        match (on.as_deref(), name.as_str()) {
            (Some("assert" | "system.assert"), _) | (Some("system"), "assert" | "assertequals" | "assertnotequals") => {
                ctx.effects += 1;
                ctx.asserted = true;
                self.args(ctx, f, e.child_by_field_name("arguments"))?;
                return Ok(Val::Unknown);
            }
            (Some("test" | "system.test"), "stoptest") => {
                ctx.effects += 1;
                self.run_pending(ctx, |_| true);
                return Ok(Val::Unknown);
            }
            (Some("test.geteventbus()" | "system.test.geteventbus()"), "deliver") => {
                ctx.effects += 1;
                self.run_pending(ctx, |j| matches!(j, Job::Event(..)));
                return Ok(Val::Unknown);
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
                return Ok(Val::Unknown);
            }
            (Some("test" | "system.test"), "isrunningtest") => return Ok(Val::Bool(true)),
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
                return Ok(Val::Unknown);
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
                    let job = match name.as_str() {
                        "enqueuejob" => Job::Queueable(ci, obj),
                        "schedule" => Job::Schedule(ci, obj),
                        "attachfinalizer" => Job::Finalizer(ci, obj),
                        _ => Job::Batch(ci, obj),
                    };
                    let level = ctx.level();
                    ctx.pending.push(Pending { job, level });
                }
                return Ok(Val::Unknown);
            }
            (Some("eventbus" | "system.eventbus"), "publish") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                let ty = arg_nodes
                    .first()
                    .and_then(|a| self.static_type(f, *a))
                    .filter(|t| element_type(t) != "sobject")
                    .or_else(|| args.first().and_then(Val::type_name))
                    .map(|t| element_type(&t));
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
                return Ok(Val::Unknown);
            }
            (Some("database" | "system.database"), "insert" | "update" | "delete" | "undelete" | "upsert") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                let ty = arg_nodes
                    .first()
                    .and_then(|a| self.static_type(f, *a))
                    .filter(|t| element_type(t) != "sobject")
                    .or_else(|| args.first().and_then(Val::type_name))
                    .map(|t| element_type(&t));
                ctx.effects += 1;
                let records = args.first().and_then(records_of);
                self.fire_triggers(ctx, &ty.unwrap_or_default(), &name, records);
                return Ok(Val::Unknown);
            }
            (Some("type" | "system.type"), "forname") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                return Ok(match args.last() {
                    Some(Val::Str(n)) => Val::Type(self.idx.class(&n.to_ascii_lowercase())),
                    _ => Val::Type(None),
                });
            }
            (Some("string"), "isblank" | "isempty") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                return Ok(match args.first() {
                    Some(Val::Null) => Val::Bool(true),
                    Some(Val::Str(s)) => Val::Bool(if name == "isblank" { s.trim().is_empty() } else { s.is_empty() }),
                    _ => Val::Unknown,
                });
            }
            (Some("string"), "isnotblank" | "isnotempty") => {
                let args = self.args(ctx, f, e.child_by_field_name("arguments"))?;
                return Ok(match args.first() {
                    Some(Val::Null) => Val::Bool(false),
                    Some(Val::Str(s)) => {
                        Val::Bool(if name == "isnotblank" { !s.trim().is_empty() } else { !s.is_empty() })
                    }
                    _ => Val::Unknown,
                });
            }
            _ => {}
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

    /// Package code the platform calls back: a `Comparator` given to `List.sort`, the
    /// `compareTo` of `Comparable` elements, a `Cache.CacheBuilder` given to a cache `get`
    /// (`doLoad` on a miss, which a test's empty cache always is), `newInstance()` on a
    /// `Type` naming a package class.
    #[allow(clippy::too_many_arguments)]
    fn platform_callback(
        &mut self,
        ctx: &mut Ctx,
        f: &mut Frame,
        name: &str,
        receiver: &Val,
        receiver_type: Option<&str>,
        arg_nodes: &[Node],
        args: &[Val],
    ) -> Result<Option<Val>, ()> {
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

    fn callout(&mut self, ctx: &mut Ctx, e: Node, f: &Frame) -> Result<(), ()> {
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
}

/// The value a field initialiser gives without running code: a literal, or an empty
/// `new List<X>()` / `new Set<X>()`.
fn initial(n: Node, src: &str) -> Val {
    if let Some(v) = literal(n, src) {
        return v;
    }
    if n.kind() == "object_creation_expression" {
        let ty = n.child_by_field_name("type").map(|t| type_text(t, src)).unwrap_or_default();
        let empty = n.child_by_field_name("arguments").is_none_or(|a| a.named_child_count() == 0);
        if empty && matches!(base_type(&ty), "list" | "set") {
            return Val::Coll(ty, Vec::new());
        }
    }
    Val::Unknown
}

/// A call the walk does not enter may add to any collection it can reach: the static and
/// instance fields holding collections of known elements keep only their type.
fn forget_collections(ctx: &mut Ctx) {
    let forget = |v: &mut Val| {
        if let Val::Coll(ty, _) = v {
            *v = Val::Obj(ty.clone());
        }
    };
    ctx.statics.values_mut().for_each(forget);
    ctx.heap.iter_mut().flat_map(|i| i.fields.values_mut()).for_each(forget);
}

/// Most elements the walk keeps of a collection it knows element by element.
const MAX_KNOWN_ELEMENTS: usize = 64;

/// The elements of the collection `ty` holding `items` after `m(args)`, and what the call
/// returns, when both are known: `List.add(x)`, `List.addAll(known)`, `Set.add(x)` on a set that
/// cannot already hold `x` (empty, or only literals unequal to a literal `x`: returns true) or
/// holds it (returns false).
fn grown(ty: &str, items: &[Val], m: &str, args: &[Val]) -> Option<(Vec<Val>, Val)> {
    let base = base_type(ty);
    let mut out = items.to_vec();
    let ret = match (base, m, args) {
        ("list", "add", [x]) => {
            out.push(x.clone());
            Val::Unknown
        }
        ("list", "addall", [Val::Coll(_, more)]) => {
            out.extend(more.iter().cloned());
            Val::Unknown
        }
        ("set", "add", [x]) => {
            let plain = |v: &Val| matches!(v, Val::Str(_) | Val::Num(_) | Val::Bool(_) | Val::Null);
            let present = if items.is_empty() {
                false
            } else if plain(x) && items.iter().all(plain) {
                items.iter().any(|i| match (i, x) {
                    // Set<String> is case-sensitive.
                    (Val::Str(a), Val::Str(b)) => a == b,
                    (a, b) => a == b,
                })
            } else {
                return None;
            };
            if !present {
                out.push(x.clone());
            }
            Val::Bool(!present)
        }
        _ => return None,
    };
    (out.len() <= MAX_KNOWN_ELEMENTS).then_some((out, ret))
}

/// The value of a literal node.
fn literal(n: Node, src: &str) -> Option<Val> {
    Some(match n.kind() {
        "null_literal" => Val::Null,
        "boolean" => Val::Bool(lower(n, src) == "true"),
        "int" | "decimal_floating_point_literal" => {
            Val::Num(text(n, src).trim_end_matches(['l', 'L', 'd', 'D']).parse().ok()?)
        }
        "string_literal" => Val::Str(unquote(text(n, src))),
        _ => return None,
    })
}

/// The state after arms that started from `pre`: a value every arm left the same is kept,
/// any other becomes unknown.
fn join(pre: &Snap, ends: &[Snap]) -> Snap {
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

fn agree(vals: &[Option<&Val>]) -> Option<Val> {
    let first = vals.first().copied().flatten()?;
    if vals.iter().all(|v| *v == Some(first)) {
        return Some(first.clone());
    }
    // Different values of one type (a list before and after a loop added to it) keep the type;
    // a List<SObject> and a list of one SObject type keep the specific one.
    let types: Vec<String> = vals.iter().map(|v| v.and_then(Val::type_name)).collect::<Option<Vec<_>>>()?;
    let specific: BTreeSet<&String> = types.iter().filter(|t| element_type(t) != "sobject").collect();
    match specific.len() {
        0 => Some(Val::Obj(types[0].clone())),
        1 => specific.into_iter().next().map(|t| Val::Obj(t.clone())),
        _ => None,
    }
}
