use super::*;
use crate::metadata::{Component, ComponentKey, MetadataFile};

fn tree(files: &[(&str, &str, &str, &str)]) -> Tree {
    let mut t = Tree::new();
    for (ty, name, path, body) in files {
        t.insert(Component::new(ComponentKey::new(*ty, *name), vec![MetadataFile::new(*path, body.as_bytes())]));
    }
    t
}

#[test]
fn modify_all_without_view_all_and_delete_is_an_error() {
    let ps = "<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n<label>X</label>\n<objectPermissions>\n<allowCreate>false</allowCreate>\n<allowDelete>false</allowDelete>\n<allowEdit>true</allowEdit>\n<allowRead>true</allowRead>\n<modifyAllRecords>true</modifyAllRecords>\n<object>Case</object>\n<viewAllRecords>false</viewAllRecords>\n</objectPermissions>\n</PermissionSet>\n";
    let r =
        check_tree(&tree(&[("PermissionSet", "X", "permissionsets/X.permissionset", ps)]), &CheckOptions::default());
    let msgs: Vec<&str> =
        r.findings.iter().filter(|f| f.rule == "permission-dependency").map(|f| f.message.as_str()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("View All")) && msgs.iter().any(|m| m.contains("Delete (allowDelete)")));
    assert!(r.findings.iter().all(|f| f.line == Some(9)), "{:?}", r.findings);
    assert!(r.has_errors());
}

#[test]
fn remote_site_must_match_host_and_scheme() {
    let cls = "public class C {\n    void m() {\n        HttpRequest r = new HttpRequest();\n        r.setEndpoint('https://api.example.com/x');\n    }\n}\n";
    let site = |url: &str| {
        format!("<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\"><isActive>true</isActive><url>{url}</url></RemoteSiteSetting>")
    };
    for (url, ok) in [
        ("https://api.example.com", true),
        ("https://other.example.com", false),
        ("https://api.example.com:8443", false),
    ] {
        let s = site(url);
        let t = tree(&[
            ("ApexClass", "C", "classes/C.cls", cls),
            ("RemoteSiteSetting", "R", "remoteSiteSettings/R.remoteSite", &s),
        ]);
        let r = check_tree(&t, &CheckOptions { min_coverage: 0.0, ..CheckOptions::default() });
        let host = r.findings.iter().any(|f| f.rule == "callout-host");
        assert_eq!(host, !ok, "{url}: {:?}", r.findings);
    }
}

#[test]
fn text_and_json_agree_on_findings() {
    let t = tree(&[(
        "ApexTrigger",
        "T",
        "triggers/T.trigger",
        "trigger T on Account (after insert) {\n    Integer i = 1;\n}\n",
    )]);
    let r = check_tree(&t, &CheckOptions::default());
    let text = r.render_text();
    let json = r.to_json();
    assert!(
        text.contains("Test coverage of selected Apex Trigger is 0%, at least 1% test coverage is required"),
        "{text}"
    );
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(r.findings.len()));
    assert_eq!(json["errors"].as_u64(), Some(r.counts().0 as u64));
    let junit = render_junit(&r);
    assert!(
        junit.contains("name=\"trigger-zero-coverage: ApexTrigger:T\" file=\"triggers/T.trigger\">\n      <failure"),
        "{junit}"
    );
}

#[test]
fn named_credential_in_the_package_silences_the_callout_warning() {
    let cls = "public class C {\n    void m() {\n        HttpRequest r = new HttpRequest();\n        r.setEndpoint('callout:Partner_API/orders');\n    }\n}\n";
    let without = check_tree(
        &tree(&[("ApexClass", "C", "classes/C.cls", cls)]),
        &CheckOptions { min_coverage: 0.0, ..CheckOptions::default() },
    );
    let w: Vec<_> = without.findings.iter().filter(|f| f.rule == "callout-host").collect();
    assert_eq!(w.len(), 1, "{:?}", without.findings);
    assert_eq!(w[0].severity, Severity::Warning);
    assert!(w[0].message.contains("\"Partner_API\""), "{}", w[0].message);
    let nc = "<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\"><label>P</label></NamedCredential>";
    let with = check_tree(
        &tree(&[
            ("ApexClass", "C", "classes/C.cls", cls),
            ("NamedCredential", "Partner_API", "namedCredentials/Partner_API.namedCredential", nc),
        ]),
        &CheckOptions { min_coverage: 0.0, ..CheckOptions::default() },
    );
    assert!(with.findings.iter().all(|f| f.rule != "callout-host"), "{:?}", with.findings);
}
