//! The files of one input as a tree: what the resolver walks (folders, names, sizes) without
//! reading any content, and the one place content is read from, on demand, through the defensive
//! readers of [`super::archive`].

use super::archive::{Limits, Root, Zip};
use crate::error::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Sorted, distinct paths in one buffer: a path costs its bytes and one offset, whatever the
/// size of the tree (no allocation, node or key copy per path).
#[derive(Debug, Default)]
struct Paths {
    text: String,
    /// Where each path ends in `text` (path `i` starts where path `i - 1` ends).
    ends: Vec<usize>,
}

impl Paths {
    /// From paths already sorted and distinct.
    fn from_sorted<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        let mut p = Self::default();
        for path in paths {
            p.text.push_str(path);
            p.ends.push(p.text.len());
        }
        p.text.shrink_to_fit();
        p.ends.shrink_to_fit();
        p
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    fn find(&self, path: &str) -> Option<usize> {
        let i = self.lower_bound(path);
        (i < self.len() && self.get(i) == path).then_some(i)
    }

    /// The first index whose path is not less than `path`.
    fn lower_bound(&self, path: &str) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.get(mid) < path {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The indexes of the paths beneath the folder `dir` (every path for `""`).
    fn under(&self, dir: &str) -> std::ops::Range<usize> {
        if dir.is_empty() {
            return 0..self.len();
        }
        // The paths starting with "dir/" are exactly those from "dir/" up to "dir0" ('0' follows '/').
        self.lower_bound(&format!("{dir}/"))..self.lower_bound(&format!("{dir}0"))
    }
}

/// A file of a [`Vfs`] by its place in the sorted listing: four bytes where its path would be
/// dozens (a listing holds at most `SFGEN_MAX_ENTRIES`, bounded far below `u32::MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u32);

/// Where the files' bytes come from.
#[derive(Debug)]
enum Sources {
    /// Files beneath a folder input (a file's path in the tree is its path in the folder).
    Folder(Root),
    /// Entries of a zip input: each file's index in the zip's entries, in path order.
    Zip(Box<Zip>, Vec<u32>),
    /// Bytes in memory, in path order.
    Memory(Vec<Arc<[u8]>>),
}

/// A read-only tree of files with POSIX paths relative to the input's root.
#[derive(Debug)]
pub struct Vfs {
    input: PathBuf,
    /// Every file path, sorted.
    files: Paths,
    /// Every folder path (the root is `""`), sorted.
    dirs: Paths,
    sources: Sources,
    max_file_bytes: u64,
    /// What reading found that sf accepts but a deploy may not (a metadata file whose root is
    /// not its type): collected while components are read, reported as warnings.
    notes: std::sync::Mutex<Vec<String>>,
}

impl Vfs {
    /// The files listed under the folder `root` (see [`super::archive::list_dir`]; sorted).
    pub fn folder(root: Root, listed: Vec<String>, limits: &Limits) -> Self {
        let input = root.path().to_path_buf();
        let files = Paths::from_sorted(listed.iter().map(String::as_str));
        drop(listed);
        Self::build(input, files, Sources::Folder(root), limits.max_file_bytes)
    }

    /// The entries of a checked zip; `strip` removes a top folder (`unpackaged/`).
    pub fn zip(input: &Path, zip: Zip, strip: Option<&str>, limits: &Limits) -> Self {
        let prefix = strip.map(|s| format!("{s}/"));
        let mut named: Vec<(&str, u32)> = zip
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let name = match &prefix {
                    Some(p) => e.name.strip_prefix(p.as_str())?,
                    None => e.name.as_str(),
                };
                Some((name, u32::try_from(i).ok()?))
            })
            .collect();
        named.sort_unstable();
        named.dedup_by(|a, b| a.0 == b.0);
        let files = Paths::from_sorted(named.iter().map(|(n, _)| *n));
        let index: Vec<u32> = named.iter().map(|(_, i)| *i).collect();
        drop(named);
        Self::build(input.to_path_buf(), files, Sources::Zip(Box::new(zip), index), limits.max_file_bytes)
    }

    /// Files held in memory (tests, nested archives); of two files with one path the later wins.
    pub fn memory(input: &Path, files: Vec<(String, Vec<u8>)>, limits: &Limits) -> Self {
        let mut files: Vec<(usize, String, Arc<[u8]>)> =
            files.into_iter().enumerate().map(|(i, (p, b))| (i, p, Arc::from(b))).collect();
        files.sort_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        files.dedup_by(|a, b| a.1 == b.1);
        let paths = Paths::from_sorted(files.iter().map(|(_, p, _)| p.as_str()));
        let bytes = files.into_iter().map(|(_, _, b)| b).collect();
        Self::build(input.to_path_buf(), paths, Sources::Memory(bytes), limits.max_file_bytes)
    }

    fn build(input: PathBuf, files: Paths, sources: Sources, max_file_bytes: u64) -> Self {
        // Every folder on the way to a file: walking up from a file's folder stops at the first
        // folder already known (its parents are known too).
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        seen.insert("");
        for path in files.iter() {
            let mut dir = dirname(path);
            while seen.insert(dir) {
                dir = dirname(dir);
            }
        }
        let mut dirs: Vec<&str> = seen.into_iter().collect();
        dirs.sort_unstable();
        let dirs = Paths::from_sorted(dirs);
        Self { input, files, dirs, sources, max_file_bytes, notes: Default::default() }
    }

    /// The same tree without the files `drop` says (their folders go when they empty).
    pub fn without(self, drop: impl Fn(&str) -> bool) -> Self {
        let Self { input, files, sources, max_file_bytes, .. } = self;
        let keep: Vec<usize> = (0..files.len()).filter(|&i| !drop(files.get(i))).collect();
        let kept = Paths::from_sorted(keep.iter().map(|&i| files.get(i)));
        let sources = match sources {
            Sources::Folder(root) => Sources::Folder(root),
            Sources::Zip(zip, index) => Sources::Zip(zip, keep.iter().map(|&i| index[i]).collect()),
            Sources::Memory(bytes) => Sources::Memory(keep.iter().map(|&i| bytes[i].clone()).collect()),
        };
        Self::build(input, kept, sources, max_file_bytes)
    }

    /// The input this tree was read from (for messages).
    pub fn input(&self) -> &Path {
        &self.input
    }

    /// Records a warning found while reading (see [`Vfs::take_notes`]).
    pub fn note(&self, message: String) {
        if let Ok(mut n) = self.notes.lock() {
            if !n.contains(&message) {
                n.push(message);
            }
        }
    }

    /// The warnings recorded while reading so far, sorted, and forgets them.
    pub fn take_notes(&self) -> Vec<String> {
        let mut v = self.notes.lock().map(|mut n| std::mem::take(&mut *n)).unwrap_or_default();
        v.sort();
        v
    }

    /// Where the file `path` is on disk, as the user would name it (the input folder joined with
    /// it, POSIX separators, no leading `./`); `None` for a zip or files held in memory.
    pub fn disk_path(&self, path: &str) -> Option<String> {
        if !matches!(self.sources, Sources::Folder(_)) {
            return None;
        }
        let joined = self.input.join(path).to_string_lossy().replace('\\', "/");
        let mut s = joined.as_str();
        while let Some(rest) = s.strip_prefix("./") {
            s = rest;
        }
        Some(s.to_string())
    }

    /// Whether `path` is a file or a folder of the tree.
    pub fn exists(&self, path: &str) -> bool {
        self.is_file(path) || self.is_dir(path)
    }

    /// Whether `path` is a folder of the tree.
    pub fn is_dir(&self, path: &str) -> bool {
        self.dirs.find(path).is_some()
    }

    /// The id of the file `path`, if it is one.
    pub fn id(&self, path: &str) -> Option<FileId> {
        self.files.find(path).and_then(|i| u32::try_from(i).ok()).map(FileId)
    }

    /// The path of a file of this tree.
    pub fn path(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize)
    }

    /// Whether `path` is a file of the tree.
    pub fn is_file(&self, path: &str) -> bool {
        self.files.find(path).is_some()
    }

    /// The names in the folder `path`, sorted (empty for a file or a missing path).
    pub fn read_dir(&self, path: &str) -> Vec<&str> {
        if !self.is_dir(path) {
            return Vec::new();
        }
        let skip = if path.is_empty() { 0 } else { path.len() + 1 };
        let mut names: Vec<&str> = Vec::new();
        for set in [&self.files, &self.dirs] {
            for i in set.under(path) {
                let rest = &set.get(i)[skip..];
                if !rest.is_empty() && !rest.contains('/') {
                    names.push(rest);
                }
            }
        }
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Every file path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.iter()
    }

    /// Every file path under the folder `dir` (recursively), sorted.
    pub fn files_under<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a str> + 'a {
        self.files.under(dir).map(|i| self.files.get(i))
    }

    /// The id of the file `path`, or an error naming it.
    pub fn file(&self, path: &str) -> Result<FileId> {
        self.id(path).ok_or_else(|| crate::error::Error::Input {
            message: format!("{}: {:?} does not exist", self.input.display(), crate::printable::field(path)),
            hint: None,
        })
    }

    /// Reads the file `path`.
    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        self.read_id(self.file(path)?)
    }

    /// Reads a file of this tree.
    pub fn read_id(&self, id: FileId) -> Result<Vec<u8>> {
        let i = id.0 as usize;
        match &self.sources {
            Sources::Folder(root) => root.read(self.files.get(i), self.max_file_bytes),
            Sources::Zip(zip, index) => zip.read(&zip.entries[index[i] as usize]),
            Sources::Memory(bytes) => Ok(bytes[i].to_vec()),
        }
    }
}

pub use crate::sf::paths::{basename, dirname, join};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_derived_from_file_paths() {
        let vfs = Vfs::memory(
            Path::new("m"),
            vec![("a/b/c.txt".into(), b"x".to_vec()), ("a/d.txt".into(), vec![]), ("e".into(), vec![])],
            &Limits::default(),
        );
        assert_eq!(vfs.read_dir(""), ["a", "e"]);
        assert_eq!(vfs.read_dir("a"), ["b", "d.txt"]);
        assert!(vfs.is_dir("a/b") && !vfs.is_dir("a/d.txt") && vfs.exists("a/d.txt"));
        assert_eq!(vfs.files_under("a").collect::<Vec<_>>(), ["a/b/c.txt", "a/d.txt"]);
        assert_eq!(vfs.read("a/b/c.txt").unwrap(), b"x");
        assert_eq!((dirname("a/b"), basename("a/b"), dirname("a"), join("", "x")), ("a", "b", "", "x".into()));
    }

    #[test]
    fn names_that_sort_around_the_separator_stay_in_their_folders() {
        // '-' and '.' sort before '/', '0' right after it: "a-b", "a.x" and "a0" are not in "a".
        let files = ["a/b/c", "a-b", "a.x", "a/d", "a0", "ab/e"].map(|p| (p.to_string(), p.as_bytes().to_vec()));
        let vfs = Vfs::memory(Path::new("m"), files.to_vec(), &Limits::default());
        assert_eq!(vfs.read_dir(""), ["a", "a-b", "a.x", "a0", "ab"]);
        assert_eq!(vfs.read_dir("a"), ["b", "d"]);
        assert_eq!(vfs.files_under("a").collect::<Vec<_>>(), ["a/b/c", "a/d"]);
        assert!(vfs.read_dir("a.x").is_empty() && vfs.read_dir("nope").is_empty());
        let id = vfs.id("a/d").unwrap();
        assert_eq!(vfs.path(id), "a/d");
        assert_eq!(vfs.id("a"), None, "a folder is no file");
        assert_eq!(vfs.read("a0").unwrap(), b"a0");
    }

    #[test]
    fn of_two_files_with_one_path_the_later_wins_and_removal_keeps_the_rest() {
        let vfs = Vfs::memory(
            Path::new("m"),
            vec![("x".into(), b"1".to_vec()), ("y/z".into(), b"2".to_vec()), ("x".into(), b"3".to_vec())],
            &Limits::default(),
        );
        assert_eq!(vfs.read("x").unwrap(), b"3");
        let vfs = vfs.without(|p| p == "x");
        assert!(!vfs.is_file("x") && vfs.is_dir("y"));
        assert_eq!(vfs.read("y/z").unwrap(), b"2");
    }
}
