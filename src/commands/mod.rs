//! The command line: parse, run the one operation a verb names, print its outcome.
//!
//! One file per verb, each thin: the verb's parsed arguments, the library call that does the
//! work ([`crate::ops`]), and the [`Outcome`] that says how its report is shown. Printing,
//! `--json` envelopes and exit codes are [`output`]'s alone; a command line clap refuses is
//! [`usage`]'s. A new verb is one file here (its arguments and its `run`) and one arm in
//! `verbs!` below, which declares the module, the [`Command`] variant and its [`dispatch`] arm.

pub mod output;
pub mod shared;
mod usage;

pub use output::Outcome;

use crate::cli::Color;
use crate::error::Result;
use clap::CommandFactory as _;
use clap::Parser;
use output::Mode;
use shared::Global;
use std::process::ExitCode;

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

/// The verbs: each arm declares the verb's module, its [`Command`] variant (with the help
/// clap shows) and its [`dispatch`] arm, which calls the module's `run(&args, global)`.
macro_rules! verbs {
    ($($(#[$attr:meta])* $variant:ident($module:ident::$args:ident),)*) => {
        $(pub mod $module;)*

        /// sfgen's commands.
        #[derive(Debug, clap::Subcommand)]
        pub enum Command {
            $($(#[$attr])* $variant($module::$args),)*
        }

        /// Runs the command `cli` names.
        pub fn dispatch(cli: &Cli, global: Global) -> Result<Outcome> {
            match &cli.command {
                $(Command::$variant(args) => $module::run(args, global),)*
            }
        }
    };
}

verbs! {
    /// Render every artefact of the config into a folder.
    #[command(
        after_help = "Examples:\n  sfgen generate --out out\n  sfgen generate -d . -o uat    # into the SFDX project here\n  sfgen generate -c fixtures/contact-webhook/sfgen.json --env sandbox --format mdapi --out build/uat\n\n\
Overwrites the files it generates and removes (and lists) those it generated before and no longer does, \
while unchanged; never touches anything else in DIR. In an SFDX project (DIR holds \
sfdx-project.json) the source goes into its default package directory. Without -c, sfgen.json is looked for here \
and in the parent folders up to the repository root (not above the home folder, a mount point or a folder \
another user owns; the config used is named). Exit 2 on a bad config (nothing written)."
    )]
    Generate(generate::GenerateArgs),
    /// Write a starter config that reproduces one of the two integration guides.
    #[command(
        after_help = "Examples:\n  sfgen init                                  # guide A: Contact webhook\n  sfgen init --preset integration-user --out vendor.json"
    )]
    Init(init::InitArgs),
    /// Print the JSON Schema of the config (for editor completion and validation).
    #[command(
        after_help = "Examples:\n  sfgen schema > sfgen.schema.json   # then \"$schema\": \"./sfgen.schema.json\" in sfgen.json\n  sfgen schema --markdown > docs/config.md"
    )]
    Schema(schema::SchemaArgs),
    /// Build a deterministic, deployable Metadata API zip.
    #[command(
        after_help = "Examples:\n  sfgen package --out deploy.zip\n  sfgen package --include . --prefer generated --out deploy.zip -o my-prod\n  sfgen package --destructive remove.txt --destructive-when pre --out deploy.zip\n\n\
Same input, byte-identical zip. Validate, then deploy it with the commands printed at the end (result.validateCommand, \
result.deployCommand and result.quickDeployCommand with --json)."
    )]
    Package(package::PackageArgs),
    /// Print the package.xml describing the same components (for `sf project retrieve start --manifest`).
    #[command(
        after_help = "Example:\n  sfgen manifest > package.xml && sf project retrieve start --manifest package.xml --target-metadata-dir org"
    )]
    Manifest(manifest::ManifestArgs),
    /// Convert a project between source (SFDX) and Metadata API layouts.
    #[command(
        after_help = "Examples:\n  sfgen convert --from force-app --to mdapi-out --format mdapi\n  sfgen convert --from retrieved.zip --to src --format source"
    )]
    Convert(convert::ConvertArgs),
    /// Compare what sfgen would deploy with what an org holds (a retrieve), and emit a delta package.
    #[command(
        after_help = "Examples:\n  sfgen diff --org org-retrieve/unpackaged.zip\n  sfgen diff --org org-src --prune --delta-out delta.zip\n  sfgen diff --org org-retrieve/unpackaged.zip --prune -d delta --layout sgd --destructive-when post\n\n\
The delta's validate and deploy commands are printed (result.delta with --json).\n\
Exit codes: 0 no differences, 1 differences, 2 error."
    )]
    Diff(diff::DiffArgs),
    /// The delta between two git commits, as sfdx-git-delta writes it: package/package.xml and
    /// destructiveChanges/destructiveChanges.xml, at child precision, with the tests to run.
    #[command(
        after_help = "Examples:\n  sfgen delta --from HEAD~1 -d output\n  sfgen delta --from origin/main --to HEAD -d . --generate-delta\n  sfgen delta --from v1.2.0 --source-dir force-app --ignore-file .sgdignore --json\n\n\
Flags and output follow sfdx-git-delta (`sf sgd source delta`); its short flags -d, -o and -r differ: use the long ones.\n\
Exit codes: 0 success, 2 bad input (a missing commit, a shallow clone) with nothing written."
    )]
    Delta(delta::DeltaArgs),
    /// Prove offline that the artefacts deploy and reach coverage (an estimate), for CI.
    #[command(
        after_help = "Examples:\n  sfgen check\n  sfgen check --package deploy.zip --junit target/sfgen-check.xml\n  sfgen check --package . --cobertura target/coverage.xml --html target/coverage.html\n\nExit codes: 0 all good, 1 findings of error severity (certainties only), 2 bad input.\nCoverage is an estimate given as a range [proven covered, proven + unknown]: --help says how to read it.",
        after_long_help = check::LONG_HELP
    )]
    Check(check::CheckArgs),
    /// Run the package's Apex tests offline, in sfgen's own Apex runtime (no org).
    #[command(
        after_help = "Examples:\n  sfgen test                                   # generate from sfgen.json, run its tests\n  sfgen test --package force-app --tests AccountServiceTest\n  sfgen test --package deploy.zip --tests TestWebhook.timeoutIsRetriedNegative --junit target/apex-tests.xml\n  sfgen test --package . --json --cobertura target/coverage.xml --lcov target/lcov.info --html target/coverage.html\n\n\
Outcomes: Pass, Fail (an exception or assertion, with Salesforce's message and stack trace), CompileFail (Apex a \
compiler would refuse, file:line) and Skip (what the runtime does not model, or the org's data, with the reason).\n\
--json prints the result in the shape of `sf apex run test --json --code-coverage` (summary, tests, coverage).\n\
Exit codes: 0 every test that ran passed, 1 a test failed (or the package has Apex and no test), 2 bad input."
    )]
    Test(test::TestArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  sfgen completions bash > ~/.local/share/bash-completion/completions/sfgen")]
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff).
    #[command(after_help = "Example:\n  sfgen man > sfgen.1 && man ./sfgen.1")]
    Man(man::ManArgs),
}

/// Parses `args` and runs the command; prints the outcome ([`output`]); returns the exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return usage::usage_error(&e, &args, Cli::command),
    };
    let json = cli.json || matches!(&cli.command, Command::Diff(d) if d.format == crate::cli::DiffFormat::Json);
    crate::ui::init(crate::ui::decide(cli.color, json, cli.quiet));
    let global = Global { json, quiet: cli.quiet, cli: Cli::command };
    output::print(dispatch(&cli, global), Mode { json, quiet: cli.quiet })
}
