//! A stable-Rust fuzz harness on top of proptest, for `tests/prop_*.rs` (nightly and
//! `cargo fuzz` are not available here).
//!
//! Every target is a `#[test]` that calls [`run`] with its full number of cases. By default it
//! runs a fixed, seeded share of them: an eighth (at least 16) in `cargo test`, all of them in
//! the full tier (`SFGEN_FULL=1`, as `.ci/run` sets). Environment variables turn it into a
//! fuzzer:
//!
//! | variable | meaning |
//! |---|---|
//! | `SFGEN_FUZZ_SECS=N` | run batches of cases with fresh seeds for N seconds |
//! | `SFGEN_FUZZ_CASES=N` | run N cases (in batches of 256) instead of the tier's number |
//! | `SFGEN_FUZZ_SEED=S` | the first batch's seed (printed when a case fails) |
//!
//! A failing case is shrunk by proptest and reported with its batch seed; each target prints
//! how many cases it ran (`cargo test -- --nocapture` shows it).
#![allow(dead_code)]

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Cases per batch (one seed each).
const BATCH: u32 = 256;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&seed.rotate_left(29).wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes());
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// Runs `test` on values of `strategy`: `full_cases` seeded cases in the full tier, an eighth of
/// them in `cargo test`, or as the environment says (see the module docs). Panics (failing the
/// test) on the first failing case, after shrinking it. Returns the number of cases run.
pub fn run<S, F>(name: &str, full_cases: u32, strategy: S, test: F) -> u64
where
    S: Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> Result<(), TestCaseError>,
{
    let deadline = env_u64("SFGEN_FUZZ_SECS").map(|s| Instant::now() + Duration::from_secs(s));
    let tier = if super::full() { full_cases } else { (full_cases / 8).max(16) };
    let wanted = env_u64("SFGEN_FUZZ_CASES").unwrap_or(u64::from(tier));
    let first_seed = env_u64("SFGEN_FUZZ_SEED").unwrap_or_else(|| {
        if deadline.is_some() {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
        } else {
            // Plain `cargo test`: the same cases every time.
            0x5f67_656e
        }
    });
    let started = Instant::now();
    let mut done: u64 = 0;
    let mut seed = first_seed;
    loop {
        let cases = match deadline {
            Some(_) => BATCH,
            None => u32::try_from((wanted - done).min(u64::from(BATCH))).unwrap_or(BATCH),
        };
        if cases == 0 {
            break;
        }
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 2048,
            max_global_rejects: 100_000,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(config, rng(seed));
        match runner.run(&strategy, &test) {
            Ok(()) => {}
            Err(TestError::Fail(why, value)) => {
                panic!(
                    "fuzz target {name} failed after {done}+ cases (reproduce with SFGEN_FUZZ_SEED={seed}):\n{why}\nminimal input: {value:#?}"
                )
            }
            Err(TestError::Abort(why)) => panic!("fuzz target {name} aborted (seed {seed}): {why}"),
        }
        done += u64::from(cases);
        seed = seed.wrapping_add(1);
        match deadline {
            Some(d) if Instant::now() >= d => break,
            Some(_) => {}
            None if done >= wanted => break,
            None => {}
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("fuzz {name}: {done} cases in {secs:.1} s (first seed {first_seed})");
    if let Some(dir) = std::env::var_os("SFGEN_FUZZ_LOG") {
        let line = format!("{name}\t{done}\t{secs:.1}\t{first_seed}\n");
        let path = PathBuf::from(dir).join("fuzz-runs.tsv");
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("fuzz log");
        std::io::Write::write_all(&mut f, line.as_bytes()).expect("fuzz log write");
    }
    done
}

/// The seed corpus of one target: every file in `fixtures/fuzz-corpus/<target>/`, sorted.
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = super::fixture("fuzz-corpus").join(target);
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else { return out };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_file() {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            out.push((name, std::fs::read(&path).expect("read corpus file")));
        }
    }
    out.sort();
    out
}

/// Extra seed files found elsewhere in the repository (fixtures), by extension.
pub fn files_under(dir: &Path, exts: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        if !e.file_type().is_file() {
            continue;
        }
        let name = e.path().to_string_lossy().into_owned();
        if exts.iter().any(|x| name.ends_with(x)) {
            out.push((name, std::fs::read(e.path()).expect("read seed")));
        }
    }
    out
}

/// One byte-level edit of a seed.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Overwrite the byte at (position mod len).
    Set(usize, u8),
    /// Insert bytes at (position mod len+1).
    Insert(usize, Vec<u8>),
    /// Remove up to n bytes at (position mod len).
    Remove(usize, usize),
    /// Copy a span of the input elsewhere (duplicates structure).
    Splice(usize, usize, usize),
    /// Truncate at (position mod len+1).
    Truncate(usize),
    /// Flip one bit.
    Flip(usize, u8),
}

/// A strategy for edits; `tokens` are interesting byte strings to insert (`<`, `'`, ...).
pub fn edits(tokens: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<Edit>> {
    use proptest::prelude::*;
    let token = proptest::sample::select(tokens).prop_map(|t| t.to_vec());
    let insert = prop_oneof![
        3 => token,
        1 => proptest::collection::vec(any::<u8>(), 1..8),
    ];
    let edit = prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Set(p, b)),
        4 => (any::<usize>(), insert).prop_map(|(p, b)| Edit::Insert(p, b)),
        2 => (any::<usize>(), 1usize..64).prop_map(|(p, n)| Edit::Remove(p, n)),
        1 => (any::<usize>(), 1usize..256, any::<usize>()).prop_map(|(a, n, b)| Edit::Splice(a, n, b)),
        1 => any::<usize>().prop_map(Edit::Truncate),
        2 => (any::<usize>(), 0u8..8).prop_map(|(p, b)| Edit::Flip(p, b)),
    ];
    proptest::collection::vec(edit, 1..8)
}

/// Applies `edits` to `seed`.
pub fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for e in edits {
        let len = v.len();
        match e {
            Edit::Set(p, b) if len > 0 => v[p % len] = *b,
            Edit::Insert(p, bytes) => {
                let at = p % (len + 1);
                v.splice(at..at, bytes.iter().copied());
            }
            Edit::Remove(p, n) if len > 0 => {
                let at = p % len;
                let end = (at + n).min(len);
                v.drain(at..end);
            }
            Edit::Splice(a, n, b) if len > 0 => {
                let from = a % len;
                let end = (from + n).min(len);
                let chunk: Vec<u8> = v[from..end].to_vec();
                let at = b % (len + 1);
                v.splice(at..at, chunk);
            }
            Edit::Truncate(p) => v.truncate(p % (len + 1)),
            Edit::Flip(p, bit) if len > 0 => v[p % len] ^= 1 << bit,
            _ => {}
        }
    }
    v
}

/// A fuzz input: random bytes, or a seed (by index) with edits.
#[derive(Debug, Clone)]
pub enum Input {
    /// Random bytes.
    Raw(Vec<u8>),
    /// Seed `.0` of the target's seeds, edited.
    Mutated(usize, Vec<Edit>),
}

impl Input {
    /// The bytes this input stands for.
    pub fn bytes(&self, seeds: &[(String, Vec<u8>)]) -> Vec<u8> {
        match self {
            Input::Raw(b) => b.clone(),
            Input::Mutated(i, e) => apply(&seeds[*i].1, e),
        }
    }
}
