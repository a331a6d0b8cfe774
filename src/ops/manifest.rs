//! `sfgen manifest`: the package.xml describing what `sfgen package` would ship (generated and
//! included components), for `sf project retrieve start --manifest` before a `diff`.

use super::ConfigOpts;
use crate::cli::Prefer;
use crate::error::Result;
use crate::ops::Report;
use crate::read::archive::Limits;

/// What `sfgen manifest` describes.
#[derive(Debug, Clone)]
pub struct ManifestOpts {
    /// The config whose generated components are listed.
    pub config: ConfigOpts,
    /// Projects, folders and zips whose components are listed too (`--include`).
    pub include: Vec<std::path::PathBuf>,
    /// Leave the config's components out (`--no-generate`).
    pub no_generate: bool,
    /// The result lists every component (built only then: for a large org the list is the
    /// biggest thing in memory, and text mode prints only package.xml).
    pub list_components: bool,
}

/// The package.xml of what `sfgen package` would ship.
pub fn manifest(opts: &ManifestOpts) -> Result<Report> {
    let limits = Limits::from_env()?;
    // The component set is the same whichever side would win a conflict; only names are
    // needed, so included files are not read (but for the few that decide package.xml).
    let desired =
        crate::plan::desired::desired(&opts.config, &opts.include, Some(Prefer::Generated), opts.no_generate, &limits)?;
    let members = desired.members()?;
    let api_version = crate::plan::load::api_version(&opts.config)?.unwrap_or_else(|| desired.api_version.clone());
    let xml = crate::sf::manifest::package_xml_of(&members, &api_version);
    let result = if opts.list_components {
        let components: Vec<serde_json::Value> = members
            .iter()
            .flat_map(|(ty, names)| names.iter().map(move |n| serde_json::json!({ "type": ty, "fullName": n })))
            .collect();
        serde_json::json!({ "packageXml": xml, "apiVersion": api_version, "components": components })
    } else {
        serde_json::Value::Null
    };
    Ok(Report { exit: 0, result, text: xml, guidance: String::new(), warnings: desired.warnings })
}
