// Migration files read as MigrationLoader.load_disk finds them (src/core/migrations/files); compared with
// Django's own loader for django.contrib when the Django venv exists; and timed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initPython } from '../../src/core/python/parse';
import { ModuleIndex } from '../../src/core/python/modules';
import { resolveApps } from '../../src/core/apps';
import { readMigrations, readMigrationSource, iterModules } from '../../src/core/migrations/files';
import { djangoPython, NO_DJANGO } from '../oracle/helpers';
import { djangoSitePackages, settingsOf, writeTree } from './support';

const PY = djangoPython();
const SITE = djangoSitePackages(PY);

const INITIAL = `from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Event",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={"db_table": "events"},
        ),
        migrations.AddField("Event", "kind", models.CharField(max_length=10)),
        migrations.AlterModelTable(name="Event", table="ev"),
        migrations.RunPython(migrations.RunPython.noop),
        migrations.RunSQL("select 1"),
    ]
`;

const SECOND = `from django.db import migrations


class Migration(migrations.Migration):
    dependencies = (("analytics", "0001_initial"),)
    run_before = [("other", "0001_initial")]
    operations = [
        migrations.RenameModel(old_name="Event", new_name="Happening"),
        migrations.RemoveField(model_name="Happening", name="kind"),
        migrations.DeleteModel("Happening"),
        migrations.AddIndex(model_name="Happening", index=None),
        migrations.SeparateDatabaseAndState(state_operations=[]),
    ]
`;

const SQUASH = `from django.db import migrations


class Migration(migrations.Migration):
    replaces = [("analytics", "0001_initial"), ("analytics", "0002_second")]
    dependencies = [("contenttypes", "__first__")]
    operations = []
`;

const PROJECT: Record<string, string> = {
  'analytics/__init__.py': '',
  'analytics/migrations/__init__.py': '',
  'analytics/migrations/0001_initial.py': INITIAL,
  'analytics/migrations/0002_second.py': SECOND,
  'analytics/migrations/0001_squashed_0002_second.py': SQUASH,
  'analytics/migrations/_private.py': 'class Migration: pass\n',
  'analytics/migrations/~backup.py': 'class Migration: pass\n',
  'analytics/migrations/notes.txt': 'not python\n',
  'analytics/migrations/subpkg/__init__.py': 'class Migration: pass\n',
  'analytics/migrations/0003_broken.py': `from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_second")]
    operations = [
        migrations.AddField(model_name="event", name="x", field=models.IntegerField(
        migrations.CreateModel(name="Later", fields=[]),
    ]
`,
  'analytics/migrations/0004_no_class.py': 'X = 1\n',
  'analytics/migrations/0005_dynamic.py': `from django.db import migrations
from .helpers import DEPS, OPS


class Migration(migrations.Migration):
    dependencies = DEPS + [("analytics", "0002_second")]
    operations = OPS
`,
  'disabled/__init__.py': '',
  'disabled/migrations/__init__.py': '',
  'disabled/migrations/0001_initial.py': SQUASH,
  'custom/__init__.py': '',
  'custom/db_migrations/__init__.py': '',
  'custom/db_migrations/0001_initial.py': SECOND,
  'namespace/__init__.py': '',
  'namespace/migrations/0001_initial.py': SECOND,
  'plainmod/__init__.py': '',
  'plainmod/migrations.py': SECOND,
  'none/__init__.py': '',
};

before(async () => {
  await initPython();
});

test('migration files: which files, dependencies, swappable dependencies, operations', () => {
  const root = writeTree(PROJECT);
  const index = new ModuleIndex([root]);
  const settings = settingsOf({
    installedApps: ['analytics', 'disabled', 'custom', 'namespace', 'plainmod', 'none'],
    migrationModules: { disabled: null, custom: 'custom.db_migrations' },
    authUserModel: 'accounts.User',
  });
  const apps = resolveApps(index, settings, root);
  const r = readMigrations(index, apps.apps, settings);
  assert.deepEqual(r.migrations.map(m => m.key), [
    'analytics.0001_initial', 'analytics.0001_squashed_0002_second', 'analytics.0002_second', 'analytics.0003_broken', 'analytics.0005_dynamic',
    'custom.0001_initial',
  ]);
  const by = new Map(r.migrations.map(m => [m.key, m]));
  const first = by.get('analytics.0001_initial')!;
  assert.equal(first.path, path.join(root, 'analytics/migrations/0001_initial.py'));
  assert.equal(first.initial, true);
  assert.deepEqual(first.dependencies, [['accounts', '__first__'], ['contenttypes', '0002_remove_content_type_name']]);
  // every operation knows its line; the rest is compared without it
  assert.ok(first.operations.every(o => typeof o.line === 'number' && o.line > 0));
  assert.deepEqual(first.operations.map(({ line: _line, ...o }) => o), [
    { kind: 'CreateModel', modelName: 'event' },
    { kind: 'AddField', modelName: 'event' },
    { kind: 'AlterModelTable', modelName: 'event' },
    { kind: 'RunPython' },
    { kind: 'RunSQL' },
  ]);
  assert.equal(first.partial, undefined);
  const second = by.get('analytics.0002_second')!;
  assert.equal(second.initial, null);
  assert.deepEqual(second.dependencies, [['analytics', '0001_initial']]);
  assert.deepEqual(second.runBefore, [['other', '0001_initial']]);
  assert.deepEqual(second.operations.map(({ line: _line, ...o }) => o), [
    { kind: 'RenameModel', modelName: 'event', renamedTo: 'happening' },
    { kind: 'RemoveField', modelName: 'happening' },
    { kind: 'DeleteModel', modelName: 'happening' },
    { kind: 'AddIndex', modelName: 'happening' },
    { kind: 'SeparateDatabaseAndState', database: [] },
  ]);
  assert.deepEqual(by.get('analytics.0001_squashed_0002_second')!.replaces, [['analytics', '0001_initial'], ['analytics', '0002_second']]);
  assert.deepEqual(by.get('analytics.0001_squashed_0002_second')!.dependencies, [['contenttypes', '__first__']]);
  // a syntax error: what could be read is kept, flagged partial
  const broken = by.get('analytics.0003_broken')!;
  assert.equal(broken.partial, true);
  assert.deepEqual(broken.dependencies, [['analytics', '0002_second']]);
  // names bound elsewhere cannot be read statically: partial, with the literal part
  const dyn = by.get('analytics.0005_dynamic')!;
  assert.equal(dyn.partial, true);
  assert.deepEqual(dyn.dependencies, [['analytics', '0002_second']]);
  assert.deepEqual(by.get('custom.0001_initial')!.dependencies, [['analytics', '0001_initial']]);
  assert.ok(r.problems.some(p => p.message.includes('has no Migration class') && p.path?.endsWith('0004_no_class.py')));
  assert.ok(r.problems.some(p => p.code === 'parse-error' && p.path?.endsWith('0003_broken.py')));
});

test('migration files: iter_modules semantics and the per-file cache', () => {
  const root = writeTree(PROJECT);
  assert.deepEqual(iterModules(path.join(root, 'analytics/migrations')), [
    '0001_initial', '0001_squashed_0002_second', '0002_second', '0003_broken', '0004_no_class', '0005_dynamic',
  ]);
  const index = new ModuleIndex([root]);
  const settings = settingsOf({ installedApps: ['analytics'] });
  const apps = resolveApps(index, settings, root).apps;
  const a = readMigrations(index, apps, settings);
  assert.deepEqual(a.migrations.find(m => m.name === '0001_initial')!.dependencies[0], ['auth', '__first__']);
  // a changed AUTH_USER_MODEL is seen although the file did not change
  const b = readMigrations(index, apps, { ...settings, authUserModel: 'people.Person' });
  assert.deepEqual(b.migrations.find(m => m.name === '0001_initial')!.dependencies[0], ['people', '__first__']);
  // an edited file is re-read; a deleted one disappears
  const f = path.join(root, 'analytics/migrations/0002_second.py');
  fs.writeFileSync(f, SECOND.replace('0001_initial', '0001_squashed_0002_second') + '\n# edited\n');
  fs.rmSync(path.join(root, 'analytics/migrations/0005_dynamic.py'));
  const c = readMigrations(index, apps, settings);
  assert.deepEqual(c.migrations.find(m => m.name === '0002_second')!.dependencies, [['analytics', '0001_squashed_0002_second']]);
  assert.equal(c.migrations.some(m => m.name === '0005_dynamic'), false);
});

test('readMigrationSource: swappable_dependency with a literal, initial False, tuple operations', () => {
  const src = `from django.db import migrations as m\nclass Migration(m.Migration):\n    initial = False\n    dependencies = [m.swappable_dependency("a.B"), ["x", "0001"]]\n    operations = (m.AlterField("Thing", "f", None),) + (m.RunSQL("x"),)\n`;
  const r = readMigrationSource(src, '/x/0001.py', 'app', '0001', { authUserModel: 'auth.User', values: {} });
  assert.deepEqual(r.info?.dependencies, [['a', '__first__'], ['x', '0001']]);
  assert.equal(r.info?.initial, false);
  assert.deepEqual(r.info?.operations.map(({ line: _line, ...o }) => o), [{ kind: 'AlterField', modelName: 'thing' }, { kind: 'RunSQL' }]);
  assert.equal(r.info?.partial, undefined);
});

test('readMigrationSource: operations through names (module lists, class-body lists, an operation made before)', () => {
  // Saleor: product/0102 `operations = (UNIQUE + SORTING)` of module-level lists; product/0186
  // SeparateDatabaseAndState(database_operations=database_operations) of a class-body list
  const src = `from django.db import migrations
from django.db.migrations import RunSQL


def forwards(apps, schema_editor):
    pass


UNIQUE = [
    migrations.RunPython(forwards),
    migrations.AlterField(model_name="product", name="slug", field=None),
]
SORTING = [migrations.RunSQL("UPDATE x SET y = 1", reverse_sql=migrations.RunSQL.noop)]
add_index = migrations.AddIndex(model_name="product", index=None)


class Migration(migrations.Migration):
    dependencies = [("product", "0101_auto")]

    database_operations = [RunSQL("ALTER TABLE product_product DROP COLUMN charge_taxes")]
    state_operations = [migrations.RemoveField(model_name="product", name="charge_taxes")]

    operations = (UNIQUE + SORTING) + [
        add_index,
        migrations.SeparateDatabaseAndState(database_operations=database_operations, state_operations=state_operations),
    ]
`;
  for (const only of [undefined, 'migration' as const]) {
    const r = readMigrationSource(src, '/x/0102.py', 'product', '0102', { authUserModel: 'auth.User', values: {} }, { only });
    assert.equal(r.info?.partial, undefined, `read whole (${only ?? 'full reading'})`);
    assert.deepEqual(r.info?.operations.map(o => [o.kind, o.modelName ?? null, (o.database ?? []).map(d => d.kind)]), [
      ['RunPython', null, []], ['AlterField', 'product', []], ['RunSQL', null, []], ['AddIndex', 'product', []], ['SeparateDatabaseAndState', null, ['RunSQL']],
    ]);
  }
  // a name that is not there (imported from elsewhere): partial, as before
  const other = `from django.db import migrations\nfrom .common import OPS\n\n\nclass Migration(migrations.Migration):\n    operations = OPS\n`;
  const r = readMigrationSource(other, '/x/0103.py', 'product', '0103', { authUserModel: 'auth.User', values: {} }, { only: 'migration' });
  assert.equal(r.info?.partial, true);
  assert.deepEqual(r.info?.operations, []);
});

test('readMigrationSource: operations a comprehension makes over a literal list, and a starred generator (codecov)', () => {
  const src = `from django.db import migrations

VIEWS = ["1day", "7day", "30day"]


class Migration(migrations.Migration):
    operations = [
        migrations.RunSQL(f"select 1 /* {name} */", reverse_sql=f"select 2 /* {name} */") for name in ["1day", "7day", "30day"]
    ] + [
        *(migrations.RunSQL(sql=f"select {n}", reverse_sql=migrations.RunSQL.noop) for n in ("1", "2")),
        migrations.AddField(model_name="measurement", name="x", field=None),
    ]
`;
  for (const only of [undefined, 'migration' as const]) {
    const r = readMigrationSource(src, '/x/0002.py', 'core', '0002', { authUserModel: 'auth.User', values: {} }, { only });
    assert.equal(r.info?.partial, undefined);
    assert.deepEqual(r.info?.operations.map(o => [o.kind, o.modelName ?? null]), [
      ['RunSQL', null], ['RunSQL', null], ['RunSQL', null], ['RunSQL', null], ['RunSQL', null], ['AddField', 'measurement'],
    ]);
  }
  // over a module-level list: the same; over something not literal: partial, as before
  const byName = readMigrationSource(src.replace('for name in ["1day", "7day", "30day"]', 'for name in VIEWS'), '/x/0002.py', 'core', '0002', { authUserModel: 'auth.User', values: {} });
  assert.equal(byName.info?.operations.length, 6);
  const r = readMigrationSource(src.replace('for name in ["1day", "7day", "30day"]', 'for name in views()'), '/x/0002.py', 'core', '0002', { authUserModel: 'auth.User', values: {} });
  assert.equal(r.info?.partial, true);
});

test('readMigrationSource: a comprehension over a class-level tuple or a string\'s splitlines() with a condition, and functions of the module returning operations, as Django loads them (Sentry 0209, 0418, 0365)', t => {
  const fn = (n: number) => `def ops_${n}():
    """Operations of step ${n}."""
    database_operations = [
        migrations.AlterField(model_name="thing${n}", name="user", field=models.IntegerField(null=True)),
    ]
    state_operations = [migrations.RenameField(model_name="thing${n}", old_name="user", new_name="user_id")]
    state_operations += [migrations.RemoveField(model_name="thing${n}", name="gone")]
    return database_operations + [
        migrations.SeparateDatabaseAndState(state_operations=state_operations)
    ]
`;
  const src = `from django.db import migrations, models


${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(fn).join('\n\n')}

class Migration(migrations.Migration):
    avatar_models = ("organizationavatar", "useravatar")

    operations = [
        *[migrations.RemoveField(model_name=model_name, name="file") for model_name in avatar_models],
        *[
            migrations.RunSQL(sql=line, reverse_sql="")
            for line in """
ALTER TABLE a DROP CONSTRAINT x;

DROP INDEX y;
""".splitlines()
            if line.strip()
        ],
    ] + ops_1() + ops_2() + ops_3() + ops_4() + ops_5() + ops_6() + ops_7() + ops_8() + ops_9()
`;
  const ours = (only?: 'migration') => {
    const r = readMigrationSource(src, '/x/0002.py', 'core', '0002', { authUserModel: 'auth.User', values: {} }, { only });
    assert.equal(r.info?.partial, undefined, JSON.stringify(r.problems));
    return r.info!.operations.map(o => [o.kind, o.modelName ?? null, o.kind === 'RunSQL' ? (o as { sql?: unknown }).sql ?? null : null]);
  };
  assert.deepEqual(ours('migration'), ours());
  if (!PY) return t.skip(NO_DJANGO);
  // Django's own reading: the module imported, its Migration's operations
  const dir = writeTree({ 'm0002.py': src });
  const code = 'import json, sys\nsys.path.insert(0, sys.argv[1])\nimport m0002\nprint(json.dumps([[type(o).__name__, getattr(o, "model_name", None), getattr(o, "sql", None) if type(o).__name__ == "RunSQL" else None] for o in m0002.Migration.operations]))';
  const django = JSON.parse(execFileSync(PY, ['-c', code, dir], { encoding: 'utf8' })) as unknown[][];
  const mine = ours();
  assert.deepEqual(mine.map(x => [x[0], x[1]]), django.map(x => [x[0], x[1]]));
  assert.equal(mine.length, 2 + 2 + 9 * 2);
});

test('django.contrib migrations equal MigrationLoader.disk_migrations (Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  const installed = ['django.contrib.admin', 'django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.sessions', 'django.contrib.sites', 'django.contrib.flatpages', 'django.contrib.redirects'];
  const root = writeTree({
    'mysite/__init__.py': '',
    'mysite/settings.py': `SECRET_KEY = "x"\nINSTALLED_APPS = ${JSON.stringify(installed)}\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n`,
  });
  const code = `import json, django
django.setup()
from django.db.migrations.loader import MigrationLoader
l = MigrationLoader(None, load=False)
l.load_disk()
out = []
for (app, name), m in sorted(l.disk_migrations.items()):
    out.append([app, name, [list(d) for d in m.dependencies], [list(d) for d in m.replaces], m.initial,
                [[type(o).__name__, getattr(o, "model_name_lower", None) or (o.old_name_lower if type(o).__name__ == "RenameModel" else getattr(o, "name_lower", None) if hasattr(o, "name_lower") and type(o).__name__ not in ("AddField", "AlterField", "RemoveField", "RenameField") else None)] for o in m.operations]])
print(json.dumps(out))`;
  const expected = JSON.parse(execFileSync(PY!, ['-c', code], { cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONPATH: root, DJANGO_SETTINGS_MODULE: 'mysite.settings' } }));
  const index = new ModuleIndex([root, SITE]);
  const settings = settingsOf({ installedApps: installed });
  const apps = resolveApps(index, settings, root).apps;
  const r = readMigrations(index, apps, settings);
  const ours = r.migrations
    .map(m => [m.app, m.name, m.dependencies, m.replaces, m.initial, m.operations.map(o => [o.kind, o.modelName ?? null])])
    .sort((a, b) => (`${a[0]}.${a[1]}` < `${b[0]}.${b[1]}` ? -1 : 1));
  assert.deepEqual(ours, expected);
  assert.deepEqual(r.problems, []);
});

test('migration files: speed on 3,000 files', () => {
  const files: Record<string, string> = {};
  const APPS = 100, PER = 30;
  for (let a = 0; a < APPS; a++) {
    files[`app${a}/__init__.py`] = '';
    files[`app${a}/migrations/__init__.py`] = '';
    for (let k = 0; k < PER; k++) {
      const name = `${String(k + 1).padStart(4, '0')}_step`;
      const dep = k === 0 ? (a ? `        ("app${a - 1}", "0001_step"),\n        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n` : '') : `        ("app${a}", "${String(k).padStart(4, '0')}_step"),\n`;
      files[`app${a}/migrations/${name}.py`] = `from django.conf import settings\nfrom django.db import migrations, models\nimport django.db.models.deletion\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [\n${dep}    ]\n\n    operations = [\n        migrations.CreateModel(\n            name="M${k}",\n            fields=[\n                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),\n                ("name", models.CharField(max_length=100)),\n                ("owner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),\n            ],\n            options={"db_table": "t_${a}_${k}"},\n        ),\n        migrations.AddField(model_name="m${k}", name="extra", field=models.IntegerField(default=0)),\n    ]\n`;
    }
  }
  const root = writeTree(files);
  const settings = settingsOf({ installedApps: Array.from({ length: APPS }, (_, a) => `app${a}`) });
  const index = new ModuleIndex([root]);
  const apps = resolveApps(index, settings, root).apps;
  const t0 = performance.now();
  const r = readMigrations(index, apps, settings);
  const cold = performance.now() - t0;
  const t1 = performance.now();
  readMigrations(index, apps, settings);
  const warm = performance.now() - t1;
  assert.equal(r.migrations.length, APPS * PER);
  assert.equal(r.migrations.filter(m => m.partial).length, 0);
  const perFile = cold / r.migrations.length;
  console.log(`# migration files: ${r.migrations.length} read in ${cold.toFixed(0)} ms (${perFile.toFixed(3)} ms/file); unchanged re-read ${warm.toFixed(0)} ms`);
  // generous bounds (shared CI machines): this catches accidental quadratic work, not small regressions
  assert.ok(perFile < 10, `${perFile} ms per file`);
  assert.ok(warm < cold, 'the per-file cache is used');
});

test('conditional dependencies: a test of INSTALLED_APPS as Django reads it; another (django-allauth\'s SITES_ENABLED) taken where the apps are installed', () => {
  const src = (deps: string) => `from django.conf import settings
from django.db import migrations
from allauth.socialaccount import app_settings


class Migration(migrations.Migration):
    dependencies = ${deps}
    operations = []
`;
  const read = (deps: string, installed: string[]) => readMigrationSource(src(deps), '/x/0001.py', 'socialaccount', '0001', { authUserModel: 'auth.User', values: {}, installedApps: installed });
  const allauth = '([("sites", "0001_initial")] if app_settings.SITES_ENABLED else []) + [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]';
  const withSites = read(allauth, ['django.contrib.auth', 'django.contrib.sites', 'allauth.socialaccount']);
  assert.deepEqual(withSites.info?.dependencies, [['sites', '0001_initial'], ['auth', '__first__']]);
  assert.deepEqual(withSites.problems, []);
  assert.deepEqual(read(allauth, ['django.contrib.auth', 'allauth.socialaccount']).info?.dependencies, [['auth', '__first__']]);
  // (Tandoor's repro) a test of INSTALLED_APPS itself
  const direct = '[("shop", "0001_initial")] if "shop" in settings.INSTALLED_APPS else []';
  assert.deepEqual(read(direct, ['shop']).info?.dependencies, [['shop', '0001_initial']]);
  assert.deepEqual(read(direct, []).info?.dependencies, []);
  // what the reading used is recorded: the cache reads the file again when INSTALLED_APPS changes
  assert.deepEqual(read(direct, ['shop']).used, { 'app-entry:shop': '1' });
});

test('readMigrationSource: what a migration computes when imported is named, and an info when its place in the plan is known (kobotoolbox)', () => {
  const settings = { authUserModel: 'auth.User', values: {} };
  // kpi 0074: operations = get_operations() (asks the database when the file is imported)
  const whole = readMigrationSource(`from django.db import connection, migrations

def get_operations():
    if connection.vendor != "postgresql":
        return []
    return [migrations.RunSQL("DROP TABLE x")]

class Migration(migrations.Migration):
    dependencies = [('kpi', '0073_merge')]
    operations = get_operations()
`, '/x/0074.py', 'kpi', '0074_drop', settings);
  assert.equal(whole.info?.partial, true);
  assert.deepEqual(whole.info?.dependencies, [['kpi', '0073_merge']]);
  assert.equal(whole.problems.length, 1);
  assert.equal(whole.problems[0]!.severity, 'info');
  assert.match(whole.problems[0]!.message, /^migration kpi\.0074_drop: its operations \(computed by get_operations\(\) when the file is imported\) could not all be read statically: its place in the plan is known/);
  // hook 0009: literal operations, then *get_conditional_operations(): the literal ones are kept
  const starred = readMigrationSource(`from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [('hook', '0008')]
    operations = [
        migrations.AlterField(model_name='hooklog', name='status', field=models.IntegerField()),
        *get_conditional_operations(),
    ]
`, '/x/0009.py', 'hook', '0009', settings);
  assert.deepEqual(starred.info?.operations.map(o => o.kind), ['AlterField']);
  assert.equal(starred.problems[0]!.severity, 'info');
  assert.match(starred.problems[0]!.message, /computed by get_conditional_operations\(\)/);
  // an operation written bare before it (django.contrib.postgres's, imported by name) is not what was not read
  const bare = readMigrationSource(`from django.db import migrations
from django.contrib.postgres.operations import AddIndexConcurrently

class Migration(migrations.Migration):
    dependencies = [('hook', '0008')]
    operations = [AddIndexConcurrently('hooklog', None), *extra_ops()]
`, '/x/0010.py', 'hook', '0010', settings);
  assert.match(bare.problems[0]!.message, /computed by extra_ops\(\)/);
  // dependencies computed: its place in the plan may differ, a warning
  const deps = readMigrationSource(`from django.db import migrations
from .helpers import latest

class Migration(migrations.Migration):
    dependencies = [latest('kpi')]
    operations = []
`, '/x/0002.py', 'kpi', '0002', settings);
  assert.equal(deps.problems[0]!.severity, undefined);
  assert.match(deps.problems[0]!.message, /its dependencies \(computed by latest\(\) when the file is imported\) could not all be read statically: its place in Django's plan may differ/);
});
