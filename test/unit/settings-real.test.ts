// Patterns of real projects' settings (written for these tests after the shapes seen in Saleor and NetBox, not
// copied): plugin discovery through entry points, version checks and configuration checks that raise, packages
// that are not installed, configuration modules imported dynamically, warnings, config objects. Where Django
// can say what the settings are, the venv's real Django loads the same files and must agree.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { initPython } from '../../src/core/python/parse';
import { ModuleIndex } from '../../src/core/python/modules';
import { loadSettings } from '../../src/core/settings';
import type { PythonFacts } from '../../src/core/python/environment';
import type { SettingsInfo } from '../../src/core/types';
import { settingsFindings, stateFindings } from '../../src/core/findings';
import { databasesMayDiffer } from '../../src/core/lints/aliases';
import { djangoSitePackages, writeTree } from './support';
import { djangoPython } from '../oracle/helpers';

const PY = djangoPython();
const NO_DJANGO = PY ? false : 'no Django venv (~/.cache/django-multidb/venv-django52): run scripts/python-env.sh';
/** the YAML-reading settings are compared with Django's only where its venv has PyYAML (asked once) */
const NO_YAML: string | false = NO_DJANGO || ((): string | false => { try { execFileSync(PY!, ['-c', 'import yaml'], { stdio: 'ignore' }); return false; } catch { return 'PyYAML is not installed in the Django venv'; } })();

const project = (files: Record<string, string>) => writeTree(files, 'dmdb-real-');

/** What Django itself reads from the settings module (settings only, no app loading). */
function djangoSettings(dir: string, module: string, extraPath: string[] = []): { INSTALLED_APPS: string[]; DATABASES: Record<string, Record<string, unknown>> } {
  const out = execFileSync(PY!, ['-c', `
import json, sys
from django.conf import settings
print(json.dumps({"INSTALLED_APPS": list(settings.INSTALLED_APPS), "DATABASES": {k: {"ENGINE": v.get("ENGINE"), "NAME": str(v.get("NAME"))} for k, v in settings.DATABASES.items()}}))
`], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DJANGO_SETTINGS_MODULE: module, PYTHONPATH: [dir, ...extraPath].join(path.delimiter) } });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function load(dir: string, module: string, python?: PythonFacts, env: Record<string, string> = {}): SettingsInfo {
  return loadSettings(new ModuleIndex([dir, ...(python?.sitePackages ?? [])]), module, env, python ? { python } : {});
}

const DB = `DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n`;

/** A site-packages folder with one distribution that declares a plugin entry point. */
function sitePackages(entryPoints: string): string {
  const sp = writeTree({
    'lib/python3.12/site-packages/shopplugin-1.2.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: shopplugin\nVersion: 1.2.0\n',
    'lib/python3.12/site-packages/shopplugin-1.2.0.dist-info/entry_points.txt': entryPoints,
    'lib/python3.12/site-packages/shopplugin/__init__.py': '',
    'lib/python3.12/site-packages/shopplugin/plugin.py': 'class Plugin:\n    pass\n',
  }, 'dmdb-site-');
  return path.join(sp, 'lib', 'python3.12', 'site-packages');
}

const PLUGIN_SETTINGS = `
import importlib.metadata
${DB}
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop.core", "shop.orders"]
BUILTIN_PLUGINS = ["shop.plugins.tax.TaxPlugin"]
EXTERNAL_PLUGINS = []
for ep in importlib.metadata.entry_points(group="shop.plugins"):
    path = f"{ep.module}.{ep.attr}"
    if path not in BUILTIN_PLUGINS and path not in EXTERNAL_PLUGINS:
        if ep.name not in INSTALLED_APPS:
            INSTALLED_APPS.append(ep.name)
        EXTERNAL_PLUGINS.append(path)
PLUGINS = BUILTIN_PLUGINS + EXTERNAL_PLUGINS
`;

before(async () => {
  await initPython();
});

describe('principle 2: keep what is known (partial collections)', () => {
  test('an entry-points loop without a known environment: the literal apps stay, marked partial with where', () => {
    const dir = project({ 'shop/__init__.py': '', 'shop/settings.py': PLUGIN_SETTINGS });
    const s = load(dir, 'shop.settings');
    assert.deepEqual(s.installedApps, ['django.contrib.contenttypes', 'django.contrib.auth', 'shop.core', 'shop.orders']);
    assert.equal(s.partial?.length, 1, JSON.stringify(s.partial));
    assert.equal(s.partial![0]!.name, 'INSTALLED_APPS');
    assert.match(s.partial![0]!.reason, /entry points of group 'shop\.plugins'.*no Python environment/);
    assert.equal(s.partial![0]!.loc?.line, 8);
    assert.equal(s.databases[0]?.engine, 'django.db.backends.sqlite3');
    assert.ok(!s.unknowns.some(u => u.name.split(', ').includes('INSTALLED_APPS')), JSON.stringify(s.unknowns));
  });

  test('.extend/.append of unknowns, dict.update(unknown), comprehension over unknown: known entries kept', () => {
    const dir = project({
      'conf/__init__.py': '',
      'conf/settings.py': `
import os
import somepkg
INSTALLED_APPS = ["a", "b"]
INSTALLED_APPS.extend(somepkg.EXTRA_APPS)
DATABASE_ROUTERS = ["conf.routers.R"] + somepkg.ROUTERS
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}
DATABASES.update(somepkg.DATABASES)
MIGRATION_MODULES = {"a": "a.mig"}
MIGRATION_MODULES.update({k: None for k in somepkg.DISABLED})
if os.environ.get("DEBUG"):
    INSTALLED_APPS.append("debug_toolbar")
`,
    });
    const s = load(dir, 'conf.settings');
    assert.deepEqual(s.installedApps, ['a', 'b']);
    assert.deepEqual(s.databases.map(d => d.alias), ['default']);
    assert.deepEqual(s.routers, ['conf.routers.R', null]);
    assert.deepEqual(s.migrationModules, { a: 'a.mig' });
    assert.deepEqual((s.partial ?? []).map(p => p.name).sort(), ['DATABASES', 'DATABASE_ROUTERS', 'INSTALLED_APPS', 'MIGRATION_MODULES']);
    for (const p of s.partial!) assert.match(p.reason, /somepkg is not in the project and no Python environment was found/, JSON.stringify(p));
  });

  test('entry points read from the environment\'s dist-info: the plugin is added, nothing is partial (and Django agrees)', { skip: NO_DJANGO }, () => {
    const dir = project({ 'shop/__init__.py': '', 'shop/settings.py': PLUGIN_SETTINGS });
    const sp = sitePackages('[shop.plugins]\nshopplugin = shopplugin.plugin:Plugin\n\n[console_scripts]\nshop = shopplugin:main\n');
    const s = load(dir, 'shop.settings', { version: '3.12.1', sitePackages: [sp] });
    assert.deepEqual(s.installedApps, ['django.contrib.contenttypes', 'django.contrib.auth', 'shop.core', 'shop.orders', 'shopplugin']);
    assert.equal(s.partial, undefined);
    assert.deepEqual(s.values.PLUGINS, ['shop.plugins.tax.TaxPlugin', 'shopplugin.plugin.Plugin']);
    assert.deepEqual(djangoSettings(dir, 'shop.settings', [sp]).INSTALLED_APPS, s.installedApps);
    // an environment without the plugin: the loop runs zero times
    const bare = load(dir, 'shop.settings', { version: '3.12.1', sitePackages: [path.dirname(sp)] });
    assert.deepEqual(bare.installedApps, ['django.contrib.contenttypes', 'django.contrib.auth', 'shop.core', 'shop.orders']);
    assert.equal(bare.partial, undefined);
  });

  test('entry_point.load() is the object it names, and optional apps under `with suppress(ImportError):` (pulpcore; Django agrees)', { skip: NO_DJANGO }, () => {
    const sp = writeTree({
      'lib/python3.12/site-packages/shopplugin-1.2.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: shopplugin\nVersion: 1.2.0\n',
      'lib/python3.12/site-packages/shopplugin-1.2.0.dist-info/entry_points.txt': '[shop.plugin]\nshopplugin = shopplugin:default_app_config\n',
      'lib/python3.12/site-packages/shopplugin/__init__.py': 'default_app_config = "shopplugin.app.ShopPluginConfig"\n',
    }, 'dmdb-site-');
    const site = path.join(sp, 'lib', 'python3.12', 'site-packages');
    const dir = project({
      'shop/__init__.py': '',
      'shop/settings.py': `from contextlib import suppress
from importlib import import_module
from importlib.metadata import entry_points
${DB}INSTALLED_APPS = ["django.contrib.contenttypes"]
for entry_point in entry_points(group="shop.plugin"):
    INSTALLED_APPS.append(entry_point.load())
with suppress(ImportError):
    import_module("crispy_forms_not_installed")
    INSTALLED_APPS.append("crispy_forms_not_installed")
with suppress(ImportError):
    import_module("django.contrib.auth")
    INSTALLED_APPS.append("django.contrib.auth")
`,
    });
    const s = load(dir, 'shop.settings', { version: '3.12.1', sitePackages: [site, djangoSitePackages(PY)!] });
    const django = JSON.parse(execFileSync(PY!, ['-c', 'import json, importlib; print(json.dumps(importlib.import_module("shop.settings").INSTALLED_APPS))'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: [dir, site].join(path.delimiter) } }));
    assert.deepEqual(django, ['django.contrib.contenttypes', 'shopplugin.app.ShopPluginConfig', 'django.contrib.auth']);
    assert.deepEqual(s.installedApps, django);
    // (a Django environment is taken as the project's: the optional app is not there, so the list is whole)
    assert.equal(s.partial, undefined);
  });

  test('a name the environment\'s Django no longer has (ugettext_lazy, removed in 4.0) is Django\'s ImportError; a compatibility try and the names it has are not (Django venv)', { skip: NO_DJANGO }, () => {
    const dir = project({
      'old/__init__.py': '',
      'old/settings.py': `from django.utils.translation import ugettext_lazy as _
${DB}INSTALLED_APPS = ["django.contrib.contenttypes"]
LANGUAGES = [("en", _("English"))]
`,
      'compat/__init__.py': '',
      'compat/settings.py': `try:
    from django.utils.translation import ugettext_lazy as _
except ImportError:
    from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.core.validators import RegexValidator
from django.db.models import Q
${DB}INSTALLED_APPS = ["django.contrib.contenttypes"]
LANGUAGES = [("en", _("English"))]
`,
    });
    const python = { version: '3.12.1', sitePackages: [djangoSitePackages(PY)!] };
    const djangoImports = (module: string) => {
      try {
        execFileSync(PY!, ['-c', `import ${module}`], { cwd: dir, encoding: 'utf8', stdio: 'pipe', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir } });
        return 'imported';
      } catch (e) {
        return /ImportError: cannot import name 'ugettext_lazy' from 'django\.utils\.translation'/.test(String((e as { stderr?: string }).stderr)) ? 'ImportError' : String((e as { stderr?: string }).stderr);
      }
    };
    assert.equal(djangoImports('old.settings'), 'ImportError');
    const old = load(dir, 'old.settings', python);
    const [raised] = settingsFindings(old).filter(f => /cannot import name 'ugettext_lazy'/.test(f.message));
    assert.match(raised?.message ?? '', /raises ImportError: cannot import name 'ugettext_lazy' from 'django\.utils\.translation' \(.*django\/utils\/translation\/__init__\.py\): Django stops there/);
    assert.equal(raised?.line, 1);
    assert.equal(djangoImports('compat.settings'), 'imported');
    const compat = load(dir, 'compat.settings', python);
    assert.deepEqual(settingsFindings(compat).filter(f => /cannot import name/.test(f.message)), []);
    assert.deepEqual(compat.installedApps, ['django.contrib.contenttypes']);
    // without an environment nothing is certain: no error
    assert.deepEqual(settingsFindings(load(dir, 'old.settings')).filter(f => /cannot import name/.test(f.message)), []);
  });

  test('importlib.metadata: select(group=), the old dict form, version(), PackageNotFoundError', () => {
    const sp = sitePackages('[shop.plugins]\nshopplugin = shopplugin.plugin:Plugin\n');
    const dir = project({
      'conf/__init__.py': '',
      'conf/settings.py': `
from importlib import metadata
from importlib.metadata import entry_points, version, PackageNotFoundError
A = [e.name for e in entry_points().select(group="shop.plugins")]
B = [e.value for e in entry_points().get("shop.plugins", [])]
C = version("ShopPlugin")
try:
    D = metadata.version("not-installed")
except PackageNotFoundError:
    D = None
E = metadata.distribution("shopplugin").version
`,
    });
    const s = load(dir, 'conf.settings', { version: null, sitePackages: [sp] });
    assert.deepEqual(s.values.A, ['shopplugin']);
    assert.deepEqual(s.values.B, ['shopplugin.plugin:Plugin']);
    assert.equal(s.values.C, '1.2.0');
    assert.equal(s.values.D, null);
    assert.equal(s.values.E, '1.2.0');
  });
});

describe('principle 1: the project starts (assumptions)', () => {
  const VERSION_CHECK = `
import os
import sys
import platform
from django.core.exceptions import ImproperlyConfigured
if sys.version_info < (3, 10):
    raise RuntimeError(f"Python 3.10 or later is required (found {platform.python_version()})")
if sys.platform.startswith("win"):
    sys.exit("not supported on Windows")
if os.environ["APP_MODE"] == "broken":
    sys.exit("APP_MODE must not be broken")
PY = "%d.%d" % sys.version_info[:2]
INSTALLED_APPS = ["django.contrib.contenttypes"]
${DB}`;

  test('checks that raise on values not known, several in one file (NetBox\'s configuration checks), are one finding listing them', () => {
    const dir = project({
      'conf/__init__.py': '',
      'conf/settings.py': `import os
from django.core.exceptions import ImproperlyConfigured
ALLOWED_HOSTS = os.environ["HOSTS"]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Required parameter ALLOWED_HOSTS is missing from configuration.")
SECRET = os.environ["SECRET"]
if len(SECRET) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in length.")
INSTALLED_APPS = ["django.contrib.contenttypes"]
${DB}`,
    });
    const s = load(dir, 'conf.settings');
    assert.equal(s.assumptions?.filter(a => /assumed not to happen/.test(a.reason)).length, 2, JSON.stringify(s.assumptions));
    const said = settingsFindings(s).filter(f => f.code === 'settings-assumption');
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.equal(said[0]!.line, 5);
    assert.equal(said[0]!.message, '2 raises assumed not to happen (the project is taken to start): line 5: ImproperlyConfigured: Required parameter ALLOWED_HOSTS is missing from configuration.; line 8: ImproperlyConfigured: SECRET_KEY must be at least 50 characters in length.');
  });

  test('a version check that can only raise: known version decides, unknown version is an assumption', () => {
    const dir = project({ 'conf/__init__.py': '', 'conf/settings.py': VERSION_CHECK });
    const known = load(dir, 'conf.settings', { version: '3.12.4', sitePackages: [] });
    assert.equal(known.values.PY, '3.12');
    assert.deepEqual(known.installedApps, ['django.contrib.contenttypes']);
    assert.equal(known.assumptions?.length, 1, 'the sys.exit() on an unknown condition');
    assert.match(known.assumptions![0]!.reason, /SystemExit: APP_MODE must not be broken/);
    assert.deepEqual(known.unknowns, []);

    const fromLayout = load(dir, 'conf.settings', { version: null, sitePackages: ['/opt/venv/lib/python3.11/site-packages'] });
    assert.equal(fromLayout.values.PY, '3.11');

    const none = load(dir, 'conf.settings');
    assert.deepEqual(none.installedApps, ['django.contrib.contenttypes']);
    assert.equal(none.databases.length, 1);
    assert.equal(none.assumptions?.length, 2, JSON.stringify(none.assumptions));
    // the message itself needs the version: only the exception is known
    assert.match(none.assumptions![0]!.reason, /assumed not to happen.*RuntimeError/);
    assert.equal(none.assumptions![0]!.loc?.line, 7);

    const old = load(dir, 'conf.settings', { version: '3.8.10', sitePackages: [] });
    assert.ok(old.unknowns.some(u => /RuntimeError: Python 3\.10 or later is required \(found 3\.8\.10\)/.test(u.reason)), JSON.stringify(old.unknowns));
  });

  test('a configuration module loaded by load_configuration() (import_module / spec_from_file_location), checked with hasattr', { skip: NO_DJANGO }, () => {
    const files = {
      'inv/__init__.py': '',
      'inv/configuration.py': `
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "inventory", "HOST": "db"}}
SECRET_KEY = "x" * 50
`,
      'inv/settings_utils.py': `
import importlib
import importlib.util
import os
import warnings
from django.core.exceptions import ImproperlyConfigured

def _from_path(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImproperlyConfigured(f"Unable to load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

def load_configuration(environ):
    explicit = environ.get("INV_CONFIGURATION")
    if explicit:
        return importlib.import_module(explicit)
    local = os.path.join(os.path.dirname(__file__), "local_configuration.py")
    if os.path.isfile(local):
        warnings.warn(f"using {local}", RuntimeWarning)
        return _from_path("local_configuration", local)
    try:
        return importlib.import_module("inv.configuration")
    except ModuleNotFoundError:
        raise ImproperlyConfigured("configuration.py is missing")
`,
      'inv/settings.py': `
import os
import warnings
from django.core.exceptions import ImproperlyConfigured
from inv.settings_utils import load_configuration

configuration = load_configuration(os.environ)
for parameter in ("ALLOWED_HOSTS", "SECRET_KEY"):
    if not hasattr(configuration, parameter):
        raise ImproperlyConfigured(f"Required parameter {parameter} is missing from configuration.")
if not hasattr(configuration, "DATABASE") and not hasattr(configuration, "DATABASES"):
    raise ImproperlyConfigured("The database configuration must be defined using DATABASE or DATABASES.")
DATABASES = getattr(configuration, "DATABASES", None) or {"default": configuration.DATABASE}
DEBUG = getattr(configuration, "DEBUG", False)
if not DEBUG:
    warnings.warn("DEBUG is off", FutureWarning)
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
if "default" not in DATABASES:
    raise ImproperlyConfigured("No default database has been configured.")
`,
    };
    const dir = project(files);
    const s = load(dir, 'inv.settings');
    assert.deepEqual(s.databases.map(d => [d.alias, d.engine, d.name, d.host]), [['default', 'django.db.backends.postgresql', 'inventory', 'db']]);
    assert.deepEqual(s.installedApps, ['django.contrib.contenttypes', 'django.contrib.auth']);
    assert.deepEqual(s.unknowns, []);
    assert.equal(s.values.DEBUG, false);
    const dj = djangoSettings(dir, 'inv.settings');
    assert.deepEqual(dj.INSTALLED_APPS, s.installedApps);
    assert.deepEqual(Object.keys(dj.DATABASES), ['default']);
    assert.equal(dj.DATABASES.default!.NAME, 'inventory');

    // the same configuration next to it as local_configuration.py, loaded by file path
    fs.writeFileSync(path.join(dir, 'inv', 'local_configuration.py'), files['inv/configuration.py'].replace('inventory', 'local_inv'));
    const local = load(dir, 'inv.settings');
    assert.equal(local.databases[0]?.name, 'local_inv');
    assert.equal(djangoSettings(dir, 'inv.settings').DATABASES.default!.NAME, 'local_inv');
  });

  test('a configuration that really lacks a required parameter is reported, not assumed away', () => {
    const dir = project({
      'c/__init__.py': '',
      'c/configuration.py': 'DATABASES = {}\n',
      'c/settings.py': `
from django.core.exceptions import ImproperlyConfigured
from c import configuration
if not hasattr(configuration, "SECRET_KEY"):
    raise ImproperlyConfigured("Required parameter SECRET_KEY is missing from configuration.")
INSTALLED_APPS = []
`,
    });
    const s = load(dir, 'c.settings');
    assert.ok(s.unknowns.some(u => /ImproperlyConfigured: Required parameter SECRET_KEY/.test(u.reason)), JSON.stringify(s.unknowns));
    assert.equal(s.assumptions, undefined);
  });
});

describe('principle 3: packages that are not installed', () => {
  test('import of a missing package is opaque; values from it are unknown with one reason; ImportError handlers run too', () => {
    const dir = project({
      'p/__init__.py': '',
      'p/settings.py': `
import storages.utils
import sentry_sdk
from sentry_sdk.scrubber import DEFAULT_DENYLIST
from celery.schedules import crontab
${DB}
INSTALLED_APPS = ["django.contrib.auth", "storages"]
DENY = DEFAULT_DENYLIST + ["x"]
BEAT = {"task": {"schedule": crontab(minute=0)}}
try:
    import debug_toolbar
    HAS_TOOLBAR = True
except ImportError:
    HAS_TOOLBAR = False
try:
    from .local_settings import *
except ImportError:
    pass
CACHE_PREFIX = "p"
`,
    });
    const s = load(dir, 'p.settings');
    assert.deepEqual(s.installedApps, ['django.contrib.auth', 'storages']);
    assert.equal(s.databases.length, 1);
    assert.equal(s.values.CACHE_PREFIX, 'p');
    const deny = s.unknowns.find(u => u.name.split(', ').includes('DENY'));
    assert.match(deny!.reason, /^sentry_sdk is not in the project and no Python environment was found/);
    assert.equal(deny!.loc?.line, 3);
    assert.ok(s.unknowns.some(u => u.name === 'HAS_TOOLBAR'), 'both paths of the ImportError handler: unknown');
    assert.ok(!s.unknowns.some(u => /local_settings|No module named/.test(u.reason)), JSON.stringify(s.unknowns));
    assert.ok(!s.unknowns.some(u => u.name === '*'), 'a missing project module is an ImportError, handled');
    // what HAS_TOOLBAR depends on, said
    assert.match(s.unknowns.find(u => u.name === 'HAS_TOOLBAR')!.reason, /depends on whether debug_toolbar can be imported \(debug_toolbar is not in the project and no Python environment was found\)/);
  });

  test('in a Django environment, a package that is not there fails to import: the ImportError handler is the path taken (Django agrees)', { skip: NO_DJANGO }, () => {
    const dir = project({
      'p/__init__.py': '',
      'p/settings.py': `${DB}
try:
    import privateext.cdn  # noqa
    EXT = True
except ImportError:
    EXT = False
INSTALLED_APPS = ["django.contrib.contenttypes"]
if EXT:
    INSTALLED_APPS.append("privateext.cdn")
try:
    import django.contrib.auth  # noqa
    INSTALLED_APPS.append("django.contrib.auth")
except ImportError:
    pass
`,
    });
    const s = load(dir, 'p.settings', { version: '3.12.1', sitePackages: [djangoSitePackages(PY)!] });
    const django = djangoSettings(dir, 'p.settings');
    assert.deepEqual(django.INSTALLED_APPS, ['django.contrib.contenttypes', 'django.contrib.auth']);
    assert.deepEqual(s.installedApps, django.INSTALLED_APPS);
    assert.deepEqual(s.partial ?? [], []);
    assert.equal(s.values.EXT, false);
    // an environment without Django is not taken as the project's: the optional import may work where it runs
    const bare = load(dir, 'p.settings', { version: '3.12.1', sitePackages: [project({ 'six.py': '' })] });
    assert.deepEqual(bare.partial?.map(p => [p.name, p.reason]), [['INSTALLED_APPS', 'depends on whether privateext can be imported (privateext is not installed in the Python environment used)']]);
  });
});

describe('principle 4: Python as real settings write it', () => {
  test('warnings, exceptions, NamedTuple and dataclass configs, getattr/setattr, globals(), dir(), typing.cast, timedelta, walrus, unions', () => {
    const dir = project({
      'q/__init__.py': '',
      'q/config.py': 'REDIS = {"host": "r"}\nSOCIAL_AUTH_KEY = "k"\nSOCIAL_AUTH_SECRET = "s"\n',
      'q/settings.py': `
import dataclasses
import datetime
import warnings
from typing import NamedTuple, cast
from q import config

class Paths(NamedTuple):
    mode: str
    base: str
    extra: str = "none"

@dataclasses.dataclass
class Db:
    name: str
    host: str = "localhost"

OptionalInt = int | None
P = Paths(mode="checkout", base="/srv")
MODE, BASE = P.mode, P[1]
EXTRA = P.extra
D = Db("shop")
warnings.warn("deprecated", DeprecationWarning)
warnings.warn("later", FutureWarning)
warnings.filterwarnings("ignore", category=RuntimeWarning)
try:
    raise ResourceWarning("x")
except Warning as e:
    CAUGHT = type(e).__name__ if False else "Warning"
for param in dir(config):
    if param.startswith("SOCIAL_AUTH_"):
        globals()[param] = getattr(config, param)
setattr(config, "ADDED", 1)
HAS_ADDED = hasattr(config, "ADDED")
TIMEOUT = cast(int, 30)
TTL = datetime.timedelta(minutes=5)
if (n := len(MODE)) > 3:
    LONG_MODE = n
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": D.name, "HOST": D.host}}
INSTALLED_APPS = [f"q.{m}" for m in ("a", "b")]
`,
    });
    const s = load(dir, 'q.settings');
    assert.deepEqual(s.unknowns, []);
    assert.equal(s.values.MODE, 'checkout');
    assert.equal(s.values.BASE, '/srv');
    assert.equal(s.values.EXTRA, 'none');
    assert.equal(s.values.CAUGHT, 'Warning');
    assert.equal(s.values.SOCIAL_AUTH_KEY, 'k');
    assert.equal(s.values.SOCIAL_AUTH_SECRET, 's');
    assert.equal(s.values.HAS_ADDED, true);
    assert.equal(s.values.TIMEOUT, 30);
    assert.equal(s.values.LONG_MODE, 8);
    assert.deepEqual(s.databases.map(d => [d.name, d.host]), [['shop', 'localhost']]);
    assert.deepEqual(s.installedApps, ['q.a', 'q.b']);
  });

  test('functools / itertools basics and match: the case the subject matches runs', () => {
    const dir = project({
      'r/__init__.py': '',
      'r/settings.py': `
import functools
import itertools
import os
add = functools.partial(lambda a, b: a + b, 10)
TOTAL = functools.reduce(lambda x, y: x + y, [1, 2, 3])
PLUS = add(5)
APPS = list(itertools.chain(["a"], ("b",)))
match os.environ.get("STAGE"):
    case "prod":
        DEBUG = False
        EXTRA = []
    case _:
        DEBUG = False
        EXTRA = ["debug_toolbar"]
INSTALLED_APPS = APPS + EXTRA
`,
    });
    const s = load(dir, 'r.settings');
    assert.equal(s.values.TOTAL, 6);
    assert.equal(s.values.PLUS, 15);
    // the patterns are read: STAGE unset takes `case _:`, STAGE=prod the first case
    assert.equal(s.values.DEBUG, false);
    assert.deepEqual(s.installedApps, ['a', 'b', 'debug_toolbar']);
    assert.equal(s.partial, undefined);
    assert.deepEqual(load(dir, 'r.settings', undefined, { STAGE: 'prod' }).installedApps, ['a', 'b']);
  });

  test('importlib.util.find_spec against the project and the environment; more str methods', () => {
    const sp = sitePackages('');
    const dir = project({
      't/__init__.py': '',
      't/settings.py': `
import importlib.util
INSTALLED_APPS = ["t"]
for optional in ("shopplugin", "debug_toolbar", "t"):
    if importlib.util.find_spec(optional) is not None:
        INSTALLED_APPS.append(optional + "_x")
LABEL = "ab".center(6, "*") + "|" + "x".ljust(3, ".") + "|" + "{a}-{b}".format_map({"a": 1, "b": 2})
import hashlib
DEPLOYMENT = hashlib.sha256("abc".encode("utf-8")).hexdigest()[:16]
`,
    });
    const s = load(dir, 't.settings', { version: '3.12.0', sitePackages: [sp] });
    assert.deepEqual(s.installedApps, ['t', 'shopplugin_x', 't_x']);
    assert.equal(s.values.LABEL, '**ab**|x..|1-2');
    assert.equal(s.values.DEPLOYMENT, 'ba7816bf8f01cfea');
    const noEnv = load(dir, 't.settings');
    assert.deepEqual(noEnv.installedApps, ['t', 't_x']);
    assert.equal(noEnv.partial?.[0]?.name, 'INSTALLED_APPS');
  });
});

test('dj_database_url.config(test_options=…) sets TEST, so a replica that mirrors default is known (Saleor)', () => {
  const dir = writeTree({
    'proj/__init__.py': '',
    'proj/settings.py': [
      'import dj_database_url',
      'DATABASES = {',
      '    "default": dj_database_url.config(default="postgres://u:p@db/app", conn_max_age=600),',
      '    "replica": dj_database_url.config(default="postgres://u:p@db/app", test_options={"MIRROR": "default"}),',
      '}',
      '',
    ].join('\n'),
  });
  const s = load(dir, 'proj.settings');
  const replica = s.databases.find(d => d.alias === 'replica')!;
  assert.deepEqual(replica.raw?.TEST, { MIRROR: 'default' });
  assert.equal(s.databases.find(d => d.alias === 'default')!.raw?.TEST, undefined);
});

describe('DATABASES as Django\'s ConnectionHandler takes it', () => {
  /** `connections.settings`: the aliases and engines Django uses, or the error it raises */
  function djangoConnections(dir: string, module: string, env: Record<string, string> = {}): Record<string, string> | { error: string } {
    const out = execFileSync(PY!, ['-c', `
import json
from django.db import connections
try:
    print(json.dumps({a: c["ENGINE"] for a, c in connections.settings.items()}))
except Exception as e:
    print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
`], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DJANGO_SETTINGS_MODULE: module, PYTHONPATH: dir, ...env } });
    return JSON.parse(out.trim().split('\n').pop()!);
  }
  const ENV_SETTINGS = `
import os
INSTALLED_APPS = ["django.contrib.contenttypes"]
DEBUG = os.environ.get("DEBUG") == "1"
POSTGRES_DB = os.environ.get("POSTGRES_DB")
POSTGRES_HOST = os.environ.get("POSTGRES_HOST")
DATABASES = {}
if POSTGRES_DB and POSTGRES_HOST:
    DATABASES["default"] = {"ENGINE": "django.db.backends.postgresql", "NAME": POSTGRES_DB, "HOST": POSTGRES_HOST}
`;

  test('DATABASE_ROUTERS from a variable not set here (drycc): said, with the routers shown being its default\'s', () => {
    const dir = project({
      'site20/__init__.py': '',
      'site20/routers.py': 'class DefaultReplicaRouter:\n    def allow_migrate(self, db, app_label, **hints):\n        return db == "default"\n',
      'site20/settings.py': `import os
INSTALLED_APPS = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
SENTRY_ENV = os.environ.get("SENTRY_ENV", "dev")
DATABASE_ROUTERS = [r for r in os.environ.get("DRYCC_DATABASE_ROUTERS", "").split(",") if r]
`,
    });
    const s = load(dir, 'site20.settings');
    assert.deepEqual(s.routers, []);
    assert.deepEqual(s.routersEnvDefaults, { variables: ['DRYCC_DATABASE_ROUTERS'], loc: { path: path.join(dir, 'site20', 'settings.py'), line: 5 } });
    const f = settingsFindings(s).filter(x => x.code === 'settings-env-dependent');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.match(f[0]!.message, /^DATABASE_ROUTERS reads the environment variable DRYCC_DATABASE_ROUTERS, not set here: the routers shown are those the settings give without it \(none\)\. Set it in an env file/);
    // set: the router it names, nothing said
    const set = load(dir, 'site20.settings', undefined, { DRYCC_DATABASE_ROUTERS: 'site20.routers.DefaultReplicaRouter' });
    assert.deepEqual([set.routers, set.routersEnvDefaults], [['site20.routers.DefaultReplicaRouter'], undefined]);
    // routers set under a condition on a variable: envDependent says it, not this (once)
    const cond = project({
      'site21/__init__.py': '',
      'site21/settings.py': 'import os\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\nDATABASE_ROUTERS = []\nif os.environ.get("USE_REPLICA"):\n    DATABASES["replica"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": "r.sqlite3"}\n    DATABASE_ROUTERS = ["site21.routers.R"]\n',
    });
    const c = load(cond, 'site21.settings');
    assert.equal(c.routersEnvDefaults, undefined);
    assert.deepEqual(settingsFindings(c).filter(x => x.code === 'settings-env-dependent').map(x => x.message.split(',')[0]), ['DATABASES and DATABASE_ROUTERS depend on USE_REPLICA']);
  });

  test('only the variables DATABASES reads are named (RapidPro, onadata): hard-coded DATABASES names none; settings that never set it name the modules beside them that do', () => {
    // RapidPro: DATABASES hard-coded; WHATSAPP_ADMIN_SYSTEM_USER_ID is read elsewhere and merely looks like a database's
    const hard = project({
      'site5/__init__.py': '',
      'site5/settings.py': `import os
INSTALLED_APPS = []
_db_host = "postgres"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "temba", "HOST": _db_host}}
WHATSAPP_ADMIN_SYSTEM_USER_ID = os.environ.get("WHATSAPP_ADMIN_SYSTEM_USER_ID", "")
`,
    });
    assert.equal(load(hard, 'site5.settings').unsetDatabaseEnv, undefined);
    // through names assigned from the reads, a local helper, and dj_database_url.config()'s DATABASE_URL
    const flows = project({
      'site6/__init__.py': '',
      'site6/settings.py': `import os
import dj_database_url
INSTALLED_APPS = []
SENTRY_USER = os.environ.get("SENTRY_USER", "")
_db_host = os.environ.get("DB_HOST", "postgres")


def replica_host():
    return os.environ.get("REPLICA_HOST", "replica")


DATABASES = {"default": dj_database_url.config(default="sqlite:///db.sqlite3")}
DATABASES["legacy"] = {"ENGINE": "django.db.backends.postgresql", "NAME": "legacy", "HOST": _db_host}
DATABASES["replica"] = dict(DATABASES["legacy"], HOST=replica_host())
`,
    });
    const s6 = load(flows, 'site6.settings');
    assert.deepEqual(s6.unsetDatabaseEnv, ['DATABASE_URL', 'DB_HOST', 'REPLICA_HOST']);
    // the values shown are those variables' defaults: said once, at DATABASES (onadata, Kolibri Studio)
    assert.deepEqual(s6.envDefaults, { variables: ['DATABASE_URL', 'DB_HOST', 'REPLICA_HOST'], loc: { path: path.join(flows, 'site6', 'settings.py'), line: 12 } });
    const [defaults] = settingsFindings(s6).filter(f => f.code === 'settings-env-dependent');
    assert.match(defaults!.message, /^DATABASES reads DATABASE_URL, DB_HOST, REPLICA_HOST, not set here: where the settings give them defaults, the databases shown use those/);
    assert.equal(load(flows, 'site6.settings', undefined, { DATABASE_URL: 'sqlite:///x', DB_HOST: 'h', REPLICA_HOST: 'r' }).envDefaults, undefined);
    // dj-database-url's tuning keywords (Saleor's conn_max_age=DB_CONN_MAX_AGE) say how a connection behaves, not where
    // it goes: not named where a database cannot be reached, still read by DATABASES
    const tuned = project({
      'site10/__init__.py': '',
      'site10/settings.py': 'import os\nimport dj_database_url\nINSTALLED_APPS = []\nDB_CONN_MAX_AGE = int(os.environ.get("DB_CONN_MAX_AGE", 0))\nDATABASES = {\n    "default": dj_database_url.config(default="postgres://h/main", conn_max_age=DB_CONN_MAX_AGE),\n    "replica": dj_database_url.config(env="DATABASE_URL_REPLICA", default="postgres://h/main", conn_max_age=DB_CONN_MAX_AGE, test_options={"MIRROR": "default"}),\n}\n',
    });
    const s10 = load(tuned, 'site10.settings');
    assert.ok(!s10.unsetDatabaseEnv?.includes('DB_CONN_MAX_AGE'), JSON.stringify(s10.unsetDatabaseEnv));
    assert.ok(s10.unsetDatabaseEnv?.includes('DATABASE_URL'), JSON.stringify(s10.unsetDatabaseEnv));
    // a key of some other mapping that happens to be a variable's name read elsewhere is no read (etools' secrets.yml)
    const keyed = project({
      'site9/__init__.py': '',
      'site9/settings.py': 'import os\nINSTALLED_APPS = []\nENVIRONMENT = os.environ.get("ENVIRONMENT", "dev")\nSECRETS = {"ENVIRONMENT": "prod", "DB_NAME": "x"}\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ.get("DB_NAME", SECRETS["ENVIRONMENT"])}}\n',
    });
    assert.deepEqual(load(keyed, 'site9.settings').unsetDatabaseEnv, ['DB_NAME']);
    // a value from another module's function is not followed: the names that look like a database's
    const opaque = project({
      'site7/__init__.py': '',
      'site7/conf.py': 'import os\n\ndef databases():\n    return {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ.get("PGDATABASE", "x")}}\n',
      'site7/settings.py': 'import os\nfrom site7.conf import databases\nINSTALLED_APPS = []\nSENTRY_ENV = os.environ.get("SENTRY_ENV")\nDATABASES = databases()\n',
    });
    assert.deepEqual(load(opaque, 'site7.settings').unsetDatabaseEnv, ['PGDATABASE']);
    // onadata: common.py never sets DATABASES; docker.py and production.py beside it do
    const common = project({
      'site8/__init__.py': '',
      'site8/settings/__init__.py': '',
      'site8/settings/common.py': 'import os\nINSTALLED_APPS = ["django.contrib.contenttypes"]\nCSRF_COOKIE_SECURE = os.environ.get("DJANGO_CSRF_COOKIE_SECURE", "0") == "1"\n',
      'site8/settings/docker.py': 'from .common import *  # noqa\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "onadata"}}\n',
      'site8/settings/production.py': 'from .common import *  # noqa\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "formhub"}}\n',
      'site8/settings/utils.py': 'def helper():\n    return 1\n',
    });
    const nc = load(common, 'site8.settings.common').databasesNotConfigured;
    assert.deepEqual(nc, { kind: 'empty', unsetEnv: [], otherModules: ['site8.settings.docker', 'site8.settings.production'], neverSet: true });
    const [f] = settingsFindings(load(common, 'site8.settings.common')).filter(x => x.code === 'databases-not-configured');
    assert.match(f!.message, /^DATABASES is not set by these settings: .* These settings never set DATABASES; settings modules beside them do: site8\.settings\.docker, site8\.settings\.production\. Choose the one the project runs with/);
    assert.doesNotMatch(f!.message, /CSRF/);
    // Pontoon's dev.py imports base.py as a module (not its names) and sets no DATABASES: no variable can change
    // that, and base.py's DATABASES line is not where the problem is
    const dev = project({
      'site10/__init__.py': '',
      'site10/settings/__init__.py': 'from .base import *  # noqa\n',
      'site10/settings/base.py': 'import os\nimport dj_database_url\nINSTALLED_APPS = ["django.contrib.contenttypes"]\nDATABASES = {"default": dj_database_url.config(default="mysql://root@localhost/pontoon")}\n',
      'site10/settings/dev.py': 'from . import base\nINSTALLED_APPS = base.INSTALLED_APPS + ["debug_toolbar"]\n',
    });
    const devNc = load(dev, 'site10.settings.dev').databasesNotConfigured;
    assert.deepEqual(devNc?.unsetEnv, []);
    assert.equal(devNc?.loc, undefined);
    assert.equal(devNc?.neverSet, true);
  });

  test('variables read only for how a connection behaves (OPTIONS, CONN_*) are not named as deciding where a database is (kitsune\'s DB_POOL_*); the alias stays at its definition', () => {
    const dir = project({
      'site20/__init__.py': '',
      'site20/settings.py': `from decouple import config
import dj_database_url
INSTALLED_APPS = []
DATABASES = {"default": config("DATABASE_URL", cast=dj_database_url.parse)}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = config("CONN_HEALTH_CHECKS", default=True, cast=bool)
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": config("DB_CONNECT_TIMEOUT", default=10, cast=int),
        "pool": {"min_size": config("DB_POOL_MIN_SIZE", default=1, cast=int)},
    }
DATABASES["other"] = {
    "ENGINE": "django.db.backends.postgresql",
    "HOST": config("OTHER_HOST", default="other"),
    "OPTIONS": {"sslmode": config("OTHER_SSLMODE", default="prefer")},
    "CONN_MAX_AGE": config("OTHER_AGE", default=60, cast=int),
}
DATABASES["third"] = {"ENGINE": "django.db.backends.postgresql", "HOST": config("SHARED", default="x")}
DATABASES["third"]["OPTIONS"] = {"application_name": config("SHARED", default="x")}
`,
    });
    const s = load(dir, 'site20.settings');
    // SHARED is read for a HOST too: it decides where 'third' is
    assert.deepEqual(s.unsetDatabaseEnv, ['DATABASE_URL', 'OTHER_HOST', 'SHARED']);
    // the values shown still use the tuning variables' defaults: said as before
    assert.deepEqual(s.envDefaults?.variables, ['CONN_HEALTH_CHECKS', 'DB_CONNECT_TIMEOUT', 'DB_POOL_MIN_SIZE', 'OTHER_AGE', 'OTHER_HOST', 'OTHER_SSLMODE', 'SHARED']);
    // 'default' is where it is defined (line 4), not at the first key set in it (line 7)
    assert.equal(s.databases.find(d => d.alias === 'default')?.loc?.line, 4);
    const [down] = stateFindings({ default: { alias: 'default', reachable: false, applied: 0, error: 'the database ENGINE could not be determined statically', appliedKeys: new Set(), exists: false, unconfigured: true } }, {}, s);
    assert.equal(down!.line, 4);
    assert.match(down!.message, /the settings read DATABASE_URL, OTHER_HOST, SHARED, not set here/);
    assert.doesNotMatch(down!.message, /DB_POOL|CONN_HEALTH|OTHER_AGE|OTHER_SSLMODE/);
  });

  test('built from environment variables that are not set: Django\'s dummy default, and the variables named (Django agrees)', { skip: NO_DJANGO }, () => {
    const dir = project({ 'site1/__init__.py': '', 'site1/settings.py': ENV_SETTINGS });
    const s = load(dir, 'site1.settings');
    assert.deepEqual(s.databases.map(d => [d.alias, d.engine]), [['default', 'django.db.backends.dummy']]);
    assert.deepEqual(djangoConnections(dir, 'site1.settings'), { default: 'django.db.backends.dummy' });
    // DEBUG was read too, but it is no database's
    assert.deepEqual(s.databasesNotConfigured?.unsetEnv, ['POSTGRES_DB', 'POSTGRES_HOST']);
    const [f] = settingsFindings(s).filter(x => x.code === 'databases-not-configured');
    assert.equal(f?.severity, 'warning');
    assert.match(f!.message, /DATABASES is empty with this environment: .*dummy backend.* not set: POSTGRES_DB, POSTGRES_HOST; set them in the project's \.env file/);

    // built through a function of another module (Mathesar's parse_port): the variables read around it, not every
    // unset variable whose name looks like a database's (PER_USER_DATABASES_ENABLED, MATHESAR_CLIENT_DEV_PORT)
    const helped = project({
      'site5/__init__.py': '',
      'site5/helpers.py': 'def parse_port(p):\n    return int(p) if p else None\n',
      'site5/settings.py': 'import os\nfrom site5.helpers import parse_port\nPER_USER = os.environ.get("PER_USER_DATABASES_ENABLED")\nDEV_PORT = os.environ.get("CLIENT_DEV_PORT")\nDATABASES = {}\nNAME = os.environ.get("POSTGRES_DB")\nPORT = os.environ.get("POSTGRES_PORT")\nif NAME:\n    DATABASES["default"] = {"ENGINE": "django.db.backends.postgresql", "NAME": NAME, "PORT": parse_port(PORT)}\n',
    });
    assert.deepEqual(load(helped, 'site5.settings').databasesNotConfigured?.unsetEnv, ['POSTGRES_DB', 'POSTGRES_PORT']);

    // set in a module the settings star-import: the finding points there
    const split = project({ 'site4/__init__.py': '', 'site4/base.py': ENV_SETTINGS, 'site4/settings.py': 'from .base import *  # noqa\nDEBUG = True\n' });
    const fromBase = settingsFindings(load(split, 'site4.settings')).find(x => x.code === 'databases-not-configured');
    assert.equal(fromBase?.path, path.join(split, 'site4', 'base.py'));
    assert.equal(fromBase?.line, ENV_SETTINGS.split('\n').indexOf('DATABASES = {}') + 1);

    // with the variables: the real database, nothing to say
    const env = { POSTGRES_DB: 'shop', POSTGRES_HOST: 'db' };
    const set = load(dir, 'site1.settings', undefined, env);
    assert.deepEqual(set.databases.map(d => [d.alias, d.engine]), [['default', 'django.db.backends.postgresql']]);
    assert.deepEqual(djangoConnections(dir, 'site1.settings', env), { default: 'django.db.backends.postgresql' });
    assert.equal(set.databasesNotConfigured, undefined);
    assert.equal(settingsFindings(set).some(x => x.code === 'databases-not-configured'), false);
  });

  test('without a \'default\' entry: Django refuses the settings, an error; settings that set neither DATABASES nor INSTALLED_APPS are left to app discovery', { skip: NO_DJANGO }, () => {
    const dir = project({
      'site2/__init__.py': '',
      'site2/settings.py': 'INSTALLED_APPS = []\nDATABASES = {"analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}}\n',
      'site3/__init__.py': '',
      'site3/settings.py': 'SECRET_KEY = "x"\n',
    });
    const s = load(dir, 'site2.settings');
    assert.equal(s.databasesNotConfigured?.kind, 'no-default');
    const django = djangoConnections(dir, 'site2.settings');
    assert.ok('error' in django && /ImproperlyConfigured: You must define a 'default' database/.test(String(django.error)), JSON.stringify(django));
    const [f] = settingsFindings(s).filter(x => x.code === 'databases-not-configured');
    assert.equal(f?.severity, 'error');
    assert.match(f!.message, /no 'default' entry: Django refuses these settings/);
    // neither set: not what the project runs on (class-based settings): no dummy alias, no finding here
    const neither = load(dir, 'site3.settings');
    assert.deepEqual(neither.databases, []);
    assert.equal(neither.databasesNotConfigured, undefined);
  });
});

test('settings an `if` on an unknown sets on one path only are one finding per cause, not one per setting (Kitsune)', () => {
  const dir = project({
    'k/__init__.py': '',
    // (Kitsune reads decouple, now modelled: a package not installed stands in for what cannot be known)
    'k/settings.py': DB + 'from featureflags import enabled\nif enabled("OIDC"):\n    OIDC_ID = "a"\n    OIDC_SECRET = "b"\n    OIDC_URL = "c"\n',
  });
  const s = load(dir, 'k.settings');
  const oidc = s.unknowns.filter(u => u.name.includes('OIDC_'));
  assert.equal(oidc.length, 1, JSON.stringify(s.unknowns));
  assert.equal(oidc[0]!.name, 'OIDC_ID, OIDC_SECRET, OIDC_URL');
  assert.match(oidc[0]!.reason, /^depends on featureflags, which is not in the project .* \(set on one path only\)$/);
});

test('settings that exec() another file of the project, vars().update() and globals().get() (PeeringDB; Django venv)', { skip: NO_DJANGO }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `import os
SECRET_KEY = "x"
BASE_DIR = os.path.dirname(os.path.abspath(__file__))


def try_include(filename):
    try:
        with open(filename) as f:
            exec(compile(f.read(), filename, "exec"), globals())
    except FileNotFoundError:
        pass


def set_option(name, value):
    globals().setdefault(name, os.environ.get(name, value))


RELEASE_ENV = os.environ.get("RELEASE_ENV", "dev")
try_include(os.path.join(BASE_DIR, RELEASE_ENV + ".py"))
set_option("SERVER_EMAIL", "root@localhost")
OPERATIONS_EMAIL = SERVER_EMAIL
INSTALLED_APPS = ["django.contrib.contenttypes"] + EXTRA_APPS
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
CACHE_BACKEND = globals().get("REDIS_CACHE_BACKEND", "RedisCache")
try_include("/nonexistent-dir-dmdb/overrides.py")
`,
    'mysite/dev.py': 'SERVER_EMAIL = "pdb@localhost"\nEXTRA_APPS = ["django.contrib.auth"]\nDATABASE_ROUTERS = ["mysite.routers.R"]\n',
  });
  const s = load(dir, 'mysite.settings');
  const django = djangoSettings(dir, 'mysite.settings');
  assert.deepEqual(s.installedApps, django.INSTALLED_APPS);
  assert.deepEqual(s.routers, ['mysite.routers.R']);
  assert.equal(s.values.OPERATIONS_EMAIL, 'pdb@localhost');
  assert.equal(s.values.CACHE_BACKEND, 'RedisCache');
  const findings = settingsFindings(s);
  assert.ok(!findings.some(f => f.code === 'settings-error'), JSON.stringify(findings));
  // the file outside the project may exist where the project runs: one info says so
  const overlay = findings.filter(f => /may be set or replaced at run time/.test(f.message));
  assert.equal(overlay.length, 1, JSON.stringify(findings));
  assert.equal(overlay[0]!.severity, 'info');
  assert.match(overlay[0]!.message, /nonexistent-dir-dmdb/);

  // vars().update() of a mapping not known statically: the settings bound are kept, the rest is Django's default
  const updateFromJson = `import json
SECRET_KEY = "x"
INSTALLED_APPS = ["django.contrib.contenttypes"]
${DB}with open("/nonexistent-dir-dmdb/conf.json") as f:
    vars().update(json.load(f))
`;
  const dir2 = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': updateFromJson,
  });
  const s2 = load(dir2, 'mysite.settings');
  assert.deepEqual(s2.databases.map(d => d.alias), ['default']);
  assert.deepEqual(s2.routers, []);
  const f2 = settingsFindings(s2);
  assert.deepEqual(f2.map(f => [f.code, f.severity]), [['settings-unknown', 'info']], JSON.stringify(f2));

  // dynaconf finishing the settings module (pulpcore: PULP_DATABASES may replace DATABASES)
  const dir4 = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `SECRET_KEY = "x"\nINSTALLED_APPS = []\n${DB}from dynaconf import DjangoDynaconf  # noqa\nsettings = DjangoDynaconf(__name__)\n`,
  });
  const s4 = load(dir4, 'mysite.settings');
  assert.deepEqual(s4.databases.map(d => d.alias), ['default']);
  assert.match(settingsFindings(s4).map(f => f.message).join('\n'), /may be set or replaced at run time by dynaconf's DjangoDynaconf/);
  assert.equal(databasesMayDiffer(s4), 'the settings may be changed at run time by code not known statically');

  // the same through `from .common import *` (kuma: common.py's vars().update(config(…, cast=dj_email_url.parse)),
  // star-imported by local.py): DATABASE_ROUTERS is still Django's default, not an error
  const dir3 = project({
    'mysite/__init__.py': '',
    'mysite/common.py': updateFromJson,
    'mysite/local.py': 'from .common import *  # noqa\nDEBUG = True\n',
  });
  const s3 = load(dir3, 'mysite.local');
  assert.deepEqual(s3.databases.map(d => d.alias), ['default']);
  assert.deepEqual(s3.routers, []);
  assert.deepEqual(s3.installedApps, ['django.contrib.contenttypes']);
  const f3 = settingsFindings(s3);
  assert.deepEqual(f3.map(f => [f.code, f.severity]), [['settings-unknown', 'info']], JSON.stringify(f3));
});

/** Whether the Django venv has environs and dj-database-url (scripts/python-env.sh installs them). */
const NO_ENVIRONS = NO_DJANGO || (() => {
  try { execFileSync(PY!, ['-c', 'import environs, dj_database_url'], { stdio: 'ignore' }); return false; } catch { return 'environs is not installed in the Django venv'; }
})();

test('environs settings read as the real library reads them (Flagsmith: env(), env.bool/list/dj_db_url, read_env, prefixed)', { skip: NO_ENVIRONS }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/.env': 'ANALYTICS_DATABASE_URL=postgres://stats:s3cret@warehouse.internal:5433/analytics\nREPLICA_ENABLED=yes\nREPLICA_URL=postgres://ro@replica.internal/shop\nPORTS=8000,8001\nHOSTS=a.example, b.example\n',
    'mysite/settings.py': `import os
from environs import Env

env = Env()
env.read_env()
SECRET_KEY = env("SECRET_KEY", "x")
DEBUG = env.bool("DEBUG", False)
ALLOWED_HOSTS = env.list("HOSTS", default=["localhost"])
PORTS = env.list("PORTS", [], subcast=int)
LOG_LEVEL = env.log_level("LOG_LEVEL", "INFO")
CACHE_TTL = env.int("CACHE_TTL", 60)
INSTALLED_APPS = []
DATABASE_ROUTERS = []
DATABASES = {"default": env.dj_db_url("DATABASE_URL", default="sqlite:////tmp/shop.sqlite3")}
if env.str("ANALYTICS_DATABASE_URL", None):
    DATABASES["analytics"] = env.dj_db_url("ANALYTICS_DATABASE_URL", conn_max_age=60)
    DATABASE_ROUTERS.insert(0, "mysite.routers.AnalyticsRouter")
with env.prefixed("REPLICA_"):
    if env.bool("ENABLED", False):
        DATABASES["replica"] = env.dj_db_url("URL")
UNPREFIXED = env.bool("ENABLED", False)
`,
  });
  // the real library, in the settings module as Django imports it
  const real = (env: Record<string, string>) => JSON.parse(execFileSync(PY!, ['-c', `
import json, importlib
s = importlib.import_module("mysite.settings")
print(json.dumps({"DATABASES": {k: {"ENGINE": v.get("ENGINE"), "NAME": v.get("NAME"), "HOST": v.get("HOST") or None, "PORT": v.get("PORT") or None, "USER": v.get("USER") or None} for k, v in s.DATABASES.items()},
  "ROUTERS": s.DATABASE_ROUTERS, "DEBUG": s.DEBUG, "ALLOWED_HOSTS": s.ALLOWED_HOSTS, "PORTS": s.PORTS, "LOG_LEVEL": s.LOG_LEVEL, "CACHE_TTL": s.CACHE_TTL, "UNPREFIXED": s.UNPREFIXED}))
`], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir, ...env } }).trim().split('\n').pop()!);
  const ours = (env: Record<string, string>) => {
    const s = load(dir, 'mysite.settings', undefined, env);
    const v = s.values;
    return {
      DATABASES: Object.fromEntries(s.databases.map(d => [d.alias, { ENGINE: d.engine, NAME: d.name, HOST: d.host || null, PORT: d.port || null, USER: d.user || null }])),
      ROUTERS: s.routers, DEBUG: v.DEBUG, ALLOWED_HOSTS: v.ALLOWED_HOSTS, PORTS: v.PORTS, LOG_LEVEL: v.LOG_LEVEL, CACHE_TTL: v.CACHE_TTL, UNPREFIXED: v.UNPREFIXED,
    };
  };
  for (const env of [{}, { DATABASE_URL: 'postgres://app@db.internal:5432/shop', DEBUG: 'on', CACHE_TTL: '5', LOG_LEVEL: 'warning', REPLICA_ENABLED: 'no' }] as Record<string, string>[]) {
    const want = real(env);
    assert.deepEqual(ours(env), want, JSON.stringify(env));
  }
  assert.deepEqual(Object.keys(real({}).DATABASES), ['default', 'analytics', 'replica']);
  // a variable neither set nor in the .env, without a default: unknown (EnvNotSetError where it is not set)
  const dir2 = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `from environs import env
SECRET_KEY = "x"
INSTALLED_APPS = []
DATABASES = {"default": env.dj_db_url("DATABASE_URL")}
`,
  });
  const unset = load(dir2, 'mysite.settings');
  assert.ok(unset.unknowns.some(u => /DATABASE_URL is not set/.test(JSON.stringify(u))), JSON.stringify(unset.unknowns));
  assert.deepEqual(load(dir2, 'mysite.settings', undefined, { DATABASE_URL: 'mysql://u@h/legacy' }).databases.map(d => [d.engine, d.name]), [['django.db.backends.mysql', 'legacy']]);
});

test('settings-env-dependent through a helper that binds the global named after the variable (PeeringDB set_option)', () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `import os
SECRET_KEY = "x"
INSTALLED_APPS = []


def set_option(name, value):
    globals().setdefault(name, os.environ.get(name, value))


set_option("DATABASE_REPLICA_HOST", "")
DATABASE_REPLICA_CONFIGURED = bool(DATABASE_REPLICA_HOST)
${DB}if DATABASE_REPLICA_CONFIGURED:
    DATABASES["read"] = dict(DATABASES["default"], HOST=DATABASE_REPLICA_HOST)
    DATABASE_ROUTERS = ["mysite.routers.Replica"]
`,
  });
  const s = load(dir, 'mysite.settings');
  assert.deepEqual(s.databases.map(d => d.alias), ['default']);
  assert.deepEqual(s.envDependent?.map(e => [e.settings, e.variables]), [[['DATABASES', 'DATABASE_ROUTERS'], ['DATABASE_REPLICA_HOST']]]);
  const replica = load(dir, 'mysite.settings', undefined, { DATABASE_REPLICA_HOST: 'replica.internal' });
  assert.deepEqual(replica.databases.map(d => d.alias), ['default', 'read']);
  assert.deepEqual(replica.routers, ['mysite.routers.Replica']);
  assert.equal(databasesMayDiffer(s), 'DATABASES depends on DATABASE_REPLICA_HOST, not set here');
});

test('sys.argv is manage.py migrate\'s and no test runner is loaded, as when Django migrates (Pontoon\'s TEST = "pytest" in sys.modules; Django venv)', { skip: NO_DJANGO }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `import sys
SECRET_KEY = "x"
TEST = "pytest" in sys.modules
TESTING = len(sys.argv) > 1 and sys.argv[1] == "test"
INSTALLED_APPS = ["django.contrib.contenttypes"] + (["django.contrib.auth"] if not TEST else [])
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "test.db" if TESTING or "runserver" in sys.argv else "prod.db"}}
`,
  });
  const s = load(dir, 'mysite.settings');
  // what Django reads when `manage.py migrate` imports the settings
  const out = execFileSync(PY!, ['-c', 'import sys, json\nsys.argv = ["manage.py", "migrate"]\nfrom django.conf import settings\nprint(json.dumps([list(settings.INSTALLED_APPS), settings.DATABASES["default"]["NAME"]]))'], {
    cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DJANGO_SETTINGS_MODULE: 'mysite.settings', PYTHONPATH: dir },
  });
  const [apps, name] = JSON.parse(out.trim().split('\n').pop()!) as [string[], string];
  assert.deepEqual(s.installedApps, apps);
  assert.deepEqual(s.databases.map(d => d.name), [name]);
  assert.deepEqual(s.unknowns, []);
  assert.deepEqual(s.assumptions?.map(a => a.reason.split(' ')[0]).sort(), ['no', 'sys.argv']);
});

test('settings-env-dependent that only sets an entry\'s OPTIONS does not make an unknown alias a maybe (Pontoon\'s DATABASE_SSLMODE)', () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `import os
SECRET_KEY = "x"
INSTALLED_APPS = []
SSL = os.environ.get("DATABASE_SSLMODE", "True") != "False"
${DB}if SSL:
    DATABASES["default"]["OPTIONS"] = {"sslmode": "require"}
    DATABASES["default"].update(CONN_MAX_AGE=60)
`,
  });
  const s = load(dir, 'mysite.settings');
  assert.deepEqual(s.envDependent?.map(e => [e.settings, e.variables, !!e.optionsOnly]), [[['DATABASES'], ['DATABASE_SSLMODE'], true]]);
  assert.equal(databasesMayDiffer(s), null);
  // both paths set DATABASES to the same aliases (wger's `if PS_DATABASE_URI: … else: …`): only entries differ
  const wger = project({
    'site3/__init__.py': '',
    'site3/settings.py': 'import os\nSECRET_KEY = "x"\nINSTALLED_APPS = []\nif os.environ.get("PS_DATABASE_URI"):\n    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}}\nelse:\n    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
  });
  const sw = load(wger, 'site3.settings');
  assert.deepEqual(sw.envDependent?.map(e => [e.variables, !!e.optionsOnly]), [[['PS_DATABASE_URI'], true]]);
  assert.equal(databasesMayDiffer(sw), null);
});

test('python-decouple config() and django-environ list/url signatures (informal-system, kpi; Django venv)', { skip: NO_DJANGO }, () => {
  // decouple is not on the package index here: a copy of its config()/Csv() semantics stands in for Django's run
  const dir = project({
    'decouple.py': `import os
class UndefinedValueError(Exception):
    pass
class Csv:
    def __init__(self, cast=str, delimiter=","):
        self.cast, self.delimiter = cast, delimiter
    def __call__(self, value):
        return [self.cast(x.strip()) for x in value.split(self.delimiter) if x.strip()]
_T = {"y", "yes", "t", "true", "on", "1"}
_F = {"n", "no", "f", "false", "off", "0", ""}
def _bool(v):
    if isinstance(v, bool):
        return v
    v = str(v).lower()
    if v in _T:
        return True
    if v in _F:
        return False
    raise ValueError(v)
def config(option, default=UndefinedValueError, cast=None):
    if option in os.environ:
        value = os.environ[option]
    elif default is UndefinedValueError:
        raise UndefinedValueError(option)
    else:
        value = default
    if cast is bool:
        return _bool(value)
    return cast(value) if cast else value
`,
    'mysite/__init__.py': '',
    'mysite/settings.py': `from decouple import Csv, config
SECRET_KEY = config("SECRET_KEY", default="x")
DEBUG = config("DEBUG", default=False, cast=bool)
ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="localhost,127.0.0.1", cast=Csv())
INSTALLED_APPS = ["django.contrib.contenttypes"]
DATABASES = {
    "default": {"ENGINE": config("DB_ENGINE", default="django.db.backends.sqlite3"), "NAME": config("DB_NAME", default="db.sqlite3")},
    "dit_legacy": {"ENGINE": "django.db.backends.mysql", "NAME": config("DIT_LEGACY_DB_NAME", default="dit_legacy")},
}
`,
  });
  const s = load(dir, 'mysite.settings');
  const django = djangoSettings(dir, 'mysite.settings');
  assert.deepEqual(Object.fromEntries(s.databases.map(d => [d.alias, { ENGINE: d.engine, NAME: d.name }])), django.DATABASES);
  assert.equal(s.values.DEBUG, false);
  assert.deepEqual(s.values.ALLOWED_HOSTS, ['localhost', '127.0.0.1']);
  const withEnv = load(dir, 'mysite.settings', undefined, { DB_ENGINE: 'django.db.backends.postgresql', DB_NAME: 'emis_db', DEBUG: 'True' });
  assert.deepEqual(withEnv.databases.map(d => [d.engine, d.name]), [['django.db.backends.postgresql', 'emis_db'], ['django.db.backends.mysql', 'dit_legacy']]);
  assert.equal(withEnv.values.DEBUG, true);

  // django-environ: env.list(var, cast, default) and env.url() (a parsed URL, not a string)
  const dir2 = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `import environ
env = environ.Env()
SECRET_KEY = "x"
CSP_DEFAULT_SRC = env.list("CSP_EXTRA_DEFAULT_SRC", str, []) + ["'self'"]
KOBOCAT_URL = env.url("KOBOCAT_URL", "http://kc.example").geturl()
INSTALLED_APPS = []
${DB}`,
  });
  const s2 = load(dir2, 'mysite.settings');
  assert.deepEqual(s2.values.CSP_DEFAULT_SRC, ["'self'"]);
  assert.ok(!settingsFindings(s2).some(f => f.severity !== 'info'), JSON.stringify(settingsFindings(s2)));
});

test('a value that depends on an unknown condition through another one says "depends on" once (onadata docker.py)', () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `from featureflags import enabled
SECRET_KEY = "x"
INSTALLED_APPS = []
${DB}if enabled("test") >= 2:
    TESTING = True
else:
    TESTING = False
if TESTING:
    MEDIA_ROOT = "a"
else:
    MEDIA_ROOT = "b"
`,
  });
  const media = load(dir, 'mysite.settings').unknowns.find(u => u.name.split(', ').includes('MEDIA_ROOT'));
  assert.ok(media, 'MEDIA_ROOT is unknown');
  assert.match(media.reason, /^depends on featureflags/);
  assert.doesNotMatch(media.reason, /depends on depends on/);
});

test('iterating an open() file gives its lines, as Python does (onadata RESERVED_USERNAMES)', { skip: NO_DJANGO }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/reserved.txt': 'admin\nroot\n\nsupport\n',
    'mysite/settings.py': `import os
SECRET_KEY = "x"
INSTALLED_APPS = []
${DB}with open(os.path.join(os.path.dirname(__file__), "reserved.txt")) as f:
    RESERVED_USERNAMES = [line.rstrip() for line in f]
`,
  });
  const real = JSON.parse(execFileSync(PY!, ['-c', 'import json, importlib; print(json.dumps(importlib.import_module("mysite.settings").RESERVED_USERNAMES))'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir } }));
  assert.deepEqual(real, ['admin', 'root', '', 'support']);
  assert.deepEqual(load(dir, 'mysite.settings').values.RESERVED_USERNAMES, real);
});

test('open(file=…), a file not in the workspace where the settings catch its absence, seek()/tell(): as Django reads them (Mayan EDMS smart settings)', { skip: NO_DJANGO }, () => {
  const settingsPy = `import json, os
SECRET_KEY = "x"
INSTALLED_APPS = []
BASE_DIR = os.path.dirname(__file__)


def load_config(name):
    try:
        with open(file=os.path.join(BASE_DIR, name)) as f:
            f.seek(0, os.SEEK_END)
            if not f.tell():
                return {}
            f.seek(0)
            return json.loads(f.read())
    except IOError:
        return {}


CONFIG = load_config("config.json")
EMPTY = load_config("empty.json")
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": CONFIG.get("DB_NAME", "db.sqlite3")}}
try:
    with open(os.path.join(BASE_DIR, "local.json")) as f:
        DATABASES = json.load(f)
except FileNotFoundError:
    pass
`;
  const real = (dir: string) => JSON.parse(execFileSync(PY!, ['-c', 'import json, importlib; m = importlib.import_module("mysite.settings"); print(json.dumps([m.DATABASES, m.CONFIG, m.EMPTY]))'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir } }));
  // a fresh checkout: neither config.json nor local.json is there (empty.json is)
  const dir = project({ 'mysite/__init__.py': '', 'mysite/empty.json': '', 'mysite/settings.py': settingsPy });
  const [dbs] = real(dir);
  const s = load(dir, 'mysite.settings');
  assert.deepEqual(s.databases.map(d => [d.alias, d.name]), Object.entries(dbs).map(([a, d]) => [a, (d as { NAME: string }).NAME]));
  assert.deepEqual(settingsFindings(s).filter(f => f.severity !== 'info'), []);
  assert.deepEqual(s.values.EMPTY, {});
  assert.ok(s.assumptions?.some(a => /config\.json is not there/.test(a.reason)), JSON.stringify(s.assumptions));
  // the files there, one of them read after seeking to its end and back
  fs.writeFileSync(path.join(dir, 'mysite/config.json'), '{"DB_NAME": "configured.sqlite3"}');
  const [dbs2, config2] = real(dir);
  const s2 = load(dir, 'mysite.settings');
  assert.deepEqual(s2.values.CONFIG, config2);
  assert.deepEqual(s2.databases.map(d => d.name), [(dbs2 as Record<string, { NAME: string }>).default!.NAME]);
});

test('settings that read YAML files (yaml.safe_load of a file, yaml.load with a Loader; NetBox\'s release.yaml, eTools\' secrets.yml; Django venv with PyYAML)', { skip: NO_YAML }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/release.yaml': 'version: "4.2.1"\nedition: Community\nfeatures:\n  commercial: no\n  help_center: yes\n',
    'mysite/databases.yml': 'default:\n  ENGINE: django.db.backends.sqlite3\n  NAME: main.sqlite3\nanalytics:\n  ENGINE: django.db.backends.postgresql\n  NAME: stats\n  PORT: 5433\n  OPTIONS: {sslmode: require}\n',
    'mysite/settings.py': `import os
import yaml
SECRET_KEY = "x"
INSTALLED_APPS = []
BASE_DIR = os.path.dirname(__file__)
with open(os.path.join(BASE_DIR, "release.yaml")) as f:
    RELEASE = yaml.safe_load(f)
VERSION = RELEASE["version"] + ("-commercial" if RELEASE["features"]["commercial"] else "")
with open(os.path.join(BASE_DIR, "databases.yml")) as f:
    DATABASES = yaml.load(f, Loader=yaml.SafeLoader)
try:
    with open(os.path.join(BASE_DIR, "local.yaml")) as f:
        DATABASES.update(yaml.safe_load(f))
except FileNotFoundError:
    pass
`,
  });
  const real = JSON.parse(execFileSync(PY!, ['-c', 'import json, importlib; m = importlib.import_module("mysite.settings"); print(json.dumps([m.RELEASE, m.VERSION, m.DATABASES]))'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir } }));
  const s = load(dir, 'mysite.settings');
  assert.deepEqual([s.values.RELEASE, s.values.VERSION], real.slice(0, 2));
  assert.deepEqual(s.databases.map(d => [d.alias, d.engine, d.name]), Object.entries(real[2] as Record<string, { ENGINE: string; NAME: string }>).map(([a, d]) => [a, d.ENGINE, d.NAME]));
  assert.deepEqual(s.databases.find(d => d.alias === 'analytics')?.options, { sslmode: 'require' });
  assert.equal(s.databases.find(d => d.alias === 'analytics')?.port, 5433);
  assert.deepEqual(settingsFindings(s).filter(f => f.severity !== 'info'), []);
});

test('settings reading a project file through pathlib (PostHog\'s `config_path.open()` + yaml.safe_load, `Path.read_text()` + json.loads; Django venv with PyYAML)', { skip: NO_YAML }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'products/db_routing.yaml': 'products:\n  - name: visual_review\n    database: visual_review_db\n',
    'mysite/extra.json': '{"analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": "analytics.sqlite3"}}',
    'mysite/settings.py': `import json
from pathlib import Path
import yaml
SECRET_KEY = "x"
INSTALLED_APPS = []
BASE_DIR = Path(__file__).resolve().parent.parent
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "main.sqlite3"}}
DATABASE_ROUTERS = []
config_path = BASE_DIR / "products" / "db_routing.yaml"
with config_path.open() as f:
    ROUTING = yaml.safe_load(f)
for product in ROUTING["products"]:
    DATABASES[product["database"] + "_writer"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": product["name"] + ".sqlite3"}
    DATABASE_ROUTERS.insert(0, "mysite.routers.ProductDBRouter")
DATABASES.update(json.loads((Path(__file__).parent / "extra.json").read_text()))
`,
  });
  const real = JSON.parse(execFileSync(PY!, ['-c', 'import json, importlib; m = importlib.import_module("mysite.settings"); print(json.dumps([list(m.DATABASES), m.DATABASE_ROUTERS]))'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir } }));
  const s = load(dir, 'mysite.settings');
  assert.deepEqual([s.databases.map(d => d.alias), s.routers], real);
  assert.deepEqual(settingsFindings(s).filter(f => f.severity !== 'info'), []);
});

test('a relative path in the settings is read from manage.py\'s folder, where Django runs (bookwyrm\'s open("VERSION"); Django venv)', { skip: NO_DJANGO }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'databases.json': '{"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "main.sqlite3"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "other.sqlite3"}}',
    'VERSION': '0.7.5\n',
    'mysite/settings.py': `import json, os
SECRET_KEY = "x"
INSTALLED_APPS = []
with open("VERSION") as f:
    VERSION = f.read().strip()
with open("databases.json") as f:
    DATABASES = json.load(f)
HERE = os.getcwd()
`,
  });
  // manage.py is run from its folder (here the project's root)
  const real = JSON.parse(execFileSync(PY!, ['-c', 'import json, importlib; m = importlib.import_module("mysite.settings"); print(json.dumps([m.VERSION, list(m.DATABASES), m.HERE]))'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir } }));
  const s = loadSettings(new ModuleIndex([dir]), 'mysite.settings', {}, { cwd: dir });
  assert.deepEqual([s.values.VERSION, s.databases.map(d => d.alias), s.values.HERE], [real[0], real[1], fs.realpathSync(real[2])]);
  assert.ok(s.assumptions?.some(a => /working directory is taken as manage\.py's folder/.test(a.reason)), JSON.stringify(s.assumptions));
  // without manage.py's folder, not known
  assert.equal(load(dir, 'mysite.settings').databases.length, 0);
});

test('django-split-settings include(): files run in the including module, globs, optional(), a file outside the workspace (AWX; Django venv)', { skip: NO_DJANGO }, () => {
  // split_settings is not on the package index here: a copy of its include()/optional() (1.x) stands in for Django's run
  const splitSettings = `import glob, inspect, os


class _Optional(str):
    pass


def optional(filename):
    return _Optional(filename)


def include(*args, **kwargs):
    scope = kwargs.pop("scope") if "scope" in kwargs else inspect.stack()[1][0].f_globals
    scope.setdefault("__included_files__", [])
    included_files = scope.get("__included_files__")
    including_file = scope.get("__included_file__", scope["__file__"].rstrip("c"))
    conf_path = os.path.dirname(including_file)
    for conf_file in args:
        saved_included_file = scope.get("__included_file__")
        pattern = os.path.join(conf_path, conf_file)
        files_to_include = sorted(glob.glob(pattern))
        if not files_to_include and not isinstance(conf_file, _Optional):
            raise IOError("No such file: %s" % pattern)
        for included_file in files_to_include:
            if included_file in included_files:
                continue
            included_files.append(included_file)
            scope["__included_file__"] = included_file
            with open(included_file, "rb") as to_compile:
                exec(compile(to_compile.read(), included_file, "exec"), scope)
        if saved_included_file:
            scope["__included_file__"] = saved_included_file
        elif "__included_file__" in scope:
            del scope["__included_file__"]
`;
  const dir = project({
    'split_settings/__init__.py': '',
    'split_settings/tools.py': splitSettings,
    'proj/__init__.py': '',
    'proj/settings/__init__.py': `from split_settings.tools import include, optional
SECRET_KEY = "x"
INSTALLED_APPS = ["django.contrib.contenttypes"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}
include("components/*.py", optional("local_*.py"), optional("missing.py"), scope=locals())
`,
    'proj/settings/components/apps.py': 'INSTALLED_APPS += ["django.contrib.auth"]\n',
    // a condition on an unset variable in an included file is said as in the settings module (DefectDojo's dist settings)
    'proj/settings/components/replica.py': 'import os\nif os.environ.get("REPLICA_URL"):\n    DATABASES["replica"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["REPLICA_URL"]}\n',
    'proj/settings/local_dbs.py': 'DATABASES["other"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}\nDATABASE_ROUTERS = ["proj.routers.R"]\n',
  });
  const django = djangoSettings(dir, 'proj.settings');
  // (the copy in the workspace is not what is read: the modelled include() is)
  const s = load(dir, 'proj.settings');
  assert.deepEqual(s.installedApps, django.INSTALLED_APPS);
  assert.deepEqual(s.databases.map(d => d.alias), Object.keys(django.DATABASES));
  assert.deepEqual(s.routers, ['proj.routers.R']);
  assert.deepEqual(settingsFindings(s).filter(f => f.severity !== 'info'), []);
  assert.deepEqual(s.envDependent?.map(e => [e.settings, e.variables, path.basename(e.loc.path)]), [[['DATABASES'], ['REPLICA_URL'], 'replica.py']]);
  // a file outside the workspace (AWX's /etc/tower/settings.py): it may set anything where the project runs
  fs.appendFileSync(path.join(dir, 'proj/settings/__init__.py'), 'include(optional("/nonexistent-dmdb/etc/settings.py"), scope=locals())\n');
  const s2 = load(dir, 'proj.settings');
  assert.deepEqual(s2.databases.map(d => d.alias), ['default', 'other']);
  assert.match(settingsFindings(s2).map(f => f.message).join('\n'), /include\("\/nonexistent-dmdb\/etc\/settings\.py"\), a file outside the workspace/);
  assert.ok(databasesMayDiffer(s2));
});

test('a registry of setting objects that refer to their namespace, resolved in a loop of try/except (Mayan EDMS smart settings; Django venv)', { skip: NO_DJANGO }, () => {
  const names = Array.from({ length: 40 }, (_, i) => `SETTING_${i}`);
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/smart.py': `import os


class NotFound(Exception):
    pass


class Namespace:
    _settings = {}

    @classmethod
    def register(cls, name, default):
        cls._settings[name] = default

    def __init__(self, symbols):
        self.symbols = symbols
        self.settings = {}
        for name, default in self._settings.items():
            setting = Setting(name, default)
            setting.namespace = self
            self.settings[name] = setting

    def get_values(self):
        result = {}
        for name, setting in self.settings.items():
            try:
                result[name] = setting.get_value()
            except NotFound:
                pass
        return result

    def update_globals(self):
        self.symbols.update(self.get_values())


class Setting:
    def __init__(self, name, default):
        self.name = name
        self.default = default

    def get_value(self):
        value = os.environ.get("MAYAN_" + self.name)
        if value is None:
            if self.default is None:
                raise NotFound
            return self.default
        return value
`,
    'mysite/settings.py': `from .smart import Namespace
${names.map((n, i) => `Namespace.register("${n}", ${i % 5 === 0 ? 'None' : `"v${i}"`})`).join('\n')}
Namespace.register("DB_NAME", "db.sqlite3")
Namespace(globals()).update_globals()
SECRET_KEY = "x"
INSTALLED_APPS = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DB_NAME}}
`,
  });
  const s = load(dir, 'mysite.settings');
  const real = JSON.parse(execFileSync(PY!, ['-c', `import json, importlib; m = importlib.import_module("mysite.settings"); print(json.dumps({k: getattr(m, k, None) for k in ${JSON.stringify(names)}}))`], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir } }));
  assert.deepEqual(s.databases.map(d => d.name), ['db.sqlite3']);
  for (const n of names) assert.deepEqual(s.values[n] ?? null, real[n], n);
  assert.deepEqual(settingsFindings(s).filter(f => f.severity !== 'info'), []);
});

test('a setting unknown through a name imported from a module that is not evaluated points at its assignment (Kolibri Studio)', () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `from datetime import timedelta
from django.utils.timezone import now
SECRET_KEY = "x"
INSTALLED_APPS = []
${DB}TWO_WEEKS_AGO = now() - timedelta(days=14)
`,
  });
  const u = load(dir, 'mysite.settings').unknowns.find(x => x.name === 'TWO_WEEKS_AGO');
  assert.match(u!.reason, /django\.utils\.timezone\.now \(not evaluated\)/);
  assert.equal(u!.loc?.line, 6);
});

test('keys set in a mapping that is not known are known (HOPE RO.update({...}), etools db_config["ENGINE"] = …; Django venv)', { skip: NO_DJANGO }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `import unknownlib
SECRET_KEY = "x"
INSTALLED_APPS = []
RO = unknownlib.db("REP_DATABASE_URL")
RO.update({"ENGINE": "django.db.backends.postgresql", "TEST": {"MIRROR": "default"}})
db_config = unknownlib.db("DATABASE_URL")
db_config["ENGINE"] = "django.db.backends.mysql"
DATABASES = {"default": db_config, "read_only": RO}
DATABASES["default"]["OPTIONS"] = {"charset": "utf8mb4"}
`,
  });
  // the library as the project has it, for real Django only (the static reading does not see it)
  const lib = project({ 'unknownlib.py': 'def db(name):\n    return {"ENGINE": "django.db.backends.sqlite3", "NAME": name.lower()}\n' });
  const django = djangoSettings(dir, 'mysite.settings', [lib]);
  const s = load(dir, 'mysite.settings');
  assert.deepEqual(s.databases.map(d => [d.alias, d.engine]), Object.entries(django.DATABASES).map(([a, d]) => [a, d.ENGINE]));
  assert.deepEqual(s.databases.map(d => d.name), [null, null], 'the keys not set stay unknown');
  assert.deepEqual((s.databases[1]!.raw?.TEST as Record<string, unknown>)?.MIRROR, 'default');
  assert.deepEqual(s.databases[0]!.options, { charset: 'utf8mb4' });
});

test('copy.deepcopy / copy.copy of settings values (Baserow: DATABASES["default-copy"] = deepcopy(DATABASES["default"]); Django venv)', { skip: NO_DJANGO }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `import copy
from copy import deepcopy
SECRET_KEY = "x"
INSTALLED_APPS = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3", "OPTIONS": {"timeout": 5}}}
DATABASES["default-copy"] = deepcopy(DATABASES["default"])
DATABASES["default-copy"]["OPTIONS"]["timeout"] = 9
DATABASES["shallow"] = copy.copy(DATABASES["default"])
DATABASES["shallow"]["NAME"] = "other.sqlite3"
`,
  });
  const django = djangoSettings(dir, 'mysite.settings');
  const s = load(dir, 'mysite.settings');
  assert.deepEqual(Object.fromEntries(s.databases.map(d => [d.alias, { ENGINE: d.engine, NAME: d.name ? path.basename(d.name) : d.name }])), Object.fromEntries(Object.entries(django.DATABASES).map(([a, d]) => [a, { ENGINE: d.ENGINE, NAME: path.basename(String(d.NAME)) }])));
  // the deep copy's OPTIONS are its own: default keeps timeout 5
  assert.deepEqual(s.databases.map(d => d.options?.timeout), [5, 9, 5]);
});

test('os.environ.copy() reads as the environment (dis-wagtail: env = os.environ.copy(); if "PG_DB_ADDR" in env:)', () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `import os
SECRET_KEY = "x"
INSTALLED_APPS = []
env = os.environ.copy()
if "PG_DB_ADDR" in env:
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": env["PG_DB_DATABASE"], "HOST": env["PG_DB_ADDR"]}}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": env.get("SQLITE_NAME", "db.sqlite3")}}
`,
  });
  assert.deepEqual(load(dir, 'mysite.settings').databases.map(d => [d.engine, d.name && path.basename(d.name)]), [['django.db.backends.sqlite3', 'db.sqlite3']]);
  const pg = load(dir, 'mysite.settings', undefined, { PG_DB_ADDR: 'db.internal', PG_DB_DATABASE: 'ons' });
  assert.deepEqual(pg.databases.map(d => [d.engine, d.name, d.host]), [['django.db.backends.postgresql', 'ons', 'db.internal']]);
  assert.deepEqual(load(dir, 'mysite.settings').envDependent?.[0]?.variables, ['PG_DB_ADDR']);
});

test('where INSTALLED_APPS is set: not a change under an if that may not run (enterprise-catalog local.py), the star-imported definition', () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings/__init__.py': '',
    'mysite/settings/base.py': `SECRET_KEY = "x"\n${DB}INSTALLED_APPS = (\n    "django.contrib.contenttypes",\n)\n`,
    'mysite/settings/local.py': 'import os\nfrom .base import *  # noqa\nif os.environ.get("ENABLE_DJANGO_TOOLBAR", False):\n    INSTALLED_APPS += ("debug_toolbar",)\n',
  });
  const s = load(dir, 'mysite.settings.local');
  assert.deepEqual(s.installedApps, ['django.contrib.contenttypes']);
  assert.deepEqual(s.installedAppsLoc, { path: path.join(dir, 'mysite/settings/base.py'), line: 3 });
});

test('variables DATABASES reads through a dict and a loop over it are named (enterprise-catalog production DB_OVERRIDES)', () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings/__init__.py': '',
    'mysite/settings/base.py': `SECRET_KEY = "x"\nINSTALLED_APPS = []\n${DB}`,
    'mysite/settings/prod.py': `from os import environ
from .base import *  # noqa
DB_OVERRIDES = dict(NAME=environ.get("DB_MIGRATION_NAME", DATABASES["default"]["NAME"]), HOST=environ.get("DB_MIGRATION_HOST", ""))
for override, value in DB_OVERRIDES.items():
    DATABASES["default"][override] = value
`,
  });
  const s = load(dir, 'mysite.settings.prod');
  assert.deepEqual(s.envDefaults?.variables, ['DB_MIGRATION_HOST', 'DB_MIGRATION_NAME']);
  assert.deepEqual(load(dir, 'mysite.settings.prod', undefined, { DB_MIGRATION_NAME: 'prod' }).databases.map(d => d.name), ['prod']);
});

test('django-environ\'s Path: environ.Path(__file__) - 3, root("…"), root.path(…); read_env of it (DefectDojo\'s .env.prod)', () => {
  const dir = project({
    'dojo/__init__.py': '',
    'dojo/settings/__init__.py': '',
    'dojo/settings/.env.prod': 'DD_DATABASE_URL=postgres://dojo@db.internal:5432/dojo2\n',
    'dojo/settings/settings.py': `import environ
root = environ.Path(__file__) - 3
env = environ.Env()
env.read_env(root("dojo/settings/.env.prod"))
SECRET_KEY = "x"
INSTALLED_APPS = []
MEDIA_ROOT = root.path("media")("uploads")
ROOT = root()
DATABASES = {"default": env.db("DD_DATABASE_URL", default="sqlite:////tmp/x.db")}
EMAIL_CONFIG = env.email_url("DD_EMAIL_URL", default="smtp://user@:s3cretpw@localhost:25")
vars().update(EMAIL_CONFIG)
`,
  });
  const s = load(dir, 'dojo.settings.settings');
  // email_url gives Django's EMAIL_* names: no setting beyond them may change, and the URL is not repeated
  assert.ok(!s.unknowns.some(u => u.name === 'Any setting'), JSON.stringify(s.unknowns));
  assert.doesNotMatch(JSON.stringify(settingsFindings(s)), /s3cretpw/);
  assert.equal(s.values.ROOT, dir);
  assert.equal(s.values.MEDIA_ROOT, path.join(dir, 'media', 'uploads'));
  assert.deepEqual(s.databases.map(d => [d.engine, d.name, d.host]), [['django.db.backends.postgresql', 'dojo2', 'db.internal']]);
});

test('an ENGINE of django.db.backends that is none of its backends is an error, as Django raises it (openedx/credentials; Django venv)', { skip: NO_DJANGO }, () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "other": {"ENGINE": "django.db.backends.postgresq", "NAME": "x"}}\n',
  });
  const out = execFileSync(PY!, ['-c', 'import django\ndjango.setup()\nfrom django.db import connections\ntry:\n    connections["other"].cursor()\nexcept Exception as e:\n    print(type(e).__name__, e)\n'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DJANGO_SETTINGS_MODULE: 'mysite.settings', PYTHONPATH: dir } });
  assert.match(out, /ImproperlyConfigured 'django\.db\.backends\.postgresq' isn't an available database backend/);
  const found = settingsFindings(load(dir, 'mysite.settings')).filter(f => f.code === 'databases-not-configured');
  assert.deepEqual(found.map(f => [f.severity, f.alias]), [['error', 'other']]);
  assert.match(found[0]!.message, /did you mean 'django\.db\.backends\.postgresql'\?/);
  // a template's placeholder that a local settings file (not in the workspace) replaces where the project runs
  // (NExtSEEK's Mezzanine settings: `if os.path.exists(f): exec(open(f).read())`): no error, DATABASES may differ
  const mezz = project({
    'site2/__init__.py': '',
    'site2/settings.py': 'import os\nSECRET_KEY = "x"\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.", "NAME": ""}}\nf = os.path.join(os.path.dirname(os.path.abspath(__file__)), "local_settings.py")\nif os.path.exists(f):\n    exec(open(f, "rb").read())\n',
  });
  const sm = load(mezz, 'site2.settings');
  assert.deepEqual(settingsFindings(sm).filter(f => f.code === 'databases-not-configured'), []);
  assert.match(sm.partial?.find(p => p.name === 'DATABASES')?.reason ?? '', /site2\/local_settings\.py where it exists/);
});

describe('settings-env-dependent: which variables decide, said once (healthchecks, paperless, mathesar)', () => {
  test('one path keeps DATABASES and the other sets the same aliases: only the entries depend on it, the project has one database', { skip: NO_DJANGO }, () => {
    const dir = project({
      'p/__init__.py': '',
      'p/settings.py': `import os
${DB}if os.getenv("DB") == "postgres":
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "hc"}}
if os.getenv("DB") in ["mysql", "mariadb"]:
    DATABASES = {"default": {"ENGINE": "django.db.backends.mysql", "NAME": "hc"}}
`,
    });
    const s = load(dir, 'p.settings');
    assert.deepEqual(s.envDependent?.map(e => [e.variables, e.loc.line, !!e.optionsOnly]), [[['DB'], 3, true], [['DB'], 5, true]]);
    assert.equal(databasesMayDiffer(s), null);
    // said once, for the two conditions on the same variable
    assert.equal(settingsFindings(s).filter(f => f.code === 'settings-env-dependent').length, 1);
    // Django: the same one alias without DB and with it
    assert.deepEqual(Object.keys(djangoSettings(dir, 'p.settings').DATABASES), ['default']);
  });

  test('a variable a name was derived from before a condition changed it is named too (paperless: APP_DBENGINE, then APP_DBHOST)', () => {
    const dir = project({
      'p/__init__.py': '',
      'p/settings.py': `import os
engine = os.getenv("APP_DBENGINE")
if engine is None:
    engine = "postgresql" if "APP_DBHOST" in os.environ else "sqlite"
if engine == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}}
`,
    });
    assert.deepEqual(load(dir, 'p.settings').envDependent?.map(e => e.variables), [['APP_DBENGINE', 'APP_DBHOST']]);
    // and each alone switches the engine, as Python runs it
    assert.equal(load(dir, 'p.settings', undefined, { APP_DBENGINE: 'postgresql' }).databases[0]!.engine, 'django.db.backends.postgresql');
    assert.equal(load(dir, 'p.settings', undefined, { APP_DBHOST: 'db' }).databases[0]!.engine, 'django.db.backends.postgresql');
  });

  test('DATABASES from a helper of another module whose conditions read the variables (paperless: parse_db_settings)', () => {
    const dir = project({
      'p/__init__.py': '',
      'p/confhelpers.py': `import os


def parse_db_settings(data_dir):
    engine = os.getenv("APP_DBENGINE")
    if engine is None:
        engine = "postgresql" if "APP_DBHOST" in os.environ else "sqlite"
    if engine == "sqlite":
        return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": data_dir + "/db.sqlite3"}}
    return {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": os.getenv("APP_DBHOST"), "NAME": "app"}}
`,
      'p/settings.py': 'import os\nfrom p.confhelpers import parse_db_settings\nDATA_DIR = os.getenv("APP_DATA_DIR", "/data")\nDATABASES = parse_db_settings(DATA_DIR)\n',
    });
    const s = load(dir, 'p.settings');
    assert.deepEqual(s.envDependent?.map(e => [e.settings, e.variables, e.loc.line, !!e.optionsOnly]), [[['DATABASES'], ['APP_DBENGINE', 'APP_DBHOST'], 4, true]]);
    assert.equal(load(dir, 'p.settings', undefined, { APP_DBHOST: 'db' }).databases[0]!.engine, 'django.db.backends.postgresql');
  });

  test('DATABASES empty without the variables: one warning, naming first those its condition reads (mathesar)', () => {
    const dir = project({
      'p/__init__.py': '',
      'p/settings.py': `import os
DATABASES = {}
POSTGRES_DB = os.environ.get('POSTGRES_DB', default=None)
POSTGRES_USER = os.environ.get('POSTGRES_USER', default=None)
POSTGRES_PASSWORD = os.environ.get('POSTGRES_PASSWORD', default=None)
POSTGRES_HOST = os.environ.get('POSTGRES_HOST', default=None)
POSTGRES_SSLMODE = os.environ.get('POSTGRES_SSLMODE', default='prefer')
if POSTGRES_DB and POSTGRES_USER and POSTGRES_HOST:
    DATABASES['default'] = {"ENGINE": "django.db.backends.postgresql", "NAME": POSTGRES_DB, "USER": POSTGRES_USER,
                            "PASSWORD": POSTGRES_PASSWORD, "HOST": POSTGRES_HOST, "OPTIONS": {"sslmode": POSTGRES_SSLMODE}}
`,
    });
    const f = settingsFindings(load(dir, 'p.settings')).filter(x => x.code === 'settings-env-dependent' || x.code === 'databases-not-configured');
    assert.deepEqual(f.map(x => x.code), ['databases-not-configured']);
    assert.match(f[0]!.message, /Whether it has entries depends on POSTGRES_DB, POSTGRES_HOST, POSTGRES_USER \(line 8\)\. DATABASES reads environment variables that are not set: POSTGRES_DB, POSTGRES_HOST, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_SSLMODE;/);
  });
});

test("from django.conf.global_settings import NAME: Django's default; max() of something unknown says what is unknown", { skip: NO_DJANGO }, () => {
  const dir = project({
    'p/__init__.py': '',
    'p/settings.py': `import multiprocessing
from django.conf.global_settings import PASSWORD_HASHERS
${DB}PASSWORD_HASHERS = ["x.Hasher"] + PASSWORD_HASHERS
THREADS = max(multiprocessing.cpu_count(), 1)
`,
  });
  const s = load(dir, 'p.settings');
  const django = JSON.parse(execFileSync(PY!, ['-c', 'import json; from django.conf import settings; print(json.dumps(settings.PASSWORD_HASHERS))'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DJANGO_SETTINGS_MODULE: 'p.settings', PYTHONPATH: dir } }));
  assert.deepEqual(s.values.PASSWORD_HASHERS, django);
  assert.equal(s.unknowns.find(u => u.name === 'THREADS')?.reason, 'multiprocessing.cpu_count (not evaluated)');
});

test("an alias set on one path of an unknown condition keeps what it is set to there (codecov's optional replicas)", () => {
  const dir = project({
    'p/__init__.py': '',
    'p/settings.py': `from featureflags import replica_enabled
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "app"}}
if replica_enabled():
    DATABASES["replica"] = {"ENGINE": "django.db.backends.postgresql", "NAME": "app", "TEST": {"MIRROR": "default"}}
`,
  });
  const s = load(dir, 'p.settings');
  assert.deepEqual(s.databases.map(d => [d.alias, d.engine, d.name, (d.raw?.TEST as { MIRROR?: string } | undefined)?.MIRROR ?? null]), [
    ['default', 'django.db.backends.postgresql', 'app', null],
    ['replica', 'django.db.backends.postgresql', 'app', 'default'],
  ]);
  // and that it exists on one path only is said
  assert.match(s.unknowns.find(u => u.name.includes('DATABASES["replica"]'))!.reason, /set in one branch only/);
});

test('a loop over a list partly known says what is missing of it, once for nested loops (PostHog: "loop over undefined")', () => {
  const dir = project({
    'mysite/__init__.py': '',
    'mysite/settings.py': `import os
SECRET_KEY = "x"
INSTALLED_APPS = []
${DB}
EXTRA = ["a"]
EXTRA.extend(os.environ["EXTRA_DBS"].split(","))
for name in EXTRA:
    for suffix in EXTRA:
        DATABASES[name + suffix] = {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
`,
  });
  const s = load(dir, 'mysite.settings');
  const reason = s.partial?.find(p => p.name === 'DATABASES')?.reason ?? '';
  assert.match(reason, /a loop over something not known \(.*EXTRA_DBS/);
  assert.doesNotMatch(reason, /undefined|loop over .*loop over/);
});
