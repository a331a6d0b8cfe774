//! Single files read defensively: only regular files, a final link refused unless followed on
//! purpose, never more than a cap.

use crate::error::{Error, Result};
use std::io::Read as _;
use std::path::Path;

/// Opens `path` for reading without blocking on a FIFO and refuses what is not a regular file (a
/// FIFO, a device, a socket: reading one could block forever or never end). A final symbolic
/// link is refused too, unless `follow` (for files the user names on the command line, such as
/// `-c` or `--destructive`, which may be links to a real file).
pub(super) fn open_regular(path: &Path, follow: bool) -> Result<std::fs::File> {
    open_file(path, follow).map_err(|e| match e {
        Refused::Link => Error::Input {
            message: format!("{}: is a symbolic link (sfgen does not follow links)", path.display()),
            hint: Some("give the real file".into()),
        },
        Refused::Other(e) => e,
    })
}

/// Why [`open_file`] refused: a final symbolic link (which a caller may report in its own
/// words), or anything else.
pub(super) enum Refused {
    /// The last component is a symbolic link and `follow` was not given.
    Link,
    /// Not a regular file, or the open failed.
    Other(Error),
}

/// [`open_regular`], saying whether a link was the reason.
pub(super) fn open_file(path: &Path, follow: bool) -> std::result::Result<std::fs::File, Refused> {
    let cannot = |e: std::io::Error| Error::Input { message: format!("{}: {e}", path.display()), hint: None };
    #[cfg(unix)]
    let file = {
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut o = std::fs::OpenOptions::new();
        o.read(true);
        // Non-blocking: opening a FIFO with no writer returns at once (and is then refused).
        let mut flags = rustix::fs::OFlags::NONBLOCK;
        if !follow {
            flags |= rustix::fs::OFlags::NOFOLLOW;
        }
        o.custom_flags(flags.bits() as i32);
        o.open(path).map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                Refused::Link
            } else {
                Refused::Other(cannot(e))
            }
        })?
    };
    #[cfg(not(unix))]
    let file = {
        if !follow && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Refused::Link);
        }
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(Refused::Other(not_regular(path)));
        }
        std::fs::File::open(path).map_err(|e| Refused::Other(cannot(e)))?
    };
    let meta = file.metadata().map_err(|e| Refused::Other(cannot(e)))?;
    if !meta.is_file() {
        return Err(Refused::Other(not_regular(path)));
    }
    Ok(file)
}

fn not_regular(path: &Path) -> Error {
    Error::Input {
        message: format!("{}: not a regular file (a FIFO, device or socket)", path.display()),
        hint: Some("give a file (sfgen does not read devices, pipes or sockets: they may never end)".into()),
    }
}

pub(super) fn read_capped(file: std::fs::File, path: &Path, cap: u64, why: &str) -> Result<Vec<u8>> {
    let cannot = |e: std::io::Error| Error::Input { message: format!("{}: {e}", path.display()), hint: None };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(cap)).unwrap_or(0).saturating_add(1));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > cap {
        return Err(Error::Input {
            message: format!("{}: more than {cap} bytes", path.display()),
            hint: Some(format!("is this the right file? {why}")),
        });
    }
    Ok(bytes)
}

/// Reads at most `cap` bytes of the file at `path`, refusing it when it holds more (a file
/// that grows while being read) instead of reading forever. Only regular files are read: a FIFO,
/// a device or a socket is refused at once, never waited on. A symbolic link is refused rather
/// than followed unless `follow` (files named on the command line). `why` goes into the hint.
pub fn read_file_capped(path: &Path, cap: u64, follow: bool, why: &str) -> Result<Vec<u8>> {
    let file = open_regular(path, follow)?;
    read_capped(file, path, cap, why)
}
