// Reads the applied rows of `django_migrations` from MySQL or MariaDB with `mysql2`, inside a
// `START TRANSACTION READ ONLY` that is always rolled back, with connect/statement timeouts, and always closes the
// connection. Connection parameters follow Django's MySQL backend (`DatabaseWrapper.get_connection_params`):
// NAME/USER/PASSWORD/HOST/PORT, a HOST starting with "/" is a Unix socket, and OPTIONS go to the driver
// (mysqlclient: `passwd`/`password`, `user`, `db`/`database`, `unix_socket`, `connect_timeout` in seconds, `ssl`
// dict, `ssl_mode`). Error messages never contain the password.

import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Connection, ConnectionOptions, SslOptions } from 'mysql2/promise';
import { loadDriver } from './drivers';

import type { AppliedState, DatabaseSetting } from '../types';
import { Redactor } from '../redact';
import { appliedState, schemaFromRows, stateOfRows, type SchemaReadOption } from './state';
import { closeWithin, networkError, readFileOpt, str } from './driver-util';

export interface MysqlReadOptions extends SchemaReadOption {
  /** connect timeout (ms); default 5000, or OPTIONS connect_timeout (seconds) */
  connectTimeoutMs?: number;
  /** statement timeout (ms), server side (max_statement_time / max_execution_time) and client side; default 5000 */
  statementTimeoutMs?: number;
}

type MysqlModule = { createConnection: (o: ConnectionOptions) => Promise<Connection> };
let mysqlModule: MysqlModule | null = null;

function loadMysql(): MysqlModule {
  if (!mysqlModule) mysqlModule = loadDriver('mysql2/promise') as MysqlModule;
  return mysqlModule;
}

const DEFAULT_SOCKETS = ['/run/mysqld/mysqld.sock', '/var/run/mysqld/mysqld.sock', '/tmp/mysql.sock'];

/**
 * mysqlclient's ssl_mode (MySQL's --ssl-mode), from OPTIONS `ssl_mode`, else `ssl` given → REQUIRED (VERIFY_CA
 * with a CA), else PREFERRED (the MySQL client's default: TLS when the server offers it).
 */
export function mysqlSslMode(options: Record<string, unknown>): string {
  const explicit = str(options.ssl_mode);
  if (explicit) return explicit.toUpperCase();
  const ssl = options.ssl;
  if (ssl && typeof ssl === 'object') return (ssl as Record<string, unknown>).ca ? 'VERIFY_CA' : 'REQUIRED';
  if (ssl === true) return 'REQUIRED';
  return 'PREFERRED';
}

function tlsOptions(mode: string, options: Record<string, unknown>): SslOptions {
  const ssl = (options.ssl && typeof options.ssl === 'object' ? options.ssl : {}) as Record<string, unknown>;
  const ca = readFileOpt(str(ssl.ca) ?? str(options.ssl_ca));
  const cert = readFileOpt(str(ssl.cert) ?? str(options.ssl_cert));
  const key = readFileOpt(str(ssl.key) ?? str(options.ssl_key));
  const verify = mode === 'VERIFY_CA' || mode === 'VERIFY_IDENTITY';
  return {
    ca,
    cert,
    key,
    rejectUnauthorized: verify,
    // VERIFY_CA checks the chain, not the host name (mysqlclient's ssl `check_hostname` turns that on)
    ...(mode === 'VERIFY_CA' && ssl.check_hostname !== true ? { verifyIdentity: false } : { verifyIdentity: mode === 'VERIFY_IDENTITY' }),
  } as SslOptions;
}

/** The mysql2 connection options for a Django DATABASES entry (first attempt's TLS per ssl_mode). */
export function mysqlClientConfig(db: DatabaseSetting, opts: MysqlReadOptions = {}): ConnectionOptions {
  const options = (db.options ?? {}) as Record<string, unknown>;
  const host = str(db.host) || str(options.host) || '';
  const socket = str(options.unix_socket) || (host.startsWith('/') ? host : undefined);
  const portRaw = str(db.port) || str(options.port);
  const connectSec = Number(str(options.connect_timeout) ?? NaN);
  const cfg: ConnectionOptions = {
    user: str(db.user) || str(options.user) || os.userInfo().username,
    // Django's default PASSWORD is '': then mysqlclient's OPTIONS passwd/password
    password: str(db.password) || str(options.password) || str(options.passwd) || undefined,
    database: str(db.name) || str(options.database) || str(options.db) || undefined,
    connectTimeout: opts.connectTimeoutMs ?? (Number.isFinite(connectSec) && connectSec > 0 ? connectSec * 1000 : 5000),
    charset: str(options.charset) ? `${str(options.charset)!.toUpperCase()}_GENERAL_CI` : undefined,
    // dates and big numbers are never read; keep the driver from interpreting anything it does not need to
    supportBigNumbers: true,
    dateStrings: true,
  };
  if (socket) {
    cfg.socketPath = socket;
  } else if (!host || host === 'localhost') {
    // libmysqlclient connects to "localhost" through the default Unix socket
    const found = DEFAULT_SOCKETS.find((p) => fs.existsSync(p));
    if (found && !portRaw) cfg.socketPath = found;
    else cfg.host = host || 'localhost';
  } else {
    cfg.host = host;
  }
  if (!cfg.socketPath) {
    cfg.port = portRaw ? Number(portRaw) : 3306;
    const mode = mysqlSslMode(options);
    if (mode !== 'DISABLED') cfg.ssl = tlsOptions(mode, options);
  }
  if (!cfg.charset) delete cfg.charset;
  return cfg;
}

function describeError(e: unknown, cfg: ConnectionOptions, redactor: Redactor): string {
  const err = e as { message?: string; code?: string; errno?: number };
  let msg = err?.message || String(e);
  const where = cfg.socketPath ? cfg.socketPath : `${cfg.host}:${cfg.port}`;
  const net = networkError(err?.code, cfg.host, where);
  if (net) return redactor.redact(net);
  switch (err?.code) {
    case 'ENOENT':
      msg = `no server socket at ${where}`;
      break;
    case 'ER_ACCESS_DENIED_ERROR':
      msg = `access denied for user "${cfg.user ?? ''}" on ${where} (wrong password?)`;
      break;
    case 'ER_BAD_DB_ERROR':
      msg = `database "${cfg.database ?? ''}" does not exist on ${where}`;
      break;
    default:
      if (!msg.includes(where)) msg = `${msg} (${where})`;
  }
  return redactor.redact(msg);
}

/** The server offers no TLS, or the handshake failed: PREFERRED then connects without it. */
function tlsFailed(e: unknown): boolean {
  const m = (e as { message?: string })?.message ?? '';
  const code = (e as { code?: string })?.code ?? '';
  return /secure connection|SSL|TLS|certificate|EPROTO/i.test(m) || /^ERR_SSL|^ERR_TLS|HANDSHAKE_NO_SSL_SUPPORT|EPROTO/.test(code);
}

/** Applied migrations of a MySQL/MariaDB database. Never throws. */
export async function readMysqlApplied(db: DatabaseSetting, opts: MysqlReadOptions = {}): Promise<AppliedState> {
  const alias = db.alias;
  const redactor = new Redactor([db.password]).addDatabases([db]);
  if (!db.name && !str((db.options ?? {}).database) && !str((db.options ?? {}).db)) {
    return appliedState(alias, { reachable: false, unconfigured: true, error: 'the database NAME could not be determined statically' });
  }
  let cfg: ConnectionOptions;
  try {
    cfg = mysqlClientConfig(db, opts);
  } catch (e) {
    return appliedState(alias, { reachable: false, error: redactor.redact(`bad connection settings: ${String((e as Error)?.message ?? e)}`) });
  }
  const statementMs = opts.statementTimeoutMs ?? 5000;
  const withSchema = !!opts.schema;
  const first = await attempt(alias, cfg, statementMs, redactor, withSchema);
  if (first.reachable) return first.result;
  const mode = mysqlSslMode((db.options ?? {}) as Record<string, unknown>);
  if (mode === 'PREFERRED' && cfg.ssl && tlsFailed(first.error)) {
    const { ssl: _none, ...plain } = cfg;
    return (await attempt(alias, plain, statementMs, redactor, withSchema)).result;
  }
  return first.result;
}

async function attempt(
  alias: string,
  cfg: ConnectionOptions,
  statementMs: number,
  redactor: Redactor,
  withSchema = false,
): Promise<{ reachable: boolean; error?: unknown; result: AppliedState }> {
  let conn: Connection | null = null;
  try {
    conn = await loadMysql().createConnection(cfg);
    // a late 'error' event (server gone) must not crash the process
    (conn as unknown as { on?: (ev: string, fn: () => void) => void }).on?.('error', () => {});
    // server-side limit: MariaDB's max_statement_time (seconds), else MySQL's max_execution_time (ms, SELECTs)
    await conn.query(`SET SESSION max_statement_time = ${(statementMs / 1000).toFixed(3)}`).catch(() =>
      conn!.query(`SET SESSION max_execution_time = ${Math.round(statementMs)}`).catch(() => {}),
    );
    await conn.query({ sql: 'START TRANSACTION READ ONLY', timeout: statementMs });
    try {
      let schema: AppliedState['schema'];
      let schemaError: string | undefined;
      if (withSchema) {
        try {
          const [r] = await conn.query({ sql: SCHEMA_SQL, timeout: statementMs });
          // lower_case_table_names 1 or 2 (Windows, macOS): table names compare case-insensitively
          const [[fold]] = (await conn.query({ sql: 'SELECT @@lower_case_table_names AS f', timeout: statementMs, rowsAsArray: true }))[0] as unknown as [[unknown]];
          schema = schemaFromRows(r as { table: unknown; column: unknown; rows: unknown }[], { foldCase: Number(fold) > 0, estimated: true });
        } catch (e) {
          // drift is extra: a schema that cannot be read never hides what is applied
          schemaError = describeError(e, cfg, redactor);
        }
      }
      let rows: [unknown, unknown][] | null;
      try {
        const [r] = await conn.query({ sql: 'SELECT app, name FROM django_migrations', timeout: statementMs });
        rows = (r as { app: unknown; name: unknown }[]).map(x => [x.app, x.name]);
      } catch (e) {
        // no django_migrations yet: everything is pending
        if ((e as { code?: string }).code !== 'ER_NO_SUCH_TABLE') throw e;
        rows = null;
      }
      return { reachable: true, result: stateOfRows(alias, rows, { schema, schemaError }) };
    } finally {
      await conn.query('ROLLBACK').catch(() => {});
    }
  } catch (e) {
    return { reachable: false, error: e, result: appliedState(alias, { reachable: false, error: describeError(e, cfg, redactor) }) };
  } finally {
    if (conn) await closeConnection(conn);
  }
}

/** Tables and views of the connection's database with their columns; TABLE_ROWS is InnoDB's estimate. */
const SCHEMA_SQL = `
SELECT t.TABLE_NAME AS \`table\`, c.COLUMN_NAME AS \`column\`, t.TABLE_ROWS AS \`rows\`
FROM information_schema.TABLES t
LEFT JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
WHERE t.TABLE_SCHEMA = DATABASE()
ORDER BY t.TABLE_NAME, c.ORDINAL_POSITION`;

async function closeConnection(conn: Connection): Promise<void> {
  await closeWithin(() => conn.end(), () => conn.destroy());
}
