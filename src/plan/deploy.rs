//! The `sf` commands that validate and deploy what sfgen wrote, built once for `generate`,
//! `package` and `diff --delta-out`, so that every printed command runs as printed:
//!
//! - every word goes through [`crate::shell::quote`]; the org is `--target-org` /
//!   `SF_TARGET_ORG` or the placeholder [`ORG_PLACEHOLDER`], a plain word;
//! - test levels are ones the CLI accepts for the command and the org kind. `sf project deploy
//!   validate` takes RunAllTestsInOrg, RunLocalTests, RunSpecifiedTests or RunRelevantTests
//!   (default RunLocalTests), never NoTestRun, and its help says not to use it on sandboxes
//!   ("use `sf project deploy start --dry-run` instead"); NoTestRun "applies only to
//!   deployments to development environments, such as sandbox, Developer Edition, or trial
//!   orgs"; without a test level, a production deploy runs the local tests only when the
//!   package holds Apex ("Running Tests in a Deployment", Metadata API Developer Guide:
//!   <https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deploy_running_tests.htm>);
//! - a source-format deploy runs inside the project (`sf` resolves `sfdx-project.json` from
//!   the working directory), as `(cd PROJECT && sf ...)` so that pasting it leaves the shell
//!   where it was;
//! - validation comes first; in production the deploy is then `sf project deploy quick
//!   --use-most-recent`, which reuses the validation's test run.

use crate::cli::DestructiveWhen;
use crate::shell::{quote, ORG_PLACEHOLDER};
use std::path::Path;

/// Where the commands deploy to.
#[derive(Debug, Clone, Default)]
pub struct Org {
    /// `--target-org` (or `SF_TARGET_ORG`), if given.
    pub alias: Option<String>,
    /// `integration.sandbox` of the config: `Some(true)` a sandbox, `Some(false)` production.
    pub sandbox: Option<bool>,
}

impl Org {
    /// The `--target-org` flag with its value as shell words: the alias, quoted (`--target-org=-x`
    /// for a value starting with `-`, which sf would otherwise read as a flag), or the placeholder.
    pub fn flag(&self) -> String {
        crate::shell::target_org_flag(self.alias.as_deref().unwrap_or(ORG_PLACEHOLDER))
    }

    fn is_sandbox(&self) -> bool {
        self.sandbox == Some(true)
    }
}

/// The org of the printed commands: `--target-org` (or `SF_TARGET_ORG`), checked, and whether
/// the config says it is a sandbox.
pub fn org(target_org: Option<&str>, sandbox: Option<bool>) -> crate::error::Result<Org> {
    let alias = match target_org {
        Some(a) if a.trim().is_empty() || a.chars().any(char::is_control) => {
            return Err(crate::error::Error::Input {
                message: format!("--target-org {}: not an org alias or username", crate::shell::quote(a)),
                hint: Some("give the alias or username the Salesforce CLI knows the org by (`sf org list`)".into()),
            })
        }
        Some(a) => Some(a.to_string()),
        None => None,
    };
    Ok(Org { alias, sandbox })
}

/// What is deployed.
#[derive(Debug, Clone)]
pub enum Target<'a> {
    /// Source format, deployed from inside `project` (the folder holding sfdx-project.json).
    Source {
        /// The project folder.
        project: &'a Path,
        /// What to deploy from it.
        select: SourceSelect,
    },
    /// A Metadata API folder (package.xml at its root).
    MetadataDir(&'a Path),
    /// A zip with package.xml at its root.
    Zip(&'a Path),
}

/// Which source a source-format deploy takes.
#[derive(Debug, Clone)]
pub enum SourceSelect {
    /// `--source-dir DIR` (relative to the project).
    Dir(String),
    /// `--metadata Type:Name` for each component (exactly these, in a project that holds more).
    Components(Vec<String>),
    /// `--manifest FILE` with optional destructive changes (files relative to the project).
    Manifest {
        /// The package.xml.
        manifest: String,
        /// The destructive manifest and when it runs.
        destructive: Option<(DestructiveWhen, String)>,
    },
}

/// The Apex tests a deploy must run.
#[derive(Debug, Clone, Default)]
pub struct Tests {
    /// Whether the deploy holds Apex classes or triggers.
    pub has_apex: bool,
    /// Test classes that cover them (for RunSpecifiedTests); empty: RunLocalTests.
    pub classes: Vec<String>,
}

/// The commands for one artefact.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Commands {
    /// Validation without changing the org: `sf project deploy validate` (production), `sf
    /// project deploy start --dry-run` (sandbox).
    pub validate: String,
    /// The full deploy (`sf project deploy start`), running its tests again.
    pub deploy: String,
    /// Production: the deploy of the validation just made, without running the tests again.
    pub quick: Option<String>,
    /// The test level of `deploy` (none: the Metadata API default, no tests for a package
    /// without Apex).
    pub test_level: Option<&'static str>,
    /// The tests of RunSpecifiedTests.
    pub tests: Vec<String>,
}

impl Commands {
    /// The commands to run, in order: validate, then deploy.
    pub fn in_order(&self) -> Vec<String> {
        vec![self.validate.clone(), self.quick.clone().unwrap_or_else(|| self.deploy.clone())]
    }
}

/// The validate and deploy commands for `target`.
pub fn commands(target: &Target<'_>, tests: &Tests, org: &Org) -> Commands {
    let sandbox = org.is_sandbox();
    let level_for = |validating: bool| -> Option<&'static str> {
        if tests.has_apex {
            return Some(if tests.classes.is_empty() { "RunLocalTests" } else { "RunSpecifiedTests" });
        }
        match (validating, sandbox) {
            // `deploy validate` refuses NoTestRun; RunLocalTests is its default.
            (true, false) => Some("RunLocalTests"),
            (_, true) => Some("NoTestRun"),
            // Production without Apex: the default runs no tests.
            (false, false) => None,
        }
    };
    let test_flags = |level: Option<&str>| -> String {
        let mut out = String::new();
        if let Some(level) = level {
            out.push_str(" --test-level ");
            out.push_str(level);
            if level == "RunSpecifiedTests" {
                for t in &tests.classes {
                    out.push_str(" --tests ");
                    out.push_str(&quote(t));
                }
            }
        }
        out
    };
    let (cd, what) = match target {
        Target::Source { project, select } => {
            let what = match select {
                SourceSelect::Dir(d) => format!("--source-dir {}", crate::shell::path(Path::new(d))),
                SourceSelect::Components(c) => {
                    c.iter().map(|m| format!("--metadata {}", quote(m))).collect::<Vec<_>>().join(" ")
                }
                SourceSelect::Manifest { manifest, destructive } => {
                    let mut s = format!("--manifest {}", crate::shell::path(Path::new(manifest)));
                    if let Some((when, file)) = destructive {
                        let flag = match when {
                            DestructiveWhen::Pre => "--pre-destructive-changes",
                            DestructiveWhen::Post => "--post-destructive-changes",
                        };
                        s.push_str(&format!(" {flag} {}", crate::shell::path(Path::new(file))));
                    }
                    s
                }
            };
            let here = project.as_os_str().is_empty() || *project == Path::new(".");
            (if here { None } else { Some(crate::shell::path(project)) }, what)
        }
        Target::MetadataDir(p) => (None, format!("--metadata-dir {}", crate::shell::path(p))),
        Target::Zip(p) => (None, format!("--metadata-dir {} --single-package", crate::shell::path(p))),
    };
    let org_flag = format!(" {}", org.flag());
    let wrap = |cmd: String| match &cd {
        Some(dir) => format!("(cd {dir} && {cmd})"),
        None => cmd,
    };
    let validate_level = level_for(true);
    let deploy_level = level_for(false);
    let validate = if sandbox {
        wrap(format!("sf project deploy start --dry-run {what}{}{org_flag}", test_flags(validate_level)))
    } else {
        wrap(format!("sf project deploy validate {what}{}{org_flag}", test_flags(validate_level)))
    };
    let deploy = wrap(format!("sf project deploy start {what}{}{org_flag}", test_flags(deploy_level)));
    let quick = (!sandbox).then(|| format!("sf project deploy quick --use-most-recent{org_flag}"));
    let tests_run = if deploy_level == Some("RunSpecifiedTests") { tests.classes.clone() } else { Vec::new() };
    Commands { validate, deploy, quick, test_level: deploy_level, tests: tests_run }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apex() -> Tests {
        Tests { has_apex: true, classes: vec!["TestA".into(), "TestB".into()] }
    }

    #[test]
    fn production_validates_then_quick_deploys() {
        let org = Org { alias: None, sandbox: Some(false) };
        let c = commands(&Target::Zip(Path::new("my dir/x.zip")), &apex(), &org);
        assert_eq!(
            c.in_order(),
            [
                "sf project deploy validate --metadata-dir 'my dir/x.zip' --single-package --test-level RunSpecifiedTests --tests TestA --tests TestB --target-org ORG_ALIAS",
                "sf project deploy quick --use-most-recent --target-org ORG_ALIAS",
            ]
        );
        assert_eq!(
            c.deploy,
            "sf project deploy start --metadata-dir 'my dir/x.zip' --single-package --test-level RunSpecifiedTests --tests TestA --tests TestB --target-org ORG_ALIAS"
        );
    }

    #[test]
    fn no_test_run_only_for_sandboxes_and_never_for_validate() {
        let none = Tests::default();
        let prod = commands(&Target::MetadataDir(Path::new("out")), &none, &Org { alias: None, sandbox: Some(false) });
        assert_eq!(
            prod.validate,
            "sf project deploy validate --metadata-dir out --test-level RunLocalTests --target-org ORG_ALIAS"
        );
        assert_eq!(prod.deploy, "sf project deploy start --metadata-dir out --target-org ORG_ALIAS");
        assert_eq!(prod.test_level, None);
        let unknown = commands(&Target::MetadataDir(Path::new("out")), &none, &Org::default());
        assert!(!unknown.validate.contains("NoTestRun") && !unknown.deploy.contains("NoTestRun"), "{unknown:?}");
        let sandbox = commands(
            &Target::MetadataDir(Path::new("out")),
            &none,
            &Org { alias: Some("uat".into()), sandbox: Some(true) },
        );
        assert_eq!(
            sandbox.in_order(),
            [
                "sf project deploy start --dry-run --metadata-dir out --test-level NoTestRun --target-org uat",
                "sf project deploy start --metadata-dir out --test-level NoTestRun --target-org uat",
            ]
        );
        assert_eq!(sandbox.quick, None);
    }

    #[test]
    fn source_deploys_run_inside_their_project() {
        let t = Target::Source { project: Path::new("out dir"), select: SourceSelect::Dir("force-app".into()) };
        let c = commands(&t, &apex(), &Org::default());
        assert_eq!(
            c.validate,
            "(cd 'out dir' && sf project deploy validate --source-dir force-app --test-level RunSpecifiedTests --tests TestA --tests TestB --target-org ORG_ALIAS)"
        );
        let here = Target::Source {
            project: Path::new("."),
            select: SourceSelect::Manifest {
                manifest: "package/package.xml".into(),
                destructive: Some((DestructiveWhen::Post, "destructiveChanges/destructiveChanges.xml".into())),
            },
        };
        let c = commands(&here, &Tests { has_apex: true, classes: vec![] }, &Org::default());
        assert_eq!(c.deploy, "sf project deploy start --manifest package/package.xml --post-destructive-changes destructiveChanges/destructiveChanges.xml --test-level RunLocalTests --target-org ORG_ALIAS");
    }

    #[test]
    fn hostile_org_and_paths_stay_one_word() {
        let org = Org { alias: Some("a b;rm -rf ~".into()), sandbox: None };
        let c = commands(&Target::MetadataDir(Path::new("-x")), &Tests::default(), &org);
        assert_eq!(c.deploy, "sf project deploy start --metadata-dir ./-x --target-org 'a b;rm -rf ~'");
    }
}
