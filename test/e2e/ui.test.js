#!/usr/bin/env node
// UI end-to-end test: the INSTALLED .vsix in a real code-server workbench, driven in Debian chromium by
// playwright-core, on a copy of the example project whose `default` database is migrated and the others are not.
// Steps (each counted as one test): sidebar, expand an alias, pending-migrations webview, "Migrate database…" from
// the palette, hover on the cross-database foreign key. With --fixture warehouse: cell states, Migrate… disabled on an
// unreachable alias, CodeLens, tooltips, the Models view's size, fresh state right after a migrate, the last known
// state after a reload, then a second session in Restricted Mode (Manage Workspace Trust).
// Screenshots go to docs/screenshots/ (the README shows them).
//
// Usage: node test/e2e/ui.test.js <path/to.vsix> [--port N] [--shots DIR] [--results FILE] [--keep]
// Run through test/e2e/run.sh, which packages the .vsix first when it is missing.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const REPO = path.resolve(__dirname, '..', '..');
// the project under test (a checkout other than this one's, e.g. a throwaway extension, through DJANGO_MULTIDB_ROOT)
const ROOT = path.resolve(process.env.DJANGO_MULTIDB_ROOT || REPO);
const { codeServerEnv, vscodeEnv, pythonEnv, prepareWorkspace, waitHealthy, killTree } = require('../integration/fixture');

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const VSIX = path.resolve(argv.find(a => a.endsWith('.vsix')) || '');
const PORT = +opt('--port', '18721');
const SHOTS = path.resolve(opt('--shots', path.join(ROOT, 'docs', 'screenshots')));
const RESULTS = opt('--results') && path.resolve(opt('--results'));
// --fixture warehouse: the second walk, on test/fixtures/warehouse_hints (a replica, an unreachable PostgreSQL alias,
// a data migration routed by hints, state-only and empty migrations)
const FIXTURE = opt('--fixture', 'example');
const EXAMPLE = path.resolve(opt('--example', FIXTURE === 'warehouse' ? path.join(ROOT, 'test', 'fixtures', 'warehouse_hints') : path.join(ROOT, 'examples', 'multidb_shop')));
const FK = FIXTURE === 'warehouse' ? null : process.env.DJANGO_MULTIDB_TEST_FK || 'orders.Order.customer';
const ALIAS = 'legacy'; // migrated from the palette
const t0 = Date.now();
const log = (...a) => console.log(`[ui ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

const results = [];
async function step(name, fn) {
  const s = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - s });
    console.log(`  ✔ ${name} (${Date.now() - s} ms)`);
  } catch (e) {
    results.push({ name, ok: false, ms: Date.now() - s, error: String(e && e.message || e) });
    console.log(`  ✖ ${name}: ${String(e && e.message || e).split('\n')[0]}`);
    await page.screenshot({ path: path.join(run, `failure-${results.length}.png`) }).catch(() => {});
  }
}

let page, run;

async function main() {
  if (!fs.existsSync(VSIX)) throw new Error(`no .vsix at '${VSIX}': run scripts/package.sh first`);
  const env = vscodeEnv();
  const { chromium } = require(path.join(REPO, 'node_modules', 'playwright-core'));
  const python = pythonEnv();
  run = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-ui-'));
  const { ws, expectedFile } = prepareWorkspace({ run, python, example: EXAMPLE, fk: FK, log });
  const exp = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
  fs.mkdirSync(SHOTS, { recursive: true });

  // fresh profile; the extension comes from the .vsix, exactly as a user installs it
  let ti = Date.now();
  const first = await openSession({ env, ws, chromium, dir: run, port: PORT, trusted: true });
  log(`installed ${path.basename(VSIX)} and loaded the workbench in ${Date.now() - ti} ms`);
  try {
    await (FIXTURE === 'warehouse' ? warehouseTests(exp) : tests(exp));
  } finally {
    await first.close();
  }
  if (FIXTURE === 'warehouse') {
    // a second session on the same folder with workspace trust on and never granted: Restricted Mode
    ti = Date.now();
    const second = await openSession({ env, ws, chromium, dir: path.join(run, 'untrusted'), port: PORT + 1, trusted: false });
    log(`untrusted session loaded in ${Date.now() - ti} ms`);
    try {
      await restrictedTests();
    } finally {
      await second.close();
    }
  }
}

/** code-server with a fresh profile (the .vsix installed into it) and chromium on the folder; `page` is its page.
 *  trusted: false turns workspace trust on and never grants it (as test/integration/run.js --untrusted does). */
async function openSession({ env, ws, chromium, dir, port, trusted }) {
  fs.mkdirSync(dir, { recursive: true });
  const ud = path.join(dir, 'ud'); const exts = path.join(dir, 'exts');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.yaml'), '');
  fs.writeFileSync(path.join(ud, 'User', 'settings.json'), JSON.stringify({
    'telemetry.telemetryLevel': 'off', 'workbench.startupEditor': 'none', 'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false, 'update.mode': 'none', 'chat.disableAIFeatures': true, 'workbench.tips.enabled': false,
    'workbench.enableExperiments': false, 'window.commandCenter': false, 'editor.hover.delay': 150, 'workbench.hover.delay': 300,
    'workbench.colorTheme': 'Default Dark Modern', 'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'git.enabled': false, 'git.autoRepositoryDetection': false, 'github.gitAuthentication': false,
    ...(trusted ? {} : { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.untrustedFiles': 'open' }),
  }));
  const csEnv = codeServerEnv(env);
  const common = ['--config', path.join(dir, 'config.yaml'), '--user-data-dir', ud, '--extensions-dir', exts];
  execFileSync(env.CODE_SERVER, [...common, '--install-extension', VSIX], { env: csEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  const csLog = fs.openSync(path.join(dir, 'code-server.log'), 'w');
  const cs = spawn(env.CODE_SERVER, [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', ...(trusted ? ['--disable-workspace-trust'] : []), '--disable-getting-started-override',
    '--ignore-last-opened', '--reconnection-grace-time', '1'], { stdio: ['ignore', csLog, csLog], detached: true, env: csEnv });
  let context;
  const close = async () => {
    fs.writeFileSync(path.join(dir, 'browser-console.log'), consoleLines.join('\n'));
    if (context) await context.close().catch(() => {});
    context = undefined;
    await killTree(cs.pid);
  };
  const consoleLines = [];
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { close().finally(() => process.exit(130)); });
  try {
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, 60000);
    // playwright refuses --user-data-dir in args: a fresh profile goes through launchPersistentContext
    context = await chromium.launchPersistentContext(path.join(dir, 'chrome-profile'), {
      executablePath: env.CHROMIUM, headless: true, viewport: { width: 1400, height: 860 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] || await context.newPage();
    page.on('console', m => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', e => consoleLines.push(`[pageerror] ${e.message}`));
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60000 });
  } catch (e) {
    await close();
    throw e;
  }
  return { close, ud };
}

const quickInput = () => page.locator('.quick-input-widget:not([style*="display: none"]) input');
const quickRows = () => page.locator('.quick-input-widget:not([style*="display: none"]) .quick-input-list .monaco-list-row');
/** Runs a command of ours by its title from the palette. The row is clicked, not Enter: the fuzzy filter may put
 *  another command first ("Migrate All Databases" for "Migrate Database…"). */
async function palette(title, category = 'Django Multi-DB') {
  const full = category ? `${category}: ${title}` : title;
  // opened again when its input does not take the text: the clean-clone CI at 26788fc once had the palette shown and
  // its input not editable for 30 s right after the tree had refreshed (Show Pending Migrations never ran)
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    try {
      await quickInput().waitFor({ timeout: 10000 });
      await quickInput().fill(`>${full}`, { timeout: 10000 });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      log(`palette: "${title}" not typed (attempt ${attempt}: ${e.message.split('\n')[0]}), opening it again`);
    }
  }
  const row = quickRows().filter({ hasText: full }).first();
  await row.waitFor({ timeout: 10000 });
  await row.click();
}
/** Clicking the activity bar item of a view container that is already showing would close it again. */
async function showView() {
  const item = page.locator('.activitybar .action-item', { has: page.locator('[aria-label^="Django Databases"]') }).first();
  await item.waitFor({ timeout: 30000 });
  // A click on the item of the container the sidebar shows closes the sidebar. Right after a reload the workbench may
  // restore the sidebar after the item was read as inactive (a CI run under load clicked it closed, and the step
  // watched a hidden view for two minutes): checked again after each click, the sidebar open on this container.
  for (let i = 0; i < 4; i++) {
    const active = await item.getAttribute('aria-pressed') === 'true' || /\bchecked\b/.test(await item.getAttribute('class') || '');
    const open = await page.locator('.part.sidebar').isVisible().catch(() => false);
    if (active && open) return;
    await item.click();
    await page.waitForTimeout(500);
  }
}
/** The tree row of an alias in the Django Databases view. */
const aliasRow = name => page.locator('.pane-body .monaco-list-row[aria-level="1"]').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).first();
const rowText = async row => `${await row.innerText()} ${await row.getAttribute('aria-label') || ''}`.replace(/\s+/g, ' ');

async function tests(exp) {
  const pendingAlias = Object.keys(exp.plans).find(a => a !== 'default' && exp.plans[a].length) || ALIAS;

  await step('opens the "Django Databases" view from the activity bar', async () => {
    await showView();
    for (const name of Object.keys(exp.plans)) await aliasRow(name).waitFor({ timeout: 30000 });
    // counts arrive once the databases are read
    await waitUntil(`${ALIAS} shows ${exp.plans[ALIAS].length} pending`, async () => new RegExp(`\\b${exp.plans[ALIAS].length}\\b`).test(await rowText(aliasRow(ALIAS))), 30000);
  });

  await step(`expands the alias ${pendingAlias}`, async () => {
    const row = aliasRow(pendingAlias);
    if (await row.getAttribute('aria-expanded') !== 'true') await row.locator('.monaco-tl-twistie').click();
    await waitUntil('children under the alias', async () => await row.getAttribute('aria-expanded') === 'true', 10000);
    await page.locator('.pane-body .monaco-list-row[aria-level="2"]').first().waitFor({ timeout: 15000 });
    await page.screenshot({ path: path.join(SHOTS, 'tree.png') });
  });

  await step('shows a pending migration in the webview', async () => {
    await palette('Show Pending Migrations');
    const key = exp.plans[pendingAlias][0];
    // outer iframe.webview (VS Code's host page) -> inner iframe#active-frame (the extension's HTML); locators pierce
    // the open shadow roots of the vscode-elements components. getByText picks the smallest element holding the
    // whole key (app and name are separate spans), so "admin.0001_initial" does not pass for "contenttypes.0001_initial"
    const inner = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const cell = inner.getByText(key, { exact: false }).first();
    await cell.waitFor({ timeout: 30000 });
    const shown = (await cell.innerText()).replace(/\s+/g, '');
    if (!shown.includes(key)) throw new Error(`webview cell reads "${shown}", expected ${key}`);
    log(`webview shows ${key} (pending on ${pendingAlias}): "${shown}"`);
    await page.screenshot({ path: path.join(SHOTS, 'pending-migrations.png') });
    // leave the webview's focus (it keeps keys for itself otherwise)
    await page.locator('.sidebar .composite.title').first().click().catch(() => {});
  });

  await step(`"Migrate database…" on ${ALIAS} brings its pending count to 0`, async () => {
    const { previewShot, previewText } = await migrateFromPalette(ALIAS, { shots: true, focusAway: true });
    await showView();
    await waitUntil(`${ALIAS} at 0 pending in the tree`, async () => {
      const t = await rowText(aliasRow(ALIAS));
      return /\b0\b/.test(t) || /up to date|no pending/i.test(t);
    }, 90000);
    await page.screenshot({ path: path.join(SHOTS, 'migrated.png') });
    if (previewShot && !/\d+ to apply with operations, \d+ only recorded/.test(previewText)) throw new Error(`the migrate preview has no summary line: ${previewText.slice(0, 300)}`);
  });

  await step('hover on the cross-database foreign key', async () => {
    // the migrate task's terminal may hold the focus, and it keeps keys such as Ctrl+P for the shell
    await page.keyboard.press('Escape');
    // the focus away from the terminal and the webview (both keep keys for themselves): the sidebar's title
    await page.locator('.sidebar .composite.title').first().click().catch(() => {});
    // quick open through F1 without the `>`: Ctrl+P does not reach the workbench while a terminal has the focus
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('F1');
      if (await quickInput().waitFor({ timeout: 5000 }).then(() => true, () => false)) break;
      await page.locator('.sidebar .composite.title').first().click().catch(() => {});
    }
    await quickInput().waitFor({ timeout: 5000 });
    const rel = path.relative(exp.projectDir, exp.crossDbFk.file);
    await quickInput().fill(rel);
    await quickRows().first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    const field = exp.crossDbFk.field.split('.').pop();
    const line = page.locator('.editor-instance .view-line', { hasText: new RegExp(`^\\s*${field}\\s*=`) }).first();
    await line.waitFor({ timeout: 20000 });
    await page.locator('.editor-instance .squiggly-warning, .editor-instance .squiggly-error, .editor-instance .squiggly-info').first().waitFor({ timeout: 20000 });
    // the migrate task's terminal takes half the editor's height, and the hover is capped to the space it has
    if (await page.locator('.part.panel').isVisible().catch(() => false)) await palette('Toggle Panel Visibility', 'View');
    await page.locator('.part.panel').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
    const token = line.locator('span span', { hasText: /ForeignKey/ }).first();
    const box = await token.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // the Problems part of the hover comes first (one entry per affected alias), the extension's own part after it
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: /Cross-database relation/ }).first();
    await hover.waitFor({ timeout: 20000 });
    const ours = hover.locator('.hover-row', { hasText: /Cross-database relation/ }).last();
    // the verdict and the first row of the per-database table are visible without scrolling the hover
    const firstRow = ours.locator('table tr').nth(1);
    await firstRow.waitFor({ timeout: 10000 });
    const hb = await hover.boundingBox();
    const rb = await firstRow.boundingBox();
    if (!hb || !rb || rb.y + rb.height > hb.y + hb.height + 1) throw new Error(`the table's first row is below the hover's visible area (row ${JSON.stringify(rb)}, hover ${JSON.stringify(hb)})`);
    await page.screenshot({ path: path.join(SHOTS, 'cross-db-hover.png') });
    await ours.scrollIntoViewIfNeeded().catch(() => {});
    const text = (await ours.innerText().catch(() => hover.innerText())).replace(/\s+/g, ' ');
    log('hover:', JSON.stringify(text.slice(0, 300)));
    if (!/legacy/.test(text) || !/default|analytics/.test(text)) throw new Error(`hover does not explain the aliases: ${text.slice(0, 300)}`);
  });

  await step('"Choose Settings Module…" lists the module in use and one beside it, each with its databases', async () => {
    // a second settings module beside the example's (only `default`): offered, with what it gives; Escape changes nothing
    const extra = path.join(exp.projectDir, 'shop', 'settings_solo.py');
    fs.writeFileSync(extra, 'from shop.settings import *  # noqa\n\nDATABASES = {"default": DATABASES["default"]}\nDATABASE_ROUTERS = []\n');
    try {
      await page.keyboard.press('Escape');
      await palette('Choose Settings Module…');
      // (the module in use has a check icon before its name)
      const row = name => quickRows().filter({ has: page.locator('.label-name', { hasText: new RegExp(`(^|\\s)${name.replace(/\./g, '\\.')}\\s*$`) }) }).first();
      const inUse = row('shop.settings');
      await inUse.waitFor({ timeout: 30000 });
      const solo = row('shop.settings_solo');
      await solo.waitFor({ timeout: 15000 });
      const inUseText = (await inUse.innerText()).replace(/\s+/g, ' ');
      const soloText = (await solo.innerText()).replace(/\s+/g, ' ');
      log('settings pick:', JSON.stringify(inUseText), JSON.stringify(soloText));
      for (const a of Object.keys(exp.plans)) if (!inUseText.includes(a)) throw new Error(`the module in use does not list ${a}: ${inUseText}`);
      if (!/in use/.test(inUseText) || !/manage\.py/.test(inUseText)) throw new Error(`the module in use does not say who names it: ${inUseText}`);
      // (its description: the aliases it gives)
      const soloDatabases = (await solo.locator('.label-description').first().innerText()).trim();
      if (soloDatabases !== 'default' || !/beside shop\.settings/.test(soloText)) throw new Error(`shop.settings_solo: "${soloDatabases}" / ${soloText}`);
      // (the pointer away from the pick: a hover left over from the step before covered its title)
      await page.mouse.move(700, 600);
      await page.screenshot({ path: path.join(SHOTS, 'choose-settings.png') });
      await page.keyboard.press('Escape');
    } finally {
      fs.rmSync(extra, { force: true });
    }
  });
}

/** "Migrate Database…" from the palette on `alias`: the alias pick, then whatever the command asks (app, target, plan
 *  preview, confirmation): take the defaults and confirm; a modal dialog gets its Migrate/Run/OK button. Returns the
 *  preview's text. shots: the quick pick and the preview go to the screenshots. focusAway: a click in the pending
 *  webview while the alias pick shows, which must not close it. */
async function migrateFromPalette(alias, { shots = false, focusAway = false } = {}) {
  await palette('Migrate Database…');
  let previewShot = false;
  let previewText = '';
  const pick = quickRows().filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${alias}$`) }) }).first();
  await pick.waitFor({ timeout: 15000 });
  if (shots) await page.screenshot({ path: path.join(SHOTS, 'migrate-quick-pick.png') });
  if (focusAway) {
    // the focus moves to the pending webview beside the pick (as when VS Code gives it back as the palette closes):
    // the pick stays open. Without ignoreFocusOut it closed, and the log said "cancelled at the alias pick"
    await webview().locator('body').click({ position: { x: 5, y: 5 }, timeout: 10000 });
    await page.waitForTimeout(500);
    if (!(await pick.isVisible())) throw new Error('the alias pick closed when the focus moved to the webview');
  }
  await pick.click();
  // prompts come one after another, each after the previous one closed: under load the next one can take a while
  // to show, so the loop ends only after ~10 s without any prompt (or when the task's terminal shows). With ~4 s,
  // npm test (this beside the benchmark on 2 cores) once left the loop before the plan preview showed; the next
  // step then closed it unanswered and migrate never ran
  const end = Date.now() + 60000;
  let idle = 0;
  while (Date.now() < end) {
    await page.waitForTimeout(300);
    if (await page.locator('.part.panel .terminal-wrapper, .part.panel .xterm').first().isVisible().catch(() => false)) break;
    const dialog = page.locator('.monaco-dialog-box');
    if (await dialog.isVisible().catch(() => false)) {
      // the plan preview: shown once in the screenshots, then confirmed
      if (!previewShot) {
        previewShot = true;
        if (shots) await page.screenshot({ path: path.join(SHOTS, 'migrate-preview.png') });
        // the preview leads with a summary: how many change the database, how many are only recorded there
        previewText = (await dialog.innerText().catch(() => '')).replace(/\s+/g, ' ');
      }
      await dialog.locator('.monaco-button', { hasText: /^\s*(migrate|run|yes|ok|continue)\s*$/i }).first().click();
      idle = 0;
      continue;
    }
    const notif = page.locator('.notification-toast .monaco-button', { hasText: /^(migrate|run)$/i });
    if (await notif.first().isVisible().catch(() => false)) { await notif.first().click(); idle = 0; continue; }
    if (await quickInput().isVisible().catch(() => false)) {
      idle = 0;
      // the app pick ("All apps") or a confirmation row, clicked once shown; Enter only on a pick whose rows are
      // shown (Enter on one whose rows were not rendered yet could accept nothing: a candidate for the rare run where
      // migrate never started; the extension's log now says where a command was cancelled)
      const yes = quickRows().filter({ hasText: /^\s*(all apps|migrate|run|yes|confirm|apply)/i }).first();
      if (await yes.isVisible().catch(() => false)) await yes.click();
      else if (await quickRows().first().isVisible().catch(() => false)) await page.keyboard.press('Enter');
      continue;
    }
    if (++idle >= 34) break;
  }
  return { previewShot, previewText };
}

/** The pending-migrations webview's own document (inside VS Code's two iframes). */
const webview = () => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
/** The matrix cell of a migration on an alias. */
const cellOf = (key, alias) => webview().locator(`tr[data-row="${key}"] td[data-alias="${alias}"]`);
const labelOf = async cell => (await cell.locator('[aria-label]').first().getAttribute('aria-label')) || '';

/** The second walk (issue "What the UI says must be true"): every cell says what ran, the legend explains every
 *  state shown, nothing that can only fail is offered, and the CodeLens says where a data migration runs. */
async function warehouseTests(exp) {
  await step('warehouse: the tree shows every alias, archive unreachable', async () => {
    await showView();
    for (const name of ['default', 'replica', 'warehouse', 'archive']) await aliasRow(name).waitFor({ timeout: 30000 });
    await waitUntil('archive marked unreachable', async () => /unreachable/i.test(await rowText(aliasRow('archive'))), 60000);
    await waitUntil(`warehouse shows ${exp.plans.warehouse.length} pending`, async () => new RegExp(`\\b${exp.plans.warehouse.length}\\b`).test(await rowText(aliasRow('warehouse'))), 30000);
  });

  await step('warehouse: each cell says what ran, not just "applied"', async () => {
    await palette('Show Pending Migrations');
    // the data migration's hints send it to the warehouse: on default Django recorded it and ran nothing
    const seed = cellOf('catalog.0002_seed_events', 'default');
    await seed.waitFor({ timeout: 30000 });
    if (await seed.getAttribute('data-state') !== 'a') throw new Error(`seed on default: state ${await seed.getAttribute('data-state')}, expected a (applied, nothing ran)`);
    const seedLabel = await labelOf(seed);
    if (!/applied, nothing ran \(router-skipped\)/.test(seedLabel)) throw new Error(`seed on default reads "${seedLabel}"`);
    // AlterModelOptions: pending on the warehouse, but nothing to run there
    const opts = cellOf('catalog.0003_product_options', 'warehouse');
    if (!/pending, state only/.test(await labelOf(opts))) throw new Error(`options on warehouse reads "${await labelOf(opts)}"`);
    const empty = cellOf('catalog.0004_nothing', 'warehouse');
    if (!/no operations/.test(await labelOf(empty))) throw new Error(`empty migration on warehouse reads "${await labelOf(empty)}"`);
    // a swapped model's migration is "swapped", never "router-skipped"
    const swapped = cellOf('auth.0012_alter_user_first_name_max_length', 'default');
    if (!/swapped/.test(await labelOf(swapped)) || /router-skipped/.test(await labelOf(swapped))) throw new Error(`auth.0012 on default reads "${await labelOf(swapped)}"`);
    // the unreachable column's state is in the legend too
    const legend = webview().locator('#legend');
    for (const s of ['a', 'P', '?']) {
      if (!(await legend.locator(`[data-legend="${s}"]`).count())) throw new Error(`legend lacks state ${s}: ${await legend.innerText()}`);
    }
    await page.screenshot({ path: path.join(SHOTS, 'pending-states.png') });
  });

  await step('warehouse: the matrix is one tab stop, its rows take the arrow keys', async () => {
    const links = webview().locator('#matrix tbody button[data-key]');
    const n = await links.count();
    if (n < 3) throw new Error(`only ${n} rows in the matrix`);
    const stops = async () => links.evaluateAll(ls => ls.filter(l => l.tabIndex === 0).map(l => l.dataset.key));
    const first = await links.nth(0).getAttribute('data-key');
    if (JSON.stringify(await stops()) !== JSON.stringify([first])) throw new Error(`tab stops in the matrix: ${JSON.stringify(await stops())}, expected only ${first}`);
    // (the webview document's focused element, at once: after the last Tab it may be outside the webview)
    const focused = () => webview().locator('body').evaluate(() => (document.activeElement && document.activeElement.getAttribute('data-key')) || null);
    await links.nth(0).focus();
    await page.keyboard.press('ArrowDown');
    const second = await links.nth(1).getAttribute('data-key');
    if (await focused() !== second) throw new Error(`ArrowDown moved the focus to ${await focused()}, expected ${second}`);
    await page.keyboard.press('End');
    const last = await links.nth(n - 1).getAttribute('data-key');
    if (await focused() !== last) throw new Error(`End moved the focus to ${await focused()}, expected ${last}`);
    if (JSON.stringify(await stops()) !== JSON.stringify([last])) throw new Error(`after End the tab stop is ${JSON.stringify(await stops())}, expected ${last}`);
    await page.keyboard.press('Home');
    if (await focused() !== first) throw new Error(`Home moved the focus to ${await focused()}, expected ${first}`);
    // Tab leaves the matrix (to the controls below it), not to the next row
    await page.keyboard.press('Tab');
    const after = await focused();
    if (after && after !== first && (await links.evaluateAll((ls, k) => ls.some(l => l.dataset.key === k), after))) throw new Error(`Tab moved to the row ${after}`);
  });

  await step('warehouse: Migrate… is disabled on the unreachable alias, with Retry and Set Database Password…', async () => {
    // the alias's inline "Show Pending Migrations" action in the tree opens the panel on that alias's plan
    const openPlanOf = async name => {
      await showView();
      const row = aliasRow(name);
      await row.hover();
      await row.locator('.action-label[aria-label*="Pending Migrations"], .action-label[title*="Pending Migrations"]').first().click();
    };
    await openPlanOf('archive');
    await webview().locator('#plan [data-action="retry"]').first().waitFor({ timeout: 20000 });
    if (!(await webview().locator('#plan [data-action="password"]').count())) throw new Error('no Set Database Password… offered');
    const disabled = await webview().locator('#migrate').evaluate(el => el.disabled === true || el.hasAttribute('disabled'));
    if (!disabled) throw new Error('Migrate… is enabled for an unreachable database');
    await page.screenshot({ path: path.join(SHOTS, 'unreachable-plan.png') });
    // the plan of the warehouse lists each operation with where it runs (static rules, or Django's answer)
    await openPlanOf('warehouse');
    await webview().locator('#plan li[data-row="catalog.0002_seed_events"]').waitFor({ timeout: 20000 });
    // the operations come in a second message (planDetails): wait for them
    const li = webview().locator('#plan li[data-row="catalog.0002_seed_events"]');
    await waitUntil('operation rows under the seed migration', async () => /\b1 operation\b/.test(await li.innerText()), 20000)
      .catch(async e => { throw new Error(`${e.message}: ${await li.innerText()}`); });
    // folded when nothing is skipped there: open it, the row says what runs (Django: "Raw Python operation")
    await li.locator('details.ops > summary').click();
    const opText = await li.locator('details.ops li').first().innerText();
    if (!/RunPython|Raw Python/.test(opText) || !/runs/.test(opText)) throw new Error(`the seed's operation row reads "${opText}"`);
    await page.screenshot({ path: path.join(SHOTS, 'plan-operations.png') });
    await page.locator('.sidebar .composite.title').first().click().catch(() => {});
  });

  await step('warehouse: Migrate Database… on the unreachable alias says so right after the pick (no app pick, no plan preview)', async () => {
    await palette('Migrate Database…');
    const pick = quickRows().filter({ has: page.locator('.label-name', { hasText: /^archive$/ }) }).first();
    await pick.waitFor({ timeout: 15000 });
    await pick.click();
    const toast = page.locator('.notification-toast', { hasText: /'archive' is unreachable/ });
    await toast.first().waitFor({ timeout: 15000 });
    // (a moment for what would come next: the app pick, then the preview)
    await page.waitForTimeout(1500);
    if (await page.locator('.monaco-dialog-box').isVisible().catch(() => false)) throw new Error('a plan preview showed for an unreachable database');
    if (await quickRows().filter({ hasText: /all apps/i }).first().isVisible().catch(() => false)) throw new Error('an app pick showed for an unreachable database');
    if (!(await toast.locator('.monaco-button', { hasText: 'Retry Connection' }).count())) throw new Error('no Retry Connection offered');
    await page.screenshot({ path: path.join(SHOTS, 'migrate-unreachable.png') });
    await toast.first().hover();
    await page.keyboard.press('Escape');
  });

  await step('warehouse: the CodeLens says where the data migration runs', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await quickInput().waitFor({ timeout: 10000 });
    await quickInput().fill('catalog/migrations/0002_seed_events.py');
    await quickRows().first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    const lens = page.locator('.codelens-decoration', { hasText: 'runs on warehouse' }).first();
    await lens.waitFor({ timeout: 30000 });
    const text = await lens.innerText();
    if (!/recorded only on default, replica, archive/.test(text)) throw new Error(`CodeLens reads "${text}"`);
    await page.locator('.codelens-decoration', { hasText: /skipped on default, replica, archive \(WarehouseRouter denied\)/ }).first().waitFor({ timeout: 10000 });
    await page.screenshot({ path: path.join(SHOTS, 'codelens.png') });
  });

  await warehouseMoreTests(exp);
}

/** A view's pane in the Django Databases container ("Databases", "Models"). */
const paneOf = title => page.locator('.pane').filter({ has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) }).first();
/** A row of a pane's tree by its level and label. */
const treeRow = (pane, level, label) => pane.locator(`.monaco-list-row[aria-level="${level}"]`).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
async function expand(row) {
  await row.waitFor({ timeout: 20000 });
  if (await row.getAttribute('aria-expanded') !== 'true') await row.locator('.monaco-tl-twistie').click();
  await waitUntil('row expanded', async () => await row.getAttribute('aria-expanded') === 'true', 10000);
}
/** The tooltip a tree row shows on mouse hover (VS Code's hover widget), as text; `shot`: a screenshot of it. */
async function tooltipOf(row, expect, shot) {
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  await row.hover();
  const hover = page.locator('.monaco-hover:not(.hidden), .workbench-hover').filter({ hasText: expect }).first();
  await hover.waitFor({ state: 'visible', timeout: 15000 });
  if (shot) await page.screenshot({ path: path.join(SHOTS, shot) });
  return (await hover.innerText()).replace(/\s+/g, ' ');
}
/** Whether a tree row's label or description is cut (clipped, or ends in an ellipsis). */
const isCut = row => row.evaluate(el => { const c = el.querySelector('.monaco-icon-label-container') || el; return c.scrollWidth > c.clientWidth + 1; });
/** The extension's log (its LogOutputChannel's file under the code-server profile) of the session in `dir`. */
function extensionLog(dir) {
  const out = [];
  const walk = d => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (/Django Multi-DB\.log$/.test(e.name)) out.push(f);
    }
  };
  walk(path.join(dir, 'ud', 'logs'));
  return out.sort().map(f => fs.readFileSync(f, 'utf8')).join('\n');
}
/** "warehouse: 4 applied, 2 pending" of each "state of <project>: …" line, in order. */
const statesOf = (text, alias) => text.split('\n').filter(l => /state of /.test(l)).map(l => {
  const m = new RegExp(`\\b${alias}: (\\d+) applied, (\\S+) pending`).exec(l);
  return m ? { applied: +m[1], pending: m[2], line: l.trim() } : null;
}).filter(Boolean);

/** Issue "What the UI says must be true", items 6–9: tooltips that say only what is true, the Models view's size,
 *  fresh state right after a migrate, the last known state at once after a reload. */
async function warehouseMoreTests(exp) {
  await step('warehouse: tooltips of an unreachable alias, a proxy model and a router decision say only what is true', async () => {
    await showView();
    const dbs = paneOf('Databases');
    // archive never answered: no "Plan and state from Django" (there is no plan), but that it could not be read
    const archive = await tooltipOf(aliasRow('archive'), /archive/, 'tooltip-unreachable.png');
    log('archive tooltip:', JSON.stringify(archive.slice(0, 300)));
    // every problem is reported, not only the first
    const problems = [];
    if (/Plan and state from/i.test(archive)) problems.push(`the unreachable alias's tooltip claims a plan: ${archive}`);
    if (!/did not answer|could not be read/i.test(archive)) problems.push(`the unreachable alias's tooltip does not say the database could not be read: ${archive}`);
    await expand(aliasRow('default'));
    await expand(treeRow(dbs, 2, 'catalog'));
    // Django asks no router for a proxy model (Operation.allow_migrate_model returns False before the routers)
    const proxy = await tooltipOf(treeRow(dbs, 3, 'FeaturedProduct'), /catalog\.FeaturedProduct/);
    log('proxy tooltip:', JSON.stringify(proxy.slice(0, 300)));
    if (/allow_migrate` asked|allow_migrate asked|Routers asked/i.test(proxy) || !/no router/i.test(proxy)) problems.push(`the proxy model's tooltip says routers were asked: ${proxy}`);
    // the router's decision once: one "returned False" with its line, no second "Deciding router" line
    await expand(treeRow(dbs, 2, 'metrics'));
    const event = await tooltipOf(treeRow(dbs, 3, 'Event'), /metrics\.Event/, 'tooltip-decision.png');
    log('decision tooltip:', JSON.stringify(event.slice(0, 300)));
    const count = re => (event.match(re) || []).length;
    if (count(/returned False/g) !== 1 || count(/routers\.py:\d+/g) > 1 || /Deciding router/i.test(event)) problems.push(`the decision is stated more than once: ${event}`);
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    if (problems.length) throw new Error(problems.join('\n'));
  });

  await step('warehouse: the Models view opens at a readable size, descriptions not cut', async () => {
    const models = paneOf('Models');
    await models.waitFor({ timeout: 10000 });
    // open it as a user does, from its header, if it is folded
    if (await models.locator('.pane-header').first().getAttribute('aria-expanded') !== 'true') await models.locator('.pane-header').first().click();
    await expand(treeRow(models, 1, 'catalog'));
    await expand(treeRow(models, 2, 'Product'));
    await page.waitForTimeout(500);
    const body = await models.locator('.pane-body').first().boundingBox();
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    // every row shown in full: the label container neither clips nor ends in an ellipsis
    const rows = await models.locator('.monaco-list-row').evaluateAll(els => els.map(el => {
      const c = el.querySelector('.monaco-icon-label-container') || el;
      const r = el.getBoundingClientRect();
      return { text: el.innerText.replace(/\s+/g, ' ').trim(), cut: c.scrollWidth > c.clientWidth + 1, right: r.right, width: c.clientWidth };
    }));
    log(`Models view: body ${Math.round(body.height)} px high of a ${Math.round(sidebar.height)} px sidebar, ${rows.length} rows; ${rows.slice(0, 12).map(r => `${r.text}${r.cut ? ' [cut]' : ''}`).join(' | ')}`);
    await page.screenshot({ path: path.join(SHOTS, 'models-view.png') });
    const cut = rows.filter(r => r.cut);
    if (cut.length) throw new Error(`descriptions cut in the Models view: ${cut.map(r => r.text).join(' | ')}`);
    if (!rows.some(r => /WarehouseRouter/.test(r.text))) throw new Error(`no row names WarehouseRouter in full: ${rows.map(r => r.text).join(' | ')}`);
    // a readable pane shows at least ten rows (22 px each) next to the open Databases view
    if (body.height < 220) throw new Error(`the Models view is a thin pane: ${Math.round(body.height)} px of ${Math.round(sidebar.height)} px`);
    await models.locator('.pane-header').first().click(); // fold it again for the steps after
  });

  let beforeMigrate = '';
  await step('warehouse: right after "Migrate database…" the log and the tree show the new database read, not Django\'s previous plan', async () => {
    await showView();
    beforeMigrate = extensionLog(run);
    const was = statesOf(beforeMigrate, 'warehouse').pop();
    if (!was || !(+was.pending > 0)) throw new Error(`no pending state of warehouse logged before the migrate: ${JSON.stringify(was)}`);
    await migrateFromPalette('warehouse');
    await showView();
    await waitUntil('warehouse up to date in the tree', async () => /up to date|\b0 pending/.test(await rowText(aliasRow('warehouse'))), 90000);
    // the first state logged after the migrate ended (the database read the extension does then) is what the tree
    // showed then: warehouse fully applied, not Django's answer from before or during the migrate. (Django is asked
    // again 1 s after the last database write, so its last answer usually predates the migrate's end; when the
    // process lingers after its last commit Django may answer first, and this step cannot tell the fix is there.)
    let fresh;
    await waitUntil('a state line after the migrate', async () => {
      const text = extensionLog(run).slice(beforeMigrate.length);
      const end = text.search(/migrate --database=warehouse\b.* ended with exit code 0/);
      fresh = end >= 0 ? statesOf(text.slice(end), 'warehouse')[0] : undefined;
      return !!fresh;
    }, 30000);
    log(`before: ${was.line}\n  after:  ${fresh.line}`);
    if (fresh.pending !== '0' || fresh.applied <= was.applied) throw new Error(`right after the migrate: "${fresh.line}" (the new read merged with Django's previous answer)`);
    await page.screenshot({ path: path.join(SHOTS, 'warehouse-migrated.png') });
  });

  await step('warehouse: after a reload the tree shows the last known state at once, marked, then the fresh one', async () => {
    // the snapshot is written a few seconds after things settle: Django's answer after the migrate, then 3 s
    await waitUntil('Django answered after the migrate', async () => /Django .* answered for /.test(extensionLog(run).slice(beforeMigrate.length)), 60000)
      .catch(() => log('no Django answer logged after the migrate; reloading anyway'));
    await page.waitForTimeout(4500);
    const t = Date.now();
    await page.reload();
    await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60000 });
    await showView();
    const banner = page.locator('.pane-body .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^Last known state/ }) }).first();
    // the extension's own timeline in the new extension host: activation (the cached state), the first database read
    const hostLog = () => {
      const lines = extensionLog(run).split('\n');
      return lines.slice(lines.map(l => /\bactivated in \d+ ms/.test(l)).lastIndexOf(true));
    };
    const restored = () => /showing the state saved/.test(hostLog().join('\n'));
    const freshRead = () => hostLog().some(l => /\] state of /.test(l));
    let cachedAt = 0; let freshAt = 0; let cachedText = ''; let cachedCut = false; let freshFirst = false;
    // what the view showed, each change with its time (said when the step fails: a CI run once saw neither state)
    const seen = []; let lastSeen = '';
    // (a row not drawn yet is read as '' at once: the default 30 s wait of innerText would skip whole seconds)
    const peek = async row => (await row.count()) ? rowText(row).catch(() => '') : '';
    const end = Date.now() + 120000;
    while (Date.now() < end) {
      // (the sidebar closed meanwhile, by the workbench's restore racing showView: opened again)
      if (!(await page.locator('.part.sidebar').isVisible().catch(() => true))) await showView();
      const shown = await banner.isVisible().catch(() => false);
      const wh = await peek(aliasRow('warehouse'));
      const now = `${shown ? 'banner + ' : ''}${wh || '(no warehouse row)'}`;
      if (now !== lastSeen) {
        seen.push(`${Date.now() - t} ms: ${now}`); lastSeen = now;
        if (seen.length === 1) await page.screenshot({ path: path.join(SHOTS, 'reload-first-view.png') }).catch(() => {});
      }
      if (shown && !cachedAt && /up to date|pending|unreachable/.test(wh)) {
        cachedAt = Date.now();
        cachedText = `${await rowText(banner).catch(() => '')} / ${wh}`;
        cachedCut = await isCut(banner).catch(() => false);
        await page.screenshot({ path: path.join(SHOTS, 'cached-state.png') });
      }
      if (!shown && /up to date|pending/.test(wh)) {
        // the fresh state may be there before the view first renders: the extension asks for it as soon as it
        // finds the project, and on this small project it comes within the workbench's own start-up. The last known
        // state was then shown (its log says so) to a view not drawn yet.
        if (cachedAt || (restored() && freshRead()) || Date.now() - t > 60000) { freshAt = Date.now(); freshFirst = !cachedAt; break; }
      }
      await page.waitForTimeout(100);
    }
    log(`reload, the view: ${seen.slice(0, 12).join(' | ')} (reloaded at ${new Date(t).toISOString()})`);
    log(`reload, extension log since activation:\n  ${hostLog().slice(0, 12).join('\n  ')}`);
    if (!freshAt) {
      await page.screenshot({ path: path.join(SHOTS, 'reload-failed.png') }).catch(() => {});
      const rows = await page.locator('.pane-body .monaco-list-row').allInnerTexts().catch(() => []);
      log(`reload, rows at the end: ${rows.map(r => r.replace(/\s+/g, ' ')).join(' | ') || '(none)'}`);
      log(`reload, extension log since activation:\n  ${hostLog().slice(-25).join('\n  ')}`);
    }
    log(`reload: cached state after ${cachedAt ? cachedAt - t : '-'} ms (${cachedText}), fresh after ${freshAt ? freshAt - t : '-'} ms${freshFirst ? ' (already there when the view was drawn)' : ''}`);
    log(`reload, extension host: cached state shown at activation ${restored() ? 'yes' : 'no'}`);
    if (!restored()) throw new Error('the new extension host did not show the last known state');
    // (the summary prints only the error: what the view showed goes with it)
    if (!cachedAt && !freshFirst) throw new Error(`no "Last known state" row with the aliases before the fresh state; the view showed: ${seen.slice(-6).join(' | ')}`);
    if (!freshAt) throw new Error('the "Last known state" row did not give way to the fresh state');
    // the marker says it is being refreshed, readable in a default-width sidebar
    if (cachedAt && (cachedCut || !/refreshing/.test(cachedText))) throw new Error(`the cached-state row is cut or does not say it is refreshing: ${cachedText}`);
    if (!/up to date/.test(await rowText(aliasRow('warehouse')))) throw new Error(`warehouse after the refresh: ${await rowText(aliasRow('warehouse'))}`);
  });
}

/** Restricted Mode (a second session, trust on and never granted): the Databases view offers the way out. */
async function restrictedTests() {
  await step('restricted: the Databases view offers Manage Workspace Trust, and it opens', async () => {
    await showView();
    const row = page.locator('.pane-body .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /Workspace Trust/ }) }).first();
    await row.waitFor({ timeout: 60000 });
    await aliasRow('warehouse').waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(SHOTS, 'restricted-mode.png') });
    // the action is readable, not cut to "Restricted Mode: databases are …"
    if (await isCut(row)) throw new Error(`the Manage Workspace Trust row is cut: ${await rowText(row)}`);
    // workbench.trust.manage opens the Workspace Trust editor. A click while the tree re-renders (the extension
    // refreshes it as the static scan ends) can select the row without opening it: click again then
    const editor = page.locator('.workspace-trust-editor').filter({ hasText: /Restricted Mode/ }).first();
    for (let i = 0; ; i++) {
      await row.click();
      if (await editor.waitFor({ timeout: 15000 }).then(() => true, () => false)) break;
      if (i === 2) throw new Error('clicking "Manage Workspace Trust…" three times did not open the Workspace Trust editor');
      log('the Workspace Trust editor did not open: clicking again');
    }
  });
}

async function waitUntil(what, fn, ms) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`);
    await page.waitForTimeout(250);
  }
}

main().catch(e => {
  console.error('[ui] error:', e && e.stack || e);
  results.push({ name: 'ui test setup', ok: false, error: String(e && e.message || e) });
}).finally(() => {
  const passes = results.filter(r => r.ok).length; const failures = results.length - passes;
  if (RESULTS) fs.writeFileSync(RESULTS, JSON.stringify({ passes, failures, steps: results }, null, 2));
  log(`UI: ${passes} passed, ${failures} failed; screenshots in ${path.relative(process.cwd(), SHOTS) || '.'}`);
  if (failures || argv.includes('--keep')) log(`run dir kept: ${run}`);
  else if (run) fs.rmSync(run, { recursive: true, force: true });
  process.exit(failures ? 1 : 0);
});
