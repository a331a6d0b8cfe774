//! SOQL in the interpreter: inline queries (`[SELECT ...]`, with their binds) and dynamic ones
//! (`Database.query`). The SOQL engine itself is [`super::soql`] (its own parser and evaluator
//! over a data-source trait); until it is wired in, a query ends the test as skipped.

use super::interp::{Interp, R};
use super::values::Value;

impl<'p> Interp<'p> {
    /// An inline query with its bind values (`:__bind0`, ... in the text).
    pub fn soql(&mut self, text: &str, binds: Vec<Value>) -> R<Value> {
        let _ = binds;
        let head: String = text.split_whitespace().take(8).collect::<Vec<_>>().join(" ");
        self.unsupported(format!("SOQL (the query engine is not wired in yet): [{head} ...]"))
    }

    /// `Database.query(q)` / `Database.countQuery(q)` / `queryWithBinds(q, binds)`.
    pub fn dynamic_soql(&mut self, text: &str, binds: Option<Value>, count: bool) -> R<Value> {
        let _ = (binds, count);
        let head: String = text.split_whitespace().take(8).collect::<Vec<_>>().join(" ");
        self.unsupported(format!("SOQL (the query engine is not wired in yet): {head} ..."))
    }
}
