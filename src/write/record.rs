//! sfgen's record of what it wrote into an output folder, kept in its state folder (never in
//! the output), read as untrusted input, and whether a folder holds only what it lists.

use super::file::file;
use super::stage::is_stage_name;
use super::target::{parent_of, PlannedFile};
use crate::error::Result;
use sha2::Digest as _;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes).iter().fold(String::new(), |mut s, b| {
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
        s
    })
}

/// What sfgen wrote into an output folder: `{ "folder": path, "files": { path: sha256 } }`, and
/// while a write is under way (saved before its renames, so that a kill leaves a record that
/// matches the folder whatever it holds) `"previous"`: what the files held before it.
#[derive(serde::Serialize, serde::Deserialize, Default)]
pub(super) struct Record {
    #[serde(default)]
    folder: String,
    pub(super) files: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    previous: BTreeMap<String, String>,
}

impl Record {
    /// Whether `hash` is what sfgen wrote (or was writing) at `rel`.
    pub(super) fn wrote(&self, rel: &str, hash: &str) -> bool {
        self.files.get(rel).is_some_and(|h| h == hash) || self.previous.get(rel).is_some_and(|h| h == hash)
    }

    /// Every path the record knows.
    pub(super) fn paths(&self) -> BTreeSet<&String> {
        self.files.keys().chain(self.previous.keys()).collect()
    }

    /// The record saved before the new files are renamed in: the new files, and what the old
    /// record said of every path.
    pub(super) fn during(old: &Record, new: &Record) -> Record {
        let mut previous = old.previous.clone();
        previous.extend(old.files.iter().map(|(k, v)| (k.clone(), v.clone())));
        Record { folder: String::new(), files: new.files.clone(), previous }
    }
}

/// sfgen's state folder, where records of output folders are kept.
fn state_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("SFGEN_STATE_DIR")
        .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("sfgen")))
        .or_else(|| var("LOCALAPPDATA").map(|d| d.join("sfgen").join("state")))
        .or_else(|| var("HOME").map(|d| d.join(".local").join("state").join("sfgen")))
}

/// Where the record of the output folder `root` is kept (by its absolute path).
fn record_path(root: &Path) -> Option<PathBuf> {
    let abs = match std::fs::canonicalize(root) {
        Ok(p) => p,
        Err(_) => std::fs::canonicalize(parent_of(root)).ok()?.join(root.file_name()?),
    };
    let key = sha256_hex(abs.to_string_lossy().as_bytes());
    Some(state_dir()?.join("outputs").join(format!("{}.json", &key[..32])))
}

/// The record of `root`, read as untrusted input (a state folder may be shared: a cached
/// `XDG_STATE_HOME`, `sudo` keeping `HOME`): ignored whole when another user owns it or it was
/// written for another folder; an entry that is not a relative path inside the folder (`..`,
/// absolute, a backslash) is dropped. Each is said in `warnings`.
pub(super) fn read_record(root: &Path, warnings: &mut Vec<String>) -> Record {
    let Some(path) = record_path(root) else { return Record::default() };
    let Ok(bytes) = crate::read::archive::read_file_capped(&path, 16 << 20, false, "") else {
        return Record::default();
    };
    let shown = || crate::shell::printable(&path.display().to_string());
    let ignored = |why: &str| {
        format!(
            "ignoring sfgen's record of {} ({}): {why}; files sfgen wrote there before are kept",
            crate::shell::printable(&root.display().to_string()),
            shown()
        )
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let me = rustix::process::geteuid().as_raw();
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.uid() != me) {
            warnings.push(ignored("another user owns it"));
            return Record::default();
        }
    }
    let Ok(mut record) = serde_json::from_slice::<Record>(&bytes) else {
        warnings.push(ignored("it is not a record sfgen can read"));
        return Record::default();
    };
    let here = std::fs::canonicalize(root).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    if record.folder != here {
        warnings.push(ignored("it was written for another folder"));
        return Record::default();
    }
    for map in [&mut record.files, &mut record.previous] {
        let bad: Vec<String> =
            map.keys().filter(|k| crate::relpath::check_relative_path(k).is_err()).cloned().collect();
        for k in bad {
            map.remove(&k);
            warnings.push(format!(
                "sfgen's record of {} ({}) names {:?}, which is not a path inside the folder: ignored",
                crate::shell::printable(&root.display().to_string()),
                shown(),
                crate::shell::printable(&k)
            ));
        }
    }
    record
}

/// Saves the record of `root` (best effort: without a state folder, sfgen only forgets what it
/// wrote, and then treats the folder as the user's).
pub(super) fn save_record(root: &Path, record: &mut Record) {
    let Some(path) = record_path(root) else { return };
    record.folder = std::fs::canonicalize(root).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let _ = file(&path, &serde_json::to_vec_pretty(record).unwrap_or_default());
}

/// The record of a write of `files`.
pub(super) fn record_of(files: &[PlannedFile]) -> Record {
    let mut r = Record::default();
    for (rel, bytes) in files {
        r.files.insert(rel.clone(), sha256_hex(bytes));
    }
    r
}

/// Whether every file under `root` is one sfgen wrote there, unchanged (or `root` is new/empty).
pub(super) fn owned(root: &Path, record: &Record) -> Result<bool> {
    if !root.exists() {
        return Ok(true);
    }
    let walker = walkdir::WalkDir::new(root).follow_links(false).min_depth(1).into_iter();
    for entry in walker.filter_entry(|e| !(e.depth() == 1 && is_stage_name(&e.file_name().to_string_lossy()))) {
        let Ok(entry) = entry else { return Ok(false) };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            return Ok(false);
        }
        let rel = entry.path().strip_prefix(root).map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
        if !record.paths().contains(&rel) {
            return Ok(false);
        }
        let Ok(bytes) = std::fs::read(entry.path()) else { return Ok(false) };
        if !record.wrote(&rel, &sha256_hex(&bytes)) {
            return Ok(false);
        }
    }
    Ok(true)
}
