//! The metadata-type registry: one sorted static table that says, for every type sfgen knows,
//! where its files live and how they are shaped in both layouts.
//!
//! Modelled on ripgrep's `default_types.rs`: plain data, kept sorted by type name (a unit test
//! fails otherwise), so lookups are binary searches and additions are one-line diffs. The facts
//! come from Salesforce's source-deploy-retrieve registry (`metadataRegistry.json`).

/// How a type's files are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One XML file per component: `remoteSiteSettings/X.remoteSite` in mdapi,
    /// `X.remoteSite-meta.xml` in source.
    Xml,
    /// A body file plus a `-meta.xml` sibling, identical in both layouts:
    /// `classes/X.cls` + `classes/X.cls-meta.xml`.
    WithMeta,
    /// A body file of any extension plus `X.<suffix>-meta.xml` (StaticResource, Document).
    AnyExtWithMeta,
    /// A folder per component holding several files (Aura and LWC bundles).
    Bundle,
}

/// One row of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetadataType {
    /// package.xml `<name>`.
    pub name: &'static str,
    /// Folder under the package root (mdapi) or under `main/default` (source).
    pub directory: &'static str,
    /// File suffix without the dot (`cls`, `object`); empty for bundles.
    pub suffix: &'static str,
    /// How the files are shaped.
    pub shape: Shape,
    /// For types stored in folders (reports, dashboards, documents, email templates): the
    /// folder's own metadata type.
    pub folder_type: Option<&'static str>,
    /// For decomposed parents (CustomObject): the child element names that live in their own
    /// files in source layout, with the child type, its source sub-folder and suffix.
    pub children: &'static [ChildType],
    /// Children that stay inline in both layouts but that package.xml lists one by one, as
    /// the Salesforce CLI does (CustomLabels → `CustomLabel: Invoice_Overdue`).
    pub listed_children: &'static [ChildType],
    /// The WSDL's element sequence for a decomposed parent, so that a recomposed file is in
    /// schema order (the order an org retrieve returns and the XSD validates); empty for types
    /// sfgen never recomposes.
    pub element_order: &'static [&'static str],
}

/// A child type that a parent stores inline in mdapi and in its own file in source layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildType {
    /// Element name inside the parent's mdapi XML (`fields`).
    pub element: &'static str,
    /// package.xml type of the child (`CustomField`).
    pub name: &'static str,
    /// Source sub-folder under the parent's folder (`fields`).
    pub directory: &'static str,
    /// Source suffix (`field` → `X.field-meta.xml`).
    pub suffix: &'static str,
}

const OBJECT_CHILDREN: &[ChildType] = &[
    ChildType {
        element: "businessProcesses",
        name: "BusinessProcess",
        directory: "businessProcesses",
        suffix: "businessProcess",
    },
    ChildType {
        element: "compactLayouts",
        name: "CompactLayout",
        directory: "compactLayouts",
        suffix: "compactLayout",
    },
    ChildType { element: "fieldSets", name: "FieldSet", directory: "fieldSets", suffix: "fieldSet" },
    ChildType { element: "fields", name: "CustomField", directory: "fields", suffix: "field" },
    ChildType { element: "indexes", name: "Index", directory: "indexes", suffix: "index" },
    ChildType { element: "listViews", name: "ListView", directory: "listViews", suffix: "listView" },
    ChildType { element: "recordTypes", name: "RecordType", directory: "recordTypes", suffix: "recordType" },
    ChildType {
        element: "sharingReasons",
        name: "SharingReason",
        directory: "sharingReasons",
        suffix: "sharingReason",
    },
    ChildType {
        element: "validationRules",
        name: "ValidationRule",
        directory: "validationRules",
        suffix: "validationRule",
    },
    ChildType { element: "webLinks", name: "WebLink", directory: "webLinks", suffix: "webLink" },
];

const LABELS_CHILDREN: &[ChildType] =
    &[ChildType { element: "labels", name: "CustomLabel", directory: "labels", suffix: "label" }];

/// `CustomObject`'s element sequence in the Metadata API WSDL (v66.0).
#[rustfmt::skip]
const OBJECT_ORDER: &[&str] = &[
    "actionOverrides", "allowInChatterGroups", "articleTypeChannelDisplay", "businessProcesses", "compactLayoutAssignment",
    "compactLayouts", "customHelp", "customHelpPage", "customSettingsType", "deploymentStatus", "deprecated", "description",
    "enableActivities", "enableBulkApi", "enableDataTranslation", "enableDivisions", "enableEnhancedLookup", "enableFeeds",
    "enableHistory", "enableLicensing", "enablePublishStatusTracking", "enableReports", "enableSearch", "enableSharing",
    "enableStreamingApi", "eventType", "externalDataSource", "externalIndexAvailable", "externalName", "externalRepository",
    "externalSharingModel", "fieldSets", "fields", "gender", "historyRetentionPolicy", "household", "indexes", "label",
    "listViews", "mktDataLakeAttributes", "mktDataModelAttributes", "nameField", "pluralLabel", "profileSearchLayouts",
    "publishBehavior", "recordTypeTrackFeedHistory", "recordTypeTrackHistory", "recordTypes", "searchLayouts", "sharingModel",
    "sharingReasons", "sharingRecalculations", "startsWith", "validationRules", "visibility", "webLinks",
];

macro_rules! row {
    ($name:literal, $dir:literal, $suffix:literal, $shape:ident) => {
        MetadataType {
            name: $name,
            directory: $dir,
            suffix: $suffix,
            shape: Shape::$shape,
            folder_type: None,
            children: &[],
            listed_children: &[],
            element_order: &[],
        }
    };
    ($name:literal, $dir:literal, $suffix:literal, $shape:ident, folder = $folder:literal) => {
        MetadataType {
            name: $name,
            directory: $dir,
            suffix: $suffix,
            shape: Shape::$shape,
            folder_type: Some($folder),
            children: &[],
            listed_children: &[],
            element_order: &[],
        }
    };
}

/// Every type sfgen knows, sorted by name.
#[rustfmt::skip]
pub const TYPES: &[MetadataType] = &[
    row!("ApexClass", "classes", "cls", WithMeta),
    row!("ApexComponent", "components", "component", WithMeta),
    row!("ApexEmailNotifications", "apexEmailNotifications", "notifications", Xml),
    row!("ApexPage", "pages", "page", WithMeta),
    row!("ApexTestSuite", "testSuites", "testSuite", Xml),
    row!("ApexTrigger", "triggers", "trigger", WithMeta),
    row!("AppMenu", "appMenus", "appMenu", Xml),
    row!("AuraDefinitionBundle", "aura", "", Bundle),
    row!("AuthProvider", "authproviders", "authprovider", Xml),
    row!("BrandingSet", "brandingSets", "brandingSet", Xml),
    row!("CallCenter", "callCenters", "callCenter", Xml),
    row!("Certificate", "certs", "crt", WithMeta),
    row!("ConnectedApp", "connectedApps", "connectedApp", Xml),
    row!("ContentAsset", "contentassets", "asset", WithMeta),
    row!("CspTrustedSite", "cspTrustedSites", "cspTrustedSite", Xml),
    row!("CustomApplication", "applications", "app", Xml),
    MetadataType { name: "CustomLabels", directory: "labels", suffix: "labels", shape: Shape::Xml, folder_type: None, children: &[], listed_children: LABELS_CHILDREN, element_order: &[] },
    row!("CustomMetadata", "customMetadata", "md", Xml),
    row!("CustomNotificationType", "notificationtypes", "notiftype", Xml),
    MetadataType { name: "CustomObject", directory: "objects", suffix: "object", shape: Shape::Xml, folder_type: None, children: OBJECT_CHILDREN, listed_children: &[], element_order: OBJECT_ORDER },
    row!("CustomPageWebLink", "weblinks", "weblink", Xml),
    row!("CustomPermission", "customPermissions", "customPermission", Xml),
    row!("CustomSite", "sites", "site", Xml),
    row!("CustomTab", "tabs", "tab", Xml),
    row!("Dashboard", "dashboards", "dashboard", Xml, folder = "DashboardFolder"),
    row!("Document", "documents", "document", AnyExtWithMeta, folder = "DocumentFolder"),
    row!("DuplicateRule", "duplicateRules", "duplicateRule", Xml),
    row!("EmailTemplate", "email", "email", WithMeta, folder = "EmailFolder"),
    row!("ExternalClientApplication", "externalClientApps", "eca", Xml),
    row!("ExternalCredential", "externalCredentials", "externalCredential", Xml),
    row!("ExternalServiceRegistration", "externalServiceRegistrations", "externalServiceRegistration", Xml),
    row!("ExtlClntAppConfigurablePolicies", "extlClntAppPolicies", "ecaPlcy", Xml),
    row!("ExtlClntAppGlobalOauthSettings", "extlClntAppGlobalOauthSets", "ecaGlblOauth", Xml),
    row!("ExtlClntAppOauthConfigurablePolicies", "extlClntAppOauthPolicies", "ecaOauthPlcy", Xml),
    row!("ExtlClntAppOauthSettings", "extlClntAppOauthSettings", "ecaOauth", Xml),
    row!("FlexiPage", "flexipages", "flexipage", Xml),
    row!("Flow", "flows", "flow", Xml),
    row!("FlowDefinition", "flowDefinitions", "flowDefinition", Xml),
    row!("GlobalValueSet", "globalValueSets", "globalValueSet", Xml),
    row!("Group", "groups", "group", Xml),
    row!("HomePageLayout", "homePageLayouts", "homePageLayout", Xml),
    row!("Layout", "layouts", "layout", Xml),
    row!("Letterhead", "letterhead", "letter", Xml),
    row!("LightningComponentBundle", "lwc", "", Bundle),
    row!("LightningExperienceTheme", "lightningExperienceThemes", "lightningExperienceTheme", Xml),
    row!("LightningMessageChannel", "messageChannels", "messageChannel", Xml),
    row!("NamedCredential", "namedCredentials", "namedCredential", Xml),
    row!("PathAssistant", "pathAssistants", "pathAssistant", Xml),
    row!("PermissionSet", "permissionsets", "permissionset", Xml),
    row!("PermissionSetGroup", "permissionsetgroups", "permissionsetgroup", Xml),
    row!("PlatformEventChannel", "platformEventChannels", "platformEventChannel", Xml),
    row!("Profile", "profiles", "profile", Xml),
    row!("Queue", "queues", "queue", Xml),
    row!("QuickAction", "quickActions", "quickAction", Xml),
    row!("RemoteSiteSetting", "remoteSiteSettings", "remoteSite", Xml),
    row!("Report", "reports", "report", Xml, folder = "ReportFolder"),
    row!("ReportType", "reportTypes", "reportType", Xml),
    row!("Role", "roles", "role", Xml),
    row!("SamlSsoConfig", "samlssoconfigs", "samlssoconfig", Xml),
    row!("Settings", "settings", "settings", Xml),
    row!("StandardValueSet", "standardValueSets", "standardValueSet", Xml),
    row!("StaticResource", "staticresources", "resource", AnyExtWithMeta),
    row!("TopicsForObjects", "topicsForObjects", "topicsForObjects", Xml),
    row!("Translations", "translations", "translation", Xml),
];

/// The registry row for a package.xml type name.
pub fn by_name(name: &str) -> Option<&'static MetadataType> {
    TYPES.binary_search_by(|t| t.name.cmp(name)).ok().map(|i| &TYPES[i])
}

/// The registry row whose folder is `directory`.
pub fn by_directory(directory: &str) -> Option<&'static MetadataType> {
    TYPES.iter().find(|t| t.directory == directory)
}

/// The registry row of the type stored in folders of type `folder_type` (`ReportFolder` →
/// Report).
pub fn by_folder_type(folder_type: &str) -> Option<&'static MetadataType> {
    TYPES.iter().find(|t| t.folder_type == Some(folder_type))
}

/// The source-format suffix of a folder type's `-meta.xml` (`ReportFolder` → `reportFolder`,
/// as in `reports/Sales.reportFolder-meta.xml`).
pub fn folder_suffix(folder_type: &str) -> String {
    let mut chars = folder_type.chars();
    match chars.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_sorted_and_unique() {
        for pair in TYPES.windows(2) {
            assert!(pair[0].name < pair[1].name, "{} must sort before {}", pair[0].name, pair[1].name);
        }
    }

    #[test]
    fn directories_are_unique() {
        let mut dirs: Vec<&str> = TYPES.iter().map(|t| t.directory).collect();
        dirs.sort_unstable();
        let before = dirs.len();
        dirs.dedup();
        assert_eq!(before, dirs.len());
    }

    #[test]
    fn object_order_knows_every_child_element() {
        for c in OBJECT_CHILDREN {
            assert!(OBJECT_ORDER.contains(&c.element), "{} missing from OBJECT_ORDER", c.element);
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(by_name("ApexClass").map(|t| t.directory), Some("classes"));
        assert_eq!(by_directory("permissionsets").map(|t| t.name), Some("PermissionSet"));
        assert!(by_name("ApexClasses").is_none());
        assert_eq!(by_folder_type("ReportFolder").map(|t| t.name), Some("Report"));
        assert_eq!(folder_suffix("EmailFolder"), "emailFolder");
    }
}
