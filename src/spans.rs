//! Where each value of a JSON document starts, by JSON path, so that errors found after
//! parsing (a bad URL, a duplicate name) can still name `file:line:column`.
//!
//! serde_json reports positions only for syntax and type errors; this scanner records the
//! position of every object key and array element in one linear pass over text that serde_json
//! has already accepted. [`Locate`] is how a validator (a config section, a check) names that
//! place without knowing how the config was loaded.

use crate::error::Diagnostic;
use std::collections::HashMap;

/// Places a JSON path of the config in its file: a diagnostic with `file:line:column` (inside
/// the `--env` patch when the patch sets that value).
pub trait Locate {
    /// The diagnostic for `path`.
    fn diag(&self, path: &str, message: String, hint: Option<String>) -> Diagnostic;
}

/// Positions (1-based line and column) of values by JSON path.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    positions: HashMap<String, (usize, usize)>,
    duplicates: Vec<Duplicate>,
}

/// A key written twice in one JSON object: JSON parsers keep one of the two silently (serde
/// keeps the last), so what a reviewer reads and what sfgen uses could differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// JSON path of the key.
    pub path: String,
    /// Where it is written first (line, column).
    pub first: (usize, usize),
    /// Where it is written again.
    pub second: (usize, usize),
}

/// Appends an object key to a path, quoting keys that are not plain identifiers:
/// `a.b`, `fields["Account.Name"]`.
pub fn push_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", serde_json::Value::String(key.to_string())),
    }
}

/// Appends an array index to a path: `objects[0]`.
pub fn push_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

impl Spans {
    /// Scans `text` (valid JSON) and records every key's and element's position.
    pub fn scan(text: &str) -> Self {
        let mut s =
            Scanner { bytes: text.as_bytes(), pos: 0, line: 1, col: 1, out: HashMap::new(), duplicates: Vec::new() };
        s.skip_ws();
        s.out.insert(String::new(), (s.line, s.col));
        s.value("");
        Spans { positions: s.out, duplicates: s.duplicates }
    }

    /// Keys written twice in one object, in file order.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// The position of `path`, or of its nearest ancestor that exists.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.positions.get(&p) {
                return Some(*pos);
            }
            if p.is_empty() {
                return None;
            }
            p = parent(&p);
        }
    }

    /// The position of exactly `path`.
    pub fn exact(&self, path: &str) -> Option<(usize, usize)> {
        self.positions.get(path).copied()
    }
}

fn parent(path: &str) -> String {
    // Strip the last `.key`, `[n]` or `["key"]` segment.
    if path.ends_with(']') {
        if let Some(i) = path.rfind('[') {
            // A quoted key may itself contain '['; find the '[' that opens `["`...`"]`.
            if path.ends_with("\"]") {
                if let Some(j) = path.rfind("[\"") {
                    return path[..j].to_string();
                }
            }
            return path[..i].to_string();
        }
    }
    match path.rfind('.') {
        Some(i) => path[..i].to_string(),
        None => String::new(),
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    col: usize,
    out: HashMap<String, (usize, usize)>,
    duplicates: Vec<Duplicate>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'\n' {
                self.line += 1;
                self.col = 1;
            } else if b & 0xC0 != 0x80 {
                // Count characters, not UTF-8 continuation bytes.
                self.col += 1;
            }
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn value(&mut self, path: &str) {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                self.bump();
                let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b'}') | None => {
                            self.bump();
                            return;
                        }
                        Some(b',') => self.bump(),
                        Some(b'"') => {
                            let at = (self.line, self.col);
                            let key = self.string();
                            let child = push_key(path, &key);
                            if let Some(first) = seen.insert(key, at) {
                                self.duplicates.push(Duplicate { path: child.clone(), first, second: at });
                            }
                            self.out.insert(child.clone(), at);
                            self.skip_ws();
                            if self.peek() == Some(b':') {
                                self.bump();
                            }
                            self.value(&child);
                        }
                        Some(_) => self.bump(),
                    }
                }
            }
            Some(b'[') => {
                self.bump();
                let mut index = 0;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b']') | None => {
                            self.bump();
                            return;
                        }
                        Some(b',') => self.bump(),
                        Some(_) => {
                            let child = push_index(path, index);
                            self.out.insert(child.clone(), (self.line, self.col));
                            self.value(&child);
                            index += 1;
                        }
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.bump();
                }
            }
            None => {}
        }
    }

    /// Reads a string literal and returns its decoded value.
    fn string(&mut self) -> String {
        let start = self.pos;
        self.bump(); // opening quote
        while let Some(b) = self.peek() {
            match b {
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                b'"' => {
                    self.bump();
                    break;
                }
                _ => self.bump(),
            }
        }
        let raw = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("\"\"");
        serde_json::from_str::<String>(raw).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_and_elements() {
        let text = "{\n  \"a\": {\"b\": [1, {\"c\": true}]},\n  \"fields\": {\"Account.Name\": \"read\"}\n}";
        let spans = Spans::scan(text);
        assert_eq!(spans.exact("a"), Some((2, 3)));
        assert_eq!(spans.exact("a.b[1]"), Some((2, 18)));
        assert_eq!(spans.exact("a.b[1].c"), Some((2, 19)));
        assert_eq!(spans.exact("fields[\"Account.Name\"]"), Some((3, 14)));
        assert_eq!(spans.locate("a.b[1].missing"), Some((2, 18)));
        assert_eq!(spans.locate("zzz"), Some((1, 1)));
    }

    #[test]
    fn duplicate_keys_are_found_with_both_positions() {
        let spans = Spans::scan("{\"a\": 1,\n \"b\": {\"x\": 1, \"x\": 2},\n \"a\": 3}");
        let d = spans.duplicates();
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0], Duplicate { path: "b.x".into(), first: (2, 8), second: (2, 16) });
        assert_eq!(d[1], Duplicate { path: "a".into(), first: (1, 2), second: (3, 2) });
        assert!(
            Spans::scan("{\"a\": {\"x\": 1}, \"b\": {\"x\": 1}}").duplicates().is_empty(),
            "same key in two objects"
        );
    }

    #[test]
    fn parent_handles_quoted_keys_with_brackets() {
        assert_eq!(parent("x[\"a[0]\"]"), "x");
        assert_eq!(parent("x.y[3]"), "x.y");
        assert_eq!(parent("x.y"), "x");
        assert_eq!(parent("x"), "");
    }
}
