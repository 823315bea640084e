import * as assert from 'assert';
import * as vscode from 'vscode';
import { activate, profile, recordMetric, waitFor } from './helpers';

// Runs in a second window on the benchmark project (run.js --bench opens it once the first window's suites ran and
// it closed): a returning user. The first window left the last answer in workspace storage and the scan worker's
// on-disk caches and index snapshot (core/index-snapshot.ts) beside it. Figures for test-results/vscode-metrics.json.
suite('benchmark project, opened again', () => {
  const metric = (name: string, value: unknown) => recordMetric(`bench.${name}`, value);
  type Project = { indexed?: boolean; cachedAt?: number | null; indexAskedAt?: number | null; indexedAt?: number | null; timings?: Record<string, number> | null };
  const project = async () => (await vscode.commands.executeCommand<{ projects?: Project[] }>('djangoMultiDb.getState', { wait: false, views: false }))?.projects?.[0];

  test('a returning user\'s first answer: the last session\'s, then a fresh one from the on-disk caches', async function () {
    this.timeout(120000);
    const t0 = Date.now();
    // DJANGO_MULTIDB_BENCH_PROFILE_REOPEN=<file>: a CPU profile of the extension host until the fresh answer
    const profiling = await profile(process.env.DJANGO_MULTIDB_BENCH_PROFILE_REOPEN, undefined);
    await activate();
    // what is shown first: the last session's answer, marked as such
    const first = await waitFor('the first answer', async () => ((await project())?.indexed ? (await project()) : undefined), 110000, 20);
    metric('reopenFirstAnswerMs', Date.now() - t0);
    assert.ok(first.cachedAt, 'the first answer shown is the last session\'s (cachedAt)');
    // the fresh static answer: the scan worker's first index of this session, from the index snapshot when nothing
    // it read changed
    const fresh = await waitFor('the fresh static answer', async () => {
      const p = await project();
      return p?.indexedAt && p.indexedAt >= t0 ? p : undefined;
    }, 110000, 20);
    await profiling.stop();
    metric('reopenFreshAnswerMs', fresh.indexedAt! - t0);
    metric('reopenFreshAnswerPhasesMs', { indexAskedAt: fresh.indexAskedAt ? fresh.indexAskedAt - t0 : null, indexedAt: fresh.indexedAt! - t0, worker: fresh.timings ?? null });
    // `snapshot` is the only phase of an answer from the index snapshot (Scanner.index)
    assert.ok(fresh.timings && 'snapshot' in fresh.timings, `the fresh answer came from the index snapshot (worker phases: ${JSON.stringify(fresh.timings)})`);
  });
});
