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
