// Pure (no `vscode`): what the CodeLenses of a migration file say — where the migration and each of its operations
// run, per alias — and the per-alias state the lens opens. Built on core/migrations/operations.ts (Django's rules
// per operation kind) and, for pending migrations in Django mode, Django's own per-operation answer.
import type { ProjectIndex } from '../../core/scan';
import type { MigrationFileInfo } from '../../core/types';
import { operationRouterOf, skipPhrase, type OperationRouting } from '../../core/migrations/operations';
import { cellEffect } from './pending';
import { aliasesOf, shortRouter } from './routing';

// keyed by the migrations, not the index: an edit's new index keeps the same array when no migration changed, and
// every open editor's CodeLens asks on every index. Per file asked, not a map of every path: a migrations array is
// asked about the few files in the editors (a map of 3,000 paths per new array was most of a CodeLens call in CI).
const byPath = new WeakMap<ProjectIndex['migrations'], Map<string, MigrationFileInfo | undefined>>();

/** The migration defined in `file`, if the index has one (the last of that path, as a map of every path kept). */
export function migrationAt(index: ProjectIndex, file: string): MigrationFileInfo | undefined {
  let m = byPath.get(index.migrations);
  if (!m) byPath.set(index.migrations, (m = new Map()));
  if (!m.has(file)) {
    let found: MigrationFileInfo | undefined;
    for (const x of index.migrations) if (x.path === file) found = x;
    m.set(file, found);
  }
  return m.get(file);
}

function list(xs: string[]): string {
  return xs.join(', ');
}

export interface LensText {
  /** 1-based line; 0 for the top of the file */
  line: number;
  title: string;
  tooltip: string;
}

/** "Runs on default, analytics · recorded only on legacy" for the whole migration. */
export function migrationLens(index: ProjectIndex, m: MigrationFileInfo): LensText {
  const aliases = aliasesOf(index);
  const ops = operationRouterOf(index).route(m, aliases);
  const runs: string[] = [];
  const recorded: string[] = [];
  const unknown: string[] = [];
  const tips: string[] = [];
  for (const alias of aliases) {
    const e = cellEffect(ops, alias, m);
    if (e.effect === 'runs' || e.effect === 'partly') runs.push(alias);
    else if (e.effect === 'unknown') unknown.push(alias);
    else recorded.push(alias);
    tips.push(`${alias}: ${e.effect === 'runs' ? 'its operations run' : e.text ?? e.effect}`);
  }
  const parts: string[] = [];
  if (runs.length) parts.push(`runs on ${runs.length === aliases.length && aliases.length > 1 ? 'every database' : list(runs)}`);
  if (recorded.length) parts.push(`recorded only on ${list(recorded)}`);
  if (unknown.length) parts.push(`unknown on ${list(unknown)}`);
  return { line: 0, title: parts.join(' · ') || 'no database in settings', tooltip: tips.join('\n') };
}

/** One lens per operation call: where it runs and why it is skipped elsewhere. */
export function operationLenses(index: ProjectIndex, m: MigrationFileInfo): LensText[] {
  const aliases = aliasesOf(index);
  const out: LensText[] = [];
  for (const o of operationRouterOf(index).route(m, aliases)) {
    if (!o.line) continue;
    out.push({ line: o.line, ...operationText(o, aliases.length) });
  }
  return out;
}

function operationText(o: OperationRouting, aliasCount: number): { title: string; tooltip: string } {
  const runs = o.routes.filter(r => r.runs === true).map(r => r.alias);
  const skipped = o.routes.filter(r => r.runs === false && r.reason !== 'state-only');
  const unknown = o.routes.filter(r => r.runs === null);
  if (o.routes.every(r => r.reason === 'state-only')) return { title: 'state only: runs on no database', tooltip: o.routes[0]?.explanation ?? '' };
  const parts: string[] = [];
  if (runs.length) parts.push(`runs on ${runs.length === aliasCount && aliasCount > 1 ? 'every database' : list(runs)}`);
  // group the skipped aliases by their reason: "skipped on legacy, archive (LegacyRouter denied)"
  const groups = new Map<string, string[]>();
  for (const r of skipped) {
    const k = skipPhrase(r);
    groups.set(k, [...(groups.get(k) ?? []), r.alias]);
  }
  for (const [why, as] of groups) parts.push(`skipped on ${list(as)} (${why})`);
  if (unknown.length) parts.push(`unknown on ${list(unknown.map(r => r.alias))}`);
  const tooltip = o.routes.map(r => `${r.alias}: ${r.runs === true ? 'runs' : r.runs === false ? 'skipped' : 'unknown'}${r.decidedBy ? ` — ${shortRouter(r.decidedBy)}` : ''}${r.explanation ? ` — ${r.explanation}` : ''}`).join('\n');
  return { title: parts.join(' · '), tooltip };
}

export interface AliasStateRow {
  alias: string;
  /** applied / pending / not in plan / unknown (not read or unreachable) */
  state: 'applied' | 'pending' | 'not in plan' | 'unknown';
  /** what its operations do there */
  effect: string;
}

/** The migration's state on every alias, for the lens's click. */
export function migrationStates(index: ProjectIndex, m: MigrationFileInfo): AliasStateRow[] {
  const aliases = aliasesOf(index);
  const ops = operationRouterOf(index).route(m, aliases);
  return aliases.map(alias => {
    const st = index.applied[alias];
    const plan = index.plans[alias];
    const state: AliasStateRow['state'] = !st || !st.reachable || !plan ? 'unknown' : st.appliedKeys.has(m.key) ? 'applied' : plan.includes(m.key) ? 'pending' : 'not in plan';
    const e = cellEffect(ops, alias, m);
    return { alias, state, effect: e.effect === 'runs' ? 'its operations run' : e.text ?? e.effect };
  });
}
