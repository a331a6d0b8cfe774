//! `sfgen init`: a starter config reproducing one of the two integration guides. The presets
//! are the guide fixtures themselves, so the golden tests cover them.

use crate::cli::Preset;
use crate::error::{Error, Result};
use crate::ops::Report;

/// Guide A: Contact changes pushed to a contact-centre platform.
pub const WEBHOOK_PRESET: &str = include_str!("../../fixtures/contact-webhook/sfgen.json");
/// Guide B: an API-only integration user for an order-automation service.
pub const INTEGRATION_USER_PRESET: &str = include_str!("../../fixtures/integration-user/sfgen.json");

/// The schema file `init` writes next to the config, and the config's `"$schema"` names.
pub const SCHEMA_FILE: &str = "sfgen.schema.json";

/// `text` (a preset) with `"$schema": "./sfgen.schema.json"` as its first key.
fn with_schema_reference(text: &str) -> String {
    match text.strip_prefix("{\n") {
        Some(rest) => format!("{{\n  \"$schema\": \"./{SCHEMA_FILE}\",\n{rest}"),
        None => text.to_string(),
    }
}

/// What `sfgen init` writes.
#[derive(Debug, Clone)]
pub struct InitOpts {
    /// The guide the starter config reproduces.
    pub preset: Preset,
    /// The config file to write (the schema goes beside it).
    pub out: std::path::PathBuf,
    /// Whether an existing file may be overwritten.
    pub force: bool,
}

/// Writes a starter config (and its schema beside it).
pub fn init(opts: &InitOpts) -> Result<Report> {
    let text = match opts.preset {
        Preset::Webhook => WEBHOOK_PRESET,
        Preset::IntegrationUser => INTEGRATION_USER_PRESET,
    };
    if opts.out.exists() && !opts.force {
        return Err(Error::Input {
            message: format!("{} already exists", opts.out.display()),
            hint: Some("pass --force to overwrite it, or --out another file".into()),
        });
    }
    let dir = opts.out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    // The config points editors at its schema (completion, enums, bounds), written beside it.
    let text = with_schema_reference(text);
    let schema = serde_json::to_string_pretty(&crate::config::reference::schema()).unwrap_or_default() + "\n";
    crate::write::file(&dir.join(SCHEMA_FILE), schema.as_bytes())?;
    crate::write::file(&opts.out, text.as_bytes())?;
    let preset = match opts.preset {
        Preset::Webhook => "webhook",
        Preset::IntegrationUser => "integration-user",
    };
    let config_flag = if opts.out == std::path::Path::new("sfgen.json") {
        String::new()
    } else {
        format!(" -c {}", crate::shell::path(&opts.out))
    };
    // What the preset holds, and so what there is to edit (the integration-user preset has no
    // webhook, hence no endpoint).
    let (guide, edit) = match opts.preset {
        Preset::Webhook => (
            "guide A: Contact changes sent to a contact-centre platform by a webhook",
            "the webhook's endpoint, the objects and fields it sends, the OAuth app's callback URL, the permission sets",
        ),
        Preset::IntegrationUser => (
            "guide B: an API-only integration user for an order-automation service",
            "the OAuth app's callback URL and contact email, the integration user's username, the permission sets, the managed package id",
        ),
    };
    Ok(Report {
        result: serde_json::json!({ "path": opts.out, "preset": preset, "schema": dir.join(SCHEMA_FILE) }),
        text: format!("Wrote {} (preset {preset}, {guide}) and its JSON Schema {SCHEMA_FILE}.\n", opts.out.display()),
        guidance: {
            let steps = [
                (format!("sfgen check{config_flag}"), "offline: the config, Salesforce names, coverage, deploy rules"),
                (format!("sfgen generate{config_flag} --out out"), "the SFDX project to review and commit"),
                (
                    format!("sfgen package{config_flag} --out deploy.zip"),
                    "the zip to deploy, and the sf commands that do it",
                ),
            ];
            let width = steps.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
            let mut g = format!("Next: edit it ({edit}), then\n");
            for (cmd, what) in steps {
                g.push_str(&format!("  {cmd:<width$}  # {what}\n"));
            }
            g
        },
        ..Report::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_name_their_schema_and_stay_valid_configs() {
        for preset in [WEBHOOK_PRESET, INTEGRATION_USER_PRESET] {
            let text = with_schema_reference(preset);
            assert!(text.starts_with("{\n  \"$schema\": \"./sfgen.schema.json\",\n"), "{text}");
            let parsed = crate::config::parse_str(&text, std::path::Path::new("sfgen.json"), None).expect("valid");
            assert_eq!(parsed.raw.schema.as_deref(), Some("./sfgen.schema.json"));
        }
    }
}
