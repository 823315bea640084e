// Which Python runs `manage.py`, and with which environment. Only used when the workspace is trusted.
import * as fs from 'fs';
import * as vscode from 'vscode';
import { findInterpreter } from '../core/env/python-env';
import type { Log } from './log';

/** The part of the Python extension's API we use (ms-python.python `exports.environments`). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri | vscode.WorkspaceFolder): { id: string; path: string } | undefined;
    resolveEnvironment?(env: { id: string; path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

export interface Interpreter {
  command: string;
  source: 'python-extension' | 'setting' | 'venv' | 'default';
}

/**
 * The Python extension's active interpreter, else the `pythonPath` setting, else the core's own choice
 * (`findInterpreter`: VIRTUAL_ENV of the host, a `.venv`/`venv`/`env` of the project or the folder, python3 on
 * PATH) — the same rules as the CLI, so both run the same interpreter on the same project.
 */
export async function resolveInterpreter(folder: vscode.WorkspaceFolder, projectDir: string, settingPath: string | null, log: Log): Promise<Interpreter> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (ext) {
    try {
      const api = ext.isActive ? ext.exports : await ext.activate();
      const env = api?.environments?.getActiveEnvironmentPath(folder.uri);
      if (env?.path) {
        const resolved = await api.environments?.resolveEnvironment?.(env).catch(() => undefined);
        const exe = resolved?.executable?.uri?.fsPath ?? env.path;
        // the API returns a folder for some environment kinds (conda prefixes): fall through then
        if (exe && !(fs.existsSync(exe) && fs.statSync(exe).isDirectory())) return { command: exe, source: 'python-extension' };
      }
    } catch (e) {
      log.warn(`Python extension API unavailable: ${(e as Error).message}`);
    }
  }
  if (settingPath) return { command: settingPath, source: 'setting' };
  const found = findInterpreter({ root: projectDir, workspaceRoot: folder.uri.fsPath, env: process.env });
  if (found) return { command: found.interpreter, source: found.source === 'workspace-venv' || found.source === 'VIRTUAL_ENV' ? 'venv' : 'default' };
  return { command: process.platform === 'win32' ? 'python' : 'python3', source: 'default' };
}
