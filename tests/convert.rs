//! `sfgen convert` end to end: source → mdapi → source gives back the original project
//! (modulo whitespace), a zip converts like a folder, and an existing output is never mixed
//! with a conversion.

mod support;
use std::collections::BTreeMap;
use support::{read_tree as files, root, s, Sfgen};

/// Content modulo whitespace: XML and text compared with all whitespace runs removed
/// between tags and collapsed elsewhere.
fn normalized(bytes: &[u8]) -> Vec<u8> {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.split_whitespace().collect::<Vec<_>>().join(" ").replace("> <", "><").into_bytes(),
        Err(_) => bytes.to_vec(),
    }
}

/// The fixture's files under force-app, minus what its .forceignore excludes.
fn fixture_source() -> BTreeMap<String, Vec<u8>> {
    files(&root().join("fixtures/realistic-project/force-app"))
        .into_iter()
        .filter(|(p, _)| {
            !(p.ends_with("jsconfig.json") || p.contains("/__tests__/") || p.starts_with("main/default/notes/"))
        })
        .collect()
}

/// What the fixture comes back as after mdapi: the same files, plus an empty parent file for each
/// object the source held only children of (`sf project convert mdapi` writes one too).
fn fixture_round_trip() -> BTreeMap<String, Vec<u8>> {
    let mut files = fixture_source();
    for object in ["Account", "Opportunity"] {
        files.insert(
            format!("main/default/objects/{object}/{object}.object-meta.xml"),
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\"/>\n".to_vec(),
        );
    }
    files
}

#[test]
fn source_to_mdapi_to_source_round_trips() {
    let dir = tempfile::tempdir().expect("temp");
    let (mdapi, source) = (dir.path().join("mdapi"), dir.path().join("source"));
    Sfgen::new()
        .args(["convert", "--from", "fixtures/realistic-project", "--to", s(&mdapi), "--format", "mdapi"])
        .status(0)
        .run();
    let md = files(&mdapi);
    assert!(md.contains_key("package.xml") && md.contains_key("objects/Invoice__c.object"), "{:?}", md.keys());
    assert!(!md.keys().any(|k| k.ends_with(".field-meta.xml")), "objects must be recomposed");

    Sfgen::new().args(["convert", "--from", s(&mdapi), "--to", s(&source), "--format", "source"]).status(0).run();
    assert!(source.join("sfdx-project.json").is_file());
    let back = files(&source.join("force-app"));
    let original = fixture_round_trip();
    assert_eq!(back.keys().collect::<Vec<_>>(), original.keys().collect::<Vec<_>>(), "the same files come back");
    for (path, bytes) in &original {
        assert_eq!(
            normalized(&back[path]),
            normalized(bytes),
            "{path} differs after the round trip:\n{}",
            String::from_utf8_lossy(&back[path])
        );
    }
}

#[test]
fn a_retrieve_zip_converts_like_its_folder() {
    let dir = tempfile::tempdir().expect("temp");
    let zip = dir.path().join("retrieve.zip");
    Sfgen::new()
        .args(["package", "--no-check", "--no-generate", "--include", "fixtures/realistic-project", "--out", s(&zip)])
        .status(0)
        .run();
    let from_zip = dir.path().join("from-zip");
    Sfgen::new().args(["convert", "--from", s(&zip), "--to", s(&from_zip), "--format", "source"]).status(0).run();
    let back = files(&from_zip.join("force-app"));
    assert_eq!(back.keys().collect::<Vec<_>>(), fixture_round_trip().keys().collect::<Vec<_>>());
}

#[test]
fn an_existing_output_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("temp");
    let to = dir.path().join("out");
    std::fs::create_dir_all(&to).expect("mkdir");
    std::fs::write(to.join("keep.txt"), "mine").expect("write");
    let out = Sfgen::new()
        .args(["convert", "--from", "fixtures/realistic-project", "--to", s(&to), "--format", "mdapi"])
        .status(2)
        .run()
        .all();
    assert!(out.contains("not an empty folder"), "{out}");
    assert_eq!(files(&to).keys().collect::<Vec<_>>(), ["keep.txt"]);

    // An input error leaves no output and no staging folder behind.
    let bad = dir.path().join("bad");
    std::fs::create_dir_all(bad.join("objects")).expect("mkdir");
    std::fs::write(bad.join("package.xml"), "<Package/>").expect("write");
    std::fs::write(bad.join("objects/A__c.object"), "<CustomObject><fields></CustomObject>").expect("write");
    let target = dir.path().join("never");
    let out = Sfgen::new()
        .args(["convert", "--from", s(&bad), "--to", s(&target), "--format", "source"])
        .status(2)
        .run()
        .all();
    assert!(out.contains("objects/A__c.object"), "{out}");
    assert!(!target.exists());
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sfgen"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
