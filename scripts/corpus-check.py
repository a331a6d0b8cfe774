#!/usr/bin/env python3
"""Run `sfgen check --package` on the public corpus projects and print the figures.

Usage: scripts/corpus-check.py [--sfgen BIN] [--keep DIR] [--json OUT] [ARCHIVE_OR_DIR ...]

Default inputs: ../shared/corpus/*.tar.gz (or $SFGEN_SHARED/corpus). Each archive is unpacked into
a temporary folder and checked as the SFDX project it is (`check --package <project dir>`).
When sfgen's reader cannot read the project (exit 2; before issue 10's reader lands it does not
know every metadata type), the project is converted with the pinned Salesforce CLI (`sfx project
convert source`) and the folders sfgen does not know are dropped (with their package.xml
entries); the report says which input was used.

Printed per project: errors and warnings by rule, the coverage range (proven covered, unknown,
proven not covered; [low, high] and the point estimate) and every error finding.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def sfgen_json(binary, package):
    p = subprocess.run([binary, "--json", "check", "--package", package], capture_output=True, text=True)
    try:
        return p.returncode, json.loads(p.stdout)
    except json.JSONDecodeError:
        return p.returncode, {"message": p.stdout + p.stderr}


def unknown_folder(message):
    m = re.search(r'no metadata type explains "([^"/]+)/', message or "")
    return m.group(1) if m else None


def filtered_mdapi(binary, project, work):
    """The project converted to mdapi by the Salesforce CLI, minus the folders sfgen cannot read."""
    out = os.path.join(work, "mdapi")
    subprocess.run(["sfx", "project", "convert", "source", "--output-dir", out], cwd=project, check=True,
                   capture_output=True)
    dropped = []
    for _ in range(40):
        code, doc = sfgen_json(binary, out)
        folder = unknown_folder(doc.get("message")) if code == 2 else None
        if not folder:
            break
        shutil.rmtree(os.path.join(out, folder))
        dropped.append(folder)
    if dropped:
        # package.xml types whose only folder was dropped
        known = {"cachePartitions": "PlatformCachePartition", "dw": "DataWeaveResource", "prompts": "Prompt"}
        ns = "http://soap.sforce.com/2006/04/metadata"
        ET.register_namespace("", ns)
        px = os.path.join(out, "package.xml")
        tree = ET.parse(px)
        for t in list(tree.getroot().findall(f"{{{ns}}}types")):
            name = t.find(f"{{{ns}}}name")
            if name is not None and name.text in {known.get(d, "") for d in dropped}:
                tree.getroot().remove(t)
        tree.write(px, xml_declaration=True, encoding="UTF-8")
    return out, dropped


def summary(name, used, dropped, doc):
    r = doc.get("result") or {}
    if not r:
        return {"project": name, "error": doc.get("message")}
    rules = Counter(f"{f['severity']}:{f['rule']}" for f in r.get("findings", []))
    s = {
        "project": name,
        "input": used,
        "dropped": dropped,
        "errors": r.get("errors"),
        "warnings": r.get("warnings"),
        "byRule": dict(sorted(rules.items())),
        "overall": r.get("overall"),
        "range": r.get("overallRange"),
        "lines": {k: r.get(k) for k in ("overallCoveredLines", "overallUnknownLines", "overallTotalLines")},
        "errorFindings": [f"{f['rule']} {f['component']}: {f['message']}" for f in r.get("findings", [])
                          if f["severity"] == "error"],
    }
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sfgen", default=os.path.join(ROOT, "target", "debug", "sfgen"))
    ap.add_argument("--json", help="write the summaries here")
    ap.add_argument("--keep", help="unpack here (kept) instead of a temporary folder")
    ap.add_argument("inputs", nargs="*")
    a = ap.parse_args()
    shared = os.environ.get("SFGEN_SHARED", os.path.join(ROOT, "..", "shared"))
    inputs = a.inputs or sorted(os.path.join(shared, "corpus", f) for f in os.listdir(os.path.join(shared, "corpus"))
                                if f.endswith(".tar.gz"))
    results = []
    scratch = None if a.keep else tempfile.TemporaryDirectory(prefix="sfgen-corpus-")
    for inp in inputs:
        work = a.keep or scratch.name
        name = os.path.basename(inp).removesuffix(".tar.gz")
        work = os.path.join(work, name + ".d")
        os.makedirs(work, exist_ok=True)
        if inp.endswith(".tar.gz"):
            with tarfile.open(inp) as t:
                t.extractall(work, filter="data")
            project = os.path.join(work, name)
        else:
            project = inp
        code, doc = sfgen_json(a.sfgen, project)
        used, dropped = "project", []
        if code == 2:
            mdapi, dropped = filtered_mdapi(a.sfgen, project, work)
            code, doc = sfgen_json(a.sfgen, mdapi)
            used = "filtered mdapi (sfx project convert source)"
        s = summary(name, used, dropped, doc)
        s["exit"] = code
        results.append(s)
        print(json.dumps(s, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    if scratch:
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
