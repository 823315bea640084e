// A small multi-database Django project for the drift and deployment-plan tests (original, synthetic):
// orders (Product, Order with a FK and a M2M) on default, stats (Event) on analytics, legacy (Account, unmanaged,
// read from analytics), a router that keeps stats and legacy on analytics only. DMDB_NO_ROUTER=1 turns the
// router off (a `migrate` without discipline).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function shopProject(databases: string, opts: { prelude?: string } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-drift-'));
  const w = (p: string, s: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), s);
  };
  w('manage.py', `import os, sys\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n`);
  w('shop/__init__.py', '');
  w('shop/settings.py', `${opts.prelude ?? ''}import os
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "drift-test"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = ["django.contrib.contenttypes", "orders", "stats", "legacy"]
DATABASES = ${databases}
DATABASE_ROUTERS = [] if os.environ.get("DMDB_NO_ROUTER") else ["shop.routers.AnalyticsRouter"]
`);
  w('shop/routers.py', `class AnalyticsRouter:
    apps = {"stats", "legacy"}

    def db_for_read(self, model, **hints):
        return "analytics" if model._meta.app_label in self.apps else None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.apps:
            return db == "analytics"
        if db == "analytics":
            return False
        return None
`);
  for (const app of ['orders', 'stats', 'legacy']) {
    w(`${app}/__init__.py`, '');
    w(`${app}/migrations/__init__.py`, '');
  }
  w('orders/models.py', `from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=20)


class Product(models.Model):
    name = models.CharField(max_length=50)


class Order(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    buyer = models.ForeignKey(Tag, on_delete=models.CASCADE, db_column="buyer_ref", related_name="+")
    tags = models.ManyToManyField(Tag)
`);
  const initial = (deps: string, ops: string) => `from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = [${deps}]
    operations = [
${ops}
    ]
`;
  w('orders/migrations/0001_initial.py', initial('', `        migrations.CreateModel(name="Tag", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", models.CharField(max_length=20))]),
        migrations.CreateModel(name="Product", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", models.CharField(max_length=50))]),
        migrations.CreateModel(name="Order", fields=[
            ("id", models.AutoField(primary_key=True, serialize=False)),
            ("product", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orders.product")),
            ("buyer", models.ForeignKey(db_column="buyer_ref", on_delete=django.db.models.deletion.CASCADE, related_name="+", to="orders.tag")),
            ("tags", models.ManyToManyField(to="orders.tag")),
        ]),`));
  w('stats/models.py', `from django.db import models


class Event(models.Model):
    kind = models.CharField(max_length=20)
`);
  w('stats/migrations/0001_initial.py', initial('("orders", "0001_initial")', `        migrations.CreateModel(name="Event", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("kind", models.CharField(max_length=20))]),`));
  w('legacy/models.py', `from django.db import models


class Account(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        managed = False
        db_table = "legacy_accounts"
`);
  w('legacy/migrations/0001_initial.py', initial('', `        migrations.CreateModel(name="Account", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", models.CharField(max_length=20))], options={"db_table": "legacy_accounts", "managed": False}),`));
  return dir;
}

export const SQLITE_DBS = `{
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "default.sqlite3"},
    "analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "analytics.sqlite3"},
    "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "default.sqlite3"},
}`;
