//! `oauthApps` (formerly `connectedApps`, still accepted): the OAuth clients the external
//! service signs in with.
//!
//! By default each becomes an **External Client App**: since Spring '26 Salesforce refuses to
//! create new Connected Apps, in Setup and through the Metadata API, unless Support enables it
//! for the org (Salesforce Help article 005228017). An External Client App is five metadata
//! files (`ExternalClientApplication` `.eca`, `ExtlClntAppGlobalOauthSettings`
//! `.ecaGlblOauth`, `ExtlClntAppOauthSettings` `.ecaOauth`,
//! `ExtlClntAppOauthConfigurablePolicies` `.ecaOauthPlcy`, `ExtlClntAppConfigurablePolicies`
//! `.ecaPlcy`; Metadata API Developer Guide). The global OAuth settings are where Salesforce
//! keeps the consumer key and secret: sfgen writes that file without them (Salesforce assigns
//! both on create, and an admin hands them over by hand), so no secret is ever in a file.
//! External Client Apps do not offer the OAuth username-password flow; the client credentials
//! flow (running as the integration user) is what replaces it for an API-only integration.
//! A legacy `ConnectedApp` is written only when the config asks (`legacyConnectedApp`), with
//! a warning.

use super::{label_from_name, Ctx};
use crate::section::integration::RawIntegration;
use crate::sf::names::is_sobject_name;
use crate::sf::oauth::{OAUTH_SCOPES, SCOPE_ALIASES};
use crate::sf::xml::Element;
use crate::spans::{push_index, push_key};
use crate::suggest::did_you_mean;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Who may use the app.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "PermittedUsers")]
pub enum PermittedUsers {
    /// Only users an admin pre-authorised through the app's permission sets (default).
    #[default]
    AdminApproved,
    /// Any user who authorises the app.
    AllSelfAuthorized,
}

/// Whether the org's login IP ranges apply to the app's tokens.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "IpRelaxation")]
pub enum IpRelaxation {
    /// Enforce IP restrictions (default).
    #[default]
    Enforce,
    /// Relax IP restrictions.
    Bypass,
    /// Relax IP restrictions with a second factor.
    BypassWithSecondFactor,
    /// Enforce IP restrictions, but relax them for refresh tokens.
    EnforceRelaxRefresh,
}

impl IpRelaxation {
    /// The Metadata API value.
    pub fn metadata_value(self) -> &'static str {
        match self {
            IpRelaxation::Enforce => "Enforce",
            IpRelaxation::Bypass => "Bypass",
            IpRelaxation::BypassWithSecondFactor => "Bypass_2factor",
            IpRelaxation::EnforceRelaxRefresh => "Enforce_RelaxRefresh",
        }
    }

    /// The legacy Connected App's value.
    fn connected_app_value(self) -> &'static str {
        match self {
            IpRelaxation::Enforce => "ENFORCE",
            IpRelaxation::Bypass => "BYPASS",
            IpRelaxation::BypassWithSecondFactor => "BYPASS_2FACTOR",
            IpRelaxation::EnforceRelaxRefresh => "ENFORCE_ACTIVATED",
        }
    }
}

/// An OAuth app: an External Client App unless `legacyConnectedApp` is set.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "OauthApp")]
pub struct RawConnectedApp {
    /// API name, e.g. "Conexiom" (at most 40 characters).
    #[schemars(length(min = 1, max = 40))]
    pub name: String,
    /// Label shown in Setup (default: the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Contact email of the app's owner.
    pub contact_email: String,
    /// Description shown in Setup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// OAuth callback URLs (https, or http to a loopback host, http://localhost:PORT, for
    /// development).
    #[schemars(length(min = 1))]
    pub callback_urls: Vec<String>,
    /// OAuth scopes, Metadata API names: Api, Web, Full, RefreshToken, OpenID, ...
    #[schemars(length(min = 1), with = "Vec<OauthScope>")]
    pub scopes: Vec<String>,
    /// Turn on the client credentials flow, running as `integration.integrationUser` (an
    /// API-only user): the server-to-server flow that replaces the username-password flow,
    /// which External Client Apps do not offer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub client_credentials: bool,
    /// Require PKCE in the authorization code flow (default true: an authorization code
    /// intercepted on its way to the callback is useless without the client's code verifier,
    /// RFC 7636; Salesforce recommends the web server flow with PKCE). Set false only for a
    /// vendor whose client cannot send a code verifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pkce: Option<bool>,
    /// Who may use the app: "adminApproved" (default; only users holding one of
    /// `preAuthorizedPermissionSets`) or "allSelfAuthorized".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permitted_users: Option<PermittedUsers>,
    /// Permission sets whose users are pre-authorised (default: the integration user's
    /// permission sets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_authorized_permission_sets: Option<Vec<String>>,
    /// Refresh tokens expire this many days after they are issued. Give at most one of
    /// `refreshTokenValidDays`, `refreshTokenIdleDays` and `refreshTokenUntilRevoked`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3650))]
    pub refresh_token_valid_days: Option<u32>,
    /// Refresh tokens expire after this many days without use (default 90 when no other refresh
    /// token policy is given: least privilege, a token a vendor stopped using does not stay
    /// valid for ever, while an integration in use keeps its token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3650))]
    pub refresh_token_idle_days: Option<u32>,
    /// Refresh tokens stay valid until revoked (Salesforce's own default). Only when the vendor
    /// cannot re-authorise; otherwise prefer `refreshTokenIdleDays`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refresh_token_until_revoked: bool,
    /// IP restrictions: "enforce" (default), "bypass", "bypassWithSecondFactor",
    /// "enforceRelaxRefresh".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_relaxation: Option<IpRelaxation>,
    /// Write a legacy Connected App instead of an External Client App. Since Spring '26 a
    /// new Connected App can only be created after Salesforce Support enables it for the org
    /// (Salesforce Help 005228017); use it only to keep managing one that exists.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legacy_connected_app: bool,
}

/// OAuth scopes (schema only; the WSDL enum `ConnectedAppOauthAccessScope`).
#[derive(JsonSchema)]
#[schemars(rename = "OauthScope", extend("enum" = OAUTH_SCOPES))]
#[allow(dead_code)]
struct OauthScope(String);

/// An OAuth app.
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
    /// A legacy Connected App (else an External Client App).
    pub legacy: bool,
    /// The client credentials flow's run-as user.
    pub client_credentials_user: Option<String>,
    /// PKCE required.
    pub require_pkce: bool,
    /// Who may use it.
    pub permitted_users: PermittedUsers,
    /// Pre-authorised permission sets, sorted.
    pub permission_sets: Vec<String>,
    /// When refresh tokens expire.
    pub refresh_tokens: RefreshTokens,
    /// IP restrictions.
    pub ip_relaxation: IpRelaxation,
}

/// When an app's refresh tokens expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshTokens {
    /// This many days after they are issued.
    Lifetime(u32),
    /// After this many days without use.
    Idle(u32),
    /// Never: valid until revoked.
    UntilRevoked,
}

/// Days without use after which a refresh token expires when the config says nothing.
pub const DEFAULT_REFRESH_TOKEN_IDLE_DAYS: u32 = 90;

/// Longest refresh token lifetime or idle time a config may give, in days (the schema's bound).
pub const MAX_REFRESH_TOKEN_DAYS: u32 = 3650;

/// Whether the callback URL's host is this machine: `localhost`, an address in 127.0.0.0/8 or
/// `[::1]` (RFC 8252, section 7.3: loopback interface redirection).
fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl ConnectedApp {
    /// The metadata type of the app's main component.
    pub fn type_name(&self) -> &'static str {
        if self.legacy {
            "ConnectedApp"
        } else {
            "ExternalClientApplication"
        }
    }
}

/// Validates the apps of `raw` (found at `key`: "oauthApps" or "connectedApps").
pub(crate) fn connected_apps(
    cx: &mut Ctx<'_>,
    key: &str,
    raw: &[RawConnectedApp],
    integration: Option<&RawIntegration>,
) -> Vec<ConnectedApp> {
    let mut seen = BTreeSet::new();
    let user = integration.and_then(|i| i.integration_user.as_ref());
    raw.iter()
        .enumerate()
        .map(|(i, a)| {
            let path = push_index(key, i);
            let what = if a.legacy_connected_app { "Connected App" } else { "External Client App" };
            let name = cx.api_name(&push_key(&path, "name"), &format!("{what} name"), &a.name, 40);
            if !seen.insert(name.to_ascii_lowercase()) {
                cx.error(&push_key(&path, "name"), format!("duplicate OAuth app name \"{name}\""), None);
            }
            if a.legacy_connected_app {
                cx.warn(
                    &push_key(&path, "legacyConnectedApp"),
                    format!("{name} is written as a legacy Connected App: since Spring '26 Salesforce creates new Connected Apps only after Support enables it for the org (Salesforce Help 005228017)"),
                    Some("remove \"legacyConnectedApp\" to get an External Client App, unless the org already holds this Connected App".to_string()),
                );
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
                match url::Url::parse(u) {
                    // Plain http only to this machine (RFC 8252, section 7.3).
                    Ok(parsed) if parsed.scheme() == "http" => {
                        cx.text(&up, u, 2000);
                        if !cx.url_chars(&up, u) {
                            continue;
                        }
                        let problem = crate::section::ambiguous_authority(u, &parsed).or_else(|| {
                            (!parsed.username().is_empty() || parsed.password().is_some())
                                .then(|| "the URL names a user (user@host)".to_string())
                        });
                        if let Some(problem) = problem {
                            cx.error(&up, format!("{problem}: a callback must name its host plainly"), Some("write it as http://localhost:PORT/path".to_string()));
                        } else if !is_loopback(&parsed) {
                            cx.error(
                                &up,
                                format!("http callback to {}: only a loopback host (localhost, 127.0.0.0/8, [::1]) may use http", parsed.host_str().unwrap_or_default()),
                                Some("use https, or http://localhost:PORT/... for local development".to_string()),
                            );
                        }
                    }
                    _ => {
                        cx.https_url(&up, u);
                    }
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
            let client_credentials_user = if a.client_credentials {
                match user {
                    Some(u) => Some(u.username.clone()),
                    None => {
                        cx.error(
                            &push_key(&path, "clientCredentials"),
                            "the client credentials flow runs as the integration user, and the config names none",
                            Some("add \"integration\": { \"integrationUser\": { \"username\": \"...\" } } (an API-only user)".to_string()),
                        );
                        None
                    }
                }
            } else {
                None
            };
            let permitted_users = a.permitted_users.unwrap_or_default();
            let mut permission_sets: Vec<String> = match &a.pre_authorized_permission_sets {
                Some(list) => list.clone(),
                None => user.map(|u| u.permission_sets.clone()).unwrap_or_default(),
            };
            for (j, ps) in a.pre_authorized_permission_sets.iter().flatten().enumerate() {
                if !is_sobject_name(ps) {
                    cx.error(
                        &push_index(&push_key(&path, "preAuthorizedPermissionSets"), j),
                        format!("\"{}\" is not a permission set API name", ps.escape_debug()),
                        None,
                    );
                }
            }
            permission_sets.sort();
            permission_sets.dedup();
            if permitted_users == PermittedUsers::AdminApproved && permission_sets.is_empty() && !a.legacy_connected_app {
                cx.warn(
                    &path,
                    format!("{name} admits only pre-authorised users, and no permission set pre-authorises anyone"),
                    Some("list \"preAuthorizedPermissionSets\" (or an integration user's permission sets), or assign the app in Setup".to_string()),
                );
            }
            // The schema's bounds (1 to 3650 days, ten years): the deployed value is an xsd:int
            // (`refreshTokenValidityPeriod` of ExtlClntAppOauthConfigurablePolicies in the
            // Metadata API WSDL), and 0 or a value past it cannot deploy.
            for (key, days) in [
                ("refreshTokenValidDays", a.refresh_token_valid_days),
                ("refreshTokenIdleDays", a.refresh_token_idle_days),
            ] {
                if let Some(d) = days.filter(|d| !(1..=MAX_REFRESH_TOKEN_DAYS).contains(d)) {
                    cx.error(
                        &push_key(&path, key),
                        format!("{d} days is out of range: give 1 to {MAX_REFRESH_TOKEN_DAYS}"),
                        Some("e.g. 90; for tokens that never expire, \"refreshTokenUntilRevoked\": true".to_string()),
                    );
                }
            }
            let policies = [
                a.refresh_token_valid_days.map(|_| "refreshTokenValidDays"),
                a.refresh_token_idle_days.map(|_| "refreshTokenIdleDays"),
                a.refresh_token_until_revoked.then_some("refreshTokenUntilRevoked"),
            ];
            let given: Vec<&str> = policies.into_iter().flatten().collect();
            if given.len() > 1 {
                cx.error(
                    &push_key(&path, given[1]),
                    format!("give one refresh token policy, not {}", given.join(" and ")),
                    Some("keep the one the vendor needs; \"refreshTokenIdleDays\" is the least-privilege choice".to_string()),
                );
            }
            let refresh_tokens = match (a.refresh_token_valid_days, a.refresh_token_idle_days, a.refresh_token_until_revoked) {
                (Some(days), _, _) => RefreshTokens::Lifetime(days),
                (None, Some(days), _) => RefreshTokens::Idle(days),
                (None, None, true) => RefreshTokens::UntilRevoked,
                (None, None, false) => RefreshTokens::Idle(DEFAULT_REFRESH_TOKEN_IDLE_DAYS),
            };
            if let Some(j) = a.scopes.iter().position(|s| s == "Full") {
                cx.warn(
                    &push_index(&push_key(&path, "scopes"), j),
                    format!("\"Full\" lets {name}'s tokens do everything the signed-in user can, including through every future API"),
                    Some("least privilege: ask the vendor whether \"Api\" (with \"RefreshToken\" or \"Web\") is enough".to_string()),
                );
            }
            ConnectedApp {
                name,
                label,
                contact_email: email.clone(),
                description: a.description.clone(),
                callback_urls: a.callback_urls.clone(),
                scopes: scopes.into_iter().collect(),
                legacy: a.legacy_connected_app,
                client_credentials_user,
                require_pkce: a.require_pkce.unwrap_or(true),
                permitted_users,
                permission_sets,
                refresh_tokens,
                ip_relaxation: a.ip_relaxation.unwrap_or_default(),
            }
        })
        .collect()
}

/// ConnectedApp (legacy): contactEmail, description?, label, oauthConfig (callbackUrl,
/// isAdminApproved, isPkceRequired, scopes*), oauthPolicy (ipRelaxation, refreshTokenPolicy).
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
        .child(
            Element::new("oauthPolicy")
                .child(Element::text("ipRelaxation", a.ip_relaxation.connected_app_value()))
                .child(Element::text("refreshTokenPolicy", "infinite")),
        )
        .to_document()
}

/// The External Client App's header file: who owns it, local to this org.
pub fn external_client_app(a: &ConnectedApp) -> String {
    Element::new("ExternalClientApplication")
        .child(Element::text("contactEmail", &a.contact_email))
        .opt_child(a.description.as_ref().map(|d| Element::text("description", d)))
        .child(Element::text("distributionState", "Local"))
        .child(Element::boolean("isProtected", false))
        .child(Element::text("label", &a.label))
        .to_document()
}

/// The developer's OAuth settings: callback URL and which flows are on. This is the file
/// Salesforce keeps the consumer key and secret in; sfgen never writes them (Salesforce assigns
/// both when the app is created).
pub fn global_oauth_settings(a: &ConnectedApp) -> String {
    Element::new("ExtlClntAppGlobalOauthSettings")
        .child(Element::text("callbackUrl", a.callback_urls.join("\n")))
        .child(Element::text("externalClientApplication", &a.name))
        .child(Element::boolean("isClientCredentialsFlowEnabled", a.client_credentials_user.is_some()))
        .child(Element::boolean("isConsumerSecretOptional", false))
        .child(Element::boolean("isIntrospectAllTokens", false))
        .child(Element::boolean("isPkceRequired", a.require_pkce))
        .child(Element::boolean("isSecretRequiredForRefreshToken", true))
        .child(Element::text("label", &a.label))
        .child(Element::boolean("shouldRotateConsumerKey", false))
        .child(Element::boolean("shouldRotateConsumerSecret", false))
        .to_document()
}

/// The OAuth settings: scopes.
pub fn oauth_settings(a: &ConnectedApp) -> String {
    Element::new("ExtlClntAppOauthSettings")
        .child(Element::text("commaSeparatedOauthScopes", a.scopes.join(", ")))
        .child(Element::text("externalClientApplication", &a.name))
        .child(Element::text("label", &a.label))
        .to_document()
}

/// The admin's OAuth policies: who may use the app, the client credentials run-as user,
/// refresh tokens and IP restrictions.
pub fn oauth_policies(a: &ConnectedApp) -> String {
    let admin_approved = a.permitted_users == PermittedUsers::AdminApproved;
    let sets = (admin_approved && !a.permission_sets.is_empty())
        .then(|| Element::text("commaSeparatedPermissionSet", a.permission_sets.join(",")));
    let days = |policy, days: u32| {
        (
            policy,
            Some(Element::text("refreshTokenValidityPeriod", days.to_string())),
            Some(Element::text("refreshTokenValidityUnit", "Days")),
        )
    };
    let (policy, period, unit) = match a.refresh_tokens {
        RefreshTokens::Lifetime(n) => days("SpecificLifetime", n),
        RefreshTokens::Idle(n) => days("SpecificInactivity", n),
        RefreshTokens::UntilRevoked => ("Infinite", None, None),
    };
    Element::new("ExtlClntAppOauthConfigurablePolicies")
        .opt_child(a.client_credentials_user.as_ref().map(|u| Element::text("clientCredentialsFlowUser", u)))
        .opt_child(sets)
        .child(Element::text("externalClientApplication", &a.name))
        .child(Element::text("ipRelaxationPolicyType", a.ip_relaxation.metadata_value()))
        .child(Element::boolean("isClientCredentialsFlowEnabled", a.client_credentials_user.is_some()))
        .child(Element::boolean("isGuestCodeCredFlowEnabled", false))
        .child(Element::boolean("isTokenExchangeFlowEnabled", false))
        .child(Element::text("label", &a.label))
        .child(Element::text(
            "permittedUsersPolicyType",
            if admin_approved { "AdminApprovedPreAuthorized" } else { "AllSelfAuthorized" },
        ))
        .child(Element::text("refreshTokenPolicyType", policy))
        .opt_child(period)
        .opt_child(unit)
        .to_document()
}

/// The app's state: enabled, with its OAuth plugin on.
pub fn configurable_policies(a: &ConnectedApp) -> String {
    Element::new("ExtlClntAppConfigurablePolicies")
        .child(Element::text("externalClientApplication", &a.name))
        .child(Element::boolean("isEnabled", true))
        .child(Element::boolean("isOauthPluginEnabled", true))
        .child(Element::text("label", &a.label))
        .to_document()
}

/// Renders one file of an app.
pub type Renderer = fn(&ConnectedApp) -> String;

/// The External Client App files: (type, member suffix, renderer); each goes in its type's folder.
pub const ECA_FILES: &[(&str, &str, Renderer)] = &[
    ("ExternalClientApplication", "", external_client_app),
    ("ExtlClntAppGlobalOauthSettings", "_glbloauth", global_oauth_settings),
    ("ExtlClntAppOauthSettings", "_oauth", oauth_settings),
    ("ExtlClntAppOauthConfigurablePolicies", "_oauthPlcy", oauth_policies),
    ("ExtlClntAppConfigurablePolicies", "_plcy", configurable_policies),
];

/// Renders every OAuth app.
pub fn render(apps: &[ConnectedApp], tree: &mut crate::metadata::Tree) {
    for a in apps {
        if a.legacy {
            super::xml_file(tree, "ConnectedApp", &a.name, connected_app(a));
            continue;
        }
        for (ty, member, xml) in ECA_FILES {
            let member = format!("{}{member}", a.name);
            super::xml_file(tree, ty, &member, xml(a));
        }
    }
}
