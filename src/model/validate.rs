//! RawConfig → Project: every rule Salesforce would enforce at deploy time, checked before a
//! single file is written, with all problems collected.

use super::names::*;
use super::*;
use crate::config::raw::*;
use crate::config::spans::{push_index, push_key};
use crate::config::{did_you_mean, LoadedConfig};
use crate::error::{Diagnostic, Error};
use std::collections::{BTreeMap, BTreeSet};

struct Ctx<'a> {
    config: &'a LoadedConfig,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let d = self.config.diag(path, message, hint.into());
        self.errors.push(d);
    }

    fn warn(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let d = self.config.diag(path, message, hint.into());
        self.warnings.push(d);
    }

    /// Checks an API name with a maximum length; returns it unchanged.
    fn api_name(&mut self, path: &str, what: &str, name: &str, max: usize) -> String {
        if !is_api_name(name) {
            self.error(
                path,
                format!("{what} \"{name}\" is not a valid API name"),
                Some(format!(
                    "use letters, digits and single underscores, starting with a letter, e.g. \"{}\"",
                    suggest_api_name(name)
                )),
            );
        } else if name.len() > max {
            self.error(path, format!("{what} \"{name}\" is {} characters; Salesforce allows {max}", name.len()), None);
        }
        name.to_string()
    }

    fn apex_name(&mut self, path: &str, what: &str, name: &str) -> String {
        let n = self.api_name(path, what, name, 40);
        if APEX_RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
            self.error(
                path,
                format!("{what} \"{name}\" is an Apex reserved word"),
                Some("choose another name".to_string()),
            );
        }
        n
    }

    /// Refuses whitespace and C1 controls in a URL: the URL parser would silently drop line
    /// breaks and tabs, but the raw string is what goes into Apex and metadata. Returns
    /// whether the URL is clean.
    fn url_chars(&mut self, path: &str, value: &str) -> bool {
        match value.chars().find(|&c| c.is_whitespace() || ('\u{7f}'..='\u{9f}').contains(&c)) {
            Some(c) => {
                self.error(
                    path,
                    format!("URL contains whitespace or a control character (U+{:04X})", c as u32),
                    Some("percent-encode it (a space is %20)".to_string()),
                );
                false
            }
            None => true,
        }
    }

    /// Checks free text bound for XML or Apex: no control characters XML 1.0 cannot carry.
    fn text(&mut self, path: &str, value: &str, max: usize) {
        if let Some(c) = value
            .chars()
            .find(|&c| (c < ' ' && c != '\n' && c != '\t' && c != '\r') || c == '\u{fffe}' || c == '\u{ffff}')
        {
            self.error(
                path,
                format!("contains the control character U+{:04X}, which metadata XML cannot hold", c as u32),
                Some("remove it".to_string()),
            );
        }
        if value.chars().count() > max {
            self.error(path, format!("is {} characters; Salesforce allows {max}", value.chars().count()), None);
        }
    }

    fn https_url(&mut self, path: &str, value: &str) -> Option<url::Url> {
        self.text(path, value, 2000);
        if !self.url_chars(path, value) {
            return None;
        }
        match url::Url::parse(value) {
            Ok(u) if u.scheme() == "https" && u.host_str().is_some() => {
                if !u.username().is_empty() || u.password().is_some() {
                    self.error(
                        path,
                        "URL contains credentials (user:password@)",
                        Some(
                            "never put secrets in the config: use a Named Credential with an External Credential"
                                .to_string(),
                        ),
                    );
                    return None;
                }
                Some(u)
            }
            Ok(u) if u.scheme() == "http" => {
                self.error(
                    path,
                    format!("\"{value}\" uses http; sfgen only sends to https endpoints"),
                    Some(format!("use \"https{}\"", &value[4..])),
                );
                None
            }
            Ok(_) => {
                self.error(
                    path,
                    format!("\"{value}\" is not an https URL"),
                    Some("e.g. \"https://api.example.com/hooks\"".to_string()),
                );
                None
            }
            Err(e) => {
                self.error(
                    path,
                    format!("\"{value}\" is not a valid URL: {e}"),
                    Some("e.g. \"https://api.example.com/hooks\"".to_string()),
                );
                None
            }
        }
    }
}

/// Turns an arbitrary string into a plausible API name for "did you mean" hints.
fn suggest_api_name(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    match out.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => out,
        Some(_) => format!("X{out}"),
        None => "My_Name".to_string(),
    }
}

fn label_from_name(name: &str) -> String {
    name.replace('_', " ")
}

/// Most entries of each list a config may hold. Far above any real integration; they keep a
/// hostile or runaway config from producing thousands of files (the 1 MiB file cap bounds the
/// rest).
pub const MAX_ENTRIES: &[(&str, usize)] =
    &[("webhook.objects", 50), ("remoteSites", 200), ("connectedApps", 100), ("permissionSets", 500)];

pub(super) fn build(config: &LoadedConfig) -> Result<Project, Error> {
    let mut cx = Ctx { config, errors: Vec::new(), warnings: Vec::new() };
    let raw = &config.raw;
    let counts = [
        raw.webhook.as_ref().map_or(0, |w| w.objects.len()),
        raw.remote_sites.len(),
        raw.connected_apps.len(),
        raw.permission_sets.len(),
    ];
    for ((path, max), n) in MAX_ENTRIES.iter().zip(counts) {
        if n > *max {
            cx.error(
                path,
                format!("{n} entries; sfgen accepts at most {max}"),
                Some("split the integration into several configs".to_string()),
            );
        }
    }
    if !cx.errors.is_empty() {
        return Err(Error::Config(cx.errors));
    }

    let api_version = parse_api_version(&mut cx, &raw.api_version);
    let mut named_credentials = Vec::new();
    let mut remote_sites = remote_sites(&mut cx, &raw.remote_sites);
    let webhook = raw.webhook.as_ref().map(|w| webhook(&mut cx, w, &mut remote_sites, &mut named_credentials));
    let connected_apps = connected_apps(&mut cx, &raw.connected_apps);
    let permission_sets = permission_sets(&mut cx, &raw.permission_sets);
    let settings = Settings {
        email_to_case: raw.settings.as_ref().and_then(|s| s.email_to_case.as_ref()).map(|e| e.enabled),
        allow_username_password_flow: raw
            .settings
            .as_ref()
            .and_then(|s| s.oauth.as_ref())
            .map(|o| o.allow_username_password_flow),
    };
    let integration = integration(&mut cx, raw.integration.as_ref(), &permission_sets);
    check_apex_name_clashes(&mut cx, webhook.as_ref());

    if raw.webhook.is_none()
        && raw.remote_sites.is_empty()
        && raw.connected_apps.is_empty()
        && raw.permission_sets.is_empty()
        && raw.settings.is_none()
    {
        cx.error("", "the config describes nothing to generate", Some("add \"webhook\", \"remoteSites\", \"connectedApps\", \"permissionSets\" or \"settings\" (see `sfgen init`)".to_string()));
    }

    if !cx.errors.is_empty() {
        // Report in file order, as a compiler does (stable: same-place errors keep their order).
        cx.errors.sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
        return Err(Error::Config(cx.errors));
    }
    Ok(Project {
        api_version: api_version.unwrap_or(ApiVersion { major: *API_VERSIONS.end() }),
        config_hash: config.hash.clone(),
        env: config.env.clone(),
        config_file: config.file.clone(),
        webhook,
        remote_sites,
        named_credentials,
        connected_apps,
        permission_sets,
        settings,
        integration,
        warnings: cx.warnings,
    })
}

fn parse_api_version(cx: &mut Ctx<'_>, v: &str) -> Option<ApiVersion> {
    let major = v.strip_suffix(".0").and_then(|m| m.parse::<u16>().ok());
    match major {
        Some(m) if API_VERSIONS.contains(&m) => Some(ApiVersion { major: m }),
        Some(m) => {
            cx.error(
                "apiVersion",
                format!("API version {m}.0 is not one sfgen knows"),
                Some(format!("use {}.0 to {}.0", API_VERSIONS.start(), API_VERSIONS.end())),
            );
            None
        }
        None => {
            cx.error(
                "apiVersion",
                format!("\"{v}\" is not an API version"),
                Some("write it like \"62.0\"".to_string()),
            );
            None
        }
    }
}

fn remote_sites(cx: &mut Ctx<'_>, raw: &[RawRemoteSite]) -> Vec<RemoteSite> {
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

fn origin(u: &url::Url) -> String {
    u.origin().ascii_serialization()
}

fn webhook(
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

fn connected_apps(cx: &mut Ctx<'_>, raw: &[RawConnectedApp]) -> Vec<ConnectedApp> {
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

const ACCESS_WORDS: &[&str] = &["read", "create", "edit", "delete", "viewAll", "modifyAll"];

fn permission_sets(cx: &mut Ctx<'_>, raw: &[RawPermissionSet]) -> Vec<PermissionSet> {
    let mut seen = BTreeSet::new();
    let known_perms: BTreeSet<&str> = user_permissions().collect();
    raw.iter()
        .enumerate()
        .map(|(i, p)| {
            let path = push_index("permissionSets", i);
            let name = cx.api_name(&push_key(&path, "name"), "permission set name", &p.name, 80);
            if !seen.insert(name.to_ascii_lowercase()) {
                cx.error(&push_key(&path, "name"), format!("duplicate permission set name \"{name}\""), None);
            }
            let label = p.label.clone().unwrap_or_else(|| label_from_name(&p.name));
            cx.text(&push_key(&path, "label"), &label, 80);
            if let Some(d) = &p.description {
                cx.text(&push_key(&path, "description"), d, 255);
            }
            if let Some(l) = &p.license {
                cx.text(&push_key(&path, "license"), l, 80);
            }

            let mut user_permissions = BTreeSet::new();
            for (j, up) in p.user_permissions.iter().enumerate() {
                let pp = push_index(&push_key(&path, "userPermissions"), j);
                if !known_perms.contains(up.as_str()) {
                    match did_you_mean(up, known_perms.iter().copied()) {
                        Some(s) => cx.error(&pp, format!("unknown user permission \"{up}\""), Some(format!("did you mean \"{s}\"?"))),
                        None if !is_api_name(up) => cx.error(&pp, format!("\"{up}\" is not a user permission name"), Some("user permissions are API names such as \"ApiEnabled\"".to_string())),
                        None => cx.warn(&pp, format!("user permission \"{up}\" is not one sfgen knows (API 61); the deploy fails if the org does not have it"), None),
                    }
                }
                user_permissions.insert(up.clone());
            }
            for (perm, needs) in USER_PERMISSION_DEPENDENCIES {
                if user_permissions.contains(*perm) {
                    for need in *needs {
                        if !user_permissions.contains(*need) {
                            cx.error(&push_key(&path, "userPermissions"), format!("user permission {perm} requires {need}"), Some(format!("add \"{need}\"")));
                        }
                    }
                }
            }

            let mut objects = BTreeMap::new();
            for (object, words) in &p.objects {
                let op = push_key(&push_key(&path, "objects"), object);
                if object == "Task" || object == "Event" {
                    let perm = format!("Edit{object}");
                    cx.error(&op, format!("{object} has no object permissions in Salesforce"), Some(format!("activity access comes from the user permission \"{perm}\": add it to \"userPermissions\"")));
                    continue;
                }
                if !is_sobject_name(object) {
                    cx.error(&op, format!("\"{object}\" is not an SObject API name"), None);
                }
                let mut a = ObjectAccess::default();
                for w in words {
                    match w.as_str() {
                        "read" => a.read = true,
                        "create" => a.create = true,
                        "edit" => a.edit = true,
                        "delete" => a.delete = true,
                        "viewAll" => a.view_all = true,
                        "modifyAll" => a.modify_all = true,
                        other => {
                            let hint = did_you_mean(other, ACCESS_WORDS.iter().copied()).map(|s| format!("did you mean \"{s}\"?")).unwrap_or_else(|| format!("use {}", ACCESS_WORDS.join(", ")));
                            cx.error(&op, format!("unknown object access \"{other}\""), Some(hint));
                        }
                    }
                }
                let mut need = |has: bool, what: &str, req: bool, req_name: &str| {
                    if has && !req {
                        cx.error(&op, format!("{object}: {what} requires {req_name}"), Some(format!("add \"{req_name}\" (Salesforce refuses {what} without it)")));
                    }
                };
                need(a.create, "create", a.read, "read");
                need(a.edit, "edit", a.read, "read");
                need(a.delete, "delete", a.read, "read");
                need(a.delete, "delete", a.edit, "edit");
                need(a.view_all, "viewAll", a.read, "read");
                need(a.modify_all, "modifyAll", a.view_all, "viewAll");
                need(a.modify_all, "modifyAll", a.delete, "delete");
                objects.insert(object.clone(), a);
            }

            let mut fields = BTreeMap::new();
            for (field, access) in &p.fields {
                let fp = push_key(&push_key(&path, "fields"), field);
                let Some((obj, f)) = field.split_once('.') else {
                    cx.error(&fp, format!("\"{field}\" must be written Object.Field"), Some("e.g. \"Account.BillingAddress\"".to_string()));
                    continue;
                };
                if !is_sobject_name(obj) || !is_sobject_name(f) {
                    cx.error(&fp, format!("\"{field}\" is not Object.Field with API names"), None);
                    continue;
                }
                if NON_FLS_FIELDS.contains(&field.as_str()) || NON_FLS_SYSTEM_FIELDS.contains(&f) {
                    cx.error(&fp, format!("{field} cannot carry field-level security (it is required or system-managed, so always visible)"), Some("remove it; the object permission already grants it".to_string()));
                    continue;
                }
                let editable = match access.as_str() {
                    "read" => false,
                    "edit" => true,
                    other => {
                        cx.error(&fp, format!("unknown field access \"{other}\""), Some("use \"read\" or \"edit\"".to_string()));
                        continue;
                    }
                };
                if obj != "Task" && obj != "Event" && !objects.get(obj).is_some_and(|a: &ObjectAccess| a.read) && !p.objects.contains_key(obj) {
                    cx.warn(&fp, format!("field access on {obj} without object access in this permission set"), Some(format!("add \"{obj}\": [\"read\"] to \"objects\" unless another set grants it")));
                }
                fields.insert(field.clone(), editable);
            }

            let mut classes = BTreeSet::new();
            for (j, c) in p.classes.iter().enumerate() {
                let cp = push_index(&push_key(&path, "classes"), j);
                let ok = c.split_once('.').map(|(ns, n)| is_api_name(ns) && is_api_name(n)).unwrap_or_else(|| is_api_name(c));
                if !ok {
                    cx.error(&cp, format!("\"{c}\" is not an Apex class name"), None);
                }
                classes.insert(c.clone());
            }

            let mut tabs = BTreeMap::new();
            for (tab, vis) in &p.tabs {
                let tp = push_key(&push_key(&path, "tabs"), tab);
                let v = match vis.to_ascii_lowercase().as_str() {
                    "visible" => TabVisibility::Visible,
                    "available" => TabVisibility::Available,
                    "none" => TabVisibility::None,
                    _ => {
                        cx.error(&tp, format!("unknown tab visibility \"{vis}\""), Some("use \"visible\", \"available\" or \"none\"".to_string()));
                        continue;
                    }
                };
                let name_ok = tab.strip_prefix("standard-").map(is_api_name).unwrap_or_else(|| is_sobject_name(tab));
                if !name_ok {
                    cx.error(&tp, format!("\"{tab}\" is not a tab name"), Some("standard tabs are \"standard-<Object>\", custom ones the object or tab API name".to_string()));
                }
                tabs.insert(tab.clone(), v);
            }

            let mut record_types = BTreeSet::new();
            for (j, rt) in p.record_types.iter().enumerate() {
                let rp = push_index(&push_key(&path, "recordTypes"), j);
                match rt.split_once('.') {
                    Some((o, n)) if is_sobject_name(o) && is_api_name(n) => {
                        record_types.insert(rt.clone());
                    }
                    _ => cx.error(&rp, format!("\"{rt}\" must be written Object.RecordTypeName"), Some("e.g. \"Case.Order\"".to_string())),
                }
            }

            PermissionSet {
                name,
                label,
                description: p.description.clone(),
                license: p.license.clone(),
                user_permissions: user_permissions.into_iter().collect(),
                objects,
                fields,
                classes: classes.into_iter().collect(),
                tabs,
                record_types: record_types.into_iter().collect(),
            }
        })
        .collect()
}

fn integration(cx: &mut Ctx<'_>, raw: Option<&RawIntegration>, sets: &[PermissionSet]) -> Integration {
    let Some(raw) = raw else { return Integration::default() };
    if let Some(id) = &raw.managed_package_id {
        let ok = (id.len() == 15 || id.len() == 18)
            && id.starts_with("04t")
            && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !ok {
            cx.error(
                "integration.managedPackageId",
                format!("\"{id}\" is not a package version id"),
                Some("it starts with 04t and has 15 or 18 characters".to_string()),
            );
        }
    }
    if let Some(d) = &raw.org_domain {
        cx.https_url("integration.orgDomain", d);
    }
    if let Some(v) = &raw.vendor {
        cx.text("integration.vendor", v, 80);
    }
    let user = raw.integration_user.as_ref().map(|u| {
        if !u.username.contains('@') || u.username.contains(|c: char| c.is_whitespace() || c.is_control()) {
            cx.error(
                "integration.integrationUser.username",
                format!("\"{}\" is not a Salesforce username (an email-style name)", u.username),
                None,
            );
        }
        for (j, ps) in u.permission_sets.iter().enumerate() {
            // A managed package's permission set is namespaced: `ns__Name`, both parts API
            // names, the namespace prefix at most 15 characters.
            let namespaced = ps
                .split_once("__")
                .is_some_and(|(ns, name)| ns.len() <= 15 && is_api_name(ns) && is_api_name(name));
            if !is_api_name(ps) && !namespaced {
                cx.error(
                    &push_index("integration.integrationUser.permissionSets", j),
                    format!("{ps:?} is not a permission set API name"),
                    Some("letters, digits and single underscores, starting with a letter (ns__Name for a managed package's)".to_string()),
                );
            }
        }
        let _ = sets;
        (u.username.clone(), u.permission_sets.clone())
    });
    Integration {
        vendor: raw.vendor.clone(),
        org_domain: raw.org_domain.clone(),
        sandbox: raw.sandbox,
        managed_package_id: raw.managed_package_id.clone(),
        integration_user: user,
    }
}

fn check_apex_name_clashes(cx: &mut Ctx<'_>, webhook: Option<&Webhook>) {
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
