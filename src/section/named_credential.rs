//! Named Credentials and External Credentials sfgen generates: where a callout's URL and its
//! secrets live in the org, never in a file. Today the webhook defines them
//! (`webhook.namedCredential`); the project holds them apart from the webhook, renders them on
//! their own, and any section may name one.

use super::{label_from_name, Ctx};
use crate::sf::xml::Element;
use crate::spans::push_key;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Named Credential sfgen generates.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "NamedCredentialDef")]
pub struct RawNamedCredentialDef {
    /// API name.
    pub name: String,
    /// Label shown in Setup (default: the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The https base URL.
    pub url: String,
    /// Authenticate with a secret header through an External Credential (the current kind of
    /// Named Credential, `SecuredEndpoint`): sfgen generates both and a permission set
    /// granting its principal; the secret is entered in Setup. Without it, a legacy Named
    /// Credential without authentication is generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_credential: Option<RawExternalCredential>,
}

/// An External Credential sfgen generates (custom protocol, one named principal).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "ExternalCredentialDef")]
pub struct RawExternalCredential {
    /// API name (default: the Named Credential's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Label shown in Setup (default: the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The header that carries the secret (the principal's `ApiKey`), e.g. "Authorization" or
    /// "X-Api-Key". Leave it out for an External Credential that only holds the signing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub header: Option<String>,
    /// Text before the secret in the header, e.g. "Bearer " (letters, digits, spaces, '-', '_').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 40))]
    pub prefix: Option<String>,
}

/// A Named Credential sfgen generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedCredential {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
    /// https base URL.
    pub url: String,
    /// The External Credential it authenticates with (`None`: a legacy Named Credential
    /// without authentication).
    pub external_credential: Option<ExternalCredential>,
}

/// An External Credential sfgen generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalCredential {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
    /// The principal (`Default`).
    pub principal: String,
    /// The header carrying the secret (`None`: the credential holds only a signing key).
    pub header: Option<String>,
    /// Text before the secret.
    pub prefix: String,
}

impl ExternalCredential {
    /// The header's value: a formula over the principal's `ApiKey` authentication parameter.
    pub fn formula(&self) -> String {
        if self.prefix.is_empty() {
            format!("{{!$Credential.{}.ApiKey}}", self.name)
        } else {
            format!("{{!'{}' & $Credential.{}.ApiKey}}", self.prefix, self.name)
        }
    }
}

/// Validates a Named Credential the config defines at `path` (with its External Credential).
pub(crate) fn generated(cx: &mut Ctx<'_>, path: &str, def: &RawNamedCredentialDef) -> NamedCredential {
    let name = cx.api_name(&push_key(path, "name"), "Named Credential name", &def.name, 40);
    cx.https_url(&push_key(path, "url"), &def.url);
    let label = def.label.clone().unwrap_or_else(|| label_from_name(&def.name));
    cx.text(&push_key(path, "label"), &label, 80);
    let external_credential = def.external_credential.as_ref().map(|ec| {
        let base = &push_key(path, "externalCredential");
        let ec_name = match &ec.name {
            Some(n) => cx.api_name(&push_key(base, "name"), "External Credential name", n, 40),
            None => name.clone(),
        };
        let label = ec.label.clone().unwrap_or_else(|| label_from_name(&ec_name));
        cx.text(&push_key(base, "label"), &label, 80);
        if let Some(h) = &ec.header {
            cx.header_name(&push_key(base, "header"), h);
        }
        let prefix = ec.prefix.clone().unwrap_or_default();
        // The prefix goes into a formula's string literal: plain characters only.
        if prefix.len() > 40 || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || " -_".contains(c)) {
            cx.error(
                &push_key(base, "prefix"),
                format!(
                    "prefix \"{}\" may hold only letters, digits, spaces, '-' and '_' (at most 40)",
                    prefix.escape_debug()
                ),
                Some("e.g. \"Bearer \"".to_string()),
            );
        }
        ExternalCredential { name: ec_name, label, principal: "Default".into(), header: ec.header.clone(), prefix }
    });
    NamedCredential { name, label, url: def.url.clone(), external_credential }
}

/// Renders the Named Credentials sfgen generates (and their External Credentials).
pub fn render(named: &[NamedCredential], tree: &mut crate::metadata::Tree) {
    for n in named {
        let xml = match &n.external_credential {
            Some(ec) => {
                super::xml_file(tree, "ExternalCredential", &ec.name, external_credential(ec));
                secured_named_credential(n, ec)
            }
            None => named_credential(n),
        };
        super::xml_file(tree, "NamedCredential", &n.name, xml);
    }
}

/// NamedCredential (legacy, anonymous, no authentication): the URL lives in the org's
/// metadata, the Apex names only `callout:<name>`.
pub fn named_credential(n: &NamedCredential) -> String {
    Element::new("NamedCredential")
        .child(Element::boolean("allowMergeFieldsInBody", false))
        .child(Element::boolean("allowMergeFieldsInHeader", false))
        .child(Element::text("endpoint", &n.url))
        .child(Element::boolean("generateAuthorizationHeader", false))
        .child(Element::text("label", &n.label))
        .child(Element::text("principalType", "Anonymous"))
        .child(Element::text("protocol", "NoAuthentication"))
        .to_document()
}

/// A Named Credential of the current kind (`SecuredEndpoint`): the URL, and the External
/// Credential that puts the secret header on every callout.
pub fn secured_named_credential(n: &NamedCredential, ec: &ExternalCredential) -> String {
    Element::new("NamedCredential")
        .child(Element::boolean("allowMergeFieldsInBody", false))
        .child(Element::boolean("allowMergeFieldsInHeader", true))
        .child(Element::text("calloutStatus", "Enabled"))
        .child(Element::boolean("generateAuthorizationHeader", false))
        .child(Element::text("label", &n.label))
        .child(
            Element::new("namedCredentialParameters")
                .child(Element::text("parameterName", "Url"))
                .child(Element::text("parameterType", "Url"))
                .child(Element::text("parameterValue", &n.url)),
        )
        .child(
            Element::new("namedCredentialParameters")
                .child(Element::text("externalCredential", &ec.name))
                .child(Element::text("parameterName", "ExternalCredential"))
                .child(Element::text("parameterType", "Authentication")),
        )
        .child(Element::text("namedCredentialType", "SecuredEndpoint"))
        .to_document()
}

/// The External Credential (custom protocol): one named principal whose secrets an admin
/// enters in Setup as authentication parameters (`ApiKey` for the header, `SigningKey` for
/// the webhook's signature), and the header built from the first. No secret is in the file.
pub fn external_credential(ec: &ExternalCredential) -> String {
    let description = match &ec.header {
        Some(h) => format!(
            "Sends the {h} header on every callout through its Named Credential. The secrets (authentication parameters of principal {}) are entered in Setup, never in a file.",
            ec.principal
        ),
        None => format!(
            "Holds the secrets of its Named Credential's callouts (authentication parameters of principal {}), entered in Setup, never in a file.",
            ec.principal
        ),
    };
    Element::new("ExternalCredential")
        .child(Element::text("authenticationProtocol", "Custom"))
        .child(Element::text("description", description))
        .child(
            Element::new("externalCredentialParameters")
                .child(Element::text("parameterName", &ec.principal))
                .child(Element::text("parameterType", "NamedPrincipal"))
                .child(Element::text("sequenceNumber", "1")),
        )
        .opt_child(ec.header.as_ref().map(|h| {
            Element::new("externalCredentialParameters")
                .child(Element::text("parameterName", h))
                .child(Element::text("parameterType", "AuthHeader"))
                .child(Element::text("parameterValue", ec.formula()))
                .child(Element::text("sequenceNumber", "1"))
        }))
        .child(Element::text("label", &ec.label))
        .to_document()
}
