// Django's helper as a background refresh (ScanOptions.lowPriority: nothing waits for it) is paused while the scan
// worker answers an edit (issue 11): on a machine with few cores, a helper computing for seconds beside the editor
// took a share of the CPU from every edit's index, however low its priority (its group's nice value is raised to 5:
// more would leave it starved whenever the editor is busy). Stopped with SIGSTOP, its whole process group, and
// continued with SIGCONT once the edit's replies are sent, after PAUSE_MAX_MS at the latest; the time it was stopped
// does not count towards its timeout (runProcess in index.ts). POSIX only.

/** The longest one pause lasts: the helper runs again after it, whatever is still being answered. */
export const PAUSE_MAX_MS = 400;

// While the user types, the helper is also held between the edits (holdBackground): its answer is about the files on
// disk, which typing does not change, and the edits' own pauses left it running while VS Code delivered each edit to
// the extension and showed its result (VS Code benchmark, Django mode: the helper took 0.4 of the 2 cores during the
// typing; edits p95 230–520 ms, against 141 ms with no helper at all). Linux only, where the helper dies with the
// scan worker even while stopped (django_helper.py _die_with_parent): elsewhere a worker killed during a hold would
// leave it stopped.
export const HOLD = {
  /** a hold ends this long after the last edit that asked for it */
  quietMs: 1500,
  /** …or after this long at most, whatever is still typed; the helper then runs `gapMs` before another hold */
  maxMs: 15_000,
  gapMs: 2000,
};

/**
 * A helper is not stopped in its first GRACE_MS: its Python sets itself to die with the scan worker first thing
 * (django_helper.py _die_with_parent, a few ms into its start), and one stopped before that would stay stopped should
 * the worker be killed meanwhile (VS Code closing). It is stopped once they have passed, if a pause is still on.
 */
const GRACE_MS = 300;

interface Helper { pausedMs: number; stoppedAt: number | null; since: number }

/** the helpers running in the background, by process group id (their pid: spawned detached) */
const helpers = new Map<number, Helper>();
/** pauses asked for and not ended */
let depth = 0;
/** while the helpers are stopped: what continues them after PAUSE_MAX_MS (a hold's: HOLD.maxMs) */
let cap: ReturnType<typeof setTimeout> | undefined;
/** while pauses are on and not capped: until when they keep the helpers stopped (0: none) */
let stopUntil = 0;
let exitHook = false;

/** @internal (tests) what the pauses did */
export const PAUSE_STATS = { stops: 0, continues: 0, capped: 0, holds: 0 };

/** Count `pid` (a process group of its own) as a background helper until `untrack`; returns how long it was paused. */
export function trackBackground(pid: number): { pausedMs(): number; untrack(): void } {
  const h: Helper = { pausedMs: 0, stoppedAt: null, since: performance.now() };
  helpers.set(pid, h);
  // (one started during a pause or a hold, Django asked after a save while the user types on: stopped with the others
  // once its grace time has passed)
  if (depth > 0) stopLater(pid, h);
  if (!exitHook) {
    exitHook = true;
    // (a worker that exits while a helper is stopped leaves it running: it finishes, or its pipe closes)
    process.on('exit', () => continueAll());
  }
  return {
    pausedMs: () => h.pausedMs + (h.stoppedAt !== null ? performance.now() - h.stoppedAt : 0),
    untrack: () => { if (helpers.get(pid) === h) helpers.delete(pid); },
  };
}

/**
 * Stop the background helpers until the function returned is called (once per pause; pauses nest: they continue when
 * the last one ends), or PAUSE_MAX_MS has passed.
 */
export function pauseBackground(maxMs = PAUSE_MAX_MS): () => void {
  if (process.platform === 'win32') return () => {};
  depth++;
  const until = performance.now() + maxMs;
  if (depth === 1) {
    stopUntil = until;
    if (helpers.size) stopAll(maxMs);
  } else if (stopUntil > performance.now() && until > stopUntil) {
    // (a hold begun during an edit's pause: stopped for as long as the hold may last)
    stopUntil = until;
    if (cap) setCap(maxMs);
  }
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    depth--;
    if (depth === 0) {
      stopUntil = 0;
      continueAll();
    }
  };
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false; // gone already
  }
}

function stopAll(maxMs: number): void {
  const now = performance.now();
  for (const [pid, h] of helpers) {
    if (now - h.since < GRACE_MS) stopLater(pid, h);
    else if (signal(pid, 'SIGSTOP')) h.stoppedAt = now;
  }
  PAUSE_STATS.stops++;
  setCap(maxMs);
}

/** Stop helper `h` once its grace time has passed, if a pause is still on then (and it is still tracked). */
function stopLater(pid: number, h: Helper): void {
  const t = setTimeout(() => {
    const now = performance.now();
    if (depth === 0 || stopUntil <= now || helpers.get(pid) !== h || h.stoppedAt !== null) return;
    if (!signal(pid, 'SIGSTOP')) return;
    h.stoppedAt = now;
    if (!cap) setCap(stopUntil - now);
  }, Math.max(0, h.since + GRACE_MS - performance.now()));
  t.unref?.();
}

function setCap(maxMs: number): void {
  if (cap) clearTimeout(cap);
  cap = setTimeout(() => {
    PAUSE_STATS.capped++;
    stopUntil = 0;
    continueAll();
  }, maxMs);
  cap.unref?.();
}

/** the hold in progress: what ends it, when it began, and what ends it once typing pauses */
let hold: { end: () => void; since: number; quiet: ReturnType<typeof setTimeout> } | undefined;
/** no hold begins before this (the helper runs HOLD.gapMs after a hold that lasted HOLD.maxMs) */
let holdAfter = 0;

/**
 * An edit is being typed: the background helpers stay stopped until HOLD.quietMs after the last call, HOLD.maxMs at
 * most in one stretch (Linux only; elsewhere nothing is done).
 */
export function holdBackground(): void {
  if (process.platform !== 'linux') return;
  const now = performance.now();
  if (hold) {
    // (a hold that has lasted HOLD.maxMs is not renewed: it ends at its quiet time, its cap continued the helpers)
    if (now - hold.since < HOLD.maxMs) hold.quiet.refresh();
    return;
  }
  if (now < holdAfter) return;
  PAUSE_STATS.holds++;
  const end = pauseBackground(HOLD.maxMs);
  const h = {
    end, since: now,
    quiet: setTimeout(() => {
      hold = undefined;
      if (performance.now() - h.since >= HOLD.maxMs) holdAfter = performance.now() + HOLD.gapMs;
      end();
    }, HOLD.quietMs),
  };
  h.quiet.unref?.();
  hold = h;
}

/** @internal (tests) end a hold in progress now */
export function endHold(): void {
  const h = hold;
  if (!h) return;
  hold = undefined;
  clearTimeout(h.quiet);
  holdAfter = 0;
  h.end();
}

function continueAll(): void {
  if (!cap) return;
  clearTimeout(cap);
  cap = undefined;
  const now = performance.now();
  for (const [pid, h] of helpers) {
    if (h.stoppedAt === null) continue;
    signal(pid, 'SIGCONT');
    h.pausedMs += now - h.stoppedAt;
    h.stoppedAt = null;
  }
  PAUSE_STATS.continues++;
}
