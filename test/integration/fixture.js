// Shared by the integration runner (run.js) and the UI test (../e2e/ui.test.js): the tool paths, the fixture
// workspace, and stopping code-server with everything it started.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const http = require('http');

const REPO = path.resolve(__dirname, '..', '..');

/** KEY=value lines printed by scripts/vscode-env.sh (installs on first use, cached afterwards). */
function vscodeEnv() {
  if (process.env.CODE_SERVER && process.env.CS_NODE && process.env.CHROMIUM && process.env.CS_HOME) return process.env;
  const out = execFileSync('bash', [path.join(REPO, 'scripts', 'vscode-env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const env = {};
  for (const l of out.split('\n')) { const m = /^(\w+)=(.*)$/.exec(l); if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/\\(.)/g, '$1'); }
  return env;
}

function pythonEnv() {
  if (process.env.DJANGO_MULTIDB_PYTHON) return process.env.DJANGO_MULTIDB_PYTHON;
  const out = execFileSync('bash', [path.join(REPO, 'scripts', 'python-env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop();
}

/** The example, copied without databases and caches; default migrated; what Django expects of it. */
function prepareWorkspace({ run, python, example: EXAMPLE, fk: FK, log = console.log }) {
  const ws = path.join(run, 'ws');
  fs.cpSync(EXAMPLE, ws, {
    recursive: true,
    filter: src => !/(\.sqlite3(-journal|-wal|-shm)?|__pycache__|\.pyc|node_modules|\.venv)$/.test(src),
  });
  const managePy = findManagePy(ws);
  if (!managePy) throw new Error(`no manage.py under ${EXAMPLE}`);
  // the interpreter for the extension: its setting (the Python extension is not installed in code-server here)
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  const settingsFile = path.join(ws, '.vscode', 'settings.json');
  const settings = fs.existsSync(settingsFile) ? JSON.parse(fs.readFileSync(settingsFile, 'utf8')) : {};
  settings['djangoMultiDb.pythonPath'] = python;
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  const tm = Date.now();
  execFileSync(python, [managePy, 'migrate', '--database=default', '--noinput', '-v', '0'], { cwd: path.dirname(managePy), stdio: 'inherit' });
  log(`migrated default in ${Date.now() - tm} ms`);
  const planScript = path.join(__dirname, 'django_plan.py');
  const exp = JSON.parse(execFileSync(python, [planScript, managePy, ...(FK ? ['--fk', FK] : [])], { encoding: 'utf8' }));
  Object.assign(exp, { projectDir: path.dirname(managePy), managePy, python, workspaceDir: ws, exampleDir: path.resolve(EXAMPLE) });
  const expectedFile = path.join(run, 'expected.json');
  fs.writeFileSync(expectedFile, JSON.stringify(exp, null, 2));
  log('Django plans:', Object.entries(exp.plans).map(([a, p]) => `${a}=${p ? p.length : 'unreachable'}`).join(' '));
  return { ws, expectedFile, planScript };
}

/** The benchmark project (bench/generate.mjs: 150 apps × 10 models × 20 migrations, 4 SQLite aliases, none of them
 *  created) and, for the save-to-diagnostics test, the cross-database foreign key app001.Thing1x0.upstream (app001
 *  migrates on 'analytics', app000 on 'default'). No Django run: the figures are about the extension. */
function prepareBenchWorkspace({ run, python, apps = 150, models = 10, migrations = 20, log = console.log }) {
  const ws = path.join(run, 'ws');
  const tg = Date.now();
  execFileSync(process.execPath, [path.join(REPO, 'bench', 'generate.mjs'), ws, String(apps), String(models), String(migrations)], { stdio: ['ignore', 'ignore', 'inherit'] });
  log(`generated the benchmark project (${apps} apps × ${models} models × ${migrations} migrations) in ${Date.now() - tg} ms`);
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  // DJANGO_MULTIDB_BENCH_MODE=static: the figures of the static index alone (no Django helper runs beside them)
  const mode = process.env.DJANGO_MULTIDB_BENCH_MODE;
  fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'djangoMultiDb.pythonPath': python, ...(mode ? { 'djangoMultiDb.mode': mode } : {}) }, null, 2));
  const file = path.join(ws, 'app001', 'models.py');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex(l => /^\s+upstream\s*=/.test(l));
  if (line < 0) throw new Error(`no upstream field in ${file}`);
  const exp = {
    plans: {}, projectDir: ws, managePy: path.join(ws, 'manage.py'), python, workspaceDir: ws, bench: { apps, models, migrations },
    crossDbFk: { file, line, column: lines[line].indexOf('ForeignKey'), field: 'app001.Thing1x0.upstream', target: 'app000.Thing0x0' },
  };
  const expectedFile = path.join(run, 'expected.json');
  fs.writeFileSync(expectedFile, JSON.stringify(exp, null, 2));
  return { ws, expectedFile, planScript: path.join(__dirname, 'django_plan.py') };
}

function findManagePy(dir, depth = 0) {
  if (fs.existsSync(path.join(dir, 'manage.py'))) return path.join(dir, 'manage.py');
  if (depth > 2) return null;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && !e.name.startsWith('.')) { const f = findManagePy(path.join(dir, e.name), depth + 1); if (f) return f; }
  }
  return null;
}

/** Environment for code-server: Node 24 first in PATH (its bin is `#!/usr/bin/env node`), its XDG dirs in the cache
 *  (it writes ~/.config/code-server and ~/.local/share/code-server otherwise). */
function codeServerEnv(env) {
  return {
    ...process.env, PATH: `${path.dirname(env.CS_NODE)}:${process.env.PATH}`,
    XDG_CONFIG_HOME: path.join(env.CS_HOME, 'config'), XDG_DATA_HOME: path.join(env.CS_HOME, 'data'), XDG_CACHE_HOME: path.join(env.CS_HOME, 'cache'),
  };
}

function waitHealthy(url, ms) {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => http.get(url, r => { r.resume(); resolve(); }).on('error', () =>
      Date.now() > end ? reject(new Error(`code-server did not answer ${url} within ${ms} ms`)) : setTimeout(tick, 200));
    tick();
  });
}

/**
 * The fields of /proc/PID/stat after the command name (from `state` on: [0] state, [1] ppid, [11] utime, [12] stime,
 * [19] starttime; the name in parentheses may hold spaces and parentheses), or null when the process is gone.
 */
function statFields(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** pid and all its descendants (from /proc), parents first. Some children (ptyHost shells) start new sessions, so
 *  killing the process group alone would leave them behind. */
function processTree(pid) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(d);
    if (!f) continue; // gone
    const ppid = +f[1];
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(+d);
  }
  const out = [];
  const walk = p => { out.push(p); for (const c of children.get(p) || []) walk(c); };
  walk(pid);
  return out;
}

async function killTree(pid) {
  if (!pid) return;
  const pids = processTree(pid);
  for (const p of pids) { try { process.kill(p, 'SIGTERM'); } catch { /* gone */ } }
  const end = Date.now() + 3000;
  while (Date.now() < end && pids.some(alive)) await new Promise(r => setTimeout(r, 100));
  for (const p of pids.filter(alive)) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
}
function alive(p) { try { process.kill(p, 0); return true; } catch { return false; } }

module.exports = { codeServerEnv, vscodeEnv, pythonEnv, prepareWorkspace, prepareBenchWorkspace, findManagePy, waitHealthy, statFields, processTree, killTree };
