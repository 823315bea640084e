// Reads the applied rows of `django_migrations` from PostgreSQL with `pg`, inside a READ ONLY transaction
// that is always rolled back, with connection/statement/query timeouts, and always closes the client.
// Error messages never contain the password.

import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Client as PgClient, ClientConfig } from 'pg';

import type { AppliedState, DatabaseSetting } from '../types';
import { appliedState } from './state';

export interface PgReadOptions {
  /** connect timeout (ms); default 5000, or OPTIONS connect_timeout (seconds) when set */
  connectTimeoutMs?: number;
  /** server-side statement_timeout and client-side query_timeout (ms); default 5000 */
  statementTimeoutMs?: number;
  /** application_name shown in pg_stat_activity */
  applicationName?: string;
}

type PgModule = { Client: typeof PgClient };
let pgModule: PgModule | null = null;

function loadPg(): PgModule {
  if (!pgModule) {
    const mod = require('pg') as PgModule | { default: PgModule };
    pgModule = 'Client' in mod ? mod : mod.default;
  }
  return pgModule;
}


/** Replaces every occurrence of `secret` (raw and URL-encoded) in `text`. */
export function scrubSecret(text: string, secret: string | null | undefined): string {
  if (!secret) return text;
  let out = text;
  const variants = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  for (const v of [...variants].sort((a, b) => b.length - a.length)) {
    if (v) out = out.split(v).join('***');
  }
  return out;
}

function str(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** libpq's default socket directory, when it holds the server's socket. */
function defaultSocketDir(port: number): string | undefined {
  for (const dir of ['/var/run/postgresql', '/tmp']) {
    try {
      if (fs.existsSync(`${dir}/.s.PGSQL.${port}`)) return dir;
    } catch {
      /* ignore */
    }
  }
  return undefined;
}

function readFileOpt(p: string | undefined): string | undefined {
  if (!p) return undefined;
  return fs.readFileSync(p.startsWith('~') ? os.homedir() + p.slice(1) : p, 'utf8');
}

/** libpq `sslmode` → node-postgres `ssl`. `prefer`/`allow` start without TLS (see `readPostgresApplied`). */
function sslConfig(options: Record<string, unknown>): ClientConfig['ssl'] {
  const mode = str(options.sslmode) ?? 'prefer';
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const ca = readFileOpt(str(options.sslrootcert));
  const cert = readFileOpt(str(options.sslcert));
  const key = readFileOpt(str(options.sslkey));
  if (mode === 'require' && !ca) return { rejectUnauthorized: false, cert, key };
  return {
    rejectUnauthorized: true,
    ca,
    cert,
    key,
    // verify-ca checks the chain but not the host name
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** The `pg` client configuration for a Django DATABASES entry (no secrets are logged from here). */
export function pgClientConfig(db: DatabaseSetting, opts: PgReadOptions = {}): ClientConfig {
  const options = (db.options ?? {}) as Record<string, unknown>;
  const portRaw = str(db.port) || str(options.port) || process.env.PGPORT;
  const port = portRaw ? Number(portRaw) : 5432;
  let host = str(db.host) || str(options.host) || process.env.PGHOST || undefined;
  if (!host) host = defaultSocketDir(port) ?? 'localhost';
  const connectTimeoutSec = Number(str(options.connect_timeout) ?? NaN);
  const connectTimeoutMs =
    opts.connectTimeoutMs ?? (Number.isFinite(connectTimeoutSec) && connectTimeoutSec > 0 ? connectTimeoutSec * 1000 : 5000);
  const statementTimeoutMs = opts.statementTimeoutMs ?? 5000;
  const cfg: ClientConfig = {
    host,
    port,
    user: str(db.user) || str(options.user) || undefined,
    password: str(db.password) ?? str(options.password) ?? undefined,
    database: str(db.name) || undefined,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    lock_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs * 2,
    application_name: opts.applicationName ?? str(options.application_name) ?? 'django-multidb',
    ssl: sslConfig(options),
  };
  const pgOptions = str(options.options);
  if (pgOptions) cfg.options = pgOptions;
  return cfg;
}

function describeError(e: unknown, cfg: ClientConfig): string {
  const err = e as { message?: string; code?: string; errno?: string };
  let msg = err?.message || String(e);
  const where = `${cfg.host}:${cfg.port}`;
  switch (err?.code) {
    case 'ECONNREFUSED':
      msg = `connection refused by ${where} (is the server running?)`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      msg = `host ${cfg.host} not found`;
      break;
    case 'ETIMEDOUT':
      msg = `connection to ${where} timed out`;
      break;
    case '28P01':
      msg = `password authentication failed for user "${cfg.user ?? ''}" on ${where}`;
      break;
    case '3D000':
      msg = `database "${cfg.database ?? ''}" does not exist on ${where}`;
      break;
    default:
      if (/timeout/i.test(msg) && !msg.includes(where)) msg = `${msg} (${where})`;
  }
  return scrubSecret(msg, typeof cfg.password === 'string' ? cfg.password : undefined);
}

function needsSslRetry(e: unknown): boolean {
  const m = (e as { message?: string })?.message ?? '';
  return /no encryption|SSL|requires? (an )?encrypt/i.test(m) && !/does not support SSL/i.test(m);
}

/** Applied migrations of a PostgreSQL database. Never throws. */
export async function readPostgresApplied(db: DatabaseSetting, opts: PgReadOptions = {}): Promise<AppliedState> {
  const alias = db.alias;
  if (db.name === null || db.name === undefined || db.name === '') {
    return appliedState(alias, { reachable: false, error: 'the database NAME could not be determined statically' });
  }
  let cfg: ClientConfig;
  try {
    cfg = pgClientConfig(db, opts);
  } catch (e) {
    return appliedState(alias, { reachable: false, error: scrubSecret(`bad connection settings: ${String((e as Error)?.message ?? e)}`, db.password) });
  }
  const first = await attempt(alias, cfg);
  if (first.reachable || !first.retrySsl) return first.result;
  const mode = str((db.options ?? {}).sslmode) ?? 'prefer';
  if (mode !== 'prefer' && mode !== 'allow') return first.result;
  // libpq would negotiate TLS for prefer/allow; retry with it when the server insists on encryption
  const second = await attempt(alias, { ...cfg, ssl: { rejectUnauthorized: false } });
  return second.result;
}

async function attempt(
  alias: string,
  cfg: ClientConfig,
): Promise<{ reachable: boolean; retrySsl: boolean; result: AppliedState }> {
  let client: PgClient | null = null;
  try {
    const { Client } = loadPg();
    client = new Client(cfg);
    // a late 'error' event (server restart, idle timeout) must not crash the process
    client.on('error', () => {});
    await client.connect();
    await client.query('BEGIN READ ONLY');
    try {
      await client.query('SET TRANSACTION READ ONLY');
      let rows: { app: unknown; name: unknown }[];
      try {
        rows = (await client.query<{ app: unknown; name: unknown }>('SELECT app, name FROM django_migrations')).rows;
      } catch (e) {
        if ((e as { code?: string }).code === '42P01') {
          return { reachable: true, retrySsl: false, result: appliedState(alias, { reachable: true, exists: false }) };
        }
        throw e;
      }
      const keys = new Set<string>();
      for (const r of rows) keys.add(`${String(r.app)}.${String(r.name)}`);
      return {
        reachable: true,
        retrySsl: false,
        result: appliedState(alias, { reachable: true, exists: true, applied: rows.length, appliedKeys: keys }),
      };
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  } catch (e) {
    return {
      reachable: false,
      retrySsl: needsSslRetry(e),
      result: appliedState(alias, { reachable: false, error: describeError(e, cfg) }),
    };
  } finally {
    if (client) await endClient(client);
  }
}

async function endClient(client: PgClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.end().catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1000);
        timer.unref?.();
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    // if end() did not finish, make sure the socket does not keep the process alive
    const stream = (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream;
    try {
      stream?.destroy?.();
    } catch {
      /* ignore */
    }
  }
}
