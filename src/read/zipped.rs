//! Zip inputs: the central directory checked (names, duplicates, links, encryption, declared
//! sizes and ratios) before any entry is decompressed, and no entry decompressed past its
//! declared size.

use super::files::read_file_capped;
use super::limits::{over_limit, refuse, Limits, Names};
use crate::error::{Error, Result};
use crate::relpath::check_relative_path;
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
