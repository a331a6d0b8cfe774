//! `remoteSites`: Remote Site Settings (the hosts Apex may call).

use super::Ctx;
use crate::sf::xml::Element;
use crate::spans::{push_index, push_key};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A Remote Site Setting.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "RemoteSite")]
pub struct RawRemoteSite {
    /// API name.
    pub name: String,
    /// The https origin Apex may call, e.g. "https://api.example.com".
    pub url: String,
    /// Description shown in Setup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Allow plain http to this site (default false; not recommended).
    #[serde(default)]
    pub disable_protocol_security: bool,
    /// Whether the site is active (default true).
    #[serde(default = "default_true")]
    pub is_active: bool,
}

fn default_true() -> bool {
    true
}

/// A Remote Site Setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSite {
    /// API name.
    pub name: String,
    /// URL.
    pub url: String,
    /// Description.
    pub description: Option<String>,
    /// Allow plain http.
    pub disable_protocol_security: bool,
    /// Active.
    pub is_active: bool,
}

pub(crate) fn remote_sites(cx: &mut Ctx<'_>, raw: &[RawRemoteSite]) -> Vec<RemoteSite> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let path = push_index("remoteSites", i);
        let name = cx.api_name(&push_key(&path, "name"), "remote site name", &r.name, 40);
        if !seen.insert(name.to_ascii_lowercase()) {
            cx.error(
                &push_key(&path, "name"),
                format!("duplicate remote site name \"{name}\""),
                Some("names must be unique (case-insensitive)".to_string()),
            );
        }
        if r.disable_protocol_security {
            cx.warn(
                &push_key(&path, "disableProtocolSecurity"),
                "protocol security is disabled: data may travel unencrypted",
                None,
            );
        }
        cx.https_url(&push_key(&path, "url"), &r.url);
        if let Some(d) = &r.description {
            cx.text(&push_key(&path, "description"), d, 255);
        }
        out.push(RemoteSite {
            name,
            url: r.url.clone(),
            description: r.description.clone(),
            disable_protocol_security: r.disable_protocol_security,
            is_active: r.is_active,
        });
    }
    out
}

pub(crate) fn origin(u: &url::Url) -> String {
    u.origin().ascii_serialization()
}

/// RemoteSiteSetting: description?, disableProtocolSecurity, isActive, url.
pub fn remote_site(s: &RemoteSite) -> String {
    Element::new("RemoteSiteSetting")
        .opt_child(s.description.as_ref().map(|d| Element::text("description", d)))
        .child(Element::boolean("disableProtocolSecurity", s.disable_protocol_security))
        .child(Element::boolean("isActive", s.is_active))
        .child(Element::text("url", &s.url))
        .to_document()
}

/// Renders every Remote Site.
pub fn render(sites: &[RemoteSite], tree: &mut crate::metadata::Tree) {
    for s in sites {
        super::xml_file(tree, "RemoteSiteSetting", &s.name, remote_site(s));
    }
}
