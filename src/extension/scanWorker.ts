// Entry of the scan worker (bundled as dist/scanWorker.js; never imports `vscode`), a child process or a thread. The first index of a
// large project is seconds of synchronous work (tree-sitter parsing, evaluation): here it runs off the
// extension host's thread. One Scanner per project id; requests and replies are typed in scanWorkerProtocol.ts.
import * as v8 from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { Scanner, withDjango, type ProjectIndex } from '../core/scan';
import { mergeDjangoAnswer, splitDjangoReport, type DjangoReport } from '../core/django';
import { holdBackground, pauseBackground } from '../core/django/background';
import type { Logger } from '../core/types';
import { Redactor } from '../core/redact';
import { setOverlay, setTrusted } from '../core/vfs';
import { isPlainObject, sameValue } from '../core/equal';
import { carryState } from './model/lastState';
import { saveSnapshot, snapshotOf } from './model/snapshot';
import { toTable } from './wireTable';
import { collectYoung } from './youngGc';
import { PATCH_MIN, arrayPatch, isObject, positionsOf, type IndexRows } from './arrayPatch';
import {
  CACHE_WRITES, STALE_INDEX, STALE_STATE, WORKER_ONLY, processStats, type IndexChanges, type IndexRef, type LogLevel, type Nested, type ObjectChanges, type Patches, type WireError, type WireScanOptions, type WorkerMessage, type WorkerOp, type WorkerRequest, type WorkerResults,
} from './scanWorkerProtocol';

/** The extension host: this thread's parent port, or, in a child process (scanChannel.ts), the IPC channel. */
const port: { postMessage(msg: unknown): void; on(event: 'message', fn: (req: WorkerRequest) => void): void } = parentPort
  ?? (process.send
    ? {
      postMessage: msg => {
        unsent++;
        // a message that cannot be serialised throws here (post() then sends a plain copy): it is not pending
        try { process.send!(msg, undefined, undefined, wrote); } catch (e) { wrote(); throw e; }
      },
      on: (_event, fn) => { process.on('message', fn as (m: unknown) => void); },
    }
    : (() => { throw new Error('scanWorker.js runs as a worker of the extension host (a thread, or a child process with IPC)'); })());

// A child process writes a large message (a first index: megabytes) to the pipe while its event loop turns: work that
// holds the loop right after posting it (the full index behind an answer from the snapshot) held the answer back too.
let unsent = 0;
let onSent: (() => void)[] = [];
function wrote(): void {
  if (--unsent > 0) return;
  const fns = onSent;
  onSent = [];
  for (const fn of fns) fn();
}
/** Resolves once every message posted so far has been handed to the host (at once for a thread's port). */
function allSent(): Promise<void> {
  return unsent > 0 ? new Promise(resolve => onSent.push(resolve)) : Promise.resolve();
}
// a child process whose host is gone (closed, crashed) has nothing left to do
if (!parentPort) process.on('disconnect', () => process.exit(0));

/** indexes kept per project for `readState` by token: the newest static index and state reads after it */
const KEEP_INDEXES = 6;

interface Project {
  scanner: Scanner;
  scrub: (text: string) => string;
  indexes: Map<number, ProjectIndex>;
  /** the last database reads (Scanner.readState results) by token, kept longer than `indexes` */
  states: Map<number, ProjectIndex>;
  /**
   * the last indexes with Django's answer (`django` and `mergeDjango` results) by token, kept longer than `indexes`:
   * the next answer of that kind is sent as a difference from the one the main thread holds. Typing makes an index
   * and a merge per edit, and a database read or Django's new answer comes after a save: with one list for all
   * kinds, the base of a read or of Django's answer was gone by then, and each was sent whole (a large project's
   * plans and Django's per-operation answer, megabytes).
   */
  merged: Map<number, ProjectIndex>;
  /** the last static index sent to the main thread, and its token: the next one is sent as a difference */
  last?: { token: number; index: ProjectIndex };
  /**
   * the token of the `index` request in hand or last answered, once its reply is posted (null: it failed), for a
   * request asked right behind it (MergeRef `behind`)
   */
  indexed?: Promise<number | null>;
  /**
   * after an answer from the on-disk snapshot, the full index that builds the in-memory state (so that the next
   * edit is incremental) runs behind it; the next request waits for it
   */
  warming?: Promise<void>;
  /** the warm-up (Scanner.warmUp), once per project and worker: the files done so far, the time it took, when it began */
  warmUp?: { done: boolean; files: Set<string>; runs: number; ms: number; begunAt?: number };
  /** Django's reports by the token of the `django` answer they came with */
  reports: Map<number, DjangoReport>;
}

// The extension's file watcher reports every change (invalidate), and unsaved buffers arrive as overlays: stats
// and listings are kept between indexes, and only what read a changed file is computed again (core/vfs.ts).
setTrusted(true);

const projects = new Map<number, Project>();
let nextToken = 1;
let warnedClone = false;

function post(msg: WorkerMessage): void {
  try {
    port.postMessage(msg);
  } catch (e) {
    // DataCloneError: something in the core's result is not plain data (a function, a class instance). Send a
    // plain copy rather than fail the call, and say so once: the fix belongs in the core's types.
    // (a worker thread's DataCloneError; a child process's IPC serialiser says "… could not be cloned")
    if ((e as Error).name !== 'DataCloneError' && !/could not be cloned/.test((e as Error).message)) throw e;
    if (!warnedClone) {
      warnedClone = true;
      port.postMessage({ type: 'log', level: 'warn', message: `scan worker: a result was not plain data (${(e as Error).message}); sent a plain copy` } satisfies WorkerMessage);
    }
    port.postMessage(toPlain(msg));
  }
}

/**
 * Nothing secret leaves the worker, not even inside a log line: the core's Redactor with this project's stored
 * passwords (the settings' own are added by the Scanner's findings) and its patterns (URL userinfo, PASSWORD=…).
 */
function scrubber(opts: WireScanOptions): (text: string) => string {
  const redactor = new Redactor(Object.values(opts.connectionOverrides ?? {}).map(o => o.password));
  return t => redactor.redact(t);
}

function logger(project: number, scrub: (t: string) => string): Logger {
  const send = (level: LogLevel) => (message: string) => post({ type: 'log', project, level, message: scrub(String(message)) });
  return { debug: send('debug'), info: send('info'), warn: send('warn'), error: send('error') };
}

function wireError(e: unknown, scrub: (t: string) => string, code?: string): WireError {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: scrub(err.message), stack: err.stack ? scrub(err.stack) : undefined, ...(code ? { code } : {}) };
}

/** Keep `index` by a new token (the newest few of each kind: `also` names the list of its kind). */
function keep(p: Project, index: ProjectIndex, also?: Map<number, ProjectIndex>): number {
  const token = nextToken++;
  p.indexes.set(token, index);
  while (p.indexes.size > KEEP_INDEXES) p.indexes.delete(p.indexes.keys().next().value!);
  if (also) {
    also.set(token, index);
    while (also.size > KEEP_STATES) also.delete(also.keys().next().value!);
  }
  return token;
}

/** The index kept by `token` (of any kind), if it still is. */
function kept(p: Project, token: number): ProjectIndex | undefined {
  return p.indexes.get(token) ?? p.states.get(token) ?? p.merged.get(token);
}

class StaleIndex extends Error {}
class StaleState extends Error {}

/**
 * database reads, and indexes with Django's answer, kept per project apart from the indexes (the last read is
 * carried over the indexes typing makes; the last of each is the base of the next one's difference)
 */
const KEEP_STATES = 2;

/** `index` with the state of the kept database read `state` carried over it (model/lastState.ts), as the main thread has it */
function withState(p: Project, index: ProjectIndex, state: number | undefined): ProjectIndex {
  if (state === undefined) return index;
  const read = kept(p, state);
  if (!read) throw new StaleState(`database read ${state} is no longer kept`);
  return carryState(index, read);
}

/** Django's reports kept per project (the newest few `django` answers) */
const KEEP_REPORTS = 2;

/** DJANGO_MULTIDB_WARM_UP=0: no warm-up (to measure the first edits without it) */
const WARM_UP = process.env.DJANGO_MULTIDB_WARM_UP !== '0';
/** how long the worker is idle before the warm-up runs a step */
const WARM_UP_IDLE_MS = 300;

/**
 * Requests received and not answered yet, but for `django` (a wait of seconds for the project's Python, with this
 * thread idle): the warm-up gives way to them.
 */
let inFlight = 0;
let warmTimer: ReturnType<typeof setTimeout> | undefined;

/** how long no request is in hand before Django's answer is read (the host's merge follows an index within ms) */
const IDLE_GRACE_MS = 20;
/** the longest Django's answer waits so (requests back to back without a pause: it is read then all the same) */
const IDLE_WAIT_MAX_MS = 2000;
const idleWaiters: (() => void)[] = [];
let idleTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Django's helper (a background refresh: nothing waits for it) runs at a lower CPU priority than this worker and the
 * editor (ScanOptions.lowPriority); DJANGO_MULTIDB_LOW_PRIORITY=0 runs it as any process (benchmarks compare both).
 */
const LOW_PRIORITY = process.env.DJANGO_MULTIDB_LOW_PRIORITY !== '0';
/**
 * and is paused while an edit is answered (core/django/background.ts); DJANGO_MULTIDB_PAUSE_HELPER=0 leaves it running
 * (benchmarks compare both)
 */
const PAUSE_HELPER = LOW_PRIORITY && process.env.DJANGO_MULTIDB_PAUSE_HELPER !== '0';

/**
 * Resolves once no request is in hand (but `django`) and none came for IDLE_GRACE_MS: Django's answer (seconds
 * after it was asked for, often while the user types) is read and merged in between edits, not in front of one
 * (that took 440 ms in front of an edit's index on the benchmark project); and once the replies posted so far are
 * written (a large one crosses while this thread's event loop turns: the merge would hold the rest of it back).
 */
async function whenIdle(): Promise<void> {
  await noRequestInHand();
  await allSent();
}

function noRequestInHand(): Promise<void> {
  return new Promise(resolve => {
    const cap = setTimeout(done, IDLE_WAIT_MAX_MS);
    function done(): void {
      clearTimeout(cap);
      const i = idleWaiters.indexOf(done);
      if (i >= 0) idleWaiters.splice(i, 1);
      resolve();
    }
    idleWaiters.push(done);
    // (after the messages already received: their requests count first)
    setImmediate(releaseIdle);
  });
}

function releaseIdle(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  if (inFlight > 0 || !idleWaiters.length) return;
  idleTimer = setTimeout(() => {
    idleTimer = undefined;
    if (inFlight > 0) return;
    for (const done of [...idleWaiters]) done();
  }, IDLE_GRACE_MS);
}

/**
 * Once the worker has been idle a moment after a project's first answer (and the state behind an answer from the
 * snapshot is built): one edit of each kind that changes nothing (Scanner.warmUp), so that the first edits the user
 * types run compiled code. It stops as soon as a request arrives (the next index waits for the step under way, one
 * index, at most) and goes on at the next idle moment.
 */
function scheduleWarmUp(): void {
  if (!WARM_UP) return;
  if (warmTimer) clearTimeout(warmTimer);
  warmTimer = setTimeout(() => void (async () => {
    warmTimer = undefined;
    // not while a reply is still being written to the host (a first index: megabytes, through a pipe the host reads as
    // its event loop allows): each step holds this thread's event loop, and the rest of the reply waited for the whole
    // warm-up (the VS Code benchmark's first answer: 0.2–3.4 s between the index sent and the host having it)
    await allSent();
    if (inFlight > 0 || warmTimer) return;
    for (const [id, p] of projects) {
      // (not before the whole index, asked right after a partial first answer)
      if (p.warmUp?.done !== false || p.warming || !p.last || p.last.index.partial) continue;
      const w = p.warmUp;
      const index = p.last.index;
      p.warming = (async () => {
        const t = performance.now();
        w.begunAt ??= Date.now();
        // (a step is not begun while a message is being written: a log line, or a reply to a request come meanwhile)
        const runs = await p.scanner.warmUp(index, () => inFlight > 0 || unsent > 0, w.files);
        w.ms += performance.now() - t;
        w.runs += runs;
        if (inFlight > 0) return;
        w.done = true;
        post({ type: 'log', project: id, level: 'debug', message: `warm-up: ${w.runs} indexes in ${Math.round(w.ms)} ms (begun at ${new Date(w.begunAt).toISOString()})` });
      })()
        .catch(e => {
          w.done = true;
          post({ type: 'log', project: id, level: 'debug', message: p.scrub(`warm-up: ${(e as Error).message}`) });
        })
        .finally(() => {
          p.warming = undefined;
          if (!w.done) scheduleWarmUp();
        });
      return;
    }
  })(), WARM_UP_IDLE_MS);
}

/**
 * The young generation collected once the worker has been idle a moment (youngGc.ts): an edit's index begins with it
 * empty instead of scavenging in the middle (~11 ms every 3–5 edits on the benchmark project, what is alive of the
 * last answers copied). DJANGO_MULTIDB_WORKER_IDLE_GC=0: V8 alone decides; =<ms>: another quiet time.
 */
const IDLE_GC_MS = Number(process.env.DJANGO_MULTIDB_WORKER_IDLE_GC || 100);
/** a young generation with less in it is left to V8 */
const IDLE_GC_MIN_BYTES = 4 * 1024 * 1024;
let gcTimer: ReturnType<typeof setTimeout> | undefined;

function scheduleIdleCollect(): void {
  if (!(IDLE_GC_MS > 0)) return;
  if (gcTimer) clearTimeout(gcTimer);
  gcTimer = setTimeout(() => void (async () => {
    gcTimer = undefined;
    await allSent();
    if (inFlight > 0 || gcTimer) return;
    collectYoung(IDLE_GC_MIN_BYTES);
  })(), IDLE_GC_MS);
}

/** The index a request names: one this worker keeps (by token), or the one it was sent whole. */
function indexOf(p: Project, ref: IndexRef): ProjectIndex {
  const index = 'token' in ref ? kept(p, ref.token) : ref.full;
  if (!index) throw new StaleIndex(`index ${'token' in ref ? ref.token : '?'} is no longer kept`);
  return index;
}


// V8's young generation: kept at its first size until a first index is answered, then let grow. A first (cold) index
// makes short-lived garbage (parse trees), collected faster in a small young generation; edits work on the project's
// state, kept in the old generation, and are faster with V8's default growth (scannerClient.ts SCAN_WORKER_LIMITS).
// The flag is read each time the young generation would grow (bin/django-multidb.js sets it for the whole CLI run).
// V8's flags are the process's: in a worker thread of the extension host (no child process) they are left alone.
let youngGenerationGrows = !!parentPort;
if (!youngGenerationGrows) v8.setFlagsFromString('--semi-space-growth-factor=1');
function letYoungGenerationGrow(): void {
  if (youngGenerationGrows) return;
  youngGenerationGrows = true;
  v8.setFlagsFromString('--semi-space-growth-factor=2');
}

/**
 * The token of the index asked right before (MergeRef `behind`), once it is answered and its reply written: a router
 * edit's reply is hundreds of KB, through a pipe of 64 KB the rest of which is written as this process's event loop
 * turns, and the work asked behind it held that back 40-115 ms.
 */
async function indexBehind(p: Project): Promise<{ token: number }> {
  const token = await p.indexed;
  if (token === null || token === undefined) throw new StaleIndex('the index this request was asked behind was not made');
  await allSent();
  return { token };
}

function project(id: number): Project {
  const p = projects.get(id);
  if (!p) throw new Error(`scan worker: no scanner for project ${id} (disposed, or created in a worker that stopped)`);
  return p;
}

async function handle(req: WorkerRequest): Promise<WorkerResults[WorkerRequest['op']]> {
  switch (req.op) {
    case 'create': {
      const scrub = scrubber(req.opts);
      projects.set(req.project, { scanner: new Scanner({ ...CACHE_WRITES, ...req.opts, logger: logger(req.project, scrub) }), scrub, indexes: new Map(), states: new Map(), merged: new Map(), reports: new Map() });
      return null;
    }
    case 'index': {
      const p = project(req.project);
      if (p.warming) await p.warming;
      const startedAt = Date.now();
      const index = await p.scanner.index({ firstAnswer: !!req.firstAnswer });
      // (answered from the snapshot: once the state behind the answer is built, the same kind of work as a cold index;
      // a partial first answer: once the whole index, asked next, is made)
      if (!p.scanner.answeredFromSnapshot) {
        if (!index.partial) letYoungGenerationGrow();
      } else {
        // the answer goes out first; then the state behind it is built (the answer it gives is the same)
        p.warming = new Promise<void>(resolve => setImmediate(resolve))
          .then(allSent)
          .then(() => p.scanner.index())
          .then(() => undefined, e => { port.postMessage({ type: 'log', project: req.project, level: 'debug', message: p.scrub(`warming the index: ${(e as Error).message}`) } satisfies WorkerMessage); })
          .finally(() => { p.warming = undefined; letYoungGenerationGrow(); });
      }
      const token = keep(p, index);
      const base = p.last && p.last.token === req.base ? p.last : null;
      p.last = { token, index };
      p.warmUp ??= { done: false, files: new Set(), runs: 0, ms: 0 };
      // the last session's answer the main thread shows: what is the same (by digest) is named, not sent
      const digests = !base && req.known && p.scanner.answeredFromSnapshot ? p.scanner.answerDigests : null;
      const fromIndex = digests ? Object.keys(digests).filter(k => !WORKER_ONLY.has(k) && digests[k] === req.known![k]) : [];
      const skip = new Set(fromIndex);
      const changes = changedSince(base?.index ?? null, index, k => skip.has(k));
      return { token, ...changes, diffBase: base ? base.token : null, ...(fromIndex.length ? { fromIndex } : {}), startedAt, sentAt: Date.now() } satisfies WorkerResults['index'];
    }
    case 'readState': {
      const p = project(req.project);
      const base = indexOf(p, req.index);
      // (taken now: the indexes made while the databases are read may push it out)
      const prev = diffBaseOf(p, req.diffBase);
      const result = await p.scanner.readState(base, req.aliases);
      // readState returns `{ ...index, applied, plans, findings, timings }`: send back only what is new (since the
      // last state read the main thread holds: the plans and pending findings are mostly as they were)
      const token = keep(p, result, p.states);
      return { token, ...differenceFrom(prev, base, result) } satisfies WorkerResults['readState'];
    }
    case 'invalidate':
      project(req.project).scanner.invalidate(req.file);
      return null;
    case 'django': {
      const p = project(req.project);
      // (`extras`: what the main thread carried over the worker's index, e.g. the last database read)
      const own = withState(p, indexOf(p, req.index), req.state);
      const base = req.extras ? { ...own, ...req.extras } : own;
      // (taken now: typing goes on while Django runs, and its merges push the last one out)
      const prev = diffBaseOf(p, req.diffBase);
      // Django's report stays here (megabytes): the main thread asks for merges into newer indexes (mergeDjango)
      const { index: sent, report } = splitDjangoReport(await withDjango(base, { ...p.scanner.opts, ...req.opts, whenIdle, lowPriority: LOW_PRIORITY }));
      await whenIdle();
      const token = keep(p, sent, p.merged);
      const diff = differenceFrom(prev, base, sent);
      if (report) {
        p.reports.set(token, report);
        while (p.reports.size > KEEP_REPORTS) p.reports.delete(p.reports.keys().next().value!);
      }
      return { token, ...diff, reported: !!report } satisfies WorkerResults['django'];
    }
    case 'mergeDjango': {
      const p = project(req.project);
      const ref = 'behind' in req.index ? await indexBehind(p) : req.index;
      const report = p.reports.get(req.django);
      if (!report) throw new StaleIndex(`Django's answer ${req.django} is no longer kept`);
      const base = { ...withState(p, indexOf(p, ref), req.state), ...req.extras };
      // (a merge carries no report: only withDjango adds it)
      const merged = mergeDjangoAnswer(base, report).index;
      // as a difference from the last merge the main thread holds: Django's facts are new objects in every merge,
      // equal to the last merge's, where the static index has its own (a difference from it is the whole index)
      return { token: keep(p, merged, p.merged), ...differenceFrom(diffBaseOf(p, req.diffBase), base, merged) } satisfies WorkerResults['mergeDjango'];
    }
    case 'saveSnapshot': {
      const p = project(req.project);
      const index = kept(p, req.token);
      if (!index) throw new StaleIndex(`index ${req.token} is no longer kept`);
      saveSnapshot(req.write.dir, req.write.managePy, req.write.version, snapshotOf(withState(p, index, req.state), req.write));
      return null;
    }
    case 'overlay':
      // a buffer typed (not one dropped: a save asks Django again): Django's helper waits until the typing pauses
      if (PAUSE_HELPER && req.text !== null) holdBackground();
      return { changed: setOverlay(req.file, req.text) };
    case 'flush':
      project(req.project).scanner.flushCaches();
      return null;
    case 'stats':
      return processStats();
    case 'settingsCandidates': {
      // (after an answer from the snapshot, the index building the in-memory state: the candidates read it)
      const p = project(req.project);
      if (p.warming) await p.warming;
      return p.scanner.settingsCandidates();
    }
    case 'envFileCandidates': {
      const p = project(req.project);
      if (p.warming) await p.warming;
      return p.scanner.envFileCandidates();
    }
    case 'dispose':
      // what a later session starts from: written now rather than lost with the thread
      try { projects.get(req.project)?.scanner.flushCaches(); } catch { /* a full disk: the next session computes it again */ }
      projects.delete(req.project);
      return null;
  }
}

/** The kept index a request's `diffBase` names (a result of the same kind the main thread holds), with its token. */
function diffBaseOf(p: Project, diffBase: number | undefined): { token: number; index: ProjectIndex } | undefined {
  const index = diffBase === undefined ? undefined : kept(p, diffBase);
  return index && { token: diffBase!, index };
}

/** `next` as a difference from `diffBase` (diffBaseOf), or from `base` when there is none or it is no longer kept. */
function differenceFrom(diffBase: { token: number; index: ProjectIndex } | undefined, base: ProjectIndex, next: ProjectIndex): Omit<IndexChanges, 'token'> {
  if (!diffBase) return { ...changedSince(base, next), diffBase: null };
  const prev = diffBase.index;
  // what is still the request's index's own object (the main thread has it there) is named, not sent
  const b = base as unknown as Record<string, unknown>;
  const n = next as unknown as Record<string, unknown>;
  const fromIndex = Object.keys(n).filter(k => !WORKER_ONLY.has(k) && n[k] === b[k] && k in b);
  const skip = new Set(fromIndex);
  // (rows of the request's index in a new array: named where they stand in its arrays, ArrayPatch `alt`)
  return { ...changedSince(prev, next, k => skip.has(k), rowsOf(b)), diffBase: diffBase.token, fromIndex };
}

/**
 * The index's own arrays, which the main thread holds as the worker does (same rows, same order): a result made of
 * their rows names them there instead of sending them (not the state's: it may be carried over the index there).
 */
const ALT_KEYS = ['routing', 'lives', 'models', 'migrations'] as const;


/**
 * The rows of `index` (looked up once a patch meets an item that is not the diff base's). Any array of a reply may
 * name them, also under another name or nested: Django's "lives on" answers (its extras' `lives`) are the index's
 * own `lives` or `routing` rows where a router edit made the static answer the newer one.
 */
function rowsOf(index: Record<string, unknown>): IndexRows {
  const array = (of: string) => (Array.isArray(index[of]) ? index[of] as unknown[] : []);
  // (each array's positions made when a lookup first reaches it)
  const positions = new Map<string, Map<unknown, number>>();
  return {
    array,
    find: x => {
      if (!isObject(x)) return undefined;
      for (const of of ALT_KEYS) {
        let at = positions.get(of);
        if (!at) positions.set(of, (at = positionsOf(array(of))));
        const i = at.get(x);
        if (i !== undefined) return { of, at: i };
      }
      return undefined;
    },
  };
}

/**
 * The top-level properties of `next` that are not the very objects of `prev` (all of them without `prev`), but for
 * those `skip` names (the main thread takes them from elsewhere).
 */
function changedSince(prev: ProjectIndex | null, next: ProjectIndex, skip?: (key: string) => boolean, alt?: IndexRows): Omit<IndexChanges, 'token' | 'diffBase' | 'fromIndex'> {
  const keys = Object.keys(next).filter(k => !WORKER_ONLY.has(k));
  // (the arrays it sends are made tables when the reply is posted, in parts when long: postReply)
  const d = objectChanges(prev as unknown as Record<string, unknown> | null, next as unknown as Record<string, unknown>, keys, skip, NEST_DEPTH, alt);
  return { ...d, changed: d.changed as Partial<ProjectIndex> };
}

/**
 * How many levels of plain objects a difference describes property by property: Django's extras (level 1) hold
 * its per-operation answer per alias (level 2), whose arrays then cross as tables or patches.
 */
const NEST_DEPTH = 2;

/**
 * `keys` of `next` that are not the very objects of `prev` (or equal to them), as new values or array patches; with
 * `depth`, a plain object that changed (Django's extras: the same plans, other notes), or is new, as its own
 * changes, that many levels down: its unchanged properties are not sent (postReply makes tables of the arrays sent).
 */
function objectChanges(
  prev: Record<string, unknown> | null, next: Record<string, unknown>, keys: string[], skip?: (key: string) => boolean, depth = 0,
  alt?: IndexRows,
): ObjectChanges & { nested?: Nested } {
  const changed: Record<string, unknown> = {};
  const patched: Patches = {};
  const nested: Nested = {};
  for (const k of keys) {
    if (skip?.(k)) continue;
    const v = next[k];
    const before = prev?.[k];
    if (prev && v === before) continue;
    // an object computed again to an equal value (settings, plans, Django's extras): the main thread keeps its own
    if (isPlainObject(v)) {
      const was = isPlainObject(before) ? before : null;
      if (was && sameValue(was, v)) continue;
      if (depth > 0) { nested[k] = objectChanges(was, v, Object.keys(v), undefined, depth - 1, alt); continue; }
    }
    const arrays = Array.isArray(v) && Array.isArray(before);
    // (a short array computed again to an equal value: the main thread keeps its own, as for objects)
    if (arrays && v.length < PATCH_MIN && sameValue(before, v)) continue;
    const patch = arrays ? arrayPatch(before, v, alt) : null;
    if (patch) patched[k] = patch;
    else changed[k] = v;
  }
  return { keys, changed, ...(Object.keys(patched).length ? { patched } : {}), ...(Object.keys(nested).length ? { nested } : {}) };
}

port.on('message', (req: WorkerRequest) => {
  const scrub = projects.get(req.project)?.scrub ?? ((t: string) => t);
  const counted = req.op !== 'django';
  if (counted) {
    inFlight++;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (gcTimer) clearTimeout(gcTimer);
    gcTimer = undefined;
  }
  // an index: a request asked right behind it (a merge of Django's answer) takes its index once its reply is posted
  let indexed: ((token: number | null) => void) | undefined;
  const p = req.op === 'index' ? projects.get(req.project) : undefined;
  if (p) p.indexed = new Promise(resolve => { indexed = resolve; });
  // an edit's index and Django's answer merged into it: Django's helper, running in the background, waits (until the
  // replies are posted, PAUSE_MAX_MS at most)
  const resume = PAUSE_HELPER && (req.op === 'index' || req.op === 'mergeDjango') ? pauseBackground() : undefined;
  handle(req).finally(() => {
    if (counted) inFlight--;
    if (inFlight === 0) {
      scheduleWarmUp();
      releaseIdle();
      scheduleIdleCollect();
    }
  }).then(
    value => {
      postReply(req.id, value);
      resume?.();
      indexed?.((value as WorkerResults['index']).token);
    },
    e => {
      post({ type: 'reply', id: req.id, ok: false, error: wireError(e, scrub, e instanceof StaleIndex ? STALE_INDEX : e instanceof StaleState ? STALE_STATE : undefined) });
      resume?.();
      indexed?.(null);
    },
  );
});

/** Arrays of a reply's `changed` longer than twice this cross as `part` messages of this many items. */
const PART_ITEMS = 250;

/**
 * A reply, the long arrays it sends first as parts (scanWorkerProtocol.ts `part`), and every array it sends as a
 * table where it is one (wireTable.ts): each part is a table of its own. Those of its nested objects' changes too
 * (Django's per-operation answer for an alias: a table of megabytes, read in one piece on the host's thread).
 */
function postReply(id: number, value: WorkerResults[WorkerOp]): void {
  if (!isObject(value) || !('changed' in value) || !isPlainObject(value.changed)) {
    post({ type: 'reply', id, ok: true, value });
    return;
  }
  const parts: string[][] = [];
  const visit = (changes: ObjectChanges, at: string[]): ObjectChanges => {
    const changed: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(changes.changed)) {
      if (!Array.isArray(v)) { changed[key] = v; continue; }
      if (v.length <= 2 * PART_ITEMS) { changed[key] = toTable(v) ?? v; continue; }
      const path = [...at, key];
      parts.push(path);
      for (let i = 0; i < v.length; i += PART_ITEMS) {
        const items = v.slice(i, i + PART_ITEMS);
        post({ type: 'part', id, path, items: toTable(items) ?? items });
      }
    }
    const nested = changes.nested && Object.fromEntries(Object.entries(changes.nested).map(([k, sub]) => [k, visit(sub, [...at, k])]));
    return { ...changes, changed, ...(nested ? { nested } : {}) };
  };
  const sent = visit(value as unknown as ObjectChanges, []);
  post({ type: 'reply', id, ok: true, value: sent as unknown as WorkerResults[WorkerOp], ...(parts.length ? { parts } : {}) });
}

/** A structured-clone-safe copy: functions dropped, class instances as plain objects, cycles kept. */
function toPlain(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(toPlain(v, seen));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) out.set(toPlain(k, seen), toPlain(v, seen));
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(toPlain(v, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) {
    const c = toPlain(v, seen);
    if (c !== undefined || v === undefined) out[k] = c;
  }
  return out;
}

post({ type: 'ready' });
