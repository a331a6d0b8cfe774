//! Writing generated files to disk: everything is rendered in memory first, then staged as
//! temporary files beside their targets and renamed into place, so a failure leaves no
//! half-written file and never touches files sfgen did not generate.

use crate::error::Error;
use crate::metadata::Tree;
use std::path::{Path, PathBuf};

/// Folder of generated source under an SFDX project.
pub const SOURCE_ROOT: &str = "force-app/main/default";

/// A file to write: path relative to the output folder, and contents.
pub type PlannedFile = (String, Vec<u8>);

/// The files of `tree` in mdapi layout, with `package.xml`.
pub fn mdapi_files(tree: &Tree, version: &str) -> Vec<PlannedFile> {
    let mut files: Vec<PlannedFile> = tree.files().into_iter().map(|f| (f.path.clone(), f.bytes.clone())).collect();
    files.push(("package.xml".into(), tree.package_xml(version).into_bytes()));
    files.sort();
    files
}

/// The files of `tree` in source layout, with `sfdx-project.json` (which the caller writes
/// only if absent).
pub fn source_files(tree: &Tree, version: &str) -> Result<Vec<PlannedFile>, Error> {
    let mut files: Vec<PlannedFile> = crate::convert::mdapi_to_source(tree)?
        .into_iter()
        .map(|f| (format!("{SOURCE_ROOT}/{}", f.path), f.bytes))
        .collect();
    files.push(("sfdx-project.json".into(), sfdx_project_json(version).into_bytes()));
    files.sort();
    Ok(files)
}

/// A minimal `sfdx-project.json`.
pub fn sfdx_project_json(version: &str) -> String {
    let v = serde_json::json!({
        "packageDirectories": [{ "path": "force-app", "default": true }],
        "name": "sfgen",
        "namespace": "",
        "sourceApiVersion": version,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes `files` under `root`, all or nothing: each file is first written to a temporary
/// sibling, and only when every one is staged are they renamed into place. Returns the paths
/// written.
pub fn write_all(root: &Path, files: &[PlannedFile]) -> Result<Vec<PathBuf>, Error> {
    check_targets(root, files)?;
    let mut staged: Vec<(tempfile::TempPath, PathBuf)> = Vec::with_capacity(files.len());
    for (rel, bytes) in files {
        let target = root.join(rel);
        let dir = target.parent().unwrap_or(root);
        std::fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".sfgen-")
            .tempfile_in(dir)
            .map_err(|source| Error::Write { path: target.clone(), source })?;
        std::io::Write::write_all(&mut tmp, bytes).map_err(|source| Error::Write { path: target.clone(), source })?;
        tmp.as_file().sync_all().map_err(|source| Error::Write { path: target.clone(), source })?;
        staged.push((tmp.into_temp_path(), target));
    }
    let mut written = Vec::with_capacity(staged.len());
    for (tmp, target) in staged {
        tmp.persist(&target).map_err(|e| Error::Write { path: target.clone(), source: e.error })?;
        written.push(target);
    }
    Ok(written)
}

/// Refuses targets that would escape `root`: `..`, absolute paths, and writing through a
/// symbolic link inside it (a checked-out `force-app` that is a link would send generated
/// files outside the target).
fn check_targets(root: &Path, files: &[PlannedFile]) -> Result<(), Error> {
    if root.exists() && !root.is_dir() {
        return Err(Error::Input {
            message: format!("{} exists and is not a folder", root.display()),
            hint: Some("choose another --out".into()),
        });
    }
    for (rel, _) in files {
        if rel.split('/').any(|seg| seg == ".." || seg.is_empty()) || rel.starts_with('/') {
            return Err(Error::input(format!("refusing to write outside {}: {rel}", root.display())));
        }
        let target = root.join(rel);
        let mut at = root.to_path_buf();
        for seg in rel.split('/') {
            at.push(seg);
            if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) && at != target {
                return Err(Error::Input {
                    message: format!("refusing to write through the symbolic link {}", at.display()),
                    hint: Some("replace the link with a real folder, or choose another --out".into()),
                });
            }
        }
    }
    Ok(())
}

/// Writes `files` into the folder `root` so that, whatever happens (an error, a kill), `root`
/// holds either its old contents or the complete new ones, never a mix.
///
/// A complete new folder is staged beside `root`: files sfgen does not generate are carried
/// over as hard links (no copy; the user's files keep their inodes), the generated ones are
/// written, and the two folders are swapped in one `renameat2(RENAME_EXCHANGE)`. The old folder
/// (now only links and old generated files) is then removed. Where the filesystem cannot link
/// or exchange, it falls back to [`write_all`] (each file atomic on its own).
pub fn write_folder_atomic(root: &Path, files: &[PlannedFile]) -> Result<Vec<PathBuf>, Error> {
    check_targets(root, files)?;
    let is_link = std::fs::symlink_metadata(root).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        return write_all(root, files);
    }
    let parent = root.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_path_buf(), source })?;
    let stage = tempfile::Builder::new()
        .prefix(".sfgen-stage-")
        .tempdir_in(parent)
        .map_err(|source| Error::Write { path: root.to_path_buf(), source })?;
    // A temporary folder is private (0700); the folder it becomes keeps the old folder's mode.
    let mode = std::fs::metadata(root).map(|m| m.permissions()).unwrap_or_else(|_| {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::Permissions::from_mode(0o755)
    });
    std::fs::set_permissions(stage.path(), mode).map_err(|source| Error::Write { path: root.to_path_buf(), source })?;
    if root.is_dir() {
        let generated: std::collections::HashSet<&str> = files.iter().map(|(rel, _)| rel.as_str()).collect();
        if carry_over(root, stage.path(), &generated).is_err() {
            drop(stage);
            return write_all(root, files);
        }
    }
    for (rel, bytes) in files {
        let target = stage.path().join(rel);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Write { path: root.join(rel), source })?;
        }
        std::fs::write(&target, bytes).map_err(|source| Error::Write { path: root.join(rel), source })?;
    }
    if root.exists() {
        let swapped = rustix::fs::renameat_with(
            rustix::fs::CWD,
            stage.path(),
            rustix::fs::CWD,
            root,
            rustix::fs::RenameFlags::EXCHANGE,
        );
        if swapped.is_err() {
            drop(stage);
            return write_all(root, files);
        }
        // `stage` now names the old folder; dropping it removes it.
        drop(stage);
    } else {
        std::fs::rename(stage.path(), root).map_err(|source| Error::Write { path: root.to_path_buf(), source })?;
        let _ = stage.keep();
    }
    Ok(files.iter().map(|(rel, _)| root.join(rel)).collect())
}

/// Recreates `root`'s folders, links and files (as hard links) under `stage`, except the
/// files about to be generated and temporary files of earlier, interrupted sfgen runs.
fn carry_over(root: &Path, stage: &Path, generated: &std::collections::HashSet<&str>) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(root).follow_links(false).min_depth(1) {
        let entry = entry.map_err(std::io::Error::other)?;
        let rel = entry.path().strip_prefix(root).map_err(std::io::Error::other)?;
        let rel_s = rel.to_string_lossy().replace('\\', "/");
        if generated.contains(rel_s.as_str()) || entry.file_name().to_string_lossy().starts_with(".sfgen-") {
            continue;
        }
        let dest = stage.join(rel);
        let ty = entry.file_type();
        if ty.is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &dest)?;
        } else {
            std::fs::hard_link(entry.path(), &dest)?;
        }
    }
    Ok(())
}
