// V8's scavenge of the young generation on demand, for the idle moments of the extension host (idleCollect.ts)
// and of the scan worker (scanWorker.ts). No vscode import: the worker loads it too.
import * as v8 from 'v8';
import * as vm from 'vm';

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let gcFn: Gc | null | undefined;

/**
 * V8's `gc` function without `--expose-gc` on the host's command line: the flag is on only while a fresh context
 * is made (the other contexts of the host never see a `gc`), and off again at once (jest's leak detector does the same).
 */
function gc(): Gc | null {
  if (gcFn !== undefined) return gcFn;
  gcFn = null;
  try {
    if (typeof (globalThis as { gc?: unknown }).gc === 'function') gcFn = (globalThis as unknown as { gc: Gc }).gc;
    else {
      v8.setFlagsFromString('--expose-gc');
      try { gcFn = vm.runInNewContext('gc') as Gc; } finally { v8.setFlagsFromString('--no-expose-gc'); }
    }
  } catch { /* no collection on demand: V8 collects as before */ }
  return gcFn;
}

const newSpace = () => v8.getHeapSpaceStatistics().find(s => s.space_name === 'new_space');

export function youngUsed(): number {
  return newSpace()?.space_used_size ?? 0;
}

/** the young generation's size as V8 has it reserved (both semi-spaces): what of it the process's RSS holds */
export function youngReserved(): number {
  return newSpace()?.space_size ?? 0;
}

/**
 * Scavenges now while the young generation holds `minUsedBytes` or more, at most `maxRuns` times (two: one copies
 * what is alive, the next promotes it to the old generation). Returns what was done, for the log: [used before, used
 * after, ms] per run.
 */
export function collectYoung(minUsedBytes: number, maxRuns = 2, collect: Gc | null = gc()): [number, number, number][] {
  const runs: [number, number, number][] = [];
  if (!collect) return runs;
  for (let i = 0; i < maxRuns; i++) {
    const before = youngUsed();
    if (before < minUsedBytes) break;
    const t = performance.now();
    collect({ type: 'minor' });
    runs.push([before, youngUsed(), performance.now() - t]);
  }
  return runs;
}

