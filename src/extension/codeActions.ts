// Quick fixes: the fixes the core computes with a finding (`Finding.fix`, e.g. binding a RunPython function to
// schema_editor.connection.alias), applied as they are; for cross-database foreign keys, `db_constraint=False` when
// the field call passes none yet (on one line or across lines: model/dbConstraint.ts), and the router that decides.
import * as vscode from 'vscode';
import { Cmd } from './commands';
import { findingCodeOf } from './diagnostics';
import { dbConstraintEdit } from './model/dbConstraint';
import { decisionsOf, routerLocation, shortRouter } from './model/routing';
import type { Feature, Services } from './services';

export const registerCodeActions: Feature = (svc: Services) => [
  vscode.languages.registerCodeActionsProvider(
    { language: 'python', scheme: 'file' },
    {
      provideCodeActions(doc, _range, context) {
        const actions: vscode.CodeAction[] = [];
        // the document's lines, split once for every diagnostic of the request that needs them
        let split: string[] | undefined;
        const lines = () => (split ??= doc.getText().split(/\r?\n/));
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
          const start = diag.range.start.line;
          // (the field call on its line or across lines, Black's layout)
          const e = titles.has(`fix:${start}`) ? null : dbConstraintEdit(lines(), start);
          if (e) {
            titles.add(`fix:${start}`);
            const fix = new vscode.CodeAction('Add db_constraint=False (no FK constraint; joins still cross databases)', vscode.CodeActionKind.QuickFix);
            fix.edit = new vscode.WorkspaceEdit();
            fix.edit.replace(doc.uri, new vscode.Range(e.line, e.col, e.endLine, e.endCol), e.text);
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
