// python/shape.ts: what counts as a function's body (function-level dependencies, vfs Deps.shapes).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPython, parsePython } from '../../src/core/python/parse';
import { shapeOfModule } from '../../src/core/python/shape';

const SRC = [
  'import functools',
  'LIMIT = 3',
  'pick = lambda x: x + 1',
  '',
  '',
  '@functools.lru_cache',
  'def helper(a, b=LIMIT):',
  '    def inner():',
  '        return a',
  '    return inner() + b',
  '',
  '',
  'class Router:',
  '    flag = True',
  '',
  '    def allow_migrate(self, db, app_label, **hints):',
  '        return db == "default"',
  '',
  '    def db_for_read(self, model, **hints):',
  '        return None',
  '',
].join('\n');

const shape = (text: string) => shapeOfModule(parsePython(text, 'x.py'))!;
/** which parts differ: the skeleton, and the bodies by key */
function diff(a: string, b: string): string[] {
  const x = shape(a), y = shape(b);
  const out: string[] = [];
  if (x.skeleton !== y.skeleton) out.push('skeleton');
  for (const [k, v] of x.bodies) if (y.bodies.get(k) !== v) out.push(k);
  return out;
}

describe('function shapes', () => {
  before(async () => { await initPython(); });

  test('the functions not nested in another are the bodies, keyed by line and name', () => {
    assert.deepEqual([...shape(SRC).bodies.keys()], ['7:helper', '16:allow_migrate', '19:db_for_read']);
  });

  test('an edit inside a body is that body\'s, even where it changes where the function (and its class) ends', () => {
    assert.deepEqual(diff(SRC, SRC.replace('return None', 'return False')), ['19:db_for_read']);
    assert.deepEqual(diff(SRC, SRC.replace('return db == "default"', 'return db != "other"')), ['16:allow_migrate']);
    // a nested function is its enclosing function's body
    assert.deepEqual(diff(SRC, SRC.replace('        return a', '        return b')), ['7:helper']);
  });

  test('module code, class bodies, signatures, defaults, decorators and lambdas outside functions are the skeleton', () => {
    assert.deepEqual(diff(SRC, SRC.replace('LIMIT = 3', 'LIMIT = 4')), ['skeleton']);
    assert.deepEqual(diff(SRC, SRC.replace('flag = True', 'flag = False')), ['skeleton']);
    assert.deepEqual(diff(SRC, SRC.replace('b=LIMIT', 'b=1')), ['skeleton']);
    assert.deepEqual(diff(SRC, SRC.replace('@functools.lru_cache', '@functools.cache')), ['skeleton']);
    assert.deepEqual(diff(SRC, SRC.replace('x + 1', 'x + 2')), ['skeleton']);
    assert.deepEqual(diff(SRC, SRC.replace('**hints):\n        return None', '**kw):\n        return None')), ['skeleton']);
  });

  test('a line added in a body moves what follows: the skeleton (positions) and that body differ; a comment alone does not count', () => {
    assert.deepEqual(diff(SRC, SRC.replace('    return inner() + b', '    c = b\n    return inner() + c')).sort(), ['16:allow_migrate', '19:db_for_read', '7:helper', 'skeleton'].sort());
    assert.deepEqual(diff(SRC, SRC.replace('return None', 'return None  # why')), []);
  });
});
