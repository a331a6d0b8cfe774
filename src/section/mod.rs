//! One module per config section: its raw JSON form (serde + JSON Schema), its validated model,
//! the rules that turn one into the other, and how it renders into metadata. Adding or changing
//! a section means reading and editing one file (or one folder, for the webhook).
//!
//! The top level ([`crate::config::raw::RawConfig`], [`crate::model::Project`],
//! [`crate::render::render`]) only wires the sections together.

pub mod integration;
pub mod oauth_app;
pub mod permission_set;
pub mod remote_site;
pub mod settings;
pub mod webhook;

use crate::config::LoadedConfig;
use crate::error::Diagnostic;
use crate::model::names::{is_api_name, APEX_RESERVED};

/// Collects the problems of one validation run, located in the config file.
pub(crate) struct Ctx<'a> {
    pub(crate) config: &'a LoadedConfig,
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub(crate) fn error(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let d = self.config.diag(path, message, hint.into());
        self.errors.push(d);
    }

    pub(crate) fn warn(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let d = self.config.diag(path, message, hint.into());
        self.warnings.push(d);
    }

    /// Checks an API name with a maximum length; returns it unchanged.
    pub(crate) fn api_name(&mut self, path: &str, what: &str, name: &str, max: usize) -> String {
        if !is_api_name(name) {
            self.error(
                path,
                format!("{what} \"{name}\" is not a valid API name"),
                Some(format!(
                    "use letters, digits and single underscores, starting with a letter, e.g. \"{}\"",
                    suggest_api_name(name)
                )),
            );
        } else if name.len() > max {
            self.error(path, format!("{what} \"{name}\" is {} characters; Salesforce allows {max}", name.len()), None);
        }
        name.to_string()
    }

    pub(crate) fn apex_name(&mut self, path: &str, what: &str, name: &str) -> String {
        let n = self.api_name(path, what, name, 40);
        if APEX_RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
            self.error(
                path,
                format!("{what} \"{name}\" is an Apex reserved word"),
                Some("choose another name".to_string()),
            );
        }
        n
    }

    /// Refuses whitespace and C1 controls in a URL: the URL parser would silently drop line
    /// breaks and tabs, but the raw string is what goes into Apex and metadata. Returns
    /// whether the URL is clean.
    pub(crate) fn url_chars(&mut self, path: &str, value: &str) -> bool {
        match value.chars().find(|&c| c.is_whitespace() || ('\u{7f}'..='\u{9f}').contains(&c)) {
            Some(c) => {
                self.error(
                    path,
                    format!("URL contains whitespace or a control character (U+{:04X})", c as u32),
                    Some("percent-encode it (a space is %20)".to_string()),
                );
                false
            }
            None => true,
        }
    }

    /// Checks free text bound for XML or Apex: no control characters XML 1.0 cannot carry.
    pub(crate) fn text(&mut self, path: &str, value: &str, max: usize) {
        if let Some(c) = value
            .chars()
            .find(|&c| (c < ' ' && c != '\n' && c != '\t' && c != '\r') || c == '\u{fffe}' || c == '\u{ffff}')
        {
            self.error(
                path,
                format!("contains the control character U+{:04X}, which metadata XML cannot hold", c as u32),
                Some("remove it".to_string()),
            );
        }
        if value.chars().count() > max {
            self.error(path, format!("is {} characters; Salesforce allows {max}", value.chars().count()), None);
        }
    }

    pub(crate) fn https_url(&mut self, path: &str, value: &str) -> Option<url::Url> {
        self.text(path, value, 2000);
        if !self.url_chars(path, value) {
            return None;
        }
        match url::Url::parse(value) {
            Ok(u) if u.scheme() == "https" && u.host_str().is_some() => {
                if !u.username().is_empty() || u.password().is_some() {
                    self.error(
                        path,
                        "URL contains credentials (user:password@)",
                        Some(
                            "never put secrets in the config: use a Named Credential with an External Credential"
                                .to_string(),
                        ),
                    );
                    return None;
                }
                Some(u)
            }
            Ok(u) if u.scheme() == "http" => {
                self.error(
                    path,
                    format!("\"{value}\" uses http; sfgen only sends to https endpoints"),
                    Some(format!("use \"https{}\"", &value[4..])),
                );
                None
            }
            Ok(_) => {
                self.error(
                    path,
                    format!("\"{value}\" is not an https URL"),
                    Some("e.g. \"https://api.example.com/hooks\"".to_string()),
                );
                None
            }
            Err(e) => {
                self.error(
                    path,
                    format!("\"{value}\" is not a valid URL: {e}"),
                    Some("e.g. \"https://api.example.com/hooks\"".to_string()),
                );
                None
            }
        }
    }
}

/// Turns an arbitrary string into a plausible API name for "did you mean" hints.
pub(crate) fn suggest_api_name(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    match out.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => out,
        Some(_) => format!("X{out}"),
        None => "My_Name".to_string(),
    }
}

pub(crate) fn label_from_name(name: &str) -> String {
    name.replace('_', " ")
}
