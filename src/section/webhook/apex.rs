//! Apex sources, rendered from the askama templates in `templates/apex/`.
//!
//! Template structs hold only values that are already safe to paste into Apex: identifiers
//! that passed the model's API-name checks, and string literals built by [`apex_string`].
//! Nothing from the config reaches a template unescaped, and no config string goes into a
//! comment (where `*/` would end it).
//!
//! Nothing environment-specific reaches the Apex either: the endpoint lives in metadata (a
//! custom metadata record or a Named Credential), so every environment compiles the same
//! classes and triggers.

use super::{CalloutTarget, KeyEncoding, TestValue, TriggerEvent, Webhook, WebhookObject};
use askama::Template;
use sha2::{Digest, Sha256};

/// A single-quoted Apex string literal holding exactly `s`.
pub fn apex_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`: the signature the generated class sends
/// and a receiver recomputes. Used for the known-answer vector in the generated tests.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(T[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The known-answer vector of the generated tests and the README: timestamp, body, key.
pub const KAT_TIMESTAMP: &str = "1700000000";
/// The vector's body.
pub const KAT_BODY: &str = "{\"eventId\":\"sfgen-known-answer\"}";
/// The vector's key (its UTF-8 bytes).
pub const KAT_KEY: &str = "sfgen-known-answer-key";
/// The bytes of the key the generated tests store (never a real key).
pub const TEST_KEY: &[u8] = b"sfgen-test-signing-key";

/// The hex signature of the known-answer vector.
pub fn kat_signature() -> String {
    hex(&hmac_sha256(KAT_KEY.as_bytes(), format!("{KAT_TIMESTAMP}.{KAT_BODY}").as_bytes()))
}

/// How the test key is written in the custom setting for an encoding.
fn encoded_test_key(encoding: KeyEncoding) -> String {
    match encoding {
        KeyEncoding::Text => String::from_utf8_lossy(TEST_KEY).into_owned(),
        KeyEncoding::Base64 => base64(TEST_KEY),
        KeyEncoding::Hex => hex(TEST_KEY),
    }
}

/// The Apex expression decoding the key text `var` into its bytes.
fn key_decode(encoding: KeyEncoding, var: &str) -> String {
    match encoding {
        KeyEncoding::Text => format!("Blob.valueOf({var})"),
        KeyEncoding::Base64 => format!("EncodingUtil.base64Decode({var})"),
        KeyEncoding::Hex => format!("EncodingUtil.convertFromHex({var})"),
    }
}

/// An Apex expression for a test value; `{n}` in text becomes `index`.
fn apex_value(v: &TestValue, index: &str) -> String {
    match v {
        TestValue::Text(t) => {
            let parts: Vec<String> = t.split("{n}").map(apex_string).collect();
            parts.join(&format!(" + {index} + "))
        }
        TestValue::Number(n) => n.clone(),
        TestValue::Bool(b) => b.to_string(),
        TestValue::TodayPlus(0) => "Date.today()".to_string(),
        TestValue::TodayPlus(n) => format!("Date.today().addDays({n})"),
    }
}

fn constructor_args(o: &WebhookObject) -> String {
    o.test_record.iter().map(|(f, v)| format!("{f} = {}", apex_value(v, "i"))).collect::<Vec<_>>().join(", ")
}

/// A watched field whose test value holds `{n}`, and the Apex expression of another valid
/// value for it: what an update test changes.
fn change_of(o: &WebhookObject) -> Option<(String, String)> {
    o.watched.iter().find_map(|f| {
        o.test_record
            .iter()
            .find(|(tf, v)| tf.eq_ignore_ascii_case(f) && matches!(v, TestValue::Text(t) if t.contains("{n}")))
            .map(|(tf, v)| (tf.clone(), apex_value(v, "(i + 100000)")))
    })
}

struct ObjectFields {
    sobject: String,
    fields: String,
    watched: String,
}

#[derive(Template)]
#[template(path = "apex/webhook.cls", escape = "none")]
struct WebhookCls<'a> {
    class_name: &'a str,
    mock_class_name: &'a str,
    objects_list: String,
    hash: &'a str,
    outbox: &'a str,
    settings: &'a str,
    endpoint_type: String,
    callout_endpoint: String,
    timeout_ms: u32,
    batch_size: u32,
    per_job: u32,
    max_attempts: u32,
    send_all_updates: bool,
    headers: Vec<(String, String)>,
    signing: bool,
    signature_header: String,
    timestamp_header: String,
    key_field: String,
    key_encoding: &'static str,
    key_decode: String,
    objects: Vec<ObjectFields>,
}

#[derive(Template)]
#[template(path = "apex/admin.cls", escape = "none")]
struct AdminCls<'a> {
    class_name: &'a str,
    admin_class_name: &'a str,
    hash: &'a str,
}

#[derive(Template)]
#[template(path = "apex/trigger.trigger", escape = "none")]
struct TriggerSrc<'a> {
    class_name: &'a str,
    trigger_name: &'a str,
    sobject: &'a str,
    events: String,
    hash: &'a str,
}

#[derive(Template)]
#[template(path = "apex/mock.cls", escape = "none")]
struct MockCls<'a> {
    class_name: &'a str,
    mock_class_name: &'a str,
    hash: &'a str,
    settings: &'a str,
    headers: Vec<(String, String)>,
    signing: bool,
    signing_key: String,
    signature_header: String,
    timestamp_header: String,
    key_field: String,
    key_encoding: &'static str,
    key_decode_mock: String,
}

struct Sample {
    sobject: String,
    sobject_literal: String,
    constructor_args: String,
    filters_updates: bool,
    changed_field: String,
}

#[derive(Template)]
#[template(path = "apex/test_webhook.cls", escape = "none")]
struct TestWebhookCls<'a> {
    class_name: &'a str,
    admin_class_name: &'a str,
    mock_class_name: &'a str,
    test_class_name: &'a str,
    hash: &'a str,
    outbox: &'a str,
    settings: &'a str,
    sample: Sample,
    signing: bool,
    key_field: String,
    key_encoding: &'static str,
    kat_signature: String,
    test_key_hex: String,
}

struct EventTest {
    method: &'static str,
    prepare: &'static str,
    dml: &'static str,
    operation: &'static str,
    list_key: &'static str,
    expect_sent: bool,
}

#[derive(Template)]
#[template(path = "apex/test_trigger.cls", escape = "none")]
struct TestTriggerCls<'a> {
    class_name: &'a str,
    mock_class_name: &'a str,
    test_class_name: &'a str,
    trigger_name: &'a str,
    sobject: &'a str,
    sobject_literal: String,
    constructor_args: String,
    hash: &'a str,
    outbox: &'a str,
    bulk_size: u32,
    expected_requests: u32,
    needs_quiet_insert: bool,
    has_update: bool,
    has_undelete: bool,
    change_field: String,
    change_expr: String,
    signing: bool,
    tests: Vec<EventTest>,
}

/// One rendered Apex unit: name and source.
pub struct ApexSource {
    /// Class or trigger name.
    pub name: String,
    /// Whether this is a trigger (else a class).
    pub is_trigger: bool,
    /// The source text.
    pub source: String,
}

fn render<T: Template>(t: &T) -> String {
    // Templates are compiled in and their inputs are plain strings, so rendering cannot fail
    // short of a bug; keep the message if it ever does.
    let mut s = t.render().unwrap_or_else(|e| format!("/* template error: {e} */"));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn class(name: &str, source: String) -> ApexSource {
    ApexSource { name: name.to_string(), is_trigger: false, source }
}

/// Records per trigger test: as many as one delivery job sends (at most 200, a trigger's
/// chunk), so the test sees every record delivered.
pub fn bulk_size(w: &Webhook) -> u32 {
    200.min(w.batch_size * w.per_job)
}

/// Renders every Apex class and trigger of the webhook.
/// `hash`: the config file's short hash, written into every header (the same in every
/// environment).
pub fn webhook_sources(hash: &str, w: &Webhook) -> Vec<ApexSource> {
    let headers: Vec<(String, String)> = w.headers.iter().map(|(k, v)| (apex_string(k), apex_string(v))).collect();
    let (endpoint_type, callout_endpoint) = match (&w.target, &w.endpoint_type) {
        (CalloutTarget::Endpoint(_), Some(ty)) => (ty.clone(), String::new()),
        (target, _) => (String::new(), apex_string(&target.apex_endpoint())),
    };
    let encoding = w.signing.as_ref().map(|s| s.key_encoding).unwrap_or_default();
    let (signing, signature_header, timestamp_header, key_field) = match &w.signing {
        Some(s) => (true, apex_string(&s.header), apex_string(&s.timestamp_header), s.key_field.clone()),
        None => (false, String::new(), String::new(), String::new()),
    };
    let objects = w
        .objects
        .iter()
        .map(|o| {
            let tokens =
                |list: &[String]| list.iter().map(|f| format!("{}.{f}", o.sobject)).collect::<Vec<_>>().join(", ");
            ObjectFields { sobject: o.sobject.clone(), fields: tokens(&o.fields), watched: tokens(&o.watched) }
        })
        .collect();

    let mut out = vec![class(
        &w.class_name,
        render(&WebhookCls {
            class_name: &w.class_name,
            mock_class_name: &w.mock_class_name,
            objects_list: w.objects.iter().map(|o| o.sobject.as_str()).collect::<Vec<_>>().join(", "),
            hash,
            outbox: &w.outbox_object,
            settings: &w.settings_object,
            endpoint_type,
            callout_endpoint,
            timeout_ms: w.timeout_ms,
            batch_size: w.batch_size,
            per_job: w.per_job,
            max_attempts: w.max_attempts,
            send_all_updates: w.send_all_updates,
            headers: headers.clone(),
            signing,
            signature_header: signature_header.clone(),
            timestamp_header: timestamp_header.clone(),
            key_field: key_field.clone(),
            key_encoding: encoding.as_str(),
            key_decode: key_decode(encoding, &format!("settings.{key_field}")),
            objects,
        }),
    )];
    out.push(class(
        &w.admin_class_name,
        render(&AdminCls { class_name: &w.class_name, admin_class_name: &w.admin_class_name, hash }),
    ));
    out.push(class(
        &w.mock_class_name,
        render(&MockCls {
            class_name: &w.class_name,
            mock_class_name: &w.mock_class_name,
            hash,
            settings: &w.settings_object,
            headers,
            signing,
            signing_key: apex_string(&encoded_test_key(encoding)),
            signature_header,
            timestamp_header,
            key_field: key_field.clone(),
            key_encoding: encoding.as_str(),
            key_decode_mock: key_decode(encoding, "SIGNING_KEY"),
        }),
    ));
    if let Some(first) = w.objects.first() {
        out.push(class(
            &w.test_class_name,
            render(&TestWebhookCls {
                class_name: &w.class_name,
                admin_class_name: &w.admin_class_name,
                mock_class_name: &w.mock_class_name,
                test_class_name: &w.test_class_name,
                hash,
                outbox: &w.outbox_object,
                settings: &w.settings_object,
                sample: Sample {
                    sobject: first.sobject.clone(),
                    sobject_literal: apex_string(&first.sobject),
                    constructor_args: constructor_args(first),
                    filters_updates: !w.send_all_updates && !first.watched.is_empty(),
                    changed_field: change_of(first).map(|(f, _)| apex_string(&f)).unwrap_or_default(),
                },
                signing,
                key_field,
                key_encoding: encoding.as_str(),
                kat_signature: apex_string(&kat_signature()),
                test_key_hex: apex_string(&hex(TEST_KEY)),
            }),
        ));
    }
    let bulk = bulk_size(w);
    for o in &w.objects {
        let events: Vec<&str> = o.events.iter().map(|e| e.apex_declaration()).collect();
        out.push(ApexSource {
            name: o.trigger_name.clone(),
            is_trigger: true,
            source: render(&TriggerSrc {
                class_name: &w.class_name,
                trigger_name: &o.trigger_name,
                sobject: &o.sobject,
                events: events.join(", "),
                hash,
            }),
        });
        let change = change_of(o);
        let updates_filtered = !w.send_all_updates && !o.watched.is_empty();
        let tests = o
            .events
            .iter()
            .map(|e| {
                let (method, prepare, dml, list_key) = match e {
                    TriggerEvent::AfterInsert => {
                        ("bulkInsertSendsEveryRecordPositive", "buildRecords", "insert", "new")
                    }
                    TriggerEvent::AfterUpdate => {
                        ("bulkUpdateSendsEveryRecordPositive", "changedQuietly", "update", "new")
                    }
                    TriggerEvent::AfterDelete => {
                        ("bulkDeleteSendsEveryRecordPositive", "insertQuietly", "delete", "old")
                    }
                    TriggerEvent::AfterUndelete => {
                        ("bulkUndeleteSendsEveryRecordPositive", "deletedQuietly", "undelete", "new")
                    }
                };
                let expect_sent = *e != TriggerEvent::AfterUpdate || !updates_filtered || change.is_some();
                EventTest { method, prepare, dml, operation: e.operation(), list_key, expect_sent }
            })
            .collect::<Vec<_>>();
        let (change_field, change_expr) = change.unwrap_or_default();
        out.push(class(
            &o.test_class_name,
            render(&TestTriggerCls {
                class_name: &w.class_name,
                mock_class_name: &w.mock_class_name,
                test_class_name: &o.test_class_name,
                trigger_name: &o.trigger_name,
                sobject: &o.sobject,
                sobject_literal: apex_string(&o.sobject),
                constructor_args: constructor_args(o),
                hash,
                outbox: &w.outbox_object,
                bulk_size: bulk,
                expected_requests: bulk.div_ceil(w.batch_size),
                needs_quiet_insert: o.events.iter().any(|e| *e != TriggerEvent::AfterInsert),
                has_update: o.events.contains(&TriggerEvent::AfterUpdate),
                has_undelete: o.events.contains(&TriggerEvent::AfterUndelete),
                change_field,
                change_expr,
                signing: w.signing.is_some(),
                tests,
            }),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apex_string_escapes_everything_that_could_end_the_literal() {
        assert_eq!(apex_string("it's"), "'it\\'s'");
        assert_eq!(apex_string("a\\b"), "'a\\\\b'");
        assert_eq!(apex_string("l1\nl2\r\t"), "'l1\\nl2\\r\\t'");
        assert_eq!(apex_string("x\u{1}y"), "'x\\u0001y'");
        assert_eq!(apex_string("ünï <&>"), "'ünï <&>'");
    }

    #[test]
    fn test_values_substitute_index() {
        assert_eq!(apex_value(&TestValue::Text("a{n}@x.com".into()), "i"), "'a' + i + '@x.com'");
        assert_eq!(apex_value(&TestValue::TodayPlus(30), "i"), "Date.today().addDays(30)");
        assert_eq!(apex_value(&TestValue::Number("1.5".into()), "i"), "1.5");
    }

    /// RFC 4231 test case 2 (key "Jefe"), then the vector the generated tests and the README
    /// carry, computed independently of the Apex.
    #[test]
    fn hmac_known_answers() {
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // RFC 4231 test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        // The vector the README shows; computed independently with Python's hmac module.
        assert_eq!(kat_signature(), "fbc9606273ffc1fc80782f8494da03d4acbd5ea761e5b5127d79964f8994d393");
    }

    #[test]
    fn test_key_encodings() {
        assert_eq!(encoded_test_key(KeyEncoding::Text), "sfgen-test-signing-key");
        assert_eq!(encoded_test_key(KeyEncoding::Hex), "736667656e2d746573742d7369676e696e672d6b6579");
        assert_eq!(encoded_test_key(KeyEncoding::Base64), "c2ZnZW4tdGVzdC1zaWduaW5nLWtleQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
