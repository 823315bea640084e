// lints/aliases.ts parses a file only when mayNameAlias says an alias literal may be in it: it must never say no
// for a file where aliasUses (the parse) finds one, whatever the spelling (comments, continuations, brackets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliasUses, mayNameAlias } from '../../src/core/lints/aliases';
import { initPython } from '../../src/core/python/parse';

const withLiteral = [
  'Order.objects.using("other").count()',
  'Order.objects.using(  # the replica\n    \'replica\').count()',
  'Order.objects.using \\\n ("x")',
  'Order.objects.using((("x")))',
  'Order.objects.db_manager(r"x").all()',
  'o.save(update_fields=["a"], using = "analytics")',
  // no `connections[` marker: read because of the comment's `using`
  'from django.db import connections  # using\nc = connections [ "x" ].cursor()',
  'django.db.connections[\n  u"x"\n]',
  'call_command("migrate", database="x")',
  'def f(using="default"):\n    pass',
  'def f(using: str = "default"):\n    pass',
  // a test class's databases (RapidPro's TembaTest)
  'class OrderTest(TestCase):\n    databases = {"replcia"}',
];
const without = [
  'Order.objects.using(alias).count()',
  'Order.objects.using(settings.REPLICA).count()',
  'causing = "x"  # not the word using',
  'd = {"using": 1, "database": "x"}',
  'o.save(using=db_alias)',
  'if using == "x": pass',
];

test('mayNameAlias says yes for every alias literal aliasUses finds, no for files without one', async () => {
  await initPython();
  for (const src of withLiteral) {
    assert.equal(aliasUses(src, 't.py').length, 1, src);
    assert.equal(mayNameAlias(src), true, src);
  }
  for (const src of without) {
    assert.equal(mayNameAlias(src), false, src);
    assert.deepEqual(aliasUses(src, 't.py'), [], src);
  }
});

test('a test class\'s databases are alias uses, "__all__" and other classes\' attributes are not (RapidPro)', async () => {
  await initPython();
  const src = 'class TembaTest(SmartminTest):\n    databases = ("default", "readonly")\n\n\nclass Config:\n    databases = ["x"]\n\n\nclass AllTest(TransactionTestCase):\n    databases = "__all__"\n';
  assert.deepEqual(aliasUses(src, 't.py').map(u => [u.alias, u.line, u.where]), [['default', 2, 'TestCase.databases'], ['readonly', 2, 'TestCase.databases']]);
});

test('a using="" parameter default, and `using` of an index\'s SQL methods, are no aliases (Kolibri Studio)', async () => {
  await initPython();
  const src = 'class UniqueActiveUserIndex(Index):\n    def create_sql(self, model, schema_editor, using="gist", **kwargs):\n        pass\n\n\ndef copy(obj, using=""):\n    pass\n\n\ndef fetch(qs, using="replcia"):\n    pass\n';
  assert.deepEqual(aliasUses(src, 't.py').map(u => [u.alias, u.line]), [['replcia', 10]]);
});

test('using= of Django\'s template functions names a template engine, not a database (Pontoon\'s render(…, using="jinja2"))', async () => {
  await initPython();
  const src = 'from django.shortcuts import render\nfrom django.template import loader\nfrom django.template.response import TemplateResponse\n\n\ndef page(request):\n    loader.render_to_string("a.html", using="jinja2")\n    loader.get_template("a.html", using="jinja2")\n    TemplateResponse(request, "a.html", using="jinja2")\n    Order.objects.using("replcia").count()\n    return render(request, "a.html", {}, using="jinja2")\n\n\ndef render_to_string(name, context=None, request=None, using="jinja2"):\n    pass\n';
  assert.deepEqual(aliasUses(src, 't.py').map(u => [u.alias, u.line]), [['replcia', 10]]);
});
