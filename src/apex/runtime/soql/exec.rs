//! The executor: resolves a parsed [`Query`] against the data source's describe (raising the
//! platform's INVALID_FIELD / INVALID_TYPE errors before reading a record), compiles conditions
//! with their binds into typed keys, then filters, sorts, pages, groups and shapes rows.

use super::ast::*;
use super::dates;
use super::error::{ErrorKind, SoqlError};
use super::lexer::unescape_like;
use super::source::*;
use super::value::{local_midnight, Date, Value};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// The largest OFFSET SOQL accepts (SOQL and SOSL Reference, "OFFSET").
pub const MAX_OFFSET: u64 = 2000;

/// Runs `query` over `ds`. `binds[i]` is the value of `query.binds[i]` (the interpreter evaluates
/// each bind's Apex expression in order and converts it to a [`Value`]).
pub fn execute(
    query: &Query,
    ds: &dyn DataSource,
    binds: &[Value],
    ctx: &ExecContext,
) -> Result<QueryResult, SoqlError> {
    if binds.len() < query.binds.len() {
        let missing = &query.binds[binds.len()];
        return Err(SoqlError::at(
            ErrorKind::Invalid,
            missing.offset,
            format!("no value was given for the bind variable :{}", missing.text),
        ));
    }
    let mut ex = Exec { ds, binds, ctx, describes: HashMap::new() };
    ex.top(query)
}

struct Exec<'a> {
    ds: &'a dyn DataSource,
    binds: &'a [Value],
    ctx: &'a ExecContext<'a>,
    describes: HashMap<String, Option<Rc<ObjectDescribe>>>,
}

/// One parent traversal of a field path.
#[derive(Debug, Clone)]
struct Hop {
    /// The lookup field on the current object (`AccountId`).
    field: String,
    /// Its relationship name (`Account`), as the describe spells it.
    rel: String,
    /// The parent object when the lookup has one target; `None` for a polymorphic lookup.
    target: Option<Rc<ObjectDescribe>>,
}

/// A resolved field path.
#[derive(Debug, Clone)]
struct FieldRef {
    hops: Vec<Hop>,
    /// Canonical field name on the last object.
    field: String,
    ftype: FieldType,
    /// `What.Type`: the object of a polymorphic lookup's target.
    poly_type: bool,
}

impl FieldRef {
    /// An identity for comparing paths (GROUP BY against SELECT, duplicates).
    fn ident(&self) -> String {
        let mut s = String::new();
        for h in &self.hops {
            s.push_str(&h.rel.to_ascii_lowercase());
            s.push('.');
        }
        s.push_str(&self.field.to_ascii_lowercase());
        s
    }
}

/// A compiled value expression.
#[derive(Debug, Clone)]
enum CExpr {
    Field(FieldRef),
    ToLabel(FieldRef),
    /// `convertCurrency(x)`: the value as stored (a single-currency org).
    Currency(Box<CExpr>),
    Date {
        f: DateFn,
        inner: Box<CExpr>,
        local: bool,
    },
    /// An aggregate's value in the current group.
    Agg(usize),
}

impl CExpr {
    fn ftype(&self, aggs: &[AggSpec]) -> FieldType {
        match self {
            CExpr::Field(f) => f.ftype,
            CExpr::ToLabel(_) => FieldType::String,
            CExpr::Currency(e) => e.ftype(aggs),
            CExpr::Date { f: DateFn::DayOnly, .. } => FieldType::Date,
            CExpr::Date { .. } => FieldType::Integer,
            CExpr::Agg(i) => aggs.get(*i).map_or(FieldType::Other, |a| a.out_type),
        }
    }

    fn ident(&self) -> String {
        match self {
            CExpr::Field(f) => f.ident(),
            CExpr::ToLabel(f) => format!("tolabel({})", f.ident()),
            CExpr::Currency(e) => format!("convertcurrency({})", e.ident()),
            CExpr::Date { f, inner, local } => {
                let inner = inner.ident();
                if *local {
                    format!("{}(converttimezone({inner}))", f.name())
                } else {
                    format!("{}({inner})", f.name())
                }
            }
            CExpr::Agg(i) => format!("agg#{i}"),
        }
    }
}

/// A comparable, hashable form of a value in the context of a field's type: strings folded to
/// upper case (SOQL compares and sorts text case-insensitively, by the upper-case UTF-8 values),
/// Ids cut to their case-sensitive 15 characters, numbers as Decimals.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Null,
    Bool(bool),
    Num(Decimal),
    Str(String),
    Id(String),
    Date(i32),
    Dt(i64),
    Time(u32),
}

fn cmp_keys(a: &Key, b: &Key) -> Option<Ordering> {
    Some(match (a, b) {
        (Key::Bool(x), Key::Bool(y)) => x.cmp(y),
        (Key::Num(x), Key::Num(y)) => x.cmp(y),
        (Key::Str(x), Key::Str(y)) | (Key::Id(x), Key::Id(y)) => x.cmp(y),
        (Key::Date(x), Key::Date(y)) => x.cmp(y),
        (Key::Dt(x), Key::Dt(y)) => x.cmp(y),
        (Key::Time(x), Key::Time(y)) => x.cmp(y),
        _ => return None,
    })
}

fn id_key(s: &str) -> Key {
    Key::Id(s.chars().take(15).collect())
}

fn is_valid_id(s: &str) -> bool {
    (s.len() == 15 || s.len() == 18) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn multi_key(s: &str) -> Key {
    let mut parts: Vec<String> = s.split(';').map(|p| p.trim().to_uppercase()).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return Key::Null;
    }
    parts.sort();
    parts.dedup();
    Key::Str(parts.join(";"))
}

/// The key of a stored value of a field of `ftype`.
fn value_key(ftype: FieldType, v: &Value) -> Key {
    match v {
        Value::Null | Value::List(_) => Key::Null,
        Value::Boolean(b) => Key::Bool(*b),
        Value::Integer(_) | Value::Long(_) | Value::Decimal(_) | Value::Double(_) => {
            v.as_decimal().map_or(Key::Null, Key::Num)
        }
        Value::String(s) | Value::Id(s) => match ftype {
            FieldType::Id | FieldType::Reference => {
                if s.is_empty() {
                    Key::Null
                } else {
                    id_key(s)
                }
            }
            FieldType::MultiPicklist => multi_key(s),
            // Salesforce stores an empty text as null.
            _ if s.is_empty() => Key::Null,
            _ if matches!(v, Value::Id(_)) => id_key(s),
            _ => Key::Str(s.to_uppercase()),
        },
        Value::Date(d) => match ftype {
            FieldType::Datetime => Key::Dt(d.to_datetime_utc().millis()),
            _ => Key::Date(d.days()),
        },
        Value::Datetime(d) => match ftype {
            FieldType::Date => Key::Date(d.date_utc().days()),
            _ => Key::Dt(d.millis()),
        },
        Value::Time(t) => Key::Time(t.0),
    }
}

/// The right side of a comparison.
#[derive(Debug, Clone)]
enum Rhs {
    Null,
    Key(Key),
    /// A date literal: `[start, end)`.
    Range(Key, Key),
}

/// The values of an IN list.
#[derive(Debug, Clone, Default)]
struct KeySet {
    keys: HashSet<Key>,
    has_null: bool,
    ranges: Vec<(Key, Key)>,
}

impl KeySet {
    fn push(&mut self, rhs: Rhs) {
        match rhs {
            Rhs::Null | Rhs::Key(Key::Null) => self.has_null = true,
            Rhs::Key(k) => {
                self.keys.insert(k);
            }
            Rhs::Range(a, b) => self.ranges.push((a, b)),
        }
    }

    fn contains(&self, k: &Key) -> bool {
        if *k == Key::Null {
            return self.has_null;
        }
        self.keys.contains(k) || self.ranges.iter().any(|(a, b)| in_range(k, a, b))
    }
}

fn in_range(k: &Key, start: &Key, end: &Key) -> bool {
    cmp_keys(k, start).is_some_and(|o| o != Ordering::Less) && cmp_keys(k, end) == Some(Ordering::Less)
}

/// A LIKE pattern: `%` any run, `_` one character, `\x` the character x; matched on upper case.
#[derive(Debug, Clone)]
enum PTok {
    Any,
    One,
    Ch(char),
}

fn compile_like(pattern: &str) -> Vec<PTok> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => {
                if !matches!(out.last(), Some(PTok::Any)) {
                    out.push(PTok::Any)
                }
            }
            '_' => out.push(PTok::One),
            '\\' => {
                if let Some(n) = chars.next() {
                    out.extend(n.to_uppercase().map(PTok::Ch));
                }
            }
            c => out.extend(c.to_uppercase().map(PTok::Ch)),
        }
    }
    out
}

/// Wildcard matching with one backtrack point per `%` (linear for typical patterns, O(n·m)
/// at worst; never exponential).
fn like_match(pat: &[PTok], text: &str) -> bool {
    let t: Vec<char> = text.chars().flat_map(char::to_uppercase).collect();
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < t.len() {
        match pat.get(p) {
            Some(PTok::Ch(c)) if *c == t[i] => {
                p += 1;
                i += 1;
            }
            Some(PTok::One) => {
                p += 1;
                i += 1;
            }
            Some(PTok::Any) => {
                star = Some((p, i));
                p += 1;
            }
            _ => match star {
                Some((sp, si)) => {
                    p = sp + 1;
                    i = si + 1;
                    star = Some((sp, si + 1));
                }
                None => return false,
            },
        }
    }
    pat[p.min(pat.len())..].iter().all(|t| matches!(t, PTok::Any))
}

/// A compiled condition.
#[derive(Debug, Clone)]
enum CCond {
    And(Vec<CCond>),
    Or(Vec<CCond>),
    Not(Box<CCond>),
    Cmp { left: CExpr, ftype: FieldType, op: CmpOp, right: Rhs },
    Like { left: CExpr, pat: Option<Vec<PTok>> },
    In { left: CExpr, ftype: FieldType, negated: bool, set: KeySet },
    Includes { left: CExpr, excludes: bool, sets: Vec<Vec<String>> },
}

/// Where a condition sits, for the semi-join rules.
#[derive(Debug, Clone, Copy, Default)]
struct CondCtx {
    under_or: bool,
    under_not: bool,
    in_semi_join: bool,
    having: bool,
}

/// An aggregate of an aggregate query.
#[derive(Debug, Clone)]
struct AggSpec {
    func: Func,
    arg: Option<CExpr>,
    out_type: FieldType,
    /// Its identity, to find it again from HAVING and ORDER BY.
    ident: String,
}

/// One output column of a record query.
#[derive(Debug, Clone)]
enum SelItem {
    /// A value placed at the end of `hops` under `name`.
    Value {
        name: String,
        hops: Vec<Hop>,
        leaf: CExpr,
    },
    Child(Box<ChildPlan>),
    TypeOf(TypeOfPlan),
}

#[derive(Debug, Clone)]
struct ChildPlan {
    rel: String,
    /// The child's lookup to the parent.
    field: String,
    plan: Plan,
}

#[derive(Debug, Clone)]
struct TypeOfPlan {
    hop: Hop,
    /// (object lower-case, fields canonical).
    whens: Vec<(String, Vec<String>)>,
    else_: Vec<String>,
}

/// A record query ready to run.
#[derive(Debug, Clone)]
struct Plan {
    obj: Rc<ObjectDescribe>,
    filter: Option<CCond>,
    select: Vec<SelItem>,
    order: Vec<(CExpr, bool, bool)>,
    limit: Option<u64>,
    offset: u64,
    all_rows: bool,
}

impl<'a> Exec<'a> {
    fn describe(&mut self, name: &str) -> Option<Rc<ObjectDescribe>> {
        let key = name.to_ascii_lowercase();
        if let Some(d) = self.describes.get(&key) {
            return d.clone();
        }
        let d = self.ds.describe(name).map(Rc::new);
        self.describes.insert(key, d.clone());
        d
    }

    fn top(&mut self, q: &Query) -> Result<QueryResult, SoqlError> {
        let obj = self.describe(&q.from.name).ok_or_else(|| SoqlError::no_such_object(q.from.offset, &q.from.name))?;
        self.check_supported(q)?;
        if q.is_count_query() {
            return self.count(q, obj);
        }
        if q.is_aggregate() {
            return self.aggregate(q, obj);
        }
        let plan = self.plan(q, obj, true)?;
        let mut rows_counted = 0u64;
        let ids = self.select_ids(&plan, None)?;
        let rows = self.build_rows(&plan, &ids, &mut rows_counted)?;
        Ok(QueryResult { data: QueryData::Records(rows), query_rows: rows_counted })
    }

    fn check_supported(&self, q: &Query) -> Result<(), SoqlError> {
        for w in &q.with {
            if let With::DataCategory(_) = w {
                return Err(SoqlError::unsupported(None, "WITH DATA CATEGORY"));
            }
        }
        if let Some(g) = &q.group_by {
            if g.kind != GroupKind::Plain {
                return Err(SoqlError::unsupported(None, "GROUP BY ROLLUP / CUBE"));
            }
        }
        if let Some(scope) = &q.using_scope {
            let ok = scope.eq_ignore_ascii_case("Everything")
                || (scope.eq_ignore_ascii_case("Mine") && self.ctx.user_id.is_some());
            if !ok {
                return Err(SoqlError::unsupported(None, &format!("USING SCOPE {scope}")));
            }
        }
        Ok(())
    }

    // ---- names ----

    /// Resolves `path` on `obj` (`alias` or the object's own name may prefix it).
    fn resolve(
        &mut self,
        obj: &Rc<ObjectDescribe>,
        alias: Option<&str>,
        path: &[String],
        offset: usize,
    ) -> Result<FieldRef, SoqlError> {
        let mut segs = path;
        if segs.len() > 1
            && (alias.is_some_and(|a| a.eq_ignore_ascii_case(&segs[0])) || obj.name.eq_ignore_ascii_case(&segs[0]))
            && obj.field_by_relationship(&segs[0]).is_none()
        {
            segs = &segs[1..];
        }
        let Some((last, rels)) = segs.split_last() else {
            return Err(SoqlError::at(ErrorKind::Malformed, offset, "unexpected token: '<EOF>'"));
        };
        let mut hops = Vec::new();
        // `Some(d)`: the current object; `None`: behind a polymorphic lookup, whose targets follow.
        let mut cur: Option<Rc<ObjectDescribe>> = Some(obj.clone());
        let mut poly_targets: Vec<String> = Vec::new();
        for rel in rels {
            let Some(here) = cur.clone() else {
                return Err(SoqlError::unsupported(Some(offset), "a path through a polymorphic relationship"));
            };
            let Some(f) = here.field_by_relationship(rel) else {
                return Err(SoqlError::no_such_relationship(offset, rel, false));
            };
            let target = if f.reference_to.len() == 1 { self.describe(&f.reference_to[0]) } else { None };
            if target.is_none() {
                poly_targets = f.reference_to.clone();
            }
            hops.push(Hop {
                field: f.name.clone(),
                rel: f.relationship_name.clone().unwrap_or_else(|| rel.clone()),
                target: target.clone(),
            });
            cur = target;
        }
        match cur {
            Some(d) => {
                if let Some(f) = d.field(last) {
                    return Ok(FieldRef { hops, field: f.name.clone(), ftype: f.field_type, poly_type: false });
                }
                if last.eq_ignore_ascii_case("Id") {
                    return Ok(FieldRef { hops, field: "Id".to_string(), ftype: FieldType::Id, poly_type: false });
                }
                Err(SoqlError::no_such_column(offset, last, &d.name))
            }
            None => {
                // A polymorphic lookup: `Type` is the target's object; other fields must exist on
                // one of the targets (any field when the targets are not listed).
                if last.eq_ignore_ascii_case("Type") {
                    return Ok(FieldRef { hops, field: "Type".into(), ftype: FieldType::String, poly_type: true });
                }
                if last.eq_ignore_ascii_case("Id") {
                    return Ok(FieldRef { hops, field: "Id".to_string(), ftype: FieldType::Id, poly_type: false });
                }
                if poly_targets.is_empty() {
                    return Ok(FieldRef { hops, field: last.clone(), ftype: FieldType::Other, poly_type: false });
                }
                for t in &poly_targets {
                    if let Some(d) = self.describe(t) {
                        if let Some(f) = d.field(last) {
                            return Ok(FieldRef { hops, field: f.name.clone(), ftype: f.field_type, poly_type: false });
                        }
                    }
                }
                let rel = rels.last().map_or("", |s| s.as_str());
                Err(SoqlError::no_such_column(offset, last, rel))
            }
        }
    }

    /// Compiles a value expression (no aggregates).
    fn cexpr(&mut self, obj: &Rc<ObjectDescribe>, alias: Option<&str>, e: &Expr) -> Result<CExpr, SoqlError> {
        match e {
            Expr::Field { path, offset } => Ok(CExpr::Field(self.resolve(obj, alias, path, *offset)?)),
            Expr::Call { func, args, offset } => {
                let arg = args.first();
                match func {
                    Func::ToLabel => match arg {
                        Some(Expr::Field { path, offset }) => {
                            Ok(CExpr::ToLabel(self.resolve(obj, alias, path, *offset)?))
                        }
                        _ => Err(SoqlError::at(ErrorKind::Invalid, *offset, "toLabel() takes a field")),
                    },
                    Func::ConvertCurrency => match arg {
                        Some(a) => Ok(CExpr::Currency(Box::new(self.cexpr(obj, alias, a)?))),
                        None => Err(SoqlError::at(ErrorKind::Invalid, *offset, "convertCurrency() takes a field")),
                    },
                    Func::Date(f) => {
                        let (inner, local) = match arg {
                            Some(Expr::Call { func: Func::ConvertTimezone, args, .. }) if args.len() == 1 => {
                                (self.cexpr(obj, alias, &args[0])?, true)
                            }
                            Some(a) => (self.cexpr(obj, alias, a)?, false),
                            None => {
                                return Err(SoqlError::at(ErrorKind::Invalid, *offset, "a date function takes a field"))
                            }
                        };
                        let t = inner.ftype(&[]);
                        if t != FieldType::Date && t != FieldType::Datetime {
                            return Err(SoqlError::at(
                                ErrorKind::InvalidField,
                                *offset,
                                format!("{}() can only be used with date or dateTime fields", f.name()),
                            ));
                        }
                        Ok(CExpr::Date { f: *f, inner: Box::new(inner), local })
                    }
                    Func::Format => Err(SoqlError::unsupported(Some(*offset), "FORMAT()")),
                    Func::Distance | Func::Geolocation => {
                        Err(SoqlError::unsupported(Some(*offset), "DISTANCE() / GEOLOCATION()"))
                    }
                    Func::ConvertTimezone => Err(SoqlError::at(
                        ErrorKind::Invalid,
                        *offset,
                        "convertTimezone() can only be used inside a date function",
                    )),
                    _ => Err(SoqlError::at(
                        ErrorKind::Invalid,
                        *offset,
                        format!("aggregate function {}() is not allowed here", func.name()),
                    )),
                }
            }
            Expr::Literal(_) => Err(SoqlError::at(ErrorKind::Invalid, 0, "a literal is not a field")),
        }
    }

    // ---- conditions ----

    fn cond(
        &mut self,
        obj: &Rc<ObjectDescribe>,
        alias: Option<&str>,
        c: &Cond,
        cx: CondCtx,
        aggs: &mut Vec<AggSpec>,
        semi_joins: &mut usize,
    ) -> Result<CCond, SoqlError> {
        Ok(match c {
            Cond::And(items) => CCond::And(
                items.iter().map(|i| self.cond(obj, alias, i, cx, aggs, semi_joins)).collect::<Result<_, _>>()?,
            ),
            Cond::Or(items) => {
                let cx = CondCtx { under_or: true, ..cx };
                CCond::Or(
                    items.iter().map(|i| self.cond(obj, alias, i, cx, aggs, semi_joins)).collect::<Result<_, _>>()?,
                )
            }
            Cond::Not(inner) => {
                let cx = CondCtx { under_not: true, ..cx };
                CCond::Not(Box::new(self.cond(obj, alias, inner, cx, aggs, semi_joins)?))
            }
            Cond::Compare { left, op, right } => {
                let l = self.cond_left(obj, alias, left, cx, aggs)?;
                let ftype = l.ftype(aggs);
                let name = expr_name(left);
                if *op == CmpOp::Like {
                    if !matches!(ftype, FieldType::String | FieldType::MultiPicklist | FieldType::Other) {
                        let msg = if matches!(ftype, FieldType::Id | FieldType::Reference) {
                            "invalid operator on id field".to_string()
                        } else {
                            format!("invalid operator on field '{name}': LIKE works on text fields only")
                        };
                        return Err(SoqlError::at(ErrorKind::InvalidField, left.offset(), msg));
                    }
                    let pat = match right {
                        Operand::Literal(Literal::String(s)) => Some(compile_like(s)),
                        Operand::Literal(Literal::Null) => None,
                        Operand::Literal(_) => return Err(type_error(&name, ftype, left.offset())),
                        Operand::Bind(i) => match self.bind(*i)? {
                            Value::Null => None,
                            Value::String(s) | Value::Id(s) => Some(compile_like(s)),
                            other => return Err(bind_type_error(other, ftype, left.offset())),
                        },
                    };
                    return Ok(CCond::Like { left: l, pat });
                }
                // `field = :collection` is `field IN :collection` (and `!=` NOT IN), as Apex allows.
                if let Operand::Bind(i) = right {
                    if let Value::List(items) = self.bind(*i)? {
                        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                            let set = self.key_set_values(items, ftype, left.offset())?;
                            return Ok(CCond::In { left: l, ftype, negated: *op == CmpOp::Ne, set });
                        }
                        return Err(SoqlError::at(
                            ErrorKind::InvalidValue,
                            left.offset(),
                            format!("Invalid bind expression type of List for column of type {}", ftype.apex_name()),
                        ));
                    }
                }
                let rhs = self.rhs(right, ftype, &name, left.offset())?;
                CCond::Cmp { left: l, ftype, op: *op, right: rhs }
            }
            Cond::In { left, negated, right } => {
                let l = self.cond_left(obj, alias, left, cx, aggs)?;
                let ftype = l.ftype(aggs);
                let name = expr_name(left);
                let set = match right {
                    InRhs::List(items) => {
                        let mut set = KeySet::default();
                        for it in items {
                            set.push(self.rhs(it, ftype, &name, left.offset())?);
                        }
                        set
                    }
                    InRhs::Bind(i) => match self.bind(*i)? {
                        Value::List(items) => self.key_set_values(items, ftype, left.offset())?,
                        Value::Null => KeySet::default(),
                        single => self.key_set_values(std::slice::from_ref(single), ftype, left.offset())?,
                    },
                    InRhs::SubQuery(sub) => {
                        *semi_joins += 1;
                        self.semi_join(sub, ftype, left.offset(), cx, *semi_joins)?
                    }
                };
                CCond::In { left: l, ftype, negated: *negated, set }
            }
            Cond::Includes { left, excludes, values } => {
                let l = self.cond_left(obj, alias, left, cx, aggs)?;
                let ftype = l.ftype(aggs);
                if !matches!(ftype, FieldType::MultiPicklist | FieldType::String | FieldType::Other) {
                    return Err(SoqlError::at(
                        ErrorKind::InvalidField,
                        left.offset(),
                        format!(
                            "invalid operator on field '{}': INCLUDES and EXCLUDES work on multi-select picklists",
                            expr_name(left)
                        ),
                    ));
                }
                let mut sets = Vec::new();
                for v in values {
                    let texts: Vec<String> = match v {
                        Operand::Literal(Literal::String(s)) => vec![unescape_like(s)],
                        Operand::Literal(Literal::Null) => Vec::new(),
                        Operand::Literal(_) => return Err(type_error(&expr_name(left), ftype, left.offset())),
                        Operand::Bind(i) => match self.bind(*i)? {
                            Value::String(s) => vec![s.clone()],
                            Value::List(items) => items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                            Value::Null => Vec::new(),
                            other => return Err(bind_type_error(other, ftype, left.offset())),
                        },
                    };
                    for t in texts {
                        let set: Vec<String> =
                            t.split(';').map(|p| p.trim().to_uppercase()).filter(|p| !p.is_empty()).collect();
                        if !set.is_empty() {
                            sets.push(set);
                        }
                    }
                }
                CCond::Includes { left: l, excludes: *excludes, sets }
            }
        })
    }

    /// The left side of a condition: a field (or date function), or in HAVING an aggregate.
    fn cond_left(
        &mut self,
        obj: &Rc<ObjectDescribe>,
        alias: Option<&str>,
        e: &Expr,
        cx: CondCtx,
        aggs: &mut Vec<AggSpec>,
    ) -> Result<CExpr, SoqlError> {
        if e.has_aggregate() {
            if !cx.having {
                return Err(SoqlError::at(
                    ErrorKind::Invalid,
                    e.offset(),
                    "Aggregate functions are not allowed in the WHERE clause; use HAVING",
                ));
            }
            return self.agg_expr(obj, alias, e, aggs);
        }
        self.cexpr(obj, alias, e)
    }

    fn bind(&self, i: usize) -> Result<&'a Value, SoqlError> {
        self.binds
            .get(i)
            .ok_or_else(|| SoqlError::new(ErrorKind::Invalid, format!("no value was given for bind number {i}")))
    }

    fn key_set_values(&self, items: &[Value], ftype: FieldType, offset: usize) -> Result<KeySet, SoqlError> {
        let mut set = KeySet::default();
        for v in items {
            set.push(bind_rhs(v, ftype, offset)?);
        }
        Ok(set)
    }

    fn rhs(&self, o: &Operand, ftype: FieldType, name: &str, offset: usize) -> Result<Rhs, SoqlError> {
        match o {
            Operand::Bind(i) => bind_rhs(self.bind(*i)?, ftype, offset),
            Operand::Literal(l) => self.literal_rhs(l, ftype, name, offset),
        }
    }

    /// A literal compared with a field of `ftype`, type-checked as the platform does.
    fn literal_rhs(&self, l: &Literal, ftype: FieldType, name: &str, offset: usize) -> Result<Rhs, SoqlError> {
        use FieldType as T;
        let bad = || Err(type_error(name, ftype, offset));
        Ok(match l {
            Literal::Null => Rhs::Null,
            Literal::String(s) => {
                let s = unescape_like(s);
                match ftype {
                    T::String | T::Other => Rhs::Key(value_key(ftype, &Value::String(s))),
                    T::MultiPicklist => Rhs::Key(multi_key(&s)),
                    T::Id | T::Reference => {
                        if s.is_empty() {
                            Rhs::Null
                        } else if is_valid_id(&s) {
                            Rhs::Key(id_key(&s))
                        } else {
                            return Err(SoqlError::at(
                                ErrorKind::InvalidValue,
                                offset,
                                format!("invalid ID field: {s}"),
                            ));
                        }
                    }
                    _ => return bad(),
                }
            }
            Literal::Integer(_) | Literal::Decimal(_) => match ftype {
                T::Integer | T::Long | T::Double | T::Decimal | T::Other => {
                    let d = match l {
                        Literal::Integer(i) => Decimal::from(*i),
                        Literal::Decimal(d) => *d,
                        _ => Decimal::ZERO,
                    };
                    Rhs::Key(Key::Num(d))
                }
                _ => return bad(),
            },
            Literal::Boolean(b) => match ftype {
                T::Boolean | T::Other => Rhs::Key(Key::Bool(*b)),
                _ => return bad(),
            },
            Literal::Date(d) => match ftype {
                T::Date | T::Other => Rhs::Key(Key::Date(d.days())),
                _ => return bad(),
            },
            Literal::Datetime(d) => match ftype {
                T::Datetime | T::Other => Rhs::Key(Key::Dt(d.millis())),
                _ => return bad(),
            },
            Literal::DateRange(dl) => {
                let (s, e) = dates::range(*dl, self.ctx);
                match ftype {
                    T::Date => Rhs::Range(Key::Date(s.days()), Key::Date(e.days())),
                    T::Datetime | T::Other => Rhs::Range(
                        Key::Dt(local_midnight(s, self.ctx.zone).millis()),
                        Key::Dt(local_midnight(e, self.ctx.zone).millis()),
                    ),
                    _ => return bad(),
                }
            }
        })
    }

    /// `field IN (SELECT x FROM Object ...)`: runs the subquery once, keeps its values.
    fn semi_join(
        &mut self,
        sub: &Query,
        left_type: FieldType,
        offset: usize,
        cx: CondCtx,
        count: usize,
    ) -> Result<KeySet, SoqlError> {
        let invalid = |m: &str| Err(SoqlError::at(ErrorKind::Invalid, offset, m.to_string()));
        if cx.in_semi_join {
            return invalid("Nesting of semi join sub-selects is not supported");
        }
        if cx.under_or {
            return invalid("Semi join sub-selects are not allowed with the 'OR' operator");
        }
        if cx.under_not {
            return invalid("Semi join sub-selects are not allowed with the 'NOT' operator; use NOT IN");
        }
        if cx.having {
            return invalid("Semi join sub-selects are not allowed in HAVING");
        }
        if count > 2 {
            return invalid("A WHERE clause can have no more than two semi join or anti-join sub-selects");
        }
        if !matches!(left_type, FieldType::Id | FieldType::Reference) {
            return invalid("The left operand of a semi join must be an Id or a reference field");
        }
        if !sub.order_by.is_empty() || sub.limit.is_some() || sub.offset.is_some() {
            return invalid("ORDER BY, LIMIT and OFFSET are not allowed in a semi join sub-select");
        }
        let obj =
            self.describe(&sub.from.name).ok_or_else(|| SoqlError::no_such_object(sub.from.offset, &sub.from.name))?;
        let [SelectItem::Expr { expr: Expr::Field { path, offset: foff }, alias: None }] = sub.select.as_slice() else {
            return invalid("A semi join sub-select must select exactly one Id or reference field");
        };
        let f = self.resolve(&obj, sub.from.alias.as_deref(), path, *foff)?;
        if !matches!(f.ftype, FieldType::Id | FieldType::Reference) || !f.hops.is_empty() {
            return invalid("A semi join sub-select must select exactly one Id or reference field");
        }
        if sub.is_aggregate() || sub.group_by.is_some() {
            return invalid("A semi join sub-select can't use aggregates or GROUP BY");
        }
        let mut aggs = Vec::new();
        let mut n = 0;
        let sub_cx = CondCtx { in_semi_join: true, ..CondCtx::default() };
        let filter = match &sub.where_ {
            Some(w) => Some(self.cond(&obj, sub.from.alias.as_deref(), w, sub_cx, &mut aggs, &mut n)?),
            None => None,
        };
        let mut set = KeySet::default();
        for id in self.ds.records(&obj.name, sub.all_rows) {
            if let Some(c) = &filter {
                if !self.test(c, &obj.name, &id, None)? {
                    continue;
                }
            }
            let k = value_key(f.ftype, &self.eval_field(&f, &obj.name, &id));
            if k != Key::Null {
                set.keys.insert(k);
            }
        }
        Ok(set)
    }

    // ---- evaluation ----

    fn eval_field(&self, f: &FieldRef, obj: &str, id: &str) -> Value {
        let mut cur_obj = obj.to_string();
        let mut cur_id = id.to_string();
        for hop in &f.hops {
            let v = self.ds.value(&cur_obj, &cur_id, &hop.field);
            let Some(pid) = v.as_str().filter(|s| !s.is_empty()).map(str::to_string) else {
                return Value::Null;
            };
            let next = match &hop.target {
                Some(d) => d.name.clone(),
                None => match self.ds.object_of(&pid) {
                    Some(o) => o,
                    None => return Value::Null,
                },
            };
            cur_obj = next;
            cur_id = pid;
        }
        if f.poly_type {
            return Value::String(cur_obj);
        }
        if f.field.eq_ignore_ascii_case("Id") {
            return Value::Id(cur_id);
        }
        self.ds.value(&cur_obj, &cur_id, &f.field)
    }

    fn eval(&self, e: &CExpr, obj: &str, id: &str, group: Option<&[Value]>) -> Value {
        match e {
            CExpr::Field(f) => self.eval_field(f, obj, id),
            CExpr::ToLabel(f) => {
                let v = self.eval_field(f, obj, id);
                match &v {
                    Value::String(s) => {
                        let leaf_obj = self.leaf_object(f, obj, id);
                        match leaf_obj.and_then(|o| self.ds.picklist_label(&o, &f.field, s)) {
                            Some(label) => Value::String(label),
                            None => v,
                        }
                    }
                    _ => v,
                }
            }
            CExpr::Currency(inner) => self.eval(inner, obj, id, group),
            CExpr::Date { f, inner, local } => {
                let v = self.eval(inner, obj, id, group);
                let (date, time) = match v {
                    Value::Date(d) => (d, None),
                    Value::Datetime(dt) => {
                        let (d, t) = dates::split(dt, *local, self.ctx);
                        (d, Some(t))
                    }
                    _ => return Value::Null,
                };
                let n = dates::apply(*f, date, time, self.ctx);
                if *f == DateFn::DayOnly {
                    Value::Date(Date(n as i32))
                } else {
                    Value::Integer(n as i32)
                }
            }
            CExpr::Agg(i) => group.and_then(|g| g.get(*i)).cloned().unwrap_or(Value::Null),
        }
    }

    /// The object the last hop of `f` lands on for this record.
    fn leaf_object(&self, f: &FieldRef, obj: &str, id: &str) -> Option<String> {
        let mut cur_obj = obj.to_string();
        let mut cur_id = id.to_string();
        for hop in &f.hops {
            let pid = self.ds.value(&cur_obj, &cur_id, &hop.field).as_str()?.to_string();
            cur_obj = match &hop.target {
                Some(d) => d.name.clone(),
                None => self.ds.object_of(&pid)?,
            };
            cur_id = pid;
        }
        Some(cur_obj)
    }

    fn test(&self, c: &CCond, obj: &str, id: &str, group: Option<&[Value]>) -> Result<bool, SoqlError> {
        Ok(match c {
            CCond::And(items) => {
                for i in items {
                    if !self.test(i, obj, id, group)? {
                        return Ok(false);
                    }
                }
                true
            }
            CCond::Or(items) => {
                for i in items {
                    if self.test(i, obj, id, group)? {
                        return Ok(true);
                    }
                }
                false
            }
            CCond::Not(inner) => !self.test(inner, obj, id, group)?,
            CCond::Cmp { left, ftype, op, right } => {
                let k = value_key(*ftype, &self.eval(left, obj, id, group));
                compare(&k, *op, right)
            }
            CCond::Like { left, pat } => {
                let Some(pat) = pat else { return Ok(false) };
                match self.eval(left, obj, id, group) {
                    Value::String(s) | Value::Id(s) => like_match(pat, &s),
                    _ => false,
                }
            }
            CCond::In { left, ftype, negated, set } => {
                let k = value_key(*ftype, &self.eval(left, obj, id, group));
                set.contains(&k) != *negated
            }
            CCond::Includes { left, excludes, sets } => {
                let v = self.eval(left, obj, id, group);
                let have: HashSet<String> = match &v {
                    Value::String(s) => s.split(';').map(|p| p.trim().to_uppercase()).collect(),
                    _ => HashSet::new(),
                };
                let any = sets.iter().any(|set| set.iter().all(|x| have.contains(x)));
                if *excludes {
                    !any
                } else {
                    any
                }
            }
        })
    }

    // ---- record queries ----

    fn plan(&mut self, q: &Query, obj: Rc<ObjectDescribe>, top: bool) -> Result<Plan, SoqlError> {
        let alias = q.from.alias.as_deref();
        let mut select = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for item in &q.select {
            match item {
                SelectItem::Expr { expr, alias: col_alias } => {
                    if let Expr::Call { func, offset, .. } = expr {
                        if func.is_aggregate() || matches!(func, Func::Date(_)) {
                            return Err(SoqlError::at(
                                ErrorKind::InvalidField,
                                *offset,
                                format!("Field must be grouped or aggregated: {}", expr_name(expr)),
                            ));
                        }
                    }
                    let c = self.cexpr(&obj, alias, expr)?;
                    let ident = c.ident();
                    if !seen.insert(ident.clone()) {
                        return Err(SoqlError::at(
                            ErrorKind::InvalidField,
                            expr.offset(),
                            format!("duplicate field selected: {}", expr_name(expr)),
                        ));
                    }
                    let (hops, leaf) = split_leaf(c);
                    let name = match (col_alias, &leaf) {
                        (Some(a), _) => a.clone(),
                        (None, CExpr::Field(f) | CExpr::ToLabel(f)) => f.field.clone(),
                        (None, CExpr::Currency(inner)) => match inner.as_ref() {
                            CExpr::Field(f) => f.field.clone(),
                            _ => expr_name(expr),
                        },
                        _ => expr_name(expr),
                    };
                    select.push(SelItem::Value { name, hops, leaf });
                }
                SelectItem::Fields(kind, offset) => {
                    if *kind != FieldsKind::Standard {
                        let lim = self.count_value(q.limit)?;
                        if lim.is_none_or(|l| l > 200) {
                            return Err(SoqlError::at(
                                ErrorKind::Invalid,
                                *offset,
                                "The SOQL FIELDS function must have a LIMIT of at most 200",
                            ));
                        }
                    }
                    for f in &obj.fields {
                        let custom = f.name.to_ascii_lowercase().ends_with("__c");
                        let take = match kind {
                            FieldsKind::All => true,
                            FieldsKind::Standard => !custom,
                            FieldsKind::Custom => custom,
                        };
                        let fr =
                            FieldRef { hops: Vec::new(), field: f.name.clone(), ftype: f.field_type, poly_type: false };
                        let ident = fr.ident();
                        if take && seen.insert(ident.clone()) {
                            select.push(SelItem::Value {
                                name: f.name.clone(),
                                hops: Vec::new(),
                                leaf: CExpr::Field(fr),
                            });
                        }
                    }
                }
                SelectItem::SubQuery(sub) => {
                    if !top {
                        return Err(SoqlError::unsupported(
                            Some(sub.from.offset),
                            "a child subquery inside a child subquery",
                        ));
                    }
                    select.push(SelItem::Child(Box::new(self.child_plan(&obj, sub)?)));
                }
                SelectItem::TypeOf(t) => select.push(SelItem::TypeOf(self.type_of_plan(&obj, t)?)),
            }
        }
        let mut aggs = Vec::new();
        let mut n = 0;
        let mut filter = match &q.where_ {
            Some(w) => Some(self.cond(&obj, alias, w, CondCtx::default(), &mut aggs, &mut n)?),
            None => None,
        };
        if let (Some(scope), Some(user)) = (&q.using_scope, &self.ctx.user_id) {
            if scope.eq_ignore_ascii_case("Mine") {
                let owner = self.resolve(&obj, None, &["OwnerId".to_string()], q.from.offset)?;
                let mut set = KeySet::default();
                set.keys.insert(id_key(user));
                let mine = CCond::In { left: CExpr::Field(owner), ftype: FieldType::Reference, negated: false, set };
                filter = Some(match filter {
                    Some(f) => CCond::And(vec![f, mine]),
                    None => mine,
                });
            }
        }
        let mut order = Vec::new();
        for o in &q.order_by {
            if o.expr.has_aggregate() {
                return Err(SoqlError::at(
                    ErrorKind::Invalid,
                    o.expr.offset(),
                    "Ordering by an aggregate needs an aggregate query",
                ));
            }
            let e = self.cexpr(&obj, alias, &o.expr)?;
            if e.ftype(&[]) == FieldType::MultiPicklist {
                return Err(SoqlError::at(
                    ErrorKind::InvalidField,
                    o.expr.offset(),
                    format!("field '{}' can not be sorted in a query call", expr_name(&o.expr)),
                ));
            }
            order.push((e, o.desc, o.nulls_last.unwrap_or(o.desc)));
        }
        let limit = self.count_value(q.limit)?;
        let offset = self.count_value(q.offset)?.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(SoqlError::new(ErrorKind::Invalid, format!("Maximum SOQL offset allowed is {MAX_OFFSET}")));
        }
        Ok(Plan { obj, filter, select, order, limit, offset, all_rows: q.all_rows })
    }

    fn count_value(&self, c: Option<Count>) -> Result<Option<u64>, SoqlError> {
        Ok(match c {
            None => None,
            Some(Count::Literal(n)) => Some(n),
            Some(Count::Bind(i)) => match self.bind(i)? {
                Value::Integer(n) if *n >= 0 => Some(*n as u64),
                Value::Long(n) if *n >= 0 => Some(*n as u64),
                Value::Integer(_) | Value::Long(_) => {
                    return Err(SoqlError::new(ErrorKind::Invalid, "LIMIT and OFFSET must be non-negative"))
                }
                other => {
                    return Err(SoqlError::new(
                        ErrorKind::InvalidValue,
                        format!(
                            "Invalid bind expression type of {} for LIMIT or OFFSET; expected Integer",
                            other.type_name()
                        ),
                    ))
                }
            },
        })
    }

    fn child_plan(&mut self, parent: &Rc<ObjectDescribe>, sub: &Query) -> Result<ChildPlan, SoqlError> {
        let mut name = sub.from.name.as_str();
        if let Some((first, rest)) = name.split_once('.') {
            if first.eq_ignore_ascii_case(&parent.name) {
                name = rest;
            }
        }
        let Some(rel) = parent.child_relationship(name).cloned() else {
            return Err(SoqlError::no_such_relationship(sub.from.offset, name, true));
        };
        if sub.is_aggregate() || sub.is_count_query() {
            return Err(SoqlError::at(
                ErrorKind::Invalid,
                sub.from.offset,
                "Aggregate functions are not supported in a child relationship subquery",
            ));
        }
        let child = self
            .describe(&rel.child_object)
            .ok_or_else(|| SoqlError::no_such_object(sub.from.offset, &rel.child_object))?;
        let plan = self.plan(sub, child, false)?;
        Ok(ChildPlan { rel: rel.name.clone(), field: rel.field.clone(), plan })
    }

    fn type_of_plan(&mut self, obj: &Rc<ObjectDescribe>, t: &TypeOf) -> Result<TypeOfPlan, SoqlError> {
        let Some(f) = obj.field_by_relationship(&t.relationship) else {
            return Err(SoqlError::no_such_relationship(t.offset, &t.relationship, false));
        };
        let hop = Hop {
            field: f.name.clone(),
            rel: f.relationship_name.clone().unwrap_or_else(|| t.relationship.clone()),
            target: None,
        };
        let mut whens = Vec::new();
        for (object, paths) in &t.whens {
            let d = self.describe(object).ok_or_else(|| SoqlError::no_such_object(t.offset, object))?;
            let mut fields = Vec::new();
            for p in paths {
                let r = self.resolve(&d, None, p, t.offset)?;
                if !r.hops.is_empty() {
                    return Err(SoqlError::unsupported(Some(t.offset), "relationship paths inside TYPEOF"));
                }
                fields.push(r.field);
            }
            whens.push((d.name.to_ascii_lowercase(), fields));
        }
        let mut else_ = Vec::new();
        for p in &t.else_ {
            if p.len() != 1 {
                return Err(SoqlError::unsupported(Some(t.offset), "relationship paths inside TYPEOF"));
            }
            else_.push(p[0].clone());
        }
        Ok(TypeOfPlan { hop, whens, else_ })
    }

    /// The ids of `plan`'s object that pass its filter (`only`: restricted to those), sorted and
    /// paged.
    fn select_ids(&self, plan: &Plan, only: Option<Vec<String>>) -> Result<Vec<String>, SoqlError> {
        let obj = plan.obj.name.as_str();
        let candidates = match only {
            Some(ids) => ids,
            None => self.ds.records(obj, plan.all_rows),
        };
        let mut ids = Vec::new();
        for id in candidates {
            if let Some(f) = &plan.filter {
                if !self.test(f, obj, &id, None)? {
                    continue;
                }
            }
            ids.push(id);
        }
        if !plan.order.is_empty() {
            let mut keyed: Vec<(Vec<Key>, String)> = ids
                .into_iter()
                .map(|id| {
                    let keys = plan
                        .order
                        .iter()
                        .map(|(e, _, _)| value_key(e.ftype(&[]), &self.eval(e, obj, &id, None)))
                        .collect();
                    (keys, id)
                })
                .collect();
            let spec: Vec<(bool, bool)> = plan.order.iter().map(|(_, d, n)| (*d, *n)).collect();
            keyed.sort_by(|a, b| order_keys(&a.0, &b.0, &spec));
            ids = keyed.into_iter().map(|(_, id)| id).collect();
        }
        Ok(page(ids, plan.offset, plan.limit))
    }

    fn build_rows(&self, plan: &Plan, ids: &[String], counted: &mut u64) -> Result<Vec<Row>, SoqlError> {
        let obj = plan.obj.name.as_str();
        *counted += ids.len() as u64;
        let mut rows: Vec<Row> = ids
            .iter()
            .map(|id| {
                let mut row = Row { object: obj.to_string(), id: id.clone(), ..Row::default() };
                for item in &plan.select {
                    match item {
                        SelItem::Value { name, hops, leaf, .. } => self.place(&mut row, hops, name, leaf),
                        SelItem::TypeOf(t) => self.place_type_of(&mut row, t),
                        SelItem::Child(_) => {}
                    }
                }
                row
            })
            .collect();
        for item in &plan.select {
            if let SelItem::Child(child) = item {
                self.fill_children(child, &mut rows, counted)?;
            }
        }
        Ok(rows)
    }

    /// Puts `leaf`'s value in `row`, under the parent rows `hops` lead to.
    fn place(&self, row: &mut Row, hops: &[Hop], name: &str, leaf: &CExpr) {
        let Some((hop, rest)) = hops.split_first() else {
            if !row.fields.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)) {
                let v = self.eval(leaf, &row.object, &row.id, None);
                row.fields.push((name.to_string(), v));
            }
            return;
        };
        let idx = match row.parents.iter().position(|(k, _)| k.eq_ignore_ascii_case(&hop.rel)) {
            Some(i) => i,
            None => {
                let parent = self.ds.value(&row.object, &row.id, &hop.field);
                let parent_row = parent.as_str().filter(|s| !s.is_empty()).and_then(|pid| {
                    let object = match &hop.target {
                        Some(d) => Some(d.name.clone()),
                        None => self.ds.object_of(pid),
                    }?;
                    Some(Row { object, id: pid.to_string(), ..Row::default() })
                });
                row.parents.push((hop.rel.clone(), parent_row));
                row.parents.len() - 1
            }
        };
        if let Some(parent) = row.parents[idx].1.as_mut() {
            self.place(parent, rest, name, leaf);
        }
    }

    fn place_type_of(&self, row: &mut Row, t: &TypeOfPlan) {
        let parent = self.ds.value(&row.object, &row.id, &t.hop.field);
        let entry = parent.as_str().filter(|s| !s.is_empty()).and_then(|pid| {
            let object = self.ds.object_of(pid)?;
            let fields = t.whens.iter().find(|(o, _)| *o == object.to_ascii_lowercase()).map_or(&t.else_, |(_, f)| f);
            let fields = fields.iter().map(|f| (f.clone(), self.ds.value(&object, pid, f))).collect();
            Some(Row { object, id: pid.to_string(), fields, ..Row::default() })
        });
        if let Some(slot) = row.parents.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&t.hop.rel)) {
            slot.1 = entry;
        } else {
            row.parents.push((t.hop.rel.clone(), entry));
        }
    }

    /// Runs a child subquery for every parent row at once: one pass over the child records,
    /// grouped by parent, then each parent's list sorted and paged.
    fn fill_children(&self, child: &ChildPlan, rows: &mut [Row], counted: &mut u64) -> Result<(), SoqlError> {
        let cobj = child.plan.obj.name.as_str();
        let wanted: HashSet<Key> = rows.iter().map(|r| id_key(&r.id)).collect();
        let mut by_parent: HashMap<Key, Vec<String>> = HashMap::new();
        for id in self.ds.records(cobj, child.plan.all_rows) {
            let k = value_key(FieldType::Reference, &self.ds.value(cobj, &id, &child.field));
            if wanted.contains(&k) {
                by_parent.entry(k).or_default().push(id);
            }
        }
        for row in rows.iter_mut() {
            let ids = by_parent.remove(&id_key(&row.id)).unwrap_or_default();
            let ids = self.select_ids(&child.plan, Some(ids))?;
            let kids = self.build_rows(&child.plan, &ids, counted)?;
            row.children.push((child.rel.clone(), kids));
        }
        Ok(())
    }

    // ---- COUNT() and aggregates ----

    fn count(&mut self, q: &Query, obj: Rc<ObjectDescribe>) -> Result<QueryResult, SoqlError> {
        if !q.order_by.is_empty() {
            return Err(SoqlError::new(ErrorKind::Invalid, "COUNT() can't be used with ORDER BY"));
        }
        if q.group_by.is_some() {
            return Err(SoqlError::new(
                ErrorKind::Invalid,
                "COUNT() can't be used with GROUP BY; use COUNT(fieldName)",
            ));
        }
        let mut plan = self.plan(&Query { select: Vec::new(), ..q.clone() }, obj, true)?;
        plan.select.clear();
        let ids = self.select_ids(&plan, None)?;
        // COUNT() counts as one query row (Apex Developer Guide, "Working with SOQL Aggregate
        // Functions").
        Ok(QueryResult { data: QueryData::Count(ids.len() as i64), query_rows: 1 })
    }

    /// An expression of an aggregate query's SELECT, HAVING or ORDER BY that is (or wraps) an
    /// aggregate: registered in `aggs` (once per distinct aggregate), compiled to `Agg(i)`.
    fn agg_expr(
        &mut self,
        obj: &Rc<ObjectDescribe>,
        alias: Option<&str>,
        e: &Expr,
        aggs: &mut Vec<AggSpec>,
    ) -> Result<CExpr, SoqlError> {
        let Expr::Call { func, args, offset } = e else {
            return self.cexpr(obj, alias, e);
        };
        if !func.is_aggregate() {
            if *func == Func::Format {
                return Err(SoqlError::unsupported(Some(*offset), "FORMAT()"));
            }
            if *func == Func::ConvertCurrency && args.len() == 1 {
                return Ok(CExpr::Currency(Box::new(self.agg_expr(obj, alias, &args[0], aggs)?)));
            }
            return self.cexpr(obj, alias, e);
        }
        if *func == Func::Grouping {
            return Err(SoqlError::unsupported(Some(*offset), "GROUPING() (it needs ROLLUP or CUBE)"));
        }
        let arg = match args.first() {
            None => None,
            Some(a) => {
                if a.has_aggregate() {
                    return Err(SoqlError::at(ErrorKind::Invalid, *offset, "Aggregate functions can't be nested"));
                }
                Some(self.cexpr(obj, alias, a)?)
            }
        };
        let arg_type = arg.as_ref().map(|a| a.ftype(&[]));
        let out_type = match func {
            Func::Count | Func::CountDistinct => FieldType::Integer,
            Func::Sum | Func::Avg => match arg_type {
                Some(FieldType::Double) => FieldType::Double,
                Some(FieldType::Integer | FieldType::Long | FieldType::Decimal | FieldType::Other) => {
                    FieldType::Decimal
                }
                _ => {
                    return Err(SoqlError::at(
                        ErrorKind::InvalidField,
                        *offset,
                        format!("field {} does not support aggregate operator {}", expr_name(&args[0]), func.name()),
                    ))
                }
            },
            _ => arg_type.unwrap_or(FieldType::Other),
        };
        if matches!(func, Func::Sum | Func::Avg | Func::Min | Func::Max | Func::CountDistinct) && arg.is_none() {
            return Err(SoqlError::at(ErrorKind::Invalid, *offset, format!("{}() takes a field", func.name())));
        }
        let ident = format!("{}({})", func.name(), arg.as_ref().map(CExpr::ident).unwrap_or_default());
        if let Some(i) = aggs.iter().position(|a| a.ident == ident) {
            return Ok(CExpr::Agg(i));
        }
        aggs.push(AggSpec { func: *func, arg, out_type, ident });
        Ok(CExpr::Agg(aggs.len() - 1))
    }

    fn aggregate(&mut self, q: &Query, obj: Rc<ObjectDescribe>) -> Result<QueryResult, SoqlError> {
        let alias = q.from.alias.as_deref();
        let mut aggs: Vec<AggSpec> = Vec::new();
        // Grouped expressions.
        let mut groups: Vec<CExpr> = Vec::new();
        if let Some(g) = &q.group_by {
            for e in &g.exprs {
                if e.has_aggregate() {
                    return Err(SoqlError::at(
                        ErrorKind::Invalid,
                        e.offset(),
                        "Grouped field should not be aggregated",
                    ));
                }
                let c = self.cexpr(&obj, alias, e)?;
                if c.ftype(&[]) == FieldType::MultiPicklist {
                    return Err(SoqlError::at(
                        ErrorKind::InvalidField,
                        e.offset(),
                        format!("field '{}' can not be grouped in a query call", expr_name(e)),
                    ));
                }
                groups.push(c);
            }
        }
        // Output columns: (name, what).
        enum Col {
            Agg(CExpr),
            Group(usize),
        }
        let mut cols: Vec<(String, Col)> = Vec::new();
        let mut expr_n = 0;
        for item in &q.select {
            let SelectItem::Expr { expr, alias: col_alias } = item else {
                let at = match item {
                    SelectItem::SubQuery(s) => s.from.offset,
                    SelectItem::TypeOf(t) => t.offset,
                    SelectItem::Fields(_, o) => *o,
                    SelectItem::Expr { expr, .. } => expr.offset(),
                };
                return Err(SoqlError::at(
                    ErrorKind::Invalid,
                    at,
                    "Only fields and aggregate functions can be selected in an aggregate query",
                ));
            };
            let mut auto_name = || {
                let n = format!("expr{expr_n}");
                expr_n += 1;
                n
            };
            if expr.has_aggregate() {
                let c = self.agg_expr(&obj, alias, expr, &mut aggs)?;
                let name = col_alias.clone().unwrap_or_else(&mut auto_name);
                cols.push((name, Col::Agg(c)));
                continue;
            }
            let c = self.cexpr(&obj, alias, expr)?;
            let ident = c.ident();
            let Some(gi) = groups.iter().position(|g| g.ident() == ident) else {
                return Err(SoqlError::at(
                    ErrorKind::InvalidField,
                    expr.offset(),
                    format!("Field must be grouped or aggregated: {}", expr_name(expr)),
                ));
            };
            let name = match (col_alias, &c) {
                (Some(a), _) => a.clone(),
                (None, CExpr::Field(f)) => f.field.clone(),
                _ => auto_name(),
            };
            cols.push((name, Col::Group(gi)));
        }
        {
            let mut names = HashSet::new();
            for (n, _) in &cols {
                if !names.insert(n.to_ascii_lowercase()) {
                    return Err(SoqlError::new(ErrorKind::Invalid, format!("duplicate alias: {n}")));
                }
            }
        }
        // WHERE (no aggregates), HAVING (aggregates and grouped fields).
        let mut n = 0;
        let filter = match &q.where_ {
            Some(w) => Some(self.cond(&obj, alias, w, CondCtx::default(), &mut aggs, &mut n)?),
            None => None,
        };
        let having = match &q.having {
            Some(h) => {
                let cx = CondCtx { having: true, ..CondCtx::default() };
                let c = self.cond(&obj, alias, h, cx, &mut aggs, &mut n)?;
                check_having(&c, &groups)?;
                Some(c)
            }
            None => None,
        };
        let mut order = Vec::new();
        for o in &q.order_by {
            let c = match &o.expr {
                Expr::Field { path, .. } if path.len() == 1 && !o.expr.has_aggregate() => {
                    // An alias of an aggregate column, or a grouped field.
                    match cols.iter().find(|(n, _)| n.eq_ignore_ascii_case(&path[0])) {
                        Some((_, Col::Agg(c))) => c.clone(),
                        _ => self.cexpr(&obj, alias, &o.expr)?,
                    }
                }
                e if e.has_aggregate() => self.agg_expr(&obj, alias, e, &mut aggs)?,
                e => self.cexpr(&obj, alias, e)?,
            };
            if !matches!(c, CExpr::Agg(_) | CExpr::Currency(_)) && !groups.iter().any(|g| g.ident() == c.ident()) {
                return Err(SoqlError::at(
                    ErrorKind::InvalidField,
                    o.expr.offset(),
                    format!("Ordered field must be grouped or aggregated: {}", expr_name(&o.expr)),
                ));
            }
            order.push((c, o.desc, o.nulls_last.unwrap_or(o.desc)));
        }
        if q.group_by.is_none() && q.limit.is_some() {
            return Err(SoqlError::new(
                ErrorKind::Invalid,
                "A LIMIT clause can't be used in a query that uses an aggregate function without GROUP BY",
            ));
        }
        let limit = self.count_value(q.limit)?;
        let offset = self.count_value(q.offset)?.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(SoqlError::new(ErrorKind::Invalid, format!("Maximum SOQL offset allowed is {MAX_OFFSET}")));
        }

        // Group the matching records.
        let oname = obj.name.clone();
        let mut index: HashMap<Vec<Key>, usize> = HashMap::new();
        let mut buckets: Vec<(Vec<Value>, Vec<Acc>)> = Vec::new();
        let mut matched = 0u64;
        for id in self.ds.records(&oname, q.all_rows) {
            if let Some(f) = &filter {
                if !self.test(f, &oname, &id, None)? {
                    continue;
                }
            }
            matched += 1;
            let gvals: Vec<Value> = groups.iter().map(|g| self.eval(g, &oname, &id, None)).collect();
            let gkey: Vec<Key> = groups.iter().zip(&gvals).map(|(g, v)| value_key(g.ftype(&[]), v)).collect();
            let slot = match index.get(&gkey) {
                Some(i) => *i,
                None => {
                    buckets.push((gvals, aggs.iter().map(Acc::new).collect()));
                    index.insert(gkey, buckets.len() - 1);
                    buckets.len() - 1
                }
            };
            for (acc, spec) in buckets[slot].1.iter_mut().zip(&aggs) {
                let v = spec.arg.as_ref().map(|a| self.eval(a, &oname, &id, None));
                acc.add(spec, v);
            }
        }
        if groups.is_empty() && buckets.is_empty() {
            buckets.push((Vec::new(), aggs.iter().map(Acc::new).collect()));
        }
        // One row per group: its aggregate values, HAVING, then the columns.
        let mut out: Vec<GroupRow> = Vec::new();
        for (gvals, accs) in buckets {
            let avals: Vec<Value> = accs.into_iter().zip(&aggs).map(|(a, s)| a.finish(s)).collect();
            if let Some(h) = &having {
                if !self.test_group(h, &groups, &gvals, &avals)? {
                    continue;
                }
            }
            out.push((gvals, avals));
        }
        if !order.is_empty() {
            let spec: Vec<(bool, bool)> = order.iter().map(|(_, d, n)| (*d, *n)).collect();
            let mut keyed: Vec<(Vec<Key>, GroupRow)> = out
                .into_iter()
                .map(|(g, a)| {
                    let keys = order
                        .iter()
                        .map(|(e, _, _)| {
                            let v = self.group_value(e, &groups, &g, &a);
                            value_key(e.ftype(&aggs), &v)
                        })
                        .collect();
                    (keys, (g, a))
                })
                .collect();
            keyed.sort_by(|x, y| order_keys(&x.0, &y.0, &spec));
            out = keyed.into_iter().map(|(_, r)| r).collect();
        }
        let out = page(out, offset, limit);
        let only_counts = aggs.iter().all(|a| matches!(a.func, Func::Count | Func::CountDistinct));
        let query_rows = if only_counts {
            if groups.is_empty() {
                1
            } else {
                out.len() as u64
            }
        } else {
            matched
        };
        let rows = out
            .into_iter()
            .map(|(g, a)| AggregateRow {
                columns: cols
                    .iter()
                    .map(|(name, col)| {
                        let v = match col {
                            Col::Group(i) => g.get(*i).cloned().unwrap_or(Value::Null),
                            Col::Agg(e) => self.group_value(e, &groups, &g, &a),
                        };
                        (name.clone(), v)
                    })
                    .collect(),
            })
            .collect();
        Ok(QueryResult { data: QueryData::Aggregates(rows), query_rows })
    }

    /// The value of an expression over a group: an aggregate, or a grouped expression.
    fn group_value(&self, e: &CExpr, groups: &[CExpr], gvals: &[Value], avals: &[Value]) -> Value {
        match e {
            CExpr::Agg(i) => avals.get(*i).cloned().unwrap_or(Value::Null),
            CExpr::Currency(inner) => self.group_value(inner, groups, gvals, avals),
            other => {
                let ident = other.ident();
                groups
                    .iter()
                    .position(|g| g.ident() == ident)
                    .and_then(|i| gvals.get(i).cloned())
                    .unwrap_or(Value::Null)
            }
        }
    }

    fn test_group(&self, c: &CCond, groups: &[CExpr], gvals: &[Value], avals: &[Value]) -> Result<bool, SoqlError> {
        // HAVING's leaves are aggregates (`Agg`) or grouped expressions: evaluate them from the
        // group by substituting their values.
        Ok(match c {
            CCond::And(items) => {
                for i in items {
                    if !self.test_group(i, groups, gvals, avals)? {
                        return Ok(false);
                    }
                }
                true
            }
            CCond::Or(items) => {
                for i in items {
                    if self.test_group(i, groups, gvals, avals)? {
                        return Ok(true);
                    }
                }
                false
            }
            CCond::Not(inner) => !self.test_group(inner, groups, gvals, avals)?,
            CCond::Cmp { left, ftype, op, right } => {
                compare(&value_key(*ftype, &self.group_value(left, groups, gvals, avals)), *op, right)
            }
            CCond::Like { left, pat } => match (pat, self.group_value(left, groups, gvals, avals)) {
                (Some(p), Value::String(s)) => like_match(p, &s),
                _ => false,
            },
            CCond::In { left, ftype, negated, set } => {
                set.contains(&value_key(*ftype, &self.group_value(left, groups, gvals, avals))) != *negated
            }
            CCond::Includes { .. } => false,
        })
    }
}

/// HAVING may only use aggregates and grouped expressions (which `test_group` finds among the
/// group's values).
fn check_having(c: &CCond, groups: &[CExpr]) -> Result<(), SoqlError> {
    let leaf_ok = |e: &CExpr| matches!(e, CExpr::Agg(_)) || groups.iter().any(|g| g.ident() == e.ident());
    let ok = match c {
        CCond::And(items) | CCond::Or(items) => {
            for i in items {
                check_having(i, groups)?;
            }
            true
        }
        CCond::Not(inner) => {
            check_having(inner, groups)?;
            true
        }
        CCond::Cmp { left, .. } | CCond::Like { left, .. } | CCond::In { left, .. } => leaf_ok(left),
        CCond::Includes { .. } => false,
    };
    if ok {
        Ok(())
    } else {
        Err(SoqlError::new(ErrorKind::InvalidField, "HAVING can only filter on aggregates and grouped fields"))
    }
}

/// A group of an aggregate query: its grouped values and its aggregates' values.
type GroupRow = (Vec<Value>, Vec<Value>);

/// An aggregate's running state.
#[derive(Debug)]
enum Acc {
    Count(i64),
    Distinct(HashSet<Key>),
    Sum { dec: Decimal, dbl: f64, n: i64, overflow: bool },
    MinMax(Option<(Key, Value)>),
}

impl Acc {
    fn new(spec: &AggSpec) -> Acc {
        match spec.func {
            Func::Count => Acc::Count(0),
            Func::CountDistinct => Acc::Distinct(HashSet::new()),
            Func::Sum | Func::Avg => Acc::Sum { dec: Decimal::ZERO, dbl: 0.0, n: 0, overflow: false },
            _ => Acc::MinMax(None),
        }
    }

    fn add(&mut self, spec: &AggSpec, v: Option<Value>) {
        let arg_type = spec.arg.as_ref().map_or(FieldType::Other, |a| a.ftype(&[]));
        match self {
            Acc::Count(n) => {
                // COUNT() counts rows; COUNT(field) the rows where the field is not null.
                if v.as_ref().is_none_or(|v| value_key(arg_type, v) != Key::Null) {
                    *n += 1;
                }
            }
            Acc::Distinct(set) => {
                if let Some(v) = v {
                    let k = value_key(arg_type, &v);
                    if k != Key::Null {
                        set.insert(k);
                    }
                }
            }
            Acc::Sum { dec, dbl, n, overflow } => {
                if let Some(v) = v {
                    if let Some(x) = v.as_f64() {
                        *dbl += x;
                        match v.as_decimal().and_then(|d| dec.checked_add(d)) {
                            Some(s) => *dec = s,
                            None => *overflow = true,
                        }
                        *n += 1;
                    }
                }
            }
            Acc::MinMax(best) => {
                let Some(v) = v else { return };
                let k = value_key(arg_type, &v);
                if k == Key::Null {
                    return;
                }
                let better = match best {
                    None => true,
                    Some((bk, _)) => {
                        let o = cmp_keys(&k, bk).unwrap_or(Ordering::Equal);
                        if spec.func == Func::Min {
                            o == Ordering::Less
                        } else {
                            o == Ordering::Greater
                        }
                    }
                };
                if better {
                    *best = Some((k, v));
                }
            }
        }
    }

    fn finish(self, spec: &AggSpec) -> Value {
        match self {
            Acc::Count(n) => Value::Integer(n.clamp(0, i64::from(i32::MAX)) as i32),
            Acc::Distinct(set) => Value::Integer(set.len().min(i32::MAX as usize) as i32),
            Acc::Sum { dec, dbl, n, overflow } => {
                if n == 0 {
                    return Value::Null;
                }
                let avg = spec.func == Func::Avg;
                if spec.out_type == FieldType::Double || overflow {
                    return Value::Double(if avg { dbl / n as f64 } else { dbl });
                }
                if avg {
                    match dec.checked_div(Decimal::from(n)) {
                        Some(d) => Value::Decimal(d),
                        None => Value::Double(dbl / n as f64),
                    }
                } else {
                    Value::Decimal(dec)
                }
            }
            Acc::MinMax(best) => best.map_or(Value::Null, |(_, v)| v),
        }
    }
}

/// Whether a field's key satisfies `op` against `rhs`. Nulls follow SOQL, not SQL: `= null`
/// matches empty fields, `!=` is the negation of `=` (so an empty field is `!=` any value), and
/// an ordering comparison with null on either side is false.
fn compare(k: &Key, op: CmpOp, rhs: &Rhs) -> bool {
    let eq = match rhs {
        Rhs::Null => *k == Key::Null,
        Rhs::Key(r) => *k != Key::Null && k == r,
        Rhs::Range(a, b) => in_range(k, a, b),
    };
    match op {
        CmpOp::Eq => eq,
        CmpOp::Ne => !eq,
        CmpOp::Like => false,
        _ => {
            if *k == Key::Null {
                return false;
            }
            let (lo, hi) = match rhs {
                Rhs::Null => return false,
                Rhs::Key(r) => (r, r),
                Rhs::Range(a, b) => (a, b),
            };
            match op {
                // Against a date literal: before its start, before its end, at or after its end,
                // at or after its start.
                CmpOp::Lt => cmp_keys(k, lo) == Some(Ordering::Less),
                CmpOp::Le if matches!(rhs, Rhs::Range(..)) => cmp_keys(k, hi) == Some(Ordering::Less),
                CmpOp::Le => matches!(cmp_keys(k, hi), Some(Ordering::Less | Ordering::Equal)),
                CmpOp::Gt if matches!(rhs, Rhs::Range(..)) => {
                    matches!(cmp_keys(k, hi), Some(Ordering::Greater | Ordering::Equal))
                }
                CmpOp::Gt => cmp_keys(k, hi) == Some(Ordering::Greater),
                CmpOp::Ge => matches!(cmp_keys(k, lo), Some(Ordering::Greater | Ordering::Equal)),
                _ => false,
            }
        }
    }
}

/// ORDER BY over keys: each item ascending or descending, nulls first or last (by default
/// first ascending and last descending: nulls sort as the smallest value).
fn order_keys(a: &[Key], b: &[Key], spec: &[(bool, bool)]) -> Ordering {
    for ((x, y), (desc, nulls_last)) in a.iter().zip(b).zip(spec) {
        let o = match (*x == Key::Null, *y == Key::Null) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if *nulls_last {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, true) => {
                if *nulls_last {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, false) => {
                let o = cmp_keys(x, y).unwrap_or(Ordering::Equal);
                if *desc {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn page<T>(items: Vec<T>, offset: u64, limit: Option<u64>) -> Vec<T> {
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    items.into_iter().skip(skip).take(take).collect()
}

/// Splits a compiled SELECT expression into the parent hops that place it and the expression
/// evaluated on the last record.
fn split_leaf(e: CExpr) -> (Vec<Hop>, CExpr) {
    match e {
        // `What.Type` too: on the parent row, the leaf is that row's object.
        CExpr::Field(mut f) => {
            let hops = std::mem::take(&mut f.hops);
            (hops, CExpr::Field(f))
        }
        CExpr::ToLabel(mut f) => {
            let hops = std::mem::take(&mut f.hops);
            (hops, CExpr::ToLabel(f))
        }
        CExpr::Currency(inner) => match *inner {
            CExpr::Field(mut f) => {
                let hops = std::mem::take(&mut f.hops);
                (hops, CExpr::Currency(Box::new(CExpr::Field(f))))
            }
            other => (Vec::new(), CExpr::Currency(Box::new(other))),
        },
        other => (Vec::new(), other),
    }
}

/// An expression as written, for messages (`Account.Name`, `SUM(Amount)`).
fn expr_name(e: &Expr) -> String {
    match e {
        Expr::Field { path, .. } => path.join("."),
        Expr::Call { func, args, .. } => {
            format!("{}({})", func.name(), args.iter().map(expr_name).collect::<Vec<_>>().join(", "))
        }
        Expr::Literal(_) => "literal".to_string(),
    }
}

/// The platform's message for a literal of the wrong type.
fn type_error(name: &str, ftype: FieldType, offset: usize) -> SoqlError {
    let quoted = matches!(
        ftype,
        FieldType::String | FieldType::MultiPicklist | FieldType::Id | FieldType::Reference | FieldType::Other
    );
    let how = if quoted { "should be enclosed in quotes" } else { "should not be enclosed in quotes" };
    SoqlError::at(
        ErrorKind::InvalidValue,
        offset,
        format!("value of filter criterion for field '{name}' must be of type {} and {how}", ftype.soap_name()),
    )
}

fn bind_type_error(v: &Value, ftype: FieldType, offset: usize) -> SoqlError {
    SoqlError::at(
        ErrorKind::InvalidValue,
        offset,
        format!("Invalid bind expression type of {} for column of type {}", v.type_name(), ftype.apex_name()),
    )
}

/// A bound value compared with a field of `ftype`. Apex has type-checked the bind at compile
/// time; what remains is the platform's run-time checks (an invalid Id string) and the
/// conversions Apex makes (a Date bound to a Datetime field is its midnight GMT).
fn bind_rhs(v: &Value, ftype: FieldType, offset: usize) -> Result<Rhs, SoqlError> {
    use FieldType as T;
    Ok(match (v, ftype) {
        (Value::Null, _) => Rhs::Null,
        (Value::List(_), _) => return Err(bind_type_error(v, ftype, offset)),
        (Value::String(s) | Value::Id(s), T::Id | T::Reference) => {
            if s.is_empty() {
                Rhs::Null
            } else if is_valid_id(s) {
                Rhs::Key(id_key(s))
            } else {
                return Err(SoqlError::at(ErrorKind::InvalidValue, offset, format!("invalid ID field: {s}")));
            }
        }
        (Value::String(s) | Value::Id(s), T::String | T::Other) => {
            Rhs::Key(value_key(T::String, &Value::String(s.clone())))
        }
        (Value::String(s), T::MultiPicklist) => Rhs::Key(multi_key(s)),
        (
            Value::Integer(_) | Value::Long(_) | Value::Decimal(_) | Value::Double(_),
            T::Integer | T::Long | T::Double | T::Decimal | T::Other,
        ) => v.as_decimal().map_or(Rhs::Null, |d| Rhs::Key(Key::Num(d))),
        (Value::Boolean(b), T::Boolean | T::Other) => Rhs::Key(Key::Bool(*b)),
        (Value::Date(_) | Value::Datetime(_), T::Date | T::Datetime | T::Other) => {
            Rhs::Key(value_key(if ftype == T::Other { T::Datetime } else { ftype }, v))
        }
        (Value::Time(t), T::Time | T::Other) => Rhs::Key(Key::Time(t.0)),
        _ => return Err(bind_type_error(v, ftype, offset)),
    })
}
