// Django mode: ask the project's own Django (through python/django_helper.py) for the exact routing, migration
// graph, per-alias plans and per-operation skips, then merge that answer into the static ProjectIndex fact by
// fact, recording every place where the two differ.
//
// The helper is run with execFile semantics (no shell), cwd = the folder of manage.py, a hard timeout that kills
// the whole process group, a cap on stdout, and `-B` (no bytecode files written into the project). It only
// reads; passwords are scrubbed by the helper itself. Never call this in an untrusted workspace.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AppInfo, AppliedState, Finding, Logger, MigrationFileInfo, ModelInfo, RouterDecision, SettingsInfo } from '../types';
import { nullLogger } from '../types';
import { Redactor } from '../redact';
import { srcLayout } from '../env/python-env';
import type { ProjectIndex } from '../scan';
import { STATE_CODES, concreteModels, conflictFindings, fallThroughAliasFindings, routedFallThroughFindings, crossDatabaseRelationsFrom, indexDecisions, indexDecisionsOver, livesDecisions, settingsFindings, stateFindings, unknownRoutingFindings, type CrossDatabaseLast, type DecisionMap } from '../findings';
import { sameElements } from '../equal';
import { trackBackground } from './background';
import type { DbRoute } from '../routers';
import { routeConsistencyFindings, type DbRoutes } from '../lints/route-consistency';
import { ownDatabases, twinsOf } from '../db/identity';

// ---------------------------------------------------------------------------------------------------------------
// The helper's JSON (python/django_helper.py `report`)

export interface DjangoRoutingRow {
  alias: string;
  /** "app.Model" */
  model: string;
  /** Operation.allow_migrate_model(alias, model); null when a router raised */
  migrate: boolean | null;
  decidedBy: string | null;
  /** "vendor": Meta.required_db_vendor/required_db_features exclude the alias; "error": a router raised */
  reason: 'router' | 'default' | 'unmanaged' | 'proxy' | 'swapped' | 'vendor' | 'error';
  /** the router chain's answer ignoring managed/proxy/swapped ("lives on") */
  lives: boolean | null;
  livesDecidedBy: string | null;
  error?: string;
}

/** One side of `DjangoReport.dbRoutes`: what `router.db_for_read(Model)` / `db_for_write(Model)` gave in the helper. */
export interface DjangoDbRoute {
  /** null when the answer changed between calls (`choices`) or a router raised (`error`) */
  alias: string | null;
  decidedBy: string | null;
  /** every alias the deciding router gave in DB_ROUTE_SAMPLES calls, when more than one (a replica at random) */
  choices?: string[];
  error?: string;
}

export interface DjangoDbRouteRow { model: string; read: DjangoDbRoute; write: DjangoDbRoute }

export interface DjangoModelRow {
  app: string;
  name: string;
  key: string;
  modelName: string;
  managed: boolean;
  proxy: boolean;
  /** the setting it is swapped for (e.g. "accounts.User"), else null */
  swapped: string | null;
  table: string;
  path: string | null;
  line: number | null;
}

export interface DjangoMigrationRow {
  app: string;
  name: string;
  key: string;
  path: string | null;
  dependencies: [string, string][];
  replaces: [string, string][];
  runBefore: [string, string][];
  initial: boolean | null;
  atomic: boolean;
  operations: { kind: string; modelName?: string }[];
}

export interface DjangoOperationRow {
  kind: string;
  describe: string;
  /** lowercase model name the operation acts on, when it has one */
  model?: string;
  /**
   * true: Django skips it on this alias (router said no, or the model is unmanaged/proxy/swapped);
   * false: it runs (or has nothing to run: reason "noop"); null: unknown (custom operation, error).
   */
  skipped: boolean | null;
  reason: 'router' | 'default' | 'unmanaged' | 'proxy' | 'swapped' | 'vendor' | 'noop' | 'no-check' | 'separate' | 'custom' | 'unknown' | 'error' | null;
  decidedBy: string | null;
  hints?: string[];
  error?: string;
  /** SeparateDatabaseAndState: its database_operations */
  operations?: DjangoOperationRow[];
}

export interface DjangoPlannedMigration {
  /** "app.name" */
  key: string;
  operations: DjangoOperationRow[];
}

export interface DjangoAliasStatus {
  /** null when the migration graph could not be built (nothing was read) */
  reachable: boolean | null;
  applied: number;
  appliedKeys: string[];
  exists: boolean | null;
  error: string | null;
  /** InconsistentMigrationHistory, which makes `migrate` refuse to run */
  historyError: string | null;
  /** Django cannot load this alias's backend in the project's environment (e.g. no MySQL driver) */
  driverMissing?: boolean;
}

export interface DjangoReport {
  helperVersion: number;
  django: string;
  python: string;
  executable: string;
  settingsModule: string | null;
  authUserModel: string | null;
  databases: { alias: string; engine: string | null; name: string | null; vendor: string | null }[];
  apps: { label: string; module: string; path: string | null; migrationsModule: string | null; migrationsDir: string | null }[];
  routers: string[];
  models: DjangoModelRow[];
  routing: DjangoRoutingRow[];
  /** where each concrete model's queries go, asked of Django (absent from helpers before it was asked) */
  dbRoutes?: DjangoDbRouteRow[];
  migrations: DjangoMigrationRow[];
  graph: {
    nodes: string[];
    leafNodes: string[];
    conflicts: Record<string, string[]>;
    error: string | null;
    traceback?: string;
    unmigratedApps?: string[];
    migratedApps?: string[];
  };
  /** per alias read (absent with readDatabases: false) */
  status: Record<string, DjangoAliasStatus>;
  /** per alias: "app.name" of what `migrate --database=alias` would apply, in Django's order; null = unreachable */
  plans: Record<string, string[] | null>;
  planDetails: Record<string, DjangoPlannedMigration[] | null>;
  /**
   * What `makemigrations --check --dry-run` would write, per app label: the operations of the missing migration
   * (Django's autodetector; nothing is written). null when not computed (graph error, conflicts, older helper).
   */
  missing?: Record<string, { kind: string; describe: string }[]> | null;
  missingError?: string | null;
  timings: Record<string, number>;
}

export interface DjangoAnswer {
  ok: true;
  report: DjangoReport;
  /** the helper's stderr (project prints, warnings), passwords already removed; for the log */
  stderr: string;
  durationMs: number;
}

export type DjangoFailureReason =
  | 'missing-interpreter' // the interpreter does not exist / is not executable
  | 'helper-missing' // python/django_helper.py not found next to the bundle or in the repo
  | 'timeout'
  | 'output-too-large'
  | 'django' // Django is not importable by that interpreter
  | 'settings' // the settings module cannot be imported / is improperly configured
  | 'import' // an app or router module raised ImportError
  | 'setup' // django.setup() raised something else
  | 'router' // DATABASE_ROUTERS could not be instantiated
  | 'usage'
  | 'command' // `sql`: sqlmigrate failed (unknown migration, unreachable database, ...)
  | 'internal' // a bug in the helper
  | 'crashed' // the process died without printing JSON (segfault, SIGKILL, sys.exit in project code)
  | 'bad-output'
  | 'cancelled';

export interface DjangoFailure {
  ok: false;
  reason: DjangoFailureReason;
  /** one readable line */
  message: string;
  /** the Python traceback when there is one */
  traceback: string | null;
  stderr: string;
  exitCode: number | null;
  durationMs: number;
}

export interface DjangoHelperOptions {
  /** workspace root (absolute) */
  root: string;
  /** absolute path of manage.py; the helper runs in its folder (else in `root`) */
  managePy?: string | null;
  /** the project's interpreter */
  python: string;
  /** DJANGO_SETTINGS_MODULE (else whatever `env` / the process environment has) */
  settingsModule?: string | null;
  /** environment for the helper (default: process.env); DJANGO_SETTINGS_MODULE is set from settingsModule */
  env?: Record<string, string | undefined>;
  /** default 60 s; the whole process group is killed after it */
  timeoutMs?: number;
  /** cap on stdout (default 64 MiB) */
  maxOutputBytes?: number;
  /** read each alias's django_migrations (default true); false → `--no-databases` (no plans, no status) */
  readDatabases?: boolean;
  /** only these aliases for status/plans (routing always covers all) */
  databases?: string[] | null;
  /** cancels the run: the helper's whole process group is killed and the result is a 'cancelled' failure */
  signal?: AbortSignal;
  /** override the helper script path */
  helperPath?: string;
  logger?: Logger;
  /**
   * Awaited once the helper has exited, before its output (megabytes of JSON) is read: the scan worker lets the
   * requests waiting for it (an edit's index) go first, as this thread's work would hold them up
   */
  whenIdle?: () => Promise<void>;
  /** run the helper at a lower CPU priority (ScanOptions.lowPriority) */
  lowPriority?: boolean;
  /** passwords known to the caller (settings, secret storage), masked in everything the helper returns */
  secrets?: readonly (string | null | undefined)[];
  /**
   * workspace folders the settings module was found under by the static reading (NAV's python/, which its
   * pyproject.toml packages and an install puts on the path), put on the helper's path after the project's folder
   */
  importRoots?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
const STDERR_KEEP = 256 * 1024;

/** python/django_helper.py: next to the bundle (dist/python) when bundled, else <repo>/python. */
export function helperScriptPath(): string | null {
  const candidates = [
    path.join(__dirname, 'python', 'django_helper.py'),
    path.join(__dirname, '..', 'python', 'django_helper.py'),
    path.join(__dirname, '..', '..', '..', 'python', 'django_helper.py'),
  ];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  return null;
}

interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  spawnError: NodeJS.ErrnoException | null;
  timedOut: boolean;
  overflow: boolean;
  aborted: boolean;
  durationMs: number;
}

/**
 * The nice value of the helper's autogroup: 5, where the helper gets about a quarter of a CPU the editor's processes
 * also want (its own nice of 10 would give it a tenth). VS Code benchmark, Django mode, alone, its answer to the saves
 * before the typing: 17-24 s with the group at nice 0 (the helper's own nice counting for nothing), 23-28 s at 5, 42-49 s
 * at 10; typing p95 0.44-0.55 s, 0.38-0.51 s, 0.36-0.42 s. In CI beside the UI tests: 29 s, 84 s, 120 s.
 * DJANGO_MULTIDB_GROUP_NICE=n for benchmarks.
 */
function groupNice(): number {
  const n = process.env.DJANGO_MULTIDB_GROUP_NICE ?? '';
  return /^\d+$/.test(n) ? Math.min(19, Number(n)) : 5;
}

/**
 * Run process `pid` at a lower CPU priority (nice 10; a process may always lower its children's priority; Python
 * starts in the meantime, at most a few ms). `ownSession`: it was started in a session of its own (`detached`). On
 * Linux with autogroups (sched_autogroup_enabled, the default of most desktop kernels) such a process is scheduled as
 * a group of its own, weighed against the editor's group as a whole: its nice value counts only inside that group, so
 * the group's nice value (/proc/PID/autogroup) is raised too (groupNice). bench/autogroup.sh: two busy processes of
 * the editor's session took 3.3 s beside a helper at nice 10 in a group of its own, 2.0 s with its group's nice raised
 * to 10, 1.75 s alone. Django's answer then takes longer while the editor is busy, and the time it waits for a CPU does
 * not count towards its timeout (timeoutLeftMs).
 */
function lowerPriority(pid: number, ownSession: boolean): void {
  const nice = os.constants.priority.PRIORITY_BELOW_NORMAL;
  try {
    os.setPriority(pid, Math.max(os.getPriority(pid), nice));
  } catch {
    /* gone already, or not allowed: it runs as it is */
  }
  if (!ownSession || process.platform !== 'linux') return;
  try {
    // (no such file: a kernel without autogroups, where the process's own nice value is what counts)
    const now = /nice\s+(-?\d+)/.exec(fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1];
    const want = groupNice();
    if (now !== undefined && Number(now) < want) fs.writeFileSync(`/proc/${pid}/autogroup`, String(want));
  } catch {
    /* no autogroups, gone already, or not allowed */
  }
}

/** A helper at a lower priority is stopped after this many times its timeout at the latest, however long it waited. */
const STARVED_TIMEOUT_FACTOR = 3;

/**
 * How much of a lower-priority helper's timeout is left (ms; ≤ 0: its time is up) after `elapsedMs`, of which it
 * waited `waitedMs` for a CPU while it could have run: that wait is the editor's work, not the helper's, and does not
 * count, up to STARVED_TIMEOUT_FACTOR times the timeout in all. A helper that hangs waiting for something else (a
 * database that does not answer) waits for no CPU: its wall time counts in full.
 */
export function timeoutLeftMs(timeoutMs: number, elapsedMs: number, waitedMs: number): number {
  return Math.min(timeoutMs - Math.max(0, elapsedMs - waitedMs), timeoutMs * STARVED_TIMEOUT_FACTOR - elapsedMs);
}

/**
 * Process `pid`'s main thread: its time on a CPU and its time waiting for one while it could run (ms; Linux's
 * /proc/PID/schedstat), null where unknown (no such file, or the process is gone).
 */
export function schedStat(pid: number): { runMs: number; waitMs: number } | null {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? { runMs: run! / 1e6, waitMs: wait! / 1e6 } : null;
  } catch {
    return null;
  }
}

/** How long process `pid` has waited for a CPU while it could run (ms; schedStat), 0 where unknown. */
export function waitedForCpuMs(pid: number): number {
  const wait = schedStat(pid)?.waitMs ?? 0;
  return wait > 0 ? wait : 0;
}

/** Spawn without a shell; on timeout or overflow kill the whole process group (POSIX) so nothing lingers. */
function runProcess(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, maxOut: number, abort?: AbortSignal, lowPriority = false): Promise<RunResult> {
  return new Promise(resolve => {
    const t0 = performance.now();
    const posix = process.platform !== 'win32';
    let child: ReturnType<typeof spawn>;
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    let timedOut = false;
    let overflow = false;
    let aborted = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    let settled = false;
    let exitCode: number | null = null;
    let signal: NodeJS.Signals | null = null;
    const timers: { kill?: NodeJS.Timeout; grace?: NodeJS.Timeout } = {};
    const onAbortRef: { fn: () => void } = { fn: () => {} };
    // (set once spawned: `finish` may run before)
    const bg: { h?: ReturnType<typeof trackBackground> } = {};

    const finish = () => {
      if (settled) return;
      settled = true;
      bg.h?.untrack();
      if (timers.kill) clearTimeout(timers.kill);
      if (timers.grace) clearTimeout(timers.grace);
      abort?.removeEventListener('abort', onAbortRef.fn);
      child?.stdout?.destroy();
      child?.stderr?.destroy();
      resolve({
        stdout: Buffer.concat(out).toString('utf8'), stderr: err, exitCode, signal, spawnError, timedOut, overflow, aborted,
        durationMs: performance.now() - t0,
      });
    };
    const killTree = () => {
      if (child?.pid === undefined) return;
      try {
        if (posix) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        try { child.kill('SIGKILL'); } catch { /* already gone */ }
      }
    };

    try {
      child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: posix, windowsHide: true, shell: false });
    } catch (e) {
      spawnError = e as NodeJS.ErrnoException;
      finish();
      return;
    }
    if (lowPriority && child.pid !== undefined) lowerPriority(child.pid, posix);
    // a background refresh: paused while the scan worker answers an edit (background.ts)
    if (lowPriority && posix && child.pid !== undefined) bg.h = trackBackground(child.pid);
    // cancelled (e.g. the extension is deactivating): same as a timeout, the whole group goes
    const onAbort = () => {
      aborted = true;
      killTree();
      if (!timers.grace) timers.grace = setTimeout(finish, 1000);
    };
    onAbortRef.fn = onAbort;
    if (abort?.aborted) onAbort();
    else abort?.addEventListener('abort', onAbort, { once: true });
    const onTimeout = () => {
      // a helper at a lower priority: the time it waited for a CPU (the editor had it) does not count
      // (nor the time it was paused for an edit)
      const left = lowPriority && child.pid !== undefined ? timeoutLeftMs(timeoutMs, performance.now() - t0, waitedForCpuMs(child.pid) + (bg.h?.pausedMs() ?? 0)) : 0;
      if (left > 0) {
        timers.kill = setTimeout(onTimeout, Math.max(left, 100));
        return;
      }
      timedOut = true;
      killTree();
      // the pipes may be held by grandchildren on platforms without process groups: don't wait for them
      timers.grace = setTimeout(finish, 1000);
    };
    timers.kill = setTimeout(onTimeout, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      if (overflow) return;
      outLen += d.length;
      if (outLen > maxOut) {
        overflow = true;
        killTree();
        return;
      }
      out.push(d);
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      if (err.length > STDERR_KEEP * 2) err = err.slice(-STDERR_KEEP);
    });
    child.on('error', e => {
      spawnError = e as NodeJS.ErrnoException;
      finish();
    });
    child.on('exit', (code, sig) => {
      exitCode = code;
      signal = sig;
      // 'close' follows once the pipes are drained; if a grandchild holds them, stop waiting after 2 s
      if (!timers.grace) timers.grace = setTimeout(finish, 2000);
    });
    child.on('close', () => finish());
  });
}

function lastJsonObject(text: string): unknown {
  const t = text.trim();
  if (!t) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    const lines = t.split('\n').map(l => l.trim()).filter(Boolean);
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i]!;
      if (!l.startsWith('{')) continue;
      try {
        return JSON.parse(l);
      } catch { /* keep looking */ }
    }
    return undefined;
  }
}

function tail(s: string, n = 2000): string {
  return s.length > n ? '…' + s.slice(-n) : s;
}

const ERROR_KINDS: DjangoFailureReason[] = ['django', 'settings', 'import', 'setup', 'router', 'usage', 'command', 'internal'];

/** Run the helper with arguments; the parsed JSON object or a DjangoFailure. */
async function runHelper(opts: DjangoHelperOptions, helperArgs: string[]): Promise<{ ok: true; json: Record<string, unknown>; stderr: string; durationMs: number } | DjangoFailure> {
  const logger = opts.logger ?? nullLogger;
  const helper = opts.helperPath ?? helperScriptPath();
  const fail = (reason: DjangoFailureReason, message: string, extra: Partial<DjangoFailure> = {}): DjangoFailure => ({
    ok: false, reason, message, traceback: null, stderr: '', exitCode: null, durationMs: 0, ...extra,
  });
  if (!helper || !fs.existsSync(helper)) return fail('helper-missing', 'django_helper.py was not found next to the extension');
  const cwd = opts.managePy ? path.dirname(path.resolve(opts.root, opts.managePy)) : path.resolve(opts.root);
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
  if (opts.settingsModule) env.DJANGO_SETTINGS_MODULE = opts.settingsModule;
  // Isolated (-I: PYTHON* variables ignored, neither the script's nor the current folder on sys.path) and started
  // outside the project, so no file of the project (a json.py beside manage.py) is imported while Python starts;
  // the helper then puts the project folder and PYTHONPATH on sys.path and changes into the project itself.
  // (and the src layout's folder, which manage.py or an editable install puts on the path: the static index reads
  // its packages as importable, etools-datamart's `sys.path.append(.../src)`)
  const extraPath = [...new Set([...(env.PYTHONPATH ? [env.PYTHONPATH] : []), ...srcLayout(cwd), ...(opts.importRoots ?? []).filter(d => d !== cwd)])];
  if (extraPath.length) env.DJANGO_MULTIDB_PYTHONPATH = extraPath.join(path.delimiter);
  const args = ['-I', '-B', '-X', 'utf8', helper, ...helperArgs, '--project', cwd];
  logger.debug(`django helper: ${opts.python} ${args.join(' ')} (project ${cwd})`);
  const raw = await runProcess(opts.python, args, os.tmpdir(), env, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT, opts.signal, opts.lowPriority);
  await opts.whenIdle?.();
  // the helper scrubs what it knows; a crash before it knew the settings (or an older helper) is scrubbed here
  const redactor = new Redactor(opts.secrets ?? []);
  const r = { ...raw, stdout: raw.stdout, stderr: redactor.redact(raw.stderr) };
  const base = { stderr: r.stderr, exitCode: r.exitCode, durationMs: r.durationMs };
  if (r.stderr.trim()) logger.debug(`django helper stderr:\n${tail(r.stderr, 20000)}`);
  if (r.spawnError) {
    const code = r.spawnError.code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') {
      return fail('missing-interpreter', `Python interpreter ${opts.python} cannot be run (${code})`, base);
    }
    return fail('crashed', `Python interpreter ${opts.python} could not be started: ${r.spawnError.message}`, base);
  }
  if (r.aborted) return fail('cancelled', 'the Django helper was cancelled', base);
  if (r.timedOut) {
    const limitS = Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000);
    // (a lower-priority helper: the time it waited for a CPU did not count)
    const waited = Math.round(r.durationMs / 1000) > limitS + 1 ? ` (${Math.round(r.durationMs / 1000)} s in all, with the time it waited for a CPU the editor was using)` : '';
    return fail('timeout', `the Django helper did not finish within ${limitS} s and was stopped${waited}`, base);
  }
  if (r.overflow) return fail('output-too-large', `the Django helper printed more than ${opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT} bytes and was stopped`, base);
  const parsed = lastJsonObject(r.stdout);
  const obj = (parsed && typeof parsed === 'object' ? redactor.redactValue(parsed) : parsed) as Record<string, unknown> | undefined;
  if (obj && typeof obj === 'object' && obj.error && typeof obj.error === 'object') {
    const e = obj.error as { kind?: string; message?: string; traceback?: string };
    const reason = (ERROR_KINDS as string[]).includes(e.kind ?? '') ? (e.kind as DjangoFailureReason) : 'internal';
    return fail(reason, e.message ?? 'the Django helper failed', { ...base, traceback: e.traceback || null });
  }
  if (r.exitCode !== 0 || r.signal) {
    const why = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
    const errTail = r.stderr.trim().split('\n').slice(-1)[0] ?? '';
    // Python itself failing before the helper runs (wrong interpreter, bad PYTHONHOME, a python2)
    return fail('crashed', `the Django helper ${why}${errTail ? `: ${errTail}` : ''}`, { ...base, traceback: r.stderr.trim() ? tail(r.stderr, 8000) : null });
  }
  if (!obj || typeof obj !== 'object') return fail('bad-output', 'the Django helper printed no JSON', { ...base, traceback: r.stderr.trim() ? tail(r.stderr, 8000) : null });
  return { ok: true, json: obj, stderr: r.stderr, durationMs: r.durationMs };
}

/** `report`: everything Django knows about routing, migrations and (optionally) each alias's state. */
export async function runDjangoHelper(opts: DjangoHelperOptions): Promise<DjangoAnswer | DjangoFailure> {
  const args = ['report'];
  if (opts.readDatabases === false) args.push('--no-databases');
  for (const a of opts.databases ?? []) args.push('--database', a);
  const r = await runHelper(opts, args);
  if (!r.ok) return r;
  const rep = r.json as unknown as DjangoReport;
  if (!Array.isArray(rep.routing) || !Array.isArray(rep.models) || !Array.isArray(rep.migrations)) {
    return { ok: false, reason: 'bad-output', message: 'the Django helper printed an unexpected JSON object', traceback: null, stderr: r.stderr, exitCode: 0, durationMs: r.durationMs };
  }
  rep.status ??= {};
  rep.plans ??= {};
  rep.planDetails ??= {};
  return { ok: true, report: rep, stderr: r.stderr, durationMs: r.durationMs };
}

export class DjangoHelperError extends Error {
  constructor(public readonly failure: DjangoFailure) {
    super(failure.message);
    this.name = 'DjangoHelperError';
  }
}

/** The SQL `manage.py sqlmigrate APP NAME --database ALIAS` prints. Throws DjangoHelperError. */
export async function sqlForMigration(opts: DjangoHelperOptions, app: string, name: string, alias: string): Promise<string> {
  const r = await runHelper(opts, ['sql', app, name, '--database', alias]);
  if (!r.ok) throw new DjangoHelperError(r);
  if (typeof r.json.sql !== 'string') {
    throw new DjangoHelperError({ ok: false, reason: 'bad-output', message: 'the Django helper printed no SQL', traceback: null, stderr: r.stderr, exitCode: 0, durationMs: r.durationMs });
  }
  return r.json.sql;
}

// ---------------------------------------------------------------------------------------------------------------
// Merge

export type DisagreementKind = 'routing' | 'dbRoute' | 'plan' | 'status' | 'model' | 'migration' | 'database' | 'router' | 'conflict';

/** One place where the static evaluation and Django's answer differ. Django's value is the one kept. */
export interface Disagreement {
  kind: DisagreementKind;
  alias?: string;
  /** "app.Model" */
  model?: string;
  /** "app.name" */
  migration?: string;
  app?: string;
  static: unknown;
  django: unknown;
  note: string;
  /** where to look (static loc of the decision / model / migration), absolute */
  path?: string;
  line?: number;
}

/** What Django mode adds to a ProjectIndex (kept on the index object so the CLI and the tree can read it). */
export interface DjangoExtras {
  django: string;
  python: string;
  executable: string;
  /** per alias: who computed ProjectIndex.plans[alias] */
  planSource: Record<string, 'static' | 'django'>;
  /** per alias: each pending migration with its operations and whether Django skips them there */
  planDetails: Record<string, DjangoPlannedMigration[] | null>;
  /** "lives on" decisions (router chain ignoring managed/proxy) from Django */
  lives: RouterDecision[];
  historyErrors: Record<string, string>;
  graphError: string | null;
  disagreements: Disagreement[];
  timings: Record<string, number>;
  /**
   * The helper's raw answer, so a newer static index can be merged with it again at once (an edit shows up
   * immediately, with Django's last routing and plans) while Django is asked again.
   */
  report?: DjangoReport;
}

export type DjangoIndex = ProjectIndex & { django?: DjangoExtras };

const ROUTING_REASON: Record<DjangoRoutingRow['reason'], RouterDecision['reason']> = {
  router: 'router', default: 'default', unmanaged: 'unmanaged', proxy: 'proxy', swapped: 'swapped', vendor: 'unmanaged', error: 'unknown',
};

function pairsKey(p: readonly (readonly [string, string] | readonly string[])[]): string[] {
  return p.map(x => `${x[0]}.${x[1]}`);
}

function explain(row: DjangoRoutingRow): string {
  switch (row.reason) {
    case 'router': return `Django: ${row.decidedBy}.allow_migrate returned ${row.migrate ? 'True' : 'False'}`;
    case 'default': return 'Django: every router returned None (allowed by default)';
    case 'unmanaged': return 'Django: unmanaged model (Meta.managed = False), never migrated';
    case 'proxy': return 'Django: proxy model, no table of its own';
    case 'swapped': return 'Django: swapped model (replaced by a setting)';
    case 'vendor': return 'Django: Meta.required_db_vendor / required_db_features exclude this database';
    case 'error': return `Django: a router raised ${row.error ?? 'an exception'}`;
  }
}

function describeStatic(d: RouterDecision | undefined): unknown {
  return d ? { migrate: d.migrate, decidedBy: d.decidedBy, reason: d.reason } : null;
}

/**
 * `index` without Django's raw report, and the report: megabytes that only a later merge of Django's answer into a
 * newer static index needs (the extension's scan worker keeps it; a snapshot leaves it out).
 */
export function splitDjangoReport(index: ProjectIndex): { index: ProjectIndex; report?: DjangoReport } {
  if (!index.django?.report) return { index };
  const { report, ...django } = index.django;
  return { index: { ...index, django }, report };
}

/**
 * What merges of one Django answer keep between them (one entry per report, gone with it):
 * - `sections`: the parts of a merge, kept while their static inputs are the same objects. An edit's new static
 *   index keeps its unchanged parts (the incremental index), so merging Django's last answer into it redoes only the
 *   parts the edit changed (a large project's routing is thousands of rows).
 * - `rows`: one row of a section, merged again only when its inputs changed: a merged model, migration or routing row
 *   and the disagreements it found, per Django's row (kept by the report) and the static object it was merged with.
 *   A section recomputed after an edit then keeps the objects of every row the edit did not touch, so the merge and
 *   the scan worker's difference to the main thread (identity first) are about the edit's rows only.
 * - `asked`: the migrations and models of the static index the answer was first merged with (the one Django was
 *   asked about), by key: a later merge tells by identity which files were read again since (the incremental index
 *   keeps the objects of unchanged files). What that index read from an unsaved buffer is left out: Django read the
 *   file on disk, so the buffer's reading is newer than Django's answer (a buffer typed before a save elsewhere asked
 *   Django again must not be taken as what Django saw).
 */
interface MergeMemo {
  sections: Map<string, { inputs: unknown[]; value: unknown }>;
  rows: Map<string, WeakMap<object, Row<unknown>>>;
  asked?: Asked;
  /** djangoRoutingAt */
  routingAt?: { at: PairPlaces; unique: boolean };
}
interface Asked {
  migrations: Map<string, MigrationFileInfo>;
  models: Map<string, ModelInfo>;
  routing: DecisionMap;
  /** the static db_for_read / db_for_write answers by model */
  dbRoutes?: { read: Map<string, DbRoute>; write: Map<string, DbRoute> };
  /**
   * a router's module was an unsaved buffer: Django read another text than the static routing did. (Not the settings
   * module, often open with unsaved text: every row where the static reading differs from Django's would then be
   * taken as the buffer's, a wrong static answer too.)
   */
  routingFromBuffer: boolean;
}
type Row<T> = { inputs: unknown[]; value: T; dis: Disagreement[] };
const MERGES = new WeakMap<DjangoReport, MergeMemo>();

function memoOf(rep: DjangoReport): MergeMemo {
  let m = MERGES.get(rep);
  if (!m) MERGES.set(rep, (m = { sections: new Map(), rows: new Map() }));
  return m;
}

/** How many times each section of a merge was computed (tests of what an edit merges again). */
export const MERGE_STATS: { sections: Record<string, number>; migrationRowsPatched: number; routingRowsPatched: number } = { sections: {}, migrationRowsPatched: 0, routingRowsPatched: 0 };

function section<T>(rep: DjangoReport, name: string, inputs: unknown[], fn: () => T): T {
  const memo = memoOf(rep).sections;
  const hit = memo.get(name);
  if (hit && sameElements(hit.inputs, inputs)) return hit.value as T;
  MERGE_STATS.sections[name] = (MERGE_STATS.sections[name] ?? 0) + 1;
  const value = fn();
  memo.set(name, { inputs, value });
  return value;
}

function rowOf<T>(rep: DjangoReport, name: string, row: object, inputs: unknown[], dis: Disagreement[], fn: (dis: Disagreement[]) => T): T {
  const byName = memoOf(rep).rows;
  let rows = byName.get(name);
  if (!rows) byName.set(name, (rows = new WeakMap()));
  let hit = rows.get(row) as Row<T> | undefined;
  if (!hit || !sameElements(hit.inputs, inputs)) {
    const own: Disagreement[] = [];
    hit = { inputs, value: fn(own), dis: own };
    rows.set(row, hit);
  }
  dis.push(...hit.dis);
  return hit.value;
}

/** A Django migration row's disagreements and the file read again since Django answered (null: none), per row. */
interface MigrationRowPart { dis: Disagreement[]; edited: string | null }

/**
 * The merge's migrations section: the rows, the disagreements, the files read again since Django answered; with, when
 * every static migration has a key of its own, what patchMigrations needs (each Django row's part, what the static
 * migrations not in Django's answer gave, the static migrations it was made from).
 */
interface MigrationsPart {
  migrations: MigrationFileInfo[];
  dis: Disagreement[];
  edited: Set<string>;
  rows?: MigrationRowPart[];
  tail?: Disagreement[];
  tailEdited?: string[];
  statics?: MigrationFileInfo[];
}

/**
 * `last` for `statics`, static migrations with the same keys in the same order as those it was made from, a few of
 * them read again (a migration edited): only their rows made again (`row`), the rest kept. Null when the keys differ,
 * many migrations changed, or one changed that Django's answer lacks (the section is made whole).
 */
function patchMigrations(last: MigrationsPart, statics: MigrationFileInfo[], djangoRows: DjangoMigrationRow[],
  row: (m: DjangoMigrationRow, s: MigrationFileInfo, dis: Disagreement[]) => { row: MigrationFileInfo; edited: string | null }): MigrationsPart | null {
  const before = last.statics!;
  if (before.length !== statics.length) return null;
  const changed: MigrationFileInfo[] = [];
  for (let i = 0; i < statics.length; i++) {
    const a = before[i]!, b = statics[i]!;
    if (a === b) continue;
    if (a.key !== b.key || changed.length >= 64) return null;
    changed.push(b);
  }
  const rows = last.rows!.slice();
  const migrations = last.migrations.slice();
  for (const s of changed) {
    // (Django's rows come first in the section's migrations, in their order: row p is at p)
    const p = djangoRows.findIndex(m => m.key === s.key);
    if (p < 0) return null;
    const own: Disagreement[] = [];
    const r = row(djangoRows[p]!, s, own);
    migrations[p] = r.row;
    rows[p] = { dis: own, edited: r.edited };
  }
  MERGE_STATS.migrationRowsPatched += changed.length;
  const dis: Disagreement[] = [];
  const edited = new Set<string>();
  for (const r of rows) {
    if (r.dis.length) dis.push(...r.dis);
    if (r.edited) edited.add(r.edited);
  }
  dis.push(...last.tail!);
  for (const f of last.tailEdited!) edited.add(f);
  return { migrations: sameItems(last.migrations, migrations), dis, edited, rows, tail: last.tail, tailEdited: last.tailEdited, statics };
}

/** The merge's routing section, and what patchRouting needs to make the next one from it. */
interface RoutingPart {
  routing: RouterDecision[];
  lives: RouterDecision[];
  dis: Disagreement[];
  /** the models of Django's rows the static index has no decision for */
  undecided: string[];
  /** the static rows it was made from (the routing's and the "lives on" ones), and its other inputs */
  routingIn: RouterDecision[];
  livesIn: RouterDecision[];
  rest: unknown[];
  /** each Django row's disagreements, in Django's order */
  rowDis: Disagreement[][];
  /** each static row's "Django did not report this pair", in routingIn's order */
  tailDis: (Disagreement | null)[];
}

/** A row without disagreements (shared: never written to). */
const NO_DISAGREEMENTS: Disagreement[] = [];

/** Where each (alias, model) pair stands: by alias, by model (no key string made per lookup). */
type PairPlaces = Map<string, Map<string, number>>;
const placeOf = (at: PairPlaces, d: { alias: string; model: string }): number | undefined => at.get(d.alias)?.get(d.model);

/** Where each (alias, model) pair stands in Django's routing rows (the last place), and whether each stands once. */
function djangoRoutingAt(rep: DjangoReport): { at: PairPlaces; unique: boolean } {
  const memo = memoOf(rep);
  if (!memo.routingAt) {
    const at: PairPlaces = new Map();
    let unique = true;
    rep.routing.forEach((row, p) => {
      let byModel = at.get(row.alias);
      if (!byModel) at.set(row.alias, (byModel = new Map()));
      if (byModel.has(row.model)) unique = false;
      byModel.set(row.model, p);
    });
    memo.routingAt = { at, unique };
  }
  return memo.routingAt;
}

function joinDisagreements(rowDis: Disagreement[][], tailDis: (Disagreement | null)[]): Disagreement[] {
  const dis: Disagreement[] = [];
  for (const d of rowDis) if (d.length) dis.push(...d);
  for (const d of tailDis) if (d) dis.push(d);
  return dis;
}

/**
 * `last` for `routingIn` and `livesIn`, static rows of the same (alias, model) pairs in the same places as those it was
 * made from, some of them decided again (a router edited: the rows whose answer did not change are the same objects,
 * keepEqualDecisions): only the Django rows of those pairs merged again (`merge`), the rest kept. Null when the pairs
 * or the other inputs differ (the section is made whole). An edit of one app's routing re-decides a few rows of the
 * 6,000 of the benchmark project, whose merge walked them all (~12 ms); one that flips an answer every app falls
 * through to re-decides thousands, and costs what the whole section does (each row merged once).
 */
function patchRouting(last: RoutingPart, rep: DjangoReport, routingIn: RouterDecision[], livesIn: RouterDecision[], rest: unknown[],
  merge: (row: DjangoRoutingRow, dis: Disagreement[]) => { routing: RouterDecision; lives: RouterDecision; undecided: boolean },
  unreported: (s: RouterDecision) => Disagreement | null): RoutingPart | null {
  if (!sameElements(last.rest, rest) || last.routingIn.length !== routingIn.length || last.livesIn.length !== livesIn.length) return null;
  // (a pair Django reported twice, never seen: its rows are not found by pair)
  const { at, unique } = djangoRoutingAt(rep);
  if (!unique) return null;
  /** Django's rows to merge again, and the static rows whose "not reported" disagreement is made again */
  const rows = new Set<number>();
  const statics: number[] = [];
  // A Django row reads the static routing row of its pair, and the static "lives on" row of its pair when the static
  // answer is the newer one (livesDecisions: the lives row, else the routing row): a changed row of either changes it.
  const changed = (before: RouterDecision[], now: RouterDecision[], tail: boolean): boolean => {
    for (let q = 0; q < now.length; q++) {
      const a = before[q]!, b = now[q]!;
      if (a === b) continue;
      if (a.alias !== b.alias || a.model !== b.model) return false;
      if (tail) statics.push(q);
      const p = placeOf(at, b);
      if (p !== undefined) rows.add(p);
    }
    return true;
  };
  if (!changed(last.routingIn, routingIn, true) || !changed(last.livesIn, livesIn, false)) return null;
  const routing = last.routing.slice(), lives = last.lives.slice(), rowDis = last.rowDis.slice(), tailDis = last.tailDis.slice();
  for (const p of rows) {
    const own: Disagreement[] = [];
    const r = merge(rep.routing[p]!, own);
    routing[p] = r.routing;
    lives[p] = r.lives;
    rowDis[p] = own.length ? own : NO_DISAGREEMENTS;
  }
  for (const q of statics) tailDis[q] = unreported(routingIn[q]!);
  MERGE_STATS.routingRowsPatched += rows.size;
  // (the maps of the new arrays: the last ones' with the rows merged again over them)
  const changedRows = [...rows];
  indexDecisionsOver(routing, last.routing, changedRows.map(p => routing[p]!));
  indexDecisionsOver(lives, last.lives, changedRows.map(p => lives[p]!));
  return {
    routing: sameItems(last.routing, routing), lives: sameItems(last.lives, lives), dis: joinDisagreements(rowDis, tailDis),
    undecided: last.undecided, routingIn, livesIn, rest, rowDis, tailDis,
  };
}

function askedAbout(rep: DjangoReport, index: ProjectIndex, unsaved: ReadonlySet<string> | undefined): Asked {
  const memo = memoOf(rep);
  if (memo.asked) return memo.asked;
  const onDisk = (file: string | undefined) => !unsaved?.size || !file || !unsaved.has(path.resolve(file));
  return (memo.asked = {
    migrations: new Map(index.migrations.filter(m => onDisk(m.path)).map(m => [m.key, m])),
    models: new Map(index.models.filter(m => !m.abstract && onDisk(m.loc.path)).map(m => [m.key, m])),
    routing: indexDecisions(index.routing),
    ...(index.dbRoutes ? { dbRoutes: { read: new Map(index.dbRoutes.read.map(r => [r.model, r])), write: new Map(index.dbRoutes.write.map(r => [r.model, r])) } } : {}),
    routingFromBuffer: Object.values(index.routerLocs).flatMap(l => [l.cls?.path, l.allowMigrate?.path]).some(f => !!f && !onDisk(f)),
  });
}

/** What a merge needs to know beyond the two answers. */
export interface MergeOptions {
  /**
   * the files read from unsaved editor buffers when Django was asked (vfs overlaidFiles): Django read them from disk.
   * Only the first merge of an answer reads it.
   */
  unsaved?: ReadonlySet<string>;
  /** @internal (tests) the migrations and routing sections made whole, not patched from the last merge (patchMigrations, patchRouting) */
  whole?: boolean;
}

/** `next`, or `prev` (the section's last value) when every item is the same object: nothing changed downstream. */
function sameItems<T>(prev: readonly T[] | undefined, next: T[]): T[] {
  return prev && sameElements(prev, next) ? (prev as T[]) : next;
}

/** The merge's relations section: its findings, and what `crossDatabaseRelationsAgain` takes up from them. */
interface Relations extends CrossDatabaseLast { findings: Finding[] }

/** the last value of a section (for sameItems) */
function lastOf<T>(rep: DjangoReport, name: string): T | undefined {
  return MERGES.get(rep)?.sections.get(name)?.value as T | undefined;
}

/** The router lints made from the routing and the routes (lints/route-consistency.ts): made again from Django's. */
const ROUTE_LINTS = new Set(['router-write-no-table', 'router-read-no-table', 'router-mirror-migrates', 'router-replica-unmirrored', 'routing-fall-through']);

/** Findings about a database of DATABASES (its state, what migrates there): none on an alias Django does not have. */
const ON_A_DATABASE = new Set<string>([...STATE_CODES, 'routing-fall-through']);

/**
 * Replace the static facts of `index` by Django's, one by one, and list every difference.
 * Static-only knowledge Django does not report (relation fields, source locations, literal attributes) is kept.
 */
export function mergeDjangoAnswer(index: ProjectIndex, answer: DjangoAnswer | DjangoReport, opts: MergeOptions = {}): { index: DjangoIndex; disagreements: Disagreement[] } {
  const rep: DjangoReport = 'report' in answer && (answer as DjangoAnswer).ok ? (answer as DjangoAnswer).report : (answer as DjangoReport);
  const dis: Disagreement[] = [];
  // what the static index read when Django was asked (files read again since are newer than Django's answer)
  const asked = askedAbout(rep, index, opts.unsaved);
  const aliases = rep.databases.map(d => d.alias);

  // --- settings: databases and routers ---------------------------------------------------------------------------
  let settings: SettingsInfo | null = index.settings;
  if (settings) {
    const byAlias = new Map(settings.databases.map(d => [d.alias, d]));
    const databases = rep.databases.map(d => {
      const s = byAlias.get(d.alias);
      if (!s) {
        dis.push({ kind: 'database', alias: d.alias, static: null, django: { engine: d.engine, name: d.name }, note: 'static analysis did not find this alias in DATABASES' });
        return { alias: d.alias, engine: d.engine, name: d.name };
      }
      if (s.engine !== d.engine) {
        dis.push({ kind: 'database', alias: d.alias, static: { engine: s.engine }, django: { engine: d.engine }, note: s.engine === null ? 'static analysis could not decide' : 'ENGINE differs', path: s.loc?.path, line: s.loc?.line });
      }
      if (s.name !== d.name && !(s.name && d.name && path.resolve(path.dirname(index.managePy ?? index.root + '/x'), s.name) === path.resolve(path.dirname(index.managePy ?? index.root + '/x'), d.name))) {
        dis.push({ kind: 'database', alias: d.alias, static: { name: s.name }, django: { name: d.name }, note: s.name === null ? 'static analysis could not decide' : 'NAME differs', path: s.loc?.path, line: s.loc?.line });
      }
      return { ...s, engine: d.engine, name: d.name };
    });
    for (const s of settings.databases) {
      if (!aliases.includes(s.alias)) dis.push({ kind: 'database', alias: s.alias, static: { engine: s.engine, name: s.name }, django: null, note: 'Django has no such alias', path: s.loc?.path, line: s.loc?.line });
    }
    const staticRouters = settings.routers;
    if (!sameElements(staticRouters, rep.routers)) {
      dis.push({
        kind: 'router', static: staticRouters, django: rep.routers,
        note: staticRouters.some(r => r === null) ? 'static analysis could not decide' : 'DATABASE_ROUTERS differ', path: settings.path ?? undefined,
      });
    }
    // (DATABASES and DATABASE_ROUTERS the static reading could not read are Django's now: NAV's routers)
    const { unreadable: _unreadable, ...rest } = settings;
    settings = { ...rest, databases, routers: [...rep.routers] };
  } else {
    settings = {
      module: rep.settingsModule, path: null, databases: rep.databases.map(d => ({ alias: d.alias, engine: d.engine, name: d.name })),
      routers: [...rep.routers], installedApps: rep.apps.map(a => a.module), migrationModules: {},
      authUserModel: rep.authUserModel ?? 'auth.User', values: {}, unknowns: [],
    };
    dis.push({ kind: 'database', static: null, django: rep.databases.map(d => d.alias), note: 'static analysis could not read the settings' });
  }

  // --- apps --------------------------------------------------------------------------------------------------------
  // (the same objects while the static apps are: a models or migrations edit merges no app again, ~2 ms of every merge)
  const apps: AppInfo[] = section(rep, 'apps', [index.apps, index.root], () => {
    const staticApps = new Map(index.apps.map(a => [a.label, a]));
    return rep.apps.map(a => {
      const s = staticApps.get(a.label);
      if (s) return { ...s, migrationsModule: a.migrationsModule, migrationsDir: a.migrationsDir ?? s.migrationsDir };
      const external = a.path ? path.relative(index.root, a.path).startsWith('..') || path.isAbsolute(path.relative(index.root, a.path)) : false;
      return { label: a.label, module: a.module, entry: a.module, dir: a.path, external, migrationsModule: a.migrationsModule, migrationsDir: a.migrationsDir };
    });
  });

  // --- models ------------------------------------------------------------------------------------------------------
  const modelsPart = section(rep, 'models', [index.models], () => {
    const dis: Disagreement[] = [];
    const staticModels = new Map(index.models.filter(m => !m.abstract).map(m => [m.key, m]));
    const djangoKeys = new Set(rep.models.map(m => m.key));
    const models: ModelInfo[] = index.models.filter(m => m.abstract);
    for (const m of rep.models) {
      const s = staticModels.get(m.key);
      // A models file read again since Django answered (an edit, typed or saved, before Django is asked again): its
      // static reading is the newer one; a model Django has that the edit took away is gone.
      if (s ? asked.models.get(m.key) !== s : asked.models.has(m.key)) {
        if (s) models.push(s);
        continue;
      }
      models.push(rowOf(rep, 'model', m, [s], dis, dis => {
        const swapped = !!m.swapped;
        if (!s) {
          dis.push({ kind: 'model', model: m.key, static: null, django: { managed: m.managed, proxy: m.proxy, table: m.table }, note: 'static analysis did not find this model', path: m.path ?? undefined, line: m.line ?? undefined });
          return {
            app: m.app, name: m.name, key: m.key, managed: m.managed, proxy: m.proxy, abstract: false, swapped, table: m.table, modelName: m.modelName,
            loc: { path: m.path ?? '', line: m.line ?? 1 }, bases: [], fields: [], attrs: {}, meta: {},
          };
        }
        const diffs: string[] = [];
        if (s.managed !== m.managed) diffs.push('managed');
        if (s.proxy !== m.proxy) diffs.push('proxy');
        if (s.swapped !== swapped) diffs.push('swapped');
        if (s.table !== m.table) diffs.push('table');
        if (diffs.length) {
          dis.push({
            kind: 'model', model: m.key, static: { managed: s.managed, proxy: s.proxy, swapped: s.swapped, table: s.table },
            django: { managed: m.managed, proxy: m.proxy, swapped, table: m.table }, note: `${diffs.join(', ')} differ`, path: s.loc.path, line: s.loc.line,
          });
        }
        return { ...s, managed: m.managed, proxy: m.proxy, swapped, table: m.table, modelName: m.modelName };
      }));
    }
    /** models new since Django answered (typed or saved before Django is asked again): their routing is the static one */
    const staticOnly = new Set<string>();
    for (const [key, s] of staticModels) {
      if (djangoKeys.has(key)) continue;
      if (asked.models.get(key) !== s) {
        models.push(s);
        staticOnly.add(key);
      } else dis.push({ kind: 'model', model: key, static: { managed: s.managed, proxy: s.proxy, table: s.table }, django: null, note: 'Django has no such model (app not installed, or not a model)', path: s.loc.path, line: s.loc.line });
    }
    const same = sameItems(lastOf<{ models: ModelInfo[] }>(rep, 'models')?.models, models);
    const modelByKey = new Map(same.map(m => [m.key, m]));

    return { models: same, modelByKey, staticModels, djangoKeys, staticOnly, dis };
  });
  const { models, modelByKey, staticModels, djangoKeys, staticOnly } = modelsPart;
  dis.push(...modelsPart.dis);
  // --- routing -----------------------------------------------------------------------------------------------------
  // What the routing rows read of the models: the keys of the static models Django reports too, and the model objects
  // of the rows the static index has no decision for (their place). A models edit that changes none of
  // these (a field's target, a line typed above a class) merges no routing row again: 6,000 rows on the benchmark
  // project, 11 ms of every such merge. The static routing is compared by its rows (an edit's index keeps the rows
  // that did not change, in a new array).
  const lastRouting = lastOf<{ routingIn: RouterDecision[]; livesIn: RouterDecision[]; undecided: string[] }>(rep, 'routing');
  // Django's rows read the static rows of the models Django reports only: a model new since Django answered (typed
  // or saved) changes none of them, and its static rows are added after (the section is not computed again: 6,000
  // rows, ~15 ms of every merge while a new model is typed)
  const ofReported = (rows: RouterDecision[]) => (staticOnly.size ? rows.filter(d => djangoKeys.has(d.model)) : rows);
  const routingIn = sameItems(lastRouting?.routingIn, ofReported(index.routing));
  // and the static "lives on" rows of those models the same way (a new model's rows would make the whole section
  // computed again, ~10 ms of every merge while a model is typed; the rows of the others are the same objects)
  const livesIn = sameItems(lastRouting?.livesIn, ofReported(index.lives ?? []));
  const modelKeys = [...staticModels.keys()].filter(k => djangoKeys.has(k)).join('\0');
  const staticAliasKey = [...new Set(index.routing.map(d => d.alias))].join('\0');
  const undecidedModels = (lastRouting?.undecided ?? []).map(k => modelByKey.get(k));
  const routingRest = [index.routerLocs, modelKeys, staticAliasKey, ...undecidedModels];
  const routingPart = section(rep, 'routing', [routingIn, livesIn, ...routingRest], (): RoutingPart => {
    const staticAliases = new Set(staticAliasKey.split('\0'));
    let staticRouting: DecisionMap | undefined;
    /** Django's row `row` merged with the static reading: its routing and lives rows, its disagreements in `dis` */
    const merge = (row: DjangoRoutingRow, dis: Disagreement[]): { routing: RouterDecision; lives: RouterDecision; undecided: boolean } => {
      const s = (staticRouting ??= indexDecisions(routingIn)).get(row.alias, row.model);
      // A decision the static reading has changed since Django answered (a router or setting edited, typed or saved,
      // before Django is asked again): its static reading is the newer one, as for an edited model or migration.
      // Only an answer that changed (where to migrate, or which router decides), and one the static reading knows: a
      // line typed above a router moves its places and changes no answer, and Django's answer stays.
      // (Django asked while a router was typed: it read the file on disk, so a static answer that differs from
      // Django's is the buffer's, newer)
      const then = asked.routingFromBuffer ? row : asked.routing.get(row.alias, row.model);
      if (s && s.migrate !== null && then && (then.migrate !== s.migrate || then.decidedBy !== s.decidedBy)) {
        // (livesDecisions: the lives row of the pair, else its routing row; looked up without a map of both)
        return { routing: s, lives: indexDecisions(livesIn).get(row.alias, row.model) ?? s, undecided: false };
      }
      const loc = row.decidedBy ? index.routerLocs[row.decidedBy]?.allowMigrate ?? index.routerLocs[row.decidedBy]?.cls : undefined;
      // (the model's location places a disagreement the static index has no decision for)
      const model = s ? undefined : modelByKey.get(row.model);
      const known = !s && staticAliases.has(row.alias) && staticModels.has(row.model);
      const routing = rowOf(rep, 'routing', row, [s, loc, model, known], dis, dis => {
        const reason = ROUTING_REASON[row.reason];
        const where = s?.loc ?? model?.loc;
        const at = where ? { path: where.path, line: where.line } : {};
        if (!s) {
          if (known) dis.push({ kind: 'routing', alias: row.alias, model: row.model, static: null, django: { migrate: row.migrate, decidedBy: row.decidedBy, reason }, note: 'static analysis has no decision for this model', ...at });
        } else if (s.migrate === null && row.migrate !== null) {
          dis.push({ kind: 'routing', alias: row.alias, model: row.model, static: describeStatic(s), django: { migrate: row.migrate, decidedBy: row.decidedBy, reason }, note: 'static analysis could not decide', ...at });
        } else if (s.migrate !== row.migrate) {
          dis.push({ kind: 'routing', alias: row.alias, model: row.model, static: describeStatic(s), django: { migrate: row.migrate, decidedBy: row.decidedBy, reason }, note: row.migrate === null ? `Django could not decide: ${row.error ?? 'a router raised'}` : 'static analysis was wrong', ...at });
        } else if (s.decidedBy !== row.decidedBy || s.reason !== reason) {
          dis.push({ kind: 'routing', alias: row.alias, model: row.model, static: describeStatic(s), django: { migrate: row.migrate, decidedBy: row.decidedBy, reason }, note: 'same answer, decided by another router or for another reason', ...at });
        }
        return {
          alias: row.alias, model: row.model, migrate: row.migrate, decidedBy: row.decidedBy, reason, source: 'django', explanation: explain(row),
          // the deciding `return` where the static reading has the same answer by the same router, else the method
          ...(s?.loc && s.decidedBy === row.decidedBy && s.migrate === row.migrate ? { loc: s.loc } : loc ? { loc } : {}),
        } satisfies RouterDecision;
      });
      // Django's answer alone: the same object for the report's lifetime
      const lives = rowOf(rep, 'lives', row, [], dis, (): RouterDecision => ({
        alias: row.alias, model: row.model, migrate: row.lives, decidedBy: row.livesDecidedBy,
        reason: row.lives === null ? 'unknown' : row.livesDecidedBy ? 'router' : 'default', source: 'django',
      }));
      return { routing, lives, undecided: !s };
    };
    const reported = djangoRoutingAt(rep).at;
    /** a static decision Django did not report (of a model and an alias it has) */
    const unreported = (s: RouterDecision): Disagreement | null =>
      placeOf(reported, s) === undefined && djangoKeys.has(s.model) && aliases.includes(s.alias)
        ? { kind: 'routing', alias: s.alias, model: s.model, static: describeStatic(s), django: null, note: 'Django did not report this pair' }
        : null;
    const last = lastOf<RoutingPart>(rep, 'routing');
    const patched = !opts.whole && last ? patchRouting(last, rep, routingIn, livesIn, routingRest, merge, unreported) : null;
    if (patched) return patched;

    const undecided: string[] = [];
    const routing: RouterDecision[] = [];
    const lives: RouterDecision[] = [];
    const rowDis: Disagreement[][] = [];
    for (const row of rep.routing) {
      const own: Disagreement[] = [];
      const r = merge(row, own);
      routing.push(r.routing);
      lives.push(r.lives);
      if (r.undecided) undecided.push(row.model);
      rowDis.push(own.length ? own : NO_DISAGREEMENTS);
    }
    const tailDis = routingIn.map(unreported);
    return {
      routing: sameItems(last?.routing, routing), lives: sameItems(last?.lives, lives), dis: joinDisagreements(rowDis, tailDis),
      routingIn, livesIn, rest: routingRest, undecided, rowDis, tailDis,
    };
  });
  // a model new since Django answered: the static decisions, until Django is asked again (the same arrays while they
  // are the same rows)
  let { routing, lives } = routingPart;
  if (staticOnly.size) {
    const staticLives = livesDecisions(index.routing, index.lives);
    const extra: RouterDecision[] = [];
    const extraLives: RouterDecision[] = [];
    for (const s of index.routing) {
      if (!staticOnly.has(s.model) || !aliases.includes(s.alias)) continue;
      extra.push(s);
      extraLives.push(staticLives.get(s.alias, s.model) ?? s);
    }
    const last = lastOf<{ routing: RouterDecision[]; lives: RouterDecision[] }>(rep, 'routingWithNew');
    const next = section(rep, 'routingWithNew', [routing, lives, ...extra, null, ...extraLives], () => {
      const withNew = { routing: sameItems(last?.routing, [...routing, ...extra]), lives: sameItems(last?.lives, [...lives, ...extraLives]) };
      // (their maps: Django's rows' with the new model's over them)
      indexDecisionsOver(withNew.routing, routing, extra);
      indexDecisionsOver(withNew.lives, lives, extraLives);
      return withNew;
    });
    routing = next.routing;
    lives = next.lives;
  }
  dis.push(...routingPart.dis);
  // --- db_for_read / db_for_write ----------------------------------------------------------------------------------
  const dbRoutesPart = index.dbRoutes && rep.dbRoutes
    ? section(rep, 'dbRoutes', [index.dbRoutes, index.routerLocs], () => mergeDbRoutes(rep, index.dbRoutes!, asked, index.routerLocs, lastOf<{ routes: DbRoutes }>(rep, 'dbRoutes')?.routes))
    : null;
  const dbRoutes = dbRoutesPart?.routes ?? index.dbRoutes;
  if (dbRoutesPart) dis.push(...dbRoutesPart.dis);
  // --- migrations --------------------------------------------------------------------------------------------------
  // (Django's row per migration and the static reading, as one: the static row when its file was read again since
  // Django answered, else Django's with what only the source says; `dis` gets their disagreements)
  const migrationRow = (m: DjangoMigrationRow, s: MigrationFileInfo | undefined, dis: Disagreement[]): { row: MigrationFileInfo; edited: string | null } => {
    // A migration file read again since Django answered (an edit, typed or saved, before Django is asked again):
    // the static reading is the newer one, and Django's row is of the file as it was. It is taken as read, and the
    // graph's findings about it stay (a dependency typed on a migration that does not exist).
    if (s && asked.migrations.get(m.key) !== s) return { row: s, edited: s.path };
    return { edited: null, row: rowOf(rep, 'migration', m, [s], dis, dis => {
      const deps = m.dependencies.map(d => [d[0], d[1]] as [string, string]);
      const replaces = m.replaces.map(d => [d[0], d[1]] as [string, string]);
      const runBefore = m.runBefore.map(d => [d[0], d[1]] as [string, string]);
      if (!s) {
        dis.push({ kind: 'migration', migration: m.key, app: m.app, static: null, django: { dependencies: deps, replaces }, note: 'static analysis did not find this migration', path: m.path ?? undefined, line: 1 });
        return { app: m.app, name: m.name, key: m.key, path: m.path ?? '', dependencies: deps, replaces, runBefore, initial: m.initial, operations: m.operations.map(o => ({ ...o })) };
      }
      const diffs: string[] = [];
      const sd = pairsKey(s.dependencies), dd = pairsKey(deps);
      if (!sameElements([...sd].sort(), [...dd].sort())) diffs.push('dependencies');
      if (!sameElements(pairsKey(s.replaces), pairsKey(replaces))) diffs.push('replaces');
      if (!sameElements(pairsKey(s.runBefore), pairsKey(runBefore))) diffs.push('run_before');
      if ((s.initial ?? null) !== (m.initial ?? null)) diffs.push('initial');
      const sOps = s.operations.map(o => o.kind), dOps = m.operations.map(o => o.kind);
      if (!s.partial && !sameElements(sOps, dOps)) diffs.push('operations');
      if (diffs.length) {
        dis.push({
          kind: 'migration', migration: m.key, app: m.app,
          static: { dependencies: s.dependencies, replaces: s.replaces, runBefore: s.runBefore, initial: s.initial, operations: sOps },
          django: { dependencies: deps, replaces, runBefore, initial: m.initial, operations: dOps },
          note: `${diffs.join(', ')} differ${s.partial ? ' (static analysis read the file only partly)' : ''}`, path: s.path, line: 1,
        });
      }
      // Django's operation list, with what only the source says (RunPython/RunSQL hints, lines, the database
      // operations of SeparateDatabaseAndState) kept from the static reading where the two lists agree
      const operations = m.operations.map((o, i) => {
        const so = s.operations[i];
        return so && so.kind === o.kind && !s.partial ? { ...so, ...o } : { ...o };
      });
      return { ...s, dependencies: deps, replaces, runBefore, initial: m.initial, operations, partial: false };
    }) };
  };
  const migrationsPart = section(rep, 'migrations', [index.migrations], (): MigrationsPart => {
    const dis: Disagreement[] = [];
    // Django could not load the graph at all (informal-system: a missing merge migration, NodeNotFoundError): it
    // loads no migration, which is one fact, not one disagreement per migration; the static reading stays
    if (rep.graph.error && !rep.migrations.length) {
      if (index.migrations.length) dis.push({ kind: 'migration', static: { migrations: index.migrations.length }, django: null, note: `Django could not load the migrations (${rep.graph.error}); the static reading of the ${index.migrations.length} migration files is shown` });
      return { migrations: index.migrations, dis, edited: new Set<string>() };
    }
    const last = lastOf<MigrationsPart>(rep, 'migrations');
    const patched = !opts.whole && last?.rows && patchMigrations(last, index.migrations, rep.migrations, migrationRow);
    if (patched) return patched;
    const staticMigs = new Map(index.migrations.map(m => [m.key, m]));
    const djMigKeys = new Set(rep.migrations.map(m => m.key));
    const migrations: MigrationFileInfo[] = [];
    const edited = new Set<string>();
    // (each Django row's disagreements and edited file, for patchMigrations; not kept when two files have one key)
    const rows: MigrationRowPart[] = [];
    for (const m of rep.migrations) {
      const own: Disagreement[] = [];
      const r = migrationRow(m, staticMigs.get(m.key), own);
      migrations.push(r.row);
      if (r.edited) edited.add(r.edited);
      dis.push(...own);
      rows.push({ dis: own, edited: r.edited });
    }
    const tail: Disagreement[] = [];
    const tailEdited: string[] = [];
    for (const [key, s] of staticMigs) {
      if (djMigKeys.has(key)) continue;
      if (!asked.migrations.has(key)) {
        // a migration file new since Django answered
        migrations.push(s);
        edited.add(s.path);
        tailEdited.push(s.path);
      } else tail.push({ kind: 'migration', migration: key, app: s.app, static: { path: s.path }, django: null, note: 'Django does not load this migration', path: s.path, line: 1 });
    }
    dis.push(...tail);
    const unique = staticMigs.size === index.migrations.length;
    return {
      migrations: sameItems(last?.migrations, migrations), dis, edited,
      ...(unique ? { rows, tail, tailEdited, statics: index.migrations } : {}),
    };
  });
  const { migrations, edited } = migrationsPart;
  dis.push(...migrationsPart.dis);
  const staticConflicts = new Map<string, string[]>();
  for (const f of index.findings) if (f.code === 'migration-conflict' && f.app) staticConflicts.set(f.app, (f.migrations ?? []).map(k => k.slice(f.app!.length + 1)).sort());
  // (a graph Django could not load has no leaves to compare)
  const conflictApps = rep.graph.error && !rep.migrations.length ? new Set<string>() : new Set([...staticConflicts.keys(), ...Object.keys(rep.graph.conflicts)]);
  for (const app of conflictApps) {
    const a = staticConflicts.get(app) ?? [], b = [...(rep.graph.conflicts[app] ?? [])].sort();
    if (!sameElements(a, b)) dis.push({ kind: 'conflict', app, static: a, django: b, note: a.length ? (b.length ? 'different leaf migrations' : 'Django sees no conflict') : 'static analysis missed this conflict' });
  }

  // --- state and plans ---------------------------------------------------------------------------------------------
  const applied: Record<string, AppliedState> = { ...index.applied };
  const plans: Record<string, string[] | null> = { ...index.plans };
  const planSource: Record<string, 'static' | 'django'> = {};
  for (const a of Object.keys(index.plans)) planSource[a] = 'static';
  const planDetails: Record<string, DjangoPlannedMigration[] | null> = {};
  const historyErrors: Record<string, string> = {};
  const noDriver: Finding[] = [];
  for (const [alias, st] of Object.entries(rep.status)) {
    const s = index.applied[alias];
    if (st.driverMissing) {
      // Django cannot load this backend here (no driver in the project's environment): the static reading of
      // the database stays, and the reason is said once for the alias
      noDriver.push({ code: 'django-unavailable', severity: 'info', path: index.managePy, line: null, alias, message: st.error ?? `Django cannot load the database backend of '${alias}'` });
      if (s) {
        dis.push({ kind: 'status', alias, static: { reachable: s.reachable, error: s.error }, django: { reachable: false, error: st.error }, note: 'Django has no driver for this database in the project\'s environment; the static reading is kept' });
        continue;
      }
    }
    const next: AppliedState = {
      alias, reachable: st.reachable === true, applied: st.applied, error: st.error, appliedKeys: new Set(st.appliedKeys), exists: st.exists === true, source: 'django',
    };
    if (s) {
      if (s.reachable !== next.reachable) {
        dis.push({ kind: 'status', alias, static: { reachable: s.reachable, error: s.error }, django: { reachable: next.reachable, error: next.error }, note: next.reachable ? 'Django could read the database' : 'Django could not read the database' });
      } else if (s.reachable && (s.applied !== next.applied || s.exists !== next.exists)) {
        dis.push({ kind: 'status', alias, static: { applied: s.applied, exists: s.exists }, django: { applied: next.applied, exists: next.exists }, note: 'different django_migrations contents' });
      }
    }
    applied[alias] = next;
    if (st.historyError) historyErrors[alias] = st.historyError;
    const dPlan = rep.plans[alias] ?? null;
    if (alias in index.plans) {
      const sPlan = index.plans[alias] ?? null;
      if (sPlan === null || dPlan === null) {
        if (sPlan !== dPlan) dis.push({ kind: 'plan', alias, static: sPlan, django: dPlan, note: dPlan === null ? 'Django could not compute a plan' : 'static analysis had no plan' });
      } else if (!sameElements(sPlan, dPlan)) {
        const sSet = new Set(sPlan), dSet = new Set(dPlan);
        const missing = dPlan.filter(k => !sSet.has(k)), extra = sPlan.filter(k => !dSet.has(k));
        dis.push({
          kind: 'plan', alias, static: sPlan, django: dPlan,
          note: missing.length || extra.length
            ? `different migrations${missing.length ? `; static analysis missed ${missing.join(', ')}` : ''}${extra.length ? `; Django would not apply ${extra.join(', ')}` : ''}`
            : 'same migrations in another order',
        });
      }
    }
    plans[alias] = dPlan;
    planSource[alias] = 'django';
    planDetails[alias] = rep.planDetails[alias] ?? null;
  }

  // --- findings: recomputed from the merged facts -------------------------------------------------------------------
  const concrete = concreteModels(models);
  const answered = new Set(Object.entries(rep.status).filter(([a, st]) => !(st.driverMissing && index.applied[a])).map(([a]) => a));
  const djangoAliases = new Set(aliases);
  // what the static reading of the settings could not know (a value read from a file, `SECRETS.get(…)`; a module that
  // raises when imported here): Django imported them, its values are the ones shown (djangoproject.com's secrets.json)
  const staticSettings = index.settings ? section(rep, 'staticSettings', [index.settings], () => new Set(settingsFindings(index.settings!).map(f => f.message))) : null;
  const keep = index.findings.filter(f => {
    if (f.code === 'settings-unknown' && staticSettings?.has(f.message)) return false;
    if (f.code === 'cross-db-foreign-key' || f.code === 'unknown-routing' || f.code === 'migration-conflict') return false;
    // an alias only the static reading has (Flagsmith's replica_0 where Django has replica_1): Django has no such
    // database, its disagreement says so, and nothing is reported on it (the findings about an alias that is not
    // in DATABASES, unknown-alias, are about exactly that, and stay)
    if (f.alias && djangoAliases.size && !djangoAliases.has(f.alias) && ON_A_DATABASE.has(f.code)) return false;
    if ((f.code === 'database-unreachable' || f.code === 'pending-migrations') && f.alias && answered.has(f.alias)) return false;
    if (f.code === 'missing-dependency' && !rep.graph.error && !(f.path && edited.has(f.path))) return false;
    if (f.code === 'settings-unknown' && !index.settings) return false;
    if (f.code === 'settings-error') return false; // Django imported the settings: the static reading was wrong
    if (f.code === 'missing-migration' && rep.missing) return false; // Django's autodetector answered: its list is exact
    if (ROUTE_LINTS.has(f.code) && settings) return false; // made again from Django's routing and routes (below)
    return true;
  });
  const findings: Finding[] = [...keep, ...noDriver];
  // (the routing as merged: the rows of models new since Django answered included, which routingPart does not hold)
  const lastRelations = lastOf<Relations>(rep, 'relations');
  findings.push(...section(rep, 'relations', [models, routing, lives], (): Relations => {
    // a models edit that changed the routing rows of a few models at most (a foreign key's target typed, a new model):
    // the relations of the models edited or routed again and of those pointing to them are read again (the benchmark
    // project: ~5 ms of every such merge), as in the index
    const cross = crossDatabaseRelationsFrom(lastRelations, concrete, routing, lives, indexDecisions(routing), indexDecisions(lives), aliases);
    return {
      findings: [
        ...cross.findings,
        ...unknownRoutingFindings(concrete, routing).map(f => ({ ...f, message: f.message.replace('cannot be decided statically', 'could not be decided by Django either') })),
      ],
      cross, concrete, routing, lives,
    };
  }).findings);
  if (settings) {
    // reads and writes sent where allow_migrate never creates the table, mirrors that migrate, databases that get
    // models only because every router returned None: with Django's answers
    const s = settings;
    // (the merged settings are a new object every merge, made from the static ones and the report: those are the inputs)
    const twins = section(rep, 'twins', [index.settings], () => twinsOf({ settings: s, managePy: index.managePy, root: index.root }));
    const own = ownDatabases(aliases, twins);
    findings.push(...section(rep, 'fallThroughLints', [index.settings, routing, dbRoutes], () => [
      ...fallThroughAliasFindings(routing, own), ...routedFallThroughFindings(routing, dbRoutes, own),
    ]));
    if (dbRoutes) {
      findings.push(...section(rep, 'routeLints', [index.settings, modelsView(concrete), routing, dbRoutes, apps], () => routeConsistencyFindings({
        settings: s, models: concrete, routing, read: dbRoutes.read, write: dbRoutes.write, twins,
        externalApps: new Set(apps.filter(a => a.external).map(a => a.label)),
        // (where the static reading places them: the settings module's DATABASE_ROUTERS line)
        routersAt: { path: s.path, line: index.routersLine ?? null },
      })));
    }
  }
  findings.push(...section(rep, 'conflicts', [migrationsPart], () => conflictFindings(rep.graph.conflicts, migrations)));
  findings.push(...missingMigrationFindings(rep.missing ?? null, apps, models));
  if (rep.graph.error && !keep.some(f => f.code === 'missing-dependency')) {
    findings.push({ code: 'missing-dependency', severity: 'error', path: null, line: null, message: `Django cannot build the migration graph: ${rep.graph.error}` });
  }
  const answeredState = Object.fromEntries(Object.entries(applied).filter(([a]) => answered.has(a)));
  findings.push(...stateFindings(answeredState, plans, settings));

  const extras: DjangoExtras = {
    django: rep.django, python: rep.python, executable: rep.executable, planSource, planDetails, lives, historyErrors,
    graphError: rep.graph.error, disagreements: dis, timings: rep.timings,
  };
  const merged: DjangoIndex = {
    ...index, settings, apps, models, routing, migrations, applied, plans, findings, django: extras, ...(dbRoutes ? { dbRoutes } : {}),
    timings: { ...index.timings, djangoHelper: rep.timings.total ?? 0 },
  };
  return { index: merged, disagreements: dis };
}

/** The same answer: where to, who decided, among which choices. */
function sameRoute(a: DbRoute, b: DbRoute): boolean {
  return a.alias === b.alias && a.decidedBy === b.decidedBy && a.reason === b.reason && (a.choices ?? []).join('\0') === (b.choices ?? []).join('\0');
}

function describeRoute(r: DbRoute): unknown {
  return { alias: r.alias, decidedBy: r.decidedBy, reason: r.reason, ...(r.choices ? { choices: r.choices } : {}) };
}

/**
 * Django's db_for_read / db_for_write answers merged with the static ones, model by model. The static answer stays
 * where it is newer (a router typed since Django answered), where it knows more (the aliases a router picks from at
 * run time, of which Django's calls gave some) and where it reads state set at run time (a thread-local: Django, asked
 * outside a request, saw one case). Otherwise Django's answer is kept, and a difference is a disagreement.
 */
function mergeDbRoutes(rep: DjangoReport, statics: DbRoutes, asked: Asked, routerLocs: ProjectIndex['routerLocs'], last: DbRoutes | undefined): { routes: DbRoutes; dis: Disagreement[] } {
  const dis: Disagreement[] = [];
  let memo = ROUTE_MEMOS.get(rep);
  if (!memo) ROUTE_MEMOS.set(rep, (memo = { rows: new Map(rep.dbRoutes!.map(r => [r.model, r])), routerLocs, read: new WeakMap(), write: new WeakMap() }));
  if (memo.routerLocs !== routerLocs) Object.assign(memo, { routerLocs, read: new WeakMap(), write: new WeakMap() });
  const { rows } = memo;
  const side = (key: 'read' | 'write'): DbRoute[] => {
    const method = key === 'read' ? 'db_for_read' : 'db_for_write';
    const byStatic = memo[key];
    return statics[key].map(s => {
      // (a static route merged before: the same answer, Django's rows and the asked index being the report's)
      const hit = byStatic.get(s);
      if (hit) { if (hit.dis.length) dis.push(...hit.dis); return hit.route; }
      const own: Disagreement[] = [];
      const route = mergeRoute(s, own);
      byStatic.set(s, { route, dis: own });
      dis.push(...own);
      return route;
    });
    function mergeRoute(s: DbRoute, dis: Disagreement[]): DbRoute {
      const row = rows.get(s.model);
      const then = asked.dbRoutes?.[key].get(s.model);
      // a model Django does not have (new since it answered), one read from an unsaved buffer when Django was asked
      // (Django read the disk), or a route the static reading has anew since
      if (!row || !asked.models.has(s.model) || (then && then !== s && !sameRoute(then, s))) return s;
      const d = row[key];
      // a router's module was an unsaved buffer when Django was asked: Django read the disk, a static answer that
      // differs from Django's is the buffer's (as for the routing rows)
      if (asked.routingFromBuffer && !(s.alias === d.alias && s.decidedBy === d.decidedBy)) return s;
      // (a router edit evaluates every route again, mostly to the same answers: a row is merged again when its answer,
      // explanation or place changed, not for a new object)
      return rowOf(rep, `dbRoute:${key}`, d, [routeKey(s), routerLocs[d.decidedBy ?? '']?.cls], dis, dis => {
        const at = s.loc ? { path: s.loc.path, line: s.loc.line } : {};
        const disagree = (note: string) => dis.push({ kind: 'dbRoute', model: s.model, static: describeRoute(s), django: { method, ...d }, note, ...at });
        if (d.error) {
          // (a router reading a request's state may raise outside a request: Django's answer is then no answer)
          if (s.alias !== null || s.runtime || s.choices) {
            if (s.alias !== null) disagree(`Django: ${method} raised ${d.error}`);
            return s;
          }
          return { model: s.model, alias: null, decidedBy: null, reason: 'unknown', explanation: `Django: ${method} raised ${d.error}`, source: 'django', ...(s.loc ? { loc: s.loc } : {}) };
        }
        const picks = d.choices ?? (d.alias !== null ? [d.alias] : []);
        // the static reading knows the aliases picked at run time, of which Django's calls gave some: picked at random
        // (Django's calls gave several, or one: a weighted pick, a pick per process), or by state set at run time (a
        // request's flag: Django, outside a request, one). Choices of code the static reading could not follow (a
        // hash of the label) are Django's one answer.
        if (s.alias === null && s.choices && picks.every(a => s.choices!.includes(a)) && (d.choices || s.runtime)) return s;
        // state set at run time (a thread-local): Django, asked outside a request, saw one case
        if (s.alias === null && s.runtime && !s.choices && !d.choices) {
          return { ...s, explanation: `${s.explanation}; Django, asked outside a request, answers '${d.alias}'` };
        }
        const loc = s.decidedBy === d.decidedBy && s.loc ? s.loc : d.decidedBy ? routerLocs[d.decidedBy]?.cls : undefined;
        const merged: DbRoute = d.choices
          ? {
              model: s.model, alias: null, decidedBy: d.decidedBy, reason: 'unknown', choices: d.choices, source: 'django',
              explanation: `Django: ${d.decidedBy}.${method} gave ${d.choices.map(a => `'${a}'`).join(', ')} in repeated calls (chosen at run time)`, ...(loc ? { loc } : {}),
            }
          : {
              model: s.model, alias: d.alias, decidedBy: d.decidedBy, reason: d.decidedBy ? 'router' : 'default', source: 'django',
              explanation: s.alias === d.alias && s.decidedBy === d.decidedBy ? s.explanation
                : d.decidedBy ? `Django: ${d.decidedBy}.${method} returned '${d.alias}'` : `Django: every router's ${method} returned None, so 'default'`,
              ...(loc ? { loc } : {}),
            };
        if (s.alias === null) disagree('static analysis could not decide');
        else if (!sameRoute(s, merged)) disagree(s.alias === merged.alias ? 'same database, decided by another router' : 'static analysis was wrong');
        return merged;
      });
    }
  };
  return { routes: { read: sameItems(last?.read, side('read')), write: sameItems(last?.write, side('write')) }, dis };
}

/**
 * What the router lints read of the models (lints/route-consistency.ts: the label, app, proxy's concrete model, managed,
 * swapped, where it is defined), as one string: a field's target typed leaves it the same, and the lints are not made again.
 */
function modelsView(models: readonly ModelInfo[]): string {
  let v = MODELS_VIEW.get(models);
  if (v === undefined) MODELS_VIEW.set(models, (v = models.map(m => `${m.key}|${m.app}|${m.proxy ? m.concreteModel ?? '?' : ''}|${m.managed}|${m.swapped}|${m.loc.path}:${m.loc.line}`).join('\n')));
  return v;
}
const MODELS_VIEW = new WeakMap<readonly ModelInfo[], string>();

/**
 * Per Django answer: its routes by model, and each static route merged (with its disagreements) while the routers'
 * places are the same: an edit's routes are mostly the objects of the last index, each merged once.
 */
interface RouteMemo {
  rows: Map<string, DjangoDbRouteRow>;
  routerLocs: ProjectIndex['routerLocs'];
  read: WeakMap<DbRoute, { route: DbRoute; dis: Disagreement[] }>;
  write: WeakMap<DbRoute, { route: DbRoute; dis: Disagreement[] }>;
}
const ROUTE_MEMOS = new WeakMap<DjangoReport, RouteMemo>();

/** Everything of a static route a merged row reads. */
function routeKey(r: DbRoute): string {
  let k = ROUTE_KEYS.get(r);
  if (k === undefined) ROUTE_KEYS.set(r, (k = `${r.alias}\0${r.decidedBy}\0${r.reason}\0${r.choices?.join(',') ?? ''}\0${r.runtime ? 1 : 0}\0${r.loc ? `${r.loc.path}:${r.loc.line}` : ''}\0${r.explanation}`));
  return k;
}
/** (per route object: the routes of the models an edit did not touch are the same objects) */
const ROUTE_KEYS = new WeakMap<DbRoute, string>();

/**
 * `missing-migration`: models of a workspace app changed without a migration (what `makemigrations --check`
 * fails on), on the app's models file, with the changes Django lists. Apps outside the workspace (installed
 * packages) are left to their authors.
 */
export function missingMigrationFindings(missing: Record<string, { kind: string; describe: string }[]> | null, apps: AppInfo[], models: ModelInfo[]): Finding[] {
  if (!missing) return [];
  const out: Finding[] = [];
  for (const [label, ops] of Object.entries(missing)) {
    const app = apps.find(a => a.label === label);
    if (!app || app.external || !ops.length) continue;
    const model = models.find(m => m.app === label && !m.loc.path.includes(`${path.sep}migrations${path.sep}`));
    const file = model?.loc.path ?? (app.dir ? path.join(app.dir, 'models.py') : null);
    const shown = ops.slice(0, 5).map(o => o.describe).join('; ');
    out.push({
      code: 'missing-migration', severity: 'warning', path: file, line: model ? 1 : null, app: label,
      message: `${label} has model changes without a migration (makemigrations --check fails): ${shown}${ops.length > 5 ? `; and ${ops.length - 5} more` : ''}. Run "New Migration…" (makemigrations ${label}).`,
    });
  }
  return out;
}
