//! Reading a config file: size cap, JSON syntax, the `--env` merge patch, typed
//! deserialisation, and diagnostics that name `file:line:column`, the JSON path, what is wrong
//! and how to fix it.

pub mod raw;
pub mod reference;
pub mod structure;

use crate::error::{Diagnostic, Error};
use crate::spans::{self, Spans};
use crate::suggest::did_you_mean;
pub use raw::RawConfig;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Largest config file sfgen reads (1 MiB): far above any real config, small enough that a
/// wrong file given by mistake (a zip, a log) is refused at once.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A parsed config with everything needed to report errors against the original file.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The typed config, with the environment patch applied.
    pub raw: RawConfig,
    /// The file it came from (as given on the command line).
    pub file: PathBuf,
    /// Positions of values in the file.
    pub spans: Spans,
    /// The environment chosen with `--env`, if any.
    pub env: Option<String>,
    /// sha256 (hex) of the effective config (after the patch, keys sorted).
    pub hash: String,
    /// sha256 (hex) of the config file as written (keys sorted, environments included): the
    /// same for every `--env`, so it can go into the Apex headers, which must not differ
    /// between environments.
    pub source_hash: String,
}

impl LoadedConfig {
    /// Builds a diagnostic located at `path`: inside the environment patch when the patch
    /// sets that value, otherwise in the base config.
    pub fn diag(&self, path: &str, message: impl Into<String>, hint: Option<String>) -> Diagnostic {
        let pos = locate(&self.spans, self.env.as_deref(), path);
        Diagnostic {
            file: self.file.clone(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            path: shown_path(path),
            message: message.into(),
            hint,
        }
    }
}

impl crate::spans::Locate for LoadedConfig {
    fn diag(&self, path: &str, message: String, hint: Option<String>) -> Diagnostic {
        LoadedConfig::diag(self, path, message, hint)
    }
}

/// A JSON path as diagnostics show it: whole, unless a runaway key (a megabyte header name)
/// would flood the terminal; then its start and end, with the length.
pub fn shown_path(path: &str) -> String {
    const MAX: usize = 200;
    if path.chars().count() <= MAX {
        return path.to_string();
    }
    let head: String = path.chars().take(120).collect();
    let tail: String = path.chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{head}...({} characters)...{tail}", path.chars().count())
}

/// Reads and parses the config at `file`, applying environment `env`.
pub fn load(file: &Path, env: Option<&str>) -> Result<LoadedConfig, Error> {
    let meta = std::fs::metadata(file).map_err(|e| Error::Input {
        message: format!("cannot read config {}: {e}", file.display()),
        hint: Some(if file == Path::new("sfgen.json") {
            "run `sfgen init` to write a starter sfgen.json, or pass -c FILE".to_string()
        } else {
            "check the path given with -c".to_string()
        }),
    })?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(Error::Input {
            message: format!(
                "config {} is {} bytes, over the {MAX_CONFIG_BYTES}-byte limit",
                file.display(),
                meta.len()
            ),
            hint: Some("is this the right file? an sfgen config is a small JSON document".into()),
        });
    }
    // Only a regular file is read (a FIFO or a device, `-c /dev/zero`, is refused at once), and
    // at most the cap (a file may grow while it is read).
    let bytes = crate::read::archive::read_file_capped(
        file,
        MAX_CONFIG_BYTES,
        true,
        "an sfgen config is a small JSON document",
    )?;
    let text = String::from_utf8(bytes).map_err(|e| Error::Input {
        message: format!(
            "config {} is not UTF-8 (invalid byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        ),
        hint: Some("save the file as UTF-8".into()),
    })?;
    parse_str(&text, file, env)
}

/// Parses config `text` as if read from `file`.
pub fn parse_str(text: &str, file: &Path, env: Option<&str>) -> Result<LoadedConfig, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::Config(vec![Diagnostic {
            file: file.to_path_buf(),
            line: Some(e.line()),
            column: Some(e.column()),
            path: String::new(),
            message: format!("invalid JSON: {}", strip_position(&e.to_string())),
            hint: Some("sfgen configs are strict JSON: no comments, no trailing commas".into()),
        }])
    })?;
    let spans = Spans::scan(text);
    let file_buf = file.to_path_buf();
    if !spans.duplicates().is_empty() {
        let diags = spans
            .duplicates()
            .iter()
            .map(|d| Diagnostic {
                file: file.to_path_buf(),
                line: Some(d.second.0),
                column: Some(d.second.1),
                path: d.path.clone(),
                message: format!(
                    "duplicate key: also written at line {}, column {}; JSON readers keep only one of the two",
                    d.first.0, d.first.1
                ),
                hint: Some("remove one of them, so that what is reviewed is what is used".into()),
            })
            .collect();
        return Err(Error::Config(diags));
    }
    let at = |path: &str, message: String, hint: Option<String>| {
        let pos = spans.locate(path);
        Diagnostic {
            file: file_buf.clone(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            path: path.to_string(),
            message,
            hint,
        }
    };
    if !value.is_object() {
        return Err(Error::Config(vec![at(
            "",
            "the config must be a JSON object".into(),
            Some("start from `sfgen init`".into()),
        )]));
    }
    let source_hash = canonical_hash(&value);
    if let Some(env) = env {
        let patch = value.get("environments").and_then(|e| e.get(env)).cloned();
        match patch {
            Some(patch) if patch.is_object() => json_patch::merge(&mut value, &patch),
            Some(_) => {
                return Err(Error::Config(vec![at(
                    &spans::push_key("environments", env),
                    format!("environment \"{env}\" must be an object (a JSON merge patch)"),
                    None,
                )]))
            }
            None => {
                let known: Vec<String> = value
                    .get("environments")
                    .and_then(|e| e.as_object())
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                let hint = if known.is_empty() {
                    "the config has no \"environments\"; add one or drop --env".to_string()
                } else {
                    let mut h = format!("known environments: {}", known.join(", "));
                    if let Some(s) = did_you_mean(env, known.iter().map(String::as_str)) {
                        h = format!("did you mean \"{s}\"? {h}");
                    }
                    h
                };
                return Err(Error::Config(vec![at(
                    "environments",
                    format!("unknown environment \"{env}\""),
                    Some(hint),
                )]));
            }
        }
    }
    let hash = canonical_hash(&value);
    // Every structural problem at once (serde would stop at the first).
    let problems = structure::check(&value);
    if problems.iter().any(|p| p.blocking) {
        let mut diags: Vec<Diagnostic> = problems
            .into_iter()
            .map(|p| {
                let pos = locate(&spans, env, &p.path);
                Diagnostic {
                    file: file.to_path_buf(),
                    line: pos.map(|x| x.0),
                    column: pos.map(|x| x.1),
                    path: shown_path(&p.path),
                    message: p.message,
                    hint: p.hint,
                }
            })
            .collect();
        diags.sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
        return Err(Error::Config(diags));
    }
    let raw: RawConfig = serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = path_string(e.path());
        let inner = e.inner().to_string();
        let (message, mut hint) = explain_serde_error(&inner);
        if hint.is_none() && inner.contains("expected a string") {
            hint = Some("put the value in double quotes, e.g. \"62.0\"".into());
        }
        let pos = locate(&spans, env, &path);
        Error::Config(vec![Diagnostic {
            file: file.to_path_buf(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            path,
            message,
            hint,
        }])
    })?;
    Ok(LoadedConfig { raw, file: file.to_path_buf(), spans, env: env.map(str::to_string), hash, source_hash })
}

/// sha256 (hex) of a JSON value; serde_json's map is sorted, so the serialisation is canonical.
fn canonical_hash(value: &serde_json::Value) -> String {
    let canonical = serde_json::to_vec(value).unwrap_or_default();
    Sha256::digest(&canonical).iter().map(|b| format!("{b:02x}")).collect()
}

/// Where `path` is written: in the `--env` patch when the patch sets it, else in the base
/// config (or its nearest written ancestor).
fn locate(spans: &Spans, env: Option<&str>, path: &str) -> Option<(usize, usize)> {
    let patched = env.and_then(|env| {
        let root = spans::push_key("environments", env);
        spans.exact(&if path.is_empty() { root } else { format!("{root}.{path}") })
    });
    patched.or_else(|| spans.locate(path))
}

fn path_string(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out = spans::push_index(&out, *index),
            Segment::Map { key } => out = spans::push_key(&out, key),
            Segment::Enum { variant } => out = spans::push_key(&out, variant),
            Segment::Unknown => {}
        }
    }
    out
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Turns serde's message into sfgen's words plus a fix.
fn explain_serde_error(msg: &str) -> (String, Option<String>) {
    let msg = strip_position(msg);
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default().to_string();
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let hint = match did_you_mean(&field, expected.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("known keys here: {}", expected.join(", ")),
        };
        return (format!("unknown key \"{field}\""), Some(hint));
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        let example = match field {
            "apiVersion" => " (e.g. \"apiVersion\": \"62.0\")",
            _ => "",
        };
        return (format!("missing required key \"{field}\""), Some(format!("add \"{field}\"{example}")));
    }
    if msg.contains("did not match any variant of untagged enum RawNamedCredential") {
        return (
            "namedCredential must be a name (string) or an object { \"name\", \"label\", \"url\" }".into(),
            Some("e.g. \"namedCredential\": \"Vendor_API\" for one the org holds".into()),
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        return (format!("wrong type: {rest}"), None);
    }
    (msg, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str, env: Option<&str>) -> Vec<Diagnostic> {
        match parse_str(text, Path::new("sfgen.json"), env) {
            Err(Error::Config(d)) => d,
            other => panic!("expected config errors, got {other:?}"),
        }
    }

    #[test]
    fn unknown_key_gets_did_you_mean_and_position() {
        let d = errors("{\n  \"apiVersion\": \"62.0\",\n  \"webhook\": {\"endpiont\": \"https://x\"}\n}", None);
        assert_eq!(d[0].path, "webhook.endpiont");
        assert_eq!((d[0].line, d[0].column), (Some(3), Some(15)));
        assert_eq!(d[0].message, "unknown key \"endpiont\"");
        assert_eq!(d[0].hint.as_deref(), Some("did you mean \"endpoint\"?"));
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let d = errors("{\n  \"apiVersion\": \"62.0\",\n}", None);
        assert_eq!(d[0].line, Some(3));
        assert!(d[0].message.starts_with("invalid JSON"), "{}", d[0].message);
    }

    #[test]
    fn environment_patch_replaces_arrays_and_values() {
        let text = r#"{"apiVersion":"62.0","remoteSites":[{"name":"A","url":"https://a"}],
            "environments":{"prod":{"apiVersion":"63.0","remoteSites":[]}}}"#;
        let c = parse_str(text, Path::new("c.json"), Some("prod")).expect("parses");
        assert_eq!(c.raw.api_version, "63.0");
        assert!(c.raw.remote_sites.is_empty());
        let base = parse_str(text, Path::new("c.json"), None).expect("parses");
        assert_ne!(base.hash, c.hash);
    }

    #[test]
    fn unknown_environment_suggests() {
        let d = errors(r#"{"apiVersion":"62.0","environments":{"production":{}}}"#, Some("prod"));
        assert!(d[0].hint.as_deref().unwrap_or_default().contains("production"));
    }

    #[test]
    fn type_error_inside_environment_points_into_patch() {
        let text = "{\"apiVersion\":\"62.0\",\n\"environments\":{\"p\":{\n\"apiVersion\": 63}}}";
        let d = errors(text, Some("p"));
        assert_eq!(d[0].path, "apiVersion");
        assert_eq!(d[0].line, Some(3));
    }
}
