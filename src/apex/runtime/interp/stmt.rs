//! Statements.

use super::{Ctl, Flow, Frame, Interp, R};
use crate::apex::runtime::ast::*;
use crate::apex::runtime::values::*;

impl<'p> Interp<'p> {
    /// Runs statements in order.
    pub fn exec_block(&mut self, f: &mut Frame, body: &[Stmt]) -> R<Flow> {
        for s in body {
            match self.exec(f, s)? {
                Flow::Next => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Next)
    }

    /// Runs one statement.
    pub fn exec(&mut self, f: &mut Frame, s: &Stmt) -> R<Flow> {
        self.step()?;
        if let Some(top) = self.stack.last_mut() {
            top.loc = s.loc;
        }
        self.mark(s.loc.file, &s.lines);
        match &s.kind {
            S::Expr(e) => {
                self.eval(f, e)?;
                Ok(Flow::Next)
            }
            S::Local { ty, vars } => {
                let t = self.ty(ty, f.class);
                for (slot, _, init) in vars {
                    let v = match init {
                        Some(e) => {
                            let v = self.eval_typed(f, e, &t)?;
                            self.coerce(v, &t)?
                        }
                        None => Value::Null,
                    };
                    f.locals[*slot as usize] = v;
                }
                Ok(Flow::Next)
            }
            S::Block(b) => self.exec_block(f, b),
            S::If { cond, then, otherwise } => {
                let c = self.eval(f, cond)?;
                if self.truthy(&c)? {
                    self.exec(f, then)
                } else if let Some(o) = otherwise {
                    self.exec(f, o)
                } else {
                    Ok(Flow::Next)
                }
            }
            S::While { cond, body } => {
                loop {
                    self.mark(s.loc.file, &s.lines);
                    let c = self.eval(f, cond)?;
                    if !self.truthy(&c)? {
                        break;
                    }
                    match self.exec(f, body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
                Ok(Flow::Next)
            }
            S::DoWhile { body, cond } => {
                loop {
                    match self.exec(f, body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                    self.step()?;
                    let c = self.eval(f, cond)?;
                    if !self.truthy(&c)? {
                        break;
                    }
                }
                Ok(Flow::Next)
            }
            S::For { init, cond, update, body } => {
                for i in init {
                    self.exec(f, i)?;
                }
                loop {
                    if let Some(c) = cond {
                        let v = self.eval(f, c)?;
                        if !self.truthy(&v)? {
                            break;
                        }
                    }
                    match self.exec(f, body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                    self.step()?;
                    for u in update {
                        self.eval(f, u)?;
                    }
                }
                Ok(Flow::Next)
            }
            S::ForEach { ty, slot, iter, body } => {
                let t = self.ty(ty, f.class);
                let coll = self.eval(f, iter)?;
                let items: Vec<Value> = match &coll {
                    Value::List(l) => l.borrow().items.clone(),
                    Value::Set(st) => st.borrow().items.values().cloned().collect(),
                    Value::Null => return self.npe(),
                    Value::Obj(_) => return self.for_iterable(f, &coll, *slot, &t, body),
                    other => {
                        let tn = self.type_name_of(other);
                        return self.compile_error(format!("Loop must iterate over collection: {tn}"));
                    }
                };
                for v in items {
                    let v = self.coerce(v, &t)?;
                    f.locals[*slot as usize] = v;
                    match self.exec(f, body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
                Ok(Flow::Next)
            }
            S::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(f, e)?,
                    None => Value::Null,
                };
                Ok(Flow::Return(v))
            }
            S::Break => Ok(Flow::Break),
            S::Continue => Ok(Flow::Continue),
            S::Throw(e) => {
                let v = self.eval(f, e)?;
                match &v {
                    Value::Obj(o) if self.p.is_exception(o.borrow().class) => {
                        let trace = self.trace();
                        let loc = self.here();
                        if let Some(x) = o.borrow_mut().exc.as_mut() {
                            if !x.thrown {
                                x.thrown = true;
                                x.stack = trace;
                                x.line = loc.line;
                                x.col = loc.col;
                            }
                        }
                        Err(Box::new(Ctl::Throw(v)))
                    }
                    Value::Null => self.npe(),
                    _ => self.compile_error("Throw expression must be of type Exception"),
                }
            }
            S::Try { body, catches, finally } => {
                let r = self.exec_block(f, body);
                let r = match r {
                    Err(ctl) => match *ctl {
                        Ctl::Throw(exc) => {
                            let catchable = match &exc {
                                Value::Obj(o) => !o.borrow().exc.as_ref().is_some_and(|x| x.uncatchable),
                                _ => true,
                            };
                            let mut handled = None;
                            if catchable {
                                for c in catches {
                                    let t = self.ty(&c.ty, f.class);
                                    if self.is_instance(&exc, &t) {
                                        f.locals[c.slot as usize] = exc.clone();
                                        handled = Some(self.exec_block(f, &c.body));
                                        break;
                                    }
                                }
                            }
                            match handled {
                                Some(r) => r,
                                None if catchable => Err(Box::new(Ctl::Throw(exc))),
                                // Uncatchable: the transaction ends; finally blocks do not run.
                                None => return Err(Box::new(Ctl::Throw(exc))),
                            }
                        }
                        other => return Err(Box::new(other)),
                    },
                    ok => ok,
                };
                if let Some(fin) = finally {
                    match self.exec_block(f, fin)? {
                        Flow::Next => {}
                        other => return Ok(other),
                    }
                }
                r
            }
            S::Switch { subject, whens } => {
                let v = self.eval(f, subject)?;
                for w in whens {
                    let hit = match &w.labels {
                        WhenLabels::Else => true,
                        WhenLabels::Type(t, slot) => {
                            let ty = self.ty(t, f.class);
                            if self.is_instance(&v, &ty) {
                                f.locals[*slot as usize] = v.clone();
                                true
                            } else {
                                false
                            }
                        }
                        WhenLabels::Values(vals) => {
                            let mut hit = false;
                            for e in vals {
                                let lv = match (&v, &e.kind) {
                                    (Value::Enum(c, _), E::Name(n)) => {
                                        let cl = &self.p.classes[*c as usize];
                                        match cl.decl.enum_values.iter().position(|x| x.eq_ignore_ascii_case(n)) {
                                            Some(o) => Value::Enum(*c, o as u32),
                                            None => return self.compile_error(format!("Invalid enum value: {n}")),
                                        }
                                    }
                                    _ => self.eval(f, e)?,
                                };
                                // `when 'a'` matches a String exactly (switch is case-sensitive,
                                // unlike `==`; Apex Developer Guide, "Switch Statements").
                                let m = match (&v, &lv) {
                                    (Value::Str(a), Value::Str(b)) => a == b,
                                    _ => self.eq(&v, &lv)?,
                                };
                                if m {
                                    hit = true;
                                    break;
                                }
                            }
                            hit
                        }
                    };
                    if hit {
                        return self.exec_block(f, &w.body);
                    }
                }
                Ok(Flow::Next)
            }
            S::RunAs { user, body } => {
                let u = self.eval(f, user)?;
                let id = match &u {
                    Value::SObject(s) => s.borrow().id(),
                    Value::Id(i) => Some(i.clone()),
                    _ => None,
                };
                let saved = self.test.user.clone();
                if let Some(id) = id {
                    self.test.user = id;
                }
                let r = self.exec_block(f, body);
                self.test.user = saved;
                r
            }
            S::CtorCall { .. } => Ok(Flow::Next),
            S::Empty => Ok(Flow::Next),
        }
    }

    /// `for (T x : iterable)` over an object implementing `Iterable` (or an `Iterator`).
    fn for_iterable(&mut self, f: &mut Frame, coll: &Value, slot: u32, t: &Ty, body: &Stmt) -> R<Flow> {
        let it = match self.call_virtual_opt(coll, "iterator", vec![])? {
            Some(i) => i,
            None => coll.clone(),
        };
        loop {
            self.step()?;
            let has = self.call_method_value(&it, "hasNext", vec![])?;
            if !self.truthy(&has)? {
                break;
            }
            let v = self.call_method_value(&it, "next", vec![])?;
            let v = self.coerce(v, t)?;
            f.locals[slot as usize] = v;
            match self.exec(f, body)? {
                Flow::Break => break,
                Flow::Return(v) => return Ok(Flow::Return(v)),
                _ => {}
            }
        }
        Ok(Flow::Next)
    }
}
