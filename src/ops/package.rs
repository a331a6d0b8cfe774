//! `sfgen package`: the generated components, plus any `--include`d project, folder or zip,
//! as one deterministic Metadata API zip (package.xml at the root, type folders beneath),
//! with optional destructive changes, and the exact command that deploys it.

use super::ConfigOpts;
use crate::cli::{DestructiveWhen, Prefer};
use crate::error::{Error, Result};
use crate::metadata::ComponentKey;
use crate::ops::Report;
use crate::plan::desired::{self, Desired, Origin};
use crate::plan::{deploy, next_steps};
use crate::read::archive::Limits;
use crate::sf::{manifest, registry::registry, xml};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// Packages with at least this many components show a progress spinner on a terminal.
const PROGRESS_COMPONENTS: usize = 1_000;
/// Components read and compressed at a time: bounds memory by a chunk, not by the package.
const CHUNK: usize = 256;

/// What `sfgen package` packages, and where.
#[derive(Debug, Clone)]
pub struct PackageOpts {
    /// The config whose components are generated.
    pub config: ConfigOpts,
    /// Projects, folders and zips packaged too (`--include`).
    pub include: Vec<std::path::PathBuf>,
    /// Which side wins when the config and an include define one component (`--prefer`).
    pub prefer: Option<Prefer>,
    /// A list of components to delete (`--destructive`).
    pub destructive: Option<std::path::PathBuf>,
    /// When they are deleted (`--destructive-when`).
    pub destructive_when: Option<DestructiveWhen>,
    /// The zip written.
    pub out: std::path::PathBuf,
    /// Skip the offline deployability gate (`--no-check`).
    pub no_check: bool,
    /// Leave the config's components out (`--no-generate`).
    pub no_generate: bool,
    /// The org of the printed commands (`--target-org`).
    pub target_org: Option<String>,
}

/// Writes the package zip and says how to deploy it.
pub fn package(opts: &PackageOpts) -> Result<Report> {
    let mut inputs: Vec<(&str, &Path)> = opts.include.iter().map(|p| ("the --include", p.as_path())).collect();
    inputs.extend(opts.destructive.as_deref().map(|p| ("the --destructive list", p)));
    super::refuse_overwriting_inputs(
        (!opts.no_generate).then_some(&opts.config),
        &inputs,
        &[("--out", Some(&opts.out))],
    )?;
    let limits = Limits::from_env()?;
    let desired = desired::desired(&opts.config, &opts.include, opts.prefer, opts.no_generate, &limits)?;
    let mut warnings = desired.warnings.clone();
    // sfgen vouches for what it generates; included projects are the user's own code, checked
    // on request with `sfgen check --include` (an estimate over thousands of classes would make
    // every large package slow).
    if desired.project.is_some() {
        super::generate::gate(&desired.generated, opts.no_check, &mut warnings)?;
    }
    let members = desired.members()?;
    let destructive = match &opts.destructive {
        Some(path) => Some(read_destructive(path, &limits)?),
        None => None,
    };
    if desired.is_empty() && destructive.as_ref().is_none_or(BTreeMap::is_empty) {
        return Err(Error::Input {
            message: "nothing to package: no component was generated or included".into(),
            hint: Some("add --include PATH, or drop --no-generate to package the config's components".into()),
        });
    }
    if let Some(d) = &destructive {
        for (ty, names) in d {
            for name in names {
                if members.get(ty).is_some_and(|m| m.contains(name)) {
                    return Err(Error::Input {
                        message: format!("{ty}:{name} is both deployed and listed for deletion"),
                        hint: Some("remove it from the destructive list or from the package".into()),
                    });
                }
            }
        }
    }
    let api_version = desired.api_version.clone();
    let package_xml = manifest::package_xml_of(&members, &api_version);
    let destructive_name = match opts.destructive_when {
        None => "destructiveChanges.xml",
        Some(DestructiveWhen::Pre) => "destructiveChangesPre.xml",
        Some(DestructiveWhen::Post) => "destructiveChangesPost.xml",
    };
    let destructive_xml = destructive.as_ref().map(|d| {
        manifest::package_xml(d.iter().map(|(t, m)| (t.as_str(), m.iter().map(String::as_str).collect())), &api_version)
    });

    let keys: Vec<&ComponentKey> = desired.index.keys().collect();
    let progress = Progress::new(keys.len() >= PROGRESS_COMPONENTS);
    progress.say(&format!("reading, compressing and writing {} components", keys.len()));
    let mut stats = Stats::default();
    let written = crate::write::zip_file(&opts.out, |z| {
        for chunk in keys.chunks(CHUNK) {
            let parts: Vec<Part> = chunk.par_iter().map(|k| part(&desired, k)).collect::<Result<_>>()?;
            for p in parts {
                stats.add(&p);
                for (path, c) in &p.files {
                    z.add(path, c)?;
                }
            }
        }
        let mut add = |path: &str, bytes: &[u8], stats: &mut Stats| -> Result<()> {
            stats.files += 1;
            stats.uncompressed += bytes.len();
            z.add(path, &crate::write::zip::compress(bytes.to_vec())?)
        };
        add("package.xml", package_xml.as_bytes(), &mut stats)?;
        if let Some(x) = &destructive_xml {
            add(destructive_name, x.as_bytes(), &mut stats)?;
        }
        Ok(())
    })?;
    progress.finish();
    let sha = written.sha256;
    let file_count = stats.files;
    let uncompressed = stats.uncompressed;

    let plan = test_plan(&desired, &stats.test_classes);
    let project = desired.project.as_ref();
    let org = crate::plan::deploy::org(opts.target_org.as_deref(), project.and_then(|p| p.integration.sandbox))?;
    let deploy = deploy::commands(&deploy::Target::Zip(&opts.out), &plan.tests, &org);
    let steps = project.map(|p| next_steps::next_steps(p, &deploy, &org, opts.config.api_version.as_deref()));

    let mut text = String::new();
    // Counted as `generate` counts them (a custom object with its fields is one component), with
    // the package.xml members beside (its fields and list views are members of their own).
    let member_count = members.values().map(Vec::len).sum::<usize>();
    let _ = writeln!(
        text,
        "Packaged {} components ({member_count} package.xml members, {file_count} files, {uncompressed} bytes uncompressed) into {} ({} bytes, API {api_version})",
        desired.index.len(),
        opts.out.display(),
        written.bytes
    );
    let width = members.keys().map(String::len).max().unwrap_or(0).max(18);
    for (ty, names) in &members {
        let _ = writeln!(text, "  {ty:<width$} {:>5}", names.len());
    }
    if let Some(d) = &destructive {
        let _ = writeln!(
            text,
            "  {destructive_name}: {} components to delete",
            d.values().map(BTreeSet::len).sum::<usize>()
        );
        for (ty, names) in d {
            let width = d.keys().map(String::len).max().unwrap_or(0).max(16);
            let _ = writeln!(text, "    {ty:<width$} {}", names.iter().cloned().collect::<Vec<_>>().join(", "));
        }
    }
    let _ = writeln!(text, "sha256 {sha}");
    // With next steps, the deploy commands are their first step; without (--no-generate), here.
    if steps.is_none() {
        let _ = writeln!(text, "Validate, then deploy:");
        for c in deploy.in_order() {
            let _ = writeln!(text, "  $ {c}");
        }
    }
    if let Some(why) = &plan.why {
        let _ = writeln!(text, "Tests: {why}");
    }

    let result = serde_json::json!({
        "out": opts.out,
        "sha256": sha,
        "bytes": written.bytes,
        "files": file_count,
        "uncompressedBytes": uncompressed,
        "apiVersion": api_version,
        "componentsByType": members.iter().map(|(t, m)| (t.clone(), m.len())).collect::<BTreeMap<_, _>>(),
        "components": members
            .iter()
            .flat_map(|(t, names)| names.iter().map(move |n| serde_json::json!({ "type": t, "fullName": n })))
            .collect::<Vec<_>>(),
        "destructive": destructive.as_ref().map(|d| serde_json::json!({ "file": destructive_name, "components": d })),
        "testLevel": deploy.test_level,
        "tests": deploy.tests,
        "testLevelReason": plan.why,
        "validateCommand": deploy.validate,
        "deployCommand": deploy.deploy,
        "quickDeployCommand": deploy.quick,
        "nextSteps": steps,
    });
    warnings.extend(desired.read_warnings());
    Ok(Report {
        exit: 0,
        result,
        text,
        guidance: steps.as_deref().map(next_steps::render_text).unwrap_or_default(),
        warnings,
    })
}

/// One component's zip entries.
struct Part {
    files: Vec<(String, crate::write::zip::Compressed)>,
    uncompressed: usize,
    test_class: Option<String>,
}

fn part(desired: &Desired, key: &ComponentKey) -> Result<Part> {
    let Some(c) = desired.load(key)? else {
        return Ok(Part { files: Vec::new(), uncompressed: 0, test_class: None });
    };
    let included = matches!(desired.index.get(key), Some(Origin::Include(..)));
    let test_class = (included
        && key.type_name == "ApexClass"
        && c.files.iter().any(|f| f.path.ends_with(".cls") && crate::sf::apex::is_test_class(&f.bytes)))
    .then(|| key.full_name.clone());
    let uncompressed = c.byte_len();
    let files =
        c.files.into_iter().map(|f| Ok((f.path, crate::write::zip::compress(f.bytes)?))).collect::<Result<_>>()?;
    Ok(Part { files, uncompressed, test_class })
}

#[derive(Default)]
struct Stats {
    files: usize,
    uncompressed: usize,
    test_classes: BTreeSet<String>,
}

impl Stats {
    fn add(&mut self, p: &Part) {
        self.files += p.files.len();
        self.uncompressed += p.uncompressed;
        if let Some(t) = &p.test_class {
            self.test_classes.insert(t.clone());
        }
    }
}

/// The tests a deploy of the package runs, and why, when it is not the obvious choice.
#[derive(Debug, Clone)]
pub struct TestPlan {
    /// Whether the package has Apex, and the test classes to name (none: RunLocalTests).
    pub tests: deploy::Tests,
    /// Why, when it is not the obvious choice.
    pub why: Option<String>,
}

/// Which tests the deploy runs. Only generated Apex: RunSpecifiedTests with the generated tests
/// (they cover every generated class and trigger). The project's own Apex too: RunLocalTests,
/// because RunSpecifiedTests requires every class and trigger in the package to reach 75% from
/// the named tests alone (Metadata API Developer Guide, `deploy()` "Running Tests in a
/// Deployment"), while RunLocalTests runs the org's own tests as a production deploy would.
/// No Apex: see [`deploy::commands`] for what each org kind accepts then.
pub fn test_plan(desired: &Desired, included_tests: &BTreeSet<String>) -> TestPlan {
    let has_apex = desired.index.keys().any(|k| k.type_name == "ApexClass" || k.type_name == "ApexTrigger");
    if !has_apex {
        return TestPlan { tests: deploy::Tests::default(), why: None };
    }
    if desired.has_included_apex() {
        let named = included_tests.len();
        return TestPlan {
            tests: deploy::Tests { has_apex: true, classes: Vec::new() },
            why: Some(format!(
                "the package carries the project's own Apex: RunSpecifiedTests would need every class in it to reach 75% from the named tests alone ({named} test class{} found in the package), so RunLocalTests runs the org's local tests",
                if named == 1 { "" } else { "es" }
            )),
        };
    }
    let classes = desired.project.as_ref().map(crate::model::Project::test_classes).unwrap_or_default();
    TestPlan { tests: deploy::Tests { has_apex: true, classes }, why: None }
}

/// Reads a destructive list: a package.xml-format file, or one `Type:Member` per line (`#`
/// comments and blank lines allowed). Wildcards are refused: the Metadata API does not
/// support them in destructive manifests.
pub fn read_destructive(path: &Path, limits: &Limits) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Input {
        message: format!("{}: {e}", path.display()),
        hint: Some("give the file listing components to delete".into()),
    })?;
    if meta.len() > limits.max_file_bytes {
        return Err(Error::input(format!("{}: larger than SFGEN_MAX_FILE_BYTES", path.display())));
    }
    let bytes = crate::read::archive::read_file_capped(
        path,
        limits.max_file_bytes,
        true,
        "raise SFGEN_MAX_FILE_BYTES if it is",
    )?;
    let text = String::from_utf8(bytes).map_err(|_| Error::input(format!("{}: not UTF-8 text", path.display())))?;
    parse_destructive(path, &text)
}

fn known_type(name: &str) -> bool {
    registry().by_name(name).is_some()
}

fn parse_destructive(path: &Path, text: &str) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let bad = |line: Option<usize>, msg: String, hint: &str| Error::Input {
        message: match line {
            Some(l) => format!("{}:{l}: {msg}", path.display()),
            None => format!("{}: {msg}", path.display()),
        },
        hint: Some(hint.to_string()),
    };
    let mut add = |line: Option<usize>, ty: &str, member: &str| -> Result<()> {
        let (ty, member) = (ty.trim(), member.trim());
        // A control character would reach destructiveChanges.xml, which XML 1.0 cannot carry
        // (xmllint rejects the file, the deploy fails on it): no API name holds one.
        if let Some(c) = ty.chars().chain(member.chars()).find(|c| c.is_control()) {
            return Err(bad(
                line,
                format!("control character U+{:04X} in {ty:?}:{member:?}", c as u32),
                "API names hold no control characters: retype the line",
            ));
        }
        if member.contains('*') {
            return Err(bad(
                line,
                format!("wildcard member {ty}:{member}"),
                "destructive changes cannot use wildcards: list every component to delete by name",
            ));
        }
        if ty.is_empty() || member.is_empty() {
            return Err(bad(
                line,
                format!("{ty:?}:{member:?} needs a type and a member"),
                "write Type:Member, e.g. ApexClass:OldWebhook",
            ));
        }
        if !known_type(ty) {
            return Err(bad(
                line,
                format!("unknown metadata type {ty:?}"),
                "use a package.xml type name such as ApexClass, CustomField or PermissionSet",
            ));
        }
        out.entry(ty.to_string()).or_default().insert(member.to_string());
        Ok(())
    };
    if text.trim_start().starts_with('<') {
        xml::check_metadata(text.as_bytes(), "Package").map_err(|e| {
            bad(
                None,
                format!("not a package.xml-format file: {e}"),
                "give a package.xml-format file or a Type:Member list",
            )
        })?;
        let root = xml::parse(text.as_bytes()).map_err(|e| {
            bad(None, format!("not valid XML: {e}"), "give a package.xml-format file or a Type:Member list")
        })?;
        for types in root.elements().filter(|e| e.name == "types") {
            let name = types.find("name").map(xml::Element::text_content).unwrap_or_default();
            let mut any = false;
            for m in types.elements().filter(|e| e.name == "members") {
                add(None, &name, &m.text_content())?;
                any = true;
            }
            if !any {
                return Err(bad(None, format!("<types> {name} lists no members"), "list the members to delete"));
            }
        }
    } else {
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((ty, member)) = line.split_once(':') else {
                return Err(bad(
                    Some(i + 1),
                    format!("{line:?} is not Type:Member"),
                    "write one Type:Member per line, e.g. ApexClass:OldWebhook",
                ));
            };
            add(Some(i + 1), ty, member)?;
        }
    }
    Ok(out)
}

/// A spinner on stderr for large packages, when [`crate::ui`] allows progress (a terminal, not
/// `--json`, not `--quiet`).
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(large: bool) -> Self {
        if !large || !crate::ui::get().progress {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self(Some(bar))
    }

    fn say(&self, msg: &str) {
        if let Some(b) = &self.0 {
            b.set_message(msg.to_string());
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn destructive_lists_parse_and_refuse_wildcards() {
        let p = Path::new("remove.txt");
        let d = parse_destructive(p, "# old\nApexClass:OldHook\n\nCustomField: Contact.Old__c\n").unwrap();
        assert_eq!(d["ApexClass"].iter().collect::<Vec<_>>(), ["OldHook"]);
        assert_eq!(d["CustomField"].iter().collect::<Vec<_>>(), ["Contact.Old__c"]);
        let e = parse_destructive(p, "ApexClass:*\n").unwrap_err().to_string();
        assert!(e.contains("wildcard") && e.contains("remove.txt:1"), "{e}");
        let e = parse_destructive(p, "ApexClasses:X\n").unwrap_err().to_string();
        assert!(e.contains("unknown metadata type"), "{e}");
        let xml = manifest::package_xml([("ApexTrigger", vec!["T"])], "62.0");
        assert_eq!(parse_destructive(p, &xml).unwrap()["ApexTrigger"].len(), 1);
        let xml = manifest::package_xml([("ApexTrigger", vec!["*"])], "62.0");
        assert!(parse_destructive(p, &xml).is_err());
    }

    /// Finding 11 of issue 12: an ESC in a destructive line gave a destructiveChanges.xml xmllint
    /// rejects; it is refused at read time with the line number.
    #[test]
    fn finding_11_control_characters_in_destructive_lists_are_refused_with_the_line() {
        let p = Path::new("remove.txt");
        for bad in ["ApexClass:Old\u{1b}[31mHook", "Apex\u{7}Class:Old", "ApexClass:Old\u{0}"] {
            let e = parse_destructive(p, &format!("# old\nApexClass:Fine\n{bad}\n")).unwrap_err().to_string();
            assert!(e.contains("remove.txt:3") && e.contains("control character U+00"), "{e}");
        }
        let xml = manifest::package_xml([("ApexClass", vec!["Old&#27;Hook"])], "62.0").replace("&amp;#27;", "&#27;");
        assert!(parse_destructive(p, &xml).is_err(), "{xml}");
        // The root must be <Package> in the metadata namespace.
        let xml = manifest::package_xml([("ApexClass", vec!["Old"])], "62.0");
        assert!(parse_destructive(p, &xml.replace(crate::sf::MD_NAMESPACE, "urn:other")).is_err());
        assert!(parse_destructive(p, &xml.replace("Package", "Bundle")).is_err());
    }
}
