// Django mode: python/django_helper.py against real Django (the venv made by scripts/python-env.sh), compared
// with what Django itself says through a direct snippet and with what `migrate` really does; the merge of its
// answer into a static index; and the failure paths (broken settings, broken router import, missing or hanging
// interpreter, passwords in errors).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  helperScriptPath, MERGE_STATS, mergeDjangoAnswer, runDjangoHelper, sqlForMigration, timeoutLeftMs, waitedForCpuMs, DjangoHelperError,
  type DjangoAnswer, type DjangoReport,
} from '../../src/core/django/index';
import { scanProject, type ProjectIndex } from '../../src/core/scan';
import { CROSS_DB_STATS, settingsFindings } from '../../src/core/findings';
import type { MigrationFileInfo, ModelInfo, RouterDecision, SettingsInfo } from '../../src/core/types';
import { writeTree } from './support';

const REPO = path.resolve(__dirname, '..', '..');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'dynamic_routers');
const SHOP = path.join(REPO, 'examples', 'multidb_shop');
const CACHE = process.env.DJANGO_MULTIDB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'django-multidb');
const VENV_PY = path.join(CACHE, 'venv-django52', 'bin', 'python');
const HAVE_DJANGO = fs.existsSync(VENV_PY) && spawnSync(VENV_PY, ['-c', 'import django'], { timeout: 30000 }).status === 0;
const skipDjango = HAVE_DJANGO ? false : `no Django venv at ${VENV_PY} (run scripts/python-env.sh)`;
if (!HAVE_DJANGO) console.log(`# django-mode: skipping the real-Django tests: ${skipDjango}`);

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'django-mode-'));
process.on('exit', () => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function copyProject(src: string, name: string): string {
  const dst = path.join(tmpRoot, name);
  fs.rmSync(dst, { recursive: true, force: true });
  fs.cpSync(src, dst, { recursive: true, filter: s => !s.includes('__pycache__') });
  return dst;
}

function md5s(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.sqlite3')) out[f] = crypto.createHash('md5').update(fs.readFileSync(path.join(dir, f))).digest('hex');
  }
  return out;
}

/** Django itself, directly: routing per (alias, model), the plan per alias, and (optionally) the tables per alias. */
const ORACLE = `
import json, os, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.apps import apps
from django.db import connections, router
from django.db.migrations.executor import MigrationExecutor
out = {"routing": {}, "plans": {}, "tables": {}, "modelTables": {}}
mode = sys.argv[1]
for alias in connections:
    if mode == "routing":
        for m in apps.get_models(include_swapped=True):
            out["routing"][alias + "|" + m._meta.label] = bool(m._meta.can_migrate(alias) and router.allow_migrate_model(alias, m))
        ex = MigrationExecutor(connections[alias])
        out["plans"][alias] = ["%s.%s" % (mig.app_label, mig.name) for mig, bw in ex.migration_plan(ex.loader.graph.leaf_nodes())]
    else:
        out["tables"][alias] = sorted(connections[alias].introspection.table_names())
for m in apps.get_models(include_swapped=True):
    out["modelTables"][m._meta.app_label + "." + m._meta.model_name] = m._meta.db_table
print(json.dumps(out))
`;

function oracle(dir: string, settings: string, mode: 'routing' | 'tables'): { routing: Record<string, boolean>; plans: Record<string, string[]>; tables: Record<string, string[]>; modelTables: Record<string, string> } {
  const out = execFileSync(VENV_PY, ['-B', '-c', ORACLE, mode], { cwd: dir, env: { ...process.env, DJANGO_SETTINGS_MODULE: settings }, encoding: 'utf8', timeout: 120000 });
  return JSON.parse(out);
}

async function report(dir: string, settings: string, extra: Partial<Parameters<typeof runDjangoHelper>[0]> = {}): Promise<DjangoReport> {
  const r = await runDjangoHelper({ root: dir, managePy: path.join(dir, 'manage.py'), python: VENV_PY, settingsModule: settings, timeoutMs: 120000, ...extra });
  if (!r.ok) assert.fail(`helper failed: ${r.reason}: ${r.message}\n${r.traceback ?? ''}\n${r.stderr}`);
  return r.report;
}

/** Run `migrate --database alias` for each alias on a copy, then check every top-level CreateModel op the helper
 *  judged: created ⇔ not skipped. */
function checkOpsAgainstMigrate(dir: string, settings: string, rep: DjangoReport): number {
  for (const alias of Object.keys(rep.plans)) {
    execFileSync(VENV_PY, ['-B', 'manage.py', 'migrate', '--database', alias, '--noinput', '-v', '0'], { cwd: dir, env: { ...process.env, DJANGO_SETTINGS_MODULE: settings }, timeout: 180000 });
  }
  const o = oracle(dir, settings, 'tables');
  let checked = 0;
  for (const [alias, details] of Object.entries(rep.planDetails)) {
    assert.ok(details, `details for ${alias}`);
    for (const mig of details) {
      const app = mig.key.split('.')[0]!;
      for (const op of mig.operations) {
        if (op.kind !== 'CreateModel' || op.reason === 'proxy' || !op.model) continue;
        const table = o.modelTables[`${app}.${op.model}`];
        if (!table) continue;
        const exists = o.tables[alias]!.includes(table);
        assert.equal(exists, op.skipped === false, `${alias} ${mig.key} ${op.describe}: table ${table} exists=${exists}, helper skipped=${op.skipped} (${op.reason})`);
        checked++;
      }
    }
  }
  return checked;
}

let fixtureAnswer: DjangoReport | null = null;

before(() => {
  assert.ok(helperScriptPath(), 'python/django_helper.py is found from src/core/django');
});

test('dynamic_routers: routing and plans equal what Django reports directly; reading writes nothing', { skip: skipDjango }, async () => {
  const dir = copyProject(FIXTURE, 'dyn-routing');
  const rep = await report(dir, 'dynsite.settings');
  fixtureAnswer = rep;
  assert.deepEqual(fs.readdirSync(dir).filter(f => f.endsWith('.sqlite3')), [], 'no SQLite file was created');
  assert.ok(!fs.existsSync(path.join(dir, 'dynsite', '__pycache__')), 'no bytecode written');
  const o = oracle(dir, 'dynsite.settings', 'routing');
  const mine = Object.fromEntries(rep.routing.map(r => [`${r.alias}|${r.model}`, r.migrate]));
  assert.deepEqual(mine, o.routing);
  assert.deepEqual(rep.plans, o.plans);
  assert.deepEqual(rep.routers, ['dynsite.routers.VendorRouter', 'dynsite.routers.GroupRouter', 'dynsite.routers.RegistryRouter', 'dynsite.routers.TableRouter']);
  const row = (alias: string, model: string) => rep.routing.find(r => r.alias === alias && r.model === model)!;
  assert.deepEqual([row('archive', 'audit.Entry').migrate, row('archive', 'audit.Entry').decidedBy], [true, 'dynsite.routers.VendorRouter']);
  assert.deepEqual([row('archive', 'catalog.DiscontinuedProduct').migrate, row('archive', 'catalog.DiscontinuedProduct').decidedBy], [true, 'dynsite.routers.GroupRouter']);
  assert.deepEqual([row('warehouse', 'catalog.StockLevel').migrate, row('warehouse', 'catalog.StockLevel').decidedBy], [true, 'dynsite.routers.RegistryRouter']);
  assert.deepEqual([row('warehouse', 'reports.DailySales').migrate, row('warehouse', 'reports.DailySales').decidedBy], [true, 'dynsite.routers.TableRouter']);
  assert.deepEqual([row('default', 'legacy.OldInvoice').reason, row('default', 'catalog.FeaturedProduct').reason], ['unmanaged', 'proxy']);
  assert.equal(rep.status.default!.exists, false);
  assert.equal(rep.graph.error, null);
  assert.equal(rep.migrations.find(m => m.key === 'reports.0002_seed_sales')!.operations.length, 3);
});

test('dynamic_routers: skipped operations match what `migrate --database` really creates', { skip: skipDjango }, async () => {
  const dir = copyProject(FIXTURE, 'dyn-migrate');
  const rep = await report(dir, 'dynsite.settings');
  // the historical model has no _db_group: GroupRouter does not apply to migrations, Django creates the table on default
  const disc = rep.planDetails.default!.flatMap(m => m.operations).find(o => o.describe === 'Create model DiscontinuedProduct')!;
  assert.deepEqual([disc.skipped, disc.reason], [false, 'default']);
  const seed = rep.planDetails.warehouse!.find(m => m.key === 'reports.0002_seed_sales')!;
  assert.deepEqual(seed.operations.map(o => [o.kind, o.skipped, o.decidedBy]), [
    ['RunPython', false, 'dynsite.routers.TableRouter'], ['RunSQL', false, 'dynsite.routers.TableRouter'], ['RunSQL', false, 'dynsite.routers.TableRouter'],
  ]);
  const checked = checkOpsAgainstMigrate(dir, 'dynsite.settings', rep);
  assert.ok(checked >= 15, `checked ${checked} CreateModel operations`);
  // now everything is applied: the helper reads the (read-only) files, plans are empty, nothing changes on disk
  const before = md5s(dir);
  const after = await report(dir, 'dynsite.settings');
  assert.deepEqual(md5s(dir), before, 'reading the databases changed no byte');
  const o = oracle(dir, 'dynsite.settings', 'routing');
  assert.deepEqual(after.plans, o.plans);
  for (const [alias, st] of Object.entries(after.status)) {
    assert.equal(st.reachable, true, alias);
    assert.equal(st.exists, true, alias);
    assert.equal(after.plans[alias]!.length, 0, alias);
    assert.ok(st.applied >= 8, `${alias}: ${st.applied} applied`);
  }
});

test('multidb_shop example: routing, plans and skipped operations equal Django', { skip: skipDjango || (!fs.existsSync(path.join(SHOP, 'manage.py')) && 'examples/multidb_shop not there yet') }, async () => {
  const dir = copyProject(SHOP, 'shop');
  const sums = md5s(dir);
  const rep = await report(dir, 'shop.settings');
  assert.deepEqual(md5s(dir), sums, 'existing SQLite files untouched');
  const o = oracle(dir, 'shop.settings', 'routing');
  assert.deepEqual(Object.fromEntries(rep.routing.map(r => [`${r.alias}|${r.model}`, r.migrate])), o.routing);
  assert.deepEqual(rep.plans, o.plans);
  const dir2 = copyProject(SHOP, 'shop-migrate');
  const checked = checkOpsAgainstMigrate(dir2, 'shop.settings', await report(dir2, 'shop.settings'));
  assert.ok(checked > 10, `checked ${checked}`);
});

test('sqlForMigration prints sqlmigrate --database, a skipped model is a no-op, no file is created', { skip: skipDjango }, async () => {
  const dir = copyProject(FIXTURE, 'dyn-sql');
  const opts = { root: dir, managePy: path.join(dir, 'manage.py'), python: VENV_PY, settingsModule: 'dynsite.settings', timeoutMs: 60000 };
  const onArchive = await sqlForMigration(opts, 'audit', '0001_initial', 'archive');
  assert.match(onArchive, /CREATE TABLE "audit_entry"/);
  const onDefault = await sqlForMigration(opts, 'audit', '0001_initial', 'default');
  assert.doesNotMatch(onDefault, /CREATE TABLE/);
  assert.match(onDefault, /\(no-op\)/);
  assert.deepEqual(fs.readdirSync(dir).filter(f => f.endsWith('.sqlite3')), []);
  await assert.rejects(sqlForMigration(opts, 'audit', '0099_nope', 'default'), (e: unknown) => e instanceof DjangoHelperError && e.failure.reason === 'command');
});

// ---------------------------------------------------------------------------------------------------------------
// merge

function loc(p: string, line = 1) {
  return { path: p, line };
}

function staticIndexFor(rep: DjangoReport, root: string): { index: ProjectIndex; unknownRows: number } {
  const settings: SettingsInfo = {
    module: 'dynsite.settings', path: path.join(root, 'dynsite', 'settings.py'),
    databases: rep.databases.map(d => ({ alias: d.alias, engine: d.engine, name: d.name })),
    routers: [...rep.routers], installedApps: [], migrationModules: {}, authUserModel: 'auth.User', values: {}, unknowns: [],
  };
  const models: ModelInfo[] = rep.models.map(m => ({
    app: m.app, name: m.name, key: m.key, managed: m.managed, proxy: m.proxy, abstract: false, swapped: false, table: m.table,
    modelName: m.modelName, loc: loc(m.path ?? '', m.line ?? 1), bases: [], attrs: {}, meta: {},
    fields: m.key === 'catalog.StockLevel' || m.key === 'reports.DailySales'
      ? [{ name: 'product', kind: 'ForeignKey', target: 'catalog.Product', targetRaw: 'catalog.Product', dbConstraint: false, loc: loc(m.path ?? '', (m.line ?? 1) + 2) }]
      : [],
  }));
  // what a static evaluator could say: unmanaged/proxy rows are decided, ContentType on default wrongly False,
  // StockLevel right on warehouse, everything else unknown
  let unknownRows = 0;
  const routing: RouterDecision[] = rep.routing.map(r => {
    if (r.reason === 'proxy' || r.reason === 'unmanaged') return { alias: r.alias, model: r.model, migrate: false, decidedBy: null, reason: r.reason };
    if (r.alias === 'default' && r.model === 'contenttypes.ContentType') return { alias: r.alias, model: r.model, migrate: false, decidedBy: 'dynsite.routers.TableRouter', reason: 'router' };
    if (r.alias === 'warehouse' && r.model === 'catalog.StockLevel') return { alias: r.alias, model: r.model, migrate: true, decidedBy: 'dynsite.routers.RegistryRouter', reason: 'router' };
    unknownRows++;
    return { alias: r.alias, model: r.model, migrate: null, decidedBy: null, reason: 'unknown', explanation: 'connections[db].vendor' };
  });
  const migrations: MigrationFileInfo[] = rep.migrations
    .filter(m => m.key !== 'audit.0001_initial') // static "missed" one
    .map(m => ({
      app: m.app, name: m.name, key: m.key, path: m.path ?? '', replaces: m.replaces, runBefore: m.runBefore, initial: m.initial,
      operations: m.operations.map(o => ({ ...o })),
      dependencies: m.key === 'catalog.0002_stock_reserved' ? [] : m.dependencies, // and read one wrongly
    }));
  const index: ProjectIndex = {
    root, managePy: path.join(root, 'manage.py'), settings, apps: [], models, routing, routerLocs: {}, migrations,
    applied: {}, plans: { default: rep.plans.default!.filter(k => k !== 'reports.0002_seed_sales') }, timings: {},
    findings: [{ code: 'unknown-routing', severity: 'info', path: null, line: null, model: 'audit.Entry', message: 'x' }],
  };
  return { index, unknownRows };
}

test('mergeDjangoAnswer: Django replaces the static facts and every difference is recorded', { skip: skipDjango }, async () => {
  const rep = fixtureAnswer ?? await report(copyProject(FIXTURE, 'dyn-merge'), 'dynsite.settings');
  const root = FIXTURE;
  const { index, unknownRows } = staticIndexFor(rep, root);
  const answer: DjangoAnswer = { ok: true, report: rep, stderr: '', durationMs: 0 };
  const { index: merged, disagreements } = mergeDjangoAnswer(index, answer);

  const routingDis = disagreements.filter(d => d.kind === 'routing');
  const undecided = routingDis.filter(d => d.note === 'static analysis could not decide');
  assert.equal(undecided.length, unknownRows, 'one disagreement per static unknown that Django decided');
  const wrong = routingDis.filter(d => d.note === 'static analysis was wrong');
  assert.deepEqual(wrong.map(d => [d.alias, d.model]), [['default', 'contenttypes.ContentType']]);
  assert.deepEqual(wrong[0]!.django, { migrate: true, decidedBy: null, reason: 'default' });
  assert.equal(routingDis.length, unknownRows + 1, 'rows where static analysis was right are not disagreements');
  assert.ok(!routingDis.some(d => d.model === 'legacy.OldInvoice' || (d.alias === 'warehouse' && d.model === 'catalog.StockLevel')));

  assert.equal(merged.routing.length, rep.routing.length);
  assert.ok(merged.routing.every(r => r.source === 'django' && r.migrate !== null));
  assert.deepEqual(merged.routing.map(r => r.migrate), rep.routing.map(r => r.migrate));

  const migDis = disagreements.filter(d => d.kind === 'migration');
  assert.deepEqual(migDis.map(d => [d.migration, d.note]).sort(), [
    ['audit.0001_initial', 'static analysis did not find this migration'],
    ['catalog.0002_stock_reserved', 'dependencies differ'],
  ]);
  assert.deepEqual(merged.migrations.find(m => m.key === 'catalog.0002_stock_reserved')!.dependencies, [['catalog', '0001_initial']]);

  const planDis = disagreements.filter(d => d.kind === 'plan');
  assert.equal(planDis.length, 1);
  assert.equal(planDis[0]!.alias, 'default');
  assert.match(planDis[0]!.note, /static analysis missed reports\.0002_seed_sales/);
  assert.deepEqual(merged.plans, rep.plans);
  assert.deepEqual(merged.django!.planSource, { default: 'django', warehouse: 'django', archive: 'django' });
  assert.equal(merged.applied.archive!.source, 'django');
  assert.ok(merged.django!.planDetails.archive!.length > 0);

  // findings come from the merged facts: no unknown routing left, cross-db FKs from Django's routing
  assert.ok(!merged.findings.some(f => f.code === 'unknown-routing'));
  const fks = merged.findings.filter(f => f.code === 'cross-db-foreign-key').map(f => `${f.model}.${f.field}@${f.alias}`).sort();
  assert.deepEqual(fks, ['catalog.StockLevel.product@warehouse', 'reports.DailySales.product@warehouse']);
  assert.equal(merged.findings.filter(f => f.code === 'pending-migrations').length, 3);
});

test('mergeDjangoAnswer with the static core: every unknown row Django decides is listed', { skip: skipDjango }, async t => {
  let Scanner: typeof import('../../src/core/scan').Scanner;
  try {
    ({ Scanner } = await import('../../src/core/scan'));
  } catch (e) {
    t.skip(`static core not loadable yet: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  const dir = copyProject(FIXTURE, 'dyn-static');
  const rep = await report(dir, 'dynsite.settings');
  const idx = await new Scanner({ root: dir, python: VENV_PY, allowPython: false, env: { ...process.env, DJANGO_SETTINGS_MODULE: 'dynsite.settings' } }).index();
  const { index: merged, disagreements } = mergeDjangoAnswer(idx, rep);
  const unknown = idx.routing.filter(r => r.migrate === null).map(r => `${r.alias}|${r.model}`).sort();
  const listed = disagreements.filter(d => d.kind === 'routing' && d.note === 'static analysis could not decide').map(d => `${d.alias}|${d.model}`).sort();
  assert.deepEqual(listed, unknown);
  const wrong = disagreements.filter(d => d.kind === 'routing' && d.note === 'static analysis was wrong');
  console.log(`# static core on dynamic_routers: ${idx.routing.length} rows, ${unknown.length} unknown, ${wrong.length} wrong, ${disagreements.length} disagreements in all`);
  assert.deepEqual(merged.routing.map(r => `${r.alias}|${r.model}|${r.migrate}`).sort(), rep.routing.map(r => `${r.alias}|${r.model}|${r.migrate}`).sort());
});

// ---------------------------------------------------------------------------------------------------------------
// failures

function brokenCopy(name: string, files: Record<string, string>): string {
  const dir = copyProject(FIXTURE, name);
  for (const [f, s] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), s);
  return dir;
}

test('a settings module with a syntax error is a "settings" failure with the traceback', { skip: skipDjango }, async () => {
  const dir = brokenCopy('bad-settings', { 'dynsite/settings_bad.py': 'from dynsite.settings import *\nDATABASES = {\n' });
  const t0 = Date.now();
  const r = await runDjangoHelper({ root: dir, managePy: path.join(dir, 'manage.py'), python: VENV_PY, settingsModule: 'dynsite.settings_bad', timeoutMs: 30000 });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.reason, 'settings');
  assert.equal(r.exitCode, 3);
  assert.match(r.message, /dynsite\.settings_bad/);
  assert.match(r.traceback ?? '', /SyntaxError/);
  assert.ok(Date.now() - t0 < 30000);
});

test('an ImportError in a router module is an "import" failure', { skip: skipDjango }, async () => {
  const dir = brokenCopy('bad-router', {
    'dynsite/broken_routers.py': 'import dynsite_no_such_module_xyz\n\n\nclass Router:\n    pass\n',
    'dynsite/settings_badrouter.py': 'from dynsite.settings import *\nDATABASE_ROUTERS = ["dynsite.broken_routers.Router"]\n',
  });
  const r = await runDjangoHelper({ root: dir, managePy: path.join(dir, 'manage.py'), python: VENV_PY, settingsModule: 'dynsite.settings_badrouter', timeoutMs: 30000 });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.reason, 'import');
  assert.match(r.message, /DATABASE_ROUTERS/);
  assert.match(r.traceback ?? '', /dynsite_no_such_module_xyz/);
});

test('a Django that imports but whose django.conf cannot (installed without asgiref) is said, not a silent exit (enterprise-catalog)', async () => {
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'noconf-'));
  // a stand-in django package on the project's path: `import django` works, django.conf raises as a Django
  // installed with --no-deps does
  fs.mkdirSync(path.join(dir, 'django', 'conf'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'django', '__init__.py'), 'VERSION = (5, 2, 0, "final", 0)\n\n\ndef get_version():\n    return "5.2"\n');
  fs.writeFileSync(path.join(dir, 'django', 'conf', '__init__.py'), 'raise ModuleNotFoundError("No module named \'asgiref\'")\n');
  fs.writeFileSync(path.join(dir, 'manage.py'), '');
  const r = await runDjangoHelper({ root: dir, managePy: path.join(dir, 'manage.py'), python: VENV_PY ?? 'python3', settingsModule: 'x.settings', timeoutMs: 30000 });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.reason, 'django');
    assert.match(r.message, /Django cannot be imported by .*No module named 'asgiref'/);
  }
});

test('a missing interpreter is a "missing-interpreter" failure', async () => {
  const r = await runDjangoHelper({ root: FIXTURE, python: path.join(tmpRoot, 'no', 'such', 'python3'), settingsModule: 'dynsite.settings', timeoutMs: 5000 });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.reason, 'missing-interpreter');
});

test('the background refresh runs the helper at a lower CPU priority (lowPriority), a run asked for does not', { skip: process.platform === 'win32' }, async () => {
  // a stand-in interpreter that prints a report with the niceness it runs at (after a pause: the priority is set
  // right after it started)
  const fake = path.join(tmpRoot, 'nice-python');
  // (and, on Linux with autogroups, the nice value of the session's group it runs in: -1 without them)
  fs.writeFileSync(fake, '#!/bin/sh\nsleep 0.3\ngroup=$(sed -n \'s/.*nice *//p\' /proc/self/autogroup 2>/dev/null)\nprintf \'{"routing": [], "models": [], "migrations": [], "nice": %s, "groupNice": %s}\\n\' "$(nice)" "${group:--1}"\n', { mode: 0o755 });
  const niceness = async (lowPriority?: boolean) => {
    const r = await runDjangoHelper({ root: FIXTURE, python: fake, settingsModule: 'dynsite.settings', timeoutMs: 10000, ...(lowPriority === undefined ? {} : { lowPriority }) });
    assert.ok(r.ok, !r.ok ? r.message : '');
    const report = r.report as DjangoReport & { nice: number; groupNice: number };
    return { nice: report.nice, groupNice: report.groupNice };
  };
  const own = os.getPriority();
  const low = Math.max(own, os.constants.priority.PRIORITY_BELOW_NORMAL);
  // the helper runs in a session of its own: with autogroups, in a group of its own too (nice 0 unless lowered)
  const groups = process.platform === 'linux' && fs.existsSync('/proc/self/autogroup');
  assert.deepStrictEqual(await niceness(), { nice: own, groupNice: groups ? 0 : -1 });
  assert.deepStrictEqual(await niceness(false), { nice: own, groupNice: groups ? 0 : -1 });
  // lowered: its own nice value and its group's (5), which is what the scheduler weighs against the editor's processes
  assert.deepStrictEqual(await niceness(true), { nice: low, groupNice: groups ? 5 : -1 });
});

test('a lower-priority helper\'s timeout does not count the time it waited for a CPU, up to three times the timeout', () => {
  // not waited: the wall time counts in full (a helper hanging on a database that does not answer)
  assert.equal(timeoutLeftMs(60_000, 60_000, 0), 0);
  assert.equal(timeoutLeftMs(60_000, 20_000, 0), 40_000);
  // waited 30 s of 60 for the editor's processes: 30 s of its own, 30 left
  assert.equal(timeoutLeftMs(60_000, 60_000, 30_000), 30_000);
  // however long it waited, it is stopped at three times the timeout
  assert.equal(timeoutLeftMs(60_000, 170_000, 165_000), 10_000);
  assert.ok(timeoutLeftMs(60_000, 180_000, 179_000) <= 0);
  // the wait of this very process, as the kernel counts it (Linux; 0 where unknown)
  assert.ok(waitedForCpuMs(process.pid) >= 0);
  assert.equal(waitedForCpuMs(2 ** 30), 0);
});

test('a lower-priority helper kept waiting by busy editor processes is not stopped at its timeout, only at three times it', {
  skip: process.platform !== 'linux' || !fs.existsSync('/proc/self/autogroup') || !fs.existsSync('/proc/self/schedstat') ? 'Linux with autogroups and schedstat only' : false,
}, async () => {
  // a stand-in interpreter with ~0.25 s of work of its own (a shell loop), then a report: beside the busy processes, in
  // a group at nice 19, it gets a few % of a CPU and takes longer than its timeout of 1 s
  const fake = path.join(tmpRoot, 'busy-python');
  fs.writeFileSync(fake, '#!/bin/sh\ni=0; while [ $i -lt 150000 ]; do i=$((i+1)); done\nprintf \'{"routing": [], "models": [], "migrations": []}\\n\'\n', { mode: 0o755 });
  // the editor's processes, busy on every core (in this session: its group, weighed against the helper's)
  const hogs = Array.from({ length: os.cpus().length * 2 + 1 }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
  const was = process.env.DJANGO_MULTIDB_GROUP_NICE;
  process.env.DJANGO_MULTIDB_GROUP_NICE = '19';
  try {
    await new Promise(r => setTimeout(r, 200));
    const t0 = Date.now();
    const r = await runDjangoHelper({ root: FIXTURE, python: fake, settingsModule: 'dynsite.settings', timeoutMs: 1000, lowPriority: true });
    const took = Date.now() - t0;
    // it finished (kept waiting past its timeout, or the machine had a core to spare), or it was kept waiting so long
    // that it was stopped at three times its timeout: never at the timeout itself, its own work being a quarter of it
    if (!r.ok) {
      assert.equal(r.reason, 'timeout');
      assert.ok(took >= 2900, `stopped after ${took} ms, before three times its timeout`);
    }
  } finally {
    if (was === undefined) delete process.env.DJANGO_MULTIDB_GROUP_NICE;
    else process.env.DJANGO_MULTIDB_GROUP_NICE = was;
    for (const h of hogs) h.kill('SIGKILL');
  }
});

test('a hanging interpreter (and its children) is stopped at the timeout', { skip: process.platform === 'win32' }, async () => {
  const fake = path.join(tmpRoot, 'hang-python');
  const pidFile = path.join(tmpRoot, 'hang.pid');
  // a grandchild keeps stdout open: only killing the whole process group ends it
  fs.writeFileSync(fake, `#!/bin/sh\nsleep 60 &\necho $! > "${pidFile}"\nsleep 60\n`, { mode: 0o755 });
  const t0 = Date.now();
  const r = await runDjangoHelper({ root: FIXTURE, python: fake, settingsModule: 'dynsite.settings', timeoutMs: 1500 });
  const took = Date.now() - t0;
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.reason, 'timeout');
  assert.ok(took < 5000, `returned after ${took} ms`);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  await new Promise(res => setTimeout(res, 200));
  // gone, or a zombie waiting for a reaper (containers whose PID 1 does not reap)
  const alive = (() => {
    try { process.kill(pid, 0); } catch { return false; }
    try { return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
  })();
  assert.equal(alive, false, 'the grandchild was killed too');
});

test('a password configured in DATABASES never appears in the output, even when connecting fails', { skip: skipDjango }, async () => {
  const PW = 'Zq9-s3cr3t-Pa55"word';
  const dir = brokenCopy('secret', {
    'dynsite/leaky_router.py': [
      'from django.conf import settings', '', '',
      'class LeakyRouter:',
      '    def allow_migrate(self, db, app_label, model_name=None, **hints):',
      '        if db == "pg" and model_name == "entry":',
      '            raise RuntimeError("cannot route, password is " + settings.DATABASES["pg"]["PASSWORD"])',
      '        return None', '',
    ].join('\n'),
    'dynsite/settings_secret.py': [
      'from dynsite.settings import *  # noqa',
      `PW = ${JSON.stringify(PW)}`,
      'DATABASES = dict(DATABASES)',
      'DATABASES["pg"] = {"ENGINE": "django.db.backends.postgresql", "NAME": "nope_" + PW, "USER": "someone", "PASSWORD": PW, "HOST": "127.0.0.1", "PORT": "1"}',
      'DATABASE_ROUTERS = ["dynsite.leaky_router.LeakyRouter"] + DATABASE_ROUTERS',
      'print("settings loaded, password", PW)', '',
    ].join('\n'),
  });
  const helper = helperScriptPath()!;
  const env = { ...process.env, DJANGO_SETTINGS_MODULE: 'dynsite.settings_secret' };
  const raw = spawnSync(VENV_PY, ['-B', helper, 'report'], { cwd: dir, env, encoding: 'utf8', timeout: 60000 });
  assert.equal(raw.status, 0, raw.stderr);
  for (const text of [raw.stdout, raw.stderr]) {
    assert.ok(!text.includes(PW), 'password printed');
    assert.ok(!text.includes(JSON.stringify(PW).slice(1, -1)), 'JSON-escaped password printed');
  }
  const rep = JSON.parse(raw.stdout) as DjangoReport;
  assert.equal(rep.status.pg!.reachable, false);
  assert.ok(rep.status.pg!.error && rep.status.pg!.error.length > 0);
  assert.equal(rep.plans.pg, null);
  const leaky = rep.routing.find(r => r.alias === 'pg' && r.model === 'audit.Entry')!;
  assert.equal(leaky.reason, 'error');
  assert.match(leaky.error ?? '', /password is \*{8}/);
  assert.equal(rep.databases.find(d => d.alias === 'pg')!.name, 'nope_********');
  // the sql command on the unreachable alias fails, without the password either
  const sql = spawnSync(VENV_PY, ['-B', helper, 'sql', 'audit', '0001_initial', '--database', 'pg'], { cwd: dir, env, encoding: 'utf8', timeout: 60000 });
  assert.equal(sql.status, 3);
  assert.ok(!sql.stdout.includes(PW) && !sql.stderr.includes(PW));
  assert.equal(JSON.parse(sql.stdout).error.kind, 'command');
});

test('short and common passwords are masked in the report\'s free text only: its keys, ENGINEs and labels stay (Flagsmith review)', { skip: skipDjango }, async () => {
  // "p" was masked inside every key (the report lost its fields, the merge crashed) and every path; "postgres" inside
  // the ENGINE django.db.backends.postgresql
  const dir = brokenCopy('short-passwords', {
    'dynsite/settings_pw.py': [
      'from dynsite.settings import *  # noqa',
      'DATABASES = dict(DATABASES)',
      'DATABASES["default"] = dict(DATABASES["default"], PASSWORD="p")',
      'DATABASES["pg"] = {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "USER": "u", "PASSWORD": "postgres", "HOST": "127.0.0.1", "PORT": "1"}',
      'INSTALLED_APPS = list(INSTALLED_APPS) + ["django.contrib.admin", "django.contrib.auth", "django.contrib.messages", "django.contrib.sessions"]', '',
    ].join('\n'),
  });
  const rep = await report(dir, 'dynsite.settings_pw', { readDatabases: false });
  assert.ok(Array.isArray(rep.models) && rep.models.length > 0, 'the report has its fields');
  const pg = rep.databases.find(d => d.alias === 'pg');
  assert.deepEqual(pg && [pg.engine, pg.name], ['django.db.backends.postgresql', 'shop']);
  assert.ok(rep.databases.every(d => !d.name?.includes('*')), JSON.stringify(rep.databases));
  assert.ok(rep.models.some(m => m.key === 'admin.LogEntry'));
  // and the merge takes it
  const { Scanner } = await import('../../src/core/scan');
  const index = await new Scanner({ root: dir, allowPython: false, settingsModule: 'dynsite.settings_pw', env: {} }).index();
  const merged = mergeDjangoAnswer(index, rep).index;
  assert.ok(merged.models.length > 0);
  assert.deepEqual(merged.django!.disagreements.filter(d => d.kind === 'database' && /ENGINE|NAME/.test(d.note)), []);
});

test('benchmark: `report` on the generated benchmark project', { skip: skipDjango || (process.env.DJANGO_MULTIDB_SKIP_BENCH ? 'DJANGO_MULTIDB_SKIP_BENCH set' : false) }, async () => {
  const out = path.join(tmpRoot, 'bench');
  execFileSync(process.execPath, [path.join(REPO, 'bench', 'generate.mjs'), out, '150', '10', '20'], { stdio: 'ignore' });
  const t0 = performance.now();
  const r = await runDjangoHelper({ root: out, managePy: path.join(out, 'manage.py'), python: VENV_PY, settingsModule: 'bigsite.settings', timeoutMs: 300000 });
  const ms = performance.now() - t0;
  assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.message}`);
  if (!r.ok) return;
  const rep = r.report;
  const ops = Object.values(rep.planDetails).reduce((n, d) => n + (d ?? []).reduce((k, m) => k + m.operations.length, 0), 0);
  const tm = rep.timings;
  console.log(
    `# bench: django helper report on 150 apps / ${rep.models.length} models / ${rep.migrations.length} migrations / ${rep.databases.length} aliases: ` +
    `${(ms / 1000).toFixed(1)} s wall (python total ${(tm.total! / 1000).toFixed(1)} s: models ${tm.models} ms, routing ${tm.routing} ms, ` +
    `graph ${tm.migrations} ms, plans ${Object.keys(tm).filter(k => k.startsWith('plan:')).map(k => `${k.slice(5)} ${tm[k]} ms`).join(', ')}); ` +
    `${rep.routing.length} routing rows, ${ops} operations judged, ${(JSON.stringify(rep).length / 1e6).toFixed(1)} MB JSON`,
  );
  assert.equal(rep.routing.length, rep.models.length * 4);
});

/**
 * A copy of the example with Django's answer for it, and a Scanner as the extension's scan worker runs it (a watcher
 * reports changes, unchanged files keep their objects); `edit` types a buffer (null: takes it away) and indexes.
 */
async function afterDjangoAnswered(name: string, fn: (t: {
  dir: string; rep: DjangoReport; first: ProjectIndex; edit(file: string, text: string | null): Promise<ProjectIndex>;
}) => Promise<void>): Promise<void> {
  const { Scanner } = await import('../../src/core/scan');
  const vfs = await import('../../src/core/vfs');
  const dir = copyProject(SHOP, name);
  const rep = await report(dir, 'shop.settings');
  vfs.setTrusted(true);
  try {
    const scanner = new Scanner({ root: dir, python: VENV_PY, allowPython: false });
    const edit = async (file: string, text: string | null) => {
      vfs.setOverlay(file, text);
      scanner.invalidate(file);
      return scanner.index();
    };
    await fn({ dir, rep, first: await scanner.index(), edit });
  } finally {
    vfs.setTrusted(false);
  }
}

/**
 * The merge of an index a fresh copy of Django's answer gives, each section made whole (the copy's memo starts from
 * the merge into the first index): what a patched merge must equal.
 */
function wholeMergeOf(rep: DjangoReport, first: ProjectIndex): (i: ProjectIndex) => ProjectIndex {
  return i => {
    const copy = structuredClone(rep);
    mergeDjangoAnswer(first, copy);
    return mergeDjangoAnswer(i, copy, { whole: true }).index;
  };
}

/** Two merges agree on `keys` and on their disagreements with Django. */
function sameMerge(keys: readonly ('routing' | 'lives' | 'dbRoutes' | 'findings' | 'migrations' | 'plans')[]): (a: ProjectIndex, b: ProjectIndex, what: string) => void {
  return (a, b, what) => {
    for (const k of keys) assert.deepEqual(a[k], b[k], `${what}: ${k}`);
    assert.deepEqual(a.django?.disagreements, b.django?.disagreements, `${what}: disagreements`);
  };
}

test('the src layout: Django is asked with src/ on its path, as manage.py puts it there (etools-datamart)', { skip: skipDjango }, async () => {
  const dir = writeTree({
    'manage.py': 'import os\nimport sys\n\nif __name__ == "__main__":\n    sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
    'src/proj/__init__.py': '',
    'src/proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes", "shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'src/shop/__init__.py': '',
    'src/shop/models.py': 'from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=8)\n',
  }, 'dmdb-src-layout-');
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  // manage.py itself works
  const { DJANGO_SETTINGS_MODULE: _unset, ...env } = process.env;
  execFileSync(VENV_PY, ['-B', 'manage.py', 'check'], { cwd: dir, env, timeout: 60000 });
  const rep = await report(dir, 'proj.settings', { readDatabases: false });
  assert.ok(rep.models.some(m => m.key === 'shop.Item'));
});

test('a package folder the static reading found the settings in (NAV\'s python/, manage.py inside the package): Django is asked with it on its path', { skip: skipDjango }, async () => {
  const dir = writeTree({
    // (manage.py inside the package, as NAV's python/nav/django/manage.py: its folder is no import root of nav)
    'python/nav/django/manage.py': 'import os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nav.django.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
    'pyproject.toml': '[project]\nname = "nav"\nversion = "1"\n\n[tool.setuptools.packages.find]\nwhere = ["python"]\n',
    'python/nav/__init__.py': '',
    'python/nav/django/__init__.py': '',
    'python/nav/django/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes", "nav.web"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'python/nav/web/__init__.py': '',
    'python/nav/web/models.py': 'from django.db import models\n\n\nclass Netbox(models.Model):\n    name = models.CharField(max_length=8)\n',
  }, 'dmdb-nav-layout-');
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const index = await scanProject({ root: dir, allowPython: true, python: VENV_PY, mode: 'django', env: {}, readDatabases: false });
  assert.equal(index.settings?.path, path.join(dir, 'python/nav/django/settings.py'));
  assert.equal(index.mode?.used, 'django', index.mode?.reason ?? '');
  assert.ok(index.models.some(m => m.key === 'web.Netbox'));
});

test('a migration typed after Django answered: its static reading and its missing dependency show until Django is asked again', { skip: skipDjango }, () =>
  afterDjangoAnswered('shop-typed', async ({ dir, rep, first, edit }) => {
    const asked = mergeDjangoAnswer(first, rep).index;
    const file = path.join(dir, 'catalog', 'migrations', '0002_product_tags_is_active.py');
    const missing = (i: ProjectIndex) => i.findings.filter(f => f.code === 'missing-dependency' && f.path === file);
    assert.deepEqual(missing(asked), []);
    const text = fs.readFileSync(file, 'utf8').replace("('catalog', '0001_initial'),", "('catalog', '0001_initial'),\n        ('catalog', '9999_typed'),");
    const typed = mergeDjangoAnswer(await edit(file, text), rep).index;
    assert.equal(missing(typed).length, 1, 'the typed dependency on a migration that does not exist is reported');
    assert.ok(typed.migrations.find(m => m.key === 'catalog.0002_product_tags_is_active')!.dependencies.some(d => d[1] === '9999_typed'));
    // the other migrations are Django's rows, the very objects of the last merge
    const other = (i: ProjectIndex) => i.migrations.find(m => m.key === 'catalog.0001_initial');
    assert.equal(other(typed), other(asked));
    const undone = mergeDjangoAnswer(await edit(file, null), rep).index;
    assert.deepEqual(missing(undone), []);
    assert.deepEqual(undone.migrations.find(m => m.key === 'catalog.0002_product_tags_is_active')!.dependencies, [['catalog', '0001_initial']]);
  }));

test('merged with Django: nothing on an alias only the static reading has, but unknown-alias findings stay (they are about aliases DATABASES lacks)', { skip: skipDjango }, () =>
  afterDjangoAnswered('shop-aliases', async ({ rep, first }) => {
    const at = { path: first.settings!.path, line: 1 };
    const index: ProjectIndex = {
      ...first,
      findings: [
        ...first.findings,
        { code: 'unknown-alias', severity: 'error', ...at, alias: 'analytcs', message: 'typo' },
        { code: 'pending-migrations', severity: 'warning', ...at, alias: 'replica_0', message: 'static only' },
      ],
    };
    const merged = mergeDjangoAnswer(index, rep).index;
    assert.ok(merged.findings.some(f => f.code === 'unknown-alias' && f.alias === 'analytcs'), 'the typo is still reported');
    assert.ok(!merged.findings.some(f => f.alias === 'replica_0'), 'nothing on an alias Django does not have');
    // DATABASE_ROUTERS the static reading could not read (NAV): Django read them; neither the header's "not known
    // statically" nor the static error stays
    const unread = { ...first.settings!, unreadable: ['DATABASE_ROUTERS' as const], unknowns: [{ name: 'DATABASE_ROUTERS', reason: 'DATABASE_ROUTERS may come from x', loc: { path: at.path!, line: 1 } }] };
    const blind: ProjectIndex = { ...first, settings: unread, findings: [...first.findings, ...settingsFindings(unread)] };
    assert.ok(blind.findings.some(f => f.code === 'settings-unknown' && f.severity === 'error'));
    const seen = mergeDjangoAnswer(blind, rep).index;
    assert.equal(seen.settings?.unreadable, undefined);
    assert.deepEqual(seen.findings.filter(f => f.code === 'settings-unknown' && /DATABASE_ROUTERS/.test(f.message)), []);
  }));

test('Django asked while a migration was typed and not saved: Django read the disk, the buffer\'s reading and its missing dependency stay', { skip: skipDjango }, () =>
  // (a benchmark run in CI: a save elsewhere asked Django again while this buffer was typed; Django's answer, merged
  // first into the index holding the buffer, was taken as having seen it, and the typed dependency's error was gone)
  afterDjangoAnswered('shop-typed-before', async ({ dir, rep, edit }) => {
    const file = path.join(dir, 'catalog', 'migrations', '0002_product_tags_is_active.py');
    const missing = (i: ProjectIndex) => i.findings.filter(f => f.code === 'missing-dependency' && f.path === file);
    const text = fs.readFileSync(file, 'utf8').replace("('catalog', '0001_initial'),", "('catalog', '0001_initial'),\n        ('catalog', '9999_typed'),");
    const typed = await edit(file, text);
    // the answer is first merged into the index Django was asked about, which read the buffer
    const merged = mergeDjangoAnswer(typed, rep, { unsaved: new Set([file]) }).index;
    assert.equal(missing(merged).length, 1, 'the typed dependency on a migration that does not exist is reported');
    assert.ok(merged.migrations.find(m => m.key === 'catalog.0002_product_tags_is_active')!.dependencies.some(d => d[1] === '9999_typed'));
    assert.deepEqual(merged.django!.disagreements.filter(d => d.kind === 'migration'), [], 'no disagreement: Django read the file as saved');
    // later merges (another edit) keep it so
    const other = path.join(dir, 'catalog', 'migrations', '0001_initial.py');
    const again = mergeDjangoAnswer(await edit(other, fs.readFileSync(other, 'utf8') + '\n# typed\n'), rep).index;
    assert.equal(missing(again).length, 1);
  }));

test('a model typed after Django answered shows with its static routing; one taken away is gone; untouched files keep Django\'s rows', { skip: skipDjango }, () =>
  afterDjangoAnswered('shop-typed-model', async ({ dir, rep, first, edit }) => {
    const asked = mergeDjangoAnswer(first, rep).index;
    const models = path.join(dir, 'catalog', 'models.py');
    const model = (i: ProjectIndex, key: string) => i.models.find(m => m.key === key);
    const base = fs.readFileSync(models, 'utf8');
    // a new model, and Tag taken away, in one unsaved buffer
    const text = base.replace('class Tag(models.Model):', 'class Label(models.Model):') + '\n\nclass Typed(models.Model):\n    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE)\n';
    const typed = mergeDjangoAnswer(await edit(models, text), rep).index;
    assert.ok(model(typed, 'catalog.Typed'), 'the typed model is shown');
    assert.ok(model(typed, 'catalog.Label'));
    assert.equal(model(typed, 'catalog.Tag'), undefined, 'the model the buffer took away is gone');
    assert.deepEqual(typed.django!.disagreements.filter(d => d.kind === 'model' || d.kind === 'routing').map(d => `${d.kind} ${'model' in d ? d.model : ''}: ${d.note}`), [],
      'what the user typed is no disagreement with Django');
    // its routing: the static decisions, on every alias (the shop's routers send catalog everywhere but legacy)
    const routes = (i: ProjectIndex, key: string) => Object.fromEntries(i.routing.filter(d => d.model === key).map(d => [d.alias, d.migrate]));
    assert.deepEqual(routes(typed, 'catalog.Typed'), routes(first, 'catalog.Product'));
    assert.deepEqual(routes(typed, 'catalog.Typed'), routes(asked, 'catalog.Product'), 'as Django routes its app');
    // the other apps' models are Django's rows, the very objects of the last merge
    assert.equal(model(typed, 'orders.Order'), model(asked, 'orders.Order'));
    assert.equal(model(typed, 'orders.Order')!.table, model(asked, 'orders.Order')!.table);
    // reverted: the file as Django read it, with the model taken away back and the new one gone
    const undone = mergeDjangoAnswer(await edit(models, null), rep).index;
    assert.ok(model(undone, 'catalog.Tag'));
    assert.equal(model(undone, 'catalog.Typed'), undefined);
  }));

test('a router edit typed after Django answered: the decisions it changes show at once as the static reading has them, without disagreements; the others stay Django\'s; reverted, all Django\'s', { skip: skipDjango }, () =>
  afterDjangoAnswered('shop-typed-router', async ({ dir, rep, first, edit }) => {
    const asked = mergeDjangoAnswer(first, rep).index;
    const routers = path.join(dir, 'shop', 'routers.py');
    const row = (i: ProjectIndex, alias: string, model: string) => i.routing.find(d => d.alias === alias && d.model === model);
    assert.equal(row(asked, 'default', 'analytics.PageView')?.migrate, false, 'Django: the analytics app only on analytics');
    assert.equal(row(asked, 'default', 'analytics.PageView')?.source, 'django');
    // the analytics router no longer claims its app: it falls through to the other routers, then to "allow"
    const base = fs.readFileSync(routers, 'utf8');
    const text = base.replace('route_app_labels = {"analytics"}', 'route_app_labels = set()');
    assert.notEqual(text, base);
    const typed = mergeDjangoAnswer(await edit(routers, text), rep).index;
    const now = row(typed, 'default', 'analytics.PageView')!;
    assert.equal(now.migrate, true, 'the typed router\'s answer shows');
    assert.notEqual(now.source, 'django');
    assert.deepEqual(typed.django!.disagreements.filter(d => d.kind === 'routing'), [], 'what the user typed is no disagreement with Django');
    // a decision the edit did not change is Django's row, the very object of the last merge
    assert.equal(row(typed, 'default', 'catalog.Product'), row(asked, 'default', 'catalog.Product'));
    // a line typed above the routers changes no answer: every row is Django's
    const moved = mergeDjangoAnswer(await edit(routers, `# typed\n${base}`), rep).index;
    assert.ok(moved.routing.every(d => d.source === 'django'));
    assert.deepEqual(moved.django!.disagreements.filter(d => d.kind === 'routing'), asked.django!.disagreements.filter(d => d.kind === 'routing'));
    const undone = mergeDjangoAnswer(await edit(routers, null), rep).index;
    assert.equal(row(undone, 'default', 'analytics.PageView')?.migrate, false);
    assert.ok(undone.routing.every(d => d.source === 'django'));
  }));

test('router edits after Django answered: only the rows of the pairs they decide again are merged again, and each merge is the one a fresh copy of the answer gives', { skip: skipDjango }, () =>
  afterDjangoAnswered('shop-routing-patched', async ({ dir, rep, first, edit }) => {
    const asked = mergeDjangoAnswer(first, rep).index;
    const fresh = wholeMergeOf(rep, first);
    const same = sameMerge(['routing', 'lives', 'dbRoutes', 'findings']);
    const routers = path.join(dir, 'shop', 'routers.py');
    const base = fs.readFileSync(routers, 'utf8');
    const steps: [string, string | null][] = [
      ['the analytics router no longer claims its app', base.replace('route_app_labels = {"analytics"}', 'route_app_labels = set()')],
      ['it claims it again', base],
      ['allow_migrate\'s answer for the analytics app flipped', base.replace('return db == "analytics"', 'return db != "analytics"')],
      ['a function typed below the routers (no answer changes)', `${base}\n\ndef typed(qs):\n    return qs.using("nowhere")\n`],
      ['allow_migrate says nothing for its app', base.replace('return db == "analytics"', 'return None')],
      ['the buffer closed', null],
    ];
    let patchedRows = 0;
    for (const [what, text] of steps) {
      const index = await edit(routers, text);
      const before = MERGE_STATS.routingRowsPatched;
      const merged = mergeDjangoAnswer(index, rep).index;
      patchedRows += MERGE_STATS.routingRowsPatched - before;
      same(merged, fresh(index), what);
      // the rows of pairs whose static decision is the first index's object are the very objects of the first merge
      const firstRows = new Set(first.routing);
      const staticOf = new Map(index.routing.map(d => [`${d.alias} ${d.model}`, d]));
      const kept = merged.routing.filter(d => firstRows.has(staticOf.get(`${d.alias} ${d.model}`)!) && d.source === 'django');
      assert.ok(kept.every(d => asked.routing.includes(d)), what);
    }
    assert.ok(patchedRows > 0, 'the routing section was patched, not made whole');
    assert.ok(patchedRows < asked.routing.length * steps.length / 2, `${patchedRows} rows merged again over ${steps.length} edits of ${asked.routing.length} rows`);
  }));

test('Django asked while a router was typed and not saved: Django read the disk, the buffer\'s decisions show, without disagreements', { skip: skipDjango }, () =>
  afterDjangoAnswered('shop-router-before', async ({ dir, rep, edit }) => {
    const routers = path.join(dir, 'shop', 'routers.py');
    const row = (i: ProjectIndex, alias: string, model: string) => i.routing.find(d => d.alias === alias && d.model === model);
    const typed = await edit(routers, fs.readFileSync(routers, 'utf8').replace('route_app_labels = {"analytics"}', 'route_app_labels = set()'));
    // the answer is first merged into the index Django was asked about, which read the buffer
    const merged = mergeDjangoAnswer(typed, rep, { unsaved: new Set([routers]) }).index;
    assert.equal(row(merged, 'default', 'analytics.PageView')?.migrate, true, 'the buffer\'s answer');
    assert.deepEqual(merged.django!.disagreements.filter(d => d.kind === 'routing'), [], 'no disagreement: Django read the file as saved');
    assert.equal(row(merged, 'default', 'catalog.Product')?.source, 'django', 'where they agree, Django\'s row');
    // where queries go, likewise: the buffer's (the analytics router claims nothing: default), not Django's 'analytics'
    const read = (model: string) => merged.dbRoutes?.read.find(r => r.model === model);
    assert.equal(read('analytics.PageView')?.alias, 'default', 'the buffer\'s route');
    assert.notEqual(read('analytics.PageView')?.source, 'django');
    assert.equal(read('catalog.Product')?.source, 'django', 'where they agree, Django\'s route');
    assert.deepEqual(merged.django!.disagreements.filter(d => d.kind === 'dbRoute'), [], 'no route disagreement either');
  }));

test('a settings module that does not exist, whose package fails to import first, is said to be missing (RapidPro)', { skip: skipDjango }, async () => {
  const dir = brokenCopy('missing-settings', { 'dynsite/__init__.py': 'import dynsite_no_such_dependency_xyz  # noqa\n' });
  const r = await runDjangoHelper({ root: dir, managePy: path.join(dir, 'manage.py'), python: VENV_PY, settingsModule: 'dynsite.settings_gone', timeoutMs: 30000 });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.reason, 'settings');
  assert.match(r.message, /settings module dynsite\.settings_gone does not exist \(no dynsite\/settings_gone\.py or dynsite\/settings_gone\/__init__\.py on the path\); importing it failed first with ModuleNotFoundError: No module named 'dynsite_no_such_dependency_xyz'/);
  // an existing module whose import fails is still "cannot be loaded"
  const r2 = await runDjangoHelper({ root: dir, managePy: path.join(dir, 'manage.py'), python: VENV_PY, settingsModule: 'dynsite.settings', timeoutMs: 30000 });
  assert.equal(r2.ok, false);
  if (!r2.ok) assert.match(r2.message, /settings module dynsite\.settings cannot be loaded: ModuleNotFoundError/);
});

test('a models edit after Django answered that routing does not read (a foreign key retargeted, a line typed above): the routing rows are not merged again, and the merge is the one a fresh copy of the answer gives', { skip: skipDjango }, () =>
  afterDjangoAnswered('shop-routing-kept', async ({ dir, rep, first, edit }) => {
    const asked = mergeDjangoAnswer(first, rep).index;
    const orders = path.join(dir, 'orders', 'models.py');
    const base = fs.readFileSync(orders, 'utf8');
    assert.ok(base.includes('"catalog.Product"'));
    // the merge worked out again: a fresh copy of Django's answer, first merged into the index it was asked about (what
    // Django saw), then into `i` with copies of its routing rows (none of them the rows the last merge read)
    const fresh = (i: ProjectIndex) => {
      const copy = structuredClone(rep);
      mergeDjangoAnswer(first, copy);
      return mergeDjangoAnswer({ ...i, routing: structuredClone(i.routing) }, copy).index;
    };
    const same = (a: ProjectIndex, b: ProjectIndex) => {
      for (const k of ['models', 'routing', 'lives', 'dbRoutes', 'findings', 'migrations', 'plans'] as const) assert.deepEqual(a[k], b[k], k);
      assert.deepEqual(a.django?.disagreements, b.django?.disagreements);
    };
    const retargeted = await edit(orders, base.replace('"catalog.Product"', '"catalog.Category"'));
    const merged = mergeDjangoAnswer(retargeted, rep).index;
    same(merged, fresh(retargeted));
    assert.equal(merged.routing, asked.routing, 'the routing rows are the last merge\'s array');
    assert.ok(merged.models.find(m => m.key === 'orders.OrderLine')!.fields.some(f => f.target === 'catalog.Category'), 'the edit is merged');
    // retargeted to the legacy database's model: the cross-database finding Django's routing gives, from the relations
    // of the models edited (and those pointing to them) read again, not from every model's
    const toLegacy = await edit(orders, base.replace('"catalog.Product"', '"legacy.LegacyCustomer"'));
    const again = CROSS_DB_STATS.again;
    const mergedLegacy = mergeDjangoAnswer(toLegacy, rep).index;
    assert.equal(CROSS_DB_STATS.again, again + 1, 'the relations worked out from the last merge\'s');
    same(mergedLegacy, fresh(toLegacy));
    assert.deepEqual(mergedLegacy.findings.filter(f => f.code === 'cross-db-foreign-key' && f.model === 'orders.OrderLine').map(f => `${f.field} ${f.alias}`).sort(), ['product analytics', 'product default']);
    // every model of the file one line lower: still no routing row merged again, the models' places moved
    const typed = await edit(orders, `# typed above\n${base}`);
    const moved = mergeDjangoAnswer(typed, rep).index;
    same(moved, fresh(typed));
    assert.equal(moved.routing, asked.routing);
    assert.equal(moved.models.find(m => m.key === 'orders.Order')!.loc.line, asked.models.find(m => m.key === 'orders.Order')!.loc.line + 1);
    // a new model: its routing rows are the static ones, as a fresh merge has them
    const added = await edit(orders, `${base}\n\nclass Typed(models.Model):\n    name = models.CharField(max_length=8)\n`);
    const routingMerges = MERGE_STATS.sections.routing ?? 0;
    const withNew = mergeDjangoAnswer(added, rep).index;
    // (nor is Django's routing section worked out again: the new model's static "lives on" rows are not its input)
    assert.equal(MERGE_STATS.sections.routing ?? 0, routingMerges, 'Django\'s routing rows not merged again for a new model');
    same(withNew, fresh(added));
    assert.ok(withNew.routing.some(d => d.model === 'orders.Typed'));
    // Django's rows are the last merge's, not merged again: the new model's static rows come after them
    const firstOther = asked.routing.findIndex((d, i) => withNew.routing[i] !== d);
    assert.equal(firstOther, -1, `Django's rows kept: ${JSON.stringify(asked.routing[firstOther])} → ${JSON.stringify(withNew.routing[firstOther])}; same as after the line typed above: ${moved.routing[firstOther] === withNew.routing[firstOther]}`);
    assert.equal(withNew.routing.length, asked.routing.length + added.routing.filter(d => d.model === 'orders.Typed').length);
    // another name typed for it: the same
    const renamed = await edit(orders, `${base}\n\nclass Typed2(models.Model):\n    name = models.CharField(max_length=8)\n`);
    const withRenamed = mergeDjangoAnswer(renamed, rep).index;
    same(withRenamed, fresh(renamed));
    assert.ok(asked.routing.every((d, i) => withRenamed.routing[i] === d));
    assert.ok(!withRenamed.routing.some(d => d.model === 'orders.Typed'));
    // and taken away again
    const undone = await edit(orders, null);
    same(mergeDjangoAnswer(undone, rep).index, fresh(undone));
  }));

test('migration edits after Django answered: only the edited migrations\' rows are merged again, and each merge is the one a fresh copy of the answer gives', { skip: skipDjango }, () =>
  afterDjangoAnswered('shop-migrations-patched', async ({ dir, rep, first, edit }) => {
    const asked = mergeDjangoAnswer(first, rep).index;
    const fresh = wholeMergeOf(rep, first);
    const same = sameMerge(['migrations', 'findings', 'plans']);
    const file = path.join(dir, 'catalog', 'migrations', '0002_product_tags_is_active.py');
    const key = 'catalog.0002_product_tags_is_active';
    const original = fs.readFileSync(file, 'utf8');
    const steps: [string, string | null][] = [
      ['a dependency typed on a migration that does not exist', original.replace("('catalog', '0001_initial'),", "('catalog', '0001_initial'),\n        ('catalog', '9999_typed'),")],
      ['a comment typed (the same facts)', `# typed\n${original}`],
      ['an operation typed', original.replace('operations = [', 'operations = [\n        migrations.RunSQL("SELECT 1", migrations.RunSQL.noop),')],
      ['the buffer closed', null],
    ];
    for (const [what, text] of steps) {
      const index = await edit(file, text);
      const patched = MERGE_STATS.migrationRowsPatched;
      const merged = mergeDjangoAnswer(index, rep).index;
      assert.ok(MERGE_STATS.migrationRowsPatched - patched <= 1, `${what}: ${MERGE_STATS.migrationRowsPatched - patched} rows merged again`);
      same(merged, fresh(index), what);
      // the other migrations are the very objects of the first merge
      assert.ok(merged.migrations.every((m, i) => m.key === key || m === asked.migrations[i]), what);
    }
    assert.ok(MERGE_STATS.migrationRowsPatched > 0, 'the section was patched, not made whole');
  }));
