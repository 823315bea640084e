// `scan`'s output cache (core/report-cache.ts), end to end through the CLI: a second identical scan prints the
// first one's bytes, and anything the output came from that changes (a django_migrations row, a table, a file,
// an environment variable the settings read, the options) makes the scan compute it again, to exactly what an
// uncached scan prints.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, cli, copyProject } from '../oracle/helpers';
import { readSqliteApplied } from '../../src/core/db';
import { digestOfState } from '../../src/core/report-cache';
import { writeTree } from './support';
import type BetterSqlite3 from 'better-sqlite3';

const Database = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
const EXAMPLE = path.join(REPO, 'examples', 'multidb_shop');
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
function tmp(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A copy of the example whose three SQLite databases exist, `default` with one migration recorded. */
function project(): string {
  const dir = copyProject(EXAMPLE, 'dmdb-outcache-');
  dirs.push(dir);
  for (const f of ['db.sqlite3', 'analytics.sqlite3', 'legacy.sqlite3']) {
    const db = new Database(path.join(dir, f));
    db.exec('CREATE TABLE django_migrations (id integer PRIMARY KEY AUTOINCREMENT, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied datetime NOT NULL)');
    if (f === 'db.sqlite3') db.exec("INSERT INTO django_migrations (app, name, applied) VALUES ('catalog', '0001_initial', '2026-01-01')");
    db.close();
  }
  return dir;
}

function write(dir: string, file: string, sql: string): void {
  const db = new Database(path.join(dir, file));
  db.exec(sql);
  db.close();
}

describe('scan output cache', () => {
  test('a second identical scan prints the same bytes from the cache; each input that changes is seen', () => {
    const dir = project();
    const env = { DJANGO_MULTIDB_CACHE: tmp('dmdb-outcache-home-') };
    const scan = (extra: string[] = [], more: Record<string, string> = {}) => cli(['scan', dir, '--json', '--no-python', '--verbose', ...extra], { env: { ...env, ...more } });
    const uncached = (extra: string[] = [], more: Record<string, string> = {}) => scan(extra, { ...more, DJANGO_MULTIDB_OUTPUT_CACHE: '0' });
    const fromCache = (r: ReturnType<typeof cli>) => /timings \(ms\): output cache/.test(r.stderr);
    /** a scan after a change: computed again, and the same as a scan that uses no output cache */
    const recomputed = (what: string, extra: string[] = [], more: Record<string, string> = {}) => {
      const r = scan(extra, more);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(fromCache(r), false, `${what}: computed again`);
      assert.equal(r.stdout, uncached(extra, more).stdout, `${what}: as an uncached scan prints it`);
      const again = scan(extra, more);
      assert.equal(fromCache(again), true, `${what}: then answered from the cache`);
      assert.equal(again.stdout, r.stdout);
      return r;
    };

    const first = scan();
    assert.equal(first.status, 0, first.stderr);
    assert.equal(fromCache(first), false);
    assert.equal(first.json.status.default.applied, 1);
    const second = scan();
    assert.equal(fromCache(second), true, second.stderr);
    assert.equal(second.stdout, first.stdout);

    // a migration recorded on default: the rows are read again on every scan
    write(dir, 'db.sqlite3', "INSERT INTO django_migrations (app, name, applied) VALUES ('orders', '0001_initial', '2026-01-02')");
    assert.equal(recomputed('a django_migrations row').json.status.default.applied, 2);

    // a table created on analytics (the schema, which drift compares with the models)
    write(dir, 'analytics.sqlite3', 'CREATE TABLE some_table (id integer PRIMARY KEY)');
    recomputed('a new table');
    // a column added: ALTER TABLE rewrites the table's definition in sqlite_master
    write(dir, 'analytics.sqlite3', 'ALTER TABLE some_table ADD COLUMN note text');
    recomputed('a new column');

    // a models file edited
    const models = path.join(dir, 'catalog', 'models.py');
    fs.appendFileSync(models, '\n\nclass Extra(models.Model):\n    name = models.CharField(max_length=10)\n');
    assert.ok(recomputed('a models file').json.models.some((m: { name: string }) => m.name === 'Extra'));

    // an environment variable the settings read
    const settings = path.join(dir, 'shop', 'settings.py');
    fs.appendFileSync(settings, "\nimport os\nSHOP_FLAG = os.environ.get('SHOP_FLAG')\n");
    recomputed('the settings file', [], { SHOP_FLAG: 'a' });
    recomputed('an environment variable the settings read', [], { SHOP_FLAG: 'b' });

    // a dotenv file the settings load (a path relative to manage.py's folder, paperless' load_dotenv): created,
    // then changed to the same size
    fs.appendFileSync(settings, "\nfrom dotenv import load_dotenv\nload_dotenv('flags.conf')\nSHOP_CONF = os.environ.get('SHOP_CONF')\n");
    recomputed('the settings loading a dotenv file that is not there');
    fs.writeFileSync(path.join(dir, 'flags.conf'), 'SHOP_CONF=one\n');
    recomputed('the dotenv file created');
    fs.writeFileSync(path.join(dir, 'flags.conf'), 'SHOP_CONF=two\n');
    fs.utimesSync(path.join(dir, 'flags.conf'), new Date(), new Date(Date.now() + 5000));
    recomputed('the dotenv file changed');

    // other options: another output
    const one = recomputed('--database', ['--database', 'analytics']);
    assert.deepEqual(Object.keys(one.json.status), ['analytics']);
    recomputed('--no-db', ['--no-db']);

    // a database that went away
    fs.rmSync(path.join(dir, 'legacy.sqlite3'));
    recomputed('a database file removed');
  });

  test('SQLite files not written since they were read are not read again; a write, even one that keeps the mtime, is seen', async () => {
    const dir = project();
    // files written in the last two seconds are not vouched for (a write in the same clock tick keeps their stat)
    await new Promise(r => setTimeout(r, 2100));
    const env = { DJANGO_MULTIDB_CACHE: tmp('dmdb-outcache-home-') };
    const scan = () => cli(['scan', dir, '--json', '--no-python', '--verbose'], { env });
    const first = scan();
    assert.equal(first.status, 0, first.stderr);
    const second = scan();
    assert.match(second.stderr, /output cache \d+ \(the same scan's output; no database read again/);
    assert.equal(second.stdout, first.stdout);
    // a row recorded: default's file changed, it is read again, and the output computed again
    write(dir, 'db.sqlite3', "INSERT INTO django_migrations (app, name, applied) VALUES ('orders', '0001_initial', '2026-01-02')");
    const third = scan();
    assert.doesNotMatch(third.stderr, /output cache/);
    assert.equal(third.json.status.default.applied, 2);
    // a write that puts the old modification time back: the change time still differs
    await new Promise(r => setTimeout(r, 2100));
    const file = path.join(dir, 'analytics.sqlite3');
    // default was written just before the scan that saved the output: read again once, then vouched for
    assert.match(scan().stderr, /the same scan's output; databases read again: default\)/);
    assert.match(scan().stderr, /the same scan's output; no database read again/);
    const { mtime, atime } = fs.statSync(file);
    write(dir, 'analytics.sqlite3', "INSERT INTO django_migrations (app, name, applied) VALUES ('stats', '0001_initial', '2026-01-02')");
    fs.utimesSync(file, atime, mtime);
    const after = scan();
    assert.doesNotMatch(after.stderr, /output cache/, 'computed again');
    assert.equal(after.json.status.analytics.applied, 1);
  });

  test('--no-cache never uses it (nor writes it)', () => {
    const dir = project();
    const env = { DJANGO_MULTIDB_CACHE: tmp('dmdb-outcache-home-') };
    for (let i = 0; i < 2; i++) {
      const r = cli(['scan', dir, '--json', '--no-python', '--no-cache', '--verbose'], { env });
      assert.doesNotMatch(r.stderr, /output cache/);
    }
    assert.ok(!fs.existsSync(path.join(env.DJANGO_MULTIDB_CACHE, 'index-cache')) || !fs.readdirSync(path.join(env.DJANGO_MULTIDB_CACHE, 'index-cache')).some(f => f.startsWith('output-')));
  });
});

describe('SQLite schema fingerprint', () => {
  test('a read that skips the columns of an unchanged schema digests like the full read; any change shows', () => {
    const dir = tmp('dmdb-fp-');
    const file = path.join(dir, 'x.sqlite3');
    write(dir, 'x.sqlite3', 'CREATE TABLE django_migrations (id integer PRIMARY KEY, app text, name text, applied text); CREATE TABLE t (id integer PRIMARY KEY, a text); INSERT INTO t (a) VALUES (\'x\')');
    const db = { alias: 'default', engine: 'django.db.backends.sqlite3', name: file } as Parameters<typeof readSqliteApplied>[0];
    const schema = (unless?: string) => ({ schema: { countRows: { default: ['t'] }, ...(unless ? { unlessFingerprint: { default: unless } } : {}) } });
    const full = readSqliteApplied(db, schema());
    const fp = full.schema!.fingerprint!;
    assert.match(fp, /^[0-9a-f]{64}$/);
    assert.deepEqual(full.schema!.tables.get('t')!.columns, ['id', 'a']);
    const quick = readSqliteApplied(db, schema(fp));
    assert.equal(quick.schema!.columnsOmitted, true);
    assert.equal(quick.schema!.tables.get('t')!.rows, 1, 'the counts are read again');
    assert.equal(digestOfState({ default: quick }), digestOfState({ default: full }));

    write(dir, 'x.sqlite3', "INSERT INTO t (a) VALUES ('y')");
    assert.notEqual(digestOfState({ default: readSqliteApplied(db, schema(fp)) }), digestOfState({ default: full }), 'a row counted');
    write(dir, 'x.sqlite3', 'ALTER TABLE t ADD COLUMN b integer');
    const altered = readSqliteApplied(db, schema(fp));
    assert.notEqual(altered.schema!.fingerprint, fp);
    assert.equal(altered.schema!.columnsOmitted, undefined, 'a changed schema is read in full');
    assert.deepEqual(altered.schema!.tables.get('t')!.columns, ['id', 'a', 'b']);
  });
  test('the CI and Compose files the settings were read with are inputs: an edit or a new one is seen', () => {
    const dir = writeTree({
      'manage.py': 'import os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "temba.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
      'temba/__init__.py': '',
      'temba/settings_common.py': 'INSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "common.db"}}\n',
      'temba/settings_dev.py': 'INSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "dev.db"}, "readonly": {"ENGINE": "django.db.backends.sqlite3", "NAME": "dev.db"}}\n',
      '.github/workflows/ci.yml': 'jobs:\n  test:\n    env:\n      DJANGO_SETTINGS_MODULE: temba.settings_dev\n',
    }, 'dmdb-outcache-ci-');
    dirs.push(dir);
    const env = { DJANGO_MULTIDB_CACHE: tmp('dmdb-outcache-home-') };
    const scan = () => cli(['scan', dir, '--json', '--no-python', '--verbose'], { env });
    const fromCache = (r: ReturnType<typeof cli>) => /timings \(ms\): output cache/.test(r.stderr);
    assert.equal(scan().json.project.settingsModule, 'temba.settings_dev');
    assert.equal(fromCache(scan()), true);
    fs.writeFileSync(path.join(dir, '.github/workflows/ci.yml'), 'jobs:\n  test:\n    env:\n      DJANGO_SETTINGS_MODULE: temba.settings_common\n');
    const edited = scan();
    assert.equal(fromCache(edited), false, 'the workflow edited: computed again');
    assert.equal(edited.json.project.settingsModule, 'temba.settings_common');
    assert.equal(fromCache(scan()), true);
    // a workflow added before it (in name order; the workflows folder's listing is an input too)
    fs.writeFileSync(path.join(dir, '.github/workflows/build.yml'), 'jobs:\n  build:\n    steps:\n      - run: DJANGO_SETTINGS_MODULE=temba.settings_dev python manage.py check\n');
    const added = scan();
    assert.equal(fromCache(added), false, 'a workflow added: computed again');
    assert.deepEqual(added.json.databases.map((d: { alias: string }) => d.alias), ['default', 'readonly']);
  });
});
