//! Which config a run reads and the project it makes: `-c FILE` or the nearest `sfgen.json`,
//! `--env`, `--api-version`, checked; the first stage of every plan.

use crate::config::{self, LoadedConfig};
use crate::error::{Error, Result};
use crate::model::Project;

/// Which config an operation reads: `-c FILE` (the default `sfgen.json` is looked for as
/// [`find_config`] says), the environment whose overrides apply (`--env`), and an API version in
/// place of the config's `apiVersion` (`--api-version`).
#[derive(Debug, Clone, Default)]
pub struct ConfigOpts {
    /// The config file (`-c`).
    pub config: std::path::PathBuf,
    /// The environment whose overrides apply (`--env`).
    pub env: Option<String>,
    /// The Metadata API version to write instead of the config's (`--api-version`), unchecked.
    pub api_version: Option<String>,
}

/// Loads and validates the config named by `args`: `-c FILE`, or `sfgen.json` in the current
/// folder or the nearest parent holding one (as `sf` finds `sfdx-project.json`; see
/// [`find_config`]), with `--api-version` in place of the config's `apiVersion` when given. A
/// config found in a parent folder is named in a warning, so that the output says which file it
/// came from.
pub fn load_project(args: &ConfigOpts) -> Result<(LoadedConfig, Project)> {
    let version = api_version(args)?;
    let file = find_config(&args.config)?;
    let mut loaded = config::load(&file, args.env.as_deref())?;
    if let Some(v) = version {
        loaded.raw.api_version = v;
    }
    let mut project = Project::from_config(&loaded)?;
    if file.parent().is_some_and(|p| !p.as_os_str().is_empty()) && args.config == std::path::Path::new(DEFAULT_CONFIG) {
        let abs = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        project.warnings.insert(
            0,
            crate::error::Diagnostic {
                file: file.clone(),
                line: None,
                column: None,
                path: String::new(),
                message: format!(
                    "using this config ({}), found in a parent folder: there is no {DEFAULT_CONFIG} here",
                    abs.display()
                ),
                hint: Some(format!("pass -c {} to say so, or -c FILE to use another", crate::shell::path(&file))),
            },
        );
    }
    Ok((loaded, project))
}

/// The config file to read. An explicit `-c` path is taken as given. The default `sfgen.json`,
/// when the current folder has none, is looked for in its parents, and returned relative to the
/// current folder (`../../sfgen.json`), so messages and printed commands name it as a user would.
///
/// The walk stops at the repository root (the first folder holding `.git`), at the home folder,
/// before a folder on another file system (a mount) and before a folder another user owns (than
/// the one owning the current folder): a shared parent such as the system's temporary folder is
/// never searched. A config found this way (or in the current folder) that belongs to another user
/// than the one running sfgen, root or the owner of the current folder is refused, as git refuses
/// a repository another user owns: anyone who can write to a shared folder could otherwise choose
/// where the generated webhook sends records.
pub fn find_config(given: &std::path::Path) -> Result<std::path::PathBuf> {
    let default = std::path::Path::new(DEFAULT_CONFIG);
    if given != default {
        return Ok(given.to_path_buf());
    }
    let Ok(cwd) = std::env::current_dir() else { return Ok(given.to_path_buf()) };
    let here = Place::of(&cwd);
    if std::fs::symlink_metadata(given).is_ok() {
        trusted(given, &here)?;
        return Ok(given.to_path_buf());
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).and_then(|h| std::fs::canonicalize(h).ok());
    let mut up = std::path::PathBuf::new();
    let mut at = cwd.as_path();
    let mut stop = "the repository root";
    let mut last = Place::of(at);
    loop {
        if at.join(".git").exists() {
            break;
        }
        if home.as_deref() == Some(at) {
            stop = "the home folder";
            break;
        }
        let Some(parent) = at.parent() else {
            stop = "the file system root";
            break;
        };
        let next = Place::of(parent);
        if let Some(why) = last.boundary(&next, &here) {
            stop = why;
            break;
        }
        at = parent;
        last = next;
        up.push("..");
        let candidate = up.join(DEFAULT_CONFIG);
        if std::fs::symlink_metadata(at.join(DEFAULT_CONFIG)).is_ok() {
            trusted(&candidate, &here)?;
            return Ok(candidate);
        }
    }
    Err(Error::Input {
        message: format!(
            "no {DEFAULT_CONFIG} in {} or its parents (searched up to {}, {stop})",
            crate::printable::text(&cwd.display().to_string()),
            crate::printable::text(&at.display().to_string())
        ),
        hint: Some("run `sfgen init` to write a starter sfgen.json, or pass -c FILE".into()),
    })
}

/// Who owns a folder and which file system it is on (unknown where the platform does not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    dev: Option<u64>,
    uid: Option<u32>,
}

impl Place {
    fn of(dir: &std::path::Path) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            if let Ok(m) = std::fs::metadata(dir) {
                return Self { dev: Some(m.dev()), uid: Some(m.uid()) };
            }
        }
        let _ = dir;
        Self { dev: None, uid: None }
    }

    /// Why the walk must not enter `next` from `self`, if it must not.
    fn boundary(&self, next: &Place, start: &Place) -> Option<&'static str> {
        if self.dev.is_some() && next.dev != self.dev {
            return Some("a mount point: the parent is on another file system");
        }
        if start.uid.is_some() && next.uid != start.uid {
            return Some("the parent belongs to another user");
        }
        None
    }
}

/// Refuses a default config that is not a regular file, or that belongs to another user than the
/// one running sfgen, root or the owner of the current folder (`here`).
fn trusted(file: &std::path::Path, here: &Place) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let Ok(m) = std::fs::metadata(file) {
            let me = rustix::process::geteuid().as_raw();
            let owner = m.uid();
            if owner != me && owner != 0 && Some(owner) != here.uid {
                return Err(Error::Input {
                    message: format!(
                        "{}: refusing a config that another user (uid {owner}) owns, found without -c",
                        crate::printable::text(&file.display().to_string()),
                    ),
                    hint: Some(format!(
                        "if you trust it, pass -c {} (as git asks for safe.directory); otherwise remove it or run sfgen where your own config is",
                        crate::shell::path(file)
                    )),
                });
            }
        }
    }
    let _ = (file, here);
    Ok(())
}

/// The name of the config looked for by default.
pub const DEFAULT_CONFIG: &str = "sfgen.json";

/// `--api-version`, checked: a version sfgen knows, written like `62.0`.
pub fn api_version(args: &ConfigOpts) -> Result<Option<String>> {
    let Some(v) = &args.api_version else { return Ok(None) };
    let known = crate::sf::api::API_VERSIONS;
    match v.strip_suffix(".0").and_then(|m| m.parse::<u16>().ok()) {
        Some(m) if known.contains(&m) => Ok(Some(format!("{m}.0"))),
        _ => Err(Error::Input {
            message: format!("--api-version {}: not an API version sfgen knows", crate::shell::quote(v)),
            hint: Some(format!("give one from {}.0 to {}.0, e.g. --api-version 62.0", known.start(), known.end())),
        }),
    }
}

/// Warnings of a project as printable lines.
pub fn warning_lines(project: &Project) -> Vec<String> {
    let one_line = |d: &crate::error::Diagnostic| {
        let base = crate::error::Diagnostic { hint: None, ..d.clone() }.to_string();
        match &d.hint {
            Some(h) => format!("{base} (help: {h})"),
            None => base,
        }
    };
    project.warnings.iter().map(one_line).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_one_line_with_their_hint() {
        let cfg = config::parse_str(
            r#"{"apiVersion":"62.0","webhook":{"endpoint":"https://h.example.com","objects":[{"sobject":"Invoice__c","fields":["Name"]}]}}"#,
            std::path::Path::new("w.json"),
            None,
        )
        .expect("parses");
        let lines = warning_lines(&Project::from_config(&cfg).expect("valid"));
        // The missing test record and the object the package does not define.
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines.iter().all(|l| !l.contains('\n') && l.starts_with("w.json:1:")), "{lines:?}");
        assert!(
            lines.iter().any(|l| l.ends_with(
                "(help: add \"testRecord\" with the object's required fields, or name the org's factory in \"webhook.testDataFactory\")"
            )),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.contains("object Invoice__c is not defined by the package")), "{lines:?}");
    }
}
