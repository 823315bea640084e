// Django's helper as a background refresh (ScanOptions.lowPriority: nothing waits for it) is paused while the scan
// worker answers an edit (issue 11): on a machine with few cores, a helper computing for seconds beside the editor
// took a share of the CPU from every edit's index, however low its priority (its group's nice value is raised to 5:
// more would leave it starved whenever the editor is busy). Stopped with SIGSTOP, its whole process group, and
// continued with SIGCONT once the edit's replies are sent, after PAUSE_MAX_MS at the latest; the time it was stopped
// does not count towards its timeout (runProcess in index.ts). POSIX only.

/** The longest one pause lasts: the helper runs again after it, whatever is still being answered. */
export const PAUSE_MAX_MS = 400;

interface Helper { pausedMs: number; stoppedAt: number | null }

/** the helpers running in the background, by process group id (their pid: spawned detached) */
const helpers = new Map<number, Helper>();
/** pauses asked for and not ended */
let depth = 0;
/** while the helpers are stopped: what continues them after PAUSE_MAX_MS */
let cap: ReturnType<typeof setTimeout> | undefined;
let exitHook = false;

/** @internal (tests) what the pauses did */
export const PAUSE_STATS = { stops: 0, continues: 0, capped: 0 };

/** Count `pid` (a process group of its own) as a background helper until `untrack`; returns how long it was paused. */
export function trackBackground(pid: number): { pausedMs(): number; untrack(): void } {
  const h: Helper = { pausedMs: 0, stoppedAt: null };
  helpers.set(pid, h);
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
export function pauseBackground(): () => void {
  if (process.platform === 'win32') return () => {};
  depth++;
  if (depth === 1 && helpers.size) stopAll();
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    depth--;
    if (depth === 0) continueAll();
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

function stopAll(): void {
  const now = performance.now();
  for (const [pid, h] of helpers) if (signal(pid, 'SIGSTOP')) h.stoppedAt = now;
  PAUSE_STATS.stops++;
  cap = setTimeout(() => {
    PAUSE_STATS.capped++;
    continueAll();
  }, PAUSE_MAX_MS);
  cap.unref?.();
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
