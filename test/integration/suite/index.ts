// Entry point of the integration tests: VS Code's extension host require()s this file (extensionTestsPath) and
// calls run(); a rejected promise makes the host report exit code 1, a resolved one 0.
// It loads the other compiled suites next to it (scripts/build.mjs bundles test/integration/suite/*.ts into
// dist-test/integration/). DJANGO_MULTIDB_TEST_MODE=untrusted selects the `*.untrusted.test.js` suites, which only
// make sense in a workspace that is not trusted, =bench the `*.bench.test.js` ones (benchmark project); a trusted run
// loads the rest.
import * as fs from 'fs';
import * as path from 'path';
const Mocha = require('mocha');

export function run(): Promise<void> {
  // trusted: the example's suites; untrusted: *.untrusted.test.js; bench: *.bench.test.js; reopen: *.reopen.test.js
  // (the benchmark project opened again in a new window, after the bench suites ran in the first)
  const mode = process.env.DJANGO_MULTIDB_TEST_MODE ?? 'trusted';
  const kind = (f: string) => (/\.(untrusted|bench|reopen)\.test\.js$/.exec(f)?.[1] ?? 'trusted');
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30000, slow: 2000, grep: process.env.DJANGO_MULTIDB_TEST_GREP || undefined });
  const files = fs.readdirSync(__dirname)
    .filter(f => f.endsWith('.test.js') && kind(f) === mode)
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const resultsFile = process.env.DJANGO_MULTIDB_TEST_RESULTS;
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures: number) => {
      // the runner (test/integration/run.js) reads this to report counts; the exit code alone cannot say how many
      if (resultsFile) {
        fs.writeFileSync(resultsFile, JSON.stringify({
          files, passes: runner.stats?.passes ?? 0, failures, pending: runner.stats?.pending ?? 0,
          failed: failedTitles,
        }, null, 2));
      }
      if (failures) reject(new Error(`${failures} integration test(s) failed`)); else resolve();
    });
    const failedTitles: string[] = [];
    runner.on('fail', (t: { fullTitle(): string }, err: Error) => failedTitles.push(`${t.fullTitle()}: ${err?.message}`));
  });
}
