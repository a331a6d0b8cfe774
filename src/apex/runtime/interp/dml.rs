//! DML with triggers, as the platform runs it ("Triggers and Order of Execution", Apex
//! Developer Guide): per statement, records are processed in chunks of 200 of one object;
//! before triggers see copies of the records (what they change is saved, but the caller's
//! variables only receive the new Id), system validation (required fields, lengths, unique
//! values, existing references) follows, rows are saved, then after triggers run.
//!
//! Failures carry the platform's `StatusCode`s and messages. With allOrNone (the `insert`
//! statement, `Database.insert(rows)`) any failure rolls the whole statement back and throws
//! `System.DmlException` ("Insert failed. First exception on row 0; first error:
//! REQUIRED_FIELD_MISSING, Required fields are missing: [LastName]: [LastName]"); with
//! `allOrNone = false` the failed rows carry their errors and the others are saved. An
//! exception a trigger does not handle fails its chunk's rows with
//! `CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY` ("ContactTrigger: execution of AfterInsert ...
//! caused by: ..."). Limits: 150 DML statements, 10 000 rows.

use super::{Ctl, Frame, Interp, TriggerCtx, R};
use crate::apex::runtime::ast::{DmlOp, TypeRef};
use crate::apex::runtime::db::schema::{FieldType, ObjKind};
use crate::apex::runtime::limits::max;
use crate::apex::runtime::time;
use crate::apex::runtime::values::*;
use std::cell::RefCell;
use std::rc::Rc;

/// One row's outcome.
#[derive(Debug, Clone, Default)]
pub struct RowResult {
    /// The record's Id (set when saved).
    pub id: Option<Rc<str>>,
    /// Errors (empty: success).
    pub errors: Vec<DmlError>,
    /// Upsert: created (else updated).
    pub created: bool,
}

/// A DML statement's input row.
enum Item {
    Rec(Rc<RefCell<SObj>>),
    Id(Rc<str>),
}

fn err(index: usize, status: &str, message: impl Into<String>, fields: Vec<String>, id: Option<Rc<str>>) -> DmlError {
    DmlError { index, status: status.to_string(), message: message.into(), fields, id }
}

impl<'p> Interp<'p> {
    /// The `insert x;` family: allOrNone, failures throw DmlException.
    pub fn dml_statement(
        &mut self,
        op: DmlOp,
        target: Value,
        key: Option<&TypeRef>,
        merge_with: Option<Value>,
    ) -> R<()> {
        if op == DmlOp::Merge {
            let _ = merge_with;
            return self.unsupported("the merge DML statement");
        }
        let key_field = key.map(|k| k.parts.last().cloned().unwrap_or_default());
        let results = self.dml(op, target, true, key_field)?;
        let _ = results;
        Ok(())
    }

    /// Runs a DML operation over a record, a list of records or (delete, undelete) Ids.
    pub fn dml(&mut self, op: DmlOp, target: Value, all_or_none: bool, key_field: Option<String>) -> R<Vec<RowResult>> {
        let mut items = Vec::new();
        let single = !matches!(target, Value::List(_));
        match &target {
            // DML on a null record: a NullPointerException (apex-recipes'
            // CustomRestEndpointRecipes_Tests.httpCalloutDeleteSingleContactNegativeException,
            // passing in real orgs, expects "Attempt to de-reference a null object" from
            // `delete contact` with a null contact).
            Value::Null => return self.npe(),
            Value::SObject(s) => items.push(Item::Rec(s.clone())),
            Value::Id(i) if matches!(op, DmlOp::Delete | DmlOp::Undelete) => items.push(Item::Id(i.clone())),
            Value::List(l) => {
                for v in l.borrow().items.iter() {
                    match v {
                        Value::SObject(s) => items.push(Item::Rec(s.clone())),
                        Value::Id(i) | Value::Str(i) if matches!(op, DmlOp::Delete | DmlOp::Undelete) => {
                            items.push(Item::Id(i.clone()))
                        }
                        Value::Null => {
                            return self.throw(
                                "System.ListException",
                                "Cannot insert a null element into a list of records".to_string(),
                            );
                        }
                        _ => {
                            return self.compile_error(format!(
                                "DML requires SObject or SObject list type: {}",
                                self.type_name_of(v)
                            ))
                        }
                    }
                }
            }
            other => {
                let tn = self.type_name_of(other);
                return self.compile_error(format!("DML requires SObject or SObject list type: {tn}"));
            }
        }
        let _ = single;
        // Limits: the statement, then its rows.
        self.lim.dml += 1;
        if self.lim.dml > max::DML {
            let n = self.lim.dml;
            return self.limit(format!("Too many DML statements: {n}"));
        }
        self.lim.dml_rows += items.len() as u32;
        if self.lim.dml_rows > max::DML_ROWS {
            let n = self.lim.dml_rows;
            return self.limit(format!("Too many DML rows: {n}"));
        }
        if items.is_empty() {
            return Ok(Vec::new());
        }
        self.lim.uncommitted_dml = true;
        let mark = self.db.mark();
        let mut results: Vec<RowResult> = (0..items.len()).map(|_| RowResult::default()).collect();
        // Object of each row.
        let mut objs: Vec<Rc<str>> = Vec::with_capacity(items.len());
        for it in &items {
            let o: Rc<str> = match it {
                Item::Rec(s) => s.borrow().ty.clone(),
                Item::Id(id) => match self.object_of_id(id) {
                    Some(o) => o,
                    None => "".into(),
                },
            };
            objs.push(o);
        }
        if let Some(o) = objs.iter().find(|o| self.schema.object(o).is_some_and(|i| i.kind == ObjKind::Metadata)) {
            let on = o.to_string();
            return self.compile_error(format!("DML operation {} not allowed on {on}", op.name().to_ascii_uppercase()));
        }
        // Upsert splits into inserts and updates.
        if op == DmlOp::Upsert {
            let mut ins = Vec::new();
            let mut upd = Vec::new();
            for (i, it) in items.iter().enumerate() {
                let Item::Rec(s) = it else { continue };
                let existing = self.upsert_match(s, key_field.as_deref(), &objs[i]);
                match existing {
                    Ok(Some(id)) => {
                        s.borrow_mut().put("Id", Value::Id(id));
                        upd.push(i);
                    }
                    Ok(None) => {
                        if s.borrow().id().is_some() {
                            upd.push(i);
                        } else {
                            ins.push(i);
                        }
                    }
                    Err(e) => results[i].errors.push(e),
                }
            }
            for &i in &ins {
                results[i].created = true;
            }
            if let Err(e) = self.run_chunks(DmlOp::Insert, &items, &objs, &ins, &mut results) {
                self.db.rollback_to(mark);
                return Err(e);
            }
            if let Err(e) = self.run_chunks(DmlOp::Update, &items, &objs, &upd, &mut results) {
                self.db.rollback_to(mark);
                return Err(e);
            }
        } else {
            let all: Vec<usize> = (0..items.len()).filter(|i| results[*i].errors.is_empty()).collect();
            if let Err(e) = self.run_chunks(op, &items, &objs, &all, &mut results) {
                self.db.rollback_to(mark);
                return Err(e);
            }
        }
        let failed = results.iter().position(|r| !r.errors.is_empty());
        if let Some(first) = failed {
            if all_or_none {
                self.db.rollback_to(mark);
                for it in &items {
                    if let (Item::Rec(s), DmlOp::Insert) = (it, op) {
                        s.borrow_mut().fields.shift_remove("id");
                    }
                }
                let e = results[first].errors[0].clone();
                let with_id = match (&items[first], op) {
                    (_, DmlOp::Insert) => String::new(),
                    (Item::Rec(s), _) => s.borrow().id().map(|i| format!(" with id {i}")).unwrap_or_default(),
                    (Item::Id(i), _) => format!(" with id {i}"),
                };
                let msg = format!(
                    "{} failed. First exception on row {first}{with_id}; first error: {}, {}: [{}]",
                    capital(op.name()),
                    e.status,
                    e.message,
                    e.fields.join(", ")
                );
                let exc = self.new_exception("System.DmlException", Some(msg));
                if let Value::Obj(o) = &exc {
                    if let Some(x) = o.borrow_mut().exc.as_mut() {
                        x.dml = results.iter().flat_map(|r| r.errors.iter().cloned()).collect();
                        x.thrown = true;
                    }
                }
                return Err(Box::new(Ctl::Throw(exc)));
            }
        }
        self.db.commit(mark);
        Ok(results)
    }

    fn upsert_match(
        &mut self,
        s: &Rc<RefCell<SObj>>,
        key: Option<&str>,
        obj: &str,
    ) -> Result<Option<Rc<str>>, DmlError> {
        let Some(k) = key.filter(|k| !k.eq_ignore_ascii_case("id")) else { return Ok(None) };
        let val = s.borrow().get(k).cloned();
        let Some(val) = val.filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let table = obj.to_ascii_lowercase();
        let needle = key_text(&val);
        let found: Vec<Rc<str>> = self
            .db
            .rows(&table)
            .filter(|r| r.get(k).is_some_and(|x| key_text(x).eq_ignore_ascii_case(&needle)))
            .filter_map(|r| r.id())
            .collect();
        match found.len() {
            0 => Ok(None),
            1 => Ok(found.into_iter().next()),
            _ => Err(err(
                0,
                "DUPLICATE_EXTERNAL_ID",
                format!("{k}: more than one record found for external id field"),
                vec![k.to_string()],
                None,
            )),
        }
    }

    fn object_of_id(&self, id: &str) -> Option<Rc<str>> {
        let prefix = id.get(..3)?;
        self.schema.object_by_prefix(prefix).map(|s| Rc::from(&*s))
    }

    fn run_chunks(
        &mut self,
        op: DmlOp,
        items: &[Item],
        objs: &[Rc<str>],
        rows: &[usize],
        results: &mut [RowResult],
    ) -> R<()> {
        let mut i = 0;
        while i < rows.len() {
            let obj = objs[rows[i]].clone();
            let mut chunk = vec![rows[i]];
            i += 1;
            while i < rows.len() && chunk.len() < 200 && objs[rows[i]] == obj {
                chunk.push(rows[i]);
                i += 1;
            }
            self.run_chunk(op, items, &obj, &chunk, results)?;
        }
        Ok(())
    }

    fn run_chunk(
        &mut self,
        op: DmlOp,
        items: &[Item],
        obj: &Rc<str>,
        chunk: &[usize],
        results: &mut [RowResult],
    ) -> R<()> {
        let table = obj.to_ascii_lowercase();
        let now = self.now_ms();
        let user = self.test.user.clone();
        // Build the rows the triggers see.
        let mut new_rows: Vec<Option<Rc<RefCell<SObj>>>> = Vec::new();
        let mut old_rows: Vec<Option<SObj>> = Vec::new();
        for &ix in chunk {
            let mut new = None;
            let mut old = None;
            match op {
                DmlOp::Insert => {
                    let Item::Rec(s) = &items[ix] else { continue };
                    if s.borrow().id().is_some() {
                        results[ix].errors.push(err(
                            ix,
                            "INVALID_FIELD_FOR_INSERT_UPDATE",
                            "cannot specify Id in an insert call",
                            vec!["Id".into()],
                            None,
                        ));
                    } else {
                        let mut copy = strip_relations(&s.borrow());
                        match self.foreign_keys(&s.borrow(), &mut copy, ix) {
                            Ok(()) => {
                                self.apply_defaults(&mut copy);
                                new = Some(Rc::new(RefCell::new(copy)));
                            }
                            Err(e) => results[ix].errors.push(e),
                        }
                    }
                }
                DmlOp::Update => {
                    let Item::Rec(s) = &items[ix] else { continue };
                    match s.borrow().id() {
                        None => results[ix].errors.push(err(
                            ix,
                            "MISSING_ARGUMENT",
                            "Id not specified in an update call",
                            vec![],
                            None,
                        )),
                        Some(id) => match self.db.row(&table, &id).cloned() {
                            Some(row) => {
                                let mut merged = row.clone();
                                for (k, (n, v)) in strip_relations(&s.borrow()).fields.iter() {
                                    let _ = k;
                                    merged.put(n, v.clone());
                                }
                                merged.queried = false;
                                new = Some(Rc::new(RefCell::new(merged)));
                                old = Some(row);
                            }
                            None => {
                                let (status, msg) = if self.db.recycle.contains_key(&id) {
                                    ("ENTITY_IS_DELETED", "entity is deleted")
                                } else {
                                    ("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                                };
                                results[ix].errors.push(err(ix, status, msg, vec![], Some(id)));
                            }
                        },
                    }
                }
                DmlOp::Delete => {
                    let id = match &items[ix] {
                        Item::Rec(s) => s.borrow().id(),
                        Item::Id(i) => Some(i.clone()),
                    };
                    match id {
                        None => results[ix].errors.push(err(
                            ix,
                            "MISSING_ARGUMENT",
                            "Id not specified in a delete call",
                            vec![],
                            None,
                        )),
                        Some(id) => match self.db.row(&table, &id).cloned() {
                            Some(row) => old = Some(row),
                            None => {
                                let (status, msg) = if self.db.recycle.contains_key(&id) {
                                    ("ENTITY_IS_DELETED", "entity is deleted")
                                } else {
                                    ("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                                };
                                results[ix].errors.push(err(ix, status, msg, vec![], Some(id)));
                            }
                        },
                    }
                }
                DmlOp::Undelete => {
                    let id = match &items[ix] {
                        Item::Rec(s) => s.borrow().id(),
                        Item::Id(i) => Some(i.clone()),
                    };
                    match id.and_then(|id| self.db.recycle.get(&id).cloned().map(|r| (id, r))) {
                        Some((_, (_, row))) => new = Some(Rc::new(RefCell::new(row))),
                        None => results[ix].errors.push(err(
                            ix,
                            "UNDELETE_FAILED",
                            "Entity is not in the recycle bin",
                            vec![],
                            None,
                        )),
                    }
                }
                _ => {}
            }
            new_rows.push(new);
            old_rows.push(old);
        }
        let live: Vec<usize> = (0..chunk.len()).filter(|k| results[chunk[*k]].errors.is_empty()).collect();
        // Before triggers.
        let before = match op {
            DmlOp::Insert => Some("before_insert"),
            DmlOp::Update => Some("before_update"),
            DmlOp::Delete => Some("before_delete"),
            _ => None,
        };
        if let Some(ev) = before {
            let newv: Vec<Value> = live.iter().filter_map(|k| new_rows[*k].clone().map(Value::SObject)).collect();
            let oldv: Vec<Value> = live.iter().filter_map(|k| old_rows[*k].clone().map(Value::sobject)).collect();
            self.fire(obj, ev, &newv, &oldv, chunk, &live, results)?;
            self.collect_add_errors(&new_rows, &old_rows, chunk, &live, results);
        }
        // Validate and save.
        for &k in &live {
            let ix = chunk[k];
            if !results[ix].errors.is_empty() {
                continue;
            }
            match op {
                DmlOp::Insert | DmlOp::Update => {
                    let Some(row) = new_rows[k].clone() else { continue };
                    compound_name(&table, &mut row.borrow_mut());
                    let errs = self.validate(&table, &row.borrow(), ix, op == DmlOp::Insert);
                    if !errs.is_empty() {
                        results[ix].errors.extend(errs);
                        continue;
                    }
                    let mut r = row.borrow_mut();
                    if op == DmlOp::Insert {
                        let prefix =
                            self.schema.object(obj).map(|o| o.prefix.to_string()).unwrap_or_else(|| "a99".into());
                        let id = self.db.new_id(&prefix);
                        r.put("Id", Value::Id(id.clone()));
                        r.put("CreatedDate", Value::Datetime(now));
                        r.put("CreatedById", Value::Id(user.clone()));
                        r.put("IsDeleted", Value::Bool(false));
                        let owner_needed = self
                            .schema
                            .object(obj)
                            .is_some_and(|o| matches!(o.kind, ObjKind::Custom | ObjKind::Standard));
                        if owner_needed && r.get("ownerid").is_none() {
                            r.put("OwnerId", Value::Id(user.clone()));
                        }
                        if let Some(fmt) = self.schema.object(obj).and_then(|o| o.autonumber.clone()) {
                            let n = self.db.autonumbers.entry(table.clone()).or_insert(0);
                            *n += 1;
                            r.put("Name", Value::str(autonumber(&fmt, *n)));
                        } else if r.get("name").is_none_or(|v| v.is_null())
                            && self.schema.object(obj).is_some_and(|o| o.kind == ObjKind::Custom)
                        {
                            r.put("Name", Value::Id(id.clone()));
                        }
                        results[ix].id = Some(id.clone());
                        if let Item::Rec(s) = &items[ix] {
                            s.borrow_mut().put("Id", Value::Id(id));
                        }
                    } else {
                        results[ix].id = r.id();
                    }
                    r.put("LastModifiedDate", Value::Datetime(now));
                    r.put("LastModifiedById", Value::Id(user.clone()));
                    r.put("SystemModstamp", Value::Datetime(now));
                    if op == DmlOp::Insert {
                        self.saved_beside(&table, &mut r)?;
                    }
                    let saved = strip_relations(&r);
                    drop(r);
                    self.db.put(&table, saved);
                }
                DmlOp::Delete => {
                    if let Some(old) = &old_rows[k] {
                        if let Some(id) = old.id() {
                            self.db.delete(&table, &id);
                            results[ix].id = Some(id);
                        }
                    }
                }
                DmlOp::Undelete => {
                    if let Some(row) = &new_rows[k] {
                        if let Some(id) = row.borrow().id() {
                            self.db.unrecycle(&id);
                            let mut restored = row.borrow().clone();
                            restored.put("IsDeleted", Value::Bool(false));
                            self.db.put(&table, restored);
                            results[ix].id = Some(id);
                        }
                    }
                }
                _ => {}
            }
        }
        // After triggers: the saved rows (fresh copies).
        let after = match op {
            DmlOp::Insert => "after_insert",
            DmlOp::Update => "after_update",
            DmlOp::Delete => "after_delete",
            DmlOp::Undelete => "after_undelete",
            _ => return Ok(()),
        };
        let ok: Vec<usize> = (0..chunk.len()).filter(|k| results[chunk[*k]].errors.is_empty()).collect();
        if ok.is_empty() {
            return Ok(());
        }
        let mut newv = Vec::new();
        let mut oldv = Vec::new();
        let mut after_new: Vec<Option<Rc<RefCell<SObj>>>> = vec![None; chunk.len()];
        for &k in &ok {
            if op != DmlOp::Delete {
                if let Some(id) = results[chunk[k]].id.clone() {
                    if let Some(row) = self.db.row(&table, &id) {
                        let rc = Rc::new(RefCell::new(row.clone()));
                        after_new[k] = Some(rc.clone());
                        newv.push(Value::SObject(rc));
                    }
                }
            }
            if let Some(o) = &old_rows[k] {
                oldv.push(Value::sobject(o.clone()));
            }
        }
        self.fire(obj, after, &newv, &oldv, chunk, &ok, results)?;
        self.collect_add_errors(&after_new, &old_rows, chunk, &ok, results);
        Ok(())
    }

    /// Errors added with `addError` in triggers become row errors.
    fn collect_add_errors(
        &mut self,
        new_rows: &[Option<Rc<RefCell<SObj>>>],
        old_rows: &[Option<SObj>],
        chunk: &[usize],
        live: &[usize],
        results: &mut [RowResult],
    ) {
        for &k in live {
            let ix = chunk[k];
            let mut errs = Vec::new();
            if let Some(n) = &new_rows[k] {
                errs.extend(std::mem::take(&mut n.borrow_mut().errors));
            }
            let _ = old_rows;
            for (m, field) in errs {
                let id = new_rows[k].as_ref().and_then(|n| n.borrow().id());
                results[ix].errors.push(err(
                    ix,
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    m,
                    field.into_iter().collect(),
                    id,
                ));
            }
        }
    }

    /// Runs the triggers on `obj` for one event.
    #[allow(clippy::too_many_arguments)]
    fn fire(
        &mut self,
        obj: &str,
        event: &'static str,
        new: &[Value],
        old: &[Value],
        chunk: &[usize],
        live: &[usize],
        results: &mut [RowResult],
    ) -> R<()> {
        let p = self.p;
        let Some(tids) = p.triggers_by_object.get(&obj.to_ascii_lowercase()) else { return Ok(()) };
        let tids: Vec<usize> =
            tids.iter().copied().filter(|t| p.triggers[*t].decl.events.iter().any(|e| e == event)).collect();
        if tids.is_empty() {
            return Ok(());
        }
        if self.trig.len() >= max::TRIGGER_DEPTH {
            for &k in live {
                results[chunk[k]].errors.push(err(
                    chunk[k],
                    "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                    "maximum trigger depth exceeded",
                    vec![],
                    None,
                ));
            }
            return Ok(());
        }
        let ty = Ty::SObject(Some(obj.into()));
        let newl = if new.is_empty() && matches!(event, "before_delete" | "after_delete") {
            None
        } else {
            Some(Value::list(ty.clone(), new.to_vec()))
        };
        let oldl = if old.is_empty() { None } else { Some(Value::list(ty, old.to_vec())) };
        for t in tids {
            let trig = &p.triggers[t];
            self.trig.push(TriggerCtx { event, new: newl.clone(), old: oldl.clone(), size: new.len().max(old.len()) });
            let name: Rc<str> = format!("Trigger.{}", trig.decl.name).into();
            let here = self.here();
            let r = self.enter(name, here).and_then(|_| {
                let mut f = Frame::for_method(&trig.decl.body, None, None);
                let r = match &trig.decl.body.body {
                    Some(b) => self.exec_block(&mut f, b).map(|_| ()),
                    None => Ok(()),
                };
                self.leave();
                r
            });
            self.trig.pop();
            if let Err(ctl) = r {
                match *ctl {
                    Ctl::Throw(exc) => {
                        let uncatchable =
                            matches!(&exc, Value::Obj(o) if o.borrow().exc.as_ref().is_some_and(|x| x.uncatchable));
                        if uncatchable {
                            return Err(Box::new(Ctl::Throw(exc)));
                        }
                        let (tname, msg, stack) = self.describe_exception(&exc);
                        let phase = event_phase(event);
                        let text = format!(
                            "{}: execution of {phase}\n\ncaused by: {tname}: {msg}\n\n{}",
                            trig.decl.name,
                            stack.join("\n")
                        );
                        for &k in live {
                            results[chunk[k]].errors.push(err(
                                chunk[k],
                                "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                                text.clone(),
                                vec![],
                                None,
                            ));
                        }
                        return Ok(());
                    }
                    other => return Err(Box::new(other)),
                }
            }
        }
        Ok(())
    }

    /// Runs the `after insert` triggers of a platform event for delivered events.
    pub fn fire_event_triggers(&mut self, obj: &str, events: Vec<Value>) -> R<()> {
        let p = self.p;
        let Some(tids) = p.triggers_by_object.get(&obj.to_ascii_lowercase()) else { return Ok(()) };
        let tids: Vec<usize> =
            tids.iter().copied().filter(|t| p.triggers[*t].decl.events.iter().any(|e| e == "after_insert")).collect();
        let ty = Ty::SObject(Some(obj.into()));
        let n = events.len();
        let list = Value::list(ty, events);
        for t in tids {
            let trig = &p.triggers[t];
            self.trig.push(TriggerCtx { event: "after_insert", new: Some(list.clone()), old: None, size: n });
            let name: Rc<str> = format!("Trigger.{}", trig.decl.name).into();
            let here = self.here();
            let r = self.enter(name, here).and_then(|_| {
                let mut f = Frame::for_method(&trig.decl.body, None, None);
                let r = match &trig.decl.body.body {
                    Some(b) => self.exec_block(&mut f, b).map(|_| ()),
                    None => Ok(()),
                };
                self.leave();
                r
            });
            self.trig.pop();
            r?;
        }
        Ok(())
    }

    /// (type name, message, stack lines) of an exception value.
    pub fn describe_exception(&self, exc: &Value) -> (String, String, Vec<String>) {
        match exc {
            Value::Obj(o) => {
                let o = o.borrow();
                let name = self.p.classes[o.class as usize].full.to_string();
                let name = if self.p.classes[o.class as usize].platform && !name.contains('.') {
                    format!("System.{name}")
                } else {
                    name
                };
                let x = o.exc.as_deref();
                (
                    name,
                    x.and_then(|x| x.message.clone()).unwrap_or_default(),
                    x.map(|x| x.stack.clone()).unwrap_or_default(),
                )
            }
            _ => ("System.Exception".into(), String::new(), Vec::new()),
        }
    }

    /// Sets the default values of the fields a new record leaves null.
    pub fn apply_defaults(&self, row: &mut SObj) {
        let Some(info) = self.schema.object(&row.ty) else { return };
        for f in info.fields.values() {
            let Some(d) = &f.default else { continue };
            if row.get(&f.name).is_some() {
                continue;
            }
            let v = match (&f.ty, d.trim()) {
                (FieldType::Checkbox, t) => Value::Bool(t.eq_ignore_ascii_case("true")),
                (FieldType::Number(_), t) => match rust_decimal::Decimal::from_str_exact(t) {
                    Ok(d) => Value::Dec(d),
                    Err(_) => continue,
                },
                (FieldType::Text(_), t) if t.starts_with('\'') || t.starts_with('"') => {
                    Value::str(t.trim_matches(|c| c == '\'' || c == '"'))
                }
                _ => continue,
            };
            row.put(&f.name, v);
        }
    }

    /// System validation of a row to save.
    pub fn validate(&self, table: &str, row: &SObj, ix: usize, insert: bool) -> Vec<DmlError> {
        let mut out = Vec::new();
        let Some(info) = self.schema.object(table) else { return out };
        let id = row.id();
        let mut missing = Vec::new();
        for f in info.fields.values() {
            let v = row.get(&f.name);
            let null = v.is_none_or(|v| v.is_null() || matches!(v, Value::Str(s) if s.is_empty()));
            // A PermissionSetAssignment names a permission set or a permission set group (SOAP
            // API Object Reference, PermissionSetAssignment: PermissionSetGroupId).
            let either = table == "permissionsetassignment"
                && f.name.eq_ignore_ascii_case("PermissionSetId")
                && row.get("permissionsetgroupid").is_some_and(|g| !g.is_null());
            if f.required && null && (insert || v.is_some()) && !either {
                missing.push(f.name.to_string());
            }
            let Some(v) = v else { continue };
            if let (FieldType::Text(max), Value::Str(s)) = (&f.ty, v) {
                let n = s.chars().count();
                if n > *max {
                    let shown: String = s.chars().take(40).collect();
                    out.push(err(
                        ix,
                        "STRING_TOO_LONG",
                        format!(
                            "{}: data value too large: {shown}{} (max length={max})",
                            f.label,
                            if n > 40 { "..." } else { "" }
                        ),
                        vec![f.name.to_string()],
                        id.clone(),
                    ));
                }
            }
            if f.unique && !null {
                let needle = key_text(v);
                let dup = self.db.rows(table).find(|r| {
                    r.id() != id && r.get(&f.name).is_some_and(|x| key_text(x).eq_ignore_ascii_case(&needle))
                });
                if let Some(d) = dup {
                    out.push(err(
                        ix,
                        "DUPLICATE_VALUE",
                        format!(
                            "duplicate value found: {} duplicates value on record with id: {}",
                            f.name,
                            d.id().unwrap_or_default()
                        ),
                        vec![],
                        id.clone(),
                    ));
                }
            }
            if let (FieldType::Reference(targets), Value::Id(r)) = (&f.ty, v) {
                let exists =
                    self.db.find(r).is_some() || r.starts_with("00D") || r.starts_with("005") || r.starts_with("00e");
                if !exists && !targets.is_empty() {
                    let deleted = self.db.recycle.contains_key(r);
                    out.push(err(
                        ix,
                        if deleted { "ENTITY_IS_DELETED" } else { "INVALID_CROSS_REFERENCE_KEY" },
                        if deleted {
                            "entity is deleted".to_string()
                        } else {
                            "invalid cross reference id".to_string()
                        },
                        vec![],
                        id.clone(),
                    ));
                }
            }
        }
        if !missing.is_empty() {
            out.insert(
                0,
                err(
                    ix,
                    "REQUIRED_FIELD_MISSING",
                    format!("Required fields are missing: [{}]", missing.join(", ")),
                    missing,
                    id,
                ),
            );
        }
        out
    }

    /// Now, as the platform's clock (the real clock: tests compare with Datetime.now()).
    pub fn now_ms(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }

    /// Today (GMT) as days since the epoch.
    pub fn today(&self) -> i64 {
        self.now_ms().div_euclid(time::DAY_MS)
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn event_phase(ev: &str) -> &'static str {
    match ev {
        "before_insert" => "BeforeInsert",
        "before_update" => "BeforeUpdate",
        "before_delete" => "BeforeDelete",
        "after_insert" => "AfterInsert",
        "after_update" => "AfterUpdate",
        "after_delete" => "AfterDelete",
        _ => "AfterUndelete",
    }
}

impl Interp<'_> {
    /// A parent given by external id (`contact.Account = new Account(Ext__c = 'x')`) sets the
    /// lookup to the parent record holding that value, saved before, in the same statement too
    /// (Apex Developer Guide, "Creating Parent and Child Records in a Single Statement Using
    /// Foreign Keys"); none holding it is the platform's INVALID_FIELD error.
    fn foreign_keys(&self, rec: &SObj, copy: &mut SObj, ix: usize) -> Result<(), DmlError> {
        let Some(info) = self.schema.object(&rec.ty) else { return Ok(()) };
        for (_, (name, v)) in rec.fields.iter() {
            let Value::SObject(parent) = v else { continue };
            let Some(lookup) = info.relationship(name) else { continue };
            if copy.get(&lookup.name).is_some_and(|x| !x.is_null()) {
                continue;
            }
            let p = parent.borrow();
            if let Some(id) = p.id() {
                copy.put(&lookup.name, Value::Id(id));
                continue;
            }
            let target = match &lookup.ty {
                FieldType::Reference(to) if !to.is_empty() => to[0].to_string(),
                _ => continue,
            };
            let Some(tinfo) = self.schema.object(&target) else { continue };
            let key = p.fields.iter().find_map(|(_, (f, val))| {
                tinfo
                    .field(f)
                    .filter(|fi| fi.external_id && !val.is_null())
                    .map(|fi| (fi.name.to_string(), val.clone()))
            });
            let Some((field, value)) = key else { continue };
            let want = key_text(&value);
            let found = self
                .db
                .rows(&target.to_ascii_lowercase())
                .find(|r| r.get(&field).is_some_and(|x| key_text(x) == want))
                .and_then(|r| r.id());
            match found {
                Some(id) => copy.put(&lookup.name, Value::Id(id)),
                None => {
                    return Err(err(
                        ix,
                        "INVALID_FIELD",
                        format!("Foreign key external ID: {want} not found for field {field} in entity {target}"),
                        vec![],
                        None,
                    ))
                }
            }
        }
        Ok(())
    }

    /// The records the platform saves beside one Apex inserts, and the fields it sets on it
    /// (SOAP API Object Reference): a ContentVersion without a ContentDocumentId creates its
    /// ContentDocument (the version is its latest, number 1; FileType and FileExtension come from
    /// PathOnClient) and, with a FirstPublishLocationId, the ContentDocumentLink that shares it
    /// with that record ("ContentVersion": "FirstPublishLocationId ... the document is shared
    /// with that record"); a ContentDistribution gets its public URLs.
    fn saved_beside(&mut self, table: &str, r: &mut SObj) -> R<()> {
        let text = |r: &SObj, f: &str| match r.get(f) {
            Some(Value::Str(s)) => Some(s.to_string()),
            _ => None,
        };
        let id = |r: &SObj, f: &str| match r.get(f) {
            Some(Value::Id(s)) => Some(s.clone()),
            Some(Value::Str(s)) => crate::apex::runtime::db::ids::to18(s).map(Rc::from),
            _ => None,
        };
        let now = self.now_ms();
        let user = self.test.user.clone();
        match table {
            "contentversion" => {
                let path = text(r, "pathonclient").unwrap_or_default();
                let empty = !matches!(r.get("versiondata"), Some(Value::Blob(b)) if !b.is_empty());
                if text(r, "contenturl").is_none() && (empty || path.trim().is_empty()) {
                    // The platform refuses a file without data or a path; with which error is
                    // not documented.
                    return self.unsupported("inserting a ContentVersion without VersionData or PathOnClient");
                }
                let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
                let size = match r.get("versiondata") {
                    Some(Value::Blob(b)) => b.len() as i32,
                    _ => 0,
                };
                r.put("FileExtension", if ext.is_empty() { Value::Null } else { Value::str(&ext) });
                r.put("FileType", Value::str(file_type(&ext)));
                r.put("ContentSize", Value::Int(size));
                r.put("IsLatest", Value::Bool(true));
                if id(r, "contentdocumentid").is_some() {
                    return Ok(());
                }
                r.put("VersionNumber", Value::str("1"));
                let doc = self.db.new_id("069");
                let mut d = SObj::new("ContentDocument");
                d.put("Id", Value::Id(doc.clone()));
                d.put("Title", r.get("title").cloned().unwrap_or_default());
                d.put("FileType", Value::str(file_type(&ext)));
                d.put("FileExtension", if ext.is_empty() { Value::Null } else { Value::str(&ext) });
                d.put("ContentSize", Value::Int(size));
                d.put("LatestPublishedVersionId", r.get("id").cloned().unwrap_or_default());
                d.put("OwnerId", Value::Id(user.clone()));
                d.put("CreatedDate", Value::Datetime(now));
                d.put("CreatedById", Value::Id(user.clone()));
                d.put("LastModifiedDate", Value::Datetime(now));
                d.put("IsDeleted", Value::Bool(false));
                self.db.put("contentdocument", d);
                r.put("ContentDocumentId", Value::Id(doc.clone()));
                if let Some(linked) = id(r, "firstpublishlocationid") {
                    let link = self.db.new_id("06A");
                    let mut l = SObj::new("ContentDocumentLink");
                    l.put("Id", Value::Id(link));
                    l.put("ContentDocumentId", Value::Id(doc));
                    l.put("LinkedEntityId", Value::Id(linked));
                    l.put("ShareType", Value::str("I"));
                    l.put("Visibility", Value::str("AllUsers"));
                    l.put("IsDeleted", Value::Bool(false));
                    self.db.put("contentdocumentlink", l);
                }
            }
            "emailmessage" => {
                // ToIds, CcIds and BccIds become the message's EmailMessageRelation rows (SOAP API
                // Object Reference, EmailMessage: "ToIds ... EmailMessageRelation").
                let mid = r.id();
                for (list, kind) in [("toids", "ToAddress"), ("ccids", "CcAddress"), ("bccids", "BccAddress")] {
                    let ids: Vec<Value> = match r.get(list) {
                        Some(Value::List(l)) => l.borrow().items.clone(),
                        _ => continue,
                    };
                    for v in ids {
                        let rel = match &v {
                            Value::Id(x) | Value::Str(x) => crate::apex::runtime::db::ids::to18(x).map(Rc::from),
                            _ => None,
                        };
                        let Some(rel) = rel else { continue };
                        let mut e = SObj::new("EmailMessageRelation");
                        e.put("Id", Value::Id(self.db.new_id("0EI")));
                        e.put("EmailMessageId", mid.clone().map(Value::Id).unwrap_or_default());
                        e.put("RelationId", Value::Id(rel));
                        e.put("RelationType", Value::str(kind));
                        e.put("IsDeleted", Value::Bool(false));
                        e.put("CreatedDate", Value::Datetime(now));
                        self.db.put("emailmessagerelation", e);
                    }
                }
            }
            "contentdistribution" => {
                // The URLs are the org's; only their presence is modelled.
                let rid = r.id().map(|x| x.to_string()).unwrap_or_default();
                r.put(
                    "DistributionPublicUrl",
                    Value::str(format!("https://example.my.salesforce-sites.com/sfc/p/{rid}")),
                );
                r.put(
                    "ContentDownloadUrl",
                    Value::str(format!("https://example.file.force.com/sfc/dist/version/download/?d={rid}")),
                );
            }
            _ => {}
        }
        Ok(())
    }
}

/// ContentVersion.FileType for a file extension (the values the platform gives: SOAP API
/// Object Reference, ContentVersion; "UNKNOWN" for what it does not recognise).
fn file_type(ext: &str) -> &'static str {
    match ext {
        "png" => "PNG",
        "jpg" => "JPG",
        "jpeg" => "JPEG",
        "gif" => "GIF",
        "bmp" => "BMP",
        "pdf" => "PDF",
        "doc" => "WORD",
        "docx" => "WORD_X",
        "xls" => "EXCEL",
        "xlsx" => "EXCEL_X",
        "ppt" => "POWER_POINT",
        "pptx" => "POWER_POINT_X",
        "txt" => "TEXT",
        "csv" => "CSV",
        "htm" | "html" => "HTML",
        "xml" => "XML",
        "zip" => "ZIP",
        "mp3" => "MP3",
        "m4a" => "M4A",
        "mp4" => "MP4",
        "rtf" => "RTF",
        _ => "UNKNOWN",
    }
}

/// The compound `Name` of a person record (Contact, Lead, User): first, middle and last names
/// and the suffix, as the platform computes it (SOAP API Object Reference, Contact: "Name:
/// Concatenation of FirstName, MiddleName, LastName, and Suffix").
fn compound_name(table: &str, row: &mut SObj) {
    if !matches!(table, "contact" | "lead" | "user") {
        return;
    }
    let part = |f: &str| match row.get(f) {
        Some(Value::Str(s)) if !s.is_empty() => Some(s.to_string()),
        _ => None,
    };
    let name: Vec<String> = ["firstname", "middlename", "lastname", "suffix"].iter().filter_map(|f| part(f)).collect();
    if !name.is_empty() {
        row.put("Name", Value::str(name.join(" ")));
    }
}

/// A row without parent records and child lists (what is stored).
fn strip_relations(s: &SObj) -> SObj {
    let mut c = s.clone();
    // Child lists go; a list of Ids is a field's value (EmailMessage.ToIds, a JunctionIdList).
    c.fields.retain(|_, (_, v)| match v {
        Value::SObject(_) => false,
        Value::List(l) => {
            let l = l.borrow();
            !matches!(l.elem, Ty::SObject(_)) && !l.items.iter().any(|x| matches!(x, Value::SObject(_)))
        }
        _ => true,
    });
    c.errors.clear();
    c.queried = false;
    c
}

fn key_text(v: &Value) -> String {
    match v {
        Value::Str(s) | Value::Id(s) => s.to_string(),
        other => format!("{:?}", key_of(other)),
    }
}

/// An auto-number Name from its display format (`D-{0000000000}` → `D-0000000001`).
fn autonumber(fmt: &str, n: u64) -> String {
    match (fmt.find('{'), fmt.find('}')) {
        (Some(a), Some(b)) if b > a => {
            let width = fmt[a + 1..b].chars().filter(|c| *c == '0').count();
            format!("{}{:0width$}{}", &fmt[..a], n, &fmt[b + 1..])
        }
        _ => format!("{fmt}{n}"),
    }
}
