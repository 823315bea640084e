// Robustness: truncated and mutated Python files (thousands) go through the parser and the whole indexer.
// No exception may escape and no file may take more than a bounded time (a generous bound that only catches
// hangs and runaway loops; speed itself is measured by `npm run bench`, not asserted here).
// Hostile inputs (random bytes, megabytes of garbage, 10,000 nested brackets, huge generated modules, symlink
// loops, a FIFO) each get an answer within the parse budget: a `parse-budget` or `parse-error` finding that
// names the file, no exception, no JS stack trace; the rest of the project is still read.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initPython, parsePython, ParseBudget, MAX_NESTING } from '../../src/core/python/parse';
import type * as A from '../../src/core/python/ast';
import { Scanner, toReport } from '../../src/core/scan';
import { readMigrationSource } from '../../src/core/migrations/files';
import { ModuleIndex } from '../../src/core/python/modules';
import { copyProject } from './support';

const REPO = path.resolve(__dirname, '..', '..');
const HANG_BOUND_MS = 5000;
/** a hang guard for the hostile inputs (their budget is a few seconds of CPU; this machine may be busy) */
const HOSTILE_BOUND_MS = 20_000;

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
  const dir = copyProject(example, 'dmdb-fuzz-');
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

// ---- hostile inputs --------------------------------------------------------------------------------------------

const tmpDirs: string[] = [];
after(() => { for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true }); });

/** `n` bytes from the seeded PRNG: 0-255 (random bytes), or printable ASCII and newlines (garbage text) */
function randomText(n: number, seed: number, ascii: boolean): string {
  const r = rng(seed);
  const buf = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const x = Math.floor(r() * 256);
    buf[i] = !ascii ? x : x % 20 === 0 ? 10 : 32 + (x % 95);
  }
  return buf.toString(ascii ? 'latin1' : 'utf8');
}

const HOSTILE = {
  randomBytes: () => randomText(1024 * 1024, 1, false),
  asciiGarbage: () => randomText(1024 * 1024, 2, true),
  garbage300k: () => randomText(300 * 1024, 3, true),
  nestedParens: () => `X = ${'('.repeat(10_000)}1${')'.repeat(10_000)}\nAFTER = 1\n`,
  unclosedParens: () => `X = ${'('.repeat(10_000)}1\nAFTER = 1\n`,
  nestedCalls: () => `X = ${'f('.repeat(10_000)}${')'.repeat(10_000)}\nAFTER = 1\n`,
  longSum: () => `X = ${Array(2000).fill('1').join(' + ')}\nAFTER = 1\n`,
  longAnd: () => `X = ${Array(20_000).fill('a').join(' and ')}\nAFTER = 1\n`,
  /** a generated data module: 5 MB of one list literal */
  dataModule: () => {
    const rows: string[] = [];
    for (let i = 0, n = 0; n < 5 * 1024 * 1024; i++) {
      const row = `    {"id": ${i}, "name": "item-${i}", "values": [${i}, ${i * 7}, ${i * 13}]},\n`;
      rows.push(row);
      n += row.length;
    }
    return `HEADER = "kept"\nDATA = [\n${rows.join('')}]\nTRAILER = 1\n`;
  },
};

/** Parse under a hang guard; the answer must be a Module, never an exception. */
function parseTimed(src: string, budget?: ParseBudget): { m: A.Module; ms: number } {
  const t = performance.now();
  const m = parsePython(src, 'hostile.py', budget ? { budget } : {});
  const ms = performance.now() - t;
  assert.equal(m.type, 'Module');
  assert.ok(ms < HOSTILE_BOUND_MS, `took ${ms.toFixed(0)} ms`);
  return { m, ms };
}

const names = (m: A.Module) => m.body.flatMap(s => (s.type === 'Assign' ? s.targets.map(t => (t.type === 'Name' ? t.id : '?')) : []));

describe('hostile inputs to the parser: an answer within the budget', () => {
  test('1 MB of random bytes: refused like CPython (null bytes), at once', () => {
    const { m } = parseTimed(HOSTILE.randomBytes());
    assert.deepEqual(m.body, []);
    assert.match(m.problems[0]?.message ?? '', /cannot contain null bytes/);
  });

  for (const k of ['asciiGarbage', 'garbage300k'] as const) {
    test(`${k}: syntax errors or the time budget, never a hang`, () => {
      const { m } = parseTimed(HOSTILE[k]());
      assert.ok(m.problems.length > 0 || m.limit, 'garbage is reported');
      if (m.limit) assert.equal(m.limit.kind, 'time');
      // with a small budget the limit is certain, and it is kept
      const small = parseTimed(HOSTILE[k](), new ParseBudget(10_000, 200)).m;
      assert.equal(small.limit?.kind, 'time');
      assert.match(small.limit!.message, /longer than its 200 ms budget/);
    });
  }

  for (const k of ['nestedParens', 'nestedCalls'] as const) {
    test(`${k} (10,000 deep): the nesting limit, and the next statement is still read`, () => {
      const { m } = parseTimed(HOSTILE[k]());
      assert.equal(m.limit?.kind, 'depth');
      assert.match(m.limit!.message, new RegExp(`more than ${MAX_NESTING} levels deep at line 1`));
      assert.deepEqual(names(m), ['X', 'AFTER']);
    });
  }

  test('10,000 unclosed parentheses: a syntax error, the next statement still read', () => {
    const { m } = parseTimed(HOSTILE.unclosedParens());
    assert.ok(m.problems.length > 0);
    assert.ok(names(m).includes('AFTER'));
  });

  test('a 2,000-term sum (CPython compiles it) is read whole, without recursion in the converter', () => {
    const { m } = parseTimed(HOSTILE.longSum());
    assert.equal(m.limit, undefined);
    assert.deepEqual(m.problems, []);
    assert.deepEqual(names(m), ['X', 'AFTER']);
    let depth = 0;
    for (let e = (m.body[0] as A.Assign).value; e.type === 'BinOp'; e = e.left) depth++;
    assert.equal(depth, 1999, 'left-nested like CPython\'s ast');
    const { m: ands } = parseTimed(HOSTILE.longAnd());
    const v = (ands.body[0] as A.Assign).value as A.BoolOp;
    assert.equal(v.values.length, 20_000, '`a and b and …` flattens like CPython');
  });

  test('a 5 MB generated module: only its header is read, said in a size limit', () => {
    const { m } = parseTimed(HOSTILE.dataModule());
    assert.equal(m.limit?.kind, 'size');
    assert.match(m.limit!.message, /file is 5(\.\d)? MB, over the 1 MB parsing limit: only its first \d+ lines were read/);
    assert.deepEqual(names(m), ['HEADER', 'DATA']);
    const data = (m.body[1] as A.Assign).value;
    assert.equal(data.type === 'OtherExpr' && data.kind, 'not-read', 'a list cut short is not taken for the whole list');
    assert.deepEqual(m.problems, [], 'the cut is not reported as syntax errors');
  });

  test('a huge migration still yields its header facts (dependencies, replaces)', () => {
    const ops = Array.from({ length: 30_000 }, (_, i) => `        migrations.AddField(model_name="m", name="f${i}", field=models.IntegerField(default=${i})),\n`).join('');
    const src = `from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    replaces = [("shop", "0001_a"), ("shop", "0002_b")]\n    dependencies = [("shop", "0000_base"), ("auth", "0012_alter_user_first_name_max_length")]\n    operations = [\n${ops}    ]\n`;
    assert.ok(src.length > 2 * 1024 * 1024);
    const t = performance.now();
    const r = readMigrationSource(src, '/x/shop/migrations/0003_big.py', 'shop', '0003_big', { authUserModel: 'auth.User', values: {} });
    assert.ok(performance.now() - t < HOSTILE_BOUND_MS);
    assert.deepEqual(r.info?.dependencies, [['shop', '0000_base'], ['auth', '0012_alter_user_first_name_max_length']]);
    assert.deepEqual(r.info?.replaces, [['shop', '0001_a'], ['shop', '0002_b']]);
    assert.equal(r.info?.partial, true, 'operations were cut: the migration says it is partial');
    assert.ok(r.problems.some(p => p.code === 'parse-budget' && /over the 1 MB parsing limit/.test(p.message)));
  });

  test('a scan\'s budget is shared: once spent, each further file gets a small budget', () => {
    const budget = new ParseBudget(300, 2000, 100);
    const garbage = HOSTILE.garbage300k();
    const t = performance.now();
    const limits = [1, 2, 3, 4].map(() => parsePython(garbage, 'g.py', { budget }).limit?.kind);
    assert.ok(performance.now() - t < HOSTILE_BOUND_MS);
    assert.ok(budget.spent >= 300);
    assert.equal(budget.forFile(), 100);
    assert.ok(limits.slice(1).every(k => k === 'time'), `${limits}`);
    assert.equal(parsePython(garbage, 'g.py', { budget }).limit?.retry, true, 'cut on a spent budget: read again next scan');
    // ordinary code still parses within the small budget
    const ok = parsePython('import os\nX = {"a": [1, 2, 3]}\n'.repeat(50), 'ok.py', { budget });
    assert.equal(ok.limit, undefined);
  });

  test('a file cut on a spent scan budget is parsed again by the next scan', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-retry-'));
    tmpDirs.push(dir);
    const file = path.join(dir, 'g.py');
    fs.writeFileSync(file, HOSTILE.garbage300k());
    const index = new ModuleIndex([dir]);
    index.startScan(new ParseBudget(0, 5000, 50));
    const cut = index.parseFile(file)!;
    assert.equal(cut.limit?.retry, true);
    assert.equal(index.limits().get(file), cut.limit);
    index.startScan(new ParseBudget(60_000, 60_000));
    const again = index.parseFile(file)!;
    assert.notEqual(again, cut, 'parsed again');
    assert.equal(again.limit, undefined, 'read whole with the full budget');
    assert.equal(index.limits().size, 0);
    assert.equal(index.parseFile(file), again, 'a whole read is cached as before');
  });

  test('a scan\'s memory bound: past so much source parsed in full, files are read up to their header', () => {
    const budget = new ParseBudget(60_000, 10_000, 250, 400 * 1024);
    const src = Array.from({ length: 6000 }, (_, i) => `V${i} = {"k": [${i}, ${i + 1}]}`).join('\n') + '\n';
    assert.ok(src.length > 150 * 1024 && src.length < 300 * 1024);
    const [a, b, c] = [1, 2, 3].map(() => parsePython(src, 'm.py', { budget }));
    assert.equal(a!.limit, undefined);
    assert.equal(b!.limit, undefined);
    assert.equal(c!.limit?.kind, 'size');
    assert.match(c!.limit!.message, /this scan has parsed 400 KB of Python, its limit: only its first \d+ lines were read/);
    assert.ok(c!.body.length > 1000, 'its beginning is read');
  });

  test('syntax newer than the grammar (PEP 695, PEP 701, PEP 758, t-strings) never throws, the rest is read', () => {
    const src = [
      'type Pair[T] = tuple[T, T]',
      'def first[T: (int, str), *Ts, **P](x: T) -> T: return x',
      'class Box[T = int]: pass',
      'greeting = f"{"nested " + f"{"quotes"}"}"',
      'multi = f"{\n    1 + 1\n}"',
      'try:\n    pass\nexcept ValueError, TypeError:\n    pass',
      'tmpl = t"hello {name}"',
      'AFTER = 1',
    ].join('\n');
    const { m } = parseTimed(src);
    assert.ok(names(m).includes('AFTER'));
  });
});

describe('hostile files in a project: the scan answers, names each file, keeps the others', () => {
  function hostileProject(): string {
    const dir = copyProject(path.join(REPO, 'examples', 'multidb_shop'), 'dmdb-hostile-');
    tmpDirs.push(dir);
    const mig = path.join(dir, 'catalog', 'migrations');
    fs.writeFileSync(path.join(mig, '0003_random.py'), HOSTILE.randomBytes());
    fs.writeFileSync(path.join(mig, '0004_garbage.py'), HOSTILE.asciiGarbage());
    fs.writeFileSync(path.join(mig, '0005_parens.py'), HOSTILE.nestedParens());
    fs.writeFileSync(path.join(mig, '0006_sum.py'), `from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [("catalog", "0001_initial")]\n    ${HOSTILE.longSum()}`);
    fs.writeFileSync(path.join(dir, 'catalog', 'data.py'), HOSTILE.dataModule());
    fs.appendFileSync(path.join(dir, 'catalog', 'models.py'), '\nfrom .data import HEADER\n');
    // symlinks: a loop to a parent, a dangling one, one to itself (ELOOP)
    fs.symlinkSync('..', path.join(dir, 'catalog', 'loop'));
    fs.symlinkSync('../..', path.join(mig, 'up'));
    fs.symlinkSync(path.join(dir, 'nowhere.py'), path.join(mig, '0007_dangling.py'));
    fs.symlinkSync('0008_self.py', path.join(mig, '0008_self.py'));
    // a FIFO behind a migration's name: reading it would block forever
    if (process.platform !== 'win32') {
      execFileSync('mkfifo', [path.join(mig, 'fifo')]);
      fs.symlinkSync('fifo', path.join(mig, '0009_fifo.py'));
    }
    return dir;
  }

  test('the indexer: parse-budget and parse-error findings for each hostile file; other apps intact', async () => {
    const dir = hostileProject();
    const t = performance.now();
    const idx = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {} }).index();
    assert.ok(performance.now() - t < HOSTILE_BOUND_MS * 2, `${(performance.now() - t).toFixed(0)} ms`);
    const at = (name: string, code?: string) => idx.findings.filter(f => f.path?.endsWith(name) && (!code || f.code === code));
    assert.ok(at('0003_random.py', 'parse-error').some(f => /null bytes/.test(f.message)));
    assert.ok(at('0004_garbage.py').length > 0, 'the garbage file is reported');
    assert.ok(at('0005_parens.py', 'parse-budget').some(f => /nested more than/.test(f.message) && f.severity === 'warning' && f.line === 1));
    assert.deepEqual(at('0006_sum.py'), [], 'a long sum is ordinary Python');
    assert.ok(at('data.py', 'parse-budget').some(f => /over the 1 MB parsing limit/.test(f.message)));
    assert.ok(at('0007_dangling.py').some(f => /ENOENT/.test(f.message)));
    assert.ok(at('0008_self.py').some(f => /ELOOP/.test(f.message)));
    if (process.platform !== 'win32') assert.ok(at('0009_fifo.py').some(f => /not a regular file/.test(f.message)));
    for (const app of ['orders', 'legacy', 'analytics', 'catalog']) assert.ok(idx.models.some(m => m.app === app), `models of ${app}`);
    assert.ok(idx.migrations.some(m => m.key === 'catalog.0001_initial'));
  });

  test('the command line: exit 0, JSON, the findings, no JS stack trace', () => {
    const dir = hostileProject();
    const cli = path.join(REPO, 'bin', 'django-multidb.js');
    assert.ok(fs.existsSync(path.join(REPO, 'dist', 'cli.js')), 'run node scripts/build.mjs first');
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, 'scan', dir, '--mode', 'static', '--json', '--no-cache'], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 120_000 });
    assert.ok(performance.now() - t < HOSTILE_BOUND_MS * 3);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no JS stack trace');
    const report = JSON.parse(r.stdout) as ReturnType<typeof toReport>;
    const budget = report.diagnostics.filter(d => d.code === 'parse-budget').map(d => d.path);
    assert.ok(budget.includes('catalog/data.py') && budget.includes('catalog/migrations/0005_parens.py'), JSON.stringify(budget));
  });
});
