import * as assert from 'assert';
import * as vscode from 'vscode';
import { alias, djangoPlan, expected, getState, waitFor } from './helpers';

// The deployment plan in the extension (issue "MySQL/MariaDB, drift, deployment plan", item 3): after the migrate
// suite, only 'analytics' has pending work; the plan copies its command and runs it through Migrate Database.
suite('deployment plan', () => {
  test('Copy Deployment Commands puts the ordered migrate commands on the clipboard', async function () {
    this.timeout(60000);
    const pending = Object.entries(expected().plans).filter(([a]) => djangoPlan(a).length).map(([a]) => a);
    assert.ok(pending.includes('analytics'), `analytics still has pending migrations: ${pending.join(', ')}`);
    const r = await vscode.commands.executeCommand<any>('djangoMultiDb.copyDeploymentCommands');
    assert.strictEqual(r?.copied, true, JSON.stringify(r));
    assert.deepStrictEqual(r.steps, pending);
    assert.match(r.text, /manage\.py migrate --noinput --database=analytics/);
    assert.strictEqual(await vscode.env.clipboard.readText(), r.text);
  });

  test('Run Deployment Plan migrates every database that needs it, in order, and Django agrees', async function () {
    this.timeout(180000);
    const r = await vscode.commands.executeCommand<any>('djangoMultiDb.runDeploymentPlan', { confirm: false });
    assert.strictEqual(r?.stoppedAt, null, JSON.stringify(r));
    assert.ok(r.results.length >= 1 && r.results.every((x: { status: string }) => x.status === 'ok'), JSON.stringify(r.results));
    for (const a of Object.keys(expected().plans)) assert.deepStrictEqual(djangoPlan(a), [], `Django: nothing left on ${a}`);
    await waitFor('every alias at 0 pending in the extension', async () => {
      const s = await getState();
      return Object.keys(expected().plans).every(a => alias(s, a).pending === 0);
    }, 90000, 200);
  });
});
