//! Names against Salesforce's schema (issue 21 item 1, issue 20's record types), through the real
//! binary: a misspelt standard object, field, permission-set field or relationship fails `check`,
//! `generate`, `package` and `diff` with exit 2 (config) or an error finding (package), with the
//! closest real name; a custom name the package lacks is a warning.

mod support;
use serde_json::{json, Value};
use std::path::Path;
use support::{root, sfgen_in};

/// The contact-webhook fixture's config, edited by `edit`, written to `dir/sfgen.json`.
fn config(dir: &Path, edit: impl FnOnce(&mut Value)) {
    let text = std::fs::read_to_string(root().join("fixtures/contact-webhook/sfgen.json")).expect("fixture");
    let mut v: Value = serde_json::from_str(&text).expect("json");
    edit(&mut v);
    std::fs::write(dir.join("sfgen.json"), serde_json::to_string_pretty(&v).expect("json")).expect("write");
}

#[test]
fn misspelt_standard_names_fail_every_verb_with_the_real_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    config(tmp.path(), |v| {
        v["webhook"]["objects"][0]["fields"][4] = json!("MobilPhone");
        v["webhook"]["objects"].as_array_mut().expect("objects").push(json!({ "sobject": "Contcat" }));
        v["permissionSets"][0]["fields"]["Contact.Phon"] = json!("edit");
    });
    for args in [&["check"][..], &["generate", "--out", "out"], &["package", "--out", "p.zip"], &["diff", "--org", "."]]
    {
        let o = sfgen_in(tmp.path(), args);
        let err = o.stderr.clone();
        assert_eq!(o.code, 2, "{args:?}: {err}");
        assert!(
            err.contains("sfgen.json:")
                && err.contains("webhook.objects[0].fields[4]: Contact has no field MobilPhone"),
            "{args:?}: file:line and JSON path: {err}"
        );
        assert!(err.contains("did you mean MobilePhone?"), "{args:?}: {err}");
        assert!(
            err.contains("webhook.objects[1].sobject: unknown object Contcat") && err.contains("did you mean Contact?")
        );
        assert!(
            err.contains("permissionSets[0].fields[\"Contact.Phon\"]") && err.contains("did you mean Phone?"),
            "{err}"
        );
    }
    assert!(!tmp.path().join("out").exists() && !tmp.path().join("p.zip").exists(), "nothing is written");
}

#[test]
fn custom_names_the_package_lacks_are_warnings_and_its_own_are_checked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    config(tmp.path(), |v| {
        v["webhook"]["objects"][0]["fields"].as_array_mut().expect("fields").push(json!("Loyalty_Tier__c"));
        let ps = &mut v["permissionSets"][0];
        ps["objects"]["Invoice__c"] = json!(["read"]);
        ps["objects"]["ns__Thing__c"] = json!(["read"]);
        ps["recordTypes"] = json!(["Case.Support"]);
        ps["classes"] = json!(["Webhook", "Vendor_Service"]);
    });
    let o = sfgen_in(tmp.path(), &["check"]);
    let err = o.stderr.clone();
    assert_eq!(o.code, 0, "warnings only: {err}");
    for w in [
        "field Contact.Loyalty_Tier__c is not defined by the package",
        "object Invoice__c is not defined by the package",
        "object ns__Thing__c is not defined by the package",
        "record type Case.Support is not in the package",
        "Apex class Vendor_Service is not in the package",
    ] {
        assert!(err.lines().any(|l| l.starts_with("warning: sfgen.json:") && l.contains(w)), "{w}: {err}");
    }
    assert!(!err.contains("Apex class Webhook "), "the generated class is known: {err}");

    // A record type or field on an object sfgen itself generates must be one it generates.
    config(tmp.path(), |v| {
        v["permissionSets"][0]["recordTypes"] = json!(["Webhook_Outbox__c.Urgent"]);
        v["permissionSets"][0]["fields"]["Webhook_Outbox__c.Staus__c"] = json!("read");
        v["permissionSets"][0]["objects"]["Webhook_Outbox__c"] = json!(["read"]);
    });
    let o = sfgen_in(tmp.path(), &["generate", "--out", "out"]);
    let err = o.stderr.clone();
    assert_eq!(o.code, 2, "{err}");
    assert!(
        err.contains("record type Webhook_Outbox__c.Urgent is not in the package, which defines Webhook_Outbox__c"),
        "{err}"
    );
    assert!(
        err.contains("Webhook_Outbox__c has no field Staus__c") && err.contains("did you mean Status__c?"),
        "{err}"
    );
}

const PERMSET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <classAccesses>
        <apexClass>Missing_Class</apexClass>
        <enabled>true</enabled>
    </classAccesses>
    <fieldPermissions>
        <editable>false</editable>
        <field>Contact.Phon</field>
        <readable>true</readable>
    </fieldPermissions>
    <fieldPermissions>
        <editable>false</editable>
        <field>Invoice__c.Amount__c</field>
        <readable>true</readable>
    </fieldPermissions>
    <label>Names</label>
    <objectPermissions>
        <allowCreate>false</allowCreate>
        <allowDelete>false</allowDelete>
        <allowEdit>false</allowEdit>
        <allowRead>true</allowRead>
        <modifyAllRecords>false</modifyAllRecords>
        <object>Acount</object>
        <viewAllRecords>false</viewAllRecords>
    </objectPermissions>
    <recordTypeVisibilities>
        <recordType>Invoice__c.Big</recordType>
        <visible>true</visible>
    </recordTypeVisibilities>
    <recordTypeVisibilities>
        <recordType>Order__c.Rush</recordType>
        <visible>true</visible>
    </recordTypeVisibilities>
</PermissionSet>
"#;

const ORDER_OBJECT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <deploymentStatus>Deployed</deploymentStatus>
    <label>Order</label>
    <nameField>
        <label>Order Name</label>
        <type>Text</type>
    </nameField>
    <pluralLabel>Orders</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
"#;

const APEX: &str = "@IsTest\nprivate class NamesTest {\n    @IsTest\n    static void inserts() {\n        Contact c = new Contact(LastName = Greeting.hello(), MobilPhone = '1');\n        insert c;\n        List<Contact> l = [SELECT Id, Acount.Name FROM Contact];\n        Assert.areEqual(1, l.size());\n    }\n}\n";

const GREETING: &str = "public with sharing class Greeting {\n    public static String hello() {\n        String s = 'hello';\n        return s;\n    }\n}\n";

const CLASS_META: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n";

/// A source-format project with the permission set, the Apex test and the custom object.
fn project(dir: &Path) {
    let base = dir.join("force-app/main/default");
    for (path, text) in [
        ("permissionsets/Names.permissionset-meta.xml", PERMSET),
        ("objects/Order__c/Order__c.object-meta.xml", ORDER_OBJECT),
        ("classes/Names Tests/NamesTest.cls", APEX),
        ("classes/Names Tests/NamesTest.cls-meta.xml", CLASS_META),
        ("classes/Schema Recipes/Greeting.cls", GREETING),
        ("classes/Schema Recipes/Greeting.cls-meta.xml", CLASS_META),
    ] {
        let p = base.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    std::fs::write(
        dir.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"62.0"}"#,
    )
    .expect("write");
}

#[test]
fn check_names_a_packages_permission_sets_and_apex() {
    let tmp = tempfile::tempdir().expect("tempdir");
    project(tmp.path());
    let o = sfgen_in(tmp.path(), &["check", "--package", ".", "--json"]);
    assert_eq!(o.code, 1, "errors fail check: {}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("json");
    let findings = v["result"]["findings"].as_array().expect("findings");
    let find = |rule: &str, text: &str| {
        findings
            .iter()
            .find(|f| f["rule"] == rule && f["message"].as_str().is_some_and(|m| m.contains(text)))
            .unwrap_or_else(|| panic!("{rule} {text}: {}", o.stdout))
    };
    let e = find("unknown-name", "Contact has no field Phon");
    assert_eq!(e["severity"], "error");
    assert!(e["message"].as_str().expect("msg").contains("did you mean Phone?"));
    assert_eq!(e["line"], 9);
    find("unknown-name", "unknown object Acount");
    let apex = find("unknown-name", "Contact has no field MobilPhone");
    assert_eq!(apex["line"], 5);
    assert!(apex["message"].as_str().expect("msg").contains("did you mean MobilePhone?"));
    find("unknown-name", "Contact has no relationship Acount");
    // Issue 20: a record type of an object the package defines must be in it; others are warnings.
    let rt = find("unknown-name", "record type Order__c.Rush is not in the package, which defines Order__c");
    assert_eq!(rt["severity"], "error");
    assert_eq!(find("name-not-in-package", "record type Invoice__c.Big")["severity"], "warning");
    assert_eq!(find("name-not-in-package", "object Invoice__c is not defined")["severity"], "warning");
    assert_eq!(find("name-not-in-package", "Apex class Missing_Class")["severity"], "warning");
}

#[test]
fn findings_and_reports_name_the_files_on_disk_with_their_case() {
    let tmp = tempfile::tempdir().expect("tempdir");
    project(tmp.path());
    let file = "force-app/main/default/classes/Names Tests/NamesTest.cls";
    let o = sfgen_in(
        tmp.path(),
        &[
            "check",
            "--package",
            ".",
            "--junit",
            "j.xml",
            "--lcov",
            "l.info",
            "--cobertura",
            "c.xml",
            "--html",
            "h.html",
        ],
    );
    let out = o.stdout;
    assert_eq!(o.code, 1, "{out}");
    assert!(out.contains(&format!("{file}:5: Contact has no field MobilPhone")), "text names the file: {out}");
    assert!(
        out.contains("force-app/main/default/permissionsets/Names.permissionset-meta.xml:9:"),
        "permission set named as on disk: {out}"
    );
    let class = "force-app/main/default/classes/Schema Recipes/Greeting.cls";
    for (report, needle) in [
        ("j.xml", format!("file=\"{file}\" line=\"5\"")),
        ("j.xml", format!("file=\"{class}\"")),
        ("l.info", format!("SF:{class}")),
        ("c.xml", format!("filename=\"{class}\"")),
        ("h.html", class.to_string()),
    ] {
        let text = std::fs::read_to_string(tmp.path().join(report)).expect("report");
        assert!(text.contains(&needle), "{report}: {needle}: {text}");
    }
    assert!(tmp.path().join(file).is_file(), "the named file exists");
    let o = sfgen_in(tmp.path(), &["check", "--package", ".", "--json"]);
    let v: Value = serde_json::from_str(&o.stdout).expect("json");
    for f in v["result"]["findings"].as_array().expect("findings") {
        if let Some(p) = f["file"].as_str() {
            assert!(tmp.path().join(p).is_file(), "finding path exists on disk: {p}");
        }
    }
    assert_eq!(v["result"]["coverage"][0]["file"], class);
}

#[test]
fn test_method_names_keep_their_case() {
    let tmp = tempfile::tempdir().expect("tempdir");
    project(tmp.path());
    // A test that asserts nothing is reported by its name.
    let p = tmp.path().join("force-app/main/default/classes/Names Tests/NamesTest.cls");
    std::fs::write(&p, "@IsTest\nprivate class NamesTest {\n    @IsTest\n    static void insertsOneContact() {\n        insert new Contact(LastName = Greeting.hello());\n    }\n}\n").expect("write");
    let o = sfgen_in(tmp.path(), &["check", "--package", "."]);
    let out = o.stdout;
    assert!(out.contains("test method insertsOneContact asserts nothing"), "{out}");
}
