// django-configurations (jazzband): settings as classes. Its importer (configurations/importer.py) runs the settings
// module, takes the class DJANGO_CONFIGURATION names (manage.py's `os.environ.setdefault("DJANGO_CONFIGURATION",
// "Dev")`, the environment, `--configuration`), calls `cls.setup()` (each `values.*Value` class attribute set up from
// the environment variable `<environ_prefix>_<environ_name or NAME>`, prefix DJANGO, none for DatabaseURLValue whose
// variable is DATABASE_URL; the default otherwise; DatabaseURLValue's as `{alias: dj_database_url.parse(url)}`) and
// sets the module's names to the uppercase attributes of an instance (properties read, methods called).
// The package is not on this machine's package index, so these tests hold the semantics of its source
// (configurations/base.py, importer.py, values.py at jazzband/django-configurations' default branch), not a run of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { initPython } from '../../src/core/python/parse';
import { scanProject, toReport } from '../../src/core/scan';
import { writeTree } from './support';
import { cli } from '../oracle/helpers';

const dirs: string[] = [];
before(async () => { await initPython(); });
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const MANAGE = (configuration: string | null) => `import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
${configuration ? `    os.environ.setdefault("DJANGO_CONFIGURATION", "${configuration}")\n` : ''}    from configurations.management import execute_from_command_line

    execute_from_command_line(sys.argv)
`;

const SETTINGS = `from configurations import Configuration, values


class Base(Configuration):
    SECRET_KEY = values.SecretValue()
    DEBUG = values.BooleanValue(False)
    ALLOWED_HOSTS = values.ListValue(["localhost"])
    INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop"]

    def DATABASE_ROUTERS(self):
        return ["mysite.routers.AnalyticsRouter"]


class Dev(Base):
    DATABASES = values.DatabaseURLValue("sqlite:///dev.sqlite3")


class Prod(Base):
    @property
    def DATABASES(self):
        return {
            "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"},
            "analytics": {"ENGINE": "django.db.backends.postgresql", "NAME": "analytics"},
        }
`;

function project(configuration: string | null, settings = SETTINGS): string {
  const d = writeTree({
    'manage.py': MANAGE(configuration),
    'mysite/__init__.py': '',
    'mysite/settings.py': settings,
    'mysite/routers.py': 'class AnalyticsRouter:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label == "shop":\n            return db == "analytics"\n        return None\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Sale(models.Model):\n    amount = models.IntegerField()\n',
  }, 'dmdb-configurations-');
  dirs.push(d);
  return d;
}

const scan = (root: string, env: Record<string, string> = {}) => scanProject({ root, allowPython: false, env });

test('the class manage.py names: its DatabaseURLValue\'s default parsed, a router from an uppercase method of its base, apps inherited', async () => {
  const index = await scan(project('Dev'));
  assert.deepEqual(index.settings?.databases.map(d => [d.alias, d.engine, d.name]), [['default', 'django.db.backends.sqlite3', 'dev.sqlite3']]);
  assert.deepEqual(index.settings?.routers, ['mysite.routers.AnalyticsRouter']);
  assert.ok(index.models.some(m => m.key === 'shop.Sale'));
  assert.equal(index.settings?.values.DEBUG, false);
  assert.deepEqual(index.settings?.values.ALLOWED_HOSTS, ['localhost']);
  // the variable DatabaseURLValue reads, not set here: said where DATABASES is defined (the class attribute's line)
  const dependent = index.findings.find(f => f.code === 'settings-env-dependent');
  assert.match(dependent?.message ?? '', /DATABASES reads DATABASE_URL, not set here/);
  assert.equal(dependent?.line, 15);
  // SecretValue: required from DJANGO_SECRET_KEY (ValueError at setup without it): unknown, not an error
  assert.match(index.findings.find(f => f.code === 'settings-unknown' && /SECRET_KEY/.test(f.message))?.message ?? '', /DJANGO_SECRET_KEY is not set here/);
  assert.ok(!index.findings.some(f => f.severity === 'error'), index.findings.filter(f => f.severity === 'error').map(f => f.message).join('\n'));
});

test('the environment: DATABASE_URL (no prefix) parsed as dj-database-url parses it, DJANGO_DEBUG and DJANGO_ALLOWED_HOSTS converted; the password never in the report', async () => {
  const root = project('Dev');
  const index = await scan(root, { DATABASE_URL: 'postgres://shop:s3cr3t-pw@db.internal:5433/shopdb', DJANGO_DEBUG: 'yes', DJANGO_ALLOWED_HOSTS: 'a.example, b.example,' });
  assert.deepEqual(index.settings?.databases.map(d => [d.alias, d.engine, d.name, d.host, d.port, d.user]), [['default', 'django.db.backends.postgresql', 'shopdb', 'db.internal', 5433, 'shop']]);
  assert.equal(index.settings?.values.DEBUG, true);
  assert.deepEqual(index.settings?.values.ALLOWED_HOSTS, ['a.example', 'b.example']);
  assert.ok(!index.findings.some(f => f.code === 'settings-env-dependent'));
  assert.ok(!JSON.stringify(toReport(index)).includes('s3cr3t-pw'));
});

test('DJANGO_CONFIGURATION from the environment wins over manage.py\'s default: a property DATABASES with two aliases, routed by the router', async () => {
  const index = await scan(project('Dev'), { DJANGO_CONFIGURATION: 'Prod' });
  assert.deepEqual(index.settings?.databases.map(d => d.alias), ['default', 'analytics']);
  const sale = index.routing.filter(d => d.model === 'shop.Sale').map(d => [d.alias, d.migrate]);
  assert.deepEqual(sale, [['default', false], ['analytics', true]]);
});

test('a prefix and a name of its own (environ_prefix="SHOP", environ_name), alias= of a DatabaseURLValue, a Value with environ=False', async () => {
  const settings = `from configurations import Configuration, values


class Dev(Configuration):
    INSTALLED_APPS = ["shop"]
    DATABASES = values.DatabaseURLValue("sqlite:///main.sqlite3", alias="default", environ_name="MAIN_DB_URL")
    TIME_ZONE = values.Value("UTC", environ_prefix="SHOP_", environ_name="TZ")
    LANGUAGE_CODE = values.Value("en-us", environ=False)
`;
  const index = await scan(project('Dev', settings), { MAIN_DB_URL: 'sqlite:////srv/shop.sqlite3', SHOP_TZ: 'Europe/Paris', DJANGO_LANGUAGE_CODE: 'fr' });
  assert.deepEqual(index.settings?.databases.map(d => [d.alias, d.name]), [['default', '/srv/shop.sqlite3']]);
  assert.equal(index.settings?.values.TIME_ZONE, 'Europe/Paris');
  assert.equal(index.settings?.values.LANGUAGE_CODE, 'en-us');
});

test('no DJANGO_CONFIGURATION, or one naming no class: an error naming the classes there are, nothing guessed', async () => {
  for (const [root, env, says] of [
    [project(null), {}, /DJANGO_CONFIGURATION is not set here .* one of Base, Dev, Prod/],
    [project('Staging'), {}, /has no configuration class Staging \(DJANGO_CONFIGURATION\); it has Base, Dev, Prod/],
  ] as const) {
    const index = await scan(root, env);
    assert.deepEqual(index.settings?.databases, []);
    assert.ok(index.findings.some(f => f.code === 'settings-unknown' && f.severity === 'error' && says.test(f.message)), index.findings.map(f => f.message).join('\n'));
  }
});

test('a pre_setup of the project\'s (calling the library\'s through super()) runs before the Values are set up; one that cannot be evaluated is said', async () => {
  const settings = (body: string) => `from configurations import Configuration, values


class Dev(Configuration):
    INSTALLED_APPS = ["django.contrib.contenttypes"]
    DATABASES = values.DatabaseURLValue("sqlite:///dev.sqlite3")

    @classmethod
    def pre_setup(cls):
${body}
`;
  const index = await scan(project('Dev', settings('        super().pre_setup()\n        cls.INSTALLED_APPS = cls.INSTALLED_APPS + ["shop"]')));
  assert.deepEqual(index.settings?.installedApps, ['django.contrib.contenttypes', 'shop']);
  assert.ok(index.models.some(m => m.key === 'shop.Sale'));
  // (Django would stop here: AttributeError, "Couldn't setup configuration")
  const failing = await scan(project('Dev', settings('        cls.INSTALLED_APPS = cls.INSTALLED_APPS + cls.EXTRA_APPS')));
  assert.ok(failing.findings.some(f => f.code === 'settings-unknown' && /Dev\.pre_setup\(\) could not be evaluated statically/.test(f.message)), failing.findings.map(f => f.message).join('\n'));
  assert.deepEqual(failing.settings?.databases.map(d => d.name), ['dev.sqlite3']);
});

test('an app of the project\'s own named `configurations` is that app, not the library', async () => {
  const root = writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
    'mysite/__init__.py': '',
    'mysite/settings.py': 'from configurations.defaults import DB\n\nINSTALLED_APPS = ["configurations"]\nDATABASES = {"default": DB}\n',
    'configurations/__init__.py': '',
    'configurations/defaults.py': 'DB = {"ENGINE": "django.db.backends.sqlite3", "NAME": "own.sqlite3"}\n',
    'configurations/models.py': 'from django.db import models\n\n\nclass Setting(models.Model):\n    key = models.CharField(max_length=20)\n',
  }, 'dmdb-configurations-');
  dirs.push(root);
  const index = await scan(root);
  assert.deepEqual(index.settings?.databases.map(d => d.name), ['own.sqlite3']);
  assert.ok(index.models.some(m => m.key === 'configurations.Setting'));
});

test('DOTENV: the file\'s variables where the environment has none (Configuration.load_dotenv); one that cannot be read is said', async () => {
  const settings = (dotenv: string) => `import os

from configurations import Configuration, values

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Dev(Configuration):
    DOTENV = ${dotenv}
    INSTALLED_APPS = ["shop"]
    DATABASES = values.DatabaseURLValue("sqlite:///dev.sqlite3")
    DEBUG = values.BooleanValue(False)
    TIME_ZONE = values.Value("UTC", environ_name="TZ")
`;
  const root = project('Dev', settings('os.path.join(BASE_DIR, "config", "dev.env")'));
  fs.mkdirSync(`${root}/config`);
  fs.writeFileSync(`${root}/config/dev.env`, 'DATABASE_URL=sqlite:////data/from-dotenv.sqlite3\nDJANGO_DEBUG="true"\nDJANGO_TZ=Asia/Tokyo\n');
  const index = await scan(root);
  assert.deepEqual(index.settings?.databases.map(d => d.name), ['/data/from-dotenv.sqlite3']);
  assert.equal(index.settings?.values.DEBUG, true);
  // a Value with a variable of its own is set up when the class body runs, before DOTENV is read (Value.__new__)
  assert.equal(index.settings?.values.TIME_ZONE, 'UTC');
  assert.equal((await scan(root, { DJANGO_TZ: 'Europe/Oslo' })).settings?.values.TIME_ZONE, 'Europe/Oslo');
  // the environment wins (os.environ.setdefault)
  const env = await scan(root, { DATABASE_URL: 'sqlite:////data/from-env.sqlite3' });
  assert.deepEqual(env.settings?.databases.map(d => d.name), ['/data/from-env.sqlite3']);
  const missing = await scan(project('Dev', settings('os.path.join(BASE_DIR, "missing.env")')));
  assert.ok(missing.findings.some(f => /DOTENV names .*missing\.env, which cannot be read here/.test(f.message)), missing.findings.map(f => f.message).join('\n'));
});

test('--configuration chooses the class over the environment and manage.py (the CLI; djangoMultiDb.configuration in VS Code)', () => {
  const root = project('Dev');
  const r = cli(['scan', root, '--json', '--mode', 'static', '--no-db', '--configuration', 'Prod'], { env: { DJANGO_CONFIGURATION: 'Dev' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.json.databases.map((d: { alias: string }) => d.alias), ['default', 'analytics']);
  assert.equal(r.json.project.configuration, 'Prod');
  assert.match(cli(['--help']).stdout, /--configuration CLASS/);
});
