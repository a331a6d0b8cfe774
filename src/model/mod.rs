//! Validation: the config into the project every verb works from.
//!
//! [`Project::from_config`] turns a [`crate::config::LoadedConfig`] into a [`Project`] or the
//! complete list of problems (parse, don't validate). Defaults are filled in here, names are
//! checked against Salesforce's rules, and cross-references (a Remote Site for the endpoint,
//! Create needs Read, ...) are resolved, so renderers never see an `Option` for something
//! that has a default and never need to re-check anything.

mod validate;

pub use crate::section::integration::Integration;
pub use crate::section::oauth_app::ConnectedApp;
pub use crate::section::permission_set::{ObjectAccess, PermissionSet, TabVisibility};
pub use crate::section::remote_site::RemoteSite;
pub use crate::section::settings::Settings;
pub use crate::section::webhook::{
    CalloutTarget, NamedCredential, Signing, TestValue, TriggerEvent, Webhook, WebhookObject,
};
pub use crate::sf::api::{ApiVersion, API_VERSIONS};
pub use crate::sf::names::is_api_name;

pub use crate::project::Project;

impl Project {
    /// Validates a loaded config; returns every problem found, not just the first.
    pub fn from_config(config: &crate::config::LoadedConfig) -> Result<Self, crate::error::Error> {
        validate::build(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;
    use std::path::Path;

    fn project(json: &str) -> Result<Project, crate::error::Error> {
        Project::from_config(&parse_str(json, Path::new("t.json"), None)?)
    }

    fn errors(json: &str) -> Vec<String> {
        match project(json) {
            Err(crate::error::Error::Config(d)) => {
                d.into_iter().map(|d| format!("{}: {}", d.path, d.message)).collect()
            }
            other => panic!("expected config errors, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_filled_in() {
        let p = project(r#"{"apiVersion":"62.0","webhook":{"endpoint":"https://h.example.com/x","objects":[{"sobject":"Contact"}]}}"#)
            .expect("valid");
        let w = p.webhook.expect("webhook");
        assert_eq!(
            (w.class_name.as_str(), w.mock_class_name.as_str(), w.test_class_name.as_str()),
            ("Webhook", "WebhookMockImpl", "TestWebhook")
        );
        assert_eq!((w.timeout_ms, w.batch_size), (10_000, 200));
        let o = &w.objects[0];
        assert_eq!((o.trigger_name.as_str(), o.test_class_name.as_str()), ("ContactTrigger", "TestContactTrigger"));
        assert_eq!(o.events, TriggerEvent::ALL.to_vec());
        assert_eq!(o.fields, ["Id", "SystemModstamp", "MasterRecordId"], "the safe default: no personal data");
        assert!(o.watched.is_empty());
        assert!(o.test_record.iter().any(|(f, _)| f == "LastName"), "Contact gets a default test record");
        assert_eq!(p.remote_sites.len(), 1, "a Remote Site is derived for the endpoint");
        assert_eq!(p.remote_sites[0].url, "https://h.example.com");
        assert_eq!(p.api_version.to_string(), "62.0");
    }

    #[test]
    fn listed_remote_site_covering_the_origin_suppresses_the_derived_one() {
        let p = project(
            r#"{"apiVersion":"62.0","remoteSites":[{"name":"Vendor","url":"https://h.example.com"}],
            "webhook":{"endpoint":"https://h.example.com/deep/path?q=1","objects":[{"sobject":"Lead"}]}}"#,
        )
        .expect("valid");
        assert_eq!(p.remote_sites.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Vendor"]);
    }

    #[test]
    fn named_credential_needs_no_remote_site_and_is_generated_when_defined() {
        let p = project(
            r#"{"apiVersion":"62.0","webhook":{"namedCredential":{"name":"Vendor_API","url":"https://api.example.com"},
            "path":"/in","objects":[{"sobject":"Case"}]}}"#,
        )
        .expect("valid");
        assert!(p.remote_sites.is_empty());
        assert_eq!(p.named_credentials[0].name, "Vendor_API");
        assert_eq!(p.webhook.expect("w").target.apex_endpoint(), "callout:Vendor_API/in");
    }

    #[test]
    fn fields_always_carry_the_id_and_timestamp_first() {
        let p = project(r#"{"apiVersion":"62.0","webhook":{"endpoint":"https://h.example.com","objects":[{"sobject":"Contact","fields":["Email","id"]}]}}"#)
            .expect("valid");
        assert_eq!(p.webhook.expect("w").objects[0].fields, ["Id", "SystemModstamp", "MasterRecordId", "Email"]);
    }

    #[test]
    fn object_access_dependencies() {
        let e = errors(
            r#"{"apiVersion":"62.0","permissionSets":[{"name":"P","objects":{"Account":["read","modifyAll"]}}]}"#,
        );
        assert!(e.iter().any(|m| m.contains("modifyAll requires viewAll")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("modifyAll requires delete")), "{e:?}");
        let ok = project(
            r#"{"apiVersion":"62.0","permissionSets":[{"name":"P","objects":{"Account":["read","edit","delete","viewAll","modifyAll"]}}]}"#,
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn caps_on_the_number_of_entries() {
        let sites: Vec<String> =
            (0..201).map(|i| format!(r#"{{"name":"S{i}","url":"https://s{i}.example.com"}}"#)).collect();
        let e = errors(&format!(r#"{{"apiVersion":"62.0","remoteSites":[{}]}}"#, sites.join(",")));
        assert_eq!(e, ["remoteSites: 201 entries; sfgen accepts at most 200"]);
    }

    #[test]
    fn empty_config_is_refused() {
        let e = errors(r#"{"apiVersion":"62.0"}"#);
        assert!(e[0].contains("describes nothing"), "{e:?}");
    }

    #[test]
    fn signing_keeps_its_key_in_the_external_credential() {
        let p = project(
            r#"{"apiVersion":"62.0","webhook":{"className":"Sync","namedCredential":{"name":"Svc","url":"https://h.example.com","externalCredential":{}},
            "signing":{"header":"X-Sig"},"delivery":{"runAsUser":"d@example.com"},"objects":[{"sobject":"Account"}]}}"#,
        )
        .expect("valid");
        let w = p.webhook.expect("w");
        let s = w.signing.expect("signing");
        assert_eq!((s.named_credential.as_str(), s.external_credential.as_str()), ("Svc", "Svc"));
        assert_eq!((w.outbox_object.as_str(), w.admin_class_name.as_str()), ("Sync_Outbox__c", "SyncAdmin"));
        assert_eq!((w.wake_event.as_str(), w.carry_event.as_str()), ("Sync_Wake__e", "Sync_Carry__e"));
        assert_eq!(s.timestamp_header, "X-Webhook-Timestamp");
        // Without an External Credential there is nowhere to keep the key.
        let e = errors(
            r#"{"apiVersion":"62.0","webhook":{"endpoint":"https://h.example.com","signing":{"header":"X-Sig"},"objects":[{"sobject":"Account"}]}}"#,
        );
        assert!(e.iter().any(|e| e.starts_with("webhook.signing: ")), "{e:?}");
    }
}
