// The on-disk caches (parsed modules, migration files, lints): a scan from them, and one after an edit (which
// writes them again), must answer exactly like a scan without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Scanner, toReport } from '../../src/core/scan';
import { setOverlay } from '../../src/core/vfs';
import { writeTree } from './support';

const project = {
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
  'mysite/__init__.py': '',
  'mysite/conf.py': `
def database(name, **extra):
    def inner():
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name + ".sqlite3", **extra}
    return inner()

class Unused:
    def method(self):
        if True:
            def nested():
                return 1
        return nested()
`,
  'mysite/settings.py': `
from .conf import database
INSTALLED_APPS = ["shop", "stats"]
DATABASES = {"default": database("main"), "stats": database("stats")}
DATABASE_ROUTERS = ["mysite.routers.Router"]
`,
  'mysite/routers.py': `
class Router:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "stats":
            return db == "stats"
        return db == "default"
`,
  'shop/__init__.py': '',
  'shop/models.py': `
from django.db import models
class Order(models.Model):
    total = models.IntegerField()
    def __str__(self):
        try:
            return str(self.total)
        finally:
            pass
`,
  'stats/__init__.py': '',
  'stats/models.py': 'from django.db import models\nclass Hit(models.Model):\n    n = models.IntegerField()\n',
};

const report = async (root: string, cacheDir: string | null) => {
  const index = await new Scanner({ root, allowPython: false, env: {}, cacheDir }).index();
  return JSON.stringify(toReport({ ...index, timings: {} }));
};

test('a scan from the on-disk caches, and after an edit, answers like a scan without them', async () => {
  const root = writeTree(project, 'dmdb-modcache-');
  const cacheDir = path.join(root, '.cache');
  const fresh = await report(root, null);
  assert.match(fresh, /"alias":"stats","model":"stats.Hit","migrate":true/);
  assert.equal(await report(root, cacheDir), fresh, 'cold, writing the cache');
  assert.ok(fs.readdirSync(cacheDir).some(f => f.startsWith('modules-')));
  assert.equal(await report(root, cacheDir), fresh, 'warm');

  // an edit: the caches are written again
  fs.appendFileSync(path.join(root, 'stats/models.py'), 'class Visit(models.Model):\n    n = models.IntegerField()\n');
  const edited = await report(root, null);
  assert.match(edited, /"name":"Visit"/);
  assert.equal(await report(root, cacheDir), edited, 'after the edit');
  assert.equal(await report(root, cacheDir), edited, 'from the cache written again');
  fs.rmSync(root, { recursive: true, force: true });
});

test('delayed cache writes (the extension\'s worker) wait while unsaved buffers are laid over files', async () => {
  const dir = writeTree(project, 'dmdb-cache-typing-');
  const cacheDir = path.join(writeTree({}, 'dmdb-cache-dir-'), 'c');
  const scanner = new Scanner({ root: dir, cacheDir, cacheWriteDelayMs: 30 });
  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
  const settings = path.join(dir, 'mysite', 'settings.py');
  setOverlay(settings, `${fs.readFileSync(settings, 'utf8')}\n# typing\n`);
  try {
    await scanner.index();
    await sleep(200);
    assert.equal(fs.existsSync(cacheDir), false, 'nothing written while the user types');
  } finally {
    setOverlay(settings, null);
  }
  await scanner.index();
  await sleep(200);
  assert.ok(fs.readdirSync(cacheDir).some(f => f.startsWith('index-')), 'written once the buffers are gone');
});

test('the parsed-module cache keeps every file, a bigint or an infinite float in it included', async () => {
  const { ModuleIndex } = await import('../../src/core/python/modules');
  const v8 = await import('node:v8');
  const root = writeTree({ 'pkg/__init__.py': '', 'pkg/values.py': 'BIG = 123456789012345678901234567890\nHUGE = 1e999\nSMALL = 100\n' }, 'dmdb-modcache-big-');
  const file = path.join(root, 'pkg', 'values.py');
  const first = new ModuleIndex([root]);
  const parsed = first.parseFile(file);
  assert.ok(parsed);
  // as the scan writes the cache file and a later process reads it
  const entries = v8.deserialize(v8.serialize(first.exportParsed())) as Record<string, unknown>;
  assert.ok(entries[file], 'the file is in the cache');
  const second = new ModuleIndex([root]);
  second.importParsed(entries);
  const again = second.parseFile(file);
  assert.deepEqual(again, parsed);
  const values = again!.body.map(s => (s.type === 'Assign' && s.value.type === 'Constant' ? s.value.value : undefined));
  assert.deepEqual(values, [123456789012345678901234567890n, Infinity, 100]);
  fs.rmSync(root, { recursive: true, force: true });
});
