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
  a: 'applied (router-skipped)',
  P: 'pending',
  p: 'pending (router-skipped)',
  R: 'applied through its squash',
  '-': 'not in plan',
  '?': 'unknown',
  '~': 'unknown (router-skipped)',
};

export interface AliasColumn {
  alias: string;
  engine: string | null;
  /** null: the database was not read (Restricted Mode, or not read yet) */
  reachable: boolean | null;
  /** readable error when unreachable; never contains a password */
  error: string | null;
  /** number of migrations in the plan; null when unknown */
  pending: number | null;
  /** the plan in Django's order: row indexes into `PendingModel.migrations`; null when unknown */
  plan: number[] | null;
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
}

// -------------------------------------------------------------------------------------------------
// host → webview

export type HostMessage =
  | { type: 'model'; model: PendingModel }
  | { type: 'busy'; busy: boolean; label?: string }
  | { type: 'focusAlias'; alias: string };

// -------------------------------------------------------------------------------------------------
// webview → host

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'openMigration'; key: string }
  | { type: 'migrate'; alias: string }
  | { type: 'showMigrations'; alias: string };

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
      return true;
    case 'openMigration':
      return typeof (m as { key?: unknown }).key === 'string';
    case 'migrate':
    case 'showMigrations':
      return typeof (m as { alias?: unknown }).alias === 'string';
    default:
      return false;
  }
}
