//! What a delta is, shared by the steps that compute it: the members by type, the files
//! `--generate-delta` copies, the options, and the Apex comment skipping both source scans use.

use crate::error::{Error, Result};
use crate::git::ChangeKind;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Members by type.
pub type Members = BTreeMap<String, BTreeSet<String>>;

/// Where a file of `--generate-delta` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Copy {
    /// The file as it is at `--to`.
    Same,
    /// A file pruned to what changed (inline children).
    Pruned(String),
}

/// What the delta holds.
#[derive(Debug, Default)]
pub struct Delta {
    /// What to deploy.
    pub package: Members,
    /// What to delete.
    pub destructive: Members,
    /// The files `--generate-delta` writes (paths from the repository's root).
    pub copies: BTreeMap<String, Copy>,
    /// The changed files considered (after the package directories, .forceignore and the
    /// ignore files): `A`/`M`/`D` and the path.
    pub lines: Vec<(ChangeKind, String)>,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// What decides a delta, besides the two commits.
#[derive(Debug, Default)]
pub struct Options {
    /// Folders to look in (from the repository's root; empty: everywhere).
    pub source_dirs: Vec<String>,
    /// Patterns of files left out (gitignore syntax), for additions and changes.
    pub ignore: Option<Patterns>,
    /// Patterns of files whose deletion is left out.
    pub ignore_destructive: Option<Patterns>,
    /// Patterns of files deployed whatever changed.
    pub include: Option<Patterns>,
    /// Patterns of files deleted whatever changed.
    pub include_destructive: Option<Patterns>,
    /// Whitespace-only changes are no changes.
    pub ignore_whitespace: bool,
    /// Whether the source files are wanted (`--generate-delta`).
    pub generate_delta: bool,
}

/// A set of gitignore-style patterns (sgd reads its ignore and include files with node-ignore).
#[derive(Debug)]
pub struct Patterns(::ignore::gitignore::Gitignore);

impl Patterns {
    /// Patterns from the text of a file (`file` names it in messages).
    pub fn parse(file: &Path, text: &str, extra: &[&str]) -> Result<Self> {
        let mut b = ::ignore::gitignore::GitignoreBuilder::new("");
        for (i, line) in text.lines().chain(extra.iter().copied()).enumerate() {
            b.add_line(None, line).map_err(|_| Error::Input {
                message: format!("{}:{}: not a valid pattern", file.display(), i + 1),
                hint: Some("fix the pattern (gitignore syntax: * ** ? [abc] !negation)".into()),
            })?;
        }
        let g = b.build().map_err(|e| Error::Input {
            message: format!("{}: the patterns cannot be compiled: {e}", file.display()),
            hint: Some("fix the patterns (gitignore syntax)".into()),
        })?;
        Ok(Self(g))
    }

    /// Whether `path` (from the repository's root) matches, itself or through a parent folder.
    pub fn matches(&self, path: &str) -> bool {
        self.0.matched_path_or_any_parents(path, false).is_ignore()
    }
}

/// Adds `member` of type `ty` to `m`.
pub fn add(m: &mut Members, ty: &str, member: String) {
    m.entry(ty.to_string()).or_default().insert(member);
}

/// Where the comment starting at `i` of Apex (or formula) source ends: after `*/` for a block
/// comment, at the line feed for a line comment; `None` when no comment starts at `i`.
pub fn skip_comment(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'/') {
        return None;
    }
    match b.get(i + 1) {
        Some(b'/') => {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            Some(i)
        }
        Some(b'*') => {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            Some(i + 2)
        }
        _ => None,
    }
}
