#!/usr/bin/env node
// The same integration suites in desktop VS Code through @vscode/test-electron, for machines that can download VS
// Code (not this offline CI: test-electron resolves versions on update.code.visualstudio.com). Same fixture and
// environment as run.js, so the suites cannot tell the two apart.
//
// Usage: node test/integration/run-electron.js [--untrusted] [--vscode-version 1.139.1|stable] [--keep]
// Needs `npm run build` first. Note: better-sqlite3 13's prebuilds are N-API 10; Electron's Node must provide it
// (VS Code >= 1.101's Electron does).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runTests } = require('@vscode/test-electron');
const { pythonEnv, prepareWorkspace } = require('./fixture');

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const UNTRUSTED = argv.includes('--untrusted');
const REPO = path.resolve(process.env.DJANGO_MULTIDB_ROOT || path.join(__dirname, '..', '..'));

(async () => {
  const python = pythonEnv();
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-electron-'));
  const { ws, expectedFile, planScript } = prepareWorkspace({
    run, python, example: path.join(REPO, 'examples', 'multidb_shop'), fk: process.env.DJANGO_MULTIDB_TEST_FK || 'orders.Order.customer',
  });
  const resultsFile = path.join(run, 'results.json');
  const ud = path.join(run, 'ud');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.writeFileSync(path.join(ud, 'User', 'settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': UNTRUSTED, 'security.workspace.trust.startupPrompt': 'never',
    'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, 'update.mode': 'none',
  }));
  let code = 1;
  try {
    code = await runTests({
      version: opt('--vscode-version', 'stable'),
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(REPO, 'dist-test', 'integration', 'index.js'),
      launchArgs: [ws, '--user-data-dir', ud, '--extensions-dir', path.join(run, 'exts'), '--disable-extensions',
        ...(UNTRUSTED ? [] : ['--disable-workspace-trust'])],
      extensionTestsEnv: {
        DJANGO_MULTIDB_TEST: '1', DJANGO_MULTIDB_TEST_MODE: UNTRUSTED ? 'untrusted' : 'trusted',
        DJANGO_MULTIDB_TEST_EXPECTED: expectedFile, DJANGO_MULTIDB_TEST_PLAN_SCRIPT: planScript,
        DJANGO_MULTIDB_TEST_RESULTS: resultsFile, DJANGO_MULTIDB_PYTHON: python,
        ...(process.env.DJANGO_MULTIDB_TEST_METRICS ? { DJANGO_MULTIDB_TEST_METRICS: process.env.DJANGO_MULTIDB_TEST_METRICS } : {}),
      },
    });
  } catch (e) {
    console.error('run-electron:', e && e.message || e);
  }
  if (!argv.includes('--keep')) fs.rmSync(run, { recursive: true, force: true });
  process.exit(code);
})();
