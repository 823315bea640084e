// The deployment plan: the `manage.py migrate --database=<alias>` runs that bring every database up to date, in an
// order that respects cross-database needs. Pure: works on a ProjectIndex whose databases were read.
//
// Order: alias Y goes before alias X when a migration pending on X depends (directly or not) on a migration
// pending on Y whose operations run on Y and not on X (OperationRouter: where each operation runs). Running X
// first would record that dependency as applied on X while what it creates or writes exists only on Y, so X's
// migration would run against data that is not there yet. Ties (and cycles, reported) keep settings order.
import { sameDatabases } from './drift';
import { OperationRouter, type HintDecisionLike } from './migrations/operations';
import type { DatabaseSetting, AppliedState, MigrationFileInfo, MigrationKey, ModelInfo, RouterDecision } from './types';

export interface DeployInputs {
  databases: readonly DatabaseSetting[];
  /** per alias: pending migrations in Django's order; null = unknown (unreachable) */
  plans: Record<string, MigrationKey[] | null>;
  applied: Record<string, AppliedState>;
  migrations: MigrationFileInfo[];
  models: ModelInfo[];
  routing: RouterDecision[];
  hintRouting?: Record<string, HintDecisionLike>;
  /** only these aliases (default: every alias in settings) */
  aliases?: readonly string[];
  baseDir?: string;
}

export interface DeployStep {
  alias: string;
  /** pending migrations, in Django's order */
  migrations: MigrationKey[];
  /** aliases that must be migrated first, with the dependency that needs it */
  after: { alias: string; because: { migration: MigrationKey; dependsOn: MigrationKey } }[];
}

export interface DeployPlan {
  steps: DeployStep[];
  /** mirrorBy, with reason 'mirror': what makes the alias a mirror (`TEST["MIRROR"]`, `REPLICA_DATABASES (django-multidb-router)`) */
  skipped: { alias: string; reason: 'up-to-date' | 'same-database' | 'mirror'; sameAs?: string; mirrorBy?: string }[];
  unreachable: { alias: string; error: string }[];
  /** cross-database needs that contradict each other (a cycle): settings order was kept for those */
  cycles: string[][];
}

/** Resolves a dependency as Django's loader does for the keys a plan can contain. */
function dependencyResolver(migrations: MigrationFileInfo[]): (dep: [string, string]) => MigrationKey[] {
  const byKey = new Map(migrations.map(m => [m.key, m]));
  const replacedBy = new Map<string, MigrationKey>();
  for (const m of migrations) for (const [a, n] of m.replaces) replacedBy.set(`${a}.${n}`, m.key);
  const byApp = new Map<string, MigrationFileInfo[]>();
  for (const m of migrations) (byApp.get(m.app) ?? byApp.set(m.app, []).get(m.app)!).push(m);
  return ([app, name]) => {
    const list = byApp.get(app) ?? [];
    if (name === '__first__') return list.filter(m => !m.dependencies.some(([a]) => a === app)).map(m => m.key);
    if (name === '__latest__') {
      const parents = new Set(list.flatMap(m => m.dependencies.filter(([a]) => a === app).map(([a, n]) => `${a}.${n}`)));
      return list.filter(m => !parents.has(m.key)).map(m => m.key);
    }
    const k = `${app}.${name}`;
    if (byKey.has(k)) return [k];
    const r = replacedBy.get(k);
    return r ? [r] : [];
  };
}

export function deploymentPlan(inp: DeployInputs): DeployPlan {
  const aliases = inp.databases.map(d => d.alias).filter(a => !inp.aliases || inp.aliases.includes(a));
  const order = new Map(aliases.map((a, i) => [a, i]));
  const same = sameDatabases(inp.databases, inp.baseDir);
  const plan: DeployPlan = { steps: [], skipped: [], unreachable: [], cycles: [] };
  const todo: string[] = [];
  for (const alias of aliases) {
    // a mirror (a replica) or another alias of a database planned is skipped whether or not it could be read: the
    // plan runs nothing on it (addons-server's replicas, unreachable from where the plan is made, stopped the plan)
    const s = same.get(alias);
    if (s && order.has(s.sameAs)) {
      plan.skipped.push({ alias, reason: s.why, sameAs: s.sameAs, ...(s.mirrorBy ? { mirrorBy: s.mirrorBy } : {}) });
      continue;
    }
    const st = inp.applied[alias];
    const pending = inp.plans[alias];
    if (!st?.reachable || pending === null || pending === undefined) {
      plan.unreachable.push({ alias, error: st?.error ?? 'not read' });
      continue;
    }
    if (!pending.length) plan.skipped.push({ alias, reason: 'up-to-date' });
    else todo.push(alias);
  }
  if (!todo.length) return plan;

  const byKey = new Map(inp.migrations.map(m => [m.key, m]));
  const resolve = dependencyResolver(inp.migrations);
  const router = new OperationRouter({ models: inp.models, routing: inp.routing, databases: [...inp.databases], hintRouting: inp.hintRouting });
  // where each migration's operations run (certainly), computed once per migration that matters
  const runsOn = new Map<MigrationKey, Set<string>>();
  const where = (k: MigrationKey): Set<string> => {
    let s = runsOn.get(k);
    if (!s) {
      s = new Set();
      const m = byKey.get(k);
      if (m) for (const op of router.route(m, todo)) for (const r of op.routes) if (r.runs === true) s.add(r.alias);
      runsOn.set(k, s);
    }
    return s;
  };
  const pendingOn = new Map(todo.map(a => [a, new Set(inp.plans[a]!)]));

  const after = new Map<string, DeployStep['after']>(todo.map(a => [a, []]));
  for (const x of todo) {
    // every migration that the pending ones that do something on X need, with the one that first needed it (a
    // migration only recorded on X, all its operations skipped there, needs nothing)
    const seen = new Map<MigrationKey, MigrationKey>();
    const queue: MigrationKey[] = [];
    for (const k of inp.plans[x]!) if (where(k).has(x)) { seen.set(k, k); queue.push(k); }
    while (queue.length) {
      const k = queue.pop()!;
      for (const dep of byKey.get(k)?.dependencies ?? []) {
        for (const d of resolve(dep)) {
          if (seen.has(d)) continue;
          seen.set(d, seen.get(k)!);
          queue.push(d);
        }
      }
    }
    const edges = after.get(x)!;
    for (const [d, from] of seen) {
      if (d === from) continue;
      const runs = where(d);
      if (runs.has(x)) continue;
      for (const y of todo) {
        if (y === x || !runs.has(y) || !pendingOn.get(y)!.has(d) || edges.some(e => e.alias === y)) continue;
        edges.push({ alias: y, because: { migration: from, dependsOn: d } });
      }
    }
  }

  // Kahn's algorithm, smallest settings position first among the ready aliases
  const remaining = new Set(todo);
  while (remaining.size) {
    const ready = [...remaining].filter(a => after.get(a)!.every(e => !remaining.has(e.alias)));
    let next: string;
    if (ready.length) next = ready.sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
    else {
      plan.cycles.push(cycleFrom([...remaining], after));
      next = [...remaining].sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
    }
    remaining.delete(next);
    plan.steps.push({ alias: next, migrations: [...inp.plans[next]!], after: after.get(next)! });
  }
  return plan;
}

function cycleFrom(nodes: string[], after: Map<string, DeployStep['after']>): string[] {
  const inSet = new Set(nodes);
  const path: string[] = [];
  let cur = nodes[0]!;
  while (!path.includes(cur)) {
    path.push(cur);
    cur = after.get(cur)!.find(e => inSet.has(e.alias))?.alias ?? cur;
  }
  return path.slice(path.indexOf(cur));
}

/** A POSIX shell word: bare when it is made of safe characters, else single-quoted (a ' as '\''). */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The argv of one step: `manage.py migrate`, or for a project without manage.py (`managePy: null`),
 * `python -m django migrate --settings=<module>` from the project root.
 */
export function migrateCommand(alias: string, opts: CommandOptions = {}): string[] {
  if (opts.managePy === null && opts.settingsModule) return [opts.python ?? 'python', '-m', 'django', 'migrate', '--noinput', `--database=${alias}`, `--settings=${opts.settingsModule}`];
  return [opts.python ?? 'python', opts.managePy ?? 'manage.py', 'migrate', '--noinput', `--database=${alias}`];
}

/** How the plan's commands are written: the interpreter, manage.py (null: none, see migrateCommand), the root. */
export interface CommandOptions {
  python?: string;
  managePy?: string | null;
  settingsModule?: string;
  root?: string;
  /** what the plan cannot do, said with it (the tables of apps without migrations: `unmigrated-models`) */
  notes?: string[];
}

/** The comment of a step; `before`: the aliases of the steps run before it (a need a cycle broke is said so). */
function summary(step: DeployStep, before: ReadonlySet<string>): string {
  const n = step.migrations.length;
  const list = `${step.migrations.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''}`;
  const need = (e: DeployStep['after'][number]) => `'${e.alias}' (${e.because.migration} needs ${e.because.dependsOn})`;
  const met = step.after.filter(e => before.has(e.alias));
  const broken = step.after.filter(e => !before.has(e.alias));
  const first = met.length ? `; after ${met.map(need).join(', ')}` : '';
  const cycle = broken.length ? `; not after ${broken.map(need).join(', ')}: the cycle above` : '';
  return `'${step.alias}': ${n} pending migration${n === 1 ? '' : 's'} (${list})${first}${cycle}`;
}

/** Each step's comment, in plan order. */
function summaries(plan: DeployPlan): string[] {
  const before = new Set<string>();
  return plan.steps.map(step => {
    const s = summary(step, before);
    before.add(step.alias);
    return s;
  });
}

/** One comment line: never lets an alias or migration name end the comment (newlines). */
const comment = (s: string) => `# ${s.replace(/[\r\n]+/g, ' ')}`;

export function planToShell(plan: DeployPlan, opts: CommandOptions = {}): string {
  const lines = ['#!/bin/sh', comment(`django-multidb deployment plan${opts.root ? ` for ${opts.root}` : ''}: run from the project root`), 'set -eu'];
  for (const n of opts.notes ?? []) lines.push(comment(`note: ${n}`));
  for (const s of plan.skipped) lines.push(comment(skipText(s)));
  for (const c of plan.cycles) lines.push(comment(`cross-database needs form a cycle (${c.join(' → ')}): settings order kept`));
  if (!plan.steps.length) lines.push(comment('every database is up to date: nothing to run'));
  const said = summaries(plan);
  plan.steps.forEach((step, i) => lines.push(comment(said[i]!), migrateCommand(step.alias, opts).map(shellQuote).join(' ')));
  return lines.join('\n') + '\n';
}

function skipText(s: DeployPlan['skipped'][number]): string {
  switch (s.reason) {
    case 'up-to-date': return `'${s.alias}': up to date`;
    case 'mirror': return `'${s.alias}': skipped, a mirror of '${s.sameAs}' (${s.mirrorBy ?? 'TEST["MIRROR"]'})`;
    default: return `'${s.alias}': skipped, the same database as '${s.sameAs}'`;
  }
}

/** A GitHub Actions step (YAML) that runs the plan; the commands are shell words inside a literal block. */
export function planToGithubActions(plan: DeployPlan, opts: CommandOptions = {}): string {
  const said = summaries(plan);
  const body = [...(opts.notes ?? []).map(n => comment(`note: ${n}`)), ...(plan.steps.length
    ? plan.steps.flatMap((step, i) => [comment(said[i]!), migrateCommand(step.alias, opts).map(shellQuote).join(' ')])
    : [comment('every database is up to date: nothing to run')])];
  const lines = [
    `- name: ${yamlString('Migrate every database (django-multidb plan)')}`,
    '  shell: bash',
    '  run: |',
    '    set -euo pipefail',
    // every physical line indented, also inside a quoted word: a shorter line would end the block scalar
    ...body.flatMap(l => l.split('\n')).map(l => `    ${l}`),
  ];
  return lines.join('\n') + '\n';
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

export function planToJson(plan: DeployPlan, opts: CommandOptions = {}): object {
  return {
    version: 1,
    ...(opts.root ? { root: opts.root } : {}),
    steps: plan.steps.map(s => ({ alias: s.alias, command: migrateCommand(s.alias, opts), migrations: s.migrations, after: s.after })),
    skipped: plan.skipped,
    cycles: plan.cycles,
    ...(opts.notes?.length ? { notes: opts.notes } : {}),
  };
}
