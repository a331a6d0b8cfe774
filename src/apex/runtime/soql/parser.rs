//! The hand-written SOQL parser: tokens → [`Query`]. Recursive descent, one token of lookahead
//! (two where SOQL needs them), nesting bounded by [`MAX_DEPTH`].

use super::ast::*;
use super::error::{ErrorKind, SoqlError};
use super::lexer::{is_currency_literal, lex, Tok, Token};
use rust_decimal::Decimal;
use std::str::FromStr;

/// How deep conditions (parentheses, NOT) and subqueries may nest: far beyond what real queries
/// use, well within the Rust stack.
pub const MAX_DEPTH: usize = 64;

/// Words that end a SELECT item or cannot be aliases (SOQL and SOSL Reference, "Reserved
/// Characters and Keywords" and the clause keywords).
const RESERVED: &[&str] = &[
    "AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP", "HAVING", "IN", "INCLUDES", "LAST", "LIKE", "LIMIT",
    "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE", "WITH", "OFFSET", "ORDER", "USING", "FOR", "ALL", "UPDATE",
    "TRUE", "FALSE", "TYPEOF", "WHEN", "THEN", "ELSE", "END", "ROLLUP", "CUBE", "BY",
];

/// Parses a SOQL statement as `Database.query` receives it (no comments).
pub fn parse(text: &str) -> Result<Query, SoqlError> {
    parse_with(text, false)
}

/// Parses the text between `[` and `]` of inline SOQL in Apex (comments allowed, as the Apex
/// lexer skips them).
pub fn parse_inline(text: &str) -> Result<Query, SoqlError> {
    parse_with(text, true)
}

fn parse_with(text: &str, comments: bool) -> Result<Query, SoqlError> {
    let tokens = lex(text, comments);
    let mut p = Parser { src: text, toks: tokens, pos: 0, binds: Vec::new(), depth: 0 };
    let mut q = p.query()?;
    if !p.at_eof() {
        return Err(p.unexpected());
    }
    q.binds = std::mem::take(&mut p.binds);
    Ok(q)
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    binds: Vec<BindInfo>,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // The token list always ends with Eof, and `pos` never passes it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].tok
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn at_eof(&self) -> bool {
        matches!(self.peek().tok, Tok::Eof)
    }

    fn unexpected(&self) -> SoqlError {
        let t = self.peek();
        if let Tok::Error(e) = &t.tok {
            return (**e).clone();
        }
        SoqlError::malformed_at(self.src, t.start, format!("unexpected token: '{}'", t.describe(self.src)))
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(w) if w.eq_ignore_ascii_case(kw))
    }

    fn is_kw_at(&self, n: usize, kw: &str) -> bool {
        matches!(self.peek_at(n), Tok::Ident(w) if w.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), SoqlError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(&self.peek().tok, Tok::Punct(q) if *q == p)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), SoqlError> {
        if self.eat_punct(p) {
            return Ok(());
        }
        if p == ")" && !matches!(self.peek().tok, Tok::Error(_)) {
            let t = self.peek();
            return Err(SoqlError::malformed_at(
                self.src,
                t.start,
                format!("expecting a right parentheses, found '{}'", t.describe(self.src)),
            ));
        }
        Err(self.unexpected())
    }

    fn ident(&mut self) -> Result<(String, usize), SoqlError> {
        match &self.peek().tok {
            Tok::Ident(w) => {
                let w = w.clone();
                let start = self.bump().start;
                Ok((w, start))
            }
            _ => Err(self.unexpected()),
        }
    }

    fn enter(&mut self) -> Result<(), SoqlError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let at = self.peek().start;
            return Err(SoqlError::at(
                ErrorKind::Malformed,
                at,
                format!("the query nests conditions or subqueries more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn bind(&mut self, text: String, offset: usize) -> usize {
        self.binds.push(BindInfo { text, offset });
        self.binds.len() - 1
    }

    // ---- statement ----

    fn query(&mut self) -> Result<Query, SoqlError> {
        self.enter()?;
        self.expect_kw("SELECT")?;
        let mut select = Vec::new();
        loop {
            select.push(self.select_item()?);
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_kw("FROM")?;
        let from = self.from()?;
        let mut q = Query {
            select,
            from,
            using_scope: None,
            where_: None,
            with: Vec::new(),
            group_by: None,
            having: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
            for_: Vec::new(),
            update: Vec::new(),
            all_rows: false,
            binds: Vec::new(),
        };
        if self.is_kw("USING") {
            self.bump();
            self.expect_kw("SCOPE")?;
            q.using_scope = Some(self.ident()?.0);
        }
        if self.eat_kw("WHERE") {
            q.where_ = Some(self.condition()?);
        }
        while self.is_kw("WITH") {
            self.bump();
            q.with.push(self.with()?);
        }
        if self.is_kw("GROUP") {
            self.bump();
            self.expect_kw("BY")?;
            q.group_by = Some(self.group_by()?);
            if self.eat_kw("HAVING") {
                q.having = Some(self.condition()?);
            }
        }
        if self.is_kw("ORDER") {
            self.bump();
            self.expect_kw("BY")?;
            loop {
                q.order_by.push(self.order_item()?);
                if !self.eat_punct(",") {
                    break;
                }
            }
        }
        if self.eat_kw("LIMIT") {
            q.limit = Some(self.count()?);
        }
        if self.eat_kw("OFFSET") {
            q.offset = Some(self.count()?);
        }
        loop {
            if self.is_kw("FOR") {
                self.bump();
                let (w, _) = self.ident().map_err(|_| self.unexpected())?;
                let kind = match w.to_ascii_uppercase().as_str() {
                    "VIEW" => ForKind::View,
                    "REFERENCE" => ForKind::Reference,
                    "UPDATE" => ForKind::Update,
                    _ => {
                        self.pos -= 1;
                        return Err(self.unexpected());
                    }
                };
                q.for_.push(kind);
            } else if self.is_kw("UPDATE") {
                self.bump();
                let (w, _) = self.ident()?;
                if !w.eq_ignore_ascii_case("TRACKING") && !w.eq_ignore_ascii_case("VIEWSTAT") {
                    self.pos -= 1;
                    return Err(self.unexpected());
                }
                q.update.push(w.to_ascii_uppercase());
            } else if self.is_kw("ALL") && self.is_kw_at(1, "ROWS") {
                self.bump();
                self.bump();
                q.all_rows = true;
            } else {
                break;
            }
        }
        self.leave();
        Ok(q)
    }

    fn from(&mut self) -> Result<From, SoqlError> {
        let (mut name, offset) = self.ident()?;
        while self.is_punct(".") {
            self.bump();
            let (seg, _) = self.ident()?;
            name.push('.');
            name.push_str(&seg);
        }
        let mut alias = None;
        if let Tok::Ident(w) = &self.peek().tok {
            if !is_reserved(w) {
                alias = Some(w.clone());
                self.bump();
            }
        }
        Ok(From { name, alias, offset })
    }

    fn with(&mut self) -> Result<With, SoqlError> {
        let (w, _) = self.ident()?;
        Ok(match w.to_ascii_uppercase().as_str() {
            "SECURITY_ENFORCED" => With::SecurityEnforced,
            "USER_MODE" => With::UserMode,
            "SYSTEM_MODE" => With::SystemMode,
            "DATA" => {
                self.expect_kw("CATEGORY")?;
                // Kept as text: filters of the form `Group__c AT|ABOVE|BELOW|ABOVE_OR_BELOW x`
                // joined by AND, or `(x, y)` lists.
                let start = self.peek().start;
                let mut end = start;
                while !self.at_eof()
                    && !self.is_kw("GROUP")
                    && !self.is_kw("ORDER")
                    && !self.is_kw("LIMIT")
                    && !self.is_kw("OFFSET")
                    && !self.is_kw("FOR")
                    && !self.is_kw("WITH")
                    && !self.is_punct(")")
                {
                    if self.is_punct("(") {
                        self.bump();
                        while !self.at_eof() && !self.is_punct(")") {
                            self.bump();
                        }
                        end = self.peek().end;
                        self.expect_punct(")")?;
                        continue;
                    }
                    end = self.bump().end;
                }
                if end == start {
                    return Err(self.unexpected());
                }
                With::DataCategory(self.src.get(start..end).unwrap_or("").to_string())
            }
            _ => {
                self.pos -= 1;
                return Err(self.unexpected());
            }
        })
    }

    fn group_by(&mut self) -> Result<GroupBy, SoqlError> {
        let kind = if self.is_kw("ROLLUP") && matches!(self.peek_at(1), Tok::Punct("(")) {
            GroupKind::Rollup
        } else if self.is_kw("CUBE") && matches!(self.peek_at(1), Tok::Punct("(")) {
            GroupKind::Cube
        } else {
            GroupKind::Plain
        };
        let mut exprs = Vec::new();
        if kind != GroupKind::Plain {
            self.bump();
            self.expect_punct("(")?;
        }
        loop {
            exprs.push(self.expr()?);
            if !self.eat_punct(",") {
                break;
            }
        }
        if kind != GroupKind::Plain {
            self.expect_punct(")")?;
        }
        Ok(GroupBy { kind, exprs })
    }

    fn order_item(&mut self) -> Result<OrderItem, SoqlError> {
        let expr = self.expr()?;
        let mut desc = false;
        if self.eat_kw("DESC") {
            desc = true;
        } else {
            self.eat_kw("ASC");
        }
        let mut nulls_last = None;
        if self.eat_kw("NULLS") {
            if self.eat_kw("FIRST") {
                nulls_last = Some(false);
            } else if self.eat_kw("LAST") {
                nulls_last = Some(true);
            } else {
                return Err(self.unexpected());
            }
        }
        Ok(OrderItem { expr, desc, nulls_last })
    }

    fn count(&mut self) -> Result<Count, SoqlError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Num(n) => {
                self.bump();
                match n.parse::<u64>() {
                    Ok(v) => Ok(Count::Literal(v)),
                    Err(_) => Err(SoqlError::malformed_at(self.src, t.start, format!("unexpected token: '{n}'"))),
                }
            }
            Tok::Bind(text) => {
                let text = text.clone();
                self.bump();
                Ok(Count::Bind(self.bind(text, t.start)))
            }
            _ => Err(self.unexpected()),
        }
    }

    // ---- SELECT list ----

    fn select_item(&mut self) -> Result<SelectItem, SoqlError> {
        if self.is_punct("(") {
            let open = self.bump();
            if !self.is_kw("SELECT") {
                self.pos -= 1;
                let _ = open;
                return Err(self.unexpected());
            }
            let q = self.query()?;
            self.expect_punct(")")?;
            return Ok(SelectItem::SubQuery(Box::new(q)));
        }
        if self.is_kw("TYPEOF") {
            return self.type_of();
        }
        if self.is_kw("FIELDS") && matches!(self.peek_at(1), Tok::Punct("(")) {
            let start = self.bump().start;
            self.bump();
            let (w, _) = self.ident()?;
            let kind = match w.to_ascii_uppercase().as_str() {
                "ALL" => FieldsKind::All,
                "STANDARD" => FieldsKind::Standard,
                "CUSTOM" => FieldsKind::Custom,
                _ => {
                    self.pos -= 1;
                    return Err(self.unexpected());
                }
            };
            self.expect_punct(")")?;
            return Ok(SelectItem::Fields(kind, start));
        }
        let expr = self.expr()?;
        let alias = match &self.peek().tok {
            Tok::Ident(w) if !is_reserved(w) => {
                let w = w.clone();
                self.bump();
                Some(w)
            }
            _ => None,
        };
        Ok(SelectItem::Expr { expr, alias })
    }

    fn type_of(&mut self) -> Result<SelectItem, SoqlError> {
        let offset = self.bump().start;
        let (relationship, _) = self.ident()?;
        let mut whens = Vec::new();
        while self.eat_kw("WHEN") {
            let (object, _) = self.ident()?;
            self.expect_kw("THEN")?;
            whens.push((object, self.path_list()?));
        }
        if whens.is_empty() {
            return Err(self.unexpected());
        }
        let else_ = if self.eat_kw("ELSE") { self.path_list()? } else { Vec::new() };
        self.expect_kw("END")?;
        Ok(SelectItem::TypeOf(TypeOf { relationship, whens, else_, offset }))
    }

    fn path_list(&mut self) -> Result<Vec<Vec<String>>, SoqlError> {
        let mut out = Vec::new();
        loop {
            out.push(self.path()?.0);
            if !self.eat_punct(",") {
                return Ok(out);
            }
        }
    }

    fn path(&mut self) -> Result<(Vec<String>, usize), SoqlError> {
        let (first, offset) = self.ident()?;
        let mut path = vec![first];
        while self.is_punct(".") {
            self.bump();
            path.push(self.ident()?.0);
        }
        Ok((path, offset))
    }

    /// A field path or a function call.
    fn expr(&mut self) -> Result<Expr, SoqlError> {
        let t = self.peek().clone();
        let Tok::Ident(name) = &t.tok else {
            return Err(self.unexpected());
        };
        if matches!(self.peek_at(1), Tok::Punct("(")) {
            let Some(func) = Func::from_name(name) else {
                return Err(SoqlError::at(ErrorKind::Malformed, t.start, format!("Unknown function: {name}")));
            };
            self.enter()?;
            self.bump();
            self.bump();
            let mut args = Vec::new();
            if !self.is_punct(")") {
                loop {
                    args.push(self.arg()?);
                    if !self.eat_punct(",") {
                        break;
                    }
                }
            }
            self.expect_punct(")")?;
            self.leave();
            let want = match func {
                Func::Count => 0..=1,
                Func::Distance => 3..=3,
                Func::Geolocation => 2..=2,
                _ => 1..=1,
            };
            if !want.contains(&args.len()) {
                return Err(SoqlError::at(
                    ErrorKind::Malformed,
                    t.start,
                    format!("wrong number of arguments to {}: {}", func.name(), args.len()),
                ));
            }
            return Ok(Expr::Call { func, args, offset: t.start });
        }
        if is_reserved(name) {
            return Err(self.unexpected());
        }
        let (path, offset) = self.path()?;
        Ok(Expr::Field { path, offset })
    }

    fn arg(&mut self) -> Result<Expr, SoqlError> {
        match &self.peek().tok {
            Tok::Ident(_) => self.expr(),
            Tok::Num(_) | Tok::Str(_) => {
                let lit = match self.value()? {
                    Operand::Literal(l) => l,
                    Operand::Bind(_) => return Err(self.unexpected()),
                };
                Ok(Expr::Literal(lit))
            }
            _ => Err(self.unexpected()),
        }
    }

    // ---- conditions ----

    /// `a AND b AND c` or `a OR b OR c`: SOQL refuses AND and OR mixed without parentheses.
    fn condition(&mut self) -> Result<Cond, SoqlError> {
        self.enter()?;
        let first = self.unary()?;
        let mut items = vec![first];
        let mut op: Option<bool> = None; // Some(true) = AND
        loop {
            let is_and = self.is_kw("AND");
            let is_or = self.is_kw("OR");
            if !is_and && !is_or {
                break;
            }
            if op.is_some_and(|a| a != is_and) {
                return Err(self.unexpected());
            }
            op = Some(is_and);
            self.bump();
            items.push(self.unary()?);
        }
        self.leave();
        Ok(match op {
            None => items.pop().unwrap_or(Cond::And(Vec::new())),
            Some(true) => Cond::And(items),
            Some(false) => Cond::Or(items),
        })
    }

    fn unary(&mut self) -> Result<Cond, SoqlError> {
        if self.is_kw("NOT") {
            self.enter()?;
            self.bump();
            let inner = self.unary()?;
            self.leave();
            return Ok(Cond::Not(Box::new(inner)));
        }
        if self.is_punct("(") {
            self.bump();
            let c = self.condition()?;
            self.expect_punct(")")?;
            return Ok(c);
        }
        self.simple()
    }

    fn simple(&mut self) -> Result<Cond, SoqlError> {
        let left = self.expr()?;
        let t = self.peek().clone();
        let op = match &t.tok {
            Tok::Punct("=") => CmpOp::Eq,
            Tok::Punct("!=") | Tok::Punct("<>") => CmpOp::Ne,
            Tok::Punct("<") => CmpOp::Lt,
            Tok::Punct("<=") => CmpOp::Le,
            Tok::Punct(">") => CmpOp::Gt,
            Tok::Punct(">=") => CmpOp::Ge,
            Tok::Ident(w) if w.eq_ignore_ascii_case("LIKE") => CmpOp::Like,
            Tok::Ident(w) if w.eq_ignore_ascii_case("IN") => {
                self.bump();
                let right = self.in_rhs()?;
                return Ok(Cond::In { left, negated: false, right });
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("NOT") && self.is_kw_at(1, "IN") => {
                self.bump();
                self.bump();
                let right = self.in_rhs()?;
                return Ok(Cond::In { left, negated: true, right });
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("INCLUDES") || w.eq_ignore_ascii_case("EXCLUDES") => {
                let excludes = w.eq_ignore_ascii_case("EXCLUDES");
                self.bump();
                self.expect_punct("(")?;
                let values = self.value_list()?;
                self.expect_punct(")")?;
                return Ok(Cond::Includes { left, excludes, values });
            }
            _ => return Err(self.unexpected()),
        };
        self.bump();
        let right = self.value()?;
        Ok(Cond::Compare { left, op, right })
    }

    fn in_rhs(&mut self) -> Result<InRhs, SoqlError> {
        let t = self.peek().clone();
        if let Tok::Bind(text) = &t.tok {
            let text = text.clone();
            self.bump();
            return Ok(InRhs::Bind(self.bind(text, t.start)));
        }
        self.expect_punct("(")?;
        if self.is_kw("SELECT") {
            let q = self.query()?;
            self.expect_punct(")")?;
            return Ok(InRhs::SubQuery(Box::new(q)));
        }
        let values = self.value_list()?;
        self.expect_punct(")")?;
        Ok(InRhs::List(values))
    }

    fn value_list(&mut self) -> Result<Vec<Operand>, SoqlError> {
        let mut out = Vec::new();
        loop {
            out.push(self.value()?);
            if !self.eat_punct(",") {
                return Ok(out);
            }
        }
    }

    fn value(&mut self) -> Result<Operand, SoqlError> {
        let t = self.peek().clone();
        let lit = match &t.tok {
            Tok::Str(s) => Literal::String(s.clone()),
            Tok::Num(n) => number(n).ok_or_else(|| self.unexpected())?,
            Tok::Date(d) => Literal::Date(*d),
            Tok::Datetime(d) => Literal::Datetime(*d),
            Tok::Bind(text) => {
                let text = text.clone();
                self.bump();
                return Ok(Operand::Bind(self.bind(text, t.start)));
            }
            Tok::Ident(w) => {
                let upper = w.to_ascii_uppercase();
                match upper.as_str() {
                    "NULL" => Literal::Null,
                    "TRUE" => Literal::Boolean(true),
                    "FALSE" => Literal::Boolean(false),
                    _ if is_currency_literal(w) => number(&w[3..]).ok_or_else(|| self.unexpected())?,
                    _ => {
                        let Some((unit, span)) = date_literal(&upper) else {
                            return Err(self.unexpected());
                        };
                        self.bump();
                        let span = match span {
                            Ok(span) => span,
                            Err(make) => {
                                // `LAST_N_DAYS:n`: the colon and the number follow.
                                if let Tok::Bind(text) = &self.peek().tok {
                                    let text = text.clone();
                                    let at = self.peek().start;
                                    return Err(SoqlError::malformed_at(
                                        self.src,
                                        at,
                                        format!("unexpected token: '{text}'"),
                                    ));
                                }
                                if matches!(self.peek().tok, Tok::Error(_)) {
                                    return Err(self.unexpected());
                                }
                                if !matches!(self.peek().tok, Tok::Colon) {
                                    let at = self.peek().clone();
                                    return Err(SoqlError::malformed_at(
                                        self.src,
                                        at.start,
                                        format!("expecting a colon, found '{}'", at.describe(self.src)),
                                    ));
                                }
                                self.bump();
                                let n = match &self.peek().tok {
                                    Tok::Num(n) => n.parse::<u32>().ok(),
                                    _ => None,
                                };
                                let Some(n) = n else { return Err(self.unexpected()) };
                                self.bump();
                                make(n)
                            }
                        };
                        let dl = DateLiteral { unit, span };
                        return Ok(Operand::Literal(Literal::DateRange(dl)));
                    }
                }
            }
            _ => return Err(self.unexpected()),
        };
        self.bump();
        Ok(Operand::Literal(lit))
    }
}

fn is_reserved(w: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(w))
}

fn number(n: &str) -> Option<Literal> {
    if !n.contains('.') {
        if let Ok(i) = n.parse::<i64>() {
            return Some(Literal::Integer(i));
        }
    }
    Decimal::from_str(n).ok().map(Literal::Decimal)
}

/// A date literal's span, or the constructor of one that takes `:n`.
type SpanOrN = Result<DateSpan, fn(u32) -> DateSpan>;

/// The date literal named `upper`: its unit and its span, or the span's constructor when the
/// literal takes `:n` (`LAST_N_DAYS:n`).
fn date_literal(upper: &str) -> Option<(DateUnit, SpanOrN)> {
    match upper {
        "YESTERDAY" => return Some((DateUnit::Day, Ok(DateSpan::Last))),
        "TODAY" => return Some((DateUnit::Day, Ok(DateSpan::This))),
        "TOMORROW" => return Some((DateUnit::Day, Ok(DateSpan::Next))),
        "LAST_90_DAYS" => return Some((DateUnit::Day, Ok(DateSpan::LastN(90)))),
        "NEXT_90_DAYS" => return Some((DateUnit::Day, Ok(DateSpan::NextN(90)))),
        _ => {}
    }
    const UNITS: &[(&str, DateUnit)] = &[
        ("DAY", DateUnit::Day),
        ("WEEK", DateUnit::Week),
        ("MONTH", DateUnit::Month),
        ("QUARTER", DateUnit::Quarter),
        ("YEAR", DateUnit::Year),
        ("FISCAL_QUARTER", DateUnit::FiscalQuarter),
        ("FISCAL_YEAR", DateUnit::FiscalYear),
    ];
    for (name, unit) in UNITS {
        if *unit != DateUnit::Day {
            for (prefix, span) in [("THIS_", DateSpan::This), ("LAST_", DateSpan::Last), ("NEXT_", DateSpan::Next)] {
                if upper.strip_prefix(prefix) == Some(name) {
                    return Some((*unit, Ok(span)));
                }
            }
        }
        let plural = format!("{name}S");
        if upper.strip_prefix("LAST_N_") == Some(plural.as_str()) {
            return Some((*unit, Err(DateSpan::LastN)));
        }
        if upper.strip_prefix("NEXT_N_") == Some(plural.as_str()) {
            return Some((*unit, Err(DateSpan::NextN)));
        }
        if upper.strip_prefix("N_").and_then(|r| r.strip_suffix("_AGO")) == Some(plural.as_str()) {
            return Some((*unit, Err(DateSpan::Ago)));
        }
    }
    None
}
