#!/usr/bin/env python3
"""Writes data/sf/element-order.json: for every metadata type that has child types in the
source-deploy-retrieve registry (CustomObject, CustomObjectTranslation, Bot, Workflow, ...), the
element sequence of its complexType in the Metadata API WSDL, base type (Metadata: fullName) first.
sfgen recomposes decomposed source into that order, the order an org retrieve returns and the XSD
validates. Usage: scripts/gen-element-order.py [WSDL] (default ../shared/salesforce/metadata.wsdl);
tests/registry.rs fails when the checked-in file and the WSDL disagree."""
import json, os, sys, xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
wsdl = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "salesforce", "metadata.wsdl")
XSD = "{http://www.w3.org/2001/XMLSchema}"
types = {}
for ct in ET.parse(wsdl).getroot().iter(XSD + "complexType"):
    if ct.get("name"):
        types[ct.get("name")] = ct

def sequence(name):
    ct = types.get(name)
    if ct is None:
        return []
    out = []
    ext = ct.find(f"{XSD}complexContent/{XSD}extension")
    node = ct
    if ext is not None:
        out += sequence(ext.get("base").split(":")[-1])
        node = ext
    seq = node.find(XSD + "sequence")
    if seq is not None:
        out += [e.get("name") for e in seq.findall(XSD + "element")]
    return out

registry = json.load(open(os.path.join(ROOT, "data", "sdr", "metadataRegistry.json")))
order = {}
for t in sorted(registry["types"].values(), key=lambda t: t["name"]):
    if t.get("children"):
        seq = sequence(t["name"])
        if seq:
            order[t["name"]] = seq
with open(os.path.join(ROOT, "data", "sf", "element-order.json"), "w") as f:
    json.dump({"wsdl": "Metadata API WSDL v66.0 (../shared/salesforce/metadata.wsdl)", "order": order}, f, indent=1)
    f.write("\n")
print(f"{len(order)} types: {', '.join(order)}")
