//! The SOQL lexer: identifiers, strings (with SOQL's escapes), numbers, date and datetime
//! literals, bind expressions (`:expr`, scanned as Apex source up to where the expression ends)
//! and punctuation. Linear in the input; never panics.

use super::error::SoqlError;
use super::value::{Date, Datetime, Time};

/// A token's kind and payload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An identifier or keyword (case kept).
    Ident(String),
    /// A string literal, escapes resolved (`\%` and `\_` kept as written, for LIKE).
    Str(String),
    /// A number as written (sign included).
    Num(String),
    /// `YYYY-MM-DD`.
    Date(Date),
    /// `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`.
    Datetime(Datetime),
    /// `:expr`: the expression's text, trimmed.
    Bind(String),
    /// `:` not starting a bind (as in `LAST_N_DAYS:5`).
    Colon,
    /// Punctuation: `( ) , . = != <> < <= > >=`.
    Punct(&'static str),
    /// A lexical error: the lexer stops there, and the parser reports it when it gets there (so a
    /// syntax error before it is reported first, as the platform's streaming lexer does).
    Error(Box<SoqlError>),
    /// The end of the text.
    Eof,
}

/// A token and where it starts and ends (byte offsets).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token as error messages quote it.
    pub fn describe(&self, src: &str) -> String {
        match &self.tok {
            Tok::Eof => "<EOF>".to_string(),
            _ => src.get(self.start..self.end).unwrap_or("").to_string(),
        }
    }
}

/// Splits `src` into tokens. `comments` allows `//` and `/* */` comments (inline SOQL is read by
/// the Apex lexer, which skips them; a `Database.query` string has none).
pub(crate) fn lex(src: &str, comments: bool) -> Vec<Token> {
    let mut out = Vec::new();
    if let Err(e) = lex_into(src, comments, &mut out) {
        let at = e.offset.unwrap_or(src.len());
        out.push(Token { tok: Tok::Error(Box::new(e)), start: at, end: at });
    }
    out.push(Token { tok: Tok::Eof, start: src.len(), end: src.len() });
    out
}

fn lex_into(src: &str, comments: bool, out: &mut Vec<Token>) -> Result<(), SoqlError> {
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if comments && c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if comments && c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            let Some(end) = src[i + 2..].find("*/") else {
                return Err(SoqlError::malformed_at(src, i, "unterminated comment".to_string()));
            };
            i = i + 2 + end + 2;
            continue;
        }
        let start = i;
        let tok = match c {
            b'\'' => {
                let (s, end) = string(src, i)?;
                i = end;
                Tok::Str(s)
            }
            b':' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                match bytes.get(j) {
                    Some(b) if b.is_ascii_alphabetic() || *b == b'_' || *b == b'(' || *b == b'-' || *b == b'!' => {
                        let end = bind_end(src, j)?;
                        let text = src[j..end].trim().to_string();
                        i = end;
                        Tok::Bind(text)
                    }
                    _ => {
                        i += 1;
                        Tok::Colon
                    }
                }
            }
            b'0'..=b'9' => {
                if let Some((tok, end)) = date_or_datetime(src, i)? {
                    i = end;
                    tok
                } else {
                    let end = number_end(bytes, i);
                    let t = Tok::Num(src[i..end].to_string());
                    i = end;
                    t
                }
            }
            b'-' | b'+' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let end = number_end(bytes, i + 1);
                let t = Tok::Num(src[i..end].to_string());
                i = end;
                t
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let mut j = i;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                // A currency literal with a fraction: USD5000.50.
                let word = &src[i..j];
                if is_currency_literal(word)
                    && bytes.get(j) == Some(&b'.')
                    && bytes.get(j + 1).is_some_and(u8::is_ascii_digit)
                {
                    j = number_end(bytes, j + 1);
                }
                let t = Tok::Ident(src[i..j].to_string());
                i = j;
                t
            }
            _ => {
                let two = src.get(i..i + 2).unwrap_or("");
                let p: &'static str = match two {
                    "!=" => "!=",
                    "<>" => "<>",
                    "<=" => "<=",
                    ">=" => ">=",
                    _ => match c {
                        b'(' => "(",
                        b')' => ")",
                        b',' => ",",
                        b'.' => ".",
                        b'=' => "=",
                        b'<' => "<",
                        b'>' => ">",
                        _ => {
                            let ch = src[i..].chars().next().unwrap_or('?');
                            return Err(SoqlError::malformed_at(
                                src,
                                i,
                                format!("no viable alternative at character '{ch}'"),
                            ));
                        }
                    },
                };
                i += p.len();
                Tok::Punct(p)
            }
        };
        out.push(Token { tok, start, end: i });
    }
    Ok(())
}

/// Whether `word` reads as an ISO currency code and an amount (`USD5000`).
pub(crate) fn is_currency_literal(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() > 3 && b[..3].iter().all(u8::is_ascii_alphabetic) && b[3..].iter().all(|c| c.is_ascii_digit() || *c == b'.')
}

fn number_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    i
}

/// A string literal starting at the quote at `i`: its value and the offset after the closing
/// quote. SOQL's escapes (SOQL and SOSL Reference, "Quoted String Escape Sequences"): `\n \r
/// \t \b \f \" \' \\`, and `\_` `\%` which stay escaped (they only mean something to LIKE).
fn string(src: &str, i: usize) -> Result<(String, usize), SoqlError> {
    let mut out = String::new();
    let mut chars = src[i + 1..].char_indices();
    while let Some((k, ch)) = chars.next() {
        match ch {
            '\'' => return Ok((out, i + 1 + k + 1)),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    'n' | 'N' => out.push('\n'),
                    'r' | 'R' => out.push('\r'),
                    't' | 'T' => out.push('\t'),
                    'b' | 'B' => out.push('\u{8}'),
                    'f' | 'F' => out.push('\u{c}'),
                    '"' => out.push('"'),
                    '\'' => out.push('\''),
                    '\\' => out.push_str("\\\\"),
                    '_' => out.push_str("\\_"),
                    '%' => out.push_str("\\%"),
                    other => {
                        return Err(SoqlError::malformed_at(
                            src,
                            i + 1 + k,
                            format!("Invalid string literal '\\{other}'. Illegal character sequence '\\{other}' in string literal."),
                        ))
                    }
                }
            }
            c => out.push(c),
        }
    }
    Err(SoqlError::malformed_at(src, src.len(), "mismatched character '<EOF>' expecting '''".to_string()))
}

/// Resolves the escapes LIKE keeps (`\\`, `\%`, `\_`) for a plain comparison.
pub(crate) fn unescape_like(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Where the Apex expression of a bind starting at `j` ends: a chain of names, calls, indexes
/// and initialisers (`acc.Id`, `m.get('a').Id`, `ids[0]`, `new Set<Id>{x}`, `Datetime.now()`),
/// or one parenthesised expression. Brackets are balanced, strings skipped.
fn bind_end(src: &str, j: usize) -> Result<usize, SoqlError> {
    let bytes = src.as_bytes();
    let mut i = j;
    if bytes[i] == b'(' {
        return balanced(src, i);
    }
    // Unary operators before the operand.
    while i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'!') {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
    }
    if i < bytes.len() && bytes[i] == b'(' {
        return balanced(src, i);
    }
    let mut expect_name = true;
    loop {
        if expect_name {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if i == start {
                return Err(SoqlError::malformed_at(src, i, "unexpected token: ':'".to_string()));
            }
            // `new Type<...>(...)` / `new Type{...}`: the type name may carry generics.
            if src[start..i].eq_ignore_ascii_case("new") {
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                let name_start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
                    i += 1;
                }
                if i == name_start {
                    return Err(SoqlError::malformed_at(src, i, "unexpected token: 'new'".to_string()));
                }
                if bytes.get(i) == Some(&b'<') {
                    i = balanced(src, i)?;
                }
            }
            expect_name = false;
            continue;
        }
        match bytes.get(i) {
            Some(b'.') => {
                i += 1;
                expect_name = true;
            }
            Some(b'?') if bytes.get(i + 1) == Some(&b'.') => {
                i += 2;
                expect_name = true;
            }
            Some(b'(') | Some(b'[') | Some(b'{') => i = balanced(src, i)?,
            _ => return Ok(i),
        }
    }
}

/// The offset after the bracket that closes the one at `i` (`(`, `[`, `{` or `<`).
fn balanced(src: &str, i: usize) -> Result<usize, SoqlError> {
    let bytes = src.as_bytes();
    let mut stack: Vec<u8> = Vec::new();
    let mut k = i;
    while k < bytes.len() {
        let c = bytes[k];
        match c {
            b'(' | b'[' | b'{' => stack.push(c),
            b'<' if bytes[i] == b'<' => stack.push(c),
            b')' | b']' | b'}' | b'>' => {
                let want = match c {
                    b')' => b'(',
                    b']' => b'[',
                    b'}' => b'{',
                    _ => b'<',
                };
                if c == b'>' && bytes[i] != b'<' {
                    k += 1;
                    continue;
                }
                if stack.pop() != Some(want) {
                    return Err(SoqlError::malformed_at(src, k, format!("unexpected token: '{}'", c as char)));
                }
                if stack.is_empty() {
                    return Ok(k + 1);
                }
            }
            b'\'' => {
                k += 1;
                while k < bytes.len() && bytes[k] != b'\'' {
                    if bytes[k] == b'\\' {
                        k += 1;
                    }
                    k += 1;
                }
            }
            _ => {}
        }
        k += 1;
    }
    Err(SoqlError::malformed_at(src, src.len(), "unexpected token: '<EOF>'".to_string()))
}

fn digits(bytes: &[u8], i: usize, n: usize) -> Option<u32> {
    let s = bytes.get(i..i + n)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v = 0u32;
    for d in s {
        v = v * 10 + u32::from(d - b'0');
    }
    Some(v)
}

/// A date (`2024-01-31`) or datetime (`2024-01-31T10:00:00Z`, `...+01:00`, `...-0800`) at `i`.
fn date_or_datetime(src: &str, i: usize) -> Result<Option<(Tok, usize)>, SoqlError> {
    let b = src.as_bytes();
    let (Some(y), Some(b'-'), Some(m), Some(b'-'), Some(d)) =
        (digits(b, i, 4), b.get(i + 4), digits(b, i + 5, 2), b.get(i + 7), digits(b, i + 8, 2))
    else {
        return Ok(None);
    };
    let bad = || SoqlError::malformed_at(src, i, format!("Invalid date: {}", &src[i..(i + 10).min(src.len())]));
    let date = Date::from_ymd(y as i32, m, d).ok_or_else(bad)?;
    let mut k = i + 10;
    if !matches!(b.get(k), Some(b'T') | Some(b't')) {
        return Ok(Some((Tok::Date(date), k)));
    }
    let bad_dt = |end: usize| {
        // The text shown stops at a character boundary at or before `end`.
        let mut end = end.min(src.len()).max(i);
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        SoqlError::malformed_at(src, i, format!("Invalid datetime: {}", &src[i..end]))
    };
    let (Some(h), Some(b':'), Some(mi), Some(b':'), Some(s)) =
        (digits(b, k + 1, 2), b.get(k + 3), digits(b, k + 4, 2), b.get(k + 6), digits(b, k + 7, 2))
    else {
        return Err(bad_dt(k + 9));
    };
    k += 9;
    let mut ms = 0;
    if b.get(k) == Some(&b'.') {
        let start = k + 1;
        let mut e = start;
        while e < b.len() && b[e].is_ascii_digit() {
            e += 1;
        }
        if e == start {
            return Err(bad_dt(e));
        }
        let frac = &src[start..e.min(start + 3)];
        ms = frac.parse::<u32>().unwrap_or(0) * 10u32.pow(3 - frac.len() as u32);
        k = e;
    }
    let time = Time::from_hms_milli(h, mi, s, ms).ok_or_else(|| bad_dt(k))?;
    let offset_ms: i64 = match b.get(k) {
        Some(b'Z') | Some(b'z') => {
            k += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            let sign = if *sign == b'-' { -1 } else { 1 };
            let oh = digits(b, k + 1, 2).ok_or_else(|| bad_dt(k + 3))?;
            let (om, len) = if b.get(k + 3) == Some(&b':') {
                (digits(b, k + 4, 2).ok_or_else(|| bad_dt(k + 6))?, 6)
            } else {
                (digits(b, k + 3, 2).ok_or_else(|| bad_dt(k + 5))?, 5)
            };
            if oh > 23 || om > 59 {
                return Err(bad_dt(k + len));
            }
            k += len;
            sign * i64::from(oh * 60 + om) * 60_000
        }
        _ => return Err(bad_dt(k)),
    };
    let millis = date.to_datetime_utc().millis() + i64::from(time.0) - offset_ms;
    Ok(Some((Tok::Datetime(Datetime(millis)), k)))
}
