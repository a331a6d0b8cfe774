//! The offline Apex runtime behind `sfgen test`: runs a package's Apex tests in-process, with
//! no org.
//!
//! Parse (tree-sitter-sfapex) → lower to the runtime's own syntax tree (file:line on every
//! node; the concrete tree is never interpreted) → resolve names and types (case-insensitive)
//! → a tree-walking interpreter. Rooms of their own: values, the interpreter, the in-memory
//! org (records, DML, triggers, ids), SOQL ([`soql`]'s engine, over a data-source trait),
//! governor limits, the async queue, the standard library (one file per namespace or class),
//! the test harness and the reports.

pub mod soql;
