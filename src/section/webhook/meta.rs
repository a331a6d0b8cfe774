//! Metadata XML of the webhook, element by element in the WSDL's `xsd:sequence` order (mdapi
//! form: an object's fields and list views inline, sorted by name as a retrieve sorts them).

use super::{NamedCredential, Webhook};
use crate::metadata::xml::Element;
use crate::section::permission_set::{permission_set, ObjectAccess, PermissionSet, TabVisibility};
use std::collections::BTreeMap;

/// NamedCredential (legacy, anonymous, no authentication): the URL lives in the org's
/// metadata, the Apex names only `callout:<name>`.
pub fn named_credential(n: &NamedCredential) -> String {
    Element::new("NamedCredential")
        .child(Element::boolean("allowMergeFieldsInBody", false))
        .child(Element::boolean("allowMergeFieldsInHeader", false))
        .child(Element::text("endpoint", &n.url))
        .child(Element::boolean("generateAuthorizationHeader", false))
        .child(Element::text("label", &n.label))
        .child(Element::text("principalType", "Anonymous"))
        .child(Element::text("protocol", "NoAuthentication"))
        .to_document()
}

/// A custom field, in `CustomField`'s sequence order.
struct Field {
    name: &'static str,
    label: &'static str,
    description: String,
    kind: FieldKind,
}

enum FieldKind {
    Text {
        length: u32,
        external_id: bool,
    },
    LongText {
        length: u32,
        lines: u32,
    },
    Number {
        precision: u32,
    },
    DateTime,
    Checkbox,
    Picklist {
        values: &'static [&'static str],
    },
    /// A custom metadata type's text field.
    MetadataText {
        length: u32,
    },
}

impl Field {
    fn element(&self) -> Element {
        let base = Element::new("fields").child(Element::text("fullName", self.name));
        match &self.kind {
            FieldKind::Text { length, external_id } => base
                .child(Element::boolean("caseSensitive", false))
                .child(Element::text("description", &self.description))
                .child(Element::boolean("externalId", *external_id))
                .child(Element::text("label", self.label))
                .child(Element::text("length", length.to_string()))
                .child(Element::boolean("required", false))
                .child(Element::text("type", "Text"))
                .child(Element::boolean("unique", *external_id)),
            FieldKind::LongText { length, lines } => base
                .child(Element::text("description", &self.description))
                .child(Element::text("label", self.label))
                .child(Element::text("length", length.to_string()))
                .child(Element::text("type", "LongTextArea"))
                .child(Element::text("visibleLines", lines.to_string())),
            FieldKind::Number { precision } => base
                .child(Element::text("description", &self.description))
                .child(Element::boolean("externalId", false))
                .child(Element::text("label", self.label))
                .child(Element::text("precision", precision.to_string()))
                .child(Element::boolean("required", false))
                .child(Element::text("scale", "0"))
                .child(Element::text("type", "Number"))
                .child(Element::boolean("unique", false)),
            FieldKind::DateTime => base
                .child(Element::text("description", &self.description))
                .child(Element::boolean("externalId", false))
                .child(Element::text("label", self.label))
                .child(Element::boolean("required", false))
                .child(Element::text("type", "DateTime")),
            FieldKind::Checkbox => base
                .child(Element::text("defaultValue", "false"))
                .child(Element::text("description", &self.description))
                .child(Element::boolean("externalId", false))
                .child(Element::text("label", self.label))
                .child(Element::text("type", "Checkbox")),
            FieldKind::Picklist { values } => {
                let values = values.iter().enumerate().map(|(i, v)| {
                    Element::new("value")
                        .child(Element::text("fullName", *v))
                        .child(Element::boolean("default", i == 0))
                        .child(Element::text("label", *v))
                });
                base.child(Element::text("description", &self.description))
                    .child(Element::text("label", self.label))
                    .child(Element::boolean("required", false))
                    .child(Element::text("type", "Picklist"))
                    .child(Element::new("valueSet").child(Element::boolean("restricted", true)).child(
                        Element::new("valueSetDefinition").child(Element::boolean("sorted", false)).children(values),
                    ))
            }
            FieldKind::MetadataText { length } => base
                .child(Element::text("description", &self.description))
                .child(Element::boolean("externalId", false))
                .child(Element::text("fieldManageability", "DeveloperControlled"))
                .child(Element::text("label", self.label))
                .child(Element::text("length", length.to_string()))
                .child(Element::boolean("required", false))
                .child(Element::text("type", "Text"))
                .child(Element::boolean("unique", false)),
        }
    }
}

fn text(name: &'static str, label: &'static str, length: u32, description: String) -> Field {
    Field { name, label, description, kind: FieldKind::Text { length, external_id: false } }
}

fn number(name: &'static str, label: &'static str, description: String) -> Field {
    Field { name, label, description, kind: FieldKind::Number { precision: 3 } }
}

/// The outbox's fields, sorted by API name.
fn outbox_fields(w: &Webhook) -> Vec<Field> {
    let class = &w.class_name;
    let mut fields = vec![
        number("Attempts__c", "Attempts", "Delivery attempts made so far".into()),
        text(
            "Endpoint__c",
            "Endpoint",
            255,
            format!("Where to post, when not the configured endpoint ({class}.callout(url, content))"),
        ),
        Field {
            name: "Event_Id__c",
            label: "Event Id",
            description: "Idempotency key: sent in the Idempotency-Key header and as eventId, the same on every attempt"
                .into(),
            kind: FieldKind::Text { length: 32, external_id: true },
        },
        text("Last_Error__c", "Last Error", 255, "What went wrong on the last attempt".into()),
        number("Last_Status__c", "Last HTTP Status", "HTTP status of the last answer (0: no answer, e.g. a timeout)".into()),
        Field {
            name: "Next_Attempt__c",
            label: "Next Attempt",
            description: "When the delivery is due (again)".into(),
            kind: FieldKind::DateTime,
        },
        text("Operation__c", "Operation", 40, "The trigger operation, e.g. AFTER_UPDATE".into()),
        Field {
            name: "Payload__c",
            label: "Payload",
            description: "The JSON body, exactly as it is sent".into(),
            kind: FieldKind::LongText { length: 131_072, lines: 10 },
        },
        number("Records__c", "Records", "Records in the payload".into()),
        text("SObject_Type__c", "Object", 80, "The object whose records changed".into()),
        Field {
            name: "Status__c",
            label: "Status",
            description: "Pending: due or waiting for a retry; Failed: a dead letter (set it to Pending, or run replayDeadLetters(), to send it again)"
                .into(),
            kind: FieldKind::Picklist { values: &["Pending", "Failed", "Delivered"] },
        },
    ];
    fields.sort_by_key(|f| f.name);
    fields
}

const LIST_COLUMNS: &[&str] = &[
    "NAME",
    "Status__c",
    "Operation__c",
    "SObject_Type__c",
    "Records__c",
    "Attempts__c",
    "Next_Attempt__c",
    "Last_Status__c",
    "Last_Error__c",
    "CREATED_DATE",
];

fn list_view(name: &str, label: &str, status: Option<&str>) -> Element {
    Element::new("listViews")
        .child(Element::text("fullName", name))
        .children(LIST_COLUMNS.iter().map(|c| Element::text("columns", *c)))
        .child(Element::text("filterScope", "Everything"))
        .opt_child(status.map(|s| {
            Element::new("filters")
                .child(Element::text("field", "Status__c"))
                .child(Element::text("operation", "equals"))
                .child(Element::text("value", s))
        }))
        .child(Element::text("label", label))
}

/// The outbox: one row per payload not yet delivered (delivered rows are deleted), with list
/// views for what is pending and what failed (the dead letters).
pub fn outbox(w: &Webhook) -> String {
    let class = &w.class_name;
    Element::new("CustomObject")
        .child(Element::text("deploymentStatus", "Deployed"))
        .child(Element::text(
            "description",
            format!(
                "Changes the {class} webhook has not delivered yet (Pending) or gave up on (Failed, a dead letter). Written in the same transaction as the change; delivered rows are deleted. Generated by sfgen."
            ),
        ))
        .child(Element::boolean("enableActivities", false))
        .child(Element::boolean("enableBulkApi", true))
        .child(Element::boolean("enableFeeds", false))
        .child(Element::boolean("enableHistory", false))
        .child(Element::boolean("enableReports", true))
        .child(Element::boolean("enableSearch", false))
        .child(Element::boolean("enableSharing", true))
        .child(Element::boolean("enableStreamingApi", true))
        .children(outbox_fields(w).iter().map(Field::element))
        .child(Element::text("label", format!("{class} Delivery")))
        .children([
            list_view("All_Deliveries", "All deliveries", None),
            list_view("Failed_Deliveries", "Failed deliveries (dead letters)", Some("Failed")),
            list_view("Pending_Deliveries", "Pending deliveries", Some("Pending")),
        ])
        .child(
            Element::new("nameField")
                .child(Element::text("displayFormat", "D-{0000000000}"))
                .child(Element::text("label", "Delivery"))
                .child(Element::text("type", "AutoNumber")),
        )
        .child(Element::text("pluralLabel", format!("{class} Deliveries")))
        .child(Element::text("sharingModel", "ReadWrite"))
        .child(Element::text("visibility", "Public"))
        .to_document()
}

/// The outbox's tab, so admins find the list views in the App Launcher.
pub fn outbox_tab() -> String {
    Element::new("CustomTab")
        .child(Element::boolean("customObject", true))
        .child(Element::text("motif", "Custom53: Bell"))
        .to_document()
}

/// The protected hierarchy custom setting: the pause switch, the org the outbox is bound to
/// (a refreshed sandbox holds production's id, so it does not send), and the signing key.
pub fn settings(w: &Webhook) -> String {
    let class = &w.class_name;
    let mut fields = vec![
        Field {
            name: "Org_Id__c",
            label: "Org Id",
            description: format!(
                "The org {class} delivers from, written on its first delivery. In a sandbox copied from production it names production, so sending pauses until {class}.resume() runs."
            ),
            kind: FieldKind::Text { length: 18, external_id: false },
        },
        Field {
            name: "Paused__c",
            label: "Paused",
            description: format!(
                "When checked, changes are still kept in the outbox but not sent ({class}.pause() / {class}.resume())."
            ),
            kind: FieldKind::Checkbox,
        },
    ];
    if let Some(s) = &w.signing {
        fields.push(Field {
            name: "Signing_Key__c",
            label: "Signing Key",
            description: format!(
                "Key {class} signs requests with (HMAC-SHA256), as {}. Set it in Setup; it is never deployed.",
                s.key_encoding.as_str()
            ),
            kind: FieldKind::Text { length: 255, external_id: false },
        });
    }
    Element::new("CustomObject")
        .child(Element::text("customSettingsType", "Hierarchy"))
        .child(Element::text(
            "description",
            format!("Switches and secrets of the {class} webhook (generated by sfgen)"),
        ))
        .child(Element::boolean("enableFeeds", false))
        .children(fields.iter().map(Field::element))
        .child(Element::text("label", format!("{class} Settings")))
        .child(Element::text("visibility", "Protected"))
        .to_document()
}

/// The custom metadata type that holds the endpoint URL.
pub fn endpoint_type(w: &Webhook) -> String {
    let class = &w.class_name;
    let field = Field {
        name: "Url__c",
        label: "URL",
        description: "The https URL the webhook posts to".into(),
        kind: FieldKind::MetadataText { length: 255 },
    };
    Element::new("CustomObject")
        .child(Element::text(
            "description",
            format!(
                "Where the {class} webhook posts: one record, Default. Each environment deploys its own URL; the Apex is the same everywhere."
            ),
        ))
        .child(field.element())
        .child(Element::text("label", format!("{class} Endpoint")))
        .child(Element::text("pluralLabel", format!("{class} Endpoints")))
        .child(Element::text("visibility", "Public"))
        .to_document()
}

/// The endpoint's custom metadata record.
pub fn endpoint_record(url: &str) -> String {
    Element::new("CustomMetadata")
        .attr("xmlns", crate::metadata::MD_NAMESPACE)
        .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        .attr("xmlns:xsd", "http://www.w3.org/2001/XMLSchema")
        .child(Element::text("label", "Default"))
        .child(Element::boolean("protected", false))
        .child(
            Element::new("values")
                .child(Element::text("field", "Url__c"))
                .child(Element::text("value", url).attr("xsi:type", "xsd:string")),
        )
        .to_document()
}

/// The permission set for the admins who watch the outbox: the outbox object, its fields and
/// tab, and the admin entry points.
pub fn admin_permission_set(w: &Webhook) -> String {
    let outbox = &w.outbox_object;
    let editable = ["Attempts__c", "Next_Attempt__c", "Status__c"];
    let fields: BTreeMap<String, bool> =
        outbox_fields(w).iter().map(|f| (format!("{outbox}.{}", f.name), editable.contains(&f.name))).collect();
    let mut objects = BTreeMap::new();
    objects.insert(
        outbox.clone(),
        ObjectAccess { read: true, create: false, edit: true, delete: true, view_all: true, modify_all: true },
    );
    let mut tabs = BTreeMap::new();
    tabs.insert(outbox.clone(), TabVisibility::Visible);
    let mut classes = vec![w.class_name.clone(), w.admin_class_name.clone()];
    classes.sort();
    let set = PermissionSet {
        name: w.admin_permission_set.clone(),
        label: format!("{} Delivery Admin", w.class_name),
        description: Some(format!(
            "See and replay the {} webhook's pending and failed deliveries (generated by sfgen)",
            w.class_name
        )),
        license: None,
        user_permissions: Vec::new(),
        objects,
        fields,
        classes,
        tabs,
        record_types: Vec::new(),
    };
    permission_set(&set)
}
