// Issue 8 item 3: the PostgreSQL reader connects like libpq (OPTIONS["password"], sslmode prefer/require/
// verify-ca/verify-full/disable from OPTIONS), against the real throwaway cluster of scripts/pg.sh. The TLS half
// turns ssl on in that cluster with a self-signed certificate made by openssl, and off again afterwards.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readApplied } from '../../src/core/db';
import type { DatabaseSetting } from '../../src/core/types';

const PG = 'django.db.backends.postgresql';
const PG_URL = process.env.DJANGO_MULTIDB_PG_URL;
const skip = PG_URL ? false : 'DJANGO_MULTIDB_PG_URL not set (bash scripts/pg.sh start)';

describe('PostgreSQL reader connects like libpq', { skip }, () => {
  const url = new URL(PG_URL ?? 'postgres://x@127.0.0.1/');
  const port = url.port || '5432';
  const password = decodeURIComponent(url.password);
  const setting = (extra: Partial<DatabaseSetting> = {}): DatabaseSetting => ({
    alias: 'a', engine: PG, name: 'dmdb_main', host: '127.0.0.1', port, user: decodeURIComponent(url.username), password, ...extra,
  });
  const read = (s: DatabaseSetting) => readApplied(s, { timeoutMs: 8000 });

  test('OPTIONS["password"] is used when PASSWORD is empty (Django passes OPTIONS to psycopg)', async () => {
    const s = await read(setting({ password: '', options: { password, sslmode: 'disable' } }));
    assert.equal(s.reachable, true, s.error ?? '');
    const none = await read(setting({ password: '', options: { sslmode: 'disable' } }));
    assert.equal(none.reachable, false);
    assert.match(none.error ?? '', /no password supplied/);
  });

  test('a cluster without TLS is read under the default (prefer); require refuses it', async () => {
    const prefer = await read(setting());
    assert.equal(prefer.reachable, true, prefer.error ?? '');
    const req = await read(setting({ options: { sslmode: 'require' } }));
    assert.equal(req.reachable, false);
    assert.match(req.error ?? '', /SSL/i);
    assert.ok(!(req.error ?? '').includes(password));
  });

  // the cluster scripts/pg.sh made: superuser over the Unix socket (trust), data dir under /tmp
  const dataDir = `/tmp/django-multidb-pg-${port}/data`;
  const sock = `/tmp/django-multidb-pg-${port}/sock`;
  const ownCluster = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  describe('with TLS on', { skip: ownCluster ? false : `no scripts/pg.sh data dir at ${dataDir}` }, () => {
    const superuser = os.userInfo().uid === 0 ? 'postgres' : os.userInfo().username;
    const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-pgtls-'));
    let hbaFile = '';
    let hbaOriginal = '';
    async function admin(sql: string[]): Promise<unknown[]> {
      const { Client } = await import('pg');
      const c = new Client({ host: sock, port: Number(port), user: superuser, database: 'postgres' });
      await c.connect();
      try {
        const out: unknown[] = [];
        for (const q of sql) out.push((await c.query(q)).rows);
        return out;
      } finally {
        await c.end();
      }
    }
    const serverFile = (name: string) => path.join(dataDir, name);

    before(async () => {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout', path.join(certDir, 'server.key'), '-out', path.join(certDir, 'server.crt'),
      ], { stdio: 'ignore' });
      // another, unrelated CA, to prove verification really checks
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=other',
        '-keyout', path.join(certDir, 'other.key'), '-out', path.join(certDir, 'other.crt')], { stdio: 'ignore' });
      const owner = fs.statSync(dataDir);
      for (const f of ['server.key', 'server.crt']) {
        fs.copyFileSync(path.join(certDir, f), serverFile(`dmdb-${f}`));
        fs.chownSync(serverFile(`dmdb-${f}`), owner.uid, owner.gid);
        fs.chmodSync(serverFile(`dmdb-${f}`), 0o600);
      }
      const [hba] = (await admin(['SHOW hba_file'])) as { hba_file: string }[][];
      hbaFile = hba![0]!.hba_file;
      hbaOriginal = fs.readFileSync(hbaFile, 'utf8');
      await admin([
        `ALTER SYSTEM SET ssl_cert_file = '${serverFile('dmdb-server.crt')}'`,
        `ALTER SYSTEM SET ssl_key_file = '${serverFile('dmdb-server.key')}'`,
        'ALTER SYSTEM SET ssl = on',
        'SELECT pg_reload_conf()',
      ]);
      await new Promise(r => setTimeout(r, 500));
    });
    after(async () => {
      if (hbaOriginal) fs.writeFileSync(hbaFile, hbaOriginal);
      await admin(['ALTER SYSTEM RESET ssl', 'ALTER SYSTEM RESET ssl_cert_file', 'ALTER SYSTEM RESET ssl_key_file', 'SELECT pg_reload_conf()']).catch(() => {});
      for (const f of ['server.key', 'server.crt']) fs.rmSync(serverFile(`dmdb-${f}`), { force: true });
      fs.rmSync(certDir, { recursive: true, force: true });
    });

    test('require encrypts (no certificate check); verify-ca / verify-full check against sslrootcert', async () => {
      const ca = path.join(certDir, 'server.crt');
      for (const mode of ['require', 'verify-ca', 'verify-full']) {
        const s = await read(setting({ options: { sslmode: mode, sslrootcert: ca } }));
        assert.equal(s.reachable, true, `${mode}: ${s.error}`);
      }
      const plainRequire = await read(setting({ options: { sslmode: 'require' } }));
      assert.equal(plainRequire.reachable, true, plainRequire.error ?? '');
      const wrongCa = await read(setting({ options: { sslmode: 'verify-ca', sslrootcert: path.join(certDir, 'other.crt') } }));
      assert.equal(wrongCa.reachable, false, 'a certificate from another CA is refused');
      // the certificate names 127.0.0.1 and localhost, not this host name
      const wrongHost = await read(setting({ host: '127.0.0.2', options: { sslmode: 'verify-full', sslrootcert: ca } }));
      assert.equal(wrongHost.reachable, false);
    });

    test('prefer uses TLS when the server has it: a role allowed only over TLS is read; disable is refused', async () => {
      // hostnossl … reject: only an encrypted connection gets in
      fs.writeFileSync(hbaFile, `hostnossl all all 127.0.0.1/32 reject\n${hbaOriginal}`);
      await admin(['SELECT pg_reload_conf()']);
      await new Promise(r => setTimeout(r, 300));
      const prefer = await read(setting());
      assert.equal(prefer.reachable, true, prefer.error ?? '');
      const allow = await read(setting({ options: { sslmode: 'allow' } }));
      assert.equal(allow.reachable, true, `allow retries with TLS: ${allow.error}`);
      const disable = await read(setting({ options: { sslmode: 'disable' } }));
      assert.equal(disable.reachable, false);
      assert.ok(!(disable.error ?? '').includes(password));
      fs.writeFileSync(hbaFile, hbaOriginal);
      await admin(['SELECT pg_reload_conf()']);
    });
  });
});
