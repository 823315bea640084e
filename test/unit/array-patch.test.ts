// The scan worker's array patches (src/extension/arrayPatch.ts): what a reply sends of a long array the host holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayPatch, type IndexRows } from '../../src/extension/arrayPatch';

type Row = { alias: string; model: string; migrate: boolean; decidedBy: string; reason: string; line: number };
const row = (i: number): Row => ({ alias: 'legacy', model: `app.M${i}`, migrate: true, decidedBy: `r.R${i % 3}`, reason: 'router', line: i });

/** `rows` as the request's own index holds them (ArrayPatch `alt`). */
function indexRows(rows: readonly unknown[]): IndexRows {
  return { array: () => rows, find: x => { const at = rows.indexOf(x); return at < 0 ? undefined : { of: 'routing', at }; } };
}

/** `patch` applied as the host does it: runs of `prev`, runs of the index's rows, edits, new items. */
function apply(prev: readonly unknown[], alt: readonly unknown[], patch: NonNullable<ReturnType<typeof arrayPatch>>): unknown[] {
  const out: unknown[] = [];
  for (const p of patch) {
    if ('from' in p) out.push(...prev.slice(p.from, p.from + p.len));
    else if ('alt' in p) out.push(...alt.slice(p.alt, p.alt + p.len));
    else if ('edit' in p) out.push({ ...(prev[p.edit] as object), ...p.set });
    else out.push(...(p.items as unknown[]));
  }
  return out;
}

test('a block of the index\'s own rows longer than the look-ahead, then rows equal to the last ones: those are found again where they were', () => {
  // a merge's routing after a router edit: 30 decisions flipped (the static index's rows, named as `alt`), the rest
  // Django's rows again, new objects equal to the last merge's
  const prev = Array.from({ length: 100 }, (_, i) => row(i));
  const index = Array.from({ length: 100 }, (_, i) => ({ ...row(i), migrate: false, decidedBy: 'r.Other', line: 1000 + i }));
  const next = [...prev.slice(0, 30).map(r => ({ ...r })), ...index.slice(30, 60), ...prev.slice(60).map(r => ({ ...r }))];
  const patch = arrayPatch(prev, next, indexRows(index));
  assert.ok(patch, 'a patch, not the whole array');
  assert.deepEqual(patch, [{ from: 0, len: 30 }, { alt: 30, len: 30, of: 'routing' }, { from: 60, len: 40 }]);
  assert.deepEqual(apply(prev, index, patch), next);
});

test('items added before equal rows (lengths differ): the rows after them are found counted from the end', () => {
  const prev = Array.from({ length: 100 }, (_, i) => row(i));
  const added = Array.from({ length: 20 }, (_, i) => ({ ...row(500 + i), decidedBy: 'r.New' }));
  const next = [...prev.slice(0, 40).map(r => ({ ...r })), ...added, ...prev.slice(40).map(r => ({ ...r }))];
  const patch = arrayPatch(prev, next);
  assert.ok(patch);
  assert.deepEqual(patch.filter(p => 'from' in p), [{ from: 0, len: 40 }, { from: 40, len: 60 }]);
  assert.deepEqual(apply(prev, [], patch), next);
});

test('the same objects before and after what changed: runs of them, and only what lies between is patched (a row re-decided, rows added, rows taken away)', () => {
  const prev = Array.from({ length: 200 }, (_, i) => row(i));
  const index = Array.from({ length: 200 }, (_, i) => ({ ...row(i), migrate: false, decidedBy: 'r.Other' }));
  // one row re-decided: the static index's row in its place
  const flipped = [...prev.slice(0, 90), index[90]!, ...prev.slice(91)];
  assert.deepEqual(arrayPatch(prev, flipped, indexRows(index)), [{ from: 0, len: 90 }, { alt: 90, len: 1, of: 'routing' }, { from: 91, len: 109 }]);
  // one row's line moved (a line typed above it): an edit of that property
  const moved = [...prev.slice(0, 50), { ...prev[50]!, line: 999 }, ...prev.slice(51)];
  assert.deepEqual(arrayPatch(prev, moved), [{ from: 0, len: 50 }, { edit: 50, set: { line: 999 } }, { from: 51, len: 149 }]);
  // rows added in the middle, and rows taken away
  const added = [...prev.slice(0, 120), row(900), row(901), ...prev.slice(120)];
  const addedPatch = arrayPatch(prev, added)!;
  assert.deepEqual(addedPatch.filter(p => 'from' in p), [{ from: 0, len: 120 }, { from: 120, len: 80 }]);
  assert.deepEqual(apply(prev, [], addedPatch), added);
  assert.deepEqual(arrayPatch(prev, [...prev.slice(0, 10), ...prev.slice(30)]), [{ from: 0, len: 10 }, { from: 30, len: 170 }]);
  // all the same objects: one run
  assert.deepEqual(arrayPatch(prev, [...prev]), [{ from: 0, len: 200 }]);
});

test('random edits of a long array: the patch applied as the host applies it gives the array, its runs lie within the last array, and the whole array is sent only when over a quarter of it changed', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let round = 0; round < 400; round++) {
    const prev = Array.from({ length: 64 + Math.floor(rnd() * 300) }, (_, i) => row(i));
    const index = prev.map(r => ({ ...r, migrate: false }));
    const next: unknown[] = [...prev];
    let changed = 0;
    for (let k = Math.floor(rnd() * 8); k > 0; k--) {
      const at = Math.floor(rnd() * next.length);
      const what = rnd();
      const len = 1 + Math.floor(rnd() * 12);
      changed += len;
      if (what < 0.2) next.splice(at, len);
      else if (what < 0.4) next.splice(at, 0, ...Array.from({ length: len }, (_, i) => row(5000 + round * 100 + i)));
      else if (what < 0.6) for (let i = at; i < Math.min(next.length, at + len); i++) next[i] = { ...(next[i] as Row) };
      else if (what < 0.8) for (let i = at; i < Math.min(next.length, at + len, index.length); i++) next[i] = index[i];
      else for (let i = at; i < Math.min(next.length, at + len); i++) next[i] = { ...(next[i] as Row), line: 7777 };
    }
    const patch = arrayPatch(prev, next, indexRows(index));
    if (!patch) {
      assert.ok(changed * 2 > next.length / 2 || next.length < 64, `round ${round}: a patch expected (${changed} rows changed of ${next.length})`);
      continue;
    }
    const out = apply(prev, index, patch);
    assert.deepEqual(out, next, `round ${round}`);
    for (const seg of patch) if ('from' in seg) assert.ok(seg.from >= 0 && seg.len > 0 && seg.from + seg.len <= prev.length, `round ${round}: a run within the last array`);
  }
});
