// missing-migration (Django mode): what `makemigrations --check --dry-run` would write, computed by the helper with
// Django's autodetector, and nothing is written: the project's files are exactly as before.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, NO_DJANGO, cli, copyProject, djangoPython } from '../oracle/helpers';

const PY = djangoPython();
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

test('a model change without a migration is a missing-migration warning; nothing is written', t => {
  if (!PY) return t.skip(NO_DJANGO);
  const dir = copyProject(path.join(REPO, 'test', 'fixtures', 'warehouse_hints'), 'dmdb-missing-');
  dirs.push(dir);
  const models = path.join(dir, 'catalog', 'models.py');
  fs.writeFileSync(models, fs.readFileSync(models, 'utf8').replace('    name = models.CharField(max_length=100)\n', '    name = models.CharField(max_length=100)\n    sku = models.CharField(max_length=20, default="")\n'));
  const before = tree(dir);
  const r = cli(['scan', dir, '--json', '--mode', 'django', '--python', PY, '--no-db', '--no-cache']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json.source.mode, 'django', JSON.stringify(r.json.source));
  const found = r.json.diagnostics.filter((d: { code: string }) => d.code === 'missing-migration');
  assert.deepEqual(found.map((d: any) => [d.app, d.path, d.severity]), [['catalog', 'catalog/models.py', 'warning']]);
  assert.match(found[0].message, /Add field sku to product/);
  assert.deepEqual(tree(dir), before, 'the project is byte for byte as before: no migration, no __pycache__');
  // with the migration written, the finding goes
  const clean = copyProject(path.join(REPO, 'test', 'fixtures', 'warehouse_hints'), 'dmdb-missing-');
  dirs.push(clean);
  const c = cli(['scan', clean, '--json', '--mode', 'django', '--python', PY, '--no-db', '--no-cache']);
  assert.deepEqual(c.json.diagnostics.filter((d: { code: string }) => d.code === 'missing-migration'), []);
});
