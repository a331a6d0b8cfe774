//! The steps metadata cannot do, printed after `generate` and `package` with the values
//! filled in from the config: secrets to copy by hand, users to create, packages to install,
//! and the exact `sf` commands to validate, deploy, assign the permission sets and later
//! retrieve for `sfgen diff`. Every word of every command is quoted by
//! [`crate::shell::quote`]; every text is made printable by the caller.

use super::deploy::{Commands, Org};
use crate::model::Project;
use crate::shell::{quote, ORG_PLACEHOLDER};
use std::fmt::Write as _;

pub use super::delivery_steps::Step;

/// The flags that reproduce this run on a later `sfgen` command line: the config's `-c` and
/// `--env`, plus `--api-version` when one was given.
pub fn sfgen_flags(project: &Project, api_version: Option<&str>) -> String {
    let mut flags = project.config_flags();
    if let Some(v) = api_version {
        flags.push_str(&format!(" --api-version {}", quote(v)));
    }
    flags
}

/// The manual steps for `project`, around the deploy `deploy` (built by
/// [`super::deploy::commands`] for the artefact just written).
pub fn next_steps(project: &Project, deploy: &Commands, org: &Org, api_version: Option<&str>) -> Vec<Step> {
    let mut steps = Vec::new();
    let i = &project.integration;
    let vendor = i.vendor.clone().unwrap_or_else(|| "the external service".to_string());
    let domain = i.org_domain.clone().unwrap_or_else(|| "https://<your-domain>.my.salesforce.com".to_string());
    let target = org.flag();

    if let Some(id) = &i.managed_package_id {
        steps.push(Step {
            id: "install-package",
            title: format!("Install {vendor}'s managed package before deploying"),
            details: vec![format!(
                "or open {}/packaging/installPackage.apexp?p0={id} as a System Administrator",
                domain.trim_end_matches('/')
            )],
            commands: vec![format!("sf package install --package {} --wait 20 {target}", quote(id))],
        });
    }

    let mut details = match org.sandbox {
        Some(true) => vec![
            "first a dry run: it validates the deploy and runs its tests without changing the sandbox".to_string(),
            "then deploy".to_string(),
        ],
        _ => vec![
            "validate first: it runs the tests without changing the org".to_string(),
            "then deploy what was validated without running the tests again (within 10 days), or run `sf project deploy start` with the same flags".to_string(),
        ],
    };
    if org.sandbox.is_none() {
        details.push(
            "the config does not say whether the org is a sandbox (integration.sandbox): these are the commands for production"
                .to_string(),
        );
    }
    if org.alias.is_none() {
        details.push(format!(
            "replace {ORG_PLACEHOLDER} with the org's alias or username, or run sfgen with --target-org ALIAS (or SF_TARGET_ORG)"
        ));
    }
    // Steps that must come first (src/plan/delivery_steps.rs).
    steps.extend(super::delivery_steps::before_deploy(project));
    steps.extend(super::delivery_steps::webhook_before_deploy(project));
    steps.push(Step { id: "deploy", title: "Validate, then deploy".to_string(), details, commands: deploy.in_order() });

    // The webhook's and the OAuth apps' own steps (src/plan/delivery_steps.rs).
    steps.extend(super::delivery_steps::webhook(project, &target));
    steps.extend(super::delivery_steps::oauth_apps(project));

    let env_word = match i.sandbox {
        Some(true) => "a sandbox",
        Some(false) => "production",
        None => "sandbox or production (say which)",
    };
    let mut facts = vec![format!("org domain: {domain}"), format!("environment: {env_word}")];
    if let Some(e2c) = project.settings.email_to_case {
        facts.push(format!("Email-to-Case: {}", if e2c { "enabled" } else { "disabled" }));
    }
    if project.settings.email_to_case == Some(true) {
        steps.push(Step {
            id: "email-to-case-routing",
            title: "Add the Email-to-Case routing addresses".to_string(),
            details: vec![
                "the deploy turns Email-to-Case on (CaseSettings); the addresses customers write to are data: Setup > Email-to-Case > New (routing address, case origin, owner)".to_string(),
                "Salesforce sends a verification email to each routing address; then forward that mailbox to the Email Services address Salesforce shows for it".to_string(),
            ],
            commands: vec![],
        });
    }
    steps.push(Step {
        id: "tell-vendor",
        title: format!("Tell {vendor} where to connect"),
        details: facts,
        commands: vec![],
    });

    let mut assigned: Vec<&str> = Vec::new();
    if let Some((username, sets)) = &i.integration_user {
        let mut commands = Vec::new();
        if !sets.is_empty() {
            commands.push(format!(
                "sf org assign permset{} --on-behalf-of {} {target}",
                sets.iter().map(|s| format!(" --name {}", quote(s))).collect::<String>(),
                quote(username)
            ));
        }
        assigned.extend(sets.iter().map(String::as_str));
        // The client credentials flow's run-as user is created before the deploy
        // (`eca-run-as-user`): this step then only assigns its permission sets.
        let created_before = project
            .connected_apps
            .iter()
            .any(|a| !a.legacy && a.client_credentials_user.as_deref() == Some(username.as_str()));
        let (title, mut details) = if created_before {
            (
                format!("Assign the integration user {username} its permission sets"),
                vec!["the user was created before the deploy (see above); permission set assignments are data, not metadata".to_string()],
            )
        } else {
            (
                format!("Create the integration user {username} and assign its permission sets"),
                vec![super::delivery_steps::INTEGRATION_USER_LICENCE.to_string()],
            )
        };
        details.push("assign the permission sets once the user exists and the deploy has succeeded".to_string());
        steps.push(Step { id: "integration-user", title, details, commands });
    }
    let unassigned: Vec<&str> =
        project.permission_sets.iter().map(|p| p.name.as_str()).filter(|n| !assigned.contains(n)).collect();
    if !unassigned.is_empty() {
        steps.push(Step {
            id: "assign-permission-sets",
            title: format!(
                "Assign the permission set{} {} to the users who need {}",
                if unassigned.len() == 1 { "" } else { "s" },
                unassigned.join(", "),
                if unassigned.len() == 1 { "it" } else { "them" }
            ),
            details: vec![
                "after the deploy; as printed, the command assigns them to the user you are logged in as: add --on-behalf-of USERNAME (repeatable) for others".to_string(),
            ],
            commands: vec![format!(
                "sf org assign permset{} {target}",
                unassigned.iter().map(|s| format!(" --name {}", quote(s))).collect::<String>()
            )],
        });
    }

    let flags = sfgen_flags(project, api_version);
    steps.push(Step {
        id: "later-diff",
        title: "Later: compare the org with the config before the next deploy".to_string(),
        details: vec!["retrieve what sfgen manages (sf writes org-retrieve/unpackaged.zip), then diff it".to_string()],
        commands: vec![
            format!("sfgen manifest{flags} > package.xml"),
            format!("sf project retrieve start --manifest package.xml --target-metadata-dir org-retrieve {target}"),
            format!("sfgen diff{flags} --org org-retrieve/unpackaged.zip"),
        ],
    });
    steps
}

/// The steps as text.
pub fn render_text(steps: &[Step]) -> String {
    let mut out = String::from("\nNext steps (what metadata cannot do):\n");
    for (n, s) in steps.iter().enumerate() {
        let _ = writeln!(out, "{:>2}. {}", n + 1, s.title);
        for d in &s.details {
            let _ = writeln!(out, "      {d}");
        }
        for c in &s.commands {
            let _ = writeln!(out, "      $ {c}");
        }
    }
    out
}
