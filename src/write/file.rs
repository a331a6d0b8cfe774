//! Single files written whole: staged beside the target, synced, renamed over it.

use super::stage::Stage;
use super::target::{check_file_target, parent_of, werr};
use crate::error::Result;
use crate::zip_write as zip;
use std::io::Write as _;
use std::path::Path;

pub(super) fn sync_and_mode(file: &std::fs::File, path: &Path) -> Result<()> {
    file.sync_all().map_err(werr(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(werr(path))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically (see the module docs).
pub fn file(path: &Path, bytes: &[u8]) -> Result<()> {
    file_with(path, |w| w.write_all(bytes).map_err(werr(path))).map(|_| ())
}

/// Writes `path` atomically through `fill`, which streams the content into the writer it gets.
pub fn file_with<T>(path: &Path, fill: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> Result<T>) -> Result<T> {
    check_file_target(path)?;
    let stage = Stage::new(&parent_of(path))?;
    let tmp = stage.file("file");
    let f = std::fs::File::create(&tmp).map_err(werr(path))?;
    let out = {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, &f);
        let out = fill(&mut w)?;
        w.flush().map_err(werr(path))?;
        out
    };
    sync_and_mode(&f, path)?;
    drop(f);
    check_file_target(path)?;
    std::fs::rename(&tmp, path).map_err(werr(path))?;
    Ok(out)
}

/// What [`zip_file`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipWritten {
    /// Size of the zip in bytes.
    pub bytes: u64,
    /// SHA-256 of the zip, lower-case hex.
    pub sha256: String,
}

/// Streams a zip to `path` atomically, hashing it on the way; `fill` adds the entries.
pub fn zip_file(
    path: &Path,
    fill: impl FnOnce(&mut zip::ZipStream<zip::HashingWriter<&mut std::io::BufWriter<&std::fs::File>>>) -> Result<()>,
) -> Result<ZipWritten> {
    file_with(path, |w| {
        let mut z = zip::ZipStream::new(zip::HashingWriter::new(w));
        fill(&mut z)?;
        let (bytes, sha256, _) = z.finish()?.finish();
        Ok(ZipWritten { bytes, sha256 })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn file_replaces_and_leaves_no_stage() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.zip");
        file(&target, b"one").unwrap();
        file(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn never_replaces_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.zip");
        std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
        assert!(file(&link, b"x").unwrap_err().to_string().contains("symbolic link"));
        assert!(file(Path::new("/dev/null"), b"x").unwrap_err().to_string().contains("device"));
    }
}
