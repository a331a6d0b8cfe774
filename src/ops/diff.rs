//! `sfgen diff`: what a deploy would change, against what the org really holds.
//!
//! The desired state (generated components plus `--include`s) is compared with an org
//! retrieve (`--org`: whatever `sf project retrieve start` writes, a zip, an mdapi folder or an
//! SFDX project, read through [`crate::read::open`], which refuses hostile archives), walking both
//! sides key by key. The report is a summary table
//! and unified diffs of the canonical forms (text), the JSON envelope, or counts (`stat`).
//! `--delta-out` writes a deployable package of the added and changed components (plus
//! `destructiveChanges.xml` for the removed ones with `--prune`), all or nothing. Exit 0 when
//! nothing differs, 1 when something does, 2 on bad input (nothing written).

use super::ConfigOpts;
use crate::cli::{DeltaLayout, DestructiveWhen, DiffFormat, Prefer};
use crate::diff::{self, DiffOptions, DiffReport, Status};
use crate::error::{Error, Result};
use crate::ops::Report;
use crate::printable;
use crate::read::archive::Limits;
use std::fmt::Write as _;
use std::path::Path;

/// What `sfgen diff` compares, and the delta package it writes.
#[derive(Debug, Clone)]
pub struct DiffOpts {
    /// The config whose components are the desired state.
    pub config: ConfigOpts,
    /// Projects, folders and zips compared too, as part of the desired state (`--include`).
    pub include: Vec<std::path::PathBuf>,
    /// Which side wins for a component both generated and included (`--prefer`).
    pub prefer: Option<Prefer>,
    /// What the org holds: a retrieve zip, an mdapi folder or an SFDX source folder (`--org`).
    pub org: std::path::PathBuf,
    /// The report's form.
    pub format: DiffFormat,
    /// Where the delta package goes (`--delta-out`; none: no delta).
    pub delta_out: Option<std::path::PathBuf>,
    /// The delta package's layout (`--layout`).
    pub layout: DeltaLayout,
    /// When the deletions of `prune` run (`--destructive-when`).
    pub destructive_when: Option<DestructiveWhen>,
    /// Org components of the same types that the desired state lacks are removed (`--prune`).
    pub prune: bool,
    /// Apex comments are no difference (`--ignore-comments`).
    pub ignore_comments: bool,
    /// Compare only the included components (`--no-generate`).
    pub no_generate: bool,
    /// The org of the printed deploy commands (`--target-org`).
    pub target_org: Option<String>,
}

/// Compares the desired state with the org's; text output is coloured as [`crate::ui`]
/// decided (`--color`, `NO_COLOR`, terminal).
pub fn diff(opts: &DiffOpts) -> Result<Report> {
    let mut inputs: Vec<(&str, &std::path::Path)> =
        opts.include.iter().map(|p| ("the --include", p.as_path())).collect();
    inputs.push(("the --org", opts.org.as_path()));
    super::refuse_overwriting_inputs(
        (!opts.no_generate).then_some(&opts.config),
        &inputs,
        &[("--delta-out", opts.delta_out.as_deref())],
    )?;
    let limits = Limits::from_env()?;
    if opts.no_generate && opts.include.is_empty() {
        return Err(Error::Input {
            message: "--no-generate leaves nothing to compare".into(),
            hint: Some("add --include PATH (the project to compare with the org), or drop --no-generate".into()),
        });
    }
    // The two sides are independent: list them at the same time.
    let (desired, org) = rayon::join(
        || crate::plan::desired::desired(&opts.config, &opts.include, opts.prefer, opts.no_generate, &limits),
        || crate::read::open(&opts.org, &limits),
    );
    let (desired, org) = (desired?, org?);
    let diff_opts = DiffOptions {
        prune: opts.prune,
        canon: crate::canon::Options { ignore_comments: opts.ignore_comments },
        threads: 0,
        skip_text: opts.format == DiffFormat::Stat,
    };
    let report = diff::diff_sides(&desired, &org, &diff_opts)?;

    let out = super::delta::out::OutOpts {
        delta_out: opts.delta_out.as_deref(),
        config: &opts.config,
        layout: opts.layout,
        destructive_when: opts.destructive_when,
        prune: opts.prune,
        target_org: opts.target_org.as_deref(),
    };
    let delta = super::delta::out::write(&out, &report, &desired)?;

    let org_format = match org.format {
        crate::read::Format::Source => "source",
        crate::read::Format::Mdapi => "mdapi",
    };
    let colored = opts.format == DiffFormat::Text && crate::ui::get().color;
    let mut text = match opts.format {
        DiffFormat::Stat => stat_text(&report),
        _ => render_text(&report, &opts.org, org_format, colored),
    };
    if let Some(d) = &delta {
        text.push_str(&d.note);
    }
    let result = serde_json::json!({
        "components": report.components,
        "summary": report.summary,
        "org": { "path": opts.org, "format": org_format, "apiVersion": org.api_version },
        "deltaOut": opts.delta_out,
        "delta": delta.as_ref().map(|d| &d.json),
    });
    let mut warnings = desired.warnings.clone();
    warnings.extend(org.warnings.iter().cloned());
    warnings.extend(desired.read_warnings());
    warnings.extend(org.take_read_warnings());
    Ok(Report { exit: u8::from(report.has_differences()), result, text, guidance: String::new(), warnings })
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn paint(s: &str, code: &str, on: bool) -> String {
    if on {
        format!("{code}{s}{RESET}")
    } else {
        s.to_string()
    }
}

fn status_color(s: Status) -> &'static str {
    match s {
        Status::Added => GREEN,
        Status::Changed => YELLOW,
        Status::Unchanged => "",
        Status::Removed => RED,
    }
}

/// Counts only.
fn stat_text(report: &DiffReport) -> String {
    let s = &report.summary;
    format!("{} added, {} changed, {} unchanged, {} removed\n", s.added, s.changed, s.unchanged, s.removed)
}

/// The summary table, one line per component that differs, then the diffs.
fn render_text(report: &DiffReport, org: &Path, org_format: &str, color: bool) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(out, "sfgen diff against {} ({org_format} format)", org.display());
    let _ = writeln!(out);
    for (label, n, st) in [
        ("added", s.added, Status::Added),
        ("changed", s.changed, Status::Changed),
        ("unchanged", s.unchanged, Status::Unchanged),
        ("removed", s.removed, Status::Removed),
    ] {
        let cell = format!("{label:<10}");
        let cell = if n > 0 && st != Status::Unchanged { paint(&cell, status_color(st), color) } else { cell };
        let _ = writeln!(out, "  {cell} {n:>5}");
    }
    let differing: Vec<_> = report.components.iter().filter(|c| c.status != Status::Unchanged).collect();
    if differing.is_empty() {
        let _ = writeln!(out, "\nNo differences: the org holds what sfgen would deploy.");
        return out;
    }
    let _ = writeln!(out);
    // Names and diff lines are what the retrieve holds: shown through the one printable policy,
    // so a hostile file cannot drive the terminal or reorder what is shown (the coloured text is
    // printed as it is, escape sequences and all).
    let width = differing.iter().map(|c| c.key.type_name.len()).max().unwrap_or(0);
    for c in &differing {
        let label = paint(&format!("{:<9}", c.status.as_str()), status_color(c.status), color);
        let (ty, name) = (printable::field(&c.key.type_name), printable::field(&c.key.full_name));
        let _ = writeln!(out, "  {label} {ty:<width$}  {name}");
    }
    for c in differing.iter().filter(|c| c.diff.is_some()) {
        let _ = writeln!(out);
        let title = format!("changed {}", printable::field(&c.key.to_string()));
        let _ = writeln!(out, "{}", paint(&title, BOLD, color));
        for line in c.diff.as_deref().unwrap_or_default().lines() {
            let line = &printable::field(line);
            let painted = if !color {
                line.to_string()
            } else if line.starts_with("---") || line.starts_with("+++") {
                paint(line, BOLD, true)
            } else if line.starts_with('-') {
                paint(line, RED, true)
            } else if line.starts_with('+') {
                paint(line, GREEN, true)
            } else if line.starts_with("@@") {
                paint(line, CYAN, true)
            } else {
                line.to_string()
            };
            let _ = writeln!(out, "{painted}");
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::diff::{ComponentDiff, Summary};
    use crate::metadata::ComponentKey;

    fn report() -> DiffReport {
        DiffReport {
            components: vec![
                ComponentDiff { key: ComponentKey::new("ApexClass", "A"), status: Status::Added, diff: None },
                ComponentDiff {
                    key: ComponentKey::new("ApexClass", "B"),
                    status: Status::Changed,
                    diff: Some("--- org/classes/B.cls\n+++ sfgen/classes/B.cls\n@@ -1 +1 @@\n-x\n+y\n".into()),
                },
            ],
            summary: Summary { added: 1, changed: 1, unchanged: 0, removed: 0 },
        }
    }

    #[test]
    fn colour_is_only_added_when_asked() {
        let plain = render_text(&report(), Path::new("org.zip"), "mdapi", false);
        assert!(!plain.contains('\x1b'), "{plain}");
        assert!(plain.contains("\n-x\n+y\n"), "{plain}");
        let coloured = render_text(&report(), Path::new("org.zip"), "mdapi", true);
        assert!(coloured.contains(&format!("{RED}-x{RESET}")), "{coloured}");
        assert!(coloured.contains(&format!("{GREEN}+y{RESET}")), "{coloured}");
        assert!(coloured.contains(&format!("{CYAN}@@ -1 +1 @@{RESET}")), "{coloured}");
    }

    /// What a retrieve holds reaches the terminal escaped, coloured or not: every bidirectional
    /// control, C0/C1 control and line separator, in a diff line and in a component's name.
    #[test]
    fn diff_output_shows_bidi_and_control_characters_escaped_with_and_without_colour() {
        let mut hostile: Vec<char> = vec!['\u{61c}', '\u{200e}', '\u{200f}', '\u{2028}', '\u{2029}'];
        hostile.extend('\u{202a}'..='\u{202e}');
        hostile.extend('\u{2066}'..='\u{2069}');
        hostile.extend(['\u{0}', '\u{7}', '\u{1b}', '\r', '\u{7f}', '\u{85}', '\u{9b}']);
        let all: String = hostile.iter().collect();
        let mut r = report();
        r.components[1].key = ComponentKey::new("ApexClass", format!("B{all}"));
        r.components[1].diff =
            Some(format!("--- org/classes/B.cls\n+++ sfgen/classes/B.cls\n@@ -1 +1 @@\n-x{all}\n+y\n"));
        for color in [false, true] {
            let shown = render_text(&r, Path::new("org.zip"), "mdapi", color);
            // What is left once sfgen's own colour codes are taken out.
            let mut bare = shown.clone();
            for code in [RED, GREEN, YELLOW, CYAN, BOLD, RESET] {
                bare = bare.replace(code, "");
            }
            let raw: Vec<char> = bare.chars().filter(|c| *c != '\n' && printable::needs_escape(*c)).collect();
            assert!(raw.is_empty(), "colour {color}: {raw:?} reached the terminal raw:\n{shown}");
            assert!(bare.contains("\\u{202e}") && bare.contains("\\u{1b}"), "colour {color}: {bare}");
            assert_eq!(bare.matches("\\u{2066}").count(), 3, "the name twice, the diff line once: {bare}");
        }
    }
}
