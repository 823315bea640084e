// The extension's pure model (src/extension/model/*, no `vscode`): what the tree, hovers and the pending panel
// say about routing decisions, pending migrations per alias (including the "router-skipped" rule) and Django
// mode (sources, disagreements with the static evaluation, skipped operations, when to ask Django again).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Disagreement, DjangoExtras, DjangoOperationRow } from '../../src/core/django/index';
import type { ProjectIndex } from '../../src/core/scan';
import type { AppliedState, MigrationFileInfo, ModelInfo, RouterDecision } from '../../src/core/types';
import {
  Decisions, STATE_LABEL, aliasesOf, concreteModels, decisionsOf, explainDecision, locLabel, modelState, pendingCount, routerLocation,
  shortEngine, shortRouter, tableText, totalPending,
} from '../../src/extension/model/routing';
import { buildPendingModel, cellEffect, conflictKeys, planOperations } from '../../src/extension/model/pending';
import { OperationRouter } from '../../src/core/migrations/operations';
import { indexedAlready } from '../../src/core/findings';
import { WINDOW_SCOPED } from '../../src/extension/model/configScopes';
import { loadSnapshot, openSnapshot, saveSnapshot, snapshotOf } from '../../src/extension/model/snapshot';
import {
  disagreementLabel, keepFreshState, disagreementMarkdown, disagreementOf, disagreementTag, djangoDatabases, failureDetail, failureKindOf, failureOfMode,
  failureSentence, initialStatus, isDjangoRelevant, isPersistentFailure, modeExplanation, modeLabel, modelDisagreements, operationWhy,
  planDetailsOf, sqlAvailability, toPlanOperation, warnsInMode,
} from '../../src/extension/model/django';

const ROOT = path.resolve('/proj');
const p = (...s: string[]) => path.join(ROOT, ...s);

function model(app: string, name: string, extra: Partial<ModelInfo> = {}): ModelInfo {
  return {
    app, name, key: `${app}.${name}`, modelName: name.toLowerCase(), managed: true, proxy: false, abstract: false, swapped: false,
    table: `${app}_${name.toLowerCase()}`, loc: { path: p(app, 'models.py'), line: 3 }, bases: [], fields: [], attrs: {}, meta: {},
    ...extra,
  } as ModelInfo;
}

function mig(app: string, name: string, ops: { kind: string; modelName?: string }[], extra: Partial<MigrationFileInfo> = {}): MigrationFileInfo {
  return { app, name, key: `${app}.${name}`, path: p(app, 'migrations', `${name}.py`), dependencies: [], replaces: [], runBefore: [], initial: null, operations: ops, ...extra };
}

function applied(alias: string, keys: string[], reachable = true): AppliedState {
  return { alias, reachable, applied: keys.length, error: reachable ? null : 'connection refused', appliedKeys: new Set(keys), exists: true };
}

function dec(alias: string, model: string, migrate: boolean | null, extra: Partial<RouterDecision> = {}): RouterDecision {
  return { alias, model, migrate, decidedBy: migrate === null ? null : 'site.routers.Router', reason: migrate === null ? 'unknown' : 'router', ...extra };
}

/** Two aliases: `default` (billing migrates) and `archive` (billing router-skipped); audit.Log unknown on archive. */
function fixture(over: Partial<ProjectIndex> = {}): ProjectIndex {
  const models = [model('billing', 'Invoice'), model('audit', 'Log'), model('legacy', 'Old', { managed: false }), model('billing', 'Base', { abstract: true })];
  const migrations = [
    mig('billing', '0001_initial', [{ kind: 'CreateModel', modelName: 'Invoice' }]),
    mig('billing', '0002_invoice_total', [{ kind: 'AddField', modelName: 'invoice' }]),
    mig('billing', '0003_data', [{ kind: 'RunPython' }]),
    mig('billing', '0004_empty', []),
    mig('audit', '0001_initial', [{ kind: 'CreateModel', modelName: 'Log' }]),
    mig('audit', '0001_squashed_0002', [{ kind: 'CreateModel', modelName: 'Log' }], { replaces: [['audit', '0001_initial']] }),
    mig('billing', '0005_gone', [{ kind: 'DeleteModel', modelName: 'Vanished' }]),
  ];
  return {
    root: ROOT,
    managePy: p('manage.py'),
    settings: {
      module: 'site.settings', path: p('site', 'settings.py'),
      databases: [{ alias: 'default', engine: 'django.db.backends.sqlite3', name: 'db.sqlite3' }, { alias: 'archive', engine: 'django.db.backends.postgresql', name: 'arch' }],
      routers: ['site.routers.Router'], installedApps: [], migrationModules: {}, authUserModel: 'auth.User', values: {}, unknowns: [],
    },
    apps: [],
    models,
    routing: [
      dec('default', 'billing.Invoice', true),
      dec('archive', 'billing.Invoice', false, { loc: { path: p('site', 'routers.py'), line: 12 }, explanation: "app_label == 'billing'" }),
      dec('default', 'audit.Log', true, { reason: 'default', decidedBy: null }),
      dec('archive', 'audit.Log', null, { loc: { path: p('site', 'routers.py'), line: 20 } }),
      dec('default', 'legacy.Old', false, { reason: 'unmanaged', decidedBy: null }),
      dec('archive', 'legacy.Old', false, { reason: 'unmanaged', decidedBy: null }),
    ],
    routerLocs: { 'site.routers.Router': { cls: { path: p('site', 'routers.py'), line: 1 }, allowMigrate: { path: p('site', 'routers.py'), line: 8 } } },
    migrations,
    applied: { default: applied('default', ['billing.0001_initial']), archive: applied('archive', ['audit.0001_squashed_0002']) },
    plans: {
      default: ['billing.0002_invoice_total', 'billing.0003_data', 'billing.0004_empty', 'audit.0001_initial'],
      archive: ['billing.0001_initial', 'billing.0002_invoice_total'],
    },
    findings: [],
    timings: {},
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// routing.ts

test('modelState: reason wins over migrate for unmanaged/proxy/swapped; null is unknown', () => {
  assert.equal(modelState(undefined), 'unknown');
  assert.equal(modelState(dec('a', 'x.Y', true)), 'migrates');
  assert.equal(modelState(dec('a', 'x.Y', false)), 'skipped');
  assert.equal(modelState(dec('a', 'x.Y', null)), 'unknown');
  assert.equal(modelState(dec('a', 'x.Y', false, { reason: 'unmanaged' })), 'unmanaged');
  assert.equal(modelState(dec('a', 'x.Y', false, { reason: 'proxy' })), 'proxy');
  assert.equal(modelState(dec('a', 'x.Y', false, { reason: 'swapped' })), 'swapped');
  assert.equal(STATE_LABEL.skipped, 'skipped');
});

test('Decisions / decisionsOf: lookup by (alias, model), cached per index', () => {
  const index = fixture();
  const d = decisionsOf(index);
  assert.equal(d, decisionsOf(index));
  assert.equal(d.get('archive', 'billing.Invoice')?.migrate, false);
  assert.equal(d.get('nope', 'billing.Invoice'), undefined);
  // asked about one model (a hover, a quick fix): its rows picked, the routing not indexed whole
  assert.equal(indexedAlready(index.routing), undefined);
  assert.equal(new Decisions([]).get('default', 'billing.Invoice'), undefined);
});

test('shortRouter, shortEngine, locLabel', () => {
  assert.equal(shortRouter('site.routers.Router'), 'Router');
  assert.equal(shortRouter(null), 'no router');
  assert.equal(shortEngine('django.db.backends.postgresql'), 'postgresql');
  assert.equal(shortEngine('django.db.backends.postgresql_psycopg2'), 'postgresql');
  assert.equal(shortEngine(null), 'unknown engine');
  assert.equal(locLabel({ path: p('site', 'routers.py'), line: 4 }, ROOT), 'site/routers.py:4');
  assert.equal(locLabel(undefined, ROOT), '');
  const outside = path.resolve('/elsewhere/x.py');
  assert.equal(locLabel({ path: outside, line: 1 }, ROOT), `${outside.split(path.sep).join('/')}:1`);
});

test('routerLocation: the deciding return, else allow_migrate of the deciding router, else nothing', () => {
  const index = fixture();
  assert.equal(routerLocation(index, decisionsOf(index).get('archive', 'billing.Invoice'))?.line, 12);
  assert.equal(routerLocation(index, decisionsOf(index).get('default', 'billing.Invoice'))?.line, 8);
  assert.equal(routerLocation(index, decisionsOf(index).get('default', 'audit.Log')), undefined);
  assert.equal(routerLocation(index, undefined), undefined);
});

test('explainDecision: one sentence per reason', () => {
  assert.match(explainDecision(undefined, ROOT), /No routing decision/);
  assert.match(explainDecision(dec('a', 'x.Y', false, { reason: 'unmanaged' }), ROOT), /Unmanaged model/);
  assert.match(explainDecision(dec('a', 'x.Y', true, { reason: 'default', decidedBy: null }), ROOT), /Fell through to allow/);
  const r = explainDecision(dec('a', 'x.Y', false, { loc: { path: p('site', 'routers.py'), line: 12 }, explanation: 'why' }), ROOT);
  assert.match(r, /`Router.allow_migrate` returned False \(site\/routers.py:12\) — why\./);
  assert.match(explainDecision(dec('a', 'x.Y', null, { decidedBy: 'site.routers.Dyn' }), ROOT), /Could not be decided statically in `Dyn`/);
  // the static reading's explanation of a router's answer says what the sentence says: once (readthedocs' tooltip)
  const once = explainDecision(dec('a', 'x.Y', true, { loc: { path: p('site', 'db.py'), line: 32 }, explanation: 'MapAppsRouter.allow_migrate returned True at db.py:32' }), ROOT);
  assert.equal(once, '`Router.allow_migrate` returned True (site/db.py:32).');
});

test('concreteModels, aliasesOf, pendingCount, totalPending', () => {
  const index = fixture();
  assert.deepEqual(concreteModels(index).map(m => m.key), ['audit.Log', 'billing.Invoice', 'legacy.Old']);
  assert.deepEqual(concreteModels(index, false).map(m => m.key), ['audit.Log', 'billing.Invoice']);
  assert.deepEqual(aliasesOf(index), ['default', 'archive']);
  assert.equal(pendingCount(index, 'default'), 4);
  assert.equal(pendingCount(index, 'nope'), null);
  const down = fixture({ applied: { default: applied('default', [], false) }, plans: { default: null, archive: ['billing.0001_initial'] } });
  assert.equal(pendingCount(down, 'default'), null);
  assert.deepEqual(totalPending(down), { total: 1, known: 1, unreachable: 1, notConfigured: 0 });
  assert.deepEqual(totalPending(index), { total: 6, known: 2, unreachable: 0, notConfigured: 0 });
  // settings without DATABASES: Django's dummy `default`, which the read reports unreachable, is not configured (not
  // a database that failed to answer)
  const dummy = fixture({ applied: { default: applied('default', [], false) }, plans: { default: null } });
  dummy.settings!.databases = [{ alias: 'default', engine: 'django.db.backends.dummy', name: null }];
  assert.deepEqual(totalPending(dummy), { total: 0, known: 0, unreachable: 0, notConfigured: 1 });
});

// ---------------------------------------------------------------------------------------------------------------
// pending.ts

test('cellEffect: skipped only when every database operation is skipped; no operations and state-only are "nothing"', () => {
  const index = fixture();
  const router = new OperationRouter({ models: index.models, routing: index.routing, databases: index.settings!.databases, hintRouting: index.hintRouting });
  const m = (name: string) => index.migrations.find(x => x.name === name && x.app === 'billing')!;
  const eff = (mm: MigrationFileInfo, alias: string) => cellEffect(router.route(mm, ['default', 'archive']), alias, mm);
  // CreateModel(Invoice) on archive: the router says False → skipped, tagged router-skipped
  assert.deepEqual([eff(m('0001_initial'), 'archive').effect, eff(m('0001_initial'), 'archive').tag], ['skipped', 'router-skipped']);
  assert.equal(eff(m('0001_initial'), 'default').effect, 'runs');
  // model names are matched case-insensitively (operations carry the lowercase name)
  assert.equal(eff(m('0002_invoice_total'), 'archive').effect, 'skipped');
  // RunPython without the routers' answer for its hints: unknown, never "skipped"
  assert.equal(eff(m('0003_data'), 'archive').effect, 'unknown');
  // no operations: nothing runs, and it says so
  assert.deepEqual([eff(m('0004_empty'), 'archive').effect, eff(m('0004_empty'), 'archive').tag], ['nothing', 'no operations']);
  // a model that no longer exists, its routers' answer not evaluated: unknown
  assert.equal(eff(m('0005_gone'), 'archive').effect, 'unknown');
  // unknown routing (null) is not "skipped"
  const audit = index.migrations.find(x => x.key === 'audit.0001_initial')!;
  assert.equal(eff(audit, 'archive').effect, 'unknown');
  // state only; a swapped model; partly skipped
  const opts = mig('billing', '0006_opts', [{ kind: 'AlterModelOptions', modelName: 'invoice' }]);
  assert.deepEqual([eff(opts, 'default').effect, eff(opts, 'default').tag], ['nothing', 'state only']);
  const swapped = fixture({ routing: [...index.routing.filter(d => d.model !== 'billing.Invoice'), dec('default', 'billing.Invoice', false, { reason: 'swapped', decidedBy: null }), dec('archive', 'billing.Invoice', false, { reason: 'swapped', decidedBy: null })] });
  const r2 = new OperationRouter({ models: swapped.models, routing: swapped.routing, databases: swapped.settings!.databases, hintRouting: undefined });
  const sw = cellEffect(r2.route(m('0001_initial'), ['default']), 'default', m('0001_initial'));
  assert.deepEqual([sw.effect, sw.tag], ['skipped', 'swapped model']);
  const both = mig('billing', '0007_both', [{ kind: 'AddField', modelName: 'invoice' }, { kind: 'AddField', modelName: 'log' }]);
  both.app = 'billing';
  const mixed = fixture({ models: [...index.models, model('billing', 'Log')], routing: [...index.routing, dec('archive', 'billing.Log', true)] });
  const r3 = new OperationRouter({ models: mixed.models, routing: mixed.routing, databases: mixed.settings!.databases, hintRouting: undefined });
  const part = cellEffect(r3.route(both, ['archive']), 'archive', both);
  assert.deepEqual([part.effect, part.tag], ['partly', 'partly skipped']);
  assert.match(part.text!, /1 of 2 operations skipped/);
});

test('buildPendingModel: Django\'s dummy backend says why (no DATABASES set, or an entry without ENGINE)', () => {
  const noEngine = fixture();
  noEngine.settings!.databases = [{ alias: 'default', engine: 'django.db.backends.sqlite3', name: 'db.sqlite3' }, { alias: 'archive', engine: 'django.db.backends.dummy', name: null }];
  const cols = buildPendingModel(noEngine, { project: 'p', trusted: true }).aliases;
  assert.equal(cols.find(a => a.alias === 'default')!.dummy, undefined);
  assert.equal(cols.find(a => a.alias === 'archive')!.dummy, 'no-engine');
  const empty = fixture();
  empty.settings!.databases = [{ alias: 'default', engine: 'django.db.backends.dummy', name: null }];
  empty.settings!.databasesNotConfigured = { kind: 'empty', unsetEnv: [], neverSet: true };
  assert.equal(buildPendingModel(empty, { project: 'p', trusted: true }).aliases.find(a => a.alias === 'default')!.dummy, 'no-databases');
});

test('buildPendingModel: one cell per alias with applied / pending / router-skipped / squash / unknown states', () => {
  const index = fixture();
  const pm = buildPendingModel(index, { project: 'proj', trusted: true });
  const cells = Object.fromEntries(pm.migrations.map(r => [r.key, r.cells]));
  // columns: default, archive
  assert.equal(cells['billing.0001_initial'], 'Ap'); // applied on default; pending and router-skipped on archive
  assert.equal(cells['billing.0002_invoice_total'], 'Pp');
  assert.equal(cells['billing.0003_data'], 'P-');
  assert.equal(cells['audit.0001_initial'], 'PR'); // archive: applied through its squash
  assert.equal(cells['audit.0001_squashed_0002'], '-A');
  assert.deepEqual(pm.aliases.map(a => [a.alias, a.pending, a.reachable, a.planSource]), [['default', 4, true, 'static'], ['archive', 2, true, 'static']]);
  assert.equal(pm.totalPending, 6);
  assert.equal(pm.stateRead, true);
  // plan rows point at the sorted migration list, in Django's order
  const def = pm.aliases[0]!;
  assert.deepEqual(def.plan!.map(i => pm.migrations[i]!.key), index.plans.default);
  assert.deepEqual(pm.migrations.find(r => r.key === 'audit.0001_initial')!.replacedBy, ['audit.0001_squashed_0002']);
  assert.deepEqual(pm.source, { used: 'static', django: null, reason: null });
  assert.deepEqual(pm.sql, { available: true, reason: null });
});

test('buildPendingModel: state not read → ? and ~ (router-skipped when it runs); untrusted → no SQL', () => {
  const index = fixture({ applied: {}, plans: {} });
  const pm = buildPendingModel(index, { project: 'proj', trusted: false, mode: 'static' });
  const cells = Object.fromEntries(pm.migrations.map(r => [r.key, r.cells]));
  assert.equal(cells['billing.0001_initial'], '?~');
  assert.equal(pm.stateRead, false);
  assert.equal(pm.aliases[0]!.plan, null);
  assert.equal(pm.sql.available, false);
  assert.match(pm.sql.reason!, /trusted workspace/);
});

test('conflictKeys reads migration-conflict findings', () => {
  const index = fixture({ findings: [{ code: 'migration-conflict', severity: 'error', path: null, line: null, app: 'billing', migrations: ['billing.0002_invoice_total', '0003_data'], message: '' }] });
  assert.deepEqual([...conflictKeys(index)].sort(), ['billing.0002_invoice_total', 'billing.0003_data']);
  assert.equal(buildPendingModel(index, { project: 'p', trusted: true }).migrations.find(r => r.key === 'billing.0003_data')!.conflict, true);
});

// ---------------------------------------------------------------------------------------------------------------
// Django mode (django.ts, and pending.ts with Django's per-operation answer)

function op(kind: string, skipped: boolean | null, reason: DjangoOperationRow['reason'], extra: Partial<DjangoOperationRow> = {}): DjangoOperationRow {
  return { kind, describe: `${kind} thing`, skipped, reason, decidedBy: reason === 'router' ? 'site.routers.Router' : null, ...extra };
}

function extras(over: Partial<DjangoExtras> = {}): DjangoExtras {
  return {
    django: '5.2.1', python: '3.12.3', executable: '/venv/bin/python', planSource: { default: 'django', archive: 'django' },
    planDetails: {}, lives: [], historyErrors: {}, graphError: null, disagreements: [], timings: {}, ...over,
  };
}

const disUnknown: Disagreement = {
  kind: 'routing', alias: 'archive', model: 'audit.Log', static: { migrate: null, decidedBy: null, reason: 'unknown' },
  django: { migrate: true, decidedBy: 'site.routers.Router', reason: 'router' }, note: 'static analysis could not decide', path: p('site', 'routers.py'), line: 20,
};
const disWrong: Disagreement = {
  kind: 'routing', alias: 'archive', model: 'billing.Invoice', static: { migrate: false, decidedBy: 'site.routers.Router', reason: 'router' },
  django: { migrate: true, decidedBy: 'site.routers.Router', reason: 'router' }, note: 'static analysis was wrong', path: p('site', 'routers.py'), line: 12,
};

test('disagreements: tag and tree label per kind of difference', () => {
  assert.equal(disagreementTag(disUnknown), 'static-unknown');
  assert.equal(disagreementLabel(disUnknown), '(static: unknown)');
  assert.equal(disagreementLabel(disWrong), '(static said skip)');
  assert.equal(disagreementLabel({ ...disWrong, static: { migrate: true, decidedBy: null, reason: 'default' }, django: { migrate: false, decidedBy: 'x.R', reason: 'router' } }), '(static said migrate)');
  assert.equal(disagreementLabel({ ...disWrong, static: null }), '(static: no decision)');
  assert.equal(disagreementLabel({ ...disWrong, django: { migrate: null, decidedBy: null, reason: 'unknown' } }), '(Django: router raised)');
  assert.equal(disagreementLabel({ ...disWrong, static: { migrate: true, decidedBy: 'a.A', reason: 'router' }, django: { migrate: true, decidedBy: 'b.B', reason: 'router' } }), '(static: other router)');
});

test('disagreements: looked up per (alias, model) and per model, routing kind only', () => {
  const other: Disagreement = { kind: 'plan', alias: 'archive', static: [], django: [], note: 'different migrations' };
  const index = fixture({ django: extras({ disagreements: [disUnknown, disWrong, other] }) });
  assert.equal(disagreementOf(index, 'archive', 'audit.Log'), disUnknown);
  assert.equal(disagreementOf(index, 'default', 'audit.Log'), undefined);
  assert.deepEqual(modelDisagreements(index, 'billing.Invoice'), [disWrong]);
  assert.equal(disagreementOf(fixture(), 'archive', 'audit.Log'), undefined);
});

test('disagreementMarkdown: what static said, where it stopped, what Django answered', () => {
  const staticDecision = dec('archive', 'audit.Log', null, { loc: { path: p('site', 'routers.py'), line: 21 }, explanation: 'connections[db].vendor is not known statically' });
  const md = disagreementMarkdown(disUnknown, ROOT, staticDecision);
  assert.match(md, /Static evaluation was unknown/);
  assert.match(md, /stopped at site\/routers.py:21/);
  assert.match(md, /connections\[db\]\.vendor/);
  assert.match(md, /\*\*Django:\*\* migrates \(`Router.allow_migrate` returned True\)/);
  // without the static decision: the disagreement's own location; the model's class line is not a "stop"
  assert.match(disagreementMarkdown(disWrong, ROOT), /was different:\*\* skipped \(`Router.allow_migrate` returned False\) — stopped at site\/routers.py:12/);
  const atModel = { ...disWrong, path: p('billing', 'models.py'), line: 3 };
  assert.doesNotMatch(disagreementMarkdown(atModel, ROOT, undefined, { path: p('billing', 'models.py'), line: 3 }), /stopped at/);
});

test('failure kinds from withDjango reasons, and which ones warn', () => {
  assert.equal(failureKindOf(null), null);
  assert.equal(failureKindOf('timeout: the Django helper did not finish within 60 s and was stopped'), 'timeout');
  assert.equal(failureKindOf('settings: No module named site.settings'), 'settings');
  assert.equal(failureKindOf('import: cannot import name X'), 'import');
  assert.equal(failureKindOf('no Python interpreter found'), 'missing-interpreter');
  assert.equal(failureKindOf('no settings module'), 'no-settings');
  assert.equal(failureKindOf("running the project's Python is not allowed here"), 'untrusted');
  assert.equal(failureKindOf('something odd: happened'), 'other');
  assert.equal(failureDetail('settings: boom: bang'), 'boom: bang');
  assert.equal(failureDetail('no settings module'), 'no settings module');
  // auto: a project without Django is quiet; a broken one warns
  assert.equal(warnsInMode('django', 'auto'), false);
  assert.equal(warnsInMode('missing-interpreter', 'auto'), false);
  assert.equal(warnsInMode('timeout', 'auto'), true);
  assert.equal(warnsInMode('settings', 'auto'), true);
  assert.equal(warnsInMode('django', 'django'), true);
  assert.equal(warnsInMode('timeout', 'static'), false);
  assert.equal(warnsInMode('untrusted', 'django'), false);
  assert.equal(isPersistentFailure('django'), true);
  assert.equal(isPersistentFailure('timeout'), false);
  assert.match(failureSentence('timeout', 'timeout: x', 30), /within 30 s \(djangoMultiDb\.djangoTimeoutSeconds\)/);
  assert.equal(failureSentence('settings', 'settings: settings module x cannot be loaded: No module named foo'), 'settings module x cannot be loaded: No module named foo');
  assert.equal(failureSentence('router', 'router: DATABASE_ROUTERS cannot be loaded: RuntimeError: boom'), 'DATABASE_ROUTERS cannot be loaded: RuntimeError: boom');
});

test('mode label and explanation', () => {
  const untrusted = initialStatus('auto', false);
  assert.equal(untrusted.effective, 'static');
  assert.equal(modeLabel(untrusted), 'static');
  assert.match(modeExplanation(untrusted)!, /Restricted Mode/);
  const s = initialStatus('auto', true);
  assert.equal(modeExplanation(s), null);
  assert.equal(modeLabel({ ...s, running: true }), 'static · asking Django…');
  assert.equal(modeLabel({ ...s, used: 'django', django: '5.2.1' }), 'Django 5.2.1');
  assert.match(modeExplanation({ ...s, failure: 'timeout', reason: 'timeout: x' }, 60)!, /not available — Django did not answer within 60 s/);
  assert.match(modeExplanation(initialStatus('static', true))!, /"static"/);
});

test('skipped operations: reasons, nesting, and the router-skipped rule from Django\'s answer', () => {
  assert.equal(operationWhy(op('CreateModel', true, 'router')), 'Router.allow_migrate returned False');
  assert.match(operationWhy(op('CreateModel', true, 'unmanaged')), /unmanaged/);
  assert.match(operationWhy(op('CreateModel', true, 'proxy')), /proxy/);
  assert.match(operationWhy(op('RunSQL', false, 'no-check')), /does not ask the routers/);
  assert.match(operationWhy(op('X', null, 'error', { error: 'KeyError' })), /raised: KeyError/);
  const sep = toPlanOperation(op('SeparateDatabaseAndState', true, 'separate', { operations: [op('CreateModel', true, 'router', { model: 'invoice' })] }));
  assert.equal(sep.children?.[0]?.model, 'invoice');
  assert.equal(sep.children?.[0]?.skipped, true);
});

test('buildPendingModel with Django details: Django\'s per-operation answer decides p/P, and the panel gets the operations', () => {
  // static says RunPython applies on archive; Django says its router skips it there
  const index = fixture({
    plans: { default: ['billing.0002_invoice_total'], archive: ['billing.0001_initial', 'billing.0003_data'] },
    mode: { requested: 'auto', used: 'django', reason: null },
    django: extras({
      planDetails: {
        default: [{ key: 'billing.0002_invoice_total', operations: [op('AddField', false, 'router')] }],
        archive: [
          { key: 'billing.0001_initial', operations: [op('CreateModel', false, 'default')] },
          { key: 'billing.0003_data', operations: [op('RunPython', true, 'router', { hints: ['target_db'] })] },
        ],
      },
    }),
  });
  const pm = buildPendingModel(index, { project: 'proj', trusted: true, mode: 'auto' });
  const cells = Object.fromEntries(pm.migrations.map(r => [r.key, r.cells]));
  assert.equal(cells['billing.0001_initial'], 'AP'); // static said router-skipped; Django runs it
  assert.equal(cells['billing.0003_data'], '-p'); // static said applicable; Django skips its only operation
  assert.deepEqual(pm.source, { used: 'django', django: '5.2.1', reason: null });
  assert.equal(pm.aliases[1]!.planSource, 'django');
  const ops = planOperations(index, 'archive')!;
  assert.deepEqual(Object.keys(ops), ['billing.0001_initial', 'billing.0003_data']);
  assert.equal(ops['billing.0003_data']![0]!.skipped, true);
  assert.match(ops['billing.0003_data']![0]!.why, /returned False/);
  assert.equal(planOperations(index, 'nope'), null);
  assert.equal(planDetailsOf(fixture(), 'archive'), null);
  // without Django's answer: the static rules, per operation
  const stat = planOperations(fixture(), 'archive')!;
  assert.deepEqual(stat['billing.0001_initial'], [{ kind: 'CreateModel', describe: 'CreateModel billing.Invoice', model: 'invoice', skipped: true, why: 'Router denied' }]);
});

test('isDjangoRelevant: settings, routers, models, migrations and the files the index points at', () => {
  const index = fixture();
  assert.equal(isDjangoRelevant(p('site', 'settings.py'), index), true);
  assert.equal(isDjangoRelevant(p('site', 'settings', 'prod.py'), index), true);
  assert.equal(isDjangoRelevant(p('billing', 'models.py'), undefined), true);
  assert.equal(isDjangoRelevant(p('billing', 'models', 'invoice.py'), undefined), true);
  assert.equal(isDjangoRelevant(p('billing', 'migrations', '0009_x.py'), undefined), true);
  assert.equal(isDjangoRelevant(p('site', 'routers.py'), undefined), true);
  assert.equal(isDjangoRelevant(p('manage.py'), undefined), true);
  assert.equal(isDjangoRelevant(p('.env'), undefined), true);
  assert.equal(isDjangoRelevant(p('billing', 'views.py'), index), false);
  assert.equal(isDjangoRelevant(p('billing', 'tests', 'test_views.py'), index), false);
  // a router class living in an oddly named module: known through routerLocs
  const odd = fixture({ routerLocs: { 'site.dbrouting.R': { cls: { path: p('site', 'dbrouting.py'), line: 1 } } } });
  assert.equal(isDjangoRelevant(p('site', 'dbrouting.py'), odd), true);
  assert.equal(isDjangoRelevant(path.resolve('/etc/app.env'), undefined, path.resolve('/etc/app.env')), true);
});

test('djangoDatabases: aliases with stored credentials stay static', () => {
  assert.deepEqual(djangoDatabases(['default', 'pg'], new Set()), { readDatabases: true, databases: null });
  assert.deepEqual(djangoDatabases(['default', 'pg'], new Set(['pg'])), { readDatabases: true, databases: ['default'] });
  assert.deepEqual(djangoDatabases(['pg'], new Set(['pg'])), { readDatabases: false, databases: null });
});

test('sqlAvailability: trusted workspace and a mode other than static', () => {
  assert.deepEqual(sqlAvailability(true, 'auto'), { available: true, reason: null });
  assert.deepEqual(sqlAvailability(true, 'django'), { available: true, reason: null });
  assert.match(sqlAvailability(false, 'auto').reason!, /trusted workspace/);
  assert.match(sqlAvailability(true, 'static').reason!, /"static"/);
});

test('failureOfMode prefers the core\'s structured failure over the reason text', () => {
  assert.equal(failureOfMode({ reason: 'no Python interpreter found', failure: 'no-interpreter' }), 'missing-interpreter');
  assert.equal(failureOfMode({ reason: 'running the project\'s Python is not allowed here', failure: 'not-allowed' }), 'untrusted');
  assert.equal(failureOfMode({ reason: 'timeout: the Django helper did not finish', failure: 'timeout' }), 'timeout');
  assert.equal(failureOfMode({ reason: 'the Django helper was cancelled', failure: 'cancelled' }), 'other');
  // an index without the structured field (the extension's own fallback) still reads the reason
  assert.equal(failureOfMode({ reason: 'settings: No module named x' }), 'settings');
  assert.equal(failureOfMode(undefined), null);
});

test('keepFreshState: after a migrate, an alias read again shows the fresh rows and static plan, not Django\'s older answer', () => {
  const base = fixture();
  const djangoAnswer = fixture({
    plans: { default: ['billing.0002_invoice_total'], archive: ['billing.0001_initial', 'billing.0002_invoice_total'] },
    django: extras({ planDetails: { default: [], archive: [] } }),
  });
  // migrate ran on default: two more rows there; archive unchanged
  const fresh = fixture({
    applied: { default: applied('default', ['billing.0001_initial', 'billing.0002_invoice_total', 'billing.0003_data']), archive: applied('archive', ['audit.0001_squashed_0002']) },
    plans: { default: ['billing.0004_empty', 'audit.0001_initial'], archive: ['billing.0001_initial', 'billing.0002_invoice_total'] },
  });
  const out = keepFreshState(djangoAnswer, fresh, base);
  assert.equal(out.applied.default!.applied, 3);
  assert.deepEqual(out.plans.default, ['billing.0004_empty', 'audit.0001_initial']);
  assert.equal(out.django!.planSource.default, 'static');
  assert.equal(out.django!.planDetails.default, undefined);
  // archive's rows did not change: Django's answer stays
  assert.equal(out.django!.planSource.archive, 'django');
  assert.deepEqual(out.plans.archive, djangoAnswer.plans.archive);
  // nothing read again with other rows: the merged index is returned as it is
  assert.equal(keepFreshState(djangoAnswer, base, base), djangoAnswer);
});

test('snapshot: the last answer round-trips (applied keys included); another version or project reads nothing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-snap-'));
  try {
    const index = fixture({ django: extras({ report: { big: 'x'.repeat(1000) } as never }) });
    saveSnapshot(dir, p('manage.py'), '1.2.3', index, 1234);
    const back = loadSnapshot(dir, p('manage.py'), '1.2.3')!;
    assert.equal(back.savedAt, 1234);
    assert.deepEqual([...back.index.applied.default!.appliedKeys], ['billing.0001_initial']);
    assert.deepEqual(back.index.plans, index.plans);
    assert.equal(back.index.django!.report, undefined, 'Django\'s raw report is not kept');
    assert.equal(loadSnapshot(dir, p('manage.py'), '1.2.4'), null);
    assert.equal(loadSnapshot(dir, p('other', 'manage.py'), '1.2.3'), null);
    fs.writeFileSync(fs.readdirSync(dir).map(f => path.join(dir, f))[0]!, 'garbage');
    assert.equal(loadSnapshot(dir, p('manage.py'), '1.2.3'), null);
    assert.deepEqual(fs.readdirSync(dir).filter(f => f.endsWith('.tmp')), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('snapshot: its header gives each property\'s digest before the index is read; a newer file does not mix in', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-snap-'));
  try {
    const index = fixture();
    saveSnapshot(dir, p('manage.py'), '1', index, 1);
    const open = openSnapshot(dir, p('manage.py'), '1')!;
    // (the settings as read, passwords included: readable by the user only)
    if (process.platform !== 'win32') assert.equal(fs.statSync(fs.readdirSync(dir).map(f => path.join(dir, f))[0]!).mode & 0o777, 0o600);
    // the same values written again (another process, another time) have the same digests; another value does not
    saveSnapshot(dir, p('manage.py'), '1', v8.deserialize(v8.serialize({ ...index, plans: { other: [] } })) as typeof index, 2);
    const newer = openSnapshot(dir, p('manage.py'), '1')!;
    assert.deepEqual(Object.keys(open.digests), Object.keys(index).filter(k => (index as unknown as Record<string, unknown>)[k] !== undefined));
    for (const k of Object.keys(open.digests)) {
      if (k === 'plans') assert.notEqual(newer.digests[k], open.digests[k]);
      else assert.equal(newer.digests[k], open.digests[k], k);
    }
    // the first header's index is the first file's, though the second replaced it since
    assert.deepEqual(open.index()!.plans, index.plans);
    assert.equal(open.index(), open.index(), 'read once');
    assert.deepEqual(newer.index()!.plans, { other: [] });
    // what the extension saves after typing: the index it keeps, with the last database read's state carried over
    const state = { code: 'pending-migrations', severity: 'warning', path: null, line: null, message: 'm' } as unknown as (typeof index.findings)[number];
    const carried = snapshotOf(index, { extras: { plans: { x: [] } as never }, moreFindings: [state] });
    assert.deepEqual(carried.plans, { x: [] });
    assert.deepEqual(carried.findings, [...index.findings, state]);
    assert.equal(snapshotOf(index, { extras: {} }).findings, index.findings);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('buildPendingModel: schema drift per alias for the panel, errors first', () => {
  const index = fixture({
    findings: [
      { code: 'stray-table', severity: 'warning', path: p('billing', 'models.py'), line: 3, alias: 'archive', message: 'stray' },
      { code: 'schema-drift', severity: 'error', path: p('billing', 'models.py'), line: 3, alias: 'archive', message: 'Queries on billing.Invoice fail' },
    ],
  });
  const pm = buildPendingModel(index, { project: 'p', trusted: true });
  assert.deepEqual(pm.aliases.map(a => [a.alias, a.drift.count, a.drift.first]), [['default', 0, null], ['archive', 2, 'Queries on billing.Invoice fail']]);
});

test('config.ts reads the window-scoped settings without a resource: its list is package.json\'s', () => {
  // (VS Code logs a warning, through the extension host's logger, for each key read with the other scope)
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties?: Record<string, { scope?: string }> } | { properties?: Record<string, { scope?: string }> }[] } };
  const props = Object.assign({}, ...[pkg.contributes.configuration].flat().map(c => c.properties ?? {})) as Record<string, { scope?: string }>;
  const window = Object.entries(props).filter(([, v]) => (v.scope ?? 'window') === 'window').map(([k]) => k.replace(/^djangoMultiDb\./, '')).sort();
  assert.deepStrictEqual([...WINDOW_SCOPED].sort(), window);
  assert.ok(window.length > 0 && Object.keys(props).length > window.length);
});

test('tableText: a proxy whose concrete model could not be read has no table named (pulpcore\'s Group over a base not installed)', () => {
  const m = (over: Partial<ModelInfo>): ModelInfo => ({ app: 'core', name: 'Group', key: 'core.Group', managed: true, proxy: false, abstract: false, swapped: false, table: 'core_group', modelName: 'group', loc: { path: '/p/models.py', line: 1 }, bases: [], fields: [], attrs: {}, meta: {}, ...over });
  assert.equal(tableText(m({ concreteModel: 'core.Group' })), '`core_group`');
  assert.equal(tableText(m({ proxy: true, table: 'auth_group', concreteModel: 'auth.Group' })), '`auth_group`');
  assert.equal(tableText(m({ proxy: true, concreteModel: 'core.Group' })), 'not known (its concrete model could not be read)');
  assert.equal(tableText(m({ proxy: true })), 'not known (its concrete model could not be read)');
});
