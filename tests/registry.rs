//! sfgen's Salesforce knowledge is data, checked in, and held here to its sources:
//! - `data/sdr/metadataRegistry.json` and `data/sf/mime-extensions.json` are what
//!   `scripts/gen-sf-data.mjs` derives from the packages the pinned Salesforce CLI installs
//!   (`../shared/tools/sf-conformance --install-only`);
//! - `data/sf/sobjects.tsv.gz` is what `scripts/gen-sf-schema.py` derives from the apex-ls SObject
//!   stubs (`~/.cache/sf-conformance/semantic/apexlink-4.0.1/jars/sobject-types-61.0.0.jar`) and
//!   `data/sf/sobject-facts.json`;
//! - `data/sf/element-order.json` is what `scripts/gen-element-order.py` derives from the Metadata
//!   API WSDL (`../shared/salesforce/metadata.wsdl`).
//!
//! Each generator runs on a scratch copy of the repository's layout, and its output must equal the
//! checked-in file byte for byte; after an upgrade of the pins, rerun the script and review the diff.
//! Both need what lives outside the repository (the shared folder, the CLI): slow tier,
//! `#[ignore]`d, run by `.ci/run`; run without it they are skipped unless required
//! (`SFGEN_REQUIRE_SHARED=1`, `SFGEN_REQUIRE_SF=1`, `SFGEN_REQUIRE_ALL=1` or `CI`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use std::path::Path;
use std::process::Command;
use support::{root, SfCli, Tool};

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
#[ignore = "slow tier: needs the shared folder's Metadata API WSDL (../shared/salesforce); .ci/run runs it"]
fn element_order_is_the_wsdls() {
    let Some(wsdl) = support::require(Tool::Wsdl) else { return };
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
#[ignore = "slow tier: needs the Salesforce CLI (../shared/tools/sf-conformance --install-only); .ci/run runs it"]
fn registry_and_mime_table_are_the_salesforce_clis() {
    let Some(sf) = SfCli::require() else { return };
    let dir = scratch("gen-sf-data.mjs");
    let out = Command::new(&sf.node)
        .arg(dir.path().join("scripts/gen-sf-data.mjs"))
        .arg(&sf.node_modules)
        .output()
        .expect("node");
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
#[ignore = "slow tier: needs the apex-ls SObject stubs (../shared/tools/sf-conformance --install-only); .ci/run runs it"]
fn sobject_schema_is_the_apex_language_servers() {
    let Some(jar) = support::require(Tool::ApexStubs) else { return };
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
