// "Choose Env File…": the env files the project keeps (core/env/env-candidates.ts: `.env-local` a Makefile includes, a
// Compose service's `env_file:`, `.env.example`), each with what the settings give when read with it (the settings
// module, databases and routers) and the variables it sets that they read — names only, never values. The choice is
// written to djangoMultiDb.envFile for the project's folder, which indexes the project again with it. Also offered as
// a quick fix on the findings that name such a file, and from the Databases view's menu.
import * as path from 'path';
import * as vscode from 'vscode';
import { describeEnvSources, type EnvFileChoice } from '../core/env/env-candidates';
import { describeReads } from '../core/settings/candidates';
import type { Finding } from '../core/types';
import { Cmd, orCancel, registerCommand } from './commands';
import { choiceArg, choiceQuickFix, loadingPick } from './choice';
import { updateProjectSetting } from './config';
import { findingCodeOf } from './diagnostics';
import type { DjangoProject } from './project';
import type { Feature, Services } from './services';

type Item = vscode.QuickPickItem & { file?: string | null; browse?: true };

/** Findings an env file of the user's choice answers: those naming one (core/findings.ts, the deployEnv warning). */
export function choosesEnvFile(f: Pick<Finding, 'code' | 'message'>): boolean {
  return (f.code === 'settings-env-dependent' || f.code === 'settings-unknown') && f.message.includes('Choose Env File…');
}

/** The setting's value for a file: relative to the workspace folder when inside it (portable), else absolute. */
function settingValue(project: DjangoProject, file: string): string {
  const rel = path.relative(project.folder.uri.fsPath, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

export const registerEnvFile: Feature = (svc: Services) => [
  registerCommand(svc, Cmd.chooseEnvFile, async (arg?: unknown) => {
    // (`{ root?, file?, list? }`: `file: null` removes the setting)
    const a = choiceArg(arg, 'file');
    const project = await svc.projects.pick(a.root);
    if (a.list) return project.scanner.envFileCandidates();
    const file = a.value !== undefined ? a.value : await pick(svc, project);
    const value = file === null ? null : settingValue(project, path.resolve(project.folder.uri.fsPath, file));
    await updateProjectSetting(project.folder, 'envFile', value);
    svc.log.info(`env file of ${project.name}: ${value ?? 'the default (.env beside manage.py; setting removed)'}`);
    vscode.window.setStatusBarMessage(`Django Multi-DB: ${project.name} now reads ${value ?? 'the .env beside manage.py'}`, 4000);
    return { file: value };
  }),
  // the file the finding names, at once (first), and the choice of any
  vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, {
    provideCodeActions(doc, _range, context) {
      const p = svc.projects.projectFor(doc.uri.fsPath);
      if (!p?.index) return [];
      for (const diag of context.diagnostics) {
        const code = findingCodeOf(diag);
        const f = code && p.index.findings.find(x => x.envFile && x.code === code && x.message === diag.message && x.path === doc.uri.fsPath);
        if (!f || !f.envFile) continue;
        const shown = path.relative(p.folder.uri.fsPath, f.envFile) || f.envFile;
        const action = new vscode.CodeAction(`Read the settings with ${shown}`, vscode.CodeActionKind.QuickFix);
        action.command = { command: Cmd.chooseEnvFile, title: 'Choose Env File…', arguments: [{ root: p.root, file: f.envFile }] };
        action.diagnostics = [diag];
        action.isPreferred = true;
        return [action];
      }
      return [];
    },
  }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
  choiceQuickFix(svc, choosesEnvFile, 'Choose the env file…', Cmd.chooseEnvFile, 'Choose Env File…'),
];

/** The quick pick: shown at once (busy) while the worker reads the env files; Escape cancels. */
async function pick(svc: Services, project: DjangoProject): Promise<string | null> {
  const chosen = await loadingPick(svc, `Env file of ${project.name}`, 'Reading the env files the project keeps…', () => project.scanner.envFileCandidates(), choices => ({
    items: items(choices, project, !!project.config.envFile),
    placeholder: choices.length ? 'The env file the settings are read with (names only: values are never shown)' : 'No env file found in the project: browse for one',
  }), 'the env file pick');
  if (!chosen.browse) return chosen.file ?? null;
  const uris = await vscode.window.showOpenDialog({ title: `Env file of ${project.name}`, defaultUri: vscode.Uri.file(project.root), canSelectMany: false, openLabel: 'Use This Env File' });
  return orCancel(uris?.[0], 'the env file dialog').fsPath;
}

function items(choices: EnvFileChoice[], project: DjangoProject, configured: boolean): Item[] {
  const root = project.folder.uri.fsPath;
  const current = project.index?.settings?.module ?? null;
  const out: Item[] = choices.map(c => {
    const inUse = c.sources.some(s => s.kind === 'in-use');
    const reads = c.settingsVariables.length ? `sets ${list(c.settingsVariables, 4)} the settings read` : 'sets nothing the settings read';
    return {
      label: `${inUse ? '$(check) ' : ''}${path.relative(root, c.file) || c.file}`,
      // (the settings module it makes the project use, where it is another one)
      description: `${describeReads(c)}${c.module && c.module !== current ? ` · ${c.module}` : ''}`,
      detail: [...describeEnvSources(c.sources, root), reads].join(' · '),
      file: c.file,
    };
  });
  out.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  if (configured) out.push({ label: '$(discard) Use the default', detail: 'Removes djangoMultiDb.envFile: the .env beside manage.py is read, when there is one', file: null });
  out.push({ label: '$(folder-opened) Browse…', browse: true });
  return out;
}

function list(names: string[], max: number): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
