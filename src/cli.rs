//! The command line's shared types (clap derive): the flags several verbs take (the config, the
//! org) and the values flags take. Each verb's own arguments are in its file in
//! `src/commands/`, where they are turned into an options struct for [`crate::ops`]. No logic
//! lives here.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

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

/// Starter presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Guide A: Contact changes pushed to a contact-centre platform.
    Webhook,
    /// Guide B: an API-only integration user for an order-automation service.
    IntegrationUser,
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

/// Layouts of `diff --delta-out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeltaLayout {
    /// One Metadata API folder (or zip): package.xml, the components, destructiveChanges*.xml.
    Mdapi,
    /// sfdx-git-delta's: package/package.xml, destructiveChanges/destructiveChanges.xml (with an
    /// empty package.xml beside it) and the components in source format under force-app/.
    Sgd,
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
