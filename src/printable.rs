//! What sfgen shows people: the one policy for characters that never reach a terminal, a printed
//! command or a line-oriented report raw.
//!
//! A value from a config or an input (a username, a path, a retrieve's file names and contents)
//! can hold anything: ESC and BEL drive a terminal, a line separator splits a line for a
//! line-oriented tool, a bidirectional control reorders what is shown ("Trojan Source",
//! CVE-2021-42574). [`needs_escape`] names them all, once; every function here escapes exactly
//! those, and differs only in what the place it prints to keeps (line feeds, tabs):
//!
//! - [`text`]: text for a terminal (reports, messages, next steps): keeps line feeds and tabs.
//! - [`field`]: one value inside a line of terminal text (a name, a path, a diff line): keeps
//!   tabs; a line feed is shown as `\n`.
//! - [`one_line`]: one value inside a line of a file a tool reads line by line (LCOV, JUnit
//!   attributes, HTML): keeps nothing.
//!
//! Shell words are quoted by [`crate::shell::quote`], which escapes the same characters.

/// The bidirectional formatting characters (U+061C ARABIC LETTER MARK, U+200E LEFT-TO-RIGHT MARK,
/// U+200F RIGHT-TO-LEFT MARK, U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates):
/// they reorder what is shown, so a name holding one can look like another.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether sfgen escapes `c` wherever it shows text: control characters (C0, DEL, C1, NEL), the
/// Unicode line and paragraph separators (U+2028, U+2029: a line-oriented tool splits the line
/// there) and the bidirectional controls ([`is_bidi_control`]).
pub fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c)
}

/// `text` with every character [`needs_escape`] names but line feed and tab written `\u{..}`:
/// safe to print on a terminal whatever a config or an input held.
pub fn text(text: &str) -> String {
    let escaped = |c: char| needs_escape(c) && c != '\n' && c != '\t';
    if !text.chars().any(escaped) {
        return text.to_string();
    }
    text.chars().map(|c| if escaped(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// `value` with every character [`needs_escape`] names but tab escaped as Rust writes it (`\n`,
/// `\u{1b}`, `\u{202e}`): one value shown inside a line of terminal text.
pub fn field(value: &str) -> String {
    value
        .chars()
        .map(|c| if needs_escape(c) && c != '\t' { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

/// `text` with every character [`needs_escape`] names written `\u{..}`, line feeds and tabs too:
/// one line, safe in any report or line-oriented file (an LCOV record, an attribute).
pub fn one_line(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    text.chars().map(|c| if needs_escape(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every bidirectional control Unicode defines (UAX #9, "Explicit Directional Formatting
    /// Characters" and the implicit marks).
    pub(crate) const BIDI: [char; 12] = [
        '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}',
        '\u{2067}', '\u{2068}', '\u{2069}',
    ];

    #[test]
    fn every_bidi_control_and_control_is_escaped_everywhere() {
        let mut hostile: Vec<char> = BIDI.to_vec();
        hostile.extend(['\u{0}', '\u{7}', '\u{1b}', '\r', '\u{7f}', '\u{85}', '\u{9b}', '\u{2028}', '\u{2029}']);
        for c in hostile {
            let s = format!("a{c}b");
            for (what, shown) in [("text", text(&s)), ("field", field(&s)), ("one_line", one_line(&s))] {
                assert!(!shown.chars().any(needs_escape), "{what} let {c:?} through: {shown:?}");
                assert!(shown.starts_with('a') && shown.ends_with('b') && shown.len() > 3, "{what}: {shown:?}");
            }
        }
        for c in BIDI {
            assert!(is_bidi_control(c), "{c:?}");
        }
        assert!(!is_bidi_control('\u{200b}') && !is_bidi_control('a'));
    }

    #[test]
    fn each_keeps_what_its_place_keeps() {
        assert_eq!(text("a\nb\tc\u{1b}"), "a\nb\tc\\u{1b}");
        assert_eq!(field("a\nb\tc\u{1b}"), "a\\nb\tc\\u{1b}");
        assert_eq!(one_line("A\u{202e}B\nC"), "A\\u{202e}B\\u{a}C");
        assert_eq!(text("plain é"), "plain é");
    }
}
