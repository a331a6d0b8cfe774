//! `sfgen convert`: an SFDX project, mdapi folder or zip, written out in source or mdapi
//! layout through the same readers and writers `package` and `generate` use.
//!
//! The output folder must be new or empty: everything is written into a staging folder beside
//! it and renamed into place at the end, so an error or a kill never leaves half a conversion.

use crate::archive::Limits;
use crate::cli::{ConvertArgs, Format};
use crate::error::{Error, Result};
use crate::load;
use crate::Outcome;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Runs `sfgen convert`.
pub fn run(args: &ConvertArgs) -> Result<Outcome> {
    let limits = Limits::from_env()?;
    check_target(&args.to)?;
    let loaded = load::load_tree(&args.from, &limits)?;
    let version = loaded.api_version.clone().unwrap_or_else(|| load::DEFAULT_API_VERSION.to_string());
    let files: Vec<(String, Vec<u8>)> = match args.format {
        Format::Mdapi => {
            let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(loaded.tree.len() + 1);
            let package_xml = crate::package::package_xml(&loaded.tree, &version);
            for c in loaded.tree.components.into_values() {
                files.extend(c.files.into_iter().map(|f| (f.path, f.bytes)));
            }
            files.push(("package.xml".into(), package_xml.into_bytes()));
            files
        }
        Format::Source => {
            // As output::source_files, but moving the bytes instead of copying them.
            let mut files: Vec<(String, Vec<u8>)> = crate::convert::into_source(loaded.tree)?
                .into_iter()
                .map(|f| (format!("{}/{}", crate::output::SOURCE_ROOT, f.path), f.bytes))
                .collect();
            files.push(("sfdx-project.json".into(), crate::output::sfdx_project_json(&version).into_bytes()));
            files
        }
    };
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    write_tree(&args.to, &files)?;
    let format = match args.format {
        Format::Source => "source",
        Format::Mdapi => "mdapi",
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Converted {} ({:?} layout) to {} ({format} layout): {} files, {bytes} bytes",
        args.from.display(),
        loaded.format,
        args.to.display(),
        files.len()
    );
    Ok(Outcome {
        exit: 0,
        result: serde_json::json!({
            "from": args.from,
            "to": args.to,
            "inputFormat": loaded.format,
            "format": format,
            "apiVersion": version,
            "files": files.len(),
            "bytes": bytes,
        }),
        text,
        ..Outcome::default()
    })
}

fn check_target(to: &Path) -> Result<()> {
    if !to.exists() {
        return Ok(());
    }
    let empty = to.is_dir() && std::fs::read_dir(to).map(|mut d| d.next().is_none()).unwrap_or(false);
    if empty {
        return Ok(());
    }
    Err(Error::Input {
        message: format!("{} already exists and is not an empty folder", to.display()),
        hint: Some("give a new or empty --to folder (convert never mixes its output with existing files)".into()),
    })
}

/// Writes `files` into a staging folder beside `to` (on both cores), then renames it into
/// place; on any error the staging folder is removed and `to` is untouched.
fn write_tree(to: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let parent = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|source| Error::Write { path: parent.clone(), source })?;
    let staging = tempfile::Builder::new()
        .prefix(".sfgen-convert-")
        .tempdir_in(&parent)
        .map_err(|source| Error::Write { path: to.to_path_buf(), source })?;
    for (rel, _) in files {
        crate::archive::check_relative_path(rel)
            .map_err(|why| Error::input(format!("refusing to write {rel:?}: {why}")))?;
    }
    let mut dirs: Vec<PathBuf> =
        files.iter().filter_map(|(rel, _)| Path::new(rel).parent().map(|p| staging.path().join(p))).collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(|source| Error::Write { path: d.clone(), source })?;
    }
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
    let chunk = files.len().div_ceil(threads).max(1);
    let root = staging.path();
    let results: Vec<Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || -> Result<()> {
                    for (rel, bytes) in part {
                        let path = root.join(rel);
                        std::fs::write(&path, bytes).map_err(|source| Error::Write { path, source })?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::input("a writer thread panicked"))))
            .collect()
    });
    for r in results {
        r?;
    }
    if to.is_dir() {
        std::fs::remove_dir(to).map_err(|source| Error::Write { path: to.to_path_buf(), source })?;
    }
    let staged = staging.keep();
    // A temporary folder is private (0700); the output is an ordinary folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o755));
    }
    std::fs::rename(&staged, to).map_err(|source| {
        let _ = std::fs::remove_dir_all(&staged);
        Error::Write { path: to.to_path_buf(), source }
    })?;
    Ok(())
}
