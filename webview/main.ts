// The pending-migrations webview. It receives the whole data model (src/shared/messages.ts) and renders a
// window of it: at most `limit` rows at a time, filtered, so 2,000 migrations × 20 aliases stay responsive.
// Only the components used are imported, so the bundle carries only those.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  CELL_LABELS, cellLabel, type AliasColumn, type CellState, type HostMessage, type MigrationRow, type PanelViewState, type PendingModel, type PlanOperation, type SqlResult, type WebviewMessage,
} from '../src/shared/messages';
import './main.css';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): PanelViewState | undefined;
  setState(state: PanelViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const PAGE = 200;

let model: PendingModel | undefined;
let busyLabel: string | null = null;
/** Django mode: operations of each pending migration, per alias, for the model they were asked for */
const details = new Map<string, Record<string, PlanOperation[]> | null>();
const detailsAsked = new Set<string>();
/** "Show SQL" answers by alias + key (kept across models: the SQL of a migration does not change with state) */
const sqlResults = new Map<string, SqlResult>();
const sqlKey = (alias: string, key: string) => `${alias}\u0000${key}`;
const ui: PanelViewState = { tab: 'matrix', limit: PAGE, filter: '', ...(vscode.getState() ?? {}) };

function saveState(): void {
  vscode.setState(ui);
}

function post(m: WebviewMessage): void {
  vscode.postMessage(m);
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, c => ESC[c]!);

const CELL_ICON: Record<CellState, string> = {
  A: 'pass-filled',
  a: 'pass',
  P: 'circle-large-filled',
  p: 'debug-step-over',
  R: 'fold',
  '-': 'dash',
  '?': 'question',
  '~': 'debug-step-over',
};
const CELL_CLASS: Record<CellState, string> = { A: 'applied', a: 'skipped', P: 'pending', p: 'skipped-pending', R: 'applied', '-': 'none', '?': 'unknown', '~': 'unknown' };

const app = document.getElementById('app')!;

/** Static skeleton, built once; the regions inside are re-rendered. */
function skeleton(): void {
  app.innerHTML = `
  <header class="top">
    <div class="title">
      <h1 id="title">Pending migrations</h1>
      <span id="summary" class="muted" aria-live="polite">Loading…</span>
    </div>
    <div class="actions">
      <vscode-button id="refresh" icon="refresh" secondary title="Re-index the project and re-read every database">Refresh</vscode-button>
    </div>
  </header>
  <div id="notice" class="notice" hidden></div>
  <vscode-tabs id="tabs">
    <vscode-tab-header slot="header" id="tab-matrix">Matrix</vscode-tab-header>
    <vscode-tab-panel>
      <div class="toolbar">
        <vscode-textfield id="filter" placeholder="Filter by app or migration name  ( / )" aria-label="Filter migrations"></vscode-textfield>
        <vscode-checkbox id="pendingOnly" label="Only migrations pending somewhere"></vscode-checkbox>
      </div>
      <div id="legend" class="legend"></div>
      <div class="scroll" id="matrix-scroll"><table id="matrix" class="matrix"></table></div>
      <div id="matrix-more" class="more"></div>
    </vscode-tab-panel>
    <vscode-tab-header slot="header" id="tab-plan">Plan per database</vscode-tab-header>
    <vscode-tab-panel>
      <div class="toolbar">
        <label for="planAlias" class="muted">Database</label>
        <vscode-single-select id="planAlias" aria-label="Database"></vscode-single-select>
        <span class="spacer"></span>
        <vscode-button id="migrate" icon="play" title="Run manage.py migrate --database=… in a task">Migrate…</vscode-button>
        <vscode-button id="showmigrations" icon="list-tree" secondary title="Run manage.py showmigrations --database=… in a task">Show migrations</vscode-button>
      </div>
      <div id="plan"></div>
    </vscode-tab-panel>
  </vscode-tabs>`;

  byId('refresh').addEventListener('click', () => post({ type: 'refresh' }));
  byId('migrate').addEventListener('click', () => ui.planAlias && post({ type: 'migrate', alias: ui.planAlias }));
  byId('showmigrations').addEventListener('click', () => ui.planAlias && post({ type: 'showMigrations', alias: ui.planAlias }));
  const filter = byId('filter') as HTMLElement & { value: string };
  filter.value = ui.filter ?? '';
  let t: number | undefined;
  filter.addEventListener('input', () => {
    clearTimeout(t);
    t = window.setTimeout(() => {
      ui.filter = filter.value;
      ui.limit = PAGE;
      saveState();
      renderMatrix();
    }, 120);
  });
  const pendingOnly = byId('pendingOnly') as HTMLElement & { checked: boolean };
  pendingOnly.addEventListener('change', () => {
    ui.pendingOnly = pendingOnly.checked;
    ui.limit = PAGE;
    saveState();
    renderMatrix();
  });
  const tabs = byId('tabs') as HTMLElement & { selectedIndex: number };
  tabs.selectedIndex = ui.tab === 'plan' ? 1 : 0;
  tabs.addEventListener('vsc-tabs-select', e => {
    ui.tab = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex === 1 ? 'plan' : 'matrix';
    saveState();
    renderTab();
  });
  const select = byId('planAlias') as HTMLElement & { value: string };
  select.addEventListener('change', () => {
    ui.planAlias = select.value;
    saveState();
    renderPlan();
  });
  // one delegated handler: migration links and "show more" buttons
  app.addEventListener('click', e => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[data-key],[data-more],[data-sql],[data-open-sql],[data-action]');
    if (!el) return;
    if (el.dataset.action === 'retry') post({ type: 'refresh' });
    else if (el.dataset.action === 'password' && el.dataset.alias) post({ type: 'setPassword', alias: el.dataset.alias });
    else if (el.dataset.action === 'settings') post({ type: 'chooseSettings' });
    else if (el.dataset.sql) {
      if (!ui.planAlias || !model?.sql.available || (el as HTMLElement & { disabled?: boolean }).disabled) return;
      const cur = sqlResults.get(sqlKey(ui.planAlias, el.dataset.sql));
      // a second click hides the SQL again
      if (cur && cur.status !== 'loading') {
        sqlResults.delete(sqlKey(ui.planAlias, el.dataset.sql));
        renderPlan();
      } else if (!cur) post({ type: 'showSql', alias: ui.planAlias, key: el.dataset.sql });
    } else if (el.dataset.openSql) {
      if (ui.planAlias) post({ type: 'openSql', alias: ui.planAlias, key: el.dataset.openSql });
    } else if (el.dataset.key) post({ type: 'openMigration', key: el.dataset.key });
    else if (el.dataset.more === 'matrix') {
      ui.limit = (ui.limit ?? PAGE) + PAGE;
      saveState();
      renderMatrix();
    } else if (el.dataset.more === 'matrix-all') {
      ui.limit = Number.MAX_SAFE_INTEGER;
      renderMatrix();
    } else if (el.dataset.more === 'plan') {
      planLimit += PAGE;
      renderPlan();
    }
  });
  // the matrix is one tab stop: its rows' migration links take the arrow keys (Up, Down, Home, End, Page Up/Down),
  // as a tree or a list does, instead of a Tab press per row (hundreds on a large project)
  const matrix = byId('matrix');
  matrix.addEventListener('keydown', e => {
    const from = (e.target as HTMLElement).closest<HTMLElement>('tbody button[data-key]');
    if (!from) return;
    const links = rowLinks();
    const at = links.indexOf(from);
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10, Home: -Infinity, End: Infinity };
    if (at < 0 || !(e.key in step)) return;
    e.preventDefault();
    const to = links[Math.max(0, Math.min(links.length - 1, at + step[e.key]!))];
    if (to) focusRow(to);
  });
  matrix.addEventListener('focusin', e => {
    const link = (e.target as HTMLElement).closest<HTMLElement>('tbody button[data-key]');
    if (link) setActiveRow(link);
  });
  document.addEventListener('keydown', e => {
    if (e.key === '/' && !(e.target instanceof HTMLInputElement) && (e.target as HTMLElement).tagName !== 'VSCODE-TEXTFIELD') {
      e.preventDefault();
      ui.tab = 'matrix';
      tabs.selectedIndex = 0;
      filter.focus();
    }
  });
}

function byId(id: string): HTMLElement {
  return document.getElementById(id)!;
}

/** the row of the matrix whose link is its tab stop (the first row's when it is not shown) */
let activeRow: string | undefined;

function rowLinks(): HTMLElement[] {
  return [...byId('matrix').querySelectorAll<HTMLElement>('tbody button[data-key]')];
}

function setActiveRow(link: HTMLElement): void {
  activeRow = link.dataset.key;
  for (const l of rowLinks()) l.tabIndex = l === link ? 0 : -1;
}

function focusRow(link: HTMLElement): void {
  setActiveRow(link);
  link.focus();
  link.scrollIntoView({ block: 'nearest' });
}

function renderHeader(): void {
  if (!model) return;
  byId('title').textContent = model.project ? `Pending migrations — ${model.project}` : 'Pending migrations';
  const unreachable = model.aliases.filter(a => a.reachable === false && !a.dummy).length;
  const read = model.aliases.filter(a => a.reachable === true).length;
  const dummyOnly = model.aliases.length > 0 && model.aliases.every(a => a.dummy === 'no-databases');
  const summary = dummyOnly
    ? `${model.migrations.length} migrations · no database configured (DATABASES is not set by the settings module in use)`
    : !model.stateRead
    ? `${model.migrations.length} migrations · database state not read`
    // no database answered: "0 pending" would read as up to date
    : !read && unreachable
      ? `${model.migrations.length} migrations · ${unreachable === model.aliases.length ? `no database could be read (${unreachable} unreachable)` : `${unreachable} unreachable, the others not read`}`
      : `${model.totalPending} pending across ${read === model.aliases.length ? '' : `${read} of `}${model.aliases.length} database${model.aliases.length === 1 ? '' : 's'}${read === model.aliases.length ? '' : ' read'}${unreachable ? ` · ${unreachable} unreachable` : ''}`;
  const source = model.source.used === 'django' ? ` · from Django${model.source.django ? ` ${model.source.django}` : ''}` : ' · static analysis';
  byId('summary').textContent = busyLabel ? `${summary}${source} · ${busyLabel}` : summary + source;
  const notice = byId('notice');
  const msgs: string[] = [];
  if (model.trusted && model.source.used === 'static' && model.source.reason) msgs.push(`<span class="codicon codicon-info" aria-hidden="true"></span> Static analysis: Django's own answer is not available (${esc(model.source.reason)}). See the log for the Python traceback.`);
  if (model.cachedAt) msgs.push(`<span class="codicon codicon-history" aria-hidden="true"></span> Last known state, saved ${esc(new Date(model.cachedAt).toLocaleString())}: refreshing…`);
  if (!model.trusted) msgs.push('<span class="codicon codicon-shield" aria-hidden="true"></span> Restricted Mode: databases are not read and nothing is run. The matrix shows which migrations each database would skip (router-skipped).');
  for (const a of model.aliases) {
    if (!a.drift?.count) continue;
    msgs.push(`<span class="codicon codicon-warning" aria-hidden="true"></span> <strong>${esc(a.alias)}</strong>: ${a.drift.count} schema drift finding${a.drift.count === 1 ? '' : 's'} (Problems panel). ${esc(a.drift.first ?? '')}`);
  }
  for (const a of model.aliases) if (a.dummy) msgs.push(`<span class="codicon codicon-warning" aria-hidden="true"></span> <strong>${esc(a.alias)}</strong> ${dummyText(a)}`);
  for (const a of model.aliases) if (a.reachable === false && !a.dummy) msgs.push(`<span class="codicon codicon-error" aria-hidden="true"></span> <strong>${esc(a.alias)}</strong> is unreachable: ${esc(a.error ?? 'unknown error')} ${unreachableActions(a.alias)}`);
  notice.hidden = msgs.length === 0;
  notice.innerHTML = msgs.map(m => `<div>${m}</div>`).join('');
  updateActions();
}

/** Django's dummy backend: the settings set no DATABASES (choosing the module the project runs with helps), or an entry has no ENGINE. */
function dummyText(a: AliasColumn): string {
  return a.dummy === 'no-databases'
    ? `is Django's dummy database: the settings module in use sets no DATABASES, so nothing can be read or migrated. ${settingsAction()}`
    : 'has no ENGINE: Django gives it the dummy backend (a placeholder), which nothing can read or migrate.';
}

/** The settings configure no database: choosing the module the project runs with is what helps. */
function settingsAction(): string {
  return '<vscode-button secondary data-action="settings" title="Pick the settings module the project runs with">Choose Settings Module…</vscode-button>';
}

/** What can be done about an unreachable database instead of a Migrate… that can only fail. */
function unreachableActions(alias: string): string {
  if (!model?.trusted) return '';
  return `<vscode-button secondary data-action="retry" title="Read the databases again">Retry connection</vscode-button> <vscode-button secondary data-action="password" data-alias="${esc(alias)}" title="Store a password for ${esc(alias)} in VS Code's secret storage">Set Database Password…</vscode-button>`;
}

/** Migrate… and Show migrations run only where they can: a trusted workspace and a database that answers. */
function updateActions(): void {
  if (!model) return;
  const a = model.aliases.find(x => x.alias === ui.planAlias);
  const unreachable = a?.reachable === false && !a.dummy;
  const migrate = byId('migrate') as HTMLElement & { disabled: boolean };
  migrate.disabled = !model.trusted || unreachable || !!a?.dummy;
  // the attribute too: the component styles itself from it
  migrate.toggleAttribute('disabled', migrate.disabled);
  migrate.title = !model.trusted ? 'Restricted Mode: nothing runs until the workspace is trusted'
    : a?.dummy ? `${a.alias} is Django's dummy database: nothing can be migrated there`
    : unreachable ? `${a!.alias} is unreachable: retry the connection or set its password first` : 'Run manage.py migrate --database=… in a task';
  const show = byId('showmigrations') as HTMLElement & { disabled: boolean };
  show.disabled = !model.trusted || unreachable || !!a?.dummy;
  show.toggleAttribute('disabled', show.disabled);
}

function rowPending(r: MigrationRow): boolean {
  return /[Pp]/.test(r.cells);
}

function visibleRows(): MigrationRow[] {
  if (!model) return [];
  const terms = (ui.filter ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const pendingOnly = pendingOnlyEffective();
  return model.migrations.filter(r => (!pendingOnly || rowPending(r) || r.conflict) && terms.every(t => r.key.toLowerCase().includes(t)));
}

function pendingOnlyEffective(): boolean {
  if (!model?.stateRead) return false;
  return ui.pendingOnly ?? model.totalPending > 0;
}

function markers(r: MigrationRow): string {
  let out = '';
  if (r.replaces.length) out += ` <span class="tag squash" title="Squashes ${esc(r.replaces.join(', '))}"><span class="codicon codicon-fold" aria-hidden="true"></span>squash of ${r.replaces.length}</span>`;
  if (r.replacedBy.length) out += ` <span class="tag replaced" title="Replaced by ${esc(r.replacedBy.join(', '))}">replaced</span>`;
  if (r.conflict) out += ` <span class="tag conflict" title="Conflicting leaf: run makemigrations --merge"><span class="codicon codicon-git-merge" aria-hidden="true"></span>conflict</span>`;
  return out;
}

function migrationButton(r: MigrationRow): string {
  const title = `${r.relPath}${r.operations.length ? `\n${r.operations.join(', ')}` : ''}\nEnter: open the file`;
  return `<button class="link" data-key="${esc(r.key)}" title="${esc(title)}"><span class="app">${esc(r.app)}.</span>${esc(r.name)}</button>`;
}

/** Marks for what a migration's operations do, shown beside a cell's state icon. */
const EFFECT_MARK: Record<string, { cls: string; label: string } | undefined> = {
  p: { cls: 'fx-partly', label: 'some operations skipped' },
  n: { cls: 'fx-nothing', label: 'nothing to run (no operations, or state only)' },
  u: { cls: 'fx-unknown', label: "operations' routing not known" },
};

/** Every state (and effect mark) the matrix holds, each once: a whole column of one state is explained too. */
function renderLegend(): void {
  if (!model) return;
  const order: CellState[] = ['A', 'a', 'P', 'p', 'R', '-', '?', '~'];
  const cells = new Set<string>();
  const effects = new Set<string>();
  for (const r of model.migrations) {
    for (let j = 0; j < r.cells.length; j++) {
      cells.add(r.cells[j]!);
      const c = r.cells[j];
      if (c !== 'R' && c !== '-' && c !== 'a' && c !== 'p' && c !== '~') effects.add(r.effects[j] ?? 'r');
    }
  }
  const states = order.filter(c => cells.has(c))
    .map(c => `<span class="cell-${CELL_CLASS[c]}" data-legend="${c}"><span class="codicon codicon-${CELL_ICON[c]}" aria-hidden="true"></span> ${esc(CELL_LABELS[c])}</span>`);
  const marks = ['p', 'n', 'u'].filter(e => effects.has(e)).map(e => {
    const m = EFFECT_MARK[e]!;
    return `<span class="${m.cls}" data-legend="fx-${e}"><span class="fx-mark" aria-hidden="true"></span> ${esc(m.label)}</span>`;
  });
  byId('legend').innerHTML = [...states, ...marks].join('');
}

function renderMatrix(): void {
  if (!model) return;
  const pendingOnly = byId('pendingOnly') as HTMLElement & { checked: boolean; disabled: boolean };
  pendingOnly.checked = pendingOnlyEffective();
  pendingOnly.disabled = !model.stateRead;
  const rows = visibleRows();
  const limit = Math.min(rows.length, ui.limit ?? PAGE);
  const cols = `<colgroup><col class="col-mig">${'<col class="col-alias">'.repeat(model.aliases.length)}</colgroup>`;
  const head =
    cols +
    '<thead><tr><th scope="col" class="mig">Migration</th>' +
    model.aliases
      .map(a => {
        const status = a.dummy ? 'not configured' : a.reachable === false ? 'unreachable' : a.pending === null ? 'not read' : `${a.pending} pending`;
        const badge = a.pending ? ` <vscode-badge variant="counter">${a.pending}</vscode-badge>` : a.dummy ? ' <span class="codicon codicon-warning" aria-hidden="true"></span>' : a.reachable === false ? ' <span class="codicon codicon-error" aria-hidden="true"></span>' : '';
        return `<th scope="col" class="alias" title="${esc(`${a.alias} (${a.engine ?? 'unknown engine'}): ${status}`)}">${esc(a.alias)}${badge}</th>`;
      })
      .join('') +
    '</tr></thead>';
  const body: string[] = [];
  for (let i = 0; i < limit; i++) {
    const r = rows[i]!;
    let cells = '';
    for (let j = 0; j < model.aliases.length; j++) {
      const c = (r.cells[j] ?? '?') as CellState;
      const fx = r.effects[j] ?? 'r';
      const note = r.notes[j];
      const label = cellLabel(c, fx, note);
      const mark = c === 'R' || c === '-' || c === 'a' || c === 'p' || c === '~' ? undefined : EFFECT_MARK[fx];
      const title = `${model.aliases[j]!.alias}: ${label}${note && note.text !== note.tag ? `\n${note.text}` : ''}`;
      cells += `<td class="cell-${CELL_CLASS[c]}${mark ? ` ${mark.cls}` : ''}" data-state="${c}" data-effect="${fx}" data-alias="${esc(model.aliases[j]!.alias)}" title="${esc(title)}"><span class="codicon codicon-${CELL_ICON[c]}" role="img" aria-label="${esc(label)}"></span>${mark ? '<span class="fx-mark" aria-hidden="true"></span>' : ''}</td>`;
    }
    body.push(`<tr data-row="${esc(r.key)}"><th scope="row" class="mig">${migrationButton(r)}${markers(r)}</th>${cells}</tr>`);
  }
  const empty = rows.length === 0 ? `<tbody><tr><td class="empty" colspan="${model.aliases.length + 1}">${model.migrations.length === 0 ? 'No migrations found.' : pendingOnly.checked ? 'Nothing pending. Untick the box to see every migration.' : 'No migration matches the filter.'}</td></tr></tbody>` : '';
  // (a refresh while a row has the keyboard focus keeps it there)
  const hadFocus = byId('matrix').contains(document.activeElement);
  byId('matrix').innerHTML = head + (empty || `<tbody>${body.join('')}</tbody>`);
  byId('matrix').setAttribute('aria-rowcount', String(rows.length + 1));
  const links = rowLinks();
  const active = links.find(l => l.dataset.key === activeRow) ?? links[0];
  if (active) setActiveRow(active);
  if (active && hadFocus) active.focus();
  const more = byId('matrix-more');
  more.innerHTML =
    rows.length > limit
      ? `<span class="muted">Showing ${limit} of ${rows.length}</span> <vscode-button secondary data-more="matrix">Show ${Math.min(PAGE, rows.length - limit)} more</vscode-button> <vscode-button secondary data-more="matrix-all">Show all</vscode-button>`
      : rows.length
        ? `<span class="muted">${rows.length} of ${model.migrations.length} migrations</span>`
        : '';
}

let planLimit = PAGE;
let selectHtml = '';

function renderPlanSelect(): void {
  if (!model) return;
  const select = byId('planAlias') as HTMLElement & { value: string };
  if (!ui.planAlias || !model.aliases.some(a => a.alias === ui.planAlias)) ui.planAlias = model.aliases.find(a => a.pending)?.alias ?? model.aliases[0]?.alias;
  const html = model.aliases
    .map(a => {
      const s = a.dummy ? 'not configured' : a.reachable === false ? 'unreachable' : a.pending === null ? 'not read' : `${a.pending} pending`;
      return `<vscode-option value="${esc(a.alias)}">${esc(`${a.alias} — ${s}`)}</vscode-option>`;
    })
    .join('');
  // <vscode-single-select> re-reads every option (with a forced layout) when its children change: only when needed
  if (html !== selectHtml) {
    selectHtml = html;
    select.innerHTML = html;
  }
  if (ui.planAlias && select.value !== ui.planAlias) select.value = ui.planAlias;
}

function renderPlan(): void {
  if (!model) return;
  updateActions();
  const col = model.aliases.findIndex(a => a.alias === ui.planAlias);
  const a = model.aliases[col];
  const el = byId('plan');
  if (!a) {
    el.innerHTML = '<p class="muted">No database in settings.DATABASES.</p>';
    return;
  }
  const head = `<p class="muted">${esc(a.engine ?? 'unknown engine')} · ${a.dummy ? `not configured: ${a.alias} ${dummyText(a)}` : a.reachable === false ? `unreachable: ${esc(a.error ?? '')} ${unreachableActions(a.alias)}` : a.pending === null ? (model.trusted ? 'not read yet' : 'not read in Restricted Mode') : `${a.pending} pending, in the order Django applies them`}</p>`;
  if (!a.plan) {
    el.innerHTML = head;
    return;
  }
  if (!a.plan.length) {
    el.innerHTML = `${head}<p><span class="codicon codicon-pass-filled cell-applied" aria-hidden="true"></span> Up to date.</p>`;
    return;
  }
  // ask the host for this alias's operations once per model (one alias at a time keeps messages small)
  if (!detailsAsked.has(a.alias)) {
    detailsAsked.add(a.alias);
    post({ type: 'planDetails', alias: a.alias });
  }
  const ops = details.get(a.alias);
  const limit = Math.min(a.plan.length, planLimit);
  const items: string[] = [];
  for (let i = 0; i < limit; i++) {
    const r = model.migrations[a.plan[i]!]!;
    const skipped = r.cells[col] === 'p';
    // the tag says Django's reason: router-skipped, swapped model, no operations, state only, partly skipped…
    const note = r.notes[col];
    const tag = note ? ` <span class="tag ${skipped ? 'router-skipped' : 'effect'}" data-tag="${esc(note.tag)}" title="${esc(`${note.text}${a.planSource === 'django' ? ' (from Django)' : ''}`)}">${esc(note.tag)}</span>` : '';
    items.push(
      `<li data-row="${esc(r.key)}"${skipped ? ' class="skipped"' : ''}>${migrationButton(r)}${tag}${markers(r)} ${sqlButton(r.key)}${operationsHtml(ops?.[r.key])}${sqlHtml(a.alias, r.key)}</li>`,
    );
  }
  const more = a.plan.length > limit ? `<div class="more"><span class="muted">Showing ${limit} of ${a.plan.length}</span> <vscode-button secondary data-more="plan">Show more</vscode-button></div>` : '';
  const sqlNote = model.sql.available ? '' : `<p class="muted"><span class="codicon codicon-info" aria-hidden="true"></span> ${esc(model.sql.reason ?? '')}</p>`;
  const opsNote = a.planSource === 'django' ? '' : '<p class="muted">Operations and where they run follow Django\'s rules, evaluated statically; Django\'s own answer replaces them when it comes (trusted workspace, djangoMultiDb.mode auto or django).</p>';
  el.innerHTML = `${head}${sqlNote}${opsNote}<ol class="plan" aria-label="${esc(`Plan for ${a.alias}`)}">${items.join('')}</ol>${more}`;
}

function sqlButton(key: string): string {
  const available = !!model?.sql.available;
  const title = available ? 'Show the SQL of this migration on this database (manage.py sqlmigrate)' : (model?.sql.reason ?? '');
  return `<button class="link sql" data-sql="${esc(key)}" title="${esc(title)}"${available ? '' : ' disabled'}><span class="codicon codicon-file-code" aria-hidden="true"></span> SQL</button>`;
}

function operationHtml(op: PlanOperation): string {
  const state = op.skipped === true ? 'skipped' : op.skipped === false ? 'runs' : 'unknown';
  const icon = op.skipped === true ? 'circle-slash' : op.skipped === false ? 'play' : 'question';
  const label = op.skipped === true ? 'skipped here' : op.skipped === false ? 'runs' : 'unknown';
  const children = op.children?.length ? `<ul>${op.children.map(operationHtml).join('')}</ul>` : '';
  return `<li class="op op-${state}" data-skipped="${state}"><span class="codicon codicon-${icon}" role="img" aria-label="${label}"></span> ${esc(op.describe)} <span class="muted">— ${esc(label)}: ${esc(op.why)}</span>${children}</li>`;
}

function operationsHtml(ops: PlanOperation[] | undefined): string {
  if (!ops) return '';
  const skipped = ops.filter(o => o.skipped === true).length;
  const summary = `${ops.length} operation${ops.length === 1 ? '' : 's'}${skipped ? ` · ${skipped} skipped on this database` : ''}`;
  // open when something is skipped: that is what the user came to see
  return `<details class="ops"${skipped ? ' open' : ''}><summary>${esc(summary)}</summary><ul>${ops.map(operationHtml).join('')}</ul></details>`;
}

function sqlHtml(alias: string, key: string): string {
  const r = sqlResults.get(sqlKey(alias, key));
  if (!r) return '';
  if (r.status === 'loading') return '<div class="sql-status" aria-live="polite"><span class="codicon codicon-loading codicon-modifier-spin" aria-hidden="true"></span> Running sqlmigrate…</div>';
  if (r.status === 'error') return `<div class="sql-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span> ${esc(r.error ?? 'sqlmigrate failed')} <span class="muted">(details in the log)</span></div>`;
  const body = (r.sql ?? '').trim() || '-- no SQL: every operation is skipped or has nothing to run on this database';
  return `<div class="sql-block"><div class="sql-actions"><button class="link" data-open-sql="${esc(key)}" title="Open as an untitled SQL document">Open in editor</button></div><pre class="sql" tabindex="0" aria-label="${esc(`SQL of ${key} on ${alias}`)}">${esc(body)}</pre></div>`;
}

/** Only the visible tab is rendered; the other one is rendered when it is selected. */
function renderTab(): void {
  if (ui.tab === 'plan') {
    renderPlanSelect();
    renderPlan();
  } else renderMatrix();
}

function renderAll(): void {
  renderHeader();
  renderLegend();
  renderTab();
  app.setAttribute('aria-busy', 'false');
}

window.addEventListener('message', (e: MessageEvent<HostMessage>) => {
  const m = e.data;
  switch (m.type) {
    case 'model':
      if (model?.root !== m.model.root) sqlResults.clear();
      model = m.model;
      // operations belong to one index: ask again for the new one
      details.clear();
      detailsAsked.clear();
      ui.root = m.model.root;
      busyLabel = null;
      saveState();
      renderAll();
      break;
    case 'busy':
      busyLabel = m.busy ? (m.label ?? 'Working…') : null;
      if (model) renderHeader();
      else byId('summary').textContent = busyLabel ?? '';
      app.setAttribute('aria-busy', String(m.busy));
      break;
    case 'planDetails':
      if (!model || m.generatedAt !== model.generatedAt) break;
      details.set(m.alias, m.operations);
      if (ui.tab === 'plan' && ui.planAlias === m.alias) renderPlan();
      break;
    case 'sql': {
      const { type: _type, ...r } = m;
      sqlResults.set(sqlKey(r.alias, r.key), r);
      if (ui.tab === 'plan' && ui.planAlias === r.alias) renderPlan();
      break;
    }
    case 'focusAlias': {
      ui.planAlias = m.alias;
      ui.tab = 'plan';
      planLimit = PAGE;
      saveState();
      (byId('tabs') as HTMLElement & { selectedIndex: number }).selectedIndex = 1;
      renderPlanSelect();
      renderPlan();
      break;
    }
  }
});

skeleton();
post({ type: 'ready' });
