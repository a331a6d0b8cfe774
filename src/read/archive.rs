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

pub use super::files::read_file_capped;
pub use super::limits::Limits;
pub use super::listing::{list_dir, Root};
pub use super::zipped::{looks_like_zip, read_zip, read_zip_file, RawFile, Zip, ZipEntry};
use crate::error::{Error, Result};
use std::path::Path;

pub use crate::relpath::{check_relative_path, folded_name, unportable_name, MAX_PATH_DEPTH};

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
