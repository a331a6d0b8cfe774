#!/usr/bin/env node
// The `sfgen` command of the npm package: runs the prebuilt binary of this platform, which npm
// installed as one of the optional dependencies (@sfgen/linux-x64, @sfgen/darwin-arm64, ...;
// npm skips the ones whose "os" and "cpu" do not match), with the same arguments, standard
// streams, exit code and signals. SFGEN_BINARY=/path/to/sfgen runs that binary instead.
'use strict';

const { spawnSync } = require('child_process');

const PACKAGES = {
  'linux-x64': '@sfgen/linux-x64',
  'linux-arm64': '@sfgen/linux-arm64',
  'darwin-x64': '@sfgen/darwin-x64',
  'darwin-arm64': '@sfgen/darwin-arm64',
  'win32-x64': '@sfgen/win32-x64',
};

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function binary() {
  if (process.env.SFGEN_BINARY) return process.env.SFGEN_BINARY;
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PACKAGES[platform];
  if (!pkg) {
    fail(
      `sfgen has no prebuilt binary for ${platform}\n` +
        '  help: build it from source: cargo install --locked --git https://github.com/your-org/sfgen sfgen',
    );
  }
  const exe = process.platform === 'win32' ? 'sfgen.exe' : 'sfgen';
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch (e) {
    fail(
      `the package ${pkg}, which holds sfgen's binary for ${platform}, is not installed\n` +
        '  help: npm installs it as an optional dependency of sfgen: reinstall without --omit=optional ' +
        `(or --no-optional), or install it yourself: npm install -g ${pkg}`,
    );
  }
  return undefined;
}

const result = spawnSync(binary(), process.argv.slice(2), { stdio: 'inherit', windowsHide: true });
if (result.error) {
  fail(`cannot run ${result.error.path || 'sfgen'}: ${result.error.message}`);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 2 : result.status);
