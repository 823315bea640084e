// Issue 12 item 2: router-aware schema drift against real databases. Small Django projects are migrated by real
// Django (`migrate --database=…`), then drift is made by hand (a dropped table or column, a table created by a
// migrate without the router, a fake django_migrations row, a missing unmanaged table) and the CLI must report
// exactly that; a cleanly migrated project must report no drift at all.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, djangoPython, NO_DJANGO, manage, python } from '../oracle/helpers';
import { shopProject, SQLITE_DBS } from './drift-support';
import { computeDrift, sameDatabases, truncateName } from '../../src/core/drift';
import { readApplied } from '../../src/core/db';
import type { Finding } from '../../src/core/types';

const py = djangoPython();
const skip = py ? false : NO_DJANGO;
const DRIFT = new Set(['schema-drift', 'stray-table', 'unknown-applied-migration', 'unmanaged-table-missing']);
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function scan(dir: string, extra: string[] = []) {
  const r = cli(['scan', dir, '--json', '--mode', 'static', '--python', py!, '--no-cache', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return r.json;
}
const driftFindings = (report: any): Finding[] => report.diagnostics.filter((d: Finding) => DRIFT.has(d.code));
const brief = (fs_: Finding[]) => fs_.map(f => `${f.severity} ${f.code} ${f.alias} ${f.model ?? ''}${f.field ? `.${f.field}` : ''}`).sort();

function sqlite(file: string, sql: string): void {
  python(py!, path.dirname(file), `import sqlite3\nc = sqlite3.connect(${JSON.stringify(file)})\nc.executescript(${JSON.stringify(sql)})\nc.commit()\nc.close()`);
}

/** `migrate` without the router: the model's migration is unrecorded (--fake zero), then applied for real. */
function migrateWithoutRouter(dir: string, app: string, alias: string): void {
  manage(py!, dir, ['migrate', app, 'zero', '--fake', `--database=${alias}`, '-v0'], { DMDB_NO_ROUTER: '1' });
  manage(py!, dir, ['migrate', app, `--database=${alias}`, '-v0'], { DMDB_NO_ROUTER: '1' });
}

// opal-admin: a router with db_for_read/db_for_write only sends the unmanaged legacy app to 'legacy'; the tables
// are there. Its tables were looked for on 'default' (68 false warnings); now where Django reads them.
test('an unmanaged model is looked for where db_for_read sends it (opal-admin review; Django venv)', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-unmanaged-read-'));
  dirs.push(dir);
  const files: Record<string, string> = {
    'manage.py': 'import os, sys\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes", "legacy"]\n' +
      'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "default.sqlite3"}, "legacy": {"ENGINE": "django.db.backends.sqlite3", "NAME": "legacy.sqlite3"}}\n' +
      'DATABASE_ROUTERS = ["proj.routers.LegacyRouter"]\n',
    'proj/routers.py': 'class LegacyRouter:\n    def db_for_read(self, model, **hints):\n        return "legacy" if model._meta.app_label == "legacy" else None\n\n    def db_for_write(self, model, **hints):\n        return "legacy" if model._meta.app_label == "legacy" else None\n',
    'legacy/__init__.py': '',
    'legacy/models.py': 'from django.db import models\n\n\nclass Patient(models.Model):\n    name = models.TextField()\n\n    class Meta:\n        managed = False\n        db_table = "Patient"\n\n\nclass Visit(models.Model):\n    class Meta:\n        managed = False\n        db_table = "Visit"\n',
  };
  for (const [f, text] of Object.entries(files)) { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), text); }
  manage(py!, dir, ['migrate', '--database=default', '-v0']);
  sqlite(path.join(dir, 'legacy.sqlite3'), 'CREATE TABLE "Patient" (id integer primary key, name text);');
  // Django reads them from legacy
  const where = python(py!, dir, 'import django, os\nos.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings"\ndjango.setup()\nfrom django.db import router\nfrom legacy.models import Patient\nprint(router.db_for_read(Patient), Patient.objects.count())', {});
  assert.equal(where.trim(), 'legacy 0');
  const report = scan(dir);
  assert.deepEqual(brief(driftFindings(report)), ['warning unmanaged-table-missing legacy legacy.Visit'], 'Patient is there; Visit is not, where Django reads it');
  const visit = driftFindings(report)[0]!;
  assert.match(visit.message, /legacy\.Visit is unmanaged \(Django never creates its table\) and is read from 'legacy' \(LegacyRouter\.db_for_read sends its queries there\), but its table "Visit" does not exist there/);
});

describe('schema drift on SQLite (real Django migrations, drift made by hand)', { skip }, () => {
  test('clean project: no drift; the replica with the same NAME is one database; then each kind of drift', () => {
    const dir = shopProject(SQLITE_DBS);
    dirs.push(dir);
    manage(py!, dir, ['migrate', '--database=default', '-v0']);
    manage(py!, dir, ['migrate', '--database=analytics', '-v0']);
    sqlite(path.join(dir, 'analytics.sqlite3'), 'CREATE TABLE legacy_accounts (id integer primary key, name text);');
    const files = fs.readdirSync(dir).sort();

    const clean = scan(dir);
    assert.deepEqual(brief(driftFindings(clean)), [], 'a cleanly migrated project has no drift');
    assert.deepEqual(Object.keys(clean.drift), ['default', 'analytics', 'replica']);
    assert.equal(clean.drift.replica.sameAs, 'default');
    // contenttypes.ContentType, orders.Tag/Product/Order on default; stats.Event and the unmanaged legacy.Account on analytics
    assert.deepEqual(clean.drift.default.checked, { models: 4, unknown: 0 });
    assert.deepEqual(clean.drift.analytics.checked, { models: 2, unknown: 0 });
    assert.deepEqual(fs.readdirSync(dir).sort(), files, 'reading the schemas creates no file');
    assert.equal(cli(['check', dir, '--mode', 'static', '--python', py!, '--no-cache']).status, 0);

    migrateWithoutRouter(dir, 'stats', 'default');
    sqlite(path.join(dir, 'default.sqlite3'), `
      INSERT INTO stats_event (kind) VALUES ('a'), ('b'), ('c');
      INSERT INTO django_migrations (app, name, applied) VALUES ('orders', '0099_gone', '2026-01-01'), ('oldapp', '0001_initial', '2026-01-01');
      DROP TABLE orders_order_tags;`);
    // a FK column with db_column, dropped by rebuilding the table (SQLite cannot drop a referencing column)
    sqlite(path.join(dir, 'default.sqlite3'), `
      PRAGMA foreign_keys = OFF;
      CREATE TABLE orders_order_new (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, product_id integer NOT NULL);
      INSERT INTO orders_order_new (id, product_id) SELECT id, product_id FROM orders_order;
      DROP TABLE orders_order;
      ALTER TABLE orders_order_new RENAME TO orders_order;`);
    sqlite(path.join(dir, 'analytics.sqlite3'), 'DROP TABLE legacy_accounts; DROP TABLE stats_event;');

    const report = scan(dir);
    const found = driftFindings(report);
    assert.deepEqual(brief(found), [
      'error schema-drift analytics stats.Event',
      'error schema-drift default orders.Order.buyer',
      'error schema-drift default orders.Order.tags',
      'info unknown-applied-migration default ',
      'warning stray-table default stats.Event',
      'warning unmanaged-table-missing analytics legacy.Account',
    ]);
    assert.match(found.find(f => f.code === 'schema-drift' && f.alias === 'analytics')!.message, /Queries on stats\.Event fail on 'analytics'/);
    assert.match(found.find(f => f.field === 'buyer')!.message, /column "buyer_ref" \(buyer\) is missing from "orders_order"/);
    assert.deepEqual(report.drift.default.strayTables, [{ model: 'stats.Event', table: 'stats_event', rows: 3, rowsEstimated: false }]);
    assert.deepEqual(report.drift.default.unknownApplied, ['oldapp.0001_initial', 'orders.0099_gone']);
    assert.deepEqual(report.drift.default.missingColumns, [{ model: 'orders.Order', table: 'orders_order', column: 'buyer_ref', field: 'buyer' }]);
    assert.ok(!found.some(f => f.alias === 'replica'), 'the replica (same file) is not reported twice');
    assert.match(found.find(f => f.code === 'stray-table')!.message, /'default' \(the database 'replica' also reaches\) \(3 rows\)/);

    // check fails on schema-drift by default; stray tables only when asked for
    const chk = cli(['check', dir, '--mode', 'static', '--python', py!, '--no-cache']);
    assert.equal(chk.status, 1, chk.stdout);
    assert.equal(chk.stdout.split('\n').filter(l => l.includes('[schema-drift]')).length, 3);
    assert.ok(!chk.stdout.includes('[stray-table]'));
    assert.equal(cli(['check', dir, '--mode', 'static', '--python', py!, '--no-cache', '--fail-on', 'pending']).status, 0);
    const stray = cli(['check', dir, '--mode', 'static', '--python', py!, '--no-cache', '--fail-on', 'stray', '--format', 'json']);
    assert.deepEqual(JSON.parse(stray.stdout).problems.map((p: Finding) => p.code).sort(), ['stray-table', 'unmanaged-table-missing']);
    // never in static-only mode
    const noDb = scan(dir, ['--no-db']);
    assert.equal(noDb.drift, undefined);
    assert.deepEqual(driftFindings(noDb), []);
  });

  test('a migration not yet applied is pending, not drift; a pending migration touching the model makes it unknown', () => {
    const dir = shopProject(SQLITE_DBS);
    dirs.push(dir);
    manage(py!, dir, ['migrate', 'orders', '--database=default', '-v0']);
    // stats and legacy pending on default (denied there anyway), analytics never migrated (no file)
    const r = scan(dir);
    assert.deepEqual(brief(driftFindings(r)), []);
    assert.equal(r.drift.analytics, undefined, 'a database file that does not exist has no schema to compare');
    fs.writeFileSync(path.join(dir, 'orders/migrations/0002_order_note.py'), `from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.AddField(model_name="order", name="note", field=models.CharField(default="", max_length=5))]
`);
    const r2 = scan(dir);
    assert.equal(r2.drift.default.checked.unknown, 1, 'orders.Order has a pending migration: not compared');
    assert.deepEqual(brief(driftFindings(r2)), []);
  });
});

describe('schema drift on PostgreSQL and MariaDB', () => {
  const PG_URL = process.env.DJANGO_MULTIDB_PG_URL;
  const MY_URL = process.env.DJANGO_MULTIDB_MARIADB_URL;

  test('PostgreSQL default: a dropped FK column, a stray table with its estimated rows, a fake migration row', { skip: !py ? NO_DJANGO : PG_URL ? false : 'DJANGO_MULTIDB_PG_URL not set (scripts/pg.sh)' }, () => {
    const u = new URL(PG_URL!);
    const dbName = `dmdb_drift_${process.pid}`;
    const admin = (sql: string, db = 'postgres') => python(py!, process.cwd(), `import psycopg\nwith psycopg.connect(host=${JSON.stringify(u.hostname)}, port=${u.port}, user=${JSON.stringify(decodeURIComponent(u.username))}, password=${JSON.stringify(decodeURIComponent(u.password))}, dbname=${JSON.stringify(db)}, autocommit=True) as c:\n    c.execute(${JSON.stringify(sql)})`);
    admin(`DROP DATABASE IF EXISTS ${dbName}`);
    admin(`CREATE DATABASE ${dbName}`);
    try {
      const dir = shopProject(`{
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "${dbName}", "USER": "${decodeURIComponent(u.username)}", "PASSWORD": "${decodeURIComponent(u.password)}", "HOST": "${u.hostname}", "PORT": "${u.port}"},
    "analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "analytics.sqlite3"},
}`);
      dirs.push(dir);
      manage(py!, dir, ['migrate', '--database=default', '-v0']);
      manage(py!, dir, ['migrate', '--database=analytics', '-v0']);
      sqlite(path.join(dir, 'analytics.sqlite3'), 'CREATE TABLE legacy_accounts (id integer primary key, name text);');
      const clean = scan(dir);
      assert.deepEqual(brief(driftFindings(clean)), []);
      assert.deepEqual(clean.drift.default.checked, { models: 4, unknown: 0 });

      migrateWithoutRouter(dir, 'stats', 'default');
      admin(`INSERT INTO stats_event (kind) SELECT 'k' || g FROM generate_series(1, 40) g; ANALYZE stats_event;
        ALTER TABLE orders_order DROP COLUMN product_id;
        INSERT INTO django_migrations (app, name, applied) VALUES ('stats', '0002_renamed', now());`, dbName);
      const report = scan(dir);
      assert.deepEqual(brief(driftFindings(report)), [
        'error schema-drift default orders.Order.product',
        'info unknown-applied-migration default ',
        'warning stray-table default stats.Event',
      ]);
      assert.deepEqual(report.drift.default.strayTables, [{ model: 'stats.Event', table: 'stats_event', rows: 40, rowsEstimated: true }]);
      assert.match(driftFindings(report).find(f => f.code === 'stray-table')!.message, /about 40 rows/);
      assert.ok(!JSON.stringify(report).includes(decodeURIComponent(u.password)), 'no password in the report');
    } finally {
      admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    }
  });

  test('MariaDB analytics: a dropped table, a stray table, a missing unmanaged table, a fake migration row', { skip: !py ? NO_DJANGO : MY_URL ? false : 'DJANGO_MULTIDB_MARIADB_URL not set (scripts/mariadb.sh)' }, () => {
    const m = new URL(MY_URL!);
    const dbName = `dmdb_drift_${process.pid}`;
    const conn = `host=${JSON.stringify(m.hostname)}, port=${m.port}, user=${JSON.stringify(decodeURIComponent(m.username))}, password=${JSON.stringify(decodeURIComponent(m.password))}`;
    const admin = (sqls: string[], db?: string) => python(py!, process.cwd(), `import pymysql\nc = pymysql.connect(${conn}${db ? `, database=${JSON.stringify(db)}` : ''}, autocommit=True)\ncur = c.cursor()\nfor q in ${JSON.stringify(sqls)}:\n    cur.execute(q)\nc.close()`);
    admin([`DROP DATABASE IF EXISTS ${dbName}`, `CREATE DATABASE ${dbName} CHARACTER SET utf8mb4`]);
    try {
      const dir = shopProject(`{
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "default.sqlite3"},
    "analytics": {"ENGINE": "django.db.backends.mysql", "NAME": "${dbName}", "USER": "${decodeURIComponent(m.username)}", "PASSWORD": "${decodeURIComponent(m.password)}", "HOST": "${m.hostname}", "PORT": "${m.port}"},
}`, { prelude: 'import pymysql\npymysql.install_as_MySQLdb()\n' });
      dirs.push(dir);
      manage(py!, dir, ['migrate', '--database=default', '-v0']);
      manage(py!, dir, ['migrate', '--database=analytics', '-v0']);
      admin(['CREATE TABLE legacy_accounts (id integer primary key, name varchar(20))'], dbName);
      const clean = scan(dir);
      assert.deepEqual(brief(driftFindings(clean)), []);
      assert.deepEqual(clean.drift.analytics.checked, { models: 2, unknown: 0 });

      // post_migrate (contenttypes) needs its table on the database migrated: both arrive without the router
      migrateWithoutRouter(dir, 'contenttypes', 'analytics');
      migrateWithoutRouter(dir, 'orders', 'analytics');
      // unrecording orders unrecorded its dependent stats.0001 too: its table is still there, record it again
      manage(py!, dir, ['migrate', 'stats', '--fake', '--database=analytics', '-v0']);
      admin(['DROP TABLE stats_event', 'DROP TABLE legacy_accounts', "INSERT INTO django_migrations (app, name, applied) VALUES ('legacy', '0002_gone', NOW())"], dbName);
      const report = scan(dir);
      assert.deepEqual(brief(driftFindings(report)), [
        'error schema-drift analytics stats.Event',
        'info unknown-applied-migration analytics ',
        'warning stray-table analytics contenttypes.ContentType',
        'warning stray-table analytics orders.Order',
        'warning stray-table analytics orders.Product',
        'warning stray-table analytics orders.Tag',
        'warning unmanaged-table-missing analytics legacy.Account',
      ]);
      assert.deepEqual(report.drift.analytics.unknownApplied, ['legacy.0002_gone']);
    } finally {
      admin([`DROP DATABASE IF EXISTS ${dbName}`]);
    }
  });
});

describe('precision: a model zoo migrated by real Django (makemigrations + migrate) has no drift', { skip }, () => {
  const PG_URL = process.env.DJANGO_MULTIDB_PG_URL;
  const u = PG_URL ? new URL(PG_URL) : null;
  // PostgreSQL as default: Django shortens long generated names (with a hash) for every alias; SQLite as default:
  // Django keeps them and PostgreSQL cuts them at 63 bytes itself
  const MY_URL = process.env.DJANGO_MULTIDB_MARIADB_URL;
  const my = MY_URL ? new URL(MY_URL) : null;
  const layouts = [...(u ? ['pg-default', 'sqlite-default'] as const : ['sqlite-only'] as const), ...(my ? ['mysql-default'] as const : [])];
  for (const layout of layouts) test(`inheritance, proxies, a swapped user model, M2M through/db_table/self, db_column, to_field, names past 63 characters (${layout})`, () => {
    const dbName = `dmdb_zoo_${process.pid}_${layout.replace('-', '_')}`;
    const pgAlias = layout === 'pg-default' ? 'default' : 'other';
    const admin = (sql: string) => python(py!, process.cwd(), `import psycopg\nwith psycopg.connect(host=${JSON.stringify(u!.hostname)}, port=${u!.port}, user=${JSON.stringify(decodeURIComponent(u!.username))}, password=${JSON.stringify(decodeURIComponent(u!.password))}, dbname="postgres", autocommit=True) as c:\n    c.execute(${JSON.stringify(sql)})`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-zoo-'));
    dirs.push(dir);
    const w = (p: string, t: string) => { fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true }); fs.writeFileSync(path.join(dir, p), t); };
    const pgEntry = u ? `{"ENGINE": "django.db.backends.postgresql", "NAME": "${dbName}", "USER": "${decodeURIComponent(u.username)}", "PASSWORD": "${decodeURIComponent(u.password)}", "HOST": "${u.hostname}", "PORT": "${u.port}"}` : '';
    const sqliteEntry = `{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}`;
    const myEntry = my ? `{"ENGINE": "django.db.backends.mysql", "NAME": "${dbName}", "USER": "${decodeURIComponent(my.username)}", "PASSWORD": "${decodeURIComponent(my.password)}", "HOST": "${my.hostname}", "PORT": "${my.port}"}` : '';
    const myAdmin = (sql: string) => python(py!, process.cwd(), `import pymysql\nc = pymysql.connect(host=${JSON.stringify(my!.hostname)}, port=${my!.port}, user=${JSON.stringify(decodeURIComponent(my!.username))}, password=${JSON.stringify(decodeURIComponent(my!.password))}, autocommit=True)\nc.cursor().execute(${JSON.stringify(sql)})\nc.close()`);
    const dbs = layout === 'pg-default' ? `"default": ${pgEntry},\n    "other": ${sqliteEntry},`
      : layout === 'sqlite-default' ? `"default": ${sqliteEntry},\n    "other": ${pgEntry},`
        : layout === 'mysql-default' ? `"default": ${myEntry},\n    "other": ${sqliteEntry},` : `"default": ${sqliteEntry},`;
    const usesPg = layout === 'pg-default' || layout === 'sqlite-default';
    w('manage.py', `import os, sys\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n`);
    w('site_/__init__.py', '');
    w('site_/settings.py', `${layout === 'mysql-default' ? 'import pymysql\npymysql.install_as_MySQLdb()\n' : ''}from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = "x"\nUSE_TZ = True\nDEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\nAUTH_USER_MODEL = "zoo.Member"\nINSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "zoo", "inventory_of_things_with_a_long_label"]\nDATABASES = {\n    ${dbs}\n}\n`);
    w('zoo/__init__.py', '');
    w('zoo/migrations/__init__.py', '');
    w('zoo/models.py', `from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

COLUMN = "owner_ref"


class Member(AbstractUser):
    pass


class Stamped(models.Model):
    author = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Place(Stamped):
    name = models.CharField(max_length=20, unique=True)
    neighbours = models.ManyToManyField("self")


class Restaurant(Place):
    chef = models.OneToOneField(Member, on_delete=models.CASCADE, db_column="chef_ref", related_name="+")


class Bistro(Restaurant):
    pass


class RestaurantProxy(Restaurant):
    class Meta:
        proxy = True


class Tag(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, to_field="name")
    owner = models.ForeignKey(Member, on_delete=models.CASCADE, db_column=COLUMN)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")


class Membership(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE)
    club = models.ForeignKey("Club", on_delete=models.CASCADE)
    place = models.ForeignKey(Place, on_delete=models.CASCADE)


class Club(models.Model):
    members = models.ManyToManyField(Member, through=Membership, related_name="clubs")
    places = models.ManyToManyField(Place, db_table="zoo_club_places_custom")
    parent = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)
`);
    w('inventory_of_things_with_a_long_label/__init__.py', '');
    w('inventory_of_things_with_a_long_label/migrations/__init__.py', '');
    // with SQLite as default, PostgreSQL would cut the long model's table and its many-to-many table to the same
    // 63 bytes: Django cannot migrate that, so that layout has no such field
    w('inventory_of_things_with_a_long_label/models.py', `from django.db import models


class AVeryLongModelNameThatGoesOnAndOnForTruncation(models.Model):
${layout === 'sqlite-default' ? '' : `    others_with_a_long_name_too = models.ManyToManyField("zoo.Place", related_name="long_things")\n`}    place = models.ForeignKey("zoo.Place", on_delete=models.CASCADE)
`);
    if (usesPg) { admin(`DROP DATABASE IF EXISTS ${dbName}`); admin(`CREATE DATABASE ${dbName}`); }
    if (layout === 'mysql-default') { myAdmin(`DROP DATABASE IF EXISTS ${dbName}`); myAdmin(`CREATE DATABASE ${dbName} CHARACTER SET utf8mb4`); }
    try {
      manage(py!, dir, ['makemigrations', 'zoo', 'inventory_of_things_with_a_long_label', '-v0']);
      manage(py!, dir, ['migrate', '--database=default', '-v0']);
      if (layout !== 'sqlite-only') manage(py!, dir, ['migrate', '--database=other', '-v0']);
      const r = scan(dir);
      assert.deepEqual(brief(driftFindings(r)), []);
      const aliases = layout !== 'sqlite-only' ? ['default', 'other'] : ['default'];
      for (const a of aliases) {
        // ContentType, Group, Permission (auth.User is swapped), 7 concrete zoo models (not the proxy), the long one
        assert.deepEqual(r.drift[a].checked, { models: 11, unknown: 0 }, JSON.stringify(r.drift[a]));
      }
      if (usesPg) {
        // the generated names past 63 characters really are truncated on PostgreSQL: dropping one is found
        const long = 'inventory_of_things_with_a_long_label_averylongmodelnamethatgoesonandonfortruncation';
        const truncated = layout === 'pg-default'
          ? JSON.parse(execFileSync(py!, ['-c', `import json\nfrom django.db.backends.utils import truncate_name\nprint(json.dumps(truncate_name(${JSON.stringify(long)}, 63)))`], { encoding: 'utf8' }))
          : long.slice(0, 63);
        python(py!, process.cwd(), `import psycopg\nwith psycopg.connect(host=${JSON.stringify(u!.hostname)}, port=${u!.port}, user=${JSON.stringify(decodeURIComponent(u!.username))}, password=${JSON.stringify(decodeURIComponent(u!.password))}, dbname=${JSON.stringify(dbName)}, autocommit=True) as c:\n    c.execute('DROP TABLE "%s" CASCADE' % ${JSON.stringify(truncated)})`);
        const after = scan(dir);
        assert.deepEqual(brief(driftFindings(after)), [
          `error schema-drift ${pgAlias} inventory_of_things_with_a_long_label.AVeryLongModelNameThatGoesOnAndOnForTruncation`,
        ]);
      }
    } finally {
      if (usesPg) admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      if (layout === 'mysql-default') myAdmin(`DROP DATABASE IF EXISTS ${dbName}`);
    }
  });
});

describe('schema reading (SQLite)', { skip }, () => {
  test('tables, views and columns in one read; rows counted only where asked, and at most 100,000', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-schema-'));
    dirs.push(dir);
    const file = path.join(dir, 'db.sqlite3');
    const odd = 'Small "q"';
    const q = `"${odd.replace(/"/g, '""')}"`;
    sqlite(file, `CREATE TABLE big (id integer primary key, v text);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100010) INSERT INTO big (v) SELECT 'x' FROM n;
      CREATE TABLE ${q} (id integer primary key, "Name" text); INSERT INTO ${q} ("Name") VALUES ('a'), ('b'), ('c');
      CREATE VIEW v_small AS SELECT id FROM ${q};`);
    const before = fs.readdirSync(dir).sort();
    const st = await readApplied({ alias: 'a', engine: 'django.db.backends.sqlite3', name: file }, { schema: { countRows: { a: ['big', odd, 'absent'] } } });
    assert.equal(st.reachable, true);
    assert.equal(st.exists, false, 'no django_migrations table');
    assert.deepEqual(Object.fromEntries(st.schema!.tables), {
      big: { columns: ['id', 'v'], rows: 100000, rowsEstimated: false, rowsAtLeast: true },
      [odd]: { columns: ['id', 'Name'], rows: 3, rowsEstimated: false },
      v_small: { columns: ['id'] },
    });
    assert.equal(st.schema!.foldCase, true);
    assert.deepEqual(fs.readdirSync(dir).sort(), before, 'reading creates no file');
  });
});

describe('drift rules (pure)', () => {
  test("truncateName is Django's truncate_name", { skip }, () => {
    const names = ['short_name', 'a'.repeat(70), 'averyveryverylongapplabel_averyveryverylongmodelnamethatgoeson_tags'];
    const ours = names.map(n => truncateName(n, 63));
    const django = JSON.parse(execFileSync(py!, ['-c', `import json, sys\nfrom django.db.backends.utils import truncate_name\nprint(json.dumps([truncate_name(n, 63) for n in ${JSON.stringify(names)}]))`], { encoding: 'utf8' }));
    assert.deepEqual(ours, django);
  });

  test('same database: same engine/host/port/NAME, or a TEST MIRROR; in-memory SQLite never', () => {
    const pg = { engine: 'django.db.backends.postgresql', host: 'db', port: 5432, name: 'main' };
    const same = sameDatabases([
      { alias: 'default', ...pg },
      { alias: 'replica', ...pg, host: 'DB' },
      { alias: 'other', ...pg, name: 'other' },
      { alias: 'mirror', ...pg, name: 'x', raw: { TEST: { MIRROR: 'other' } } },
      { alias: 'm1', engine: 'django.db.backends.sqlite3', name: ':memory:' },
      { alias: 'm2', engine: 'django.db.backends.sqlite3', name: ':memory:' },
    ]);
    assert.deepEqual(Object.fromEntries(same), { replica: { sameAs: 'default', why: 'same-database' }, mirror: { sameAs: 'other', why: 'mirror', mirrorBy: 'TEST["MIRROR"]' } });
  });

  test('an alias whose schema was not read gets no drift entry; nothing is said without a schema', () => {
    const r = computeDrift({
      databases: [{ alias: 'default', engine: 'django.db.backends.sqlite3', name: '/x.sqlite3' }], models: [], routing: [], migrations: [],
      applied: { default: { alias: 'default', reachable: true, applied: 0, error: null, appliedKeys: new Set(['a.0001_x']), exists: true } },
      plans: { default: [] }, knownApps: new Set(['a']),
    });
    assert.deepEqual(r, { drift: {}, findings: [] });
    // a schema that could not be read: said in the drift entry, the alias stays reachable, nothing compared
    const failed = computeDrift({
      databases: [{ alias: 'default', engine: 'django.db.backends.postgresql', name: 'x' }], models: [], routing: [], migrations: [],
      applied: { default: { alias: 'default', reachable: true, applied: 0, error: null, appliedKeys: new Set(), exists: true, schemaError: 'canceling statement due to statement timeout' } },
      plans: { default: [] }, knownApps: new Set(),
    });
    assert.equal(failed.drift.default?.error, 'canceling statement due to statement timeout');
    assert.deepEqual(failed.findings, []);
  });
});
