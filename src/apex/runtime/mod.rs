//! The offline Apex runtime behind `sfgen test`: runs a package's Apex tests in-process, with
//! no org.
//!
//! Parse (tree-sitter-sfapex) → lower to the runtime's own syntax tree (file:line on every
//! node; the concrete tree is never interpreted) → resolve names and types (case-insensitive)
//! → a tree-walking interpreter. Rooms of their own: values, the interpreter, the in-memory
//! org (records, DML, triggers, ids), SOQL ([`soql`]'s engine, over a data-source trait),
//! governor limits, the async queue, the standard library (one file per namespace or class),
//! the test harness and the reports.
//!
//! Entry points: [`prepare`] (a package's tree → program and schema) and [`run`] (the tests).

pub mod ast;
pub mod asyncq;
pub mod db;
pub mod harness;
pub mod interp;
pub mod limits;
pub mod lower;
pub mod measure;
pub mod program;
pub mod query;
pub mod report;
pub mod soql;
pub mod stdlib;
pub mod time;
pub mod values;

use crate::metadata::Tree;
use std::sync::Arc;

/// What the runtime reads from a package: its Apex (within the platform's size bounds, as the
/// estimator reads it) and its schema.
pub fn prepare(tree: &Tree) -> (program::Program, db::schema::Schema) {
    let (sources, _skipped) = crate::apex::source::bounded_sources(tree);
    let srcs: Vec<(String, String, String, String)> =
        sources.into_iter().map(|s| (s.key.type_name, s.key.full_name, s.file, s.text)).collect();
    // Lowering recurses over syntax nesting: give it the test threads' stack.
    let build = move || program::Program::build(&srcs);
    let program = std::thread::Builder::new()
        .name("sfgen-apex-lower".into())
        .stack_size(1 << 30)
        .spawn(build)
        .ok()
        .and_then(|h| h.join().ok())
        .unwrap_or_default();
    (program, db::schema::Schema::from_tree(tree))
}

/// Runs the tests `tests` names (all when empty) of a prepared package.
pub fn run(
    program: Arc<program::Program>,
    schema: Arc<db::schema::Schema>,
    tests: &[String],
    opts: &harness::Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<harness::RunResult, Vec<String>> {
    let planned = harness::plan(&program, tests)?;
    Ok(harness::run(program, schema, planned, opts, progress))
}
