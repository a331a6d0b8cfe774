//! `sfgen convert`: an SFDX project, mdapi folder, retrieve or zip, written out in source or
//! mdapi layout through the same reader and writer `package` and `generate` use.
//!
//! The output folder must be new or empty: everything is written into a stage folder beside it
//! and renamed into place at the end, so an error or a kill never leaves half a conversion.

use crate::cli::Format;
use crate::error::Result;
use crate::ops::Report;
use crate::read::archive::Limits;
use rayon::prelude::*;
use std::fmt::Write as _;

/// What `sfgen convert` converts, and into what.
#[derive(Debug, Clone)]
pub struct ConvertOpts {
    /// The input: an SFDX project, an mdapi folder, a retrieve or a zip.
    pub from: std::path::PathBuf,
    /// The output folder (new or empty).
    pub to: std::path::PathBuf,
    /// The layout written.
    pub format: Format,
}

/// Converts `opts.from` into `opts.to` in `opts.format`'s layout.
pub fn convert(opts: &ConvertOpts) -> Result<Report> {
    super::refuse_overwriting_inputs(None, &[("the --from", &opts.from)], &[("--to", Some(&opts.to))])?;
    let limits = Limits::from_env()?;
    crate::write::check_new_tree(&opts.to)?;
    let input = crate::read::open(&opts.from, &limits)?;
    let version = input.api_version.clone().unwrap_or_else(|| crate::sf::api::DEFAULT_API_VERSION.to_string());
    // One component at a time on every core: read, convert, write its files straight into the
    // stage, keep nothing but their names. Memory holds the components in flight, not the tree.
    let out = crate::write::TreeWriter::new(&opts.to)?;
    let bytes = std::sync::atomic::AtomicUsize::new(0);
    let put = |rel: &str, b: &[u8]| {
        bytes.fetch_add(b.len(), std::sync::atomic::Ordering::Relaxed);
        out.write(rel, b)
    };
    match opts.format {
        Format::Mdapi => {
            let members = input.members()?;
            input
                .units
                .par_iter()
                .try_for_each(|u| input.load(u)?.files.iter().try_for_each(|f| put(&f.path, &f.bytes)))?;
            put("package.xml", crate::sf::manifest::package_xml_of(&members, &version).as_bytes())?;
        }
        Format::Source => {
            input.units.par_iter().try_for_each(|u| {
                let c = input.load(u)?;
                crate::convert::component_to_source(&c)?
                    .iter()
                    .try_for_each(|f| put(&format!("{}/{}", crate::sf::paths::SOURCE_ROOT, f.path), &f.bytes))
            })?;
            put("sfdx-project.json", super::generate::sfdx_project_json(&version).as_bytes())?;
        }
    }
    let count = out.finish()?;
    let bytes = bytes.into_inner();
    let format = match opts.format {
        Format::Source => "source",
        Format::Mdapi => "mdapi",
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Converted {} ({:?} layout) to {} ({format} layout): {} files, {bytes} bytes",
        opts.from.display(),
        input.format,
        opts.to.display(),
        count
    );
    Ok(Report {
        exit: 0,
        result: serde_json::json!({
            "from": opts.from,
            "to": opts.to,
            "inputFormat": input.format,
            "format": format,
            "apiVersion": version,
            "files": count,
            "bytes": bytes,
        }),
        text,
        warnings: input.warnings.iter().cloned().chain(input.take_read_warnings()).collect(),
        ..Report::default()
    })
}
