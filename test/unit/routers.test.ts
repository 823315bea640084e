import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { initPython } from '../../src/core/python/parse';
import { ModuleIndex } from '../../src/core/python/modules';
import { loadSettings } from '../../src/core/settings';
import { evaluateRouting } from '../../src/core/routers';
import type { ModelInfo, SettingsInfo } from '../../src/core/types';
import { writeTree } from './support';

function model(dir: string, app: string, name: string, extra: Partial<ModelInfo> = {}): ModelInfo {
  return {
    app, name, key: `${app}.${name}`, managed: true, proxy: false, abstract: false, swapped: false, table: `${app}_${name.toLowerCase()}`,
    modelName: name.toLowerCase(), loc: { path: path.join(dir, app, 'models.py'), line: 2 }, bases: [], fields: [], attrs: {}, meta: {}, ...extra,
  };
}

function setup(files: Record<string, string>, routers: string[], aliases = ['default', 'other']): { dir: string; index: ModuleIndex; settings: SettingsInfo } {
  const dir = project({
    'proj/__init__.py': '',
    'proj/settings.py': `DATABASES = {${aliases.map(a => `"${a}": {"ENGINE": "django.db.backends.sqlite3", "NAME": "${a}.db"}`).join(', ')}}\nDATABASE_ROUTERS = ${JSON.stringify(routers)}\nSPECIAL_DB = "other"\n`,
    ...files,
  });
  const index = new ModuleIndex([dir]);
  return { dir, index, settings: loadSettings(index, 'proj.settings', {}) };
}

const project = (files: Record<string, string>) => writeTree(files, 'dmdb-routers-');

before(async () => {
  await initPython();
});

describe('evaluateRouting', () => {
  test('no routers with this environment (DATABASE_ROUTERS from an unset variable): the explanation says so', () => {
    const dir = project({
      'proj/__init__.py': '',
      'proj/settings.py': 'import os\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.db"}}\nDATABASE_ROUTERS = [r for r in os.environ.get("APP_ROUTERS", "").split(",") if r]\n',
    });
    const index = new ModuleIndex([dir]);
    const [d] = evaluateRouting(index, loadSettings(index, 'proj.settings', {}), [model(dir, 'data', 'Office')], ['default']).decisions;
    assert.deepEqual([d!.migrate, d!.reason], [true, 'default']);
    assert.equal(d!.explanation, 'no DATABASE_ROUTERS with this environment (it reads APP_ROUTERS, not set here): Django migrates every model on every database');
  });

  test('two DATABASE_ROUTERS objects of one class (a router factory\'s): each explanation names its entry', () => {
    // (etools-datamart: router_factory("etools", ["etools"]) and router_factory("prp", ["source_prp"]) both made
    // "InnerRouter.allow_migrate returned False at libs/dbrouter.py:41", naming neither)
    const dir = project({
      'proj/__init__.py': '',
      'proj/dbrouter.py': 'def router_factory(db_name, app_list):\n    class InnerRouter:\n        def allow_migrate(self, db, app_label, model_name=None, **hints):\n            if db == db_name:\n                return app_label in app_list\n            return None\n\n    return InnerRouter()\n',
      'proj/settings.py': 'from proj.dbrouter import router_factory\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.db"}, "etools": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.db"}, "prp": {"ENGINE": "django.db.backends.sqlite3", "NAME": "c.db"}}\nDATABASE_ROUTERS = [router_factory("etools", ["etools"]), router_factory("prp", ["prp"])]\n',
    });
    const index = new ModuleIndex([dir]);
    const r = evaluateRouting(index, loadSettings(index, 'proj.settings', {}), [model(dir, 'data', 'Office')], ['default', 'etools', 'prp']);
    const why = (alias: string) => r.decisions.find(d => d.alias === alias)!;
    assert.deepEqual(['etools', 'prp'].map(a => [why(a).migrate, why(a).decidedBy]), [[false, 'proj.dbrouter.InnerRouter'], [false, 'proj.dbrouter.InnerRouter']]);
    assert.match(why('etools').explanation!, /^InnerRouter \(DATABASE_ROUTERS\[0\]\)\.allow_migrate returned False at proj\/dbrouter\.py:5/);
    assert.match(why('prp').explanation!, /^InnerRouter \(DATABASE_ROUTERS\[1\]\)\.allow_migrate returned False at proj\/dbrouter\.py:5/);
    assert.equal(why('default').reason, 'default');
  });

  test('model flags short-circuit; routers without allow_migrate are skipped (bases in other modules too)', () => {
    const { dir, index, settings } = setup({
      'proj/base.py': 'class Mixin:\n    def allow_migrate(self, db, app_label, **hints):\n        if app_label == "a":\n            return db == "other"\n',
      'proj/routers.py': 'from .base import Mixin\nclass ReadOnly:\n    def db_for_read(self, model, **hints):\n        return "other"\nclass R(Mixin):\n    pass\n',
    }, ['proj.routers.ReadOnly', 'proj.routers.R']);
    const models = [
      model(dir, 'a', 'X'), model(dir, 'b', 'Y'), model(dir, 'a', 'P', { proxy: true }), model(dir, 'a', 'U', { managed: false }),
      model(dir, 'auth', 'User', { swapped: true, swappedFor: 'a.X' }), model(dir, 'a', 'Abs', { abstract: true }),
    ];
    const r = evaluateRouting(index, settings, models, ['default', 'other']);
    const got = r.decisions.map(d => `${d.alias} ${d.model} ${d.migrate} ${d.reason} ${d.decidedBy}`);
    assert.deepEqual(got, [
      'default a.X false router proj.routers.R', 'default b.Y true default null', 'default a.P false proxy null',
      'default a.U false unmanaged null', 'default auth.User false swapped null',
      'other a.X true router proj.routers.R', 'other b.Y true default null', 'other a.P false proxy null',
      'other a.U false unmanaged null', 'other auth.User false swapped null',
    ]);
    const x = r.decisions.find(d => d.alias === 'other' && d.model === 'a.X')!;
    assert.equal(x.loc?.path, path.join(dir, 'proj', 'base.py'));
    assert.equal(x.loc?.line, 4);
    assert.match(x.explanation!, /R\.allow_migrate returned True at proj\/base\.py:4/);
    assert.equal(r.routerLocs['proj.routers.R']?.allowMigrate?.line, 2);
    assert.equal(r.routerLocs['proj.routers.R']?.cls?.line, 5);
  });

  test('an unresolvable router: problems, and unknown only where no earlier router decided', () => {
    const { dir, index, settings } = setup({
      'proj/routers.py': 'class First:\n    def allow_migrate(self, db, app_label, **hints):\n        if app_label == "a":\n            return True\n',
    }, ['proj.routers.First', 'proj.missing.Router']);
    const r = evaluateRouting(index, settings, [model(dir, 'a', 'X'), model(dir, 'b', 'Y')], ['default']);
    assert.equal(r.decisions[0]!.migrate, true);
    assert.equal(r.decisions[1]!.migrate, null);
    assert.equal(r.decisions[1]!.reason, 'unknown');
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]!.router, 'proj.missing.Router');
  });

  test('settings, __init__ state, model attributes, falsy non-None answers', () => {
    const { dir, index, settings } = setup({
      'proj/routers.py': `
from django.conf import settings
class R:
    def __init__(self):
        self.special = settings.SPECIAL_DB
        self.extra = getattr(settings, "NOT_SET_ANYWHERE", {"x": "default"})
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        m = hints["model"]
        target = getattr(m, "target_db", None) or self.extra.get(app_label)
        if target:
            return db == target
        if m._meta.db_table.startswith("legacy_"):
            return db == self.special
        if model_name.endswith("log"):
            return 0
        return None
`,
    }, ['proj.routers.R']);
    const models = [
      model(dir, 'x', 'A'), model(dir, 'y', 'B', { attrs: { target_db: 'other' } }), model(dir, 'y', 'C', { table: 'legacy_c', loc: { path: path.join(dir, 'y', 'models.py'), line: 4 } }),
      model(dir, 'y', 'AuditLog', { loc: { path: path.join(dir, 'y', 'models.py'), line: 6 } }), model(dir, 'y', 'Plain', { loc: { path: path.join(dir, 'y', 'models.py'), line: 8 } }),
    ];
    for (const d of ['x', 'y']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.writeFileSync(path.join(dir, 'x', 'models.py'), 'from django.db import models\nclass A(models.Model):\n    name = models.CharField(max_length=3)\n');
    fs.writeFileSync(path.join(dir, 'y', 'models.py'), 'from django.db import models\nclass B(models.Model):\n    target_db = "other"\nclass C(models.Model):\n    pass\nclass AuditLog(models.Model):\n    pass\nclass Plain(models.Model):\n    pass\n');
    const r = evaluateRouting(index, settings, models, ['default', 'other']);
    const got = Object.fromEntries(r.decisions.map(d => [`${d.alias} ${d.model}`, d.migrate]));
    assert.deepEqual(got, {
      'default x.A': true, 'default y.B': false, 'default y.C': false, 'default y.AuditLog': false, 'default y.Plain': true,
      'other x.A': false, 'other y.B': true, 'other y.C': true, 'other y.AuditLog': false, 'other y.Plain': true,
    });
  });

  test('unknown conditions: same answer on both branches stays known, different answers are unknown with a reason', () => {
    const { dir, index, settings } = setup({
      'proj/routers.py': `
from django.db import connections
import somewhere_unknown
class R:
    def allow_migrate(self, db, app_label, **hints):
        if app_label == "same":
            if connections[db].vendor == "postgresql":
                return False
            return False
        if app_label == "diff":
            return connections[db].vendor == "postgresql"
        if app_label == "call":
            return somewhere_unknown.check(db)
        return None
`,
    }, ['proj.routers.R']);
    // the module import fails (ImportError at top level) → the names it binds are unknown
    const r = evaluateRouting(index, settings, [model(dir, 'same', 'A'), model(dir, 'diff', 'B'), model(dir, 'plain', 'C')], ['default']);
    const [same, diff, plain] = r.decisions;
    assert.equal(same!.migrate, false);
    assert.equal(diff!.migrate, null);
    assert.match(diff!.explanation!, /connections\[/);
    assert.equal(diff!.loc?.line, 11);
    assert.equal(plain!.migrate, true);
  });

  test('1,500 models × 4 aliases × 3 routers (figure printed)', () => {
    const { dir, index, settings } = setup({
      'proj/routers.py': `
APPS = {"a0", "a1"}
class A:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in APPS:
            return db == "d1"
        return None
class B:
    route = {"a2": "d2", "a3": "d3"}
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        model = hints.get("model")
        target = self.route.get(model._meta.app_label)
        if target is not None:
            return db == target
class C:
    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
`,
    }, ['proj.routers.A', 'proj.routers.B', 'proj.routers.C'], ['default', 'd1', 'd2', 'd3']);
    const models: ModelInfo[] = [];
    for (let i = 0; i < 1500; i++) models.push(model(dir, `a${i % 30}`, `M${i}`));
    evaluateRouting(index, settings, models, ['default', 'd1', 'd2', 'd3']); // JIT warm-up (its own cache)
    // each attempt starts cold (a fresh SettingsInfo = fresh router caches); the best of 3 rules out machine noise
    let best = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      const fresh = loadSettings(index, 'proj.settings', {});
      const t = performance.now();
      const r = evaluateRouting(index, fresh, models, ['default', 'd1', 'd2', 'd3']);
      best = Math.min(best, performance.now() - t);
      assert.equal(r.decisions.length, 6000);
      assert.ok(r.decisions.every(d => d.migrate !== null));
    }
    // a figure, not a timed assertion (a loaded machine would fail it): the benchmarks print the speed
    console.log(`# 1,500 models × 4 aliases × 3 routers, cold router caches: best of 3 ${best.toFixed(1)} ms`);
  });
});
