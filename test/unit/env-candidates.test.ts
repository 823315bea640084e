// The env files a project keeps (core/env/env-candidates.ts, Scanner.envFileCandidates, the CLI's `env-files`): who
// uses each (a Makefile's include, a Compose service's env_file), what the settings give read with each, the findings
// naming the file that sets a variable a database depends on, and DATABASES read with them where it cannot be read
// otherwise. Real Django reads the settings with each file's variables and must agree on the aliases and routers.
// Values are never shown: a password in a file appears in no output.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { initPython } from '../../src/core/python/parse';
import { Scanner } from '../../src/core/scan';
import { envFileCandidates, envFileSetting, looksLikeEnvFile, type EnvFileChoice } from '../../src/core/env/env-candidates';
import { looksLikeEnvPath } from '../../src/core/settings/deploy-files';
import { describeReads } from '../../src/core/settings/candidates';
import { writeTree } from './support';
import { CLI, djangoPython } from '../oracle/helpers';

const PY = djangoPython();
const NO_DJANGO = PY ? false : 'no Django venv (~/.cache/django-multidb/venv-django52): run scripts/python-env.sh';
const SECRET = 'pw-Zq81xK';

/**
 * Flagsmith's shape: DATABASES only with DB_NAME set, an analytics database and its router only with ANALYTICS_DB;
 * .env-local (the Makefile includes it), .env.docker (Compose's env_file), .env.example, and files that are not env
 * files (.envrc, env.json).
 */
function envProject(): string {
  return writeTree({
    'manage.py': 'import os, sys\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flags.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
    'flags/__init__.py': '',
    'flags/settings.py': [
      'import os',
      'SECRET_KEY = "x"',
      'INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]',
      'DATABASE_ROUTERS = []',
      'if "DB_NAME" in os.environ:',
      '    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DB_NAME"], "PASSWORD": os.environ.get("DB_PASSWORD", "")}}',
      '    if "ANALYTICS_DB" in os.environ:',
      '        DATABASES["analytics"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["ANALYTICS_DB"]}',
      '        DATABASE_ROUTERS.insert(0, "flags.routers.AnalyticsRouter")',
      '',
    ].join('\n'),
    'flags/routers.py': 'class AnalyticsRouter:\n    def allow_migrate(self, db, app_label, **hints):\n        if db == "analytics":\n            return app_label == "analytics"\n        return None\n',
    'Makefile': '-include .env-local\nexport\nserve:\n\tpython manage.py runserver\n',
    '.env-local': `DB_NAME=local.sqlite3\nDB_PASSWORD=${SECRET}\nANALYTICS_DB=analytics.sqlite3\nPYTEST_ADDOPTS=-x\n`,
    '.env.example': 'DB_NAME=example.sqlite3\n',
    '.env.docker': 'DB_NAME=docker.sqlite3\nANALYTICS_DB=docker-analytics.sqlite3\n',
    'docker-compose.yml': 'services:\n  web:\n    env_file:\n      - .env.docker\n',
    '.envrc': 'export DB_NAME=direnv.sqlite3\n',
    'env.json': '{"DB_NAME": "json"}\n',
  }, 'dmdb-envfiles-');
}

/** KEY=VALUE lines (the fixture's files are plain). */
function parseEnv(file: string): Record<string, string> {
  return Object.fromEntries(fs.readFileSync(file, 'utf8').split('\n').filter(l => l.includes('=')).map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** What Django reads with an env file's variables set: its aliases and routers. */
function djangoReads(dir: string, file: string): { aliases: string[]; routers: string[] } {
  const out = execFileSync(PY!, ['-c', 'import json\nfrom django.conf import settings\nfrom django.db import connections\nprint(json.dumps({"aliases": sorted(connections.settings), "routers": list(settings.DATABASE_ROUTERS)}))'], {
    cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DJANGO_SETTINGS_MODULE: 'flags.settings', PYTHONPATH: dir, ...parseEnv(file) },
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const scanner = (dir: string, extra: Partial<ConstructorParameters<typeof Scanner>[0]> = {}) => new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {}, ...extra });

describe('env files', () => {
  before(async () => { await initPython(); });

  test('env file names: dotenv files, not direnv scripts or code and data files', () => {
    for (const n of ['.env', '.env.local', '.env-ci', '.env_dev', '.env.example', 'dev.env', 'env.example']) assert.equal(looksLikeEnvFile(n), true, n);
    for (const n of ['.envrc', '.env.py', 'env.json', 'environment.yml', 'env', '.environment', 'settings.env.py']) assert.equal(looksLikeEnvFile(n), false, n);
    // cookiecutter-django's Compose env files: any file of a .envs folder (the extension's watcher follows them)
    for (const f of ['/p/.envs/.local/.django', '/p/.envs/.local/.postgres', '/p/.envs/.production/.django', '/p/app/.env.dev']) assert.equal(looksLikeEnvPath(f), true, f);
    for (const f of ['/p/.envs/README.md', '/p/.envs/.local/merge.py', '/p/config/.django', '/p/envs/.django']) assert.equal(looksLikeEnvPath(f), false, f);
  });

  test('cookiecutter-django: the Compose env files in .envs/ are candidates, and the settings read with them', async () => {
    const dir = writeTree({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")\n',
      'config/__init__.py': '', 'config/settings/__init__.py': '',
      'config/settings/local.py': 'import environ\nenv = environ.Env()\nDATABASES = {"default": env.db("DATABASE_URL"), "warehouse": env.db("WAREHOUSE_URL")}\nINSTALLED_APPS = []\n',
      'docker-compose.local.yml': 'services:\n  django:\n    env_file:\n      - ./.envs/.local/.django\n      - ./.envs/.local/.postgres\n',
      '.envs/.local/.django': 'USE_DOCKER=yes\n',
      '.envs/.local/.postgres': 'DATABASE_URL=postgres://u@postgres:5432/app\nWAREHOUSE_URL=postgres://u@warehouse:5432/dw\n',
      // the production ones, listed first by their Compose file: production by their folder, never read unless chosen
      'docker-compose.production.yml': 'services:\n  django:\n    env_file:\n      - ./.envs/.production/.django\n      - ./.envs/.production/.postgres\n',
      '.envs/.production/.django': 'USE_DOCKER=yes\n',
      '.envs/.production/.postgres': 'DATABASE_URL=postgres://prod_user@prod-db.internal:5432/prod\nWAREHOUSE_URL=postgres://prod_user@prod-dw.internal:5432/prod\n',
    }, 'dmdb-cookiecutter-');
    const cs = envFileCandidates([dir], null, false);
    assert.deepEqual(cs.map(c => `${path.relative(dir, c.file)}${c.production ? ' (production)' : ''}`).sort(),
      ['.envs/.local/.django', '.envs/.local/.postgres', '.envs/.production/.django (production)', '.envs/.production/.postgres (production)']);
    // no alias has an ENGINE without DATABASE_URL and WAREHOUSE_URL: read with the Compose env file that sets them, said
    const index = await scanner(dir).index();
    assert.deepEqual(index.settings?.databases.map(d => `${d.alias} ${d.engine} ${d.name}`), ['default django.db.backends.postgresql app', 'warehouse django.db.backends.postgresql dw']);
    const said = index.findings.find(f => f.envFile);
    assert.match(said?.message ?? '', /^DATABASES names no database engine with DATABASE_URL, WAREHOUSE_URL not set here: read as \.envs\/\.local\/\.postgres sets them; choose that file/);
    assert.equal(said?.severity, 'warning');
  });

  test('the Makefile\'s include and Compose\'s env_file first, then those found (the developer\'s before templates); each with what it sets', () => {
    const dir = envProject();
    const cs = envFileCandidates([dir], path.join(dir, '.env'), false);
    assert.deepEqual(cs.map(c => path.basename(c.file)), ['.env-local', '.env.docker', '.env.example']);
    assert.deepEqual(cs[0]!.sources, [{ kind: 'makefile', file: path.join(dir, 'Makefile') }, { kind: 'found' }]);
    assert.deepEqual(cs[1]!.sources, [{ kind: 'compose', file: path.join(dir, 'docker-compose.yml') }, { kind: 'found' }]);
    assert.deepEqual(cs[0]!.variables, ['DB_NAME', 'DB_PASSWORD', 'ANALYTICS_DB', 'PYTEST_ADDOPTS']);
    // the file in use is not the one to name; the next that sets the variable is
    assert.deepEqual(envFileSetting(cs, ['ANALYTICS_DB', 'OTHER'], path.join(dir, '.env-local')), { file: path.join(dir, '.env.docker'), sets: ['ANALYTICS_DB'] });
    assert.equal(envFileSetting(cs, ['NOWHERE'], null), null);
  });

  test('each env file\'s databases and routers are what real Django reads with its variables; values never returned', { skip: NO_DJANGO }, async () => {
    const dir = envProject();
    const cs = await scanner(dir).envFileCandidates();
    assert.equal(cs.length, 3);
    for (const c of cs) {
      const django = djangoReads(dir, c.file);
      assert.deepEqual((c.reads.databases ?? []).map(d => d.alias).sort(), django.aliases, c.file);
      assert.deepEqual(c.reads.routers ?? [], django.routers, c.file);
      assert.equal(c.module, 'flags.settings');
    }
    const local = cs[0]!;
    assert.equal(describeReads(local), 'default, analytics · 1 router');
    // of what it sets, what the settings read (PYTEST_ADDOPTS is not)
    assert.deepEqual(local.settingsVariables, ['DB_NAME', 'DB_PASSWORD', 'ANALYTICS_DB']);
    assert.equal(describeReads(cs.find(c => c.file.endsWith('.env.example'))!), 'default');
    assert.doesNotMatch(JSON.stringify(cs), new RegExp(SECRET));
  });

  test('DATABASES unreadable without them: read with the first env file, said by a warning naming it; the analytics router\'s finding names it', async () => {
    const dir = envProject();
    const index = await scanner(dir).index();
    assert.deepEqual(index.settings!.databases.map(d => d.alias), ['default', 'analytics']);
    assert.deepEqual(index.settings!.routers, ['flags.routers.AnalyticsRouter']);
    const warning = index.findings.find(f => f.code === 'settings-unknown' && f.message.includes('read as .env-local sets them'));
    assert.ok(warning, JSON.stringify(index.findings.map(f => f.message)));
    assert.equal(warning.path, path.join(dir, '.env-local'));
    assert.match(warning.message, /Choose Env File…, --env-file \.env-local/);
    assert.doesNotMatch(JSON.stringify(index.findings), new RegExp(SECRET));
    // read with .env.example (DB_NAME only): the analytics database depends on ANALYTICS_DB, which .env-local sets
    const example = await scanner(dir, { envFile: path.join(dir, '.env.example') }).index();
    assert.deepEqual(example.settings!.databases.map(d => d.alias), ['default']);
    const dep = example.findings.find(f => f.code === 'settings-env-dependent' && f.message.includes('ANALYTICS_DB'));
    assert.ok(dep, JSON.stringify(example.findings.map(f => f.message)));
    assert.match(dep.message, /\.env-local sets it: choose that env file \(Choose Env File…, --env-file \.env-local\) to see the other\./);
    // the file goes with the finding (the editor's quick fix reads the settings with it at once)
    assert.equal(dep.envFile, path.join(dir, '.env-local'));
    assert.equal(warning.envFile, path.join(dir, '.env-local'));
  });

  test('links to env files count, a .env folder, FIFOs, encrypted files and included makefiles do not', { skip: process.platform === 'win32' ? 'symlinks and FIFOs' : false }, () => {
    const dir = writeTree({
      '.env.local': 'A=1\n',
      '.env/README': 'a folder named .env',
      'Makefile': 'include common.mk .env.dev\n',
      'common.mk': 'BAZ=1\n',
      '.env.dev': 'B=2\n',
      '.env.gpg': 'C=3\n',
    }, 'dmdb-envlinks-');
    fs.symlinkSync('.env.local', path.join(dir, '.env.link'));
    execFileSync('mkfifo', [path.join(dir, '.env.fifo')]);
    const cs = envFileCandidates([dir], null, false);
    assert.deepEqual(cs.map(c => path.basename(c.file)), ['.env.dev', '.env.local', '.env.link']);
    assert.deepEqual(cs[0]!.sources.map(x => x.kind), ['makefile', 'found']);
  });

  test('DATABASES from one env file whole, the first that gives it, never a production one; values shown only where they name a module', async () => {
    const dir = writeTree({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "flags.settings")\n',
      'flags/__init__.py': '',
      'flags/conf_testing.py': 'NAME = "testing.sqlite3"\n',
      'flags/settings.py': 'import importlib, os\nSECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes"]\nif "DB_HOST" in os.environ:\n    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ.get("DB_NAME", "flags"), "HOST": os.environ["DB_HOST"], "USER": os.environ.get("DB_USER", "")}}\n',
      // an example that gives no host: not mixed with the production file's
      '.env.example': 'DB_NAME=\n',
      '.env.production': `DB_HOST=db.internal.corp\nDB_USER=svc.flags\nDB_PASSWORD=${SECRET}\n`,
    }, 'dmdb-envmix-');
    const index = await scanner(dir).index();
    // the production file is not read unless chosen: DATABASES stays as the settings give it without a host
    assert.equal(index.settings!.databasesNotConfigured?.kind, 'empty');
    assert.doesNotMatch(JSON.stringify(index), /db\.internal\.corp|svc\.flags/);
    // a developer's file that gives the host: read whole; its values, not modules, are not said
    fs.writeFileSync(path.join(dir, '.env.dev'), 'DB_HOST=localhost\nDB_USER=dev.user\n');
    const dev = await scanner(dir).index();
    assert.deepEqual(dev.settings!.databases.map(d => [d.alias, d.host, d.name]), [['default', 'localhost', 'flags']]);
    const w = dev.findings.find(f => f.code === 'settings-unknown' && /read as \.env\.dev sets them/.test(f.message));
    assert.ok(w, JSON.stringify(dev.findings.map(f => f.message)));
    assert.doesNotMatch(w.message, /dev\.user|localhost/);
  });

  test('an env file without DJANGO_SETTINGS_MODULE, where the one in use chose the module: read with the module manage.py names', async () => {
    const dir = envProject();
    fs.writeFileSync(path.join(dir, 'flags', 'other.py'), 'from flags.settings import *\n');
    fs.writeFileSync(path.join(dir, '.env'), 'DJANGO_SETTINGS_MODULE=flags.other\nDB_NAME=x.sqlite3\n');
    const cs = await scanner(dir).envFileCandidates();
    assert.equal(cs.find(c => c.file.endsWith(`${path.sep}.env`))!.module, 'flags.other');
    assert.equal(cs.find(c => c.file.endsWith('.env.example'))!.module, 'flags.settings');
  });

  test('an edit of a Makefile that includes an env file is seen by a later process (the cached index is not reused)', async () => {
    const dir = envProject();
    const cache = writeTree({}, 'dmdb-envcache-');
    const first = scanner(dir, { cacheDir: cache, envFile: path.join(dir, '.env.example') });
    const named = (i: Awaited<ReturnType<Scanner['index']>>) => [...new Set(i.findings.filter(f => f.code === 'settings-env-dependent').map(f => /(\S+) sets it: choose that env file/.exec(f.message)?.[1]).filter(Boolean))];
    assert.deepEqual(named(await first.index()), ['.env-local']);
    first.flushCaches();
    await new Promise(r => setTimeout(r, 20));
    fs.writeFileSync(path.join(dir, 'Makefile'), '# no include any more\n');
    fs.rmSync(path.join(dir, '.env-local'));
    const second = scanner(dir, { cacheDir: cache, envFile: path.join(dir, '.env.example') });
    assert.deepEqual(named(await second.index()), ['.env.docker']);
  });

  test('CLI: `env-files` prints the table (the one in use starred), --json names only; none exits 2', () => {
    const dir = envProject();
    const { DJANGO_SETTINGS_MODULE: _set, ...env } = process.env;
    // (cwd: the project, as a user runs it; Node itself checks that an --env-file argument exists)
    const run = (args: string[], cwd = dir) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...env, DJANGO_MULTIDB_CACHE: writeTree({}, 'dmdb-cache-') } });
    const table = run(['env-files', '.', '--no-python', '--env-file', '.env-local']);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^\* \.env-local\s+flags\.settings\s+default, analytics · 1 router\s+configured \(djangoMultiDb\.envFile \/ --env-file\); included by Makefile; found in the project\s+DB_NAME, DB_PASSWORD, ANALYTICS_DB$/m);
    assert.match(table.stdout, /^ {2}\.env\.example\s+flags\.settings\s+default\s+found in the project\s+DB_NAME$/m);
    assert.doesNotMatch(table.stdout, new RegExp(SECRET));
    const json = run(['env-files', '.', '--no-python', '--json']);
    assert.equal(json.status, 0, json.stderr);
    const list = JSON.parse(json.stdout) as EnvFileChoice[];
    assert.deepEqual(list.map(c => c.file), ['.env-local', '.env.docker', '.env.example']);
    assert.doesNotMatch(json.stdout, new RegExp(SECRET));
    const none = run(['env-files', '.', '--no-python'], writeTree({ 'manage.py': '', 'README.md': 'x' }, 'dmdb-noenv-'));
    assert.equal(none.status, 2);
    // --dotenv: --env-file under another name (Node itself stops on an --env-file argument naming a missing file)
    const other = writeTree({}, 'dmdb-cwd-');
    const dotenv = run(['env-files', dir, '--no-python', '--dotenv', path.join(dir, '.env.example')], other);
    assert.equal(dotenv.status, 0, dotenv.stderr);
    assert.match(dotenv.stdout, /^\* \.env\.example\s/m);
    const missing = run(['scan', dir, '--no-python', '--no-db', '--dotenv', 'nowhere.env'], other);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /env file nowhere\.env not found \(relative to the current directory/);
  });
});
