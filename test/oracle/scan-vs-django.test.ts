// The oracle suite: `django-multidb scan --json` must say what real Django 5.2 says about the same project,
// in the same database states, prepared with real `manage.py migrate --database=…`:
// models, routing (and which router decided), migrations, the plan per alias (order included), applied
// counts, reachability and cross-database foreign keys. SQLite files and a real PostgreSQL server.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, NO_DJANGO, cli, copyProject, djangoPython, manage, oracle, python, sortBy } from './helpers';

const py = djangoPython();
const PG_URL = process.env.DJANGO_MULTIDB_PG_URL ?? null;
const PG_PASSWORD = 'dmdb-secret';

const key = (...xs: unknown[]) => JSON.stringify(xs);

/** Compare one project in its current database state; returns the two reports for extra checks. */
function compare(dir: string, settingsModule: string, opts: { knownUnknown?: string[] } = {}) {
  const expected = oracle(py!, dir, settingsModule);
  const r = cli(['scan', dir, '--json', '--python', py!, '--settings', settingsModule]);
  assert.equal(r.status, 0, `scan failed: ${r.stderr}`);
  const actual = r.json;
  assert.ok(actual, `scan printed no JSON: ${r.stdout.slice(0, 500)} ${r.stderr}`);

  assert.deepEqual(actual.databases.map((d: any) => [d.alias, d.engine]), expected.databases.map((d: any) => [d.alias, d.engine]), 'databases');
  assert.deepEqual(actual.routers, expected.routers, 'routers');

  const models = (rep: any) => sortBy(rep.models.map((m: any) => key(m.app, m.name, m.managed, m.proxy, m.table)), (x: any) => x);
  assert.deepEqual(models(actual), models(expected), 'models (app, name, managed, proxy, table)');

  const exp = new Map<string, any>(expected.routing.map((x: any) => [key(x.alias, x.model), x]));
  const unknowns: string[] = [];
  for (const row of actual.routing) {
    const e = exp.get(key(row.alias, row.model));
    assert.ok(e, `routing row ${row.alias} ${row.model} is not in Django's`);
    if (row.migrate === null) { unknowns.push(`${row.alias}:${row.model}`); continue; }
    assert.equal(row.migrate, e.migrate, `migrate ${row.model} on ${row.alias}`);
    assert.equal(row.decidedBy, e.decidedBy, `decidedBy ${row.model} on ${row.alias}`);
    assert.equal(row.reason, e.reason, `reason ${row.model} on ${row.alias}`);
  }
  assert.equal(actual.routing.length, expected.routing.length, 'routing rows');
  assert.deepEqual(unknowns.sort(), [...(opts.knownUnknown ?? [])].sort(), 'routing we could not decide statically');

  const migs = (rep: any) => sortBy(rep.migrations.map((m: any) => key(m.app, m.name, m.dependencies, m.replaces, m.initial ?? null)), (x: any) => x);
  assert.deepEqual(migs(actual), migs(expected), 'migrations (dependencies as written, replaces, initial)');

  for (const db of expected.databases) {
    const a = db.alias;
    assert.deepEqual(actual.plan[a], expected.plan[a], `plan of ${a}`);
    assert.equal(actual.status[a]?.reachable, expected.status[a].reachable, `reachable ${a}`);
    if (expected.status[a].reachable) assert.equal(actual.status[a].applied, expected.status[a].applied, `applied rows on ${a}`);
    else assert.ok(actual.status[a].error, `error message for ${a}`);
  }

  const fks = (diags: any[]) => sortBy(diags.filter(d => d.code === 'cross-db-foreign-key').map(d => key(d.model, d.field, d.target, d.alias)), (x: any) => x);
  assert.deepEqual(fks(actual.diagnostics), fks(expected.diagnostics), 'cross-database foreign keys');
  for (const d of actual.diagnostics.filter((x: any) => x.code === 'cross-db-foreign-key')) {
    assert.ok(d.path && d.line > 0, `cross-db finding has a file and line: ${JSON.stringify(d)}`);
  }
  assert.ok(!r.stdout.includes(PG_PASSWORD) && !r.stderr.includes(PG_PASSWORD), 'a password leaked into the output');
  return { actual, expected };
}

/** A project written from `files` into a new temporary folder (removed with `dirs`). */
function writeProject(prefix: string, files: Record<string, string>, dirs: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

/**
 * The static reading (`--mode static`, no database) against Django's of the same project: databases, routers,
 * models, the routing rows and the cross-database foreign keys (the fixture has one). Returns both reports.
 */
function staticEqualsDjango(dir: string, settingsModule: string, opts: { crossDb?: boolean } = {}): { actual: any; expected: any } {
  const expected = oracle(py!, dir, settingsModule);
  const st = cli(['scan', dir, '--json', '--mode', 'static', '--no-db', '--python', py!, '--settings', settingsModule]);
  assert.equal(st.status, 0, st.stderr);
  const actual = st.json;
  assert.deepEqual(actual.databases.map((d: any) => [d.alias, d.engine]), expected.databases.map((d: any) => [d.alias, d.engine]), 'databases');
  assert.deepEqual(actual.routers, expected.routers, 'routers');
  const models = (rep: any) => sortBy(rep.models.map((m: any) => key(m.app, m.name)), (x: any) => x);
  assert.deepEqual(models(actual), models(expected), 'models');
  const rows = (rep: any) => sortBy(rep.routing.map((r: any) => key(r.alias, r.model, r.migrate, r.decidedBy)), (x: any) => x);
  assert.deepEqual(rows(actual), rows(expected), 'routing');
  const fks = (diags: any[]) => sortBy(diags.filter(d => d.code === 'cross-db-foreign-key').map(d => key(d.model, d.field, d.target, d.alias)), (x: any) => x);
  if (opts.crossDb !== false) assert.ok(fks(expected.diagnostics).length > 0, 'the fixture has a cross-database foreign key');
  assert.deepEqual(fks(actual.diagnostics), fks(expected.diagnostics), 'cross-database foreign keys');
  return { actual, expected };
}

describe('scan --json equals real Django', { skip: py ? false : NO_DJANGO }, () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  test('example project, nothing migrated yet (no database file is created)', () => {
    const dir = copyProject(path.join(REPO, 'examples', 'multidb_shop'));
    dirs.push(dir);
    const { actual } = compare(dir, 'shop.settings');
    assert.deepEqual(fs.readdirSync(dir).filter(f => f.endsWith('.sqlite3')), [], 'reading created a database file');
    assert.ok(actual.plan.default.length > 0);
  });

  test('example project: default migrated, analytics up to its squash, legacy untouched', () => {
    const dir = copyProject(path.join(REPO, 'examples', 'multidb_shop'));
    dirs.push(dir);
    manage(py!, dir, ['migrate', '--database=default']);
    const squash = fs.readdirSync(path.join(dir, 'analytics', 'migrations')).find(f => f.includes('squashed'))?.replace(/\.py$/, '');
    assert.ok(squash, 'the example has a squashed migration');
    manage(py!, dir, ['migrate', '--database=analytics', 'analytics', squash!]);
    const before = fs.statSync(path.join(dir, 'db.sqlite3')).mtimeMs;
    const { actual } = compare(dir, 'shop.settings');
    assert.deepEqual(actual.plan.default, []);
    assert.equal(fs.statSync(path.join(dir, 'db.sqlite3')).mtimeMs, before, 'reading wrote to db.sqlite3');
    assert.ok(actual.diagnostics.some((d: any) => d.code === 'cross-db-foreign-key' && d.model === 'orders.Order' && d.field === 'customer'));
  });

  test('example project: partly applied squash (replaced migration applied alone) uses the replaced nodes', () => {
    const dir = copyProject(path.join(REPO, 'examples', 'multidb_shop'));
    dirs.push(dir);
    // record only the first replaced migration, as an old deployment would have it
    python(py!, dir, `
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "shop.settings"
django.setup()
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.loader import MigrationLoader
loader = MigrationLoader(None, ignore_no_migrations=True)
squash = [k for k, m in loader.disk_migrations.items() if k[0] == "analytics" and m.replaces][0]
first = sorted(loader.disk_migrations[squash].replaces)[0]
rec = MigrationRecorder(connections["analytics"])
rec.ensure_schema()
rec.record_applied(*first)
`);
    compare(dir, 'shop.settings');
  });

  test('routers_zoo: settings package, many router patterns, label override, app without migrations', () => {
    const zoo = path.join(REPO, 'test', 'fixtures', 'routers_zoo');
    const dir = copyProject(zoo);
    dirs.push(dir);
    manage(py!, dir, ['migrate', '--database=default']);
    compare(dir, 'zoo.settings.dev');
  });

  test('PostgreSQL aliases: one partly migrated, one down, one with a wrong password', { skip: PG_URL ? false : 'DJANGO_MULTIDB_PG_URL is not set (scripts/pg.sh start)' }, () => {
    const u = new URL(PG_URL!);
    const dir = copyProject(path.join(REPO, 'examples', 'multidb_shop'));
    dirs.push(dir);
    const pg = (name: string, port: string, password: string) =>
      `{"ENGINE": "django.db.backends.postgresql", "NAME": "${name}", "USER": "${u.username}", "PASSWORD": "${password}", "HOST": "${u.hostname}", "PORT": "${port}"}`;
    fs.appendFileSync(path.join(dir, 'shop', 'settings.py'), `
DATABASES["warehouse"] = ${pg('dmdb_wh', u.port, PG_PASSWORD)}
DATABASES["offline"] = ${pg('dmdb_wh', '9', PG_PASSWORD)}
DATABASES["badpw"] = ${pg('dmdb_main', u.port, 'not-the-password')}
`);
    // a clean warehouse database, then part of it migrated by Django itself
    python(py!, dir, `
import psycopg
with psycopg.connect(host="${u.hostname}", port=${u.port}, user="${u.username}", password="${PG_PASSWORD}", dbname="dmdb_wh", autocommit=True) as c:
    c.execute("DROP SCHEMA IF EXISTS public CASCADE")
    c.execute("CREATE SCHEMA public")
`);
    manage(py!, dir, ['migrate', '--database=warehouse', 'contenttypes']);
    manage(py!, dir, ['migrate', '--database=warehouse', 'auth', '0003']);
    const { actual } = compare(dir, 'shop.settings');
    assert.equal(actual.status.warehouse.reachable, true);
    assert.ok(actual.status.warehouse.applied > 0);
    assert.equal(actual.status.offline.reachable, false);
    assert.equal(actual.plan.offline, null);
    assert.equal(actual.status.badpw.reachable, false);
    assert.ok(!JSON.stringify(actual).includes('not-the-password'), 'the wrong password leaked');
  });

  // issue 12: Django reaches MariaDB through PyMySQL (pymysql.install_as_MySQLdb()); the static reader (mysql2) too
  const MY_URL = process.env.DJANGO_MULTIDB_MARIADB_URL ?? null;
  test('SQLite, PostgreSQL and MariaDB aliases, each partly migrated', { skip: PG_URL && MY_URL ? false : 'DJANGO_MULTIDB_PG_URL / DJANGO_MULTIDB_MARIADB_URL not set (scripts/pg.sh, scripts/mariadb.sh)' }, () => {
    const u = new URL(PG_URL!);
    const m = new URL(MY_URL!);
    const myPassword = decodeURIComponent(m.password);
    const dir = copyProject(path.join(REPO, 'examples', 'multidb_shop'));
    dirs.push(dir);
    const settings = path.join(dir, 'shop', 'settings.py');
    fs.writeFileSync(settings, `import pymysql\npymysql.install_as_MySQLdb()\n${fs.readFileSync(settings, 'utf8')}
DATABASES["warehouse"] = {"ENGINE": "django.db.backends.postgresql", "NAME": "dmdb_wh", "USER": "${u.username}", "PASSWORD": "${PG_PASSWORD}", "HOST": "${u.hostname}", "PORT": "${u.port}"}
DATABASES["shopmy"] = {"ENGINE": "django.db.backends.mysql", "NAME": "dmdb_oracle_my", "USER": "${decodeURIComponent(m.username)}", "PASSWORD": "${myPassword}", "HOST": "${m.hostname}", "PORT": "${m.port}"}
`);
    python(py!, dir, `
import psycopg, pymysql
with psycopg.connect(host="${u.hostname}", port=${u.port}, user="${u.username}", password="${PG_PASSWORD}", dbname="dmdb_wh", autocommit=True) as c:
    c.execute("DROP SCHEMA IF EXISTS public CASCADE")
    c.execute("CREATE SCHEMA public")
c = pymysql.connect(host="${m.hostname}", port=${m.port}, user="${decodeURIComponent(m.username)}", password="${myPassword}")
with c.cursor() as cur:
    cur.execute("DROP DATABASE IF EXISTS dmdb_oracle_my")
    cur.execute("CREATE DATABASE dmdb_oracle_my CHARACTER SET utf8mb4")
c.close()
`);
    manage(py!, dir, ['migrate', '--database=default', 'contenttypes']);
    manage(py!, dir, ['migrate', '--database=warehouse', 'auth', '0003']);
    manage(py!, dir, ['migrate', '--database=shopmy', 'contenttypes']);
    manage(py!, dir, ['migrate', '--database=shopmy', 'auth', '0005']);
    const { actual, expected } = compare(dir, 'shop.settings');
    assert.equal(actual.status.shopmy.reachable, true);
    assert.ok(actual.status.shopmy.applied > 0);
    // the static reader (mysql2, no Python) reads the same rows and plans the same as Django
    const st = cli(['scan', dir, '--json', '--mode', 'static', '--python', py!, '--settings', 'shop.settings']);
    assert.equal(st.status, 0, st.stderr);
    for (const a of ['default', 'warehouse', 'shopmy']) {
      assert.equal(st.json.status[a].reachable, true, `${a}: ${st.json.status[a].error}`);
      assert.equal(st.json.status[a].applied, expected.status[a].applied, `static applied rows on ${a}`);
      assert.deepEqual(st.json.plan[a], expected.plan[a], `static plan of ${a}`);
    }
    assert.ok(!st.stdout.includes(myPassword) && !st.stderr.includes(myPassword) && !JSON.stringify(actual).includes(myPassword), 'the MariaDB password leaked');
  });
  test('swapper.dependency() in migrations (django-swappable-models, openwisp): the dependencies Django reads, statically', () => {
    const dir = writeProject('dmdb-oracle-swapper-', {
      'manage.py': 'import os, sys\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n',
      'proj/__init__.py': '',
      'proj/settings.py': `SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "users", "config", "myconfig", "sample"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
AUTH_USER_MODEL = "users.User"
CONFIG_DEVICE_MODEL = "myconfig.Device"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
`,
      // the library's API as its documentation gives it (swappable_setting, get_model_name, dependency, split)
      'swapper.py': `from django.conf import settings
from django.db.migrations import swappable_dependency
def swappable_setting(app_label, model):
    setting = "%s_%s_MODEL" % (app_label.upper(), model.upper())
    if not hasattr(settings, setting):
        setattr(settings, setting, "%s.%s" % (app_label, model))
    return setting
def get_model_name(app_label, model):
    return getattr(settings, swappable_setting(app_label, model), "%s.%s" % (app_label, model))
def dependency(app_label, model, version=None):
    dep = swappable_dependency(get_model_name(app_label, model))
    return (dep[0], version) if version else dep
def split(model):
    app_label, _, model = model.rpartition(".")
    return app_label, model
`,
      'users/__init__.py': '',
      'users/models.py': 'from django.contrib.auth.models import AbstractUser\nclass User(AbstractUser):\n    pass\n',
      'users/migrations/__init__.py': '',
      'users/migrations/0001_initial.py': `from django.db import migrations, models
class Migration(migrations.Migration):
    initial = True
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.CreateModel(name="User", fields=[("id", models.AutoField(primary_key=True)), ("password", models.CharField(max_length=128)), ("last_login", models.DateTimeField(null=True)), ("is_superuser", models.BooleanField(default=False)), ("username", models.CharField(max_length=150, unique=True)), ("first_name", models.CharField(max_length=150, blank=True)), ("last_name", models.CharField(max_length=150, blank=True)), ("email", models.EmailField(max_length=254, blank=True)), ("is_staff", models.BooleanField(default=False)), ("is_active", models.BooleanField(default=True)), ("date_joined", models.DateTimeField())])]
`,
      'users/migrations/0002_groups.py': 'from django.db import migrations\nclass Migration(migrations.Migration):\n    dependencies = [("users", "0001_initial")]\n    operations = []\n',
      'config/__init__.py': '',
      'config/models.py': 'import swapper\nfrom django.db import models\nclass Device(models.Model):\n    name = models.CharField(max_length=10)\n    class Meta:\n        swappable = swapper.swappable_setting("config", "Device")\nclass RuleSet(models.Model):\n    class Meta:\n        swappable = swapper.swappable_setting("config", "RuleSet")\n',
      'config/migrations/__init__.py': '',
      'config/migrations/0001_initial.py': 'from django.db import migrations, models\nclass Migration(migrations.Migration):\n    initial = True\n    operations = [migrations.CreateModel(name="Device", fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=10))], options={"swappable": "CONFIG_DEVICE_MODEL"}), migrations.CreateModel(name="RuleSet", fields=[("id", models.AutoField(primary_key=True))], options={"swappable": "CONFIG_RULESET_MODEL"})]\n',
      // CONFIG_RULESET_MODEL is in no settings file: swappable_setting() set it when the models were imported
      'sample/migrations/0002_rules.py': 'import swapper\nfrom django.conf import settings\nfrom django.db import migrations\nclass Migration(migrations.Migration):\n    dependencies = [migrations.swappable_dependency(settings.CONFIG_RULESET_MODEL), ("sample", "0001_initial"), swapper.dependency(*swapper.split(settings.CONFIG_RULESET_MODEL), version="0001_initial")]\n    operations = []\n',
      'myconfig/__init__.py': '',
      'myconfig/models.py': 'from django.db import models\nclass Device(models.Model):\n    name = models.CharField(max_length=10)\n',
      'myconfig/migrations/__init__.py': '',
      'myconfig/migrations/0001_initial.py': 'from django.db import migrations, models\nclass Migration(migrations.Migration):\n    initial = True\n    operations = [migrations.CreateModel(name="Device", fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=10))])]\n',
      'myconfig/migrations/0002_more.py': 'from django.db import migrations\nclass Migration(migrations.Migration):\n    dependencies = [("myconfig", "0001_initial")]\n    operations = []\n',
      'sample/__init__.py': '',
      'sample/models.py': 'import swapper\nfrom django.conf import settings\nfrom django.db import models\nclass Thing(models.Model):\n    device = models.ForeignKey(swapper.get_model_name("config", "Device"), models.CASCADE)\n    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE)\n',
      'sample/migrations/__init__.py': '',
      'sample/migrations/0001_initial.py': `import swapper
from django.conf import settings
from django.db import migrations, models
from swapper import dependency, split
class Migration(migrations.Migration):
    initial = True
    dependencies = [
        swapper.dependency("config", "Device"),
        dependency(*split(settings.AUTH_USER_MODEL), version="0002_groups"),
        swapper.dependency(*swapper.split(settings.CONFIG_DEVICE_MODEL), version="0002_more"),
    ]
    operations = [migrations.CreateModel(name="Thing", fields=[("id", models.AutoField(primary_key=True)), ("device", models.ForeignKey(on_delete=models.CASCADE, to=swapper.get_model_name("config", "Device"))), ("owner", models.ForeignKey(on_delete=models.CASCADE, to=settings.AUTH_USER_MODEL))])]
`,
    }, dirs);
    manage(py!, dir, ['migrate', '--database=default', 'users']);
    const expected = oracle(py!, dir, 'proj.settings');
    const st = cli(['scan', dir, '--json', '--mode', 'static', '--python', py!, '--settings', 'proj.settings']);
    assert.equal(st.status, 0, st.stderr);
    const deps = (rep: any, name: string) => rep.migrations.find((m: any) => m.app === 'sample' && m.name === name).dependencies;
    assert.deepEqual(deps(expected, '0001_initial'), [['myconfig', '__first__'], ['users', '0002_groups'], ['myconfig', '0002_more']]);
    assert.deepEqual(deps(st.json, '0001_initial'), deps(expected, '0001_initial'));
    assert.deepEqual(deps(expected, '0002_rules'), [['config', '__first__'], ['sample', '0001_initial'], ['config', '0001_initial']]);
    assert.deepEqual(deps(st.json, '0002_rules'), deps(expected, '0002_rules'));
    assert.deepEqual(st.json.plan.default, expected.plan.default, 'plan of default');
    assert.deepEqual(st.json.diagnostics.filter((d: any) => d.code === 'parse-error' || d.code === 'migration-unreadable'), []);
  });
  test('class-based settings exported with inspect.getmembers (readthedocs) and a defaultdict router: read statically as Django reads them', () => {
    const dir = writeProject('dmdb-oracle-classsettings-', {
      'manage.py': 'import os, sys\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings.docker")\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n',
      'proj/__init__.py': '',
      // readthedocs/core/settings.py's exporter
      'proj/classsettings.py': `import inspect
import sys


class Settings:
    @classmethod
    def load_settings(cls, module_name):
        self = cls()
        module = sys.modules[module_name]
        for member, value in inspect.getmembers(self):
            if member.isupper() and not member.startswith("_"):
                if isinstance(value, property):
                    value = value.fget(self)
                setattr(module, member, value)
`,
      'proj/settings/__init__.py': '',
      'proj/settings/base.py': `from proj.classsettings import Settings


class BaseSettings(Settings):
    SECRET_KEY = "x"
    DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    DATABASE_ROUTERS = ["proj.db.MapAppsRouter"]

    @property
    def INSTALLED_APPS(self):
        apps = ["django.contrib.contenttypes", "shop"]
        apps.append("telemetry")
        return apps

    @property
    def DATABASES(self):
        return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "default.db"}}
`,
      'proj/settings/docker.py': `from .base import BaseSettings


class DockerSettings(BaseSettings):
    @property
    def DATABASES(self):
        dbs = super().DATABASES
        dbs["telemetry"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": "telemetry.db"}
        return dbs


DockerSettings.load_settings(__name__)
`,
      'proj/db.py': `from collections import defaultdict


class MapAppsRouter:
    def __init__(self):
        self.apps_to_db = defaultdict(lambda: "default")
        self.apps_to_db.update({"telemetry": "telemetry"})

    def db_for_read(self, model, **hints):
        return self.apps_to_db[model._meta.app_label]

    def db_for_write(self, model, **hints):
        return self.apps_to_db[model._meta.app_label]

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return self.apps_to_db[app_label] == db
`,
      'shop/__init__.py': '',
      'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    total = models.IntegerField()\n',
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("total", models.IntegerField())])]\n',
      'telemetry/__init__.py': '',
      'telemetry/models.py': 'from django.db import models\n\n\nclass BuildData(models.Model):\n    order = models.ForeignKey("shop.Order", on_delete=models.CASCADE)\n',
      'telemetry/migrations/__init__.py': '',
      'telemetry/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.CreateModel(name="BuildData", fields=[("id", models.AutoField(primary_key=True)), ("order", models.ForeignKey(on_delete=models.CASCADE, to="shop.order"))])]\n',
    }, dirs);
    const { actual } = staticEqualsDjango(dir, 'proj.settings.docker');
    assert.deepEqual(actual.diagnostics.filter((d: any) => d.severity !== 'info' && d.code.startsWith('settings')), [], 'nothing said unknown');
  });
  test('settings files exec()ed by a helper into its caller\'s globals (Kiwi TCMS: inspect.stack()[1][0].f_globals, glob, open rb): read as Django reads them', () => {
    const dir = writeProject('dmdb-oracle-exechelper-', {
      'manage.py': 'import os, sys\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n',
      'proj/__init__.py': '',
      // tcms/utils/settings.py
      'proj/utils.py': `import glob
import inspect
import os


def import_local_settings(scan_dir, **kwargs):
    scope = kwargs.pop("scope", inspect.stack()[1][0].f_globals)
    for fname in sorted(glob.glob(os.path.join(scan_dir, "*.py"))):
        with open(fname, "rb") as fh:
            exec(fh.read(), scope)
`,
      'proj/settings.py': 'import os\nfrom proj.utils import import_local_settings\nSECRET_KEY = "x"\nDEFAULT_AUTO_FIELD = "django.db.models.AutoField"\nINSTALLED_APPS = ["django.contrib.contenttypes", "app"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\nimport_local_settings(os.path.join(os.path.dirname(__file__), "conf.d"))\n',
      'proj/conf.d/10-archive.py': 'DATABASES["archive"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": "archive.sqlite3"}\nDATABASE_ROUTERS = ["proj.routers.ArchiveRouter"]\n',
      'proj/conf.d/20-apps.py': 'INSTALLED_APPS += ["other"]\n',
      'proj/routers.py': 'class ArchiveRouter:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label == "app":\n            return db == "archive"\n        return db == "default"\n',
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=10)\n',
      'other/__init__.py': '',
      'other/models.py': 'from django.db import models\n\n\nclass Note(models.Model):\n    item = models.ForeignKey("app.Item", models.CASCADE)\n',
    }, dirs);
    // (the models of the app that a file exec()ed adds to INSTALLED_APPS included)
    staticEqualsDjango(dir, 'proj.settings');
  });
  test('apps on a folder the settings put on sys.path (sys.path.insert(0, BASE / "apps"): DemocracyClub) are read where Django imports them', () => {
    const dir = writeProject('dmdb-oracle-syspath-', {
      'manage.py': 'import os, sys\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n',
      'proj/__init__.py': '',
      'proj/settings.py': 'import os, sys\nBASE = os.path.dirname(os.path.abspath(__file__))\nsys.path.insert(0, os.path.join(BASE, "apps"))\nSECRET_KEY = "x"\nDEFAULT_AUTO_FIELD = "django.db.models.AutoField"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\nINSTALLED_APPS = ["django.contrib.contenttypes", "proj", "shop"]\n',
      'proj/apps/__init__.py': '',
      'proj/apps/shop/__init__.py': '',
      'proj/apps/shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
      // (a view importing the models relatively: they are shop's, not proj's)
      'proj/apps/shop/views.py': 'from .models import Order\n',
      'proj/apps/shop/migrations/__init__.py': '',
      'proj/apps/shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())])]\n',
    }, dirs);
    const { actual, expected } = staticEqualsDjango(dir, 'proj.settings', { crossDb: false });
    const migs = (rep: any) => sortBy(rep.migrations.map((m: any) => key(m.app, m.name, m.dependencies)), (x: any) => x);
    assert.deepEqual(migs(actual), migs(expected), 'migrations');
    assert.ok(actual.models.some((m: any) => m.app === 'shop' && m.name === 'Order' && m.table === 'shop_order'));
    assert.deepEqual(actual.diagnostics.filter((d: any) => d.code === 'unmigrated-models' || d.code === 'settings-unknown' && d.severity !== 'info'), []);
  });

  test('proxies of the models Django makes for ManyToManyFields (`class DocketTags(Docket.tags.through)`: CourtListener, django-pghistory): proxies of those, with their tables', () => {
    // (PostgreSQL as `default`, never connected to: its 63-byte limit cuts the long through table's name, as Django does)
    const long = 'a_field_name_long_enough_to_pass_the_sixty_three_byte_limit';
    const dir = writeProject('dmdb-oracle-through-', {
      'manage.py': 'import os, sys\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n',
      'proj/__init__.py': '',
      'proj/settings.py': 'SECRET_KEY = "x"\nDEFAULT_AUTO_FIELD = "django.db.models.AutoField"\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "never_connected", "HOST": "127.0.0.1", "PORT": "1"}}\nINSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "search", "history"]\n',
      'search/__init__.py': '',
      'search/models.py': `from django.db import models\n\n\nclass Tag(models.Model):\n    name = models.CharField(max_length=50)\n\n\nclass Docket(models.Model):\n    tags = models.ManyToManyField(Tag)\n    panel = models.ManyToManyField(Tag, related_name="+", db_table="docket_panel_rows")\n    ${long} = models.ManyToManyField(Tag, related_name="++")\n\n    class Meta:\n        db_table = "search_docket_with_a_long_table_name"\n`,
      'history/__init__.py': '',
      // (in an app of their own: Django's makemigrations orders a proxy of a through model before the model that makes it
      // within one migration, which its own migrate then refuses; CourtListener's are ordered by hand)
      'history/models.py': `from django.contrib.auth.models import User\nfrom search.models import Docket\n\n\nclass DocketTags(Docket.tags.through):\n    class Meta:\n        proxy = True\n\n\nclass DocketPanel(Docket.panel.through):\n    class Meta:\n        proxy = True\n\n\nclass DocketLong(Docket.${long}.through):\n    class Meta:\n        proxy = True\n\n\nclass UserGroups(User.groups.through):\n    class Meta:\n        proxy = True\n`,
    }, dirs);
    // (their migrations as Django writes them: a proxy's CreateModel has the through model as its base)
    manage(py!, dir, ['makemigrations', 'search', 'history', '-v', '0']);
    const { actual, expected } = staticEqualsDjango(dir, 'proj.settings', { crossDb: false });
    const rows = (rep: any) => sortBy(rep.models.filter((m: any) => m.proxy).map((m: any) => key(m.app, m.name, m.table)), (x: any) => x);
    assert.deepEqual(rows(actual), rows(expected), 'proxies and their tables');
    assert.equal(expected.models.find((m: any) => m.name === 'DocketLong')?.table.length, 63, 'the fixture has a through table cut to 63 bytes');
    assert.deepEqual(actual.diagnostics.filter((d: any) => /Proxy model/.test(d.message)).map((d: any) => d.message), []);
  });
});
