// Pure (no `vscode`): the data model of the pending-migrations panel, built from a ProjectIndex.
import * as path from 'path';
import { countsPending } from '../../core/scan';
import type { MigrationFileInfo } from '../../core/types';
import type { ProjectIndex } from '../../core/scan';
import type { AliasColumn, CellState, MigrationRow, PendingModel, PlanOperation } from '../../shared/messages';
import { detailsApply, planDetailsOf, sqlAvailability, toPlanOperation, type DjangoMode } from './django';
import { aliasesOf, decisionsOf, pendingCount } from './routing';

function rel(root: string, p: string): string {
  const r = path.relative(root, p);
  return (r.startsWith('..') || path.isAbsolute(r) ? p : r).split(path.sep).join('/');
}

/**
 * Whether any operation of `m` does something on `alias`. Mirrors Django: model operations run only when
 * `Operation.allow_migrate_model(alias, model)` is True; RunPython/RunSQL are routed by app label and hints
 * we cannot see, so an operation without a model — or on a model that no longer exists — counts as
 * applicable. A migration without operations is applicable too (nothing is skipped).
 */
export function migrationApplies(index: ProjectIndex, m: MigrationFileInfo, alias: string, modelKeyByName: Map<string, string>): boolean {
  if (m.operations.length === 0) return true;
  const decisions = decisionsOf(index);
  for (const op of m.operations) {
    if (!op.modelName) return true;
    const key = modelKeyByName.get(`${m.app}\u0000${op.modelName.toLowerCase()}`);
    if (!key) return true;
    if (decisions.get(alias, key)?.migrate !== false) return true;
  }
  return false;
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
}

/** Django's operations of each pending migration of `alias` for the panel; null without Django's answer. */
export function planOperations(index: ProjectIndex, alias: string): Record<string, PlanOperation[]> | null {
  const details = planDetailsOf(index, alias);
  if (!details) return null;
  const out: Record<string, PlanOperation[]> = {};
  for (const [key, ops] of details) out[key] = ops.map(toPlanOperation);
  return out;
}

export function buildPendingModel(index: ProjectIndex, opts: PendingModelOptions): PendingModel {
  const aliases = aliasesOf(index);
  const keyIndex = modelKeyIndex(index);
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
  // Django mode: Django's per-operation answer for pending migrations beats the model-level rule
  const details = aliases.map(a => planDetailsOf(index, a));
  const rows: MigrationRow[] = migrations.map(m => {
    let cells = '';
    aliases.forEach((alias, i) => {
      const ops = details[i]?.get(m.key);
      const applies = ops ? detailsApply(ops) : migrationApplies(index, m, alias, keyIndex);
      const st = index.applied[alias];
      let c: CellState;
      if (!st || !st.reachable || index.plans[alias] == null) c = applies ? '?' : '~';
      else if (st.appliedKeys.has(m.key)) c = applies ? 'A' : 'a';
      else if (planSets[i]!.has(m.key)) c = applies ? 'P' : 'p';
      else if ((replacedBy.get(m.key) ?? []).some(s => st.appliedKeys.has(s))) c = 'R';
      else c = '-';
      cells += c;
    });
    return {
      key: m.key,
      app: m.app,
      name: m.name,
      relPath: rel(index.root, m.path),
      cells,
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
    return {
      alias,
      engine: db?.engine ?? null,
      reachable: st ? st.reachable : null,
      error: st?.error ?? null,
      pending,
      plan: plan && st?.reachable ? plan.map(k => rowOf.get(k)).filter((i): i is number => i !== undefined) : null,
      planSource: index.django?.planSource[alias] ?? 'static',
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
  };
}
