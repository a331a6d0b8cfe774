//! Project → [`Tree`]: every artefact, rendered in memory in mdapi layout.
//!
//! Rendering is pure: the same project gives the same bytes, and nothing touches the disk
//! here. Writing (and conversion to source layout) happens in [`crate::write`] and
//! [`crate::convert`]. Each config section renders itself ([`crate::section`]); this module only
//! puts them together.

use crate::metadata::Tree;
use crate::project::Project;
use crate::section;

/// Renders every component the project describes.
pub fn render(project: &Project) -> Tree {
    let mut tree = Tree::new();
    if let Some(w) = &project.webhook {
        section::webhook::render(project.short_hash(), &project.api_version, &project.named_credentials, w, &mut tree);
    }
    section::remote_site::render(&project.remote_sites, &mut tree);
    section::named_credential::render(&project.named_credentials, &mut tree);
    section::oauth_app::render(&project.connected_apps, &mut tree);
    section::permission_set::render(&project.permission_sets, &mut tree);
    section::settings::render(&project.settings, &mut tree);
    tree
}
