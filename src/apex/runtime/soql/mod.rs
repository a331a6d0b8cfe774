//! SOQL for the offline Apex runtime: a hand-written parser and an in-memory executor.
//!
//! (The full description of what is supported lands with the executor.)

mod ast;
mod error;
mod lexer;
mod parser;
mod value;

pub use ast::*;
pub use error::{ErrorKind, SoqlError};
pub use parser::{parse, parse_inline, MAX_DEPTH};
pub use value::{local_midnight, Date, Datetime, FixedZone, Time, Value, Zone};

#[cfg(test)]
mod parse_tests;
