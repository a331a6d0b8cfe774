//! `sfgen test`: runs the package's Apex tests in sfgen's own Apex runtime
//! ([`crate::apex::runtime`]), offline, and reports them as `sf apex run test` does.

use super::ConfigOpts;
use crate::apex::runtime::{self, harness, report};
use crate::error::{Error, Result};
use crate::ops::Report;
use crate::read::archive::Limits;
use std::io::IsTerminal as _;
use std::sync::Arc;

/// Wall-clock bounds, overridable for slow machines (`SFGEN_TEST_TIMEOUT_SECS` per test,
/// `SFGEN_TEST_RUN_TIMEOUT_SECS` per run).
fn options() -> harness::Options {
    let secs = |var: &str, default: u64| std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    harness::Options {
        per_test: std::time::Duration::from_secs(secs("SFGEN_TEST_TIMEOUT_SECS", 60)),
        per_run: std::time::Duration::from_secs(secs("SFGEN_TEST_RUN_TIMEOUT_SECS", 1800)),
        threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4),
    }
}

/// What `sfgen test` runs, and the reports it writes.
#[derive(Debug, Clone)]
pub struct TestOpts {
    /// The config whose components are tested (unless `package` is given).
    pub config: ConfigOpts,
    /// Projects, folders and zips loaded too (`--include`).
    pub include: Vec<std::path::PathBuf>,
    /// An existing package tested instead of the config's components (`--package`).
    pub package: Option<std::path::PathBuf>,
    /// The test classes or methods to run (`--tests`; empty: every test).
    pub tests: Vec<String>,
    /// JUnit XML report (`--junit`).
    pub junit: Option<std::path::PathBuf>,
    /// Cobertura XML coverage report (`--cobertura`).
    pub cobertura: Option<std::path::PathBuf>,
    /// LCOV coverage report (`--lcov`).
    pub lcov: Option<std::path::PathBuf>,
    /// HTML coverage report (`--html`).
    pub html: Option<std::path::PathBuf>,
    /// Only failures and the summary (`-q`).
    pub quiet: bool,
    /// The output is JSON (no progress bar).
    pub json: bool,
}

/// Runs the Apex tests offline in sfgen's runtime.
pub fn test(opts: &TestOpts) -> Result<Report> {
    // An output that is one of the inputs is refused (issue 24, finding 9), as in `sfgen check`.
    super::refuse_reports_over_inputs(
        &opts.config,
        opts.package.as_deref(),
        &opts.include,
        [opts.junit.as_deref(), opts.cobertura.as_deref(), opts.lcov.as_deref(), opts.html.as_deref()],
    )?;
    let limits = Limits::from_env()?;
    let mut warnings = Vec::new();
    let tree = match &opts.package {
        Some(path) => {
            let input = crate::read::open(path, &limits)?;
            warnings.extend(input.warnings.iter().cloned());
            let mut tree = input.load_all()?;
            for inc in &opts.include {
                let more = crate::read::open(inc, &limits)?;
                warnings.extend(more.warnings.iter().cloned());
                for (_, c) in more.load_all()?.components {
                    tree.insert(c);
                }
            }
            tree
        }
        None => {
            let desired = crate::plan::desired::desired(&opts.config, &opts.include, None, false, &limits)?;
            warnings.extend(desired.warnings.iter().cloned());
            desired.load_all()?
        }
    };
    let (program, schema) = runtime::prepare(&tree);
    let program = Arc::new(program);
    let schema = Arc::new(schema);
    let bar = if !opts.json && !opts.quiet && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} running Apex tests {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let result =
        runtime::run(program.clone(), schema, &opts.tests, &options(), &progress).map_err(|errors| Error::Input {
            message: format!("--tests: {}", errors.join("; ")),
            hint: Some("name a test class of the package, or Class.method (case does not matter)".into()),
        })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let units = report::units(&program, &result);
    let has_apex = program.files.iter().any(|f| !f.is_test && !f.exec.is_empty());
    if let Some(path) = &opts.junit {
        crate::write::file(path, report::junit(&result).as_bytes())?;
    }
    let analysis = report::analysis(&program, &result);
    if let Some(path) = &opts.cobertura {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        crate::write::file(path, crate::apex::coverage::report::cobertura(&analysis, now).as_bytes())?;
    }
    if let Some(path) = &opts.lcov {
        crate::write::file(path, crate::apex::coverage::report::lcov(&analysis).as_bytes())?;
    }
    if let Some(path) = &opts.html {
        let source = |file: &str| {
            tree.iter()
                .flat_map(|c| c.files.iter())
                .find(|f| f.path == file)
                .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
        };
        crate::write::file(path, crate::check::coverage_html(&analysis, &source).as_bytes())?;
    }
    let (_, _, fail, _) = report::counts(&result.tests);
    let no_tests = result.tests.is_empty() && has_apex && opts.tests.is_empty();
    let mut text = report::text(&result, &units);
    if no_tests {
        text.push_str("The package has Apex and no test methods: a deploy that runs tests would fail its coverage.\n");
    }
    if opts.quiet {
        text = text.lines().filter(|l| !l.starts_with("  pass")).map(|l| format!("{l}\n")).collect();
    }
    Ok(Report {
        exit: u8::from(fail > 0 || no_tests),
        result: report::json(&program, &result, &units),
        text,
        guidance: String::new(),
        warnings,
    })
}
