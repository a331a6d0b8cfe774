//! Metadata XML for every non-Apex component, built element by element in the WSDL's
//! `xsd:sequence` order (see `shared/docs/salesforce-metadata.md`), with repeated rows sorted
//! by their key as a retrieve sorts them.

use crate::model::*;
use crate::sf::xml::Element;

/// `<ApexClass>`/`<ApexTrigger>` `-meta.xml`.
pub fn apex_meta(root: &str, version: &ApiVersion) -> String {
    Element::new(root)
        .child(Element::text("apiVersion", version.to_string()))
        .child(Element::text("status", "Active"))
        .to_document()
}

/// RemoteSiteSetting: description?, disableProtocolSecurity, isActive, url.
pub fn remote_site(s: &RemoteSite) -> String {
    Element::new("RemoteSiteSetting")
        .opt_child(s.description.as_ref().map(|d| Element::text("description", d)))
        .child(Element::boolean("disableProtocolSecurity", s.disable_protocol_security))
        .child(Element::boolean("isActive", s.is_active))
        .child(Element::text("url", &s.url))
        .to_document()
}

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

/// ConnectedApp: contactEmail, description?, label, oauthConfig (callbackUrl, scopes*).
/// Consumer key and secret are never written: Salesforce assigns them on create.
pub fn connected_app(a: &ConnectedApp) -> String {
    let oauth = Element::new("oauthConfig")
        .child(Element::text("callbackUrl", a.callback_urls.join("\n")))
        .children(a.scopes.iter().map(|s| Element::text("scopes", s)));
    Element::new("ConnectedApp")
        .child(Element::text("contactEmail", &a.contact_email))
        .opt_child(a.description.as_ref().map(|d| Element::text("description", d)))
        .child(Element::text("label", &a.label))
        .child(oauth)
        .to_document()
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

/// `settings/Case.settings`: Email-to-Case on or off.
pub fn case_settings(enabled: bool) -> String {
    Element::new("CaseSettings")
        .child(Element::new("emailToCase").child(Element::boolean("enableEmailToCase", enabled)))
        .to_document()
}

/// `settings/OauthOidc.settings`: the username-password flow.
pub fn oauth_oidc_settings(allow_username_password: bool) -> String {
    Element::new("OauthOidcSettings")
        .child(Element::boolean("blockOAuthUnPwFlow", !allow_username_password))
        .to_document()
}

/// The protected hierarchy custom setting that holds the webhook's signing key (mdapi form,
/// fields inline).
pub fn signing_setting(s: &Signing, class_name: &str) -> String {
    let field = Element::new("fields")
        .child(Element::text("fullName", &s.key_field))
        .child(Element::text(
            "description",
            format!("Key {class_name} signs webhook bodies with (HMAC-SHA256). Set it in Setup; it is never deployed."),
        ))
        .child(Element::boolean("externalId", false))
        .child(Element::text("label", "Signing Key"))
        .child(Element::text("length", "255"))
        .child(Element::boolean("required", false))
        .child(Element::text("type", "Text"))
        .child(Element::boolean("unique", false));
    Element::new("CustomObject")
        .child(Element::text("customSettingsType", "Hierarchy"))
        .child(Element::text("description", format!("Secrets of the {class_name} webhook (generated by sfgen)")))
        .child(Element::boolean("enableFeeds", false))
        .child(field)
        .child(Element::text("label", format!("{class_name} Settings")))
        .child(Element::text("visibility", "Protected"))
        .to_document()
}
