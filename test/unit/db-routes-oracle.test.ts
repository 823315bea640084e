// Oracle: real Django (the Django 5.2 venv) answers `router.db_for_read(Model)` / `router.db_for_write(Model)` for
// small projects whose routers are self-written, trimmed copies of patterns found in public projects (primary/replica
// routers, the docs' AuthRouter, app-label maps, settings constants, helpers and staticmethods, falsy answers, model
// attributes, thread-local state). The static routes (ProjectIndex.dbRoutes) must agree on every answer they give;
// unknown is allowed only where a project says so. The router lints are checked against the same Django facts:
// the models whose reads/writes go to a database where `allow_migrate_model` creates their table on no alias of
// its mirror group, while some other alias has it.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Scanner, withDjango } from '../../src/core/scan';
import type { DbRoute } from '../../src/core/routers';
import type { Finding } from '../../src/core/types';
import { djangoPython, NO_DJANGO } from '../oracle/helpers';
import { writeTree } from './support';
import { APP_ROUTER, KOLIBRI_APPS, KOLIBRI_ROUTERS, MAP_ROUTER, MIRROR, PRIMARY_REPLICA, db, settingsPy } from './router-patterns';

const PY = djangoPython();
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

// Django's ConnectionRouter._router_func, step by step for `decidedBy`; the alias itself from router.db_for_*.
// Mirror groups as Django's test runner forms them: TEST["MIRROR"], and aliases with the same ENGINE and NAME.
const ORACLE = `
import json, os, django
django.setup()
from django.apps import apps
from django.conf import settings
from django.db import router
from django.db.migrations.operations.base import Operation
op = Operation()
DBS = list(settings.DATABASES)
def ident(a):
    c = settings.DATABASES[a]
    return (c.get("ENGINE"), os.path.abspath(str(c.get("NAME"))))
def primary(a, seen=()):
    if a in seen: return a
    first = next(b for b in DBS if ident(b) == ident(a))
    if first != a: return primary(first, seen + (a,))
    m = settings.DATABASES[a].get("TEST", {}).get("MIRROR")
    return primary(m, seen + (a,)) if m in settings.DATABASES and m != a else a
group = {a: [b for b in DBS if primary(b) == primary(a)] for a in DBS}
models = [m for m in apps.get_models() if not m._meta.swapped]
empty = {a: not any(op.allow_migrate_model(b, m) for b in group[a] for m in models) for a in DBS}
def chain(action, m):
    for i, r in enumerate(router.routers):
        try:
            meth = getattr(r, action)
        except AttributeError:
            continue
        if meth(m):
            return settings.DATABASE_ROUTERS[i]
    return None
rows = []
for m in models:
    c = m._meta.concrete_model
    row = dict(model=m._meta.label, app=m._meta.app_label, managed=c._meta.managed)
    for action in ("db_for_read", "db_for_write"):
        # a router that picks at random (a replica): every alias it gives in 40 calls
        seen = sorted({getattr(router, action)(m) for _ in range(40)})
        def side(alias):
            known = alias in settings.DATABASES
            return dict(alias=alias, known=known,
                onGroup=known and any(op.allow_migrate_model(b, c) for b in group[alias]),
                anywhere=any(op.allow_migrate_model(b, c) for b in DBS),
                empty=known and empty[alias])
        row[action] = dict(side(seen[0]), by=chain(action, m), seen=[side(a) for a in seen])
    rows.append(row)
mirrors = []
for a in DBS:
    m = settings.DATABASES[a].get("TEST", {}).get("MIRROR")
    if m in settings.DATABASES and m != a and ident(a) != ident(m) and any(op.allow_migrate_model(a, x) for x in models):
        mirrors.append(a)
print(json.dumps(dict(rows=rows, mirrors=mirrors)))
`;

const settings = (apps: string[], dbs: Record<string, string>, routers: string[], extra = '') => settingsPy(apps, dbs, routers, extra, true);
const app = (name: string, models: string): Record<string, string> => ({ [`${name}/__init__.py`]: '', [`${name}/models.py`]: `from django.db import models\n\n${models}` });

interface Project {
  files: Record<string, string>;
  /** "db_for_read app.Model" answers that must be unknown statically */
  unknown?: string[];
}

const PROJECTS: Record<string, Project> = {
  // NExtSEEK: a model attribute names the database, set from a module constant bound to a setting; a private name
  // of the project's (`_DATABASE`), not one of Django's Model
  modelAttribute: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['seek'], { default: db('default'), seek: db('seek') }, ['proj.routers.CustomRouter'], 'SEEK_DATABASE = "seek"\n'),
      'proj/routers.py': `class CustomRouter:
    def db_for_read(self, model, **hints):
        return getattr(model, "_DATABASE", "default")

    def db_for_write(self, model, **hints):
        return getattr(model, "_DATABASE", "default")
`,
      ...app('seek', 'from django.conf import settings\n\nSEEK_DATABASE = settings.SEEK_DATABASE\n\n\nclass Users(models.Model):\n    _DATABASE = SEEK_DATABASE\n    n = models.IntegerField()\n\n\nclass Literal(models.Model):\n    _DATABASE = "seek"\n\n\nclass Plain(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  // HOPE's DbRouter: a proxy swapped for the model it stands for (proxy_for_model), or the concrete model, then an
  // app-label map; a proxy of a proxy
  proxyForModel: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['shop', 'stats'], { default: db('default'), analytics: db('analytics') }, ['proj.routers.ProxyRouter', 'proj.routers.ConcreteRouter'],
        'MAPPING = {"stats": "analytics"}\n'),
      'proj/routers.py': `from django.conf import settings


class ProxyRouter:
    def db_for_read(self, model, **hints):
        if model._meta.proxy:
            model = model._meta.proxy_for_model
            return settings.MAPPING.get(model._meta.app_label, "default") if model._meta.proxy else None
        return None


class ConcreteRouter:
    @staticmethod
    def select_db(model):
        model = model._meta.concrete_model
        return settings.MAPPING.get(model._meta.app_label)

    def db_for_read(self, model, **hints):
        return ConcreteRouter.select_db(model)

    def db_for_write(self, model, **hints):
        return ConcreteRouter.select_db(model)
`,
      ...app('stats', 'class Event(models.Model):\n    n = models.IntegerField()\n'),
      ...app('shop', 'from stats.models import Event\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n\n\nclass PendingOrder(Order):\n    class Meta:\n        proxy = True\n\n\nclass LateOrder(PendingOrder):\n    class Meta:\n        proxy = True\n\n\nclass ShopEvent(Event):\n    class Meta:\n        proxy = True\n'),
    },
  },
  // a primary/replica router that checks DATABASES before answering, behind an app router
  primaryReplica: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['shop', 'archive_app'], { default: db('default'), replica: db('replica', MIRROR('default')), archive: db('archive') },
        ['proj.routers.ArchiveRouter', 'proj.routers.PrimaryReplicaRouter']),
      // the archive router written as class attributes (db_for_write = db_for_read)
      'proj/routers.py': APP_ROUTER('{"archive_app"}', 'archive', { name: 'ArchiveRouter', write: false }).replace('        return None\n', '        return None\n\n    db_for_write = db_for_read\n') + '\n\n' +
        PRIMARY_REPLICA('return "replica" if "replica" in settings.DATABASES else "default"', 'return "default"', 'return db == "default"'),
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n\n\nclass OrderProxy(Order):\n    class Meta:\n        proxy = True\n'),
      ...app('archive_app', 'class OldOrder(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  // the same router with a replica that is not declared as a mirror: reads come from a database migrations leave empty
  undeclaredReplica: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['shop'], { default: db('default'), read_replica: db('replica') }, ['proj.routers.PrimaryReplicaRouter']),
      'proj/routers.py': PRIMARY_REPLICA('return "read_replica" if "read_replica" in settings.DATABASES else "default"', 'return "default"', 'return db == "default"'),
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  // Django's documentation: AuthRouter, then a primary/replica router choosing a replica at random
  docsAuthAndReplicas: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['shop'], {
        default: db('default'), auth_db: db('auth'), primary: db('primary'), replica1: db('replica1', MIRROR('primary')), replica2: db('replica2'),
      }, ['proj.routers.AuthRouter', 'proj.routers.PrimaryReplicaRouter']),
      'proj/routers.py': 'import random\n\n\n' + APP_ROUTER('{"auth", "contenttypes"}', 'auth_db', { name: 'AuthRouter' }) + '\n\n' +
        PRIMARY_REPLICA('return random.choice(["replica1", "replica2"])', 'return "primary"', 'return True'),
      ...app('shop', 'class Item(models.Model):\n    n = models.IntegerField()\n\n\nclass Note(models.Model):\n    text = models.TextField()\n'),
    },
  },
  // the same picked at random among replicas migrations leave empty (not declared as mirrors): reads find no table there
  undeclaredReplicasAtRandom: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['shop'], { default: db('default'), replica1: db('replica1'), replica2: db('replica2') }, ['proj.routers.PrimaryReplicaRouter']),
      'proj/routers.py': 'import random\n\n\n' + PRIMARY_REPLICA('return random.choice(["replica1", "replica2"])', 'return "default"', 'return db == "default"'),
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  // django-multidb-router's ReplicaRouter (kuma): the replicas shuffled once, then itertools.cycle, next() per query;
  // one replica: always that one
  multidbCycle: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['shop', 'blog'], { default: db('default'), replica: db('replica'), r1: db('r1'), r2: db('r2') }, ['proj.routers.ReplicaRouter', 'proj.routers.BlogRouter']),
      'proj/routers.py': `import itertools
import random

from django.conf import settings

_cycles = {}


def get_replica(dbs):
    key = tuple(dbs)
    if key not in _cycles:
        dbs = list(dbs)
        random.shuffle(dbs)
        _cycles[key] = itertools.cycle(dbs)
    return next(_cycles[key])


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "blog":
            return None
        return get_replica(["replica"])

    def db_for_write(self, model, **hints):
        return "default"

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class BlogRouter:
    def db_for_read(self, model, **hints):
        return get_replica(["r1", "r2"])
`,
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
      ...app('blog', 'class Post(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  // a router written with match (paperless-ngx style settings, Python 3.10+ routers)
  matchRouter: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['shop', 'stats'], { default: db('default'), analytics: db('analytics') }, ['proj.routers.MatchRouter']),
      'proj/routers.py': `class MatchRouter:
    def db_for_read(self, model, **hints):
        match model._meta.app_label:
            case "stats" | "reports":
                return "analytics"
            case _:
                return None

    def db_for_write(self, model, **hints):
        match model._meta.app_label, model._meta.model_name:
            case _:
                return self.db_for_read(model, **hints)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        match app_label:
            case "stats":
                return db == "analytics"
            case label if db == "analytics":
                return False
        return None
`,
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
      ...app('stats', 'class Event(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  // module-level helpers, a staticmethod, db_for_write delegating to db_for_read, a class constant, getattr(model, "_meta")
  helpersAndStatic: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['accounts', 'blog'], { default: db('default'), auth_db: db('auth') }, ['proj.routers.AuthRouter']),
      'proj/routers.py': `def label_is_both(label):
    return label in {"contenttypes"}


def label_is_auth(label):
    return label in {"auth", "accounts"}


def is_auth(obj, **hints):
    if hints.get("target_db") == "auth_db":
        return True
    return label_is_auth(obj._meta.app_label)


class AuthRouter:
    AUTH_DB = "auth_db"

    @staticmethod
    def db_for_read(model, **hints):
        if is_auth(model, **hints):
            return AuthRouter.AUTH_DB
        return None

    def db_for_write(self, model, **hints):
        return self.db_for_read(model, **hints)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if label_is_both(app_label):
            return True
        meta_db = self.AUTH_DB if label_is_auth(app_label) else "default"
        return db == meta_db
`,
      ...app('accounts', 'class Profile(models.Model):\n    n = models.IntegerField()\n'),
      ...app('blog', 'class Post(models.Model):\n    title = models.CharField(max_length=10)\n'),
    },
  },
  // falsy answers fall through (a read-only warehouse whose db_for_write says False), table names, model attributes
  falsyAndAttributes: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['reporting', 'legacy', 'shop'], { default: db('default'), dss: db('dss'), legacy: db('legacy') },
        ['proj.routers.PinnedRouter', 'proj.routers.LegacyRouter', 'proj.routers.WarehouseRouter']),
      'proj/routers.py': `class PinnedRouter:
    def db_for_read(self, model, **hints):
        pinned = getattr(model, "database", None)
        if pinned:
            return pinned
        return ""

    db_for_write = db_for_read


class LegacyRouter:
    def db_for_read(self, model, **hints):
        if model._meta.db_table.startswith("legacy_"):
            return "legacy"
        return None

    def db_for_write(self, model, **hints):
        return self.db_for_read(model)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "legacy":
            return False
        return None


class WarehouseRouter:
    """The warehouse is filled by an ETL: read it, never write it."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label == "reporting":
            return "dss"
        return None

    def db_for_write(self, model, **hints):
        if model._meta.app_label == "reporting":
            return False
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "reporting":
            return db == "dss"
        if db == "dss":
            return False
        return None
`,
      ...app('reporting', 'class Sale(models.Model):\n    n = models.IntegerField()\n\n\nclass Snapshot(models.Model):\n    n = models.IntegerField()\n\n    class Meta:\n        managed = False\n'),
      ...app('legacy', 'class Customer(models.Model):\n    name = models.CharField(max_length=10)\n\n    class Meta:\n        db_table = "legacy_customer"\n\n\nclass Member(models.Model):\n    name = models.CharField(max_length=10)\n\n    class Meta:\n        db_table = "legacy_member"\n'),
      ...app('shop', 'class Basket(models.Model):\n    database = "legacy"\n    n = models.IntegerField()\n\n\nclass Line(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  // Saleor's primary router (a settings constant) before an app-label map router: the map's models are written to default
  settingsAndMap: {
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['core', 'shop'], { default: db('default'), core: db('core') }, ['proj.routers.PrimaryRouter', 'proj.routers.MapRouter'],
        'DATABASE_CONNECTION_DEFAULT_NAME = "default"\n'),
      'proj/routers.py': `from django.conf import settings


class PrimaryRouter:
    def db_for_write(self, model, **hints):
        return settings.DATABASE_CONNECTION_DEFAULT_NAME

    def allow_relation(self, obj1, obj2, **hints):
        return True


` + MAP_ROUTER('MapRouter', '{"core": "core"}') + ``,
      ...app('core', 'class Setting(models.Model):\n    key = models.CharField(max_length=10)\n'),
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
  // the instance hint (absent for a queryset: default), request-scoped state the static analysis cannot see, a typo
  hintsStateTypo: {
    unknown: ['db_for_write shop.Order', 'db_for_write contenttypes.ContentType', 'db_for_write auth.Permission', 'db_for_write auth.Group', 'db_for_write auth.User'],
    files: {
      'proj/__init__.py': '',
      'proj/settings.py': settings(['shop', 'analytics'], { default: db('default'), analytics: db('analytics') },
        ['proj.routers.AnalyticsRouter', 'proj.routers.InstanceRouter', 'proj.routers.ScopedRouter']),
      'proj/scope.py': 'import threading\n\n_state = threading.local()\n\n\ndef current_db():\n    return getattr(_state, "db", None)\n',
      'proj/routers.py': `from .scope import current_db


class AnalyticsRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "analytics":
            return "analytcs"
        return None

    def db_for_write(self, model, **hints):
        if model._meta.app_label == "analytics":
            return "analytics"
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "analytics":
            return db == "analytics"
        return None


class InstanceRouter:
    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None:
            return instance._state.db
        return None


class ScopedRouter:
    def db_for_write(self, model, **hints):
        return current_db()
`,
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
      ...app('analytics', 'class Event(models.Model):\n    n = models.IntegerField()\n'),
    },
  },
};

// IETF datatracker's blob router: the apps it routes found in Django's app registry (apps.get_app_configs() and
// isinstance of an AppConfig class of the project's: django.contrib's configs, not evaluated, are none of them).
// Writes go to 'blobs', where allow_migrate never creates the table.
PROJECTS.appRegistry = {
  files: {
    'proj/__init__.py': '',
    'proj/settings.py': settings(['shop', 'stats.apps.StatsConfig'], { default: db('default'), blobs: db('blobs') }, ['proj.routers.BlobRouter']),
    'proj/blobapps.py': 'from django.apps import AppConfig\n\n\nclass BlobAppConfig(AppConfig):\n    # an app whose rows live in the blob store\n    pass\n',
    'proj/routers.py': `from django.apps import apps

from .blobapps import BlobAppConfig


def blob_labels():
    return {c.label for c in apps.get_app_configs() if isinstance(c, BlobAppConfig)}


class BlobRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in blob_labels():
            return "blobs"
        return None

    def db_for_write(self, model, **hints):
        return self.db_for_read(model, **hints)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
`,
    ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
    ...app('stats', 'class Event(models.Model):\n    n = models.IntegerField()\n\n\nclass Daily(models.Model):\n    n = models.IntegerField()\n'),
    'stats/apps.py': 'from proj.blobapps import BlobAppConfig\n\n\nclass StatsConfig(BlobAppConfig):\n    name = "stats"\n',
    // startapp's config, found by Django in shop/apps.py: no BlobAppConfig
    'shop/apps.py': 'from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    default_auto_field = "django.db.models.BigAutoField"\n    name = "shop"\n',
  },
};

// edX's read-replica router (edx-django-utils, used by its services): reads go where a threading.local subclass says,
// whose __init__ starts each thread with None (the writer) and read_queries_only() sets per request. Unknown
// statically; Django, asked outside a request, answers the writer: it stays unknown in Django mode too.
PROJECTS.threadLocalStorage = {
  unknown: ['contenttypes.ContentType', 'auth.Permission', 'auth.Group', 'auth.User', 'shop.Order'].map(m => `db_for_read ${m}`),
  files: {
    'proj/__init__.py': '',
    'proj/settings.py': settings(['shop'], { default: db('default'), read_replica: db('replica', MIRROR('default')) }, ['proj.read_replica.ReadReplicaRouter']),
    'proj/read_replica.py': `import threading
from contextlib import contextmanager

from django.conf import settings

READ_REPLICA_NAME = getattr(settings, "EDX_READ_REPLICA_DB_NAME", "read_replica")
WRITER_NAME = getattr(settings, "EDX_WRITER_DB_NAME", "default")


@contextmanager
def read_queries_only():
    old_db_name = _storage.db_name
    _storage.db_name = READ_REPLICA_NAME
    try:
        yield
    finally:
        _storage.db_name = old_db_name


class _ReadReplicaRouterStorage(threading.local):
    def __init__(self):
        super().__init__()
        self.db_name = None


_storage = _ReadReplicaRouterStorage()


class ReadReplicaRouter:
    def db_for_read(self, model, **hints):
        return _storage.db_name if _storage.db_name in settings.DATABASES else WRITER_NAME

    def db_for_write(self, model, **hints):
        return WRITER_NAME

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return True
`,
    ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
  },
};

// the registry asked by name: an app the settings install by its module is known installed; one installed by a class
// of a package not evaluated (django.contrib.admin's SimpleAdminConfig) has a name not known here: unknown, not False
PROJECTS.registryLookups = {
  unknown: ['db_for_read blog.Post'],
  files: {
    'proj/__init__.py': '',
    'proj/settings.py': settings(['django.contrib.admin.apps.SimpleAdminConfig', 'django.contrib.sessions', 'django.contrib.messages', 'shop', 'blog'], { default: db('default'), other: db('other') }, ['proj.routers.RegistryRouter']),
    'proj/routers.py': `from django.apps import apps


class RegistryRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "shop" and apps.is_installed("shop"):
            return "other"
        if model._meta.app_label == "blog" and apps.is_installed("django.contrib.admin"):
            return "other"
        return None
`,
    ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
    ...app('blog', 'class Post(models.Model):\n    n = models.IntegerField()\n'),
  },
};

// shards chosen by a hash of the model's label (zlib.crc32, not evaluated statically): the static reading says "one
// of" the shards; Django answers the one each model goes to (the same in every call), and its answer is kept
PROJECTS.hashShards = {
  unknown: ['events.Click', 'events.View', 'events.Purchase', 'events.Signup'].flatMap(m => [`db_for_read ${m}`, `db_for_write ${m}`]),
  files: {
    'proj/__init__.py': '',
    'proj/settings.py': settings(['shop', 'events'], { default: db('default'), shard0: db('shard0'), shard1: db('shard1') }, ['proj.routers.ShardRouter']),
    'proj/routers.py': `import zlib

SHARDS = ["shard0", "shard1"]


class ShardRouter:
    def shard(self, model):
        return SHARDS[zlib.crc32(model._meta.label_lower.encode()) % len(SHARDS)]

    def db_for_read(self, model, **hints):
        if model._meta.app_label == "events":
            return self.shard(model)
        return None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "events":
            return db in SHARDS
        return db == "default"
`,
    ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
    ...app('events', ['Click', 'View', 'Purchase', 'Signup'].map(m => `class ${m}(models.Model):\n    n = models.IntegerField()\n`).join('\n\n')),
  },
};

// Kolibri: routers in the models modules, naming the model classes (model is X, issubclass(model, X), X._meta)
PROJECTS.namedModelClasses = {
  files: {
    'proj/__init__.py': '',
    'proj/settings.py': settings(['device', 'discovery', 'core'], { default: db('default'), syncqueue: db('syncqueue'), networklocation: db('networklocation') }, KOLIBRI_ROUTERS),
    ...KOLIBRI_APPS,
  },
};

/**
 * The router lints Django's facts call for: for each answer compared (`compared(method, row)`), every alias Django
 * gave that DATABASES lacks, or where the model's table is created on no alias of its mirror group while some alias
 * has it (per model in a workspace app; per alias where migrations create no table at all); mirrors that migrate.
 */
function expectedLints(django: { rows: Row[]; mirrors: string[] }, workspaceApps: ReadonlySet<string>, compared: (method: 'db_for_read' | 'db_for_write', row: Row) => boolean): { expected: Set<string>; expectedEmpty: Set<string> } {
  const expected = new Set<string>();
  const expectedEmpty = new Set<string>();
  for (const method of ['db_for_read', 'db_for_write'] as const) {
    const code = method === 'db_for_read' ? 'router-read-no-table' : 'router-write-no-table';
    for (const row of django.rows) {
      if (!compared(method, row)) continue;
      for (const x of row[method].seen) {
        if (!x.known) expected.add(`router-unknown-alias ${x.alias}`);
        else if (row.managed && !x.onGroup && x.anywhere) {
          if (x.empty) expectedEmpty.add(`${code} ${x.alias}`);
          else if (workspaceApps.has(row.app)) expected.add(`${code} ${row.model} ${x.alias}`);
        }
      }
    }
  }
  for (const a of django.mirrors) expected.add(`router-mirror-migrates ${a}`);
  return { expected, expectedEmpty };
}

/** The router lints an index has, as expectedLints says them; a router-line finding must name a model finding's database. */
function gotLints(findings: Finding[], expected: ReadonlySet<string>): { got: Set<string>; gotEmpty: Set<string> } {
  const got = new Set<string>();
  const gotEmpty = new Set<string>();
  for (const f of findings) {
    if (f.code === 'router-unknown-alias' || f.code === 'router-mirror-migrates') got.add(`${f.code} ${f.alias}`);
    else if ((f.code === 'router-read-no-table' || f.code === 'router-write-no-table') && f.model) got.add(`${f.code} ${f.model} ${f.alias}`);
    else if (f.code === 'router-read-no-table' || f.code === 'router-write-no-table') {
      if (/no table at all/.test(f.message)) gotEmpty.add(`${f.code} ${f.alias}`);
      else assert.ok([...expected].some(e => e.startsWith(`${f.code} `) && e.endsWith(` ${f.alias}`)), `router-line finding without a model finding: ${f.message}`);
    }
  }
  return { got, gotEmpty };
}

interface Side { alias: string; by: string | null; known: boolean; onGroup: boolean; anywhere: boolean; empty: boolean; seen: Omit<Side, 'by' | 'seen'>[] }
interface Row { model: string; app: string; managed: boolean; db_for_read: Side; db_for_write: Side }

describe('db_for_read / db_for_write: static routes and router lints against real Django', { skip: PY ? false : NO_DJANGO }, () => {
  let known = 0;
  let unknownSeen = 0;
  let choicesSeen = 0;
  let djangoDecided = 0;
  for (const [name, proj] of Object.entries(PROJECTS)) {
    test(name, async () => {
      const dir = writeTree({ 'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n', ...proj.files }, 'dmdb-dbroutes-');
      dirs.push(dir);
      const django = JSON.parse(execFileSync(PY!, ['-c', ORACLE], {
        cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir },
      })) as { rows: Row[]; mirrors: string[] };
      const index = await new Scanner({ root: dir, python: PY!, allowPython: false, env: {} }).index();
      const routes = index.dbRoutes;
      assert.ok(routes, 'routes computed');
      const expectUnknown = new Set(proj.unknown ?? []);
      const workspaceApps = new Set(index.apps.filter(a => !a.external).map(a => a.label));
      for (const method of ['db_for_read', 'db_for_write'] as const) {
        const ours: Map<string, DbRoute> = new Map(routes[method === 'db_for_read' ? 'read' : 'write'].map(x => [x.model, x]));
        for (const row of django.rows) {
          const k = `${method} ${row.model}`;
          const d = row[method];
          const r: DbRoute | undefined = ours.get(row.model);
          assert.ok(r, `no static route for ${k}`);
          if (expectUnknown.has(k)) {
            assert.equal(r.alias, null, `${k} should be unknown, got ${JSON.stringify(r)}`);
            assert.ok(r.explanation.length > 10, `${k}: an explanation`);
            unknownSeen++;
            continue;
          }
          if (d.seen.length > 1) {
            // a pick at random: not one alias, but the ones Django gave are the choices said
            assert.equal(r.alias, null, `${k}: Django gave ${d.seen.map(x => x.alias)}, ours ${JSON.stringify(r)}`);
            assert.deepEqual([...r.choices ?? []].sort(), d.seen.map(x => x.alias), `${k}: choices (ours: ${r.explanation})`);
            choicesSeen++;
          } else assert.equal(r.alias, d.alias, `${k}: alias (ours: ${r.explanation})`);
          assert.equal(r.decidedBy, d.by, `${k}: decidedBy (ours: ${r.explanation})`);
          if (r.reason === 'router') assert.ok(r.loc && r.loc.line > 0, `${k}: loc of the deciding return`);
          known++;
        }
      }
      const { expected, expectedEmpty } = expectedLints(django, workspaceApps, (method, row) => !expectUnknown.has(`${method} ${row.model}`));
      const { got, gotEmpty } = gotLints(index.findings, expected);
      assert.deepEqual([...got].sort(), [...expected].sort(), `${name}: findings (${index.findings.filter(f => f.code.startsWith('router-')).map(f => f.message).join('\n')})`);
      assert.deepEqual([...gotEmpty].sort(), [...expectedEmpty].sort(), `${name}: whole-alias findings`);
    });
  }
  // Django mode: the routes asked of Django itself merged with the static ones. Every answer is Django's (the one
  // alias, or the choices it gave), the static answer kept only where it knows the run-time choices or state; the
  // router lints are made again from Django's routing and routes and say the same as for the static ones.
  for (const [name, proj] of Object.entries(PROJECTS)) {
    test(`${name}, Django mode`, async () => {
      const dir = writeTree({ 'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n', ...proj.files }, 'dmdb-dbroutes-dj-');
      dirs.push(dir);
      const django = JSON.parse(execFileSync(PY!, ['-c', ORACLE], {
        cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir },
      })) as { rows: Row[]; mirrors: string[] };
      const opts = { root: dir, python: PY!, allowPython: true, mode: 'django' as const, readDatabases: false, env: {} };
      const index = await withDjango(await new Scanner(opts).index(), opts);
      assert.equal(index.mode?.used, 'django', JSON.stringify(index.findings.filter(f => f.code === 'django-unavailable')));
      const routes = index.dbRoutes!;
      const expectUnknown = new Set(proj.unknown ?? []);
      /** the answers that read state set at run time: unknown in Django mode too */
      const runtime = new Set<string>();
      for (const method of ['db_for_read', 'db_for_write'] as const) {
        const ours = new Map(routes[method === 'db_for_read' ? 'read' : 'write'].map(x => [x.model, x]));
        for (const row of django.rows) {
          const k = `${method} ${row.model}`;
          const d = row[method];
          const r = ours.get(row.model);
          assert.ok(r, `no route for ${k}`);
          if (r.alias === null && r.runtime && !r.choices) {
            // state set at run time: unknown still, with what Django answered outside a request
            assert.ok(expectUnknown.has(k), `${k}: unknown in Django mode too (${r.explanation})`);
            assert.match(r.explanation, new RegExp(`Django, asked outside a request, answers '${d.alias}'`));
            runtime.add(k);
            continue;
          }
          if (d.seen.length > 1) assert.deepEqual([...r.choices ?? []].sort(), d.seen.map(x => x.alias), `${k}: choices (${r.explanation})`);
          else assert.equal(r.alias, d.alias, `${k}: alias (${r.explanation})`);
          assert.equal(r.decidedBy, d.by, `${k}: decidedBy (${r.explanation})`);
          if (expectUnknown.has(k)) assert.equal(r.source, 'django', `${k}: Django's answer where the static reading had none`);
        }
      }
      const dis = index.django!.disagreements.filter(x => x.kind === 'dbRoute');
      assert.ok(dis.every(x => x.note === 'static analysis could not decide'), JSON.stringify(dis));
      assert.equal(dis.length, [...expectUnknown].filter(k => !runtime.has(k)).length, 'one disagreement per answer the static reading could not decide');
      // the router lints from Django's routing and routes: what Django's facts call for, the run-time ones aside
      const workspaceApps = new Set(index.apps.filter(a => !a.external).map(a => a.label));
      const { expected, expectedEmpty } = expectedLints(django, workspaceApps, (method, row) => !runtime.has(`${method} ${row.model}`));
      const { got, gotEmpty } = gotLints(index.findings, expected);
      assert.deepEqual([...got].sort(), [...expected].sort(), `${name}: findings (${index.findings.filter(f => f.code.startsWith('router-')).map(f => f.message).join('\n')})`);
      assert.deepEqual([...gotEmpty].sort(), [...expectedEmpty].sort(), `${name}: whole-alias findings`);
      djangoDecided += dis.length;
    });
  }
  test('answers compared', () => {
    console.log(`db_for_read/db_for_write: ${known} static answers equal to Django's (${choicesSeen} of them picks at random, the same choices), ${unknownSeen} unknown where expected`);
    assert.ok(known >= 60, `${known} known answers compared with Django`);
    assert.ok(choicesSeen >= 6, `${choicesSeen} answers picked at random`);
    assert.ok(unknownSeen >= 9, `${unknownSeen} unknown answers`);
    console.log(`Django mode: ${djangoDecided} answers the static reading could not decide, Django's`);
    assert.ok(djangoDecided >= 4, `${djangoDecided} answers decided by Django`);
  });
});

// A router that reads a request's thread-local flag without a default: outside a request it raises AttributeError
// (Django mode asks there), inside one it picks the replica or falls through. The static choices stay, with their
// router; a random pick Django saw once (weighted) stays the static "one of" too.
test('Django mode: a router that raises outside a request, and a weighted random pick, keep the static choices', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': settings(['shop', 'blog'], { default: db('a'), replica: db('r', MIRROR('default')) }, ['proj.routers.FlagRouter', 'proj.routers.WeightedRouter']),
    'proj/routers.py': 'import random\nimport threading\n\n_local = threading.local()\n\n\nclass FlagRouter:\n    def db_for_read(self, model, **hints):\n        if model._meta.app_label == "shop" and _local.use_replica:\n            return "replica"\n        return None\n\n\n' +
      'class WeightedRouter:\n    def db_for_read(self, model, **hints):\n        if model._meta.app_label == "blog":\n            return "replica" if random.random() < 0.001 else "default"\n        return None\n',
    ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
    ...app('blog', 'class Post(models.Model):\n    n = models.IntegerField()\n'),
  }, 'dmdb-dbroutes-raise-');
  dirs.push(dir);
  const statics = await new Scanner({ root: dir, python: PY!, allowPython: false, env: {} }).index();
  const opts = { root: dir, python: PY!, allowPython: true, mode: 'django' as const, readDatabases: false, env: {} };
  const index = await withDjango(await new Scanner(opts).index(), opts);
  assert.equal(index.mode?.used, 'django');
  for (const model of ['shop.Order', 'blog.Post']) {
    const s = statics.dbRoutes!.read.find(r => r.model === model)!;
    const r = index.dbRoutes!.read.find(x => x.model === model)!;
    assert.equal(s.alias, null, `${model}: statically one of several`);
    assert.ok(s.runtime, `${model}: picked at run time`);
    assert.deepEqual(r, s, `${model}: the static route stays in Django mode`);
  }
  assert.ok(!index.findings.some(f => /\bnull\./.test(f.message)), index.findings.map(f => f.message).join('\n'));
});

// Plane's read-replica router: a request-scoped flag (asgiref's Local) set by middleware picks the replica. Django
// answers "default" while nothing set it and "replica" once a request did: the static route is those two aliases.
test('db_for_read: a request-scoped flag choosing the replica gives both aliases as choices, as Django answers with and without it (Plane)', { skip: PY ? false : NO_DJANGO }, async () => {
  for (const mirror of [true, false]) {
    const dir = writeTree({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
      'proj/__init__.py': '',
      'proj/settings.py': settings(['shop'], { default: db('a'), replica: db('r', mirror ? MIRROR('default') : '') }, ['proj.routers.ReadReplicaRouter']),
      'proj/scope.py': 'from asgiref.local import Local\n\n_ctx = Local()\n\n\ndef set_use_read_replica(on):\n    _ctx.use_read_replica = on\n\n\ndef should_use_read_replica():\n    return getattr(_ctx, "use_read_replica", False)\n',
      'proj/routers.py': 'from .scope import should_use_read_replica\n\n\nclass ReadReplicaRouter:\n    def db_for_read(self, model, **hints):\n        if should_use_read_replica():\n            return "replica"\n        return "default"\n\n    def db_for_write(self, model, **hints):\n        return "default"\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default"\n',
      ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
    }, 'dmdb-dbroutes-flag-');
    dirs.push(dir);
    const seen = JSON.parse(execFileSync(PY!, ['-c', `
import json, django
django.setup()
from django.db import router
from proj.scope import set_use_read_replica
from shop.models import Order
out = [router.db_for_read(Order)]
set_use_read_replica(True)
out.append(router.db_for_read(Order))
print(json.dumps(out))
`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } })) as string[];
    assert.deepEqual(seen, ['default', 'replica']);
    const index = await new Scanner({ root: dir, python: PY!, allowPython: false, env: {} }).index();
    const read = index.dbRoutes?.read.find(r => r.model === 'shop.Order');
    assert.equal(read?.alias, null);
    assert.deepEqual([...read?.choices ?? []].sort(), [...seen].sort());
    assert.equal(read?.decidedBy, 'proj.routers.ReadReplicaRouter');
    // Django mode: Django, asked outside a request, answers 'default' only; the static choices are kept
    const opts = { root: dir, python: PY!, allowPython: true, mode: 'django' as const, readDatabases: false, env: {} };
    const asked = await withDjango(await new Scanner(opts).index(), opts);
    assert.equal(asked.mode?.used, 'django');
    assert.deepEqual(asked.dbRoutes?.read.find(r => r.model === 'shop.Order')?.choices, read?.choices);
    // a replica that is a mirror of default has its tables; a database of its own that migrations leave empty has none
    const noTable = index.findings.filter(f => f.code === 'router-read-no-table');
    if (mirror) assert.deepEqual(noTable, []);
    else assert.ok(noTable.some(f => f.alias === 'replica' && /chosen at run time/.test(f.message)), JSON.stringify(noTable.map(f => f.message)));
  }
});

// CourtListener's replica router: a ContextVar its middleware sets picks the next of the API's read databases (a
// shuffled cycle); where it is not set the router returns None and Django uses 'default'. Statically: one of the
// replicas or 'default', read at run time. Django answers 'default' outside a request and the replicas, in turn,
// once the variable is set; in Django mode the static choices are kept.
test('db_for_read: a ContextVar choosing a cycled replica, else None: the replicas and the default as choices, as Django answers with and without it (CourtListener)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': settings(['shop'], { default: db('a'), replica: db('r', MIRROR('default')), 'read-replica': db('rr', MIRROR('default')) }, ['proj.routers.ReplicaRouter'], 'API_READ_DATABASES = ["replica", "read-replica", "gone"]\n'),
    'proj/routers.py': `import itertools
import random
from contextvars import ContextVar

from django.conf import settings

replicas = None


def _get_replica_list():
    global replicas
    if replicas is not None:
        return replicas
    dbs = settings.API_READ_DATABASES
    if not dbs:
        dbs = ["default"]
    dbs = [db for db in dbs if db in settings.DATABASES]
    if not dbs:
        dbs = ["default"]
    random.shuffle(dbs)
    replicas = itertools.cycle(dbs)
    return replicas


def get_api_read_db() -> str:
    return next(_get_replica_list())


_use_replica: ContextVar[bool] = ContextVar("_use_replica", default=False)


def set_replica_routing(enabled: bool):
    return _use_replica.set(enabled)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get(False):
            return get_api_read_db()
        return None

    def db_for_write(self, model, **hints):
        return None
`,
    ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
  }, 'dmdb-dbroutes-ctxvar-');
  dirs.push(dir);
  const seen = JSON.parse(execFileSync(PY!, ['-c', `
import json, django
django.setup()
from django.db import router
from proj.routers import set_replica_routing
from shop.models import Order
out = [router.db_for_read(Order)]
set_replica_routing(True)
out += [router.db_for_read(Order) for _ in range(4)]
print(json.dumps(sorted(set(out))))
`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } })) as string[];
  assert.deepEqual(seen, ['default', 'read-replica', 'replica']);
  const index = await new Scanner({ root: dir, python: PY!, allowPython: false, env: {} }).index();
  const read = index.dbRoutes!.read.find(r => r.model === 'shop.Order')!;
  assert.equal(read.alias, null);
  assert.deepEqual([...read.choices ?? []].sort(), seen);
  assert.equal(read.decidedBy, 'proj.routers.ReplicaRouter');
  assert.equal(read.runtime, true);
  assert.match(read.explanation, /ContextVar _use_replica \(set per request or task at run time\).*where it returns None, every router's db_for_read returned None: Django uses 'default'/);
  // writes: None on every path, 'default' as Django answers
  assert.equal(index.dbRoutes!.write.find(r => r.model === 'shop.Order')!.alias, 'default');
  const opts = { root: dir, python: PY!, allowPython: true, mode: 'django' as const, readDatabases: false, env: {} };
  const asked = await withDjango(await new Scanner(opts).index(), opts);
  assert.equal(asked.mode?.used, 'django');
  assert.deepEqual(asked.dbRoutes!.read.find(r => r.model === 'shop.Order')!.choices, read.choices);
});

// Django's own primary/replica example: reads from the replicas at random, writes to the primary, allow_migrate True
// for every database, and nothing declaring the replicas mirrors: Django's test runner makes a test database of each
// replica of its own (get_unique_databases_and_mirrors), and migrate allows every model there. Declared as mirrors and
// kept out of allow_migrate, the finding goes, and Django mirrors them.
test('router-replica-unmirrored: replicas read from, never written to, migrated like the primary and not declared as mirrors (Django\'s example router; Django agrees before and after the fix)', { skip: PY ? false : NO_DJANGO }, async () => {
  const router = (fixed: boolean) => `import random


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return random.choice(["replica1", "replica2"])

    def db_for_write(self, model, **hints):
        return "primary"

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return ${fixed ? 'db == "primary"' : 'True'}
`;
  const files = (fixed: boolean) => ({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': settings(['shop'], { default: db('d'), primary: db('p'), replica1: db('r1', fixed ? MIRROR('primary') : ''), replica2: db('r2', fixed ? MIRROR('primary') : '') }, ['proj.routers.PrimaryReplicaRouter']),
    'proj/routers.py': router(fixed),
    ...app('shop', 'class Order(models.Model):\n    n = models.IntegerField()\n'),
  });
  const django = (dir: string) => JSON.parse(execFileSync(PY!, ['-c', `
import json, django
django.setup()
from django.db import router
from django.test.utils import get_unique_databases_and_mirrors
from shop.models import Order
test_dbs, mirrors = get_unique_databases_and_mirrors()
own = sorted(a for _, (_, aliases) in test_dbs.items() for a in aliases)
print(json.dumps({"own": own, "mirrors": sorted(mirrors), "migrate": [a for a in ("primary", "replica1", "replica2") if router.allow_migrate_model(a, Order)]}))
`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } })) as { own: string[]; mirrors: string[]; migrate: string[] };
  const before = writeTree(files(false), 'dmdb-dbroutes-unmirrored-');
  dirs.push(before);
  const d0 = django(before);
  assert.deepEqual(d0, { own: ['default', 'primary', 'replica1', 'replica2'], mirrors: [], migrate: ['primary', 'replica1', 'replica2'] });
  const index = await new Scanner({ root: before, python: PY!, allowPython: false, env: {} }).index();
  const found = index.findings.filter(f => f.code === 'router-replica-unmirrored');
  assert.deepEqual(found.map(f => [f.alias, f.severity, f.line]), [['replica1', 'warning', 6], ['replica2', 'warning', 6]]);
  assert.match(found[0]!.message, /^proj\.routers\.PrimaryReplicaRouter\.db_for_read sends reads of 5 models to 'replica1' \(one of 'replica1', 'replica2', chosen at run time\), no write goes there, their writes go to 'primary'.*"TEST": \{"MIRROR": "primary"\}/);
  const after = writeTree(files(true), 'dmdb-dbroutes-mirrored-');
  dirs.push(after);
  assert.deepEqual(django(after), { own: ['default', 'primary'], mirrors: ['replica1', 'replica2'], migrate: ['primary'] });
  const fixed = await new Scanner({ root: after, python: PY!, allowPython: false, env: {} }).index();
  assert.deepEqual(fixed.findings.filter(f => f.code === 'router-replica-unmirrored' || f.code === 'router-mirror-migrates'), []);
  // Django mode makes the same finding from Django's routing and routes
  const opts = { root: before, python: PY!, allowPython: true, mode: 'django' as const, readDatabases: false, env: {} };
  const asked = await withDjango(await new Scanner(opts).index(), opts);
  assert.equal(asked.mode?.used, 'django');
  assert.deepEqual(asked.findings.filter(f => f.code === 'router-replica-unmirrored').map(f => f.alias), ['replica1', 'replica2']);
});
