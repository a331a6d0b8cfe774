//! End-to-end tests of `sfgen diff`: the real binary against the org snapshots in
//! `fixtures/diff/` (see `fixtures/diff/make-fixtures.py` for what drifted and how).
//!
//! Golden outputs live in `fixtures/diff/<case>/expected/`; `UPDATE_GOLDENS=1 cargo test --test
//! diff` rewrites them.

#![allow(clippy::unwrap_used)]

mod support;
use std::path::Path;
use support::{assert_golden as golden, copy_dir, root, Output};

const CANARY: &str = "CANARY-consumer-secret-7f3a9d";
const CASES: &[&str] = &["contact-webhook", "integration-user"];

/// `support::sfgen`, and the consumer secret of the org snapshots is never printed.
fn sfgen(args: &[&str]) -> Output {
    let run = support::sfgen(args);
    assert!(
        !run.stdout.contains(CANARY) && !run.stderr.contains(CANARY),
        "the consumer secret leaked:\n{}{}",
        run.stdout,
        run.stderr
    );
    run
}

fn config(case: &str) -> String {
    format!("fixtures/{case}/sfgen.json")
}

fn org(case: &str, layout: &str) -> String {
    match layout {
        "zip" => format!("fixtures/diff/{case}/retrieve/unpackaged.zip"),
        // What `sf project retrieve start --target-metadata-dir DIR` writes: DIR/unpackaged.zip.
        "retrieve-dir" => format!("fixtures/diff/{case}/retrieve"),
        // The same with --unzip: DIR/unpackaged/package.xml ...
        "retrieve-dir-unzipped" => format!("fixtures/diff/{case}/retrieve-unzipped"),
        "unzipped" => format!("fixtures/diff/{case}/retrieve-unzipped/unpackaged"),
        "source" => format!("fixtures/diff/{case}/retrieve-source"),
        "noise" => format!("fixtures/diff/{case}/noise-only/unpackaged"),
        other => panic!("unknown layout {other}"),
    }
}

#[test]
fn golden_outputs_for_every_drift_kind() {
    for case in CASES {
        let cfg = config(case);
        let expected = root().join("fixtures/diff").join(case).join("expected");
        let scenarios: &[(&str, &str, &[&str])] = &[
            ("zip-prune.txt", "zip", &["--prune", "--color", "never"]),
            ("zip-prune.json", "zip", &["--prune", "--json"]),
            ("unzipped.txt", "unzipped", &["--color", "never"]),
            ("source-prune.json", "source", &["--prune", "--format", "json"]),
            ("zip-stat.txt", "zip", &["--prune", "--format", "stat"]),
            ("noise-only.txt", "noise", &["--prune", "--color", "never"]),
        ];
        for (name, layout, extra) in scenarios {
            let org = org(case, layout);
            let mut args = vec!["diff", "-c", &cfg, "--org", &org];
            args.extend_from_slice(extra);
            let run = sfgen(&args);
            let want = if *layout == "noise" { 0 } else { 1 };
            assert_eq!(run.code, want, "{case} {name}: exit {}\n{}{}", run.code, run.stdout, run.stderr);
            golden(&expected.join(name), &run.stdout);
        }
    }
}

/// Every shape a retrieve takes (the README's `--target-metadata-dir` folder, with and without
/// `--unzip`, the zip itself, the unzipped `unpackaged/` folder, a source-format retrieve) is
/// read as the same org.
#[test]
fn every_layout_of_the_same_org_gives_the_same_report() {
    const LAYOUTS: [&str; 5] = ["zip", "unzipped", "source", "retrieve-dir", "retrieve-dir-unzipped"];
    for case in CASES {
        let cfg = config(case);
        let results: Vec<serde_json::Value> = LAYOUTS
            .iter()
            .map(|layout| {
                let o = org(case, layout);
                let run = sfgen(&["diff", "-c", &cfg, "--org", &o, "--prune", "--json"]);
                let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
                serde_json::json!({ "components": v["result"]["components"], "summary": v["result"]["summary"] })
            })
            .collect();
        for (layout, result) in LAYOUTS.iter().zip(&results).skip(1) {
            assert_eq!(&results[0], result, "{case}: zip vs {layout}");
        }
        assert!(results[0]["summary"].is_object(), "{case}: no summary in {}", results[0]);
    }
}

#[test]
fn drift_is_reported_and_noise_is_not() {
    let run = sfgen(&[
        "diff",
        "-c",
        &config("contact-webhook"),
        "--org",
        &org("contact-webhook", "zip"),
        "--prune",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let status = |ty: &str, name: &str| -> String {
        v["result"]["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == ty && c["fullName"] == name)
            .map(|c| c["status"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(status("ApexClass", "Webhook"), "changed");
    assert_eq!(status("ApexClass", "WebhookMockImpl"), "added");
    assert_eq!(status("ApexClass", "LegacyContactSync"), "removed");
    assert_eq!(status("PermissionSet", "Contact_Centre_Integration"), "changed");
    // CRLF + trailing whitespace, element order + comments + tabs, org-assigned consumer key,
    // packageVersions: all noise.
    assert_eq!(status("ApexClass", "TestWebhook"), "unchanged");
    assert_eq!(status("RemoteSiteSetting", "Webhook_Endpoint"), "unchanged");
    assert_eq!(status("ExtlClntAppGlobalOauthSettings", "Contact_Centre_glbloauth"), "unchanged");
    assert_eq!(status("ExternalClientApplication", "Contact_Centre"), "unchanged");
    assert_eq!(status("ApexTrigger", "ContactTrigger"), "unchanged");
    let ps = v["result"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["fullName"] == "Contact_Centre_Integration")
        .unwrap()["diff"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ps.contains("-        <name>ModifyAllData</name>"), "{ps}");
    assert!(ps.contains("-        <editable>false</editable>\n+        <editable>true</editable>\n         <field>Contact.Phone</field>"), "{ps}");
    for noise in ["Birthdate", "Lead", "ViewSetup", "SiteLoginController", "Case.Internal", "license"] {
        assert!(!ps.contains(noise), "no-access row {noise} reported as drift:\n{ps}");
    }
    let web = v["result"]["components"].as_array().unwrap().iter().find(|c| c["fullName"] == "Webhook").unwrap()
        ["diff"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(web.starts_with("--- org/classes/Webhook.cls\n+++ sfgen/classes/Webhook.cls\n"), "{web}");
    assert_eq!(web.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).count(), 1, "{web}");
    assert_eq!(v["status"], 1);
    // The org still runs the webhook from before the outbox: the delivery machinery is added.
    assert_eq!(status("CustomObject", "Webhook_Outbox__c"), "added");
    assert_eq!(v["result"]["summary"], serde_json::json!({ "added": 23, "changed": 2, "unchanged": 9, "removed": 1 }));
}

#[test]
fn without_prune_nothing_is_removed() {
    let run = sfgen(&[
        "diff",
        "-c",
        &config("integration-user"),
        "--org",
        &org("integration-user", "zip"),
        "--format",
        "stat",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "1 added, 2 changed, 5 unchanged, 0 removed\n");
}

#[test]
fn exit_codes() {
    let cfg = config("contact-webhook");
    assert_eq!(sfgen(&["diff", "-c", &cfg, "--org", &org("contact-webhook", "noise"), "--prune"]).code, 0);
    assert_eq!(sfgen(&["diff", "-c", &cfg, "--org", &org("contact-webhook", "zip")]).code, 1);
    let missing = sfgen(&["diff", "-c", &cfg, "--org", "fixtures/diff/no-such-retrieve.zip"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no-such-retrieve.zip"), "{}", missing.stderr);
    let nothing = sfgen(&["diff", "--no-generate", "--org", &org("contact-webhook", "zip")]);
    assert_eq!(nothing.code, 2);
    assert!(nothing.stderr.contains("--include"), "{}", nothing.stderr);
}

#[test]
fn include_only_compares_two_trees() {
    let run = sfgen(&[
        "diff",
        "--no-generate",
        "--include",
        &org("contact-webhook", "noise"),
        "--org",
        &org("contact-webhook", "zip"),
        "--prune",
        "--format",
        "stat",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "23 added, 2 changed, 9 unchanged, 1 removed\n");
}

#[test]
fn ignore_comments() {
    let tmp = tempfile::tempdir().unwrap();
    let orgdir = tmp.path().join("org");
    copy_dir(&root().join(org("contact-webhook", "noise")), &orgdir);
    let cls = orgdir.join("classes/Webhook.cls");
    let body = std::fs::read_to_string(&cls).unwrap();
    std::fs::write(
        &cls,
        format!("// Reviewed by the security team.\n{}", body.replacen(";\n", "; /* checked */\n", 1)),
    )
    .unwrap();
    let o = orgdir.to_string_lossy().into_owned();
    let cfg = config("contact-webhook");
    let plain = sfgen(&["diff", "-c", &cfg, "--org", &o, "--format", "stat"]);
    assert_eq!((plain.code, plain.stdout.as_str()), (1, "0 added, 1 changed, 33 unchanged, 0 removed\n"));
    let ignoring = sfgen(&["diff", "-c", &cfg, "--org", &o, "--format", "stat", "--ignore-comments"]);
    assert_eq!((ignoring.code, ignoring.stdout.as_str()), (0, "0 added, 0 changed, 34 unchanged, 0 removed\n"));
}

/// Applies a delta package over an org tree, as a deploy would: its components replace or
/// join the org's, and the destructive ones disappear.
fn apply(org: &sfgen::metadata::Tree, delta: &Path) -> sfgen::metadata::Tree {
    let limits = sfgen::archive::Limits::default();
    let loaded = sfgen::read::load_tree(delta, &limits).unwrap();
    let mut out = org.clone();
    for c in loaded.tree.components.into_values() {
        out.insert(c);
    }
    let files = sfgen::archive::read_path(delta, &limits).unwrap();
    if let Some((_, bytes)) = files.iter().find(|(p, _)| p == "destructiveChanges.xml") {
        let root = sfgen::sf::xml::parse(bytes).unwrap();
        for types in root.elements().filter(|e| e.name == "types") {
            let ty = types.find("name").unwrap().text_content();
            for m in types.elements().filter(|e| e.name == "members") {
                let key = sfgen::metadata::ComponentKey::new(ty.clone(), m.text_content());
                assert!(
                    out.components.remove(&key).is_some(),
                    "destructiveChanges.xml names {key}, which the org does not hold"
                );
            }
        }
    }
    out
}

#[test]
fn delta_over_org_gives_the_desired_state() {
    let tmp = tempfile::tempdir().unwrap();
    for case in CASES {
        for layout in ["zip", "unzipped", "source"] {
            for out_name in ["delta.zip", "delta-folder"] {
                let delta = tmp.path().join(format!("{case}-{layout}-{out_name}"));
                let d = delta.to_string_lossy().into_owned();
                let o = org(case, layout);
                let run = sfgen(&[
                    "diff",
                    "-c",
                    &config(case),
                    "--org",
                    &o,
                    "--prune",
                    "--delta-out",
                    &d,
                    "--format",
                    "stat",
                ]);
                assert_eq!(run.code, 1, "{}", run.stderr);
                assert!(run.stdout.contains(&format!("Delta package written to {d}")), "{}", run.stdout);
                let orgtree =
                    sfgen::read::load_tree(&root().join(&o), &sfgen::archive::Limits::default()).unwrap().tree;
                let applied = apply(&orgtree, &delta);
                let files = sfgen::ops::generate::mdapi_files(&applied, "62.0");
                let after = tmp.path().join(format!("{case}-{layout}-{out_name}-after"));
                sfgen::write::new_tree(&after, &files).unwrap();
                let a = after.to_string_lossy().into_owned();
                let again = sfgen(&["diff", "-c", &config(case), "--org", &a, "--prune", "--format", "stat"]);
                assert_eq!(again.code, 0, "{case} {layout}: {}{}", again.stdout, again.stderr);
                assert!(again.stdout.starts_with("0 added, 0 changed, "), "{}", again.stdout);
                assert!(again.stdout.ends_with(" unchanged, 0 removed\n"), "{}", again.stdout);
            }
        }
    }
}

#[test]
fn delta_holds_only_added_and_changed_components_and_no_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("delta.zip");
    let ds = d.to_string_lossy().into_owned();
    let run = sfgen(&[
        "diff",
        "-c",
        &config("contact-webhook"),
        "--org",
        &org("contact-webhook", "zip"),
        "--prune",
        "--delta-out",
        &ds,
    ]);
    assert_eq!(run.code, 1);
    let files = sfgen::archive::read_path(&d, &sfgen::archive::Limits::default()).unwrap();
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "PlatformEventSubscriberConfigs/Webhook_Carry.platformEventSubscriberConfig",
            "PlatformEventSubscriberConfigs/Webhook_Wake.platformEventSubscriberConfig",
            "classes/TestWebhookAdmin.cls",
            "classes/TestWebhookAdmin.cls-meta.xml",
            "classes/TestWebhookDelivery.cls",
            "classes/TestWebhookDelivery.cls-meta.xml",
            "classes/TestWebhookOutbox.cls",
            "classes/TestWebhookOutbox.cls-meta.xml",
            "classes/Webhook.cls",
            "classes/Webhook.cls-meta.xml",
            "classes/WebhookAdmin.cls",
            "classes/WebhookAdmin.cls-meta.xml",
            "classes/WebhookDelivery.cls",
            "classes/WebhookDelivery.cls-meta.xml",
            "classes/WebhookJob.cls",
            "classes/WebhookJob.cls-meta.xml",
            "classes/WebhookMockImpl.cls",
            "classes/WebhookMockImpl.cls-meta.xml",
            "classes/WebhookOutbox.cls",
            "classes/WebhookOutbox.cls-meta.xml",
            "classes/WebhookPayload.cls",
            "classes/WebhookPayload.cls-meta.xml",
            "classes/WebhookSweep.cls",
            "classes/WebhookSweep.cls-meta.xml",
            "classes/WebhookTestSupport.cls",
            "classes/WebhookTestSupport.cls-meta.xml",
            "customMetadata/Webhook_Endpoint.Default.md",
            "destructiveChanges.xml",
            "objects/Webhook_Carry__e.object",
            "objects/Webhook_Endpoint__mdt.object",
            "objects/Webhook_Outbox__c.object",
            "objects/Webhook_Settings__c.object",
            "objects/Webhook_Wake__e.object",
            "package.xml",
            "permissionsets/Contact_Centre_Integration.permissionset",
            "permissionsets/Webhook_Delivery_Admin.permissionset",
            "tabs/Webhook_Outbox__c.tab",
            "triggers/WebhookCarryTrigger.trigger",
            "triggers/WebhookCarryTrigger.trigger-meta.xml",
            "triggers/WebhookWakeTrigger.trigger",
            "triggers/WebhookWakeTrigger.trigger-meta.xml",
        ]
    );
    for (p, b) in &files {
        assert!(!String::from_utf8_lossy(b).contains(CANARY), "{p}");
    }
    let destructive =
        String::from_utf8_lossy(&files.iter().find(|(p, _)| p == "destructiveChanges.xml").unwrap().1).into_owned();
    assert!(destructive.contains("<members>LegacyContactSync</members>"), "{destructive}");
    // Same input, same bytes.
    let d2 = tmp.path().join("delta2.zip");
    sfgen(&[
        "diff",
        "-c",
        &config("contact-webhook"),
        "--org",
        &org("contact-webhook", "zip"),
        "--prune",
        "--delta-out",
        &d2.to_string_lossy(),
    ]);
    assert_eq!(std::fs::read(&d).unwrap(), std::fs::read(&d2).unwrap());
    // Without --prune there is no destructive manifest.
    let d3 = tmp.path().join("delta3");
    sfgen(&[
        "diff",
        "-c",
        &config("contact-webhook"),
        "--org",
        &org("contact-webhook", "zip"),
        "--delta-out",
        &d3.to_string_lossy(),
    ]);
    assert!(d3.join("package.xml").is_file());
    assert!(!d3.join("destructiveChanges.xml").exists());
}

#[test]
fn delta_folder_refuses_to_replace_a_foreign_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("precious");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let run = sfgen(&[
        "diff",
        "-c",
        &config("contact-webhook"),
        "--org",
        &org("contact-webhook", "zip"),
        "--delta-out",
        &dir.to_string_lossy(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn hostile_archives_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        ("zip-slip.zip", "unpackaged/../../../tmp/sfgen-zip-slip.cls"),
        ("absolute-path.zip", "/tmp/sfgen-absolute.cls"),
        ("symlink.zip", "unpackaged/classes/Evil.cls"),
        ("zip-bomb.zip", "unpackaged/staticresources/Bomb.resource"),
    ];
    for (name, entry) in cases {
        let delta = tmp.path().join(format!("{name}-delta.zip"));
        let o = format!("fixtures/diff/hostile/{name}");
        let run =
            sfgen(&["diff", "-c", &config("contact-webhook"), "--org", &o, "--delta-out", &delta.to_string_lossy()]);
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(entry), "{name}: the message must name the entry:\n{}", run.stderr);
        assert!(!delta.exists(), "{name}: a delta was written");
        let json = sfgen(&["diff", "-c", &config("contact-webhook"), "--org", &o, "--json"]);
        assert_eq!(json.code, 2);
        let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert!(v["message"].as_str().unwrap().contains(entry));
    }
    assert!(!Path::new("/tmp/sfgen-zip-slip.cls").exists());
    assert!(!Path::new("/tmp/sfgen-absolute.cls").exists());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "files were left behind");

    // A symbolic link inside an org folder.
    #[cfg(unix)]
    {
        let orgdir = tmp.path().join("org");
        copy_dir(&root().join(org("contact-webhook", "noise")), &orgdir);
        std::os::unix::fs::symlink("/etc/passwd", orgdir.join("classes/Evil.cls")).unwrap();
        let delta = tmp.path().join("delta");
        let run = sfgen(&[
            "diff",
            "-c",
            &config("contact-webhook"),
            "--org",
            &orgdir.to_string_lossy(),
            "--delta-out",
            &delta.to_string_lossy(),
        ]);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("Evil.cls"), "{}", run.stderr);
        assert!(!delta.exists());
    }
}

#[test]
fn colour_only_when_asked() {
    let cfg = config("contact-webhook");
    let o = org("contact-webhook", "zip");
    let plain = sfgen(&["diff", "-c", &cfg, "--org", &o]);
    assert!(!plain.stdout.contains('\x1b'), "colour on a pipe");
    let forced = sfgen(&["diff", "-c", &cfg, "--org", &o, "--color", "always"]);
    assert!(forced.stdout.contains('\x1b'), "--color always colours even on a pipe");
}

#[test]
fn a_component_both_generated_and_included_is_an_error_with_a_usable_hint() {
    let run = sfgen(&[
        "diff",
        "-c",
        &config("contact-webhook"),
        "--include",
        &org("contact-webhook", "noise"),
        "--org",
        &org("contact-webhook", "zip"),
    ]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("is both generated from the config and included"), "{}", run.stderr);
    assert!(run.stderr.contains("--prefer"), "the hint names the way out: {}", run.stderr);
    let preferred = sfgen(&[
        "diff",
        "-c",
        &config("contact-webhook"),
        "--include",
        &org("contact-webhook", "noise"),
        "--prefer",
        "generated",
        "--org",
        &org("contact-webhook", "zip"),
    ]);
    assert_ne!(preferred.code, 2, "--prefer resolves the conflict: {}", preferred.stderr);
}

/// Issue 23: an object's children are compared one by one. A relabelled field is
/// `CustomField:Obj.Field` changed (the object, whose own elements are the same, unchanged), in
/// the text, the JSON and the delta, whose object file holds only that field; a field only the
/// org has is removed with --prune. (Before, the whole `CustomObject` was "changed" and its
/// delta deployed every field.)
#[test]
fn a_changed_field_is_the_field_in_text_json_and_delta() {
    let tmp = tempfile::tempdir().unwrap();
    let project = |dir: &Path, fields: &[(&str, &str)]| {
        let o = dir.join("force-app/main/default/objects/Ticket__c");
        std::fs::create_dir_all(o.join("fields")).unwrap();
        std::fs::write(
            dir.join("sfdx-project.json"),
            r#"{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"62.0"}"#,
        )
        .unwrap();
        std::fs::write(o.join("Ticket__c.object-meta.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Ticket</label>\n    <nameField>\n        <label>Ticket Name</label>\n        <type>Text</type>\n    </nameField>\n    <pluralLabel>Tickets</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n</CustomObject>\n").unwrap();
        for (name, label) in fields {
            std::fs::write(o.join(format!("fields/{name}.field-meta.xml")), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>{name}</fullName>\n    <label>{label}</label>\n    <length>80</length>\n    <type>Text</type>\n</CustomField>\n")).unwrap();
        }
    };
    let (desired, org_dir) = (tmp.path().join("desired"), tmp.path().join("org"));
    project(&desired, &[("Subject__c", "Subject"), ("Status__c", "Status (relabelled)")]);
    project(&org_dir, &[("Subject__c", "Subject"), ("Status__c", "Status"), ("Old__c", "Old")]);
    let delta = tmp.path().join("delta");
    let (d, o, out) = (desired.to_string_lossy(), org_dir.to_string_lossy(), delta.to_string_lossy());
    let run = sfgen(&["diff", "--no-generate", "--include", &d, "--org", &o, "--prune", "--json", "--delta-out", &out]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let got: Vec<(String, String, String)> = v["result"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap().into(),
                c["fullName"].as_str().unwrap().into(),
                c["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("CustomField", "Ticket__c.Old__c", "removed"),
        ("CustomField", "Ticket__c.Status__c", "changed"),
        ("CustomObject", "Ticket__c", "unchanged"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
    let diff = v["result"]["components"][1]["diff"].as_str().unwrap();
    assert!(diff.contains("-        <label>Status</label>\n+        <label>Status (relabelled)</label>"), "{diff}");
    assert!(!diff.contains("Subject"), "{diff}");
    let package = std::fs::read_to_string(delta.join("package.xml")).unwrap();
    assert!(
        package.contains("<members>Ticket__c.Status__c</members>") && !package.contains("CustomObject"),
        "{package}"
    );
    let object = std::fs::read_to_string(delta.join("objects/Ticket__c.object")).unwrap();
    assert!(
        object.contains("Status__c") && !object.contains("Subject__c") && !object.contains("<pluralLabel>"),
        "{object}"
    );
    let destructive = std::fs::read_to_string(delta.join("destructiveChanges.xml")).unwrap();
    assert!(destructive.contains("<members>Ticket__c.Old__c</members>"), "{destructive}");
    let text = sfgen(&["diff", "--no-generate", "--include", &d, "--org", &o, "--prune"]).stdout;
    assert!(text.contains("changed   CustomField  Ticket__c.Status__c"), "{text}");
    assert!(text.contains("changed CustomField:Ticket__c.Status__c"), "{text}");
}
