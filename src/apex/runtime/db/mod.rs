//! The in-memory org: the schema ([`schema`]), record ids ([`ids`]) and the stored records.
//! DML (with triggers) lives in the interpreter ([`super::interp::dml`]), which calls back into
//! Apex; this module only stores and copies rows.

pub mod ids;
pub mod schema;

use super::values::{SObj, Value};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::rc::Rc;

/// Stored records: per object (lower-case name), rows by Id in insertion order.
#[derive(Debug, Clone, Default)]
pub struct Db {
    /// Live rows.
    pub tables: HashMap<String, IndexMap<Rc<str>, SObj>>,
    /// The recycle bin: deleted rows by Id (object name, row).
    pub recycle: IndexMap<Rc<str>, (String, SObj)>,
    /// Ids handed out per key prefix.
    pub counters: HashMap<String, u64>,
    /// Auto-number counters per object.
    pub autonumbers: HashMap<String, u64>,
    /// Undo records of the DML statements running ([`Db::mark`], [`Db::rollback_to`]): a failed
    /// statement is undone without copying the org for every statement.
    journal: Vec<Undo>,
    /// Open marks (nested statements, from triggers).
    open: usize,
}

/// What undoes one change.
#[derive(Debug, Clone)]
enum Undo {
    /// A row was stored: its previous state (none: it was new).
    Row(String, Rc<str>, Option<SObj>),
    /// A recycle-bin entry changed: its previous state.
    Bin(Rc<str>, Option<(String, SObj)>),
}

impl Db {
    /// A new id for an object with this key prefix.
    pub fn new_id(&mut self, prefix: &str) -> Rc<str> {
        let n = self.counters.entry(prefix.to_string()).or_insert(0);
        *n += 1;
        ids::make(prefix, *n).into()
    }

    /// The row with this id in any table.
    pub fn find(&self, id: &str) -> Option<(&str, &SObj)> {
        for (t, rows) in &self.tables {
            if let Some(r) = rows.get(id) {
                return Some((t.as_str(), r));
            }
        }
        None
    }

    /// The row with this id in the given table.
    pub fn row(&self, table: &str, id: &str) -> Option<&SObj> {
        self.tables.get(table).and_then(|t| t.get(id))
    }

    /// Rows of an object.
    pub fn rows(&self, table: &str) -> impl Iterator<Item = &SObj> {
        self.tables.get(table).into_iter().flat_map(|t| t.values())
    }

    /// Stores a row (replacing one with the same id).
    pub fn put(&mut self, table: &str, row: SObj) {
        let Some(id) = row.id() else { return };
        let prev = self.tables.entry(table.to_string()).or_default().insert(id.clone(), row);
        if self.open > 0 {
            self.journal.push(Undo::Row(table.to_string(), id, prev));
        }
    }

    /// Removes a row to the recycle bin.
    pub fn delete(&mut self, table: &str, id: &str) -> Option<SObj> {
        let row = self.tables.get_mut(table).and_then(|t| t.shift_remove(id))?;
        // In the recycle bin a row reads IsDeleted = true (`ALL ROWS` queries see it so).
        let mut binned = row.clone();
        binned.put("IsDeleted", Value::Bool(true));
        let prev = self.recycle.insert(id.into(), (table.to_string(), binned));
        if self.open > 0 {
            self.journal.push(Undo::Row(table.to_string(), id.into(), Some(row.clone())));
            self.journal.push(Undo::Bin(id.into(), prev));
        }
        Some(row)
    }

    /// Takes a row out of the recycle bin (undelete).
    pub fn unrecycle(&mut self, id: &str) {
        let prev = self.recycle.shift_remove(id);
        if self.open > 0 {
            self.journal.push(Undo::Bin(id.into(), prev));
        }
    }

    /// Starts recording what a DML statement changes; returns the mark to roll back to.
    pub fn mark(&mut self) -> usize {
        self.open += 1;
        self.journal.len()
    }

    /// Ends a statement that succeeded (its changes stay; an enclosing statement may still undo
    /// them).
    pub fn commit(&mut self, mark: usize) {
        self.open = self.open.saturating_sub(1);
        if self.open == 0 {
            self.journal.truncate(mark.min(self.journal.len()));
            self.journal.clear();
        }
    }

    /// Undoes everything recorded since `mark` and ends the statement.
    pub fn rollback_to(&mut self, mark: usize) {
        while self.journal.len() > mark {
            match self.journal.pop() {
                Some(Undo::Row(table, id, prev)) => {
                    let t = self.tables.entry(table).or_default();
                    match prev {
                        Some(row) => {
                            // Put back in place (insertion order may move to the end: rows keep
                            // their ids, which is what order by default follows here).
                            t.insert(id, row);
                        }
                        None => {
                            t.shift_remove(&id);
                        }
                    }
                }
                Some(Undo::Bin(id, prev)) => match prev {
                    Some(e) => {
                        self.recycle.insert(id, e);
                    }
                    None => {
                        self.recycle.shift_remove(&id);
                    }
                },
                None => break,
            }
        }
        self.open = self.open.saturating_sub(1);
        if self.open == 0 {
            self.journal.clear();
        }
    }

    /// Counts every live row.
    pub fn len(&self) -> usize {
        self.tables.values().map(IndexMap::len).sum()
    }

    /// Whether no row is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A stored row as a fresh record value (a copy: changes to it do not touch the database).
pub fn row_value(row: &SObj) -> Value {
    Value::sobject(row.clone())
}
