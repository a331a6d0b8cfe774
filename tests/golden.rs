//! Golden trees: every fixture config, generated in both formats (and per environment where
//! the fixture has one), must match `fixtures/<case>/expected/<format>[-<env>]/` byte for byte.
//! `UPDATE_GOLDENS=1 cargo test --test golden` rewrites them; review the diff before committing.

mod support;
use support::*;

fn check(case: &str, format: &str, env: Option<&str>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let config = root().join("fixtures").join(case).join("sfgen.json");
    let mut args = vec!["generate", "-q", "-c", config.to_str().expect("utf8"), "--format", format, "--out"];
    let out_s = out.to_string_lossy().into_owned();
    args.push(&out_s);
    if let Some(e) = env {
        args.push("--env");
        args.push(e);
    }
    let o = sfgen_in(tmp.path(), &args);
    assert!(o.success(), "generate failed: {}", o.stderr);
    let name = match env {
        Some(e) => format!("{format}-{e}"),
        None => format.to_string(),
    };
    assert_tree_matches(&out, &root().join("fixtures").join(case).join("expected").join(name));
}

#[test]
fn contact_webhook_source() {
    check("contact-webhook", "source", None);
}

#[test]
fn contact_webhook_mdapi() {
    check("contact-webhook", "mdapi", None);
}

#[test]
fn contact_webhook_sandbox_environment_mdapi() {
    check("contact-webhook", "mdapi", Some("sandbox"));
}

#[test]
fn integration_user_source() {
    check("integration-user", "source", None);
}

#[test]
fn integration_user_mdapi() {
    check("integration-user", "mdapi", None);
}

#[test]
fn signed_webhook_source() {
    check("signed-webhook", "source", None);
}

#[test]
fn signed_webhook_mdapi() {
    check("signed-webhook", "mdapi", None);
}

/// The sandbox environment changes exactly the endpoint's home (its custom metadata record
/// and the Remote Site): the Apex classes and triggers are byte-identical in every environment,
/// so the classes tested in the sandbox are the ones deployed to production.
#[test]
fn environment_patch_changes_only_the_endpoint_metadata() {
    let base = read_tree(&root().join("fixtures/contact-webhook/expected/mdapi"));
    let sandbox = read_tree(&root().join("fixtures/contact-webhook/expected/mdapi-sandbox"));
    assert_eq!(base.keys().collect::<Vec<_>>(), sandbox.keys().collect::<Vec<_>>());
    let changed: Vec<&String> = base.iter().filter(|(k, v)| sandbox.get(*k) != Some(v)).map(|(k, _)| k).collect();
    assert_eq!(
        changed,
        ["customMetadata/Webhook_Endpoint.Default.md", "remoteSiteSettings/Webhook_Endpoint.remoteSite"],
        "only the endpoint's metadata may differ between environments"
    );
    for k in &changed {
        let s = String::from_utf8_lossy(&sandbox[*k]);
        assert!(s.contains("sandbox.hooks.contact-centre.example.com"), "{k} does not carry the sandbox endpoint");
    }
    let apex = base.keys().filter(|k| k.ends_with(".cls") || k.ends_with(".trigger")).count();
    assert!(apex >= 6, "the comparison covers the Apex ({apex} files)");
}

/// Generating the same config for two environments from the CLI gives the same Apex bytes.
#[test]
fn every_environment_gets_the_same_apex() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = root().join("fixtures/contact-webhook/sfgen.json");
    let c = config.to_str().expect("utf8");
    for (env, out) in [(None, "base"), (Some("sandbox"), "sandbox")] {
        let mut args = vec!["generate", "-q", "-c", c, "--format", "mdapi", "--out", out];
        if let Some(e) = env {
            args.extend(["--env", e]);
        }
        let o = sfgen_in(tmp.path(), &args);
        assert!(o.success(), "{}", o.stderr);
    }
    let base = read_tree(&tmp.path().join("base"));
    let sandbox = read_tree(&tmp.path().join("sandbox"));
    for (k, v) in base.iter().filter(|(k, _)| k.starts_with("classes/") || k.starts_with("triggers/")) {
        assert_eq!(Some(v), sandbox.get(k), "{k} differs between environments");
    }
}

/// The guide's entry points keep their signatures: code written from guide A calls them (and
/// `fixtures/guide-a-tests` is compiled against the output in CI).
#[test]
fn guide_entry_points_are_kept() {
    let cls = String::from_utf8(
        read_tree(&root().join("fixtures/contact-webhook/expected/mdapi"))
            .remove("classes/Webhook.cls")
            .expect("Webhook.cls"),
    )
    .expect("utf8");
    for signature in [
        "public static String jsonContent(System.TriggerOperation operation, List<SObject> newList, List<SObject> oldList)",
        "public static void callout(String url, String content)",
        "public static void handleTrigger(System.TriggerOperation operation, List<SObject> newList, List<SObject> oldList)",
    ] {
        assert!(cls.contains(signature), "Webhook.cls lost `{signature}`");
    }
}
