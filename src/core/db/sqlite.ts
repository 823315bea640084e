// Reads the applied rows of `django_migrations` from a SQLite database, strictly read-only:
// the file is opened with `{ readonly: true, fileMustExist: true }`, so a missing file is never created.
//
// better-sqlite3 is a native module; it is loaded lazily (on the first read) so that importing the core never
// touches it. It needs N-API 10 (Node >= 22); loading it on an older Node can crash the whole process
// (segfault), so the N-API version is checked before `require`.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

import type { AppliedState, DatabaseSetting, DbSchema } from '../types';
import { appliedState, schemaFromRows, stateOfRows, type SchemaReadOption } from './state';

export interface SqliteReadOptions extends SchemaReadOption {
  /** resolve a relative NAME against this directory (Django resolves against the process cwd) */
  baseDir?: string;
  /** how long to wait for a lock held by a writer (ms); default 2000 */
  busyTimeoutMs?: number;
}

type DatabaseCtor = typeof BetterSqlite3;

let cached: DatabaseCtor | null = null;
let loadError: Error | null = null;

/** N-API version better-sqlite3 13 is built for. */
const REQUIRED_NAPI = 10;

/**
 * Loads better-sqlite3 on first use. Throws an Error with a readable message when it cannot be loaded
 * (too old a Node, missing prebuilt binary, ...).
 */
export function loadBetterSqlite3(): DatabaseCtor {
  if (cached) return cached;
  if (loadError) throw loadError;
  const napi = Number(process.versions.napi ?? 0);
  if (napi < REQUIRED_NAPI) {
    loadError = new Error(
      `better-sqlite3 needs Node >= 22 (N-API ${REQUIRED_NAPI}); running on Node ${process.versions.node} (N-API ${napi || 'unknown'})`,
    );
    throw loadError;
  }
  // better-sqlite3 reads SQLITE_USE_URI once, when its native addon loads (on the first construction): URI
  // filenames let a WAL database be opened `immutable=1` (see openForRead); the process env is restored after
  const prevUri = process.env.SQLITE_USE_URI;
  try {
    const mod = require('better-sqlite3') as DatabaseCtor | { default: DatabaseCtor };
    const ctor = typeof mod === 'function' ? mod : mod.default;
    process.env.SQLITE_USE_URI = '1';
    new ctor(':memory:').close();
    cached = ctor;
    return cached;
  } catch (e) {
    loadError = new Error(
      `cannot load better-sqlite3 on Node ${process.versions.node} (${process.platform}-${process.arch}): ${errorText(e)}`,
    );
    throw loadError;
  } finally {
    if (prevUri === undefined) delete process.env.SQLITE_USE_URI;
    else process.env.SQLITE_USE_URI = prevUri;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}


/** Django's in-memory names (`:memory:`, `file:...?mode=memory`), or an empty NAME. */
export function isMemoryName(name: string): boolean {
  if (name === '' || name === ':memory:') return true;
  if (!name.startsWith('file:')) return false;
  return /[?&]mode=memory(&|$)/.test(name) || name.slice(5).split('?')[0] === ':memory:';
}

/** The file a SQLite NAME points at (handles `file:` URIs), or null for in-memory databases. */
export function sqliteFilePath(name: string, baseDir?: string): string | null {
  if (isMemoryName(name)) return null;
  let p = name;
  if (p.startsWith('file:')) {
    p = p.slice('file:'.length);
    const q = p.indexOf('?');
    if (q >= 0) p = p.slice(0, q);
    if (p.startsWith('//')) p = p.replace(/^\/\/[^/]*/, ''); // file://host/path
    try {
      p = decodeURIComponent(p);
    } catch {
      /* keep as is */
    }
  }
  if (p.startsWith('~')) p = path.join(process.env.HOME ?? '', p.slice(1));
  return path.isAbsolute(p) ? p : path.resolve(baseDir ?? process.cwd(), p);
}

/** Applied migrations of a SQLite database. Never throws. */
export function readSqliteApplied(db: DatabaseSetting, opts: SqliteReadOptions = {}): AppliedState {
  const alias = db.alias;
  if (db.name === null || db.name === undefined) {
    return appliedState(alias, { reachable: false, unconfigured: true, error: 'the database NAME could not be determined statically' });
  }
  const file = sqliteFilePath(String(db.name), opts.baseDir);
  if (file === null) {
    // An in-memory database starts empty every time: nothing is ever applied there before `migrate` runs.
    return appliedState(alias, { reachable: true, exists: false });
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return appliedState(alias, { reachable: true, exists: false });
    }
    return appliedState(alias, { reachable: false, error: `cannot access ${file}: ${errorText(e)}` });
  }
  if (st.isDirectory()) return appliedState(alias, { reachable: false, error: `${file} is a directory, not a SQLite file` });
  if (st.size === 0) {
    // SQLite treats an empty file as an empty database; no need to load the native module.
    return appliedState(alias, { reachable: true, exists: false });
  }

  let Database: DatabaseCtor;
  try {
    Database = loadBetterSqlite3();
  } catch (e) {
    return appliedState(alias, { reachable: false, error: errorText(e) });
  }
  let conn: BetterSqlite3.Database | null = null;
  let cleanup: (() => void) | null = null;
  try {
    const opened = openForRead(Database, file, opts.busyTimeoutMs ?? 2000);
    conn = opened.conn;
    cleanup = opened.cleanup;
    let result = readMigrationsTable(alias, conn, opts);
    if (opened.snapshot && walFilesOf(file).some(f => fs.existsSync(f))) {
      // a writer started while the snapshot was read: read again through its WAL (its files exist now)
      conn.close();
      conn = null;
      const again = openForRead(Database, file, opts.busyTimeoutMs ?? 2000);
      conn = again.conn;
      cleanup = again.cleanup;
      result = readMigrationsTable(alias, conn, opts);
    }
    return result;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_CANTOPEN' && !fs.existsSync(file)) return appliedState(alias, { reachable: true, exists: false });
    const what = code === 'SQLITE_NOTADB' ? 'not a SQLite database' : errorText(e);
    return appliedState(alias, { reachable: false, error: `cannot read ${file}: ${what}` });
  } finally {
    try {
      conn?.close();
    } catch {
      /* ignore */
    }
    cleanup?.();
  }
}

function readMigrationsTable(alias: string, conn: BetterSqlite3.Database, opts: SqliteReadOptions): AppliedState {
  let schema: AppliedState['schema'];
  let schemaError: string | undefined;
  try {
    if (opts.schema) schema = readSchema(conn, opts.schema.countRows?.[alias] ?? [], opts.schema.unlessFingerprint?.[alias]);
  } catch (e) {
    // drift is extra: a schema that cannot be read never hides what is applied
    schemaError = errorText(e);
  }
  const table = conn
    .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'django_migrations'")
    .get();
  const rows = table ? conn.prepare('SELECT app, name FROM django_migrations').raw(true).all() as [unknown, unknown][] : null;
  return stateOfRows(alias, rows, { schema, schemaError });
}

/** COUNT(*) reads every row: counting stops here, so a huge stray table costs a bounded read. */
export const MAX_COUNTED_ROWS = 100_000;

/**
 * Every table and view with its columns in one query (pragma_table_info as a table-valued function, SQLite >=
 * 3.16), on the same read-only connection. Rows are counted only for the tables asked for: COUNT(*) reads the
 * whole table, and SQLite keeps no estimate without ANALYZE.
 */
function readSchema(conn: BetterSqlite3.Database, countRows: readonly string[], unlessFingerprint?: string): NonNullable<AppliedState['schema']> {
  // SQLite keeps every table's definition in sqlite_master, rewritten by ALTER TABLE: its rows are the schema
  // (one JSON text built by SQLite: a third of the time of rows turned into JavaScript arrays and stringified)
  const [master] = conn
    .prepare('SELECT json_group_array(json_array(type, name, tbl_name, sql)) FROM (SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name)')
    .raw(true)
    .get() as [string];
  const fingerprint = createHash('sha256').update(master).digest('hex');
  let schema: DbSchema;
  if (fingerprint === unlessFingerprint) {
    // the columns are those read before: only the tables to count are looked up
    const exists = conn.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?").pluck();
    const tables = new Map(countRows.filter(n => !n.toLowerCase().startsWith('sqlite_') && exists.get(n) !== undefined).map(n => [n, { columns: [] as string[] }]));
    schema = { tables, foldCase: true, fingerprint, columnsOmitted: true };
  } else {
    const rows = conn
      .prepare(
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m LEFT JOIN pragma_table_info(m.name) p " +
          "WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid",
      )
      .raw(true)
      .all() as [unknown, unknown][];
    // SQLite compares identifiers case-insensitively
    schema = { ...schemaFromRows(rows.map(([table, column]) => ({ table, column })), { foldCase: true }), fingerprint };
  }
  for (const name of countRows) {
    const t = schema.tables.get(name);
    if (!t) continue;
    try {
      const quoted = `"${name.replace(/"/g, '""')}"`;
      const [n] = conn.prepare(`SELECT COUNT(*) FROM (SELECT 1 FROM ${quoted} LIMIT ${MAX_COUNTED_ROWS + 1})`).raw(true).get() as [number];
      t.rows = Math.min(Number(n), MAX_COUNTED_ROWS);
      t.rowsEstimated = false;
      if (Number(n) > MAX_COUNTED_ROWS) t.rowsAtLeast = true;
    } catch {
      /* a view over a missing table, a virtual table without its module: no count */
    }
  }
  return schema;
}

/** A write this close to a stat may share its timestamp (coarse file clocks): such a file is not taken as unchanged. */
const RACY_MS = 2000;

/**
 * What identifies the content of a SQLite alias's files (the database and its write-ahead log: device, inode, size,
 * modification time), or null when it cannot vouch for it: not SQLite, in memory, missing, or written so recently
 * (`now` - RACY_MS) that a later write could leave the same stat (git's "racily clean" rule). Two equal identities
 * taken at different times mean nothing was written in between: the output cache then needs no read (report-cache.ts).
 */
export function sqliteFileIdentity(db: Pick<DatabaseSetting, 'engine' | 'name'>, baseDir: string | undefined, now: number): string | null {
  if (!db.engine || !/sqlite3|spatialite/.test(db.engine) || typeof db.name !== 'string') return null;
  const file = sqliteFilePath(db.name, baseDir);
  if (!file) return null;
  const parts: string[] = [];
  for (const f of [file, ...walFilesOf(file)]) {
    let st: fs.Stats | null;
    try {
      st = fs.statSync(f, { throwIfNoEntry: false }) ?? null;
    } catch {
      return null;
    }
    if (!st) { if (f === file) return null; parts.push('-'); continue; }
    if (!st.isFile() || st.mtimeMs > now - RACY_MS || st.ctimeMs > now - RACY_MS) return null;
    parts.push(`${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`);
  }
  return parts.join('|');
}

function walFilesOf(file: string): [string, string] {
  return [`${file}-wal`, `${file}-shm`];
}

/** Bytes 18-19 of the header are 2 for a database in WAL mode (https://www.sqlite.org/fileformat.html). */
function isWalDatabase(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(20);
    const n = fs.readSync(fd, head, 0, 20, 0);
    return n === 20 && head.toString('latin1', 0, 16) === 'SQLite format 3\0' && head[18] === 2 && head[19] === 2;
  } finally {
    fs.closeSync(fd);
  }
}

/** An SQLite URI for `file` (https://www.sqlite.org/uri.html): %, ? and # escaped, Windows drive paths rooted. */
function sqliteUri(file: string, query: string): string {
  let p = path.resolve(file).replace(/\\/g, '/');
  if (!p.startsWith('/')) p = `/${p}`;
  return `file:${encodeURI(p).replace(/\?/g, '%3f').replace(/#/g, '%23')}?${query}`;
}

/**
 * Opens `file` for reading without creating anything beside it (issue 8: a scan leaves the folder as it found
 * it). A read-only connection to a WAL database creates `-wal` and `-shm` when they are missing (SQLite needs
 * the wal-index in shared memory) and leaves them behind. So:
 * - not WAL (rollback journal): a plain read-only connection creates nothing;
 * - WAL, both files present (a writer is active, or left them): a plain read-only connection uses them, sees
 *   every committed transaction, and creates nothing new;
 * - WAL, neither present: everything committed is in the main file. Read it as a snapshot: `immutable=1`
 *   (no locks, no wal-index), or, where URI filenames are off, an in-memory copy with the header switched to
 *   rollback mode (a deserialized database cannot be in WAL mode). The caller re-reads through the WAL when a
 *   writer appeared meanwhile;
 * - WAL, only one present (a crash, a copy): a private copy of the database and its WAL in a temporary folder,
 *   so the committed transactions still in the WAL are read.
 */
function openForRead(
  Database: DatabaseCtor,
  file: string,
  timeout: number,
): { conn: BetterSqlite3.Database; snapshot: boolean; cleanup: (() => void) | null } {
  const plain = () => new Database(file, { readonly: true, fileMustExist: true, timeout });
  if (!isWalDatabase(file)) return { conn: plain(), snapshot: false, cleanup: null };
  const [wal, shm] = walFilesOf(file);
  const hasWal = fs.existsSync(wal);
  const hasShm = fs.existsSync(shm);
  if (hasWal && hasShm) return { conn: plain(), snapshot: false, cleanup: null };
  if (!hasWal && !hasShm) {
    try {
      return { conn: new Database(sqliteUri(file, 'immutable=1'), { readonly: true, fileMustExist: true, timeout }), snapshot: true, cleanup: null };
    } catch {
      // URI filenames off (better-sqlite3 was loaded by someone else first): an in-memory copy
      const bytes = fs.readFileSync(file);
      bytes[18] = 1;
      bytes[19] = 1;
      return { conn: new Database(bytes, { readonly: true }), snapshot: true, cleanup: null };
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'django-multidb-sqlite-'));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const copy = path.join(dir, 'db.sqlite3');
    fs.copyFileSync(file, copy);
    if (hasWal) fs.copyFileSync(wal, `${copy}-wal`);
    return { conn: new Database(copy, { readonly: true, fileMustExist: true, timeout }), snapshot: false, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
