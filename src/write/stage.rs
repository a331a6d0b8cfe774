//! Stage folders beside a target (marked, locked while they live, swept when their run was
//! killed) and the locks that keep one writer per output folder.

use super::target::werr;
use crate::error::{Error, Result};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Stage folders are named `.sfgen-stage-<random>` and hold this marker.
pub(super) const STAGE_PREFIX: &str = ".sfgen-stage-";
const MARKER: &str = "SFGEN-STAGE";
const MARKER_TEXT: &[u8] = b"sfgen stage folder: safe to delete when no sfgen runs here\n";

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
    pub(super) fn file(&self, name: &str) -> PathBuf {
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
        file(&dir.path().join("x.txt"), b"x").unwrap();
        assert!(!killed.exists() && !unmarked.exists() && !half.exists());
        assert!(lookalike.join("notes.txt").exists() && lookalike_marker.join(MARKER).exists());
        assert!(dir.path().join(".sfgen-stage-file").exists());
    }
}
