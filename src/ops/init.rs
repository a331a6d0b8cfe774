//! `sfgen init`: a starter config reproducing one of the two integration guides. The presets
//! are the guide fixtures themselves, so the golden tests cover them.

use crate::cli::{InitArgs, Preset};
use crate::error::{Error, Result};
use crate::Outcome;

/// Guide A: Contact changes pushed to a contact-centre platform.
pub const WEBHOOK_PRESET: &str = include_str!("../../fixtures/contact-webhook/sfgen.json");
/// Guide B: an API-only integration user for an order-automation service.
pub const INTEGRATION_USER_PRESET: &str = include_str!("../../fixtures/integration-user/sfgen.json");

/// Runs `sfgen init`.
pub fn run(args: &InitArgs) -> Result<Outcome> {
    let text = match args.preset {
        Preset::Webhook => WEBHOOK_PRESET,
        Preset::IntegrationUser => INTEGRATION_USER_PRESET,
    };
    if args.out.exists() && !args.force {
        return Err(Error::Input {
            message: format!("{} already exists", args.out.display()),
            hint: Some("pass --force to overwrite it, or --out another file".into()),
        });
    }
    crate::write::file(&args.out, text.as_bytes())?;
    let preset = match args.preset {
        Preset::Webhook => "webhook",
        Preset::IntegrationUser => "integration-user",
    };
    let config_flag = if args.out == std::path::Path::new("sfgen.json") {
        String::new()
    } else {
        format!(" -c {}", crate::shell::path(&args.out))
    };
    Ok(Outcome {
        result: serde_json::json!({ "path": args.out, "preset": preset }),
        text: format!("Wrote {} (preset {preset}).\n", args.out.display()),
        guidance: format!(
            "Next: edit it (endpoint, names, permissions), then\n  sfgen generate{config_flag} --out out\n  sfgen package{config_flag} --out deploy.zip\n"
        ),
        ..Outcome::default()
    })
}
