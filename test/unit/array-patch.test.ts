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
