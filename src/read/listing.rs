//! Folder inputs: the files beneath a folder listed a level at a time (links, devices, pipes,
//! sockets and colliding names refused) and read beneath it without following a link
//! (`O_NOFOLLOW`, `openat2` with `RESOLVE_BENEATH` on Linux), each at most a cap.

use super::files::{open_file, read_capped, Refused};
use super::limits::{over_limit, refuse, Limits, Names};
use crate::error::{Error, Result};
use crate::relpath::check_relative_path;
use std::path::{Path, PathBuf};

/// A folder input: files are opened beneath it, never through a link, and only when regular.
#[derive(Debug)]
pub struct Root {
    path: PathBuf,
    #[cfg(target_os = "linux")]
    fd: Option<rustix::fd::OwnedFd>,
}

impl Root {
    /// Opens the folder `path` (itself not a link).
    pub fn open(path: &Path) -> Result<Self> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let fd = rustix::fs::open(
                path,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| Error::Input {
                message: format!("{}: cannot open the folder: {e}", path.display()),
                hint: Some("give a readable folder that is not a symbolic link".into()),
            })?;
            Ok(Self { path: path.to_path_buf(), fd: Some(fd) })
        }
        #[cfg(not(target_os = "linux"))]
        Ok(Self { path: path.to_path_buf() })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file `rel` (a checked relative POSIX path) beneath the folder, at most `cap`
    /// bytes. No component of `rel` may be a link, and the file must be a regular file at the
    /// moment it is opened (not only when it was listed).
    pub fn read(&self, rel: &str, cap: u64) -> Result<Vec<u8>> {
        let full = self.path.join(rel);
        let file = self.open_beneath(rel)?;
        let meta =
            file.metadata().map_err(|e| Error::Input { message: format!("{}: {e}", full.display()), hint: None })?;
        if !meta.is_file() {
            return Err(refuse(&self.path, rel, "not a regular file", "remove it, or ignore it in .forceignore"));
        }
        if meta.len() > cap {
            return Err(over_limit(
                &self.path,
                &format!(
                    "{:?} has {} bytes, more than the per-file limit of {cap}",
                    crate::ui::printable(rel),
                    meta.len()
                ),
                "SFGEN_MAX_FILE_BYTES",
            ));
        }
        read_capped(file, &full, cap, "raise SFGEN_MAX_FILE_BYTES if it is").map_err(|_| {
            over_limit(
                &self.path,
                &format!("{:?} grew past {cap} bytes while being read", crate::ui::printable(rel)),
                "SFGEN_MAX_FILE_BYTES",
            )
        })
    }

    fn open_beneath(&self, rel: &str) -> Result<std::fs::File> {
        let link = || {
            refuse(
                &self.path,
                rel,
                "symbolic link (sfgen does not follow links)",
                "replace the link with the file it points to, or ignore it in .forceignore",
            )
        };
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            use rustix::fs::{Mode, OFlags, ResolveFlags};
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
            let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
            match rustix::fs::openat2(fd, rel, flags, Mode::empty(), resolve) {
                Ok(f) => return Ok(std::fs::File::from(f)),
                Err(rustix::io::Errno::LOOP) | Err(rustix::io::Errno::XDEV) => return Err(link()),
                Err(rustix::io::Errno::NOSYS) => {} // kernel before 5.6: fall back below
                Err(e) => {
                    return Err(Error::Input {
                        message: format!("{}: cannot read {:?}: {e}", self.path.display(), crate::ui::printable(rel)),
                        hint: None,
                    })
                }
            }
        }
        // Elsewhere: refuse a link at any component, then open without following the last one.
        let mut at = self.path.clone();
        for seg in rel.split('/') {
            at.push(seg);
            if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(link());
            }
        }
        open_file(&at, false).map_err(|e| match e {
            Refused::Link => link(),
            Refused::Other(e) => e,
        })
    }
}

/// Lists every regular file under `root`, skipping what `skip(rel_path, is_dir)` says to (a
/// skipped folder is not entered). Links, devices, pipes and sockets are refused, never followed;
/// names must be safe and must not collide on case-insensitive or normalising file systems.
///
/// The walk goes a level of folders at a time, the folders of a level on every core. Names are
/// compared for collisions among siblings only: two paths that fold to the same name differ
/// first in a pair of siblings that fold to the same name, so that pair is what is refused, and
/// no set of every path is kept. When several entries are refused, the one first in path order
/// is reported, whatever the scheduling.
pub fn list_dir(root: &Path, limits: &Limits, skip: &(dyn Fn(&str, bool) -> bool + Sync)) -> Result<Vec<String>> {
    use rayon::prelude::*;
    // Files listed so far, on every core: `list_one` refuses the one over the cap.
    let files = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<String> = Vec::new();
    let mut level: Vec<String> = vec![String::new()];
    while !level.is_empty() {
        let results: Vec<Listing> = level.par_iter().map(|dir| list_one(root, dir, limits, skip, &files)).collect();
        let mut next = Vec::new();
        let mut first_error: Option<(String, Error)> = None;
        for r in results {
            match r {
                Ok((listed, dirs)) => {
                    out.extend(listed);
                    next.extend(dirs);
                }
                Err((at, e)) => {
                    if first_error.as_ref().is_none_or(|(prev, _)| at < *prev) {
                        first_error = Some((at, e));
                    }
                }
            }
        }
        if let Some((_, e)) = first_error {
            return Err(e);
        }
        level = next;
    }
    out.par_sort_unstable();
    Ok(out)
}

/// What [`list_one`] gives for one folder.
type Listing = std::result::Result<(Vec<String>, Vec<String>), (String, Error)>;

/// One folder of [`list_dir`]'s walk: its files and its sub-folders (relative paths), or the
/// first refused entry (by path) with the error.
fn list_one(
    root: &Path,
    dir: &str,
    limits: &Limits,
    skip: &(dyn Fn(&str, bool) -> bool + Sync),
    files: &std::sync::atomic::AtomicUsize,
) -> Listing {
    let at = if dir.is_empty() { root.to_path_buf() } else { root.join(dir) };
    let cannot = |e: std::io::Error| {
        (dir.to_string(), Error::Input { message: format!("{}: cannot read: {e}", at.display()), hint: None })
    };
    let mut entries: Vec<(String, std::fs::FileType)> = Vec::new();
    for entry in std::fs::read_dir(&at).map_err(cannot)? {
        let entry = entry.map_err(cannot)?;
        let ft = entry.file_type().map_err(cannot)?;
        let Ok(name) = entry.file_name().into_string() else {
            let lossy = entry.path().to_string_lossy().into_owned();
            return Err((
                lossy.clone(),
                refuse(root, &lossy, "name is not UTF-8", "rename the file with a UTF-8 name"),
            ));
        };
        let rel = if dir.is_empty() { name } else { format!("{dir}/{name}") };
        if skip(&rel, ft.is_dir()) {
            continue;
        }
        entries.push((rel, ft));
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut names = Names::new();
    let mut listed = Vec::new();
    let mut dirs = Vec::new();
    for (rel, ft) in &entries {
        let err = |why: &str, hint: &str| Err((rel.clone(), refuse(root, rel, why, hint)));
        if ft.is_symlink() {
            return err(
                "symbolic link (sfgen does not follow links)",
                "replace the link with the file it points to, or ignore it in .forceignore",
            );
        }
        if let Err(why) = check_relative_path(rel) {
            return err(why, "rename the file");
        }
        names.add(root, rel).map_err(|e| (rel.clone(), e))?;
        if ft.is_dir() {
            dirs.push(rel.clone());
            continue;
        }
        if !ft.is_file() {
            return err("not a regular file (a device, pipe or socket)", "remove it, or ignore it in .forceignore");
        }
        if files.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= limits.max_entries {
            return Err((
                rel.clone(),
                over_limit(root, &format!("more than {} files", limits.max_entries), "SFGEN_MAX_ENTRIES"),
            ));
        }
        // No stat per file: the per-file cap is enforced when a file is read (on the open file,
        // so a file that grows in between is caught too).
        listed.push(rel.clone());
    }
    Ok((listed, dirs))
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn listing_is_sorted_and_refuses_the_first_bad_entry_by_path_whatever_the_cores_do() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["a", "b/c", "z"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in ["a.x", "a/1", "b/c/2", "z/3", "a-b"] {
            std::fs::write(root.join(f), f).unwrap();
        }
        let listed = list_dir(root, &Limits::default(), &|_, _| false).unwrap();
        assert_eq!(listed, ["a-b", "a.x", "a/1", "b/c/2", "z/3"]);
        // A skipped folder is not entered; a skipped file is not listed.
        let skipped =
            list_dir(root, &Limits::default(), &|rel, is_dir| (is_dir && rel == "b") || rel == "z/3").unwrap();
        assert_eq!(skipped, ["a-b", "a.x", "a/1"]);
        // Two links on one level, in folders listed on different cores: the first by path is named.
        std::os::unix::fs::symlink("/etc/passwd", root.join("z/link")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("a/link")).unwrap();
        for _ in 0..20 {
            let e = list_dir(root, &Limits::default(), &|_, _| false).unwrap_err().to_string();
            assert!(e.contains("\"a/link\"") && e.contains("symbolic link"), "{e}");
        }
        // Siblings that fold to one name collide; the same name in two folders does not.
        std::fs::remove_file(root.join("a/link")).unwrap();
        std::fs::remove_file(root.join("z/link")).unwrap();
        std::fs::write(root.join("z/1"), "").unwrap();
        assert!(list_dir(root, &Limits::default(), &|_, _| false).is_ok());
        std::fs::write(root.join("z/Z3"), "").unwrap();
        std::fs::write(root.join("z/z3"), "").unwrap();
        let e = list_dir(root, &Limits::default(), &|_, _| false).unwrap_err().to_string();
        assert!(e.contains("collides with \"z/Z3\""), "{e}");
        // The file cap counts across folders.
        std::fs::remove_file(root.join("z/z3")).unwrap();
        let few = Limits { max_entries: 3, ..Limits::default() };
        let e = list_dir(root, &few, &|_, _| false).unwrap_err().to_string();
        assert!(e.contains("more than 3 files"), "{e}");
    }
}
