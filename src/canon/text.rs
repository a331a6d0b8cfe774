//! Text and Apex: line endings and trailing whitespace do not count, nor, on request, Apex
//! comments (string literals kept); non-UTF-8 content is a one-line summary.

use super::redact::{hex, redact_userinfo};
use sha2::{Digest as _, Sha256};

/// Text form: LF line endings, no trailing whitespace, no trailing blank lines, one final
/// newline; optionally without Apex comments. Non-UTF-8 content becomes a one-line summary.
pub(super) fn text_form(bytes: &[u8], strip_comments: bool) -> String {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return format!("(binary content, {} bytes, sha256 {})\n", bytes.len(), hex(&Sha256::digest(bytes)));
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = if strip_comments {
        strip_apex_comments(&text)
    } else {
        text.split('\n').map(|l| l.trim_end().to_string()).collect()
    };
    let mut end = lines.len();
    while end > 0 && lines[end - 1].is_empty() {
        end -= 1;
    }
    let mut out = String::with_capacity(text.len() + 1);
    for l in &lines[..end] {
        out.push_str(&redact_userinfo(l));
        out.push('\n');
    }
    out
}

/// Removes `//` and `/* */` comments from Apex (LF-only input), keeping string literals
/// (`'...'` with backslash escapes) intact. Lines that held only a comment disappear; the
/// others lose trailing whitespace.
fn strip_apex_comments(text: &str) -> Vec<String> {
    #[derive(PartialEq)]
    enum State {
        Code,
        Str,
        Block,
    }
    let mut state = State::Code;
    let mut out = Vec::new();
    for line in text.split('\n') {
        let mut kept = String::with_capacity(line.len());
        let mut had_comment = state == State::Block;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match state {
                State::Code => match c {
                    '\'' => {
                        state = State::Str;
                        kept.push(c);
                    }
                    '/' if chars.peek() == Some(&'/') => {
                        had_comment = true;
                        break;
                    }
                    '/' if chars.peek() == Some(&'*') => {
                        chars.next();
                        had_comment = true;
                        state = State::Block;
                        // A block comment separates tokens like a space.
                        kept.push(' ');
                    }
                    _ => kept.push(c),
                },
                State::Str => {
                    kept.push(c);
                    if c == '\\' {
                        if let Some(n) = chars.next() {
                            kept.push(n);
                        }
                    } else if c == '\'' {
                        state = State::Code;
                    }
                }
                State::Block => {
                    if c == '*' && chars.peek() == Some(&'/') {
                        chars.next();
                        state = State::Code;
                    }
                }
            }
        }
        // An unterminated string ends at the end of the line (Apex strings are one line).
        if state == State::Str {
            state = State::Code;
        }
        let trimmed = kept.trim_end();
        if had_comment && trimmed.trim().is_empty() {
            continue;
        }
        out.push(trimmed.to_string());
    }
    out
}
