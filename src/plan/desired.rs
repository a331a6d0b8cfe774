//! The desired state of `package`, `manifest`, `diff` and `check`: what sfgen generates from the
//! config, plus every `--include`d project, folder or zip, as one set of components. Included
//! components stay unread until a command needs them.

use super::load::ConfigOpts;
use crate::cli::Prefer;
use crate::error::{Error, Result};
use crate::metadata::{Component, ComponentKey, Tree};
use crate::read::{self, archive::Limits, Input};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::sf::api::DEFAULT_API_VERSION;

/// Where a desired component comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Generated from the config.
    Generated,
    /// Unit `.1` of include `.0`.
    Include(usize, usize),
}

/// Generated and included components.
#[derive(Debug)]
pub struct Desired {
    /// What the config generates (empty with `--no-generate` or without a config).
    pub generated: Tree,
    /// The validated config, when one was used.
    pub project: Option<crate::model::Project>,
    /// The included inputs.
    pub includes: Vec<Input>,
    /// Every component, by key.
    pub index: BTreeMap<ComponentKey, Origin>,
    /// API version for package.xml.
    pub api_version: String,
    /// Warnings: skipped files of the includes, a version mismatch, the config's own warnings.
    pub warnings: Vec<String>,
}

impl Desired {
    /// Whether nothing is desired.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The component with this key, read now.
    pub fn load(&self, key: &ComponentKey) -> Result<Option<Component>> {
        match self.index.get(key) {
            None => Ok(None),
            Some(Origin::Generated) => Ok(self.generated.get(key).cloned()),
            Some(Origin::Include(i, u)) => self.includes[*i].load(&self.includes[*i].units[*u]).map(Some),
        }
    }

    /// Warnings found while the included components were read (a metadata file whose root is
    /// not its type), once each.
    pub fn read_warnings(&self) -> Vec<String> {
        self.includes.iter().flat_map(Input::take_read_warnings).collect()
    }

    /// Every component, read on every core.
    pub fn load_all(&self) -> Result<Tree> {
        use rayon::prelude::*;
        let keys: Vec<&ComponentKey> = self.index.keys().collect();
        let comps: Vec<Option<Component>> = keys.par_iter().map(|k| self.load(k)).collect::<Result<_>>()?;
        let mut tree = Tree::new();
        for c in comps.into_iter().flatten() {
            tree.insert(c);
        }
        Ok(tree)
    }

    /// What package.xml lists, reading only the few included files that decide it.
    pub fn members(&self) -> Result<BTreeMap<String, Vec<String>>> {
        use rayon::prelude::*;
        let entries: Vec<(&ComponentKey, &Origin)> = self.index.iter().collect();
        let lists: Vec<Vec<(String, String)>> = entries
            .par_iter()
            .map(|(k, o)| match o {
                Origin::Generated => Ok(self.generated.get(k).map(crate::sf::manifest::members_of).unwrap_or_default()),
                Origin::Include(i, u) => self.includes[*i].units[*u].members(self.includes[*i].vfs()),
            })
            .collect::<Result<_>>()?;
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (t, m) in lists.into_iter().flatten() {
            map.entry(t).or_default().push(m);
        }
        crate::sf::manifest::sort_members(&mut map);
        Ok(map)
    }

    /// Whether the package carries Apex that sfgen did not generate.
    pub fn has_included_apex(&self) -> bool {
        self.index.iter().any(|(k, o)| {
            matches!(o, Origin::Include(..)) && matches!(k.type_name.as_str(), "ApexClass" | "ApexTrigger")
        })
    }
}

/// Whether `args` name no config (the default `sfgen.json` is absent): checking, packaging or
/// diffing an existing project needs none; without one there is simply nothing to generate.
pub fn no_config(args: &ConfigOpts) -> bool {
    args.config == Path::new("sfgen.json") && std::fs::symlink_metadata(&args.config).is_err()
}

/// Builds the desired state: the config's generated components (unless `no_generate`) plus
/// every `include`d input. A component present in two places is an error naming both, unless
/// `prefer` says whether the generated or the included one wins (two includes defining the same
/// component is always an error).
pub fn desired(
    args: &ConfigOpts,
    include: &[PathBuf],
    prefer: Option<Prefer>,
    no_generate: bool,
    limits: &Limits,
) -> Result<Desired> {
    let no_generate = no_generate || (!include.is_empty() && no_config(args));
    let (generated, project, mut warnings) = if no_generate {
        (Tree::new(), None, Vec::new())
    } else {
        let (_, project) = super::load::load_project(args)?;
        let tree = crate::render::render(&project);
        let warnings = super::load::warning_lines(&project);
        (tree, Some(project), warnings)
    };
    // The includes are independent: read them on every core.
    let includes: Vec<Input> = {
        use rayon::prelude::*;
        include.par_iter().map(|p| read::open(p, limits)).collect::<Result<_>>()?
    };
    let mut index: BTreeMap<ComponentKey, Origin> =
        generated.components.keys().map(|k| (k.clone(), Origin::Generated)).collect();
    let mut origin: BTreeMap<&ComponentKey, usize> = BTreeMap::new();
    for (i, input) in includes.iter().enumerate() {
        warnings.extend(input.warnings.iter().cloned());
        for (u, unit) in input.units.iter().enumerate() {
            let key = &unit.key;
            if let Some(first) = origin.get(key) {
                return Err(Error::Input {
                    message: format!("{key} is in both {} and {}", include[*first].display(), include[i].display()),
                    hint: Some("remove it from one of the included inputs".into()),
                });
            }
            origin.insert(key, i);
            if index.contains_key(key) {
                match prefer {
                    Some(Prefer::Generated) => continue,
                    Some(Prefer::Include) => {}
                    None => {
                        return Err(Error::Input {
                            message: format!("{key} is both generated from the config and included from {}", include[i].display()),
                            hint: Some("pass --prefer generated or --prefer include to say which one ships, or remove it from the included project".into()),
                        })
                    }
                }
            }
            index.insert(key.clone(), Origin::Include(i, u));
        }
    }
    // package.xml takes the included project's API version, as `sf project convert source` does;
    // the config's is used when nothing is included (or the includes do not say).
    let included_version = includes.iter().find_map(|i| i.api_version.clone());
    let config_version = project.as_ref().map(|p| p.api_version.to_string());
    for inc in &includes {
        if let (Some(v), Some(first)) = (&inc.api_version, &included_version) {
            if v != first {
                warnings.push(format!(
                    "{} says API {v}, another included input {first}; package.xml uses {first}",
                    inc.path.display()
                ));
            }
        }
    }
    let api_version = match (&included_version, &config_version) {
        (Some(inc), Some(cfg)) => {
            if inc != cfg {
                warnings.push(format!(
                    "package.xml uses the included project's API version {inc} (its sourceApiVersion), not the config's apiVersion {cfg}; the generated components keep {cfg} in their -meta.xml"
                ));
            }
            inc.clone()
        }
        (Some(v), None) | (None, Some(v)) => v.clone(),
        (None, None) => DEFAULT_API_VERSION.to_string(),
    };
    Ok(Desired { generated, project, includes, index, api_version, warnings })
}

impl crate::diff::Side for Desired {
    fn keys(&self) -> Vec<ComponentKey> {
        self.index.keys().cloned().collect()
    }

    fn has(&self, key: &ComponentKey) -> bool {
        self.index.contains_key(key)
    }

    fn load(&self, key: &ComponentKey) -> Result<Option<Component>> {
        Desired::load(self, key)
    }

    fn raw(&self, key: &ComponentKey) -> Result<Option<crate::metadata::Raw>> {
        match self.index.get(key) {
            None => Ok(None),
            Some(Origin::Generated) => Ok(self.generated.get(key).map(crate::metadata::Raw::of_component)),
            Some(Origin::Include(i, u)) => self.includes[*i].units[*u].raw(self.includes[*i].vfs()).map(Some),
        }
    }
}

impl crate::diff::Side for Input {
    fn keys(&self) -> Vec<ComponentKey> {
        self.units.iter().map(|u| u.key.clone()).collect()
    }

    fn has(&self, key: &ComponentKey) -> bool {
        self.units.binary_search_by(|u| u.key.cmp(key)).is_ok()
    }

    fn load(&self, key: &ComponentKey) -> Result<Option<Component>> {
        match self.units.binary_search_by(|u| u.key.cmp(key)) {
            Ok(i) => Input::load(self, &self.units[i]).map(Some),
            Err(_) => Ok(None),
        }
    }

    fn raw(&self, key: &ComponentKey) -> Result<Option<crate::metadata::Raw>> {
        match self.units.binary_search_by(|u| u.key.cmp(key)) {
            Ok(i) => self.units[i].raw(self.vfs()).map(Some),
            Err(_) => Ok(None),
        }
    }
}
