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
//!   In a folder holding the user's files, a kill leaves every file whole (its old or its new
//!   content, the user's untouched), but during the final renames some generated files may be
//!   new while others are still old; the record is written before those renames, so the next run
//!   completes the change.
//! - **One writer at a time.** An output folder is locked (`flock` on the folder) while it is
//!   written, and the new folder is locked before it is swapped in: a second run into the same
//!   folder waits for the first and then writes its own complete result, or, after
//!   [`LOCK_WAIT`], is refused with a message saying so.
//! - **The record is checked like an archive.** An entry of the record is used only if it is a
//!   relative path inside the folder (no `..`, not absolute) and the record belongs to this
//!   folder and to the user running sfgen; a file is removed through no link (each folder of its
//!   path is opened without following links), only while its content is still what sfgen wrote,
//!   and every removal is reported.
//! - **Nothing left behind.** Stage folders carry a marker file, locked by the run that owns the
//!   stage for as long as it lives; the next run in the same place removes stage folders of runs
//!   that were killed (only folders with sfgen's marker and no live owner, so neither a user's
//!   own `.sfgen-x` file nor a stage of a run still going is ever touched).

pub use crate::zip_write as zip;

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
/// interrupted run's leftovers can be recognised and removed, and the marker stays locked while
/// the stage lives, so that no other run removes it meanwhile.
pub struct Stage {
    dir: Option<tempfile::TempDir>,
    /// The open, locked marker (the lock goes with the process, even when it is killed).
    _marker: Option<std::fs::File>,
}

impl Stage {
    /// A new stage folder in `parent` (created if missing); first removes stage folders of
    /// earlier runs that were killed there.
    pub fn new(parent: &Path) -> Result<Self> {
        std::fs::create_dir_all(parent).map_err(werr(parent))?;
        sweep(parent);
        // A run killed between creating its stage and marking it leaves a stage without a
        // complete marker, which the next sweep removes (it cannot tell it from one being made
        // this instant). So a stage that another run's sweep removed while this one was making it
        // is made again; once its marker is locked and still in place, no sweep touches it.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let dir = tempfile::Builder::new().prefix(STAGE_PREFIX).tempdir_in(parent).map_err(werr(parent))?;
            // Created empty, locked, then marked: a sweep that sees the marker's text finds it locked.
            let marker_path = dir.path().join(MARKER);
            let made = std::fs::File::create(&marker_path).and_then(|mut marker| {
                lock::exclusive_now(&marker)?;
                marker.write_all(MARKER_TEXT)?;
                Ok(marker)
            });
            match made {
                Ok(marker) if still_in_place(&marker, &marker_path) => {
                    return Ok(Self { dir: Some(dir), _marker: Some(marker) });
                }
                Err(e) if attempt >= 8 => return Err(werr(&marker_path)(e)),
                _ if attempt >= 8 => {
                    return Err(werr(&marker_path)(std::io::Error::other("removed while it was being made")));
                }
                _ => {}
            }
        }
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
/// marker that no live run holds locked (nothing else is ever removed).
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
        if !is_ours {
            // A run killed between creating its stage and marking it: the folder holds nothing,
            // or only a marker still being written (empty or a beginning of the text). Nothing of
            // anyone's is lost by removing it; a run making it this instant makes another.
            if unfinished_stage(&e.path()) {
                let unlocked =
                    std::fs::File::open(&marker).map(|f| lock::try_exclusive(&f).unwrap_or(false)).unwrap_or(true);
                if unlocked {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
            continue;
        }
        // A stage whose marker another process holds locked belongs to a run still going.
        let Ok(f) = std::fs::File::open(&marker) else { continue };
        if lock::try_exclusive(&f).unwrap_or(false) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A stage folder holding nothing but, at most, a marker that is a beginning of sfgen's text.
fn unfinished_stage(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    for e in entries.flatten() {
        if e.file_name() != MARKER || !e.file_type().is_ok_and(|t| t.is_file()) {
            return false;
        }
        let Ok(bytes) = std::fs::read(e.path()) else { return false };
        if !MARKER_TEXT.starts_with(&bytes) || bytes.len() == MARKER_TEXT.len() {
            return false;
        }
    }
    true
}

/// Whether the open `marker` is still the file at `path` (no sweep removed it meanwhile).
fn still_in_place(marker: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (marker.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = marker;
        path.is_file()
    }
}

/// Exclusive advisory locks (`flock`): released when the file is closed or the process dies,
/// so a killed run never leaves a lock behind.
#[cfg(unix)]
mod lock {
    /// Takes the lock, or says it is held elsewhere (`false`).
    pub(super) fn try_exclusive(f: &std::fs::File) -> std::io::Result<bool> {
        match rustix::fs::flock(f, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(true),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Takes the lock on a file nobody else can know yet (a new stage's marker).
    pub(super) fn exclusive_now(f: &std::fs::File) -> std::io::Result<()> {
        rustix::fs::flock(f, rustix::fs::FlockOperation::NonBlockingLockExclusive).map_err(Into::into)
    }
}

/// Without `flock`, a stage counts as live for a day after its marker was written.
#[cfg(not(unix))]
mod lock {
    pub(super) fn try_exclusive(f: &std::fs::File) -> std::io::Result<bool> {
        let age = f.metadata()?.modified()?.elapsed().unwrap_or_default();
        Ok(age > std::time::Duration::from_secs(24 * 3600))
    }

    pub(super) fn exclusive_now(_f: &std::fs::File) -> std::io::Result<()> {
        Ok(())
    }
}

/// How long a run waits for another run writing into the same output folder.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Exclusive hold on output folders while they are written (see the module docs); released when
/// dropped.
#[derive(Default)]
pub struct FolderLock {
    held: Vec<std::fs::File>,
}

impl FolderLock {
    /// Locks the folder `dir` (which exists), waiting up to [`LOCK_WAIT`] for another run. The
    /// lock is on the folder itself: when another run swapped a new folder in while this one
    /// waited, the new one is locked instead.
    pub fn folder(dir: &Path) -> Result<Self> {
        let mut me = Self::default();
        me.add(dir)?;
        Ok(me)
    }

    /// Also locks `dir`.
    pub fn add(&mut self, dir: &Path) -> Result<()> {
        if cfg!(not(unix)) {
            return Ok(());
        }
        let start = std::time::Instant::now();
        loop {
            let f = open_dir(dir).map_err(werr(dir))?;
            if lock::try_exclusive(&f).map_err(werr(dir))? {
                if same_file(&f, dir) {
                    self.held.push(f);
                    return Ok(());
                }
                // Swapped while we waited: lock what is there now.
                continue;
            }
            if start.elapsed() > LOCK_WAIT {
                return Err(Error::Input {
                    message: format!(
                        "another sfgen run is writing into {} (waited {} s for it)",
                        dir.display(),
                        LOCK_WAIT.as_secs()
                    ),
                    hint: Some("let it finish, then run again, or write to another folder".into()),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

/// Opens a folder for locking, not through a link.
fn open_dir(dir: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.custom_flags((rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::NOFOLLOW).bits() as i32);
    }
    o.open(dir)
}

/// Whether the open `f` is what `path` names now.
fn same_file(f: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (f.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (f, path);
        true
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

/// Refuses a command whose output is one of its inputs, or two of whose outputs are one file
/// (issue 24, finding 9: `check --junit sfgen.json`, `package -c c.json --out c.json`,
/// `diff --org X.zip --delta-out X.zip` replaced the file they read). `outputs` and `inputs`
/// pair each path with how the command line named it (`--junit`, `-c`, ...). Paths are the same
/// when they are one file or folder on disk, however named (`./x`, `d/../x`, a link), or, when
/// the output does not exist yet, the same path once made absolute and normalised. Called before
/// anything is read or written, so nothing is.
pub fn refuse_overwriting_inputs(outputs: &[(&str, &Path)], inputs: &[(&str, &Path)]) -> Result<()> {
    for (i, (flag, out)) in outputs.iter().enumerate() {
        if let Some((what, input)) = inputs.iter().find(|(_, input)| same_path(out, input)) {
            return Err(Error::Input {
                message: format!(
                    "{flag} {} is {what} {}, which this command reads: writing it would replace the input",
                    crate::shell::path(out),
                    crate::shell::path(input)
                ),
                hint: Some(format!("give {flag} another path")),
            });
        }
        if let Some((other, _)) = outputs[..i].iter().find(|(_, earlier)| same_path(out, earlier)) {
            return Err(Error::Input {
                message: format!(
                    "{other} and {flag} both name {}: the second report would replace the first",
                    crate::shell::path(out)
                ),
                hint: Some(format!("give {flag} another path")),
            });
        }
    }
    Ok(())
}

/// Whether `a` and `b` name one file or folder (see [`refuse_overwriting_inputs`]).
fn same_path(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    #[cfg(not(unix))]
    {
        if let (Ok(x), Ok(y)) = (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            return x == y;
        }
    }
    normalised(a).is_some_and(|x| normalised(b).is_some_and(|y| x == y))
}

/// `path` made absolute, with `.` and `..` resolved lexically.
fn normalised(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Some(out)
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

/// What sfgen wrote into an output folder: `{ "folder": path, "files": { path: sha256 } }`, and
/// while a write is under way (saved before its renames, so that a kill leaves a record that
/// matches the folder whatever it holds) `"previous"`: what the files held before it.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Record {
    #[serde(default)]
    folder: String,
    files: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    previous: BTreeMap<String, String>,
}

impl Record {
    /// Whether `hash` is what sfgen wrote (or was writing) at `rel`.
    fn wrote(&self, rel: &str, hash: &str) -> bool {
        self.files.get(rel).is_some_and(|h| h == hash) || self.previous.get(rel).is_some_and(|h| h == hash)
    }

    /// Every path the record knows.
    fn paths(&self) -> BTreeSet<&String> {
        self.files.keys().chain(self.previous.keys()).collect()
    }

    /// The record saved before the new files are renamed in: the new files, and what the old
    /// record said of every path.
    fn during(old: &Record, new: &Record) -> Record {
        let mut previous = old.previous.clone();
        previous.extend(old.files.iter().map(|(k, v)| (k.clone(), v.clone())));
        Record { folder: String::new(), files: new.files.clone(), previous }
    }
}

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

/// The record of `root`, read as untrusted input (a state folder may be shared: a cached
/// `XDG_STATE_HOME`, `sudo` keeping `HOME`): ignored whole when another user owns it or it was
/// written for another folder; an entry that is not a relative path inside the folder (`..`,
/// absolute, a backslash) is dropped. Each is said in `warnings`.
fn read_record(root: &Path, warnings: &mut Vec<String>) -> Record {
    let Some(path) = record_path(root) else { return Record::default() };
    let Ok(bytes) = crate::read::archive::read_file_capped(&path, 16 << 20, false, "") else {
        return Record::default();
    };
    let shown = || crate::shell::printable(&path.display().to_string());
    let ignored = |why: &str| {
        format!(
            "ignoring sfgen's record of {} ({}): {why}; files sfgen wrote there before are kept",
            crate::shell::printable(&root.display().to_string()),
            shown()
        )
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let me = rustix::process::geteuid().as_raw();
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.uid() != me) {
            warnings.push(ignored("another user owns it"));
            return Record::default();
        }
    }
    let Ok(mut record) = serde_json::from_slice::<Record>(&bytes) else {
        warnings.push(ignored("it is not a record sfgen can read"));
        return Record::default();
    };
    let here = std::fs::canonicalize(root).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    if record.folder != here {
        warnings.push(ignored("it was written for another folder"));
        return Record::default();
    }
    for map in [&mut record.files, &mut record.previous] {
        let bad: Vec<String> =
            map.keys().filter(|k| crate::relpath::check_relative_path(k).is_err()).cloned().collect();
        for k in bad {
            map.remove(&k);
            warnings.push(format!(
                "sfgen's record of {} ({}) names {:?}, which is not a path inside the folder: ignored",
                crate::shell::printable(&root.display().to_string()),
                shown(),
                crate::shell::printable(&k)
            ));
        }
    }
    record
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
        if let Some(other) = seen.insert(crate::relpath::folded_name(rel), rel) {
            return Err(duplicate(other, rel));
        }
    }
    Ok(())
}

/// Refuses a name that is unsafe (absolute, `..`) or cannot be checked out everywhere.
fn check_name(rel: &str) -> Result<()> {
    crate::relpath::check_relative_path(rel)
        .map_err(|why| Error::input(format!("refusing to write {:?}: {why}", crate::ui::printable(rel))))?;
    if let Some(why) = crate::relpath::unportable_name(rel) {
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
    check_targets(root, files)?;
    let (mut lock, created) = lock_output(root)?;
    // Checked again under the lock: another run may have changed the folder meanwhile.
    check_targets(root, files)?;
    sweep(root);
    let mut warnings = Vec::new();
    let record = read_record(root, &mut warnings);
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

/// The record of a write of `files`.
fn record_of(files: &[PlannedFile]) -> Record {
    let mut r = Record::default();
    for (rel, bytes) in files {
        r.files.insert(rel.clone(), sha256_hex(bytes));
    }
    r
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
    check_targets(root, files)?;
    let (mut lock, created) = lock_output(root)?;
    check_targets(root, files)?;
    sweep(root);
    let mut warnings = Vec::new();
    let record = read_record(root, &mut warnings);
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
        if !record.paths().contains(&rel) {
            return Ok(false);
        }
        let Ok(bytes) = std::fs::read(entry.path()) else { return Ok(false) };
        if !record.wrote(&rel, &sha256_hex(&bytes)) {
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

    #[test]
    fn killed_stages_are_swept_but_look_alikes_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let killed = dir.path().join(".sfgen-stage-abc");
        std::fs::create_dir(&killed).unwrap();
        std::fs::write(killed.join(MARKER), MARKER_TEXT).unwrap();
        let lookalike = dir.path().join(".sfgen-stage-mine");
        std::fs::create_dir(&lookalike).unwrap();
        std::fs::write(lookalike.join("notes.txt"), "mine").unwrap();
        let lookalike_marker = dir.path().join(".sfgen-stage-marked");
        std::fs::create_dir(&lookalike_marker).unwrap();
        std::fs::write(lookalike_marker.join(MARKER), "not sfgen's").unwrap();
        std::fs::write(dir.path().join(".sfgen-stage-file"), "x").unwrap();
        // Killed between creating the stage and marking it: empty, or a marker half written.
        let unmarked = dir.path().join(".sfgen-stage-unmarked");
        std::fs::create_dir(&unmarked).unwrap();
        let half = dir.path().join(".sfgen-stage-half");
        std::fs::create_dir(&half).unwrap();
        std::fs::write(half.join(MARKER), &MARKER_TEXT[..7]).unwrap();
        file(&dir.path().join("x.txt"), b"x").unwrap();
        assert!(!killed.exists() && !unmarked.exists() && !half.exists());
        assert!(lookalike.join("notes.txt").exists() && lookalike_marker.join(MARKER).exists());
        assert!(dir.path().join(".sfgen-stage-file").exists());
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
