//! `webhook`: the Apex class that sends record changes, one trigger per object, the callout
//! mock, the tests, and the metadata they need.

mod apex;
mod meta;

use super::remote_site::{origin, RemoteSite};
use super::{label_from_name, Ctx};
use crate::config::did_you_mean;
use crate::config::spans::{push_index, push_key};
use crate::model::names::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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

/// Where the webhook posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalloutTarget {
    /// A raw https URL (a Remote Site covers its origin).
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
    /// The string given to `HttpRequest.setEndpoint`.
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
    /// The `@isTest` mock.
    pub mock_class_name: String,
    /// The webhook class's test class.
    pub test_class_name: String,
    /// Where to send.
    pub target: CalloutTarget,
    /// Callout timeout (ms).
    pub timeout_ms: u32,
    /// Records per request.
    pub batch_size: u32,
    /// Extra headers, sorted by name.
    pub headers: Vec<(String, String)>,
    /// HMAC signing, if configured.
    pub signing: Option<Signing>,
    /// The objects, in config order.
    pub objects: Vec<WebhookObject>,
}

/// HMAC-SHA256 signing of payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    /// The header carrying the signature.
    pub header: String,
    /// The protected hierarchy custom setting holding the key (`Webhook_Settings__c`).
    pub setting_object: String,
    /// Its key field (`Signing_Key__c`).
    pub key_field: String,
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
    /// Payload fields (Id first), or `None` for the whole record.
    pub fields: Option<Vec<String>>,
    /// Field values for test records, sorted by field.
    pub test_record: Vec<(String, TestValue)>,
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
}

pub(crate) fn webhook(
    cx: &mut Ctx<'_>,
    w: &RawWebhook,
    remote_sites: &mut Vec<RemoteSite>,
    named_credentials: &mut Vec<NamedCredential>,
) -> Webhook {
    let class_name = cx.apex_name("webhook.className", "class name", w.class_name.as_deref().unwrap_or("Webhook"));
    let mock_class_name = cx.apex_name(
        "webhook.mockClassName",
        "mock class name",
        w.mock_class_name.as_deref().unwrap_or("WebhookMockImpl"),
    );
    let test_class_name =
        cx.apex_name("webhook.testClassName", "test class name", w.test_class_name.as_deref().unwrap_or("TestWebhook"));

    let target = match (&w.endpoint, &w.named_credential) {
        (Some(_), Some(_)) => {
            cx.error(
                "webhook.namedCredential",
                "give either \"endpoint\" or \"namedCredential\", not both",
                Some("a Named Credential holds the URL itself; remove \"endpoint\"".to_string()),
            );
            CalloutTarget::Endpoint(String::new())
        }
        (None, None) => {
            cx.error(
                "webhook",
                "the webhook has no \"endpoint\" and no \"namedCredential\"",
                Some("add \"endpoint\": \"https://...\" or \"namedCredential\": \"Name\"".to_string()),
            );
            CalloutTarget::Endpoint(String::new())
        }
        (Some(endpoint), None) => {
            if w.path.is_some() {
                cx.error("webhook.path", "\"path\" goes with \"namedCredential\"; put the path in \"endpoint\"", None);
            }
            if let Some(u) = cx.https_url("webhook.endpoint", endpoint) {
                if u.fragment().is_some() {
                    cx.error(
                        "webhook.endpoint",
                        "the endpoint has a #fragment, which HTTP never sends",
                        Some("remove the part from '#'".to_string()),
                    );
                }
                let o = origin(&u);
                let covered = remote_sites
                    .iter()
                    .any(|s| url::Url::parse(&s.url).map(|su| origin(&su) == o).unwrap_or(false) && s.is_active);
                if !covered {
                    let base = format!("{class_name}_Endpoint");
                    let mut name = base.clone();
                    let mut n = 2;
                    while remote_sites.iter().any(|s| s.name.eq_ignore_ascii_case(&name)) {
                        name = format!("{base}{n}");
                        n += 1;
                    }
                    remote_sites.push(RemoteSite {
                        name,
                        url: o.clone(),
                        description: Some(format!("Endpoint of the {class_name} webhook (derived by sfgen)")),
                        disable_protocol_security: false,
                        is_active: true,
                    });
                }
            }
            CalloutTarget::Endpoint(endpoint.clone())
        }
        (None, Some(nc)) => {
            let path = w.path.clone().unwrap_or_default();
            if !path.is_empty() && !path.starts_with('/') {
                cx.error(
                    "webhook.path",
                    format!("path \"{path}\" must start with '/'"),
                    Some(format!("use \"/{path}\"")),
                );
            }
            cx.text("webhook.path", &path, 1000);
            cx.url_chars("webhook.path", &path);
            let name = match nc {
                RawNamedCredential::Existing(name) => {
                    cx.api_name("webhook.namedCredential", "Named Credential name", name, 40)
                }
                RawNamedCredential::Generated(def) => {
                    let name = cx.api_name("webhook.namedCredential.name", "Named Credential name", &def.name, 40);
                    cx.https_url("webhook.namedCredential.url", &def.url);
                    let label = def.label.clone().unwrap_or_else(|| label_from_name(&def.name));
                    cx.text("webhook.namedCredential.label", &label, 80);
                    named_credentials.push(NamedCredential { name: name.clone(), label, url: def.url.clone() });
                    name
                }
            };
            CalloutTarget::NamedCredential { name, path }
        }
    };

    let timeout_ms = w.timeout_ms.unwrap_or(10_000);
    if !(1..=120_000).contains(&timeout_ms) {
        cx.error(
            "webhook.timeoutMs",
            format!("timeout {timeout_ms} ms is outside 1 to 120000"),
            Some("Salesforce allows callouts of at most 120 seconds".to_string()),
        );
    }
    let batch_size = w.batch_size.unwrap_or(200);
    if !(2..=200).contains(&batch_size) {
        cx.error(
            "webhook.batchSize",
            format!("batch size {batch_size} is outside 2 to 200"),
            Some("a trigger sees at most 200 records; one job may make at most 100 callouts".to_string()),
        );
    } else {
        let requests = 200u32.div_ceil(batch_size);
        if u64::from(requests) * u64::from(timeout_ms) > 120_000 {
            cx.error(
                "webhook.batchSize",
                format!("{requests} requests of up to {timeout_ms} ms each could exceed the 120 s a transaction may spend on callouts"),
                Some(format!("raise batchSize or lower timeoutMs to at most {} ms", 120_000 / requests)),
            );
        }
    }

    let mut headers = Vec::new();
    for (name, value) in &w.headers {
        let path = push_key("webhook.headers", name);
        let token_ok =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token_ok {
            cx.error(
                &path,
                format!("\"{name}\" is not a valid HTTP header name"),
                Some("use letters, digits and '-' only".to_string()),
            );
        }
        if value.contains(['\r', '\n']) {
            cx.error(
                &path,
                "header value contains a line break (header injection)",
                Some("remove the line break".to_string()),
            );
        }
        cx.text(&path, value, 8000);
        if name.eq_ignore_ascii_case("content-type") {
            cx.error(&path, "Content-Type is always application/json", Some("remove this header".to_string()));
        }
        if is_credential_header(name) {
            cx.error(
                &path,
                format!("header \"{name}\" looks like a credential; its value would be stored in Apex source"),
                Some(
                    "use a Named Credential (with an External Credential) so Salesforce injects the secret".to_string(),
                ),
            );
        }
        headers.push((name.clone(), value.clone()));
    }

    let signing = w.signing.as_ref().map(|s| {
        let token_ok =
            !s.header.is_empty() && s.header.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !token_ok {
            cx.error(
                "webhook.signing.header",
                format!("\"{}\" is not a valid HTTP header name", s.header),
                Some("e.g. \"X-Signature\"".to_string()),
            );
        }
        if headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(&s.header)) {
            cx.error("webhook.signing.header", format!("header \"{}\" is also set in \"headers\"", s.header), None);
        }
        Signing {
            header: s.header.clone(),
            setting_object: format!("{class_name}_Settings__c"),
            key_field: "Signing_Key__c".into(),
        }
    });
    if class_name.len() > 28 && signing.is_some() {
        cx.error("webhook.className", format!("with signing, the class name may have at most 28 characters (its custom setting \"{class_name}_Settings__c\" must fit in 40)"), None);
    }

    if w.objects.is_empty() {
        cx.error(
            "webhook.objects",
            "the webhook watches no object",
            Some("add { \"sobject\": \"Contact\" }".to_string()),
        );
    }
    let mut seen = BTreeSet::new();
    let objects = w
        .objects
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let path = push_index("webhook.objects", i);
            if !seen.insert(o.sobject.to_ascii_lowercase()) {
                cx.error(
                    &push_key(&path, "sobject"),
                    format!("\"{}\" is listed twice", o.sobject),
                    Some("one entry per object; its trigger covers every event".to_string()),
                );
            }
            webhook_object(cx, &path, o)
        })
        .collect();

    Webhook { class_name, mock_class_name, test_class_name, target, timeout_ms, batch_size, headers, signing, objects }
}

fn webhook_object(cx: &mut Ctx<'_>, path: &str, o: &RawWebhookObject) -> WebhookObject {
    let sobject = o.sobject.clone();
    if !is_sobject_name(&sobject) {
        cx.error(
            &push_key(path, "sobject"),
            format!("\"{sobject}\" is not an SObject API name"),
            Some("e.g. \"Contact\" or \"Invoice__c\"".to_string()),
        );
    }
    if matches!(sobject.as_str(), "Task" | "Event" | "User" | "Group" | "PermissionSet") {
        cx.warn(
            &push_key(path, "sobject"),
            format!("webhooks on {sobject} are unusual; check that the object supports the chosen trigger events"),
            None,
        );
    }
    let base = sobject.trim_end_matches("__c").replace('_', "");
    let trigger_name = cx.apex_name(
        &push_key(path, "triggerName"),
        "trigger name",
        &o.trigger_name.clone().unwrap_or_else(|| format!("{base}Trigger")),
    );
    let test_class_name = cx.apex_name(
        &push_key(path, "testClassName"),
        "test class name",
        &o.test_class_name.clone().unwrap_or_else(|| format!("Test{base}Trigger")),
    );

    let mut events = Vec::new();
    match &o.events {
        None => events.extend(TriggerEvent::ALL),
        Some(list) => {
            if list.is_empty() {
                cx.error(&push_key(path, "events"), format!("the {sobject} trigger listens to no event"), Some("list at least one of afterInsert, afterUpdate, afterDelete, afterUndelete, or remove \"events\" for all four".to_string()));
            }
            for (j, e) in list.iter().enumerate() {
                let ep = push_index(&push_key(path, "events"), j);
                match TriggerEvent::ALL.iter().find(|t| t.config_name() == e) {
                    Some(t) => events.push(*t),
                    None if e.starts_with("before") => cx.error(
                        &ep,
                        format!("\"{e}\": webhooks send committed changes, so only after-events are allowed"),
                        Some(format!("use \"after{}\"", &e[6..])),
                    ),
                    None => {
                        let hint = did_you_mean(e, TriggerEvent::ALL.iter().map(|t| t.config_name()))
                            .map(|s| format!("did you mean \"{s}\"?"))
                            .unwrap_or_else(|| {
                                "use afterInsert, afterUpdate, afterDelete or afterUndelete".to_string()
                            });
                        cx.error(&ep, format!("unknown trigger event \"{e}\""), Some(hint));
                    }
                }
            }
        }
    }
    events.sort();
    events.dedup();

    let fields = o.fields.as_ref().map(|list| {
        let mut out = vec!["Id".to_string()];
        for (j, f) in list.iter().enumerate() {
            let fp = push_index(&push_key(path, "fields"), j);
            if f.contains('.') {
                cx.error(
                    &fp,
                    format!("\"{f}\" reaches through a relationship; trigger records only hold their own fields"),
                    Some("send the lookup's Id field instead (e.g. \"AccountId\")".to_string()),
                );
            } else if !is_sobject_name(f) {
                cx.error(&fp, format!("\"{f}\" is not a field API name"), None);
            } else if !out.iter().any(|x| x.eq_ignore_ascii_case(f)) {
                out.push(f.clone());
            }
        }
        out
    });

    let mut test_record = Vec::new();
    match &o.test_record {
        Some(map) => {
            for (field, value) in map {
                let fp = push_key(&push_key(path, "testRecord"), field);
                if !is_sobject_name(field) {
                    cx.error(&fp, format!("\"{field}\" is not a field API name"), None);
                    continue;
                }
                match test_value(value) {
                    Some(v) => {
                        if let TestValue::Text(t) = &v {
                            cx.text(&fp, t, 1000);
                        }
                        // The number is pasted into Apex as a literal: no exponent (Apex has
                        // none), and integers must fit an Apex Integer.
                        if let TestValue::Number(n) = &v {
                            let plain = !n.contains(['e', 'E']);
                            let fits = n.contains('.') || n.parse::<i32>().is_ok();
                            if !plain || !fits {
                                cx.error(
                                    &fp,
                                    format!("{n} cannot be written as an Apex number literal"),
                                    Some(
                                        "use an integer from -2147483648 to 2147483647 or a decimal such as 1250.5"
                                            .to_string(),
                                    ),
                                );
                            }
                        }
                        test_record.push((field.clone(), v));
                    }
                    None => cx.error(
                        &fp,
                        "test values must be strings, numbers or booleans",
                        Some("dates: \"$today\" or \"$today+30\"".to_string()),
                    ),
                }
            }
        }
        None => match default_test_record(&sobject) {
            Some(defaults) => {
                for (field, value) in defaults {
                    if let Some(v) = test_value(&serde_json::Value::String((*value).to_string())) {
                        test_record.push(((*field).to_string(), v));
                    }
                }
            }
            None if sobject.contains("__") => cx.warn(
                &push_key(path, "sobject"),
                format!("no \"testRecord\" for {sobject}: the tests insert it with no field set"),
                Some("add \"testRecord\" with the object's required fields".to_string()),
            ),
            None => {}
        },
    }
    test_record.sort_by(|a, b| a.0.cmp(&b.0));
    WebhookObject { sobject, trigger_name, test_class_name, events, fields, test_record }
}

fn test_value(v: &serde_json::Value) -> Option<TestValue> {
    match v {
        serde_json::Value::String(s) => {
            if let Some(rest) = s.strip_prefix("$today") {
                if rest.is_empty() {
                    return Some(TestValue::TodayPlus(0));
                }
                if let Ok(n) = rest.parse::<i64>() {
                    return Some(TestValue::TodayPlus(n));
                }
            }
            Some(TestValue::Text(s.clone()))
        }
        serde_json::Value::Number(n) => Some(TestValue::Number(n.to_string())),
        serde_json::Value::Bool(b) => Some(TestValue::Bool(*b)),
        _ => None,
    }
}

pub(crate) fn check_apex_name_clashes(cx: &mut Ctx<'_>, webhook: Option<&Webhook>) {
    let Some(w) = webhook else { return };
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut names = vec![
        ("webhook.className".to_string(), w.class_name.clone()),
        ("webhook.mockClassName".to_string(), w.mock_class_name.clone()),
        ("webhook.testClassName".to_string(), w.test_class_name.clone()),
    ];
    for (i, o) in w.objects.iter().enumerate() {
        names.push((push_key(&push_index("webhook.objects", i), "testClassName"), o.test_class_name.clone()));
    }
    for (path, name) in names {
        if let Some(prev) = seen.insert(name.to_ascii_lowercase(), path.clone()) {
            cx.error(
                &path,
                format!("Apex class name \"{name}\" is already used by {prev}"),
                Some("Apex class names are case-insensitive and must be unique".to_string()),
            );
        }
    }
    let mut triggers = BTreeSet::new();
    for (i, o) in w.objects.iter().enumerate() {
        if !triggers.insert(o.trigger_name.to_ascii_lowercase()) {
            cx.error(
                &push_key(&push_index("webhook.objects", i), "triggerName"),
                format!("trigger name \"{}\" is used twice", o.trigger_name),
                None,
            );
        }
    }
}

/// Renders the webhook's Apex and the metadata it needs.
pub fn render(project: &crate::model::Project, w: &Webhook, tree: &mut crate::metadata::Tree) {
    use crate::metadata::{Component, ComponentKey, MetadataFile};
    let v = &project.api_version;
    for src in apex::webhook_sources(project, w) {
        let (ty, dir, ext, root) = if src.is_trigger {
            ("ApexTrigger", "triggers", "trigger", "ApexTrigger")
        } else {
            ("ApexClass", "classes", "cls", "ApexClass")
        };
        let body = format!("{dir}/{}.{ext}", src.name);
        let meta_path = format!("{body}-meta.xml");
        tree.insert(Component::new(
            ComponentKey::new(ty, &src.name),
            vec![
                MetadataFile::new(body, src.source),
                MetadataFile::new(meta_path, crate::render::meta::apex_meta(root, v)),
            ],
        ));
    }
    if let Some(s) = &w.signing {
        crate::render::xml_component(
            tree,
            "CustomObject",
            &s.setting_object,
            format!("objects/{}.object", s.setting_object),
            meta::signing_setting(s, &w.class_name),
        );
    }
}

/// Renders the Named Credentials sfgen generates.
pub fn render_named_credentials(named: &[NamedCredential], tree: &mut crate::metadata::Tree) {
    for n in named {
        crate::render::xml_component(
            tree,
            "NamedCredential",
            &n.name,
            format!("namedCredentials/{}.namedCredential", n.name),
            meta::named_credential(n),
        );
    }
}
