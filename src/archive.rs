//! Defensive reading of untrusted inputs: retrieved zips and folders handed to `--include`,
//! `--org`, `--from` or `--package`.
//!
//! Everything sfgen reads from outside its own config may come from an org retrieve, a pull
//! request or a download, so it is treated as hostile: no path may leave the package root
//! (absolute, drive, `..`, backslash), links are never followed, names must be UTF-8 and
//! unique even ignoring case (two entries that collide on a case-insensitive file system would
//! silently replace each other), and sizes are capped both by what an archive *declares* and by
//! what decompression *actually produces* (headers of a zip bomb lie). Every refusal names the
//! entry and says how to get past it.
//!
//! Limits come from [`Limits::from_env`]:
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SFGEN_MAX_ENTRIES` | 50 000 | files (and zip entries) per input |
//! | `SFGEN_MAX_FILE_BYTES` | 64 MiB | uncompressed bytes per file |
//! | `SFGEN_MAX_TOTAL_BYTES` | 1 GiB | uncompressed bytes per input |
//! | `SFGEN_MAX_RATIO` | 200 | uncompressed / compressed size of a zip entry over 1 MiB |

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;

/// A file read from an input: POSIX path relative to the input's root, and its bytes.
pub type RawFile = (String, Vec<u8>);

/// Entries smaller than this are exempt from the ratio check: tiny repetitive files (a short
/// XML of one repeated element) legitimately compress very well, and cannot do harm.
const RATIO_EXEMPT_BYTES: u64 = 1 << 20;

/// Caps on what one input may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most files (zip entries, including folders) per input.
    pub max_entries: usize,
    /// Most uncompressed bytes per file.
    pub max_file_bytes: u64,
    /// Most uncompressed bytes per input.
    pub max_total_bytes: u64,
    /// Highest uncompressed/compressed ratio of a zip entry larger than 1 MiB.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_entries: 50_000, max_file_bytes: 64 << 20, max_total_bytes: 1 << 30, max_ratio: 200 }
    }
}

impl Limits {
    /// The defaults, overridden by `SFGEN_MAX_ENTRIES`, `SFGEN_MAX_FILE_BYTES`,
    /// `SFGEN_MAX_TOTAL_BYTES` and `SFGEN_MAX_RATIO` when set (positive integers).
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`Limits::from_env`], reading variables through `get` (testable).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let mut limits = Self::default();
        let read = |name: &str, default: u64| -> Result<u64> {
            match get(name) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(Error::Input {
                        // The value itself is not echoed: environment values stay out of output.
                        message: format!("{name} is not a positive integer"),
                        hint: Some(format!("unset {name} or give a number such as {default}")),
                    }),
                },
            }
        };
        limits.max_entries =
            usize::try_from(read("SFGEN_MAX_ENTRIES", limits.max_entries as u64)?).unwrap_or(usize::MAX);
        limits.max_file_bytes = read("SFGEN_MAX_FILE_BYTES", limits.max_file_bytes)?;
        limits.max_total_bytes = read("SFGEN_MAX_TOTAL_BYTES", limits.max_total_bytes)?;
        limits.max_ratio = read("SFGEN_MAX_RATIO", limits.max_ratio)?;
        Ok(limits)
    }
}

fn refuse(input: &Path, entry: &str, why: &str, hint: &str) -> Error {
    Error::Input {
        message: format!("{}: refusing entry {entry:?}: {why}", input.display()),
        hint: Some(hint.to_string()),
    }
}

/// Checks that `name` is a safe relative POSIX path; returns why not.
pub fn check_relative_path(name: &str) -> std::result::Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty name");
    }
    if name.contains('\\') {
        return Err("backslash in the path (a Windows separator could escape the folder)");
    }
    if name.starts_with('/') {
        return Err("absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("drive path");
    }
    if name.chars().any(char::is_control) {
        return Err("control character in the name");
    }
    for seg in name.split('/') {
        match seg {
            ".." => return Err("`..` segment (path leaves the package)"),
            "." | "" => return Err("empty or `.` path segment"),
            _ => {}
        }
    }
    Ok(())
}

/// Refuses duplicates, exact or differing only in case, keeping the check in one place.
struct Names {
    seen: HashMap<String, String>,
}

impl Names {
    fn new() -> Self {
        Self { seen: HashMap::new() }
    }

    fn add(&mut self, input: &Path, name: &str) -> Result<()> {
        let folded = name.to_lowercase();
        if let Some(prev) = self.seen.get(&folded) {
            let why = if prev == name {
                "duplicate entry".to_string()
            } else {
                format!("differs from {prev:?} only in case (they collide on case-insensitive file systems)")
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

/// Reads a zip archive held in memory (`input` names it in messages).
pub fn read_zip(input: &Path, bytes: &[u8], limits: &Limits) -> Result<Vec<RawFile>> {
    let bad = |e: zip::result::ZipError| Error::Input {
        message: format!("{}: not a readable zip: {e}", input.display()),
        hint: Some("give a .zip written by sfgen, sf or a zip tool, or the folder itself".into()),
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(bad)?;
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
        for raw in central_directory_names(bytes).unwrap_or_default() {
            let name = String::from_utf8_lossy(&raw).into_owned();
            names.add(input, &name)?;
        }
        return Err(refuse(input, "(unnamed)", "duplicate entries", "keep exactly one entry per path"));
    }
    let mut names = Names::new();
    let mut files = Vec::with_capacity(archive.len());
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(bad)?;
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
                    "entry {name:?} declares {declared} bytes, more than the per-file limit of {}",
                    limits.max_file_bytes
                ),
                "SFGEN_MAX_FILE_BYTES",
            ));
        }
        if declared > RATIO_EXEMPT_BYTES && declared / entry.compressed_size().max(1) > limits.max_ratio {
            return Err(over_limit(
                input,
                &format!(
                    "entry {name:?} expands {}x ({} → {declared} bytes), more than the ratio limit of {} (zip bomb?)",
                    declared / entry.compressed_size().max(1),
                    entry.compressed_size(),
                    limits.max_ratio
                ),
                "SFGEN_MAX_RATIO",
            ));
        }
        if total.saturating_add(declared) > limits.max_total_bytes {
            return Err(over_limit(
                input,
                &format!("more than {} uncompressed bytes in total (at entry {name:?})", limits.max_total_bytes),
                "SFGEN_MAX_TOTAL_BYTES",
            ));
        }
        // Never trust the header: read at most one byte past what is allowed and what is
        // declared, and refuse if decompression produces more.
        let cap = declared.min(limits.max_file_bytes);
        let mut buf = Vec::with_capacity(usize::try_from(cap).unwrap_or(0).min(1 << 24));
        (&mut entry)
            .take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| refuse(input, &name, &format!("cannot decompress: {e}"), "re-create the zip"))?;
        let actual = buf.len() as u64;
        if actual > cap {
            return Err(refuse(
                input,
                &name,
                &format!("decompresses to more than its declared {declared} bytes (zip bomb?)"),
                "re-create the zip with a standard zip tool",
            ));
        }
        if actual != declared {
            return Err(refuse(
                input,
                &name,
                &format!("holds {actual} bytes but declares {declared}"),
                "re-create the zip",
            ));
        }
        total += actual;
        if total > limits.max_total_bytes {
            return Err(over_limit(
                input,
                &format!("more than {} uncompressed bytes in total", limits.max_total_bytes),
                "SFGEN_MAX_TOTAL_BYTES",
            ));
        }
        files.push((name, buf));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
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

/// Reads every regular file under `root`, skipping what `skip(rel_path, is_dir)` says to (a
/// skipped folder is not entered, so `skip` need not look at parents). Links are refused, never followed.
pub fn read_dir(root: &Path, limits: &Limits, skip: &dyn Fn(&str, bool) -> bool) -> Result<Vec<RawFile>> {
    read_dir_with(root, limits, skip, &|_| true)
}

/// Like [`read_dir`], reading the contents only of the files `wants(rel_path)` accepts (the
/// others are listed with empty contents, after the same checks): for listing without reading.
pub fn read_dir_with(
    root: &Path,
    limits: &Limits,
    skip: &dyn Fn(&str, bool) -> bool,
    wants: &dyn Fn(&str) -> bool,
) -> Result<Vec<RawFile>> {
    let mut paths: Vec<(String, std::path::PathBuf, u64)> = Vec::new();
    let mut listed: Vec<RawFile> = Vec::new();
    let mut names = Names::new();
    let mut total: u64 = 0;
    // No sorting while walking: the files are sorted once at the end.
    let walker = walkdir::WalkDir::new(root).follow_links(false).into_iter();
    let walker = walker.filter_entry(|e| {
        if e.depth() == 0 {
            return true;
        }
        let rel = rel_of(root, e.path());
        match rel {
            Some(rel) => !skip(&rel, e.file_type().is_dir()),
            None => true, // reported below
        }
    });
    for entry in walker {
        let entry =
            entry.map_err(|e| Error::Input { message: format!("{}: cannot read: {e}", root.display()), hint: None })?;
        if entry.depth() == 0 {
            continue;
        }
        let Some(rel) = rel_of(root, entry.path()) else {
            let lossy = entry.path().to_string_lossy().into_owned();
            return Err(refuse(root, &lossy, "name is not UTF-8", "rename the file with a UTF-8 name"));
        };
        let ft = entry.file_type();
        if ft.is_symlink() {
            return Err(refuse(
                root,
                &rel,
                "symbolic link (sfgen does not follow links)",
                "replace the link with the file it points to, or ignore it in .forceignore",
            ));
        }
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            return Err(refuse(root, &rel, "not a regular file", "remove it"));
        }
        check_relative_path(&rel).map_err(|why| refuse(root, &rel, why, "rename the file"))?;
        names.add(root, &rel)?;
        if paths.len() + listed.len() >= limits.max_entries {
            return Err(over_limit(root, &format!("more than {} files", limits.max_entries), "SFGEN_MAX_ENTRIES"));
        }
        if !wants(&rel) {
            listed.push((rel, Vec::new()));
            continue;
        }
        let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if len > limits.max_file_bytes {
            return Err(over_limit(
                root,
                &format!("{rel:?} has {len} bytes, more than the per-file limit of {}", limits.max_file_bytes),
                "SFGEN_MAX_FILE_BYTES",
            ));
        }
        total += len;
        if total > limits.max_total_bytes {
            return Err(over_limit(
                root,
                &format!("more than {} bytes in total", limits.max_total_bytes),
                "SFGEN_MAX_TOTAL_BYTES",
            ));
        }
        paths.push((rel, entry.into_path(), len));
    }
    let mut files = read_files_parallel(root, paths, limits)?;
    if !listed.is_empty() {
        files.append(&mut listed);
        files.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Ok(files)
}

fn rel_of(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(c.as_os_str().to_str()?);
    }
    Some(out)
}

/// Reads the files on both cores (reading 30 000 small files is dominated by system calls).
fn read_files_parallel(
    root: &Path,
    paths: Vec<(String, std::path::PathBuf, u64)>,
    limits: &Limits,
) -> Result<Vec<RawFile>> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
    let chunk = paths.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<RawFile>>> = std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || -> Result<Vec<RawFile>> {
                    let mut out = Vec::with_capacity(part.len());
                    for (rel, path, len) in part {
                        let mut f = std::fs::File::open(path).map_err(|e| Error::Input {
                            message: format!("cannot read {}: {e}", path.display()),
                            hint: None,
                        })?;
                        // Exact capacity: growing by doubling would waste up to half of it.
                        let mut buf = Vec::with_capacity(usize::try_from(*len).unwrap_or(0).saturating_add(1));
                        // The file may have grown since it was listed: still cap the read.
                        (&mut f).take(limits.max_file_bytes + 1).read_to_end(&mut buf).map_err(|e| Error::Input {
                            message: format!("cannot read {}: {e}", path.display()),
                            hint: None,
                        })?;
                        if buf.len() as u64 > limits.max_file_bytes {
                            return Err(over_limit(
                                root,
                                &format!("{rel:?} has more than {} bytes", limits.max_file_bytes),
                                "SFGEN_MAX_FILE_BYTES",
                            ));
                        }
                        out.push((rel.clone(), buf));
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::input("a reader thread panicked"))))
            .collect()
    });
    let mut files = Vec::with_capacity(paths.len());
    for r in results {
        files.extend(r?);
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// Whether `bytes` start like a zip archive.
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Reads `path`: a zip file or a folder (every file, nothing skipped).
pub fn read_path(path: &Path, limits: &Limits) -> Result<Vec<RawFile>> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::Input {
        message: format!("{}: {e}", path.display()),
        hint: Some("give an existing SFDX project, mdapi folder or zip".into()),
    })?;
    if meta.is_dir() {
        read_dir(path, limits, &|_, _| false)
    } else {
        let bytes = read_zip_file(path, limits)?;
        read_zip(path, &bytes, limits)
    }
}

/// Reads at most `cap` bytes of the file at `path`, refusing it when it holds more (a file
/// that grows while being read, `/dev/zero`) instead of reading forever. Unless `any_kind`,
/// only regular files are read (no devices, pipes or sockets); with it, a pipe such as
/// `/dev/stdin` works too. `why` goes into the hint.
pub fn read_file_capped(path: &Path, cap: u64, any_kind: bool, why: &str) -> Result<Vec<u8>> {
    let cannot = |e: std::io::Error| Error::Input { message: format!("{}: {e}", path.display()), hint: None };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !any_kind && !meta.is_file() {
        return Err(Error::Input {
            message: format!("{}: not a regular file", path.display()),
            hint: Some("give a file (sfgen does not read devices, pipes or sockets)".into()),
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(cap)).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > cap {
        return Err(Error::Input {
            message: format!("{}: more than {cap} bytes", path.display()),
            hint: Some(format!("is this the right file? {why}")),
        });
    }
    Ok(bytes)
}

/// Reads a zip file's bytes, refusing anything that is not a zip.
pub fn read_zip_file(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let bytes = read_file_capped(path, limits.max_total_bytes, false, "raise SFGEN_MAX_TOTAL_BYTES if it is")?;
    if !looks_like_zip(&bytes) {
        return Err(Error::Input {
            message: format!("{} is neither a folder nor a zip", path.display()),
            hint: Some("give an SFDX project, an mdapi folder (package.xml at its root) or a .zip".into()),
        });
    }
    if bytes.len() as u64 > limits.max_total_bytes {
        return Err(over_limit(
            path,
            &format!("the zip has more than {} bytes", limits.max_total_bytes),
            "SFGEN_MAX_TOTAL_BYTES",
        ));
    }
    Ok(bytes)
}

/// Removes a single top folder (`unpackaged/`, as `sf project retrieve start` zips have) when
/// every file sits inside it and `package.xml` is directly in it.
pub fn strip_top_folder(files: &mut [RawFile]) -> Option<String> {
    if files.iter().any(|(p, _)| p == "package.xml") {
        return None;
    }
    let first = files.first()?.0.split('/').next()?.to_string();
    let prefix = format!("{first}/");
    if !files.iter().all(|(p, _)| p.starts_with(&prefix)) {
        return None;
    }
    if !files.iter().any(|(p, _)| p[prefix.len()..] == *"package.xml") {
        return None;
    }
    for (p, _) in files.iter_mut() {
        p.drain(..prefix.len());
    }
    Some(first)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A minimal zip writer for hostile archives: names as raw bytes, any unix mode, stored
    /// or deflated data, and a declared size that may lie.
    pub(crate) struct Hostile {
        pub name: Vec<u8>,
        pub data: Vec<u8>,
        pub mode: u32,
        pub deflate: bool,
        pub declared: Option<u32>,
    }

    pub(crate) fn entry(name: &str, data: &[u8]) -> Hostile {
        Hostile { name: name.as_bytes().to_vec(), data: data.to_vec(), mode: 0o100644, deflate: false, declared: None }
    }

    pub(crate) fn build(entries: &[Hostile]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for e in entries {
            let body = if e.deflate {
                let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
                std::io::Write::write_all(&mut enc, &e.data).unwrap();
                enc.finish().unwrap()
            } else {
                e.data.clone()
            };
            let mut crc = flate2::Crc::new();
            crc.update(&e.data);
            let size = e.declared.unwrap_or(e.data.len() as u32);
            let method: u16 = if e.deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            out.extend(0x04034b50u32.to_le_bytes());
            out.extend(20u16.to_le_bytes());
            out.extend(0u16.to_le_bytes());
            out.extend(method.to_le_bytes());
            out.extend([0, 0, 0x21, 0]);
            out.extend(crc.sum().to_le_bytes());
            out.extend((body.len() as u32).to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend((e.name.len() as u16).to_le_bytes());
            out.extend(0u16.to_le_bytes());
            out.extend(&e.name);
            out.extend(&body);
            central.extend(0x02014b50u32.to_le_bytes());
            central.extend((0x0300u16 | 20).to_le_bytes());
            central.extend(20u16.to_le_bytes());
            central.extend(0u16.to_le_bytes());
            central.extend(method.to_le_bytes());
            central.extend([0, 0, 0x21, 0]);
            central.extend(crc.sum().to_le_bytes());
            central.extend((body.len() as u32).to_le_bytes());
            central.extend(size.to_le_bytes());
            central.extend((e.name.len() as u16).to_le_bytes());
            central.extend([0u8; 8]);
            central.extend((e.mode << 16).to_le_bytes());
            central.extend(offset.to_le_bytes());
            central.extend(&e.name);
        }
        let cd_offset = out.len() as u32;
        out.extend(&central);
        out.extend(0x06054b50u32.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    fn read(entries: &[Hostile], limits: &Limits) -> Result<Vec<RawFile>> {
        read_zip(Path::new("in.zip"), &build(entries), limits)
    }

    fn message(r: Result<Vec<RawFile>>) -> String {
        match r {
            Err(e) => e.to_string(),
            Ok(files) => panic!("expected a refusal, read {:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>()),
        }
    }

    #[test]
    fn reads_a_plain_zip_and_strips_unpackaged() {
        let mut e = entry("unpackaged/classes/A.cls", b"public class A {}");
        e.deflate = true;
        let mut files = read(&[entry("unpackaged/package.xml", b"<Package/>"), e], &Limits::default()).unwrap();
        assert_eq!(strip_top_folder(&mut files).as_deref(), Some("unpackaged"));
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["classes/A.cls", "package.xml"]);
        assert_eq!(files[0].1, b"public class A {}");
    }

    #[test]
    fn does_not_strip_without_package_xml_inside() {
        let mut files = vec![("force-app/a".to_string(), vec![]), ("force-app/b".to_string(), vec![])];
        assert_eq!(strip_top_folder(&mut files), None);
        assert_eq!(files[0].0, "force-app/a");
    }

    #[test]
    fn refuses_zip_slip() {
        let m = message(read(&[entry("classes/../../etc/passwd", b"x")], &Limits::default()));
        assert!(m.contains("classes/../../etc/passwd") && m.contains(".."), "{m}");
    }

    #[test]
    fn refuses_absolute_drive_and_backslash_paths() {
        for name in ["/etc/passwd", "C:/Windows/x", "classes\\..\\..\\x", "a//b"] {
            let m = message(read(&[entry(name, b"x")], &Limits::default()));
            assert!(m.contains("refusing entry"), "{name}: {m}");
        }
    }

    #[test]
    fn refuses_symlinks() {
        let mut e = entry("classes/A.cls", b"/etc/passwd");
        e.mode = 0o120777;
        let m = message(read(&[e], &Limits::default()));
        assert!(m.contains("symbolic link") && m.contains("classes/A.cls"), "{m}");
    }

    #[test]
    fn refuses_duplicates_and_case_variants() {
        let m = message(read(&[entry("classes/A.cls", b"1"), entry("classes/A.cls", b"2")], &Limits::default()));
        assert!(m.contains("duplicate") && m.contains("classes/A.cls"), "{m}");
        let m = message(read(&[entry("classes/A.cls", b"1"), entry("classes/a.cls", b"2")], &Limits::default()));
        assert!(m.contains("only in case"), "{m}");
    }

    #[test]
    fn refuses_non_utf8_names() {
        let e = Hostile {
            name: b"classes/\xff.cls".to_vec(),
            data: b"x".to_vec(),
            mode: 0o100644,
            deflate: false,
            declared: None,
        };
        let m = message(read(&[e], &Limits::default()));
        assert!(m.contains("UTF-8"), "{m}");
    }

    #[test]
    fn refuses_bombs_by_ratio_and_by_size() {
        let mut e = entry("staticresources/big.resource", &vec![0u8; 4 << 20]);
        e.deflate = true;
        let m = message(read(&[e], &Limits::default()));
        assert!(m.contains("ratio") && m.contains("big.resource"), "{m}");

        let mut e = entry("staticresources/big.resource", &vec![0u8; 4 << 20]);
        e.deflate = true;
        let limits = Limits { max_file_bytes: 1 << 20, max_ratio: 1_000_000, ..Limits::default() };
        let m = message(read(&[e], &limits));
        assert!(m.contains("per-file limit"), "{m}");
    }

    #[test]
    fn refuses_a_bomb_whose_header_lies() {
        // Declares 100 bytes, inflates to 4 MiB: the reader must stop at the declared size.
        let mut e = entry("staticresources/liar.resource", &vec![0u8; 4 << 20]);
        e.deflate = true;
        e.declared = Some(100);
        let m = message(read(&[e], &Limits::default()));
        assert!(m.contains("liar.resource"), "{m}");
    }

    #[test]
    fn refuses_too_many_entries_and_too_many_bytes() {
        let entries: Vec<Hostile> = (0..5).map(|i| entry(&format!("classes/C{i}.cls"), b"0123456789")).collect();
        let m = message(read(&entries, &Limits { max_entries: 4, ..Limits::default() }));
        assert!(m.contains("entries"), "{m}");
        let m = message(read(&entries, &Limits { max_total_bytes: 35, ..Limits::default() }));
        assert!(m.contains("in total"), "{m}");
    }

    #[test]
    fn limits_from_env_lookup() {
        let l = Limits::from_lookup(|k| (k == "SFGEN_MAX_RATIO").then(|| "50".to_string())).unwrap();
        assert_eq!(l.max_ratio, 50);
        assert_eq!(l.max_entries, Limits::default().max_entries);
        assert!(Limits::from_lookup(|_| Some("lots".into())).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn folder_reader_refuses_links_and_honours_skip() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("classes")).unwrap();
        std::fs::write(dir.path().join("classes/A.cls"), b"x").unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), b"x").unwrap();
        let files = read_dir(dir.path(), &Limits::default(), &|rel, _| rel.starts_with('.')).unwrap();
        assert_eq!(files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["classes/A.cls"]);
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("classes/B.cls")).unwrap();
        let m = message(read_dir(dir.path(), &Limits::default(), &|_, _| false));
        assert!(m.contains("classes/B.cls") && m.contains("symbolic link"), "{m}");
    }
}
