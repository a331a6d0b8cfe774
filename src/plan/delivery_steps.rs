//! The next steps of the webhook's delivery machinery and of the OAuth apps (External Client
//! Apps and legacy Connected Apps), kept apart from [`super::next_steps`] so that each section's
//! steps read in one place. `next_steps` calls [`before_deploy`], [`webhook`] and [`oauth_apps`].

use crate::model::{CalloutTarget, Project};
use crate::section::oauth_app::PermittedUsers;
use crate::shell::quote;

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

/// Anonymous Apex, as a command that runs as printed: the code goes into `<name>.apex` in the
/// current folder, which `sf apex run --file` runs (without `--file`, sf waits for typed input
/// when its standard input is a terminal, and a pasted pipe is easy to get wrong).
fn apex(name: &str, code: &str, target: &str) -> String {
    let file = quote(&format!("{name}.apex"));
    format!("printf '%s\\n' {} > {file} && sf apex run --file {file} {target}", quote(code))
}

/// What the Salesforce Integration user licence asks of a new integration user (Salesforce Help,
/// "Give Integration Users API Only Access"): its profile and the permission set licence its
/// permission sets build on.
pub const INTEGRATION_USER_LICENCE: &str = "Setup > Users > New User: User License \"Salesforce Integration\", Profile \"Minimum Access - API Only Integrations\"; then, on the user, Permission Set License Assignments > Edit Assignments > \"Salesforce API Integration\" (the permission set licence that lets its permission sets grant API and object access; users are data, not metadata)";

/// When the OAuth username-password flow stops working for Connected Apps (Salesforce Help
/// 005461976: enforced on 20 February 2027, with no extension).
pub use crate::sf::oauth::USERNAME_PASSWORD_RETIREMENT;

/// Steps that must happen before the deploy: the org must let the deploy reach the External
/// Client Apps' OAuth settings, and the client credentials flow's run-as user must exist, or
/// the deploy of the app's policies is refused.
pub fn before_deploy(project: &Project) -> Vec<Step> {
    let mut steps = Vec::new();
    let ecas: Vec<&str> = project.connected_apps.iter().filter(|a| !a.legacy).map(|a| a.label.as_str()).collect();
    if !ecas.is_empty() {
        steps.push(Step {
            id: "eca-deploy-access",
            title: format!("Before deploying, let the deploy write the External Client App{} {}", if ecas.len() == 1 { "" } else { "s" }, ecas.join(", ")),
            details: vec![
                "in Setup, turn on the org setting \"Allow Access to OAuth Consumer Secrets via Metadata API\" (External Client App Settings)".to_string(),
                "give the user who deploys the user permission \"View External Client Apps Consumer Secrets in Metadata\" (in a permission set assigned to that user)".to_string(),
                "without both, the deploy refuses the apps' global OAuth settings (Metadata API Developer Guide, ExtlClntAppGlobalOauthSettings and ExtlClntAppOauthSettings: Special Access Rules)".to_string(),
            ],
            commands: vec![],
        });
    }
    for app in project.connected_apps.iter().filter(|a| !a.legacy) {
        if let Some(user) = &app.client_credentials_user {
            steps.push(Step {
                id: "eca-run-as-user",
                title: format!("Before deploying, create the integration user {user}"),
                details: vec![
                    format!("the External Client App {}'s client credentials flow runs as this user, and the deploy refuses a user that does not exist", app.label),
                    INTEGRATION_USER_LICENCE.to_string(),
                ],
                commands: vec![],
            });
        }
    }
    steps
}

/// The webhook's steps before the deploy: the delivery user must exist (the wake trigger's
/// subscriber config names it), and a redeploy over a running webhook needs the deployment
/// setting that lets classes with pending jobs be deployed.
pub fn webhook_before_deploy(project: &Project) -> Vec<Step> {
    let Some(w) = &project.webhook else { return Vec::new() };
    let mut steps = Vec::new();
    if let Some(user) = &w.run_as_user {
        steps.push(Step {
            id: "webhook-delivery-user",
            title: format!("Before deploying, create the delivery user {user}"),
            details: vec![
                format!("the {0}_Wake subscriber config (PlatformEventSubscriberConfig) runs the {0}WakeTrigger trigger as this user, so every delivery job runs as it; the deploy refuses a user that does not exist", w.class_name),
                INTEGRATION_USER_LICENCE.to_string(),
            ],
            commands: vec![],
        });
    }
    steps.push(Step {
        id: "webhook-redeploy",
        title: "Before redeploying over a running webhook, allow deployments with pending Apex jobs".to_string(),
        details: vec![
            "Setup > Deployment Settings > \"Allow deployments of components when corresponding Apex jobs are pending or in progress\" (not needed for the first deploy)".to_string(),
            format!(
                "the hourly sweep ({0}Sweep) is a scheduled job and retries wait in queued {0}Job jobs; the Metadata API refuses to update a class with pending jobs unless this is on (ApexClass, Metadata API Developer Guide)",
                w.class_name
            ),
            format!(
                "neither class refers to another class ({0}Job reaches {0}Delivery by name) and their text never changes, so the delivery code itself stays deployable and a delta from `sfgen diff --delta-out` leaves them out",
                w.class_name
            ),
        ],
        commands: vec![],
    });
    steps
}

/// The webhook's steps: who watches the outbox, the hourly sweep, sandboxes, the endpoint and
/// its secrets. `target` is the `--target-org` flag with its value ([`super::deploy::Org::flag`]).
pub fn webhook(project: &Project, target: &str) -> Vec<Step> {
    let Some(w) = &project.webhook else { return Vec::new() };
    let vendor = project.integration.vendor.clone().unwrap_or_else(|| "the external service".to_string());
    let admin = &w.admin_class_name;
    let delivery_user = match &w.run_as_user {
        Some(u) => format!("the delivery user {u}"),
        None => "the Automated Process user".to_string(),
    };
    let mut steps = vec![
        Step {
            id: "webhook-sweep",
            title: "Schedule the hourly delivery sweep (once per org)".to_string(),
            details: vec![
                format!("it wakes the delivery ({delivery_user}) for retries that are due and tidies the outbox; scheduling again returns the scheduled job"),
                format!("check it in Setup > Scheduled Jobs: \"sfgen {} delivery sweep\"", w.class_name),
            ],
            commands: vec![apex(&format!("{}-schedule-sweep", w.class_name), &format!("{admin}.scheduleHourlySweep();"), target)],
        },
        Step {
            id: "webhook-admins",
            title: format!("Let the admins who watch deliveries see the {} outbox", w.class_name),
            details: vec![
                format!(
                    "App Launcher > {} Deliveries: list views \"Pending deliveries\" and \"Failed deliveries (dead letters)\"",
                    w.class_name
                ),
                format!("replay the dead letters once the endpoint works again: {admin}.replayDeadLetters() (or set Status to Pending)"),
                format!("pause and resume sending: {admin}.pause() / {admin}.resume() (changes are kept while paused)"),
            ],
            commands: vec![
                format!("sf org assign permset --name {} {target}", w.admin_permission_set),
                apex(&format!("{}-replay", w.class_name), &format!("{admin}.replayDeadLetters();"), target),
            ],
        },
        Step {
            id: "webhook-sandbox",
            title: "When creating or refreshing a sandbox, name the post-copy class".to_string(),
            details: vec![
                format!("Setup > Sandboxes > New / Refresh > Apex Class: {admin}; the sandbox then keeps changes but sends nothing"),
                format!(
                    "even without it, a sandbox copied from production does not send: the outbox is bound to the org that first delivered ({}.Org_Id__c)",
                    w.settings_object
                ),
                format!("in the sandbox, deploy with --env sandbox (its endpoint), then run {admin}.resume()"),
            ],
            commands: vec![apex(&format!("{}-resume", w.class_name), &format!("{admin}.resume();"), target)],
        },
    ];
    match (&w.target, &w.endpoint_type) {
        (CalloutTarget::Endpoint(url), Some(ty)) => steps.push(Step {
            id: "webhook-endpoint",
            title: format!("The endpoint is metadata: {}.Default", ty.trim_end_matches("__mdt")),
            details: vec![
                format!("this deploy posts to {url}; each environment deploys its own record (--env), the Apex is the same everywhere"),
                format!("Setup > Custom Metadata Types > {} Endpoint > Manage Records shows it", w.class_name),
            ],
            commands: vec![],
        }),
        (CalloutTarget::NamedCredential { name, .. }, _) if !project.named_credentials.iter().any(|n| &n.name == name) => {
            steps.push(Step {
                id: "named-credential",
                title: format!("Make sure the org holds the Named Credential {name}"),
                details: vec![
                    format!("the webhook calls callout:{name}; sfgen does not generate it"),
                    format!("{delivery_user} must be allowed to use its credential"),
                ],
                commands: vec![],
            })
        }
        _ => {}
    }
    for n in &project.named_credentials {
        let Some(ec) = &n.external_credential else { continue };
        let mut details = Vec::new();
        let mut secrets = Vec::new();
        if let Some(h) = &ec.header {
            secrets.push(format!("ApiKey ({vendor}'s API key, sent as the {h} header)"));
        }
        if let Some(s) = w.signing.as_ref().filter(|s| s.external_credential == ec.name) {
            secrets.push(format!(
                "SigningKey (the key the {} signature is computed with, written as {} of its bytes; share it with {vendor} over a secure channel)",
                s.header,
                s.key_encoding.as_str()
            ));
        }
        details.push(format!(
            "Setup > Named Credentials > External Credentials > {} > Principals > {} > Edit > Authentication Parameters: add {}; never in a file",
            ec.label,
            ec.principal,
            secrets.join(" and ")
        ));
        let mut commands = Vec::new();
        match &w.run_as_user {
            Some(user) => {
                details.push(format!(
                    "only {user} needs {}_Sender (the principal's access): every delivery job runs as that user",
                    w.class_name
                ));
                commands.push(format!(
                    "sf org assign permset --name {}_Sender --on-behalf-of {} {target}",
                    w.class_name,
                    quote(user)
                ));
            }
            None => details.push(format!("assign {}_Sender to the user the delivery runs as", w.class_name)),
        }
        steps.push(Step {
            id: "external-credential-secret",
            title: format!("Enter the secrets of the External Credential {}", ec.name),
            details,
            commands,
        });
    }
    if let Some(s) = &w.signing {
        steps.push(Step {
            id: "signing-key",
            title: format!("Tell {vendor} how requests are signed"),
            details: vec![
                format!(
                    "{} is the hex HMAC-SHA256 of the exact body with the SigningKey of {}; the body's sentAt (also in {}) is the Unix time of the attempt: refuse requests older than five minutes",
                    s.header, s.external_credential, s.timestamp_header
                ),
                "until the key is entered, Salesforce cannot compute the signature: deliveries are retried and end as dead letters".to_string(),
            ],
            commands: vec![],
        });
    }
    steps
}

/// The OAuth apps' steps: what the vendor must be given and where to find it.
pub fn oauth_apps(project: &Project) -> Vec<Step> {
    let i = &project.integration;
    let vendor = i.vendor.clone().unwrap_or_else(|| "the external service".to_string());
    let domain = i.org_domain.clone().unwrap_or_else(|| "https://<your-domain>.my.salesforce.com".to_string());
    let mut steps = Vec::new();
    for app in &project.connected_apps {
        if app.legacy {
            let mut details = vec![
                "creating a new Connected App needs Salesforce Support to enable it for the org since Spring '26 (Salesforce Help 005228017)".to_string(),
                format!("Setup > App Manager > {} > View > Manage Consumer Details (new apps take up to 10 minutes to be usable)", app.label),
                "copy the Consumer Key and Consumer Secret into the vendor's setup page; never into a file, ticket or chat".to_string(),
            ];
            if project.settings.allow_username_password_flow == Some(true) {
                details.push(USERNAME_PASSWORD_RETIREMENT.to_string());
            }
            steps.push(Step {
                id: "connected-app-secret",
                title: format!("Hand {vendor} the Connected App {}'s consumer key and secret", app.label),
                details,
                commands: vec![],
            });
            continue;
        }
        let mut details = vec![
            format!(
                "Setup > External Client App Manager > {} > Edit Settings > OAuth Settings > Consumer Key and Secret (needs the permission \"View all External Client Apps, view their settings, and edit their policies\")",
                app.label
            ),
            "copy both into the vendor's setup page; never into a file, ticket or chat (sfgen writes neither: Salesforce assigns them)".to_string(),
            format!("token endpoint: {}/services/oauth2/token", domain.trim_end_matches('/')),
        ];
        match &app.client_credentials_user {
            Some(user) => details.push(format!(
                "server to server: grant_type=client_credentials with the key and secret; tokens are issued for {user} (the username-password flow is not available to External Client Apps)"
            )),
            None => details.push(format!(
                "users sign in with the authorization code flow (callback {}){}; {}",
                app.callback_urls.join(", "),
                if app.require_pkce { ", with PKCE" } else { "" },
                match (app.permitted_users, app.permission_sets.is_empty()) {
                    (PermittedUsers::AllSelfAuthorized, _) => "any user who authorises the app may use it".to_string(),
                    (PermittedUsers::AdminApproved, true) => {
                        "the app admits only pre-authorised users: assign it to a permission set or profile in Setup first".to_string()
                    }
                    (PermittedUsers::AdminApproved, false) => format!(
                        "the app admits only users pre-authorised through the permission set{} {}",
                        if app.permission_sets.len() == 1 { "" } else { "s" },
                        app.permission_sets.join(" or ")
                    ),
                }
            )),
        }
        steps.push(Step {
            id: "eca-consumer-key",
            title: format!("Hand {vendor} the External Client App {}'s consumer key and secret", app.label),
            details,
            commands: vec![],
        });
    }
    steps
}
