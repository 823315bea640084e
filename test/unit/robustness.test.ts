// Robustness: truncated and mutated Python files (thousands) go through the parser and the whole indexer.
// No exception may escape and no file may take more than a bounded time (a generous bound that only catches
// hangs and runaway loops; speed itself is measured by `npm run bench`, not asserted here).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initPython, parsePython } from '../../src/core/python/parse';
import { Scanner } from '../../src/core/scan';

const REPO = path.resolve(__dirname, '..', '..');
const HANG_BOUND_MS = 5000;

/** Small seeded PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = ['(', ')', '[', ']', '{', '}', ':', '"', "'", '"""', '\\', '\n', '    ', '\t', 'def ', 'class ', 'if ', 'else:', 'return', '=', '==', ',', '#', 'f"{', '\x00', 'é', '𝔘', 'lambda', 'match ', 'case '];

function mutate(src: string, r: () => number): string {
  const lines = src.split('\n');
  switch (Math.floor(r() * 6)) {
    case 0: return src.slice(0, Math.floor(r() * src.length)); // truncated mid-typing
    case 1: { lines.splice(Math.floor(r() * lines.length), 1 + Math.floor(r() * 3)); return lines.join('\n'); }
    case 2: { const i = Math.floor(r() * lines.length); lines.splice(i, 0, lines[i] ?? ''); return lines.join('\n'); }
    case 3: { const at = Math.floor(r() * src.length); return src.slice(0, at) + JUNK[Math.floor(r() * JUNK.length)] + src.slice(at); }
    case 4: { const i = Math.floor(r() * lines.length); lines[i] = (lines[i] ?? '').replace(/^\s*/, ' '.repeat(Math.floor(r() * 9))); return lines.join('\n'); }
    default: { const a = Math.floor(r() * src.length); const b = a + Math.floor(r() * 200); return src.slice(0, a) + src.slice(b); }
  }
}

function pythonFiles(dir: string, limit: number, out: string[] = []): string[] {
  if (out.length >= limit || !fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (out.length >= limit) break;
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !['node_modules', '__pycache__', '.git'].includes(e.name)) pythonFiles(p, limit, out);
    else if (e.isFile() && e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

before(async () => { await initPython(); });

test('parser: 3,000 mutated real Python files never throw and never hang', () => {
  // real-world Python: Django's own sources when the venv is there, else this repository's Python files
  const cache = process.env.DJANGO_MULTIDB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'django-multidb');
  const site = path.join(cache, 'venv-django52', 'lib');
  const corpus = [...pythonFiles(path.join(REPO, 'examples'), 200), ...pythonFiles(path.join(REPO, 'test', 'fixtures'), 200), ...pythonFiles(site, 400)]
    .filter(f => fs.statSync(f).size < 200_000);
  assert.ok(corpus.length > 0, 'no Python files to mutate');
  const r = rng(20261124);
  let worst = 0;
  for (let i = 0; i < 3000; i++) {
    const file = corpus[i % corpus.length]!;
    const src = mutate(fs.readFileSync(file, 'utf8'), r);
    const t = performance.now();
    const m = parsePython(src, file);
    const ms = performance.now() - t;
    worst = Math.max(worst, ms);
    assert.ok(ms < HANG_BOUND_MS, `${file} (mutation ${i}) took ${ms.toFixed(0)} ms`);
    assert.equal(m.type, 'Module');
  }
  console.log(`parser fuzz: ${corpus.length} files, 3000 mutations, slowest ${worst.toFixed(1)} ms`);
});

test('indexer: 400 mutated settings, router, model and migration files never throw; other files still read', async () => {
  const example = path.join(REPO, 'examples', 'multidb_shop');
  assert.ok(fs.existsSync(example), 'examples/multidb_shop is missing');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-fuzz-'));
  fs.cpSync(example, dir, { recursive: true, filter: s => !/(\.sqlite3|__pycache__)$/.test(s) });
  const files = pythonFiles(dir, 500).filter(f => !f.endsWith('__init__.py') || fs.statSync(f).size > 0);
  const scanner = new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {} });
  const baseline = await scanner.index();
  assert.ok(baseline.models.length > 0, 'the example has models');
  const r = rng(7);
  let worst = 0;
  for (let i = 0; i < 400; i++) {
    const file = files[Math.floor(r() * files.length)]!;
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, mutate(original, r));
    scanner.invalidate(file);
    const t = performance.now();
    const idx = await scanner.index();
    const ms = performance.now() - t;
    worst = Math.max(worst, ms);
    assert.ok(ms < HANG_BOUND_MS, `${file} (mutation ${i}) took ${ms.toFixed(0)} ms`);
    // one broken file never hides the others: models of apps whose files were not touched are still there
    const untouchedApps = new Set(baseline.models.filter(m => m.loc.path !== file && !file.includes(`${path.sep}${m.app}${path.sep}`)).map(m => m.app));
    if (!file.includes(`${path.sep}shop${path.sep}`)) {
      for (const app of untouchedApps) assert.ok(idx.models.some(m => m.app === app), `models of ${app} lost after mutating ${file}`);
    }
    fs.writeFileSync(file, original);
    scanner.invalidate(file);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`indexer fuzz: ${files.length} files, 400 mutations, slowest index ${worst.toFixed(1)} ms`);
});
