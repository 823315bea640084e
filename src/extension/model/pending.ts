// Pure (no `vscode`): the data model of the pending-migrations panel, built from a ProjectIndex.
import * as path from 'path';
import { countsPending } from '../../core/scan';
import type { MigrationFileInfo } from '../../core/types';
import type { DjangoOperationRow } from '../../core/django';
import { migrationEffect, operationRouterOf, skipPhrase, type MigrationEffect, type OperationReason, type OperationRouting } from '../../core/migrations/operations';
import type { ProjectIndex } from '../../core/scan';
import type { AliasColumn, CellState, MigrationRow, PendingModel, PlanOperation } from '../../shared/messages';
import { planDetailsOf, sqlAvailability, toPlanOperation, type DjangoMode } from './django';
import { aliasesOf, dummyKind, pendingCount } from './routing';

function rel(root: string, p: string): string {
  const r = path.relative(root, p);
  return (r.startsWith('..') || path.isAbsolute(r) ? p : r).split(path.sep).join('/');
}

/** What a migration does on one alias, for a cell: its effect, a short tag and a sentence (none when it simply runs). */
export interface CellEffect {
  effect: MigrationEffect;
  /** e.g. "router-skipped", "swapped", "no operations"; null when every operation runs */
  tag: string | null;
  text: string | null;
}

const EFFECT_CHAR: Record<MigrationEffect, string> = { runs: 'r', skipped: 's', partly: 'p', nothing: 'n', unknown: 'u' };

/** Django's per-operation answer (Django mode) in the shape of the static routes, SeparateDatabaseAndState flattened. */
function routesFromDjango(rows: DjangoOperationRow[], alias: string): OperationRouting[] {
  const out: OperationRouting[] = [];
  const visit = (o: DjangoOperationRow, index: string) => {
    if (o.operations?.length) { o.operations.forEach((c, i) => visit(c, `${index}.${i}`)); return; }
    const reason: OperationReason = o.reason === 'noop' || o.reason === 'separate' ? 'state-only'
      : o.reason === 'router' || o.reason === 'default' || o.reason === 'unmanaged' || o.reason === 'proxy' || o.reason === 'swapped' || o.reason === 'vendor' || o.reason === 'custom' ? o.reason
        : o.reason === 'no-check' ? 'default' : 'unknown';
    const runs = reason === 'state-only' ? false : o.skipped === null ? null : !o.skipped;
    out.push({ migration: '', index, kind: o.kind, routes: [{ alias, runs, reason, decidedBy: o.decidedBy, explanation: o.error ?? '' }] });
  };
  rows.forEach((o, i) => visit(o, String(i)));
  return out;
}

/**
 * The effect of `m` on `alias` with its reasons, from the operations' routes (static rules of
 * core/migrations/operations.ts, or Django's own per-operation answer when it gave one).
 */
export function cellEffect(ops: OperationRouting[], alias: string, m: Pick<MigrationFileInfo, 'operations'>): CellEffect {
  const { effect, skipped, unknown } = migrationEffect(ops, alias);
  const uniq = (xs: string[]) => [...new Set(xs)];
  const phrases = uniq(skipped.map(skipPhrase));
  const kinds = (rs: { kind: string }[]) => uniq(rs.map(r => r.kind)).join(', ');
  const skippedOps = ops.filter(o => o.routes.some(r => r.alias === alias && r.runs === false && r.reason !== 'state-only'));
  switch (effect) {
    case 'runs': return { effect, tag: null, text: null };
    case 'nothing':
      return m.operations.length === 0
        ? { effect, tag: 'no operations', text: 'no operations: nothing runs, Django only records it' }
        : { effect, tag: 'state only', text: `${kinds(ops)} change${ops.length === 1 ? 's' : ''} the migration state only: nothing runs on any database` };
    case 'skipped': {
      const tag = skipped.every(r => r.reason === 'router') ? 'router-skipped' : phrases.length === 1 ? phrases[0]! : 'skipped';
      return { effect, tag, text: `every operation is skipped here (${phrases.join('; ')}): Django records it and runs nothing` };
    }
    case 'partly':
      return { effect, tag: 'partly skipped', text: `${skippedOps.length} of ${ops.filter(o => o.routes.some(r => r.alias === alias && r.reason !== 'state-only')).length} operations skipped here (${kinds(skippedOps)}: ${phrases.join('; ')})` };
    default:
      return { effect, tag: 'routing unknown', text: `whether its operations run here is not known statically (${uniq(unknown.map(u => u.explanation || u.reason)).slice(0, 2).join('; ')})` };
  }
}

export function modelKeyIndex(index: ProjectIndex): Map<string, string> {
  const m = new Map<string, string>();
  for (const model of index.models) m.set(`${model.app}\u0000${model.modelName.toLowerCase()}`, model.key);
  return m;
}

/** "app.name" keys reported in migration-conflict findings. */
export function conflictKeys(index: ProjectIndex): Set<string> {
  const out = new Set<string>();
  for (const f of index.findings) {
    if (f.code !== 'migration-conflict') continue;
    for (const k of f.migrations ?? []) out.add(k.includes('.') ? k : `${f.app ?? ''}.${k}`);
  }
  return out;
}

export interface PendingModelOptions {
  project: string;
  trusted: boolean;
  focusAlias?: string | null;
  /** djangoMultiDb.mode in effect (static in Restricted Mode); default auto */
  mode?: DjangoMode;
  /** why Django's answer is not shown, when it is not */
  reason?: string | null;
  /** the index is the last session's, from the on-disk snapshot saved then (ms since epoch) */
  cachedAt?: number | null;
}

/**
 * The operations of each pending migration of `alias` for the panel: Django's own answer in Django mode, else the
 * static rules (core/migrations/operations.ts); null when the plan is not known.
 */
export function planOperations(index: ProjectIndex, alias: string): Record<string, PlanOperation[]> | null {
  const details = planDetailsOf(index, alias);
  const out: Record<string, PlanOperation[]> = {};
  if (details) for (const [key, ops] of details) out[key] = ops.map(toPlanOperation);
  const plan = index.plans[alias];
  if (!plan) return details ? out : null;
  const router = operationRouterOf(index);
  const byKey = new Map(index.migrations.map(m => [m.key, m]));
  // a migration Django gave no operations for (or the static answer alone): the static rules
  for (const key of plan) {
    const m = byKey.get(key);
    if (!m || out[key]) continue;
    out[key] = router.route(m, [alias]).map(o => {
      const r = o.routes[0]!;
      const op: PlanOperation = {
        kind: o.kind, describe: o.model ? `${o.kind} ${o.model}` : o.kind,
        skipped: r.reason === 'state-only' ? false : r.runs === null ? null : !r.runs,
        why: r.runs === true ? (r.reason === 'default' ? 'every router returned None: runs' : `${r.decidedBy ? r.decidedBy.split('.').pop() : 'a router'} allowed`) : skipPhrase(r),
      };
      if (o.model) op.model = o.model.split('.').pop()!.toLowerCase();
      return op;
    });
  }
  return out;
}

const DRIFT_CODES = new Set(['schema-drift', 'stray-table', 'unmanaged-table-missing', 'unknown-applied-migration']);

/** What the database holds against routing and its applied migrations, for the panel's notice. */
function driftOf(index: ProjectIndex, alias: string): { count: number; first: string | null } {
  const found = index.findings.filter(f => f.alias === alias && DRIFT_CODES.has(f.code));
  // errors first: a table that queries need is missing
  found.sort((a, b) => Number(b.severity === 'error') - Number(a.severity === 'error'));
  return { count: found.length, first: found[0]?.message ?? null };
}

export function buildPendingModel(index: ProjectIndex, opts: PendingModelOptions): PendingModel {
  const aliases = aliasesOf(index);
  const conflicts = conflictKeys(index);
  const migrations = [...index.migrations].sort((a, b) => (a.app === b.app ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.app < b.app ? -1 : 1));
  const rowOf = new Map<string, number>();
  migrations.forEach((m, i) => rowOf.set(m.key, i));

  const replacedBy = new Map<string, string[]>();
  for (const m of migrations) {
    for (const [app, name] of m.replaces) {
      const k = `${app}.${name}`;
      const list = replacedBy.get(k) ?? [];
      list.push(m.key);
      replacedBy.set(k, list);
    }
  }

  const planSets = aliases.map(a => new Set(index.plans[a] ?? []));
  // Django mode: Django's per-operation answer for pending migrations beats the static rules
  const details = aliases.map(a => planDetailsOf(index, a));
  const router = operationRouterOf(index);
  const rows: MigrationRow[] = migrations.map(m => {
    let cells = '';
    let effects = '';
    const notes: MigrationRow['notes'] = {};
    const staticOps = router.route(m, aliases);
    aliases.forEach((alias, i) => {
      const django = details[i]?.get(m.key);
      const eff = cellEffect(django ? routesFromDjango(django, alias) : staticOps, alias, m);
      // lower case: Django records the migration and runs none of its operations
      const skipped = eff.effect === 'skipped';
      const st = index.applied[alias];
      let c: CellState;
      if (!st || !st.reachable || index.plans[alias] == null) c = skipped ? '~' : '?';
      else if (st.appliedKeys.has(m.key)) c = skipped ? 'a' : 'A';
      else if (planSets[i]!.has(m.key)) c = skipped ? 'p' : 'P';
      else if ((replacedBy.get(m.key) ?? []).some(s => st.appliedKeys.has(s))) c = 'R';
      else c = '-';
      cells += c;
      effects += EFFECT_CHAR[eff.effect];
      if (eff.tag) notes[i] = { tag: eff.tag, text: eff.text ?? eff.tag };
    });
    return {
      key: m.key,
      app: m.app,
      name: m.name,
      relPath: rel(index.root, m.path),
      cells,
      effects,
      notes,
      replaces: m.replaces.map(([a, n]) => `${a}.${n}`),
      replacedBy: replacedBy.get(m.key) ?? [],
      conflict: conflicts.has(m.key),
      operations: m.operations.map(o => (o.modelName ? `${o.kind}(${o.modelName})` : o.kind)),
    };
  });

  let totalPending = 0;
  const columns: AliasColumn[] = aliases.map(alias => {
    const db = index.settings?.databases.find(d => d.alias === alias);
    const st = index.applied[alias];
    const pending = pendingCount(index, alias);
    // an alias of the same database (or a mirror) shows its list but is counted on its primary
    if (pending !== null && countsPending(index, alias)) totalPending += pending;
    const plan = index.plans[alias];
    const dummy = dummyKind(index, alias);
    return {
      alias,
      engine: db?.engine ?? null,
      reachable: st ? st.reachable : null,
      error: st?.error ?? null,
      ...(dummy ? { dummy } : {}),
      pending,
      plan: plan && st?.reachable ? plan.map(k => rowOf.get(k)).filter((i): i is number => i !== undefined) : null,
      planSource: index.django?.planSource[alias] ?? 'static',
      drift: driftOf(index, alias),
    };
  });

  return {
    project: opts.project,
    root: index.root,
    trusted: opts.trusted,
    stateRead: Object.keys(index.applied).length > 0,
    aliases: columns,
    migrations: rows,
    totalPending,
    focusAlias: opts.focusAlias ?? null,
    generatedAt: new Date().toISOString(),
    source: { used: index.mode?.used ?? 'static', django: index.mode?.used === 'django' ? (index.django?.django ?? null) : null, reason: opts.reason ?? index.mode?.reason ?? null },
    sql: sqlAvailability(opts.trusted, opts.mode ?? 'auto'),
    cachedAt: opts.cachedAt ? new Date(opts.cachedAt).toISOString() : null,
  };
}
