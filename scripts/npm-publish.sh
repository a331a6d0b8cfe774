#!/usr/bin/env bash
# Publishes the npm packages that scripts/npm-build.sh wrote into OUTDIR: every platform tarball
# (sfgen-<platform>-VERSION.tgz) first, then the main one (sfgen-VERSION.tgz), which depends on
# them; after it, `npm install --global sfgen@VERSION` works. Refuses unless the main tarball
# records the SHA-256 of every platform tarball's binary (its launcher runs no other), and says
# which platforms have no binary (their users get "not installed" and the from-source hint).
#
# usage: scripts/npm-publish.sh [OUTDIR] [npm publish flags...]
#   OUTDIR  default target/npm
#   flags   passed to every `npm publish`, e.g. --dry-run, --otp 123456, --registry URL, --tag next
# Log in first (npm login, or NPM_TOKEN in ~/.npmrc) with a user who may publish `sfgen` and the
# `@sfgen` scope.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/target/npm}
[ $# -gt 0 ] && shift
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)
MAIN=$OUT/sfgen-$VERSION.tgz
[ -f "$MAIN" ] || { echo "error: no $MAIN (build it with scripts/npm-build.sh BINARY PLATFORM $OUT)" >&2; exit 2; }
shopt -s nullglob
PLATS=("$OUT"/sfgen-*-"$VERSION".tgz)
[ ${#PLATS[@]} -gt 0 ] || { echo "error: no platform tarball in $OUT" >&2; exit 2; }
recorded=$(tar -xzOf "$MAIN" package/package.json | node -e '
  const pkg = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(Object.keys(pkg.sfgenBinaries || {}).sort().join(" "));')
for t in "${PLATS[@]}"; do
  p=${t#"$OUT"/sfgen-}
  p=${p%-"$VERSION".tgz}
  want=$(tar -xzOf "$MAIN" package/package.json | node -e '
    console.log((JSON.parse(require("fs").readFileSync(0, "utf8")).sfgenBinaries || {})[process.argv[1]] || "")' "$p")
  exe=sfgen
  [ "${p%%-*}" = win32 ] && exe=sfgen.exe
  got=$(tar -xzOf "$t" "package/bin/$exe" | node -e '
    const h = require("crypto").createHash("sha256"); process.stdin.on("data", (d) => h.update(d));
    process.stdin.on("end", () => console.log(h.digest("hex")));')
  [ -n "$want" ] && [ "$want" = "$got" ] || {
    echo "error: $MAIN does not record the binary of $(basename "$t") (rebuild the main package last: scripts/npm-build.sh)" >&2
    exit 2
  }
done
echo "publishing sfgen $VERSION with binaries for: $recorded"
for p in linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64; do
  [[ " $recorded " == *" $p "* ]] || echo "note: no binary for $p: sfgen there says so and points to building from source" >&2
done
for t in "${PLATS[@]}"; do npm publish --access public "$@" "$t"; done
npm publish --access public "$@" "$MAIN"
