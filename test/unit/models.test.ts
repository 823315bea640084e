// Models read statically (src/core/models) against hand-written expectations and against real Django 5.2
// (`apps.get_models(include_swapped=True)` in the Django venv; skipped with a message when it is missing).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { initPython } from '../../src/core/python/parse';
import { ModuleIndex } from '../../src/core/python/modules';
import { resolveApps } from '../../src/core/apps';
import { indexModels } from '../../src/core/models';
import type { ModelInfo, SettingsInfo } from '../../src/core/types';
import { djangoPython, NO_DJANGO } from '../oracle/helpers';
import { djangoSitePackages, settingsOf, writeTree } from './support';

const PY = djangoPython();

const SITE = djangoSitePackages(PY);

function scan(root: string, settings: SettingsInfo, withSite = true) {
  const index = new ModuleIndex(withSite && SITE ? [root, SITE] : [root]);
  const apps = resolveApps(index, settings, root);
  const models = indexModels(index, apps.apps, settings, root);
  return { apps, ...models, byKey: new Map(models.models.map(m => [m.key, m])) };
}

function rel(m: ModelInfo | undefined, field: string) {
  const f = m?.fields.find(x => x.name === field);
  assert.ok(f, `${m?.key} has no relation field ${field}: ${JSON.stringify(m?.fields.map(x => x.name))}`);
  return f;
}

/** Real Django's view of the models of a settings module. */
const ORACLE = String.raw`
import json, os, sys
import django
django.setup()
from django.apps import apps
out = []
for m in apps.get_models(include_swapped=True):
    o = m._meta
    fields = []
    for f in o.local_fields + o.local_many_to_many:
        if type(f).__name__ in ("ForeignKey", "OneToOneField", "ManyToManyField"):
            rm = f.remote_field.model
            fields.append([f.name, type(f).__name__, rm if isinstance(rm, str) else rm._meta.label,
                           f.db_constraint if type(f).__name__ != "ManyToManyField" else None])
    out.append({"app": o.app_label, "name": o.object_name, "managed": o.managed, "proxy": o.proxy,
                "table": o.db_table, "swapped": bool(o.swapped), "concrete": o.concrete_model._meta.label,
                "fields": sorted(fields)})
print(json.dumps(out, default=str))
`;

function oracle(dir: string, settingsModule: string): any[] {
  return JSON.parse(execFileSync(PY!, ['-c', ORACLE], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir, DJANGO_SETTINGS_MODULE: settingsModule },
  }));
}

/**
 * A project of `mysite.settings` (`installed` as INSTALLED_APPS, an in-memory SQLite database, `lines` of settings
 * before them) and `files`: real Django's models of it, and ours (`values`: the settings the reader would have).
 */
function againstDjango(installed: string[], files: Record<string, string>, opts: { lines?: string; values?: Record<string, unknown> } = {}) {
  const root = writeTree({
    'mysite/__init__.py': '',
    'mysite/settings.py': `SECRET_KEY = "x"\n${opts.lines ?? ''}INSTALLED_APPS = ${JSON.stringify(installed)}\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n`,
    ...files,
  });
  return { expected: oracle(root, 'mysite.settings'), r: scan(root, settingsOf({ installedApps: installed, ...(opts.values ? { values: opts.values } : {}) })) };
}

function ours(models: ModelInfo[]) {
  return models.filter(m => !m.abstract).map(m => ({
    app: m.app, name: m.name, managed: m.managed, proxy: m.proxy, table: m.table, swapped: m.swapped, concrete: m.concreteModel,
    fields: m.fields.map(f => [f.name, f.kind, f.target, f.kind === 'ManyToManyField' ? null : f.dbConstraint]).sort(),
  }));
}

// ---------------------------------------------------------------------------------------------------------

const SHOP_SETTINGS = `SECRET_KEY = "x"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "accounts",
    "shop.apps.ShopConfig",
    "legacy",
    "blog",
    "plugins.tags",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
`;

const SHOP: Record<string, string> = {
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
  'mysite/__init__.py': '',
  'mysite/settings.py': SHOP_SETTINGS,
  'accounts/__init__.py': '',
  'accounts/models.py': `from django.contrib.auth.models import AbstractUser
from django.db import models as m


class User(AbstractUser):
    nickname = m.CharField(max_length=20)
    best_friend = m.ForeignKey("self", null=True, on_delete=m.SET_NULL, related_name="+")
`,
  'shop/__init__.py': '',
  'shop/apps.py': `from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    label = "store"
`,
  'shop/models/__init__.py': `from .base import *
from .products import Product, ProductProxy
from . import orders
`,
  'shop/models/base.py': `from django.db import models
from django.conf import settings

__all__ = ["Timestamped", "Owned"]


class Timestamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created"]
        db_table = "inherited_table"


class Owned(Timestamped):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("Category", on_delete=models.CASCADE, related_name="+")

    class Meta(Timestamped.Meta):
        abstract = True


class Category(models.Model):
    name = models.CharField(max_length=10)
`,
  'shop/models/products.py': `from django.db.models import Model, ForeignKey as FK, CASCADE, CharField
from django.db import models
from legacy.models import Customer
from .base import Owned, Category


class Product(Owned):
    title = CharField(max_length=10)
    supplier = FK(Customer, on_delete=CASCADE, db_constraint=False)
    tags = models.ManyToManyField("tags.Tag", through="ProductTag")


class ProductTag(Model):
    product = FK(Product, on_delete=CASCADE)
    tag = FK(to="tags.Tag", on_delete=CASCADE)


class ProductProxy(Product):
    class Meta:
        proxy = True
        ordering = ["title"]


class SpecialProduct(Product):
    extra = models.OneToOneField(Category, on_delete=CASCADE)
`,
  'shop/models/orders.py': `from django.db import models


class Order(models.Model):
    product = models.ForeignKey("store.Product", on_delete=models.CASCADE)
    customer = models.ForeignKey("legacy.customer", on_delete=models.CASCADE)

    class Meta:
        db_table = "orders"
`,
  'legacy/__init__.py': '',
  'legacy/models.py': `from django.db import models

TABLE = "old_customers"


class Customer(models.Model):
    database = "legacy"
    name = models.CharField(max_length=10)

    class Meta:
        managed = False
        db_table = TABLE


class Base(models.Model):
    class Meta:
        db_table = "legacy_base_table"
        managed = False


class Child(Base):
    pass


class Unmanaged(models.Model):
    class Meta:
        abstract = True
        managed = False


class FromUnmanaged(Unmanaged):
    pass


class OwnMeta(Unmanaged):
    class Meta:
        ordering = ["id"]
`,
  'blog/__init__.py': '',
  'blog/models.py': `import django.db.models


class Post(django.db.models.Model):
    author = django.db.models.ForeignKey("accounts.User", on_delete=django.db.models.CASCADE)


class Place(django.db.models.Model):
    pass


class Restaurant(Place):
    place_link = django.db.models.OneToOneField(Place, parent_link=True, on_delete=django.db.models.CASCADE, related_name="+")


class Bar(Place):
    pass


class BarProxy(Bar):
    class Meta:
        proxy = True
        db_table = "ignored_for_proxies"


class ProxyOfProxy(BarProxy):
    class Meta:
        proxy = True
`,
  'plugins/__init__.py': '',
  'plugins/tags/__init__.py': '',
  'plugins/tags/models.py': `from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=10)
`,
};

const SHOP_INSTALLED = ['django.contrib.admin', 'django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.sessions', 'accounts', 'shop.apps.ShopConfig', 'legacy', 'blog', 'plugins.tags'];

before(async () => {
  await initPython();
});

test('models of a project: tables, Meta inheritance, proxies, multi-table inheritance, relations', () => {
  const root = writeTree(SHOP);
  const r = scan(root, settingsOf({ installedApps: SHOP_INSTALLED, authUserModel: 'accounts.User' }));
  const m = r.byKey;

  // abstract models are listed (abstract: true), concrete ones with Django's tables
  assert.equal(m.get('store.Timestamped')?.abstract, true);
  assert.equal(m.get('store.Owned')?.abstract, true);
  assert.equal(m.get('store.Category')?.table, 'store_category');
  // `class Meta(Timestamped.Meta)` and no own Meta on Product: the abstract parents' Meta (db_table too)
  assert.equal(m.get('store.Product')?.table, 'inherited_table');
  assert.deepEqual(m.get('store.Product')?.meta.ordering, ['-created']);
  assert.equal(m.get('store.Product')?.meta.abstract, false);
  assert.equal(m.get('store.Order')?.table, 'orders');
  // a module constant as db_table; unmanaged; literal class attributes
  const cust = m.get('legacy.Customer')!;
  assert.equal(cust.table, 'old_customers');
  assert.equal(cust.managed, false);
  assert.deepEqual(cust.attrs, { database: 'legacy' });
  // a concrete parent's Meta is not inherited (Django pops it): default table, managed again
  assert.equal(m.get('legacy.Child')?.table, 'legacy_child');
  assert.equal(m.get('legacy.Child')?.managed, true);
  // the abstract parent's Meta is inherited without an own Meta, not with one
  assert.equal(m.get('legacy.FromUnmanaged')?.managed, false);
  assert.equal(m.get('legacy.OwnMeta')?.managed, true);

  // proxies: the concrete model's table, whatever their own Meta says; concrete_model through proxies
  const proxy = m.get('store.ProductProxy')!;
  assert.equal(proxy.proxy, true);
  assert.equal(proxy.table, 'inherited_table');
  assert.equal(proxy.concreteModel, 'store.Product');
  assert.equal(m.get('blog.BarProxy')?.table, 'blog_bar');
  assert.equal(m.get('blog.ProxyOfProxy')?.concreteModel, 'blog.Bar');
  assert.deepEqual(m.get('blog.ProxyOfProxy')?.fields, []);

  // relations: class references through imports, "Model" of the same app, settings.AUTH_USER_MODEL,
  // db_constraint=False, M2M through, inherited from abstract parents (resolved in the child's app)
  const product = m.get('store.Product')!;
  assert.deepEqual(product.bases, ['store.Owned']);
  const supplier = rel(product, 'supplier');
  assert.equal(supplier.kind, 'ForeignKey');
  assert.equal(supplier.target, 'legacy.Customer');
  assert.equal(supplier.targetRaw, 'Customer');
  assert.equal(supplier.dbConstraint, false);
  const tags = rel(product, 'tags');
  assert.equal(tags.kind, 'ManyToManyField');
  assert.equal(tags.target, 'tags.Tag');
  assert.equal(tags.through, 'store.ProductTag');
  const owner = rel(product, 'owner');
  assert.equal(owner.target, 'accounts.User');
  assert.equal(owner.targetRaw, 'settings.AUTH_USER_MODEL');
  assert.equal(owner.inheritedFrom, 'store.Owned');
  assert.equal(owner.loc.path, path.join(root, 'shop/models/base.py'));
  assert.equal(owner.loc.line, 17);
  assert.equal(rel(product, 'category').target, 'store.Category');
  assert.equal(rel(m.get('store.ProductTag'), 'tag').target, 'tags.Tag');
  assert.equal(rel(m.get('store.ProductTag'), 'product').target, 'store.Product');
  // case-insensitive "app.model" strings are spelled as the class is
  assert.equal(rel(m.get('store.Order'), 'customer').target, 'legacy.Customer');
  assert.equal(rel(m.get('store.Order'), 'customer').targetRaw, 'legacy.customer');
  assert.equal(rel(m.get('accounts.User'), 'best_friend').target, 'accounts.User');

  // multi-table inheritance: an implicit parent link, unless one is declared
  const ptr = rel(m.get('store.SpecialProduct'), 'product_ptr');
  assert.equal(ptr.kind, 'OneToOneField');
  assert.equal(ptr.target, 'store.Product');
  assert.equal(ptr.autoCreated, true);
  assert.equal(ptr.parentLink, true);
  assert.equal(rel(m.get('blog.Bar'), 'place_ptr').target, 'blog.Place');
  assert.equal(m.get('blog.Restaurant')?.fields.map(f => f.name).join(), 'place_link');
  assert.equal(rel(m.get('blog.Post'), 'author').target, 'accounts.User');

  // order: INSTALLED_APPS order, then import (registration) order inside an app
  assert.deepEqual(r.models.filter(x => x.app === 'store' && !x.abstract).map(x => x.name), ['Category', 'Product', 'ProductTag', 'ProductProxy', 'SpecialProduct', 'Order']);
  assert.equal(m.get('store.Product')?.loc.path, path.join(root, 'shop/models/products.py'));
  assert.equal(m.get('store.Product')?.loc.line, 7);
  // without site-packages AbstractUser cannot be read: accounts.User is still a model, with a problem
  if (SITE) assert.deepEqual(r.problems, []);
  else assert.ok(r.problems.every(p => p.message.includes('AbstractUser')), JSON.stringify(r.problems));
});

test('models: Django itself does not need to be installed to recognise models and fields', () => {
  const root = writeTree({
    'app1/__init__.py': '',
    'app1/models.py': `from django.db.models import Model
from django.db import models as m
import django.db.models as dm
from django.contrib.gis.db import models as gis


class A(Model):
    pass


class B(m.Model):
    a = m.OneToOneField(A, on_delete=m.CASCADE)


class C(dm.Model):
    b = dm.ManyToManyField("B")


class D(gis.Model):
    c = gis.ForeignKey("app1.C", on_delete=gis.CASCADE)


class NotAModel:
    x = 1
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['app1'] }), false);
  assert.deepEqual(r.models.map(m => m.key), ['app1.A', 'app1.B', 'app1.C', 'app1.D']);
  assert.equal(rel(r.byKey.get('app1.B'), 'a').target, 'app1.A');
  assert.equal(rel(r.byKey.get('app1.C'), 'b').target, 'app1.B');
  assert.equal(rel(r.byKey.get('app1.D'), 'c').target, 'app1.C');
});

test('models: swapped auth.User, admin.LogEntry to settings.AUTH_USER_MODEL (Django venv)', t => {
  if (!SITE) return t.skip(NO_DJANGO);
  const root = writeTree({ 'accounts/__init__.py': '', 'accounts/models.py': SHOP['accounts/models.py']! });
  const installed = ['django.contrib.admin', 'django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.sessions', 'accounts'];
  const swapped = scan(root, settingsOf({ installedApps: installed, authUserModel: 'accounts.User' }));
  assert.equal(swapped.byKey.get('auth.User')?.swapped, true);
  assert.equal(swapped.byKey.get('auth.User')?.swappedFor, 'accounts.User');
  assert.equal(swapped.byKey.get('accounts.User')?.swapped, false);
  assert.equal(rel(swapped.byKey.get('admin.LogEntry'), 'user').target, 'accounts.User');
  assert.equal(rel(swapped.byKey.get('admin.LogEntry'), 'user').targetRaw, 'settings.AUTH_USER_MODEL');
  // the custom user inherits the M2M fields of PermissionsMixin through AbstractUser (from site-packages)
  const groups = rel(swapped.byKey.get('accounts.User'), 'groups');
  assert.equal(groups.target, 'auth.Group');
  assert.equal(groups.inheritedFrom, 'auth.PermissionsMixin');
  assert.equal(groups.loc.path.includes('site-packages'), true);

  const plain = scan(root, settingsOf({ installedApps: installed.slice(0, 4) }));
  const user = plain.byKey.get('auth.User')!;
  assert.equal(user.swapped, false);
  assert.equal(user.table, 'auth_user');
  assert.deepEqual(user.fields.map(f => [f.name, f.kind, f.target]).sort(), [['groups', 'ManyToManyField', 'auth.Group'], ['user_permissions', 'ManyToManyField', 'auth.Permission']]);
  assert.deepEqual(plain.byKey.get('auth.Group')?.fields.map(f => [f.name, f.kind, f.target]), [['permissions', 'ManyToManyField', 'auth.Permission']]);
  assert.deepEqual(plain.byKey.get('auth.Permission')?.fields.map(f => [f.name, f.kind, f.target]), [['content_type', 'ForeignKey', 'contenttypes.ContentType']]);
  assert.equal(plain.byKey.get('contenttypes.ContentType')?.table, 'django_content_type');
  assert.equal(rel(plain.byKey.get('admin.LogEntry'), 'user').target, 'auth.User');
  assert.equal(plain.byKey.get('admin.LogEntry')?.table, 'django_admin_log');
  assert.equal(plain.byKey.get('sessions.Session')?.table, 'django_session');
  for (const m of plain.models) assert.equal(path.isAbsolute(m.loc.path), true);
  assert.equal(plain.apps.apps.every(a => a.external), true);
});

test('models of django.contrib equal apps.get_models(include_swapped=True) (Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  const installed = ['django.contrib.admin', 'django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.sessions', 'django.contrib.messages',
    'django.contrib.staticfiles', 'django.contrib.sites', 'django.contrib.flatpages', 'django.contrib.redirects'];
  const { expected, r } = againstDjango(installed, {});
  assert.deepEqual(ours(r.models), expected);
  assert.deepEqual(r.problems, []);
});

test('models of a multi-app project equal real Django (Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  const root = writeTree(SHOP);
  const expected = oracle(root, 'mysite.settings');
  const r = scan(root, settingsOf({ installedApps: SHOP_INSTALLED, authUserModel: 'accounts.User' }));
  assert.deepEqual(ours(r.models), expected);
});

test('models: syntax errors and unresolvable bases are reported, not fatal', () => {
  const root = writeTree({
    'app1/__init__.py': '',
    'app1/models.py': `from django.db import models
from somelib.models import TimeStampedModel
from somelib.mixins import Mixin
from . import helpers


class Good(models.Model):
    other = models.ForeignKey("app1.Half", on_delete=models.CASCADE)


class Half(models.Model):
    name = models.
    parent = models.ForeignKey("self", on_delete=models.CASCADE)


class After(models.Model):
    def broken(:
        pass


class Guessed(TimeStampedModel):
    title = models.CharField(max_length=10)


class PlainMixinUser(Mixin):
    pass


class Weird(helpers.Missing):
    pass


class Cyclic(Cyclic):
    pass
`,
    'app1/helpers.py': 'X = 1\n',
  });
  const r = scan(root, settingsOf({ installedApps: ['app1'] }), false);
  const keys = r.models.map(m => m.key);
  assert.ok(keys.includes('app1.Good'));
  assert.ok(keys.includes('app1.Half'), keys.join());
  assert.ok(keys.includes('app1.After'), keys.join());
  assert.ok(keys.includes('app1.Guessed'));
  assert.ok(!keys.includes('app1.PlainMixinUser'));
  assert.ok(!keys.includes('app1.Weird'));
  assert.equal(rel(r.byKey.get('app1.Good'), 'other').target, 'app1.Half');
  assert.ok(r.problems.some(p => p.code === 'parse-error' && p.path?.endsWith('models.py')), JSON.stringify(r.problems));
  assert.ok(r.problems.some(p => p.message.includes('TimeStampedModel') && p.line === 21), JSON.stringify(r.problems));
});

test('models: schemas of other modelling libraries (pydantic) are not models, however their bases are named', () => {
  // Saleor's editorjs (`from pydantic import BaseModel as UnsafeBaseModel`), healthchecks, Kitsune
  const root = writeTree({
    'app1/__init__.py': '',
    'app1/models.py': `from django.db import models
from pydantic import BaseModel, Field
from pydantic import (
    BaseModel as UnsafeBaseModel,
)
import pydantic
from somelib.models import TimeStampedModel
from otherlib import SchemaModel


class Strict(UnsafeBaseModel):
    model_config = {"extra": "ignore"}


class Size(Strict):
    width: int | None = None


class Answer(BaseModel):
    content: str = Field(min_length=1)


class Dotted(pydantic.BaseModel):
    x: int = 0


class Annotated(SchemaModel):
    name: str
    size: int = 0


class Guessed(TimeStampedModel):
    pass


class Real(models.Model):
    name = models.CharField(max_length=10)
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['app1'] }), false);
  assert.deepEqual(r.models.map(m => m.key).sort(), ['app1.Guessed', 'app1.Real']);
});

test('models: concrete class outside any app, app_label override, name conflicts', () => {
  const root = writeTree({
    'common/__init__.py': '',
    'common/base.py': `from django.db import models


class Orphan(models.Model):
    pass


class Labeled(models.Model):
    class Meta:
        app_label = "app1"


class AbstractThing(models.Model):
    class Meta:
        abstract = True
`,
    'app1/__init__.py': '',
    'app1/models.py': `from common.base import *
from django.db import models


class Thing(AbstractThing):
    pass


if __import__("os").environ.get("DUP"):
    class Dup(models.Model):
        pass
else:
    class Dup(models.Model):
        pass
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['app1'] }), false);
  const keys = r.models.map(m => m.key);
  assert.ok(keys.includes('app1.Labeled'));
  assert.ok(keys.includes('app1.Thing'));
  assert.ok(!keys.some(k => k.endsWith('.Orphan')));
  assert.ok(!keys.some(k => k.endsWith('.AbstractThing')));
  assert.equal(keys.filter(k => k === 'app1.Dup').length, 1);
  assert.ok(r.problems.some(p => p.message.includes("doesn't declare an explicit app_label")), JSON.stringify(r.problems));
  assert.ok(r.problems.some(p => p.message.includes('Conflicting')), JSON.stringify(r.problems));
});

test('literalEval: ast.literal_eval subset', async () => {
  const { literalEval } = await import('../../src/core/python/literal');
  const { parsePython } = await import('../../src/core/python/parse');
  const ev = (src: string) => {
    const s = parsePython(`x = ${src}\n`).body[0];
    assert.equal(s?.type, 'Assign');
    return literalEval((s as { value: import('../../src/core/python/ast').Expr }).value);
  };
  assert.deepEqual(ev('"a" "b"'), { ok: true, value: 'ab' });
  assert.deepEqual(ev('(1, -2.5, True, None, [3], {"k": {4}})'), { ok: true, value: [1, -2.5, true, null, [3], { k: [4] }] });
  assert.deepEqual(ev('{1: "x"}'), { ok: true, value: new Map([[1, 'x']]) });
  assert.deepEqual(ev('{"a", "a"}'), { ok: true, value: ['a'] });
  assert.deepEqual(ev('-True'), { ok: true, value: -1 });
  assert.deepEqual(ev('f"{x}"'), { ok: false });
  assert.deepEqual(ev('a.b'), { ok: false });
  assert.deepEqual(ev('{**a}'), { ok: false });
  assert.deepEqual(ev('-"s"'), { ok: false });
  assert.deepEqual(ev('1 + 2'), { ok: false });
});

test('models: a concrete model named as an abstract one of its app is no conflict (Kolibri content; Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  const { expected, r } = againstDjango(['content'], {
    'content/__init__.py': '',
    'content/base_models.py': `from django.db import models


class ContentTag(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        abstract = True


class Language(models.Model):
    code = models.CharField(max_length=8)

    class Meta:
        abstract = True
`,
    'content/models.py': `from django.db import models
from . import base_models


class ContentTag(base_models.ContentTag):
    pass


class Language(base_models.Language):
    extra = models.IntegerField(default=0)
`,
  });
  assert.deepEqual(ours(r.models), expected);
  assert.deepEqual(r.problems, []);
  assert.equal(r.models.filter(m => m.key === 'content.ContentTag').length, 1);
});

test('models: an inherited Meta whose db_table is an f-string of a setting (PeeringDB over django_peeringdb; Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  const { expected, r } = againstDjango(['pdb'], {
    'pdblib/__init__.py': '',
    'pdblib/abstract.py': `from django.conf import settings
from django.db import models


class OrganizationBase(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        abstract = True
        db_table = f"{settings.TABLE_PREFIX}organization"
`,
    'pdb/__init__.py': '',
    'pdb/models.py': `from pdblib import abstract as pdb_models


class Organization(pdb_models.OrganizationBase):
    class Meta(pdb_models.OrganizationBase.Meta):
        abstract = False
`,
  }, { lines: 'TABLE_PREFIX = "peeringdb_"\n', values: { TABLE_PREFIX: 'peeringdb_' } });
  assert.deepEqual(ours(r.models), expected);
  assert.equal(r.byKey.get('pdb.Organization')?.table, 'peeringdb_organization');
  assert.deepEqual(r.problems, []);
});

test('models: a proxy whose base cannot be resolved says which base (PeeringDB: reversion not installed)', () => {
  const root = writeTree({
    'app1/__init__.py': '',
    'app1/models.py': 'from django.db import models\nfrom reversion.models import Version\n\n\nclass StripFieldMixin(models.Model):\n    class Meta:\n        abstract = True\n\n\nclass History(Version, StripFieldMixin):\n    class Meta:\n        proxy = True\n',
  });
  const r = scan(root, settingsOf({ installedApps: ['app1'] }), false);
  const p = r.problems.find(x => x.message.includes("Proxy model 'History'"));
  assert.ok(p, JSON.stringify(r.problems));
  assert.match(p.message, /base Version could not be resolved \(reversion is not installed in the Python environment used\)/);
  // the environment's to fix (an info), not the project's
  assert.equal(p.environment, true);
  // a base that is the project's own and not there (a typo) stays the project's
  const typo = writeTree({
    'app1/__init__.py': '',
    'app1/models.py': 'from django.db import models\n\n\nclass History(Versoin):\n    class Meta:\n        proxy = True\n',
  });
  const t = scan(typo, settingsOf({ installedApps: ['app1'] }), false).problems.find(x => x.message.includes("Proxy model 'History'"));
  assert.ok(t && !t.environment, JSON.stringify(t));
});

test('models: a module-level if on a setting takes one branch (django_peeringdb ABSTRACT_ONLY; Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  for (const abstractOnly of [true, false]) {
    const { expected, r } = againstDjango(['pdblib'], {
      'pdblib/__init__.py': '',
      'pdblib/models/__init__.py': 'from django.conf import settings as __settings\n\nfrom .abstract import *  # noqa\n\nif not __settings.ABSTRACT_ONLY:\n    from .concrete import *  # noqa\n',
      'pdblib/models/abstract.py': 'from django.db import models\n\n\nclass OrganizationBase(models.Model):\n    name = models.CharField(max_length=20)\n\n    class Meta:\n        abstract = True\n',
      'pdblib/models/concrete.py': 'from .abstract import OrganizationBase\n\n\nclass Organization(OrganizationBase):\n    class Meta:\n        app_label = "pdblib"\n',
    }, { lines: `ABSTRACT_ONLY = ${abstractOnly ? 'True' : 'False'}\n`, values: { ABSTRACT_ONLY: abstractOnly } });
    assert.deepEqual(ours(r.models), expected, `ABSTRACT_ONLY = ${abstractOnly}`);
  }
});

test('models: a base from a package not installed is the environment\'s problem (Kolibri: morango SyncableModel)', () => {
  const root = writeTree({
    'app1/__init__.py': '',
    'app1/models.py': 'from django.db import models\nfrom morango.models import SyncableModel\n\n\nclass Facility(SyncableModel):\n    name = models.CharField(max_length=20)\n',
  });
  const r = scan(root, settingsOf({ installedApps: ['app1'] }));
  assert.ok(r.byKey.get('app1.Facility'), 'read as a model');
  const p = r.problems.find(x => x.message.startsWith('base class SyncableModel'));
  assert.ok(p, JSON.stringify(r.problems));
  assert.match(p.message, /\(morango is not installed in the Python environment used\)/);
  assert.equal(p.environment, true);
});

test('models: the modules of a models/ package are read even when models/__init__.py imports none (kpi languages; Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  const { expected, r } = againstDjango(['django.contrib.admin', 'django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.sessions', 'django.contrib.messages', 'languages'], {
    'languages/__init__.py': '',
    'languages/models/__init__.py': '',
    'languages/models/language.py': 'from django.db import models\n\n\nclass Language(models.Model):\n    code = models.CharField(max_length=8)\n\n    class Meta:\n        app_label = "languages"\n',
    // Django registers Language when admin autodiscovery imports languages.admin
    'languages/admin.py': 'from django.contrib import admin\n\nfrom .models.language import Language\n\nadmin.site.register(Language)\n',
  });
  assert.ok(expected.some((m: any) => m.app === 'languages' && m.name === 'Language'), 'Django registers it');
  assert.deepEqual(ours(r.models).filter(m => m.app === 'languages'), expected.filter((m: any) => m.app === 'languages'));
});

test('models: a module of a models/ package that nothing imports is never registered; one ready() imports is (etools-datamart; Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  const { expected, r } = againstDjango(['django.contrib.auth', 'django.contrib.contenttypes', 'legacy.apps.LegacyConfig'], {
    'legacy/__init__.py': '',
    'legacy/apps.py': 'from django.apps import AppConfig\n\n\nclass LegacyConfig(AppConfig):\n    name = "legacy"\n\n    def ready(self):\n        from .models import signals_models  # noqa\n',
    'legacy/models/__init__.py': 'from .public import *  # noqa\n',
    'legacy/models/public.py': 'from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=8)\n\n    class Meta:\n        app_label = "legacy"\n',
    // an older copy kept beside it: the same model and one more, imported by nothing but a test
    'legacy/models/public_old.py': 'from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=8)\n\n    class Meta:\n        app_label = "legacy"\n\n\nclass Ghost(models.Model):\n    class Meta:\n        app_label = "legacy"\n',
    'legacy/tests/__init__.py': '',
    'legacy/tests/test_old.py': 'from legacy.models.public_old import Ghost  # noqa\n',
    'legacy/models/signals_models.py': 'from django.db import models\n\n\nclass Signal(models.Model):\n    class Meta:\n        app_label = "legacy"\n',
  });
  const legacy = (ms: { app: string }[]) => ms.filter(m => m.app === 'legacy');
  assert.deepEqual(legacy(expected).map((m: any) => m.name).sort(), ['Item', 'Signal'], 'what Django registers');
  assert.deepEqual(legacy(ours(r.models)), legacy(expected));
  assert.deepEqual(r.problems.filter(p => /Conflicting/.test(p.message)), [], 'no conflict with a module Django never imports');
});

test('models: django-simple-history registers Historical<Model> beside a model with HistoricalRecords (bustimes)', () => {
  const root = writeTree({
    'vehicles/__init__.py': '',
    'vehicles/models.py': `from django.db import models
from simple_history.models import HistoricalRecords


class Operator(models.Model):
    name = models.CharField(max_length=20)


class Livery(models.Model):
    name = models.CharField(max_length=20)
    operator = models.ForeignKey(Operator, models.CASCADE)
    history = HistoricalRecords()


class Note(models.Model):
    text = models.TextField()
    history = HistoricalRecords(custom_model_name="NoteHistory", table_name="note_history")
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['simple_history', 'vehicles'], authUserModel: 'accounts.User' }), false);
  const h = r.byKey.get('vehicles.HistoricalLivery');
  assert.ok(h, JSON.stringify([...r.byKey.keys()]));
  assert.equal(h.table, 'vehicles_historicallivery');
  assert.deepEqual(h.fields.map(f => [f.name, f.kind, f.target, f.dbConstraint]), [['operator', 'ForeignKey', 'vehicles.Operator', false], ['history_user', 'ForeignKey', 'accounts.User', true]]);
  assert.equal(r.byKey.get('vehicles.NoteHistory')?.table, 'note_history');
  // without simple_history in INSTALLED_APPS too: HistoricalRecords makes its model as the class is prepared
  // (openedx/credentials lists no simple_history)
  const without = scan(root, settingsOf({ installedApps: ['vehicles'] }), false);
  assert.ok(without.byKey.has('vehicles.HistoricalLivery'));
});

test('models: django-simple-history\'s register() at a models module\'s top level or in AppConfig.ready() makes the history model too', () => {
  const root = writeTree({
    'project/__init__.py': '',
    'project/accounts/__init__.py': '',
    'project/accounts/apps.py': `from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "project.accounts"
    label = "accounts"
`,
    'project/accounts/models.py': `from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history import register


class User(AbstractUser):
    team = models.ForeignKey("shop.Team", models.SET_NULL, null=True)


class Profile(models.Model):
    user = models.OneToOneField(User, models.CASCADE)


register(Profile, app=__package__)
`,
    'shop/__init__.py': '',
    'shop/apps.py': `from django.apps import AppConfig
from simple_history import register as track


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self):
        from simple_history import register
        from .models import Team, Order

        register(Team, custom_model_name="TeamReadyLog")
        track(Order, custom_model_name="OrderReadyLog")
`,
    'shop/models.py': `from django.contrib.auth import get_user_model
from django.db import models
from simple_history import register
import simple_history

from project.accounts.models import User


class Team(models.Model):
    name = models.CharField(max_length=20)


class Order(models.Model):
    team = models.ForeignKey(Team, models.CASCADE)


class Draft(models.Model):
    class Meta:
        abstract = True


register(Order, table_name="shop_order_log")
simple_history.register(Team, app="project.accounts", custom_model_name="TeamHistory")
register(get_user_model(), app="shop")
register(Order, app="accounts", custom_model_name="NoSuchApp")
register(Draft)


def later():
    register(Team, custom_model_name="NotRead")


def register_all(model):
    pass
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['django.contrib.auth', 'django.contrib.contenttypes', 'project.accounts', 'shop'], authUserModel: 'accounts.User' }), false);
  const order = r.byKey.get('shop.HistoricalOrder');
  assert.ok(order, JSON.stringify([...r.byKey.keys()]));
  assert.equal(order.table, 'shop_order_log');
  assert.deepEqual(order.fields.map(f => [f.name, f.kind, f.target, f.dbConstraint]), [['team', 'ForeignKey', 'shop.Team', false], ['history_user', 'ForeignKey', 'accounts.User', true]]);
  assert.equal(r.byKey.get('accounts.TeamHistory')?.table, 'accounts_teamhistory');
  assert.equal(r.byKey.get('shop.HistoricalUser')?.table, 'shop_historicaluser');
  // in the AppConfig's ready(), with names it imports itself or the module's
  assert.equal(r.byKey.get('shop.TeamReadyLog')?.table, 'shop_teamreadylog');
  assert.ok(r.byKey.has('shop.OrderReadyLog'), JSON.stringify([...r.byKey.keys()]));
  assert.equal(r.byKey.get('shop.TeamReadyLog')?.loc.path.endsWith('apps.py'), true);
  // `app=__package__` (readthedocs): the calling module's package, here the app project.accounts (label accounts)
  assert.equal(r.byKey.get('accounts.HistoricalProfile')?.table, 'accounts_historicalprofile');
  assert.ok(r.byKey.get('shop.HistoricalUser')?.fields.some(f => f.name === 'team' && f.target === 'shop.Team'));
  // an abstract model has no history; a call in a function is not read; `app` names an app's module (Django cannot
  // find the app of "accounts.models": no history model)
  assert.ok(!r.byKey.has('accounts.NoSuchApp') && !r.byKey.has('shop.NoSuchApp'));
  assert.ok(!r.byKey.has('shop.HistoricalDraft'));
  assert.ok(!r.byKey.has('shop.NotRead'));
});

test('models: a name standing for HistoricalRecords (functools.partial, a subclass) makes the history models too (readthedocs)', () => {
  const root = writeTree({
    'core/__init__.py': '',
    'core/history.py': `from functools import partial
from simple_history.models import HistoricalRecords


class ExtraFieldsHistoricalModel:
    pass


ExtraHistoricalRecords = partial(HistoricalRecords, bases=[ExtraFieldsHistoricalModel], table_name="core_extra_history")


class AuditedRecords(HistoricalRecords):
    pass
`,
    'core/models.py': `from django.db import models
from .history import ExtraHistoricalRecords, AuditedRecords


class Project(models.Model):
    history = ExtraHistoricalRecords()


class Team(models.Model):
    history = AuditedRecords(custom_model_name="TeamLog")


class Other(models.Model):
    history = models.Manager()
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['core'] }), false);
  assert.equal(r.byKey.get('core.HistoricalProject')?.table, 'core_extra_history', JSON.stringify([...r.byKey.keys()]));
  assert.ok(r.byKey.has('core.TeamLog'));
  assert.deepEqual([...r.byKey.keys()].filter(k => /Histor|Log/.test(k)).sort(), ['core.HistoricalProject', 'core.TeamLog']);
});

test('models: HistoricalRecords(inherit=True) on a base gives every model below it a history (giga-maps core.BaseModel)', () => {
  const root = writeTree({
    'core/__init__.py': '',
    'core/models.py': `from django.db import models
from simple_history.models import HistoricalRecords


class BaseModel(models.Model):
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class Plain(models.Model):
    history = HistoricalRecords()

    class Meta:
        abstract = True
`,
    'accounts/__init__.py': '',
    'accounts/models.py': `from django.db import models
from core.models import BaseModel, Plain


class API(BaseModel):
    name = models.CharField(max_length=9)


class Key(API):
    value = models.CharField(max_length=9)


class Untracked(Plain):
    name = models.CharField(max_length=9)
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['simple_history', 'core', 'accounts'] }), false);
  const keys = [...r.byKey.keys()].filter(k => k.startsWith('accounts.')).sort();
  // Key inherits API's history field: simple-history registers HistoricalKey too; Plain's history is not inherited
  assert.deepEqual(keys, ['accounts.API', 'accounts.HistoricalAPI', 'accounts.HistoricalKey', 'accounts.Key', 'accounts.Untracked']);
  assert.equal(r.byKey.get('accounts.HistoricalAPI')?.table, 'accounts_historicalapi');
});

test('models: a class with an unreadable base and a model\'s Meta options or a manager is a model (etools Location, ActionPointComment); a serializer is not', () => {
  const root = writeTree({
    'geo/__init__.py': '',
    'geo/models.py': `from django.db import models
from extlib.models import AbstractLocation, Comment
from rest_framework import serializers
from taggit.models import TagBase


class Location(AbstractLocation):
    objects = models.Manager()
    simple_objects = LocationManager()


class Note(Comment):
    class Meta:
        proxy = True
        ordering = ["-id"]


class Plain(AbstractLocation):
    code = models.CharField(max_length=10)


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = "__all__"


class Holder(object):
    class Meta:
        ordering = ["x"]


class DocumentTag(TagBase):
    """kuma: a taggit tag, its Meta verbose names only"""

    class Meta:
        verbose_name = "Document Tag"
        verbose_name_plural = "Document Tags"


class TagForm(TagBase):
    class Meta:
        model = DocumentTag
        fields = ["name"]
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['geo'] }), false);
  assert.deepEqual([...r.byKey.keys()].filter(k => k.startsWith('geo.')).sort(), ['geo.DocumentTag', 'geo.Location', 'geo.Note', 'geo.Plain']);
  assert.equal(r.byKey.get('geo.Note')?.proxy, true);
});

test('models: Meta.app_label read from a module-level instance\'s property (giga-maps: app_label = app_config.app_name)', () => {
  const root = writeTree({
    'proco/__init__.py': '',
    'proco/giga_meter/__init__.py': '',
    'proco/giga_meter/config.py': 'class AppConfig:\n    @property\n    def app_name(self):\n        """The label."""\n        return "giga_meter"\n\n    db = "meter_db"\n\n\napp_config = AppConfig()\n',
    'proco/giga_meter/models.py': `from django.db import models
from proco.giga_meter.config import app_config


class Reading(models.Model):
    n = models.IntegerField()

    class Meta:
        app_label = app_config.app_name
        db_table = app_config.db + "_reading"
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['proco.giga_meter'] }), false);
  assert.deepEqual([...r.byKey.keys()].filter(k => k.endsWith('.Reading')), ['giga_meter.Reading']);
  assert.equal(r.byKey.get('giga_meter.Reading')?.table, 'meter_db_reading');
  assert.deepEqual(r.problems.filter(p => /cannot be evaluated/.test(p.message)), []);
});

test('models: Meta.swappable = swapper.swappable_setting(app, model) is read (HOPE aurora.Record): not swapped unless the setting names another model', () => {
  const root = writeTree({
    'aurora/__init__.py': '',
    'aurora/models.py': 'import swapper\nfrom django.db import models\n\n\nclass Record(models.Model):\n    n = models.IntegerField()\n\n    class Meta:\n        swappable = swapper.swappable_setting("aurora", "Record")\n',
  });
  const plain = scan(root, settingsOf({ installedApps: ['aurora'] }), false);
  assert.equal(plain.byKey.get('aurora.Record')?.swapped, false);
  assert.deepEqual(plain.problems.filter(p => /cannot be evaluated/.test(p.message)), []);
});

test('models: an app\'s other `models` modules are registered when the app\'s code imports them (Baserow: ready() → view_types → views/models.py)', () => {
  const root = writeTree({
    'premium/__init__.py': '',
    'premium/apps.py': 'from django.apps import AppConfig\n\n\nclass PremiumConfig(AppConfig):\n    name = "premium"\n\n    def ready(self):\n        from .views import view_types  # noqa\n',
    'premium/models.py': 'from django.db import models\n\n\nclass License(models.Model):\n    key = models.CharField(max_length=10)\n',
    'premium/views/__init__.py': '',
    'premium/views/view_types.py': 'from .models import KanbanView  # noqa\n',
    'premium/views/models.py': 'from django.db import models\n\n\nclass KanbanView(models.Model):\n    name = models.CharField(max_length=10)\n\n    class Meta:\n        db_table = "database_kanbanview"\n',
    'premium/export/__init__.py': '',
    'premium/export/models.py': 'from django.db import models\n\n\nclass Unused(models.Model):\n    name = models.CharField(max_length=10)\n',
    'premium/tests/__init__.py': '',
    'premium/tests/models.py': 'from django.db import models\n\n\nclass TestOnly(models.Model):\n    pass\n',
  });
  const r = scan(root, settingsOf({ installedApps: ['premium'] }), false);
  // export/models.py is imported by nothing: Django never registers it
  assert.deepEqual([...r.byKey.keys()].filter(k => k.startsWith('premium.')).sort(), ['premium.KanbanView', 'premium.License']);
  assert.equal(r.byKey.get('premium.KanbanView')?.table, 'database_kanbanview');
});

test('models: a relation field in django-stubs\' generic form, models.ForeignKey[Page](…) (dis-wagtail)', () => {
  const root = writeTree({
    'core/__init__.py': '',
    'core/models.py': `from django.db import models
from wagtail.models import Orderable, Page


class Topic(models.Model):
    name = models.CharField(max_length=9)


class PageRelatedPage(Orderable):
    parent = models.ForeignKey[Page](Page, on_delete=models.CASCADE)
    topic = models.ForeignKey["Topic"]("core.Topic", on_delete=models.CASCADE)
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['core'] }), false);
  const m = r.byKey.get('core.PageRelatedPage');
  assert.ok(m, JSON.stringify([...r.byKey.keys()]));
  assert.deepEqual(m.fields.filter(f => f.name === 'topic').map(f => [f.kind, f.target]), [['ForeignKey', 'core.Topic']]);
});

test('models: Meta options compared with INSTALLED_APPS (DRF authtoken: abstract = "…" not in settings.INSTALLED_APPS, proxy = … in …)', () => {
  const root = writeTree({
    'shop/__init__.py': '',
    'shop/models.py': `from django.conf import settings
from django.db import models


class Token(models.Model):
    key = models.CharField(max_length=40, primary_key=True)

    class Meta:
        abstract = "shop" not in settings.INSTALLED_APPS


class TokenProxy(Token):
    class Meta:
        proxy = "shop" in settings.INSTALLED_APPS
        abstract = "shop" not in settings.INSTALLED_APPS and True
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['shop'] }), false);
  assert.equal(r.byKey.get('shop.Token')?.abstract, false);
  const proxy = r.byKey.get('shop.TokenProxy');
  assert.equal(proxy?.proxy, true);
  assert.equal(proxy?.table, 'shop_token');
  assert.equal(proxy?.concreteModel, 'shop.Token');
});

test('models: GeoDjango fields, a ClassVar annotation and Meta abstract = False on unreadable bases are models (openwisp)', () => {
  const root = writeTree({
    'geo/__init__.py': '',
    'geo/models.py': `from typing import ClassVar

from django.contrib.gis.db import models as gm
from extlib.models import AbstractThing, AbstractOrg


class BaseLocation(AbstractThing):
    _changed_checked_fields: ClassVar[list] = ["geometry"]
    is_estimated = gm.BooleanField(default=False)

    class Meta:
        abstract = True


class Location(BaseLocation):
    pass


class Organization(AbstractOrg):
    class Meta(AbstractOrg.Meta):
        abstract = False
`,
  });
  const r = scan(root, settingsOf({ installedApps: ['geo'] }), false);
  assert.deepEqual([...r.byKey.keys()].filter(k => k.startsWith('geo.')).sort(), ['geo.BaseLocation', 'geo.Location', 'geo.Organization']);
  assert.equal(r.byKey.get('geo.BaseLocation')?.abstract, true);
});

test('models: a workspace app whose models.py star-imports them from an installed package\'s models module, which names the app by Meta.app_label (codecov-api over codecov\'s shared)', { skip: PY && SITE ? false : NO_DJANGO }, () => {
  // the package lives outside the workspace (its own site-packages folder); its other modules are not read
  const site = writeTree({
    'sharedlib/__init__.py': '',
    'sharedlib/django_apps/__init__.py': '',
    'sharedlib/django_apps/base/__init__.py': '',
    'sharedlib/django_apps/base/models.py': 'from django.db import models\n\n\nclass BaseModel(models.Model):\n    created = models.DateTimeField(auto_now_add=True)\n\n    class Meta:\n        abstract = True\n',
    'sharedlib/django_apps/core/__init__.py': '',
    'sharedlib/django_apps/core/models.py': `from django.db import models
from sharedlib.django_apps.base.models import BaseModel

CORE_APP_LABEL = "core"


class Repository(BaseModel):
    name = models.CharField(max_length=100)

    class Meta:
        app_label = CORE_APP_LABEL
        db_table = "repos"


class Commit(BaseModel):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE)

    class Meta:
        app_label = CORE_APP_LABEL
`,
  }, 'dmdb-shared-');
  const root = writeTree({
    'mysite/__init__.py': '',
    'mysite/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes", "core"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n',
    'core/__init__.py': '',
    'core/models.py': 'from sharedlib.django_apps.core.models import *\n',
  });
  const expected = JSON.parse(execFileSync(PY!, ['-c', ORACLE], {
    cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONPATH: [root, site].join(path.delimiter), DJANGO_SETTINGS_MODULE: 'mysite.settings' },
  })).filter((m: { app: string }) => m.app === 'core');
  const index = new ModuleIndex([root, site, SITE!]);
  const settings = settingsOf({ installedApps: ['django.contrib.contenttypes', 'core'] });
  const r = indexModels(index, resolveApps(index, settings, root).apps, settings, root);
  assert.deepEqual(ours(r.models.filter(m => m.app === 'core')), expected);
  assert.deepEqual(expected.map((m: { name: string; table: string }) => `${m.name}:${m.table}`), ['Repository:repos', 'Commit:core_commit']);
});

test('models: Meta.app_label = _("shop") with django.utils.translation\'s gettext_lazy is the text (archivematica-storage-service)', { skip: PY ? false : NO_DJANGO }, () => {
  const { expected, r } = againstDjango(['django.contrib.contenttypes', 'shop', 'extras'], {
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=10)\n',
    'extras/__init__.py': '',
    'extras/models.py': `from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Tag(models.Model):
    label = models.CharField(max_length=10, verbose_name=pgettext_lazy("tag", "label"))

    class Meta:
        app_label = _("shop")
        verbose_name = _("tag")
`,
  });
  const mine = ours(r.models).filter(m => m.app !== 'contenttypes');
  assert.deepEqual(mine, expected.filter((m: { app: string }) => m.app !== 'contenttypes'));
  assert.deepEqual(mine.map(m => `${m.app}.${m.name}:${m.table}`), ['shop.Item:shop_item', 'shop.Tag:shop_tag']);
  assert.deepEqual(r.problems.filter(p => /app_label/.test(p.message)), []);
});

test('models: django-typed-models makes subclasses of a typed model proxies in its app (OSF storage add-ons), installed or only named', () => {
  // TypedModelMetaclass (django-typed-models, not on this machine's package index, so no oracle): a subclass of a
  // concrete TypedModel subclass is made a proxy of it and given the base's app_label unless its own Meta names one;
  // a subclass whose own Meta says proxy = True is left to Django; bases are searched from the last one, a typed
  // proxy's own bases in its place
  const files = {
    'osf/__init__.py': '',
    'osf/models.py': `from django.db import models
from typedmodels.models import TypedModel


class File(models.Model):
    class Meta:
        abstract = True


class BaseFileNode(TypedModel):
    name = models.TextField()


class TrashedFileNode(BaseFileNode):
    pass
`,
    'addons/__init__.py': '',
    'addons/store/__init__.py': '',
    'addons/store/models.py': `from django.db import models
from osf.models import BaseFileNode, File


class StoreFileNode(BaseFileNode):
    _provider = "store"


class StoreFile(StoreFileNode, File):
    pass


class Labelled(BaseFileNode):
    class Meta:
        app_label = "addons_store"


class Plain(BaseFileNode):
    class Meta:
        proxy = True


class Region(models.Model):
    name = models.TextField()
`,
    'addons/store/apps.py': 'from django.apps import AppConfig\n\n\nclass StoreConfig(AppConfig):\n    name = "addons.store"\n    label = "addons_store"\n',
  };
  const settings = settingsOf({ installedApps: ['osf', 'addons.store.apps.StoreConfig'] });
  const installed = { ...files, 'typedmodels/__init__.py': '', 'typedmodels/models.py': 'from django.db import models\n\n\nclass TypedModelMetaclass(models.base.ModelBase):\n    pass\n\n\nclass TypedModel(models.Model, metaclass=TypedModelMetaclass):\n    type = models.CharField(max_length=255)\n\n    class Meta:\n        abstract = True\n' };
  for (const [how, tree] of [['only named (not installed)', files], ['installed', installed]] as const) {
    const root = writeTree(tree);
    const r = scan(root, settings, false);
    const facts = (key: string) => { const m = r.byKey.get(key); return m && [m.proxy, m.table, path.relative(root, m.loc.path)]; };
    assert.deepEqual(facts('osf.BaseFileNode'), [false, 'osf_basefilenode', 'osf/models.py'], how);
    assert.deepEqual(facts('osf.TrashedFileNode'), [true, 'osf_basefilenode', 'osf/models.py'], how);
    assert.deepEqual(facts('osf.StoreFileNode'), [true, 'osf_basefilenode', 'addons/store/models.py'], how);
    assert.deepEqual(facts('osf.StoreFile'), [true, 'osf_basefilenode', 'addons/store/models.py'], how);
    assert.deepEqual(facts('addons_store.Labelled'), [true, 'osf_basefilenode', 'addons/store/models.py'], how);
    // an explicit proxy: Django's own rules (the app of its module)
    assert.deepEqual(facts('addons_store.Plain'), [true, 'osf_basefilenode', 'addons/store/models.py'], how);
    assert.deepEqual(facts('addons_store.Region'), [false, 'addons_store_region', 'addons/store/models.py'], how);
    assert.ok(!r.byKey.has('addons_store.StoreFileNode') && !r.byKey.has('addons_store.StoreFile'), `${how}: ${[...r.byKey.keys()].join(', ')}`);
  }
});

test('models: GeoDjango\'s models module re-exports django.db.models: its TextChoices and IntegerChoices are no models (bustimes; Django venv)', t => {
  if (!PY || !SITE) return t.skip(NO_DJANGO);
  const { expected, r } = againstDjango(['vehicles'], {
    'vehicles/__init__.py': '',
    'vehicles/models.py': `from django.contrib.gis.db import models


class VehicleTypeType(models.TextChoices):
    SINGLE_DECKER = "", "single decker"
    COACH = "coach", "coach"


class Seats(models.IntegerChoices):
    ONE = 1


class VehicleType(models.Model):
    style = models.CharField(max_length=13, choices=VehicleTypeType.choices, blank=True)
    seats = models.IntegerField(choices=Seats.choices, null=True)


class Garage(models.Model):
    location = models.PointField(null=True, blank=True)
    types = models.ManyToManyField(VehicleType)
`,
  });
  assert.deepEqual(ours(r.models), expected);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.models.filter(m => m.app === 'vehicles' && /Type$|Seats/.test(m.name)).map(m => m.name), ['VehicleType']);
});
