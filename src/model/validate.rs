//! RawConfig → Project: every rule Salesforce would enforce at deploy time, checked before a
//! single file is written, with all problems collected.

use super::*;
use crate::config::LoadedConfig;
use crate::error::Error;
use crate::section::{self, Ctx};
use crate::sf::api::{ApiVersion, API_VERSIONS};

/// Most entries of each list a config may hold, with how many the config has. Far above any
/// real integration; they keep a hostile or runaway config from producing thousands of files (the
/// 1 MiB file cap bounds the rest).
fn entry_caps(raw: &crate::config::RawConfig) -> [(&'static str, usize, usize); 5] {
    [
        ("webhook.objects", 50, raw.webhook.as_ref().map_or(0, |w| w.objects.len())),
        ("remoteSites", 200, raw.remote_sites.len()),
        ("oauthApps", 100, raw.oauth_apps.len()),
        ("connectedApps", 100, raw.connected_apps.len()),
        ("permissionSets", 500, raw.permission_sets.len()),
    ]
}

pub(super) fn build(config: &LoadedConfig) -> Result<Project, Error> {
    let mut cx = Ctx { config, errors: Vec::new(), warnings: Vec::new() };
    let raw = &config.raw;
    for (path, max, n) in entry_caps(raw) {
        if n > max {
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
    let mut remote_sites = section::remote_site::remote_sites(&mut cx, &raw.remote_sites);
    let webhook =
        raw.webhook.as_ref().map(|w| section::webhook::webhook(&mut cx, w, &mut remote_sites, &mut named_credentials));
    if !raw.oauth_apps.is_empty() && !raw.connected_apps.is_empty() {
        cx.error(
            "connectedApps",
            "give the OAuth apps either in \"oauthApps\" or in \"connectedApps\" (its former name), not both",
            Some("move these entries into \"oauthApps\"".to_string()),
        );
    }
    let (apps_key, raw_apps) =
        if raw.oauth_apps.is_empty() { ("connectedApps", &raw.connected_apps) } else { ("oauthApps", &raw.oauth_apps) };
    let connected_apps = section::oauth_app::connected_apps(&mut cx, apps_key, raw_apps, raw.integration.as_ref());
    let permission_sets = section::permission_set::permission_sets(&mut cx, &raw.permission_sets);
    let settings = section::settings::settings(raw.settings.as_ref());
    if settings.allow_username_password_flow == Some(true) && !connected_apps.iter().any(|a| a.legacy) {
        cx.warn(
            "settings.oauth.allowUsernamePasswordFlow",
            "the username-password flow is allowed, but External Client Apps cannot use it: only legacy Connected Apps (and other apps in the org) can",
            Some("for an API-only integration user, set \"clientCredentials\": true on the OAuth app and drop this setting".to_string()),
        );
    }
    if settings.allow_username_password_flow == Some(true) && connected_apps.iter().any(|a| a.legacy) {
        cx.warn(
            "settings.oauth.allowUsernamePasswordFlow",
            crate::sf::oauth::USERNAME_PASSWORD_RETIREMENT,
            Some("use an External Client App with \"clientCredentials\": true (the integration user's server-to-server flow)".to_string()),
        );
    }
    let integration = section::integration::integration(&mut cx, raw.integration.as_ref(), &permission_sets);
    section::webhook::check_apex_name_clashes(&mut cx, webhook.as_ref());
    if webhook.is_some() {
        section::webhook::check_environments(&mut cx, &raw.environments);
    }
    let min = section::webhook::MIN_API_VERSION;
    if let (Some(v), Some(_)) = (&api_version, &webhook) {
        if v.major < min {
            cx.error(
                "apiVersion",
                format!("the webhook needs API version {min}.0 or later; the config says {v}"),
                Some(format!(
                    "use \"{min}.0\" or later: the generated Apex queues its delivery jobs with AsyncOptions (delay, duplicate signature)"
                )),
            );
        }
    }

    if raw.webhook.is_none()
        && raw.remote_sites.is_empty()
        && raw.connected_apps.is_empty()
        && raw.oauth_apps.is_empty()
        && raw.permission_sets.is_empty()
        && raw.settings.is_none()
    {
        cx.error("", "the config describes nothing to generate", Some("add \"webhook\", \"remoteSites\", \"oauthApps\", \"permissionSets\" or \"settings\" (see `sfgen init`)".to_string()));
    }

    if !cx.errors.is_empty() {
        // Report in file order, as a compiler does (stable: same-place errors keep their order).
        cx.errors.sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
        return Err(Error::Config(cx.errors));
    }
    let mut project = Project {
        api_version: api_version.unwrap_or(ApiVersion { major: *API_VERSIONS.end() }),
        config_hash: config.hash.clone(),
        source_hash: config.source_hash.clone(),
        env: config.env.clone(),
        config_file: config.file.clone(),
        webhook,
        remote_sites,
        named_credentials,
        connected_apps,
        permission_sets,
        settings,
        integration,
        warnings: Vec::new(),
    };
    // Names against Salesforce's schema and what the config itself generates (the outbox, its
    // fields, the classes): checked on the rendered package, so the two can never disagree.
    let generated = crate::check::names::PackageNames::from_tree(&crate::render::render(&project), &|_| true);
    crate::check::names::check_config(&mut cx, raw, &generated);
    if !cx.errors.is_empty() {
        cx.errors.sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
        return Err(Error::Config(cx.errors));
    }
    project.warnings = cx.warnings;
    Ok(project)
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
