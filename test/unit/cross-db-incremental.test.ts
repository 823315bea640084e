// Issue 11: the cross-database findings worked out from the last ones (crossDatabaseRelationsAgain) equal those from
// scratch, after random edits of models (fields retargeted, models added, removed, made proxies) and of their routing
// rows (decisions changed, rows added and removed), with rows kept as the same objects where they did not change (as
// keepEqualDecisions keeps them); decisionModelsChanged names every model whose decision changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crossDatabaseRelationsAgain, crossDatabaseRelationsByModel, decisionModelsChanged, indexDecisions, keepEqualFindings, livesDecisions,
} from '../../src/core/findings';
import type { Finding, ModelInfo, RouterDecision } from '../../src/core/types';
import { prng } from '../../bench/edits';

const ALIASES = ['default', 'analytics', 'legacy'];

function model(key: string, targets: string[], extra: Partial<ModelInfo> = {}): ModelInfo {
  const [app, name] = key.split('.') as [string, string];
  return {
    app, name, key, managed: true, proxy: false, abstract: false, swapped: false, table: key.replace('.', '_').toLowerCase(), modelName: name.toLowerCase(),
    loc: { path: `${app}/models.py`, line: 1 }, bases: [], attrs: {}, meta: {},
    fields: targets.map((t, i) => ({ name: `f${i}`, kind: 'ForeignKey' as const, target: t, targetRaw: t, dbConstraint: i % 2 === 0, loc: { path: `${app}/models.py`, line: 2 + i } })),
    ...extra,
  };
}

function decision(alias: string, m: string, migrate: boolean | null): RouterDecision {
  return { alias, model: m, migrate, decidedBy: migrate === null ? null : 'r.Router', reason: migrate === null ? 'unknown' : 'router' };
}

test('decisionModelsChanged: rows inserted per alias, removed, replaced, moved; nothing when the arrays are the same', () => {
  const rows = ALIASES.flatMap(a => ['x.A', 'x.B', 'x.C', 'x.D'].map(m => decision(a, m, a === 'default')));
  const names = (prev: RouterDecision[], next: RouterDecision[]) => {
    const s = new Set<string>();
    assert.ok(decisionModelsChanged(prev, next, s, 100));
    return [...s].sort();
  };
  assert.deepEqual(names(rows, rows), []);
  assert.deepEqual(names(rows, [...rows]), []);
  // a new model's row in each alias's block
  const inserted = ALIASES.flatMap((a, i) => [...rows.slice(i * 4, i * 4 + 2), decision(a, 'x.New', false), ...rows.slice(i * 4 + 2, i * 4 + 4)]);
  assert.deepEqual(names(rows, inserted), ['x.New']);
  assert.deepEqual(names(inserted, rows), ['x.New']);
  // a decision changed (a new object for the same row)
  const changed = rows.map(d => (d.model === 'x.C' && d.alias === 'legacy' ? decision('legacy', 'x.C', true) : d));
  assert.deepEqual(names(rows, changed), ['x.C']);
  // rows moved far: a superset, never fewer
  const moved = [...rows.slice(1), rows[0]!];
  assert.ok(names(rows, moved).includes('x.A'));
  // more than `max`: nothing to gain
  assert.equal(decisionModelsChanged(rows, rows.map(d => ({ ...d })), new Set(), 2), false);
});

test('crossDatabaseRelationsAgain equals crossDatabaseRelationsByModel after random edits of models and routing rows', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rnd = prng(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    let keys = Array.from({ length: 12 }, (_, i) => `app${i % 3}.M${i}`);
    const randomModel = (k: string): ModelInfo => {
      const targets = Array.from({ length: Math.floor(rnd() * 3) }, () => pick(keys));
      // now and then a proxy of another model (its rows are the concrete model's)
      return rnd() < 0.15 ? model(k, targets, { proxy: true, concreteModel: pick(keys) }) : model(k, targets);
    };
    let models = keys.map(randomModel);
    const randomRow = (a: string, m: string) => decision(a, m, pick([true, false, null]));
    let routing = ALIASES.flatMap(a => keys.map(k => randomRow(a, k)));
    let livesRows = ALIASES.flatMap(a => keys.filter(() => rnd() < 0.2).map(k => randomRow(a, k)));
    let cross = crossDatabaseRelationsByModel(models, indexDecisions(routing), livesDecisions(routing, livesRows), ALIASES);
    for (let step = 0; step < 25; step++) {
      const before = models;
      const prevRouting = routing, prevLives = livesRows;
      const r = rnd();
      if (r < 0.35) {
        // a model edited (a new object: a field retargeted, fields added or removed)
        const k = pick(keys);
        models = models.map(m => (m.key === k ? randomModel(k) : m));
      } else if (r < 0.5) {
        // a model added, with its rows (in each alias's block)
        const k = `app${Math.floor(rnd() * 3)}.N${seed}x${step}`;
        keys = [...keys, k];
        models = [...models, randomModel(k)];
        routing = ALIASES.flatMap(a => [...routing.filter(d => d.alias === a), randomRow(a, k)]);
      } else if (r < 0.6 && keys.length > 4) {
        // a model removed
        const k = pick(keys);
        keys = keys.filter(x => x !== k);
        models = models.filter(m => m.key !== k);
        routing = routing.filter(d => d.model !== k);
        livesRows = livesRows.filter(d => d.model !== k);
      } else if (r < 0.85) {
        // a few models routed again (new row objects for them only)
        const ks = new Set([pick(keys), pick(keys)]);
        routing = routing.map(d => (ks.has(d.model) ? randomRow(d.alias, d.model) : d));
        if (rnd() < 0.5) livesRows = livesRows.map(d => (ks.has(d.model) ? randomRow(d.alias, d.model) : d));
      } else {
        // nothing routed again, one model's object new with the same facts
        const k = pick(keys);
        models = models.map(m => (m.key === k ? { ...m } : m));
      }
      const migrate = indexDecisions(routing), lives = livesDecisions(routing, livesRows);
      const decided = new Set<string>();
      const known = decisionModelsChanged(prevRouting, routing, decided, Infinity) && decisionModelsChanged(prevLives, livesRows, decided, Infinity);
      assert.ok(known);
      const again = crossDatabaseRelationsAgain(cross, before, models, migrate, lives, ALIASES, decided);
      const scratch = crossDatabaseRelationsByModel(models, migrate, lives, ALIASES);
      assert.deepEqual(again.findings, scratch.findings, `seed ${seed}, step ${step}`);
      cross = again;
    }
  }
});

test('keepEqualFindings: a finding equal to one of the last list is that object (in its place or moved), the others are the new ones', () => {
  const f = (code: string, line: number, message: string) => ({ code, severity: 'warning', path: 'a/models.py', line, message }) as Finding;
  const prev = [f('x', 1, 'one'), f('x', 2, 'two'), f('y', 3, 'three')];
  const next = [f('x', 1, 'one'), f('y', 3, 'three'), f('x', 2, 'two, changed'), f('z', 4, 'new')];
  const out = keepEqualFindings(prev, next);
  assert.equal(out[0], prev[0], 'in its place');
  assert.equal(out[1], prev[2], 'moved');
  assert.notEqual(out[2], prev[1]);
  assert.deepStrictEqual(out[2], f('x', 2, 'two, changed'));
  assert.deepStrictEqual(out.map(x => x.message), ['one', 'three', 'two, changed', 'new']);
  assert.deepStrictEqual(keepEqualFindings([], next), next);
});
