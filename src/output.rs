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
    if root.exists() && !root.is_dir() {
        return Err(Error::Input {
            message: format!("{} exists and is not a folder", root.display()),
            hint: Some("choose another --out".into()),
        });
    }
    let mut staged: Vec<(tempfile::TempPath, PathBuf)> = Vec::with_capacity(files.len());
    for (rel, bytes) in files {
        if rel.split('/').any(|seg| seg == ".." || seg.is_empty()) || rel.starts_with('/') {
            return Err(Error::input(format!("refusing to write outside {}: {rel}", root.display())));
        }
        let target = root.join(rel);
        // Never write through a link inside the output folder (a checked-out `force-app` that
        // is a symbolic link would send generated files outside the target).
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
