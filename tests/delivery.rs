//! Issue 20: the generated webhook reviewed as a production pull request. One regression test
//! per finding (and the environments overlay), each failing on the output before the redesign
//! and passing after; the test names say which finding they pin.

mod support;
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::sfgen_in;

fn fixture(case: &str) -> PathBuf {
    support::fixture(case).join("sfgen.json")
}

/// `generate --json` of `config` into `dir/out`: the envelope.
fn generate_json(dir: &Path, config: &Path, extra: &[&str]) -> Value {
    let out = dir.join("out");
    let mut args =
        vec!["generate", "--json", "-c", config.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")];
    args.extend_from_slice(extra);
    let o = sfgen_in(dir, &args);
    assert!(o.success(), "{}", o.stderr);
    o.json()
}

/// The next steps of a `--json` envelope.
fn steps(v: &Value) -> Vec<Value> {
    v["result"]["nextSteps"].as_array().expect("nextSteps").clone()
}

/// All the text of the next steps (titles and details), one line each.
fn steps_text(v: &Value) -> String {
    let mut out = String::new();
    for s in steps(v) {
        out.push_str(s["title"].as_str().unwrap_or_default());
        out.push('\n');
        for d in s["details"].as_array().into_iter().flatten() {
            out.push_str(d.as_str().unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

/// A config written into `dir` from `json`.
fn config(dir: &Path, json: &Value) -> PathBuf {
    let p = dir.join("sfgen.json");
    std::fs::write(&p, serde_json::to_string_pretty(json).expect("json")).expect("write");
    p
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Finding 9: External Client Apps deploy only where the org lets the Metadata API reach their
/// OAuth settings and the deploying user may see consumer secrets in metadata (the Special
/// Access Rules of ExtlClntAppGlobalOauthSettings / ExtlClntAppOauthSettings).
#[test]
fn finding_09_eca_deploy_prerequisites_come_before_the_deploy() {
    for case in ["contact-webhook", "integration-user"] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let v = generate_json(tmp.path(), &fixture(case), &[]);
        let ids: Vec<String> = steps(&v).iter().map(|s| s["id"].as_str().unwrap_or_default().to_string()).collect();
        let access = ids.iter().position(|i| i == "eca-deploy-access").unwrap_or_else(|| panic!("{case}: {ids:?}"));
        let deploy = ids.iter().position(|i| i == "deploy").expect("deploy step");
        assert!(access < deploy, "{case}: the prerequisites come first: {ids:?}");
        let text = steps_text(&v);
        assert!(text.contains("Allow Access to OAuth Consumer Secrets via Metadata API"), "{case}: {text}");
        assert!(text.contains("View External Client Apps Consumer Secrets in Metadata"), "{case}: {text}");
    }
}

/// Finding 10: guide B's preset named the record type `Case.Order`, which the package does not
/// hold: the deploy fails in every org without it. Every record type a preset's permission set
/// names must be defined in the package itself.
#[test]
fn finding_10_guide_b_preset_names_no_record_type_the_package_lacks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = sfgen_in(tmp.path(), &["init", "--preset", "integration-user"]);
    assert!(o.success(), "{}", o.stderr);
    let o = sfgen_in(tmp.path(), &["generate", "--format", "mdapi", "--out", "out"]);
    assert!(o.success(), "{}", o.stderr);
    let out = tmp.path().join("out");
    let mut named = 0;
    for entry in std::fs::read_dir(out.join("permissionsets")).expect("permissionsets") {
        let text = read(&entry.expect("entry").path());
        for rt in text.split("<recordType>").skip(1).filter_map(|r| r.split('<').next()) {
            named += 1;
            let (object, name) = rt.split_once('.').expect("Object.RecordType");
            let object_file = out.join("objects").join(format!("{object}.object"));
            let defined = object_file.is_file() && read(&object_file).contains(&format!("<fullName>{name}</fullName>"));
            assert!(
                defined,
                "the preset's permission set names the record type {rt}, which the package does not define"
            );
        }
    }
    assert_eq!(named, 0, "guide B's preset defines no record type, so it names none");
}

/// Finding 10, the check: a record type or object a permission set names that the package does
/// not hold is a warning naming it (the target org may hold it), from `check` and from
/// `generate`; a record type of an object the package itself defines is an error (exit 2,
/// nothing written), since the deploy then fails in every org.
#[test]
fn finding_10_record_types_and_objects_the_package_lacks_are_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    assert!(sfgen_in(tmp.path(), &["init", "--preset", "integration-user"]).success());
    let path = tmp.path().join("sfgen.json");
    let mut v: Value = serde_json::from_str(&read(&path)).expect("preset json");
    v["permissionSets"][0]["recordTypes"] = serde_json::json!(["Case.Order"]);
    v["permissionSets"][0]["objects"]["Invoice__c"] = serde_json::json!(["read"]);
    std::fs::write(&path, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    for verb in [&["check"][..], &["generate", "--out", "out"][..]] {
        let o = sfgen_in(tmp.path(), verb);
        assert_eq!(o.code, 0, "{verb:?}: warnings only: {}", o.stderr);
        for named in ["record type Case.Order is not in the package", "object Invoice__c is not defined by the package"]
        {
            assert!(
                o.stderr.lines().any(|l| l.starts_with("warning: sfgen.json:") && l.contains(named)),
                "{verb:?}: {named}: {}",
                o.stderr
            );
        }
    }

    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v: Value = serde_json::from_str(&read(&fixture("contact-webhook"))).expect("fixture json");
    v["permissionSets"][0]["recordTypes"] = serde_json::json!(["Webhook_Outbox__c.Urgent"]);
    config(tmp.path(), &v);
    for verb in [&["check"][..], &["generate", "--out", "out"][..]] {
        let o = sfgen_in(tmp.path(), verb);
        assert_eq!(o.code, 2, "{verb:?}: {}", o.stderr);
        assert!(
            o.stderr.contains(
                "record type Webhook_Outbox__c.Urgent is not in the package, which defines Webhook_Outbox__c"
            ),
            "{verb:?}: {}",
            o.stderr
        );
    }
    assert!(!tmp.path().join("out").exists(), "nothing is written");
}

/// Finding 12: a legacy Connected App with the username-password flow stops working on
/// 20 February 2027 (Salesforce Help 005461976); the config says so when it is read, and the
/// next steps say so beside the consumer key.
#[test]
fn finding_12_username_password_flow_retirement_is_announced() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = config(
        tmp.path(),
        &serde_json::json!({
            "apiVersion": "66.0",
            "oauthApps": [{ "name": "Old_App", "contactEmail": "a@example.com", "callbackUrls": ["https://x.example.com/cb"],
                            "scopes": ["Api"], "legacyConnectedApp": true }],
            "settings": { "oauth": { "allowUsernamePasswordFlow": true } }
        }),
    );
    let v = generate_json(tmp.path(), &cfg, &[]);
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("20 February 2027") && warnings.contains("005461976"), "{warnings}");
    let text = steps_text(&v);
    assert!(text.contains("20 February 2027"), "{text}");
}

/// Finding 14: least privilege by default: PKCE required and refresh tokens that expire
/// unless the config says otherwise (with the reason in the schema), and a warning on the
/// `Full` scope.
#[test]
fn finding_14_pkce_and_refresh_token_expiry_by_default() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = config(
        tmp.path(),
        &serde_json::json!({
            "apiVersion": "66.0",
            "oauthApps": [{ "name": "App", "contactEmail": "a@example.com", "callbackUrls": ["https://x.example.com/cb"],
                            "scopes": ["Api", "RefreshToken"], "preAuthorizedPermissionSets": ["Vendor_Users"] }]
        }),
    );
    let v = generate_json(tmp.path(), &cfg, &["--format", "mdapi"]);
    assert_eq!(v["warnings"], serde_json::json!([]), "{v:#}");
    let out = tmp.path().join("out");
    let global = read(&out.join("extlClntAppGlobalOauthSets/App_glbloauth.ecaGlblOauth"));
    assert!(global.contains("<isPkceRequired>true</isPkceRequired>"), "{global}");
    let policy = read(&out.join("extlClntAppOauthPolicies/App_oauthPlcy.ecaOauthPlcy"));
    assert!(policy.contains("<refreshTokenPolicyType>SpecificInactivity</refreshTokenPolicyType>"), "{policy}");
    assert!(policy.contains("<refreshTokenValidityPeriod>90</refreshTokenValidityPeriod>"), "{policy}");

    let schema = sfgen_in(tmp.path(), &["schema"]).stdout;
    assert!(schema.contains("RFC 7636"), "the schema says why PKCE is on");
    assert!(schema.contains("least privilege"), "the schema says why refresh tokens expire");

    let v = generate_json(tmp.path(), &fixture("integration-user"), &[]);
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("oauthApps[0].scopes[0]") && warnings.contains("\\\"Full\\\""), "{warnings}");
}

/// Finding 16: an integration user needs the Salesforce Integration user licence and the
/// "Salesforce API Integration" permission set licence (Help: Give Integration Users API Only
/// Access); guide B's next steps create that user once, not twice (issue 21, item 11).
#[test]
fn finding_16_integration_user_licence_and_one_creation_step() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = generate_json(tmp.path(), &fixture("integration-user"), &[]);
    let text = steps_text(&v);
    assert!(text.contains("Salesforce API Integration"), "{text}");
    assert!(text.contains("Minimum Access - API Only Integrations"), "{text}");
    let creations = text.to_lowercase().matches("create the integration user").count();
    assert_eq!(creations, 1, "guide B creates its integration user once:\n{text}");
    // Guide A has no client credentials flow: its integration user step creates the user.
    let v = generate_json(tmp.path(), &fixture("contact-webhook"), &[]);
    let text = steps_text(&v);
    assert!(text.contains("Create the integration user contact-centre@acme.example.com"), "{text}");
    assert!(text.contains("Salesforce API Integration"), "{text}");
}

/// Email-to-Case is turned on by metadata, but its routing addresses are data: the next steps
/// say where to add them.
#[test]
fn email_to_case_routing_addresses_are_a_next_step() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = generate_json(tmp.path(), &fixture("integration-user"), &[]);
    assert!(steps(&v).iter().any(|s| s["id"] == "email-to-case-routing"), "{v:#}");
    assert!(steps_text(&v).contains("routing address"));
}

/// Issue 21, item 11: the consumer-key step of an authorization-code app ended mid-sentence
/// ("only users holding Contact_Centre_Integration may").
#[test]
fn consumer_key_step_ends_with_a_whole_sentence() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = generate_json(tmp.path(), &fixture("contact-webhook"), &[]);
    let step = steps(&v).into_iter().find(|s| s["id"] == "eca-consumer-key").expect("eca-consumer-key");
    for d in step["details"].as_array().expect("details") {
        let d = d.as_str().unwrap_or_default();
        assert!(!d.ends_with(" may") && !d.ends_with(" holding"), "unfinished sentence: {d}");
    }
    let text = step["details"].to_string();
    assert!(text.contains("pre-authorised through the permission set Contact_Centre_Integration"), "{text}");
}

/// The environments overlay: a patch that changes a value compiled into the Apex (here
/// `webhook.timeoutMs`) made production's Apex differ from the Apex the sandbox tested. It is
/// refused, for every `--env` (and without one), naming the JSON path; values kept in metadata
/// (the endpoint) may still differ, and then the Apex is byte-identical.
#[test]
fn overlay_that_would_change_the_apex_is_refused_with_its_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cfg: Value = serde_json::from_str(&read(&fixture("contact-webhook"))).expect("json");
    cfg["environments"]["sandbox"]["webhook"]["timeoutMs"] = serde_json::json!(5000);
    cfg["environments"]["sandbox"]["webhook"]["objects"] = serde_json::json!([{ "sobject": "Lead" }]);
    cfg["environments"]["production"] = serde_json::json!({ "apiVersion": "65.0" });
    let path = config(tmp.path(), &cfg);
    for env in [None, Some("sandbox"), Some("production")] {
        let mut args = vec!["generate", "--json", "-c", path.to_str().expect("utf8"), "--out", "out"];
        if let Some(e) = env {
            args.extend(["--env", e]);
        }
        let o = sfgen_in(tmp.path(), &args);
        assert_eq!(o.code, 2, "{env:?}: {}", o.stdout);
        let v = o.json();
        let paths: Vec<&str> = v["data"].as_array().expect("data").iter().filter_map(|d| d["path"].as_str()).collect();
        for want in [
            "environments.sandbox.webhook.timeoutMs",
            "environments.sandbox.webhook.objects",
            "environments.production.apiVersion",
        ] {
            assert!(paths.contains(&want), "{env:?}: {want} not refused: {paths:?}");
        }
        assert!(!tmp.path().join("out").exists(), "nothing is written");
    }
    // The preset's own overlay changes only metadata: every Apex file is byte-identical.
    let base = tempfile::tempdir().expect("tempdir");
    let sandbox = tempfile::tempdir().expect("tempdir");
    let cfg = fixture("contact-webhook");
    for (dir, env) in [(base.path(), None), (sandbox.path(), Some("sandbox"))] {
        let mut args = vec!["generate", "-q", "--format", "mdapi", "-c", cfg.to_str().expect("utf8"), "--out", "out"];
        if let Some(e) = env {
            args.extend(["--env", e]);
        }
        assert!(sfgen_in(dir, &args).success());
    }
    let apex = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        support::read_tree(&dir.join("out"))
            .into_iter()
            .filter(|(p, _)| p.starts_with("classes/") || p.starts_with("triggers/"))
            .collect()
    };
    let (a, b) = (apex(base.path()), apex(sandbox.path()));
    assert!(!a.is_empty());
    assert_eq!(a, b, "the sandbox and production deploy the same Apex");
}

/// The Apex classes and triggers `config` generates (mdapi), by name, with whether each is a
/// test class (`@IsTest`).
fn generated_apex(config: &Path) -> std::collections::BTreeMap<String, (String, bool)> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = sfgen_in(
        tmp.path(),
        &["generate", "-q", "--format", "mdapi", "-c", config.to_str().expect("utf8"), "--out", "out"],
    );
    assert!(o.success(), "{}", o.stderr);
    let mut out = std::collections::BTreeMap::new();
    for (path, bytes) in support::read_tree(&tmp.path().join("out")) {
        let name = path.rsplit('/').next().unwrap_or_default();
        let name = name.strip_suffix(".cls").or_else(|| name.strip_suffix(".trigger"));
        if let Some(name) = name {
            let text = String::from_utf8(bytes).expect("utf8");
            let is_test = text.lines().any(|l| l.trim().eq_ignore_ascii_case("@IsTest"));
            out.insert(name.to_string(), (text, is_test));
        }
    }
    out
}

/// The code of a source: comments removed, so a test reads what runs, not what is said.
fn code(source: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// Finding 1: a test set `simulate = 'no-slot'`, which the class never read, so it tested
/// nothing. Every static a test sets on a production class is read by that class, and a string
/// a test sets it to is one the class compares with.
#[test]
fn finding_01_every_seam_a_test_sets_is_read_by_the_code_it_steers() {
    for case in ["contact-webhook", "signed-webhook"] {
        let apex = generated_apex(&fixture(case));
        let mut seams = 0;
        for (test, (source, is_test)) in &apex {
            if !is_test {
                continue;
            }
            for line in code(source).lines() {
                let Some((lhs, rhs)) = line.trim().split_once(" = ") else { continue };
                if lhs.contains(' ') {
                    continue;
                }
                let Some((class, field)) = lhs.split_once('.') else { continue };
                let Some((prod, false)) = apex.get(class).map(|(s, t)| (code(s), *t)) else { continue };
                seams += 1;
                let reads = prod.matches(field).count();
                assert!(reads >= 2, "{case}: {test} sets {class}.{field}, which {class} declares but never reads");
                let value = rhs.trim_end_matches(';').trim();
                if value.starts_with('\'') {
                    assert!(
                        prod.contains(value),
                        "{case}: {test} sets {class}.{field} = {value}, a value {class} never compares with"
                    );
                }
            }
        }
        assert!(seams > 0, "{case}: the tests steer the code through seams it reads");
        let production: String = apex.values().filter(|(_, t)| !t).map(|(s, _)| code(s)).collect();
        assert!(!production.contains("simulate"), "{case}: no simulation switch in production code");
    }
}

/// Finding 2: the sweep test scheduled the job under the name the admin's next step schedules;
/// tests see CronTrigger rows, so once the sweep ran in the org every later deploy's tests
/// failed. No test schedules anything itself, and scheduling the sweep returns the job already
/// scheduled instead of scheduling a second.
#[test]
fn finding_02_no_test_depends_on_the_orgs_scheduled_jobs() {
    let apex = generated_apex(&fixture("contact-webhook"));
    for (name, (source, is_test)) in &apex {
        if *is_test {
            assert!(!code(source).contains("System.schedule("), "{name} schedules a job itself");
        }
    }
    let admin = code(&apex["WebhookAdmin"].0);
    let query = admin
        .find("FROM CronTrigger WHERE CronJobDetail.Name = :SWEEP_JOB_NAME")
        .expect("the admin looks for the scheduled sweep");
    let schedule = admin.find("System.schedule(SWEEP_JOB_NAME").expect("and schedules it");
    assert!(query < schedule, "the sweep is scheduled only when no job of that name exists");
}

/// Finding 3: several delivery chains sent the same rows (chained jobs without a duplicate
/// signature, no claim), and a failed job rolled back its bookkeeping. Now every enqueue carries
/// one duplicate signature, rows are leased under FOR UPDATE before a job may send them, the
/// job itself writes nothing (its finalizer does, in its own transaction), and no job writes
/// the settings row every job used to upsert.
#[test]
fn finding_03_one_chain_leased_rows_and_bookkeeping_that_survives_the_job() {
    let apex = generated_apex(&fixture("contact-webhook"));
    let production: Vec<(&String, String)> =
        apex.iter().filter(|(_, (_, t))| !t).map(|(n, (s, _))| (n, code(s))).collect();
    let enqueues: Vec<&String> =
        production.iter().filter(|(_, s)| s.contains("System.enqueueJob(")).map(|(n, _)| *n).collect();
    assert_eq!(enqueues, ["WebhookDelivery"], "jobs are queued in one place");
    let delivery = code(&apex["WebhookDelivery"].0);
    assert!(
        delivery.contains(
            "options.DuplicateSignature = new QueueableDuplicateSignature.Builder().addString(SIGNATURE).build();"
        ),
        "every job carries the signature"
    );
    let outbox = code(&apex["WebhookOutbox"].0);
    let lease = &outbox[outbox.find("public static Integer lease(").expect("lease")..];
    assert!(
        lease[..lease.find("return rows.size()").expect("end")].contains("FOR UPDATE"),
        "leases are taken under a lock"
    );
    let send = &delivery
        [delivery.find("public void send(").expect("send")..delivery.find("public void settle(").expect("settle")];
    assert!(send.contains(".leased(job.token)"), "a job sends only the rows leased to it");
    for dml in ["insert ", "update ", "upsert ", "delete ", "Database."] {
        assert!(!send.contains(dml), "the job itself makes no DML ({dml}): a failure cannot roll back its bookkeeping");
    }
    let bind = &outbox[outbox.find("public static Boolean bindToOrg()").expect("bindToOrg")..];
    let bind = &bind[..bind.find("return ").expect("end of bindToOrg")];
    assert!(
        bind.contains("Boolean unbound = String.isBlank(settings.Org_Id__c);")
            && bind.contains("unbound ? Database.upsert(settings, false, AccessLevel.SYSTEM_MODE) : null"),
        "the settings row is written once, not by every job: {bind}"
    );
}

/// Finding 4: with a Named Credential, delivery jobs ran as whoever made the change. Now the
/// wake trigger runs as the one configured user (PlatformEventSubscriberConfig), only the wake
/// trigger and the finalizer start jobs, and only that user gets the credential's permission
/// set; an External Credential without a delivery user is refused.
#[test]
fn finding_04_delivery_runs_as_one_user() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = generate_json(tmp.path(), &fixture("signed-webhook"), &["--format", "mdapi"]);
    let config =
        read(&tmp.path().join("out/PlatformEventSubscriberConfigs/OrderSync_Wake.platformEventSubscriberConfig"));
    assert!(config.contains("<platformEventConsumer>OrderSyncWakeTrigger</platformEventConsumer>"), "{config}");
    assert!(config.contains("<user>order-sync@acme.example.com</user>"), "{config}");
    let commands: Vec<String> = steps(&v)
        .iter()
        .flat_map(|s| s["commands"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let sender: Vec<&String> = commands.iter().filter(|c| c.contains("OrderSync_Sender")).collect();
    assert_eq!(sender.len(), 1, "{commands:#?}");
    assert!(
        sender[0].contains("--on-behalf-of order-sync@acme.example.com"),
        "only the delivery user gets the credential: {}",
        sender[0]
    );
    let apex = generated_apex(&fixture("signed-webhook"));
    let wake = code(&apex["OrderSyncWakeTrigger"].0);
    assert!(wake.contains("OrderSyncDelivery.onWake(Trigger.new)"), "{wake}");
    for entry in ["OrderSync", "OrderSyncPayload", "OrderSyncOutbox"] {
        assert!(!code(&apex[entry].0).contains("enqueueJob"), "{entry}: the user's transaction starts no job");
    }

    let mut cfg: Value = serde_json::from_str(&read(&fixture("signed-webhook"))).expect("json");
    cfg["webhook"].as_object_mut().expect("webhook").remove("delivery");
    let path = config_at(tmp.path(), &cfg);
    let o = sfgen_in(tmp.path(), &["generate", "--json", "-c", path.to_str().expect("utf8"), "--out", "out2"]);
    assert_eq!(o.code, 2);
    assert!(o.stdout.contains("\"path\": \"webhook.delivery\""), "{}", o.stdout);
}

fn config_at(dir: &Path, json: &Value) -> PathBuf {
    let p = dir.join("edited.json");
    std::fs::write(&p, serde_json::to_string_pretty(json).expect("json")).expect("write");
    p
}

/// Finding 5: the scheduled class referenced the delivery class and delayed jobs were nearly
/// always pending, so the Metadata API refused to update the delivery code. The scheduled
/// sweep and the queued job now reference no other class (the job reaches the delivery by
/// name), their text does not change with the config, and the next steps name the deployment
/// setting a redeploy over pending jobs needs.
#[test]
fn finding_05_pending_jobs_pin_no_code_a_deploy_changes() {
    let apex = generated_apex(&fixture("contact-webhook"));
    let others: Vec<&String> = apex.keys().collect();
    for pinned in ["WebhookSweep", "WebhookJob"] {
        let body = code(&apex[pinned].0);
        for other in &others {
            let other = other.as_str();
            if other == pinned || !body.contains(other) {
                continue;
            }
            let quoted = format!("'{other}'");
            let wake_event = "Webhook_Wake__e";
            assert!(
                body.matches(other).count() == body.matches(&quoted).count()
                    || (other == "Webhook"
                        && body.matches("Webhook").count()
                            == body.matches(pinned).count()
                                + body.matches("'WebhookDelivery'").count()
                                + body.matches(wake_event).count()),
                "{pinned} refers to {other}"
            );
        }
        assert!(!apex[pinned].0.contains("sha256:"), "{pinned}'s text does not change with the config");
    }
    // Another config with the same class name gives the same two classes, byte for byte.
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cfg: Value = serde_json::from_str(&read(&fixture("contact-webhook"))).expect("json");
    cfg["webhook"]["timeoutMs"] = serde_json::json!(30000);
    let other = generated_apex(&config_at(tmp.path(), &cfg));
    for pinned in ["WebhookSweep", "WebhookJob"] {
        assert_eq!(apex[pinned].0, other[pinned].0, "{pinned} changed with the config");
    }
    assert_ne!(apex["WebhookDelivery"].0, other["WebhookDelivery"].0);
    let v = generate_json(tmp.path(), &fixture("contact-webhook"), &[]);
    assert!(steps_text(&v)
        .contains("Allow deployments of components when corresponding Apex jobs are pending or in progress"));
}

/// Finding 6: the signing key sat in a protected custom setting, which outside a managed package
/// anyone who can read custom settings reads. It now lives in the External Credential: Apex
/// holds a formula Salesforce evaluates when the request leaves, and a config that offers no
/// External Credential for it is refused.
#[test]
fn finding_06_the_signing_key_lives_in_the_external_credential() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = sfgen_in(
        tmp.path(),
        &[
            "generate",
            "-q",
            "--format",
            "mdapi",
            "-c",
            fixture("signed-webhook").to_str().expect("utf8"),
            "--out",
            "out",
        ],
    );
    assert!(o.success(), "{}", o.stderr);
    let settings = read(&tmp.path().join("out/objects/OrderSync_Settings__c.object"));
    assert!(!settings.contains("Signing_Key"), "{settings}");
    let signing = read(&tmp.path().join("out/classes/OrderSyncSigning.cls"));
    assert!(
        signing.contains("$Credential.Order_Service.Body, BLOB($Credential.Order_Service.SigningKey)"),
        "{signing}"
    );
    for path in ["out/classes", "out/objects"] {
        for entry in std::fs::read_dir(tmp.path().join(path)).expect("dir") {
            let text = read(&entry.expect("entry").path());
            assert!(!text.contains("getOrgDefaults().Signing_Key"), "{text}");
        }
    }
    let mut cfg: Value = serde_json::from_str(&read(&fixture("contact-webhook"))).expect("json");
    cfg["webhook"]["signing"] = serde_json::json!({ "header": "X-Signature" });
    let path = config_at(tmp.path(), &cfg);
    let o = sfgen_in(tmp.path(), &["generate", "--json", "-c", path.to_str().expect("utf8"), "--out", "out2"]);
    assert_eq!(o.code, 2);
    assert!(o.stdout.contains("\"path\": \"webhook.signing\""), "{}", o.stdout);
}

/// Finding 7: rows the outbox refused travelled in a job's memory, and a job that died on an
/// uncatchable limit lost them, logged nothing and never dead-lettered the payload that killed
/// it. The job is its own Transaction Finalizer, which settles every leased row after the job
/// however it ended: an answered request as answered, the request in flight as an attempt.
#[test]
fn finding_07_a_finalizer_settles_what_a_dying_job_leaves() {
    let apex = generated_apex(&fixture("contact-webhook"));
    let job = code(&apex["WebhookJob"].0);
    assert!(job.contains("implements Queueable, Database.AllowsCallouts, Finalizer"), "{job}");
    assert!(job.contains("System.attachFinalizer(this);"), "{job}");
    let delivery = code(&apex["WebhookDelivery"].0);
    let settle = &delivery[delivery.find("public void settle(").expect("settle")..];
    assert!(settle.contains("ParentJobResult.UNHANDLED_EXCEPTION"), "the settlement knows the job died");
    let outbox = code(&apex["WebhookOutbox"].0);
    assert!(!outbox.contains("carried") || !outbox.contains("new WebhookJob("), "no change travels in a job's memory");
    let tests = code(&apex["TestWebhookDelivery"].0);
    for t in ["jobThatDiesCountsTheAttemptInFlightNegative", "answersRecordedBeforeTheJobDiedAreSettledPositive"] {
        assert!(tests.contains(t), "the generated tests prove it: {t}");
    }
}

/// Finding 8: a 10 000-row DML whose DML budget was spent queued a carried job per 200-record
/// chunk, up to 49 of the 50 queueable slots. The save's transaction now queues no job at all:
/// without DML left, its payloads go out as immediate events, with one @future call per
/// transaction to confirm them after the commit.
#[test]
fn finding_08_a_large_dml_queues_no_job_per_chunk() {
    let apex = generated_apex(&fixture("contact-webhook"));
    let outbox = code(&apex["WebhookOutbox"].0);
    let carry = &outbox[outbox.find("private static void carry(").expect("carry")..];
    let carry = &carry[..carry.find("private static void confirmCarried(").expect("end of carry")];
    assert!(!carry.contains("enqueueJob"), "{carry}");
    assert!(
        carry.contains("Boolean confirming = !payloads.isEmpty() && carryKey == null && budget.futureCallLeft();"),
        "one confirmation per transaction: {carry}"
    );
    assert!(carry.contains("EventBus.publish(events)"), "{carry}");
    let tests = code(&apex["TestWebhookOutbox"].0);
    assert!(
        tests.contains("Assert.areEqual(0, Limits.getQueueableJobs() - queueables"),
        "the generated test measures it"
    );
}

/// Finding 11: tests broke in real orgs: scalar test records only (a Contact needing an Account
/// failed), exact counts of jobs and callouts other automation changes. The org can supply its
/// own factory (`testDataFactory`), the default Contact comes with its Account, and requests are
/// counted only when they are the webhook's own.
#[test]
fn finding_11_tests_that_pass_in_a_real_org() {
    let apex = generated_apex(&fixture("contact-webhook"));
    let support = code(&apex["WebhookTestSupport"].0);
    assert!(support.contains("Account parent0 = new Account(Name = 'sfgen Test Account');"), "{support}");
    assert!(support.contains("AccountId = parent0.Id"), "{support}");
    for (name, (source, is_test)) in &apex {
        if !is_test {
            continue;
        }
        let body = code(source);
        assert!(!body.contains(".requests.size()"), "{name} counts every request the mock got, the org's own too");
        assert!(
            !body.contains("Assert.areEqual(0, Limits.getQueueableJobs())")
                && !body.contains("Assert.areEqual(1, Limits.getQueueableJobs())"),
            "{name}: an exact job count other automation changes"
        );
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cfg: Value = serde_json::from_str(&read(&fixture("contact-webhook"))).expect("json");
    cfg["webhook"]["testDataFactory"] = serde_json::json!("AcmeTestData");
    let apex = generated_apex(&config_at(tmp.path(), &cfg));
    assert!(code(&apex["WebhookTestSupport"].0).contains("FACTORY = 'AcmeTestData';"));
}

/// Finding 13: API 62.0 everywhere in a v66 world. The presets, and so every file they
/// generate, say 66.0.
#[test]
fn finding_13_presets_use_api_66() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for preset in ["webhook", "integration-user"] {
        let o = sfgen_in(tmp.path(), &["init", "--force", "--preset", preset]);
        assert!(o.success(), "{}", o.stderr);
        let cfg: Value = serde_json::from_str(&read(&tmp.path().join("sfgen.json"))).expect("json");
        assert_eq!(cfg["apiVersion"], "66.0", "{preset}");
        let o = sfgen_in(tmp.path(), &["generate", "-q", "--format", "mdapi", "--out", preset]);
        assert!(o.success(), "{}", o.stderr);
        assert!(read(&tmp.path().join(preset).join("package.xml")).contains("<version>66.0</version>"));
    }
}

/// Finding 15: payloads (personal data) were logged at ERROR level. No production class puts a
/// payload, a body or records into a debug log; what could not be kept is logged by event id.
#[test]
fn finding_15_payloads_are_never_logged() {
    for case in ["contact-webhook", "signed-webhook"] {
        for (name, (source, is_test)) in generated_apex(&fixture(case)) {
            if is_test {
                continue;
            }
            let body = code(&source);
            let mut rest = body.as_str();
            while let Some(i) = rest.find("System.debug(") {
                let call = &rest[i..];
                let call = &call[..call.find(");").unwrap_or(call.len())];
                for leak in ["serialize", "Payload", "body", "content", "records", "Trigger."] {
                    assert!(!call.contains(leak), "{case}: {name} logs {leak}: {call}");
                }
                rest = &rest[i + 13..];
            }
        }
    }
}
