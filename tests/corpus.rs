//! The corpus: public SFDX projects as their authors publish them (`../shared/corpus/*.tar.gz`,
//! or `$SFGEN_SHARED/corpus`), read by sfgen exactly as the Salesforce CLI reads them. For each
//! project:
//!
//! - `package --include` (without and with the generated components) holds the files and contents
//!   `sf project convert source` makes, modulo whitespace and child order;
//! - `convert` both ways equals sf's conversions;
//! - `manifest` lists what `sf project generate manifest` lists;
//! - the project diffed against sf's conversion of itself gives 0 differences, and a copy with
//!   changes gives exactly those changes;
//! - `check --package` and `check --include` run on it without a config, and without crashing.
//!
//! The comparisons with sf need the Salesforce CLI (`../shared/tools/sf-conformance
//! --install-only`). Slow tier: every test is `#[ignore]`d (`.ci/run` runs them); run without
//! the corpus or the CLI they are skipped, unless required (`SFGEN_REQUIRE_CORPUS=1`,
//! `SFGEN_REQUIRE_SF=1`, `SFGEN_REQUIRE_ALL=1` or `CI`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{root, s, sfgen_in as sfgen, SfCli, Tool};

fn corpus() -> Option<Vec<PathBuf>> {
    let dir = support::require(Tool::Corpus)?;
    let mut archives: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(".tar.gz")).collect())
        .unwrap_or_default();
    archives.sort();
    Some(archives)
}

/// Unpacks `archive` into `into`; returns the project folder.
fn unpack(archive: &Path, into: &Path) -> PathBuf {
    let o = Command::new("tar").arg("xzf").arg(archive).arg("-C").arg(into).output().expect("tar");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let name = archive.file_name().unwrap().to_string_lossy().trim_end_matches(".tar.gz").to_string();
    into.join(name)
}

fn sf(cli: &Path, cwd: &Path, args: &[&str]) {
    let o = Command::new(cli).args(args).arg("--json").current_dir(cwd).output().expect("sf runs");
    assert!(
        o.status.success(),
        "sf {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every file of a folder or zip (a zip's single top folder holding package.xml stripped).
fn files(path: &Path) -> BTreeMap<String, Vec<u8>> {
    if path.is_dir() {
        return support::read_tree(path);
    }
    support::zip::read_file(path)
}

/// An XML document modulo whitespace between elements, leading and trailing whitespace of
/// values, `<a/>` vs `<a></a>`, the declaration and the order of siblings: an independent
/// reading (not sfgen's canonicaliser), so the test does not grade sfgen by its own rules.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

fn parse_xml(bytes: &[u8]) -> Option<Node> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).ok()?;
    let mut reader = quick_xml::Reader::from_str(text.strip_prefix('\u{feff}').unwrap_or(text));
    let mut stack: Vec<Node> = vec![Node { name: String::new(), attrs: vec![], text: String::new(), children: vec![] }];
    let open = |e: &quick_xml::events::BytesStart<'_>| {
        let mut attrs: Vec<(String, String)> = e
            .attributes()
            .flatten()
            .map(|a| {
                let v =
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|v| v.into_owned()).unwrap_or_default();
                (a.key.as_ref().to_string(), v)
            })
            .collect();
        attrs.sort();
        Node { name: e.local_name().as_ref().to_string(), attrs, text: String::new(), children: vec![] }
    };
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => {
                let n = open(&e);
                stack.last_mut()?.children.push(n);
            }
            Event::End(_) => {
                let mut n = stack.pop()?;
                n.text = n.text.trim().to_string();
                if !n.children.is_empty() {
                    n.text.clear();
                }
                n.children.sort();
                stack.last_mut()?.children.push(n);
            }
            Event::Text(t) => stack.last_mut()?.text.push_str(&t.xml10_content()),
            Event::CData(c) => stack.last_mut()?.text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().ok()??
                } else {
                    match r.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => return None,
                    }
                };
                stack.last_mut()?.text.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop()?.children.pop()
}

fn same(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    if a.starts_with(b"PK") && b.starts_with(b"PK") {
        return support::zip::read(a) == support::zip::read(b);
    }
    matches!((parse_xml(a), parse_xml(b)), (Some(x), Some(y)) if x == y)
}

/// The differences between two trees, one line each.
fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, ignore: &[&str]) -> Vec<String> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        if ignore.contains(&k.as_str()) {
            continue;
        }
        match (a.get(k), b.get(k)) {
            (Some(_), None) => out.push(format!("only in sfgen's: {k}")),
            (None, Some(_)) => out.push(format!("only in sf's: {k}")),
            (Some(x), Some(y)) if !same(x, y) => out.push(format!("differs: {k}")),
            _ => {}
        }
    }
    out
}

/// A corpus project unpacked, with sf's conversions of it (made once per test run, shared by
/// the tests; each test writes its own outputs into its own temporary folder).
struct Project {
    name: String,
    dir: PathBuf,
    /// `sf project convert source` of the project (mdapi).
    sf_mdapi: PathBuf,
    /// `sf project convert mdapi` of that (source, under force-app).
    sf_source: PathBuf,
    /// `sf project generate manifest` of the project.
    sf_manifest: PathBuf,
    /// Whether the sf conversions were made (the CLI is installed).
    with_sf: bool,
}

fn prepared() -> &'static [Project] {
    static PROJECTS: std::sync::OnceLock<Vec<Project>> = std::sync::OnceLock::new();
    PROJECTS.get_or_init(|| {
        let Some(archives) = corpus() else { return Vec::new() };
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus");
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        let sf_cli = SfCli::locate();
        archives
            .iter()
            .map(|a| {
                let name = a.file_name().unwrap().to_string_lossy().trim_end_matches(".tar.gz").to_string();
                let work = base.join(&name);
                std::fs::create_dir_all(&work).unwrap();
                let dir = unpack(a, &work);
                let (sf_mdapi, sf_source, sf_manifest) =
                    (work.join("sf-mdapi"), work.join("sf-source"), work.join("sf-manifest"));
                if let Some(cli) = &sf_cli {
                    let sfbin = cli.write_launcher(&work.join("bin"));
                    sf(&sfbin, &dir, &["project", "convert", "source", "--output-dir", &sf_mdapi.to_string_lossy()]);
                    std::fs::create_dir_all(&sf_source).unwrap();
                    std::fs::write(
                        sf_source.join("sfdx-project.json"),
                        r#"{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"62.0"}"#,
                    )
                    .unwrap();
                    sf(
                        &sfbin,
                        &sf_source,
                        &[
                            "project",
                            "convert",
                            "mdapi",
                            "--root-dir",
                            &sf_mdapi.to_string_lossy(),
                            "--output-dir",
                            "force-app",
                        ],
                    );
                    sf(
                        &sfbin,
                        &dir,
                        &[
                            "project",
                            "generate",
                            "manifest",
                            "--source-dir",
                            "force-app",
                            "--output-dir",
                            &sf_manifest.to_string_lossy(),
                        ],
                    );
                }
                Project { name, dir, sf_mdapi, sf_source, sf_manifest, with_sf: sf_cli.is_some() }
            })
            .collect()
    })
}

/// The corpus projects; with `with_sf`, only when sf's conversions could be made (else the test
/// is skipped, or fails under `SFGEN_REQUIRE_SF=1`).
fn projects(with_sf: bool) -> Vec<&'static Project> {
    let all = prepared();
    if with_sf && !all.is_empty() && !all[0].with_sf && SfCli::require().is_none() {
        return Vec::new();
    }
    all.iter().collect()
}

fn members(package_xml: &[u8]) -> BTreeSet<(String, String)> {
    let root = parse_xml(package_xml).expect("package.xml parses");
    let mut out = BTreeSet::new();
    for t in root.children.iter().filter(|c| c.name == "types") {
        let name = t.children.iter().find(|c| c.name == "name").map(|n| n.text.clone()).unwrap_or_default();
        for m in t.children.iter().filter(|c| c.name == "members") {
            out.insert((name.clone(), m.text.clone()));
        }
    }
    out
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus) and the Salesforce CLI; .ci/run runs it"]
fn package_holds_what_sf_converts() {
    for p in projects(true) {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("p.zip");
        let r = sfgen(&root(), &["package", "--no-generate", "--include", s(&p.dir), "--out", s(&out)]);
        assert_eq!(r.code, 0, "{}: {}", p.name, r.stderr);
        let ours = files(&out);
        let theirs = files(&p.sf_mdapi);
        let diff = differences(&ours, &theirs, &[]);
        assert!(diff.is_empty(), "{}: sfgen's zip and sf's conversion differ:\n{}", p.name, diff.join("\n"));
        // The zip's package.xml names the project's sourceApiVersion, as sf's does.
        let version =
            |b: &[u8]| parse_xml(b).unwrap().children.iter().find(|c| c.name == "version").unwrap().text.clone();
        assert_eq!(version(&ours["package.xml"]), version(&theirs["package.xml"]), "{}", p.name);
    }
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus) and the Salesforce CLI; .ci/run runs it"]
fn package_with_generated_components_adds_exactly_them() {
    for p in projects(true) {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("g.zip");
        let cfg = root().join("fixtures/contact-webhook/sfgen.json");
        let r = sfgen(&root(), &["package", "-c", s(&cfg), "--include", s(&p.dir), "--out", s(&out)]);
        assert_eq!(r.code, 0, "{}: {}", p.name, r.stderr);
        let generated_dir = tmp.path().join("generated");
        let g = sfgen(&root(), &["generate", "-q", "-c", s(&cfg), "--format", "mdapi", "--out", s(&generated_dir)]);
        assert_eq!(g.code, 0, "{}", g.stderr);
        let mut expected = files(&p.sf_mdapi);
        for (path, bytes) in files(&generated_dir) {
            if path != "package.xml" {
                expected.insert(path, bytes);
            }
        }
        let ours = files(&out);
        let diff = differences(&ours, &expected, &["package.xml"]);
        assert!(diff.is_empty(), "{}:\n{}", p.name, diff.join("\n"));
        let mut listed = members(&files(&p.sf_mdapi)["package.xml"]);
        listed.extend(members(&files(&generated_dir)["package.xml"]));
        assert_eq!(members(&ours["package.xml"]), listed, "{}", p.name);
        // The project's sourceApiVersion wins, and a difference from the config's is reported.
        let project: serde_json::Value =
            serde_json::from_slice(&std::fs::read(p.dir.join("sfdx-project.json")).unwrap()).unwrap();
        let theirs = project["sourceApiVersion"].as_str().unwrap();
        assert!(String::from_utf8_lossy(&ours["package.xml"]).contains(&format!("<version>{theirs}</version>")));
        let config: serde_json::Value = serde_json::from_slice(&std::fs::read(&cfg).unwrap()).unwrap();
        let ours_version = config["apiVersion"].as_str().unwrap();
        if theirs != ours_version {
            assert!(r.stderr.contains(&format!("API version {theirs}")), "{}: {}", p.name, r.stderr);
        } else {
            assert!(!r.stderr.contains("its sourceApiVersion"), "{}: {}", p.name, r.stderr);
        }
    }
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus) and the Salesforce CLI; .ci/run runs it"]
fn convert_both_ways_equals_sf() {
    for p in projects(true) {
        let tmp = tempfile::tempdir().unwrap();
        let mdapi = tmp.path().join("to-mdapi");
        let r = sfgen(&root(), &["convert", "--from", s(&p.dir), "--to", s(&mdapi), "--format", "mdapi"]);
        assert_eq!(r.code, 0, "{}: {}", p.name, r.stderr);
        let diff = differences(&files(&mdapi), &files(&p.sf_mdapi), &[]);
        assert!(diff.is_empty(), "{} source -> mdapi:\n{}", p.name, diff.join("\n"));
        let source = tmp.path().join("to-source");
        let r = sfgen(&root(), &["convert", "--from", s(&p.sf_mdapi), "--to", s(&source), "--format", "source"]);
        assert_eq!(r.code, 0, "{}: {}", p.name, r.stderr);
        let diff = differences(&files(&source), &files(&p.sf_source), &["sfdx-project.json"]);
        assert!(diff.is_empty(), "{} mdapi -> source:\n{}", p.name, diff.join("\n"));
    }
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus) and the Salesforce CLI; .ci/run runs it"]
fn manifest_lists_what_sf_generate_manifest_lists() {
    for p in projects(true) {
        let r = sfgen(&root(), &["manifest", "--no-generate", "--include", s(&p.dir)]);
        assert_eq!(r.code, 0, "{}: {}", p.name, r.stderr);
        let theirs = std::fs::read(p.sf_manifest.join("package.xml")).unwrap();
        assert_eq!(members(r.stdout.as_bytes()), members(&theirs), "{}", p.name);
    }
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus) and the Salesforce CLI; .ci/run runs it"]
fn a_project_diffed_against_sfs_conversion_of_itself_has_no_differences_and_a_changed_copy_exactly_its_changes() {
    for p in projects(true) {
        let tmp = tempfile::tempdir().unwrap();
        let r = sfgen(
            &root(),
            &["diff", "--no-generate", "--include", s(&p.dir), "--org", s(&p.sf_mdapi), "--prune", "--format", "stat"],
        );
        assert_eq!(r.code, 0, "{}: {}{}", p.name, r.stdout, r.stderr);
        // A copy with a changed class, a removed field, a new label and a changed static resource.
        let copy = tmp.path().join("changed");
        let o = Command::new("cp").arg("-r").arg(&p.dir).arg(&copy).output().unwrap();
        assert!(o.status.success());
        let find = |suffix: &str| {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(copy.join("force-app"))
                .into_iter()
                .flatten()
                .map(|e| e.into_path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect();
            found.sort();
            found
        };
        let mut expected: BTreeSet<(String, String, String)> = BTreeSet::new();
        let class = find(".cls").into_iter().next().expect("a class");
        let mut text = std::fs::read_to_string(&class).unwrap();
        text.push_str("\n// changed\n");
        std::fs::write(&class, text).unwrap();
        let class_name = class.file_stem().unwrap().to_string_lossy().into_owned();
        expected.insert(("ApexClass".into(), class_name, "changed".into()));
        // A field of an object with a file of its own and other fields.
        let removable = |f: &PathBuf| {
            let fields = f.parent().unwrap();
            let object = fields.parent().unwrap();
            let name = object.file_name().unwrap().to_string_lossy().into_owned();
            object.join(format!("{name}.object-meta.xml")).is_file() && std::fs::read_dir(fields).unwrap().count() > 1
        };
        if let Some(field) = find(".field-meta.xml").into_iter().find(removable) {
            let object = field.parent().unwrap().parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
            let name = field.file_name().unwrap().to_string_lossy().trim_end_matches(".field-meta.xml").to_string();
            std::fs::remove_file(&field).unwrap();
            // The object's own elements are unchanged: only the field differs (child precision,
            // issue 23).
            expected.insert(("CustomField".into(), format!("{object}.{name}"), "removed".into()));
        }
        if let Some(labels) = find(".labels-meta.xml").into_iter().next() {
            let text = std::fs::read_to_string(&labels).unwrap().replace(
                "</CustomLabels>",
                "    <labels><fullName>Sfgen_Corpus_Test</fullName><language>en_US</language><protected>false</protected><shortDescription>t</shortDescription><value>t</value></labels>\n</CustomLabels>",
            );
            std::fs::write(&labels, text).unwrap();
            expected.insert(("CustomLabel".into(), "Sfgen_Corpus_Test".into(), "added".into()));
        }
        let r = sfgen(
            &root(),
            &["--json", "diff", "--no-generate", "--include", s(&copy), "--org", s(&p.sf_mdapi), "--prune"],
        );
        assert_eq!(r.code, 1, "{}: {}", p.name, r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let got: BTreeSet<(String, String, String)> = v["result"]["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] != "unchanged")
            .map(|c| {
                (
                    c["type"].as_str().unwrap().into(),
                    c["fullName"].as_str().unwrap().into(),
                    c["status"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{}", p.name);
    }
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus); .ci/run runs it"]
fn check_runs_on_the_projects_without_a_config() {
    for p in projects(false) {
        let dir = tempfile::tempdir().unwrap(); // no sfgen.json here
        for args in [vec!["check", "--package", s(&p.dir)], vec!["check", "--include", s(&p.dir)]] {
            let r = sfgen(dir.path(), &args);
            assert!(r.code == 0 || r.code == 1, "{} {args:?}: exit {}: {}", p.name, r.code, r.stderr);
            assert!(!r.stderr.contains("panicked"), "{}: {}", p.name, r.stderr);
        }
        let out = dir.path().join("p.zip");
        let r = sfgen(dir.path(), &["package", "--include", s(&p.dir), "--out", s(&out)]);
        assert_eq!(r.code, 0, "{}: package without a config: {}", p.name, r.stderr);
    }
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus); .ci/run runs it"]
fn files_that_are_no_metadata_are_each_named_once() {
    for p in projects(false) {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("w.zip");
        let r = sfgen(&root(), &["--json", "package", "--no-generate", "--include", s(&p.dir), "--out", s(&out)]);
        assert_eq!(r.code, 0, "{}: {}", p.name, r.stdout);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let warnings: Vec<String> =
            v["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_string()).collect();
        let jest: Vec<&String> = warnings.iter().filter(|w| w.contains("jest-mocks")).collect();
        let on_disk = walkdir::WalkDir::new(p.dir.join("force-app"))
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file() && e.path().to_string_lossy().contains("jest-mocks"))
            .count();
        assert_eq!(jest.len(), on_disk, "{}: every Jest mock is named once: {warnings:#?}", p.name);
    }
}
