import * as assert from 'assert';
import * as vscode from 'vscode';
import { activate, djangoPlan, expected, getState, waitFor } from './helpers';

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

  test('static diagnostics still show the cross-database foreign key', async () => {
    const { file, line } = expected().crossDbFk;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await waitFor('the cross-db diagnostic', () => vscode.languages.getDiagnostics(doc.uri).some(d => d.range.start.line === line), 30000);
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
});
