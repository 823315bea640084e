import * as assert from 'assert';
import { alias, djangoPlan, expected, getState, recordMetric, restoreFixtureFile, waitFor } from './helpers';
import * as vscode from 'vscode';

suite('migrate command (real Django venv)', () => {
  // manage.py imports every models file: whatever an earlier suite did to one, migrate sees the example's text
  suiteSetup(() => restoreFixtureFile(expected().crossDbFk.file));

  test('migrating legacy brings its pending count to 0, in the extension and in Django', async function () {
    this.timeout(120000);
    const name = 'legacy';
    const before = expected().plans[name]!;
    assert.ok(before.length > 0, `${name} has pending migrations before`);
    const t0 = Date.now();
    await vscode.commands.executeCommand('djangoMultiDb.migrateDatabase', name);
    await waitFor(`${name} pending = 0`, async () => alias(await getState(), name).pending === 0, 90000, 200);
    recordMetric('migrateLegacyMs', Date.now() - t0);
    assert.deepStrictEqual(djangoPlan(name), [], 'Django agrees nothing is left to apply');
    // the others are untouched
    const s = await getState();
    for (const [other, plan] of Object.entries(expected().plans)) {
      if (other !== name) assert.strictEqual(alias(s, other).pending, plan.length, other);
    }
  });

  test('extension host memory', () => {
    // the suite runs inside the extension host: this is its process
    const m = process.memoryUsage();
    recordMetric('extensionHostMemory', { rssMB: +(m.rss / 2 ** 20).toFixed(1), heapUsedMB: +(m.heapUsed / 2 ** 20).toFixed(1), externalMB: +(m.external / 2 ** 20).toFixed(1) });
  });
});
