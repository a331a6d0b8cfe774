//! The parsed form of a SOQL statement. Names are kept as written (SOQL is case-insensitive;
//! the executor resolves them against the data source's describe). Every node that an error can
//! point at carries the byte offset where it starts in the query text.

use super::value::{Date, Datetime};
use rust_decimal::Decimal;

/// A parsed SOQL statement (or a subquery of one).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The SELECT list.
    pub select: Vec<SelectItem>,
    /// The FROM clause.
    pub from: From,
    /// `USING SCOPE name` (the name as written).
    pub using_scope: Option<String>,
    /// The WHERE condition.
    pub where_: Option<Cond>,
    /// The WITH clauses (`SECURITY_ENFORCED`, `USER_MODE`, `SYSTEM_MODE`, `DATA CATEGORY ...`).
    pub with: Vec<With>,
    /// GROUP BY.
    pub group_by: Option<GroupBy>,
    /// HAVING.
    pub having: Option<Cond>,
    /// ORDER BY items.
    pub order_by: Vec<OrderItem>,
    /// LIMIT.
    pub limit: Option<Count>,
    /// OFFSET.
    pub offset: Option<Count>,
    /// `FOR VIEW`, `FOR REFERENCE`, `FOR UPDATE`.
    pub for_: Vec<ForKind>,
    /// `UPDATE TRACKING` / `UPDATE VIEWSTAT` (parsed, no effect).
    pub update: Vec<String>,
    /// `ALL ROWS`.
    pub all_rows: bool,
    /// Every bind of the whole statement (subqueries included), in textual order: `Bind(i)` is
    /// `binds[i]`. Empty in subqueries: they share the top-level numbering.
    pub binds: Vec<BindInfo>,
}

/// One bind expression (`:name`, `:acc.Id`, `:Datetime.now()`, `:(a + b)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindInfo {
    /// The Apex expression after the colon, trimmed (`acc.Id`).
    pub text: String,
    /// Byte offset of the colon in the query text.
    pub offset: usize,
}

/// The object (or, in a child subquery, the relationship) a query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct From {
    /// The name as written (`Account`, `Contacts`, `Account.Contacts`).
    pub name: String,
    /// `FROM Contact c`.
    pub alias: Option<String>,
    /// Byte offset of the name.
    pub offset: usize,
}

/// One item of the SELECT list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// A field, a field function or an aggregate, with its alias.
    Expr {
        /// The expression.
        expr: Expr,
        /// The alias (`SUM(Amount) total`).
        alias: Option<String>,
    },
    /// `(SELECT ... FROM ChildRelationship ...)`.
    SubQuery(Box<Query>),
    /// `TYPEOF What WHEN Account THEN ... ELSE ... END`.
    TypeOf(TypeOf),
    /// `FIELDS(ALL)`, `FIELDS(STANDARD)`, `FIELDS(CUSTOM)`.
    Fields(FieldsKind, usize),
}

/// The argument of `FIELDS()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldsKind {
    /// Every field.
    All,
    /// Standard fields.
    Standard,
    /// Custom fields (`__c`).
    Custom,
}

/// `TYPEOF relationship WHEN Type THEN fields ... [ELSE fields] END`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeOf {
    /// The polymorphic relationship (`What`, `Owner`).
    pub relationship: String,
    /// `WHEN object THEN field, field`.
    pub whens: Vec<(String, Vec<Vec<String>>)>,
    /// `ELSE field, field`.
    pub else_: Vec<Vec<String>>,
    /// Byte offset of `TYPEOF`.
    pub offset: usize,
}

/// A value expression: a field path or a function call over one.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `Name`, `Account.Owner.Name` (segments as written).
    Field {
        /// The path's segments.
        path: Vec<String>,
        /// Byte offset of the first segment.
        offset: usize,
    },
    /// `COUNT()`, `SUM(Amount)`, `toLabel(Status)`, `CALENDAR_YEAR(CreatedDate)`, ...
    Call {
        /// The function.
        func: Func,
        /// Its arguments (none for `COUNT()`).
        args: Vec<Expr>,
        /// Byte offset of the function name.
        offset: usize,
    },
    /// A literal argument (`DISTANCE(..., 'mi')`, `GEOLOCATION(37.1, -122.2)`).
    Literal(Literal),
}

impl Expr {
    /// Byte offset where the expression starts (0 for a literal).
    pub fn offset(&self) -> usize {
        match self {
            Expr::Field { offset, .. } | Expr::Call { offset, .. } => *offset,
            Expr::Literal(_) => 0,
        }
    }

    /// Whether the expression is or contains an aggregate function.
    pub fn has_aggregate(&self) -> bool {
        match self {
            Expr::Call { func, args, .. } => func.is_aggregate() || args.iter().any(Expr::has_aggregate),
            _ => false,
        }
    }
}

/// The functions SOQL knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `COUNT()` / `COUNT(field)`.
    Count,
    /// `COUNT_DISTINCT(field)`.
    CountDistinct,
    /// `SUM(field)`.
    Sum,
    /// `AVG(field)`.
    Avg,
    /// `MIN(field)`.
    Min,
    /// `MAX(field)`.
    Max,
    /// `GROUPING(field)` (with ROLLUP/CUBE).
    Grouping,
    /// `toLabel(field)`.
    ToLabel,
    /// `FORMAT(field)`.
    Format,
    /// `convertCurrency(field)`.
    ConvertCurrency,
    /// `convertTimezone(field)`.
    ConvertTimezone,
    /// A date function.
    Date(DateFn),
    /// `DISTANCE(field, GEOLOCATION(..), 'mi')`.
    Distance,
    /// `GEOLOCATION(lat, long)`.
    Geolocation,
}

impl Func {
    /// The function named `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Func> {
        let upper = name.to_ascii_uppercase();
        Some(match upper.as_str() {
            "COUNT" => Func::Count,
            "COUNT_DISTINCT" => Func::CountDistinct,
            "SUM" => Func::Sum,
            "AVG" => Func::Avg,
            "MIN" => Func::Min,
            "MAX" => Func::Max,
            "GROUPING" => Func::Grouping,
            "TOLABEL" => Func::ToLabel,
            "FORMAT" => Func::Format,
            "CONVERTCURRENCY" => Func::ConvertCurrency,
            "CONVERTTIMEZONE" => Func::ConvertTimezone,
            "DISTANCE" => Func::Distance,
            "GEOLOCATION" => Func::Geolocation,
            _ => Func::Date(DateFn::from_name(&upper)?),
        })
    }

    /// Whether this is an aggregate function.
    pub fn is_aggregate(self) -> bool {
        matches!(
            self,
            Func::Count | Func::CountDistinct | Func::Sum | Func::Avg | Func::Min | Func::Max | Func::Grouping
        )
    }

    /// The name as the platform spells it.
    pub fn name(self) -> &'static str {
        match self {
            Func::Count => "COUNT",
            Func::CountDistinct => "COUNT_DISTINCT",
            Func::Sum => "SUM",
            Func::Avg => "AVG",
            Func::Min => "MIN",
            Func::Max => "MAX",
            Func::Grouping => "GROUPING",
            Func::ToLabel => "toLabel",
            Func::Format => "FORMAT",
            Func::ConvertCurrency => "convertCurrency",
            Func::ConvertTimezone => "convertTimezone",
            Func::Date(d) => d.name(),
            Func::Distance => "DISTANCE",
            Func::Geolocation => "GEOLOCATION",
        }
    }
}

/// The date functions (SOQL and SOSL Reference, "Date Functions").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFn {
    /// 1-12.
    CalendarMonth,
    /// 1-4.
    CalendarQuarter,
    /// The year.
    CalendarYear,
    /// 1-31.
    DayInMonth,
    /// 1 (Sunday) - 7 (Saturday).
    DayInWeek,
    /// 1-366.
    DayInYear,
    /// The date part of a datetime.
    DayOnly,
    /// 1-12 from the fiscal year's start.
    FiscalMonth,
    /// 1-4.
    FiscalQuarter,
    /// The fiscal year.
    FiscalYear,
    /// 0-23.
    HourInDay,
    /// 1-5 (days 1-7 are week 1).
    WeekInMonth,
    /// 1-53 (January 1-7 are week 1).
    WeekInYear,
}

impl DateFn {
    fn from_name(upper: &str) -> Option<DateFn> {
        Some(match upper {
            "CALENDAR_MONTH" => DateFn::CalendarMonth,
            "CALENDAR_QUARTER" => DateFn::CalendarQuarter,
            "CALENDAR_YEAR" => DateFn::CalendarYear,
            "DAY_IN_MONTH" => DateFn::DayInMonth,
            "DAY_IN_WEEK" => DateFn::DayInWeek,
            "DAY_IN_YEAR" => DateFn::DayInYear,
            "DAY_ONLY" => DateFn::DayOnly,
            "FISCAL_MONTH" => DateFn::FiscalMonth,
            "FISCAL_QUARTER" => DateFn::FiscalQuarter,
            "FISCAL_YEAR" => DateFn::FiscalYear,
            "HOUR_IN_DAY" => DateFn::HourInDay,
            "WEEK_IN_MONTH" => DateFn::WeekInMonth,
            "WEEK_IN_YEAR" => DateFn::WeekInYear,
            _ => return None,
        })
    }

    /// The name as the platform spells it.
    pub fn name(self) -> &'static str {
        match self {
            DateFn::CalendarMonth => "CALENDAR_MONTH",
            DateFn::CalendarQuarter => "CALENDAR_QUARTER",
            DateFn::CalendarYear => "CALENDAR_YEAR",
            DateFn::DayInMonth => "DAY_IN_MONTH",
            DateFn::DayInWeek => "DAY_IN_WEEK",
            DateFn::DayInYear => "DAY_IN_YEAR",
            DateFn::DayOnly => "DAY_ONLY",
            DateFn::FiscalMonth => "FISCAL_MONTH",
            DateFn::FiscalQuarter => "FISCAL_QUARTER",
            DateFn::FiscalYear => "FISCAL_YEAR",
            DateFn::HourInDay => "HOUR_IN_DAY",
            DateFn::WeekInMonth => "WEEK_IN_MONTH",
            DateFn::WeekInYear => "WEEK_IN_YEAR",
        }
    }
}

/// A WHERE or HAVING condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// `a AND b AND c`.
    And(Vec<Cond>),
    /// `a OR b OR c`.
    Or(Vec<Cond>),
    /// `NOT a`.
    Not(Box<Cond>),
    /// `field op value`.
    Compare {
        /// The field or function.
        left: Expr,
        /// The operator.
        op: CmpOp,
        /// The value.
        right: Operand,
    },
    /// `field [NOT] IN (values | :bind | subquery)`.
    In {
        /// The field.
        left: Expr,
        /// `NOT IN`.
        negated: bool,
        /// What it is compared with.
        right: InRhs,
    },
    /// `field INCLUDES (...)` / `EXCLUDES (...)` on a multi-select picklist.
    Includes {
        /// The field.
        left: Expr,
        /// `EXCLUDES`.
        excludes: bool,
        /// The values (each a value or `'a;b'` meaning both).
        values: Vec<Operand>,
    },
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`.
    Eq,
    /// `!=` or `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `LIKE`.
    Like,
}

/// The right side of `IN`.
#[derive(Debug, Clone, PartialEq)]
pub enum InRhs {
    /// `('a', 'b')`.
    List(Vec<Operand>),
    /// `:ids`.
    Bind(usize),
    /// A semi-join (`IN`) or anti-join (`NOT IN`) subquery.
    SubQuery(Box<Query>),
}

/// A value on the right of an operator.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal.
    Literal(Literal),
    /// `:expr`: the value the interpreter passes at this index.
    Bind(usize),
}

/// Literals.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `TRUE` / `FALSE`.
    Boolean(bool),
    /// An integer (`42`, `-7`).
    Integer(i64),
    /// A number with a fraction or exponent (`3.14`), or an integer too large for a Long.
    Decimal(Decimal),
    /// `'text'` (escapes resolved; `\%` and `\_` kept for LIKE).
    String(String),
    /// `2024-01-31`.
    Date(Date),
    /// `2024-01-31T10:00:00Z`.
    Datetime(Datetime),
    /// `TODAY`, `LAST_N_DAYS:30`, ...
    DateRange(DateLiteral),
}

/// A relative date literal: its unit and where it lies relative to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateLiteral {
    /// The unit.
    pub unit: DateUnit,
    /// What range.
    pub span: DateSpan,
}

/// Units of the date literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    /// Days.
    Day,
    /// Weeks (starting on the locale's first day of the week).
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
    /// Fiscal quarters.
    FiscalQuarter,
    /// Fiscal years.
    FiscalYear,
}

/// The shape of a date literal's range, relative to the current unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSpan {
    /// THIS_x / TODAY.
    This,
    /// LAST_x / YESTERDAY.
    Last,
    /// NEXT_x / TOMORROW.
    Next,
    /// LAST_N_x:n (LAST_90_DAYS is LAST_N_DAYS:90).
    LastN(u32),
    /// NEXT_N_x:n.
    NextN(u32),
    /// N_x_AGO:n.
    Ago(u32),
}

/// The value of LIMIT or OFFSET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// A literal.
    Literal(u64),
    /// A bind.
    Bind(usize),
}

/// WITH clauses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum With {
    /// `WITH SECURITY_ENFORCED`.
    SecurityEnforced,
    /// `WITH USER_MODE`.
    UserMode,
    /// `WITH SYSTEM_MODE`.
    SystemMode,
    /// `WITH DATA CATEGORY ...` (kept as text; not executed).
    DataCategory(String),
}

/// GROUP BY.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBy {
    /// Plain, ROLLUP or CUBE.
    pub kind: GroupKind,
    /// The grouped expressions.
    pub exprs: Vec<Expr>,
}

/// GROUP BY flavours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// `GROUP BY a, b`.
    Plain,
    /// `GROUP BY ROLLUP(a, b)` (parsed, not executed).
    Rollup,
    /// `GROUP BY CUBE(a, b)` (parsed, not executed).
    Cube,
}

/// One ORDER BY item.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    /// The field, function or aggregate.
    pub expr: Expr,
    /// `DESC`.
    pub desc: bool,
    /// `NULLS FIRST` (`Some(false)`) or `NULLS LAST` (`Some(true)`); `None` for the default.
    pub nulls_last: Option<bool>,
}

/// `FOR ...` clauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForKind {
    /// `FOR VIEW`.
    View,
    /// `FOR REFERENCE`.
    Reference,
    /// `FOR UPDATE`.
    Update,
}

/// How the query asks to be run (WITH USER_MODE, ...), for an interpreter that models access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessMode {
    /// No WITH clause: Apex's default (system mode for SOQL).
    Default,
    /// `WITH SECURITY_ENFORCED`.
    SecurityEnforced,
    /// `WITH USER_MODE`.
    UserMode,
    /// `WITH SYSTEM_MODE`.
    SystemMode,
}

impl Query {
    /// The access mode its WITH clause asks for.
    pub fn access_mode(&self) -> AccessMode {
        for w in &self.with {
            match w {
                With::SecurityEnforced => return AccessMode::SecurityEnforced,
                With::UserMode => return AccessMode::UserMode,
                With::SystemMode => return AccessMode::SystemMode,
                With::DataCategory(_) => {}
            }
        }
        AccessMode::Default
    }

    /// Whether the statement is `SELECT COUNT() ...`, which Apex assigns to an Integer.
    pub fn is_count_query(&self) -> bool {
        matches!(self.select.as_slice(), [SelectItem::Expr { expr: Expr::Call { func: Func::Count, args, .. }, .. }] if args.is_empty())
    }

    /// Whether the statement returns `AggregateResult` rows (an aggregate function or GROUP BY,
    /// and not `COUNT()`).
    pub fn is_aggregate(&self) -> bool {
        !self.is_count_query()
            && (self.group_by.is_some()
                || self.select.iter().any(|s| matches!(s, SelectItem::Expr { expr, .. } if expr.has_aggregate())))
    }

    /// Whether the statement has `FOR UPDATE`.
    pub fn for_update(&self) -> bool {
        self.for_.contains(&ForKind::Update)
    }
}
