//! Folder outputs: a folder sfgen owns is replaced as a whole (staged and exchanged in one
//! rename); a folder holding the user's files is written in place, file by file.

use super::file::sync_and_mode;
use super::record::{owned, read_record, record_of, save_record, sha256_hex, Record};
use super::stage::{sweep, FolderLock, Stage};
use super::target::{check_targets, existing, parent_of, werr, Existing, PlannedFile};
use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What [`folder`] did besides writing the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderWritten {
    /// Whether the folder was replaced as a whole or written in place.
    pub mode: FolderMode,
    /// Files sfgen wrote there before and generates no more, removed (relative paths).
    pub removed: Vec<String>,
    /// What the user should know (a record that was ignored, and why).
    pub warnings: Vec<String>,
}

/// How [`folder`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderMode {
    /// The folder was new or sfgen's own: replaced as a whole.
    Replaced,
    /// The folder holds other files: each file written in place.
    InPlace,
}

/// Writes `files` into the folder `root` (see the module docs): returns how, the paths of files
/// sfgen wrote before that it removed, and warnings about its record.
pub fn folder(root: &Path, files: &[PlannedFile]) -> Result<FolderWritten> {
    match existing(root)? {
        Existing::Nothing | Existing::Dir => {}
        Existing::File => {
            return Err(Error::Input {
                message: format!("{} exists and is not a folder", root.display()),
                hint: Some("choose another output folder".into()),
            })
        }
        Existing::Other(what) => {
            return Err(Error::Input {
                message: format!("{} is {what}; sfgen writes only into real folders", root.display()),
                hint: Some("give the real folder, or a new path".into()),
            })
        }
    }
    let (mut lock, created, record, warnings) = lock_and_read(root, files)?;
    let new_record = record_of(files);
    if owned(root, &record)? && !is_cwd_or_parent(root) {
        if let Some(removed) = replace_folder(root, files, &record, &new_record, &mut lock)? {
            created.keep();
            save_record(root, &mut { new_record });
            return Ok(FolderWritten { mode: FolderMode::Replaced, removed, warnings });
        }
    }
    let removed = write_in_place(root, files, &record, &new_record)?;
    created.keep();
    save_record(root, &mut { new_record });
    Ok(FolderWritten { mode: FolderMode::InPlace, removed, warnings })
}

/// Creates the output folder `root` if missing and locks it (see [`FolderLock`]); a folder it
/// created is removed again if the write fails before anything is in it.
fn lock_output(root: &Path) -> Result<(FolderLock, CreatedDir)> {
    let mut created = CreatedDir(None);
    if cfg!(unix) {
        std::fs::create_dir_all(parent_of(root)).map_err(werr(root))?;
        match std::fs::create_dir(root) {
            Ok(()) => created.0 = Some(root.to_path_buf()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(werr(root)(e)),
        }
    }
    Ok((FolderLock::folder(root)?, created))
}

/// A folder created for an output, removed on drop while still empty unless [`CreatedDir::keep`].
struct CreatedDir(Option<PathBuf>);

impl CreatedDir {
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for CreatedDir {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir(p);
        }
    }
}

/// Writes `files` as the whole content of the folder `root`, which must be new, empty, or hold
/// only what sfgen wrote there before (an earlier delta): anything else is refused, never wiped.
pub fn owned_folder(root: &Path, files: &[PlannedFile]) -> Result<()> {
    if let Existing::Other(what) = existing(root)? {
        return Err(Error::Input {
            message: format!("{} is {what}; sfgen writes only into real folders", root.display()),
            hint: Some("give the real folder, or a new path".into()),
        });
    }
    if root.is_file() {
        return Err(Error::Input {
            message: format!("{} exists and is not a folder", root.display()),
            hint: Some("give a folder, or a path ending in .zip for a zip".into()),
        });
    }
    let (mut lock, created, record, warnings) = lock_and_read(root, files)?;
    if !owned(root, &record)? {
        return Err(Error::Input {
            message: format!(
                "{} holds files sfgen did not write (a project, a retrieve?); it is left as it is{}",
                root.display(),
                warnings.iter().map(|w| format!("\n  note: {w}")).collect::<String>()
            ),
            hint: Some("give a new or empty folder, or a path ending in .zip".into()),
        });
    }
    let new_record = record_of(files);
    if is_cwd_or_parent(root) || replace_folder(root, files, &record, &new_record, &mut lock)?.is_none() {
        write_in_place(root, files, &record, &new_record)?;
    }
    created.keep();
    save_record(root, &mut { new_record });
    Ok(())
}

/// Locks the output folder `root` for this run (creating it when missing), checks the targets
/// before and again under the lock (another run may have changed the folder meanwhile), removes
/// stages of killed runs, and reads sfgen's record of the folder (with warnings about it).
fn lock_and_read(root: &Path, files: &[PlannedFile]) -> Result<(FolderLock, CreatedDir, Record, Vec<String>)> {
    check_targets(root, files)?;
    let (lock, created) = lock_output(root)?;
    check_targets(root, files)?;
    sweep(root);
    let mut warnings = Vec::new();
    let record = read_record(root, &mut warnings);
    Ok((lock, created, record, warnings))
}

fn is_cwd_or_parent(root: &Path) -> bool {
    let (Ok(cwd), Ok(root)) = (std::env::current_dir(), std::fs::canonicalize(root)) else { return root.exists() };
    cwd.starts_with(&root)
}

fn write_tree(base: &Path, files: &[PlannedFile]) -> Result<()> {
    use rayon::prelude::*;
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for (rel, _) in files {
        if let Some(p) = Path::new(rel).parent() {
            dirs.insert(base.join(p));
        }
    }
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(werr(d))?;
    }
    files.par_iter().try_for_each(|(rel, bytes)| {
        let path = base.join(rel);
        std::fs::write(&path, bytes).map_err(werr(&path))
    })
}

/// Whether `dir` is a folder with nothing in it.
fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

/// Stages the complete new folder and exchanges it with `root` (or, when `root` is missing or
/// empty, renames it over it); `None` when the platform cannot exchange (the caller then writes
/// in place). The caller holds `root`'s lock; the new folder is locked before it is swapped in,
/// so a run waiting for `root` waits for this one to finish with the new folder too.
fn replace_folder(
    root: &Path,
    files: &[PlannedFile],
    old: &Record,
    new: &Record,
    lock: &mut FolderLock,
) -> Result<Option<Vec<String>>> {
    let parent = parent_of(root);
    let stage = Stage::new(&parent)?;
    let tree = stage.path().join("tree");
    std::fs::create_dir(&tree).map_err(werr(&tree))?;
    write_tree(&tree, files)?;
    let removed: Vec<String> = old.files.keys().filter(|k| !new.files.contains_key(*k)).cloned().collect();
    // Held with `root`'s lock until the caller has saved the record.
    lock.add(&tree)?;
    // Saved before the swap: whichever of the two folders a kill leaves, the record matches it.
    save_record(root, &mut Record::during(old, new));
    if !root.exists() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(&tree, std::fs::Permissions::from_mode(0o755));
        }
        std::fs::rename(&tree, root).map_err(werr(root))?;
        return Ok(Some(removed));
    }
    // The new folder keeps the old one's permissions (and owner, where sfgen may set it).
    if let Ok(meta) = std::fs::metadata(root) {
        let _ = std::fs::set_permissions(&tree, meta.permissions());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            let _ = std::os::unix::fs::chown(&tree, Some(meta.uid()), Some(meta.gid()));
        }
    }
    if is_empty_dir(root) {
        // Over an empty folder, rename replaces it in one step (POSIX).
        std::fs::rename(&tree, root).map_err(werr(root))?;
        return Ok(Some(removed));
    }
    if !exchange(&tree, root) {
        return Ok(None);
    }
    // `tree` now holds the old folder. Files another process wrote into it meanwhile are moved
    // into the new one rather than lost.
    for entry in walkdir::WalkDir::new(&tree).follow_links(false).min_depth(1).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&tree) else { continue };
        let rel_s = rel.to_string_lossy().replace('\\', "/");
        if old.paths().contains(&rel_s) || new.files.contains_key(&rel_s) {
            continue;
        }
        let dest = root.join(rel);
        if !dest.exists() {
            if let Some(p) = dest.parent() {
                let _ = std::fs::create_dir_all(p);
            }
            let _ = std::fs::rename(entry.path(), &dest);
        }
    }
    Ok(Some(removed))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    rustix::fs::renameat_with(rustix::fs::CWD, a, rustix::fs::CWD, b, rustix::fs::RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> bool {
    false
}

/// Writes each file whole in place, then removes what sfgen wrote before and generates no more.
fn write_in_place(root: &Path, files: &[PlannedFile], old: &Record, new: &Record) -> Result<Vec<String>> {
    std::fs::create_dir_all(root).map_err(werr(root))?;
    let stage = Stage::new(root)?;
    // Stage every file first (so an error leaves the folder untouched), then rename them in.
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
    for (i, (rel, bytes)) in files.iter().enumerate() {
        let tmp = stage.file(&format!("f{i}"));
        let mut f = std::fs::File::create(&tmp).map_err(werr(&tmp))?;
        f.write_all(bytes).map_err(werr(&tmp))?;
        sync_and_mode(&f, &root.join(rel))?;
        staged.push((tmp, root.join(rel)));
    }
    // Saved before the renames: a kill among them leaves files old or new, both of which the
    // record knows, so the next run still recognises (and completes) sfgen's files.
    save_record(root, &mut Record::during(old, new));
    for (tmp, target) in &staged {
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(werr(dir))?;
        }
        std::fs::rename(tmp, target).map_err(werr(target))?;
    }
    let mut removed = Vec::new();
    for rel in old.paths() {
        if new.files.contains_key(rel) {
            continue;
        }
        if remove_recorded(root, rel, old) {
            removed.push(rel.clone());
        }
    }
    Ok(removed)
}

/// Largest file sfgen hashes to decide whether it may remove it (what it wrote is far smaller).
const MAX_REMOVE_BYTES: u64 = 256 << 20;

/// Removes the file `rel` (a checked relative path) under `root` when it is a regular file whose
/// content is what `record` says sfgen wrote there, then the folders that removal emptied, up to
/// `root`. No link is followed: each folder on the way is opened relative to the one before it,
/// without following links, so a folder the user replaced with a link stops the removal.
#[cfg(unix)]
fn remove_recorded(root: &Path, rel: &str, record: &Record) -> bool {
    use rustix::fs::{openat, unlinkat, AtFlags, Mode, OFlags, CWD};
    use std::io::Read as _;
    if crate::relpath::check_relative_path(rel).is_err() {
        return false;
    }
    let dir_flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let segs: Vec<&str> = rel.split('/').collect();
    let Some((name, folders)) = segs.split_last() else { return false };
    let Ok(top) = openat(CWD, root, dir_flags, Mode::empty()) else { return false };
    let mut fds = vec![top];
    for seg in folders {
        let Some(at) = fds.last() else { return false };
        let Ok(fd) = openat(at, *seg, dir_flags, Mode::empty()) else { return false };
        fds.push(fd);
    }
    let Some(dir) = fds.last() else { return false };
    let file_flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let Ok(fd) = openat(dir, *name, file_flags, Mode::empty()) else { return false };
    let file = std::fs::File::from(fd);
    if !file.metadata().is_ok_and(|m| m.is_file() && m.len() <= MAX_REMOVE_BYTES) {
        return false;
    }
    let mut bytes = Vec::new();
    if (&file).take(MAX_REMOVE_BYTES).read_to_end(&mut bytes).is_err() || !record.wrote(rel, &sha256_hex(&bytes)) {
        return false;
    }
    if unlinkat(dir, *name, AtFlags::empty()).is_err() {
        return false;
    }
    // Folders the removal emptied, innermost first; a folder still holding something stays.
    for (i, seg) in folders.iter().enumerate().rev() {
        if unlinkat(&fds[i], *seg, AtFlags::REMOVEDIR).is_err() {
            break;
        }
    }
    true
}

/// [`remove_recorded`] where folders cannot be opened relative to each other: every folder on
/// the way must be a real folder (not a link) when checked.
#[cfg(not(unix))]
fn remove_recorded(root: &Path, rel: &str, record: &Record) -> bool {
    if crate::relpath::check_relative_path(rel).is_err() {
        return false;
    }
    let segs: Vec<&str> = rel.split('/').collect();
    let mut at = root.to_path_buf();
    for (i, seg) in segs.iter().enumerate() {
        at.push(seg);
        let Ok(m) = std::fs::symlink_metadata(&at) else { return false };
        let last = i + 1 == segs.len();
        if m.file_type().is_symlink() || (last && !m.is_file()) || (!last && !m.is_dir()) {
            return false;
        }
    }
    let unchanged = std::fs::metadata(&at).is_ok_and(|m| m.len() <= MAX_REMOVE_BYTES)
        && std::fs::read(&at).is_ok_and(|b| record.wrote(rel, &sha256_hex(&b)));
    if !unchanged || std::fs::remove_file(&at).is_err() {
        return false;
    }
    let mut dir = at.parent().map(Path::to_path_buf);
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(&d).is_err() {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::write::target::planned;

    #[test]
    fn owned_folders_are_replaced_and_user_folders_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        // Records go to a private state folder for this test.
        std::env::set_var("SFGEN_STATE_DIR", state.path());
        let out = dir.path().join("out");
        let w = folder(&out, &planned(&[("a/x.txt", "1"), ("b.txt", "2")])).unwrap();
        assert_eq!(w.mode, FolderMode::Replaced);
        // Unchanged and generated again: still owned; b.txt is dropped.
        let w = folder(&out, &planned(&[("a/x.txt", "3")])).unwrap();
        assert_eq!((w.mode, w.removed), (FolderMode::Replaced, vec!["b.txt".to_string()]));
        assert!(!out.join("b.txt").exists());
        // A user's file: written in place from now on, the user's file untouched.
        std::fs::write(out.join("mine.md"), "hi").unwrap();
        std::fs::write(out.join(".sfgen-notes"), "mine too").unwrap();
        let w = folder(&out, &planned(&[("a/x.txt", "4"), ("c.txt", "5")])).unwrap();
        assert_eq!(w.mode, FolderMode::InPlace);
        assert_eq!(std::fs::read_to_string(out.join("mine.md")).unwrap(), "hi");
        assert_eq!(std::fs::read_to_string(out.join(".sfgen-notes")).unwrap(), "mine too");
        // A generated file the user edited is not removed when it is generated no more.
        std::fs::write(out.join("c.txt"), "edited").unwrap();
        let w = folder(&out, &planned(&[("a/x.txt", "4")])).unwrap();
        assert!(w.removed.is_empty());
        assert_eq!(std::fs::read_to_string(out.join("c.txt")).unwrap(), "edited");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }
}
