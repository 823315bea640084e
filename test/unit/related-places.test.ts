// The related places of a finding's diagnostic (src/extension/model/related.ts): the target model of a cross-database
// relation, the routers deciding its two models. They pick the few routing decisions they need from a new routing
// array instead of indexing all of it, and give what the whole index gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Scanner } from '../../src/core/scan';
import { DecisionLookup, DecisionMap, indexDecisions, indexDecisionsOver, indexedAlready } from '../../src/core/findings';
import type { RouterDecision } from '../../src/core/types';
import { RELATED_CODES, relatedPlaces, relatedWithText } from '../../src/extension/model/related';

test('related places from the decisions they pick equal those from the whole routing index, which they do not make', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-related-'));
  try {
    execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'bench', 'generate.mjs'), root, '20', '4', '2'], { stdio: 'ignore' });
    const index = await new Scanner({ root, allowPython: false }).index();
    const findings = index.findings.filter(f => RELATED_CODES.has(f.code));
    assert.ok(findings.length > 5, `${findings.length} findings with related places`);
    // a routing array no one indexed yet (as after an edit): the places pick their decisions
    const picked = { ...index, routing: [...index.routing] };
    const fromPicked = findings.map(f => relatedPlaces(picked, f));
    assert.equal(indexedAlready(picked.routing), undefined, 'the whole routing index was not made');
    // the same, once the whole index exists (a view made it)
    const whole = { ...index, routing: [...index.routing] };
    indexDecisions(whole.routing);
    assert.deepEqual(fromPicked, findings.map(f => relatedPlaces(whole, f)));
    // what they hold: the target model, and the routers that decide (the generated project's routers say True or False)
    const places = fromPicked.flat();
    assert.ok(places.some(p => p.message.startsWith('target model ')));
    const decides = places.filter(p => / decides /.test(p.message));
    assert.ok(decides.length > 0, JSON.stringify(places.slice(0, 4)));
    assert.ok(decides.every(p => p.path.endsWith('routers.py') && p.line > 0), JSON.stringify(decides.slice(0, 2)));
    // other findings (another array): their models are picked anew from the same routing
    const fewer = { ...picked, findings: findings.slice(0, 1) };
    assert.deepEqual(relatedPlaces(fewer, findings[0]!), fromPicked[0]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('indexDecisionsOver: the map of rows added after an array, or put in place of rows of the same pairs, answers as a map of the whole array; a fifth layer is a map of its own', () => {
  const row = (alias: string, m: number, migrate: boolean | null, why = ''): RouterDecision => ({ alias, model: `app.M${m}`, migrate, decidedBy: null, reason: 'default', explanation: `${m} ${alias} ${why}` });
  const base: RouterDecision[] = [];
  for (let m = 0; m < 30; m++) for (const alias of ['default', 'analytics']) base.push(row(alias, m, m % 2 === 0));
  const same = (arr: RouterDecision[], what: string) => {
    const whole = new DecisionMap(arr);
    const made = indexDecisions(arr);
    for (let m = 0; m < 32; m++) for (const alias of ['default', 'analytics', 'other']) {
      assert.equal(made.get(alias, `app.M${m}`), whole.get(alias, `app.M${m}`), `${what}: ${alias} M${m}`);
      assert.equal(made.has(alias, `app.M${m}`), whole.has(alias, `app.M${m}`), `${what}: has ${alias} M${m}`);
    }
  };
  // a model's rows added after (a model typed since Django answered)
  const extra = [row('default', 30, true, 'new'), row('analytics', 30, false, 'new')];
  const appended = [...base, ...extra];
  indexDecisionsOver(appended, base, extra);
  assert.ok(indexedAlready(appended), 'laid over the base map');
  same(appended, 'appended');
  // rows decided again in place, layer over layer
  let last = base;
  for (let layer = 1; layer <= 5; layer++) {
    const next = last.slice();
    const changed: RouterDecision[] = [];
    for (let i = layer; i < next.length; i += 7) changed.push((next[i] = row(next[i]!.alias, Number(next[i]!.model.slice(5)), null, `layer ${layer}`)));
    indexDecisionsOver(next, last, changed);
    if (layer <= 4) assert.equal(indexedAlready(next)?.depth, layer, `layer ${layer} laid over`);
    else assert.equal(indexedAlready(next), undefined, 'past four layers: a map of its own when asked');
    same(next, `layer ${layer}`);
    last = next;
  }
});

test('a DecisionLookup answers as the whole DecisionMap does, picking a few models\' rows, and makes the whole map past 16', () => {
  const rows: RouterDecision[] = [];
  for (let m = 0; m < 40; m++) {
    for (const alias of ['default', 'analytics', 'legacy']) rows.push({ alias, model: `app.M${m}`, migrate: (m + alias.length) % 3 === 0, decidedBy: null, reason: 'default', explanation: `${m} ${alias}` });
  }
  // a later row for the same pair replaces the earlier one
  rows.push({ alias: 'legacy', model: 'app.M3', migrate: null, decidedBy: 'r.R', reason: 'unknown', explanation: 'later' });
  const whole = new DecisionMap(rows);
  const lookup = new DecisionLookup(rows);
  for (let m = 0; m < 16; m++) {
    for (const alias of ['default', 'legacy', 'other']) assert.equal(lookup.get(alias, `app.M${m}`), whole.get(alias, `app.M${m}`), `${alias} M${m}`);
  }
  assert.equal(lookup.get('legacy', 'app.M3')!.explanation, 'later');
  assert.equal(indexedAlready(rows), undefined, 'picked, not indexed whole');
  assert.equal(lookup.get('default', 'app.Missing'), undefined);
  for (let m = 16; m < 40; m++) assert.equal(lookup.get('analytics', `app.M${m}`), whole.get('analytics', `app.M${m}`));
  assert.ok(indexedAlready(rows), 'past 16 models: the whole map');
  // picked in one pass for a set (the related links' models), then asked
  const other = new DecisionLookup([...rows]);
  other.pick(['app.M1', 'app.M2', 'app.M30']);
  assert.equal(other.get('legacy', 'app.M30'), whole.get('legacy', 'app.M30'));
});

test('related places are kept per finding while its target model and decisions are the same objects, and made again when one changes', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-related-'));
  try {
    execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'bench', 'generate.mjs'), root, '20', '4', '2'], { stdio: 'ignore' });
    const index = await new Scanner({ root, allowPython: false }).index();
    const f = index.findings.find(x => x.code === 'cross-db-foreign-key' && x.alias && x.model && x.target)!;
    assert.ok(f, 'a cross-database relation');
    const first = relatedWithText(index, f);
    // another routing array of the same rows (an edit elsewhere): the same places, not made again
    const same = relatedWithText({ ...index, routing: [...index.routing] }, f);
    assert.equal(same.places, first.places);
    assert.equal(same.text, first.text);
    // the row of its model on its alias decided by another router: made again, and say so
    const routing = index.routing.map(d => (d.alias === f.alias && d.model === f.model ? { ...d, reason: 'router' as const, decidedBy: 'proj.other.OtherRouter', loc: { path: path.join(root, 'other.py'), line: 7 } } : d));
    const moved = relatedWithText({ ...index, routing }, f);
    assert.notEqual(moved.places, first.places);
    assert.ok(moved.places.some(p => p.message === `OtherRouter decides ${f.model}` && p.line === 7), JSON.stringify(moved.places));
    assert.deepEqual(moved.places, relatedPlaces({ ...index, routing: [...routing] }, { ...f }), 'as a finding seen for the first time');
    assert.match(moved.text, /other\.py:7:OtherRouter decides/);
    // its target model moved (a new object): its place follows
    const models = index.models.map(m => (m.key === f.target ? { ...m, loc: { ...m.loc, line: m.loc.line + 3 } } : m));
    const target = relatedWithText({ ...index, models }, f).places.find(p => p.message === `target model ${f.target}`)!;
    assert.equal(target.line, index.models.find(m => m.key === f.target)!.loc.line + 3);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
