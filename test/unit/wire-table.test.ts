// Long arrays of flat rows cross between the scan worker and the host as a table of their distinct values
// (src/extension/wireTable.ts): what the host gets back equals what the worker had, keys in the same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import { fromTable, isTable, toTable, type WireTable } from '../../src/extension/wireTable';

const decision = (i: number) => {
  const loc = { path: '/p/routers.py', line: 10 + (i % 3), column: 8 };
  return {
    alias: ['default', 'analytics', 'legacy'][i % 3]!,
    model: `app${Math.floor(i / 3) % 40}.Model`,
    migrate: i % 5 === 0 ? null : i % 2 === 0,
    decidedBy: i % 7 === 0 ? null : 'site.routers.Router',
    reason: 'router',
    ...(i % 4 ? { loc, explanation: `Router.allow_migrate returned False at routers.py:${loc.line}` } : {}),
    ...(i % 11 === 0 ? { source: undefined } : {}),
  };
};

test('rows that repeat their values: a table, smaller on the wire, read back equal with the same key order', () => {
  const rows = Array.from({ length: 600 }, (_, i) => decision(i));
  const table = toTable(rows);
  assert.ok(table && isTable(table));
  assert.ok(serialize(table).length * 3 < serialize(rows).length, `${serialize(table).length} vs ${serialize(rows).length}`);
  const back = fromTable(deserialize(serialize(table)) as typeof table) as unknown as typeof rows;
  assert.deepEqual(back, rows);
  back.forEach((r, i) => assert.deepEqual(Object.keys(r), Object.keys(rows[i]!)));
  assert.ok('source' in back[0]! && back[0]!.source === undefined, 'a key whose value is undefined is kept');
  // arrays of values are values too (a hint's keys, a finding's migrations), copied per row
  const listed = rows.map((r, i) => ({ ...r, keys: i % 2 ? ['model_name'] : [] }));
  const listedBack = fromTable(deserialize(serialize(toTable(listed))) as WireTable) as unknown as typeof listed;
  assert.deepEqual(listedBack, listed);
  assert.notEqual(listedBack[1]!.keys, listedBack[3]!.keys);
  // nested objects are copied per row, as the serialiser's copy would have been
  const withLoc = back.filter(r => 'loc' in r);
  assert.notEqual(withLoc[0]!.loc, withLoc[3]!.loc);
});

test('what is not flat rows, short, or rarely repeated crosses as it is', () => {
  const rows = Array.from({ length: 600 }, (_, i) => decision(i));
  assert.equal(toTable(rows.slice(0, 10)), null, 'short');
  assert.equal(toTable([...rows, { ...rows[0]!, deps: [['a', '0001']] }]), null, 'a row with an array of arrays');
  assert.equal(toTable([...rows, { ...rows[0]!, deps: ['a', { b: 1 }] }]), null, 'a row with an array of values and objects');
  assert.equal(toTable([...rows, { ...rows[0]!, loc: { path: 'x', nested: { a: 1 } } }]), null, 'a nested object that is not flat');
  assert.equal(toTable([...rows, new Map()]), null, 'a row that is not a plain object');
  assert.equal(toTable([...rows, { ...rows[0]!, migrate: -0 }]), null, '-0, which a Map key would make 0');
  assert.equal(toTable([...rows, { ...rows[0]!, loc: { path: 'x', line: NaN } }]), null, 'NaN in a nested object, which JSON would make null');
  const distinct = Array.from({ length: 600 }, (_, i) => ({ code: `c${i}`, message: `message ${i}`, path: `/p/f${i}.py`, line: i }));
  assert.equal(toTable(distinct), null, 'rows that repeat few values');
  assert.equal(fromTable(rows), rows, 'a value that is not a table is returned as it is');
});

test('rows holding arrays of rows (planned migrations and their operations): one table, read back equal', () => {
  const op = (i: number, j: number): Record<string, unknown> => ({
    kind: j % 3 ? 'AddField' : 'CreateModel', describe: `Create model Thing${i}x${j}`, model: `thing${i}x${j}`,
    skipped: j % 4 === 0, reason: 'router', decidedBy: 'site.routers.LegacyRouter',
    ...(j === 2 ? { operations: [{ kind: 'RunSQL', describe: 'Raw SQL operation', skipped: null, reason: 'custom', decidedBy: null }] } : {}),
  });
  const planned = Array.from({ length: 300 }, (_, i) => ({ key: `app${i % 40}.000${i % 9}_x`, operations: Array.from({ length: i % 5 }, (_, j) => op(i, j)) }));
  const table = toTable(planned);
  assert.ok(table && isTable(table));
  assert.ok(serialize(table).length * 2 < serialize(planned).length, `${serialize(table).length} vs ${serialize(planned).length}`);
  const back = fromTable(deserialize(serialize(table)) as typeof table) as unknown as typeof planned;
  assert.deepEqual(back, planned);
  // the keys of every row, nested ones too, in their order
  const keys = (x: unknown): unknown => Array.isArray(x) ? x.map(keys) : x && typeof x === 'object' ? Object.entries(x).map(([k, v]) => [k, keys(v)]) : null;
  assert.deepEqual(keys(back), keys(planned));
  // an array of something else than rows, anywhere: not a table
  assert.equal(toTable([...planned, { key: 'a.b', operations: [op(1, 1), 'x'] }]), null);
});
