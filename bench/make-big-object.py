#!/usr/bin/env python3
"""One very large CustomObject, to measure how sfgen reads big XML (issue 21 item 12).

usage: make-big-object.py OUTDIR [FIELDS] [VALUES]    (defaults: 500 fields, 620 picklist values each)

Writes OUTDIR/src (an SFDX project: objects/Big__c/ decomposed into FIELDS field files, each a
restricted picklist of VALUES values) and OUTDIR/org (the same object as one mdapi file,
objects/Big__c.object, with 1% of the fields relabelled: what an org retrieve would hold). The
defaults give a 63 MB object (about 1.55 million elements), the size the issue measured.
"""
import os
import sys

NS = "http://soap.sforce.com/2006/04/metadata"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def field_body(i, values, label, indent):
    p = " " * indent
    out = [f"{p}<fullName>F{i:04d}__c</fullName>", f"{p}<label>{label}</label>", f"{p}<required>false</required>",
           f"{p}<type>Picklist</type>", f"{p}<valueSet>", f"{p}    <restricted>true</restricted>",
           f"{p}    <valueSetDefinition>", f"{p}        <sorted>false</sorted>"]
    for v in range(values):
        out += [f"{p}        <value>", f"{p}            <fullName>Value {i:04d} {v:04d}</fullName>",
                f"{p}            <default>false</default>", f"{p}            <label>Value {i:04d} {v:04d}</label>",
                f"{p}        </value>"]
    out += [f"{p}    </valueSetDefinition>", f"{p}</valueSet>"]
    return "\n".join(out) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    out = sys.argv[1]
    fields = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    values = int(sys.argv[3]) if len(sys.argv) > 3 else 620
    obj_meta = ("    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Big</label>\n"
                "    <nameField>\n        <label>Big Name</label>\n        <type>Text</type>\n    </nameField>\n"
                "    <pluralLabel>Bigs</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n")
    src = os.path.join(out, "src")
    write(os.path.join(src, "sfdx-project.json"),
          '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"62.0"}\n')
    base = os.path.join(src, "force-app/main/default/objects/Big__c")
    write(os.path.join(base, "Big__c.object-meta.xml"), f'{HEAD}<CustomObject xmlns="{NS}">\n{obj_meta}</CustomObject>\n')
    org_fields = []
    for i in range(fields):
        write(os.path.join(base, "fields", f"F{i:04d}__c.field-meta.xml"),
              f'{HEAD}<CustomField xmlns="{NS}">\n{field_body(i, values, f"F{i:04d}", 4)}</CustomField>\n')
        label = f"F{i:04d} (org)" if i % 100 == 7 else f"F{i:04d}"
        org_fields.append(f"    <fields>\n{field_body(i, values, label, 8)}    </fields>\n")
    org = os.path.join(out, "org")
    write(os.path.join(org, "package.xml"),
          f'{HEAD}<Package xmlns="{NS}">\n    <types>\n        <members>Big__c</members>\n'
          f'        <name>CustomObject</name>\n    </types>\n    <version>62.0</version>\n</Package>\n')
    # The object's own elements in the WSDL's order: deploymentStatus, fields, label, ...
    parts = obj_meta.split("    <label>Big</label>\n")
    write(os.path.join(org, "objects", "Big__c.object"),
          f'{HEAD}<CustomObject xmlns="{NS}">\n{parts[0]}{"".join(org_fields)}    <label>Big</label>\n{parts[1]}</CustomObject>\n')


if __name__ == "__main__":
    main()
