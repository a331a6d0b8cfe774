#!/usr/bin/env bash
# sfgen's offline Apex runtime (`sfgen test`) against its floor: the same command without the
# run. The floor is `sfgen test ... --tests <a class the package lacks>`: it reads the package (or
# generates it from the config), parses and links every class and trigger, then stops (exit 2,
# no such test class), which is all `sfgen test` does before it runs anything. The ratio is what
# running the tests costs on top of reading them. No peer: the only other offline Apex runner
# (aer) is closed source and licensed above 100 tests.
#
# usage: bench/apex-runtime.sh                  (from anywhere; release build)
#
#   row              sfgen test (every test)
#   webhook          test -c fixtures/contact-webhook/sfgen.json
#   signed webhook   test -c fixtures/signed-webhook/sfgen.json
#   apex-recipes     test --package <corpus>/apex-recipes
#
# Goals (issue 19): sfgen's own generated tests well under a second, a corpus project in
# seconds, memory bounded (peak RSS printed).
#
# Env: SFGEN (default target/release/sfgen, built if missing), RUNS (default 5), SHARED (the
# folder holding corpus/, default ../shared beside the repository), BENCH_DIR (default
# /dev/shm/sfgen-apex-bench).
# Timing: the machine is shared, so the two commands of a row run in interleaved rounds and are
# compared by medians of wall time; compare ratios within one run. Peak RSS from /usr/bin/time of
# one more run.
set -euo pipefail
RUNS=${RUNS:-5}
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$REPO/../shared" 2>/dev/null && pwd || echo /work/shared)}
BENCH_DIR=${BENCH_DIR:-/dev/shm/sfgen-apex-bench}
mkdir -p "$BENCH_DIR"
if [ -z "${SFGEN:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet)
  SFGEN=${CARGO_TARGET_DIR:-$REPO/target}/release/sfgen
fi
if [ ! -d "$BENCH_DIR/apex-recipes" ] && [ -f "$SHARED/corpus/apex-recipes.tar.gz" ]; then
  tar xzf "$SHARED/corpus/apex-recipes.tar.gz" -C "$BENCH_DIR"
fi

NONE=SfgenBenchNoSuchTestClass
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { # the command's wall time in seconds (exit 0 or 1: a test failing is still a run; 2: the floor)
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || [ $? -le 2 ] || { echo "failed: $*" >&2; exit 2; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
rss() { /usr/bin/time -f %M -o "$BENCH_DIR/rss" "$@" >/dev/null 2>&1 || true; echo $(( $(tail -1 "$BENCH_DIR/rss") / 1024 )); }

row() { # name, the input arguments
  local name=$1; shift
  local a=() b=()
  for _ in $(seq "$RUNS"); do
    a+=("$(secs "$SFGEN" test "$@")")
    b+=("$(secs "$SFGEN" test "$@" --tests "$NONE")")
  done
  local ta tb
  ta=$(printf '%s\n' "${a[@]}" | median)
  tb=$(printf '%s\n' "${b[@]}" | median)
  local tests
  tests=$( ("$SFGEN" --json test "$@" 2>/dev/null || true) | python3 -c 'import json,sys; s=json.load(sys.stdin)["result"]["summary"]; print(s["testsRan"], "ran,", s["passing"], "passed,", s["skipped"], "skipped")' || echo "?")
  printf '%-15s %7.2f s %5d MiB | floor %6.2f s %5d MiB | %5.2fx the floor | %s\n' \
    "$name" "$ta" "$(rss "$SFGEN" test "$@")" "$tb" "$(rss "$SFGEN" test "$@" --tests "$NONE")" \
    "$(echo "$ta / $tb" | bc -l)" "$tests"
}

cd "$REPO"
echo "sfgen test against reading the same package without running it (medians of $RUNS interleaved runs, $("$SFGEN" --version 2>/dev/null || echo sfgen))"
row webhook -c fixtures/contact-webhook/sfgen.json
row "signed webhook" -c fixtures/signed-webhook/sfgen.json
if [ -d "$BENCH_DIR/apex-recipes" ]; then
  row apex-recipes --package "$BENCH_DIR/apex-recipes"
else
  echo "apex-recipes    (no corpus at $SHARED/corpus: skipped)"
fi
