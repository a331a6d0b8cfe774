//! The validated project: the data every verb works from, and what it says of itself.
//!
//! [`crate::model`] builds it from a loaded config (every rule checked, defaults filled in);
//! [`crate::render`] turns it into metadata. It sits below both, so that validation may render
//! the project to check its names against the package without a circle.

use crate::section::integration::Integration;
use crate::section::oauth_app::ConnectedApp;
use crate::section::permission_set::PermissionSet;
use crate::section::remote_site::RemoteSite;
use crate::section::settings::Settings;
use crate::section::webhook::{NamedCredential, Webhook};
use crate::sf::api::ApiVersion;

/// A validated sfgen project.
#[derive(Debug, Clone)]
pub struct Project {
    /// One API version for every file.
    pub api_version: ApiVersion,
    /// sha256 of the effective config (hex).
    pub config_hash: String,
    /// sha256 of the config file as written (the same for every environment).
    pub source_hash: String,
    /// The environment the config was resolved for.
    pub env: Option<String>,
    /// The config file, as given on the command line.
    pub config_file: std::path::PathBuf,
    /// The webhook integration, if configured.
    pub webhook: Option<Webhook>,
    /// Remote sites, including the one derived for the webhook endpoint.
    pub remote_sites: Vec<RemoteSite>,
    /// Named Credentials sfgen generates.
    pub named_credentials: Vec<NamedCredential>,
    /// Connected Apps.
    pub connected_apps: Vec<ConnectedApp>,
    /// Permission sets.
    pub permission_sets: Vec<PermissionSet>,
    /// Org settings.
    pub settings: Settings,
    /// Facts for next steps.
    pub integration: Integration,
    /// Problems that do not stop generation.
    pub warnings: Vec<crate::error::Diagnostic>,
}

impl Project {
    /// The first 12 hex digits of the config file's hash, as written into the Apex headers (the
    /// same for every environment, so that every environment deploys the same classes).
    pub fn short_hash(&self) -> &str {
        &self.source_hash[..12.min(self.source_hash.len())]
    }

    /// The `-c FILE --env NAME` flags that reproduce this project on a command line (empty for
    /// the defaults).
    pub fn config_flags(&self) -> String {
        let mut out = String::new();
        if self.config_file != std::path::Path::new("sfgen.json") {
            out.push_str(&format!(" -c {}", crate::shell::path(&self.config_file)));
        }
        if let Some(env) = &self.env {
            out.push_str(&format!(" --env {}", crate::shell::quote(env)));
        }
        out
    }

    /// Names of every generated Apex test class (for `--tests` of RunSpecifiedTests).
    pub fn test_classes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(w) = &self.webhook {
            let names = crate::section::webhook::apex::Names::of(w, "");
            out.extend([w.test_class_name.clone(), names.test_outbox, names.test_delivery, names.test_admin]);
            out.extend(w.objects.iter().map(|o| o.test_class_name.clone()));
        }
        out.sort();
        out
    }
}
