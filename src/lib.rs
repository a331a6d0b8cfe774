//! sfgen: one reviewed config in, Salesforce metadata that deploys on the first try out.
//!
//! The data flows one way: `cli → commands → ops → {config → model → render, read} → {write, diff,
//! check, convert} → sf → metadata`.
//!
//! - [`config`]: the JSON contract (raw serde types, loading, `--env` patches, diagnostics).
//! - [`model`]: the validated project every verb works from.
//! - [`section`]: one module per config section: raw form, validation, rendering.
//! - [`render`]: project → [`metadata::Tree`] (Apex from askama templates, metadata XML).
//! - [`read`]: existing projects and retrieves → components (detect, walk, resolve, compose),
//!   as the Salesforce CLI reads them, one component at a time.
//! - [`write`]: the one atomic writer (files, folders, deterministic zips).
//! - [`convert`]: mdapi → source layout; [`diff`] and [`canon`]: comparing meaning;
//!   [`check`]: offline deployability and coverage.
//! - [`sf`]: Salesforce knowledge in one place: the metadata registry (the Salesforce CLI's own
//!   data), file placement, package.xml, XML.
//! - [`metadata`]: the data model every verb works on (components in mdapi layout).
//! - [`apex`]: the Apex language: executable-line rules, the static coverage estimator and the
//!   runtime behind `sfgen test`.
//! - [`ops`]: the operations behind the verbs, each returning a report, and the planning
//!   helpers of their stage (desired state, deltas, deploy commands, next steps).
//! - [`commands`]: the command line: parse, one operation per verb, print ([`commands::output`]);
//!   only `commands`, `ops` and `main` touch the environment.

pub mod apex;
pub mod canon;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod convert;
pub mod diff;
pub mod error;
pub mod git;
pub mod metadata;
pub mod model;
pub mod ops;
pub mod plan;
pub mod printable;
pub mod project;
pub mod read;
pub mod relpath;
pub mod render;
pub mod section;
pub mod sf;
pub mod shell;
pub mod spans;
pub mod suggest;
pub mod ui;
pub mod write;
pub mod zip_write;

pub use read::archive;

pub use error::{Error, Result};

pub use commands::run;
