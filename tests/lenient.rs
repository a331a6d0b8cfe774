//! What `sf project convert source` accepts, sfgen reads (issue 21 items 2 and 4), one case per
//! public-project habit: `package`, `diff`, `check` and `convert` go on (never exit 2) and a
//! file sf reads but a deploy may refuse is named in a warning. Each case is also converted by
//! the Salesforce CLI when it is installed, which proves sf accepts it (required under
//! `SFGEN_REQUIRE_SF=1`).

mod support;
use std::path::Path;
use support::{sfgen_in, write, SfCli};

const BOM: &str = "\u{feff}";

/// A small SFDX project: one class with its test, `extra` files on top.
fn project(dir: &Path, project_json_prefix: &str, extra: &[(&str, String)]) {
    write(
        dir,
        "sfdx-project.json",
        format!(
            "{project_json_prefix}{{\"packageDirectories\":[{{\"path\":\"force-app\",\"default\":true}}],\"sourceApiVersion\":\"62.0\"}}"
        ),
    );
    let meta = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n";
    write(
        dir,
        "force-app/main/default/classes/Hello.cls",
        "public class Hello {\n    public static String hi() {\n        return 'hi';\n    }\n}\n",
    );
    write(dir, "force-app/main/default/classes/Hello.cls-meta.xml", meta);
    write(
        dir,
        "force-app/main/default/classes/HelloTest.cls",
        "@IsTest\nprivate class HelloTest {\n    @IsTest\n    static void hi() {\n        Assert.areEqual('hi', Hello.hi());\n    }\n}\n",
    );
    write(dir, "force-app/main/default/classes/HelloTest.cls-meta.xml", meta);
    for (rel, text) in extra {
        write(dir, rel, text);
    }
}

/// Every reading verb goes on; `warning` (when given) is printed naming the file.
fn reads_like_sf(dir: &Path, warning: Option<&str>) {
    let verbs: [&[&str]; 4] = [
        &["package", "--no-generate", "--include", ".", "--out", "p.zip"],
        &["diff", "--no-generate", "--include", ".", "--org", "p.zip"],
        &["check", "--package", "."],
        &["convert", "--from", ".", "--to", "mdapi-out", "--format", "mdapi"],
    ];
    for args in verbs {
        let r = sfgen_in(dir, args);
        assert!(r.code <= 1, "{args:?}: exit {}: {}", r.code, r.stderr);
        // diff reads a component only where the two sides' bytes differ (here they do not).
        if let Some(w) = warning.filter(|_| args[0] != "diff") {
            assert!(
                r.stderr.lines().any(|l| l.starts_with("warning: ") && l.contains(w)),
                "{args:?}: {w}: {}",
                r.stderr
            );
        }
    }
}

/// `sf project convert source` takes the project too (when the CLI is installed).
fn sf_converts(dir: &Path) {
    let Some(sf) = SfCli::require() else { return };
    let bin = tempfile::tempdir().expect("tempdir");
    let launcher = sf.write_launcher(bin.path());
    let o = std::process::Command::new(launcher)
        .args(["project", "convert", "source", "--output-dir", "sf-out", "--json"])
        .current_dir(dir)
        .env("HOME", bin.path())
        .output()
        .expect("sf runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && out.contains("\"status\": 0"), "sf refuses it: {out}");
}

#[test]
fn a_bom_in_sfdx_project_json_forceignore_and_metadata_is_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let remote = format!(
        "{BOM}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <isActive>true</isActive>\n    <url>https://api.example.com</url>\n</RemoteSiteSetting>\n"
    );
    let object = format!(
        "{BOM}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Thing</label>\n    <nameField>\n        <label>Thing Name</label>\n        <type>Text</type>\n    </nameField>\n    <pluralLabel>Things</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n</CustomObject>\n"
    );
    let field = format!(
        "{BOM}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Size__c</fullName>\n    <label>Size</label>\n    <precision>4</precision>\n    <scale>0</scale>\n    <type>Number</type>\n</CustomField>\n"
    );
    project(
        tmp.path(),
        BOM,
        &[
            (".forceignore", format!("{BOM}**/jsconfig.json\n")),
            ("force-app/main/default/jsconfig.json", "{}".into()),
            ("force-app/main/default/remoteSiteSettings/Api.remoteSite-meta.xml", remote),
            ("force-app/main/default/objects/Thing__c/Thing__c.object-meta.xml", object),
            ("force-app/main/default/objects/Thing__c/fields/Size__c.field-meta.xml", field),
        ],
    );
    reads_like_sf(tmp.path(), None);
    let r = sfgen_in(tmp.path(), &["check", "--package", "."]);
    assert!(!r.stderr.contains("jsconfig"), "the .forceignore's first pattern applies despite its BOM: {}", r.stderr);
    sf_converts(tmp.path());
}

#[test]
fn a_root_named_after_another_type_is_read_with_a_warning() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // As a public project ships it: an Integer feature parameter whose root says Boolean.
    let fp = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FeatureParameterBoolean xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <dataflowDirection>LmoToSubscriber</dataflowDirection>\n    <masterLabel>Seats</masterLabel>\n    <value>false</value>\n</FeatureParameterBoolean>\n";
    let file = "force-app/main/default/featureParameters/Seats.featureParameterInteger-meta.xml";
    project(tmp.path(), "", &[(file, fp.into())]);
    reads_like_sf(
        tmp.path(),
        Some(&format!("{file}: root element is <FeatureParameterBoolean>, expected <FeatureParameterInteger>")),
    );
    // check says it too, as a warning (sf takes it; the deploy may not).
    let v = sfgen_in(tmp.path(), &["check", "--package", ".", "--json"]).json();
    let f = v["result"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "metadata-xml")
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["severity"], "warning", "{v:#}");
    assert_eq!(f["file"], file);
    // The package holds the file as it is, as sf's does.
    let files = support::zip::read_file(&tmp.path().join("p.zip"));
    assert_eq!(files["featureParameters/Seats.featureParameterInteger"], fp.as_bytes());
    sf_converts(tmp.path());
}

#[test]
fn a_decomposed_object_whose_file_has_another_root_is_read_with_a_warning() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let object = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObjects xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Thing</label>\n    <nameField>\n        <label>Thing Name</label>\n        <type>Text</type>\n    </nameField>\n    <pluralLabel>Things</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n</CustomObjects>\n";
    let file = "force-app/main/default/objects/Thing__c/Thing__c.object-meta.xml";
    project(tmp.path(), "", &[(file, object.into())]);
    reads_like_sf(tmp.path(), Some(&format!("{file}: root element is <CustomObjects>, expected <CustomObject>")));
    sf_converts(tmp.path());
}
