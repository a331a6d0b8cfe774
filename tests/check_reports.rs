//! `sfgen check --cobertura/--lcov/--html`: the coverage estimate in the formats CI tools read.
//! Cobertura is validated against `coverage-04.dtd` (what GitLab and Codecov accept) with
//! xmllint and checked for consistency; LCOV record by record; the HTML report is opened in a
//! real headless Chromium, which must colour each line state differently.

mod support;
use sfgen::sf::xml::{self, Element};
use std::path::Path;
use std::process::Command;
use support::{root, Sfgen, Tool};

/// Runs check on the released-package fixture writing the three reports; returns the folder
/// and check's JSON result.
fn reports() -> (tempfile::TempDir, serde_json::Value) {
    reports_with(&[])
}

/// The reports of `check` on the released-package fixture, with `extra` arguments.
fn reports_with(extra: &[&str]) -> (tempfile::TempDir, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = Sfgen::new()
        .args(["--json", "check", "--package", "fixtures/released-package/package"])
        .args(extra.iter().copied())
        .arg("--cobertura")
        .arg(dir.path().join("out/coverage.xml"))
        .arg("--lcov")
        .arg(dir.path().join("out/lcov.info"))
        .arg("--html")
        .arg(dir.path().join("out/coverage.html"))
        .status(0)
        .run()
        .json();
    (dir, json["result"].clone())
}

fn attr<'a>(e: &'a Element, name: &str) -> &'a str {
    e.attributes
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{} without {name}", e.name))
}

fn lines_of(v: &serde_json::Value) -> Vec<u64> {
    v.as_array().map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect()).unwrap_or_default()
}

#[test]
fn cobertura_follows_the_dtd_and_lists_the_known_lines() {
    let (dir, result) = reports();
    let path = dir.path().join("out/coverage.xml");
    let bytes = std::fs::read(&path).expect("cobertura written");
    // The DTD GitLab and Codecov read (validated offline; xmllint is installed by CI).
    let dtd = root().join("tests/data/cobertura-coverage-04.dtd");
    if let Some(xmllint) = support::require(Tool::Xmllint) {
        let o = Command::new(xmllint).arg("--nonet").arg("--noout").arg("--dtdvalid").arg(&dtd).arg(&path).output();
        let o = o.expect("xmllint runs");
        assert!(o.status.success(), "not valid per coverage-04.dtd: {}", String::from_utf8_lossy(&o.stderr));
    }
    // (sfgen's own XML reader refuses any DOCTYPE; the DTD was checked above.)
    let text = String::from_utf8(bytes).expect("utf8");
    assert!(text.contains("<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">"));
    let body: String = text.lines().filter(|l| !l.starts_with("<!DOCTYPE")).collect::<Vec<_>>().join("\n");
    let doc = xml::parse(body.as_bytes()).expect("well-formed");
    assert_eq!(doc.name, "coverage");
    let (mut hit, mut valid) = (0usize, 0usize);
    let units = result["coverage"].as_array().expect("coverage");
    let mut seen = 0;
    for package in doc.find("packages").expect("packages").elements() {
        for class in package.find("classes").expect("classes").elements() {
            seen += 1;
            let unit = units
                .iter()
                .find(|u| u["file"].as_str() == Some(attr(class, "filename")))
                .unwrap_or_else(|| panic!("no unit for {}", attr(class, "filename")));
            let lines: Vec<(u64, u64)> = class
                .find("lines")
                .expect("lines")
                .elements()
                .map(|l| (attr(l, "number").parse().expect("number"), attr(l, "hits").parse().expect("hits")))
                .collect();
            let covered: Vec<u64> = lines.iter().filter(|(_, h)| *h == 1).map(|(n, _)| *n).collect();
            let missed: Vec<u64> = lines.iter().filter(|(_, h)| *h == 0).map(|(n, _)| *n).collect();
            assert_eq!(missed, lines_of(&unit["uncovered"]), "{}", unit["name"]);
            assert_eq!(covered.len() as u64, unit["coveredLines"].as_u64().expect("covered"), "{}", unit["name"]);
            for l in lines_of(&unit["unknown"]) {
                assert!(lines.iter().all(|(n, _)| *n != l), "unknown line {l} listed");
            }
            hit += covered.len();
            valid += lines.len();
        }
    }
    assert_eq!(seen, units.len());
    assert_eq!(attr(&doc, "lines-covered"), hit.to_string());
    assert_eq!(attr(&doc, "lines-valid"), valid.to_string());
    let rate: f64 = attr(&doc, "line-rate").parse().expect("rate");
    assert!((rate - hit as f64 / valid as f64).abs() < 0.0001, "{rate}");
    // The per-file figure a tool derives lies within sfgen's range.
    let (lo, hi) = (result["overallRange"][0].as_f64().expect("lo"), result["overallRange"][1].as_f64().expect("hi"));
    assert!(lo <= rate * 100.0 + 0.01 && rate * 100.0 <= hi + 0.01, "{rate} outside [{lo}, {hi}]");
}

#[test]
fn lcov_has_one_record_per_unit_with_consistent_totals() {
    let (dir, result) = reports();
    let text = std::fs::read_to_string(dir.path().join("out/lcov.info")).expect("lcov written");
    assert!(text.starts_with("TN:"), "{text}");
    let records: Vec<&str> = text.split("end_of_record\n").filter(|r| r.contains("SF:")).collect();
    let units = result["coverage"].as_array().expect("coverage");
    assert_eq!(records.len(), units.len(), "{text}");
    for r in records {
        let file = r.lines().find_map(|l| l.strip_prefix("SF:")).expect("SF");
        let unit = units.iter().find(|u| u["file"].as_str() == Some(file)).expect("unit for SF");
        let da: Vec<(u64, u64)> = r
            .lines()
            .filter_map(|l| l.strip_prefix("DA:"))
            .map(|d| {
                let (n, h) = d.split_once(',').expect("DA:n,h");
                (n.parse().expect("n"), h.parse().expect("h"))
            })
            .collect();
        let lh: usize = r.lines().find_map(|l| l.strip_prefix("LH:")).expect("LH").parse().expect("LH");
        let lf: usize = r.lines().find_map(|l| l.strip_prefix("LF:")).expect("LF").parse().expect("LF");
        assert_eq!(lf, da.len(), "{file}");
        assert_eq!(lh, da.iter().filter(|(_, h)| *h > 0).count(), "{file}");
        assert_eq!(lh as u64, unit["coveredLines"].as_u64().expect("covered"), "{file}");
        let zero: Vec<u64> = da.iter().filter(|(_, h)| *h == 0).map(|(n, _)| *n).collect();
        assert_eq!(zero, lines_of(&unit["uncovered"]), "{file}");
    }
}

fn run_chromium(browser: &Path, profile: &Path, args: &[&str], url: &str) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium")
}

#[test]
#[ignore = "slow tier: needs a headless Chromium (apt-get install chromium); .ci/run runs it"]
fn html_report_renders_each_line_state_in_its_own_colour_in_a_real_browser() {
    let Some(browser) = support::require(Tool::Chromium) else { return };
    // The static estimate, which has all three line states (a measured run has no unknown line).
    let (dir, result) = reports_with(&["--estimate-only"]);
    let html = std::fs::read_to_string(dir.path().join("out/coverage.html")).expect("html written");
    assert!(!html.contains("<script src") && !html.contains("<link"), "the report is self-contained");
    // A copy with a probe that reads what the browser computed for each line state.
    let probe = "<script>const s=c=>{const e=document.querySelector('.code pre span.'+c);return e?getComputedStyle(e).backgroundColor:'none'};\
document.body.setAttribute('data-probe',JSON.stringify({covered:s('c'),notcovered:s('n'),unknown:s('u'),\
lines:document.querySelectorAll('.code pre span').length,rows:document.querySelectorAll('table.sum tr').length,\
overall:document.getElementById('overall').textContent,\
align:getComputedStyle(document.querySelector('table.sum td.n')).textAlign}));</script>";
    let probed = dir.path().join("out/probe.html");
    std::fs::write(&probed, html.replace("</body>", &format!("{probe}</body>"))).expect("write probe");
    let profile = tempfile::tempdir().expect("profile");
    let out = run_chromium(&browser, profile.path(), &["--dump-dom"], &format!("file://{}", probed.display()));
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("data-probe=\"").map(|i| i + "data-probe=\"".len()).expect("probe ran in the browser");
    let end = start + dom[start..].find('"').expect("end of probe");
    let raw = dom[start..end].replace("&quot;", "\"").replace("&amp;", "&");
    let probe: serde_json::Value = serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{e}: {raw}"));
    let colours = [&probe["covered"], &probe["notcovered"], &probe["unknown"]];
    for c in colours {
        assert!(c.as_str().is_some_and(|s| s.starts_with("rgb") && s != "rgba(0, 0, 0, 0)"), "{probe}");
    }
    assert!(colours[0] != colours[1] && colours[1] != colours[2] && colours[0] != colours[2], "{probe}");
    let units = result["coverage"].as_array().expect("coverage").len() as u64;
    assert_eq!(probe["rows"].as_u64(), Some(units + 1), "{probe}");
    assert!(probe["lines"].as_u64() > Some(10), "{probe}");
    assert_eq!(probe["align"], "right", "numbers are right-aligned: {probe}");
    assert!(probe["overall"].as_str().is_some_and(|t| t.contains("88.33%") && t.contains("[70%, 96.67%]")), "{probe}");
    // And a screenshot of the report itself (kept in target/ for a reviewer to open).
    let shot = root().join("target/sfgen-check-coverage-html.png");
    let report = dir.path().join("out/coverage.html");
    let out = run_chromium(
        &browser,
        profile.path(),
        &["--window-size=1200,1400", &format!("--screenshot={}", shot.display())],
        &format!("file://{}", report.display()),
    );
    let png = std::fs::read(&shot)
        .unwrap_or_else(|e| panic!("no screenshot ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{} bytes", png.len());
}

#[test]
fn html_report_has_the_verdict_the_findings_and_a_sortable_table_and_stays_small() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html_path = dir.path().join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_sfgen"))
        .current_dir(root())
        .args(["check", "--package", "fixtures/check/coverage-unit", "--html"])
        .arg(&html_path)
        .output()
        .expect("run sfgen");
    assert_eq!(out.status.code(), Some(1));
    let html = std::fs::read_to_string(&html_path).expect("html written");
    assert!(html.contains("<p class=\"verdict fail\" id=\"verdict\"><b>Failed</b>"), "{html}");
    assert!(html.contains("(minimum 75%)"), "the minimum is stated: {html}");
    let findings = html.split("<h2 id=\"findings\">").nth(1).expect("findings section");
    assert!(findings.contains("<td class=\"error\" data-v=\"0\">error</td><td>coverage-unit</td><td>ApexClass:Greeter</td><td>fixtures/check/coverage-unit/classes/Greeter.cls</td>"), "{findings}");
    assert!(html.contains("<table class=\"sum sortable\">") && html.contains("table.sortable th"), "sortable: {html}");
    assert!(html.contains("table td.n,table th.n{text-align:right"), "numbers right-aligned over the table rule");
    // Fully covered units are listed, not printed; the others show the lines around what is missing.
    assert!(!html.contains("<h3 id=\"ApexClass-Formatter\""), "{html}");
    assert!(html.contains("<h3 id=\"ApexClass-Greeter\""), "{html}");

    // On a real project the page stays small: apex-recipes' was 924 KB with every source in full.
    let Some(corpus) = support::require(Tool::Corpus) else { return };
    let corpus = corpus.join("apex-recipes.tar.gz");
    let tar = Command::new("tar").arg("xzf").arg(&corpus).arg("-C").arg(dir.path()).status().expect("tar");
    assert!(tar.success());
    let out = Command::new(env!("CARGO_BIN_EXE_sfgen"))
        .current_dir(dir.path())
        .args(["check", "--package", "apex-recipes", "--html", "ar.html"])
        .output()
        .expect("run sfgen");
    assert!(out.status.code().is_some_and(|c| c <= 1));
    let size = std::fs::metadata(dir.path().join("ar.html")).expect("html").len();
    assert!(size < 300_000, "apex-recipes' report is {size} bytes");
}
