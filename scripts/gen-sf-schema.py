#!/usr/bin/env python3
"""Regenerates data/sf/sobjects.tsv.gz, Salesforce's standard-object schema as sfgen embeds it.

Sources:
  - the SObject stubs of the Apex language server apex-ls (sobject-types-61.0.0.jar, BSD-3-Clause,
    io.github.apex-dev-tools, installed by ../shared/tools/sf-conformance under
    ~/.cache/sf-conformance/semantic/apexlink-4.0.1/jars/): every standard object of API 61, its
    fields with their Apex types, lookups with their target and relationship name, and child
    relationships. The class files are read directly (no Java needed).
  - data/sf/sobject-facts.json: what the stubs do not carry (key prefixes, required-on-create,
    createable/updateable, targets of polymorphic lookups), each object with its source cited.

Usage: python3 scripts/gen-sf-schema.py [JAR]. tests/registry.rs fails when the checked-in file and
what this script gives disagree.

Output (gzip of UTF-8 text, one object a line, tab-separated):
  NAME  KEYPREFIX|-  FLAGS  FIELDS  CHILDREN
  FLAGS: "-" when the object takes no DML insert, else empty.
  FIELDS: space-separated NAME:T[FLAGS][>REF,REF...][@RELATIONSHIP]
    T: S String, I Id, T Datetime, B Boolean, N Decimal, i Integer, D Date, t Time, b Blob, L Long,
       A Address, G Location, O Object (any type), X SObject, s List<String>
    FLAGS: ! required on create, r read-only, k createable only, u updateable only
    >REFS: a lookup (targets may be empty for a polymorphic lookup of unknown targets); its
       relationship name is @RELATIONSHIP, or the field name less its "Id" suffix.
  CHILDREN: space-separated RELATIONSHIP=CHILD[.FIELD]
"""
import gzip
import json
import os
import struct
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
    '~/.cache/sf-conformance/semantic/apexlink-4.0.1/jars/sobject-types-61.0.0.jar')
PKG = 'com/nawforce/runforce/'
CODES = {
    'System/String': 'S', 'System/Id': 'I', 'System/Datetime': 'T', 'System/Boolean': 'B',
    'System/Decimal': 'N', 'System/Integer': 'i', 'System/Date': 'D', 'System/Time': 't',
    'System/Blob': 'b', 'System/Long': 'L', 'SObjects/Address': 'A', 'SObjects/Location': 'G',
    'System/SObject': 'X',
}
# Compound value types the stubs keep beside the objects; they are not objects.
NOT_OBJECTS = {'Address', 'Location'}


def class_fields(data):
    """The instance fields (name, descriptor) of a JVM class file, in declaration order."""
    pos = 8
    (count,) = struct.unpack_from('>H', data, pos)
    pos += 2
    pool = [None] * count
    i = 1
    while i < count:
        tag = data[pos]
        pos += 1
        if tag == 1:
            (ln,) = struct.unpack_from('>H', data, pos)
            pool[i] = data[pos + 2:pos + 2 + ln].decode('utf-8')
            pos += 2 + ln
        elif tag in (3, 4, 9, 10, 11, 12, 17, 18):
            pos += 4
        elif tag in (5, 6):
            pos += 8
            i += 1
        elif tag in (7, 8, 16, 19, 20):
            pos += 2
        elif tag == 15:
            pos += 3
        else:
            raise SystemExit(f'unknown constant-pool tag {tag}')
        i += 1
    pos += 6
    (interfaces,) = struct.unpack_from('>H', data, pos)
    pos += 2 + 2 * interfaces
    (nfields,) = struct.unpack_from('>H', data, pos)
    pos += 2
    out = []
    for _ in range(nfields):
        access, name, desc, nattrs = struct.unpack_from('>HHHH', data, pos)
        pos += 8
        for _ in range(nattrs):
            (ln,) = struct.unpack_from('>I', data, pos + 2)
            pos += 6 + ln
        if not access & 0x0008:  # static: SObjectType, Fields
            out.append((pool[name], pool[desc]))
    return out


def load_stubs(jar):
    objects = {}
    with zipfile.ZipFile(jar) as z:
        for entry in sorted(z.namelist()):
            if not entry.startswith(PKG + 'SObjects/') or not entry.endswith('.class') or '$' in entry:
                continue
            name = entry.rsplit('/', 1)[1][:-len('.class')]
            if name not in NOT_OBJECTS:
                objects[name] = class_fields(z.read(entry))
    return objects


def main():
    stubs = load_stubs(JAR)
    with open(os.path.join(ROOT, 'data/sf/sobject-facts.json'), encoding='utf-8') as f:
        facts = json.load(f)
    system_ro = set(facts['systemReadOnly'])
    prefixes = facts['keyPrefixes']
    problems = [f'keyPrefixes: no standard object {o}' for o in prefixes if o not in stubs]
    for o in facts['objects']:
        if o not in stubs:
            problems.append(f'objects: no standard object {o}')

    # Lookups: the stubs pair an Id field `XId` (or `X__c`) with a relationship field `X` (`X__r`).
    lookups = {}
    for obj, fields in stubs.items():
        names = {n for n, _ in fields}
        rel = {}
        for n, d in fields:
            if d.startswith('L' + PKG + 'SObjects/') and d[len(PKG) + 1:-1] not in CODES:
                target = d[len(PKG) + 10:-1]
                idf = n[:-1] + 'c' if n.endswith('__r') else n + 'Id'
                if idf in names:
                    rel[idf] = (n, target)
        lookups[obj] = rel

    lines = []
    for obj, fields in stubs.items():
        of = facts['objects'].get(obj, {})
        known = {n for n, _ in fields}
        for key in ('required', 'readOnly', 'createOnly', 'updateOnly'):
            for n in of.get(key, []):
                if n not in known:
                    problems.append(f'objects.{obj}.{key}: no field {n}')
        for n in of.get('references', {}):
            if n not in lookups[obj]:
                problems.append(f'objects.{obj}.references: {n} is not a lookup')
        required = set(of.get('required', []))
        ro = set(of.get('readOnly', [])) | system_ro
        co = set(of.get('createOnly', []))
        uo = set(of.get('updateOnly', []))
        is_compound_name = 'FirstName' in known and 'LastName' in known
        toks = []
        for n, d in fields:
            if d.startswith('[' + 'L' + PKG + 'SObjects/'):
                continue
            if d.startswith('[L' + PKG + 'System/String'):
                code = 's'
            elif d == 'Ljava/lang/Object;':
                code = 'O'
            elif d.startswith('L' + PKG) and d[len(PKG) + 1:-1] in CODES:
                code = CODES[d[len(PKG) + 1:-1]]
            elif d.startswith('L' + PKG + 'SObjects/'):
                continue  # a relationship field, folded into its Id field
            else:
                problems.append(f'{obj}.{n}: unknown type {d}')
                continue
            flags = ''
            if n in required:
                flags += '!'
            if n in ro or code in 'AG' or (n == 'Name' and is_compound_name):
                flags += 'r'
            elif n in co:
                flags += 'k'
            elif n in uo:
                flags += 'u'
            tok = f'{n}:{code}{flags}'
            if n in lookups[obj]:
                rel, target = lookups[obj][n]
                refs = of.get('references', {}).get(n)
                if refs is None:
                    refs = [] if target == 'Name' else [target]
                tok += '>' + ','.join(refs)
                default_rel = n[:-1] + 'r' if n.endswith('__c') else n[:-2] if n.endswith('Id') else None
                if rel != default_rel:
                    tok += '@' + rel
            toks.append(tok)
        kids = []
        known_children = of.get('children', {})
        for n, d in fields:
            if not d.startswith('[L' + PKG + 'SObjects/'):
                continue
            child = d[len(PKG) + 11:-1]
            if n in known_children:
                kids.append(f'{n}={known_children[n]}')
                continue
            back = [f for f, (_, t) in lookups.get(child, {}).items() if t == obj]
            kids.append(f'{n}={child}.{back[0]}' if len(back) == 1 else f'{n}={child}')
        flags = '-' if of.get('createable') is False else ''
        lines.append('\t'.join([obj, prefixes.get(obj, '-'), flags, ' '.join(toks), ' '.join(kids)]))
    if problems:
        raise SystemExit('sobject-facts.json disagrees with the stubs:\n  ' + '\n  '.join(problems))
    header = (f'# sfgen standard-object schema: {os.path.basename(JAR)} + data/sf/sobject-facts.json; '
              'regenerate with scripts/gen-sf-schema.py\n')
    text = header + '\n'.join(lines) + '\n'
    out = os.path.join(ROOT, 'data/sf/sobjects.tsv.gz')
    with open(out, 'wb') as f:
        f.write(gzip.compress(text.encode('utf-8'), compresslevel=9, mtime=0))
    print(f'{len(lines)} objects, {sum(l.count(":") for l in lines)} fields, '
          f'{len(text)} bytes of text, {os.path.getsize(out)} compressed')


if __name__ == '__main__':
    main()
