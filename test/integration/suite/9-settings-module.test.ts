import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { expected, flatten, getState, waitFor } from './helpers';

// "Choose Settings Module…": the settings modules the project could run with, and switching between them. Two modules
// are written beside the example's shop/settings.py for the suite: one with only `default`, one that empties DATABASES
// (Django's dummy default, with the quick fix that opens the choice); the setting is removed at the end.

const CMD = 'djangoMultiDb.chooseSettingsModule';
const ours = (d: vscode.Diagnostic) => d.source === 'django-multidb';

suite('settings module', () => {
  const dir = () => path.join(expected().projectDir, 'shop');
  const solo = () => path.join(dir(), 'settings_solo.py');
  const empty = () => path.join(dir(), 'settings_empty.py');
  const aliases = async () => (await getState()).aliases.map(a => a.alias).sort().join(',');
  const all = () => Object.keys(expected().plans).sort().join(',');

  suiteSetup(() => {
    fs.writeFileSync(solo(), 'from shop.settings import *  # noqa\n\nDATABASES = {"default": DATABASES["default"]}\nDATABASE_ROUTERS = []\n');
    fs.writeFileSync(empty(), 'from shop.settings import *  # noqa\n\nDATABASES = {}\n');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(CMD, { module: null });
    fs.rmSync(solo(), { force: true });
    fs.rmSync(empty(), { force: true });
    await waitFor('the example\'s aliases again', async () => (await aliases()) === all(), 60000);
  });

  test('lists the module in use first (named by manage.py), then the settings modules beside it, each with its aliases', async () => {
    const list = await waitFor('the two new modules among the candidates', async () => {
      const l = await vscode.commands.executeCommand<{ module: string; sources: { kind: string }[]; reads: { databases?: { alias: string }[]; routers?: string[] } }[]>(CMD, { list: true });
      return l?.some(c => c.module === 'shop.settings_empty') && l.some(c => c.module === 'shop.settings_solo') ? l : undefined;
    }, 30000);
    assert.strictEqual(list[0]!.module, 'shop.settings');
    // (and shop/settings.py is where startproject puts a project's settings)
    assert.deepStrictEqual(list[0]!.sources.map(s => s.kind), ['in-use', 'manage-py', 'layout']);
    assert.deepStrictEqual(list[0]!.reads.databases!.map(d => d.alias).sort().join(','), all());
    const s = list.find(c => c.module === 'shop.settings_solo')!;
    assert.deepStrictEqual(s.sources, [{ kind: 'beside', of: 'shop.settings' }]);
    assert.deepStrictEqual(s.reads.databases!.map(d => d.alias), ['default']);
    assert.deepStrictEqual(s.reads.routers, []);
  });

  test('choosing a module writes djangoMultiDb.settingsModule and the project is read with it', async () => {
    const r = await vscode.commands.executeCommand<{ module: string | null }>(CMD, { module: 'shop.settings_solo' });
    assert.deepStrictEqual(r, { module: 'shop.settings_solo' });
    assert.strictEqual(vscode.workspace.getConfiguration('djangoMultiDb').get('settingsModule'), 'shop.settings_solo');
    await waitFor('only default, as shop.settings_solo sets', async () => (await aliases()) === 'default', 60000);
  });

  test('settings without DATABASES: Django\'s dummy default, "not configured", and a quick fix that opens the choice', async () => {
    await vscode.commands.executeCommand(CMD, { module: 'shop.settings_empty' });
    const st = await waitFor('the dummy default', async () => {
      const s = await getState();
      return s.aliases.length === 1 && s.aliases[0]!.engine === 'django.db.backends.dummy' ? s : undefined;
    }, 60000);
    assert.strictEqual(st.aliases[0]!.alias, 'default');
    // the tree: a row that opens the choice, and the alias "not configured" rather than unreachable
    const raw = await vscode.commands.executeCommand<any>('djangoMultiDb.getState');
    const nodes = flatten(raw?.databases);
    assert.ok(nodes.some(n => n.label === 'Choose Settings Module…'), nodes.map(n => n.label).join(' | '));
    assert.match(nodes.find(n => n.label === 'default')?.description ?? '', /dummy · not configured/);
    const uri = vscode.Uri.file(empty());
    // (code actions are asked of an open document)
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diag = await waitFor('databases-not-configured on settings_empty.py', () =>
      vscode.languages.getDiagnostics(uri).find(d => ours(d) && /DATABASES is (empty|not set)/.test(d.message)), 30000);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const choose = actions.find(a => a.title === 'Choose the settings module…');
    assert.ok(choose, `actions: ${actions.map(a => a.title).join(' | ')}`);
    assert.strictEqual(choose.command?.command, CMD);
  });

  test('removing the choice goes back to the module manage.py names', async () => {
    await vscode.commands.executeCommand(CMD, { module: null });
    assert.strictEqual(vscode.workspace.getConfiguration('djangoMultiDb').get('settingsModule'), '');
    await waitFor('the example\'s aliases', async () => (await aliases()) === all(), 60000);
  });
});
