// CodeLens texts of migration files (src/extension/model/lenses.ts) on the warehouse_hints fixture, statically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Scanner } from '../../src/core/scan';
import { migrationAt, migrationLens, migrationStates, operationLenses } from '../../src/extension/model/lenses';
import { REPO, djangoPython, NO_DJANGO } from '../oracle/helpers';

const PY = djangoPython();
const ROOT = path.join(REPO, 'test', 'fixtures', 'warehouse_hints');

test('lenses: where each migration and operation of warehouse_hints runs', async t => {
  if (!PY) return t.skip(NO_DJANGO);
  const index = await new Scanner({ root: ROOT, python: PY, allowPython: false, readDatabases: false, env: { PATH: '' } }).index();
  const file = (rel: string) => path.join(ROOT, rel);
  const seed = migrationAt(index, file('catalog/migrations/0002_seed_events.py'))!;
  assert.equal(migrationLens(index, seed).title, 'runs on warehouse · recorded only on default, replica, archive');
  const [op] = operationLenses(index, seed);
  assert.equal(op!.line, 21);
  assert.equal(op!.title, 'runs on warehouse · skipped on default, replica, archive (WarehouseRouter denied)');
  const initial = migrationAt(index, file('catalog/migrations/0001_initial.py'))!;
  assert.equal(migrationLens(index, initial).title, 'runs on default, replica · recorded only on warehouse, archive');
  const ops = operationLenses(index, initial);
  assert.match(ops[1]!.title, /skipped on default, replica, warehouse, archive \(proxy model\)/);
  const options = migrationAt(index, file('catalog/migrations/0003_product_options.py'))!;
  assert.equal(migrationLens(index, options).title, 'recorded only on default, replica, warehouse, archive');
  assert.equal(operationLenses(index, options)[0]!.title, 'state only: runs on no database');
  assert.match(migrationLens(index, options).tooltip, /AlterModelOptions changes the migration state only/);
  const empty = migrationAt(index, file('catalog/migrations/0004_nothing.py'))!;
  assert.match(migrationLens(index, empty).tooltip, /no operations/);
  // the database was not read: the state is unknown everywhere
  assert.deepEqual(migrationStates(index, seed).map(r => [r.alias, r.state]), [['default', 'unknown'], ['replica', 'unknown'], ['warehouse', 'unknown'], ['archive', 'unknown']]);
});
