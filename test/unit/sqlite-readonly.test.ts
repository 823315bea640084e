// Issue 8 item 4: reading a SQLite database leaves its folder exactly as it was (checksums and file list), in
// WAL mode too, with the Node reader and with the Django helper, while a writer in another process still has
// its committed transactions read. Item 8: the helper waits for unreachable aliases together, and the CLI's
// Django mode sees the project's .env like the static evaluation does.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readApplied } from '../../src/core/db';
import { runDjangoHelper } from '../../src/core/django';
import { cli, djangoPython, NO_DJANGO, REPO } from '../oracle/helpers';
import { writeTree } from './support';

const SQLITE = 'django.db.backends.sqlite3';
const BETTER = path.join(REPO, 'node_modules', 'better-sqlite3');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-ro-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** name → sha256 of every file in the folder: what "exactly as it found it" means */
function folderState(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');
  return out;
}

const TABLE = 'CREATE TABLE django_migrations (id integer PRIMARY KEY AUTOINCREMENT, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied datetime NOT NULL)';

/**
 * A writer in its own process (better-sqlite3 in WAL mode): commits `committed` rows, then opens a transaction
 * with `pending` uncommitted rows and holds it until stdin closes. Resolves when it is there.
 */
function startWriter(file: string, committed: number, pending: number): Promise<ChildProcess> {
  const code = `
    const D = require(${JSON.stringify(BETTER)});
    const db = new D(${JSON.stringify(file)});
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0'); // keep the commits in the WAL, as a busy server would
    db.exec(${JSON.stringify(TABLE)});
    const ins = db.prepare("INSERT INTO django_migrations (app, name, applied) VALUES ('w', ?, '2024-01-01')");
    for (let i = 0; i < ${committed}; i++) ins.run('c' + i);
    db.exec('BEGIN');
    for (let i = 0; i < ${pending}; i++) ins.run('p' + i);
    process.stdout.write('ready\\n');
    process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
    process.stdin.resume();
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', c => reject(new Error(`writer exited with ${c}`)));
  });
}

function stopWriter(child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    child.once('exit', () => resolve());
    child.stdin!.end();
  });
}

/** A WAL database left without writer (the last connection checkpointed and removed -wal and -shm). */
function makeWalDb(dir: string, rows: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'db.sqlite3');
  const r = spawnSync(process.execPath, ['-e', `
    const D = require(${JSON.stringify(BETTER)}); const db = new D(${JSON.stringify(file)});
    db.pragma('journal_mode = WAL'); db.exec(${JSON.stringify(TABLE)});
    for (let i = 0; i < ${rows}; i++) db.prepare("INSERT INTO django_migrations (app, name, applied) VALUES ('a', ?, '2024-01-01')").run('m' + i);
    db.close();`]);
  assert.equal(r.status, 0, String(r.stderr));
  return file;
}

/** Reads with the Node reader in a fresh process; `preload` loads better-sqlite3 before the reader does (URI
 *  filenames then stay off and the in-memory copy is used instead of immutable=1). */
function readInProcess(file: string, preload: boolean): { reachable: boolean; applied: number; keys: string[]; error: string | null } {
  const code = `
    ${preload ? `new (require(${JSON.stringify(BETTER)}))(':memory:').close();` : ''}
    const { readApplied } = require(${JSON.stringify(path.join(REPO, 'src', 'core', 'db', 'index.ts'))});
    readApplied({ alias: 'x', engine: 'django.db.backends.sqlite3', name: ${JSON.stringify(file)} }).then(s =>
      process.stdout.write(JSON.stringify({ reachable: s.reachable, applied: s.applied, keys: [...s.appliedKeys].sort(), error: s.error })));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('Node reader: the folder is left as it was', () => {
  for (const preload of [false, true]) {
    test(`WAL database without a writer (${preload ? 'in-memory copy' : 'immutable=1'}): same files, same bytes`, () => {
      const dir = path.join(tmp, `node-nowriter-${preload}`);
      const file = makeWalDb(dir, 3);
      const before = folderState(dir);
      assert.deepEqual(Object.keys(before), ['db.sqlite3']);
      const s = readInProcess(file, preload);
      assert.equal(s.reachable, true, String(s.error));
      assert.equal(s.applied, 3);
      assert.deepEqual(folderState(dir), before);
    });
  }

  test('a writer holds the database open: committed rows are read, uncommitted are not, no file is added', async () => {
    const dir = path.join(tmp, 'node-writer');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'db.sqlite3');
    const writer = await startWriter(file, 4, 2);
    try {
      const names = fs.readdirSync(dir).sort();
      assert.deepEqual(names, ['db.sqlite3', 'db.sqlite3-shm', 'db.sqlite3-wal']);
      const mainBefore = folderState(dir)['db.sqlite3'];
      const s = await readApplied({ alias: 'x', engine: SQLITE, name: file });
      assert.equal(s.reachable, true, String(s.error));
      assert.deepEqual([...s.appliedKeys].sort(), ['w.c0', 'w.c1', 'w.c2', 'w.c3'], 'the committed rows live only in the WAL');
      assert.deepEqual(fs.readdirSync(dir).sort(), names);
      assert.equal(folderState(dir)['db.sqlite3'], mainBefore);
    } finally {
      await stopWriter(writer);
    }
  });

  test('a WAL left without its -shm (a crash, a copy): its commits are read through a private copy', async () => {
    const dir = path.join(tmp, 'node-walonly');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'db.sqlite3');
    const writer = await startWriter(file, 2, 1);
    writer.kill('SIGKILL'); // no checkpoint: the commits stay in -wal
    await new Promise(r => writer.once('exit', r));
    fs.rmSync(`${file}-shm`);
    const before = folderState(dir);
    assert.deepEqual(Object.keys(before), ['db.sqlite3', 'db.sqlite3-wal']);
    const s = await readApplied({ alias: 'x', engine: SQLITE, name: file });
    assert.equal(s.reachable, true, String(s.error));
    assert.deepEqual([...s.appliedKeys].sort(), ['w.c0', 'w.c1']);
    assert.deepEqual(folderState(dir), before);
  });
});

const py = djangoPython();

function djangoProject(dbPath: string, extraDatabases = ''): string {
  return writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': [
      "SECRET_KEY = 'x'",
      "INSTALLED_APPS = ['django.contrib.contenttypes']",
      'DATABASES = {',
      `    'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ${JSON.stringify(dbPath)}},`,
      extraDatabases,
      '}',
      '',
    ].join('\n'),
  }, 'dmdb-ro-proj-');
}

describe('Django helper: the folder is left as it was', { skip: py ? false : NO_DJANGO }, () => {
  const helper = (dir: string, extra: Partial<Parameters<typeof runDjangoHelper>[0]> = {}) =>
    runDjangoHelper({ root: dir, managePy: path.join(dir, 'manage.py'), python: py!, settingsModule: 'proj.settings', readDatabases: true, ...extra });

  test('WAL database without a writer: same files, same bytes', async () => {
    const dbDir = path.join(tmp, 'helper-nowriter');
    const file = makeWalDb(dbDir, 2);
    const dir = djangoProject(file);
    const before = folderState(dbDir);
    const r = await helper(dir);
    assert.ok(r.ok, r.ok ? '' : `${r.message}\n${r.traceback}`);
    assert.equal(r.report.status.default?.reachable, true);
    assert.equal(r.report.status.default?.applied, 2);
    assert.deepEqual(folderState(dbDir), before);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a writer holds the database open: committed rows are read, no file is added', async () => {
    const dbDir = path.join(tmp, 'helper-writer');
    fs.mkdirSync(dbDir);
    const file = path.join(dbDir, 'db.sqlite3');
    const writer = await startWriter(file, 3, 2);
    try {
      const names = fs.readdirSync(dbDir).sort();
      const dir = djangoProject(file);
      const r = await helper(dir);
      assert.ok(r.ok, r.ok ? '' : `${r.message}\n${r.traceback}`);
      assert.deepEqual(r.report.status.default?.appliedKeys, ['w.c0', 'w.c1', 'w.c2']);
      assert.deepEqual(fs.readdirSync(dbDir).sort(), names);
      fs.rmSync(dir, { recursive: true, force: true });
    } finally {
      await stopWriter(writer);
    }
  });

  test('a WAL without its -shm: read through a private copy, which is removed', async () => {
    const dbDir = path.join(tmp, 'helper-walonly');
    fs.mkdirSync(dbDir);
    const file = path.join(dbDir, 'db.sqlite3');
    const writer = await startWriter(file, 2, 1);
    writer.kill('SIGKILL');
    await new Promise(r => writer.once('exit', r));
    fs.rmSync(`${file}-shm`);
    const before = folderState(dbDir);
    const tmpBefore = fs.readdirSync(os.tmpdir()).filter(f => f.startsWith('django-multidb-sqlite-')).sort();
    const dir = djangoProject(file);
    const r = await helper(dir);
    assert.ok(r.ok, r.ok ? '' : `${r.message}\n${r.traceback}`);
    assert.deepEqual(r.report.status.default?.appliedKeys, ['w.c0', 'w.c1']);
    assert.deepEqual(folderState(dbDir), before);
    assert.deepEqual(fs.readdirSync(os.tmpdir()).filter(f => f.startsWith('django-multidb-sqlite-')).sort(), tmpBefore, 'the private copy is removed');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('three aliases that never answer are waited for together, not one after another', async () => {
    // servers that accept the connection and never say a word: each alias waits for its 5 s connect timeout
    const servers: net.Server[] = [];
    const sockets: net.Socket[] = [];
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = net.createServer(c => { sockets.push(c); });
      await new Promise<void>(r => s.listen(0, '127.0.0.1', () => r()));
      servers.push(s);
      ports.push((s.address() as net.AddressInfo).port);
    }
    try {
      const extra = ports.map((p, i) => `    'dead${i}': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'x', 'HOST': '127.0.0.1', 'PORT': ${p}, 'USER': 'u', 'PASSWORD': 'pw-${i}-never'},`).join('\n');
      const dir = djangoProject(path.join(tmp, 'none.sqlite3'), extra);
      const t0 = performance.now();
      const r = await helper(dir, { timeoutMs: 60000 });
      const ms = performance.now() - t0;
      console.log(`# 3 unreachable PostgreSQL aliases (5 s connect timeout each): helper took ${(ms / 1000).toFixed(1)} s`);
      assert.ok(r.ok, r.ok ? '' : `${r.message}\n${r.traceback}`);
      for (let i = 0; i < 3; i++) {
        const st: { reachable: boolean | null; error: string | null } | undefined = r.report.status[`dead${i}`];
        assert.equal(st?.reachable, false, JSON.stringify(st));
        assert.ok(!String(st?.error).includes(`pw-${i}-never`));
      }
      assert.equal(r.report.status.default?.reachable, true, 'the other alias is unaffected');
      assert.ok(ms < 10000, `took ${ms} ms: the aliases were not read together (bound 2 × 5 s)`);
      fs.rmSync(dir, { recursive: true, force: true });
    } finally {
      for (const c of sockets) c.destroy();
      for (const s of servers) s.close();
    }
  });
});

describe('CLI Django mode sees the project .env', { skip: py ? false : NO_DJANGO }, () => {
  test('a setting read from .env works in --mode django as in static mode (it was a KeyError)', () => {
    const dir = writeTree({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
      'proj/__init__.py': '',
      'proj/settings.py': "import os\nSECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.contenttypes']\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.environ['DMDB_DB_NAME']}}\n",
      '.env': 'DMDB_DB_NAME=from-env.sqlite3\n',
    }, 'dmdb-envfile-');
    try {
      const stat = cli(['scan', dir, '--json', '--no-python', '--no-db']);
      assert.equal(stat.status, 0, stat.stderr);
      const r = cli(['scan', dir, '--json', '--mode', 'django', '--python', py!, '--no-db']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.json.source?.mode, 'django', r.stderr);
      assert.doesNotMatch(r.stderr, /KeyError/);
      assert.deepEqual(r.json.databases.map((d: { name: string }) => path.basename(d.name)), ['from-env.sqlite3']);
      assert.deepEqual(stat.json.databases.map((d: { name: string }) => path.basename(d.name)), ['from-env.sqlite3']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
