//! docs/ci.md's pipelines run `sfgen` commands; each one is extracted and run here on the
//! guide A fixture (with `sfgen.json` and its `production` environment), so the recipes cannot
//! drift from the CLI.

mod common;
use common::root;
use std::process::Command;

#[test]
fn every_sfgen_command_in_the_ci_recipes_runs() {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).expect("docs/ci.md");
    let commands: Vec<String> = doc
        .lines()
        .map(|l| l.trim().trim_start_matches("- ").trim_start_matches("run: ").trim())
        .filter(|l| l.starts_with("sfgen check") || l.starts_with("sfgen package"))
        .map(str::to_string)
        .collect();
    assert!(commands.len() >= 4, "the recipes lost their sfgen commands: {commands:?}");

    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cfg: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/contact-webhook/sfgen.json")).expect("cfg"),
    )
    .expect("json");
    cfg["environments"]["production"] = serde_json::json!({ "integration": { "sandbox": false } });
    std::fs::write(tmp.path().join("sfgen.json"), serde_json::to_string_pretty(&cfg).expect("ser")).expect("write");
    std::fs::create_dir_all(tmp.path().join("target")).expect("mkdir");

    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_sfgen"));
    let path = format!("{}:{}", bin.parent().expect("dir").display(), std::env::var("PATH").unwrap_or_default());
    for cmd in &commands {
        let o =
            Command::new("bash").arg("-c").arg(cmd).current_dir(tmp.path()).env("PATH", &path).output().expect("bash");
        assert!(
            o.status.success(),
            "`{cmd}` failed:\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(tmp.path().join("target/sfgen-check.xml").exists());
    assert!(tmp.path().join("target/deploy.zip").exists());
    let pkg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("target/package.json")).expect("json"))
            .expect("envelope");
    assert_eq!(pkg["status"], 0);
}
