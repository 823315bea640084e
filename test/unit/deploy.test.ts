// Issue 12 item 3: the deployment plan. Ordering and quoting as pure units; then the printed shell script is run
// on a real multi-alias project and real Django must find every database up to date.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { deploymentPlan, planToGithubActions, planToShell, shellQuote, type DeployInputs } from '../../src/core/deploy';
import type { AppliedState, MigrationFileInfo, ModelInfo, RouterDecision } from '../../src/core/types';
import { cli, djangoPython, NO_DJANGO, python } from '../oracle/helpers';
import { shopProject } from './drift-support';

const py = djangoPython();
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const SQLITE = 'django.db.backends.sqlite3';
function model(app: string, name: string): ModelInfo {
  return {
    app, name, key: `${app}.${name}`, managed: true, proxy: false, abstract: false, swapped: false, table: `${app}_${name.toLowerCase()}`,
    modelName: name.toLowerCase(), loc: { path: `/p/${app}/models.py`, line: 1 }, bases: [], fields: [], attrs: {}, meta: {},
  };
}
function migration(app: string, name: string, creates: string, deps: [string, string][] = []): MigrationFileInfo {
  return {
    app, name, key: `${app}.${name}`, path: `/p/${app}/migrations/${name}.py`, dependencies: deps, replaces: [], runBefore: [], initial: true,
    operations: [{ kind: 'CreateModel', modelName: creates.toLowerCase() }],
  };
}
const reachable = (alias: string): AppliedState => ({ alias, reachable: true, applied: 0, error: null, appliedKeys: new Set(), exists: true });
/** routing where each model migrates only on the listed aliases */
function routing(aliases: string[], where: Record<string, string[]>): RouterDecision[] {
  return Object.entries(where).flatMap(([m, on]) => aliases.map(alias => ({
    alias, model: m, migrate: on.includes(alias), decidedBy: 'r.R', reason: 'router' as const,
  })));
}

describe('deployment plan ordering (pure)', () => {
  const aliases = ['a', 'b', 'c'];
  const base = (over: Partial<DeployInputs> = {}): DeployInputs => {
    const migrations = [migration('x', '0001_initial', 'A'), migration('y', '0001_initial', 'B', [['x', '0001_initial']])];
    const all = migrations.map(m => m.key);
    return {
      databases: aliases.map(a => ({ alias: a, engine: SQLITE, name: `/db/${a}.sqlite3` })),
      plans: Object.fromEntries(aliases.map(a => [a, all])),
      applied: Object.fromEntries(aliases.map(a => [a, reachable(a)])),
      migrations, models: [model('x', 'A'), model('y', 'B')],
      routing: routing(aliases, { 'x.A': ['c'], 'y.B': ['a', 'b'] }),
      ...over,
    };
  };

  test('an alias whose migrations others depend on goes first; ties keep settings order', () => {
    const plan = deploymentPlan(base());
    assert.deepEqual(plan.steps.map(s => s.alias), ['c', 'a', 'b']);
    assert.deepEqual(plan.steps[1]!.after, [{ alias: 'c', because: { migration: 'y.0001_initial', dependsOn: 'x.0001_initial' } }]);
    assert.deepEqual(plan.cycles, []);
  });

  test('no cross-database need: settings order; a dependency already applied where it runs adds no order', () => {
    const noNeed = deploymentPlan(base({ routing: routing(aliases, { 'x.A': ['a', 'b', 'c'], 'y.B': ['a', 'b', 'c'] }) }));
    assert.deepEqual(noNeed.steps.map(s => s.alias), ['a', 'b', 'c']);
    const done = deploymentPlan(base({ plans: { a: ['y.0001_initial'], b: ['y.0001_initial'], c: ['y.0001_initial'] } }));
    assert.deepEqual(done.steps.map(s => s.alias), ['a', 'b', 'c']);
  });

  test('a cycle is reported and settings order kept', () => {
    const migrations = [
      migration('x', '0001_initial', 'A'), migration('y', '0001_initial', 'B', [['x', '0001_initial']]),
      migration('x', '0002_c', 'C', [['y', '0001_initial']]),
    ];
    const plan = deploymentPlan(base({
      migrations, models: [model('x', 'A'), model('y', 'B'), model('x', 'C')],
      plans: Object.fromEntries(aliases.map(a => [a, migrations.map(m => m.key)])),
      routing: routing(aliases, { 'x.A': ['c'], 'y.B': ['a'], 'x.C': ['c'] }),
    }));
    // b only records (nothing of x or y runs there) and needs nothing: ready first; then the cycle in settings order
    assert.deepEqual(plan.steps.map(s => s.alias), ['b', 'a', 'c']);
    assert.equal(plan.cycles.length, 1);
    assert.deepEqual([...plan.cycles[0]!].sort(), ['a', 'c']);
    // the comment of the step the cycle made run first does not say "after" an alias that runs later
    const sh = planToShell(plan);
    assert.match(sh, /# 'a': .*; not after 'c' \(.*\): the cycle above/);
    assert.doesNotMatch(sh, /# 'a': [^\n]*; after 'c'/);
  });

  test('skipped: up to date, same database, TEST MIRROR; unreachable listed', () => {
    const plan = deploymentPlan(base({
      databases: [
        { alias: 'a', engine: SQLITE, name: '/db/a.sqlite3' }, { alias: 'b', engine: SQLITE, name: '/db/a.sqlite3' },
        { alias: 'c', engine: SQLITE, name: '/db/c.sqlite3', raw: { TEST: { MIRROR: 'a' } } },
        { alias: 'd', engine: SQLITE, name: '/db/d.sqlite3' }, { alias: 'e', engine: 'django.db.backends.postgresql', name: 'e' },
      ],
      plans: { a: ['x.0001_initial'], b: ['x.0001_initial'], c: ['x.0001_initial'], d: [], e: null },
      applied: { a: reachable('a'), b: reachable('b'), c: reachable('c'), d: reachable('d'), e: { ...reachable('e'), reachable: false, error: 'connection refused' } },
    }));
    assert.deepEqual(plan.steps.map(s => s.alias), ['a']);
    assert.deepEqual(plan.skipped, [
      { alias: 'b', reason: 'same-database', sameAs: 'a' }, { alias: 'c', reason: 'mirror', sameAs: 'a', mirrorBy: 'TEST["MIRROR"]' }, { alias: 'd', reason: 'up-to-date' },
    ]);
    assert.deepEqual(plan.unreachable, [{ alias: 'e', error: 'connection refused' }]);
  });

  test('a mirror that cannot be read is skipped, not unreachable: the plan runs nothing on it (addons-server)', () => {
    const plan = deploymentPlan(base({
      databases: [
        { alias: 'a', engine: SQLITE, name: '/db/a.sqlite3' },
        { alias: 'c', engine: 'django.db.backends.postgresql', name: 'c', raw: { TEST: { MIRROR: 'a' } } },
      ],
      plans: { a: ['x.0001_initial'], c: null },
      applied: { a: reachable('a'), c: { ...reachable('c'), reachable: false, error: 'connection refused' } },
    }));
    assert.deepEqual(plan.steps.map(s => s.alias), ['a']);
    assert.deepEqual(plan.skipped, [{ alias: 'c', reason: 'mirror', sameAs: 'a', mirrorBy: 'TEST["MIRROR"]' }]);
    assert.deepEqual(plan.unreachable, []);
    // the database it mirrors unreadable: that one stops the plan
    const down = deploymentPlan(base({
      databases: [
        { alias: 'a', engine: 'django.db.backends.postgresql', name: 'a' },
        { alias: 'c', engine: 'django.db.backends.postgresql', name: 'c', raw: { TEST: { MIRROR: 'a' } } },
      ],
      plans: { a: null, c: null },
      applied: { a: { ...reachable('a'), reachable: false, error: 'connection refused' }, c: { ...reachable('c'), reachable: false, error: 'connection refused' } },
    }));
    assert.deepEqual(down.unreachable, [{ alias: 'a', error: 'connection refused' }]);
  });
});

describe('shell quoting', () => {
  test('every word survives a real sh unchanged', () => {
    const words = ["o'brien", '--database=it\'s "x"', 'a b', '', '$HOME', '`id`', 'back\\slash', 'new\nline', 'plain-word_1.2', '*', '--database=défaut'];
    const script = `printf '%s\\0' ${words.map(shellQuote).join(' ')}`;
    const out = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.deepEqual(out.split('\0').slice(0, -1), words);
    assert.equal(shellQuote('--database=analytics'), '--database=analytics');
    assert.equal(shellQuote("o'brien"), `'o'\\''brien'`);
  });
  test('a name with a newline cannot break out of a comment line', () => {
    const plan = deploymentPlan({
      databases: [{ alias: 'x\nrm -rf /', engine: SQLITE, name: '/db/x.sqlite3' }], plans: { 'x\nrm -rf /': ['a.0001_initial'] },
      applied: { 'x\nrm -rf /': reachable('x\nrm -rf /') }, migrations: [], models: [], routing: [],
    });
    // run with `echo` as the interpreter: the alias reaches it as one argument, nothing else runs
    const out = execFileSync('sh', ['-c', planToShell(plan, { python: 'echo' })], { encoding: 'utf8' });
    assert.equal(out, 'manage.py migrate --noinput --database=x\nrm -rf /\n');
    const gha = planToGithubActions(plan);
    assert.ok(gha.split('\n').every(l => l === '' || l.startsWith('  ') || l.startsWith('- ')), gha);
    assert.match((parseYaml(gha) as { run: string }[])[0]!.run, /--database=x\nrm -rf \/'\n$/);
  });
});

describe('plan command on a real project, run with real Django', { skip: py ? false : NO_DJANGO }, () => {
  test('the printed sh commands bring every alias up to date; order, quoting, mirror, JSON, GitHub Actions', () => {
    // analytics first in settings, but its stats.0001 needs orders.0001, which runs on default and o'brien only
    const dir = shopProject(`{
    "analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "analytics.sqlite3"},
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "default.sqlite3"},
    "o'brien": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "obrien.sqlite3"},
    "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "replica.sqlite3", "TEST": {"MIRROR": "default"}},
}`);
    dirs.push(dir);
    const r = cli(['plan', dir, '--python', py!, '--mode', 'static', '--no-cache']);
    assert.equal(r.status, 0, r.stderr);
    const commands = r.stdout.split('\n').filter(l => l && !l.startsWith('#') && l !== 'set -eu');
    assert.deepEqual(commands, [
      `${py} manage.py migrate --noinput --database=default`,
      `${py} manage.py migrate --noinput '--database=o'\\''brien'`,
      `${py} manage.py migrate --noinput --database=analytics`,
    ]);
    assert.match(r.stdout, /'replica': skipped, a mirror of 'default' \(TEST\["MIRROR"\]\)/);
    assert.match(r.stdout, /'analytics': \d+ pending migrations .*after 'default' \(stats\.0001_initial needs orders\.0001_initial\), 'o'brien'/);

    const json = cli(['plan', dir, '--format', 'json', '--mode', 'static', '--no-cache']);
    const parsed = JSON.parse(json.stdout);
    assert.deepEqual(parsed.steps.map((s: { alias: string }) => s.alias), ['default', "o'brien", 'analytics']);
    assert.deepEqual(parsed.steps[1].command, ['python', 'manage.py', 'migrate', '--noinput', "--database=o'brien"]);

    const gha = cli(['plan', dir, '--format', 'github-actions', '--mode', 'static', '--no-cache']);
    assert.equal(gha.status, 0);
    const step = (parseYaml(gha.stdout) as { name: string; run: string }[])[0]!;
    assert.equal(step.name, 'Migrate every database (django-multidb plan)');
    assert.ok(step.run.includes("python manage.py migrate --noinput '--database=o'\\''brien'\n"), step.run);

    // run the plan as printed, then ask Django itself
    const script = path.join(dir, 'deploy.sh');
    fs.writeFileSync(script, r.stdout);
    execFileSync('sh', [script], { cwd: dir, stdio: 'pipe' });
    const left = JSON.parse(python(py!, dir, `
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "shop.settings"
django.setup()
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
out = {}
for alias in ["analytics", "default", "o'brien"]:
    ex = MigrationExecutor(connections[alias])
    out[alias] = [f"{m.app_label}.{m.name}" for m, _ in ex.migration_plan(ex.loader.graph.leaf_nodes())]
print(json.dumps(out))
`));
    assert.deepEqual(left, { analytics: [], default: [], "o'brien": [] });
    // and the tables are where the router wants them (the order mattered for nothing Django would reject, but
    // each alias holds its own tables): no drift, nothing left to plan
    const again = cli(['plan', dir, '--mode', 'static', '--no-cache']);
    assert.match(again.stdout, /every database is up to date/);
    const report = cli(['scan', dir, '--json', '--mode', 'static', '--python', py!, '--no-cache']).json;
    assert.deepEqual(report.diagnostics.filter((d: { code: string }) => ['schema-drift', 'stray-table'].includes(d.code)), []);
  });

  test('an unreachable alias makes plan fail, naming it, with nothing on stdout', () => {
    const dir = shopProject(`{
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "default.sqlite3"},
    "analytics": {"ENGINE": "django.db.backends.postgresql", "NAME": "x", "USER": "u", "PASSWORD": "pw-not-shown", "HOST": "127.0.0.1", "PORT": "9"},
}`);
    dirs.push(dir);
    const r = cli(['plan', dir, '--mode', 'static', '--no-cache', '--timeout', '2000']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /cannot plan the deployment: database 'analytics' could not be read:\n {2}analytics: connection refused/);
    assert.ok(!r.stderr.includes('pw-not-shown'));
    assert.equal(cli(['plan', dir, '--no-db']).status, 2);
    assert.equal(cli(['plan', dir, '--format', 'yaml', '--database', 'default']).status, 2);
  });
});
