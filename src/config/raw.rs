//! The config file as written: serde types that mirror the JSON one to one.
//!
//! Unknown keys are errors (`deny_unknown_fields`), so a typo never silently does nothing. The
//! same types derive the JSON Schema printed by `sfgen schema`. Nothing here is validated
//! beyond JSON types; [`crate::model`] turns a [`RawConfig`] into a checked `Project`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Connected Apps (OAuth clients for the external service).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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

/// The webhook: which records, where to, and how.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "Webhook")]
pub struct RawWebhook {
    /// Apex class that builds and sends the payloads (default "Webhook").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// The https URL payloads are POSTed to. Give this or `namedCredential`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// A Named Credential to call instead of a raw URL: its name (one the org already holds),
    /// or `{ name, label, url }` for one sfgen generates. No Remote Site is needed then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named_credential: Option<RawNamedCredential>,
    /// Path appended to the Named Credential's URL, e.g. "/contacts" (namedCredential only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Callout timeout in milliseconds, 1 to 120000 (default 10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u32>,
    /// Records per request, 2 to 200 (default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u32>,
    /// Extra HTTP headers sent with every request (no credentials: use a Named Credential).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// `@isTest` HttpCalloutMock class (default "WebhookMockImpl").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mock_class_name: Option<String>,
    /// Test class for the webhook class (default "TestWebhook").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_class_name: Option<String>,
    /// Sign every body with HMAC-SHA256 (hex) in this header. The key lives in a protected
    /// hierarchy custom setting sfgen generates; its value is never in any file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<RawSigning>,
    /// The objects whose changes are sent, one trigger each.
    #[serde(default)]
    pub objects: Vec<RawWebhookObject>,
}

/// A Named Credential reference or definition.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "NamedCredential")]
pub enum RawNamedCredential {
    /// The name of a Named Credential the org already holds.
    Existing(String),
    /// A Named Credential sfgen generates (legacy, anonymous, no authentication).
    Generated(RawNamedCredentialDef),
}

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
}

/// Payload signing.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "Signing")]
pub struct RawSigning {
    /// Header that carries the hex HMAC-SHA256 of the exact body, e.g. "X-Signature".
    pub header: String,
}

/// One object whose changes the webhook sends.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "WebhookObject")]
pub struct RawWebhookObject {
    /// SObject API name: "Contact", "Invoice__c" (a custom object the org already holds).
    pub sobject: String,
    /// Trigger name (default "<Object>Trigger", e.g. "ContactTrigger").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_name: Option<String>,
    /// Test class for the trigger (default "Test<Object>Trigger").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_class_name: Option<String>,
    /// Trigger events: afterInsert, afterUpdate, afterDelete, afterUndelete (default: all four).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    /// Fields the payload carries for each record (Id is always included). Default: the
    /// record as the trigger sees it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    /// Field values the tests use to insert a valid record. Strings may contain `{n}` (the
    /// record's index, for unique values) and may be "$today" or "$today+N" for dates.
    /// Defaults exist for Contact, Account, Lead, Case and Opportunity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    pub test_record: Option<BTreeMap<String, serde_json::Value>>,
}

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

/// A permission set.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "PermissionSet")]
pub struct RawPermissionSet {
    /// API name, e.g. "Conexiom_Integration".
    pub name: String,
    /// Label shown in Setup (default: the name with spaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Description shown in Setup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// User license the set is tied to, e.g. "Salesforce" (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// System permissions, e.g. ["ApiEnabled", "ApexRestServices", "EditTask"].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_permissions: Vec<String>,
    /// Object access: { "Account": ["read", "edit"] }; read, create, edit, delete, viewAll,
    /// modifyAll. Task and Event access comes from the user permissions EditTask / EditEvent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub objects: BTreeMap<String, Vec<String>>,
    /// Field-level security: { "Account.BillingAddress": "read", "Case.Subject": "edit" }.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Apex classes the set may run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// Tab visibility: { "standard-Case": "visible" | "available" | "none" }.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tabs: BTreeMap<String, String>,
    /// Record types made visible, as "Object.RecordTypeName".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_types: Vec<String>,
}

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

/// Facts for the printed next steps (not metadata).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "Integration")]
pub struct RawIntegration {
    /// The external service's name, e.g. "Conexiom".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// The org's My Domain URL, e.g. "https://acme.my.salesforce.com" (default: a placeholder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_domain: Option<String>,
    /// Whether this environment is a sandbox (for the facts to hand to the vendor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<bool>,
    /// A managed package to install first: its package version id ("04t...").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_package_id: Option<String>,
    /// The integration user to create and the permission sets to assign to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_user: Option<RawIntegrationUser>,
}

/// The integration user (created by hand: users are data, not metadata).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "IntegrationUser")]
pub struct RawIntegrationUser {
    /// Username, e.g. "integration@acme.com".
    pub username: String,
    /// Permission sets to assign (generated ones and the vendor's).
    #[serde(default)]
    pub permission_sets: Vec<String>,
}
