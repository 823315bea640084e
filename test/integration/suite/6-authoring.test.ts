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

  test('a new index asks VS Code for the lenses again only when they changed', async function () {
    this.timeout(120000);
    const file = path.join(expected().projectDir, 'analytics', 'migrations', '0003_pageview.py');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const title = async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10))
      ?.find(l => /runs on|recorded only/.test(l.command?.title ?? ''))?.command?.title;
    await waitFor('the lens of the migration', async () => /runs on analytics/.test((await title()) ?? ''), 30000);
    // how many times VS Code was asked again, once the project is settled: indexed, and Django's answer (a refresh asks
    // again) in; the lenses are compared in a task after the change event
    type S = { projects: { djangoAskIn: number | null }[]; django?: { running?: boolean }[]; codeLens?: { askedAgain: number; reused: number } };
    const asked = async () => {
      await waitFor('Django\'s answer', async () => {
        const s = await vscode.commands.executeCommand<S>('djangoMultiDb.getState');
        return s.django?.[0]?.running !== true && s.projects[0]?.djangoAskIn === null;
      }, 90000, 50);
      await new Promise(r => setTimeout(r, 50));
      return (await vscode.commands.executeCommand<S>('djangoMultiDb.getState')).codeLens?.askedAgain ?? -1;
    };
    // (the lenses as they are once Django answered: VS Code asks for them again after a change only when it redraws)
    await asked();
    await title();
    const before = await asked();
    assert.ok(before >= 0, 'getState reports the lens requests');
    // a new index that changes no lens of the open migration: the routers file saved as it is
    const routers = path.join(expected().projectDir, 'shop', 'routers.py');
    const text = fs.readFileSync(routers, 'utf8');
    fs.writeFileSync(routers, `${text}\n# touched\n`);
    try {
      await vscode.commands.executeCommand('djangoMultiDb.refresh');
      assert.strictEqual(await asked(), before, 'no lens changed: VS Code is not asked again');
      // the analytics router lets its apps migrate everywhere: the migration's lens changes
      assert.ok(text.includes('            return db == "analytics"\n'));
      fs.writeFileSync(routers, text.replace('            return db == "analytics"\n', '            return True\n'));
      await vscode.commands.executeCommand('djangoMultiDb.refresh');
      await waitFor('VS Code asked for the changed lens', async () => (await asked()) > before, 30000);
      const reused = async () => (await vscode.commands.executeCommand<S>('djangoMultiDb.getState')).codeLens?.reused ?? -1;
      const reusedBefore = await reused();
      assert.doesNotMatch((await title()) ?? '', /recorded only on default, legacy/);
      // the lenses compared after the index are the ones given: not worked out a second time for the same index
      assert.ok((await reused()) > reusedBefore, 'the changed lenses are given as compared, not worked out again');
    } finally {
      fs.writeFileSync(routers, text);
      await vscode.commands.executeCommand('djangoMultiDb.refresh');
    }
    await waitFor('the lens as before', async () => /recorded only on default, legacy/.test((await title()) ?? ''), 30000);
  });

  test('the codeLens setting: operations only with "all", none with "off"', async function () {
    this.timeout(60000);
    const file = path.join(expected().projectDir, 'analytics', 'migrations', '0003_pageview.py');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const titles = async () => ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? []).map(l => l.command?.title ?? '');
    const cfg = () => vscode.workspace.getConfiguration('djangoMultiDb', uri);
    await waitFor('the lenses of the migration and of its operations', async () => (await titles()).length > 1, 30000);
    try {
      await cfg().update('codeLens', 'migration', vscode.ConfigurationTarget.Workspace);
      await waitFor('the migration\'s lens only', async () => { const t = await titles(); return t.length === 1 && /runs on|recorded only/.test(t[0]!); }, 15000);
      await cfg().update('codeLens', 'off', vscode.ConfigurationTarget.Workspace);
      await waitFor('no lens', async () => (await titles()).length === 0, 15000);
    } finally {
      await cfg().update('codeLens', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the lenses back', async () => (await titles()).length > 1, 15000);
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
