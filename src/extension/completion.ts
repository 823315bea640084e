// Completion of database alias names inside `.using("…")`, `db_manager("…")`, `using="…"`, `connections["…"]`,
// `call_command(…, database="…")` and the routers' `return "…"` / `db == "…"`, in the project's own Python files. The position comes from the parser
// (core/lints/alias-completion.ts); the items are the aliases of DATABASES in the current index (model/aliasItems.ts).
import * as vscode from 'vscode';
import { aliasCompletionContext } from '../core/lints/alias-completion';
import { aliasItems, isProjectPython } from './model/aliasItems';
import type { Feature, Services } from './services';

export const registerCompletion: Feature = (svc: Services) => [
  vscode.languages.registerCompletionItemProvider(
    { language: 'python', scheme: 'file' },
    {
      async provideCompletionItems(doc, position) {
        const p = svc.projects.projectFor(doc.uri.fsPath);
        const index = p?.index;
        if (!p || !index?.settings?.databases.length || !isProjectPython(index, doc.uri.fsPath, p.folder.uri.fsPath)) return undefined;
        const ctx = await aliasCompletionContext(doc.getText(), doc.offsetAt(position));
        if (!ctx) return undefined;
        const start = doc.positionAt(ctx.start);
        const range = { inserting: new vscode.Range(start, position), replacing: new vscode.Range(start, doc.positionAt(Math.max(ctx.end, doc.offsetAt(position)))) };
        return aliasItems(index).map(a => {
          const item = new vscode.CompletionItem({ label: a.alias, description: a.detail }, vscode.CompletionItemKind.Value);
          item.detail = a.detail;
          item.documentation = new vscode.MarkdownString(a.documentation);
          item.sortText = a.sortText;
          item.range = range;
          return item;
        });
      },
    },
    '"', "'",
  ),
];
