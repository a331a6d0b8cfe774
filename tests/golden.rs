//! Golden trees: every fixture config, generated in both formats (and per environment where
//! the fixture has one), must match `fixtures/<case>/expected/<format>[-<env>]/` byte for byte.
//! `UPDATE_GOLDENS=1 cargo test --test golden` rewrites them; review the diff before committing.

mod common;
use common::*;

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
    let o = sfgen(tmp.path(), &args);
    assert!(o.status.success(), "generate failed: {}", String::from_utf8_lossy(&o.stderr));
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

/// The sandbox environment changes exactly the endpoint (Apex, mock, Remote Site) and the
/// config hash in the headers: nothing else may move.
#[test]
fn environment_patch_changes_only_what_it_names() {
    let base = read_tree(&root().join("fixtures/contact-webhook/expected/mdapi"));
    let sandbox = read_tree(&root().join("fixtures/contact-webhook/expected/mdapi-sandbox"));
    assert_eq!(base.keys().collect::<Vec<_>>(), sandbox.keys().collect::<Vec<_>>());
    let changed: Vec<&String> = base.iter().filter(|(k, v)| sandbox.get(*k) != Some(v)).map(|(k, _)| k).collect();
    for k in &changed {
        let s = String::from_utf8_lossy(&sandbox[*k]);
        assert!(
            s.contains("sandbox.hooks.contact-centre.example.com") || s.contains("config sha256:"),
            "{k} changed but carries neither the sandbox endpoint nor the config hash"
        );
    }
    assert!(changed.iter().any(|k| k.starts_with("remoteSiteSettings/")), "the Remote Site follows the endpoint");
}
