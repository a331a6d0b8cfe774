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

use std::path::{Path, PathBuf};
use std::process::Command;

const CONSUMER_KEY: &str = "CANARYh4ConsumerKey3MVG9xQ";
const CONSUMER_SECRET: &str = "CANARY-h4-consumer-secret-5d21";
const NC_PASSWORD: &str = "CANARY-h4-nc-password-8e0f";
const OAUTH_TOKEN: &str = "CANARY-h4-oauth-token-a7c3";
const INCLUDE_SECRET: &str = "CANARY-h4-include-secret-44b9";

/// Environment canaries: the variables sfgen reads (values it accepts) and tokens it must
/// never touch.
const ENV: &[(&str, &str)] = &[
    ("SFGEN_MAX_ENTRIES", "918273645"),
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

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
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
    /// Runs sfgen with the environment canaries; fails when stdout or stderr holds any canary.
    fn run(&mut self, what: &str, args: &[&str]) -> i32 {
        self.runs += 1;
        let out = Command::new(env!("CARGO_BIN_EXE_sfgen"))
            .args(args)
            .current_dir(root())
            .envs(ENV.iter().copied())
            .output()
            .unwrap();
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let leaked = find(bytes, &all_canaries());
            if !leaked.is_empty() {
                self.failures.push(format!("{what}: {stream} holds {leaked:?}"));
            }
        }
        out.status.code().unwrap_or(-1)
    }

    /// Fails when any file under `path` holds one of `canaries`.
    fn files(&mut self, what: &str, path: &Path, canaries: &[&str]) {
        for (name, bytes) in contents(path) {
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
    c.run("generate", &["generate", "-c", cfg, "--out", &o("gen")]);
    c.run("generate --json", &["--json", "generate", "-c", cfg, "--format", "mdapi", "--out", &o("gen-mdapi")]);
    c.run("package", &["package", "-c", cfg, "--out", &o("gen.zip")]);
    c.run("manifest", &["manifest", "-c", cfg]);
    c.run("check", &["check", "-c", cfg, "--junit", &o("gen-junit.xml")]);
    for f in ["gen", "gen-mdapi", "gen.zip", "gen-junit.xml"] {
        c.files(f, &out.join(f), &never);
    }

    // diff against the org retrieve, every format, with deltas: no secret anywhere.
    for org_path in [&orgs, &zips] {
        for format in ["text", "json", "stat"] {
            c.run(
                &format!("diff --format {format} {org_path}"),
                &["diff", "-c", cfg, "--org", org_path, "--format", format, "--prune"],
            );
        }
        c.run(
            "diff --json --delta-out zip",
            &["--json", "diff", "-c", cfg, "--org", org_path, "--prune", "--delta-out", &o("delta.zip")],
        );
        c.run(
            "diff --delta-out folder",
            &["diff", "-c", cfg, "--org", org_path, "--prune", "--delta-out", &o("delta")],
        );
        c.run("diff --ignore-comments", &["diff", "-c", cfg, "--org", org_path, "--ignore-comments"]);
        c.files("diff delta", &out.join("delta.zip"), &never);
        c.files("diff delta folder", &out.join("delta"), &never);
        let _ = std::fs::remove_dir_all(out.join("delta"));
        let _ = std::fs::remove_file(out.join("delta.zip"));
    }
    // An included project with its own secret against the org: the secret is redacted in the
    // report; the delta ships the user's file (their secret) but nothing of the org's.
    for format in ["text", "json"] {
        c.run(
            &format!("diff --include --format {format}"),
            &["diff", "-c", cfg, "--include", &incs, "--org", &orgs, "--format", format, "--prune"],
        );
        c.run("diff --no-generate", &["diff", "--no-generate", "--include", &incs, "--org", &orgs, "--format", format]);
    }
    c.run(
        "diff --include --delta-out",
        &["diff", "-c", cfg, "--include", &incs, "--org", &orgs, "--prune", "--delta-out", &o("delta-inc.zip")],
    );
    c.files("diff --include delta", &out.join("delta-inc.zip"), &org_side);

    // check of the retrieve: report, JSON and JUnit never hold a secret.
    for pkg in [&orgs, &zips] {
        c.run("check --package", &["check", "--package", pkg, "--junit", &o("junit.xml")]);
        c.run("check --package --json", &["--json", "check", "--package", pkg]);
        c.files("check junit", &out.join("junit.xml"), &never);
    }
    c.run("check --include", &["check", "-c", cfg, "--include", &incs, "--junit", &o("junit-inc.xml")]);
    c.files("check --include junit", &out.join("junit-inc.xml"), &never);

    // package --include, convert, manifest: may copy the given input's files, never print.
    c.run("package --include", &["package", "-c", cfg, "--include", &orgs, "--out", &o("with-org.zip"), "--no-check"]);
    c.run(
        "package --include --json",
        &["--json", "package", "-c", cfg, "--include", &zips, "--out", &o("with-org2.zip"), "--no-check"],
    );
    c.run("convert", &["convert", "--from", &orgs, "--to", &o("converted"), "--format", "source"]);
    c.run("convert --json", &["--json", "convert", "--from", &zips, "--to", &o("converted2"), "--format", "source"]);
    c.run("manifest --include", &["manifest", "-c", cfg, "--include", &orgs]);
    c.run("manifest --include --json", &["--json", "manifest", "--no-generate", "--include", &zips]);
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
    let code = c.run("diff of an unreadable retrieve", &["diff", "-c", cfg, "--org", &broken.to_string_lossy()]);
    assert_eq!(code, 2, "an unreadable retrieve is refused");
    let bad_env = Command::new(env!("CARGO_BIN_EXE_sfgen"))
        .args(["diff", "-c", cfg, "--org", &orgs])
        .current_dir(root())
        .env("SFGEN_MAX_RATIO", "CANARY-h4-bad-ratio-value")
        .output()
        .unwrap();
    assert_eq!(bad_env.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad_env.stderr);
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
