//! Deterministic zips: the deploy zip and static resource archives.
//!
//! A zip's hash is meant to prove what was reviewed, so identical input must give identical
//! bytes: entries come in a deterministic order (the caller's, which is sorted), every entry has
//! the same timestamp (1980-01-01 00:00, the zip epoch), the same permissions (0644), no extra
//! fields, and the same deflate level. Entries are compressed on every core, each into its own raw
//! deflate stream, and written in order, so thread timing can never change the output; an entry
//! deflate does not shrink (an image, an archive) is stored. The writer streams: it holds the
//! central directory and the entries in flight, never the whole zip. It is our own (about a
//! hundred lines of the PKWARE format) rather than the `zip` crate's, because it writes entries
//! compressed elsewhere and must never add fields that vary.

use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::Write;

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
/// Most entries a zip without ZIP64 holds. A Metadata API deploy takes at most 10 000 files
/// (Metadata API Developer Guide, "Metadata Limits"), so a larger package cannot deploy anyway.
pub const MAX_ENTRIES: usize = u16::MAX as usize;

/// One entry, ready to be written: its data deflated (method 8) or as it is (method 0).
#[derive(Debug, Clone)]
pub struct Compressed {
    method: u16,
    crc: u32,
    size: u64,
    data: Vec<u8>,
}

thread_local! {
    static DEFLATER: std::cell::RefCell<flate2::Compress> =
        std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::new(DEFLATE_LEVEL), false));
}

/// Compresses one entry's bytes (taking them, so a stored entry is not copied).
pub fn compress(bytes: Vec<u8>) -> Result<Compressed> {
    let mut crc = flate2::Crc::new();
    crc.update(&bytes);
    let size = bytes.len() as u64;
    if bytes.is_empty() {
        return Ok(Compressed { method: 0, crc: crc.sum(), size, data: bytes });
    }
    let deflated = DEFLATER.with(|d| deflate(&mut d.borrow_mut(), &bytes))?;
    Ok(match deflated {
        Some(data) => Compressed { method: 8, crc: crc.sum(), size, data },
        None => Compressed { method: 0, crc: crc.sum(), size, data: bytes },
    })
}

/// Deflates `bytes`, or `None` when the result would not be smaller (the entry is then stored).
///
/// The output buffer is given the size deflate can need at worst (zlib's `deflateBound`: the
/// input plus 5 bytes per 16 KiB block plus a few), so the stream always finishes in one pass.
/// (Finishing into a buffer that runs out of room made a deflate implementation panic: issue 10,
/// finding 1; `zip_writer_never_panics_and_round_trips_any_bytes` in tests/prop_readers.rs.)
fn deflate(d: &mut flate2::Compress, bytes: &[u8]) -> Result<Option<Vec<u8>>> {
    d.reset();
    let bound = bytes.len() + (bytes.len() >> 12) + (bytes.len() >> 14) + (bytes.len() >> 25) + 64;
    let mut out = Vec::with_capacity(bound);
    let status = d
        .compress_vec(bytes, &mut out, flate2::FlushCompress::Finish)
        .map_err(|e| Error::input(format!("deflate failed: {e}")))?;
    if status != flate2::Status::StreamEnd || d.total_in() != bytes.len() as u64 {
        return Err(Error::input("deflate did not finish within its bound"));
    }
    Ok((out.len() < bytes.len()).then_some(out))
}

/// Compresses many entries on every core; results keep their order.
pub fn compress_many(files: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, Compressed)>> {
    files.into_par_iter().map(|(p, b)| Ok((p, compress(b)?))).collect()
}

/// A zip being written to `W`, entry by entry.
pub struct ZipStream<W: Write> {
    out: W,
    offset: u64,
    central: Vec<u8>,
    count: usize,
    names: HashSet<String>,
}

impl<W: Write> ZipStream<W> {
    /// Starts a zip.
    pub fn new(out: W) -> Self {
        Self { out, offset: 0, central: Vec::new(), count: 0, names: HashSet::new() }
    }

    /// Appends one entry. Refuses a repeated or unsafe path, and what would need ZIP64.
    pub fn add(&mut self, path: &str, c: &Compressed) -> Result<()> {
        crate::relpath::check_relative_path(path)
            .map_err(|why| Error::input(format!("cannot put {path:?} in a zip: {why}")))?;
        if !self.names.insert(path.to_string()) {
            return Err(Error::input(format!("two files have the same path in the zip: {path}")));
        }
        if self.count >= MAX_ENTRIES {
            return Err(Error::Input {
                message: format!("more than {MAX_ENTRIES} files do not fit in one zip without ZIP64"),
                hint: Some("split the deployment (a Metadata API deploy takes at most 10 000 files)".into()),
            });
        }
        let name_len =
            u16::try_from(path.len()).map_err(|_| Error::input(format!("path too long for a zip: {path}")))?;
        let csize = u32::try_from(c.data.len());
        let usize_ = u32::try_from(c.size);
        let offset = u32::try_from(self.offset);
        let (Ok(csize), Ok(usize_), Ok(offset)) = (csize, usize_, offset) else {
            return Err(Error::Input {
                message: "the zip would exceed 4 GiB (ZIP64 is not written)".into(),
                hint: Some("split the deployment".into()),
            });
        };
        let mut header = Vec::with_capacity(30 + path.len());
        header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        header.extend_from_slice(&20u16.to_le_bytes());
        header.extend_from_slice(&FLAG_UTF8.to_le_bytes());
        header.extend_from_slice(&c.method.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(&DOS_DATE.to_le_bytes());
        header.extend_from_slice(&c.crc.to_le_bytes());
        header.extend_from_slice(&csize.to_le_bytes());
        header.extend_from_slice(&usize_.to_le_bytes());
        header.extend_from_slice(&name_len.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(path.as_bytes());
        let io = |source| Error::Write { path: "<zip>".into(), source };
        self.out.write_all(&header).map_err(io)?;
        self.out.write_all(&c.data).map_err(io)?;

        let central = &mut self.central;
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&MADE_BY.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&FLAG_UTF8.to_le_bytes());
        central.extend_from_slice(&c.method.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&DOS_DATE.to_le_bytes());
        central.extend_from_slice(&c.crc.to_le_bytes());
        central.extend_from_slice(&csize.to_le_bytes());
        central.extend_from_slice(&usize_.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0u8; 8]); // extra len, comment len, disk, internal attrs
        central.extend_from_slice(&EXTERNAL_ATTRS.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(path.as_bytes());
        self.offset += header.len() as u64 + c.data.len() as u64;
        self.count += 1;
        Ok(())
    }

    /// Writes the central directory; returns the writer.
    pub fn finish(mut self) -> Result<W> {
        let too_big = || Error::Input {
            message: "the zip would exceed 4 GiB (ZIP64 is not written)".into(),
            hint: Some("split the deployment".into()),
        };
        let count = u16::try_from(self.count).map_err(|_| too_big())?;
        let offset = u32::try_from(self.offset).map_err(|_| too_big())?;
        let central_len = u32::try_from(self.central.len()).map_err(|_| too_big())?;
        u32::try_from(self.offset + self.central.len() as u64).map_err(|_| too_big())?;
        let io = |source| Error::Write { path: "<zip>".into(), source };
        self.out.write_all(&self.central).map_err(io)?;
        let mut end = Vec::with_capacity(22);
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0u8; 4]); // disk numbers
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&central_len.to_le_bytes());
        end.extend_from_slice(&offset.to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.out.write_all(&end).map_err(io)?;
        Ok(self.out)
    }
}

/// Builds a deterministic zip of `files` (any order; they are sorted by path here).
pub fn zip_bytes(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let mut sorted: Vec<(String, Vec<u8>)> = files.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let compressed = compress_many(sorted)?;
    let mut z = ZipStream::new(Vec::new());
    for (p, c) in &compressed {
        z.add(p, c)?;
    }
    z.finish()
}

/// A writer that hashes (SHA-256) and counts what goes through it.
pub struct HashingWriter<W> {
    inner: W,
    hash: sha2::Sha256,
    len: u64,
}

impl<W: Write> HashingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Self { inner, hash: <sha2::Sha256 as sha2::Digest>::new(), len: 0 }
    }

    /// The bytes written, the lower-case hex SHA-256, and the inner writer.
    pub fn finish(self) -> (u64, String, W) {
        let digest = sha2::Digest::finalize(self.hash);
        let hex = digest.iter().fold(String::new(), |mut s, b| {
            let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
            s
        });
        (self.len, hex, self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Read as _;

    /// Every entry in the order written, read back by the `zip` crate (sfgen's own reader reads
    /// these zips back in `tests/prop_readers.rs`).
    fn read_back(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = Vec::new();
        for i in 0..archive.len() {
            let mut e = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            out.push((e.name().unwrap().to_string(), data));
        }
        out
    }

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
        let files = read_back(&a);
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
        let files = read_back(&z);
        assert_eq!(files[0].1, noise);
    }

    #[test]
    fn refuses_duplicate_and_unsafe_paths() {
        assert!(zip_bytes(&[("a".into(), vec![]), ("a".into(), vec![1])]).is_err());
        assert!(zip_bytes(&[("../a".into(), vec![])]).is_err());
    }
}
