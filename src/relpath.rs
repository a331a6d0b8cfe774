//! What a relative path may be, wherever sfgen meets one: a zip entry, a file of a folder it
//! reads, a file it writes. One policy for reading and writing, so that nothing sfgen writes is
//! a path it would refuse to read back.

/// Deepest path sfgen reads or writes, in folders: the same for zip entries, folder inputs and
/// outputs. Real projects stay far below it (NPSP's deepest path has 10 levels), and nothing that
/// walks a path level by level gets near its stack's limit.
pub const MAX_PATH_DEPTH: usize = 256;

/// Checks that `name` is a safe relative POSIX path, at most [`MAX_PATH_DEPTH`] levels deep;
/// returns why not.
pub fn check_relative_path(name: &str) -> std::result::Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty name");
    }
    if name.bytes().filter(|b| *b == b'/').count() >= MAX_PATH_DEPTH {
        return Err("more than 256 levels of folders (sfgen reads and writes at most 256)");
    }
    if name.contains('\\') {
        return Err("backslash in the path (a Windows separator could escape the folder)");
    }
    if name.starts_with('/') {
        return Err("absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("drive path");
    }
    if name.chars().any(char::is_control) {
        return Err("control character in the name");
    }
    for seg in name.split('/') {
        match seg {
            ".." => return Err("`..` segment (path leaves the package)"),
            "." | "" => return Err("empty or `.` path segment"),
            _ => {}
        }
    }
    Ok(())
}

/// Why a path cannot be written on every platform sfgen runs on (names Windows reserves,
/// characters it forbids, bidirectional overrides that disguise a name), or `None`.
pub fn unportable_name(path: &str) -> Option<String> {
    const RESERVED: &[&str] = &[
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1",
        "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    for seg in path.split('/') {
        let stem = seg.split('.').next().unwrap_or(seg).trim_end();
        if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
            return Some(format!("{seg:?} is a device name on Windows"));
        }
        if let Some(c) = seg.chars().find(|c| matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')) {
            return Some(format!("{c:?} cannot be in a file name on Windows"));
        }
        if seg.ends_with('.') || seg.ends_with(' ') {
            return Some(format!("{seg:?} ends in a dot or space, which Windows drops"));
        }
        if seg.chars().any(crate::printable::is_bidi_control) {
            return Some("a bidirectional control character disguises the name".into());
        }
    }
    None
}

/// The name a case-insensitive, Unicode-normalising file system (macOS, Windows) sees: NFC,
/// lower case, final sigma folded.
pub fn folded_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    name.nfc().collect::<String>().to_lowercase().replace('ς', "σ")
}
