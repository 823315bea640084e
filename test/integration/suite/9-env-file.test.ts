import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { expected, flatten, getState, waitFor } from './helpers';

// "Choose Env File…": the env files the project keeps, each with what the settings read with it give, and switching
// to one. A settings module that keeps only `default` when ONLY_DEFAULT is set, and an env file `.env.solo` setting it
// beside manage.py, are written for the suite; both settings are removed at the end.

const CMD = 'djangoMultiDb.chooseEnvFile';
const ours = (d: vscode.Diagnostic) => d.source === 'django-multidb';

suite('env file', () => {
  const dir = () => expected().projectDir;
  const module = () => path.join(dir(), 'shop', 'settings_envsolo.py');
  const envFile = () => path.join(dir(), '.env.solo');
  const aliases = async () => (await getState()).aliases.map(a => a.alias).sort().join(',');
  const all = () => Object.keys(expected().plans).sort().join(',');

  suiteSetup(async () => {
    fs.writeFileSync(module(), 'import os\n\nfrom shop.settings import *  # noqa\n\nif os.environ.get("ONLY_DEFAULT"):\n    DATABASES = {"default": DATABASES["default"]}\n    DATABASE_ROUTERS = []\n');
    fs.writeFileSync(envFile(), 'ONLY_DEFAULT=1\nDB_PASSWORD=never-shown-7Qx\n');
    await vscode.commands.executeCommand('djangoMultiDb.chooseSettingsModule', { module: 'shop.settings_envsolo' });
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(CMD, { file: null });
    await vscode.commands.executeCommand('djangoMultiDb.chooseSettingsModule', { module: null });
    fs.rmSync(module(), { force: true });
    fs.rmSync(envFile(), { force: true });
    await waitFor('the example\'s aliases again', async () => (await aliases()) === all(), 60000);
  });

  test('lists the env file with what the settings read with it give (names only, never values)', async () => {
    const list = await waitFor('.env.solo among the env files', async () => {
      const l = await vscode.commands.executeCommand<{ file: string; module: string | null; sources: { kind: string }[]; settingsVariables: string[]; reads: { databases?: { alias: string }[]; routers?: string[] } }[]>(CMD, { list: true });
      return l?.some(c => c.file === envFile()) ? l : undefined;
    }, 30000);
    const c = list.find(x => x.file === envFile())!;
    assert.deepStrictEqual(c.sources.map(s => s.kind), ['found']);
    assert.strictEqual(c.module, 'shop.settings_envsolo');
    assert.deepStrictEqual(c.settingsVariables, ['ONLY_DEFAULT']);
    assert.deepStrictEqual(c.reads.databases!.map(d => d.alias), ['default']);
    assert.deepStrictEqual(c.reads.routers, []);
    assert.ok(!JSON.stringify(list).includes('never-shown-7Qx'));
  });

  test('the finding that says the routers depend on ONLY_DEFAULT names .env.solo, with a quick fix that opens the choice', async () => {
    const uri = vscode.Uri.file(module());
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diag = await waitFor('settings-env-dependent naming .env.solo', () =>
      vscode.languages.getDiagnostics(uri).find(d => ours(d) && d.message.includes('ONLY_DEFAULT') && d.message.includes('.env.solo sets it')), 60000);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const choose = actions.find(a => a.title === 'Choose the env file…');
    assert.ok(choose, `actions: ${actions.map(a => a.title).join(' | ')}`);
    assert.strictEqual(choose.command?.command, CMD);
    // and the file the finding names, at once
    const use = actions.find(a => a.title === `Read the settings with ${path.relative(vscode.workspace.workspaceFolders![0]!.uri.fsPath, envFile())}`);
    assert.ok(use, `actions: ${actions.map(a => a.title).join(' | ')}`);
    assert.deepStrictEqual(use.command?.arguments?.[0]?.file, envFile());
    // and a row above the aliases that opens the same choice
    const raw = await vscode.commands.executeCommand<any>('djangoMultiDb.getState');
    const row = flatten(raw?.databases).find(n => n.label === 'Choose Env File…');
    assert.ok(row, flatten(raw?.databases).map(n => n.label).join(' | '));
    assert.match(row.tooltip ?? '', /\.env\.solo sets it/);
  });

  test('choosing it writes djangoMultiDb.envFile (relative to the folder) and the project is read with it', async () => {
    const r = await vscode.commands.executeCommand<{ file: string | null }>(CMD, { file: envFile() });
    const rel = path.relative(vscode.workspace.workspaceFolders![0]!.uri.fsPath, envFile()).split(path.sep).join('/');
    assert.deepStrictEqual(r, { file: rel });
    assert.strictEqual(vscode.workspace.getConfiguration('djangoMultiDb').get('envFile'), rel);
    await waitFor('only default, as ONLY_DEFAULT gives', async () => (await aliases()) === 'default', 60000);
  });
});
