import * as assert from 'assert';
import * as vscode from 'vscode';
import { expected, hoverText, recordMetric, waitFor } from './helpers';

const ours = (d: vscode.Diagnostic) => /django|multi.?db/i.test(String(d.source ?? '')) || /database/i.test(d.message);

suite('cross-database foreign keys', () => {
  let doc: vscode.TextDocument;
  suiteSetup(async () => {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.file(expected().crossDbFk.file));
    await vscode.window.showTextDocument(doc);
  });
  suiteTeardown(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

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
    const { line } = expected().crossDbFk;
    const { target } = expected().crossDbFk;
    const indent = /^\s*/.exec(doc.lineAt(line).text)![0];
    // a second foreign key to the same model on one new line above the field (the field itself may span lines)
    const added = `${indent}timing_probe = models.ForeignKey("${target}", on_delete=models.DO_NOTHING, related_name="+")`;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(line, 0), added + '\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const t0 = Date.now();
    await doc.save();
    // both the probe (new line) and the original field (moved one line down) flagged = diagnostics of the new text;
    // getDiagnostics() does not shift old ranges on edits
    await waitFor('diagnostics on the probe and on the moved field', () => {
      const lines = new Set(vscode.languages.getDiagnostics(doc.uri).filter(ours).map(x => x.range.start.line));
      return lines.has(line) && lines.has(line + 1);
    }, 15000, 20);
    recordMetric('saveToDiagnosticsMs', Date.now() - t0);

    const undo = new vscode.WorkspaceEdit();
    undo.delete(doc.uri, new vscode.Range(line, 0, line + 1, 0));
    assert.ok(await vscode.workspace.applyEdit(undo));
    await doc.save();
    await waitFor('the diagnostics back on the original field only', () =>
      vscode.languages.getDiagnostics(doc.uri).filter(x => ours(x) && x.range.start.line === line).length === 1, 15000, 20);
  });
});
