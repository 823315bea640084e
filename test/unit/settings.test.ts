import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { execFileSync } from 'node:child_process';

import { initPython, parsePython } from '../../src/core/python/parse';
import { ModuleIndex } from '../../src/core/python/modules';
import { findManagePy, settingsModuleFromManagePy, loadSettings } from '../../src/core/settings';
import { writeTree } from './support';
import { Scanner } from '../../src/core/scan';
import { settingsFindings } from '../../src/core/findings';
import { djangoPython } from '../oracle/helpers';

const project = (files: Record<string, string>) => writeTree(files, 'dmdb-settings-');

before(async () => {
  await initPython();
});

describe('findManagePy / settingsModuleFromManagePy', () => {
  test('root, one level down, skipping virtualenvs', () => {
    const a = project({ 'manage.py': '' });
    assert.equal(findManagePy(a), path.join(a, 'manage.py'));
    const b = project({ 'src/manage.py': '', '.venv/lib/manage.py': '' });
    assert.equal(findManagePy(b), path.join(b, 'src', 'manage.py'));
    const c = project({ 'node_modules/x/manage.py': '', 'venv/manage.py': '' });
    assert.equal(findManagePy(c), null);
    const d = project({ 'a/b/manage.py': '' });
    assert.equal(findManagePy(d), path.join(d, 'a', 'b', 'manage.py'));
  });

  test('setdefault at top level or inside main()', () => {
    const m1 = parsePython('import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n', 'manage.py');
    assert.equal(settingsModuleFromManagePy(m1), 'site1.settings');
    const m2 = parsePython('import os, sys\n\ndef main():\n    """Run."""\n    os.environ.setdefault(\n        "DJANGO_SETTINGS_MODULE", "conf.settings.dev"\n    )\n\nif __name__ == "__main__":\n    main()\n', 'manage.py');
    assert.equal(settingsModuleFromManagePy(m2), 'conf.settings.dev');
    assert.equal(settingsModuleFromManagePy(parsePython('print(1)\n', 'manage.py')), null);
    // zamboni: the test settings for `manage.py test`, the real ones otherwise (what `manage.py migrate` uses)
    const m3 = parsePython('import os, sys\nif len(sys.argv) > 1 and sys.argv[1] == "test":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mkt.settings_test")\nelse:\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mkt.settings")\n', 'manage.py');
    assert.equal(settingsModuleFromManagePy(m3), 'mkt.settings');
    const m4 = parsePython('import os, sys\nif "test" not in sys.argv:\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "a.prod")\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "a.test")\n', 'manage.py');
    assert.equal(settingsModuleFromManagePy(m4), 'a.prod');
  });

  test("setdefault of an argparse attribute: the modules given as that keyword (Open edX's lms / cms)", () => {
    const src = [
      'import os',
      'from argparse import ArgumentParser',
      'def parse_args():',
      '    parser = ArgumentParser()',
      '    sub = parser.add_subparsers()',
      '    lms = sub.add_parser("lms")',
      '    lms.set_defaults(settings_base="lms/envs", default_settings="lms.envs.devstack", startup="lms.startup")',
      '    cms = sub.add_parser("cms")',
      '    cms.set_defaults(settings_base="cms/envs", default_settings="cms.envs.devstack")',
      '    return parser.parse_known_args()',
      'if __name__ == "__main__":',
      '    edx_args, django_args = parse_args()',
      '    if edx_args.settings:',
      '        os.environ["DJANGO_SETTINGS_MODULE"] = edx_args.settings_base.replace("/", ".") + "." + edx_args.settings',
      '    else:',
      '        os.environ.setdefault("DJANGO_SETTINGS_MODULE", edx_args.default_settings)',
    ].join('\n') + '\n';
    const m = parsePython(src, 'manage.py');
    const notes: { alternatives?: string[] } = {};
    assert.equal(settingsModuleFromManagePy(m, () => true, notes), 'lms.envs.devstack');
    assert.deepEqual(notes.alternatives, ['cms.envs.devstack']);
    // only modules that exist
    const notes2: { alternatives?: string[] } = {};
    assert.equal(settingsModuleFromManagePy(m, d => d.startsWith('cms.'), notes2), 'cms.envs.devstack');
    assert.equal(notes2.alternatives, undefined);
  });
});

describe('a settings module manage.py computes', () => {
  const MANAGE = `#!/usr/bin/env python
import os
import sys
from pathlib import Path


def settings_module():
    flavour = os.environ.get("SITE_FLAVOUR", "dev")
    if (Path(__file__).resolve().parent / "local.flag").exists():
        flavour = "local"
    return f"computed.settings.{flavour}"


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
`;
  const SETTINGS = 'SECRET_KEY = "x"\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n';
  const files = {
    'manage.py': MANAGE,
    'computed/__init__.py': '',
    'computed/settings/__init__.py': '',
    'computed/settings/dev.py': SETTINGS,
    'computed/settings/prod.py': SETTINGS,
    'computed/settings/local.py': SETTINGS,
  };
  /** the module Django runs with: `manage.py shell -c` in the Django venv */
  const django = (dir: string, env: Record<string, string> = {}) => execFileSync(djangoPython()!, ['manage.py', 'shell', '-c', 'from django.conf import settings; print(settings.SETTINGS_MODULE)'], {
    cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env },
  }).trim().split('\n').pop();

  test('through a function of an environment variable\'s default and a file (the static evaluator; Django agrees)', { skip: djangoPython() ? false : 'no Django venv' }, async () => {
    const dir = project(files);
    const scan = (env: Record<string, string> = {}) => new Scanner({ root: dir, allowPython: false, readDatabases: false, env }).index();
    const dev = await scan();
    assert.equal(dev.settings?.module, 'computed.settings.dev');
    assert.equal(django(dir), 'computed.settings.dev');
    const said = dev.findings.find(f => f.code === 'settings-unknown' && /computes DJANGO_SETTINGS_MODULE/.test(f.message));
    assert.match(said?.message ?? '', /using computed\.settings\.dev, what it gives with SITE_FLAVOUR not set here/);
    const prod = await scan({ SITE_FLAVOUR: 'prod' });
    assert.equal(prod.settings?.module, 'computed.settings.prod');
    assert.equal(django(dir, { SITE_FLAVOUR: 'prod' }), 'computed.settings.prod');
    assert.equal(prod.findings.some(f => /computes DJANGO_SETTINGS_MODULE/.test(f.message)), false);
    // one scanner kept across the change (as the extension's worker keeps it): the file's creation is seen
    const kept = new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {} });
    assert.equal((await kept.index()).settings?.module, 'computed.settings.dev');
    fs.writeFileSync(path.join(dir, 'local.flag'), '');
    kept.invalidate(path.join(dir, 'local.flag'));
    assert.equal((await kept.index()).settings?.module, 'computed.settings.local');
    assert.equal((await scan()).settings?.module, 'computed.settings.local');
    assert.equal(django(dir), 'computed.settings.local');
  });
});

describe('loadSettings', () => {
  test('split settings, env URLs, Path NAMEs, loops and defaults', () => {
    const dir = project({
      'site1/__init__.py': '',
      'site1/settings/__init__.py': '',
      'site1/settings/base.py': `
import os
from pathlib import Path
import dj_database_url
BASE_DIR = Path(__file__).resolve().parent.parent.parent
INSTALLED_APPS = ["django.contrib.auth", "shop"]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"},
}
DATABASES["analytics"] = dj_database_url.config(env="ANALYTICS_URL", default="postgres://u:secret@db:5432/an")
for alias in ("a1", "a2"):
    DATABASES[alias] = {"ENGINE": "django.db.backends.sqlite3", "NAME": f"{alias}.sqlite3"}
DEBUG = os.environ.get("DEBUG") == "1"
`,
      'site1/settings/dev.py': `
from .base import *
from site1.routers import ShopRouter
from django.utils.module_loading import import_string
INSTALLED_APPS += ["debug"]
DATABASE_ROUTERS = ["site1.routers.AnalyticsRouter", ShopRouter(), ShopRouter, import_string("x.Y")()]
MIGRATION_MODULES = {"shop": "shop.db_migrations", "debug": None}
try:
    from .local import *
except ImportError:
    pass
`,
      'site1/routers.py': 'class ShopRouter:\n    pass\nclass AnalyticsRouter:\n    pass\n',
    });
    const s = loadSettings(new ModuleIndex([dir]), 'site1.settings.dev', { DEBUG: '1' });
    assert.equal(s.path, path.join(dir, 'site1', 'settings', 'dev.py'));
    assert.deepEqual(s.databases.map(d => d.alias), ['default', 'analytics', 'a1', 'a2']);
    const real = fs.realpathSync(dir);
    assert.equal(s.databases[0]!.name, `${real}/db.sqlite3`);
    assert.equal(s.databases[0]!.loc?.path, path.join(dir, 'site1', 'settings', 'base.py'));
    assert.equal(s.databases[0]!.loc?.line, 8);
    assert.equal(s.databases[1]!.engine, 'django.db.backends.postgresql');
    assert.equal(s.databases[1]!.host, 'db');
    assert.equal(s.databases[1]!.port, 5432);
    assert.equal(s.databases[1]!.password, 'secret');
    assert.equal(s.databases[2]!.name, 'a1.sqlite3');
    assert.deepEqual(s.routers, ['site1.routers.AnalyticsRouter', 'site1.routers.ShopRouter', 'site1.routers.ShopRouter', null]);
    assert.deepEqual(s.installedApps, ['django.contrib.auth', 'shop', 'debug']);
    assert.deepEqual(s.migrationModules, { shop: 'shop.db_migrations', debug: null });
    assert.equal(s.authUserModel, 'auth.User');
    assert.equal(s.values.DEBUG, true);
    assert.ok(!('DATABASES' in s.values), 'no passwords in values');
    assert.ok(s.unknowns.some(u => u.name === 'DATABASE_ROUTERS[3]'));
  });

  test('unknown parts are null and explained; Django defaults apply', () => {
    const dir = project({
      'conf.py': `
import os
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ["DB_NAME"], "HOST": os.environ.get("DB_HOST", "localhost")},
}
`,
    });
    const s = loadSettings(new ModuleIndex([dir]), 'conf', {});
    assert.equal(s.databases.length, 1);
    assert.equal(s.databases[0]!.engine, 'django.db.backends.postgresql');
    assert.equal(s.databases[0]!.name, null);
    assert.ok(s.unknowns.some(u => /DB_NAME/.test(u.reason)), JSON.stringify(s.unknowns));
    assert.deepEqual(s.routers, []);
    assert.deepEqual(s.migrationModules, {});

    const s2 = loadSettings(new ModuleIndex([dir]), 'conf', { DB_NAME: 'shop' });
    assert.equal(s2.databases[0]!.name, 'shop');
    assert.equal(s2.databases[0]!.host, 'localhost');
    assert.equal(s2.databases[0]!.engine, 'django.db.backends.postgresql');
  });

  test('syntax errors still yield what can be read; a missing module never throws', () => {
    const dir = project({
      'broken.py': 'INSTALLED_APPS = ["a"]\nX = (\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\ndef f(:\n    pass\nDATABASE_ROUTERS = ["r.R"]\n',
    });
    const s = loadSettings(new ModuleIndex([dir]), 'broken', {});
    assert.deepEqual(s.installedApps, ['a']);
    assert.deepEqual(s.routers, ['r.R']);
    assert.ok(s.unknowns.some(u => u.name === '(syntax)'));
    const m = loadSettings(new ModuleIndex([dir]), 'nope.settings', {});
    assert.equal(m.path, null);
    assert.deepEqual(m.databases, []);
    assert.ok(m.unknowns[0]!.reason.includes('nope.settings'));
  });

  test('django-environ with read_env and a relative SQLite NAME', () => {
    const dir = project({
      '.env': 'DATABASE_URL=sqlite:///local.sqlite3\nDEBUG=on\n',
      'st.py': `
import environ
from pathlib import Path
env = environ.Env(DEBUG=(bool, False))
environ.Env.read_env(Path(__file__).resolve().parent / ".env")
DEBUG = env("DEBUG")
DATABASES = {"default": env.db()}
`,
    });
    const s = loadSettings(new ModuleIndex([dir]), 'st', {});
    assert.equal(s.values.DEBUG, true);
    assert.equal(s.databases[0]!.engine, 'django.db.backends.sqlite3');
    assert.equal(s.databases[0]!.name, 'local.sqlite3');
  });

  test('django-environ db_url_config parses a URL given to it (Treeherder\'s upstream alias), on an Env and on the class', () => {
    const dir = project({
      'st.py': `
import environ
env = environ.Env()
UPSTREAM = env("UPSTREAM_DATABASE_URL", default=None)
DATABASES = {"default": env.db_url("DATABASE_URL", default="psql://u:p@localhost:5432/treeherder")}
if UPSTREAM:
    DATABASES["upstream"] = env.db_url_config(UPSTREAM)
DATABASES["other"] = environ.Env.db_url_config("mysql://u:p@db:3306/other")
`,
    });
    const s = loadSettings(new ModuleIndex([dir]), 'st', { UPSTREAM_DATABASE_URL: 'mysql://th:pw@up:3306/treeherder' });
    assert.deepEqual(s.databases.map(d => [d.alias, d.engine, d.name]), [
      ['default', 'django.db.backends.postgresql', 'treeherder'],
      ['upstream', 'django.db.backends.mysql', 'treeherder'],
      ['other', 'django.db.backends.mysql', 'other'],
    ]);
  });
});

describe('exec() into a namespace not known statically', () => {
  test('the module being run may get any setting from it: DATABASES and the routers are said to be partial', () => {
    const dir = project({
      'conf/__init__.py': '',
      'conf/helpers.py': 'import somewhere_unknown\n\n\ndef apply(path):\n    exec(open(path).read(), somewhere_unknown.scope())\n',
      'conf/settings.py': 'import os\nfrom conf.helpers import apply\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\napply(os.path.join(os.path.dirname(__file__), "extra.py"))\n',
      'conf/extra.py': 'DATABASE_ROUTERS = ["x.Y"]\n',
    });
    const s = loadSettings(new ModuleIndex([dir]), 'conf.settings', {});
    assert.deepEqual(s.databases.map(d => d.alias), ['default']);
    assert.ok(s.unknowns.some(u => u.name === 'Any setting' && /exec\(\) into a namespace not known statically/.test(u.reason)), JSON.stringify(s.unknowns));
    // said on its own, not among "settings none of which the multi-database analysis uses" (edx's production.py:
    // `vars().update(config_from_yaml)` may replace what its router reads)
    const any = settingsFindings(s).find(f => f.message.startsWith('Any setting'));
    assert.match(any?.message ?? '', /DATABASES, DATABASE_ROUTERS and the settings routers read may differ where the project runs$/);
    assert.ok(!settingsFindings(s).some(f => /none of which the multi-database analysis uses.*Any setting/.test(f.message)));
  });
});

test('inspect.getfile(inspect.currentframe()) is the settings file (arches\' ROOT_DIR)', () => {
  const dir = project({
    'site9/__init__.py': '',
    'site9/settings.py': 'import inspect, os\nROOT_DIR = os.path.dirname(os.path.abspath(inspect.getfile(inspect.currentframe())))\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(ROOT_DIR, "db.sqlite3")}}\n',
  });
  const s = loadSettings(new ModuleIndex([dir]), 'site9.settings', {});
  assert.equal(s.values.ROOT_DIR, path.join(dir, 'site9'));
  assert.equal(s.databases[0]!.name, path.join(dir, 'site9', 'db.sqlite3'));
});

test('os.pardir and os.curdir are what Python gives on POSIX (Sentry\'s PROJECT_ROOT)', () => {
  const dir = project({
    'site11/__init__.py': '',
    'site11/settings.py': 'import os\nPROJECT_ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), os.pardir))\nHERE = os.path.join(os.curdir, "x")\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(PROJECT_ROOT, "db.sqlite3")}}\n',
  });
  const s = loadSettings(new ModuleIndex([dir]), 'site11.settings', {});
  assert.equal(s.values.PROJECT_ROOT, dir);
  assert.equal(s.values.HERE, './x');
  assert.equal(s.databases[0]!.name, path.join(dir, 'db.sqlite3'));
});

test('timedelta values compare as Python compares them; other objects are not known, never a TypeError (osf)', () => {
  const dir = project({
    'site10/__init__.py': '',
    'site10/settings.py': 'from datetime import timedelta\nWAIT = timedelta(days=10)\nassert WAIT > timedelta(days=2)\nLONGER = WAIT >= timedelta(hours=240)\nSHORTER = timedelta(minutes=5) < timedelta(seconds=60)\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}\n',
  });
  const s = loadSettings(new ModuleIndex([dir]), 'site10.settings', {});
  assert.equal(s.values.LONGER, true);
  assert.equal(s.values.SHORTER, false);
  assert.deepEqual(s.unknowns.filter(u => /TypeError/.test(u.reason)), []);
  assert.deepEqual(s.databases.map(d => d.alias), ['default']);
});

test('from <installed package>.settings import *: the package module\'s own names, not "DATABASE_ROUTERS may come from it" (DemocracyClub\'s dc_utils; Django agrees)', { skip: process.env.DJANGO_MULTIDB_PYTHON ? false : 'no Django venv' }, () => {
  const dir = project({
    'site11/__init__.py': '',
    'site11/settings.py': 'SECRET_KEY = "x"\nfrom extpkg.settings.pipeline import *  # noqa\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\nINSTALLED_APPS = ["django.contrib.contenttypes"]\n',
    'sp/lib/python3.11/site-packages/extpkg/__init__.py': '',
    'sp/lib/python3.11/site-packages/extpkg/settings/__init__.py': '',
    'sp/lib/python3.11/site-packages/extpkg/settings/pipeline.py': 'from .base import *\nSTATICFILES_FINDERS = ("django.contrib.staticfiles.finders.FileSystemFinder",)\nPIPELINE = {"X": 1}\n',
    'sp/lib/python3.11/site-packages/extpkg/settings/base.py': 'SHARED = ["a"]\n',
  });
  const s = loadSettings(new ModuleIndex([dir, path.join(dir, 'sp/lib/python3.11/site-packages')]), 'site11.settings', {});
  assert.deepEqual(s.routers, []);
  assert.deepEqual(s.values.STATICFILES_FINDERS, ['django.contrib.staticfiles.finders.FileSystemFinder']);
  assert.deepEqual(s.values.SHARED, ['a']);
  assert.deepEqual(s.unknowns.filter(u => u.name === '*' || /names imported by/.test(u.reason)), []);
  // Django reads the same settings
  const py = process.env.DJANGO_MULTIDB_PYTHON!;
  const out = execFileSync(py, ['-c', 'import django\nfrom django.conf import settings\nprint(settings.DATABASE_ROUTERS, settings.SHARED)'], { encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'site11.settings', PYTHONPATH: `${dir}:${path.join(dir, 'sp/lib/python3.11/site-packages')}` } }).trim();
  assert.equal(out, "[] ['a']");
});

describe('replicas from a loop over os.environ (Baserow); Django agrees', () => {
  const settings = `import os
SECRET_KEY = "x"
INSTALLED_APPS = ["django.contrib.contenttypes"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
DATABASE_READ_REPLICAS = []
for key, value in os.environ.items():
    if key.startswith("DATABASE_READ_") and key.endswith("_NAME"):
        suffix = key[len("DATABASE_READ_") : -len("_NAME")]
        db_key = f"read_{suffix}"
        DATABASES[db_key] = {"ENGINE": "django.db.backends.postgresql", "NAME": os.getenv(f"DATABASE_READ_{suffix}_NAME"), "HOST": os.getenv(f"DATABASE_READ_{suffix}_HOST")}
        DATABASE_READ_REPLICAS.append(db_key)
for name in os.environ.keys():
    if name == "EXTRA_ALIAS":
        DATABASES[os.environ[name]] = DATABASES["default"]
`;
  const env = { DATABASE_READ_1_NAME: 'shop', DATABASE_READ_1_HOST: 'replica1', DATABASE_READ_EU_NAME: 'shop_eu', EXTRA_ALIAS: 'copy' };

  test('the variables set here give their aliases; others may be set where the project runs', () => {
    const dir = project({ 'site12/__init__.py': '', 'site12/settings.py': settings });
    const s = loadSettings(new ModuleIndex([dir]), 'site12.settings', env);
    assert.deepEqual(s.databases.map(d => d.alias).sort(), ['copy', 'default', 'read_1', 'read_EU']);
    assert.equal(s.databases.find(d => d.alias === 'read_1')?.host, 'replica1');
    assert.deepEqual(s.values.DATABASE_READ_REPLICAS, undefined, 'a list that may hold more is not a known value');
    assert.ok(s.partial?.some(p => p.name === 'DATABASES' && /the environment where the project runs/.test(p.reason)), JSON.stringify(s.partial));
    // none set: default alone, still said to be partial
    const none = loadSettings(new ModuleIndex([dir]), 'site12.settings', {});
    assert.deepEqual(none.databases.map(d => d.alias), ['default']);
    assert.ok(none.partial?.some(p => p.name === 'DATABASES'));
  });

  test('Django, run with the same variables, has the same aliases', { skip: process.env.DJANGO_MULTIDB_PYTHON ? false : 'no Django venv' }, () => {
    const dir = project({ 'site12/__init__.py': '', 'site12/settings.py': settings });
    const out = execFileSync(process.env.DJANGO_MULTIDB_PYTHON!, ['-c', 'import django\nfrom django.conf import settings\nprint(" ".join(sorted(settings.DATABASES)), settings.DATABASES["read_1"]["HOST"])'], { encoding: 'utf8', env: { ...process.env, ...env, DJANGO_SETTINGS_MODULE: 'site12.settings', PYTHONPATH: dir } }).trim();
    assert.equal(out, 'copy default read_1 read_EU replica1');
  });

  test('a new process answers from the snapshot while the same variables are set, and reads the settings again when one more is', async () => {
    const dir = project({ 'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site12.settings")\n', 'site12/__init__.py': '', 'site12/settings.py': settings });
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-envloop-cache-'));
    const aliases = (i: { settings: { databases: { alias: string }[] } | null }) => (i.settings?.databases ?? []).map(d => d.alias).sort();
    try {
      const scanner = (e: Record<string, string>) => new Scanner({ root: dir, readDatabases: false, allowPython: false, cacheDir: cache, env: e });
      const first = scanner(env);
      assert.deepEqual(aliases(await first.index()), ['copy', 'default', 'read_1', 'read_EU']);
      assert.equal(first.answeredFromSnapshot, false);
      const second = scanner({ ...env });
      assert.deepEqual(aliases(await second.index()), ['copy', 'default', 'read_1', 'read_EU']);
      assert.equal(second.answeredFromSnapshot, true, 'the same variables: the snapshot answers');
      const third = scanner({ ...env, DATABASE_READ_2_NAME: 'shop2' });
      assert.deepEqual(aliases(await third.index()), ['copy', 'default', 'read_1', 'read_2', 'read_EU']);
      assert.equal(third.answeredFromSnapshot, false, 'one more variable: read again');
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('the environment listed by the settings never shows its values (a review: secrets in findings)', () => {
  test('comprehensions, dict(), len(), sorted() of os.environ.items()/values(), and .values() in a loop, as Django reads them', () => {
    const settingsPy = `import os
SECRET_KEY = "x"
INSTALLED_APPS = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
READS = {k: v for k, v in os.environ.items() if k.startswith("DBREAD_")}
ENV_COPY = dict(os.environ.items())
N = len(os.environ.values())
S = sorted(os.environ.values())
for v in os.environ.values():
    if v.startswith("sqlite:///"):
        DATABASES["extra"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": v[10:]}
`;
    const dir = project({ 'site13/__init__.py': '', 'site13/settings.py': settingsPy });
    const env = { AWS_SECRET_ACCESS_KEY: 'envfilesecret123', STRIPE_API_KEY: 'sk_live_xyz', GITHUB_TOKEN: 'ghp_processsecret', X_URL: 'sqlite:////tmp/x.sqlite3' };
    const s = loadSettings(new ModuleIndex([dir]), 'site13.settings', env);
    const text = JSON.stringify(s);
    for (const secret of ['envfilesecret123', 'sk_live_xyz', 'ghp_processsecret']) assert.equal(text.includes(secret), false, `${secret} in ${text.slice(0, 2000)}`);
    assert.ok(s.unknowns.some(u => u.name === 'READS' && /os\.environ\.items\(\)/.test(u.reason)), JSON.stringify(s.unknowns));
    // .values() is a method of os.environ (no AttributeError): the variable set here gives "extra"
    assert.deepEqual(s.databases.map(d => d.alias).sort(), ['default', 'extra']);
    assert.equal(s.unknowns.some(u => /AttributeError/.test(u.reason)), false);
    if (process.env.DJANGO_MULTIDB_PYTHON) {
      const out = execFileSync(process.env.DJANGO_MULTIDB_PYTHON, ['-c', 'import django\nfrom django.conf import settings\nprint(" ".join(sorted(settings.DATABASES)))'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env, DJANGO_SETTINGS_MODULE: 'site13.settings', PYTHONPATH: dir } }).trim();
      assert.equal(out, 'default extra');
    }
  });

  test('a snapshot keeps a digest of the environment it listed, not its values', async () => {
    const dir = project({ 'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site14.settings")\n', 'site14/__init__.py': '', 'site14/settings.py': 'import os\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\nfor k, v in os.environ.items():\n    if k.startswith("DATABASE_READ_"):\n        DATABASES["read"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": v}\n' });
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-envdigest-'));
    try {
      await new Scanner({ root: dir, readDatabases: false, allowPython: false, cacheDir: cache, env: { DATABASE_READ_1: 'r.sqlite3', API_TOKEN: 'TopSecretApiToken999' } }).index();
      const files = fs.readdirSync(cache, { recursive: true }).map(String).filter(f => fs.statSync(path.join(cache, f)).isFile());
      assert.ok(files.some(f => /index-/.test(f)), files.join(', '));
      for (const f of files) assert.equal(fs.readFileSync(path.join(cache, f)).includes('TopSecretApiToken999'), false, f);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
