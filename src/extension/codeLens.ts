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

/** The lenses of a document, as plain data (what VS Code is given, and what tells whether they changed). */
interface LensData { line: number; title: string; tooltip?: string; command: string; arguments?: unknown[] }

function lensesOf(svc: Services, doc: vscode.TextDocument): LensData[] {
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
  const lenses: LensData[] = [{ line: classLine, title: `$(database) ${top.title}`, tooltip: top.tooltip, command: Cmd.showMigrationState, arguments: [{ root: hit.p.root, key: m.key }] }];
  if (cfg.codeLens === 'all') {
    for (const l of operationLenses(index, m)) {
      if (l.line < 1 || l.line > doc.lineCount) continue;
      lenses.push({ line: l.line - 1, title: l.title, tooltip: l.tooltip, command: '' });
    }
  }
  return lenses;
}

export const registerCodeLens: Feature = (svc: Services) => {
  const changed = new vscode.EventEmitter<void>();
  // what each document was last given (JSON of its lenses): a new index asks VS Code for the lenses again only where
  // they changed. Asking on every index made the window lay out every visible editor's lenses again on every
  // keystroke in any file. (VS Code asks again by itself when the document is edited.)
  const given = new Map<string, string>();
  // the lenses last worked out per document, with what they were worked out from (the projects' indexes, the
  // document's version, the codeLens setting): a change found after an index is given to VS Code when it asks, not
  // worked out a second time
  const made = new Map<string, { from: unknown[]; data: LensData[] }>();
  // how many times lenses were given from `made` (getState: tests)
  let reused = 0;
  const inputsOf = (doc: vscode.TextDocument): unknown[] => [doc.version, ...svc.projects.projects.flatMap(p => [p.index, p.config.codeLens])];
  const dataOf = (doc: vscode.TextDocument): LensData[] => {
    const key = doc.uri.toString();
    const from = inputsOf(doc);
    const last = made.get(key);
    if (last && last.from.length === from.length && last.from.every((x, i) => x === from[i])) { reused++; return last.data; }
    const data = lensesOf(svc, doc);
    made.set(key, { from, data });
    return data;
  };
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(doc) {
      const data = dataOf(doc);
      given.set(doc.uri.toString(), JSON.stringify(data));
      return data.map(l => new vscode.CodeLens(new vscode.Range(l.line, 0, l.line, 0), { title: l.title, tooltip: l.tooltip, command: l.command, ...(l.arguments ? { arguments: l.arguments } : {}) }));
    },
  };
  // (in a task of its own: the lenses of a migration are worked out for every alias, and the change event's other
  // listeners, the diagnostics and the trees, run in the same stretch of the host's thread)
  let later: NodeJS.Immediate | undefined;
  // how many new indexes asked VS Code for the lenses again (getState: tests)
  let askedAgain = 0;
  const indexChanged = () => {
    later = undefined;
    const docs = new Set(vscode.window.visibleTextEditors.map(e => e.document).filter(d => d.uri.scheme === 'file' && d.languageId === 'python'));
    for (const doc of docs) {
      const before = given.get(doc.uri.toString());
      // (a document never given lenses is asked for them when VS Code shows it)
      if (before === undefined || before === JSON.stringify(dataOf(doc))) continue;
      askedAgain++;
      changed.fire();
      return;
    }
  };
  svc.snapshots.set('codeLens', () => ({ askedAgain, reused }));
  return [
    changed,
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, provider),
    svc.projects.onDidChange(() => { later ??= setImmediate(indexChanged); }),
    { dispose: () => { if (later) clearImmediate(later); } },
    vscode.workspace.onDidCloseTextDocument(doc => { given.delete(doc.uri.toString()); made.delete(doc.uri.toString()); }),
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
