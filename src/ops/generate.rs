//! `sfgen generate`: config → every artefact, written as an SFDX project or an mdapi folder.

use crate::cli::{Format, GenerateArgs};
use crate::error::Result;
use crate::output;
use crate::render;
use crate::Outcome;
use std::fmt::Write as _;

/// Runs `sfgen generate`.
pub fn run(args: &GenerateArgs) -> Result<Outcome> {
    let (_, project) = super::load_project(&args.config)?;
    let tree = render::render(&project);
    let version = project.api_version.to_string();
    let mut files = match args.format {
        Format::Mdapi => output::mdapi_files(&tree, &version),
        Format::Source => output::source_files(&tree, &version)?,
    };
    // sfdx-project.json belongs to the user once it exists.
    let keep_project_json = args.format == Format::Source && args.out.join("sfdx-project.json").exists();
    if keep_project_json {
        files.retain(|(p, _)| p != "sfdx-project.json");
    }
    let written = output::write_all(&args.out, &files)?;

    let mut text = String::new();
    let _ = writeln!(
        text,
        "Generated {} components ({} files) in {} ({} format, API {version}{})",
        tree.len(),
        written.len(),
        args.out.display(),
        match args.format {
            Format::Source => "source",
            Format::Mdapi => "mdapi",
        },
        project.env.as_ref().map(|e| format!(", environment {e}")).unwrap_or_default(),
    );
    for (ty, members) in tree.members_by_type() {
        let _ = writeln!(text, "  {ty:<18} {}", members.join(", "));
    }
    if keep_project_json {
        let _ = writeln!(text, "  (kept the existing sfdx-project.json)");
    }
    let steps = super::next_steps::next_steps(
        &project,
        super::next_steps::Artefact::Folder { path: &args.out, format: args.format },
    );
    let result = serde_json::json!({
        "outDir": args.out,
        "format": match args.format { Format::Source => "source", Format::Mdapi => "mdapi" },
        "apiVersion": version,
        "configHash": project.config_hash,
        "environment": project.env,
        "components": tree.iter().map(|c| &c.key).collect::<Vec<_>>(),
        "files": written.iter().map(|p| p.strip_prefix(&args.out).unwrap_or(p).to_string_lossy().replace('\\', "/")).collect::<Vec<_>>(),
        "testClasses": project.test_classes(),
        "nextSteps": steps,
    });
    Ok(Outcome {
        exit: 0,
        result,
        text,
        guidance: super::next_steps::render_text(&steps),
        warnings: super::warning_lines(&project),
    })
}
