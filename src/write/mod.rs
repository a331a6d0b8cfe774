//! The one atomic writer: every file sfgen writes (generated folders, converted trees, zips,
//! deltas, reports, configs) goes through here.
//!
//! - **Whole files.** A file is written into a private stage folder beside its target, synced, and
//!   renamed over the target: a kill leaves the old file or the new one, never half of one.
//! - **Only what may be replaced.** A target that exists must be a regular file (or, for a folder
//!   output, a folder); a device, FIFO, socket or link is never replaced (`--out /dev/null` is
//!   refused, not clobbered).
//! - **The user's folders stay the user's.** A folder that holds files sfgen did not write (a git
//!   checkout, an SFDX project) is never renamed or replaced: each generated file is written whole
//!   in place, folders are created with default permissions but existing ones keep theirs, and only
//!   what sfgen itself wrote before (listed in its record of that folder, content unchanged since)
//!   is removed when it is generated no more. The record lives in sfgen's state folder
//!   (`$SFGEN_STATE_DIR`, else `$XDG_STATE_HOME/sfgen` or `~/.local/state/sfgen`), never in the
//!   output: a Metadata API deploy of a folder zips every file in it, hidden ones included.
//! - **A folder sfgen owns** (new, empty, or holding only what its record lists) is replaced as a
//!   whole: the complete new folder is staged beside it and exchanged with it in one rename
//!   (`renameat2(RENAME_EXCHANGE)` on Linux), so a kill leaves the old folder or the new one. Never
//!   the working directory or one of its parents.
//! - **Nothing left behind.** Stage folders carry a marker file; the next run in the same place
//!   removes stage folders of runs that were killed (only folders with sfgen's marker, so a user's
//!   own `.sfgen-x` file is never touched).

pub mod zip;

use crate::error::{Error, Result};
use sha2::Digest as _;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Stage folders are named `.sfgen-stage-<random>` and hold this marker.
const STAGE_PREFIX: &str = ".sfgen-stage-";
const MARKER: &str = "SFGEN-STAGE";
const MARKER_TEXT: &[u8] = b"sfgen stage folder: safe to delete when no sfgen runs here\n";

fn werr(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What is at `path` now.
enum Existing {
    Nothing,
    File,
    Dir,
    Other(&'static str),
}

fn existing(path: &Path) -> Result<Existing> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Existing::Nothing),
        Err(e) => Err(Error::Write { path: path.to_path_buf(), source: e }),
        Ok(m) => {
            let ft = m.file_type();
            Ok(if ft.is_symlink() {
                Existing::Other("a symbolic link")
            } else if ft.is_file() {
                Existing::File
            } else if ft.is_dir() {
                Existing::Dir
            } else {
                Existing::Other("a device, pipe or socket")
            })
        }
    }
}

/// Refuses to write the file `path` unless it is absent or a regular file.
pub fn check_file_target(path: &Path) -> Result<()> {
    match existing(path)? {
        Existing::Nothing | Existing::File => Ok(()),
        Existing::Dir => Err(Error::Input {
            message: format!("{} is a folder", path.display()),
            hint: Some("give a file name".into()),
        }),
        Existing::Other(what) => Err(Error::Input {
            message: format!("{} is {what}; sfgen writes only regular files and folders", path.display()),
            hint: Some("give the path of a new or regular file".into()),
        }),
    }
}

/// A private folder beside a target, removed unless kept; it carries sfgen's marker so that an
/// interrupted run's leftovers can be recognised and removed.
pub struct Stage {
    dir: Option<tempfile::TempDir>,
}

impl Stage {
    /// A new stage folder in `parent` (created if missing); first removes stage folders of
    /// earlier runs that were killed there.
    pub fn new(parent: &Path) -> Result<Self> {
        std::fs::create_dir_all(parent).map_err(werr(parent))?;
        sweep(parent);
        let dir = tempfile::Builder::new().prefix(STAGE_PREFIX).tempdir_in(parent).map_err(werr(parent))?;
        std::fs::write(dir.path().join(MARKER), MARKER_TEXT).map_err(werr(dir.path()))?;
        Ok(Self { dir: Some(dir) })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.as_ref().map_or(Path::new("."), |d| d.path())
    }

    /// A path inside the stage for the file `name`.
    fn file(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(d) = self.dir.take() {
            let _ = d.close();
        }
    }
}

/// Removes stage folders of killed runs in `dir`: folders named `.sfgen-stage-*` holding sfgen's
/// marker (nothing else is ever removed).
pub fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(STAGE_PREFIX) {
            continue;
        }
        let Ok(ft) = e.file_type() else { continue };
        if !ft.is_dir() || ft.is_symlink() {
            continue;
        }
        let marker = e.path().join(MARKER);
        let is_ours = std::fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file())
            && std::fs::read(&marker).is_ok_and(|b| b == MARKER_TEXT);
        if is_ours {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn sync_and_mode(file: &std::fs::File, path: &Path) -> Result<()> {
    file.sync_all().map_err(werr(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(werr(path))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically (see the module docs).
pub fn file(path: &Path, bytes: &[u8]) -> Result<()> {
    file_with(path, |w| w.write_all(bytes).map_err(werr(path))).map(|_| ())
}

/// Writes `path` atomically through `fill`, which streams the content into the writer it gets.
pub fn file_with<T>(path: &Path, fill: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> Result<T>) -> Result<T> {
    check_file_target(path)?;
    let stage = Stage::new(&parent_of(path))?;
    let tmp = stage.file("file");
    let f = std::fs::File::create(&tmp).map_err(werr(path))?;
    let out = {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, &f);
        let out = fill(&mut w)?;
        w.flush().map_err(werr(path))?;
        out
    };
    sync_and_mode(&f, path)?;
    drop(f);
    check_file_target(path)?;
    std::fs::rename(&tmp, path).map_err(werr(path))?;
    Ok(out)
}

/// What [`zip_file`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipWritten {
    /// Size of the zip in bytes.
    pub bytes: u64,
    /// SHA-256 of the zip, lower-case hex.
    pub sha256: String,
}

/// Streams a zip to `path` atomically, hashing it on the way; `fill` adds the entries.
pub fn zip_file(
    path: &Path,
    fill: impl FnOnce(&mut zip::ZipStream<zip::HashingWriter<&mut std::io::BufWriter<&std::fs::File>>>) -> Result<()>,
) -> Result<ZipWritten> {
    file_with(path, |w| {
        let mut z = zip::ZipStream::new(zip::HashingWriter::new(w));
        fill(&mut z)?;
        let (bytes, sha256, _) = z.finish()?.finish();
        Ok(ZipWritten { bytes, sha256 })
    })
}

/// A file to write into a folder: path relative to it, and contents.
pub type PlannedFile = (String, Vec<u8>);

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes).iter().fold(String::new(), |mut s, b| {
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
        s
    })
}

/// What sfgen wrote into an output folder: `{ "folder": path, "files": { path: sha256 } }`.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Record {
    #[serde(default)]
    folder: String,
    files: BTreeMap<String, String>,
}

/// sfgen's state folder, where records of output folders are kept.
fn state_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("SFGEN_STATE_DIR")
        .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("sfgen")))
        .or_else(|| var("LOCALAPPDATA").map(|d| d.join("sfgen").join("state")))
        .or_else(|| var("HOME").map(|d| d.join(".local").join("state").join("sfgen")))
}

/// Where the record of the output folder `root` is kept (by its absolute path).
fn record_path(root: &Path) -> Option<PathBuf> {
    let abs = match std::fs::canonicalize(root) {
        Ok(p) => p,
        Err(_) => std::fs::canonicalize(parent_of(root)).ok()?.join(root.file_name()?),
    };
    let key = sha256_hex(abs.to_string_lossy().as_bytes());
    Some(state_dir()?.join("outputs").join(format!("{}.json", &key[..32])))
}

fn read_record(root: &Path) -> Record {
    record_path(root)
        .and_then(|p| crate::read::archive::read_file_capped(&p, 16 << 20, false, "").ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Saves the record of `root` (best effort: without a state folder, sfgen only forgets what it
/// wrote, and then treats the folder as the user's).
fn save_record(root: &Path, record: &mut Record) {
    let Some(path) = record_path(root) else { return };
    record.folder = std::fs::canonicalize(root).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let _ = file(&path, &serde_json::to_vec_pretty(record).unwrap_or_default());
}

/// Refuses paths that would escape the output or collide or be unusable on other file systems.
pub fn check_names(files: &[PlannedFile]) -> Result<()> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (rel, _) in files {
        check_name(rel)?;
        if let Some(other) = seen.insert(crate::read::archive::folded_name(rel), rel) {
            return Err(duplicate(other, rel));
        }
    }
    Ok(())
}

/// Refuses a name that is unsafe (absolute, `..`) or cannot be checked out everywhere.
fn check_name(rel: &str) -> Result<()> {
    crate::read::archive::check_relative_path(rel)
        .map_err(|why| Error::input(format!("refusing to write {:?}: {why}", crate::ui::printable(rel))))?;
    if let Some(why) = crate::read::archive::unportable_name(rel) {
        return Err(Error::Input {
            message: format!("refusing to write {:?}: {why}", crate::ui::printable(rel)),
            hint: Some("rename the component: such a name cannot be checked out on every platform".into()),
        });
    }
    Ok(())
}

fn duplicate(other: &str, rel: &str) -> Error {
    Error::Input {
        message: format!(
            "refusing to write both {:?} and {:?}: they are the same file on case-insensitive or normalising file systems (macOS, Windows)",
            crate::ui::printable(other),
            crate::ui::printable(rel)
        ),
        hint: Some("rename one of the two components".into()),
    }
}

/// Refuses targets that go through a link or anything but folders and regular files.
fn check_targets(root: &Path, files: &[PlannedFile]) -> Result<()> {
    check_names(files)?;
    for (rel, _) in files {
        let mut at = root.to_path_buf();
        let segs: Vec<&str> = rel.split('/').collect();
        for (i, seg) in segs.iter().enumerate() {
            at.push(seg);
            match existing(&at)? {
                Existing::Nothing => break,
                Existing::Dir if i + 1 < segs.len() => {}
                Existing::File if i + 1 == segs.len() => {}
                Existing::Other(what) => {
                    return Err(Error::Input {
                        message: format!("refusing to write through {} ({what})", at.display()),
                        hint: Some("replace it with a real folder or file, or choose another output".into()),
                    })
                }
                _ => {
                    return Err(Error::Input {
                        message: format!("{} is in the way of {rel}", at.display()),
                        hint: Some("move it away, or choose another output".into()),
                    })
                }
            }
        }
    }
    Ok(())
}

/// How [`folder`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderMode {
    /// The folder was new or sfgen's own: replaced as a whole.
    Replaced,
    /// The folder holds other files: each file written in place.
    InPlace,
}

/// Writes `files` into the folder `root` (see the module docs): returns how, and the paths of
/// files sfgen wrote before that it removed.
pub fn folder(root: &Path, files: &[PlannedFile]) -> Result<(FolderMode, Vec<String>)> {
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
    check_targets(root, files)?;
    sweep(root);
    let record = read_record(root);
    let mut new_record = Record::default();
    for (rel, bytes) in files {
        new_record.files.insert(rel.clone(), sha256_hex(bytes));
    }
    if owned(root, &record)? && !is_cwd_or_parent(root) {
        if let Some(removed) = replace_folder(root, files, &record, &new_record)? {
            save_record(root, &mut new_record);
            return Ok((FolderMode::Replaced, removed));
        }
    }
    let removed = write_in_place(root, files, &record, &new_record)?;
    save_record(root, &mut new_record);
    Ok((FolderMode::InPlace, removed))
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
    check_targets(root, files)?;
    sweep(root);
    let record = read_record(root);
    if !owned(root, &record)? {
        return Err(Error::Input {
            message: format!(
                "{} holds files sfgen did not write (a project, a retrieve?); it is left as it is",
                root.display()
            ),
            hint: Some("give a new or empty folder, or a path ending in .zip".into()),
        });
    }
    let mut new_record = Record::default();
    for (rel, bytes) in files {
        new_record.files.insert(rel.clone(), sha256_hex(bytes));
    }
    if is_cwd_or_parent(root) || replace_folder(root, files, &record, &new_record)?.is_none() {
        write_in_place(root, files, &record, &new_record)?;
    }
    save_record(root, &mut new_record);
    Ok(())
}

/// Whether every file under `root` is one sfgen wrote there, unchanged (or `root` is new/empty).
fn owned(root: &Path, record: &Record) -> Result<bool> {
    if !root.exists() {
        return Ok(true);
    }
    let walker = walkdir::WalkDir::new(root).follow_links(false).min_depth(1).into_iter();
    for entry in walker.filter_entry(|e| !(e.depth() == 1 && e.file_name().to_string_lossy().starts_with(STAGE_PREFIX)))
    {
        let Ok(entry) = entry else { return Ok(false) };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            return Ok(false);
        }
        let rel = entry.path().strip_prefix(root).map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
        let Some(hash) = record.files.get(&rel) else { return Ok(false) };
        let Ok(bytes) = std::fs::read(entry.path()) else { return Ok(false) };
        if sha256_hex(&bytes) != *hash {
            return Ok(false);
        }
    }
    Ok(true)
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

/// Stages the complete new folder and exchanges it with `root`; `None` when the platform cannot
/// exchange (the caller then writes in place).
fn replace_folder(root: &Path, files: &[PlannedFile], old: &Record, new: &Record) -> Result<Option<Vec<String>>> {
    let parent = parent_of(root);
    let stage = Stage::new(&parent)?;
    let tree = stage.path().join("tree");
    std::fs::create_dir(&tree).map_err(werr(&tree))?;
    write_tree(&tree, files)?;
    let removed: Vec<String> = old.files.keys().filter(|k| !new.files.contains_key(*k)).cloned().collect();
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
        if old.files.contains_key(&rel_s) || new.files.contains_key(&rel_s) {
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
    for (tmp, target) in &staged {
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(werr(dir))?;
        }
        std::fs::rename(tmp, target).map_err(werr(target))?;
    }
    let mut removed = Vec::new();
    for (rel, hash) in &old.files {
        if new.files.contains_key(rel) {
            continue;
        }
        let path = root.join(rel);
        let unchanged = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
            && std::fs::read(&path).is_ok_and(|b| sha256_hex(&b) == *hash);
        if unchanged && std::fs::remove_file(&path).is_ok() {
            removed.push(rel.clone());
            // Remove folders the removal emptied, up to the root.
            let mut dir = path.parent().map(Path::to_path_buf);
            while let Some(d) = dir {
                if d == root || std::fs::remove_dir(&d).is_err() {
                    break;
                }
                dir = d.parent().map(Path::to_path_buf);
            }
        }
    }
    Ok(removed)
}

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
            if let Some(other) = seen.insert(crate::read::archive::folded_name(rel), rel) {
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

/// Refuses an output folder that exists and is not empty (or is not a folder).
pub fn check_new_tree(to: &Path) -> Result<()> {
    match existing(to)? {
        Existing::Nothing => {}
        Existing::Dir if std::fs::read_dir(to).map(|mut d| d.next().is_none()).unwrap_or(false) => {}
        _ => {
            return Err(Error::Input {
                message: format!("{} already exists and is not an empty folder", to.display()),
                hint: Some("give a new or empty folder (sfgen never mixes its output with existing files here)".into()),
            })
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn planned(files: &[(&str, &str)]) -> Vec<PlannedFile> {
        files.iter().map(|(p, c)| ((*p).to_string(), c.as_bytes().to_vec())).collect()
    }

    #[test]
    fn file_replaces_and_leaves_no_stage() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.zip");
        file(&target, b"one").unwrap();
        file(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn never_replaces_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.zip");
        std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
        assert!(file(&link, b"x").unwrap_err().to_string().contains("symbolic link"));
        assert!(file(Path::new("/dev/null"), b"x").unwrap_err().to_string().contains("device"));
    }

    #[test]
    fn owned_folders_are_replaced_and_user_folders_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        // Records go to a private state folder for this test.
        std::env::set_var("SFGEN_STATE_DIR", state.path());
        let out = dir.path().join("out");
        let (mode, _) = folder(&out, &planned(&[("a/x.txt", "1"), ("b.txt", "2")])).unwrap();
        assert_eq!(mode, FolderMode::Replaced);
        // Unchanged and generated again: still owned; b.txt is dropped.
        let (mode, removed) = folder(&out, &planned(&[("a/x.txt", "3")])).unwrap();
        assert_eq!((mode, removed), (FolderMode::Replaced, vec!["b.txt".to_string()]));
        assert!(!out.join("b.txt").exists());
        // A user's file: written in place from now on, the user's file untouched.
        std::fs::write(out.join("mine.md"), "hi").unwrap();
        std::fs::write(out.join(".sfgen-notes"), "mine too").unwrap();
        let (mode, _) = folder(&out, &planned(&[("a/x.txt", "4"), ("c.txt", "5")])).unwrap();
        assert_eq!(mode, FolderMode::InPlace);
        assert_eq!(std::fs::read_to_string(out.join("mine.md")).unwrap(), "hi");
        assert_eq!(std::fs::read_to_string(out.join(".sfgen-notes")).unwrap(), "mine too");
        // A generated file the user edited is not removed when it is generated no more.
        std::fs::write(out.join("c.txt"), "edited").unwrap();
        let (_, removed) = folder(&out, &planned(&[("a/x.txt", "4")])).unwrap();
        assert!(removed.is_empty());
        assert_eq!(std::fs::read_to_string(out.join("c.txt")).unwrap(), "edited");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn killed_stages_are_swept_but_look_alikes_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let killed = dir.path().join(".sfgen-stage-abc");
        std::fs::create_dir(&killed).unwrap();
        std::fs::write(killed.join(MARKER), MARKER_TEXT).unwrap();
        let lookalike = dir.path().join(".sfgen-stage-mine");
        std::fs::create_dir(&lookalike).unwrap();
        std::fs::write(dir.path().join(".sfgen-stage-file"), "x").unwrap();
        file(&dir.path().join("x.txt"), b"x").unwrap();
        assert!(!killed.exists());
        assert!(lookalike.exists() && dir.path().join(".sfgen-stage-file").exists());
    }

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
