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

  test('saving a models file updates the diagnostics (timed)', async () => {
    const { target } = expected().crossDbFk;
    const r = await timeSaveToDiagnostics(doc, `models.ForeignKey("${target}", on_delete=models.CASCADE, related_name="+")`);
    recordMetric('saveToDiagnosticsMs', r.saveToDiagnosticsMs);
    recordMetric('saveMs', r.saveMs);
  });
});
