// Runs sfdx-git-delta's own entry point (lib/main.js, what `sf sgd source delta` calls) without the
// Salesforce CLI: node sgd-run.mjs SGD_PACKAGE_DIR REPO FROM TO OUTPUT [--generate-delta] [--ignore FILE]
// Prints {"warnings": [...]} and writes OUTPUT as sgd does.
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
const [pkg, repo, from, to, output, ...rest] = process.argv.slice(2)
const sgd = (await import(pathToFileURL(join(pkg, 'lib', 'main.js')).href)).default
const config = {
  from, to, output, repo, source: ['./'],
  generateDelta: rest.includes('--generate-delta'),
  ignore: rest.includes('--ignore') ? rest[rest.indexOf('--ignore') + 1] : undefined,
  ignoreDestructive: undefined, include: undefined, includeDestructive: undefined,
  ignoreWhitespace: false, apiVersion: undefined,
}
process.chdir(repo)
const work = await sgd(config)
console.log(JSON.stringify({ warnings: work.warnings.map(w => w.message) }))
