// Typed messages between the extension host (src/extension/pendingPanel.ts) and the pending-migrations
// webview (webview/main.ts). Both sides import this file, so a renamed field is a compile error on both.
// Keep it free of `vscode` and of DOM types: it is plain data.

/**
 * State of one migration on one alias, one character per alias so that 2,000 migrations × 20 aliases stay a
 * small message (a row's `cells` string is indexed like `PendingModel.aliases`).
 *
 * - `A` applied (a row in django_migrations)
 * - `a` applied, but no model it touches migrates on that alias (Django recorded it and skipped its operations)
 * - `P` pending: `migrate --database=<alias>` would apply it now
 * - `p` pending and router-skipped: Django will record it but skip its operations
 * - `R` replaced by an applied squash (Django treats it as applied through the squash)
 * - `-` neither applied nor in the plan (e.g. a squash that Django does not use on this alias)
 * - `?` unknown: the database was not read (Restricted Mode, unreachable, or not read yet) — router applicable
 * - `~` unknown state, and no model it touches migrates on that alias (router-skipped when it runs)
 */
export type CellState = 'A' | 'a' | 'P' | 'p' | 'R' | '-' | '?' | '~';

export const CELL_LABELS: Record<CellState, string> = {
  A: 'applied',
  a: 'applied, nothing ran',
  P: 'pending',
  p: 'pending, will run nothing',
  R: 'applied through its squash',
  '-': 'not in plan',
  '?': 'state unknown',
  '~': 'state unknown, would run nothing',
};

export type EffectCode = 'r' | 's' | 'p' | 'n' | 'u';

/**
 * The words for one cell: its state and what its operations do there, e.g. "applied — partly skipped
 * (router-skipped: RunPython)". `note` is the row's note for that alias.
 */
export function cellLabel(cell: CellState, effect: string, note?: { tag: string; text: string }): string {
  const base = CELL_LABELS[cell] ?? cell;
  if (!note || cell === 'R' || cell === '-') return base;
  if (effect === 's') return `${base} (${note.tag})`;
  return `${base}, ${note.tag}`;
}

/** One operation of a pending migration as Django will run it on an alias (Django mode only). */
export interface PlanOperation {
  /** e.g. "CreateModel" */
  kind: string;
  /** Django's Operation.describe(), e.g. "Create model Invoice" */
  describe: string;
  /** lowercase model name, when the operation has one */
  model?: string;
  /** true: Django skips it on this alias; false: it runs (or has nothing to run); null: unknown */
  skipped: boolean | null;
  /** why, one short phrase (router and its answer, unmanaged, proxy, …) */
  why: string;
  /** SeparateDatabaseAndState: its database operations */
  children?: PlanOperation[];
}

export interface AliasColumn {
  alias: string;
  engine: string | null;
  /** null: the database was not read (Restricted Mode, or not read yet) */
  reachable: boolean | null;
  /** readable error when unreachable; never contains a password */
  error: string | null;
  /**
   * Django's dummy backend, which nothing can read or migrate: `no-databases` when the settings set no DATABASES (its
   * `default` is Django's), `no-engine` for an entry without ENGINE (`'default': {}`, a placeholder)
   */
  dummy?: 'no-databases' | 'no-engine';
  /** number of migrations in the plan; null when unknown */
  pending: number | null;
  /** the plan in Django's order: row indexes into `PendingModel.migrations`; null when unknown */
  plan: number[] | null;
  /** who computed `plan`: Django mode (then the host can send each migration's operations) or the static graph */
  planSource: 'static' | 'django';
  /** schema drift found on this database (core/drift.ts): how many findings, and the first one's sentence */
  drift: { count: number; first: string | null };
}

export interface MigrationRow {
  /** "app.name" */
  key: string;
  app: string;
  name: string;
  /** workspace-relative path for display */
  relPath: string;
  /** one CellState per alias, same order as `PendingModel.aliases` */
  cells: string;
  /**
   * What the migration does on each alias, one character per alias (EffectCode): `r` its operations run,
   * `s` every one is skipped, `p` some are, `n` nothing to run (no operations, or state only), `u` unknown.
   */
  effects: string;
  /** per alias index, when not every operation simply runs: a short tag and the sentence for the tooltip */
  notes: Record<number, { tag: string; text: string }>;
  /** "app.name" keys this squash replaces (empty when not a squash) */
  replaces: string[];
  /** "app.name" of the squash(es) replacing this migration */
  replacedBy: string[];
  /** true when this migration is one of the leaves of a conflict (two leaves in one app) */
  conflict: boolean;
  /** operation kinds, e.g. ["CreateModel", "RunPython"], for the tooltip */
  operations: string[];
}

export interface PendingModel {
  /** workspace folder name + project root, for the title */
  project: string;
  /** absolute root, so that the host can tell projects apart in multi-root workspaces */
  root: string;
  trusted: boolean;
  /** true once database state was read for at least one alias */
  stateRead: boolean;
  aliases: AliasColumn[];
  migrations: MigrationRow[];
  /** total of pending migrations over reachable aliases */
  totalPending: number;
  /** the alias the panel was opened for (tree action), if any */
  focusAlias: string | null;
  /** ISO time of the index this was built from */
  generatedAt: string;
  /** whose answer this is: Django's own, or the static analysis (and why Django is not used) */
  source: { used: 'static' | 'django'; django: string | null; reason: string | null };
  /** whether "Show SQL" can run; otherwise the sentence to show instead */
  sql: { available: boolean; reason: string | null };
  /** ISO time: this is the last session's answer, shown while a fresh one is computed; null when fresh */
  cachedAt: string | null;
}

/** The answer to `showSql`, posted twice: `loading`, then `done` or `error`. */
export interface SqlResult {
  alias: string;
  /** "app.name" */
  key: string;
  status: 'loading' | 'done' | 'error';
  sql?: string;
  /** one readable sentence; the Python traceback is in the log */
  error?: string;
}

// -------------------------------------------------------------------------------------------------
// host → webview

export type HostMessage =
  | { type: 'model'; model: PendingModel }
  | { type: 'busy'; busy: boolean; label?: string }
  | { type: 'focusAlias'; alias: string }
  /** answer to `planDetails`: each pending migration of the alias with its operations (Django mode) */
  | { type: 'planDetails'; alias: string; generatedAt: string; operations: Record<string, PlanOperation[]> | null }
  | ({ type: 'sql' } & SqlResult);

// -------------------------------------------------------------------------------------------------
// webview → host

/** Django's dummy backend (core/types.ts), for the host and the webview */
export { DUMMY_ENGINE } from '../core/types';

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'openMigration'; key: string }
  | { type: 'migrate'; alias: string }
  | { type: 'showMigrations'; alias: string }
  /** an unreachable alias: store its password ("Set Database Password…") */
  | { type: 'setPassword'; alias: string }
  /** the settings configure no database (Django's dummy `default`): "Choose Settings Module…" */
  | { type: 'chooseSettings' }
  | { type: 'planDetails'; alias: string }
  | { type: 'showSql'; alias: string; key: string }
  /** open SQL already shown in the panel as an untitled `sql` document */
  | { type: 'openSql'; alias: string; key: string };

/** What the webview keeps in `vscode.setState` (and what the serializer hands back on restore). */
export interface PanelViewState {
  root?: string;
  tab?: 'matrix' | 'plan';
  planAlias?: string;
  filter?: string;
  /** matrix: only rows with at least one pending cell */
  pendingOnly?: boolean;
  /** rows rendered so far (paging) */
  limit?: number;
}

export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (!m || typeof m !== 'object') return false;
  const t = (m as { type?: unknown }).type;
  switch (t) {
    case 'ready':
    case 'refresh':
    case 'chooseSettings':
      return true;
    case 'openMigration':
      return typeof (m as { key?: unknown }).key === 'string';
    case 'migrate':
    case 'showMigrations':
    case 'setPassword':
    case 'planDetails':
      return typeof (m as { alias?: unknown }).alias === 'string';
    case 'showSql':
    case 'openSql':
      return typeof (m as { alias?: unknown }).alias === 'string' && typeof (m as { key?: unknown }).key === 'string';
    default:
      return false;
  }
}
