// Runs Salesforce CLI commands in one Node process, as `sf ARGV...` would in a shell, for
// tests/sf_cli.rs: loading the CLI costs seconds, each command then a fraction of a second.
//
// usage: node sf-runner.mjs JOBS.json RESULTS.json   (SF_CLI_ROOT: the @salesforce/cli folder)
// JOBS: [{cwd, argv}]; RESULTS: [{cwd, argv, error: {name, message} | null, output}], where
// output is what the command printed (stdout and stderr) and error what it threw.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as fs from 'node:fs';

const cliRoot = process.env.SF_CLI_ROOT;
const require = createRequire(cliRoot + '/package.json');
const oclif = await import(pathToFileURL(require.resolve('@oclif/core')).href);
const config = await oclif.Config.load({ root: cliRoot });
const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const results = [];
const stderr = process.stderr.write.bind(process.stderr);
const stdout = process.stdout.write.bind(process.stdout);
for (const job of jobs) {
  let output = '';
  const capture = (chunk) => { output += chunk.toString(); return true; };
  process.stderr.write = capture;
  process.stdout.write = capture;
  let error = null;
  try {
    process.chdir(job.cwd);
    await oclif.run(job.argv, config);
  } catch (e) {
    error = { name: String(e?.name ?? 'Error'), message: String(e?.message ?? e) };
  }
  process.stderr.write = stderr;
  process.stdout.write = stdout;
  results.push({ cwd: job.cwd, argv: job.argv, error, output });
  process.exitCode = 0;
}
fs.writeFileSync(process.argv[3], JSON.stringify(results, null, 1));
process.exit(0);
