import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { expected, waitFor } from './helpers';

// Migration authoring in the real extension host: the CodeLens of a migration file, "New Migration…" and
// "New Data Migration…" (real makemigrations in a task, the snippet inserted into the new file).
suite('migration authoring', () => {
  const created: string[] = [];
  suiteTeardown(() => {
    for (const f of created) fs.rmSync(f, { force: true });
  });

  test('the CodeLens of a migration says where it runs', async () => {
    const file = path.join(expected().projectDir, 'analytics', 'migrations', '0003_pageview.py');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const lenses = await waitFor('CodeLenses on the migration', async () => {
      const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
      return ls?.some(l => /runs on/.test(l.command?.title ?? '')) ? ls : undefined;
    }, 30000);
    const top = lenses.find(l => /runs on/.test(l.command?.title ?? ''))!;
    assert.match(top.command!.title, /runs on analytics/);
    assert.match(top.command!.title, /recorded only on default, legacy/);
    // clicking it lists the migration's state on each database
    assert.strictEqual(top.command!.command, 'djangoMultiDb.showMigrationState');
  });

  test('New Migration… on an app without changes writes nothing and says so', async function () {
    this.timeout(90000);
    const r = await vscode.commands.executeCommand<any>('djangoMultiDb.newMigration', { apps: ['catalog'], name: '', open: false });
    assert.deepStrictEqual(r, { status: 'ok', files: [] });
  });

  test('New Data Migration… writes a multi-database RunPython into a new file', async function () {
    this.timeout(90000);
    const r = await vscode.commands.executeCommand<any>('djangoMultiDb.newDataMigration', { apps: ['analytics'], name: 'backfill_visits' });
    assert.strictEqual(r?.status, 'ok', JSON.stringify(r));
    assert.strictEqual(r.files.length, 1);
    const file: string = r.files[0];
    created.push(file);
    assert.match(path.basename(file), /^0004_backfill_visits\.py$/);
    const editor = vscode.window.activeTextEditor!;
    assert.strictEqual(editor.document.uri.fsPath, file);
    const text = editor.document.getText();
    assert.match(text, /db_alias = schema_editor\.connection\.alias/);
    assert.match(text, /apps\.get_model\("analytics", "/);
    assert.match(text, /\.using\(db_alias\)/);
    assert.match(text, /migrations\.RunPython\(forwards, backwards/);
    assert.match(text, /\("analytics", "0003_pageview"\)/, 'the dependencies Django chose are kept');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
