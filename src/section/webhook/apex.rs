//! Apex sources, rendered from the askama templates in `templates/apex/`.
//!
//! Template structs hold only values that are already safe to paste into Apex: identifiers
//! that passed the model's API-name checks, and string literals built by [`apex_string`].
//! Nothing from the config reaches a template unescaped, and no config string goes into a
//! comment (where `*/` would end it).

use crate::model::{Project, TestValue, TriggerEvent, Webhook, WebhookObject};
use askama::Template;

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

/// An Apex expression for a test value; `{n}` in text becomes the loop index `i`.
fn apex_value(v: &TestValue) -> String {
    match v {
        TestValue::Text(t) => {
            let parts: Vec<String> = t.split("{n}").map(apex_string).collect();
            parts.join(" + i + ")
        }
        TestValue::Number(n) => n.clone(),
        TestValue::Bool(b) => b.to_string(),
        TestValue::TodayPlus(0) => "Date.today()".to_string(),
        TestValue::TodayPlus(n) => format!("Date.today().addDays({n})"),
    }
}

fn constructor_args(o: &WebhookObject) -> String {
    o.test_record.iter().map(|(f, v)| format!("{f} = {}", apex_value(v))).collect::<Vec<_>>().join(", ")
}

#[derive(Template)]
#[template(path = "apex/webhook.cls", escape = "none")]
struct WebhookCls<'a> {
    class_name: &'a str,
    objects_list: String,
    hash: &'a str,
    endpoint: String,
    timeout_ms: u32,
    batch_size: u32,
    headers: Vec<(String, String)>,
    signing: bool,
    signature_header: String,
    setting_object: String,
    key_field: String,
    field_lists: Vec<(String, String)>,
    fields_mode: &'static str,
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
    endpoint: String,
    headers: Vec<(String, String)>,
    signing: bool,
    signature_header: String,
    setting_object: String,
    key_field: String,
}

struct Sample {
    sobject: String,
    sobject_literal: String,
    constructor_args: String,
}

#[derive(Template)]
#[template(path = "apex/test_webhook.cls", escape = "none")]
struct TestWebhookCls<'a> {
    class_name: &'a str,
    mock_class_name: &'a str,
    test_class_name: &'a str,
    hash: &'a str,
    batch_size: u32,
    sample: Sample,
    signing: bool,
    setting_object: String,
    key_field: String,
}

struct EventTest {
    method: String,
    event: &'static str,
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
    bulk_size: u32,
    expected_requests: u32,
    needs_quiet_insert: bool,
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

/// Renders every Apex class and trigger of the webhook.
pub fn webhook_sources(project: &Project, w: &Webhook) -> Vec<ApexSource> {
    let hash = project.short_hash();
    let endpoint = apex_string(&w.target.apex_endpoint());
    let headers: Vec<(String, String)> = w.headers.iter().map(|(k, v)| (apex_string(k), apex_string(v))).collect();
    let (signing, signature_header, setting_object, key_field) = match &w.signing {
        Some(s) => (true, apex_string(&s.header), s.setting_object.clone(), s.key_field.clone()),
        None => (false, String::new(), String::new(), String::new()),
    };
    let field_lists: Vec<(String, String)> = w
        .objects
        .iter()
        .filter_map(|o| {
            o.fields
                .as_ref()
                .map(|f| (apex_string(&o.sobject), f.iter().map(|x| apex_string(x)).collect::<Vec<_>>().join(", ")))
        })
        .collect();
    let fields_mode = match (field_lists.len(), w.objects.len()) {
        (0, _) => "none",
        (n, m) if n == m => "all",
        _ => "mixed",
    };

    let mut out = vec![ApexSource {
        name: w.class_name.clone(),
        is_trigger: false,
        source: render(&WebhookCls {
            class_name: &w.class_name,
            objects_list: w.objects.iter().map(|o| o.sobject.as_str()).collect::<Vec<_>>().join(", "),
            hash,
            endpoint: endpoint.clone(),
            timeout_ms: w.timeout_ms,
            batch_size: w.batch_size,
            headers: headers.clone(),
            signing,
            signature_header: signature_header.clone(),
            setting_object: setting_object.clone(),
            key_field: key_field.clone(),
            field_lists,
            fields_mode,
        }),
    }];
    out.push(ApexSource {
        name: w.mock_class_name.clone(),
        is_trigger: false,
        source: render(&MockCls {
            class_name: &w.class_name,
            mock_class_name: &w.mock_class_name,
            hash,
            endpoint,
            headers,
            signing,
            signature_header,
            setting_object: setting_object.clone(),
            key_field: key_field.clone(),
        }),
    });
    if let Some(first) = w.objects.first() {
        out.push(ApexSource {
            name: w.test_class_name.clone(),
            is_trigger: false,
            source: render(&TestWebhookCls {
                class_name: &w.class_name,
                mock_class_name: &w.mock_class_name,
                test_class_name: &w.test_class_name,
                hash,
                batch_size: w.batch_size,
                sample: Sample {
                    sobject: first.sobject.clone(),
                    sobject_literal: apex_string(&first.sobject),
                    constructor_args: constructor_args(first),
                },
                signing,
                setting_object,
                key_field,
            }),
        });
    }
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
        let tests = o
            .events
            .iter()
            .map(|e| {
                let (event, method) = match e {
                    TriggerEvent::AfterInsert => ("insert", "bulkInsertSendsEveryRecordPositive"),
                    TriggerEvent::AfterUpdate => ("update", "bulkUpdateSendsEveryRecordPositive"),
                    TriggerEvent::AfterDelete => ("delete", "bulkDeleteSendsEveryRecordPositive"),
                    TriggerEvent::AfterUndelete => ("undelete", "bulkUndeleteSendsEveryRecordPositive"),
                };
                EventTest { method: method.to_string(), event }
            })
            .collect::<Vec<_>>();
        out.push(ApexSource {
            name: o.test_class_name.clone(),
            is_trigger: false,
            source: render(&TestTriggerCls {
                class_name: &w.class_name,
                mock_class_name: &w.mock_class_name,
                test_class_name: &o.test_class_name,
                trigger_name: &o.trigger_name,
                sobject: &o.sobject,
                sobject_literal: apex_string(&o.sobject),
                constructor_args: constructor_args(o),
                hash,
                bulk_size: 200,
                expected_requests: 200u32.div_ceil(w.batch_size),
                needs_quiet_insert: o.events.iter().any(|e| *e != TriggerEvent::AfterInsert),
                signing: w.signing.is_some(),
                tests,
            }),
        });
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
        assert_eq!(apex_value(&TestValue::Text("a{n}@x.com".into())), "'a' + i + '@x.com'");
        assert_eq!(apex_value(&TestValue::TodayPlus(30)), "Date.today().addDays(30)");
        assert_eq!(apex_value(&TestValue::Number("1.5".into())), "1.5");
    }
}
