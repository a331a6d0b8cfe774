//! The Apex language room: what sfgen knows about Apex as a language, and the two ways it tells
//! a package's coverage: estimated offline ([`estimate`], `sfgen check --estimate-only`) and
//! measured by running the tests ([`runtime`], `sfgen test`, `sfgen check`).
//!
//! One way down: [`estimate`] and [`runtime`] stand side by side above what both use.
//! - [`estimate`]: the static coverage estimator (parse with tree-sitter, index, walk each test).
//! - [`runtime`]: parse → lower to the runtime's own syntax tree → resolve → interpret, with an
//!   in-memory org, governor limits, the async queue, the standard library by namespace, the
//!   test harness and the reports.
//! - [`coverage`]: the figures both produce (per class and trigger a range of lines), the table,
//!   Cobertura and LCOV.
//! - [`source`]: the package's Apex bodies, within the platform's size bounds.
//! - [`lines`]: Salesforce's executable-line rules (what coverage counts).
//! - [`syntax`]: what both ask of the syntax tree before walking it (its depth).

pub mod coverage;
pub mod estimate;
pub mod lines;
pub mod runtime;
pub mod source;
pub mod syntax;
