//! `sfgen convert`: an SFDX project, mdapi folder, retrieve or zip, written out in source or
//! mdapi layout through the same reader and writer `package` and `generate` use.
//!
//! The output folder must be new or empty: everything is written into a stage folder beside it
//! and renamed into place at the end, so an error or a kill never leaves half a conversion.

use crate::cli::{ConvertArgs, Format};
use crate::error::Result;
use crate::read::archive::Limits;
use crate::Outcome;
use rayon::prelude::*;
use std::fmt::Write as _;

/// Runs `sfgen convert`.
pub fn run(args: &ConvertArgs) -> Result<Outcome> {
    let limits = Limits::from_env()?;
    crate::write::check_new_tree(&args.to)?;
    let input = crate::read::open(&args.from, &limits)?;
    let version = input.api_version.clone().unwrap_or_else(|| super::desired::DEFAULT_API_VERSION.to_string());
    // One component at a time on every core: read, convert, keep only the output bytes.
    let mut files: Vec<(String, Vec<u8>)> = match args.format {
        Format::Mdapi => {
            let members = input.members()?;
            let mut files: Vec<(String, Vec<u8>)> = input
                .units
                .par_iter()
                .map(|u| Ok(input.load(u)?.files.into_iter().map(|f| (f.path, f.bytes)).collect::<Vec<_>>()))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .flatten()
                .collect();
            files.push(("package.xml".into(), crate::sf::manifest::package_xml_of(&members, &version).into_bytes()));
            files
        }
        Format::Source => {
            let mut files: Vec<(String, Vec<u8>)> = input
                .units
                .par_iter()
                .map(|u| {
                    let c = input.load(u)?;
                    Ok(crate::convert::component_to_source(&c)?
                        .into_iter()
                        .map(|f| (format!("{}/{}", super::generate::SOURCE_ROOT, f.path), f.bytes))
                        .collect::<Vec<_>>())
                })
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .flatten()
                .collect();
            files.push(("sfdx-project.json".into(), super::generate::sfdx_project_json(&version).into_bytes()));
            files
        }
    };
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    crate::write::new_tree(&args.to, &files)?;
    let format = match args.format {
        Format::Source => "source",
        Format::Mdapi => "mdapi",
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Converted {} ({:?} layout) to {} ({format} layout): {} files, {bytes} bytes",
        args.from.display(),
        input.format,
        args.to.display(),
        files.len()
    );
    Ok(Outcome {
        exit: 0,
        result: serde_json::json!({
            "from": args.from,
            "to": args.to,
            "inputFormat": input.format,
            "format": format,
            "apiVersion": version,
            "files": files.len(),
            "bytes": bytes,
        }),
        text,
        warnings: input.warnings.clone(),
        ..Outcome::default()
    })
}
