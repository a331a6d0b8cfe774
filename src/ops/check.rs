//! `sfgen check`: offline proof, for CI, that the generated components (plus `--include`d
//! ones) or an existing `--package` will deploy and reach coverage (estimated).

use crate::apex::coverage::report;
use crate::check::{check_tree, render_junit, CheckOptions};
use crate::cli::CheckArgs;
use crate::error::{Error, Result};
use crate::ops::Report;
use crate::read::archive::Limits;
use std::collections::BTreeMap;

/// Runs `sfgen check`; `quiet` (`-q`) keeps only the error findings and the summary line.
pub fn run(args: &CheckArgs, quiet: bool) -> Result<Report> {
    if !args.min_coverage.is_finite() || !(0.0..=100.0).contains(&args.min_coverage) {
        return Err(Error::Input {
            message: format!("--min-coverage {} is not a percentage", args.min_coverage),
            hint: Some("give a number from 0 to 100, e.g. --min-coverage 75".into()),
        });
    }
    super::refuse_reports_over_inputs(
        &args.config,
        args.package.as_deref(),
        &args.include,
        [args.junit.as_deref(), args.cobertura.as_deref(), args.lcov.as_deref(), args.html.as_deref()],
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
    let (tree, package_xml) = match &args.package {
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
            for inc in &args.include {
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
            let desired = super::desired::desired(&args.config, &args.include, None, false, &limits)?;
            warnings.extend(desired.warnings.iter().cloned());
            for inc in &desired.includes {
                disk.extend(inc.disk_paths());
            }
            generated = desired
                .index
                .iter()
                .filter(|(_, o)| matches!(o, super::desired::Origin::Generated))
                .map(|(k, _)| k.clone())
                .collect();
            let tree = desired.load_all()?;
            read_warnings.extend(desired.read_warnings());
            (tree, None)
        }
    };
    let measure = !args.estimate_only && std::env::var_os("SFGEN_CHECK_ESTIMATE_ONLY").is_none();
    let opts = CheckOptions { min_coverage: args.min_coverage, package_xml, strict: args.strict, generated, measure };
    warnings.extend(read_warnings);
    say(format!("estimating coverage and checking {} components", tree.len()));
    let mut report = check_tree(&tree, &opts);
    if let Some(b) = &spinner {
        b.finish_and_clear();
    }
    report.rename_files(&disk);
    let mdapi_of: BTreeMap<&str, &str> = disk.iter().map(|(m, d)| (d.as_str(), m.as_str())).collect();
    if let Some(junit) = &args.junit {
        crate::write::file(junit, render_junit(&report).as_bytes())?;
    }
    if let Some(path) = &args.cobertura {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        crate::write::file(path, report::cobertura(&report.analysis, now).as_bytes())?;
    }
    if let Some(path) = &args.lcov {
        crate::write::file(path, report::lcov(&report.analysis).as_bytes())?;
    }
    if let Some(path) = &args.html {
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
        text: if quiet { report.render_quiet() } else { report.render_text_coloured(crate::ui::get().color) },
        guidance: String::new(),
        warnings,
    })
}
