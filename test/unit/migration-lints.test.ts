// Migration lints (src/core/lints/runpython.ts): RunPython code bound to the wrong database, models imported into
// RunPython code, irreversible RunPython/RunSQL. Fixtures in test/fixtures/migration_lints reproduce patterns of
// public packages before and after their fix; Django's own contrib migrations must raise nothing; each fix, applied,
// leaves nothing to report.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { initPython } from '../../src/core/python/parse';
import { lintMigrationSource, type RawLint } from '../../src/core/lints/runpython';
import { aliasUses } from '../../src/core/lints/aliases';
import { Scanner, toReport, type ProjectIndex } from '../../src/core/scan';
import { renderTables } from '../../src/cli/tables';
import type { TextEdit } from '../../src/core/types';
import { REPO, NO_DJANGO, cli, djangoPython } from '../oracle/helpers';
import { djangoSitePackages, writeTree } from './support';

const PY = djangoPython();
const FIX = path.join(REPO, 'test', 'fixtures', 'migration_lints');
const read = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');
const lint = (source: string, file = 'x.py') => lintMigrationSource(source, file, new Map([['desk', 'desk']]), 'desk.migrations.0003_x');
const alias = (ls: RawLint[]) => ls.filter(l => l.code === 'runpython-alias');

/** Apply edits given in original coordinates (as VS Code's WorkspaceEdit does): from the last to the first. */
function apply(source: string, edits: TextEdit[]): string {
  const lines = source.split('\n');
  const offset = (line: number, col: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col;
  const sorted = [...edits].sort((a, b) => offset(b.line, b.col) - offset(a.line, a.col));
  let out = source;
  for (const e of sorted) out = out.slice(0, offset(e.line, e.col)) + e.text + out.slice(offset(e.endLine, e.endCol));
  return out;
}

const dirs: string[] = [];
before(() => initPython());
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

describe('runpython-alias on the fixtures', () => {
  const bugs = fs.readdirSync(FIX).filter(f => f.endsWith('_bug.py'));
  for (const name of bugs) {
    test(`${name}: exactly the marked lines; ${name.replace('_bug', '_fixed')} raises nothing`, () => {
      const src = read(name);
      const expected = new Map<number, number>();
      src.split('\n').forEach((l, i) => {
        const m = /# expect: (\d+)/.exec(l);
        if (m) expected.set(i + 1, Number(m[1]));
      });
      const got = new Map<number, number>();
      for (const l of alias(lint(src))) got.set(l.line, (got.get(l.line) ?? 0) + 1);
      assert.deepEqual([...got].sort(), [...expected].sort(), JSON.stringify(alias(lint(src)), null, 1));
      const fixedName = name.replace('_bug', '_fixed');
      if (fs.existsSync(path.join(FIX, fixedName))) assert.deepEqual(alias(lint(read(fixedName))), []);
    });
  }

  test('the quick fix: one edit per function adds db_alias and binds every query; applied, nothing is left', () => {
    for (const name of ['writes_bug.py', 'manager_loop_bug.py', 'raw_sql_bug.py']) {
      const src = read(name);
      const found = alias(lint(src));
      const fixes = new Map(found.filter(l => l.fix).map(l => [l.fix!.title, l.fix!]));
      assert.ok(fixes.size >= 1, `${name} has a fix`);
      // every finding of one function carries the same fix
      for (const l of found) assert.ok(l.fix, `${name}:${l.line} has a fix`);
      let fixed = src;
      // the fixes of different functions do not overlap: apply them one after the other, re-reading in between
      for (const title of fixes.keys()) {
        const again = alias(lint(fixed)).find(l => l.fix?.title === title);
        if (again?.fix) fixed = apply(fixed, again.fix.edits);
      }
      assert.deepEqual(alias(lint(fixed)), [], `${name} after the fix:\n${fixed}`);
      assert.equal(lint(fixed).filter(l => l.code !== 'missing-reverse').length, 0);
      assert.match(fixed, /schema_editor\.connection/);
    }
    const once = apply(read('writes_bug.py'), alias(lint(read('writes_bug.py'))).find(l => l.fn === 'seed')!.fix!.edits);
    assert.equal(once.match(/db_alias = schema_editor\.connection\.alias/g)?.length, 1, once);
    assert.match(once, /"""Default rows\."""\n {4}db_alias = schema_editor\.connection\.alias\n/, 'after the docstring');
    assert.match(once, /Region\.objects\.using\(db_alias\)\.update_or_create/);
    assert.match(once, /east\.save\(using=db_alias\)/);
    assert.match(once, /transaction\.atomic\(using=db_alias\)/);
  });

  test('a helper is analysed with what it receives; the message names the RunPython function', () => {
    const [l] = alias(lint(read('helper_bug.py')));
    assert.match(l!.message, /_renumber \(called from the forward function renumber\): desk\.Ticket\.objects\.order_by\(\)/);
  });
});

describe('runpython-model-import and missing-reverse', () => {
  test('a model imported from the app and queried in RunPython code; the fix binds the historical model', () => {
    const src = read('model_import_bug.py');
    const found = lint(src).filter(l => l.code === 'runpython-model-import');
    assert.equal(found.length, 1, JSON.stringify(lint(src)));
    assert.match(found[0]!.message, /Ticket is imported from desk\.models \(line 2\).*apps\.get_model\("desk", "Ticket"\)/);
    const fixed = apply(src, found[0]!.fix!.edits);
    assert.match(fixed, /\n {4}Ticket = apps\.get_model\("desk", "Ticket"\)\n {4}db_alias = schema_editor\.connection\.alias\n/);
    assert.deepEqual(lint(fixed).filter(l => l.code === 'runpython-model-import'), []);
    // a class attribute of an imported model is no query
    assert.deepEqual(lint(src.replace('Ticket.objects.using(db_alias).filter(status="").update(status=STATUS_OPEN)', 'steps = Ticket.steplen')).filter(l => l.code === 'runpython-model-import'), []);
  });

  test('a model imported inside the RunPython function is today\'s class too (Kolibri device.0003): found, no fix', () => {
    const src = `from django.db import migrations


def create_key(apps, schema_editor):
    from shop.models import Order

    Order.objects.using(schema_editor.connection.alias).create(n=1)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(create_key, migrations.RunPython.noop)]
`;
    const found = lintMigrationSource(src, '/x/shop/migrations/0002_key.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_key').filter(l => l.code === 'runpython-model-import');
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.match(found[0]!.message, /Order is imported from shop\.models \(line 5\)/);
    assert.equal(found[0]!.fix, undefined);
    // a classmethod of today's class (Kolibri: ContentCacheKey.update_cache_key()) is a use too
    const classmethod = src.replace('Order.objects.using(schema_editor.connection.alias).create(n=1)', 'Order.update_cache_key()');
    assert.equal(lintMigrationSource(classmethod, '/x/shop/migrations/0002_key.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_key').filter(l => l.code === 'runpython-model-import').length, 1);
  });

  test('a model imported from a models package\'s submodule (onadata logger.0062) and get_user_model() (logger.0023) are today\'s classes too', () => {
    const src = `from django.contrib.auth import get_user_model
from django.db import migrations
from shop.models.order import Order


def forwards(apps, schema_editor):
    User = get_user_model()
    for o in Order.objects.filter(paid=False):
        o.save()
    User.objects.filter(is_staff=True).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
    const ls = lintMigrationSource(src, '/x/shop/migrations/0002_x.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_x');
    const imports = ls.filter(l => l.code === 'runpython-model-import');
    assert.deepEqual(imports.map(l => l.line), [8, 10], JSON.stringify(imports));
    assert.match(imports[0]!.message, /Order is imported from shop\.models\.order \(line 3\).*apps\.get_model\("shop", "Order"\)/);
    assert.ok(imports[0]!.fix, 'the submodule\'s app is known: a fix to the historical model');
    assert.match(imports[1]!.message, /User = get_user_model\(\) \(line 7\) is today's user model class.*apps\.get_model\(settings\.AUTH_USER_MODEL\)/);
    // both queries run on the router's choice, not on the database being migrated
    assert.deepEqual(alias(ls).map(l => l.line), [8, 10], JSON.stringify(alias(ls)));
    assert.deepEqual(alias(ls).map(l => l.goesTo), [{ model: 'shop.Order', access: 'read' }, { model: 'get_user_model()', access: 'write' }]);
    // the historical model queried: nothing
    const fixed = src.replace('    User = get_user_model()\n', '    User = apps.get_model("auth", "User")\n').replace('Order.objects.filter(paid=False)', 'apps.get_model("shop", "Order").objects.using(schema_editor.connection.alias).filter(paid=False)');
    assert.deepEqual(lintMigrationSource(fixed, '/x/shop/migrations/0002_x.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_x').filter(l => l.code === 'runpython-model-import'), []);
  });

  test("a model taken from Django's global app registry (django.apps.apps.get_model) is today's class too (openedx/ecommerce)", () => {
    const src = `from django.apps import apps as global_apps
from django.db import migrations

Item = global_apps.get_model("shop", "Item")


def seed(apps, schema_editor):
    Item.objects.create(name="first")


def seed_ok(apps, schema_editor):
    apps.get_model("shop", "Item").objects.using(schema_editor.connection.alias).create(name="second")


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop), migrations.RunPython(seed_ok, migrations.RunPython.noop)]
`;
    const ls = lintMigrationSource(src, '/x/shop/migrations/0002_seed.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_seed');
    const imports = ls.filter(l => l.code === 'runpython-model-import');
    assert.deepEqual(imports.map(l => l.line), [8], JSON.stringify(imports));
    assert.match(imports[0]!.message, /Item = global_apps\.get_model\(…\) \(line 4\) is today's model class from Django's global app registry.*apps\.get_model\("shop", "Item"\)/);
    // and its query runs on the router's choice
    assert.deepEqual(alias(ls).map(l => [l.line, l.goesTo]), [[8, { model: 'shop.Item', access: 'write' }]]);
  });

  test("the global registry's get_model called inline in RunPython code is today's class too; the fix calls the function's apps argument", () => {
    const src = `from django.apps import apps as global_apps
from django.db import migrations


def seed(apps, schema_editor):
    global_apps.get_model("shop", "Item").objects.create(name="first")
    for it in global_apps.get_model("shop.Item").objects.all():
        it.save()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
`;
    const ls = lintMigrationSource(src, '/x/shop/migrations/0002_seed.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_seed');
    const imports = ls.filter(l => l.code === 'runpython-model-import');
    assert.deepEqual(imports.map(l => l.line), [6, 7], JSON.stringify(imports));
    assert.match(imports[0]!.message, /global_apps\.get_model\(…\) is today's model class from Django's global app registry.*use apps\.get_model\("shop", "Item"\)/);
    // its query runs on the router's choice, as an imported model's
    assert.deepEqual(alias(ls).filter(l => l.line === 6).map(l => l.goesTo), [{ model: 'shop.Item', access: 'write' }]);
    // the fix replaces the registry by the function's apps argument: then nothing is said of the model
    const lines = src.split('\n');
    for (const l of imports) {
      const e = l.fix!.edits[0]!;
      const text = lines[e.line - 1]!;
      lines[e.line - 1] = text.slice(0, e.col) + e.text + text.slice(e.endCol);
    }
    const fixed = lines.join('\n');
    assert.match(fixed, /    apps\.get_model\("shop", "Item"\)\.objects\.create/);
    assert.match(fixed, /for it in apps\.get_model\("shop\.Item"\)\.objects\.all\(\)/);
    assert.deepEqual(lintMigrationSource(fixed, '/x/shop/migrations/0002_seed.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_seed').filter(l => l.code === 'runpython-model-import'), []);
  });

  test('runpython-model-import: no fix to a historical model of an app the migration does not depend on (kpi.0055)', () => {
    const src = `from django.db import migrations
from main.models import UserProfile


def forwards(apps, schema_editor):
    UserProfile.objects.filter(require_auth=False).update(require_auth=True)


class Migration(migrations.Migration):
    dependencies = [("kpi", "0054_x")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
    const mods = new Map([['kpi', 'kpi'], ['main', 'main']]);
    const [found] = lintMigrationSource(src, '/x/kpi/migrations/0055_y.py', mods, 'kpi.migrations.0055_y').filter(l => l.code === 'runpython-model-import');
    assert.ok(found);
    // whether a migration of 'main' is reached through the others is the graph's (migrationLintFindings)
    assert.equal(found.needsApp, 'main');
    const withDep = src.replace('dependencies = [("kpi", "0054_x")]', 'dependencies = [("kpi", "0054_x"), ("main", "0001_initial")]');
    const direct = lintMigrationSource(withDep, '/x/kpi/migrations/0055_y.py', mods, 'kpi.migrations.0055_y').find(l => l.code === 'runpython-model-import');
    assert.ok(direct?.fix);
    assert.equal(direct?.needsApp, undefined);
  });

  test('runpython-model-import: a dependency reached through other migrations counts (frePPLe forecast.0006); calling the model\'s own method gets no get_model advice (Parameter.getValue)', async () => {
    const mig = (deps: string, body = '', imports = '') => `from django.db import migrations\n${imports}\n\ndef forwards(apps, schema_editor):\n${body || '    pass'}\n\n\nclass Migration(migrations.Migration):\n    dependencies = [${deps}]\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n`;
    const project = (kpi0001Deps: string) => settingsProject({
      'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["main", "kpi"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.sqlite3"}}\n',
      'main/__init__.py': '',
      'main/models.py': 'from types import SimpleNamespace\n\nfrom django.db import models\n\n\nclass UserProfile(models.Model):\n    require_auth = models.BooleanField(default=False)\n\n    @staticmethod\n    def get_value(key):\n        return key\n\n\nclass CredentialKind(SimpleNamespace):\n    registry = {}\n',
      'main/migrations/__init__.py': '',
      'main/migrations/0001_initial.py': mig(''),
      'kpi/__init__.py': '',
      'kpi/models.py': '',
      'kpi/migrations/__init__.py': '',
      'kpi/migrations/0001_initial.py': mig(kpi0001Deps),
      'kpi/migrations/0002_y.py': mig('("kpi", "0001_initial")', '    UserProfile.objects.filter(require_auth=False).update(require_auth=True)', 'from main.models import UserProfile'),
      'kpi/migrations/0003_z.py': mig('("kpi", "0002_y")', '    UserProfile.get_value("k")', 'from main.models import UserProfile'),
      // not a model (AWX's ManagedCredentialType(SimpleNamespace)): a dict's get(), no finding
      'kpi/migrations/0004_w.py': mig('("kpi", "0003_z")', '    CredentialKind.registry.get("controller")', 'from main.models import CredentialKind'),
    }, 'dmdb-model-import-');
    const findings = async (dir: string) => (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-model-import');
    // kpi.0001 depends on main.0001: kpi.0002 reaches it through kpi.0001
    const all = await findings(project('("main", "0001_initial")'));
    assert.equal(all.length, 2, JSON.stringify(all.map(f => f.message)));
    const [through, method] = all;
    assert.doesNotMatch(through!.message, /after adding a dependency/);
    assert.ok(through!.fix, 'the historical model exists there: the fix is offered');
    assert.match(method!.message, /its method get_value\(\) is called: .* has no custom methods: copy what get_value\(\) does into the migration/);
    assert.equal(method!.fix, undefined);
    // no path to a migration of main: the advice says to add one, no fix
    const [none] = await findings(project(''));
    assert.match(none!.message, /after adding a dependency on a migration of 'main' \(this migration depends on none/);
    assert.equal(none!.fix, undefined);
  });

  test('runpython-model-import and runpython-alias name a model by its Meta.app_label, not by the app of the module that defines it (Sentry\'s discover.models.DiscoverSavedQuery, app_label "sentry")', async () => {
    const dir = settingsProject({
      'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["a", "b"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.sqlite3"}}\n',
      'a/__init__.py': '',
      'a/models.py': '',
      'a/migrations/__init__.py': '',
      'a/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    operations = [migrations.CreateModel("Query", [("id", models.AutoField(primary_key=True)), ("q", models.CharField(max_length=10))])]\n',
      'a/migrations/0002_data.py': 'from django.db import migrations\nfrom b.models import Query\n\n\ndef fwd(apps, schema_editor):\n    Query.objects.filter(q="x").update(q="y")\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("a", "0001_initial")]\n    operations = [migrations.RunPython(fwd, migrations.RunPython.noop)]\n',
      'b/__init__.py': '',
      'b/models.py': 'from django.db import models\n\n\nclass Query(models.Model):\n    q = models.CharField(max_length=10)\n\n    class Meta:\n        app_label = "a"\n',
    }, 'dmdb-model-label-');
    const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code.startsWith('runpython-'));
    const imp = found.find(f => f.code === 'runpython-model-import');
    assert.match(imp?.message ?? '', /Query is imported from b\.models \(line 2\): .*use apps\.get_model\("a", "Query"\)$/);
    assert.ok(imp?.fix, 'a.0002 depends on a migration of a: the historical model is there');
    assert.match(found.find(f => f.code === 'runpython-alias')?.message ?? '', /the router's choice for a\.Query /);
  });

  test('RunPython without reverse_code, RunSQL without reverse_sql: info with a noop fix', () => {
    const src = read('model_import_bug.py');
    const found = lint(src).filter(l => l.code === 'missing-reverse');
    assert.deepEqual(found.map(l => l.line), [13, 14]);
    const fixed = apply(src, found.flatMap(l => l.fix!.edits));
    assert.match(fixed, /RunPython\(reopen, reverse_code=migrations\.RunPython\.noop\)/);
    assert.match(fixed, /WHERE status IS NULL", reverse_sql=migrations\.RunSQL\.noop\)/);
    assert.deepEqual(lint(fixed).filter(l => l.code === 'missing-reverse'), []);
    assert.deepEqual(lint(read('writes_bug.py')).filter(l => l.code === 'missing-reverse'), [], 'a reverse function given positionally');
    // a reverse of None, given positionally or by keyword, is replaced (a keyword beside it: TypeError, AWX main.0081)
    const none = src.replace('RunPython(reopen)', 'RunPython(reopen, None)').replace('WHERE status IS NULL")', 'WHERE status IS NULL", reverse_sql=None)');
    const fixedNone = apply(none, lint(none).filter(l => l.code === 'missing-reverse').flatMap(l => l.fix!.edits));
    assert.match(fixedNone, /RunPython\(reopen, migrations\.RunPython\.noop\)/);
    assert.match(fixedNone, /WHERE status IS NULL", reverse_sql=migrations\.RunSQL\.noop\)/);
    assert.deepEqual(lint(fixedNone).filter(l => l.code === 'missing-reverse'), []);
  });
});

test("Django's own contrib migrations raise nothing", { skip: djangoSitePackages(djangoPython()) ? false : 'no Django venv' }, () => {
  const contrib = path.join(djangoSitePackages(djangoPython())!, 'django', 'contrib');
  let files = 0;
  for (const app of fs.readdirSync(contrib)) {
    const dir = path.join(contrib, app, 'migrations');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter(x => x.endsWith('.py'))) {
      files++;
      assert.deepEqual(lintMigrationSource(fs.readFileSync(path.join(dir, f), 'utf8'), f), [], `${app}/${f}`);
    }
  }
  assert.ok(files >= 25, `read ${files} contrib migration files`);
});

describe('in a scan: the workspace migrations, severity from the routing', () => {
  const MIG = read('writes_bug.py').replace(/"geo"/g, '"shop"');
  const project = (extraDb: string) => {
    const dir = writeTree({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
      'proj/__init__.py': '',
      'proj/settings.py': `DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}${extraDb}}\nINSTALLED_APPS = ["shop"]\n`,
      'shop/__init__.py': '',
      'shop/models.py': 'from django.db import models\n\nclass Region(models.Model):\n    code = models.CharField(max_length=2)\n',
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = []\n',
      'shop/migrations/0002_seed.py': MIG.replace('("geo", "0001_initial")', '("shop", "0001_initial")'),
    }, 'dmdb-lints-');
    dirs.push(dir);
    return dir;
  };

  test('single database: none (Pontoon), or infos while DATABASES may hold more; a second database where the app migrates: warning; fixes and app/migration keys kept', async () => {
    // one database known for certain: the data migration's queries cannot go anywhere else
    const only = (await new Scanner({ root: project(''), allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
    assert.deepEqual(only, []);
    // DATABASES that may hold more (an entry added under a variable not set here): infos
    const dir = project('');
    fs.appendFileSync(path.join(dir, 'proj/settings.py'), 'import os\nif os.environ.get("REPLICA_URL"):\n    DATABASES["replica"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["REPLICA_URL"]}\n');
    const one = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
    assert.equal(one.length, 7);
    assert.ok(one.every(f => f.severity === 'info' && f.app === 'shop' && f.migrations?.[0] === 'shop.0002_seed' && f.fix), JSON.stringify(one[0]));
    // not "not on the database being migrated": with one database there is no other (treeherder's upstream alias)
    assert.ok(one.every(f => /: 'default' is the only physical database known here, so that is the database being migrated and this works today/.test(f.message) && !/not (on|to) the database being migrated/.test(f.message)), one.map(f => f.message).join('\n'));
    assert.match(one[0]!.message, /; binding it with \.using\(schema_editor\.connection\.alias\) keeps it so where DATABASES holds more$/);
    const two = (await new Scanner({ root: project(', "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.sqlite3"}'), allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
    assert.ok(two.length === 7 && two.every(f => f.severity === 'warning'));
    assert.match(two[0]!.message, /^shop\.0002_seed: /);
    // `User = get_user_model()`: the router is asked about AUTH_USER_MODEL, named (onadata logger.0023)
    const users = project(', "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.sqlite3"}');
    fs.writeFileSync(path.join(users, 'shop/migrations/0003_users.py'), 'from django.contrib.auth import get_user_model\nfrom django.db import migrations\n\n\ndef f(apps, schema_editor):\n    User = get_user_model()\n    User.objects.filter(id=1).update(is_active=True)\n\n\n' +
      'class Migration(migrations.Migration):\n    dependencies = [("shop", "0002_seed")]\n    operations = [migrations.RunPython(f, migrations.RunPython.noop)]\n');
    const user = (await new Scanner({ root: users, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias' && f.migrations?.[0] === 'shop.0003_users');
    assert.match(user[0]?.message ?? '', /runs on the router's choice for get_user_model\(\) \(auth\.User\) \('default': no routers\)/, JSON.stringify(user));
    // a replica (TEST MIRROR of default) is not migrated on its own: still a single database
    const replica = (await new Scanner({ root: project(', "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b", "TEST": {"MIRROR": "default"}}'), allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
    assert.ok(replica.length === 7 && replica.every(f => f.severity === 'info'), JSON.stringify(replica.map(f => f.severity)));
  });
});

describe('unknown-alias: database aliases in code that DATABASES does not define', () => {
  const files = (extra: Record<string, string> = {}, databases = '"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}') => {
    const dir = writeTree({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
      'proj/__init__.py': '',
      'proj/settings.py': `DATABASES = {${databases}}\nINSTALLED_APPS = ["stats"]\n`,
      'stats/__init__.py': '',
      'stats/models.py': 'from django.db import models\n\nclass Hit(models.Model):\n    n = models.IntegerField()\n',
      'stats/views.py': [
        'from django.core.management import call_command',
        'from django.db import connections, transaction',
        'from .models import Hit',
        '',
        'def report():',
        '    Hit.objects.using("analytcs").count()',
        "    Hit.objects.db_manager('analytics').count()",
        '    with transaction.atomic(using="analytic"):',
        '        Hit(n=1).save(using="default")',
        '    connections["replica"].cursor()',
        '    call_command("migrate", database="defualt")',
        '',
      ].join('\n'),
      'stats/migrations/__init__.py': '',
      'stats/migrations/0001_initial.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = []\n',
      'stats/migrations/0002_fill.py': 'from django.db import migrations\n\ndef fill(apps, schema_editor):\n    apps.get_model("stats", "Hit").objects.using("analytic").count()\n\n' +
        'class Migration(migrations.Migration):\n    dependencies = [("stats", "0001_initial")]\n    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]\n',
      ...extra,
    }, 'dmdb-alias-');
    dirs.push(dir);
    return dir;
  };
  const scan = async (dir: string) => (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'unknown-alias');

  test('each unknown alias is an error on its line, with the closest alias and a fix; known ones are not', async () => {
    const dir = files();
    const found = await scan(dir);
    assert.deepEqual(found.map(f => [path.basename(f.path ?? ''), f.line, f.alias]), [
      ['views.py', 6, 'analytcs'], ['views.py', 8, 'analytic'], ['views.py', 10, 'replica'], ['views.py', 11, 'defualt'],
      ['0002_fill.py', 4, 'analytic'], // migrations are read when they hold RunPython code
    ]);
    assert.ok(found.every(f => f.severity === 'error'));
    assert.match(found[0]!.message, /'analytcs' \(\.using\(…\)\) is not a database of DATABASES \('default', 'analytics'\).*Did you mean 'analytics'\?/);
    assert.equal(found[2]!.fix, undefined, 'no alias is close to replica');
    const file = path.join(dir, 'stats', 'views.py');
    let text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const offset = (line: number, col: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col;
    for (const e of found.filter(f => f.path === file).flatMap(f => f.fix?.edits ?? []).sort((a, b) => offset(b.line, b.col) - offset(a.line, a.col))) {
      text = text.slice(0, offset(e.line, e.col)) + e.text + text.slice(offset(e.endLine, e.endCol));
    }
    assert.match(text, /using\("analytics"\)\.count\(\)/);
    assert.match(text, /database="default"/);
    fs.writeFileSync(file, text);
    assert.deepEqual((await scan(dir)).map(f => f.alias), ['replica', 'analytic']);
  });

  test('code under a mock of the connections or DATABASES names the mock\'s aliases: not reported (zamboni\'s replica tests)', () => {
    const src = [
      'from unittest import mock',
      'from django.db import connections',
      'from django.test import TestCase, override_settings',
      '',
      'class T(TestCase):',
      '    def test_a(self):',
      '        with mock.patch.object(connections, "databases", {"slave-1": {}}):',
      '            connections["slave-1"]',
      '        connections["gone"]',
      '',
      '    @override_settings(DATABASES={"other": {}})',
      '    def test_b(self):',
      '        f(using="other")',
      '',
      '    @mock.patch.dict("django.conf.settings.DATABASES", {"x": {}})',
      '    def test_c(self):',
      '        f(using="x")',
      '',
    ].join('\n');
    assert.deepEqual(aliasUses(src, 't.py').map(u => [u.line, u.alias]), [[9, 'gone']]);
  });

  test('code that expects ConnectionDoesNotExist on purpose (assertRaises, pytest.raises) is not reported', () => {
    const src = 'def test_x(self):\n    with self.assertRaises(ConnectionDoesNotExist):\n        f(using="nope")\n    with pytest.raises(KeyError):\n        connections["nope"]\n    g(using="nope2")\n';
    assert.deepEqual(aliasUses(src, 't.py').map(u => [u.line, u.alias]), [[6, 'nope2']]);
  });

  test('an alias the project\'s code adds to a settings module\'s DATABASES from outside is a warning saying where (nautobot\'s CLI)', async () => {
    const dir = files({
      'proj/cli.py': 'import importlib\nfrom copy import deepcopy\n\n\ndef main():\n    settings_module = importlib.import_module("proj.settings")\n    settings_module.DATABASES["job_logs"] = deepcopy(settings_module.DATABASES["default"])\n',
      'stats/tests.py': 'from django.test import TestCase\n\n\nclass T(TestCase):\n    databases = ("default", "job_logs", "jobs_log")\n',
    });
    const found = (await scan(dir)).filter(f => path.basename(f.path ?? '') === 'tests.py');
    assert.deepEqual(found.map(f => [f.alias, f.severity]), [['job_logs', 'warning'], ['jobs_log', 'error']]);
    assert.match(found[0]!.message, /proj\/cli\.py:7 adds it to DATABASES: it may exist where the project runs/);
  });

  test('nothing when DATABASES is not fully known (an alias may come from elsewhere)', async () => {
    const dir = files({ 'proj/settings.py': 'from .local import *\nINSTALLED_APPS = ["stats"]\n' });
    assert.deepEqual(await scan(dir), []);
  });
});

/** A project with a .venv whose site-packages hold `files` too (its python never run: --no-python). */
function withVenv(files: Record<string, string>): string {
  const dir = settingsProject({ '.venv/pyvenv.cfg': 'home = /usr/bin\nversion = 3.11.0\n', ...files }, 'dmdb-env-');
  fs.mkdirSync(path.join(dir, '.venv', 'bin'));
  fs.symlinkSync(process.execPath, path.join(dir, '.venv', 'bin', 'python'));
  return dir;
}

test('check --include-environment lists a third-party app\'s RunPython problems without failing on them', () => {
  const sp = '.venv/lib/python3.11/site-packages';
  const dir = withVenv({
    'proj/settings.py': 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nINSTALLED_APPS = ["tagpkg"]\n',
    [`${sp}/tagpkg/__init__.py`]: '',
    [`${sp}/tagpkg/models.py`]: 'from django.db import models\n\nclass Tag(models.Model):\n    name = models.CharField(max_length=5)\n',
    [`${sp}/tagpkg/migrations/__init__.py`]: '',
    [`${sp}/tagpkg/migrations/0001_initial.py`]: read('manager_loop_bug.py').replace(/"vault", "Client"/, '"tagpkg", "Tag"').replace('dependencies = [("vault", "0001_initial")]', 'dependencies = []'),
  });
  const plain = cli(['check', dir, '--no-python', '--no-db']);
  assert.equal(plain.status, 0, plain.stdout);
  assert.doesNotMatch(plain.stdout, /runpython-alias/);
  const listed = cli(['check', dir, '--no-python', '--no-db', '--include-environment']);
  assert.equal(listed.status, 0, listed.stdout + listed.stderr);
  assert.match(listed.stdout, /third-party apps \(1, not failing check\):\n {2}\.venv\/.*tagpkg\/migrations\/0001_initial\.py:6: info \[runpython-alias\] tagpkg\.0001_initial \(third-party app tagpkg\)/);
  assert.equal(cli(['check', dir, '--no-python', '--no-db', '--include-environment', '--fail-on', 'runpython-alias']).status, 1);
  const json = cli(['scan', dir, '--no-python', '--no-db', '--include-environment', '--json']).json;
  const f = json.diagnostics.find((d: any) => d.code === 'runpython-alias');
  assert.equal(f.environment, true);
  assert.equal(f.fix, undefined, 'no fix offered in a package');
});

test("a workspace app whose MIGRATION_MODULES names an installed package's migrations: those are the package's (codecov on shared), never failing check", () => {
  const sp = '.venv/lib/python3.11/site-packages';
  const dir = withVenv({
    'proj/settings.py': 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nINSTALLED_APPS = ["tagapp"]\nMIGRATION_MODULES = {"tagapp": "sharedpkg.tag_migrations"}\n',
    'tagapp/__init__.py': '',
    'tagapp/models.py': 'from django.db import models\n\nclass Tag(models.Model):\n    name = models.CharField(max_length=5)\n',
    [`${sp}/sharedpkg/__init__.py`]: '',
    [`${sp}/sharedpkg/tag_migrations/__init__.py`]: '',
    [`${sp}/sharedpkg/tag_migrations/0001_initial.py`]: read('manager_loop_bug.py').replace(/"vault", "Client"/, '"tagapp", "Tag"').replace('dependencies = [("vault", "0001_initial")]', 'dependencies = []'),
  });
  // (the fixture's migration creates no table: missing-migration is right, and not what this test is about)
  const plain = cli(['check', dir, '--no-python', '--no-db', '--fail-on', 'runpython']);
  assert.equal(plain.status, 0, plain.stdout);
  assert.doesNotMatch(plain.stdout, /runpython-alias/);
  const json = cli(['scan', dir, '--no-python', '--no-db', '--include-environment', '--json']).json;
  const f = json.diagnostics.find((d: any) => d.code === 'runpython-alias');
  assert.equal(f?.environment, true, JSON.stringify(json.diagnostics));
  assert.equal(f.fix, undefined, 'no fix offered in a package');
});

/** A project with manage.py naming proj.settings, and `files` (removed after the tests). */
function settingsProject(files: Record<string, string>, prefix: string): string {
  const dir = writeTree({ 'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n', 'proj/__init__.py': '', ...files }, prefix);
  dirs.push(dir);
  return dir;
}

/** What real Django prints for `code` run after django.setup() in a project of settingsProject (proj.settings). */
function djangoSays(dir: string, code: string): string {
  return execFileSync(PY!, ['-c', `import django; django.setup()\nfrom django.db import router\n${code}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } }).trim();
}

test('router-signature and router-unresolved: allow_migrate without **hints or pre-1.8 (db, model); entries that do not exist (a package that is not there is not reported)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\nINSTALLED_APPS = []\n' +
      'DATABASE_ROUTERS = ["proj.routers.Old", "proj.routers.NoHints", "proj.routers.Good", "proj.routers.Static"]\n' +
      'DATABASE_ROUTERS += ["proj.routers.Gone", "proj.routerz.Old", "notinstalled.routers.R"]\n',
    'proj/routers.py': [
      'class Old:',
      '    def allow_migrate(self, db, model):',
      '        return None',
      '',
      'class NoHints:',
      '    def allow_migrate(self, db, app_label, model_name=None):',
      '        return None',
      '',
      'class Good:',
      '    def allow_migrate(self, db, app_label, model_name=None, **hints):',
      '        return None',
      '',
      'class Static:',
      '    @staticmethod',
      '    def allow_migrate(db, app_label, **hints):',
      '        return None',
      '',
    ].join('\n'),
  }, 'dmdb-routers-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'router-signature');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[2, 'error'], [6, 'error']]);
  assert.match(found[0]!.message, /proj\.routers\.Old\.allow_migrate\(db, model\) has the signature of Django < 1\.8/);
  assert.match(found[1]!.message, /takes no \*\*hints/);
  const unresolved = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'router-unresolved');
  assert.deepEqual(unresolved.map(f => [path.basename(f.path ?? ''), f.line, f.severity]), [['settings.py', 4, 'error'], ['settings.py', 4, 'error']]);
  assert.match(unresolved[0]!.message, /'proj\.routers\.Gone': proj\.routers \(.*routers\.py\) defines no Gone/);
  assert.match(unresolved[1]!.message, /'proj\.routerz\.Old': module proj\.routerz does not exist \(package proj does\)/);
});

test('router-signature: a method named almost as one Django calls is never called, and said so (osf\'s NoMigrationRouter.allow_migration; Django agrees)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}}\nINSTALLED_APPS = ["django.contrib.contenttypes"]\nDATABASE_ROUTERS = ["proj.routers.NoMigrationRouter", "proj.routers.Fine"]\n',
    'proj/__init__.py': '',
    'proj/routers.py': [
      'class NoMigrationRouter:',
      '    """Don\'t allow migrations"""',
      '    def allow_migration(self, db, app_label, model_name=None, **hints):',
      '        return False',
      '',
      '    def db_for_reads(self, model, **hints):',
      '        return "default"',
      '',
      'class Fine:',
      '    def _allow_migrate(self, db):',
      '        return None',
      '',
      '    def allow_migrate(self, db, app_label, **hints):',
      '        return self._allow_migrate(db)',
      '',
      '    def allow_migrate_model(self, db, model):',
      '        return None',
      '',
    ].join('\n'),
  }, 'dmdb-router-typo-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'router-signature');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[3, 'error'], [6, 'error']], JSON.stringify(found.map(f => f.message)));
  assert.match(found[0]!.message, /NoMigrationRouter\.allow_migration\(\) is not a method Django's routers have: .*Did you mean allow_migrate\?/);
  assert.match(found[1]!.message, /Did you mean db_for_read\?/);
  // Django never calls it: contenttypes migrates on default
  const allowed = djangoSays(dir, 'from django.contrib.contenttypes.models import ContentType\nprint(router.allow_migrate_model("default", ContentType))');
  assert.equal(allowed, 'True');
});

test('router-signature: allow_syncdb, the router method of Django < 1.7, is never called; the static routing is what Django does (a logger router; Django agrees)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "logger": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nINSTALLED_APPS = ["request_logger"]\nDATABASE_ROUTERS = ["proj.routers.LogRouter"]\n',
    'proj/__init__.py': '',
    'request_logger/__init__.py': '',
    'request_logger/models.py': 'from django.db import models\n\n\nclass Entry(models.Model):\n    path = models.CharField(max_length=200)\n',
    'proj/routers.py': [
      'class LogRouter(object):',
      '    def db_for_read(self, model, **hints):',
      '        return None',
      '',
      '    def allow_syncdb(self, db, model):',
      '        if db == "logger":',
      '            return model._meta.app_label == "request_logger"',
      '        return False',
      '',
    ].join('\n'),
  }, 'dmdb-router-syncdb-');
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  const found = index.findings.filter(f => f.code === 'router-signature');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[5, 'error']]);
  assert.match(found[0]!.message, /LogRouter\.allow_syncdb\(\) is the router method of Django < 1\.7: Django 1\.9 and later never call it, so this router keeps no model off any database .*def allow_migrate\(self, db, app_label, model_name=None, \*\*hints\)/);
  // Django never calls it: the log entries migrate on both databases, as the routing says
  const allowed = djangoSays(dir, 'from request_logger.models import Entry\nprint(router.allow_migrate_model("default", Entry), router.allow_migrate_model("logger", Entry))');
  assert.equal(allowed, 'True True');
  assert.deepEqual(['default', 'logger'].map(a => index.routing.find(r => r.alias === a && r.model === 'request_logger.Entry')?.migrate), [true, true]);
});

test('router-migrate-alias: allow_migrate returning an alias allows every database; the quick fix makes it the comparison meant (Django agrees before and after)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nINSTALLED_APPS = ["shop", "stats"]\nDATABASE_ROUTERS = ["proj.routers.Router"]\n',
    'proj/__init__.py': '',
    'proj/routers.py': [
      'class Router:',
      '    def db_for_read(self, model, **hints):',
      '        return "analytics" if model._meta.app_label == "stats" else None',
      '',
      '    def allow_migrate(self, db, app_label, model_name=None, **hints):',
      '        if app_label == "stats":',
      "            return 'analytics'",
      '        def helper():',
      '            return "not an answer"',
      '        return None',
      '',
    ].join('\n'),
    ...Object.fromEntries(['shop', 'stats'].flatMap(a => [[`${a}/__init__.py`, ''], [`${a}/models.py`, `from django.db import models\n\n\nclass Row(models.Model):\n    n = models.IntegerField()\n`]])),
  }, 'dmdb-router-alias-');
  const django = () => djangoSays(dir, 'from stats.models import Row\nprint(bool(router.allow_migrate_model("default", Row)), bool(router.allow_migrate_model("analytics", Row)))');
  const ours = (index: ProjectIndex) => ['default', 'analytics'].map(a => index.routing.find(r => r.alias === a && r.model === 'stats.Row')?.migrate);
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  const found = index.findings.filter(f => f.code === 'router-migrate-alias');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[7, 'error']]);
  assert.match(found[0]!.message, /Router\.allow_migrate returns "analytics", a string where Django wants True, False or None: Django reads it as True, so the model is migrated on every database, not only on 'analytics'\. .*return db == "analytics"/);
  // (Django's allow_migrate_model returns the string itself; `migrate` tests its truth)
  assert.equal(django(), 'True True');
  assert.deepEqual(ours(index), [true, true]);
  // the quick fix, applied as the editor applies it
  const fix = found[0]!.fix!;
  assert.equal(fix.title, "Change to return db == 'analytics'");
  const file = path.join(dir, 'proj/routers.py');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const e = fix.edits[0]!;
  lines[e.line - 1] = lines[e.line - 1]!.slice(0, e.col) + e.text + lines[e.line - 1]!.slice(e.endCol);
  fs.writeFileSync(file, lines.join('\n'));
  assert.equal(lines[6], "            return db == 'analytics'");
  const fixed = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  assert.deepEqual(fixed.findings.filter(f => f.code === 'router-migrate-alias'), []);
  assert.equal(django(), 'False True');
  assert.deepEqual(ours(fixed), [false, true]);
});

test('router-unknown-label: app labels one edit from an installed app\'s, in a class attribute, a module constant and a comparison; the quick fixes make the routing the one meant (Django agrees before and after)', { skip: PY ? false : NO_DJANGO }, async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "warehouse": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nINSTALLED_APPS = ["analytics", "shop", "ledger"]\nDATABASE_ROUTERS = ["proj.routers.LedgerRouter", "proj.routers.WarehouseRouter"]\n',
    'proj/__init__.py': '',
    'proj/routers.py': [
      'WAREHOUSE_APPS = ("analytic", "reports")',
      '',
      '',
      'class LedgerRouter:',
      '    route_app_labels = {"ledgers"}',
      '',
      '    def allow_migrate(self, db, app_label, model_name=None, **hints):',
      '        if app_label in self.route_app_labels:',
      '            return db == "warehouse"',
      '        return None',
      '',
      '',
      'class WarehouseRouter:',
      '    def db_for_read(self, model, **hints):',
      '        return "warehouse" if model._meta.app_label in WAREHOUSE_APPS else None',
      '',
      '    def allow_migrate(self, db, app_label, model_name=None, **hints):',
      '        if app_label == "shopp":',
      '            return db == "warehouse"',
      '        if app_label in WAREHOUSE_APPS:',
      '            return db == "warehouse"',
      '        return db == "default"',
      '',
    ].join('\n'),
    ...Object.fromEntries(['analytics', 'shop', 'ledger'].flatMap(a => [[`${a}/__init__.py`, ''], [`${a}/models.py`, 'from django.db import models\n\n\nclass Row(models.Model):\n    n = models.IntegerField()\n']])),
  }, 'dmdb-router-label-');
  const apps = ['analytics', 'shop', 'ledger'];
  const django = () => djangoSays(dir, `from django.apps import apps\nprint(" ".join(a + ":" + ",".join(d for d in ("default", "warehouse") if router.allow_migrate_model(d, apps.get_model(a, "Row"))) for a in ${JSON.stringify(apps)}))`);
  const ours = (index: ProjectIndex) => apps.map(a => `${a}:${['default', 'warehouse'].filter(d => index.routing.find(r => r.alias === d && r.model === `${a}.Row`)?.migrate).join(',')}`).join(' ');
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  const found = index.findings.filter(f => f.code === 'router-unknown-label');
  assert.deepEqual(found.map(f => [f.line, f.severity, f.fix?.title]).sort(), [[1, 'warning', "Change to 'analytics'"], [18, 'warning', "Change to 'shop'"], [5, 'warning', "Change to 'ledger'"]].sort() as unknown);
  assert.match(found.find(f => f.line === 5)!.message, /^'ledgers' \(compared with an app label in proj\.routers\.LedgerRouter\.allow_migrate\) is the label of no installed app: the comparison never matches.*Did you mean 'ledger'\?$/);
  // "reports" is near no label: left alone
  assert.equal(found.some(f => /'reports'/.test(f.message)), false);
  // as Django: every app on default, none where the routers were written to put them
  assert.equal(django(), 'analytics:default shop:default ledger:default');
  assert.equal(ours(index), django());
  const file = path.join(dir, 'proj/routers.py');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (const f of found) {
    const e = f.fix!.edits[0]!;
    lines[e.line - 1] = lines[e.line - 1]!.slice(0, e.col) + e.text + lines[e.line - 1]!.slice(e.endCol);
  }
  fs.writeFileSync(file, lines.join('\n'));
  const fixed = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  assert.deepEqual(fixed.findings.filter(f => f.code === 'router-unknown-label'), []);
  assert.equal(django(), 'analytics:warehouse shop:warehouse ledger:warehouse');
  assert.equal(ours(fixed), django());
});

test('router lints of a review: allow_syncdb beside an inherited allow_migrate, != on a mistyped label, a three-edit label, a subclass\'s own labels, a string returned where db already is it, a router of an installed package', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nINSTALLED_APPS = ["shop", "analytics", "reports"]\nDATABASE_ROUTERS = ["proj.routers.Shim", "proj.routers.Labels", "proj.routers.Sub", "extrouter.LogRouter"]\n',
    'proj/__init__.py': '',
    'proj/routers.py': [
      'class Base:',
      '    def allow_migrate(self, db, app_label, model_name=None, **hints):',
      '        return None',
      '',
      '',
      'class Shim(Base):',
      '    def allow_syncdb(self, db, model):',
      '        return self.allow_migrate(db, model._meta.app_label)',
      '',
      '',
      'WAREHOUSE_ONLY = ("reporting",)',
      '',
      '',
      'class Labels:',
      '    def allow_migrate(self, db, app_label, model_name=None, **hints):',
      '        if app_label in WAREHOUSE_ONLY:',
      '            return db == "analytics"',
      '        if db == "analytics" and app_label != "analytic":',
      '            return False',
      '        if app_label == "analytics":',
      '            if db == "analytics":',
      '                return "analytics"',
      '            return False',
      '        return None',
      '',
      '',
      'class BaseLabels:',
      '    route_app_labels = {"placeholder"}',
      '',
      '    def db_for_read(self, model, **hints):',
      '        if model._meta.app_label in self.route_app_labels:',
      '            return "analytics"',
      '        return None',
      '',
      '',
      'class Sub(BaseLabels):',
      '    route_app_labels = {"report"}',
      '',
    ].join('\n'),
    '.venv/pyvenv.cfg': 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n',
    '.venv/bin/python': '',
    '.venv/lib/python3.11/site-packages/extrouter/__init__.py': 'class LogRouter:\n    route_app_labels = {"analytic"}\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label in self.route_app_labels:\n            return "analytics"\n        return None\n',
    ...Object.fromEntries(['shop', 'analytics', 'reports'].flatMap(a => [[`${a}/__init__.py`, ''], [`${a}/models.py`, 'from django.db import models\n\n\nclass Row(models.Model):\n    n = models.IntegerField()\n']])),
  }, 'dmdb-router-review-');
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  assert.ok(index.settings?.routers.includes('extrouter.LogRouter') && !index.findings.some(f => f.code === 'router-unresolved'), JSON.stringify(index.findings.filter(f => f.code.startsWith('router')).map(f => f.message)));
  const of = (code: string) => index.findings.filter(f => f.code === code).map(f => `${path.relative(dir, f.path ?? '')}:${f.line}`);
  // allow_migrate is inherited: Django calls it, allow_syncdb is a shim
  assert.deepEqual(of('router-signature'), []);
  // "analytic" with !=: the message says the test is true for every app, the one meant included
  const labels = index.findings.filter(f => f.code === 'router-unknown-label');
  assert.deepEqual(labels.map(f => `${path.relative(dir, f.path ?? '')}:${f.line}`).sort(), ['proj/routers.py:18', 'proj/routers.py:37'].sort(), labels.map(f => f.message).join('\n'));
  assert.match(labels.find(f => f.line === 18)!.message, /'analytic' .* the test that an app is not it is true for every app, the one meant included.*Did you mean 'analytics'\?/);
  // the subclass's own attribute is what its inherited method reads: "report" (one edit from "reports"), not the base's placeholder
  assert.match(labels.find(f => f.line === 37)!.message, /'report' .*Did you mean 'reports'\?/);
  // "reporting" is three edits from "reports": left alone
  assert.equal(labels.some(f => /'reporting'/.test(f.message)), false);
  // the string returned only where db is that database allows only it: no finding; nor in the installed package's router
  assert.deepEqual(of('router-migrate-alias'), []);
});

test('router objects in DATABASE_ROUTERS (a factory\'s closure class, twice): no router-unresolved, routing known, the two told apart (etools-datamart)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'from proj.dbrouter import router_factory\n' +
      'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "etools": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}, "prp": {"ENGINE": "django.db.backends.sqlite3", "NAME": "c"}}\n' +
      'INSTALLED_APPS = ["etools", "prp", "shop"]\n' +
      'DATABASE_ROUTERS = [router_factory("etools", ["etools"], syncdb=False), router_factory("prp", ["prp"], syncdb=False)]\n',
    'proj/dbrouter.py': [
      'def router_factory(db_name, app_list, syncdb=True):',
      '    class InnerRouter:',
      '        def allow_migrate(self, db, app_label, model_name=None, **hints):',
      '            if db == db_name:',
      '                return syncdb and app_label in app_list',
      '            if app_label in app_list:',
      '                return False',
      '            return None',
      '',
      '    return InnerRouter()',
      '',
    ].join('\n'),
    ...Object.fromEntries(['etools', 'prp', 'shop'].flatMap(a => [[`${a}/__init__.py`, ''], [`${a}/models.py`, `from django.db import models\n\n\nclass ${a[0]!.toUpperCase()}${a.slice(1)}Row(models.Model):\n    n = models.IntegerField()\n`]])),
  }, 'dmdb-routerobj-');
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  assert.deepEqual(index.findings.filter(f => f.code === 'router-unresolved' || f.code === 'unknown-routing' || f.code === 'settings-unknown'), []);
  const row = (alias: string, model: string) => index.routing.find(d => d.alias === alias && d.model === model);
  // as Django answers: every router declines etools/prp on their own database (syncdb=False) and elsewhere
  assert.deepEqual(['default', 'etools', 'prp'].map(a => row(a, 'etools.EtoolsRow')?.migrate), [false, false, false]);
  assert.deepEqual(['default', 'etools', 'prp'].map(a => row(a, 'shop.ShopRow')?.migrate), [true, false, false]);
  assert.equal(row('prp', 'shop.ShopRow')?.decidedBy, 'proj.dbrouter.InnerRouter');
  assert.deepEqual(index.settings?.routerObjects, [0, 1]);
  // the table's header tells the two apart by their position
  assert.match(renderTables(toReport(index), { color: false }), /routers: proj\.dbrouter\.InnerRouter \(DATABASE_ROUTERS\[0\]\), proj\.dbrouter\.InnerRouter \(DATABASE_ROUTERS\[1\]\)\n/);
});

test('a router inserted before the others on a path not known statically: no answer of the others is definite (Flagsmith)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'import os\nimport socket\n' +
      'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\n' +
      'INSTALLED_APPS = ["shop"]\n' +
      'DATABASE_ROUTERS = ["proj.routers.Last"]\n' +
      'if socket.gethostname() == "prod":\n    DATABASE_ROUTERS.insert(0, "proj.routers.First")\n',
    'proj/routers.py': 'class First:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default"\n\n\n' +
      'class Last:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if db == "other":\n            return app_label == "shop"\n        return None\n',
    'shop/__init__.py': '', 'shop/models.py': 'from django.db import models\n\n\nclass Item(models.Model):\n    n = models.IntegerField()\n',
  }, 'dmdb-routerorder-');
  // the host name is not known statically: Django answers False (First asked first) or True on 'other'
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  const other = index.routing.find(d => d.alias === 'other' && d.model === 'shop.Item');
  assert.equal(other?.migrate, null, JSON.stringify(other));
  // appended after the others on such a path: the known router still answers first
  fs.writeFileSync(path.join(dir, 'proj', 'settings.py'), fs.readFileSync(path.join(dir, 'proj', 'settings.py'), 'utf8').replace('DATABASE_ROUTERS.insert(0, ', 'DATABASE_ROUTERS.append('));
  const after = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  assert.equal(after.routing.find(d => d.alias === 'other' && d.model === 'shop.Item')?.migrate, true);
});

test('runpython-alias: functions defined in class Migration and passed to RunPython there are read (course-discovery)', () => {
  const src = `from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("desk", "0002_x")]

    def forwards(apps, schema_editor):
        Ticket = apps.get_model("desk", "Ticket")
        Ticket.objects.filter(open=True).update(open=False)

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
  const found = alias(lint(src));
  assert.deepEqual(found.map(l => l.line), [9]);
});

test('runpython-alias: a loop over models bound before reads each of them (Kiwi: for model in [TestPlan, HistoricalTestPlan])', () => {
  const src = `from django.db import migrations


def forwards(apps, schema_editor):
    Ticket = apps.get_model("desk", "Ticket")
    HistoricalTicket = apps.get_model("desk", "HistoricalTicket")
    for model in [Ticket, HistoricalTicket]:
        for obj in model.objects.exclude(link=""):
            obj.save()


class Migration(migrations.Migration):
    dependencies = [("desk", "0002_x")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
  const found = alias(lint(src));
  assert.deepEqual(found.map(l => l.line), [8]);
  assert.ok(found[0]!.message.includes('desk.Ticket / desk.HistoricalTicket.objects.exclude()'), found[0]!.message);
});

// Kolibri: where a RunPython runs (allow_migrate with its hints) and where its historical model's queries go decide
// runpython-alias. Real Django says both; the lint must agree.
test('runpython-alias as the routing makes it: harmless, deliberate, or a real problem (Kolibri; Django venv)', { skip: djangoPython() ? false : 'no Django venv' }, async () => {
  const { KOLIBRI_APPS, KOLIBRI_ROUTERS } = await import('./router-patterns');
  const mig = (deps: string, body: string, hints = '') => `from django.db import migrations


def forwards(apps, schema_editor):
${body}


class Migration(migrations.Migration):
    dependencies = [${deps}]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop${hints})]
`;
  const initial = (app: string, models: string[]) => `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [${models.map(m => `migrations.CreateModel(name="${m}", fields=[("id", models.AutoField(primary_key=True))])`).join(', ')}]
`;
  const dir = settingsProject({
    'proj/settings.py': `SECRET_KEY = "x"\nINSTALLED_APPS = ["device", "discovery", "core"]\nDATABASES = {${['default', 'syncqueue', 'networklocation'].map(a => `"${a}": {"ENGINE": "django.db.backends.sqlite3", "NAME": "${a}.sqlite3"}`).join(', ')}}\nDATABASE_ROUTERS = ${JSON.stringify(KOLIBRI_ROUTERS)}\n`,
    ...KOLIBRI_APPS,
    'device/migrations/__init__.py': '',
    'device/migrations/0001_initial.py': initial('device', ['DeviceSettings', 'SyncQueue']),
    // runs on default only; DeviceSettings' queries go to default: harmless
    'device/migrations/0002_data.py': mig('("device", "0001_initial")', '    DeviceSettings = apps.get_model("device", "DeviceSettings")\n    DeviceSettings.objects.filter(name="x").update(name="y")'),
    'discovery/migrations/__init__.py': '',
    'discovery/migrations/0001_initial.py': initial('discovery', ['NetworkLocation', 'PinnedDevice']),
    // runs on networklocation only (its hints); the historical NetworkLocation is no subclass of the project's class,
    // so the router sends its queries to default: a real problem. core.Facility lives on default only: deliberate.
    'discovery/migrations/0002_data.py': mig('("discovery", "0001_initial"), ("core", "0001_initial")',
      '    NetworkLocation = apps.get_model("discovery", "NetworkLocation")\n    Facility = apps.get_model("core", "Facility")\n    for f in Facility.objects.all():\n        NetworkLocation.objects.filter(base_url=f.name).delete()',
      ', hints={"model_name": "networklocation"}'),
    'core/migrations/__init__.py': '',
    'core/migrations/0001_initial.py': initial('core', ['Facility']),
  }, 'dmdb-kolibri-lints-');
  const django = JSON.parse(execFileSync(djangoPython()!, ['-c', `
import json, django
django.setup()
from django.db import router
from django.db.migrations.loader import MigrationLoader
state = MigrationLoader(None, ignore_no_migrations=True).project_state()
hm = lambda a, m: state.apps.get_model(a, m)
print(json.dumps({
  "device.0002": [a for a in ("default", "syncqueue", "networklocation") if router.allow_migrate(a, "device")],
  "discovery.0002": [a for a in ("default", "syncqueue", "networklocation") if router.allow_migrate(a, "discovery", model_name="networklocation")],
  "DeviceSettings": router.db_for_write(hm("device", "DeviceSettings")),
  "NetworkLocation": [router.db_for_read(hm("discovery", "NetworkLocation")), router.db_for_write(hm("discovery", "NetworkLocation"))],
  "Facility": router.db_for_read(hm("core", "Facility")),
}))
`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } }));
  // what Django says, which the findings below rest on
  assert.deepEqual(django, { 'device.0002': ['default'], 'discovery.0002': ['networklocation'], DeviceSettings: 'default', NetworkLocation: ['default', 'default'], Facility: 'default' });
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  const at = (mig: string, text: string) => found.find(f => f.migrations?.[0] === mig && f.message.includes(text));
  const harmless = at('device.0002_data', 'DeviceSettings.objects.filter()');
  assert.ok(harmless, JSON.stringify(found.map(f => f.message)));
  assert.equal(harmless.severity, 'info');
  assert.match(harmless.message, /\('default'\): 'default' is the only database the routers let this RunPython run on, so this works today; binding it with \.using\(schema_editor\.connection\.alias\) keeps it so/);
  const real = at('discovery.0002_data', 'NetworkLocation.objects.filter()');
  assert.ok(real);
  assert.equal(real.severity, 'warning');
  assert.match(real.message, /router's choice for discovery\.NetworkLocation \('default'\)/);
  assert.ok(real.fix, 'a fix binds it');
  const deliberate = at('discovery.0002_data', 'Facility.objects.all()');
  assert.ok(deliberate);
  assert.equal(deliberate.severity, 'info');
  assert.match(deliberate.message, /its table is not created on 'networklocation'/);
  assert.equal(deliberate.fix, undefined, 'no fix that would read Facility where it has no table');
  // the function's fix binds NetworkLocation's query, not Facility's
  const src = fs.readFileSync(path.join(dir, 'discovery/migrations/0002_data.py'), 'utf8').split('\n');
  const bound = real.fix!.edits.filter(e => e.text.startsWith('.using')).map(e => src[e.line - 1]!.slice(0, e.col));
  assert.equal(bound.length, 1, JSON.stringify(real.fix));
  assert.match(bound[0]!, /NetworkLocation\.objects$/);
});

// kpi: `with use_db(alias):` sets the thread-local alias its router returns; the routers' choice there is not known
test('runpython-alias inside a context manager that may choose the database is an info, said so (kpi use_db)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'INSTALLED_APPS = ["shop"]\nDATABASE_ROUTERS = ["proj.routers.R"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\n',
    'proj/db.py': 'import threading\nfrom contextlib import contextmanager\n_l = threading.local()\n\n\n@contextmanager\ndef use_db(alias):\n    _l.db = alias\n    yield\n\n\ndef current():\n    return getattr(_l, "db", "default")\n',
    'proj/routers.py': 'from .db import current\n\n\nclass R:\n    def db_for_read(self, model, **hints):\n        return current()\n\n    def db_for_write(self, model, **hints):\n        return current()\n',
    'shop/__init__.py': '', 'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("n", models.IntegerField())])]\n',
    'shop/migrations/0002_data.py': `from django.db import migrations
from proj.db import use_db


def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    with use_db(schema_editor.connection.alias):
        Order.objects.filter(n=0).update(n=1)
    Order.objects.filter(n=2).delete()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`,
  }, 'dmdb-usedb-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  const inside = found.find(f => f.line === 8);
  const outside = found.find(f => f.line === 9);
  assert.ok(inside && outside, JSON.stringify(found));
  assert.equal(inside.severity, 'info');
  assert.match(inside.message, /\(not known statically\).*inside `with use_db\(…\)`/);
  assert.equal(outside.severity, 'warning');
  assert.doesNotMatch(outside.message, /without routers/);
});

// bustimes: `sources = TimetableDataSource.objects` then `sources.filter(...)`; bulk_create is a write, routed by
// db_for_write, the other queries by db_for_read
test('runpython-alias: a manager held in a name is followed; writes and reads are told apart (bustimes)', () => {
  const src = `from django.db import migrations


def forwards(apps, schema_editor):
    Source = apps.get_model("bustimes", "TimetableDataSource")
    Version = apps.get_model("bustimes", "Version")
    sources = Source.objects
    for s in sources.filter(active=True):
        Version.objects.bulk_create([Version(source=s)])


class Migration(migrations.Migration):
    dependencies = [("bustimes", "0006_x")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
  const lints = lintMigrationSource(src, '/x/bustimes/migrations/0007_y.py', new Map([['bustimes', 'bustimes']]), 'bustimes.migrations.0007_y').filter(l => l.code === 'runpython-alias');
  const held = lints.find(l => l.line === 8);
  assert.ok(held, JSON.stringify(lints));
  assert.match(held.message, /sources\.filter\(\) \(bustimes\.TimetableDataSource's manager\)/);
  assert.deepEqual(held.goesTo, { model: 'bustimes.TimetableDataSource', access: 'read' });
  assert.deepEqual(lints.find(l => l.line === 9)?.goesTo, { model: 'bustimes.Version', access: 'write' });
  // the function's fix binds the held manager too
  const fixed = apply(src, held.fix!.edits);
  assert.match(fixed, /sources\.using\(db_alias\)\.filter\(active=True\)/);
  assert.match(fixed, /Version\.objects\.using\(db_alias\)\.bulk_create/);
});

test('runpython-alias: a Prefetch queryset follows the objects it is attached to where no router decides (RapidPro tickets.0086; Django venv)', { skip: djangoPython() ? false : 'no Django venv' }, async () => {
  const forwards = `from django.db import migrations
from django.db.models import Prefetch


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Customer = apps.get_model("shop", "Customer")
    Order = apps.get_model("shop", "Order")
    c = Customer.objects.using(db).create(name="a")
    Order.objects.using(db).create(customer=c)
    for o in Order.objects.using(db).prefetch_related(Prefetch("customer", queryset=Customer.objects.only("name"))):
        print("prefetched", o.customer.name, "from", o.customer._state.db)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "default.sqlite3"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "other.sqlite3"}}\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Customer(models.Model):\n    name = models.CharField(max_length=10)\n\n\nclass Order(models.Model):\n    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Customer", fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=10))]),
        migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("customer", models.ForeignKey(on_delete=models.CASCADE, to="shop.customer"))]),
    ]
`,
    'shop/migrations/0002_prefetch.py': forwards,
  }, 'dmdb-prefetch-');
  // Django: migrated on 'other' only ('default' has no shop tables), the prefetch query runs on 'other'
  const out = execFileSync(djangoPython()!, ['-c', 'import django; django.setup(); from django.core.management import call_command; call_command("migrate", database="other", verbosity=0)'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } });
  assert.match(out, /prefetched a from other/);
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.deepEqual(found.map(f => f.message), []);
  // the lint itself knows the query is a prefetch's: with routers, which may decide, it is reported (said so)
  const raw = lintMigrationSource(forwards, path.join(dir, 'shop/migrations/0002_prefetch.py'), new Map([['shop', 'shop']]), 'shop.migrations.0002_prefetch');
  assert.deepEqual(alias(raw).map(l => [l.line, l.prefetch]), [[11, true]]);
  // an unbound query beside it is still reported
  const unbound = forwards.replace('    c = Customer.objects.using(db).create(name="a")', '    c = Customer.objects.create(name="a")');
  assert.deepEqual(alias(lintMigrationSource(unbound, 'x.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_prefetch')).map(l => [l.line, !!l.prefetch]), [[9, false], [11, true]]);
});

test('a migration a squashed one replaces: its RunPython lints are infos, said so (onadata logger.0001_pre-django-3-upgrade)', async () => {
  const initial = `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True))])]
`;
  const data = `from django.db import migrations


def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    Order.objects.filter(id=0).delete()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
  const files = {
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop", "stats"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    pass\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': initial,
    'shop/migrations/0002_data.py': data,
    'stats/__init__.py': '',
  };
  const lintOf = async (dir: string) => (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias' && f.migrations?.[0] === 'shop.0002_data');
  const [plain] = await lintOf(settingsProject(files, 'dmdb-squash-'));
  assert.equal(plain?.severity, 'warning');
  const squashed = settingsProject({
    ...files,
    'shop/migrations/0001_squashed_0002_data.py': initial.replace('    initial = True\n', '    initial = True\n    replaces = [("shop", "0001_initial"), ("shop", "0002_data")]\n'),
  }, 'dmdb-squash-');
  const [replaced] = await lintOf(squashed);
  assert.equal(replaced?.severity, 'info');
  assert.match(replaced!.message, /\(replaced by shop\.0001_squashed_0002_data: this migration runs only on a database that applied part of what shop\.0001_squashed_0002_data replaces\)$/);
});

test('a router reading a thread-local: during migrate nothing has set it (giga-maps; Django venv)', { skip: djangoPython() ? false : 'no Django venv' }, async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.ReadOnly", "proj.routers.Dynamic"]\n',
    'proj/routers.py': `import threading

THREAD_LOCAL = threading.local()


class ReadOnly:
    def db_for_read(self, model, **hints):
        if hasattr(THREAD_LOCAL, "OVERRIDE_DB_FOR_READ"):
            return THREAD_LOCAL.OVERRIDE_DB_FOR_READ
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class Dynamic:
    def db_for_write(self, model, **hints):
        return getattr(THREAD_LOCAL, "DB_FOR_WRITE_OVERRIDE", "default")
`,
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField(default=0)\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField(default=0))])]\n',
    'shop/migrations/0002_data.py': 'from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    Order = apps.get_model("shop", "Order")\n    Order.objects.filter(n=0).update(n=1)\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n',
  }, 'dmdb-threadlocal-');
  // Django in a fresh process (as migrate runs): reads and writes of the historical model go to default
  const django = JSON.parse(execFileSync(djangoPython()!, ['-c', `
import json, django
django.setup()
from django.db import router
from django.db.migrations.loader import MigrationLoader
Order = MigrationLoader(None, ignore_no_migrations=True).project_state().apps.get_model("shop", "Order")
print(json.dumps([router.db_for_read(Order), router.db_for_write(Order), [a for a in ("default", "replica") if router.allow_migrate(a, "shop")]]))
`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } }));
  assert.deepEqual(django, ['default', 'default', ['default']]);
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  const [lint] = index.findings.filter(f => f.code === 'runpython-alias');
  assert.equal(lint?.severity, 'info', JSON.stringify(index.findings.map(f => [f.code, f.severity, f.message])));
  assert.match(lint!.message, /\('default'\): 'default' is the only database the routers let this RunPython run on/);
  // outside migrate the thread-local may hold anything: today's writes are not known statically
  const write = index.dbRoutes?.write?.find(r => r.model === 'shop.Order');
  assert.equal(write?.reason, 'unknown', JSON.stringify(index.dbRoutes));
});

test('runpython-alias routes a proxy through proxy_for_model/concrete_model, and a model only the migration state has by its label (HOPE; Django venv)', { skip: djangoPython() ? false : 'no Django venv' }, async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["app1"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "main.sqlite3"}, "read_only": {"ENGINE": "django.db.backends.sqlite3", "NAME": "ro.sqlite3"}}\nDATABASE_APPS_MAPPING = {}\nDATABASE_ROUTERS = ["proj.routers.DbRouter"]\n',
    'proj/routers.py': `from django.conf import settings


class DbRouter:
    @staticmethod
    def select_db(model):
        if model._meta.proxy:
            model = model._meta.proxy_for_model
        model = model._meta.concrete_model
        return settings.DATABASE_APPS_MAPPING.get(model._meta.app_label)

    def db_for_read(self, model, **hints):
        return DbRouter.select_db(model)

    def db_for_write(self, model, **hints):
        return DbRouter.select_db(model)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == "default" and app_label not in settings.DATABASE_APPS_MAPPING:
            return True
        return settings.DATABASE_APPS_MAPPING.get(app_label) == db
`,
    'app1/__init__.py': '',
    'app1/models.py': 'from django.db import models\n\n\nclass Thing(models.Model):\n    name = models.CharField(max_length=10)\n\n\nclass PendingThing(Thing):\n    class Meta:\n        proxy = True\n',
    'app1/migrations/__init__.py': '',
    'app1/migrations/0001_initial.py': `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Thing", fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=10))]),
        migrations.CreateModel(name="PendingThing", fields=[], options={"proxy": True}, bases=("app1.thing",)),
        migrations.CreateModel(name="OldThing", fields=[("id", models.AutoField(primary_key=True))]),
    ]
`,
    'app1/migrations/0002_data.py': `from django.db import migrations


def fwd(apps, schema_editor):
    PendingThing = apps.get_model("app1", "PendingThing")
    OldThing = apps.get_model("app1", "OldThing")
    PendingThing.objects.filter(name="x").update(name="y")
    OldThing.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("app1", "0001_initial")]
    operations = [migrations.RunPython(fwd, migrations.RunPython.noop)]
`,
  }, 'dmdb-hope-');
  const django = JSON.parse(execFileSync(djangoPython()!, ['-c', `
import json, django
django.setup()
from django.db import router
from django.db.migrations.loader import MigrationLoader
s = MigrationLoader(None, ignore_no_migrations=True).project_state().apps
print(json.dumps([[router.db_for_read(s.get_model("app1", n)), router.db_for_write(s.get_model("app1", n))] for n in ("PendingThing", "OldThing")] + [[a for a in ("default", "read_only") if router.allow_migrate(a, "app1")]]))
`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } }));
  // no router decides: both go to default, where alone the RunPython runs
  assert.deepEqual(django, [['default', 'default'], ['default', 'default'], ['default']]);
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[7, 'info'], [8, 'info']], JSON.stringify(found.map(f => f.message)));
  for (const f of found) assert.match(f.message, /\('default'\): 'default' is the only database the routers let this RunPython run on/);
});

test('runpython-alias: a chained apps.get_model(…).objects query (HOPE) and get_model(settings.AUTH_USER_MODEL) (etools)', () => {
  const src = `from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("shop", "Order").objects.filter(n=0).update(n=1)
    Users = apps.get_model(settings.AUTH_USER_MODEL)
    Users.objects.filter(is_staff=True).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
  const ls = alias(lintMigrationSource(src, 'x.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_x'));
  assert.deepEqual(ls.map(l => [l.line, l.goesTo]), [[6, { model: 'shop.Order', access: 'write' }], [8, { model: 'settings.AUTH_USER_MODEL', access: 'write' }]]);
  // (the chain's calls named: the update is the write)
  assert.match(ls[0]!.message, /shop\.Order\.objects\.filter\(\)\.update\(\) runs on the router's choice for shop\.Order/);
});

test('runpython-alias: a replica router that reads from default while a transaction is open (transaction.get_autocommit), during a migration of default (dis-wagtail; Django venv)', { skip: djangoPython() ? false : 'no Django venv' }, async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "main.sqlite3"}, "read_replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "replica.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.ReadReplicaRouter"]\n',
    'proj/routers.py': `from django.db import DEFAULT_DB_ALIAS, transaction


class ReadReplicaRouter:
    def db_for_read(self, model, **hints):
        if not transaction.get_autocommit(using=DEFAULT_DB_ALIAS):
            return DEFAULT_DB_ALIAS
        return "read_replica"

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == "read_replica":
            return False
        return None
`,
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=10)\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Item", fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=10))])]\n',
    'shop/migrations/0002_data.py': `from django.db import migrations, router


def forwards(apps, schema_editor):
    Item = apps.get_model("shop", "Item")
    print("reads from", router.db_for_read(Item))
    Item.objects.filter(name="a").exists()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`,
  }, 'dmdb-autocommit-');
  // Django: migrating default, the RunPython runs in its transaction: reads go to default
  const out = execFileSync(djangoPython()!, ['-c', 'import django; django.setup(); from django.core.management import call_command; call_command("migrate", database="default", verbosity=0)'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } });
  assert.match(out, /reads from default/);
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[7, 'info']], JSON.stringify(found.map(f => f.message)));
  assert.match(found[0]!.message, /\('default'\): 'default' is the only database the routers let this RunPython run on/);
});

test('runpython-alias: a router that cannot be read here (its package is not in the environment) makes the lint an info where the RunPython runs on one database (giga-maps)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "meter": {"ENGINE": "django.db.backends.sqlite3", "NAME": "m.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.MeterRouter", "dynamic_db_router.DynamicDbRouter"]\n',
    'proj/routers.py': 'class MeterRouter:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "meter" if app_label == "meter" else db == "default"\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())])]\n',
    'shop/migrations/0002_data.py': 'from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    apps.get_model("shop", "Order").objects.filter(n=0).update(n=1)\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n',
  }, 'dmdb-unreadable-router-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[5, 'info']], JSON.stringify(found.map(f => f.message)));
  assert.match(found[0]!.message, /\(router dynamic_db_router\.DynamicDbRouter .*cannot be evaluated: .*: where it is installed it decides\)$/);
});

test('runpython-alias: code a RunPython function runs only when migrating one alias (it checks schema_editor.connection.alias) is judged there (frePPLe common.0014, common.0037)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "scenario1": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.ScenarioRouter"]\n',
    // frePPLe's MultiDBRouter: a thread-local nothing sets during migrate, no allow_migrate
    'proj/routers.py': 'import threading\n\n_local = threading.local()\n\n\nclass ScenarioRouter:\n    def db_for_read(self, model, **hints):\n        return getattr(_local, "database", None)\n\n    def db_for_write(self, model, **hints):\n        return getattr(_local, "database", None)\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())])]\n',
    'shop/migrations/0002_data.py': `from django.db import DEFAULT_DB_ALIAS, migrations


def only_default(apps, schema_editor):
    if not schema_editor.connection.alias == "default":
        return
    Order = apps.get_model("shop", "Order")
    Order(n=1).save()


def guarded_block(apps, schema_editor):
    db = schema_editor.connection.alias
    if db == DEFAULT_DB_ALIAS:
        apps.get_model("shop", "Order").objects.using(DEFAULT_DB_ALIAS).create(n=2)
        seed(apps)


def seed(apps):
    apps.get_model("shop", "Order").objects.create(n=3)


def unguarded(apps, schema_editor):
    apps.get_model("shop", "Order").objects.using(DEFAULT_DB_ALIAS).create(n=4)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RunPython(only_default, migrations.RunPython.noop),
        migrations.RunPython(guarded_block, migrations.RunPython.noop),
        migrations.RunPython(unguarded, migrations.RunPython.noop),
    ]
`,
  }, 'dmdb-alias-guard-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  // the save() and the helper's create() run only on default, where the router (nothing set) sends them: infos;
  // using(DEFAULT_DB_ALIAS) under the check is the database being migrated; without the check it is not
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[8, 'info'], [19, 'info'], [23, 'warning']], JSON.stringify(found.map(f => f.message)));
  assert.match(found[0]!.message, /this code runs only when migrating 'default'/);
  assert.match(found[2]!.message, /bound to DEFAULT_DB_ALIAS, not on the database being migrated/);
});

test('runpython-alias: a queryset given to a query as it is (Subquery, Exists, id__in=…, or a name used only so) runs inside that query; one evaluated on its own is checked (bookwyrm 0104, Plane 0112)', async () => {
  await initPython();
  const src = `from django.db import migrations, models


def forwards(apps, schema_editor):
    db_alias = schema_editor.connection.alias
    Edition = apps.get_model("shop", "Edition")
    Edition.objects.using(db_alias).update(title=models.Subquery(Edition.objects.filter(id=models.OuterRef("parent")).values("title")[:1]))
    Edition.objects.using(db_alias).filter(id__in=Edition.objects.filter(title="x").values("id")).delete()
    Edition.objects.using(db_alias).annotate(has=models.Exists(Edition.objects.filter(parent=models.OuterRef("pk")))).count()
    Edition.objects.using(db_alias).filter(id__in=list(Edition.objects.filter(title="y").values_list("id", flat=True))).delete()
    Edition.objects.using(db_alias).filter(n=Edition.objects.filter(title="z").count()).delete()
    first = Edition.objects.filter(parent=models.OuterRef("pk")).values("title")[:1]
    Edition.objects.using(db_alias).update(title=models.Subquery(first))
    ids = Edition.objects.filter(title="w").values("id")
    Edition.objects.using(db_alias).filter(id__in=ids).delete()
    again = Edition.objects.filter(title="v")
    Edition.objects.using(db_alias).filter(id__in=again).delete()
    print(again.count())


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
  const found = lintMigrationSource(src, '/x/shop/migrations/0002_x.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_x').filter(l => l.code === 'runpython-alias');
  // the list() and the count() run on their own, on the router's choice; so does a name held queryset also counted
  // on its own (`again`), not one used only inside other queries (Plane 0112: `Subquery(triage_state_subquery)`)
  assert.deepEqual(found.map(l => l.line), [10, 11, 16], JSON.stringify(found.map(l => l.message)));
});

test('runpython-alias: a read the router sends to a replica migrations leave empty is a warning, said so (license-manager)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "read_replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "r.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.ReplicaRouter"]\n',
    'proj/routers.py': 'class ReplicaRouter:\n    def db_for_read(self, model, **hints):\n        return "read_replica"\n\n    def db_for_write(self, model, **hints):\n        return "default"\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default"\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())])]\n',
    'shop/migrations/0002_data.py': 'from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    for o in apps.get_model("shop", "Order").objects.all():\n        pass\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n',
  }, 'dmdb-replica-read-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[5, 'warning']], JSON.stringify(found.map(f => f.message)));
  assert.match(found[0]!.message, /the routers send it to 'read_replica', where migrations never create its table/);
});

test('runpython-alias: the warning names the other databases the RunPython runs on (course-discovery\'s read_replica)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "read_replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "r.sqlite3"}}\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Currency(models.Model):\n    code = models.CharField(max_length=3)\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\ndef add(apps, schema_editor):\n    apps.get_model("shop", "Currency").objects.bulk_create([])\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Currency", fields=[("id", models.AutoField(primary_key=True)), ("code", models.CharField(max_length=3))]), migrations.RunPython(add, migrations.RunPython.noop)]\n',
  }, 'dmdb-names-other-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[5, 'warning']]);
  assert.match(found[0]!.message, /\(this RunPython runs on 'read_replica' too, where it still goes to 'default'\)$/);
});

test('runpython-alias: the router\'s choice reached through another alias of the same database counts as that database (AlertaDengue\'s `default` is its `dados`)', async () => {
  const pg = (name: string) => `{"ENGINE": "django.db.backends.postgresql", "NAME": "${name}", "HOST": "db", "PORT": "5432"}`;
  const dir = settingsProject({
    'proj/settings.py': `SECRET_KEY = "x"\nINSTALLED_APPS = ["dados", "shop"]\nDATABASES = {"dados": ${pg('dengue')}, "default": ${pg('dengue')}, "infodengue": ${pg('infodengue')}}\nDATABASE_ROUTERS = ["proj.routers.AppsRouter"]\nMAPPING = {"dados": "dados", "default": "default"}\n`,
    'proj/routers.py': 'from django.conf import settings\n\n\nclass AppsRouter:\n    def db_for_write(self, model, **hints):\n        return settings.MAPPING.get(model._meta.app_label)\n\n    def allow_migrate(self, db, app_label, **hints):\n        m = settings.MAPPING\n        if db in m.values() and app_label in m:\n            return m[app_label] == db\n        return True\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Group(models.Model):\n    name = models.CharField(max_length=80)\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Group", fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=80))])]\n',
    'dados/__init__.py': '',
    'dados/models.py': 'from django.db import models\n\n\nclass City(models.Model):\n    name = models.CharField(max_length=80)\n',
    'dados/migrations/__init__.py': '',
    'dados/migrations/0001_initial.py': 'from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    apps.get_model("shop", "Group").objects.get_or_create(name="api")\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n',
  }, 'dmdb-same-db-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.deepEqual(found.map(f => [!!f.path?.endsWith('dados/migrations/0001_initial.py'), f.line, f.severity]), [[true, 5, 'warning']]);
  // dados's RunPython runs on 'dados' (the same database as 'default', where shop.Group's writes go) and 'infodengue'
  assert.match(found[0]!.message, /\('default'\), not on the database being migrated; .* \(this RunPython runs on 'dados', 'infodengue': on 'dados', the same database as 'default', this works; on 'infodengue' it still goes to 'default'\)$/);
});

test('runpython-alias: a read routed by a request-scoped flag (asgiref Local, unset while migrate runs) goes to default (Plane)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "r.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.ReadReplicaRouter"]\n',
    'proj/scope.py': 'from asgiref.local import Local\n\n_ctx = Local()\n\n\ndef should_use_read_replica():\n    return getattr(_ctx, "use_read_replica", False)\n',
    'proj/routers.py': 'from .scope import should_use_read_replica\n\n\nclass ReadReplicaRouter:\n    def db_for_read(self, model, **hints):\n        if should_use_read_replica():\n            return "replica"\n        return "default"\n\n    def db_for_write(self, model, **hints):\n        return "default"\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default"\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())])]\n',
    'shop/migrations/0002_data.py': 'from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    for o in apps.get_model("shop", "Order").objects.all():\n        pass\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n',
  }, 'dmdb-local-read-');
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  const found = index.findings.filter(f => f.code === 'runpython-alias');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[5, 'info']], JSON.stringify(found.map(f => f.message)));
  assert.match(found[0]!.message, /router's choice for shop\.Order \('default'\)/);
  // at request time the flag may be set: where reads go then is not known statically
  assert.equal(index.dbRoutes?.read.find(r => r.model === 'shop.Order')?.alias, null);
});

test('runpython-alias: apps.get_model(app, name) with a name not known statically is routed as every model of the app is (DefectDojo 0227)', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "history": {"ENGINE": "django.db.backends.sqlite3", "NAME": "h.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.AppRouter"]\n',
    'proj/routers.py': 'class AppRouter:\n    def db_for_read(self, model, **hints):\n        return "default" if model._meta.app_label == "shop" else None\n\n    def db_for_write(self, model, **hints):\n        return self.db_for_read(model, **hints)\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default" if app_label == "shop" else None\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Order(models.Model):\n    n = models.IntegerField()\n\n\nclass Item(models.Model):\n    n = models.IntegerField()\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())]),\n        migrations.CreateModel(name="Item", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())]),\n    ]\n',
    'shop/migrations/0002_data.py': 'from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    for name in ("Order", "Item"):\n        model = apps.get_model("shop", name)\n        model.objects.filter(n=0).delete()\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n',
  }, 'dmdb-getmodel-var-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.deepEqual(found.map(f => [f.line, f.severity]), [[7, 'info']], JSON.stringify(found.map(f => f.message)));
  assert.match(found[0]!.message, /\('default'\)/);
  // a loop over literal names is those models (course-discovery 0223), routed one by one
  assert.match(found[0]!.message, /shop\.Order \/ shop\.Item/);
});

test('runpython-alias: apps.get_model(app, name) with a name not known at all is every model of the app', async () => {
  await initPython();
  const src = 'from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    for name in get_names():\n        apps.get_model("shop", name).objects.all().delete()\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunPython(forwards)]\n';
  const found = lintMigrationSource(src, '/x/shop/migrations/0002_x.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_x').filter(l => l.code === 'runpython-alias');
  assert.equal(found.length, 1);
  assert.match(found[0]!.message, /shop\.\*/);
});

test('runpython-alias: an instance built with a related object gets its database, so its save() is not flagged (wger 0019)', async () => {
  await initPython();
  const src = `from django.db import migrations


def forwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    Order = apps.get_model("shop", "Order")
    Line = apps.get_model("shop", "Line")
    for o in Order.objects.using(alias).all():
        Line(order=o).save()
        line = Line(order=o, n=1)
        line.save()
        Line(n=2).save()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`;
  const found = lintMigrationSource(src, '/x/shop/migrations/0002_x.py', new Map([['shop', 'shop']]), 'shop.migrations.0002_x').filter(l => l.code === 'runpython-alias');
  assert.deepEqual(found.map(l => l.line), [12], JSON.stringify(found.map(l => l.message)));
});

test('routers asked about a historical model see what ModelState keeps: no class attribute of the model or an abstract base, a mixin\'s, __module__ "__fake__" (kobotoolbox; Django venv)', { skip: djangoPython() ? false : 'no Django venv' }, async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.R"]\n',
    // kpi.db_routers.DefaultDatabaseRouter: getattr(model, 'read_only', False) before anything else
    'proj/routers.py': `class R:
    def db_for_read(self, model, **hints):
        if model.__module__ == "shop.models":
            return "other"
        return "default"

    def db_for_write(self, model, **hints):
        if getattr(model, "read_only", False):
            return "other"
        if getattr(model, "archived", False):
            return "other"
        return "default"

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
`,
    'shop/__init__.py': '',
    'shop/mixins.py': 'class Archived:\n    archived = True\n',
    'shop/models.py': `from django.db import models
from shop.mixins import Archived


class Base(models.Model):
    read_only = True

    class Meta:
        abstract = True


class Order(Base):
    n = models.IntegerField(default=0)


class Box(Archived, models.Model):
    n = models.IntegerField(default=0)
`,
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': `import shop.mixins
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField(default=0))]),
        migrations.CreateModel(name="Box", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField(default=0))], bases=(shop.mixins.Archived, models.Model)),
    ]
`,
    'shop/migrations/0002_data.py': `from django.db import migrations


def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    Box = apps.get_model("shop", "Box")
    Order.objects.update(n=1)
    Box.objects.update(n=1)
    Order.objects.filter(n=0).count()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`,
  }, 'dmdb-historical-attrs-');
  const django = JSON.parse(execFileSync(djangoPython()!, ['-c', `
import json, django
django.setup()
from django.db import router
from django.apps import apps
from django.db.migrations.loader import MigrationLoader
state = MigrationLoader(None, ignore_no_migrations=True).project_state().apps
Order, Box = state.get_model("shop", "Order"), state.get_model("shop", "Box")
print(json.dumps({"historical": [router.db_for_write(Order), router.db_for_write(Box), router.db_for_read(Order)],
                  "current": [router.db_for_write(apps.get_model("shop", "Order")), router.db_for_write(apps.get_model("shop", "Box")), router.db_for_read(apps.get_model("shop", "Order"))]}))
`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } }));
  assert.deepEqual(django, { historical: ['default', 'other', 'default'], current: ['other', 'other', 'other'] });
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  const lints = index.findings.filter(f => f.code === 'runpython-alias');
  const at = (line: number) => lints.find(f => f.line === line);
  // the historical Order has no read_only (its abstract base's class attribute): its writes go to default, where the
  // RunPython runs, an info; Box keeps its mixin: its writes go elsewhere (not known statically: the mixin's value
  // is not read), and its reads go to default (__module__ is "__fake__")
  assert.match(at(7)?.message ?? '', /shop\.Order\.objects\.update\(\) runs on the router's choice for shop\.Order \('default'\)/, JSON.stringify(lints.map(f => [f.line, f.severity, f.message])));
  assert.equal(at(7)?.severity, 'info');
  assert.notEqual(at(8)?.severity, 'info');
  assert.match(at(9)?.message ?? '', /\('default'\)/);
  // the current models, as the routing of today's queries sees them
  const write = (m: string) => index.dbRoutes?.write?.find(r => r.model === m)?.alias;
  assert.equal(write('shop.Order'), 'other');
  assert.equal(index.dbRoutes?.read?.find(r => r.model === 'shop.Order')?.alias, 'other');
});

test('a model only the migration state has: its historical class has the fields and managers its migrations gave it, nothing else (kobotoolbox\'s kpi.Collection; Django venv)', { skip: djangoPython() ? false : 'no Django venv' }, async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.R"]\n',
    'proj/routers.py': `class R:
    def db_for_read(self, model, **hints):
        return "default"

    def db_for_write(self, model, **hints):
        if getattr(model, "read_only", False) or hasattr(model, "tenant_id"):
            return "other"
        return "default"

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
`,
    'shop/__init__.py': '',
    'shop/mixins.py': 'class Labelled:\n    label = "x"\n\n    def describe(self):\n        return self.label\n',
    'shop/models.py': 'from django.db import models\n\n\nclass Asset(models.Model):\n    n = models.IntegerField(default=0)\n',
    'shop/migrations/__init__.py': '',
    // Collection and Locked are gone from models.py; Locked has a field named read_only
    'shop/migrations/0001_initial.py': `from django.db import migrations, models
from shop.mixins import Labelled


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Asset", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField(default=0))]),
        migrations.CreateModel(name="Collection", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField(default=0))]),
        migrations.CreateModel(name="Locked", fields=[("id", models.AutoField(primary_key=True))]),
        migrations.AddField(model_name="locked", name="read_only", field=models.BooleanField(default=True)),
        migrations.CreateModel(name="Marked", fields=[("id", models.AutoField(primary_key=True))], bases=(Labelled, models.Model)),
        migrations.CreateModel(name="Tagged", fields=[("id", models.AutoField(primary_key=True))]),
        migrations.RenameModel(old_name="Tagged", new_name="Renamed"),
        migrations.CreateModel(name="Owned", fields=[("id", models.AutoField(primary_key=True)), ("tenant", models.ForeignKey(on_delete=models.CASCADE, to="shop.asset"))]),
    ]
`,
    'shop/migrations/0002_data.py': `from django.db import migrations


def forwards(apps, schema_editor):
    Collection = apps.get_model("shop", "Collection")
    Locked = apps.get_model("shop", "Locked")
    Collection.objects.update(n=1)
    Locked.objects.update(read_only=False)
    Marked = apps.get_model("shop", "Marked")
    Marked.objects.update(id=1)
    Renamed = apps.get_model("shop", "Renamed")
    Renamed.objects.update(id=1)
    Owned = apps.get_model("shop", "Owned")
    Owned.objects.update(id=1)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
`,
    'shop/migrations/0003_gone.py': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0002_data")]\n    operations = [migrations.DeleteModel(name="Collection"), migrations.DeleteModel(name="Locked"), migrations.DeleteModel(name="Marked"), migrations.DeleteModel(name="Renamed"), migrations.DeleteModel(name="Owned")]\n',
  }, 'dmdb-state-only-');
  const django = JSON.parse(execFileSync(djangoPython()!, ['-c', `
import json, django
django.setup()
from django.db import router
from django.db.migrations.loader import MigrationLoader
loader = MigrationLoader(None, ignore_no_migrations=True)
state = loader.project_state(("shop", "0002_data")).apps
print(json.dumps([router.db_for_write(state.get_model("shop", "Collection")), router.db_for_write(state.get_model("shop", "Locked")), router.db_for_write(state.get_model("shop", "Marked")), router.db_for_write(state.get_model("shop", "Renamed")), router.db_for_write(state.get_model("shop", "Owned"))]))
`], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'proj.settings', PYTHONPATH: dir } }));
  assert.deepEqual(django, ['default', 'other', 'default', 'default', 'other']);
  const index = await new Scanner({ root: dir, allowPython: false, env: {} }).index();
  const lints = index.findings.filter(f => f.code === 'runpython-alias');
  const at = (line: number) => lints.find(f => f.line === line);
  const all = JSON.stringify(lints.map(f => [f.line, f.severity, f.message]));
  // Collection never had a read_only: its writes go to default, where the RunPython runs
  assert.match(at(7)?.message ?? '', /shop\.Collection\.objects\.update\(\) runs on the router's choice for shop\.Collection \('default'\)/, all);
  assert.equal(at(7)?.severity, 'info');
  // Locked has a field of that name: the router's answer is not known statically (Django: 'other')
  assert.match(at(8)?.message ?? '', /shop\.Locked \(one of 'other', 'default', which one not known statically\)/, all);
  // Marked has a mixin (kept on the historical class) without read_only: default
  assert.match(at(10)?.message ?? '', /shop\.Marked \('default'\)/, all);
  // Renamed was made as Tagged: what its migrations gave it is not followed through a RenameModel, not known
  assert.match(at(12)?.message ?? '', /shop\.Renamed \(one of 'other', 'default', which one not known statically\)/, all);
  // Owned's foreign key gives its class tenant_id (the field's attname): not known, as Django may find it
  assert.match(at(14)?.message ?? '', /shop\.Owned \(one of 'other', 'default', which one not known statically\)/, all);
  // RunSQL with state_operations changes the state in a way not read: the app's models only the state has are not known
  // where it comes before the RunPython; after it (kpi's 0074, operations built at run time), it changes nothing there
  const sql = (deps: string) => `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [${deps}]\n    operations = [migrations.RunSQL("SELECT 1", state_operations=[migrations.AddField("asset", "read_only", models.BooleanField(default=True))])]\n`;
  fs.writeFileSync(path.join(dir, 'shop/migrations/0004_sql.py'), sql('("shop", "0003_gone")'));
  const after = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias' && f.line === 7);
  assert.match(after[0]?.message ?? '', /shop\.Collection \('default'\)/);
  fs.rmSync(path.join(dir, 'shop/migrations/0004_sql.py'));
  fs.writeFileSync(path.join(dir, 'shop/migrations/0001_sql.py'), sql('("shop", "0001_initial")'));
  fs.writeFileSync(path.join(dir, 'shop/migrations/0002_data.py'), fs.readFileSync(path.join(dir, 'shop/migrations/0002_data.py'), 'utf8').replace('("shop", "0001_initial")', '("shop", "0001_sql")'));
  const again = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias' && f.line === 7);
  assert.match(again[0]?.message ?? '', /shop\.Collection \(one of 'other', 'default', which one not known statically\)/);
});

test('runpython-alias: a model only the migrations have is made of the migrations before the one asking; a later migration built at run time does not make it unknown (kpi.0026 Collection, 0074)', async () => {
  const mig = (deps: string, body: string, pre = '') => `from django.db import migrations, models\n${pre}\n\nclass Migration(migrations.Migration):\n    dependencies = [${deps}]\n    operations = ${body}\n`;
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "kobocat": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nDATABASE_ROUTERS = ["proj.routers.R"]\n',
    'proj/routers.py': 'class R:\n    def db_for_write(self, model, **hints):\n        if getattr(model, "read_only", False):\n            return "kobocat"\n        return "default"\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default"\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Asset(models.Model):\n    n = models.IntegerField()\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': mig('', '[\n        migrations.CreateModel("Asset", [("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())]),\n        migrations.CreateModel("Collection", [("id", models.AutoField(primary_key=True)), ("flag", models.BooleanField(default=False))]),\n    ]'),
    'shop/migrations/0002_flags.py': mig('("shop", "0001_initial")', '[migrations.RunPython(forwards, migrations.RunPython.noop)]',
      '\n\ndef forwards(apps, schema_editor):\n    Collection = apps.get_model("shop", "Collection")\n    Collection.objects.update(flag=True)\n'),
    'shop/migrations/0003_delete.py': mig('("shop", "0002_flags")', '[migrations.DeleteModel(name="Collection")]'),
    'shop/migrations/0004_built.py': mig('("shop", "0003_delete")', 'get_operations()', '\n\ndef get_operations():\n    from django.conf import settings\n    return [] if settings.TESTING else [migrations.RunSQL("SELECT 1")]\n'),
  }, 'dmdb-state-only-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.equal(found.length, 1, JSON.stringify(found));
  // the router's write choice for the historical Collection (no read_only attribute): 'default', where it runs
  assert.match(found[0]!.message, /runs on the router's choice for shop\.Collection \('default'\)/);
  assert.equal(found[0]!.severity, 'info');
});

test('runpython-alias: a read router choosing a database at random names the ones it chooses among (corpora: random.choice(list(settings.DATABASES.keys())))', async () => {
  const dir = settingsProject({
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a"}, "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b"}}\nDATABASE_ROUTERS = ["proj.routers.ReadRouter"]\n',
    'proj/routers.py': 'import random\nfrom django.conf import settings\n\n\nclass ReadRouter:\n    def db_for_read(self, model, **hints):\n        return random.choice(list(settings.DATABASES.keys()))\n\n    def db_for_write(self, model, **hints):\n        return "default"\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default"\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Person(models.Model):\n    n = models.IntegerField()\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.CreateModel("Person", [("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())])]\n',
    'shop/migrations/0002_read.py': 'from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    for p in apps.get_model("shop", "Person").objects.all():\n        print(p)\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n',
  }, 'dmdb-random-read-');
  const found = (await new Scanner({ root: dir, allowPython: false, env: {} }).index()).findings.filter(f => f.code === 'runpython-alias');
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.match(found[0]!.message, /runs on the router's choice for shop\.Person \(one of 'default', 'replica', chosen at random\), which may not be the database being migrated; bind it/);
});
