// `django-multidb plan`: the ordered `migrate --database=…` commands for every database (core/deploy.ts), as
// shell, JSON or a GitHub Actions step. Fails (exit 1) when a database could not be read (a plan that leaves an
// alias out would look complete) or has an inconsistent history (Django refuses to migrate it).
import * as path from 'path';
import type { ProjectIndex } from '../core/scan';
import { deploymentPlan, planToGithubActions, planToJson, planToShell } from '../core/deploy';
import { toPosix } from '../core/findings';

export const PLAN_FORMATS = ['sh', 'json', 'github-actions'] as const;

export function runPlan(index: ProjectIndex, opts: { format: string; python?: string | null; databases?: string[] | null; envFile?: string | null }): number {
  if (!(PLAN_FORMATS as readonly string[]).includes(opts.format)) {
    process.stderr.write(`django-multidb: --format: unknown plan format "${opts.format}" (${PLAN_FORMATS.join(', ')})\n`);
    return 2;
  }
  const databases = index.settings?.databases ?? [];
  if (!databases.length) {
    process.stderr.write(index.settings?.unreadable?.includes('DATABASES')
      ? 'django-multidb: DATABASES could not be read statically (see `check`): nothing to plan; try --mode django with the project\'s Python\n'
      : 'django-multidb: no DATABASES found in the settings: nothing to plan\n');
    return 2;
  }
  const plan = deploymentPlan({
    databases, plans: index.plans, applied: index.applied, migrations: index.migrations, models: index.models,
    routing: index.routing, hintRouting: index.hintRouting, aliases: opts.databases?.length ? opts.databases : undefined,
    baseDir: index.managePy ? path.dirname(index.managePy) : index.root,
  });
  if (plan.unreachable.length) {
    process.stderr.write(
      `django-multidb: cannot plan the deployment: ${plan.unreachable.length === 1 ? 'database' : 'databases'} ` +
      `${plan.unreachable.map(u => `'${u.alias}'`).join(', ')} could not be read:\n` +
      plan.unreachable.map(u => `  ${u.alias}: ${u.error}\n`).join(''),
    );
    return 1;
  }
  // Django refuses to migrate a database whose history is inconsistent (InconsistentMigrationHistory on the first
  // command): a plan of commands that stop there would look runnable (opal-admin's review)
  const chosen = (alias: string | undefined) => !opts.databases?.length || (!!alias && opts.databases.includes(alias));
  const inconsistent = index.findings.filter(f => f.code === 'inconsistent-history' && chosen(f.alias));
  if (inconsistent.length) {
    process.stderr.write(
      'django-multidb: cannot plan the deployment: Django refuses to migrate a database whose migration history is inconsistent ' +
      '(InconsistentMigrationHistory):\n' + inconsistent.map(f => `  ${f.message}\n`).join(''),
    );
    return 1;
  }
  // commands run from the project root; manage.py may live below it
  // (no manage.py, as in projects run through their own launcher: `python -m django … --settings=…`)
  const managePy = index.managePy ? toPosix(path.relative(index.root, index.managePy)) || 'manage.py' : index.settings?.module ? null : 'manage.py';
  const notes = index.findings.filter(f => f.code === 'unmigrated-models').map(f => f.message);
  // the settings were read with an env file's variables (kpi's second database exists only with KC_DATABASE_URL)
  if (opts.envFile) notes.unshift(`the settings were read with the variables of ${opts.envFile}: set them where these commands run, unless the settings read that file themselves`);
  // (django-configurations: the class read; manage.py migrates with DJANGO_CONFIGURATION's, else its own default)
  const configuration = index.settings?.configuration;
  if (configuration) notes.unshift(`the settings were read as django-configurations' ${configuration}: set DJANGO_CONFIGURATION=${configuration} where these commands run`);
  const cmd = { python: opts.python ?? undefined, managePy, settingsModule: index.settings?.module ?? undefined, root: index.root, notes };
  switch (opts.format) {
    case 'json':
      process.stdout.write(JSON.stringify(planToJson(plan, cmd), null, 2) + '\n');
      break;
    case 'github-actions':
      process.stdout.write(planToGithubActions(plan, cmd));
      break;
    default:
      process.stdout.write(planToShell(plan, cmd));
  }
  return 0;
}
