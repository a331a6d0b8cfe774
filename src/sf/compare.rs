//! Salesforce's tables for comparing metadata (used by [`crate::canon`]): what kind of file a
//! path holds, which repeated rows are sets and what keys them, which rows grant nothing, which
//! values an org assigns on its own, and which elements and parameters hold secrets.
//!
//! Each table is sorted by its key and holds each key once (the tests say so), so a review sees
//! at a glance whether a row is there.

/// How a file is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Metadata XML.
    Xml,
    /// Apex source (`.cls`, `.trigger`).
    Apex,
    /// Any other file: text when it is UTF-8, binary otherwise.
    Other,
}

/// The kind of the file at `path` (an mdapi path such as `classes/Webhook.cls`).
pub fn kind_of(path: &str) -> FileKind {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".cls") || name.ends_with(".trigger") {
        return FileKind::Apex;
    }
    if name.ends_with(".xml") {
        return FileKind::Xml;
    }
    // Single-file XML components: `remoteSiteSettings/X.remoteSite`, `objects/X.object`, ...
    let mut parts = path.split('/');
    let (Some(dir), Some(_)) = (parts.next(), parts.next()) else {
        return FileKind::Other;
    };
    // Folder-based XML types (reports, dashboards) sit one level deeper; the registry's
    // adapter says whether the body is XML either way.
    use crate::sf::registry::{registry, Adapter};
    // (A folder type shares its folder with the type it holds; its own files are `-meta.xml`.)
    let xml_bodied = registry()
        .types_in_directory(dir)
        .filter(|t| t.folder_content_type.is_none())
        .any(|t| matches!(t.adapter, Adapter::Default | Adapter::Decomposed | Adapter::PartiallyDecomposed));
    if xml_bodied {
        FileKind::Xml
    } else {
        FileKind::Other
    }
}

// ---------------------------------------------------------------------------------------------
// XML rows

/// Root elements whose repeated rows are permission rows.
pub const PERMISSION_ROOTS: &[&str] = &["MutingPermissionSet", "PermissionSet", "Profile"];

/// Permission rows of [`PERMISSION_ROOTS`] (children of the root), their key elements, and
/// whether a row whose other values are all `false`/`None`/`Hidden` grants nothing.
pub const PERMISSION_ROWS: &[(&str, &[&str], bool)] = &[
    ("agentAccesses", &["agentName"], true),
    ("applicationVisibilities", &["application"], true),
    ("categoryGroupVisibilities", &["dataCategoryGroup"], false),
    ("classAccesses", &["apexClass"], true),
    ("customMetadataTypeAccesses", &["name"], true),
    ("customPermissions", &["name"], true),
    ("customSettingAccesses", &["name"], true),
    ("emailRoutingAddressAccesses", &["emailRoutingAddress"], true),
    ("externalCredentialPrincipalAccesses", &["externalCredentialPrincipal"], true),
    ("externalDataSourceAccesses", &["externalDataSource"], true),
    ("fieldPermissions", &["field"], true),
    ("flowAccesses", &["flow"], true),
    ("layoutAssignments", &["layout", "recordType"], false),
    ("loginFlows", &["flow"], false),
    ("loginIpRanges", &["startAddress", "endAddress"], false),
    ("objectPermissions", &["object"], true),
    ("pageAccesses", &["apexPage"], true),
    ("profileActionOverrides", &["actionName", "pageOrSobjectType", "recordType"], false),
    ("recordTypeVisibilities", &["recordType"], true),
    ("servicePresenceStatusAccesses", &["servicePresenceStatus"], true),
    ("tabSettings", &["tab"], true),
    ("tabVisibilities", &["tab"], true),
    ("userPermissions", &["name"], true),
];

/// Rows of other types compared as sets: (root, parent path, element, key elements). An empty
/// key list means the row's own text is its key (`<scopes>Api</scopes>`).
pub const SET_ROWS: &[(&str, &str, &str, &[&str])] = &[
    ("ConnectedApp", "", "attributes", &["key"]),
    ("ConnectedApp", "", "ipRanges", &["start", "end"]),
    ("ConnectedApp", "", "permissionSetName", &[]),
    ("ConnectedApp", "", "profileName", &[]),
    ("ConnectedApp", "oauthConfig", "scopes", &[]),
    ("Package", "", "types", &["name"]),
    ("Package", "types", "members", &[]),
    ("PermissionSetGroup", "", "mutingPermissionSets", &[]),
    ("PermissionSetGroup", "", "permissionSets", &[]),
];

/// Values the org assigns or writes out on its own: (root, parent path, element, value the
/// org-only element must have, or `None` for any value). An org-side element matching a row
/// is not drift when the desired side leaves it out.
pub const ORG_ASSIGNED: &[(&str, &str, &str, Option<&str>)] = &[
    ("ApexClass", "", "packageVersions", None),
    ("ApexComponent", "", "packageVersions", None),
    ("ApexPage", "", "packageVersions", None),
    ("ApexTrigger", "", "packageVersions", None),
    ("ConnectedApp", "oauthConfig", "consumerKey", None),
    ("ConnectedApp", "oauthConfig", "consumerSecret", None),
    ("ConnectedApp", "oauthPolicy", "ipRelaxation", Some("ENFORCE")),
    ("ConnectedApp", "oauthPolicy", "refreshTokenPolicy", Some("infinite")),
    ("CustomObject", "", "compactLayoutAssignment", Some("SYSTEM")),
    ("EmailTemplate", "", "packageVersions", None),
    ("ExtlClntAppGlobalOauthSettings", "", "consumerKey", None),
    ("ExtlClntAppGlobalOauthSettings", "", "consumerSecret", None),
];

/// Elements whose content is a secret, by lower-case name.
pub const SECRET_NAMES: &[&str] = &[
    "accesstoken",
    "apikey",
    "apptoken",
    "awsaccesskey",
    "awsaccesssecret",
    "certificatepassword",
    "clientsecret",
    "consumersecret",
    "oauthrefreshtoken",
    "oauthtoken",
    "password",
    "privatekey",
    "recaptchasecretkey",
    "refreshtoken",
    "s3accesskey",
    "s3secretkey",
    "secret",
    "secretkey",
    "serverkey",
    "signingkey",
    "signingsecret",
    "token",
];

/// Name endings that mark a secret when the value is not a flag
/// (`isSecretRequiredForRefreshToken` is a boolean, not a token).
pub const SECRET_SUFFIXES: &[&str] = &["password", "privatekey", "secret", "secretkey", "token"];

/// `parameterType`s of Named Credential parameters whose value only names a URL, another
/// component or an option (WSDL `NamedCredentialParamType`); every other type's value
/// (`HttpHeader`, `HttpCookie`, `UrlQueryParameter`, `FormulaVariable`, `CustomParameter`, and
/// types added later) may be a secret. A `Url` value keeps its host, loses its userinfo.
pub const NC_PUBLIC_PARAMS: &[&str] = &[
    "AllowedManagedPackageNamespaces",
    "Authentication",
    "ClientCertificate",
    "ConnectionStatus",
    "CreatedByNamespace",
    "ManagedByComponent",
    "ManagedByFeature",
    "ManagedByNamespace",
    "NamedCredentialOptions",
    "OutboundNetworkConnection",
    "ServerCertificate",
    "SfHttpRequestExtensionName",
    "StandardNamedCredentialType",
    "Url",
];

/// `parameterType`s of External Credential parameters whose value only names a component, a
/// principal, a URL or a protocol variant (WSDL `ExternalCredentialParamType`); every other type's
/// value (`AuthHeader`, `AuthParameter`, `AuthProviderAuthParameter`, `AuthQueryParameter`,
/// `JwtBodyClaim`, `JwtHeaderClaim`, `FormulaVariable`, and types added later) may be a secret.
pub const EC_PUBLIC_PARAMS: &[&str] = &[
    "AdditionalRefreshStatusCode",
    "AuthContext",
    "AuthProtocolVariant",
    "AuthProvider",
    "AuthProviderUrl",
    "AuthProviderUrlQueryParameter",
    "AwsStsPrincipal",
    "CreatedByNamespace",
    "ExternalAuthIdentityProvider",
    "GlobalNamedPrincipal",
    "ManagedByComponent",
    "ManagedByFeature",
    "NamedPrincipal",
    "ParameterGroup",
    "PerUserPrincipal",
    "SigningCertificate",
    "SystemUserPrincipal",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorted and unique, by the key each table is looked up by.
    fn assert_sorted_unique<K: Ord + std::fmt::Debug>(what: &str, keys: &[K]) {
        for pair in keys.windows(2) {
            assert!(pair[0] < pair[1], "{what}: {:?} must come before {:?} (sorted, each once)", pair[0], pair[1]);
        }
    }

    #[test]
    fn tables_are_sorted_and_unique() {
        assert_sorted_unique("PERMISSION_ROOTS", PERMISSION_ROOTS);
        assert_sorted_unique("PERMISSION_ROWS", &PERMISSION_ROWS.iter().map(|r| r.0).collect::<Vec<_>>());
        assert_sorted_unique("SET_ROWS", &SET_ROWS.iter().map(|r| (r.0, r.1, r.2)).collect::<Vec<_>>());
        assert_sorted_unique("ORG_ASSIGNED", &ORG_ASSIGNED.iter().map(|r| (r.0, r.1, r.2)).collect::<Vec<_>>());
        assert_sorted_unique("SECRET_NAMES", SECRET_NAMES);
        assert_sorted_unique("SECRET_SUFFIXES", SECRET_SUFFIXES);
        assert_sorted_unique("NC_PUBLIC_PARAMS", NC_PUBLIC_PARAMS);
        assert_sorted_unique("EC_PUBLIC_PARAMS", EC_PUBLIC_PARAMS);
    }

    #[test]
    fn secret_names_are_lower_case_as_they_are_looked_up() {
        for n in SECRET_NAMES.iter().chain(SECRET_SUFFIXES) {
            assert_eq!(*n, n.to_ascii_lowercase());
        }
    }

    #[test]
    fn kinds_by_name_and_registry() {
        assert_eq!(kind_of("classes/Webhook.cls"), FileKind::Apex);
        assert_eq!(kind_of("triggers/T.trigger"), FileKind::Apex);
        assert_eq!(kind_of("classes/Webhook.cls-meta.xml"), FileKind::Xml);
        assert_eq!(kind_of("remoteSiteSettings/X.remoteSite"), FileKind::Xml);
        assert_eq!(kind_of("staticresources/x.resource"), FileKind::Other);
    }
}
