//! `integration`: facts that are not metadata; they fill in the printed next steps.

use super::Ctx;
use crate::section::permission_set::PermissionSet;
use crate::sf::names::is_api_name;
use crate::spans::push_index;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Facts for the printed next steps (not metadata).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "Integration")]
pub struct RawIntegration {
    /// The external service's name, e.g. "Conexiom".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// The org's My Domain URL, e.g. "https://acme.my.salesforce.com" (default: a placeholder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_domain: Option<String>,
    /// Whether this environment is a sandbox (for the facts to hand to the vendor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<bool>,
    /// A managed package to install first: its package version id ("04t...").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_package_id: Option<String>,
    /// The integration user to create and the permission sets to assign to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_user: Option<RawIntegrationUser>,
}

/// The integration user (created by hand: users are data, not metadata).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "IntegrationUser")]
pub struct RawIntegrationUser {
    /// Username, e.g. "integration@acme.com".
    pub username: String,
    /// Permission sets to assign (generated ones and the vendor's).
    #[serde(default)]
    pub permission_sets: Vec<String>,
}

/// Facts for next steps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Integration {
    /// Vendor name.
    pub vendor: Option<String>,
    /// My Domain URL.
    pub org_domain: Option<String>,
    /// Sandbox or production.
    pub sandbox: Option<bool>,
    /// Managed package version id.
    pub managed_package_id: Option<String>,
    /// Integration username and permission sets to assign.
    pub integration_user: Option<(String, Vec<String>)>,
}

pub(crate) fn integration(cx: &mut Ctx<'_>, raw: Option<&RawIntegration>, sets: &[PermissionSet]) -> Integration {
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
            let at = push_index("integration.integrationUser.permissionSets", j);
            if !is_api_name(ps) && !namespaced {
                cx.error(
                    &at,
                    format!("\"{}\" is not a permission set API name", crate::sf::names::shown_name(ps)),
                    Some("letters, digits and single underscores, starting with a letter (ns__Name for a managed package's)".to_string()),
                );
            } else {
                let name = ps.split_once("__").map_or(ps.as_str(), |(_, n)| n);
                let max = crate::sf::names::MAX_PERMISSION_SET_NAME;
                if let Some(why) = crate::sf::names::too_long("the permission set name", name, max) {
                    cx.error(&at, why, None);
                }
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
