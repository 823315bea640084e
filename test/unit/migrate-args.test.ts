// The manage.py tasks' argument vectors (src/extension/model/migrateArgs.ts): what migrate.ts hands to a
// vscode.ProcessExecution. Run here the same way (an argv, no shell) against real Django, with a hostile
// DATABASES key and a project path holding an apostrophe.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkMigrateTarget, managePyProcess, migrateArgs, migrateLockKey } from '../../src/extension/model/migrateArgs';
import { scanProject } from '../../src/core/scan';
import type { MigrationFileInfo } from '../../src/core/types';
import { djangoPython, NO_DJANGO } from '../oracle/helpers';
import { settingsOf } from './support';

const PY = djangoPython();
const HOSTILE = "q';touch pwned;'";
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const mig = (app: string, name: string): MigrationFileInfo => ({
  app, name, key: `${app}.${name}`, path: `/x/${app}/migrations/${name}.py`, dependencies: [], replaces: [], runBefore: [], initial: null, operations: [],
});

describe('argument vectors', () => {
  test('alias glued to --database, app and target after --', () => {
    assert.deepEqual(migrateArgs({ alias: 'default' }), ['migrate', '--database=default']);
    assert.deepEqual(migrateArgs({ alias: HOSTILE, app: 'shop', target: '0001_initial' }), ['migrate', `--database=${HOSTILE}`, '--', 'shop', '0001_initial']);
    assert.deepEqual(migrateArgs({ alias: 'a', app: 'shop', plan: true }), ['migrate', '--plan', '--database=a', '--', 'shop']);
    assert.deepEqual(managePyProcess('/venv/bin/python', "/home/o'brien/manage.py", ['migrate']), { process: '/venv/bin/python', args: ["/home/o'brien/manage.py", 'migrate'] });
  });

  test('a target must be zero, a migration of the app or a unique prefix of one', () => {
    const index = { migrations: [mig('shop', '0001_initial'), mig('shop', '0002_price'), mig('shop', '0002_stock'), mig('blog', '0001_initial')] };
    assert.deepEqual(checkMigrateTarget(index, undefined, undefined), { ok: true });
    assert.deepEqual(checkMigrateTarget(index, 'shop', undefined), { ok: true });
    assert.deepEqual(checkMigrateTarget(index, 'shop', 'zero'), { ok: true, target: 'zero' });
    assert.deepEqual(checkMigrateTarget(index, 'shop', '0001'), { ok: true, target: '0001_initial' });
    assert.deepEqual(checkMigrateTarget(index, 'shop', '0002_price'), { ok: true, target: '0002_price' });
    for (const [app, target, why] of [
      ['shop', '0002', /More than one migration of 'shop' starts with '0002'/],
      ['shop', '0003', /not a migration of 'shop'/],
      ['shop', '0001;touch x', /not a migration of 'shop'/],
      ['shop', '--fake', /not a migration of 'shop'/],
      ['shop', '', /not a migration of 'shop'/],
      ['nope', '0001', /has no migrations/],
      ['--fake', undefined, /not an app label/],
      [undefined, '0001', /needs an app/],
    ] as const) {
      const r = checkMigrateTarget(index, app, target);
      assert.equal(r.ok, false, `${app} ${target}`);
      assert.match((r as { message: string }).message, why);
    }
  });

  test('one lock per physical database', () => {
    const index = {
      root: '/p', managePy: '/p/manage.py',
      settings: settingsOf({
        databases: [
          { alias: 'default', engine: 'django.db.backends.postgresql', name: 'shop', host: 'db', port: '' },
          { alias: 'replica', engine: 'django.db.backends.postgresql', name: 'shop', host: 'DB', port: 5432 },
          { alias: 'copy', engine: 'django.db.backends.postgresql', name: 'shop', host: 'other', port: '', raw: { TEST: { MIRROR: 'default' } } },
          { alias: 'analytics', engine: 'django.db.backends.postgresql', name: 'analytics', host: 'db', port: '' },
        ],
      }),
    };
    const key = (a: string) => migrateLockKey(index, '/p', a);
    assert.equal(key('replica'), key('default'));
    assert.equal(key('copy'), key('default'));
    assert.notEqual(key('analytics'), key('default'));
    assert.equal(migrateLockKey(null, '/p', 'x'), '/p\u0000x');
  });
});

describe('the vectors against real Django, no shell', { skip: !PY && NO_DJANGO }, () => {
  test("a DATABASES key q';touch pwned;' and a path with an apostrophe: one argument each, nothing else runs", async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-argv-'));
    dirs.push(base);
    const dir = path.join(base, "o'brien's shop");
    const files: Record<string, string> = {
      'manage.py': 'import os\nimport sys\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\nfrom django.core.management import execute_from_command_line\n\nexecute_from_command_line(sys.argv)\n',
      'mysite/__init__.py': '',
      'mysite/settings.py': `SECRET_KEY = "x"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "main.sqlite3"},
    ${JSON.stringify(HOSTILE)}: {"ENGINE": "django.db.backends.sqlite3", "NAME": "other.sqlite3"},
}
INSTALLED_APPS = ["shop"]
`,
      'shop/__init__.py': '',
      'shop/models.py': 'from django.db import models\n\n\nclass Item(models.Model):\n    n = models.IntegerField()\n',
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    operations = [migrations.CreateModel("Item", [("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())])]\n',
      'shop/migrations/0002_more.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.AddField("item", "m", models.IntegerField(default=0))]\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const index = await scanProject({ root: dir, readDatabases: true, allowPython: false, env: {} });
    assert.deepEqual(index.settings?.databases.map(d => d.alias), ['default', HOSTILE]);
    const checked = checkMigrateTarget(index, 'shop', '0001');
    assert.ok(checked.ok);
    // what migrate.ts runs: ProcessExecution(process, args, { cwd: root }); execFile is the same (no shell)
    const run = (args: string[]) => {
      const spec = managePyProcess(PY!, path.join(dir, 'manage.py'), args);
      return execFileSync(spec.process, spec.args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    };
    const out = run(migrateArgs({ alias: HOSTILE, app: 'shop', target: checked.target }));
    assert.match(out, /Applying shop\.0001_initial\.\.\. OK/);
    assert.doesNotMatch(out, /0002_more/);
    assert.match(run(migrateArgs({ alias: HOSTILE, plan: true })), /shop\.0002_more/);
    assert.ok(!fs.existsSync(path.join(dir, 'pwned')) && !fs.existsSync(path.join(base, 'pwned')), 'nothing but manage.py ran');
    const after = await scanProject({ root: dir, readDatabases: true, allowPython: false, env: {} });
    assert.deepEqual(after.plans, { default: ['shop.0001_initial', 'shop.0002_more'], [HOSTILE]: ['shop.0002_more'] });
    // zero after --, as Django takes it
    assert.match(run(migrateArgs({ alias: HOSTILE, app: 'shop', target: 'zero' })), /Unapplying shop\.0001_initial\.\.\. OK/);
  });
});
