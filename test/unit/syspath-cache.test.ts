// The interpreter's sys.path is reused between runs only while nothing it depends on changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findSearchRoots } from '../../src/core/env/python-env';
import { writeTree } from './support';

/** A project with a site-packages folder and a stand-in interpreter that answers like the real snippet and counts how often it is started. */
function fakeInterpreter(prefix: string): { dir: string; site: string; py: string; runs: () => number } {
  const dir = writeTree({ 'manage.py': '', 'site/pkg/__init__.py': '' }, prefix);
  const site = path.join(dir, 'site');
  const count = path.join(dir, 'runs');
  const py = path.join(dir, 'fakepython');
  fs.writeFileSync(py, `#!/bin/sh\necho x >> "${count}"\necho '{"path": ["", "${site}"], "version": "3.12.0"}'\n`, { mode: 0o755 });
  return { dir, site, py, runs: () => fs.readFileSync(count, 'utf8').trim().split('\n').length };
}

test('sys.path cache: reused while unchanged, asked again after a package is installed', async () => {
  const { dir, site, py, runs } = fakeInterpreter('dmdb-syspath-');
  const cacheDir = path.join(dir, 'cache');
  const opts = { root: dir, python: py, allowPython: true, env: { PATH: process.env.PATH }, cacheDir };

  const first = await findSearchRoots(opts);
  assert.ok(first.roots.includes(site));
  assert.equal(runs(), 1);
  const second = await findSearchRoots(opts);
  assert.deepEqual(second.roots, first.roots);
  assert.equal(runs(), 1, 'the cached answer was not reused');

  // installing a package (or a .pth file) changes the site-packages directory
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(site, later, later);
  await findSearchRoots(opts);
  assert.equal(runs(), 2, 'a changed site-packages must ask the interpreter again');

  // another PYTHONPATH is another answer
  await findSearchRoots({ ...opts, env: { ...opts.env, PYTHONPATH: '/elsewhere' } });
  assert.equal(runs(), 3);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('sys.path cache without a cache folder (the extension\'s scan worker): kept in the process, under the same checks', async () => {
  const { dir, site, py, runs } = fakeInterpreter('dmdb-syspath-mem-');
  const opts = { root: dir, python: py, allowPython: true, env: { PATH: process.env.PATH } };

  const first = await findSearchRoots(opts);
  const second = await findSearchRoots(opts);
  assert.deepEqual(second.roots, first.roots);
  assert.equal(runs(), 1, 'every index (each typed edit in Django mode) started the interpreter again');
  assert.ok(second.notes.some(n => n.includes('reused from the cache')));

  const later = new Date(Date.now() + 5000);
  fs.utimesSync(site, later, later);
  await findSearchRoots(opts);
  assert.equal(runs(), 2, 'a changed site-packages must ask the interpreter again');
  await findSearchRoots(opts);
  assert.equal(runs(), 2);
  assert.ok(!fs.readdirSync(dir).some(f => f.includes('syspath')), 'nothing written without a cache folder');
  fs.rmSync(dir, { recursive: true, force: true });
});
