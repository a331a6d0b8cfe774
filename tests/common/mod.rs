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
