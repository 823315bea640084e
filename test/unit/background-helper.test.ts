// Django's helper as a background refresh is paused while the scan worker answers an edit (core/django/background.ts):
// a real process group stopped and continued, pauses nested, a pause capped at PAUSE_MAX_MS, the time paused counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOLD, PAUSE_MAX_MS, PAUSE_STATS, endHold, holdBackground, pauseBackground, trackBackground } from '../../src/core/django/background';

const linux = process.platform === 'linux' ? false : 'reads /proc/PID/stat (Linux)';

/** The process's state letter (R running, S sleeping, T stopped). */
function state(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** A busy process in a process group of its own, as runProcess spawns the helper (detached), and its child. */
function busyGroup(): { child: ChildProcess; grandchild: () => number } {
  const child = spawn('sh', ['-c', 'sh -c "while :; do :; done" & while :; do :; done'], { detached: true, stdio: 'ignore' });
  return {
    child,
    grandchild: () => Number(fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]),
  };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** `fn` with a busy process group tracked as a background helper; untracked and killed after, whatever happens. */
async function withHelper(fn: (pid: number, tracked: ReturnType<typeof trackBackground>, grandchild: () => number) => Promise<void>): Promise<void> {
  const { child, grandchild } = busyGroup();
  const pid = child.pid!;
  const tracked = trackBackground(pid);
  try {
    await fn(pid, tracked, grandchild);
  } finally {
    tracked.untrack();
    process.kill(-pid, 'SIGKILL');
  }
}

/** `fn` with HOLD's times set to `times`; the hold in progress ended and the times as they were after. */
async function withHoldTimes(times: Partial<typeof HOLD>, fn: () => Promise<void>): Promise<void> {
  const saved = { ...HOLD };
  Object.assign(HOLD, times);
  try {
    await fn();
  } finally {
    endHold();
    Object.assign(HOLD, saved);
  }
}

test('an edit\'s pause stops the helper\'s whole process group, nested pauses end with the last, a pause ends after PAUSE_MAX_MS at the latest', { skip: linux }, async () => {
  await withHelper(async (pid, tracked, grandchild) => {
    // (past its grace time: a helper is not stopped before it has set itself to die with the worker)
    await sleep(350);
    const inner = grandchild();
    assert.ok(inner > 0, 'the group has a second process');
    assert.notEqual(state(pid), 'T');
    const stops = PAUSE_STATS.stops;
    const end1 = pauseBackground();
    const end2 = pauseBackground();
    await sleep(30);
    assert.equal(PAUSE_STATS.stops, stops + 1, 'one stop for nested pauses');
    assert.equal(state(pid), 'T', 'stopped');
    assert.equal(state(inner), 'T', 'its child too (the process group)');
    end1();
    end1(); // (ending a pause twice counts once)
    await sleep(20);
    assert.equal(state(pid), 'T', 'still stopped: one pause is still on');
    end2();
    await sleep(30);
    assert.notEqual(state(pid), 'T', 'continued');
    assert.notEqual(state(inner), 'T');
    const paused = tracked.pausedMs();
    assert.ok(paused >= 40 && paused < PAUSE_MAX_MS, `paused ${paused} ms`);
    // a pause nobody ends (an index that takes long): continued after PAUSE_MAX_MS
    const capped = PAUSE_STATS.capped;
    const end3 = pauseBackground();
    await sleep(50);
    assert.equal(state(pid), 'T');
    await sleep(PAUSE_MAX_MS);
    assert.notEqual(state(pid), 'T', 'continued by the cap');
    assert.equal(PAUSE_STATS.capped, capped + 1);
    end3();
    assert.ok(tracked.pausedMs() >= paused + PAUSE_MAX_MS - 5, `${tracked.pausedMs()} ms paused in all`);
    // a helper no longer tracked (it finished) is not stopped
    tracked.untrack();
    const end4 = pauseBackground();
    await sleep(30);
    assert.notEqual(state(pid), 'T');
    end4();
  });
});

test('typing holds the helper between edits: stopped until the typing pauses, an edit\'s pause inside a hold ends with the hold, a hold lasts HOLD.maxMs at most and the helper runs HOLD.gapMs after it', { skip: linux }, async () => {
  await withHelper((pid, tracked) => withHoldTimes({ quietMs: 150, maxMs: 900, gapMs: 300 }, async () => {
    await sleep(350);
    // keystrokes every 100 ms for 600 ms (past PAUSE_MAX_MS): stopped throughout, an edit's own pause within
    holdBackground();
    const t0 = performance.now();
    for (let i = 0; i < 6; i++) {
      await sleep(100);
      assert.equal(state(pid), 'T', `stopped while typing (${Math.round(performance.now() - t0)} ms)`);
      const end = pauseBackground();
      holdBackground();
      end();
    }
    assert.equal(state(pid), 'T', 'an edit\'s pause ending leaves the hold on');
    // the typing pauses: continued HOLD.quietMs later
    await sleep(HOLD.quietMs + 60);
    assert.notEqual(state(pid), 'T', 'continued once the typing paused');
    const paused = tracked.pausedMs();
    assert.ok(paused >= 600 && paused < 600 + HOLD.quietMs + 500, `paused ${paused} ms`);
    // typing that goes on: the hold ends after HOLD.maxMs, and none begins for HOLD.gapMs after it
    const holds = PAUSE_STATS.holds;
    holdBackground();
    let stoppedAt = 0;
    const t1 = performance.now();
    for (let t = 0; t < HOLD.maxMs + HOLD.quietMs + 100; t += 50) {
      await sleep(50);
      holdBackground();
      if (state(pid) === 'T') stoppedAt = performance.now() - t1;
    }
    assert.ok(stoppedAt >= HOLD.maxMs - 100 && stoppedAt < HOLD.maxMs + 400, `stopped until ${Math.round(stoppedAt)} ms (cap ${HOLD.maxMs})`);
    assert.equal(PAUSE_STATS.holds, holds + 1, 'no second hold within the gap');
    await sleep(HOLD.gapMs);
    holdBackground();
    await sleep(30);
    assert.equal(state(pid), 'T', 'a hold again after the gap');
    endHold();
    await sleep(30);
    assert.notEqual(state(pid), 'T');
  }));
});

test('a helper started during a hold (Django asked after a save while the user types on) is stopped with it once its grace time has passed, and continued when it ends', { skip: linux }, async () => {
  await withHoldTimes({ quietMs: 600 }, async () => {
    holdBackground();
    await withHelper(async (pid, tracked) => {
      await sleep(50);
      assert.notEqual(state(pid), 'T', 'not stopped in its grace time (its Python sets itself to die with the worker first)');
      holdBackground();
      await sleep(350);
      assert.equal(state(pid), 'T', 'stopped once its grace time passed');
      holdBackground();
      await sleep(100);
      assert.equal(state(pid), 'T');
      await sleep(HOLD.quietMs + 100);
      assert.notEqual(state(pid), 'T', 'continued once the typing paused');
      assert.ok(tracked.pausedMs() >= 500, `paused ${tracked.pausedMs()} ms`);
      // an edit's pause with no helper running, a helper started in it (and an old one stopped at once): the new one
      // stopped after its grace time while the pause lasts, continued by the pause's end
      const end = pauseBackground(2000);
      await sleep(30);
      assert.equal(state(pid), 'T', 'a helper past its grace time is stopped at once');
      await withHelper(async second => {
        await sleep(400);
        assert.equal(state(second), 'T');
        end();
        await sleep(30);
        assert.notEqual(state(second), 'T');
        assert.notEqual(state(pid), 'T');
      });
    });
  });
});

test('Django\'s helper dies with the process that started it, even while stopped (Linux: nothing would continue it)', { skip: linux }, async () => {
  const dir = path.join(__dirname, '..', '..', 'python');
  // a parent (standing for the scan worker) that starts the helper's code, which stops itself as a paused helper is
  const parent = spawn('python3', ['-c', [
    'import subprocess, sys',
    `p = subprocess.Popen([sys.executable, "-c", "import sys, os, signal, time; sys.path.insert(0, ${JSON.stringify(dir).replace(/"/g, "'")}); import django_helper; django_helper._die_with_parent(); print(os.getpid(), flush=True); os.kill(os.getpid(), signal.SIGSTOP); time.sleep(60)"], stdout=sys.stdout)`,
    'p.wait()',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>(resolve => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  try {
    await sleep(100);
    assert.equal(state(pid), 'T', 'the helper is stopped');
    parent.kill('SIGKILL');
    for (let i = 0; i < 50 && fs.existsSync(`/proc/${pid}`) && state(pid) !== 'Z'; i++) await sleep(20);
    assert.ok(!fs.existsSync(`/proc/${pid}`) || state(pid) === 'Z', `the helper (${pid}) is gone: ${fs.existsSync(`/proc/${pid}`) ? state(pid) : 'no such process'}`);
  } finally {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});
