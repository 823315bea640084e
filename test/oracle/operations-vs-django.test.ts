// Where each operation runs (`scan --json` `operations`), statically, must be what Django's executor decides:
// `allow_migrate_model` for model operations (with the historical model), `router.allow_migrate(db, app_label,
// **hints)` for RunPython/RunSQL, nothing for state-only operations, the database operations of
// SeparateDatabaseAndState. The oracle (test/oracle/django_oracle.py `operations`) asks real Django 5.2.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, NO_DJANGO, cli, copyProject, djangoPython, oracle } from './helpers';

const py = djangoPython();
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

interface Row { migration: string; index: string; kind: string; runs: Record<string, boolean | null> }

function compareOperations(src: string, settingsModule: string, opts: { unknownAllowed?: boolean } = {}): { rows: number; unknown: number; report: any } {
  const dir = copyProject(src, 'dmdb-ops-');
  dirs.push(dir);
  const expected: Row[] = oracle(py!, dir, settingsModule).operations;
  const r = cli(['scan', dir, '--json', '--mode', 'static', '--python', py!, '--settings', settingsModule, '--no-db', '--no-cache']);
  assert.equal(r.status, 0, r.stderr);
  const ours = new Map<string, any>((r.json.operations ?? []).map((o: any) => [`${o.migration}#${o.index}`, o]));
  const wrong: string[] = [];
  let unknown = 0;
  for (const e of expected) {
    const o = ours.get(`${e.migration}#${e.index}`);
    if (!o) { wrong.push(`${e.migration}#${e.index} ${e.kind}: missing`); continue; }
    assert.equal(o.kind, e.kind, `${e.migration}#${e.index}`);
    for (const [alias, runs] of Object.entries(e.runs)) {
      const route = o.routes.find((x: any) => x.alias === alias);
      if (runs === null) continue; // Django could not rebuild the model either
      // unknown is an answer only where the routers' answer depends on what cannot be known statically
      if (route?.runs === null && route.reason === 'unknown' && opts.unknownAllowed) { unknown++; continue; }
      if (route?.runs !== runs) wrong.push(`${e.migration}#${e.index} ${e.kind} on ${alias}: ours ${route?.runs} (${route?.reason}), Django ${runs}`);
    }
  }
  assert.deepEqual(wrong, []);
  // ours has rows for migrations Django leaves out of its graph too (those replaced by a squash)
  assert.ok(ours.size >= expected.length, 'one row per operation');
  return { rows: expected.length, unknown, report: r.json };
}

test('operations: warehouse_hints (RunPython hints, state-only, proxy, swapped, unmanaged, fall-through RunSQL)', t => {
  if (!py) return t.skip(NO_DJANGO);
  const { rows, report } = compareOperations(path.join(REPO, 'test', 'fixtures', 'warehouse_hints'), 'whsite.settings');
  assert.ok(rows > 20);
  const seed = report.operations.find((o: any) => o.migration === 'catalog.0002_seed_events');
  assert.deepEqual(seed.routes.map((x: any) => [x.alias, x.runs, x.reason, x.decidedBy]), [
    ['default', false, 'router', 'whsite.routers.WarehouseRouter'],
    ['replica', false, 'router', 'whsite.routers.WarehouseRouter'],
    ['warehouse', true, 'router', 'whsite.routers.WarehouseRouter'],
    ['archive', false, 'router', 'whsite.routers.WarehouseRouter'],
  ]);
  const options = report.operations.find((o: any) => o.migration === 'catalog.0003_product_options');
  assert.ok(options.routes.every((x: any) => x.runs === false && x.reason === 'state-only'));
  // the RunPython without hints falls through every router onto default and replica, where the routers keep
  // metrics.Event off; catalog's RunSQL falls through too, but onto the aliases catalog's models live on
  const fall = report.diagnostics.filter((d: any) => d.code === 'operation-fall-through');
  assert.deepEqual(fall.map((d: any) => [d.path, d.migrations]), [['metrics/migrations/0002_backfill_events.py', ['metrics.0002_backfill_events']]]);
  assert.match(fall[0].message, /default, replica/);
  assert.match(fall[0].message, /metrics\.Event/);
});

test('operations: the example, routers_zoo and dynamic_routers', t => {
  if (!py) return t.skip(NO_DJANGO);
  compareOperations(path.join(REPO, 'examples', 'multidb_shop'), 'shop.settings');
  compareOperations(path.join(REPO, 'test', 'fixtures', 'routers_zoo'), 'zoo.settings.dev');
  // routers that read what only runs at run time: unknown where the model routing is unknown, never wrong
  const dyn = compareOperations(path.join(REPO, 'test', 'fixtures', 'dynamic_routers'), 'dynsite.settings', { unknownAllowed: true });
  t.diagnostic(`dynamic_routers: ${dyn.rows} operations, ${dyn.unknown} alias answers unknown statically`);
});
