//! Secrets canary: a distinct canary value in every secret-bearing place — a retrieved
//! External Client App's consumerKey and consumerSecret (its global OAuth settings), a Named Credential's password and
//! oauthToken, every environment variable sfgen reads (`SFGEN_MAX_*`, `NO_COLOR`) plus the
//! Salesforce CLI's token variables — must never appear in stdout, stderr, JSON output, JUnit
//! reports, diffs or delta packages of any command.
//!
//! The rule for files sfgen writes: artefacts built from the config or the org retrieve never
//! hold a secret. `package --include` and `convert --from` copy the user's own files verbatim
//! (a Connected App they chose to ship keeps its fields), so their *files* may hold a secret
//! of the input they were given, but never print it, and a `diff --delta-out` never carries
//! anything of the org's (`--org`) side.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use std::path::Path;
use support::{copy_dir as copy_tree, root, Sfgen};

const CONSUMER_KEY: &str = "CANARYh4ConsumerKey3MVG9xQ";
const CONSUMER_SECRET: &str = "CANARY-h4-consumer-secret-5d21";
const NC_PASSWORD: &str = "CANARY-h4-nc-password-8e0f";
const OAUTH_TOKEN: &str = "CANARY-h4-oauth-token-a7c3";
const INCLUDE_SECRET: &str = "CANARY-h4-include-secret-44b9";

/// Environment canaries: the variables sfgen reads (values it accepts) and tokens it must
/// never touch.
const ENV: &[(&str, &str)] = &[
    ("SFGEN_MAX_ENTRIES", "91827364"),
    ("SFGEN_MAX_FILE_BYTES", "918273646"),
    ("SFGEN_MAX_TOTAL_BYTES", "918273647"),
    ("SFGEN_MAX_RATIO", "918273648"),
    ("NO_COLOR", "CANARY-h4-no-color"),
    ("SF_ACCESS_TOKEN", "CANARY-h4-sf-access-token"),
    ("SFDX_ACCESS_TOKEN", "CANARY-h4-sfdx-access-token"),
    ("SFGEN_SECRET", "CANARY-h4-sfgen-secret"),
];

fn org_canaries() -> Vec<&'static str> {
    vec![CONSUMER_KEY, CONSUMER_SECRET, NC_PASSWORD, OAUTH_TOKEN]
}

fn all_canaries() -> Vec<&'static str> {
    let mut v = org_canaries();
    v.push(INCLUDE_SECRET);
    v.extend(ENV.iter().map(|(_, v)| *v));
    v
}

const LEAKY_NC: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <allowMergeFieldsInBody>false</allowMergeFieldsInBody>\n    <allowMergeFieldsInHeader>false</allowMergeFieldsInHeader>\n    <endpoint>https://api.example.com</endpoint>\n    <generateAuthorizationHeader>true</generateAuthorizationHeader>\n    <label>Leaky</label>\n    <oauthToken>OAUTH</oauthToken>\n    <password>PASSWORD</password>\n    <principalType>NamedUser</principalType>\n    <protocol>Password</protocol>\n    <username>integration@example.com</username>\n</NamedCredential>\n";

/// The contact-webhook org retrieve (mdapi folder) with canaries in every secret field, the
/// External Client App drifted (so the diff prints it), and an org-only Named Credential.
/// Where an External Client App's consumer key and secret live in a retrieve.
const APP_FILE: &str = "extlClntAppGlobalOauthSets/Contact_Centre_glbloauth.ecaGlblOauth";

fn org_with_secrets(dir: &Path) {
    copy_tree(&root().join("fixtures/diff/contact-webhook/noise-only/unpackaged"), dir);
    let app = dir.join(APP_FILE);
    let text = std::fs::read_to_string(&app).unwrap();
    let key_start = text.find("<consumerKey>").unwrap() + "<consumerKey>".len();
    let key_end = text.find("</consumerKey>").unwrap();
    let sec_start = text.find("<consumerSecret>").unwrap() + "<consumerSecret>".len();
    let sec_end = text.find("</consumerSecret>").unwrap();
    let text = format!(
        "{}{CONSUMER_KEY}{}{CONSUMER_SECRET}{}",
        &text[..key_start],
        &text[key_end..sec_start],
        &text[sec_end..]
    )
    .replace("/oauth/salesforce/callback", "/oauth/salesforce/callback-drifted-in-the-org");
    std::fs::write(&app, text).unwrap();
    std::fs::create_dir_all(dir.join("namedCredentials")).unwrap();
    std::fs::write(
        dir.join("namedCredentials/Leaky.namedCredential"),
        LEAKY_NC.replace("OAUTH", OAUTH_TOKEN).replace("PASSWORD", NC_PASSWORD),
    )
    .unwrap();
    let pkg = dir.join("package.xml");
    let p = std::fs::read_to_string(&pkg).unwrap().replace(
        "    <version>",
        "    <types>\n        <members>Leaky</members>\n        <name>NamedCredential</name>\n    </types>\n    <version>",
    );
    std::fs::write(pkg, p).unwrap();
}

/// A project to `--include` whose External Client App carries its own secret.
fn include_with_secret(dir: &Path) {
    org_with_secrets(dir);
    let app = dir.join(APP_FILE);
    let text = std::fs::read_to_string(&app)
        .unwrap()
        .replace(CONSUMER_SECRET, INCLUDE_SECRET)
        .replace(CONSUMER_KEY, "includeKey");
    std::fs::write(&app, text).unwrap();
    let nc = dir.join("namedCredentials/Leaky.namedCredential");
    let text =
        std::fs::read_to_string(&nc).unwrap().replace(NC_PASSWORD, INCLUDE_SECRET).replace(OAUTH_TOKEN, "includeToken");
    std::fs::write(&nc, text).unwrap();
}

/// Every file's bytes under `path` (zips opened), for scanning.
fn contents(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if path.is_dir() {
        for e in walkdir::WalkDir::new(path).into_iter().flatten() {
            if e.file_type().is_file() {
                out.extend(contents(e.path()));
            }
        }
    } else if path.is_file() {
        let bytes = std::fs::read(path).unwrap();
        if sfgen::archive::looks_like_zip(&bytes) {
            let files = sfgen::archive::read_zip(path, &bytes, &sfgen::archive::Limits::default()).unwrap();
            for (name, data) in files {
                out.push((format!("{}!{name}", path.display()), data));
            }
        } else {
            out.push((path.display().to_string(), bytes));
        }
    }
    out
}

fn find<'a>(haystack: &[u8], canaries: &[&'a str]) -> Vec<&'a str> {
    canaries.iter().copied().filter(|c| haystack.windows(c.len()).any(|w| w == c.as_bytes())).collect()
}

struct Checker {
    failures: Vec<String>,
    runs: usize,
}

impl Checker {
    /// Runs sfgen with the environment canaries; fails when it does not exit `code` (a run that
    /// stops early proves nothing) or when stdout or stderr holds any canary.
    fn run(&mut self, what: &str, code: i32, args: &[&str]) {
        self.runs += 1;
        let out = Sfgen::new().args(args).envs(ENV.iter().copied()).run();
        if out.code != code {
            self.failures.push(format!("{what}: exit {}, expected {code}:\n{}", out.code, out.stderr));
        }
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let leaked = find(text.as_bytes(), &all_canaries());
            if !leaked.is_empty() {
                self.failures.push(format!("{what}: {stream} holds {leaked:?}"));
            }
        }
    }

    /// Fails when any file under `path` holds one of `canaries`, or when there is nothing at
    /// `path` to look at.
    fn files(&mut self, what: &str, path: &Path, canaries: &[&str]) {
        let files = contents(path);
        if files.is_empty() {
            self.failures.push(format!("{what}: {} was not written: nothing to check", path.display()));
        }
        for (name, bytes) in files {
            let leaked = find(&bytes, canaries);
            if !leaked.is_empty() {
                self.failures.push(format!("{what}: {name} holds {leaked:?}"));
            }
        }
    }
}

#[test]
fn canaries_never_leak() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let org = w.join("org");
    org_with_secrets(&org);
    let inc = w.join("include");
    include_with_secret(&inc);
    let org_zip = w.join("org.zip");
    {
        let files: Vec<(String, Vec<u8>)> = contents(&org)
            .into_iter()
            .map(|(p, b)| (Path::new(&p).strip_prefix(&org).unwrap().to_string_lossy().replace('\\', "/"), b))
            .collect();
        std::fs::write(&org_zip, sfgen::write::zip::zip_bytes(&files).unwrap()).unwrap();
    }
    let out = w.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let o = |rel: &str| out.join(rel).to_string_lossy().into_owned();
    let (orgs, incs, zips) = (
        org.to_string_lossy().into_owned(),
        inc.to_string_lossy().into_owned(),
        org_zip.to_string_lossy().into_owned(),
    );
    let cfg = "fixtures/contact-webhook/sfgen.json";
    let mut c = Checker { failures: Vec::new(), runs: 0 };
    let never: Vec<&str> = all_canaries();
    let org_side = org_canaries();

    // Config-only commands: nothing secret may reach anything.
    c.run("generate", 0, &["generate", "-c", cfg, "--out", &o("gen")]);
    c.run("generate --json", 0, &["--json", "generate", "-c", cfg, "--format", "mdapi", "--out", &o("gen-mdapi")]);
    c.run("package", 0, &["package", "-c", cfg, "--out", &o("gen.zip")]);
    c.run("manifest", 0, &["manifest", "-c", cfg]);
    c.run("check", 0, &["check", "-c", cfg, "--junit", &o("gen-junit.xml")]);
    for f in ["gen", "gen-mdapi", "gen.zip", "gen-junit.xml"] {
        c.files(f, &out.join(f), &never);
    }

    // diff against the org retrieve, every format, with deltas: no secret anywhere. The org has
    // drifted (its app's callback) and holds a Named Credential the config does not: exit 1.
    for org_path in [&orgs, &zips] {
        for format in ["text", "json", "stat"] {
            c.run(
                &format!("diff --format {format} {org_path}"),
                1,
                &["diff", "-c", cfg, "--org", org_path, "--format", format, "--prune"],
            );
        }
        c.run(
            "diff --json --delta-out zip",
            1,
            &["--json", "diff", "-c", cfg, "--org", org_path, "--prune", "--delta-out", &o("delta.zip")],
        );
        c.run(
            "diff --delta-out folder",
            1,
            &["diff", "-c", cfg, "--org", org_path, "--prune", "--delta-out", &o("delta")],
        );
        c.run("diff --ignore-comments", 1, &["diff", "-c", cfg, "--org", org_path, "--ignore-comments"]);
        c.files("diff delta", &out.join("delta.zip"), &never);
        c.files("diff delta folder", &out.join("delta"), &never);
        let _ = std::fs::remove_dir_all(out.join("delta"));
        let _ = std::fs::remove_file(out.join("delta.zip"));
    }
    // An included project with its own secret against the org (its components win over the
    // generated ones): the secret is redacted in the report; the delta ships the user's file
    // (their secret) but nothing of the org's.
    let with_include = ["-c", cfg, "--include", &incs, "--prefer", "include", "--org", &orgs, "--prune"];
    for format in ["text", "json"] {
        c.run(
            &format!("diff --include --format {format}"),
            1,
            &[&["diff", "--format", format][..], &with_include].concat(),
        );
        c.run(
            "diff --no-generate",
            1,
            &["diff", "--no-generate", "--include", &incs, "--org", &orgs, "--format", format],
        );
    }
    c.run(
        "diff --include --delta-out",
        1,
        &[&["diff", "--delta-out", &o("delta-inc.zip")][..], &with_include].concat(),
    );
    c.files("diff --include delta", &out.join("delta-inc.zip"), &org_side);

    // check of the retrieve: report, JSON and JUnit never hold a secret. The retrieve holds a
    // consumer secret (an oauth-secret error) and unlisted fields: exit 1.
    for (pkg, junit) in [(&orgs, "junit.xml"), (&zips, "junit-zip.xml")] {
        c.run("check --package", 1, &["check", "--package", pkg, "--junit", &o(junit)]);
        c.run("check --package --json", 1, &["--json", "check", "--package", pkg]);
        c.files("check junit", &out.join(junit), &never);
    }
    // The included project beside no config (the crate root has no sfgen.json).
    c.run("check --include", 1, &["check", "--include", &incs, "--junit", &o("junit-inc.xml")]);
    c.files("check --include junit", &out.join("junit-inc.xml"), &never);

    // package --include, convert, manifest: may copy the given input's files, never print.
    c.run(
        "package --include",
        0,
        &["package", "-c", cfg, "--include", &orgs, "--prefer", "include", "--out", &o("with-org.zip"), "--no-check"],
    );
    c.run(
        "package --include --json",
        0,
        &[
            "--json",
            "package",
            "-c",
            cfg,
            "--include",
            &zips,
            "--prefer",
            "include",
            "--out",
            &o("with-org2.zip"),
            "--no-check",
        ],
    );
    c.run("convert", 0, &["convert", "--from", &orgs, "--to", &o("converted"), "--format", "source"]);
    c.run("convert --json", 0, &["--json", "convert", "--from", &zips, "--to", &o("converted2"), "--format", "source"]);
    c.run("manifest --include", 0, &["manifest", "-c", cfg, "--include", &orgs]);
    c.run("manifest --include --json", 0, &["--json", "manifest", "--no-generate", "--include", &zips]);
    // ... and never anything of the environment.
    let env_only: Vec<&str> = ENV.iter().map(|(_, v)| *v).collect();
    for f in ["with-org.zip", "with-org2.zip", "converted", "converted2"] {
        c.files(f, &out.join(f), &env_only);
    }

    // Errors: an unreadable External Client App (its secret next to the fault) and a bad limit value.
    let broken = w.join("broken");
    org_with_secrets(&broken);
    let app = broken.join(APP_FILE);
    let text = std::fs::read_to_string(&app).unwrap().replace(CONSUMER_SECRET, &format!("{CONSUMER_SECRET}&bogus;"));
    std::fs::write(&app, text).unwrap();
    // An unreadable retrieve is refused.
    c.run("diff of an unreadable retrieve", 2, &["diff", "-c", cfg, "--org", &broken.to_string_lossy()]);
    let bad_env = Sfgen::new()
        .args(["diff", "-c", cfg, "--org", &orgs])
        .env("SFGEN_MAX_RATIO", "CANARY-h4-bad-ratio-value")
        .run();
    assert_eq!(bad_env.code, 2);
    let stderr = &bad_env.stderr;
    assert!(stderr.contains("SFGEN_MAX_RATIO"), "the error names the variable: {stderr}");
    if stderr.contains("CANARY-h4-bad-ratio-value") {
        c.failures.push(format!("a bad SFGEN_MAX_RATIO value is echoed: {stderr}"));
    }

    println!("{} runs checked for {} canaries", c.runs, never.len());
    assert!(c.failures.is_empty(), "secrets leaked:\n{}", c.failures.join("\n"));
}

/// The canonicaliser redacts every secret field, whatever the file's kind.
#[test]
fn canonical_forms_redact_secrets() {
    let app = std::fs::read(root().join("fixtures/fuzz-corpus/xml/connectedapp-secrets.xml")).unwrap();
    let nc = std::fs::read(root().join("fixtures/fuzz-corpus/xml/namedcredential-password.xml")).unwrap();
    for (path, bytes) in [("connectedApps/A.connectedApp", &app), ("namedCredentials/N.namedCredential", &nc)] {
        let c = sfgen::canon::canonical(path, bytes, Default::default());
        for secret in ["FUZZ-consumer-secret", "FUZZ-oauth-token", "FUZZ-password"] {
            assert!(!c.contains(secret), "{path}: {secret} in\n{c}");
        }
        let (o, d) = sfgen::canon::canonical_pair(path, bytes, b"<x/>", Default::default());
        for secret in ["FUZZ-consumer-secret", "FUZZ-oauth-token", "FUZZ-password"] {
            assert!(!o.contains(secret) && !d.contains(secret), "{path}: {secret} in\n{o}{d}");
        }
    }
}

/// One mdapi folder holding a secret, by meaning, in every place issue 12 found printed (tag
/// `side` makes the values of the two sides of a diff differ).
fn meaning_secrets(dir: &Path, side: &str) -> Vec<String> {
    let c = |what: &str| format!("CANARY-h12-{side}-{what}");
    let ns = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";
    let files: Vec<(String, String)> = vec![
        ("package.xml".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package {ns}><types><members>*</members><name>NamedCredential</name></types><types><members>*</members><name>ExternalCredential</name></types><types><members>*</members><name>CustomObject</name></types><types><members>*</members><name>CustomMetadata</name></types><types><members>*</members><name>RemoteSiteSetting</name></types><types><members>*</members><name>ApexClass</name></types><version>62.0</version></Package>\n")),
        ("namedCredentials/Modern.namedCredential".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NamedCredential {ns}>\n    <allowMergeFieldsInBody>false</allowMergeFieldsInBody>\n    <allowMergeFieldsInHeader>true</allowMergeFieldsInHeader>\n    <calloutStatus>Enabled</calloutStatus>\n    <generateAuthorizationHeader>false</generateAuthorizationHeader>\n    <label>Modern</label>\n    <namedCredentialParameters>\n        <parameterName>Authorization</parameterName>\n        <parameterType>HttpHeader</parameterType>\n        <parameterValue>Bearer {}</parameterValue>\n        <sequenceNumber>1</sequenceNumber>\n    </namedCredentialParameters>\n    <namedCredentialParameters>\n        <parameterName>api_key</parameterName>\n        <parameterType>UrlQueryParameter</parameterType>\n        <parameterValue>{}</parameterValue>\n    </namedCredentialParameters>\n    <namedCredentialParameters>\n        <parameterName>Url</parameterName>\n        <parameterType>Url</parameterType>\n        <parameterValue>https://admin:{}@api.example.com/v1</parameterValue>\n    </namedCredentialParameters>\n    <namedCredentialParameters>\n        <externalCredential>Ext</externalCredential>\n        <parameterName>ExternalCredential</parameterName>\n        <parameterType>Authentication</parameterType>\n    </namedCredentialParameters>\n    <namedCredentialType>SecuredEndpoint</namedCredentialType>\n</NamedCredential>\n", c("nc-header"), c("nc-query"), c("nc-url-password"))),
        ("namedCredentials/Aws.namedCredential".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NamedCredential {ns}>\n    <awsAccessKey>{}</awsAccessKey>\n    <awsAccessSecret>{}</awsAccessSecret>\n    <awsRegion>eu-west-1</awsRegion>\n    <awsService>s3</awsService>\n    <endpoint>https://s3.amazonaws.com</endpoint>\n    <label>Aws</label>\n    <password>{}</password>\n    <principalType>NamedUser</principalType>\n    <protocol>AwsSv4</protocol>\n</NamedCredential>\n", c("aws-key"), c("aws-secret"), c("nc-password"))),
        ("externalCredentials/Ext.externalCredential".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ExternalCredential {ns}>\n    <authenticationProtocol>Custom</authenticationProtocol>\n    <externalCredentialParameters>\n        <parameterGroup>DefaultGroup</parameterGroup>\n        <parameterName>Authorization</parameterName>\n        <parameterType>AuthHeader</parameterType>\n        <parameterValue>Bearer {}</parameterValue>\n        <sequenceNumber>1</sequenceNumber>\n    </externalCredentialParameters>\n    <externalCredentialParameters>\n        <parameterGroup>DefaultGroup</parameterGroup>\n        <parameterName>ApiKey</parameterName>\n        <parameterType>AuthParameter</parameterType>\n        <parameterValue>{}</parameterValue>\n    </externalCredentialParameters>\n    <externalCredentialParameters>\n        <parameterGroup>DefaultGroup</parameterGroup>\n        <parameterName>DefaultGroup</parameterName>\n        <parameterType>NamedPrincipal</parameterType>\n        <sequenceNumber>1</sequenceNumber>\n    </externalCredentialParameters>\n    <label>Ext</label>\n</ExternalCredential>\n", c("ec-auth-header"), c("ec-auth-param"))),
        ("objects/Vault__c.object".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject {ns}>\n    <customSettingsType>Hierarchy</customSettingsType>\n    <enableFeeds>false</enableFeeds>\n    <fields>\n        <fullName>Endpoint__c</fullName>\n        <defaultValue>&quot;{}&quot;</defaultValue>\n        <label>Endpoint</label>\n        <length>255</length>\n        <type>Text</type>\n    </fields>\n    <label>Vault</label>\n    <visibility>Protected</visibility>\n</CustomObject>\n", c("protected-setting-default"))),
        ("objects/Hook_Settings__c.object".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject {ns}>\n    <customSettingsType>Hierarchy</customSettingsType>\n    <enableFeeds>false</enableFeeds>\n    <fields>\n        <fullName>Signing_Key__c</fullName>\n        <defaultValue>&quot;{}&quot;</defaultValue>\n        <label>Signing Key</label>\n        <length>255</length>\n        <type>Text</type>\n    </fields>\n    <fields>\n        <fullName>Vendor_Login__c</fullName>\n        <defaultValue>&quot;{}&quot;</defaultValue>\n        <label>Vendor login</label>\n        <length>175</length>\n        <maskChar>asterisk</maskChar>\n        <maskType>all</maskType>\n        <type>EncryptedText</type>\n    </fields>\n    <label>Hook Settings</label>\n    <visibility>Public</visibility>\n</CustomObject>\n", c("secret-named-default"), c("encrypted-default"))),
        ("customMetadata/Vendor.Prod.md".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomMetadata {ns} xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n    <label>Prod</label>\n    <protected>false</protected>\n    <values>\n        <field>Signing_Key__c</field>\n        <value xsi:type=\"xsd:string\">{}</value>\n    </values>\n    <values>\n        <field>Client_Secret__c</field>\n        <value xsi:type=\"xsd:string\">{}</value>\n    </values>\n    <values>\n        <field>Access_Token__c</field>\n        <value xsi:type=\"xsd:string\">{}</value>\n    </values>\n    <values>\n        <field>Admin_Password__c</field>\n        <value xsi:type=\"xsd:string\">{}</value>\n    </values>\n    <values>\n        <field>Region__c</field>\n        <value xsi:type=\"xsd:string\">eu-{side}</value>\n    </values>\n</CustomMetadata>\n", c("cmdt-key"), c("cmdt-secret"), c("cmdt-token"), c("cmdt-password"))),
        ("customMetadata/Vendor.Hidden.md".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomMetadata {ns} xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n    <label>Hidden</label>\n    <protected>true</protected>\n    <values>\n        <field>Region__c</field>\n        <value xsi:type=\"xsd:string\">{}</value>\n    </values>\n</CustomMetadata>\n", c("protected-record-value"))),
        ("remoteSiteSettings/Hooks.remoteSite".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RemoteSiteSetting {ns}>\n    <disableProtocolSecurity>false</disableProtocolSecurity>\n    <isActive>true</isActive>\n    <url>https://admin:{}@hooks.example.com</url>\n</RemoteSiteSetting>\n", c("remote-site-password"))),
        ("classes/Caller.cls".into(), format!("public class Caller {{\n    static final String URL = 'https://svc:{}@api.example.com/x';\n}}\n", c("apex-url-password"))),
        ("classes/Caller.cls-meta.xml".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass {ns}>\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n")),
    ];
    for (rel, text) in &files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    [
        "nc-header",
        "nc-query",
        "nc-url-password",
        "aws-key",
        "aws-secret",
        "nc-password",
        "ec-auth-header",
        "ec-auth-param",
        "protected-setting-default",
        "secret-named-default",
        "encrypted-default",
        "cmdt-key",
        "cmdt-secret",
        "cmdt-token",
        "cmdt-password",
        "protected-record-value",
        "remote-site-password",
        "apex-url-password",
    ]
    .iter()
    .map(|w| c(w))
    .collect()
}

/// Finding 2 of issue 12: diff redacted by element name only, so a Named Credential's header
/// parameter (`Bearer …`), `awsAccessKey`, an External Credential's AuthHeader, a password in a
/// URL, a custom setting's default and a custom metadata value named like a key were printed.
/// Redaction is by meaning now: with a canary in every such place on both sides of a diff, no
/// canary reaches text, coloured, JSON or stat output, and each changed secret still shows as a
/// changed fingerprint.
#[test]
fn finding_02_secrets_by_meaning_are_fingerprinted_in_every_diff_format() {
    let work = tempfile::tempdir().unwrap();
    let (org, inc) = (work.path().join("org"), work.path().join("inc"));
    let mut canaries = meaning_secrets(&org, "org");
    canaries.extend(meaning_secrets(&inc, "inc"));
    let (orgs, incs) = (org.to_string_lossy().into_owned(), inc.to_string_lossy().into_owned());
    let mut failures = Vec::new();
    for (format, color) in [("text", "never"), ("text", "always"), ("json", "never"), ("stat", "never")] {
        let out = support::sfgen(&[
            "diff",
            "--color",
            color,
            "--no-generate",
            "--include",
            &incs,
            "--org",
            &orgs,
            "--format",
            format,
        ]);
        let stdout = &out.stdout;
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let leaked = find(text.as_bytes(), &canaries.iter().map(String::as_str).collect::<Vec<_>>());
            if !leaked.is_empty() {
                failures.push(format!("diff --format {format} --color {color}: {stream} holds {leaked:?}"));
            }
        }
        if format == "stat" {
            continue;
        }
        // Every component differs only in its secrets, and the change shows.
        let changed: Vec<String> = if format == "json" {
            let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
            v["result"]["components"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["status"] == "changed")
                .map(|c| format!("{}:{}", c["type"].as_str().unwrap(), c["fullName"].as_str().unwrap()))
                .collect()
        } else {
            let plain = ["\u{1b}[1m", "\u{1b}[0m", "\u{1b}[31m", "\u{1b}[32m", "\u{1b}[33m", "\u{1b}[36m"]
                .iter()
                .fold(stdout.to_string(), |t, code| t.replace(code, ""));
            plain.lines().filter_map(|l| l.strip_prefix("changed ")).map(str::to_string).collect()
        };
        for key in [
            "NamedCredential:Modern",
            "NamedCredential:Aws",
            "ExternalCredential:Ext",
            // Objects are compared field by field (issue 23): the fields holding the secrets.
            "CustomField:Vault__c.Endpoint__c",
            "CustomField:Hook_Settings__c.Signing_Key__c",
            "CustomField:Hook_Settings__c.Vendor_Login__c",
            "CustomMetadata:Vendor.Prod",
            "CustomMetadata:Vendor.Hidden",
            "RemoteSiteSetting:Hooks",
            "ApexClass:Caller",
        ] {
            if !changed.iter().any(|c| c == key) {
                failures.push(format!("diff --format {format}: {key} is not reported as changed"));
            }
        }
        if !stdout.contains("***REDACTED*** sha256:") || !stdout.contains("***REDACTED***-sha256:") {
            failures.push(format!("diff --format {format}: no fingerprint shown:\n{stdout}"));
        }
        // What is not secret stays readable.
        for visible in ["eu-inc", "eu-org", "@api.example.com/v1", "@hooks.example.com", "DefaultGroup"] {
            if !stdout.contains(visible) {
                failures.push(format!("diff --format {format}: {visible:?} is hidden too"));
            }
        }
    }
    // The same two folders against themselves: equal secrets, equal fingerprints, no difference.
    let out = support::sfgen(&["diff", "--no-generate", "--include", &orgs, "--org", &orgs]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
