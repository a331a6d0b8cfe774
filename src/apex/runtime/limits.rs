//! Governor limits, per transaction, with Salesforce's numbers and `System.LimitException`
//! messages (Apex Developer Guide, "Execution Governors and Limits"; the messages are the
//! platform's: "Too many SOQL queries: 101", "Too many DML statements: 151", ...).
//!
//! CPU time and heap are estimates, documented as such: CPU time counts executed statements and
//! calls ([`STEPS_PER_MS`] per millisecond: about a microsecond each, the order of magnitude of
//! simple Apex statements), heap is checked on the size of each string and collection built
//! (the platform's heap is the sum of live objects; a single value above it is certainly over).

/// Steps (statements and calls) counted as one millisecond of Apex CPU time.
pub const STEPS_PER_MS: u64 = 1000;

/// Synchronous and asynchronous limits: (sync, async).
pub mod max {
    /// SOQL queries.
    pub const QUERIES: (u32, u32) = (100, 200);
    /// Rows retrieved by SOQL.
    pub const QUERY_ROWS: u32 = 50_000;
    /// SOSL queries.
    pub const SOSL: u32 = 20;
    /// DML statements.
    pub const DML: u32 = 150;
    /// DML rows.
    pub const DML_ROWS: u32 = 10_000;
    /// Callouts.
    pub const CALLOUTS: u32 = 100;
    /// Queueable jobs added with System.enqueueJob: 50 in a synchronous transaction, 1 in an
    /// asynchronous one.
    pub const QUEUEABLES: (u32, u32) = (50, 1);
    /// @future calls: 50 (0 from a future or batch context).
    pub const FUTURES: u32 = 50;
    /// Email invocations.
    pub const EMAILS: u32 = 10;
    /// CPU time, milliseconds.
    pub const CPU_MS: (u64, u64) = (10_000, 60_000);
    /// Heap, bytes.
    pub const HEAP: (usize, usize) = (6_000_000, 12_000_000);
    /// Publish-immediate platform event calls (EventBus.publish).
    pub const PUBLISH_IMMEDIATE: u32 = 150;
    /// Depth of triggers fired recursively by DML.
    pub const TRIGGER_DEPTH: usize = 16;
    /// Apex call depth ("Maximum stack depth reached: 1001").
    pub const STACK_DEPTH: usize = 1000;
    /// Scheduled Apex jobs.
    pub const SCHEDULED: u32 = 100;
}

/// What one transaction used.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// Whether the transaction is asynchronous (higher limits, one queueable).
    pub is_async: bool,
    /// SOQL queries.
    pub queries: u32,
    /// Rows retrieved.
    pub query_rows: u32,
    /// SOSL queries.
    pub sosl: u32,
    /// DML statements.
    pub dml: u32,
    /// DML rows.
    pub dml_rows: u32,
    /// Callouts.
    pub callouts: u32,
    /// Queueable jobs added.
    pub queueables: u32,
    /// Future calls.
    pub futures: u32,
    /// Email invocations.
    pub emails: u32,
    /// Steps executed (CPU estimate).
    pub steps: u64,
    /// Publish-immediate calls.
    pub publish: u32,
    /// Whether a DML statement ran (a callout after it, before commit, is refused).
    pub uncommitted_dml: bool,
}

impl Limits {
    /// A fresh set for a transaction.
    pub fn new(is_async: bool) -> Limits {
        Limits { is_async, ..Limits::default() }
    }

    /// The SOQL query limit.
    pub fn max_queries(&self) -> u32 {
        if self.is_async {
            max::QUERIES.1
        } else {
            max::QUERIES.0
        }
    }

    /// The queueable limit.
    pub fn max_queueables(&self) -> u32 {
        if self.is_async {
            max::QUEUEABLES.1
        } else {
            max::QUEUEABLES.0
        }
    }

    /// The CPU limit in steps.
    pub fn max_steps(&self) -> u64 {
        (if self.is_async { max::CPU_MS.1 } else { max::CPU_MS.0 }) * STEPS_PER_MS
    }

    /// The heap limit, bytes.
    pub fn max_heap(&self) -> usize {
        if self.is_async {
            max::HEAP.1
        } else {
            max::HEAP.0
        }
    }

    /// CPU time used, milliseconds (estimate).
    pub fn cpu_ms(&self) -> u64 {
        self.steps / STEPS_PER_MS
    }
}
