//! Defensive reading of untrusted inputs: retrieved zips and folders handed to `--include`,
//! `--org`, `--from` or `--package`, and the single files around them (`.forceignore`,
//! `sfdx-project.json`, a destructive list).
//!
//! Everything sfgen reads from outside its own config may come from an org retrieve, a pull
//! request or a download, so it is treated as hostile: no path may leave the package root
//! (absolute, drive, `..`, backslash), links are never followed (files are opened with
//! `O_NOFOLLOW` beneath the input's root, so a file swapped for a link while sfgen runs is refused
//! too), only regular files are read (a FIFO or a device never blocks or floods a run), names must
//! be UTF-8 and unique even on a case-insensitive or normalising file system (two entries that
//! collide there would silently replace each other), and sizes are capped both by what an archive
//! *declares* and by what decompression *actually produces* (headers of a zip bomb lie), per entry
//! and for the whole input. Every refusal names the entry and says how to get past it.
//!
//! Limits come from [`Limits::from_env`]:
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SFGEN_MAX_ENTRIES` | 1 000 000 | files (and zip entries) per input |
//! | `SFGEN_MAX_FILE_BYTES` | 64 MiB | uncompressed bytes per file |
//! | `SFGEN_MAX_TOTAL_BYTES` | 8 GiB | uncompressed bytes per input |
//! | `SFGEN_MAX_RATIO` | 200 | uncompressed / compressed size of a zip entry over 1 MiB, and of a whole zip over 64 MiB |
//!
//! The entry and byte caps are generous on purpose: a full retrieve of a large org holds well over
//! 100 000 files, and reading is streamed (memory follows the largest component, not the input).
//! What they stop is a bomb, which the ratio caps catch first.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file read from an input: POSIX path relative to the input's root, and its bytes.
pub type RawFile = (String, Vec<u8>);

/// Entries up to this size are exempt from the per-entry ratio check: tiny repetitive files (a
/// short XML of one repeated element) legitimately compress very well. The whole-zip ratio still
/// bounds what many of them can add up to.
const RATIO_EXEMPT_BYTES: u64 = 1 << 20;
/// Zips that expand to less than this are exempt from the whole-zip ratio check.
const TOTAL_RATIO_EXEMPT_BYTES: u64 = 64 << 20;

/// Caps on what one input may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most files (zip entries, including folders) per input.
    pub max_entries: usize,
    /// Most uncompressed bytes per file.
    pub max_file_bytes: u64,
    /// Most uncompressed bytes per input.
    pub max_total_bytes: u64,
    /// Highest uncompressed/compressed ratio of a zip entry larger than 1 MiB, and of a whole zip
    /// larger than 64 MiB uncompressed.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_entries: 1_000_000, max_file_bytes: 64 << 20, max_total_bytes: 8 << 30, max_ratio: 200 }
    }
}

/// The bounds an environment override must stay within (what sfgen can honour without overflow).
const ENV_BOUNDS: [(&str, u64); 4] = [
    ("SFGEN_MAX_ENTRIES", 100_000_000),
    ("SFGEN_MAX_FILE_BYTES", 1 << 40),
    ("SFGEN_MAX_TOTAL_BYTES", 1 << 50),
    ("SFGEN_MAX_RATIO", 1_000_000_000),
];

impl Limits {
    /// The defaults, overridden by `SFGEN_MAX_ENTRIES`, `SFGEN_MAX_FILE_BYTES`,
    /// `SFGEN_MAX_TOTAL_BYTES` and `SFGEN_MAX_RATIO` when set (positive integers within bounds).
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`Limits::from_env`], reading variables through `get` (testable).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let d = Self::default();
        let read = |name: &str, default: u64| -> Result<u64> {
            let max = ENV_BOUNDS.iter().find(|(n, _)| *n == name).map_or(u64::MAX, |(_, m)| *m);
            match get(name) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 && n <= max => Ok(n),
                    // The value itself is not echoed: environment values stay out of output.
                    Ok(n) if n > max => Err(Error::Input {
                        message: format!("{name} is larger than sfgen can honour (at most {max})"),
                        hint: Some(format!("unset {name} or give a number from 1 to {max}, e.g. {default}")),
                    }),
                    _ => Err(Error::Input {
                        message: format!("{name} is not a positive integer"),
                        hint: Some(format!("unset {name} or give a number from 1 to {max}, e.g. {default}")),
                    }),
                },
            }
        };
        Ok(Self {
            max_entries: usize::try_from(read("SFGEN_MAX_ENTRIES", d.max_entries as u64)?).unwrap_or(usize::MAX),
            max_file_bytes: read("SFGEN_MAX_FILE_BYTES", d.max_file_bytes)?,
            max_total_bytes: read("SFGEN_MAX_TOTAL_BYTES", d.max_total_bytes)?,
            max_ratio: read("SFGEN_MAX_RATIO", d.max_ratio)?,
        })
    }
}

pub(crate) fn refuse(input: &Path, entry: &str, why: &str, hint: &str) -> Error {
    Error::Input {
        message: format!("{}: refusing entry {:?}: {why}", input.display(), crate::ui::printable(entry)),
        hint: Some(hint.to_string()),
    }
}

pub use crate::relpath::{check_relative_path, folded_name, unportable_name, MAX_PATH_DEPTH};

/// Refuses duplicates, exact or colliding on case-insensitive or normalising file systems.
pub(crate) struct Names {
    seen: HashMap<String, String>,
}

impl Names {
    pub(crate) fn new() -> Self {
        Self { seen: HashMap::new() }
    }

    pub(crate) fn add(&mut self, input: &Path, name: &str) -> Result<()> {
        let folded = folded_name(name);
        if let Some(prev) = self.seen.get(&folded) {
            let why = if prev == name {
                "duplicate entry".to_string()
            } else {
                format!(
                    "collides with {:?} on case-insensitive or normalising file systems (macOS, Windows)",
                    crate::ui::printable(prev)
                )
            };
            return Err(refuse(input, name, &why, "keep exactly one of them"));
        }
        self.seen.insert(folded, name.to_string());
        Ok(())
    }
}

fn over_limit(input: &Path, what: &str, var: &str) -> Error {
    Error::Input {
        message: format!("{}: {what}", input.display()),
        hint: Some(format!("if the input is trusted and really this large, raise {var}")),
    }
}

// ---------------------------------------------------------------------------------- zips

/// One file entry of a zip (folders are not listed).
#[derive(Debug, Clone)]
pub struct ZipEntry {
    /// POSIX path inside the zip.
    pub name: String,
    /// Declared uncompressed size.
    pub size: u64,
    index: usize,
}

/// A zip whose central directory was checked and whose entries are decompressed on demand, each
/// at most once per request and never beyond its declared size.
#[derive(Clone)]
pub struct Zip {
    input: Arc<PathBuf>,
    archive: zip::ZipArchive<std::io::Cursor<Arc<[u8]>>>,
    /// The file entries, sorted by name.
    pub entries: Vec<ZipEntry>,
    max_file_bytes: u64,
}

impl std::fmt::Debug for Zip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zip").field("input", &self.input).field("entries", &self.entries.len()).finish()
    }
}

impl Zip {
    /// Checks a zip held in memory (`input` names it in messages): every name, link, duplicate
    /// and size declared in its central directory, before anything is decompressed.
    pub fn open(input: &Path, bytes: Arc<[u8]>, limits: &Limits) -> Result<Self> {
        let bad = |e: zip::result::ZipError| Error::Input {
            message: format!("{}: not a readable zip: {e}", input.display()),
            hint: Some("give a .zip written by sfgen, sf or a zip tool, or the folder itself".into()),
        };
        let compressed_len = bytes.len() as u64;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).map_err(bad)?;
        if archive.len() > limits.max_entries {
            return Err(over_limit(
                input,
                &format!("{} entries, more than the limit of {}", archive.len(), limits.max_entries),
                "SFGEN_MAX_ENTRIES",
            ));
        }
        if archive.has_duplicate_names() {
            // The reader keeps only one of them; name the first repeated one from the raw
            // central directory.
            let mut names = Names::new();
            for raw in central_directory_names(&bytes).unwrap_or_default() {
                names.add(input, &String::from_utf8_lossy(&raw))?;
            }
            return Err(refuse(input, "(unnamed)", "duplicate entries", "keep exactly one entry per path"));
        }
        let mut names = Names::new();
        let mut entries = Vec::with_capacity(archive.len());
        let mut total: u64 = 0;
        for i in 0..archive.len() {
            let entry = archive.by_index_raw(i).map_err(bad)?;
            let name = match std::str::from_utf8(entry.name_raw()) {
                Ok(n) => n.to_string(),
                Err(_) => {
                    let lossy = String::from_utf8_lossy(entry.name_raw()).into_owned();
                    return Err(refuse(input, &lossy, "name is not UTF-8", "rename the file with a UTF-8 name"));
                }
            };
            if entry.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000) || entry.is_symlink() {
                return Err(refuse(input, &name, "symbolic link", "replace the link with the file it points to"));
            }
            let trimmed = name.strip_suffix('/').unwrap_or(&name);
            check_relative_path(trimmed).map_err(|why| {
                refuse(input, &name, why, "re-create the zip with relative POSIX paths inside one package root")
            })?;
            if entry.is_dir() {
                continue;
            }
            if entry.encrypted() {
                return Err(refuse(input, &name, "encrypted entry", "give an unencrypted zip"));
            }
            names.add(input, &name)?;
            let declared = entry.size();
            if declared > limits.max_file_bytes {
                return Err(over_limit(
                    input,
                    &format!(
                        "entry {:?} declares {declared} bytes, more than the per-file limit of {}",
                        crate::ui::printable(&name),
                        limits.max_file_bytes
                    ),
                    "SFGEN_MAX_FILE_BYTES",
                ));
            }
            let ratio = declared / entry.compressed_size().max(1);
            if declared > RATIO_EXEMPT_BYTES && ratio > limits.max_ratio {
                return Err(over_limit(
                    input,
                    &format!(
                        "entry {:?} expands {ratio}x ({} → {declared} bytes), more than the ratio limit of {} (zip bomb?)",
                        crate::ui::printable(&name),
                        entry.compressed_size(),
                        limits.max_ratio
                    ),
                    "SFGEN_MAX_RATIO",
                ));
            }
            total = total.saturating_add(declared);
            if total > limits.max_total_bytes {
                return Err(over_limit(
                    input,
                    &format!(
                        "more than {} uncompressed bytes in total (at entry {:?})",
                        limits.max_total_bytes,
                        crate::ui::printable(&name)
                    ),
                    "SFGEN_MAX_TOTAL_BYTES",
                ));
            }
            entries.push(ZipEntry { name, size: declared, index: i });
        }
        if total > TOTAL_RATIO_EXEMPT_BYTES && total / compressed_len.max(1) > limits.max_ratio {
            return Err(over_limit(
                input,
                &format!(
                    "the zip expands {}x in total ({compressed_len} → {total} bytes), more than the ratio limit of {} (zip bomb?)",
                    total / compressed_len.max(1),
                    limits.max_ratio
                ),
                "SFGEN_MAX_RATIO",
            ));
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self { input: Arc::new(input.to_path_buf()), archive, entries, max_file_bytes: limits.max_file_bytes })
    }

    /// Decompresses one entry; refuses it when it produces more (or fewer) bytes than declared.
    pub fn read(&self, entry: &ZipEntry) -> Result<Vec<u8>> {
        let input = self.input.as_path();
        let mut archive = self.archive.clone();
        let mut file = archive.by_index(entry.index).map_err(|e| {
            refuse(input, &entry.name, &format!("cannot decompress: {e}"), "re-create the zip with a standard zip tool")
        })?;
        // Never trust the header: read at most one byte past what is declared (and allowed),
        // and refuse if decompression produces more.
        let cap = entry.size.min(self.max_file_bytes);
        let mut buf = Vec::with_capacity(usize::try_from(cap).unwrap_or(0).min(1 << 24));
        (&mut file).take(cap.saturating_add(1)).read_to_end(&mut buf).map_err(|e| {
            refuse(input, &entry.name, &format!("cannot decompress: {e}"), "re-create the zip with a standard zip tool")
        })?;
        let actual = buf.len() as u64;
        if actual > cap {
            return Err(refuse(
                input,
                &entry.name,
                &format!("decompresses to more than its declared {} bytes (zip bomb?)", entry.size),
                "re-create the zip with a standard zip tool",
            ));
        }
        if actual != entry.size {
            return Err(refuse(
                input,
                &entry.name,
                &format!("holds {actual} bytes but declares {}", entry.size),
                "re-create the zip",
            ));
        }
        Ok(buf)
    }

    /// Decompresses every entry (in name order).
    pub fn read_all(&self) -> Result<Vec<RawFile>> {
        self.entries.iter().map(|e| Ok((e.name.clone(), self.read(e)?))).collect()
    }
}

/// Reads a zip archive held in memory (`input` names it in messages): every file, in name order.
pub fn read_zip(input: &Path, bytes: &[u8], limits: &Limits) -> Result<Vec<RawFile>> {
    Zip::open(input, Arc::from(bytes), limits)?.read_all()
}

/// The entry names of a zip's central directory, duplicates included (the `zip` crate keeps
/// one entry per name), or `None` when the directory cannot be located.
fn central_directory_names(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let le16 =
        |at: usize| -> Option<usize> { Some(usize::from(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))) };
    let le32 = |at: usize| -> Option<usize> {
        usize::try_from(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?)).ok()
    };
    let eocd =
        (0..=bytes.len().checked_sub(22)?).rev().take(65_557).find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let count = le16(eocd + 10)?;
    let mut at = le32(eocd + 16)?;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        if !bytes.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let (n, e, c) = (le16(at + 28)?, le16(at + 30)?, le16(at + 32)?);
        names.push(bytes.get(at + 46..at + 46 + n)?.to_vec());
        at += 46 + n + e + c;
    }
    Some(names)
}

/// Whether `bytes` start like a zip archive.
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Reads a zip file's bytes, refusing anything that is not a regular file holding a zip.
pub fn read_zip_file(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let bytes = read_file_capped(path, limits.max_total_bytes, false, "raise SFGEN_MAX_TOTAL_BYTES if it is")?;
    if !looks_like_zip(&bytes) {
        return Err(Error::Input {
            message: format!("{} is neither a folder nor a zip", path.display()),
            hint: Some("give an SFDX project, an mdapi folder (package.xml at its root) or a .zip".into()),
        });
    }
    Ok(bytes)
}

// ------------------------------------------------------------------------------- files

/// Opens `path` for reading without blocking on a FIFO and refuses what is not a regular file (a
/// FIFO, a device, a socket: reading one could block forever or never end). A final symbolic
/// link is refused too, unless `follow` (for files the user names on the command line, such as
/// `-c` or `--destructive`, which may be links to a real file).
fn open_regular(path: &Path, follow: bool) -> Result<std::fs::File> {
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
                Error::Input {
                    message: format!("{}: is a symbolic link (sfgen does not follow links)", path.display()),
                    hint: Some("give the real file".into()),
                }
            } else {
                cannot(e)
            }
        })?
    };
    #[cfg(not(unix))]
    let file = {
        if !follow && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::Input {
                message: format!("{}: is a symbolic link (sfgen does not follow links)", path.display()),
                hint: Some("give the real file".into()),
            });
        }
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(not_regular(path));
        }
        std::fs::File::open(path).map_err(cannot)?
    };
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(not_regular(path));
    }
    Ok(file)
}

fn not_regular(path: &Path) -> Error {
    Error::Input {
        message: format!("{}: not a regular file (a FIFO, device or socket)", path.display()),
        hint: Some("give a file (sfgen does not read devices, pipes or sockets: they may never end)".into()),
    }
}

fn read_capped(file: std::fs::File, path: &Path, cap: u64, why: &str) -> Result<Vec<u8>> {
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
        open_regular(&at, false).map_err(|e| match e {
            Error::Input { message, .. } if message.contains("symbolic link") => link(),
            other => other,
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

/// Reads `path`: a zip file or a folder (every file, nothing skipped).
pub fn read_path(path: &Path, limits: &Limits) -> Result<Vec<RawFile>> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::Input {
        message: format!("{}: {e}", path.display()),
        hint: Some("give an existing SFDX project, mdapi folder or zip".into()),
    })?;
    if meta.is_dir() {
        let root = Root::open(path)?;
        list_dir(path, limits, &|_, _| false)?
            .into_iter()
            .map(|rel| {
                let bytes = root.read(&rel, limits.max_file_bytes)?;
                Ok((rel, bytes))
            })
            .collect()
    } else {
        let bytes = read_zip_file(path, limits)?;
        read_zip(path, &bytes, limits)
    }
}

/// Removes a single top folder (`unpackaged/`, as `sf project retrieve start` zips have) when
/// every file sits inside it and `package.xml` is directly in it.
pub fn strip_top_folder(files: &mut [RawFile]) -> Option<String> {
    let prefix = top_folder(files.iter().map(|(p, _)| p.as_str()))?;
    for (p, _) in files.iter_mut() {
        p.drain(..prefix.len() + 1);
    }
    Some(prefix)
}

/// The single top folder every path is inside and that holds `package.xml` directly, if any.
pub fn top_folder<'a>(mut paths: impl Iterator<Item = &'a str> + Clone) -> Option<String> {
    if paths.clone().any(|p| p == "package.xml") {
        return None;
    }
    let first = paths.clone().next()?.split('/').next()?.to_string();
    let prefix = format!("{first}/");
    if !paths.clone().all(|p| p.starts_with(&prefix)) {
        return None;
    }
    paths.any(|p| p[prefix.len()..] == *"package.xml").then_some(first)
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
