#!/usr/bin/env node
// Runs the integration suites (dist-test/integration/index.js) INSIDE code-server's real extension host, the way
// @vscode/test-electron does with --extensionTestsPath on the desktop:
//  1. copies the example project into a temp dir and migrates only `default` with the Django venv, so other aliases
//     stay pending; asks Django for the expected plans (django_plan.py);
//  2. starts code-server (scripts/vscode-env.sh installs it) with `--vscode-option enable-smoke-test-driver`, without
//     which the workbench ignores the `payload` URL parameter below;
//  3. opens the workbench in headless chromium with payload = extensionDevelopmentPath (the repo) +
//     extensionTestsPath + extensionEnvironment. The remote extension host require()s the tests and calls run();
//     the workbench reports the result through window.codeAutomationExit(code) and mocha's output through
//     window.codeAutomationLog(type, args), both exposed here with playwright;
//  4. kills code-server and every process below it (ptyHost shells, tasks) and exits with the host's exit code.
//
// Usage: node test/integration/run.js [--untrusted | --bench] [--port N] [--timeout SECONDS] [--example DIR] [--ext DIR]
//          [--keep] [--grep PATTERN] [--results FILE] [--metrics FILE] [--shot FILE]
//   --untrusted  workspace trust on and never granted: runs the *.untrusted.test.js suites in Restricted Mode
//   --bench      the benchmark project (bench/generate.mjs, 150 apps × 10 models × 20 migrations, no database
//                migrated) instead of the example: runs the *.bench.test.js suites (figures only)
//                then opens the same folder in a new window for the *.reopen.test.js suites (--no-reopen: not)
//   --keep       keep the temp dir (workspace, code-server log) for a look afterwards
// Exit code: 0 all passed, 1 failures or runner error (timeout, code-server down). Needs `npm run build` first.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');

const REPO = path.resolve(__dirname, '..', '..');
const { codeServerEnv, vscodeEnv, pythonEnv, prepareWorkspace, prepareBenchWorkspace, waitHealthy, killTree } = require('./fixture');
const { startCpuShare } = require('./cpu-share');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const flag = name => argv.includes(name);
const UNTRUSTED = flag('--untrusted');
const BENCH = flag('--bench');
const MODE = UNTRUSTED ? 'untrusted' : BENCH ? 'bench' : 'trusted';
const EXT = path.resolve(opt('--ext', process.env.DJANGO_MULTIDB_ROOT || REPO));
const TESTS = path.join(EXT, 'dist-test', 'integration', 'index.js');
const EXAMPLE = path.resolve(opt('--example', path.join(EXT, 'examples', 'multidb_shop')));
const PORT = +opt('--port', UNTRUSTED ? '18712' : BENCH ? '18713' : '18711');
const TIMEOUT_S = +opt('--timeout', '240');
const FK = process.env.DJANGO_MULTIDB_TEST_FK || 'orders.Order.customer';
const t0 = Date.now();
const log = (...a) => console.log(`[int-runner ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

async function main() {
  const env = vscodeEnv();
  const { chromium } = require(path.join(REPO, 'node_modules', 'playwright-core'));
  const python = pythonEnv();
  if (!fs.existsSync(TESTS)) throw new Error(`${TESTS} missing: run \`npm run build\` first`);
  const run = fs.mkdtempSync(path.join(os.tmpdir(), `dmdb-int-${MODE}-`));
  log('run dir', run);
  const { ws, expectedFile, planScript } = BENCH
    ? prepareBenchWorkspace({ run, python, log })
    : prepareWorkspace({ run, python, example: EXAMPLE, fk: FK, log });
  if (UNTRUSTED) {
    // Restricted Mode ignores the workspace's djangoMultiDb.pythonPath; a .venv of the project must still be read
    // from disk (pyvenv.cfg, site-packages) without running it, so Django's own apps are found
    const exp = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
    fs.symlinkSync(path.dirname(path.dirname(python)), path.join(exp.projectDir, '.venv'));
  }
  const resultsFile = path.resolve(opt('--results', path.join(run, 'results.json')));
  const reopenResults = path.join(run, 'results-reopen.json');
  const metricsFile = opt('--metrics') ? path.resolve(opt('--metrics')) : path.join(run, 'metrics.json');

  fs.mkdirSync(path.join(run, 'ud', 'User'), { recursive: true });
  fs.writeFileSync(path.join(run, 'config.yaml'), '');
  fs.writeFileSync(path.join(run, 'ud', 'User', 'settings.json'), JSON.stringify({
    'telemetry.telemetryLevel': 'off', 'workbench.startupEditor': 'none', 'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false, 'update.mode': 'none', 'chat.disableAIFeatures': true,
    'workbench.enableExperiments': false, 'workbench.tips.enabled': false,
    // the workspace is no git repository: the git extensions would only add work to the extension host
    'git.enabled': false, 'git.autoRepositoryDetection': false, 'github.gitAuthentication': false,
    // Restricted Mode for the untrusted run; the startup dialog would only wait for a click nobody makes
    'security.workspace.trust.enabled': UNTRUSTED, 'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.untrustedFiles': 'open',
    // the benchmark's typed edits are unsaved buffers: code-server (a web build) saves after 1 s by default, which
    // made every typed edit a save too (a re-index from disk and, in Django mode, Django asked again)
    ...(BENCH ? { 'files.autoSave': 'off' } : {}),
    // DJANGO_MULTIDB_BENCH_CODELENS=off|migration|all: the lenses on migration files (what the window lays out after
    // opening one: to tell its cost in the typing figures)
    ...(process.env.DJANGO_MULTIDB_BENCH_CODELENS ? { 'djangoMultiDb.codeLens': process.env.DJANGO_MULTIDB_BENCH_CODELENS } : {}),
    ...(process.env.DJANGO_MULTIDB_BENCH_REVEAL ? { 'explorer.autoReveal': process.env.DJANGO_MULTIDB_BENCH_REVEAL === 'on' } : {}),
  }));
  const csArgs = ['--config', path.join(run, 'config.yaml'), '--bind-addr', `127.0.0.1:${PORT}`, '--auth', 'none',
    '--user-data-dir', path.join(run, 'ud'), '--extensions-dir', path.join(run, 'exts'),
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened',
    // extension hosts of a closed tab otherwise live on for 3 hours
    '--reconnection-grace-time', '1',
    '--vscode-option', 'enable-smoke-test-driver'];
  if (!UNTRUSTED) csArgs.push('--disable-workspace-trust');
  const csLog = fs.openSync(path.join(run, 'code-server.log'), 'w');
  const csEnv = codeServerEnv(env);
  const cs = spawn(env.CODE_SERVER, csArgs, { stdio: ['ignore', csLog, csLog], detached: true, env: csEnv });
  log('code-server pid', cs.pid, 'port', PORT, UNTRUSTED ? '(workspace trust ON, untrusted)' : '');

  let context;
  let exitCode = 1;
  const cleanup = async () => {
    if (context) await context.close().catch(() => {});
    context = undefined;
    await killTree(cs.pid);
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { cleanup().finally(() => process.exit(130)); });
  try {
    await waitHealthy(`http://127.0.0.1:${PORT}/healthz`, 60000);
    log('code-server healthy');
    context = await chromium.launchPersistentContext(path.join(run, 'chrome-profile'), {
      executablePath: env.CHROMIUM, headless: true, viewport: { width: 1400, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    // one window: the suites of MODE (and, for --bench, a second window on the same workspace and storage after the
    // first closed: the *.reopen.test.js suites time a returning user's first answer)
    const openWindow = async (mode, results) => {
      const page = await context.newPage();
      let done, firstLog;
      const finished = new Promise(r => { done = r; });
      await page.exposeFunction('codeAutomationLog', (type, args) => {
        const line = util.format(...args); // mocha's reporter output arrives as printf-style arguments
        if (/open-vsx\.org|ERR_NAME_NOT_RESOLVED|vsda/.test(line)) return; // offline gallery noise
        if (!firstLog) { firstLog = Date.now(); log('first output from the workbench'); }
        (type === 'error' ? console.error : console.log)(line);
      });
      await page.exposeFunction('codeAutomationExit', code => done(code));
      page.on('pageerror', e => console.error('[pageerror]', e.message));

      const auth = `127.0.0.1:${PORT}`;
      const extEnv = {
        DJANGO_MULTIDB_TEST: '1', DJANGO_MULTIDB_TEST_MODE: mode,
        DJANGO_MULTIDB_TEST_EXPECTED: expectedFile, DJANGO_MULTIDB_TEST_PLAN_SCRIPT: planScript,
        DJANGO_MULTIDB_TEST_RESULTS: results, DJANGO_MULTIDB_TEST_METRICS: metricsFile,
        DJANGO_MULTIDB_PYTHON: python, ...(opt('--grep') ? { DJANGO_MULTIDB_TEST_GREP: opt('--grep') } : {}),
        ...(process.env.DJANGO_MULTIDB_BENCH_PROFILE ? { DJANGO_MULTIDB_BENCH_PROFILE: process.env.DJANGO_MULTIDB_BENCH_PROFILE } : {}),
        ...(process.env.DJANGO_MULTIDB_BENCH_ALLOC ? { DJANGO_MULTIDB_BENCH_ALLOC: process.env.DJANGO_MULTIDB_BENCH_ALLOC } : {}),
        ...(process.env.DJANGO_MULTIDB_BENCH_CPU_PROFILE ? { DJANGO_MULTIDB_BENCH_CPU_PROFILE: process.env.DJANGO_MULTIDB_BENCH_CPU_PROFILE } : {}),
        ...(process.env.DJANGO_MULTIDB_WORKER_CPU_PROF ? { DJANGO_MULTIDB_WORKER_CPU_PROF: process.env.DJANGO_MULTIDB_WORKER_CPU_PROF } : {}),
      };
      const payload = [
        ['extensionDevelopmentPath', `vscode-remote://${auth}${EXT}`],
        ['extensionTestsPath', `vscode-remote://${auth}${TESTS}`],
        ['extensionEnvironment', JSON.stringify(extEnv)],
      ];
      const url = `http://${auth}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      // DJANGO_MULTIDB_BENCH_WINDOW_PROFILE=<file>: a CPU profile of the window (the renderer: VS Code's workbench)
      // for the whole run, to see what keeps it busy when an edit's round trip is slow (bench/profile-top.mjs reads it)
      const windowProfile = mode === MODE ? process.env.DJANGO_MULTIDB_BENCH_WINDOW_PROFILE : undefined;
      const cdp = windowProfile ? await context.newCDPSession(page) : undefined;
      if (cdp) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); }
      await page.goto(url);
      let timer;
      const timeout = new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`tests did not finish within ${TIMEOUT_S} s`)), TIMEOUT_S * 1000); });
      const code = await Promise.race([finished, timeout]);
      clearTimeout(timer);
      log(`extension host finished (${mode}), exit code`, code);
      if (cdp) fs.writeFileSync(windowProfile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
      if (opt('--shot')) await page.screenshot({ path: path.resolve(opt('--shot')) }).catch(() => {});
      return { page, code };
    };
    // --bench: what each process took of the CPUs while the benchmark typed (bench.cpuDuringTypingCores)
    const cpu = BENCH ? startCpuShare() : null;
    const first = await openWindow(MODE, resultsFile);
    exitCode = first.code;
    if (cpu) {
      cpu.stop();
      addCpuShare(metricsFile, cpu);
    }
    if (BENCH && !flag('--no-reopen')) {
      // the window closes (its extension host ends after --reconnection-grace-time and the scan worker writes what
      // it has not written yet), then the same folder opens in a new one
      await first.page.close();
      await new Promise(r => setTimeout(r, 4000));
      const again = await openWindow('reopen', reopenResults);
      await again.page.close();
      if (again.code !== 0) exitCode = again.code;
    }
  } catch (e) {
    console.error('[int-runner] error:', e && e.message || e);
    console.error(`[int-runner] code-server log: ${path.join(run, 'code-server.log')} (kept)`);
    argv.push('--keep');
    exitCode = 1;
  } finally {
    await cleanup();
  }
  if (fs.existsSync(resultsFile)) {
    const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    log(`${MODE} suites: ${r.passes} passed, ${r.failures} failed${r.pending ? `, ${r.pending} skipped` : ''}`);
    if (fs.existsSync(reopenResults)) {
      // the reopened window's counts join the file the caller reads (scripts/test.sh prints it)
      const again = JSON.parse(fs.readFileSync(reopenResults, 'utf8'));
      log(`reopen suites: ${again.passes} passed, ${again.failures} failed`);
      fs.writeFileSync(resultsFile, JSON.stringify({ ...r, files: [...r.files, ...again.files], passes: r.passes + again.passes,
        failures: r.failures + again.failures, pending: (r.pending ?? 0) + (again.pending ?? 0), failed: [...(r.failed ?? []), ...(again.failed ?? [])] }, null, 2));
    }
  } else {
    log('no results file: the tests did not run to the end');
  }
  if (!flag('--keep')) fs.rmSync(run, { recursive: true, force: true });
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return exitCode;
}

/** The CPU shares over the typing pass's wall-clock interval (the suite's bench.typingWindow), into the metrics. */
function addCpuShare(file, cpu) {
  // (no figures: the suites did not get as far as writing any)
  if (!fs.existsSync(file)) return;
  try {
    const metrics = JSON.parse(fs.readFileSync(file, 'utf8'));
    const w = metrics['bench.typingWindow'];
    const share = w && w.to > w.from ? cpu.during(w.from, w.to) : null;
    if (!share) return;
    metrics['bench.cpuDuringTypingCores'] = share;
    fs.writeFileSync(file, JSON.stringify(metrics, null, 2));
    log('CPU while typing (cores):', JSON.stringify(share));
  } catch (e) {
    log('CPU shares not written:', e.message);
  }
}

main().then(code => process.exit(code), e => { console.error('[int-runner]', e); process.exit(1); });
