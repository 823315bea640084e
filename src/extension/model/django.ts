// Pure (no `vscode`): what the views say about Django mode — which answer is shown and why, where the static
// evaluation disagreed with Django, which operations Django skips on an alias, and when a saved file is worth
// asking Django again. Host code (project.ts, tree.ts, hovers.ts, pendingPanel.ts) renders these strings.
import * as path from 'path';
import type { Disagreement, DjangoOperationRow, DjangoPlannedMigration } from '../../core/django';
import type { ProjectIndex } from '../../core/scan';
import type { AppliedState, RouterDecision } from '../../core/types';
import type { PlanOperation } from '../../shared/messages';
import { decisionKey, locLabel, shortRouter } from './routing';

export type DjangoMode = 'static' | 'django' | 'auto';

/**
 * Why Django's answer is missing. The helper's own reasons (core `DjangoFailureReason`) plus the fallbacks of
 * `withDjango` that have no prefix.
 */
export type FailureKind =
  | 'missing-interpreter' | 'helper-missing' | 'timeout' | 'output-too-large' | 'django' | 'settings' | 'import' | 'setup'
  | 'router' | 'usage' | 'command' | 'internal' | 'crashed' | 'bad-output' | 'no-settings' | 'untrusted' | 'other';

const HELPER_KINDS: readonly FailureKind[] = [
  'missing-interpreter', 'helper-missing', 'timeout', 'output-too-large', 'django', 'settings', 'import', 'setup', 'router',
  'usage', 'command', 'internal', 'crashed', 'bad-output',
];

/**
 * `ProjectIndex.mode.reason` → its kind. withDjango writes "<DjangoFailureReason>: <message>" for helper failures
 * and a bare sentence for its own fallbacks (no interpreter, no settings module, Python not allowed).
 */
/** The core's structured `ProjectIndex.mode.failure` → FailureKind (its own fallbacks have other names). */
const CORE_FALLBACKS: Record<string, FailureKind> = { 'not-allowed': 'untrusted', 'no-settings': 'no-settings', 'no-interpreter': 'missing-interpreter' };

/** Why Django was not used: the core's structured failure when it gave one, else read from the reason text. */
export function failureOfMode(mode: { reason: string | null; failure?: string | null } | undefined): FailureKind | null {
  const f = mode?.failure;
  if (f) return CORE_FALLBACKS[f] ?? ((HELPER_KINDS as readonly string[]).includes(f) ? (f as FailureKind) : 'other');
  return failureKindOf(mode?.reason);
}

export function failureKindOf(reason: string | null | undefined): FailureKind | null {
  if (!reason) return null;
  const m = /^([a-z-]+): /.exec(reason);
  if (m && (HELPER_KINDS as readonly string[]).includes(m[1]!)) return m[1] as FailureKind;
  if (/no Python interpreter/i.test(reason)) return 'missing-interpreter';
  if (/no settings module/i.test(reason)) return 'no-settings';
  if (/not allowed/i.test(reason)) return 'untrusted';
  return 'other';
}

/** The reason without its "<kind>: " prefix. */
export function failureDetail(reason: string | null | undefined): string {
  if (!reason) return '';
  const m = /^([a-z-]+): ([\s\S]*)$/.exec(reason);
  return m && (HELPER_KINDS as readonly string[]).includes(m[1]!) ? m[2]! : reason;
}

/**
 * In `auto`, a project without Django (or without an interpreter/settings) is an ordinary static-only project:
 * say so in the view, don't pop a warning. Everything else (timeouts, broken settings, crashing imports) means the
 * project has Django but asking it failed: that is worth a warning in both modes.
 */
export function warnsInMode(kind: FailureKind, mode: DjangoMode): boolean {
  if (mode === 'static' || kind === 'untrusted') return false;
  if (mode === 'django') return true;
  return !(kind === 'django' || kind === 'missing-interpreter' || kind === 'no-settings');
}

/** Kinds after which re-asking on every save is pointless until the environment changes (reload, Refresh). */
export function isPersistentFailure(kind: FailureKind): boolean {
  return kind === 'django' || kind === 'missing-interpreter' || kind === 'no-settings' || kind === 'helper-missing' || kind === 'untrusted';
}

/** One sentence (no trailing period) on why Django did not answer. */
export function failureSentence(kind: FailureKind, reason: string | null | undefined, timeoutSeconds?: number): string {
  const detail = failureDetail(reason);
  switch (kind) {
    case 'timeout':
      return `Django did not answer within ${timeoutSeconds ?? '?'} s (djangoMultiDb.djangoTimeoutSeconds)`;
    // the helper's own messages already say what failed ("settings module x cannot be loaded: …",
    // "django.setup() failed: …", "DATABASE_ROUTERS cannot be loaded: …", "Django cannot be imported by …")
    case 'settings':
      return detail || 'the settings module could not be loaded';
    case 'import':
      return detail || 'an app or router module failed to import';
    case 'setup':
    case 'router':
    case 'django':
      return detail || 'Django could not be set up';
    case 'missing-interpreter':
      return `the project's Python interpreter was not found (${detail})`;
    case 'no-settings':
      return 'no settings module is known (set djangoMultiDb.settingsModule)';
    case 'crashed':
      return `the Django helper crashed: ${detail}`;
    case 'untrusted':
      return 'Restricted Mode: the project\'s Python is never run in an untrusted workspace';
    default:
      return detail || 'the Django helper failed';
  }
}

/** What the project shows and why (kept on DjangoProject, rendered by the views and returned by getState). */
export interface DjangoStatus {
  /** djangoMultiDb.mode as set */
  requested: DjangoMode;
  /** what applies: `static` in Restricted Mode whatever the setting says */
  effective: DjangoMode;
  /** whose answer the views show now */
  used: 'static' | 'django';
  /** why Django's answer is not shown, when it was asked for; null otherwise */
  reason: string | null;
  failure: FailureKind | null;
  /** a Django run is scheduled or in progress */
  running: boolean;
  /** Django's answer shown is older than the last edit or database read (a new run is coming) */
  stale: boolean;
  /** Django's version and the interpreter, from the last answer */
  django: string | null;
  python: string | null;
  durationMs: number | null;
}

export function initialStatus(requested: DjangoMode, trusted: boolean): DjangoStatus {
  return {
    requested,
    effective: trusted ? requested : 'static',
    used: 'static',
    reason: trusted ? null : 'Restricted Mode: the project\'s Python is never run in an untrusted workspace',
    failure: trusted ? null : 'untrusted',
    running: false,
    stale: false,
    django: null,
    python: null,
    durationMs: null,
  };
}

/** Short indicator for the view's description: "Django 5.2", "static", "static · asking Django…". */
export function modeLabel(s: DjangoStatus): string {
  if (s.used === 'django') return `Django ${s.django ?? ''}`.trim() + (s.running ? ' · refreshing…' : '');
  if (s.running) return 'static · asking Django…';
  return 'static';
}

/** Longer explanation for tooltips and the view message; null when there is nothing to explain. */
export function modeExplanation(s: DjangoStatus, timeoutSeconds?: number): string | null {
  if (s.used === 'django') {
    return `Routing, plans and skipped operations come from the project's own Django ${s.django ?? ''}${s.python ? ` (${s.python})` : ''}.`;
  }
  if (s.effective === 'static') {
    return s.failure === 'untrusted'
      ? 'Static analysis only: Restricted Mode never runs the project\'s Python. Trust the workspace to ask Django itself.'
      : 'Static analysis only (djangoMultiDb.mode is "static").';
  }
  if (s.running && !s.reason) return 'Static analysis shown while Django is asked for the exact answer…';
  if (s.failure) return `Static analysis: Django's answer is not available — ${failureSentence(s.failure, s.reason, timeoutSeconds)}.`;
  return null;
}

// -------------------------------------------------------------------------------------------------
// Routing disagreements

const disCache = new WeakMap<ProjectIndex, Map<string, Disagreement>>();

/** Routing disagreements of a merged index by (alias, model). Empty for a static index. */
export function routingDisagreements(index: ProjectIndex): Map<string, Disagreement> {
  let m = disCache.get(index);
  if (!m) {
    m = new Map();
    for (const d of index.django?.disagreements ?? []) {
      if (d.kind === 'routing' && d.alias && d.model) m.set(decisionKey(d.alias, d.model), d);
    }
    disCache.set(index, m);
  }
  return m;
}

export function disagreementOf(index: ProjectIndex, alias: string, model: string): Disagreement | undefined {
  return routingDisagreements(index).get(decisionKey(alias, model));
}

/** Disagreements of one model on any alias. */
export function modelDisagreements(index: ProjectIndex, model: string): Disagreement[] {
  return [...routingDisagreements(index).values()].filter(d => d.model === model);
}

interface Side {
  migrate: boolean | null;
  decidedBy: string | null;
  reason: string | null;
}

function side(v: unknown): Side | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as { migrate?: unknown; decidedBy?: unknown; reason?: unknown };
  return {
    migrate: typeof o.migrate === 'boolean' ? o.migrate : null,
    decidedBy: typeof o.decidedBy === 'string' ? o.decidedBy : null,
    reason: typeof o.reason === 'string' ? o.reason : null,
  };
}

export type DisagreementTag = 'static-unknown' | 'static-missing' | 'static-said-skip' | 'static-said-migrate' | 'django-error' | 'other-router';

export function disagreementTag(d: Disagreement): DisagreementTag {
  const s = side(d.static);
  const j = side(d.django);
  if (!s) return 'static-missing';
  if (j && j.migrate === null) return 'django-error';
  if (s.migrate === null) return 'static-unknown';
  if (j && s.migrate !== j.migrate) return s.migrate ? 'static-said-migrate' : 'static-said-skip';
  return 'other-router';
}

/** Suffix for a tree item's description, e.g. "(static: unknown)". */
export function disagreementLabel(d: Disagreement): string {
  switch (disagreementTag(d)) {
    case 'static-missing': return '(static: no decision)';
    case 'static-unknown': return '(static: unknown)';
    case 'static-said-skip': return '(static said skip)';
    case 'static-said-migrate': return '(static said migrate)';
    case 'django-error': return '(Django: router raised)';
    case 'other-router': return '(static: other router)';
  }
}

function sideText(s: Side | null, who: 'static' | 'django'): string {
  if (!s) return who === 'static' ? 'no decision' : 'no answer';
  const router = s.decidedBy ? `\`${shortRouter(s.decidedBy)}.allow_migrate\`` : null;
  if (s.migrate === null) return router ? `could not decide in ${router}` : 'could not decide';
  const verdict = s.migrate ? 'migrates' : 'skipped';
  if (s.reason === 'router' && router) return `${verdict} (${router} returned ${s.migrate ? 'True' : 'False'})`;
  if (s.reason === 'default') return `${verdict} (every router returned None: allowed by default)`;
  if (s.reason && s.reason !== 'router') return `${verdict} (${s.reason})`;
  return verdict;
}

/**
 * Sentences (markdown) for a tooltip or hover: what the static evaluation said, where it stopped, what Django
 * answered. `staticDecision` (from the static index kept by the project) adds its explanation and exact location.
 */
export function disagreementMarkdown(d: Disagreement, root: string, staticDecision?: RouterDecision, modelLoc?: { path: string; line: number }): string {
  const s = side(d.static);
  const loc = staticDecision?.loc ?? (d.path && d.line ? { path: d.path, line: d.line } : undefined);
  // the core falls back to the model's class line when the static decision has no location
  const atModel = !staticDecision?.loc && loc && modelLoc && path.resolve(loc.path) === path.resolve(modelLoc.path) && loc.line === modelLoc.line;
  const where = loc && !atModel ? ` — stopped at ${locLabel(loc, root)}` : '';
  const why = staticDecision?.explanation ? ` (${staticDecision.explanation})` : '';
  return [
    `**Static evaluation was ${disagreementTag(d) === 'static-unknown' || disagreementTag(d) === 'static-missing' ? 'unknown' : 'different'}:** ${sideText(s, 'static')}${why}${where}.`,
    `**Django:** ${sideText(side(d.django), 'django')}.`,
    d.note ? `_${d.note}_` : '',
  ].filter(Boolean).join('\n\n');
}

/** "Django" / "static analysis" for a decision. */
export function decisionSource(d: RouterDecision | undefined): 'Django' | 'static analysis' {
  return d?.source === 'django' ? 'Django' : 'static analysis';
}

// -------------------------------------------------------------------------------------------------
// Skipped operations of pending migrations (planDetails)

/** Django's per-operation answer for the pending migrations of `alias`, by "app.name"; null without Django. */
export function planDetailsOf(index: ProjectIndex, alias: string): Map<string, DjangoOperationRow[]> | null {
  const list: DjangoPlannedMigration[] | null | undefined = index.django?.planDetails[alias];
  if (!list) return null;
  return new Map(list.map(p => [p.key, p.operations]));
}

/** Why an operation is (not) skipped, as a short phrase. Mirrors the helper's reasons. */
export function operationWhy(op: DjangoOperationRow): string {
  const by = op.decidedBy ? `${shortRouter(op.decidedBy)}.allow_migrate returned ${op.skipped ? 'False' : 'True'}` : null;
  switch (op.reason) {
    case 'router': return by ?? (op.skipped ? 'a router said no' : 'a router said yes');
    case 'default': return op.skipped ? 'skipped' : 'every router returned None: runs';
    case 'unmanaged': return 'unmanaged model (Meta.managed = False)';
    case 'proxy': return 'proxy model: no table';
    case 'swapped': return 'swapped model';
    case 'vendor': return 'required_db_vendor / required_db_features exclude this database';
    case 'noop': return 'nothing to run on the database';
    case 'no-check': return 'runs: the operation does not ask the routers';
    case 'separate': return op.skipped === true ? 'every database operation is skipped' : op.skipped === false ? 'database operations run' : 'some database operations undecided';
    case 'custom': return 'custom operation: Django cannot tell without running it';
    case 'error': return `a router raised${op.error ? `: ${op.error}` : ''}`;
    case 'unknown':
    default: return 'unknown';
  }
}

export function toPlanOperation(op: DjangoOperationRow): PlanOperation {
  const out: PlanOperation = { kind: op.kind, describe: op.describe || op.kind, skipped: op.skipped, why: operationWhy(op) };
  if (op.model) out.model = op.model;
  if (op.operations?.length) out.children = op.operations.map(toPlanOperation);
  return out;
}

// -------------------------------------------------------------------------------------------------
// When to ask Django again

const RELEVANT_NAMES = /^(models\.py|routers?\.py|settings(_\w+)?\.py|local_settings\.py|apps\.py|manage\.py|\.env|db_routers?\.py|dbrouters?\.py)$/;
const RELEVANT_DIRS = new Set(['migrations', 'models', 'settings', 'routers']);

/**
 * Whether a saved file may change Django's answer: settings, routers, models, migrations, apps, manage.py, the
 * env file, and any file the static index points at for them (router and model sources, migration files). Other
 * Python files (views, tests) only trigger the cheap static re-index.
 */
export function isDjangoRelevant(file: string, index: ProjectIndex | undefined, envFile?: string | null): boolean {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  if (RELEVANT_NAMES.test(base)) return true;
  if (envFile && path.resolve(envFile) === abs) return true;
  const parts = abs.split(/[\\/]/);
  if (parts.slice(0, -1).some(p => RELEVANT_DIRS.has(p))) return true;
  if (!index) return false;
  if (index.settings?.path && path.resolve(index.settings.path) === abs) return true;
  for (const r of Object.values(index.routerLocs)) {
    if ((r.cls && path.resolve(r.cls.path) === abs) || (r.allowMigrate && path.resolve(r.allowMigrate.path) === abs)) return true;
  }
  if (index.models.some(m => m.loc.path && path.resolve(m.loc.path) === abs)) return true;
  return index.migrations.some(m => m.path && path.resolve(m.path) === abs);
}

/**
 * Which aliases Django should read. An alias whose connection comes from secret storage cannot be read by the
 * helper (it sees only settings.py), so its static state and plan stay; `readDatabases: false` when none is left.
 */
export function djangoDatabases(aliases: readonly string[], overridden: ReadonlySet<string>): { readDatabases: boolean; databases: string[] | null } {
  if (!overridden.size) return { readDatabases: true, databases: null };
  const rest = aliases.filter(a => !overridden.has(a));
  return rest.length ? { readDatabases: true, databases: rest } : { readDatabases: false, databases: null };
}

/** Whether "Show SQL" can run, and if not, the sentence the panel shows instead. */
export function sqlAvailability(trusted: boolean, mode: DjangoMode): { available: boolean; reason: string | null } {
  if (!trusted) return { available: false, reason: 'Showing the SQL runs `sqlmigrate` with the project\'s Python: it needs a trusted workspace.' };
  if (mode === 'static') return { available: false, reason: 'Showing the SQL runs `sqlmigrate` with the project\'s Python, which djangoMultiDb.mode "static" forbids.' };
  return { available: true, reason: null };
}

// -------------------------------------------------------------------------------------------------
// Nothing shown older than the last database read

function sameState(a: AppliedState, b: AppliedState): boolean {
  if (a.reachable !== b.reachable || a.appliedKeys.size !== b.appliedKeys.size) return false;
  for (const k of a.appliedKeys) if (!b.appliedKeys.has(k)) return false;
  return true;
}

/**
 * Django's last answer merged into a newer static index keeps Django's plan only for the aliases whose
 * django_migrations rows are what they were when Django answered. An alias read again since with other rows
 * (a migrate ran) shows the fresh read and the static plan computed from it, until Django answers again.
 */
export function keepFreshState(merged: ProjectIndex, fresh: ProjectIndex, base: ProjectIndex): ProjectIndex {
  const applied = { ...merged.applied };
  const plans = { ...merged.plans };
  const django = merged.django ? { ...merged.django, planSource: { ...merged.django.planSource }, planDetails: { ...merged.django.planDetails } } : undefined;
  let changed = false;
  for (const [alias, now] of Object.entries(fresh.applied)) {
    const then = base.applied[alias];
    if (then && sameState(now, then)) continue;
    changed = true;
    applied[alias] = now;
    plans[alias] = fresh.plans[alias] ?? null;
    if (django) {
      django.planSource[alias] = 'static';
      delete django.planDetails[alias];
    }
  }
  return changed ? { ...merged, applied, plans, ...(django ? { django } : {}) } : merged;
}