// Migration authoring: "New Migration…" (makemigrations for the apps you pick) and "New Data Migration…"
// (an empty migration filled with a RunPython that is right for several databases, as a snippet). Both run
// manage.py in a visible task with the project's interpreter and env file, then open what was written; the
// CodeLens of codeLens.ts shows at once where it will run. Trusted workspaces only.
import * as vscode from 'vscode';
import { literalEval } from '../core/python/literal';
import { initPython, ParseBudget, parsePython } from '../core/python/parse';
import { Cmd, orCancel, registerCommand } from './commands';
import { ManagePyRunner } from './migrate';
import { authorableApps, dataMigrationSnippet, invalidMigrationName, makemigrationsArgs, migrationFiles, routedByModel } from './model/authoring';
import type { DjangoProject } from './project';
import type { Feature, Services } from './services';

interface AuthoringArgs {
  root?: string;
  apps?: string[];
  name?: string;
  /** tests: do not open the created files */
  open?: boolean;
}

function readArgs(arg: unknown): AuthoringArgs {
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Record<string, unknown>;
  // a tree node of an app ("app" context) carries its label
  const app = typeof a.app === 'string' ? a.app : undefined;
  return {
    root: typeof a.root === 'string' ? a.root : undefined,
    apps: Array.isArray(a.apps) ? a.apps.filter((x): x is string => typeof x === 'string') : app ? [app] : undefined,
    name: typeof a.name === 'string' ? a.name : undefined,
    open: typeof a.open === 'boolean' ? a.open : undefined,
  };
}

function refuseUntrusted(svc: Services): { status: 'untrusted'; message: string } | null {
  if (svc.projects.trusted) return null;
  void vscode.window.showWarningMessage('Django Multi-DB: makemigrations runs the project\'s code. This workspace is in Restricted Mode; trust it first.', 'Manage Workspace Trust')
    .then(pick => pick && vscode.commands.executeCommand('workbench.trust.manage'));
  return { status: 'untrusted', message: 'Restricted Mode: nothing was run.' };
}

async function pickApps(svc: Services, p: DjangoProject, many: boolean, given?: string[]): Promise<string[]> {
  const index = await svc.projects.ensureIndex(p);
  const apps = authorableApps(index);
  if (given?.length) {
    for (const g of given) if (!apps.some(a => a.label === g)) throw new Error(`'${g}' is not an app of this project with migrations.`);
    return given;
  }
  if (!apps.length) throw new Error('No app of this project has a migrations package.');
  const items = apps.map(a => ({ label: a.label, description: a.module, detail: a.migrationsDir ?? undefined }));
  if (many) {
    const picked = orCancel(await vscode.window.showQuickPick(items, { title: 'New Migration: apps', placeHolder: 'Apps to make migrations for (none picked: every app with changes)', canPickMany: true }));
    return picked.map(i => i.label);
  }
  return [orCancel(await vscode.window.showQuickPick(items, { title: 'New Data Migration: app', placeHolder: 'App the data migration belongs to' })).label];
}

async function askName(title: string, given: string | undefined, required: boolean): Promise<string | null> {
  if (given !== undefined) return given || null;
  const name = orCancel(await vscode.window.showInputBox({
    title, prompt: required ? 'Migration name (a Python identifier)' : 'Migration name, optional (empty: Django picks one)',
    value: required ? 'data' : '', validateInput: v => invalidMigrationName(v.trim()) ?? (required && !v.trim() ? 'A name is needed' : null),
  })).trim();
  return name || null;
}

export const registerAuthoring: Feature = (svc: Services) => {
  const runner = new ManagePyRunner(svc);

  /** Run makemigrations and return the files it created. */
  const make = async (p: DjangoProject, args: string[], label: string) => {
    const index = await svc.projects.ensureIndex(p);
    const before = migrationFiles(authorableApps(index));
    const code = await runner.run(p, 'makemigrations', args, label, false);
    if (code !== 0) throw new Error(`makemigrations ended with exit code ${code ?? 'unknown'}: see the terminal.`);
    const after = migrationFiles(authorableApps(index));
    const created = [...after].filter(f => !before.has(f)).sort();
    await svc.projects.refreshNow(p, { index: true, state: false });
    return created;
  };

  return [
    registerCommand(svc, Cmd.newMigration, async (arg?: unknown) => {
      const refused = refuseUntrusted(svc);
      if (refused) return refused;
      const a = readArgs(arg);
      const p = await svc.projects.pick(a.root);
      const apps = await pickApps(svc, p, true, a.apps);
      const name = await askName('New Migration', a.name, false);
      const files = await make(p, makemigrationsArgs(apps, name), `makemigrations ${apps.join(' ')}`.trim());
      if (!files.length) void vscode.window.showInformationMessage(`No changes detected${apps.length ? ` in ${apps.join(', ')}` : ''}: no migration was written.`);
      if (a.open !== false) for (const f of files) await vscode.window.showTextDocument(vscode.Uri.file(f), { preview: false });
      return { status: 'ok', files };
    }),
    registerCommand(svc, Cmd.newDataMigration, async (arg?: unknown) => {
      const refused = refuseUntrusted(svc);
      if (refused) return refused;
      const a = readArgs(arg);
      const p = await svc.projects.pick(a.root);
      const [app] = await pickApps(svc, p, false, a.apps?.slice(0, 1));
      const name = (await askName('New Data Migration', a.name, true)) ?? 'data';
      const files = await make(p, makemigrationsArgs([app!], name, true), `makemigrations ${app} --empty --name ${name}`);
      const file = files[0];
      if (!file) throw new Error('makemigrations wrote no file.');
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      // keep the dependencies Django chose; write the rest for several databases (the parser runs on this thread
      // here, for one small generated file: a tight budget)
      await initPython();
      const mod = parsePython(doc.getText(), file, { budget: new ParseBudget(2000, 500) });
      let dependencies: [string, string][] = [];
      for (const s of mod.body) {
        if (s.type !== 'ClassDef') continue;
        for (const b of s.body) {
          if (b.type === 'Assign' && b.targets.some(t => t.type === 'Name' && t.id === 'dependencies')) {
            const v = literalEval(b.value);
            if (v.ok && Array.isArray(v.value)) dependencies = (v.value as unknown[]).filter((d): d is [string, string] => Array.isArray(d) && d.length === 2 && d.every(x => typeof x === 'string'));
          }
        }
      }
      const index = await svc.projects.ensureIndex(p);
      const snippet = new vscode.SnippetString(dataMigrationSnippet({ app: app!, dependencies, model: routedByModel(index, app!) }));
      if (a.open === false) return { status: 'ok', files, snippet: snippet.value };
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      await editor.insertSnippet(snippet, new vscode.Range(0, 0, doc.lineCount, 0));
      return { status: 'ok', files, snippet: snippet.value };
    }),
  ];
};
