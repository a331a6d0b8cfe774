//! The mutation check (issue 19): small changes to the generated non-test Apex (an operator
//! flipped, a statement removed, an integer constant changed) must make the generated tests fail,
//! which proves `sfgen test`'s verdicts can fail. `scripts/mutation-check.py` makes the mutants
//! of `fixtures/contact-webhook` (spread evenly over the code, deterministic), runs each with
//! `sfgen test` and counts the killed ones; it prints every survivor.
//!
//! The goal is 80% killed. Measured on every mutant (390, release build: 1.5 minutes):
//! 342 killed (87.7%; 304, 77.9%, before the generated tests asserted the status boundaries, the
//! backoff values, the payload batching, the DML reserve and the replay's fields). The floor is
//! the goal, under what is measured by a margin for templates that change: raise it as the tests
//! improve, never lower it without saying why. Slow tier (`#[ignore]`d; `.ci/run`
//! runs it, optimised): `SFGEN_MUTANTS` caps how many mutants (400; fewer are spread evenly).

mod support;

/// Killed mutants, percent, at least.
const MIN_KILLED: &str = "80";

#[test]
#[ignore = "slow tier: one sfgen test run per mutant; .ci/run runs it"]
fn generated_tests_kill_the_mutants_of_the_generated_apex() {
    let max = std::env::var("SFGEN_MUTANTS").unwrap_or_else(|_| "400".into());
    let out = std::process::Command::new("python3")
        .current_dir(support::root())
        .arg("scripts/mutation-check.py")
        .arg("--sfgen")
        .arg(support::bin())
        .args(["--max", &max, "--min-kill", MIN_KILLED])
        .output()
        .expect("python3 runs scripts/mutation-check.py");
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "mutation check below {MIN_KILLED}% killed (or it could not run):\n{text}");
    assert!(text.contains("mutants killed"), "{text}");
}
