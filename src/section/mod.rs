//! One module per config section: its raw JSON form (serde + JSON Schema), its validated model,
//! the rules that turn one into the other, and how it renders into metadata. Adding or changing
//! a section means reading and editing one file (or one folder, for the webhook).
//!
//! The top level (`config::raw::RawConfig`, `model::Project`, `render::render`) only wires the
//! sections together; a section knows the config file only through [`crate::spans::Locate`].

pub mod integration;
pub mod named_credential;
pub mod oauth_app;
pub mod permission_set;
pub mod remote_site;
pub mod settings;
pub mod webhook;

use crate::error::Diagnostic;
use crate::metadata::{Component, ComponentKey, MetadataFile, Tree};
use crate::sf::names::{is_api_name, is_sobject_name, APEX_RESERVED};

/// Where a rendered component of `type_name` goes in Metadata API layout, as the registry says.
/// Every type a section renders is one the registry knows with a suffix (the goldens and
/// `every_rendered_type_has_a_place` hold it); the fallback only keeps a mistake from panicking.
pub(crate) fn mdapi_path(type_name: &str, name: &str) -> String {
    crate::sf::paths::mdapi_path(type_name, name).unwrap_or_else(|| format!("{type_name}/{name}"))
}

/// Adds a component made of one XML file to `tree`, in its type's folder with its suffix.
pub(crate) fn xml_file(tree: &mut Tree, type_name: &str, name: &str, xml: String) {
    let path = mdapi_path(type_name, name);
    tree.insert(Component::new(ComponentKey::new(type_name, name), vec![MetadataFile::new(path, xml)]));
}

/// Longest header name sfgen writes (servers commonly refuse header lines over 8 KB).
pub const MAX_HEADER_NAME: usize = 128;

/// Collects the problems of one validation run, located in the config file.
pub(crate) struct Ctx<'a> {
    pub(crate) config: &'a dyn crate::spans::Locate,
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub(crate) fn error(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let d = self.config.diag(path, message.into(), hint.into());
        self.errors.push(d);
    }

    pub(crate) fn warn(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let d = self.config.diag(path, message.into(), hint.into());
        self.warnings.push(d);
    }

    /// Checks an HTTP header name (RFC 9110 token, bounded length); returns whether it is usable.
    pub(crate) fn header_name(&mut self, path: &str, name: &str) -> bool {
        let token_ok =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token_ok {
            let shown: String = name.chars().take(40).collect();
            self.error(
                path,
                format!("\"{}\" is not a valid HTTP header name", shown.escape_debug()),
                Some("use letters, digits and '-' only".to_string()),
            );
            return false;
        }
        if name.len() > MAX_HEADER_NAME {
            self.error(
                path,
                format!("the header name is {} characters; sfgen accepts at most {MAX_HEADER_NAME}", name.len()),
                Some("servers refuse oversized header lines; use a short name such as \"X-Source\"".to_string()),
            );
            return false;
        }
        true
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

    /// Checks an SObject or field API name (syntax and Salesforce's lengths); returns whether
    /// it is usable. `what` names it in the message ("an SObject", "a field").
    pub(crate) fn sobject_name(&mut self, path: &str, what: &str, name: &str, hint: Option<&str>) -> bool {
        if is_sobject_name(name) {
            return true;
        }
        let shown: String = name.chars().take(60).collect();
        let shown = if shown.len() < name.len() {
            format!("{}...", shown.escape_debug())
        } else {
            shown.escape_debug().to_string()
        };
        match crate::sf::names::sobject_name_length(name) {
            Some(why) => self.error(path, format!("\"{shown}\" cannot be {what} API name: {why}"), None),
            None => self.error(path, format!("\"{shown}\" is not {what} API name"), hint.map(str::to_string)),
        }
        false
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
                if let Some(problem) = ambiguous_authority(value, &u) {
                    self.error(
                        path,
                        format!("{problem}, so the host Apex calls may not be the host the Remote Site allows"),
                        Some("write the URL plainly: https://host[:port]/path".to_string()),
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

/// Why `raw` could name another host to another URL parser than the one `parsed` names, if it
/// could. Browsers (the WHATWG URL standard, which the `url` crate follows) read `\` as `/` and
/// percent-decode hosts; Java's URI parser, behind Apex callouts, reads everything before the
/// last `@` of the authority as user info. `https://evil.example\@hooks.example.com/` is
/// `evil.example` to one and `hooks.example.com` to the other, so such URLs are refused rather
/// than guessed at.
pub(crate) fn ambiguous_authority(raw: &str, parsed: &url::Url) -> Option<String> {
    if raw.contains('\\') {
        return Some("the URL contains a backslash, which URL parsers read differently".to_string());
    }
    let rest = raw.split_once("://").map(|(_, r)| r).unwrap_or(raw);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    if authority.contains('@') {
        return Some("the URL's host part contains '@'".to_string());
    }
    if authority.contains('%') {
        return Some("the URL's host is percent-encoded".to_string());
    }
    if !authority.is_ascii() {
        return Some("the URL's host is not ASCII (write it in punycode, xn--...)".to_string());
    }
    if parsed.port() == Some(0) {
        return Some("the URL names port 0, which no server listens on".to_string());
    }
    let host = parsed.host_str().unwrap_or_default();
    let written =
        authority.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map_or(authority, |(h, _)| h);
    if !written.eq_ignore_ascii_case(host) {
        return Some(format!("the URL's host \"{written}\" is read as \"{host}\""));
    }
    None
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

#[cfg(test)]
mod placement_tests {
    /// Every type a section renders has a folder and a suffix in the registry, so no rendered
    /// file takes the fallback path.
    #[test]
    fn every_rendered_type_has_a_place() {
        let rendered = [
            "ApexClass",
            "ApexTrigger",
            "CustomObject",
            "CustomTab",
            "CustomMetadata",
            "PlatformEventSubscriberConfig",
            "PermissionSet",
            "ExternalCredential",
            "NamedCredential",
            "RemoteSiteSetting",
            "ConnectedApp",
            "Settings",
        ];
        let eca = super::oauth_app::ECA_FILES.iter().map(|(t, _, _)| *t);
        for ty in rendered.into_iter().chain(eca) {
            assert!(crate::sf::paths::mdapi_path(ty, "X").is_some(), "{ty} has no place in the registry");
        }
        assert_eq!(super::mdapi_path("CustomObject", "Outbox__c"), "objects/Outbox__c.object");
        assert_eq!(super::mdapi_path("CustomMetadata", "Endpoint.Default"), "customMetadata/Endpoint.Default.md");
    }
}
