//! SOQL for the offline Apex runtime: a hand-written parser and an in-memory executor,
//! independent of the interpreter's value type.
//!
//! # Interface
//!
//! ```ignore
//! let query = soql::parse_inline(text_between_brackets)?;    // Database.query: soql::parse(text)
//! // Evaluate each bind's Apex expression in order (query.binds[i].text: "acc.Id",
//! // "Datetime.now()", ...) and convert it: an SObject (or a list of them) passes its Id.
//! let binds: Vec<soql::Value> = query.binds.iter().map(|b| eval_apex(&b.text)).collect();
//! let ctx = soql::ExecContext { user_id: Some(user.id.clone()), ..soql::ExecContext::new(now, &user_zone) };
//! let result = soql::execute(&query, &org /* impl soql::DataSource */, &binds, &ctx)?;
//! limits.query_rows += result.query_rows;  // "Too many query rows: 50001" is the interpreter's
//! match result.data {
//!     soql::QueryData::Records(rows) => { /* Row: object, id, fields, parents, children */ }
//!     soql::QueryData::Count(n) => { /* SELECT COUNT(): an Integer */ }
//!     soql::QueryData::Aggregates(rows) => { /* AggregateResult: get("expr0") */ }
//! }
//! ```
//! A [`SoqlError`] is a `System.QueryException` with its message, except
//! [`SoqlError::is_unsupported`] ones: those are this engine's gaps (the test is a Skip).
//!
//! # Supported
//!
//! - SELECT: fields, parent paths of any depth (`Account.Owner.Name`; the object's name or the
//!   FROM alias may prefix a path), polymorphic lookups (`What.Name`, `What.Type`), child
//!   subqueries (`(SELECT .. FROM Contacts WHERE .. ORDER BY .. LIMIT ..)`, `Account.Contacts`),
//!   `TYPEOF` with plain fields, `FIELDS(STANDARD)` (and `ALL`/`CUSTOM` with LIMIT 200 at most),
//!   `toLabel()` (through [`DataSource::picklist_label`]), `convertCurrency()` (the stored value:
//!   a single-currency org). Duplicate fields are refused ("duplicate field selected").
//! - WHERE: AND / OR / NOT (AND and OR mixed without parentheses refused, as the platform does),
//!   `= != <> < <= > >=`, LIKE, IN / NOT IN over lists, binds and semi-/anti-join subqueries,
//!   INCLUDES / EXCLUDES, date functions, `field = :collection` (Apex reads it as IN).
//! - Values: strings with SOQL's escapes, numbers, currency-prefixed numbers (`USD5000`),
//!   booleans, null, dates, datetimes with a zone, every documented date literal (TODAY ..
//!   N_FISCAL_YEARS_AGO:n), binds.
//! - COUNT(), aggregates (COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX) with aliases and the
//!   platform's `expr0`, `expr1`.. names, GROUP BY (fields, parent fields, date functions),
//!   HAVING, ORDER BY on aggregates; date functions (CALENDAR_*, DAY_*, FISCAL_*, HOUR_IN_DAY,
//!   WEEK_IN_*, DAY_ONLY) with `convertTimezone()`.
//! - ORDER BY (ASC/DESC, NULLS FIRST/LAST), LIMIT, OFFSET (at most 2000), literal or bound;
//!   ALL ROWS; USING SCOPE Everything and Mine; WITH SECURITY_ENFORCED / USER_MODE /
//!   SYSTEM_MODE, FOR VIEW / REFERENCE / UPDATE, UPDATE TRACKING / VIEWSTAT are accepted and
//!   have no effect here (no sharing or field security is modelled: [`Query::access_mode`] tells
//!   an interpreter that does).
//!
//! # Parsed, not executed (an [`ErrorKind::Unsupported`] error at run time)
//!
//! GROUP BY ROLLUP / CUBE and GROUPING(), FORMAT(), DISTANCE() / GEOLOCATION(), WITH DATA
//! CATEGORY, USING SCOPE other than Everything / Mine, child subqueries nested in child
//! subqueries, relationship paths through a polymorphic lookup or inside TYPEOF.
//!
//! # The platform's rules this engine follows (SOQL and SOSL Reference unless said)
//!
//! - Names and keywords are case-insensitive; results use the describe's spelling.
//! - "Comparison Operators": text compares case-insensitively; `=` with null matches empty
//!   fields; `!=` and NOT IN are the negations of `=` and IN, so an empty field is `!=` any value;
//!   `<`, `>` and LIKE never match an empty field. Salesforce stores an empty text as null, so
//!   `= ''` is `= null`. Ids compare by their case-sensitive 15 characters (15 and 18 match).
//!   LIKE: `%` any run, `_` one character, `\%` and `\_` literal, case-insensitive, text fields only.
//!   INCLUDES: a value `'a;b'` matches records having both; EXCLUDES is its negation.
//! - "Date Formats and Date Literals in WHERE": a literal is a range of the running user's
//!   local days ([`ExecContext::zone`], [`ExecContext::week_start`], the fiscal year start);
//!   `=` is inside, `<` before its start, `<=` before its end, `>` at or after its end, `>=` at
//!   or after its start; a Date field compares dates, a Datetime field the instants of local
//!   midnight. A datetime literal filters datetime fields only, a date literal date fields only.
//!   LAST_N_DAYS:n (and LAST_90_DAYS) include today; NEXT_N_DAYS:n (and NEXT_90_DAYS) start
//!   tomorrow; LAST_N_x:n / NEXT_N_x:n for longer units are whole units before / after the
//!   current one.
//! - "ORDER BY": ascending by default; sorting is case-insensitive (by upper-case UTF-8 value);
//!   nulls sort as the smallest value, so first ascending and last descending unless NULLS
//!   FIRST/LAST says; ties keep the org's record order. Multi-select picklists can't be sorted.
//! - "COUNT() and COUNT(fieldName)": COUNT() alone in the SELECT list, not with ORDER BY,
//!   allowed with LIMIT; COUNT(field) skips nulls. "Aggregate Functions": no GROUP BY gives one
//!   row even with no records; LIMIT needs GROUP BY; every non-aggregated field must be grouped.
//!   "Using Aliases with GROUP BY": unaliased aggregates are `expr0`, `expr1`, ... in order.
//! - "Comparison Operators" (semi-joins): the left side is an Id or reference field, the
//!   subquery selects one Id or reference field, no ORDER BY / LIMIT in it, no nesting, not
//!   under OR or NOT, two per WHERE at most.
//! - "OFFSET": at most 2000. "Date Functions": UTC unless wrapped in `convertTimezone()`.
//! - Query rows (Apex Developer Guide, "Working with SOQL Aggregate Functions"): records and
//!   child records returned; an aggregate query counts the rows it aggregates, except that one
//!   whose only aggregates are COUNT counts one row (one per group with GROUP BY).
//!
//! Robustness: the lexer is linear; nesting of conditions, functions and subqueries is bounded
//! by [`MAX_DEPTH`] (an error, never a stack overflow); IN lists and semi-joins are hashed;
//! child subqueries run in one pass over the child records; LIKE matching is O(n·m) at worst.

mod ast;
mod dates;
mod error;
mod exec;
mod lexer;
mod parser;
mod source;
mod value;

pub use ast::*;
pub use error::{ErrorKind, SoqlError};
pub use exec::{execute, MAX_OFFSET};
pub use parser::{parse, parse_inline, MAX_DEPTH};
pub use source::{
    AggregateRow, ChildRelationship, DataSource, ExecContext, FieldDescribe, FieldType, ObjectDescribe, QueryData,
    QueryResult, Row, GMT,
};
pub use value::{local_midnight, Date, Datetime, FixedZone, Time, Value, Zone};

#[cfg(test)]
mod exec_tests;
#[cfg(test)]
mod parse_tests;
