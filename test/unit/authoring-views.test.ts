// The extension's pure models of two authoring views (src/extension/model/thirdParty.ts, aliasItems.ts): the
// "Third-party migrations" node (findings of the environment's apps, where their RunPython code runs) and the
// completion items of alias names, on small projects scanned statically (real files, the real Scanner).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Scanner } from '../../src/core/scan';
import { thirdPartyConsequence, thirdPartyMigrations, thirdPartySummary } from '../../src/extension/model/thirdParty';
import { aliasItems, isProjectPython } from '../../src/extension/model/aliasItems';
import { REPO } from '../oracle/helpers';
import { writeTree } from './support';

const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const SP = '.venv/lib/python3.11/site-packages';
const bug = fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'migration_lints', 'manager_loop_bug.py'), 'utf8');

/** A project with a local app and two packages in its .venv: tagpkg (a RunPython bug, no reverse) and cleanpkg. */
function project(settingsExtra = '', databases = '"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}, "other": {"ENGINE": "django.db.backends.postgresql", "NAME": "other"}') {
  const dir = writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': `from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nDATABASES = {${databases}}\nINSTALLED_APPS = ["shop", "tagpkg", "cleanpkg"]\n${settingsExtra}`,
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
    'shop/views.py': 'def f():\n    pass\n',
    '.venv/pyvenv.cfg': 'home = /usr/bin\nversion = 3.11.0\n',
    [`${SP}/tagpkg/__init__.py`]: '',
    [`${SP}/tagpkg/models.py`]: 'from django.db import models\n\nclass Tag(models.Model):\n    name = models.CharField(max_length=5)\n',
    [`${SP}/tagpkg/migrations/__init__.py`]: '',
    [`${SP}/tagpkg/migrations/0001_initial.py`]: bug.replace(/"vault", "Client"/, '"tagpkg", "Tag"').replace('dependencies = [("vault", "0001_initial")]', 'dependencies = []')
      .replace('migrations.RunPython(rehash_secrets, migrations.RunPython.noop)', 'migrations.RunPython(rehash_secrets)'),
    [`${SP}/cleanpkg/__init__.py`]: '',
    [`${SP}/cleanpkg/models.py`]: 'from django.db import models\n\nclass Thing(models.Model):\n    n = models.IntegerField()\n',
    [`${SP}/cleanpkg/migrations/__init__.py`]: '',
    [`${SP}/cleanpkg/migrations/0001_initial.py`]: 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = []\n',
  }, 'dmdb-3p-');
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, '.venv', 'bin'));
  fs.symlinkSync(process.execPath, path.join(dir, '.venv', 'bin', 'python')); // never run: allowPython false
  return dir;
}
const scan = (root: string, includeEnvironment = true) => new Scanner({ root, allowPython: false, readDatabases: false, includeEnvironment, env: {} }).index();

test('third-party migrations: the environment\'s findings by app, with where the RunPython code runs', async () => {
  const root = project();
  const index = await scan(root);
  const t = thirdPartyMigrations(index)!;
  assert.equal(t.checked, 2, 'tagpkg and cleanpkg have migrations');
  assert.deepEqual(t.apps.map(a => [a.label, a.findings.map(f => [f.code, f.migration, f.line])]), [
    ['tagpkg', [['runpython-alias', 'tagpkg.0001_initial', 6], ['missing-reverse', 'tagpkg.0001_initial', 13]]],
  ]);
  assert.equal(thirdPartySummary(t), '2 findings in 1 app');
  const alias = t.apps[0]!.findings.find(f => f.code === 'runpython-alias')!;
  // no router: Django's default allows every app everywhere, so migrate --database=other runs the package's code
  assert.deepEqual(alias.misdirected, ['other']);
  assert.equal(alias.runs, 'runs on every database');
  assert.equal(alias.title, 'RunPython query on the wrong database');
  assert.doesNotMatch(alias.message, /third-party app/, 'the prefix naming the app is the node\'s, not the sentence\'s');
  assert.equal(alias.path, path.join(root, SP, 'tagpkg', 'migrations', '0001_initial.py'));
  assert.match(thirdPartyConsequence(alias), /^`migrate --database=other` runs this code, but its queries go to `default`/);
  assert.match(thirdPartyConsequence(t.apps[0]!.findings[1]!), /IrreversibleError/);
  // the project's own findings are not listed here, and none of these blocks or has a fix
  assert.ok(index.findings.filter(f => f.environment).every(f => f.severity === 'info' && !f.fix));
});

test('third-party migrations: a router that keeps the package on default makes the finding harmless', async () => {
  const root = project('DATABASE_ROUTERS = ["proj.routers.R"]\n');
  fs.writeFileSync(path.join(root, 'proj', 'routers.py'), 'class R:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label == "tagpkg":\n            return db == "default"\n        return None\n');
  const t = thirdPartyMigrations(await scan(root))!;
  const alias = t.apps[0]!.findings.find(f => f.code === 'runpython-alias')!;
  assert.deepEqual(alias.misdirected, []);
  assert.match(alias.runs, /^runs on default · recorded only on other/);
  assert.match(thirdPartyConsequence(alias), /runs only on `default`/);
});

test('third-party migrations: without the environment\'s lints the node says nothing was found; without packages there is no node', async () => {
  const t = thirdPartyMigrations(await scan(project(), false))!;
  assert.deepEqual([t.checked, t.findings, thirdPartySummary(t)], [2, 0, 'nothing found in 2 apps']);
  const bare = writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\nINSTALLED_APPS = ["shop"]\n',
    'shop/__init__.py': '',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = []\n',
  }, 'dmdb-3p-');
  dirs.push(bare);
  assert.equal(thirdPartyMigrations(await scan(bare)), null);
});

test('alias completion items: DATABASES order, engine, NAME relative to the project, twins, the apps migrated there', async () => {
  const root = project('', '"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}, ' +
    '"replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3", "TEST": {"MIRROR": "default"}}, ' +
    '"reports": {"ENGINE": "django.db.backends.postgresql", "NAME": "reports"}');
  fs.appendFileSync(path.join(root, 'proj', 'settings.py'), 'DATABASE_ROUTERS = ["proj.routers.R"]\n');
  fs.writeFileSync(path.join(root, 'proj', 'routers.py'), 'class R:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default"\n');
  const items = aliasItems(await scan(root));
  assert.deepEqual(items.map(i => [i.alias, i.detail, i.sortText]), [
    ['default', 'sqlite3 · db.sqlite3', '0'],
    ['replica', 'sqlite3 · db.sqlite3 · same database as default', '1'],
    ['reports', 'postgresql · reports', '2'],
  ]);
  assert.equal(items[0]!.documentation, '**default** — `django.db.backends.sqlite3`\n\nNAME: `db.sqlite3`\n\nModels migrated here: shop (1), tagpkg (1), cleanpkg (1)');
  assert.match(items[1]!.documentation, /Same database as default\./);
  assert.match(items[2]!.documentation, /No model of the project is migrated here/);
});

test('alias completion: only the project\'s own Python files', async () => {
  const root = project();
  const index = await scan(root);
  assert.equal(isProjectPython(index, path.join(root, 'shop', 'views.py')), true);
  assert.equal(isProjectPython(index, path.join(root, 'shop', 'notes.txt')), false);
  assert.equal(isProjectPython(index, path.join(root, SP, 'tagpkg', 'models.py')), false, 'a package in the project\'s .venv');
  assert.equal(isProjectPython(index, path.join(path.dirname(root), 'elsewhere.py')), false);
  // an external app outside any virtualenv folder (a sibling checkout on sys.path) is a package too
  const ext = index.apps.find(a => a.label === 'tagpkg')!;
  assert.equal(isProjectPython({ root, apps: [{ ...ext, dir: path.join(root, 'vendor', 'tagpkg') }] }, path.join(root, 'vendor', 'tagpkg', 'x.py')), false);
});
