// Shared by the unit tests: small Python projects written into temp dirs, and a minimal SettingsInfo.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SettingsInfo } from '../../src/core/types';

/** Write `{relative path: text}` into a fresh temp dir and return it. */
export function writeTree(files: Record<string, string>, prefix = 'dmdb-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return dir;
}

/** A copy of the project at `src` in a fresh temp dir, without its SQLite files and Python caches. */
export function copyProject(src: string, prefix = 'dmdb-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(src, dir, { recursive: true, filter: s => !/(\.sqlite3|__pycache__)$/.test(s) });
  return dir;
}

/** A SettingsInfo with Django's defaults, overridden by `over`. */
export function settingsOf(over: Partial<SettingsInfo> = {}): SettingsInfo {
  return {
    module: 'mysite.settings', path: null, databases: [], routers: [], installedApps: [], migrationModules: {},
    authUserModel: 'auth.User', values: {}, unknowns: [], ...over,
  };
}

/** The site-packages folder holding Django in the venv of `py`, or null. */
export function djangoSitePackages(py: string | null): string | null {
  if (!py) return null;
  const lib = path.join(path.dirname(path.dirname(py)), 'lib');
  for (const d of fs.existsSync(lib) ? fs.readdirSync(lib) : []) {
    const sp = path.join(lib, d, 'site-packages');
    if (fs.existsSync(path.join(sp, 'django'))) return sp;
  }
  return null;
}
