#!/usr/bin/env python3
"""Mutation check of sfgen's generated Apex: do the generated tests notice small changes?

For each fixture config (default: fixtures/contact-webhook/sfgen.json) the script generates the
package (mdapi), then makes mutants of the generated non-test Apex (every class and trigger that
is not @IsTest), one change each:

- operator flipped: == and !=, < and >=, > and <=, && and ||, + and - (outside strings),
  true and false;
- statement removed: one executable statement line (ending with `;`, not a declaration) is
  replaced by an empty statement;
- constant changed: an integer literal n becomes n + 1.

Each mutant is run with `sfgen test --package MUTANT --json` (sfgen's offline Apex runtime). A
mutant is *killed* when a test whose outcome was Pass on the unmutated package is no longer a
Pass (it fails, or the mutant does not compile); it *survives* otherwise. Mutants that change
nothing the tests can run (every test skipped) are not counted. The check fails when fewer than
--min-kill percent (default 80) of the mutants are killed, and prints every survivor.

Mutants are taken in source order and spread evenly when there are more than --max (default
200), so the run is deterministic and bounded.

Usage: scripts/mutation-check.py [--sfgen target/release/sfgen] [--config FILE]... [--min-kill 80]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

OPS = [("==", "!="), ("!=", "=="), ("<=", ">"), (">=", "<"), ("&&", "||"), ("||", "&&")]
SINGLE = [("<", ">="), (">", "<="), ("+", "-"), ("-", "+")]


def code_spans(line):
    """(start, end) spans of a line outside string literals and // comments."""
    spans, i, start, in_str = [], 0, 0, False
    while i < len(line):
        c = line[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == "'":
                in_str = False
                start = i + 1
        else:
            if c == "'":
                spans.append((start, i))
                in_str = True
            elif line.startswith("//", i):
                spans.append((start, i))
                return spans
        i += 1
    if not in_str:
        spans.append((start, len(line)))
    return spans


def mutants_of(text):
    """Every (description, new text) mutant of one file."""
    lines = text.split("\n")
    out = []
    in_block_comment = False
    for n, line in enumerate(lines):
        stripped = line.strip()
        if in_block_comment:
            if "*/" in stripped:
                in_block_comment = False
            continue
        if stripped.startswith("/*"):
            in_block_comment = "*/" not in stripped
            continue
        if stripped.startswith("*") or stripped.startswith("//") or stripped.startswith("@"):
            continue
        spans = code_spans(line)
        # Operators.
        for a, b in OPS:
            for s, e in spans:
                for m in re.finditer(re.escape(a), line[s:e]):
                    i = s + m.start()
                    out.append((f"line {n + 1}: {a} -> {b}", lines[:n] + [line[:i] + b + line[i + len(a):]] + lines[n + 1:]))
        for a, b in SINGLE:
            for s, e in spans:
                for m in re.finditer(re.escape(a), line[s:e]):
                    i = s + m.start()
                    prev, nxt = line[i - 1:i], line[i + 1:i + 2]
                    # Only the binary operator itself: not <=, >=, ->, ++, --, +=, generics (<T>).
                    if nxt in ("=", a, ">") or prev in ("=", "!", a, "<", ">"):
                        continue
                    if a in "<>" and (re.match(r"\s*[A-Z]", line[i + 1:]) or re.search(r"[A-Za-z]$", line[:i]) and not re.search(r"\s$", line[:i])):
                        continue
                    if a in "+-" and not (line[i - 1:i] == " " and nxt == " "):
                        continue
                    out.append((f"line {n + 1}: {a} -> {b}", lines[:n] + [line[:i] + b + line[i + 1:]] + lines[n + 1:]))
        for a, b in (("true", "false"), ("false", "true")):
            for s, e in spans:
                for m in re.finditer(r"\b" + a + r"\b", line[s:e]):
                    i = s + m.start()
                    out.append((f"line {n + 1}: {a} -> {b}", lines[:n] + [line[:i] + b + line[i + len(a):]] + lines[n + 1:]))
        # Integer constants.
        for s, e in spans:
            for m in re.finditer(r"(?<![\w.])(\d+)(?![\w.])", line[s:e]):
                i = s + m.start()
                v = int(m.group(1))
                out.append((f"line {n + 1}: {v} -> {v + 1}", lines[:n] + [line[:i] + str(v + 1) + line[i + len(m.group(1)):]] + lines[n + 1:]))
        # A statement removed (not a debug log line: removing one changes nothing a test may
        # observe, by design).
        if stripped.endswith(";") and not stripped.startswith("System.debug") and not re.match(r"^(return\b|throw\b|break\b|continue\b|private|public|protected|global|static|final|[A-Z][\w.<>, \[\]]*\s+\w+\s*(=|;))", stripped):
            indent = line[: len(line) - len(line.lstrip())]
            out.append((f"line {n + 1}: statement removed", lines[:n] + [indent + ";"] + lines[n + 1:]))
    return [(d, "\n".join(t)) for d, t in out]


def run_tests(sfgen, pkg):
    p = subprocess.run([sfgen, "--json", "test", "--package", pkg], capture_output=True, text=True, timeout=600)
    try:
        v = json.loads(p.stdout)
    except json.JSONDecodeError:
        return None
    if "result" not in v:
        return None
    return {t["FullName"]: t["Outcome"] for t in v["result"]["tests"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sfgen", default="target/release/sfgen")
    ap.add_argument("--config", action="append")
    ap.add_argument("--min-kill", type=float, default=80.0)
    ap.add_argument("--max", type=int, default=200)
    args = ap.parse_args()
    configs = args.config or ["fixtures/contact-webhook/sfgen.json"]
    total_killed = total = 0
    survivors = []
    for cfg in configs:
        work = tempfile.mkdtemp(prefix="sfgen-mutation-")
        base = os.path.join(work, "base")
        g = subprocess.run([args.sfgen, "generate", "-q", "-c", cfg, "--format", "mdapi", "--out", base], capture_output=True, text=True)
        if g.returncode != 0:
            print(g.stdout + g.stderr)
            sys.exit(2)
        baseline = run_tests(args.sfgen, base)
        if not baseline:
            print(f"{cfg}: the unmutated package's tests did not run")
            sys.exit(2)
        passing = {k for k, v in baseline.items() if v == "Pass"}
        files = []
        for folder in ("classes", "triggers"):
            d = os.path.join(base, folder)
            for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                if not (name.endswith(".cls") or name.endswith(".trigger")):
                    continue
                text = open(os.path.join(d, name), encoding="utf-8").read()
                if re.search(r"@IsTest", text, re.I):
                    continue
                files.append((os.path.join(folder, name), text))
        mutants = [(f, d, t) for f, text in files for d, t in mutants_of(text)]
        if len(mutants) > args.max:
            step = len(mutants) / args.max
            mutants = [mutants[int(i * step)] for i in range(args.max)]
        killed = counted = 0
        for rel, desc, text in mutants:
            m = os.path.join(work, "m")
            shutil.rmtree(m, ignore_errors=True)
            shutil.copytree(base, m)
            with open(os.path.join(m, rel), "w", encoding="utf-8") as fh:
                fh.write(text)
            got = run_tests(args.sfgen, m)
            if got is None:
                # sfgen gave no report (it must not: a mutant is just Apex): a failure of the check.
                print(f"{cfg}: {rel} {desc}: sfgen test gave no JSON report")
                sys.exit(2)
            if all(v == "Skip" for v in got.values()):
                continue
            counted += 1
            if any(got.get(k) != "Pass" for k in passing):
                killed += 1
            else:
                survivors.append(f"{cfg}: {rel} {desc}")
        shutil.rmtree(work, ignore_errors=True)
        print(f"{cfg}: {killed} of {counted} mutants killed ({100.0 * killed / max(counted, 1):.1f}%)")
        total_killed += killed
        total += counted
    rate = 100.0 * total_killed / max(total, 1)
    for s in survivors:
        print(f"  survived: {s}")
    print(f"mutation check: {total_killed} of {total} mutants killed ({rate:.1f}%), minimum {args.min_kill}%")
    sys.exit(0 if total and rate >= args.min_kill else 1)


if __name__ == "__main__":
    main()
