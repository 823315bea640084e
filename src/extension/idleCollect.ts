// Young-generation collections while the extension host is idle (issue 11: typing → diagnostics without a pause).
//
// After the first index, a Django answer or a router edit, the host's young generation holds much data that stays
// (the index, the tree, the diagnostics): V8 copies it once in the next scavenge and promotes it in the one after.
// Node gives V8 no idle time of its own, so those two scavenges came while the user typed: 40–88 ms each, in the
// extension host every extension shares (VS Code benchmark, Django mode: two per run, each inside one edit). Here
// they run when the host has had nothing to do for a while: no edit, no new answer.
import * as vscode from 'vscode';
import type { Feature } from './services';
import { collectYoung, youngReserved, youngUsed } from './youngGc';

/** quiet time before collecting: longer than most pauses between keystrokes */
const IDLE_MS = 300;
/** a young generation with less in it is left to V8 (a scavenge of that much takes a few ms) */
const MIN_USED_BYTES = 8 * 1024 * 1024;
/**
 * A longer quiet time, after which a young generation grown this large is given back. V8 grows the young generation
 * while much of it stays alive (a burst of answers: a revert of 25 files took it from 16 to 128 MB) and shrinks it
 * only in a collection that finds it has allocated little lately (under about 1 MB/s over its last seconds); an idle
 * host has no collection at all, so the 128 MB stayed (VS Code benchmark: host RSS 306–316 MB 10 s after the
 * typing, young generation 128 MB with 6–9 MB used). One scavenge after SHRINK_IDLE_MS of quiet is that collection:
 * a few ms, the young generation back to a few MB. V8 judges its rate from its last few collections: one 7 s after a
 * burst (with another right after it) kept 128 MB in some runs; one every second shrank it at the third (plain Node,
 * young-gc.test.ts). So after SHRINK_IDLE_MS of quiet a scavenge is tried every SHRINK_RETRY_MS, SHRINK_TRIES times at
 * most, until the young generation is small (each well under 1 ms with little in it).
 */
const SHRINK_IDLE_MS = 3000;
const SHRINK_RETRY_MS = 1000;
const SHRINK_TRIES = 6;
const SHRINK_MIN_RESERVED_BYTES = 16 * 1024 * 1024;

export const registerIdleCollect: Feature = svc => {
  // DJANGO_MULTIDB_IDLE_GC=0: V8 alone decides; =<ms>: another quiet time (benchmarks compare them)
  const idleMs = Number(process.env.DJANGO_MULTIDB_IDLE_GC || IDLE_MS);
  if (!(idleMs > 0)) return [];
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;
  // what the quiet moments took (getState: the benchmark reports it beside the collections while typing)
  const done = { runs: 0, ms: 0, longestMs: 0, shrinks: 0, shrunkMB: 0 };
  svc.snapshots.set('idleCollect', () => ({ ...done, ms: Math.round(done.ms * 10) / 10, longestMs: Math.round(done.longestMs * 10) / 10, shrunkMB: Math.round(done.shrunkMB) }));
  const mb = (n: number) => (n / 1048576).toFixed(1);
  /** the scavenges done, counted in `done` */
  const count = (runs: ReturnType<typeof collectYoung>) => {
    for (const [, , ms] of runs) {
      done.runs++;
      done.ms += ms;
      done.longestMs = Math.max(done.longestMs, ms);
    }
    return runs;
  };
  let shrinkTimer: NodeJS.Timeout | undefined;
  /** the tries left in this quiet stretch */
  let shrinkTries = 0;
  const shrink = () => {
    shrinkTimer = undefined;
    if (disposed) return;
    const reserved = youngReserved();
    if (reserved < SHRINK_MIN_RESERVED_BYTES) return;
    const runs = count(collectYoung(0, 1));
    const after = youngReserved();
    if (after < reserved) {
      done.shrinks++;
      done.shrunkMB += (reserved - after) / 1048576;
    }
    if (runs.length) svc.log.debug(`idle: young generation ${mb(reserved)} → ${mb(after)} MB reserved (${runs.map(([, , ms]) => `${ms.toFixed(1)} ms`).join(', ')})`);
    if (after >= SHRINK_MIN_RESERVED_BYTES && --shrinkTries > 0) armShrink(SHRINK_RETRY_MS);
  };
  const armShrink = (ms: number) => {
    shrinkTimer = setTimeout(shrink, ms);
    shrinkTimer.unref();
  };
  const poke = () => {
    if (disposed) return;
    shrinkTries = SHRINK_TRIES;
    if (shrinkTimer) clearTimeout(shrinkTimer);
    armShrink(Math.max(SHRINK_IDLE_MS, idleMs));
    if (timer) timer.refresh();
    else {
      timer = setTimeout(() => {
        timer = undefined;
        // (one scavenge per quiet moment: what is alive of a first index or of Django's answer took 60–100 ms to copy;
        // the one that promotes it waits for the next quiet moment)
        const runs = count(collectYoung(MIN_USED_BYTES, 1));
        if (runs.length) svc.log.debug(`idle: young generation collected (${runs.map(([a, b, ms]) => `${mb(a)} → ${mb(b)} MB in ${ms.toFixed(1)} ms`).join(', ')})`);
        if (runs.length && youngUsed() >= MIN_USED_BYTES) poke();
      }, idleMs);
      timer.unref();
    }
  };
  return [
    svc.projects.onDidChange(poke),
    vscode.workspace.onDidChangeTextDocument(poke),
    { dispose: () => { disposed = true; clearTimeout(timer); clearTimeout(shrinkTimer); } },
  ];
};
