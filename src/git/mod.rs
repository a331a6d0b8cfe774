//! Git history read in-process (gitoxide, no `git` subprocess and no network): revisions, the
//! files that differ between two commits, listings of folders at a commit, and file contents.
//!
//! Only what `sfgen delta` needs: the change between two trees is found by walking both from
//! their roots and entering only the subtrees whose ids differ (as `git diff --no-renames`
//! finds them), so the work and the memory follow the size of the change, not of the
//! repository.
//!
//! gitoxide (`gix`, default features off: object database, references and rev-parse only) was
//! chosen over git2 by build time on the project's 2-core machine: a clean release build took
//! about 2 minutes for gix against about 3 for git2 with its vendored libgit2 (a C library
//! compiled one file after another), and it needs no C toolchain.

use crate::error::{Error, Result};
use gix::ObjectId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How a file changed between two commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum ChangeKind {
    /// New in the later commit.
    #[serde(rename = "A")]
    Added,
    /// In both, with other content.
    #[serde(rename = "M")]
    Modified,
    /// Gone from the later commit.
    #[serde(rename = "D")]
    Deleted,
}

impl ChangeKind {
    /// `A`, `M` or `D`, as `git diff --name-status` prints it.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Modified => 'M',
            ChangeKind::Deleted => 'D',
        }
    }
}

/// One changed file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Its path from the repository's root, `/`-separated.
    pub path: String,
    /// How it changed.
    pub kind: ChangeKind,
    /// Its blob in the earlier commit (modified and deleted files).
    pub old: Option<ObjectId>,
    /// Its blob in the later commit (added and modified files).
    pub new: Option<ObjectId>,
}

/// An entry of a tree: a file (blob or link) or a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    id: ObjectId,
    is_tree: bool,
}

/// A repository, opened read-only.
pub struct Repo {
    repo: gix::Repository,
    /// Its git folder (other threads open their own handles on it).
    git_dir: PathBuf,
    /// The folder it was found from (for messages).
    dir: PathBuf,
}

/// A commit's tree, with a cache of the folders listed so far.
pub struct Snapshot<'r> {
    repo: &'r Repo,
    /// The commit id.
    pub commit: ObjectId,
    root: ObjectId,
    trees: std::cell::RefCell<HashMap<String, Option<std::rc::Rc<Vec<Entry>>>>>,
}

fn input(message: String, hint: &str) -> Error {
    Error::Input { message, hint: Some(hint.to_string()) }
}

/// The cache every handle gets: 2 MiB of decoded objects serve the trees read twice. A cache
/// of pack delta bases (gitoxide's memory-capped LRU, 8 MiB) was measured too: it saved about 5%
/// of `--plan-tests`' CPU on the bench's repository (N = 5 000) for 17 MiB more peak memory, so
/// it is left out.
fn tune(repo: &mut gix::Repository) {
    repo.object_cache_size(2 << 20);
}

impl Repo {
    /// The repository holding `dir` (it or a parent holds `.git`).
    pub fn discover(dir: &Path) -> Result<Self> {
        let repo = gix::discover(dir).map_err(|e| {
            input(
                format!("{}: not inside a git repository ({e})", dir.display()),
                "run sfgen delta inside the repository's work tree, or give it with --repo-dir",
            )
        })?;
        let mut repo = repo;
        tune(&mut repo);
        let git_dir = repo.git_dir().to_path_buf();
        Ok(Self { repo, git_dir, dir: dir.to_path_buf() })
    }

    /// The folder the repository's files are checked out in (its work tree), if any.
    pub fn work_dir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Whether the clone is shallow (its history cut short, as CI checkouts fetch it).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The commit `spec` names (`HEAD`, `HEAD~1`, `origin/main`, a tag, a hash), or an error
    /// saying what to fetch.
    pub fn commit(&self, flag: &str, spec: &str) -> Result<Snapshot<'_>> {
        let printable = crate::ui::printable(spec);
        let not_found = |why: String| -> Error {
            if self.is_shallow() {
                input(
                    format!(
                        "{flag} {printable}: not in this clone, which is shallow (only the last commits were fetched, as CI checkouts do by default): {why}"
                    ),
                    "fetch the history the range needs: `git fetch --deepen=50` (or `git fetch --unshallow`); in GitHub Actions give actions/checkout `fetch-depth: 0`, in GitLab CI set `GIT_DEPTH: 0`",
                )
            } else {
                input(
                    format!("{flag} {printable}: no such commit in the repository at {}: {why}", self.dir.display()),
                    "check the name (`git log --oneline`), or fetch it first (`git fetch origin <branch or tag>`)",
                )
            }
        };
        let id = self.repo.rev_parse_single(spec).map_err(|e| not_found(e.to_string()))?;
        let object = id.object().map_err(|e| not_found(e.to_string()))?;
        let commit = object.peel_to_commit().map_err(|e| not_found(e.to_string()))?;
        let root = commit.tree_id().map_err(|e| not_found(e.to_string()))?.detach();
        Ok(Snapshot { repo: self, commit: commit.id, root, trees: Default::default() })
    }

    fn read(&self, id: ObjectId) -> Result<Vec<u8>> {
        let object = self.repo.find_object(id).map_err(|e| {
            input(
                format!("{}: cannot read object {id}: {e}", self.dir.display()),
                "the clone may be partial or damaged: fetch again (`git fetch`), or check it with `git fsck`",
            )
        })?;
        Ok(object.detach().data)
    }

    fn entries(&self, tree: ObjectId) -> Result<Vec<Entry>> {
        let data = self.read(tree)?;
        let mut out = Vec::new();
        for e in gix::objs::TreeRefIter::from_bytes(&data, self.repo.object_hash()) {
            let e = e.map_err(|e| {
                input(
                    format!("{}: tree {tree} is unreadable: {e}", self.dir.display()),
                    "check the repository with `git fsck`",
                )
            })?;
            let mode = e.mode;
            if mode.is_commit() {
                // A submodule: its files are another repository's.
                continue;
            }
            out.push(Entry { name: e.filename.to_string(), id: e.oid.to_owned(), is_tree: mode.is_tree() })
        }
        // Git orders a folder as if its name ended in '/': sorted by name, lookups can bisect.
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// `f` of the content of each blob of `ids`, read on every core (in the order of `ids`). Each
    /// run of neighbouring ids (four runs a core) is read through one handle into one reused
    /// buffer: one repository open a run, no copy of each object.
    pub fn map_blobs<T: Send>(&self, ids: &[ObjectId], f: impl Fn(&[u8]) -> T + Sync) -> Result<Vec<T>> {
        use gix::objs::FindExt;
        use rayon::prelude::*;
        let (dir, git_dir) = (&self.dir, &self.git_dir);
        let chunk = ids.len().div_ceil(rayon::current_num_threads().max(1) * 4).max(1);
        let parts: Vec<Result<Vec<T>>> = ids
            .par_chunks(chunk)
            .map(|part| {
                let mut r = gix::open(git_dir).map_err(|e| {
                    input(format!("{}: cannot open the repository: {e}", dir.display()), "check it with `git fsck`")
                })?;
                tune(&mut r);
                let mut out = Vec::with_capacity(part.len());
                let mut buf = Vec::new();
                for id in part {
                    let object = r.objects.find(id, &mut buf).map_err(|e| {
                        input(
                            format!("{}: cannot read object {id}: {e}", dir.display()),
                            "the clone may be partial or damaged: fetch again (`git fetch`), or check it with `git fsck`",
                        )
                    })?;
                    out.push(f(object.data));
                }
                Ok(out)
            })
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for p in parts {
            out.extend(p?);
        }
        Ok(out)
    }

    /// Reads a blob.
    pub fn blob(&self, id: ObjectId) -> Result<Vec<u8>> {
        self.read(id)
    }

    /// The files that differ between `from` and `to`, sorted by path, inside `roots` (folders
    /// from the repository's root; empty: everywhere). A file replaced by a folder (or the
    /// reverse) is a deletion and additions.
    pub fn changes(&self, from: &Snapshot<'_>, to: &Snapshot<'_>, roots: &[String]) -> Result<Vec<Change>> {
        let mut out = Vec::new();
        self.diff_trees("", Some(from.root), Some(to.root), roots, &mut out)?;
        out.sort();
        Ok(out)
    }

    fn diff_trees(
        &self,
        dir: &str,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        roots: &[String],
        out: &mut Vec<Change>,
    ) -> Result<()> {
        if old == new {
            return Ok(());
        }
        let old_entries = match old {
            Some(id) => self.entries(id)?,
            None => Vec::new(),
        };
        let new_entries = match new {
            Some(id) => self.entries(id)?,
            None => Vec::new(),
        };
        // Both lists are sorted by name: walk them side by side.
        let (mut i, mut j) = (0, 0);
        let mut pairs: Vec<(&str, Option<&Entry>, Option<&Entry>)> = Vec::new();
        loop {
            match (old_entries.get(i), new_entries.get(j)) {
                (Some(a), Some(b)) if a.name == b.name => {
                    pairs.push((a.name.as_str(), Some(a), Some(b)));
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if a.name < b.name => {
                    pairs.push((a.name.as_str(), Some(a), None));
                    i += 1;
                }
                (Some(a), None) => {
                    pairs.push((a.name.as_str(), Some(a), None));
                    i += 1;
                }
                (_, Some(b)) => {
                    pairs.push((b.name.as_str(), None, Some(b)));
                    j += 1;
                }
                (None, None) => break,
            }
        }
        for (name, o, n) in pairs {
            let path = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
            let wanted_file = in_roots(&path, roots);
            let wanted_dir = wanted_file || roots.iter().any(|r| r.starts_with(&format!("{path}/")));
            if o.map(|e| &e.id) == n.map(|e| &e.id) && o.map(|e| e.is_tree) == n.map(|e| e.is_tree) {
                continue;
            }
            let (old_tree, old_blob) = split(o);
            let (new_tree, new_blob) = split(n);
            if (old_tree.is_some() || new_tree.is_some()) && wanted_dir {
                self.diff_trees(&path, old_tree, new_tree, roots, out)?;
            }
            if !wanted_file {
                continue;
            }
            match (old_blob, new_blob) {
                (Some(a), Some(b)) if a != b => {
                    out.push(Change { path, kind: ChangeKind::Modified, old: Some(a), new: Some(b) })
                }
                (Some(a), None) => out.push(Change { path, kind: ChangeKind::Deleted, old: Some(a), new: None }),
                (None, Some(b)) => out.push(Change { path, kind: ChangeKind::Added, old: None, new: Some(b) }),
                _ => {}
            }
        }
        Ok(())
    }
}

fn find<'a>(entries: &'a [Entry], name: &str) -> Option<&'a Entry> {
    entries.binary_search_by(|e| e.name.as_str().cmp(name)).ok().map(|i| &entries[i])
}

fn split(e: Option<&Entry>) -> (Option<ObjectId>, Option<ObjectId>) {
    match e {
        Some(e) if e.is_tree => (Some(e.id), None),
        Some(e) => (None, Some(e.id)),
        None => (None, None),
    }
}

/// Whether `path` is one of `roots` or beneath one (every path when `roots` is empty or holds
/// the root, `""`).
pub fn in_roots(path: &str, roots: &[String]) -> bool {
    roots.is_empty() || roots.iter().any(|r| r.is_empty() || path == r || path.starts_with(&format!("{r}/")))
}

impl Snapshot<'_> {
    /// The commit's id, in hex.
    pub fn id(&self) -> String {
        self.commit.to_string()
    }

    fn tree(&self, dir: &str) -> Result<Option<std::rc::Rc<Vec<Entry>>>> {
        if let Some(hit) = self.trees.borrow().get(dir) {
            return Ok(hit.clone());
        }
        let found = if dir.is_empty() {
            Some(std::rc::Rc::new(self.repo.entries(self.root)?))
        } else {
            let (parent, name) = match dir.rsplit_once('/') {
                Some((p, n)) => (p, n),
                None => ("", dir),
            };
            match self.tree(parent)? {
                Some(entries) => match find(&entries, name) {
                    Some(e) if e.is_tree => Some(std::rc::Rc::new(self.repo.entries(e.id)?)),
                    _ => None,
                },
                None => None,
            }
        };
        self.trees.borrow_mut().insert(dir.to_string(), found.clone());
        Ok(found)
    }

    /// The names in the folder `dir` with whether each is a folder (empty when `dir` is none).
    pub fn read_dir(&self, dir: &str) -> Result<Vec<(String, bool)>> {
        Ok(self.tree(dir)?.map(|t| t.iter().map(|e| (e.name.clone(), e.is_tree)).collect()).unwrap_or_default())
    }

    /// The entries of the folder `dir` named `stem` or `stem.<anything>` (a component's files
    /// and folder beside its `-meta.xml`), with whether each is a folder.
    pub fn named_like(&self, dir: &str, stem: &str) -> Result<Vec<(String, bool)>> {
        let Some(t) = self.tree(dir)? else { return Ok(Vec::new()) };
        let start = t.partition_point(|e| e.name.as_str() < stem);
        let dotted = format!("{stem}.");
        Ok(t[start..]
            .iter()
            .take_while(|e| e.name.starts_with(stem))
            .filter(|e| e.name == stem || e.name.starts_with(&dotted))
            .map(|e| (e.name.clone(), e.is_tree))
            .collect())
    }

    /// Every file beneath the folder `dir`, recursively (paths from the repository's root).
    pub fn files_under(&self, dir: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_string()];
        while let Some(d) = stack.pop() {
            for (name, is_dir) in self.read_dir(&d)? {
                let p = if d.is_empty() { name } else { format!("{d}/{name}") };
                if is_dir {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// The blob id of the file `path`, if it is one.
    pub fn file_id(&self, path: &str) -> Result<Option<ObjectId>> {
        let (dir, name) = match path.rsplit_once('/') {
            Some((d, n)) => (d, n),
            None => ("", path),
        };
        Ok(self.tree(dir)?.and_then(|t| find(&t, name).filter(|e| !e.is_tree).map(|e| e.id)))
    }

    /// Whether `path` is a file or a folder at this commit.
    pub fn exists(&self, path: &str) -> Result<bool> {
        Ok(self.file_id(path)?.is_some() || self.tree(path)?.is_some())
    }

    /// The content of the file `path`, if it is one.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self.file_id(path)? {
            Some(id) => self.repo.blob(id).map(Some),
            None => Ok(None),
        }
    }
}
