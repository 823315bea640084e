// Pure (no `vscode`): the argument lists of the manage.py tasks, the checks on what the user or a caller
// passes, and which aliases share one physical database. migrate.ts turns the result into a
// `vscode.ProcessExecution`: an argument vector, never a shell string, so a DATABASES key such as
// `q';touch x;'` or a manage.py path with an apostrophe is one argument and nothing else.
import type { ProjectIndex } from '../../core/scan';
import { twinsOf } from '../../core/scan';
import { primaryAlias } from '../../core/db/identity';
import { aliasesOf, pendingCount } from './routing';

/** What a task runs: `process` with `args`, no shell. */
export interface ProcessSpec {
  process: string;
  args: string[];
}

/** `python manage.py <args>` as a process and its argument vector. */
export function managePyProcess(python: string, managePy: string, args: readonly string[]): ProcessSpec {
  return { process: python, args: [managePy, ...args] };
}

/**
 * `migrate [--plan] --database=<alias> [-- app [target]]`. The alias is glued to its option (one argv entry, so
 * it can never be read as another option); app and target come after `--`, which Django's argparse-based
 * `CommandParser` takes as "positional arguments follow" (an app label or a name starting with `-` stays one).
 */
export function migrateArgs(o: { alias: string; app?: string; target?: string; plan?: boolean }): string[] {
  const positional = o.app ? [o.app, ...(o.target ? [o.target] : [])] : [];
  return ['migrate', ...(o.plan ? ['--plan'] : []), `--database=${o.alias}`, ...(positional.length ? ['--', ...positional] : [])];
}

export type Checked = { ok: true; target?: string } | { ok: false; message: string };

const LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Refuses an app that is not an app label with migrations in the index, and a target that Django's `migrate`
 * would not take as a migration of that app: `zero`, a migration name, or a prefix of exactly one
 * (`MigrationLoader.get_migration_by_prefix`). The answer carries the full name the prefix stands for.
 */
export function checkMigrateTarget(index: Pick<ProjectIndex, 'migrations'>, app: string | undefined, target: string | undefined): Checked {
  if (app === undefined) return target === undefined ? { ok: true } : { ok: false, message: 'A target migration needs an app.' };
  if (!LABEL.test(app)) return { ok: false, message: `'${app}' is not an app label.` };
  const names = index.migrations.filter(m => m.app === app).map(m => m.name);
  if (!names.length) return { ok: false, message: `App '${app}' has no migrations in the index.` };
  if (target === undefined || target === 'zero') return { ok: true, ...(target ? { target } : {}) };
  if (names.includes(target)) return { ok: true, target };
  const matches = target ? names.filter(n => n.startsWith(target)) : [];
  if (matches.length === 1) return { ok: true, target: matches[0]! };
  if (matches.length > 1) return { ok: false, message: `More than one migration of '${app}' starts with '${target}': ${matches.slice(0, 5).join(', ')}.` };
  return { ok: false, message: `'${target}' is not a migration of '${app}' (a migration name, a unique prefix of one, or zero).` };
}

/**
 * The key of the per-database lock: aliases that reach one physical database (or mirror another) share the
 * key of the alias whose `migrate` serves them all.
 */
export function migrateLockKey(index: Pick<ProjectIndex, 'settings' | 'managePy' | 'root'> | null, root: string, alias: string): string {
  return `${root}\u0000${index ? primaryAlias(twinsOf(index), alias) : alias}`;
}

/**
 * "Migrate all databases": in DATABASES order, the aliases with pending migrations (or an unknown count), one per
 * physical database; `skipped` are the others with why (the alias whose run covers them).
 */
export function migrateAllPlan(index: ProjectIndex): { aliases: string[]; skipped: { alias: string; via: string; why: 'same database' | 'mirror'; by?: string }[] } {
  const twins = twinsOf(index);
  const aliases: string[] = [];
  const skipped: { alias: string; via: string; why: 'same database' | 'mirror'; by?: string }[] = [];
  for (const alias of aliasesOf(index)) {
    const primary = primaryAlias(twins, alias);
    if (primary !== alias) {
      const t = twins.get(alias);
      skipped.push(t?.sameAs ? { alias, via: primary, why: 'same database' } : { alias, via: primary, why: 'mirror', by: t?.mirrorBy ?? 'TEST["MIRROR"]' });
      continue;
    }
    if (pendingCount(index, alias) !== 0) aliases.push(alias);
  }
  return { aliases, skipped };
}
