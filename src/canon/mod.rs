//! Canonical forms of metadata files, so that `sfgen diff` compares meaning, not bytes.
//!
//! Two files are "the same" when their canonical forms are equal. The canonical form depends on
//! the kind of file ([`FileKind`]):
//!
//! - **XML** (every `-meta.xml`, every single-file component such as `X.permissionset`, every
//!   `.xml` in a bundle): parsed with [`crate::sf::xml::parse`] (which already drops the
//!   declaration, comments and indentation), then CRLF is normalised, attributes are sorted,
//!   `<a/>` and `<a></a>` are alike, children are ordered by element name (a stable sort, so the
//!   relative order of repeated rows such as layout items or picklist values is kept, because it
//!   means something), and rows of *set-like* repeated groups are ordered by their key element
//!   ([`key_of`]): PermissionSet/Profile `fieldPermissions` by `field`, `classAccesses` by
//!   `apexClass`, CustomObject `fields` by `fullName`, package.xml `types` by `name`, ...
//! - **Apex** (`.cls`, `.trigger`): line endings and trailing whitespace do not count; with
//!   [`Options::ignore_comments`], `//` and `/* */` comments do not either (string literals are
//!   respected).
//! - **Other text** (LWC/Aura sources, pages, email templates): line endings and trailing
//!   whitespace do not count.
//! - **Binary** content: compared by SHA-256 and shown as a one-line summary.
//!
//! Comparing an org retrieve with what sfgen would deploy needs a few *pairwise* rules on top,
//! applied by [`canonical_pair`] (see [`reconcile`]): rows a retrieve adds that grant nothing
//! (`fieldPermissions` with `readable` and `editable` false, `userPermissions` with `enabled`
//! false, `tabSettings` with visibility `None`, ...), optional elements that only spell out a
//! default (`<x>false</x>`, an empty `<x/>`), and values the org assigns on its own (a Connected
//! App's `consumerKey`, the `packageVersions` a class meta file gains in an org with managed
//! packages) are not drift when the other side leaves them out.
//!
//! Secrets are replaced by a fingerprint ([`REDACTED`] and 12 hex digits of a SHA-256 of the
//! value: a changed secret is still a visible change, the value never reaches a diff, JSON or
//! text output), by meaning, in every canonical form ([`redact_row`], [`is_secret`]):
//!
//! - elements that hold a secret in every type of the Metadata API WSDL (`password`,
//!   `consumerSecret`, `oauthToken`, `awsAccessKey`, `awsAccessSecret`, `signingSecret`,
//!   `privateKey`, `s3SecretKey`, ...);
//! - a Named Credential's `namedCredentialParameters` and an External Credential's
//!   `externalCredentialParameters` whose `parameterType` may carry a secret (`HttpHeader`,
//!   `AuthHeader`, `AuthParameter`, `UrlQueryParameter`, ...: every type but those that only name
//!   another component or a URL): their `parameterValue`;
//! - a custom field's `defaultValue` when the field is a secret by the documented rules: a field
//!   of a *protected* custom setting, an encrypted text field, or a field named like a secret
//!   (`*_Key__c`, `*Secret*`, `*Token*`, `*Password*`, ...); Salesforce's guidance is that
//!   secrets go in protected custom settings or metadata, Named Credentials, or encrypted fields
//!   (Apex Developer Guide, "Custom Settings"; Apex Reference, "CustomMetadata Class");
//! - a custom metadata record's `value` when its field is named like a secret, and every value of
//!   a *protected* record;
//! - the userinfo of any URL anywhere, in XML and in text (`https://admin:…@host`).
//!
//! [`reconcile`]: noise::reconcile
//! [`key_of`]: normal::key_of
//! [`redact_row`]: redact::redact_row
//! [`is_secret`]: redact::is_secret

mod noise;
mod normal;
mod redact;
mod text;

pub use redact::{fingerprint, is_secret_field_name, redact_userinfo, REDACTED};

use crate::sf::compare::{kind_of, FileKind};
use crate::sf::xml;
use noise::reconcile;
use normal::{normalize, write_canonical};
use text::text_form;

/// How files are canonicalised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Also ignore `//` and `/* */` comments in Apex.
    pub ignore_comments: bool,
}

/// A static resource that is an archive, by what it holds: each entry's path, size and hash,
/// and the text of text entries (so a folder resource zipped twice is the same resource, and a
/// change inside shows as a diff of that file).
fn archive_form(path: &str, bytes: &[u8], opts: Options) -> Option<String> {
    if !path.starts_with("staticresources/") || !crate::read::archive::looks_like_zip(bytes) {
        return None;
    }
    let limits = crate::read::archive::Limits::default();
    let files = crate::read::archive::read_zip(std::path::Path::new(path), bytes, &limits).ok()?;
    let mut out = String::new();
    for (name, content) in files {
        out.push_str(&format!("== {name} ({} bytes)\n", content.len()));
        out.push_str(&canonical(&format!("archive/{name}"), &content, opts));
    }
    Some(out)
}

/// The canonical text of one file on its own (no pairwise rules). XML that does not parse
/// falls back to the text form.
pub fn canonical(path: &str, bytes: &[u8], opts: Options) -> String {
    if let Some(a) = archive_form(path, bytes, opts) {
        return a;
    }
    match kind_of(path) {
        FileKind::Xml => match xml::parse(bytes) {
            Ok(mut root) => {
                let name = root.name.clone();
                normalize(&mut root, &name, None);
                write_canonical(&root)
            }
            Err(_) => text_form(bytes, false),
        },
        FileKind::Apex => text_form(bytes, opts.ignore_comments),
        FileKind::Other => text_form(bytes, false),
    }
}

/// The canonical texts of both sides of one file (`(org, desired)`), with the pairwise noise
/// rules applied: the two are equal exactly when the difference does not count.
pub fn canonical_pair(path: &str, org: &[u8], desired: &[u8], opts: Options) -> (String, String) {
    if kind_of(path) == FileKind::Xml {
        if let (Ok(mut o), Ok(mut d)) = (xml::parse(org), xml::parse(desired)) {
            let (on, dn) = (o.name.clone(), d.name.clone());
            normalize(&mut o, &on, None);
            normalize(&mut d, &dn, None);
            if on == dn {
                reconcile(&mut o, &mut d, &on, None);
            }
            return (write_canonical(&o), write_canonical(&d));
        }
    }
    (canonical(path, org, opts), canonical(path, desired, opts))
}

/// Whether `a` and `b` are the same file after canonicalisation (the cheap byte comparison
/// first).
pub fn same(path: &str, org: &[u8], desired: &[u8], opts: Options) -> bool {
    if org == desired {
        return true;
    }
    let (o, d) = canonical_pair(path, org, desired, opts);
    o == d
}

#[cfg(test)]
mod tests {
    use super::*;

    const PS: &str = "permissionsets/P.permissionset";

    fn pair(path: &str, org: &str, desired: &str) -> (String, String) {
        canonical_pair(path, org.as_bytes(), desired.as_bytes(), Options::default())
    }

    fn assert_same(path: &str, org: &str, desired: &str) {
        let (o, d) = pair(path, org, desired);
        assert_eq!(o, d);
    }

    fn assert_differs(path: &str, org: &str, desired: &str) {
        let (o, d) = pair(path, org, desired);
        assert_ne!(o, d);
    }

    #[test]
    fn formatting_noise_does_not_count() {
        let desired = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>X</label>\n    <description>d</description>\n    <hasActivationRequired>false</hasActivationRequired>\n</PermissionSet>\n";
        let org = "<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\"><!-- retrieved -->\r\n\t<hasActivationRequired>false</hasActivationRequired>\r\n<description>d</description><label>X</label></PermissionSet>";
        assert_same(PS, org, desired);
    }

    #[test]
    fn permission_rows_compare_as_sets_and_no_access_rows_are_noise() {
        let desired = "<PermissionSet><fieldPermissions><editable>true</editable><field>A.B</field><readable>true</readable></fieldPermissions><fieldPermissions><editable>false</editable><field>A.C</field><readable>true</readable></fieldPermissions><label>X</label></PermissionSet>";
        let org = "<PermissionSet><label>X</label><fieldPermissions><readable>true</readable><field>A.C</field><editable>false</editable></fieldPermissions><fieldPermissions><editable>false</editable><field>A.Z</field><readable>false</readable></fieldPermissions><userPermissions><enabled>false</enabled><name>ViewSetup</name></userPermissions><tabSettings><tab>standard-Account</tab><visibility>None</visibility></tabSettings><fieldPermissions><editable>true</editable><field>A.B</field><readable>true</readable></fieldPermissions></PermissionSet>";
        assert_same(PS, org, desired);
        // A real extra grant counts.
        let org2 = org.replace("<enabled>false</enabled><name>ViewSetup", "<enabled>true</enabled><name>ViewSetup");
        assert_differs(PS, &org2, desired);
        // A flipped permission counts.
        let org3 = org.replace("<editable>true</editable><field>A.B", "<editable>false</editable><field>A.B");
        assert_differs(PS, &org3, desired);
    }

    #[test]
    fn org_assigned_values_and_defaults_are_not_drift() {
        let desired = "<ConnectedApp><contactEmail>a@b.c</contactEmail><label>L</label><oauthConfig><callbackUrl>https://x</callbackUrl><scopes>Api</scopes><scopes>RefreshToken</scopes></oauthConfig></ConnectedApp>";
        let org = "<ConnectedApp><contactEmail>a@b.c</contactEmail><label>L</label><oauthConfig><callbackUrl>https://x</callbackUrl><consumerKey>3MVG9abc</consumerKey><consumerSecret>CANARY-SECRET</consumerSecret><isAdminApproved>false</isAdminApproved><scopes>RefreshToken</scopes><scopes>Api</scopes></oauthConfig><oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><refreshTokenPolicy>infinite</refreshTokenPolicy></oauthPolicy></ConnectedApp>";
        let (o, d) = pair("connectedApps/C.connectedApp", org, desired);
        assert_eq!(o, d);
        assert!(!o.contains("CANARY"));
        // A scope the org has and the config does not is drift.
        assert_differs(
            "connectedApps/C.connectedApp",
            &org.replace("<scopes>Api</scopes>", "<scopes>Api</scopes><scopes>Full</scopes>"),
            desired,
        );
        // A consumer key sfgen sets and the org holds differently is drift.
        assert_differs(
            "connectedApps/C.connectedApp",
            org,
            &desired.replace("<scopes>Api", "<consumerKey>other</consumerKey><scopes>Api"),
        );
    }

    #[test]
    fn secrets_are_redacted_everywhere() {
        let xml = "<NamedCredential><password>hunter2</password><oauthToken>tok</oauthToken><label>x</label><isSecretRequiredForRefreshToken>true</isSecretRequiredForRefreshToken></NamedCredential>";
        let c = canonical("namedCredentials/N.namedCredential", xml.as_bytes(), Options::default());
        assert!(!c.contains("hunter2") && !c.contains(">tok<"), "{c}");
        assert!(c.contains(REDACTED));
        assert!(c.contains("<isSecretRequiredForRefreshToken>true<"), "{c}");
        let (o, d) = pair("namedCredentials/N.namedCredential", xml, &xml.replace("hunter2", "other"));
        assert!(!o.contains("hunter2") && !d.contains("other"));
    }

    /// Finding 9 of issue 12: one permission set with a million no-access rows took 122 s to diff
    /// (the rows the pairwise rules drop were removed one search at a time). 200 000 such rows
    /// against a one-row set now take a fraction of a second per 100 000 rows, even unoptimised.
    #[test]
    #[ignore = "slow tier (a time bound, run optimised by .ci/run): cargo test -- --ignored"]
    fn finding_09_dropping_noise_rows_is_linear() {
        let mut org = String::from("<PermissionSet><label>Big</label>");
        for i in 0..200_000 {
            org.push_str(&format!("<fieldPermissions><editable>false</editable><field>A.F{i}__c</field><readable>false</readable></fieldPermissions>"));
        }
        org.push_str("</PermissionSet>");
        let desired = "<PermissionSet><label>Big</label><fieldPermissions><editable>true</editable><field>A.X__c</field><readable>true</readable></fieldPermissions></PermissionSet>";
        let start = std::time::Instant::now();
        let (o, d) = pair(PS, &org, desired);
        let took = start.elapsed();
        assert!(!o.contains("A.F1__c"), "no-access rows are noise");
        assert!(d.contains("A.X__c"));
        // Quadratic removal needed minutes here; linear is well under a second in release.
        assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
    }

    #[test]
    fn unkeyed_repeated_rows_keep_their_order() {
        let a = "<Layout><layoutSections><layoutColumns><layoutItems><field>A</field></layoutItems><layoutItems><field>B</field></layoutItems></layoutColumns></layoutSections></Layout>";
        let b = a.replace(
            "<field>A</field></layoutItems><layoutItems><field>B",
            "<field>B</field></layoutItems><layoutItems><field>A",
        );
        assert_differs("layouts/L.layout", a, &b);
    }

    #[test]
    fn custom_object_children_are_keyed_by_full_name() {
        let a = "<CustomObject><fields><fullName>A__c</fullName><type>Text</type></fields><fields><fullName>B__c</fullName><type>Text</type></fields><label>L</label></CustomObject>";
        let b = "<CustomObject><label>L</label><fields><fullName>B__c</fullName><type>Text</type><trackTrending>false</trackTrending></fields><fields><fullName>A__c</fullName><type>Text</type></fields><actionOverrides><actionName>View</actionName><type>Default</type></actionOverrides></CustomObject>";
        assert_same("objects/O__c.object", b, a);
    }

    #[test]
    fn apex_ignores_line_endings_and_trailing_whitespace() {
        let a = "public class A {\n    Integer x = 1;\n}\n";
        let b = "public class A {  \r\n    Integer x = 1;\t\r\n}\r\n\r\n";
        assert_eq!(
            canonical("classes/A.cls", a.as_bytes(), Options::default()),
            canonical("classes/A.cls", b.as_bytes(), Options::default())
        );
        let c = "public class A {\n    Integer x = 2;\n}\n";
        assert_ne!(
            canonical("classes/A.cls", a.as_bytes(), Options::default()),
            canonical("classes/A.cls", c.as_bytes(), Options::default())
        );
    }

    #[test]
    fn apex_comments_are_ignored_on_request_but_strings_are_kept() {
        let opts = Options { ignore_comments: true };
        let a = "public class A {\n    String s = 'a // not a comment /* nor this */';\n    Integer x = 1;\n}\n";
        let b = "/* header\n * more\n */\npublic class A { // trailing\n    String s = 'a // not a comment /* nor this */'; /* inline */\n    // whole line\n    Integer x = 1;\n}\n";
        assert_eq!(canonical("classes/A.cls", a.as_bytes(), opts), canonical("classes/A.cls", b.as_bytes(), opts));
        assert_ne!(
            canonical("classes/A.cls", a.as_bytes(), Options::default()),
            canonical("classes/A.cls", b.as_bytes(), Options::default())
        );
        let esc = "String s = 'it\\'s // here';\n";
        assert_eq!(canonical("classes/A.cls", esc.as_bytes(), opts), esc);
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of("classes/A.cls"), FileKind::Apex);
        assert_eq!(kind_of("classes/A.cls-meta.xml"), FileKind::Xml);
        assert_eq!(kind_of("remoteSiteSettings/A.remoteSite"), FileKind::Xml);
        assert_eq!(kind_of("staticresources/A.resource"), FileKind::Other);
        assert_eq!(kind_of("lwc/a/a.js"), FileKind::Other);
        assert_eq!(kind_of("package.xml"), FileKind::Xml);
    }

    #[test]
    fn binary_content_is_summarised() {
        let c = canonical("staticresources/A.resource", &[0xff, 0xfe, 0], Options::default());
        assert!(c.starts_with("(binary content, 3 bytes, sha256 "), "{c}");
    }
}
