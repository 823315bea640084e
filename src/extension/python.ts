// Which Python runs `manage.py`, and with which environment. Only used when the workspace is trusted.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
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

function venvPython(dir: string): string | undefined {
  for (const venv of ['.venv', 'venv']) {
    const candidates = process.platform === 'win32' ? [path.join(dir, venv, 'Scripts', 'python.exe')] : [path.join(dir, venv, 'bin', 'python3'), path.join(dir, venv, 'bin', 'python')];
    const hit = candidates.find(c => fs.existsSync(c));
    if (hit) return hit;
  }
  return undefined;
}

/** Python extension's active interpreter, else the `pythonPath` setting, else a workspace venv, else python3. */
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
  const venv = venvPython(projectDir) ?? venvPython(folder.uri.fsPath);
  if (venv) return { command: venv, source: 'venv' };
  return { command: process.platform === 'win32' ? 'python' : 'python3', source: 'default' };
}

/** KEY=VALUE pairs of the env file, parsed (never executed) with dotenv; {} when absent. */
export function readEnvFile(file: string | null, log: Log): Record<string, string> {
  if (!file) return {};
  try {
    const dotenv = require('dotenv') as typeof import('dotenv');
    return dotenv.parse(fs.readFileSync(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`cannot read env file ${file}: ${(e as Error).message}`);
    return {};
  }
}
