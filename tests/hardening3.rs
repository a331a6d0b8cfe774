//! Issue 24 (hardening, third round): one regression test per finding, each named after it
//! (`finding_NN_...`), run against the real binary. Each reproduces the attack the red team
//! used and fails on the binary before the fix.
//!
//! Every run has a deadline: a run that has not finished in time is a hang (killed, and the test
//! fails), which is how the FIFO findings show.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sha2::Digest as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONFIG: &str = "fixtures/contact-webhook/sfgen.json";
const OTHER_CONFIG: &str = "fixtures/integration-user/sfgen.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs sfgen in `cwd` with `env`; a run still going after `limit` is killed and fails the test
/// as a hang.
fn sfgen_in(cwd: &Path, args: &[&str], env: &[(&str, &str)], limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sfgen"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SF_TARGET_ORG")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sfgen {args:?} hangs (still running after {limit:?})");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = child.wait().unwrap();
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
    }
}

fn sfgen_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    sfgen_in(&root(), args, env, Duration::from_secs(120))
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success(), "mkfifo {}", path.display());
}

/// Gives `path` to the unprivileged user `nobody` (uid 65534); `false` when this process may not
/// (it is not root), and the caller skips that part, saying so.
fn chown_nobody(path: &Path) -> bool {
    let ok = std::os::unix::fs::lchown(path, Some(65534), Some(65534)).is_ok();
    if !ok {
        eprintln!("skipped: giving {} to another user needs root", path.display());
    }
    ok
}

/// Every file under `dir` (relative POSIX path → bytes), stage folders left out.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
        if rel.split('/').any(|seg| seg.starts_with(".sfgen-")) {
            continue;
        }
        files.insert(rel, std::fs::read(e.path()).unwrap());
    }
    files
}

// ------------------------------------------------------------------------------------------ 1

/// Where sfgen keeps its record of the output folder `out` (as `src/write` names it: the first 32
/// hex digits of the SHA-256 of the folder's absolute path).
fn record_path(state: &Path, out: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(out).unwrap();
    let key = sha256_hex(abs.to_string_lossy().as_bytes());
    state.join("outputs").join(format!("{}.json", &key[..32]))
}

/// Finding 1: a record in the state folder listing `../victim.txt`, an absolute path,
/// `force-app/../../x` or a path through a folder the user replaced with a link made `generate`
/// delete those files (and their emptied parents) silently. Entries that are not paths inside the
/// folder are ignored with a warning, nothing is removed through a link, and what is removed is
/// reported.
#[test]
fn finding_01_state_record_cannot_remove_files_outside_the_output_or_through_links() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let state = w.join("state");
    let out = w.join("out");
    let victim = w.join("victim.txt");
    std::fs::write(&victim, "victim").unwrap();
    write(w, "elsewhere/victim.txt", b"victim");
    write(w, "outside/x.txt", b"outside");
    let env = [("SFGEN_STATE_DIR", state.to_str().unwrap())];
    let r = sfgen_env(&["generate", "-c", CONFIG, "--out", &s(&out)], &env);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // The user's own files in the output folder: a note, and a link to a folder outside.
    write(&out, "NOTES.md", b"mine");
    std::os::unix::fs::symlink(w.join("outside"), out.join("linked")).unwrap();
    // A file sfgen wrote before and generates no more, in a folder of its own.
    write(&out, "old/gone.txt", b"gone");
    let rec = record_path(&state, &out);
    let mut record: serde_json::Value = serde_json::from_slice(&std::fs::read(&rec).unwrap()).unwrap();
    let files = record["files"].as_object_mut().unwrap();
    let h = sha256_hex(b"victim");
    files.insert("../victim.txt".into(), h.clone().into());
    files.insert(s(&w.join("elsewhere/victim.txt")), h.clone().into());
    files.insert("force-app/../../victim.txt".into(), h.into());
    files.insert("linked/x.txt".into(), sha256_hex(b"outside").into());
    files.insert("old/gone.txt".into(), sha256_hex(b"gone").into());
    std::fs::write(&rec, serde_json::to_vec(&record).unwrap()).unwrap();

    let r = sfgen_env(&["generate", "-c", CONFIG, "--out", &s(&out)], &env);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut failures = Vec::new();
    for (what, p) in [
        ("../victim.txt", victim.clone()),
        ("an absolute path", w.join("elsewhere/victim.txt")),
        ("the link's target", w.join("outside/x.txt")),
        ("the user's note", out.join("NOTES.md")),
    ] {
        if !p.is_file() {
            failures.push(format!("{what} ({}) was removed", p.display()));
        }
    }
    if std::fs::symlink_metadata(out.join("linked")).is_err() {
        failures.push("the user's link was removed".into());
    }
    for bad in ["../victim.txt", "force-app/../../victim.txt"] {
        if !r.stderr.contains(bad) || !r.stderr.contains("not a path inside the folder") {
            failures.push(format!("no warning names the record's entry {bad:?}: {}", r.stderr));
        }
    }
    // The one legitimate removal happened, with its emptied folder, and is reported.
    if out.join("old").exists() {
        failures.push("old/gone.txt (sfgen's, unchanged) was not removed".into());
    }
    if !r.stdout.contains("Removed 1 file") || !r.stdout.contains("gone.txt") {
        failures.push(format!("the removal is not reported: {}", r.stdout));
    }
    let j = sfgen_env(&["--json", "generate", "-c", CONFIG, "--out", &s(&out)], &env);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    if v["result"]["removed"] != serde_json::json!([]) {
        failures.push(format!("--json has no empty removed list on a run removing nothing: {}", j.stdout));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Finding 1: a record another user owns (a shared state folder) is not trusted at all.
#[test]
fn finding_01_a_record_another_user_owns_is_ignored() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let state = w.join("state");
    let out = w.join("out");
    let env = [("SFGEN_STATE_DIR", state.to_str().unwrap())];
    let r = sfgen_env(&["generate", "-c", CONFIG, "--out", &s(&out)], &env);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    write(&out, "NOTES.md", b"mine");
    let rec = record_path(&state, &out);
    let mut record: serde_json::Value = serde_json::from_slice(&std::fs::read(&rec).unwrap()).unwrap();
    record["files"].as_object_mut().unwrap().insert("NOTES.md".into(), sha256_hex(b"mine").into());
    std::fs::write(&rec, serde_json::to_vec(&record).unwrap()).unwrap();
    if !chown_nobody(&rec) {
        return;
    }
    let r = sfgen_env(&["generate", "-c", CONFIG, "--out", &s(&out)], &env);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(out.join("NOTES.md").is_file(), "a record another user wrote removed the user's file");
    assert!(r.stderr.contains("another user owns it"), "{}", r.stderr);
}

// ------------------------------------------------------------------------------------------ 2

/// A valid config to plant.
fn config_text() -> Vec<u8> {
    std::fs::read(root().join(CONFIG)).unwrap()
}

/// Finding 2: the walk for `sfgen.json` stops at HOME: a config above it is never used.
#[test]
fn finding_02_config_above_home_is_not_used() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::write(w.join("sfgen.json"), config_text()).unwrap();
    let home = w.join("home");
    let cwd = home.join("proj/sub");
    std::fs::create_dir_all(&cwd).unwrap();
    let r = sfgen_in(&cwd, &["generate", "--out", "out"], &[("HOME", home.to_str().unwrap())], Duration::from_secs(60));
    assert_eq!(r.code, Some(2), "a config above HOME was used: {}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("home folder"), "{}", r.stderr);
    assert!(!cwd.join("out").exists());
}

/// Finding 2: a shared parent folder another user owns (the system's temp folder) is an
/// ownership boundary: a config planted there is not found; and a config another user owns is
/// refused even inside a folder of one's own, unless named with `-c`.
#[test]
fn finding_02_config_planted_by_another_user_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let home = w.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let env = [("HOME", home.to_str().unwrap())];
    // A shared folder (another user's, world-writable and sticky like /tmp) holding a config.
    let shared = w.join("shared");
    let cwd = shared.join("a/b");
    std::fs::create_dir_all(&cwd).unwrap();
    std::fs::write(shared.join("sfgen.json"), config_text()).unwrap();
    if !chown_nobody(&shared) || !chown_nobody(&shared.join("sfgen.json")) {
        return;
    }
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let r = sfgen_in(&cwd, &["generate", "--out", "out"], &env, Duration::from_secs(60));
    assert_eq!(r.code, Some(2), "a config in another user's folder was used: {}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("another user"), "{}", r.stderr);
    assert!(!cwd.join("out").exists());
    // The same config planted in a folder of one's own (by its owner, another user).
    let mine = w.join("mine");
    let sub = mine.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(mine.join("sfgen.json"), config_text()).unwrap();
    assert!(chown_nobody(&mine.join("sfgen.json")));
    let r = sfgen_in(&sub, &["generate", "--out", "out"], &env, Duration::from_secs(60));
    assert_eq!(r.code, Some(2), "a config another user owns was used: {}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("another user (uid 65534) owns") && r.stderr.contains("-c ../sfgen.json"),
        "{}",
        r.stderr
    );
    assert!(!sub.join("out").exists());
    // Named with -c, it is the user's choice.
    let r = sfgen_in(&sub, &["generate", "-c", "../sfgen.json", "--out", "out"], &env, Duration::from_secs(60));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

/// Finding 2 (and issue 21 item 11): a config found in a parent folder is named at once, with its
/// full path, not only in a later next step.
#[test]
fn finding_02_config_found_in_a_parent_folder_is_named() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let proj = w.join("proj");
    let sub = proj.join("force-app/main");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(proj.join("sfgen.json"), config_text()).unwrap();
    let env = [("HOME", w.to_str().unwrap())];
    let r = sfgen_in(&sub, &["generate", "--out", "out"], &env, Duration::from_secs(60));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let abs = std::fs::canonicalize(proj.join("sfgen.json")).unwrap();
    assert!(
        r.stderr.starts_with("warning: ../../sfgen.json: using this config (") && r.stderr.contains(&s(&abs)),
        "{}",
        r.stderr
    );
    let r = sfgen_in(&sub, &["--json", "check"], &env, Duration::from_secs(60));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["warnings"].to_string().contains("found in a parent folder"), "{}", r.stdout);
}

// ------------------------------------------------------------------------------------------ 6

/// Finding 6: a starting run's sweep removed another live run's stage folder (`cannot write
/// a.zip: No such file or directory`, 1 to 4 of 15 runs). Many runs writing zips into one folder
/// at once all succeed.
#[test]
fn finding_06_concurrent_runs_never_remove_each_others_stage() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("zips");
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for round in 0..3 {
        let children: Vec<_> = (0..16)
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_sfgen"))
                    .args(["package", "--no-check", "-c", CONFIG, "--out"])
                    .arg(dir.join(format!("a{i}.zip")))
                    .current_dir(root())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (i, c) in children.into_iter().enumerate() {
            let o = c.wait_with_output().unwrap();
            if !o.status.success() {
                failures.push(format!("round {round}, run {i}: {}", String::from_utf8_lossy(&o.stderr)));
            }
        }
    }
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sfgen-"))
        .collect();
    assert!(failures.is_empty(), "{} runs failed:\n{}", failures.len(), failures.join("\n"));
    assert!(left.is_empty(), "stage folders left: {left:?}");
}

/// Finding 6: two runs into one fresh `--out` gave a tree mixing both (both exit 0). Runs of two
/// different configs into one folder at once end with one complete result (or a clear refusal).
#[test]
fn finding_06_concurrent_generates_into_one_folder_leave_one_complete_result() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let state = w.join("state");
    let env = [("SFGEN_STATE_DIR", state.to_str().unwrap())];
    let configs = [CONFIG, OTHER_CONFIG];
    let mut reference = Vec::new();
    for (i, c) in configs.iter().enumerate() {
        let dir = w.join(format!("ref{i}"));
        let r = sfgen_env(&["generate", "--no-check", "--format", "mdapi", "-c", c, "--out", &s(&dir)], &env);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        reference.push(tree(&dir));
    }
    assert_ne!(reference[0], reference[1]);
    let mut failures = Vec::new();
    for round in 0..8 {
        let out = w.join(format!("out{round}"));
        let children: Vec<_> = (0..4)
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_sfgen"))
                    .args(["generate", "--no-check", "--format", "mdapi", "-c", configs[i % 2], "--out"])
                    .arg(&out)
                    .env("SFGEN_STATE_DIR", &state)
                    .current_dir(root())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (i, c) in children.into_iter().enumerate() {
            let o = c.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            if !o.status.success() && !err.contains("another sfgen run is writing into") {
                failures
                    .push(format!("round {round}, run {i}: exit {:?} without a clear refusal: {err}", o.status.code()));
            }
        }
        let got = tree(&out);
        if got != reference[0] && got != reference[1] {
            let extra0: Vec<_> = got.keys().filter(|k| !reference[0].contains_key(*k)).collect();
            failures.push(format!(
                "round {round}: the folder is neither complete result ({} files; not in the first: {extra0:?})",
                got.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------ 8

/// Two configs whose outputs differ in content and in their set of files.
fn kill_configs(w: &Path) -> (String, String) {
    let cfg = |tag: &str, sites: usize| {
        let sites: Vec<_> = (0..sites)
            .map(|i| serde_json::json!({ "name": format!("Site_{i}"), "url": format!("https://s{i}.example.com"), "description": format!("{tag} site {i}") }))
            .collect();
        let sets: Vec<_> = (0..40)
            .map(|i| serde_json::json!({ "name": format!("Set_{i}"), "label": format!("Set {i}"), "description": format!("{tag} set {i}") }))
            .collect();
        serde_json::json!({ "apiVersion": "62.0", "remoteSites": sites, "permissionSets": sets })
    };
    let old = w.join("old.json");
    let new = w.join("new.json");
    std::fs::write(&old, serde_json::to_vec(&cfg("OLD", 80)).unwrap()).unwrap();
    std::fs::write(&new, serde_json::to_vec(&cfg("NEW", 160)).unwrap()).unwrap();
    (s(&old), s(&new))
}

/// Finding 8: a kill during `generate` into a folder holding the user's files could leave a mix
/// of old and new, while the README promised old or new. What holds now (and the README says):
/// every file is whole (old or new), the user's files are untouched, and the next run completes
/// the change: after each kill, running the old config again gives exactly the old state (sfgen
/// still knows every file it wrote, even those the killed run had renamed in).
///
/// Half of the kills land in the renames for sure: the test watches for the first file only the
/// new config has and kills the run the moment it appears; the others are spread over the run.
#[test]
fn finding_08_killed_generate_in_a_users_folder_is_completed_by_the_next_run() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (old_cfg, new_cfg) = kill_configs(w);
    let state = w.join("state");
    let target = w.join("target");
    let run = |cfg: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_sfgen"))
            .args(["generate", "--no-check", "-c", cfg, "--out", &s(&target)])
            .env("SFGEN_STATE_DIR", &state)
            .current_dir(root())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let reset = || {
        let _ = std::fs::remove_dir_all(&target);
        run(&old_cfg);
        std::fs::write(target.join("NOTES-mine.md"), "the user's own file").unwrap();
    };
    reset();
    let old = tree(&target);
    let t = Instant::now();
    run(&new_cfg);
    let full = t.elapsed();
    let new = tree(&target);
    assert!(new.len() > old.len() + 40, "{} vs {}", new.len(), old.len());
    // Renamed in path order: the first path only the new config has appears first among them.
    let trigger = target.join(new.keys().find(|p| !old.contains_key(*p)).unwrap());
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ u64::from(std::process::id());
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let kills: usize = std::env::var("SFGEN_KILL_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(16);
    let mut problems = Vec::new();
    let (mut mixed, mut in_renames) = (0, 0);
    reset();
    for k in 0..kills {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sfgen"))
            .args(["generate", "--no-check", "-c", &new_cfg, "--out", &s(&target)])
            .env("SFGEN_STATE_DIR", &state)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        if k % 2 == 0 {
            // Kill as soon as the renames begin.
            while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60) {
                if std::fs::symlink_metadata(&trigger).is_ok() {
                    in_renames += 1;
                    break;
                }
            }
        } else {
            let micros = full.as_micros() as u64;
            std::thread::sleep(Duration::from_micros(micros / 2 + next() % (micros * 6 / 10).max(1)));
        }
        let _ = child.kill();
        child.wait().unwrap();
        let got = tree(&target);
        for (path, bytes) in &got {
            if old.get(path) != Some(bytes) && new.get(path) != Some(bytes) {
                problems.push(format!("kill {k}: {path} is neither its old nor its new content"));
            }
        }
        if got.get("NOTES-mine.md").map(Vec::as_slice) != Some(b"the user's own file".as_slice()) {
            problems.push(format!("kill {k}: the user's file was touched"));
        }
        if got != old && got != new {
            mixed += 1;
        }
        run(&old_cfg);
        let after = tree(&target);
        if after != old {
            let stray: Vec<_> = after.keys().filter(|p| !old.contains_key(*p)).take(5).collect();
            problems.push(format!("kill {k}: the next run left files the killed one wrote: {stray:?}"));
            reset();
        }
    }
    println!("{kills} kills ({in_renames} during the renames), {mixed} left a mix that the next run completed");
    assert!(in_renames > 0, "no kill landed during the renames");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ----------------------------------------------------------------------------------------- 15

/// Finding 15: a FIFO as `-c`, as `sfgen.json` in the current folder, or as `--destructive`
/// blocked forever. Each is refused at once (exit 2, named).
#[test]
fn finding_15_fifo_config_or_destructive_list_is_refused_at_once() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let fifo = w.join("pipe.json");
    mkfifo(&fifo);
    let here = w.join("here");
    std::fs::create_dir_all(&here).unwrap();
    mkfifo(&here.join("sfgen.json"));
    let cfg = s(&root().join(CONFIG));
    let limit = Duration::from_secs(20);
    let cases: Vec<(&str, &Path, Vec<String>, &str)> = vec![
        ("-c FIFO", w, vec!["generate".into(), "-c".into(), s(&fifo), "--out".into(), "o1".into()], "pipe.json"),
        ("sfgen.json FIFO", &here, vec!["generate".into(), "--out".into(), "o2".into()], "sfgen.json"),
        ("sfgen.json FIFO, check", &here, vec!["check".into()], "sfgen.json"),
        (
            "--destructive FIFO",
            w,
            vec!["package".into(), "-c".into(), cfg, "--destructive".into(), s(&fifo), "--out".into(), "o3.zip".into()],
            "pipe.json",
        ),
    ];
    let mut failures = Vec::new();
    for (what, cwd, args, name) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = sfgen_in(cwd, &args, &[("HOME", w.to_str().unwrap())], limit);
        if r.code != Some(2) || !r.stderr.contains(name) || !r.stderr.contains("not a regular file") {
            failures.push(format!("{what}: exit {:?}: {}", r.code, r.stderr));
        }
    }
    for o in ["o1", "o2", "o3.zip"] {
        if w.join(o).exists() || here.join(o).exists() {
            failures.push(format!("{o} was written"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------ 7

/// A config with one External Client App whose callback URLs are `urls`, and `extra` keys.
fn eca_config(dir: &Path, urls: &[&str], extra: serde_json::Value) -> PathBuf {
    let mut app = serde_json::json!({
        "name": "Vendor_App",
        "contactEmail": "admin@example.com",
        "callbackUrls": urls,
        "scopes": ["Api", "RefreshToken"],
    });
    if let (Some(a), Some(e)) = (app.as_object_mut(), extra.as_object()) {
        a.extend(e.clone());
    }
    let cfg = serde_json::json!({ "apiVersion": "62.0", "oauthApps": [app] });
    let p = dir.join(format!("eca-{}.json", urls.len() + extra.to_string().len()));
    std::fs::write(&p, serde_json::to_vec_pretty(&cfg).unwrap()).unwrap();
    p
}

/// Finding 7: the callback check was a prefix test (`http://localhost...`), so hosts that only
/// start with "localhost", or that hide another host behind `localhost@` or `%2e`, were accepted
/// as local callbacks over plain http. Each is refused; loopback hosts still may use http.
#[test]
fn finding_07_http_callbacks_must_name_a_loopback_host() {
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for bad in [
        "http://localhost.evil.example.net/cb",
        "http://localhost@evil.example.net/cb",
        "http://localhost-evil.example.net/cb",
        "http://localhost%2eevil.example.net/cb",
        "http://localhost:8080@evil.example.net/cb",
        "http://evil.example.net/localhost",
        "http://127.0.0.1.evil.example.net/cb",
    ] {
        let cfg = eca_config(work.path(), &[bad], serde_json::json!({}));
        let out = work.path().join("out");
        let r = sfgen_env(&["generate", "-c", &s(&cfg), "--out", &s(&out)], &[]);
        if r.code != Some(2) || !r.stderr.contains("callbackUrls[0]") || out.exists() {
            failures.push(format!("{bad}: exit {:?}, not refused: {}", r.code, r.stderr));
        }
        let _ = std::fs::remove_file(cfg);
    }
    for good in
        ["http://localhost:1717/cb", "http://127.0.0.1:8080/cb", "http://[::1]:9/cb", "https://vendor.example.com/cb"]
    {
        let cfg = eca_config(work.path(), &[good], serde_json::json!({}));
        let r = sfgen_env(&["check", "-c", &s(&cfg)], &[]);
        if r.code == Some(2) {
            failures.push(format!("{good}: refused: {}", r.stderr));
        }
        let _ = std::fs::remove_file(cfg);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ----------------------------------------------------------------------------------------- 10

/// Finding 10: values that cannot deploy were accepted: `refreshTokenValidDays` 0 and 4294967295
/// (the schema says 1 to 3650; the Metadata API field is an xsd:int), and Apex class, tab, record
/// type and integration-user permission set names of 300 characters (and far more).
#[test]
fn finding_10_out_of_range_days_and_overlong_names_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (key, days) in [
        ("refreshTokenValidDays", 0u64),
        ("refreshTokenValidDays", 4_294_967_295),
        ("refreshTokenIdleDays", 3651),
        ("refreshTokenIdleDays", 0),
    ] {
        let cfg = eca_config(work.path(), &["https://vendor.example.com/cb"], serde_json::json!({ key: days }));
        let r = sfgen_env(&["check", "-c", &s(&cfg)], &[]);
        if r.code != Some(2) || !r.stderr.contains(key) || !r.stderr.contains("give 1 to 3650") {
            failures.push(format!("{key} {days}: exit {:?}: {}", r.code, r.stderr));
        }
        let _ = std::fs::remove_file(cfg);
    }
    let long = format!("A{}", "b".repeat(299));
    let huge = format!("C{}", "d".repeat(400_000));
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        (
            "permissionSets[0].classes[0]",
            serde_json::json!({ "permissionSets": [{ "name": "P", "label": "P", "classes": [long] }] }),
            "255",
        ),
        (
            "permissionSets[0].classes[0]",
            serde_json::json!({ "permissionSets": [{ "name": "P", "label": "P", "classes": [huge] }] }),
            "255",
        ),
        (
            "permissionSets[0].tabs",
            serde_json::json!({ "permissionSets": [{ "name": "P", "label": "P", "tabs": { format!("standard-{long}"): "visible" } }] }),
            "not a tab name",
        ),
        (
            "permissionSets[0].recordTypes[0]",
            serde_json::json!({ "permissionSets": [{ "name": "P", "label": "P", "recordTypes": [format!("Case.{long}")] }] }),
            "80",
        ),
        (
            "integration.integrationUser.permissionSets[0]",
            serde_json::json!({ "integration": { "integrationUser": { "username": "api@example.com", "permissionSets": [long] } } }),
            "80",
        ),
        (
            "integration.integrationUser.permissionSets[0]",
            serde_json::json!({ "integration": { "integrationUser": { "username": "api@example.com", "permissionSets": [huge] } } }),
            "80",
        ),
    ];
    for (path, mut cfg, mention) in cases {
        cfg["apiVersion"] = "62.0".into();
        let p = work.path().join("names.json");
        std::fs::write(&p, serde_json::to_vec(&cfg).unwrap()).unwrap();
        let r = sfgen_env(&["check", "-c", &s(&p)], &[]);
        if r.code != Some(2) || !r.stderr.contains(path) || !r.stderr.contains(mention) {
            failures.push(format!("{path}: exit {:?}: {}", r.code, r.stderr.chars().take(600).collect::<String>()));
        }
        if r.stderr.len() > 20_000 {
            failures.push(format!("{path}: the message repeats the whole name ({} bytes)", r.stderr.len()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ----------------------------------------------------------------------------------------- 11

/// A fake `sf` on PATH that records the words of every call (NUL-separated, one call a line).
fn recording_sf(dir: &Path) -> (String, PathBuf) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let record = dir.join("record");
    std::fs::write(
        bin.join("sf"),
        format!("#!/bin/sh\nprintf '%s\\0' \"$@\" >> '{}'\nprintf '\\n' >> '{}'\n", record.display(), record.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(bin.join("sf"), std::fs::Permissions::from_mode(0o755)).unwrap();
    (format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()), record)
}

/// Finding 11: a U+2028 in `--target-org` was printed raw (line-oriented tools split the
/// command there), `SF_TARGET_ORG=--json` was printed `--target-org --json` (which sf reads as two
/// flags), and `=ls` unquoted (zsh expands it to a path). Each printed command, pasted into a
/// shell, now hands sf the org as the value of `--target-org`, and no line separator is printed.
#[test]
fn finding_11_printed_org_values_survive_pasting_and_line_tools() {
    let work = tempfile::tempdir().unwrap();
    let (path, record) = recording_sf(work.path());
    let cfg = s(&root().join(CONFIG));
    let zip = s(&work.path().join("d.zip"));
    let mut failures = Vec::new();
    for (how, org) in
        [("-o", "org\u{2028}x\u{2029}y"), ("SF_TARGET_ORG", "--json"), ("-o", "=ls"), ("--target-org=", "-x y")]
    {
        let mut args = vec!["package", "-c", cfg.as_str(), "--out", zip.as_str()];
        let flag = format!("--target-org={org}");
        let env: Vec<(&str, &str)> = match how {
            "-o" => {
                args.extend(["-o", org]);
                vec![]
            }
            "--target-org=" => {
                args.push(&flag);
                vec![]
            }
            _ => vec![("SF_TARGET_ORG", org)],
        };
        let r = sfgen_env(&args, &env);
        if r.code != Some(0) {
            failures.push(format!("{org:?}: exit {:?}: {}", r.code, r.stderr));
            continue;
        }
        let j = sfgen_env(&[&["--json"], args.as_slice()].concat(), &env);
        for (what, text) in [("text", &r.stdout), ("JSON", &j.stdout)] {
            if let Some(c) = text.chars().find(|c| matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}')) {
                failures.push(format!("{org:?}: the {what} holds U+{:04X} raw", c as u32));
            }
        }
        let _ = std::fs::remove_file(&record);
        let lines: Vec<&str> = r
            .stdout
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("$ "))
            .filter(|c| c.starts_with("sf ") || c.contains("&& sf "))
            .collect();
        for c in &lines {
            let o = Command::new("bash").arg("-c").arg(c).current_dir(work.path()).env("PATH", &path).output().unwrap();
            if !o.status.success() {
                failures.push(format!("`{c}` does not paste: {}", String::from_utf8_lossy(&o.stderr)));
            }
        }
        let calls = String::from_utf8_lossy(&std::fs::read(&record).unwrap_or_default()).into_owned();
        let calls: Vec<Vec<&str>> =
            calls.split("\0\n").filter(|c| !c.is_empty()).map(|c| c.split('\0').collect()).collect();
        if calls.len() < 3 {
            failures.push(format!("{org:?}: only {} sf calls pasted", calls.len()));
        }
        for words in &calls {
            // As sf's parser reads it: `--target-org VALUE` or `--target-org=VALUE`.
            let value = words.iter().enumerate().find_map(|(i, w)| {
                if *w == "--target-org" {
                    words.get(i + 1).copied()
                } else {
                    w.strip_prefix("--target-org=")
                }
            });
            let next_is_flag = words
                .iter()
                .position(|w| *w == "--target-org")
                .and_then(|i| words.get(i + 1))
                .is_some_and(|v| v.starts_with('-'));
            if value != Some(org) || next_is_flag {
                failures.push(format!("{org:?}: sf gets {words:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ----------------------------------------------------------------------------------------- 13

/// Finding 13: URL passwords were shown when the userinfo held a raw `?`, `#` or `/`, or the URL
/// was written `https:user:pw@host` (diff text, JSON and the output of a run writing a delta).
#[test]
fn finding_13_url_passwords_with_raw_delimiters_are_redacted_in_every_output() {
    let work = tempfile::tempdir().unwrap();
    let org = work.path().join("org");
    let r = sfgen_env(&["generate", "-q", "-c", CONFIG, "--format", "mdapi", "--out", &s(&org)], &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let site = org.join("remoteSiteSettings/Webhook_Endpoint.remoteSite");
    let original = std::fs::read_to_string(&site).unwrap();
    let mut failures = Vec::new();
    for (url, secret) in [
        ("https://svc:S3cr?t-one@hooks.example.com/in", "S3cr?t-one"),
        ("https://svc:S3cr#t-two@hooks.example.com", "S3cr#t-two"),
        ("https://svc:S3cr/t-three@hooks.example.com/in", "S3cr/t-three"),
        ("https:svc:S3cret-four@hooks.example.com", "S3cret-four"),
    ] {
        let changed = original.replace("https://hooks.contact-centre.example.com", url);
        assert_ne!(changed, original);
        std::fs::write(&site, changed).unwrap();
        for format in ["text", "json"] {
            let delta = s(&work.path().join(format!("delta-{format}.zip")));
            let r = sfgen_env(
                &["diff", "-c", CONFIG, "--org", &s(&org), "--format", format, "--delta-out", &delta, "--prune"],
                &[],
            );
            if r.code != Some(1) {
                failures.push(format!("{url} ({format}): exit {:?}: {}", r.code, r.stderr));
            }
            let secret_part = secret.split(['?', '#', '/']).next().unwrap();
            if r.stdout.contains(secret_part) || r.stderr.contains(secret_part) {
                failures.push(format!("{url} ({format}): the password is shown"));
            }
            if !r.stdout.contains("hooks.example.com") {
                failures.push(format!("{url} ({format}): the host is hidden too"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ----------------------------------------------------------------------------------------- 14

const CLASS_META: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n";

/// Finding 14: a raw U+202E (right-to-left override) from a class's file name reached the
/// Cobertura and LCOV files. The one escaping policy applies to every report.
#[test]
fn finding_14_bidi_controls_never_reach_coverage_reports() {
    let work = tempfile::tempdir().unwrap();
    let pkg = work.path().join("pkg");
    write(
        &pkg,
        "package.xml",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <types>\n        <members>*</members>\n        <name>ApexClass</name>\n    </types>\n    <version>62.0</version>\n</Package>\n",
    );
    let name = "Invoice\u{202e}txt.sc\u{2028}";
    write(
        &pkg,
        &format!("classes/{name}.cls"),
        format!("public class {name} {{ public static Integer one() {{ return 1; }} }}\n").as_bytes(),
    );
    write(&pkg, &format!("classes/{name}.cls-meta.xml"), CLASS_META.as_bytes());
    write(
        &pkg,
        "classes/InvoiceTest.cls",
        b"@IsTest\nprivate class InvoiceTest {\n    @IsTest static void one() { System.assertEquals(1, 1); }\n}\n",
    );
    write(&pkg, "classes/InvoiceTest.cls-meta.xml", CLASS_META.as_bytes());
    let reports = work.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let cob = reports.join("coverage.xml");
    let lcov = reports.join("lcov.info");
    let html = reports.join("coverage.html");
    let r = sfgen_env(
        &["check", "--package", &s(&pkg), "--cobertura", &s(&cob), "--lcov", &s(&lcov), "--html", &s(&html)],
        &[],
    );
    assert!(r.code == Some(0) || r.code == Some(1), "{}", r.stderr);
    let mut failures = Vec::new();
    for f in [&cob, &lcov] {
        let text = std::fs::read_to_string(f).unwrap();
        if !text.contains("Invoice") {
            failures.push(format!("{} does not list the class: {text}", f.display()));
        }
        if let Some(c) = text
            .chars()
            .find(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'))
        {
            failures.push(format!("{} holds U+{:04X} raw", f.display(), c as u32));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------ 3

/// A zip of `files`, deflated at the fastest level (as the red team's tool wrote it: repetitive
/// entries then stay within sfgen's ratio limit).
fn deflated_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for (name, bytes) in files {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const PACKAGE_ALL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <types>\n        <members>*</members>\n        <name>PermissionSet</name>\n    </types>\n    <version>62.0</version>\n</Package>\n";

/// Runs sfgen with its address space capped at `kib` KiB (`ulimit -v`): a run that needs more
/// fails, which is how a memory blow-up shows.
fn sfgen_capped(args: &[&str], kib: u64, limit: Duration) -> Run {
    let script = format!("ulimit -v {kib}; exec \"$0\" \"$@\"");
    let mut all: Vec<&str> = vec!["-c", &script, env!("CARGO_BIN_EXE_sfgen")];
    all.extend_from_slice(args);
    let start = Instant::now();
    let mut child = Command::new("sh")
        .args(&all)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sfgen {args:?} hangs (still running after {limit:?})");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    Run { code: o.status.code(), stdout: String::new(), stderr: String::from_utf8_lossy(&o.stderr).into_owned() }
}

/// Finding 3: a 396 KB zip holding one permission set of 12 million sibling elements (48 MB,
/// within every default limit) made `diff` and `check` abort on a failed allocation (exit 134).
/// Documents over the element budget are refused (exit 2, naming the file) before their tree is
/// built: each run stays within 800 MB of address space.
#[test]
fn finding_03_a_document_of_millions_of_siblings_is_refused_within_bounded_memory() {
    let work = tempfile::tempdir().unwrap();
    let mut body = String::with_capacity(48 << 20);
    body.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">",
    );
    for _ in 0..12_000_000 {
        body.push_str("<a/>");
    }
    body.push_str("</PermissionSet>\n");
    let zip = work.path().join("siblings.zip");
    std::fs::write(
        &zip,
        deflated_zip(&[("package.xml", PACKAGE_ALL.as_bytes()), ("permissionsets/Big.permissionset", body.as_bytes())]),
    )
    .unwrap();
    drop(body);
    assert!(std::fs::metadata(&zip).unwrap().len() < 1 << 20, "the attack is a small zip");
    let z = s(&zip);
    let out = s(&work.path().join("conv"));
    let mut failures = Vec::new();
    for args in [
        vec!["diff", "-c", CONFIG, "--org", z.as_str()],
        vec!["check", "--package", z.as_str()],
        vec!["convert", "--from", z.as_str(), "--to", out.as_str(), "--format", "source"],
    ] {
        let r = sfgen_capped(&args, 800 << 10, Duration::from_secs(120));
        if r.code != Some(2) || !r.stderr.contains("element budget") || !r.stderr.contains("Big.permissionset") {
            failures.push(format!(
                "{}: exit {:?}: {}",
                args[0],
                r.code,
                r.stderr.chars().take(400).collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------ 4

/// Finding 4: one zip entry 4 000 folders deep (a 42 KB zip) overflowed `diff`'s stack; at 16 000
/// `check` and `convert` too. Zip entries are held to the folder depth limit (256 levels), like
/// folders; a path within it still reads.
#[test]
fn finding_04_zip_entries_deeper_than_the_folder_limit_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let package = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <version>62.0</version>\n</Package>\n";
    let mut failures = Vec::new();
    for (depth, prefix) in [(4_000, "classes/"), (16_000, ""), (257, "classes/")] {
        let entry = format!("{prefix}{}X.cls", "a/".repeat(depth));
        let zip = work.path().join(format!("deep{depth}.zip"));
        std::fs::write(&zip, deflated_zip(&[("package.xml", package.as_bytes()), (&entry, b"public class X {}\n")]))
            .unwrap();
        let z = s(&zip);
        let delta = s(&work.path().join("delta.zip"));
        let conv = s(&work.path().join(format!("conv{depth}")));
        for args in [
            vec!["diff", "-c", CONFIG, "--org", z.as_str()],
            vec!["diff", "-c", CONFIG, "--org", z.as_str(), "--delta-out", delta.as_str()],
            vec!["check", "--package", z.as_str()],
            vec!["convert", "--from", z.as_str(), "--to", conv.as_str(), "--format", "source"],
        ] {
            let r = sfgen_env(&args, &[]);
            if r.code != Some(2) || !r.stderr.contains("levels of folders") {
                failures.push(format!("depth {depth}, {} {}: exit {:?}: {}", args[0], args.len(), r.code, r.stderr));
            }
        }
    }
    // A folder input deeper than the limit is refused the same way.
    let dir = work.path().join("deepdir");
    write(&dir, "package.xml", package.as_bytes());
    write(&dir, &format!("staticresources/{}x.txt", "a/".repeat(260)), b"x");
    let r = sfgen_env(&["check", "--package", &s(&dir)], &[]);
    if r.code != Some(2) || !r.stderr.contains("levels of folders") {
        failures.push(format!("folder: exit {:?}: {}", r.code, r.stderr));
    }
    // Within the limit, a deep path reads.
    let ok = work.path().join("ok.zip");
    let entry = format!("{}x.txt", "a/".repeat(255));
    std::fs::write(&ok, deflated_zip(&[("package.xml", package.as_bytes()), (&entry, b"x")])).unwrap();
    let r = sfgen_env(&["diff", "-c", CONFIG, "--org", &s(&ok), "--format", "stat"], &[]);
    if r.code != Some(1) {
        failures.push(format!("255 levels: exit {:?}: {}", r.code, r.stderr));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------ 5

/// Finding 5: `check --package` was quadratic in package.xml members that have no file (40 000
/// took 36 s, 1.5 million ran past 3 minutes): each one's line was found by searching the whole
/// package.xml again. 100 000 such members (about 4 minutes for the quadratic search, optimised)
/// are each reported with their line; the deadline is only the hang bound of this file, the
/// speed figure is bench/check-members.sh's ratio of `check` to `diff` on the same package.
#[test]
fn finding_05_check_package_is_linear_in_members_without_files() {
    let work = tempfile::tempdir().unwrap();
    let mut pkg = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <types>\n");
    for i in 0..100_000 {
        pkg.push_str(&format!("        <members>Missing{i}</members>\n"));
    }
    pkg.push_str("        <name>ApexClass</name>\n    </types>\n    <version>62.0</version>\n</Package>\n");
    let dir = work.path().join("pkg");
    write(&dir, "package.xml", pkg.as_bytes());
    let junit = work.path().join("junit.xml");
    let r = sfgen_in(&root(), &["check", "--package", &s(&dir), "--junit", &s(&junit)], &[], Duration::from_secs(90));
    assert_eq!(r.code, Some(1), "{}", r.stderr.chars().take(400).collect::<String>());
    assert!(r.stdout.contains("ApexClass:Missing99999"), "the last member is reported");
    // Member i is on line i + 4 (the declaration, <Package>, <types> come first).
    assert!(r.stdout.contains("package.xml:12349: package.xml declares ApexClass:Missing12345 "), "the member's line");
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.contains("Missing12345"), "every member is in the report");
}

// -------------------------------------------------------------------------------- 3, 4 and 5

/// An SFDX project the size of NPSP (12 197 files; Salesforce.org's Nonprofit Success Pack),
/// with permission sets as large as its largest (about 235 KB, 1 600 field permissions each) and
/// paths as deep as its deepest (10 levels).
fn npsp_sized_project(dir: &Path) -> usize {
    let files = std::cell::RefCell::new(Vec::<(String, Vec<u8>)>::new());
    let put = |rel: String, bytes: &[u8]| files.borrow_mut().push((rel, bytes.to_vec()));
    let n = || files.borrow().len();
    put(
        "sfdx-project.json".into(),
        br#"{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"62.0"}"#,
    );
    let base = "force-app/main/default";
    for o in 0..150 {
        put(
            format!("{base}/objects/Obj{o}__c/Obj{o}__c.object-meta.xml"),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Obj {o}</label>\n    <nameField>\n        <label>Name</label>\n        <type>Text</type>\n    </nameField>\n    <pluralLabel>Objs {o}</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n</CustomObject>\n").as_bytes(),
        );
        for f in 0..40 {
            put(
                format!("{base}/objects/Obj{o}__c/fields/F{f}__c.field-meta.xml"),
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>F{f}__c</fullName>\n    <label>F {f}</label>\n    <length>80</length>\n    <type>Text</type>\n</CustomField>\n").as_bytes(),
            );
        }
    }
    for p in 0..4 {
        let mut body = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <description>A large permission set</description>\n");
        for o in 0..40 {
            for f in 0..40 {
                body.push_str(&format!("    <fieldPermissions>\n        <editable>true</editable>\n        <field>Obj{o}__c.F{f}__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n"));
            }
        }
        body.push_str(&format!(
            "    <hasActivationRequired>false</hasActivationRequired>\n    <label>Big {p}</label>\n</PermissionSet>\n"
        ));
        assert!(body.len() > 200_000, "{}", body.len());
        put(format!("{base}/permissionsets/Big{p}.permissionset-meta.xml"), body.as_bytes());
    }
    for c in 0..2_000 {
        put(
            format!("{base}/classes/C{c}.cls"),
            format!("public with sharing class C{c} {{\n    public static Integer v() {{ return {c}; }}\n}}\n")
                .as_bytes(),
        );
        put(format!("{base}/classes/C{c}.cls-meta.xml"), CLASS_META.as_bytes());
    }
    let meta = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LightningComponentBundle xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <isExposed>false</isExposed>\n</LightningComponentBundle>\n";
    let mut l = 0;
    while n() < 12_197 {
        let c = format!("{base}/lwc/cmp{l}");
        put(
            format!("{c}/cmp{l}.js"),
            b"import { LightningElement } from 'lwc';\nexport default class X extends LightningElement {}\n",
        );
        put(format!("{c}/cmp{l}.js-meta.xml"), meta.as_bytes());
        if n() < 12_197 {
            put(format!("{c}/__tests__/data/a/b/c/d.json"), b"{}\n");
        }
        l += 1;
    }
    let files = files.into_inner();
    for (rel, bytes) in &files {
        write(dir, rel, bytes);
    }
    files.len()
}

/// The limits of findings 3, 4 and 5 (element budget, path depth) are not tripped by a real
/// project: an NPSP-sized project reads in every reader.
#[test]
fn limits_of_findings_3_4_5_do_not_trip_an_npsp_sized_project() {
    let work = tempfile::tempdir().unwrap();
    let proj = work.path().join("npsp");
    assert_eq!(npsp_sized_project(&proj), 12_197);
    let p = s(&proj);
    let mut failures = Vec::new();
    for args in [
        vec!["manifest", "--no-generate", "--include", p.as_str()],
        vec!["diff", "--no-generate", "--include", p.as_str(), "--org", p.as_str(), "--format", "stat"],
        vec!["convert", "--from", p.as_str(), "--to", &s(&work.path().join("mdapi")), "--format", "mdapi"],
    ] {
        let r = sfgen_in(&root(), &args, &[], Duration::from_secs(300));
        if r.code != Some(0) {
            failures.push(format!(
                "{}: exit {:?}: {}",
                args[0],
                r.code,
                r.stderr.chars().take(400).collect::<String>()
            ));
        }
    }
    let r = sfgen_in(&root(), &["check", "--package", &s(&work.path().join("mdapi"))], &[], Duration::from_secs(300));
    if r.code == Some(2) {
        failures.push(format!("check --package: exit 2: {}", r.stderr.chars().take(400).collect::<String>()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------ 9

/// Finding 9: outputs overwrote the command's own inputs (`check --junit sfgen.json`, `package -c
/// c.json --out c.json`, `check --package X.zip --junit X.zip`, `package --destructive X --out
/// X`, `diff --org X.zip --delta-out X.zip`). Each is refused with exit 2 naming both, however the
/// path is written (`./X.zip`, a link), and the input is left as it was; two reports named alike
/// are refused too.
#[test]
fn finding_09_an_output_that_is_one_of_the_inputs_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let config = std::fs::read(root().join(CONFIG)).unwrap();
    std::fs::write(w.join("sfgen.json"), &config).unwrap();
    std::fs::write(w.join("c.json"), &config).unwrap();
    std::os::unix::fs::symlink("c.json", w.join("link.json")).unwrap();
    let r = sfgen_in(w, &["package", "-c", "c.json", "--out", "X.zip"], &[], Duration::from_secs(120));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    std::fs::write(w.join("D"), "ApexClass:Gone\n").unwrap();
    let before = tree(w);
    let mut failures = Vec::new();
    let parent_form = format!("../{}/X.zip", w.file_name().unwrap().to_string_lossy());
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", "--junit", "sfgen.json"],
        vec!["package", "-c", "c.json", "--out", "c.json"],
        vec!["package", "-c", "link.json", "--out", "c.json"],
        vec!["check", "--package", "X.zip", "--junit", "X.zip"],
        vec!["check", "--package", "X.zip", "--html", "./X.zip"],
        vec!["package", "-c", "c.json", "--destructive", "D", "--out", "D"],
        vec!["diff", "-c", "c.json", "--org", "X.zip", "--delta-out", "X.zip"],
        vec!["diff", "-c", "c.json", "--org", "X.zip", "--delta-out", &parent_form],
        vec!["package", "-c", "c.json", "--include", "X.zip", "--out", "X.zip"],
    ];
    for args in &cases {
        let r = sfgen_in(w, args, &[], Duration::from_secs(120));
        if r.code != Some(2) || !r.stderr.contains("which this command reads") {
            failures.push(format!("{args:?}: exit {:?}: {}", r.code, r.stderr));
        }
        if tree(w) != before {
            failures.push(format!("{args:?} changed the folder"));
        }
    }
    let r =
        sfgen_in(w, &["check", "-c", "c.json", "--junit", "a.xml", "--lcov", "./a.xml"], &[], Duration::from_secs(120));
    if r.code != Some(2) || !r.stderr.contains("--junit and --lcov both name") || w.join("a.xml").exists() {
        failures.push(format!("two reports alike: exit {:?}: {}", r.code, r.stderr));
    }
    // Distinct paths still work.
    let r = sfgen_in(w, &["check", "--junit", "check.xml"], &[], Duration::from_secs(120));
    if r.code != Some(0) || !std::fs::read_to_string(w.join("check.xml")).is_ok_and(|t| t.contains("<testsuite")) {
        failures.push(format!("check --junit check.xml: exit {:?}: {}", r.code, r.stderr));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ----------------------------------------------------------------------------------------- 12

/// Finding 12: the npm launcher ran a platform binary found in a parent folder's `node_modules`
/// or through `NODE_PATH` when its own was missing, with no version or integrity check. It looks
/// only where npm installs its own dependency (its `node_modules`, or beside it in the same
/// `node_modules`), and runs a binary only of its own version and with the SHA-256 that
/// scripts/npm-build.sh recorded. The launcher is the repository's, laid out as npm installs it.
#[test]
fn finding_12_the_npm_launcher_runs_only_its_own_verified_binary() {
    let Some(node) = support::require(support::Tool::Node) else { return };
    let o = Command::new(&node).args(["-p", "process.platform + '-' + process.arch"]).output().unwrap();
    let platform = String::from_utf8(o.stdout).unwrap().trim().to_string();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let marker = w.join("planted-ran");
    let planted = format!("#!/bin/sh\necho PLANTED; touch '{}'\n", s(&marker));
    // A platform package of `version` holding `binary` at `dir`.
    let platform_package = |dir: &Path, version: &str, binary: &[u8]| {
        write(
            dir,
            "package.json",
            format!(r#"{{"name":"@sfgen/{platform}","version":"{version}","os":[],"cpu":[]}}"#).as_bytes(),
        );
        write(dir, "bin/sfgen", binary);
        std::fs::set_permissions(dir.join("bin/sfgen"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    };
    // sfgen's binary, as far as the launcher can tell (it checks the hash, not the contents).
    let real = b"#!/bin/sh\necho \"OWN $*\"\nexit 3\n".to_vec();
    // The attacker's packages: in a parent folder's node_modules, and on NODE_PATH.
    platform_package(&w.join(format!("node_modules/@sfgen/{platform}")), "9.9.9", planted.as_bytes());
    platform_package(&w.join(format!("elsewhere/@sfgen/{platform}")), "9.9.9", planted.as_bytes());
    // sfgen 1.2.3 installed in a project, its platform package missing.
    let main = w.join("proj/node_modules/sfgen");
    let mut pkg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("npm/sfgen/package.json")).unwrap()).unwrap();
    pkg["version"] = "1.2.3".into();
    pkg["sfgenBinaries"] = serde_json::json!({ &platform: sha256_hex(&real) });
    write(&main, "package.json", pkg.to_string().as_bytes());
    write(&main, "bin/sfgen.js", &std::fs::read(root().join("npm/sfgen/bin/sfgen.js")).unwrap());
    let launch = |env: &[(&str, String)]| {
        let o = Command::new(&node)
            .arg(main.join("bin/sfgen.js"))
            .arg("--version")
            .current_dir(w.join("proj"))
            .env_remove("NODE_PATH")
            .env_remove("SFGEN_BINARY")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let mut failures = Vec::new();
    let mut expect_refusal = |what: &str, env: &[(&str, String)], says: &str| {
        let (code, out, err) = launch(env);
        if code != Some(2) || out.contains("PLANTED") || !err.contains(says) {
            failures.push(format!("{what}: exit {code:?}, stdout {out:?}, stderr {err:?}"));
        }
    };
    expect_refusal("own package missing, a parent's present", &[], "is not installed");
    expect_refusal("own package missing, NODE_PATH", &[("NODE_PATH", s(&w.join("elsewhere")))], "is not installed");
    // Where npm puts it (hoisted beside sfgen), but another version, or another binary.
    let sibling = w.join(format!("proj/node_modules/@sfgen/{platform}"));
    platform_package(&sibling, "9.9.9", &real);
    expect_refusal("another version", &[], "runs only the binary of its own version");
    platform_package(&sibling, "1.2.3", planted.as_bytes());
    expect_refusal("another binary", &[], "is not the binary this sfgen 1.2.3 was built with");
    let nested = main.join(format!("node_modules/@sfgen/{platform}"));
    platform_package(&nested, "1.2.3", planted.as_bytes());
    expect_refusal("another binary, nested", &[], "is not the binary this sfgen 1.2.3 was built with");
    assert!(!marker.exists(), "a planted binary ran");
    // Its own binary, hoisted or nested, runs.
    platform_package(&nested, "1.2.3", &real);
    let (code, out, err) = launch(&[]);
    if code != Some(3) || out != "OWN --version\n" {
        failures.push(format!("own binary (nested): exit {code:?}, {out:?} {err:?}"));
    }
    std::fs::remove_dir_all(&nested).unwrap();
    platform_package(&sibling, "1.2.3", &real);
    let (code, out, err) = launch(&[]);
    if code != Some(3) || out != "OWN --version\n" {
        failures.push(format!("own binary (hoisted): exit {code:?}, {out:?} {err:?}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Finding 14's one printing policy, applied to `check`'s text report: the coverage table and
/// its notes keep their line feeds (they were shown as a literal `\n`, making the first lines one
/// unreadable line), while a bidi control from a class name is still escaped.
#[test]
fn finding_14_check_text_keeps_line_feeds_and_escapes_controls() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("pkg");
    write(&dir, "package.xml", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <types>\n        <members>*</members>\n        <name>ApexClass</name>\n    </types>\n    <version>62.0</version>\n</Package>\n");
    write(
        &dir,
        "classes/Evil\u{202e}Name.cls",
        b"public class Evil\xe2\x80\xaeName {\n    public static Integer v() {\n        return 1;\n    }\n}\n",
    );
    write(&dir, "classes/Evil\u{202e}Name.cls-meta.xml", CLASS_META.as_bytes());
    let r = sfgen_in(&root(), &["check", "--package", &s(&dir)], &[], Duration::from_secs(120));
    assert!(r.code == Some(0) || r.code == Some(1), "exit {:?}: {}", r.code, r.stderr);
    assert!(!r.stdout.contains("\\n"), "a literal \\n in check's text:\n{}", r.stdout);
    assert!(r.stdout.lines().next().is_some_and(|l| l.starts_with("Apex code coverage")), "{}", r.stdout);
    assert!(!r.stdout.contains('\u{202e}'), "a raw bidi control reached the terminal:\n{}", r.stdout);
}
