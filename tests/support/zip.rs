//! The one hand-made zip writer of the tests: names as bytes, any unix mode (links too), stored
//! or deflated, sizes that lie, bodies deflated once for many entries. What well-behaved tools
//! never write is what the readers must refuse; sfgen's own writer
//! (`sfgen::write::zip::zip_bytes`) makes the well-formed zips.

use std::collections::BTreeMap;

/// One entry of a zip [`write`] makes.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The name as stored (any bytes).
    pub name: Vec<u8>,
    /// The content; with [`Entry::deflated`] set, already deflated.
    pub data: Vec<u8>,
    /// The unix mode (`0o100644` a file, `0o120777` a link whose target is `data`).
    pub mode: u32,
    /// Whether [`write`] deflates `data` (else it is stored).
    pub deflate: bool,
    /// The uncompressed size written in the headers, when it is to differ from the true one.
    pub declared: Option<u32>,
    /// `data` is already deflated, from this many bytes with this CRC-32.
    pub deflated: Option<(u32, u32)>,
}

/// A stored file entry.
pub fn entry(name: &str, data: &[u8]) -> Entry {
    Entry {
        name: name.as_bytes().to_vec(),
        data: data.to_vec(),
        mode: 0o100644,
        deflate: false,
        declared: None,
        deflated: None,
    }
}

/// A link entry pointing at `target`.
pub fn symlink(name: &str, target: &str) -> Entry {
    Entry { mode: 0o120777, ..entry(name, target.as_bytes()) }
}

/// An entry of `data` deflated now, once: clone it (and rename the clones) for many entries
/// with one large body.
pub fn deflated(name: &str, data: &[u8]) -> Entry {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    Entry { deflated: Some((data.len() as u32, crc.sum())), ..entry(name, &deflate(data)) }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut enc, data).expect("deflate");
    enc.finish().expect("deflate")
}

/// The zip of `entries`, in order.
pub fn write(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let (body, size, crc, method) = match e.deflated {
            Some((size, crc)) => (e.data.clone(), size, crc, 8u16),
            None => {
                let mut crc = flate2::Crc::new();
                crc.update(&e.data);
                let body = if e.deflate { deflate(&e.data) } else { e.data.clone() };
                (body, e.data.len() as u32, crc.sum(), if e.deflate { 8 } else { 0 })
            }
        };
        let size = e.declared.unwrap_or(size);
        let offset = out.len() as u32;
        out.extend(0x04034b50u32.to_le_bytes());
        out.extend(20u16.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(method.to_le_bytes());
        out.extend([0, 0, 0x21, 0]);
        out.extend(crc.to_le_bytes());
        out.extend((body.len() as u32).to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend((e.name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(&e.name);
        out.extend(&body);
        central.extend(0x02014b50u32.to_le_bytes());
        // Made by unix (3), version 2.0: the mode is in the high half of the external attributes.
        central.extend((0x0300u16 | 20).to_le_bytes());
        central.extend(20u16.to_le_bytes());
        central.extend(0u16.to_le_bytes());
        central.extend(method.to_le_bytes());
        central.extend([0, 0, 0x21, 0]);
        central.extend(crc.to_le_bytes());
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

/// The zip sfgen itself writes of `files` (path, bytes): deterministic and well formed.
pub fn of_files<P: AsRef<str>, B: AsRef<[u8]>>(files: &[(P, B)]) -> Vec<u8> {
    let owned: Vec<(String, Vec<u8>)> =
        files.iter().map(|(p, b)| (p.as_ref().to_string(), b.as_ref().to_vec())).collect();
    sfgen::write::zip::zip_bytes(&owned).expect("sfgen's zip writer")
}

/// Every file entry of a zip (folders left out), by name, read with the `zip` crate (not sfgen's
/// reader).
pub fn read(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut z = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        if e.is_dir() {
            continue;
        }
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut b).expect("read entry");
        out.insert(e.name().expect("entry name").to_string(), b);
    }
    out
}

/// [`read`] of the zip file at `path`.
pub fn read_file(path: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    read(&std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())))
}
