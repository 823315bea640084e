// Reads the applied rows of `django_migrations` from a SQLite database, strictly read-only:
// the file is opened with `{ readonly: true, fileMustExist: true }`, so a missing file is never created.
//
// better-sqlite3 is a native module; it is loaded lazily (on the first read) so that importing the core never
// touches it. It needs N-API 10 (Node >= 22); loading it on an older Node can crash the whole process
// (segfault), so the N-API version is checked before `require`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

import type { AppliedState, DatabaseSetting } from '../types';
import { appliedState } from './state';

export interface SqliteReadOptions {
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
  try {
    const mod = require('better-sqlite3') as DatabaseCtor | { default: DatabaseCtor };
    cached = typeof mod === 'function' ? mod : mod.default;
    return cached;
  } catch (e) {
    loadError = new Error(
      `cannot load better-sqlite3 on Node ${process.versions.node} (${process.platform}-${process.arch}): ${errorText(e)}`,
    );
    throw loadError;
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
    return appliedState(alias, { reachable: false, error: 'the database NAME could not be determined statically' });
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
  try {
    conn = new Database(file, {
      readonly: true,
      fileMustExist: true,
      timeout: opts.busyTimeoutMs ?? 2000,
    });
    const table = conn
      .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'django_migrations'")
      .get();
    if (!table) return appliedState(alias, { reachable: true, exists: false });
    const rows = conn.prepare('SELECT app, name FROM django_migrations').raw(true).all() as [unknown, unknown][];
    const keys = new Set<string>();
    for (const [app, name] of rows) keys.add(`${String(app)}.${String(name)}`);
    return appliedState(alias, { reachable: true, exists: true, applied: rows.length, appliedKeys: keys });
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
  }
}
