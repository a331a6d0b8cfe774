//! Project → [`Tree`]: every artefact, rendered in memory in mdapi layout.
//!
//! Rendering is pure: the same project gives the same bytes, and nothing touches the disk
//! here. Writing (and conversion to source layout) happens in [`crate::write`] and [`crate::convert`].

pub mod apex;
pub mod meta;

use crate::metadata::{Component, ComponentKey, MetadataFile, Tree};
use crate::model::Project;

fn xml_component(tree: &mut Tree, type_name: &str, name: &str, path: String, xml: String) {
    tree.insert(Component::new(ComponentKey::new(type_name, name), vec![MetadataFile::new(path, xml)]));
}

/// Renders every component the project describes.
pub fn render(project: &Project) -> Tree {
    let mut tree = Tree::new();
    let v = &project.api_version;

    if let Some(w) = &project.webhook {
        for src in apex::webhook_sources(project, w) {
            let (ty, dir, ext, root) = if src.is_trigger {
                ("ApexTrigger", "triggers", "trigger", "ApexTrigger")
            } else {
                ("ApexClass", "classes", "cls", "ApexClass")
            };
            let body = format!("{dir}/{}.{ext}", src.name);
            let meta_path = format!("{body}-meta.xml");
            tree.insert(Component::new(
                ComponentKey::new(ty, &src.name),
                vec![MetadataFile::new(body, src.source), MetadataFile::new(meta_path, meta::apex_meta(root, v))],
            ));
        }
        if let Some(s) = &w.signing {
            xml_component(
                &mut tree,
                "CustomObject",
                &s.setting_object,
                format!("objects/{}.object", s.setting_object),
                meta::signing_setting(s, &w.class_name),
            );
        }
    }
    for s in &project.remote_sites {
        xml_component(
            &mut tree,
            "RemoteSiteSetting",
            &s.name,
            format!("remoteSiteSettings/{}.remoteSite", s.name),
            meta::remote_site(s),
        );
    }
    for n in &project.named_credentials {
        xml_component(
            &mut tree,
            "NamedCredential",
            &n.name,
            format!("namedCredentials/{}.namedCredential", n.name),
            meta::named_credential(n),
        );
    }
    for a in &project.connected_apps {
        xml_component(
            &mut tree,
            "ConnectedApp",
            &a.name,
            format!("connectedApps/{}.connectedApp", a.name),
            meta::connected_app(a),
        );
    }
    for p in &project.permission_sets {
        xml_component(
            &mut tree,
            "PermissionSet",
            &p.name,
            format!("permissionsets/{}.permissionset", p.name),
            meta::permission_set(p),
        );
    }
    if let Some(enabled) = project.settings.email_to_case {
        xml_component(&mut tree, "Settings", "Case", "settings/Case.settings".into(), meta::case_settings(enabled));
    }
    if let Some(allow) = project.settings.allow_username_password_flow {
        xml_component(
            &mut tree,
            "Settings",
            "OauthOidc",
            "settings/OauthOidc.settings".into(),
            meta::oauth_oidc_settings(allow),
        );
    }
    tree
}
