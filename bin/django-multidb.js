#!/usr/bin/env node
// Launcher for the command line tool. better-sqlite3 13 needs N-API 10 (Node >= 22) and crashes on older
// Node; when we are started by an older Node, re-run the same command with the Node 24 that the project
// installs from the npm registry (devDependency "node"), if it is there.
'use strict';
const path = require('path');
const fs = require('fs');
const napi = Number(process.versions.napi || 0);
if (napi < 10 && !process.env.DJANGO_MULTIDB_NO_REEXEC) {
  const candidates = [
    path.join(__dirname, '..', 'node_modules', 'node', 'bin', 'node'),
    path.join(__dirname, '..', 'node_modules', '.bin', 'node'),
  ];
  const node = candidates.find(p => { try { return fs.statSync(p).isFile(); } catch { return false; } });
  if (node) {
    const r = require('child_process').spawnSync(node, [__filename, ...process.argv.slice(2)], {
      stdio: 'inherit', env: { ...process.env, DJANGO_MULTIDB_NO_REEXEC: '1' },
    });
    process.exit(r.status === null ? 1 : r.status);
  }
  process.env.DJANGO_MULTIDB_OLD_NODE = process.version;
}
if (process.env.DJANGO_MULTIDB_PRINT_RSS) {
  process.on('exit', () => process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`));
}
// V8's young generation kept at its first size (1 MB semi-spaces), where it would double up to 64 MB: a scan's
// garbage is short-lived parse trees, and a large young generation costs more in fresh pages (page faults) and cache
// misses than its fewer scavenges save. Cold scan of the benchmark project (150 apps, 3,000 migrations): 2.17 → 1.97 s
// median, peak memory 254 → 192 MB (bench/run.mjs). The flag is read each time the young generation would grow, so
// setting it here, before any work, applies to this process's heap and to its worker threads'.
require('v8').setFlagsFromString(process.env.XFLAGS ?? '--semi-space-growth-factor=1');
// V8's on-disk code cache (Node >= 22.1) saves compiling the bundle on every run. It belongs to the tool, not to a
// project: kept next to the installed tool (node_modules/.cache, as Python keeps a package's .pyc files in its
// __pycache__), so that emptying the project cache folder (DJANGO_MULTIDB_CACHE) leaves it; the user cache folder
// where the tool's folder cannot be written (a global install owned by root).
try {
  const mod = require('module');
  const failed = mod.constants?.compileCacheStatus?.FAILED;
  const own = path.join(__dirname, '..', 'node_modules', '.cache', 'django-multidb-v8');
  const r = mod.enableCompileCache?.(own);
  if (r && r.status === failed) {
    const base = process.env.DJANGO_MULTIDB_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(require('os').homedir(), '.cache'), 'django-multidb');
    mod.enableCompileCache(path.join(base, 'v8-compile-cache'));
  }
} catch { /* an optimisation only */ }
require('../dist/cli.js').main(process.argv.slice(2)).then(
  code => { process.exitCode = code; },
  e => { process.stderr.write(`django-multidb: ${(e && e.stack) || e}\n`); process.exitCode = 2; },
);
