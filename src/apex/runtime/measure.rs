//! Measured coverage for `sfgen check`: the package's tests are run in the runtime and the lines
//! they ran replace the static estimate. When every test ran to a verdict (none skipped), each
//! class's and trigger's coverage *is* the measurement (`measured`, no unknown lines). When
//! some were skipped, the measurement is a lower bound: lines a test ran are covered, the
//! estimate's range stands for the rest (`measured: false`, said in the report).

use super::harness::{Options, Outcome};
use crate::apex::coverage::{percent, Analysis};
use crate::metadata::Tree;
use std::collections::BTreeSet;
use std::sync::Arc;

/// What measuring did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Test methods run.
    pub tests: usize,
    /// Test methods skipped (what the runtime does not model).
    pub skipped: usize,
    /// Units whose figure is measured.
    pub measured_units: usize,
}

/// Runs the package's tests and puts the measured coverage into `analysis`.
pub fn apply(tree: &Tree, analysis: &mut Analysis) -> Summary {
    let (program, schema) = super::prepare(tree);
    let program = Arc::new(program);
    if !program.files.iter().any(|f| f.is_test) {
        return Summary::default();
    }
    let opts = Options {
        per_test: std::time::Duration::from_secs(30),
        per_run: std::time::Duration::from_secs(600),
        threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4),
    };
    let Ok(result) = super::run(program.clone(), Arc::new(schema), &[], &opts, &|_, _| {}) else {
        return Summary::default();
    };
    // A skipped test and a compile failure both stop short of what the test would run.
    let skipped = result.tests.iter().filter(|t| matches!(t.outcome, Outcome::Skip | Outcome::CompileFail)).count();
    let all_ran = skipped == 0;
    let mut summary = Summary { tests: result.tests.len(), skipped, measured_units: 0 };
    for u in &mut analysis.units {
        let Some((fi, _)) = program.files.iter().enumerate().find(|(_, f)| f.path == u.file) else { continue };
        let ran: BTreeSet<usize> = u
            .covered
            .iter()
            .chain(&u.unknown)
            .chain(&u.uncovered)
            .copied()
            .filter(|l| result.coverage.covered(fi as u32, *l))
            .collect();
        let all: BTreeSet<usize> = u.covered.iter().chain(&u.unknown).chain(&u.uncovered).copied().collect();
        if all_ran {
            u.covered = ran.iter().copied().collect();
            u.uncovered = all.difference(&ran).copied().collect();
            u.unknown.clear();
            u.measured = true;
            summary.measured_units += 1;
        } else {
            let mut covered: BTreeSet<usize> = u.covered.iter().copied().collect();
            covered.extend(&ran);
            u.unknown.retain(|l| !covered.contains(l));
            u.uncovered.retain(|l| !covered.contains(l));
            u.covered = covered.into_iter().collect();
        }
        u.covered_lines = u.covered.len();
        u.unknown_lines = u.unknown.len();
        u.low = percent(u.covered_lines, u.total_lines);
        u.high = percent(u.covered_lines + u.unknown_lines, u.total_lines);
        if u.measured {
            u.percent = u.low;
            u.point_lines = u.covered_lines as f64;
        } else {
            u.point_lines = u.point_lines.max(u.covered_lines as f64).min((u.covered_lines + u.unknown_lines) as f64);
            u.percent = ((u.point_lines * 10000.0 / u.total_lines.max(1) as f64).round() / 100.0).clamp(u.low, u.high);
        }
    }
    summary
}
