#!/usr/bin/env python3
"""Compares two metadata trees (folders or zips, either layout) file by file, as a deploy would
see them: the same files, and for each file the same meaning. XML is compared modulo whitespace
between elements, leading/trailing whitespace of values, `<a/>` vs `<a></a>`, the XML declaration
and the order of sibling elements (sfgen writes recomposed objects in schema order, the Salesforce
CLI appends children); zips (static resources) by their entries; anything else byte for byte.

Usage: compare-trees.py A B [--ignore GLOB ...]. Prints every difference; exit 1 if any."""
import fnmatch, io, os, sys, zipfile
import xml.etree.ElementTree as ET

def files_of(path):
    out = {}
    if os.path.isdir(path):
        for d, _, fs in os.walk(path):
            for f in fs:
                full = os.path.join(d, f)
                out[os.path.relpath(full, path).replace(os.sep, "/")] = open(full, "rb").read()
    else:
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if not n.endswith("/"):
                    out[n] = z.read(n)
        names = list(out)
        tops = {n.split("/")[0] for n in names}
        if len(tops) == 1 and all("/" in n for n in names) and any(n.split("/", 1)[1] == "package.xml" for n in names):
            out = {n.split("/", 1)[1]: b for n, b in out.items()}
    return out

def canon_xml(b):
    root = ET.fromstring(b)
    def walk(e):
        kids = [walk(c) for c in e]
        text = (e.text or "").strip()
        attrs = tuple(sorted(e.attrib.items()))
        return (e.tag, attrs, text if not kids else "", tuple(sorted(kids)))
    return walk(root)

def canon_zip(b):
    with zipfile.ZipFile(io.BytesIO(b)) as z:
        return {n: z.read(n) for n in z.namelist() if not n.endswith("/")}

def same(path, a, b):
    if a == b:
        return True
    if a[:2] == b"PK" and b[:2] == b"PK":
        try:
            return canon_zip(a) == canon_zip(b)
        except Exception:
            return False
    try:
        return canon_xml(a) == canon_xml(b)
    except Exception:
        return False

def main():
    args = sys.argv[1:]
    ignore = []
    while "--ignore" in args:
        i = args.index("--ignore")
        ignore.append(args[i + 1])
        del args[i:i + 2]
    a, b = files_of(args[0]), files_of(args[1])
    skip = lambda p: any(fnmatch.fnmatch(p, g) for g in ignore)
    problems = []
    for p in sorted(set(a) | set(b)):
        if skip(p):
            continue
        if p not in a:
            problems.append(f"only in {args[1]}: {p}")
        elif p not in b:
            problems.append(f"only in {args[0]}: {p}")
        elif not same(p, a[p], b[p]):
            problems.append(f"differs: {p}")
    for line in problems:
        print(line)
    print(f"{len(set(a) | set(b))} files, {len(problems)} differences")
    return 1 if problems else 0

if __name__ == "__main__":
    sys.exit(main())
