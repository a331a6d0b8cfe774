//! Text sfgen prints for people to read or paste: the one quoting function for every shell
//! word of a printed command (next steps, deploy commands, delta commands), and the escaping
//! of control characters in any printed value.
//!
//! A value from a config or an input (a username, a path, a permission set name) can hold
//! anything. Printed unquoted in a command, `x;touch pwned` runs a second command when pasted;
//! printed raw, ESC and BEL drive the terminal. So every word goes through [`quote`] and every
//! line of text through [`printable`] ([`crate::printable`] holds the one policy for both).

/// The names most callers know the policy by ([`crate::printable::text`] and the rest).
pub use crate::printable::{needs_escape, one_line, text as printable};

/// The placeholder printed for the org when neither `--target-org` nor `SF_TARGET_ORG` names
/// one: a plain shell word (unlike `<org-alias>`, which the shell reads as a redirection), so a
/// pasted command reaches the Salesforce CLI, which answers that no such org is authorised.
pub const ORG_PLACEHOLDER: &str = "ORG_ALIAS";

/// `word` as one POSIX shell word that the shell turns back into exactly `word`.
///
/// Words of safe characters are left alone (`force-app`, `TestWebhook`,
/// `user@example.com`); others are single-quoted (`'my dir/x.zip'`, with `'` written
/// `'\''`). A word holding a control character or a Unicode direction override (which no
/// terminal may see raw) is written in ANSI-C quoting (`$'a\x1bb'`, bytes as `\xHH`, understood by
/// bash, zsh, ksh and POSIX.1-2024 sh), so the printed text holds no raw control character and the word
/// still means the same bytes.
pub fn quote(word: &str) -> String {
    // A leading `=` is quoted too: zsh expands `=ls` to the path of `ls` (EQUALS option).
    if !word.is_empty()
        && !word.starts_with('=')
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:@=+,%".contains(c))
    {
        return word.to_string();
    }
    if !word.chars().any(needs_escape) {
        return format!("'{}'", word.replace('\'', "'\\''"));
    }
    let mut out = String::from("$'");
    for c in word.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A path as one shell word that no command reads as a flag (`-x` is written `./-x`).
pub fn path(path: &std::path::Path) -> String {
    let s = path.to_string_lossy();
    if s.starts_with('-') {
        quote(&format!("./{s}"))
    } else {
        quote(&s)
    }
}

/// `--target-org VALUE` for a printed `sf` command: `--target-org=VALUE` when the value starts
/// with `-` (sf would read `--target-org --json` as two flags), the value quoted as [`quote`] does.
pub fn target_org_flag(value: &str) -> String {
    if value.starts_with('-') {
        format!("--target-org={}", quote(value))
    } else {
        format!("--target-org {}", quote(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_words_are_left_alone() {
        for w in ["force-app", "TestWebhook", "user@example.com", "out/deploy.zip", "62.0", "a=b"] {
            assert_eq!(quote(w), w);
        }
    }

    #[test]
    fn everything_else_is_quoted() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("my dir/x.zip"), "'my dir/x.zip'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("<org-alias>"), "'<org-alias>'");
        assert_eq!(quote("x__y;touch${IFS}pwned;#"), "'x__y;touch${IFS}pwned;#'");
    }

    #[test]
    fn line_separators_and_equals_are_quoted() {
        assert_eq!(quote("=ls"), "'=ls'");
        assert_eq!(quote("a=b"), "a=b");
        let q = quote("org\u{2028}x\u{2029}y");
        assert_eq!(q, "$'org\\xe2\\x80\\xa8x\\xe2\\x80\\xa9y'");
        assert_eq!(printable("a\u{2028}b"), "a\\u{2028}b");
        assert_eq!(target_org_flag("--json"), "--target-org=--json");
        assert_eq!(target_org_flag("-x y"), "--target-org='-x y'");
        assert_eq!(target_org_flag("my-org"), "--target-org my-org");
        assert_eq!(one_line("A\u{202e}B\nC"), "A\\u{202e}B\\u{a}C");
    }

    #[test]
    fn control_characters_never_reach_the_output_raw() {
        let q = quote("a\u{1b}[31mb\u{7}c'd\\e\u{202e}f");
        assert_eq!(q, "$'a\\x1b[31mb\\x07c\\'d\\\\e\\xe2\\x80\\xaef'");
        assert!(!q.chars().any(needs_escape), "{q:?}");
        let p = printable("user\u{1b}]0;title\u{7}@x\nnext\tline");
        assert_eq!(p, "user\\u{1b}]0;title\\u{7}@x\nnext\tline");
    }
}
