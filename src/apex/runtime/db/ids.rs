//! Salesforce record ids: 15 case-sensitive characters (3-character key prefix + the rest), and
//! the 18-character form that appends a 3-character checksum of the letter case, so ids compare
//! case-insensitively ("What is a Salesforce ID", Salesforce Help; the suffix algorithm is the
//! one `CASESAFEID()` computes).

const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 18-character form of a 15- or 18-character id, or `None` when the text is not an id
/// (wrong length or a character outside `[0-9A-Za-z]`).
pub fn to18(s: &str) -> Option<String> {
    if !(s.len() == 15 || s.len() == 18) || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let base = &s[..15];
    let mut out = String::with_capacity(18);
    out.push_str(base);
    for chunk in base.as_bytes().chunks(5) {
        let mut n = 0usize;
        for (i, b) in chunk.iter().enumerate() {
            if b.is_ascii_uppercase() {
                n |= 1 << i;
            }
        }
        out.push(SUFFIX[n] as char);
    }
    if s.len() == 18 && !s[15..].eq_ignore_ascii_case(&out[15..]) {
        return None;
    }
    Some(out)
}

/// A new id: the object's key prefix, then a counter in base 62, 15 characters, as 18.
pub fn make(prefix: &str, n: u64) -> String {
    let mut digits = Vec::new();
    let mut v = n;
    for _ in 0..9 {
        digits.push(BASE62[(v % 62) as usize]);
        v /= 62;
    }
    digits.reverse();
    let mut p: String = prefix.chars().take(3).collect();
    while p.len() < 3 {
        p.push('0');
    }
    let base = format!("{p}000{}", String::from_utf8_lossy(&digits));
    to18(&base).unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eighteen_character_form_matches_salesforce() {
        // Example from Salesforce Help ("What is a Salesforce ID"): 001A0000006Vm9r -> ...IAC.
        assert_eq!(to18("001A0000006Vm9r").as_deref(), Some("001A0000006Vm9rIAC"));
        assert_eq!(to18("001A0000006Vm9rIAC").as_deref(), Some("001A0000006Vm9rIAC"));
        assert_eq!(to18("001A0000006Vm9riac").as_deref(), Some("001A0000006Vm9rIAC"));
        assert_eq!(to18("001A0000006Vm9rXXX"), None);
        assert_eq!(to18("not an id"), None);
        let id = make("003", 1);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("003"));
        assert_eq!(to18(&id).as_deref(), Some(id.as_str()));
    }
}
