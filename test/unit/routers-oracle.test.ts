// Oracle: small Django projects with tricky routers; real Django (Django 5.2 venv) says which (alias, model)
// pairs migrate and which router decided, and our static evaluation must agree on every decision it makes.
// Unknown decisions are allowed only where a project says so (and there they must be unknown).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { initPython } from '../../src/core/python/parse';
import { ModuleIndex } from '../../src/core/python/modules';
import { loadSettings } from '../../src/core/settings';
import { evaluateRouting } from '../../src/core/routers';
import type { ModelInfo } from '../../src/core/types';
import { KOLIBRI_APPS, KOLIBRI_ROUTERS } from './router-patterns';

function djangoPython(): string | null {
  const fromEnv = process.env.DJANGO_MULTIDB_PYTHON;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const cache = process.env.DJANGO_MULTIDB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'django-multidb');
  const p = path.join(cache, 'venv-django52', 'bin', 'python');
  return fs.existsSync(p) ? p : null;
}
const PY = djangoPython();
const SKIP = PY ? false : 'no Django venv (~/.cache/django-multidb/venv-django52): run scripts/python-env.sh';

const ORACLE = `
import json, inspect, os, django
django.setup()
from django.apps import apps
from django.conf import settings
from django.db import router
from django.db.migrations.operations.base import Operation
LITERAL = (str, int, float, bool, type(None))
def lit(v, d=0):
    if isinstance(v, LITERAL): return True
    if isinstance(v, (list, tuple)) and d < 4: return all(lit(x, d + 1) for x in v)
    if isinstance(v, dict) and d < 4: return all(isinstance(k, str) and lit(x, d + 1) for k, x in v.items())
    return False
models = []
for m in apps.get_models(include_swapped=True):
    attrs = {}
    for klass in reversed(m.__mro__):
        for k, v in vars(klass).items():
            if not k.startswith('_') and lit(v) and not callable(v): attrs[k] = list(v) if isinstance(v, tuple) else v
    meta = {k: (list(v) if isinstance(v, tuple) else v) for k, v in m._meta.original_attrs.items() if lit(v)}
    models.append(dict(app=m._meta.app_label, name=m.__name__, managed=m._meta.managed, proxy=m._meta.proxy,
        swapped=bool(m._meta.swapped), table=m._meta.db_table, modelName=m._meta.model_name,
        path=inspect.getsourcefile(m), line=inspect.getsourcelines(m)[1], attrs=attrs, meta=meta))
rows = []
op = Operation()
for alias in settings.DATABASES:
    for m in apps.get_models(include_swapped=True):
        key = m._meta.label
        try:
            migrate = bool(op.allow_migrate_model(alias, m))
        except Exception as e:
            rows.append(dict(alias=alias, model=key, error=repr(e))); continue
        decided = None
        if m._meta.can_migrate(alias):
            for i, r in enumerate(router.routers):
                try:
                    meth = r.allow_migrate
                except AttributeError:
                    continue
                a = meth(alias, m._meta.app_label, model_name=m._meta.model_name, model=m)
                if a is not None:
                    d = settings.DATABASE_ROUTERS[i]
                    # an object in DATABASE_ROUTERS: named by its class, as the scan names it
                    decided = d if isinstance(d, str) else type(d).__module__ + "." + type(d).__name__
                    break
        rows.append(dict(alias=alias, model=key, migrate=migrate, decidedBy=decided))
print(json.dumps(dict(models=models, rows=rows)))
`;

interface Project {
  files: Record<string, string>;
  /** "alias model" pairs that must come out unknown */
  unknown?: string[];
  env?: Record<string, string>;
}

function writeProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-router-oracle-'));
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text.replace(/^\n/, ''));
  }
  return dir;
}

const SETTINGS_HEAD = `
SECRET_KEY = "x"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
`;

function settingsFile(apps: string[], dbs: string[], routers: string, extra = ''): string {
  return `${SETTINGS_HEAD}
INSTALLED_APPS = ${JSON.stringify(['django.contrib.contenttypes', 'django.contrib.auth', ...apps])}
DATABASES = {${dbs.map(a => `"${a}": {"ENGINE": "django.db.backends.sqlite3", "NAME": "${a}.sqlite3"}`).join(', ')}}
DATABASE_ROUTERS = ${routers}
${extra}
`;
}

const app = (name: string, models: string): Record<string, string> => ({
  [`${name}/__init__.py`]: '',
  [`${name}/models.py`]: `from django.db import models\n${models}`,
});

const PROJECTS: Record<string, Project> = {
  // django-tenants' TenantSyncRouter shape: the app list depends on the connection's schema (not known statically);
  // an app in neither list is denied on every schema, which both paths of the if say
  tenant_sync: {
    unknown: ['default shop.Order', 'default auth.Permission', 'default auth.Group', 'default auth.User', 'default contenttypes.ContentType', 'default blog.Post'],
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settingsFile(['shop', 'blog', 'weblog'], ['default'], '["proj.routers.TenantSyncRouter"]', 'SHARED_APPS = ["shop", "django.contrib.contenttypes", "django.contrib.auth"]\nTENANT_APPS = ["blog"]\n'),
      'proj/routers.py': `
from django.conf import settings
from django.db import connections


class TenantSyncRouter:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        connection = connections[db]
        if getattr(connection, "schema_name", "public") == "public":
            installed = [a.rsplit(".", 1)[-1] for a in settings.SHARED_APPS]
        else:
            installed = list(settings.TENANT_APPS)
        if app_label not in installed:
            return False
        return None
`,
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
      ...app('blog', 'class Post(models.Model):\n    n = models.IntegerField()\n'),
      ...app('weblog', 'class Entry(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  // Kolibri Studio's ContentDBRouter: the model looked up in the app registry by the inputs; giga-maps: a
  // thread-local override that nothing has set during migrate
  registry_and_thread_local: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settingsFile(['content', 'shop'], ['default', 'channel'], '["proj.routers.Override", "proj.routers.ContentDBRouter"]'),
      'proj/routers.py': `
import threading

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS

_local = threading.local()


class Override:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        forced = getattr(_local, "FORCE_MIGRATE", None)
        if hasattr(_local, "ONLY_DB"):
            return db == _local.ONLY_DB
        return forced


class ContentDBRouter:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        model = apps.get_model(app_label=app_label, model_name=model_name) if model_name else None
        if model and model._meta.app_label == "content":
            return db != DEFAULT_DB_ALIAS
        return db == DEFAULT_DB_ALIAS
`,
      ...app('content', 'class ContentNode(models.Model):\n    title = models.CharField(max_length=10)\n'),
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  classic: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settingsFile(['analytics', 'shop', 'legacy'], ['default', 'analytics', 'legacy'],
        '["proj.routers.NoOp", "proj.routers.AnalyticsRouter", "proj.other.LegacyRouter", "proj.routers.Catchall"]',
        'LEGACY_APPS = ["legacy"]\nANALYTICS_DB = "analytics"\n'),
      'proj/routers.py': `
from django.conf import settings

class NoOp:
    def db_for_read(self, model, **hints):
        return None

class BaseRouter:
    route_app_labels = set()
    db = None
    def __init__(self):
        self.db = getattr(settings, self.setting_name, self.default_db) if hasattr(self, "setting_name") else self.db
    def handles(self, app_label):
        return app_label in self.route_app_labels
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if self.handles(app_label):
            return db == self.db
        return None

class AnalyticsRouter(BaseRouter):
    route_app_labels = {"analytics"}
    setting_name = "ANALYTICS_DB"
    default_db = "nope"

class Catchall:
    SPECIAL = ("sku", "price")
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        model = hints.get("model")
        if model is not None and getattr(model, "in_db", None):
            return model.in_db == db
        if model_name and model_name.startswith("tmp"):
            return 0
        if model_name in self.SPECIAL:
            return "yes" if db == "default" else ""
        if db == "default":
            return True
        return False
`,
      'proj/other.py': `
from django.conf import settings
from .routers import BaseRouter

class LegacyRouter(BaseRouter):
    @classmethod
    def labels(cls):
        return tuple(settings.LEGACY_APPS)
    @staticmethod
    def target():
        return "legacy"
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.labels():
            return db == self.target()
        for prefix in ["archive_", "old_"]:
            if model_name.startswith(prefix):
                return db == "legacy"
        return super().allow_migrate(db, app_label, model_name, **hints)
`,
      ...app('analytics', `
class Event(models.Model):
    name = models.CharField(max_length=10)

class Daily(models.Model):
    class Meta:
        managed = False
`),
      ...app('shop', `
class Order(models.Model):
    pass

class Sku(models.Model):
    pass

class Price(models.Model):
    pass

class TmpThing(models.Model):
    pass

class Old_Stuff(models.Model):
    pass

class Pinned(models.Model):
    in_db = "analytics"

class OrderProxy(Order):
    class Meta:
        proxy = True
`),
      ...app('legacy', `
class Customer(models.Model):
    class Meta:
        db_table = "customers"
`),
    },
  },
  unknowns: {
    unknown: [
      'default vendor.Thing', 'other vendor.Thing',
      'default chaos.Boom', 'other chaos.Boom',
      'default chaos.Coin', 'other chaos.Coin',
    ],
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settingsFile(['vendor', 'chaos', 'plain'], ['default', 'other'], '["proj.routers.VendorRouter", "proj.routers.ChaosRouter"]'),
      'proj/routers.py': `
import random
from django.db import connections

class VendorRouter:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "vendor":
            if connections[db].vendor == "sqlite":
                return True
            return False
        if app_label == "plain" and connections[db].vendor == "nope":
            # both branches give the same answer: still known
            return None
        return None

class ChaosRouter:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if model_name == "boom":
            raise RuntimeError("no")
        if model_name == "coin":
            return random.random() > 0.5
        if app_label == "plain":
            return db == "other"
        return None
`,
      ...app('vendor', 'class Thing(models.Model):\n    pass\n'),
      ...app('chaos', 'class Boom(models.Model):\n    pass\n\nclass Coin(models.Model):\n    pass\n\nclass Calm(models.Model):\n    pass\n'),
      ...app('plain', 'class P(models.Model):\n    pass\n'),
    },
  },
  hintsStyle: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settingsFile(['reports', 'core'], ['default', 'reports', 'replica'], '("proj.routers.HintsRouter", "proj.routers.ReplicaRouter")',
        'ROUTES = {"reports": "reports"}\n'),
      'proj/routers.py': `
from django.conf import settings as s

ROUTES = getattr(s, "ROUTES", {})

class ReplicaRouter:
    def allow_migrate(self, db, app_label, **hints):
        if db == "replica":
            return False

class HintsRouter:
    def __init__(self):
        self.routes = dict(ROUTES)
        self.tables = {"core_audit": "reports"}
    def _target(self, model):
        meta = model._meta
        if meta.db_table in self.tables:
            return self.tables[meta.db_table]
        return self.routes.get(meta.app_label)
    def allow_migrate(self, db, app_label, **hints):
        model = hints.get("model")
        if model is None:
            return None
        target = self._target(model)
        if target is None:
            return None if db == "default" else False
        elif target == db:
            return True
        else:
            return False
`,
      ...app('reports', 'class Report(models.Model):\n    pass\n'),
      ...app('core', 'class Audit(models.Model):\n    pass\n\nclass Item(models.Model):\n    pass\n'),
    },
  },
};

// Kolibri: routers in the models modules, naming the model classes (SyncQueue._meta.app_label, a generator over
// classes' _meta.model_name) and a choices helper over a class's __dict__
PROJECTS.namedModelClasses = {
  files: {
    'proj/__init__.py': '',
    'proj/settings.py': settingsFile(['device', 'discovery', 'core'], ['default', 'syncqueue', 'networklocation'], JSON.stringify(KOLIBRI_ROUTERS)),
    ...KOLIBRI_APPS,
  },
};

// kpi: DEFAULT_DB_ALIAS imported from a Django module that re-exports django.db's
PROJECTS.reexportedDefaultAlias = {
  files: {
    'proj/__init__.py': '',
    'proj/settings.py': settingsFile(['shop', 'legacy'], ['default', 'kobocat'], '["proj.routers.DefaultDatabaseRouter"]'),
    'proj/routers.py': `
from django.contrib.auth.management import DEFAULT_DB_ALIAS

SHARED = ("auth", "contenttypes")


class DefaultDatabaseRouter:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in SHARED:
            return True
        if app_label == "legacy":
            return db == "kobocat"
        return db == DEFAULT_DB_ALIAS
`,
    ...app('shop', 'class Order(models.Model):\n    pass\n'),
    ...app('legacy', 'class XForm(models.Model):\n    pass\n'),
  },
};

// etools-datamart: DATABASE_ROUTERS holds objects, not dotted paths: a factory's closure class, and a class given
// arguments; Django uses them as they are
PROJECTS.routerObjects = {
  files: {
    'proj/__init__.py': '',
    'proj/settings.py': `${settingsFile(['shop', 'legacy', 'other'], ['default', 'legacydb', 'otherdb'], '[]')}
from proj.dbrouter import AppRouter, router_factory
DATABASE_ROUTERS = [router_factory("legacydb", ["legacy"], syncdb=False), AppRouter("otherdb", ["other"])]
`,
    'proj/dbrouter.py': `
def router_factory(db_name, app_list, syncdb=True):
    class InnerRouter:
        def db_for_read(self, model, **hints):
            return db_name if model._meta.app_label in app_list else None

        def allow_migrate(self, db, app_label, model_name=None, **hints):
            if db == db_name:
                return syncdb and app_label in app_list
            if app_label in app_list:
                return False
            return None

    return InnerRouter()


class AppRouter:
    def __init__(self, db_name, app_list):
        self.db_name = db_name
        self.app_list = app_list

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.app_list:
            return db == self.db_name
        if db == self.db_name:
            return False
        return None
`,
    ...app('shop', 'class Order(models.Model):\n    pass\n'),
    ...app('legacy', 'class Thing(models.Model):\n    pass\n'),
    ...app('other', 'class Item(models.Model):\n    pass\n'),
  },
};

let site: string | null = null;
function sitePackages(): string {
  site ??= execFileSync(PY!, ['-c', 'import django, os; print(os.path.dirname(os.path.dirname(django.__file__)))'], { encoding: 'utf8' }).trim();
  return site;
}

before(async () => {
  await initPython();
});

describe('routers oracle (real Django decides)', { skip: SKIP }, () => {
  for (const [name, proj] of Object.entries(PROJECTS)) {
    test(name, () => {
      const dir = writeProject(proj.files);
      const out = execFileSync(PY!, ['-c', ORACLE], {
        cwd: dir, encoding: 'utf8', env: { ...process.env, ...proj.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir },
      });
      const django = JSON.parse(out) as {
        models: { app: string; name: string; managed: boolean; proxy: boolean; swapped: boolean; table: string; modelName: string; path: string; line: number; attrs: Record<string, unknown>; meta: Record<string, unknown> }[];
        rows: { alias: string; model: string; migrate?: boolean; decidedBy?: string | null; error?: string }[];
      };
      const models: ModelInfo[] = django.models.map(m => ({
        app: m.app, name: m.name, key: `${m.app}.${m.name}`, managed: m.managed, proxy: m.proxy, abstract: false, swapped: m.swapped,
        table: m.table, modelName: m.modelName, loc: { path: m.path, line: m.line }, bases: [], fields: [], attrs: m.attrs, meta: m.meta,
      }));
      // like a real scan: the project first, then the environment's site-packages
      const index = new ModuleIndex([dir, sitePackages()]);
      const settings = loadSettings(index, 'proj.settings', { ...proj.env });
      const aliases = settings.databases.map(d => d.alias);
      assert.deepEqual(aliases, [...new Set(django.rows.map(r => r.alias))]);
      const ours = evaluateRouting(index, settings, models, aliases);
      assert.deepEqual(ours.problems, []);
      const byKey = new Map(ours.decisions.map(d => [`${d.alias} ${d.model}`, d]));
      const expectUnknown = new Set(proj.unknown ?? []);
      let known = 0;
      for (const row of django.rows) {
        const k = `${row.alias} ${row.model}`;
        const d = byKey.get(k);
        assert.ok(d, `no decision for ${k}`);
        if (expectUnknown.has(k)) {
          assert.equal(d.migrate, null, `${k} should be unknown, got ${JSON.stringify(d)}`);
          assert.equal(d.reason, 'unknown');
          assert.ok(d.explanation && d.explanation.length > 10, `${k}: an explanation`);
          continue;
        }
        assert.equal(row.error, undefined, `Django raised for ${k}: ${row.error}`);
        assert.notEqual(d.migrate, null, `${k} unexpectedly unknown: ${d.explanation}`);
        assert.equal(d.migrate, row.migrate, `${k}: migrate (ours: ${d.explanation})`);
        assert.equal(d.decidedBy, row.decidedBy ?? null, `${k}: decidedBy (ours: ${d.explanation})`);
        if (d.reason === 'router') assert.ok(d.loc && d.loc.line > 0, `${k}: loc of the deciding return`);
        known++;
      }
      assert.ok(known > 0);
      assert.equal(ours.decisions.length, django.rows.length);
    });
  }
});
