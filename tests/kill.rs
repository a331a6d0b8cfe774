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
//! A kill proves something only when it lands while the output is being written, which a stage
//! left behind shows (sfgen writes into `.sfgen-stage-*` and renames; a kill before the rename
//! leaves the stage). Half the kills are aimed at the window in which the first full runs had a
//! stage, half spread over the whole run; each test fails when no kill landed mid-write.
//!
//! Kills per target: 12 in `cargo test`, 100 in the full tier (`SFGEN_FULL=1`), or
//! `SFGEN_KILL_RUNS`; `SFGEN_KILL_SEED` sets the random seed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::Sfgen;

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
    support::count("SFGEN_KILL_RUNS", 12, 100)
}

/// How many `.sfgen-*` entries (stages of a run) are in `dir`.
fn stages_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().filter(|e| e.file_name().to_string_lossy().starts_with(".sfgen-")).count())
        .unwrap_or(0)
}

/// `args` as a command, with `env` applied, its output discarded.
fn command(args: &[String], env: &dyn Fn(&mut Command)) -> Command {
    let mut cmd = Sfgen::new().args(args).command();
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    env(&mut cmd);
    cmd
}

/// Spawns `args`, kills it after `delay`, waits for it; returns whether it had already exited.
fn run_and_kill(args: &[String], delay: Duration, env: &dyn Fn(&mut Command)) -> bool {
    let mut child = command(args, env).spawn().unwrap();
    std::thread::sleep(delay);
    let finished = child.try_wait().unwrap().is_some();
    let _ = child.kill();
    child.wait().unwrap();
    finished
}

/// One full run, timed, watching `watch` for stages: the run's length and the span of it in
/// which a stage was seen.
fn timed_run(args: &[String], env: &dyn Fn(&mut Command), watch: &[&Path]) -> (Duration, Option<(Duration, Duration)>) {
    let start = Instant::now();
    let mut child = command(args, env).spawn().unwrap();
    let mut window: Option<(Duration, Duration)> = None;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if watch.iter().any(|d| stages_in(d) > 0) {
            let now = start.elapsed();
            window = Some(window.map_or((now, now), |(first, _)| (first, now)));
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    assert!(status.success(), "sfgen {args:?} failed");
    (start.elapsed(), window)
}

/// Where the kills land: a full run's length (the median of three) and the window in which
/// those runs were writing (the widest seen; the whole run when none was seen).
struct Timing {
    full: Duration,
    writing: (Duration, Duration),
}

fn timing(args: &[String], reset: &dyn Fn(), env: &dyn Fn(&mut Command), watch: &[&Path]) -> Timing {
    let mut times = Vec::new();
    let mut writing: Option<(Duration, Duration)> = None;
    for _ in 0..3 {
        reset();
        let (took, window) = timed_run(args, env, watch);
        times.push(took);
        if let Some((a, b)) = window {
            writing = Some(writing.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
        }
    }
    times.sort();
    let full = times[1];
    Timing { full, writing: writing.unwrap_or((Duration::ZERO, full)) }
}

impl Timing {
    /// The delay of kill number `run`: even runs anywhere in the run (and a little after it),
    /// odd runs inside the writing window, widened by a quarter on each side.
    fn delay(&self, run: usize, rng: &mut Rng) -> Duration {
        let micros = |d: Duration| d.as_micros() as u64;
        if run & 1 == 0 {
            return Duration::from_micros(rng.below(micros(self.full) * 11 / 10));
        }
        let (a, b) = (micros(self.writing.0), micros(self.writing.1));
        let pad = (b - a) / 4 + 500;
        let lo = a.saturating_sub(pad);
        Duration::from_micros(lo + rng.below(b + pad - lo))
    }
}

/// How many kills to make: `runs()`, continued (up to five times as many) until one landed
/// mid-write.
fn enough(run: usize, mid_write: usize) -> bool {
    let n = runs();
    run >= n && (mid_write > 0 || run >= 5 * n)
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
        Sfgen::new().args(["generate", "--no-check", "-c", cfg, "--out", &dir.to_string_lossy()]).status(0).run();
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
        let mut cmd = command(
            &["generate", "--no-check", "-c", &s.old_cfg, "--out", &target.to_string_lossy()].map(String::from),
            &with_state,
        );
        assert!(cmd.status().unwrap().success());
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
    // A folder sfgen owns is staged beside it (in the work folder); a user's folder is written
    // in place, through a stage inside it.
    let timing = timing(&args, &reset, &with_state, &[&s.work, &target]);
    let mut rng = Rng::new();
    let (mut all_old, mut all_new, mut mixed, mut mid_write, mut finished) = (0, 0, 0, 0, 0);
    let mut problems = Vec::new();
    let mut run = 0;
    while !enough(run, mid_write) {
        reset();
        let delay = timing.delay(run, &mut rng);
        if run_and_kill(&args, delay, &with_state) {
            finished += 1;
        }
        let (got, temps) = read_tree(&target);
        let beside = stages_in(&s.work);
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
        let was_mixed = !(keys_old && got == old || keys_new && got == new);
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
        // A stage left inside or beside, or a mix of old and new files, shows the kill landed
        // while sfgen was writing.
        if temps + beside > 0 || was_mixed {
            mid_write += 1;
        }
        // The next complete run sweeps what the kill left.
        if temps + beside > 0 {
            assert!(command(&args, &with_state).status().unwrap().success());
            let (_, after) = read_tree(&target);
            let beside = stages_in(&s.work);
            if after + beside > 0 {
                problems.push(format!("run {run}: the next run left {after} stage files inside and {beside} beside"));
            }
        }
        run += 1;
    }
    println!(
        "generate ({}): {run} kills (full run {:?}, writing {:?}): {all_old} old state, {all_new} new state, \
         {mixed} mixed, {finished} had already finished, {mid_write} landed mid-write",
        if user_files { "a user's folder" } else { "a folder sfgen owns" },
        timing.full,
        timing.writing,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(mid_write > 0, "none of {run} kills landed while the output was being written: the test proved nothing");
}

#[test]
fn killed_package_leaves_old_or_new_zip() {
    let s = setup();
    let old_zip = s.work.join("old.zip");
    let new_zip = s.work.join("new.zip");
    for (cfg, zip) in [(&s.old_cfg, &old_zip), (&s.new_cfg, &new_zip)] {
        Sfgen::new().args(["package", "--no-check", "-c", cfg, "--out", &zip.to_string_lossy()]).status(0).run();
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
    let timing = timing(&args, &reset, &|_| {}, &[&dir]);
    let mut rng = Rng::new();
    let (mut was_old, mut was_new, mut mid_write, mut finished) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    let mut run = 0;
    while !enough(run, mid_write) {
        reset();
        let delay = timing.delay(run, &mut rng);
        if run_and_kill(&args, delay, &|_| {}) {
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
        // The zip is written into a stage beside it: one left shows the kill landed mid-write.
        mid_write += usize::from(stages_in(&dir) > 0);
        run += 1;
    }
    println!(
        "package: {run} kills (full run {:?}, writing {:?}): {was_old} old zip, {was_new} new zip, {finished} had \
         already finished, {mid_write} landed mid-write",
        timing.full, timing.writing,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(mid_write > 0, "none of {run} kills landed while the zip was being written: the test proved nothing");
}
