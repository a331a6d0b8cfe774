//! Errors of the SOQL engine. The message is the platform's text where the platform has one
//! (a `System.QueryException` carries it as its message); `kind` tells the interpreter what to do
//! with it: throw a `QueryException` for everything but [`ErrorKind::Unsupported`], which is this
//! engine's own gap (the test is then a Skip with the reason, never a Fail).

use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not SOQL (`unexpected token: 'X'`): MALFORMED_QUERY.
    Malformed,
    /// A field that does not exist, or is used where it cannot be: INVALID_FIELD.
    InvalidField,
    /// An object that does not exist: INVALID_TYPE.
    InvalidType,
    /// A relationship that does not exist.
    InvalidRelationship,
    /// A value of the wrong type for its field (literal or bind).
    InvalidValue,
    /// A rule of the language broken (aggregates, semi-joins, LIMIT/OFFSET ranges).
    Invalid,
    /// Valid SOQL that this engine does not execute (ROLLUP, TYPEOF, DATA CATEGORY, ...).
    Unsupported,
}

/// An error parsing or executing a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoqlError {
    /// What kind of error.
    pub kind: ErrorKind,
    /// The message, as `System.QueryException.getMessage()` gives it.
    pub message: String,
    /// Byte offset in the query text, when one place is to blame.
    pub offset: Option<usize>,
}

impl SoqlError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> SoqlError {
        SoqlError { kind, message: message.into(), offset: None }
    }

    /// A syntax error at `offset` in `src`: the message gets the platform's `line L:C ` prefix
    /// only for lexical errors (`no viable alternative`, `mismatched character`), as the
    /// platform's ANTLR lexer reports them.
    pub(crate) fn malformed_at(src: &str, offset: usize, message: String) -> SoqlError {
        let lexical = message.starts_with("no viable") || message.starts_with("mismatched");
        let message = if lexical {
            let (line, col) = line_col(src, offset);
            format!("line {line}:{col} {message}")
        } else {
            message
        };
        SoqlError { kind: ErrorKind::Malformed, message, offset: Some(offset) }
    }

    /// An error of `kind` pointing at `offset`.
    pub(crate) fn at(kind: ErrorKind, offset: usize, message: impl Into<String>) -> SoqlError {
        SoqlError { kind, message: message.into(), offset: Some(offset) }
    }

    /// Whether this is the engine's gap rather than an error the platform raises.
    pub fn is_unsupported(&self) -> bool {
        self.kind == ErrorKind::Unsupported
    }

    /// `No such column 'X' on entity 'Y'. ...`, the platform's INVALID_FIELD text.
    pub(crate) fn no_such_column(offset: usize, field: &str, object: &str) -> SoqlError {
        SoqlError::at(
            ErrorKind::InvalidField,
            offset,
            format!(
                "No such column '{field}' on entity '{object}'. If you are attempting to use a custom field, be sure to \
                 append the '__c' after the custom field name. Please reference your WSDL or the describe call for \
                 the appropriate names."
            ),
        )
    }

    /// `sObject type 'X' is not supported. ...`, the platform's INVALID_TYPE text.
    pub(crate) fn no_such_object(offset: usize, object: &str) -> SoqlError {
        SoqlError::at(
            ErrorKind::InvalidType,
            offset,
            format!(
                "sObject type '{object}' is not supported. If you are attempting to use a custom object, be sure to \
                 append the '__c' after the entity name. Please reference your WSDL or the describe call for the \
                 appropriate names."
            ),
        )
    }

    /// `Didn't understand relationship 'X' in field path. ...`.
    pub(crate) fn no_such_relationship(offset: usize, rel: &str, in_from: bool) -> SoqlError {
        let place = if in_from { "FROM part of query call" } else { "field path" };
        SoqlError::at(
            ErrorKind::InvalidRelationship,
            offset,
            format!(
                "Didn't understand relationship '{rel}' in {place}. If you are attempting to use a custom \
                 relationship, be sure to append the '__r' after the custom relationship name. Please reference your \
                 WSDL or the describe call for the appropriate names."
            ),
        )
    }

    /// An engine gap.
    pub(crate) fn unsupported(offset: Option<usize>, what: &str) -> SoqlError {
        SoqlError {
            kind: ErrorKind::Unsupported,
            message: format!("not supported by sfgen's offline SOQL engine: {what}"),
            offset,
        }
    }
}

/// 1-based line, 0-based column of `offset` (in characters), as ANTLR counts them.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = src.get(..offset.min(src.len())).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
    (line, col)
}

impl fmt::Display for SoqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SoqlError {}
