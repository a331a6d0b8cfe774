//! The symbolic test walker: runs every test method over the syntax trees, marking the
//! executable lines it reaches (rules in the parent module's doc). Its rooms, by job:
//! - this file: the walk's limits, the state of one test's walk ([`Ctx`], [`Frame`]), the
//!   [`Walker`] and its entry point [`run`], and how a reached line is marked;
//! - [`value`]: what the walk knows of a value ([`Val`]);
//! - [`state`]: the state that the arms of a branch start from and merge into;
//! - [`resolve`]: lookup: variables, static fields, methods and overloads, subtypes, static types;
//! - [`call`]: entering package code: class initialisation, bodies, calls, constructors, dispatch;
//! - [`stmt`]: statements, branches, loops and `try`;
//! - [`expr`]: expressions, field access, assignment, operators;
//! - [`platform`]: the platform's built-ins: triggers, async jobs, callbacks, callouts, and the
//!   static calls with a meaning for the walk (`Test.stopTest()`, `Database.insert`, ...).

mod call;
mod expr;
mod platform;
mod resolve;
mod state;
mod stmt;
mod value;

use crate::apex::coverage::TestMethod;
use crate::apex::estimate::model::Index;
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;
use value::{Instance, Val};

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

/// The walked code threw: an exception propagates to the caller, up to a `catch` or the end of
/// the test method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Thrown;

/// What walking an expression, a call or a callout gives: what the walk knows of its value, or
/// [`Thrown`].
type Walked<T = Val> = Result<T, Thrown>;

/// What the walk found.
pub(super) struct WalkResult {
    /// Per unit: line → best level it was reached at.
    pub lines: HashMap<usize, HashMap<usize, u8>>,
    /// Lower-case trigger name → best level it was fired at.
    pub fired: HashMap<String, u8>,
    pub tests: Vec<TestMethod>,
}

/// An arm of a branch: its statement (none: the empty arm of an `if` without `else`) and the
/// `catch` parameter it declares (name, type).
type Arm<'t> = (Option<Node<'t>>, Param);
/// A `catch` parameter: (name, type).
type Param = Option<(String, String)>;

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
    memo: HashMap<String, Walked>,
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

fn contains_kind(n: Node, pred: &dyn Fn(Node) -> bool) -> bool {
    if pred(n) {
        return true;
    }
    let mut c = n.walk();
    let found = n.named_children(&mut c).any(|ch| contains_kind(ch, pred));
    found
}

impl<'i, 'p> Walker<'i, 'p> {
    fn record(&mut self, unit: usize, line: usize, level: u8) {
        let best = self.lines.entry(unit).or_default().entry(line).or_insert(level);
        if level < *best {
            *best = level;
        }
    }

    pub(super) fn mark(&mut self, ctx: &Ctx, n: Node) {
        let level = ctx.level();
        if let Some((unit, lines)) = self.idx.stmt_lines.get(&n.id()) {
            for &l in lines {
                self.record(*unit, l, level);
            }
        }
    }

    /// Marks every statement under `n` at `level` without walking it (code the walk cannot
    /// enter: beyond its limits, or re-reached at a better level).
    pub(super) fn mark_subtree(&mut self, n: Node, level: u8) {
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
}
