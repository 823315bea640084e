import * as assert from 'assert';
import * as vscode from 'vscode';
import { expected, hoverText, recordMetric, restoreFixtureFile, timeSaveToDiagnostics, waitFor } from './helpers';

const ours = (d: vscode.Diagnostic) => d.source === 'django-multidb';

suite('cross-database foreign keys', () => {
  let doc: vscode.TextDocument;
  suiteSetup(async () => {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.file(expected().crossDbFk.file));
    await vscode.window.showTextDocument(doc);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // whatever happened above, later suites (migrate runs manage.py, which imports this file) see the original
    restoreFixtureFile(expected().crossDbFk.file);
  });

  test('a diagnostic on the field\'s line names the other database', async () => {
    const { line, field } = expected().crossDbFk;
    const d = await waitFor(`a diagnostic on line ${line + 1} (${field})`, () =>
      vscode.languages.getDiagnostics(doc.uri).find(x => x.range.start.line === line && ours(x)), 30000);
    assert.match(d.message, /legacy/, d.message);
  });

  test('the hover on the field explains which aliases are affected', async () => {
    const { line, column } = expected().crossDbFk;
    const text = await waitFor('a hover mentioning legacy', async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, column)));
      return /legacy/.test(t) ? t : undefined;
    }, 10000);
    assert.match(text, /default|analytics/, text);
  });

  test('Django mode: an autosave asks Django again after 5 s of quiet, a save of the user\'s own after 1 s', async function () {
    this.timeout(60000);
    const state = async () => (await vscode.commands.executeCommand<{ projects: { djangoAskIn: number | null }[]; django: { effective?: string }[] }>('djangoMultiDb.getState', { wait: false }));
    if ((await state()).django[0]?.effective === 'static') this.skip();
    const files = vscode.workspace.getConfiguration('files');
    const askIn = (ms: number) => waitFor(`Django asked again in ${ms} ms`, async () => (await state()).projects[0]?.djangoAskIn === ms, 20000, 20);
    const original = doc.getText();
    try {
      // the user's own save (autosave is off in these tests): Django is asked after the usual second
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(doc.lineCount, 0), '\n# saved by the user\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(await doc.save());
      await askIn(1000);
      // as code-server and vscode.dev save by default: after a delay, while the user types
      await files.update('autoSaveDelay', 200, vscode.ConfigurationTarget.Global);
      await files.update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
      const edit2 = new vscode.WorkspaceEdit();
      edit2.insert(doc.uri, new vscode.Position(doc.lineCount, 0), '# typed, then saved by autosave\n');
      assert.ok(await vscode.workspace.applyEdit(edit2));
      await waitFor('the autosave', () => !doc.isDirty, 10000, 20);
      await askIn(5000);
    } finally {
      await files.update('autoSave', undefined, vscode.ConfigurationTarget.Global);
      await files.update('autoSaveDelay', undefined, vscode.ConfigurationTarget.Global);
      const all = new vscode.WorkspaceEdit();
      all.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
      await vscode.workspace.applyEdit(all);
      await doc.save();
    }
  });

  test('saving a models file updates the diagnostics (timed)', async () => {
    const { target } = expected().crossDbFk;
    const r = await timeSaveToDiagnostics(doc, `models.ForeignKey("${target}", on_delete=models.CASCADE, related_name="+")`);
    recordMetric('saveToDiagnosticsMs', r.saveToDiagnosticsMs);
    recordMetric('saveMs', r.saveMs);
  });
});
