// The last resort of issue 7 (principle 5): when INSTALLED_APPS cannot be evaluated at all, the apps of the
// workspace are indexed as *discovered* instead of showing nothing.
//
// A discovered app is a package below a search root inside the workspace (the folder of manage.py first:
// Django puts it on sys.path) that has an AppConfig subclass in `apps.py` or a `migrations/__init__.py`;
// the AppConfig Django would pick (`AppConfig.create`, resolveApps) gives its label. Packages under
// `tests`/`test` folders are test fixtures, not part of the project. Django's own apps (`django.contrib.*`)
// are added when a discovered migration depends on them, directly or through another contrib app, so that
// `("auth", "0012_…")` resolves as it does in the real project.
import * as fs from 'fs';
import * as path from 'path';
import type { ModuleIndex } from '../python/modules';
import type { AppInfo, Loc, SettingsInfo } from '../types';
import { readMigrations, type MigrationsResult } from '../migrations/files';
import { isWorkspaceFile } from '../models';
import { resolveApps } from './index';

const APP_CONFIG = 'django.apps.AppConfig';
/** folders never searched: caches, dependencies, test fixtures */
const SKIP = new Set(['__pycache__', 'node_modules', 'site-packages', 'dist-packages', 'tests', 'test', 'migrations']);
const MAX_DEPTH = 12;
/** a workspace with more folders than this is searched only up to it (the finding says so) */
const MAX_DIRS = 20000;

/** Why INSTALLED_APPS is entirely unknown (no entry known at all), or null when Django's list is (partly) known. */
export function installedAppsUnknown(settings: SettingsInfo): { reason: string; loc?: Loc } | null {
  if (settings.installedApps.some(e => typeof e === 'string')) return null;
  const named = (name: string) => settings.unknowns.find(u => u.name === name);
  const u = named('INSTALLED_APPS')
    ?? named('DJANGO_SETTINGS_MODULE')
    ?? (settings.installedApps.length ? settings.unknowns.find(x => x.name.startsWith('INSTALLED_APPS[')) : undefined);
  if (u) return { reason: u.reason, ...(u.loc ? { loc: u.loc } : {}) };
  // Not set at all. Django's default (an empty list) is the truth for settings that were read completely. It is
  // not when parts of them could not be evaluated (a failed import that would have defined it), nor when
  // DATABASES is missing too: settings that set neither are not what the project runs on (class-based settings
  // that `setattr` their attributes onto the module, for one).
  if (settings.installedApps.length || 'INSTALLED_APPS' in settings.values) return null;
  const module = settings.module ?? 'the settings';
  const first = settings.unknowns[0];
  if (first) {
    return {
      reason: `INSTALLED_APPS is not set by the parts of ${module} that could be evaluated; ${settings.unknowns.length} could not, e.g. ${first.name}: ${first.reason}`,
      ...(first.loc ? { loc: first.loc } : {}),
    };
  }
  if (!settings.databases.length && settings.path) return { reason: `neither INSTALLED_APPS nor DATABASES is set by what could be evaluated of ${module}` };
  return null;
}

export interface DiscoveredApps {
  apps: AppInfo[];
  /** the migrations of `apps`, read once (readMigrations prunes its cache to the apps it is given) */
  migrations: MigrationsResult;
  /** one sentence for the `apps-discovered` finding */
  message: string;
}

/** Packages that look like Django apps, as dotted names under the workspace's search roots, in path order. */
export function workspaceAppModules(index: ModuleIndex, root: string): { modules: string[]; truncated: boolean } {
  const roots = index.roots.map(r => path.resolve(r)).filter(r => isWorkspaceFile(root, r) || r === path.resolve(root));
  const rootSet = new Set(roots);
  const found: string[] = [];
  const seen = new Set<string>();
  let dirs = 0;
  let truncated = false;
  for (const base of roots) {
    const walk = (dir: string, parts: string[]): void => {
      if (dirs >= MAX_DIRS) { truncated = true; return; }
      dirs++;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      const names = new Set(entries.map(e => e.name));
      if (parts.length && names.has('pyvenv.cfg')) return;
      if (parts.length) {
        const hasApps = entries.some(e => e.name === 'apps.py' && e.isFile());
        const hasMigrations = names.has('migrations') && fs.existsSync(path.join(dir, 'migrations', '__init__.py'));
        const dotted = parts.join('.');
        // shadowed by a module of the same name earlier on sys.path: not this folder
        if ((hasApps || hasMigrations) && !seen.has(dotted) && index.resolve(dotted)?.packageDir === dir) {
          seen.add(dotted);
          found.push(dotted);
        }
      }
      if (parts.length >= MAX_DEPTH) return;
      // symlinked folders are not followed: they can loop, and an app is rarely reached only through one
      for (const e of entries.filter(x => x.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (e.name.startsWith('.') || SKIP.has(e.name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name)) continue;
        const sub = path.join(dir, e.name);
        if (rootSet.has(sub)) continue;
        walk(sub, [...parts, e.name]);
      }
    };
    walk(base, []);
  }
  return { modules: found, truncated };
}

/** `django.contrib.<x>` packages that have migrations, as INSTALLED_APPS entries. */
function contribApps(index: ModuleIndex): string[] {
  const dir = index.resolve('django.contrib')?.packageDir;
  if (!dir) return [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter(e => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'migrations', '__init__.py')))
    .map(e => `django.contrib.${e.name}`)
    .sort();
}

/**
 * The discovered apps of a workspace whose INSTALLED_APPS is unknown (`why`), with their migrations. Django's
 * contrib apps come first, as settings usually list them, and only those some kept migration depends on.
 */
export function discoverApps(index: ModuleIndex, settings: SettingsInfo, root: string, why: { reason: string }): DiscoveredApps {
  const { modules, truncated } = workspaceAppModules(index, root);
  // the workspace's apps win a label they share with a contrib app (which is only there to satisfy dependencies)
  const local = resolveApps(index, { ...settings, installedApps: modules }, root);
  // an apps.py without an AppConfig (a module that happens to be called apps) and no migrations: not an app
  const localApps = local.apps.filter(a => a.appConfig !== APP_CONFIG || a.migrationsDir);
  const taken = new Set(localApps.map(a => a.label));
  const contrib = resolveApps(index, { ...settings, installedApps: contribApps(index) }, root).apps.filter(a => !taken.has(a.label));
  const contribSet = new Set(contrib.map(a => a.entry));
  const candidates = [...contrib, ...localApps];
  const skipped = local.problems.filter(p => /aren't unique/.test(p.message)).map(p => p.entry);
  // one read of every candidate's migrations; the contrib apps no kept migration needs are dropped afterwards
  const all = readMigrations(index, candidates, settings);
  const byLabel = new Map(candidates.map(a => [a.label, a]));
  const keep = new Set(candidates.filter(a => !contribSet.has(a.entry)).map(a => a.label));
  const deps = new Map<string, Set<string>>();
  for (const m of all.migrations) {
    let s = deps.get(m.app);
    if (!s) deps.set(m.app, (s = new Set()));
    for (const [app] of [...m.dependencies, ...m.replaces, ...m.runBefore]) s.add(app);
  }
  const stack = [...keep];
  while (stack.length) {
    for (const label of deps.get(stack.pop()!) ?? []) {
      if (keep.has(label) || !byLabel.has(label)) continue;
      keep.add(label);
      stack.push(label);
    }
  }
  const apps = candidates.filter(a => keep.has(a.label)).map(a => ({ ...a, installed: 'discovered' as const }));
  const migrations: MigrationsResult = {
    migrations: all.migrations.filter(m => keep.has(m.app)),
    problems: all.problems.filter(p => !p.app || keep.has(p.app)),
  };
  const found = apps.filter(a => !contribSet.has(a.entry));
  const django = apps.filter(a => contribSet.has(a.entry));
  const message = [
    `INSTALLED_APPS could not be evaluated (${why.reason}); showing the ${found.length} app${found.length === 1 ? '' : 's'} found in the workspace`,
    ' (packages with an AppConfig in apps.py or a migrations package, outside tests folders)',
    django.length ? ` and the Django app${django.length === 1 ? '' : 's'} their migrations depend on (${django.map(a => a.label).join(', ')})` : '',
    '. Apps installed from the environment are missing, and workspace apps that are not installed may be shown.',
    index.resolve('django.contrib') ? '' : ' Django itself was not found in the Python environment used, so dependencies on its apps (auth, contenttypes, …) cannot be resolved.',
    skipped.length ? ` Skipped for a duplicate label: ${skipped.join(', ')}.` : '',
    truncated ? ` The workspace has more than ${MAX_DIRS} folders: only the first ones were searched.` : '',
  ].join('');
  return { apps, migrations, message };
}
