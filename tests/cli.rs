//! End-to-end tests of the real binary: init, generate, schema, help, machine output, and the
//! promises about what generate writes and never touches.

mod support;
use support::*;

#[test]
fn init_then_generate_for_both_presets() {
    for preset in ["webhook", "integration-user"] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let o = sfgen_in(tmp.path(), &["init", "--preset", preset]);
        assert!(o.success(), "{}", o.stderr);
        assert!(tmp.path().join("sfgen.json").exists());
        let o = sfgen_in(tmp.path(), &["generate", "--out", "out"]);
        assert!(o.success(), "{preset}: {}", o.stderr);
        assert!(tmp.path().join("out/sfdx-project.json").exists());
        assert!(tmp.path().join("out/force-app/main/default/permissionsets").is_dir());
        assert!(o.stdout.contains("Next steps"), "next steps are printed: {}", o.stdout);
    }
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("sfgen.json"), "{}").expect("write");
    let o = sfgen_in(tmp.path(), &["init"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--force"), "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(tmp.path().join("sfgen.json")).expect("read"), "{}");
    let o = sfgen_in(tmp.path(), &["init", "--force", "--preset", "integration-user"]);
    assert!(o.success());
    assert!(std::fs::read_to_string(tmp.path().join("sfgen.json")).expect("read").contains("Order_Automation"));
}

#[test]
fn generating_twice_gives_identical_trees() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = root().join("fixtures/signed-webhook/sfgen.json");
    for out in ["a", "b"] {
        let o = sfgen_in(
            tmp.path(),
            &["generate", "-q", "-c", cfg.to_str().expect("utf8"), "--format", "mdapi", "--out", out],
        );
        assert!(o.success(), "{}", o.stderr);
    }
    assert_eq!(read_tree(&tmp.path().join("a")), read_tree(&tmp.path().join("b")));
}

#[test]
fn generating_twice_into_the_same_folder_gives_the_same_output() {
    // The second run must not take sfgen's own sfdx-project.json for the user's project (issue
    // 21 item 7: 42 files instead of 43, and a 19-flag --metadata validate command).
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = root().join("fixtures/contact-webhook/sfgen.json");
    let run = || sfgen_in(tmp.path(), &["generate", "-c", cfg.to_str().expect("utf8"), "--out", "out"]);
    let first = run();
    assert!(first.success(), "{}", first.stderr);
    let tree = read_tree(&tmp.path().join("out"));
    let second = run();
    assert!(second.success(), "{}", second.stderr);
    assert_eq!(first.stdout, second.stdout);
    assert!(
        !second.stdout.contains("--metadata") && second.stdout.contains("--source-dir force-app"),
        "{}",
        second.stdout
    );
    assert_eq!(tree, read_tree(&tmp.path().join("out")));
    // A project of the user's (any other sfdx-project.json) is still theirs.
    std::fs::write(
        tmp.path().join("out/sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"force-app","default":true}],"name":"mine","sourceApiVersion":"62.0"}"#,
    )
    .expect("write");
    let third = run();
    assert!(third.stdout.contains("its sfdx-project.json is kept"), "{}", third.stdout);
}

#[test]
fn generate_overwrites_its_files_and_touches_nothing_else() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let classes = out.join("force-app/main/default/classes");
    std::fs::create_dir_all(&classes).expect("mkdir");
    std::fs::write(classes.join("Mine.cls"), "public class Mine {}").expect("write");
    std::fs::write(classes.join("Webhook.cls"), "stale").expect("write");
    std::fs::write(out.join("sfdx-project.json"), "{\"mine\": true}").expect("write");
    let cfg = root().join("fixtures/contact-webhook/sfgen.json");
    let o = sfgen_in(tmp.path(), &["generate", "-q", "-c", cfg.to_str().expect("utf8"), "--out", "out"]);
    assert!(o.success(), "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(classes.join("Mine.cls")).expect("read"), "public class Mine {}");
    assert!(std::fs::read_to_string(classes.join("Webhook.cls"))
        .expect("read")
        .contains("public with sharing class Webhook {"));
    assert_eq!(
        std::fs::read_to_string(out.join("sfdx-project.json")).expect("read"),
        "{\"mine\": true}",
        "sfdx-project.json is written only if absent"
    );
    let leftovers: Vec<_> = read_tree(&out).into_keys().filter(|k| k.contains(".sfgen-")).collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
}

#[test]
fn bad_config_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("sfgen.json"),
        r#"{"apiVersion": "62.0", "remoteSites": [{"name": "A", "url": "http://x.example.com"}]}"#,
    )
    .expect("write");
    let o = sfgen_in(tmp.path(), &["generate", "--out", "out"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("sfgen.json:1:"), "names file:line:column: {}", o.stderr);
    assert!(o.stderr.contains("remoteSites[0].url"), "names the JSON path: {}", o.stderr);
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn missing_config_says_how_to_start() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = sfgen_in(tmp.path(), &["generate", "--out", "out"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("sfgen init"), "{}", o.stderr);
}

#[test]
fn unknown_environment_is_refused_with_the_known_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = root().join("fixtures/contact-webhook/sfgen.json");
    let o = sfgen_in(tmp.path(), &["generate", "-c", cfg.to_str().expect("utf8"), "--env", "sandbx", "--out", "out"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("did you mean \"sandbox\""), "{}", o.stderr);
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn schema_is_json_schema_of_the_config() {
    let o = sfgen(&["schema"]);
    assert!(o.success());
    let v = o.json();
    let props = v["properties"].as_object().expect("properties");
    for key in ["apiVersion", "webhook", "remoteSites", "connectedApps", "permissionSets", "settings", "environments"] {
        assert!(props.contains_key(key), "schema lacks {key}");
    }
    assert_eq!(v["additionalProperties"], serde_json::Value::Bool(false), "unknown keys are refused");
}

#[test]
fn every_command_help_has_an_example() {
    for cmd in
        ["generate", "init", "schema", "package", "manifest", "convert", "diff", "delta", "check", "completions", "man"]
    {
        let o = sfgen(&[cmd, "--help"]);
        assert!(o.success(), "{cmd} --help");
        assert!(o.stdout.contains("Example"), "{cmd} --help has no example:\n{}", o.stdout);
    }
}

#[test]
fn json_envelope_for_generate_init_schema_and_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = sfgen_in(tmp.path(), &["init", "--json"]);
    let v = o.json();
    assert_eq!(v["status"], 0);
    assert_eq!(v["result"]["preset"], "webhook");
    assert!(v["warnings"].is_array());

    let o = sfgen_in(tmp.path(), &["generate", "--json", "--out", "out"]);
    assert!(o.success(), "{}", o.stderr);
    let v = o.json();
    assert_eq!(v["status"], 0);
    assert_eq!(v["result"]["format"], "source");
    assert!(v["result"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .any(|f| f == "force-app/main/default/classes/Webhook.cls"));
    assert_eq!(
        v["result"]["testClasses"],
        serde_json::json!([
            "TestContactTrigger",
            "TestWebhook",
            "TestWebhookAdmin",
            "TestWebhookDelivery",
            "TestWebhookOutbox"
        ])
    );
    let steps = v["result"]["nextSteps"].as_array().expect("nextSteps");
    assert!(steps.iter().any(|s| s["id"] == "deploy"));

    let o = sfgen_in(tmp.path(), &["schema", "--json"]);
    assert_eq!(o.json()["status"], 0);

    std::fs::write(tmp.path().join("bad.json"), r#"{"apiVersion": "62.0", "webhok": {}}"#).expect("write");
    let o = sfgen_in(tmp.path(), &["generate", "--json", "-c", "bad.json", "--out", "x"]);
    assert_eq!(o.code, 2);
    let v = o.json();
    assert_eq!(v["status"], 2);
    assert_eq!(v["exitCode"], 2);
    assert_eq!(v["name"], "ConfigError");
    assert_eq!(v["data"][0]["path"], "webhok");
    assert_eq!(v["data"][0]["hint"], "did you mean \"webhook\"?");
}

#[test]
fn next_steps_fill_in_the_config_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = root().join("fixtures/integration-user/sfgen.json");
    let o = sfgen_in(tmp.path(), &["generate", "-c", cfg.to_str().expect("utf8"), "--format", "mdapi", "--out", "out"]);
    let text = o.stdout;
    assert!(
        text.contains("https://acme.my.salesforce.com/packaging/installPackage.apexp?p0=04t5w000004QFkXAAW"),
        "{text}"
    );
    assert!(text.contains("sf org assign permset --name Order_Automation_Integration --name Order_Automation_Minimum --on-behalf-of order-automation@acme.example.com"), "{text}");
    assert!(text.contains("External Client App Manager > Order Automation"), "{text}");
    assert!(text.contains("grant_type=client_credentials"), "{text}");
    assert!(text.contains("Email-to-Case: enabled"), "{text}");
    // No Apex, production: `deploy validate` refuses NoTestRun (RunLocalTests is its default),
    // and a production deploy without Apex runs no tests by default.
    assert!(
        text.contains(
            "$ sf project deploy validate --metadata-dir out --test-level RunLocalTests --target-org ORG_ALIAS"
        ),
        "{text}"
    );
    assert!(text.contains("$ sf project deploy quick --use-most-recent --target-org ORG_ALIAS"), "{text}");
    assert!(!text.contains("NoTestRun"), "NoTestRun is for development orgs only: {text}");

    let cfg = root().join("fixtures/contact-webhook/sfgen.json");
    let o = sfgen_in(tmp.path(), &["generate", "-c", cfg.to_str().expect("utf8"), "--env", "sandbox", "--out", "out2"]);
    let text = o.stdout;
    assert!(text.contains("--test-level RunSpecifiedTests --tests TestContactTrigger --tests TestWebhook --tests TestWebhookAdmin --tests TestWebhookDelivery --tests TestWebhookOutbox"), "{text}");
    assert!(text.contains("environment: a sandbox"), "{text}");
    assert!(text.contains("https://acme--uat.sandbox.my.salesforce.com"), "{text}");

    let o = sfgen_in(tmp.path(), &["generate", "-q", "-c", cfg.to_str().expect("utf8"), "--out", "out3"]);
    assert!(o.stdout.is_empty(), "--quiet hides the summary and next steps: {}", o.stdout);
}

#[test]
fn completions_and_man_page_generate() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = sfgen(&["completions", shell]);
        assert!(o.success(), "{shell}");
        assert!(o.stdout.contains("generate"), "{shell} completion names the commands");
    }
    let o = sfgen(&["man"]);
    assert!(o.success());
    assert!(o.stdout.starts_with(".ie") || o.stdout.contains(".TH"), "roff output");
}

#[test]
fn docs_config_md_matches_the_schema() {
    let o = sfgen(&["schema", "--markdown"]);
    assert!(o.success());
    let path = root().join("docs/config.md");
    if updating() {
        std::fs::write(&path, &o.stdout).expect("write docs/config.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    // Word types list their values: no section is an empty table (FieldAccessWord was).
    for section in o.stdout.split("\n## ").skip(1) {
        let body = section.split_once('\n').map_or("", |(_, b)| b);
        assert!(
            !body.trim_end().ends_with("|---|---|---|---|"),
            "empty table in section {}",
            section.lines().next().unwrap_or_default()
        );
    }
    assert!(o.stdout.contains("## FieldAccessWord\n\nField access words (schema only).\n\nOne of: `read`, `edit`."));
    assert!(
        committed == o.stdout,
        "docs/config.md is out of date with the config schema: run `cargo run -- schema --markdown > docs/config.md`"
    );
}

/// Every command's `--json` output is one envelope `{status, result, warnings}` that parses and
/// carries the fields the README documents.
#[test]
fn json_envelope_for_every_other_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        let o = sfgen_in(tmp.path(), args);
        let v = o.json();
        assert_eq!(v["status"].as_i64(), Some(i64::from(o.code)), "{args:?}: status mirrors the exit code");
        assert!(v["warnings"].is_array(), "{args:?}: warnings is an array");
        v
    };
    assert_eq!(sfgen_in(tmp.path(), &["init", "-q"]).code, 0);

    let v = run(&["package", "--json", "--out", "deploy.zip"]);
    let r = &v["result"];
    assert_eq!(r["sha256"].as_str().map(str::len), Some(64));
    assert!(r["deployCommand"]
        .as_str()
        .expect("deployCommand")
        .starts_with("sf project deploy start --metadata-dir deploy.zip"));
    assert!(r["components"].as_array().expect("components").iter().any(|c| c["type"] == "ApexTrigger"));
    assert!(r["nextSteps"].is_array());

    let v = run(&["manifest", "--json"]);
    assert!(v["result"]["packageXml"].as_str().expect("packageXml").contains("<name>ApexClass</name>"));

    let v = run(&["convert", "--json", "--from", "deploy.zip", "--to", "src", "--format", "source"]);
    assert_eq!(v["result"]["format"], "source");
    assert!(v["result"]["files"].as_u64().unwrap_or(0) > 0 || v["result"]["files"].is_array());

    let v = run(&["diff", "--json", "--org", "deploy.zip"]);
    assert_eq!(v["status"], 0, "the package itself is the desired state: no differences");
    assert_eq!(v["result"]["summary"]["added"], 0);
    assert!(v["result"]["components"].as_array().expect("components").iter().all(|c| c["status"] == "unchanged"));

    let v = run(&["check", "--json"]);
    assert!(v["result"]["overall"].as_f64().unwrap_or(0.0) >= 75.0, "{v:#}");
    assert!(v["result"]["coverage"]
        .as_array()
        .expect("coverage")
        .iter()
        .all(|c| c["percent"].as_f64().unwrap_or(0.0) >= 75.0 && c["totalLines"].as_u64() > Some(0)));
    assert!(v["result"]["findings"].is_array());
}

/// A package large enough for a progress spinner, run with stderr piped (as in CI logs and
/// scripts): nothing but the report may appear, no spinner frames, no carriage returns.
#[test]
fn no_progress_bar_in_a_pipe() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let classes = tmp.path().join("big/classes");
    std::fs::create_dir_all(&classes).expect("mkdir");
    let mut members = String::new();
    for i in 0..1200 {
        std::fs::write(classes.join(format!("C{i}.cls")), format!("public class C{i} {{}}\n")).expect("write");
        std::fs::write(
            classes.join(format!("C{i}.cls-meta.xml")),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n",
        )
        .expect("write");
        members.push_str(&format!("<members>C{i}</members>"));
    }
    std::fs::write(
        tmp.path().join("big/package.xml"),
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><types>{members}<name>ApexClass</name></types><version>62.0</version></Package>"),
    )
    .expect("write");
    for extra in [&[][..], &["--json"][..]] {
        let mut args = vec!["package", "--no-check", "--no-generate", "--include", "big", "--out", "big.zip"];
        args.extend_from_slice(extra);
        let o = sfgen_in(tmp.path(), &args);
        assert!(o.success(), "{}", o.stderr);
        let err = o.stderr;
        assert!(!err.contains('\r') && !err.contains("compressing"), "progress output on a pipe: {err:?}");
        assert!(!o.stdout.contains('\r'), "progress output on stdout");
    }
}

#[test]
fn init_names_the_guide_what_to_edit_and_check_first() {
    for (preset, guide, edit) in [
        ("webhook", "guide A", "the webhook's endpoint"),
        ("integration-user", "guide B", "the integration user's username"),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let o = sfgen_in(tmp.path(), &["init", "--preset", preset]);
        assert!(o.success(), "{}", o.stderr);
        assert!(o.stdout.contains(guide) && o.stdout.contains(edit), "{preset}: {}", o.stdout);
        assert!(o.stdout.contains("  sfgen check "), "check comes first: {}", o.stdout);
        if preset == "integration-user" {
            assert!(!o.stdout.contains("endpoint"), "the preset has no endpoint to edit: {}", o.stdout);
        }
    }
}

#[test]
fn generate_and_package_count_components_alike_and_long_types_keep_the_columns() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = root().join("fixtures/contact-webhook/sfgen.json");
    let c = cfg.to_str().expect("utf8");
    let g = sfgen_in(tmp.path(), &["generate", "-c", c, "--out", "out"]);
    let p = sfgen_in(tmp.path(), &["package", "-c", c, "--out", "p.zip"]);
    let count = |text: &str, verb: &str| -> String {
        text.lines().find_map(|l| l.strip_prefix(verb)).and_then(|r| r.split(' ').next()).unwrap_or("?").to_string()
    };
    assert_eq!(count(&g.stdout, "Generated "), count(&p.stdout, "Packaged "), "{}\n{}", g.stdout, p.stdout);
    assert!(p.stdout.contains("package.xml members"), "{}", p.stdout);
    // Every type row's value starts in one column (generate) or ends in one (package's counts),
    // ExtlClntAppOauthConfigurablePolicies included.
    for (text, counts) in [(&g.stdout, false), (&p.stdout, true)] {
        let rows: Vec<&str> = text
            .lines()
            .take_while(|l| !l.starts_with("sha256") && !l.is_empty())
            .filter(|l| l.starts_with("  ") && l.trim_start().chars().next().is_some_and(char::is_uppercase))
            .collect();
        assert!(rows.iter().any(|r| r.contains("ExtlClntAppOauthConfigurablePolicies")), "{text}");
        let col = |r: &str| {
            if counts {
                Some(r.len())
            } else {
                r[2..].find(' ').map(|i| 2 + i + r[2 + i..].len() - r[2 + i..].trim_start().len())
            }
        };
        let first = col(rows[0]);
        assert!(rows.iter().all(|r| col(r) == first), "{rows:#?}");
    }
}
