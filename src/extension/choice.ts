// What "Choose Settings Module…" and "Choose Env File…" share: a quick pick shown at once, busy while the scan worker
// reads the choices (each a settings evaluation), and a quick fix on the findings that a choice answers.
import * as vscode from 'vscode';
import { Cancelled, orCancel, type CommandId } from './commands';
import { findingCodeOf } from './diagnostics';
import type { Finding } from '../core/types';
import type { Services } from './services';

const ESCAPED = Symbol('escaped before the choices came');

/**
 * Shows a quick pick titled `title` at once, busy with `loading` as its placeholder, fills it with what `items` makes
 * of `load()`'s answer, and returns the item accepted. Escape (before or after the choices came) cancels.
 */
export async function loadingPick<T, I extends vscode.QuickPickItem>(
  svc: Services, title: string, loading: string, load: () => Promise<T>, items: (answer: T) => { items: I[]; placeholder: string }, what: string,
): Promise<I> {
  const qp = vscode.window.createQuickPick<I>();
  qp.title = title;
  qp.placeholder = loading;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  qp.show();
  const done = new Promise<I | undefined>(resolve => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]));
    qp.onDidHide(() => resolve(undefined));
  });
  try {
    const answer = await Promise.race([load(), done.then(() => ESCAPED)]);
    if (answer === ESCAPED) throw new Cancelled(what);
    const made = items(answer as T);
    qp.items = made.items;
    qp.placeholder = made.placeholder;
    qp.busy = false;
    return orCancel(await done, what);
  } catch (e) {
    svc.log.debug(`${what}: ${(e as Error).message}`);
    throw e;
  } finally {
    qp.dispose();
  }
}

/** A quick fix `title` running `command` for the project of the file, on the first diagnostic `answers` matches. */
export function choiceQuickFix(svc: Services, answers: (f: Pick<Finding, 'code' | 'message'>) => boolean, title: string, command: CommandId, commandTitle: string): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, {
    provideCodeActions(doc, _range, context) {
      const diag = context.diagnostics.find(d => { const code = findingCodeOf(d); return !!code && answers({ code, message: d.message }); });
      const p = diag && svc.projects.projectFor(doc.uri.fsPath);
      if (!diag || !p) return [];
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      action.command = { command, title: commandTitle, arguments: [{ root: p.root }] };
      action.diagnostics = [diag];
      return [action];
    },
  }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] });
}

/**
 * A choice command's argument, from a test, a quick fix, a message button or a tree item (with its project):
 * `{ root?, <key>?, list? }`. `value`: the `<key>` given (null removes the setting; undefined: ask); `list: true`
 * returns the choices without asking (tests, other extensions).
 */
export function choiceArg(arg: unknown, key: string): { root?: string; value?: string | null; list?: true } {
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as { root?: unknown; list?: unknown; project?: { root?: unknown } } & Record<string, unknown>;
  const root = typeof a.root === 'string' ? a.root : typeof a.project?.root === 'string' ? a.project.root : undefined;
  const value = a[key];
  return {
    ...(root ? { root } : {}),
    ...(typeof value === 'string' || value === null ? { value } : {}),
    ...(a.list === true ? { list: true as const } : {}),
  };
}
