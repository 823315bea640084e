// What each database alias has applied: the rows of its `django_migrations` table.
// Reading never writes. One alias failing (or hanging) never hides the others.

import type { AppliedState, DatabaseSetting } from '../types';
import { readPostgresApplied, scrubSecret, type PgReadOptions } from './postgres';
import { readSqliteApplied, type SqliteReadOptions } from './sqlite';
import { readMysqlApplied } from './mysql';
import type { SchemaReadOption } from './state';

export { loadBetterSqlite3, readSqliteApplied, sqliteFilePath, isMemoryName } from './sqlite';
export { pgClientConfig, readPostgresApplied, scrubSecret } from './postgres';
export type { SqliteReadOptions } from './sqlite';
export type { PgReadOptions } from './postgres';
export { mysqlClientConfig, mysqlSslMode, readMysqlApplied } from './mysql';
export type { MysqlReadOptions } from './mysql';
export type { SchemaReadOption } from './state';

export type EngineKind = 'sqlite' | 'postgresql' | 'mysql' | 'oracle' | 'dummy' | 'unknown';

/** Which backend an ENGINE string is (Django's own, GIS and common third-party wrappers). */
export function engineKind(engine: string | null | undefined): EngineKind {
  if (!engine) return 'unknown';
  const e = engine.toLowerCase();
  if (/sqlite3?|spatialite/.test(e)) return 'sqlite';
  // (psqlextra: django-postgres-extra's backend, codecov's)
  if (/postgres|postgis|psycopg|cockroach|timescale|psqlextra/.test(e)) return 'postgresql';
  if (/mysql|mariadb/.test(e)) return 'mysql';
  if (/oracle/.test(e)) return 'oracle';
  if (/backends\.dummy$/.test(e)) return 'dummy';
  return 'unknown';
}

export interface ReadOptions extends SqliteReadOptions, PgReadOptions, SchemaReadOption {
  /** overall limit for one alias (ms), after which it is reported unreachable; default 15000 */
  timeoutMs?: number;
}

function unreachable(alias: string, error: string): AppliedState {
  return { alias, reachable: false, applied: 0, error, appliedKeys: new Set(), exists: false };
}

/** The applied state of one alias. Never throws, never hangs longer than `timeoutMs`. */
export async function readApplied(db: DatabaseSetting, opts: ReadOptions = {}): Promise<AppliedState> {
  const kind = engineKind(db.engine);
  if (opts.timeoutMs !== undefined) {
    // leave the driver room to report its own, more precise, timeout first
    const inner = Math.max(100, Math.floor(opts.timeoutMs * 0.8));
    opts = {
      ...opts,
      connectTimeoutMs: opts.connectTimeoutMs ?? Math.min(5000, inner),
      statementTimeoutMs: opts.statementTimeoutMs ?? Math.min(5000, inner),
    };
  }
  const work = (async (): Promise<AppliedState> => {
    switch (kind) {
      case 'sqlite':
        return readSqliteApplied(db, opts);
      case 'postgresql':
        return readPostgresApplied(db, opts);
      case 'mysql':
        return readMysqlApplied(db, opts);
      case 'unknown':
        if (!db.engine) return { ...unreachable(db.alias, 'the database ENGINE could not be determined statically'), unconfigured: true };
        return unreachable(db.alias, `reading ${db.engine} is not supported yet`);
      case 'dummy':
        return unreachable(db.alias, `${db.engine} is not a real database (DATABASES is not configured)`);
      default:
        return unreachable(db.alias, `reading ${db.engine} is not supported yet`);
    }
  })().catch((e: unknown) =>
    unreachable(db.alias, scrubSecret(`cannot read: ${e instanceof Error ? e.message : String(e)}`, db.password)),
  );
  const timeoutMs = opts.timeoutMs ?? defaultTimeout(opts);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<AppliedState>((resolve) => {
    timer = setTimeout(
      () => resolve(unreachable(db.alias, `timed out after ${timeoutMs} ms reading the migration table`)),
      timeoutMs,
    );
    timer.unref?.();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function defaultTimeout(opts: ReadOptions): number {
  const connect = opts.connectTimeoutMs ?? 5000;
  const statement = opts.statementTimeoutMs ?? 5000;
  return Math.max(15000, connect + 2 * statement + 2000);
}

/**
 * Reads every alias concurrently, keyed by alias (in the order of `databases`). Each alias is isolated: a
 * failure or a timeout becomes `reachable: false` for that alias only.
 */
export async function readAppliedAll(
  databases: readonly DatabaseSetting[],
  opts: ReadOptions = {},
): Promise<Record<string, AppliedState>> {
  const results = await Promise.all(databases.map((db) => readApplied(db, opts)));
  const out: Record<string, AppliedState> = {};
  for (const r of results) out[r.alias] = r;
  return out;
}
