// The router lints of issue "Migration authoring" item 3 that need the routers evaluated: router-unknown-alias,
// router-write-no-table, router-read-no-table, router-mirror-migrates (src/core/lints/route-consistency.ts,
// src/core/lints/routers.ts). Small original projects first, then a set of router patterns from public projects
// (trimmed, self-written copies; the repository each comes from is named) with the findings a Django developer
// would expect, for precision and recall. Real Django checks the routes themselves in db-routes-oracle.test.ts.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Scanner, toReport } from '../../src/core/scan';
import { setOverlay } from '../../src/core/vfs';
import type { Finding } from '../../src/core/types';
import { writeTree } from './support';
import { APP_ROUTER, MAP_ROUTER, MIRROR, PRIMARY_REPLICA, db, settingsPy } from './router-patterns';

const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const CODES = new Set(['router-unknown-alias', 'router-write-no-table', 'router-read-no-table', 'router-mirror-migrates']);

function project(files: Record<string, string>): string {
  const dir = writeTree({ 'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n', 'proj/__init__.py': '', ...files }, 'dmdb-routerlints-');
  dirs.push(dir);
  return dir;
}

async function lint(dir: string): Promise<Finding[]> {
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  return index.findings.filter(f => CODES.has(f.code));
}

const settings = (apps: string[], dbs: Record<string, string>, routers: string[], extra = '') => settingsPy(apps, dbs, routers, extra);
/** apps with one managed model each (`Name` from the label), or the given models source */
function apps(spec: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, models] of Object.entries(spec)) {
    const name = label.replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase());
    out[`${label}/__init__.py`] = '';
    out[`${label}/models.py`] = `from django.db import models\n\n\n${models ?? `class ${name}Record(models.Model):\n    n = models.IntegerField()\n`}`;
  }
  return out;
}
const lineOf = (text: string, needle: string) => text.split('\n').findIndex(l => l.includes(needle)) + 1;

function applyFix(file: string, f: Finding): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (const e of [...f.fix!.edits].reverse()) {
    assert.equal(e.line, e.endLine);
    const l = lines[e.line - 1]!;
    lines[e.line - 1] = l.slice(0, e.col) + e.text + l.slice(e.endCol);
  }
  fs.writeFileSync(file, lines.join('\n'));
}

describe('router-unknown-alias: aliases routers return or compare db with that DATABASES lacks', () => {
  const ROUTER = `from django.conf import settings


class AnalyticsRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "analytics":
            return 'analytcs'
        return None

    def db_for_write(self, model, **hints):
        if model._meta.app_label == "analytics":
            return settings.ANALYTICS_WRITE
        return "replica" if "replica" in settings.DATABASES else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "analytics":
            return db == "analytcs"
        if db in ("reportz", "replica"):
            return False
        return None
`;
  test('evaluated answers, a settings value, comparisons in allow_migrate; the quick fix replaces the literal', async () => {
    const dir = project({
      'proj/settings.py': settings(['analytics', 'reports'], { default: db('d'), analytics: db('a'), reports: db('r') }, ['proj.routers.AnalyticsRouter'], 'ANALYTICS_WRITE = "analytic"\n'),
      'proj/routers.py': ROUTER,
      ...apps({ analytics: null, reports: null }),
    });
    const file = path.join(dir, 'proj', 'routers.py');
    const found = (await lint(dir)).filter(f => f.code === 'router-unknown-alias');
    const at = (needle: string) => found.find(f => f.line === lineOf(ROUTER, needle));
    assert.equal(found.length, 4, found.map(f => f.message).join('\n'));
    const read = at("return 'analytcs'")!;
    assert.equal(read.severity, 'error');
    assert.match(read.message, /'analytcs' \(returned by proj\.routers\.AnalyticsRouter\.db_for_read for analytics\.AnalyticsRecord\).*ConnectionDoesNotExist.*Did you mean 'analytics'\?/);
    assert.deepEqual(read.fix?.edits.map(e => e.text), ["'analytics'"], 'the fix keeps the quotes');
    // the alias comes from settings: reported where the router returns it, nothing to replace there
    const write = at('return settings.ANALYTICS_WRITE')!;
    assert.match(write.message, /'analytic'.*Did you mean 'analytics'/);
    assert.equal(write.fix, undefined);
    assert.match(at('return db == "analytcs"')!.message, /compared with db in proj\.routers\.AnalyticsRouter\.allow_migrate.*never matches/);
    // a comparison that never matches breaks nothing by itself: a warning
    assert.equal(at('return db == "analytcs"')!.severity, 'warning');
    assert.match(at('"reportz"')!.message, /'reportz'.*Did you mean 'reports'/);
    // 'replica' is behind `in settings.DATABASES` (dead here) and one typo from no alias: not reported
    assert.ok(!found.some(f => f.alias === 'replica'));
    for (const f of found.filter(x => x.fix)) applyFix(file, f);
    const after = (await lint(dir)).filter(f => f.code === 'router-unknown-alias');
    assert.deepEqual(after.map(f => f.alias), ['analytic'], 'every literal fixed; the settings value remains');
    assert.match(fs.readFileSync(file, 'utf8'), /return 'analytics'\n[\s\S]*db == "analytics"[\s\S]*\("reports", "replica"\)/);
  });

  test("an optional alias of the same family ('timeseries_read' beside 'timeseries', codecov) is not a typo: no finding, no fix", async () => {
    const router = 'class DatabaseRouter:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if db == "timeseries_read" or db == "default_read":\n            return False\n        if app_label == "timeseries":\n            return db == "timeseries"\n        return db == "default"\n';
    const dir = project({
      'proj/settings.py': settings(['timeseries'], { default: db('d'), timeseries: db('t') }, ['proj.routers.DatabaseRouter']),
      'proj/routers.py': router,
      ...apps({ timeseries: null }),
    });
    assert.deepEqual((await lint(dir)).filter(f => f.code === 'router-unknown-alias'), []);
  });

  test('nothing when DATABASES is not fully known', async () => {
    const dir = project({
      'proj/settings.py': 'import os\n' + settings(['analytics', 'reports'], { default: db('d'), analytics: db('a') }, ['proj.routers.AnalyticsRouter'], 'ANALYTICS_WRITE = "analytics"\n') +
        'DATABASES.update(os.environ.get("EXTRA_DBS"))\n',
      'proj/routers.py': ROUTER,
      ...apps({ analytics: null, reports: null }),
    });
    assert.deepEqual((await lint(dir)).filter(f => f.code === 'router-unknown-alias'), []);
  });
});

describe('router-write-no-table / router-read-no-table', () => {
  const ROUTER = `class AnalyticsRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "analytics":
            return "analytics"
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "analytics":
            return db == "analytics"
        return None
`;
  const ANALYTICS = `class Event(models.Model):
    n = models.IntegerField()


class EventProxy(Event):
    class Meta:
        proxy = True


class Daily(models.Model):
    n = models.IntegerField()

    class Meta:
        managed = False
`;
  test("a replica chosen by a helper of another module (plane's request_scope): the finding is at the router's line, not the helper's", async () => {
    const router = 'from proj.scope import should_use_read_replica\n\n\nclass ReadReplicaRouter:\n    def db_for_read(self, model, **hints):\n        if should_use_read_replica():\n            return "replica"\n        return "default"\n\n    def db_for_write(self, model, **hints):\n        return "default"\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default"\n';
    const dir = project({
      'proj/settings.py': settings(['shop'], { default: db('default'), replica: db('replica') }, ['proj.routers.ReadReplicaRouter']),
      'proj/routers.py': router,
      'proj/scope.py': 'import threading\n_ctx = threading.local()\n\n\ndef should_use_read_replica():\n    return getattr(_ctx, "use_read_replica", False)\n',
      ...apps({ shop: null }),
    });
    const found = (await lint(dir)).filter(f => f.code === 'router-read-no-table');
    assert.equal(found.length, 1);
    assert.equal(path.basename(found[0]!.path!), 'routers.py');
    assert.equal(found[0]!.line, lineOf(router, 'return "replica"'));
  });

  test('no db_for_write: writes fall through to default while allow_migrate keeps the app off it (model, proxy, router line)', async () => {
    const dir = project({
      'proj/settings.py': settings(['shop', 'analytics'], { default: db('d'), analytics: db('a') }, ['proj.routers.AnalyticsRouter']),
      'proj/routers.py': ROUTER,
      ...apps({ shop: null, analytics: ANALYTICS }),
    });
    const found = await lint(dir);
    assert.ok(found.every(f => f.code === 'router-write-no-table' && f.severity === 'warning'), found.map(f => f.message).join('\n'));
    const models = path.join(dir, 'analytics', 'models.py');
    const text = fs.readFileSync(models, 'utf8');
    assert.deepEqual(found.filter(f => f.model).map(f => [f.model, f.path, f.line, f.alias]), [
      ['analytics.Event', models, lineOf(text, 'class Event('), 'default'],
      ['analytics.EventProxy', models, lineOf(text, 'class EventProxy'), 'default'],
    ], 'the unmanaged model is not reported');
    assert.match(found[0]!.message, /Writes to analytics\.Event go to 'default', where its table is never created \(migrations create it on 'analytics'\): no router's db_for_write chooses a database.*AnalyticsRouter\.allow_migrate keeps analytics\.Event off 'default'/);
    assert.match(found[1]!.message, /the table of analytics\.Event is never created/);
    const line = found.filter(f => !f.model);
    assert.equal(line.length, 1);
    assert.deepEqual([line[0]!.path, line[0]!.line], [path.join(dir, 'proj', 'routers.py'), lineOf(ROUTER, 'return db == "analytics"')]);
    assert.match(line[0]!.message, /No router's db_for_write chooses a database for analytics\.Event, analytics\.EventProxy, so Django uses 'default'/);
  });

  test('edits: a kept scanner gives what a fresh one does, and keeps the findings of routes nothing touched', async () => {
    const dir = project({
      'proj/settings.py': settings(['shop', 'analytics', 'metrics'], { default: db('d'), analytics: db('a') }, ['proj.routers.AnalyticsRouter']),
      'proj/routers.py': ROUTER.replaceAll('app_label == "analytics"', 'app_label in ("analytics", "metrics")').replaceAll('model._meta.app_label == "analytics"', 'model._meta.app_label in ("analytics", "metrics")'),
      ...apps({ shop: null, analytics: ANALYTICS, metrics: null }),
    });
    const scanner = new Scanner({ root: dir, allowPython: false, env: {} });
    const kept = (await scanner.index()).findings.filter(f => CODES.has(f.code));
    assert.deepEqual(kept.filter(f => f.model).map(f => f.model), ['analytics.Event', 'analytics.EventProxy', 'metrics.MetricsRecord']);
    try {
      // a new model in metrics: its own finding, the router line's names it, the others' findings are the same objects
      const metrics = path.join(dir, 'metrics', 'models.py');
      setOverlay(metrics, fs.readFileSync(metrics, 'utf8') + '\n\nclass Sample(models.Model):\n    n = models.IntegerField()\n');
      const after = (await scanner.index()).findings.filter(f => CODES.has(f.code));
      assert.deepEqual(after, await lint(dir));
      assert.deepEqual(after.filter(f => f.model).map(f => f.model), ['analytics.Event', 'analytics.EventProxy', 'metrics.MetricsRecord', 'metrics.Sample']);
      for (const f of kept.filter(f => f.model)) assert.ok(after.includes(f), `kept: ${f.model}`);
      // allow_migrate lets metrics migrate on default too: its findings go, the analytics ones stay
      const routers = path.join(dir, 'proj', 'routers.py');
      setOverlay(routers, fs.readFileSync(routers, 'utf8').replace('if app_label in ("analytics", "metrics"):', 'if app_label == "metrics":\n            return True\n        if app_label in ("analytics", "metrics"):'));
      const routed = (await scanner.index()).findings.filter(f => CODES.has(f.code));
      assert.deepEqual(routed, await lint(dir));
      assert.deepEqual(routed.filter(f => f.model).map(f => f.model), ['analytics.Event', 'analytics.EventProxy']);
    } finally {
      setOverlay(path.join(dir, 'metrics', 'models.py'), null);
      setOverlay(path.join(dir, 'proj', 'routers.py'), null);
    }
  });

  test('consistent routers, a legacy app migrated nowhere, the same SQLite file under two aliases, unknown routing: nothing', async () => {
    const consistent = ROUTER.replace('    def allow_migrate', '    db_for_write = db_for_read\n\n    def allow_migrate');
    const legacy = `class LegacyRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "legacy":
            return "legacy"
        return None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "legacy":
            return False
        return None


class SameFileRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "shop":
            return "shop_rw"
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "shop":
            return db == "default"
        return None


class MoodRouter:
    def db_for_write(self, model, **hints):
        if model._meta.app_label == "moody":
            return "analytics"
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "moody":
            import random
            return random.random() > 0.5
        return None
`;
    const dir = project({
      'proj/settings.py': settings(['shop', 'analytics', 'legacy', 'moody'], { default: db('d'), analytics: db('a'), legacy: db('l'), shop_rw: db('d') },
        ['proj.routers.AnalyticsRouter', 'proj.routers.LegacyRouter', 'proj.routers.SameFileRouter', 'proj.routers.MoodRouter']),
      'proj/routers.py': consistent + '\n\n' + legacy,
      ...apps({ shop: null, analytics: ANALYTICS, legacy: null, moody: null }),
    });
    assert.deepEqual((await lint(dir)).map(f => f.message), []);
  });

  test('reads from a replica that is not declared as one: one finding on the router line, with the TEST MIRROR advice', async () => {
    const router = `class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
`;
    const files = (mirror: string) => ({
      'proj/settings.py': settings(['shop', 'blog'], { default: db('d'), replica: db('r', mirror) }, ['proj.routers.PrimaryReplicaRouter']),
      'proj/routers.py': router,
      ...apps({ shop: null, blog: null }),
    });
    const found = await lint(project(files('')));
    assert.equal(found.length, 1, found.map(f => f.message).join('\n'));
    assert.equal(found[0]!.code, 'router-read-no-table');
    assert.equal(found[0]!.line, lineOf(router, 'return "replica"'));
    assert.match(found[0]!.message, /sends 2 models to 'replica', where migrations create no table at all.*"TEST": \{"MIRROR": "default"\}/);
    // declared: the replica mirrors default, which has the tables (and allow_migrate keeps it off the mirror)
    assert.deepEqual(await lint(project(files(', "TEST": {"MIRROR": "default"}'))), []);
  });
});

describe('router-mirror-migrates', () => {
  const router = (migrate: string) => `class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        ${migrate}
`;
  const files = (migrate: string, replicaName = 'r', routers = ['proj.routers.PrimaryReplicaRouter']) => ({
    'proj/settings.py': settings(['shop'], { default: db('d'), replica: db(replicaName, ', "TEST": {"MIRROR": "default"}') }, routers),
    'proj/routers.py': router(migrate),
    ...apps({ shop: null }),
  });
  test('a router that returns True for the mirror: on its return line', async () => {
    const found = await lint(project(files('return True')));
    assert.deepEqual(found.map(f => [f.code, f.alias, f.line]), [['router-mirror-migrates', 'replica', lineOf(router('return True'), 'return True')]]);
    assert.match(found[0]!.message, /'replica' mirrors 'default' \(TEST\["MIRROR"\]\) but allow_migrate lets a model migrate there \(proj\.routers\.PrimaryReplicaRouter returns True\): shop\.ShopRecord\. migrate --database=replica would run DDL/);
  });
  test('every router falls through (Django migrates by default): on the alias in DATABASES', async () => {
    const dir = project(files('return None'));
    const found = await lint(dir);
    assert.deepEqual(found.map(f => [f.code, f.path, f.line]), [['router-mirror-migrates', path.join(dir, 'proj', 'settings.py'), 4]]);
    assert.match(found[0]!.message, /every router returns None, so Django migrates by default/);
  });
  test('no routers at all (course-discovery\'s read_replica): Django migrates every model there too', async () => {
    const dir = project(files('return None', 'r', []));
    const found = await lint(dir);
    assert.deepEqual(found.map(f => [f.code, f.alias, f.path, f.line]), [['router-mirror-migrates', 'replica', path.join(dir, 'proj', 'settings.py'), 4]]);
    assert.match(found[0]!.message, /there are no DATABASE_ROUTERS, so Django migrates every model on every database.*a router whose allow_migrate returns False for 'replica' prevents it/);
    // the same physical database under two aliases: nothing
    assert.deepEqual(await lint(project(files('return None', 'd', []))), []);
  });
  test('not when allow_migrate keeps it off, nor for the same physical database under two aliases (Saleor)', async () => {
    assert.deepEqual(await lint(project(files('return db == "default"'))), []);
    // the replica's NAME is the primary's: one django_migrations, migrating it migrates nothing twice
    assert.deepEqual(await lint(project(files('return None', 'd'))), []);
  });
});

test('scan --json: dbRoutes, one row per model with where reads and writes go', async () => {
  const dir = project({
    'proj/settings.py': settings(['shop'], { default: db('d'), replica: db('r', ', "TEST": {"MIRROR": "default"}') }, ['proj.routers.R']),
    'proj/routers.py': 'class R:\n    def db_for_read(self, model, **hints):\n        return "replica"\n',
    ...apps({ shop: null }),
  });
  const report = toReport(await new Scanner({ root: dir, allowPython: false, env: {} }).index());
  assert.deepEqual(report.dbRoutes, [{
    model: 'shop.ShopRecord',
    read: { alias: 'replica', decidedBy: 'proj.routers.R', reason: 'router', path: 'proj/routers.py', line: 3 },
    write: { alias: 'default', decidedBy: null, reason: 'default' },
  }]);
});

// ---- real router patterns: precision and recall -----------------------------------------------------------
// Each router is a trimmed, self-written copy of one found in a public repository (named), with settings of the
// shape that project uses. `expect` is what a Django developer would want reported, as "code subject" (subject:
// the model of a per-model finding, else the alias). The router-line companions of per-model findings are not
// counted. Variants marked "seeded" add the typo or drop the declaration the fixed version has.

interface RealCase { name: string; dbs: Record<string, string>; apps: Record<string, string | null>; router: string; routers?: string[]; expect: string[] }

const REAL: RealCase[] = [
  { name: 'zfz-725/alaz_backend (replica declared)', dbs: { default: db('d'), read_replica: db('r', MIRROR('default')) }, apps: { shop: null },
    router: PRIMARY_REPLICA('return "read_replica" if "read_replica" in settings.DATABASES else "default"', 'return "default"', 'return db == "default"'), expect: [] },
  { name: 'zfz-725/alaz_backend (replica not declared)', dbs: { default: db('d'), read_replica: db('r') }, apps: { shop: null },
    router: PRIMARY_REPLICA('return "read_replica" if "read_replica" in settings.DATABASES else "default"', 'return "default"', 'return db == "default"'), expect: ['router-read-no-table read_replica'] },
  { name: 'zfz-725/alaz_backend (settings without a replica)', dbs: { default: db('d') }, apps: { shop: null },
    router: PRIMARY_REPLICA('return "read_replica" if "read_replica" in settings.DATABASES else "default"', 'return "default"', 'return db == "default"'), expect: [] },
  { name: 'roberto-fernandino/enem10x', dbs: { default: db('d'), replica: db('r', MIRROR('default')) }, apps: { shop: null },
    router: PRIMARY_REPLICA('return "replica"', 'return "default"', "return db == 'default'"), expect: [] },
  { name: 'MateuszLogon/TimeScheduler', dbs: { default: db('d'), 'db-primary': db('p'), 'db-replica': db('r') }, apps: { shop: null },
    router: PRIMARY_REPLICA('return "db-replica"', 'return "db-primary"', 'return True'), expect: [] },
  { name: 'k0nsta/django_drf_pg_cluster (replica declared, migrated anyway)', dbs: { default: db('d'), master: db('m'), replica: db('r', MIRROR('master')) }, apps: { shop: null },
    router: PRIMARY_REPLICA("return 'replica'", "return 'master'", 'return True'), expect: ['router-mirror-migrates replica'] },
  { name: 'psgpyc/ecommerceDjangoAPI', dbs: { default: db('d'), django_db: db('dj') }, apps: { auth_like: null, shop: null },
    router: APP_ROUTER('{"admin", "auth_like", "contenttypes", "sessions"}', 'django_db'), expect: [] },
  { name: 'PGScatalog/PGS_Catalog', dbs: { default: db('d'), curation_tracker: db('c') }, apps: { curation_tracker: null, catalog: null },
    router: APP_ROUTER("{'auth', 'contenttypes', 'sessions', 'admin', 'curation_tracker'}", 'curation_tracker'), expect: [] },
  { name: 'hospitalityclub/hc-django', dbs: { default: db('d'), legacy: db('l') }, apps: { hcolddata: null, hc: null },
    router: APP_ROUTER("{'hcolddata'}", 'legacy'), expect: [] },
  { name: 'youmor1st/django LogRouter', dbs: { default: db('d'), dblog: db('l') }, apps: { logs: null, resume: null },
    router: APP_ROUTER("{'logs'}", 'dblog'), expect: [] },
  { name: 'youmor1st/django LogRouter (seeded typo in db_for_*)', dbs: { default: db('d'), dblog: db('l') }, apps: { logs: null, resume: null },
    router: APP_ROUTER("{'logs'}", 'dblg', { migrate: 'return db == "dblog"' }), expect: ['router-unknown-alias dblg'] },
  { name: 'youmor1st/django LogRouter (seeded typo in allow_migrate)', dbs: { default: db('d'), dblog: db('l') }, apps: { logs: null, resume: null },
    router: APP_ROUTER("{'logs'}", 'dblog', { migrate: 'return db == "dblogs"' }), expect: ['router-unknown-alias dblogs'] },
  { name: 'kaapstorm/clubbable LegacyDbRouter (managed models of a legacy database)', dbs: { default: db('d'), legacy: db('l') }, apps: { import_legacy: null, club: null },
    router: APP_ROUTER("{'import_legacy'}", 'legacy', { migrate: 'return False' }), expect: [] },
  { name: 'legacy → core router without db_for_write', dbs: { default: db('d'), core: db('c') }, apps: { legacy: null, site: null },
    router: APP_ROUTER("{'legacy'}", 'core', { write: false }), expect: ['router-write-no-table legacy.LegacyRecord'] },
  { name: 'legacy → core router, db_for_write added', dbs: { default: db('d'), core: db('c') }, apps: { legacy: null, site: null },
    router: APP_ROUTER("{'legacy'}", 'core'), expect: [] },
  { name: 'read-only warehouse: db_for_write returns False, allow_migrate False (ETL tables)', dbs: { default: db('d'), project_dss: db('dss') }, apps: { analytics: null, shop: null },
    router: APP_ROUTER("{'analytics'}", 'project_dss', { migrate: 'return False' }).replace(/(def db_for_write[\s\S]*?)return "project_dss"/, '$1return False'), expect: [] },
  { name: 'HE-Arc/neurona', dbs: { default: db('d'), logs: db('l') }, apps: { neuronaLogs: null, api: null },
    router: APP_ROUTER("{'neuronaLogs'}", 'logs').replace(/return None\n\n    def db_for_write/, 'return "default"\n\n    def db_for_write'), expect: [] },
  { name: 'shyaminnowave/sentriQA', dbs: { default: db('d'), core: db('c') }, apps: { core: null, qa: null },
    router: MAP_ROUTER('DatabaseRouter', '{"core": "core"}'), expect: [] },
  { name: 'saleor/saleor PrimaryReplicaRouter + an analytics app router behind it', dbs: { default: db('d'), analytics: db('a') }, apps: { analytics: null, shop: null },
    routers: ['proj.routers.PrimaryReplicaRouter', 'proj.routers.AppRouter'],
    router: `from django.conf import settings


class PrimaryReplicaRouter:
    def db_for_write(self, model, **hints):
        return settings.DATABASE_CONNECTION_DEFAULT_NAME


` + APP_ROUTER("{'analytics'}", 'analytics'), expect: ['router-write-no-table analytics.AnalyticsRecord'] },
  { name: 'jeckonia49/electionsv1 (allow_migrate returns the alias string: migrates everywhere)', dbs: { default: db('d'), auth: db('a') }, apps: { accounts: null, polls: null },
    router: APP_ROUTER("{'accounts'}", 'auth', { migrate: 'return "auth"' }), expect: [] },
];

describe('real router patterns', () => {
  test('precision and recall of the router lints', async () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const misses: string[] = [];
    for (const c of REAL) {
      const dir = project({
        'proj/settings.py': settings(Object.keys(c.apps), c.dbs, c.routers ?? [c.router.match(/^class (\w+)/m)![1]!].map(n => `proj.routers.${n}`), 'DATABASE_CONNECTION_DEFAULT_NAME = "default"\n'),
        'proj/routers.py': c.router,
        ...apps(c.apps),
      });
      const found = await lint(dir);
      const companion = (f: Finding) => (f.code === 'router-write-no-table' || f.code === 'router-read-no-table') && !f.model && !/no table at all/.test(f.message);
      const got = new Set(found.filter(f => !companion(f)).map(f => `${f.code} ${f.model ?? f.alias}`));
      const want = new Set(c.expect);
      for (const g of got) if (want.has(g)) tp++; else { fp++; misses.push(`FP ${c.name}: ${g}`); }
      for (const w of want) if (!got.has(w)) { fn++; misses.push(`FN ${c.name}: ${w}`); }
      // a per-model finding always comes with its router line
      for (const f of found.filter(x => x.model)) assert.ok(found.some(x => companion(x) && x.code === f.code && x.alias === f.alias), `${c.name}: router line of ${f.message}`);
    }
    const precision = tp / (tp + fp || 1);
    const recall = tp / (tp + fn || 1);
    console.log(`router lints on ${REAL.length} real router patterns: ${tp} TP, ${fp} FP, ${fn} FN; precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)}`);
    assert.deepEqual(misses, []);
    assert.ok(precision >= 0.95 && recall >= 0.9);
  });
});
