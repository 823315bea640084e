// Issue 12 item 1: the MySQL/MariaDB reader against a real MariaDB (scripts/mariadb.sh; DJANGO_MULTIDB_MARIADB_URL),
// plus its connection parameters, which follow Django's MySQL backend and mysqlclient's OPTIONS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { mysqlClientConfig, mysqlSslMode, readApplied, readAppliedAll } from '../../src/core/db';
import type { DatabaseSetting } from '../../src/core/types';
import { cli, djangoPython, NO_DJANGO } from '../oracle/helpers';
import { writeTree } from './support';

const MY = 'django.db.backends.mysql';

describe('MySQL connection parameters (Django backend + mysqlclient OPTIONS)', () => {
  test('NAME/USER/PASSWORD/HOST/PORT, OPTIONS passwd when PASSWORD is empty, a socket HOST', () => {
    const cfg = mysqlClientConfig({ alias: 'a', engine: MY, name: 'app', host: 'db.example', port: '3307', user: 'me', password: '', options: { passwd: 'pw-x', connect_timeout: 3 } });
    assert.equal(cfg.host, 'db.example');
    assert.equal(cfg.port, 3307);
    assert.equal(cfg.database, 'app');
    assert.equal(cfg.user, 'me');
    assert.equal(cfg.password, 'pw-x');
    assert.equal(cfg.connectTimeout, 3000);
    const sock = mysqlClientConfig({ alias: 'a', engine: MY, name: 'app', host: '/run/x.sock' });
    assert.equal(sock.socketPath, '/run/x.sock');
    assert.equal(sock.ssl, undefined, 'no TLS over a Unix socket');
  });
  test('ssl_mode from OPTIONS; an ssl dict means TLS (verified with a CA)', () => {
    assert.equal(mysqlSslMode({}), 'PREFERRED');
    assert.equal(mysqlSslMode({ ssl_mode: 'disabled' }), 'DISABLED');
    assert.equal(mysqlSslMode({ ssl: {} }), 'REQUIRED');
    assert.equal(mysqlSslMode({ ssl: { ca: '/x/ca.pem' } }), 'VERIFY_CA');
    assert.equal(mysqlClientConfig({ alias: 'a', engine: MY, name: 'x', host: 'h', options: { ssl_mode: 'DISABLED' } }).ssl, undefined);
    const req = mysqlClientConfig({ alias: 'a', engine: MY, name: 'x', host: 'h', options: { ssl_mode: 'REQUIRED' } }).ssl as { rejectUnauthorized?: boolean };
    assert.equal(req.rejectUnauthorized, false);
  });
});

const URL_ = process.env.DJANGO_MULTIDB_MARIADB_URL;
const skip = URL_ ? false : 'DJANGO_MULTIDB_MARIADB_URL not set (bash scripts/mariadb.sh start; export DJANGO_MULTIDB_MARIADB_URL=$(bash scripts/mariadb.sh url))';

describe('MySQL/MariaDB reader against a real server', { skip }, () => {
  const url = new URL(URL_ ?? 'mysql://x@127.0.0.1/');
  const base = { engine: MY, host: url.hostname, port: url.port || '3306', user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  const suffix = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const withRows = `dmdb_t_rows_${suffix}`;
  const empty = `dmdb_t_empty_${suffix}`;
  const setting = (alias: string, name: string, extra: Partial<DatabaseSetting> = {}): DatabaseSetting => ({ alias, name, ...base, ...extra });

  async function admin(sql: string[]): Promise<void> {
    const mysql = await import('mysql2/promise');
    const c = await mysql.createConnection({ host: base.host, port: Number(base.port), user: base.user, password: base.password });
    try {
      for (const q of sql) await c.query(q);
    } finally {
      await c.end();
    }
  }

  before(async () => {
    await admin([
      `CREATE DATABASE ${withRows}`, `CREATE DATABASE ${empty}`,
      `CREATE TABLE ${withRows}.django_migrations (id bigint AUTO_INCREMENT PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied datetime(6) NOT NULL)`,
      `INSERT INTO ${withRows}.django_migrations (app, name, applied) VALUES ('contenttypes', '0001_initial', NOW()), ('auth', '0001_initial', NOW())`,
    ]);
  });
  after(async () => {
    await admin([`DROP DATABASE IF EXISTS ${withRows}`, `DROP DATABASE IF EXISTS ${empty}`]).catch(() => {});
  });

  test('applied rows; a database without django_migrations has everything pending', async () => {
    const s = await readApplied(setting('rows', withRows), { timeoutMs: 8000 });
    assert.equal(s.reachable, true, s.error ?? '');
    assert.equal(s.exists, true);
    assert.deepEqual([...s.appliedKeys].sort(), ['auth.0001_initial', 'contenttypes.0001_initial']);
    const e = await readApplied(setting('empty', empty), { timeoutMs: 8000 });
    assert.deepEqual({ reachable: e.reachable, exists: e.exists, applied: e.applied }, { reachable: true, exists: false, applied: 0 });
  });

  test('OPTIONS passwd (mysqlclient) is used when PASSWORD is empty', async () => {
    const s = await readApplied(setting('opt', withRows, { password: '', options: { passwd: base.password } }), { timeoutMs: 8000 });
    assert.equal(s.reachable, true, s.error ?? '');
  });

  // scripts/mariadb.sh turns TLS on with a self-signed certificate and adds dmdb_tls, a user allowed only over TLS
  const caFile = `/tmp/django-multidb-mariadb-${url.port || '3306'}/tls/server.crt`;
  const tlsSkip = fs.existsSync(caFile) ? false : `no TLS certificate at ${caFile} (scripts/mariadb.sh without openssl)`;
  test('TLS as OPTIONS ask: PREFERRED encrypts when the server can, REQUIRED, VERIFY_CA/VERIFY_IDENTITY with the CA, DISABLED does not', { skip: tlsSkip }, async () => {
    const tlsOnly = (alias: string, options: Record<string, unknown>) => setting(alias, withRows, { user: `${base.user}_tls`, options });
    const read = (s: DatabaseSetting) => readApplied(s, { timeoutMs: 8000 });
    for (const [alias, options] of [
      ['preferred', {}], ['required', { ssl_mode: 'REQUIRED' }], ['verify-ca', { ssl_mode: 'VERIFY_CA', ssl: { ca: caFile } }],
      ['verify-identity', { ssl_mode: 'VERIFY_IDENTITY', ssl: { ca: caFile } }], ['ssl-dict', { ssl: { ca: caFile } }],
    ] as const) {
      const s = await read(tlsOnly(alias, options));
      assert.equal(s.reachable, true, `${alias}: ${s.error}`);
      assert.deepEqual([...s.appliedKeys].sort(), ['auth.0001_initial', 'contenttypes.0001_initial']);
    }
    const disabled = await read(tlsOnly('disabled', { ssl_mode: 'DISABLED' }));
    assert.equal(disabled.reachable, false, 'a TLS-only user is refused without TLS');
    assert.match(disabled.error ?? '', /access denied/);
    // the self-signed certificate is not trusted without its CA
    const untrusted = await read(tlsOnly('untrusted', { ssl_mode: 'VERIFY_CA' }));
    assert.equal(untrusted.reachable, false);
    // the plain user reads with TLS off too
    assert.equal((await read(setting('plain', withRows, { options: { ssl_mode: 'DISABLED' } }))).reachable, true);
  });

  test('wrong password, missing database, closed port, silent server: unreachable, without the password, others unaffected', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>(r => silent.listen(0, '127.0.0.1', () => r()));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const closed = net.createServer();
    await new Promise<void>(r => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>(r => closed.close(() => r()));
    try {
      const t0 = performance.now();
      const all = await readAppliedAll([
        setting('bad', withRows, { password: 'nope-wrong-pw' }),
        setting('nodb', `dmdb_t_missing_${suffix}`),
        setting('closed', withRows, { port: closedPort, password: 'pw-closed-port' }),
        setting('silent', withRows, { port: silentPort, password: 'pw-silent-server' }),
        setting('ok', withRows),
      ], { timeoutMs: 2500 });
      const ms = performance.now() - t0;
      console.log(`# 5 aliases, one silent (2.5 s timeout): ${ms.toFixed(0)} ms`);
      assert.match(all.bad!.error ?? '', /access denied/);
      assert.match(all.nodb!.error ?? '', /does not exist/);
      assert.match(all.closed!.error ?? '', /refused/);
      assert.match(all.silent!.error ?? '', /timed out|timeout/i);
      for (const a of ['bad', 'nodb', 'closed', 'silent']) {
        assert.equal(all[a]!.reachable, false, a);
        for (const pw of ['nope-wrong-pw', 'pw-closed-port', 'pw-silent-server', base.password]) assert.ok(!(all[a]!.error ?? '').includes(pw), `${a}: ${all[a]!.error}`);
      }
      assert.equal(all.ok!.reachable, true);
      assert.equal(all.ok!.applied, 2);
      assert.ok(ms < 10000, `${ms} ms`);
    } finally {
      silent.close();
    }
  });

  test('the session is read-only: the reader cannot write even through its own connection', async () => {
    // the reader's transaction is START TRANSACTION READ ONLY; prove the server enforces that statement
    const mysql = await import('mysql2/promise');
    const c = await mysql.createConnection({ host: base.host, port: Number(base.port), user: base.user, password: base.password, database: withRows });
    try {
      await c.query('START TRANSACTION READ ONLY');
      await assert.rejects(c.query("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', NOW())"), /READ ONLY/i);
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
    const s = await readApplied(setting('rows', withRows), { timeoutMs: 8000 });
    assert.equal(s.applied, 2, 'nothing was added');
  });
});

describe('Django mode on a MySQL alias without a MySQL driver in the environment', { skip: skip || (djangoPython() ? false : NO_DJANGO) }, () => {
  test('says so for that alias, keeps the static reading, and the other aliases get Django\'s answer', () => {
    const url = new URL(URL_!);
    const dir = writeTree({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
      'proj/__init__.py': '',
      // no pymysql.install_as_MySQLdb(), and the venv has no mysqlclient
      'proj/settings.py': `SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.contenttypes']\nDATABASES = {
    'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'none.sqlite3'},
    'my': {'ENGINE': 'django.db.backends.mysql', 'NAME': 'dmdb_main', 'HOST': '${url.hostname}', 'PORT': ${url.port}, 'USER': '${decodeURIComponent(url.username)}', 'PASSWORD': '${decodeURIComponent(url.password)}'},
}\n`,
    }, 'dmdb-nodriver-');
    try {
      const r = cli(['scan', dir, '--json', '--mode', 'django', '--python', djangoPython()!]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.json.source.mode, 'django');
      assert.equal(r.json.status.my.reachable, true, 'the static reader still reads it');
      const f = r.json.diagnostics.filter((d: { code: string; alias?: string }) => d.code === 'django-unavailable' && d.alias === 'my');
      assert.equal(f.length, 1, JSON.stringify(r.json.diagnostics));
      assert.match(f[0].message, /no MySQL driver .*Install mysqlclient, or PyMySQL/);
      assert.equal(r.json.status.default.reachable, true);
      assert.ok(!r.stdout.includes(decodeURIComponent(url.password)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
