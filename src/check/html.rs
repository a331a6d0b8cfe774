//! `sfgen check --html`: one self-contained page a reviewer opens (no external resource): the
//! verdict and the minimum, every finding, the coverage table (sortable by a click on a column
//! heading; numbers right-aligned) and, for every class or trigger with lines that are not proven
//! covered, those lines with three lines around them, each executable line coloured covered /
//! not covered / unknown (the rest folds into one line). Fully covered units are listed, not
//! printed, which keeps the page small.

use super::{CheckReport, Severity};
use crate::apex::coverage::{fmt_pct, fmt_range, UnitCoverage};
use crate::sf::xml::{escape_attr, escape_text};
// Names and paths go through the one escaping policy (`printable::one_line`): a raw bidirectional
// control or line separator from a file name never reaches the page.
use crate::printable::one_line;
use std::collections::BTreeSet;
use std::fmt::Write as _;

const CSS: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b}\
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em;margin:1.4em 0 .3em}\
.verdict{font-size:1.1em;padding:.5em .8em;border-radius:4px;display:inline-block}\
.pass{background:#d4f5d4}.fail{background:#f9d0d0}\
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}\
table td.n,table th.n{text-align:right;font-variant-numeric:tabular-nums}\
th{background:#f4f4f4;cursor:pointer;user-select:none}th.s-asc::after{content:' \\25B2'}th.s-desc::after{content:' \\25BC'}\
td.error{color:#a00;font-weight:600}td.warning{color:#8a6d00}\
.bar{display:inline-block;width:100px;height:.8em;background:#f2c2c2;vertical-align:middle}\
.bar i{display:inline-block;height:100%}.bar .c{background:#4caf50}.bar .u{background:#f0c419}\
.code{display:flex;border:1px solid #ddd;font:13px/1.35 ui-monospace,monospace;overflow-x:auto}\
.code pre{margin:0;padding:0 .5em}.code pre.g{color:#888;text-align:right;border-right:1px solid #ddd;user-select:none}\
.code pre span{display:inline-block;width:100%}\
.c{background:#d4f5d4}.n{background:#f9d0d0}.u{background:#fdf1c4}\
.f{color:#888;font-style:italic}.key span{padding:0 .5em;margin-right:.5em}";

/// Sorts a table by the clicked column (numbers by their `data-v`), ascending then descending.
const SCRIPT: &str = "document.querySelectorAll('table.sortable th').forEach((th,i)=>th.addEventListener('click',()=>{\
const t=th.closest('table'),b=t.tBodies[0],asc=!th.classList.contains('s-asc');\
t.querySelectorAll('th').forEach(h=>h.classList.remove('s-asc','s-desc'));th.classList.add(asc?'s-asc':'s-desc');\
const v=r=>{const c=r.cells[i];return c.dataset.v!==undefined?parseFloat(c.dataset.v):c.textContent.toLowerCase()};\
[...b.rows].sort((x,y)=>{const p=v(x),q=v(y);return (p<q?-1:p>q?1:0)*(asc?1:-1)}).forEach(r=>b.appendChild(r))}));";

fn bar(u: &UnitCoverage) -> String {
    let t = u.total_lines.max(1) as f64;
    format!(
        "<span class=\"bar\"><i class=\"c\" style=\"width:{:.0}%\"></i><i class=\"u\" style=\"width:{:.0}%\"></i></span>",
        u.covered_lines as f64 * 100.0 / t,
        u.unknown_lines as f64 * 100.0 / t
    )
}

fn anchor(u: &UnitCoverage) -> String {
    format!("{}-{}", u.type_name, u.name).replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
}

/// The HTML report of `report`; `source` gives a unit's text by its file.
pub fn render_html(report: &CheckReport, source: &dyn Fn(&str) -> Option<String>) -> String {
    let a = &report.analysis;
    let (c, unk, t) = a.totals();
    let (lo, hi) = a.overall_range();
    let (errors, warnings) = report.counts();
    let pass = errors == 0;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>sfgen check: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>sfgen check</h1>\n<p class=\"verdict {}\" id=\"verdict\"><b>{}</b>: {errors} error{}, {warnings} warning{}; Apex coverage estimated <b>{}%</b> within {} (minimum {}%{})</p>\n<p id=\"overall\">Overall: <b>{}%</b> estimated, within <b>{}</b>: {c} lines proven covered, {unk} unknown, {} proven not covered, of {t}. The estimate comes from static analysis, not a test run.</p>\n",
        if pass { "pass" } else { "fail" },
        if pass { "pass" } else { "fail" },
        if pass { "Passed" } else { "Failed" },
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
        fmt_pct(a.overall_percent()),
        escape_text(&fmt_range(lo, hi)),
        fmt_pct(report.min_coverage),
        if report.strict { ", --strict" } else { "" },
        fmt_pct(a.overall_percent()),
        escape_text(&fmt_range(lo, hi)),
        t - c - unk,
    );

    let _ = writeln!(
        out,
        "<h2 id=\"findings\">Findings ({errors} error{}, {warnings} warning{})</h2>",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    );
    if report.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n");
    } else {
        out.push_str("<table class=\"sortable\" id=\"findings-table\">\n<thead><tr><th>Severity</th><th>Rule</th><th>Component</th><th>File</th><th class=\"n\">Line</th><th>Message</th></tr></thead>\n<tbody>\n");
        for f in &report.findings {
            let sev = f.severity.as_str();
            let rank = u8::from(f.severity == Severity::Warning);
            let _ = writeln!(
                out,
                "<tr><td class=\"{sev}\" data-v=\"{rank}\">{sev}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{}\">{}</td><td>{}</td></tr>",
                escape_text(f.rule),
                escape_text(&one_line(&f.component)),
                escape_text(&one_line(f.file.as_deref().unwrap_or(""))),
                f.line.unwrap_or(0),
                f.line.map(|l| l.to_string()).unwrap_or_default(),
                escape_text(&f.message)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }

    out.push_str("<h2 id=\"coverage\">Coverage</h2>\n<p class=\"key\"><span class=\"c\">covered</span><span class=\"n\">not covered</span><span class=\"u\">unknown (a path through a value the estimate cannot tell)</span></p>\n");
    out.push_str("<table class=\"sum sortable\">\n<thead><tr><th>Type</th><th>Name</th><th class=\"n\">Estimate</th><th class=\"n\">Range</th><th class=\"n\">Covered</th><th class=\"n\">Unknown</th><th class=\"n\">Not covered</th><th class=\"n\">Lines</th><th></th></tr></thead>\n<tbody>\n");
    for u in &a.units {
        let not = u.total_lines - u.covered_lines - u.unknown_lines;
        let name = if not + u.unknown_lines > 0 {
            format!("<a href=\"#{}\">{}</a>", anchor(u), escape_text(&one_line(&u.name)))
        } else {
            escape_text(&one_line(&u.name))
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td title=\"{}\">{name}</td><td class=\"n\" data-v=\"{}\">{}%</td><td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{not}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            u.type_name,
            escape_attr(&one_line(&u.file)),
            u.percent,
            fmt_pct(u.percent),
            u.low,
            escape_text(&fmt_range(u.low, u.high)),
            u.covered_lines,
            u.unknown_lines,
            u.total_lines,
            bar(u)
        );
    }
    out.push_str("</tbody>\n</table>\n");

    for u in a.units.iter().filter(|u| u.covered_lines < u.total_lines) {
        let covered: BTreeSet<usize> = u.covered.iter().copied().collect();
        let not: BTreeSet<usize> = u.uncovered.iter().copied().collect();
        let unknown: BTreeSet<usize> = u.unknown.iter().copied().collect();
        let _ = write!(
            out,
            "<h3 id=\"{}\">{} {} — {}% within {} <small>{}</small></h3>\n<div class=\"code\"><pre class=\"g\">",
            anchor(u),
            u.type_name,
            escape_text(&one_line(&u.name)),
            fmt_pct(u.percent),
            escape_text(&fmt_range(u.low, u.high)),
            escape_text(&one_line(&u.file))
        );
        let text = source(&u.file).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        // Lines within CONTEXT of a line not proven covered are shown; longer runs of other
        // lines fold into one marker.
        const CONTEXT: usize = 3;
        let mut shown = vec![false; lines.len() + 1];
        for &l in not.iter().chain(unknown.iter()) {
            let (from, to) = (l.saturating_sub(CONTEXT).max(1), (l + CONTEXT).min(lines.len()));
            if from <= to {
                shown[from..=to].iter_mut().for_each(|s| *s = true);
            }
        }
        let (mut gutter, mut code) = (String::new(), String::new());
        let mut n = 1;
        while n <= lines.len() {
            if !shown[n] {
                let start = n;
                while n <= lines.len() && !shown[n] {
                    n += 1;
                }
                let _ = writeln!(gutter, "\u{22ee}");
                let _ = writeln!(
                    code,
                    "<span class=\"f\">\u{22ee} lines {start}\u{2013}{} ({} covered or not executable)</span>",
                    n - 1,
                    n - start
                );
                continue;
            }
            let line = lines[n - 1];
            let class = if not.contains(&n) {
                "n"
            } else if unknown.contains(&n) {
                "u"
            } else if covered.contains(&n) {
                "c"
            } else {
                ""
            };
            let _ = writeln!(gutter, "{n}");
            if class.is_empty() {
                let _ = writeln!(code, "{}", escape_text(line));
            } else {
                let _ = writeln!(code, "<span class=\"{class}\">{}</span>", escape_text(line));
            }
            n += 1;
        }
        out.push_str(&gutter);
        out.push_str("</pre><pre>");
        out.push_str(&code);
        out.push_str("</pre></div>\n");
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

/// The HTML coverage page of an analysis alone (no findings, minimum 75 %): the page
/// [`render_html`] writes for `sfgen check --html`, used where there are no
/// findings to show (`sfgen test --html`).
pub fn coverage_html(a: &crate::apex::coverage::Analysis, source: &dyn Fn(&str) -> Option<String>) -> String {
    let report = super::CheckReport { analysis: a.clone(), findings: Vec::new(), min_coverage: 75.0, strict: false };
    render_html(&report, source)
}
