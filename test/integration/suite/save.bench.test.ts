import * as assert from 'assert';
import * as vscode from 'vscode';
import { activate, expected, getState, recordMetric, timeSaveToDiagnostics, waitFor } from './helpers';

// Runs on the benchmark project (run.js --bench): figures for test-results/vscode-metrics.json, under `bench`.
suite('benchmark project (150 apps × 10 models × 20 migrations)', () => {
  const metric = (name: string, value: unknown) => recordMetric(`bench.${name}`, value);
  let doc: vscode.TextDocument;
  suiteTeardown(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  test('activates and indexes the whole project', async function () {
    this.timeout(120000);
    const t0 = Date.now();
    await activate();
    // getState waits until discovery and the first index (and state read) are done
    const s = await waitFor('the first index', async () => {
      const st = await getState();
      return (st.projects as { indexed?: boolean }[] | undefined)?.[0]?.indexed ? st : undefined;
    }, 110000, 250);
    assert.deepStrictEqual(s.aliases.map(a => a.alias).sort(), ['analytics', 'archive', 'default', 'legacy']);
    metric('activationMs', s.activationMs);
    metric('firstIndexSeenMs', Date.now() - t0);
    const findings = (s.projects as { findings: { code: string }[] }[])[0]!.findings;
    metric('crossDbFindings', findings.filter(f => f.code === 'cross-db-foreign-key').length);
  });

  test('saving a models file updates the diagnostics (timed)', async function () {
    this.timeout(120000);
    doc = await vscode.workspace.openTextDocument(vscode.Uri.file(expected().crossDbFk.file));
    await vscode.window.showTextDocument(doc);
    const runs: number[] = [];
    // the first save also warms up the incremental path; the median of three is the figure
    for (let i = 0; i < 3; i++) runs.push((await timeSaveToDiagnostics(doc, `models.ForeignKey("${expected().crossDbFk.target}", on_delete=models.CASCADE, related_name="+")`)).saveToDiagnosticsMs);
    metric('saveToDiagnosticsMs', [...runs].sort((a, b) => a - b)[1]);
    metric('saveToDiagnosticsRunsMs', runs);
  });

  test('extension host memory', () => {
    const m = process.memoryUsage();
    metric('extensionHostMemory', { rssMB: +(m.rss / 2 ** 20).toFixed(1), heapUsedMB: +(m.heapUsed / 2 ** 20).toFixed(1), externalMB: +(m.external / 2 ** 20).toFixed(1) });
  });
});
