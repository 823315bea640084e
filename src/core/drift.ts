// Router-aware schema drift: what each database really holds (its tables and columns, read read-only by
// core/db) against what routing and the applied migrations imply. Pure: no I/O.
//
// Only what can be known statically is compared: a model's table, the columns of its relation fields
// (`<name>_id` or db_column) and its auto-created many-to-many tables. Plain fields are not in the index, so
// their columns are not checked. Aliases that are the same physical database (db/identity.ts) are compared once,
// as one database whose routing is the union of theirs.
import { engineKind } from './db';
import { maxNameLength, truncateName } from './db/names';

export { truncateName };
import { databaseTwins, primaryAlias } from './db/identity';
import { describeLives, indexDecisions, livesDecisions, type DecisionMap } from './findings';
import type { DbRoute } from './routers';
import type {
  AliasDrift, AppliedState, DatabaseSetting, DbSchema, Finding, MigrationFileInfo, MigrationKey, ModelInfo, RouterDecision, TableInfo,
} from './types';

export interface DriftInputs {
  databases: readonly DatabaseSetting[];
  models: readonly ModelInfo[];
  /** Operation.allow_migrate_model per (alias, model): ProjectIndex.routing */
  routing: readonly RouterDecision[];
  /** the router chain's answer for unmanaged/proxy/swapped models as if managed ("lives", findings.ts) */
  lives?: readonly RouterDecision[];
  /** where Django sends each model's reads (`router.db_for_read`, routers/index.ts), when evaluated */
  reads?: readonly DbRoute[];
  migrations: readonly MigrationFileInfo[];
  /** per alias, with `schema` where it was read */
  applied: Record<string, AppliedState>;
  /** per alias, the pending migrations (ProjectIndex.plans) */
  plans: Record<string, string[] | null>;
  /** app labels whose migrations on disk are fully known (unknown-applied-migration only looks at those) */
  knownApps: ReadonlySet<string>;
  /** labels of every installed app, when all INSTALLED_APPS entries were resolved (rows of other apps are leftovers) */
  installedApps?: ReadonlySet<string> | null;
  /** SQLite NAMEs are relative to this folder */
  baseDir?: string;
  /** where per-alias findings without a better place point (the DATABASES setting) */
  settingsLoc?: { path: string | null; line: number | null };
}

export interface SameDatabase {
  /** the alias whose database this one is (followed through sameAs and TEST MIRROR, db/identity.ts) */
  sameAs: string;
  why: 'same-database' | 'mirror';
  /** with why 'mirror': what declares it (db/identity.ts DatabaseTwin.mirrorBy) */
  mirrorBy?: string;
}

/** alias → the earlier alias it is the same physical database as, or mirrors; others are their own database. */
export function sameDatabases(databases: readonly DatabaseSetting[], baseDir?: string): Map<string, SameDatabase> {
  const twins = databaseTwins(databases, baseDir ?? process.cwd());
  const out = new Map<string, SameDatabase>();
  for (const d of databases) {
    const primary = primaryAlias(twins, d.alias);
    const t = twins.get(d.alias);
    if (primary !== d.alias) out.set(d.alias, t?.mirrorOf ? { sameAs: primary, why: 'mirror', mirrorBy: t.mirrorBy ?? 'TEST["MIRROR"]' } : { sameAs: primary, why: 'same-database' });
  }
  return out;
}

export interface DriftResult {
  drift: Record<string, AliasDrift>;
  findings: Finding[];
}

interface AliasView {
  /** the representative alias and the aliases it stands for (itself first) */
  alias: string;
  members: string[];
  state: AppliedState;
  schema: DbSchema;
}

function lookupTable(schema: DbSchema, name: string): TableInfo | undefined {
  const hit = schema.tables.get(name);
  if (hit || !schema.foldCase) return hit;
  return foldedTables(schema).get(name.toLowerCase());
}

const folded = new WeakMap<DbSchema, Map<string, TableInfo>>();
function foldedTables(schema: DbSchema): Map<string, TableInfo> {
  let m = folded.get(schema);
  if (!m) {
    m = new Map();
    for (const [k, v] of schema.tables) if (!m.has(k.toLowerCase())) m.set(k.toLowerCase(), v);
    folded.set(schema, m);
  }
  return m;
}

/**
 * The name a table got on this backend: PostgreSQL cuts identifiers past 63 bytes itself (NAMEDATALEN), without
 * Django's hash, when Django did not shorten them (a default database with no limit); MySQL refuses them (the
 * table cannot exist under that name: unknown). null = not known.
 */
function storedName(name: string, limit: number | null, engine: string | null | undefined): string | null {
  if (limit === null || Buffer.byteLength(name) <= limit) return name;
  if (engineKind(engine) === 'postgresql' && /^[\x00-\x7f]*$/.test(name)) return name.slice(0, limit);
  return null;
}

function hasColumn(columns: readonly string[], name: string, foldCase: boolean): boolean {
  if (columns.includes(name)) return true;
  if (!foldCase) return false;
  const n = name.toLowerCase();
  return columns.some(c => c.toLowerCase() === n);
}

/** Applied on the alias: recorded itself, or (a squash) every migration it replaces is (MigrationRecorder records those). */
function isApplied(m: MigrationFileInfo, applied: ReadonlySet<string>): boolean {
  if (applied.has(m.key)) return true;
  return m.replaces.length > 0 && m.replaces.every(([a, n]) => applied.has(`${a}.${n}`));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function computeDrift(inp: DriftInputs): DriftResult {
  const same = sameDatabases(inp.databases, inp.baseDir);
  const engineOf = new Map(inp.databases.map(d => [d.alias, d.engine]));
  // Options.contribute_to_class truncates generated names with the *default* connection's limit
  const defaultLimit = maxNameLength(engineOf.get('default') ?? inp.databases[0]?.engine);
  const decisions = indexDecisions(inp.routing);
  const lives = livesDecisions(inp.routing, inp.lives);
  const reads = inp.reads ? new Map(inp.reads.map(r => [r.model, r])) : undefined;
  const byModelKey = new Map(inp.models.map(m => [m.key, m]));
  const creators = new Map<string, MigrationFileInfo[]>(); // "app\0modelname" → migrations with its CreateModel
  for (const mig of inp.migrations) {
    for (const op of mig.operations) {
      if (op.kind !== 'CreateModel' || !op.modelName) continue;
      const k = `${mig.app}\u0000${op.modelName}`;
      const list = creators.get(k) ?? [];
      list.push(mig);
      creators.set(k, list);
    }
  }
  const migByKey = new Map(inp.migrations.map(m => [m.key, m]));
  const onDisk = new Set<MigrationKey>(inp.migrations.map(m => m.key));
  for (const m of inp.migrations) for (const [a, n] of m.replaces) onDisk.add(`${a}.${n}`);

  const drift: Record<string, AliasDrift> = {};
  // one view per physical database that was read
  const views: AliasView[] = [];
  const viewOf = new Map<string, AliasView>();
  for (const db of inp.databases) {
    const st = inp.applied[db.alias];
    if (st?.reachable && !st.schema && st.schemaError) {
      drift[db.alias] = { ...emptyDrift({ tables: new Map() }), error: st.schemaError };
      continue;
    }
    if (!st?.reachable || !st.schema) continue;
    const s: SameDatabase | undefined = same.get(db.alias);
    const rep = s ? viewOf.get(s.sameAs) : undefined;
    if (rep) { rep.members.push(db.alias); viewOf.set(db.alias, rep); continue; }
    const v: AliasView = { alias: db.alias, members: [db.alias], state: st, schema: st.schema };
    views.push(v);
    viewOf.set(db.alias, v);
  }

  const findings: Finding[] = [];
  const settingsPath = inp.settingsLoc?.path ?? null;
  const settingsLine = inp.settingsLoc?.line ?? null;
  for (const db of inp.databases) {
    const v = viewOf.get(db.alias);
    if (v && v.alias !== db.alias) drift[db.alias] = { ...emptyDrift(v.schema), sameAs: v.alias };
  }

  for (const v of views) {
    const d = emptyDrift(v.schema);
    drift[v.alias] = d;
    const where = v.members.length > 1 ? `'${v.alias}' (the database ${v.members.slice(1).map(a => `'${a}'`).join(', ')} also ${v.members.length > 2 ? 'reach' : 'reaches'})` : `'${v.alias}'`;
    const applied = v.state.appliedKeys;
    const foldColumns = engineKind(engineOf.get(v.alias)) !== 'postgresql';
    const limit = maxNameLength(engineOf.get(v.alias));
    // per app, the models a pending migration touches ('*' after a RenameModel: any of them)
    const touched = new Map<string, Set<string>>();
    for (const a of v.members) {
      for (const k of inp.plans[a] ?? []) {
        const pm = migByKey.get(k);
        if (!pm) continue;
        let set = touched.get(pm.app);
        if (!set) touched.set(pm.app, (set = new Set()));
        for (const o of pm.operations) {
          if (o.modelName) set.add(o.modelName);
          if (o.kind === 'RenameModel') set.add('*');
        }
      }
    }
    const decide = (map: DecisionMap, model: string) => v.members.map(a => map.get(a, model));
    // tables some model expects here: a table another model denies is then not stray (shared tables, proxies)
    const expected = new Set<string>();
    const key = (t: string) => (v.schema.foldCase ? t.toLowerCase() : t);
    for (const m of inp.models) {
      if (m.abstract) continue;
      const ds = decide(decisions, m.key);
      const ls = decide(lives, m.key);
      if (ds.some(x => x?.migrate !== false) || ls.some(x => x?.migrate !== false)) expected.add(key(m.table));
    }

    for (const m of inp.models) {
      if (m.abstract || m.proxy || m.swapped) continue;
      // Options.db_table as Django holds it (what its many-to-many tables are named after), then as stored here
      const djangoTable = m.table === `${m.app}_${m.modelName}` ? truncateName(m.table, defaultLimit) : m.table;
      const table = storedName(djangoTable, limit, engineOf.get(v.alias));
      if (table === null) { d.checked.unknown++; continue; }
      const ds = decide(decisions, m.key);
      if (m.managed) {
        if (ds.some(x => x?.migrate === true)) {
          const r = checkManaged(m, table, djangoTable);
          if (r === 'unknown') d.checked.unknown++;
          else d.checked.models++;
        } else if (ds.length && ds.every(x => x?.migrate === false && x.reason === 'router')) {
          const t = lookupTable(v.schema, table);
          if (t && !expected.has(key(table))) {
            const rows = t.rows ?? null;
            d.strayTables.push({ model: m.key, table, rows, rowsEstimated: !!t.rowsEstimated, ...(t.rowsAtLeast ? { rowsAtLeast: true as const } : {}) });
            const count = rows === null ? '' : ` (${t.rowsEstimated ? 'about ' : t.rowsAtLeast ? 'more than ' : ''}${plural(rows, 'row')})`;
            findings.push({
              code: 'stray-table', severity: 'warning', path: m.loc.path, line: m.loc.line, model: m.key, alias: v.alias,
              message: `Table "${table}" of ${m.key} is on ${where}${count}, but the routers keep ${m.key} off it (${describeLives(ds[0])}): left from before a router change, or created by a migrate without --database. Django never uses it there; drop it or move its rows.`,
            });
          }
        }
      } else {
        checkUnmanaged(m, table);
      }
    }

    // django_migrations rows of migrations that are not on disk (renamed, deleted, squashed away, app removed)
    const unknown: MigrationKey[] = [];
    for (const k of applied) {
      if (onDisk.has(k)) continue;
      const app = k.slice(0, k.indexOf('.'));
      if (inp.knownApps.has(app) || (inp.installedApps && !inp.installedApps.has(app))) unknown.push(k);
    }
    unknown.sort();
    d.unknownApplied = unknown;
    if (unknown.length) {
      const apps = [...new Set(unknown.map(k => k.slice(0, k.indexOf('.'))))];
      const removed = inp.installedApps ? apps.filter(a => !inp.installedApps!.has(a)) : [];
      findings.push({
        code: 'unknown-applied-migration', severity: 'info', path: settingsPath, line: settingsLine, alias: v.alias, migrations: unknown,
        message: `${where} records ${plural(unknown.length, 'applied migration')} that ${unknown.length === 1 ? 'does' : 'do'} not exist on disk: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''} (renamed or deleted migration files${removed.length ? `; ${removed.map(a => `'${a}'`).join(', ')} not installed` : ''}). Django ignores these rows; a later migration with the same name would be taken as applied.`,
      });
    }
    d.missingTables.sort((a, b) => a.model.localeCompare(b.model));
    d.missingColumns.sort((a, b) => a.model.localeCompare(b.model) || a.column.localeCompare(b.column));
    d.strayTables.sort((a, b) => a.model.localeCompare(b.model));
    d.unmanagedMissing.sort((a, b) => a.model.localeCompare(b.model));

    // closures over the view `v` and its drift `d`
    function checkManaged(m: ModelInfo, table: string, djangoTable: string): 'checked' | 'unknown' {
      const made = creators.get(`${m.app}\u0000${m.modelName}`);
      if (!made) return 'unknown';
      const creator = made.find(c => isApplied(c, applied));
      if (!creator) return 'checked'; // not migrated here yet: pending, not drift
      // a pending migration of the app that touches the model may rename or add what is compared
      const t0 = touched.get(m.app);
      if (t0 && (t0.has(m.modelName) || t0.has('*'))) return 'unknown';
      const t = lookupTable(v.schema, table);
      if (!t) {
        d.missingTables.push({ model: m.key, table });
        findings.push({
          code: 'schema-drift', severity: 'error', path: m.loc.path, line: m.loc.line, model: m.key, alias: v.alias, migrations: [creator.key],
          message: `Queries on ${m.key} fail on ${where}: its table "${table}" does not exist there, though ${creator.key}, which creates it, is applied (dropped by hand, or the database restored from another one?).`,
        });
        return 'checked';
      }
      let unknownField = false;
      for (const f of m.fields) {
        if (f.inheritedFrom && byModelKey.get(f.inheritedFrom)?.abstract === false) continue; // on the parent's table
        if (f.kind === 'ManyToManyField') {
          if (f.through) continue; // an explicit through model is checked as a model itself
          if (f.dbTable === null) { unknownField = true; continue; }
          // ManyToManyField._get_m2m_db_table
          const m2m = storedName(f.dbTable ?? truncateName(`${djangoTable}_${f.name}`, defaultLimit), limit, engineOf.get(v.alias));
          if (m2m === null) { unknownField = true; continue; }
          if (!lookupTable(v.schema, m2m)) {
            d.missingTables.push({ model: m.key, table: m2m });
            findings.push({
              code: 'schema-drift', severity: 'error', path: f.loc.path, line: f.loc.line, model: m.key, field: f.name, alias: v.alias,
              message: `Queries on ${m.key}.${f.name} fail on ${where}: its many-to-many table "${m2m}" does not exist there, though ${m.key}'s migrations are applied (a migration not made yet, or dropped by hand?).`,
            });
          }
          continue;
        }
        if (f.dbColumn === null) { unknownField = true; continue; }
        const column = f.dbColumn ?? `${f.name}_id`;
        if (!hasColumn(t.columns, column, foldColumns)) {
          d.missingColumns.push({ model: m.key, table, column, field: f.name });
          findings.push({
            code: 'schema-drift', severity: 'error', path: f.loc.path, line: f.loc.line, model: m.key, field: f.name, alias: v.alias,
            message: `Queries on ${m.key} fail on ${where}: column "${column}" (${f.name}) is missing from "${table}", though ${m.key}'s migrations are applied there (a migration not made yet, or the column dropped by hand?).`,
          });
        }
      }
      return unknownField ? 'unknown' : 'checked';
    }

    // Unmanaged models are read where db_for_read sends them (opal-admin: a router with db_for_read/db_for_write and
    // no allow_migrate sends the legacy app to 'legacy'; 68 false warnings on 'default' before). Without the routes,
    // where a router's allow_migrate says the model lives, else 'default' (Django's fallback).
    function checkUnmanaged(m: ModelInfo, table: string): void {
      // where its queries go, and why, in words (nothing to check where that is not known, or not this database)
      let how: string;
      const read = reads?.get(m.key);
      if (read) {
        if (read.alias === null || !v.members.includes(read.alias)) return;
        how = `is read from ${where} (${read.reason === 'router' ? `${read.decidedBy?.split('.').pop() ?? 'a router'}.db_for_read sends its queries there` : 'no router decides: Django reads it from default'})`;
      } else {
        const ls = v.members.map(a => ({ a, d: lives.get(a, m.key) }));
        const all = inp.databases.map(x => lives.get(x.alias, m.key));
        const anyRouter = all.some(x => x?.migrate === true && x.reason === 'router');
        const here = ls.find(({ a, d: x }) => x?.migrate === true && (anyRouter ? x.reason === 'router' : a === 'default'));
        if (!here) return;
        how = `lives on ${where} (${anyRouter ? describeLives(here.d) : 'no router decides: Django reads it from default'})`;
      }
      d.checked.models++;
      if (lookupTable(v.schema, table)) return;
      d.unmanagedMissing.push({ model: m.key, table });
      findings.push({
        code: 'unmanaged-table-missing', severity: 'warning', path: m.loc.path, line: m.loc.line, model: m.key, alias: v.alias,
        message: `${m.key} is unmanaged (Django never creates its table) and ${how}, but its table "${table}" does not exist there: queries on it fail.`,
      });
    }
  }
  // settings order, whatever order the views were compared in
  const ordered: Record<string, AliasDrift> = {};
  for (const db of inp.databases) if (drift[db.alias]) ordered[db.alias] = drift[db.alias]!;
  return { drift: ordered, findings };
}

function emptyDrift(schema: DbSchema): AliasDrift {
  return { tables: schema.tables.size, checked: { models: 0, unknown: 0 }, missingTables: [], missingColumns: [], strayTables: [], unknownApplied: [], unmanagedMissing: [] };
}

/**
 * Tables worth counting on each alias before reading (SQLite has no cheap estimate): those of models the routers
 * keep off it, which become stray-table findings when present. At most `max` per alias.
 */
export function strayCandidates(models: readonly ModelInfo[], routing: readonly RouterDecision[], max = 50): Record<string, string[]> {
  const tableOf = new Map(models.filter(m => !m.abstract && m.managed && !m.proxy && !m.swapped).map(m => [m.key, m.table]));
  const out: Record<string, string[]> = {};
  for (const d of routing) {
    if (d.migrate !== false || d.reason !== 'router') continue;
    const t = tableOf.get(d.model);
    if (!t) continue;
    const list = (out[d.alias] ??= []);
    if (list.length < max) list.push(t);
  }
  return out;
}
