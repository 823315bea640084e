// CodeLenses on migration files: where the migration runs ("runs on default, analytics · recorded only on legacy")
// above `class Migration`, and where each operation runs above its call. Clicking the first shows the migration's
// state on every database. The texts come from model/lenses.ts (pure).
import * as vscode from 'vscode';
import { Cmd, orCancel, registerCommand } from './commands';
import { migrationAt, migrationLens, migrationStates, operationLenses } from './model/lenses';
import type { Feature, Services } from './services';

function projectOf(svc: Services, file: string) {
  for (const p of svc.projects.projects) {
    const m = p.index && migrationAt(p.index, file);
    if (m && p.index) return { p, index: p.index, m };
  }
  return undefined;
}

export const registerCodeLens: Feature = (svc: Services) => {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(doc) {
      const hit = projectOf(svc, doc.uri.fsPath);
      if (!hit) return [];
      // (the project's settings, kept current by the projects: reading them per call was a millisecond per editor
      // and index, and migration files are in the project's folder)
      const cfg = hit.p.config;
      if (cfg.codeLens === 'off') return [];
      const { index, m } = hit;
      const top = migrationLens(index, m);
      // above `class Migration` when the file has one where the index says, else at the top
      const classLine = m.line && m.line <= doc.lineCount ? m.line - 1 : 0;
      const lenses = [new vscode.CodeLens(new vscode.Range(classLine, 0, classLine, 0), {
        title: `$(database) ${top.title}`, tooltip: top.tooltip, command: Cmd.showMigrationState, arguments: [{ root: hit.p.root, key: m.key }],
      })];
      if (cfg.codeLens === 'all') {
        for (const l of operationLenses(index, m)) {
          if (l.line < 1 || l.line > doc.lineCount) continue;
          lenses.push(new vscode.CodeLens(new vscode.Range(l.line - 1, 0, l.line - 1, 0), { title: l.title, tooltip: l.tooltip, command: '' }));
        }
      }
      return lenses;
    },
  };
  return [
    changed,
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, provider),
    svc.projects.onDidChange(() => changed.fire()),
    vscode.workspace.onDidChangeConfiguration(e => e.affectsConfiguration('djangoMultiDb.codeLens') && changed.fire()),
    registerCommand(svc, Cmd.showMigrationState, async (arg?: unknown) => {
      const a = (arg && typeof arg === 'object' ? arg : {}) as { root?: string; key?: string };
      const p = await svc.projects.pick(a.root);
      const index = await svc.projects.ensureIndex(p);
      const m = index.migrations.find(x => x.key === a.key) ?? (vscode.window.activeTextEditor ? migrationAt(index, vscode.window.activeTextEditor.document.uri.fsPath) : undefined);
      if (!m) throw new Error('Open a migration file of the project, or pass a migration ("app.name").');
      const rows = migrationStates(index, m);
      const pick = orCancel(await vscode.window.showQuickPick(rows.map(r => ({ label: r.alias, description: r.state, detail: r.effect, alias: r.alias })), {
        title: `${m.key} on each database`, placeHolder: 'Pick a database to see its pending migrations',
      }));
      await vscode.commands.executeCommand(Cmd.showPendingMigrations, { root: p.root, alias: pick.alias });
      return { key: m.key, rows };
    }),
  ];
};
