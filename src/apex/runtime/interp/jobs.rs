//! Running the async queue ([`crate::apex::runtime::asyncq`]) with the interpreter: at
//! `Test.stopTest()`, after the test method, and platform-event delivery. What a test observes of
//! async work is written down in the queue's module docs.

use super::{Ctl, Interp, R};
use crate::apex::runtime::asyncq::Job;
use crate::apex::runtime::limits::Limits;
use crate::apex::runtime::values::*;
use std::rc::Rc;

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
