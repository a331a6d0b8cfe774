//! `settings`: org settings (Email-to-Case, the OAuth username-password flow).

use crate::sf::xml::Element;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Org settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "Settings")]
pub struct RawSettings {
    /// Email-to-Case (CaseSettings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_to_case: Option<RawEmailToCase>,
    /// OAuth and OpenID Connect settings (OauthOidcSettings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<RawOauthSettings>,
}

/// Email-to-Case.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "EmailToCase")]
pub struct RawEmailToCase {
    /// Turn Email-to-Case on or off.
    pub enabled: bool,
}

/// OAuth org settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "OauthSettings")]
pub struct RawOauthSettings {
    /// Allow the OAuth username-password flow (sets blockOAuthUnPwFlow to the opposite).
    pub allow_username_password_flow: bool,
}

/// Org settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Email-to-Case on/off.
    pub email_to_case: Option<bool>,
    /// Username-password flow allowed.
    pub allow_username_password_flow: Option<bool>,
}

/// The validated settings (nothing to check beyond JSON types).
pub(crate) fn settings(raw: Option<&RawSettings>) -> Settings {
    Settings {
        email_to_case: raw.and_then(|s| s.email_to_case.as_ref()).map(|e| e.enabled),
        allow_username_password_flow: raw.and_then(|s| s.oauth.as_ref()).map(|o| o.allow_username_password_flow),
    }
}

/// `settings/Case.settings`: Email-to-Case on or off.
pub fn case_settings(enabled: bool) -> String {
    Element::new("CaseSettings")
        .child(Element::new("emailToCase").child(Element::boolean("enableEmailToCase", enabled)))
        .to_document()
}

/// `settings/OauthOidc.settings`: the username-password flow.
pub fn oauth_oidc_settings(allow_username_password: bool) -> String {
    Element::new("OauthOidcSettings")
        .child(Element::boolean("blockOAuthUnPwFlow", !allow_username_password))
        .to_document()
}

/// Renders the settings files the config sets.
pub fn render(settings: &Settings, tree: &mut crate::metadata::Tree) {
    if let Some(enabled) = settings.email_to_case {
        super::xml_file(tree, "Settings", "Case", case_settings(enabled));
    }
    if let Some(allow) = settings.allow_username_password_flow {
        super::xml_file(tree, "Settings", "OauthOidc", oauth_oidc_settings(allow));
    }
}
