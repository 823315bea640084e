// Shared by the oracle tests: the Django venv, temp copies of projects, running real manage.py commands, the
// Django oracle script and our CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'bin', 'django-multidb.js');

/** The venv python with Django 5.2, or null (tests then skip, saying why). */
export function djangoPython(): string | null {
  const fromEnv = process.env.DJANGO_MULTIDB_PYTHON;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const cache = process.env.DJANGO_MULTIDB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'django-multidb');
  const p = path.join(cache, 'venv-django52', 'bin', 'python');
  return fs.existsSync(p) ? p : null;
}

export const NO_DJANGO = 'no Django venv: run scripts/python-env.sh (npm test does)';

export function copyProject(src: string, prefix = 'dmdb-oracle-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(src, dir, { recursive: true, filter: s => !/(\.sqlite3|__pycache__)$/.test(s) });
  return dir;
}

export function manage(py: string, dir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(py, ['manage.py', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** What real Django reports (test/oracle/django_oracle.py), as parsed JSON. */
export function oracle(py: string, dir: string, settingsModule: string, env: Record<string, string> = {}): any {
  const out = execFileSync(py, [path.join(REPO, 'test', 'oracle', 'django_oracle.py')], {
    cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28,
    env: { ...process.env, ...env, DJANGO_SETTINGS_MODULE: settingsModule, PYTHONPATH: dir },
  });
  return JSON.parse(out);
}

export interface CliResult { status: number; stdout: string; stderr: string; json?: any }

export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const p = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? REPO, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...opts.env } });
  const r: CliResult = { status: p.status ?? -1, stdout: p.stdout, stderr: p.stderr };
  if (args.includes('--json')) {
    try { r.json = JSON.parse(p.stdout); } catch { /* the test reports stdout */ }
  }
  return r;
}

/** Run a snippet with the venv python inside a project (cwd and PYTHONPATH = dir). */
export function python(py: string, dir: string, code: string, env: Record<string, string> = {}): string {
  return execFileSync(py, ['-c', code], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir, ...env } });
}

export function sortBy<T>(xs: T[], key: (x: T) => string): T[] {
  return [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
