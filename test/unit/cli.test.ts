// The command line tool, end to end through bin/django-multidb.js (the built dist/cli.js): output formats,
// exit codes, errors, and the runtime story (started by Node 20, it re-runs itself on the project's Node 24).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, CLI, NO_DJANGO, cli, copyProject, djangoPython, manage } from '../oracle/helpers';
import { writeTree } from './support';

const EXAMPLE = path.join(REPO, 'examples', 'multidb_shop');
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
function example(): string {
  const d = copyProject(EXAMPLE, 'dmdb-cli-');
  dirs.push(d);
  return d;
}

describe('scan', () => {
  test('--json follows docs/scan-json.md: relative paths, every alias, nothing created', () => {
    const dir = example();
    const r = cli(['scan', dir, '--json', '--no-python']);
    assert.equal(r.status, 0, r.stderr);
    const j = r.json;
    assert.equal(j.version, 1);
    assert.equal(j.project.root, dir);
    assert.equal(j.project.settingsModule, 'shop.settings');
    assert.equal(j.project.managePy, 'manage.py');
    assert.deepEqual(j.databases.map((d: any) => d.alias), ['default', 'analytics', 'legacy']);
    for (const m of j.models.filter((x: any) => !x.path.startsWith('/'))) assert.ok(!m.path.includes('\\') && !path.isAbsolute(m.path));
    assert.ok(j.models.some((m: any) => m.app === 'legacy' && m.managed === false));
    assert.equal(j.routing.length, j.models.length * j.databases.length);
    for (const a of ['default', 'analytics', 'legacy']) {
      assert.equal(j.status[a].reachable, true);
      assert.equal(j.status[a].applied, 0);
      assert.ok(Array.isArray(j.plan[a]) && j.plan[a].length > 0, `everything pending on ${a}`);
    }
    assert.deepEqual(fs.readdirSync(dir).filter(f => f.endsWith('.sqlite3')), []);
  });

  test('tables for people: databases, routing matrix, pending, findings', () => {
    const r = cli(['scan', example(), '--no-python']);
    assert.equal(r.status, 0, r.stderr);
    for (const heading of ['Databases', 'Routing', 'Pending migrations', 'Findings']) assert.match(r.stdout, new RegExp(`^${heading}`, 'm'));
    assert.match(r.stdout, /orders\.Order/);
    assert.match(r.stdout, /cross-db-foreign-key/);
  });

  test('the Findings table lists errors, then warnings, then infos', () => {
    // a setting not known (an info, from the settings) and an app without migrations (a warning, found later)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-cli-'));
    dirs.push(dir);
    const files: Record<string, string> = {
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
      'settings.py': 'import multiprocessing\nINSTALLED_APPS = ["app"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\nTHREADS = max(multiprocessing.cpu_count(), 1)\n',
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\n\n\nclass A(models.Model):\n    n = models.IntegerField()\n',
    };
    for (const [f, text] of Object.entries(files)) { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), text); }
    const r = cli(['scan', dir, '--no-python', '--no-db']);
    assert.equal(r.status, 0, r.stderr);
    const findings = r.stdout.slice(r.stdout.search(/^Findings/m)).split('\n').filter(l => /^ {2}\S.*(error|warning|info) \[/.test(l));
    const ranks = findings.map(l => (/ error \[/.test(l) ? 0 : / warning \[/.test(l) ? 1 : 2));
    assert.ok(new Set(ranks).size > 1, r.stdout);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
  });

  test('two aliases of one unreachable database (a replica of default): one database-unreachable, naming both', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-cli-'));
    dirs.push(dir);
    const pg = '{"ENGINE": "django.db.backends.postgresql", "NAME": "app", "HOST": "127.0.0.1", "PORT": "9", "USER": "u"}';
    fs.writeFileSync(path.join(dir, 'manage.py'), 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n');
    fs.writeFileSync(path.join(dir, 'settings.py'), `INSTALLED_APPS = []\nDATABASES = {"default": ${pg}, "replica": ${pg}}\n`);
    const r = cli(['scan', dir, '--json', '--no-python', '--timeout', '3000']);
    assert.equal(r.status, 0, r.stderr);
    const down = r.json.diagnostics.filter((d: any) => d.code === 'database-unreachable');
    assert.deepEqual(down.map((d: any) => d.alias), ['default'], JSON.stringify(down));
    assert.match(down[0].message, /The same database is 'replica' too\.$/);
  });

  test("an AppConfig.name that cannot be imported: an error where the environment's Django is 3.2 or later (Django agrees), an info without one", { skip: djangoPython() ? false : NO_DJANGO }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-cli-'));
    dirs.push(dir);
    const files: Record<string, string> = {
      'manage.py': 'import os, sys\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
      'settings.py': 'INSTALLED_APPS = ["pkg.programs"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\nSECRET_KEY = "x"\n',
      'pkg/__init__.py': '', 'pkg/programs/__init__.py': '',
      'pkg/programs/apps.py': 'from django.apps import AppConfig\n\n\nclass ProgramsConfig(AppConfig):\n    name = "programs"\n',
    };
    for (const [f, text] of Object.entries(files)) { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), text); }
    const withDjango = cli(['check', dir, '--no-db', '--mode', 'static', '--python', djangoPython()!]);
    assert.equal(withDjango.status, 1, withDjango.stdout);
    assert.match(withDjango.stdout, /error \[settings-error\] INSTALLED_APPS entry pkg\.programs: Django 5\.\d+\.\d+ \(the environment's\) refuses it.*Cannot import 'programs'/);
    // Django itself refuses the settings so
    const r = spawnSync(djangoPython()!, ['manage.py', 'check'], { cwd: dir, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ImproperlyConfigured: Cannot import 'programs'/);
    const without = cli(['check', dir, '--no-db', '--no-python']);
    assert.doesNotMatch(without.stdout, /settings-error/);
  });

  test('--database limits the aliases, --no-db reads nothing', () => {
    const dir = example();
    const one = cli(['scan', dir, '--json', '--no-python', '--database', 'analytics']).json;
    assert.deepEqual(Object.keys(one.status), ['analytics']);
    const none = cli(['scan', dir, '--json', '--no-python', '--no-db']).json;
    assert.deepEqual(none.status, {});
    assert.ok(none.routing.length > 0);
  });

  test('--mode django where Django cannot be asked: the static analysis printed, said, exit 1 (check fails too); auto: exit 0', () => {
    const dir = example();
    // an interpreter without Django (the machine's own python3; a script that is no Python at all where it has one)
    const noDjango = path.join(dir, 'python-without-django');
    fs.writeFileSync(noDjango, '#!/bin/sh\necho "ModuleNotFoundError: No module named django" >&2\nexit 1\n', { mode: 0o755 });
    const r = cli(['scan', dir, '--no-db', '--mode', 'django', '--python', noDjango]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /Routing/);
    assert.match(r.stderr, /--mode django: Django could not be asked .*what was printed is the static analysis/);
    assert.equal(cli(['check', dir, '--no-db', '--mode', 'django', '--python', noDjango]).status, 1);
    assert.equal(cli(['scan', dir, '--no-db', '--mode', 'auto', '--python', noDjango]).status, 0);
  });

  test('routers from a variable not set here: the header says none with this environment, the env file gives them', () => {
    const dir = writeTree({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
      'proj/__init__.py': '',
      'proj/routers.py': 'class R:\n    def allow_migrate(self, db, app_label, **hints):\n        return db == "default"\n',
      'proj/settings.py': 'import os\nINSTALLED_APPS = []\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.db"}, "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.db"}}\nDATABASE_ROUTERS = [r for r in os.environ.get("APP_ROUTERS", "").split(",") if r]\n',
      'prod.env': 'APP_ROUTERS=proj.routers.R\n',
    }, 'dmdb-envrouters-');
    dirs.push(dir);
    const without = cli(['scan', dir, '--no-python', '--no-db']);
    assert.match(without.stdout, /routers: \(none with this environment: see Findings\)/);
    assert.match(without.stdout, /DATABASE_ROUTERS reads the environment variable APP_ROUTERS, not set here/);
    const withEnv = cli(['scan', dir, '--no-python', '--no-db', '--env-file', path.join(dir, 'prod.env')]);
    assert.match(withEnv.stdout, /routers: proj\.routers\.R\n/);
    assert.doesNotMatch(withEnv.stdout, /APP_ROUTERS/);
  });

  test('a folder without a Django project: clear message, exit 2', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-empty-'));
    dirs.push(empty);
    const r = cli(['scan', empty, '--no-python']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no Django project found/);
  });

  test('usage errors exit 2 with help', () => {
    assert.equal(cli(['frobnicate']).status, 2);
    assert.equal(cli(['scan', '--bogus']).status, 2);
    const r = cli(['check', example(), '--fail-on', 'nonsense', '--no-python']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown item "nonsense"/);
    assert.equal(cli(['--help']).status, 0);
  });
});

describe('check', () => {
  test('pending migrations and cross-db foreign keys fail; text, GitHub and SARIF renderings', () => {
    const dir = example();
    const text = cli(['check', dir, '--no-python']);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /\[pending-migrations\]/);
    assert.match(text.stdout, /orders\/models\.py:\d+: warning \[cross-db-foreign-key\]/);
    assert.match(text.stdout, /problems? found/);

    const gh = cli(['check', dir, '--no-python', '--fail-on', 'cross-db', '--format', 'github']);
    assert.equal(gh.status, 1);
    assert.match(gh.stdout, /^::warning file=orders\/models\.py,line=\d+,title=django-multidb cross-db-foreign-key \(Cross-database relation\)::/m);

    const sarif = JSON.parse(cli(['check', dir, '--no-python', '--fail-on', 'cross-db', '--format', 'sarif']).stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0].results.length >= 1);
    assert.equal(sarif.runs[0].results[0].ruleId, 'cross-db-foreign-key');
    assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'orders/models.py');

    const onlyUnknown = cli(['check', dir, '--no-python', '--fail-on', 'unknown-routing']);
    assert.equal(onlyUnknown.status, 0, onlyUnknown.stdout);
    assert.match(onlyUnknown.stdout, /no (problems found|failing problems \(.*warnings? not failing check: .*--fail-on all fails on them)/);
  });

  test('exit 0 once every database is migrated (real manage.py migrate)', { skip: djangoPython() ? false : NO_DJANGO }, () => {
    const py = djangoPython()!;
    const dir = example();
    for (const a of ['default', 'analytics', 'legacy']) manage(py, dir, ['migrate', `--database=${a}`]);
    const r = cli(['check', dir, '--python', py, '--fail-on', 'pending,unreachable,conflict']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('an unreadable database: reported, the others still read, scan exits 0', () => {
    const dir = example();
    fs.writeFileSync(path.join(dir, 'analytics.sqlite3'), 'this is not a database, it is text'.repeat(100));
    const r = cli(['scan', dir, '--json', '--no-python']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.status.analytics.reachable, false);
    assert.match(r.json.status.analytics.error, /\S/);
    assert.equal(r.json.plan.analytics, null);
    assert.equal(r.json.status.default.reachable, true);
    const c = cli(['check', dir, '--no-python', '--fail-on', 'unreachable']);
    assert.equal(c.status, 1);
    assert.match(c.stdout, /database-unreachable/);
  });
});

test('runtime: started by the machine\'s Node 20, the launcher re-runs itself on the project\'s Node 24', () => {
  const candidates = ['/usr/bin/node', '/usr/local/bin/node'].filter(p => fs.existsSync(p));
  const old = candidates.find(p => Number(execFileSync(p, ['-p', 'process.versions.napi'], { encoding: 'utf8' }).trim()) < 10);
  if (!old) return; // no old Node on this machine: nothing to prove
  const dir = example();
  const r = spawnSync(old, [CLI, 'scan', dir, '--json', '--no-python'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).status.default.reachable, true);
});

describe('--mode (Django itself)', { skip: djangoPython() ? false : NO_DJANGO }, () => {
  test('auto with --python: Django answers the routing static analysis cannot decide, disagreements listed', () => {
    const dir = copyProject(path.join(REPO, 'test', 'fixtures', 'dynamic_routers'), 'dmdb-mode-');
    dirs.push(dir);
    const stat = cli(['scan', dir, '--json', '--mode', 'static', '--python', djangoPython()!]).json;
    assert.equal(stat.source.mode, 'static');
    const unknown = stat.routing.filter((r: any) => r.migrate === null).length;
    assert.ok(unknown > 0, 'the fixture has routers static analysis cannot decide');
    const dj = cli(['scan', dir, '--json', '--python', djangoPython()!]).json;
    assert.equal(dj.source.mode, 'django');
    assert.equal(dj.source.requested, 'auto');
    assert.equal(dj.routing.filter((r: any) => r.migrate === null).length, 0);
    const couldNotDecide = dj.disagreements.filter((d: any) => d.kind === 'routing' && d.note === 'static analysis could not decide');
    assert.equal(couldNotDecide.length, unknown);
  });

  test('auto falls back to static with the reason when Python cannot run the project; django mode makes it an error', () => {
    const dir = example();
    // an interpreter that cannot run the project (it exits at once)
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-badpy-')), 'python3');
    fs.writeFileSync(broken, '#!/bin/sh\necho "this Python cannot run" >&2\nexit 3\n', { mode: 0o755 });
    const auto = cli(['scan', dir, '--json', '--mode', 'auto', '--python', broken]);
    assert.equal(auto.status, 0, auto.stderr);
    assert.equal(auto.json.source.mode, 'static');
    assert.match(auto.json.source.reason, /\S/);
    assert.ok(auto.json.diagnostics.some((d: any) => d.code === 'django-unavailable' && d.severity === 'info'));
    const strict = cli(['check', dir, '--mode', 'django', '--python', broken, '--fail-on', 'django']);
    assert.equal(strict.status, 1);
    assert.match(strict.stdout, /django-unavailable/);
    // an interpreter that is not there is a usage error, never a silent fall-back to another one
    const missing = cli(['scan', dir, '--json', '--python', '/nonexistent/python3']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--python \/nonexistent\/python3: no such file/);
  });
});
