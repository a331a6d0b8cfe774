#!/usr/bin/env bash
# Builds sfgen's npm packages from a release binary, laid out as esbuild and Biome ship theirs:
# a main package `sfgen` (a small JS launcher, bin/sfgen.js) with optionalDependencies on one
# package per platform, `@sfgen/<platform>`, each holding that platform's binary and declaring
# its "os" and "cpu" so that npm installs only the matching one.
#
# usage: scripts/npm-build.sh BINARY [PLATFORM] [OUTDIR]
#   BINARY    the release binary (target/release/sfgen; sfgen.exe for win32-x64)
#   PLATFORM  linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64 | win32-x64
#             (default: the platform Node runs on here)
#   OUTDIR    where the package folders and tarballs go (default: target/npm)
#
# Writes OUTDIR/sfgen/ and OUTDIR/sfgen-PLATFORM/, packs them (npm pack) into
# OUTDIR/sfgen-VERSION.tgz and OUTDIR/sfgen-PLATFORM-VERSION.tgz (VERSION from Cargo.toml) and
# prints the two tarball paths. The main package records the SHA-256 of every platform binary
# built into OUTDIR (OUTDIR/binaries.json), and its launcher runs only a binary with one of them:
# for a release, run this once per platform binary into one OUTDIR (for Linux, a static musl
# build runs on every distribution: cargo build --release --target x86_64-unknown-linux-musl);
# the main tarball of the last run names them all. Then scripts/npm-publish.sh OUTDIR
# publishes them (the platform tarballs first, then the main one).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BINARY=${1:?usage: scripts/npm-build.sh BINARY [PLATFORM] [OUTDIR]}
PLATFORM=${2:-$(node -p 'process.platform + "-" + process.arch')}
OUT=${3:-$ROOT/target/npm}
case "$PLATFORM" in
  linux-x64|linux-arm64|darwin-x64|darwin-arm64|win32-x64) ;;
  *) echo "error: unknown platform $PLATFORM (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64)" >&2; exit 2 ;;
esac
[ -f "$BINARY" ] || { echo "error: no binary at $BINARY (build it with cargo build --release --locked)" >&2; exit 2; }
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)
[ -n "$VERSION" ] || { echo "error: no version in Cargo.toml" >&2; exit 2; }
EXE=sfgen
[ "${PLATFORM%%-*}" = win32 ] && EXE=sfgen.exe

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
MAIN=$OUT/sfgen
PLAT=$OUT/sfgen-$PLATFORM
rm -rf "$MAIN" "$PLAT"

# The platform package: the binary, for one os and cpu.
mkdir -p "$PLAT/bin"
cp "$BINARY" "$PLAT/bin/$EXE"
chmod 755 "$PLAT/bin/$EXE"
# The release profile keeps line tables (debug = 1) for backtraces; the package need not carry
# them. Only a binary for this machine can be stripped here.
if [ "$PLATFORM" = "$(node -p 'process.platform + "-" + process.arch')" ] && command -v strip >/dev/null; then
  strip --strip-debug "$PLAT/bin/$EXE" 2>/dev/null || strip -S "$PLAT/bin/$EXE" 2>/dev/null || true
fi
sed "s/PLATFORM/$PLATFORM/g" "$ROOT/npm/platform/README.md" > "$PLAT/README.md"
VERSION=$VERSION PLATFORM=$PLATFORM EXE=$EXE node -e '
  const fs = require("fs"), [os, cpu] = process.env.PLATFORM.split("-");
  const pkg = {
    name: "@sfgen/" + process.env.PLATFORM,
    version: process.env.VERSION,
    description: "The sfgen binary for " + process.env.PLATFORM + " (install sfgen, which depends on it)",
    license: "MIT",
    os: [os],
    cpu: [cpu],
    files: ["bin/" + process.env.EXE, "README.md"],
    preferUnplugged: true,
  };
  fs.writeFileSync(process.argv[1], JSON.stringify(pkg, null, 2) + "\n");
' "$PLAT/package.json"

# The binary's SHA-256, kept in OUTDIR/binaries.json with those of the other platforms built
# into OUTDIR (for this version): the launcher runs a binary only if its hash is recorded here.
BINARIES=$OUT/binaries.json
VERSION=$VERSION PLATFORM=$PLATFORM node -e '
  const fs = require("fs"), crypto = require("crypto"), [file, bin] = process.argv.slice(1);
  let all = {};
  try { all = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) {}
  if (all.version !== process.env.VERSION) all = { version: process.env.VERSION, sha256: {} };
  all.sha256[process.env.PLATFORM] = crypto.createHash("sha256").update(fs.readFileSync(bin)).digest("hex");
  fs.writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
' "$BINARIES" "$PLAT/bin/$EXE"

# The main package: the launcher, with every version pinned to this one and the SHA-256 of every
# platform's binary built so far.
cp -R "$ROOT/npm/sfgen" "$MAIN"
VERSION=$VERSION node -e '
  const fs = require("fs"), [file, binaries] = process.argv.slice(1), v = process.env.VERSION;
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.version = v;
  for (const dep of Object.keys(pkg.optionalDependencies)) pkg.optionalDependencies[dep] = v;
  pkg.sfgenBinaries = JSON.parse(fs.readFileSync(binaries, "utf8")).sha256;
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$MAIN/package.json" "$BINARIES"
chmod 755 "$MAIN/bin/sfgen.js"

(cd "$OUT" && npm pack --silent "$PLAT" "$MAIN" >/dev/null)
for t in "$OUT/sfgen-$PLATFORM-$VERSION.tgz" "$OUT/sfgen-$VERSION.tgz"; do
  [ -f "$t" ] || { echo "error: npm pack did not write $t" >&2; exit 1; }
  echo "$t"
done
