//! Stage folders beside a target (marked, locked while they live, swept when their run was
//! killed) and the locks that keep one writer per output folder.

use super::target::werr;
use crate::error::{Error, Result};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Stage folders are named `.sfgen-stage-<random>` and hold this marker, complete and locked
/// from the moment the name exists: a stage is made under [`MAKING_PREFIX`], marked and locked
/// there, then renamed to its stage name.
const STAGE_PREFIX: &str = ".sfgen-stage-";
/// A stage being made (or the leftover of a run killed while making one).
const MAKING_PREFIX: &str = ".sfgen-making-";
/// A leftover that a sweep has claimed (renamed) and is removing.
const SWEPT_PREFIX: &str = ".sfgen-swept-";

/// Whether `name` (of a folder's entry) is a stage of a run, being made, live or swept: never
/// part of the output it stands beside.
pub(super) fn is_stage_name(name: &str) -> bool {
    [STAGE_PREFIX, MAKING_PREFIX, SWEPT_PREFIX].iter().any(|p| name.starts_with(p))
}
const MARKER: &str = "SFGEN-STAGE";
const MARKER_TEXT: &[u8] = b"sfgen stage folder: safe to delete when no sfgen runs here\n";
/// How many times a run makes its stage again when a sweep claimed the one it was making.
const MAKE_ATTEMPTS: u32 = 8;

/// A private folder beside a target, removed unless kept; it carries sfgen's marker so that an
/// interrupted run's leftovers can be recognised and removed, and the marker stays locked while
/// the stage lives, so that no other run removes it meanwhile.
pub struct Stage {
    dir: Option<PathBuf>,
    /// The open, locked marker (the lock goes with the process, even when it is killed).
    _marker: Option<std::fs::File>,
}

impl Stage {
    /// A new stage folder in `parent` (created if missing); first removes stage folders of
    /// earlier runs that were killed there.
    ///
    /// The stage is made as `.sfgen-making-<random>`, its marker created, locked and written
    /// there, and only then renamed to `.sfgen-stage-<random>`: a folder under the stage name
    /// always holds a complete marker that its run holds locked, so a sweep never mistakes a
    /// live stage for a killed run's. A sweep may claim (rename away) a making folder whose
    /// marker is not locked yet; the rename to the stage name then fails and the run makes
    /// another. The two renames are atomic, so exactly one of them wins.
    pub fn new(parent: &Path) -> Result<Self> {
        std::fs::create_dir_all(parent).map_err(werr(parent))?;
        sweep(parent);
        let mut last = None;
        for _ in 0..MAKE_ATTEMPTS {
            let making =
                tempfile::Builder::new().prefix(MAKING_PREFIX).tempdir_in(parent).map_err(werr(parent))?.keep();
            let marker_path = making.join(MARKER);
            let made = std::fs::File::create(&marker_path).and_then(|mut marker| {
                lock::exclusive_now(&marker)?;
                marker.write_all(MARKER_TEXT)?;
                Ok(marker)
            });
            let suffix = making.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix(MAKING_PREFIX));
            let (Ok(marker), Some(suffix)) = (made.map_err(|e| last = Some(e)), suffix) else {
                let _ = std::fs::remove_dir_all(&making);
                continue;
            };
            let stage = parent.join(format!("{STAGE_PREFIX}{suffix}"));
            match rename_marked(&making, &stage, marker) {
                Ok(marker) => return Ok(Self { dir: Some(stage), _marker: Some(marker) }),
                Err(e) => {
                    // Claimed by a sweep meanwhile (or, improbably, a name taken): make another.
                    let _ = std::fs::remove_dir_all(&making);
                    last = Some(e);
                }
            }
        }
        let e = last.unwrap_or_else(|| std::io::Error::other("removed while it was being made"));
        Err(werr(&parent.join(format!("{STAGE_PREFIX}*")))(e))
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.as_deref().unwrap_or(Path::new("."))
    }

    /// A path inside the stage for the file `name`.
    pub(super) fn file(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(d) = self.dir.take() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// Removes the leftovers of killed runs in `dir` (nothing else is ever removed):
///
/// - stage folders (`.sfgen-stage-*`) holding sfgen's complete marker that no live run holds
///   locked, and ones holding nothing but at most a beginning of the marker (left by sfgen
///   versions that named a stage before marking it: no live run makes one any more);
/// - folders a run was making (`.sfgen-making-*`) holding nothing but at most the marker, not
///   locked: claimed first by renaming them to `.sfgen-swept-*`, so that the run making one this
///   instant loses its rename and makes another instead of losing its stage later;
/// - claimed folders (`.sfgen-swept-*`) of a sweep that was killed, holding at most the marker.
pub fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let prefix = [STAGE_PREFIX, MAKING_PREFIX, SWEPT_PREFIX].into_iter().find(|p| name.starts_with(p));
        let Some(prefix) = prefix else { continue };
        let Ok(ft) = e.file_type() else { continue };
        if !ft.is_dir() || ft.is_symlink() {
            continue;
        }
        let path = e.path();
        let marker = path.join(MARKER);
        match prefix {
            // A stage whose marker a live run holds locked is that run's. One holding at most a
            // beginning of the marker was left by an sfgen that named a stage before marking it;
            // the lock is still asked, in case such a run is naming its stage this instant.
            STAGE_PREFIX => {
                if (marked(&path) || only_a_marker(&path)) && unlocked(&marker) {
                    let _ = std::fs::remove_dir_all(&path);
                }
            }
            MAKING_PREFIX => {
                let claimed = dir.join(format!("{SWEPT_PREFIX}{}", &name[MAKING_PREFIX.len()..]));
                if only_a_marker(&path) && unlocked(&marker) && std::fs::rename(&path, &claimed).is_ok() {
                    let _ = std::fs::remove_dir_all(&claimed);
                }
            }
            _ => {
                if only_a_marker(&path) {
                    let _ = std::fs::remove_dir_all(&path);
                }
            }
        }
    }
}

/// Whether `dir` holds sfgen's complete marker (a file holding exactly its text).
fn marked(dir: &Path) -> bool {
    let marker = dir.join(MARKER);
    std::fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file())
        && std::fs::read(&marker).is_ok_and(|b| b == MARKER_TEXT)
}

/// Whether `dir` holds nothing but, at most, a marker that is sfgen's text or a beginning of it.
fn only_a_marker(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    for e in entries.flatten() {
        if e.file_name() != MARKER || !e.file_type().is_ok_and(|t| t.is_file()) {
            return false;
        }
        let Ok(bytes) = std::fs::read(e.path()) else { return false };
        if !MARKER_TEXT.starts_with(&bytes) {
            return false;
        }
    }
    true
}

/// Whether no live process holds the marker at `marker` locked (or there is no marker yet).
fn unlocked(marker: &Path) -> bool {
    std::fs::File::open(marker).map(|f| lock::try_exclusive(&f).unwrap_or(false)).unwrap_or(true)
}

/// Renames the marked folder `making` to `stage`, and gives back its marker, open and still in
/// place under the new name (no sweep removed it meanwhile).
#[cfg(unix)]
fn rename_marked(making: &Path, stage: &Path, marker: std::fs::File) -> std::io::Result<std::fs::File> {
    std::fs::rename(making, stage)?;
    if same_file(&marker, &stage.join(MARKER)) {
        return Ok(marker);
    }
    let _ = std::fs::remove_dir_all(stage);
    Err(std::io::Error::other("removed while it was being made"))
}

/// Windows refuses to rename a folder holding an open file; there the marker holds no lock (see
/// `lock`), so it is closed for the rename and opened again after it.
#[cfg(not(unix))]
fn rename_marked(making: &Path, stage: &Path, marker: std::fs::File) -> std::io::Result<std::fs::File> {
    drop(marker);
    std::fs::rename(making, stage)?;
    std::fs::File::open(stage.join(MARKER))
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::write::file;

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
        // Killed while making a stage (under the making name), and a sweep killed after claiming.
        let making_empty = dir.path().join(".sfgen-making-e1");
        std::fs::create_dir(&making_empty).unwrap();
        let making_marked = dir.path().join(".sfgen-making-m1");
        std::fs::create_dir(&making_marked).unwrap();
        std::fs::write(making_marked.join(MARKER), MARKER_TEXT).unwrap();
        let swept = dir.path().join(".sfgen-swept-s1");
        std::fs::create_dir(&swept).unwrap();
        std::fs::write(swept.join(MARKER), &MARKER_TEXT[..3]).unwrap();
        let making_mine = dir.path().join(".sfgen-making-mine");
        std::fs::create_dir(&making_mine).unwrap();
        std::fs::write(making_mine.join("notes.txt"), "mine").unwrap();
        file(&dir.path().join("x.txt"), b"x").unwrap();
        assert!(!killed.exists() && !unmarked.exists() && !half.exists());
        assert!(!making_empty.exists() && !making_marked.exists() && !swept.exists());
        assert!(lookalike.join("notes.txt").exists() && lookalike_marker.join(MARKER).exists());
        assert!(making_mine.join("notes.txt").exists());
        assert!(dir.path().join(".sfgen-stage-file").exists());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".sfgen-swept-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    /// Finding 6 of issue 24, again (CI, 1 run in 48): a sweep that had seen a stage being made
    /// (no marker yet) removed it after its run had finished making it. Runs making stages while
    /// others sweep the same folder each keep theirs until they drop it, and nothing is left.
    #[test]
    fn a_sweep_never_removes_a_stage_made_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path().to_path_buf();
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        sweep(&parent);
                    }
                });
            }
            let makers: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        for _ in 0..300 {
                            let stage = Stage::new(&parent).unwrap();
                            std::fs::write(stage.file("a.zip"), b"zip").unwrap();
                            assert!(stage.path().join(MARKER).is_file() && stage.file("a.zip").is_file());
                        }
                    })
                })
                .collect();
            // Every maker is joined and the sweepers stopped before any verdict, so that a failing
            // maker fails the test instead of leaving the sweepers running forever.
            let results: Vec<_> = makers.into_iter().map(|m| m.join()).collect();
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            for r in results {
                if let Err(panic) = r {
                    std::panic::resume_unwind(panic);
                }
            }
        });
        let left: Vec<_> = std::fs::read_dir(&parent).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    }
}
