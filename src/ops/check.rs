//! `sfgen check`: offline proof, for CI, that the generated components (plus `--include`d
//! ones) or an existing `--package` will deploy and reach coverage (estimated).

use crate::archive::Limits;
use crate::check::{check_tree, render_junit, CheckOptions};
use crate::cli::CheckArgs;
use crate::coverage::report;
use crate::error::{Error, Result};
use crate::Outcome;
use std::path::Path;

/// Runs `sfgen check`; `quiet` (`-q`) keeps only the error findings and the summary line.
pub fn run(args: &CheckArgs, quiet: bool) -> Result<Outcome> {
    if !args.min_coverage.is_finite() || !(0.0..=100.0).contains(&args.min_coverage) {
        return Err(Error::Input {
            message: format!("--min-coverage {} is not a percentage", args.min_coverage),
            hint: Some("give a number from 0 to 100, e.g. --min-coverage 75".into()),
        });
    }
    let limits = Limits::from_env()?;
    let mut warnings = Vec::new();
    let (tree, package_xml) = match &args.package {
        Some(path) => {
            let loaded = crate::load::load_tree(path, &limits)?;
            let px = package_xml_of(path, &limits)?;
            let mut tree = loaded.tree;
            for inc in &args.include {
                let more = crate::load::load_tree(inc, &limits)?;
                for (_, c) in more.tree.components {
                    tree.insert(c);
                }
            }
            (tree, px)
        }
        None => {
            let desired = crate::load::desired(&args.config, &args.include, None, false, &limits)?;
            if let Some(p) = &desired.project {
                warnings.extend(super::warning_lines(p));
            }
            (desired.tree, None)
        }
    };
    let opts = CheckOptions { min_coverage: args.min_coverage, package_xml, strict: args.strict };
    let report = check_tree(&tree, &opts);
    if let Some(junit) = &args.junit {
        crate::package::write_atomic(junit, render_junit(&report).as_bytes())?;
    }
    if let Some(path) = &args.cobertura {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        crate::package::write_atomic(path, report::cobertura(&report.analysis, now).as_bytes())?;
    }
    if let Some(path) = &args.lcov {
        crate::package::write_atomic(path, report::lcov(&report.analysis).as_bytes())?;
    }
    if let Some(path) = &args.html {
        let source = |file: &str| {
            tree.iter()
                .flat_map(|c| c.files.iter())
                .find(|f| f.path == file)
                .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
        };
        crate::package::write_atomic(path, report::html(&report.analysis, &source).as_bytes())?;
    }
    Ok(Outcome {
        exit: u8::from(report.has_errors()),
        result: report.to_json(),
        text: if quiet { report.render_quiet() } else { report.render_text() },
        guidance: String::new(),
        warnings,
    })
}

/// The package.xml of an mdapi folder or zip, when it has one (SFDX projects have none).
fn package_xml_of(path: &Path, limits: &Limits) -> Result<Option<Vec<u8>>> {
    if path.is_dir() {
        let p = path.join("package.xml");
        return Ok(if p.is_file() {
            Some(std::fs::read(&p).map_err(|e| Error::input(format!("{}: {e}", p.display())))?)
        } else {
            None
        });
    }
    let mut files = crate::archive::read_path(path, limits)?;
    crate::archive::strip_top_folder(&mut files);
    Ok(files.into_iter().find(|(p, _)| p == "package.xml").map(|(_, b)| b))
}
