//! Every `sf` command sfgen prints, for every fixture, run as printed through the real
//! Salesforce CLI (2.150.6, the one `../shared/tools/sf-conformance --install-only` installs
//! under `~/.cache/sf-conformance/npm`).
//!
//! The commands come from `generate` (source and mdapi), `package` and `diff --delta-out`
//! (mdapi folder, zip, sgd) of each guide fixture in each environment it has, the
//! nasty-strings fixture, and a generate into an existing project whose default package
//! directory is `src`. Each is pasted into `bash -c`, in the order printed, in the folder sfgen
//! ran in (the `sfgen` commands among them run too, except `sfgen diff` of a retrieve no org
//! made). `sf` there is a stub that records the folder and the words bash handed it; the
//! recorded commands are then run by the CLI itself, in one Node process
//! (`tests/support/sf-runner.mjs`: loading the CLI takes seconds, a command a fraction of one):
//!
//! - with no org authorised, the only error the CLI may give is the unknown org
//!   (`NamedOrgNotFoundError` for `ORG_ALIAS`): flags, values and their combinations parse;
//! - with `ORG_ALIAS` authorised as a fake org at `http://127.0.0.1:9`
//!   (`tests/support/fake-org.js`), the only error may be the connection (`fetch failed`), or
//!   for `deploy quick --use-most-recent` that no validation ran: the paths, manifests,
//!   `--metadata` names and the project (`sfdx-project.json` from the working directory)
//!   resolve as well.
//!
//! Slow tier (`#[ignore]`d; `.ci/run` runs them): without the CLI they are skipped, unless
//! required (`SFGEN_REQUIRE_SF=1`, `SFGEN_REQUIRE_ALL=1` or `CI`).

mod support;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{root, SfCli as Sf, Sfgen};

/// A printed command and the folder it is run from.
#[derive(Debug, Clone)]
struct Printed {
    cwd: PathBuf,
    command: String,
    /// Which run printed it, for messages.
    origin: String,
}

fn sfgen_json(cwd: &Path, args: &[&str]) -> serde_json::Value {
    let v = Sfgen::new().args(args).arg("--json").current_dir(cwd).run().json();
    let status = v["status"].as_i64().unwrap_or(-1);
    assert!(status == 0 || (args[0] == "diff" && status == 1), "sfgen {args:?} failed: {v:#}");
    v
}

/// Every command of a `result`: the next steps in order, then the deploy commands.
fn commands_of(result: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for step in result["nextSteps"].as_array().into_iter().flatten() {
        for c in step["commands"].as_array().into_iter().flatten() {
            out.push(c.as_str().expect("string").to_string());
        }
    }
    for r in [result, &result["delta"]] {
        for key in ["validateCommand", "quickDeployCommand", "deployCommand"] {
            if let Some(c) = r[key].as_str() {
                out.push(c.to_string());
            }
        }
    }
    out
}

/// Generates every fixture's artefacts under `work` and returns the commands printed for them,
/// without duplicates (per folder), in order.
fn printed_commands(work: &Path) -> Vec<Printed> {
    let mut all: Vec<Printed> = Vec::new();
    let mut add = |cwd: &Path, origin: String, cmds: Vec<String>| {
        for command in cmds {
            if !all.iter().any(|p| p.cwd == cwd && p.command == command) {
                all.push(Printed { cwd: cwd.to_path_buf(), command, origin: origin.clone() });
            }
        }
    };
    let fixtures = ["contact-webhook", "integration-user", "signed-webhook", "hostile/nasty-strings"];
    for fixture in fixtures {
        let dir = work.join(fixture.replace('/', "-"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let text = std::fs::read_to_string(root().join("fixtures").join(fixture).join("sfgen.json")).expect("config");
        std::fs::write(dir.join("sfgen.json"), &text).expect("write config");
        let cfg: serde_json::Value = serde_json::from_str(&text).expect("json");
        let mut envs: Vec<Option<String>> = vec![None];
        envs.extend(cfg["environments"].as_object().into_iter().flatten().map(|(k, _)| Some(k.clone())));
        for env in &envs {
            let suffix = env.as_deref().map(|e| format!("-{e}")).unwrap_or_default();
            let env_args: Vec<&str> = env.as_deref().map(|e| vec!["--env", e]).unwrap_or_default();
            for (kind, args) in [
                ("source", vec!["generate", "--format", "source", "--out"]),
                ("mdapi", vec!["generate", "--format", "mdapi", "--out"]),
                ("zip", vec!["package", "--out"]),
            ] {
                let out = if kind == "zip" { format!("deploy{suffix}.zip") } else { format!("{kind}{suffix}") };
                let mut a = args.clone();
                a.push(&out);
                a.extend(&env_args);
                let v = sfgen_json(&dir, &a);
                add(&dir, format!("{fixture} {}", a.join(" ")), commands_of(&v["result"]));
            }
        }
    }

    // Into an existing project whose default package directory is src.
    let proj = work.join("existing-project");
    std::fs::create_dir_all(&proj).expect("mkdir");
    std::fs::write(
        proj.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"other"},{"path":"src","default":true}],"sourceApiVersion":"62.0"}"#,
    )
    .expect("write");
    std::fs::create_dir_all(proj.join("other")).expect("mkdir");
    let cfg = root().join("fixtures/contact-webhook/sfgen.json");
    let v = sfgen_json(work, &["generate", "-c", cfg.to_str().expect("utf8"), "--out", "existing-project"]);
    assert_eq!(v["result"]["packageDirectory"], "src", "{v:#}");
    assert!(proj.join("src/main/default/classes/Webhook.cls").is_file());
    add(work, "generate into an existing project".into(), commands_of(&v["result"]));

    // With a project included (its own @isTest classes join RunSpecifiedTests), and without a
    // config at all (the org kind unknown).
    let dir = work.join("realistic");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let project = root().join("fixtures/realistic-project");
    let project = project.to_str().expect("utf8");
    let cfg = root().join("fixtures/contact-webhook/sfgen.json");
    for args in [
        vec!["package", "-c", cfg.to_str().expect("utf8"), "--include", project, "--out", "with-project.zip"],
        vec!["package", "--no-generate", "--include", project, "--out", "project-only.zip"],
    ] {
        let v = sfgen_json(&dir, &args);
        add(&dir, args.join(" "), commands_of(&v["result"]));
    }

    // Deltas against the org snapshots, in each layout.
    for case in ["contact-webhook", "integration-user"] {
        let dir = work.join(format!("delta-{case}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let cfg = root().join("fixtures").join(case).join("sfgen.json");
        let org = root().join("fixtures/diff").join(case).join("retrieve/unpackaged.zip");
        for extra in [
            vec!["-d", "delta"],
            vec!["-d", "delta.zip", "--destructive-when", "post"],
            vec!["-d", "sgd", "--layout", "sgd", "--destructive-when", "post"],
        ] {
            let mut a =
                vec!["diff", "-c", cfg.to_str().expect("utf8"), "--org", org.to_str().expect("utf8"), "--prune"];
            a.extend(&extra);
            let v = sfgen_json(&dir, &a);
            assert!(v["result"]["delta"]["deployCommand"].is_string(), "{v:#}");
            add(&dir, format!("diff {case} {}", extra.join(" ")), commands_of(&v["result"]));
        }
    }
    all
}

/// A folder with `sf` (a stub recording, NUL-separated, the working folder and the words it
/// was given into `record`) and `sfgen`.
fn bin_dir(at: &Path, record: &Path) -> PathBuf {
    let bin = at.join("bin");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\0' \"$PWD\" \"$#\" \"$@\" >> '{}'\nexit 3\n",
        record.to_string_lossy().replace('\'', "'\\''")
    );
    support::executable(&bin, "sf", &script);
    std::os::unix::fs::symlink(support::bin(), bin.join("sfgen")).expect("link sfgen");
    bin
}

/// One `sf` invocation as bash made it.
#[derive(Debug, Clone, serde::Serialize)]
struct Job {
    cwd: String,
    argv: Vec<String>,
    #[serde(skip)]
    printed: String,
    #[serde(skip)]
    origin: String,
}

/// Pastes every printed command into bash (with the recording `sf`); returns what `sf` was
/// asked to do, one job per printed `sf` command.
fn paste_all(tmp: &Path) -> Vec<Job> {
    let work = tmp.join("work");
    let printed = printed_commands(&work);
    let record = tmp.join("sf-record");
    let bin = bin_dir(tmp, &record);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    for p in &printed {
        if p.command.starts_with("sfgen diff") {
            continue; // compares a retrieve that needs a real org
        }
        let _ = std::fs::remove_file(&record);
        let o = Command::new("bash")
            .arg("-c")
            .arg(&p.command)
            .current_dir(&p.cwd)
            .env("PATH", &path)
            .env_remove("SF_TARGET_ORG")
            .output()
            .expect("bash runs");
        let is_sf = p.command.starts_with("sf ") || p.command.contains("&& sf ") || p.command.contains("| sf ");
        let words: Vec<String> = std::fs::read(&record)
            .map(|b| String::from_utf8_lossy(&b).split('\0').map(str::to_string).collect())
            .unwrap_or_default();
        match (is_sf, o.status.code()) {
            (false, Some(0)) if words.is_empty() => {}
            (true, Some(3)) => {
                let n: usize = words.get(1).and_then(|n| n.parse().ok()).unwrap_or(0);
                // cwd, argc, the words, and the empty string after the last NUL.
                if words.len() != n + 3 {
                    problems.push(format!("`{}`: sf ran more than once or not at all: {words:?}", p.command));
                    continue;
                }
                jobs.push(Job {
                    cwd: words[0].clone(),
                    argv: words[2..2 + n].to_vec(),
                    printed: p.command.clone(),
                    origin: p.origin.clone(),
                });
            }
            _ => problems.push(format!(
                "`{}` (from {}) did not run as printed ({:?}):\n{}{}",
                p.command,
                p.origin,
                o.status.code(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(jobs.len() >= 40, "only {} sf commands were printed", jobs.len());
    jobs
}

/// What the CLI made of one job.
#[derive(Debug, serde::Deserialize)]
struct Verdict {
    error: Option<CliError>,
    output: String,
}

#[derive(Debug, serde::Deserialize)]
struct CliError {
    name: String,
    message: String,
}

/// Runs `jobs` through the CLI with `home` as its home folder.
fn run_cli(sf: &Sf, tmp: &Path, home: &Path, jobs: &[Job]) -> Vec<Verdict> {
    let input = tmp.join("jobs.json");
    let output = tmp.join("verdicts.json");
    std::fs::write(&input, serde_json::to_vec(jobs).expect("json")).expect("write jobs");
    let o = Command::new(&sf.node)
        .arg(root().join("tests/support/sf-runner.mjs"))
        .arg(&input)
        .arg(&output)
        .env("SF_CLI_ROOT", sf.node_modules.join("@salesforce/cli"))
        .env("HOME", home)
        .env_remove("SF_TARGET_ORG")
        .env_remove("SF_TARGET_DEV_HUB")
        .envs([
            ("SF_DISABLE_TELEMETRY", "true"),
            ("SF_AUTOUPDATE_DISABLE", "true"),
            ("SF_HIDE_RELEASE_NOTES", "true"),
            ("SF_SKIP_NEW_VERSION_CHECK", "true"),
            ("SF_USE_PROGRESS_BAR", "false"),
            ("SF_DISABLE_AUTOUPDATE", "true"),
            ("SFDX_DISABLE_TELEMETRY", "true"),
            ("SF_LOG_LEVEL", "fatal"),
            ("NO_COLOR", "1"),
            ("FORCE_COLOR", "0"),
        ])
        .output()
        .expect("node runs");
    assert!(
        o.status.success(),
        "the CLI runner failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let verdicts: Vec<Verdict> =
        serde_json::from_slice(&std::fs::read(&output).expect("verdicts")).expect("verdicts json");
    assert_eq!(verdicts.len(), jobs.len());
    verdicts
}

/// Judges every verdict; `fine` says whether an error is the expected one.
fn judge(jobs: &[Job], verdicts: &[Verdict], fine: &dyn Fn(&Job, &CliError) -> bool) {
    let mut problems = Vec::new();
    for (job, v) in jobs.iter().zip(verdicts) {
        match &v.error {
            None => problems.push(format!(
                "`{}` (from {}) succeeded without a reachable org:\n{}",
                job.printed, job.origin, v.output
            )),
            Some(e) if fine(job, e) => {}
            Some(e) => problems
                .push(format!("`{}` (from {}): {}: {}\n{}", job.printed, job.origin, e.name, e.message, v.output)),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} printed sf commands failed:\n\n{}",
        problems.len(),
        jobs.len(),
        problems.join("\n")
    );
}

#[test]
#[ignore = "slow tier: needs the Salesforce CLI (../shared/tools/sf-conformance --install-only); .ci/run runs it"]
fn every_printed_sf_command_parses_and_fails_only_on_the_unknown_org() {
    let Some(sf) = Sf::require() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let jobs = paste_all(tmp.path());
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("mkdir");
    let verdicts = run_cli(&sf, tmp.path(), &home, &jobs);
    judge(&jobs, &verdicts, &|_, e| {
        e.name == "NamedOrgNotFoundError" && e.message.contains("No authorization information found for ORG_ALIAS")
    });
}

/// Authorises `ORG_ALIAS` in `home` as an org at a closed local port.
fn fake_org(sf: &Sf, home: &Path) {
    let o = Command::new(&sf.node)
        .arg(root().join("tests/support/fake-org.js"))
        .env("HOME", home)
        .env("SF_NODE_MODULES", &sf.node_modules)
        .env("SF_DISABLE_TELEMETRY", "true")
        .output()
        .expect("node runs");
    assert!(o.status.success(), "could not authorise the fake org: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
#[ignore = "slow tier: needs the Salesforce CLI (../shared/tools/sf-conformance --install-only); .ci/run runs it"]
fn with_an_org_every_printed_sf_command_resolves_its_project_and_files() {
    let Some(sf) = Sf::require() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let jobs = paste_all(tmp.path());
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("mkdir");
    fake_org(&sf, &home);
    let verdicts = run_cli(&sf, tmp.path(), &home, &jobs);
    judge(&jobs, &verdicts, &|job, e| {
        e.message.contains("fetch failed")
            || e.message.contains("ECONNREFUSED")
            || (job.argv.starts_with(&["project".into(), "deploy".into(), "quick".into()])
                && e.name == "NoRecentJobIdError")
    });
}
