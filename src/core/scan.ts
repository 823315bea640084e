// The one entry point the CLI and the extension use: a `Scanner` holds the parse cache of a workspace, so a
// re-scan after an edit re-reads only the files that changed; database state is read separately because it
// is slower and needs trust.
import type {
  AppInfo, AppliedState, Finding, Loc, Logger, MigrationFileInfo, ModelInfo, RouterDecision, ScanReport, SettingsInfo,
} from './types';

export interface ScanOptions {
  /** workspace root (absolute) */
  root: string;
  /** override DJANGO_SETTINGS_MODULE */
  settingsModule?: string | null;
  /** Python interpreter of the project (used to find site-packages; only run when `allowPython`) */
  python?: string | null;
  /** process environment used for os.environ lookups in settings (plus the project's .env file) */
  env?: Record<string, string | undefined>;
  /** path of an env file (default: <root>/.env when present) */
  envFile?: string | null;
  /** may we run the project's Python to ask for sys.path? (false in untrusted workspaces) */
  allowPython?: boolean;
  /** read django_migrations of each alias (false in untrusted workspaces) */
  readDatabases?: boolean;
  /** only these aliases (default: all) */
  databases?: string[] | null;
  /** per-alias connection overrides (e.g. from VS Code secret storage) */
  connectionOverrides?: Record<string, { host?: string; port?: number; user?: string; password?: string; name?: string }>;
  /** per-alias connect/statement timeout */
  dbTimeoutMs?: number;
  logger?: Logger;
}

/** Everything the core knows about a workspace: the report plus the richer data the extension shows. */
export interface ProjectIndex {
  root: string;
  managePy: string | null;
  settings: SettingsInfo | null;
  apps: AppInfo[];
  /** concrete and abstract models (ModelInfo.abstract tells) */
  models: ModelInfo[];
  routing: RouterDecision[];
  /** dotted router path → where its class (and allow_migrate) is defined */
  routerLocs: Record<string, { cls?: Loc; allowMigrate?: Loc }>;
  migrations: MigrationFileInfo[];
  /** per alias; absent when databases were not read */
  applied: Record<string, AppliedState>;
  /** per alias: what `migrate --database=alias` would apply, in Django's order; null = unreachable/unknown */
  plans: Record<string, string[] | null>;
  findings: Finding[];
  /** how long each phase took, in ms (for logs and benchmarks) */
  timings: Record<string, number>;
}
