// INSTALLED_APPS → AppInfo (src/core/apps), following AppConfig.create; compared with real Django's
// app registry when the Django venv exists.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { initPython } from '../../src/core/python/parse';
import { ModuleIndex } from '../../src/core/python/modules';
import * as fs from 'node:fs';
import { resolveApps } from '../../src/core/apps';
import { workspaceAppModules } from '../../src/core/apps/discover';
import { djangoPython, NO_DJANGO } from '../oracle/helpers';
import { djangoSitePackages, settingsOf, writeTree } from './support';

const PY = djangoPython();
const SITE = djangoSitePackages(PY);

const PROJECT: Record<string, string> = {
  'mysite/__init__.py': '',
  // plain module, no apps.py
  'plain/__init__.py': '',
  'plain/migrations/__init__.py': '',
  // apps.py with a single AppConfig subclass: used automatically (name + label from it)
  'single/__init__.py': '',
  'single/apps.py': 'from django.apps import AppConfig\n\n\nclass SingleConfig(AppConfig):\n    name = "single"\n    label = "uno"\n',
  // two configs, one default = True
  'multi/__init__.py': '',
  'multi/apps.py': `from django.apps import AppConfig


class FirstConfig(AppConfig):
    name = "multi"
    label = "first"


class SecondConfig(AppConfig):
    default = True
    name = "multi"
    label = "second"
`,
  // two configs, none default: the plain AppConfig
  'ambiguous/__init__.py': '',
  'ambiguous/apps.py': `from django.apps import AppConfig


class AConfig(AppConfig):
    name = "ambiguous"
    label = "amb_a"


class BConfig(AppConfig):
    name = "ambiguous"
    label = "amb_b"
`,
  // the only config has default = False: the plain AppConfig
  'optout/__init__.py': '',
  'optout/apps.py': 'from django.apps import AppConfig\n\n\nclass OptOutConfig(AppConfig):\n    default = False\n    name = "optout"\n    label = "never"\n',
  // an explicit AppConfig path; label inherited from a base config in another module; name via a constant
  'nested/__init__.py': '',
  'nested/pkg/__init__.py': '',
  'nested/pkg/base.py': 'from django.apps import AppConfig\n\n\nclass BaseConfig(AppConfig):\n    label = "nested_label"\n',
  'nested/pkg/apps.py': 'from .base import BaseConfig\n\nPREFIX = "nested."\n\n\nclass NestedConfig(BaseConfig):\n    default = False\n    name = PREFIX + "pkg"\n',
  // a config subclassing AdminConfig: it inherits `default = True`, and the imported AdminConfig is a
  // candidate too, so the module entry is ambiguous (Django raises); the class path works
  'myadmin/__init__.py': '',
  'myadmin/apps.py': 'from django.contrib.admin.apps import AdminConfig\n\n\nclass MyAdminConfig(AdminConfig):\n    default_site = "myadmin.sites.Site"\n',
  'myadmin/sites.py': 'from django.contrib.admin import AdminSite\n\n\nclass Site(AdminSite):\n    pass\n',
  'custommig/__init__.py': '',
  'custommig/other_migrations/__init__.py': '',
  'nomig/__init__.py': '',
};

before(async () => {
  await initPython();
});

test('INSTALLED_APPS entries follow AppConfig.create', () => {
  const root = writeTree(PROJECT);
  const index = new ModuleIndex(SITE ? [root, SITE] : [root]);
  const installed = ['plain', 'single', 'multi', 'ambiguous', 'optout', 'nested.pkg.apps.NestedConfig', 'custommig', 'nomig'];
  const r = resolveApps(index, settingsOf({ installedApps: installed, migrationModules: { custommig: 'custommig.other_migrations', nomig: null } }), root);
  const by = new Map(r.apps.map(a => [a.entry, a]));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.apps.map(a => [a.entry, a.label, a.module, a.appConfig]), [
    ['plain', 'plain', 'plain', 'django.apps.AppConfig'],
    ['single', 'uno', 'single', 'single.apps.SingleConfig'],
    ['multi', 'second', 'multi', 'multi.apps.SecondConfig'],
    ['ambiguous', 'ambiguous', 'ambiguous', 'django.apps.AppConfig'],
    ['optout', 'optout', 'optout', 'django.apps.AppConfig'],
    ['nested.pkg.apps.NestedConfig', 'nested_label', 'nested.pkg', 'nested.pkg.apps.NestedConfig'],
    ['custommig', 'custommig', 'custommig', 'django.apps.AppConfig'],
    ['nomig', 'nomig', 'nomig', 'django.apps.AppConfig'],
  ]);
  assert.equal(by.get('plain')!.dir, path.join(root, 'plain'));
  assert.equal(by.get('plain')!.external, false);
  assert.equal(by.get('plain')!.migrationsModule, 'plain.migrations');
  assert.equal(by.get('plain')!.migrationsDir, path.join(root, 'plain', 'migrations'));
  // MIGRATION_MODULES: a custom module, and None (disabled)
  assert.equal(by.get('custommig')!.migrationsModule, 'custommig.other_migrations');
  assert.equal(by.get('custommig')!.migrationsDir, path.join(root, 'custommig', 'other_migrations'));
  assert.equal(by.get('nomig')!.migrationsModule, null);
  assert.equal(by.get('nomig')!.migrationsDir, null);
  // default module name, but no package on disk
  assert.equal(by.get('single')!.migrationsModule, 'single.migrations');
  assert.equal(by.get('single')!.migrationsDir, null);
});

test('INSTALLED_APPS problems: missing modules, bad classes, duplicate labels, several defaults, unknown entries', () => {
  const root = writeTree({
    ...PROJECT,
    'twodefaults/__init__.py': '',
    'twodefaults/apps.py': 'from django.apps import AppConfig\n\n\nclass A(AppConfig):\n    default = True\n    name = "twodefaults"\n\n\nclass B(AppConfig):\n    default = True\n    name = "twodefaults"\n',
    'notconfig/__init__.py': '',
    'notconfig/things.py': 'class Thing:\n    name = "notconfig"\n',
    'nb/__init__.py': '',
    'nb/core_apps.py': 'from constance.apps import ConstanceConfig\n\n\nclass NautobotConstanceConfig(ConstanceConfig):\n    verbose_name = "Configuration"\n',
    'noname/__init__.py': '',
    'noname/apps.py': 'from django.apps import AppConfig\n\n\nclass NoName(AppConfig):\n    default = False\n',
    'dup/__init__.py': '',
    'dup/plain/__init__.py': '',
  });
  const index = new ModuleIndex([root]);
  const installed = ['plain', 'missing_app', 'twodefaults', 'notconfig.things.Thing', 'nb.core_apps.NautobotConstanceConfig', 'noname.apps.NoName', 'dup.plain', 'single.apps.Missing', null];
  const r = resolveApps(index, settingsOf({ installedApps: installed }), root);
  assert.deepEqual(r.apps.map(a => a.entry), ['plain']);
  const msg = (e: string) => r.problems.find(p => p.entry === e)?.message ?? '';
  assert.match(msg('missing_app'), /No module named 'missing_app'/);
  assert.match(msg('twodefaults'), /declares more than one default AppConfig: 'A', 'B'/);
  assert.match(msg('notconfig.things.Thing'), /isn't a subclass of AppConfig/);
  // an AppConfig whose base comes from a package that is not installed: that package is missing, not a wrong class
  assert.match(msg('nb.core_apps.NautobotConstanceConfig'), /^No module named 'constance'/);
  assert.match(msg('noname.apps.NoName'), /must supply a name attribute/);
  assert.match(msg('dup.plain'), /labels aren't unique.*plain.*Django refuses to start/);
  assert.equal(r.problems.find(p => p.entry === 'dup.plain')?.fatal, true);
  assert.match(msg('single.apps.Missing'), /does not contain a 'Missing' class/);
  assert.match(msg('<unknown>'), /could not be evaluated/);
});

test("an app whose AppConfig derives from a package that is not installed may have another label (Oscar's dashboard apps): not a duplicate, kept", () => {
  const root = writeTree({
    ...PROJECT,
    'catalogue/__init__.py': '',
    'dash/__init__.py': '',
    'dash/catalogue/__init__.py': '',
    'dash/catalogue/apps.py': 'from oscar_not_installed import apps\n\n\nclass CatalogueDashboardConfig(apps.CatalogueDashboardConfig):\n    name = "dash.catalogue"\n',
  });
  const r = resolveApps(new ModuleIndex([root]), settingsOf({ installedApps: ['catalogue', 'dash.catalogue'] }), root);
  assert.deepEqual(r.apps.map(a => [a.entry, a.label]), [['catalogue', 'catalogue'], ['dash.catalogue', 'dash_catalogue']]);
  const p = r.problems.find(x => x.entry === 'dash.catalogue')!;
  assert.equal(p.info, true);
  assert.equal(p.fatal, undefined);
  assert.match(p.message, /label is not known statically/);
});

test('a config subclassing one of django.contrib\'s (AuthConfig) is an AppConfig without Django installed too (kuma)', () => {
  const root = writeTree({
    ...PROJECT,
    'kuma/__init__.py': '',
    'kuma/users/__init__.py': '',
    'kuma/users/apps.py': 'from django.contrib.auth.apps import AuthConfig\n\n\nclass UserConfig(AuthConfig):\n    name = "kuma.users"\n    verbose_name = "User"\n',
    'kuma/admin.py': 'from django.contrib.admin.apps import AdminConfig\n\n\nclass CustomAdminConfig(AdminConfig):\n    default_site = "kuma.admin.Site"\n',
    'kuma/wiki/__init__.py': '',
    'kuma/wiki/apps.py': 'from django.contrib import admin\nfrom django.contrib.admin.apps import SimpleAdminConfig\n\n\nclass WikiAdmin(SimpleAdminConfig):\n    name = "kuma.wiki"\n',
  });
  const r = resolveApps(new ModuleIndex([root]), settingsOf({ installedApps: ['kuma.users.apps.UserConfig', 'kuma.wiki.apps.WikiAdmin', 'kuma.admin.CustomAdminConfig'] }), root);
  // a subclass naming no app is the contrib app itself (Flagsmith's CustomAdminConfig(AdminConfig)): not installed here
  assert.deepEqual(r.problems.map(p => [p.entry, p.message.replace(/ \(.*$/, '')]), [['kuma.admin.CustomAdminConfig', "No module named 'django.contrib.admin'"]]);
  assert.deepEqual(r.apps.map(a => [a.label, a.module, a.appConfig, a.external]), [
    ['users', 'kuma.users', 'kuma.users.apps.UserConfig', false],
    ['wiki', 'kuma.wiki', 'kuma.wiki.apps.WikiAdmin', false],
  ]);
});

test('django.contrib apps and a config subclassing AdminConfig (Django venv)', t => {
  if (!SITE) return t.skip(NO_DJANGO);
  const root = writeTree(PROJECT);
  const index = new ModuleIndex([root, SITE]);
  const r = resolveApps(index, settingsOf({ installedApps: ['myadmin', 'myadmin.apps.MyAdminConfig', 'django.contrib.auth', 'django.contrib.contenttypes'] }), root);
  // MyAdminConfig inherits default = True from AdminConfig, which apps.py imports: two defaults
  assert.deepEqual(r.problems, [{ entry: 'myadmin', message: "'myadmin.apps' declares more than one default AppConfig: 'AdminConfig', 'MyAdminConfig'." }]);
  // name and label are inherited from AdminConfig (in site-packages): external, labelled admin
  assert.deepEqual(r.apps.map(a => [a.label, a.module, a.appConfig, a.external]), [
    ['admin', 'django.contrib.admin', 'myadmin.apps.MyAdminConfig', true],
    ['auth', 'django.contrib.auth', 'django.contrib.auth.apps.AuthConfig', true],
    ['contenttypes', 'django.contrib.contenttypes', 'django.contrib.contenttypes.apps.ContentTypesConfig', true],
  ]);
  assert.equal(r.apps[1]!.migrationsDir, path.join(SITE, 'django', 'contrib', 'auth', 'migrations'));
  assert.equal(r.apps[0]!.dir, path.join(SITE, 'django', 'contrib', 'admin'));
});

test('app configs equal real Django (Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  const installed = ['django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.admin.apps.SimpleAdminConfig', 'plain', 'single', 'multi', 'ambiguous', 'optout', 'nested.pkg.apps.NestedConfig', 'myadmin.apps.MyAdminConfig'];
  const root = writeTree({
    ...PROJECT,
    'mysite/settings.py': `SECRET_KEY = "x"\nINSTALLED_APPS = ${JSON.stringify(installed.filter(e => !e.includes('SimpleAdmin')))}\n`,
  });
  const code = 'import json, django\ndjango.setup()\nfrom django.apps import apps\nprint(json.dumps([[c.label, c.name, type(c).__module__ + "." + type(c).__qualname__] for c in apps.get_app_configs()]))';
  const expected = JSON.parse(execFileSync(PY!, ['-c', code], { cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONPATH: root, DJANGO_SETTINGS_MODULE: 'mysite.settings' } }));
  const index = new ModuleIndex([root, SITE]);
  const r = resolveApps(index, settingsOf({ installedApps: installed.filter(e => !e.includes('SimpleAdmin')) }), root);
  const ours = r.apps.map(a => [a.label, a.module, a.appConfig === 'django.apps.AppConfig' ? 'django.apps.config.AppConfig' : a.appConfig]);
  assert.deepEqual(ours, expected);
});

test('apps in a virtualenv inside the workspace are external', () => {
  const root = writeTree({
    '.venv/lib/python3.12/site-packages/thirdparty/__init__.py': '',
    'local/__init__.py': '',
  });
  const index = new ModuleIndex([root, path.join(root, '.venv/lib/python3.12/site-packages')]);
  const r = resolveApps(index, settingsOf({ installedApps: ['thirdparty', 'local'] }), root);
  assert.deepEqual(r.apps.map(a => [a.label, a.external]), [['thirdparty', true], ['local', false]]);
});

test('workspace apps for the discovered fallback: symlink loops, virtualenvs, test fixtures and shadowed packages', () => {
  const root = writeTree({
    'proj/__init__.py': '',
    'proj/orders/__init__.py': '',
    'proj/orders/migrations/__init__.py': '',
    'proj/billing/__init__.py': '',
    'proj/billing/apps.py': 'from django.apps import AppConfig\n\n\nclass BillingConfig(AppConfig):\n    name = "proj.billing"\n',
    'proj/tests/fixture/__init__.py': '',
    'proj/tests/fixture/migrations/__init__.py': '',
    'env/pyvenv.cfg': 'home = /usr/bin\n',
    'env/lib/python3.12/site-packages/thirdparty/migrations/__init__.py': '',
    'not-a-module/app/migrations/__init__.py': '',
    // a later search root with a package of the same dotted name: the first root's one is imported
    'vendor/proj/orders/migrations/__init__.py': '',
    'vendor/proj/orders/__init__.py': '',
  });
  fs.symlinkSync(path.join(root, 'proj'), path.join(root, 'proj', 'loop'));
  const index = new ModuleIndex([root, path.join(root, 'vendor')]);
  assert.deepEqual(workspaceAppModules(index, root), { modules: ['proj.billing', 'proj.orders'], truncated: false });
});

test('an apps.py AppConfig with a wrong name (a project on Django < 3.2, giga-maps) keeps its app, said so; default_app_config is read', () => {
  const root = writeTree({
    'proco/__init__.py': '',
    'proco/data_migrations/__init__.py': '',
    'proco/data_migrations/apps.py': 'from django.apps import AppConfig\n\n\nclass DataMigrationsConfig(AppConfig):\n    name = "data_migrations"\n',
    'legacy/__init__.py': 'default_app_config = "legacy.config.LegacyConfig"\n',
    'legacy/config.py': 'from django.apps import AppConfig\n\n\nclass LegacyConfig(AppConfig):\n    name = "legacy"\n    label = "old_legacy"\n',
  });
  const r = resolveApps(new ModuleIndex([root]), settingsOf({ installedApps: ['proco.data_migrations', 'legacy'] }), root);
  assert.deepEqual(r.apps.map(a => [a.label, a.module, a.appConfig]), [['data_migrations', 'proco.data_migrations', 'django.apps.AppConfig'], ['old_legacy', 'legacy', 'legacy.config.LegacyConfig']]);
  assert.deepEqual(r.problems.map(p => [p.entry, p.info ?? false]), [['proco.data_migrations', true]]);
  assert.match(r.problems[0]!.message, /Django 3\.2 and later pick this AppConfig and refuse it .*Django before 3\.2 does not pick it/);
});

test('an AppConfig named from its module: name = __name__.rpartition(".")[0] (etools)', () => {
  const root = writeTree({
    'etools/__init__.py': '',
    'etools/applications/__init__.py': '',
    'etools/applications/users/__init__.py': '',
    'etools/applications/users/apps.py': 'from django.apps import AppConfig as BaseAppConfig\n\n\nclass AppConfig(BaseAppConfig):\n    name = __name__.rpartition(".")[0]\n    label = "users"\n',
  });
  const r = resolveApps(new ModuleIndex([root]), settingsOf({ installedApps: ['etools.applications.users'] }), root);
  assert.deepEqual(r.apps.map(a => [a.label, a.module]), [['users', 'etools.applications.users']]);
  assert.deepEqual(r.problems, [], 'nothing assumed');
});

test('an AppConfig named from an imported module: name = pkg.__name__ (django-prometheus)', () => {
  const root = writeTree({
    ...PROJECT,
    'prom/__init__.py': '',
    'prom/apps.py': 'from django.apps import AppConfig\n\nimport prom\n\n\nclass PromConfig(AppConfig):\n    name = prom.__name__\n',
  });
  const r = resolveApps(new ModuleIndex([root]), settingsOf({ installedApps: ['prom.apps.PromConfig'] }), root);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.apps.map(a => [a.label, a.module]), [['prom', 'prom']]);
});
