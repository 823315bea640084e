// Benchmark: `django-multidb scan --json` against what a user does today (`manage.py showmigrations
// --database=X` for every alias), on a generated project; both produce the pending list. Prints medians,
// the scan's peak memory, and `scan/django ratio: R` last.
// Usage: node bench/run.mjs [--apps 150] [--models 10] [--migrations 20] [--runs 5] [--django-runs 3] [--keep]
//        [--cold-runs 6]
//        node bench/run.mjs --project PATH [--runs 5] [--no-python] [--with-db]   (cold and warm scan of a checkout)
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const arg = (n, d) => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const strArg = n => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1] : null; };
const APPS = arg('apps', 150), MODELS = arg('models', 10), MIGS = arg('migrations', 20), RUNS = arg('runs', 5), DJ_RUNS = arg('django-runs', 3);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const py = process.env.DJANGO_MULTIDB_PYTHON || execFileSync('bash', [path.join(repo, 'scripts/python-env.sh')], { encoding: 'utf8' }).trim().split('\n').pop();
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = ms => `${(ms / 1000).toFixed(3)} s`;

if (strArg('project')) {
  await benchProject(path.resolve(strArg('project')));
  process.exit(0);
}

/**
 * `--project PATH`: the static scan of an existing checkout (e.g. Saleor), cold (an empty on-disk cache folder,
 * DJANGO_MULTIDB_CACHE, for every run: nothing parsed before, sys.path asked again) and warm (the cache filled by
 * an earlier run, as for a user's second scan). Databases are not read (`--no-db`) unless `--with-db`; the venv
 * python is passed (`--python`) so that Django's own apps are found, `--no-python` reads site-packages from disk.
 * Prints medians and the phase timings (`--verbose`) of the last run of each kind.
 */
async function benchProject(project) {
  const runs = arg('runs', 5);
  const cli = path.join(repo, 'bin/django-multidb.js');
  const args = ['scan', project, '--json', '--mode', 'static', '--verbose',
    ...(process.argv.includes('--no-python') ? ['--no-python'] : ['--python', py]),
    ...(process.argv.includes('--with-db') ? [] : ['--no-db'])];
  const once = (cacheBase, extra = []) => {
    const t = performance.now();
    const p = spawnSync(process.execPath, ['-r', path.join(repo, 'bench/cpu-usage.cjs'), cli, ...args, ...extra], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, DJANGO_MULTIDB_CACHE: cacheBase, DJANGO_MULTIDB_PRINT_RSS: '1' } });
    const ms = performance.now() - t;
    if (p.status !== 0) { console.error(p.stderr.slice(-3000)); process.exit(1); }
    const phases = /timings \(ms\): (.*)/.exec(p.stderr)?.[1] ?? '';
    const rss = Number(/maxRSS (\d+)/.exec(p.stderr)?.[1] ?? 0);
    const cpu = Number(/cpuMs (\d+)/.exec(p.stderr)?.[1] ?? NaN);
    return { ms, phases, rss, cpu, report: JSON.parse(p.stdout) };
  };
  const cold = [];
  let last;
  for (let r = 0; r < runs; r++) {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-bench-cold-'));
    last = once(base);
    cold.push(last);
    fs.rmSync(base, { recursive: true, force: true });
  }
  const warmBase = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-bench-warm-'));
  once(warmBase);
  const warm = [];
  for (let r = 0; r < runs; r++) warm.push(once(warmBase));
  // a project scanned for the first time by a user who ran the tool before: V8's compile cache is there, the
  // index cache is not (--no-cache: no migration or module cache, sys.path asked again)
  const noCache = [];
  for (let r = 0; r < runs; r++) noCache.push(once(warmBase, ['--no-cache']));
  fs.rmSync(warmBase, { recursive: true, force: true });
  const rep = last.report;
  console.log(`${project}: ${rep.apps?.length ?? '?'} apps (${rep.apps?.filter(a => a.installed === 'discovered').length ?? 0} discovered), ${rep.models.length} models, ${rep.migrations.length} migrations, ${rep.databases.length} aliases, ${rep.diagnostics.length} findings`);
  console.log(`cold scan (empty cache folder) median of ${runs}: ${fmt(median(cold.map(x => x.ms)))}  (runs: ${cold.map(x => (x.ms / 1000).toFixed(2)).join(', ')})`);
  console.log(`  phases of the last cold run (ms): ${cold.at(-1).phases}`);
  console.log(`--no-cache scan (compile cache kept) median of ${runs}: ${fmt(median(noCache.map(x => x.ms)))}  (CPU ${fmt(median(noCache.map(x => x.cpu)))})`);
  console.log(`warm scan (cache from an earlier run) median of ${runs}: ${fmt(median(warm.map(x => x.ms)))}  (runs: ${warm.map(x => (x.ms / 1000).toFixed(2)).join(', ')})`);
  console.log(`  phases of the last warm run (ms): ${warm.at(-1).phases}`);
  console.log(`CPU time of the scan process (user + system, median): cold ${fmt(median(cold.map(x => x.cpu)))}, warm ${fmt(median(warm.map(x => x.cpu)))}; load average now ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  console.log(`peak memory (max RSS): cold ${(Math.max(...cold.map(x => x.rss)) / 1024).toFixed(0)} MiB, warm ${(Math.max(...warm.map(x => x.rss)) / 1024).toFixed(0)} MiB`);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-bench-'));

console.log(`generating ${APPS} apps × ${MODELS} models, ${MIGS} migrations per app in ${dir}`);
const info = JSON.parse(execFileSync(process.execPath, [path.join(repo, 'bench/generate.mjs'), dir, String(APPS), String(MODELS), String(MIGS)], { encoding: 'utf8' }));
console.log(JSON.stringify(info));

// Two aliases partly migrated, recorded by Django itself (MigrationRecorder), consistent with the graph.
execFileSync(py, ['-c', `
import os, sys, django
sys.path.insert(0, ${JSON.stringify(dir)})
os.environ["DJANGO_SETTINGS_MODULE"] = "bigsite.settings"
django.setup()
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.core.management import call_command
# contenttypes and auth for real (their tables exist, for the drift case), recorded by migrate itself
call_command("migrate", "auth", database="default", verbosity=0)
loader = MigrationLoader(None, ignore_no_migrations=True)
nodes = sorted(loader.disk_migrations)
def take(alias, pred):
    rec = MigrationRecorder(__import__("django.db", fromlist=["connections"]).connections[alias])
    rec.ensure_schema()
    rows = [rec.Migration(app=a, name=n) for (a, n) in nodes if pred(a, n)]
    rec.migration_qs.bulk_create(rows)
    return len(rows)
def idx(a): return int(a[3:]) if a.startswith("app") else -1
print("default applied", take("default", lambda a, n: a.startswith("app") and int(n[:4]) <= max(1, idx(a) % ${MIGS})))
print("analytics applied", take("analytics", lambda a, n: a.startswith("app") and idx(a) < ${Math.floor(APPS / 2)}))
`], { cwd: dir, stdio: 'inherit' });

// Drift case: the aliases hold real tables (each app's models on its alias, plus --extra-tables unrelated tables
// on default, 3000 by default), so every scan also reads the schemas and compares them (core/drift.ts); one table
// is missing and one is stray on purpose, and the scan must find exactly those two. The tables are written
// through a separate writable connection here (the scan itself only reads).
const EXTRA_TABLES = arg('extra-tables', 3000);
const schemaTables = {};
{
  const { createRequire } = await import('module');
  const Database = createRequire(import.meta.url)(path.join(repo, 'node_modules/better-sqlite3'));
  const apps = JSON.parse(fs.readFileSync(path.join(dir, 'bench-schema.json'), 'utf8'));
  for (const alias of ['default', 'analytics', 'legacy']) {
    const db = new Database(path.join(dir, `${alias}.sqlite3`));
    db.transaction(() => {
      for (const a of apps) {
        // managed models on the alias the routers migrate them to; the legacy apps' unmanaged tables on `legacy`,
        // where LegacyRouter.db_for_read sends them (the scan looks for them there: unmanaged-table-missing)
        if (a.home !== alias || (!a.managed && alias !== 'legacy')) continue;
        for (const m of a.models) {
          // the one missing table (schema-drift): app019 is migrated on default up to its last migration but one
          // (an AddField on Thing19x8), so its other models are fully migrated there
          if (m.table === 'app019_thing19x1') continue;
          db.exec(`CREATE TABLE "${m.table}" (id integer PRIMARY KEY, name text${m.fk ? `, ${m.fk} integer` : ''})`);
        }
      }
      if (alias === 'default') for (let k = 0; k < EXTRA_TABLES; k++) db.exec(`CREATE TABLE extra_table_${k} (id integer PRIMARY KEY, a text, b integer, c real)`);
      // the one stray table: app000 lives on default, the routers keep it off analytics
      if (alias === 'analytics') db.exec('CREATE TABLE app000_thing0x0 (id integer PRIMARY KEY, name text, x integer)');
    })();
    schemaTables[alias] = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get().n;
    db.close();
  }
  console.log(`drift case: tables ${Object.entries(schemaTables).map(([a, n]) => `${a} ${n}`).join(', ')}`);
}

const cli = path.join(repo, 'bin/django-multidb.js');
// The static scan is what is compared with Django: with --python the CLI defaults to --mode auto, which asks
// Django itself (python/django_helper.py imports the whole project) and so cannot be faster than Django. The
// interpreter is still passed, to find site-packages through sys.path as a user's scan does.
const scanArgs = ['scan', dir, '--json', '--mode', 'static', '--python', py];
// the CLI's on-disk cache (warm after the first run, as for a user), in a folder removed at the end
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-bench-cache-'));
const scanEnv = { ...process.env, DJANGO_MULTIDB_CACHE: cacheDir };
// The first run is cold (an empty cache folder); the next RUNS are warm: the same scan again, answered by the
// output cache (core/report-cache.ts: the index snapshot and the databases, read again, unchanged). Then RUNS
// more with the output cache off (DJANGO_MULTIDB_OUTPUT_CACHE=0): the index from its snapshot, the report and
// the JSON computed again, for comparison.
let report, rss = 0;
// stdout goes to a file, as `scan --json > report.json` in CI: the time is the scan's, not this script's reading
// 5 MB from a pipe
const outFile = path.join(cacheDir, 'report.json');
const scanOnce = (extraEnv = {}) => {
  const fd = fs.openSync(outFile, 'w');
  const t = performance.now();
  const p = spawnSync(process.execPath, [cli, ...scanArgs], { encoding: 'utf8', stdio: ['ignore', fd, 'pipe'], env: { ...scanEnv, DJANGO_MULTIDB_PRINT_RSS: '1', ...extraEnv } });
  const ms = performance.now() - t;
  fs.closeSync(fd);
  if (p.status !== 0) { console.error(p.stderr); process.exit(1); }
  const out = JSON.parse(fs.readFileSync(outFile, 'utf8'));
  if (report && JSON.stringify(out) !== JSON.stringify(report)) { console.error('a warm scan printed another report than the cold one'); process.exit(1); }
  report = out;
  const m = /maxRSS (\d+)/.exec(p.stderr);
  if (m) rss = Math.max(rss, Number(m[1]));
  return ms;
};
// cold: the first run fills the cache folder the warm runs use; --cold-runs more (default 6) each start from an
// empty folder of their own, and the median is reported (one run moves by ±15 % on a 2-core machine)
const coldTimes = [scanOnce()];
for (let r = 0; r < arg('cold-runs', 6); r++) {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-bench-cold-'));
  coldTimes.push(scanOnce({ DJANGO_MULTIDB_CACHE: fresh }));
  fs.rmSync(fresh, { recursive: true, force: true });
}
const coldTime = median(coldTimes);
const scanTimes = [];
for (let r = 0; r < RUNS; r++) scanTimes.push(scanOnce());
const noOutputCacheTimes = [];
for (let r = 0; r < RUNS; r++) noOutputCacheTimes.push(scanOnce({ DJANGO_MULTIDB_OUTPUT_CACHE: '0' }));

const aliases = report.databases.map(d => d.alias);
const djTimes = [];
let djPending = {};
for (let r = 0; r < DJ_RUNS; r++) {
  const t = performance.now();
  for (const alias of aliases) {
    const out = execFileSync(py, ['manage.py', 'showmigrations', `--database=${alias}`], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
    let app = null;
    const pending = [];
    for (const line of out.split('\n')) {
      if (/^\S/.test(line)) app = line.trim();
      else { const m = /^ \[ \] (\S+)/.exec(line); if (m) pending.push(`${app}.${m[1]}`); }
    }
    djPending[alias] = pending;
  }
  djTimes.push(performance.now() - t);
}

let agree = true;
for (const alias of aliases) {
  const a = new Set(report.plan[alias] ?? []), b = new Set(djPending[alias]);
  const same = a.size === b.size && [...a].every(x => b.has(x));
  if (!same) agree = false;
  console.log(`  ${alias}: scan ${a.size} pending, showmigrations ${b.size} unapplied${same ? '' : '  (DIFFERENT)'}`);
}
console.log(`migrations ${report.migrations.length}, models ${report.models.length}, routing rows ${report.routing.length}`);
console.log(`scan --json --mode static, cold (empty cache folder), median of ${coldTimes.length}: ${fmt(coldTime)}  (runs: ${coldTimes.map(x => (x / 1000).toFixed(2)).join(', ')})`);
console.log(`scan --json --mode static, warm, median of ${RUNS}: ${fmt(median(scanTimes))}  (runs: ${scanTimes.map(t => (t / 1000).toFixed(2)).join(', ')})`);
console.log(`  the same without the output cache (index snapshot, report and JSON computed again), median of ${RUNS}: ${fmt(median(noOutputCacheTimes))}`);
console.log(`showmigrations × ${aliases.length} aliases median of ${DJ_RUNS}: ${fmt(median(djTimes))}  (runs: ${djTimes.map(t => (t / 1000).toFixed(2)).join(', ')})`);
console.log(`scan peak memory (max RSS): ${(rss / 1024).toFixed(0)} MiB`);
{
  // for information: the same scan in Django mode (one run)
  const t = performance.now();
  const p = spawnSync(process.execPath, [cli, 'scan', dir, '--json', '--mode', 'auto', '--python', py], { encoding: 'utf8', maxBuffer: 1 << 30, env: scanEnv });
  console.log(`scan --json --mode auto (Django's own answer), one run: ${fmt(performance.now() - t)}${p.status === 0 ? '' : ` (exit ${p.status})`}`);
}
console.log(`pending lists agree: ${agree ? 'yes' : 'NO'}`);
{
  // the drift case: what the scan found, and what reading the schemas and comparing them cost (one verbose run)
  const found = report.diagnostics.filter(d => ['schema-drift', 'stray-table', 'unknown-applied-migration', 'unmanaged-table-missing'].includes(d.code));
  const want = [...(APPS > 19 ? ['schema-drift default app019.Thing19x1'] : []), 'stray-table analytics app000.Thing0x0'];
  const got = found.map(d => `${d.code} ${d.alias} ${d.model}`).sort();
  const p = spawnSync(process.execPath, [cli, ...scanArgs, '--verbose'], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...scanEnv, DJANGO_MULTIDB_OUTPUT_CACHE: '0' } });
  const t = /timings \(ms\): (.*)/.exec(p.stderr)?.[1] ?? '';
  const ms = k => Number(new RegExp(`\\b${k} (\\d+)`).exec(t)?.[1] ?? NaN);
  const checked = Object.values(report.drift ?? {}).reduce((n, d) => n + d.checked.models, 0);
  console.log(`drift: ${Object.values(schemaTables).reduce((a, b) => a + b, 0)} tables read, ${checked} models compared; reading django_migrations + schemas of ${aliases.length} aliases ${ms("databases")} ms, then the comparison ${ms("drift")} ms`);
  console.log(`drift findings as planted: ${JSON.stringify(got) === JSON.stringify(want) ? 'yes' : `NO (${JSON.stringify(got)})`}`);
}
// --keep: leave the generated project (with its databases) for profiling
if (process.argv.includes('--keep')) console.log(`project kept in ${dir}`);
else fs.rmSync(dir, { recursive: true, force: true });
fs.rmSync(cacheDir, { recursive: true, force: true });
console.log(`scan/django ratio, cold: ${(coldTime / median(djTimes)).toFixed(4)}; warm without the output cache: ${(median(noOutputCacheTimes) / median(djTimes)).toFixed(4)}`);
console.log(`scan/django ratio: ${(median(scanTimes) / median(djTimes)).toFixed(4)}`);
