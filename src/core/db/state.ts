// The AppliedState every reader returns; defaults say "nothing applied, nothing known to exist".
import type { AppliedState, DbSchema, TableInfo } from '../types';

export function appliedState(
  alias: string,
  fields: Partial<Omit<AppliedState, 'alias'>> & Pick<AppliedState, 'reachable'>,
): AppliedState {
  return {
    alias,
    reachable: fields.reachable,
    applied: fields.applied ?? 0,
    error: fields.error ?? null,
    appliedKeys: fields.appliedKeys ?? new Set(),
    exists: fields.exists ?? false,
    ...(fields.unconfigured ? { unconfigured: true } : {}),
  };
}

/**
 * A reachable database's state from its `django_migrations` rows (app, name); `rows` null when the table does not
 * exist yet (everything pending). The schema read in the same session, or why it could not be, goes along.
 */
export function stateOfRows(
  alias: string,
  rows: readonly (readonly [unknown, unknown])[] | null,
  read: { schema?: DbSchema; schemaError?: string } = {},
): AppliedState {
  const st = rows === null
    ? appliedState(alias, { reachable: true, exists: false })
    : appliedState(alias, { reachable: true, exists: true, applied: rows.length, appliedKeys: new Set(rows.map(([app, name]) => `${String(app)}.${String(name)}`)) });
  if (read.schema) st.schema = read.schema;
  if (read.schemaError) st.schemaError = read.schemaError;
  return st;
}

/** Ask a reader for the alias's schema too (read in the same read-only session as django_migrations). */
export interface SchemaReadOption {
  schema?: {
    /** per alias: tables whose rows are counted exactly where counting is the only way (SQLite); servers give estimates */
    countRows?: Record<string, readonly string[]>;
    /**
     * per alias: the fingerprint (DbSchema.fingerprint) of a schema read before; when the database's is the
     * same, its columns are not read again (SQLite)
     */
    unlessFingerprint?: Record<string, string>;
  };
}

/** A DbSchema from (table, column) rows; a table without columns comes as (table, null). */
export function schemaFromRows(
  rows: Iterable<{ table: unknown; column: unknown; rows?: unknown }>,
  opts: { foldCase?: boolean; estimated?: boolean } = {},
): DbSchema {
  const tables = new Map<string, TableInfo>();
  for (const r of rows) {
    const name = String(r.table);
    let t = tables.get(name);
    if (!t) {
      t = { columns: [] };
      const n = r.rows === undefined || r.rows === null ? null : Number(r.rows);
      // PostgreSQL's reltuples is -1 for a table never vacuumed or analyzed: the estimate is then unknown
      if (n !== null && Number.isFinite(n) && n >= 0) { t.rows = Math.round(n); t.rowsEstimated = !!opts.estimated; }
      tables.set(name, t);
    }
    if (r.column !== null && r.column !== undefined) t.columns.push(String(r.column));
  }
  return opts.foldCase ? { tables, foldCase: true } : { tables };
}
