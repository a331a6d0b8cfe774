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
