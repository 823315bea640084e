// core/vfs track: what a computation read, and the lazy kind a whole index uses (issue 11): the memoised results used
// inside it are kept as they are and merged into its files only when those are asked for.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { noteDeps, statFile, track, unchanged } from '../../src/core/vfs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-vfs-track-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a lazy track gives the files of the results used in it and its own reads, as an eager one does; its own read of a file keeps the newer key', () => {
  const a = path.join(dir, 'a.py'), b = path.join(dir, 'b.py');
  fs.writeFileSync(a, 'A = 1\n');
  fs.writeFileSync(b, 'B = 1\n');
  const memo = track(() => { statFile(a); });
  const both = (lazy: boolean) => track(() => { noteDeps(memo.deps); statFile(b); }, lazy).deps;
  const eager = both(false), lazy = both(true);
  assert.deepStrictEqual([...lazy.files].sort(), [...eager.files].sort());
  assert.ok(lazy.files.has(a) && lazy.files.has(b));
  assert.ok(unchanged(lazy));
  // a file of the result used in it changes: the lazy track's dependencies see it
  fs.writeFileSync(a, 'A = 22\n');
  assert.ok(!unchanged(lazy) && !unchanged(eager));
  // a result computed again from its earlier one: the earlier files are noted first (their keys older), then read again
  const again = (lazy: boolean) => track(() => { noteDeps(memo.deps); statFile(a); }, lazy).deps;
  const e2 = again(false), l2 = again(true);
  assert.equal(l2.files.get(a), e2.files.get(a));
  assert.notEqual(l2.files.get(a), memo.deps.files.get(a), 'the key read last, not the earlier result\'s');
  assert.ok(unchanged(l2));
});
