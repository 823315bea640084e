// Plain data shared by every part of the core, the CLI and the extension.
// The `ScanReport` shape is the public `scan --json` interface (see docs/scan-json.md):
// fields may be added, never renamed or dropped without a `version` bump.

/** A position in a file. `path` is absolute inside the core; reports make it workspace-relative. */
export interface Loc {
  path: string;
  /** 1-based */
  line: number;
  /** 0-based column, where known */
  column?: number;
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const nullLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The engine Django gives an empty DATABASES' `default` and an entry without ENGINE: no database to read or migrate. */
export const DUMMY_ENGINE = 'django.db.backends.dummy';

// ---------------------------------------------------------------------------------------------
// Settings

export interface DatabaseSetting {
  alias: string;
  /** e.g. "django.db.backends.sqlite3"; null when it cannot be known statically */
  engine: string | null;
  /** NAME as a string (an absolute path for SQLite files when known); null when unknown */
  name: string | null;
  host?: string | null;
  port?: string | number | null;
  user?: string | null;
  /** Never printed, never put in a report. */
  password?: string | null;
  options?: Record<string, unknown>;
  /** `TEST` / `MIRROR` etc. are kept raw */
  raw?: Record<string, unknown>;
  /**
   * the alias it is made a `TEST["MIRROR"]` of at run time, not in the settings (django-multidb-router's replicas:
   * REPLICA_DATABASES entries become mirrors of default when the router first picks one)
   */
  mirrorAtRunTime?: { of: string; setting: string };
  loc?: Loc;
}

export interface SettingsInfo {
  /** dotted module, e.g. "mysite.settings" */
  module: string | null;
  /** django-configurations: the configuration class the settings are (DJANGO_CONFIGURATION) */
  configuration?: string;
  /** file the settings module was read from */
  path: string | null;
  databases: DatabaseSetting[];
  /** dotted paths of DATABASE_ROUTERS, in order; `null` entries = not statically known */
  routers: (string | null)[];
  /**
   * the positions in `routers` of objects rather than dotted paths (`router_factory("legacy", [...])`, an instance
   * made with arguments): Django uses them as they are; their entry in `routers` names their class
   */
  routerObjects?: number[];
  installedApps: (string | null)[];
  /** app label -> module, or null (= migrations disabled for that app) */
  migrationModules: Record<string, string | null>;
  /** AUTH_USER_MODEL, "app_label.ModelName" */
  authUserModel: string;
  /** all other top-level settings that evaluated to a value, for router evaluation (getattr(settings, ...)) */
  values: Record<string, unknown>;
  /**
   * DATABASES / DATABASE_ROUTERS whose value could not be evaluated at all (not a dict / list): no database or
   * routing answer can be given (DATABASE_ROUTERS then holds one null router, so every routing answer is unknown)
   */
  unreadable?: ('DATABASES' | 'DATABASE_ROUTERS')[];
  /** the settings module named (by manage.py, DJANGO_SETTINGS_MODULE, --settings) does not exist: nothing is known of it */
  notFound?: true;
  /** what could not be evaluated, with where; `error`: Django itself could not import the settings for this reason */
  unknowns: { name: string; reason: string; loc?: Loc; error?: 'SyntaxError' | 'NameError' }[];
  /**
   * collections (INSTALLED_APPS, DATABASES, DATABASE_ROUTERS, MIGRATION_MODULES) whose known entries are used
   * but that may hold more, with why and where the additions come from
   */
  partial?: { name: string; reason: string; loc?: Loc; overlay?: true }[];
  /** paths assumed not taken because they can only end in a `raise` (the project is taken to start) */
  assumptions?: { reason: string; loc?: Loc }[];
  /**
   * DATABASES or DATABASE_ROUTERS set under a condition on environment variables that are not set here (a read
   * replica and its router behind ENABLE_READ_REPLICA): the configuration shown is the one without them
   */
  envDependent?: {
    settings: string[]; variables: string[]; loc: Loc;
    /** only entries' contents depend on them (DATABASES["default"]["OPTIONS"] = …): the aliases do not (Pontoon) */
    optionsOnly?: true;
  }[];
  /**
   * DATABASES as Django's ConnectionHandler takes it is not usable: `empty` (empty or not set: Django adds a `default`
   * of the dummy backend, which `databases` then holds too), or `no-default` (Django refuses the settings:
   * ImproperlyConfigured). `unsetEnv`: the environment variables DATABASES reads that are not set; `otherModules`:
   * settings modules beside these that set DATABASES, when these never do.
   */
  databasesNotConfigured?: { kind: 'empty' | 'no-default'; loc?: Loc; unsetEnv: string[]; otherModules?: string[]; neverSet?: true };
  /** unset variables whose defaults DATABASES uses (its values shown are those defaults), with where DATABASES is set */
  envDefaults?: { variables: string[]; loc?: Loc };
  /** unset variables whose defaults DATABASE_ROUTERS uses (the routers shown are those), with where it is set */
  routersEnvDefaults?: { variables: string[]; loc?: Loc };
  /** where INSTALLED_APPS is set (the settings module, or the module it star-imports it from) */
  installedAppsLoc?: Loc;
  /**
   * folders of the workspace the settings put on sys.path (`sys.path.insert(0, …)`: before the project's folder;
   * `.append(…)`: after): apps, models and migrations are resolved there too
   */
  sysPath?: { front: string[]; back: string[] };
  /** where DATABASE_ROUTERS is set, likewise */
  routersLoc?: Loc;
  /**
   * environment variables DATABASES reads (or a condition on which it is set) that are not set here; where that cannot
   * be followed, those whose names look like a database's (POSTGRES_DB, DATABASE_URL…). Not those read only for how a
   * connection behaves (OPTIONS, CONN_MAX_AGE: a pool's size), which do not change which database an alias reaches.
   */
  unsetDatabaseEnv?: string[];
  /**
   * DATABASES could not be read with the environment here, and was read with values the project's containers or CI
   * give variables the settings read that are not set here (NetBox's NETBOX_CONFIGURATION): those variables, the files
   */
  deployEnv?: { variables: string[]; files: string[]; /** those values that name a module (others may be secrets) */ values: Record<string, string>; before: 'unreadable' | 'empty' | 'no-default' | 'no-engine' };
}

// ---------------------------------------------------------------------------------------------
// Apps and models

export interface AppInfo {
  /** app label (AppConfig.label or last part of the module) */
  label: string;
  /** dotted module of the app package */
  module: string;
  /** the INSTALLED_APPS entry as written */
  entry: string;
  /** directory of the app package (absolute) */
  dir: string | null;
  /** true when the app's files are outside the workspace (django.contrib, site-packages) */
  external: boolean;
  /** dotted module of the migrations package, or null when disabled (MIGRATION_MODULES None) */
  migrationsModule: string | null;
  migrationsDir: string | null;
  /** a workspace app whose migrations are outside the workspace (MIGRATION_MODULES naming an installed package's) */
  migrationsExternal?: true;
  /** dotted path of the AppConfig class Django would use ("django.apps.AppConfig" when none) */
  appConfig?: string;
  /**
   * "discovered": INSTALLED_APPS could not be evaluated at all, and this app was found in the workspace (an
   * AppConfig in apps.py or a migrations package) instead (apps/discover.ts). Absent: listed in INSTALLED_APPS.
   */
  installed?: 'discovered';
}

export type RelationKind = 'ForeignKey' | 'OneToOneField' | 'ManyToManyField';

export interface RelationField {
  name: string;
  kind: RelationKind;
  /** resolved target "app_label.ModelName"; null when it could not be resolved */
  target: string | null;
  /** the target as written, e.g. "legacy.Customer", "self", "settings.AUTH_USER_MODEL" */
  targetRaw: string;
  dbConstraint: boolean;
  /** explicit through model "app_label.ModelName" for M2M */
  through?: string | null;
  loc: Loc;
  /** the model (app.Model) that declared it, when inherited */
  inheritedFrom?: string;
  /** OneToOneField(parent_link=True), or the implicit `<parent>_ptr` of multi-table inheritance */
  parentLink?: boolean;
  /** made by Django, not written in the source (the `<parent>_ptr` field); `loc` is the class line */
  autoCreated?: boolean;
  /** `db_column=` as written (FK/O2O); null when written but not a literal; absent when not given */
  dbColumn?: string | null;
  /** `db_table=` of a ManyToManyField; null when written but not a literal; absent when not given */
  dbTable?: string | null;
}

export interface ModelInfo {
  app: string;
  name: string;
  /** "app_label.Name" */
  key: string;
  managed: boolean;
  proxy: boolean;
  abstract: boolean;
  /** swapped out by a setting (e.g. auth.User when AUTH_USER_MODEL points elsewhere) */
  swapped: boolean;
  table: string;
  /** lowercase name as Django's `_meta.model_name` */
  modelName: string;
  loc: Loc;
  /** "app.Model" of concrete/abstract bases that could be resolved */
  bases: string[];
  fields: RelationField[];
  /** class attributes with literal values (for routers that read model attributes) */
  attrs: Record<string, unknown>;
  /** Meta attributes with literal values */
  meta: Record<string, unknown>;
  /** `_meta.concrete_model` ("app.Model"): itself for concrete models, the concrete parent for proxies */
  concreteModel?: string;
  /** the setting's value when `swapped` (e.g. "accounts.User") */
  swappedFor?: string;
  /**
   * a model only the migration state has (deleted or renamed since): every attribute name its migrations gave its
   * historical class (fields, managers), when they are all known
   */
  historicalNames?: string[];
  /** with historicalNames: the classes of its CreateModel's bases that are not models.Model, in the migration's module */
  historicalMixins?: { path: string; base: import('./python/ast').Expr }[];
}

// ---------------------------------------------------------------------------------------------
// Routers

export type Tri = true | false | null; // null = unknown

export interface RouterDecision {
  alias: string;
  /** "app.Model" */
  model: string;
  /** whether migrations touch the model on alias; null = unknown */
  migrate: boolean | null;
  /** first router that returned True/False (dotted path), else null */
  decidedBy: string | null;
  reason: 'router' | 'default' | 'unmanaged' | 'proxy' | 'swapped' | 'unknown';
  /** where the deciding `return` is (or where evaluation gave up) */
  loc?: Loc;
  /** human explanation, e.g. "app_label in route_app_labels → db == 'analytics'" */
  explanation?: string;
  /** who decided this row: the static evaluator (default when absent) or Django itself (django/index.ts) */
  source?: 'static' | 'django';
}

// ---------------------------------------------------------------------------------------------
// Migrations

export type MigrationKey = string; // "app.name"

export interface MigrationOperationInfo {
  /** e.g. "CreateModel", "AddField", "RunPython" */
  kind: string;
  /** lowercase model name the operation acts on, when it has one */
  modelName?: string;
  /** 1-based line of the operation's call */
  line?: number;
  /** RunPython/RunSQL `hints=` as a literal dict; null when written but not a literal; absent when not given */
  hints?: Record<string, unknown> | null;
  /** SeparateDatabaseAndState: its `database_operations` (its state_operations never touch a database) */
  database?: MigrationOperationInfo[];
  /**
   * the attributes the operation gives the model's historical class: CreateModel its fields and managers (its
   * mixins apart: `mixins`), AddField and RenameField the field, AlterModelManagers the managers (a field's
   * `_id`, `get_…_display` and the like follow from its name); null when it may give others (a concrete parent
   * named by label, a list that is not literal)
   */
  names?: string[] | null;
  /** RunSQL's `state_operations=`: it changes the migration state (not read) */
  stateOperations?: true;
  /** RenameModel: the new name, lowercase (null when not a literal `new_name=` keyword) */
  renamedTo?: string | null;
  /** CreateModel: its bases that are not models.Model, as written in the migration (read in full only) */
  mixins?: import('./python/ast').Expr[];
}

export interface MigrationFileInfo {
  app: string;
  name: string;
  key: MigrationKey;
  path: string;
  /** as written, with "__first__"/"__latest__" kept; swappable_dependency resolved */
  dependencies: [string, string][];
  replaces: [string, string][];
  runBefore: [string, string][];
  initial: boolean | null;
  operations: MigrationOperationInfo[];
  /** 1-based line of `class Migration` */
  line?: number;
  /** true when the file could not be fully read (syntax errors etc.) */
  partial?: boolean;
}

export interface AppliedState {
  alias: string;
  reachable: boolean;
  /** number of rows in django_migrations (0 when missing) */
  applied: number;
  error: string | null;
  /** "app.name" of applied rows */
  appliedKeys: Set<MigrationKey>;
  /** false when the database file / django_migrations table does not exist yet */
  exists: boolean;
  /** who read it: the static reader (default when absent) or Django's MigrationRecorder (django/index.ts);
   *  the alias's plan in ProjectIndex.plans comes from the same source */
  source?: 'static' | 'django';
  /** the tables and columns the alias holds, when its schema was read (schema drift, core/drift.ts) */
  schema?: DbSchema;
  /** why the schema could not be read (the applied state above still stands) */
  schemaError?: string;
  /**
   * not read because the settings do not say statically where the database is (its ENGINE or NAME is unknown: an
   * environment variable that is not set here, a value read from a file): a question of configuration, not a failure
   */
  unconfigured?: boolean;
}

/** What one database holds: its tables and views (in the schemas a query sees) with their columns. */
export interface DbSchema {
  /** table name → columns; Map because table names are data (e.g. "__proto__") */
  tables: Map<string, TableInfo>;
  /** MySQL compares table names case-insensitively on some platforms: lookups fold case when true */
  foldCase?: boolean;
  /**
   * SQLite: a digest of the schema's definition (every row of sqlite_master, where SQLite keeps each table's
   * CREATE statement as altered): equal digests, equal tables and columns.
   */
  fingerprint?: string;
  /** the columns were not read (the fingerprint was the one asked about): `tables` holds only the tables counted */
  columnsOmitted?: boolean;
}

export interface TableInfo {
  columns: string[];
  /** number of rows when cheap: exact (SQLite, counted on request) or the server's estimate */
  rows?: number | null;
  rowsEstimated?: boolean;
  /** counting stopped at `rows` (a bounded count): there are more */
  rowsAtLeast?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Findings, rendered three ways (diagnostic, CLI line, JSON object)

// The codes, their severities and where they show live in one registry (finding-codes.ts).
import type { FindingCode, Severity } from './finding-codes';
export type { FindingCode, Severity } from './finding-codes';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  path: string | null;
  line: number | null;
  message: string;
  model?: string;
  field?: string;
  target?: string;
  alias?: string;
  app?: string;
  migrations?: string[];
  /** a textual fix of the finding's file that is safe to apply as it is (one quick fix in the editor) */
  fix?: FindingFix;
  /** about a third-party app's files (scan --include-environment): listed, never failing `check` by default */
  environment?: boolean;
  /** the project's env file that sets what the finding depends on (env/env-candidates.ts): "Choose Env File…" uses it */
  envFile?: string;
}

/** `line`/`endLine` 1-based, `col`/`endCol` 0-based; an insertion has the same start and end. */
export interface TextEdit { line: number; col: number; endLine: number; endCol: number; text: string }
export interface FindingFix { title: string; edits: TextEdit[] }

// ---------------------------------------------------------------------------------------------
// The report (scan --json). Paths relative to root, forward slashes.

/** One answer of `dbRoutes` in the report; `path`/`line` of the deciding `return` (or where evaluation stopped). */
export interface DbRouteRow {
  alias: string | null; decidedBy: string | null; reason: 'router' | 'default' | 'unknown'; path?: string; line?: number;
  /** with `alias` null: the aliases `decidedBy` picks one of per query (a replica chosen at random) */
  choices?: string[];
  /** Django mode: "django" when Django's answer is the one reported (absent: the static reading's) */
  source?: 'django';
}

export interface ScanReport {
  version: 1;
  /** settingsFound: false when the settings module named does not exist (then nothing is known of its settings) */
  project: { root: string; settingsModule: string | null; managePy: string | null; settingsFound?: false; configuration?: string };
  /** present when a collection setting is only partly known (its known entries are used) */
  settings?: {
    partial: { name: string; reason: string; path: string | null; line: number | null }[];
    /** DATABASES / DATABASE_ROUTERS that could not be read at all: `databases` / `routers` say nothing then */
    unreadable?: string[];
  };
  databases: {
    alias: string;
    engine: string | null;
    name: string | null;
    /** the first alias (DATABASES order) that reaches the same physical database (db/identity.ts) */
    sameAs?: string;
    /** TEST.MIRROR: the alias this one mirrors (a replica) */
    mirrorOf?: string;
    /**
     * what makes it a mirror, with `mirrorOf`: `TEST["MIRROR"]`, or the setting that makes it one at run time
     * (`REPLICA_DATABASES (django-multidb-router)`)
     */
    mirrorBy?: string;
  }[];
  routers: string[];
  /** the apps whose models and migrations were read; `installed: "discovered"` when INSTALLED_APPS was unknown */
  apps?: { label: string; module: string; path: string | null; external: boolean; installed: true | 'discovered' }[];
  models: {
    app: string;
    name: string;
    managed: boolean;
    proxy: boolean;
    table: string;
    path: string;
    line: number;
  }[];
  routing: {
    alias: string;
    model: string;
    migrate: boolean | null;
    decidedBy: string | null;
    reason: RouterDecision['reason'];
    path?: string;
    line?: number;
    source?: 'static' | 'django';
  }[];
  migrations: {
    app: string;
    name: string;
    path: string;
    dependencies: [string, string][];
    replaces: [string, string][];
    initial: boolean | null;
    /** read whole, and it has no operation: applying it only records it (Django's auth.0006_require_contenttypes_0002) */
    noOperations?: true;
  }[];
  /**
   * Where each operation runs (docs/scan-json.md): one row per operation of every migration (the database
   * operations of a SeparateDatabaseAndState as "i.j"), with one route per alias.
   */
  operations?: {
    migration: MigrationKey;
    index: string;
    kind: string;
    model?: string;
    line?: number;
    routes: { alias: string; runs: boolean | null; reason: string; decidedBy: string | null }[];
  }[];
  /**
   * Where each model's queries go (docs/scan-json.md): Django's `router.db_for_read(Model)` / `db_for_write(Model)`
   * as a queryset asks them; `alias` null when it cannot be decided statically.
   */
  dbRoutes?: {
    model: string;
    read: DbRouteRow;
    write: DbRouteRow;
  }[];
  status: Record<string, { reachable: boolean; applied: number; error: string | null }>;
  /** per alias whose schema was read (docs/scan-json.md `drift`): what it holds against what it should */
  drift?: Record<string, AliasDrift>;
  plan: Record<string, MigrationKey[] | null>;
  diagnostics: Finding[];
  /** which mode produced the facts (absent in older reports: static) */
  source?: {
    mode: 'static' | 'django';
    requested: 'static' | 'django' | 'auto';
    reason: string | null;
    routing: 'static' | 'django';
    plan: Record<string, 'static' | 'django'>;
  };
  /** Django mode: where the static analysis and Django differ (Django's answer is the one reported) */
  disagreements?: { kind: string; alias?: string; model?: string; migration?: string; app?: string; static: unknown; django: unknown; note: string; path?: string; line?: number }[];
}

/** The drift of one alias (docs/scan-json.md). Lists are sorted; `checked` says how much could be known. */
export interface AliasDrift {
  /** the alias is the same physical database as this earlier alias: its drift is reported there */
  sameAs?: string;
  /** the schema could not be read (nothing was compared) */
  error?: string;
  tables: number;
  /** models whose table/columns were compared / skipped because something is not known statically */
  checked: { models: number; unknown: number };
  missingTables: { model: string; table: string }[];
  missingColumns: { model: string; table: string; column: string; field: string }[];
  strayTables: { model: string; table: string; rows: number | null; rowsEstimated: boolean; rowsAtLeast?: true }[];
  unknownApplied: MigrationKey[];
  unmanagedMissing: { model: string; table: string }[];
}
