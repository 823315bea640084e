// The finding registry (src/core/finding-codes.ts) is the one list of codes: every code the core writes is in it,
// every entry is produced by a fixture below, docs/findings.md is generated from it, and `check` reads it
// (errors fail by default, --fail-on all selects every code).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { Scanner, withDjango } from '../../src/core/scan';
import { missingMigrationFindings } from '../../src/core/django';
import type { Finding } from '../../src/core/types';
import { FINDING_CODES, FINDING_RULES, defaultFailSelection, isFindingCode, parseFailOn, selects } from '../../src/core/finding-codes';
import { renderFindingsDoc } from '../../src/core/findings-doc';
import { toSarif } from '../../src/cli/ci-formats';
import { REPO, cli } from '../oracle/helpers';
import { writeTree } from './support';

const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
function project(files: Record<string, string>): string {
  const d = writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    ...files,
  }, 'dmdb-registry-');
  dirs.push(d);
  return d;
}

const MIGRATION = (deps: [string, string][], ops = '') =>
  `from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    dependencies = [${deps.map(([a, n]) => `("${a}", "${n}")`).join(', ')}]\n    operations = [${ops}]\n`;

const SETTINGS = (apps: string[], extra = '') =>
  `DATABASES = {\n    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "default.sqlite3"},\n${extra}}\n` +
  `INSTALLED_APPS = [${apps.map(a => `"${a}"`).join(', ')}]\nDATABASE_ROUTERS = ["proj.routers.Router"]\n`;

const ROUTER = `import random

class Router:
    def db_for_read(self, model, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "crm":
            return db == "other"
        if model_name == "mystery":
            return random.choice([True, False])
        return None
`;

/** One project that yields most codes: routing, databases (one readable, one not, one with a broken history), settings, parse errors. */
async function bigProject(): Promise<{ dir: string; findings: Finding[] }> {
  const dir = project({
    'proj/settings.py': SETTINGS(['shop', 'crm', 'not_an_app'],
      '    "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "other.sqlite3"},\n' +
      '    "hist": {"ENGINE": "django.db.backends.sqlite3", "NAME": "hist.sqlite3"},\n'),
    'proj/routers.py': ROUTER,
    'shop/__init__.py': '',
    'shop/models.py':
      'from django.db import models\n\nclass Order(models.Model):\n    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE)\n\n' +
      'class Mystery(models.Model):\n    name = models.CharField(max_length=10)\n\nclass Broken(models.Model:\n    pass\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': MIGRATION([]),
    'shop/migrations/0002_more.py':
      'from django.db import migrations\nfrom shop.models import Order\n\n' +
      'def fill(apps, schema_editor):\n    Mystery = apps.get_model("shop", "Mystery")\n    Mystery.objects.update(name="x")\n    Order.objects.using(schema_editor.connection.alias).count()\n\n' +
      'class Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.RunPython(fill)]\n',
    'crm/__init__.py': '',
    'crm/models.py': 'from django.db import models\n\nclass Customer(models.Model):\n    name = models.CharField(max_length=10)\n\n' +
      'def recent():\n    return Customer.objects.using("othr").all()\n',
  });
  fs.writeFileSync(path.join(dir, 'other.sqlite3'), 'not a database '.repeat(200));
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path.join(dir, 'hist.sqlite3'));
  db.exec('CREATE TABLE django_migrations (id integer primary key autoincrement, app varchar(255), name varchar(255), applied datetime)');
  db.prepare("INSERT INTO django_migrations (app, name, applied) VALUES ('shop', '0002_more', '2024-01-01')").run();
  db.close();
  const scanner = new Scanner({ root: dir, allowPython: false, readDatabases: true, env: {} });
  const index = await scanner.readState(await scanner.index());
  // Django mode asked for where Python may not run: django-unavailable (info), no process started
  const withMode = await withDjango(index, { root: dir, allowPython: false, mode: 'auto', env: {} });
  return { dir, findings: withMode.findings };
}

/** A database that does not hold what routing and its applied migrations imply: the four drift codes. */
async function driftProject(): Promise<Finding[]> {
  const dir = project({
    'proj/settings.py': 'DATABASES = {\n    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "d.sqlite3"},\n    "arch": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"},\n}\nINSTALLED_APPS = ["inv"]\nDATABASE_ROUTERS = ["proj.routers.Router"]\n',
    'proj/routers.py': 'class Router:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if db == "arch":\n            return False\n        return None\n',
    'inv/__init__.py': '',
    'inv/models.py': 'from django.db import models\n\nclass Item(models.Model):\n    n = models.IntegerField()\n\nclass Legacy(models.Model):\n    n = models.IntegerField()\n\n    class Meta:\n        managed = False\n        db_table = "legacy_t"\n',
    'inv/migrations/__init__.py': '',
    'inv/migrations/0001_initial.py': MIGRATION([], 'migrations.CreateModel(name="Item", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField())])'),
  });
  const { default: Database } = await import('better-sqlite3');
  const history = 'CREATE TABLE django_migrations (id integer primary key autoincrement, app varchar(255), name varchar(255), applied datetime)';
  const d = new Database(path.join(dir, 'd.sqlite3'));
  d.exec(history);
  // inv.0001_initial applied, inv_item missing (schema-drift); a row for a migration not on disk; legacy_t missing
  d.prepare("INSERT INTO django_migrations (app, name, applied) VALUES ('inv', '0001_initial', '2024-01-01'), ('inv', '0009_ghost', '2024-01-01')").run();
  d.close();
  const a = new Database(path.join(dir, 'a.sqlite3'));
  a.exec(history);
  // the routers keep inv off "arch", yet its table is there (stray-table)
  a.exec('CREATE TABLE inv_item (id integer primary key, n integer)');
  a.close();
  const scanner = new Scanner({ root: dir, allowPython: false, readDatabases: true, env: {} });
  return (await scanner.readState(await scanner.index())).findings;
}

async function findingsOf(files: Record<string, string>): Promise<Finding[]> {
  const dir = project(files);
  return (await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {} }).index()).findings;
}

const settingsSyntaxError = { 'proj/settings.py': SETTINGS(['shop']) + 'EXTRA = (\n', 'proj/routers.py': ROUTER, 'shop/__init__.py': '' };
const settingsNameError = { 'proj/settings.py': SETTINGS(['shop']) + 'TIME_ZONE = zone_from_somewhere\n', 'proj/routers.py': ROUTER, 'shop/__init__.py': '' };
const migrationCycle = {
  'proj/settings.py': SETTINGS(['shop']), 'proj/routers.py': ROUTER, 'shop/__init__.py': '', 'shop/migrations/__init__.py': '',
  'shop/migrations/0001_a.py': MIGRATION([['shop', '0002_b']]),
  'shop/migrations/0002_b.py': MIGRATION([['shop', '0001_a']]),
};
const conflictAndMissing = {
  'proj/settings.py': SETTINGS(['shop']), 'proj/routers.py': ROUTER, 'shop/__init__.py': '', 'shop/migrations/__init__.py': '',
  'shop/migrations/0001_initial.py': MIGRATION([]),
  'shop/migrations/0002_left.py': MIGRATION([['shop', '0001_initial']]),
  // (a missing parent in another app: a missing parent in shop itself would make the two leaves its artifact)
  'shop/migrations/0002_right.py': MIGRATION([['shop', '0001_initial'], ['gone', '0001_initial']]),
};

describe('every code the core produces is in the registry, and every entry is produced', () => {
  test('the code literals of src/core (TypeScript AST) are registry codes, and each entry has a producer', () => {
    const produced = new Set<string>();
    const compared = new Set<string>();
    const files = fs.readdirSync(path.join(REPO, 'src', 'core'), { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.ts'));
    const literals = (e: ts.Expression): string[] =>
      ts.isStringLiteral(e) ? [e.text]
        : ts.isConditionalExpression(e) ? [...literals(e.whenTrue), ...literals(e.whenFalse)]
          : ts.isAsExpression(e) || ts.isParenthesizedExpression(e) ? literals(e.expression) : [];
    for (const rel of files) {
      if (rel === 'finding-codes.ts') continue;
      const file = path.join(REPO, 'src', 'core', rel);
      const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node): void => {
        // `{ code: '…', severity: … }`: a Finding being written
        if (ts.isObjectLiteralExpression(n)) {
          const props = new Map(n.properties.filter(ts.isPropertyAssignment).map(p => [p.name.getText(sf), p.initializer]));
          const names = new Set(n.properties.map(p => p.name?.getText(sf)));
          const code = props.get('code');
          // a finding, or a lint on its way to one (`{ code, line, message }`)
          if (code && (names.has('severity') || names.has('message'))) literals(code).forEach(c => produced.add(c));
          else if (code) literals(code).forEach(c => compared.add(c));
        }
        // `const code = cond ? 'a' : 'b'` then `{ code, severity }`
        if (ts.isVariableDeclaration(n) && n.name.getText(sf) === 'code' && n.initializer) literals(n.initializer).forEach(c => produced.add(c));
        // `f.code === '…'`
        if (ts.isBinaryExpression(n) && /^(===|!==)$/.test(n.operatorToken.getText(sf)) && /\.code$/.test(n.left.getText(sf)) && /^(f|x|d|p)\./.test(n.left.getText(sf))) {
          literals(n.right).forEach(c => compared.add(c));
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    assert.ok(produced.size >= 8, `found the producers: ${[...produced].join(', ')}`);
    for (const c of produced) assert.ok(isFindingCode(c), `the core writes findings with code '${c}', which is not in FINDING_RULES`);
    // problems of the readers carry a code that becomes a finding's code as it is
    for (const c of compared) if (/^[a-z]+(-[a-z]+)+$/.test(c)) assert.ok(isFindingCode(c) || c === 'inconsistent-history', `'${c}' compared with a finding code is not a registry code`);
    for (const c of FINDING_CODES) assert.ok(produced.has(c), `registry entry '${c}' is produced nowhere in src/core (drop it, or write it)`);
  });

  test('scans of small projects produce every registry code, each with a known severity', async () => {
    const big = await bigProject();
    const all = [
      ...big.findings,
      ...await findingsOf(settingsSyntaxError),
      ...await findingsOf(settingsNameError),
      ...await findingsOf(migrationCycle),
      ...await findingsOf(conflictAndMissing),
      ...await findingsOf({ 'proj/settings.py': SETTINGS([]) + 'DATABASE_ROUTERS += ["proj.routers.Typo"]\n', 'proj/routers.py': 'class Router:\n    def allow_migrate(self, db, model):\n        return None\n' }),
      // router-unknown-label: an app label one letter off an installed app's
      ...await findingsOf({ 'proj/settings.py': SETTINGS(['shop']), 'proj/routers.py': 'class Router:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return db == "default" if app_label == "shops" else None\n', 'shop/__init__.py': '' }),
      // router-replica-unmirrored: a replica read from, never written to, migrated and not declared a mirror
      ...await findingsOf({
        'proj/settings.py': SETTINGS(['shop'], '    "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "r.sqlite3"},\n'),
        'proj/routers.py': 'class Router:\n    def db_for_read(self, model, **hints):\n        return "replica"\n\n    def db_for_write(self, model, **hints):\n        return "default"\n',
        'shop/__init__.py': '', 'shop/models.py': 'from django.db import models\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
      }),
      // router-migrate-alias: an alias returned where allow_migrate answers True/False/None
      ...await findingsOf({ 'proj/settings.py': SETTINGS([]), 'proj/routers.py': 'class Router:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        return "default"\n' }),
      // settings-partial (plugins from a package that is not installed), settings-assumption (a raise-only branch)
      ...await findingsOf({
        'proj/settings.py': 'import sys\nimport plugin_registry\nif sys.version_info < (3, 0):\n    raise RuntimeError("too old")\n' + SETTINGS(['shop']) + 'INSTALLED_APPS.extend(plugin_registry.apps())\n',
        'proj/routers.py': ROUTER, 'shop/__init__.py': '',
      }),
      // apps-discovered: INSTALLED_APPS not known at all, apps found in the workspace
      ...await findingsOf({
        'proj/settings.py': 'import plugin_registry\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}}\nINSTALLED_APPS = plugin_registry.apps()\n',
        'shop/__init__.py': '', 'shop/migrations/__init__.py': '', 'shop/migrations/0001_initial.py': MIGRATION([]),
      }),
      // databases-not-configured: DATABASES built from environment variables that are not set
      ...await findingsOf({ 'proj/settings.py': 'import os\nINSTALLED_APPS = []\nDATABASES = {}\nif os.environ.get("DB_NAME"):\n    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DB_NAME"]}\n' }),
      // settings-env-dependent: a replica that only a variable not set here adds
      ...await findingsOf({ 'proj/settings.py': 'import os\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}\nif os.environ.get("REPLICA_HOST"):\n    DATABASES["replica"] = {"ENGINE": "django.db.backends.postgresql", "HOST": os.environ["REPLICA_HOST"]}\n' }),
      // parse-budget: nested deeper than the parser follows
      ...await findingsOf({ 'proj/settings.py': SETTINGS(['shop']), 'proj/routers.py': ROUTER, 'shop/__init__.py': '', 'shop/models.py': `X = ${'('.repeat(400)}1${')'.repeat(400)}\n` }),
      // operation-fall-through: a router that decides by model_name, a RunPython that gives it none
      ...await findingsOf({
        'proj/settings.py': SETTINGS(['shop'], '    "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "o.sqlite3"},\n'),
        'proj/routers.py': 'class Router:\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if model_name == "order":\n            return db == "other"\n        return None\n',
        'shop/__init__.py': '', 'shop/models.py': 'from django.db import models\n\nclass Order(models.Model):\n    n = models.IntegerField()\n',
        'shop/migrations/__init__.py': '',
        'shop/migrations/0001_initial.py': MIGRATION([], 'migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)'),
      }),
      // router lints: an alias the router returns that DATABASES lacks, reads and writes where the table is never
      // created, a mirror that may migrate
      ...await findingsOf({
        'proj/settings.py': SETTINGS(['shop', 'blog'], '    "analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"},\n' +
          '    "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "r.sqlite3", "TEST": {"MIRROR": "default"}},\n'),
        'proj/routers.py': 'class Router:\n    def db_for_read(self, model, **hints):\n        return "analytcs" if model._meta.model_name == "order" else "replica"\n\n' +
          '    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label == "shop":\n            return db == "analytics"\n        return None\n',
        'shop/__init__.py': '', 'shop/models.py': 'from django.db import models\n\nclass Order(models.Model):\n    n = models.IntegerField()\n\nclass Item(models.Model):\n    n = models.IntegerField()\n',
        'blog/__init__.py': '', 'blog/models.py': 'from django.db import models\n\nclass Post(models.Model):\n    n = models.IntegerField()\n',
      }),
      ...await driftProject(),
      // missing-migration comes from Django's autodetector (Django mode): its rendering, from the helper's answer
      ...missingMigrationFindings({ shop: [{ kind: 'AddField', describe: 'Add field x to order' }] }, [{ label: 'shop', module: 'shop', entry: 'shop', dir: '/p/shop', external: false, migrationsModule: 'shop.migrations', migrationsDir: '/p/shop/migrations' }], []),
    ];
    for (const f of all) {
      assert.ok(isFindingCode(f.code), `${f.code} is a registry code`);
      assert.ok(['error', 'warning', 'info'].includes(f.severity));
    }
    const seen = new Set(all.map(f => f.code));
    const missing = FINDING_CODES.filter(c => !seen.has(c));
    assert.deepEqual(missing, [], `codes no fixture produced: ${missing.join(', ')}`);
    // the default severity is what is reported in the ordinary case
    for (const c of ['cross-db-foreign-key', 'migration-conflict', 'migration-graph', 'inconsistent-history', 'database-unreachable', 'pending-migrations', 'settings-error', 'django-unavailable'] as const) {
      assert.ok(all.some(f => f.code === c && f.severity === FINDING_RULES[c].severity), `${c} reported as ${FINDING_RULES[c].severity}`);
    }
  });
});

describe('settings that Django cannot import are errors', () => {
  test('a syntax error: settings-error at its line', async () => {
    const fs1 = await findingsOf(settingsSyntaxError);
    const e = fs1.find(f => f.code === 'settings-error');
    assert.ok(e, JSON.stringify(fs1));
    assert.equal(e.severity, 'error');
    assert.equal(e.line, 6);
    assert.match(e.message, /syntax error/);
  });

  test('an undefined name on every path: settings-error; under a condition only, or a builtin the evaluator lacks: not', async () => {
    const fs1 = await findingsOf(settingsNameError);
    const e = fs1.filter(f => f.code === 'settings-error');
    assert.equal(e.length, 1, JSON.stringify(fs1));
    assert.match(e[0]!.message, /zone_from_somewhere/);
    assert.ok(!fs1.some(f => f.code === 'settings-unknown' && f.line === e[0]!.line), 'the NameError is reported once');
    const maybe = await findingsOf({
      'proj/settings.py': SETTINGS(['shop']) + 'import os\nif os.environ.get("X"):\n    TIME_ZONE = zone_from_somewhere\nB = bytes(2)\nH = hex(3)\n',
      'proj/routers.py': ROUTER, 'shop/__init__.py': '',
    });
    assert.deepEqual(maybe.filter(f => f.code === 'settings-error'), [], JSON.stringify(maybe));
  });

  test('a syntax error in a module the settings star-import', async () => {
    const fs1 = await findingsOf({
      'proj/settings.py': 'from .base import *\n', 'proj/base.py': SETTINGS(['shop']) + 'DEBUG = [\n', 'proj/routers.py': ROUTER, 'shop/__init__.py': '',
    });
    const e = fs1.find(f => f.code === 'settings-error');
    assert.ok(e, JSON.stringify(fs1));
    assert.match(e.path ?? '', /base\.py$/);
  });
});

describe('check reads the registry', () => {
  test('a settings syntax error fails check by default (it said "no problems found" and exited 0)', () => {
    const dir = project(settingsSyntaxError);
    const r = cli(['check', dir, '--no-python', '--no-db']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /error \[settings-error\]/);
  });

  test('a migration dependency cycle fails check by default, and --fail-on graph selects it', () => {
    const dir = project(migrationCycle);
    const r = cli(['check', dir, '--no-python', '--no-db']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /error \[migration-graph\] Circular dependency/);
    assert.equal(cli(['check', dir, '--no-python', '--no-db', '--fail-on', 'graph']).status, 1);
    assert.equal(cli(['check', dir, '--no-python', '--no-db', '--fail-on', 'migration-graph']).status, 1);
  });

  test('an error left out by --fail-on is still named on the last line', () => {
    const dir = project(migrationCycle);
    const r = cli(['check', dir, '--no-python', '--no-db', '--fail-on', 'cross-db']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no failing problems \(1 error not selected by --fail-on: migration-graph/);
  });

  test('--fail-on all selects every code; every group and code is accepted; the default holds every error', () => {
    const all = parseFailOn(['all']);
    assert.deepEqual([...all.codes.keys()].sort(), [...FINDING_CODES].sort());
    for (const c of FINDING_CODES) {
      assert.ok(parseFailOn([c]).codes.has(c));
      assert.ok(parseFailOn([FINDING_RULES[c].failOn]).codes.has(c));
    }
    const def = defaultFailSelection();
    for (const c of FINDING_CODES) {
      assert.ok(selects(def, { code: c, severity: 'error' }), `an error of ${c} fails by default`);
      assert.equal(selects(def, { code: c, severity: 'warning' }), FINDING_RULES[c].failsAt !== 'error', `a warning of ${c}`);
      assert.equal(selects(def, { code: c, severity: 'info' }), FINDING_RULES[c].failsAt === 'info', `an info of ${c}`);
    }
    assert.ok(!selects(parseFailOn(['cross-db']), { code: 'migration-graph', severity: 'error' }), 'an explicit list is what it says');
    assert.throws(() => parseFailOn(['nonsense']), /unknown item "nonsense"/);
  });

  test('inconsistent history is selectable (it was not, even with --fail-on all)', async () => {
    const { dir } = await bigProject();
    const r = cli(['check', dir, '--no-python', '--fail-on', 'history', '--format', 'json']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.problems.length >= 1 && j.problems.every((p: any) => p.code === 'inconsistent-history' && p.alias === 'hist'), r.stdout);
    assert.equal(j.rules['inconsistent-history'].title, FINDING_RULES['inconsistent-history'].title);
  });

  test('plan refuses a database whose history is inconsistent (Django\'s migrate stops there), naming it (opal-admin review)', async () => {
    const { dir } = await bigProject();
    // (the project's other broken alias left out: --database)
    const r = cli(['plan', dir, '--no-python', '--database', 'hist']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /cannot plan the deployment: Django refuses to migrate a database whose migration history is inconsistent \(InconsistentMigrationHistory\):\n  On 'hist': /);
    assert.equal(r.stdout, '');
  });

  test('SARIF lists a rule for every code (django-unavailable had none), results point at them', () => {
    const sarif = toSarif([{ code: 'django-unavailable', severity: 'info', path: null, line: null, message: 'm' }], '/x') as any;
    const rules = sarif.runs[0].tool.driver.rules;
    assert.deepEqual(rules.map((r: any) => r.id), FINDING_CODES);
    for (const r of rules) {
      assert.ok(r.shortDescription.text && r.fullDescription.text && r.helpUri.endsWith(`#${r.id}`), JSON.stringify(r));
      assert.ok(['error', 'warning', 'note'].includes(r.defaultConfiguration.level));
    }
    const res = sarif.runs[0].results[0];
    assert.equal(rules[res.ruleIndex].id, 'django-unavailable');
    assert.equal(res.level, 'note');
  });
});

test('docs/findings.md is generated from the registry and up to date (npm run docs:findings)', () => {
  const file = path.join(REPO, 'docs', 'findings.md');
  assert.equal(fs.readFileSync(file, 'utf8'), renderFindingsDoc(), 'docs/findings.md is stale: run npm run docs:findings');
  for (const c of FINDING_CODES) assert.match(renderFindingsDoc(), new RegExp(`^### ${c}$`, 'm'));
});
