//! The test harness: finds the test methods, runs each in isolation, and turns what happened
//! into an outcome.
//!
//! Isolation ("Isolation of Test Data from Organization Data in Unit Tests", "Using the
//! @TestSetup annotation", Apex Developer Guide): every test method starts from an empty org
//! (plus the setup rows the platform has: the organisation, profiles, the running user, the
//! package's custom metadata records) and fresh static variables; `@TestSetup` methods run once
//! per class and each test method sees the records they created (statics they set are reset);
//! a setup that fails fails every test of its class with the setup's error.
//!
//! Outcomes: `Pass` (the method returned and the async work it left ran without error), `Fail`
//! (an exception, assertion failures included, with Salesforce's message and stack trace),
//! `CompileFail` (Apex a compiler would refuse, with file:line), `Skip` (what the runtime does
//! not model, or the org's data: `SeeAllData=true`, with the reason and file:line; never a
//! guess).
//!
//! Each class runs on a thread of its own with a large stack; a test ends by the platform's
//! limits or sfgen's wall-clock bound (per test and per run), so no Apex can hang or crash
//! the run.

use super::db::schema::Schema;
use super::interp::{Coverage, Ctl, Interp};
use super::program::Program;
use super::values::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Stack of a test thread: Apex calls nest 1 000 deep at most, syntax 400 deep.
const STACK_BYTES: usize = 1 << 30;

/// What a test ended as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Outcome {
    /// Passed.
    Pass,
    /// Failed (an exception or assertion).
    Fail,
    /// Apex that does not compile.
    CompileFail,
    /// Not run to a verdict: what the runtime does not model.
    Skip,
}

impl Outcome {
    /// As Salesforce's test results spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "Pass",
            Outcome::Fail => "Fail",
            Outcome::CompileFail => "CompileFail",
            Outcome::Skip => "Skip",
        }
    }
}

/// One test method's result.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// Test class.
    pub class: String,
    /// Method.
    pub method: String,
    /// Outcome.
    pub outcome: Outcome,
    /// The failure message (`System.AssertException: Assertion Failed: ...`), the skip reason or
    /// the compile error.
    pub message: Option<String>,
    /// Stack trace lines (`Class.X.y: line 5, column 1`).
    pub stack: Vec<String>,
    /// Wall-clock milliseconds.
    pub ms: u64,
    /// For a skip: the reason without location (for counting).
    pub skip_reason: Option<String>,
    /// CPU estimate, milliseconds.
    pub cpu_ms: u64,
}

/// Run options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Wall-clock bound of one test.
    pub per_test: Duration,
    /// Wall-clock bound of the whole run.
    pub per_run: Duration,
    /// Threads (classes run in parallel).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { per_test: Duration::from_secs(60), per_run: Duration::from_secs(1800), threads: 1 }
    }
}

/// Everything a run produced.
#[derive(Debug, Default)]
pub struct RunResult {
    /// Results, by class then method order.
    pub tests: Vec<TestResult>,
    /// Lines covered, per file.
    pub coverage: Coverage,
    /// Per class: whether every one of its tests ran to a verdict (pass or fail); used by check.
    pub wall_ms: u64,
}

/// A test method to run: (class id, method index).
#[derive(Debug, Clone)]
pub struct Planned {
    /// Class name.
    pub class: String,
    /// Class id.
    pub cid: u32,
    /// Method indexes in the class.
    pub methods: Vec<usize>,
}

/// The test classes and methods of the program (top-level `@IsTest` classes, their
/// `@IsTest`/`testMethod` methods), filtered by `--tests` entries (`Class` or `Class.method`,
/// case-insensitive). Unknown names are returned as errors.
pub fn plan(p: &Program, tests: &[String]) -> Result<Vec<Planned>, Vec<String>> {
    let mut out: Vec<Planned> = Vec::new();
    let mut classes: Vec<u32> = (0..p.classes.len() as u32)
        .filter(|c| {
            let cl = &p.classes[*c as usize];
            !cl.platform && cl.outer.is_none() && cl.is_test
        })
        .collect();
    classes.sort_by_key(|c| p.classes[*c as usize].full.to_ascii_lowercase());
    let mut errors = Vec::new();
    let wanted: Vec<(String, Option<String>)> = tests
        .iter()
        .map(|t| match t.split_once('.') {
            Some((c, m)) => (c.to_ascii_lowercase(), Some(m.to_ascii_lowercase())),
            None => (t.to_ascii_lowercase(), None),
        })
        .collect();
    for (t, (c, m)) in tests.iter().zip(&wanted) {
        let Some(cid) = classes.iter().find(|x| p.classes[**x as usize].full.eq_ignore_ascii_case(c)) else {
            errors.push(format!("no test class named {}", t.split('.').next().unwrap_or(t)));
            continue;
        };
        if let Some(m) = m {
            if !p.classes[*cid as usize].decl.methods.iter().any(|x| x.mods.is_test && x.lname.as_ref() == m) {
                errors.push(format!(
                    "no test method {} in {}",
                    t.split_once('.').map(|x| x.1).unwrap_or(m),
                    p.classes[*cid as usize].full
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for cid in classes {
        let cl = &p.classes[cid as usize];
        let lname = cl.full.to_ascii_lowercase();
        let mut methods = Vec::new();
        for (i, m) in cl.decl.methods.iter().enumerate() {
            if !m.mods.is_test {
                continue;
            }
            let selected = wanted.is_empty()
                || wanted.iter().any(|(c, mm)| *c == lname && mm.as_ref().is_none_or(|x| *x == *m.lname));
            if selected {
                methods.push(i);
            }
        }
        if !methods.is_empty() {
            out.push(Planned { class: cl.full.to_string(), cid, methods });
        }
    }
    Ok(out)
}

/// Runs the planned tests; `progress(done, total)` is called after each test.
pub fn run(
    p: Arc<Program>,
    schema: Arc<Schema>,
    planned: Vec<Planned>,
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> RunResult {
    let start = Instant::now();
    let run_deadline = start + opts.per_run;
    let total: usize = planned.iter().map(|c| c.methods.len()).sum();
    let done = Arc::new(Mutex::new(0usize));
    let queue = Arc::new(Mutex::new(planned.into_iter().enumerate().collect::<Vec<_>>()));
    let results: Arc<Mutex<Vec<(usize, ClassOut)>>> = Arc::new(Mutex::new(Vec::new()));
    let threads = opts.threads.max(1);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let queue = queue.clone();
            let results = results.clone();
            let done = done.clone();
            let p = p.clone();
            let schema = schema.clone();
            let per_test = opts.per_test;
            let worker = move || loop {
                let next = queue.lock().ok().and_then(|mut q| if q.is_empty() { None } else { Some(q.remove(0)) });
                let Some((idx, class)) = next else { break };
                let tick = || {
                    if let Ok(mut d) = done.lock() {
                        *d += 1;
                        progress(*d, total);
                    }
                };
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run_class(&p, &schema, &class, per_test, run_deadline, &tick)
                }))
                .unwrap_or_else(|_| {
                    // A runtime bug: every test of the class is reported as not run.
                    let tests = class
                        .methods
                        .iter()
                        .map(|m| {
                            skip(
                                &class.class,
                                &p.classes[class.cid as usize].decl.methods[*m].name,
                                "internal error of sfgen's Apex runtime (a crash, reported as a bug)".into(),
                            )
                        })
                        .collect();
                    (tests, Coverage::default())
                });
                if let Ok(mut r) = results.lock() {
                    r.push((idx, out));
                }
            };
            let spawned = std::thread::Builder::new()
                .name("sfgen-apex-test".into())
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, worker);
            if spawned.is_err() {
                break;
            }
        }
    });
    let mut all = match Arc::try_unwrap(results) {
        Ok(m) => m.into_inner().unwrap_or_default(),
        Err(a) => a.lock().map(|v| v.clone()).unwrap_or_default(),
    };
    all.sort_by_key(|(i, _)| *i);
    let mut out = RunResult::default();
    for (_, (tests, cov)) in all {
        out.tests.extend(tests);
        out.coverage.merge(&cov);
    }
    out.wall_ms = start.elapsed().as_millis() as u64;
    out
}

fn skip(class: &str, method: &str, reason: String) -> TestResult {
    TestResult {
        class: class.into(),
        method: method.into(),
        outcome: Outcome::Skip,
        message: Some(reason.clone()),
        stack: Vec::new(),
        ms: 0,
        skip_reason: Some(reason),
        cpu_ms: 0,
    }
}

fn loc_text(p: &Program, loc: super::ast::Loc) -> String {
    let file = p.files.get(loc.file as usize).map(|f| f.path.as_str()).unwrap_or("?");
    format!("{file}:{}", loc.line)
}

/// Turns a control into a result.
/// (outcome, message, stack, skip reason).
type Verdict = (Outcome, Option<String>, Vec<String>, Option<String>);

fn outcome_of(p: &Program, it: &Interp, ctl: Ctl) -> Verdict {
    match ctl {
        Ctl::Throw(exc) => {
            let (t, m, stack) = it.describe_exception(&exc);
            let msg = if m.is_empty() { t } else { format!("{t}: {m}") };
            (Outcome::Fail, Some(msg), stack, None)
        }
        Ctl::Unsupported(reason, loc) => {
            let msg = format!("not modelled by sfgen's Apex runtime: {reason} (at {})", loc_text(p, loc));
            (Outcome::Skip, Some(msg), Vec::new(), Some(reason))
        }
        Ctl::Compile(m, loc) => (Outcome::CompileFail, Some(format!("{}: {m}", loc_text(p, loc))), Vec::new(), None),
        Ctl::Timeout(reason) => (Outcome::Skip, Some(reason.clone()), Vec::new(), Some(reason)),
    }
}

type ClassOut = (Vec<TestResult>, Coverage);

fn run_class(
    p: &Program,
    schema: &Schema,
    class: &Planned,
    per_test: Duration,
    run_deadline: Instant,
    tick: &dyn Fn(),
) -> ClassOut {
    let cl = &p.classes[class.cid as usize];
    let mut cov = Coverage::default();
    let mut results = Vec::new();
    let file_error = cl.file.and_then(|f| p.files[f as usize].error.clone());
    // A class that does not compile: every test is a compile failure.
    if let Some((line, col, msg)) = file_error {
        let path = cl.file.map(|f| p.files[f as usize].path.clone()).unwrap_or_default();
        for &m in &class.methods {
            tick();
            results.push(TestResult {
                class: class.class.clone(),
                method: cl.decl.methods[m].name.to_string(),
                outcome: Outcome::CompileFail,
                message: Some(format!("{path}:{line}:{col}: {msg}")),
                stack: Vec::new(),
                ms: 0,
                skip_reason: None,
                cpu_ms: 0,
            });
        }
        return (results, cov);
    }
    // @TestSetup, once.
    let setups: Vec<usize> =
        cl.decl.methods.iter().enumerate().filter(|(_, m)| m.mods.is_setup).map(|(i, _)| i).collect();
    let mut setup_db = None;
    let mut setup_failure: Option<Verdict> = None;
    if !setups.is_empty() {
        let deadline = (Instant::now() + per_test).min(run_deadline);
        let mut it = Interp::new(p, schema, deadline, seed(&class.class, "@TestSetup"));
        let mut failed = None;
        for s in &setups {
            let m = &cl.decl.methods[*s];
            let r = it.invoke(class.cid, *s, None, Vec::new(), m.loc);
            if let Err(ctl) = r {
                failed = Some(outcome_of(p, &it, *ctl));
                break;
            }
        }
        if failed.is_none() {
            if let Err(ctl) = it.run_later() {
                failed = Some(outcome_of(p, &it, *ctl));
            }
        }
        cov.merge(&it.cov);
        setup_db = Some(it.db.clone());
        setup_failure = failed;
    }
    for &mi in &class.methods {
        let m = &cl.decl.methods[mi];
        let started = Instant::now();
        let mut res = TestResult {
            class: class.class.clone(),
            method: m.name.to_string(),
            outcome: Outcome::Pass,
            message: None,
            stack: Vec::new(),
            ms: 0,
            skip_reason: None,
            cpu_ms: 0,
        };
        if Instant::now() > run_deadline {
            let r = "the run passed its wall-clock bound before this test (sfgen's own limit)".to_string();
            results.push(skip(&class.class, &m.name, r));
            tick();
            continue;
        }
        if cl.decl.mods.see_all_data || m.mods.see_all_data {
            results.push(skip(
                &class.class,
                &m.name,
                "SeeAllData=true: the test reads the org's own data, which an offline run does not have".into(),
            ));
            tick();
            continue;
        }
        if let Some((o, msg, stack, reason)) = &setup_failure {
            res.outcome = *o;
            res.message = msg.clone();
            res.stack = stack.clone();
            res.skip_reason = reason.clone();
            results.push(res);
            tick();
            continue;
        }
        if !m.mods.is_static {
            res.outcome = Outcome::CompileFail;
            res.message = Some(format!("{}: Test methods must be static", loc_text(p, m.loc)));
            results.push(res);
            tick();
            continue;
        }
        let deadline = (started + per_test).min(run_deadline);
        let mut it = Interp::new(p, schema, deadline, seed(&class.class, &m.name));
        if let Some(db) = &setup_db {
            it.db = db.clone();
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            it.invoke(class.cid, mi, None, Vec::<Value>::new(), m.loc).and_then(|_| it.run_later())
        }));
        match r {
            Ok(Ok(())) => {}
            Ok(Err(ctl)) => {
                let (o, msg, stack, reason) = outcome_of(p, &it, *ctl);
                res.outcome = o;
                res.message = msg;
                res.stack = stack;
                res.skip_reason = reason;
            }
            Err(_) => {
                res.outcome = Outcome::Skip;
                let r = "internal error of sfgen's Apex runtime (a panic, reported as a bug)".to_string();
                res.message = Some(r.clone());
                res.skip_reason = Some(r);
            }
        }
        res.cpu_ms = it.lim.cpu_ms();
        res.ms = started.elapsed().as_millis() as u64;
        cov.merge(&it.cov);
        results.push(res);
        tick();
    }
    (results, cov)
}

fn seed(class: &str, method: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in class.bytes().chain([b'.']).chain(method.bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
