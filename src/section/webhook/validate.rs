//! The webhook's rules: config → [`Webhook`], every problem reported.

use super::*;
use crate::section::remote_site::{origin, RemoteSite};
use crate::section::Ctx;
use crate::sf::names::*;
use crate::spans::{push_index, push_key};
use crate::suggest::did_you_mean;
use std::collections::{BTreeMap, BTreeSet};

/// Longest class name: the other classes, objects and events are named after it, the longest
/// being the test class `Test<class>Delivery` (an Apex class name has at most 40 characters)
/// and the objects `<class>_Settings__c` (40 before `__c`, Salesforce Help 000381913).
pub const MAX_CLASS_NAME: usize = 28;

/// Earliest API version the generated Apex compiles at: it enqueues with `AsyncOptions`
/// (`MinimumQueueableDelayInMinutes`, `DuplicateSignature`), documented from Spring '24.
pub const MIN_API_VERSION: u16 = 60;

/// Days a test date may be from today: `Date.addDays` takes an Integer, and Salesforce dates
/// run from 1700 to 4000.
pub const TEST_DATE_DAYS: std::ops::RangeInclusive<i64> = -100_000..=700_000;

/// Header names the generated class sets itself.
const OWN_HEADERS: &[&str] = &["Content-Type", "Idempotency-Key"];

pub(crate) fn webhook(
    cx: &mut Ctx<'_>,
    w: &RawWebhook,
    remote_sites: &mut Vec<RemoteSite>,
    named_credentials: &mut Vec<NamedCredential>,
) -> Webhook {
    let (class_name, admin_class_name, mock_class_name, test_class_name) = class_names(cx, w);
    let target = callout_target(cx, w, &class_name, remote_sites, named_credentials);
    let delivery = w.delivery.clone().unwrap_or_default();
    let (timeout_ms, batch_size, per_job, max_attempts) = delivery_limits(cx, w, &delivery);
    let send_all_updates = delivery.on_update == Some(OnUpdate::Always);
    let (headers, header_paths) = headers(cx, w);
    let signing = w.signing.as_ref().map(|s| signing(cx, s, &target, named_credentials, &header_paths));
    let run_as_user = delivery_user(cx, &delivery, &target, named_credentials);
    let test_data_factory = w
        .test_data_factory
        .as_ref()
        .map(|f| cx.apex_name("webhook.testDataFactory", "test data factory class name", f));

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
            webhook_object(cx, &path, o, w.test_data_factory.as_ref())
        })
        .collect();

    let endpoint_type = matches!(target, CalloutTarget::Endpoint(_)).then(|| format!("{class_name}_Endpoint__mdt"));
    Webhook {
        outbox_object: format!("{class_name}_Outbox__c"),
        settings_object: format!("{class_name}_Settings__c"),
        wake_event: format!("{class_name}_Wake__e"),
        carry_event: format!("{class_name}_Carry__e"),
        run_as_user,
        test_data_factory,
        admin_permission_set: format!("{class_name}_Delivery_Admin"),
        endpoint_type,
        class_name,
        admin_class_name,
        mock_class_name,
        test_class_name,
        target,
        timeout_ms,
        batch_size,
        per_job,
        max_attempts,
        send_all_updates,
        headers,
        signing,
        objects,
    }
}

/// The generated classes' names: (class, admin class, mock class, test class).
fn class_names(cx: &mut Ctx<'_>, w: &RawWebhook) -> (String, String, String, String) {
    let class_name = cx.apex_name("webhook.className", "class name", w.class_name.as_deref().unwrap_or("Webhook"));
    let mock_class_name = cx.apex_name(
        "webhook.mockClassName",
        "mock class name",
        w.mock_class_name.as_deref().unwrap_or("WebhookMockImpl"),
    );
    let test_class_name =
        cx.apex_name("webhook.testClassName", "test class name", w.test_class_name.as_deref().unwrap_or("TestWebhook"));
    if class_name.len() > MAX_CLASS_NAME {
        cx.error(
            "webhook.className",
            format!(
                "class name \"{class_name}\" is {} characters; at most {MAX_CLASS_NAME} fit, because the classes and objects \"Test{class_name}Delivery\" and \"{class_name}_Settings__c\" are named after it",
                class_name.len()
            ),
            Some("Apex class names and custom object names have at most 40 characters; choose a shorter class name".to_string()),
        );
    }
    // The default admin class name is derived: it is only checked when the class name is valid
    // (one error for a bad class name, not two).
    let admin_class_name = match &w.admin_class_name {
        Some(name) => cx.apex_name("webhook.adminClassName", "admin class name", name),
        None if is_api_name(&class_name) => {
            cx.apex_name("webhook.adminClassName", "admin class name", &format!("{class_name}Admin"))
        }
        None => format!("{class_name}Admin"),
    };
    (class_name, admin_class_name, mock_class_name, test_class_name)
}

/// Where the webhook calls: an endpoint (with the Remote Site it needs, derived when no listed
/// one covers it) or a Named Credential (generated ones join `named_credentials`).
fn callout_target(
    cx: &mut Ctx<'_>,
    w: &RawWebhook,
    class_name: &str,
    remote_sites: &mut Vec<RemoteSite>,
    named_credentials: &mut Vec<NamedCredential>,
) -> CalloutTarget {
    match (&w.endpoint, &w.named_credential) {
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
            if endpoint.chars().count() > 255 {
                cx.error(
                    "webhook.endpoint",
                    format!(
                        "the endpoint is {} characters; its custom metadata field holds 255",
                        endpoint.chars().count()
                    ),
                    Some("use a Named Credential for a longer URL".to_string()),
                );
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
                    let nc = crate::section::named_credential::generated(cx, "webhook.namedCredential", def);
                    let name = nc.name.clone();
                    named_credentials.push(nc);
                    name
                }
            };
            CalloutTarget::NamedCredential { name, path }
        }
    }
}

/// The delivery's bounds: (timeout ms, batch size, callouts per job, attempts).
fn delivery_limits(cx: &mut Ctx<'_>, w: &RawWebhook, delivery: &RawDelivery) -> (u32, u32, u32, u32) {
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
            Some("a trigger sees at most 200 records per invocation".to_string()),
        );
    }
    // One delivery job spends at most the 120 s of callout time a transaction may use, and
    // makes at most 50 callouts (of the 100 allowed), so its heap stays far below 12 MB.
    let per_job = (120_000 / timeout_ms.clamp(1, 120_000)).clamp(1, 50);
    let max_attempts = delivery.max_attempts.unwrap_or(6);
    if !(1..=20).contains(&max_attempts) {
        cx.error(
            "webhook.delivery.maxAttempts",
            format!("{max_attempts} attempts is outside 1 to 20"),
            Some("6 attempts retry over about 5.5 hours".to_string()),
        );
    }
    (timeout_ms, batch_size, per_job, max_attempts)
}

/// The config's extra headers, and where each (lower-cased) name was given.
fn headers(cx: &mut Ctx<'_>, w: &RawWebhook) -> (Vec<(String, String)>, BTreeMap<String, String>) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut header_paths: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &w.headers {
        let path = push_key("webhook.headers", name);
        if !cx.header_name(&path, name) {
            continue;
        }
        if let Some(first) = header_paths.insert(name.to_ascii_lowercase(), path.clone()) {
            cx.error(
                &path,
                format!("header \"{name}\" is also given as {first}: HTTP header names are case-insensitive"),
                Some("keep one of them".to_string()),
            );
            continue;
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
            // sfgen sends it anyway; the same value is accepted (and not sent twice).
            if !value.trim().eq_ignore_ascii_case("application/json") {
                cx.error(
                    &path,
                    format!("Content-Type is always application/json, not \"{value}\""),
                    Some("remove this header (the payload is JSON)".to_string()),
                );
            }
            continue;
        }
        if let Some(own) = OWN_HEADERS.iter().find(|h| h.eq_ignore_ascii_case(name)) {
            cx.error(
                &path,
                format!("{own} is set by the generated class (it carries each delivery's event id)"),
                Some("remove this header".to_string()),
            );
            continue;
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
    (headers, header_paths)
}

/// Signing: its headers (clashing with no other), and the External Credential its key lives in.
fn signing(
    cx: &mut Ctx<'_>,
    s: &RawSigning,
    target: &CalloutTarget,
    named_credentials: &[NamedCredential],
    header_paths: &BTreeMap<String, String>,
) -> Signing {
    let timestamp_header = s.timestamp_header.clone().unwrap_or_else(|| "X-Webhook-Timestamp".to_string());
    let named = [("webhook.signing.header", &s.header), ("webhook.signing.timestampHeader", &timestamp_header)];
    for (path, h) in named {
        if !cx.header_name(path, h) {
            continue;
        }
        if let Some(first) = header_paths.get(&h.to_ascii_lowercase()) {
            cx.error(path, format!("header \"{h}\" is also set in {first}"), Some("use another name".to_string()));
        }
        if OWN_HEADERS.iter().any(|o| o.eq_ignore_ascii_case(h)) {
            cx.error(path, format!("{h} is set by the generated class"), Some("use another name".to_string()));
        }
    }
    if s.header.eq_ignore_ascii_case(&timestamp_header) {
        cx.error(
            "webhook.signing.timestampHeader",
            "the timestamp and the signature need two different headers",
            Some("e.g. \"X-Webhook-Timestamp\"".to_string()),
        );
    }
    let key_encoding = s.key_encoding.unwrap_or_default();
    if key_encoding == KeyEncoding::Hex {
        cx.error(
            "webhook.signing.keyEncoding",
            "a hex key cannot be decoded where Salesforce keeps it: Named Credential formulas decode text (BLOB) and base64 (BASE64DECODE) only",
            Some("write the key as base64 of its bytes: \"keyEncoding\": \"base64\"".to_string()),
        );
    }
    // The key lives in an External Credential sfgen generates: the signature is a formula
    // over it that Salesforce evaluates when the request leaves (never a custom setting).
    let credential = match (&target, named_credentials.last()) {
        (CalloutTarget::NamedCredential { name, .. }, Some(nc)) if &nc.name == name => {
            nc.external_credential.as_ref().map(|ec| (nc.name.clone(), ec.name.clone(), ec.principal.clone()))
        }
        _ => None,
    };
    if credential.is_none() {
        cx.error(
            "webhook.signing",
            "the signing key needs an External Credential to live in, and the webhook has none sfgen generates",
            Some("give \"namedCredential\": { \"name\", \"url\", \"externalCredential\": {} } (add \"header\" for an API key too); a custom setting is no place for a secret".to_string()),
        );
    }
    let (named_credential, external_credential, principal) = credential.unwrap_or_default();
    Signing {
        header: s.header.clone(),
        timestamp_header,
        key_encoding,
        named_credential,
        external_credential,
        principal,
    }
}

/// The one user delivery runs as: required when the callout goes through an External Credential.
fn delivery_user(
    cx: &mut Ctx<'_>,
    delivery: &RawDelivery,
    target: &CalloutTarget,
    named_credentials: &[NamedCredential],
) -> Option<String> {
    let run_as_user = delivery.run_as_user.clone();
    if let Some(u) = &run_as_user {
        if !u.contains('@') || u.contains(|c: char| c.is_whitespace() || c.is_control()) || u.len() > 80 {
            cx.error(
                "webhook.delivery.runAsUser",
                format!("\"{}\" is not a Salesforce username (an email-style name)", u.escape_debug()),
                None,
            );
        }
    }
    let secured = matches!(&target, CalloutTarget::NamedCredential { name, .. }
        if named_credentials.iter().any(|n| &n.name == name && n.external_credential.is_some()));
    if secured && run_as_user.is_none() {
        cx.error(
            "webhook.delivery",
            "the webhook calls out through an External Credential, and no delivery user is named",
            Some("add \"delivery\": { \"runAsUser\": \"username\" }: delivery jobs run as that one user, the only one who needs the credential".to_string()),
        );
    }
    run_as_user
}

fn webhook_object(cx: &mut Ctx<'_>, path: &str, o: &RawWebhookObject, w_factory: Option<&String>) -> WebhookObject {
    let sobject = o.sobject.clone();
    cx.sobject_name(&push_key(path, "sobject"), "an SObject", &sobject, Some("e.g. \"Contact\" or \"Invoice__c\""));
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

    let mut fields: Vec<String> = SYSTEM_FIELDS.iter().map(|f| f.to_string()).collect();
    if MERGEABLE.contains(&sobject.as_str()) {
        fields.push("MasterRecordId".to_string());
    }
    let always = fields.len();
    match &o.fields {
        None => cx.warn(
            &push_key(path, "sobject"),
            format!("no \"fields\" for {sobject}: each change sends only {}", fields.join(", ")),
            Some("list the fields the endpoint needs in \"fields\" (nothing else leaves the org)".to_string()),
        ),
        Some(list) => {
            for (j, f) in list.iter().enumerate() {
                let fp = push_index(&push_key(path, "fields"), j);
                if f.contains('.') {
                    cx.error(
                        &fp,
                        format!("\"{f}\" reaches through a relationship; trigger records only hold their own fields"),
                        Some("send the lookup's Id field instead (e.g. \"AccountId\")".to_string()),
                    );
                } else if cx.sobject_name(&fp, "a field", f, None) && !fields.iter().any(|x| x.eq_ignore_ascii_case(f))
                {
                    fields.push(f.clone());
                }
            }
        }
    }
    let watched = fields[always..].to_vec();

    let mut test_record = Vec::new();
    match &o.test_record {
        Some(map) => {
            for (field, value) in map {
                let fp = push_key(&push_key(path, "testRecord"), field);
                if !cx.sobject_name(&fp, "a field", field, None) {
                    continue;
                }
                if let Some(v) = test_field_value(cx, &fp, value) {
                    test_record.push((field.clone(), v));
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
                // A Contact belongs to an Account in most orgs (a validation rule, or guide A's
                // own test): the default test Contact gets one.
                if sobject == "Contact" {
                    test_record.push((
                        "AccountId".to_string(),
                        TestValue::Parent {
                            sobject: "Account".to_string(),
                            values: vec![("Name".to_string(), TestValue::Text("sfgen Test Account".to_string()))],
                        },
                    ));
                }
            }
            None if sobject.contains("__") && w_factory.is_none() => cx.warn(
                &push_key(path, "sobject"),
                format!("no \"testRecord\" for {sobject}: the tests insert it with no field set"),
                Some("add \"testRecord\" with the object's required fields, or name the org's factory in \"webhook.testDataFactory\"".to_string()),
            ),
            None => {}
        },
    }
    test_record.sort_by(|a, b| a.0.cmp(&b.0));
    WebhookObject { sobject, trigger_name, test_class_name, events, fields, watched, test_record }
}

/// A test record value, checked: a scalar (text with `{n}`, a number literal Apex can hold,
/// a boolean, "$today+N") or a parent `{ "sobject", "testRecord" }` of scalars.
fn test_field_value(cx: &mut Ctx<'_>, fp: &str, value: &serde_json::Value) -> Option<TestValue> {
    if let Some(map) = value.as_object() {
        for key in map.keys().filter(|k| !["sobject", "testRecord"].contains(&k.as_str())) {
            cx.error(
                &push_key(fp, key),
                format!("unknown key \"{key}\" in a parent record"),
                Some("a parent has \"sobject\" and \"testRecord\"".to_string()),
            );
        }
        let Some(sobject) = map.get("sobject").and_then(|v| v.as_str()) else {
            cx.error(
                fp,
                "a parent record needs \"sobject\"",
                Some("e.g. { \"sobject\": \"Account\", \"testRecord\": { \"Name\": \"Acme\" } }".to_string()),
            );
            return None;
        };
        cx.sobject_name(&push_key(fp, "sobject"), "an SObject", sobject, None);
        let mut values = Vec::new();
        for (field, v) in map.get("testRecord").and_then(|v| v.as_object()).into_iter().flatten() {
            let pp = push_key(&push_key(fp, "testRecord"), field);
            if !cx.sobject_name(&pp, "a field", field, None) {
                continue;
            }
            if v.is_object() {
                cx.error(&pp, "a parent's values are strings, numbers or booleans", None);
                continue;
            }
            if let Some(v) = test_field_value(cx, &pp, v) {
                values.push((field.clone(), v));
            }
        }
        values.sort_by(|a, b| a.0.cmp(&b.0));
        return Some(TestValue::Parent { sobject: sobject.to_string(), values });
    }
    let Some(v) = test_value(value) else {
        cx.error(
            fp,
            "test values must be strings, numbers, booleans or a parent { \"sobject\", \"testRecord\" }",
            Some("dates: \"$today\" or \"$today+30\"".to_string()),
        );
        return None;
    };
    if let TestValue::Text(t) = &v {
        cx.text(fp, t, 1000);
        if t.starts_with("$today") {
            cx.error(
                fp,
                format!(
                    "\"{}\" is neither \"$today\" nor \"$today+N\" / \"$today-N\" with a whole number N",
                    t.escape_debug()
                ),
                Some("e.g. \"$today+30\"".to_string()),
            );
        }
    }
    // `Date.today().addDays(n)` takes an Integer, and Salesforce dates run from 1700 to 4000.
    if let TestValue::TodayPlus(n) = v {
        if !TEST_DATE_DAYS.contains(&n) {
            cx.error(
                fp,
                format!(
                    "$today{n:+} is {} days from today; a Salesforce date must lie between the years 1700 and 4000",
                    n.abs()
                ),
                Some(format!("use a number of days from {} to {}", TEST_DATE_DAYS.start(), TEST_DATE_DAYS.end())),
            );
        }
    }
    // The number is pasted into Apex as a literal: no exponent (Apex has none), and integers
    // must fit an Apex Integer.
    if let TestValue::Number(n) = &v {
        let plain = !n.contains(['e', 'E']);
        let fits = n.contains('.') || n.parse::<i32>().is_ok();
        if !plain || !fits {
            cx.error(
                fp,
                format!("{n} cannot be written as an Apex number literal"),
                Some("use an integer from -2147483648 to 2147483647 or a decimal such as 1250.5".to_string()),
            );
        }
    }
    Some(v)
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
        ("webhook.adminClassName".to_string(), w.admin_class_name.clone()),
    ];
    for (i, o) in w.objects.iter().enumerate() {
        names.push((push_key(&push_index("webhook.objects", i), "testClassName"), o.test_class_name.clone()));
    }
    // The classes named after className (WebhookPayload, TestWebhookDelivery, ...) clash with
    // a configured name at that name's path.
    let derived = super::apex::Names::of(w, "");
    let mut derived: Vec<(String, String)> =
        derived.derived_classes().into_iter().map(|c| ("webhook.className".to_string(), c.to_string())).collect();
    derived.append(&mut names);
    let names = derived;
    for (path, name) in names {
        if let Some(prev) = seen.insert(name.to_ascii_lowercase(), path.clone()) {
            cx.error(
                &path,
                format!("Apex class name \"{name}\" is already used by {prev}"),
                Some("Apex class names are case-insensitive and must be unique".to_string()),
            );
        }
    }
    let names = super::apex::Names::of(w, "");
    let mut triggers: BTreeSet<String> =
        [&names.wake_trigger, &names.carry_trigger].iter().map(|t| t.to_ascii_lowercase()).collect();
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

/// Webhook keys whose value lives in metadata, not in the Apex, so an environment may set its
/// own (the endpoint's custom metadata record, the Named Credential's URL and labels, the
/// External Credential's header and label). Every other key under `webhook` is compiled into
/// the Apex.
pub const PER_ENVIRONMENT_KEYS: &[&str] = &[
    "endpoint",
    "namedCredential.url",
    "namedCredential.label",
    "namedCredential.externalCredential.label",
    "namedCredential.externalCredential.header",
    "namedCredential.externalCredential.prefix",
    "delivery.runAsUser",
];

/// Refuses every `environments` patch that would make an environment's Apex differ from the
/// Apex of the others: the classes validated in a sandbox must be the classes production runs.
/// Checked for every environment of the file, whichever `--env` this run uses; each value that
/// would change the Apex is named by its JSON path.
pub(crate) fn check_environments(cx: &mut Ctx<'_>, environments: &BTreeMap<String, serde_json::Value>) {
    for (env, patch) in environments {
        let root = push_key("environments", env);
        if patch.get("apiVersion").is_some() {
            cx.error(
                &push_key(&root, "apiVersion"),
                format!("environment \"{env}\" changes apiVersion, the version the webhook's Apex compiles at"),
                Some("every environment deploys the same Apex: set apiVersion once, at the top level".to_string()),
            );
        }
        let Some(webhook) = patch.get("webhook") else { continue };
        let mut leaves = Vec::new();
        leaf_paths(webhook, Vec::new(), &mut leaves);
        for leaf in leaves {
            let dotted = leaf.join(".");
            if PER_ENVIRONMENT_KEYS.contains(&dotted.as_str()) {
                continue;
            }
            let path = leaf.iter().fold(push_key(&root, "webhook"), |p, k| push_key(&p, k));
            cx.error(
                &path,
                format!(
                    "environment \"{env}\" changes {}, which is compiled into the Apex: production would run classes the sandbox never tested",
                    if dotted.is_empty() { "the webhook".to_string() } else { format!("webhook.{dotted}") }
                ),
                Some(format!(
                    "set it once, outside \"environments\"; only values kept in metadata may differ per environment (webhook.{})",
                    PER_ENVIRONMENT_KEYS.join(", webhook.")
                )),
            );
        }
    }
}

/// The paths of the values a JSON merge patch sets, relative to `value`: objects are walked
/// into, anything else (an array replaces the whole list) is a leaf.
fn leaf_paths(value: &serde_json::Value, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    match value.as_object() {
        Some(map) => {
            for (k, v) in map {
                let mut p = prefix.clone();
                p.push(k.clone());
                leaf_paths(v, p, out);
            }
        }
        _ => out.push(prefix),
    }
}
