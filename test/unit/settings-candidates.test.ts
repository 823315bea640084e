// The settings modules a project could run with (core/settings/candidates.ts, Scanner.settingsCandidates, the CLI's
// `settings` command): who names each, and what each gives. Real Django loads every candidate and must agree on its
// database aliases and routers.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { initPython } from '../../src/core/python/parse';
import { Scanner } from '../../src/core/scan';
import { describeReads, looksLikeSettingsModule, toxSettingsModules, type SettingsChoice } from '../../src/core/settings/candidates';
import { parsePython } from '../../src/core/python/parse';
import { writeTree } from './support';
import { CLI, djangoPython } from '../oracle/helpers';

const PY = djangoPython();
const NO_DJANGO = PY ? false : 'no Django venv (~/.cache/django-multidb/venv-django52): run scripts/python-env.sh';

const SQLITE = (name: string) => `{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "${name}"}`;
/** A split-settings project: manage.py names dev, wsgi.py and Compose prod, pytest ci; base and nodb sit beside them. */
function splitProject(): string {
  return writeTree({
    'manage.py': 'import os, sys\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
    'shop/__init__.py': '',
    'shop/settings/__init__.py': '',
    'shop/settings/base.py': `from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\nSECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]\nDATABASES = {"default": ${SQLITE('db.sqlite3')}}\n`,
    'shop/settings/dev.py': 'from .base import *\nDEBUG = True\n',
    'shop/settings/prod.py': `from .base import *\nDATABASES = {"default": ${SQLITE('prod.sqlite3')}, "replica": ${SQLITE('replica.sqlite3')}}\nDATABASE_ROUTERS = ["shop.routers.ReplicaRouter"]\n`,
    'shop/settings/ci.py': `from .base import *\nDATABASES["analytics"] = ${SQLITE('analytics.sqlite3')}\n`,
    'shop/settings/nodb.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes"]\n',
    // helpers beside the settings: not offered
    'shop/settings/helpers.py': 'def env_list(name):\n    return []\n',
    'shop/routers.py': 'class ReplicaRouter:\n    def db_for_read(self, model, **hints):\n        return "replica"\n',
    'shop/wsgi.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.prod")\n',
    'pytest.ini': '[pytest]\nDJANGO_SETTINGS_MODULE = shop.settings.ci\n',
    'docker-compose.yml': 'services:\n  web:\n    environment:\n      DJANGO_SETTINGS_MODULE: shop.settings.prod\n',
  }, 'dmdb-settings-');
}

/** What Django reads from each module: its aliases and routers (settings only, no app loading). */
function djangoReads(dir: string, module: string): { aliases: string[]; routers: string[] } {
  const out = execFileSync(PY!, ['-c', 'import json\nfrom django.conf import settings\nfrom django.db import connections\nprint(json.dumps({"aliases": sorted(connections.settings), "routers": list(settings.DATABASE_ROUTERS)}))'], {
    cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DJANGO_SETTINGS_MODULE: module, PYTHONPATH: dir },
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const byModule = (cs: SettingsChoice[]) => new Map(cs.map(c => [c.module, c]));

describe('settings candidates', () => {
  before(async () => { await initPython(); });

  test('every module the project names, with who names it, then the settings modules beside them; helpers left out', async () => {
    const dir = splitProject();
    const cs = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {} }).settingsCandidates();
    assert.deepEqual(cs.map(c => c.module), ['shop.settings.dev', 'shop.settings.prod', 'shop.settings.ci', 'shop.settings.base', 'shop.settings.nodb']);
    const m = byModule(cs);
    assert.deepEqual(m.get('shop.settings.dev')!.sources.map(s => s.kind), ['in-use', 'manage-py']);
    assert.deepEqual(m.get('shop.settings.prod')!.sources.map(s => s.kind), ['entry-point', 'deploy']);
    assert.deepEqual(m.get('shop.settings.ci')!.sources.map(s => s.kind), ['pytest']);
    assert.deepEqual(m.get('shop.settings.base')!.sources, [{ kind: 'beside', of: 'shop.settings.dev' }]);
    assert.equal(m.get('shop.settings.prod')!.path, path.join(dir, 'shop', 'settings', 'prod.py'));
    assert.equal(describeReads(m.get('shop.settings.prod')!), 'default, replica · 1 router');
    assert.equal(describeReads(m.get('shop.settings.nodb')!), 'no DATABASES (Django\'s dummy default)');
  });

  test('each candidate\'s databases and routers are what real Django reads from it', { skip: NO_DJANGO }, async () => {
    const dir = splitProject();
    const cs = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {} }).settingsCandidates();
    assert.equal(cs.length, 5);
    for (const c of cs) {
      const django = djangoReads(dir, c.module);
      assert.deepEqual((c.reads.databases ?? []).map(d => d.alias).sort(), django.aliases, c.module);
      assert.deepEqual(c.reads.routers ?? [], django.routers, c.module);
    }
    // (Django's dummy default: what an empty DATABASES becomes)
    assert.equal(byModule(cs).get('shop.settings.nodb')!.reads.notConfigured, 'empty');
  });

  test('a module named that is not in the workspace is offered, said to be missing; --settings is in use', async () => {
    const dir = splitProject();
    const cs = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {}, settingsModule: 'shop.settings.ci' }).settingsCandidates();
    const m = byModule(cs);
    assert.deepEqual(m.get('shop.settings.ci')!.sources.map(s => s.kind), ['in-use', 'configured', 'pytest']);
    assert.deepEqual(m.get('shop.settings.dev')!.sources.map(s => s.kind), ['manage-py']);
    const gone = await new Scanner({ root: dir, allowPython: false, readDatabases: false, env: {}, settingsModule: 'shop.settings.staging' }).settingsCandidates();
    const staging = byModule(gone).get('shop.settings.staging')!;
    assert.equal(staging.path, null);
    assert.equal(describeReads(staging), 'not in the workspace or the environment');
  });

  test('tox.ini: the setenv value and pytest-django\'s --ds in its commands, each once; comments skipped', () => {
    const dir = writeTree({ 'tox.ini': '[testenv]\nsetenv =\n    DJANGO_SETTINGS_MODULE=site.settings.test\n    OTHER=1\n# --ds=site.settings.old\ncommands =\n    pytest --ds=site.settings.proxito --reuse-db\n    pytest --ds site.settings.test -m slow\n\n[testenv:lint]\nsetenv = DJANGO_SETTINGS_MODULE = site.settings.lint\n' }, 'dmdb-tox-');
    assert.deepEqual(toxSettingsModules([dir]).map(d => d.module), ['site.settings.test', 'site.settings.proxito', 'site.settings.lint']);
  });

  test('what counts as a settings module beside them', () => {
    const is = (text: string) => looksLikeSettingsModule(parsePython(text, 'x.py'));
    assert.equal(is('from .base import *\nDEBUG = True\n'), true);
    assert.equal(is('DATABASES = {}\n'), true);
    assert.equal(is('from .base import *\n'), false);
    assert.equal(is('import os\ndef helper():\n    return os.environ\n'), false);
    // settings classes that export their attributes into the module (readthedocs)
    assert.equal(is('from .base import BaseSettings\nclass TestSettings(BaseSettings):\n    DEBUG = True\nTestSettings.load_settings(__name__)\n'), true);
  });

  test('CLI: `settings` prints the table (the one in use starred), --json the list; no project exits 2', () => {
    const dir = splitProject();
    // (the machine's own DJANGO_SETTINGS_MODULE, if any, would be the module in use)
    const { DJANGO_SETTINGS_MODULE: _set, ...env } = process.env;
    const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...env, DJANGO_MULTIDB_CACHE: writeTree({}, 'dmdb-cache-') } });
    const table = run(['settings', dir, '--no-python']);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^\* shop\.settings\.dev\s+default\s+manage\.py$/m);
    assert.match(table.stdout, /^ {2}shop\.settings\.prod\s+default, replica · 1 router\s+shop\/wsgi\.py; docker-compose\.yml$/m);
    assert.match(table.stdout, /^ {2}shop\.settings\.ci\s+default, analytics\s+pytest\.ini$/m);
    const json = run(['settings', dir, '--no-python', '--json']);
    assert.equal(json.status, 0, json.stderr);
    const list = JSON.parse(json.stdout) as SettingsChoice[];
    assert.equal(list[0]!.module, 'shop.settings.dev');
    assert.equal(list[0]!.path, path.join('shop', 'settings', 'dev.py'));
    assert.deepEqual(list.find(c => c.module === 'shop.settings.prod')!.sources, [{ kind: 'entry-point', file: path.join('shop', 'wsgi.py') }, { kind: 'deploy', file: 'docker-compose.yml' }]);
    const none = run(['settings', writeTree({ 'README.md': 'nothing' }, 'dmdb-empty-'), '--no-python']);
    assert.equal(none.status, 2);
    // scan with settings that set no DATABASES: the dummy default is "not configured", and the table says where to look
    const scan = run(['scan', dir, '--no-python', '--no-db', '--settings', 'shop.settings.nodb']);
    assert.equal(scan.status, 0, scan.stderr);
    assert.match(scan.stdout, /^default\s+django\.db\.backends\.dummy\s+\?\s+not configured \(Django's dummy backend\)$/m);
    assert.match(scan.stdout, /These settings configure no database: `django-multidb settings` lists/);
  });
});
