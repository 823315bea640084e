// Pure (no `vscode`): what the tree, hovers, status bar and diagnostics say about a routing decision.
// Kept apart from the host code so that it can be tested with plain `node --test`.
import * as path from 'path';
import type { Loc, ModelInfo, RouterDecision } from '../../core/types';
import type { ProjectIndex } from '../../core/scan';
import { DUMMY_ENGINE } from '../../core/types';
import { countsPending, twinsOf } from '../../core/scan';
import { decisionLookup, type DecisionLookup } from '../../core/findings';

export type ModelState = 'migrates' | 'skipped' | 'unknown' | 'unmanaged' | 'proxy' | 'swapped';

export function decisionKey(alias: string, model: string): string {
  return `${alias}\u0000${model}`;
}

/** Decisions by (alias, model), built once per index (the core's map: findings.ts DecisionMap). */
export { DecisionMap as Decisions } from '../../core/findings';

// keyed by the routing rows, not the index: an edit's new index keeps the same rows when routing did not change
// (the incremental index), and every update of the views and diagnostics asks for them. Made as far as asked (a
// hover, a quick fix or a link asks about one or two models: their rows are picked, not 6,000 indexed per new
// routing array); a caller that goes through every model takes the whole map (indexDecisions).
export function decisionsOf(index: ProjectIndex): DecisionLookup {
  return decisionLookup(index.routing);
}

export function modelState(d: RouterDecision | undefined): ModelState {
  if (!d) return 'unknown';
  switch (d.reason) {
    case 'unmanaged':
      return 'unmanaged';
    case 'proxy':
      return 'proxy';
    case 'swapped':
      return 'swapped';
    default:
      if (d.migrate === null) return 'unknown';
      return d.migrate ? 'migrates' : 'skipped';
  }
}

export const STATE_LABEL: Record<ModelState, string> = {
  migrates: 'migrates',
  skipped: 'skipped',
  unknown: 'unknown',
  unmanaged: 'unmanaged',
  proxy: 'proxy',
  swapped: 'swapped',
};

/** "mysite.routers.AnalyticsRouter" → "AnalyticsRouter" */
export function shortRouter(dotted: string | null | undefined): string {
  if (!dotted) return 'no router';
  return dotted.split('.').pop() || dotted;
}

export function locLabel(loc: Loc | undefined, root: string): string {
  if (!loc) return '';
  const rel = path.relative(root, loc.path);
  const shown = rel.startsWith('..') || path.isAbsolute(rel) ? loc.path : rel;
  return `${shown.split(path.sep).join('/')}:${loc.line}`;
}

/** Where "Go to router" should land for a decision: the deciding `return`, else the router's allow_migrate. */
export function routerLocation(index: ProjectIndex, d: RouterDecision | undefined): Loc | undefined {
  if (!d) return undefined;
  if (d.loc) return d.loc;
  if (d.decidedBy) {
    const r = index.routerLocs[d.decidedBy];
    return r?.allowMigrate ?? r?.cls;
  }
  return undefined;
}

/**
 * One sentence on why `model` does (not) migrate on `alias`, mirroring Django's
 * `Operation.allow_migrate_model` → `ConnectionRouter.allow_migrate`.
 */
export function explainDecision(d: RouterDecision | undefined, root: string): string {
  if (!d) return 'No routing decision was computed for this database.';
  const where = d.loc ? ` (${locLabel(d.loc, root)})` : '';
  // Django's own note on a router or default decision ("Django: X.allow_migrate returned False") restates the
  // sentence below: the decision is said once
  // so does the static reading's "X.allow_migrate returned True at db.py:32" of a router's answer
  const restates = (d.source === 'django' && (d.reason === 'router' || d.reason === 'default'))
    || (d.reason === 'router' && /^\S+\.allow_migrate returned \S+( at \S+)?( \(on every path\))?$/.test(d.explanation ?? ''));
  const extra = d.explanation && !restates ? ` — ${d.explanation}` : '';
  switch (d.reason) {
    case 'unmanaged':
      return 'Unmanaged model (`Meta.managed = False`): migrations never create or alter its table, whatever the routers say.';
    case 'proxy':
      return 'Proxy model: it has no table of its own; migrations record it but touch no table.';
    case 'swapped':
      return 'Swapped model (replaced by a setting such as AUTH_USER_MODEL): migrations skip it.';
    case 'default':
      return `Fell through to allow: every router's \`allow_migrate\` returned None, so Django allows it${extra}.`;
    case 'router':
      return `\`${shortRouter(d.decidedBy)}.allow_migrate\` returned ${d.migrate ? 'True' : 'False'}${where}${extra}.`;
    case 'unknown':
    default:
      return `Could not be decided statically${d.decidedBy ? ` in \`${shortRouter(d.decidedBy)}\`` : ''}${where}${extra}.`;
  }
}

/** Concrete models of an index, optionally without unmanaged/proxy ones, sorted by app then name. */
export function concreteModels(index: ProjectIndex, showUnmanaged = true): ModelInfo[] {
  return index.models
    .filter(m => !m.abstract && (showUnmanaged || (m.managed && !m.proxy)))
    .sort((a, b) => (a.app === b.app ? a.name.localeCompare(b.name) : a.app.localeCompare(b.app)));
}

/**
 * The table a model's rows live in, as a label: `` `name` ``, or that it is not known (a proxy whose concrete model
 * could not be read: its own name would be a guess, Django uses its concrete model's table).
 */
export function tableText(model: ModelInfo): string {
  return model.proxy && (!model.concreteModel || model.concreteModel === model.key) ? 'not known (its concrete model could not be read)' : `\`${model.table}\``;
}

export function aliasesOf(index: ProjectIndex): string[] {
  return index.settings?.databases.map(d => d.alias) ?? [];
}

/** Pending migrations on alias: null when unknown (not read, or unreachable). */
export function pendingCount(index: ProjectIndex, alias: string): number | null {
  const plan = index.plans[alias];
  if (plan === undefined || plan === null) return null;
  const st = index.applied[alias];
  if (st && !st.reachable) return null;
  return plan.length;
}

/**
 * Django's dummy backend on `alias`, which nothing can read or migrate: `no-databases` when the settings set no
 * DATABASES (its `default` is Django's), `no-engine` for an entry without ENGINE (`'default': {}`); null for a database.
 */
export function dummyKind(index: ProjectIndex, alias: string): 'no-databases' | 'no-engine' | null {
  if (!index.settings?.databases.some(d => d.alias === alias && d.engine === DUMMY_ENGINE)) return null;
  return index.settings.databasesNotConfigured?.kind === 'empty' ? 'no-databases' : 'no-engine';
}

/**
 * Total pending over aliases whose state is known, each physical database once: an alias that reaches the same
 * database as another (or mirrors it) is counted on that one.
 */
export function totalPending(index: ProjectIndex): { total: number; known: number; unreachable: number; notConfigured: number } {
  let total = 0;
  let known = 0;
  let unreachable = 0;
  let notConfigured = 0;
  for (const alias of aliasesOf(index)) {
    const st = index.applied[alias];
    // Django's dummy `default` (DATABASES not set): not a database that failed to answer
    if (dummyKind(index, alias)) { notConfigured++; continue; }
    if (st && !st.reachable) unreachable++;
    const n = pendingCount(index, alias);
    if (n !== null) {
      if (countsPending(index, alias)) total += n;
      known++;
    }
  }
  return { total, known, unreachable, notConfigured };
}

/** "django.db.backends.postgresql" → "postgresql" */
export function shortEngine(engine: string | null | undefined): string {
  if (!engine) return 'unknown engine';
  // (Django before 3.0's name of the same backend: the row's status after it is what the narrow sidebar cut)
  const last = engine.split('.').pop() || engine;
  return last === 'postgresql_psycopg2' ? 'postgresql' : last;
}

/**
 * "same database as default" / "mirror of default", or null: what an alias shares with another (db/identity.ts).
 */
export function twinText(index: ProjectIndex, alias: string): string | null {
  const t = twinsOf(index).get(alias);
  if (t?.sameAs) return `same database as ${t.sameAs}`;
  if (t?.mirrorOf) return `mirror of ${t.mirrorOf}`;
  return null;
}
