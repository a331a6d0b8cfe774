#!/usr/bin/env bash
# CI check of the npm packages: builds them from the release binary (scripts/npm-build.sh),
# packs them, installs the tarballs on a fresh prefix with a fresh cache, offline (npm install
# --global --prefix DIR --offline: nothing comes from a registry), and runs, through the
# installed launcher, `sfgen --version`, the README walkthrough (every command between the
# readme-test markers, in an empty folder), an error exit and `npm exec` (what `npx sfgen`
# runs). Also checks that the main package alone fails with a message naming the missing
# platform package.
#
# usage: scripts/npm-smoke.sh [BINARY]   (default target/release/sfgen, built if missing)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BINARY=${1:-$ROOT/target/release/sfgen}
if [ ! -x "$BINARY" ]; then
  (cd "$ROOT" && cargo build --release --locked)
fi
command -v npm >/dev/null || { echo "error: npm is not installed" >&2; exit 2; }
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)
PLATFORM=$(node -p 'process.platform + "-" + process.arch')
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sfgen-npm-smoke.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "npm smoke: $*" >&2; exit 1; }

"$ROOT/scripts/npm-build.sh" "$BINARY" "$PLATFORM" "$WORK/packages" >/dev/null
MAIN_TGZ=$WORK/packages/sfgen-$VERSION.tgz
PLAT_TGZ=$WORK/packages/sfgen-$PLATFORM-$VERSION.tgz
echo "packed $(basename "$MAIN_TGZ") ($(wc -c < "$MAIN_TGZ") bytes), $(basename "$PLAT_TGZ") ($(wc -c < "$PLAT_TGZ") bytes)"

NPM_FLAGS=(--cache "$WORK/npm-cache" --offline --no-audit --no-fund --loglevel=error)
PREFIX=$WORK/prefix
npm install --global --prefix "$PREFIX" "${NPM_FLAGS[@]}" "$PLAT_TGZ" "$MAIN_TGZ" >/dev/null
[ -x "$PREFIX/bin/sfgen" ] || fail "no sfgen in $PREFIX/bin"
[ -x "$PREFIX/lib/node_modules/@sfgen/$PLATFORM/bin/sfgen" ] || fail "@sfgen/$PLATFORM is not installed"
export PATH="$PREFIX/bin:$PATH"
[ "$(command -v sfgen)" = "$PREFIX/bin/sfgen" ] || fail "sfgen on PATH is $(command -v sfgen), not the npm one"

got=$(sfgen --version)
[ "$got" = "sfgen $VERSION" ] || fail "sfgen --version printed '$got', expected 'sfgen $VERSION'"
echo "sfgen --version: $got"

# The README walkthrough, as tests/readme.rs runs it, through the npm-installed sfgen.
WALK=$WORK/walkthrough
mkdir -p "$WALK"
n=0
while IFS= read -r cmd; do
  n=$((n + 1))
  (cd "$WALK" && NO_COLOR=1 bash -e -o pipefail -c "$cmd") > "$WORK/out.txt" 2>&1 || {
    cat "$WORK/out.txt" >&2
    fail "README command failed through npm: $cmd"
  }
  echo "ok: $cmd"
done < <(sed -n '/<!-- readme-test:start -->/,/<!-- readme-test:end -->/p' "$ROOT/README.md" | sed 's/^[[:space:]]*//' | grep '^sfgen ')
[ "$n" -ge 5 ] || fail "the README walkthrough has only $n commands"
[ -f "$WALK/deploy.zip" ] || fail "the walkthrough wrote no deploy.zip"
grep -q '<members>Webhook</members>' "$WALK/package.xml" || fail "the walkthrough's package.xml lacks Webhook"

# Exit codes and JSON pass through the launcher.
set +e
(cd "$WALK" && sfgen generate -c missing.json --out x --json) > "$WORK/err.json"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "a bad config exited $rc through the launcher, expected 2"
node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); if (v.status !== 2) process.exit(1)' "$WORK/err.json" \
  || fail "the error envelope did not come through: $(cat "$WORK/err.json")"

# npx sfgen (npm exec), from the tarballs.
got=$(cd "$WALK" && npm exec --yes "${NPM_FLAGS[@]}" --package "$PLAT_TGZ" --package "$MAIN_TGZ" -- sfgen --version)
[ "$got" = "sfgen $VERSION" ] || fail "npm exec sfgen --version printed '$got'"
echo "npm exec sfgen --version: $got"

# Without the platform package, the launcher says what is missing.
npm install --global --prefix "$WORK/no-binary" "${NPM_FLAGS[@]}" "$MAIN_TGZ" >/dev/null
set +e
msg=$("$WORK/no-binary/bin/sfgen" --version 2>&1)
rc=$?
set -e
[ "$rc" -eq 2 ] && [[ "$msg" == *"@sfgen/$PLATFORM"*"not installed"* ]] || fail "without the binary package: exit $rc, '$msg'"

echo "npm smoke passed: $(basename "$MAIN_TGZ") + $(basename "$PLAT_TGZ") install offline and run the README walkthrough"
