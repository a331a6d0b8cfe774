//! The npm packages (`npm/`, built by `scripts/npm-build.sh`, installed and run by
//! `scripts/npm-smoke.sh` in CI) agree on the platforms: the main package's
//! optionalDependencies, the launcher's table and the build script's list name the same
//! `@sfgen/<platform>` packages, and the launcher is valid JavaScript.

mod support;
use std::collections::BTreeSet;
use support::root;

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn main_package_launcher_and_build_script_name_the_same_platforms() {
    let pkg: serde_json::Value = serde_json::from_str(&read("npm/sfgen/package.json")).expect("package.json");
    assert_eq!(pkg["name"], "sfgen");
    assert_eq!(pkg["bin"]["sfgen"], "bin/sfgen.js");
    let deps: BTreeSet<String> =
        pkg["optionalDependencies"].as_object().expect("optionalDependencies").keys().cloned().collect();
    assert!(deps.contains("@sfgen/linux-x64") && deps.len() >= 5, "{deps:?}");

    let launcher = read("npm/sfgen/bin/sfgen.js");
    let in_launcher: BTreeSet<String> = launcher
        .lines()
        .filter_map(|l| l.trim().strip_prefix('\'').and_then(|l| l.split_once("': '")))
        .map(|(_, pkg)| pkg.trim_end_matches("',").to_string())
        .collect();
    assert_eq!(in_launcher, deps, "the launcher's table and package.json differ");

    let script = read("scripts/npm-build.sh");
    let case_line = script.lines().find(|l| l.trim_start().starts_with("linux-x64|")).expect("platform case");
    let in_script: BTreeSet<String> =
        case_line.trim().trim_end_matches(") ;;").split('|').map(|p| format!("@sfgen/{}", p.trim())).collect();
    assert_eq!(in_script, deps, "scripts/npm-build.sh and package.json differ");
}

#[test]
fn the_launcher_is_valid_javascript() {
    let Some(node) = support::require(support::Tool::Node) else { return };
    let o = std::process::Command::new(node).arg("--check").arg(root().join("npm/sfgen/bin/sfgen.js")).output();
    let o = o.expect("node runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
