//! Atomic output under SIGKILL: the real binary writes a large output (`generate` into a
//! folder, `package` to a zip) and is killed (`Child::kill`, SIGKILL on Unix) at random points,
//! many times. After every kill the target must be the old state or the complete new state:
//!
//! - zip: byte-identical to the old zip or to the new one (never partial);
//! - folder: every file present is complete (byte-identical to its old or its new version),
//!   and the folder as a whole is the old or the new state: a mix of old and new files fails
//!   the test (`KILL_STRICT_FOLDER`; `generate` swaps whole folders, see `output.rs`).
//!
//! Stage folders (`.sfgen-stage-*`) a kill leaves behind are not part of the target; they are
//! counted, printed, and must be gone after the next complete run (it sweeps them).
//!
//! A folder sfgen owns (it wrote everything in it) must hold the old or the new tree after a
//! kill; a folder with a user's own files is written file by file (each whole, the user's files
//! untouched), so a kill may leave a mix of complete old and new files there.
//!
//! `SFGEN_KILL_RUNS` (default 100) sets the number of kills per target, `SFGEN_KILL_SEED` the
//! random seed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A config with many components (hundreds of files), `tag` changing every file's content.
fn big_config(tag: &str) -> serde_json::Value {
    let objects: Vec<_> = (0..20)
        .map(|i| json!({ "sobject": format!("Obj{i}__c"), "testRecord": { "Name": format!("{tag} {i} {{n}}") } }))
        .collect();
    let sites: Vec<_> = (0..60)
        .map(|i| json!({ "name": format!("Site_{i}"), "url": format!("https://s{i}.example.com"), "description": format!("{tag} site {i}") }))
        .collect();
    let object_access: serde_json::Map<String, serde_json::Value> =
        (0..20).map(|j| (format!("Thing{j}__c"), json!(["read", "edit"]))).collect();
    let sets: Vec<_> = (0..60)
        .map(|i| {
            json!({ "name": format!("Set_{i}"), "label": format!("Set {i}"), "description": format!("{tag} permission set {i}"), "objects": object_access })
        })
        .collect();
    json!({
        "apiVersion": "62.0",
        "webhook": { "endpoint": "https://hooks.example.com/in", "headers": { "X-Tag": tag }, "objects": objects },
        "remoteSites": sites,
        "permissionSets": sets
    })
}

fn read_tree(dir: &Path) -> (BTreeMap<String, Vec<u8>>, usize) {
    let mut files = BTreeMap::new();
    let mut temps = 0;
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
        if rel.split('/').any(|seg| seg.starts_with(".sfgen-")) {
            temps += 1;
            continue;
        }
        files.insert(rel, std::fs::read(e.path()).unwrap());
    }
    (files, temps)
}

fn sfgen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sfgen")).args(args).current_dir(root()).output().unwrap()
}

/// A small xorshift generator (no dependency), seeded from the clock or `SFGEN_KILL_SEED`.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        let seed = std::env::var("SFGEN_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
        });
        println!("kill test seed {seed}");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn runs() -> usize {
    std::env::var("SFGEN_KILL_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(100)
}

/// Spawns `args`, kills it after `delay`, waits for it; returns whether it had already exited.
fn run_and_kill(args: &[String], delay: Duration) -> bool {
    run_and_kill_with(args, delay, &|_| {})
}

fn run_and_kill_with(args: &[String], delay: Duration, env: &dyn Fn(&mut Command)) -> bool {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfgen"));
    cmd.args(args).current_dir(root()).stdout(Stdio::null()).stderr(Stdio::null());
    env(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(delay);
    let finished = child.try_wait().unwrap().is_some();
    let _ = child.kill();
    child.wait().unwrap();
    finished
}

/// How long one full run takes (the median of three), to spread the kills over it.
fn duration_of(args: &[String], reset: &dyn Fn()) -> Duration {
    duration_of_with(args, reset, &|_| {})
}

fn duration_of_with(args: &[String], reset: &dyn Fn(), env: &dyn Fn(&mut Command)) -> Duration {
    let mut times = Vec::new();
    for _ in 0..3 {
        reset();
        let t = Instant::now();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfgen"));
        cmd.args(args).current_dir(root());
        env(&mut cmd);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        times.push(t.elapsed());
    }
    times.sort();
    times[1]
}

struct Setup {
    _work: tempfile::TempDir,
    work: PathBuf,
    old_cfg: String,
    new_cfg: String,
}

fn setup() -> Setup {
    let work = tempfile::tempdir().unwrap();
    let w = work.path().to_path_buf();
    let old_cfg = w.join("old.json");
    let new_cfg = w.join("new.json");
    std::fs::write(&old_cfg, serde_json::to_vec_pretty(&big_config("OLD")).unwrap()).unwrap();
    std::fs::write(&new_cfg, serde_json::to_vec_pretty(&big_config("NEW")).unwrap()).unwrap();
    Setup {
        _work: work,
        work: w,
        old_cfg: old_cfg.to_string_lossy().into_owned(),
        new_cfg: new_cfg.to_string_lossy().into_owned(),
    }
}

#[test]
fn killed_generate_leaves_old_or_new_folder() {
    killed_generate(false);
}

#[test]
fn killed_generate_in_a_users_folder_leaves_complete_files_and_the_users_alone() {
    killed_generate(true);
}

fn killed_generate(user_files: bool) {
    let s = setup();
    let old_dir = s.work.join("old");
    let new_dir = s.work.join("new");
    for (cfg, dir) in [(&s.old_cfg, &old_dir), (&s.new_cfg, &new_dir)] {
        let out = sfgen(&["generate", "--no-check", "-c", cfg, "--out", &dir.to_string_lossy()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (old, _) = read_tree(&old_dir);
    let (new, _) = read_tree(&new_dir);
    assert!(old.len() > 200, "the output should be large: {} files", old.len());
    let target = s.work.join("target");
    let args: Vec<String> = ["generate", "--no-check", "-c", &s.new_cfg, "--out", &target.to_string_lossy()]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let state = s.work.join("state");
    let with_state = |cmd: &mut Command| {
        cmd.env("SFGEN_STATE_DIR", &state);
    };
    // The target is what sfgen wrote for the old config (so sfgen owns it), plus, for the second
    // case, a file of the user's.
    let reset = || {
        if target.exists() {
            std::fs::remove_dir_all(&target).unwrap();
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfgen"));
        cmd.args(["generate", "--no-check", "-c", &s.old_cfg, "--out", &target.to_string_lossy()]).current_dir(root());
        with_state(&mut cmd);
        assert!(cmd.output().unwrap().status.success());
        if user_files {
            std::fs::write(target.join("NOTES-mine.md"), "the user's own file").unwrap();
        }
    };
    let mut old = old;
    let mut new = new;
    if user_files {
        old.insert("NOTES-mine.md".into(), b"the user's own file".to_vec());
        new.insert("NOTES-mine.md".into(), b"the user's own file".to_vec());
    }
    let full = duration_of_with(&args, &reset, &with_state);
    let mut rng = Rng::new();
    let (mut all_old, mut all_new, mut mixed, mut temps_left, mut finished) = (0, 0, 0, 0, 0);
    let mut problems = Vec::new();
    let n = runs();
    for run in 0..n {
        reset();
        let delay = Duration::from_micros(rng.below(full.as_micros() as u64 * 11 / 10));
        if run_and_kill_with(&args, delay, &with_state) {
            finished += 1;
        }
        let (got, temps) = read_tree(&target);
        temps_left += usize::from(temps > 0);
        let (mut n_old, mut n_new) = (0, 0);
        for (path, bytes) in &got {
            let is_old = old.get(path) == Some(bytes);
            let is_new = new.get(path) == Some(bytes);
            if is_old {
                n_old += 1;
            }
            if is_new {
                n_new += 1;
            }
            if !is_old && !is_new {
                problems.push(format!("run {run} (kill after {delay:?}): {path} is neither the old nor the new file"));
            }
        }
        let keys_old = got.keys().eq(old.keys());
        let keys_new = got.keys().eq(new.keys());
        if keys_old && got == old {
            all_old += 1;
        } else if keys_new && got == new {
            all_new += 1;
        } else {
            mixed += 1;
            if !user_files {
                problems.push(format!("run {run}: a mix of {n_old} old and {n_new} new files"));
            }
        }
        if user_files && got.get("NOTES-mine.md").map(Vec::as_slice) != Some(b"the user's own file".as_slice()) {
            problems.push(format!("run {run}: the user's file was touched"));
        }
        // The next complete run sweeps what the kill left.
        if temps > 0 {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfgen"));
            cmd.args(&args).current_dir(root());
            with_state(&mut cmd);
            assert!(cmd.output().unwrap().status.success());
            let (_, after) = read_tree(&target);
            let beside = std::fs::read_dir(&s.work)
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(".sfgen-"))
                .count();
            if after + beside > 0 {
                problems.push(format!("run {run}: the next run left {after} stage files inside and {beside} beside"));
            }
        }
    }
    println!(
        "generate ({}): {n} kills (full run {full:?}): {all_old} old state, {all_new} new state, {mixed} mixed, \
         {finished} had already finished, {temps_left} left stage files (swept by the next run)",
        if user_files { "a user's folder" } else { "a folder sfgen owns" }
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn killed_package_leaves_old_or_new_zip() {
    let s = setup();
    let old_zip = s.work.join("old.zip");
    let new_zip = s.work.join("new.zip");
    for (cfg, zip) in [(&s.old_cfg, &old_zip), (&s.new_cfg, &new_zip)] {
        let out = sfgen(&["package", "--no-check", "-c", cfg, "--out", &zip.to_string_lossy()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let old = std::fs::read(&old_zip).unwrap();
    let new = std::fs::read(&new_zip).unwrap();
    assert_ne!(old, new);
    let dir = s.work.join("target");
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("deploy.zip");
    let args: Vec<String> = ["package", "--no-check", "-c", &s.new_cfg, "--out", &target.to_string_lossy()]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let reset = || {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                std::fs::remove_dir_all(&p).unwrap();
            } else {
                std::fs::remove_file(&p).unwrap();
            }
        }
        std::fs::write(&target, &old).unwrap();
    };
    let full = duration_of(&args, &reset);
    let mut rng = Rng::new();
    let (mut was_old, mut was_new, mut temps_left, mut finished) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    let n = runs();
    for run in 0..n {
        reset();
        let delay = Duration::from_micros(rng.below(full.as_micros() as u64 * 11 / 10));
        if run_and_kill(&args, delay) {
            finished += 1;
        }
        let got = std::fs::read(&target).unwrap();
        if got == old {
            was_old += 1;
        } else if got == new {
            was_new += 1;
        } else {
            problems.push(format!(
                "run {run} (kill after {delay:?}): deploy.zip is neither the old nor the new zip ({} bytes)",
                got.len()
            ));
        }
        let others: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
        temps_left += usize::from(others.len() > 1);
    }
    println!(
        "package: {n} kills (full run {full:?}): {was_old} old zip, {was_new} new zip, {finished} had already \
         finished, {temps_left} left a temp file beside it"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
