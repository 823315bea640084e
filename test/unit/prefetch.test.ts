// The second thread of a first index (core/prefetch.ts) changes nothing but speed: on copies of the bundled
// example, the lint fixtures and a generated project, an index with the worker reading migration files, their
// RunPython lints and the alias lint's files (DJANGO_MULTIDB_PARALLEL=worker: all by the worker; =1: shared as
// they come, whatever the count) equals one read on the index's own thread alone (=0). The worker bundle is dist/parse-worker.js (npm run test:unit builds it).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Scanner, type ProjectIndex } from '../../src/core/scan';
import { copyProject } from './support';

const REPO = path.resolve(__dirname, '..', '..');
const dirs: string[] = [];
const saved = process.env.DJANGO_MULTIDB_PARALLEL;
after(() => {
  if (saved === undefined) delete process.env.DJANGO_MULTIDB_PARALLEL;
  else process.env.DJANGO_MULTIDB_PARALLEL = saved;
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function copy(src: string): string {
  const d = copyProject(src, 'dmdb-prefetch-');
  dirs.push(d);
  return d;
}

/** Everything but the timings, with the copy's path made the same for both copies. */
function facts(index: ProjectIndex, root: string): string {
  const { timings: _t, ...rest } = index;
  return JSON.stringify(rest).split(root).join('<root>');
}

async function scan(root: string, parallel: '0' | '1' | 'worker'): Promise<ProjectIndex> {
  process.env.DJANGO_MULTIDB_PARALLEL = parallel;
  return new Scanner({ root, allowPython: false }).index();
}

describe('prefetch: the worker thread gives what the index thread gives', () => {
  test('dist/parse-worker.js is built', () => {
    assert.ok(fs.existsSync(path.join(REPO, 'dist', 'parse-worker.js')), 'run node scripts/build.mjs first');
  });

  const generated = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-prefetch-gen-'));
  dirs.push(generated);
  execFileSync(process.execPath, [path.join(REPO, 'bench/generate.mjs'), generated, '30', '6', '12'], { stdio: 'ignore' });
  const projects: [string, string][] = [
    ['the bundled example', path.join(REPO, 'examples', 'multidb_shop')],
    ['warehouse_hints (RunPython lints, aliases)', path.join(REPO, 'test', 'fixtures', 'warehouse_hints')],
    ['dynamic_routers', path.join(REPO, 'test', 'fixtures', 'dynamic_routers')],
    ['routers_zoo', path.join(REPO, 'test', 'fixtures', 'routers_zoo')],
    ['generated (30 apps, 360 migrations)', generated],
  ];
  for (const [name, src] of projects) {
    test(name, async () => {
      // separate copies: the lint caches are per file, and a file read once is not read again
      const a = copy(src), b = copy(src), c = copy(src);
      const alone = await scan(a, '0');
      // every file by the worker, then shared between the two threads as they come
      const worker = await scan(b, 'worker');
      const shared = await scan(c, '1');
      assert.equal(alone.timings?.prefetched, undefined);
      assert.ok((worker.timings?.prefetched ?? 0) >= alone.migrations.length, 'the worker read every migration file');
      assert.ok(alone.migrations.length > 0);
      assert.equal(facts(worker, b), facts(alone, a));
      assert.equal(facts(shared, c), facts(alone, a));
    });
  }
});
