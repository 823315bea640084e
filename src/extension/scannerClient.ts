// The core's Scanner, run in a worker (scanWorker.ts) so that indexing a large project never blocks the extension
// host. `ScannerClient` has the Scanner's interface; all clients of a `ScanWorkerHost` share one worker, started on
// the first call: a child process by default (its memory is not the host's, like a language server's), or a
// worker thread (scanChannel.ts). Pure Node (no `vscode`): tested with `node --test`.
//
// - The worker runs under `resourceLimits` (heap, stack) and a per-call time limit, so a project that would
//   exhaust memory or never finish costs the worker, never the extension host.
// - A worker that stops (crash, out of memory, call time limit) rejects the calls it had, is logged as an error,
//   and the next call starts a new one; the projects' Scanners are created again there (their parse cache
//   starts cold). A project whose call was running when the worker hit a limit is paused: its calls fail at
//   once with the same message until one of its files changes (`invalidate`), rather than kill worker after
//   worker. Such a project never falls back to the host's own thread, where nothing would limit it.
// - When worker_threads is missing or the worker cannot start (bundle not found, load error, no `ready` in
//   time), the calls — those already sent included — run on an in-process Scanner instead, with tighter parse
//   budgets (it blocks the host's thread while it runs), and the log says why.
import * as path from 'path';
import * as v8 from 'v8';
import type { ResourceLimits } from 'worker_threads';
import { startChannel, type ChannelExit, type ChannelKind, type ScanChannel } from './scanChannel';
import { Scanner, withDjango, type ProjectIndex, type ScanOptions } from '../core/scan';
import type { SettingsChoice } from '../core/settings/candidates';
import type { EnvFileChoice } from '../core/env/env-candidates';
import { mergeDjangoAnswer, splitDjangoReport, type DjangoReport } from '../core/django';
import { STATE_PROPS } from './model/lastState';
import { nullLogger, type Logger } from '../core/types';
import { setOverlay } from '../core/vfs';
import { saveSnapshot, snapshotOf } from './model/snapshot';
import { fromTable, isTable } from './wireTable';
import {
  CACHE_WRITES, STALE_INDEX, STALE_STATE, processStats, type WorkerStats, type ArrayPatch, type IndexChanges, type IndexRef, type Nested, type ObjectChanges, type SnapshotWrite, type WireDjangoOptions, type WireError, type WireScanOptions, type WorkerMessage, type WorkerOp, type WorkerRequest, type WorkerResults,
} from './scanWorkerProtocol';

/** What the rest of the extension uses of a Scanner. */
export type ScannerLike = Pick<Scanner, 'opts' | 'readState' | 'invalidate'> & { index(): Promise<ProjectIndex> };

export interface ScanWorkerHostOptions {
  /** lifecycle messages (start, crash, fallback); a client's own log lines go to its `opts.logger` */
  logger?: Logger;
  /** the worker bundle (default: scanWorker.js next to this bundle) */
  workerFile?: string;
  /** a worker that has not said `ready` by then failed to start (default 30 s) */
  startTimeoutMs?: number;
  /** run in process, never start a worker (tests, debugging) */
  inProcess?: boolean;
  /** the worker's heap and stack limits (default SCAN_WORKER_LIMITS) */
  resourceLimits?: ResourceLimits;
  /** a call not answered by then stops the worker: a hang guard (default 5 minutes) */
  callTimeoutMs?: number;
  /** a child process (default) or a worker thread of this process */
  kind?: ChannelKind;
  /** keep the last reply's value as it came (`lastReply`; bench/reply-sizes.ts) */
  keepReplies?: boolean;
}

/**
 * Heap and stack of the scan worker. A generated project of 200 apps (4,000 migrations, 2,000 models) peaks near
 * 260 MB of RSS: a gigabyte of old generation is ample for real projects and still bounded. The young generation is
 * V8's default: a small one (4 MB semi-spaces) makes edits slower, as the worker keeps the whole project's state in
 * the old generation (bench/prof-edits.ts, 30 edits, two runs each, median: new model 44–47 → 63–76 ms, router
 * return value 31–42 → 40–52 ms). The CLI's single scan gains from one (bin/django-multidb.js).
 */
export const SCAN_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 1024, stackSizeMb: 4 };

/**
 * Parse budgets of a Scanner on the extension host's own thread (no worker): every millisecond there blocks
 * VS Code, so a costly file is cut short sooner than in the worker.
 */
export const IN_PROCESS_PARSE_BUDGET_MS = { file: 1000, scan: 5000 };

/** the `code` of the errors of calls stopped by a resource or time limit, and of a paused project's calls */
export const WORKER_LIMIT = 'scan-worker-limit';

export type HostMode = 'idle' | 'starting' | 'worker' | 'in-process' | 'closed';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Body = DistributiveOmit<WorkerRequest, 'id' | 'project'>;
type Fallback<K extends WorkerOp> = () => WorkerResults[K] | Promise<WorkerResults[K]>;

/** the token of a result computed in process (the worker has no copy of it) */
const NOT_IN_WORKER = -1;

interface Pending {
  op: WorkerOp;
  client: ScannerClient;
  /** the call time limit */
  timer?: NodeJS.Timeout;
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** the same call on an in-process Scanner, when the worker could not start */
  fallback(): unknown;
  /** the reply's `part` messages so far, by property */
  parts?: Map<string, unknown[][]>;
  /** the keys whose parts came as tables (tests) */
  tabled?: Set<string>;
  /** the size of the reply's messages so far as the channel serialised them, with `keepReplies` (benchmarks) */
  wireBytes?: number;
}

/** One worker (a child process, or a thread) for every project's Scanner. */
export class ScanWorkerHost {
  private worker: ScanChannel | undefined;
  private ready = false;
  private startTimer: NodeJS.Timeout | undefined;
  /** bumped for every Worker started: a client whose Scanner was created in an older one creates it again */
  private generation = 0;
  private nextId = 1;
  private nextProject = 1;
  private readonly pending = new Map<number, Pending>();
  /** @internal the last reply's value, with `keepReplies` (benchmarks) */
  lastReply: unknown;
  /** @internal the size of the last reply's messages (its parts and itself) as the channel serialised them, with `keepReplies` */
  lastWireBytes = 0;
  private readonly keepReplies: boolean;
  /** @internal the arrays of the last reply that came as `part` messages ("django.planDetails.default"), and how many (tests) */
  lastParts: { key: string; parts: number; tables: boolean }[] = [];
  private readonly clients = new Map<number, ScannerClient>();
  private inProcess: boolean;
  /** asked to run in process (opts.inProcess), not fallen back to it */
  private readonly alwaysInProcess: boolean;
  private closed = false;
  readonly logger: Logger;
  private readonly workerFile: string;
  private readonly startTimeoutMs: number;
  private readonly resourceLimits: ResourceLimits;
  private readonly callTimeoutMs: number;
  private readonly kind: ChannelKind;
  /** when the current worker was started and when it said `ready` (Date.now(); getState reports them) */
  startedAt: number | undefined;
  readyAt: number | undefined;
  /** indexes asked again of a new worker because the one making them stopped (getState reports it; tests) */
  indexesAskedAgain = 0;

  constructor(opts: ScanWorkerHostOptions = {}) {
    this.kind = opts.kind ?? 'process';
    this.keepReplies = !!opts.keepReplies;
    this.logger = opts.logger ?? nullLogger;
    this.workerFile = opts.workerFile ?? path.join(__dirname, 'scanWorker.js');
    this.startTimeoutMs = opts.startTimeoutMs ?? 30_000;
    this.inProcess = this.alwaysInProcess = !!opts.inProcess;
    this.resourceLimits = opts.resourceLimits ?? SCAN_WORKER_LIMITS;
    this.callTimeoutMs = opts.callTimeoutMs ?? 5 * 60_000;
  }

  /** how a worker is run: a child process or a thread of this process */
  get channelKind(): ChannelKind {
    return this.kind;
  }

  get mode(): HostMode {
    if (this.closed) return 'closed';
    if (this.inProcess) return 'in-process';
    if (!this.worker) return 'idle';
    return this.ready ? 'worker' : 'starting';
  }

  /**
   * A Scanner with these options, run in the shared worker. `completing`: the options are being completed (the
   * interpreter, which may wait for the Python extension to activate): its calls wait for it.
   */
  scanner(opts: ScanOptions, completing?: Promise<void>): ScannerClient {
    return new ScannerClient(opts, this, completing);
  }

  /**
   * Stops the worker on purpose and starts a new one (the "Restart Analysis" command): its calls in progress fail as
   * when a worker stops (an index is asked again of the new one, with the unsaved buffers), each client's Scanner is
   * created again there, and a host that had fallen back to the extension host's thread tries a worker again.
   */
  async restart(): Promise<void> {
    if (this.closed) return;
    const w = this.worker;
    this.stopped(new WorkerStopped('The scan worker was restarted.'));
    this.inProcess = this.alwaysInProcess;
    // (a project paused by a limit the last worker hit is tried again)
    for (const c of this.clients.values()) c.paused = undefined;
    if (w) await w.terminate().catch(() => undefined);
    this.warmUp();
  }

  /** Stops the worker; calls in progress are rejected. Nothing runs afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const w = this.worker;
    this.stopped(new Error('The scan worker was closed.'));
    if (w) await w.terminate().catch(() => undefined);
  }

  // -- used by ScannerClient -----------------------------------------------------------------------------------

  /** @internal */
  register(client: ScannerClient): number {
    const id = this.nextProject++;
    this.clients.set(id, client);
    return id;
  }

  /** @internal */
  unregister(id: number): void {
    this.clients.delete(id);
  }

  /** @internal true while calls go to a worker (or will, once it started) */
  get usesWorker(): boolean {
    return !this.inProcess && !this.closed;
  }

  /**
   * @internal Send one call for `client`, creating its Scanner in the worker first when this worker does not
   * have it yet. `fallback` runs the call in process when there is no worker.
   */
  request<K extends WorkerOp>(client: ScannerClient, body: Extract<Body, { op: K }>, fallback: Fallback<K>): Promise<WorkerResults[K]> {
    if (this.closed) return Promise.reject(new Error('The scan worker was closed.'));
    // options still being completed: every call waits (in order), the Scanner is created with the complete ones
    // (a client disposed meanwhile, e.g. a discovery superseded before its first index ran, creates no Scanner there)
    if (client.completing) return client.completing.then(() => (client.disposed && body.op !== 'dispose' ? Promise.reject(new Error('This scanner was disposed.')) : this.request(client, body, fallback)));
    if (client.paused && (body.op === 'index' || body.op === 'readState')) return Promise.reject(client.paused);
    if (this.inProcess || !this.start()) return Promise.resolve().then(fallback);
    if (client.generation !== this.generation) {
      client.generation = this.generation;
      void this.send(client, { op: 'create', opts: wireOptions(client.opts) }, () => null).catch(e =>
        this.logger.debug(`scan worker: create failed: ${(e as Error).message}`),
      );
    }
    return this.send(client, body, fallback) as Promise<WorkerResults[K]>;
  }

  /** @internal whether the current worker holds `client`'s Scanner */
  hasScanner(client: ScannerClient): boolean {
    return !!this.worker && client.generation === this.generation;
  }

  private send(client: ScannerClient, body: Body, fallback: () => unknown): Promise<unknown> {
    const id = this.nextId++;
    const w = this.worker!;
    return new Promise((resolve, reject) => {
      try {
        w.post({ ...body, id, project: client.id } as WorkerRequest);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e))); // DataCloneError: options that are not plain data
        return;
      }
      const p: Pending = { op: body.op, client, resolve, reject, fallback };
      if (body.op === 'index' || body.op === 'readState') {
        p.timer = setTimeout(() => this.timedOut(w, p), this.callTimeoutMs);
        p.timer.unref();
      }
      this.pending.set(id, p);
      w.ref();
    });
  }

  /** A call ran past the time limit: the worker is stopped (its thread cannot be interrupted otherwise). */
  private timedOut(w: ScanChannel, p: Pending): void {
    if (this.worker !== w) return;
    const limit = this.callTimeoutMs >= 1000 ? `${Math.round(this.callTimeoutMs / 1000)} s` : `${this.callTimeoutMs} ms`;
    const why = `the ${p.op === 'index' ? 'indexing' : 'database reading'} took longer than ${limit}`;
    this.logger.error(`The scan worker was stopped: ${why}; the next scan starts a new one.`);
    this.stopped(limitError(`Indexing stopped: ${why}.`), new Set([p.client]));
    void w.terminate();
  }

  /**
   * Start the worker now, before the first call: its process start-up (0.1–0.3 s) then overlaps finding the
   * project and its interpreter instead of delaying the first index.
   */
  warmUp(): void {
    if (!this.closed && !this.inProcess) this.start();
  }

  /** Starts the worker when there is none; false (and in-process from now on) when that is not possible. */
  private start(): boolean {
    if (this.worker) return true;
    let w: ScanChannel;
    try {
      w = startChannel(this.kind, this.workerFile, this.resourceLimits, {
        message: msg => this.onMessage(w, msg as WorkerMessage),
        exit: e => this.onExit(w, e),
        messageError: e => this.logger.error(`scan worker: a message could not be read: ${e.message}`),
      });
    } catch (e) {
      this.fallBack(`the scan worker ${this.workerFile} could not be started (${(e as Error).message})`);
      return false;
    }
    this.worker = w;
    this.ready = false;
    this.startedAt = Date.now();
    this.readyAt = undefined;
    this.generation++;
    w.unref(); // only pending calls keep the process alive
    this.startTimer = setTimeout(() => {
      if (this.worker !== w || this.ready) return;
      this.fallBack(`the scan worker did not start within ${Math.round(this.startTimeoutMs / 1000)} s`);
      void w.terminate();
    }, this.startTimeoutMs);
    this.startTimer.unref();
    return true;
  }

  /** the worker's process id, when it runs in a process of its own (its memory is reported apart) */
  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  private onMessage(w: ScanChannel, msg: WorkerMessage): void {
    if (this.worker !== w) return;
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.readyAt = Date.now();
        clearTimeout(this.startTimer);
        this.logger.info(`indexing in a ${w.kind === 'process' ? `process of its own (pid ${w.pid})` : 'worker thread'} (${path.basename(this.workerFile)})`);
        return;
      case 'log': {
        const log = (msg.project !== undefined ? this.clients.get(msg.project)?.opts.logger : undefined) ?? this.logger;
        log[msg.level](msg.message);
        return;
      }
      case 'part': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        // (read as it comes: a table's rows are made here, between the parts)
        const key = partKey(msg.path);
        if (this.keepReplies) p.wireBytes = (p.wireBytes ?? 0) + v8.serialize(msg).length;
        if (isTable(msg.items)) (p.tabled ??= new Set()).add(key);
        const items = fromTable(msg.items);
        const had = (p.parts ??= new Map()).get(key);
        if (had) had.push(items);
        else p.parts.set(key, [items]);
        return;
      }
      case 'reply': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (!this.pending.size) w.unref();
        if (msg.ok && this.keepReplies) this.lastWireBytes = (p.wireBytes ?? 0) + v8.serialize(msg).length;
        if (msg.ok) {
          for (const path of msg.parts ?? []) {
            // the nested changes the array is in, then its place there
            let at = msg.value as unknown as ObjectChanges;
            for (const k of path.slice(0, -1)) at = at.nested![k]!;
            at.changed[path.at(-1)!] = (p.parts?.get(partKey(path)) ?? []).flat();
          }
          this.lastParts = (msg.parts ?? []).map(path => ({ key: path.join('.'), parts: p.parts?.get(partKey(path))?.length ?? 0, tables: !!p.tabled?.has(partKey(path)) }));
        }
        if (msg.ok && this.keepReplies) this.lastReply = msg.value;
        if (msg.ok) p.resolve(msg.value);
        else p.reject(fromWire(msg.error));
        return;
      }
    }
  }

  private onExit(w: ScanChannel, { error, code, outOfMemory }: ChannelExit): void {
    if (this.worker !== w) return; // terminated on purpose (close, start timeout, call time limit)
    if (outOfMemory) {
      // not a failure to start: in process, the same work would exhaust the extension host instead
      const mb = this.resourceLimits.maxOldGenerationSizeMb;
      const why = `the scan worker ran out of memory${mb ? ` (its limit is ${mb} MB)` : ''}`;
      const culprits = new Set([...this.pending.values()].filter(p => p.op === 'index' || p.op === 'readState').map(p => p.client));
      this.logger.error(`Indexing stopped: ${why}; the project being indexed is paused until one of its files changes.`);
      this.stopped(limitError(`Indexing stopped: ${why}. The project may hold files too large to analyse; it is indexed again when one of its files changes.`), culprits);
      return;
    }
    const why = error ? `${error.name}: ${error.message}` : `exit code ${code}`;
    if (!this.ready) {
      // never said ready: the bundle is missing or does not load here; the calls sent run in process instead
      this.fallBack(`the scan worker ${this.workerFile} failed to start (${why})`);
      return;
    }
    this.logger.error(`The scan worker stopped unexpectedly (${why})${error?.stack ? `\n${error.stack}` : ''}; the next scan starts a new one.`);
    this.stopped(new WorkerStopped(`The scan worker stopped unexpectedly (${why}).`));
  }

  /** The worker is gone: every call it had fails; the projects in `pause` stay paused with that error. */
  private stopped(error: Error, pause: ReadonlySet<ScannerClient> = new Set()): void {
    clearTimeout(this.startTimer);
    this.worker = undefined;
    this.ready = false;
    for (const c of pause) c.paused = error;
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const p of calls) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  /** From now on every call runs in process, the calls already sent included (in the order they were sent). */
  private fallBack(reason: string): void {
    if (this.inProcess) return;
    this.inProcess = true;
    this.logger.warn(`Indexing runs on the extension host's thread: ${reason}. Large projects may make VS Code less responsive while they are indexed.`);
    clearTimeout(this.startTimer);
    this.worker = undefined;
    this.ready = false;
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const p of calls) {
      clearTimeout(p.timer);
      Promise.resolve().then(() => p.fallback()).then(p.resolve, p.reject);
    }
  }
}

/** A call failed because the worker stopped while it ran (killed, crashed): a new worker can answer it. */
class WorkerStopped extends Error {}

function limitError(message: string): Error {
  return Object.assign(new Error(message), { code: WORKER_LIMIT });
}

/** The core's Scanner, run by a ScanWorkerHost (in its worker, or in process when there is none). */
export class ScannerClient implements ScannerLike {
  /** @internal the worker generation that holds this client's Scanner (0: none) */
  generation = 0;
  /** @internal the properties the last index() took as patches of the one before (tests) */
  lastPatched: string[] = [];
  /** @internal the properties the last index() got whole as a WireTable (wireTable.ts; tests) */
  lastTables: string[] = [];
  /** @internal what the last mergeDjango reply was a difference from, and the properties it sent whole (tests) */
  lastMergeSent: { fromLastMerge: boolean; keys: string[] } | null = null;
  /** @internal (tests) how the last `django` reply came: as a difference from the last merge, and its sent keys */
  lastDjangoSent: { fromLastMerge: boolean; keys: string[] } | null = null;
  /** @internal (tests) how the last readState reply came: as a difference from the last read, and its sent keys */
  lastReadSent: { fromLastRead: boolean; keys: string[] } | null = null;
  /** the properties the last index() took from the index it was told this thread holds (`known`) */
  lastFromKnown: string[] = [];
  /** when the worker's reply to the last index() arrived, before it was made into an index (Date.now(); benchmarks) */
  indexReplyAt: number | undefined;
  /** when the worker sent that reply (Date.now() there; benchmarks: the time the reply took to cross) */
  indexReplySentAt: number | undefined;
  /** when the worker began that index (Date.now() there; benchmarks: what it waited for before) */
  indexStartedAt: number | undefined;
  /** when the scan worker that runs now was ready (Date.now(); benchmarks) */
  get workerReadyAt(): number | undefined {
    return this.host.readyAt;
  }
  /**
   * @internal set when the worker hit a limit while this project's call ran: its index and readState calls fail
   * with this error until one of its files changes
   */
  paused: Error | undefined;
  /** @internal */
  readonly id: number;
  private local: Scanner | undefined;
  /** indexes that came from the worker: readState sends their token instead of the whole index */
  private readonly tokens = new WeakMap<ProjectIndex, { token: number; generation: number }>();
  /** the last index the worker sent: the next one arrives as what changed since it */
  private last: { token: number; generation: number; index: ProjectIndex } | undefined;
  /** unsaved buffers sent to the worker (file → text), sent again to a new worker */
  private readonly overlays = new Map<string, string>();
  /** @internal */
  disposed = false;

  /** @internal set while the options are being completed (ScanWorkerHost.scanner): calls wait for it */
  completing: Promise<void> | undefined;

  constructor(
    /** the options as given (logger included): Django mode and commands read them on this thread */
    readonly opts: ScanOptions,
    private readonly host: ScanWorkerHost,
    completing?: Promise<void>,
  ) {
    this.id = host.register(this);
    if (completing) this.completing = completing.then(() => { this.completing = undefined; }, () => { this.completing = undefined; });
  }

  /** The Django answer merges come from: its token in the worker, or (in process) the report itself. */
  private djangoAnswer: { token: number; generation: number } | { report: DjangoReport } | undefined;

  /**
   * Django mode for `base` (core/scan.ts withDjango), run in the worker: the helper's answer is parsed and merged
   * there, and Django's report stays there (`mergeDjango` merges it into later indexes). The result has no
   * `django.report`.
   */
  async withDjango(base: ProjectIndex, opts: WireDjangoOptions, workerIndex: ProjectIndex = base, stateFrom?: ProjectIndex): Promise<ProjectIndex> {
    this.checkOpen();
    let localReport: DjangoReport | undefined;
    const local = async (): Promise<WorkerResults['django']> => {
      const { index: sent, report } = splitDjangoReport(await withDjango(base, { ...this.opts, ...opts }));
      localReport = report;
      return { token: NOT_IN_WORKER, keys: Object.keys(sent), changed: sent, reported: !!localReport, diffBase: null };
    };
    // a difference from the last answer with Django's facts this thread holds: Django's answer is mostly the same
    const last = this.current(this.lastMerged);
    // the worker's own index with what this thread carried over it: sent by token (a large index sent whole would
    // block this thread, and its copies are not the objects later merges compare with)
    const r = await this.overWorkerIndex(base, workerIndex, stateFrom, over =>
      this.askAbout(workerIndex, ref => ({ op: 'django', index: ref, opts, ...over, ...(last ? { diffBase: last.token } : {}) }), local));
    this.lastDjangoSent = { fromLastMerge: !!last && r.diffBase === last.token, keys: Object.keys(r.changed) };
    const result = withReply(last, base, r);
    this.remember(result, r.token);
    if (r.token !== NOT_IN_WORKER) this.lastMerged = { index: result, token: r.token, generation: this.generation };
    this.djangoAnswer = !r.reported ? undefined : r.token === NOT_IN_WORKER ? { report: localReport! } : { token: r.token, generation: this.generation };
    return result;
  }

  /**
   * The last Django answer merged into `index`, a newer static index (core/django mergeDjangoAnswer), or null when
   * there is none to merge (Django has not answered, or the worker that holds the answer is gone). `workerIndex`:
   * the worker's index that `index` was made from (a database read carried over replaces a few properties).
   */
  async mergeDjango(index: ProjectIndex, workerIndex: ProjectIndex = index, stateFrom?: ProjectIndex): Promise<ProjectIndex | null> {
    this.checkOpen();
    const d = this.djangoAnswer;
    if (!d) return null;
    if ('report' in d) return mergeDjangoAnswer(index, d.report).index;
    if (d.generation !== this.generation || !this.host.hasScanner(this)) return null;
    // the reply is a difference from the last merge this thread holds (when the worker still keeps it)
    const last = this.current(this.lastMerged);
    let r: WorkerResults['mergeDjango'] | undefined;
    // asked already, right behind the index (index() with `mergeBehind`), for this very index and database read
    const behind = this.takeMergeBehind(index, workerIndex, stateFrom, d.token, last);
    if (behind) {
      r = await behind.catch((e: Error) => {
        this.opts.logger?.debug(`Django's answer merged behind the index: not used (${e.message}); merged again`);
        return undefined;
      });
      // (it is often here already, as the index was made into one: the event loop turns before it is, so that this
      // thread does not read both in one stretch)
      await new Promise(resolve => setImmediate(resolve));
    }
    try {
      r ??= await this.overWorkerIndex(index, workerIndex, stateFrom, over =>
        this.askAbout(workerIndex, ref => ({ op: 'mergeDjango', index: ref, ...over, django: d.token, ...(last ? { diffBase: last.token } : {}) }), () => Promise.reject(new Error('no worker'))));
    } catch (e) {
      this.opts.logger?.debug(`Django's last answer not merged: ${(e as Error).message}`);
      return null;
    }
    this.lastMergeSent = { fromLastMerge: !!last && r.diffBase === last.token, keys: Object.keys(r.changed) };
    const result = withReply(last, index, r);
    this.remember(result, r.token);
    this.lastMerged = { index: result, token: r.token, generation: this.generation };
    return result;
  }

  /** the last index with Django's answer (a `django` call or a merge), which the next is sent as a difference from */
  private lastMerged: KeptResult | null = null;
  /** the last readState, which the next is sent as a difference from */
  private lastRead: KeptResult | null = null;
  /**
   * Django's last answer merged into the index asked for now, asked right behind it (`index(…, mergeBehind)`): what it
   * was asked with, and (once the index came) the index it is for. `mergeDjango` takes it when asked for that index.
   */
  private mergeBehind: {
    reply: Promise<WorkerResults['mergeDjango']>; generation: number; django: number; state: number | undefined; lastMerged: KeptResult | null;
    workerIndex?: ProjectIndex;
  } | undefined;
  /** @internal (tests) whether the last mergeDjango took the merge asked behind its index */
  lastMergeWasBehind = false;

  /**
   * Ask for Django's last answer merged into the index being asked for (sent right behind the `index` request, so that
   * the worker merges at once, while its index crosses): the merge `mergeDjango(withState, index, stateFrom)` would ask
   * for next, with `stateFrom` the database read whose state that index will carry over (none: the index as it is).
   * Not asked when there is no answer in the worker, or when the read's state would have to be sent.
   */
  private askMergeBehind(stateFrom: ProjectIndex | undefined): void {
    this.mergeBehind = undefined;
    const d = this.djangoAnswer;
    if (!d || 'report' in d || d.generation !== this.generation || !this.host.usesWorker || !this.host.hasScanner(this)) return;
    const state = this.keptToken(stateFrom);
    if (stateFrom && state === undefined) return;
    const lastMerged = this.current(this.lastMerged);
    const reply = this.host.request(this, { op: 'mergeDjango', index: { behind: true }, ...(state !== undefined ? { state } : {}), django: d.token, ...(lastMerged ? { diffBase: lastMerged.token } : {}) }, () => Promise.reject(new Error('no worker')));
    reply.catch(() => undefined);
    this.mergeBehind = { reply, generation: this.generation, django: d.token, state, lastMerged };
  }

  /** The merge asked behind the index `workerIndex`, when it is the one `mergeDjango(index, workerIndex, stateFrom)` needs. */
  private takeMergeBehind(index: ProjectIndex, workerIndex: ProjectIndex, stateFrom: ProjectIndex | undefined, django: number, lastMerged: KeptResult | null): Promise<WorkerResults['mergeDjango']> | undefined {
    const m = this.mergeBehind;
    this.mergeBehind = undefined;
    this.lastMergeWasBehind = false;
    if (!m || m.workerIndex !== workerIndex || m.generation !== this.generation || m.django !== django || m.lastMerged !== lastMerged) return undefined;
    // exactly what a merge asked now would name: the read's state by its token, nothing else carried over the index
    const over = this.namedOver(index, workerIndex, stateFrom);
    if (over.extras || over.state !== m.state) return undefined;
    this.lastMergeWasBehind = true;
    return m.reply;
  }

  /**
   * Ask about `index`, the worker's `workerIndex` with what this thread replaced in it: the state of the database read
   * `stateFrom` carried over it (model/lastState.ts) named by its token when the worker keeps that read (a large
   * project's plans and findings are megabytes to send with every edit), the other properties as they are. When the
   * worker no longer keeps the read, its state is sent.
   */
  private async overWorkerIndex<T>(index: ProjectIndex, workerIndex: ProjectIndex, stateFrom: ProjectIndex | undefined, ask: (over: { extras?: Partial<ProjectIndex>; state?: number }) => Promise<T>): Promise<T> {
    const over = this.namedOver(index, workerIndex, stateFrom);
    if (over.state === undefined) return ask(over);
    return this.namedOrSent(() => ask(over), () => ask({ extras: extrasOver(index, workerIndex) }));
  }

  /**
   * What a request about `index` names over the worker's `workerIndex`: the state of the read `stateFrom` by its token
   * when the worker keeps it (and something is carried), and the other properties this thread replaced, as they are.
   */
  private namedOver(index: ProjectIndex, workerIndex: ProjectIndex, stateFrom: ProjectIndex | undefined): { extras?: Partial<ProjectIndex>; state?: number } {
    const extras = extrasOver(index, workerIndex);
    const state = this.keptToken(stateFrom);
    if (!extras || state === undefined) return extras ? { extras } : {};
    const rest = withoutState(extras, [...STATE_PROPS, 'findings']);
    return { state, ...(Object.keys(rest).length ? { extras: rest } : {}) };
  }

  /** The token of `read` when the worker that runs now keeps it (a database read named instead of sent). */
  private keptToken(read: ProjectIndex | undefined): number | undefined {
    const k = read && this.tokens.get(read);
    return k && k.generation === this.generation ? k.token : undefined;
  }

  /** `named()`, or `sent()` when the worker no longer keeps the database read `named` names. */
  private async namedOrSent<T>(named: () => Promise<T>, sent: () => Promise<T>): Promise<T> {
    try {
      return await named();
    } catch (e) {
      if ((e as { code?: string }).code !== STALE_STATE) throw e;
      return sent();
    }
  }

  /** `kept` when it comes from the worker that runs now */
  private current(kept: KeptResult | null): KeptResult | null {
    return kept && kept.generation === this.generation ? kept : null;
  }

  /** A request about `index`: by its token when the worker made it, else sent whole (also when the token is stale). */
  private async askAbout<K extends 'django' | 'mergeDjango' | 'readState'>(
    index: ProjectIndex, body: (ref: IndexRef) => Extract<Body, { op: K }>, local: Fallback<K>,
  ): Promise<WorkerResults[K]> {
    const known = this.tokens.get(index);
    const byToken = !!known && known.generation === this.generation && this.host.hasScanner(this);
    try {
      return await this.host.request(this, body(byToken ? { token: known.token } : { full: index }), local);
    } catch (e) {
      if ((e as { code?: string }).code !== STALE_INDEX || !byToken) throw e;
      return await this.host.request(this, body({ full: index }), local);
    }
  }

  private inProcess(): Scanner {
    return (this.local ??= new Scanner({ ...CACHE_WRITES, ...this.opts, parseBudgetMs: this.opts.parseBudgetMs ?? IN_PROCESS_PARSE_BUDGET_MS }));
  }

  /**
   * `known`: an index this thread holds that no call of this client returned (the last session's, model/snapshot.ts)
   * and the digests of its properties (core/index-by-key.ts): the properties of the answer with the same digest are
   * taken from it instead of crossing from the worker. `known.index()` is called once the answer came.
   */
  async index(known?: { digests: Record<string, string>; index(): ProjectIndex | null }, again = false, mergeBehind?: { stateFrom?: ProjectIndex }, firstAnswer = false): Promise<ProjectIndex> {
    try {
      return await this.indexOnce(known, mergeBehind, firstAnswer);
    } catch (e) {
      // the worker stopped while it indexed (a crash, or killed): asked once more, of a new worker that gets the unsaved
      // buffers first, so that the edit that was being indexed still shows
      if (e instanceof WorkerStopped && !again && !this.disposed) {
        this.host.logger.info('Indexing again in a new scan worker: the last one stopped while it indexed.');
        this.host.indexesAskedAgain++;
        return await this.index(known, true, mergeBehind, firstAnswer);
      }
      throw e;
    }
  }

  private async indexOnce(known?: { digests: Record<string, string>; index(): ProjectIndex | null }, mergeBehind?: { stateFrom?: ProjectIndex }, firstAnswer = false): Promise<ProjectIndex> {
    this.checkOpen();
    const local = async (): Promise<WorkerResults['index']> => {
      const index = await this.inProcess().index({ firstAnswer });
      return { token: NOT_IN_WORKER, keys: Object.keys(index), changed: index, diffBase: null };
    };
    // (no await otherwise: the request starts synchronously, as callers and tests rely on)
    if (this.overlays.size && this.host.usesWorker && !this.host.hasScanner(this)) await this.resendOverlays();
    // the worker sends what changed since the index this thread holds (its unchanged parts are these objects)
    const last = this.last && this.last.generation === this.generation && this.host.hasScanner(this) ? this.last : undefined;
    const asked = this.host.request(this, { op: 'index', ...(last ? { base: last.token } : known ? { known: known.digests } : {}), ...(firstAnswer ? { firstAnswer } : {}) }, local);
    if (mergeBehind) this.askMergeBehind(mergeBehind.stateFrom);
    else this.mergeBehind = undefined;
    const merge = this.mergeBehind;
    const r = await asked;
    this.indexReplyAt = Date.now();
    this.indexReplySentAt = r.sentAt;
    this.indexStartedAt = r.startedAt;
    const prev = r.diffBase !== null && last?.token === r.diffBase ? last.index : null;
    const held = r.fromIndex?.length ? known?.index() : undefined;
    // (the known index could not be read after all: the whole answer, asked for again)
    if (r.fromIndex?.length && !held) return await this.index(undefined, false, undefined, firstAnswer);
    const index = withChanges(prev, r, held ?? undefined);
    this.lastFromKnown = held ? r.fromIndex! : [];
    this.lastPatched = Object.keys(r.patched ?? {});
    this.lastTables = [...Object.entries(r.changed).filter(([, v]) => isTable(v)).map(([k]) => k), ...this.host.lastParts.filter(x => x.tables).map(x => x.key)];
    this.remember(index, r.token);
    this.last = r.token !== NOT_IN_WORKER ? { token: r.token, generation: this.generation, index } : undefined;
    if (merge && merge === this.mergeBehind && r.token !== NOT_IN_WORKER) merge.workerIndex = index;
    return index;
  }

  /**
   * An unsaved editor buffer for `file` (text), or none any more (null: saved, closed or reverted). The next
   * index() reads it instead of the disk file. Resolves to whether anything changed.
   */
  async setOverlay(file: string, text: string | null): Promise<boolean> {
    if (this.disposed) return false;
    if (text === null) this.overlays.delete(file);
    else this.overlays.set(file, text);
    this.paused = undefined;
    const r = await this.host.request(this, { op: 'overlay', file, text }, () => ({ changed: setOverlay(file, text) }));
    return r.changed;
  }

  /**
   * Write the extension's start-up snapshot of `index` (model/snapshot.ts) with `write.extras` over it: in the
   * worker when it holds that index (serialising a large index would block this thread), else here.
   */
  async saveSnapshot(index: ProjectIndex, write: SnapshotWrite, stateFrom?: ProjectIndex): Promise<void> {
    const known = this.tokens.get(index);
    const local = () => { saveSnapshot(write.dir, write.managePy, write.version, snapshotOf(index, write)); return null; };
    if (!known || known.generation !== this.generation || !this.host.hasScanner(this)) { local(); return; }
    const sent = () => this.host.request(this, { op: 'saveSnapshot', token: known.token, write }, local);
    // the state of a database read the worker keeps (`write` carries it over `index`): named, not sent
    const state = this.keptToken(stateFrom);
    if (state === undefined) { await sent(); return; }
    const { moreFindings: _state, ...rest } = write;
    await this.namedOrSent(() => this.host.request(this, { op: 'saveSnapshot', token: known.token, write: { ...rest, extras: withoutState(write.extras, STATE_PROPS) }, state }, local), sent);
  }

  /** Write the on-disk caches the last index scheduled now (the extension is closing: the next session starts from them). */
  async flushCaches(): Promise<void> {
    if (this.disposed) return;
    if (!this.host.usesWorker || !this.host.hasScanner(this)) { this.local?.flushCaches(); return; }
    await this.host.request(this, { op: 'flush' }, () => { this.local?.flushCaches(); return null; });
  }

  /**
   * Where this project's Scanner runs and that process's memory (the "Show Analysis Status" document): the worker's
   * own figures, or this thread's when there is no worker. A worker busy with an index answers after it.
   */
  async workerStats(): Promise<WorkerStats & { kind: ChannelKind | 'in-process' }> {
    const local = () => ({ ...processStats(), kind: 'in-process' as const });
    if (this.disposed || !this.host.usesWorker) return local();
    const stats = await this.host.request(this, { op: 'stats' }, () => processStats());
    return { ...stats, kind: this.host.mode === 'in-process' ? 'in-process' : this.host.channelKind };
  }

  /** The settings modules the project could run with, each read as a scan would (core/settings/candidates.ts). */
  async settingsCandidates(): Promise<SettingsChoice[]> {
    this.checkOpen();
    // (a worker that does not hold this project's Scanner yet makes it: the request creates it there, never here)
    if (!this.host.usesWorker) return this.inProcess().settingsCandidates();
    return this.host.request(this, { op: 'settingsCandidates' }, () => this.inProcess().settingsCandidates());
  }

  /** The project's env files, each with what the settings give when read with it (core/env/env-candidates.ts). */
  async envFileCandidates(): Promise<EnvFileChoice[]> {
    this.checkOpen();
    if (!this.host.usesWorker) return this.inProcess().envFileCandidates();
    return this.host.request(this, { op: 'envFileCandidates' }, () => this.inProcess().envFileCandidates());
  }

  /** A new worker (the last one stopped) has none of the buffers: send them again before indexing. */
  private async resendOverlays(): Promise<void> {
    for (const [file, text] of this.overlays) await this.host.request(this, { op: 'overlay', file, text }, () => ({ changed: setOverlay(file, text) }));
  }

  async readState(index: ProjectIndex, aliases?: string[]): Promise<ProjectIndex> {
    this.checkOpen();
    const local = async (): Promise<WorkerResults['readState']> => {
      const result = await this.inProcess().readState(index, aliases);
      return { token: NOT_IN_WORKER, keys: Object.keys(result), changed: result, diffBase: null };
    };
    const last = this.current(this.lastRead);
    const r = await this.askAbout(index, ref => ({ op: 'readState', index: ref, ...(aliases ? { aliases } : {}), ...(last ? { diffBase: last.token } : {}) }), local);
    this.lastReadSent = { fromLastRead: !!last && r.diffBase === last.token, keys: Object.keys(r.changed) };
    // the properties readState did not replace are this thread's own objects (of the last state read, when the
    // reply is a difference from it)
    const result = withReply(last, index, r);
    this.remember(result, r.token);
    if (r.token !== NOT_IN_WORKER) this.lastRead = { index: result, token: r.token, generation: this.generation };
    return result;
  }

  private remember(index: ProjectIndex, token: number): void {
    if (token !== NOT_IN_WORKER) this.tokens.set(index, { token, generation: this.generation });
  }

  /** A file changed: the next index() re-reads it. (A Scanner not created yet has nothing cached.) */
  invalidate(file: string): void {
    if (this.disposed) return;
    this.paused = undefined; // the file that exhausted the worker may be the one that changed: try again
    if (this.local) this.local.invalidate(file);
    if (!this.host.usesWorker || !this.host.hasScanner(this)) return;
    this.host.request(this, { op: 'invalidate', file }, () => {
      this.inProcess().invalidate(file);
      return null;
    }).catch(e => {
      this.opts.logger?.debug(`invalidate ${file}: ${(e as Error).message}`);
    });
  }

  /** Frees this project's Scanner (its parse cache) in the worker. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.local = undefined;
    if (this.host.hasScanner(this)) this.host.request(this, { op: 'dispose' }, () => null).catch(() => undefined);
    this.host.unregister(this.id);
  }

  private checkOpen(): void {
    if (this.disposed) throw new Error('This scanner was disposed.');
  }
}

/** A part's path as one key (its keys may hold any character: an alias). */
function partKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

/** A result of the worker this thread holds, with the worker's token for it. */
interface KeptResult { index: ProjectIndex; token: number; generation: number }

/**
 * The index the worker described as `keys` and `changed` (scanWorker.ts changedSince): the properties it did not
 * send are `base`'s own objects, and those it names in `fromIndex` are `index`'s, as are the array runs it names
 * (ArrayPatch `alt`).
 */
function withChanges(base: ProjectIndex | null, r: Omit<IndexChanges, 'token' | 'diffBase'>, index?: ProjectIndex): ProjectIndex {
  const out = applyChanges(base as unknown as Record<string, unknown> | null, r as ObjectChanges & { nested?: Nested }, index as unknown as Record<string, unknown> | undefined);
  for (const k of r.fromIndex ?? []) out[k] = (index as unknown as Record<string, unknown>)[k];
  return out as unknown as ProjectIndex;
}

/** The object `r` describes (scanWorker.ts objectChanges) from this thread's copy `from` of the one before. */
function applyChanges(from: Record<string, unknown> | null, r: ObjectChanges & { nested?: Nested }, alt?: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of r.keys) {
    const patch = r.patched?.[k];
    const sub = r.nested?.[k];
    out[k] = patch ? applyPatch(from?.[k] as unknown[], patch, alt)
      : sub ? applyChanges(from?.[k] as Record<string, unknown>, sub, alt)
      : k in r.changed ? fromTable(r.changed[k]) : from?.[k];
  }
  return out;
}

/** A reply that may be a difference from `last` (its `diffBase`) rather than from the request's `index`. */
function withReply(last: KeptResult | null, index: ProjectIndex, r: IndexChanges): ProjectIndex {
  return last && r.diffBase === last.token ? withChanges(last.index, r, index) : withChanges(index, r);
}

/**
 * The array a worker's ArrayPatch describes, from this thread's copy of the array it was made against: that very
 * array when the patch is all of it (the worker's rows were new objects, equal to these), so that what is cached by
 * it (model/routing.ts decisionsOf) stays.
 */
function applyPatch(base: readonly unknown[], patch: ArrayPatch, alt?: Record<string, unknown>): unknown[] {
  const only = patch.length === 1 ? patch[0]! : null;
  if (only && 'from' in only && only.from === 0 && only.len === base.length) return base as unknown[];
  const out: unknown[] = [];
  for (const seg of patch) {
    if ('items' in seg) for (const x of fromTable(seg.items)) out.push(x);
    else if ('edit' in seg) out.push({ ...(base[seg.edit] as object), ...seg.set });
    else if ('alt' in seg) {
      // (the request's index's own rows: a reply naming them came for that index)
      const rows = alt?.[seg.of];
      if (!Array.isArray(rows) || seg.alt + seg.len > rows.length) throw new Error('scan worker: a reply names rows of an index this thread does not hold');
      for (let i = seg.alt; i < seg.alt + seg.len; i++) out.push(rows[i]);
    }
    else for (let i = seg.from; i < seg.from + seg.len; i++) out.push(base[i]);
  }
  return out;
}

function wireOptions(opts: ScanOptions): WireScanOptions {
  const { logger: _logger, signal: _signal, ...rest } = opts;
  // process.env (or a copy of it) is an exotic object: send its entries
  return { ...rest, ...(rest.env ? { env: { ...rest.env } } : {}) };
}

function fromWire(e: WireError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  if (e.code) (err as Error & { code?: string }).code = e.code;
  return err;
}

/** `extras` without `keys` (the properties a database read sets, named by its token instead). */
function withoutState(extras: Partial<ProjectIndex>, keys: readonly string[]): Partial<ProjectIndex> {
  const rest: Record<string, unknown> = { ...extras };
  for (const k of keys) delete rest[k];
  return rest as Partial<ProjectIndex>;
}

/** The top-level properties of `index` that are not `workerIndex`'s (what the main thread carried over it), or none. */
function extrasOver(index: ProjectIndex, workerIndex: ProjectIndex): Partial<ProjectIndex> | undefined {
  if (index === workerIndex) return undefined;
  const extras: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(index)) if (v !== (workerIndex as unknown as Record<string, unknown>)[k]) extras[k] = v;
  return extras as Partial<ProjectIndex>;
}
