// Generates a large multi-database Django project for the benchmark (original, synthetic):
// APPS apps × MODELS models, MIGS migrations per app, 4 aliases and 3 routers.
// Usage: node bench/generate.mjs OUT_DIR [apps=150] [models=10] [migrations=20]
import * as fs from 'fs';
import * as path from 'path';

const [out, appsArg, modelsArg, migsArg] = process.argv.slice(2);
if (!out) { console.error('usage: generate.mjs OUT_DIR [apps] [models] [migrations]'); process.exit(2); }
const APPS = Number(appsArg ?? 150), MODELS = Number(modelsArg ?? 10), MIGS = Number(migsArg ?? 20);
fs.rmSync(out, { recursive: true, force: true });
const w = (p, s) => { fs.mkdirSync(path.dirname(path.join(out, p)), { recursive: true }); fs.writeFileSync(path.join(out, p), s); };
const app = i => `app${String(i).padStart(3, '0')}`;
const Model = (i, j) => `Thing${i}x${j}`;
// which apps each router claims
const analytics = [], archive = [], legacy = [];
for (let i = 0; i < APPS; i++) { if (i % 5 === 1) analytics.push(app(i)); else if (i % 7 === 2) archive.push(app(i)); else if (i % 11 === 3) legacy.push(app(i)); }
const home = i => analytics.includes(app(i)) ? 'analytics' : archive.includes(app(i)) ? 'archive' : legacy.includes(app(i)) ? 'legacy' : 'default';

w('manage.py', `#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bigsite.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
`);
w('bigsite/__init__.py', '');
w('bigsite/settings.py', `from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
${Array.from({ length: APPS }, (_, i) => `    "${app(i)}",`).join('\n')}
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "default.sqlite3"},
    "analytics": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "analytics.sqlite3"},
    "archive": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "archive.sqlite3"},
    "legacy": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "legacy.sqlite3"},
}
DATABASE_ROUTERS = ["bigsite.routers.AnalyticsRouter", "bigsite.routers.ArchiveRouter", "bigsite.routers.LegacyRouter"]
`);
w('bigsite/routers.py', `ANALYTICS_APPS = {${analytics.map(a => `"${a}"`).join(', ')}}
ARCHIVE_APPS = (${archive.map(a => `"${a}"`).join(', ')},)


class AnalyticsRouter:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in ANALYTICS_APPS:
            return db == "analytics"
        if db == "analytics":
            return False
        return None


class ArchiveRouter:
    route_app_labels = ARCHIVE_APPS

    def allow_migrate(self, db, app_label, **hints):
        if app_label in self.route_app_labels:
            return db == "archive"
        elif db == "archive":
            return False
        return None


class LegacyRouter:
    legacy = [${legacy.map(a => `"${a}"`).join(', ')}]

    def _is_legacy(self, app_label):
        return app_label in self.legacy

    def db_for_read(self, model, **hints):
        if self._is_legacy(model._meta.app_label):
            return "legacy"
        return None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if self._is_legacy(app_label):
            return db == "legacy"
        return db != "legacy"
`);
for (let i = 0; i < APPS; i++) {
  const a = app(i);
  w(`${a}/__init__.py`, '');
  w(`${a}/apps.py`, `from django.apps import AppConfig\n\n\nclass ${a[0].toUpperCase() + a.slice(1)}Config(AppConfig):\n    name = "${a}"\n`);
  const extraFields = m => Array.from({ length: MIGS - 1 }, (_, k) => k).filter(k => k % MODELS === m).map(k => `    extra_${k} = models.IntegerField(default=0)\n`).join('');
  let models = 'from django.db import models\n\n';
  for (let j = 0; j < MODELS; j++) {
    const fk = j > 0 ? `    parent = models.ForeignKey("${Model(i, j - 1)}", on_delete=models.CASCADE)\n` : i > 0 ? `    upstream = models.ForeignKey("${app(i - 1)}.${Model(i - 1, 0)}", on_delete=models.CASCADE, db_constraint=False)\n` : '';
    const meta = legacy.includes(a) ? `\n    class Meta:\n        managed = False\n        db_table = "legacy_${i}_${j}"\n` : '';
    models += `\nclass ${Model(i, j)}(models.Model):\n    name = models.CharField(max_length=100)\n${fk}${extraFields(j)}${meta}\n`;
  }
  w(`${a}/models.py`, models);
  w(`${a}/migrations/__init__.py`, '');
  for (let k = 0; k < MIGS; k++) {
    const name = k === 0 ? '0001_initial' : `${String(k + 1).padStart(4, '0')}_extra_${k - 1}`;
    const deps = k === 0 ? (i > 0 ? `        ("${app(i - 1)}", "0001_initial"),\n` : '') : `        ("${a}", "${k === 1 ? '0001_initial' : `${String(k).padStart(4, '0')}_extra_${k - 2}`}"),\n`;
    let ops;
    if (k === 0) {
      ops = Array.from({ length: MODELS }, (_, j) => {
        const fk = j > 0 ? `                ("parent", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="${a}.${Model(i, j - 1).toLowerCase()}")),\n` : i > 0 ? `                ("upstream", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, to="${app(i - 1)}.${Model(i - 1, 0).toLowerCase()}")),\n` : '';
        const opts = legacy.includes(a) ? `            options={"db_table": "legacy_${i}_${j}", "managed": False},\n` : '';
        return `        migrations.CreateModel(\n            name="${Model(i, j)}",\n            fields=[\n                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),\n                ("name", models.CharField(max_length=100)),\n${fk}            ],\n${opts}        ),\n`;
      }).join('');
    } else {
      ops = `        migrations.AddField(\n            model_name="${Model(i, (k - 1) % MODELS).toLowerCase()}",\n            name="extra_${k - 1}",\n            field=models.IntegerField(default=0),\n        ),\n`;
    }
    w(`${a}/migrations/${name}.py`, `# Generated for the django-multidb benchmark\n\nimport django.db.models.deletion\nfrom django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n${k === 0 ? '\n    initial = True\n' : ''}\n    dependencies = [\n${deps}    ]\n\n    operations = [\n${ops}    ]\n`);
  }
}
// for the drift case of bench/run.mjs: each app's alias, its models and their relation columns
w('bench-schema.json', JSON.stringify(Array.from({ length: APPS }, (_, i) => ({
  app: app(i), home: home(i), managed: !legacy.includes(app(i)),
  models: Array.from({ length: MODELS }, (_, j) => ({ table: legacy.includes(app(i)) ? `legacy_${i}_${j}` : `${app(i)}_${Model(i, j).toLowerCase()}`, fk: j > 0 ? 'parent_id' : i > 0 ? 'upstream_id' : null })),
}))));
console.log(JSON.stringify({ out, apps: APPS, models: APPS * MODELS, migrations: APPS * MIGS, aliases: 4, analytics: analytics.length, archive: archive.length, legacy: legacy.length }));
