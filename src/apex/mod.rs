//! The Apex language room: what sfgen knows about Apex as a language, shared by the static
//! coverage estimator ([`crate::coverage`]) and the runtime that runs Apex tests
//! ([`runtime`], `sfgen test`).
//!
//! - [`lines`]: Salesforce's executable-line rules (what coverage counts).
//! - [`runtime`]: parse → lower to the runtime's own syntax tree → resolve → interpret, with an
//!   in-memory org, governor limits, the async queue, the standard library by namespace, the
//!   test harness and the reports.

pub mod lines;
pub mod runtime;
