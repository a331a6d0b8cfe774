//! docs/ci.md's pipelines work when copied: every `sfgen` command in them runs on the config
//! `sfgen init` writes (no environment added), every `run:` block and GitLab script passes
//! `bash -n`, every `cargo install` flag exists and pins by tag or commit, the JUnit report job
//! may write checks, and with the Salesforce CLI installed the validate step runs as written
//! against the package step's JSON (failing only on the unknown org `ci-org`) and every `sf`
//! command in the recipes parses.

mod support;
use std::process::Command;
use support::{path_with, root, SfCli, TempProject};

fn doc() -> String {
    std::fs::read_to_string(root().join("docs/ci.md")).expect("docs/ci.md")
}

/// The YAML code blocks of the document.
fn yaml_blocks(doc: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```yaml") => current = Some(String::new()),
            (Some(b), l) if l.starts_with("```") => {
                blocks.push(std::mem::take(b));
                current = None;
            }
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A shell snippet of a recipe: a `run:` value or a GitLab `script:` item, with the
/// `${{ ... }}` expressions of GitHub Actions replaced by a plain word.
#[derive(Debug)]
struct Snippet {
    /// The step's `name:` (or the script's job), for messages.
    name: String,
    script: String,
}

fn snippets(yaml: &str) -> Vec<Snippet> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut out = Vec::new();
    let mut name = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start().trim_start_matches("- ");
        if let Some(n) = t.strip_prefix("name: ") {
            name = n.to_string();
        }
        if let Some(rest) = t.strip_prefix("run:") {
            let rest = rest.trim();
            if rest == "|" {
                let base = indent(line);
                let mut script = String::new();
                i += 1;
                while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > base) {
                    script.push_str(lines[i].trim_start());
                    script.push('\n');
                    i += 1;
                }
                out.push(Snippet { name: name.clone(), script });
                continue;
            }
            out.push(Snippet { name: name.clone(), script: format!("{rest}\n") });
        } else if t == "script:" {
            let base = indent(line);
            i += 1;
            while i < lines.len() && indent(lines[i]) > base && lines[i].trim_start().starts_with("- ") {
                let cmd = lines[i].trim_start().trim_start_matches("- ");
                out.push(Snippet { name: "gitlab script".into(), script: format!("{cmd}\n") });
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    for s in &mut out {
        while let Some(start) = s.script.find("${{") {
            let end = s.script[start..].find("}}").map(|e| start + e + 2).unwrap_or(s.script.len());
            s.script.replace_range(start..end, "GITHUB_EXPRESSION");
        }
    }
    out
}

fn all_snippets() -> Vec<Snippet> {
    let doc = doc();
    let blocks = yaml_blocks(&doc);
    assert!(blocks.len() >= 3, "docs/ci.md lost its YAML recipes");
    blocks.iter().flat_map(|b| snippets(b)).collect()
}

/// A folder holding what `sfgen init` writes, as a user's repository would.
fn repo() -> TempProject {
    let tmp = TempProject::new();
    tmp.cmd().arg("init").status(0).run();
    tmp
}

#[test]
fn every_sfgen_command_in_the_ci_recipes_runs_on_the_config_sfgen_init_writes() {
    let lines: Vec<String> = all_snippets()
        .iter()
        .flat_map(|s| s.script.lines().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| l.starts_with("sfgen ") || l.starts_with("mkdir "))
        .collect();
    let sfgen_lines = lines.iter().filter(|l| l.starts_with("sfgen ")).count();
    assert!(sfgen_lines >= 4, "the recipes lost their sfgen commands: {lines:?}");
    let tmp = repo();
    for cmd in &lines {
        let o = Command::new("bash")
            .arg("-c")
            .arg(cmd)
            .current_dir(tmp.path())
            .env("PATH", path_with(&[]))
            .env_remove("SF_TARGET_ORG")
            .output()
            .expect("bash");
        assert!(
            o.status.success(),
            "`{cmd}` failed:\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(tmp.path().join("target/sfgen-check.xml").exists());
    assert!(tmp.path().join("target/deploy.zip").exists());
    let pkg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("target/package.json")).expect("json"))
            .expect("envelope");
    assert_eq!(pkg["status"], 0);
    let validate = pkg["result"]["validateCommand"].as_str().expect("validateCommand");
    assert!(validate.starts_with("sf project deploy validate --metadata-dir target/deploy.zip"), "{validate}");
    assert!(validate.ends_with("--target-org ci-org"), "{validate}");
    assert!(!doc().contains("--env production"), "sfgen init's config has no production environment");
}

#[test]
fn every_shell_snippet_of_the_recipes_passes_bash_n() {
    let snippets = all_snippets();
    assert!(snippets.len() >= 12, "{snippets:?}");
    for s in &snippets {
        let o = Command::new("bash").arg("-n").arg("-c").arg(&s.script).output().expect("bash");
        assert!(
            o.status.success(),
            "step {:?} is not valid shell:\n{}\n{}",
            s.name,
            s.script,
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn cargo_install_lines_pin_by_tag_or_commit_with_flags_cargo_has() {
    let help = Command::new("cargo").args(["install", "--help"]).output().expect("cargo install --help");
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let doc = doc();
    let installs: Vec<&str> =
        doc.lines().filter_map(|l| l.find("cargo install").map(|i| &l[i..])).filter(|l| l.contains("--git")).collect();
    assert!(installs.len() >= 2, "{installs:?}");
    for line in installs {
        let line = line.split('`').next().unwrap_or(line);
        assert!(line.contains("--tag ") || line.contains("--rev "), "not pinned: {line}");
        assert!(!line.contains("--branch"), "--branch takes neither a tag nor a commit: {line}");
        for flag in line.split_whitespace().filter(|w| w.starts_with("--")) {
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "cargo install has no {flag}"
            );
        }
    }
}

#[test]
fn the_junit_report_job_may_write_checks() {
    let doc = doc();
    let github = &yaml_blocks(&doc)[0];
    let job_start = github.find("\n  sfgen:\n").expect("the sfgen job");
    let job_end = github[job_start + 1..].find("\n  deploy:\n").map(|e| job_start + 1 + e).unwrap_or(github.len());
    let job = &github[job_start..job_end];
    assert!(job.contains("mikepenz/action-junit-report"), "{job}");
    let perms = job.find("    permissions:\n").expect("job permissions");
    let block: String = job[perms..].lines().skip(1).take_while(|l| indent(l) > 4).collect::<Vec<_>>().join("\n");
    assert!(block.contains("checks: write"), "{block}");
    assert!(block.contains("contents: read"), "checkout needs contents: read once permissions are set: {block}");
}

#[test]
#[ignore = "slow tier: needs the Salesforce CLI (../shared/tools/sf-conformance --install-only); .ci/run runs it"]
fn with_the_salesforce_cli_the_deploy_steps_run_as_written() {
    let Some(sf) = SfCli::require() else { return };
    let tmp = repo();
    let bin = tmp.path().join(".bin");
    sf.write_launcher(&bin);
    let home = tmp.path().join(".home");
    std::fs::create_dir_all(&home).expect("mkdir");
    let snippets = all_snippets();
    let run = |script: &str, env: &[(&str, &str)]| {
        // GitHub Actions runs a `run:` block with `bash -e`.
        let o = Command::new("bash")
            .arg("-e")
            .arg("-c")
            .arg(script)
            .current_dir(tmp.path())
            .env("PATH", path_with(&[&bin]))
            .env("HOME", &home)
            .env("RUNNER_TEMP", tmp.path())
            .envs(env.iter().copied())
            .env_remove("SF_TARGET_ORG")
            .output()
            .expect("bash");
        (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
    };
    // The sfgen job, then the deploy job's steps as written.
    for s in snippets.iter().take_while(|s| s.name != "Install the Salesforce CLI") {
        if s.script.starts_with("sfgen ") || s.script.starts_with("mkdir ") {
            let (ok, out) = run(&s.script, &[]);
            assert!(ok, "{}: {out}", s.name);
        }
    }
    let step = |name: &str| {
        snippets.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no step {name:?}")).script.clone()
    };
    let unknown_org = "No authorization information found for ci-org";

    // Validate: sfgen's command from the package JSON, run by eval, reaches sf and fails only
    // on the org (flags, test level and the zip path are accepted).
    let (ok, out) = run(&step("Validate (runs the tests, changes nothing)"), &[]);
    assert!(!ok, "validated without an org: {out}");
    let json = std::fs::read_to_string(tmp.path().join("target/validate.json")).unwrap_or_default();
    assert!(json.contains(unknown_org), "{out}{json}");

    // Quick deploy with the job id the validation would have written.
    std::fs::write(tmp.path().join("target/job-id"), "0Af000000000001AAA\n").expect("write");
    let (ok, out) = run(&step("Quick deploy the validated job"), &[]);
    assert!(!ok && out.contains(unknown_org), "{out}");

    // The JWT login parses (it fails on the key, which is not one).
    let (ok, out) = run(
        &step("Log in (JWT bearer flow)"),
        &[("SF_JWT_KEY", "not a key"), ("SF_CLIENT_ID", "3MVG9test"), ("SF_USERNAME", "ci@example.com")],
    );
    assert!(!ok, "{out}");
    for parse_error in ["Nonexistent flag", "Unexpected argument", "Missing required flag", "Expected --"] {
        assert!(!out.contains(parse_error), "the login step does not parse: {out}");
    }
    assert!(!tmp.path().join("server.key").exists(), "the key file outlived a failed login: {out}");
}
