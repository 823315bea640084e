// "New Migration…" / "New Data Migration…" (src/extension/model/authoring.ts): arguments, and a data migration that
// real Django loads and runs on the alias it is migrated on (not on default).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataMigrationSnippet, invalidMigrationName, makemigrationsArgs } from '../../src/extension/model/authoring';
import { REPO, NO_DJANGO, copyProject, djangoPython, manage, python } from '../oracle/helpers';

const PY = djangoPython();
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

test('makemigrations arguments: app labels after --, names checked', () => {
  assert.deepEqual(makemigrationsArgs(['catalog', 'metrics'], 'add_x'), ['makemigrations', '--name', 'add_x', '--', 'catalog', 'metrics']);
  assert.deepEqual(makemigrationsArgs(['catalog'], 'seed', true), ['makemigrations', '--empty', '--name', 'seed', '--', 'catalog']);
  assert.deepEqual(makemigrationsArgs([], null), ['makemigrations', '--']);
  assert.throws(() => makemigrationsArgs(['--settings=evil'], null), /not an app label/);
  assert.throws(() => makemigrationsArgs(['catalog'], 'x; rm -rf /'), /identifier/);
  assert.equal(invalidMigrationName('backfill_2'), null);
  assert.match(invalidMigrationName('2 words')!, /identifier/);
});

/** A snippet with its placeholders taken at their defaults, as after pressing Tab through them. */
function expand(snippet: string, model: string): string {
  return snippet
    .replace(/\$\{4:\$\{1\/\(\.\*\)\/\$\{1:\/downcase\}\/\}\}/g, model.toLowerCase())
    .replace(/\$\{1:[^}]*\}/g, model).replace(/\$\{1\}/g, model)
    .replace(/\$\{2:([^}]*)\}/g, (_m, d: string) => d.replace(/\$\{1\}/g, model))
    .replace(/\$\{3:([^}]*)\}/g, '$1').replace(/\$\{4\}/g, '')
    .replace(/\\([$}\\])/g, '$1');
}

test('the data migration snippet, expanded, runs only on the alias it is migrated on', t => {
  if (!PY) return t.skip(NO_DJANGO);
  const dir = copyProject(path.join(REPO, 'test', 'fixtures', 'warehouse_hints'), 'dmdb-auth-');
  dirs.push(dir);
  const snippet = dataMigrationSnippet({ app: 'metrics', dependencies: [['metrics', '0002_backfill_events']], model: 'Event' });
  assert.match(snippet, /schema_editor\.connection\.alias/);
  assert.match(snippet, /hints=\{"model_name": /);
  let text = expand(snippet, 'Event').replace('.filter().update()', '.create(kind="seeded", at="2026-01-01T00:00:00Z")');
  fs.writeFileSync(path.join(dir, 'metrics', 'migrations', '0003_seed.py'), text);
  // the hints make the router send it where Event lives: the warehouse, never default
  manage(PY, dir, ['migrate', '--database=warehouse', '-v', '0']);
  manage(PY, dir, ['migrate', '--database=default', '-v', '0']);
  const count = (alias: string) => python(PY, dir, `import os, django; os.environ["DJANGO_SETTINGS_MODULE"] = "whsite.settings"; django.setup()\nfrom metrics.models import Event\nprint(Event.objects.using("${alias}").filter(kind="seeded").count())`).trim();
  assert.equal(count('warehouse'), '1');
  // without a model the routers do not decide: the snippet has no hints
  text = dataMigrationSnippet({ app: 'catalog', dependencies: [], model: null });
  assert.doesNotMatch(text, /hints=/);
  assert.match(text, /dependencies = \[\]/);
});
