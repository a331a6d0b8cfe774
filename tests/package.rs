//! `sfgen package` end to end: byte-identical zips for identical input, zips that hold exactly
//! what their package.xml lists, hostile includes refused with nothing written, destructive
//! manifests, and `--prefer` for components both generated and included.

mod support;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::zip::read_file as unzip;
use support::{s, sfgen, Output, SfCli, Sfgen};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// (type, member) pairs of a package.xml, parsed independently of sfgen.
fn members(xml: &[u8]) -> BTreeSet<(String, String)> {
    let text = String::from_utf8(xml.to_vec()).expect("UTF-8 package.xml");
    let mut out = BTreeSet::new();
    for types in text.split("<types>").skip(1) {
        let block = types.split("</types>").next().unwrap_or("");
        let name = block.split("<name>").nth(1).and_then(|n| n.split("</name>").next()).unwrap_or("").to_string();
        for m in block.split("<members>").skip(1) {
            out.insert((name.clone(), m.split("</members>").next().unwrap_or("").to_string()));
        }
    }
    out
}

#[test]
fn packaging_twice_gives_byte_identical_zips() {
    let dir = tmp();
    let (a, b) = (dir.path().join("a.zip"), dir.path().join("sub/b.zip"));
    for out in [&a, &b] {
        let Output { code, stderr: err, .. } = sfgen(&[
            "package",
            "--no-check",
            "-c",
            "fixtures/contact-webhook/sfgen.json",
            "--include",
            "fixtures/realistic-project",
            "--out",
            s(out),
        ]);
        assert_eq!(code, 0, "{err}");
    }
    let (za, zb) = (std::fs::read(&a).expect("a.zip"), std::fs::read(&b).expect("b.zip"));
    assert_eq!(za, zb, "two runs on the same input must give the same bytes");
    // No temporary file is left beside the output.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.iter().filter(|n| n.starts_with(".sfgen")).count(), 0, "{names:?}");
}

#[test]
fn zip_holds_what_its_package_xml_lists() {
    let dir = tmp();
    let out = dir.path().join("r.zip");
    let Output { code, stdout: text, stderr: err, .. } =
        sfgen(&["package", "--no-check", "--no-generate", "--include", "fixtures/realistic-project", "--out", s(&out)]);
    assert_eq!(code, 0, "{err}");
    let entries = unzip(&out);
    let listed = members(entries.get("package.xml").expect("package.xml at the zip root"));
    for expected in [
        ("ApexClass", "InvoiceService"),
        ("ApexPage", "InvoiceList"),
        ("AuraDefinitionBundle", "invoiceBadge"),
        ("CustomField", "Account.Billing_Id__c"),
        ("CustomField", "Invoice__c.Amount__c"),
        ("CustomLabel", "Invoice_Overdue"),
        ("CustomObject", "Invoice__c"),
        ("Document", "Billing_Documents/billing_logo"),
        ("EmailTemplate", "Billing_Templates"),
        ("Layout", "Invoice__c-Invoice Layout"),
        ("Profile", "Billing Clerk"),
        ("Report", "Billing_Reports/"),
        ("Settings", "Case"),
        ("StaticResource", "billingAssets"),
        ("ValidationRule", "Invoice__c.Amount_Not_Negative"),
    ] {
        assert!(listed.contains(&(expected.0.to_string(), expected.1.to_string())), "{expected:?} not in {listed:?}");
    }
    // A standard object with only a field is listed by its field, as `sf` lists it.
    assert!(!listed.contains(&("CustomObject".to_string(), "Account".to_string())));
    // Every listed top-level component has its file, and nothing else is in the zip.
    let expect_files = [
        "classes/InvoiceService.cls",
        "classes/InvoiceService.cls-meta.xml",
        "objects/Account.object",
        "objects/Invoice__c.object",
        "reports/Billing_Reports-meta.xml",
        "reports/Billing_Reports/Open_Invoices.report",
        "documents/Billing_Documents/billing_logo.png",
        "documents/Billing_Documents/billing_logo.png-meta.xml",
        "staticresources/billingAssets.resource",
        "profiles/Billing Clerk.profile",
        "settings/Case.settings",
        "lwc/invoiceSummary/invoiceSummary.js-meta.xml",
    ];
    for f in expect_files {
        assert!(entries.contains_key(f), "{f} missing from {:?}", entries.keys().collect::<Vec<_>>());
    }
    assert!(
        !entries.keys().any(|k| k.contains("__tests__") || k.contains("jsconfig") || k.contains("notes/")),
        "ignored files leaked"
    );
    // A static resource folder is zipped (deterministically) into its .resource.
    let resource = &entries["staticresources/billingAssets.resource"];
    assert!(resource.starts_with(b"PK\x03\x04"));
    // The package carries the project's own Apex: RunSpecifiedTests would need every class to
    // reach 75% from the named tests alone, so the deploy runs the local tests (validation
    // first), and says why.
    assert!(text.contains(&format!(
        "$ sf project deploy validate --metadata-dir {} --single-package --test-level RunLocalTests --target-org ORG_ALIAS",
        s(&out)
    )), "{text}");
    assert!(text.contains("RunSpecifiedTests would need every class in it to reach 75%"), "{text}");
    assert!(text.contains("(1 test class found in the package)"), "{text}");
}

#[test]
fn json_summary_has_hash_counts_and_command() {
    let dir = tmp();
    let out = dir.path().join("a.zip");
    let Output { code, stdout, stderr: err, .. } =
        sfgen(&["--json", "package", "-c", "fixtures/contact-webhook/sfgen.json", "--out", s(&out)]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let r = &v["result"];
    let zip = std::fs::read(&out).expect("zip");
    use sha2::Digest as _;
    let sha: String = sha2::Sha256::digest(&zip).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(r["sha256"], sha);
    assert_eq!(r["bytes"], zip.len());
    assert_eq!(r["testLevel"], "RunSpecifiedTests");
    assert!(r["deployCommand"].as_str().unwrap_or("").starts_with("sf project deploy start --metadata-dir"));
    assert!(r["validateCommand"].as_str().unwrap_or("").starts_with("sf project deploy validate --metadata-dir"));
    assert!(r["deployCommand"].as_str().unwrap_or("").ends_with("--target-org ORG_ALIAS"));
    assert_eq!(r["quickDeployCommand"], "sf project deploy quick --use-most-recent --target-org ORG_ALIAS");
    assert!(r["nextSteps"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(r["componentsByType"]["ApexTrigger"], 3, "the Contact trigger and the wake and carry event triggers");
}

/// A zip built by hand, with names no well-behaved tool writes.
fn hostile_zip(path: &Path, name: &str, unix_mode: u32) {
    use support::zip::{entry, symlink};
    let package = b"<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><version>62.0</version></Package>";
    let hostile =
        if unix_mode & 0o170000 == 0o120000 { symlink(name, "/etc/passwd") } else { entry(name, b"public class X {}") };
    std::fs::write(path, support::zip::write(&[entry("package.xml", package), hostile])).expect("write zip");
}

#[test]
fn hostile_includes_are_refused_and_nothing_is_written() {
    let dir = tmp();
    let out = dir.path().join("out.zip");
    let cases: Vec<(PathBuf, &str)> = {
        let slip = dir.path().join("slip.zip");
        hostile_zip(&slip, "classes/../../../tmp/evil.cls", 0o100644);
        let abs = dir.path().join("abs.zip");
        hostile_zip(&abs, "/etc/cron.d/evil", 0o100644);
        let link = dir.path().join("link.zip");
        hostile_zip(&link, "classes/X.cls", 0o120777);
        vec![(slip, "evil.cls"), (abs, "/etc/cron.d/evil"), (link, "classes/X.cls")]
    };
    for (input, named) in &cases {
        let Output { code, stderr: err, .. } =
            sfgen(&["package", "--no-generate", "--include", s(input), "--out", s(&out)]);
        assert_eq!(code, 2, "{input:?} must be refused: {err}");
        assert!(err.contains(named), "error must name the entry {named}: {err}");
        assert!(!out.exists(), "nothing may be written for {input:?}");
    }
    #[cfg(unix)]
    {
        let project = dir.path().join("linked");
        std::fs::create_dir_all(project.join("classes")).expect("mkdir");
        std::fs::write(project.join("package.xml"), "<Package/>").expect("write");
        std::os::unix::fs::symlink("/etc/passwd", project.join("classes/Evil.cls")).expect("symlink");
        let Output { code, stderr: err, .. } =
            sfgen(&["package", "--no-generate", "--include", s(&project), "--out", s(&out)]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("classes/Evil.cls") && err.contains("symbolic link"), "{err}");
        assert!(!out.exists());
    }
}

#[test]
fn oversized_inputs_are_refused_by_the_env_limits() {
    let dir = tmp();
    let out = dir.path().join("out.zip");
    Sfgen::new()
        .env("SFGEN_MAX_ENTRIES", "10")
        .args(["package", "--no-check", "--no-generate", "--include", "fixtures/realistic-project", "--out", s(&out)])
        .status(2)
        .stderr_contains("SFGEN_MAX_ENTRIES")
        .run();
    assert!(!out.exists());
}

#[test]
fn destructive_changes_beside_their_companion_package_xml() {
    let dir = tmp();
    let list = dir.path().join("remove.txt");
    std::fs::write(&list, "# retired in 2.0\nApexClass:OldWebhook\nCustomField:Contact.Legacy_Id__c\n").expect("write");

    // Deleting only: the companion package.xml carries nothing but <version>.
    let out = dir.path().join("delete.zip");
    let Output { code, stderr: err, .. } =
        sfgen(&["package", "--no-generate", "--destructive", s(&list), "--out", s(&out)]);
    assert_eq!(code, 0, "{err}");
    let entries = unzip(&out);
    assert_eq!(entries.keys().collect::<Vec<_>>(), ["destructiveChanges.xml", "package.xml"]);
    assert!(members(&entries["package.xml"]).is_empty());
    assert!(String::from_utf8_lossy(&entries["package.xml"]).contains("<version>62.0</version>"));
    assert_eq!(
        members(&entries["destructiveChanges.xml"]),
        [("ApexClass", "OldWebhook"), ("CustomField", "Contact.Legacy_Id__c")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    );

    // Deploying and deleting before: destructiveChangesPre.xml, package.xml lists the deploy.
    let out = dir.path().join("pre.zip");
    let Output { code, stderr: err, .. } = sfgen(&[
        "package",
        "-c",
        "fixtures/contact-webhook/sfgen.json",
        "--destructive",
        s(&list),
        "--destructive-when",
        "pre",
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    let entries = unzip(&out);
    assert!(entries.contains_key("destructiveChangesPre.xml") && !entries.contains_key("destructiveChanges.xml"));
    assert!(members(&entries["package.xml"]).contains(&("ApexTrigger".to_string(), "ContactTrigger".to_string())));

    // package.xml format input works too; wildcards are refused.
    let xml = dir.path().join("destructive.xml");
    std::fs::write(&xml, "<?xml version=\"1.0\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><types><members>*</members><name>ApexClass</name></types><version>62.0</version></Package>\n").expect("write");
    let out = dir.path().join("wild.zip");
    let Output { code, stderr: err, .. } =
        sfgen(&["package", "--no-generate", "--destructive", s(&xml), "--out", s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("wildcard"), "{err}");
    assert!(!out.exists());

    // Deleting what is deployed is a contradiction.
    std::fs::write(&list, "ApexTrigger:ContactTrigger\n").expect("write");
    let Output { code, stderr: err, .. } =
        sfgen(&["package", "-c", "fixtures/contact-webhook/sfgen.json", "--destructive", s(&list), "--out", s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ApexTrigger:ContactTrigger"), "{err}");
}

#[test]
fn prefer_decides_components_both_generated_and_included() {
    let dir = tmp();
    let existing = dir.path().join("existing");
    let Output { code, stderr: err, .. } =
        sfgen(&["generate", "-c", "fixtures/contact-webhook/sfgen.json", "--format", "mdapi", "--out", s(&existing)]);
    assert_eq!(code, 0, "{err}");
    let class = existing.join("classes/Webhook.cls");
    let mut body = std::fs::read_to_string(&class).expect("read");
    body.push_str("// edited in the project\n");
    std::fs::write(&class, &body).expect("write");

    let out = dir.path().join("p.zip");
    let base = ["package", "-c", "fixtures/contact-webhook/sfgen.json", "--include", s(&existing), "--out", s(&out)];
    let Output { code, stderr: err, .. } = sfgen(&base);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ApexClass:") && err.contains("--prefer"), "{err}");
    assert!(!out.exists());

    let mut args = base.to_vec();
    args.extend(["--prefer", "include"]);
    let Output { code, stderr: err, .. } = sfgen(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(String::from_utf8_lossy(&unzip(&out)["classes/Webhook.cls"]), body);

    let mut args = base.to_vec();
    args.extend(["--prefer", "generated"]);
    let Output { code, stderr: err, .. } = sfgen(&args);
    assert_eq!(code, 0, "{err}");
    assert!(!String::from_utf8_lossy(&unzip(&out)["classes/Webhook.cls"]).contains("edited in the project"));
}

#[test]
fn manifest_lists_the_same_components_as_the_package() {
    let dir = tmp();
    let out = dir.path().join("r.zip");
    let Output { code, stderr: err, .. } = sfgen(&[
        "package",
        "--no-check",
        "-c",
        "fixtures/contact-webhook/sfgen.json",
        "--include",
        "fixtures/realistic-project",
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    let Output { code, stdout: manifest, stderr: err, .. } =
        sfgen(&["manifest", "-c", "fixtures/contact-webhook/sfgen.json", "--include", "fixtures/realistic-project"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(manifest.as_bytes(), unzip(&out)["package.xml"].as_slice());
    let Output { code, stdout: json, .. } =
        sfgen(&["--json", "manifest", "--no-generate", "--include", "fixtures/realistic-project"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(v["result"]["packageXml"].as_str().is_some_and(|x| x.contains("<members>InvoiceService</members>")));
    assert!(v["result"]["components"].as_array().is_some_and(|a| a.iter().any(|c| c["type"] == "CustomLabel")));
}

#[test]
fn unknown_files_are_warnings_naming_them_and_sf_placement_is_followed() {
    let dir = tmp();
    let project = dir.path().join("p");
    let d = project.join("force-app/main/default");
    std::fs::create_dir_all(d.join("classes")).expect("mkdir");
    std::fs::write(project.join("sfdx-project.json"), r#"{"packageDirectories":[{"path":"force-app"}]}"#)
        .expect("write");
    std::fs::write(d.join("classes/A.cls"), "public class A {}").expect("write");
    std::fs::write(d.join("classes/A.cls-meta.xml"), "<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\"/>")
        .expect("write");
    // sf finds a type by its suffix outside its usual folder, and places it where it belongs.
    std::fs::create_dir_all(d.join("remoteSites")).expect("mkdir");
    std::fs::write(
        d.join("remoteSites/X.remoteSite-meta.xml"),
        "<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\"/>",
    )
    .expect("write");
    // Not metadata, and metadata of a type no registry knows: skipped, each named once.
    std::fs::create_dir_all(d.join("weird")).expect("mkdir");
    std::fs::write(d.join("weird/X.notatype-meta.xml"), "<X/>").expect("write");
    std::fs::write(d.join("weird/README.md"), "hi").expect("write");
    let out = dir.path().join("o.zip");
    let Output { code, stderr: err, .. } =
        sfgen(&["package", "--no-generate", "--include", s(&project), "--out", s(&out)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("weird/X.notatype-meta.xml") && err.contains("no metadata type"), "{err}");
    assert!(err.contains("weird/README.md") && err.contains("not metadata"), "{err}");
    assert_eq!(err.matches("weird/README.md").count(), 1, "{err}");
    let entries = unzip(&out);
    assert!(entries.contains_key("remoteSiteSettings/X.remoteSite"), "{:?}", entries.keys());
    // .forceignore makes them go away, silently.
    std::fs::write(project.join(".forceignore"), "**/weird/**\n**/remoteSites/**\n").expect("write");
    let Output { code, stderr: err, .. } =
        sfgen(&["package", "--no-generate", "--include", s(&project), "--out", s(&out)]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("weird"), "{err}");
    assert_eq!(unzip(&out).len(), 3);
}

/// `scripts/compare-with-sf.sh`: `package --include fixtures/realistic-project` holds what
/// `sf project convert source` makes of it.
#[test]
#[ignore = "slow tier: needs the Salesforce CLI (../shared/tools/sf-conformance --install-only); .ci/run runs it"]
fn package_include_equals_sf_project_convert_source() {
    let Some(sf) = SfCli::require() else { return };
    let bin = tempfile::tempdir().expect("tempdir");
    let o = std::process::Command::new("bash")
        .arg(support::root().join("scripts/compare-with-sf.sh"))
        .env("SF", sf.write_launcher(bin.path()))
        .env("SFGEN", support::bin())
        .output()
        .expect("run compare-with-sf.sh");
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_kill_mid_write_leaves_no_partial_zip() {
    // Whenever the process dies, the output is either absent or the complete zip.
    let dir = tmp();
    let project = dir.path().join("big");
    for i in 0..1500 {
        let body =
            format!("public class C{i} {{\n{}}}\n", "    public static Integer f() { return 42; }\n".repeat(200));
        let classes = project.join("classes");
        std::fs::create_dir_all(&classes).expect("mkdir");
        std::fs::write(classes.join(format!("C{i}.cls")), body).expect("write");
        std::fs::write(
            classes.join(format!("C{i}.cls-meta.xml")),
            "<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\"/>",
        )
        .expect("write");
    }
    std::fs::write(project.join("package.xml"), "<Package/>").expect("write");
    let reference = dir.path().join("ref.zip");
    let Output { code, stderr: err, .. } =
        sfgen(&["package", "--no-check", "--no-generate", "--include", s(&project), "--out", s(&reference)]);
    assert_eq!(code, 0, "{err}");
    let expected = std::fs::read(&reference).expect("reference zip");
    for delay_ms in [0u64, 5, 20, 60, 150] {
        let out = dir.path().join(format!("killed-{delay_ms}.zip"));
        let mut child = Sfgen::new()
            .args(["-q", "package", "--no-check", "--no-generate", "--include", s(&project), "--out", s(&out)])
            .command()
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        if out.exists() {
            assert!(std::fs::read(&out).expect("read") == expected, "a partial zip was left at {out:?}");
        }
    }
}

#[test]
fn package_checks_what_it_generates_not_the_included_project() {
    let dir = tmp();
    let out = dir.path().join("r.zip");
    // fixtures/check/coverage-unit's Greeter is 33% covered (no test reaches 2 of its 3 lines):
    // `sfgen check --include` reports it, but packaging an existing project is not blocked by an
    // estimate of its code.
    let Output { code, stderr: err, .. } = sfgen(&[
        "package",
        "-c",
        "fixtures/contact-webhook/sfgen.json",
        "--include",
        "fixtures/check/coverage-unit",
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.exists());
    let Output { code, stderr: err, .. } =
        sfgen(&["check", "-c", "fixtures/contact-webhook/sfgen.json", "--include", "fixtures/check/coverage-unit"]);
    assert_eq!(code, 1, "check does report the included class: {err}");
}
