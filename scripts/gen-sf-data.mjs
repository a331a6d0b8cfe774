#!/usr/bin/env node
// Regenerates sfgen's checked-in Salesforce data from the packages the pinned Salesforce CLI installs
// (`../shared/tools/sf-conformance --install-only` puts them under ~/.cache/sf-conformance/npm):
//   data/sdr/metadataRegistry.json  source-deploy-retrieve's registry (types, suffixes, folders,
//                                   children, strategies), copied byte for byte
//   data/sf/mime-extensions.json    the extension sf gives a static resource's file for each content
//                                   type (mime 2.6.0 `getExtension`, then SDR's own fallbacks)
// Usage: node scripts/gen-sf-data.mjs [NODE_MODULES_DIR]. tests/registry.rs fails when the copies and
// the installed originals disagree.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const nm = process.argv[2] ?? path.join(os.homedir(), '.cache/sf-conformance/npm/node_modules');
const require = createRequire(path.join(nm, 'noop.js'));
const sdr = path.join(nm, '@salesforce/source-deploy-retrieve');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

fs.copyFileSync(path.join(sdr, 'lib/src/registry/metadataRegistry.json'), path.join(root, 'data/sdr/metadataRegistry.json'));

const mime = require('mime');
const types = new Set([...Object.keys(require('mime/types/standard.js')), ...Object.keys(require('mime/types/other.js'))]);
// staticResourceMetadataTransformer.js: FALLBACK_TYPE_MAP, consulted when mime has no answer.
const fallback = { 'text/javascript': 'js', 'application/x-javascript': 'js', 'application/x-zip-compressed': 'zip', 'text/x-haml': 'haml', 'image/x-png': 'png', 'text/xml': 'xml' };
for (const t of Object.keys(fallback)) types.add(t);
const out = {};
for (const t of [...types].sort()) {
  const ext = mime.getExtension(t) ?? fallback[t];
  if (ext) out[t] = ext;
}
out['*'] = mime.getExtension('application/octet-stream') ?? 'bin';
fs.writeFileSync(path.join(root, 'data/sf/mime-extensions.json'), JSON.stringify({ mime: require('mime/package.json').version, extensions: out }, null, 1) + '\n');
console.log(`registry ${require(path.join(sdr, 'package.json')).version}, ${Object.keys(out).length} content types`);
