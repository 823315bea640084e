// "Choose Settings Module…": the settings modules the project could run with (core/settings/candidates.ts), each with
// what it gives (its databases and routers, read statically) and who names it (manage.py, wsgi.py, pytest, a
// container or CI file, a module beside those). The choice is written to djangoMultiDb.settingsModule for the
// project's folder, which indexes the project again with it. Also offered as a quick fix on the findings that say the
// settings are a guess or configure no database, and from the Databases view's menu.
import * as path from 'path';
import * as vscode from 'vscode';
import { describeReads, describeSources, type SettingsChoice } from '../core/settings/candidates';
import { MODULE_NAME } from '../core/settings';
import type { Finding } from '../core/types';
import { Cmd, orCancel, registerCommand } from './commands';
import { choiceArg, choiceQuickFix, loadingPick } from './choice';
import { updateProjectSetting } from './config';
import type { DjangoProject } from './project';
import type { Feature, Services } from './services';

type Item = vscode.QuickPickItem & { module?: string | null; enter?: true };

/** Findings a settings module of the user's choice answers: DATABASES not configured, a module guessed or computed. */
export function choosesSettings(f: Pick<Finding, 'code' | 'message'>): boolean {
  return f.code === 'databases-not-configured' || (f.code === 'settings-unknown' && /--settings|settingsModule/.test(f.message));
}

export const registerSettingsModule: Feature = (svc: Services) => [
  registerCommand(svc, Cmd.chooseSettingsModule, async (arg?: unknown) => {
    // (`{ root?, module?, list? }`: `module: null` removes the setting)
    const a = choiceArg(arg, 'module');
    const project = await svc.projects.pick(a.root);
    if (a.list) return project.scanner.settingsCandidates();
    const module = a.value !== undefined ? a.value : await pick(svc, project);
    await updateProjectSetting(project.folder, 'settingsModule', module);
    svc.log.info(`settings module of ${project.name}: ${module ?? "the project's own choice (setting removed)"}`);
    vscode.window.setStatusBarMessage(`Django Multi-DB: ${project.name} now reads ${module ?? "the settings module the project names"}`, 4000);
    return { module };
  }),
  choiceQuickFix(svc, choosesSettings, 'Choose the settings module…', Cmd.chooseSettingsModule, 'Choose Settings Module…'),
];

/** The quick pick: shown at once (busy) while the worker reads the candidates; Escape cancels. */
async function pick(svc: Services, project: DjangoProject): Promise<string | null> {
  const chosen = await loadingPick(svc, `Settings module of ${project.name}`, 'Reading the settings modules the project names…', () => project.scanner.settingsCandidates(), choices => ({
    items: items(choices, project, !!project.config.settingsModule),
    placeholder: choices.length ? 'The module the project runs with: its databases and routers are shown as read from it' : 'No settings module found: enter one',
  }), 'the settings module pick');
  if (!chosen.enter) return chosen.module ?? null;
  const typed = orCancel(await vscode.window.showInputBox({
    title: `Settings module of ${project.name}`,
    prompt: 'A dotted module name, as DJANGO_SETTINGS_MODULE takes it',
    placeHolder: 'mysite.settings.dev',
    value: project.config.settingsModule ?? '',
    validateInput: v => (MODULE_NAME.test(v.trim()) ? null : 'A dotted module name: letters, digits and underscores, parts separated by dots'),
  }), 'the settings module input');
  return typed.trim();
}

function items(choices: SettingsChoice[], project: DjangoProject, configured: boolean): Item[] {
  const named = choices.filter(c => c.sources.some(s => s.kind !== 'beside'));
  const beside = choices.filter(c => !named.includes(c));
  const item = (c: SettingsChoice): Item => {
    const inUse = c.sources.some(s => s.kind === 'in-use');
    const root = project.folder.uri.fsPath;
    const by = describeSources(c.sources.filter(s => s.kind !== 'in-use'), root);
    const where = c.path ? path.relative(root, c.path) : null;
    return {
      label: `${inUse ? '$(check) ' : ''}${c.module}`,
      description: describeReads(c),
      // (who names it: manage.py, docker-compose.yml, "beside shop.settings.base", then its file)
      detail: [inUse ? 'in use' : null, ...by, where && !where.startsWith('..') ? where : null].filter(Boolean).join(' · '),
      module: c.module,
    };
  };
  const out: Item[] = named.map(item);
  if (beside.length) out.push({ label: 'Beside them', kind: vscode.QuickPickItemKind.Separator }, ...beside.map(item));
  out.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  if (configured) out.push({ label: '$(discard) Use the module the project names', detail: 'Removes djangoMultiDb.settingsModule: DJANGO_SETTINGS_MODULE of the environment or the env file, else manage.py, decides', module: null });
  out.push({ label: '$(edit) Enter a module name…', enter: true });
  return out;
}
