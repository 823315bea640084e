// core/equal.ts sameValue decides as util.isDeepStrictEqual does, on the kinds of values an index holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { sameValue } from '../../src/core/equal';

test('sameValue agrees with isDeepStrictEqual', () => {
  const row = { alias: 'default', model: 'a.B', migrate: true, loc: { path: '/p', line: 3 }, deps: ['x', 'y'] };
  const cases: [unknown, unknown][] = [
    [row, { ...row, loc: { ...row.loc }, deps: [...row.deps] }],
    [row, { ...row, migrate: false }],
    [row, { ...row, loc: { path: '/p', line: 4 } }],
    [{ a: 1 }, { a: 1, b: undefined }],
    [{ a: 1, b: undefined }, { a: 1 }],
    [{ a: undefined }, { b: undefined }],
    [[1, 2], [1, 2, 3]],
    [[1, [2, { c: 3 }]], [1, [2, { c: 3 }]]],
    [NaN, NaN],
    [0, -0],
    [{ n: 0 }, { n: -0 }],
    [null, undefined],
    [null, {}],
    [[], {}],
    ['1', 1],
    [new Set([1, 2]), new Set([1, 2])],
    [new Map([[1, { a: 1 }]]), new Map([[1, { a: 2 }]])],
    [{ s: new Set(['a']) }, { s: new Set(['a']) }],
    [Object.create(null), {}],
  ];
  for (const [a, b] of cases) {
    assert.equal(sameValue(a, b), isDeepStrictEqual(a, b), `${String(JSON.stringify(a))} vs ${String(JSON.stringify(b))}`);
    assert.equal(sameValue(b, a), isDeepStrictEqual(b, a));
  }
});
