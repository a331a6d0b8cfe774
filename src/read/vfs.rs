//! The files of one input as a tree: what the resolver walks (folders, names, sizes) without
//! reading any content, and the one place content is read from, on demand, through the defensive
//! readers of [`super::archive`].

use super::archive::{Limits, Root, Zip, ZipEntry};
use crate::error::Result;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a file's bytes come from.
#[derive(Debug, Clone)]
enum Source {
    /// A file beneath a folder input (its path in the tree is its path in the folder).
    Folder,
    /// An entry of a zip input.
    Zip(usize),
    /// Bytes already in memory.
    Memory(Arc<[u8]>),
}

#[derive(Debug, Clone)]
struct File {
    size: u64,
    source: Source,
}

/// The backing store of a [`Vfs`].
#[derive(Debug)]
enum Backing {
    Folder(Root),
    Zip(Box<Zip>),
    Memory,
}

/// A read-only tree of files with POSIX paths relative to the input's root.
#[derive(Debug)]
pub struct Vfs {
    input: PathBuf,
    files: BTreeMap<String, File>,
    /// Folder → its entries' names (files and folders), sorted; the root is `""`.
    dirs: BTreeMap<String, Vec<String>>,
    backing: Backing,
    max_file_bytes: u64,
    zip_entries: Vec<ZipEntry>,
}

impl Vfs {
    /// The files listed under the folder `root` (see [`super::archive::list_dir`]).
    pub fn folder(root: Root, listed: Vec<super::archive::Listed>, limits: &Limits) -> Self {
        let input = root.path().to_path_buf();
        let files = listed.into_iter().map(|l| (l.rel, File { size: l.size, source: Source::Folder }));
        Self::build(input, files, Backing::Folder(root), limits, Vec::new())
    }

    /// The entries of a checked zip; `strip` removes a top folder (`unpackaged/`).
    pub fn zip(input: &Path, zip: Zip, strip: Option<&str>, limits: &Limits) -> Self {
        let entries = zip.entries.clone();
        let prefix = strip.map(|s| format!("{s}/"));
        let files: Vec<(String, File)> = entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let name = match &prefix {
                    Some(p) => e.name.strip_prefix(p.as_str())?.to_string(),
                    None => e.name.clone(),
                };
                Some((name, File { size: e.size, source: Source::Zip(i) }))
            })
            .collect();
        Self::build(input.to_path_buf(), files, Backing::Zip(Box::new(zip)), limits, entries)
    }

    /// Files held in memory (tests, nested archives).
    pub fn memory(input: &Path, files: Vec<(String, Vec<u8>)>, limits: &Limits) -> Self {
        let files = files.into_iter().map(|(p, b)| {
            let size = b.len() as u64;
            (p, File { size, source: Source::Memory(Arc::from(b)) })
        });
        Self::build(input.to_path_buf(), files, Backing::Memory, limits, Vec::new())
    }

    fn build(
        input: PathBuf,
        files: impl IntoIterator<Item = (String, File)>,
        backing: Backing,
        limits: &Limits,
        zip_entries: Vec<ZipEntry>,
    ) -> Self {
        let files: BTreeMap<String, File> = files.into_iter().collect();
        // Folders from the (sorted) file paths: each folder's entries are collected once, without
        // allocating a key per path segment for folders already known.
        let mut dirs: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        dirs.insert(String::new(), Vec::new());
        for path in files.keys() {
            let mut start = 0;
            let mut parent_end = 0;
            loop {
                let rest = &path[start..];
                let (seg, last) = match rest.find('/') {
                    Some(i) => (&rest[..i], false),
                    None => (rest, true),
                };
                let parent = &path[..parent_end];
                match dirs.get_mut(parent) {
                    Some(children) => {
                        if children.last().map(String::as_str) != Some(seg) {
                            children.push(seg.to_string());
                        }
                    }
                    None => {
                        dirs.insert(parent.to_string(), vec![seg.to_string()]);
                    }
                }
                if last {
                    break;
                }
                parent_end = start + seg.len();
                start = parent_end + 1;
            }
        }
        let mut dirs: BTreeMap<String, Vec<String>> = dirs.into_iter().collect();
        for children in dirs.values_mut() {
            children.sort();
            children.dedup();
        }
        Self { input, files, dirs, backing, max_file_bytes: limits.max_file_bytes, zip_entries }
    }

    /// The same tree without the files `drop` says (their folders go when they empty).
    pub fn without(self, drop: impl Fn(&str) -> bool) -> Self {
        let Self { input, files, backing, max_file_bytes, zip_entries, .. } = self;
        let kept: Vec<(String, File)> = files.into_iter().filter(|(p, _)| !drop(p)).collect();
        let mut v =
            Self::build(input, kept, Backing::Memory, &Limits { max_file_bytes, ..Limits::default() }, zip_entries);
        v.backing = backing;
        v
    }

    /// The input this tree was read from (for messages).
    pub fn input(&self) -> &Path {
        &self.input
    }

    /// Whether `path` is a file or a folder of the tree.
    pub fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path) || self.dirs.contains_key(path)
    }

    /// Whether `path` is a folder of the tree.
    pub fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains_key(path)
    }

    /// Whether `path` is a file of the tree.
    pub fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// The names in the folder `path`, sorted (empty for a file or a missing path).
    pub fn read_dir(&self, path: &str) -> &[String] {
        self.dirs.get(path).map_or(&[], Vec::as_slice)
    }

    /// Every file path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Every file path under the folder `dir` (recursively), sorted.
    pub fn files_under<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        self.files.range(prefix.clone()..).map(|(k, _)| k.as_str()).take_while(move |k| k.starts_with(&prefix))
    }

    /// The size of the file `path` as listed.
    pub fn size(&self, path: &str) -> u64 {
        self.files.get(path).map_or(0, |f| f.size)
    }

    /// Reads the file `path`.
    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        let Some(file) = self.files.get(path) else {
            return Err(crate::error::Error::Input {
                message: format!("{}: {:?} does not exist", self.input.display(), crate::ui::printable(path)),
                hint: None,
            });
        };
        match (&file.source, &self.backing) {
            (Source::Folder, Backing::Folder(root)) => root.read(path, self.max_file_bytes),
            (Source::Zip(i), Backing::Zip(zip)) => zip.read(&self.zip_entries[*i]),
            (Source::Memory(bytes), _) => Ok(bytes.to_vec()),
            _ => Err(crate::error::Error::input("internal error: file source and backing disagree")),
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
}
