//! The async queue: Queueables (with their Finalizers), `@future` calls, batches, scheduled
//! jobs and platform events published in a test, run at `Test.stopTest()`.
//!
//! What a test observes, modelled on the Apex Developer Guide and public Q&A:
//! - "All asynchronous calls made after the startTest method are collected by the system. When
//!   stopTest is executed, all asynchronous processes are run synchronously" (Apex Reference,
//!   `Test.stopTest`). Jobs queued before `startTest` run then too; jobs queued with no
//!   `stopTest` run after the test method returns (their coverage counts; the test's asserts
//!   have run already). Salesforce StackExchange 298040.
//! - A job queued by a running job (a chained Queueable) does not run in the test: in tests
//!   `System.enqueueJob` from a Queueable throws `System.AsyncException` ("Queueable Apex",
//!   Apex Developer Guide: chaining is not supported in tests); futures and batches started by
//!   async code run after the test method (StackExchange 311695: their effects are not visible
//!   after `stopTest`).
//! - The queued object is a copy: "when you call System.enqueueJob ... the class is serialized
//!   and put in to a queue" (StackExchange 248282), so the test's own reference does not see
//!   the fields the job changes; transient fields are null in the copy. Static variables are
//!   shared: async work run at `stopTest` runs in the test's context, and statics it sets (a
//!   mock's recorded requests) are visible after `stopTest`.
//! - Each job runs with the asynchronous limits (a fresh set); the test's limits after
//!   `stopTest` are those it had before `startTest`.
//! - An exception a job does not handle rolls back the job's own DML and surfaces at
//!   `stopTest`, failing the test, unless the job attached a Finalizer, which then runs with
//!   `ParentJobResult.UNHANDLED_EXCEPTION` ("Transaction Finalizers", Apex Developer Guide).

use super::values::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// One queued piece of async work.
#[derive(Debug, Clone)]
pub enum Job {
    /// `System.enqueueJob(obj)`.
    Queueable {
        /// The AsyncApexJob Id.
        id: Rc<str>,
        /// The job (a copy).
        obj: Value,
    },
    /// A `@future` call.
    Future {
        /// The AsyncApexJob Id.
        id: Rc<str>,
        /// Class.
        class: ClassId,
        /// Method index.
        method: usize,
        /// Arguments (copies).
        args: Vec<Value>,
    },
    /// `Database.executeBatch(obj, scope)`.
    Batch {
        /// The AsyncApexJob Id.
        id: Rc<str>,
        /// The batch object (a copy).
        obj: Value,
        /// Scope size.
        scope: usize,
    },
    /// `System.schedule(name, cron, obj)`.
    Schedule {
        /// The CronTrigger Id.
        id: Rc<str>,
        /// The schedulable (a copy).
        obj: Value,
    },
}

/// The queue.
#[derive(Debug, Default)]
pub struct AsyncQueue {
    /// Jobs waiting, in order.
    pub jobs: Vec<Job>,
    /// Platform events published and not yet delivered: (object, event).
    pub events: Vec<Value>,
    /// Finalizer attached by the running Queueable.
    pub finalizer: Option<Value>,
    /// Whether a Queueable (or other async job) is running now.
    pub running: Option<&'static str>,
    /// Jobs started by async code: run after the test method.
    pub later: Vec<Job>,
    /// Duplicate signatures of Queueables in the queue: (job Id, signature).
    pub signatures: Vec<(Rc<str>, Vec<String>)>,
}

/// A copy of a value as the platform's serialisation makes it when work is queued: collections,
/// records and objects are copied deeply (shared references stay shared within the copy),
/// transient fields of objects are null.
pub fn serialized_copy(v: &Value, transient: &dyn Fn(ClassId, usize) -> bool) -> Value {
    let mut seen: HashMap<usize, Value> = HashMap::new();
    copy(v, transient, &mut seen, 0)
}

fn copy(
    v: &Value,
    transient: &dyn Fn(ClassId, usize) -> bool,
    seen: &mut HashMap<usize, Value>,
    depth: usize,
) -> Value {
    if depth > 200 {
        return Value::Null;
    }
    match v {
        Value::Obj(o) => {
            let key = Rc::as_ptr(o) as *const u8 as usize;
            if let Some(c) = seen.get(&key) {
                return c.clone();
            }
            let b = o.borrow();
            let fresh = Rc::new(RefCell::new(Obj {
                class: b.class,
                fields: Vec::new(),
                exc: b.exc.clone(),
                stub: b.stub.clone(),
            }));
            seen.insert(key, Value::Obj(fresh.clone()));
            let fields: Vec<Value> = b
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| if transient(b.class, i) { Value::Null } else { copy(f, transient, seen, depth + 1) })
                .collect();
            fresh.borrow_mut().fields = fields;
            Value::Obj(fresh)
        }
        Value::List(l) => {
            let key = Rc::as_ptr(l) as *const u8 as usize;
            if let Some(c) = seen.get(&key) {
                return c.clone();
            }
            let b = l.borrow();
            let items = b.items.iter().map(|x| copy(x, transient, seen, depth + 1)).collect();
            let out = Value::list(b.elem.clone(), items);
            seen.insert(key, out.clone());
            out
        }
        Value::Map(m) => {
            let b = m.borrow();
            let out = Value::Map(Rc::new(RefCell::new(MapV {
                ci: b.ci,
                key: b.key.clone(),
                val: b.val.clone(),
                items: b
                    .items
                    .iter()
                    .map(|(k, (kv, vv))| (k.clone(), (kv.clone(), copy(vv, transient, seen, depth + 1))))
                    .collect(),
            })));
            out
        }
        Value::Set(_) | Value::SObject(_) => deep_copy(v),
        other => other.clone(),
    }
}

use super::interp::{Ctl, Interp, R};
use super::limits::Limits;

impl<'p> Interp<'p> {
    /// `Test.stopTest()`: delivers published events and runs every queued job (one level: what
    /// the jobs queue runs after the test method, see the module docs).
    pub fn run_queued(&mut self) -> R<()> {
        self.deliver_events()?;
        let jobs = std::mem::take(&mut self.queue.jobs);
        for job in jobs {
            self.run_job(job)?;
        }
        self.deliver_events()?;
        Ok(())
    }

    /// After the test method: the jobs queued without a `stopTest` and those async work queued.
    pub fn run_later(&mut self) -> R<()> {
        let mut guard = 0;
        loop {
            let mut jobs = std::mem::take(&mut self.queue.jobs);
            jobs.extend(std::mem::take(&mut self.queue.later));
            if jobs.is_empty() || guard > 5 {
                return Ok(());
            }
            guard += 1;
            for job in jobs {
                self.run_job(job)?;
            }
        }
    }

    fn set_job_status(&mut self, id: &str, status: &str, error: Option<String>) {
        let now = self.now_ms();
        for table in ["asyncapexjob"] {
            if let Some(row) = self.db.tables.get_mut(table).and_then(|t| t.get_mut(id)) {
                row.put("Status", Value::str(status));
                if let Some(e) = &error {
                    row.put("ExtendedStatus", Value::str(e));
                    row.put("NumberOfErrors", Value::Int(1));
                }
                row.put("CompletedDate", Value::Datetime(now));
            }
        }
    }

    fn run_job(&mut self, job: Job) -> R<()> {
        let saved_lim = std::mem::replace(&mut self.lim, Limits::new(true));
        let saved_q = self.test.quiddity;
        let saved_running = self.queue.running;
        self.test.async_depth += 1;
        let r = self.run_job_inner(job);
        self.test.async_depth -= 1;
        self.queue.running = saved_running;
        self.test.quiddity = saved_q;
        self.lim = saved_lim;
        r
    }

    fn run_job_inner(&mut self, job: Job) -> R<()> {
        let snapshot = self.db.clone();
        match job {
            Job::Queueable { id, obj } => {
                self.queue.running = Some("queueable");
                self.test.quiddity = "QUEUEABLE";
                self.queue.finalizer = None;
                self.queue.signatures.retain(|(j, _)| *j != id);
                self.set_job_status(&id, "Processing", None);
                let marks = self.async_marks();
                let ctx = Value::native(Native::Context { kind: "queueablecontext", job: id.clone(), exception: None });
                let r = self.call_method_value(&obj, "execute", vec![ctx]);
                let fin = self.queue.finalizer.take();
                let failure = match r {
                    Ok(_) => {
                        self.set_job_status(&id, "Completed", None);
                        None
                    }
                    Err(ctl) => match *ctl {
                        Ctl::Throw(exc) => {
                            self.db = snapshot;
                            self.roll_back_async(marks);
                            let (t, m, _) = self.describe_exception(&exc);
                            self.set_job_status(&id, "Failed", Some(format!("{t}: {m}")));
                            Some(exc)
                        }
                        other => return Err(Box::new(other)),
                    },
                };
                match (fin, failure) {
                    (Some(f), failure) => {
                        self.lim = Limits::new(true);
                        self.queue.running = Some("finalizer");
                        self.test.quiddity = "TRANSACTION_FINALIZER_QUEUEABLE";
                        let ctx =
                            Value::native(Native::Context { kind: "finalizercontext", job: id, exception: failure });
                        self.call_method_value(&f, "execute", vec![ctx])?;
                        Ok(())
                    }
                    (None, Some(exc)) => Err(Box::new(Ctl::Throw(exc))),
                    (None, None) => Ok(()),
                }
            }
            Job::Future { id, class, method, args } => {
                self.queue.running = Some("future");
                self.test.quiddity = "FUTURE";
                self.run_future_direct = true;
                let here = self.here();
                let marks = self.async_marks();
                let r = self.invoke(class, method, None, args, here);
                self.run_future_direct = false;
                match r {
                    Ok(_) => {
                        self.set_job_status(&id, "Completed", None);
                        Ok(())
                    }
                    Err(ctl) => {
                        if let Ctl::Throw(_) = &*ctl {
                            self.db = snapshot;
                            self.roll_back_async(marks);
                        }
                        Err(ctl)
                    }
                }
            }
            Job::Batch { id, obj, scope } => {
                self.queue.running = Some("batch");
                self.test.quiddity = "BATCH_APEX";
                let ctx =
                    || Value::native(Native::Context { kind: "batchablecontext", job: id.clone(), exception: None });
                let start = self.call_method_value(&obj, "start", vec![ctx()])?;
                let items: Vec<Value> = match &start {
                    Value::List(l) => l.borrow().items.clone(),
                    Value::Null => Vec::new(),
                    Value::Obj(_) => {
                        // An Iterable: take its iterator's elements.
                        let iter = match self.call_virtual_opt(&start, "iterator", vec![])? {
                            Some(i) => i,
                            None => start.clone(),
                        };
                        let mut out = Vec::new();
                        loop {
                            self.step()?;
                            let has = self.call_method_value(&iter, "hasNext", vec![])?;
                            if !self.truthy(&has)? {
                                break;
                            }
                            out.push(self.call_method_value(&iter, "next", vec![])?);
                        }
                        out
                    }
                    other => {
                        let t = self.type_name_of(other);
                        return self.unsupported(format!("a batch start() returning {t}"));
                    }
                };
                if items.len() > scope {
                    // "No more than one executeBatch can be called from within a test method"
                    // (Apex Developer Guide, "Testing Batch Apex").
                    return self.throw(
                        "System.UnexpectedException",
                        "No more than one executeBatch can be called from within a test method.  Please make sure the iterable returned from your start method matches the batch size, resulting in one executeBatch invocation.",
                    );
                }
                if !items.is_empty() {
                    let elem = match &start {
                        Value::List(l) => l.borrow().elem.clone(),
                        _ => Ty::Object,
                    };
                    self.lim = Limits::new(true);
                    self.call_method_value(&obj, "execute", vec![ctx(), Value::list(elem, items)])?;
                }
                self.lim = Limits::new(true);
                self.call_method_value(&obj, "finish", vec![ctx()])?;
                self.set_job_status(&id, "Completed", None);
                Ok(())
            }
            Job::Schedule { id, obj } => {
                self.queue.running = Some("scheduled");
                self.test.quiddity = "SCHEDULED";
                let ctx = Value::native(Native::Context { kind: "schedulablecontext", job: id, exception: None });
                self.call_method_value(&obj, "execute", vec![ctx])?;
                Ok(())
            }
        }
    }

    /// Where the queue stands before a job runs: (events published, jobs queued for later).
    fn async_marks(&self) -> (usize, usize) {
        (self.queue.events.len(), self.queue.later.len())
    }

    /// A job that ended with an unhandled exception: its transaction rolls back, so the events
    /// it published after commit are never published (those published immediately are), and the
    /// jobs it queued are never queued (Apex Developer Guide, "Transaction Finalizers": a
    /// failed job's work is rolled back; Platform Events Developer Guide, "Platform Event
    /// Publish Behavior").
    fn roll_back_async(&mut self, (events, later): (usize, usize)) {
        let published = self.queue.events.split_off(events.min(self.queue.events.len()));
        for e in published {
            let immediate = match &e {
                Value::SObject(s) => self.schema.immediate_events.contains(&s.borrow().ty.to_ascii_lowercase()),
                _ => false,
            };
            if immediate {
                self.queue.events.push(e);
            }
        }
        self.queue.later.truncate(later);
        let q = &mut self.queue;
        let queued = |j: &Rc<str>| {
            q.jobs.iter().chain(q.later.iter()).any(|x| matches!(x, Job::Queueable { id, .. } if id == j))
        };
        let kept: Vec<(Rc<str>, Vec<String>)> = q.signatures.iter().filter(|(j, _)| queued(j)).cloned().collect();
        q.signatures = kept;
    }

    /// Delivers published platform events to their `after insert` triggers (chunks of 2 000).
    pub fn deliver_events(&mut self) -> R<()> {
        let mut guard = 0;
        while !self.queue.events.is_empty() && guard < 10 {
            guard += 1;
            let events = std::mem::take(&mut self.queue.events);
            let mut by_type: Vec<(Rc<str>, Vec<Value>)> = Vec::new();
            for e in events {
                let ty = match &e {
                    Value::SObject(s) => s.borrow().ty.clone(),
                    _ => continue,
                };
                match by_type.iter_mut().find(|(t, _)| *t == ty) {
                    Some((_, v)) => v.push(e),
                    None => by_type.push((ty, vec![e])),
                }
            }
            for (ty, evs) in by_type {
                for chunk in evs.chunks(2000) {
                    let saved = std::mem::replace(&mut self.lim, Limits::new(true));
                    let r = self.fire_event_triggers(&ty, chunk.to_vec());
                    self.lim = saved;
                    r?;
                }
            }
        }
        Ok(())
    }
}
