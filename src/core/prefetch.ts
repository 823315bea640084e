// A first index of a large project spends most of its time reading files one by one: its migration files
// (Saleor: 1,420 files, ~0.7 s of tree-sitter parsing), the RunPython lints of those that run code, and the
// project's Python files that may name a database alias. Each file's result depends on that file alone, so a
// second thread reads them while the index loads the parser, evaluates the settings and computes the models:
// the worker (./prefetch-worker.ts, bundled as dist/parse-worker.js) lists the project's files itself, posts
// the lists, and reads them queue by queue. When the index reaches a phase, `finish(queue)` reads on this thread
// the files of that queue the worker has not claimed yet, waits for the worker's last one, and returns the
// worker's results; ./prefetch-jobs.ts puts them into the per-file caches the phase reads, where a check tells
// whether each is what this thread would have computed.
//
// Synchronous on this thread by design (the index is synchronous): work is shared through atomic counters in
// shared memory, and results are taken with `receiveMessageOnPort`, without an event loop turn.
import * as fs from 'fs';
import * as path from 'path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'worker_threads';

/** The queues, in the order the worker takes them (the order the index reaches them). */
export const QUEUES = ['migrations', 'aliases'] as const;
export type Queue = typeof QUEUES[number];

/** One file to read (a result carries the worker's stat of it, which the cache entry is keyed by). */
export interface FileJob { file: string }

/** A migration file: what readMigrationSource and lintMigrationSource take (guessed: ./prefetch-jobs.ts). */
export interface MigrationJob extends FileJob {
  app: string;
  name: string;
  /** an installed package's migration (never linted) */
  external: boolean;
  /** the lint cache key (the migration's dotted module) */
  ownModule: string;
}

export interface PrefetchInput {
  /** the folder whose files are read (./prefetch-jobs.ts lists them, on the worker) */
  projectDir: string;
  /** the parse budget the worker's files get (./python/parse.ts ParseBudget) */
  budget: { scanMs: number; fileMs: number };
  /** per queue: [next job to claim, worker state]; then whether the jobs are listed */
  control: SharedArrayBuffer;
  port: MessagePort;
}

/** The worker's messages: the jobs it listed (first), then each queue's results once it is through it. */
export type PrefetchMessage = { jobs: { migrations: MigrationJob[]; aliases: FileJob[] } } | { queue: Queue; results: unknown[] };

/** ctl[2q + 1]: the worker's state on queue q */
export const WAITING = 0;
export const RUNNING = 1;
export const DONE = 2;
/** this thread finished the queue before the worker reached it: the worker skips it */
export const CANCELLED = 3;
/** ctl[LISTED]: WAITING until the worker has posted its jobs, then DONE; CANCELLED: this thread did not wait */
export const LISTED = 2 * QUEUES.length;

/** The most this thread waits for the worker's last file (a file gets a few seconds of parse budget at most). */
const WAIT_MS = 30_000;

function workerFile(): string | null {
  // dist/parse-worker.js next to the bundle that runs this (cli.js, scanWorker.js); from the sources (unit tests),
  // the built one
  for (const f of [path.join(__dirname, 'parse-worker.js'), path.join(__dirname, '..', '..', 'dist', 'parse-worker.js')]) {
    try {
      if (fs.statSync(f).isFile()) return f;
    } catch { /* the next */ }
  }
  return null;
}

export class Prefetch {
  private readonly ctl: Int32Array;
  private readonly received = new Map<Queue, unknown[]>();
  private readonly finished = new Set<Queue>();
  private jobs: { migrations: MigrationJob[]; aliases: FileJob[] } | null = null;

  private constructor(private readonly worker: Worker, private readonly port: MessagePort, control: SharedArrayBuffer) {
    this.ctl = new Int32Array(control);
  }

  /** A worker reading the files below `projectDir`, or null when no worker can be started. */
  static start(projectDir: string, budget: PrefetchInput['budget']): Prefetch | null {
    const file = workerFile();
    if (!file) return null;
    try {
      const control = new SharedArrayBuffer((LISTED + 1) * 4);
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(file, { workerData: { projectDir, budget, control, port: port2 } satisfies PrefetchInput, transferList: [port2], stdout: false, stderr: false });
      worker.unref();
      // a worker that fails: what it did not post is read on this thread
      worker.on('error', () => undefined);
      return new Prefetch(worker, port1, control);
    } catch {
      return null;
    }
  }

  private take(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as PrefetchMessage;
      if ('jobs' in msg) this.jobs = msg.jobs;
      else this.received.set(msg.queue, msg.results);
    }
  }

  /**
   * Read on this thread (`read`) every job of `queue` the worker has not claimed, wait for the worker's last
   * one, and return the worker's results (once; later calls return none).
   */
  finish<J extends FileJob>(queue: Queue, read: (job: J) => void): unknown[] {
    if (this.finished.has(queue)) return [];
    this.finished.add(queue);
    const workerOnly = process.env.DJANGO_MULTIDB_PARALLEL === 'worker';
    // the job lists: a worker that has not listed them yet (still starting) is given up
    if (!this.jobs) {
      if (workerOnly) this.waitWhile(LISTED, WAITING);
      if (Atomics.compareExchange(this.ctl, LISTED, WAITING, CANCELLED) === WAITING) return [];
      this.take();
      if (!this.jobs) return [];
    }
    const q = QUEUES.indexOf(queue);
    const jobs = this.jobs[queue] as J[];
    if (workerOnly) {
      // tests: every job is the worker's
      this.waitWhile(2 * q + 1, WAITING);
    } else {
      for (let i = Atomics.add(this.ctl, 2 * q, 1); i < jobs.length; i = Atomics.add(this.ctl, 2 * q, 1)) read(jobs[i]!);
    }
    // a worker not there yet skips the queue; one that is in it is waited for
    if (Atomics.compareExchange(this.ctl, 2 * q + 1, WAITING, CANCELLED) !== WAITING) {
      this.waitWhile(2 * q + 1, RUNNING);
      this.take();
    }
    const out = this.received.get(queue) ?? [];
    this.received.delete(queue);
    if (this.finished.size === QUEUES.length) this.dispose();
    return out;
  }

  private waitWhile(slot: number, state: number): void {
    const deadline = Date.now() + WAIT_MS;
    while (Atomics.load(this.ctl, slot) === state && Date.now() < deadline) Atomics.wait(this.ctl, slot, state, 50);
  }

  /** Stop the worker (an index that ended early); what it did not post is read on this thread. */
  dispose(): void {
    for (const q of QUEUES) this.finished.add(q);
    Atomics.compareExchange(this.ctl, LISTED, WAITING, CANCELLED);
    this.port.close();
    void this.worker.terminate().catch(() => undefined);
  }
}
