//! sfgen in the hands of a Salesforce CLI user: one JSON envelope for every exit, `-q` that
//! never hides what users redirect, the flags they already type (`--output-dir`/`-d`,
//! `--api-version`), `sfgen.json` found from a subfolder, source written into the project's
//! default package directory, and deltas in the layout pipelines read.

mod support;
use std::path::Path;
use support::{read_tree, root, sfgen_in, Output};

fn cfg(name: &str) -> String {
    root().join("fixtures").join(name).join("sfgen.json").to_str().expect("utf8").to_string()
}

#[test]
fn flag_errors_under_json_are_one_envelope_with_actions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for args in [
        vec!["check", "--json", "--min-coverage"],
        vec!["diff", "--format", "json", "--format", "Foo"],
        vec!["generate", "--json", "--bogus"],
        vec!["--json"],
        vec!["package", "--json", "--test-level", "Foo"],
    ] {
        let o = sfgen_in(tmp.path(), &args);
        assert_eq!(o.code, 2, "{args:?}");
        assert!(o.stderr.is_empty(), "{args:?}: stderr {}", o.stderr);
        let v = o.json();
        assert_eq!(v["status"], 2, "{v:#}");
        assert_eq!(v["exitCode"], 2, "{v:#}");
        assert_eq!(v["name"], "UsageError", "{v:#}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty() && !m.starts_with("error:")), "{v:#}");
        assert!(v["actions"].as_array().is_some_and(|a| !a.is_empty()), "{v:#}");
        assert_eq!(v["warnings"], serde_json::json!([]), "{v:#}");
    }
    let o = sfgen_in(tmp.path(), &["check", "--json", "--min-coverage"]);
    assert_eq!(o.json()["actions"][0], "run `sfgen check --help` for the flags and examples");
    // --help and --version are answers, not errors.
    let v = sfgen_in(tmp.path(), &["generate", "--help", "--json"]).json();
    assert_eq!(v["status"], 0);
    assert!(v["result"]["help"].as_str().is_some_and(|h| h.contains("--output-dir")), "{v:#}");
    let v = sfgen_in(tmp.path(), &["--version", "--json"]).json();
    assert_eq!(v["result"]["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn error_envelopes_carry_the_hints_as_actions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("sfgen.json"), r#"{"apiVersion": "62.0", "webhok": {}}"#).expect("write");
    let v = sfgen_in(tmp.path(), &["generate", "--out", "out", "--json"]).json();
    assert_eq!(v["name"], "ConfigError");
    assert!(!v["message"].as_str().expect("message").contains("help:"), "{v:#}");
    assert_eq!(v["actions"], serde_json::json!(["webhok: did you mean \"webhook\"?"]), "{v:#}");
    assert_eq!(v["warnings"], serde_json::json!([]));
    let v = sfgen_in(tmp.path(), &["generate", "--out", "out", "--json", "--api-version", "70.0"]).json();
    assert_eq!(v["name"], "InputError");
    assert_eq!(v["message"], "--api-version 70.0: not an API version sfgen knows");
    assert_eq!(v["actions"], serde_json::json!(["give one from 56.0 to 66.0, e.g. --api-version 62.0"]));
}

#[test]
fn quiet_never_hides_what_users_redirect() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let c = cfg("contact-webhook");
    let o = sfgen_in(tmp.path(), &["manifest", "-q", "-c", &c]);
    assert!(o.stdout.starts_with("<?xml") && o.stdout.contains("<members>Webhook</members>"), "{}", o.stdout);
    let o = sfgen_in(tmp.path(), &["schema", "-q"]);
    assert!(serde_json::from_str::<serde_json::Value>(&o.stdout).is_ok(), "{}", o.stdout);
    let o = sfgen_in(tmp.path(), &["completions", "bash", "-q"]);
    assert!(o.stdout.contains("_sfgen"), "{}", o.stdout);
    let o = sfgen_in(tmp.path(), &["man", "-q"]);
    assert!(o.stdout.contains(".TH"), "{}", o.stdout);
    // The chatter is what -q hides.
    let o = sfgen_in(tmp.path(), &["generate", "-q", "-c", &c, "--out", "out"]);
    assert!(o.success() && o.stdout.is_empty(), "{}", o.stdout);
}

#[test]
fn output_dir_and_d_are_accepted_beside_out_to_and_delta_out() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let c = cfg("contact-webhook");
    for (flag, dir) in [("--output-dir", "a"), ("-d", "b"), ("--out", "c")] {
        let o = sfgen_in(tmp.path(), &["generate", "-q", "-c", &c, flag, dir]);
        assert!(o.success(), "{flag}: {}", o.stderr);
    }
    assert_eq!(read_tree(&tmp.path().join("a")), read_tree(&tmp.path().join("c")));
    assert_eq!(read_tree(&tmp.path().join("b")), read_tree(&tmp.path().join("c")));
    let o = sfgen_in(tmp.path(), &["convert", "-q", "--from", "a", "--output-dir", "conv", "--format", "mdapi"]);
    assert!(o.success() && tmp.path().join("conv/package.xml").is_file(), "{}", o.stderr);
    let o = sfgen_in(tmp.path(), &["convert", "-q", "--from", "a", "-d", "conv2", "--format", "mdapi"]);
    assert!(o.success() && tmp.path().join("conv2/package.xml").is_file(), "{}", o.stderr);
    let org = root().join("fixtures/diff/contact-webhook/retrieve/unpackaged.zip");
    let o =
        sfgen_in(tmp.path(), &["diff", "-q", "-c", &c, "--org", org.to_str().expect("utf8"), "--output-dir", "delta"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(tmp.path().join("delta/package.xml").is_file());
    // Quiet means quiet, as `diff -q` and `git diff --quiet`: the exit status is the answer.
    assert_eq!(o.stdout, "", "diff -q prints no summary, diffs or deploy commands");
    let o = sfgen_in(tmp.path(), &["diff", "-q", "-c", &c, "--org", org.to_str().expect("utf8")]);
    assert_eq!((o.code, o.stdout.as_str()), (1, ""), "{}", o.stderr);
    let o = sfgen_in(tmp.path(), &["diff", "-c", &c, "--org", org.to_str().expect("utf8")]);
    assert!(o.stdout.contains("sfgen diff against"), "without -q the report is printed");
}

#[test]
fn sf_verbs_point_to_the_sf_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = sfgen_in(tmp.path(), &["deploy", "--target-org", "prod"]);
    let err = o.stderr.clone();
    assert_eq!(o.code, 2, "{err}");
    assert!(!err.contains("unrecognized subcommand"), "{err}");
    assert!(
        err.contains("sfgen does not deploy") && err.contains("sf project deploy validate --metadata-dir deploy.zip"),
        "{err}"
    );
    assert!(err.contains("sf project deploy quick --use-most-recent"), "{err}");
    let o = sfgen_in(tmp.path(), &["--json", "retrieve"]);
    let v = o.json();
    assert_eq!(v["exitCode"], 2);
    assert!(
        v["actions"][0].as_str().is_some_and(|a| a.contains("sf project retrieve start --manifest package.xml")),
        "{v}"
    );
    // Other unknown words keep clap's answer.
    let o = sfgen_in(tmp.path(), &["generat"]);
    assert!(o.stderr.contains("unrecognized subcommand"), "{}", o.stderr);
}

#[test]
fn api_version_overrides_the_configs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let c = cfg("contact-webhook");
    let o = sfgen_in(
        tmp.path(),
        &["generate", "-q", "-c", &c, "--format", "mdapi", "--out", "out", "--api-version", "61.0"],
    );
    assert!(o.success(), "{}", o.stderr);
    let tree = read_tree(&tmp.path().join("out"));
    let meta = String::from_utf8_lossy(&tree["classes/Webhook.cls-meta.xml"]).into_owned();
    assert!(meta.contains("<apiVersion>61.0</apiVersion>"), "{meta}");
    assert!(String::from_utf8_lossy(&tree["package.xml"]).contains("<version>61.0</version>"));
    let o = sfgen_in(tmp.path(), &["manifest", "-c", &c, "--api-version", "60.0"]);
    assert!(o.stdout.contains("<version>60.0</version>"), "{}", o.stdout);
    for bad in ["61", "99.0", "sixty", "61.5"] {
        let o = sfgen_in(tmp.path(), &["generate", "-c", &c, "--out", "bad", "--api-version", bad]);
        assert_eq!(o.code, 2, "{bad}");
        assert!(o.stderr.contains("--api-version"), "{}", o.stderr);
    }
    assert!(!tmp.path().join("bad").exists());
    // The printed later-diff commands carry the override.
    let o = sfgen_in(tmp.path(), &["package", "-c", &c, "--out", "d.zip", "--api-version", "61.0"]);
    assert!(o.stdout.contains("--api-version 61.0 > package.xml"), "{}", o.stdout);
}

#[test]
fn sfgen_json_is_found_in_a_parent_folder_up_to_the_repository_root() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    let deep = repo.join("force-app/main/default");
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::copy(cfg("contact-webhook"), repo.join("sfgen.json")).expect("copy");
    let o = sfgen_in(&deep, &["generate", "--out", "../../../out"]);
    assert!(o.success(), "{}", o.stderr);
    assert!(repo.join("out/force-app/main/default/classes/Webhook.cls").is_file());
    assert!(o.stdout.contains("$ sfgen manifest -c ../../../sfgen.json > package.xml"), "{}", o.stdout);
    // Diagnostics name the file found.
    std::fs::write(repo.join("sfgen.json"), "{").expect("write");
    let o = sfgen_in(&deep, &["check"]);
    assert!(o.stderr.starts_with("error: ../../../sfgen.json:1:"), "{}", o.stderr);
    // Not above the repository root.
    std::fs::remove_file(repo.join("sfgen.json")).expect("rm");
    std::fs::copy(cfg("contact-webhook"), tmp.path().join("sfgen.json")).expect("copy");
    let o = sfgen_in(&deep, &["check"]);
    assert_eq!(o.code, 2);
    let err = o.stderr.clone();
    assert!(err.contains("no sfgen.json in") && err.contains("or its parents"), "{err}");
    assert!(err.contains("run `sfgen init`"), "{err}");
    // An explicit -c is taken as given.
    let o = sfgen_in(&deep, &["check", "-c", "sfgen.json"]);
    assert_eq!(o.code, 2);
}

fn project(dir: &Path, json: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("sfdx-project.json"), json).expect("write");
}

#[test]
fn generate_writes_into_the_projects_default_package_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = tmp.path().join("proj");
    let json =
        r#"{"packageDirectories":[{"path":"force-app"},{"path":"./src/","default":true}],"sourceApiVersion":"66.0"}"#;
    project(&p, json);
    let o = sfgen_in(tmp.path(), &["generate", "-c", &cfg("contact-webhook"), "--out", "proj", "--json"]);
    assert!(o.success(), "{}", o.stderr);
    let v = o.json();
    assert_eq!(v["result"]["packageDirectory"], "src");
    assert!(p.join("src/main/default/classes/Webhook.cls").is_file());
    assert!(!p.join("force-app").exists(), "nothing goes to force-app");
    assert_eq!(
        std::fs::read_to_string(p.join("sfdx-project.json")).expect("read"),
        json,
        "the project file is the user's"
    );
    assert!(v["warnings"].as_array().expect("warnings").is_empty(), "{v:#}");
    // Exactly the generated components are deployed, from inside the project.
    let validate = v["result"]["validateCommand"].as_str().expect("validate");
    assert!(validate.starts_with("(cd proj && sf project deploy validate --metadata ApexClass:TestContactTrigger --metadata ApexClass:TestWebhook"), "{validate}");
    assert!(!validate.contains("--source-dir"), "{validate}");
}

#[test]
fn a_source_api_version_mismatch_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    project(
        &tmp.path().join("proj"),
        r#"{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"61.0"}"#,
    );
    let o = sfgen_in(tmp.path(), &["generate", "-c", &cfg("contact-webhook"), "--out", "proj"]);
    assert!(o.success(), "{}", o.stderr);
    let err = o.stderr.clone();
    assert!(
        err.contains("sourceApiVersion is 61.0, but the generated files are for API 66.0 (the config's apiVersion)")
            && err.contains("pass --api-version 61.0"),
        "{err}"
    );
    let o =
        sfgen_in(tmp.path(), &["generate", "-c", &cfg("contact-webhook"), "--out", "proj", "--api-version", "61.0"]);
    assert!(o.stderr.is_empty(), "{}", o.stderr);
    // A project file sf would refuse leaves the source in force-app, with a warning.
    project(&tmp.path().join("junk"), "{\"name\": 1}");
    let o = sfgen_in(tmp.path(), &["generate", "-c", &cfg("contact-webhook"), "--out", "junk"]);
    assert!(o.success(), "{}", o.stderr);
    assert!(o.stderr.contains("no packageDirectories; the source goes into force-app"), "{}", o.stderr);
}

fn diff(tmp: &Path, extra: &[&str]) -> Output {
    let org = root().join("fixtures/diff/contact-webhook/retrieve/unpackaged.zip");
    let c = cfg("contact-webhook");
    let mut args = vec!["diff", "-c", &c, "--org", org.to_str().expect("utf8"), "--prune"];
    args.extend_from_slice(extra);
    sfgen_in(tmp, &args)
}

#[test]
fn sgd_layout_writes_package_and_destructive_changes_folders() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = diff(tmp.path(), &["-d", "out", "--layout", "sgd", "--destructive-when", "post", "--json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v = o.json();
    let tree = read_tree(&tmp.path().join("out"));
    let names: Vec<&str> = tree.keys().map(String::as_str).collect();
    assert!(names.contains(&"package/package.xml"), "{names:?}");
    assert!(names.contains(&"destructiveChanges/destructiveChanges.xml"), "{names:?}");
    assert!(names.contains(&"destructiveChanges/package.xml"), "{names:?}");
    assert!(names.contains(&"sfdx-project.json"), "{names:?}");
    assert!(
        names.iter().all(|n| n.starts_with("package/")
            || n.starts_with("destructiveChanges/")
            || n.starts_with("force-app/main/default/")
            || *n == "sfdx-project.json"),
        "{names:?}"
    );
    let destructive = String::from_utf8_lossy(&tree["destructiveChanges/destructiveChanges.xml"]).into_owned();
    assert!(destructive.contains("<members>LegacyContactSync</members>"), "{destructive}");
    let d = &v["result"]["delta"];
    assert_eq!(d["layout"], "sgd");
    assert_eq!(d["destructive"]["when"], "post");
    assert_eq!(
        d["deployCommand"],
        "(cd out && sf project deploy start --manifest package/package.xml --post-destructive-changes destructiveChanges/destructiveChanges.xml --test-level RunSpecifiedTests --tests TestContactTrigger --tests TestWebhook --tests TestWebhookAdmin --tests TestWebhookDelivery --tests TestWebhookOutbox --target-org ORG_ALIAS)"
    );
    assert_eq!(d["quickDeployCommand"], "sf project deploy quick --use-most-recent --target-org ORG_ALIAS");
    // A second run replaces its own earlier delta, and nothing else.
    let o = diff(tmp.path(), &["-d", "out", "--layout", "sgd", "-q"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    std::fs::create_dir_all(tmp.path().join("mine")).expect("mkdir");
    std::fs::write(tmp.path().join("mine/notes.txt"), "mine").expect("write");
    let o = diff(tmp.path(), &["-d", "mine", "--layout", "sgd", "-q"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(tmp.path().join("mine/notes.txt")).expect("read"), "mine");
    // Text says the same, validate first.
    let o = diff(tmp.path(), &["-d", "out2", "--layout", "sgd", "--format", "stat", "-o", "prod"]);
    let text = o.stdout;
    let v_at = text
        .find("$ (cd out2 && sf project deploy validate --manifest package/package.xml --pre-destructive-changes")
        .expect(&text);
    let q_at = text.find("$ sf project deploy quick --use-most-recent --target-org prod").expect(&text);
    assert!(v_at < q_at, "{text}");
}

#[test]
fn destructive_when_names_the_mdapi_file_and_a_zip_with_sgd_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = diff(tmp.path(), &["-d", "post", "--destructive-when", "post", "-q"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(tmp.path().join("post/destructiveChangesPost.xml").is_file());
    assert!(!tmp.path().join("post/destructiveChanges.xml").exists());
    let o = diff(tmp.path(), &["-d", "plain", "-q"]);
    assert_eq!(o.code, 1);
    assert!(tmp.path().join("plain/destructiveChanges.xml").is_file());
    let o = diff(tmp.path(), &["-d", "x.zip", "--layout", "sgd"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("the sgd layout is a folder"), "{}", o.stderr);
    assert!(!tmp.path().join("x.zip").exists());
    let o = diff(tmp.path(), &["--layout", "sgd"]);
    assert_eq!(o.code, 2, "--layout needs --delta-out");
}

#[test]
fn package_summary_says_validate_before_deploy() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = sfgen_in(tmp.path(), &["package", "-c", &cfg("contact-webhook"), "--out", "d.zip"]);
    let text = o.stdout;
    assert!(!text.contains("Deploy with:"), "{text}");
    let validate = text.find("$ sf project deploy validate --metadata-dir d.zip").expect(&text);
    let deploy = text.find("$ sf project deploy quick").expect(&text);
    assert!(validate < deploy, "{text}");
    // Without a config (--no-generate) the summary prints them itself.
    let o = sfgen_in(tmp.path(), &["package", "--no-generate", "--include", "d.zip", "--out", "e.zip"]);
    let text = o.stdout;
    let validate = text.find("$ sf project deploy validate --metadata-dir e.zip").expect(&text);
    let deploy = text.find("$ sf project deploy quick").expect(&text);
    assert!(validate < deploy, "{text}");
}
