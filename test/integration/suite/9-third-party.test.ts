import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { execFileSync } from 'child_process';
import { expected, flatten, getState, restoreFixtureFile, waitFor, type TreeNode } from './helpers';

// "Third-party migrations" in the Databases view (issue "Migration authoring", item 2): the migrations of the apps
// installed in the project's environment get the same lints, listed in the tree and never in the Problems panel.
// First Django's own contrib apps (which must raise nothing); then a package with the classic bug — RunPython code
// that writes to `default` whatever `migrate --database=X` runs — installed in a virtualenv of its own (the
// example's Django through a .pth file), made the project's interpreter for the time of the suite.

const NODE = 'Third-party migrations';
const TAGPKG_MIGRATION = [
  'from django.db import migrations, models',
  '',
  '',
  'def fill_slugs(apps, schema_editor):',
  '    Tag = apps.get_model("tagpkg", "Tag")',
  '    for tag in Tag.objects.all():',
  '        tag.slug = tag.name.lower()',
  '        tag.save()',
  '',
  '',
  'class Migration(migrations.Migration):',
  '    initial = True',
  '    dependencies = []',
  '    operations = [',
  '        migrations.CreateModel(',
  '            name="Tag",',
  '            fields=[',
  '                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),',
  '                ("name", models.CharField(max_length=50)),',
  '                ("slug", models.CharField(max_length=50, blank=True)),',
  '            ],',
  '        ),',
  '        migrations.RunPython(fill_slugs),',
  '    ]',
  '',
].join('\n');

const purelib = (python: string) => execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();

async function thirdPartyNode(): Promise<TreeNode | undefined> {
  const raw = await vscode.commands.executeCommand<any>('djangoMultiDb.getState');
  return flatten(raw?.databases).find(n => n.label === NODE);
}

suite('third-party migrations', () => {
  let venv = '';
  const settingsFile = () => path.join(expected().projectDir, 'shop', 'settings.py');

  test('Django\'s own contrib migrations: the node is there and lists nothing', async function () {
    this.timeout(60000);
    const node = await waitFor('the Third-party migrations node', thirdPartyNode, 30000);
    // admin, auth, contenttypes and sessions have migrations; they bind their RunPython code to the alias
    assert.strictEqual(node.description, 'nothing found in 4 apps');
    assert.strictEqual(node.children, undefined);
    assert.strictEqual(node.contextValue, 'thirdParty');
  });

  test('a package whose RunPython writes to default: listed by app in the tree, never in the Problems panel', async function () {
    this.timeout(240000);
    const e = expected();
    venv = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-3p-venv-'));
    execFileSync(e.python, ['-m', 'venv', '--without-pip', venv], { stdio: 'pipe' });
    const python = path.join(venv, 'bin', 'python');
    const site = purelib(python);
    fs.writeFileSync(path.join(site, 'dmdb_django.pth'), `${purelib(e.python)}\n`);
    const pkg = path.join(site, 'tagpkg');
    fs.mkdirSync(path.join(pkg, 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(pkg, '__init__.py'), '');
    fs.writeFileSync(path.join(pkg, 'models.py'), 'from django.db import models\n\n\nclass Tag(models.Model):\n    name = models.CharField(max_length=50)\n    slug = models.CharField(max_length=50, blank=True)\n');
    fs.writeFileSync(path.join(pkg, 'migrations', '__init__.py'), '');
    fs.writeFileSync(path.join(pkg, 'migrations', '0001_initial.py'), TAGPKG_MIGRATION);
    const settings = fs.readFileSync(settingsFile(), 'utf8');
    assert.ok(settings.includes('    "orders",\n]'), 'the example\'s INSTALLED_APPS ends with orders');
    fs.writeFileSync(settingsFile(), settings.replace('    "orders",\n]', '    "orders",\n    "tagpkg",\n]'));
    await vscode.workspace.getConfiguration('djangoMultiDb').update('pythonPath', python, vscode.ConfigurationTarget.Workspace);

    const node = await waitFor('the package in the node', async () => {
      const n = await thirdPartyNode();
      return n?.description === '2 findings in 1 app' ? n : undefined;
    }, 120000, 250);
    assert.strictEqual(node.children?.length, 1);
    const app = node.children![0]!;
    assert.deepStrictEqual([app.label, app.description, app.contextValue], ['tagpkg', '2 findings', 'thirdParty.app']);
    const rows = app.children!.map(c => [c.label, c.description, c.contextValue]);
    assert.deepStrictEqual(rows, [
      ['0001_initial', 'RunPython query on the wrong database · line 6', 'thirdParty.finding'],
      ['0001_initial', 'Irreversible RunPython/RunSQL · line 23', 'thirdParty.finding'],
    ]);
    const tooltip = String((app.children![0] as { tooltip?: string }).tooltip);
    // no router claims tagpkg: migrate --database=analytics runs its RunPython, whose queries go to default
    assert.match(tooltip, /`migrate --database=analytics` runs this code, but its queries go to `default`/);
    assert.match(tooltip, /Where it runs: runs on default, analytics · recorded only on legacy\./);
    // never in the Problems panel: nothing of ours on the package's files
    const ours = vscode.languages.getDiagnostics().filter(([uri, ds]) => uri.fsPath.startsWith(venv) && ds.some(d => d.source === 'django-multidb'));
    assert.deepStrictEqual(ours.map(([uri]) => uri.fsPath), []);
    // the project's own state is unchanged by the package's findings
    const s = await getState();
    assert.ok(s.aliases.length === 3);
  });

  suiteTeardown(async function () {
    this.timeout(120000);
    await vscode.workspace.getConfiguration('djangoMultiDb').update('pythonPath', expected().python, vscode.ConfigurationTarget.Workspace);
    await restoreFixtureFile(settingsFile());
    await waitFor('the node back to Django\'s apps', async () => (await thirdPartyNode())?.description === 'nothing found in 4 apps', 90000, 250).catch(e => console.log(String(e)));
    if (venv) fs.rmSync(venv, { recursive: true, force: true });
  });
});
