// Reads the applied rows of `django_migrations` from PostgreSQL with `pg`, inside a READ ONLY transaction
// that is always rolled back, with connection/statement/query timeouts, and always closes the client.
// Error messages never contain the password.

import * as fs from 'node:fs';
import type { Client as PgClient, ClientConfig } from 'pg';
import { loadDriver } from './drivers';

import type { AppliedState, DatabaseSetting } from '../types';
import { appliedState, schemaFromRows, stateOfRows, type SchemaReadOption } from './state';
import { closeWithin, networkError, readFileOpt, str } from './driver-util';

export interface PgReadOptions extends SchemaReadOption {
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
    const mod = loadDriver('pg') as PgModule | { default: PgModule };
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

/** libpq's sslmode: OPTIONS (Django passes them to psycopg as connection parameters), then PGSSLMODE, then prefer. */
export function sslMode(options: Record<string, unknown>): string {
  return (str(options.sslmode) ?? process.env.PGSSLMODE ?? 'prefer').toLowerCase();
}

/**
 * The TLS settings libpq would use for `sslmode` when it does encrypt: `require` encrypts without checking the
 * certificate (unless a root certificate is given: libpq then verifies the chain, as verify-ca), `verify-ca`
 * checks the chain, `verify-full` the chain and the host name. `prefer`/`allow` encrypt without checks.
 */
function tlsConfig(mode: string, options: Record<string, unknown>): Exclude<ClientConfig['ssl'], boolean | undefined> {
  const ca = readFileOpt(str(options.sslrootcert) ?? process.env.PGSSLROOTCERT);
  const cert = readFileOpt(str(options.sslcert) ?? process.env.PGSSLCERT);
  const key = readFileOpt(str(options.sslkey) ?? process.env.PGSSLKEY);
  const verify = mode === 'verify-ca' || mode === 'verify-full' || (mode === 'require' && !!ca);
  if (!verify) return { rejectUnauthorized: false, cert, key };
  return {
    rejectUnauthorized: true,
    ca,
    cert,
    key,
    // verify-ca (and require with a root certificate) check the chain but not the host name
    ...(mode !== 'verify-full' ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** First attempt's `ssl` for a mode: prefer and the verifying modes start with TLS, disable and allow without. */
function sslConfig(options: Record<string, unknown>): ClientConfig['ssl'] {
  const mode = sslMode(options);
  if (mode === 'disable' || mode === 'allow') return false;
  return tlsConfig(mode, options);
}

/** The `pg` client configuration for a Django DATABASES entry (no secrets are logged from here). */
export function pgClientConfig(db: DatabaseSetting, opts: PgReadOptions = {}): ClientConfig {
  const options = (db.options ?? {}) as Record<string, unknown>;
  const portRaw = str(db.port) || str(options.port) || process.env.PGPORT;
  const port = portRaw ? Number(portRaw) : 5432;
  let host = str(db.host) || str(options.host) || process.env.PGHOST || undefined;
  // no HOST: libpq connects to its Unix socket only (never TCP to localhost), on Windows to localhost
  if (!host) host = defaultSocketDir(port) ?? (process.platform === 'win32' ? 'localhost' : '/var/run/postgresql');
  const connectTimeoutSec = Number(str(options.connect_timeout) ?? NaN);
  const connectTimeoutMs =
    opts.connectTimeoutMs ?? (Number.isFinite(connectTimeoutSec) && connectTimeoutSec > 0 ? connectTimeoutSec * 1000 : 5000);
  const statementTimeoutMs = opts.statementTimeoutMs ?? 5000;
  const cfg: ClientConfig = {
    host,
    port,
    user: str(db.user) || str(options.user) || undefined,
    // Django's default PASSWORD is '': then OPTIONS["password"] (passed to psycopg) or libpq's PGPASSWORD/.pgpass
    password: str(db.password) || str(options.password) || undefined,
    database: str(db.name) || undefined,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    lock_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs * 2,
    application_name: opts.applicationName ?? str(options.application_name) ?? 'django-multidb',
    // libpq never uses TLS on a Unix socket
    ssl: host.startsWith('/') ? false : sslConfig(options),
  };
  const pgOptions = str(options.options);
  if (pgOptions) cfg.options = pgOptions;
  return cfg;
}

function describeError(e: unknown, cfg: ClientConfig): string {
  const err = e as { message?: string; code?: string; errno?: string };
  let msg = err?.message || String(e);
  const socket = !!cfg.host?.startsWith('/');
  const where = socket ? `the Unix socket ${cfg.host}/.s.PGSQL.${cfg.port}` : `${cfg.host}:${cfg.port}`;
  // HOST empty: libpq (and so Django) uses the local socket only
  if (socket && (err?.code === 'ENOENT' || err?.code === 'ECONNREFUSED')) return `no PostgreSQL server listens on ${where} (HOST is empty: libpq connects through the local socket, not TCP; is the server running here?)`;
  const net = networkError(err?.code, cfg.host, where);
  if (net) return net;
  switch (err?.code) {
    case '28P01':
      msg = `password authentication failed for user "${cfg.user ?? ''}" on ${where}`;
      break;
    case '3D000':
      msg = `database "${cfg.database ?? ''}" does not exist on ${where}`;
      break;
    default:
      // node-postgres' wording when the server asks for a password and none was given (libpq: "no password supplied")
      if (/client password must be a string/.test(msg)) {
        msg = `no password supplied for user "${cfg.user ?? ''}" on ${where} (set PASSWORD, OPTIONS["password"], PGPASSWORD or ~/.pgpass)`;
      } else if (/timeout/i.test(msg) && !msg.includes(where)) msg = `${msg} (${where})`;
  }
  return scrubSecret(msg, typeof cfg.password === 'string' ? cfg.password : undefined);
}

/** The server cannot do TLS (or the handshake failed): libpq's prefer then connects without it. */
function tlsFailed(e: unknown): boolean {
  const m = (e as { message?: string })?.message ?? '';
  const code = (e as { code?: string })?.code ?? '';
  return /does not support SSL|SSL|TLS|certificate|EPROTO/i.test(m) || /^ERR_SSL|^ERR_TLS|EPROTO/.test(code);
}

/** The server insists on encryption (pg_hba `hostssl` only): libpq's allow then retries with TLS. */
function needsTls(e: unknown): boolean {
  const m = (e as { message?: string })?.message ?? '';
  return /no encryption|SSL off|requires? (an )?encrypt/i.test(m);
}

/** Applied migrations of a PostgreSQL database. Never throws. */
export async function readPostgresApplied(db: DatabaseSetting, opts: PgReadOptions = {}): Promise<AppliedState> {
  const alias = db.alias;
  if (db.name === null || db.name === undefined || db.name === '') {
    return appliedState(alias, { reachable: false, unconfigured: true, error: 'the database NAME could not be determined statically' });
  }
  let cfg: ClientConfig;
  try {
    cfg = pgClientConfig(db, opts);
  } catch (e) {
    return appliedState(alias, { reachable: false, error: scrubSecret(`bad connection settings: ${String((e as Error)?.message ?? e)}`, db.password) });
  }
  const options = (db.options ?? {}) as Record<string, unknown>;
  const mode = sslMode(options);
  const withSchema = !!opts.schema;
  const first = await attempt(alias, cfg, withSchema);
  if (first.reachable) return first.result;
  // libpq: prefer tries TLS, then without; allow tries without, then TLS. A Unix socket never uses TLS.
  if (mode === 'prefer' && cfg.ssl && tlsFailed(first.error)) return (await attempt(alias, { ...cfg, ssl: false }, withSchema)).result;
  if (mode === 'allow' && needsTls(first.error)) return (await attempt(alias, { ...cfg, ssl: tlsConfig(mode, options) }, withSchema)).result;
  return first.result;
}

/**
 * Tables, views and their columns in the schemas of the search_path (where Django's unqualified names resolve),
 * with reltuples as the row estimate. From pg_catalog rather than information_schema: information_schema hides
 * tables the user has no privilege on, which would look like missing tables.
 */
const SCHEMA_SQL = `
SELECT n.nspname AS nsp, c.relname AS table, a.attname AS column, c.reltuples::float8 AS rows
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY (current_schemas(false))
ORDER BY array_position(current_schemas(false), n.nspname), c.relname, a.attnum`;

async function attempt(
  alias: string,
  cfg: ClientConfig,
  withSchema = false,
): Promise<{ reachable: boolean; error?: unknown; result: AppliedState }> {
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
      // first, so a missing django_migrations (which aborts the transaction) does not hide the schema; in a
      // savepoint, so a schema that cannot be read (a timeout on a huge catalog) never hides what is applied
      let schema: AppliedState['schema'];
      let schemaError: string | undefined;
      if (withSchema) {
        await client.query('SAVEPOINT dmdb_schema');
        try {
          schema = firstInSearchPath((await client.query(SCHEMA_SQL)).rows);
        } catch (e) {
          schemaError = describeError(e, cfg);
          await client.query('ROLLBACK TO SAVEPOINT dmdb_schema');
        }
      }
      let rows: [unknown, unknown][] | null;
      try {
        rows = (await client.query<{ app: unknown; name: unknown }>('SELECT app, name FROM django_migrations')).rows.map(r => [r.app, r.name]);
      } catch (e) {
        // no django_migrations yet (undefined_table): everything is pending
        if ((e as { code?: string }).code !== '42P01') throw e;
        rows = null;
      }
      return { reachable: true, result: stateOfRows(alias, rows, { schema, schemaError }) };
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  } catch (e) {
    return {
      reachable: false,
      error: e,
      result: appliedState(alias, { reachable: false, error: describeError(e, cfg) }),
    };
  } finally {
    if (client) await endClient(client);
  }
}

/** A name in two schemas of the search_path resolves to the first (rows come in search_path order). */
function firstInSearchPath(rows: { nsp: unknown; table: unknown; column: unknown; rows: unknown }[]): NonNullable<AppliedState['schema']> {
  const schemaOf = new Map<string, unknown>();
  const kept = rows.filter((r) => {
    const t = String(r.table);
    if (!schemaOf.has(t)) schemaOf.set(t, r.nsp);
    return schemaOf.get(t) === r.nsp;
  });
  return schemaFromRows(kept, { estimated: true });
}

async function endClient(client: PgClient): Promise<void> {
  // if end() does not finish, the socket must not keep the process alive
  const stream = () => (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream;
  await closeWithin(() => client.end(), () => stream()?.destroy?.());
}
