//! The README's walkthrough is run as written: every command between the
//! `readme-test:start`/`readme-test:end` markers, in order, in a fresh folder, with the built
//! `sfgen` first on PATH. Each must exit 0.

mod support;
use std::process::Command;
use support::root;

#[test]
fn readme_walkthrough_runs_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = readme.find("<!-- readme-test:start -->").expect("start marker");
    let end = readme.find("<!-- readme-test:end -->").expect("end marker");
    let block = &readme[start..end];
    let commands: Vec<&str> = block.lines().map(str::trim).filter(|l| l.starts_with("sfgen ")).collect();
    assert!(commands.len() >= 5, "the walkthrough lost its commands: {commands:?}");

    let path = support::path_with(&[]);
    let tmp = tempfile::tempdir().expect("tempdir");
    for cmd in commands {
        let o = Command::new("bash")
            .arg("-c")
            .arg(cmd)
            .current_dir(tmp.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .expect("bash");
        assert!(
            o.status.success(),
            "README command `{cmd}` failed ({:?}):\n{}{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(tmp.path().join("deploy.zip").exists());
    assert!(std::fs::read_to_string(tmp.path().join("package.xml"))
        .expect("package.xml")
        .contains("<members>Webhook</members>"));
}
