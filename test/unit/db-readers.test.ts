import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  engineKind,
  pgClientConfig,
  readApplied,
  readAppliedAll,
  scrubSecret,
  sqliteFilePath,
} from '../../src/core/db/index';
import type { DatabaseSetting } from '../../src/core/types';

const SQLITE = 'django.db.backends.sqlite3';
const PG = 'django.db.backends.postgresql';

function sqliteDb(alias: string, name: string | null): DatabaseSetting {
  return { alias, engine: SQLITE, name };
}

const DJANGO_TABLE =
  'CREATE TABLE "django_migrations" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, ' +
  '"app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" datetime NOT NULL)';

async function makeSqlite(file: string, rows: [string, string][] | null, wal = false): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  if (wal) db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE other (x int)');
  if (rows) {
    db.exec(DJANGO_TABLE);
    const ins = db.prepare('INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, ?)');
    for (const [a, n] of rows) ins.run(a, n, '2024-01-01 00:00:00');
  }
  db.close();
}

function snapshot(file: string): { bytes: string; mtime: number } {
  const st = fs.statSync(file);
  return { bytes: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'), mtime: st.mtimeMs };
}

describe('SQLite reader', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-sqlite-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads applied rows without changing the file', async () => {
    const file = path.join(dir, 'db.sqlite3');
    await makeSqlite(file, [
      ['contenttypes', '0001_initial'],
      ['auth', '0001_initial'],
      ['auth', '0001_initial'], // duplicate rows count as rows
    ]);
    const before = snapshot(file);
    const filesBefore = fs.readdirSync(dir).sort();
    await new Promise((r) => setTimeout(r, 20));
    const s = await readApplied(sqliteDb('default', file));
    assert.equal(s.reachable, true);
    assert.equal(s.exists, true);
    assert.equal(s.error, null);
    assert.equal(s.applied, 3);
    assert.deepEqual([...s.appliedKeys].sort(), ['auth.0001_initial', 'contenttypes.0001_initial']);
    assert.deepEqual(snapshot(file), before);
    assert.deepEqual(fs.readdirSync(dir).sort(), filesBefore);
  });

  test('WAL-mode database is read without changes', async () => {
    const file = path.join(dir, 'wal.sqlite3');
    await makeSqlite(file, [['a', '0001']], true);
    const before = snapshot(file);
    const s = await readApplied(sqliteDb('wal', file));
    assert.equal(s.reachable, true, String(s.error));
    assert.deepEqual([...s.appliedKeys], ['a.0001']);
    assert.deepEqual(snapshot(file), before);
  });

  test('missing file: everything pending, file not created', async () => {
    const file = path.join(dir, 'nope.sqlite3');
    const s = await readApplied(sqliteDb('x', file));
    assert.deepEqual({ ...s, appliedKeys: [...s.appliedKeys] }, {
      alias: 'x',
      reachable: true,
      exists: false,
      applied: 0,
      error: null,
      appliedKeys: [],
    });
    assert.equal(fs.existsSync(file), false);
    const inMissingDir = path.join(dir, 'no-such-dir', 'db.sqlite3');
    const s2 = await readApplied(sqliteDb('y', inMissingDir));
    assert.equal(s2.reachable, true);
    assert.equal(s2.exists, false);
    assert.equal(fs.existsSync(path.dirname(inMissingDir)), false);
  });

  test('no django_migrations table / empty file: exists false, reachable', async () => {
    const file = path.join(dir, 'fresh.sqlite3');
    await makeSqlite(file, null);
    const before = snapshot(file);
    const s = await readApplied(sqliteDb('fresh', file));
    assert.equal(s.reachable, true);
    assert.equal(s.exists, false);
    assert.equal(s.applied, 0);
    assert.deepEqual(snapshot(file), before);
    const empty = path.join(dir, 'empty.sqlite3');
    fs.writeFileSync(empty, '');
    const s2 = await readApplied(sqliteDb('empty', empty));
    assert.equal(s2.reachable, true);
    assert.equal(s2.exists, false);
    assert.equal(fs.statSync(empty).size, 0);
  });

  test(':memory:, empty NAME, unknown NAME, garbage file, directory', async () => {
    for (const name of [':memory:', '', 'file:memdb1?mode=memory&cache=shared']) {
      const s = await readApplied(sqliteDb('m', name));
      assert.equal(s.reachable, true, name);
      assert.equal(s.applied, 0);
    }
    const unknown = await readApplied(sqliteDb('u', null));
    assert.equal(unknown.reachable, false);
    assert.match(unknown.error ?? '', /NAME could not be determined/);

    const garbage = path.join(dir, 'garbage.sqlite3');
    fs.writeFileSync(garbage, 'this is not a database, just text '.repeat(100));
    const before = snapshot(garbage);
    const g = await readApplied(sqliteDb('g', garbage));
    assert.equal(g.reachable, false);
    assert.match(g.error ?? '', /not a SQLite database|file is not a database/);
    assert.deepEqual(snapshot(garbage), before);

    const d = await readApplied(sqliteDb('d', dir));
    assert.equal(d.reachable, false);
    assert.match(d.error ?? '', /directory/);
  });

  test('relative NAME resolves against baseDir; file: URIs', async () => {
    const file = path.join(dir, 'rel.sqlite3');
    await makeSqlite(file, [['x', '0001']]);
    const s = await readApplied(sqliteDb('rel', 'rel.sqlite3'), { baseDir: dir });
    assert.deepEqual([...s.appliedKeys], ['x.0001']);
    assert.equal(sqliteFilePath(`file:${file}?mode=ro`), file);
    assert.equal(sqliteFilePath('file::memory:'), null);
  });
});

describe('engines and isolation', () => {
  test('engine kinds', () => {
    assert.equal(engineKind(SQLITE), 'sqlite');
    assert.equal(engineKind('django.contrib.gis.db.backends.spatialite'), 'sqlite');
    assert.equal(engineKind(PG), 'postgresql');
    assert.equal(engineKind('django.db.backends.postgresql_psycopg2'), 'postgresql');
    assert.equal(engineKind('django.contrib.gis.db.backends.postgis'), 'postgresql');
    // third-party wrappers of Django's PostgreSQL backend (codecov-api: psqlextra.backend, django_prometheus)
    assert.equal(engineKind('psqlextra.backend'), 'postgresql');
    assert.equal(engineKind('django_prometheus.db.backends.postgresql'), 'postgresql');
    // (Redshift folds names and has no SAVEPOINT: not read as PostgreSQL)
    assert.equal(engineKind('django_redshift_backend'), 'unknown');
    assert.equal(engineKind('django.db.backends.mysql'), 'mysql');
    assert.equal(engineKind('django.db.backends.oracle'), 'oracle');
    assert.equal(engineKind('django.db.backends.dummy'), 'dummy');
    assert.equal(engineKind('acme.backends.magic'), 'unknown');
    assert.equal(engineKind(null), 'unknown');
  });

  test('unsupported engines are unreachable with a clear message, not a crash', async () => {
    const all = await readAppliedAll([
      // MySQL is read since issue 12: a closed port is an ordinary unreachable alias
      { alias: 'my', engine: 'django.db.backends.mysql', name: 'x', host: '127.0.0.1', port: 9, password: 'hunter2' },
      { alias: 'ora', engine: 'django.db.backends.oracle', name: 'x' },
      { alias: 'weird', engine: 'acme.backends.magic', name: 'x' },
      { alias: 'none', engine: null, name: 'x' },
    ]);
    assert.deepEqual(Object.keys(all), ['my', 'ora', 'weird', 'none']);
    assert.match(all['my']!.error ?? '', /connection refused by 127\.0\.0\.1:9/);
    assert.ok(!(all['my']!.error ?? '').includes('hunter2'));
    assert.equal(all['ora']!.error, 'reading django.db.backends.oracle is not supported yet');
    assert.equal(all['weird']!.error, 'reading acme.backends.magic is not supported yet');
    assert.match(all['none']!.error ?? '', /ENGINE could not be determined/);
    for (const s of Object.values(all)) assert.equal(s.reachable, false);
  });

  test('a hanging server times out without hiding the other aliases', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-iso-'));
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const file = path.join(dir, 'ok.sqlite3');
      await makeSqlite(file, [['a', '0001']]);
      const t0 = Date.now();
      const all = await readAppliedAll(
        [
          sqliteDb('default', file),
          { alias: 'hang', engine: PG, name: 'db', host: '127.0.0.1', port, user: 'u', password: 'sekrit-pw' },
          { alias: 'hang2', engine: PG, name: 'db', host: '127.0.0.1', port, user: 'u', password: 'sekrit-pw' },
          sqliteDb('missing', path.join(dir, 'missing.sqlite3')),
        ],
        { connectTimeoutMs: 400, timeoutMs: 3000 },
      );
      const elapsed = Date.now() - t0;
      assert.ok(elapsed < 2500, `took ${elapsed} ms`);
      assert.deepEqual([...all['default']!.appliedKeys], ['a.0001']);
      assert.equal(all['missing']!.reachable, true);
      for (const alias of ['hang', 'hang2']) {
        const s = all[alias]!;
        assert.equal(s.reachable, false);
        assert.match(s.error ?? '', /timeout|timed out/i);
        assert.ok(!(s.error ?? '').includes('sekrit-pw'));
      }
      // the overall per-alias limit also applies when the driver itself would wait longer
      const t1 = Date.now();
      const s = await readApplied(
        { alias: 'hang', engine: PG, name: 'db', host: '127.0.0.1', port, user: 'u' },
        { connectTimeoutMs: 10_000, timeoutMs: 300 },
      );
      assert.equal(s.reachable, false);
      assert.match(s.error ?? '', /timed out after 300 ms/);
      assert.ok(Date.now() - t1 < 1500);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('connection refused is quick and readable', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const t0 = Date.now();
    const s = await readApplied({ alias: 'x', engine: PG, name: 'db', host: '127.0.0.1', port, password: 'pw-123456' });
    assert.equal(s.reachable, false);
    assert.match(s.error ?? '', /connection refused by 127\.0\.0\.1:\d+/);
    assert.ok(Date.now() - t0 < 2000);
  });

  test('password scrubbing and client config', () => {
    assert.equal(scrubSecret('password=p@ss w0rd! failed for p%40ss%20w0rd!', 'p@ss w0rd!'), 'password=*** failed for ***');
    assert.equal(scrubSecret('nothing here', ''), 'nothing here');
    const cfg = pgClientConfig(
      {
        alias: 'a',
        engine: PG,
        name: 'main',
        host: 'db.example',
        port: '6543',
        user: 'me',
        password: 'pw',
        options: { sslmode: 'require', options: '-c search_path=tenant1', connect_timeout: 3 },
      },
      {},
    );
    assert.equal(cfg.host, 'db.example');
    assert.equal(cfg.port, 6543);
    assert.equal(cfg.database, 'main');
    assert.equal(cfg.user, 'me');
    assert.equal(cfg.connectionTimeoutMillis, 3000);
    assert.equal(cfg.options, '-c search_path=tenant1');
    assert.deepEqual(cfg.ssl, { rejectUnauthorized: false, cert: undefined, key: undefined });
    assert.equal(pgClientConfig({ alias: 'a', engine: PG, name: 'm', host: 'h', options: { sslmode: 'disable' } }).ssl, false);
  });

  test('an empty HOST is the local Unix socket, never TCP to localhost (as libpq); none there is said so (pulpcore)', async () => {
    const saved = process.env.PGHOST;
    delete process.env.PGHOST;
    try {
      // a port no socket exists for
      const cfg = pgClientConfig({ alias: 'a', engine: PG, name: 'pulp', port: '59998' });
      assert.ok(cfg.host?.startsWith('/'), String(cfg.host));
      assert.equal(cfg.ssl, false);
      const s = await readApplied({ alias: 'a', engine: PG, name: 'pulp', port: '59998' });
      assert.equal(s.reachable, false);
      assert.match(s.error ?? '', /no PostgreSQL server listens on the Unix socket \/.*\/\.s\.PGSQL\.59998 \(HOST is empty/);
    } finally {
      if (saved !== undefined) process.env.PGHOST = saved;
    }
  });
});

// ---------------------------------------------------------------------------------------------
// PostgreSQL (needs DJANGO_MULTIDB_PG_URL, e.g. from `bash scripts/pg.sh start && bash scripts/pg.sh url`)

const PG_URL = process.env.DJANGO_MULTIDB_PG_URL;
const pgSkip = PG_URL
  ? false
  : 'DJANGO_MULTIDB_PG_URL not set (run `bash scripts/pg.sh start` and export DJANGO_MULTIDB_PG_URL=$(bash scripts/pg.sh url))';

describe('PostgreSQL reader', { skip: pgSkip }, () => {
  const url = new URL(PG_URL ?? 'postgres://x@127.0.0.1/');
  const base = {
    engine: PG,
    host: url.hostname,
    port: url.port || '5432',
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
  const dbName = url.pathname.replace(/^\//, '') || 'dmdb_main';
  const suffix = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const withRows = `dmdb_t_rows_${suffix}`;
  const empty = `dmdb_t_empty_${suffix}`;
  const sneaky = `dmdb_t_sneaky_${suffix}`;
  const setting = (alias: string, schema: string, extra: Partial<DatabaseSetting> = {}): DatabaseSetting => ({
    alias,
    name: dbName,
    ...base,
    options: { options: `-c search_path=${schema}`, sslmode: 'disable' },
    ...extra,
  });

  async function admin<T>(fn: (c: import('pg').Client) => Promise<T>): Promise<T> {
    const { Client } = await import('pg');
    const c = new Client({ ...base, port: Number(base.port), database: dbName });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  before(async () => {
    await admin(async (c) => {
      await c.query(`CREATE SCHEMA ${withRows}`);
      await c.query(`CREATE SCHEMA ${empty}`);
      await c.query(`CREATE SCHEMA ${sneaky}`);
      await c.query(
        `CREATE TABLE ${withRows}.django_migrations (id bigserial PRIMARY KEY, app varchar(255) NOT NULL, ` +
          `name varchar(255) NOT NULL, applied timestamptz NOT NULL DEFAULT now())`,
      );
      await c.query(
        `INSERT INTO ${withRows}.django_migrations (app, name) VALUES ('contenttypes','0001_initial'), ('auth','0001_initial')`,
      );
      // a "table" whose read tries to write: proves the reader's transaction is read-only
      await c.query(`CREATE TABLE ${sneaky}.log (x int)`);
      await c.query(
        `CREATE FUNCTION ${sneaky}.rows() RETURNS TABLE(app text, name text) LANGUAGE plpgsql AS $$ ` +
          `BEGIN INSERT INTO ${sneaky}.log VALUES (1); RETURN QUERY SELECT 'a'::text, '0001'::text; END $$`,
      );
      await c.query(`CREATE VIEW ${sneaky}.django_migrations AS SELECT * FROM ${sneaky}.rows()`);
    });
  });

  after(async () => {
    await admin(async (c) => {
      for (const s of [withRows, empty, sneaky]) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    });
  });

  test('reads applied rows (search_path via OPTIONS options)', async () => {
    const s = await readApplied(setting('main', withRows));
    assert.equal(s.error, null);
    assert.equal(s.reachable, true);
    assert.equal(s.exists, true);
    assert.equal(s.applied, 2);
    assert.deepEqual([...s.appliedKeys].sort(), ['auth.0001_initial', 'contenttypes.0001_initial']);
  });

  test('missing django_migrations table: exists false, everything pending', async () => {
    const s = await readApplied(setting('empty', empty));
    assert.equal(s.reachable, true);
    assert.equal(s.exists, false);
    assert.equal(s.applied, 0);
    assert.equal(s.error, null);
  });

  test('the session is read-only: a write during the read fails and nothing is written', async () => {
    const s = await readApplied(setting('sneaky', sneaky));
    assert.equal(s.reachable, false);
    assert.match(s.error ?? '', /read-only transaction/);
    const n = await admin(async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${sneaky}.log`)).rows[0].n);
    assert.equal(n, 0);
    // and no session of ours is left behind
    const left = await admin(
      async (c) =>
        (await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'django-multidb'`))
          .rows[0].n,
    );
    assert.equal(left, 0);
  });

  test('wrong password: unreachable, message without the password', async () => {
    const bad = 'Wr0ng-Passw0rd-"quoted"';
    const s = await readApplied(setting('bad', withRows, { password: bad }));
    assert.equal(s.reachable, false);
    assert.match(s.error ?? '', /password authentication failed/);
    assert.ok(!(s.error ?? '').includes(bad));
    assert.ok(!(s.error ?? '').includes('Wr0ng'));
  });

  test('missing database: unreachable', async () => {
    const s = await readApplied(setting('nodb', withRows, { name: `no_such_db_${suffix}` }));
    assert.equal(s.reachable, false);
    assert.match(s.error ?? '', /does not exist/);
    assert.ok(!(s.error ?? '').includes(base.password));
  });

  test('all aliases together, one of them broken', async () => {
    const all = await readAppliedAll([
      setting('main', withRows),
      setting('bad', withRows, { password: 'nope-nope' }),
      setting('empty', empty),
    ]);
    assert.equal(all['main']!.applied, 2);
    assert.equal(all['bad']!.reachable, false);
    assert.equal(all['empty']!.exists, false);
  });
});
