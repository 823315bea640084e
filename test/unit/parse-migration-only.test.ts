// The migration reader converts only what it reads of a migration file (ParseOptions.only 'migration'): what it
// reads must be what a whole reading gives, for every shape of Migration class it understands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initPython } from '../../src/core/python/parse';
import { readMigrationSource } from '../../src/core/migrations/files';

const settings = { authUserModel: 'accounts.User', values: { OTHER_MODEL: 'shop.Thing' } };
const sources: Record<string, string> = {
  plain: `from django.db import migrations, models
from django.conf import settings

def forwards(apps, schema_editor):
    apps.get_model("shop", "Order").objects.using(schema_editor.connection.alias).update(x=1)

class Migration(migrations.Migration):
    """doc"""
    initial = True
    atomic = False
    dependencies = [("shop", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    replaces = [("shop", "0002_a"), ("shop", "0002_b")]
    run_before = [("other", "0001_initial")]
    operations = [
        migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("n", models.IntegerField(default=(((1)))))], options={"db_table": "x"}),
        migrations.AddField("order", "total", models.IntegerField(default=0)),
        migrations.RunPython(forwards, migrations.RunPython.noop, hints={"target_db": "analytics"}),
        migrations.RunSQL("SELECT 1", reverse_sql="SELECT 2", hints={"model_name": "order"}),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("Gone")], database_operations=[migrations.AlterModelTable("order", "t")]),
        migrations.SeparateDatabaseAndState([migrations.RemoveField(model_name="order", name="n")]),
        CustomOperation(model_name="Order", **extra),
        migrations.RenameModel(old_name="Order", new_name="Purchase"),
        *more,
        migrations.AddIndex(model_name=NAME, index=models.Index(fields=["a"], name="i")),
    ] + [migrations.DeleteModel(name="Old")]

    def apply(self, project_state, schema_editor, collect_sql=False):
        return super().apply(project_state, schema_editor, collect_sql)
`,
  augmented: `from django.db import migrations
import sys
class Migration(migrations.Migration):
    dependencies: list = [("a", "0001")]
    operations: list = [migrations.CreateModel("A", [])]
    operations += (migrations.DeleteModel("A"),)
    if sys.version_info > (3,):
        operations = operations * 2
`,
  wrapped: `try:
    from django.db import migrations
except ImportError:
    raise
if True:
    @decorate
    class Migration(migrations.Migration):
        dependencies = [("a", "0001")] + [("b", "__first__")]
        operations = ([migrations.AlterField(model_name="a", name="b", field=models.CharField(max_length=3))])
else:
    class Migration:
        operations = []
class Helper:
    operations = [migrations.DeleteModel("Z")]
`,
  'syntax error': `from django.db import migrations
class Migration(migrations.Migration):
    dependencies = [("a", "0001")]
    operations = [
        migrations.AddField("a", "b", models.F(default=)),
        migrations.DeleteModel("C"),
    ]
`,
  'no class': `X = ${'('.repeat(400)}1${')'.repeat(400)}\n`,
};

test('a migration-only reading gives the reader what a whole reading gives', async () => {
  await initPython();
  for (const [name, src] of Object.entries(sources)) {
    const whole = readMigrationSource(src, `/p/${name}.py`, 'shop', '0003_x', settings);
    const only = readMigrationSource(src, `/p/${name}.py`, 'shop', '0003_x', settings, { only: 'migration' });
    assert.deepEqual(only, whole, name);
  }
});
