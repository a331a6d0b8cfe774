#!/usr/bin/env bash
# check --package on a package.xml listing N ApexClass members that have no file (issue 24,
# finding 5: check was quadratic in them). Prints, for each N, the wall time of
# `check --package` and of `diff` on the same package (diff reads the same package.xml and
# never was quadratic), and their ratio: a ratio that stays flat as N grows is linear.
#
# usage: bench/check-members.sh [N...]     (default: 10000 40000 160000)
# Env: SFGEN (default target/release/sfgen, built if missing), BENCH_DIR.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SFGEN=${SFGEN:-$REPO/target/release/sfgen}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/sfgen-check-members}
[ -x "$SFGEN" ] || (cd "$REPO" && cargo build --release -q)
[ $# -gt 0 ] || set -- 10000 40000 160000
secs() { # the command's wall time in seconds (exit 0 and 1 are answers)
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || [ $? -eq 1 ]
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
printf '%8s %9s %9s %7s\n' members check diff ratio
for n in "$@"; do
  d="$BENCH_DIR/$n"
  if [ ! -f "$d/package.xml" ]; then
    mkdir -p "$d"
    {
      printf '<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n    <types>\n'
      seq 0 $((n - 1)) | sed 's/.*/        <members>Missing&<\/members>/'
      printf '        <name>ApexClass</name>\n    </types>\n    <version>62.0</version>\n</Package>\n'
    } >"$d/package.xml"
  fi
  c=$(cd "$REPO" && secs "$SFGEN" check --package "$d")
  f=$(cd "$REPO" && secs "$SFGEN" diff -c fixtures/contact-webhook/sfgen.json --org "$d" --format stat)
  printf '%8d %8.2fs %8.2fs %6.1fx\n' "$n" "$c" "$f" "$(echo "$c / $f" | bc -l)"
done
