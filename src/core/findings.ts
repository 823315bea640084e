// Findings: computed once here, rendered three ways (VS Code diagnostic, CLI line, JSON object).
import * as path from 'path';
import type { AppliedState, Finding, Loc, MigrationFileInfo, ModelInfo, RouterDecision, SettingsInfo } from './types';
import { isExternalPath } from './python/runtime';
import { sameValue } from './equal';

/**
 * Router decisions by (alias, model). Two levels of maps over the rows' own strings: a lookup makes no key string
 * (the lints look up every (alias, model) pair after each routing change: 24,000 concatenations on a large project).
 */
export class DecisionMap {
  private readonly byAlias = new Map<string, Map<string, RouterDecision>>();
  /** rows under this map's own, not copied (`over`: the routing under the lives rows); never changed through this map */
  private base: DecisionMap | undefined;
  /** how many maps are under this one */
  depth = 0;
  constructor(rows: Iterable<RouterDecision> = []) {
    for (const d of rows) this.set(d);
  }
  /** An empty map over `base`: what is set here hides base's row for the same pair; base is not copied. */
  static over(base: DecisionMap): DecisionMap {
    const m = new DecisionMap();
    m.base = base;
    m.depth = base.depth + 1;
    return m;
  }
  get(alias: string, model: string): RouterDecision | undefined {
    return this.byAlias.get(alias)?.get(model) ?? this.base?.get(alias, model);
  }
  has(alias: string, model: string): boolean {
    return (this.byAlias.get(alias)?.has(model) ?? false) || (this.base?.has(alias, model) ?? false);
  }
  /** (a later row for the same pair replaces the earlier one) */
  set(d: RouterDecision): void {
    let m = this.byAlias.get(d.alias);
    if (!m) this.byAlias.set(d.alias, (m = new Map()));
    m.set(d.model, d);
  }
  copy(): DecisionMap {
    const c = new DecisionMap();
    c.base = this.base;
    c.depth = this.depth;
    for (const [alias, m] of this.byAlias) c.byAlias.set(alias, new Map(m));
    return c;
  }
}

/** routing arrays are never changed once made: one map per array, however many lints and findings look it up */
const indexed = new WeakMap<readonly RouterDecision[], DecisionMap>();

/** How many maps `indexDecisionsOver` lays over one another before a map of its own is made (each lookup walks them). */
const OVER_DEPTH = 4;

/**
 * Make `indexDecisions(next)` the map of `base` with `rows` laid over it, not a map of every row of `next`: for `next`
 * made of `base`'s rows with `rows` added after them or put in the places of the rows of the same pairs (Django mode's
 * merge: the rows of a model typed since Django answered after Django's, the rows a router edit decided again in
 * place). A map of the benchmark project's 6,000 rows took 1-3 ms of every such merge.
 */
export function indexDecisionsOver(next: readonly RouterDecision[], base: readonly RouterDecision[], rows: Iterable<RouterDecision>): void {
  if (next === base || indexed.has(next)) return;
  const under = indexDecisions(base);
  if (under.depth >= OVER_DEPTH) return;
  const m = DecisionMap.over(under);
  for (const d of rows) m.set(d);
  indexed.set(next, m);
}

/** The map `indexDecisions` made of `decisions`, if one was made. */
export function indexedAlready(decisions: readonly RouterDecision[]): DecisionMap | undefined {
  return indexed.get(decisions);
}

/**
 * The decisions of a routing array by (alias, model), made as far as they are asked for: the rows of a few models are
 * picked in one pass over the array; past PICK_MAX models, or when `indexDecisions` made the whole map already, the
 * whole map answers. A view that asks about one migration's models (a CodeLens) or the findings' few models (related
 * links) after every edit no longer indexes 6,000 rows each time; one that asks about all of them gets the map.
 */
export class DecisionLookup {
  private whole: DecisionMap | undefined;
  /** the rows of the models picked so far, and those models */
  private readonly picked = new DecisionMap();
  private readonly pickedModels = new Set<string>();
  constructor(private readonly rows: readonly RouterDecision[]) {}

  get(alias: string, model: string): RouterDecision | undefined {
    const whole = this.whole ??= indexed.get(this.rows);
    if (whole) return whole.get(alias, model);
    if (!this.pickedModels.has(model)) {
      if (this.pickedModels.size >= PICK_MAX) return (this.whole = indexDecisions(this.rows)).get(alias, model);
      this.pick([model]);
    }
    return this.picked.get(alias, model);
  }

  /** Pick the rows of `models` in one pass (those not picked yet). */
  pick(models: Iterable<string>): void {
    if (this.whole ??= indexed.get(this.rows)) return;
    const todo = new Set<string>();
    for (const k of models) if (!this.pickedModels.has(k)) todo.add(k);
    if (!todo.size) return;
    for (const k of todo) this.pickedModels.add(k);
    for (const d of this.rows) if (todo.has(d.model)) this.picked.set(d);
  }
}

/** How many models a DecisionLookup picks before it makes the whole map. */
const PICK_MAX = 16;

/** One DecisionLookup per routing array. */
export function decisionLookup(decisions: readonly RouterDecision[]): DecisionLookup {
  let l = lookups.get(decisions);
  if (!l) lookups.set(decisions, (l = new DecisionLookup(decisions)));
  return l;
}

const lookups = new WeakMap<readonly RouterDecision[], DecisionLookup>();

export function indexDecisions(decisions: readonly RouterDecision[]): DecisionMap {
  let m = indexed.get(decisions);
  if (!m) indexed.set(decisions, (m = new DecisionMap(decisions)));
  return m;
}

/**
 * `next` with each decision equal to the one `prev` held for the same (alias, model) replaced by that earlier object
 * (in place; returned). A router or settings edit changes some rows: the others keep their identity, so what is
 * compared or sent row by row after it (the worker's difference to the host, the host's views) sees them as the
 * same at once, and the new copies are garbage at once instead of surviving into the old generation.
 */
export function keepEqualDecisions(prev: readonly RouterDecision[] | undefined, next: RouterDecision[], same: (a: unknown, b: unknown) => boolean): RouterDecision[] {
  if (!prev?.length) return next;
  const old = indexDecisions(prev);
  for (let i = 0; i < next.length; i++) {
    const d = next[i]!;
    const o = old.get(d.alias, d.model);
    if (o && o !== d && same(o, d)) next[i] = o;
  }
  return next;
}

/**
 * `next` (a list of findings computed again) with each finding equal in value to one of `prev` replaced by that one:
 * a router edit re-decides thousands of routes, and most lints computed from them say what they said; the same
 * objects are not redacted, compared or sent again after it (the worker's difference to the host sees them at once).
 */
export function keepEqualFindings(prev: readonly Finding[], next: Finding[]): Finding[] {
  if (!prev.length || !next.length) return next;
  // (by message, the other properties compared by sameValue: a key joining code, path, line and message made a new
  // string of each of a thousand findings, twice, and hashed it, ~2 ms of every router lint computed again)
  let byMessage: Map<string, Finding | Finding[]> | null = null;
  for (let i = 0; i < next.length; i++) {
    const f = next[i]!;
    const p = prev[i];
    if (p === f) continue;
    if (p && p.code === f.code && p.line === f.line && p.message === f.message && sameValue(p, f)) {
      next[i] = p;
      continue;
    }
    if (!byMessage) {
      byMessage = new Map();
      for (const x of prev) {
        const had = byMessage.get(x.message);
        if (had === undefined) byMessage.set(x.message, x);
        else if (Array.isArray(had)) had.push(x);
        else byMessage.set(x.message, [had, x]);
      }
    }
    const q = byMessage.get(f.message);
    if (q === undefined) continue;
    const same = Array.isArray(q) ? q.find(x => x.code === f.code && x.line === f.line && sameValue(x, f)) : sameValue(q, f) ? q : undefined;
    if (same) next[i] = same;
  }
  return next;
}

/** The routing decisions with the "lives" ones (unmanaged, proxy and swapped models as if managed) over them. */
export function livesDecisions(routing: readonly RouterDecision[], lives: readonly RouterDecision[] | undefined): DecisionMap {
  // (over the routing's own map, not a copy of its 6,000 rows: after every edit that changed the routing or the lives)
  const all = DecisionMap.over(indexDecisions(routing));
  for (const d of lives ?? []) all.set(d);
  return all;
}

function shortRouter(dotted: string | null): string {
  if (!dotted) return 'no router';
  return dotted.split('.').slice(-1)[0] ?? dotted;
}

/** Why a model does or does not live on an alias, in words. */
export function describeLives(d: RouterDecision | undefined): string {
  if (!d) return 'not evaluated';
  if (d.migrate === null) return 'unknown';
  if (d.reason === 'default') return 'every router returned None (allowed by default)';
  return `${shortRouter(d.decidedBy)}.allow_migrate returned ${d.migrate ? 'True' : 'False'}`;
}

/** The cross-database relations' findings, and what `crossDatabaseRelationsAgain` takes up from them. */
export interface CrossDatabaseRelations {
  findings: Finding[];
  byModel: Map<string, Finding[]>;
  /** a relation's target → the models with a relation to it */
  referrers: Map<string, Set<string>>;
}

const NONE: Finding[] = [];

/** @internal (tests, benchmarks) models whose relations `crossDatabaseRelationsAgain` read again, summed over calls */
export const CROSS_DB_STATS = { again: 0, modelsRead: 0 };

/** models arrays are never changed once made: one map by key per array (a router edit keeps the models') */
const keyedModels = new WeakMap<readonly ModelInfo[], ReadonlyMap<string, ModelInfo>>();
export function modelsByKey(models: readonly ModelInfo[]): ReadonlyMap<string, ModelInfo> {
  let m = keyedModels.get(models);
  if (!m) keyedModels.set(models, (m = new Map(models.map(x => [x.key, x]))));
  return m;
}

/** and their concrete models, one array per array */
const concreteOf = new WeakMap<readonly ModelInfo[], ModelInfo[]>();
export function concreteModels(models: readonly ModelInfo[]): ModelInfo[] {
  let c = concreteOf.get(models);
  if (!c) concreteOf.set(models, (c = models.filter(m => !m.abstract)));
  return c;
}

/**
 * Cross-database relations, as scan-json.md defines them: once per (model, field, alias) where `model` is
 * migrated on `alias` and the target does not live there. "Lives" is the router chain's answer ignoring
 * managed/proxy (`lives` decisions), "migrated" is the full `Operation.allow_migrate_model` answer. Kept per model (the
 * model whose field it is) with an index of referrers, for `crossDatabaseRelationsAgain`.
 */
export function crossDatabaseRelationsByModel(models: ModelInfo[], migrate: DecisionMap, lives: DecisionMap, aliases: string[]): CrossDatabaseRelations {
  const byKey = modelsByKey(models);
  const byModel = new Map<string, Finding[]>();
  const referrers = new Map<string, Set<string>>();
  for (const m of models) {
    const out = relationsOf(m, byKey, migrate, lives, aliases);
    if (out.length) byModel.set(m.key, out);
    for (const f of m.fields) if (f.target) (referrers.get(f.target) ?? referrers.set(f.target, new Set()).get(f.target)!).add(m.key);
  }
  return { findings: inModelOrder(models, byModel), byModel, referrers };
}

/**
 * `crossDatabaseRelationsByModel` after an edit that changed some models, and the routing decisions of the models
 * `decided` only (`decisionModelsChanged`; none: a foreign key's target typed, a field added; a new model's rows):
 * only the models whose objects or decisions changed, and those with a relation to one of them or to a model gone,
 * are read again (issue 11: every relation of 1,500 models was checked on every alias after each keystroke in a
 * models file). The same findings, in the same order, as from scratch.
 */
export function crossDatabaseRelationsAgain(prev: CrossDatabaseRelations, before: readonly ModelInfo[], models: ModelInfo[], migrate: DecisionMap, lives: DecisionMap, aliases: string[], decided: ReadonlySet<string> = NO_KEYS): CrossDatabaseRelations {
  // changed: the models now whose objects are new, and the models before that are gone or were replaced
  const edited: ModelInfo[] = [];
  const replaced: ModelInfo[] = [];
  if (before.length === models.length && models.every((m, i) => m.key === before[i]!.key)) {
    // (most often: the same keys in the same places, a few objects new)
    for (let i = 0; i < models.length; i++) if (models[i] !== before[i]) { edited.push(models[i]!); replaced.push(before[i]!); }
  } else {
    const now = new Map(models.map(m => [m.key, m]));
    const was = new Map(before.map(m => [m.key, m]));
    for (const m of models) if (was.get(m.key) !== m) edited.push(m);
    for (const m of before) if (now.get(m.key) !== m) replaced.push(m);
  }
  if (!edited.length && !replaced.length && !decided.size) return prev;
  const changed = new Set([...edited, ...replaced].map(m => m.key));
  // the referrers of the models changed, their relations as they are now
  // (copied once a model's fields are read again: a router edit that routes models again changes no relation)
  let referrers = prev.referrers;
  const touched = new Set<string>();
  const own = (target: string): Set<string> => {
    if (referrers === prev.referrers) referrers = new Map(prev.referrers);
    if (!touched.has(target)) { touched.add(target); referrers.set(target, new Set(referrers.get(target))); }
    return referrers.get(target)!;
  };
  for (const m of replaced) for (const f of m.fields) if (f.target) own(f.target).delete(m.key);
  for (const m of edited) for (const f of m.fields) if (f.target) own(f.target).add(m.key);
  // a relation's finding reads the model and its decisions, its target and the target's concrete model (a proxy's
  // rows) and their decisions
  const again = new Set<string>(edited.map(m => m.key));
  for (const k of decided) again.add(k);
  const targets = new Set([...changed, ...decided]);
  for (const t of models) if (t.proxy && t.concreteModel && targets.has(t.concreteModel)) targets.add(t.key);
  for (const t of targets) for (const k of referrers.get(t) ?? []) again.add(k);
  const byModel = new Map(prev.byModel);
  for (const m of replaced) byModel.delete(m.key);
  const byKey = modelsByKey(models);
  CROSS_DB_STATS.again++;
  CROSS_DB_STATS.modelsRead += again.size;
  for (const k of again) {
    const m = byKey.get(k);
    const out = m ? relationsOf(m, byKey, migrate, lives, aliases) : NONE;
    if (out.length) byModel.set(k, out);
    else byModel.delete(k);
  }
  return { findings: inModelOrder(models, byModel), byModel, referrers };
}

/** What `crossDatabaseRelationsFrom` takes up from the last computation: its result and what it was computed from. */
export interface CrossDatabaseLast {
  cross: CrossDatabaseRelations;
  /** the concrete models */
  concrete: readonly ModelInfo[];
  routing: readonly RouterDecision[];
  /** the "lives on" rows over the routing (ProjectIndex.lives) */
  lives: readonly RouterDecision[];
}

/**
 * The cross-database relations of `concrete`, from `last` where few models' routing rows changed since
 * (`crossDatabaseRelationsAgain`: an edit that routes a few models again or adds one, or none), else from scratch.
 * `migrate` and `lives` index `routing` and the rows over it.
 */
export function crossDatabaseRelationsFrom(last: CrossDatabaseLast | undefined, concrete: ModelInfo[], routing: readonly RouterDecision[], livesRows: readonly RouterDecision[], migrate: DecisionMap, lives: DecisionMap, aliases: string[]): CrossDatabaseRelations {
  const decided = new Set<string>();
  const max = concrete.length / 4;
  return last && decisionModelsChanged(last.routing, routing, decided, max) && decisionModelsChanged(last.lives, livesRows, decided, max)
    ? crossDatabaseRelationsAgain(last.cross, last.concrete, concrete, migrate, lives, aliases, decided)
    : crossDatabaseRelationsByModel(concrete, migrate, lives, aliases);
}

const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * Add to `into` the models whose routing decisions may differ between the rows `prev` and `next`: those of the rows
 * that are in one and not the other (the same object), found by walking both in order and resynchronising over a
 * few rows inserted or removed (a new model's rows, one per alias) or replaced; a superset where rows moved further.
 * Rows are kept as the same objects while their decisions are (keepEqualDecisions): an edit that routes a few
 * models again, or adds a model, names those models. Returns false when more than `max` models are named (nothing
 * to gain).
 */
export function decisionModelsChanged(prev: readonly RouterDecision[], next: readonly RouterDecision[], into: Set<string>, max: number): boolean {
  if (prev === next) return true;
  const AHEAD = 64;
  let i = 0, j = 0;
  while (i < prev.length && j < next.length) {
    if (prev[i] === next[j]) { i++; j++; continue; }
    // rows inserted before prev[i], or removed before next[j]
    let k = 1;
    while (k <= AHEAD && j + k < next.length && next[j + k] !== prev[i]) k++;
    if (k <= AHEAD && j + k < next.length) {
      for (let x = j; x < j + k; x++) into.add(next[x]!.model);
      j += k;
    } else {
      k = 1;
      while (k <= AHEAD && i + k < prev.length && prev[i + k] !== next[j]) k++;
      if (k <= AHEAD && i + k < prev.length) {
        for (let x = i; x < i + k; x++) into.add(prev[x]!.model);
        i += k;
      } else {
        // replaced
        into.add(prev[i++]!.model);
        into.add(next[j++]!.model);
      }
    }
    if (into.size > max) return false;
  }
  for (; i < prev.length; i++) into.add(prev[i]!.model);
  for (; j < next.length; j++) into.add(next[j]!.model);
  return into.size <= max;
}

function inModelOrder(models: ModelInfo[], byModel: Map<string, Finding[]>): Finding[] {
  const out: Finding[] = [];
  if (!byModel.size) return out;
  for (const m of models) {
    const fs = byModel.get(m.key);
    if (fs) for (const f of fs) out.push(f);
  }
  return out;
}

function relationsOf(m: ModelInfo, byKey: ReadonlyMap<string, ModelInfo>, migrate: DecisionMap, lives: DecisionMap, aliases: string[]): Finding[] {
  if (m.abstract) return NONE;
  let out: Finding[] | undefined;
  for (const f of m.fields) {
    if (!f.target) continue;
    const target = byKey.get(f.target);
    if (!target) continue;
    // a proxy's rows are its concrete model's (DefectDojo's 34 foreign keys to Dojo_User, a proxy of auth.User)
    const rowsOf = target.proxy && target.concreteModel && byKey.has(target.concreteModel) ? target.concreteModel : f.target;
    const via = rowsOf !== f.target ? ` (a proxy of ${rowsOf})` : '';
    for (const alias of aliases) {
      const d = migrate.get(alias, m.key);
      if (d?.migrate !== true) continue;
      const t = lives.get(alias, rowsOf);
      if (!t || t.migrate !== false) continue;
      const livesOn = aliases.filter(a => lives.get(a, rowsOf)?.migrate === true);
      const where = livesOn.length ? `lives on ${livesOn.map(a => `'${a}'`).join(', ')}` : 'lives on no database';
      const constraint = f.dbConstraint
        ? 'the foreign key constraint cannot be created there and queries that join across databases fail'
        : 'db_constraint=False turns the constraint off, but joins and related lookups still cross databases';
      (out ??= []).push({
        code: 'cross-db-foreign-key',
        severity: 'warning',
        path: f.loc.path,
        line: f.loc.line,
        model: m.key,
        field: f.name,
        target: f.target,
        alias,
        message:
          `${m.name}.${f.name} (${f.kind}) points to ${f.target}${via}, which ${where}, but ${m.key} is migrated on '${alias}' ` +
          `(${describeLives(d)}; for ${rowsOf}: ${describeLives(t)}): ${constraint}.`,
      });
    }
  }
  return out ?? NONE;
}

/**
 * `routing-fall-through`: a database other than `default` that the routers decide some models on (claim them, or
 * keep them off) and that gets every other model, only because every router returned None for them (Django allows):
 * `migrate --database=<alias>` creates all those tables there (informal-system's legacy MySQL database,
 * "accessed via raw SQL only", would get ~40 app tables). One finding per alias, at the claiming router's return.
 */
export function fallThroughAliasFindings(decisions: RouterDecision[], aliases: string[]): Finding[] {
  const out: Finding[] = [];
  // per alias, in one pass over the 6,000 rows (after every edit that changed the routing): the rows the routers
  // decide (they know this database: they claim some models on it, or keep them off), the first and the number of
  // those they claim, and the rows that fell through to "allow"
  const per = new Map<string, { decided: RouterDecision[]; claimed: number; firstClaimed?: RouterDecision; fell: RouterDecision[] }>();
  for (const d of decisions) {
    const decidedHere = d.reason === 'router' && d.migrate !== null;
    const fellHere = d.migrate === true && d.reason === 'default';
    if (!decidedHere && !fellHere) continue;
    let e = per.get(d.alias);
    if (!e) per.set(d.alias, (e = { decided: [], claimed: 0, fell: [] }));
    if (decidedHere) {
      e.decided.push(d);
      if (d.migrate === true) { e.claimed++; e.firstClaimed ??= d; }
    } else e.fell.push(d);
  }
  for (const alias of aliases) {
    if (alias === 'default') continue;
    const { decided = [], claimed = 0, firstClaimed, fell = [] } = per.get(alias) ?? {};
    if (!decided.length || !fell.length) continue;
    const appOf = (d: RouterDecision) => d.model.slice(0, d.model.indexOf('.'));
    const apps = [...new Set(fell.map(appOf))];
    const by = firstClaimed ?? decided[0]!;
    const router = by.decidedBy ? by.decidedBy.split('.').pop() : 'a router';
    const besides = claimed
      ? `besides the ${claimed} ${router} sends there`
      : `while ${router} decides only ${[...new Set(decided.map(appOf))].join(', ')} there`;
    out.push({
      code: 'routing-fall-through', severity: 'warning', path: by.loc?.path ?? null, line: by.loc?.line ?? null, alias,
      message: `'${alias}' gets ${fell.length} model${fell.length === 1 ? '' : 's'} of ${apps.length} app${apps.length === 1 ? '' : 's'} (${apps.slice(0, 4).join(', ')}${apps.length > 4 ? ', …' : ''}) only because every router returned None for them, ${besides}: \`migrate --database=${alias}\` creates all their tables on it. Return False from allow_migrate for the other apps on '${alias}' (e.g. \`elif db == "${alias}": return False\`).`,
    });
  }
  return out;
}

/**
 * An alias the routers send some models' reads or writes to (a legacy or analytics database) while no
 * allow_migrate decides anything on it: every model falls through to it (eruditorg's RestrictionRouter has only
 * db_for_read). A replica that gets every model's reads is no such database: not reported.
 */
export function routedFallThroughFindings(decisions: RouterDecision[], routes: { read: DbRouteLike[]; write: DbRouteLike[] } | undefined, aliases: string[]): Finding[] {
  if (!routes) return [];
  const out: Finding[] = [];
  for (const alias of aliases) {
    if (alias === 'default') continue;
    const all = decisions.filter(d => d.alias === alias);
    // (unmanaged, proxy and swapped models migrate nowhere: not a router's doing)
    const ds = all.filter(d => d.migrate === true);
    if (!ds.length || all.some(d => d.reason === 'router' || (d.migrate === null))) continue;
    const sent = [...routes.read, ...routes.write].filter(r => r.alias === alias && r.reason === 'router');
    const models = new Set(sent.map(r => r.model));
    if (!models.size || models.size >= new Set(all.map(d => d.model)).size) continue;
    const appOf = (m: string) => m.slice(0, m.indexOf('.'));
    const apps = [...new Set(ds.map(d => appOf(d.model)))];
    const by = sent[0]!;
    const router = by.decidedBy ? by.decidedBy.split('.').pop() : 'a router';
    const kinds = [routes.read.some(r => r.alias === alias && r.reason === 'router') ? 'reads' : '', routes.write.some(r => r.alias === alias && r.reason === 'router') ? 'writes' : ''].filter(Boolean).join(' and ');
    out.push({
      code: 'routing-fall-through', severity: 'warning', path: by.loc?.path ?? null, line: by.loc?.line ?? null, alias,
      message: `'${alias}' gets ${ds.length} model${ds.length === 1 ? '' : 's'} of ${apps.length} app${apps.length === 1 ? '' : 's'} (${apps.slice(0, 4).join(', ')}${apps.length > 4 ? ', …' : ''}) only because no router's allow_migrate decides anything there, while ${router} sends the ${kinds} of ${[...models].slice(0, 3).join(', ')}${models.size > 3 ? ', …' : ''} to it: \`migrate --database=${alias}\` creates all their tables on it. Give a router an allow_migrate that returns False on '${alias}' for the other apps (and True, or False for a database migrations must not touch, for those it holds).`,
    });
  }
  return out;
}

interface DbRouteLike { model: string; alias: string | null; decidedBy: string | null; reason: string; loc?: Loc }

/** More models than this with one cause of unknown routing are one finding. */
const GROUP_UNKNOWN_ROUTING = 10;

export function unknownRoutingFindings(models: ModelInfo[], decisions: RouterDecision[], routersLoc?: Loc): Finding[] {
  const byModel = new Map<string, RouterDecision[]>();
  for (const d of decisions) {
    if (d.migrate !== null) continue;
    const list = byModel.get(d.model) ?? [];
    list.push(d);
    byModel.set(d.model, list);
  }
  const out: Finding[] = [];
  // (most projects' routing is known for every model: no map of the 1,500 models made after every edit)
  if (!byModel.size) return out;
  const byKey = modelsByKey(models);
  // one cause for many models (a router that cannot be evaluated at all: bustimes' 76 models): one finding, at the cause
  const byCause = new Map<string, string[]>();
  for (const [model, ds] of byModel) {
    const k = `${ds.map(d => d.alias).join(',')}\0${ds[0]?.explanation ?? ''}`;
    (byCause.get(k) ?? byCause.set(k, []).get(k)!).push(model);
  }
  const grouped = new Set<string>();
  for (const keys of byCause.values()) {
    if (keys.length <= GROUP_UNKNOWN_ROUTING) continue;
    const ds = byModel.get(keys[0]!)!;
    // at the cause when it is the project's code, else at DATABASE_ROUTERS (not in site-packages, nor at the first model)
    const at = ds[0]?.loc;
    const loc = at && !isExternalPath(at.path) ? at : routersLoc ?? at ?? byKey.get(keys[0]!)?.loc;
    for (const k of keys) grouped.add(k);
    out.push({
      code: 'unknown-routing', severity: 'info', path: loc?.path ?? null, line: loc?.line ?? null,
      message: `Where ${keys.length} models (${keys.slice(0, 4).join(', ')}, …) are migrated cannot be decided statically on ${ds.map(d => `'${d.alias}'`).join(', ')}${ds[0]?.explanation ? `: ${ds[0].explanation}` : ''}.`,
    });
  }
  for (const [model, ds] of byModel) {
    if (grouped.has(model)) continue;
    const m = byKey.get(model);
    const why = ds[0]?.explanation ? `: ${ds[0].explanation}` : '';
    // a model of an installed package (django.contrib.auth's User): at DATABASE_ROUTERS, a line of the project
    const loc = m && isExternalPath(m.loc.path) && routersLoc ? routersLoc : m?.loc;
    out.push({
      code: 'unknown-routing',
      severity: 'info',
      path: loc?.path ?? null,
      line: loc?.line ?? null,
      model,
      message: `Where ${model} is migrated cannot be decided statically on ${ds.map(d => `'${d.alias}'`).join(', ')}${why}.`,
    });
  }
  return out;
}

export function conflictFindings(conflicts: Record<string, string[]>, migrations: MigrationFileInfo[]): Finding[] {
  const entries = Object.entries(conflicts);
  // (every index asks, most with no conflict: no map of the benchmark project's 3,000 migrations after each edit)
  if (!entries.length) return [];
  const byKey = new Map(migrations.map(m => [m.key, m]));
  return entries.map(([app, names]) => {
    const first = byKey.get(`${app}.${names[0]}`);
    return {
      code: 'migration-conflict' as const,
      severity: 'error' as const,
      path: first?.path ?? null,
      line: first ? 1 : null,
      app,
      migrations: names.map(n => `${app}.${n}`),
      message: `Conflicting migrations in '${app}': ${names.join(', ')} are all leaf nodes; run "manage.py makemigrations --merge".`,
    };
  });
}

/** ` (…)`: the environment variables the settings read that are not set here, and how to give them */
/** Environment variable names, the likeliest to name a database first: POSTGRES_DB before AWS_S3_BUCKET_NAME */
function likeliestFirst(names: readonly string[], first: readonly string[] = []): string[] {
  const likely = (n: string) => (first.includes(n) ? -1 : /DATABASE|POSTGRES|^PG|MYSQL|MARIADB|SQLITE|(^|_)DB(_|$)/.test(n) ? 0 : 1);
  return [...names].sort((a, b) => likely(a) - likely(b) || a.localeCompare(b));
}

function unsetHint(settings: SettingsInfo): string {
  const unset = likeliestFirst(settings.unsetDatabaseEnv ?? settings.databasesNotConfigured?.unsetEnv ?? []);
  const vars = unset.length ? `the settings read ${unset.slice(0, 4).join(', ')}${unset.length > 4 ? ', …' : ''}, not set here; ` : '';
  return ` (${vars}set the environment variables the settings read, or give an env file: --env-file, djangoMultiDb.envFile)`;
}

/** Findings that come from reading the databases (Scanner.readState): they belong to that read, per alias. */
export const STATE_CODES: ReadonlySet<string> = new Set<Finding['code']>(['database-unreachable', 'pending-migrations', 'inconsistent-history', 'schema-drift', 'stray-table', 'unknown-applied-migration', 'unmanaged-table-missing']);

/**
 * Unreachable aliases and pending migrations, at the alias's line of the settings (else the first database's). An empty DATABASES is not
 * reported as its unreachable dummy `default` (databases-not-configured says it).
 */
export function stateFindings(applied: Record<string, AppliedState>, plans: Record<string, string[] | null>, settings: SettingsInfo, twins?: ReadonlyMap<string, { sameAs: string | null }>): Finding[] {
  const out: Finding[] = [];
  const dbLoc = settings.databases[0]?.loc;
  const emptyDatabases = settings.databasesNotConfigured?.kind === 'empty';
  // an alias of the same physical database as an earlier unreachable one (Saleor's replica of default): said once,
  // at that one, which names it
  const sameDown = new Map<string, string[]>();
  const said = (alias: string): string | null => {
    const first = twins?.get(alias)?.sameAs;
    return first && applied[first] && !applied[first]!.reachable ? first : null;
  };
  for (const [alias, st] of Object.entries(applied)) {
    const first = !st.reachable ? said(alias) : null;
    if (first) sameDown.set(first, [...(sameDown.get(first) ?? []), alias]);
  }
  for (const [alias, st] of Object.entries(applied)) {
    if (!st.reachable && emptyDatabases && alias === 'default') continue;
    if (!st.reachable && said(alias)) continue;
    const also = sameDown.get(alias);
    const alsoText = also?.length ? ` The same database is ${also.map(a => `'${a}'`).join(', ')} too.` : '';
    // the alias's own entry in DATABASES (etools-datamart: every alias was reported at the first one's line)
    const own = settings.databases.find(d => d.alias === alias)?.loc;
    const settingsPath = own?.path ?? dbLoc?.path ?? settings.path;
    const settingsLine = own ? own.line : dbLoc?.line ?? null;
    if (!st.reachable) {
      out.push(st.unconfigured
        // where the database is depends on what the settings read at run time (an unset environment variable): said,
        // without failing a check that runs where those variables are not set
        ? {
          code: 'database-unreachable', severity: 'warning', path: settingsPath, line: settingsLine, alias,
          message: `Database '${alias}' was not read: ${st.error ?? 'its settings are not known statically'}${unsetHint(settings)}.${alsoText}`,
        }
        : {
          code: 'database-unreachable', severity: 'error', path: settingsPath, line: settingsLine, alias,
          // (the settings read database-like variables that are not set here: host and port may be their defaults)
          message: `Database '${alias}' could not be read: ${st.error ?? 'unknown error'}${settings.unsetDatabaseEnv?.length ? unsetHint(settings) : ''}.${alsoText}`,
        });
      continue;
    }
    const plan = plans[alias];
    if (plan && plan.length) {
      out.push({
        code: 'pending-migrations', severity: 'warning', path: settingsPath, line: settingsLine, alias,
        migrations: plan,
        message: `Database '${alias}' has ${plan.length} pending migration${plan.length === 1 ? '' : 's'}: ${plan.slice(0, 5).join(', ')}${plan.length > 5 ? ', …' : ''}.`,
      });
    }
  }
  return out;
}

/**
 * What the static evaluation of the settings could not know (`settings-unknown`), and what Django itself could not
 * import (`settings-error`: a syntax error, or a NameError on every path). The names left unknown by an error are
 * not reported again at the error's line.
 */
/** The settings multi-database answers are made of, and a module or `*` (any setting may be affected). */
const MULTIDB_SETTING = /^(DATABASES|DATABASE_ROUTERS|INSTALLED_APPS|MIGRATION_MODULES|AUTH_USER_MODEL|DEFAULT_AUTO_FIELD|DJANGO_SETTINGS_MODULE)\b|^\*$|^\(/;

/** The backends of Django's own django.db.backends package. */
const DJANGO_BACKENDS = ['sqlite3', 'postgresql', 'mysql', 'oracle', 'dummy', 'postgresql_psycopg2'];

/** The first `max` of `names`, and how many more there are. */
function firstOf(names: readonly string[], max: number): string {
  return `${names.slice(0, max).join(', ')}${names.length > max ? ` and ${names.length - max} more` : ''}`;
}

/**
 * `envFile(variables)`: a project env file other than the one in use that sets some of them (env/env-candidates.ts),
 * named in the findings that say a database or router depends on them.
 */
export type EnvFileHint = (variables: string[]) => { file: string; shown: string; sets: string[] } | null;

export function settingsFindings(settings: SettingsInfo, envFile?: EnvFileHint): Finding[] {
  const out: Finding[] = [];
  const at = (loc: Loc | undefined) => (loc ? `${loc.path}:${loc.line}` : '');
  const errorLines = new Set(settings.unknowns.filter(u => u.error).map(u => at(u.loc)));
  // settings the multi-database answers do not use (SECRET_KEY, HOSTIP, THREADS_PER_WORKER): one info per file that
  // lists them, not one at each line (readthedocs: 7, paperless, healthchecks: a blue line under each)
  const unused = new Map<string, { path: string | null; line: number | null; items: string[] }>();
  for (const u of settings.unknowns) {
    const path = u.loc?.path ?? settings.path;
    const line = u.loc?.line ?? null;
    if (u.error) {
      const what = u.error === 'SyntaxError' ? 'syntax error' : 'undefined name';
      out.push({ code: 'settings-error', severity: 'error', path, line, message: `Django cannot import the settings (${what}): ${u.reason}` });
    } else if (!(u.loc && errorLines.has(at(u.loc)))) {
      // a setting this tool does not read (SECRET_KEY, CORS_*): said, as an info; what routers or models read of the
      // others is said again where it matters (unknown-routing, the model's finding)
      const names = u.name.split(', ');
      // DATABASES or DATABASE_ROUTERS not read at all: nothing the tool says of databases or routing holds (check fails)
      const whole = names.filter(n => settings.unreadable?.includes(n as 'DATABASES'));
      // no settings module at all: Django stops at once (ModuleNotFoundError), and nothing was checked (a `check` in CI
      // passed, saying "no failing problems", on RapidPro whose temba.settings is the deployer's file)
      const missing = !!settings.notFound && names.includes('DJANGO_SETTINGS_MODULE');
      const severity = whole.length || missing ? 'error' : names.some(n => MULTIDB_SETTING.test(n)) ? 'warning' : 'info';
      const consequence = missing
        ? ': Django cannot start with it (ModuleNotFoundError), and nothing of the databases, routing or migrations plans could be checked'
        : whole.length
        ? ` (${whole.join(' and ')} could not be read statically, so ${whole.includes('DATABASES') ? 'no database and ' : ''}no routing answer can be given: try --mode django with the project's Python, or set what the settings read)`
        : '';
      // a module of the settings that raises as it is imported here (paperless' missing SECRET_KEY, NetBox's Python
      // version check): said as what Django does with it
      const raising = /^\((.+)\)$/.exec(u.name);
      const message = raising && /^(raised|may raise) /.test(u.reason)
        ? `Importing ${raising[1]} here ${u.reason.startsWith('raised') ? 'raises' : 'may raise'} ${u.reason.replace(/^(raised|may raise) /, '')}: Django stops there when the project starts with this environment and files; what follows was read as if it did not (if it depends on environment variables, set them in an env file: --env-file, djangoMultiDb.envFile)`
        : `${u.name}: ${u.reason}${consequence}`;
      // (a run-time overlay may replace any setting, DATABASES and what routers read included: said on its own)
      if (u.name === 'Any setting') {
        out.push({ code: 'settings-unknown', severity, path, line, message: `${message}: DATABASES, DATABASE_ROUTERS and the settings routers read may differ where the project runs` });
        continue;
      }
      if (severity === 'info' && !raising) {
        const g = unused.get(path ?? '') ?? unused.set(path ?? '', { path, line, items: [] }).get(path ?? '')!;
        if (line !== null && (g.line === null || line < g.line)) g.line = line;
        g.items.push(line !== null ? `${message} (line ${line})` : message);
        continue;
      }
      out.push({ code: 'settings-unknown', severity, path, line, message });
    }
  }
  for (const g of unused.values()) {
    const message = g.items.length === 1
      ? g.items[0]!.replace(/ \(line \d+\)$/, '')
      : `${g.items.length} settings not known statically, none of which the multi-database analysis uses: ${g.items.slice(0, 8).join('; ')}${g.items.length > 8 ? `; and ${g.items.length - 8} more` : ''}`;
    out.push({ code: 'settings-unknown', severity: 'info', path: g.path, line: g.line, message });
  }
  // (those a run-time overlay makes partial are said once, by its 'Any setting' finding)
  for (const p of (settings.partial ?? []).filter(x => !x.overlay)) {
    out.push({ code: 'settings-partial', severity: 'info', path: p.loc?.path ?? settings.path, line: p.loc?.line ?? null, message: `${p.name} may contain more entries than the known ones, which are used: ${p.reason}` });
  }
  // (DATABASES empty with this environment: databases-not-configured says so, naming these variables first)
  const emptied = settings.databasesNotConfigured?.kind === 'empty' && !settings.databasesNotConfigured.neverSet;
  const seenDependent = new Set<string>();
  // where to set them: the project's own env file that does, else any
  // (the file goes with the finding: the editor's quick fix uses it at once)
  const setIn = (variables: string[], one: boolean, toSee: string): { text: string; envFile?: string } => {
    const hit = envFile?.(variables);
    if (hit) return { text: `${hit.shown} sets ${hit.sets.length === variables.length ? (one ? 'it' : 'them') : hit.sets.join(', ')}: choose that env file (Choose Env File…, --env-file ${hit.shown}) ${toSee}.`, envFile: hit.file };
    return { text: `Set ${one ? 'it' : 'them'} in an env file (--env-file, djangoMultiDb.envFile) ${toSee}.` };
  };
  const withFile = (f: Finding, s: { envFile?: string }): Finding => (s.envFile ? { ...f, envFile: s.envFile } : f);
  for (const e of settings.envDependent ?? []) {
    if (emptied && e.settings.includes('DATABASES')) continue;
    const vars = e.variables.join(', ');
    // several conditions on the same variables (healthchecks: `if DB == "postgres"`, then `if DB in ("mysql", …)`): once
    const key = `${e.settings.join(',')}\0${vars}`;
    if (seenDependent.has(key)) continue;
    seenDependent.add(key);
    const set = setIn(e.variables, e.variables.length === 1, 'to see the other');
    out.push(withFile({
      code: 'settings-env-dependent', severity: 'info', path: e.loc.path, line: e.loc.line,
      message: `${e.settings.join(' and ')} ${e.settings.length > 1 ? 'depend' : 'depends'} on ${vars}, not set here: what is shown is the configuration without ${e.variables.length > 1 ? 'them' : 'it'}. ${set.text}`,
    }, set));
  }
  const ed = settings.envDefaults;
  if (ed && !settings.databasesNotConfigured) {
    const one = ed.variables.length === 1;
    const set = setIn(ed.variables, one, 'to see the configuration the project runs with');
    out.push(withFile({
      code: 'settings-env-dependent', severity: 'info', path: ed.loc?.path ?? settings.path, line: ed.loc?.line ?? null,
      message: `DATABASES reads ${firstOf(likeliestFirst(ed.variables), 8)}, not set here: where the settings give ${one ? 'it a default' : 'them defaults'}, the databases shown use those. ${set.text}`,
    }, set));
  }
  const rd = settings.routersEnvDefaults;
  if (rd) {
    const one = rd.variables.length === 1;
    const set = setIn(rd.variables, one, 'to see the routers the project runs with');
    out.push(withFile({
      code: 'settings-env-dependent', severity: 'info', path: rd.loc?.path ?? settings.path, line: rd.loc?.line ?? null,
      message: `DATABASE_ROUTERS reads the environment variable${one ? '' : 's'} ${firstOf(rd.variables, 8)}, not set here: the routers shown are those the settings give without ${one ? 'it' : 'them'}${settings.routers.length ? '' : ' (none)'}. ${set.text}`,
    }, set));
  }
  // the same assumption at several lines of one file (Kolibri's version.py asserts) is one finding
  const assumed = new Map<string, { path: string | null; lines: number[]; reason: string }>();
  for (const a of settings.assumptions ?? []) {
    const p = a.loc?.path ?? settings.path;
    const k = `${p}\0${a.reason}`;
    const g = assumed.get(k);
    if (g) { if (a.loc?.line) g.lines.push(a.loc.line); } else assumed.set(k, { path: p, lines: a.loc?.line ? [a.loc.line] : [], reason: a.reason });
  }
  // raises assumed not to happen, several in one file (NetBox's settings check a dozen parameters): one finding
  // per file that lists them
  const RAISE = 'assumed not to happen (the project is taken to start): ';
  const raisesIn = new Map<string | null, { path: string | null; lines: number[]; reason: string }[]>();
  for (const g of assumed.values()) if (g.reason.startsWith(RAISE)) raisesIn.set(g.path, [...(raisesIn.get(g.path) ?? []), g]);
  for (const g of assumed.values()) {
    const inFile = g.reason.startsWith(RAISE) ? raisesIn.get(g.path)! : [];
    if (inFile.length > 1) {
      if (inFile[0] !== g) continue;
      const items = [...inFile].sort((a, b) => (a.lines[0] ?? 0) - (b.lines[0] ?? 0));
      const text = (x: typeof g) => {
        const exc = x.reason.slice(RAISE.length);
        return `${x.lines.length ? `line${x.lines.length > 1 ? 's' : ''} ${x.lines.join(', ')}: ` : ''}${exc.length > 120 ? `${exc.slice(0, 117)}…` : exc}`;
      };
      out.push({ code: 'settings-assumption', severity: 'info', path: g.path, line: items[0]!.lines[0] ?? null, message: `${items.reduce((n, x) => n + Math.max(1, x.lines.length), 0)} raises assumed not to happen (the project is taken to start): ${items.map(text).join('; ')}` });
      continue;
    }
    const more = g.lines.length > 1 ? ` (also at lines ${g.lines.slice(1).join(', ')})` : '';
    out.push({ code: 'settings-assumption', severity: 'info', path: g.path, line: g.lines[0] ?? null, message: `${g.reason}${more}` });
  }
  // an ENGINE of Django's own package that is none of its backends (openedx/credentials with a typo: Django raises
  // ImproperlyConfigured on the first query); not where the settings may be replaced at run time (a placeholder)
  if (!settings.partial?.some(p => p.name === 'DATABASES')) {
    for (const d of settings.databases) {
      const m = /^django\.db\.backends\.(\w*)$/.exec(d.engine ?? '');
      if (!m || DJANGO_BACKENDS.includes(m[1]!)) continue;
      // (postgresql_psycopg2: Django before 3.0)
      const near = DJANGO_BACKENDS.find(b => b !== 'dummy' && b !== 'postgresql_psycopg2' && m[1] && (b.startsWith(m[1]) || m[1].startsWith(b.slice(0, 5))));
      out.push({
        code: 'databases-not-configured', severity: 'error', path: d.loc?.path ?? settings.path, line: d.loc?.line ?? null, alias: d.alias,
        message: `DATABASES['${d.alias}'] has ENGINE '${d.engine}', which isn't an available database backend${near ? ` (did you mean 'django.db.backends.${near}'?)` : ''}: Django raises ImproperlyConfigured on its first query, so manage.py migrate and every command that uses '${d.alias}' fails.`,
      });
    }
  }
  const nc = settings.databasesNotConfigured;
  if (nc) {
    const one = nc.unsetEnv.length === 1;
    const others = nc.otherModules ?? [];
    // the variables whose condition decides whether DATABASES gets entries (mathesar: POSTGRES_DB, _USER, _HOST),
    // before the others it reads
    const deciding = [...new Set((settings.envDependent ?? []).filter(e => e.settings.includes('DATABASES')).flatMap(e => e.variables))];
    const decides = nc.kind === 'empty' && !nc.neverSet && deciding.length
      ? ` Whether it has entries depends on ${deciding.join(', ')} (line ${settings.envDependent!.find(e => e.settings.includes('DATABASES'))!.loc.line}).`
      : '';
    const env = decides + (nc.unsetEnv.length
      ? ` DATABASES reads ${one ? 'an environment variable that is' : 'environment variables that are'} not set: ${likeliestFirst(nc.unsetEnv, deciding).slice(0, 12).join(', ')}${nc.unsetEnv.length > 12 ? `, … (${nc.unsetEnv.length} in all)` : ''}; set ${one ? 'it' : 'them'} in the project's .env file (or the one djangoMultiDb.envFile / --env-file names).`
      : others.length
        ? ` These settings never set DATABASES; ${others.length === 1 ? 'a settings module beside them does' : 'settings modules beside them do'}: ${firstOf(others, 6)}. Choose the one the project runs with ("Choose Settings Module…", or --settings; django-multidb settings lists each with its databases).`
        : '');
    out.push(nc.kind === 'empty'
      ? { code: 'databases-not-configured', severity: 'warning', path: nc.loc?.path ?? settings.path, line: nc.loc?.line ?? null, message: `${nc.neverSet ? 'DATABASES is not set by these settings' : 'DATABASES is empty with this environment'}: Django then has only a 'default' database of the dummy backend, which nothing can migrate or read.${env}` }
      : { code: 'databases-not-configured', severity: 'error', path: nc.loc?.path ?? settings.path, line: nc.loc?.line ?? null, message: `DATABASES has no 'default' entry: Django refuses these settings (ImproperlyConfigured: You must define a 'default' database), so every manage.py command fails.${env}` });
  }
  return out;
}

/** One line: `path:line: severity [code] message`. */
export function formatFinding(f: Finding, root?: string): string {
  const where = f.path ? `${root ? toPosix(path.relative(root, f.path)) || f.path : f.path}${f.line ? `:${f.line}` : ''}: ` : '';
  return `${where}${f.severity} [${f.code}] ${f.message}`;
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
