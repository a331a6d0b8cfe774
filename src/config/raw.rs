//! The config file as written: serde types that mirror the JSON one to one.
//!
//! Unknown keys are errors (`deny_unknown_fields`), so a typo never silently does nothing. The
//! same types derive the JSON Schema printed by `sfgen schema`. Nothing here is validated
//! beyond JSON types; [`crate::model`] turns a [`RawConfig`] into a checked `Project`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::section::integration::{RawIntegration, RawIntegrationUser};
pub use crate::section::oauth_app::RawConnectedApp;
pub use crate::section::permission_set::RawPermissionSet;
pub use crate::section::remote_site::RawRemoteSite;
pub use crate::section::settings::{RawEmailToCase, RawOauthSettings, RawSettings};
pub use crate::section::webhook::{
    RawNamedCredential, RawNamedCredentialDef, RawSigning, RawWebhook, RawWebhookObject,
};

/// An sfgen config: every artefact of a Salesforce integration, described once.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "SfgenConfig")]
pub struct RawConfig {
    /// Optional URL or path of this schema, for editors. Ignored by sfgen.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Metadata API version written into every `-meta.xml` and `package.xml`, e.g. "62.0"
    /// (56.0 to 66.0).
    pub api_version: String,
    /// Trigger-to-webhook integration: an Apex class that posts record changes as JSON, a
    /// trigger per object, a callout mock and test classes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<RawWebhook>,
    /// Remote Site Settings (hosts Apex may call). A webhook endpoint no site covers gets one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_sites: Vec<RawRemoteSite>,
    /// OAuth clients for the external service: External Client Apps (a legacy Connected App
    /// only with `legacyConnectedApp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 100))]
    pub oauth_apps: Vec<RawConnectedApp>,
    /// The former name of `oauthApps`, still accepted (same entries; give one of the two).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 100))]
    pub connected_apps: Vec<RawConnectedApp>,
    /// Permission sets with object, field, class, tab, record type and user permissions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permission_sets: Vec<RawPermissionSet>,
    /// Org settings: Email-to-Case and the OAuth username-password flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<RawSettings>,
    /// Facts about the integration that are not metadata; they fill in the next steps printed
    /// after `generate` and `package`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration: Option<RawIntegration>,
    /// Per-environment overrides: `{ "production": { ...JSON merge patch (RFC 7386)... } }`,
    /// chosen with `--env NAME`. An array in a patch replaces the whole array.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub environments: BTreeMap<String, serde_json::Value>,
}
