// One typed reader for every `djangoMultiDb.*` setting. package.json `contributes.configuration` is the other
// half: a setting added here must be declared there (see CONTRIBUTING.md).
import * as path from 'path';
import * as vscode from 'vscode';
import { WINDOW_SCOPED } from './model/configScopes';

export const SECTION = 'djangoMultiDb';

export type CrossDbSeverity = 'error' | 'warning' | 'information' | 'hint' | 'off';
export type DjangoMode = 'static' | 'django' | 'auto';

export interface Config {
  /** DJANGO_SETTINGS_MODULE override; null = read it from manage.py */
  settingsModule: string | null;
  /** django-configurations' class (DJANGO_CONFIGURATION); null: the environment's, else manage.py's */
  configuration: string | null;
  /** absolute path of manage.py; null = search the folder */
  managePyPath: string | null;
  /** absolute interpreter path from the setting; null = Python extension / venv / python3 */
  pythonPath: string | null;
  /** absolute env file; null = `<manage.py folder>/.env` (the core's default) */
  envFile: string | null;
  /** seconds between database re-reads; 0 = off */
  refreshInterval: number;
  databaseTimeoutMs: number;
  crossDatabaseForeignKeys: CrossDbSeverity;
  unknownRouting: boolean;
  showUnmanaged: boolean;
  statusBar: boolean;
  /** djangoMultiDb.mode as set; Restricted Mode forces static whatever it says (project.ts) */
  mode: DjangoMode;
  djangoTimeoutMs: number;
  /** CodeLenses on migration files: where the migration (and each operation) runs */
  codeLens: 'all' | 'migration' | 'off';
  /** when an edit is analysed: as it is typed (unsaved buffers are read), or once it is saved */
  run: 'onType' | 'onSave';
}

/** Settings that change what the Scanner is built with: changing one rebuilds the project. */
export const RESCAN_KEYS = ['settingsModule', 'configuration', 'managePyPath', 'pythonPath', 'envFile', 'databaseTimeoutMs', 'mode', 'djangoTimeoutSeconds'] as const;

function expand(value: string, folder: vscode.WorkspaceFolder | undefined): string {
  const root = folder?.uri.fsPath ?? '';
  const home = process.env.HOME ?? process.env.USERPROFILE ?? '';
  return value
    .replace(/\$\{workspaceFolder\}/g, root)
    .replace(/\$\{userHome\}/g, home)
    .replace(/^~(?=$|[\\/])/, home)
    .replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => process.env[name] ?? '');
}

function absPath(value: string | undefined, folder: vscode.WorkspaceFolder | undefined): string | null {
  const v = value?.trim();
  if (!v) return null;
  const e = expand(v, folder);
  return path.isAbsolute(e) || !folder ? e : path.join(folder.uri.fsPath, e);
}

export function readConfig(folder?: vscode.WorkspaceFolder): Config {
  // an explicit null scope says "window-level on purpose": without it VS Code logs a warning for every
  // resource-scoped key read without a resource
  // (and window-scoped keys are read without a resource: VS Code logs a warning for each one read with a folder)
  const forFolder = vscode.workspace.getConfiguration(SECTION, folder ?? null);
  const forWindow = folder ? vscode.workspace.getConfiguration(SECTION, null) : forFolder;
  const c: Pick<vscode.WorkspaceConfiguration, 'get'> = { get: ((key: string, def?: unknown) => (WINDOW_SCOPED.has(key) ? forWindow : forFolder).get(key, def)) as vscode.WorkspaceConfiguration['get'] };
  const num = (key: string, def: number, min: number) => {
    const v = c.get<number>(key, def);
    return typeof v === 'number' && Number.isFinite(v) ? Math.max(min, v) : def;
  };
  const pythonPath = c.get<string>('pythonPath', '').trim();
  return {
    settingsModule: c.get<string>('settingsModule', '').trim() || null,
    configuration: c.get<string>('configuration', '').trim() || null,
    managePyPath: absPath(c.get<string>('managePyPath'), folder),
    // a bare command name ("python3.12") is kept as is: the shell resolves it on PATH
    pythonPath: pythonPath ? (/[\\/]/.test(pythonPath) || pythonPath.startsWith('~') || pythonPath.includes('${') ? absPath(pythonPath, folder) : pythonPath) : null,
    envFile: absPath(c.get<string>('envFile'), folder),
    refreshInterval: num('refreshInterval', 0, 0),
    databaseTimeoutMs: num('databaseTimeoutMs', 5000, 100),
    crossDatabaseForeignKeys: c.get<CrossDbSeverity>('diagnostics.crossDatabaseForeignKeys', 'warning'),
    unknownRouting: c.get<boolean>('diagnostics.unknownRouting', true),
    showUnmanaged: c.get<boolean>('showUnmanaged', true),
    statusBar: c.get<boolean>('statusBar.enabled', true),
    mode: (['static', 'django', 'auto'] as const).find(m => m === c.get<string>('mode', 'auto')) ?? 'auto',
    djangoTimeoutMs: Math.min(600, num('djangoTimeoutSeconds', 60, 5)) * 1000,
    codeLens: (['all', 'migration', 'off'] as const).find(m => m === c.get<string>('codeLens', 'all')) ?? 'all',
    run: c.get<string>('run', 'onType') === 'onSave' ? 'onSave' : 'onType',
  };
}

export function affectsAny(e: vscode.ConfigurationChangeEvent, keys: readonly string[], folder?: vscode.WorkspaceFolder): boolean {
  return keys.some(k => e.affectsConfiguration(`${SECTION}.${k}`, folder));
}

/**
 * Writes a project's `djangoMultiDb.<key>` where it wins: the folder's own setting where it has one or the workspace
 * has several folders (a value there wins over the workspace's), else the workspace's. `null` removes it wherever
 * this workspace sets it; a user-level value still applies: said, not touched. (Choose Settings Module…, Choose Env
 * File…)
 */
export async function updateProjectSetting(folder: vscode.WorkspaceFolder, key: string, value: string | null): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION, folder.uri);
  const set = config.inspect<string>(key);
  if (value === null) {
    if (set?.workspaceFolderValue !== undefined) await config.update(key, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    if (set?.workspaceValue !== undefined) await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
    if (set?.globalValue) void vscode.window.showWarningMessage(`${SECTION}.${key} is also set in your user settings (${set.globalValue}): it applies to every workspace until removed there.`);
    return;
  }
  const folderLevel = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 || set?.workspaceFolderValue !== undefined;
  await config.update(key, value, folderLevel ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace);
}
