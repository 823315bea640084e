// Routers that contradict themselves (issue "Migration authoring", item 3): `db_for_write` / `db_for_read` send a
// model to a database where `allow_migrate` never creates its table, and a mirror (read replica) that
// `allow_migrate` lets migrate. The answers are Django's ConnectionRouter chains evaluated statically
// (../routers): db_for_* as a queryset asks them (no hints; `default` when every router returns None), and the
// allow_migrate decisions of the index. Anything unknown on the way is no finding.
import { routerLabelFindings } from './router-labels';
import { isExternalPath } from '../python/runtime';
import { evaluateDbRoutes, routerMethodDefs, withDescendants, type DbRoute } from '../routers';
import type { ModuleIndex } from '../python/modules';
import { primaryAlias, type DatabaseTwin } from '../db/identity';
import type { AppInfo, DbRouteRow, Finding, Loc, ModelInfo, RouterDecision, ScanReport, SettingsInfo } from '../types';
import { routerAliasFindings } from './routers';
import { concreteModels, indexDecisions, modelsByKey } from '../findings';

/** Where each model's queries go: Django's `router.db_for_read(Model)` and `router.db_for_write(Model)`. */
export interface DbRoutes { read: DbRoute[]; write: DbRoute[] }

/**
 * The router lints that need the routers evaluated: aliases routers name that DATABASES lacks, reads and writes
 * where the table is never created, mirrors that may migrate. Also returns the routes, for the report.
 */
/** Where each concrete model's queries go (`db_for_read` / `db_for_write`), as the routers answer them. */
export function dbRoutesOf(modules: ModuleIndex, settings: SettingsInfo, allModels: ModelInfo[]): DbRoutes {
  const models = allModels.filter(m => !m.abstract);
  return {
    read: evaluateDbRoutes(modules, settings, models, 'db_for_read'),
    write: evaluateDbRoutes(modules, settings, models, 'db_for_write'),
  };
}

/**
 * `dbRoutesOf` again after some models changed (`changed`: their keys; a model whose base changed counts too), the
 * routers' code the same: the other models keep their routes from `prev`. Null when `prev` lacks one of them.
 */
export function dbRoutesAgain(modules: ModuleIndex, settings: SettingsInfo, allModels: ModelInfo[], prev: DbRoutes, changed: ReadonlySet<string>): DbRoutes | null {
  const models = allModels.filter(m => !m.abstract);
  const all = withDescendants(models, changed);
  const only = models.filter(m => all.has(m.key));
  const again = (method: 'db_for_read' | 'db_for_write', before: DbRoute[]): DbRoute[] | null => {
    const fresh = new Map(evaluateDbRoutes(modules, settings, models, method, { only }).map(r => [r.model, r]));
    const old = new Map(before.map(r => [r.model, r]));
    const out: DbRoute[] = [];
    for (const m of models) {
      if (m.swapped) continue;
      const r = fresh.get(m.key) ?? old.get(m.key);
      if (!r) return null;
      out.push(r);
    }
    return out;
  };
  const read = again('db_for_read', prev.read);
  const write = read && again('db_for_write', prev.write);
  return read && write ? { read, write } : null;
}

export function routerLints(
  modules: ModuleIndex, settings: SettingsInfo, index: { models: ModelInfo[]; routing: RouterDecision[]; apps: AppInfo[] },
  twins: ReadonlyMap<string, DatabaseTwin>, routes: DbRoutes,
  /** where DATABASE_ROUTERS is set in the settings module (lints/routers.ts routersLine), for findings without a router line */
  routersLine: number | null,
): Finding[] {
  const models = concreteModels(index.models);
  const defs = settings.routers.length ? routerMethodDefs(modules, settings) : [];
  return [
    ...routerAliasFindings(settings, defs, { db_for_read: routes.read, db_for_write: routes.write }),
    ...routerLabelFindings(modules, settings, index.apps, defs),
    ...routeConsistencyFindings({
      settings, models, routing: index.routing, read: routes.read, write: routes.write, twins,
      externalApps: new Set(index.apps.filter(a => a.external).map(a => a.label)),
      routersAt: { path: settings.path, line: routersLine },
    }),
  ];
}

export interface RouteInputs {
  settings: SettingsInfo;
  models: ModelInfo[];
  /** allow_migrate per (alias, model) of the routed aliases */
  routing: RouterDecision[];
  read: DbRoute[];
  write: DbRoute[];
  twins: ReadonlyMap<string, DatabaseTwin>;
  /** labels of apps outside the workspace: their models get no finding of their own, only the router line */
  externalApps: ReadonlySet<string>;
  /** where DATABASE_ROUTERS is assigned (for a finding no router line explains) */
  routersAt: { path: string | null; line: number | null };
}

/** (the answers of `tableOn` that carry nothing: one object each, not one per model and alias after every edit) */
const TABLE_EXISTS = { exists: true } as const;
const TABLE_UNKNOWN = { exists: null } as const;

/** `dbRoutes` of the report: one row per model, paths made relative by `rel`. */
export function reportDbRoutes(routes: DbRoutes, rel: (p: string) => string): NonNullable<ScanReport['dbRoutes']> {
  const row = (r: DbRoute): DbRouteRow => ({
    alias: r.alias, decidedBy: r.decidedBy, reason: r.reason, ...(r.loc ? { path: rel(r.loc.path), line: r.loc.line } : {}), ...(r.choices ? { choices: r.choices } : {}),
    ...(r.source === 'django' ? { source: 'django' as const } : {}),
  });
  const writes = new Map(routes.write.map(r => [r.model, r]));
  return routes.read.filter(r => writes.has(r.model)).map(r => ({ model: r.model, read: row(r), write: row(writes.get(r.model)!) }));
}

const MAX_NAMED = 5;

function names(models: string[]): string {
  return models.slice(0, MAX_NAMED).join(', ') + (models.length > MAX_NAMED ? ` and ${models.length - MAX_NAMED} more` : '');
}

export function routeConsistencyFindings(inp: RouteInputs): Finding[] {
  // no routers: everything is read and written on default, and migrated wherever migrate is run (a mirror too)
  if (!inp.settings.routers.length) return mirrorFindings(inp);
  const decision = indexDecisions(inp.routing);
  const byKey = modelsByKey(inp.models);
  const aliases = inp.settings.databases.map(d => d.alias);
  // the aliases that share tables with `alias`: the same physical database, or mirrors of one another
  const groups = new Map<string, string[]>();
  const groupOf = (alias: string): string[] => {
    let g = groups.get(alias);
    if (!g) {
      const p = primaryAlias(inp.twins, alias);
      groups.set(alias, (g = aliases.filter(a => primaryAlias(inp.twins, a) === p)));
    }
    return g;
  };
  /**
   * Where migrations create the model's table: on `alias`'s group (true), only elsewhere (`false`, with the alias
   * that keeps it off and one that has it), or null when a decision is unknown or missing. A managed model that no
   * alias migrates has its table made outside migrations (a legacy database used without managed = False):
   * nothing to compare with, null.
   */
  const tableOn = (alias: string, model: string): { exists: true } | { exists: false; deny: RouterDecision; has: string } | { exists: null } => {
    const group = groupOf(alias);
    let deny: RouterDecision | undefined;
    let has: string | undefined;
    for (const a of aliases) {
      const d = decision.get(a, model);
      if (!d || d.migrate === null) { if (group.includes(a)) return TABLE_UNKNOWN; continue; }
      if (d.migrate) {
        if (group.includes(a)) return TABLE_EXISTS;
        has ??= a;
      } else if (a === alias) deny = d;
    }
    return deny && has ? { exists: false, deny, has } : TABLE_UNKNOWN;
  };
  /** Whether migrations create no table at all on `alias`'s group (a replica not declared as one), all decisions known. */
  const nothing = new Map<string, boolean>();
  const migratesNothing = (alias: string): boolean => {
    let v = nothing.get(alias);
    if (v === undefined) {
      const group = groupOf(alias);
      const ds = inp.routing.filter(d => group.includes(d.alias));
      nothing.set(alias, (v = ds.length > 0 && ds.every(d => d.migrate === false)));
    }
    return v;
  };

  const out: Finding[] = [];
  for (const [method, routes] of [['db_for_write', inp.write], ['db_for_read', inp.read]] as const) {
    const code = method === 'db_for_write' ? 'router-write-no-table' : 'router-read-no-table';
    const verb = method === 'db_for_write' ? 'Writes to' : 'Reads of';
    // per router line: the models whose table is missing where it sends them
    const atLine = new Map<string, { loc: Loc | null; alias: string; routed: boolean; router: string | null; has: string; models: string[]; oneOf: string }>();
    for (const r of routes) {
      // a router that picks one of several aliases per query (a replica at random) may send them to each
      const picks = routeAliases(r) ?? [];
      const oneOf = r.alias === null && picks.length > 1 ? ` (one of ${picks.map(a => `'${a}'`).join(', ')}, chosen at run time)` : '';
      const routed = r.reason === 'router' || (r.alias === null && !!r.choices);
      for (const alias of picks) {
        if (!aliases.includes(alias)) continue;
        const m = byKey.get(r.model);
        if (!m) continue;
        // a proxy's rows are its concrete model's (Options.concrete_model); unmanaged and swapped tables are not ours
        const concrete = m.proxy ? byKey.get(m.concreteModel ?? '') : m;
        if (!concrete || concrete.proxy || !concrete.managed || concrete.swapped) continue;
        // (most routes: the table is migrated where they go, where tableOn answers exists or unknown: no finding)
        if (decision.get(alias, concrete.key)?.migrate === true) continue;
        const t = tableOn(alias, concrete.key);
        if (t.exists !== false) continue;
        const empty = migratesNothing(alias);
        if (!inp.externalApps.has(m.app) && !empty) {
          const chosen = routed
            ? `${r.decidedBy}.${method} sends them there${oneOf}`
            : `no router's ${method} chooses a database, so Django uses '${alias}'`;
          const others = groupOf(alias).filter(a => a !== alias);
          const keptOff = (t.deny.reason === 'router' ? `${t.deny.decidedBy}.allow_migrate keeps ${concrete.key} off '${alias}'` : (t.deny.explanation ?? t.deny.reason)) +
            (others.length ? ` and off ${others.map(a => `'${a}'`).join(', ')}, which it mirrors or shares a database with` : '');
          out.push({
            code, severity: 'warning', path: m.loc.path, line: m.loc.line, model: m.key, alias,
            message: `${verb} ${m.key} go to '${alias}', where ${m.proxy ? `the table of ${concrete.key}` : 'its table'} is never created (migrations create it on '${t.has}'): ` +
              `${chosen}, and ${keptOff}. Queries without .using() fail with "no such table"; route it to '${t.has}', or let allow_migrate create it on '${alias}'.`,
          });
        }
        // the router line: the db_for_* return that chooses, else the allow_migrate return that keeps it off
        const loc = routed ? r.loc ?? null : t.deny.loc ?? null;
        const key = `${loc?.path ?? ''}:${loc?.line ?? ''}:${alias}:${routed}`;
        let g = atLine.get(key);
        if (!g) atLine.set(key, (g = { loc, alias, routed, router: routed ? r.decidedBy : t.deny.decidedBy, has: t.has, models: [], oneOf }));
        g.models.push(m.key);
      }
    }
    for (const g of atLine.values()) {
      // a router of an installed package (multidb.ReplicaRouter): at DATABASE_ROUTERS, a line of the project
      const where = g.loc && !isExternalPath(g.loc.path) ? g.loc : inp.routersAt;
      const n = g.models.length;
      const them = n === 1 ? 'its table is' : 'their tables are';
      const message = migratesNothing(g.alias)
        ? `${g.routed ? `${g.router}.${method} sends` : `No router's ${method} chooses a database for`} ${n === 1 ? g.models[0] : `${n} models`}${g.routed ? ` to '${g.alias}'${g.oneOf}` : `, so Django uses '${g.alias}'`}, ` +
          `where migrations create no table at all (allow_migrate): ${names(g.models)}. If '${g.alias}' is a replica of '${g.has}', declare it: ` +
          `"TEST": {"MIRROR": "${g.has}"} (Django's test runner then reads the primary too; without it tests read an empty database).`
        : g.routed
          ? `${g.router}.${method} sends ${n === 1 ? 'a model' : `${n} models`} to '${g.alias}'${g.oneOf} where ${them} never created (allow_migrate creates ${n === 1 ? 'it' : 'them'} elsewhere, e.g. '${g.has}'): ${names(g.models)}.`
          : `No router's ${method} chooses a database for ${names(g.models)}, so Django uses '${g.alias}', where ${g.router ? `${g.router}.allow_migrate keeps ${n === 1 ? 'it' : 'them'} off` : `${them} never created`} (migrations create ${n === 1 ? 'it' : 'them'} on '${g.has}').`;
      out.push({ code, severity: 'warning', path: where.path, line: where.line, alias: g.alias, message });
    }
  }
  out.push(...unmirroredReplicaFindings(inp, groupOf, decision, byKey));
  out.push(...mirrorFindings(inp));
  return out;
}

/**
 * An alias the routers read from and never write to, whose models are written elsewhere and migrated on both, that
 * nothing declares a copy of the database written to (no TEST["MIRROR"], not the same physical database):
 * CourtListener's `replica` and `read-replica`, the replicas of Django's own primary/replica example. Migrations
 * create every table there (`migrate --database=replica` runs DDL on the replica), and Django's test runner makes an
 * empty test database for it, so reads in tests find no rows. Not reported for an alias some write goes to, nor where
 * a route or a decision is not known.
 */
function unmirroredReplicaFindings(
  inp: RouteInputs, groupOf: (alias: string) => string[], decision: ReturnType<typeof indexDecisions>, byKey: ReadonlyMap<string, ModelInfo>,
): Finding[] {
  const written = new Set<string>();
  for (const r of inp.write) {
    const p = routeAliases(r);
    // (a write that may go anywhere: any alias may be written to)
    if (!p) return [];
    for (const a of p) for (const g of groupOf(a)) written.add(g);
  }
  const writes = new Map(inp.write.map(r => [r.model, r]));
  const reads = inp.read.map(r => ({ r, to: routeAliases(r) }));
  const out: Finding[] = [];
  for (const db of inp.settings.databases) {
    const alias = db.alias;
    const t = inp.twins.get(alias);
    if (alias === 'default' || t?.mirrorOf || t?.sameAs || written.has(alias) || groupOf(alias).length > 1) continue;
    const models: string[] = [];
    let primary: string | null = null;
    let router: DbRoute | null = null;
    for (const { r, to: readTo } of reads) {
      if (!readTo?.includes(alias) || !(r.reason === 'router' || r.choices)) continue;
      const m = byKey.get(r.model);
      if (!m || m.proxy || !m.managed || m.swapped) continue;
      const w = writes.get(r.model);
      const to = w?.alias ?? null;
      // written to one known database, migrated there and here
      if (!to || to === alias || decision.get(alias, m.key)?.migrate !== true || decision.get(to, m.key)?.migrate !== true) continue;
      models.push(m.key);
      primary ??= to;
      router ??= r;
    }
    if (!models.length || !router || !primary) continue;
    const where = router.loc && !isExternalPath(router.loc.path) ? router.loc : inp.routersAt;
    const how = router.alias === null ? ` (one of ${router.choices!.map(a => `'${a}'`).join(', ')}, chosen at run time)` : '';
    out.push({
      code: 'router-replica-unmirrored', severity: 'warning', path: where.path, line: where.line ?? null, alias,
      message: `${router.decidedBy ?? 'The routers'}.db_for_read sends reads of ${models.length === 1 ? models[0] : `${models.length} models`} to '${alias}'${how}, no write goes there, their writes go to '${primary}', ` +
        `and migrations create their tables on both: ${names(models)}. Nothing declares '${alias}' a copy of '${primary}': ` +
        `migrate --database=${alias} runs DDL there, and Django's test runner makes an empty test database for it, so reads in tests find no rows. ` +
        `If it is a replica, add "TEST": {"MIRROR": "${primary}"} to it and return False for '${alias}' in allow_migrate.`,
    });
  }
  return out;
}

/** The aliases a route may send a query to: its alias, or the ones it picks from at run time; null when not known. */
function routeAliases(r: DbRoute): string[] | null {
  return r.alias !== null ? [r.alias] : r.choices ?? null;
}

/**
 * A mirror with its own database that allow_migrate lets migrate. Not an alias that reaches the same physical
 * database as another (Saleor's `replica` with the default URL): its `django_migrations` is the primary's, so
 * `migrate --database=replica` finds nothing left to do, and "Migrate all databases" never runs it.
 */
function mirrorFindings(inp: RouteInputs): Finding[] {
  const out: Finding[] = [];
  for (const db of inp.settings.databases) {
    const t = inp.twins.get(db.alias);
    if (!t?.mirrorOf || t.sameAs) continue;
    const migrated = inp.routing.filter(d => d.alias === db.alias && d.migrate === true);
    if (!migrated.length) continue;
    const byRouter = migrated.find(d => d.reason === 'router');
    const where = byRouter?.loc ?? db.loc ?? inp.routersAt;
    const models = migrated.map(d => d.model);
    out.push({
      code: 'router-mirror-migrates', severity: 'warning', path: where.path, line: where.line ?? null, alias: db.alias,
      message: `'${db.alias}' mirrors '${t.mirrorOf}' (${t.mirrorBy ?? 'TEST["MIRROR"]'}) but allow_migrate lets ${models.length === 1 ? 'a model' : `${models.length} models`} migrate there ` +
        `(${byRouter ? `${byRouter.decidedBy} returns True` : inp.settings.routers.length ? 'every router returns None, so Django migrates by default' : 'there are no DATABASE_ROUTERS, so Django migrates every model on every database'}): ${names(models)}. ` +
        `migrate --database=${db.alias} would run DDL on the replica; ${inp.settings.routers.length ? `return False for '${db.alias}' in allow_migrate` : `a router whose allow_migrate returns False for '${db.alias}' prevents it`}.`,
    });
  }
  return out;
}
