//! `permissionSets`: object, field, class, tab, record type and user permissions, checked for
//! the dependencies Salesforce enforces at deploy time.

use super::{label_from_name, Ctx};
use crate::sf::names::{self, *};
use crate::sf::permissions::{missing_object_permissions, no_fls, ObjectPerm, USER_PERMISSION_DEPENDENCIES};
use crate::sf::xml::Element;
use crate::spans::{push_index, push_key};
use crate::suggest::did_you_mean;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A permission set.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "PermissionSet")]
pub struct RawPermissionSet {
    /// API name, e.g. "Conexiom_Integration".
    pub name: String,
    /// Label shown in Setup (default: the name with spaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Description shown in Setup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// User license the set is tied to, e.g. "Salesforce" (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// System permissions, e.g. ["ApiEnabled", "ApexRestServices", "EditTask"].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_permissions: Vec<String>,
    /// Object access: { "Account": ["read", "edit"] }; read, create, edit, delete, viewAll,
    /// modifyAll. Task and Event access comes from the user permissions EditTask / EditEvent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, Vec<ObjectAccessWord>>")]
    pub objects: BTreeMap<String, Vec<String>>,
    /// Field-level security: { "Account.BillingAddress": "read", "Case.Subject": "edit" }.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, FieldAccessWord>")]
    pub fields: BTreeMap<String, String>,
    /// Apex classes the set may run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// Tab visibility: { "standard-Case": "visible" | "available" | "none" }.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, TabVisibilityWord>")]
    pub tabs: BTreeMap<String, String>,
    /// Record types made visible, as "Object.RecordTypeName".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_types: Vec<String>,
}

/// Object access words (schema only).
#[derive(JsonSchema)]
#[schemars(rename = "ObjectAccessWord", extend("enum" = ["read", "create", "edit", "delete", "viewAll", "modifyAll"]))]
#[allow(dead_code)]
struct ObjectAccessWord(String);

/// Field access words (schema only).
#[derive(JsonSchema)]
#[schemars(rename = "FieldAccessWord", extend("enum" = ["read", "edit"]))]
#[allow(dead_code)]
struct FieldAccessWord(String);

/// Tab visibility words (schema only; any letter case is accepted).
#[derive(JsonSchema)]
#[schemars(rename = "TabVisibilityWord", extend("enum" = ["visible", "available", "none", "Visible", "Available", "None"]))]
#[allow(dead_code)]
struct TabVisibilityWord(String);

/// Object access in a permission set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ObjectAccess {
    /// Read.
    pub read: bool,
    /// Create.
    pub create: bool,
    /// Edit.
    pub edit: bool,
    /// Delete.
    pub delete: bool,
    /// View All.
    pub view_all: bool,
    /// Modify All.
    pub modify_all: bool,
}

impl ObjectAccess {
    /// Whether it grants `p`.
    pub fn grants(&self, p: ObjectPerm) -> bool {
        match p {
            ObjectPerm::Read => self.read,
            ObjectPerm::Create => self.create,
            ObjectPerm::Edit => self.edit,
            ObjectPerm::Delete => self.delete,
            ObjectPerm::ViewAll => self.view_all,
            ObjectPerm::ModifyAll => self.modify_all,
        }
    }
}

/// Tab visibility in a permission set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabVisibility {
    /// Visible.
    Visible,
    /// Available.
    Available,
    /// None.
    None,
}

impl TabVisibility {
    /// Metadata API value.
    pub fn as_str(self) -> &'static str {
        match self {
            TabVisibility::Visible => "Visible",
            TabVisibility::Available => "Available",
            TabVisibility::None => "None",
        }
    }
}

/// A permission set; every map is sorted by its key like a retrieve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionSet {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Description.
    pub description: Option<String>,
    /// License.
    pub license: Option<String>,
    /// User permissions, sorted.
    pub user_permissions: Vec<String>,
    /// Object access by object.
    pub objects: BTreeMap<String, ObjectAccess>,
    /// Field access by `Object.Field`: `true` = editable (and readable), `false` = read only.
    pub fields: BTreeMap<String, bool>,
    /// Apex classes, sorted.
    pub classes: Vec<String>,
    /// Tabs.
    pub tabs: BTreeMap<String, TabVisibility>,
    /// Record types, sorted.
    pub record_types: Vec<String>,
    /// External Credential principals the set may use (`Credential-Principal`), sorted.
    pub external_credential_principals: Vec<String>,
}

const ACCESS_WORDS: &[&str] = &["read", "create", "edit", "delete", "viewAll", "modifyAll"];

pub(crate) fn permission_sets(cx: &mut Ctx<'_>, raw: &[RawPermissionSet]) -> Vec<PermissionSet> {
    let mut seen = BTreeSet::new();
    let known_perms: BTreeSet<&str> = user_permissions().collect();
    raw.iter()
        .enumerate()
        .map(|(i, p)| {
            let path = push_index("permissionSets", i);
            let name = cx.api_name(&push_key(&path, "name"), "permission set name", &p.name, 80);
            if !seen.insert(name.to_ascii_lowercase()) {
                cx.error(&push_key(&path, "name"), format!("duplicate permission set name \"{name}\""), None);
            }
            let label = p.label.clone().unwrap_or_else(|| label_from_name(&p.name));
            cx.text(&push_key(&path, "label"), &label, 80);
            if let Some(d) = &p.description {
                cx.text(&push_key(&path, "description"), d, 255);
            }
            if let Some(l) = &p.license {
                cx.text(&push_key(&path, "license"), l, 80);
            }

            let mut user_permissions = BTreeSet::new();
            for (j, up) in p.user_permissions.iter().enumerate() {
                let pp = push_index(&push_key(&path, "userPermissions"), j);
                if !known_perms.contains(up.as_str()) {
                    match did_you_mean(up, known_perms.iter().copied()) {
                        Some(s) => cx.error(&pp, format!("unknown user permission \"{up}\""), Some(format!("did you mean \"{s}\"?"))),
                        None if !is_api_name(up) => cx.error(&pp, format!("\"{up}\" is not a user permission name"), Some("user permissions are API names such as \"ApiEnabled\"".to_string())),
                        None => cx.warn(&pp, format!("user permission \"{up}\" is not one sfgen knows (API 61); the deploy fails if the org does not have it"), None),
                    }
                }
                user_permissions.insert(up.clone());
            }
            for (perm, needs) in USER_PERMISSION_DEPENDENCIES {
                if user_permissions.contains(*perm) {
                    for need in *needs {
                        if !user_permissions.contains(*need) {
                            cx.error(&push_key(&path, "userPermissions"), format!("user permission {perm} requires {need}"), Some(format!("add \"{need}\"")));
                        }
                    }
                }
            }

            let mut objects = BTreeMap::new();
            for (object, words) in &p.objects {
                let op = push_key(&push_key(&path, "objects"), object);
                if object == "Task" || object == "Event" {
                    let perm = format!("Edit{object}");
                    cx.error(&op, format!("{object} has no object permissions in Salesforce"), Some(format!("activity access comes from the user permission \"{perm}\": add it to \"userPermissions\"")));
                    continue;
                }
                cx.sobject_name(&op, "an SObject", object, None);
                let mut a = ObjectAccess::default();
                for w in words {
                    match w.as_str() {
                        "read" => a.read = true,
                        "create" => a.create = true,
                        "edit" => a.edit = true,
                        "delete" => a.delete = true,
                        "viewAll" => a.view_all = true,
                        "modifyAll" => a.modify_all = true,
                        other => {
                            let hint = did_you_mean(other, ACCESS_WORDS.iter().copied()).map(|s| format!("did you mean \"{s}\"?")).unwrap_or_else(|| format!("use {}", ACCESS_WORDS.join(", ")));
                            cx.error(&op, format!("unknown object access \"{other}\""), Some(hint));
                        }
                    }
                }
                for (has, needs) in missing_object_permissions(|p| a.grants(p)) {
                    let (what, req_name) = (has.config_word(), needs.config_word());
                    cx.error(&op, format!("{object}: {what} requires {req_name}"), Some(format!("add \"{req_name}\" (Salesforce refuses {what} without it)")));
                }
                objects.insert(object.clone(), a);
            }

            let mut fields = BTreeMap::new();
            for (field, access) in &p.fields {
                let fp = push_key(&push_key(&path, "fields"), field);
                let Some((obj, f)) = field.split_once('.') else {
                    cx.error(&fp, format!("\"{field}\" must be written Object.Field"), Some("e.g. \"Account.BillingAddress\"".to_string()));
                    continue;
                };
                if crate::sf::names::sobject_name_length(obj).or_else(|| crate::sf::names::sobject_name_length(f)).is_some() {
                    cx.sobject_name(&fp, "an SObject", obj, None);
                    cx.sobject_name(&fp, "a field", f, None);
                    continue;
                }
                if !is_sobject_name(obj) || !is_sobject_name(f) {
                    cx.error(&fp, format!("\"{field}\" is not Object.Field with API names"), None);
                    continue;
                }
                if no_fls(obj, f).is_some() {
                    cx.error(&fp, format!("{field} cannot carry field-level security (it is required or system-managed, so always visible)"), Some("remove it; the object permission already grants it".to_string()));
                    continue;
                }
                let editable = match access.as_str() {
                    "read" => false,
                    "edit" => true,
                    other => {
                        cx.error(&fp, format!("unknown field access \"{other}\""), Some("use \"read\" or \"edit\"".to_string()));
                        continue;
                    }
                };
                if obj != "Task" && obj != "Event" && !objects.get(obj).is_some_and(|a: &ObjectAccess| a.read) && !p.objects.contains_key(obj) {
                    cx.warn(&fp, format!("field access on {obj} without object access in this permission set"), Some(format!("add \"{obj}\": [\"read\"] to \"objects\" unless another set grants it")));
                }
                fields.insert(field.clone(), editable);
            }

            let mut classes = BTreeSet::new();
            for (j, c) in p.classes.iter().enumerate() {
                let cp = push_index(&push_key(&path, "classes"), j);
                let (ns, class) = c.split_once('.').map_or((None, c.as_str()), |(ns, n)| (Some(ns), n));
                let ok = is_api_name(class) && ns.is_none_or(is_api_name);
                if !ok {
                    cx.error(&cp, format!("\"{}\" is not an Apex class name", names::shown_name(c)), None);
                } else if let Some(why) = names::too_long("the class name", class, names::MAX_CLASS_NAME)
                    .or_else(|| ns.and_then(|ns| names::too_long("the namespace prefix", ns, names::MAX_NAMESPACE)))
                {
                    cx.error(&cp, why, None);
                }
                classes.insert(c.clone());
            }

            let mut tabs = BTreeMap::new();
            for (tab, vis) in &p.tabs {
                let tp = push_key(&push_key(&path, "tabs"), tab);
                let v = match vis.to_ascii_lowercase().as_str() {
                    "visible" => TabVisibility::Visible,
                    "available" => TabVisibility::Available,
                    "none" => TabVisibility::None,
                    _ => {
                        cx.error(&tp, format!("unknown tab visibility \"{vis}\""), Some("use \"visible\", \"available\" or \"none\"".to_string()));
                        continue;
                    }
                };
                let name_ok = tab
                    .strip_prefix("standard-")
                    .map(|o| is_api_name(o) && o.len() <= names::MAX_STANDARD_NAME)
                    .unwrap_or_else(|| is_sobject_name(tab));
                if !name_ok {
                    cx.error(&tp, format!("\"{}\" is not a tab name", names::shown_name(tab)), Some("standard tabs are \"standard-<Object>\", custom ones the object or tab API name (within Salesforce's name lengths)".to_string()));
                }
                tabs.insert(tab.clone(), v);
            }

            let mut record_types = BTreeSet::new();
            for (j, rt) in p.record_types.iter().enumerate() {
                let rp = push_index(&push_key(&path, "recordTypes"), j);
                match rt.split_once('.') {
                    Some((o, n)) if is_sobject_name(o) && is_api_name(n) => {
                        if let Some(why) = names::too_long("the record type name", n, names::MAX_RECORD_TYPE_NAME) {
                            cx.error(&rp, why, None);
                        }
                        record_types.insert(rt.clone());
                    }
                    _ => cx.error(&rp, format!("\"{}\" must be written Object.RecordTypeName", names::shown_name(rt)), Some("e.g. \"Case.Order\"".to_string())),
                }
            }

            PermissionSet {
                name,
                label,
                description: p.description.clone(),
                license: p.license.clone(),
                user_permissions: user_permissions.into_iter().collect(),
                objects,
                fields,
                classes: classes.into_iter().collect(),
                tabs,
                record_types: record_types.into_iter().collect(),
                external_credential_principals: Vec::new(),
            }
        })
        .collect()
}

/// PermissionSet, in schema order (classAccesses, description, fieldPermissions,
/// hasActivationRequired, label, license, objectPermissions, recordTypeVisibilities,
/// tabSettings, userPermissions).
pub fn permission_set(p: &PermissionSet) -> String {
    let classes = p.classes.iter().map(|c| {
        Element::new("classAccesses").child(Element::text("apexClass", c)).child(Element::boolean("enabled", true))
    });
    let fields = p.fields.iter().map(|(f, editable)| {
        Element::new("fieldPermissions")
            .child(Element::boolean("editable", *editable))
            .child(Element::text("field", f))
            .child(Element::boolean("readable", true))
    });
    let objects = p.objects.iter().map(|(o, a)| {
        Element::new("objectPermissions")
            .child(Element::boolean("allowCreate", a.create))
            .child(Element::boolean("allowDelete", a.delete))
            .child(Element::boolean("allowEdit", a.edit))
            .child(Element::boolean("allowRead", a.read))
            .child(Element::boolean("modifyAllRecords", a.modify_all))
            .child(Element::text("object", o))
            .child(Element::boolean("viewAllRecords", a.view_all))
    });
    let record_types = p.record_types.iter().map(|r| {
        Element::new("recordTypeVisibilities")
            .child(Element::text("recordType", r))
            .child(Element::boolean("visible", true))
    });
    let tabs = p.tabs.iter().map(|(t, v)| {
        Element::new("tabSettings").child(Element::text("tab", t)).child(Element::text("visibility", v.as_str()))
    });
    let users = p.user_permissions.iter().map(|u| {
        Element::new("userPermissions").child(Element::boolean("enabled", true)).child(Element::text("name", u))
    });
    Element::new("PermissionSet")
        .children(classes)
        .opt_child(p.description.as_ref().map(|d| Element::text("description", d)))
        .children(p.external_credential_principals.iter().map(|c| {
            Element::new("externalCredentialPrincipalAccesses")
                .child(Element::boolean("enabled", true))
                .child(Element::text("externalCredentialPrincipal", c))
        }))
        .children(fields)
        .child(Element::boolean("hasActivationRequired", false))
        .child(Element::text("label", &p.label))
        .opt_child(p.license.as_ref().map(|l| Element::text("license", l)))
        .children(objects)
        .children(record_types)
        .children(tabs)
        .children(users)
        .to_document()
}

/// Renders every permission set.
pub fn render(sets: &[PermissionSet], tree: &mut crate::metadata::Tree) {
    for p in sets {
        super::xml_file(tree, "PermissionSet", &p.name, permission_set(p));
    }
}
