//! Transitional: the old helpers, for test files written before `tests/support` (the one
//! harness; use it in new tests). Removed once no test file declares `mod common;`.
#![allow(dead_code)]

#[path = "../support/mod.rs"]
mod support;

use std::path::Path;
#[allow(unused_imports)]
pub use support::{assert_tree_matches, read_tree, root, updating, SfCli};

/// Runs sfgen with `args` in `cwd` (`support::sfgen_in` gives an [`support::Output`]).
pub fn sfgen(cwd: &Path, args: &[&str]) -> std::process::Output {
    support::Sfgen::new().current_dir(cwd).args(args).command().output().expect("sfgen runs")
}

/// The installed Salesforce CLI; `None` (the caller skips) when it is missing, a failure when
/// required (see `support::require`).
pub fn require_sf() -> Option<SfCli> {
    SfCli::require()
}
