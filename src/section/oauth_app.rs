//! `connectedApps`: the OAuth clients the external service signs in with.

use super::{label_from_name, Ctx};
use crate::config::did_you_mean;
use crate::config::spans::{push_index, push_key};
use crate::metadata::xml::Element;
use crate::model::names::{OAUTH_SCOPES, SCOPE_ALIASES};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A Connected App.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "ConnectedApp")]
pub struct RawConnectedApp {
    /// API name, e.g. "Conexiom".
    pub name: String,
    /// Label shown in Setup (default: the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Contact email of the app's owner.
    pub contact_email: String,
    /// Description shown in Setup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// OAuth callback URLs (https, or http://localhost for development).
    pub callback_urls: Vec<String>,
    /// OAuth scopes, Metadata API names: Api, Web, Full, RefreshToken, OpenID, ...
    pub scopes: Vec<String>,
}

/// A Connected App.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedApp {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Contact email.
    pub contact_email: String,
    /// Description.
    pub description: Option<String>,
    /// Callback URLs (written newline-separated, as Setup stores them).
    pub callback_urls: Vec<String>,
    /// OAuth scopes, sorted.
    pub scopes: Vec<String>,
}

pub(crate) fn connected_apps(cx: &mut Ctx<'_>, raw: &[RawConnectedApp]) -> Vec<ConnectedApp> {
    let mut seen = BTreeSet::new();
    raw.iter()
        .enumerate()
        .map(|(i, a)| {
            let path = push_index("connectedApps", i);
            let name = cx.api_name(&push_key(&path, "name"), "Connected App name", &a.name, 40);
            if !seen.insert(name.to_ascii_lowercase()) {
                cx.error(&push_key(&path, "name"), format!("duplicate Connected App name \"{name}\""), None);
            }
            let label = a.label.clone().unwrap_or_else(|| label_from_name(&a.name));
            cx.text(&push_key(&path, "label"), &label, 80);
            let email = &a.contact_email;
            let ok = email
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !email.contains(char::is_whitespace));
            cx.text(&push_key(&path, "contactEmail"), email, 254);
            if !ok {
                cx.error(&push_key(&path, "contactEmail"), format!("\"{email}\" is not an email address"), None);
            }
            if let Some(d) = &a.description {
                cx.text(&push_key(&path, "description"), d, 256);
            }
            if a.callback_urls.is_empty() {
                cx.error(
                    &push_key(&path, "callbackUrls"),
                    "at least one callback URL is required",
                    Some("copy it from the vendor's setup page".to_string()),
                );
            }
            for (j, u) in a.callback_urls.iter().enumerate() {
                let up = push_index(&push_key(&path, "callbackUrls"), j);
                let local = u.starts_with("http://localhost");
                if !local {
                    cx.https_url(&up, u);
                } else {
                    cx.text(&up, u, 2000);
                    cx.url_chars(&up, u);
                }
            }
            let mut scopes = BTreeSet::new();
            if a.scopes.is_empty() {
                cx.error(
                    &push_key(&path, "scopes"),
                    "at least one OAuth scope is required",
                    Some("e.g. [\"Api\", \"RefreshToken\"]".to_string()),
                );
            }
            for (j, s) in a.scopes.iter().enumerate() {
                let sp = push_index(&push_key(&path, "scopes"), j);
                if OAUTH_SCOPES.contains(&s.as_str()) {
                    scopes.insert(s.clone());
                } else {
                    let alias = SCOPE_ALIASES.iter().find(|(k, _)| k.eq_ignore_ascii_case(s)).map(|(_, v)| *v);
                    let hint = alias
                        .or_else(|| did_you_mean(s, OAUTH_SCOPES.iter().copied()))
                        .map(|v| format!("did you mean \"{v}\"? (Metadata API scope names)"));
                    cx.error(
                        &sp,
                        format!("unknown OAuth scope \"{s}\""),
                        hint.or_else(|| Some(format!("known scopes: {}", OAUTH_SCOPES.join(", ")))),
                    );
                }
            }
            ConnectedApp {
                name,
                label,
                contact_email: email.clone(),
                description: a.description.clone(),
                callback_urls: a.callback_urls.clone(),
                scopes: scopes.into_iter().collect(),
            }
        })
        .collect()
}

/// ConnectedApp: contactEmail, description?, label, oauthConfig (callbackUrl, scopes*).
/// Consumer key and secret are never written: Salesforce assigns them on create.
pub fn connected_app(a: &ConnectedApp) -> String {
    let oauth = Element::new("oauthConfig")
        .child(Element::text("callbackUrl", a.callback_urls.join("\n")))
        .children(a.scopes.iter().map(|s| Element::text("scopes", s)));
    Element::new("ConnectedApp")
        .child(Element::text("contactEmail", &a.contact_email))
        .opt_child(a.description.as_ref().map(|d| Element::text("description", d)))
        .child(Element::text("label", &a.label))
        .child(oauth)
        .to_document()
}

/// Renders every Connected App.
pub fn render(apps: &[ConnectedApp], tree: &mut crate::metadata::Tree) {
    for a in apps {
        crate::render::xml_component(
            tree,
            "ConnectedApp",
            &a.name,
            format!("connectedApps/{}.connectedApp", a.name),
            connected_app(a),
        );
    }
}
