// Which aliases reach the same physical database, and which are declared mirrors (replicas) of another.
//
// Real projects declare read replicas as a second alias: Saleor's `replica` has the same URL as `default`
// unless an environment variable says otherwise, with `TEST: {"MIRROR": "default"}`. Both aliases then share
// one `django_migrations` table, so the same pending migrations would show twice and "Migrate all databases"
// would run `migrate` twice against one database. A mirror with its own host is a replica that receives the
// primary's schema through replication: migrating it directly is wrong too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DUMMY_ENGINE, type DatabaseSetting, type SettingsInfo } from '../types';
import { sqliteFilePath } from './sqlite';

export interface DatabaseTwin {
  /** the first alias, in DATABASES order, that reaches the same physical database; null when none */
  sameAs: string | null;
  /** `TEST["MIRROR"]` when it names another alias of DATABASES */
  mirrorOf: string | null;
  /** with mirrorOf: what declares it, `TEST["MIRROR"]` or `REPLICA_DATABASES (django-multidb-router)` */
  mirrorBy: string | null;
}

/** Servers that several engines talk to (the GIS backends use the same server as the plain ones). */
const VENDOR: Record<string, string> = {
  'django.db.backends.postgresql': 'postgresql',
  'django.db.backends.postgresql_psycopg2': 'postgresql',
  'django.contrib.gis.db.backends.postgis': 'postgresql',
  'django.db.backends.mysql': 'mysql',
  'django.contrib.gis.db.backends.mysql': 'mysql',
  'django.db.backends.sqlite3': 'sqlite',
  'django.contrib.gis.db.backends.spatialite': 'sqlite',
  'django.db.backends.oracle': 'oracle',
  'django.contrib.gis.db.backends.oracle': 'oracle',
};

/** libpq's and MySQL's default ports: an empty PORT is the same server as the explicit default. */
const DEFAULT_PORT: Record<string, string> = { postgresql: '5432', mysql: '3306', oracle: '1521' };

/**
 * A string that is equal for two aliases exactly when they reach the same database, or null when that cannot be
 * known (unknown NAME or HOST, an in-memory SQLite database, the dummy backend). SQLite files compare by their
 * resolved path (symlinks followed when the file exists), relative names against `baseDir` as the reader does.
 */
export function physicalIdentity(db: DatabaseSetting, baseDir: string): string | null {
  if (!db.engine || db.name === null || db.name === undefined) return null;
  // a template's placeholder (NExtSEEK: ENGINE "django.db.backends.", NAME ""): no database, nor the same as another.
  // (A placeholder ENGINE with a name, host and port, written the same for two aliases, is one database written
  // twice: course-discovery's default and read_replica, which its deployment's YAML replaces with equal values.)
  if (db.name === '') return null;
  const vendor = VENDOR[db.engine] ?? db.engine;
  if (vendor === DUMMY_ENGINE) return null;
  if (vendor === 'sqlite') {
    const file = sqliteFilePath(String(db.name), baseDir);
    if (!file) return null;
    let real = file;
    // (not created yet: the path as resolved. Asked first: the exception realpath throws for a missing file cost
    // 0.3 ms on the extension host's thread, which hooks stack traces)
    if (fs.existsSync(file)) {
      try {
        real = fs.realpathSync.native(file);
      } catch {
        /* gone meanwhile, or unreadable: the path as resolved */
      }
    }
    return JSON.stringify(['sqlite', real]);
  }
  if (db.host === null || db.port === null) return null;
  const opts = db.options ?? {};
  // libpq connection services and MySQL option files name the server outside the settings: only equal
  // values of them can be compared
  const service = opts.service ?? opts.read_default_file ?? null;
  const host = String(db.host ?? '').toLowerCase();
  const port = String(db.port ?? '') || (DEFAULT_PORT[vendor] ?? '');
  return JSON.stringify([vendor, host, port, String(db.name), service === null ? null : String(service)]);
}

/**
 * The alias `TEST["MIRROR"]` names, or the one the alias is made a mirror of at run time (django-multidb-router's
 * replicas, DatabaseSetting.mirrorAtRunTime); undefined when neither.
 */
export function declaredMirror(d: DatabaseSetting): { of: string; by: string } | undefined {
  // ConnectionHandler.configure_settings: TEST defaults to {} and MIRROR to None
  const test = d.raw?.TEST;
  const mirror = test && typeof test === 'object' ? (test as Record<string, unknown>).MIRROR : undefined;
  if (typeof mirror === 'string') return { of: mirror, by: 'TEST["MIRROR"]' };
  return d.mirrorAtRunTime && { of: d.mirrorAtRunTime.of, by: `${d.mirrorAtRunTime.setting} (django-multidb-router)` };
}

/** Per alias, in DATABASES order: the alias it shares a physical database with, and the alias it mirrors. */
export function databaseTwins(databases: readonly DatabaseSetting[], baseDir: string): Map<string, DatabaseTwin> {
  const first = new Map<string, string>();
  const aliases = new Set(databases.map(d => d.alias));
  const out = new Map<string, DatabaseTwin>();
  for (const d of databases) {
    const id = physicalIdentity(d, baseDir);
    let sameAs: string | null = null;
    if (id !== null) {
      const f = first.get(id);
      if (f !== undefined) sameAs = f;
      else first.set(id, d.alias);
    }
    const declared = declaredMirror(d);
    const mirror = declared !== undefined && declared.of !== d.alias && aliases.has(declared.of) ? declared : null;
    out.set(d.alias, { sameAs, mirrorOf: mirror?.of ?? null, mirrorBy: mirror?.by ?? null });
  }
  return out;
}

/**
 * The alias whose `migrate` also serves `alias`: follows `sameAs` and `mirrorOf` to the first alias that is
 * neither (itself when it is one). Cycles of mirrors end at the alias first met twice.
 */
export function primaryAlias(twins: ReadonlyMap<string, DatabaseTwin>, alias: string): string {
  const seen = new Set<string>();
  let a = alias;
  for (;;) {
    if (seen.has(a)) return a;
    seen.add(a);
    const t = twins.get(a);
    const next = t?.sameAs ?? t?.mirrorOf ?? null;
    if (next === null) return a;
    a = next;
  }
}

const TWINS = new WeakMap<SettingsInfo, Map<string, DatabaseTwin>>();

/**
 * Per alias: the alias of DATABASES that reaches the same physical database first (`sameAs`), and the alias it
 * mirrors (TEST.MIRROR). Relative SQLite names resolve against manage.py's folder, as the readers do.
 */
export function twinsOf(index: { settings: SettingsInfo | null; managePy: string | null; root: string }): Map<string, DatabaseTwin> {
  if (!index.settings) return new Map();
  let t = TWINS.get(index.settings);
  if (!t) TWINS.set(index.settings, (t = databaseTwins(index.settings.databases, index.managePy ? path.dirname(index.managePy) : index.root)));
  return t;
}

/** The aliases that are databases of their own: not a mirror of another (TEST.MIRROR), nor the same database as one. */
export function ownDatabases(aliases: string[], twins: ReadonlyMap<string, DatabaseTwin>): string[] {
  return aliases.filter(a => !twins.get(a)?.sameAs && !twins.get(a)?.mirrorOf);
}
