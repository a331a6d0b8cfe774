#!/usr/bin/env bash
# One 63 MB CustomObject (issue 21 item 12): how long `diff` takes on it and how much memory it
# needs, and the same for `check --package` and `convert`.
#
# usage: bench/big-object.sh [FIELDS] [VALUES]     (defaults: 500 620, a 63 MB object)
#
# The workload (bench/make-big-object.py, generated once under $BENCH_DIR, default
# /dev/shm/sfgen-big-object): src/, an SFDX project holding the object decomposed into FIELDS
# picklist fields of VALUES values each, and org/, the same object as one mdapi file with 1% of
# the fields relabelled. Timed: median wall time of RUNS runs (default 3); peak RSS from
# /usr/bin/time of one more run.
#
#   diff     diff --no-generate --include src --org org --format stat    (parses and canonicalises
#            both sides of the object: the case the issue measured)
#   check    check --package org
#   convert  convert --from org --to o --format source
#
# Env: SFGEN (default target/release/sfgen, built if missing), RUNS, BENCH_DIR.
set -euo pipefail
FIELDS=${1:-500}
VALUES=${2:-620}
RUNS=${RUNS:-3}
REPO=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/dev/shm/sfgen-big-object}
SFGEN=${SFGEN:-$REPO/target/release/sfgen}
[ -x "$SFGEN" ] || (cd "$REPO" && cargo build --release -q)
W="$BENCH_DIR/$FIELDS-$VALUES"
if [ ! -d "$W/org" ]; then
  rm -rf "$W"
  python3 "$REPO/bench/make-big-object.py" "$W" "$FIELDS" "$VALUES"
fi
bytes=$(stat -c %s "$W/org/objects/Big__c.object")
elements=$(grep -o '<[A-Za-z]' "$W/org/objects/Big__c.object" | wc -l)
echo "object: $bytes bytes, $elements elements ($FIELDS fields x $VALUES values)"
run() { # name, then the command
  local name=$1; shift
  local times=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$W/o"
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || [ $? -eq 1 ]
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  rm -rf "$W/o"
  /usr/bin/time -f %M -o "$W/rss" "$@" >/dev/null 2>&1 || true
  rm -rf "$W/o"
  local rss
  rss=$(tail -1 "$W/rss")
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-8s %6.2f s  %5d MiB\n' "$name" "$median" "$((rss / 1024))"
}
cd "$W"
run diff "$SFGEN" diff --no-generate --include src --org org --format stat
run check "$SFGEN" check --package org
run convert "$SFGEN" convert --from org --to o --format source
