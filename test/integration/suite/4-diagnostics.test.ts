import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
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

  // the models file typed empty and left unsaved (code-server saves after a delay by default: autosave off meanwhile),
  // and back as on disk
  const typeEmpty = async () => {
    await vscode.window.showTextDocument(doc);
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    const we = new vscode.WorkspaceEdit();
    we.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), '');
    assert.ok(await vscode.workspace.applyEdit(we));
  };
  const revertTyped = async () => {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
  };

  test('a diagnostic on the field\'s line names the other database', async () => {
    const { line, field } = expected().crossDbFk;
    const d = await waitFor(`a diagnostic on line ${line + 1} (${field})`, () =>
      vscode.languages.getDiagnostics(doc.uri).find(x => x.range.start.line === line && ours(x)), 30000);
    assert.match(d.message, /legacy/, d.message);
    // its code links to the documentation installed with the extension, at the code's heading
    const code = d.code as { value: string; target: vscode.Uri };
    assert.equal(code.value, 'cross-db-foreign-key');
    assert.equal(code.target.scheme, 'file');
    assert.equal(path.basename(code.target.fsPath), 'findings.md');
    const heading = fs.readFileSync(code.target.fsPath, 'utf8').split('\n')[Number(/^L(\d+)$/.exec(code.target.fragment)![1]) - 1];
    assert.equal(heading, '### cross-db-foreign-key');
  });

  test('the crossDatabaseForeignKeys setting sets the severity, "off" hides it, and the default comes back', async function () {
    this.timeout(60000);
    const { line } = expected().crossDbFk;
    const cfg = () => vscode.workspace.getConfiguration('djangoMultiDb', doc.uri);
    const at = () => vscode.languages.getDiagnostics(doc.uri).find(x => x.range.start.line === line && ours(x) && /legacy/.test(x.message));
    await waitFor('the warning', () => at()?.severity === vscode.DiagnosticSeverity.Warning, 30000);
    try {
      await cfg().update('diagnostics.crossDatabaseForeignKeys', 'error', vscode.ConfigurationTarget.Workspace);
      await waitFor('an error', () => at()?.severity === vscode.DiagnosticSeverity.Error, 15000);
      await cfg().update('diagnostics.crossDatabaseForeignKeys', 'off', vscode.ConfigurationTarget.Workspace);
      await waitFor('no diagnostic', () => !at(), 15000);
    } finally {
      await cfg().update('diagnostics.crossDatabaseForeignKeys', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the warning back', () => at()?.severity === vscode.DiagnosticSeverity.Warning, 15000);
  });

  test('the hover on the field explains which aliases are affected', async () => {
    const { line, column } = expected().crossDbFk;
    const text = await waitFor('a hover mentioning legacy', async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, column)));
      return /legacy/.test(t) ? t : undefined;
    }, 10000);
    assert.match(text, /default|analytics/, text);
  });

  test('a related link follows what it points at: a line typed above the target model moves it, undoing it moves it back', async function () {
    this.timeout(60000);
    const { line } = expected().crossDbFk;
    const target = () => vscode.languages.getDiagnostics(doc.uri).find(x => x.range.start.line === line && ours(x))
      ?.relatedInformation?.find(r => /^target model /.test(r.message));
    const before = await waitFor('a "target model" link on the cross-database diagnostic', target, 30000);
    const at = before.location.range.start.line;
    // the diagnostic itself does not change (its finding is the same, in a file not edited): only where the link goes
    const other = await vscode.workspace.openTextDocument(before.location.uri);
    await vscode.window.showTextDocument(other, { preview: false });
    try {
      const we = new vscode.WorkspaceEdit();
      we.insert(other.uri, new vscode.Position(0, 0), '# a line typed above the models\n');
      assert.ok(await vscode.workspace.applyEdit(we));
      await waitFor('the link one line lower', () => target()?.location.range.start.line === at + 1 || undefined, 30000);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    await waitFor('the link where it was', () => target()?.location.range.start.line === at || undefined, 30000);
  });

  test('Show Analysis Status: the index, each database, the scan worker, and how long a typed edit took to reach the diagnostics', async function () {
    this.timeout(60000);
    const status = async () => (await vscode.commands.executeCommand<string>('djangoMultiDb.showStatus')) ?? '';
    await vscode.window.showTextDocument(doc);
    // (code-server saves after a delay by default: the typed line must not reach the disk)
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    try {
      // an edit typed (not saved): counted once the diagnostics that read it are set
      const we = new vscode.WorkspaceEdit();
      we.insert(doc.uri, new vscode.Position(0, 0), '# typed for the status document\n');
      assert.ok(await vscode.workspace.applyEdit(we));
      const text = await waitFor('an edit counted in the status document', async () => {
        const t = await status();
        return /- Last \d+ edits?, from the edit to its diagnostics:\n {2}- in the files open in editors: p50 \d+ ms/.test(t) ? t : undefined;
      }, 30000);
      assert.match(text, /^# Django Multi-DB: analysis status\n/);
      assert.match(text, /- Index: \d+ apps, \d+ models, \d+ migrations, \d+ databases; findings: /);
      assert.match(text, /- Last index: .* UTC, \d+ ms in the scan worker/);
      assert.match(text, /- Edits analysed: as you type/);
      for (const alias of Object.keys(expected().plans)) assert.ok(text.includes(`- \`${alias}\``), `alias ${alias} listed`);
      assert.match(text, /- Scan worker: its own process; pid \d+, memory \(RSS\) \d+ MB, peak \d+ MB/);
      assert.match(text, /- Extension host: pid \d+, memory \(RSS\) \d+ MB/);
      // the read-only document shows it, as Markdown (VS Code reads a changed document's text after the command)
      const shown = vscode.workspace.textDocuments.find(d => d.uri.scheme === 'django-multidb-status');
      assert.ok(shown, 'the status document is open');
      assert.equal(shown.languageId, 'markdown');
      await waitFor('the document with the edit counted', () => /- Last \d+ edits?, from the edit to its diagnostics:/.test(shown.getText()) || undefined, 10000);
      assert.match(shown.getText(), /^# Django Multi-DB: analysis status\n/);
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.window.showTextDocument(doc);
    }
    assert.equal(doc.getText(), fs.readFileSync(doc.uri.fsPath, 'utf8'), 'the models file as on disk again');
    assert.doesNotMatch(doc.getText(), /typed for the status document/);
  });

  test('a file whose findings are gone keeps nothing of the index they came from', async function () {
    this.timeout(60000);
    const kept = async () => (await vscode.commands.executeCommand<{ diagnosticsKept?: string[] }>('djangoMultiDb.getState')).diagnosticsKept ?? [];
    await waitFor('the models file\'s diagnostics kept', async () => (await kept()).includes(doc.uri.fsPath) || undefined, 30000);
    await vscode.window.showTextDocument(doc);
    try {
      // the models typed away: the file has no findings (its diagnostics were kept with the index they came from:
      // kept any longer, that index's routing, models and migrations would stay in memory with them)
      const we = new vscode.WorkspaceEdit();
      we.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), '');
      assert.ok(await vscode.workspace.applyEdit(we));
      await waitFor('no diagnostics on the emptied file', () => !vscode.languages.getDiagnostics(doc.uri).some(ours) || undefined, 30000);
      await waitFor('its diagnostics no longer kept', async () => !(await kept()).includes(doc.uri.fsPath) || undefined, 10000);
      // every file still kept has diagnostics (once the update has sent them all)
      const notShown = async () => {
        const shown = new Set(vscode.languages.getDiagnostics().filter(([, ds]) => ds.some(ours)).map(([u]) => u.fsPath));
        return (await kept()).filter(f => !shown.has(f));
      };
      await waitFor('no file kept without diagnostics', async () => (await notShown()).length === 0 || undefined, 10000).catch(async () => {
        assert.deepStrictEqual(await notShown(), []);
      });
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    const { line } = expected().crossDbFk;
    await waitFor('the diagnostic back', () => vscode.languages.getDiagnostics(doc.uri).find(x => x.range.start.line === line && ours(x)), 30000);
  });

  test('djangoMultiDb.run "onSave": typed text is not analysed; "onType" analyses the unsaved text at once, "onSave" the disk\'s again', async function () {
    this.timeout(90000);
    const { line } = expected().crossDbFk;
    const at = () => vscode.languages.getDiagnostics(doc.uri).find(x => x.range.start.line === line && ours(x));
    const cfg = () => vscode.workspace.getConfiguration('djangoMultiDb', doc.uri);
    // the setting written, and taken by the extension (its change event comes after the write resolves)
    const setRun = async (run: 'onType' | 'onSave' | undefined) => {
      await cfg().update('run', run, vscode.ConfigurationTarget.Workspace);
      await waitFor(`run ${run ?? 'onType'} taken`, async () => (await vscode.commands.executeCommand<{ projects: { run: string }[] }>('djangoMultiDb.getState', { wait: false, views: false })).projects.every(p => p.run === (run ?? 'onType')) || undefined, 10000);
    };
    await waitFor('the cross-database diagnostic', at, 30000);
    try {
      await setRun('onSave');
      // the models typed away, not saved: nothing is analysed (the index, and so the diagnostic, is the disk's)
      await typeEmpty();
      assert.ok(doc.isDirty);
      await new Promise(r => setTimeout(r, 1500));
      assert.ok(at(), 'onSave: the diagnostic of the file on disk stays while the emptied text is unsaved');
      // onType: the unsaved text is analysed now, without another keystroke
      await setRun('onType');
      await waitFor('no diagnostics on the emptied buffer', () => !vscode.languages.getDiagnostics(doc.uri).some(ours) || undefined, 30000);
      // onSave again: the buffer is dropped, the file on disk is what counts
      await setRun('onSave');
      await waitFor('the diagnostic of the file on disk back', at, 30000);
      assert.ok(doc.isDirty, 'still unsaved');
    } finally {
      await setRun(undefined);
      await revertTyped();
    }
    await waitFor('the diagnostic after the revert', at, 30000);
  });

  test('Restart Analysis: a new scan worker process, and the unsaved text of open files is still what is analysed', async function () {
    this.timeout(90000);
    const { line } = expected().crossDbFk;
    const at = () => vscode.languages.getDiagnostics(doc.uri).find(x => x.range.start.line === line && ours(x));
    type S = { scanWorkerPid: number | null; indexesAskedAgain: number; projects: { indexed: boolean }[] };
    const state = async () => (await vscode.commands.executeCommand<S>('djangoMultiDb.getState', { wait: false, views: false }));
    await waitFor('the cross-database diagnostic', at, 30000);
    const { scanWorkerPid: before, indexesAskedAgain } = await state();
    try {
      // the restart asked while the edit's index runs (typing asks for it at once): the index the old worker was
      // making is not asked again of the new one (the replaced project's call ends with the old worker)
      await typeEmpty();
      const r = await vscode.commands.executeCommand<Omit<S, 'projects'> & { projects: { indexed: boolean; error: string | null }[] }>('djangoMultiDb.restart');
      assert.ok(r.projects.length && r.projects.every(p => p.indexed && !p.error), JSON.stringify(r));
      if (before !== null) assert.ok(r.scanWorkerPid !== null && r.scanWorkerPid !== before, `a new worker process (${before} -> ${r.scanWorkerPid})`);
      // no index was asked of the old worker and then again of the new one (the replaced projects' calls end with it)
      assert.strictEqual(r.indexesAskedAgain, indexesAskedAgain, 'indexes asked again of the new worker');
      // the index after the restart read the buffer, not the disk: the diagnostic does not come back
      await vscode.commands.executeCommand('djangoMultiDb.getState');
      assert.ok(doc.isDirty);
      assert.ok(!vscode.languages.getDiagnostics(doc.uri).some(ours), 'the emptied buffer is still what is analysed');
    } finally {
      await revertTyped();
    }
    await waitFor('the diagnostic after the revert', at, 30000);
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

  test('Django mode: a migration typed and not saved keeps its error when a save elsewhere has Django answer again', async function () {
    // (Django reads the files on disk: an answer asked for while this buffer was open is not about the buffer. A CI
    // benchmark run lost a typed dependency's error for good this way.)
    this.timeout(120000);
    type S = { projects: { djangoAskIn: number | null }[]; django: { effective?: string; running?: boolean; used?: string }[] };
    const state = async () => (await vscode.commands.executeCommand<S>('djangoMultiDb.getState', { wait: false }));
    if ((await state()).django[0]?.effective === 'static') this.skip();
    const file = path.join(expected().projectDir, 'catalog', 'migrations', '0002_product_tags_is_active.py');
    const mig = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(mig, { preview: false });
    // the buffer stays unsaved (code-server saves after a delay by default)
    const files = vscode.workspace.getConfiguration('files');
    await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    const probe = '9999_typed_while_django_answers';
    const line = mig.getText().split('\n').findIndex(l => /dependencies = \[/.test(l));
    assert.ok(line >= 0, 'the migration has a dependencies list');
    const typed = new vscode.WorkspaceEdit();
    typed.insert(mig.uri, new vscode.Position(line + 1, 0), `        ("catalog", "${probe}"),\n`);
    const original = doc.getText();
    try {
      assert.ok(await vscode.workspace.applyEdit(typed));
      // the graph's error (not a disagreement with Django, which names the typed dependency too)
      const code = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);
      const error = () => vscode.languages.getDiagnostics(mig.uri).some(d => ours(d) && code(d) === 'missing-dependency' && d.message.includes(probe));
      await waitFor(`the typed dependency's error in ${path.basename(file)}`, error, 30000, 20);
      // a save of another file: Django is asked again (after 1 s), with this buffer still open and not saved
      const save = new vscode.WorkspaceEdit();
      save.insert(doc.uri, new vscode.Position(doc.lineCount, 0), '\n# saved while a migration is typed\n');
      assert.ok(await vscode.workspace.applyEdit(save));
      assert.ok(await doc.save());
      await waitFor('Django asked again', async () => (await state()).django[0]?.running === true, 20000, 20);
      await waitFor('Django\'s answer', async () => { const s = await state(); return s.django[0]?.running === false && s.projects[0]?.djangoAskIn === null; }, 90000, 50);
      assert.equal((await state()).django[0]?.used, 'django', 'Django answered');
      // the diagnostics follow the answer within a few ms: still there two seconds later
      await new Promise(r => setTimeout(r, 2000));
      const st = await vscode.commands.executeCommand<{ django: { disagreements: { kind: string; migration: string | null; note: string }[] }[] }>('djangoMultiDb.getState', { wait: false });
      assert.deepEqual(st.django[0]!.disagreements.filter(d => d.kind === 'migration'), [], 'no disagreement: Django read the migration as saved');
      assert.ok(error(), 'the typed dependency\'s error is still shown after Django answered');
    } finally {
      await vscode.window.showTextDocument(mig);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await files.update('autoSave', undefined, vscode.ConfigurationTarget.Global);
      const all = new vscode.WorkspaceEdit();
      all.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
      await vscode.workspace.applyEdit(all);
      await doc.save();
      await vscode.window.showTextDocument(doc);
    }
  });

  test('Django mode: when the scan worker stops, the next edit still shows (Django\'s answer went with it)', async function () {
    this.timeout(120000);
    type S = { scanWorkerPid: number | null; django: { effective?: string; used?: string; running?: boolean }[] };
    const state = async () => (await vscode.commands.executeCommand<S>('djangoMultiDb.getState', { wait: false }));
    if ((await state()).django[0]?.effective === 'static') this.skip();
    const before = await waitFor('Django\'s answer, from a scan worker', async () => { const s = await state(); return s.django[0]?.used === 'django' && !s.django[0]?.running && s.scanWorkerPid ? s : undefined; }, 90000, 100);
    const files = vscode.workspace.getConfiguration('files');
    await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    try {
      // as an out-of-memory kill or a crash would
      process.kill(before.scanWorkerPid!, 'SIGKILL');
      const probe = 'probe_after_the_worker_stopped';
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(doc.lineCount, 0), `\n\ndef _typed(qs):\n    return qs.using("${probe}")\n`);
      assert.ok(await vscode.workspace.applyEdit(edit));
      await waitFor(`the typed alias's finding (${probe})`, () => vscode.languages.getDiagnostics(doc.uri).some(d => ours(d) && d.message.includes(probe)), 30000, 20);
      const after = await state();
      assert.notEqual(after.scanWorkerPid, before.scanWorkerPid, 'a new worker answered');
    } finally {
      const all = new vscode.WorkspaceEdit();
      all.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
      await vscode.workspace.applyEdit(all);
      await doc.save();
      await files.update('autoSave', undefined, vscode.ConfigurationTarget.Global);
      // Django answers again (asked after the edit) before the next test
      await waitFor('Django\'s answer again', async () => { const s = await state(); return s.django[0]?.used === 'django' && !s.django[0]?.running; }, 90000, 100);
    }
  });

  test('saving a models file updates the diagnostics (timed)', async () => {
    const { target } = expected().crossDbFk;
    const r = await timeSaveToDiagnostics(doc, `models.ForeignKey("${target}", on_delete=models.CASCADE, related_name="+")`);
    recordMetric('saveToDiagnosticsMs', r.saveToDiagnosticsMs);
    recordMetric('saveMs', r.saveMs);
  });
});
