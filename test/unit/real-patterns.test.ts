// Patterns of real projects (issue 7), written small: a read replica declared as a second alias with the
// primary's URL and TEST MIRROR, a router without allow_migrate; an INSTALLED_APPS that cannot be evaluated,
// with the workspace's apps found instead. Compared with real Django where it has an answer.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { initPython } from '../../src/core/python/parse';
import { Scanner, countsPending, toReport, scanProject, type ProjectIndex } from '../../src/core/scan';
import { deploymentPlan, planToShell, type DeployPlan } from '../../src/core/deploy';
import { installedAppsUnknown } from '../../src/core/apps/discover';
import { renderTables } from '../../src/cli/tables';
import { totalPending } from '../../src/extension/model/routing';
import { buildPendingModel } from '../../src/extension/model/pending';
import { migrateAllPlan } from '../../src/extension/model/migrateArgs';
import { djangoPython, manage, python, NO_DJANGO } from '../oracle/helpers';
import { settingsOf, writeTree } from './support';
import { readEnvFile } from '../../src/core/env/env-file';
import { setTrusted } from '../../src/core/vfs';

const PY = djangoPython();
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
before(async () => { await initPython(); });

function project(files: Record<string, string>): string {
  const d = writeTree(files, 'dmdb-real-');
  dirs.push(d);
  return d;
}

const MANAGE = `import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
`;

/** A project whose manage.py names mysite.settings: its files besides manage.py and mysite/__init__.py. */
function site(files: Record<string, string>): string {
  return project({ 'manage.py': MANAGE, 'mysite/__init__.py': '', ...files });
}

const SHOP_MODELS = 'from django.db import models\n\n\nclass Product(models.Model):\n    name = models.CharField(max_length=50)\n';
/** A project of manage.py (MANAGE: `mysite.settings`), the `mysite` package and the `shop` app, with `files` added. */
function shopProject(files: Record<string, string>): string {
  return project({ 'manage.py': MANAGE, 'mysite/__init__.py': '', 'shop/__init__.py': '', 'shop/models.py': SHOP_MODELS, ...files });
}

/** Settings of two SQLite databases, `default` and `other` (its file `<other>.sqlite3`), with one router. */
function twoDatabases(apps: string[], other: string, router: string): string {
  return `SECRET_KEY = "x"\nINSTALLED_APPS = ${JSON.stringify(apps)}\nDATABASE_ROUTERS = ["${router}"]\n` +
    `DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "default.sqlite3"}, "${other}": {"ENGINE": "django.db.backends.sqlite3", "NAME": "${other}.sqlite3"}}\n`;
}

/** The tables of a SQLite file of the project, after Django's `migrate --database=<alias>`. */
function migratedTables(dir: string, alias: string): string {
  manage(PY!, dir, ['migrate', `--database=${alias}`, '-v0']);
  return python(PY!, dir, `import sqlite3\nprint(sorted(r[0] for r in sqlite3.connect("${alias}.sqlite3").execute("select name from sqlite_master where type='table'")))`);
}

/** The deployment plan of a scanned project, as `plan` makes it. */
function planOf(index: ProjectIndex, dir: string): DeployPlan {
  return deploymentPlan({ databases: index.settings!.databases, plans: index.plans, applied: index.applied, migrations: index.migrations, models: index.models, routing: index.routing, hintRouting: index.hintRouting, baseDir: dir });
}

const SHOP_0001 = `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", models.CharField(max_length=50))],
        ),
    ]
`;

// The shape of a primary/replica setup as e-commerce projects write it: the replica URL defaults to the
// primary's, the replica is a test mirror, and the router routes reads and writes but says nothing about
// migrations. A third alias names the same SQLite file relatively, a fourth is a database of its own.
const REPLICA_PROJECT: Record<string, string> = {
  'manage.py': MANAGE,
  'mysite/__init__.py': '',
  'mysite/settings.py': `import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"


def sqlite_url(url, **extra):
    # what dj-database-url does for "sqlite:///<path>", in two lines
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": url.split(":///", 1)[1], **extra}


DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///" + str(BASE_DIR / "main.sqlite3"))
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", DATABASE_URL)

DATABASES = {
    "default": sqlite_url(DATABASE_URL),
    "replica": sqlite_url(DATABASE_REPLICA_URL, TEST={"MIRROR": "default"}),
    "reports": {"ENGINE": "django.db.backends.sqlite3", "NAME": "main.sqlite3"},
    "archive": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "archive.sqlite3")},
}
DATABASE_ROUTERS = ["mysite.routers.PrimaryReplicaRouter"]
INSTALLED_APPS = ["shop"]
`,
  'mysite/routers.py': `class PrimaryReplicaRouter:
    """Reads from the replica, writes to the primary; nothing about migrations."""

    def db_for_read(self, model, **hints):
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True
`,
  'shop/__init__.py': '',
  'shop/models.py': SHOP_MODELS,
  'shop/migrations/__init__.py': '',
  'shop/migrations/0001_initial.py': SHOP_0001,
};

describe('a replica that is the primary database (same URL, TEST MIRROR, router without allow_migrate)', () => {
  test('the report marks sameAs / mirrorOf; pending counted once; migrate-all runs one alias per database', async () => {
    const dir = project(REPLICA_PROJECT);
    const index = await scanProject({ root: dir, readDatabases: true, allowPython: false, env: {} });
    const r = toReport(index);
    assert.deepEqual(r.databases.map(d => [d.alias, d.sameAs ?? null, d.mirrorOf ?? null]), [
      ['default', null, null],
      ['replica', 'default', 'default'],
      ['reports', 'default', null],
      ['archive', null, null],
    ]);
    // no allow_migrate: every alias falls through to allow
    assert.ok(r.routing.every(x => x.migrate === true && x.reason === 'default'));
    for (const a of ['default', 'replica', 'reports', 'archive']) assert.deepEqual(r.plan[a], ['shop.0001_initial']);
    assert.deepEqual(r.diagnostics.filter(f => f.code === 'pending-migrations').map(f => f.alias), ['default', 'archive']);
    assert.deepEqual(['default', 'replica', 'reports', 'archive'].map(a => countsPending(index, a)), [true, false, false, true]);
    assert.equal(totalPending(index).total, 2);
    assert.equal(buildPendingModel(index, { project: 'p', trusted: true }).totalPending, 2);
    assert.deepEqual(migrateAllPlan(index), {
      aliases: ['default', 'archive'],
      skipped: [{ alias: 'replica', via: 'default', why: 'same database' }, { alias: 'reports', via: 'default', why: 'same database' }],
    });
    const text = renderTables(r, { color: false });
    assert.match(text, /replica +django\.db\.backends\.sqlite3 +\S+ +same database as default, mirror of default \(TEST\["MIRROR"\]\)/);
    assert.match(text, /^ {2}reports: counted on default \(same database as default\)$/m);
    assert.match(text, /^ {2}total: 2 pending \(each physical database once\)$/m);
  });

  test('a migration without operations is "only recorded" in the table (migrations[].noOperations; Django\'s auth.0006)', async () => {
    const dir = shopProject({
      'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
      'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
      'shop/migrations/0002_nothing.py': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = []\n',
    });
    const r = toReport(await scanProject({ root: dir, readDatabases: true, allowPython: false, env: {} }));
    assert.deepEqual(r.migrations.map(m => [m.name, m.noOperations ?? false]), [['0001_initial', false], ['0002_nothing', true]]);
    const text = renderTables(r, { color: false });
    assert.match(text, /^ {2}default: 2 pending \(1 only recorded: their operations do not run here\)$/m);
    assert.match(text, /^ {4}shop\.0002_nothing {2}only recorded$/m);
    assert.match(text, /^ {4}shop\.0001_initial$/m);
  });

  test('a replica on its own host is a mirror: counted on its primary, not migrated by migrate-all', async () => {
    const dir = project({
      ...REPLICA_PROJECT,
      'mysite/settings.py': REPLICA_PROJECT['mysite/settings.py']!.replace('DATABASE_REPLICA_URL", DATABASE_URL)', 'DATABASE_REPLICA_URL", "sqlite:///" + str(BASE_DIR / "copy.sqlite3"))'),
    });
    const index = await scanProject({ root: dir, readDatabases: true, allowPython: false, env: {} });
    const r = toReport(index);
    assert.deepEqual(r.databases.find(d => d.alias === 'replica'), { alias: 'replica', engine: 'django.db.backends.sqlite3', name: path.join(dir, 'copy.sqlite3'), mirrorOf: 'default', mirrorBy: 'TEST["MIRROR"]' });
    assert.equal(totalPending(index).total, 2);
    assert.deepEqual(migrateAllPlan(index).aliases, ['default', 'archive']);
  });

  test('after Django migrates default, the aliases of its database are up to date too (real Django)', { skip: !PY && NO_DJANGO }, async () => {
    const dir = project(REPLICA_PROJECT);
    manage(PY!, dir, ['migrate', '--database=default', '-v0']);
    const scanner = new Scanner({ root: dir, readDatabases: true, allowPython: false, env: {} });
    const index = await scanner.readState(await scanner.index());
    assert.deepEqual(index.plans, { default: [], replica: [], reports: [], archive: ['shop.0001_initial'] });
    // Django's own view: showmigrations on the alias that shares the file lists it applied
    assert.match(manage(PY!, dir, ['showmigrations', '--database=reports', 'shop']), /\[X\] 0001_initial/);
    assert.equal(totalPending(index).total, 1);
  });

  test('mirrors and shared servers equal Django\'s get_unique_databases_and_mirrors (real Django)', { skip: !PY && NO_DJANGO }, async () => {
    // server databases: no connection is made, Django groups aliases by test_db_signature (HOST, PORT, ENGINE, NAME)
    const dir = project({
      ...REPLICA_PROJECT,
      'mysite/settings.py': `SECRET_KEY = "x"
PG = "django.db.backends.postgresql"
DATABASES = {
    "default": {"ENGINE": PG, "NAME": "shop", "HOST": "db.internal", "PORT": "5432"},
    "replica": {"ENGINE": PG, "NAME": "shop", "HOST": "replica.internal", "PORT": "5432", "TEST": {"MIRROR": "default"}},
    "reporting": {"ENGINE": PG, "NAME": "shop", "HOST": "db.internal", "PORT": "5432"},
    "analytics": {"ENGINE": PG, "NAME": "analytics", "HOST": "db.internal", "PORT": "5432"},
}
INSTALLED_APPS = ["shop"]
`,
    });
    const django = JSON.parse(python(PY!, dir, `
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
django.setup()
from django.test.utils import get_unique_databases_and_mirrors
unique, mirrors = get_unique_databases_and_mirrors()
print(json.dumps({"groups": sorted(sorted(aliases) for _, aliases in unique.values()), "mirrors": mirrors}))
`));
    const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
    const mirrors = Object.fromEntries(r.databases.filter(d => d.mirrorOf).map(d => [d.alias, d.mirrorOf]));
    assert.deepEqual(mirrors, django.mirrors);
    const groups = new Map<string, string[]>();
    for (const d of r.databases.filter(x => !x.mirrorOf)) {
      const head = d.sameAs ?? d.alias;
      groups.set(head, [...(groups.get(head) ?? []), d.alias]);
    }
    assert.deepEqual([...groups.values()].map(g => g.sort()).sort(), django.groups);
  });
});

// INSTALLED_APPS taken from a package that is not installed: nothing of the list can be known
const UNKNOWN_APPS_PROJECT: Record<string, string> = {
  'manage.py': MANAGE,
  'mysite/__init__.py': '',
  'mysite/settings.py': `from company_platform.django import INSTALLED_APPS  # an internal package, not installed here

SECRET_KEY = "x"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
AUTH_USER_MODEL = "accounts.User"
`,
  // an AppConfig with its own label
  'shop/__init__.py': '',
  'shop/apps.py': 'from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n    label = "store"\n',
  'shop/models.py': SHOP_MODELS,
  'shop/migrations/__init__.py': '',
  'shop/migrations/0001_initial.py': SHOP_0001,
  'shop/migrations/0002_owner.py': `from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("store", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [
        migrations.AddField("product", "owner", models.ForeignKey(on_delete=models.CASCADE, to=settings.AUTH_USER_MODEL, null=True)),
    ]
`,
  // a custom user app without apps.py: its migrations package makes it an app
  'accounts/__init__.py': '',
  'accounts/models.py': 'from django.contrib.auth.models import AbstractUser\n\n\nclass User(AbstractUser):\n    pass\n',
  'accounts/migrations/__init__.py': '',
  'accounts/migrations/0001_initial.py': `from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]
    operations = []
`,
  // not apps: a module that happens to be called apps.py, a test fixture app, a virtualenv in the workspace
  'utils/__init__.py': '',
  'utils/apps.py': 'def installed():\n    return []\n',
  'tests/__init__.py': '',
  'tests/fixture_app/__init__.py': '',
  'tests/fixture_app/migrations/__init__.py': '',
  'tests/fixture_app/migrations/0001_initial.py': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n',
  '.venv/pyvenv.cfg': 'home = /usr/bin\n',
  'env2/pyvenv.cfg': 'home = /usr/bin\n',
  'env2/lib/pkg/__init__.py': '',
  'env2/lib/pkg/migrations/__init__.py': '',
};

describe('INSTALLED_APPS that stays unknown: the workspace apps, discovered', () => {
  test('apps with an AppConfig or a migrations package are indexed as discovered, with one finding', { skip: !PY && NO_DJANGO }, async () => {
    const dir = project(UNKNOWN_APPS_PROJECT);
    const index = await scanProject({ root: dir, python: PY, allowPython: true, env: {} });
    const r = toReport(index);
    const local = (r.apps ?? []).filter(a => !a.external);
    assert.deepEqual(local.map(a => [a.label, a.module, a.path, a.installed]), [
      ['accounts', 'accounts', 'accounts', 'discovered'],
      ['store', 'shop', 'shop', 'discovered'],
    ]);
    // the Django apps their migrations depend on (accounts → auth → contenttypes), and only those
    assert.deepEqual((r.apps ?? []).filter(a => a.external).map(a => [a.label, a.installed]), [['auth', 'discovered'], ['contenttypes', 'discovered']]);
    const found = r.diagnostics.filter(f => f.code === 'apps-discovered');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.path, 'mysite/settings.py');
    assert.match(found[0]!.message, /INSTALLED_APPS could not be evaluated \(.*company_platform/);
    assert.match(found[0]!.message, /2 apps found in the workspace/);
    const mig = new Map(r.migrations.map(m => [`${m.app}.${m.name}`, m]));
    assert.deepEqual(mig.get('store.0002_owner')?.dependencies, [['store', '0001_initial'], ['accounts', '__first__']]);
    assert.ok(mig.has('accounts.0001_initial') && mig.has('auth.0012_alter_user_first_name_max_length'));
    assert.ok(![...mig.keys()].some(k => k.startsWith('fixture_app.')), 'tests folders are fixtures');
    assert.deepEqual(r.diagnostics.filter(f => f.code === 'missing-dependency' || f.code === 'migration-graph'), []);
    assert.ok(r.models.some(m => m.app === 'store' && m.name === 'Product'));
    assert.ok(r.models.some(m => m.app === 'accounts' && m.name === 'User'));
  });

  test('only an entirely unknown list falls back; a partly known one keeps Django\'s truth', () => {
    const unknown = { name: 'INSTALLED_APPS', reason: 'from an uninstalled package' };
    assert.deepEqual(installedAppsUnknown(settingsOf({ installedApps: [], unknowns: [unknown] })), { reason: 'from an uninstalled package' });
    assert.equal(installedAppsUnknown(settingsOf({ installedApps: ['shop', null], unknowns: [{ name: 'INSTALLED_APPS[1]', reason: 'x' }] })), null);
    assert.ok(installedAppsUnknown(settingsOf({ installedApps: [null], unknowns: [{ name: 'INSTALLED_APPS[0]', reason: 'x' }] })));
    // the settings module itself could not be read
    assert.ok(installedAppsUnknown(settingsOf({ unknowns: [{ name: 'DJANGO_SETTINGS_MODULE', reason: 'could not be imported' }] })));
    // no INSTALLED_APPS at all: Django's default, an empty list, is the truth when the settings were read
    // completely, and unknown when parts of them could not be evaluated
    assert.equal(installedAppsUnknown(settingsOf({ installedApps: [], path: '/p/mysite/settings.py', databases: [{ alias: 'default', engine: 'django.db.backends.sqlite3', name: 'db' }] })), null);
    assert.match(installedAppsUnknown(settingsOf({ installedApps: [], path: '/p/mysite/settings.py' }))!.reason, /neither INSTALLED_APPS nor DATABASES/);
    assert.equal(installedAppsUnknown(settingsOf({ installedApps: [], values: { INSTALLED_APPS: [] }, unknowns: [{ name: 'X', reason: 'y' }] })), null);
    assert.match(installedAppsUnknown(settingsOf({ unknowns: [{ name: '(mysite.settings)', reason: 'raised ModuleNotFoundError' }] }))!.reason, /INSTALLED_APPS is not set by the parts of mysite\.settings that could be evaluated; 1 could not, e\.g\. \(mysite\.settings\): raised ModuleNotFoundError/);
  });

  test('class-based settings copied onto the module: the migrations are read (discovered until the evaluator follows them)', async () => {
    const dir = project({
      ...UNKNOWN_APPS_PROJECT,
      'mysite/settings.py': `import inspect
import sys


class Settings:
    SECRET_KEY = "x"

    @property
    def DATABASES(self):
        return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}

    @property
    def INSTALLED_APPS(self):
        return ["django.contrib.contenttypes", "django.contrib.auth", "shop", "accounts"]

    @classmethod
    def load(cls, module_name):
        self = cls()
        module = sys.modules[module_name]
        for name, value in inspect.getmembers(self):
            if name.isupper():
                setattr(module, name, value)


Settings.load(__name__)
`,
    });
    const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
    const names = new Set(r.migrations.map(m => `${m.app}.${m.name}`));
    for (const k of ['store.0001_initial', 'store.0002_owner', 'accounts.0001_initial']) assert.ok(names.has(k), k);
    const discovered = (r.apps ?? []).some(a => a.installed === 'discovered');
    assert.equal(r.diagnostics.filter(f => f.code === 'apps-discovered').length, discovered ? 1 : 0);
    if (!PY) return;
    // Django mode: the app registry is the truth, nothing is "discovered"
    const dj = toReport(await scanProject({ root: dir, python: PY, allowPython: true, mode: 'django', env: {} }));
    assert.equal(dj.source?.mode, 'django', dj.source?.reason ?? '');
    assert.deepEqual((dj.apps ?? []).map(a => [a.label, a.installed]), [['contenttypes', true], ['auth', true], ['store', true], ['accounts', true]]);
    assert.equal(dj.diagnostics.filter(f => f.code === 'apps-discovered').length, 0);
  });

  test('without Django in the environment the finding says why dependencies on its apps are missing', async () => {
    const dir = project(UNKNOWN_APPS_PROJECT);
    const r = toReport(await scanProject({ root: dir, allowPython: false, env: { PATH: '/nonexistent' } }));
    const found = r.diagnostics.filter(f => f.code === 'apps-discovered');
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /Django itself was not found in the Python environment used/);
    assert.deepEqual((r.apps ?? []).map(a => a.label), ['accounts', 'store']);
  });

  test('a known INSTALLED_APPS is never widened by workspace apps', async () => {
    const dir = project({
      ...UNKNOWN_APPS_PROJECT,
      'mysite/settings.py': 'SECRET_KEY = "x"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\nINSTALLED_APPS = ["shop"]\n',
    });
    const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
    assert.deepEqual((r.apps ?? []).map(a => [a.label, a.installed]), [['store', true]]);
    assert.equal(r.diagnostics.filter(f => f.code === 'apps-discovered').length, 0);
  });
});

describe('a config loader reading a YAML file through a class (authentik)', () => {
  /** authentik's loader: its YAML read where `condition` holds */
  const loader = (condition: string): Record<string, string> => ({
      'mysite/config.py': `import os
import yaml
from pathlib import Path


def get_path(root, path, default=None):
    walk = root
    for comp in path.split("."):
        if walk and comp in walk:
            walk = walk.get(comp)
        else:
            return default
    return walk


class ConfigLoader:
    def __init__(self):
        self.__config = {}
        path = Path(__file__).parent / "default.yml"
        ${condition}
            with open(path) as f:
                self.update(self.__config, yaml.safe_load(f))

    def update(self, root, updatee):
        for key, value in updatee.items():
            if isinstance(value, dict):
                root[key] = self.update(root.get(key, {}), value)
            else:
                root[key] = value
        return root

    def get(self, path, default=None):
        return get_path(self.__config, path, default)


CONFIG = ConfigLoader()


def db_config():
    db = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": CONFIG.get("postgresql.host"), "NAME": CONFIG.get("postgresql.name")}}
    for replica in CONFIG.get("postgresql.read_replicas", {}):
        db[f"replica_{replica}"] = dict(db["default"])
    return db
`,
      'mysite/default.yml': 'postgresql:\n  host: localhost\n  name: app\n  read_replicas: {}\n',
      'mysite/settings.py': `from mysite.config import db_config

DATABASES = db_config()
DATABASE_ROUTERS = ["mysite.routers.FailoverRouter"]
INSTALLED_APPS = ["shop"]
`,
      'mysite/routers.py': `from random import choice

from django.conf import settings


class FailoverRouter:
    def __init__(self):
        self.replicas = list(set(settings.DATABASES.keys()) - {"default"})

    def db_for_read(self, model, **hints):
        if self.replicas:
            return choice(self.replicas)
        return "default"

    def db_for_write(self, model, **hints):
        return "default"
`,
  });

  test('DATABASES keeps its known alias, may hold more, and a router reading its keys answers unknown', async () => {
    // (whether it can be read is not known statically)
    const dir = shopProject(loader('if path.is_file() and os.access(path, os.R_OK):'));
    const index = await scanProject({ root: dir, allowPython: false, env: {} });
    assert.deepEqual(index.settings?.databases.map(d => [d.alias, d.engine, d.host ?? null]), [['default', 'django.db.backends.postgresql', null]], 'HOST comes from the YAML file: unknown, not None');
    assert.ok(index.settings?.partial?.some(p => p.name === 'DATABASES'), 'the replicas loop over the file\'s keys: DATABASES may hold more');
    const read = index.dbRoutes?.read.find(r => r.model === 'shop.Product');
    assert.equal(read?.alias, null, 'a replica may exist: where reads go is not known');
    assert.equal(index.dbRoutes?.write.find(r => r.model === 'shop.Product')?.alias, 'default');
  });
  test('the same loader whose file is there and readable: the YAML is read, DATABASES is whole, reads go to default as Django would send them', async () => {
    const dir = shopProject(loader('if path.is_file():'));
    const index = await scanProject({ root: dir, allowPython: false, env: {} });
    assert.deepEqual(index.settings?.databases.map(d => [d.alias, d.engine, d.host ?? null, d.name ?? null]), [['default', 'django.db.backends.postgresql', 'localhost', 'app']]);
    assert.ok(!index.settings?.partial?.some(p => p.name === 'DATABASES'));
    assert.equal(index.dbRoutes?.read.find(r => r.model === 'shop.Product')?.alias, 'default');
  });
});

describe('manage.py that names the settings through a module of the project (authentik: setup())', () => {
  test('the settings module is found in the module manage.py imports', async () => {
    const dir = project({
      'manage.py': `import os
import sys

from mysite.setup import setup

setup()

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
`,
      'mysite/__init__.py': '',
      'mysite/setup.py': `import os


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.real_settings")
`,
      'mysite/real_settings.py': 'INSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
      'mysite/settings_unused.py': 'INSTALLED_APPS = []\n',
      'shop/__init__.py': '',
      'shop/models.py': SHOP_MODELS,
    });
    const index = await scanProject({ root: dir, allowPython: false, env: {} });
    assert.equal(index.settings?.module, 'mysite.real_settings');
    assert.deepEqual(index.models.map(m => m.key), ['shop.Product']);
  });
});

describe('a database whose NAME comes from an environment variable that is not set (Plane: POSTGRES_DB)', () => {
  test('not read, said as a warning naming the variable and how to give it', async () => {
    const dir = shopProject({
      'mysite/settings.py': `import os

INSTALLED_APPS = ["shop"]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ.get("POSTGRES_DB"), "HOST": "127.0.0.1", "PORT": "1"},
}
`,
    });
    const index = await scanProject({ root: dir, readDatabases: true, allowPython: false, env: {} });
    const f = index.findings.filter(x => x.code === 'database-unreachable');
    const def = f.find(x => x.alias === 'default');
    assert.equal(def?.severity, 'warning');
    assert.match(def?.message ?? '', /POSTGRES_DB/);
    assert.match(def?.message ?? '', /--env-file/);
  });
});

describe('settings that cannot be evaluated and that multi-database answers do not use', () => {
  test('SECRET_KEY or CORS_* unknown is an info; DATABASES parts unknown stay a warning', async () => {
    const dir = shopProject({
      'mysite/settings.py': `import os
from django.core.management.utils import get_random_secret_key
from corsheaders.defaults import default_headers

SECRET_KEY = os.environ.get("SECRET_KEY", get_random_secret_key())
CORS_ALLOW_HEADERS = (*default_headers, "x-api-key")
INSTALLED_APPS = ["shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "app", "HOST": os.environ["DB_HOST"]}}
`,
    });
    const index = await scanProject({ root: dir, allowPython: false, env: {} });
    const sev = (re: RegExp) => index.findings.filter(f => f.code === 'settings-unknown' && re.test(f.message)).map(f => f.severity);
    // the two the analysis does not use: one info at the first one's line, listing both
    const unused = index.findings.filter(f => f.code === 'settings-unknown' && f.severity === 'info');
    assert.equal(unused.length, 1);
    assert.equal(unused[0]!.line, 3);
    assert.match(unused[0]!.message, /^2 settings not known statically, none of which the multi-database analysis uses: SECRET_KEY: .* \(line 5\); CORS_ALLOW_HEADERS: corsheaders is not in the project .* \(line 3\)$/);
    assert.deepEqual(sev(/^DATABASES/), ['warning']);
  });
});

describe('a replica and its router set only when an environment variable is (Plane: ENABLE_READ_REPLICA)', () => {
  const files = {
    'mysite/settings.py': `import os

INSTALLED_APPS = ["shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
USE_REPLICA = os.environ.get("ENABLE_READ_REPLICA", "0") == "1"
DEBUG = os.environ.get("DEBUG") == "1"

if DEBUG:
    INSTALLED_APPS += []

if USE_REPLICA:
    DATABASES["replica"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": "replica.sqlite3"}
    DATABASE_ROUTERS = ["mysite.routers.ReplicaRouter"]
`,
    'mysite/routers.py': 'class ReplicaRouter:\n    def db_for_read(self, model, **hints):\n        return "replica"\n',
  };
  test('said as an info at the condition, naming the variable; with it set, the replica is there and nothing is said', async () => {
    const dir = shopProject(files);
    const without = await scanProject({ root: dir, allowPython: false, env: {} });
    assert.deepEqual(without.settings?.databases.map(d => d.alias), ['default']);
    const said = without.findings.filter(f => f.code === 'settings-env-dependent');
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.equal(said[0]!.severity, 'info');
    assert.equal(said[0]!.line, 11);
    assert.match(said[0]!.message, /^DATABASES and DATABASE_ROUTERS depend on ENABLE_READ_REPLICA/);
    const withIt = await scanProject({ root: dir, allowPython: false, env: { ENABLE_READ_REPLICA: '1' } });
    assert.deepEqual(withIt.settings?.databases.map(d => d.alias), ['default', 'replica']);
    assert.ok(!withIt.findings.some(f => f.code === 'settings-env-dependent'));
  });
});

describe('the human-readable findings of a project with many infos of one kind', () => {
  test('errors and warnings are all listed; infos of one code beyond a dozen are counted', () => {
    const info = (i: number) => ({ code: 'runpython-alias' as const, severity: 'info' as const, path: `app/migrations/00${i}.py`, line: 3, message: `m${i}` });
    const base = { version: 1, project: { root: '/p', settingsModule: 's', managePy: 'manage.py' }, databases: [], routers: [], models: [], routing: [], migrations: [], status: {}, plan: {} };
    const report = { ...base, diagnostics: [...Array.from({ length: 30 }, (_, i) => info(i)), { code: 'settings-unknown' as const, severity: 'warning' as const, path: 's.py', line: 1, message: 'w' }] };
    const text = renderTables(report as unknown as Parameters<typeof renderTables>[0], { color: false });
    assert.equal(text.split('\n').filter(l => l.includes('[runpython-alias]') && !l.includes('more info')).length, 5);
    assert.match(text, /… and 25 more info \[runpython-alias\] \(scan --json lists them all\)/);
    assert.match(text, /warning \[settings-unknown\] w/);
  });
});

describe('settings that replace an env-dependent DATABASES of the module they import (Kiwi: devel over common)', () => {
  test('no settings-env-dependent for a DATABASES the settings module assigns whole', async () => {
    const dir = shopProject({
      'mysite/common.py': `import os

INSTALLED_APPS = ["shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
if os.environ.get("KIWI_DB_ENGINE"):
    DATABASES["default"]["ENGINE"] = os.environ["KIWI_DB_ENGINE"]
`,
      'mysite/settings.py': 'from mysite.common import *  # noqa\n\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "devel.sqlite3"}}\n',
    });
    const index = await scanProject({ root: dir, allowPython: false, env: {} });
    assert.deepEqual(index.findings.filter(f => f.code === 'settings-env-dependent'), []);
  });
});

describe('a namespace package in the settings (Kiwi: __path__ = pkgutil.extend_path(__path__, __name__))', () => {
  test('the package\'s __path__ is defined: no settings-error', async () => {
    const dir = shopProject({
      'mysite/settings.py': 'import settings_dir  # noqa\n\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
      'settings_dir/__init__.py': '__path__ = __import__("pkgutil").extend_path(__path__, __name__)\n',
    });
    const index = await scanProject({ root: dir, allowPython: false, env: {} });
    assert.deepEqual(index.findings.filter(f => f.code === 'settings-error'), []);
    assert.deepEqual(index.settings?.databases.map(d => d.alias), ['default']);
  });
});

describe('a replica declared with the primary\'s database (same NAME): data migrations are not warned about it', () => {
  test('runpython-alias stays an info when the only other alias is the same database', async () => {
    const dir = shopProject({
      'mysite/settings.py': `INSTALLED_APPS = ["shop"]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "HOST": "db", "PORT": "5432", "USER": "u"},
    "read_replica": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "HOST": "db", "PORT": "5432", "USER": "u"},
}
`,
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': SHOP_0001,
      'shop/migrations/0002_data.py': `from django.db import migrations


def forwards(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Product.objects.filter(name="").delete()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`,
    });
    const index = await scanProject({ root: dir, allowPython: false, env: {} });
    const lints = index.findings.filter(f => f.code === 'runpython-alias');
    assert.equal(lints.length, 1);
    assert.equal(lints[0]!.severity, 'info');
  });
});

// Kolibri: DATABASES and DATABASE_ROUTERS read from a lazily built options object. When it cannot be evaluated
// (a package missing here), nothing may read as "no routers": check fails, the tables say what is not known.
test('DATABASES and DATABASE_ROUTERS that cannot be read are errors, not "no databases, no routers" (Kolibri)', async () => {
  const files = (optionsBody: string) => ({
    'mysite/conf.py': `from django.utils.functional import SimpleLazyObject\n\n\ndef _options():\n${optionsBody}\n\n\nOPTIONS = SimpleLazyObject(_options)\n`,
    'mysite/settings.py': `from .conf import OPTIONS
SECRET_KEY = "x"
INSTALLED_APPS = ["shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": OPTIONS["Database"]["NAME"]}}
DATABASE_ROUTERS = OPTIONS["Database"]["ROUTERS"]
`,
  });
  // SimpleLazyObject(func) is func(): known when func is
  const known = shopProject(files('    return {"Database": {"NAME": "kolibri.sqlite3", "ROUTERS": ["shop.routers.R"]}}'));
  const k = await new Scanner({ root: known, allowPython: false, env: {} }).index();
  assert.deepEqual(k.settings?.databases.map(d => d.name), ['kolibri.sqlite3']);
  assert.deepEqual(k.settings?.routers, ['shop.routers.R']);
  // read from a package that is not installed: not known
  const unknownDir = shopProject(files('    import configobj\n    return configobj.ConfigObj("options.ini")'));
  const u = await new Scanner({ root: unknownDir, allowPython: false, env: {} }).index();
  assert.deepEqual(u.settings?.unreadable, ['DATABASE_ROUTERS']);
  const errors = u.findings.filter(f => f.severity === 'error');
  assert.deepEqual(errors.map(f => f.code), ['settings-unknown'], JSON.stringify(u.findings));
  assert.match(errors[0]!.message, /DATABASE_ROUTERS could not be read statically/);
  assert.ok(u.routing.length && u.routing.every(d => d.migrate === null), 'routing unknown, not "no routers"');
  const text = renderTables(toReport(u), { color: false });
  assert.match(text, /routers: not known statically/);
  // DATABASES itself not a dict
  const whole = shopProject({ ...files('    import configobj\n    return configobj.ConfigObj("options.ini")'), 'mysite/settings.py': 'from .conf import OPTIONS\nSECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = OPTIONS["DATABASES"]\n' });
  const w = await new Scanner({ root: whole, allowPython: false, env: {} }).index();
  assert.deepEqual(w.settings?.unreadable, ['DATABASES']);
  assert.ok(w.findings.some(f => f.severity === 'error' && /DATABASES could not be read statically/.test(f.message)));
  const report = toReport(w);
  assert.deepEqual(report.settings?.unreadable, ['DATABASES']);
  assert.match(renderTables(report, { color: false }), /DATABASES could not be read statically/);
});

// Kolibri has no manage.py (it runs `kolibri manage`): the settings module its WSGI entry point sets is used, and
// the plan's commands are `python -m django migrate --settings=…` from the project root.
test('no manage.py: the settings module a wsgi.py sets, and plan commands through python -m django (Kolibri)', async () => {
  const dir = project({
    'kolibri/__init__.py': '',
    'kolibri/deployment/__init__.py': '',
    'kolibri/deployment/default/__init__.py': '',
    'kolibri/deployment/default/wsgi.py': 'import os\n\nos.environ.setdefault(\n    "DJANGO_SETTINGS_MODULE", "kolibri.deployment.default.settings.base"\n)\n',
    'kolibri/deployment/default/settings/__init__.py': '',
    'kolibri/deployment/default/settings/base.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'shop/__init__.py': '', 'shop/models.py': SHOP_MODELS, 'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
  });
  const index = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: true });
  assert.equal(index.settings?.module, 'kolibri.deployment.default.settings.base');
  assert.ok(index.findings.some(f => /No manage\.py: using kolibri\.deployment\.default\.settings\.base/.test(f.message)));
  const plan = planOf(index, dir);
  const sh = planToShell(plan, { managePy: null, settingsModule: index.settings!.module! });
  assert.match(sh, /python -m django migrate --noinput --database=default --settings=kolibri\.deployment\.default\.settings\.base/);
});

// etools-datamart: manage.py names the settings through a variable (a per-user module tried first, then the
// project's: `isfile` of a dotted name is always false, so Django uses the second); another manage.py names none
// statically, and its wsgi.py does
test('manage.py: the settings module assigned to a variable; else the one wsgi.py sets (etools-datamart)', async () => {
  const files = (manage: string) => project({
    'manage.py': manage,
    'src/pkg/__init__.py': '',
    'src/pkg/config/__init__.py': '',
    'src/pkg/config/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'src/pkg/config/wsgi.py': 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkg.config.settings")\n',
    'shop/__init__.py': '', 'shop/models.py': SHOP_MODELS,
  });
  const byVariable = files([
    'import os', 'import sys', '', 'if __name__ == "__main__":',
    '    sys.path.append(os.path.join(os.path.dirname(__file__), "src"))',
    '    settings_file = "pkg.config.settings._%s" % os.environ.get("USER", "")',
    '    if not os.path.isfile(settings_file):',
    '        settings_file = "pkg.config.settings"',
    '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_file)',
    '    from django.core.management import execute_from_command_line',
    '    execute_from_command_line(sys.argv)', '',
  ].join('\n'));
  const a = await new Scanner({ root: byVariable, allowPython: false, env: {} }).index();
  assert.equal(a.settings?.module, 'pkg.config.settings');
  assert.ok(!a.findings.some(f => f.code === 'settings-unknown'), JSON.stringify(a.findings.filter(f => f.code === 'settings-unknown')));
  const fromWsgi = files('import os\nimport sys\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", sys.argv[2])\n');
  const b = await new Scanner({ root: fromWsgi, allowPython: false, env: {} }).index();
  assert.equal(b.settings?.module, 'pkg.config.settings');
  assert.ok(b.findings.some(f => f.severity === 'info' && /manage\.py does not name DJANGO_SETTINGS_MODULE statically: using pkg\.config\.settings/.test(f.message)));
  if (PY) {
    // what Django runs with (manage.py's own code)
    const out = execFileSync(PY, ['manage.py', 'shell', '-c', 'import os; print(os.environ["DJANGO_SETTINGS_MODULE"])'], { cwd: byVariable, encoding: 'utf8' });
    assert.equal(out.trim().split('\n').at(-1), 'pkg.config.settings');
  }
});

test('SimpleLazyObject runs its function on first use: a function importing modules that import the module back (Kolibri conf.OPTIONS)', async () => {
  const dir = shopProject({
    'mysite/conf.py': 'from django.utils.functional import SimpleLazyObject\n\nHOME = "/srv/kolibri"\n\n\ndef _options():\n    from .options import read_options\n\n    return read_options()\n\n\nOPTIONS = SimpleLazyObject(_options)\n',
    'mysite/options.py': 'from .system import home\n\n\ndef read_options():\n    return {"Database": {"NAME": home() + "/db.sqlite3"}}\n',
    'mysite/system.py': 'from .conf import HOME, OPTIONS\n\n\ndef home():\n    return HOME\n',
    'mysite/settings.py': 'from .conf import OPTIONS\nSECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": OPTIONS["Database"]["NAME"]}}\n',
    'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
  });
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  assert.deepEqual(index.settings?.databases.map(d => d.name), ['/srv/kolibri/db.sqlite3']);
  assert.ok(!index.findings.some(f => f.severity !== 'info'), JSON.stringify(index.findings.filter(f => f.severity !== 'info')));
  if (PY) {
    // real Django agrees (the settings only: the app's models need no database)
    const out = python(PY, dir, 'import django\nfrom django.conf import settings\nprint(settings.DATABASES["default"]["NAME"])', { DJANGO_SETTINGS_MODULE: 'mysite.settings' });
    assert.equal(out.trim(), '/srv/kolibri/db.sqlite3');
  }
});

// edx-analytics-data-api: an app without migrations whose models the router sends to 'analytics'. `migrate`
// creates none of its tables (only --run-syncdb does); the scan says so, and so does the plan.
test('models of an app without migrations: migrate creates no table, the scan and the plan say so (Django venv)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = shopProject({
    'mysite/settings.py': twoDatabases(['shop', 'v0'], 'analytics', 'mysite.routers.R'),
    'mysite/routers.py': 'class R:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label == "v0":\n            return db == "analytics"\n        return db == "default"\n',
    'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
    'v0/__init__.py': '', 'v0/models.py': 'from django.db import models\n\n\nclass CourseActivity(models.Model):\n    n = models.IntegerField()\n',
  });
  const tables = migratedTables(dir, 'analytics');
  assert.ok(!tables.includes('v0_courseactivity'), tables);
  const index = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: true });
  const f = index.findings.filter(x => x.code === 'unmigrated-models');
  assert.equal(f.length, 1, JSON.stringify(index.findings));
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.message, /App 'v0' has no migrations: `migrate` creates none of its 1 table \(CourseActivity\) on 'analytics'.*--run-syncdb/);
  const plan = planOf(index, dir);
  assert.match(planToShell(plan, { notes: f.map(x => x.message) }), /# note: App 'v0' has no migrations/);
});

test('models of an app without migrations whose routing is not known statically: the scan says where they may live, not that the routers let them (etools-datamart)', async () => {
  const dir = shopProject({
    'mysite/settings.py': twoDatabases(['shop', 'v0'], 'analytics', 'mysite.routers.R'),
    'mysite/routers.py': 'import random\n\n\nclass R:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label == "v0":\n            return random.choice([True, False])\n        return db == "default"\n',
    'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
    'v0/__init__.py': '', 'v0/models.py': 'from django.db import models\n\n\nclass CourseActivity(models.Model):\n    n = models.IntegerField()\n',
  });
  const index = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false });
  assert.ok(index.routing.some(d => d.model === 'v0.CourseActivity' && d.migrate === null), 'routing unknown');
  const f = index.findings.filter(x => x.code === 'unmigrated-models');
  assert.equal(f.length, 1, JSON.stringify(index.findings));
  assert.match(f[0]!.message, /creates none of its 1 table \(CourseActivity\) wherever the routers let it live \(maybe 'default', 'analytics': the routing is not known statically\)/);
  assert.match(f[0]!.message, /^App 'v0' has no migrations: /, 'no migrations package: nothing more said');
  // a migrations package holding only __init__.py (QueueMe: `**/migrations/*.py` in .gitignore): said
  fs.mkdirSync(path.join(dir, 'v0', 'migrations'));
  fs.writeFileSync(path.join(dir, 'v0', 'migrations', '__init__.py'), '');
  const again = (await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false })).findings.filter(x => x.code === 'unmigrated-models');
  assert.match(again[0]!.message, /^App 'v0' has no migrations \(its migrations package holds only __init__\.py: are its migration files kept out of version control, made where the project is deployed\?\): /);
});

// informal-system's legacy database: the router claims its own app there and returns None for every other app, so
// Django migrates them all onto it. Django's migrate shows it; the scan says so once, at the router.
test('routing-fall-through: a dedicated database that gets every app through None (Django venv)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = shopProject({
    'mysite/settings.py': twoDatabases(['shop', 'legacy'], 'dit_legacy', 'mysite.routers.LegacyRouter'),
    'mysite/routers.py': 'class LegacyRouter:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label == "legacy":\n            return db == "dit_legacy"\n        return None\n',
    'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
    'legacy/__init__.py': '', 'legacy/models.py': 'from django.db import models\n\n\nclass AuditLog(models.Model):\n    n = models.IntegerField()\n',
    'legacy/migrations/__init__.py': '',
    'legacy/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="AuditLog", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("n", models.IntegerField())])]\n',
  });
  const tables = migratedTables(dir, 'dit_legacy');
  assert.ok(tables.includes('shop_product') && tables.includes('legacy_auditlog'), tables);
  const index = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false });
  const f = index.findings.filter(x => x.code === 'routing-fall-through');
  assert.equal(f.length, 1, JSON.stringify(index.findings));
  assert.equal(f[0]!.alias, 'dit_legacy');
  assert.match(f[0]!.message, /'dit_legacy' gets 1 model of 1 app \(shop\) only because every router returned None/);
  assert.match(f[0]!.path ?? '', /routers\.py$/);
  // a router that says False for the rest: no finding
  fs.writeFileSync(path.join(dir, 'mysite/routers.py'), 'class LegacyRouter:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label == "legacy":\n            return db == "dit_legacy"\n        if db == "dit_legacy":\n            return False\n        return None\n');
  const fixed = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false });
  assert.deepEqual(fixed.findings.filter(x => x.code === 'routing-fall-through'), []);
});

// informal-system: 0016 depends on a merge migration 0015 that is not in the repository. 0014 and 0016 are leaves
// only because of that; Django stops at the missing node, and `makemigrations --merge` cannot help.
test('a missing merge migration is a missing dependency, not a conflict to merge (Django venv)', { skip: PY ? false : NO_DJANGO }, async () => {
  const mig = (deps: string) => `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [${deps}]\n    operations = []\n`;
  const dir = shopProject({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
    'shop/migrations/0014_cover.py': mig('("shop", "0001_initial")'),
    'shop/migrations/0016_more.py': mig('("shop", "0015_merge_20260506_1239")'),
  });
  let err = '';
  try { manage(PY!, dir, ['makemigrations', '--merge', '--noinput']); } catch (e) { err = String((e as { stderr?: string }).stderr ?? e); }
  assert.match(err, /NodeNotFoundError/);
  const index = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false });
  assert.deepEqual(index.findings.filter(f => f.code === 'migration-conflict'), []);
  assert.ok(index.findings.some(f => f.code === 'missing-dependency' && f.severity === 'error' && /0015_merge_20260506_1239/.test(f.message)));
  // Django mode: Django loads no migration at all; one disagreement says why, the static reading stays
  const dj = await scanProject({ root: dir, allowPython: true, python: PY!, mode: 'django', env: {}, readDatabases: false });
  assert.equal(dj.migrations.length, index.migrations.length);
  const dis = dj.django?.disagreements.filter(d => d.kind === 'migration') ?? [];
  assert.equal(dis.length, 1, JSON.stringify(dis));
  assert.match(dis[0]!.note, /Django could not load the migrations \(NodeNotFoundError/);
  assert.ok(!(dj.django?.disagreements ?? []).some(d => d.kind === 'conflict'));
});

// informal-system: dit_legacy.DitLegacyExamResult is in models.py, and no migration creates it. Django's
// `makemigrations --check` reports it; the static scan says so too (Django mode takes the autodetector's list).
test('missing-migration statically: a model no migration of its app creates (Django venv)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = shopProject({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'shop/models.py': SHOP_MODELS + '\n\nclass ExamResult(models.Model):\n    score = models.IntegerField()\n\n\nclass Passed(ExamResult):\n    class Meta:\n        proxy = True\n',
    'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
  });
  let out = '';
  try { manage(PY!, dir, ['makemigrations', '--check', '--dry-run']); } catch (e) { out = String((e as { stdout?: string }).stdout ?? e); }
  assert.match(out, /Create model ExamResult/);
  assert.match(out, /Create proxy model Passed/);
  const index = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false });
  const f = index.findings.filter(x => x.code === 'missing-migration');
  assert.deepEqual(f.map(x => x.model), ['shop.ExamResult', 'shop.Passed']);
  assert.match(f[0]!.message, /No migration of 'shop' creates ExamResult/);
  // a proxy has no table (opal-admin's review: the message spoke of one)
  assert.match(f[1]!.message, /creates the proxy Passed: .*\(no table: it only records the proxy in the migration state\)/);
  // Django mode: the autodetector's answer replaces it (one finding, not two)
  const dj = await scanProject({ root: dir, allowPython: true, python: PY!, mode: 'django', env: {}, readDatabases: false });
  assert.equal(dj.findings.filter(x => x.code === 'missing-migration').length, 1, JSON.stringify(dj.findings.filter(x => x.code === 'missing-migration')));
});

// djangoproject.com: settings read a secrets file with a fallback (`try: … open() … except OSError`). Statically the
// file is not in the checkout: read as Django reads the settings without it, said; Django imported them, so Django
// mode says nothing of it.
test('settings values read from a file kept out of the checkout: read without it, said; known in Django mode (nothing said) (djangoproject.com)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = shopProject({
    'mysite/settings.py': 'import json\nfrom pathlib import Path\n\ntry:\n    with (Path(__file__).parent / "secrets.json").open() as f:\n        SECRETS = json.load(f)\nexcept OSError:\n    SECRETS = {}\n\n' +
      'SECRET_KEY = SECRETS.get("secret_key", "x")\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3", "HOST": SECRETS.get("db_host", "")}}\n',
    'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
  });
  const index = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false });
  assert.ok(index.findings.some(f => f.code === 'settings-assumption' && /secrets\.json is not there \(kept out of version control/.test(f.message)), JSON.stringify(index.findings.map(f => [f.code, f.message])));
  const dj = await scanProject({ root: dir, allowPython: true, python: PY!, mode: 'django', env: {}, readDatabases: false });
  assert.equal(dj.django ? 'django' : 'static', 'django');
  assert.deepEqual(dj.findings.filter(f => f.code === 'settings-unknown').map(f => f.message), []);
  // (the file is missing for Django too: what it imported is the settings without it, as the info says)
  assert.ok(dj.findings.some(f => f.code === 'settings-assumption' && /secrets\.json is not there/.test(f.message)));
});

// onadata: a PostGIS database. Its backend's operations module imports two unmanaged models of `gis`, which Django
// registers when it connects; Django mode listed them and said the static analysis had not found them.
test('a PostGIS database with django.contrib.gis installed: the backend\'s two unmanaged gis models, as Django registers them (onadata; Django venv)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = shopProject({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.gis", "shop"]\nDATABASES = {"default": {"ENGINE": "django.contrib.gis.db.backends.postgis", "NAME": "x"}}\n',
    'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
  });
  const index = await scanProject({ root: dir, allowPython: false, python: PY!, env: {}, readDatabases: false });
  const gis = index.models.filter(m => m.app === 'gis').map(m => `${m.key} ${m.managed ? 'managed' : 'unmanaged'}`);
  assert.deepEqual(gis, ['gis.PostGISGeometryColumns unmanaged', 'gis.PostGISSpatialRefSys unmanaged']);
  // the same as Django: no disagreement about the models
  const dj = await scanProject({ root: dir, allowPython: true, python: PY!, mode: 'django', env: {}, readDatabases: false });
  assert.deepEqual(dj.django?.disagreements.filter(d => d.kind === 'model') ?? ['not asked'], []);
  // SQLite: nothing of gis's backends
  fs.writeFileSync(path.join(dir, 'mysite/settings.py'), 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.gis", "shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}\n');
  assert.deepEqual((await scanProject({ root: dir, allowPython: false, python: PY!, env: {}, readDatabases: false })).models.filter(m => m.app === 'gis'), []);
});

// etools-datamart: core.User(AbstractUser) is AUTH_USER_MODEL; with no Django in the environment read, its base is not
// resolved, and it was left out of the models without a word (a class of a missing package's models module too).
test('a model whose base cannot be resolved: the class AUTH_USER_MODEL names, one from a models module: read as models, said (etools-datamart)', async () => {
  const dir = site({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["a"]\nAUTH_USER_MODEL = "a.User"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "d"}}\n',
    'a/__init__.py': '',
    // (someauth: a package not installed, whose class is named like no model: only AUTH_USER_MODEL says it is one)
    'a/models.py': 'from django.db import models\nfrom someauth import AbstractUser\nfrom somepkg import models as sm\n\n\n' +
      'class User(AbstractUser):\n    pass\n\n\nclass Thing(sm.Base):\n    pass\n\n\nclass Kept(models.Model):\n    x = models.IntegerField(default=0)\n',
  });
  const index = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false });
  assert.deepEqual(index.models.map(m => m.key).sort(), ['a.Kept', 'a.Thing', 'a.User']);
  const said = index.findings.filter(f => f.code === 'parse-error').map(f => f.message);
  assert.ok(said.some(m => /base class AbstractUser of User could not be resolved/.test(m)), JSON.stringify(said));
  assert.ok(said.some(m => /base class sm\.Base of Thing could not be resolved \(somepkg is not installed/.test(m)), JSON.stringify(said));
});

// kpi: the second database exists only with KC_DATABASE_URL set. Code naming it is no error of the project's: the
// alias may exist where the project runs, and the finding says what it depends on.
test('unknown-alias when DATABASES depends on an unset variable: a warning naming it, nothing with it set (kpi)', async () => {
  const dir = shopProject({
    'mysite/settings.py': 'import os\nSECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\nif os.environ.get("KC_DATABASE_URL"):\n    DATABASES["kobocat"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["KC_DATABASE_URL"]}\n',
    'shop/checks.py': 'from django.db import connections\n\n\ndef check_kobocat():\n    with connections["kobocat"].cursor() as c:\n        c.execute("select 1")\n',
    'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': SHOP_0001,
  });
  const without = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false });
  const f = without.findings.filter(x => x.code === 'unknown-alias');
  assert.equal(f.length, 1, JSON.stringify(without.findings));
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.message, /DATABASES depends on KC_DATABASE_URL, not set here: it may exist where the project runs/);
  const withEnv = await scanProject({ root: dir, allowPython: false, env: { KC_DATABASE_URL: 'kc.sqlite3' }, readDatabases: false });
  assert.deepEqual(withEnv.findings.filter(x => x.code === 'unknown-alias'), []);
});

// bustimes: a router from a package that is not installed. Every model's routing is unknown for that one reason:
// one finding says so (not one per model), without a location that is no file.
test('a router that cannot be loaded: one unknown-routing finding for its many models, no pseudo-path (bustimes)', async () => {
  const models = Array.from({ length: 12 }, (_, i) => `class M${i}(models.Model):\n    n = models.IntegerField()\n`).join('\n\n');
  const dir = shopProject({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASE_ROUTERS = ["multidb.PinningReplicaRouter"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'shop/models.py': `from django.db import models\n\n\n${models}`,
  });
  const index = await scanProject({ root: dir, allowPython: false, env: {}, readDatabases: false });
  const unknown = index.findings.filter(f => f.code === 'unknown-routing');
  assert.ok(!unknown.some(f => f.path && !path.isAbsolute(f.path)), JSON.stringify(unknown.map(f => f.path)));
  const grouped = unknown.filter(f => /^Where 12 models \(shop\.M0, shop\.M1, shop\.M2, shop\.M3, …\) are migrated cannot be decided statically/.test(f.message));
  assert.equal(grouped.length, 1, JSON.stringify(unknown.map(f => f.message)));
  assert.equal(unknown.filter(f => f.model?.startsWith('shop.M')).length, 0);
  // both findings point at DATABASE_ROUTERS (the warning had no place; the info was at the first model: etools)
  for (const f of unknown) assert.deepEqual([f.path, f.line], [path.join(dir, 'mysite', 'settings.py'), 3], JSON.stringify(f));
});

test('a settings module that does not exist (RapidPro\'s deployer-made temba.settings): an error (check fails), nothing known of routers or AUTH_USER_MODEL, the modules near it named, nothing derived claimed', async () => {
  const mig = (deps: string) => `from django.conf import settings\nfrom django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [${deps}]\n    operations = []\n`;
  const dir = project({
    'manage.py': MANAGE.replace('mysite.settings', 'temba.settings'),
    'temba/__init__.py': '',
    'temba/settings_common.py': 'INSTALLED_APPS = ["temba.users", "temba.ai"]\nAUTH_USER_MODEL = "users.User"\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "temba"}}\n',
    'temba/settings_dev.py': 'from .settings_common import *  # noqa\n',
    'temba/helpers.py': 'X = 1\n',
    'temba/users/__init__.py': '',
    'temba/users/models.py': 'from django.contrib.auth.models import AbstractUser\n\n\nclass User(AbstractUser):\n    pass\n',
    'temba/users/migrations/__init__.py': '',
    'temba/users/migrations/0001_initial.py': mig('("auth", "0012_alter_user_first_name_max_length")'),
    'temba/ai/__init__.py': '',
    'temba/ai/migrations/__init__.py': '',
    'temba/ai/migrations/0001_initial.py': mig('migrations.swappable_dependency(settings.AUTH_USER_MODEL), ("users", "0001_initial")'),
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(r.project.settingsFound, false);
  assert.deepEqual(r.settings?.unreadable, ['DATABASES', 'DATABASE_ROUTERS']);
  const text = renderTables(r, { color: false } as Parameters<typeof renderTables>[1]);
  assert.match(text, /settings: temba\.settings \(not found: see Findings\)/);
  assert.match(text, /routers: not known \(the settings module was not found\)/);
  assert.doesNotMatch(text, /every model migrates everywhere/);
  const notFound = r.diagnostics.find(d => d.code === 'settings-unknown' && /was not found/.test(d.message));
  assert.match(notFound!.message, /settings modules near it: temba\.settings_common, temba\.settings_dev \(choose one with --settings/);
  // the swappable dependency is not taken for auth's; a dependency on an app of the environment is an info
  assert.deepEqual(r.migrations.find(m => m.app === 'ai')!.dependencies, [['users', '0001_initial']]);
  // the missing module itself is an error (Django stops there; a `check` in CI must not pass having checked nothing),
  // and the only one: nothing derived from it is claimed
  const errors = r.diagnostics.filter(d => d.severity === 'error');
  assert.deepEqual(errors.map(d => d.code), ['settings-unknown']);
  assert.match(errors[0]!.message, /was not found .*Django cannot start with it \(ModuleNotFoundError\)/);
  const authDep = r.diagnostics.find(d => d.code === 'missing-dependency');
  assert.equal(authDep?.severity, 'info');
  assert.match(authDep!.message, /INSTALLED_APPS could not be read/);
  // named on purpose (--settings) and not there: an error, which fails check
  const typo = toReport(await scanProject({ root: dir, allowPython: false, env: {}, settingsModule: 'temba.settings_devv' }));
  assert.equal(typo.diagnostics.find(d => /settings module temba\.settings_devv was not found/.test(d.message))?.severity, 'error');
  // with the settings named: read as usual
  const dev = toReport(await scanProject({ root: dir, allowPython: false, env: {}, settingsModule: 'temba.settings_dev' }));
  assert.equal(dev.project.settingsFound, undefined);
  assert.deepEqual(dev.databases.map(d => d.alias), ['default']);
  assert.deepEqual(dev.migrations.find(m => m.app === 'ai')!.dependencies, [['users', '__first__'], ['users', '0001_initial']]);
});

test('manage.py naming a settings module not in the workspace: the one the project\'s CI or containers set is read instead, with a warning (RapidPro\'s workflow runs temba.settings_dev)', async () => {
  const dir = project({
    'manage.py': MANAGE.replace('mysite.settings', 'temba.settings'),
    'temba/__init__.py': '',
    'temba/wsgi.py': 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "temba.settings")\n',
    'temba/settings_common.py': 'INSTALLED_APPS = ["temba.orgs"]\n_db = {"ENGINE": "django.db.backends.postgresql", "NAME": "temba"}\nDATABASES = {"default": _db, "readonly": _db.copy()}\n',
    'temba/settings_dev.py': 'from .settings_common import *  # noqa\n',
    'temba/orgs/__init__.py': '',
    'temba/orgs/models.py': 'from django.db import models\n\n\nclass Org(models.Model):\n    name = models.CharField(max_length=64)\n',
    // a module that does not exist here either is passed over; the first that does is read
    '.github/workflows/ci.yml': 'name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      DJANGO_SETTINGS_MODULE: temba.settings_ci\n    steps:\n      - run: |\n          export DJANGO_SETTINGS_MODULE=temba.settings_dev\n          python manage.py test\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(r.project.settingsModule, 'temba.settings_dev');
  assert.equal(r.project.settingsFound, undefined);
  assert.deepEqual(r.databases.map(d => [d.alias, d.sameAs ?? null]), [['default', null], ['readonly', 'default']]);
  assert.deepEqual(r.models.map(m => `${m.app}.${m.name}`), ['orgs.Org']);
  const chosen = r.diagnostics.find(d => d.code === 'settings-unknown' && /manage\.py names temba\.settings,/.test(d.message));
  assert.equal(chosen?.severity, 'warning');
  assert.equal(chosen?.path, '.github/workflows/ci.yml');
  assert.match(chosen!.message, /which is not in the workspace .*: using temba\.settings_dev, the settings module \.github\/workflows\/ci\.yml sets DJANGO_SETTINGS_MODULE to \(--settings/);
  assert.equal(r.diagnostics.filter(d => d.severity === 'error').length, 0);
  // a Compose file comes first (its `environment:` list, the default of `${VAR-…}`); the CI's is named beside it
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: temba\n    environment:\n      - DEBUG=1\n      - DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE-temba.settings_common}\n');
  const compose = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(compose.project.settingsModule, 'temba.settings_common');
  assert.match(compose.diagnostics.find(d => /manage\.py names temba\.settings,/.test(d.message))!.message, /docker-compose\.yml sets DJANGO_SETTINGS_MODULE to; also named: temba\.settings_dev \(\.github\/workflows\/ci\.yml\)/);
  // the environment's DJANGO_SETTINGS_MODULE is used as given (not found: the error, as before)
  const env = toReport(await scanProject({ root: dir, allowPython: false, env: { DJANGO_SETTINGS_MODULE: 'temba.settings' } }));
  assert.equal(env.project.settingsFound, false);
});

test('the CI and Compose files read for the settings are inputs like the Python files: an edit of one, told to the scanner as the watcher tells it, is seen by the next index', async () => {
  const dir = project({
    'manage.py': MANAGE.replace('mysite.settings', 'temba.settings'),
    'temba/__init__.py': '',
    'temba/settings_common.py': 'INSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "common.db"}}\n',
    'temba/settings_dev.py': 'from .settings_common import *  # noqa\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "dev.db"}, "readonly": {"ENGINE": "django.db.backends.sqlite3", "NAME": "dev.db"}}\n',
    '.github/workflows/ci.yml': 'jobs:\n  test:\n    env:\n      DJANGO_SETTINGS_MODULE: temba.settings_dev\n',
  });
  setTrusted(true);
  try {
    const scanner = new Scanner({ root: dir, allowPython: false, env: {} });
    assert.equal((await scanner.index()).settings?.module, 'temba.settings_dev');
    const ci = path.join(dir, '.github', 'workflows', 'ci.yml');
    fs.writeFileSync(ci, 'jobs:\n  test:\n    env:\n      DJANGO_SETTINGS_MODULE: temba.settings_common\n');
    scanner.invalidate(ci);
    const after = await scanner.index();
    assert.equal(after.settings?.module, 'temba.settings_common');
    assert.deepEqual(after.settings?.databases.map(d => d.alias), ['default']);
    // a Compose file that appears (a listing read) comes first
    const compose = path.join(dir, 'compose.yaml');
    fs.writeFileSync(compose, 'services:\n  web:\n    environment:\n      DJANGO_SETTINGS_MODULE: temba.settings_dev\n');
    scanner.invalidate(compose);
    assert.equal((await scanner.index()).settings?.module, 'temba.settings_dev');
  } finally {
    setTrusted(false);
  }
});

test('settings that cannot be read without a variable the project\'s CI sets (NetBox\'s NETBOX_CONFIGURATION, whose default module is the deployer\'s): read with the CI\'s value, with a warning', async () => {
  const dir = project({
    'netbox/manage.py': MANAGE.replace('mysite.settings', 'netbox.settings'),
    'netbox/netbox/__init__.py': '',
    'netbox/netbox/settings.py': [
      'import importlib',
      'import os',
      '',
      'from django.core.exceptions import ImproperlyConfigured',
      '',
      "config_path = os.getenv('NETBOX_CONFIGURATION', 'netbox.configuration')",
      'try:',
      '    configuration = importlib.import_module(config_path)',
      'except ModuleNotFoundError as e:',
      '    if e.name == config_path:',
      "        raise ImproperlyConfigured(f'Specified configuration module ({config_path}) not found.')",
      '    raise',
      '',
      "SECRET_KEY = getattr(configuration, 'SECRET_KEY')",
      "DATABASES = getattr(configuration, 'DATABASES')",
      "INSTALLED_APPS = ['dcim']",
      '',
    ].join('\n'),
    'netbox/netbox/configuration_example.py': "SECRET_KEY = ''\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'netbox'}}\n",
    'netbox/netbox/configuration_testing.py': "SECRET_KEY = 'x' * 50\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'netbox', 'PASSWORD': 'netbox'}, 'replica': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'netbox_ro'}}\n",
    'netbox/dcim/__init__.py': '',
    'netbox/dcim/models.py': 'from django.db import models\n\n\nclass Site(models.Model):\n    name = models.CharField(max_length=64)\n',
  });
  // without the CI's workflow: not known, as Django says
  const bare = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.deepEqual(bare.settings?.unreadable?.includes('DATABASES'), true);
  assert.equal(bare.databases.length, 0);
  fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.github', 'workflows', 'ci.yml'), 'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      NETBOX_CONFIGURATION: netbox.configuration_testing\n      PYTHON: ${{ matrix.python }}\n    steps:\n      - run: python netbox/manage.py test\n');
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.deepEqual(r.databases.map(d => d.alias), ['default', 'replica']);
  assert.deepEqual(r.models.map(m => `${m.app}.${m.name}`), ['dcim.Site']);
  const said = r.diagnostics.find(d => /could not be read with NETBOX_CONFIGURATION not set here/.test(d.message));
  assert.equal(said?.severity, 'warning');
  assert.equal(said?.path, '.github/workflows/ci.yml');
  assert.match(said!.message, /read as \.github\/workflows\/ci\.yml sets it \(NETBOX_CONFIGURATION=netbox\.configuration_testing\); set it in an env file/);
  assert.equal(r.diagnostics.filter(d => d.severity === 'error').length, 0, JSON.stringify(r.diagnostics.filter(d => d.severity === 'error')));
  // the password the CI's configuration holds is not in the report
  assert.doesNotMatch(JSON.stringify(r), /"netbox","PASSWORD"|PASSWORD":"netbox/);
  // set here (an env file, the environment): that value, and no word of the CI's
  const own = toReport(await scanProject({ root: dir, allowPython: false, env: { NETBOX_CONFIGURATION: 'netbox.configuration_example' } }));
  assert.deepEqual(own.databases.map(d => d.alias), ['default']);
  assert.equal(own.diagnostics.some(d => /ci\.yml/.test(d.message)), false);
});

test('DATABASES empty without variables a Compose file sets (Mathesar\'s POSTGRES_*): read with those, not with the other variables it sets; no password said', async () => {
  const dir = project({
    'manage.py': MANAGE,
    'mysite/__init__.py': '',
    'mysite/settings.py': [
      'import os',
      '',
      "DEBUG = os.environ.get('DEBUG') == '1'",
      "INSTALLED_APPS = ['shop'] + (['debug_toolbar'] if DEBUG else [])",
      'DATABASES = {}',
      "if os.environ.get('POSTGRES_DB'):",
      "    DATABASES['default'] = {'ENGINE': 'django.db.backends.postgresql', 'NAME': os.environ['POSTGRES_DB'], 'PASSWORD': os.environ.get('POSTGRES_PASSWORD')}",
      '',
    ].join('\n'),
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
    'docker-compose.yml': 'services:\n  web:\n    environment:\n      DEBUG: "1"\n      POSTGRES_DB: shop\n      POSTGRES_PASSWORD: s3cret-pw\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.deepEqual(r.databases.map(d => [d.alias, d.engine, d.name]), [['default', 'django.db.backends.postgresql', 'shop']]);
  const said = r.diagnostics.find(d => /not set here: read as/.test(d.message));
  assert.match(said!.message, /^DATABASES is empty with POSTGRES_DB, POSTGRES_PASSWORD not set here: read as docker-compose\.yml sets them; set them in an env file/);
  assert.equal(r.diagnostics.some(d => /debug_toolbar/.test(d.message)), false, 'DEBUG from the Compose file is not applied');
  assert.doesNotMatch(JSON.stringify(r), /s3cret-pw/);
});

test('manage.py that requires DJANGO_SETTINGS_MODULE from .env: the one .env.example sets, else CircleCI\'s; never the empty settings package (EveryElection)', async () => {
  const dir = project({
    'manage.py': 'import os\nimport sys\n\nimport dotenv\nfrom django.core.exceptions import ImproperlyConfigured\n\nif __name__ == "__main__":\n    dotenv.load_dotenv()\n    if not os.environ.get("DJANGO_SETTINGS_MODULE"):\n        raise ImproperlyConfigured("You must explicitly set DJANGO_SETTINGS_MODULE")\n',
    'every_election/__init__.py': '',
    'every_election/settings/__init__.py': '',
    'every_election/settings/base.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["every_election.apps.elections"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "every_election"}}\n',
    'every_election/settings/dev.py': 'from .base import *  # noqa\nDATABASES["default"]["NAME"] = "ee_dev"\n',
    'every_election/settings/deploy.py': 'from .base import *  # noqa\nDATABASES["default"]["NAME"] = "ee_deploy"\n',
    'every_election/apps/__init__.py': '',
    'every_election/apps/elections/__init__.py': '',
    'every_election/apps/elections/models.py': 'from django.db import models\n\n\nclass Election(models.Model):\n    slug = models.CharField(max_length=100)\n',
    '.env.example': 'DJANGO_SETTINGS_MODULE=every_election.settings.dev\n\nEE_DATABASE_NAME=every_election\nEE_DATABASE_PASSWORD=TODO\n',
    '.env.production': 'DJANGO_SETTINGS_MODULE=every_election.settings.nowhere\n',
    '.circleci/config.yml': 'version: 2.1\njobs:\n  build_and_test:\n    docker:\n      - image: cimg/python:3.12-browsers\n        environment:\n          CIRCLECI: true\n          DJANGO_SETTINGS_MODULE: every_election.settings.deploy\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(r.project.settingsModule, 'every_election.settings.dev');
  assert.deepEqual(r.databases.map(d => d.name), ['ee_dev']);
  const said = r.diagnostics.find(d => /sets DJANGO_SETTINGS_MODULE to/.test(d.message))!;
  assert.equal(said.path, '.env.example');
  assert.match(said.message, /^manage\.py does not name DJANGO_SETTINGS_MODULE statically: using every_election\.settings\.dev, the settings module \.env\.example sets DJANGO_SETTINGS_MODULE to/);
  const cs = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {} }).settingsCandidates();
  assert.deepEqual(cs.map(c => [c.module, c.sources.map(x => x.kind).join('+')]), [
    ['every_election.settings.dev', 'in-use+env-file'], ['every_election.settings.deploy', 'deploy'], ['every_election.settings.base', 'beside'],
  ]);
  // without the template: CircleCI's
  fs.rmSync(path.join(dir, '.env.example'));
  const ci = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(ci.project.settingsModule, 'every_election.settings.deploy');
  assert.equal(ci.diagnostics.find(d => /sets DJANGO_SETTINGS_MODULE to/.test(d.message))!.path, '.circleci/config.yml');
  // without either: not the empty settings package (it sets nothing)
  fs.rmSync(path.join(dir, '.circleci'), { recursive: true });
  const none = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.notEqual(none.project.settingsModule, 'every_election.settings');
});

test('the order of the settings modules named outside manage.py: env files, containers, pytest, test env files, then CI (GitLab\'s too); a settings package choosing its module under if/try is read (a review)', async () => {
  const base = {
    'manage.py': 'import sys\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n',
    'proj/__init__.py': '',
    'proj/settings/__init__.py': '',
    'proj/settings/base.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "base.sqlite3"}}\n',
    'proj/settings/test.py': 'from .base import *  # noqa\nDATABASES["default"]["NAME"] = "test.sqlite3"\n',
    'proj/settings/ci.py': 'from .base import *  # noqa\nDATABASES["default"]["NAME"] = "ci.sqlite3"\n',
    'pytest.ini': '[pytest]\nDJANGO_SETTINGS_MODULE = proj.settings.test\n',
  };
  const chosen = async (dir: string) => toReport(await scanProject({ root: dir, allowPython: false, env: {} })).project.settingsModule;
  // GitLab CI's variables come after pytest, as a GitHub workflow's do; a job named `build:` is no Compose build
  const gitlab = project({ ...base, '.gitlab-ci.yml': 'variables:\n  DJANGO_SETTINGS_MODULE: proj.settings.ci\nbuild:\n  script: make\n' });
  assert.equal(await chosen(gitlab), 'proj.settings.test');
  fs.rmSync(path.join(gitlab, 'pytest.ini'));
  assert.equal(await chosen(gitlab), 'proj.settings.ci');
  // a test env file comes after the image's settings (and after pytest's)
  const testEnv = project({ ...base, '.env.test': 'DJANGO_SETTINGS_MODULE=proj.settings.ci\n', Dockerfile: 'FROM python:3.12\nENV DJANGO_SETTINGS_MODULE=proj.settings.base\n' });
  assert.equal(await chosen(testEnv), 'proj.settings.base');
  fs.rmSync(path.join(testEnv, 'Dockerfile'));
  assert.equal(await chosen(testEnv), 'proj.settings.test');
  fs.rmSync(path.join(testEnv, 'pytest.ini'));
  assert.equal(await chosen(testEnv), 'proj.settings.ci');
  // a settings package whose __init__ picks its module under an if (or a try) is the lone settings module
  for (const init of [
    'import os\nif os.environ.get("DJANGO_ENV") == "production":\n    from .production import *  # noqa\nelse:\n    from .development import *  # noqa\n',
    'try:\n    from .production import *  # noqa\nexcept ImportError:\n    from .development import *  # noqa\n',
  ]) {
    const dir = project({
      'manage.py': 'import sys\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n',
      'proj/__init__.py': '',
      'proj/settings/__init__.py': init,
      'proj/settings/development.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "dev.sqlite3"}, "archive": {"ENGINE": "django.db.backends.sqlite3", "NAME": "arch.sqlite3"}}\n',
    });
    const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
    assert.equal(r.project.settingsModule, 'proj.settings');
    assert.deepEqual(r.databases.map(d => d.alias), ['default', 'archive']);
  }
});

test('a manage.py inside its package, settings from pytest.ini, sibling installable packages (Baserow\'s layout)', async () => {
  const app = (pkg: string, model: string) => ({
    [`${pkg}/__init__.py`]: '',
    [`${pkg}/apps.py`]: `from django.apps import AppConfig\n\n\nclass Config(AppConfig):\n    name = "${pkg.split('/').pop()}"\n`,
    [`${pkg}/models.py`]: `from django.db import models\n\n\nclass ${model}(models.Model):\n    n = models.IntegerField()\n`,
  });
  const dir = project({
    'backend/pyproject.toml': '[project]\nname = "baserow"\n\n[tool.setuptools.packages.find]\nwhere = ["src/"]\n',
    'backend/pytest.ini': '[pytest]\nDJANGO_SETTINGS_MODULE = baserow.config.settings.test\npython_files = test_*.py\nenv =\n    DJANGO_SETTINGS_MODULE = baserow.config.settings.other\n',
    'backend/src/baserow/__init__.py': '',
    'backend/src/baserow/manage.py': 'import sys\n\n\ndef main():\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
    'backend/src/baserow/config/__init__.py': '',
    'backend/src/baserow/config/settings/__init__.py': '',
    'backend/src/baserow/config/settings/base.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["baserow.core", "baserow_premium"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'backend/src/baserow/config/settings/test.py': 'from copy import deepcopy\n\nfrom .base import *  # noqa\n\nDATABASES["default-copy"] = deepcopy(DATABASES["default"])\n',
    ...app('backend/src/baserow/core', 'Workspace'),
    'premium/backend/setup.py': 'from setuptools import setup\nsetup(name="baserow_premium")\n',
    ...app('premium/backend/src/baserow_premium', 'License'),
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(r.project.settingsModule, 'baserow.config.settings.test');
  assert.match(r.diagnostics.find(d => /pytest is configured with/.test(d.message))!.message, /using baserow\.config\.settings\.test, the settings module pytest is configured with/);
  assert.deepEqual(r.databases.map(d => [d.alias, d.sameAs ?? null]), [['default', null], ['default-copy', 'default']]);
  assert.deepEqual(r.models.map(m => `${m.app}.${m.name}`).sort(), ['baserow_premium.License', 'core.Workspace']);
  // its Dockerfile (read with dockerfile-ast): the image `docker build` makes sets base in its last stage, built FROM
  // core (its base stage's value, overridden, is not named); the dev stage's module is named beside it. A container's
  // settings come before pytest's; CI's after
  fs.writeFileSync(path.join(dir, 'backend/Dockerfile'), [
    'FROM debian:bookworm-slim AS base', 'ENV PYTHONUNBUFFERED=1 \\', '    DJANGO_SETTINGS_MODULE=baserow.config.settings.missing', 'FROM base AS core', 'ENV BASEROW_PLUGIN_DIR=/baserow/data/plugins',
    'FROM core AS dev', "ENV DJANGO_SETTINGS_MODULE='baserow.config.settings.dev'", 'CMD ["django-dev"]',
    'FROM core AS local', "ENV DJANGO_SETTINGS_MODULE='baserow.config.settings.base'", 'CMD ["gunicorn"]', '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'backend/src/baserow/config/settings/dev.py'), 'from .base import *  # noqa\nDEBUG = True\n');
  const docker = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(docker.project.settingsModule, 'baserow.config.settings.base');
  assert.deepEqual(docker.databases.map(d => d.alias), ['default']);
  const said = docker.diagnostics.find(d => /sets DJANGO_SETTINGS_MODULE to/.test(d.message))!;
  assert.equal(said.path, 'backend/Dockerfile');
  assert.equal(said.line, 10);
  assert.match(said.message, /using baserow\.config\.settings\.base, the settings module backend\/Dockerfile sets DJANGO_SETTINGS_MODULE to; also named: baserow\.config\.settings\.dev \(backend\/Dockerfile\)/);
  const cs = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {} }).settingsCandidates();
  assert.deepEqual(cs.filter(c => c.sources.some(x => x.kind === 'deploy')).map(c => c.module), ['baserow.config.settings.base', 'baserow.config.settings.dev']);
  // a Dockerfile only a Compose service names (`build: {context, dockerfile}`) is read too
  fs.renameSync(path.join(dir, 'backend/Dockerfile'), path.join(dir, 'backend/docker.build'));
  fs.writeFileSync(path.join(dir, 'backend/docker-compose.yml'), 'services:\n  backend:\n    build:\n      context: .\n      dockerfile: docker.build\n');
  const built = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(built.project.settingsModule, 'baserow.config.settings.base');
});

test('an ASGI entry point naming an empty settings package is passed over for the settings pytest is configured with (AWX)', async () => {
  const dir = project({
    'manage.py': 'if __name__ == "__main__":\n    from awx import manage\n\n    manage()\n',
    'awx/__init__.py': 'def manage():\n    pass\n',
    'awx/asgi.py': 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "awx.settings")\n',
    'awx/settings/__init__.py': '',
    'awx/settings/defaults.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["awx.main"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "awx.sqlite3"}}\n',
    'awx/main/__init__.py': '',
    'awx/main/tests/__init__.py': '',
    'awx/main/tests/settings_for_test.py': 'from awx.settings.defaults import *  # noqa\n',
    'pytest.ini': '[pytest]\nDJANGO_SETTINGS_MODULE = awx.main.tests.settings_for_test\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(r.project.settingsModule, 'awx.main.tests.settings_for_test');
  assert.deepEqual(r.databases.map(d => d.alias), ['default']);
  // the module manage.py imports names it by an expression, evaluated there: MODE from whether awx.devonly imports
  fs.writeFileSync(path.join(dir, 'awx/__init__.py'), 'import os\n\ntry:\n    import awx.devonly  # noqa\n\n    MODE = "development"\nexcept ImportError:\n    MODE = "production"\n\n\ndef prepare_env():\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awx.settings.%s" % MODE)\n\n\ndef manage():\n    prepare_env()\n');
  fs.writeFileSync(path.join(dir, 'awx/devonly.py'), '');
  fs.writeFileSync(path.join(dir, 'awx/settings/development.py'), 'from .defaults import *  # noqa\nDEBUG = True\n');
  const dev = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.equal(dev.project.settingsModule, 'awx.settings.development');
});

test('settings that import a local module where it exists (try: from .local import * / except ImportError): DATABASES may hold more, alias findings are warnings (SoloTodo)', async () => {
  const dir = site({
    'mysite/settings/__init__.py': 'from .defaults import *  # noqa\n\ntry:\n    from .local import *  # noqa\nexcept ImportError:\n    pass\n',
    'mysite/settings/defaults.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import connections, models\n\n\nclass Banner(models.Model):\n    n = models.IntegerField()\n\n    def rows(self):\n        return connections["warehouse"].cursor()\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  const alias = r.diagnostics.find(d => d.code === 'unknown-alias');
  assert.equal(alias?.severity, 'warning', JSON.stringify(r.diagnostics.map(d => [d.code, d.severity])));
  assert.match(alias!.message, /DATABASES may hold more entries than the known ones: it may exist where the project runs/);
  assert.match(r.diagnostics.find(d => d.code === 'settings-partial')!.message, /the settings import mysite\.settings\.local where it exists \(not in the workspace/);
  // with the local module there, it is read: nothing partial
  fs.writeFileSync(path.join(dir, 'mysite/settings/local.py'), 'from .defaults import DATABASES\n\nDATABASES["warehouse"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": "w.sqlite3"}\n');
  const local = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.deepEqual(local.databases.map(d => d.alias), ['default', 'warehouse']);
  assert.ok(!local.diagnostics.some(d => d.code === 'settings-partial' || d.code === 'unknown-alias'));
});

test('an absolute `from local_settings import *` in a try (NAV: its config folder is on sys.path where it runs): as a local module, the routing known, DATABASES and routers may hold more', async () => {
  const dir = site({
    'mysite/settings.py': 'import sys\nsys.path.append("/etc/nav")\nSECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n\ntry:\n    from local_settings import *  # noqa\nexcept ImportError:\n    pass\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Banner(models.Model):\n    n = models.IntegerField()\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  // it said "DATABASE_ROUTERS may come from local_settings, which is not installed" (an error) and every model "?"
  assert.deepEqual(r.diagnostics.filter(d => d.severity === 'error'), []);
  assert.deepEqual(r.routing.map(d => [d.model, d.alias, d.migrate]), [['shop.Banner', 'default', true]]);
  const partial = r.diagnostics.filter(d => d.code === 'settings-partial').map(d => d.message);
  assert.ok(partial.some(m => /^DATABASES .*the settings import local_settings where it exists/.test(m)), JSON.stringify(partial));
  assert.ok(partial.some(m => /^DATABASE_ROUTERS .*which may set routers/.test(m)), JSON.stringify(partial));
  assert.match(renderTables(r, { color: false } as Parameters<typeof renderTables>[1]), /routers: \(none read; others may be set where the project runs: see Findings\)/);
});

test('a local settings file used before DATABASES and DATABASE_ROUTERS are assigned whole (corpora: then a base module star-imported): nothing it could change, nothing said', async () => {
  const dir = site({
    'mysite/settings.py': 'try:\n    from .local_settings import *  # noqa\nexcept ImportError:\n    pass\n\nfrom mysite.base_settings import *  # noqa\n',
    'mysite/base_settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nDATABASE_ROUTERS = ["mysite.routers.R"]\n',
    'mysite/routers.py': 'class R:\n    def allow_migrate(self, db, app_label, **hints):\n        return db == "default"\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Banner(models.Model):\n    n = models.IntegerField()\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.deepEqual(r.diagnostics.filter(d => d.code === 'settings-partial').map(d => d.message), []);
  assert.match(renderTables(r, { color: false } as Parameters<typeof renderTables>[1]), /routers: mysite\.routers\.R\n/);
  // the same file used after them: it may change both
  fs.writeFileSync(path.join(dir, 'mysite/settings.py'), 'from mysite.base_settings import *  # noqa\n\ntry:\n    from .local_settings import *  # noqa\nexcept ImportError:\n    pass\n');
  const later = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.deepEqual(later.diagnostics.filter(d => d.code === 'settings-partial').map(d => d.message.split(' ')[0]).sort(), ['DATABASES', 'DATABASE_ROUTERS']);
});

test('review of 2026-12-04: a computed left side is not a membership test; local settings names; a later assignment reading a name the local file may set; fields from a models module are no models', async () => {
  // a router whose `in` tests a value computed from app_label: each label's own answer, whatever the order asked
  const files = (apps: string[]) => ({
    'manage.py': MANAGE,
    'mysite/__init__.py': '',
    'mysite/settings.py': `SECRET_KEY = "x"\nINSTALLED_APPS = ${JSON.stringify(apps)}\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nDATABASE_ROUTERS = ["mysite.routers.R"]\n`,
    'mysite/routers.py': 'MAP = {"a": "b"}\nS = {"b"}\n\n\nclass R:\n    def allow_migrate(self, db, app_label, **hints):\n        return MAP.get(app_label, app_label) in S\n',
    'a/__init__.py': '', 'a/models.py': 'from django.db import models\n\n\nclass M(models.Model):\n    n = models.IntegerField()\n',
    'c/__init__.py': '', 'c/models.py': 'from django.db import models\n\n\nclass M(models.Model):\n    n = models.IntegerField()\n',
  });
  for (const order of [['c', 'a'], ['a', 'c']]) {
    const r = toReport(await scanProject({ root: project(files(order)), allowPython: false, env: {} }));
    assert.deepEqual(r.routing.filter(d => d.alias === 'default').map(d => [d.model, d.migrate]).sort(), [['a.M', true], ['c.M', false]], order.join(','));
  }
  // an optional package whose name holds "local" or "settings" is no local settings file
  const flavor = site({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\ntry:\n    import localflavor  # noqa\n    INSTALLED_APPS += ["localflavor"]\nexcept ImportError:\n    pass\n',
  });
  const fl = toReport(await scanProject({ root: flavor, allowPython: false, env: {} }));
  assert.deepEqual(fl.diagnostics.filter(d => d.code === 'settings-partial').map(d => d.message.split(' ')[0]), ['INSTALLED_APPS']);
  // DATABASES assigned after the local file in the same module, reading a name the file may set: it may hold more
  const replica = site({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = []\nREPLICA_NAME = None\ntry:\n    from .local_settings import *  # noqa\nexcept ImportError:\n    pass\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\nif REPLICA_NAME:\n    DATABASES["replica"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": REPLICA_NAME}\n',
  });
  const rp = toReport(await scanProject({ root: replica, allowPython: false, env: {} }));
  assert.ok(rp.diagnostics.some(d => d.code === 'settings-partial' && d.message.startsWith('DATABASES')), JSON.stringify(rp.diagnostics.map(d => d.message)));
  // a field and a metaclass of a package not installed, declared in models.py: not models
  const mptt = site({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["a"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\n',
    'a/__init__.py': '',
    'a/models.py': 'from django.db import models\nfrom mptt.models import TreeForeignKey, MPTTModelBase, MPTTModel\n\n\nclass ParentField(TreeForeignKey):\n    pass\n\n\nclass Meta2(MPTTModelBase):\n    pass\n\n\nclass Node(MPTTModel):\n    pass\n\n\nclass Kept(models.Model):\n    n = models.IntegerField()\n',
  });
  assert.deepEqual((await scanProject({ root: mptt, allowPython: false, env: {} })).models.map(m => m.key).sort(), ['a.Kept', 'a.Node']);
});

test('a configuration module imported with importlib where it exists and read with getattr (NetBox\'s configuration.py): DATABASES may hold more, routers not (its names are not bound in the settings)', async () => {
  const dir = site({
    'mysite/settings.py': 'import importlib\n\ntry:\n    configuration = importlib.import_module("mysite.configuration")\nexcept ImportError:\n    configuration = None\n\nSECRET_KEY = "x"\nINSTALLED_APPS = []\n' +
      'DATABASES = getattr(configuration, "DATABASES", {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}})\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.deepEqual(r.diagnostics.filter(d => d.code === 'settings-partial').map(d => d.message.split(' ')[0]), ['DATABASES']);
});

test('routing-fall-through: a database a router sends some apps\' reads to, with no allow_migrate anywhere (eruditorg\'s legacy restriction database)', async () => {
  const dir = site({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop", "legacy"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}, "restriction": {"ENGINE": "django.db.backends.sqlite3", "NAME": "legacy.sqlite3"}}\nDATABASE_ROUTERS = ["mysite.routers.LegacyRouter"]\n',
    'mysite/routers.py': 'class LegacyRouter:\n    def db_for_read(self, model, **hints):\n        return "restriction" if model._meta.app_label == "legacy" else None\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
    'legacy/__init__.py': '',
    'legacy/models.py': 'from django.db import models\n\n\nclass Abonne(models.Model):\n    n = models.IntegerField()\n\n    class Meta:\n        managed = False\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  const f = r.diagnostics.filter(d => d.code === 'routing-fall-through');
  assert.equal(f.length, 1, JSON.stringify(r.diagnostics.map(d => d.code)));
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.message, /^'restriction' gets 1 model of 1 app \(shop\) only because no router's allow_migrate decides anything there, while LegacyRouter sends the reads of legacy\.Abonne to it: `migrate --database=restriction` creates all their tables on it/);
  assert.deepEqual([f[0]!.path, f[0]!.line], ['mysite/routers.py', 3]);
  // a replica every read goes to is not such a database
  fs.writeFileSync(path.join(dir, 'mysite/routers.py'), 'class LegacyRouter:\n    def db_for_read(self, model, **hints):\n        return "restriction"\n');
  const replica = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  assert.deepEqual(replica.diagnostics.filter(d => d.code === 'routing-fall-through'), []);
});

test('template placeholders (ENGINE "django.db.backends.", NAME "") are no database shared by two aliases (NExtSEEK); with a name, host and port they are (course-discovery)', async () => {
  const dir = site({
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.", "NAME": "", "HOST": ""}, "seek": {"ENGINE": "django.db.backends.", "NAME": "", "HOST": ""}, "copy": {"ENGINE": "django.db.backends.postgresql", "NAME": "x", "HOST": ""}, "copy2": {"ENGINE": "django.db.backends.postgresql", "NAME": "x", "HOST": ""}, "main": {"ENGINE": "django.db.backends.", "NAME": "discovery", "HOST": "localhost", "PORT": "3306"}, "read_replica": {"ENGINE": "django.db.backends.", "NAME": "discovery", "HOST": "localhost", "PORT": "3306"}}\n',
  });
  const r = toReport(await scanProject({ root: dir, allowPython: false, env: {} }));
  // (course-discovery's base.py: a placeholder ENGINE with the same name, host and port for two aliases is one
  // database written twice, as its deployment's YAML gives them)
  assert.deepEqual(r.databases.map(d => [d.alias, d.sameAs ?? null]), [['default', null], ['seek', null], ['copy', null], ['copy2', 'copy'], ['main', null], ['read_replica', 'main']]);
});

test('a foreign key to a proxy model crosses databases where the proxy\'s concrete model lives elsewhere (DefectDojo\'s Dojo_User; Django venv)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = project({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "history": {"ENGINE": "django.db.backends.sqlite3", "NAME": "h"}}\nDATABASE_ROUTERS = ["proj.routers.AuthRouter"]\n',
    'proj/routers.py': 'class AuthRouter:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label in ("auth", "contenttypes"):\n            return db == "history"\n        return db == "default"\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.contrib.auth.models import User\nfrom django.db import models\n\n\nclass Staff(User):\n    class Meta:\n        proxy = True\n\n\nclass Order(models.Model):\n    owner = models.ForeignKey(Staff, on_delete=models.CASCADE)\n',
  });
  const django = JSON.parse(python(PY!, dir, `
import json, django
django.setup()
from django.apps import apps
from django.db import router
Staff = apps.get_model("shop", "Staff")
print(json.dumps({a: router.allow_migrate_model(a, Staff._meta.concrete_model) for a in ("default", "history")}))
`, { DJANGO_SETTINGS_MODULE: 'proj.settings' }));
  assert.deepEqual(django, { default: false, history: true });
  const index = await scanProject({ root: dir, python: PY!, allowPython: false, env: {} });
  const found = index.findings.filter(f => f.code === 'cross-db-foreign-key');
  assert.deepEqual(found.map(f => [f.model, f.field, f.alias]), [['shop.Order', 'owner', 'default']]);
  assert.match(found[0]!.message, /points to shop\.Staff \(a proxy of auth\.User\), which lives on 'history'/);
  // the base named through get_user_model() (DefectDojo's `User = get_user_model()`, `class Dojo_User(User)`)
  fs.writeFileSync(path.join(dir, 'shop/models.py'), 'from django.contrib.auth import get_user_model\nfrom django.db import models\n\nUser = get_user_model()\n\n\nclass Staff(User):\n    class Meta:\n        proxy = True\n\n\nclass Order(models.Model):\n    owner = models.ForeignKey(Staff, on_delete=models.CASCADE)\n');
  const again = await scanProject({ root: dir, python: PY!, allowPython: false, env: {} });
  assert.equal(again.models.find(m => m.key === 'shop.Staff')?.concreteModel, 'auth.User');
  assert.deepEqual(again.findings.filter(f => f.code === 'parse-error').map(f => f.message), []);
  assert.deepEqual(again.findings.filter(f => f.code === 'cross-db-foreign-key').map(f => [f.model, f.alias]), [['shop.Order', 'default']]);
});

test('a model base bound to what code computes from a setting (kitsune\'s `ModelBase = import_from_setting("TIDINGS_MODEL_BASE", models.Model)`): the class Django gets, its Meta inherited (Django venv)', { skip: PY ? false : NO_DJANGO }, async () => {
  const settings = (base: string) => 'SECRET_KEY = "x"\nINSTALLED_APPS = ["core", "tidings"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\n' + base;
  const dir = project({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': settings('TIDINGS_MODEL_BASE = "core.models.LegacyBase"\n'),
    'core/__init__.py': '',
    'core/models.py': 'from django.db import models\n\n\nclass LegacyBase(models.Model):\n    class Meta:\n        abstract = True\n        managed = False\n',
    'tidings/__init__.py': '',
    'tidings/utils.py': 'from django.conf import settings\nfrom django.core.exceptions import ImproperlyConfigured\nfrom django.utils.module_loading import import_string\n\n\n' +
      'def import_from_setting(setting_name, fallback):\n    path = getattr(settings, setting_name, None)\n    if path:\n        try:\n            return import_string(path)\n' +
      '        except ImportError:\n            raise ImproperlyConfigured("{}: No such path.".format(path))\n    else:\n        return fallback\n',
    'tidings/models.py': 'from django.db import models\n\nfrom .utils import import_from_setting\n\nModelBase: models.Model = import_from_setting("TIDINGS_MODEL_BASE", models.Model)\n\n\n' +
      'class Watch(ModelBase):\n    name = models.CharField(max_length=10)\n',
  });
  const djangoManaged = () => JSON.parse(python(PY!, dir, 'import json, django\ndjango.setup()\nfrom django.apps import apps\nprint(json.dumps(apps.get_model("tidings", "Watch")._meta.managed))', { DJANGO_SETTINGS_MODULE: 'proj.settings' }));
  const ours = async () => {
    const index = await scanProject({ root: dir, python: PY!, allowPython: false, env: {} });
    assert.deepEqual(index.findings.filter(f => f.code === 'parse-error').map(f => f.message), []);
    return index.models.find(m => m.key === 'tidings.Watch')?.managed;
  };
  assert.equal(djangoManaged(), false);
  assert.equal(await ours(), false);
  // the setting not set: the fallback, Django's Model
  fs.writeFileSync(path.join(dir, 'proj/settings.py'), settings(''));
  assert.equal(djangoManaged(), true);
  assert.equal(await ours(), true);
  // edits of the setting and of the base's module, indexed incrementally: as a scan from scratch
  setTrusted(true);
  try {
    const scanner = new Scanner({ root: dir, python: PY!, allowPython: false, env: {} });
    const watch = async () => (await scanner.index()).models.find(m => m.key === 'tidings.Watch')?.managed;
    assert.equal(await watch(), true);
    const edit = (file: string, text: string) => { fs.writeFileSync(path.join(dir, file), text); scanner.invalidate(path.join(dir, file)); };
    edit('proj/settings.py', settings('TIDINGS_MODEL_BASE = "core.models.LegacyBase"\n'));
    assert.equal(await watch(), false);
    edit('core/models.py', 'from django.db import models\n\n\nclass LegacyBase(models.Model):\n    class Meta:\n        abstract = True\n');
    assert.equal(djangoManaged(), true);
    assert.equal(await watch(), true);
  } finally {
    setTrusted(false);
  }
});

test('no migration conflict is said in an app whose dependencies could not all be read (openwisp\'s sample_users.0004: swapper)', async () => {
  const mig = (deps: string, extra = '') => `import swapper\nfrom django.db import migrations\n\n\nclass Migration(migrations.Migration):\n${extra}    dependencies = ${deps}\n    operations = []\n`;
  const dir = project({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["users"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\n',
    'users/__init__.py': '',
    'users/migrations/__init__.py': '',
    'users/migrations/0001_initial.py': mig('[]'),
    'users/migrations/0002_groups.py': mig('[(label, "0001_initial")]', '    label = swapper.split(swapper.get_model_name("users", "Organization"))[0]\n'),
    'users/migrations/0003_more.py': mig('[("users", "0002_groups")]'),
  });
  const index = await scanProject({ root: dir, allowPython: false, env: {} });
  assert.deepEqual(index.findings.filter(f => f.code === 'migration-conflict'), []);
  assert.ok(index.findings.some(f => f.code === 'parse-error' && /0002_groups/.test(f.path ?? '')), 'the unread dependency is said');
});

test('env file: ${NAME} and ${NAME:-default} expanded as python-dotenv\'s load_dotenv() expands them (Plane\'s .env.example)', { skip: PY ? false : NO_DJANGO }, () => {
  const dir = writeTree({
    '.env': 'POSTGRES_USER=plane\nPOSTGRES_DB=plane\nDATABASE_URL=postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD:-pw}@${PGHOST:-db}:5432/${POSTGRES_DB}\nQUOTED=\'${POSTGRES_DB}\'\nBARE=$POSTGRES_DB\nEMPTY=${UNSET_HERE}\nFROM_PROCESS=${DMDB_FROM_PROCESS}/x\nOVERRIDDEN=${POSTGRES_USER}\n',
  }, 'dmdb-envfile-');
  const processEnv = { DMDB_FROM_PROCESS: 'proc', POSTGRES_USER: 'from-environment' };
  const ours = readEnvFile(path.join(dir, '.env'), undefined, processEnv);
  // python-dotenv's own reading, with the same process environment (load_dotenv: the environment wins)
  const theirs = JSON.parse(execFileSync(PY!, ['-c', `
import json, os, dotenv
before = dict(os.environ)
dotenv.load_dotenv(${JSON.stringify(path.join(dir, '.env'))})
print(json.dumps({k: v for k, v in os.environ.items() if before.get(k) != v}))
`], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...processEnv } })) as Record<string, string>;
  // (load_dotenv sets no variable the environment already has: POSTGRES_USER stays the environment's)
  const { POSTGRES_USER: _set, ...rest } = ours;
  assert.deepEqual(rest, theirs);
  assert.equal(ours.DATABASE_URL, 'postgresql://from-environment:pw@db:5432/plane');
});

test('django-multidb-router: REPLICA_DATABASES (else SLAVE_DATABASES) are mirrors of default at run time, as multidb makes them (zamboni, kitsune 2018)', async () => {
  const files = (replicas: string) => ({
    'manage.py': MANAGE,
    'mysite/__init__.py': '',
    'mysite/settings.py': `SECRET_KEY = "x"\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "p.sqlite3"}, "read_only": {"ENGINE": "django.db.backends.sqlite3", "NAME": "r.sqlite3"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "o.sqlite3"}}\nDATABASE_ROUTERS = ["multidb.PinningReplicaRouter"]\n${replicas}\n`,
    // (the package's router, trimmed: only its name matters here)
    'multidb/__init__.py': 'class PinningReplicaRouter:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default"\n',
  });
  const mirrors = async (replicas: string) => toReport(await scanProject({ root: project(files(replicas)), allowPython: false, env: {} })).databases.map(d => [d.alias, d.mirrorOf ?? null]);
  assert.deepEqual(await mirrors('REPLICA_DATABASES = ["read_only"]'), [['default', null], ['read_only', 'default'], ['other', null]]);
  // said as what makes it a mirror: the router's setting, not a TEST["MIRROR"] the settings do not hold
  const report = toReport(await scanProject({ root: project(files('SLAVE_DATABASES = ["read_only"]')), allowPython: false, env: {} }));
  assert.equal(report.databases.find(d => d.alias === 'read_only')?.mirrorBy, 'SLAVE_DATABASES (django-multidb-router)');
  assert.match(renderTables(report, { color: false }), /read_only .*mirror of default \(SLAVE_DATABASES \(django-multidb-router\)\)/);
  assert.deepEqual(await mirrors('SLAVE_DATABASES = ["read_only", "other"]'), [['default', null], ['read_only', 'default'], ['other', 'default']]);
  // REPLICA_DATABASES wins when both are set, as in multidb._get_replica_list
  assert.deepEqual(await mirrors('REPLICA_DATABASES = ["other"]\nSLAVE_DATABASES = ["read_only"]'), [['default', null], ['read_only', null], ['other', 'default']]);
});

test('a Meta option added to options.DEFAULT_NAMES (`in_db`): a model whose Meta lacks it has no such _meta attribute, getattr gives the default, as Django routes it; a write of it anywhere makes it unknown again (Django venv)', { skip: PY ? false : NO_DJANGO }, async () => {
  const router = 'class MetaRouter:\n    def db_for_read(self, model, **hints):\n        return getattr(model._meta, "in_db", None)\n\n    db_for_write = db_for_read\n\n' +
    '    def allow_migrate(self, db, app_label, model_name=None, model=None, **hints):\n        if model is None:\n            return None\n        in_db = getattr(model._meta, "in_db", None)\n        if in_db:\n            return db == in_db\n        return db == "default"\n';
  const dir = project({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes", "shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "legacy": {"ENGINE": "django.db.backends.sqlite3", "NAME": "l"}}\nDATABASE_ROUTERS = ["proj.routers.MetaRouter"]\n',
    'proj/routers.py': router,
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\nfrom django.db.models import options\n\noptions.DEFAULT_NAMES = options.DEFAULT_NAMES + ("in_db",)\n\n\nclass Old(models.Model):\n    name = models.CharField(max_length=10)\n\n    class Meta:\n        in_db = "legacy"\n\n\nclass New(models.Model):\n    name = models.CharField(max_length=10)\n',
  });
  const django = JSON.parse(python(PY!, dir, `
import json, django
django.setup()
from django.apps import apps
from django.db import router
print(json.dumps({m._meta.label: [a for a in ("default", "legacy") if router.allow_migrate_model(a, m)] for m in apps.get_models()}))
`, { DJANGO_SETTINGS_MODULE: 'proj.settings' })) as Record<string, string[]>;
  assert.deepEqual(django['shop.New'], ['default']);
  assert.deepEqual(django['shop.Old'], ['legacy']);
  const scanner = new Scanner({ root: dir, python: PY!, allowPython: false, env: {} });
  const ours = (index: ProjectIndex) => Object.fromEntries(Object.keys(django).map(k => [k, index.routing.filter(d => d.model === k && d.migrate === true).map(d => d.alias)]));
  const first = await scanner.index();
  assert.deepEqual(ours(first), django);
  assert.deepEqual(first.routing.filter(d => d.migrate === null), []);
  // reads of a model without it: default (getattr's None: no router chooses); of one with it: its database
  assert.equal(first.dbRoutes?.read.find(r => r.model === 'shop.New')?.alias, 'default');
  assert.equal(first.dbRoutes?.read.find(r => r.model === 'shop.Old')?.alias, 'legacy');
  // code that sets the attribute at run time (a class decorator): what New gets is not known any more
  fs.writeFileSync(path.join(dir, 'shop/silo.py'), 'def legacy_only(cls):\n    cls._meta.in_db = "legacy"\n    return cls\n');
  const again = await scanner.index();
  assert.equal(again.routing.find(d => d.model === 'shop.New' && d.alias === 'default')?.migrate, null);
  assert.equal(again.routing.find(d => d.model === 'shop.Old' && d.alias === 'legacy')?.migrate, true);
  // and taken away: known again
  fs.rmSync(path.join(dir, 'shop/silo.py'));
  assert.deepEqual(ours(await scanner.index()), django);
});

test('routers chosen by an environment variable that is not set: the unknown entry says why, once (clubbable)', async () => {
  const dir = project({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'import os\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\nif os.environ["CLUB_MODE"] == "x":\n    DATABASE_ROUTERS = ["proj.r.A"]\nelse:\n    DATABASE_ROUTERS = []\n',
  });
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  const unknown = index.findings.filter(f => f.code === 'unknown-routing');
  assert.deepEqual(unknown.map(f => f.message), ['DATABASE_ROUTERS[0]: this entry is not statically known: depends on environment variable CLUB_MODE, which is not set']);
});
