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
