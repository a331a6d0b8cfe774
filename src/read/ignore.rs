//! `.forceignore`, as the Salesforce CLI reads it: gitignore syntax (the CLI uses node-ignore),
//! paths relative to the folder holding the file, after the CLI's own default patterns (hidden
//! files, `*.dup`, package2 descriptors).
//!
//! The file is input like any other: read beneath the project (never through a link, only when a
//! regular file), at most [`MAX_BYTES`] and [`MAX_PATTERNS`] lines, so a hostile project can
//! neither point it at a file outside, nor hang the run on a FIFO, nor make matching explode.

use crate::error::{Error, Result};
use std::path::Path;

/// The CLI's built-in patterns (`forceIgnore.js`, `DEFAULT_IGNORE`).
const DEFAULT_IGNORES: &[&str] = &[
    "**/*.dup",
    "**/.*",
    "!.sf",
    "**/.sf/**",
    "!**/.sf/orgs",
    "!**/.sf/orgs/**",
    "**/.sf/orgs/*/**",
    "!**/.sf/orgs/*/remoteMetadata",
    "!**/.sf/orgs/*/remoteMetadata/**",
    "**/package2-descriptor.json",
    "**/package2-manifest.json",
];

/// Largest `.forceignore` read.
pub const MAX_BYTES: usize = 256 << 10;
/// Most pattern lines in a `.forceignore`.
pub const MAX_PATTERNS: usize = 10_000;

/// The ignore rules of one project.
#[derive(Debug)]
pub struct ForceIgnore {
    matcher: ignore::gitignore::Gitignore,
    /// Nothing is denied (the rules were applied when the input was listed).
    none: bool,
}

impl ForceIgnore {
    /// The default rules only (an input without `.forceignore`).
    pub fn defaults() -> Self {
        Self::parse(Path::new(".forceignore"), None).unwrap_or_else(|_| Self::none())
    }

    /// Rules that deny nothing: for a listing the real rules were already applied to (an ignored
    /// file is then simply not there, as sf does not see it either).
    pub fn none() -> Self {
        Self { matcher: ignore::gitignore::Gitignore::empty(), none: true }
    }

    /// The default rules plus the file's (`text`, read by the caller beneath the input); `file`
    /// names it in messages.
    pub fn parse(file: &Path, text: Option<&[u8]>) -> Result<Self> {
        let mut b = ignore::gitignore::GitignoreBuilder::new("");
        for pat in DEFAULT_IGNORES {
            b.add_line(None, pat).map_err(|e| Error::input(format!("internal ignore pattern {pat}: {e}")))?;
        }
        if let Some(bytes) = text {
            if bytes.len() > MAX_BYTES {
                return Err(Error::Input {
                    message: format!("{}: larger than {MAX_BYTES} bytes", file.display()),
                    hint: Some(
                        "a .forceignore lists patterns, a few hundred lines at most; is this the right file?".into(),
                    ),
                });
            }
            // A UTF-8 byte order mark is not part of the first pattern.
            let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            let text = String::from_utf8_lossy(bytes);
            let mut patterns = 0usize;
            for (i, line) in text.lines().enumerate() {
                let trimmed = line.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                patterns += 1;
                if patterns > MAX_PATTERNS {
                    return Err(Error::Input {
                        message: format!("{}: more than {MAX_PATTERNS} patterns", file.display()),
                        hint: Some(
                            "a .forceignore lists patterns, a few hundred lines at most; is this the right file?"
                                .into(),
                        ),
                    });
                }
                b.add_line(None, line).map_err(|_| Error::Input {
                    message: format!("{}:{}: not a valid pattern", file.display(), i + 1),
                    hint: Some("fix the pattern (gitignore syntax: * ** ? [abc] !negation)".into()),
                })?;
            }
        }
        let matcher = b.build().map_err(|_| Error::Input {
            message: format!("{}: the patterns cannot be compiled", file.display()),
            hint: Some("fix the patterns (gitignore syntax)".into()),
        })?;
        Ok(Self { matcher, none: false })
    }

    /// Whether the file or folder `rel` (relative to the project root) is ignored, by itself or
    /// through a parent folder.
    pub fn denies(&self, rel: &str, is_dir: bool) -> bool {
        if rel.is_empty() || self.none {
            return false;
        }
        self.matcher.matched_path_or_any_parents(rel, is_dir).is_ignore()
    }

    /// Like [`ForceIgnore::denies`] for a walk that does not enter ignored folders: the parents
    /// were already checked, so only the entry itself is matched.
    pub fn denies_entry(&self, rel: &str, is_dir: bool) -> bool {
        !self.none && self.matcher.matched(rel, is_dir).is_ignore()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_project_patterns() {
        let ig =
            ForceIgnore::parse(Path::new(".forceignore"), Some(b"**/__tests__/**\n**/jsconfig.json\npackage.xml\n"))
                .unwrap();
        assert!(ig.denies("force-app/main/default/lwc/a/__tests__/a.test.js", false));
        assert!(ig.denies("force-app/main/default/lwc/jsconfig.json", false));
        assert!(ig.denies("force-app/x/package.xml", false));
        assert!(ig.denies("force-app/main/default/.eslintrc.json", false));
        assert!(ig.denies("force-app/a.dup", false));
        assert!(!ig.denies("force-app/main/default/classes/A.cls", false));
    }

    #[test]
    fn oversized_and_overlong_files_are_refused_without_echoing_them() {
        let e =
            ForceIgnore::parse(Path::new(".forceignore"), Some(&vec![b'a'; MAX_BYTES + 1])).unwrap_err().to_string();
        assert!(e.contains("larger than"), "{e}");
        let many = "x\n".repeat(MAX_PATTERNS + 1);
        let e = ForceIgnore::parse(Path::new(".forceignore"), Some(many.as_bytes())).unwrap_err().to_string();
        assert!(e.contains("patterns"), "{e}");
        let e = ForceIgnore::parse(Path::new(".forceignore"), Some(b"TOP{SECRET-\n")).unwrap_err().to_string();
        assert!(e.contains(".forceignore:1") && !e.contains("SECRET"), "{e}");
    }
}
