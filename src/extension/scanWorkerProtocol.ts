// Typed messages between the extension host (scannerClient.ts) and the scan worker thread (scanWorker.ts).
// Both sides import this file, so a renamed field is a compile error on both. Plain data only: everything
// here crosses `postMessage` by structured clone (no functions, no class instances; Sets and Maps are fine).
import type { ProjectIndex, ScanOptions } from '../core/scan';
import type { SettingsChoice } from '../core/settings/candidates';
import type { EnvFileChoice } from '../core/env/env-candidates';
import type { WireTable } from './wireTable';

/**
 * ScanOptions as they cross to the worker: without the logger (log lines come back as `log` messages) and the
 * AbortSignal (only Django mode uses it, and that stays on the main thread). `connectionOverrides` may hold
 * passwords: they cross in the `create` message only, and the worker never sends them back.
 */
export type WireScanOptions = Omit<ScanOptions, 'logger' | 'signal'>;

/**
 * The index `readState` starts from: a token when it is one the worker made (it keeps its own copy, so the
 * main thread does not clone thousands of migrations back), else the whole index.
 */
export type IndexRef = { token: number } | { full: ProjectIndex };

/**
 * The index a merge of Django's answer is for: an IndexRef, or (`behind`) the index of the `index` request sent right
 * before it for the same project, asked together (one trip instead of two: the worker merges as soon as it has it).
 */
export type MergeRef = IndexRef | { behind: true };

/** main thread → worker; every request gets exactly one `reply` with the same id */
export type WorkerRequest =
  | { id: number; op: 'create'; project: number; opts: WireScanOptions }
  /**
   * `base`: the token of the index the main thread holds; the reply then carries only what changed since it.
   * `known`: without a base, the digests of the properties of an index the main thread holds (the last session's,
   * core/index-by-key.ts): an answer from the index snapshot names the properties with the same digest in
   * `fromIndex` instead of sending them.
   */
  | { id: number; op: 'index'; project: number; base?: number; known?: Record<string, string>; firstAnswer?: boolean }
  /** `diffBase` (readState, django, mergeDjango): a kept result of the same kind the reply may be a difference from */
  | { id: number; op: 'readState'; project: number; index: IndexRef; aliases?: string[]; diffBase?: number }
  | { id: number; op: 'invalidate'; project: number; file: string }
  /** an unsaved editor buffer laid over a file (text), or taken away (null) — core/vfs.ts */
  | { id: number; op: 'overlay'; project: number; file: string; text: string | null }
  /** write the extension's start-up snapshot (model/snapshot.ts) of a kept index, with a few properties replaced */
  | { id: number; op: 'saveSnapshot'; project: number; token: number; write: SnapshotWrite; state?: number }
  /**
   * Django mode (core/scan.ts withDjango) for an index: the helper runs and its answer is merged in the worker, which
   * keeps Django's report; the reply is the merged index without it, as changes of `index`
   */
  | { id: number; op: 'django'; project: number; index: IndexRef; extras?: Partial<ProjectIndex>; state?: number; opts: WireDjangoOptions; diffBase?: number }
  /**
   * Django's report of the `django` call with token `django`, merged into a newer static index (`index`, with
   * `extras`: the top-level properties the main thread replaced, and `state`: the token of the database read whose
   * state the main thread carried over it, model/lastState.ts)
   */
  | { id: number; op: 'mergeDjango'; project: number; index: MergeRef; extras?: Partial<ProjectIndex>; state?: number; django: number; diffBase?: number }
  /** write the on-disk caches an index scheduled now (the extension is closing) */
  | { id: number; op: 'flush'; project: number }
  /** the worker's memory and pid (the "Show Analysis Status" document) */
  | { id: number; op: 'stats'; project: number }
  /** the settings modules the project could run with, each read (the "Choose Settings Module…" command) */
  | { id: number; op: 'settingsCandidates'; project: number }
  /** the project's env files, each read with the settings (the "Choose Env File…" command) */
  | { id: number; op: 'envFileCandidates'; project: number }
  | { id: number; op: 'dispose'; project: number };

/** The worker's own figures (`stats`): its process's memory, as Node reports it there. */
export interface WorkerStats { pid: number; rssBytes: number; heapUsedBytes: number; peakRssBytes: number }

/** This process's figures (the worker's answer to `stats`; the host's own when it indexes on its thread). */
export function processStats(): WorkerStats {
  const m = process.memoryUsage();
  // (maxRSS: kilobytes, the process's peak)
  return { pid: process.pid, rssBytes: m.rss, heapUsedBytes: m.heapUsed, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

/** What Django mode takes besides the Scanner's own options. */
export type WireDjangoOptions = Pick<ScanOptions, 'mode' | 'djangoTimeoutMs' | 'allowPython' | 'readDatabases' | 'databases'>;

export type WorkerOp = WorkerRequest['op'];

/**
 * `extras` replace properties of the kept index; `moreFindings` are added to its findings (the database state's,
 * carried over from the last read to an index made since: an edit while typing)
 */
export interface SnapshotWrite { dir: string; managePy: string; version: string; extras: Partial<ProjectIndex>; moreFindings?: ProjectIndex['findings'] }

/** what each op resolves to */
export interface WorkerResults {
  create: null;
  /**
   * The new index as `keys` (all its top-level properties, in order) and `changed`: the properties that are not
   * the very objects of the index `base` named (all of them when `base` is not the worker's last answer, see
   * `diffBase`). The incremental index keeps unchanged parts (models, migrations, routing) as the same objects,
   * so an edit sends the host what it changed, not thousands of migrations.
   */
  index: IndexChanges;
  /**
   * `readState` returns `{ ...index, applied, plans, findings, timings }`: only the top-level properties that are
   * not the very objects of the index it started from (or of `diffBase`, the request's, when the worker still keeps
   * it) cross back; `keys` lists all of them in order.
   */
  readState: IndexChanges;
  invalidate: null;
  overlay: { changed: boolean };
  saveSnapshot: null;
  /** `reported`: the answer came from Django (its report is kept in the worker for `mergeDjango`) */
  django: IndexChanges & { reported: boolean };
  mergeDjango: IndexChanges;
  flush: null;
  stats: WorkerStats;
  settingsCandidates: SettingsChoice[];
  envFileCandidates: EnvFileChoice[];
  dispose: null;
}

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** `stale-index`: the token of a readState is no longer kept; send the whole index */
  code?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** worker → main thread */
export type WorkerMessage =
  /** the bundle loaded and listens: from now on a stop is a crash, not a failure to start */
  | { type: 'ready' }
  /**
   * `parts`: the arrays the value sends that came before it as `part` messages (long arrays: a first index's models,
   * migrations and findings, Django's per-operation answer for an alias), in order, each by its path: the keys of
   * the `nested` changes it is in, then its key in their `changed`
   */
  | { type: 'reply'; id: number; ok: true; value: WorkerResults[WorkerOp]; parts?: string[][] }
  /**
   * A slice of a long array of a reply's `changed`, before the reply. One message of megabytes is read by the host
   * in one piece, its thread blocked meanwhile (70 ms for the benchmark project's first index); slices are read one
   * by one as they arrive, the host's event loop turning between them.
   */
  | { type: 'part'; id: number; path: string[]; items: unknown[] | WireTable }
  | { type: 'reply'; id: number; ok: false; error: WireError }
  /** a log line of the Scanner of `project` (already scrubbed of that project's passwords) */
  | { type: 'log'; project?: number; level: LogLevel; message: string };

export const STALE_INDEX = 'stale-index';
/** a request named a database read (`state`: its token) the worker no longer keeps: send its state instead */
export const STALE_STATE = 'stale-state';

/**
 * What the main thread never reads stays in the worker: `dbRoutes` (every model's db_for_read/db_for_write answers,
 * half a megabyte on a large project, sent again whenever routing changes) is for the CLI's report only. It is not
 * sent, and not kept in the start-up snapshot (model/snapshot.ts snapshotOf), which the main thread reads.
 */
export const WORKER_ONLY: ReadonlySet<string> = new Set(['dbRoutes']);

/**
 * A long array of the index (findings, routing, models, migrations) that changed in a few places, as the runs it
 * shares with the same property of the diff base (`from`, `len`: positions there), the items that are new, and
 * items of the diff base changed in a few properties (`edit`: its position there, `set`: those properties): an
 * edit sends the host the findings it changed, not all 1,000 of them, and of a finding whose line moved, its line.
 * Items are compared by identity, which the incremental index keeps for what did not change. A reply about an index
 * the main thread holds (a merge, a database read) also names runs of one of that index's arrays (`alt`, `len`, and
 * `of`: its name, e.g. `routing`): its own rows, e.g. the routing rows an edit changed, which the index's reply
 * carried already, also where another array holds them (Django's extras' `lives`).
 */
export type ArrayPatch = ({ from: number; len: number } | { items: unknown[] | WireTable } | { edit: number; set: Record<string, unknown> } | { alt: number; len: number; of: string })[];
export type Patches = Record<string, ArrayPatch>;
/**
 * An object as its properties (`keys`, in order), those that changed, arrays as patches of the ones before, and
 * plain objects as their own changes (`nested`).
 */
export interface ObjectChanges { keys: string[]; changed: Record<string, unknown>; patched?: Patches; nested?: Nested }
/** per property: a plain object sent as its changes from the main thread's copy, or from nothing when it had none */
export type Nested = Record<string, ObjectChanges>;

/**
 * An index the worker made (`token`), as its changes from an index the main thread holds (scanWorker.ts
 * changedSince): `keys` (all top-level properties, in order), `changed`, `patched`, `nested`.
 * - `diffBase`: for `index`, the token of the worker's last answer the changes are from (else from nothing); for
 *   readState, django and mergeDjango, the request's `diffBase` (a kept result of the same kind) when the worker
 *   still keeps it, else null: changes from the request's index.
 * - `fromIndex`: with a `diffBase`, the properties that are the request's index's own objects; the main thread takes
 *   them from its copy of that index. For `index`, the properties whose digest is the one in the request's `known`.
 */
export interface IndexChanges {
  token: number;
  keys: string[];
  /** (a long array of flat rows, routing after a router edit, comes as a WireTable: wireTable.ts) */
  changed: { [K in keyof ProjectIndex]?: ProjectIndex[K] | WireTable };
  patched?: Patches;
  nested?: Nested;
  diffBase: number | null;
  fromIndex?: string[];
  /** `index`: when the worker sent it (Date.now(), after the difference was made; benchmarks) */
  sentAt?: number;
  /** `index`: when the worker began it (Date.now(), once an index before it was done; benchmarks) */
  startedAt?: number;
}

/**
 * When a Scanner of the extension writes its on-disk caches: once indexing pauses for 5 s (a write of the benchmark
 * project's caches, 10 MB, takes 140–220 ms of the worker: an edit that comes during it waits that long), and what is
 * left when the extension closes (ProjectService.close). The next session starts from them, and its first answer
 * crosses to the host as the properties that differ from the last session's answer (`snapshotDigests`).
 */
export const CACHE_WRITES = { cacheWriteDelayMs: 5_000, snapshotDigests: true } as const;
