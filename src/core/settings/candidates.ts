// The settings modules a project could run with, and who names each: the "Choose Settings Module…" command and
// `django-multidb settings`. Split settings (onadata's eight modules beside a common.py that sets no DATABASES,
// Mathesar's development/production, a CI module named only by pytest.ini) are the rule in real projects; the one
// the scan picked is a guess a user should be able to see and change, with what the others would give.
import * as path from 'path';
import type * as A from '../python/ast';
import type { ModuleIndex } from '../python/modules';
import { readDir, readText, statFile } from '../vfs';
import { MODULE_NAME, assignsAtTop, settingsModuleFromManagePy, settingsModuleFromPytestConfig, settingsModulesFromDeployFiles, walkProjectDirs } from './index';

/** Why a module is offered: who names it, or where it was found. */
export type CandidateSource =
  | { kind: 'in-use' }
  | { kind: 'configured' } // djangoMultiDb.settingsModule / --settings
  | { kind: 'environment' } // DJANGO_SETTINGS_MODULE of the environment (or the project's env file)
  | { kind: 'manage-py'; file: string; alternative?: true } // its default, or one of the names it chooses from at run time
  | { kind: 'entry-point'; file: string } // wsgi.py / asgi.py
  | { kind: 'pytest'; file: string }
  | { kind: 'tox'; file: string } // tox.ini: `setenv = DJANGO_SETTINGS_MODULE=…`, pytest's `--ds=…` in its commands
  | { kind: 'deploy'; file: string } // a container or CI file sets DJANGO_SETTINGS_MODULE
  | { kind: 'env-file'; file: string } // one of the project's env files (`.env.example`) sets DJANGO_SETTINGS_MODULE
  | { kind: 'layout' } // `<pkg>/settings.py` below manage.py's folder, as startproject makes it
  | { kind: 'beside'; of: string }; // a settings-like module in the same package as a named one

export interface SettingsCandidate {
  module: string;
  /** its file in the workspace or the environment; null when it resolves nowhere (a deployment's, kept out of git) */
  path: string | null;
  sources: CandidateSource[];
}

export interface CandidateContext {
  root: string;
  /** manage.py's folder up to `root`, nearest first (settings/index.ts foldersUpTo) */
  dirs: string[];
  managePy: string | null;
  projectDir: string;
  /** the module the last index used (SettingsInfo.module) */
  current: string | null;
  configured: string | null;
  fromEnvironment: string | null;
  /** the DJANGO_SETTINGS_MODULE each of the project's env files sets (production ones left out) */
  envFiles?: { file: string; module: string }[];
}

/** at most this many modules read beside each named one (a package of 200 modules is not a settings package) */
const BESIDE_MAX = 40;

/**
 * Candidates in the order a user would look at them: the one in use, those the project's own files name (manage.py,
 * the environment, wsgi/asgi, pytest, containers and CI), then the settings-like modules beside them. Each module
 * once, with every reason it is offered.
 */
export function settingsCandidates(modules: ModuleIndex, ctx: CandidateContext): SettingsCandidate[] {
  const out = new Map<string, SettingsCandidate>();
  const parse = (file: string): A.Module | null => {
    try {
      return modules.parseFile(file);
    } catch {
      return null;
    }
  };
  const add = (module: string, source: CandidateSource): void => {
    if (!MODULE_NAME.test(module)) return;
    let c = out.get(module);
    if (!c) {
      c = { module, path: modules.resolve(module)?.file ?? null, sources: [] };
      out.set(module, c);
    }
    if (!c.sources.some(s => JSON.stringify(s) === JSON.stringify(source))) c.sources.push(source);
  };
  if (ctx.current) add(ctx.current, { kind: 'in-use' });
  if (ctx.configured) add(ctx.configured, { kind: 'configured' });
  if (ctx.fromEnvironment) add(ctx.fromEnvironment, { kind: 'environment' });
  const managePy = ctx.managePy ? parse(ctx.managePy) : null;
  if (managePy && ctx.managePy) {
    const notes: { alternatives?: string[] } = {};
    const named = settingsModuleFromManagePy(managePy, name => !!modules.resolve(name)?.file, notes);
    if (named) add(named, { kind: 'manage-py', file: ctx.managePy });
    for (const alt of notes.alternatives ?? []) add(alt, { kind: 'manage-py', file: ctx.managePy, alternative: true });
  }
  // every WSGI/ASGI entry point of the workspace (four levels down, as discovery looks)
  walkProjectDirs(ctx.projectDir, 4, (dir, entries) => {
    for (const e of entries) {
      if (!e.isFile() || (e.name !== 'wsgi.py' && e.name !== 'asgi.py')) continue;
      const file = path.join(dir, e.name);
      const m = parse(file);
      const named = m ? settingsModuleFromManagePy(m) : null;
      if (named) add(named, { kind: 'entry-point', file });
    }
    return undefined;
  });
  const dirs = ctx.dirs;
  for (const f of ctx.envFiles ?? []) add(f.module, { kind: 'env-file', file: f.file });
  const pytest = settingsModuleFromPytestConfig(dirs);
  if (pytest) add(pytest.module, { kind: 'pytest', file: pytest.file });
  for (const d of toxSettingsModules(dirs)) add(d.module, { kind: 'tox', file: d.file });
  for (const d of settingsModulesFromDeployFiles(dirs)) add(d.module, { kind: 'deploy', file: d.file });
  // `<pkg>/settings.py` or `<pkg>/settings/__init__.py` one level below manage.py's folder (Django's startproject)
  for (const e of readDir(ctx.projectDir) ?? []) {
    if (!e.isDirectory() || e.name.startsWith('.') || !/^[A-Za-z_]\w*$/.test(e.name)) continue;
    const r = modules.resolve(`${e.name}.settings`);
    const m = r?.file && isInside(r.file, ctx.projectDir) ? parse(r.file) : null;
    if (m && looksLikeSettingsModule(m)) add(`${e.name}.settings`, { kind: 'layout' });
  }
  // the settings-like modules in the package of each module named so far (in the workspace only)
  for (const c of [...out.values()]) {
    if (!c.path || !isInside(c.path, ctx.root)) continue;
    const isPackage = path.basename(c.path) === '__init__.py';
    const dir = path.dirname(c.path);
    const pkg = isPackage ? c.module : c.module.split('.').slice(0, -1).join('.');
    const files = (readDir(dir) ?? []).filter(e => e.isFile() && e.name.endsWith('.py') && e.name !== '__init__.py' && !/^(test_|conftest|wsgi|asgi|urls|celery|manage)/.test(e.name))
      .map(e => e.name).sort().slice(0, BESIDE_MAX);
    for (const f of files) {
      const m = parse(path.join(dir, f));
      if (!m || !looksLikeSettingsModule(m)) continue;
      const name = `${pkg ? `${pkg}.` : ''}${f.slice(0, -3)}`;
      // (one reason is enough for a module found only this way: the first named module it sits beside)
      if (name !== c.module && !out.has(name)) add(name, { kind: 'beside', of: c.module });
    }
  }
  return [...out.values()];
}

/**
 * A module written as settings: it assigns one of the settings Django needs, or builds on others (`from .base import *`)
 * and sets upper-case names. Not a module of helpers beside them (`utils.py`, `logging_config.py` with its LOGGING
 * alone counts: it is settings, if partial).
 */
export function looksLikeSettingsModule(m: A.Module): boolean {
  if (assignsAtTop(m, ['DATABASES', 'INSTALLED_APPS', 'SECRET_KEY', 'ROOT_URLCONF', 'MIDDLEWARE'])) return true;
  const star = m.body.some(s => s.type === 'ImportFrom' && s.names.some(n => n.name === '*'));
  const upper = m.body.some(s => s.type === 'Assign' && s.targets.some(t => t.type === 'Name' && /^[A-Z][A-Z0-9_]+$/.test(t.id)));
  if (star && upper) return true;
  // settings classes exported into the module (readthedocs: `CommunityTestSettings.load_settings(__name__)`)
  return m.body.some(s => s.type === 'Expr' && s.value.type === 'Call' && s.value.args.some(a => a.type === 'Name' && a.id === '__name__'));
}

/**
 * The settings modules tox.ini names, nearest folder first: `DJANGO_SETTINGS_MODULE=x.settings.test` (a `setenv`
 * line) and pytest-django's `--ds=x.settings.test` / `--ds x.settings.test` in a command (readthedocs runs its proxito
 * tests with a module nothing else names).
 */
export function toxSettingsModules(dirs: string[]): { module: string; file: string }[] {
  const out: { module: string; file: string }[] = [];
  for (const dir of dirs) {
    const file = path.join(dir, 'tox.ini');
    let text: string;
    try {
      if (!statFile(file)) continue;
      text = readText(file);
    } catch {
      continue;
    }
    const add = (v: string | undefined) => {
      const m = v?.trim().replace(/^["']|["']$/g, '');
      if (m && MODULE_NAME.test(m) && !out.some(o => o.module === m)) out.push({ module: m, file });
    };
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line.startsWith('#') || line.startsWith(';')) continue;
      // (a setenv value on its own line, or `setenv = DJANGO_SETTINGS_MODULE=…` on the key's)
      const body = line.replace(/^setenv\s*=\s*/, '');
      if (body.startsWith('DJANGO_SETTINGS_MODULE')) {
        const eq = body.indexOf('=');
        if (eq > 0 && body.slice(0, eq).trim() === 'DJANGO_SETTINGS_MODULE') add(body.slice(eq + 1));
      }
      const words = line.split(/\s+/);
      words.forEach((w, i) => {
        if (w.startsWith('--ds=')) add(w.slice(5));
        else if (w === '--ds') add(words[i + 1]);
      });
    }
  }
  return out;
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** One line: who names a candidate (`manage.py`, `docker-compose.yml`, `beside config.settings.base`). */
export function describeSources(sources: CandidateSource[], root: string): string[] {
  const rel = (f: string) => path.relative(root, f) || f;
  return sources.map(s => {
    switch (s.kind) {
      case 'in-use': return 'in use';
      case 'configured': return 'configured (djangoMultiDb.settingsModule / --settings)';
      case 'environment': return 'DJANGO_SETTINGS_MODULE of the environment';
      case 'manage-py': return s.alternative ? `${rel(s.file)} (chosen at run time)` : rel(s.file);
      case 'entry-point': return rel(s.file);
      case 'pytest': return rel(s.file);
      case 'tox': return rel(s.file);
      case 'deploy': return rel(s.file);
      case 'env-file': return rel(s.file);
      case 'layout': return 'the startproject layout';
      case 'beside': return `beside ${s.of}`;
    }
  });
}

/** A candidate as a scan with it would read it (Scanner.settingsCandidates). */
export interface SettingsChoice extends SettingsCandidate {
  reads: {
    databases?: { alias: string; engine: string | null }[];
    /** DATABASE_ROUTERS, dotted paths ('?' for an entry not known statically) */
    routers?: string[];
    installedApps?: number;
    /** DATABASES empty (Django's dummy default) or without 'default' (refused) */
    notConfigured?: 'empty' | 'no-default';
    /** the module resolves nowhere */
    notFound?: true;
    /** DATABASES could not be read statically (an import that is not installed, a computed value) */
    databasesUnknown?: true;
    /** DATABASE_ROUTERS could not be read statically */
    routersUnknown?: true;
    error?: string;
  };
}

/** at most this many candidates evaluated (each is a settings evaluation) */
export const SETTINGS_CHOICES_MAX = 20;

/** What a candidate gives, in a few words: `default, replica (2 routers)`, `no DATABASES`, `not in the workspace`. */
export function describeReads(c: Pick<SettingsChoice, 'reads'>): string {
  const r = c.reads;
  if (r.error) return `could not be read: ${r.error}`;
  if (r.notFound) return 'not in the workspace or the environment';
  if (r.notConfigured === 'empty') return 'no DATABASES (Django\'s dummy default)';
  const dbs = (r.databases ?? []).map(d => d.alias);
  const parts = [dbs.length ? dbs.join(', ') : r.databasesUnknown ? 'DATABASES not known statically' : 'no databases'];
  if (r.notConfigured === 'no-default') parts.push('no \'default\': Django refuses it');
  if (r.databasesUnknown && dbs.length) parts.push('DATABASES partly unknown');
  if (r.routersUnknown) parts.push('routers not known statically');
  else if (r.routers?.length) parts.push(`${r.routers.length} router${r.routers.length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
