//! Command-line arguments (clap derive). No logic lives here: each subcommand's arguments are
//! turned into an options struct and handed to [`crate::ops`].

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// sfgen turns one reviewed config file into Salesforce metadata that deploys on the first try.
#[derive(Debug, Parser)]
#[command(
    name = "sfgen",
    version,
    about,
    long_about = "sfgen turns one reviewed config file (sfgen.json) into Salesforce metadata: Apex webhook \
classes, triggers, mocks and tests with a durable outbox, Remote Sites, Named Credentials, External Client Apps, permission sets and \
org settings. It writes them as an SFDX project or a Metadata API folder, packages a deterministic deploy \
zip, compares them with what an org holds, and checks them offline before anyone touches an org.",
    after_help = "Start here:\n  sfgen init --preset webhook        write a starter sfgen.json\n  \
sfgen generate --out out            render it as an SFDX project\n  \
sfgen package --out deploy.zip      build the deploy zip\n\nExit codes: 0 success, 1 findings or differences, 2 bad input (nothing written)."
)]
pub struct Cli {
    /// Print machine-readable JSON ({"status", "result", "warnings"}) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only errors (no summary, no next steps).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// SFDX project: sfdx-project.json + force-app/main/default/...
    Source,
    /// Metadata API folder with package.xml at its root.
    Mdapi,
}

/// The config and environment to read.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Config file.
    #[arg(short = 'c', long = "config", value_name = "FILE", default_value = "sfgen.json")]
    pub config: PathBuf,
    /// Environment whose overrides (config "environments") to apply, e.g. sandbox.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Metadata API version to write instead of the config's apiVersion, e.g. 61.0 to match a
    /// project's sourceApiVersion.
    #[arg(long, value_name = "VERSION")]
    pub api_version: Option<String>,
}

/// The org the printed `sf` commands deploy to.
#[derive(Debug, Clone, Args)]
pub struct OrgArgs {
    /// Username or alias of the org for the printed `sf` commands (as `sf --target-org`); without it
    /// they say ORG_ALIAS.
    #[arg(long = "target-org", short = 'o', env = "SF_TARGET_ORG", value_name = "ALIAS")]
    pub target_org: Option<String>,
}

/// sfgen's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render every artefact of the config into a folder.
    #[command(
        after_help = "Examples:\n  sfgen generate --out out\n  sfgen generate -d . -o uat    # into the SFDX project here\n  sfgen generate -c fixtures/contact-webhook/sfgen.json --env sandbox --format mdapi --out build/uat\n\n\
Overwrites the files it generates and removes (and lists) those it generated before and no longer does, \
while unchanged; never touches anything else in DIR. In an SFDX project (DIR holds \
sfdx-project.json) the source goes into its default package directory. Without -c, sfgen.json is looked for here \
and in the parent folders up to the repository root (not above the home folder, a mount point or a folder \
another user owns; the config used is named). Exit 2 on a bad config (nothing written)."
    )]
    Generate(GenerateArgs),
    /// Write a starter config that reproduces one of the two integration guides.
    #[command(
        after_help = "Examples:\n  sfgen init                                  # guide A: Contact webhook\n  sfgen init --preset integration-user --out vendor.json"
    )]
    Init(InitArgs),
    /// Print the JSON Schema of the config (for editor completion and validation).
    #[command(
        after_help = "Examples:\n  sfgen schema > sfgen.schema.json   # then \"$schema\": \"./sfgen.schema.json\" in sfgen.json\n  sfgen schema --markdown > docs/config.md"
    )]
    Schema(SchemaArgs),
    /// Build a deterministic, deployable Metadata API zip.
    #[command(
        after_help = "Examples:\n  sfgen package --out deploy.zip\n  sfgen package --include . --prefer generated --out deploy.zip -o my-prod\n  sfgen package --destructive remove.txt --destructive-when pre --out deploy.zip\n\n\
Same input, byte-identical zip. Validate, then deploy it with the commands printed at the end (result.validateCommand, \
result.deployCommand and result.quickDeployCommand with --json)."
    )]
    Package(PackageArgs),
    /// Print the package.xml describing the same components (for `sf project retrieve start --manifest`).
    #[command(
        after_help = "Example:\n  sfgen manifest > package.xml && sf project retrieve start --manifest package.xml --target-metadata-dir org"
    )]
    Manifest(ManifestArgs),
    /// Convert a project between source (SFDX) and Metadata API layouts.
    #[command(
        after_help = "Examples:\n  sfgen convert --from force-app --to mdapi-out --format mdapi\n  sfgen convert --from retrieved.zip --to src --format source"
    )]
    Convert(ConvertArgs),
    /// Compare what sfgen would deploy with what an org holds (a retrieve), and emit a delta package.
    #[command(
        after_help = "Examples:\n  sfgen diff --org org-retrieve/unpackaged.zip\n  sfgen diff --org org-src --prune --delta-out delta.zip\n  sfgen diff --org org-retrieve/unpackaged.zip --prune -d delta --layout sgd --destructive-when post\n\n\
The delta's validate and deploy commands are printed (result.delta with --json).\n\
Exit codes: 0 no differences, 1 differences, 2 error."
    )]
    Diff(DiffArgs),
    /// The delta between two git commits, as sfdx-git-delta writes it: package/package.xml and
    /// destructiveChanges/destructiveChanges.xml, at child precision, with the tests to run.
    #[command(
        after_help = "Examples:\n  sfgen delta --from HEAD~1 -d output\n  sfgen delta --from origin/main --to HEAD -d . --generate-delta\n  sfgen delta --from v1.2.0 --source-dir force-app --ignore-file .sgdignore --json\n\n\
Flags and output follow sfdx-git-delta (`sf sgd source delta`); its short flags -d, -o and -r differ: use the long ones.\n\
Exit codes: 0 success, 2 bad input (a missing commit, a shallow clone) with nothing written."
    )]
    Delta(DeltaArgs),
    /// Prove offline that the artefacts deploy and reach coverage (an estimate), for CI.
    #[command(
        after_help = "Examples:\n  sfgen check\n  sfgen check --package deploy.zip --junit target/sfgen-check.xml\n  sfgen check --package . --cobertura target/coverage.xml --html target/coverage.html\n\nExit codes: 0 all good, 1 findings of error severity (certainties only), 2 bad input.\nCoverage is an estimate given as a range [proven covered, proven + unknown]: --help says how to read it.",
        after_long_help = CHECK_LONG_HELP
    )]
    Check(CheckArgs),
    /// Run the package's Apex tests offline, in sfgen's own Apex runtime (no org).
    #[command(
        after_help = "Examples:\n  sfgen test                                   # generate from sfgen.json, run its tests\n  sfgen test --package force-app --tests AccountServiceTest\n  sfgen test --package deploy.zip --tests TestWebhook.timeoutIsRetriedNegative --junit target/apex-tests.xml\n  sfgen test --package . --json --cobertura target/coverage.xml --lcov target/lcov.info --html target/coverage.html\n\n\
Outcomes: Pass, Fail (an exception or assertion, with Salesforce's message and stack trace), CompileFail (Apex a \
compiler would refuse, file:line) and Skip (what the runtime does not model, or the org's data, with the reason).\n\
--json prints the result in the shape of `sf apex run test --json --code-coverage` (summary, tests, coverage).\n\
Exit codes: 0 every test that ran passed, 1 a test failed (or the package has Apex and no test), 2 bad input."
    )]
    Test(TestArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  sfgen completions bash > ~/.local/share/bash-completion/completions/sfgen")]
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    #[command(after_help = "Example:\n  sfgen man > sfgen.1 && man ./sfgen.1")]
    Man,
}

/// `sfgen generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Layout: source (SFDX project) or mdapi (Metadata API folder with package.xml).
    #[arg(long, value_enum, default_value_t = Format::Source)]
    pub format: Format,
    /// Output folder (created if missing). In an existing SFDX project, the source goes into its
    /// default package directory.
    #[arg(long, short = 'd', visible_alias = "output-dir", value_name = "DIR")]
    pub out: PathBuf,
    /// Write even if sfgen's own checks find errors.
    #[arg(long)]
    pub no_check: bool,
    /// The org of the printed commands.
    #[command(flatten)]
    pub org: OrgArgs,
}

/// Starter presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Guide A: Contact changes pushed to a contact-centre platform.
    Webhook,
    /// Guide B: an API-only integration user for an order-automation service.
    IntegrationUser,
}

/// `sfgen schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the config reference as Markdown (docs/config.md) instead of the JSON Schema.
    #[arg(long)]
    pub markdown: bool,
}

/// `sfgen init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Which guide to start from.
    #[arg(long, value_enum, default_value_t = Preset::Webhook)]
    pub preset: Preset,
    /// Where to write the config (its JSON Schema, sfgen.schema.json, goes beside it and the
    /// config names it in "$schema").
    #[arg(long, value_name = "FILE", default_value = "sfgen.json")]
    pub out: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Which side wins when a component is both generated and included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Prefer {
    /// The generated component.
    Generated,
    /// The included one.
    Include,
}

/// What `sfgen delta --with-dependencies` adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DependencyScope {
    /// What the range changed that the delta leaves out, and what the Metadata API checks in the
    /// same deploy.
    Range,
    /// Everything referenced that the project holds (for an org that lacks it).
    All,
}

/// When destructive changes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DestructiveWhen {
    /// destructiveChangesPre.xml: delete before deploying the rest.
    Pre,
    /// destructiveChangesPost.xml: delete after.
    Post,
}

/// `sfgen package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// An SFDX project, mdapi folder or zip whose components ship with the generated ones (repeatable).
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// Which side wins for a component present in both.
    #[arg(long, value_enum)]
    pub prefer: Option<Prefer>,
    /// Components to delete: a package.xml-format file or a plain `Type:Member` list.
    #[arg(long, value_name = "FILE")]
    pub destructive: Option<PathBuf>,
    /// Write destructiveChangesPre.xml or destructiveChangesPost.xml instead of destructiveChanges.xml.
    #[arg(long, value_enum, requires = "destructive")]
    pub destructive_when: Option<DestructiveWhen>,
    /// The zip to write.
    #[arg(long, value_name = "FILE.zip")]
    pub out: PathBuf,
    /// Package even if sfgen's own checks find errors.
    #[arg(long)]
    pub no_check: bool,
    /// Package only the --include'd components (no config needed).
    #[arg(long)]
    pub no_generate: bool,
    /// The org of the printed commands.
    #[command(flatten)]
    pub org: OrgArgs,
}

/// `sfgen manifest`.
#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also list the components of these projects, folders or zips.
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// List only the --include'd components (no config needed).
    #[arg(long)]
    pub no_generate: bool,
}

/// `sfgen convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// SFDX project, mdapi folder or zip.
    #[arg(long, value_name = "PATH")]
    pub from: PathBuf,
    /// Output folder (new or empty).
    #[arg(long, short = 'd', visible_alias = "output-dir", value_name = "DIR")]
    pub to: PathBuf,
    /// Target layout.
    #[arg(long, value_enum)]
    pub format: Format,
}

/// Diff output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Summary table and unified diffs.
    Text,
    /// The JSON envelope.
    Json,
    /// Counts only.
    Stat,
}

/// `sfgen diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also compare these projects, folders or zips as part of the desired state.
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// Which side wins for a component both generated and included.
    #[arg(long, value_enum)]
    pub prefer: Option<Prefer>,
    /// What the org holds: a retrieve zip (with or without unpackaged/), an mdapi folder or an SFDX source folder.
    #[arg(long, value_name = "PATH")]
    pub org: PathBuf,
    /// Output format (--json is the same as --format json).
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write a deployable package of the added and changed components (a zip if PATH ends in .zip).
    #[arg(long, short = 'd', visible_alias = "output-dir", value_name = "PATH")]
    pub delta_out: Option<PathBuf>,
    /// Layout of --delta-out: mdapi (one Metadata API folder or zip) or sgd (as sfdx-git-delta writes
    /// it: package/package.xml, destructiveChanges/destructiveChanges.xml and the source).
    #[arg(long, value_enum, default_value_t = DeltaLayout::Mdapi, requires = "delta_out")]
    pub layout: DeltaLayout,
    /// When the deletions of --prune run: pre (before the deploy; a plain destructiveChanges.xml
    /// also runs first) or post (after it).
    #[arg(long, value_enum, requires = "delta_out")]
    pub destructive_when: Option<DestructiveWhen>,
    /// Report org components of the same types that the desired state lacks as removed.
    #[arg(long)]
    pub prune: bool,
    /// Ignore Apex comments when comparing.
    #[arg(long)]
    pub ignore_comments: bool,
    /// Compare only the --include'd components (no config needed).
    #[arg(long)]
    pub no_generate: bool,
    /// The org of the printed deploy commands (not the --org retrieve).
    #[command(flatten)]
    pub target: OrgArgs,
}

/// `sfgen delta`.
#[derive(Debug, Args)]
pub struct DeltaArgs {
    /// The commit to compare from (a hash, branch, tag or HEAD~N).
    #[arg(long, short = 'f', value_name = "REF")]
    pub from: String,
    /// The commit to compare to.
    #[arg(long, short = 't', value_name = "REF", default_value = "HEAD")]
    pub to: String,
    /// Where package/ and destructiveChanges/ (and, with --generate-delta, the source files) go.
    #[arg(long, short = 'd', value_name = "DIR", default_value = "output")]
    pub output_dir: PathBuf,
    /// The git repository (its work tree, or a folder inside it).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo_dir: PathBuf,
    /// Only look at changes beneath this folder (repeatable; default: the whole repository, within
    /// the package directories of sfdx-project.json).
    #[arg(long, short = 's', value_name = "DIR")]
    pub source_dir: Vec<String>,
    /// Also copy the changed components' source files into the output folder, in place.
    #[arg(long)]
    pub generate_delta: bool,
    /// Files to leave out of the delta (gitignore syntax; also applied to deletions unless
    /// --ignore-destructive-file is given).
    #[arg(long, short = 'i', value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Files whose deletion to leave out of destructiveChanges.xml.
    #[arg(long, short = 'D', value_name = "FILE")]
    pub ignore_destructive_file: Option<PathBuf>,
    /// Files to deploy whether they changed or not (gitignore syntax).
    #[arg(long, short = 'n', value_name = "FILE")]
    pub include_file: Option<PathBuf>,
    /// Files to delete whether they changed or not (gitignore syntax).
    #[arg(long, short = 'N', value_name = "FILE")]
    pub include_destructive_file: Option<PathBuf>,
    /// Changes of whitespace only are no changes.
    #[arg(long, short = 'W')]
    pub ignore_whitespace: bool,
    /// The API version of the manifests (default: sfdx-project.json's sourceApiVersion).
    #[arg(long, short = 'a', value_name = "VERSION")]
    pub api_version: Option<String>,
    /// When the printed deploy runs destructiveChanges.xml: post (after the deploy, as
    /// sfdx-git-delta's documentation does) or pre (before it).
    #[arg(long, value_enum, default_value_t = DestructiveWhen::Post)]
    pub destructive_when: DestructiveWhen,
    /// Name the test classes that reach the changed Apex (result.tests; always with --json) and
    /// print the validation with them (RunSpecifiedTests), or RunLocalTests with the reason.
    #[arg(long)]
    pub plan_tests: bool,
    /// Also deploy what the delta's components need (each addition with its reason): `range`
    /// (the default) adds what they reference that is new or changed in the range but left out
    /// (by --source-dir) and what the Metadata API checks in the same deploy (a dependent
    /// picklist's controlling field); `all` adds everything they reference that the project
    /// holds, for an org that lacks it (a scratch org, a sandbox refreshed before the range).
    /// What --ignore-file ignores is never added (a warning names it).
    #[arg(long, value_enum, value_name = "SCOPE", num_args = 0..=1, default_missing_value = "range", require_equals = true)]
    pub with_dependencies: Option<DependencyScope>,
    /// The org of the printed commands.
    #[command(flatten)]
    pub target: OrgArgs,
}

/// Layouts of `diff --delta-out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeltaLayout {
    /// One Metadata API folder (or zip): package.xml, the components, destructiveChanges*.xml.
    Mdapi,
    /// sfdx-git-delta's: package/package.xml, destructiveChanges/destructiveChanges.xml (with an
    /// empty package.xml beside it) and the components in source format under force-app/.
    Sgd,
}

const CHECK_LONG_HELP: &str = "Examples:
  sfgen check
  sfgen check --package deploy.zip --junit target/sfgen-check.xml
  sfgen check --package . --cobertura target/coverage.xml --lcov target/lcov.info --html target/coverage.html

Exit codes: 0 all good, 1 findings of error severity, 2 bad input.
Errors are certainties: the deploy would reject the package, or a test run would
certainly fail (no test can reach a trigger, a callout with no mock on every path).
Everything else is a warning. -q prints only the errors and the summary line.

Coverage is an ESTIMATE from static analysis, not a test run, given as a RANGE:
  covered     lines every test run reaches for sure (the lower bound)
  unknown     lines reached only through a value the estimate cannot tell (a SOQL
              result, a collection's size, most method results, a catch block, an
              interface implementation): they may or may not run
  not covered lines no path of any test reaches
  range       [covered, covered + unknown] / lines; the point estimate adds the
              unknown lines that usually run (loop bodies, code after a guard
              clause) and half of those behind an unknown branch.
  coverage-unit / coverage-overall / trigger-zero-coverage are errors only when even
  the upper bound fails, warnings when only the lower bound does (--strict: errors).
  Counted: statements, declarations with an initialiser, the condition of
    if/for/while/switch; a statement over several lines counts each line holding an
    expression. Not counted: braces, else, comments, signatures, System.debug, test
    classes.
  Walked: every test method (after @TestSetup) through calls, constructors,
    overrides, interface implementations, the Test.setMock mock, triggers fired by
    DML and by platform events (EventBus.publish, delivered at Test.stopTest() or
    Test.getEventBus().deliver()), and at Test.stopTest() the async work queued
    before it: Queueables (and their Finalizers), @future, Database.executeBatch
    (start, execute, finish), System.schedule. Platform callbacks: a Comparator given
    to List.sort, a Cache.CacheBuilder given to a cache get, Type.forName(...).newInstance().
  Conditions are evaluated from literals, fields the test set, literal arguments,
    Trigger.* context and the mock's status code (try { call(); Assert.fail(...) }
    proves the call throws: the last throwing branch it passes counts as taken).
  Knowingly optimistic: a catch block reached after a certain throw is the first one,
    whatever the exception type.
  Records: the field values of records a test builds (new Account(Name = 'x')) are
    followed into the triggers their DML fires (Trigger.new conditions); a custom field
    of the package with no default value is null until set.
  Not modelled (their lines stay unknown or not covered): flows and process builders,
    field values of queried records, Type.forName on names only known at run time
    (beyond the package's custom metadata records); a walk stops at depth 40, 20 000
    steps or 6 visits per method, and what lies beyond counts as unknown (reported).
  Reports: --junit, --cobertura (coverage-04.dtd), --lcov, --html. Cobertura and LCOV
    list the lines whose coverage is known (unknown lines are left out).

Coverage is MEASURED when it can be: check runs the package's tests in sfgen's Apex
runtime (as `sfgen test` does). When every test runs to a verdict, each class's and
trigger's coverage is the measured figure (marked \"measured\": no unknown lines). When a
test is skipped (a platform feature the runtime does not model), the lines the tests ran
count as covered and the estimate's range stands for the rest. --estimate-only (or
SFGEN_CHECK_ESTIMATE_ONLY=1) skips running them.";

/// `sfgen check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Config file and environment.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also check these projects, folders or zips.
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// Check an existing package (zip, mdapi folder or SFDX project) instead of the config's output.
    #[arg(long, value_name = "ZIP|DIR")]
    pub package: Option<PathBuf>,
    /// Minimum coverage (percent) per class and trigger and overall.
    #[arg(long, default_value_t = 75.0, value_name = "PERCENT")]
    pub min_coverage: f64,
    /// Coverage that only MAY be below the minimum (its lower bound is, its upper bound is not)
    /// fails too; without it that is a warning.
    #[arg(long)]
    pub strict: bool,
    /// Write a JUnit XML report (one testcase per check and per unit's coverage).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the coverage estimate as Cobertura XML (GitLab coverage_report, Codecov).
    #[arg(long, value_name = "FILE")]
    pub cobertura: Option<PathBuf>,
    /// Write the coverage estimate as an LCOV tracefile (Codecov, Coveralls, SonarQube).
    #[arg(long, value_name = "FILE")]
    pub lcov: Option<PathBuf>,
    /// Write an HTML coverage report: per class, lines covered / not covered / unknown,
    /// coloured in the source.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Do not run the tests in sfgen's Apex runtime: coverage is the static estimate only (also
    /// SFGEN_CHECK_ESTIMATE_ONLY=1). By default check runs them and uses the measured coverage
    /// when every test ran to a verdict.
    #[arg(long)]
    pub estimate_only: bool,
}

/// `sfgen test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Config file and environment (generate, then test the generated package).
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also test these projects, folders or zips (with the generated components, or with --package).
    #[arg(long, value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// Test an existing package (zip, mdapi folder, SFDX project or retrieve) instead of the config's output.
    #[arg(long, value_name = "ZIP|DIR")]
    pub package: Option<PathBuf>,
    /// Run only this test class or Class.method (repeatable, as `sf apex run test --tests`).
    #[arg(long = "tests", short = 't', value_name = "CLASS[.METHOD]")]
    pub tests: Vec<String>,
    /// Write a JUnit XML report (one testsuite per test class).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the measured coverage as Cobertura XML.
    #[arg(long, value_name = "FILE")]
    pub cobertura: Option<PathBuf>,
    /// Write the measured coverage as an LCOV tracefile.
    #[arg(long, value_name = "FILE")]
    pub lcov: Option<PathBuf>,
    /// Write an HTML coverage report (per class, covered lines coloured in the source).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Shells for completions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// bash
    Bash,
    /// zsh
    Zsh,
    /// fish
    Fish,
    /// PowerShell
    Powershell,
}

/// `sfgen completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}
