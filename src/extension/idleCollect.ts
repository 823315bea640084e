// Young-generation collections while the extension host is idle (issue 11: typing → diagnostics without a pause).
//
// After the first index, a Django answer or a router edit, the host's young generation holds much data that stays
// (the index, the tree, the diagnostics): V8 copies it once in the next scavenge and promotes it in the one after.
// Node gives V8 no idle time of its own, so those two scavenges came while the user typed: 40–88 ms each, in the
// extension host every extension shares (VS Code benchmark, Django mode: two per run, each inside one edit). Here
// they run when the host has had nothing to do for a while: no edit, no new answer.
import * as vscode from 'vscode';
import type { Feature } from './services';
import { collectYoung, youngUsed } from './youngGc';

/** quiet time before collecting: longer than most pauses between keystrokes */
const IDLE_MS = 300;
/** a young generation with less in it is left to V8 (a scavenge of that much takes a few ms) */
const MIN_USED_BYTES = 8 * 1024 * 1024;

export const registerIdleCollect: Feature = svc => {
  // DJANGO_MULTIDB_IDLE_GC=0: V8 alone decides; =<ms>: another quiet time (benchmarks compare them)
  const idleMs = Number(process.env.DJANGO_MULTIDB_IDLE_GC || IDLE_MS);
  if (!(idleMs > 0)) return [];
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;
  // what the quiet moments took (getState: the benchmark reports it beside the collections while typing)
  const done = { runs: 0, ms: 0, longestMs: 0 };
  svc.snapshots.set('idleCollect', () => ({ ...done, ms: Math.round(done.ms * 10) / 10, longestMs: Math.round(done.longestMs * 10) / 10 }));
  const mb = (n: number) => (n / 1048576).toFixed(1);
  const poke = () => {
    if (disposed) return;
    if (timer) timer.refresh();
    else {
      timer = setTimeout(() => {
        timer = undefined;
        // (one scavenge per quiet moment: what is alive of a first index or of Django's answer took 60–100 ms to copy;
        // the one that promotes it waits for the next quiet moment)
        const runs = collectYoung(MIN_USED_BYTES, 1);
        for (const [, , ms] of runs) {
          done.runs++;
          done.ms += ms;
          done.longestMs = Math.max(done.longestMs, ms);
        }
        if (runs.length) svc.log.debug(`idle: young generation collected (${runs.map(([a, b, ms]) => `${mb(a)} → ${mb(b)} MB in ${ms.toFixed(1)} ms`).join(', ')})`);
        if (runs.length && youngUsed() >= MIN_USED_BYTES) poke();
      }, idleMs);
      timer.unref();
    }
  };
  return [
    svc.projects.onDidChange(poke),
    vscode.workspace.onDidChangeTextDocument(poke),
    { dispose: () => { disposed = true; clearTimeout(timer); } },
  ];
};
