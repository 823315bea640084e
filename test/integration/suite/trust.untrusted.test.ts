import * as assert from 'assert';
import * as vscode from 'vscode';
import { activate, djangoPlan, expected, flatten, getState, waitFor, type TreeNode } from './helpers';

// Runs in a second code-server session with workspace trust enabled and never granted (Restricted Mode).
suite('untrusted workspace (Restricted Mode)', () => {
  test('the workspace really is untrusted', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
  });

  test('the extension activates (limited support) and indexes statically', async () => {
    const ext = await activate();
    assert.ok(ext.isActive);
    const s = await waitFor('aliases from static indexing', async () => {
      const st = await getState();
      return st.aliases.length ? st : undefined;
    });
    assert.strictEqual(s.trusted, false);
    assert.deepStrictEqual(s.aliases.map(a => a.alias).sort(), Object.keys(expected().plans).sort());
    for (const a of s.aliases) {
      assert.strictEqual(a.pending, null, `${a.alias}: no database read, so no pending count`);
      assert.notStrictEqual(a.reachable, true, `${a.alias}: no connection attempted`);
    }
  });

  test('the project\'s .venv is read from disk: Django\'s own apps are indexed, and no error is shown', async () => {
    const s = await waitFor('django.contrib apps in the models tree', async () => {
      const st = await getState();
      return flatten((st.models ?? []) as TreeNode[]).some(x => x.label === 'auth' || x.label === 'contenttypes') ? st : undefined;
    }, 30000);
    assert.ok(s);
    const errors = vscode.languages.getDiagnostics().flatMap(([uri, ds]) => ds
      .filter(d => d.source === 'django-multidb' && d.severity === vscode.DiagnosticSeverity.Error)
      .map(d => `${uri.fsPath}:${d.range.start.line + 1} ${d.message}`));
    assert.deepStrictEqual(errors, []);
  });

  test('static diagnostics still show the cross-database foreign key', async () => {
    const { file, line } = expected().crossDbFk;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await waitFor('the cross-db diagnostic', () => vscode.languages.getDiagnostics(doc.uri).some(d => d.range.start.line === line), 30000);
  });

  test('the static tree still shows: aliases marked restricted, models under their apps', async () => {
    const s = await getState();
    const dbs = (s.databases ?? []) as TreeNode[];
    const nodes = flatten(dbs);
    // the view offers the way out: a first row that opens "Manage Workspace Trust"
    assert.ok(/^Manage Workspace Trust/.test(dbs[0]?.label ?? ''), `first row: ${JSON.stringify(dbs[0])}`);
    for (const name of Object.keys(expected().plans)) {
      const n = nodes.find(x => x.label === name && /^alias/.test(x.contextValue ?? ''));
      assert.ok(n, `alias ${name} in the databases tree: ${JSON.stringify(dbs.map(x => x.label))}`);
      assert.match(n.description ?? '', /restricted/i, `${name}: ${n.description}`);
      assert.doesNotMatch(n.contextValue ?? '', /trusted/, `${name}: no run actions (${n.contextValue})`);
    }
    const models = flatten((s.models ?? []) as TreeNode[]);
    assert.ok(models.some(x => x.label === 'orders'), `app orders in the models tree: ${JSON.stringify(models.slice(0, 10).map(x => x.label))}`);
    assert.ok(models.some(x => /Order\b/.test(x.label)), 'model Order in the models tree');
    const projects = (s.projects ?? []) as { stateReadAt?: unknown }[];
    assert.ok(projects.length > 0 && projects.every(p => p.stateReadAt === null), 'no database state was ever read');
  });

  test('migrate is refused: nothing runs', async () => {
    const before = djangoPlan('legacy');
    assert.ok(before.length > 0);
    // a refusal may show a message; it must not hang or run anything
    await Promise.race([vscode.commands.executeCommand('djangoMultiDb.migrateDatabase', 'legacy').then(undefined, () => undefined),
      new Promise(r => setTimeout(r, 5000))]);
    await new Promise(r => setTimeout(r, 2000));
    assert.deepStrictEqual(djangoPlan('legacy'), before, 'legacy untouched');
    assert.strictEqual(vscode.window.terminals.length, 0, 'no terminal opened');
  });

  test('every command that would run manage.py explains itself and runs nothing', async () => {
    for (const [cmd, arg] of [['djangoMultiDb.migrateDatabase', { alias: 'legacy' }], ['djangoMultiDb.migrateAllDatabases', undefined], ['djangoMultiDb.showMigrations', { alias: 'legacy' }]] as const) {
      const r = await vscode.commands.executeCommand<any>(cmd, arg);
      const first = Array.isArray(r?.results) ? r.results[0] : r;
      assert.strictEqual(first?.status, 'untrusted', `${cmd}: ${JSON.stringify(r)}`);
      assert.match(String(first?.message ?? ''), /Restricted Mode/, `${cmd}: ${JSON.stringify(r)}`);
    }
    assert.strictEqual(vscode.tasks.taskExecutions.length, 0, 'no task started');
    assert.strictEqual(vscode.window.terminals.length, 0, 'no terminal opened');
    assert.deepStrictEqual(djangoPlan('legacy'), expected().plans.legacy, 'legacy untouched');
  });
});
