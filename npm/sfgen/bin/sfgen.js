#!/usr/bin/env node
// The `sfgen` command of the npm package: runs the prebuilt binary of this platform, which npm
// installed as one of the optional dependencies (@sfgen/linux-x64, @sfgen/darwin-arm64, ...;
// npm skips the ones whose "os" and "cpu" do not match), with the same arguments, standard
// streams, exit code and signals. SFGEN_BINARY=/path/to/sfgen runs that binary instead.
//
// The binary is looked for only where npm puts this package's own dependencies: in this
// package's node_modules (global installs) or beside this package in the same node_modules
// (hoisted: local installs, pnpm). Never in a parent folder's node_modules nor through
// NODE_PATH, as require.resolve would: anyone who can write there could otherwise choose what
// runs. The platform package's version must be this package's, and the binary's SHA-256 the one
// scripts/npm-build.sh recorded in this package's package.json ("sfgenBinaries").
'use strict';

const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const PACKAGES = {
  'linux-x64': '@sfgen/linux-x64',
  'linux-arm64': '@sfgen/linux-arm64',
  'darwin-x64': '@sfgen/darwin-x64',
  'darwin-arm64': '@sfgen/darwin-arm64',
  'win32-x64': '@sfgen/win32-x64',
};

const SOURCE_HINT =
  '  help: build it from source (Rust 1.85 or later): in a clone of sfgen, cargo install --locked --path .';

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return undefined;
  }
}

// The folders npm installs this package's dependency `pkg` into.
function candidates(pkg) {
  const self = path.resolve(__dirname, '..');
  const out = [path.join(self, 'node_modules', pkg)];
  const parent = path.dirname(self);
  if (path.basename(parent) === 'node_modules') out.push(path.join(parent, pkg));
  return out;
}

function sha256(file) {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let n;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

function binary() {
  if (process.env.SFGEN_BINARY) return process.env.SFGEN_BINARY;
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PACKAGES[platform];
  if (!pkg) fail(`sfgen has no prebuilt binary for ${platform}\n${SOURCE_HINT}`);
  const own = readJson(path.resolve(__dirname, '..', 'package.json')) || {};
  const exe = process.platform === 'win32' ? 'sfgen.exe' : 'sfgen';
  const dir = candidates(pkg).find((d) => fs.existsSync(path.join(d, 'package.json')));
  if (!dir) {
    fail(
      `the package ${pkg}, which holds sfgen's binary for ${platform}, is not installed beside sfgen\n` +
        '  help: npm installs it as an optional dependency of sfgen: reinstall sfgen without --omit=optional ' +
        `(or --no-optional), or install ${pkg} with it in the same command`,
    );
  }
  const meta = readJson(path.join(dir, 'package.json')) || {};
  if (meta.name !== pkg || meta.version !== own.version) {
    fail(
      `${dir} holds ${meta.name || 'no package'} ${meta.version || ''}, not ${pkg} ${own.version}: ` +
        'sfgen runs only the binary of its own version\n  help: reinstall sfgen and its platform package together',
    );
  }
  const file = path.join(dir, 'bin', exe);
  const want = (own.sfgenBinaries || {})[platform];
  if (!want) {
    fail(`this sfgen package records no checksum for ${platform}'s binary (it was not built by scripts/npm-build.sh)\n${SOURCE_HINT}`);
  }
  let got;
  try {
    got = sha256(file);
  } catch (e) {
    fail(`cannot read ${file}: ${e.message}`);
  }
  if (got !== want) {
    fail(
      `${file} is not the binary this sfgen ${own.version} was built with (SHA-256 ${got}, expected ${want})\n` +
        '  help: reinstall sfgen and its platform package together',
    );
  }
  return file;
}

const result = spawnSync(binary(), process.argv.slice(2), { stdio: 'inherit', windowsHide: true });
if (result.error) {
  fail(`cannot run ${result.error.path || 'sfgen'}: ${result.error.message}`);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 2 : result.status);
