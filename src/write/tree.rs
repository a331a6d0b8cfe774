//! New trees: a folder that must not exist (or be empty) written in a stage beside it and
//! renamed into place, whole or not at all.

use super::stage::Stage;
use super::target::{check_name, check_names, check_new_tree, duplicate, parent_of, werr, PlannedFile};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `files` into `to`, which must not exist or be an empty folder: staged beside it and
/// renamed into place, so an error or a kill never leaves half a tree. Files are written on every
/// core.
pub fn new_tree(to: &Path, files: &[PlannedFile]) -> Result<()> {
    use rayon::prelude::*;
    check_new_tree(to)?;
    check_names(files)?;
    let out = TreeWriter::new(to)?;
    files.par_iter().try_for_each(|(rel, bytes)| out.write(rel, bytes))?;
    out.finish().map(|_| ())
}

/// A new folder written while its files are produced (`convert`): each file goes straight into
/// a stage folder beside `to`, from any thread, so memory holds one component at a time rather
/// than the whole tree; [`TreeWriter::finish`] checks the names as [`new_tree`] does and renames
/// the stage into place. An error (or a drop without `finish`) removes the stage: nothing is
/// half-written at `to`.
pub struct TreeWriter {
    stage: Stage,
    tree: PathBuf,
    to: PathBuf,
    dirs: std::sync::Mutex<BTreeSet<PathBuf>>,
    names: std::sync::Mutex<Vec<String>>,
}

impl TreeWriter {
    /// Starts a new tree at `to`, which must not exist or be an empty folder.
    pub fn new(to: &Path) -> Result<Self> {
        check_new_tree(to)?;
        let stage = Stage::new(&parent_of(to))?;
        let tree = stage.path().join("tree");
        std::fs::create_dir(&tree).map_err(werr(&tree))?;
        Ok(Self { stage, tree, to: to.to_path_buf(), dirs: Default::default(), names: Default::default() })
    }

    /// Writes the file `rel` (a relative path with `/` separators); refuses an unsafe or
    /// unportable name, and a name written twice.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        check_name(rel)?;
        let path = self.tree.join(rel);
        if let Some(dir) = path.parent() {
            let known = self.dirs.lock().is_ok_and(|d| d.contains(dir));
            if !known {
                std::fs::create_dir_all(dir).map_err(werr(dir))?;
                if let Ok(mut d) = self.dirs.lock() {
                    d.insert(dir.to_path_buf());
                }
            }
        }
        let mut f = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(duplicate(rel, rel)),
            Err(e) => return Err(werr(&path)(e)),
        };
        f.write_all(bytes).map_err(werr(&path))?;
        if let Ok(mut n) = self.names.lock() {
            n.push(rel.to_string());
        }
        Ok(())
    }

    /// Checks that no two names are the same file on case-insensitive file systems, then renames
    /// the tree into place. Returns the number of files written.
    pub fn finish(self) -> Result<usize> {
        let mut names = std::mem::take(&mut *self.names.lock().map_err(|_| Error::input("a writer thread panicked"))?);
        names.sort();
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for rel in &names {
            if let Some(other) = seen.insert(crate::relpath::folded_name(rel), rel) {
                return Err(duplicate(other, rel));
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(&self.tree, std::fs::Permissions::from_mode(0o755));
        }
        if self.to.is_dir() {
            std::fs::remove_dir(&self.to).map_err(werr(&self.to))?;
        }
        std::fs::rename(&self.tree, &self.to).map_err(werr(&self.to))?;
        drop(self.stage);
        Ok(names.len())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::write::target::planned;

    #[test]
    fn refuses_names_that_collide_or_cannot_be_checked_out() {
        let dir = tempfile::tempdir().unwrap();
        let e = new_tree(&dir.path().join("o"), &planned(&[("classes/Café.cls", ""), ("classes/Cafe\u{301}.cls", "")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("same file"), "{e}");
        let e = new_tree(&dir.path().join("o"), &planned(&[("classes/CON.cls", "")])).unwrap_err().to_string();
        assert!(e.contains("device name"), "{e}");
        let e =
            new_tree(&dir.path().join("o"), &planned(&[("staticresources/a:b.resource", "")])).unwrap_err().to_string();
        assert!(e.contains("cannot be in a file name"), "{e}");
    }
}
