//! `sfgen delta`: the delta between two git commits, as sfdx-git-delta (sgd) writes it.
//!
//! Two-commit repositories are built from the public corpus (`../shared/corpus`, or
//! `$SFGEN_SHARED/corpus`): the project as published, then a commit with the changes a pipeline
//! sees (classes changed, added, deleted and moved, a relabelled and a deleted field, an LWC
//! file, a file inside a folder static resource, custom labels, a permission set, a workflow's
//! rules, a whole object and a whole bundle deleted, files outside the package directory and
//! files .forceignore ignores). For each, the members of `package/package.xml` and
//! `destructiveChanges/destructiveChanges.xml` and the files of `--generate-delta` must equal
//! sgd 6.31.0's:
//!
//! - against the expectation committed in `tests/data/delta/*.json` (sgd's own output for the
//!   same repositories; the fast test);
//! - and against sgd itself, run beside sfgen on the same repository, when sgd is installed
//!   (`$SFGEN_SGD`, the folder of the `sfdx-git-delta` package, or where bench/bench.sh and
//!   .ci/run install it) with Node 22 (`$SFGEN_NODE`, or the one sf-conformance keeps); skipped
//!   without it, unless required (`SFGEN_REQUIRE_SGD=1`, `SFGEN_REQUIRE_ALL=1` or `CI`).
//!
//! The corpus tests are in the slow tier (`#[ignore]`d; `.ci/run` runs them): without the corpus
//! they are skipped, unless required (`SFGEN_REQUIRE_CORPUS=1`, `SFGEN_REQUIRE_ALL=1` or `CI`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{root, sfgen_in, Tool};

fn corpus(name: &str) -> Option<PathBuf> {
    Some(support::require(Tool::Corpus)?.join(format!("{name}.tar.gz")))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(["-c", "user.name=sfgen", "-c", "user.email=sfgen@example.com", "-c", "init.defaultBranch=main"])
        .args(["-c", "core.autocrlf=false", "-c", "protocol.file.allow=always"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The project `name` unpacked into `tmp` and committed once; returns its folder.
fn base(tmp: &Path, name: &str) -> Option<PathBuf> {
    let archive = corpus(name)?;
    let o = Command::new("tar").arg("xzf").arg(&archive).arg("-C").arg(tmp).output().expect("tar");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dir = tmp.join(name);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    Some(dir)
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn edit(dir: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let p = dir.join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let new = f(text.clone());
    assert_ne!(new, text, "{rel}: the edit changed nothing");
    std::fs::write(p, new).unwrap();
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn rm(dir: &Path, rel: &str) {
    let p = dir.join(rel);
    if p.is_dir() {
        std::fs::remove_dir_all(&p).unwrap();
    } else {
        std::fs::remove_file(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
}

const M: &str = "force-app/main/default";

fn label(name: &str, value: &str) -> String {
    format!(
        "    <labels>\n        <fullName>{name}</fullName>\n        <language>en_US</language>\n        <protected>true</protected>\n        <shortDescription>{name}</shortDescription>\n        <value>{value}</value>\n    </labels>\n"
    )
}

/// apex-recipes, and the change: classes changed, added and deleted, a relabelled and a deleted
/// field, an LWC file, a file of a folder static resource, a custom label changed and one
/// added, a permission set, a trigger; a README outside the package directory and a Jest test
/// .forceignore ignores.
fn apex_recipes(tmp: &Path) -> Option<PathBuf> {
    let d = base(tmp, "apex-recipes")?;
    let classes = format!("{M}/classes/Async Apex Recipes");
    edit(&d, &format!("{classes}/QueueableRecipes.cls"), |t| t.replacen("public", "// changed\npublic", 1));
    std::fs::copy(
        d.join(format!("{classes}/AtFutureRecipes.cls-meta.xml")),
        d.join(format!("{classes}/NewRecipes.cls-meta.xml")),
    )
    .unwrap();
    write(
        &d,
        &format!("{classes}/NewRecipes.cls"),
        "public with sharing class NewRecipes {\n    public static Integer answer() { return 42; }\n}\n",
    );
    rm(&d, &format!("{classes}/ScheduledApexDemo.cls"));
    rm(&d, &format!("{classes}/ScheduledApexDemo.cls-meta.xml"));
    edit(&d, &format!("{M}/objects/LogEvent__c/fields/Severity__c.field-meta.xml"), |t| {
        let start = t.find("<label>").unwrap();
        let end = t.find("</label>").unwrap();
        format!("{}<label>Severity (relabelled){}", &t[..start], &t[end..])
    });
    rm(&d, &format!("{M}/objects/LogEvent__c/fields/Quiddity__c.field-meta.xml"));
    edit(&d, &format!("{M}/lwc/errorPanel/errorPanel.js"), |t| t + "// changed\n");
    edit(&d, &format!("{M}/staticresources/highlight/prism.css"), |t| t + "/* changed */\n");
    edit(&d, &format!("{M}/labels/CustomLabels.labels-meta.xml"), |t| {
        let start = t.find("<value>").unwrap();
        let end = t.find("</value>").unwrap();
        let t = format!("{}<value>changed{}", &t[..start], &t[end..]);
        t.replace("</CustomLabels>", &format!("{}</CustomLabels>", label("New_Label", "new")))
    });
    edit(&d, &format!("{M}/permissionsets/Apex_Recipes.permissionset-meta.xml"), |t| {
        t.replacen("<label>", "<description>changed</description>\n    <label>", 1)
    });
    edit(&d, &format!("{M}/triggers/AccountTrigger.trigger"), |t| t + "// changed\n");
    write(&d, "README-delta.md", "outside the package directory\n");
    write(&d, &format!("{M}/lwc/errorPanel/__tests__/more.test.js"), "// .forceignore ignores __tests__\n");
    commit(&d, "change");
    Some(d)
}

const WORKFLOW: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Workflow xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <alerts>\n        <fullName>Notify_Broker</fullName>\n        <description>Notify</description>\n        <protected>false</protected>\n        <recipients>\n            <type>owner</type>\n        </recipients>\n        <senderType>CurrentUser</senderType>\n        <template>unfiled$public/Notify</template>\n    </alerts>\n    <rules>\n        <fullName>Price_Drop</fullName>\n        <active>true</active>\n        <formula>ISCHANGED(Price__c)</formula>\n        <triggerType>onAllChanges</triggerType>\n    </rules>\n    <rules>\n        <fullName>Sold</fullName>\n        <active>false</active>\n        <formula>true</formula>\n        <triggerType>onCreateOnly</triggerType>\n    </rules>\n</Workflow>\n";

/// dreamhouse-lwc with a workflow, and the change: a whole object and a whole bundle deleted, a
/// file of another bundle deleted (the bundle stays), an object's own file, a list view and a
/// compact layout changed, a field added, a class moved to another folder, a flow deleted, a
/// workflow rule changed, one deleted and a field update added, an Aura file changed.
fn dreamhouse(tmp: &Path) -> Option<PathBuf> {
    let d = base(tmp, "dreamhouse-lwc")?;
    write(&d, &format!("{M}/workflows/Property__c.workflow-meta.xml"), WORKFLOW);
    commit(&d, "workflow");
    rm(&d, &format!("{M}/objects/Broker__c"));
    rm(&d, &format!("{M}/lwc/daysOnMarket"));
    let card = format!("{M}/lwc/brokerCard");
    let extra = std::fs::read_dir(d.join(&card))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".html"))
        .unwrap();
    rm(&d, &format!("{card}/{extra}"));
    let p = format!("{M}/objects/Property__c");
    edit(&d, &format!("{p}/Property__c.object-meta.xml"), |t| {
        t.replacen("<label>", "<description>changed</description>\n    <label>", 1)
    });
    let list_view = std::fs::read_dir(d.join(format!("{p}/listViews")))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .min()
        .unwrap();
    edit(&d, &format!("{p}/listViews/{list_view}"), |t| t.replacen("<label>", "<label>Changed ", 1));
    edit(&d, &format!("{p}/compactLayouts/Property_Compact_Layout.compactLayout-meta.xml"), |t| {
        t.replacen("<label>", "<label>Changed ", 1)
    });
    write(
        &d,
        &format!("{p}/fields/Parking__c.field-meta.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Parking__c</fullName>\n    <label>Parking</label>\n    <type>Checkbox</type>\n    <defaultValue>false</defaultValue>\n</CustomField>\n",
    );
    std::fs::create_dir_all(d.join(format!("{M}/classes/moved"))).unwrap();
    for f in ["PagedResult.cls", "PagedResult.cls-meta.xml"] {
        std::fs::rename(d.join(format!("{M}/classes/{f}")), d.join(format!("{M}/classes/moved/{f}"))).unwrap();
    }
    rm(&d, &format!("{M}/flows/Create_property.flow-meta.xml"));
    edit(&d, &format!("{M}/workflows/Property__c.workflow-meta.xml"), |t| {
        let start = t.find("    <alerts>").unwrap();
        let end = t.find("    <rules>").unwrap();
        let t = format!("{}{}", &t[..start], &t[end..]);
        let t = t.replace("<triggerType>onCreateOnly</triggerType>", "<triggerType>onAllChanges</triggerType>");
        t.replacen(
            "    <rules>",
            "    <fieldUpdates>\n        <fullName>Mark_Sold</fullName>\n        <field>Status__c</field>\n        <literalValue>Closed</literalValue>\n        <name>Mark Sold</name>\n        <notifyAssignee>false</notifyAssignee>\n        <operation>Literal</operation>\n        <protected>false</protected>\n    </fieldUpdates>\n    <rules>",
            1,
        )
    });
    let aura = std::fs::read_dir(d.join(format!("{M}/aura/pageTemplate_2_7_3")))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".cmp"))
        .unwrap();
    edit(&d, &format!("{M}/aura/pageTemplate_2_7_3/{aura}"), |t| t + "\n<!-- changed -->\n");
    write(&d, "force-app/notes.txt", "not metadata\n");
    commit(&d, "change");
    Some(d)
}

/// The members of a manifest, by type.
fn members(xml: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(xml).unwrap_or_else(|e| panic!("{}: {e}", xml.display()));
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for types in text.split("<types>").skip(1) {
        let body = types.split("</types>").next().unwrap();
        let name = body.split("<name>").nth(1).unwrap().split("</name>").next().unwrap().to_string();
        let set = out.entry(name).or_default();
        for m in body.split("<members>").skip(1) {
            set.insert(m.split("</members>").next().unwrap().to_string());
        }
    }
    out
}

/// What a delta folder holds: both manifests' members and every other file.
#[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Outcome {
    package: BTreeMap<String, BTreeSet<String>>,
    #[serde(rename = "destructiveChanges")]
    destructive: BTreeMap<String, BTreeSet<String>>,
    files: BTreeSet<String>,
}

fn outcome(out: &Path) -> Outcome {
    assert!(
        members(&out.join("destructiveChanges/package.xml")).is_empty(),
        "destructiveChanges/package.xml is the empty manifest"
    );
    let files = support::read_tree(out)
        .into_keys()
        .filter(|p| {
            !matches!(
                p.as_str(),
                "package/package.xml" | "destructiveChanges/destructiveChanges.xml" | "destructiveChanges/package.xml"
            )
        })
        .collect();
    Outcome {
        package: members(&out.join("package/package.xml")),
        destructive: members(&out.join("destructiveChanges/destructiveChanges.xml")),
        files,
    }
}

fn run_sfgen(repo: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["delta", "--from", "HEAD~1", "-d", out.to_str().unwrap(), "--generate-delta", "--json"];
    args.extend_from_slice(extra);
    support::Sfgen::new().current_dir(repo).args(&args).status(0).run().json()
}

/// Runs sgd's own entry point on `repo` into `out` (as `sf sgd source delta --from HEAD~1
/// --to HEAD --generate-delta --ignore-file .forceignore` does).
fn run_sgd(package: &Path, node: &Path, repo: &Path, out: &Path) -> Vec<String> {
    std::fs::create_dir_all(out).unwrap();
    let o = Command::new(node)
        .arg(root().join("tests/data/delta/sgd-run.mjs"))
        .arg(package)
        .arg(repo)
        .args(["HEAD~1", "HEAD"])
        .arg(out)
        .args(["--generate-delta", "--ignore", ".forceignore"])
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "sgd: {stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or("{}")).expect("sgd's JSON");
    v["warnings"].as_array().into_iter().flatten().filter_map(|w| w.as_str().map(str::to_string)).collect()
}

/// The delta of `repo`'s last commit equals the committed expectation `name` (sgd's output),
/// and sgd's own output when sgd is installed.
fn check(repo: &Path, tmp: &Path, name: &str) -> serde_json::Value {
    let ours = tmp.join("sfgen-out");
    let json = run_sfgen(repo, &ours, &[]);
    let got = outcome(&ours);
    let expected_file = root().join(format!("tests/data/delta/{name}.json"));
    if support::updating() {
        std::fs::write(&expected_file, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
    }
    let want: Outcome = serde_json::from_str(&std::fs::read_to_string(&expected_file).unwrap()).unwrap();
    pretty_assertions::assert_eq!(got, want, "sfgen against the expectation {}", expected_file.display());
    if let Some((package, node)) = support::sgd() {
        let theirs = tmp.join("sgd-out");
        let warnings = run_sgd(&package, &node, repo, &theirs);
        let sgd_outcome = outcome(&theirs);
        pretty_assertions::assert_eq!(got, sgd_outcome, "sfgen against sgd run beside it");
        assert_eq!(want, sgd_outcome, "the committed expectation is sgd's output: regenerate it");
        eprintln!("sgd warnings: {warnings:?}");
    }
    json
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus); .ci/run runs it"]
fn apex_recipes_delta_is_sgds_with_the_tests_named() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(repo) = apex_recipes(tmp.path()) else { return };
    let json = check(&repo, tmp.path(), "apex-recipes");
    let r = &json["result"];
    assert_eq!(json["status"], 0);
    // NewRecipes has no test: the validation runs every local test, and says why.
    assert_eq!(r["tests"]["testLevel"], "RunLocalTests");
    assert!(r["tests"]["reason"].as_str().unwrap().contains("ApexClass:NewRecipes"), "{r}");
    let reached = &r["tests"]["reachedBy"];
    assert!(
        reached["ApexClass:QueueableRecipes"].as_array().unwrap().iter().any(|t| t == "QueueableRecipes_Tests"),
        "{reached}"
    );
    assert!(
        reached["ApexTrigger:AccountTrigger"].as_array().unwrap().iter().any(|t| t == "AccountTriggerHandler_Tests"),
        "{reached}"
    );
    assert!(r["validateCommand"].as_str().unwrap().contains("--post-destructive-changes"), "{r}");
    // What no component takes is no change: the README outside force-app, the ignored test.
    let changes: Vec<&str> = r["changes"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert!(!changes.iter().any(|p| p.contains("README-delta") || p.contains("__tests__")), "{changes:?}");
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus); .ci/run runs it"]
fn dreamhouse_delta_is_sgds_with_deleted_parents_bundles_and_workflow_children() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(repo) = dreamhouse(tmp.path()) else { return };
    let json = check(&repo, tmp.path(), "dreamhouse-lwc");
    let warnings: Vec<&str> = json["warnings"].as_array().unwrap().iter().filter_map(|w| w.as_str()).collect();
    assert!(warnings.iter().any(|w| w.contains("Flow Create_property is deleted")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("CustomObject Broker__c is deleted with")), "{warnings:?}");
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus); .ci/run runs it"]
fn a_changed_class_runs_the_tests_that_reach_it() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(d) = base(tmp.path(), "apex-recipes") else { return };
    edit(&d, &format!("{M}/classes/Async Apex Recipes/QueueableRecipes.cls"), |t| t + "// changed\n");
    commit(&d, "change");
    let out = tmp.path().join("out");
    let json = run_sfgen(&d, &out, &["--target-org", "ci"]);
    let r = &json["result"];
    assert_eq!(r["tests"]["testLevel"], "RunSpecifiedTests", "{r}");
    let classes: Vec<&str> = r["tests"]["classes"].as_array().unwrap().iter().filter_map(|c| c.as_str()).collect();
    assert!(classes.contains(&"QueueableRecipes_Tests"), "{classes:?}");
    assert!(!classes.contains(&"AccountTriggerHandler_Tests"), "{classes:?}");
    let validate = r["validateCommand"].as_str().unwrap();
    assert!(
        validate.contains(
            "--test-level RunSpecifiedTests --tests QueueableChainingRecipes_Tests --tests QueueableRecipes_Tests"
        ),
        "{validate}"
    );
    assert!(!validate.contains("destructive"), "nothing to delete: {validate}");
    // The text names the command too with --plan-tests; without it (sgd's output, no Apex
    // read) every local test runs.
    let o = sfgen_in(&d, &["delta", "--from", "HEAD~1", "-d", out.to_str().unwrap(), "--plan-tests"]);
    let text = o.stdout.clone();
    assert!(
        text.contains("sf project deploy validate --manifest") && text.contains("--tests QueueableRecipes_Tests"),
        "{text}"
    );
    let o = sfgen_in(&d, &["delta", "--from", "HEAD~1", "-d", out.to_str().unwrap()]);
    let text = o.stdout.clone();
    assert!(
        text.contains("--test-level RunLocalTests") && text.contains("--plan-tests names the test classes"),
        "{text}"
    );
}

/// A small repository of its own (no corpus needed).
fn tiny(tmp: &Path) -> PathBuf {
    let d = tmp.join("tiny");
    write(
        &d,
        "sfdx-project.json",
        r#"{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"61.0"}"#,
    );
    let meta = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>61.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n";
    write(&d, &format!("{M}/classes/A.cls"), "public class A {}\n");
    write(&d, &format!("{M}/classes/A.cls-meta.xml"), meta);
    git(&d, &["init", "-q"]);
    commit(&d, "one");
    write(&d, &format!("{M}/classes/A.cls"), "public class A { }\n");
    commit(&d, "two");
    write(&d, &format!("{M}/classes/A.cls"), "public  class  A  {  }\r\n");
    commit(&d, "whitespace");
    d
}

#[test]
fn a_shallow_clone_or_a_missing_commit_is_exit_2_with_what_to_fetch_and_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tiny(tmp.path());
    let shallow = tmp.path().join("shallow");
    let url = format!("file://{}", d.display());
    git(tmp.path(), &["clone", "-q", "--depth", "1", &url, shallow.to_str().unwrap()]);
    let out = tmp.path().join("out");
    let o = sfgen_in(&shallow, &["delta", "--from", "HEAD~1", "-d", out.to_str().unwrap()]);
    let err = o.stderr.clone();
    assert_eq!(o.code, 2, "{err}");
    assert!(err.contains("--from HEAD~1") && err.contains("shallow"), "{err}");
    assert!(err.contains("git fetch --deepen") && err.contains("fetch-depth: 0"), "{err}");
    assert!(!out.exists(), "nothing written");
    let o = sfgen_in(&shallow, &["delta", "--from", "HEAD~1", "-d", out.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!((v["status"].as_i64(), v["name"].as_str()), (Some(2), Some("InputError")), "{v}");

    let o = sfgen_in(&d, &["delta", "--from", "no-such-branch", "-d", out.to_str().unwrap()]);
    let err = o.stderr.clone();
    assert_eq!(o.code, 2, "{err}");
    assert!(err.contains("--from no-such-branch: no such commit") && err.contains("git fetch origin"), "{err}");
    assert!(!out.exists(), "nothing written");
    let o = sfgen_in(&tmp.path().join("shallow/force-app"), &["delta", "--from", "HEAD", "--repo-dir", "/"]);
    assert_eq!(o.code, 2, "{}", o.stderr.clone());
}

#[test]
fn whitespace_only_changes_count_unless_ignored_and_nothing_changed_is_empty_manifests() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tiny(tmp.path());
    let out = tmp.path().join("out");
    let json = run_sfgen(&d, &out, &[]);
    assert_eq!(json["result"]["package"]["ApexClass"], serde_json::json!(["A"]));
    assert_eq!(json["result"]["apiVersion"], "61.0");
    let json = run_sfgen(&d, &out, &["--ignore-whitespace"]);
    assert_eq!(json["result"]["package"], serde_json::json!({}));
    let text = std::fs::read_to_string(out.join("package/package.xml")).unwrap();
    assert!(!text.contains("<types>") && text.contains("<version>61.0</version>"), "{text}");
    assert!(out.join("destructiveChanges/destructiveChanges.xml").is_file());
    // An earlier delta's files stay unless written again; the manifests are rewritten.
    let o = sfgen_in(&d, &["delta", "--from", "HEAD", "-d", out.to_str().unwrap(), "--api-version", "60.0"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.clone().contains("Nothing to deploy."));
    assert!(std::fs::read_to_string(out.join("package/package.xml")).unwrap().contains("<version>60.0</version>"));
}

#[test]
fn ignore_and_include_files_follow_sgd() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tiny(tmp.path());
    let meta = std::fs::read_to_string(d.join(format!("{M}/classes/A.cls-meta.xml"))).unwrap();
    write(&d, &format!("{M}/classes/B.cls"), "public class B {}\n");
    write(&d, &format!("{M}/classes/B.cls-meta.xml"), &meta);
    rm(&d, &format!("{M}/classes/A.cls"));
    rm(&d, &format!("{M}/classes/A.cls-meta.xml"));
    commit(&d, "b");
    write(&tmp.path().join("ign"), "ignore", "**/classes/**\n");
    let out = tmp.path().join("out");
    let ignore = tmp.path().join("ign/ignore");
    let json = run_sfgen(&d, &out, &["--ignore-file", ignore.to_str().unwrap()]);
    let r = &json["result"];
    // --ignore-file applies to deletions too when no --ignore-destructive-file is given.
    assert_eq!(
        (r["package"].clone(), r["destructiveChanges"].clone()),
        (serde_json::json!({}), serde_json::json!({})),
        "{r}"
    );
    write(&tmp.path().join("ign"), "none", "nothing-matches\n");
    let none = tmp.path().join("ign/none");
    let json = run_sfgen(
        &d,
        &out,
        &["--ignore-file", ignore.to_str().unwrap(), "--ignore-destructive-file", none.to_str().unwrap()],
    );
    assert_eq!(json["result"]["destructiveChanges"], serde_json::json!({"ApexClass": ["A"]}));
    // --include-file: deployed whatever changed.
    write(&d, &format!("{M}/classes/C.cls"), "public class C {}\n");
    write(&d, &format!("{M}/classes/C.cls-meta.xml"), &meta);
    commit(&d, "c");
    write(&tmp.path().join("ign"), "include", "**/B.cls\n");
    let include = tmp.path().join("ign/include");
    let json = run_sfgen(&d, &out, &["--include-file", include.to_str().unwrap()]);
    assert_eq!(json["result"]["package"], serde_json::json!({"ApexClass": ["B", "C"]}));
    let json = run_sfgen(&d, &out, &["--include-destructive-file", include.to_str().unwrap()]);
    assert_eq!(json["result"]["destructiveChanges"], serde_json::json!({"ApexClass": ["B"]}));
}

#[test]
fn deleting_a_class_still_named_elsewhere_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tiny(tmp.path());
    let meta = std::fs::read_to_string(d.join(format!("{M}/classes/A.cls-meta.xml"))).unwrap();
    write(&d, &format!("{M}/classes/B.cls"), "public class B {}\n");
    write(&d, &format!("{M}/classes/B.cls-meta.xml"), &meta);
    write(&d, &format!("{M}/classes/User.cls"), "public class User { B b = new B(); }\n");
    write(&d, &format!("{M}/classes/User.cls-meta.xml"), &meta);
    commit(&d, "b");
    rm(&d, &format!("{M}/classes/B.cls"));
    rm(&d, &format!("{M}/classes/B.cls-meta.xml"));
    commit(&d, "delete b");
    let json = run_sfgen(&d, &tmp.path().join("out"), &[]);
    assert_eq!(json["result"]["destructiveChanges"], serde_json::json!({"ApexClass": ["B"]}));
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("ApexClass B is deleted, but User still names it"), "{warnings}");
    assert_eq!(json["result"]["tests"]["testLevel"], "RunLocalTests");
}

/// The permission set `name` (source format, one file) decomposed as `sf project convert
/// source-behavior --behavior decomposePermissionSetBeta2` writes it: a folder named after it
/// holding `name.permissionset-meta.xml` (its own properties), one `objectSettings/Obj.
/// objectSettings-meta.xml` per object (its object, field, record type and tab settings) and one
/// `name.<child>-meta.xml` per other kind of child (class accesses, user permissions...).
fn decompose_permission_set(dir: &Path, name: &str) {
    let ps = format!("{M}/permissionsets");
    let file = dir.join(format!("{ps}/{name}.permissionset-meta.xml"));
    let text = std::fs::read_to_string(&file).unwrap();
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n";
    let mut own = String::new();
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let Some(tag) = line.strip_prefix("    <").filter(|_| !line.starts_with("     ")) else {
            i += 1;
            continue;
        };
        let tag = tag.split(['>', ' ', '/']).next().unwrap().to_string();
        let mut block = vec![line];
        if !line.contains(&format!("</{tag}>")) && !line.ends_with("/>") {
            i += 1;
            while i < lines.len() && lines[i] != format!("    </{tag}>") {
                block.push(lines[i]);
                i += 1;
            }
            block.push(lines.get(i).copied().unwrap_or(""));
        }
        i += 1;
        let block = block.join("\n") + "\n";
        let value = |el: &str| {
            block.split(&format!("<{el}>")).nth(1).and_then(|r| r.split(&format!("</{el}>")).next()).map(str::to_string)
        };
        let object = match tag.as_str() {
            "fieldPermissions" => value("field").map(|f| f.split('.').next().unwrap().to_string()),
            "recordTypeVisibilities" => value("recordType").map(|f| f.split('.').next().unwrap().to_string()),
            "objectPermissions" => value("object"),
            "tabSettings" => value("tab"),
            _ => None,
        };
        let suffix = match tag.as_str() {
            "applicationVisibilities" => Some("applicationVisibility"),
            "classAccesses" => Some("classAccess"),
            "customPermissions" => Some("customPermission"),
            "pageAccesses" => Some("pageAccess"),
            "userPermissions" => Some("userPermission"),
            "customMetadataTypeAccesses" => Some("customMetadataTypeAccess"),
            "customSettingAccesses" => Some("customSettingAccess"),
            "flowAccesses" => Some("flowAccess"),
            _ => None,
        };
        match (object, suffix) {
            (Some(o), _) => {
                groups.entry(format!("objectSettings/{o}.objectSettings-meta.xml")).or_default().push_str(&block)
            }
            (None, Some(s)) => groups.entry(format!("{name}.{s}-meta.xml")).or_default().push_str(&block),
            (None, None) => own.push_str(&block),
        }
    }
    rm(dir, &format!("{ps}/{name}.permissionset-meta.xml"));
    write(dir, &format!("{ps}/{name}/{name}.permissionset-meta.xml"), &format!("{head}{own}</PermissionSet>\n"));
    for (rel, body) in groups {
        write(dir, &format!("{ps}/{name}/{rel}"), &format!("{head}{body}</PermissionSet>\n"));
    }
}

/// apex-recipes with its permission sets decomposed (`decomposePermissionSetBeta2`), and the
/// change: a field permission changed in one object's settings, a class access added to
/// another set, one set deleted whole, the properties file of a fourth changed, and the object
/// settings of a fifth deleted while the set stays.
fn apex_recipes_decomposed(tmp: &Path) -> Option<PathBuf> {
    let d = base(tmp, "apex-recipes")?;
    for name in [
        "Apex_Recipes",
        "Provides_Read_Only_Access_to_Account_and_All_Fields",
        "Provides_Edit_Access_to_Accounts_Except_ShippingStreet",
        "Read_access_to_Account_Shipping_Address",
        "Provides_Read_Access_to_Contact_and_Contact_Name_field",
    ] {
        decompose_permission_set(&d, name);
    }
    edit(&d, "sfdx-project.json", |t| {
        t.replacen(
            "\"sourceApiVersion\"",
            "\"sourceBehaviorOptions\": [\"decomposePermissionSetBeta2\"],\n  \"sourceApiVersion\"",
            1,
        )
    });
    commit(&d, "decomposed");
    let ps = format!("{M}/permissionsets");
    edit(
        &d,
        &format!(
            "{ps}/Provides_Read_Only_Access_to_Account_and_All_Fields/objectSettings/Account.objectSettings-meta.xml"
        ),
        |t| t.replacen("<editable>false</editable>", "<editable>true</editable>", 1),
    );
    let classes = format!("{ps}/Provides_Edit_Access_to_Accounts_Except_ShippingStreet/Provides_Edit_Access_to_Accounts_Except_ShippingStreet.classAccess-meta.xml");
    write(
        &d,
        &classes,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <classAccesses>\n        <apexClass>AccountServiceLayer</apexClass>\n        <enabled>true</enabled>\n    </classAccesses>\n</PermissionSet>\n",
    );
    rm(&d, &format!("{ps}/Read_access_to_Account_Shipping_Address"));
    edit(&d, &format!("{ps}/Apex_Recipes/Apex_Recipes.permissionset-meta.xml"), |t| {
        t.replacen("<label>", "<description>changed</description>\n    <label>", 1)
    });
    rm(&d, &format!("{ps}/Provides_Read_Access_to_Contact_and_Contact_Name_field/objectSettings"));
    commit(&d, "change");
    Some(d)
}

#[test]
#[ignore = "slow tier: needs the corpus (../shared/corpus); .ci/run runs it"]
fn decomposed_permission_sets_are_sgds() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(repo) = apex_recipes_decomposed(tmp.path()) else { return };
    let json = check(&repo, tmp.path(), "apex-recipes-decomposed-permission-sets");
    let r = &json["result"];
    // A file of a decomposed set deploys the set, never a child as its own member; a set whose
    // folder is gone is deleted; a set that keeps files is deployed.
    let deployed = r["package"]["PermissionSet"].as_array().unwrap();
    for name in [
        "Apex_Recipes",
        "Provides_Read_Only_Access_to_Account_and_All_Fields",
        "Provides_Edit_Access_to_Accounts_Except_ShippingStreet",
        "Provides_Read_Access_to_Contact_and_Contact_Name_field",
    ] {
        assert!(deployed.iter().any(|m| m == name), "{name} deployed: {r}");
    }
    assert!(!deployed.iter().any(|m| m == "objectSettings" || m == "Account"), "{r}");
    assert_eq!(
        r["destructiveChanges"],
        serde_json::json!({"PermissionSet": ["Read_access_to_Account_Shipping_Address"]})
    );
}

/// The first decomposed layout (`decomposePermissionSetBeta`: one folder per kind of child,
/// `permissionsets/X/fieldPermissions/Obj.F.fieldPermission-meta.xml`) deploys and deletes the
/// permission set `X` too. sgd 6.31 names the child folder instead (`fieldPermissions` as a
/// PermissionSet member, sgd issue #1024; fixed after 6.31 by sgd pull request #1227), which no
/// org has; sfgen does not follow it.
#[test]
fn the_first_decomposed_permission_set_layout_is_the_set_too() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tiny(tmp.path());
    let ps = format!("{M}/permissionsets");
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n";
    for set in ["Sales", "Gone"] {
        write(
            &d,
            &format!("{ps}/{set}/{set}.permissionset-meta.xml"),
            &format!("{head}    <label>{set}</label>\n</PermissionSet>\n"),
        );
        write(
            &d,
            &format!("{ps}/{set}/fieldPermissions/Account.Rating.fieldPermission-meta.xml"),
            &format!("{head}    <fieldPermissions>\n        <editable>false</editable>\n        <field>Account.Rating</field>\n        <readable>true</readable>\n    </fieldPermissions>\n</PermissionSet>\n"),
        );
    }
    commit(&d, "sets");
    edit(&d, &format!("{ps}/Sales/fieldPermissions/Account.Rating.fieldPermission-meta.xml"), |t| {
        t.replace("<editable>false</editable>", "<editable>true</editable>")
    });
    rm(&d, &format!("{ps}/Gone"));
    commit(&d, "change");
    let out = tmp.path().join("out");
    let json = run_sfgen(&d, &out, &[]);
    let r = &json["result"];
    assert_eq!(r["package"], serde_json::json!({"PermissionSet": ["Sales"]}), "{r}");
    assert_eq!(r["destructiveChanges"], serde_json::json!({"PermissionSet": ["Gone"]}), "{r}");
    // The whole folder of a changed set is copied, as sgd copies a decomposed set.
    let files: Vec<&str> = r["files"].as_array().unwrap().iter().filter_map(|f| f.as_str()).collect();
    assert_eq!(
        files,
        vec![
            format!("{ps}/Sales/Sales.permissionset-meta.xml"),
            format!("{ps}/Sales/fieldPermissions/Account.Rating.fieldPermission-meta.xml")
        ]
    );
}

const HEAD_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

fn picklist(name: &str, values: &[&str], controlling: Option<(&str, &[(&str, &str)])>) -> String {
    let values: String = values
        .iter()
        .map(|v| format!("            <value>\n                <fullName>{v}</fullName>\n                <default>false</default>\n                <label>{v}</label>\n            </value>\n"))
        .collect();
    let (ctl, settings) = match controlling {
        Some((field, pairs)) => (
            format!("        <controllingField>{field}</controllingField>\n"),
            pairs
                .iter()
                .map(|(c, v)| format!("        <valueSettings>\n            <controllingFieldValue>{c}</controllingFieldValue>\n            <valueName>{v}</valueName>\n        </valueSettings>\n"))
                .collect::<String>(),
        ),
        None => (String::new(), String::new()),
    };
    format!("{HEAD_XML}<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>{name}</fullName>\n    <label>{name}</label>\n    <type>Picklist</type>\n    <valueSet>\n{ctl}        <valueSetDefinition>\n{values}        </valueSetDefinition>\n{settings}    </valueSet>\n</CustomField>\n")
}

/// A project with an object, a controlling and a dependent picklist, two classes (A names
/// Helper, Helper names two labels), three labels; then a change: the dependent picklist gains
/// a value, A and Helper change, the label Greeting changes, a new field and a new permission
/// set granting it and A.
fn dependencies_repo(tmp: &Path) -> PathBuf {
    let d = tiny(tmp);
    let obj = format!("{M}/objects/Invoice__c");
    write(&d, &format!("{obj}/Invoice__c.object-meta.xml"), &format!("{HEAD_XML}<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>Invoice</label>\n</CustomObject>\n"));
    write(&d, &format!("{obj}/fields/Status__c.field-meta.xml"), &picklist("Status__c", &["Open", "Closed"], None));
    write(
        &d,
        &format!("{obj}/fields/Stage__c.field-meta.xml"),
        &picklist("Stage__c", &["New"], Some(("Status__c", &[("Open", "New")]))),
    );
    write(
        &d,
        &format!("{obj}/recordTypes/Big.recordType-meta.xml"),
        &format!("{HEAD_XML}<RecordType xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Big</fullName>\n    <active>true</active>\n    <label>Big</label>\n    <picklistValues>\n        <picklist>Status__c</picklist>\n        <values>\n            <fullName>Open</fullName>\n            <default>false</default>\n        </values>\n        <values>\n            <fullName>Closed</fullName>\n            <default>false</default>\n        </values>\n    </picklistValues>\n</RecordType>\n"),
    );
    let meta = std::fs::read_to_string(d.join(format!("{M}/classes/A.cls-meta.xml"))).unwrap();
    write(
        &d,
        &format!("{M}/classes/Helper.cls"),
        "public class Helper { public static String hi() { return Label.Greeting; } }\n",
    );
    write(&d, &format!("{M}/classes/Helper.cls-meta.xml"), &meta);
    write(&d, &format!("{M}/classes/A.cls"), "public class A { void m() { Helper.hi(); } }\n");
    let labels = |greeting: &str| {
        format!(
            "{HEAD_XML}<CustomLabels xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n{}{}{}</CustomLabels>\n",
            label("Greeting", greeting),
            label("Other", "Other"),
            label("Unused", "Unused")
        )
    };
    write(&d, &format!("{M}/labels/CustomLabels.labels-meta.xml"), &labels("Hello"));
    commit(&d, "project");
    edit(&d, &format!("{obj}/fields/Stage__c.field-meta.xml"), |_| {
        picklist("Stage__c", &["New", "Done"], Some(("Status__c", &[("Open", "New"), ("Closed", "Done")])))
    });
    write(&d, &format!("{M}/classes/A.cls"), "public class A { void m() { Helper.hi(); Invoice__c i; } }\n");
    write(
        &d,
        &format!("{M}/classes/Helper.cls"),
        "public class Helper { public static String hi() { return Label.Greeting + Label.Other; } }\n",
    );
    write(&d, &format!("{M}/labels/CustomLabels.labels-meta.xml"), &labels("Hello there"));
    write(
        &d,
        &format!("{obj}/fields/Amount__c.field-meta.xml"),
        &format!("{HEAD_XML}<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Amount__c</fullName>\n    <label>Amount</label>\n    <precision>18</precision>\n    <scale>2</scale>\n    <type>Number</type>\n</CustomField>\n"),
    );
    write(
        &d,
        &format!("{M}/permissionsets/Billing.permissionset-meta.xml"),
        &format!("{HEAD_XML}<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <classAccesses>\n        <apexClass>A</apexClass>\n        <enabled>true</enabled>\n    </classAccesses>\n    <fieldPermissions>\n        <editable>true</editable>\n        <field>Invoice__c.Amount__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n    <label>Billing</label>\n</PermissionSet>\n"),
    );
    commit(&d, "change");
    d
}

fn deps(json: &serde_json::Value) -> Vec<String> {
    json["result"]["dependencies"]
        .as_array()
        .unwrap_or_else(|| panic!("result.dependencies is a list: {json}"))
        .iter()
        .map(|a| format!("{}:{}", a["type"].as_str().unwrap(), a["member"].as_str().unwrap()))
        .collect()
}

#[test]
fn with_dependencies_adds_what_the_delta_needs_each_with_its_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dependencies_repo(tmp.path());
    let out = tmp.path().join("out");
    let sgds = serde_json::json!({
        "ApexClass": ["A", "Helper"],
        "CustomField": ["Invoice__c.Amount__c", "Invoice__c.Stage__c"],
        "CustomLabel": ["Greeting"],
        "PermissionSet": ["Billing"]
    });
    // Without the flag: sgd's members, no dependencies.
    let json = run_sfgen(&d, &out, &[]);
    assert_eq!(json["result"]["package"], sgds);
    assert!(json["result"]["dependencies"].is_null(), "{json}");
    // The controlling field of the changed dependent picklist, though unchanged: the deploy
    // checks the dependent's valueSettings against it.
    let json = run_sfgen(&d, &out, &["--with-dependencies"]);
    assert_eq!(deps(&json), vec!["CustomField:Invoice__c.Status__c"]);
    let a = &json["result"]["dependencies"][0];
    assert_eq!(a["neededBy"], "CustomField:Invoice__c.Stage__c");
    assert!(a["reason"].as_str().unwrap().contains("dependent picklist"), "{a}");
    assert_eq!(
        json["result"]["package"]["CustomField"],
        serde_json::json!(["Invoice__c.Amount__c", "Invoice__c.Stage__c", "Invoice__c.Status__c"])
    );
    assert_eq!(members(&out.join("package/package.xml"))["CustomField"].len(), 3);
    assert!(
        out.join(format!("{M}/objects/Invoice__c/fields/Status__c.field-meta.xml")).is_file(),
        "its file is copied"
    );
    let o = sfgen_in(&d, &["delta", "--from", "HEAD~1", "-d", out.to_str().unwrap(), "--with-dependencies"]);
    assert!(
        o.stdout.contains("with dependencies: 1 added")
            && o.stdout
                .contains("CustomField:Invoice__c.Status__c  (CustomField:Invoice__c.Stage__c is a dependent picklist"),
        "{}",
        o.stdout
    );

    // --ignore-file leaves out what the range changed: nothing it ignores is added back, the
    // warnings say what the delta needs of it.
    write(
        tmp.path(),
        "ign",
        &format!("{M}/classes/Helper.cls\n{M}/objects/Invoice__c/fields/Amount__c.field-meta.xml\n"),
    );
    let ign = tmp.path().join("ign");
    let json = run_sfgen(&d, &out, &["--with-dependencies", "--ignore-file", ign.to_str().unwrap()]);
    assert_eq!(deps(&json), vec!["CustomField:Invoice__c.Status__c"]);
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("ApexClass:A needs ApexClass:Helper (changed in the range and left out of the delta), which --ignore-file leaves out"), "{warnings}");
    assert!(warnings.contains("PermissionSet:Billing needs CustomField:Invoice__c.Amount__c (new in the range and left out of the delta), which --ignore-file leaves out: the deploy fails unless the org holds it"), "{warnings}");
    assert!(!json["result"]["package"]["ApexClass"].to_string().contains("Helper"));

    // --source-dir narrows what changed, not what is needed: the range's new field the
    // permission set grants, and the label the class names, are added.
    let json = run_sfgen(
        &d,
        &out,
        &[
            "--with-dependencies",
            "--source-dir",
            &format!("{M}/permissionsets"),
            "--source-dir",
            &format!("{M}/classes"),
        ],
    );
    assert_eq!(
        deps(&json),
        vec!["CustomLabel:Greeting", "CustomField:Invoice__c.Amount__c"],
        "{}",
        json["result"]["dependencies"]
    );
    let labels = std::fs::read_to_string(out.join(format!("{M}/labels/CustomLabels.labels-meta.xml"))).unwrap();
    assert!(
        labels.contains("<fullName>Greeting</fullName>") && !labels.contains("<fullName>Other</fullName>"),
        "the label file holds the label added: {labels}"
    );

    // `all`: what the org may lack though the range left it alone (a scratch org).
    let json = run_sfgen(&d, &out, &["--with-dependencies=all"]);
    let all = deps(&json);
    for m in ["CustomObject:Invoice__c", "CustomLabel:Other", "CustomField:Invoice__c.Status__c"] {
        assert!(all.contains(&m.to_string()), "{m} in {all:?}");
    }
    assert!(!all.contains(&"CustomLabel:Unused".to_string()), "nothing names Unused: {all:?}");
    let labels = std::fs::read_to_string(out.join(format!("{M}/labels/CustomLabels.labels-meta.xml"))).unwrap();
    assert!(
        labels.contains("<fullName>Other</fullName>") && !labels.contains("<fullName>Unused</fullName>"),
        "{labels}"
    );
}

#[test]
fn a_picklist_losing_a_value_a_record_type_assigns_brings_the_record_type_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dependencies_repo(tmp.path());
    let obj = format!("{M}/objects/Invoice__c");
    edit(&d, &format!("{obj}/fields/Status__c.field-meta.xml"), |_| picklist("Status__c", &["Open"], None));
    commit(&d, "Closed is gone");
    let out = tmp.path().join("out");
    let json = run_sfgen(&d, &out, &[]);
    assert_eq!(json["result"]["package"], serde_json::json!({"CustomField": ["Invoice__c.Status__c"]}));
    let json = run_sfgen(&d, &out, &["--with-dependencies"]);
    assert_eq!(deps(&json), vec!["RecordType:Invoice__c.Big"]);
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains(
            "RecordType Invoice__c.Big assigns Closed of Invoice__c.Status__c, which the field no longer has"
        ),
        "{warnings}"
    );
    assert!(out.join(format!("{obj}/recordTypes/Big.recordType-meta.xml")).is_file());
}
