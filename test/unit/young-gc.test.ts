// The young generation collected on demand (src/extension/youngGc.ts): the idle moments of the extension host and of
// the scan worker (issue 11).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as vm from 'node:vm';
import { collectYoung, youngUsed } from '../../src/extension/youngGc';

test('collectYoung scavenges a young generation holding enough, and promotes what stays alive', () => {
  // garbage and objects kept alive, all young
  const kept: object[] = [];
  for (let i = 0; i < 200_000; i++) {
    const o = { i, s: `x${i}`, a: [i] };
    if (i % 4 === 0) kept.push(o);
  }
  const before = youngUsed();
  assert.ok(before >= 1 << 20, `young generation used: ${before}`);
  assert.equal(collectYoung(1 << 20, 1).length, 1, 'one scavenge when one is asked for');
  const runs = collectYoung(1 << 10);
  assert.ok(runs.length >= 1 && runs.length <= 2, `runs: ${JSON.stringify(runs)}`);
  for (const [b, a, ms] of runs) {
    assert.ok(a < b, `a scavenge leaves less in the young generation: ${b} → ${a}`);
    assert.ok(ms >= 0);
  }
  // the kept objects are intact (promoted or copied, the same objects)
  assert.equal(kept.length, 50_000);
  assert.deepEqual(kept[49_999], { i: 199_996, s: 'x199996', a: [199_996] });
});

test('collectYoung leaves a young generation with less than asked to V8', () => {
  assert.deepEqual(collectYoung(Number.MAX_SAFE_INTEGER), []);
});

test('collectYoung does nothing without a way to collect', () => {
  assert.deepEqual(collectYoung(0, 2, null), []);
});

test('the gc function is not left to other contexts (the extension host is shared)', () => {
  collectYoung(0);
  assert.equal(vm.runInNewContext('typeof gc'), 'undefined');
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});

test('a young generation grown by a burst is given back by scavenges after a quiet time, not by one right after (idleCollect.ts)', async () => {
  // (a process of its own: this one's young generation is whatever the tests before left; 64 MB semi-spaces as the
  // extension host has them)
  const code = `
    import { collectYoung, youngReserved } from './src/extension/youngGc.ts';
    let keep = [];
    for (let r = 0; r < 40; r++) { const a = []; for (let i = 0; i < 200000; i++) a.push({ i, s: 'x' + i }); keep.push(a); if (keep.length > 4) keep.shift(); }
    keep = null;
    const grown = youngReserved();
    collectYoung(0, 1);
    const soon = youngReserved();
    // (a host is never quite idle: a little is allocated meanwhile; V8 shrinks nothing at a rate of exactly 0)
    const trickle = setInterval(() => { const a = []; for (let i = 0; i < 100; i++) a.push({ i }); }, 100);
    // after a quiet time, a scavenge every second (idleCollect.ts's tries), until it is small
    let tries = 0;
    const tick = setInterval(() => {
      collectYoung(0, 1);
      if (++tries < 6 && youngReserved() >= 16 * 2 ** 20) return;
      clearInterval(tick);
      clearInterval(trickle);
      console.log(JSON.stringify({ grown, soon, quiet: youngReserved(), tries }));
    }, 1000);
  `;
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', '--input-type=module', '-e', code], { cwd: `${__dirname}/../..`, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { grown, soon, quiet, tries } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { grown: number; soon: number; quiet: number; tries: number };
  const MB = 1 << 20;
  assert.ok(grown >= 64 * MB, `the burst grew the young generation: ${grown / MB} MB`);
  assert.ok(soon >= 64 * MB, `a scavenge right after the burst keeps it: ${soon / MB} MB`);
  assert.ok(quiet <= 8 * MB, `scavenges after a quiet time give it back: ${quiet / MB} MB after ${tries}`);
});
