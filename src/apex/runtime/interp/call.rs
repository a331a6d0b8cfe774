//! Calls: method lookup (overloads by argument types, virtual dispatch from the runtime class),
//! constructors (`this(...)`, `super(...)`, field initialisers), static initialisation, and
//! object creation.

use super::{Flow, Frame, Interp, R};
use crate::apex::runtime::ast::*;
use crate::apex::runtime::stdlib;
use crate::apex::runtime::values::*;
use std::cell::RefCell;
use std::rc::Rc;

impl<'p> Interp<'p> {
    /// Finds a method by name for these arguments in `cid` or its ancestors (the most derived
    /// definition wins): (declaring class, method index).
    pub fn find_method(
        &mut self,
        cid: ClassId,
        name: &str,
        args: &[Value],
        static_only: bool,
    ) -> Option<(ClassId, usize)> {
        let hints = std::mem::take(&mut self.arg_hints);
        let l = name.to_ascii_lowercase();
        let mut at = Some(cid);
        let mut guard = 0;
        while let Some(c) = at {
            guard += 1;
            if guard > 100 {
                break;
            }
            let best = self.best_overload(c, &l, args, static_only, &hints);
            if let Some(m) = best {
                return Some((c, m));
            }
            at = self.p.classes[c as usize].superclass;
        }
        None
    }

    fn best_overload(
        &mut self,
        c: ClassId,
        l: &str,
        args: &[Value],
        static_only: bool,
        hints: &[Option<Ty>],
    ) -> Option<usize> {
        let idxs = self.p.classes[c as usize].methods.get(l)?.clone();
        let mut best: Option<(usize, i32)> = None;
        for mi in idxs {
            let m = &self.p.classes[c as usize].decl.methods[mi];
            if m.params.len() != args.len() || (static_only && !m.mods.is_static) || m.body.is_none() {
                continue;
            }
            let mut score = 0;
            let mut ok = true;
            for (i, ((pt, _), a)) in m.params.iter().zip(args).enumerate() {
                let t = self.ty(pt, Some(c));
                // A null with a static type (`(String) null`) matches that type's parameter.
                let s = match hints.get(i).and_then(|h| h.as_ref()) {
                    Some(h) if a.is_null() => {
                        if *h == t {
                            Some(4)
                        } else if matches!(t, Ty::Object) {
                            Some(1)
                        } else {
                            None
                        }
                    }
                    _ => self.arg_score(a, &t),
                };
                match s {
                    Some(s) => score += s,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && best.is_none_or(|(_, b)| score > b) {
                best = Some((mi, score));
            }
        }
        if best.is_none() {
            // One method of that arity: take it (the compiler would have matched it or refused
            // the class; values the runtime types loosely, like untyped JSON, land here).
            let cands: Vec<usize> = self.p.classes[c as usize]
                .methods
                .get(l)?
                .iter()
                .copied()
                .filter(|mi| {
                    let m = &self.p.classes[c as usize].decl.methods[*mi];
                    m.params.len() == args.len() && m.body.is_some() && (!static_only || m.mods.is_static)
                })
                .collect();
            if cands.len() == 1 {
                return Some(cands[0]);
            }
        }
        best.map(|(m, _)| m)
    }

    fn arg_score(&self, a: &Value, t: &Ty) -> Option<i32> {
        if a.is_null() {
            return Some(1);
        }
        if self.type_of(a) == *t {
            return Some(4);
        }
        let widen = matches!(
            (a, t),
            (Value::Int(_), Ty::Long | Ty::Double | Ty::Decimal)
                | (Value::Long(_), Ty::Double | Ty::Decimal)
                | (Value::Double(_), Ty::Decimal)
        );
        if widen {
            return Some(2);
        }
        if matches!(t, Ty::Object) {
            return Some(1);
        }
        if self.is_instance(a, t) {
            return Some(3);
        }
        if let (Value::Str(s), Ty::Id) = (a, t) {
            return crate::apex::runtime::db::ids::to18(s).map(|_| 2);
        }
        None
    }

    /// Runs a method: binds the parameters (converted to their types), runs the body, converts
    /// the result to the return type.
    pub fn invoke(
        &mut self,
        c: ClassId,
        mi: usize,
        this: Option<Rc<RefCell<Obj>>>,
        args: Vec<Value>,
        loc: Loc,
    ) -> R<Value> {
        let p = self.p;
        let cl = &p.classes[c as usize];
        let m = &cl.decl.methods[mi];
        if m.mods.is_static {
            self.init_class(c)?;
        }
        if m.mods.is_future {
            if self.run_future_direct {
                self.run_future_direct = false;
            } else {
                return self.enqueue_future(c, mi, args);
            }
        }
        let name: Rc<str> = format!("Class.{}.{}", cl.full, m.name).into();
        self.enter(name, loc)?;
        let r = self.run_body(c, m, this, args);
        self.leave();
        let v = r?;
        let rt = self.ty(&m.ret, Some(c));
        if rt == Ty::Void {
            return Ok(Value::Null);
        }
        self.coerce(v, &rt)
    }

    fn run_body(&mut self, c: ClassId, m: &'p Method, this: Option<Rc<RefCell<Obj>>>, args: Vec<Value>) -> R<Value> {
        let mut f = Frame::for_method(m, this, Some(c));
        for (i, ((pt, _), a)) in m.params.iter().zip(args).enumerate() {
            let t = self.ty(pt, Some(c));
            f.locals[i] = self.coerce(a, &t)?;
        }
        let Some(body) = &m.body else { return Ok(Value::Null) };
        match self.exec_block(&mut f, body)? {
            Flow::Return(v) => Ok(v),
            _ => Ok(Value::Null),
        }
    }

    /// `name(args)` with no receiver: a method of the running class (instance or static) or of
    /// an enclosing class (static).
    pub fn call_unqualified(&mut self, f: &mut Frame, name: &str, args: Vec<Value>, loc: Loc) -> R<Value> {
        if let Some(this) = f.this.clone() {
            let cid = this.borrow().class;
            if let Some((c, m)) = self.find_method(cid, name, &args, false) {
                let is_static = self.p.classes[c as usize].decl.methods[m].mods.is_static;
                return self.invoke(c, m, if is_static { None } else { Some(this) }, args, loc);
            }
        }
        let mut at = f.class;
        let mut guard = 0;
        while let Some(c) = at {
            guard += 1;
            if guard > 100 {
                break;
            }
            if let Some((dc, m)) = self.find_method(c, name, &args, f.this.is_none() || at != f.class) {
                let is_static = self.p.classes[dc as usize].decl.methods[m].mods.is_static;
                if !is_static {
                    return self.compile_error(format!(
                        "Non static method cannot be referenced from a static context: {name}"
                    ));
                }
                return self.invoke(dc, m, None, args, loc);
            }
            at = self.p.classes[c as usize].outer;
        }
        let from = f.class.map(|c| self.p.classes[c as usize].full.to_string()).unwrap_or_default();
        let sig = self.signature(name, &args);
        self.compile_error(format!("Method does not exist or incorrect signature: {sig} from the type {from}"))
    }

    /// `super.name(args)`.
    pub fn call_super(&mut self, f: &mut Frame, name: &str, args: Vec<Value>, loc: Loc) -> R<Value> {
        let Some(c) = f.class else { return self.compile_error("super outside a class") };
        let Some(sup) = self.p.classes[c as usize].superclass else {
            return self.compile_error("Class has no superclass");
        };
        match self.find_method(sup, name, &args, false) {
            Some((dc, m)) => self.invoke(dc, m, f.this.clone(), args, loc),
            None => {
                let sig = self.signature(name, &args);
                self.compile_error(format!("Method does not exist or incorrect signature: {sig}"))
            }
        }
    }

    /// `Class.name(args)`.
    pub fn call_static(&mut self, c: ClassId, name: &str, args: Vec<Value>, loc: Loc) -> R<Value> {
        if let Some((dc, m)) = self.find_method(c, name, &args, true) {
            return self.invoke(dc, m, None, args, loc);
        }
        let l = name.to_ascii_lowercase();
        let cl = &self.p.classes[c as usize];
        if cl.decl.kind == ClassKind::Enum {
            match (l.as_str(), args.first()) {
                ("values", None) => {
                    let n = cl.decl.enum_values.len() as u32;
                    return Ok(Value::list(Ty::Class(c), (0..n).map(|o| Value::Enum(c, o)).collect()));
                }
                ("valueof", Some(Value::Str(s))) => {
                    return Ok(match cl.decl.enum_values.iter().position(|x| x.eq_ignore_ascii_case(s)) {
                        Some(o) => Value::Enum(c, o as u32),
                        None => Value::Null,
                    });
                }
                _ => {}
            }
        }
        if cl.platform {
            let full = cl.full.to_ascii_lowercase();
            return stdlib::call_static(self, &full, &l, args);
        }
        let from = cl.full.to_string();
        let sig = self.signature(name, &args);
        self.compile_error(format!("Method does not exist or incorrect signature: {sig} from the type {from}"))
    }

    /// `v.name(args)` on any value.
    pub fn call_method_value(&mut self, v: &Value, name: &str, args: Vec<Value>) -> R<Value> {
        match v {
            Value::Null => self.npe(),
            Value::Obj(o) => {
                let stub = o.borrow().stub.clone();
                if let Some(provider) = stub {
                    let l = name.to_ascii_lowercase();
                    if !matches!(l.as_str(), "equals" | "hashcode" | "tostring") {
                        return stdlib::platform::stub_call(self, o, provider, name, args);
                    }
                }
                let cid = o.borrow().class;
                if let Some((dc, m)) = self.find_method(cid, name, &args, false) {
                    let is_static = self.p.classes[dc as usize].decl.methods[m].mods.is_static;
                    let here = self.here();
                    return self.invoke(dc, m, if is_static { None } else { Some(o.clone()) }, args, here);
                }
                if let Some(r) = stdlib::object_method(self, o, &name.to_ascii_lowercase(), &args)? {
                    return Ok(r);
                }
                let cname = self.p.classes[cid as usize].full.to_string();
                let sig = self.signature(name, &args);
                self.compile_error(format!("Method does not exist or incorrect signature: {sig} from the type {cname}"))
            }
            _ => {
                self.arg_hints.clear();
                stdlib::call_method(self, v, &name.to_ascii_lowercase(), args)
            }
        }
    }

    /// A `@future` call: queued (arguments copied), run at `Test.stopTest()`. Limits: 50 per
    /// transaction; none from a future or batch ("Future method cannot be called from a future
    /// or batch method", Apex Developer Guide, "Future Methods").
    fn enqueue_future(&mut self, c: ClassId, mi: usize, args: Vec<Value>) -> R<Value> {
        let p = self.p;
        let cl = &p.classes[c as usize];
        let m = &cl.decl.methods[mi];
        if matches!(self.queue.running, Some("future") | Some("batch")) {
            let sig = self.signature(&m.name, &args);
            return self.throw(
                "System.AsyncException",
                format!("Future method cannot be called from a future or batch method: {}.{sig}", cl.full),
            );
        }
        self.lim.futures += 1;
        if self.lim.futures > crate::apex::runtime::limits::max::FUTURES {
            let n = self.lim.futures;
            return self.limit(format!("Too many future calls: {n}"));
        }
        let id = self.db.new_id("707");
        let copied: Vec<Value> = args.iter().map(deep_copy).collect();
        let job = crate::apex::runtime::asyncq::Job::Future { id, class: c, method: mi, args: copied };
        if self.queue.running.is_some() {
            self.queue.later.push(job);
        } else {
            self.queue.jobs.push(job);
        }
        Ok(Value::Null)
    }

    /// `void name(T1, T2)` as the platform names a call in compile errors.
    pub fn signature(&self, name: &str, args: &[Value]) -> String {
        let ts: Vec<String> =
            args.iter().map(|a| if a.is_null() { "null".into() } else { self.type_name_of(a) }).collect();
        format!("{name}({})", ts.join(", "))
    }

    /// Initialises a class's statics (its superclass first), once per test: static field
    /// initialisers and `static { }` blocks in source order.
    pub fn init_class(&mut self, c: ClassId) -> R<()> {
        if self.statics[c as usize].is_some() {
            return Ok(());
        }
        let p = self.p;
        let cl = &p.classes[c as usize];
        self.statics[c as usize] = Some(vec![Value::Null; cl.decl.fields.len()]);
        if let Some(s) = cl.superclass {
            self.init_class(s)?;
        }
        if let Some(o) = cl.outer {
            self.init_class(o)?;
        }
        let file = cl.file.unwrap_or(0);
        let mut items: Vec<(Loc, Result<usize, usize>)> = Vec::new();
        for (i, fd) in cl.decl.fields.iter().enumerate() {
            if fd.mods.is_static {
                items.push((fd.loc, Ok(i)));
            }
        }
        for (i, b) in cl.decl.static_blocks.iter().enumerate() {
            items.push((b.loc, Err(i)));
        }
        if items.is_empty() {
            return Ok(());
        }
        items.sort_by_key(|(l, _)| (l.line, l.col));
        let here = self.here();
        self.enter(format!("Class.{}.<clinit>", cl.full).into(), here)?;
        let r = (|| -> R<()> {
            for (_, it) in items {
                match it {
                    Ok(i) => {
                        let fd = &cl.decl.fields[i];
                        if let Some(init) = &fd.init {
                            if let Some(top) = self.stack.last_mut() {
                                top.loc = fd.loc;
                            }
                            self.mark(file, &fd.lines);
                            let mut fr = Frame::new(0, None, Some(c));
                            let v = self.eval(&mut fr, init)?;
                            let t = self.ty(&fd.ty, Some(c));
                            let v = self.coerce(v, &t)?;
                            if let Some(s) = self.statics[c as usize].as_mut() {
                                s[i] = v;
                            }
                        }
                    }
                    Err(b) => {
                        let m = &cl.decl.static_blocks[b];
                        let mut fr = Frame::for_method(m, None, Some(c));
                        if let Some(body) = &m.body {
                            self.exec_block(&mut fr, body)?;
                        }
                    }
                }
            }
            Ok(())
        })();
        self.leave();
        r
    }

    /// `new T(args)`.
    pub fn construct(&mut self, t: &Ty, written: &TypeRef, args: Vec<Value>, loc: Loc) -> R<Value> {
        match t {
            Ty::Class(c) => self.instantiate(*c, args, loc),
            Ty::List(el) => {
                let items = match args.first() {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.borrow().items.clone(),
                    Some(Value::Set(s)) => s.borrow().items.values().cloned().collect(),
                    Some(Value::Int(n)) if written.array > 0 => vec![Value::Null; (*n).max(0) as usize],
                    Some(Value::Null) => return self.npe(),
                    Some(other) => {
                        let tn = self.type_name_of(other);
                        return self.compile_error(format!("Constructor not defined: [List].<Constructor>({tn})"));
                    }
                };
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.coerce(i, el)?);
                }
                Ok(Value::list((**el).clone(), out))
            }
            Ty::Set(el) => {
                let items = match args.first() {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.borrow().items.clone(),
                    Some(Value::Set(s)) => s.borrow().items.values().cloned().collect(),
                    Some(Value::Null) => return self.npe(),
                    Some(other) => {
                        let tn = self.type_name_of(other);
                        return self.compile_error(format!("Constructor not defined: [Set].<Constructor>({tn})"));
                    }
                };
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.coerce(i, el)?);
                }
                Ok(Value::set((**el).clone(), out))
            }
            Ty::Map(k, v) => {
                let m = Value::map((**k).clone(), (**v).clone());
                let Value::Map(mm) = &m else { return Ok(m) };
                match args.first() {
                    None => {}
                    Some(Value::Map(src)) => {
                        let items = src.borrow().items.clone();
                        mm.borrow_mut().items = items;
                    }
                    Some(Value::List(l)) => {
                        // `new Map<Id, SObject>(records)`: keyed by Id.
                        let items = l.borrow().items.clone();
                        for r in items {
                            let Value::SObject(s) = &r else { continue };
                            let id = s.borrow().id();
                            match id {
                                Some(id) => {
                                    let kv = Value::Id(id);
                                    mm.borrow_mut().items.insert(key_of(&kv), (kv, r.clone()));
                                }
                                None => {
                                    return self
                                        .throw("System.ListException", "Row with null Id at index: 0".to_string())
                                }
                            }
                        }
                    }
                    Some(Value::Null) => return self.npe(),
                    Some(_) => return self.compile_error("Invalid Map constructor argument"),
                }
                Ok(m)
            }
            Ty::SObject(Some(name)) => {
                if !args.is_empty() {
                    return self.unsupported(format!("positional arguments to new {name}(...)"));
                }
                Ok(Value::sobject(SObj::new(name)))
            }
            Ty::SObject(None) => self.compile_error("Type cannot be constructed: SObject"),
            Ty::Object => Ok(Value::native(Native::Bag("Object".into(), Default::default()))),
            Ty::Native(n) => stdlib::construct(self, n, args),
            other => {
                let tn = crate::apex::runtime::interp::ops::type_name(self.p, other);
                self.compile_error(format!("Type cannot be constructed: {tn}"))
            }
        }
    }

    /// Creates an instance of a class and runs the constructor that takes `args`.
    pub fn instantiate(&mut self, c: ClassId, args: Vec<Value>, loc: Loc) -> R<Value> {
        let p = self.p;
        let cl = &p.classes[c as usize];
        if cl.decl.kind != ClassKind::Class || (cl.decl.mods.is_abstract && !cl.platform) {
            let n = cl.full.to_string();
            return self.compile_error(format!("Type cannot be constructed: {n}"));
        }
        if cl.platform && !p.is_exception(c) {
            let full = cl.full.to_ascii_lowercase();
            return stdlib::construct(self, &full, args);
        }
        self.init_class(c)?;
        let is_exc = p.is_exception(c);
        let obj = Rc::new(RefCell::new(Obj {
            class: c,
            fields: vec![Value::Null; cl.layout.len()],
            exc: if is_exc { Some(Box::default()) } else { None },
            stub: None,
        }));
        if is_exc {
            let loc2 = self.here();
            let trace = self.trace();
            if let Some(x) = obj.borrow_mut().exc.as_mut() {
                x.line = loc2.line;
                x.col = loc2.col;
                x.stack = trace;
            }
        }
        self.run_ctor(c, obj.clone(), args, loc)?;
        Ok(Value::Obj(obj))
    }

    fn run_ctor(&mut self, c: ClassId, obj: Rc<RefCell<Obj>>, args: Vec<Value>, loc: Loc) -> R<()> {
        let p = self.p;
        let cl = &p.classes[c as usize];
        if cl.platform {
            // Exception's own constructors: (), (String message), (Exception cause),
            // (String message, Exception cause).
            let mut o = obj.borrow_mut();
            if let Some(x) = o.exc.as_mut() {
                for a in args {
                    match a {
                        Value::Str(s) => x.message = Some(s.to_string()),
                        Value::Obj(_) => x.cause = Some(a),
                        Value::Null => {}
                        other => x.message = Some(format!("{other:?}")),
                    }
                }
            }
            return Ok(());
        }
        // Pick the constructor.
        let mut best: Option<(usize, i32)> = None;
        for (i, m) in cl.decl.ctors.iter().enumerate() {
            if m.params.len() != args.len() {
                continue;
            }
            let mut score = 0;
            let mut ok = true;
            for ((pt, _), a) in m.params.iter().zip(&args) {
                let t = self.ty(pt, Some(c));
                match self.arg_score(a, &t) {
                    Some(s) => score += s,
                    None => ok = false,
                }
            }
            if ok && best.is_none_or(|(_, b)| score > b) {
                best = Some((i, score));
            }
        }
        if best.is_none() {
            let same: Vec<usize> = cl
                .decl
                .ctors
                .iter()
                .enumerate()
                .filter(|(_, m)| m.params.len() == args.len())
                .map(|(i, _)| i)
                .collect();
            if same.len() == 1 {
                best = Some((same[0], 0));
            }
        }
        let name: Rc<str> = format!("Class.{}.<init>", cl.full).into();
        match best {
            None if cl.decl.ctors.is_empty() && (args.is_empty() || p.is_exception(c)) => {
                // The default constructor (or an exception's implicit ones).
                self.enter(name, loc)?;
                let r = (|| -> R<()> {
                    if let Some(s) = cl.superclass {
                        self.run_ctor(s, obj.clone(), if p.is_exception(c) { args } else { Vec::new() }, loc)?;
                    }
                    self.init_instance(c, &obj)
                })();
                self.leave();
                r
            }
            None => {
                let sig = self.signature(&cl.decl.name, &args);
                let n = cl.full.to_string();
                self.compile_error(format!(
                    "Constructor not defined: [{n}].<Constructor>{}",
                    &sig[cl.decl.name.len()..]
                ))
            }
            Some((ci, _)) => {
                let m = &cl.decl.ctors[ci];
                self.enter(name, loc)?;
                let r = (|| -> R<()> {
                    let mut f = Frame::for_method(m, Some(obj.clone()), Some(c));
                    for (i, ((pt, _), a)) in m.params.iter().zip(args).enumerate() {
                        let t = self.ty(pt, Some(c));
                        f.locals[i] = self.coerce(a, &t)?;
                    }
                    let body = m.body.as_deref().unwrap_or(&[]);
                    let mut rest = body;
                    match body.first().map(|s| &s.kind) {
                        Some(S::CtorCall { this: true, args: cargs }) => {
                            let first = &body[0];
                            if let Some(top) = self.stack.last_mut() {
                                top.loc = first.loc;
                            }
                            self.mark(first.loc.file, &first.lines);
                            let mut vals = Vec::new();
                            for a in cargs {
                                vals.push(self.eval(&mut f, a)?);
                            }
                            self.run_ctor(c, obj.clone(), vals, first.loc)?;
                            rest = &body[1..];
                        }
                        Some(S::CtorCall { this: false, args: cargs }) => {
                            let first = &body[0];
                            if let Some(top) = self.stack.last_mut() {
                                top.loc = first.loc;
                            }
                            self.mark(first.loc.file, &first.lines);
                            let mut vals = Vec::new();
                            for a in cargs {
                                vals.push(self.eval(&mut f, a)?);
                            }
                            if let Some(s) = cl.superclass {
                                self.run_ctor(s, obj.clone(), vals, first.loc)?;
                            }
                            self.init_instance(c, &obj)?;
                            rest = &body[1..];
                        }
                        _ => {
                            if let Some(s) = cl.superclass {
                                self.run_ctor(s, obj.clone(), Vec::new(), loc)?;
                            }
                            self.init_instance(c, &obj)?;
                        }
                    }
                    self.exec_block(&mut f, rest)?;
                    Ok(())
                })();
                self.leave();
                r
            }
        }
    }

    /// Instance field initialisers and `{ }` blocks of one class, in source order.
    fn init_instance(&mut self, c: ClassId, obj: &Rc<RefCell<Obj>>) -> R<()> {
        let p = self.p;
        let cl = &p.classes[c as usize];
        let file = cl.file.unwrap_or(0);
        let mut items: Vec<(Loc, Result<usize, usize>)> = Vec::new();
        for (i, fd) in cl.decl.fields.iter().enumerate() {
            if !fd.mods.is_static && fd.init.is_some() {
                items.push((fd.loc, Ok(i)));
            }
        }
        for (i, b) in cl.decl.instance_blocks.iter().enumerate() {
            items.push((b.loc, Err(i)));
        }
        items.sort_by_key(|(l, _)| (l.line, l.col));
        for (_, it) in items {
            match it {
                Ok(i) => {
                    let fd = &cl.decl.fields[i];
                    let Some(init) = &fd.init else { continue };
                    if let Some(top) = self.stack.last_mut() {
                        top.loc = fd.loc;
                    }
                    self.mark(file, &fd.lines);
                    let mut fr = Frame::new(0, Some(obj.clone()), Some(c));
                    let v = self.eval(&mut fr, init)?;
                    let t = self.ty(&fd.ty, Some(c));
                    let v = self.coerce(v, &t)?;
                    let pos = cl.layout_index.get(&*fd.lname).copied();
                    if let Some(pos) = pos {
                        if let Some(slot) = obj.borrow_mut().fields.get_mut(pos) {
                            *slot = v;
                        }
                    }
                }
                Err(b) => {
                    let m = &cl.decl.instance_blocks[b];
                    let mut fr = Frame::for_method(m, Some(obj.clone()), Some(c));
                    if let Some(body) = &m.body {
                        self.exec_block(&mut fr, body)?;
                    }
                }
            }
        }
        Ok(())
    }
}
