// The one entry point the CLI and the extension use: a `Scanner` holds the parse cache of a workspace, so a
// re-scan after an edit re-reads only the files that changed; database state is read separately because it
// is slower and needs trust.
import type { DjangoExtras } from './django';
import { checkOverride, type ConnectionOverride } from './db/secret-binding';
import { Redactor, isSecretKey, redactMessages, secretsOfDatabases } from './redact';
import { settingsCandidates, SETTINGS_CHOICES_MAX, type SettingsChoice } from './settings/candidates';
import { envFileCandidates, envFileSetting, ENV_FILES_MAX, type EnvFileCandidate, type EnvFileChoice } from './env/env-candidates';
import type {
  AliasDrift, AppInfo, AppliedState, Finding, Loc, Logger, MigrationFileInfo, ModelInfo, RouterDecision, ScanReport, SettingsInfo,
} from './types';
import { BUILD_ID } from './build-id';

export interface ScanOptions {
  /** workspace root (absolute) */
  root: string;
  /** override DJANGO_SETTINGS_MODULE */
  settingsModule?: string | null;
  /** django-configurations' configuration class (like DJANGO_CONFIGURATION; default: the environment's, else manage.py's) */
  configuration?: string | null;
  /**
   * The workspace folder (default `root`): a `.venv` there is found too, and an interpreter inside it counts as
   * the project's own (run only when chosen or when `runWorkspaceInterpreter`).
   */
  workspaceRoot?: string;
  /** Python interpreter of the project, chosen by the user (used to find site-packages; only run when `allowPython`) */
  python?: string | null;
  /**
   * The process environment (default process.env): os.environ lookups in settings see it over the env file's
   * values; it alone picks the interpreter (VIRTUAL_ENV, PATH). Do not merge the env file into it.
   */
  env?: Record<string, string | undefined>;
  /** path of an env file (default: <folder of manage.py>/.env when present; null: none) */
  envFile?: string | null;
  /**
   * May the project's Python run (sys.path, Django mode)? False in static mode and untrusted workspaces: then
   * no process is started at all.
   */
  allowPython?: boolean;
  /** May an interpreter found inside the workspace (its `.venv`) run without being chosen in `python`? (docs/security.md) */
  runWorkspaceInterpreter?: boolean;
  /** read django_migrations of each alias (false in untrusted workspaces) */
  readDatabases?: boolean;
  /** only these aliases (default: all) */
  databases?: string[] | null;
  /** per-alias connection overrides (e.g. from VS Code secret storage) */
  connectionOverrides?: Record<string, ConnectionOverride>;
  /**
   * Folder for an on-disk cache of what was read from migration files (keyed by path, mtime and size), so a
   * later process does not parse unchanged files again. Off when not set.
   */
  cacheDir?: string | null;
  /** per-alias connect/statement timeout */
  dbTimeoutMs?: number;
  /**
   * static: never run the project's code. django: ask Django itself through python/django_helper.py (needs
   * `allowPython`); failures are findings and the static answer stays. auto: Django when it can, else static
   * with the reason. Default static.
   */
  mode?: 'static' | 'django' | 'auto';
  /** timeout of the Django helper (default 60 s) */
  djangoTimeoutMs?: number;
  /**
   * Django mode: awaited after Django answered, before its answer is read and merged (the CPU-bound part): the scan
   * worker makes it wait for the requests it has in hand, so that an edit typed meanwhile is not held up by it
   */
  whenIdle?: () => Promise<void>;
  /**
   * Django mode: run the helper at a lower CPU priority (nice 10, Windows' "below normal"). The scan worker's
   * background refresh sets it: on a machine with few cores, Django importing the project for seconds competes
   * with the editor and the index of what the user types; nothing waits for it there.
   */
  lowPriority?: boolean;
  /** lint the migrations of apps in the environment too (third-party); their findings are infos, never blocking */
  includeEnvironment?: boolean;
  /** cancels a running Django helper (e.g. when the extension deactivates) */
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * CPU time for parsing one file and all the files of one scan (default FILE_BUDGET_MS, SCAN_BUDGET_MS in
   * python/parse.ts); what a limit cuts short is a `parse-budget` finding.
   */
  parseBudgetMs?: { file?: number; scan?: number };
  /**
   * Write the on-disk caches this long after an index instead of at its end (the extension's worker: an edit's
   * re-index should not serialise the whole cache). Default 0: written before `index()` returns (the CLI).
   */
  cacheWriteDelayMs?: number;
  /**
   * The index snapshot keeps the digest of each of the index's properties (./index-by-key.ts): the extension's next
   * session then sends its host only the properties that differ from the answer it shows. Costs the snapshot's
   * writer about as much again; the CLI has no use for it.
   */
  snapshotDigests?: boolean;
}

/** Everything the core knows about a workspace: the report plus the richer data the extension shows. */
export interface ProjectIndex {
  root: string;
  managePy: string | null;
  settings: SettingsInfo | null;
  apps: AppInfo[];
  /** concrete and abstract models (ModelInfo.abstract tells) */
  models: ModelInfo[];
  routing: RouterDecision[];
  /** dotted router path → where its class (and allow_migrate) is defined */
  routerLocs: Record<string, { cls?: Loc; allowMigrate?: Loc }>;
  /** the line of the settings module that sets DATABASE_ROUTERS, where router lints without a router line are placed */
  routersLine?: number | null;
  migrations: MigrationFileInfo[];
  /** per alias; absent when databases were not read */
  applied: Record<string, AppliedState>;
  /** per alias: what `migrate --database=alias` would apply, in Django's order; null = unreachable/unknown */
  plans: Record<string, string[] | null>;
  findings: Finding[];
  /** how long each phase took, in ms (for logs and benchmarks) */
  timings: Record<string, number>;
  /** which mode produced the facts, and why Django was not used when it was asked for */
  mode?: {
    requested: 'static' | 'django' | 'auto';
    used: 'static' | 'django';
    reason: string | null;
    /** why Django was not used, as a kind: a DjangoFailureReason, or 'not-allowed' | 'no-settings' | 'no-interpreter' */
    failure?: string | null;
  };
  /** Django mode: the interpreter's Django, per-alias plan sources, per-operation skips, disagreements */
  django?: DjangoExtras;
  /**
   * The routers' answers to `allow_migrate(db, app_label, **hints)` without a model (RunPython/RunSQL hints,
   * operations on deleted models), keyed by migrations/operations.ts `hintKey`; OperationRouter reads them.
   */
  hintRouting?: Record<string, HintDecisionLike>;
  /** "lives" decisions of unmanaged/proxy/swapped models (the router chain as if managed; findings.ts) */
  lives?: RouterDecision[];
  /** per alias whose schema was read: what it holds against routing and the applied migrations (core/drift.ts) */
  drift?: Record<string, AliasDrift>;
  /** where each model's queries go: the routers' db_for_read / db_for_write (lints/route-consistency.ts) */
  dbRoutes?: DbRoutes;
  /**
   * An index asked for as a `firstAnswer` (the extension's first answer after opening a folder, issue 11): what the
   * tree shows, the settings, apps, models and their routing, with the findings met reading them. `migrations` is
   * empty, and `hintRouting`, `dbRoutes` and the routing, graph and lint findings are not there yet: the next index
   * has them (only what was left is computed: the phases before are memoised).
   */
  partial?: true;
}

import * as fs from 'fs';
import * as v8 from 'v8';
import * as path from 'path';
import { initPython, forgetKeptParses, ParseBudget, FILE_BUDGET_MS, SCAN_BUDGET_MS } from './python/parse';
import { ModuleIndex } from './python/modules';
import { findDistribution } from './python/environment';
import { nullLogger } from './types';
import type { DatabaseSetting, MigrationKey } from './types';
import {
  STATE_CODES, concreteModels, conflictFindings, crossDatabaseRelationsFrom, fallThroughAliasFindings, routedFallThroughFindings, formatFinding, indexDecisions, keepEqualDecisions, keepEqualFindings, livesDecisions, settingsFindings, stateFindings, toPosix, unknownRoutingFindings, type CrossDatabaseLast,
} from './findings';
import { configurationFromManagePy, findManagePy, foldersUpTo, settingsModuleFromManagePy, settingsModuleFromImports, settingsModuleByEvaluation, settingsModuleFromEntryPoints, settingsModuleFromPytestConfig, settingsModulesFromDeployFiles, envFromDeployFiles, loadSettings, MODULE_NAME, type LoadSettingsOptions } from './settings';
import { migrationLintFindings, runsCode, isUserModelLabel, type LintRoutes } from './lints/runpython';
import { exportLintCaches, importLintCaches, lintCachesChanged } from './lints/file-cache';
import { aliasNames, aliasNamesAgain } from './lints/aliases';
import { routerShapeFindings, routersLine } from './lints/routers';
import { dbRoutesAgain, dbRoutesOf, reportDbRoutes, routerLints, type DbRoutes } from './lints/route-consistency';
import { findSearchRoots } from './env/python-env';
import { envFileOf, envDigest, expandEnvValues, projectEnvironment, readEnvFile, recordingEnv, type EnvReads } from './env/env-file';
import { resolveApps } from './apps';
import { discoverApps, installedAppsUnknown } from './apps/discover';
import { indexModels, isWorkspaceFile, patchModels, sameSettingsForModels, type ModelMemo } from './models';
import { exportMigrationCache, importMigrationCache, knownOperationKind, migrationCacheChanged, operationsReadInFull, readMigrations, readMigrationsAgain, readMigrationsForSettings, type MigrationsResult } from './migrations/files';
import { IndexPrefetch } from './prefetch-jobs';
import { createHash } from 'crypto';
import { sameElements, sameValue } from './equal';
import { hintQueries, operationRouterOf, type HintDecisionLike } from './migrations/operations';
import { changedEntries, classBodyReads, evaluateDbRoutes, evaluateHintRoutings, evaluateRouting, evaluateRoutingAgain, routerViews, setMetaWrites, type RoutingResult } from './routers';
import { keepFilesOf, metaWritesAgain, metaWritesOf, type MetaWrites } from './models/meta-writes';
import { buildGraph, conflictsInGraph, migrationPlan, type GraphOptions, type MigrationGraph } from './migrations/graph';
import { readAppliedAll } from './db';
import { sqliteFileIdentity } from './db/sqlite';
import { ownDatabases, primaryAlias, twinsOf } from './db/identity';

export { twinsOf };
import { computeDrift, strayCandidates } from './drift';
import { changedFiles, execReads, fixedView, hasOverlays, overlayText, readText, setOverlay, invalidate as vfsInvalidate, invalidateAll, isTrusted, overlaidFiles, listingSignature, noteDeps, readDir, statFile, track, unchanged, type Deps } from './vfs';
import { readIndexSnapshot, snapshotFileOf, validSnapshotId, writeIndexSnapshot } from './index-snapshot';
import { digestOfState, fingerprintsOf, outputCacheFile, readOutputEntry, writeOutputEntry } from './report-cache';
import type * as A from './python/ast';
import { allStmts } from './lints/walk';
import type { ParseLimit } from './python/ast';

function sameEnvReads(reads: unknown, env: Record<string, string | undefined>): boolean {
  if (!reads || typeof reads !== 'object') return false;
  const r = reads as EnvReads;
  // (the settings listed the variables: the same ones are set)
  if (r['*'] !== undefined && r['*'] !== envDigest(env)) return false;
  for (const [k, v] of Object.entries(r)) if (k !== '*' && (env[k] ?? null) !== v) return false;
  return true;
}

/**
 * The words every output prints anyway: the project's path segments, the settings module's parts, the apps' labels
 * and modules. A password equal to one (a dev database "shop" with password "shop") is masked only where it stands
 * as a password (redact.ts), in findings and in the CLI's output alike.
 */
export function projectWords(index: Pick<ProjectIndex, 'root' | 'settings' | 'apps'>): string[] {
  return [...index.root.split(/[\\/]/), ...(index.settings?.module ?? '').split('.'), ...index.apps.flatMap(a => [a.label, ...a.module.split('.')])];
}

/** The code that computed an index: its bundle's stat (any rebuild makes earlier snapshots unusable). */
function buildId(): string {
  try {
    const st = fs.statSync(__filename);
    return `${__filename}:${st.mtimeMs}:${st.size}`;
  } catch {
    return 'unknown';
  }
}

/** What an index starts from (Scanner.context). */
interface IndexContext {
  root: string;
  managePy: string | null;
  projectDir: string;
  /** the environment the settings see: the process's over the env file's */
  env: Record<string, string | undefined>;
  /** the env file read into `env` (null: none; it may not exist) */
  envFile: string | null;
  envInfo: Awaited<ReturnType<typeof findSearchRoots>>;
  /** the parser loading (null: not started yet) */
  parserReady: Promise<unknown> | null;
  /** names the project's files in the cache folder */
  cacheKey: string;
  /** what the on-disk snapshot must have been computed with */
  snapshotKey: string;
}

/** What readState read the databases with: enough to read them again without the index. */
export interface StateReadInputs {
  dbs: DatabaseSetting[];
  baseDir: string;
  countRows: Record<string, readonly string[]>;
  timeoutMs: number;
}

/** A derived result kept between indexes while its key (compared by identity) and the files it read are unchanged. */
interface Memo { key: unknown[]; deps: Deps; value: unknown; limits: [string, ParseLimit][] }

export { formatFinding };

/** Bump when the cached MigrationFileInfo or AST shapes, or the rules that produce them, change. */
const CACHE_VERSION = `9:${BUILD_ID}`;

/**
 * The entries of an on-disk cache file for this root, or null (none yet, unreadable, other version). A `.v8` file
 * is in v8's serialisation (the parsed modules: 4 MB of ASTs on Saleor, written 3x faster than JSON, read about
 * as much slower; a run that parsed anything does both), the others JSON (small records, read faster as JSON).
 */
function readCacheFile(file: string | null, root: string): unknown {
  if (!file) return null;
  try {
    const data = (file.endsWith('.v8') ? v8.deserialize(fs.readFileSync(file)) : JSON.parse(fs.readFileSync(file, 'utf8'))) as { version?: unknown; root?: string; entries?: unknown } | null;
    return data?.version === CACHE_VERSION && data.root === root ? data.entries : null;
  } catch {
    return null;
  }
}

function writeCacheFile(file: string, root: string, entries: unknown, logger: Logger): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const data = { version: CACHE_VERSION, root, entries };
    fs.writeFileSync(tmp, file.endsWith('.v8') ? v8.serialize(data) : JSON.stringify(data), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (e) {
    logger.debug(`cache not written: ${(e as Error).message}`);
  }
}

function now(): number {
  return performance.now();
}

/**
 * The label Django gives an INSTALLED_APPS entry whose package cannot be read: the last part of the module, or of
 * the module before `.apps.<Name>Config` (AppConfig's default label rule).
 */
function labelOfEntry(entry: string): string {
  const parts = entry.split('.');
  const last = parts[parts.length - 1] ?? entry;
  if (parts.length >= 3 && parts[parts.length - 2] === 'apps' && last.endsWith('Config')) return parts[parts.length - 3]!;
  return last;
}

/** `<pkg>/settings.py` or `<pkg>/settings/__init__.py` one level below the project folder, when there is exactly one. */
function findSettingsCandidate(projectDir: string): string | null {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(projectDir, { withFileTypes: true });
  } catch {
    return null;
  }
  const found: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.') || !/^[A-Za-z_]\w*$/.test(e.name)) continue;
    const base = path.join(projectDir, e.name);
    if (fs.existsSync(path.join(base, 'settings.py')) || fs.existsSync(path.join(base, 'settings', '__init__.py'))) found.push(`${e.name}.settings`);
  }
  return found.length === 1 ? found[0]! : null;
}

/** Time spent in each memo of the index (hit checks included), for the profiling aids (bench/prof-edits.ts). */
/**
 * `text` with a `pass` line before the first statement of the function defined at `line` (as indented), or null
 * where that cannot be done plainly (its body on the def's line, indented with tabs, not found).
 */
function passBefore(text: string, module: { body: A.Stmt[] } | null | undefined, line: number): string | null {
  const find = (body: A.Stmt[]): A.FunctionDef | null => {
    for (const st of body) {
      if (st.type === 'FunctionDef' && st.line === line) return st;
      if (st.type === 'ClassDef') {
        const f = find(st.body);
        if (f) return f;
      }
    }
    return null;
  };
  const def = module ? find(module.body) : null;
  const first = def?.body[0];
  if (!def || !first || first.line <= def.line) return null;
  const lines = text.split('\n');
  const at = lines[first.line - 1];
  if (at === undefined || at.slice(0, first.col) !== ' '.repeat(first.col)) return null;
  lines.splice(first.line - 1, 0, `${' '.repeat(first.col)}pass`);
  return lines.join('\n');
}

/** the files a warm-up step (Scanner.warmUp) has laid a buffer over, now: not unsaved edits of the user's */
const WARMING = new Set<string>();

export const MEMO_STATS: Record<string, { calls: number; ms: number }> = {};

export class Scanner {
  private modules: ModuleIndex | null = null;
  private rootsKey = '';
  private cacheLoaded = false;
  private readonly logger: Logger;
  private readonly memos = new Map<string, Memo>();
  private readonly modelMemo: ModelMemo = { entries: new Map() };
  /** replaced whenever the settings change in what the models read of them (the models memo's key) */
  private modelSettingsToken: object = {};
  private pendingWrites = new Map<string, () => unknown>();
  private writeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(public readonly opts: ScanOptions) {
    this.logger = opts.logger ?? nullLogger;
  }

  /** A file changed, appeared or disappeared: the next `index()` re-reads only that file and what depends on it. */
  invalidate(file: string): void {
    vfsInvalidate(file);
    this.modules?.invalidate(path.resolve(file));
  }

  /**
   * `fn()` again only when a key part changed (identity) or a file it read changed (core/vfs.ts): the
   * incremental index. The files a parse limit cut short while it ran are reported again on a hit.
   */
  private memo<T>(name: string, key: unknown[], fn: () => T, backdate: boolean | 'items' = false, again?: (prev: T, changed: string[]) => T | null,
    againForKey?: (prev: T, prevKey: unknown[]) => T | null): T {
    const t = now();
    try {
      return this.memoNow(name, key, fn, backdate, again, againForKey);
    } finally {
      const st = (MEMO_STATS[name] ??= { calls: 0, ms: 0 });
      st.calls++;
      st.ms += now() - t;
    }
  }

  private memoNow<T>(name: string, key: unknown[], fn: () => T, backdate: boolean | 'items', again?: (prev: T, changed: string[]) => T | null,
    againForKey?: (prev: T, prevKey: unknown[]) => T | null): T {
    const m = this.memos.get(name);
    const modules = this.modules!;
    const sameKey = !!m && m.key.length === key.length && m.key.every((k, i) => k === key[i]);
    if (m && sameKey && unchanged(m.deps)) {
      noteDeps(m.deps);
      for (const [f, l] of m.limits) modules.limits().set(f, l);
      return m.value as T;
    }
    // the same key and only some files it read edited: `again` computes from the earlier value and those files (it
    // reads each of them again; the others are read as before), or says it cannot (null)
    const changed = m && sameKey && again ? changedFiles(m.deps) : null;
    let r: { value: T | null; deps: Deps } | null = null;
    if (m && changed?.length) {
      // (the parse limits of the files not read again are reported again, as on a hit)
      const edited = new Set(changed);
      for (const [f, l] of m.limits) if (!edited.has(f)) modules.limits().set(f, l);
      r = track(() => {
        noteDeps(m.deps);
        return again!(m.value as T, changed);
      });
    }
    // another key, every file it read as it was: `againForKey` computes from the earlier value and key (what it ran of
    // the routers' code is noted as run, see vfs execReads), or says it cannot
    if (m && !sameKey && againForKey && m.key.length === key.length && unchanged(m.deps)) {
      r = track(() => {
        execReads(() => noteDeps(m.deps));
        return againForKey(m.value as T, m.key);
      });
    }
    if (r?.value === null || r?.value === undefined) r = track(fn);
    const computed = r as { value: T; deps: Deps };
    // computed again to the same value (salsa's "backdating"): the earlier object is kept, so that what depends
    // on it by identity (routing → lints, findings, the worker's diff to the host) is not computed again either
    // ('items': a list of findings computed again, mostly the same: each equal one is the earlier object, and the list
    // the earlier one when all are)
    if (backdate === 'items' && m && Array.isArray(m.value) && Array.isArray(computed.value)) {
      const items = keepEqualFindings(m.value as Finding[], computed.value as Finding[]);
      computed.value = (items.length === m.value.length && items.every((f, i) => f === (m.value as Finding[])[i]) ? m.value : items) as T;
    }
    const value = backdate === true && m && sameValue(m.value, computed.value) ? m.value as T : computed.value;
    const limits = modules.limits();
    this.memos.set(name, { key, deps: computed.deps, value, limits: [...computed.deps.files.keys()].filter(f => limits.has(f)).map(f => [f, limits.get(f)!]) });
    return value;
  }

  /** Write (or schedule) one on-disk cache; `data` is computed when written, null = nothing to write. */
  private writeCache(file: string, root: string, data: () => unknown): void {
    const delay = this.opts.cacheWriteDelayMs ?? 0;
    if (delay <= 0) {
      const d = data();
      if (d !== null) writeCacheFile(file, root, d, this.logger);
      return;
    }
    this.pendingWrites.set(file, data);
    this.scheduleFlush(root, delay);
  }

  /**
   * The scheduled write, `delay` from now; put off again while unsaved buffers are laid over files: the user is
   * typing (an edit would wait for the write), and a snapshot that read a buffer is no use to a later process.
   */
  private scheduleFlush(root: string, delay: number): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = setTimeout(() => {
      this.writeTimer = null;
      if (hasOverlays()) this.scheduleFlush(root, delay);
      else this.flushCaches(root);
    }, delay);
    this.writeTimer.unref?.();
  }

  /** Write the caches scheduled by an index with `cacheWriteDelayMs` now. */
  flushCaches(root = path.resolve(this.opts.root)): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    const writes = [...this.pendingWrites];
    this.pendingWrites.clear();
    for (const [file, data] of writes) {
      const d = data();
      if (d !== null) writeCacheFile(file, root, d, this.logger);
    }
  }

  /**
   * Each kind of edit once, before the user makes one: a newline after the text of a models module, a router module,
   * the newest migration of a workspace app and the settings module (as unsaved buffers, one at a time, each taken
   * away before the next), indexed, then the files as they are indexed again. The first edit of each kind then runs
   * code V8 has compiled: on the benchmark project a first models edit took 113–153 ms, 28–48 ms after this
   * (bench/prof-edits.ts --warm). The scan worker runs it once, after its first answer (never in the extension host's
   * thread). `stop()` is asked before each step: a request is waiting, and the warm-up ends at once (its buffer taken
   * away; the next index reads the files as they are). A buffer the user sent meanwhile is left alone. `done`: the
   * files warmed by an earlier call that stopped (added to as it goes). Returns the number of indexes it ran.
   */
  async warmUp(index: ProjectIndex, stop: () => boolean, done = new Set<string>()): Promise<number> {
    const external = new Set(index.apps.filter(a => a.external).map(a => a.label));
    const router = Object.values(index.routerLocs).find(l => (l.allowMigrate ?? l.cls) && isWorkspaceFile(index.root, (l.allowMigrate ?? l.cls)!.path));
    const migrations = index.migrations.filter(m => !external.has(m.app));
    const files = [
      index.models.find(m => !external.has(m.app) && !m.abstract)?.loc.path,
      (router?.allowMigrate ?? router?.cls)?.path,
      migrations.filter(m => m.app === migrations[0]?.app).at(-1)?.path,
      index.settings?.path ?? undefined,
    ].filter((f, i, all): f is string => !!f && all.indexOf(f) === i);
    let runs = 0;
    for (const file of files) {
      if (stop()) return runs;
      if (done.has(file)) continue;
      done.add(file);
      if (overlayText(file) !== null) continue;
      let text: string;
      try {
        text = readText(file);
      } catch {
        continue;
      }
      // a router's allow_migrate: a `pass` before its first statement, so that the routing is computed again (a
      // newline after the text changes no function the routers ran: nothing would be)
      const warm = (router?.allowMigrate?.path === file && passBefore(text, this.modules?.parseFile(file), router.allowMigrate.line)) || `${text}\n`;
      setOverlay(file, warm);
      WARMING.add(file);
      try {
        await this.index();
        runs++;
      } finally {
        WARMING.delete(file);
        if (overlayText(file) === warm) setOverlay(file, null);
      }
    }
    if (runs && !stop()) {
      await this.index();
      runs++;
    }
    return runs;
  }

  /**
   * Static index: no database is read, Python runs only when `allowPython`. Never throws for bad input.
   * `firstAnswer`: stop once the routing is known, without reading the migrations (ProjectIndex.partial), unless the
   * answer comes whole from the on-disk snapshot.
   */
  async index(opts: { firstAnswer?: boolean } = {}): Promise<ProjectIndex> {
    const firstAnswer = !!opts.firstAnswer;
    return fixedView(async () => {
      const first = await this.indexOnce(firstAnswer);
      // folders the settings put on sys.path (`sys.path.insert(0, os.path.join(BASE_DIR, "apps"))`): the apps there
      // are found only with them among the search roots, known once the settings are read. An answer from the
      // snapshot was made with them already.
      const want = first.settings?.sysPath ?? { front: [], back: [] };
      if (JSON.stringify(want) === JSON.stringify(this.settingsRoots)) return first;
      this.settingsRoots = want;
      return this.answeredFromSnapshot ? first : this.indexOnce(firstAnswer);
    });
  }

  /**
   * The settings modules the project could run with (./settings/candidates.ts), each evaluated as a scan would read it:
   * its databases, routers and installed apps, so that a user choosing one sees what it gives. Made from the last
   * index's module index (one is made first if there is none yet); nothing is cached.
   */
  async settingsCandidates(): Promise<SettingsChoice[]> {
    return this.fromLastIndex(({ modules, c, root, dirs, redactor }) => {
      const envFiles = envFileCandidates(dirs, c.envFile, !!this.opts.envFile);
      const candidates = settingsCandidates(modules, {
        root, dirs, managePy: c.managePy, projectDir: c.projectDir, current: c.current,
        configured: this.opts.settingsModule || null, fromEnvironment: c.env.DJANGO_SETTINGS_MODULE || null,
        envFiles: envFiles.filter(f => !f.production && f.values.DJANGO_SETTINGS_MODULE).map(f => ({ file: f.file, module: f.values.DJANGO_SETTINGS_MODULE!.trim() })),
      });
      // each module read as the index reads its own (django-configurations' class included)
      const { env, load } = this.settingsReading(modules, c.managePy, c.env, c.envInfo);
      return candidates.slice(0, SETTINGS_CHOICES_MAX).map((cand): SettingsChoice => {
        if (!cand.path) return { ...cand, reads: { notFound: true } };
        try {
          const s = loadSettingsOrAsDeployed(modules, cand.module, env, load, dirs, envFiles, c.envFile);
          return { ...cand, reads: settingsReads(s) };
        } catch (e) {
          return { ...cand, reads: { error: redactor.redact((e as Error).message) } };
        }
      });
    });
  }

  /**
   * `choices` made from the last index's module index (one is made first if there is none yet) in a scan of its own,
   * the file system taken as fixed: with the last context, the folder looked up to and manage.py's folders up to it,
   * and a redactor of the passwords known (an error's text may quote one). [] without an index.
   */
  private async fromLastIndex<T>(choices: (x: { modules: ModuleIndex; c: NonNullable<Scanner['lastContext']>; root: string; dirs: string[]; redactor: Redactor }) => T[]): Promise<T[]> {
    for (let i = 0; i < 2 && (!this.modules || !this.lastContext || this.answeredFromSnapshot); i++) await this.index();
    const modules = this.modules;
    const c = this.lastContext;
    if (!modules || !c) return [];
    // (a project in a subfolder of the workspace: the pytest.ini, Compose file or Makefile may be at its root)
    const root = this.lookupRoot(c.projectDir, c.root);
    const redactor = new Redactor(Object.values(this.opts.connectionOverrides ?? {}).map(o => o.password)).addDatabases(c.databases);
    return fixedView(() => modules.snapshot(async () => {
      modules.startScan(new ParseBudget());
      return choices({ modules, c, root, dirs: foldersUpTo(c.projectDir, root), redactor });
    }));
  }

  /**
   * The project's env files (env/env-candidates.ts), each with what the settings give when read with it instead of the
   * one in use: the settings module it makes the project use (its DJANGO_SETTINGS_MODULE, unless one is configured),
   * the databases and routers. Values are never returned: only the names of the variables each sets.
   */
  async envFileCandidates(): Promise<EnvFileChoice[]> {
    const processEnv = this.opts.env ?? process.env;
    return this.fromLastIndex(({ modules, c, dirs, redactor }) => {
      const candidates = envFileCandidates(dirs, c.envFile, !!this.opts.envFile);
      // the module the project uses without an env file's DJANGO_SETTINGS_MODULE: the one in use, unless the file in
      // use chose it; then the one manage.py names
      const inUseChose = !this.opts.settingsModule && !processEnv.DJANGO_SETTINGS_MODULE && !!c.env.DJANGO_SETTINGS_MODULE;
      const mp = inUseChose && c.managePy ? modules.parseFile(c.managePy) : null;
      const fallback = inUseChose ? (mp ? settingsModuleFromManagePy(mp, name => !!modules.resolve(name)?.file) ?? settingsModuleFromImports(modules, mp) : null) : c.current;
      return candidates.slice(0, ENV_FILES_MAX).map((cand): EnvFileChoice => {
        const values = expandEnvValues(cand.values, processEnv);
        const env = projectEnvironment(processEnv, values);
        // (an error's text may quote the file's own secrets: its passwords, tokens and URLs masked too)
        const own = new Redactor(Object.entries(values).filter(([k, v]) => isSecretKey(k) || v.includes('://')).flatMap(([, v]) => [v, urlPassword(v)]));
        const module = this.opts.settingsModule || env.DJANGO_SETTINGS_MODULE || fallback;
        const base = { file: cand.file, sources: cand.sources, variables: cand.variables, module: module ?? null, settingsVariables: [] as string[] };
        if (!module) return { ...base, reads: { notFound: true } };
        try {
          const reads: EnvReads = {};
          const { env: settingsEnv, load } = this.settingsReading(modules, c.managePy, recordingEnv(env, reads), c.envInfo);
          // (as the index would read them with this file chosen: with the other files' or the containers' values where
          // DATABASES cannot be read with it alone, said by its warning then)
          const s = loadSettingsOrAsDeployed(modules, module, settingsEnv, load, dirs, candidates, cand.file);
          // (django-configurations' class spreads the environment: every variable counts as read then)
          base.settingsVariables = '*' in reads ? cand.variables : cand.variables.filter(v => v in reads);
          return { ...base, reads: settingsReads(s) };
        } catch (e) {
          return { ...base, reads: { error: own.redact(redactor.redact((e as Error).message)) } };
        }
      });
    });
  }

  /**
   * The folder the settings and env-file choices look up to: the workspace folder when manage.py is inside it (a
   * pytest.ini, Compose file or Makefile at the repository's root of a project in a subfolder), else the scan's root.
   */
  private lookupRoot(projectDir: string, root: string): string {
    const top = this.opts.workspaceRoot ? path.resolve(this.opts.workspaceRoot) : root;
    const rel = path.relative(top, projectDir);
    return !rel.startsWith('..') && !path.isAbsolute(rel) ? top : root;
  }

  /**
   * How a settings module is read: the environment with django-configurations' class (--configuration, else the
   * environment's, else the one manage.py names), the interpreter's version and site-packages, and manage.py's folder
   * as the working directory (relative paths in the settings are that folder's, where it is run).
   */
  private settingsReading(modules: ModuleIndex, managePy: string | null, env: Record<string, string | undefined>, envInfo: IndexContext['envInfo']) {
    const python = { version: envInfo.version, sitePackages: envInfo.sitePackages };
    const cwd = managePy ? path.dirname(managePy) : undefined;
    const mp = !this.opts.configuration && managePy && env.DJANGO_CONFIGURATION === undefined ? modules.parseFile(managePy) : null;
    const configuration = this.opts.configuration || (mp ? configurationFromManagePy(mp) : null);
    return {
      python, cwd, configuration,
      env: configuration ? { ...env, DJANGO_CONFIGURATION: configuration } : env,
      load: { python, ...(cwd ? { cwd } : {}) } satisfies LoadSettingsOptions,
    };
  }

  /** what the last index was made from (settingsCandidates starts from it) */
  private lastContext: { root: string; managePy: string | null; projectDir: string; env: Record<string, string | undefined>; envFile: string | null; envInfo: IndexContext['envInfo']; current: string | null; databases: SettingsInfo['databases'] | undefined } | null = null;

  /** the folders the last settings put on sys.path (SettingsInfo.sysPath), search roots of the next index */
  private settingsRoots: { front: string[]; back: string[] } = { front: [], back: [] };

  /**
   * What an index starts from: the project's folders, the environment (the interpreter's sys.path, asked in its
   * own process), and the on-disk snapshot's file and key. `cachedOutput` computes it before the first index,
   * which then takes it instead of asking again.
   */
  private async context(startParser = true): Promise<IndexContext> {
    const pre = this.nextContext;
    this.nextContext = null;
    if (pre) return pre;
    const root = path.resolve(this.opts.root);
    const managePy = findManagePy(root);
    const projectDir = managePy ? path.dirname(managePy) : root;
    const envFile = this.opts.envFile === undefined ? envFileOf(projectDir) : this.opts.envFile;
    const processEnv = this.opts.env ?? process.env;
    const env = projectEnvironment(processEnv, readEnvFile(envFile, this.logger, processEnv));
    // The interpreter (asked for sys.path) runs in its own process: start it first, and load the parser and
    // the on-disk caches while it runs.
    const envPromise = findSearchRoots({
      root: projectDir, workspaceRoot: this.opts.workspaceRoot ?? root, python: this.opts.python ?? null, env: processEnv,
      allowPython: !!this.opts.allowPython, runWorkspaceInterpreter: !!this.opts.runWorkspaceInterpreter, timeoutMs: 10000,
      cacheDir: this.opts.cacheDir ?? null,
    });
    // WebAssembly compiles off the main thread: let it run while the caches are read
    const parserReady = startParser ? initPython() : null;
    void parserReady?.catch(() => undefined);
    const cacheKey = createHash('sha1').update(root).digest('hex').slice(0, 16);
    const envInfo = await envPromise;
    // The whole index from an earlier process, when nothing it read has changed (core/index-snapshot.ts): only
    // for the first index of this Scanner (later ones are incremental), and only while the options, the
    // environment and the environment variables the settings read are the same.
    const snapshotKey = JSON.stringify({
      build: buildId(), root, managePy, settingsModule: this.opts.settingsModule ?? null, databases: this.opts.databases ?? null,
      includeEnvironment: !!this.opts.includeEnvironment, parseBudgetMs: this.opts.parseBudgetMs ?? null,
      env: { roots: envInfo.roots, version: envInfo.version, sitePackages: envInfo.sitePackages, interpreter: envInfo.interpreter },
      envFile: envFile ? [envFile, statFile(envFile)] : null,
    });
    return { root, managePy, projectDir, env, envFile, envInfo, parserReady, cacheKey, snapshotKey };
  }

  /** the migration files that run code (the aliasNames lint reads them), for the migrations and apps they were found in */
  private codeMigrations: { migrations: MigrationFileInfo[]; apps: AppInfo[]; paths: string[]; key: string } | null = null;
  /** the cache and snapshot keys of the last index */
  private lastKeys: { cacheKey: string; snapshotKey: string } | null = null;
  /** set by `cachedOutput`: the context the next index takes */
  private nextContext: IndexContext | null = null;
  /** the id of the on-disk snapshot that holds the last index (read or written), if any (core/report-cache.ts) */
  private snapshotId: string | null = null;
  /**
   * the last readState's database reads (with `keepsOutput`): what they were read with, and per alias a digest of what
   * was read and its SQLite files' identity
   */
  private lastRead: { inputs: StateReadInputs; fingerprints: Record<string, string>; digests: Record<string, string>; files: Record<string, string> } | null = null;
  /** whether `saveOutput` will be asked (scanOutput): readState then keeps a digest of what it read */
  keepsOutput = false;
  /** the aliases `cachedOutput` read again to answer (the others' SQLite files were as they were when read) */
  readAgain: string[] = [];

  /**
   * What `saveOutput` stored for the same `key` (the caller's options) when nothing it was computed from has
   * changed (core/report-cache.ts): the same index snapshot would answer, and the databases, read again now,
   * hold what they held. Else null, and the index that follows starts from what was computed here.
   */
  async cachedOutput(key: string): Promise<Uint8Array | null> {
    const dir = this.opts.cacheDir;
    if (!dir || (this.opts.mode ?? 'static') !== 'static' || this.snapshotTried) return null;
    const ctx = await this.context(false);
    this.nextContext = ctx;
    const entry = readOutputEntry(outputCacheFile(dir, ctx.cacheKey));
    if (!entry || entry.key !== `${key}\n${ctx.snapshotKey}`) return null;
    const id = validSnapshotId(snapshotFileOf(dir, ctx.cacheKey), ctx.snapshotKey, reads => sameEnvReads(reads, ctx.env));
    if (id === null || id !== entry.snapshotId) return null;
    if (entry.read) {
      const { inputs, digests, files } = entry.read;
      const schema = { countRows: inputs.countRows, unlessFingerprint: entry.read.fingerprints };
      // per alias: a SQLite database whose files are as they were when it was read holds what it held (no read); the
      // others are read and compared with what they held (what differs is read again in full by the index's
      // readState: a schema without columns is no use there)
      const at = Date.now();
      const now = new Map(inputs.dbs.map(d => [d.alias, sqliteFileIdentity(d, inputs.baseDir, at)]));
      const toRead = inputs.dbs.filter(d => !files[d.alias] || now.get(d.alias) !== files[d.alias]);
      this.readAgain = toRead.map(d => d.alias);
      const applied = toRead.length ? await readAppliedAll(toRead, { timeoutMs: inputs.timeoutMs, baseDir: inputs.baseDir, schema }) : {};
      for (const d of toRead) if (!applied[d.alias] || digestOfState({ [d.alias]: applied[d.alias]! }) !== digests[d.alias]) return null;
      // read again and found as they were, with files old enough now to be vouched for: the next scan need not read them
      const vouched = toRead.filter(d => now.get(d.alias));
      if (vouched.length) {
        for (const d of vouched) files[d.alias] = now.get(d.alias)!;
        try {
          writeOutputEntry(outputCacheFile(dir, ctx.cacheKey), entry);
        } catch (e) {
          this.logger.debug(`output cache not updated: ${(e as Error).message}`);
        }
      }
    }
    return entry.output;
  }

  /** Keep `output`, printed for the last index (and readState), for `cachedOutput(key)` of a later process. */
  saveOutput(key: string, output: Uint8Array, readDatabases: boolean): void {
    const dir = this.opts.cacheDir;
    const keys = this.lastKeys;
    if (!dir || !keys || !this.snapshotId || (this.opts.mode ?? 'static') !== 'static' || (readDatabases && !this.lastRead)) return;
    try {
      writeOutputEntry(outputCacheFile(dir, keys.cacheKey), {
        key: `${key}\n${keys.snapshotKey}`, snapshotId: this.snapshotId, output,
        read: readDatabases ? this.lastRead : null,
      });
    } catch (e) {
      this.logger.debug(`output cache not written: ${(e as Error).message}`);
    }
  }

  private async indexOnce(firstAnswer = false): Promise<ProjectIndex> {
    const timings: Record<string, number> = {};
    const t = now();
    const findings: Finding[] = [];
    const { root, managePy, projectDir, env, envFile, envInfo, cacheKey, snapshotKey, ...ctx } = await this.context();
    this.lastKeys = { cacheKey, snapshotKey };
    const parserReady = ctx.parserReady ?? initPython();
    const migrationCacheFile = this.opts.cacheDir ? path.join(this.opts.cacheDir, `migrations-${cacheKey}.json`) : null;
    const moduleCacheFile = this.opts.cacheDir ? path.join(this.opts.cacheDir, `modules-${cacheKey}.v8`) : null;
    const lintCacheFile = this.opts.cacheDir ? path.join(this.opts.cacheDir, `lints-${cacheKey}.json`) : null;
    let migrationCache: unknown = null;
    let moduleCache: unknown = null;
    const loadCaches = !this.cacheLoaded;
    const snapshotFile = this.opts.cacheDir ? snapshotFileOf(this.opts.cacheDir, cacheKey) : null;
    this.snapshotId = null;
    if (snapshotFile && !this.snapshotTried) {
      // once: the index after an answer from the snapshot builds the in-memory state (the scan worker asks for it)
      this.snapshotTried = true;
      const hit = readIndexSnapshot(snapshotFile, snapshotKey, reads => sameEnvReads(reads, env));
      if (hit) {
        this.answeredFromSnapshot = true;
        this.snapshotId = hit.id;
        const answer = this.redacted({ ...hit.index, timings: { snapshot: now() - t } });
        // the findings as read when redaction changed none of them (their digest is then theirs)
        if (answer.findings.every((f, i) => f === hit.index.findings[i])) answer.findings = hit.index.findings;
        const stored = hit.index as unknown as Record<string, unknown>;
        const answered = answer as unknown as Record<string, unknown>;
        this.answerDigests = Object.fromEntries(Object.entries(hit.digests).filter(([k]) => answered[k] === stored[k]));
        return answer;
      }
    }
    this.answeredFromSnapshot = false;
    this.answerDigests = null;
    if (loadCaches) {
      this.cacheLoaded = true;
      migrationCache = readCacheFile(migrationCacheFile, root);
      moduleCache = readCacheFile(moduleCacheFile, root);
      importLintCaches(readCacheFile(lintCacheFile, root));
    }
    // A first index with nothing cached reads thousands of files once the apps are known: asked for
    // (DJANGO_MULTIDB_PARALLEL), a second thread starts on the project's files now, while the parser loads and the
    // settings are evaluated (./prefetch-jobs.ts; off by default since the fast parser)
    if (!this.modules && !migrationCache) this.prefetch = IndexPrefetch.start(projectDir, this.opts.parseBudgetMs);
    await parserReady;

    const roots = [...new Set([...this.settingsRoots.front, projectDir, ...envInfo.roots.map(r => path.resolve(r)), ...this.settingsRoots.back])];
    const key = roots.join('\n');
    if (!this.modules || key !== this.rootsKey) {
      this.modules = new ModuleIndex(roots, this.logger);
      // (places in messages: relative to the project, as the report's paths are)
      this.modules.displayRoot = path.resolve(this.opts.root);
      this.rootsKey = key;
    } else if (!isTrusted()) {
      // no watcher reports changes: resolution and every derived result are redone (parsed files stay cached by
      // mtime); with one (the extension), only what read a changed file is
      invalidateAll();
      this.modules.invalidate();
    }
    const modules = this.modules;
    if (loadCaches) {
      if (migrationCache) importMigrationCache(modules, migrationCache);
      if (moduleCache) modules.importParsed(moduleCache);
    }
    timings.environment = now() - t;
    // the file system is taken as fixed while one scan runs (directory listings are read once)
    const budget = this.opts.parseBudgetMs;
    modules.startScan(new ParseBudget(budget?.scan ?? SCAN_BUDGET_MS, budget?.file ?? FILE_BUDGET_MS));
    const envReads: EnvReads = {};
    let scanned: { value: ProjectIndex; deps: Deps };
    try {
      // (lazy: the memos' files are merged into the index's own only when its snapshot is written)
      scanned = await modules.snapshot(async () => track(() => this.indexWith(modules, {
        root, managePy, projectDir, env: recordingEnv(env, envReads), envKey: JSON.stringify(env), envFile, envInfo, findings, timings, moduleCacheFile, migrationCacheFile, lintCacheFile,
        firstAnswer,
      }), true));
    } finally {
      // the second thread of a first index (./prefetch-jobs.ts), if a phase did not take its results
      if (this.prefetch) timings.prefetched = this.prefetch.done;
      this.prefetch?.dispose();
      this.prefetch = null;
    }
    const index = scanned.value;
    this.lastContext = { root, managePy, projectDir, env, envFile, envInfo, current: index.settings?.module ?? null, databases: index.settings?.databases };
    timings.total = now() - t;
    // files a parse limit cut short, whichever phase read them (migration files report their own)
    const reported = new Set(findings.filter(f => f.code === 'parse-budget').map(f => f.path));
    for (const [file, limit] of modules.limits()) {
      if (!reported.has(file)) findings.push({ code: 'parse-budget', severity: 'warning', path: file, line: limit.line, message: limit.message });
    }
    // not an index of a warm-up step (Scanner.warmUp): its buffer is no file's text, and a step the warm-up was
    // stopped after would leave its index (a router's lines shifted by its `pass`) as the next session's snapshot;
    // nor a partial one
    if (snapshotFile && WARMING.size === 0 && !index.partial) {
      for (const d of scanned.deps.dirs.keys()) this.seenDirs.add(d);
      // the search roots and site-packages: a package installed or removed changes what the settings may import
      for (const d of [projectDir, ...roots, ...envInfo.sitePackages]) this.seenDirs.add(d);
      const deps = scanned.deps;
      const reads = { ...envReads };
      this.writeCache(snapshotFile, root, () => {
        const files = deps.files;
        const dirs = new Map([...this.seenDirs].map(d => [d, listingSignature(readDir(d))] as [string, string | null]));
        try {
          const id = writeIndexSnapshot(snapshotFile, snapshotKey, { files, dirs }, reads, index, !!this.opts.snapshotDigests);
          // a delayed write (the extension's worker) may follow a later index: the id names this one only
          if (this.opts.cacheWriteDelayMs === undefined || this.opts.cacheWriteDelayMs <= 0) this.snapshotId = id;
        } catch (e) {
          // not plain data (a value the serializer cannot clone), a full disk: the next process computes it again
          this.logger.debug(`index snapshot not written: ${(e as Error).message}`);
        }
        return null;
      });
    }
    return this.redacted(index);
  }

  /** whether the last routing and router lints read the models' class bodies (routers/index.ts routerViews) */
  private readonly routersReadBodies = { routing: true, lints: true };
  /** the second thread reading files for the index running (./prefetch-jobs.ts) */
  private prefetch: IndexPrefetch | null = null;

  /** Whether the last index() answered from the on-disk snapshot (no in-memory state built yet). */
  answeredFromSnapshot = false;
  /**
   * With an answer from the snapshot: the digest of each of its properties that is as stored (core/index-by-key.ts),
   * so that a caller holding an index written with digests too sends only the properties that differ.
   */
  answerDigests: Record<string, string> | null = null;
  private snapshotTried = false;
  /** directories any index of this Scanner listed: a snapshot records their listings */
  private readonly seenDirs = new Set<string>();

  /** A settings line that fails may quote a password (redact.ts): findings reach every surface. */
  private redacted(index: ProjectIndex): ProjectIndex {
    const redactor = new Redactor(Object.values(this.opts.connectionOverrides ?? {}).map(o => o.password)).exemptWords(projectWords(index)).addDatabases(index.settings?.databases);
    const signature = redactor.signature;
    if (this.redactions?.signature !== signature) this.redactions = { signature, done: new WeakMap() };
    return { ...index, findings: redactMessages(index.findings, redactor, this.redactions.done) };
  }

  /** the findings redacted by the last index's redactor (kept while its signature is the same) */
  private redactions: { signature: string; done: WeakMap<Finding, Finding> } | undefined;

  /** The migrations phase of indexWith: every migration file of the apps, read again only where it changed. */
  private readMigrationsPhase(
    modules: ModuleIndex, settings: unknown, settingsNow: SettingsInfo, apps: AppInfo[], discovered: { migrations: MigrationsResult } | null | undefined,
    migrationCacheFile: string | null, root: string,
  ): MigrationsResult {
    this.prefetch?.migrations(modules, settingsNow, apps);
    // (backdated: a settings edit reads every file from its cache again, to the very same objects; the graph and the
    // lints keyed by the array then stay)
    const migs = discovered?.migrations ?? this.memo('migrations', [modules, settings, apps], () => readMigrations(modules, apps, settingsNow), true,
      // an edit of some migration files reads only those again
      (prev, changed) => readMigrationsAgain(modules, settingsNow, prev, changed),
      // other settings (a DATABASES edit), the same apps and files: each file's reading kept while what it read is
      (prev, prevKey) => (prevKey[0] === modules && prevKey[2] === apps ? readMigrationsForSettings(modules, settingsNow, prev) : null));
    // rewritten only when something was parsed (or dropped): a warm run reads the caches and writes nothing
    if (migrationCacheFile && migrationCacheChanged(modules)) this.writeCache(migrationCacheFile, root, () => migrationCacheChanged(modules) ? exportMigrationCache(modules) : null);
    return migs;
  }

  private indexWith(modules: ModuleIndex, s: {
    root: string; managePy: string | null; projectDir: string; env: Record<string, string | undefined>; envKey: string; envFile: string | null; findings: Finding[];
    envInfo: Awaited<ReturnType<typeof findSearchRoots>>; timings: Record<string, number>;
    moduleCacheFile: string | null; migrationCacheFile: string | null; lintCacheFile: string | null;
    firstAnswer?: boolean;
  }): ProjectIndex {
    const { root, managePy, projectDir, env, envFile, envInfo, findings, timings, moduleCacheFile, migrationCacheFile } = s;
    let t = now();
    let settingsModule = this.opts.settingsModule || env.DJANGO_SETTINGS_MODULE || null;
    if (!settingsModule && managePy) {
      const m = modules.parseFile(managePy);
      const notes: { alternatives?: string[] } = {};
      settingsModule = m ? settingsModuleFromManagePy(m, name => !!modules.resolve(name)?.file, notes) ?? settingsModuleFromImports(modules, m) : null;
      if (settingsModule && notes.alternatives?.length) {
        findings.push({ code: 'settings-unknown', severity: 'info', path: managePy, line: null, message: `manage.py chooses DJANGO_SETTINGS_MODULE from its arguments at run time: using ${settingsModule}, the first it names; it also names ${notes.alternatives.join(', ')} (--settings, or djangoMultiDb.settingsModule, to choose another).` });
      }
      // a name manage.py computes (a function of an environment variable, a file): as its statements give it for
      // `manage.py migrate`, read by the static evaluator
      // (kept while manage.py and what it imports are unchanged: an edit elsewhere does not evaluate it again)
      const computed = m && !settingsModule ? this.memo('managePySettings', [modules, managePy, s.envKey, projectDir], () => settingsModuleByEvaluation(modules, managePy, env, projectDir)) : null;
      if (computed) {
        settingsModule = computed.module;
        if (computed.unset.length) findings.push({ code: 'settings-unknown', severity: 'info', path: managePy, line: null, message: `manage.py computes DJANGO_SETTINGS_MODULE: using ${computed.module}, what it gives with ${computed.unset.join(', ')} not set here (set ${computed.unset.length === 1 ? 'it' : 'them'} in an env file, --env-file or djangoMultiDb.envFile, or choose the module with --settings or djangoMultiDb.settingsModule).` });
      }
    }
    // a module manage.py names that is not in the workspace: a file each deployment makes, kept out of version control
    // (RapidPro's temba.settings): the modules the project's entry points, tests, containers or CI use are read instead
    let missingNamed: string | null = null;
    if (settingsModule && !this.opts.settingsModule && !env.DJANGO_SETTINGS_MODULE && !modules.resolve(settingsModule)?.file) {
      missingNamed = settingsModule;
      settingsModule = null;
    }
    const why = missingNamed
      ? `manage.py names ${missingNamed}, which is not in the workspace (a file made where the project runs, kept out of version control?)`
      : managePy ? 'manage.py does not name DJANGO_SETTINGS_MODULE statically' : 'No manage.py';
    const fallbackSeverity = missingNamed ? 'warning' : 'info';
    if (!settingsModule) {
      // no manage.py, or one that does not name the settings statically: the module wsgi.py or asgi.py sets
      const found = settingsModuleFromEntryPoints(projectDir, f => modules.parseFile(f));
      // (a module that sets no settings at all, AWX's empty awx.settings package, is not the project's settings)
      const entry = found && looksLikeSettings(modules, found.module) ? found : null;
      if (entry) {
        settingsModule = entry.module;
        findings.push({ code: 'settings-unknown', severity: fallbackSeverity, path: entry.file, line: null, message: `${why}: using ${entry.module}, the settings module this WSGI/ASGI entry point sets (--settings to choose another).` });
      }
    }
    // the folder of manage.py up to the workspace's, nearest first
    const dirs = foldersUpTo(projectDir, root);
    // the project's env files (.env-local, .env.example; env/env-candidates.ts): the findings name the one that sets
    // a variable a database depends on, and where DATABASES cannot be read at all, the settings are read with them
    const envDirs = foldersUpTo(projectDir, this.lookupRoot(projectDir, root));
    const envFiles = this.memo('envFiles', [envDirs.join('\n'), envFile, !!this.opts.envFile], () => envFileCandidates(envDirs, envFile, !!this.opts.envFile), true);
    // the settings the project's containers (Compose, Dockerfiles) run with, then those pytest-django runs the tests
    // with, then those CI sets (of those in the workspace, the first; the others named). Baserow's manage.py names
    // none: its image's `baserow.config.settings.base`, not pytest.ini's `….test` (an extra test-only alias)
    // (kept while those files are as they were: each typed edit's index would parse them again)
    const named = !settingsModule ? this.memo('deploySettings', [modules, dirs.join('\n')], () => settingsModulesFromDeployFiles(dirs)) : [];
    const fromDeployed = (kind: 'container' | 'ci') => {
      const found = named.filter(c => modules.resolve(c.module)?.file);
      const first = found.find(c => c.kind === kind);
      if (!first) return;
      settingsModule = first.module;
      const others = found.filter(c => c !== first).map(c => `${c.module} (${path.relative(root, c.file)})`);
      findings.push({
        code: 'settings-unknown', severity: fallbackSeverity, path: first.file, line: first.line ?? null,
        message: `${why}: using ${first.module}, the settings module ${path.relative(root, first.file)} sets DJANGO_SETTINGS_MODULE to${others.length ? `; also named: ${others.join(', ')}` : ''} (--settings or djangoMultiDb.settingsModule to choose another).`,
      });
    };
    // the project's env files (the developer's own, then templates such as `.env.example`; never production ones;
    // test and CI ones after pytest): EveryElection's manage.py loads `.env` and requires DJANGO_SETTINGS_MODULE
    // from it, `.env.example` sets it
    const fromEnvFiles = (testing: boolean) => {
      for (const c of envFiles) {
        const named = c.production || !!c.testing !== testing ? undefined : c.values.DJANGO_SETTINGS_MODULE?.trim();
        if (!named || !MODULE_NAME.test(named) || !modules.resolve(named)?.file) continue;
        settingsModule = named;
        findings.push({ code: 'settings-unknown', severity: fallbackSeverity, path: c.file, line: null, message: `${why}: using ${named}, the settings module ${path.relative(root, c.file)} sets DJANGO_SETTINGS_MODULE to (--settings, --env-file or djangoMultiDb.settingsModule to choose another).` });
        return;
      }
    };
    if (!settingsModule) fromEnvFiles(false);
    if (!settingsModule) fromDeployed('container');
    if (!settingsModule) {
      const pytest = settingsModuleFromPytestConfig(dirs);
      if (pytest && modules.resolve(pytest.module)?.file) {
        settingsModule = pytest.module;
        findings.push({ code: 'settings-unknown', severity: fallbackSeverity, path: pytest.file, line: null, message: `${why}: using ${pytest.module}, the settings module pytest is configured with (--settings to choose another).` });
      }
    }
    if (!settingsModule) fromEnvFiles(true);
    if (!settingsModule) fromDeployed('ci');
    if (!settingsModule) {
      // manage.py missing or half-edited: a single settings module next to it is the one Django would use (not an
      // empty settings package whose modules are chosen by DJANGO_SETTINGS_MODULE: EveryElection's settings/__init__.py)
      const found = findSettingsCandidate(projectDir);
      const guess = found && looksLikeSettings(modules, found) ? found : null;
      if (guess) {
        settingsModule = guess;
        findings.push({ code: 'settings-unknown', severity: fallbackSeverity, path: managePy, line: null, message: missingNamed ? `${why}: using ${guess}, the only settings module found.` : `DJANGO_SETTINGS_MODULE could not be read from manage.py; using ${guess}, the only settings module found.` });
      }
    }
    // none of them: the module manage.py names, not found (said as such)
    if (!settingsModule && missingNamed) settingsModule = missingNamed;
    let settings: SettingsInfo | null = null;
    if (settingsModule) {
      try {
        const { python, cwd, configuration, env: settingsEnv, load } = this.settingsReading(modules, managePy, env, envInfo);
        settings = this.memo('settings', [modules, settingsModule, s.envKey, JSON.stringify(python), cwd, configuration, envFiles], () => loadSettingsOrAsDeployed(modules, settingsModule!, settingsEnv, load, dirs, envFiles, envFile));
      } catch (e) {
        this.logger.error(`settings ${settingsModule}: ${(e as Error).stack ?? e}`);
        findings.push({ code: 'settings-unknown', severity: 'error', path: null, line: null, message: `Settings module ${settingsModule} could not be evaluated: ${(e as Error).message}` });
      }
    } else {
      findings.push({ code: 'settings-unknown', severity: 'error', path: managePy, line: null, message: 'No settings module found: set DJANGO_SETTINGS_MODULE in manage.py, the environment, or the djangoMultiDb.settingsModule setting (--settings on the command line).' });
    }
    timings.settings = now() - t;

    const index: ProjectIndex = {
      root, managePy, settings, apps: [], models: [], routing: [], routerLocs: {}, migrations: [], applied: {}, plans: {}, findings, timings,
    };
    if (!settings) return index;
    // a settings module named on purpose (--settings, djangoMultiDb.settingsModule) that does not exist is a mistake
    // to stop on; one manage.py names may be made where the project is deployed (RapidPro's temba.settings)
    // (a file other than the one in use that sets a variable a database or router depends on: named in the finding)
    const relEnv = (f: string) => { const r = path.relative(root, f); return r && !r.startsWith('..') ? r : f; };
    findings.push(...settingsFindings(settings, vars => {
      const hit = envFileSetting(envFiles, vars, envFile);
      return hit ? { file: hit.file, shown: relEnv(hit.file), sets: hit.sets } : null;
    }));
    if (settings.deployEnv) {
      const { variables, files, values, before } = settings.deployEnv;
      const them = variables.length === 1 ? 'it' : 'them';
      // (a value that names a module is said; others may be secrets: DATABASE_URL's password)
      const said = variables.filter(v => values[v] !== undefined).map(v => `${v}=${values[v]}`);
      const state = before === 'unreadable' ? 'could not be read' : before === 'empty' ? 'is empty' : before === 'no-engine' ? 'names no database engine' : "has no 'default'";
      // values from one of the project's env files: choosing that file reads them for good (and the rest it sets)
      const fromEnvFile = files.length === 1 && envFiles.some(c => c.file === files[0]);
      const advice = fromEnvFile
        ? `choose that file (Choose Env File…, --env-file ${relEnv(files[0]!)}) to read the settings with all it sets`
        : `set ${them} in an env file (--env-file, djangoMultiDb.envFile) to see the configuration the project runs with`;
      findings.push({
        code: 'settings-unknown', severity: 'warning', path: files[0] ?? null, line: null, ...(fromEnvFile ? { envFile: files[0]! } : {}),
        message: `DATABASES ${state} with ${variables.join(', ')} not set here: read as ${files.map(relEnv).join(', ')} ${files.length === 1 ? 'sets' : 'set'} ${them}${said.length ? ` (${said.join(', ')})` : ''}; ${advice}.`,
      });
    }

    t = now();
    const settingsNow = settings;
    // (computed again to equal apps after a settings edit of something else: the same object, the models stay)
    const apps = this.memo('apps', [modules, settings, root], () => resolveApps(modules, settingsNow, root), true, undefined,
      // (resolveApps reads INSTALLED_APPS and MIGRATION_MODULES of the settings: an edit of another setting, the files
      // it read as they were, keeps the apps without resolving each of them again)
      (prev, prevKey) => {
        const before = prevKey[1] as SettingsInfo;
        return prevKey[0] === modules && prevKey[2] === root && sameValue(before.installedApps, settingsNow.installedApps) &&
          sameValue(before.migrationModules, settingsNow.migrationModules) ? prev : null;
      });
    index.apps = apps.apps;
    // principle 5 of issue 7: INSTALLED_APPS entirely unknown → the workspace's own apps, marked discovered
    const unknownApps = installedAppsUnknown(settings);
    const discovered = unknownApps ? this.memo('discovered', [modules, settings, root], () => discoverApps(modules, settingsNow, root, unknownApps)) : null;
    if (discovered) {
      index.apps = discovered.apps;
      findings.push({ code: 'apps-discovered', severity: 'warning', path: unknownApps!.loc?.path ?? settings.path, line: unknownApps!.loc?.line ?? null, message: discovered.message });
    }
    // Django's own apps missing means the environment has no Django: one finding that says where we looked
    const missingDjango = apps.problems.filter(p => p.entry.startsWith('django.') && /No module named/.test(p.message));
    if (missingDjango.length) {
      const where = envInfo.interpreter ? `${envInfo.interpreter} (${envInfo.source ?? 'found'}, ${envInfo.method === 'interpreter' ? 'asked for sys.path' : 'site-packages looked up on disk'})` : 'no Python interpreter found';
      findings.push({
        code: 'settings-unknown', severity: 'warning', path: settings.path, line: null,
        message: `Django is not installed in the Python environment used: ${where}. ${missingDjango.map(p => p.entry).join(', ')} and their models and migrations are missing; point to the project's interpreter (--python, VIRTUAL_ENV, a .venv folder).`,
      });
    }
    // INSTALLED_APPS entries whose package is not in the environment, by the label Django would give them
    const notFound = new Map<string, string>();
    for (const p of apps.problems) if (/No module named/.test(p.message)) notFound.set(labelOfEntry(p.entry), p.entry);
    // apps of packages that are not installed: one finding for all of them
    const notInstalled = apps.problems.filter(p => !missingDjango.includes(p) && /^No module named/.test(p.message));
    const appsAt = { path: settings.installedAppsLoc?.path ?? settings.path, line: settings.installedAppsLoc?.line ?? null };
    if (notInstalled.length > 1) {
      findings.push({
        code: 'settings-unknown', severity: 'warning', ...appsAt,
        message: `${notInstalled.length} INSTALLED_APPS entries are not installed in the Python environment used (their models and migrations are missing): ${notInstalled.map(p => p.entry).join(', ')}.`,
      });
    }
    // the environment's Django: an AppConfig only Django before 3.2 accepts is an error where it is 3.2 or later
    // (its dist-info read only for such an app: not on every index of an edit)
    const djangoDist = envInfo.sitePackages.length && apps.problems.some(p => p.refusedSince32)
      ? findDistribution({ version: envInfo.version, sitePackages: envInfo.sitePackages }, 'Django') : null;
    const [major, minor] = (djangoDist?.version ?? '').split('.').map(Number);
    const since32 = major !== undefined && !Number.isNaN(major) && (major > 3 || (major === 3 && (minor ?? 0) >= 2));
    for (const p of apps.problems) {
      if (missingDjango.includes(p) || (notInstalled.length > 1 && notInstalled.includes(p))) continue;
      if (p.refusedSince32 && since32) {
        findings.push({ code: 'settings-error', severity: 'error', ...appsAt, app: p.entry, message: `INSTALLED_APPS entry ${p.entry}: Django ${djangoDist!.version} (the environment's) refuses it, so every manage.py command fails: ImproperlyConfigured: ${p.refusedSince32}` });
        continue;
      }
      findings.push({ code: p.fatal ? 'settings-error' : 'settings-unknown', severity: p.fatal ? 'error' : p.info ? 'info' : 'warning', ...appsAt, app: p.entry, message: `INSTALLED_APPS entry ${p.entry}: ${p.message}` });
    }
    timings.apps = now() - t;

    t = now();
    // a new token only when a setting the models read changed: a DATABASES edit reads no model again
    const last = this.modelMemo.settings;
    if (!last || !sameSettingsForModels(last, settings, this.modelMemo.settingsRead ?? new Set())) this.modelSettingsToken = {};
    // (an edit of one models module that leaves which classes are models as it was: that module's models and those
    // reading it read again, see patchModels)
    const models = this.memo('models', [modules, this.modelSettingsToken, index.apps, root], () => indexModels(modules, index.apps, settingsNow, root, this.modelMemo), false,
      (prev, changed) => patchModels(modules, index.apps, settingsNow, root, this.modelMemo, prev, changed));
    index.models = models.models;
    timings.models = now() - t;

    t = now();
    // (the first answer: no migration is read; the next index reads them, ProjectIndex.partial)
    const migs = s.firstAnswer ? { migrations: [] as MigrationFileInfo[], problems: [] } : this.readMigrationsPhase(modules, settings, settingsNow, index.apps, discovered, migrationCacheFile, root);
    index.migrations = migs.migrations;
    if (!s.firstAnswer) timings.migrations = now() - t;

    t = now();
    const aliases = this.aliases(settings);
    const aliasKey = aliases.join('\n');
    // the models as routers see them (no relation fields): an edit of a foreign key routes nothing again, unless
    // the routers read the models' class bodies, which these views do not hold
    const views = this.memo('routerViews', [index.models], () => routerViews(index.models), true);
    // what the project's code sets on models' `_meta` (models/meta-writes.ts): a router reading another attribute
    // finds none where a model's Meta does not declare it (kept as the same object while equal: nothing routed again)
    const metaDirs = [root, ...index.apps.filter(a => !a.external && a.dir && !a.dir.startsWith(root + path.sep)).map(a => a.dir!)];
    // (an edit of some of the files reads those again; kept as the earlier object while equal, with the files' writes
    // of the one just made)
    let madeWrites: MetaWrites | null = null;
    const metaWrites = this.memo('metaWrites', [root, index.apps], () => (madeWrites = metaWritesOf([...new Set(metaDirs)])), true,
      (prev, changed) => (madeWrites = metaWritesAgain(prev, changed)));
    if (madeWrites) keepFilesOf(metaWrites, madeWrites);
    setMetaWrites(modules, metaWrites);
    const routedBefore = this.memos.get('routing')?.value as { routing: RoutingResult; lives?: RouterDecision[] } | undefined;
    const seen = this.routersReadBodies.routing ? index.models : views;
    // "lives": the router chain's answer ignoring managed/proxy/swapped (scan-json.md, cross-db FKs). For a model that
    // is managed, not a proxy and not swapped that is exactly the decision just made (the routers see the same
    // model), so only the others are evaluated again, as if managed.
    const asManaged = () => index.models.filter(m => !m.abstract && (!m.managed || m.proxy || m.swapped)).map(m => ({ ...m, managed: true, proxy: false, swapped: false }));
    const routed = this.memo('routing', [modules, settings, seen, aliasKey, metaWrites], () => {
      const reads = classBodyReads();
      const routing = evaluateRouting(modules, settingsNow, index.models, aliases);
      keepEqualDecisions(routedBefore?.routing.decisions, routing.decisions, sameValue);
      // (the routers' places too: Django mode's merge keeps its rows while they are the same object)
      if (routedBefore && sameValue(routedBefore.routing.routerLocs, routing.routerLocs)) routing.routerLocs = routedBefore.routing.routerLocs;
      const others = asManaged();
      const lives = others.length ? keepEqualDecisions(routedBefore?.lives, evaluateRouting(modules, settingsNow, others, aliases).decisions, sameValue) : undefined;
      this.routersReadBodies.routing = classBodyReads() !== reads;
      return { routing, lives };
    }, true, undefined, (prev, prevKey) => {
      // some models changed as the routers see them (a model added, renamed, made unmanaged), the routers and settings
      // the same: the others keep their decisions (read from views only: the routers read no class bodies)
      if (prevKey[0] !== modules || prevKey[1] !== settings || prevKey[3] !== aliasKey || prevKey[4] !== metaWrites || this.routersReadBodies.routing || seen !== views) return null;
      const changed = changedEntries(prevKey[2] as { key: string }[], views);
      if (changed.size * 2 > views.length) return null;
      const reads = classBodyReads();
      const routing = evaluateRoutingAgain(modules, settingsNow, index.models, aliases, prev.routing.decisions, changed);
      keepEqualDecisions(prev.routing.decisions, routing.decisions, sameValue);
      if (sameValue(prev.routing.routerLocs, routing.routerLocs)) routing.routerLocs = prev.routing.routerLocs;
      const others = asManaged();
      const lives = !others.length ? undefined
        : keepEqualDecisions(prev.lives, (prev.lives ? evaluateRoutingAgain(modules, settingsNow, others, aliases, prev.lives, changed) : evaluateRouting(modules, settingsNow, others, aliases)).decisions, sameValue);
      // (models decided here whose routing read their class bodies: every model is routed by its whole facts from now on)
      if (classBodyReads() !== reads) this.routersReadBodies.routing = true;
      return { routing, lives };
    });
    const routing = routed.routing;
    index.routing = routing.decisions;
    index.routerLocs = routing.routerLocs;
    if (routed.lives) index.lives = routed.lives;
    const lives = this.memo('lives', [index.routing, index.lives], () => livesDecisions(index.routing, index.lives));
    // (the first answer: what the tree shows is known; the migrations, the operations' routing by hints, the findings
    // and the caches wait for the index that reads the migrations)
    if (s.firstAnswer) {
      timings.routing = now() - t;
      index.partial = true;
      return index;
    }
    // allow_migrate without a model, for the operations that Django routes by app label and hints
    // hintQueries reads the models' app labels and names only
    index.hintRouting = this.memo('hints', [modules, settings, index.migrations, views, aliasKey, metaWrites],
      (): Record<string, HintDecisionLike> => evaluateHintRoutings(modules, settingsNow, hintQueries(index.migrations, index.models), aliases, index.models), true);
    timings.routing = now() - t;

    t = now();
    // (from the last ones where the aliases and settings are the same: the relations of the models edited or routed
    // again and of those pointing to them are read again, the routing's fall-through findings kept while it is the same)
    const routingFindings = (last?: CrossDatabaseLast & { fall: Finding[] }) => {
      const concrete = concreteModels(index.models);
      const livesRows = index.lives ?? [];
      const cross = crossDatabaseRelationsFrom(last, concrete, index.routing, livesRows, indexDecisions(index.routing), lives, aliases);
      // (aliases that are a mirror of another or reach the same database are not migrated on their own)
      const fall = last?.routing === index.routing ? last.fall : fallThroughAliasFindings(index.routing, ownDatabases(aliases, twinsOf(index)));
      return { all: [...cross.findings, ...unknownRoutingFindings(concrete, index.routing, settingsNow?.routersLoc), ...fall], cross, concrete, fall, routing: index.routing, lives: livesRows };
    };
    findings.push(...this.memo('routingFindings', [index.models, index.routing, lives, aliasKey, settings], () => routingFindings(), false, undefined,
      (prev, prevKey) => (prevKey[3] === aliasKey && prevKey[4] === settings ? routingFindings(prev) : null)).all);
    findings.push(...this.memo('unmigrated', [index.apps, index.models, index.migrations, index.routing, aliasKey], () => unmigratedModelFindings(index, aliases), 'items'));
    findings.push(...this.memo('uncreated', [index.apps, index.models, index.migrations], () => {
      // models guessed from a base that could not be read are not certainly models: no missing CreateModel for them
      const guessedAt = new Set((models.problems ?? []).filter(p => p.message.startsWith('base class ')).map(p => `${p.path}:${p.line}`));
      return uncreatedModelFindings(index, guessedAt, this.memos.get('uncreated')?.value as UncreatedModels | undefined);
    }).findings);
    // the migrations' operations routed by model name and hints: the models' names, not their relations
    findings.push(...this.memo('fallThrough', [settings, views, index.routing, index.migrations, index.hintRouting, aliasKey], () => fallThroughFindings(index, aliases), 'items'));
    // problems of the dependency graph itself do not depend on what is applied (the graph is enough, no plan)
    // (keyed by the migrations' graph facts: an edit of a migration's operations builds no graph again)
    const { graphCheck, conflicts } = this.memo('graph', [this.graphFactsKey(index.migrations), index.apps], () => {
      const graphCheck = buildGraph(index.migrations, new Set(), this.graphOptions(index));
      // `detectConflicts(index.migrations)` (no options) would build the same graph again: the options only add
      // problems about unknown apps, the nodes and edges do not change (`migratedApps` is what it derives itself)
      // a migration whose parent in its own app is missing is a leaf only because of that (informal-system's missing
      // merge migration): Django stops at the missing node (NodeNotFoundError), `makemigrations --merge` cannot help
      const broken = new Set(graphCheck.problems.filter(p => p.kind === 'missing-dependency' && p.missing).map(p => p.missing!.slice(0, p.missing!.indexOf('.'))));
      // an app with a migration whose dependencies could not all be read: a leaf may be one only because a dependency
      // was left out (openwisp's sample_users.0004: dependencies = [(swapper.split(…)[0], "0001_initial")])
      for (const m of index.migrations) if (m.partial) broken.add(m.app);
      return { graphCheck, conflicts: Object.fromEntries(conflictsInGraph(graphCheck.graph).filter(c => !broken.has(c.app)).map(c => [c.app, c.names])) };
    });
    findings.push(...conflictFindings(conflicts, index.migrations));
    for (const p of routing.problems) {
      const at = p.loc ?? settingsNow?.routersLoc;
      findings.push({ code: 'unknown-routing', severity: 'warning', path: at?.path ?? null, line: at?.line ?? null, message: `${p.router}: ${p.message}` });
    }
    // models whose base class is in a package that is not installed: one info per package, listing them (readthedocs:
    // 21 infos of django_extensions' TimeStampedModel, one at each model)
    const unreadBases = new Map<string, { path: string | null; line: number | null; items: string[]; first: string }>();
    for (const p of [...(models.problems ?? []), ...(migs.problems ?? [])] as { path?: string | null; line?: number | null; message: string; code?: string; severity?: 'info'; environment?: true; unreadBase?: { base: string; model: string; package: string } }[]) {
      const ub = p.unreadBase;
      if (ub) {
        const g = unreadBases.get(ub.package) ?? unreadBases.set(ub.package, { path: p.path ?? null, line: p.line ?? null, items: [], first: p.message }).get(ub.package)!;
        g.items.push(`${ub.model} (${ub.base}${p.path ? `, ${toPosix(path.relative(root, p.path))}:${p.line ?? ''}` : ''})`);
        continue;
      }
      // a base class such as AbstractUser is unreadable because Django is not in the environment: said once above;
      // one from another package that is not installed (Kolibri's morango SyncableModel) is the environment's too
      const becauseNoDjango = (missingDjango.length > 0 && p.message.startsWith('base class ')) || !!p.environment;
      const code = p.code === 'missing-dependency' || p.code === 'parse-budget' ? p.code : 'parse-error';
      findings.push({ code, severity: becauseNoDjango || p.severity === 'info' ? 'info' : 'warning', path: p.path ?? null, line: p.line ?? null, message: p.message });
    }
    for (const [pkg, g] of unreadBases) {
      const message = g.items.length === 1
        ? g.first
        : `${g.items.length} models derive from classes of ${pkg}, which is not installed in the Python environment used; they are read with the options of their own Meta only: ${g.items.slice(0, 10).join(', ')}${g.items.length > 10 ? `, and ${g.items.length - 10} more` : ''}`;
      findings.push({ code: 'parse-error', severity: 'info', path: g.path, line: g.line, message });
    }
    // a dependency written twice (two swappable_dependency() settings naming models of one app) is said once
    const saidGraph = new Set<string>();
    // dependencies on an app of a package not in the environment: one info per app and reason, naming the
    // migrations (kitsune without its environment: 58 infos, one per migration, all following from "Django is not
    // installed")
    const onMissing = new Map<string, { code: Finding['code']; depApp: string; why: string; problems: typeof graphCheck.problems }>();
    for (const p of graphCheck.problems) {
      if (p.kind === 'inconsistent-history') continue;
      const said = `${p.kind}|${p.path}|${p.line}|${p.message}`;
      if (saidGraph.has(said)) continue;
      saidGraph.add(said);
      const code = p.kind === 'missing-dependency' || p.kind === 'unknown-app' || p.kind === 'no-migrations' ? 'missing-dependency' : 'migration-graph';
      // A dependency on an app whose package is not in the environment (Django itself, most often) follows from
      // that one finding above; an error per migration would blame the project for the environment.
      // The label of an entry that cannot be read is only a guess (AppConfig.label: wagtail.images is
      // "wagtailimages"): a dependency on a label no readable app has, while entries are missing, is theirs too.
      const depApp = p.missing ? p.missing.slice(0, p.missing.indexOf('.')) : '';
      const entries = [...notFound.values()];
      const why = !depApp ? undefined
        : notFound.has(depApp) ? `${notFound.get(depApp)} is not installed in the Python environment used`
          : entries.length && !index.apps.some(a => a.label === depApp)
            ? `an INSTALLED_APPS entry that is not installed in the Python environment used provides it: ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? `, … (${entries.length})` : ''}`
            // INSTALLED_APPS not read (apps-discovered): an app of the environment is not among the workspace's
            : index.apps.some(a => a.installed === 'discovered') && !index.apps.some(a => a.label === depApp)
              ? 'INSTALLED_APPS could not be read: only the workspace\'s apps are known, and this one may be installed from the environment'
              : undefined;
      if (why) {
        const key = `${code}\u0000${depApp}\u0000${why}`;
        const group = onMissing.get(key) ?? onMissing.set(key, { code, depApp, why, problems: [] }).get(key)!;
        group.problems.push(p);
        continue;
      }
      findings.push({ code, severity: 'error', path: p.path ?? null, line: p.line ?? null, migrations: p.migration ? [p.migration] : undefined, message: p.message });
    }
    for (const { code, depApp, why, problems } of onMissing.values()) {
      const [p] = problems;
      const keys = [...new Set(problems.map(x => x.migration).filter((k): k is string => !!k))];
      if (keys.length < 2) {
        for (const q of problems) findings.push({ code, severity: 'info', path: q.path ?? null, line: q.line ?? null, migrations: q.migration ? [q.migration] : undefined, message: `${q.message} (${why})` });
        continue;
      }
      findings.push({
        code, severity: 'info', path: p!.path ?? null, line: p!.line ?? null, migrations: keys,
        message: `${keys.length} migrations depend on app ${depApp}, not known (${why}): ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? `, … (${keys.length})` : ''}`,
      });
    }
    // the migration lints need the routers' routes (below); their findings keep their place in the list
    const lintsAt = findings.length;
    this.prefetch?.aliases();
    // (keyed by the migration files it reads, those that run code: an edit of any other migration reads nothing again)
    // (the same while the migrations and apps are: a walk of the benchmark project's 3,000 migrations after every edit)
    if (this.codeMigrations?.migrations !== index.migrations || this.codeMigrations.apps !== index.apps) {
      const external = new Set(index.apps.filter(a => a.external).map(a => a.label));
      const paths = index.migrations.filter(m => !external.has(m.app) && runsCode(m)).map(m => m.path);
      this.codeMigrations = { migrations: index.migrations, apps: index.apps, paths, key: paths.join('\u0000') };
    }
    const codeMigrations = this.codeMigrations.paths;
    findings.push(...this.memo('aliasNames', [index.apps, settings, this.codeMigrations.key], () => aliasNames(index.apps, settingsNow, codeMigrations),
      false, (prev, changed) => aliasNamesAgain(prev, settingsNow, changed)).findings);
    findings.push(...this.memo('routerShape', [modules, settings], () => routerShapeFindings(modules, settingsNow)));
    index.routersLine = this.memo('routersLine', [modules, settings], () => routersLine(modules, settingsNow));
    // where queries go: the routers' db_for_read / db_for_write run for every model, a result of its own (a router
    // edit inside allow_migrate runs none of them again: function-level dependencies, vfs `execReads`)
    const routesSeen = this.routersReadBodies.lints ? index.models : views;
    index.dbRoutes = this.memo('dbRoutes', [modules, settings, routesSeen, aliasKey, metaWrites], () => {
      const reads = classBodyReads();
      const routes = dbRoutesOf(modules, settingsNow, index.models);
      this.routersReadBodies.lints = classBodyReads() !== reads;
      return routes;
    }, true, undefined, (prev, prevKey) => {
      // some models changed (as the routers see them, or whole when the routers read class bodies): those routed alone
      if (prevKey[0] !== modules || prevKey[1] !== settings || prevKey[3] !== aliasKey) return null;
      // (a key of views where it was of models, or the other way round, changes every entry: everything is routed again)
      const changed = changedEntries(prevKey[2] as { key: string }[], routesSeen);
      if (changed.size * 2 > routesSeen.length) return null;
      const reads = classBodyReads();
      const routes = dbRoutesAgain(modules, settingsNow, index.models, prev, changed);
      if (classBodyReads() !== reads) this.routersReadBodies.lints = true;
      return routes;
    });
    findings.push(...this.memo('routerLints', [modules, settings, this.routersReadBodies.lints ? index.models : views, index.routing, index.dbRoutes, index.apps, aliasKey, metaWrites], () => routerLints(modules, settingsNow, index, twinsOf(index), index.dbRoutes!, index.routersLine ?? null), 'items'));
    findings.push(...this.memo('routedFallThrough', [index.routing, index.dbRoutes, aliasKey, settings], () => routedFallThroughFindings(index.routing, index.dbRoutes, ownDatabases(aliases, twinsOf(index))), 'items'));
    // (the lints read which classes are models: a key of the model labels, not the models array a models edit replaces)
    const modelLabels = index.models.map(m => m.key).join(',');
    findings.splice(lintsAt, 0, ...this.memo('lints', [index.apps, index.migrations, settings, index.routing, index.hintRouting, index.dbRoutes, aliasKey, !!this.opts.includeEnvironment, modelLabels, metaWrites],
      () => {
        // an alias that reaches the same physical database as another (a replica declared with the primary's URL) is
        // not a database a data migration can write to by mistake: counted as the one it is
        const twins = twinsOf({ settings: settingsNow, managePy: index.managePy, root: index.root });
        const distinct = settingsNow.databases.filter(d => aliases.includes(d.alias) && !twins.get(d.alias)?.sameAs);
        const lints = migrationLintFindings(index.apps, index.migrations, distinct, index.routing, !!this.opts.includeEnvironment, lintRoutes(index, aliases, modules, settingsNow, graphCheck.graph), index.models);
        // a project with one database, known for certain: a data migration's queries cannot reach another one
        // (Pontoon: 283 infos saying "not on the database being migrated" of the only database there is)
        return onlyDatabase(settingsNow) ? lints.filter(f => f.code !== 'runpython-alias') : lints;
      }));
    timings.findings = now() - t;
    // the migration ASTs kept for the lints that did not need them
    forgetKeptParses();
    if (s.lintCacheFile && lintCachesChanged()) this.writeCache(s.lintCacheFile, root, () => lintCachesChanged() ? exportLintCaches() : null);
    // last: the routing phase parses the routers' modules too
    if (moduleCacheFile) this.writeCache(moduleCacheFile, root, () => modules.exportParsed());
    return index;
  }

  /** Django's loader.migrated_apps / unmigrated_apps, so `__first__` on an unknown app is reported like Django. */
  private graphFacts: { migrations: MigrationFileInfo[]; key: object } | null = null;

  /**
   * An object that stays the same while the migrations' graph facts do (what the dependency graph and its problems
   * are made of: keys, paths, dependencies, run_before, replaces, a partial read), however their operations change.
   * The migrations of an edit are the earlier objects but for the edited files', so the check is one comparison each.
   */
  private graphFactsKey(migrations: MigrationFileInfo[]): object {
    const prev = this.graphFacts;
    const same = (a: MigrationFileInfo, b: MigrationFileInfo) => a === b || (a.app === b.app && a.name === b.name && a.path === b.path
      && !!a.partial === !!b.partial && sameValue(a.dependencies, b.dependencies) && sameValue(a.runBefore ?? [], b.runBefore ?? []) && sameValue(a.replaces, b.replaces));
    if (prev && (prev.migrations === migrations || (prev.migrations.length === migrations.length && migrations.every((m, i) => same(m, prev.migrations[i]!))))) {
      prev.migrations = migrations;
      return prev.key;
    }
    this.graphFacts = { migrations, key: {} };
    return this.graphFacts.key;
  }

  private graphOptions(index: ProjectIndex): GraphOptions {
    const migrated = new Set(index.migrations.map(m => m.app));
    return { migratedApps: migrated, unmigratedApps: index.apps.map(a => a.label).filter(l => !migrated.has(l)) };
  }

  private aliases(settings: SettingsInfo): string[] {
    const all = settings.databases.map(d => d.alias);
    const only = this.opts.databases;
    return only && only.length ? all.filter(a => only.includes(a)) : all;
  }

  /**
   * Read each alias's django_migrations and schema (read-only), compute Django's plan per alias, and compare what
   * each database holds with what routing and the applied migrations imply (core/drift.ts).
   */
  async readState(index: ProjectIndex, aliases?: string[]): Promise<ProjectIndex> {
    const next = await this.readApplied(index, aliases);
    if (!next.settings) return next;
    const wanted = aliases ?? this.aliases(next.settings);
    const t = now();
    const loc = next.settings.databases[0]?.loc;
    const drift = computeDrift({
      databases: next.settings.databases, models: next.models, routing: next.routing, lives: next.lives, reads: next.dbRoutes?.read, migrations: next.migrations,
      applied: Object.fromEntries(wanted.filter(a => next.applied[a]).map(a => [a, next.applied[a]!])), plans: next.plans,
      baseDir: next.managePy ? path.dirname(next.managePy) : next.root,
      knownApps: new Set(next.apps.filter(a => a.migrationsDir).map(a => a.label)),
      installedApps: next.settings.installedApps.every(e => e !== null) && next.apps.length === next.settings.installedApps.length ? new Set(next.apps.map(a => a.label)) : null,
      settingsLoc: { path: loc?.path ?? next.settings.path, line: loc?.line ?? null },
    });
    // the schemas were read for this comparison only: the index (sent to the extension host) keeps the summary
    const applied = { ...next.applied };
    for (const a of wanted) {
      const st = applied[a];
      if (st?.schema) { const { schema: _read, ...rest } = st; applied[a] = rest; }
    }
    return {
      ...next, applied, findings: [...next.findings, ...drift.findings], drift: { ...next.drift, ...drift.drift },
      timings: { ...next.timings, drift: now() - t },
    };
  }

  private async readApplied(index: ProjectIndex, aliases?: string[]): Promise<ProjectIndex> {
    if (!index.settings) return index;
    const t = now();
    const wanted = aliases ?? this.aliases(index.settings);
    const dbs: DatabaseSetting[] = index.settings.databases
      .filter(d => wanted.includes(d.alias))
      .map(d => {
        // a stored password goes only to the destination it was saved for (db/secret-binding.ts)
        const c = checkOverride(d, this.opts.connectionOverrides?.[d.alias]);
        if (c.stale) this.logger.warn(`stored password for '${d.alias}' not used: ${c.change}`);
        return { ...d, ...overrides(c.override) };
      });
    const baseDir = index.managePy ? path.dirname(index.managePy) : index.root;
    // the schema is read in the same read-only session, for drift (core/drift.ts)
    const schema = { countRows: strayCandidates(index.models, index.routing) };
    const inputs: StateReadInputs = { dbs, baseDir, countRows: schema.countRows, timeoutMs: this.opts.dbTimeoutMs ?? 5000 };
    // (the SQLite files' identities are taken before they are read: a write after the read then shows next time)
    const files: Record<string, string> = {};
    if (this.keepsOutput) {
      const at = Date.now();
      for (const d of dbs) { const id = sqliteFileIdentity(d, baseDir, at); if (id) files[d.alias] = id; }
    }
    const applied = await readAppliedAll(dbs, { timeoutMs: inputs.timeoutMs, baseDir, schema });
    // for the output cache (scanOutput) only: the schemas are not kept
    this.lastRead = this.keepsOutput
      ? { inputs, fingerprints: fingerprintsOf(applied), digests: Object.fromEntries(Object.entries(applied).map(([a, st]) => [a, digestOfState({ [a]: st })])), files }
      : null;
    const plans: Record<string, MigrationKey[] | null> = { ...index.plans };
    const state: Record<string, AppliedState> = { ...index.applied };
    const historyFindings: Finding[] = [];
    for (const alias of wanted) {
      const st = applied[alias];
      if (!st) continue;
      state[alias] = st;
      if (!st.reachable) { plans[alias] = null; continue; }
      const planned = migrationPlan(index.migrations, st.appliedKeys, this.graphOptions(index));
      plans[alias] = planned.plan;
      for (const p of planned.problems) {
        if (p.kind !== 'inconsistent-history') continue;
        historyFindings.push({ code: 'inconsistent-history', severity: 'error', path: p.path ?? null, line: p.line ?? null, alias, migrations: p.migration ? [p.migration] : undefined, message: `On '${alias}': ${p.message}` });
      }
    }
    const findings = index.findings.filter(f => !(STATE_CODES.has(f.code) && f.alias && wanted.includes(f.alias)));
    findings.push(...historyFindings);
    const subset = Object.fromEntries(Object.entries(state).filter(([a]) => wanted.includes(a)));
    findings.push(...onceEach({ ...index, plans }, stateFindings(subset, plans, index.settings, twinsOf(index))));
    return { ...index, applied: state, plans, findings, timings: { ...index.timings, databases: now() - t } };
  }
}

function overrides(o: ConnectionOverride | undefined): Partial<DatabaseSetting> {
  if (!o) return {};
  const r: Partial<DatabaseSetting> = {};
  if (o.host !== undefined) r.host = o.host;
  if (o.port !== undefined) r.port = o.port;
  if (o.user !== undefined) r.user = o.user;
  if (o.password !== undefined) r.password = o.password;
  if (o.name !== undefined) r.name = o.name;
  return r;
}

/**
 * Whether `alias`'s pending migrations count in totals: not when another alias that was read reaches the same
 * physical database or is the primary it mirrors (its pending list is that alias's, counted there).
 */
export function countsPending(index: Pick<ProjectIndex, 'settings' | 'managePy' | 'root' | 'plans'>, alias: string): boolean {
  const primary = primaryAlias(twinsOf(index), alias);
  return primary === alias || index.plans[primary] == null;
}

/** Findings without the `pending-migrations` of aliases whose pending list is counted on another alias. */
function onceEach(index: Pick<ProjectIndex, 'settings' | 'managePy' | 'root' | 'plans'>, findings: Finding[]): Finding[] {
  return findings.filter(f => f.code !== 'pending-migrations' || !f.alias || countsPending(index, f.alias));
}

/** Static index plus, when `readDatabases`, the state of every alias; then Django's answer when the mode asks. */
export async function scanProject(opts: ScanOptions): Promise<ProjectIndex> {
  const scanner = new Scanner(opts);
  let index = await scanner.index();
  if (opts.readDatabases) index = await scanner.readState(index);
  return withDjango(index, opts);
}

/**
 * `scanProject` for a caller that prints one output of it: `render(index)` (null: nothing to keep), or the output
 * printed by an earlier process for the same `key` (the caller's options) when nothing it was computed from has
 * changed (Scanner.cachedOutput; static mode with a cache folder only). `index` is null when answered so.
 */
export async function scanOutput(opts: ScanOptions, key: string, render: (index: ProjectIndex) => Uint8Array | null): Promise<{ output: Uint8Array | null; index: ProjectIndex | null; readAgain?: string[] }> {
  const scanner = new Scanner(opts);
  scanner.keepsOutput = true;
  const cached = await scanner.cachedOutput(key);
  if (cached !== null) return { output: cached, index: null, readAgain: scanner.readAgain };
  let index = await scanner.index();
  if (opts.readDatabases) index = await scanner.readState(index);
  index = await withDjango(index, opts);
  const output = render(index);
  if (output !== null) scanner.saveOutput(key, output, !!opts.readDatabases);
  return { output, index };
}

/**
 * Django mode (issue "Ask Django itself"): replace static facts by Django's where it answers, keep the static
 * ones otherwise, and record every disagreement. Never throws: a failure becomes a finding (mode django) or an
 * info with the reason (mode auto).
 */
export async function withDjango(index: ProjectIndex, opts: ScanOptions): Promise<ProjectIndex> {
  const requested = opts.mode ?? 'static';
  if (requested === 'static') return { ...index, mode: { requested, used: 'static', reason: null, failure: null } };
  const fallback = (reason: string, failure: string): ProjectIndex => {
    const finding: Finding = {
      code: 'django-unavailable', severity: requested === 'django' ? 'error' : 'info', path: index.managePy, line: null,
      message: `Django's own answer is not available (${reason}); showing the static analysis.`,
    };
    return { ...index, findings: [...index.findings, finding], mode: { requested, used: 'static', reason, failure } };
  };
  if (!opts.allowPython) return fallback('running the project\'s Python is not allowed here', 'not-allowed');
  if (!index.settings?.module) return fallback('no settings module', 'no-settings');
  const { runDjangoHelper, mergeDjangoAnswer } = await import('./django');
  const { findInterpreter, insideWorkspace } = await import('./env/python-env');
  const projectDir = index.managePy ? path.dirname(index.managePy) : index.root;
  const processEnv = opts.env ?? process.env;
  const workspace = opts.workspaceRoot ?? index.root;
  const found = opts.python ? null : findInterpreter({ root: projectDir, workspaceRoot: workspace, env: processEnv });
  const interp = opts.python ?? found?.interpreter ?? null;
  if (!interp) return fallback('no Python interpreter found', 'no-interpreter');
  if (found && !opts.runWorkspaceInterpreter && insideWorkspace(found, [projectDir, workspace])) {
    return fallback(`${found.interpreter} lives inside the project and is run only when chosen explicitly (--python)`, 'not-allowed');
  }
  const envFile = opts.envFile === undefined ? envFileOf(projectDir) : opts.envFile;
  const t = now();
  // Django reads the files on disk: what `index` read from unsaved buffers is newer than its answer
  // (not the buffer of a warm-up step under way: its text is the file's own, plus a newline)
  const unsaved = new Set([...overlaidFiles()].filter(f => !WARMING.has(f)));
  const answer = await runDjangoHelper({
    root: index.root, managePy: index.managePy, python: interp, settingsModule: index.settings.module,
    // the helper sees what manage.py would: the process environment over the project's env file
    // (django-configurations: the class the static reading used: --configuration, else the environment's, else
    // manage.py's default)
    env: { ...projectEnvironment(processEnv, readEnvFile(envFile, opts.logger, processEnv)), ...(index.settings.configuration ? { DJANGO_CONFIGURATION: index.settings.configuration } : {}) },
    timeoutMs: opts.djangoTimeoutMs, readDatabases: !!opts.readDatabases,
    databases: opts.databases ?? null, logger: opts.logger, signal: opts.signal,
    secrets: secretsOfDatabases(index.settings.databases), whenIdle: opts.whenIdle, lowPriority: opts.lowPriority,
    importRoots: importRootOf(index.root, index.settings.path, index.settings.module),
  });
  if (!answer.ok) {
    // mode auto falls back to the static answer (an info finding says why): a warning, its traceback with --verbose
    if (requested === 'django') opts.logger?.error(`Django helper failed (${answer.reason}): ${answer.message}\n${answer.traceback ?? ''}`);
    else {
      opts.logger?.warn(`Django helper failed (${answer.reason}): ${answer.message}; the static analysis is shown`);
      if (answer.traceback) opts.logger?.debug(answer.traceback);
    }
    return fallback(`${answer.reason}: ${answer.message}`, answer.reason);
  }
  await opts.whenIdle?.();
  const merged = mergeDjangoAnswer(index, answer, { unsaved }).index;
  merged.findings = onceEach(merged, merged.findings);
  // Django's app registry is the truth: nothing it lists is "discovered", and the fallback's finding is moot
  if (merged.apps.some(a => a.installed)) {
    merged.apps = merged.apps.map(({ installed: _discovered, ...a }) => a);
    merged.findings = merged.findings.filter(f => f.code !== 'apps-discovered');
  }
  if (merged.django) merged.django.report = answer.report;
  return { ...merged, mode: { requested, used: 'django', reason: null, failure: null }, timings: { ...merged.timings, django: now() - t } };
}

/**
 * `unmigrated-models`: a workspace app with models and no migrations (Django's loader.unmigrated_apps). `migrate`
 * creates none of their tables, wherever `allow_migrate` lets them live; only `migrate --run-syncdb` does
 * (edx-analytics-data-api's v0 app: its CI runs --run-syncdb, a deployment following the plan would not).
 */
function unmigratedModelFindings(index: ProjectIndex, aliases: string[]): Finding[] {
  const withMigrations = new Set(index.migrations.map(m => m.app));
  const out: Finding[] = [];
  for (const app of index.apps) {
    if (app.external || withMigrations.has(app.label)) continue;
    const models = index.models.filter(m => m.app === app.label && !m.abstract && m.managed && !m.proxy && !m.swapped);
    if (!models.length) continue;
    const keys = new Set(models.map(m => m.key));
    // where the routers let them live, and where they may (routing not known statically: said as such)
    const sure = aliases.filter(a => index.routing.some(d => d.alias === a && keys.has(d.model) && d.migrate === true));
    const maybe = aliases.filter(a => !sure.includes(a) && index.routing.some(d => d.alias === a && keys.has(d.model) && d.migrate === null));
    if (!sure.length && !maybe.length) continue;
    const first = models[0]!;
    const n = models.length;
    const list = (xs: string[]) => xs.map(a => `'${a}'`).join(', ');
    const them = n === 1 ? 'it' : 'them';
    const where = sure.length
      ? `on ${list(sure)}, where the routers let ${them} live${maybe.length ? ` (and maybe on ${list(maybe)}: the routing there is not known statically)` : ''}`
      : `wherever the routers let ${them} live (maybe ${list(maybe)}: the routing is not known statically)`;
    // a migrations package holding only __init__.py: migration files kept out of the repository (QueueMe's .gitignore
    // has `**/migrations/*.py`), made where the project is deployed
    const listing = app.migrationsDir ? readDir(app.migrationsDir) : null;
    const onlyInit = !!listing?.some(e => e.name === '__init__.py') && !listing.some(e => e.isFile() && e.name.endsWith('.py') && e.name !== '__init__.py');
    out.push({
      code: 'unmigrated-models', severity: 'warning', path: first.loc.path, line: first.loc.line, app: app.label,
      message: `App '${app.label}' has no migrations${onlyInit ? ' (its migrations package holds only __init__.py: are its migration files kept out of version control, made where the project is deployed?)' : ''}: \`migrate\` creates none of its ${n} table${n === 1 ? '' : 's'} (${models.slice(0, 3).map(m => m.name).join(', ')}${n > 3 ? ', …' : ''}) ${where}; only \`migrate --run-syncdb\` does. Run makemigrations ${app.label}, or deploy with --run-syncdb.`,
    });
  }
  return out;
}

/** Operations whose effect on the migration state the static reading knows: anything else may create a model. */
const STATE_KNOWN_OPS = new Set([
  'CreateModel', 'DeleteModel', 'AlterModelTable', 'AlterModelTableComment', 'AlterUniqueTogether', 'AlterIndexTogether',
  'AlterOrderWithRespectTo', 'AlterModelOptions', 'AlterModelManagers', 'AddField', 'RemoveField', 'AlterField', 'RenameField',
  'AddIndex', 'RemoveIndex', 'RenameIndex', 'AddConstraint', 'RemoveConstraint', 'AlterConstraint', 'RunPython', 'RunSQL',
]);

/**
 * `missing-migration`, statically: a model of a workspace app whose migrations create no model of its name
 * (informal-system's DitLegacyExamResult: `makemigrations` would write its CreateModel; `migrate` creates no table
 * for it anywhere). Only where every migration of the app was read whole and holds only operations whose effect on
 * the state is known (no RenameModel, SeparateDatabaseAndState, custom operation); a model named by a DeleteModel,
 * or read from a base that could not be resolved, is left out. Django mode computes the exact list instead.
 */
function uncreatedModelFindings(index: ProjectIndex, guessedAt: Set<string>, prev?: UncreatedModels): UncreatedModels {
  const out: Finding[] = [];
  const byApp = new Map<string, MigrationFileInfo[]>();
  for (const m of index.migrations) (byApp.get(m.app) ?? byApp.set(m.app, []).get(m.app)!).push(m);
  // (grouped once: per app over every model was 150 × 1,500 steps per edit on the benchmark project)
  const modelsOf = new Map<string, ModelInfo[]>();
  for (const m of index.models) (modelsOf.get(m.app) ?? modelsOf.set(m.app, []).get(m.app)!).push(m);
  const perApp = new Map<string, UncreatedOfApp>();
  for (const app of index.apps) {
    if (app.external) continue;
    const migs = byApp.get(app.label) ?? [];
    const models = modelsOf.get(app.label);
    if (!models || !migs.length || migs.some(m => m.partial)) continue;
    // an app whose models and migrations are the objects they were (and none of its models newly guessed): its
    // findings as they were (issue 11: every operation of 3,000 migrations was read again after each keystroke)
    const guessed = guessedAt.size ? models.filter(m => guessedAt.has(`${m.loc.path}:${m.loc.line}`)).map(m => m.key).join('\n') : '';
    const was = prev?.perApp.get(app.label);
    if (was && was.guessed === guessed && sameElements(was.models, models) && sameElements(was.migs, migs)) {
      perApp.set(app.label, was);
      out.push(...was.findings);
      continue;
    }
    const mine = uncreatedOfApp(app.label, models, migs, guessedAt);
    perApp.set(app.label, { models, migs, guessed, findings: mine });
    out.push(...mine);
  }
  return { findings: out, perApp };
}

interface UncreatedOfApp { models: ModelInfo[]; migs: MigrationFileInfo[]; guessed: string; findings: Finding[] }
interface UncreatedModels { findings: Finding[]; perApp: Map<string, UncreatedOfApp> }

/** `uncreatedModelFindings` of one app: its models that none of its migrations creates. */
function uncreatedOfApp(label: string, models: ModelInfo[], migs: MigrationFileInfo[], guessedAt: Set<string>): Finding[] {
  const named = new Set<string>();
  for (const m of migs) {
    for (const o of m.operations) {
      const creates = o.kind === 'CreateModel' || o.kind === 'DeleteModel';
      if (!STATE_KNOWN_OPS.has(o.kind) || (creates && !o.modelName)) return [];
      if (creates) named.add(o.modelName!);
    }
  }
  const out: Finding[] = [];
  for (const m of models) {
    if (m.abstract || named.has(m.modelName) || guessedAt.has(`${m.loc.path}:${m.loc.line}`)) continue;
    out.push({
      code: 'missing-migration', severity: 'warning', path: m.loc.path, line: m.loc.line, app: label, model: m.key,
      message: m.proxy
        // (a proxy has no table: its CreateModel only enters the migration state; makemigrations --check fails)
        ? `No migration of '${label}' creates the proxy ${m.name}: \`makemigrations ${label}\` would write its CreateModel (no table: it only records the proxy in the migration state), and \`makemigrations --check\` fails until then.`
        : `No migration of '${label}' creates ${m.name}: \`makemigrations ${label}\` would write its CreateModel, and until then \`migrate\` creates its table on no database.`,
    });
  }
  return out;
}

/** @internal (tests, benchmarks) how many migrations fallThroughFindings routed again, not taken from its memo */
export const FALL_THROUGH_STATS = { migrationsRouted: 0 };
/**
 * What fallThroughFindings found per migration object, with what every migration's findings read besides it: the
 * models a router denies per app and alias (`denied`, from the routing and the models), the hint routing, the aliases.
 * A migration edit reads again only the edited migrations (it was every RunPython of every app a router denies
 * somewhere, routed again, after each edit); a routing edit that leaves an app's denied models as they were (a new
 * model, most router edits) routes none of that app's migrations again: each keeps what it found with the app's
 * `denied` entry it was found with, and an entry equal to the last one is that very object.
 */
let fallThroughMemo: {
  routes: unknown[]; denied: Map<string, Map<string, string>>;
  hints: unknown[]; byMigration: WeakMap<MigrationFileInfo, { byAlias: Map<string, string>; found: Finding[] }>;
} | undefined;

/**
 * The migrations with an operation fallThroughFindings routes, per migrations array (a models or router edit keeps the
 * array: no walk of the benchmark project's 3,000 migrations and their operations after each)
 */
const ROUTES_CODE = new WeakMap<readonly MigrationFileInfo[], MigrationFileInfo[]>();
function migrationsRoutingCode(migrations: readonly MigrationFileInfo[]): MigrationFileInfo[] {
  let r = ROUTES_CODE.get(migrations);
  if (!r) ROUTES_CODE.set(migrations, (r = migrations.filter(m => m.operations.some(o => o.kind === 'RunPython' || o.kind === 'RunSQL' || o.kind === 'SeparateDatabaseAndState'))));
  return r;
}

/**
 * RunPython/RunSQL that run on an alias only because every router returned None (they give the routers no
 * model_name or hints to decide by), where a router keeps a model of the same app off that alias: the classic
 * data migration that writes to `default` (and every other alias) while the app's tables live elsewhere.
 */
function fallThroughFindings(index: ProjectIndex, aliases: string[]): Finding[] {
  if (!index.settings?.routers.length) return [];
  const routes = [index.routing, index.models];
  // (what RunPython and RunSQL are routed by: the hint routing, on the aliases; OperationRouter routeOne)
  const hints = [index.hintRouting, aliases.join('\u0000')];
  const last = fallThroughMemo;
  let denied = last?.denied;
  if (!last || !sameElements(last.routes, routes)) {
    // app → alias → a model of the app that a router denies there
    denied = new Map<string, Map<string, string>>();
    const modelApp = new Map(index.models.map(m => [m.key, m.app]));
    for (const d of index.routing) {
      if (d.reason !== 'router' || d.migrate !== false) continue;
      const app = modelApp.get(d.model);
      if (!app) continue;
      let byAlias = denied.get(app);
      if (!byAlias) denied.set(app, (byAlias = new Map()));
      if (!byAlias.has(d.alias)) byAlias.set(d.alias, d.model);
    }
    if (last) for (const [app, byAlias] of denied) {
      const was = last.denied.get(app);
      // (equal as maps: what a migration's findings read of it is `has` and `get` per alias)
      if (was && sameValue(was, byAlias)) denied.set(app, was);
    }
  }
  const byMigration = last && sameElements(last.hints, hints) ? last.byMigration : new WeakMap();
  fallThroughMemo = { routes, denied: denied!, hints, byMigration };
  let router: ReturnType<typeof operationRouterOf> | undefined;
  const out: Finding[] = [];
  for (const m of migrationsRoutingCode(index.migrations)) {
    const byAlias = denied!.get(m.app);
    if (!byAlias) continue;
    const hit = byMigration.get(m);
    if (hit && hit.byAlias === byAlias) { out.push(...hit.found); continue; }
    FALL_THROUGH_STATS.migrationsRouted++;
    const mine: Finding[] = [];
    for (const o of (router ??= operationRouterOf(index)).route(m, aliases)) {
      if (o.kind !== 'RunPython' && o.kind !== 'RunSQL') continue;
      const fell = o.routes.filter(r => r.runs === true && r.reason === 'default' && byAlias.has(r.alias)).map(r => r.alias);
      if (!fell.length) continue;
      const models = [...new Set(fell.map(a => byAlias.get(a)!))];
      mine.push({
        code: 'operation-fall-through', severity: 'info', path: m.path, line: o.line ?? null, app: m.app, migrations: [m.key],
        message: `${o.kind} in ${m.key} runs on ${fell.join(', ')} only because every router returned None (it gives them no model_name or hints to decide by), while the routers keep ${models.join(', ')} off ${fell.length === 1 ? 'that database' : 'those databases'}: if its code uses ${models.length === 1 ? 'that model' : 'those models'}, it runs where ${models.length === 1 ? 'its table is' : 'their tables are'} not. Give it hints (e.g. hints={"target_db": "…"}) that a router reads, or a rule for app_label '${m.app}'.`,
      });
    }
    byMigration.set(m, { byAlias, found: mine });
    out.push(...mine);
  }
  return out;
}

/**
 * What the migration lints ask of the routing (lints/runpython.ts LintRoutes): where a RunPython runs (its
 * operation's routes), where a model's reads and writes go (the historical model's db_for_read / db_for_write),
 * where its table is.
 */
function lintRoutes(index: ProjectIndex, aliases: string[], modules: ModuleIndex, settings: SettingsInfo, graph: MigrationGraph): LintRoutes {
  const router = operationRouterOf(index);
  const lower = (k: string) => k.toLowerCase();
  // (made when a lint first asks: most runs of the lints ask nothing of them, and the routing has a row per model and
  // alias, thousands on a large project)
  let decisionsMade: Map<string, boolean | null> | undefined;
  let byKeyMade: Map<string, ModelInfo> | undefined;
  const decisions = () => (decisionsMade ??= new Map(index.routing.map(d => [`${d.alias} ${lower(d.model)}`, d.migrate])));
  const byKey = () => (byKeyMade ??= new Map(index.models.map(m => [lower(m.key), m])));
  // RunPython code queries historical models (apps.get_model): routed as such, asked for the models the lints name
  type Among = { of: string[]; random: boolean };
  const routes = new Map<string, { read: string | null; write: string | null; why: string | null; readOf?: Among; writeOf?: Among }>();
  // a model as RunPython code names it: `auth.User` stands for AUTH_USER_MODEL
  const labelOf = (model: string) => isUserModelLabel(model) ? settings.authUserModel : model;
  const routeKey = (model: string, migrating: string | null) => `${lower(labelOf(model))}\0${migrating ?? ''}`;
  // the migrations each migration comes after, itself included (Django's forwards_plan: `__first__`, swappable
  // dependencies and run_before as Django links them), for models only the migrations have; empty: not in the graph
  const plans = new Map<string, ReadonlySet<string>>();
  const upTo = (at: string): ReadonlySet<string> => {
    let out = plans.get(at);
    if (!out) plans.set(at, (out = new Set(graph.forwardsPlan(at))));
    return out;
  };
  // a model only the migrations have is made of the migrations before the one asking (`at`): kpi.0026's Collection,
  // deleted in 0030, is not made unknown by 0074's operations built at run time; its routes are kept per asking migration
  const entryOf = (model: string, migrating: string | null, at: string | undefined) => {
    const label = labelOf(model);
    const known = byKey().get(lower(label));
    return { label, known, key: known || at === undefined ? routeKey(model, migrating) : `${routeKey(model, migrating)}\0${at}` };
  };
  const historicalChoice = (model: string, access: 'read' | 'write' | 'both', migrating: string | null = null, at?: string): string | null => {
    // one of several models: `a.X / a.Y` (a loop over them), or `app.*` (a model of the app not known statically):
    // the choice each of them gets, if they all get the same one
    const several = oneOfModels(model);
    if (several) {
      const of = several.map(x => historicalChoice(x, access, migrating, at));
      return of.length && of.every(x => x !== null && x === of[0]) ? of[0]! : null;
    }
    const { label, known, key } = entryOf(model, migrating, at);
    let got = routes.get(key);
    if (!got) {
      // a model only the migration state has (deleted or renamed since: HOPE's targeting.TargetingCriteria), or one
      // of an app not read: the historical model is asked about by its label, as RunPython code has it
      const dot = label.indexOf('.');
      const before = at === undefined ? null : upTo(at);
      const m = known ?? (dot > 0 && !label.includes(' ') ? stateOnlyModel(label.slice(0, dot), label.slice(dot + 1), settings, before?.size ? index.migrations.filter(x => before.has(x.key)) : index.migrations) : undefined);
      got = { read: null, write: null, why: null };
      if (m && !m.abstract && !m.swapped) {
        const r = evaluateDbRoutes(modules, settings, index.models, 'db_for_read', { historical: true, only: [m], migrating })[0];
        const w = evaluateDbRoutes(modules, settings, index.models, 'db_for_write', { historical: true, only: [m], migrating })[0];
        got.read = r?.alias ?? null;
        got.write = w?.alias ?? null;
        // one of some aliases chosen at run time (corpora: random.choice(list(settings.DATABASES)))
        const among = (x: typeof r): Among | undefined => x && x.alias === null && x.choices?.length ? { of: x.choices, random: /at random/.test(x.explanation ?? '') } : undefined;
        got.readOf = among(r);
        got.writeOf = among(w);
        const cannot = [r, w].find(x => x && x.alias === null && /^router .* cannot be evaluated: /.test(x.explanation ?? ''));
        if (cannot) got.why = `${cannot.explanation}: where it is installed it decides`;
      }
      routes.set(key, got);
    }
    // a read goes where db_for_read sends it, a write where db_for_write does (bustimes: reads round-robin over
    // replicas, writes to default)
    return access === 'read' ? got.read : access === 'write' ? got.write : got.read !== null && got.read === got.write ? got.read : null;
  };
  const twins = twinsOf(index);
  return {
    sameAs: alias => twins.get(alias)?.sameAs ?? null,
    runsOn: (m, line) => {
      const ops = router.route(m, aliases).filter(o => o.kind === 'RunPython' && o.line === line);
      return ops.length === 1 ? ops[0]!.routes.filter(r => r.runs !== false).map(r => r.alias) : null;
    },
    choice: historicalChoice,
    choices: (model, access, migrating = null, at) => {
      if (historicalChoice(model, access, migrating, at) !== null || oneOfModels(model)) return null;
      const got = routes.get(entryOf(model, migrating, at).key);
      return (access === 'read' ? got?.readOf : access === 'write' ? got?.writeOf : undefined) ?? null;
    },
    unreadable: (model, access, migrating = null, at) => {
      historicalChoice(model, access, migrating, at);
      return routes.get(entryOf(model, migrating, at).key)?.why ?? null;
    },
    migrates: (model, alias) => {
      // one of several models (`a.X / a.Y`): the same answer for each, else not known
      if (!model.includes(' / ')) return migratesOne(model, alias);
      const of = model.split(' / ').map(x => migratesOne(x, alias));
      return of.every(x => x === of[0]) ? of[0]! : null;
    },
    routers: settings.routers.length > 0,
    userModel: settings.authUserModel,
  };

  /** The models a lint's `a.X / a.Y` or `app.*` stands for (lints/runpython.ts modelLabel); null for one model. */
  function oneOfModels(model: string): string[] | null {
    if (model.includes(' / ')) return model.split(' / ');
    if (model.endsWith('.*')) return index.models.filter(m => m.app === model.slice(0, -2) && !m.abstract && !m.swapped).map(m => m.key);
    return null;
  }

  function migratesOne(model: string, alias: string): boolean | null {
    // a proxy's table is its concrete model's; an unmanaged or swapped model's is not made by migrations at all
    let key = lower(labelOf(model));
    const m = byKey().get(key);
    if (m?.proxy) { if (!m.concreteModel) return null; key = lower(m.concreteModel); }
    const c = byKey().get(key);
    if (c && (!c.managed || c.swapped)) return null;
    return decisions().get(`${alias} ${key}`) ?? null;
  }
}

/** The operations that give a model's historical class attributes (MigrationOperationInfo.names). */
const GIVES_ATTRIBUTES = new Set(['CreateModel', 'AddField', 'RenameField', 'AlterModelManagers']);

/**
 * A model known only by its label (from the migration state): what a router can be asked about it. Its historical
 * class has the attributes its app's migrations gave it (MigrationOperationInfo.names), when all are read: a
 * CreateModel of it, nothing that renames a model to it, no state operations not read, no migration of the app read
 * in part.
 */
function stateOnlyModel(app: string, name: string, settings: SettingsInfo, migrations: readonly MigrationFileInfo[]): ModelInfo {
  const lowerName = name.toLowerCase();
  const names = new Set<string>();
  const mixins: { path: string; base: A.Expr }[] = [];
  let created = false;
  let known = true;
  for (const mig of migrations) {
    if (mig.app !== app) continue;
    if (mig.partial) { known = false; continue; }
    // what changes the state in a way not read: state operations, a rename to it, an operation a reading does not know
    if (mig.operations.some(op => op.kind === 'SeparateDatabaseAndState' || op.stateOperations || !knownOperationKind(op.kind) || (op.kind === 'RenameModel' && (op.renamedTo === lowerName || op.renamedTo == null)))) known = false;
    if (!mig.operations.some(op => op.modelName === lowerName && GIVES_ATTRIBUTES.has(op.kind))) continue;
    // (a scan reads each operation's model only: the names are read from these files in full, when a lint asks)
    const ops = operationsReadInFull(mig, settings);
    if (!ops) { known = false; continue; }
    for (const op of ops) {
      if (op.modelName !== lowerName || op.names === undefined) continue;
      if (op.kind === 'CreateModel') {
        created = true;
        for (const base of op.mixins ?? []) mixins.push({ path: mig.path, base });
      }
      if (op.names === null) known = false;
      else for (const n of op.names) names.add(n);
    }
  }
  return {
    app, name, key: `${app}.${name}`, managed: true, proxy: false, abstract: false, swapped: false, table: `${app}_${lowerName}`,
    modelName: lowerName, loc: { path: settings.path ?? '', line: 1 }, bases: [], fields: [], attrs: {}, meta: {},
    ...(created && known ? { historicalNames: [...names], ...(mixins.length ? { historicalMixins: mixins } : {}) } : {}),
  };
}

/** The aliases the index routed (the --database selection), in settings order. */
export function routedAliases(index: ProjectIndex): string[] {
  const seen = new Set(index.routing.map(d => d.alias));
  const all = (index.settings?.databases ?? []).map(d => d.alias);
  return seen.size ? all.filter(a => seen.has(a)) : all;
}

/** Where each operation runs (docs/scan-json.md `operations`): kind, model, line and one route per alias. */
function reportOperations(index: ProjectIndex): NonNullable<ScanReport['operations']> {
  const router = operationRouterOf(index);
  const aliases = routedAliases(index);
  const out: NonNullable<ScanReport['operations']> = [];
  for (const m of index.migrations) {
    for (const o of router.route(m, aliases)) {
      out.push({
        migration: o.migration, index: o.index, kind: o.kind, ...(o.model ? { model: o.model } : {}), ...(o.line ? { line: o.line } : {}),
        routes: o.routes.map(r => ({ alias: r.alias, runs: r.runs, reason: r.reason, decidedBy: r.decidedBy })),
      });
    }
  }
  return out;
}

/** The public `scan --json` shape (scan-json.md): paths relative to the root, no passwords, no internals. */
export function toReport(index: ProjectIndex): ScanReport {
  // Thousands of paths, most of them repeated (one models.py per app): memoised, since path.relative is slow.
  const relMemo = new Map<string, string>();
  const prefix = index.root.endsWith(path.sep) ? index.root : index.root + path.sep;
  const rel = (p: string | null | undefined): string => {
    if (!p) return '';
    let out = relMemo.get(p);
    if (out === undefined) {
      // a normalised path below the root: path.relative would return the rest as it is
      const rest = p.startsWith(prefix) ? p.slice(prefix.length) : null;
      const r = rest && !/(^|[\\/])\.\.?([\\/]|$)|[\\/]{2}|[\\/]$/.test(rest) ? rest : path.relative(index.root, p);
      out = r.startsWith('..') || path.isAbsolute(r) ? toPosix(p) : toPosix(r);
      relMemo.set(p, out);
    }
    return out;
  };
  const s = index.settings;
  const concrete = index.models.filter(m => !m.abstract);
  const modelLoc = new Map(concrete.map(m => [m.key, m.loc]));
  return withAppsAndTwins({
    version: 1,
    project: { root: index.root, settingsModule: s?.module ?? null, managePy: index.managePy ? rel(index.managePy) : null, ...(s?.notFound ? { settingsFound: false as const } : {}), ...(s?.configuration ? { configuration: s.configuration } : {}) },
    ...(s?.partial?.length || s?.unreadable?.length ? {
      settings: {
        partial: (s.partial ?? []).map(p => ({ name: p.name, reason: p.reason, path: p.loc ? rel(p.loc.path) : null, line: p.loc?.line ?? null })),
        ...(s.unreadable?.length ? { unreadable: [...s.unreadable] } : {}),
      },
    } : {}),
    databases: (s?.databases ?? []).map(d => ({ alias: d.alias, engine: d.engine, name: d.name })),
    routers: (s?.routers ?? []).filter((r): r is string => typeof r === 'string'),
    models: concrete.map(m => ({ app: m.app, name: m.name, managed: m.managed, proxy: m.proxy, table: m.table, path: rel(m.loc.path), line: m.loc.line })),
    routing: index.routing.map(d => {
      const loc = d.loc ?? modelLoc.get(d.model);
      return {
        alias: d.alias, model: d.model, migrate: d.migrate, decidedBy: d.decidedBy, reason: d.reason,
        ...(d.loc ? { path: rel(loc?.path), line: loc?.line } : {}), ...(d.source ? { source: d.source } : {}),
      };
    }),
    migrations: index.migrations.map(m => ({
      app: m.app, name: m.name, path: rel(m.path), dependencies: m.dependencies, replaces: m.replaces, initial: m.initial,
      // (read whole and without a single operation: applying it records it and runs nothing, on every database)
      ...(m.operations.length === 0 && !m.partial ? { noOperations: true as const } : {}),
    })),
    operations: reportOperations(index),
    ...(index.dbRoutes ? { dbRoutes: reportDbRoutes(index.dbRoutes, rel) } : {}),
    status: Object.fromEntries(Object.values(index.applied).map(a => [a.alias, { reachable: a.reachable, applied: a.applied, error: a.error }])),
    plan: { ...index.plans },
    ...(index.drift && Object.keys(index.drift).length ? { drift: index.drift } : {}),
    diagnostics: index.findings.map(f => ({ ...f, path: f.path ? rel(f.path) : null, ...(f.envFile ? { envFile: rel(f.envFile) } : {}) })),
    ...(index.mode ? {
      source: {
        mode: index.mode.used,
        requested: index.mode.requested,
        reason: index.mode.reason,
        routing: index.mode.used,
        plan: Object.fromEntries(Object.keys(index.plans).map(a => [a, index.django?.planSource[a] ?? 'static'])),
      },
    } : {}),
    ...(index.django ? {
      disagreements: index.django.disagreements.map(d => ({ ...d, path: d.path ? rel(d.path) : undefined })),
    } : {}),
  }, index, rel);
}

/**
 * The workspace folder a settings module was found under (`python/` for nav.django.settings at
 * python/nav/django/settings.py), as a list for the Django helper's path; none outside the workspace.
 */
function importRootOf(root: string, file: string | null, module: string | null): string[] {
  if (!file || !module) return [];
  const rel = module.split('.').join(path.sep);
  const base = file.endsWith(`${path.sep}__init__.py`) ? file.slice(0, -`${path.sep}__init__.py`.length) : file.replace(/\.py$/, '');
  if (!base.endsWith(`${path.sep}${rel}`)) return [];
  const dir = base.slice(0, -rel.length - 1);
  const inside = path.relative(root, dir);
  return inside.startsWith('..') || path.isAbsolute(inside) ? [] : [dir];
}

/**
 * Issue 7's additions to the report: the aliases that reach the same physical database or mirror another
 * (`databases[].sameAs` / `mirrorOf`), and the apps read, with `installed: "discovered"` for the fallback's.
 */
function withAppsAndTwins(report: ScanReport, index: ProjectIndex, rel: (p: string) => string): ScanReport {
  const twins = twinsOf(index);
  for (const d of report.databases) {
    const t = twins.get(d.alias);
    if (t?.sameAs) d.sameAs = t.sameAs;
    if (t?.mirrorOf) {
      d.mirrorOf = t.mirrorOf;
      d.mirrorBy = t.mirrorBy ?? 'TEST["MIRROR"]';
    }
  }
  report.apps = index.apps.map(a => ({ label: a.label, module: a.module, path: a.dir ? rel(a.dir) : null, external: a.external, installed: a.installed ?? true }));
  return report;
}

/** The password of a URL (`postgres://user:secret@host/db`), if any. */
function urlPassword(v: string): string | null {
  try {
    return decodeURIComponent(new URL(v).password) || null;
  } catch {
    return null;
  }
}

/** What a settings module read gives, in the few facts the settings and env-file choices show. */
function settingsReads(s: SettingsInfo): SettingsChoice['reads'] {
  return {
    databases: s.databases.map(d => ({ alias: d.alias, engine: d.engine })),
    routers: s.routers.map(r => r ?? '?'),
    installedApps: s.installedApps.length,
    ...(s.databasesNotConfigured ? { notConfigured: s.databasesNotConfigured.kind } : {}),
    ...(s.notFound ? { notFound: true as const } : {}),
    ...(s.unreadable?.includes('DATABASES') ? { databasesUnknown: true as const } : {}),
    ...(s.unreadable?.includes('DATABASE_ROUTERS') ? { routersUnknown: true as const } : {}),
  };
}

/**
 * Whether the settings name exactly one database and nothing can add another: DATABASES read whole (not partial, not
 * set differently under environment variables unset here, readable, from settings that exist).
 */
function onlyDatabase(settings: SettingsInfo): boolean {
  return settings.databases.length === 1 && !settings.notFound && !settings.unreadable?.includes('DATABASES')
    && !settings.partial?.some(p => p.name === 'DATABASES') && !settings.envDependent?.some(e => e.settings.includes('DATABASES') && !e.optionsOnly)
    && !settings.unknowns.some(u => u.name === 'Any setting' || u.name === '*' || u.name.split(', ').includes('DATABASES'));
}

/**
 * The settings as `env` gives them; where DATABASES cannot be read so (an exception, or nothing configured) and the
 * project's containers or CI set variables the settings read that are not set here, as those values give them, when
 * DATABASES can be read then (NetBox: NETBOX_CONFIGURATION names the configuration module, whose default is the
 * deployer's own file; its CI sets netbox.configuration_testing). `deployEnv` says so.
 */
function loadSettingsOrAsDeployed(modules: ModuleIndex, module: string, env: Record<string, string | undefined>, opts: LoadSettingsOptions, dirs: string[],
  envFiles: readonly EnvFileCandidate[] = [], envFile: string | null = null): SettingsInfo {
  const reads: EnvReads = {};
  const first = loadSettings(modules, module, recordingEnv(env, reads), opts);
  // (or no alias's ENGINE known for variables not set: cookiecutter-django's `env.db("DATABASE_URL")`, set by the
  // Compose env file .envs/.local/.postgres)
  const noEngine = (s: SettingsInfo) => s.databases.length > 0 && s.databases.every(d => d.engine === null) && !!s.unsetDatabaseEnv?.length;
  const unread = (s: SettingsInfo) => !!s.unreadable?.includes('DATABASES') || !!s.databasesNotConfigured || noEngine(s);
  if (first.notFound || !unread(first)) return first;
  const dbVars = new Set([...first.unsetDatabaseEnv ?? [], ...first.databasesNotConfigured?.unsetEnv ?? []]);
  const before = first.unreadable?.includes('DATABASES') ? 'unreadable' as const : first.databasesNotConfigured?.kind ?? 'no-engine';
  // (over `env`, not a copy of it: spreading the recording environment would count every variable as read)
  const over = (given: ReadonlyMap<string, { value: string; file: string }>, vars: string[]) =>
    Object.assign(Object.create(env) as Record<string, string | undefined>, Object.fromEntries(vars.map(n => [n, given.get(n)!.value])));
  /** the settings with the variables of `given` the settings read set, when DATABASES can be read then */
  const attempt = (given: ReadonlyMap<string, { value: string; file: string }>): SettingsInfo | null => {
    const all = Object.keys(reads).filter(n => env[n] === undefined && n !== 'DJANGO_SETTINGS_MODULE' && given.has(n)).sort();
    // those DATABASES reads first (Mathesar's POSTGRES_*, not its DEBUG or MODE, which change other settings), then all
    const narrow = all.filter(n => dbVars.has(n));
    let variables: string[] = [];
    let second: SettingsInfo | undefined;
    for (const vars of narrow.length && narrow.length < all.length ? [narrow, all] : [all]) {
      if (!vars.length) continue;
      const s = loadSettings(modules, module, over(given, vars), opts);
      if (!unread(s)) { second = s; variables = vars; break; }
    }
    if (!second) return null;
    // what DATABASES reads once those are set, set too where given (the POSTGRES_PASSWORD read under `if POSTGRES_DB:`)
    for (let round = 0; round < 3; round++) {
      const more = (second.unsetDatabaseEnv ?? []).filter(n => given.has(n) && !variables.includes(n) && n !== 'DJANGO_SETTINGS_MODULE');
      if (!more.length) break;
      const s = loadSettings(modules, module, over(given, [...variables, ...more].sort()), opts);
      if (unread(s)) break;
      second = s;
      variables = [...variables, ...more].sort();
    }
    // values said only where they name a module of the project (NETBOX_CONFIGURATION): others may be a host, a user
    const values: Record<string, string> = {};
    for (const n of variables) {
      const v = given.get(n)!.value;
      if (!isSecretKey(n) && /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(v) && modules.resolve(v)?.file) values[n] = v;
    }
    second.deployEnv = { variables, files: [...new Set(variables.map(n => given.get(n)!.file))], values, before };
    return second;
  };
  // the project's env files first, each whole (the developer's own, then templates; not the one already read, nor
  // production ones: never read unless chosen), then the values its containers and CI set
  for (const c of envFiles) {
    if (c.production || (envFile && c.file === path.resolve(envFile))) continue;
    const given = new Map<string, { value: string; file: string }>();
    for (const [name, value] of Object.entries(expandEnvValues(c.values, env))) if (value && !value.includes('$')) given.set(name, { value, file: c.file });
    const s = attempt(given);
    if (s) return s;
  }
  const deployed = new Map<string, { value: string; file: string }>();
  for (const e of envFromDeployFiles(dirs)) if (!deployed.has(e.name)) deployed.set(e.name, e);
  return attempt(deployed) ?? first;
}

/**
 * Whether a module sets Django settings at its top level (INSTALLED_APPS, DATABASES, or names from a star import or
 * an include()), not an empty package.
 */
function looksLikeSettings(modules: ModuleIndex, module: string): boolean {
  const file = modules.resolve(module)?.file;
  const mod = file ? modules.parseFile(file) : null;
  if (!mod) return false;
  // (in an if or a try too: `if os.environ.get("DJANGO_ENV") == "production": from .production import *`)
  return [...allStmts(mod.body)].some(st =>
    (st.type === 'Assign' && st.targets.some(t => t.type === 'Name' && ['INSTALLED_APPS', 'DATABASES', 'SECRET_KEY'].includes(t.id)))
    || (st.type === 'ImportFrom' && st.names.some(n => n.name === '*'))
    || (st.type === 'Expr' && st.value.type === 'Call'));
}
