//! The steps metadata cannot do, printed after `generate` and `package` with the values
//! filled in from the config: secrets to copy by hand, users to create, packages to install,
//! and the exact `sf` commands to validate, deploy and later retrieve for `sfgen diff`.

use crate::cli::Format;
use crate::model::{shell_quote as quote, Project};
use std::fmt::Write as _;
use std::path::Path;

/// What was produced, so deploy commands can point at it.
pub enum Artefact<'a> {
    /// A folder written by `generate`.
    Folder {
        /// The folder.
        path: &'a Path,
        /// Its layout.
        format: Format,
    },
    /// A zip written by `package`.
    Zip {
        /// The zip.
        path: &'a Path,
    },
}

/// One manual step.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    /// Stable identifier (`deploy`, `connected-app-secret`, ...).
    pub id: &'static str,
    /// What to do, in one line.
    pub title: String,
    /// Details, one line each.
    pub details: Vec<String>,
    /// Commands to run, exactly.
    pub commands: Vec<String>,
}

const ORG: &str = "<org-alias>";

/// The manual steps for `project`, for the artefact just produced.
pub fn next_steps(project: &Project, artefact: Artefact<'_>) -> Vec<Step> {
    let mut steps = Vec::new();
    let i = &project.integration;
    let vendor = i.vendor.clone().unwrap_or_else(|| "the external service".to_string());
    let domain = i.org_domain.clone().unwrap_or_else(|| "https://<your-domain>.my.salesforce.com".to_string());

    if let Some(id) = &i.managed_package_id {
        steps.push(Step {
            id: "install-package",
            title: format!("Install {vendor}'s managed package before deploying"),
            details: vec![format!(
                "Open {}/packaging/installPackage.apexp?p0={id} as a System Administrator",
                domain.trim_end_matches('/')
            )],
            commands: vec![format!("sf package install --package {id} --target-org {ORG} --wait 20")],
        });
    }

    let tests = project.test_classes();
    let (target, single) = match &artefact {
        Artefact::Folder { path, format: Format::Source } => {
            (format!("--source-dir {}", quote(&path.join("force-app").to_string_lossy())), "")
        }
        Artefact::Folder { path, format: Format::Mdapi } => {
            (format!("--metadata-dir {}", quote(&path.to_string_lossy())), "")
        }
        Artefact::Zip { path } => (format!("--metadata-dir {}", quote(&path.to_string_lossy())), " --single-package"),
    };
    let test_flags = if tests.is_empty() {
        " --test-level NoTestRun".to_string()
    } else {
        format!(" --test-level RunSpecifiedTests{}", tests.iter().map(|t| format!(" --tests {t}")).collect::<String>())
    };
    // Steps that must come first (src/ops/delivery_steps.rs).
    steps.extend(super::delivery_steps::before_deploy(project));
    steps.push(Step {
        id: "deploy",
        title: "Validate, then deploy".to_string(),
        details: vec![
            "validate first: it runs the tests without changing the org and returns a job id".to_string(),
            "then deploy (or `sf project deploy quick --job-id <id>` within 10 days of a successful validation)"
                .to_string(),
        ],
        commands: vec![
            format!("sf project deploy validate {target}{single}{test_flags} --target-org {ORG}"),
            format!("sf project deploy start {target}{single}{test_flags} --target-org {ORG}"),
        ],
    });

    // The webhook's and the OAuth apps' own steps (src/ops/delivery_steps.rs).
    steps.extend(super::delivery_steps::webhook(project));
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
    steps.push(Step {
        id: "tell-vendor",
        title: format!("Tell {vendor} where to connect"),
        details: facts,
        commands: vec![],
    });

    if let Some((username, sets)) = &i.integration_user {
        let mut commands = Vec::new();
        if !sets.is_empty() {
            commands.push(format!(
                "sf org assign permset{} --on-behalf-of {} --target-org {ORG}",
                sets.iter().map(|s| format!(" --name {s}")).collect::<String>(),
                quote(username)
            ));
        }
        steps.push(Step {
            id: "integration-user",
            title: format!("Create the integration user {username} and assign its permission sets"),
            details: vec!["users and assignments are data, not metadata: Setup > Users > New User (an API-only profile or license fits)".to_string()],
            commands,
        });
    }

    steps.push(Step {
        id: "later-diff",
        title: "Later: compare the org with the config before the next deploy".to_string(),
        details: vec!["retrieve what sfgen manages, then diff it".to_string()],
        commands: vec![
            format!("sfgen manifest{} > package.xml", project.config_flags()),
            format!("sf project retrieve start --manifest package.xml --target-metadata-dir org-retrieve --target-org {ORG}"),
            format!("sfgen diff{} --org org-retrieve", project.config_flags()),
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
