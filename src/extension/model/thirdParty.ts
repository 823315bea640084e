// Pure (no `vscode`): the "Third-party migrations" node of the Databases view. The migration lints of the apps in
// the project's environment (`environment: true` findings, CLI `check --include-environment`), grouped by app,
// each with where its migration runs: a user learns there that `migrate --database=X` runs a package's RunPython
// code whose queries go to `default`. They are the package's to fix, so they never reach the Problems panel.
import type { ProjectIndex } from '../../core/scan';
import type { Finding } from '../../core/types';
import { FINDING_RULES } from '../../core/finding-codes';
import { operationRouterOf } from '../../core/migrations/operations';
import { migrationLens } from './lenses';
import { aliasesOf } from './routing';

export interface ThirdPartyFinding {
  code: Finding['code'];
  /** "app.0002_data" */
  migration: string;
  path: string;
  line: number | null;
  /** the rule's title: "RunPython query on the wrong database" */
  title: string;
  /** the finding's sentence without the "app.0002 (third-party app pkg): " it starts with */
  message: string;
  /** "runs on default, analytics · recorded only on legacy" (the migration's CodeLens text) */
  runs: string;
  /**
   * the aliases other than `default` whose `migrate --database=…` runs this migration's code, for a
   * runpython-alias finding: the databases whose data goes elsewhere
   */
  misdirected: string[];
}

export interface ThirdPartyApp {
  label: string;
  module: string;
  findings: ThirdPartyFinding[];
}

export interface ThirdPartyMigrations {
  /** apps outside the project that have migrations (those the lints read) */
  checked: number;
  apps: ThirdPartyApp[];
  findings: number;
}

const cache = new WeakMap<ProjectIndex, ThirdPartyMigrations | null>();

/** The node's data, or null when the environment has no app with migrations (nothing to say). Once per index. */
export function thirdPartyMigrations(index: ProjectIndex): ThirdPartyMigrations | null {
  if (!cache.has(index)) cache.set(index, build(index));
  return cache.get(index)!;
}

function build(index: ProjectIndex): ThirdPartyMigrations | null {
  const external = index.apps.filter(a => a.external);
  const withMigrations = new Set(index.migrations.map(m => m.app));
  const checked = external.filter(a => withMigrations.has(a.label)).length;
  if (!checked) return null;
  const byKey = new Map(index.migrations.map(m => [m.key, m]));
  const aliases = aliasesOf(index);
  const router = operationRouterOf(index);
  const apps = new Map<string, ThirdPartyApp>();
  for (const f of index.findings) {
    if (!f.environment || !f.path) continue;
    const key = f.migrations?.[0];
    const m = key ? byKey.get(key) : undefined;
    const app = external.find(a => a.label === (f.app ?? m?.app));
    if (!app || !m) continue;
    let entry = apps.get(app.label);
    if (!entry) apps.set(app.label, (entry = { label: app.label, module: app.module, findings: [] }));
    const prefix = `${m.key} (third-party app ${app.module}): `;
    // where the migration's RunPython operations run (Django asks allow_migrate about each, with its hints)
    const code = f.code !== 'runpython-alias' ? [] : router.route(m, aliases).filter(o => o.kind === 'RunPython');
    const misdirected = aliases.filter(alias => alias !== 'default' && code.some(o => o.routes.some(r => r.alias === alias && r.runs === true)));
    entry.findings.push({
      code: f.code, migration: m.key, path: f.path, line: f.line, title: FINDING_RULES[f.code].title,
      message: f.message.startsWith(prefix) ? f.message.slice(prefix.length) : f.message,
      runs: migrationLens(index, m).title, misdirected,
    });
  }
  const list = [...apps.values()].sort((a, b) => a.module.localeCompare(b.module));
  for (const a of list) a.findings.sort((x, y) => x.migration.localeCompare(y.migration) || (x.line ?? 0) - (y.line ?? 0));
  return { checked, apps: list, findings: list.reduce((n, a) => n + a.findings.length, 0) };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The group node's description: "3 findings in 2 apps" / "nothing found in 12 apps". */
export function thirdPartySummary(t: ThirdPartyMigrations): string {
  return t.findings ? `${plural(t.findings, 'finding')} in ${plural(t.apps.length, 'app')}` : `nothing found in ${plural(t.checked, 'app')}`;
}

/** What a finding means for the user's databases, in one sentence (the finding node's tooltip starts with it). */
export function thirdPartyConsequence(f: ThirdPartyFinding): string {
  if (f.code === 'runpython-alias') {
    return f.misdirected.length
      ? `\`migrate --database=${f.misdirected[0]}\`${f.misdirected.length > 1 ? ` (and ${f.misdirected.slice(1).map(a => `\`${a}\``).join(', ')})` : ''} runs this code, ` +
        'but its queries go to `default` (or where the routers send them), not to the database being migrated.'
      : 'Its queries are not bound to the database being migrated; today it runs only on `default`, where that does no harm.';
  }
  if (f.code === 'missing-reverse') return 'Migrating this app backwards past this migration stops with IrreversibleError.';
  return f.title;
}
