// scripts/compare-ast.py: the scan against CPython's ast reading of a checkout's migrations. Runs the built CLI
// (like cli.test.ts) and the system python3.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../oracle/helpers';
import { writeTree } from './support';

const SCRIPT = path.join(REPO, 'scripts', 'compare-ast.py');
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const PROJECT: Record<string, string> = {
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings")\n',
  'site_conf/__init__.py': '',
  'site_conf/settings.py': 'SECRET_KEY = "x"\nAUTH_USER_MODEL = "people.Person"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\nINSTALLED_APPS = ["people", "shop"]\n',
  'people/__init__.py': '',
  'people/migrations/__init__.py': '',
  'people/migrations/0001_initial.py': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    operations = []\n',
  'shop/__init__.py': '',
  'shop/migrations/__init__.py': '',
  'shop/migrations/0001_initial.py': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n',
  'shop/migrations/0002_owner.py': `from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = []
`,
  'shop/migrations/0001_squashed_0002.py': `from django.db import migrations


class Migration(migrations.Migration):
    replaces = [("shop", "0001_initial"), ("shop", "0002_owner")]
    dependencies = [("people", "0001_initial")]
    operations = []
`,
  // a computed list: listed apart, not counted
  'shop/migrations/0003_dynamic.py': 'from django.db import migrations\n\nBASE = [("shop", "0002_owner")]\n\n\nclass Migration(migrations.Migration):\n    dependencies = BASE + []\n    operations = []\n',
  // fixtures below tests/ are left out
  'tests/app/migrations/__init__.py': '',
  'tests/app/migrations/0001_initial.py': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n',
};

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const p = spawnSync('python3', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, NODE: process.execPath } });
  return { status: p.status, stdout: p.stdout, stderr: p.stderr };
}

test('every fact of a small checkout matches; a changed report shows each mismatch', () => {
  const dir = writeTree(PROJECT, 'dmdb-compare-');
  dirs.push(dir);
  const r = run([dir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.files, 5);
  assert.deepEqual(j.byKind, { found: [5, 5], dependencies: [4, 4], replaces: [5, 5] });
  assert.equal(j.match, 14);
  assert.equal(j.apart, 1);
  assert.equal(j.swappable.AUTH_USER_MODEL, 'people.Person');

  // the same report with one dependency dropped, one replaces changed and one migration missing
  const scan = spawnSync(process.execPath, [path.join(REPO, 'bin', 'django-multidb.js'), 'scan', dir, '--json', '--no-db', '--no-python'], { encoding: 'utf8' });
  const report = JSON.parse(scan.stdout);
  const by = (app: string, name: string) => report.migrations.find((m: { app: string; name: string }) => m.app === app && m.name === name);
  by('shop', '0002_owner').dependencies = [['shop', '0001_initial']];
  by('shop', '0001_squashed_0002').replaces = [['shop', '0001_initial']];
  report.migrations = report.migrations.filter((m: { app: string }) => m.app !== 'people');
  const file = path.join(dir, 'report.json');
  fs.writeFileSync(file, JSON.stringify(report));
  const t = run([dir, '--report', file]);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /^ {2}found +4\/5$/m);
  assert.match(t.stdout, /people\/migrations\/0001_initial\.py: not in the scan/);
  assert.match(t.stdout, /shop\/migrations\/0002_owner\.py: ast has 2, scan 1; missing \[\['people', '__first__'\]\]/);
  assert.match(t.stdout, /shop\/migrations\/0001_squashed_0002\.py: ast has 2, scan 1; missing \[\['shop', '0002_owner'\]\]/);
  assert.match(t.stdout, /0003_dynamic\.py: dependencies is not a literal/);
  assert.match(t.stdout, /^9\/14 facts match$/m);
});
