// Where each operation of a migration runs: Django's rules per operation kind, per alias.
//
// Django 5.2, django/db/migrations/operations/:
// - model operations (CreateModel, AddField, …) run `if self.allow_migrate_model(alias, model)`: False for an
//   unmanaged, proxy or swapped model (`_meta.can_migrate`), else the routers' `allow_migrate(db, app_label,
//   model_name=…, model=…)` — exactly the routing decision of the model;
// - AlterModelOptions and AlterModelManagers change the migration state only: `database_forwards` is empty;
// - RunPython and RunSQL run `if router.allow_migrate(alias, app_label, **self.hints)`: no model, only hints;
// - SeparateDatabaseAndState runs its `database_operations` (its state operations never touch a database);
// - django.contrib.postgres's CreateExtension (and its subclasses) and Create/RemoveCollation run only on
//   PostgreSQL and when `router.allow_migrate(alias, app_label)` allows;
// - any other operation is custom: what its `database_forwards` does is not known statically.
// Routing decisions come from ProjectIndex.routing (static, or Django's in Django mode); the answers for
// `allow_migrate` with hints were evaluated during indexing (ProjectIndex.hintRouting, keyed by hintKey()).
import type { DatabaseSetting, Loc, MigrationFileInfo, MigrationKey, MigrationOperationInfo, ModelInfo, RouterDecision } from '../types';
import { decisionLookup, type DecisionLookup } from '../findings';

export type OperationReason =
  | 'router' | 'default' | 'unmanaged' | 'proxy' | 'swapped' | 'unknown'
  /** changes the migration state only (AlterModelOptions, AlterModelManagers) */
  | 'state-only'
  /** a PostgreSQL-only operation on another database */
  | 'vendor'
  /** a custom operation: its database_forwards is not known */
  | 'custom';

export interface OperationRoute {
  alias: string;
  /** whether the operation does something on the alias; null = unknown */
  runs: boolean | null;
  reason: OperationReason;
  /** the first router that returned True/False */
  decidedBy: string | null;
  explanation: string;
  loc?: Loc;
}

export interface OperationRouting {
  migration: MigrationKey;
  /** position in `operations`; "2.0" is the first database operation of a SeparateDatabaseAndState at 2 */
  index: string;
  kind: string;
  /** "app.Model" when the operation acts on a model */
  model?: string;
  line?: number;
  routes: OperationRoute[];
}

/** What the routers answered for `allow_migrate(db, app_label, **hints)` (no model). */
export interface HintDecisionLike {
  migrate: boolean | null;
  decidedBy: string | null;
  reason: RouterDecision['reason'];
  explanation?: string;
  loc?: Loc;
}

export const STATE_ONLY = new Set(['AlterModelOptions', 'AlterModelManagers']);
const POSTGRES_ONLY = new Set([
  'CreateExtension', 'BloomExtension', 'BtreeGinExtension', 'BtreeGistExtension', 'CITextExtension', 'CryptoExtension',
  'HStoreExtension', 'TrigramExtension', 'UnaccentExtension', 'CreateCollation', 'RemoveCollation',
]);
/** Operations whose `database_forwards` asks `allow_migrate_model` for the model they name (all of Django's). */
const MODEL_OPERATIONS = new Set([
  'CreateModel', 'DeleteModel', 'AlterModelTable', 'AlterModelTableComment', 'AlterUniqueTogether', 'AlterIndexTogether',
  'AlterOrderWithRespectTo', 'RenameModel', 'AddField', 'RemoveField', 'AlterField', 'RenameField', 'AddIndex', 'RemoveIndex',
  'RenameIndex', 'AddConstraint', 'RemoveConstraint', 'AlterConstraint', 'AddIndexConcurrently', 'RemoveIndexConcurrently',
  'AddConstraintNotValid', 'ValidateConstraint',
]);

/** The key of ProjectIndex.hintRouting. */
export function hintKey(alias: string, app: string, hints: Record<string, unknown>): string {
  return `${alias}\u0000${app}\u0000${stableJson(hints)}`;
}

function stableJson(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * The `allow_migrate` calls without a model that routing the operations of `migrations` needs: RunPython/RunSQL
 * (with their hints), PostgreSQL extension operations, and model operations on models the index does not have
 * (deleted since; asked with `model_name` only). The caller evaluates each once per alias.
 */
export function hintQueries(migrations: MigrationFileInfo[], models: ModelInfo[]): { app: string; hints: Record<string, unknown> }[] {
  const known = namesByApp(models);
  const out = new Map<string, { app: string; hints: Record<string, unknown> }>();
  for (const m of migrations) {
    for (const [k, q] of queriesOf(m, known.get(m.app) ?? NO_NAMES)) if (!out.has(k)) out.set(k, q);
  }
  return [...out.values()];
}

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * The lowercased names of each app's concrete models, each app's set the same object as in the last call while that
 * app's names are the same (a new model makes one app's set again: only that app's migrations are asked again).
 */
let lastNames: Map<string, ReadonlySet<string>> = new Map();
const NAMES_BY_APP = new WeakMap<ModelInfo[], Map<string, ReadonlySet<string>>>();
function namesByApp(models: ModelInfo[]): Map<string, ReadonlySet<string>> {
  const hit = NAMES_BY_APP.get(models);
  if (hit) return hit;
  const lists = new Map<string, string[]>();
  for (const m of models) {
    if (m.abstract) continue;
    let l = lists.get(m.app);
    if (!l) lists.set(m.app, (l = []));
    l.push(m.modelName.toLowerCase());
  }
  const out = new Map<string, ReadonlySet<string>>();
  for (const [app, names] of lists) {
    const was = lastNames.get(app);
    out.set(app, was && was.size === names.length && names.every(n => was.has(n)) ? was : new Set(names));
  }
  lastNames = out;
  NAMES_BY_APP.set(models, out);
  return out;
}

/** @internal (tests, benchmarks) how many migrations' queries were made again, not taken from QUERIES */
export const HINT_QUERY_STATS = { migrationsAsked: 0 };
/**
 * A migration's queries (hintQueries) with its app's model names `known`, kept per migration while that set is the
 * same object (a migration edit asks again only the edited file's, a new model only its app's; most ask nothing).
 */
const QUERIES = new WeakMap<MigrationFileInfo, { known: ReadonlySet<string>; queries: [string, { app: string; hints: Record<string, unknown> }][] }>();
function queriesOf(m: MigrationFileInfo, known: ReadonlySet<string>): [string, { app: string; hints: Record<string, unknown> }][] {
  const hit = QUERIES.get(m);
  if (hit?.known === known) return hit.queries;
  HINT_QUERY_STATS.migrationsAsked++;
  const queries: [string, { app: string; hints: Record<string, unknown> }][] = [];
  for (const q of hintPartsOf(m)) {
    // a model operation asks with its model's name only when no model of the app has that name
    if ('name' in q) { if (!known.has(q.name)) queries.push([hintKey('', m.app, { model_name: q.name }), { app: m.app, hints: { model_name: q.name } }]); }
    else queries.push([q.key, { app: m.app, hints: q.hints }]);
  }
  QUERIES.set(m, { known, queries });
  return queries;
}

/**
 * A migration's part of `hintQueries`, in the order of its operations: the queries its operations make whatever the
 * models are (`key`, `hints`), and its model operations' models (`name`: lowercased, of the migration's app).
 * Kept per migration object: an edit reads again only the edited files, and the queries of thousands of migrations
 * are asked again after every edit.
 */
type HintPart = { key: string; hints: Record<string, unknown> } | { name: string };
const HINT_PARTS = new WeakMap<MigrationFileInfo, HintPart[]>();
function hintPartsOf(m: MigrationFileInfo): HintPart[] {
  let parts = HINT_PARTS.get(m);
  if (parts) return parts;
  const out: HintPart[] = [];
  const add = (hints: Record<string, unknown>) => out.push({ key: hintKey('', m.app, hints), hints });
  const visit = (op: MigrationOperationInfo) => {
    if (op.kind === 'SeparateDatabaseAndState') { for (const d of op.database ?? []) visit(d); return; }
    if (op.kind === 'RunPython' || op.kind === 'RunSQL') { if (op.hints !== null) add(op.hints ?? {}); return; }
    if (POSTGRES_ONLY.has(op.kind)) { add({}); return; }
    if (op.modelName && MODEL_OPERATIONS.has(op.kind)) out.push({ name: op.modelName.toLowerCase() });
  };
  for (const op of m.operations) visit(op);
  HINT_PARTS.set(m, (parts = out));
  return parts;
}

/** A model's key in `modelLookup`: its app label and lowercased name (model operations name a model in any case). */
function lookupKey(app: string, modelName: string): string {
  return `${app}\u0000${modelName.toLowerCase()}`;
}

/**
 * Models by `lookupKey`, per models array (one per index, asked by hintQueries and by each OperationRouter of it).
 * Each model's key is kept with it: the models not edited are the same objects in the next index.
 */
const LOOKUPS = new WeakMap<ModelInfo[], Map<string, ModelInfo>>();
const LOOKUP_KEYS = new WeakMap<ModelInfo, string>();
function modelLookup(models: ModelInfo[]): Map<string, ModelInfo> {
  let out = LOOKUPS.get(models);
  if (out) return out;
  out = new Map<string, ModelInfo>();
  for (const m of models) {
    if (m.abstract) continue;
    let k = LOOKUP_KEYS.get(m);
    if (k === undefined) LOOKUP_KEYS.set(m, (k = lookupKey(m.app, m.modelName)));
    out.set(k, m);
  }
  LOOKUPS.set(models, out);
  return out;
}

export interface RouteInputs {
  models: ModelInfo[];
  routing: RouterDecision[];
  databases: Pick<DatabaseSetting, 'alias' | 'engine'>[];
  hintRouting: Record<string, HintDecisionLike> | undefined;
}

/** Per-index lookups, built once and reused for every migration. */
export class OperationRouter {
  private readonly models: Map<string, ModelInfo>;
  /** (picked as asked: a CodeLens routes one migration after every edit; the pending panel routes them all) */
  private readonly decisions: DecisionLookup;
  private readonly engines: Map<string, string | null>;

  constructor(private readonly inp: RouteInputs) {
    this.models = modelLookup(inp.models);
    this.decisions = decisionLookup(inp.routing);
    this.engines = new Map(inp.databases.map(d => [d.alias, d.engine]));
  }

  /** Every operation of the migration (SeparateDatabaseAndState's database operations flattened) on each alias. */
  route(m: MigrationFileInfo, aliases: string[]): OperationRouting[] {
    const out: OperationRouting[] = [];
    const visit = (op: MigrationOperationInfo, index: string) => {
      if (op.kind === 'SeparateDatabaseAndState') {
        (op.database ?? []).forEach((d, i) => visit(d, `${index}.${i}`));
        if (!(op.database ?? []).length) {
          out.push({ migration: m.key, index, kind: op.kind, ...(op.line ? { line: op.line } : {}), routes: aliases.map(alias => ({ alias, runs: false, reason: 'state-only', decidedBy: null, explanation: 'no database_operations: it changes the migration state only' })) });
        }
        return;
      }
      const model = op.modelName ? this.models.get(lookupKey(m.app, op.modelName)) : undefined;
      out.push({
        migration: m.key, index, kind: op.kind,
        ...(op.modelName ? { model: model?.key ?? `${m.app}.${op.modelName}` } : {}),
        ...(op.line ? { line: op.line } : {}),
        routes: aliases.map(alias => this.routeOne(m, op, model, alias)),
      });
    };
    m.operations.forEach((op, i) => visit(op, String(i)));
    return out;
  }

  private routeOne(m: MigrationFileInfo, op: MigrationOperationInfo, model: ModelInfo | undefined, alias: string): OperationRoute {
    const fromHint = (hints: Record<string, unknown>, what: string): OperationRoute => {
      const h = this.inp.hintRouting?.[hintKey(alias, m.app, hints)];
      if (!h) return { alias, runs: null, reason: 'unknown', decidedBy: null, explanation: `${what}: the routers' answer was not evaluated` };
      return { alias, runs: h.migrate, reason: h.reason === 'router' || h.reason === 'default' ? h.reason : 'unknown', decidedBy: h.decidedBy, explanation: h.explanation ?? '', ...(h.loc ? { loc: h.loc } : {}) };
    };
    if (STATE_ONLY.has(op.kind)) return { alias, runs: false, reason: 'state-only', decidedBy: null, explanation: `${op.kind} changes the migration state only: nothing runs on any database` };
    if (op.kind === 'RunPython' || op.kind === 'RunSQL') {
      if (op.hints === null) return { alias, runs: null, reason: 'unknown', decidedBy: null, explanation: `${op.kind} hints are not a literal: the routers' answer is not known` };
      const hints = op.hints ?? {};
      const shown = Object.keys(hints).length ? `allow_migrate('${alias}', '${m.app}', ${Object.entries(hints).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})` : `allow_migrate('${alias}', '${m.app}')`;
      return fromHint(hints, shown);
    }
    if (POSTGRES_ONLY.has(op.kind)) {
      const engine = this.engines.get(alias) ?? null;
      if (engine === null) return { alias, runs: null, reason: 'unknown', decidedBy: null, explanation: `${op.kind} runs only on PostgreSQL; the ENGINE of '${alias}' is not known` };
      if (!/postgres|postgis/.test(engine)) return { alias, runs: false, reason: 'vendor', decidedBy: null, explanation: `${op.kind} runs only on PostgreSQL ('${alias}' is ${engine})` };
      return fromHint({}, `allow_migrate('${alias}', '${m.app}')`);
    }
    if (op.modelName && MODEL_OPERATIONS.has(op.kind)) {
      if (!model) return fromHint({ model_name: op.modelName.toLowerCase() }, `${m.app}.${op.modelName} (no longer in the models)`);
      const d = this.decisions.get(alias, model.key);
      if (!d) return { alias, runs: null, reason: 'unknown', decidedBy: null, explanation: `no routing decision for ${model.key}` };
      return { alias, runs: d.migrate, reason: d.reason, decidedBy: d.decidedBy, explanation: d.explanation ?? '', ...(d.loc ? { loc: d.loc } : {}) };
    }
    return { alias, runs: null, reason: 'custom', decidedBy: null, explanation: `${op.kind} is a custom operation: whether its database_forwards runs on '${alias}' is not known` };
  }
}

/** What an index holds that routing operations needs (ProjectIndex has it all). */
export interface RoutableIndex {
  models: ModelInfo[];
  routing: RouterDecision[];
  settings: { databases: Pick<DatabaseSetting, 'alias' | 'engine'>[] } | null;
  hintRouting?: Record<string, HintDecisionLike>;
}

const ROUTERS = new WeakMap<RoutableIndex, OperationRouter>();

/** The OperationRouter of an index, built once (its lookups are per index) and shared by every surface. */
export function operationRouterOf(index: RoutableIndex): OperationRouter {
  let r = ROUTERS.get(index);
  if (!r) ROUTERS.set(index, (r = new OperationRouter({ models: index.models, routing: index.routing, databases: index.settings?.databases ?? [], hintRouting: index.hintRouting })));
  return r;
}

export type MigrationEffect = 'runs' | 'skipped' | 'partly' | 'nothing' | 'unknown';

/**
 * What a migration does on one alias, from its operations' routes: `nothing` (no operations, or only state
 * changes), `runs` (every database operation runs), `skipped` (none does: Django records the migration and runs
 * nothing), `partly`, or `unknown` (some answer is not known and nothing certain runs).
 */
export function migrationEffect(ops: OperationRouting[], alias: string): { effect: MigrationEffect; skipped: OperationRoute[]; unknown: OperationRoute[] } {
  const routes = ops.map(o => o.routes.find(r => r.alias === alias)!).filter(Boolean);
  const db = routes.filter(r => r.reason !== 'state-only');
  const skipped = db.filter(r => r.runs === false);
  const unknown = db.filter(r => r.runs === null);
  const runs = db.filter(r => r.runs === true);
  let effect: MigrationEffect;
  if (!db.length) effect = 'nothing';
  else if (runs.length === db.length) effect = 'runs';
  else if (skipped.length === db.length) effect = 'skipped';
  else if (runs.length && skipped.length) effect = 'partly';
  else if (runs.length) effect = 'runs';
  else effect = unknown.length ? 'unknown' : 'skipped';
  return { effect, skipped, unknown };
}

/** One short phrase for why operations are skipped: "router LegacyRouter denied", "unmanaged model", …. */
export function skipPhrase(r: OperationRoute): string {
  switch (r.reason) {
    case 'router': return `${r.decidedBy?.split('.').pop() ?? 'a router'} denied`;
    case 'unmanaged': return 'unmanaged model';
    case 'proxy': return 'proxy model';
    case 'swapped': return 'swapped model';
    case 'vendor': return 'PostgreSQL only';
    case 'state-only': return 'state only';
    default: return r.explanation;
  }
}
