#!/usr/bin/env bash
# Runs every fuzz target of sfgen for a bounded time (stable Rust: proptest-driven harness in
# tests/support/fuzz.rs; see that file for the variables). CI runs this script when it is executable.
#
#   scripts/fuzz-smoke.sh            # each target FUZZ_SECS (default 15) seconds, under 3 minutes
#   FUZZ_SECS=600 scripts/fuzz-smoke.sh   # the long local run
#   SFGEN_FUZZ_PROFILE=ci scripts/fuzz-smoke.sh   # in a cargo profile other than the tests' default
#                                                 # (.ci/run: the ci profile its tests were built in)
#
# A failure prints the shrunk input and SFGEN_FUZZ_SEED=... to reproduce it:
#   SFGEN_FUZZ_SEED=<seed> SFGEN_FUZZ_CASES=256 cargo test --test <file> <target> -- --exact
# Case counts per target are appended to ${SFGEN_FUZZ_LOG:-target}/fuzz-runs.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECS:-15}
PROFILE=()
[ -n "${SFGEN_FUZZ_PROFILE:-}" ] && PROFILE=(--profile "$SFGEN_FUZZ_PROFILE")
export SFGEN_FUZZ_SECS=$SECS
LOG_DIR=${SFGEN_FUZZ_LOG:-${CARGO_TARGET_DIR:-target}}
mkdir -p "$LOG_DIR"
export SFGEN_FUZZ_LOG=$LOG_DIR
targets=(
  "prop_config fuzz_config_bytes"
  "prop_config fuzz_config_json"
  "prop_config fuzz_config_duplicate_keys"
  "prop_config nasty_strings_round_trip"
  "prop_readers fuzz_xml_canon"
  "prop_readers fuzz_xml_wellformed"
  "prop_readers fuzz_canon_pairs"
  "prop_readers fuzz_archive"
  "prop_readers fuzz_apex_coverage"
  "prop_readers fuzz_layouts"
  "prop_readers fuzz_realistic_project"
)
cargo test "${PROFILE[@]}" --locked --test prop_config --test prop_readers --no-run -q
status=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "${targets[@]}"; do
  set -- $t
  echo "== fuzz $2 (${SECS}s)"
  if cargo test "${PROFILE[@]}" --locked -q --test "$1" "$2" -- --exact --nocapture --test-threads=1 >"$out" 2>&1; then
    grep -E "^fuzz " "$out" || true
  else
    cat "$out"
    status=1
  fi
done
exit $status
