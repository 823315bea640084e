// Quick fixes: the fixes the core computes with a finding (`Finding.fix`, e.g. binding a RunPython function to
// schema_editor.connection.alias), applied as they are; for cross-database foreign keys, `db_constraint=False` when
// it is safe to do textually (the whole field call on one line, no db_constraint yet), and the router that decides.
import * as vscode from 'vscode';
import { Cmd } from './commands';
import { findingCodeOf } from './diagnostics';
import { decisionsOf, routerLocation, shortRouter } from './model/routing';
import type { Feature, Services } from './services';

const FIELD_CALL = /\b(ForeignKey|OneToOneField|ManyToManyField)\s*\(/;

/** Column of the `)` closing the field call starting on this line, or -1 when the call spans lines. */
export function closingParen(text: string): number {
  const m = FIELD_CALL.exec(text);
  if (!m) return -1;
  let depth = 0;
  let quote: string | null = null;
  for (let i = m.index + m[0].length - 1; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '#') return -1;
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

export const registerCodeActions: Feature = (svc: Services) => [
  vscode.languages.registerCodeActionsProvider(
    { language: 'python', scheme: 'file' },
    {
      provideCodeActions(doc, _range, context) {
        const actions: vscode.CodeAction[] = [];
        const titles = new Set<string>();
        const p = svc.projects.projectFor(doc.uri.fsPath);
        const index = p?.index;
        for (const diag of context.diagnostics) {
          const code = findingCodeOf(diag);
          // a fix the core computed (migration lints): one edit of the whole file, applied as it is
          // only on the text the scan read: unsaved edits would move the positions
          const withFix = doc.isDirty ? undefined : index?.findings.find(f => f.fix && f.code === code && f.path === doc.uri.fsPath && f.line === diag.range.start.line + 1 && f.message === diag.message);
          const fixKey = withFix?.fix ? `core:${withFix.fix.title}:${withFix.fix.edits[0]?.line}:${withFix.fix.edits[0]?.col}` : '';
          if (withFix?.fix && !titles.has(fixKey)) {
            titles.add(fixKey);
            const action = new vscode.CodeAction(withFix.fix.title, vscode.CodeActionKind.QuickFix);
            action.edit = new vscode.WorkspaceEdit();
            for (const e of withFix.fix.edits) action.edit.replace(doc.uri, new vscode.Range(e.line - 1, e.col, e.endLine - 1, e.endCol), e.text);
            // the diagnostics this one edit resolves (the index may come from the worker thread: compare by value)
            action.diagnostics = context.diagnostics.filter(d => index?.findings.some(f => f.fix?.title === withFix.fix!.title && f.path === withFix.path && f.line === d.range.start.line + 1 && f.message === d.message));
            action.isPreferred = true;
            actions.push(action);
          }
          if (code === 'missing-migration' && p) {
            // the app of the finding: New Migration… for it, in a visible task
            const f = index?.findings.find(x => x.code === 'missing-migration' && x.path === doc.uri.fsPath && x.message === diag.message);
            if (f?.app && !titles.has(`make:${f.app}`)) {
              titles.add(`make:${f.app}`);
              const make = new vscode.CodeAction(`New Migration for ${f.app}… (makemigrations ${f.app})`, vscode.CodeActionKind.QuickFix);
              make.command = { command: Cmd.newMigration, title: 'New Migration…', arguments: [{ root: p.root, apps: [f.app] }] };
              make.diagnostics = [diag];
              make.isPreferred = true;
              actions.push(make);
            }
            continue;
          }
          if (code !== 'cross-db-foreign-key') continue;
          const line = doc.lineAt(diag.range.start.line);
          const close = closingParen(line.text);
          if (close >= 0 && !/\bdb_constraint\s*=/.test(line.text) && !titles.has(`fix:${line.lineNumber}`)) {
            titles.add(`fix:${line.lineNumber}`);
            const inner = line.text.slice(0, close).trimEnd();
            const sep = inner.endsWith('(') ? '' : inner.endsWith(',') ? ' ' : ', ';
            const fix = new vscode.CodeAction('Add db_constraint=False (no FK constraint; joins still cross databases)', vscode.CodeActionKind.QuickFix);
            fix.edit = new vscode.WorkspaceEdit();
            fix.edit.replace(doc.uri, new vscode.Range(line.lineNumber, inner.length, line.lineNumber, close), `${sep}db_constraint=False`);
            fix.diagnostics = [diag];
            actions.push(fix);
          }
          if (!index) continue;
          const f = index.findings.find(x => x.code === 'cross-db-foreign-key' && x.path === doc.uri.fsPath && x.line === diag.range.start.line + 1);
          if (!f?.alias) continue;
          for (const key of [f.target, f.model]) {
            if (!key) continue;
            const d = decisionsOf(index).get(f.alias, key);
            if (!d?.decidedBy || !routerLocation(index, d)) continue;
            // one action per router, whatever the number of models and aliases it decides here
            const title = `Open ${shortRouter(d.decidedBy)}`;
            if (titles.has(title)) continue;
            titles.add(title);
            const open = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
            open.command = { command: Cmd.goToRouter, title: 'Go to Router', arguments: [{ root: p!.root, model: key, alias: f.alias }] };
            open.diagnostics = [diag];
            actions.push(open);
          }
        }
        return actions;
      },
    },
    { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
  ),
];
