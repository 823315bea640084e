// The Scanner in a worker process or thread (src/extension/scannerClient.ts + the BUILT dist/scanWorker.js): same reports as
// an in-process Scanner, the main thread's event loop keeps running while a big project is indexed, a crash
// rejects the calls in progress and the next call starts a new worker, and without a worker it runs in process.
// Build first: node scripts/build.mjs (npm run test:unit does).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { openSnapshot } from '../../src/extension/model/snapshot';
import { Scanner, toReport as coreToReport, withDjango, type ProjectIndex, type ScanOptions } from '../../src/core/scan';
import { mergeDjangoAnswer } from '../../src/core/django';
import { carryState } from '../../src/extension/model/lastState';
import type { Logger } from '../../src/core/types';
import { ScanWorkerHost, SCAN_WORKER_LIMITS, WORKER_LIMIT } from '../../src/extension/scannerClient';

/** The report without `dbRoutes`: the worker keeps those (the CLI's report only) and never sends them to the host. */
function toReport(index: ProjectIndex): ReturnType<typeof coreToReport> {
  return coreToReport({ ...index, dbRoutes: undefined });
}

const REPO = path.resolve(__dirname, '..', '..');
const WORKER = path.join(REPO, 'dist', 'scanWorker.js');
const EXAMPLE = path.join(REPO, 'examples', 'multidb_shop');
const PASSWORD = 'hunter2-do-not-log';

const CACHE = process.env.DJANGO_MULTIDB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'django-multidb');
const VENV_PY = path.join(CACHE, 'venv-django52', 'bin', 'python');
const skipDjango = fs.existsSync(VENV_PY) ? false : `no Django venv at ${VENV_PY} (run scripts/python-env.sh)`;

const dirs: string[] = [];
const hosts: ScanWorkerHost[] = [];
after(async () => {
  await Promise.all(hosts.map(h => h.close()));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** the example with its SQLite file (the `default` alias is read; the others do not exist: unreachable) */
function example(): string {
  const d = tempDir('dmdb-worker-');
  fs.cpSync(EXAMPLE, d, { recursive: true, filter: s => !s.endsWith('__pycache__') });
  return d;
}

function collectingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function host(opts: Omit<ConstructorParameters<typeof ScanWorkerHost>[0] & object, 'logger'> = {}) {
  const logger = collectingLogger();
  const h = new ScanWorkerHost({ workerFile: WORKER, logger, ...opts });
  hosts.push(h);
  return { h, logger };
}

type Indexer = Pick<Scanner, 'invalidate'> & { index(): Promise<ProjectIndex> };

/** An edit of the example: a new model in catalog/models.py, invalidated; then the next index of both Scanners. */
async function addModel(dir: string, remote: Indexer, local: Indexer, name = 'Brand'): Promise<[ProjectIndex, ProjectIndex]> {
  const models = path.join(dir, 'catalog', 'models.py');
  fs.appendFileSync(models, `\n\nclass ${name}(models.Model):\n    name = models.CharField(max_length=40)\n`);
  remote.invalidate(models);
  local.invalidate(models);
  return [await remote.index(), await local.index()];
}

/** The example in a worker and in process, with Django mode's options (the Django tests below). */
function djangoWorker() {
  const dir = example();
  const opts: ScanOptions = { root: dir, allowPython: true, python: VENV_PY, readDatabases: false };
  const dj = { mode: 'django' as const, allowPython: true, readDatabases: false };
  const { h } = host();
  return { dir, opts, dj, h, remote: h.scanner(opts), local: new Scanner(opts) };
}

test('the worker bundle is built', () => {
  assert.ok(fs.existsSync(WORKER), `${WORKER} is missing: run node scripts/build.mjs`);
});

describe('same answers as an in-process Scanner', () => {
  test('a partial first answer, then the whole index: the second crosses as what it adds', async () => {
    const dir = example();
    const opts: ScanOptions = { root: dir, allowPython: false, readDatabases: false };
    const { h } = host();
    const remote = h.scanner(opts);
    const early = await remote.index(undefined, false, undefined, true);
    assert.equal(h.mode, 'worker');
    assert.equal(early.partial, true);
    const whole = await remote.index();
    assert.equal(whole.partial, undefined);
    assert.deepEqual(toReport(whole), toReport(await new Scanner(opts).index()));
    assert.equal(whole.models, early.models, 'what the first had crossed once: the same objects');
    assert.equal(whole.routing, early.routing);
    assert.ok(whole.findings.length > early.findings.length);
    assert.ok(early.migrations.length === 0 && whole.migrations.length > 0);
  });

  test('index(), readState() and invalidate() on examples/multidb_shop', async () => {
    const dir = example();
    // an env file path that cannot be read (a folder) makes the Scanner log a warning that names the path, which
    // holds the password of a connection override: the line must come back, without the password
    const envDir = path.join(dir, `${PASSWORD}.env`);
    fs.mkdirSync(envDir);
    const projectLog = collectingLogger();
    const opts: ScanOptions = {
      root: dir, allowPython: false, readDatabases: true, envFile: envDir, logger: projectLog,
      connectionOverrides: { default: { password: PASSWORD } },
    };
    const { h, logger } = host();
    const remote = h.scanner(opts);
    const local = new Scanner({ ...opts, logger: undefined });

    const a = await remote.index();
    const b = await local.index();
    assert.equal(h.mode, 'worker');
    assert.deepEqual(toReport(a), toReport(b));
    assert.ok(a.models.length > 0 && a.migrations.length > 0, 'the example has models and migrations');
    assert.ok(a.migrations.every(m => Array.isArray(m.dependencies)));

    // readState from an index the worker made (sent as a token), then from its own result
    const sa = await remote.readState(a);
    const sb = await local.readState(b);
    assert.deepEqual(toReport(sa), toReport(sb));
    assert.equal(sa.applied.default?.reachable, true, 'default (db.sqlite3) is read in the worker');
    assert.ok(sa.applied.default?.appliedKeys instanceof Set, 'Sets cross as Sets');
    assert.equal(sa.models, a.models, 'what readState does not change stays the main thread\'s own object');
    // the databases read again, unchanged: the reply is a difference from the last read, whose objects stay
    const sa2 = await remote.readState(a);
    assert.deepEqual(toReport(sa2), toReport(sb));
    assert.equal(sa2.plans, sa.plans, 'the same plans are the last read\'s object');
    assert.equal(sa2.models, a.models, 'and the index\'s own objects are still the index\'s');
    assert.deepEqual(toReport(await remote.readState(sa, ['default'])), toReport(await local.readState(sb, ['default'])));
    // an index the worker never saw is sent whole
    assert.deepEqual(toReport(await remote.readState(b)), toReport(sb));

    // an edit: a new model, invalidated, shows in the next index of both
    const [a2, b2] = await addModel(dir, remote, local);
    assert.deepEqual(toReport(a2), toReport(b2));
    assert.ok(a2.models.some(m => m.name === 'Brand'), 'the edit is seen');
    assert.notDeepEqual(toReport(a2), toReport(a));
    // the worker keeps a few indexes per project: an older one is sent again whole
    assert.deepEqual(toReport(await remote.readState(a)), toReport(sb));

    // log lines of the Scanner come back to its logger; no password anywhere
    assert.ok(projectLog.lines.some(l => l.startsWith('warn: cannot read env file') && l.includes('********.env')), projectLog.lines.join('\n'));
    for (const l of [...projectLog.lines, ...logger.lines]) assert.ok(!l.includes(PASSWORD), l);
    remote.dispose();
    await assert.rejects(remote.index(), /disposed/);
  });

  test('the warm-up after the first answer (the worker idle): the next index is unchanged, the edits after it exact, a buffer sent during it kept', async () => {
    const dir = example();
    const opts: ScanOptions = { root: dir, allowPython: false };
    const { h } = host();
    const projectLog = collectingLogger();
    const remote = h.scanner({ ...opts, logger: projectLog });
    const local = new Scanner(opts);
    const first = await remote.index();
    // the worker warms up once it has been idle a moment (scanWorker.ts WARM_UP_IDLE_MS), and logs it
    for (let i = 0; i < 100 && !projectLog.lines.some(l => l.includes('warm-up:')); i++) await new Promise(r => setTimeout(r, 50));
    assert.ok(projectLog.lines.some(l => /warm-up: [4-9] indexes in/.test(l)), projectLog.lines.join('\n'));
    const again = await remote.index();
    assert.deepEqual(toReport(again), toReport(first), 'nothing changed');
    assert.equal(again.models, first.models, 'and nothing was sent again');
    // an unsaved buffer of a file the warm-up lays a buffer over (the first models module), sent as it runs
    const models = path.join(dir, 'catalog', 'models.py');
    const typed = `${fs.readFileSync(models, 'utf8')}\n\nclass Typed(models.Model):\n    name = models.CharField(max_length=5)\n`;
    await remote.setOverlay(models, typed);
    fs.writeFileSync(models, typed);
    local.invalidate(models);
    const a = await remote.index();
    assert.ok(a.models.some(m => m.name === 'Typed'));
    assert.deepEqual(toReport(a), toReport(await local.index()));
    // (saved: the disk file counts again, then it is edited on disk)
    await remote.setOverlay(models, null);
    const [a2, b2] = await addModel(dir, remote, local);
    assert.deepEqual(toReport(a2), toReport(b2));
  });

  test('a database read after several edits: a difference from the last read, whose plans stay this thread\'s objects', async () => {
    const dir = example();
    const opts: ScanOptions = { root: dir, allowPython: false, readDatabases: true };
    const { h } = host();
    const remote = h.scanner(opts);
    const local = new Scanner(opts);
    const read = await remote.readState(await remote.index());
    await local.readState(await local.index());
    assert.ok(Object.keys(read.plans).length, 'the example has plans');
    // typing makes an index per edit: more than the worker keeps of every kind together
    let a = read;
    let b: ProjectIndex = read;
    for (let i = 0; i < 8; i++) [a, b] = await addModel(dir, remote, local, `Typed${i}`);
    const again = await remote.readState(a);
    assert.deepEqual(toReport(again), toReport(await local.readState(b)));
    assert.equal(remote.lastReadSent?.fromLastRead, true, 'a difference from the last read');
    assert.ok(!remote.lastReadSent!.keys.includes('plans'), `sent: ${remote.lastReadSent!.keys.join(', ')}`);
    assert.equal(again.plans, read.plans, 'the same plans are the last read\'s object');
  });

  test('an edit of a large project: long arrays come as patches of the last index, and the result is exact', async () => {
    const root = tempDir('dmdb-worker-patch-');
    execFileSync(process.execPath, [path.join(REPO, 'bench/generate.mjs'), root, '20', '6', '6'], { stdio: 'ignore' });
    const { h } = host({ keepReplies: true });
    const remote = h.scanner({ root, allowPython: false });
    const first = await remote.index();
    assert.equal(remote.lastPatched.length, 0, 'the first index comes whole');
    // a foreign key retargeted: the models change in one app, the findings in a few places
    const file = path.join(root, 'app003', 'models.py');
    const src = fs.readFileSync(file, 'utf8');
    const target = /ForeignKey\("([\w.]+)"/.exec(src);
    assert.ok(target, 'the generated models have a foreign key');
    const edited = src.replace(target[0], 'ForeignKey("app000.Thing0x0"');
    fs.writeFileSync(file, edited);
    remote.invalidate(file);
    const second = await remote.index();
    const scratch = await new Scanner({ root, allowPython: false }).index();
    assert.deepEqual(toReport(second), toReport(scratch));
    assert.ok(remote.lastPatched.includes('models'), `patched: ${remote.lastPatched.join(', ')}`);
    // unchanged items are this thread's own objects from the index before
    const kept = second.models.filter(m => first.models.includes(m)).length;
    assert.ok(kept >= second.models.length - 12, `${kept} of ${second.models.length} models kept`);
    assert.equal(second.dbRoutes, undefined, 'db_for_read/db_for_write routes stay in the worker');
    assert.ok(scratch.dbRoutes, 'they are in the index itself');

    // a new model: routing is evaluated again, to new row objects equal to the old ones but for the new model's;
    // those equal rows come as runs of the last index, and this thread keeps its own objects
    fs.writeFileSync(file, `${edited}\n\nclass Added(models.Model):\n    name = models.CharField(max_length=10)\n`);
    remote.invalidate(file);
    const third = await remote.index();
    assert.deepEqual(toReport(third), toReport(await new Scanner({ root, allowPython: false }).index()));
    assert.ok(third.routing.some(d => d.model === 'app003.Added'), 'the new model is routed');
    assert.ok(remote.lastPatched.includes('routing'), `patched: ${remote.lastPatched.join(', ')}`);
    const keptRows = third.routing.filter(d => second.routing.includes(d)).length;
    assert.ok(keptRows >= third.routing.length - 8, `${keptRows} of ${third.routing.length} routing rows kept`);

    // a router's answer changed: most decisions are new, and cross whole as a table of their distinct values
    const routers = path.join(root, 'bigsite', 'routers.py');
    const routerSrc = fs.readFileSync(routers, 'utf8');
    assert.ok(routerSrc.includes('return None'), 'the generated routers fall through');
    fs.writeFileSync(routers, routerSrc.replace('return None', 'return False'));
    remote.invalidate(routers);
    const fourth = await remote.index();
    assert.deepEqual(toReport(fourth), toReport(await new Scanner({ root, allowPython: false }).index()));
    assert.ok(remote.lastTables.includes('routing'), `tables: ${remote.lastTables.join(', ')}; patched: ${remote.lastPatched.join(', ')}`);
    assert.ok(fourth.routing.filter(d => third.routing.includes(d)).length < fourth.routing.length / 2, 'most rows are new');

    // a line typed at the top of a models file: its models and findings move down a line; the models cross as the
    // properties that moved (their place and their fields'), the other files' stay this thread's objects
    const withFindings = fourth.findings.find(f => f.path?.endsWith('models.py') && f.line)!.path!;
    const moved = fourth.findings.filter(f => f.path === withFindings);
    fs.writeFileSync(withFindings, `# a comment\n${fs.readFileSync(withFindings, 'utf8')}`);
    remote.invalidate(withFindings);
    const fifth = await remote.index();
    assert.deepEqual(toReport(fifth), toReport(await new Scanner({ root, allowPython: false }).index()));
    assert.deepEqual(fifth.findings.filter(f => f.path === withFindings).map(f => f.line), moved.map(f => f.line! + 1));
    const segments = (h.lastReply as { patched?: Record<string, { edit?: number; set?: Record<string, unknown> }[]> }).patched?.models ?? [];
    const edits = segments.filter(x => x.edit !== undefined);
    const inFile = fifth.models.filter(m => m.loc?.path === withFindings);
    assert.equal(edits.length, inFile.length, JSON.stringify(segments).slice(0, 400));
    assert.ok(edits.every(x => Object.keys(x.set!).length <= 2 && 'loc' in x.set!), JSON.stringify(edits.slice(0, 2)));
    assert.ok(fifth.models.filter(m => m.loc?.path !== withFindings).every(m => fourth.models.includes(m)), 'the other files\' models are this thread\'s objects');
  });

  test('Django mode runs in the worker: the same answer as in process, without the report, and merged into a later index', { skip: skipDjango }, async () => {
    const { dir, opts, dj, remote, local } = djangoWorker();
    const a = await remote.index();
    const b = await local.index();
    const ra = await remote.withDjango(a, dj);
    const rb = await withDjango(b, { ...opts, ...dj });
    assert.equal(ra.mode?.used, 'django', JSON.stringify(ra.mode));
    assert.equal(ra.django?.report, undefined, 'Django\'s report stays in the worker');
    assert.ok(rb.django?.report, 'in process the report is there');
    const { report: _r, ...rbDjango } = rb.django!;
    assert.deepEqual(toReport({ ...ra, timings: {} }), toReport({ ...rb, django: rbDjango, timings: {} }));
    /** an edit: a new static index, with Django's last answer merged in by the worker, as in process */
    const editAndMerge = async (model: string) => {
      const [a2, b2] = await addModel(dir, remote, local, model);
      const ma = await remote.mergeDjango(a2);
      assert.ok(ma, 'merged');
      const mb = mergeDjangoAnswer(b2, rb.django!.report!).index;
      const { report: _r2, ...mbDjango } = mb.django!;
      assert.deepEqual(toReport({ ...ma, timings: {} }), toReport({ ...mb, django: mbDjango, timings: {} }));
      assert.equal(ma.django?.report, undefined);
      return ma;
    };
    const ma = await editAndMerge('Brand');
    // the next edit's merge comes as a difference from this merge: Django's facts (new objects in every merge, equal
    // to these) stay this thread's own, and the result is the same as in process
    const ma3 = await editAndMerge('Maker');
    assert.equal(remote.lastMergeSent?.fromLastMerge, true);
    // Django's answer did not change: its facts are not sent again (the static index's new model changes the
    // models, routing and findings, and Django's notes on it)
    for (const k of ['migrations', 'plans', 'applied', 'settings', 'mode']) assert.ok(!remote.lastMergeSent!.keys.includes(k), `${k} sent again: ${remote.lastMergeSent!.keys.join(', ')}`);
    // Django's extras changed in a few properties (a note on the new model): sent as those, its plans stay
    assert.ok(!remote.lastMergeSent!.keys.includes('django'), 'Django\'s extras are not sent whole');
    assert.equal(ma3.django?.planDetails, ma.django?.planDetails, 'the same plan details are the last merge\'s object');
  });

  test('Django asked again after many edits: a difference from the last merge, its per-operation answer not sent again', { skip: skipDjango }, async () => {
    const { dir, opts: o, dj: d, h } = djangoWorker();
    // (the databases read: Django's plans and per-operation answer for the pending migrations)
    const opts = { ...o, readDatabases: true };
    const dj = { ...d, readDatabases: true };
    const remote = h.scanner(opts);
    const local = new Scanner(opts);
    const first = await remote.withDjango(await remote.index(), dj);
    await local.index();
    assert.ok(Object.keys(first.django?.planDetails ?? {}).length, 'Django answered with plans');
    // typing: an index and a merge per edit
    let a: ProjectIndex = first;
    let b: ProjectIndex = first;
    let merged: ProjectIndex | null = null;
    for (let i = 0; i < 5; i++) {
      [a, b] = await addModel(dir, remote, local, `Typed${i}`);
      merged = await remote.mergeDjango(a);
      assert.ok(merged, 'merged');
    }
    // the databases polled since (each read is kept too)
    for (let i = 0; i < 6; i++) await remote.readState(a);
    const again = await remote.withDjango(a, dj);
    const inProcess = await withDjango(b, { ...opts, ...dj });
    const { report: _report, ...inProcessDjango } = inProcess.django!;
    assert.deepEqual(toReport({ ...again, timings: {} }), toReport({ ...inProcess, django: inProcessDjango, timings: {} }));
    assert.equal(remote.lastDjangoSent?.fromLastMerge, true, 'a difference from the last merge');
    for (const k of ['django', 'migrations', 'plans']) assert.ok(!remote.lastDjangoSent!.keys.includes(k), `${k} sent whole: ${remote.lastDjangoSent!.keys.join(', ')}`);
    assert.equal(again.django?.planDetails, merged!.django?.planDetails, 'Django\'s per-operation answer is the last merge\'s object');

    // typing goes on while Django runs: its merges do not push out the merge the answer is a difference from
    // (the files change while Django reads them: what it answers is not compared here)
    const asked = remote.withDjango(a, dj);
    for (let i = 0; i < 3; i++) {
      [a, b] = await addModel(dir, remote, local, `During${i}`);
      assert.ok(await remote.mergeDjango(a), 'merged');
    }
    assert.equal((await asked).mode?.used, 'django');
    assert.equal(remote.lastDjangoSent?.fromLastMerge, true, 'a difference from the merge held when Django was asked');
  });

  test('Django\'s answer is read between requests, not in front of one: indexes back to back hold it (a while at most)', { skip: skipDjango }, async () => {
    const { remote } = djangoWorker();
    const index = await remote.index();
    let t = performance.now();
    assert.equal((await remote.withDjango(index, { mode: 'django', allowPython: true, readDatabases: false })).mode?.used, 'django');
    const took = performance.now() - t;
    t = performance.now();
    let answered = 0;
    const asked = remote.withDjango(index, { mode: 'django', allowPython: true, readDatabases: false }).then(r => { answered = performance.now(); return r; });
    // requests back to back for a second longer than Django took: its answer waits (the worker's whenIdle)
    let n = 0;
    while (performance.now() - t < took + 1000) {
      await remote.index();
      n++;
    }
    const stopped = performance.now();
    assert.equal(answered, 0, `Django's answer came while ${n} indexes were asked back to back`);
    assert.equal((await asked).mode?.used, 'django');
    assert.ok(answered - stopped < 1000, `read once they stopped (${Math.round(answered - stopped)} ms after)`);
  });

  test('a router edit after Django answered: the merge names the rows the index\'s reply carried (ArrayPatch alt), as in process', { skip: skipDjango }, async () => {
    // (a project with routing arrays long enough to cross as patches: 12 apps of 4 models on 4 databases)
    const dir = tempDir('dmdb-worker-alt-');
    execFileSync(process.execPath, [path.join(REPO, 'bench/generate.mjs'), dir, '12', '4', '2'], { stdio: 'ignore' });
    const opts: ScanOptions = { root: dir, allowPython: true, python: VENV_PY, readDatabases: false };
    const dj = { mode: 'django' as const, allowPython: true, readDatabases: false };
    const { h } = host({ keepReplies: true });
    const remote = h.scanner(opts);
    const local = new Scanner(opts);
    const a = await remote.index();
    const ra = await remote.withDjango(a, dj);
    assert.equal(ra.mode?.used, 'django', JSON.stringify(ra.mode));
    const rb = await withDjango(await local.index(), { ...opts, ...dj });
    // a first merge, which the next one is a difference from
    const models = path.join(dir, 'app005', 'models.py');
    fs.appendFileSync(models, '\n\nclass Before(models.Model):\n    name = models.CharField(max_length=40)\n');
    remote.invalidate(models);
    local.invalidate(models);
    assert.ok(await remote.mergeDjango(await remote.index()));
    // the new model's static rows after Django's: one run of the last merge's rows, then the index's own rows
    const appended = (h.lastReply as { patched?: Record<string, object[]> }).patched?.routing ?? [];
    assert.deepEqual(appended[0], { from: 0, len: ra.routing.length }, JSON.stringify(appended).slice(0, 300));
    assert.ok(appended.length > 1 && appended.slice(1).every(seg => 'alt' in seg), JSON.stringify(appended).slice(0, 300));
    // the analytics router lets the analytics apps migrate everywhere: their rows on default change
    const routers = path.join(dir, 'bigsite', 'routers.py');
    const text = fs.readFileSync(routers, 'utf8');
    assert.ok(text.includes('            return db == "analytics"\n'));
    fs.writeFileSync(routers, text.replace('            return db == "analytics"\n', '            return True\n'));
    remote.invalidate(routers);
    local.invalidate(routers);
    const a2 = await remote.index();
    const m2 = await remote.mergeDjango(a2);
    assert.ok(m2, 'merged');
    const row = (i: ProjectIndex) => i.routing.find(d => d.alias === 'default' && d.model === 'app001.Thing1x0')!;
    assert.equal(row(ra).migrate, false, 'Django: an analytics app only on analytics');
    assert.equal(row(m2).migrate, true, 'the edit shows');
    assert.equal(row(m2), row(a2), 'the index\'s own row, not a copy sent again');
    const reply = h.lastReply as { patched?: Record<string, object[]>; nested?: { django?: { patched?: Record<string, object[]> } } };
    const patch = reply.patched?.routing ?? [];
    assert.ok(patch.some(seg => 'alt' in seg), JSON.stringify(patch).slice(0, 300));
    // Django's "lives on" answers: where the edit made the static one the newer, the index's own row (of its lives or
    // routing array), named there too (not sent again)
    const livesRow = (i: ProjectIndex) => i.django!.lives.find(d => d.alias === 'default' && d.model === 'app001.Thing1x0')!;
    assert.equal(livesRow(m2).migrate, true);
    assert.ok(a2.lives?.includes(livesRow(m2)) || a2.routing.includes(livesRow(m2)), 'the index\'s own row');
    const livesPatch = reply.nested?.django?.patched?.lives ?? [];
    assert.ok(livesPatch.some(seg => 'alt' in seg), JSON.stringify(reply.nested?.django ?? null).slice(0, 300));
    const mb = mergeDjangoAnswer(await local.index(), rb.django!.report!).index;
    const { report: _r, ...mbDjango } = mb.django!;
    assert.deepEqual(toReport({ ...m2, timings: {} }), toReport({ ...mb, django: mbDjango, timings: {} }));
  });

  test('Django asked about an index carrying the last database read: the worker\'s index by token with it, and later merges keep Django\'s rows', { skip: skipDjango }, async () => {
    const { dir, dj, remote, local } = djangoWorker();
    const a = await remote.index();
    await local.index();
    // what the extension shows after typing: the new static index with the last database read over it
    const applied = { default: { alias: 'default', reachable: true, applied: 1, error: null, appliedKeys: new Set(['catalog.0001_initial']), exists: true } };
    const carried: ProjectIndex = { ...a, applied };
    const ra = await remote.withDjango(carried, dj, a);
    assert.equal(ra.mode?.used, 'django', JSON.stringify(ra.mode));
    assert.deepEqual(ra.applied, applied, 'the carried read is merged (Django read no database)');
    // a later edit's merge: the migrations Django answered about are its rows still (sent whole, the worker's copies
    // of them would not be the objects a later static index holds, and every migration would read as edited)
    const [a2] = await addModel(dir, remote, local, 'Carried');
    const ma = await remote.mergeDjango(a2);
    assert.ok(ma, 'merged');
    assert.equal(ma.migrations, ra.migrations, 'the migrations of the answer, not static readings');
    assert.deepEqual(ma.django?.disagreements.filter(d => d.kind === 'migration'), []);
  });

  test('a database read carried over a newer index is named by its token: Django asked, merged and the snapshot written as when its state is sent', { skip: skipDjango }, async () => {
    const { dir, opts, dj, h, remote, local } = djangoWorker();
    const read = await remote.readState(await remote.index());
    const localRead = await local.readState(await local.index());
    assert.ok(Object.keys(read.plans).length, 'the example has plans to carry');
    // what this thread posts to the worker
    const posted: Record<string, unknown>[] = [];
    const w = (h as unknown as { worker: { post(m: unknown): void } }).worker;
    const post = w.post.bind(w);
    w.post = m => { posted.push(m as Record<string, unknown>); post(m); };
    const sentFor = (op: string) => posted.filter(m => m.op === op).at(-1)!;
    const stateless = (m: Record<string, unknown>) => !JSON.stringify(m).includes('"plans"') && !('findings' in ((m.extras as object | undefined) ?? {}));

    // typing: a new static index, shown with the last read's state (project.ts withLastState)
    const [a2, b2] = await addModel(dir, remote, local, 'Typed');
    const shown = carryState(a2, read);
    const asked = await remote.withDjango(shown, dj, a2, read);
    assert.equal(typeof sentFor('django').state, 'number');
    assert.ok(stateless(sentFor('django')), `sent: ${JSON.stringify(sentFor('django')).slice(0, 300)}`);
    const inProcess = await withDjango(carryState(b2, localRead), { ...opts, ...dj });
    const { report, ...inProcessDjango } = inProcess.django!;
    const same = (x: ProjectIndex, y: ProjectIndex) => assert.deepEqual(toReport({ ...x, timings: {} }), toReport({ ...y, timings: {} }));
    same(asked, { ...inProcess, django: inProcessDjango });
    assert.deepEqual(asked.plans, read.plans);

    // the next edit: Django's answer merged into it, with the read's state named again
    const [a3, b3] = await addModel(dir, remote, local, 'Typed2');
    const merged = await remote.mergeDjango(carryState(a3, read), a3, read);
    assert.ok(merged && stateless(sentFor('mergeDjango')));
    same(merged, mergeDjangoAnswer(carryState(b3, localRead), report!).index);

    // the snapshot for the next session
    const snapDir = tempDir('dmdb-snap-');
    const managePy = path.join(dir, 'manage.py');
    await remote.saveSnapshot(a3, { dir: snapDir, managePy, version: 't', extras: { applied: read.applied, plans: read.plans }, moreFindings: read.findings.filter(f => f.code === 'pending-migrations') }, read);
    assert.ok(stateless(sentFor('saveSnapshot')));
    const saved = openSnapshot(snapDir, managePy, 't')!.index()!;
    same(saved, carryState(a3, read));

    // a read the worker no longer keeps: its state is sent instead, with the same answer
    for (let i = 0; i < 3; i++) await remote.readState(a3);
    const again = await remote.mergeDjango(carryState(a3, read), a3, read);
    assert.ok(again && !stateless(sentFor('mergeDjango')), 'sent with the state');
    same(again, merged);
  });

  test('Django\'s answer merged behind the index it is for (asked with it: one trip) equals the merge asked after it; a merge for another index or read asks again', { skip: skipDjango }, async () => {
    const { dir, opts, dj, h, remote, local } = djangoWorker();
    const read = await remote.readState(await remote.index());
    const localRead = await local.readState(await local.index());
    const ra = await remote.withDjango(read, dj);
    assert.equal(ra.mode?.used, 'django', JSON.stringify(ra.mode));
    const report = (await withDjango(localRead, { ...opts, ...dj })).django!.report!;
    const posted: Record<string, unknown>[] = [];
    const w = (h as unknown as { worker: { post(m: unknown): void } }).worker;
    const post = w.post.bind(w);
    w.post = m => { posted.push(m as Record<string, unknown>); post(m); };
    const same = (x: ProjectIndex, y: ProjectIndex) => assert.deepEqual(toReport({ ...x, timings: {} }), toReport({ ...y, timings: {} }));
    const models = path.join(dir, 'catalog', 'models.py');
    const edit = async (name: string) => {
      fs.appendFileSync(models, `\n\nclass ${name}(models.Model):\n    name = models.CharField(max_length=40)\n`);
      remote.invalidate(models);
      local.invalidate(models);
    };

    // typing with the last read carried over the index (project.ts withLastState): the merge goes with the index
    await edit('Behind1');
    posted.length = 0;
    const a1 = await remote.index(undefined, false, { stateFrom: read });
    assert.deepEqual(posted.map(m => m.op), ['index', 'mergeDjango'], 'both asked at once');
    assert.deepEqual(posted[1]!.index, { behind: true });
    const m1 = await remote.mergeDjango(carryState(a1, read), a1, read);
    assert.ok(m1 && remote.lastMergeWasBehind, 'the merge asked behind it is taken');
    assert.equal(posted.length, 2, 'no merge asked after the index');
    same(m1, mergeDjangoAnswer(carryState(await local.index(), localRead), report).index);

    // no read carried: the index as it is
    await edit('Behind2');
    const a2 = await remote.index(undefined, false, {});
    const m2 = await remote.mergeDjango(a2);
    assert.ok(m2 && remote.lastMergeWasBehind);
    const b2 = await local.index();
    same(m2, mergeDjangoAnswer(b2, report).index);

    // asked for another read than the one it was made for: merged again, after the index, with the same answer as
    // without one
    await edit('Behind3');
    posted.length = 0;
    const a3 = await remote.index(undefined, false, {});
    const m3 = await remote.mergeDjango(carryState(a3, read), a3, read);
    assert.ok(m3 && !remote.lastMergeWasBehind, 'not the merge asked behind (made without the read)');
    assert.deepEqual(posted.map(m => m.op), ['index', 'mergeDjango', 'mergeDjango']);
    same(m3, mergeDjangoAnswer(carryState(await local.index(), localRead), report).index);
  });

  test('warmUp starts the worker before the first call, and the first index runs in it', async () => {
    const { h } = host();
    assert.equal(h.mode, 'idle');
    h.warmUp();
    assert.equal(h.mode, 'starting');
    const pid = h.workerPid;
    const c = h.scanner({ root: example() });
    const index = await c.index();
    assert.ok(index.models.length > 0);
    assert.equal(h.mode, 'worker');
    assert.equal(h.workerPid, pid, 'the worker started by warmUp answered');
  });

  test('the worker\'s own figures (the status document): its pid and memory, a thread\'s, and this thread\'s without a worker', async () => {
    const { h } = host();
    const c = h.scanner({ root: example() });
    await c.index();
    const s = await c.workerStats();
    assert.equal(s.kind, 'process');
    assert.equal(s.pid, h.workerPid);
    assert.notEqual(s.pid, process.pid);
    assert.ok(s.rssBytes > 10 * 2 ** 20 && s.peakRssBytes >= s.rssBytes && s.heapUsedBytes > 0, JSON.stringify(s));
    const t = host({ kind: 'thread' }).h.scanner({ root: example() });
    await t.index();
    const ts = await t.workerStats();
    assert.equal(ts.kind, 'thread');
    assert.equal(ts.pid, process.pid);
    const local = await host({ inProcess: true }).h.scanner({ root: example() }).workerStats();
    assert.equal(local.kind, 'in-process');
    assert.equal(local.pid, process.pid);
  });

  test('options completed behind the client (the interpreter): its calls wait, and the worker gets the complete options', async () => {
    const { h } = host();
    const dir = example();
    // a settings module that does not exist until the options are completed
    const opts: ScanOptions = { root: dir, settingsModule: 'not_yet.settings' };
    let finish!: () => void;
    const c = h.scanner(opts, new Promise<void>(resolve => { finish = resolve; }));
    const order: string[] = [];
    const indexed = c.index().then(i => { order.push('index'); return i; });
    const overlaid = c.setOverlay(path.join(dir, 'catalog', 'models.py'), null).then(() => order.push('overlay'));
    await new Promise(r => setTimeout(r, 150));
    assert.deepEqual(order, [], 'nothing ran before the options were complete');
    assert.equal(h.mode, 'idle', 'the worker was not even asked');
    delete opts.settingsModule;
    finish();
    const index = await indexed;
    await overlaid;
    assert.deepEqual([...order].sort(), ['index', 'overlay']);
    assert.notEqual(index.settings?.module, 'not_yet.settings');
    assert.ok(index.models.length > 0, 'the project, indexed with the complete options');
  });

  test('a client disposed while its options are completed asks the worker nothing (a superseded discovery)', async () => {
    const { h } = host();
    let finish!: () => void;
    const c = h.scanner({ root: example() }, new Promise<void>(resolve => { finish = resolve; }));
    const indexed = c.index();
    c.dispose();
    finish();
    await assert.rejects(indexed, /disposed/);
    assert.equal(h.mode, 'idle', 'no worker was started for it');
  });

  test('several projects share one worker', async () => {
    const { h } = host();
    const [d1, d2] = [example(), example()];
    const [c1, c2] = [h.scanner({ root: d1 }), h.scanner({ root: d2 })];
    const [i1, i2] = await Promise.all([c1.index(), c2.index()]);
    assert.equal(i1.root, d1);
    assert.equal(i2.root, d2);
    assert.deepEqual(toReport(i1).models, toReport(i2).models);
  });
});

describe('on-disk caches in the worker (the extension\'s next session)', () => {
  test('written after edits pause or when flushed, and a new worker answers from them: the same answer, then incremental', async () => {
    const dir = example();
    const cacheDir = path.join(tempDir('dmdb-worker-cache-'), 'index-cache');
    const first = host();
    const c1 = first.h.scanner({ root: dir, cacheDir });
    const before = await c1.index();
    // the worker's Scanner writes 5 s after the last index (CACHE_WRITES): nothing yet, until flushed
    assert.equal(fs.existsSync(cacheDir), false, 'nothing written right after the index');
    await c1.flushCaches();
    const written = fs.readdirSync(cacheDir).sort();
    assert.ok(written.some(f => f.startsWith('index-')), `the index snapshot is written: ${written.join(', ')}`);
    assert.ok(written.some(f => f.startsWith('modules-')), `the parse cache is written: ${written.join(', ')}`);
    await first.h.close();

    // the next session: a new worker whose first index answers from the snapshot, with the same facts
    const second = host();
    const c2 = second.h.scanner({ root: dir, cacheDir });
    const again = await c2.index();
    assert.deepEqual(Object.keys(again.timings ?? {}), ['snapshot'], `answered from the snapshot: ${JSON.stringify(again.timings)}`);
    assert.deepEqual(toReport(again), toReport(before));
    // the state behind it was built: an edit then gives what a Scanner of its own computes from scratch
    const [edited] = await addModel(dir, c2, new Scanner({ root: dir }));
    assert.ok(edited.models.some(m => m.key === 'catalog.Brand'), 'the edit is seen');
    assert.deepEqual(toReport(edited), toReport(await new Scanner({ root: dir }).index()));
  });

  test('the last session\'s answer (model/snapshot.ts) held by the host: a new worker sends only what differs from it', async () => {
    const dir = example();
    const storage = tempDir('dmdb-worker-storage-');
    const cacheDir = path.join(storage, 'index-cache');
    const first = host();
    const c1 = first.h.scanner({ root: dir, cacheDir, readDatabases: false });
    const before = await c1.index();
    await c1.flushCaches();
    // what the extension saves for its next session: the index with the last database read (here, a made-up one)
    const applied = { default: { alias: 'default', reachable: true, applied: 1, appliedKeys: new Set(['catalog.0001_initial']) } };
    await c1.saveSnapshot(before, { dir: storage, managePy: path.join(dir, 'manage.py'), version: '1', extras: { applied: applied as never } });
    await first.h.close();

    const second = host();
    const c2 = second.h.scanner({ root: dir, cacheDir, readDatabases: false });
    const saved = openSnapshot(storage, path.join(dir, 'manage.py'), '1');
    assert.ok(saved, 'the snapshot\'s header is read');
    let read = 0;
    const again = await c2.index({ digests: saved.digests, index: () => { read++; return saved.index(); } });
    assert.deepEqual(Object.keys(again.timings ?? {}), ['snapshot'], 'answered from the index snapshot');
    assert.equal(read, 1, 'the held index is read once');
    assert.deepEqual(toReport(again), toReport(before), 'the same answer as a whole one');
    // the facts came from the held index; the database state it carried (not this index's) and the timings came from the worker
    for (const k of ['models', 'migrations', 'routing', 'settings']) assert.ok(c2.lastFromKnown.includes(k), `${k} taken from the held index: ${c2.lastFromKnown.join(', ')}`);
    assert.ok(!c2.lastFromKnown.includes('applied') && !c2.lastFromKnown.includes('timings'), `what differs is sent: ${c2.lastFromKnown.join(', ')}`);
    // what the host never reads is neither in the snapshot nor taken from it
    assert.ok(!c2.lastFromKnown.includes('dbRoutes') && again.dbRoutes === undefined);
    assert.deepEqual(again.applied, before.applied);

    // a file changed since: the index snapshot does not answer, nothing is taken from the held index
    fs.appendFileSync(path.join(dir, 'catalog', 'models.py'), '\n\nclass Brand(models.Model):\n    name = models.CharField(max_length=10)\n');
    const third = host();
    const c3 = third.h.scanner({ root: dir, cacheDir, readDatabases: false });
    const saved3 = openSnapshot(storage, path.join(dir, 'manage.py'), '1')!;
    const changed = await c3.index(saved3);
    assert.deepEqual(c3.lastFromKnown, []);
    assert.ok(changed.models.some(m => m.key === 'catalog.Brand'));
    saved3.index(); // (closes the file)
  });
});

let big: string | undefined;
/** 60 apps, 600 models, 1,200 migrations (bench/generate.mjs) */
function bigProject(): string {
  if (!big) {
    big = tempDir('dmdb-worker-big-');
    execFileSync(process.execPath, [path.join(REPO, 'bench', 'generate.mjs'), big, '60', '10', '20'], { stdio: 'ignore' });
  }
  return big;
}

describe('off the main thread', () => {
  test('the warm-up waits until the answer before it has crossed to a host too busy to read it (VS Code starting)', { skip: process.platform === 'win32' }, async () => {
    const root = bigProject();
    const { h } = host();
    h.warmUp();
    for (let i = 0; i < 400 && h.mode !== 'worker'; i++) await new Promise(r => setTimeout(r, 25));
    assert.equal(h.mode, 'worker');
    const projectLog = collectingLogger();
    const remote = h.scanner({ root, allowPython: false, logger: projectLog });
    const answer = remote.index();
    // this thread busy while the worker answers (a reply of megabytes: more than the channel's buffers hold, the rest
    // is written as this thread reads) and then is idle long enough to begin its warm-up
    const until = Date.now() + 4000;
    while (Date.now() < until) { /* held, as VS Code's start-up holds the extension host */ }
    const freed = Date.now();
    const first = await answer;
    assert.ok(v8.serialize(first).length > 1 << 20, 'a reply larger than the channel holds');
    for (let i = 0; i < 200 && !projectLog.lines.some(l => l.includes('warm-up:')); i++) await new Promise(r => setTimeout(r, 50));
    const line = projectLog.lines.find(l => l.includes('warm-up:'));
    assert.ok(line, projectLog.lines.join('\n'));
    const begun = Date.parse(/begun at (\S+)\)/.exec(line)![1]!);
    // (before: it began 300 ms after the index, and the rest of the answer waited for the whole warm-up)
    assert.ok(begun >= freed - 200, `the warm-up began ${freed - begun} ms before this thread could read the answer`);
  });

  test('the event loop keeps ticking while a big project is indexed', async () => {
    const root = bigProject();
    const { h } = host();
    const scanner = h.scanner({ root, allowPython: false });
    let ticks = 0;
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const t = performance.now();
      maxGap = Math.max(maxGap, t - last);
      last = t;
      ticks++;
    }, 5);
    const t0 = performance.now();
    let index;
    try {
      index = await scanner.index();
    } finally {
      clearInterval(timer);
    }
    const end = performance.now();
    maxGap = Math.max(maxGap, end - last); // a block at the end counts too
    const elapsed = end - t0;
    assert.equal(h.mode, 'worker');
    assert.ok(index.migrations.length >= 60 * 20, `${index.migrations.length} migrations`);
    // functional, not a speed threshold: timers ran during the index, and no single pause of the main thread
    // took most of it (in process, parsing and evaluation are one synchronous block)
    assert.ok(ticks >= 3, `${ticks} ticks in ${Math.round(elapsed)} ms`);
    assert.ok(maxGap < elapsed / 2, `longest pause ${Math.round(maxGap)} ms of ${Math.round(elapsed)} ms`);
  });

  test('a big first index crosses as parts, read one by one: the same answer as in process', async () => {
    const root = bigProject();
    const { h } = host();
    const index = await h.scanner({ root, allowPython: false }).index();
    assert.equal(h.mode, 'worker');
    const parts = new Map(h.lastParts.map(p => [p.key, p.parts]));
    // 1,200 migrations, 600 models: slices of 250
    assert.ok((parts.get('migrations') ?? 0) >= 5, `parts: ${JSON.stringify(h.lastParts)}`);
    assert.ok((parts.get('models') ?? 0) >= 3, `parts: ${JSON.stringify(h.lastParts)}`);
    assert.deepEqual(toReport(index), toReport(await new Scanner({ root, allowPython: false }).index()));
  });

  test('Django\'s answer for a big project crosses in parts, its per-operation answer for each alias too: the same answer as in process', { skip: skipDjango }, async () => {
    const root = tempDir('dmdb-worker-django-big-');
    execFileSync(process.execPath, [path.join(REPO, 'bench', 'generate.mjs'), root, '30', '2', '20'], { stdio: 'ignore' });
    const opts: ScanOptions = { root, allowPython: true, python: VENV_PY, readDatabases: true };
    const dj = { mode: 'django' as const, allowPython: true, readDatabases: true };
    const { h } = host();
    const remote = h.scanner(opts);
    const answer = await remote.withDjango(await remote.index(), dj);
    assert.equal(answer.mode?.used, 'django', JSON.stringify(answer.mode));
    const parts = new Map(h.lastParts.map(p => [p.key, p]));
    // 600 pending migrations on each alias: slices of 250, each a table
    for (const alias of Object.keys(answer.django!.planDetails)) {
      const p = parts.get(`django.planDetails.${alias}`);
      assert.ok(p && p.parts >= 3 && p.tables, `parts: ${JSON.stringify(h.lastParts)}`);
    }
    const local = await withDjango(await new Scanner(opts).index(), { ...opts, ...dj });
    const { report: _report, ...localDjango } = local.django!;
    assert.deepEqual(toReport({ ...answer, timings: {} }), toReport({ ...local, django: localDjango, timings: {} }));
    assert.deepEqual(answer.django!.planDetails, localDjango.planDetails);
  });

  test('a worker that stops while it indexes: the error is logged, and a new worker answers the call (with the unsaved buffers)', async () => {
    const root = bigProject();
    const { h, logger } = host();
    const scanner = h.scanner({ root, allowPython: false });
    // an unsaved buffer the new worker must be given (CI: an edit typed as the worker was killed did not show)
    const settings = fs.readdirSync(root).map(d => path.join(root, d, 'settings.py')).find(f => fs.existsSync(f))!;
    await scanner.setOverlay(settings, `${fs.readFileSync(settings, 'utf8')}\nDATABASES["typed_while_stopped"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}\n`);
    const running = scanner.index();
    // wait until the worker runs, then stop it behind the host's back
    while (h.mode !== 'worker') await new Promise(r => setTimeout(r, 5));
    await (h as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const index = await running;
    assert.ok(logger.lines.some(l => l.startsWith('error: The scan worker stopped unexpectedly')), logger.lines.join('\n'));
    assert.ok(logger.lines.some(l => l.includes('Indexing again in a new scan worker')), logger.lines.join('\n'));
    assert.equal(h.mode, 'worker');
    assert.ok(index.migrations.length >= 60 * 20);
    assert.ok(index.settings?.databases.some(d => d.alias === 'typed_while_stopped'), 'the buffer was read by the new worker');
    await scanner.setOverlay(settings, null);
  });

  test('restart (the "Restart Analysis" command): a new worker process, the index in progress answered by it with the unsaved buffers, a paused project tried again', async () => {
    const root = bigProject();
    const { h, logger } = host();
    const scanner = h.scanner({ root, allowPython: false });
    await scanner.index();
    const before = h.workerPid;
    assert.ok(before);
    const settings = fs.readdirSync(root).map(d => path.join(root, d, 'settings.py')).find(f => fs.existsSync(f))!;
    await scanner.setOverlay(settings, `${fs.readFileSync(settings, 'utf8')}\nDATABASES["typed_before_restart"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}\n`);
    const running = scanner.index();
    await h.restart();
    assert.ok(h.workerPid && h.workerPid !== before, 'another process');
    const index = await running;
    assert.ok(index.settings?.databases.some(d => d.alias === 'typed_before_restart'), 'the buffer was read by the new worker');
    assert.ok(!logger.lines.some(l => l.includes('stopped unexpectedly')), 'a restart is no crash');
    assert.equal(h.mode, 'worker');
    // a project paused by a limit the last worker hit: its next index runs after a restart
    scanner.paused = Object.assign(new Error('paused'), { code: 'x' });
    await assert.rejects(scanner.index(), /paused/);
    await h.restart();
    assert.ok((await scanner.index()).settings?.databases.some(d => d.alias === 'typed_before_restart'));
    await scanner.setOverlay(settings, null);
  });
});

describe('limits: the worker pays for a project too big or too slow, never the extension host', () => {
  test('the worker runs with resource limits, in a process of its own by default', async () => {
    const { h, logger } = host();
    await h.scanner({ root: example() }).index();
    const w = (h as unknown as { worker: { kind: string; limits: { maxOldGenerationSizeMb: number; stackSizeMb: number } } }).worker;
    assert.equal(w.kind, 'process');
    assert.ok(h.workerPid && h.workerPid !== process.pid);
    assert.ok(logger.lines.some(l => l.includes(`indexing in a process of its own (pid ${h.workerPid})`)), logger.lines.join('\n'));
    assert.equal(w.limits.maxOldGenerationSizeMb, SCAN_WORKER_LIMITS.maxOldGenerationSizeMb);
    assert.equal(w.limits.stackSizeMb, SCAN_WORKER_LIMITS.stackSizeMb);
  });

  test('a worker thread instead (kind: thread): the same answers', async () => {
    const dir = example();
    const { h: threadHost } = host({ kind: 'thread' });
    const { h: processHost } = host();
    const a = await threadHost.scanner({ root: dir, allowPython: false }).index();
    const b = await processHost.scanner({ root: dir, allowPython: false }).index();
    assert.equal((threadHost as unknown as { worker: { kind: string } }).worker.kind, 'thread');
    assert.equal(threadHost.workerPid, undefined);
    assert.deepEqual(toReport(a), toReport(b));
  });

  test('out of memory: a clear error, no fallback to the host thread, the project paused until a file changes', async () => {
    const root = bigProject();
    // a heap far too small for 1,200 migrations (it may run out while loading the bundle or while indexing)
    const { h, logger } = host({ resourceLimits: { maxOldGenerationSizeMb: 12 } });
    const scanner = h.scanner({ root, allowPython: false });
    const limit = (e: unknown) => (e as { code?: string }).code === WORKER_LIMIT && /ran out of memory \(its limit is 12 MB\)/.test((e as Error).message);
    await assert.rejects(scanner.index(), limit);
    assert.notEqual(h.mode, 'in-process', 'a project that exhausted the worker must not run on the host thread');
    assert.ok(logger.lines.some(l => l.startsWith('error: Indexing stopped: the scan worker ran out of memory')), logger.lines.join('\n'));
    // paused: the next call fails at once, without starting a worker
    await assert.rejects(scanner.index(), limit);
    assert.equal(h.mode, 'idle');
    // another project is not paused
    const other = h.scanner({ root: example() });
    const started = other.index().then(() => 'ok', () => 'failed');
    assert.equal(h.mode, 'starting');
    await started;
    // a changed file lifts the pause: the next call tries again in a new worker (and fails again here)
    scanner.invalidate(path.join(root, 'manage.py'));
    const again = scanner.index();
    assert.notEqual(h.mode, 'idle');
    await assert.rejects(again, limit);
  });

  test('a call past the time limit stops the worker with a clear error', async () => {
    const root = bigProject();
    const { h, logger } = host({ callTimeoutMs: 50 });
    const scanner = h.scanner({ root, allowPython: false });
    await assert.rejects(scanner.index(), (e: unknown) => (e as { code?: string }).code === WORKER_LIMIT && /took longer than 50 ms/.test((e as Error).message));
    assert.equal(h.mode, 'idle');
    assert.ok(logger.lines.some(l => l.startsWith('error: The scan worker was stopped: the indexing took longer than')), logger.lines.join('\n'));
    await assert.rejects(scanner.index(), /took longer/, 'paused until a file changes');
  });
});

describe('in process when there is no worker', () => {
  test('a worker bundle that cannot be loaded: the calls run in process, and the log says why', async () => {
    const dir = example();
    const { h, logger } = host({ workerFile: path.join(tempDir('dmdb-worker-none-'), 'missing.js') });
    const scanner = h.scanner({ root: dir, readDatabases: true });
    const [index] = await Promise.all([scanner.index(), scanner.index()]);
    assert.equal(h.mode, 'in-process');
    assert.ok(logger.lines.some(l => l.startsWith('warn: Indexing runs on the extension host\'s thread') && l.includes('missing.js')), logger.lines.join('\n'));
    const local = new Scanner({ root: dir, readDatabases: true });
    assert.deepEqual(toReport(await scanner.readState(index)), toReport(await local.readState(await local.index())));
  });

  test('close() rejects what is in progress and everything after', async () => {
    const { h } = host();
    const scanner = h.scanner({ root: example() });
    const running = assert.rejects(scanner.index(), /closed/);
    await h.close();
    await running;
    await assert.rejects(scanner.index(), /closed/);
    assert.equal(h.mode, 'closed');
  });
});
