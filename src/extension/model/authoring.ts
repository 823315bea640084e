// Pure (no `vscode`): what "New Migration…" and "New Data Migration…" run and write. The data migration is
// written for several databases from the start: the alias comes from `schema_editor`, models from
// `apps.get_model`, every query is bound with `.using(db_alias)`, it has a reverse function, and it carries
// `hints` when the project's routers decide the app by model (so `allow_migrate` can route it like the model).
import * as fs from 'fs';
import * as path from 'path';
import type { ProjectIndex } from '../../core/scan';
import type { AppInfo } from '../../core/types';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A migration name Django accepts (`--name`): a Python identifier. Null when fine, else why not. */
export function invalidMigrationName(name: string): string | null {
  if (!name) return null;
  return IDENT.test(name) ? null : 'Use letters, digits and underscores only (a Python identifier), e.g. backfill_totals';
}

/** Apps of the project that have (or may get) migrations: workspace apps with a migrations module. */
export function authorableApps(index: ProjectIndex): AppInfo[] {
  return index.apps.filter(a => !a.external && a.migrationsModule !== null).sort((a, b) => a.label.localeCompare(b.label));
}

/** `manage.py` arguments; app labels after `--` so that none can be read as an option. */
export function makemigrationsArgs(apps: string[], name: string | null, empty = false): string[] {
  for (const a of apps) if (!IDENT.test(a)) throw new Error(`'${a}' is not an app label`);
  const bad = name ? invalidMigrationName(name) : null;
  if (bad) throw new Error(bad);
  return ['makemigrations', ...(empty ? ['--empty'] : []), ...(name ? ['--name', name] : []), '--', ...apps];
}

/** The `.py` files of each app's migrations folder, to tell which ones a makemigrations run created. */
export function migrationFiles(apps: AppInfo[]): Set<string> {
  const out = new Set<string>();
  for (const a of apps) {
    if (!a.migrationsDir) continue;
    let names: string[] = [];
    try {
      names = fs.readdirSync(a.migrationsDir);
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.py') && n !== '__init__.py') out.add(path.join(a.migrationsDir, n));
  }
  return out;
}

/** Whether any router decides a model of `app` (by model_name or the model): then a data migration needs hints. */
export function routedByModel(index: ProjectIndex, app: string): string | null {
  const models = new Map(index.models.filter(m => m.app === app && !m.abstract && m.managed && !m.proxy).map(m => [m.key, m]));
  for (const d of index.routing) if (d.reason === 'router' && models.has(d.model)) return models.get(d.model)!.name;
  return null;
}

function pyString(s: string): string {
  return JSON.stringify(s);
}

/** Escape text for a VS Code snippet (outside placeholders). */
function snippetText(s: string): string {
  return s.replace(/[\\$}]/g, c => `\\${c}`);
}

/**
 * The whole file of a new data migration, as a VS Code snippet the user tabs through: the model to read, the
 * forward change, the reverse, and (when the routers decide this app by model) the model name in `hints`.
 */
export function dataMigrationSnippet(opts: { app: string; dependencies: [string, string][]; model: string | null }): string {
  const model = opts.model ?? 'MyModel';
  const deps = opts.dependencies.map(([a, n]) => `        (${pyString(a)}, ${pyString(n)}),`).join('\n');
  const lines = [
    'from django.db import migrations',
    '',
    '',
    'def forwards(apps, schema_editor):',
    '    # the database this migration runs on: `migrate --database=<alias>` passes it here',
    '    db_alias = schema_editor.connection.alias',
    `    \${1:${snippetText(model)}} = apps.get_model(${snippetText(pyString(opts.app))}, "\${1}")`,
    '    ${2:${1}.objects.using(db_alias).filter().update()}',
    '',
    '',
    'def backwards(apps, schema_editor):',
    '    db_alias = schema_editor.connection.alias',
    `    \${1} = apps.get_model(${snippetText(pyString(opts.app))}, "\${1}")`,
    '    ${3:pass}',
    '',
    '',
    'class Migration(migrations.Migration):',
    ...(deps ? ['    dependencies = [', snippetText(deps), '    ]'] : ['    dependencies = []']),
    '',
    '    operations = [',
    // routers that decide by model_name see this one like the model's own operations
    opts.model
      ? '        migrations.RunPython(forwards, backwards, hints={"model_name": "${4:${1/(.*)/${1:/downcase}/}}"}),'
      : '        migrations.RunPython(forwards, backwards${4}),',
    '    ]',
    '',
  ];
  return lines.join('\n');
}
