//! Output targets: what is at a path now, and what may be written there (a regular file, a
//! real folder, a new or empty tree, names that are safe and portable, never a command's input).

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(super) fn werr(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

pub(super) fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What is at `path` now.
pub(super) enum Existing {
    Nothing,
    File,
    Dir,
    Other(&'static str),
}

pub(super) fn existing(path: &Path) -> Result<Existing> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Existing::Nothing),
        Err(e) => Err(Error::Write { path: path.to_path_buf(), source: e }),
        Ok(m) => {
            let ft = m.file_type();
            Ok(if ft.is_symlink() {
                Existing::Other("a symbolic link")
            } else if ft.is_file() {
                Existing::File
            } else if ft.is_dir() {
                Existing::Dir
            } else {
                Existing::Other("a device, pipe or socket")
            })
        }
    }
}

/// Refuses to write the file `path` unless it is absent or a regular file.
pub fn check_file_target(path: &Path) -> Result<()> {
    match existing(path)? {
        Existing::Nothing | Existing::File => Ok(()),
        Existing::Dir => Err(Error::Input {
            message: format!("{} is a folder", path.display()),
            hint: Some("give a file name".into()),
        }),
        Existing::Other(what) => Err(Error::Input {
            message: format!("{} is {what}; sfgen writes only regular files and folders", path.display()),
            hint: Some("give the path of a new or regular file".into()),
        }),
    }
}

/// Refuses an output folder that exists and is not empty (or is not a folder).
pub fn check_new_tree(to: &Path) -> Result<()> {
    match existing(to)? {
        Existing::Nothing => {}
        Existing::Dir if std::fs::read_dir(to).map(|mut d| d.next().is_none()).unwrap_or(false) => {}
        _ => {
            return Err(Error::Input {
                message: format!("{} already exists and is not an empty folder", to.display()),
                hint: Some("give a new or empty folder (sfgen never mixes its output with existing files here)".into()),
            })
        }
    }
    Ok(())
}

/// Refuses a command whose output is one of its inputs, or two of whose outputs are one file
/// (issue 24, finding 9: `check --junit sfgen.json`, `package -c c.json --out c.json`,
/// `diff --org X.zip --delta-out X.zip` replaced the file they read). `outputs` and `inputs`
/// pair each path with how the command line named it (`--junit`, `-c`, ...). Paths are the same
/// when they are one file or folder on disk, however named (`./x`, `d/../x`, a link), or, when
/// the output does not exist yet, the same path once made absolute and normalised. Called before
/// anything is read or written, so nothing is.
pub fn refuse_overwriting_inputs(outputs: &[(&str, &Path)], inputs: &[(&str, &Path)]) -> Result<()> {
    for (i, (flag, out)) in outputs.iter().enumerate() {
        if let Some((what, input)) = inputs.iter().find(|(_, input)| same_path(out, input)) {
            return Err(Error::Input {
                message: format!(
                    "{flag} {} is {what} {}, which this command reads: writing it would replace the input",
                    crate::shell::path(out),
                    crate::shell::path(input)
                ),
                hint: Some(format!("give {flag} another path")),
            });
        }
        if let Some((other, _)) = outputs[..i].iter().find(|(_, earlier)| same_path(out, earlier)) {
            return Err(Error::Input {
                message: format!(
                    "{other} and {flag} both name {}: the second report would replace the first",
                    crate::shell::path(out)
                ),
                hint: Some(format!("give {flag} another path")),
            });
        }
    }
    Ok(())
}

/// Whether `a` and `b` name one file or folder (see [`refuse_overwriting_inputs`]).
fn same_path(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    #[cfg(not(unix))]
    {
        if let (Ok(x), Ok(y)) = (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            return x == y;
        }
    }
    normalised(a).is_some_and(|x| normalised(b).is_some_and(|y| x == y))
}

/// `path` made absolute, with `.` and `..` resolved lexically.
fn normalised(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// A file to write into a folder: path relative to it, and contents.
pub type PlannedFile = (String, Vec<u8>);

/// Refuses paths that would escape the output or collide or be unusable on other file systems.
pub fn check_names(files: &[PlannedFile]) -> Result<()> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (rel, _) in files {
        check_name(rel)?;
        if let Some(other) = seen.insert(crate::relpath::folded_name(rel), rel) {
            return Err(duplicate(other, rel));
        }
    }
    Ok(())
}

/// Refuses a name that is unsafe (absolute, `..`) or cannot be checked out everywhere.
pub(super) fn check_name(rel: &str) -> Result<()> {
    crate::relpath::check_relative_path(rel)
        .map_err(|why| Error::input(format!("refusing to write {:?}: {why}", crate::ui::printable(rel))))?;
    if let Some(why) = crate::relpath::unportable_name(rel) {
        return Err(Error::Input {
            message: format!("refusing to write {:?}: {why}", crate::ui::printable(rel)),
            hint: Some("rename the component: such a name cannot be checked out on every platform".into()),
        });
    }
    Ok(())
}

pub(super) fn duplicate(other: &str, rel: &str) -> Error {
    Error::Input {
        message: format!(
            "refusing to write both {:?} and {:?}: they are the same file on case-insensitive or normalising file systems (macOS, Windows)",
            crate::ui::printable(other),
            crate::ui::printable(rel)
        ),
        hint: Some("rename one of the two components".into()),
    }
}

/// Refuses targets that go through a link or anything but folders and regular files.
pub(super) fn check_targets(root: &Path, files: &[PlannedFile]) -> Result<()> {
    check_names(files)?;
    for (rel, _) in files {
        let mut at = root.to_path_buf();
        let segs: Vec<&str> = rel.split('/').collect();
        for (i, seg) in segs.iter().enumerate() {
            at.push(seg);
            match existing(&at)? {
                Existing::Nothing => break,
                Existing::Dir if i + 1 < segs.len() => {}
                Existing::File if i + 1 == segs.len() => {}
                Existing::Other(what) => {
                    return Err(Error::Input {
                        message: format!("refusing to write through {} ({what})", at.display()),
                        hint: Some("replace it with a real folder or file, or choose another output".into()),
                    })
                }
                _ => {
                    return Err(Error::Input {
                        message: format!("{} is in the way of {rel}", at.display()),
                        hint: Some("move it away, or choose another output".into()),
                    })
                }
            }
        }
    }
    Ok(())
}

/// `files` as planned files (tests).
#[cfg(test)]
pub(super) fn planned(files: &[(&str, &str)]) -> Vec<PlannedFile> {
    files.iter().map(|(p, c)| ((*p).to_string(), c.as_bytes().to_vec())).collect()
}
