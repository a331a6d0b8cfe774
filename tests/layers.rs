//! The layers of `src/`, top to bottom, and the check that no `crate::` path climbs back up.
//!
//! Each top-level module of the crate has a place in [`LAYERS`]; a module may name (`crate::x`)
//! only modules below its own place. The few arrows that still climb are listed in [`CLIMBS`]
//! with the reason: remove a row when its arrow goes, and never add one without saying why in
//! the README's layout section. `lib.rs` (module declarations and re-exports) and
//! `main.rs` (calls `commands::run`) stand above everything.

mod support;

use std::collections::BTreeSet;

/// Top to bottom. A module names only modules after it.
const LAYERS: &[&str] = &[
    "commands",  // the command line: one thin file per verb, and the one output module
    "ops",       // the operations behind the verbs, one each: options in, a Report out
    "plan",      // the planning stage: config read, desired state, deploy commands, next steps
    "model",     // validation: the config into the project, every rule checked
    "check",     // offline deployability rules, names against the schema, reports
    "render",    // the project into a Tree: the wiring of the sections' renderers
    "project",   // the validated project, the data every verb works from
    "config",    // the config file: size cap, JSON syntax, --env patches, RawConfig
    "section",   // one module per config section: raw form, validation, rendering
    "diff",      // comparing two sides key by key
    "canon",     // canonical forms of metadata files
    "convert",   // mdapi <-> source layout
    "apex",      // the Apex language: executable lines, the coverage estimator, the runtime
    "git",       // git history read in-process
    "write",     // the one atomic writer
    "read",      // every input, read one way
    "zip_write", // deterministic zips
    "relpath",   // what a relative path may be, read or written
    "sf",        // Salesforce's facts, once
    "metadata",  // the component tree every verb works on
    "spans",     // where a JSON path stands in the config, and Locate for diagnostics
    "suggest",   // "did you mean"
    "ui",        // colour and progress, decided once
    "cli",       // the command line's types
    "shell",     // quoting for printed commands
    "printable", // the one policy for characters never shown raw
    "error",     // the error type
];

/// The arrows that still climb: (from, to, why).
const CLIMBS: &[(&str, &str, &str)] = &[];

/// The module a `crate::NAME` path leads to: a module's own name, or the crate root's
/// re-exports (`crate::archive` is `read::archive`, `crate::Error` is `error::Error`).
fn target(name: &str) -> Option<&str> {
    match name {
        "archive" => Some("read"),
        "Error" | "Result" => Some("error"),
        n if LAYERS.contains(&n) => LAYERS.iter().copied().find(|l| *l == n),
        _ => None,
    }
}

/// Every (from, to) that a line of code (not a comment) of `src/` names, with a place it does.
fn arrows() -> Vec<(String, String, String)> {
    let src = support::root().join("src");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.expect("walk src");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
        let from = rel.split('/').next().unwrap_or_default().trim_end_matches(".rs").to_string();
        if from == "lib" || from == "main" {
            continue;
        }
        assert!(LAYERS.contains(&from.as_str()), "src/{rel}: the module {from} has no place in LAYERS");
        let text = std::fs::read_to_string(path).expect("read source");
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for (at, _) in line.match_indices("crate::") {
                let name: String =
                    line[at + "crate::".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if let Some(to) = target(&name) {
                    if to != from {
                        out.push((from.clone(), to.to_string(), format!("src/{rel}:{}", i + 1)));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn no_import_climbs_back_up() {
    let place = |m: &str| LAYERS.iter().position(|l| *l == m).expect("a layer");
    let mut climbing = BTreeSet::new();
    let mut unlisted = Vec::new();
    for (from, to, at) in arrows() {
        if place(&to) > place(&from) {
            continue;
        }
        climbing.insert((from.clone(), to.clone()));
        if !CLIMBS.iter().any(|(f, t, _)| *f == from && *t == to) {
            unlisted.push(format!("{at}: {from} names {to}, which stands above it"));
        }
    }
    assert!(unlisted.is_empty(), "imports that climb back up (see LAYERS):\n{}", unlisted.join("\n"));
    // A listed climb that the code no longer has is a row to remove.
    for (f, t, why) in CLIMBS {
        assert!(
            climbing.contains(&(f.to_string(), t.to_string())),
            "{f} -> {t} no longer climbs ({why}): remove the row"
        );
    }
}

#[test]
fn every_module_has_one_place() {
    let unique: BTreeSet<_> = LAYERS.iter().collect();
    assert_eq!(unique.len(), LAYERS.len(), "a module stands twice in LAYERS");
    let src = support::root().join("src");
    for entry in std::fs::read_dir(&src).expect("src") {
        let name = entry.expect("entry").file_name().to_string_lossy().trim_end_matches(".rs").to_string();
        if name != "lib" && name != "main" {
            assert!(LAYERS.contains(&name.as_str()), "src/{name} has no place in LAYERS");
        }
    }
}
