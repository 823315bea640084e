// Where the scanner (scanWorker.js) runs, behind one interface for scannerClient.ts:
// - 'process' (the default): a Node child process, talking over IPC with the structured-clone serialisation a
//   worker thread uses. Its memory (a large project's index holds hundreds of MB of ASTs and facts) is its own,
//   not the extension host's; a crash or an out-of-memory abort ends it, never the host. Like a language server.
// - 'thread': a worker thread of the extension host (where child processes cannot be started).
// Both run the same bundle with the same heap and stack limits; scanWorker.ts works with either.
import { fork, type ChildProcess } from 'child_process';
import type { ResourceLimits, Worker as WorkerType } from 'worker_threads';

export type ChannelKind = 'process' | 'thread';

/** How a channel ended: an error it reported, its exit code, and whether it ran out of heap. */
export interface ChannelExit {
  error?: Error;
  code: number | null;
  outOfMemory: boolean;
}

export interface ScanChannel {
  readonly kind: ChannelKind;
  readonly limits: ResourceLimits;
  /** the child's process id ('process') */
  readonly pid?: number;
  post(msg: unknown): void;
  /** stop it (its exit is reported like any other: the host ignores a channel it let go) */
  terminate(): Promise<void>;
  /** keep the host's event loop alive (a call is pending), or not */
  ref(): void;
  unref(): void;
}

export interface ChannelHandlers {
  message(msg: unknown): void;
  exit(e: ChannelExit): void;
  /** a message that could not be read (worker threads) */
  messageError?(e: Error): void;
}

/** V8's last words when a heap limit is reached (stderr of a child process) */
const OOM = /heap out of memory|Reached heap limit|allocation failed/i;

export function startChannel(kind: ChannelKind, file: string, limits: ResourceLimits, on: ChannelHandlers): ScanChannel {
  return kind === 'process' ? processChannel(file, limits, on) : threadChannel(file, limits, on);
}

function processChannel(file: string, limits: ResourceLimits, on: ChannelHandlers): ScanChannel {
  const execArgv: string[] = [];
  if (limits.maxOldGenerationSizeMb) execArgv.push(`--max-old-space-size=${limits.maxOldGenerationSizeMb}`);
  if (limits.maxYoungGenerationSizeMb) execArgv.push(`--max-semi-space-size=${Math.max(1, Math.floor(limits.maxYoungGenerationSizeMb / 3))}`);
  // V8's stack limit in KB, below the 8 MB a Linux main thread has
  if (limits.stackSizeMb) execArgv.push(`--stack-size=${Math.floor(limits.stackSizeMb * 1024 * 0.95)}`);
  // DJANGO_MULTIDB_WORKER_CPU_PROF=<folder>: a CPU profile of the worker's whole life, written when it exits (the
  // extension host closing disconnects it), for the benchmarks (test/integration/run.js passes it on)
  const prof = process.env.DJANGO_MULTIDB_WORKER_CPU_PROF;
  if (prof) execArgv.push('--cpu-prof', `--cpu-prof-dir=${prof}`);
  // ELECTRON_RUN_AS_NODE: in VS Code, process.execPath is Electron's binary, which runs as plain Node with it
  const child: ChildProcess = fork(file, [], {
    serialization: 'advanced', execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  let lastError: Error | undefined;
  // stderr: only its tail is kept, to tell an out-of-memory abort from another crash
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => { tail = (tail + chunk).slice(-4096); });
  child.on('message', msg => on.message(msg));
  child.on('error', e => { lastError = e; });
  const exited = new Promise<void>(resolve => {
    child.on('exit', code => {
      resolve();
      on.exit({ error: lastError, code, outOfMemory: OOM.test(tail) });
    });
  });
  return {
    kind: 'process', limits, pid: child.pid,
    post: msg => { child.send(msg as never); },
    terminate: () => {
      // (referenced again: an idle worker is unreferenced, and a process with nothing else to do would end before the
      // child's exit is seen, leaving whoever awaits this waiting forever: a script's `await host.close()`)
      child.ref();
      // (profiled: the channel closed instead, so that the child exits on its own and writes its profile)
      if (prof && child.connected) child.disconnect();
      else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
    ref: () => { child.ref(); child.channel?.ref(); },
    unref: () => { child.unref(); child.channel?.unref(); },
  };
}

function threadChannel(file: string, limits: ResourceLimits, on: ChannelHandlers): ScanChannel {
  const threads = require('worker_threads') as typeof import('worker_threads');
  // SHARE_ENV: the Scanner reads process.env (os.environ lookups in settings) like it would in process;
  // execArgv []: the host's own flags (--inspect…) are not for this thread
  const w: WorkerType = new threads.Worker(file, { env: threads.SHARE_ENV, execArgv: [], name: 'django-multidb scan', resourceLimits: limits });
  let lastError: Error | undefined;
  w.on('message', msg => on.message(msg));
  w.on('error', e => { lastError = e; });
  w.on('messageerror', e => on.messageError?.(e));
  w.on('exit', code => {
    on.exit({ error: lastError, code, outOfMemory: (lastError as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY' });
  });
  return {
    kind: 'thread', limits,
    post: msg => w.postMessage(msg),
    terminate: () => w.terminate().then(() => undefined, () => undefined),
    ref: () => w.ref(),
    unref: () => w.unref(),
  };
}
