import * as assert from 'assert';
import * as vscode from 'vscode';
import { expected, getState, waitFor } from './helpers';

suite('pending migrations webview', () => {
  suiteTeardown(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  test('opens and receives every pending migration of every alias', async () => {
    await vscode.commands.executeCommand('djangoMultiDb.showPendingMigrations');
    // the model is posted after the webview says `ready`, so wait for it
    const model = await waitFor('a model posted to the webview', async () => {
      const w = (await getState()).webview;
      return w?.open ? (w.lastModel ?? w.lastPosted) : undefined;
    }, 20000);
    const json = JSON.stringify(model);
    for (const [name, plan] of Object.entries(expected().plans)) {
      for (const key of plan) {
        const [app, mig] = key.split('.');
        assert.ok(json.includes(key) || (json.includes(`"${app}"`) && json.includes(`"${mig}"`)), `${name}: ${key} missing from the webview's data`);
      }
    }
  });
});
