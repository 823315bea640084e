// Issue "Hardening" item 2: static mode starts no process; an interpreter runs only when the user chose it or it
// lives outside the project, and then isolated; a project's .env never picks the interpreter; a missing Django is
// said once, not turned into errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findSearchRoots } from '../../src/core/env/python-env';
import { Scanner } from '../../src/core/scan';
import { cli, djangoPython, NO_DJANGO } from '../oracle/helpers';
import { djangoSitePackages, writeTree } from './support';

const PY = djangoPython();
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** A hostile project: every executable it ships, and its json.py, leave a marker file when run or imported. */
function hostileProject(extra: Record<string, string> = {}): { dir: string; marker: string; site: string } {
  const markerDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-marker-')));
  dirs.push(markerDir);
  const marker = path.join(markerDir, 'ran');
  const touch = `#!/bin/sh\necho "$0" >> ${marker}\nexit 1\n`;
  const dir = fs.realpathSync(writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n',
    'site1/__init__.py': '',
    'site1/settings.py': 'INSTALLED_APPS = ["accounts"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'accounts/__init__.py': '',
    'accounts/models.py': 'from django.db import models\n\nclass Account(models.Model):\n    name = models.CharField(max_length=10)\n',
    'accounts/migrations/__init__.py': '',
    'accounts/migrations/0001_initial.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = []\n',
    // shadows the stdlib for anything started in this folder without -I
    'json.py': `open(${JSON.stringify(marker)}, "a").write("json.py imported\\n")\n`,
    '.venv/pyvenv.cfg': 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n',
    '.venv/lib/python3.11/site-packages/placeholder.txt': '',
    '.venv/bin/python': touch,
    'evilvenv/pyvenv.cfg': 'home = /usr/bin\nversion = 3.11.7\n',
    'evilvenv/bin/python': touch,
    '.env': 'VIRTUAL_ENV=./evilvenv\nPATH=./evilvenv/bin\n',
    ...extra,
  }, 'dmdb-hostile-'));
  dirs.push(dir);
  fs.chmodSync(path.join(dir, '.venv/bin/python'), 0o755);
  fs.chmodSync(path.join(dir, 'evilvenv/bin/python'), 0o755);
  return { dir, marker, site: path.join(dir, '.venv/lib/python3.11/site-packages') };
}

test('static mode (the CLI default, --no-db) starts no process: not the committed .venv, not .env\'s VIRTUAL_ENV, not json.py', () => {
  const h = hostileProject();
  const r = cli(['scan', h.dir, '--json', '--no-db', '--no-cache']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.existsSync(h.marker), false, fs.existsSync(h.marker) ? fs.readFileSync(h.marker, 'utf8') : '');
  // the project's own venv is still read from disk
  assert.ok(r.json.models.some((m: { app: string }) => m.app === 'accounts'));
  const c = cli(['check', h.dir, '--no-db', '--no-cache', '--fail-on', 'all']);
  assert.equal(fs.existsSync(h.marker), false);
  assert.notEqual(c.status, 2, c.stderr);
});

test('the venv inside the project is read statically even when running Python is allowed, unless chosen or trusted', async () => {
  const h = hostileProject();
  const env = { PATH: '' };
  const r = await findSearchRoots({ root: h.dir, env, allowPython: true });
  assert.equal(fs.existsSync(h.marker), false);
  assert.equal(r.method, 'static');
  assert.equal(r.interpreter, path.join(h.dir, '.venv/bin/python'));
  assert.ok(r.roots.includes(h.site), r.roots.join('\n'));
  assert.ok(r.notes.some(n => n.includes('inside the project')), r.notes.join('\n'));
  // chosen explicitly (--python), or the workspace trusted (VS Code): then it runs
  await findSearchRoots({ root: h.dir, env, allowPython: true, python: '.venv/bin/python' });
  assert.equal(fs.readFileSync(h.marker, 'utf8').trim(), path.join(h.dir, '.venv/bin/python'));
  fs.rmSync(h.marker);
  await findSearchRoots({ root: h.dir, env, allowPython: true, runWorkspaceInterpreter: true });
  assert.ok(fs.existsSync(h.marker));
});

test('the .env file never chooses the interpreter, in any mode', async t => {
  if (!PY) return t.skip(NO_DJANGO);
  const h = hostileProject();
  fs.rmSync(path.join(h.dir, '.venv'), { recursive: true });
  const idx = await new Scanner({ root: h.dir, allowPython: true, readDatabases: false, env: { PATH: path.dirname(PY) } }).index();
  assert.equal(fs.existsSync(h.marker), false, fs.existsSync(h.marker) ? fs.readFileSync(h.marker, 'utf8') : '');
  assert.ok(idx.models.some(m => m.app === 'accounts'));
});

test('an interpreter outside the project runs isolated, in a folder outside it: json.py of the project is not imported', async t => {
  if (!PY) return t.skip(NO_DJANGO);
  const h = hostileProject();
  const r = await findSearchRoots({ root: h.dir, python: PY, env: { ...process.env, PYTHONPATH: '' }, allowPython: true, timeoutMs: 20000 });
  assert.equal(r.method, 'interpreter', r.errors.join('\n'));
  assert.equal(fs.existsSync(h.marker), false);
  assert.equal(r.roots[0], h.dir);
  assert.ok(r.sitePackages.includes(djangoSitePackages(PY)!), r.roots.join('\n'));
  // PYTHONPATH, which -I ignores, is still on the search path, right after the project
  const extra = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-pp-')));
  dirs.push(extra);
  const withPp = await findSearchRoots({ root: h.dir, python: PY, env: { ...process.env, PYTHONPATH: extra }, allowPython: true, timeoutMs: 20000 });
  assert.equal(withPp.roots[1], extra);
});

test('Django mode: the helper runs isolated and sees the project\'s .env (CLI)', async t => {
  if (!PY) return t.skip(NO_DJANGO);
  const h = hostileProject({
    'site1/settings.py': [
      'import os, json',
      'SECRET_KEY = "x"',
      'INSTALLED_APPS = ["django.contrib.contenttypes", "accounts"]',
      'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DB_NAME"]}}',
      '',
    ].join('\n'),
    '.env': 'DB_NAME=from-env.sqlite3\n',
  });
  fs.rmSync(path.join(h.dir, '.venv'), { recursive: true });
  const r = cli(['scan', h.dir, '--json', '--no-db', '--no-cache', '--mode', 'django', '--python', PY]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json.source?.mode, 'django', JSON.stringify(r.json.source));
  assert.equal(r.json.diagnostics.filter((d: { code: string }) => d.code === 'django-unavailable').length, 0, JSON.stringify(r.json.diagnostics));
  assert.ok(r.json.databases[0].name.endsWith('from-env.sqlite3'), JSON.stringify(r.json.databases));
  // json.py beside manage.py is not imported while Python starts (the project's own imports are its business)
  assert.equal(fs.existsSync(h.marker), false, fs.existsSync(h.marker) ? fs.readFileSync(h.marker, 'utf8') : '');
});

test('Django missing from the environment: one warning, and its consequences are not errors', async () => {
  const dir = fs.realpathSync(writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n',
    'site1/__init__.py': '',
    'site1/settings.py': 'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "accounts"]\nAUTH_USER_MODEL = "accounts.User"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'accounts/__init__.py': '',
    'accounts/models.py': 'from django.contrib.auth.models import AbstractUser\n\nclass User(AbstractUser):\n    pass\n',
    'accounts/migrations/__init__.py': '',
    'accounts/migrations/0001_initial.py': [
      'from django.db import migrations',
      '',
      'class Migration(migrations.Migration):',
      '    initial = True',
      '    dependencies = [("auth", "0012_alter_user_first_name_max_length")]',
      '    operations = []',
      '',
    ].join('\n'),
    'accounts/migrations/0002_perms.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [("accounts", "0001_initial"), ("auth", "0011_update_proxy_permissions")]\n    operations = []\n',
  }, 'dmdb-nodjango-'));
  dirs.push(dir);
  const idx = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: { PATH: '' } }).index();
  const errors = idx.findings.filter(f => f.severity === 'error');
  assert.deepEqual(errors.map(f => f.message), []);
  const djangoMissing = idx.findings.filter(f => f.message.startsWith('Django is not installed'));
  assert.equal(djangoMissing.length, 1);
  assert.equal(djangoMissing[0]!.severity, 'warning');
  const deps = idx.findings.filter(f => f.code === 'missing-dependency');
  // one info for both migrations that depend on auth, naming them
  assert.equal(deps.length, 1, JSON.stringify(deps));
  assert.ok(deps[0]!.severity === 'info' && deps[0]!.message.includes('django.contrib.auth is not installed'), JSON.stringify(deps[0]));
  assert.match(deps[0]!.message, /^2 migrations depend on app auth, not known \(django\.contrib\.auth is not installed in the Python environment used\): accounts\.0001_initial, accounts\.0002_perms$/);
  assert.deepEqual(deps[0]!.migrations, ['accounts.0001_initial', 'accounts.0002_perms']);
});

test('a dependency on an app whose INSTALLED_APPS entry is not installed is an info, even when its label differs from the module', async () => {
  const dir = fs.realpathSync(writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n',
    'site1/__init__.py': '',
    // wagtail.images has the label "wagtailimages": not its last dotted part
    'site1/settings.py': 'INSTALLED_APPS = ["wagtail.images", "blog"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    'blog/__init__.py': '',
    'blog/migrations/__init__.py': '',
    'blog/migrations/0001_initial.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [("wagtailimages", "0018_remove_rendition_filter")]\n    operations = []\n',
  }, 'dmdb-labels-'));
  dirs.push(dir);
  const idx = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: { PATH: '' } }).index();
  const dep = idx.findings.find(f => f.code === 'missing-dependency')!;
  assert.equal(dep.severity, 'info', dep.message);
  assert.match(dep.message, /wagtail\.images/);
  // a dependency on a label that no entry could provide stays an error
  fs.writeFileSync(path.join(dir, 'site1', 'settings.py'), 'INSTALLED_APPS = ["blog"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n');
  const idx2 = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: { PATH: '' } }).index();
  assert.equal(idx2.findings.find(f => f.code === 'missing-dependency')?.severity, 'error');
});
