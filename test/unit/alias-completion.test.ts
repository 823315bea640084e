// Where the editor completes database alias names (src/core/lints/alias-completion.ts): the string literals of the
// positions the unknown-alias lint reads, in complete and in half-typed code, read with tree-sitter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliasCompletionContext } from '../../src/core/lints/alias-completion';
import { aliasUses } from '../../src/core/lints/aliases';
import { initPython, MAX_PARSE_CHARS } from '../../src/core/python/parse';

/** `|` marks the cursor. */
async function at(marked: string) {
  const offset = marked.indexOf('|');
  assert.ok(offset >= 0, 'a cursor mark');
  return aliasCompletionContext(marked.slice(0, offset) + marked.slice(offset + 1), offset);
}
const where = async (marked: string) => (await at(marked))?.where ?? null;

test('each position of the unknown-alias lint, in complete code', async () => {
  assert.equal(await where('Order.objects.using("|")'), '.using(…)');
  assert.equal(await where("Order.objects.db_manager('|').all()"), '.db_manager(…)');
  assert.equal(await where('obj.save(using="|")'), 'using=');
  assert.equal(await where('with transaction.atomic(using="|"):\n    pass\n'), 'using=');
  assert.equal(await where('connections["|"].cursor()'), 'connections[…]');
  assert.equal(await where('django.db.connections["|"]'), 'connections[…]');
  assert.equal(await where('call_command("migrate", database="|")'), 'call_command(database=…)');
  assert.equal(await where('management.call_command("migrate", database="|")'), 'call_command(database=…)');
  assert.equal(await where('def save(self, using="|"):\n    pass\n'), 'using= default');
  assert.equal(await where('def save(self, using: str = "|"):\n    pass\n'), 'using= default');
});

test('other strings are not alias positions', async () => {
  for (const s of [
    'Order.objects.filter(name="|")  # using', 'Order.objects.using("a", "|")', 'Order.objects.using(f"|")', 'Order.objects.using(b"|")',
    'Order.objects.using("""|""")', 'foo("x", database="|")', 'settings["|"]  # connections', 'using("|")', 'x = "|"  # using',
    'Order.objects.using(|"a")', 'Order.objects.using("a"|)', 'Order.objects.using("a" "|")', '# Order.objects.using("|")',
  ]) assert.equal(await where(s), null, s);
});

test('the range is the literal\'s content, the typed part what is before the cursor', async () => {
  const src = 'x = "é"; Order.objects.using("ana|lytics").count()\n';
  const c = await at(src);
  const plain = src.replace('|', '');
  assert.deepEqual(c && { ...c, content: plain.slice(c.start, c.end) }, { where: '.using(…)', start: 30, end: 39, typed: 'ana', quote: '"', content: 'analytics' });
  assert.equal((await at("x.save(using='|')"))?.quote, "'");
});

test('half-typed code: the string or the call is not closed yet', async () => {
  const open = await at('def f(apps, schema_editor):\n    Order.objects.using("ana|\n    return 1\n');
  assert.equal(open?.where, '.using(…)');
  assert.equal(open?.typed, 'ana');
  assert.equal(open!.end - open!.start, 3, 'nothing after the cursor is replaced');
  assert.equal(await where('def f():\n    with transaction.atomic(using="|\n        pass\n'), 'using=');
  assert.equal(await where('connections["|'), 'connections[…]');
  assert.equal(await where('call_command("x", database="de|'), 'call_command(database=…)');
  assert.equal(await where('obj.save(\n    force_insert=True,\n    using="|'), 'using=');
  assert.equal(await where('obj.save(using="|").using("x")'), 'using=');
  // an open string that is not at an alias position
  assert.equal(await where('Order.objects.filter(name="|\n'), null);
  assert.equal(await where('Order.objects.using("a", "|\n'), null);
});

test('agrees with the lint: every literal aliasUses reads is a completion position of the same kind', async () => {
  await initPython();
  // the other spellings of the same positions: attribute forms, keyword order, nesting
  const src = [
    'import django.db',
    'from django.core import management',
    'def archive(order, using: str = "archive"):',
    '    qs = Order._default_manager.db_manager(\'archive\').filter(pk=order.pk)',
    '    order.delete(keep_parents=True, using="archive")',
    '    with django.db.connections["archive"].cursor() as cursor:',
    '        cursor.execute("SELECT 1")',
    '    management.call_command("loaddata", "x.json", verbosity=0, database="archive")',
    '    return list(Order.objects.filter(pk__in=qs).using("reports"))',
    '',
  ].join('\n');
  const lines = src.split('\n');
  const uses = aliasUses(src, 'views.py');
  assert.equal(uses.length, 6);
  for (const u of uses) {
    const offset = lines.slice(0, u.line - 1).reduce((n, l) => n + l.length + 1, 0) + u.col + 1;
    const c = await aliasCompletionContext(src, offset + 1);
    assert.equal(c?.where, u.where, `line ${u.line}`);
    assert.equal(src.slice(c!.start, c!.end), u.alias);
  }
});

test('nothing where no position can be: no quote before the cursor on its line, out of range', async () => {
  assert.equal(await where('x = "|"'), null);
  assert.equal(await aliasCompletionContext('Order.objects.using()', 20), null);
  assert.equal(await aliasCompletionContext('', 0), null);
  assert.equal(await aliasCompletionContext('using("")', 99), null);
  // past the parsing limit no file is parsed at all (a keystroke must stay cheap)
  const huge = `${'#'.repeat(MAX_PARSE_CHARS)}\nx.using("")`;
  assert.equal(await aliasCompletionContext(huge, huge.length - 2), null);
  assert.equal((await aliasCompletionContext(huge.slice(MAX_PARSE_CHARS), huge.length - MAX_PARSE_CHARS - 2))?.where, '.using(…)');
});

test('routers: what db_for_read/db_for_write return, what allow_migrate compares its db with', async () => {
  const router = (method: string, body: string) => `class R:\n    def ${method}:\n        ${body}\n`;
  assert.equal(await where(router('db_for_read(self, model, **hints)', 'return "|"')), 'db_for_read return');
  assert.equal(await where(router('db_for_write(self, model, **hints)', 'return "a" if model else "|"')), 'db_for_write return');
  assert.equal(await where(router('db_for_write(self, model, **hints)', 'return "|" if model else "b"')), 'db_for_write return');
  assert.equal(await where(router('db_for_read(self, model, **hints)', 'return "|')), 'db_for_read return', 'half-typed');
  assert.equal(await where(router('allow_migrate(self, db, app_label, **hints)', 'return db == "|"')), 'allow_migrate db');
  assert.equal(await where(router('allow_migrate(self, database, app_label, **hints)', 'return "|" != database')), 'allow_migrate db');
  assert.equal(await where(router('allow_migrate(self, db, app_label, **hints)', 'return db in ("x", "|")')), 'allow_migrate db');
  assert.equal(await where(router('allow_migrate(self, db, app_label, **hints)', 'return db not in ["|"]')), 'allow_migrate db');
  assert.equal(await where(router('allow_migrate(self, db, app_label, **hints)', 'return db == "|')), 'allow_migrate db', 'half-typed');
  // not aliases: the condition of a conditional, an app label, another method, another comparison
  for (const s of [
    router('db_for_write(self, model, **hints)', 'return x if "|" else "b"'),
    router('allow_migrate(self, db, app_label, **hints)', 'return app_label == "|"'),
    router('allow_relation(self, o1, o2, **hints)', 'return "|"'),
    router('allow_migrate(self, db, app_label, **hints)', 'return db < "|"'),
    router('allow_migrate(self, db, app_label, **hints)', 'return (lambda: "|")()'),
  ]) assert.equal(await where(s), null, s);
});

test('aliasUses: a use guarded by a test that the alias exists is no unknown alias (course-discovery\'s read_replica)', async () => {
  await initPython();
  const src = `from django.conf import settings
from django.db import connections


def replica(queryset):
    return queryset.using("read_replica") if "read_replica" in settings.DATABASES else queryset


def stats(qs):
    if "analytics" in connections and settings.DATABASES.get("archive"):
        qs.using("analytics").count()
        qs.using("archive").count()
    else:
        qs.using("analytics").count()
    return qs.using("reporting")
`;
  const uses = aliasUses(src, 'utils.py');
  assert.deepEqual(uses.map(u => [u.alias, u.line]), [['analytics', 14], ['reporting', 15]]);
});

test('an alias looked up inside `try:` that catches ConnectionDoesNotExist is expected to be missing (Sentry\'s SiloRouter)', () => {
  const src = `from django.db import connections
from django.utils.connection import ConnectionDoesNotExist


class Router:
    def __init__(self):
        try:
            assert connections["control"]
            self.split = True
        except (AssertionError, ConnectionDoesNotExist):
            self.split = False
        try:
            connections["region"]
        except KeyError:
            pass
        try:
            connections["other"]
        except django.utils.connection.ConnectionDoesNotExist:
            connections["fallback"]
`;
  // a handler that does not catch it, and the handler's own body, still count
  assert.deepEqual(aliasUses(src, 'router.py').map(u => [u.alias, u.line]), [['region', 13], ['fallback', 19]]);
});
