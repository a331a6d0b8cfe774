//! Secrets, by meaning: what is secret in every canonical form (see the module docs of
//! `canon`) and the fingerprint a secret is shown as, a URL's userinfo included.

use crate::sf::compare::{EC_PUBLIC_PARAMS, NC_PUBLIC_PARAMS, SECRET_NAMES, SECRET_SUFFIXES};
use crate::sf::xml::{Element, Node};
use sha2::{Digest as _, Sha256};

/// What every secret value becomes in a canonical form.
pub const REDACTED: &str = "***REDACTED***";

/// How a fingerprint starts inside a URL's userinfo (no spaces there).
const REDACTED_IN_URL: &str = "***REDACTED***-sha256:";

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a custom field (or custom metadata field) API name reads like a secret:
/// `Signing_Key__c`, `Api_Secret__c`, `Access_Token__c`, `Password__c`, `ns__ApiKey__c`.
pub fn is_secret_field_name(name: &str) -> bool {
    let base = name.rsplit('.').next().unwrap_or(name);
    let base = base.strip_suffix("__c").or_else(|| base.strip_suffix("__mdt")).unwrap_or(base);
    let base = base.rsplit("__").next().unwrap_or(base).to_ascii_lowercase();
    base.ends_with("_key")
        || base == "key"
        || ["secret", "token", "password", "passwd", "apikey", "api_key", "privatekey", "private_key", "credential"]
            .iter()
            .any(|w| base.contains(w))
}

/// The fingerprint a secret is shown as: [`REDACTED`] and the first 12 hex digits of a SHA-256 of
/// the (trimmed) value, so that two different values differ and equal ones are equal.
pub fn fingerprint(value: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"sfgen redacted value\0");
    h.update(value.trim().as_bytes());
    format!("{REDACTED} sha256:{}", &hex(&h.finalize())[..12])
}

/// `text` with the userinfo of every URL in it (`https://user:password@host`) replaced by its
/// fingerprint: the host stays visible, a credential never does.
///
/// Read as leniently as any parser might: the WHATWG URL forms without slashes
/// (`https:user:pw@host`, which browsers and the `url` crate read as `https://user:pw@host`) or
/// with backslashes, and a userinfo holding a raw `/`, `?` or `#` (`https://user:p/w@host`, which
/// strict parsers refuse but people write): an `@` after one of those is taken as the end of a
/// userinfo unless what comes before it is plainly a host (`https://example.com/a@b`).
pub fn redact_userinfo(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('@') || !text.contains(':') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(i) = text[from..].find(':').map(|i| from + i) {
        from = i + 1;
        // The scheme starts just after the last character that cannot be in one; that character
        // may be any width (a Hebrew letter before `swee:`), so step over its UTF-8 length.
        let scheme_start = text[..i]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |(j, c)| j + c.len_utf8());
        let scheme = &text[scheme_start..i];
        if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let after = &text[i + 1..];
        let slashes = after.len() - after.trim_start_matches(['/', '\\']).len();
        let special = ["http", "https", "ftp", "ws", "wss"].iter().any(|s| scheme.eq_ignore_ascii_case(s));
        if slashes < 2 && !special {
            continue;
        }
        let start = i + 1 + slashes;
        let token_len = text[start..]
            .find(|c: char| matches!(c, '"' | '\'' | '<' | '>' | '`') || c.is_whitespace())
            .unwrap_or(text.len() - start);
        let token = &text[start..start + token_len];
        let authority_len = token.find(['/', '\\', '?', '#']).unwrap_or(token.len());
        let userinfo = match token[..authority_len].rfind('@') {
            Some(at) => Some(at),
            None => token.rfind('@').filter(|&at| raw_userinfo(&token[..at])),
        };
        from = start + token_len;
        match userinfo {
            // Already a fingerprint (a canonical form canonicalised again): kept, so that
            // redaction is idempotent.
            Some(at) if token[..at].starts_with(REDACTED_IN_URL) => {}
            Some(at) if at > 0 => {
                out.push_str(&text[copied..start]);
                out.push_str(&fingerprint(&token[..at]).replace(' ', "-"));
                copied = start + at;
            }
            _ => {}
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Whether `before`, the text between a URL's `//` and an `@` after a raw `/`, `?`, `#` or `\`,
/// is a userinfo holding that character (`user:p/w`) rather than a host and a path holding an `@`
/// (`example.com/a`, `localhost:8080/x`): it is, unless it starts with a plain host (a name with a
/// dot, `localhost` or an IP literal) and an optional numeric port.
fn raw_userinfo(before: &str) -> bool {
    let first = before.split(['/', '\\', '?', '#']).next().unwrap_or(before);
    let host = match first.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        Some(_) => return true,
        None => first,
    };
    let plain = host.contains('.') || host.eq_ignore_ascii_case("localhost") || host.starts_with('[');
    !plain
}

/// Replaces the text of `el`'s child `child` (if any) by its fingerprint.
fn redact_child(el: &mut Element, child: &str) {
    for n in &mut el.children {
        if let Node::Element(c) = n {
            if c.name == child && !c.children.is_empty() && !c.text_content().starts_with(REDACTED) {
                let fp = fingerprint(&c.text_content());
                c.children = vec![Node::Text(fp)];
            }
        }
    }
}

fn child_text(el: &Element, name: &str) -> String {
    el.find(name).map(|c| c.text_content().trim().to_string()).unwrap_or_default()
}

/// Redacts the secret values of a row whose meaning depends on its siblings (see the module
/// docs): `el` is a child of the root `root` (its parent path is `parent`), already normalised.
pub(super) fn redact_row(el: &mut Element, root: &str, parent: &str) {
    if !parent.is_empty() {
        return;
    }
    let secret = match (root, el.name.as_str()) {
        ("NamedCredential", "namedCredentialParameters") => {
            (!NC_PUBLIC_PARAMS.contains(&child_text(el, "parameterType").as_str())).then_some("parameterValue")
        }
        ("ExternalCredential", "externalCredentialParameters") => {
            (!EC_PUBLIC_PARAMS.contains(&child_text(el, "parameterType").as_str())).then_some("parameterValue")
        }
        ("CustomMetadata", "values") => is_secret_field_name(&child_text(el, "field")).then_some("value"),
        ("MktDataConnection", "credentials") => Some("value"),
        _ => None,
    };
    if let Some(child) = secret {
        redact_child(el, child);
    }
}

/// Redacts what a whole document says is secret (see the module docs): the default values of a
/// protected custom setting's fields, of encrypted fields and of fields named like secrets; every
/// value of a protected custom metadata record.
pub(super) fn redact_document(root: &mut Element) {
    match root.name.as_str() {
        "CustomObject" => {
            let protected_setting =
                root.find("customSettingsType").is_some() && child_text(root, "visibility") == "Protected";
            for n in &mut root.children {
                if let Node::Element(f) = n {
                    if f.name == "fields" && (protected_setting || is_secret_field(f)) {
                        redact_child(f, "defaultValue");
                    }
                }
            }
        }
        "CustomField" if is_secret_field(root) => redact_child(root, "defaultValue"),
        "CustomMetadata" if child_text(root, "protected") == "true" => {
            for n in &mut root.children {
                if let Node::Element(v) = n {
                    if v.name == "values" {
                        redact_child(v, "value");
                    }
                }
            }
        }
        _ => {}
    }
}

fn is_secret_field(f: &Element) -> bool {
    is_secret_field_name(&child_text(f, "fullName")) || child_text(f, "type") == "EncryptedText"
}

pub(super) fn is_secret(el: &Element) -> bool {
    let lower = el.name.to_ascii_lowercase();
    if SECRET_NAMES.contains(&lower.as_str()) {
        return true;
    }
    if SECRET_SUFFIXES.iter().any(|s| lower.ends_with(s)) {
        let has_elements = el.elements().next().is_some();
        let text = el.text_content();
        let t = text.trim();
        return has_elements || !(t.is_empty() || t == "true" || t == "false");
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_field_names_and_url_userinfo() {
        for yes in [
            "Signing_Key__c",
            "ns__API_Key__c",
            "Api_Secret__c",
            "Access_Token__c",
            "Password__c",
            "ApiKey__c",
            "Key__c",
        ] {
            assert!(is_secret_field_name(yes), "{yes}");
        }
        for no in ["Monkey__c", "Keyboard__c", "Region__c", "Name", "Record_Key_Type__c"] {
            assert!(!is_secret_field_name(no), "{no}");
        }
        let r = redact_userinfo(
            "see https://admin:pw1@host.example.com/x?y and http://h.example.com/a@b, https://tok@git.example.com",
        );
        assert!(!r.contains("pw1") && !r.contains("tok@"), "{r}");
        assert!(
            r.contains("@host.example.com/x?y")
                && r.contains("http://h.example.com/a@b")
                && r.contains("@git.example.com"),
            "{r}"
        );
        assert_ne!(redact_userinfo("https://a:1@h"), redact_userinfo("https://a:2@h"));
        assert_eq!(redact_userinfo("no url here @ all"), "no url here @ all");
        // Idempotent: a redacted URL redacted again is the same (found by fuzz_xml_canon).
        let once = redact_userinfo("xmlns=\"http://soap.sforce@ap.sforce.com/2006\"").into_owned();
        assert!(once.contains(REDACTED_IN_URL), "{once}");
        assert_eq!(redact_userinfo(&once), once);
    }

    /// Found by CI's fuzz smoke (fuzz_canon_pairs): a multi-byte character just before a
    /// `scheme:` was stepped over as if it were one byte, and slicing inside it panicked.
    #[test]
    fn a_wide_character_before_a_scheme_is_stepped_over_whole() {
        let text = "    <description>Sent by the  swee@:\u{5e1}p:bel>Sweep</label>";
        assert_eq!(redact_userinfo(text), text);
        for raw in ["\u{5e1}https://user:pw@host.example.com", "\u{1F600}https://user:pw@h.example.com/x"] {
            let r = redact_userinfo(raw);
            assert!(!r.contains("user:pw") && r.contains(REDACTED_IN_URL), "{raw} -> {r}");
            assert!(r.starts_with(raw.chars().next().unwrap()), "{raw} -> {r}");
        }
    }

    /// Finding 13 of issue 24: userinfo holding a raw `?`, `#` or `/`, and the WHATWG forms
    /// without slashes, were shown as written.
    #[test]
    fn userinfo_with_raw_delimiters_or_without_slashes_is_redacted() {
        for (raw, secret, host) in [
            ("https://user:pa?ss@host.example.com/x", "pa?ss", "@host.example.com/x"),
            ("https://user:pa#ss@host.example.com", "pa#ss", "@host.example.com"),
            ("https://user:pa/ss@host.example.com/p", "pa/ss", "@host.example.com/p"),
            ("https://us/er@git.example.com", "us/er", "@git.example.com"),
            ("https:user:pw@host.example.com/p", "user:pw", "@host.example.com/p"),
            ("HTTPS:/user:pw@host.example.com", "user:pw", "@host.example.com"),
            ("https:\\\\user:pw@host.example.com", "user:pw", "@host.example.com"),
            ("<url>https://a:b?c#d/e@h.example.com</url>", "b?c#d/e", "@h.example.com</url>"),
        ] {
            let r = redact_userinfo(raw);
            assert!(!r.contains(secret), "{raw} -> {r}");
            assert!(r.contains(host) && r.contains(REDACTED_IN_URL), "{raw} -> {r}");
            assert_eq!(redact_userinfo(&r), r, "not idempotent: {raw}");
        }
        // What is plainly a host and a path holding `@` stays as written.
        for kept in [
            "https://medium.com/@someone",
            "http://localhost:8080/a@b",
            "https://registry.example.com/pkg@1.2.3",
            "mailto:someone@example.com",
            "Time: 10:30, mail a@b.example.com",
        ] {
            assert_eq!(redact_userinfo(kept), kept);
        }
    }
}
