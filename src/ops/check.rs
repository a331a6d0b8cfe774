//! `sfgen check`: offline proof, for CI, that the generated components (plus `--include`d
//! ones) or an existing `--package` will deploy and reach coverage (estimated).

use super::ConfigOpts;
use crate::apex::coverage::report;
use crate::check::{check_tree, render_junit, CheckOptions};
use crate::error::{Error, Result};
use crate::ops::Report;
use crate::read::archive::Limits;
use std::collections::BTreeMap;

/// What `sfgen check` checks, against what, and the reports it writes.
#[derive(Debug, Clone)]
pub struct CheckOpts {
    /// The config whose components are checked (unless `package` is given).
    pub config: ConfigOpts,
    /// Projects, folders and zips checked too (`--include`).
    pub include: Vec<std::path::PathBuf>,
    /// An existing package checked instead of the config's components (`--package`).
    pub package: Option<std::path::PathBuf>,
    /// The coverage a class must reach, in percent (`--min-coverage`).
    pub min_coverage: f64,
    /// Coverage that only may be below the minimum fails too, not only warns (`--strict`).
    pub strict: bool,
    /// JUnit XML report (`--junit`).
    pub junit: Option<std::path::PathBuf>,
    /// Cobertura XML coverage report (`--cobertura`).
    pub cobertura: Option<std::path::PathBuf>,
    /// LCOV coverage report (`--lcov`).
    pub lcov: Option<std::path::PathBuf>,
    /// HTML coverage report (`--html`).
    pub html: Option<std::path::PathBuf>,
    /// Coverage is the static estimate only: the tests are not run (`--estimate-only`).
    pub estimate_only: bool,
    /// Keep only the error findings and the summary line (`-q`).
    pub quiet: bool,
}

/// Checks offline that the components deploy and reach coverage.
pub fn check(opts: &CheckOpts) -> Result<Report> {
    if !opts.min_coverage.is_finite() || !(0.0..=100.0).contains(&opts.min_coverage) {
        return Err(Error::Input {
            message: format!("--min-coverage {} is not a percentage", opts.min_coverage),
            hint: Some("give a number from 0 to 100, e.g. --min-coverage 75".into()),
        });
    }
    super::refuse_reports_over_inputs(
        &opts.config,
        opts.package.as_deref(),
        &opts.include,
        [opts.junit.as_deref(), opts.cobertura.as_deref(), opts.lcov.as_deref(), opts.html.as_deref()],
    )?;
    let limits = Limits::from_env()?;
    // On a terminal, a spinner on stderr says what a run of several seconds is doing.
    let spinner = crate::ui::get().progress.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar.set_message("reading the package");
        bar
    });
    let say = |m: String| {
        if let Some(b) = &spinner {
            b.set_message(m);
        }
    };
    let mut warnings = Vec::new();
    let mut generated = std::collections::BTreeSet::new();
    // mdapi path → the file on disk, so findings and reports name the user's files.
    let mut disk: BTreeMap<String, String> = BTreeMap::new();
    let mut read_warnings = Vec::new();
    let (tree, package_xml) = match &opts.package {
        Some(path) => {
            let input = crate::read::open(path, &limits)?;
            let px =
                if input.format == crate::read::Format::Mdapi { input.vfs().read("package.xml").ok() } else { None };
            if px.is_some() {
                if let Some(p) = input.vfs().disk_path("package.xml") {
                    disk.insert("package.xml".into(), p);
                }
            }
            warnings.extend(input.warnings.iter().cloned());
            disk.extend(input.disk_paths());
            let mut tree = input.load_all()?;
            read_warnings.extend(input.take_read_warnings());
            for inc in &opts.include {
                let more = crate::read::open(inc, &limits)?;
                warnings.extend(more.warnings.iter().cloned());
                for (k, v) in more.disk_paths() {
                    disk.entry(k).or_insert(v);
                }
                for (_, c) in more.load_all()?.components {
                    tree.insert(c);
                }
                read_warnings.extend(more.take_read_warnings());
            }
            (tree, px)
        }
        None => {
            let desired = crate::plan::desired::desired(&opts.config, &opts.include, None, false, &limits)?;
            warnings.extend(desired.warnings.iter().cloned());
            for inc in &desired.includes {
                disk.extend(inc.disk_paths());
            }
            generated = desired
                .index
                .iter()
                .filter(|(_, o)| matches!(o, crate::plan::desired::Origin::Generated))
                .map(|(k, _)| k.clone())
                .collect();
            let tree = desired.load_all()?;
            read_warnings.extend(desired.read_warnings());
            (tree, None)
        }
    };
    let measure = !opts.estimate_only && std::env::var_os("SFGEN_CHECK_ESTIMATE_ONLY").is_none();
    let check_options =
        CheckOptions { min_coverage: opts.min_coverage, package_xml, strict: opts.strict, generated, measure };
    warnings.extend(read_warnings);
    say(format!("estimating coverage and checking {} components", tree.len()));
    let mut report = check_tree(&tree, &check_options);
    if let Some(b) = &spinner {
        b.finish_and_clear();
    }
    report.rename_files(&disk);
    let mdapi_of: BTreeMap<&str, &str> = disk.iter().map(|(m, d)| (d.as_str(), m.as_str())).collect();
    if let Some(junit) = &opts.junit {
        crate::write::file(junit, render_junit(&report).as_bytes())?;
    }
    if let Some(path) = &opts.cobertura {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        crate::write::file(path, report::cobertura(&report.analysis, now).as_bytes())?;
    }
    if let Some(path) = &opts.lcov {
        crate::write::file(path, report::lcov(&report.analysis).as_bytes())?;
    }
    if let Some(path) = &opts.html {
        let source = |file: &str| {
            let file = mdapi_of.get(file).copied().unwrap_or(file);
            tree.iter()
                .flat_map(|c| c.files.iter())
                .find(|f| f.path == file)
                .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
        };
        crate::write::file(path, crate::check::render_html(&report, &source).as_bytes())?;
    }
    Ok(Report {
        exit: u8::from(report.has_errors()),
        result: report.to_json(),
        text: if opts.quiet { report.render_quiet() } else { report.render_text_coloured(crate::ui::get().color) },
        guidance: String::new(),
        warnings,
    })
}
