//! The deploy zip: deterministic bytes, written atomically.
//!
//! A zip's hash is meant to prove what was reviewed, so identical input must give identical
//! bytes: entries are sorted by path, every entry has the same timestamp (1980-01-01 00:00,
//! the zip epoch), the same permissions (0644), no extra fields, and the same deflate level.
//! Compression runs on every core, each entry into its own raw deflate stream, and the streams
//! are written in path order, so thread timing can never change the output. The writer is our
//! own (about a hundred lines of the PKWARE format) rather than the `zip` crate's, because it
//! must write entries compressed elsewhere and must never add fields that vary.

use crate::error::{Error, Result};
use crate::metadata::{manifest, registry, xml, Tree};
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Deflate level of every entry: 3, the level the Salesforce CLI uses for converted components
/// (a good size/speed trade-off for XML and Apex).
pub const DEFLATE_LEVEL: u32 = 3;

/// MS-DOS date of 1980-01-01 (the zip epoch), time 00:00.
const DOS_DATE: u16 = (1 << 5) | 1;
/// `-rw-r--r--` regular file, in the high half of the external attributes.
const EXTERNAL_ATTRS: u32 = 0o100644 << 16;
/// Version made by: Unix (3), spec 2.0.
const MADE_BY: u16 = (3 << 8) | 20;
/// General purpose flag bit 11: names are UTF-8.
const FLAG_UTF8: u16 = 1 << 11;

struct Compressed {
    method: u16,
    crc: u32,
    data: Option<Vec<u8>>,
}

/// One deflate stream state per thread, reset between entries: allocating and clearing a
/// fresh state for each of 10 000 small files costs more than compressing them.
struct Deflater(flate2::Compress);

impl Deflater {
    fn new() -> Self {
        Self(flate2::Compress::new(flate2::Compression::new(DEFLATE_LEVEL), false))
    }

    fn compress(&mut self, bytes: &[u8]) -> Result<Compressed> {
        let mut crc = flate2::Crc::new();
        crc.update(bytes);
        if bytes.is_empty() {
            return Ok(Compressed { method: 0, crc: crc.sum(), data: None });
        }
        self.0.reset();
        // Never larger than this for data that compresses; if it does not fit, store instead.
        let limit = bytes.len();
        let mut out = Vec::with_capacity(limit.min(bytes.len() / 2 + 1024));
        loop {
            let consumed = usize::try_from(self.0.total_in()).unwrap_or(usize::MAX);
            let input = bytes.get(consumed..).unwrap_or(&[]);
            if out.len() == out.capacity() {
                if out.len() >= limit {
                    // Incompressible content (images, archives) is stored as is.
                    return Ok(Compressed { method: 0, crc: crc.sum(), data: None });
                }
                out.reserve((out.len() / 2).clamp(1024, limit - out.len()));
            }
            let status = self
                .0
                .compress_vec(input, &mut out, flate2::FlushCompress::Finish)
                .map_err(|e| Error::input(format!("deflate failed: {e}")))?;
            if status == flate2::Status::StreamEnd {
                break;
            }
        }
        if out.len() >= bytes.len() {
            return Ok(Compressed { method: 0, crc: crc.sum(), data: None });
        }
        Ok(Compressed { method: 8, crc: crc.sum(), data: Some(out) })
    }
}

/// Compresses every entry, spreading the work over the available cores; results come back
/// in input order whatever the scheduling.
fn compress_all(files: &[(&str, &[u8])]) -> Result<Vec<Compressed>> {
    let threads =
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8).min(files.len().max(1));
    if threads == 1 {
        let mut d = Deflater::new();
        return files.iter().map(|(_, b)| d.compress(b)).collect();
    }
    let next = AtomicUsize::new(0);
    let parts: Vec<Result<Vec<(usize, Compressed)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> Result<Vec<(usize, Compressed)>> {
                    let mut d = Deflater::new();
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((_, bytes)) = files.get(i) else { break };
                        out.push((i, d.compress(bytes)?));
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::input("a compression thread panicked"))))
            .collect()
    });
    let mut slots: Vec<Option<Compressed>> = (0..files.len()).map(|_| None).collect();
    for part in parts {
        for (i, c) in part? {
            slots[i] = Some(c);
        }
    }
    slots.into_iter().map(|c| c.ok_or_else(|| Error::input("internal error: an entry was not compressed"))).collect()
}

/// Builds a deterministic zip of `files` (any order; they are sorted by path here).
pub fn zip_bytes(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    zip_refs(refs)
}

/// Like [`zip_bytes`], over borrowed paths and contents (no copy of the inputs).
pub fn zip_refs(files: Vec<(&str, &[u8])>) -> Result<Vec<u8>> {
    let (files, compressed) = prepare(files)?;
    let size = zip_size(&files, &compressed)?;
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    emit(&files, &compressed, &mut out).map_err(|source| Error::Write { path: "<memory>".into(), source })?;
    Ok(out)
}

/// What [`write_zip_atomic`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipWritten {
    /// Size of the zip in bytes.
    pub bytes: u64,
    /// SHA-256 of the zip, lower-case hex.
    pub sha256: String,
}

/// Builds the zip of `files` and streams it to `path` atomically (see [`write_atomic`]),
/// hashing it on the way: the zip is never held in memory as a whole.
pub fn write_zip_atomic(path: &Path, files: Vec<(&str, &[u8])>) -> Result<ZipWritten> {
    let (files, compressed) = prepare(files)?;
    zip_size(&files, &compressed)?;
    let err = |source| Error::Write { path: path.to_path_buf(), source };
    let mut tmp = temp_beside(path)?;
    let (hash, len) = {
        let mut w = HashingWriter {
            inner: std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut()),
            hash: sha2::Sha256::new(),
            len: 0,
        };
        emit(&files, &compressed, &mut w).map_err(err)?;
        w.inner.flush().map_err(err)?;
        (w.hash.finalize(), w.len)
    };
    finish_temp(tmp, path)?;
    Ok(ZipWritten {
        bytes: len,
        sha256: hash.iter().fold(String::new(), |mut s, b| {
            let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
            s
        }),
    })
}

struct HashingWriter<W> {
    inner: W,
    hash: sha2::Sha256,
    len: u64,
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        sha2::Digest::update(&mut self.hash, &buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

type Prepared<'a> = (Vec<(&'a str, &'a [u8])>, Vec<Compressed>);

/// Sorts and checks the entries, then compresses them.
fn prepare<'a>(mut files: Vec<(&'a str, &'a [u8])>) -> Result<Prepared<'a>> {
    files.sort_by(|a, b| a.0.cmp(b.0));
    for pair in files.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(Error::input(format!("two files have the same path in the zip: {}", pair[0].0)));
        }
    }
    if files.len() > usize::from(u16::MAX) {
        return Err(Error::Input {
            message: format!("{} files do not fit in one zip without ZIP64", files.len()),
            hint: Some("split the deployment".into()),
        });
    }
    for (p, _) in &files {
        crate::archive::check_relative_path(p)
            .map_err(|why| Error::input(format!("cannot put {p:?} in a zip: {why}")))?;
        if p.len() > usize::from(u16::MAX) {
            return Err(Error::input(format!("path too long for a zip: {p}")));
        }
    }
    let compressed = compress_all(&files)?;
    Ok((files, compressed))
}

/// The size of the zip, refusing what would need ZIP64 (offsets past 4 GiB).
fn zip_size(files: &[(&str, &[u8])], compressed: &[Compressed]) -> Result<u64> {
    let mut local: u64 = 0;
    for ((p, b), c) in files.iter().zip(compressed) {
        if b.len() as u64 > u64::from(u32::MAX) {
            return Err(Error::Input {
                message: format!("{p} is larger than 4 GiB (ZIP64 is not written)"),
                hint: Some("split the deployment".into()),
            });
        }
        local += 30 + p.len() as u64 + c.data.as_ref().map_or(b.len(), Vec::len) as u64;
    }
    let central: u64 = files.iter().map(|(p, _)| 46 + p.len() as u64).sum();
    if local + central > u64::from(u32::MAX) {
        return Err(Error::Input {
            message: "the zip would exceed 4 GiB (ZIP64 is not written)".into(),
            hint: Some("split the deployment".into()),
        });
    }
    Ok(local + central + 22)
}

/// Writes the zip; sizes were checked by [`zip_size`], so every field fits.
fn emit<W: std::io::Write>(files: &[(&str, &[u8])], compressed: &[Compressed], out: &mut W) -> std::io::Result<()> {
    let u32_of = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let mut offset: usize = 0;
    let mut central = Vec::with_capacity(files.len() * 100);
    let mut header = Vec::with_capacity(512);
    for ((path, bytes), c) in files.iter().zip(compressed) {
        let data: &[u8] = c.data.as_deref().unwrap_or(bytes);
        let name_len = u16::try_from(path.len()).unwrap_or(u16::MAX);
        header.clear();
        header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        header.extend_from_slice(&20u16.to_le_bytes());
        header.extend_from_slice(&FLAG_UTF8.to_le_bytes());
        header.extend_from_slice(&c.method.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(&DOS_DATE.to_le_bytes());
        header.extend_from_slice(&c.crc.to_le_bytes());
        header.extend_from_slice(&u32_of(data.len()).to_le_bytes());
        header.extend_from_slice(&u32_of(bytes.len()).to_le_bytes());
        header.extend_from_slice(&name_len.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(path.as_bytes());
        out.write_all(&header)?;
        out.write_all(data)?;

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&MADE_BY.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&FLAG_UTF8.to_le_bytes());
        central.extend_from_slice(&c.method.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&DOS_DATE.to_le_bytes());
        central.extend_from_slice(&c.crc.to_le_bytes());
        central.extend_from_slice(&u32_of(data.len()).to_le_bytes());
        central.extend_from_slice(&u32_of(bytes.len()).to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0u8; 8]); // extra len, comment len, disk, internal attrs
        central.extend_from_slice(&EXTERNAL_ATTRS.to_le_bytes());
        central.extend_from_slice(&u32_of(offset).to_le_bytes());
        central.extend_from_slice(path.as_bytes());
        offset += header.len() + data.len();
    }
    let count = u16::try_from(files.len()).unwrap_or(u16::MAX);
    out.write_all(&central)?;
    let mut end = Vec::with_capacity(22);
    end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    end.extend_from_slice(&[0u8; 4]); // disk numbers
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&u32_of(central.len()).to_le_bytes());
    end.extend_from_slice(&u32_of(offset).to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    out.write_all(&end)
}

/// A temporary file beside `path`, for an atomic replace.
fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(Error::Input {
            message: format!("{} is a folder", path.display()),
            hint: Some("give a file name such as deploy.zip".into()),
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
    tempfile::Builder::new()
        .prefix(".sfgen-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|source| Error::Write { path: path.to_path_buf(), source })
}

/// Syncs the temporary file, gives it ordinary permissions (temporary files are private),
/// and renames it over `path`.
fn finish_temp(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    let err = |source| Error::Write { path: path.to_path_buf(), source };
    tmp.as_file().sync_all().map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(err)?;
    }
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, synced, then
/// renamed over the target. A crash or kill leaves either the old file or the new one, never
/// a partial one (the temporary file is removed on error).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes).map_err(|source| Error::Write { path: path.to_path_buf(), source })?;
    finish_temp(tmp, path)
}

/// The members package.xml lists for `tree`, named as the Salesforce CLI names them (so that
/// `sf`, sfgen and an org retrieve agree):
///
/// - every component, plus the children of decomposed parents (`CustomField:
///   Account.Vendor_Id__c`) and the labels of CustomLabels (`CustomLabel: Invoice_Overdue`);
/// - a CustomObject whose file holds nothing but child elements (source had only
///   `objects/Account/fields/...`, no `Account.object-meta.xml`) is listed by its children only;
/// - folders are listed under the type they hold (`Report: Sales/`, `EmailTemplate: Billing`),
///   Report and Dashboard folders with a trailing `/`, exactly as `sf project convert source`
///   writes them.
pub fn manifest_members(tree: &Tree) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in tree.iter() {
        if let Some(content) = registry::by_folder_type(&c.key.type_name) {
            let slash = if matches!(content.name, "Report" | "Dashboard") { "/" } else { "" };
            map.entry(content.name.to_string()).or_default().push(format!("{}{slash}", c.key.full_name));
            continue;
        }
        let ty = registry::by_name(&c.key.type_name);
        let children = ty.map(|t| t.children).unwrap_or(&[]);
        let listed = ty.map(|t| t.listed_children).unwrap_or(&[]);
        if children.is_empty() && listed.is_empty() {
            map.entry(c.key.type_name.clone()).or_default().push(c.key.full_name.clone());
            continue;
        }
        let mut only_children = !c.files.is_empty() && !children.is_empty();
        let mut child_count = 0usize;
        for f in &c.files {
            let Ok(root) = xml::parse(&f.bytes) else {
                only_children = false;
                continue;
            };
            for el in root.elements() {
                if let Some(child) = listed.iter().find(|ch| ch.element == el.name) {
                    if let Some(name) = el.find("fullName").map(xml::Element::text_content) {
                        map.entry(child.name.to_string()).or_default().push(name);
                    }
                    continue;
                }
                match children.iter().find(|ch| ch.element == el.name) {
                    Some(child) => {
                        if let Some(name) = el.find("fullName").map(xml::Element::text_content) {
                            map.entry(child.name.to_string()).or_default().push(format!("{}.{name}", c.key.full_name));
                            child_count += 1;
                        }
                    }
                    None => only_children = false,
                }
            }
        }
        if !(only_children && child_count > 0) {
            map.entry(c.key.type_name.clone()).or_default().push(c.key.full_name.clone());
        }
    }
    for members in map.values_mut() {
        members.sort_unstable();
        members.dedup();
    }
    map
}

/// The `package.xml` for `tree` (see [`manifest_members`]).
pub fn package_xml(tree: &Tree, version: &str) -> String {
    let members = manifest_members(tree);
    manifest::package_xml(members.iter().map(|(t, m)| (t.as_str(), m.iter().map(String::as_str).collect())), version)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample() -> Vec<(String, Vec<u8>)> {
        vec![
            ("classes/B.cls".into(), b"public class B {}\n".repeat(50)),
            ("classes/A.cls".into(), b"public class A {}\n".to_vec()),
            ("empty.txt".into(), Vec::new()),
            ("staticresources/img.resource".into(), (0..=255u8).collect()),
        ]
    }

    #[test]
    fn zip_is_deterministic_and_readable() {
        let a = zip_bytes(&sample()).unwrap();
        let mut reversed = sample();
        reversed.reverse();
        let b = zip_bytes(&reversed).unwrap();
        assert_eq!(a, b);
        let files = crate::archive::read_zip(Path::new("t.zip"), &a, &crate::archive::Limits::default()).unwrap();
        let mut expected = sample();
        expected.sort();
        assert_eq!(files, expected);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&a)).unwrap();
        let e = archive.by_name("classes/B.cls").unwrap();
        assert_eq!(e.compression(), zip::CompressionMethod::Deflated);
        assert_eq!(e.unix_mode(), Some(0o100644));
        let t = e.last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute()), (1980, 1, 1, 0, 0));
    }

    #[test]
    fn streamed_zip_equals_the_in_memory_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("s.zip");
        let files = sample();
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        let written = write_zip_atomic(&target, refs).unwrap();
        let bytes = std::fs::read(&target).unwrap();
        assert_eq!(bytes, zip_bytes(&files).unwrap());
        assert_eq!(written.bytes, bytes.len() as u64);
        let sha: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(written.sha256, sha);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o644);
        }
    }

    #[test]
    fn incompressible_entries_are_stored() {
        // A pseudo-random 64 KiB block does not deflate.
        let mut x: u32 = 1;
        let noise: Vec<u8> = (0..65536)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let z = zip_bytes(&[("n.bin".into(), noise.clone())]).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&z)).unwrap();
        assert_eq!(archive.by_name("n.bin").unwrap().compression(), zip::CompressionMethod::Stored);
        let files = crate::archive::read_zip(Path::new("n.zip"), &z, &crate::archive::Limits::default()).unwrap();
        assert_eq!(files[0].1, noise);
    }

    #[test]
    fn refuses_duplicate_and_unsafe_paths() {
        assert!(zip_bytes(&[("a".into(), vec![]), ("a".into(), vec![1])]).is_err());
        assert!(zip_bytes(&[("../a".into(), vec![])]).is_err());
    }

    #[test]
    fn write_atomic_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.zip");
        write_atomic(&target, b"one").unwrap();
        write_atomic(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
