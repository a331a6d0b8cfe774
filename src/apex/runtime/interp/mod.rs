//! The tree-walking interpreter: one [`Interp`] per test method (its statics, its org, its
//! limits, its async queue), over the shared [`Program`]. Statements in [`stmt`], expressions
//! in [`expr`], calls and dispatch in [`call`], DML with triggers in [`dml`], conversions and
//! comparisons in [`ops`], the async queue's jobs in [`jobs`].
//!
//! Robustness: Apex call depth is bounded as the platform bounds it (1 000 frames, "Maximum
//! stack depth reached: 1001"), syntax nesting by the lowering, every statement and call counts
//! towards the CPU estimate ("Apex CPU time limit exceeded"), and the wall clock is checked every
//! few thousand steps, so any Apex ends as the platform ends it or with a bounded wall clock; the
//! caller runs the test on a thread with a large stack.

pub mod call;
pub mod dml;
pub mod expr;
pub mod jobs;
pub mod ops;
pub mod stmt;

use super::ast::{Loc, TypeRef};
use super::asyncq::AsyncQueue;
use super::db::schema::Schema;
use super::db::Db;
use super::limits::{self, Limits};
use super::program::Program;
use super::values::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

/// Why evaluation stopped early.
#[derive(Debug)]
pub enum Ctl {
    /// An Apex exception (an [`Obj`] of an exception class) is propagating.
    Throw(Value),
    /// The runtime cannot model what the code does: the test is skipped with this reason.
    Unsupported(String, Loc),
    /// Apex a real compiler would refuse: the test is a compile failure.
    Compile(String, Loc),
    /// The wall-clock bound of the test or run was reached.
    Timeout(String),
}

/// Results of evaluation.
pub type R<T> = Result<T, Box<Ctl>>;

/// What the left of a `.` is.
#[derive(Debug, Clone)]
pub enum Qual {
    /// A value.
    Val(Value),
    /// A class of the package or a modelled platform class.
    Class(ClassId),
    /// An SObject type (`Account`, `Schema.Account`).
    SObj(Rc<str>),
    /// A platform class or namespace the standard library handles, lower case (`string`,
    /// `system`, `schema.sobjecttype`).
    Builtin(String),
}

/// How a statement finished.
#[derive(Debug)]
pub enum Flow {
    /// On to the next statement.
    Next,
    /// `break`
    Break,
    /// `continue`
    Continue,
    /// `return`
    Return(Value),
}

/// Locals of one running body.
pub struct Frame {
    /// Slots.
    pub locals: Vec<Value>,
    /// Declared types of the slots (when known).
    pub types: Option<std::sync::Arc<[Option<crate::apex::runtime::ast::TypeRef>]>>,
    /// `this`.
    pub this: Option<Rc<RefCell<Obj>>>,
    /// The class whose code runs (None in a trigger).
    pub class: Option<ClassId>,
}

impl Frame {
    /// A frame with `n` slots.
    pub fn new(n: u32, this: Option<Rc<RefCell<Obj>>>, class: Option<ClassId>) -> Frame {
        Frame { locals: vec![Value::Null; n as usize], types: None, this, class }
    }

    /// A frame for a method's body (slots typed as declared).
    pub fn for_method(
        m: &crate::apex::runtime::ast::Method,
        this: Option<Rc<RefCell<Obj>>>,
        class: Option<ClassId>,
    ) -> Frame {
        let mut f = Frame::new(m.nlocals.max(m.params.len() as u32), this, class);
        f.types = Some(m.slot_types.clone());
        f
    }
}

/// One entry of the Apex call stack (stack traces, depth).
#[derive(Debug, Clone)]
pub struct StackEntry {
    /// `Class.Webhook.keep`, `Trigger.ContactTrigger`.
    pub name: Rc<str>,
    /// The statement running in it.
    pub loc: Loc,
}

/// A trigger invocation's context (`Trigger.new`, `Trigger.old`, ...).
#[derive(Debug, Clone)]
pub struct TriggerCtx {
    /// `before_insert`, ...
    pub event: &'static str,
    /// Trigger.new (None for delete).
    pub new: Option<Value>,
    /// Trigger.old (None for insert/undelete).
    pub old: Option<Value>,
    /// Size.
    pub size: usize,
}

/// What the test harness tracks per test.
#[derive(Debug, Default)]
pub struct TestState {
    /// `Test.startTest()` was called.
    pub started: bool,
    /// `Test.stopTest()` was called.
    pub stopped: bool,
    /// `Test.setMock(HttpCalloutMock.class, m)`.
    pub http_mock: Option<Value>,
    /// `Test.setMock(WebServiceMock.class, m)`.
    pub ws_mock: Option<Value>,
    /// The limits of the test outside start/stop (restored at stopTest).
    pub outer_limits: Option<Limits>,
    /// Whether the code runs in a test (always) .
    pub in_async: bool,
    /// `Test.setCurrentPage`, `Test.setFixedSearchResults`, ... not modelled.
    pub fixed_search: Option<Value>,
    /// The running user's Id (changes in `System.runAs`).
    pub user: Rc<str>,
    /// Depth of async nesting when executing jobs at stopTest.
    pub async_depth: u32,
    /// What the running transaction is (`System.Quiddity`).
    pub quiddity: &'static str,
}

/// Coverage: per file, the executable lines that ran.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Per file index: covered lines.
    pub lines: Vec<Vec<bool>>,
}

impl Coverage {
    /// Marks lines of a file.
    pub fn mark(&mut self, file: u32, lines: &[u32]) {
        let f = file as usize;
        if self.lines.len() <= f {
            self.lines.resize(f + 1, Vec::new());
        }
        let v = &mut self.lines[f];
        for &l in lines {
            let l = l as usize;
            if v.len() <= l {
                v.resize(l + 1, false);
            }
            v[l] = true;
        }
    }

    /// Adds another run's coverage.
    pub fn merge(&mut self, other: &Coverage) {
        for (f, v) in other.lines.iter().enumerate() {
            let lines: Vec<u32> = v.iter().enumerate().filter(|(_, b)| **b).map(|(l, _)| l as u32).collect();
            self.mark(f as u32, &lines);
        }
    }

    /// Whether a line ran.
    pub fn covered(&self, file: u32, line: usize) -> bool {
        self.lines.get(file as usize).and_then(|v| v.get(line)).copied().unwrap_or(false)
    }
}

/// The interpreter for one test.
pub struct Interp<'p> {
    /// The program.
    pub p: &'p Program,
    /// The org's schema.
    pub schema: &'p Schema,
    /// Static fields per class (None until the class is initialised).
    pub statics: Vec<Option<Vec<Value>>>,
    /// The stored records.
    pub db: Db,
    /// The running transaction's limits.
    pub lim: Limits,
    /// Queued async work.
    pub queue: AsyncQueue,
    /// Coverage of this test.
    pub cov: Coverage,
    /// The call stack.
    pub stack: Vec<StackEntry>,
    /// Trigger contexts (innermost last).
    pub trig: Vec<TriggerCtx>,
    /// Test state.
    pub test: TestState,
    /// When the test must end by (wall clock).
    pub deadline: Instant,
    /// Steps since the last clock check.
    pub tick: u32,
    /// Random state (deterministic per test).
    pub rng: u64,
    /// Type resolution cache: (address of the TypeRef, class) → type.
    pub type_cache: HashMap<(usize, Option<ClassId>), Ty>,
    /// Debug log lines (`System.debug`), kept short.
    pub debug: Vec<String>,
    /// Savepoints: snapshots of the org.
    pub savepoints: Vec<Db>,
    /// The organisation's Id.
    pub org_id: Rc<str>,
    /// Ids of the platform rows created for the org (users, profiles).
    pub setup: HashMap<&'static str, Rc<str>>,
    /// Deepest Apex call depth reached.
    pub max_depth: usize,
    /// Heap estimate (bytes) of the values built by the current statement's checks.
    pub heap_used: usize,
    /// Set while the async queue runs a `@future` method (the call is not queued again).
    pub run_future_direct: bool,
    /// The calling code's locals by name, while a `Database.query` call runs (its binds).
    pub dyn_scope: Vec<(std::sync::Arc<str>, Value)>,
    /// The calling code's `this`, for binds naming fields.
    pub dyn_this: Option<Rc<RefCell<Obj>>>,
    /// The calling code's class, for binds naming statics.
    pub dyn_class: Option<ClassId>,
    /// Static types of the next call's arguments where the code states them (`(String) null`):
    /// overloads are chosen by them.
    pub arg_hints: Vec<Option<Ty>>,
    /// Settable platform statics (`RestContext.request`).
    pub platform_statics: HashMap<String, Value>,
    /// Objects whose setup records were stored ([`Interp::ensure_setup_rows`]).
    pub seeded: std::collections::HashSet<String>,
    /// Platform Cache contents, per partition.
    pub cache: crate::apex::runtime::stdlib::platform::CacheStore,
}

/// The outcome of [`Interp::run_body`].
pub type Body<'a> = &'a [super::ast::Stmt];

impl<'p> Interp<'p> {
    /// A fresh interpreter (empty org but for the platform's setup rows).
    pub fn new(p: &'p Program, schema: &'p Schema, deadline: Instant, seed: u64) -> Interp<'p> {
        let mut it = Interp {
            p,
            schema,
            statics: vec![None; p.classes.len()],
            db: Db::default(),
            lim: Limits::new(false),
            queue: AsyncQueue::default(),
            cov: Coverage::default(),
            stack: Vec::new(),
            trig: Vec::new(),
            test: TestState { quiddity: "RUNTEST_SYNC", ..TestState::default() },
            deadline,
            tick: 0,
            rng: seed | 1,
            type_cache: HashMap::new(),
            debug: Vec::new(),
            savepoints: Vec::new(),
            org_id: "".into(),
            setup: HashMap::new(),
            max_depth: 0,
            heap_used: 0,
            run_future_direct: false,
            dyn_scope: Vec::new(),
            dyn_this: None,
            dyn_class: None,
            arg_hints: Vec::new(),
            platform_statics: HashMap::new(),
            cache: HashMap::new(),
            seeded: std::collections::HashSet::new(),
        };
        it.seed_org();
        it
    }

    /// The platform rows every test sees without `SeeAllData`: the organisation, the standard
    /// profiles, the running user (setup objects are visible to tests; "Isolation of Test Data
    /// from Organization Data in Unit Tests").
    fn seed_org(&mut self) {
        let org = self.db.new_id("00D");
        self.org_id = org.clone();
        let mut o = SObj::new("Organization");
        o.put("Id", Value::Id(org.clone()));
        o.put("Name", Value::str("sfgen test org"));
        o.put("IsSandbox", Value::Bool(false));
        o.put("OrganizationType", Value::str("Developer Edition"));
        o.put("NamespacePrefix", Value::Null);
        o.put("TimeZoneSidKey", Value::str("GMT"));
        o.put("LanguageLocaleKey", Value::str("en_US"));
        o.put("DefaultLocaleSidKey", Value::str("en_US"));
        self.db.put("organization", o);
        let mut admin = None;
        // The standard profiles every org has (Salesforce Help, "Standard Profiles").
        for name in [
            "System Administrator",
            "Standard User",
            "Read Only",
            "Minimum Access - Salesforce",
            "Chatter Free User",
            "Marketing User",
            "Contract Manager",
            "Solution Manager",
            "Standard Platform User",
            "Chatter External User",
            "Chatter Moderator User",
            "Customer Community User",
            "Customer Community Plus User",
            "Partner Community User",
            "Identity User",
        ] {
            let id = self.db.new_id("00e");
            let mut pr = SObj::new("Profile");
            pr.put("Id", Value::Id(id.clone()));
            pr.put("Name", Value::str(name));
            pr.put("UserType", Value::str("Standard"));
            self.db.put("profile", pr);
            if admin.is_none() {
                admin = Some(id);
            }
        }
        let uid = self.db.new_id("005");
        let mut u = SObj::new("User");
        for (k, v) in [
            ("Username", "sfgen.test.user@example.com"),
            ("LastName", "User"),
            ("FirstName", "Test"),
            ("Name", "Test User"),
            ("Email", "sfgen.test.user@example.com"),
            ("Alias", "tuser"),
            ("TimeZoneSidKey", "GMT"),
            ("LocaleSidKey", "en_US"),
            ("LanguageLocaleKey", "en_US"),
            ("EmailEncodingKey", "UTF-8"),
            ("UserType", "Standard"),
        ] {
            u.put(k, Value::str(v));
        }
        u.put("Id", Value::Id(uid.clone()));
        u.put("IsActive", Value::Bool(true));
        if let Some(a) = &admin {
            u.put("ProfileId", Value::Id(a.clone()));
        }
        self.db.put("user", u);
        self.test.user = uid.clone();
        self.setup.insert("user", uid);
        if let Some(a) = admin {
            self.setup.insert("profile", a);
        }
        self.setup.insert("org", org);
        for (table, row) in crate::apex::runtime::stdlib::sobject::mdt_rows(self) {
            self.db.put(&table, row);
        }
    }

    /// Stores the setup records the package's metadata puts in the org (permission sets, static
    /// resources, record types) for one object, once, when a query first reads it.
    pub fn ensure_setup_rows(&mut self, table: &str) {
        use crate::apex::runtime::db::schema::MetaVal;
        let table = table.to_ascii_lowercase();
        if table == "apexclass" || table == "apextrigger" {
            self.ensure_apex_rows();
            return;
        }
        let schema = self.schema;
        let Some(rows) = schema.setup_rows.get(&table) else { return };
        if !self.seeded.insert(table.clone()) {
            return;
        }
        let Some(info) = schema.object(&table) else { return };
        let (prefix, obj) = (info.prefix.to_string(), info.name.to_string());
        for r in rows {
            let id = self.db.new_id(&prefix);
            let mut s = SObj::new(&obj);
            s.put("Id", Value::Id(id));
            for (k, v) in r {
                s.put(
                    k,
                    match v {
                        MetaVal::Str(x) if x.is_empty() => Value::Null,
                        MetaVal::Str(x) => Value::str(x),
                        MetaVal::Bool(b) => Value::Bool(*b),
                        MetaVal::Blob(b) => Value::Blob(Rc::new(b.to_vec())),
                    },
                );
            }
            self.db.put(&table, s);
        }
    }

    /// Stores the package's ApexClass and ApexTrigger rows, once, when a query first reads them.
    pub fn ensure_apex_rows(&mut self) {
        if self.db.tables.contains_key("apexclass") {
            return;
        }
        // The package's Apex is in the org: ApexClass and ApexTrigger are setup objects a test
        // can query without SeeAllData.
        let p = self.p;
        for f in &p.files {
            let (table, prefix, obj) = if f.type_name == "ApexTrigger" {
                ("apextrigger", "01q", "ApexTrigger")
            } else {
                ("apexclass", "01p", "ApexClass")
            };
            let id = self.db.new_id(prefix);
            let mut r = SObj::new(obj);
            r.put("Id", Value::Id(id));
            r.put("Name", Value::str(&f.name));
            r.put("Body", Value::str(&f.text));
            r.put("Status", Value::str("Active"));
            r.put("IsValid", Value::Bool(f.error.is_none()));
            r.put("ApiVersion", Value::Dec(rust_decimal::Decimal::new(620, 1)));
            r.put("NamespacePrefix", Value::Null);
            r.put("LengthWithoutComments", Value::Int(f.text.len() as i32));
            self.db.put(table, r);
        }
    }

    // ---- errors -------------------------------------------------------------------------

    /// Where the running statement is.
    pub fn here(&self) -> Loc {
        self.stack.last().map(|s| s.loc).unwrap_or_default()
    }

    /// The current stack in Salesforce's format, innermost first.
    pub fn trace(&self) -> Vec<String> {
        self.stack.iter().rev().map(|s| format!("{}: line {}, column {}", s.name, s.loc.line, s.loc.col)).collect()
    }

    /// A new exception object of a platform or package exception class.
    pub fn new_exception(&mut self, class: &str, message: Option<String>) -> Value {
        let cid = self.p.class_named(&class.to_ascii_lowercase(), None).unwrap_or(self.p.exception);
        let n = self.p.classes[cid as usize].layout.len();
        let loc = self.here();
        Value::Obj(Rc::new(RefCell::new(Obj {
            class: cid,
            fields: vec![Value::Null; n],
            exc: Some(Box::new(ExcData {
                message,
                line: loc.line,
                col: loc.col,
                stack: self.trace(),
                uncatchable: class.ends_with("LimitException") || class.ends_with("AssertException"),
                ..ExcData::default()
            })),
            stub: None,
        })))
    }

    /// Throws a platform exception (`System.NullPointerException`, ...).
    pub fn throw<T>(&mut self, class: &str, message: impl Into<String>) -> R<T> {
        let e = self.new_exception(class, Some(message.into()));
        if let Value::Obj(o) = &e {
            if let Some(x) = o.borrow_mut().exc.as_mut() {
                x.thrown = true;
            }
        }
        Err(Box::new(Ctl::Throw(e)))
    }

    /// `System.NullPointerException: Attempt to de-reference a null object`.
    pub fn npe<T>(&mut self) -> R<T> {
        self.throw("System.NullPointerException", "Attempt to de-reference a null object")
    }

    /// `System.LimitException` (uncatchable).
    pub fn limit<T>(&mut self, message: impl Into<String>) -> R<T> {
        self.throw("System.LimitException", message)
    }

    /// Ends the test as skipped: the runtime does not model this.
    pub fn unsupported<T>(&self, what: impl Into<String>) -> R<T> {
        Err(Box::new(Ctl::Unsupported(what.into(), self.here())))
    }

    /// A field the org's schema does not have: a compile error for a standard field, but for a
    /// custom one (`__c`) the package does not define, the org may hold it (org metadata the
    /// runtime does not have): skipped.
    pub fn invalid_field<T>(&self, obj: &str, field: &str) -> R<T> {
        let custom = field.to_ascii_lowercase().ends_with("__c")
            || obj.to_ascii_lowercase().ends_with("__c")
                && !self.schema.objects.contains_key(&obj.to_ascii_lowercase());
        if custom {
            return self.unsupported(format!("the field {obj}.{field}, not defined by the package (org metadata)"));
        }
        self.compile_error(format!("Invalid field {field} for {obj}"))
    }

    /// Ends the test as a compile failure.
    pub fn compile_error<T>(&self, what: impl Into<String>) -> R<T> {
        Err(Box::new(Ctl::Compile(what.into(), self.here())))
    }

    // ---- bounds -------------------------------------------------------------------------

    /// Counts one step (a statement or a call): the CPU estimate and the wall clock.
    #[inline]
    pub fn step(&mut self) -> R<()> {
        self.lim.steps += 1;
        if self.lim.steps > self.lim.max_steps() {
            return self.limit("Apex CPU time limit exceeded");
        }
        self.tick += 1;
        if self.tick >= 4096 {
            self.tick = 0;
            if Instant::now() > self.deadline {
                return Err(Box::new(Ctl::Timeout(
                    "the test ran past its wall-clock bound (sfgen's own limit, not the platform's)".into(),
                )));
            }
        }
        Ok(())
    }

    /// Checks a size against the heap limit ("Apex heap size too large").
    pub fn heap_check(&mut self, bytes: usize) -> R<()> {
        if bytes > self.lim.max_heap() {
            return self.limit(format!("Apex heap size too large: {bytes}"));
        }
        Ok(())
    }

    /// Enters a call: checks the depth bound.
    pub fn enter(&mut self, name: Rc<str>, loc: Loc) -> R<()> {
        if self.stack.len() >= limits::max::STACK_DEPTH {
            return self.limit(format!("Maximum stack depth reached: {}", self.stack.len() + 1));
        }
        self.stack.push(StackEntry { name, loc });
        self.max_depth = self.max_depth.max(self.stack.len());
        self.step()
    }

    /// Leaves a call.
    pub fn leave(&mut self) {
        self.stack.pop();
    }

    /// Marks executable lines as covered.
    #[inline]
    pub fn mark(&mut self, file: u32, lines: &[u32]) {
        if !lines.is_empty() {
            self.cov.mark(file, lines);
        }
    }

    /// A deterministic pseudo-random number (xorshift64*).
    pub fn random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    // ---- types --------------------------------------------------------------------------

    /// The type a written type means in class `ctx`.
    pub fn ty(&mut self, t: &TypeRef, ctx: Option<ClassId>) -> Ty {
        let key = (t as *const TypeRef as usize, ctx);
        if let Some(x) = self.type_cache.get(&key) {
            return x.clone();
        }
        let schema = self.schema;
        let r = self.p.resolve_type(t, ctx, &|n| schema.object_name(n).map(|s| s.to_string().into()));
        self.type_cache.insert(key, r.clone());
        r
    }

    /// The type a written type means in class `ctx`, for a `TypeRef` that is not part of the
    /// program (built at run time): resolved without the cache.
    pub fn ty_uncached(&self, t: &TypeRef, ctx: Option<ClassId>) -> Ty {
        let schema = self.schema;
        self.p.resolve_type(t, ctx, &|n| schema.object_name(n).map(|s| s.to_string().into()))
    }

    /// An SObject type by name, if the org knows it.
    pub fn sobject_type(&self, name: &str) -> Option<Rc<str>> {
        self.schema.object_name(name).map(|s| Rc::from(&*s))
    }
}
