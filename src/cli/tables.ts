// Human-readable rendering of a report: databases, the routing matrix (models × aliases), pending migrations
// per alias, findings. Plain text that reads well in a terminal and in CI logs.
import * as path from 'path';
import { DUMMY_ENGINE, type ScanReport } from '../core/types';
import { formatFinding } from '../core/findings';
import { primaryAlias } from '../core/db/identity';

interface Opts { color: boolean }

const SYMBOL: Record<string, string> = { router: '✓', default: '+', unmanaged: 'U', proxy: 'P', swapped: 'S', unknown: '?' };

export function table(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const r of all) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, [...c].length); });
  const line = (r: string[]) => r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length)).join('  ').trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map(w => '-'.repeat(w)).join('  '));
  return out.join('\n') + '\n';
}

function cell(migrate: boolean | null, reason: string): string {
  if (migrate === null) return '?';
  if (!migrate) return reason === 'router' || reason === 'default' ? '·' : SYMBOL[reason] ?? '·';
  return SYMBOL[reason] ?? '✓';
}

type Db = ScanReport['databases'][number];

function twinOf(d: Db): string {
  return [d.sameAs ? `same database as ${d.sameAs}` : '', d.mirrorOf ? `mirror of ${d.mirrorOf} (${d.mirrorBy ?? 'TEST["MIRROR"]'})` : ''].filter(Boolean).join(', ');
}

/** "2 disagreements with the static analysis, 225 answers it could not decide" (a cell it left unknown is no disagreement) */
function differences(ds: NonNullable<ScanReport['disagreements']>): string {
  const undecided = ds.filter(d => /^static analysis could not (decide|read)/.test(d.note)).length;
  const differ = ds.length - undecided;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return [differ ? `${plural(differ, 'disagreement', 'disagreements')} with the static analysis` : '', undecided ? `${plural(undecided, 'answer', 'answers')} the static analysis could not decide` : ''].filter(Boolean).join(', ');
}

export function renderTables(r: ScanReport, opts: Opts): string {
  const bold = (s: string) => (opts.color ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string) => (opts.color ? `\x1b[2m${s}\x1b[0m` : s);
  let out = '';
  const missing = r.project.settingsFound === false;
  out += `${bold('Project')}  ${r.project.root}\n  settings: ${r.project.settingsModule ? `${r.project.settingsModule}${missing ? ' (not found: see Findings)' : ''}` : '(not found)'}   manage.py: ${r.project.managePy ?? '(not found)'}\n`;
  const unreadable = new Set(r.settings?.unreadable ?? []);
  const routersPartial = r.settings?.partial?.some(p => p.name === 'DATABASE_ROUTERS');
  // (no router with this environment: DATABASE_ROUTERS reads variables not set here, or is set under a condition on them)
  const routersFromEnv = r.diagnostics.some(d => d.code === 'settings-env-dependent' && /\bDATABASE_ROUTERS\b/.test(d.message));
  out += `  routers: ${missing ? 'not known (the settings module was not found)' : unreadable.has('DATABASE_ROUTERS') ? 'not known statically (DATABASE_ROUTERS could not be read; see Findings)' : r.routers.length ? `${r.routers.map((x, i) => (r.routers.indexOf(x) !== r.routers.lastIndexOf(x) ? `${x} (DATABASE_ROUTERS[${i}])` : x)).join(', ')}${routersPartial ? ' (there may be others: see Findings)' : ''}` : routersPartial ? '(none read; others may be set where the project runs: see Findings)' : routersFromEnv ? '(none with this environment: see Findings)' : '(none: every model migrates everywhere)'}\n`;
  if (r.source) {
    const why = r.source.mode === 'django' ? "answers from Django itself (the project's Python)" : `static analysis${r.source.reason ? ` (Django not used: ${r.source.reason})` : ''}`;
    out += `  source: ${why}${r.disagreements?.length ? `; ${differences(r.disagreements)}` : ''}\n`;
  }
  out += '\n';

  out += bold('Databases') + '\n';
  const twins = r.databases.some(d => d.sameAs || d.mirrorOf);
  if (unreadable.has('DATABASES') && !r.databases.length) out += '  DATABASES could not be read statically (see Findings): the databases, their state and what migrates where are not known\n\n';
  else {
    out += table(r.databases.map(d => {
    const st = r.status[d.alias];
    const plan = r.plan[d.alias];
    const state = d.engine === DUMMY_ENGINE ? 'not configured (Django\'s dummy backend)' : !st ? 'not read' : !st.reachable ? `unreachable: ${st.error}` : `${st.applied} applied, ${plan ? plan.length : '?'} pending`;
    const name = d.name && path.isAbsolute(d.name) && !path.relative(r.project.root, d.name).startsWith('..') ? path.relative(r.project.root, d.name) : d.name;
    return [d.alias, d.engine ?? '?', name ?? '?', ...(twins ? [twinOf(d)] : []), state];
  }), ['alias', 'engine', 'name', ...(twins ? ['shares'] : []), 'state']) + '\n';
  }

  for (const p of r.settings?.partial ?? []) {
    if (p.name === 'DATABASES') out += dim(`  DATABASES may hold other entries where the project runs: ${p.reason}`) + '\n\n';
  }
  // settings without DATABASES (Django's dummy `default` alone): the settings module is likely not the one the project runs with
  if (r.databases.length === 1 && r.databases[0]!.engine === DUMMY_ENGINE) {
    out += dim('  These settings configure no database: `django-multidb settings` lists the settings modules the project could run with and the databases each gives (then --settings MODULE)') + '\n\n';
  }

  const aliases = r.databases.map(d => d.alias);
  const byModel = new Map<string, Map<string, { migrate: boolean | null; reason: string }>>();
  for (const row of r.routing) {
    const m = byModel.get(row.model) ?? new Map();
    m.set(row.alias, { migrate: row.migrate, reason: row.reason });
    byModel.set(row.model, m);
  }
  // no alias known (DATABASES not read, no settings module): said once, no empty table and no empty heading
  const noAliases = !aliases.length ? `  not known: ${missing ? 'the settings module was not found' : 'no database is known'} (see Findings)\n` : null;
  out += bold('Routing') + (noAliases ? `\n${noAliases}\n` : '  (✓ a router allows, + no router objects (default), · a router denies, U unmanaged, P proxy, S swapped, ? unknown)\n');
  if (!noAliases) {
    out += table(r.models.map(m => {
      const key = `${m.app}.${m.name}`;
      const cells = aliases.map(a => { const d = byModel.get(key)?.get(a); return d ? cell(d.migrate, d.reason) : ' '; });
      return [key, ...cells];
    }), ['model', ...aliases]) + '\n';
  }

  out += bold('Pending migrations') + '\n';
  if (noAliases) out += noAliases;
  const byAlias = new Map(r.databases.map(d => [d.alias, d]));
  const links = new Map(r.databases.map(d => [d.alias, { sameAs: d.sameAs ?? null, mirrorOf: d.mirrorOf ?? null, mirrorBy: d.mirrorBy ?? null }]));
  let total = 0;
  let known = 0;
  for (const a of aliases) {
    const plan = r.plan[a];
    const st = r.status[a];
    if (!st) { out += `  ${a}: not read\n`; continue; }
    if (plan === null || plan === undefined) { out += `  ${a}: unknown (${st.error ?? 'not read'})\n`; continue; }
    known++;
    // the same physical database (or a mirror) as an alias read too: its list is that alias's, shown once
    const via = primaryAlias(links, a);
    if (via !== a && Array.isArray(r.plan[via])) {
      out += `  ${a}: counted on ${via} (${twinOf(byAlias.get(a)!)})\n`;
      continue;
    }
    total += plan.length;
    // a migration whose every database operation is skipped here is only recorded (report `operations`)
    const recorded = new Set(plan.filter(k => onlyRecorded(r, k, a)));
    out += `  ${a}: ${plan.length ? `${plan.length} pending${recorded.size ? ` (${recorded.size} only recorded: their operations do not run here)` : ''}` : 'up to date'}\n`;
    for (const k of plan.slice(0, 50)) out += `    ${k}${recorded.has(k) ? dim('  only recorded') : ''}\n`;
    if (plan.length > 50) out += `    … ${plan.length - 50} more\n`;
  }
  if (known > 1) out += `  total: ${total} pending${twins ? ' (each physical database once)' : ''}\n`;
  if (r.disagreements?.length) {
    // Django's answers are the ones shown; where the static reading differed, and why (scan --json has them all)
    out += '\n' + bold('Where the static analysis differed from Django or could not decide') + '\n';
    for (const d of r.disagreements.slice(0, 10)) {
      const what = d.model ?? d.migration ?? d.app ?? d.alias ?? d.kind;
      out += `  ${d.kind}${what && what !== d.kind ? ` ${what}` : ''}${d.alias && what !== d.alias ? ` on '${d.alias}'` : ''}: ${d.note}\n`;
    }
    if (r.disagreements.length > 10) out += `  … ${r.disagreements.length - 10} more (scan --json lists them all)\n`;
  }
  out += '\n' + bold('Findings') + '\n';
  // errors first, then warnings, then infos (each in the report's order): what stops a deployment is read first,
  // not after a dozen infos (Plane's one routing warning came after 12 infos)
  const rank = { error: 0, warning: 1, info: 2 } as Record<string, number>;
  const shown = r.diagnostics.filter(d => d.code !== 'pending-migrations').map((d, i) => ({ d, i }))
    .sort((a, b) => (rank[a.d.severity] ?? 3) - (rank[b.d.severity] ?? 3) || a.i - b.i).map(x => x.d);
  // infos of one kind beyond a few are counted, not listed (Nautobot: 321 runpython-alias infos with one database);
  // errors and warnings are always listed; `scan --json` lists everything
  const infos = new Map<string, number>();
  for (const f of shown) if (f.severity === 'info') infos.set(f.code, (infos.get(f.code) ?? 0) + 1);
  const seen = new Map<string, number>();
  const lines: string[] = [];
  for (const f of shown) {
    if (f.severity === 'info' && (infos.get(f.code) ?? 0) > MAX_INFOS_LISTED) {
      const n = (seen.get(f.code) ?? 0) + 1;
      seen.set(f.code, n);
      if (n > MAX_INFOS_SHOWN) continue;
    }
    lines.push('  ' + formatFinding(f));
  }
  for (const [code, n] of infos) if (n > MAX_INFOS_LISTED) lines.push(`  … and ${n - MAX_INFOS_SHOWN} more info [${code}] (scan --json lists them all)`);
  out += lines.length ? lines.join('\n') + '\n' : '  none\n';
  return out;
}

/** more infos of one code than this are not all listed: the first MAX_INFOS_SHOWN are, and a count */
const MAX_INFOS_LISTED = 12;
const MAX_INFOS_SHOWN = 5;

const opsByMigration = new WeakMap<ScanReport, Map<string, NonNullable<ScanReport['operations']>>>();

/**
 * Every database operation of the migration is skipped on the alias (state-only ones count as nothing to run); a
 * migration without any operation (`noOperations`) is recorded and runs nothing wherever it is applied.
 */
function onlyRecorded(r: ScanReport, key: string, alias: string): boolean {
  let by = opsByMigration.get(r);
  if (!by) {
    by = new Map(r.migrations.filter(m => m.noOperations).map(m => [`${m.app}.${m.name}`, []]));
    for (const o of r.operations ?? []) by.set(o.migration, [...(by.get(o.migration) ?? []), o]);
    opsByMigration.set(r, by);
  }
  const ops = by.get(key);
  if (!ops) return false;
  return ops.every(o => o.routes.find(x => x.alias === alias)?.runs === false);
}
