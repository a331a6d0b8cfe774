//! `webhook`: record changes delivered to an outside endpoint without ever failing the save or
//! losing a change.
//!
//! What it generates, per config (class names follow `className`, here `Webhook`):
//! - `Webhook`, the entry points: `handleTrigger`, the guide's `jsonContent` and
//!   `callout(url, content)`; `WebhookPayload` (payloads), `WebhookOutbox` (keeping changes in
//!   the save's transaction, leases), `WebhookDelivery` (the job's work and its finalizer's
//!   settlement, retries, dead letters), `WebhookJob` (the job itself, which reaches the
//!   delivery by name so pending jobs never block a deploy), `WebhookSigning` (the signature
//!   formula, with signing), `WebhookAdmin` (sweep, replay, pause, resume, SandboxPostCopy)
//!   and `WebhookSweep` (the scheduled sweep, referencing no class);
//! - one logic-less trigger per object, the wake and carry platform events with their
//!   triggers and `PlatformEventSubscriberConfig`s (the wake trigger runs as the delivery
//!   user), the guide's mock, the tests and their shared `WebhookTestSupport`;
//! - the outbox (`Webhook_Outbox__c`: one row per payload not yet delivered, list views for
//!   pending and failed deliveries, a tab), the settings (`Webhook_Settings__c`: pause switch,
//!   the org the outbox is bound to; no secret), the endpoint's home (a custom metadata record
//!   `Webhook_Endpoint.Default` plus a Remote Site, or a Named Credential), and a permission
//!   set for the admins who watch the outbox. A signing key lives in the External Credential.
//!
//! The Apex is the same in every environment: everything that differs (the endpoint) is
//! metadata, so `--env sandbox` and `--env production` give byte-identical classes and
//! triggers.
//!
//! Submodules: [`validate`] (config → model), `apex` (the askama templates),
//! `meta` (metadata XML).

pub mod apex;
mod meta;
mod validate;

pub use crate::section::named_credential::{
    ExternalCredential, NamedCredential, RawExternalCredential, RawNamedCredentialDef,
};

pub use validate::PER_ENVIRONMENT_KEYS;
pub(crate) use validate::{check_apex_name_clashes, check_environments, webhook};
pub use validate::{MAX_CLASS_NAME, MIN_API_VERSION};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The webhook: which records, where to, and how.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "Webhook")]
pub struct RawWebhook {
    /// Apex class of the entry points (default "Webhook"; at most 28 characters, since the
    /// other classes, objects and events are named after it, e.g. "Test<className>Delivery").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 28))]
    pub class_name: Option<String>,
    /// The https URL payloads are POSTed to. It is written into a custom metadata record
    /// (`<className>_Endpoint.Default`), not into the Apex, so every environment runs the same
    /// class; a Remote Site covers its origin. Give this or `namedCredential`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub endpoint: Option<String>,
    /// A Named Credential to call instead of a raw URL: its name (one the org already holds),
    /// or `{ name, label, url }` for one sfgen generates. No Remote Site is needed then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named_credential: Option<RawNamedCredential>,
    /// Path appended to the Named Credential's URL, e.g. "/contacts" (namedCredential only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Callout timeout in milliseconds (default 10000). One delivery job makes at most
    /// 120000 / timeoutMs callouts (Salesforce's cumulative callout time per transaction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 120000))]
    pub timeout_ms: Option<u32>,
    /// Records per request (default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 2, max = 200))]
    pub batch_size: Option<u32>,
    /// Extra HTTP headers sent with every request (no credentials: use a Named Credential).
    /// `Content-Type: application/json` is sent anyway and may be listed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// `@isTest` HttpCalloutMock class (default "WebhookMockImpl").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mock_class_name: Option<String>,
    /// Test class for the webhook class (default "TestWebhook").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_class_name: Option<String>,
    /// The admin class: hourly sweep (Schedulable) and SandboxPostCopy (default
    /// "<className>Admin").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_class_name: Option<String>,
    /// Sign every request: the hex HMAC-SHA256 of the body as sent (which carries `sentAt`,
    /// the Unix time of the attempt) in `header`, the same time in `timestampHeader`.
    /// Salesforce computes it when the request leaves, with the key kept in the External
    /// Credential's `SigningKey` authentication parameter: never in Apex, a custom setting or
    /// a file. Needs `namedCredential` with an `externalCredential`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<RawSigning>,
    /// An Apex class of the org implementing `<className>TestSupport.Factory`, which builds the
    /// tests' records (for required lookups, record types or validation rules the
    /// `testRecord` values cannot satisfy). Default: the `testRecord` values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_data_factory: Option<String>,
    /// Retries and what an update sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<RawDelivery>,
    /// The objects whose changes are sent, one trigger each.
    #[serde(default)]
    #[schemars(length(min = 1, max = 50))]
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

/// How the signing key is written in the External Credential's `SigningKey` parameter.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "KeyEncoding")]
pub enum KeyEncoding {
    /// The key's bytes are the UTF-8 text as typed.
    #[default]
    Text,
    /// Base64 of the key's bytes.
    Base64,
    /// Hex of the key's bytes (refused: Named Credential formulas cannot decode hex).
    Hex,
}

impl KeyEncoding {
    /// Config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyEncoding::Text => "text",
            KeyEncoding::Base64 => "base64",
            KeyEncoding::Hex => "hex",
        }
    }
}

/// Payload signing.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "Signing")]
pub struct RawSigning {
    /// Header that carries the hex HMAC-SHA256 of `<timestamp>.<body>`, e.g. "X-Signature".
    #[schemars(length(min = 1, max = 128))]
    pub header: String,
    /// Header that carries the Unix timestamp (seconds) that was signed (default
    /// "X-Webhook-Timestamp").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub timestamp_header: Option<String>,
    /// How an admin writes the key into the External Credential: "text" (default) or
    /// "base64" of the key bytes (Named Credential formulas decode BLOB and BASE64DECODE only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_encoding: Option<KeyEncoding>,
}

/// What an update sends.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "OnUpdate")]
pub enum OnUpdate {
    /// Only records where one of the object's configured `fields` changed (default).
    #[default]
    ChangedFields,
    /// Every updated record.
    Always,
}

/// Retries and update filtering.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "Delivery")]
pub struct RawDelivery {
    /// Attempts before a delivery becomes a dead letter (default 6: after 1, 4, 16, 64 and
    /// 240 minutes). 5xx, 408, 429 and timeouts are retried; other answers are not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 20))]
    pub max_attempts: Option<u32>,
    /// "changedFields" (default): an update is sent only when a configured field changed;
    /// "always": every update is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<OnUpdate>,
    /// Username the delivery runs as: the wake trigger's `PlatformEventSubscriberConfig` names
    /// it, so every delivery job runs as this one user and only it needs access to the
    /// endpoint's credential (the `<className>_Sender` permission set). Required with an
    /// External Credential; without one, the Automated Process user delivers. May differ per
    /// environment (it is metadata, not Apex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<String>,
}

/// Trigger events, as the config spells them (schema only; the model has [`TriggerEvent`]).
#[derive(JsonSchema)]
#[schemars(rename = "TriggerEvent")]
#[allow(dead_code, clippy::enum_variant_names)]
enum EventName {
    #[schemars(rename = "afterInsert")]
    AfterInsert,
    #[schemars(rename = "afterUpdate")]
    AfterUpdate,
    #[schemars(rename = "afterDelete")]
    AfterDelete,
    #[schemars(rename = "afterUndelete")]
    AfterUndelete,
}

/// One object whose changes the webhook sends.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "WebhookObject")]
pub struct RawWebhookObject {
    /// SObject API name: "Contact", "Invoice__c" (a custom object the org already holds).
    #[schemars(length(min = 1, max = 100))]
    pub sobject: String,
    /// Trigger name (default "<Object>Trigger", e.g. "ContactTrigger").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_name: Option<String>,
    /// Test class for the trigger (default "Test<Object>Trigger").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_class_name: Option<String>,
    /// Trigger events: afterInsert, afterUpdate, afterDelete, afterUndelete (default: all four).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<EventName>>")]
    pub events: Option<Vec<String>>,
    /// Fields the payload carries for each record, besides `Id` and `SystemModstamp` (always
    /// sent; `MasterRecordId` too for Account, Contact and Lead, so a merge can be followed).
    /// Default: none (a safe default: no personal data leaves the org until listed here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    /// Field values the tests use to insert a valid record. Strings may contain `{n}` (the
    /// record's index, for unique values) and may be "$today" or "$today+N" for dates; a
    /// lookup takes `{ "sobject": "Account", "testRecord": { "Name": "..." } }`, a parent the
    /// tests insert first. Defaults exist for Contact (with its Account), Account, Lead, Case
    /// and Opportunity; `webhook.testDataFactory` replaces them all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, TestFieldValue>>")]
    pub test_record: Option<BTreeMap<String, serde_json::Value>>,
}

/// A test record value (schema only).
#[derive(JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "TestFieldValue")]
#[allow(dead_code)]
enum TestFieldValue {
    Text(String),
    Number(f64),
    Bool(bool),
    Parent(TestParent),
}

/// A parent record the tests insert first, for a lookup (schema only).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "TestParent")]
#[allow(dead_code)]
struct TestParent {
    /// The parent's object, e.g. "Account".
    sobject: String,
    /// Its field values (text, numbers, booleans; `{n}` and "$today" as above).
    #[serde(default)]
    test_record: BTreeMap<String, TestScalar>,
}

/// A parent's field value (schema only).
#[derive(JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "TestScalar")]
#[allow(dead_code)]
enum TestScalar {
    Text(String),
    Number(f64),
    Bool(bool),
}

/// Where the webhook posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalloutTarget {
    /// A raw https URL, kept in a custom metadata record (a Remote Site covers its origin).
    Endpoint(String),
    /// `callout:<name><path>`.
    NamedCredential {
        /// Named Credential API name.
        name: String,
        /// Path appended to it ("" or starting with '/').
        path: String,
    },
}

impl CalloutTarget {
    /// Where requests go: the URL, or `callout:<name><path>`.
    pub fn apex_endpoint(&self) -> String {
        match self {
            CalloutTarget::Endpoint(url) => url.clone(),
            CalloutTarget::NamedCredential { name, path } => format!("callout:{name}{path}"),
        }
    }
}

/// The webhook integration.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The sending class.
    pub class_name: String,
    /// The admin class (sweep, SandboxPostCopy).
    pub admin_class_name: String,
    /// The `@isTest` mock.
    pub mock_class_name: String,
    /// The webhook class's test class.
    pub test_class_name: String,
    /// The outbox custom object (`Webhook_Outbox__c`).
    pub outbox_object: String,
    /// The hierarchy custom setting (`Webhook_Settings__c`): pause switch and org binding.
    pub settings_object: String,
    /// The wake platform event (`Webhook_Wake__e`, published after commit).
    pub wake_event: String,
    /// The carried-payload platform event (`Webhook_Carry__e`, published immediately).
    pub carry_event: String,
    /// The user the delivery runs as (the wake trigger's subscriber config), if configured.
    pub run_as_user: Option<String>,
    /// The org's test data factory class, if configured.
    pub test_data_factory: Option<String>,
    /// The custom metadata type holding the endpoint (`Webhook_Endpoint__mdt`), for a raw URL.
    pub endpoint_type: Option<String>,
    /// The permission set for the admins who watch the outbox.
    pub admin_permission_set: String,
    /// Where to send.
    pub target: CalloutTarget,
    /// Callout timeout (ms).
    pub timeout_ms: u32,
    /// Records per request.
    pub batch_size: u32,
    /// Deliveries (callouts) one job makes.
    pub per_job: u32,
    /// Attempts before a dead letter.
    pub max_attempts: u32,
    /// Whether every update is sent (else only changed configured fields).
    pub send_all_updates: bool,
    /// Extra headers, sorted by name.
    pub headers: Vec<(String, String)>,
    /// HMAC signing, if configured.
    pub signing: Option<Signing>,
    /// The objects, in config order.
    pub objects: Vec<WebhookObject>,
}

/// HMAC-SHA256 signing of payloads, computed by Salesforce with the key in an External
/// Credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    /// The header carrying the signature.
    pub header: String,
    /// The header carrying the time of sending (also in the signed body as `sentAt`).
    pub timestamp_header: String,
    /// How the key is written in the External Credential.
    pub key_encoding: KeyEncoding,
    /// The Named Credential the signed requests go through.
    pub named_credential: String,
    /// The External Credential holding the key (`SigningKey`).
    pub external_credential: String,
    /// Its principal.
    pub principal: String,
}

/// A trigger event the webhook listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TriggerEvent {
    /// after insert
    AfterInsert,
    /// after update
    AfterUpdate,
    /// after delete
    AfterDelete,
    /// after undelete
    AfterUndelete,
}

impl TriggerEvent {
    /// All events, in trigger declaration order.
    pub const ALL: [TriggerEvent; 4] =
        [TriggerEvent::AfterInsert, TriggerEvent::AfterUpdate, TriggerEvent::AfterDelete, TriggerEvent::AfterUndelete];

    /// Config spelling: `afterInsert`.
    pub fn config_name(self) -> &'static str {
        match self {
            TriggerEvent::AfterInsert => "afterInsert",
            TriggerEvent::AfterUpdate => "afterUpdate",
            TriggerEvent::AfterDelete => "afterDelete",
            TriggerEvent::AfterUndelete => "afterUndelete",
        }
    }

    /// Apex trigger declaration: `after insert`.
    pub fn apex_declaration(self) -> &'static str {
        match self {
            TriggerEvent::AfterInsert => "after insert",
            TriggerEvent::AfterUpdate => "after update",
            TriggerEvent::AfterDelete => "after delete",
            TriggerEvent::AfterUndelete => "after undelete",
        }
    }

    /// `System.TriggerOperation` constant: `AFTER_INSERT`.
    pub fn operation(self) -> &'static str {
        match self {
            TriggerEvent::AfterInsert => "AFTER_INSERT",
            TriggerEvent::AfterUpdate => "AFTER_UPDATE",
            TriggerEvent::AfterDelete => "AFTER_DELETE",
            TriggerEvent::AfterUndelete => "AFTER_UNDELETE",
        }
    }
}

/// A value a test assigns to a field when it builds a record.
#[derive(Debug, Clone, PartialEq)]
pub enum TestValue {
    /// A string; `{n}` stands for the record's index.
    Text(String),
    /// A number literal as written in the config.
    Number(String),
    /// A boolean.
    Bool(bool),
    /// `Date.today().addDays(n)`.
    TodayPlus(i64),
    /// A parent record inserted first; the field takes its Id.
    Parent {
        /// The parent's object.
        sobject: String,
        /// Its field values, sorted by field.
        values: Vec<(String, TestValue)>,
    },
}

/// One object the webhook watches.
#[derive(Debug, Clone)]
pub struct WebhookObject {
    /// SObject API name.
    pub sobject: String,
    /// Trigger name.
    pub trigger_name: String,
    /// Its test class.
    pub test_class_name: String,
    /// Events, sorted and deduplicated.
    pub events: Vec<TriggerEvent>,
    /// Every field a row carries: `Id`, `SystemModstamp`, `MasterRecordId` where merges
    /// exist, then the configured fields.
    pub fields: Vec<String>,
    /// The configured fields (whose change makes an update worth sending).
    pub watched: Vec<String>,
    /// Field values for test records, sorted by field.
    pub test_record: Vec<(String, TestValue)>,
}

/// Fields every row carries.
pub const SYSTEM_FIELDS: &[&str] = &["Id", "SystemModstamp"];

/// Objects whose records can be merged: a merge deletes the losing records and sets their
/// `MasterRecordId` to the winner (Apex Developer Guide, "Triggers and Merge Statements").
pub const MERGEABLE: &[&str] = &["Account", "Contact", "Lead"];

/// Wake events one trigger invocation takes: it starts at most one job whatever their
/// number, so the batch only bounds the trigger's own work (PlatformEventSubscriberConfig
/// allows 1 to 2 000).
pub const WAKE_BATCH_SIZE: u32 = 200;
/// Carried payloads one trigger invocation takes: each may hold 131 072 characters, so 20 keep
/// the trigger's heap (6 MB) under half used.
pub const CARRY_BATCH_SIZE: u32 = 20;

/// Renders the webhook's Apex and the metadata it needs.
/// `hash`: the config's short hash written into the Apex headers; `named_credentials`: those the
/// project generates (the webhook's sender permission set grants their External Credential).
pub fn render(
    hash: &str,
    v: &crate::sf::api::ApiVersion,
    named_credentials: &[NamedCredential],
    w: &Webhook,
    tree: &mut crate::metadata::Tree,
) {
    use crate::metadata::{Component, ComponentKey, MetadataFile};
    for src in apex::webhook_sources(hash, w) {
        let ty = if src.is_trigger { "ApexTrigger" } else { "ApexClass" };
        let body = super::mdapi_path(ty, &src.name);
        let meta_path = format!("{body}-meta.xml");
        tree.insert(Component::new(
            ComponentKey::new(ty, &src.name),
            vec![MetadataFile::new(body, src.source), MetadataFile::new(meta_path, crate::sf::apex::apex_meta(ty, v))],
        ));
    }
    let xml = super::xml_file;
    xml(tree, "CustomObject", &w.outbox_object, meta::outbox(w));
    xml(tree, "CustomTab", &w.outbox_object, meta::outbox_tab());
    xml(tree, "CustomObject", &w.settings_object, meta::settings(w));
    xml(tree, "CustomObject", &w.wake_event, meta::wake_event(w));
    xml(tree, "CustomObject", &w.carry_event, meta::carry_event(w));
    let names = apex::Names::of(w, hash);
    for (event, trigger, batch, user) in [
        ("Wake", &names.wake_trigger, WAKE_BATCH_SIZE, w.run_as_user.as_deref()),
        ("Carry", &names.carry_trigger, CARRY_BATCH_SIZE, None),
    ] {
        let name = format!("{}_{event}", w.class_name);
        xml(tree, "PlatformEventSubscriberConfig", &name, meta::subscriber_config(&name, trigger, batch, user));
    }
    if let (Some(ty), CalloutTarget::Endpoint(url)) = (&w.endpoint_type, &w.target) {
        xml(tree, "CustomObject", ty, meta::endpoint_type(w));
        let record = format!("{}.Default", ty.trim_end_matches("__mdt"));
        xml(tree, "CustomMetadata", &record, meta::endpoint_record(url));
    }
    xml(tree, "PermissionSet", &w.admin_permission_set, meta::admin_permission_set(w));
    let ec = named_credentials.iter().filter_map(|n| n.external_credential.as_ref()).next();
    if let (CalloutTarget::NamedCredential { .. }, Some(ec)) = (&w.target, ec) {
        let name = format!("{}_Sender", w.class_name);
        xml(tree, "PermissionSet", &name, meta::sender_permission_set(w, ec));
    }
}
