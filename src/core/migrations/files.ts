// Migration files on disk, read as Django's `MigrationLoader.load_disk` (django/db/migrations/loader.py)
// finds them: for each installed app with a migrations package (MIGRATION_MODULES None → none; a missing
// module, a plain module or a namespace package → none), every `pkgutil.iter_modules` entry that is a
// module (`*.py`, not a sub-package) whose name does not start with `_` or `~`; each must define a
// `Migration` class. Only what the graph and the report need is read from that class: dependencies
// (`swappable_dependency(settings.X)` → (app label of the setting, "__first__")), replaces, run_before,
// initial, and a one-line summary of each operation.
//
// Speed matters (thousands of files): only the `Migration` class is looked at, nothing is resolved through
// imports, and results are cached per file (mtime + size) between scans of the same ModuleIndex.
import * as fs from 'fs';
import { readDir, statFile, type FileStat } from '../vfs';
import * as path from 'path';
import type * as A from '../python/ast';
import type { ModuleIndex } from '../python/modules';
import { literalEval } from '../python/literal';
import { parsePython, readPythonFile, type ParseOptions } from '../python/parse';
import type { MigrationJob } from '../prefetch';
import type { AppInfo, MigrationFileInfo, MigrationOperationInfo, SettingsInfo } from '../types';

export interface MigrationProblem {
  /** parse-budget: a parse limit cut the reading of the file short (./python/parse.ts) */
  code?: 'parse-error' | 'parse-budget';
  /** 'info': what could not be read does not change what is shown of the plan (a warning otherwise) */
  severity?: 'info';
  path: string | null;
  line: number | null;
  app?: string;
  message: string;
}

export interface MigrationsResult {
  migrations: MigrationFileInfo[];
  problems: MigrationProblem[];
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  /** settings the file's swappable dependencies read, with the values they had */
  used: Record<string, string | null>;
  info: MigrationFileInfo | null;
  problems: MigrationProblem[];
  /**
   * read cut short by the time budget: not written to the on-disk cache; 'retry' (cut on the small budget of a
   * scan that had spent its own) is read again by the next scan
   */
  timeLimited?: boolean | 'retry';
}

const caches = new WeakMap<ModuleIndex, Map<string, CacheEntry>>();
/** indexes whose cache changed (entries added or dropped) since it was last imported or exported */
const dirty = new WeakSet<ModuleIndex>();

function isHit(hit: CacheEntry | undefined, st: { mtimeMs: number; size: number }, app: AppInfo, settings: SettingsInfo): boolean {
  return !!hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size && hit.info?.app === app.label && sameSettings(hit.used, settings) && hit.timeLimited !== 'retry';
}

/**
 * Whether the RunPython lints (lints/runpython.ts) read this migration file next: then its whole AST is parsed
 * and kept for them; otherwise only what the migration reader reads is converted.
 */
export function lintedNext(external: boolean, read: { source: string; fileSize?: number }): boolean {
  return !external && read.fileSize === undefined && (read.source.includes('RunPython') || read.source.includes('RunSQL'));
}

/** Read one migration file into the per-file cache (or say why it cannot be read). */
export function readMigrationJob(index: ModuleIndex, job: Omit<MigrationJob, 'ownModule'> & FileStat, settings: SettingsInfo): CacheEntry | { error: string } {
  const read = readPythonFile(job.file, job);
  if ('error' in read) return read;
  const r = readMigrationSource(read.source, job.file, job.app, job.name, settings, {
    budget: index.budget, fileSize: read.fileSize, ...(lintedNext(job.external, read) ? { keep: true } : { only: 'migration' as const }),
  });
  const entry: CacheEntry = { mtimeMs: job.mtimeMs, size: job.size, used: r.used, info: r.info, problems: r.problems };
  if (r.timeLimited) entry.timeLimited = r.timeLimited;
  cacheOf(index).set(job.file, entry);
  dirty.add(index);
  return entry;
}

const fullReadings = new Map<string, { mtimeMs: number; size: number; ops: MigrationOperationInfo[] | null }>();

/**
 * A migration's operations read in full (a scan reads `class Migration` and each operation's model only: ParseOptions
 * `only`), for what a migration-only reading leaves out (MigrationOperationInfo.names, mixins); null when the file
 * cannot be read or was not read whole. Kept per file while its mtime and size are the same.
 */
export function operationsReadInFull(m: MigrationFileInfo, settings: SettingsInfo): MigrationOperationInfo[] | null {
  const st = statFile(m.path);
  if (!st) return null;
  const had = fullReadings.get(m.path);
  if (had && had.mtimeMs === st.mtimeMs && had.size === st.size) return had.ops;
  const read = readPythonFile(m.path, st);
  const r = 'error' in read ? null : readMigrationSource(read.source, m.path, m.app, m.name, settings, { fileSize: read.fileSize }, true);
  const ops = r?.info && !r.info.partial ? r.info.operations : null;
  fullReadings.set(m.path, { mtimeMs: st.mtimeMs, size: st.size, ops });
  return ops;
}

function cacheOf(index: ModuleIndex): Map<string, CacheEntry> {
  let cache = caches.get(index);
  if (!cache) {
    cache = new Map();
    caches.set(index, cache);
  }
  return cache;
}

/** the files of each app's migrations package, as Django lists them */
export function* migrationFiles(index: ModuleIndex, apps: AppInfo[], problems: MigrationProblem[]): Generator<{ app: AppInfo; name: string; file: string }> {
  for (const app of apps) {
    const dir = migrationsPackageDir(index, app, problems);
    if (!dir) continue;
    for (const name of iterModules(dir)) yield { app, name, file: path.join(dir, `${name}.py`) };
  }
}

/** Put a reading done elsewhere (../prefetch.ts) into the per-file cache, as if this thread had read it. */
export function seedMigrationEntry(index: ModuleIndex, file: string, entry: { mtimeMs: number; size: number; used: Record<string, string | null>; info: unknown; problems: unknown[]; timeLimited?: boolean | 'retry' }): void {
  const e: CacheEntry = { mtimeMs: entry.mtimeMs, size: entry.size, used: entry.used, info: entry.info as MigrationFileInfo | null, problems: entry.problems as MigrationProblem[] };
  if (entry.timeLimited) e.timeLimited = entry.timeLimited;
  cacheOf(index).set(file, e);
  dirty.add(index);
}

/** One step of reading the migrations: a file read (what it gave), or a problem met while listing them. */
type ReadStep = { file: string; app: AppInfo; name: string; info: MigrationFileInfo | null; problems: MigrationProblem[] } | { problem: MigrationProblem };
/** how each result was read, step by step, and each file's step (for `readMigrationsAgain`) */
const STEPS = new WeakMap<MigrationsResult, { steps: ReadStep[]; at: Map<string, number> }>();

export function readMigrations(index: ModuleIndex, apps: AppInfo[], settings: SettingsInfo): MigrationsResult {
  const cache = cacheOf(index);
  const steps: ReadStep[] = [];
  const at = new Map<string, number>();
  const listed: MigrationProblem[] = [];
  const live = new Set<string>();
  const flush = () => { for (const p of listed.splice(0)) steps.push({ problem: p }); };

  for (const { app, name, file } of migrationFiles(index, apps, listed)) {
    flush();
    live.add(file);
    at.set(file, steps.length);
    steps.push(readStep(index, cache, app, name, file, settings));
  }
  flush();
  for (const k of cache.keys()) {
    if (!live.has(k)) {
      cache.delete(k);
      dirty.add(index);
    }
  }
  return assemble(steps, at);
}

/**
 * `readMigrations` again after `changed` files were edited (none created or deleted: the listing is the same), from
 * the result it gave before: only those files are read. Null when one of them is not a migration file of that result.
 */
export function readMigrationsAgain(index: ModuleIndex, settings: SettingsInfo, prev: MigrationsResult, changed: readonly string[]): MigrationsResult | null {
  const made = STEPS.get(prev);
  if (!made) return null;
  const steps = made.steps.slice();
  const cache = cacheOf(index);
  for (const file of changed) {
    const i = made.at.get(file);
    const step = i === undefined ? undefined : steps[i];
    if (!step || !('file' in step)) return null;
    steps[i!] = readStep(index, cache, step.app, step.name, file, settings);
  }
  return assemble(steps, made.at);
}

/**
 * `readMigrations` again with other settings, the apps and every file it read as they were (the caller checked them):
 * each file's reading is kept while the settings it read (swappable dependencies, `in settings.INSTALLED_APPS`) have
 * the same values, as a file's cache entry is; only a file whose settings changed is read again. A DATABASES edit
 * then neither stats nor reads any of a large project's 3,000 migration files (12 ms of every such edit).
 */
export function readMigrationsForSettings(index: ModuleIndex, settings: SettingsInfo, prev: MigrationsResult): MigrationsResult | null {
  const made = STEPS.get(prev);
  if (!made) return null;
  const cache = cacheOf(index);
  let steps: ReadStep[] | null = null;
  for (let i = 0; i < made.steps.length; i++) {
    const step = made.steps[i]!;
    if (!('file' in step)) continue;
    const hit = cache.get(step.file);
    // (a step whose file's entry was read again since, or that has none: read as readMigrations reads it)
    if (hit && hit.info === step.info && hit.timeLimited !== 'retry' && sameSettings(hit.used, settings)) continue;
    (steps ??= made.steps.slice())[i] = readStep(index, cache, step.app, step.name, step.file, settings);
  }
  return steps ? assemble(steps, made.at) : prev;
}

function readStep(index: ModuleIndex, cache: Map<string, CacheEntry>, app: AppInfo, name: string, file: string, settings: SettingsInfo): ReadStep {
  const st = statFile(file);
  if (!st) {
    // a dangling or looping symlink: Django's import of it would fail
    return { file, app, name, info: null, problems: [{ path: file, line: null, app: app.label, message: `cannot read migration ${app.label}.${name}: ${statError(file)}` }] };
  }
  const hit = cache.get(file);
  let entry: CacheEntry;
  if (isHit(hit, st, app, settings)) {
    entry = hit!;
  } else {
    const read = readMigrationJob(index, { file, app: app.label, name, mtimeMs: st.mtimeMs, size: st.size, external: !!app.external }, settings);
    if ('error' in read) {
      return { file, app, name, info: null, problems: [{ path: file, line: null, app: app.label, message: `cannot read migration ${app.label}.${name}: ${read.error}` }] };
    }
    entry = read;
  }
  return { file, app, name, info: entry.info, problems: entry.problems };
}

function assemble(steps: ReadStep[], at: Map<string, number>): MigrationsResult {
  const migrations: MigrationFileInfo[] = [];
  const problems: MigrationProblem[] = [];
  for (const s of steps) {
    if ('problem' in s) { problems.push(s.problem); continue; }
    if (s.info) migrations.push(s.info);
    problems.push(...s.problems);
  }
  const result = { migrations, problems };
  STEPS.set(result, { steps, at });
  return result;
}

/** Why a path that is listed cannot be read as a file (a dangling or looping symlink, a directory). */
function statError(file: string): string {
  try {
    return fs.statSync(file).isFile() ? 'unreadable' : 'not a regular file';
  } catch (e) {
    return (e as Error).message;
  }
}

/** The directory Django would list, or null (with the reason in `problems` when it is surprising). */
function migrationsPackageDir(index: ModuleIndex, app: AppInfo, problems: MigrationProblem[]): string | null {
  if (!app.migrationsModule) return null;
  const r = index.resolve(app.migrationsModule);
  const explicit = app.migrationsModule !== `${app.module}.migrations`;
  if (!r) {
    if (explicit) {
      problems.push({ path: null, line: null, app: app.label, message: `MIGRATION_MODULES['${app.label}'] = '${app.migrationsModule}' cannot be found` });
    }
    return null;
  }
  // not a package (migrations.py), or a namespace package (no __init__.py): Django treats the app as unmigrated
  if (!r.packageDir || !r.file) return null;
  return r.packageDir;
}

/** `pkgutil.iter_modules([dir])` names of plain modules, minus names starting with `_` or `~`, sorted. */
export function iterModules(dir: string): string[] {
  return modulesIn(readDir(dir) ?? []);
}

/** The module names of a directory listing as `pkgutil.iter_modules` gives them (iterModules). */
export function modulesIn(entries: readonly fs.Dirent[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (!e.name.endsWith('.py')) continue;
    const name = e.name.slice(0, -3);
    if (!name || name === '__init__' || name.includes('.')) continue;
    if (name[0] === '_' || name[0] === '~') continue;
    if (e.isDirectory()) continue;
    if (!e.isFile() && !e.isSymbolicLink()) continue;
    out.push(name);
  }
  return out.sort();
}

/** Read one migration file's source. Exported for tests and for re-reading a single edited file. */
export function readMigrationSource(
  source: string,
  file: string,
  app: string,
  name: string,
  settings: MigrationSettings,
  parseOptions: ParseOptions = {},
  /** read what only the historical classes need (MigrationOperationInfo names, mixins): operationsReadInFull */
  historical = false,
): { info: MigrationFileInfo | null; problems: MigrationProblem[]; used: Record<string, string | null>; timeLimited?: boolean | 'retry' } {
  const problems: MigrationProblem[] = [];
  let mod = parsePython(source, file, parseOptions);
  // no Migration class in a migration-only reading: read it all, for the limits and errors that say why (a limit
  // in code that a migration-only reading skips makes the migration partial rather than missing)
  if (parseOptions.only && !findMigrationClass(mod.body)) mod = parsePython(source, file, { ...parseOptions, only: undefined });
  let partial = mod.problems.length > 0 || !!mod.limit;
  for (const p of mod.problems) problems.push({ code: 'parse-error', path: file, line: p.line, app, message: `${p.message} in migration ${app}.${name} (line skipped)` });
  if (mod.limit) problems.push({ code: 'parse-budget', path: file, line: mod.limit.line, app, message: `migration ${app}.${name}: ${mod.limit.message}` });
  const timeLimited = mod.limit?.kind === 'time' ? { timeLimited: mod.limit.retry ? 'retry' as const : true } : {};

  const cls = findMigrationClass(mod.body);
  const info: MigrationFileInfo = {
    app, name, key: `${app}.${name}`, path: file,
    dependencies: [], replaces: [], runBefore: [], initial: null, operations: [],
  };
  if (!cls) {
    if (!partial) {
      problems.push({ path: file, line: null, app, message: `Migration ${name} in app ${app} has no Migration class` });
      return { info: null, problems, used: {}, ...timeLimited };
    }
    info.partial = true;
    return { info, problems, used: {}, ...timeLimited };
  }
  info.line = cls.line;

  // names the class body may read: the module's assignments before the class (not in a migration-only reading),
  // then the class body's own as they come (`database_operations = [...]` passed to SeparateDatabaseAndState)
  const names = new Map<string, A.Expr>();
  const functions = new Map<string, A.FunctionDef>();
  for (const s of mod.body) {
    if (s.line >= cls.line) break;
    if (s.type === 'Assign' && s.targets.length === 1 && s.targets[0]!.type === 'Name') names.set(s.targets[0]!.id, s.value);
    else if (s.type === 'FunctionDef') functions.set(s.name, s);
  }
  const ctx: Ctx = { settings, partial: false, used: {}, names, functions, migrationOnly: !!parseOptions.only, unresolved: false, historical: historical && !parseOptions.only };
  /** the class attributes not read whole, and the call that computes each when the file is imported */
  const unreadParts: { part: string; cause: string | null }[] = [];
  for (const s of cls.body) {
    let target: string | null = null;
    let value: A.Expr | null = null;
    if (s.type === 'Assign' && s.targets.length === 1 && s.targets[0]!.type === 'Name') {
      target = s.targets[0]!.id;
      value = s.value;
    } else if (s.type === 'AnnAssign' && s.target.type === 'Name') {
      target = s.target.id;
      value = s.value;
    } else if (s.type === 'AugAssign' && s.target.type === 'Name' && s.op === '+') {
      target = s.target.id;
      value = s.value;
    }
    if (!target || !value) continue;
    const augment = s.type === 'AugAssign';
    const partialBefore = ctx.partial;
    ctx.partial = false;
    switch (target) {
      case 'dependencies': {
        const deps = pairs(value, ctx, true);
        info.dependencies = augment ? [...info.dependencies, ...deps] : deps;
        break;
      }
      case 'replaces': {
        const r = pairs(value, ctx, false);
        info.replaces = augment ? [...info.replaces, ...r] : r;
        break;
      }
      case 'run_before': {
        const r = pairs(value, ctx, false);
        info.runBefore = augment ? [...info.runBefore, ...r] : r;
        break;
      }
      case 'initial':
        if (value.type === 'Constant' && (typeof value.value === 'boolean' || value.value === null)) info.initial = value.value;
        else if (value.type === 'Name' && (value.id === 'True' || value.id === 'False')) info.initial = value.id === 'True';
        else ctx.partial = true;
        break;
      case 'operations': {
        const ops = operations(value, ctx);
        info.operations = augment ? [...info.operations, ...ops] : ops;
        break;
      }
      default:
        break;
    }
    if (ctx.partial && !unreadParts.some(u => u.part === target)) unreadParts.push({ part: target, cause: computedBy(value) });
    ctx.partial ||= partialBefore;
    if (!augment) names.set(target, value);
  }
  if (ctx.unresolved && parseOptions.only) {
    // a name the migration-only reading left out (a module-level list of operations): read the whole file
    return readMigrationSource(source, file, app, name, settings, { ...parseOptions, only: undefined });
  }
  if (ctx.partial) {
    partial = true;
    problems.push(unreadPartsProblem(file, cls.line, `${app}.${name}`, app, unreadParts));
  }
  if (partial) info.partial = true;
  return { info, problems, used: ctx.used, ...timeLimited };
}

/**
 * What a migration whose class attributes were not all read says. Operations that are computed when the file is
 * imported (kobotoolbox's `operations = get_operations()`, which asks the database; `*get_conditional_operations()`
 * after literal ones) leave the migration's place in the plan known: an info. Dependencies, replaces or run_before
 * that could not be read may put it elsewhere in Django's plan: a warning.
 */
function unreadPartsProblem(file: string, line: number, id: string, app: string, parts: readonly { part: string; cause: string | null }[]): MigrationProblem {
  const planParts = parts.filter(p => p.part === 'dependencies' || p.part === 'replaces' || p.part === 'run_before');
  const said = parts.map(p => `${p.part}${p.cause ? ` (computed by ${p.cause} when the file is imported)` : ''}`);
  const list = said.length > 1 ? `${said.slice(0, -1).join(', ')} and ${said.at(-1)}` : said[0] ?? 'class attributes';
  if (parts.every(p => p.part === 'initial')) {
    return { path: file, line, app, severity: 'info', message: `migration ${id}: its initial could not be read statically (only migrate --fake-initial reads it)` };
  }
  if (planParts.length) {
    return { path: file, line, app, message: `migration ${id}: its ${list} could not all be read statically: its place in Django's plan may differ from what is shown` };
  }
  return {
    path: file, line, app, severity: 'info',
    message: `migration ${id}: its ${list} could not all be read statically: its place in the plan is known (its dependencies are read), but not all of what it does, so lints and where its operations run leave those out`,
  };
}

/** `get_operations()`, `helpers.ops(...)`: the first call in `e` (through lists, `*`, `+` and conditions) that is not one of `migrations.*` */
function computedBy(e: A.Expr): string | null {
  const name = (f: A.Expr): string | null => f.type === 'Name' ? f.id : f.type === 'Attribute' ? (name(f.value) ?? '…') + '.' + f.attr : null;
  switch (e.type) {
    case 'Call': {
      // (an operation that is read, `AddIndexConcurrently(...)` imported bare, is not what could not be read)
      const kind = calleeName(e.func);
      if (kind && (kind in MODEL_ARG || READ_KINDS.has(kind))) return null;
      const n = name(e.func);
      if (n && !/^(migrations|models)\./.test(n)) return `${n}()`;
      return null;
    }
    case 'List': case 'Tuple': for (const x of e.elts) { const c = computedBy(x); if (c) return c; } return null;
    case 'Starred': return computedBy(e.value);
    case 'BinOp': return computedBy(e.left) ?? computedBy(e.right);
    case 'IfExp': return computedBy(e.body) ?? computedBy(e.orelse);
    default: return null;
  }
}

/** What reading a migration file takes of the settings (the parse worker has none yet: NO_SETTINGS). */
type MigrationSettings = Pick<SettingsInfo, 'authUserModel' | 'values' | 'notFound'> & { installedApps?: SettingsInfo['installedApps'] };

interface Ctx {
  settings: MigrationSettings;
  partial: boolean;
  used: Record<string, string | null>;
  /** what a name in the class body stands for (the module's assignments before it, the body's own so far) */
  names: Map<string, A.Expr>;
  /** the module's functions defined before the class (`operations = get_operations()`) */
  functions: Map<string, A.FunctionDef>;
  /** a migration-only reading: the module's statements before the class are left out */
  migrationOnly: boolean;
  /** a name was not found (a migration-only reading leaves the module's assignments out) */
  unresolved: boolean;
  /** what only the historical classes need is read (names, mixins): a reading in full that asks for it */
  historical: boolean;
}

/** `e`, or what the name `e` was assigned (followed a few times: `ops = BASE + EXTRA`), as Python would look it up. */
function resolved(e: A.Expr, ctx: Ctx): A.Expr {
  for (let i = 0; i < 8 && e.type === 'Name'; i++) {
    const v = ctx.names.get(e.id);
    if (!v) {
      ctx.unresolved = true;
      return e;
    }
    e = v;
  }
  return e;
}

/** The last top-level `class Migration` (if/try bodies included, as the module namespace would bind it). */
export function findMigrationClass(body: A.Stmt[]): A.ClassDef | null {
  let found: A.ClassDef | null = null;
  for (const s of body) {
    if (s.type === 'ClassDef' && s.name === 'Migration') found = s;
    else if (s.type === 'If') found = findMigrationClass(s.body) ?? findMigrationClass(s.orelse) ?? found;
    else if (s.type === 'Try') found = findMigrationClass(s.body) ?? found;
  }
  return found;
}

function elements(e: A.Expr, ctx: Ctx, depth = 0): A.Expr[] {
  if (e.type === 'Name' && depth < 8) e = resolved(e, ctx);
  // (`[*(RunSQL(…) for v in VIEWS)]`: the starred part's own items)
  if (e.type === 'List' || e.type === 'Tuple') return e.elts.flatMap(x => (x.type === 'Starred' && depth < 8 ? elements(x.value, ctx, depth + 1) : [x]));
  // `[AlterField(model_name=m, …) for m in AVATAR_MODELS]` (Sentry 0209), `[RunSQL(line) for line in SQL.splitlines()
  // if line.strip()]` (Sentry 0418): the element once per item of a literal sequence, the loop variable replaced by
  // the item; where the variable is no plain name, the element as it is, per item (codecov's f-strings: what it
  // names of the loop variable is read as a name the reading cannot resolve)
  if ((e.type === 'ListComp' || e.type === 'GeneratorExp') && e.generators.length === 1 && depth < 8) {
    const gen = e.generators[0]!;
    const items = literalItems(resolved(gen.iter, ctx));
    const v = gen.target.type === 'Name' ? gen.target.id : null;
    if (items && (v !== null || !gen.ifs.length)) {
      const out: A.Expr[] = [];
      let known = true;
      for (const item of items) {
        const bound = v === null ? null : new Map([[v, item]]);
        if (bound && gen.ifs.length) {
          const holds = gen.ifs.map(t => truth(substitute(t, bound)));
          if (holds.some(h => h === null)) { known = false; break; }
          if (!holds.every(Boolean)) continue;
        }
        out.push(bound ? substitute(e.elt, bound) : e.elt);
      }
      if (known) return out;
    }
  }
  // `operations = get_operations()`, a function of the module without parameters (Sentry 0365's
  // exported_data_user_migrations(): a list assigned, `return database_operations + [SeparateDatabaseAndState(…)]`)
  if (e.type === 'Call' && e.func.type === 'Name' && !e.args.length && !e.keywords.length && depth < 8) {
    const fn = ctx.functions.get(e.func.id);
    if (!fn && ctx.migrationOnly && !ctx.names.has(e.func.id)) ctx.unresolved = true;
    const got = fn ? functionResult(fn, ctx, depth) : null;
    if (got) return got;
  }
  if (e.type === 'BinOp' && e.op === '+' && depth < 8) {
    // (`a() + b() + … + h()`, Sentry 0365: the chain's terms at one depth, not one more per `+`)
    const terms: A.Expr[] = [];
    let left: A.Expr = e;
    for (; left.type === 'BinOp' && left.op === '+'; left = left.left) terms.push(left.right);
    terms.push(left);
    return terms.reverse().flatMap(t => elements(t, ctx, depth + 1));
  }
  if (e.type === 'IfExp' && depth < 8) {
    // `[("sites", "0001_initial")] if app_settings.SITES_ENABLED else []` (django-allauth's socialaccount.0001):
    // a test of INSTALLED_APPS read as Django reads it; another test, whose branches differ by dependencies on apps,
    // is taken as true where those apps are installed (what such a condition tests), else false
    const t = installedTest(e.test, ctx);
    if (t !== null) return elements(t ? e.body : e.orelse, ctx, depth + 1);
    const body = elements(e.body, ctx, depth + 1);
    const orelse = elements(e.orelse, ctx, depth + 1);
    const appsOf = (xs: A.Expr[]) => xs.map(x => ((x.type === 'Tuple' || x.type === 'List') && x.elts.length === 2 ? str(x.elts[0]!) : null));
    const bodyApps = appsOf(body);
    if (!orelse.length && bodyApps.every((a): a is string => a !== null)) return bodyApps.every(a => installedLabel(a, ctx)) ? body : [];
  }
  ctx.partial = true;
  return [];
}

/** The items of a literal sequence: a list or tuple without `*`, or a string constant's `.splitlines()`; else null. */
function literalItems(e: A.Expr): A.Expr[] | null {
  if (e.type === 'List' || e.type === 'Tuple') return e.elts.some(x => x.type === 'Starred') ? null : e.elts;
  if (e.type === 'Call' && e.func.type === 'Attribute' && e.func.attr === 'splitlines' && !e.args.length && !e.keywords.length) {
    const of = e.func.value;
    const s = str(of);
    if (s === null) return null;
    // str.splitlines(): no empty last item for a trailing newline
    const lines = s.split(/\r\n|\r|\n/);
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.map(value => ({ ...of, type: 'Constant', value } as A.Expr));
  }
  return null;
}

/** A condition's truth where it is made of constants (`line.strip()`, `not x`, a constant), else null. */
function truth(e: A.Expr): boolean | null {
  if (e.type === 'Constant') return typeof e.value === 'string' ? e.value.length > 0 : typeof e.value === 'number' ? e.value !== 0 : typeof e.value === 'boolean' ? e.value : e.value === null ? false : null;
  if (e.type === 'UnaryOp' && e.op === 'not') { const t = truth(e.operand); return t === null ? null : !t; }
  if (e.type === 'Call' && e.func.type === 'Attribute' && e.func.attr === 'strip' && !e.args.length && !e.keywords.length) {
    const s = str(e.func.value);
    return s === null ? null : s.trim().length > 0;
  }
  return null;
}

/** `e` with the names of `bound` replaced by their expressions (a copy; `e` is left as it is). */
function substitute(e: A.Expr, bound: ReadonlyMap<string, A.Expr>): A.Expr {
  const copy = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(copy);
    if (!x || typeof x !== 'object') return x;
    const node = x as { type?: string; id?: string };
    if (node.type === 'Name' && bound.has(node.id!)) return bound.get(node.id!);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = copy(v);
    return out;
  };
  return copy(e) as A.Expr;
}

/**
 * The operations a module function without parameters returns, where its body is assignments of names (`x = …`,
 * `x += …`) and one `return` (a docstring and `pass` allowed): its local names replaced in what it returns; null
 * for any other body.
 */
function functionResult(fn: A.FunctionDef, ctx: Ctx, depth: number): A.Expr[] | null {
  const a = fn.args;
  if (a.posonly.length || a.args.length || a.kwonly.length || a.vararg || a.kwarg || fn.decorators.length) return null;
  const locals = new Map<string, A.Expr>();
  let ret: A.Expr | null = null;
  for (const s of fn.body) {
    if (ret) return null;
    if (s.type === 'Assign' && s.targets.length === 1 && s.targets[0]!.type === 'Name') locals.set(s.targets[0]!.id, substitute(s.value, locals));
    else if (s.type === 'AugAssign' && s.target.type === 'Name' && s.op === '+' && locals.has(s.target.id)) {
      locals.set(s.target.id, { ...s, type: 'BinOp', left: locals.get(s.target.id)!, op: '+', right: substitute(s.value, locals) } as A.Expr);
    } else if (s.type === 'Return' && s.value) ret = substitute(s.value, locals);
    else if (!(s.type === 'Pass' || (s.type === 'Expr' && s.value.type === 'Constant'))) return null;
  }
  return ret ? elements(ret, ctx, depth + 1) : null;
}

/** `"x" in settings.INSTALLED_APPS` / `not in`: whether it holds (recorded in ctx.used), null for other tests. */
function installedTest(e: A.Expr, ctx: Ctx): boolean | null {
  if (e.type === 'UnaryOp' && e.op === 'not') { const t = installedTest(e.operand, ctx); return t === null ? null : !t; }
  if (e.type !== 'Compare' || e.ops.length !== 1 || (e.ops[0] !== 'in' && e.ops[0] !== 'not in')) return null;
  const name = str(e.left);
  const target = e.comparators[0]!;
  if (name === null || !(target.type === 'Attribute' && target.attr === 'INSTALLED_APPS')) return null;
  const has = installedModule(name, ctx);
  return e.ops[0] === 'in' ? has : !has;
}

/** Whether INSTALLED_APPS lists this entry (recorded in ctx.used as `app-entry:NAME`). */
function installedModule(name: string, ctx: Ctx): boolean {
  const has = (ctx.settings.installedApps ?? []).includes(name);
  ctx.used[`app-entry:${name}`] = has ? '1' : '0';
  return has;
}

/** Whether an app of this label is installed: an entry whose last part is the label (recorded as `app-label:X`). */
function installedLabel(label: string, ctx: Ctx): boolean {
  const has = installedLabelIn(ctx.settings, label);
  ctx.used[`app-label:${label}`] = has ? '1' : '0';
  return has;
}

function installedLabelIn(settings: MigrationSettings, label: string): boolean {
  return (settings.installedApps ?? []).some(a => a !== null && (a === label || a.split('.').pop() === label || a.split('.').includes(label)));
}

function str(e: A.Expr): string | null {
  return e.type === 'Constant' && typeof e.value === 'string' ? e.value : null;
}

/** A list of (app, name) pairs; `swappable_dependency(...)` allowed in dependencies. */
function pairs(e: A.Expr, ctx: Ctx, allowSwappable: boolean): [string, string][] {
  const out: [string, string][] = [];
  for (const x of elements(e, ctx)) {
    if ((x.type === 'Tuple' || x.type === 'List') && x.elts.length === 2) {
      const a = str(x.elts[0]!);
      const b = str(x.elts[1]!);
      if (a !== null && b !== null) {
        out.push([a, b]);
        continue;
      }
    } else if (allowSwappable && x.type === 'Call' && calleeName(x.func) === 'swappable_dependency' && x.args.length >= 1) {
      const v = settingOrString(x.args[0]!, ctx) ?? swapperSettingDefault(x.args[0]!, ctx);
      if (v !== null) {
        // django.db.migrations.migration.swappable_dependency: (value.split(".", 1)[0], "__first__")
        out.push([v.split('.', 1)[0]!, '__first__']);
        continue;
      }
      // settings that do not exist: the swappable model is not known, which settings-unknown says once
      if (ctx.settings.notFound) continue;
    } else if (allowSwappable && x.type === 'Call' && isSwapperDependency(x.func)) {
      const d = swapperDependency(x, ctx);
      if (d !== null) {
        out.push(d);
        continue;
      }
      if (ctx.settings.notFound) continue;
    }
    ctx.partial = true;
  }
  return out;
}

/** `swapper.dependency(...)`, or `dependency(...)` (`from swapper import dependency`, the only such helper in use). */
function isSwapperDependency(f: A.Expr): boolean {
  return (f.type === 'Attribute' && f.attr === 'dependency' && f.value.type === 'Name' && f.value.id === 'swapper')
    || (f.type === 'Name' && f.id === 'dependency');
}

/**
 * swapper's `dependency(app_label, model, version=None)` (django-swappable-models, openwisp): the model's
 * swappable setting `<APP_LABEL>_<MODEL>_MODEL` if set, else "app_label.model", as `swappable_dependency` makes it
 * ((label, "__first__")), with `version` in place of "__first__" when given. The arguments are string constants or
 * `*split(settings.X)` / `*swapper.split(...)` ("app.Model".rpartition(".")). Null: not known statically.
 */
function swapperDependency(call: A.Call, ctx: Ctx): [string, string] | null {
  const args: string[] = [];
  for (const a of call.args) {
    if (a.type === 'Starred' && !a.double && a.value.type === 'Call' && calleeName(a.value.func) === 'split' && a.value.args.length === 1 && a.value.keywords.length === 0) {
      const v = settingOrString(a.value.args[0]!, ctx) ?? swapperSettingDefault(a.value.args[0]!, ctx);
      if (v === null) return null;
      const dot = v.lastIndexOf('.');
      args.push(dot < 0 ? '' : v.slice(0, dot), v.slice(dot + 1));
      continue;
    }
    const v = str(a);
    if (v === null) return null;
    args.push(v);
  }
  let version: string | null = args[2] ?? null;
  for (const k of call.keywords) {
    if (k.arg !== 'version') return null;
    if (k.value.type === 'Constant' && k.value.value === null) continue;
    version = str(k.value);
    if (version === null) return null;
  }
  const [app, model] = args;
  if (app === undefined || model === undefined || args.length > 3) return null;
  const setting = `${app.toUpperCase()}_${model.toUpperCase()}_MODEL`;
  // (a setting whose value is not known statically reads as not set)
  const v = settingString(ctx.settings, setting);
  ctx.used[setting] = v;
  const label = v ?? `${app}.${model}`;
  return [label.split('.', 1)[0]!, version || '__first__'];
}

/**
 * `settings.<APP>_<MODEL>_MODEL` that the settings do not set: swapper's `swappable_setting(app, model)` (called by
 * the swappable model's Meta, so before any migration is loaded) sets it to "app.model" on the settings object,
 * and only the app label matters to `swappable_dependency`. The label is the one installed app label that the
 * name's beginning spells (OPENWISP_IPAM_SUBNET_MODEL: openwisp_ipam); null when none or several do.
 */
function swapperSettingDefault(e: A.Expr, ctx: Ctx): string | null {
  if (e.type !== 'Attribute' || e.value.type !== 'Name' || e.value.id !== 'settings') return null;
  const name = e.attr;
  if (!/^[A-Z][A-Z0-9_]*_[A-Z0-9]+_MODEL$/.test(name) || ctx.settings.notFound || ctx.settings.values?.[name] !== undefined) return null;
  const parts = name.slice(0, -'_MODEL'.length).split('_');
  const labels: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const label = parts.slice(0, i).join('_').toLowerCase();
    if (installedLabel(label, ctx)) labels.push(label);
  }
  return labels.length === 1 ? `${labels[0]}.${parts.slice(labels[0]!.split('_').length).join('_').toLowerCase()}` : null;
}

/** `settings.NAME` → the setting's value; a string constant → itself. */
function settingOrString(e: A.Expr, ctx: Ctx): string | null {
  const s = str(e);
  if (s !== null) return s;
  if (e.type === 'Attribute' && (e.value.type === 'Name' || e.value.type === 'Attribute')) {
    const base = e.value.type === 'Name' ? e.value.id : e.value.attr;
    if (base === 'settings') {
      const v = settingString(ctx.settings, e.attr);
      ctx.used[e.attr] = v;
      return v;
    }
  }
  return null;
}

function calleeName(f: A.Expr): string | null {
  if (f.type === 'Name') return f.id;
  if (f.type === 'Attribute') return f.attr;
  return null;
}

/** Operations a reading understands besides MODEL_ARG's (where they run: ./operations.ts). */
const READ_KINDS = new Set(['RunPython', 'RunSQL', 'SeparateDatabaseAndState']);

/** Whether a reading understands what an operation does to the migration state (a custom operation: not known). */
export function knownOperationKind(kind: string): boolean {
  return kind in MODEL_ARG || READ_KINDS.has(kind) || POSTGRES_STATELESS.has(kind);
}

/** django.contrib.postgres operations that change no model's state */
const POSTGRES_STATELESS = new Set(['CreateExtension', 'BtreeGinExtension', 'BtreeGistExtension', 'CITextExtension', 'CryptoExtension', 'HStoreExtension', 'TrigramExtension', 'UnaccentExtension', 'CreateCollation', 'RemoveCollation']);

/** Which argument names the model an operation acts on: [keyword, positional index]. */
const MODEL_ARG: Record<string, [string, number]> = {
  CreateModel: ['name', 0],
  DeleteModel: ['name', 0],
  AlterModelTable: ['name', 0],
  AlterModelTableComment: ['name', 0],
  AlterUniqueTogether: ['name', 0],
  AlterIndexTogether: ['name', 0],
  AlterOrderWithRespectTo: ['name', 0],
  AlterModelOptions: ['name', 0],
  AlterModelManagers: ['name', 0],
  RenameModel: ['old_name', 0],
  AddField: ['model_name', 0],
  RemoveField: ['model_name', 0],
  AlterField: ['model_name', 0],
  RenameField: ['model_name', 0],
  AddIndex: ['model_name', 0],
  RemoveIndex: ['model_name', 0],
  RenameIndex: ['model_name', 0],
  AddConstraint: ['model_name', 0],
  RemoveConstraint: ['model_name', 0],
  AlterConstraint: ['model_name', 0],
  // django.contrib.postgres.operations
  AddIndexConcurrently: ['model_name', 0],
  RemoveIndexConcurrently: ['model_name', 0],
  AddConstraintNotValid: ['model_name', 0],
  ValidateConstraint: ['model_name', 0],
};

function operations(e: A.Expr, ctx: Ctx): MigrationOperationInfo[] {
  const out: MigrationOperationInfo[] = [];
  for (const item of elements(e, ctx)) {
    // an operation made before the list (`add_field = migrations.AddField(...)`, then `operations = [add_field]`)
    const x = item.type === 'Name' ? resolved(item, ctx) : item;
    if (x.type !== 'Call') {
      ctx.partial = true;
      continue;
    }
    const kind = calleeName(x.func);
    if (!kind) {
      ctx.partial = true;
      continue;
    }
    const op: MigrationOperationInfo = { kind, line: x.line };
    if (kind === 'RunPython' || kind === 'RunSQL') {
      // Django asks the routers `allow_migrate(db, app_label, **hints)` for these: the hints decide
      const h = x.keywords.find(k => k.arg === 'hints')?.value;
      if (h) {
        const lit = literalEval(h);
        op.hints = lit.ok && lit.value && typeof lit.value === 'object' && !Array.isArray(lit.value) && !(lit.value instanceof Map) ? lit.value as Record<string, unknown> : null;
      }
    }
    if (kind === 'SeparateDatabaseAndState') {
      // only database_operations touch the database (state_operations never do); keyword or 2nd positional
      const db = x.keywords.find(k => k.arg === 'database_operations')?.value ?? (x.args[0] && x.args[0].type !== 'Starred' ? x.args[0] : undefined);
      op.database = db ? operations(db, ctx) : [];
    }
    const gives = ctx.historical ? historicalNames(kind, x) : undefined;
    if (gives !== undefined) {
      op.names = gives.names;
      if (gives.mixins.length) op.mixins = gives.mixins;
    }
    // RunSQL(state_operations=[…]): changes the migration state like any state operation
    if (kind !== 'SeparateDatabaseAndState' && x.keywords.some(k => k.arg === 'state_operations')) op.stateOperations = true;
    if (kind === 'RenameModel') {
      // (the keyword, as makemigrations writes it: a migration-only reading has no second argument)
      const to = x.keywords.find(k => k.arg === 'new_name')?.value;
      op.renamedTo = to && str(to) !== null ? str(to)!.toLowerCase() : null;
    }
    const spec = MODEL_ARG[kind];
    let arg: A.Expr | undefined;
    if (spec) {
      arg = x.keywords.find(k => k.arg === spec[0])?.value;
      if (!arg) {
        const p = x.args[spec[1]];
        if (p && p.type !== 'Starred') arg = p;
      }
    } else {
      // custom operations: only an explicit model_name keyword is trusted
      arg = x.keywords.find(k => k.arg === 'model_name')?.value;
    }
    if (arg) {
      const s = str(arg);
      if (s !== null) op.modelName = s.toLowerCase();
      else if (spec) ctx.partial = true;
    }
    out.push(op);
  }
  return out;
}

/** MigrationOperationInfo.names and mixins of an operation (undefined: it gives none). */
function historicalNames(kind: string, x: A.Call): { names: string[] | null; mixins: A.Expr[] } | undefined {
  const arg = (kw: string, pos: number): A.Expr | undefined => x.keywords.find(k => k.arg === kw)?.value ?? (x.args[pos]?.type === 'Starred' ? undefined : x.args[pos]);
  // `[("id", models.AutoField(...)), ...]`: the first items
  const firsts = (e: A.Expr | undefined): string[] | null => {
    if (!e) return [];
    if (e.type !== 'List' && e.type !== 'Tuple') return null;
    const out: string[] = [];
    for (const t of e.elts) {
      const n = (t.type === 'Tuple' || t.type === 'List') && t.elts[0] ? str(t.elts[0]) : null;
      if (n === null) return null;
      out.push(n);
    }
    return out;
  };
  const one = (e: A.Expr | undefined): string[] | null => (e && str(e) !== null ? [str(e)!] : null);
  switch (kind) {
    case 'CreateModel': {
      // bases: models.Model, and classes that are not models (mixins, kept as they are: their attributes are the
      // class's too); a concrete parent (a label) gives its fields: not read
      const bases = arg('bases', 3);
      const list = !bases ? [] : bases.type === 'Tuple' || bases.type === 'List' ? bases.elts : null;
      const mixins = (list ?? []).filter(b => !((b.type === 'Attribute' && b.attr === 'Model') || (b.type === 'Name' && b.id === 'Model')));
      const fields = firsts(arg('fields', 1));
      const managers = firsts(arg('managers', 4));
      const readable = list !== null && mixins.every(b => b.type === 'Name' || b.type === 'Attribute');
      return { names: readable && fields && managers ? [...fields, ...managers] : null, mixins: readable ? mixins : [] };
    }
    case 'AddField': return { names: one(arg('name', 1)), mixins: [] };
    case 'RenameField': return { names: one(arg('new_name', 2)), mixins: [] };
    case 'AlterModelManagers': return { names: firsts(arg('managers', 1)), mixins: [] };
    default: return undefined;
  }
}

function settingString(settings: MigrationSettings, name: string): string | null {
  // settings that do not exist say nothing of AUTH_USER_MODEL: the dependency is not known (RapidPro's users.User)
  if (name === 'AUTH_USER_MODEL') return settings.notFound ? null : settings.authUserModel || 'auth.User';
  if (name.startsWith('app-entry:')) return (settings.installedApps ?? []).includes(name.slice(10)) ? '1' : '0';
  if (name.startsWith('app-label:')) return installedLabelIn(settings, name.slice(10)) ? '1' : '0';
  const v = settings.values?.[name];
  return typeof v === 'string' ? v : null;
}

function sameSettings(used: Record<string, string | null>, settings: SettingsInfo): boolean {
  for (const [k, v] of Object.entries(used)) if (settingString(settings, k) !== v) return false;
  return true;
}

/** The per-file results, to keep between processes (the CLI's on-disk cache). Plain JSON. */
export function exportMigrationCache(index: ModuleIndex): Record<string, CacheEntry> {
  dirty.delete(index);
  return Object.fromEntries([...(caches.get(index) ?? [])].filter(([, e]) => !e.timeLimited));
}

/** Whether the cache changed since it was imported or exported (else an on-disk copy is still current). */
export function migrationCacheChanged(index: ModuleIndex): boolean {
  return dirty.has(index);
}

/**
 * Seed the per-file cache from an earlier process. Entries are only used while the file's mtime and size
 * (and the settings its swappable dependencies read) are unchanged, exactly like in-process hits.
 */
export function importMigrationCache(index: ModuleIndex, data: unknown): void {
  if (!data || typeof data !== 'object') return;
  let cache = caches.get(index);
  if (!cache) {
    cache = new Map();
    caches.set(index, cache);
  }
  for (const [file, e] of Object.entries(data as Record<string, CacheEntry>)) {
    if (e && typeof e.mtimeMs === 'number' && typeof e.size === 'number' && Array.isArray(e.problems) && !cache.has(file)) cache.set(file, e);
  }
}
