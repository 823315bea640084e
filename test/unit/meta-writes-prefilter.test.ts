// models/meta-writes.ts parses a file only when mayWriteMeta says it may set a `_meta` attribute: it must never say no
// for a file where writesIn (the parse) finds a write, however it is spelled, and should say no for the files that
// only read `_meta` (Saleor: 399 files name it, nearly all reading it). Checked on written cases and, as an oracle
// with real writes in it, on every file of Django's own package that names `_meta`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mayWriteMeta, writesIn } from '../../src/core/models/meta-writes';
import { initPython, parsePython } from '../../src/core/python/parse';
import { djangoPython } from '../oracle/helpers';

const writes = [
  'cls._meta.in_db = "legacy"',
  'cls._meta . in_db=1',
  'model._meta.silo_limit: object = None',
  'cls._meta.counter += 1',
  'cls._meta.bits |= 4',
  'cls._meta.n **= 2',
  'cls._meta.n //= 2',
  'cls._meta.n <<= 1',
  'a = cls._meta.in_db = "x"',
  'cls._meta.in_db, other = "x", 1',
  '(cls._meta.in_db) = "x"',
  '(a,\n cls._meta.in_db, b\n) = 1, 2, 3',
  '[a,\n cls._meta.in_db,\n b] = 1, 2, 3',
  '(a,\n cls._meta.in_db\n , b) = 1, 2, 3',
  'for cls._meta.in_db in ("a", "b"):\n    pass',
  'for (a,\n     cls._meta.in_db) in [(1, 2)]:\n    pass',
  'cls._meta.in_db \\\n    = "x"',
  '(cls.\n  _meta.in_db) = "x"',
  '(cls.  # the options\n  _meta.in_db) = "x"',
  'opts = model._meta\nopts.in_db = "x"',
  'opts = model._meta  # its options\nopts.in_db = "x"',
  'opts = other = model._meta\nsetattr(other, "in_db", "x")',
  'setattr(model._meta, "in_db", "x")',
  'setattr(model._meta, key, "x")',
  'vars(model._meta)["in_db"] = "x"',
  'model._meta.__dict__.update(in_db="x")',
  'Options.in_db = None',
  'setattr(Options, "in_db", None)',
  'if ready: cls._meta.in_db = "x"',
  'a = 1; cls._meta.in_db = "x"',
  'x = "#"; cls._meta.in_db = "x"  # a quote and a hash before it',
  'x = """\n("""\ncls._meta.in_db: str = "x"',
  'class C:\n    def f(self):\n        (self.\n         _meta.in_db) = "x"',
  'print(f"{setattr(cls._meta, \'in_db\', 1)}")',
  'print(f"{cls._meta.__dict__}")',
  'opts = (model._meta)\nopts.in_db = "x"',
];

const reads = [
  'label = model._meta.app_label',
  'if model._meta.app_label in self.route_app_labels:\n    return "x"',
  'return [f.name for f in cls._meta.fields]',
  'x = {model._meta.label_lower for model in models}',
  'call(model._meta.app_label, model._meta.model_name)',
  'if model._meta.db_table == "t":\n    pass',
  'if model._meta.n <= 3 or model._meta.n >= 9 or model._meta.n != 1:\n    pass',
  'name = cls._meta.model.__name__',
  'cls._meta.fields[0].name = "x"',
  'model._meta.get_field("a").null = True',
  '_meta = object()',
  'def __init_subclass_with_meta__(cls, _meta=None, **options):\n    pass',
  '# cls._meta.in_db = "x" in a comment: read, not written',
  'doc = "cls._meta.in_db = 1"',
  'doc = """\nopts = cls._meta\nopts.in_db = 1\n"""',
  'if model._meta.proxy:\n    pass',
  'while cls._meta.parents:\n    pass',
  'for f in cls._meta.fields:\n    pass',
  'x = getattr(model._meta, "in_db", None)',
  'x = foo(model._meta.app_label, default=None)',
  'label = f"{model._meta.app_label}.{model._meta.model_name}"',
  'return {model._meta.label: model for model in models}',
  'y = a[cls._meta.n:]',
  'call(\n    model._meta.verbose_name,\n)',
];

test('mayWriteMeta says yes for every write writesIn finds, and no for files that only read _meta', async () => {
  await initPython();
  for (const src of writes) {
    const w = writesIn(parsePython(src, 't.py'));
    assert.ok(w.names.length > 0 || w.any !== null, `writesIn finds a write in: ${src}`);
    assert.equal(mayWriteMeta(src), true, src);
  }
  for (const src of reads) {
    assert.deepEqual(writesIn(parsePython(src, 't.py')), { names: [], any: null }, src);
    assert.equal(mayWriteMeta(src), false, src);
  }
});

const PY = djangoPython();

test('every file of Django\'s package that writes a _meta attribute passes mayWriteMeta (an oracle with real writes)', { skip: !PY && 'no Django venv' }, async () => {
  await initPython();
  const dir = execFileSync(PY!, ['-c', 'import django, os; print(os.path.dirname(django.__file__))'], { encoding: 'utf8' }).trim();
  let named = 0, withWrites = 0, passed = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) { walk(f); continue; }
      if (!e.name.endsWith('.py')) continue;
      const src = fs.readFileSync(f, 'utf8');
      if (!src.includes('_meta')) continue;
      named++;
      const may = mayWriteMeta(src);
      if (may) passed++;
      const w = writesIn(parsePython(src, f));
      if (w.names.length || w.any !== null) {
        withWrites++;
        assert.ok(may, `${f} writes ${JSON.stringify(w)} but mayWriteMeta says no`);
      }
    }
  };
  walk(dir);
  // Django 5.2: ~110 files name _meta, 6 of them write to it (Options' own module, the model base, contenttypes, …)
  assert.ok(named > 50 && withWrites >= 3, `${named} files, ${withWrites} with writes`);
  assert.ok(passed < named, `${passed} of ${named} parsed: the test filters some out`);
});
