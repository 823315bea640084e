// The "Pending migrations" webview panel: one per window, revived after a reload by the serializer. The host
// posts the whole data model (see src/shared/messages.ts); the webview pages and filters it itself.
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { type HostMessage, type PanelViewState, type PendingModel, type SqlResult, type WebviewMessage, isWebviewMessage } from '../shared/messages';
import { Cmd, registerCommand } from './commands';
import { buildPendingModel, planOperations } from './model/pending';
import type { DjangoProject } from './project';
import type { Feature, Services } from './services';
import { migrationSql, openSqlDocument } from './sql';
import { nodeAlias } from './tree';

export const PANEL_VIEW_TYPE = 'djangoMultiDb.pendingMigrations';

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', f)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  // the codicon stylesheet id is the one @vscode-elements' <vscode-icon> looks for to load the font inside its shadow root
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${asset('codicon.css')}" nonce="${nonce}">
<link rel="stylesheet" href="${asset('main.css')}">
<title>Pending migrations</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="muted">Loading…</p></main>
<script type="module" nonce="${nonce}" src="${asset('main.js')}"></script>
</body>
</html>`;
}

export class PendingPanel implements vscode.Disposable {
  private ready = false;
  private queue: HostMessage[] = [];
  private readonly subs: vscode.Disposable[] = [];
  private root: string | undefined;
  private focusAlias: string | null = null;
  /** the last message posted to the webview (tests assert on it) */
  lastPosted: HostMessage | undefined;
  lastModel: PendingModel | undefined;
  readonly messagesReceived: WebviewMessage['type'][] = [];
  /** the last "Show SQL" answer (tests assert on it) */
  lastSql: SqlResult | undefined;
  /** SQL shown in the panel by "alias\0key", for "Open in editor" */
  private readonly sqlShown = new Map<string, string>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly svc: Services,
    private readonly onDispose: () => void,
  ) {
    const dist = vscode.Uri.joinPath(svc.context.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.iconPath = {
      light: vscode.Uri.joinPath(svc.context.extensionUri, 'media', 'pending-light.svg'),
      dark: vscode.Uri.joinPath(svc.context.extensionUri, 'media', 'pending-dark.svg'),
    };
    panel.webview.html = panelHtml(panel.webview, svc.context.extensionUri);
    this.subs.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage(m => void this.onMessage(m)),
      // without retainContextWhenHidden the webview is rebuilt when shown again: it says `ready` again
      panel.onDidChangeViewState(e => {
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      svc.projects.onDidChange(p => {
        if (!p || p.root === this.root || !this.root) this.update();
      }),
    );
  }

  show(project: DjangoProject | undefined, alias: string | null, column?: vscode.ViewColumn): PendingModel | undefined {
    if (project) this.root = project.root;
    this.focusAlias = alias;
    this.panel.reveal(column, false);
    const model = this.update();
    if (alias) this.post({ type: 'focusAlias', alias });
    return model;
  }

  restore(state: PanelViewState | undefined): void {
    this.root = state?.root;
    this.update();
  }

  private project(): DjangoProject | undefined {
    const list = this.svc.projects.projects;
    return list.find(p => p.root === this.root) ?? list[0];
  }

  /** Rebuild the data model and post it (queued until the webview is ready). */
  update(): PendingModel | undefined {
    const p = this.project();
    // (a partial first answer has read no migration yet: the whole index follows it)
    if (!p?.index || p.index.partial) {
      this.post({ type: 'busy', busy: true, label: p?.error ? `Could not index: ${p.error}` : p?.index ? 'Reading the migrations…' : 'Indexing…' });
      return undefined;
    }
    this.root = p.root;
    this.panel.title = this.svc.projects.projects.length > 1 ? `Pending migrations — ${p.name}` : 'Pending migrations';
    const model = buildPendingModel(p.index, {
      project: p.name, trusted: this.svc.projects.trusted, focusAlias: this.focusAlias, mode: p.django.effective, reason: p.django.reason,
      cachedAt: p.cachedAt ?? null,
    });
    this.lastModel = model;
    this.post({ type: 'model', model });
    return model;
  }

  private post(msg: HostMessage): void {
    this.lastPosted = msg;
    if (!this.ready) {
      // only the newest model matters: drop older ones rather than replaying them
      if (msg.type === 'model') this.queue = this.queue.filter(m => m.type !== 'model' && m.type !== 'busy');
      this.queue.push(msg);
      return;
    }
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isWebviewMessage(m)) return;
    this.messagesReceived.push(m.type);
    const p = this.project();
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        const queued = this.queue;
        this.queue = [];
        if (!queued.some(q => q.type === 'model') && this.lastModel) queued.unshift({ type: 'model', model: this.lastModel });
        for (const q of queued) void this.panel.webview.postMessage(q);
        return;
      }
      case 'refresh':
        this.post({ type: 'busy', busy: true, label: 'Refreshing…' });
        await this.svc.projects.refreshNow(p);
        this.post({ type: 'busy', busy: false });
        this.update();
        return;
      case 'openMigration':
        await vscode.commands.executeCommand(Cmd.openMigration, { root: p?.root, key: m.key });
        return;
      case 'migrate':
        await vscode.commands.executeCommand(Cmd.migrateDatabase, { root: p?.root, alias: m.alias });
        return;
      case 'chooseSettings':
        await vscode.commands.executeCommand(Cmd.chooseSettingsModule, { root: p?.root });
        return;
      case 'setPassword':
        await vscode.commands.executeCommand(Cmd.setDatabasePassword, { root: p?.root, alias: m.alias });
        return;
      case 'showMigrations':
        await vscode.commands.executeCommand(Cmd.showMigrations, { root: p?.root, alias: m.alias });
        return;
      case 'planDetails': {
        const index = p?.index;
        if (!index || !this.lastModel) return;
        this.post({ type: 'planDetails', alias: m.alias, generatedAt: this.lastModel.generatedAt, operations: planOperations(index, m.alias) });
        return;
      }
      case 'showSql': {
        const base = { alias: m.alias, key: m.key };
        this.postSql({ ...base, status: 'loading' });
        try {
          if (!p) throw new Error('No Django project.');
          const sql = await migrationSql(this.svc, p, m.alias, m.key);
          this.sqlShown.set(`${m.alias}\u0000${m.key}`, sql);
          this.postSql({ ...base, status: 'done', sql });
        } catch (e) {
          // shown in the panel next to the migration, not as a notification: the user is looking there
          this.postSql({ ...base, status: 'error', error: e instanceof Error ? e.message : String(e) });
        }
        return;
      }
      case 'openSql': {
        const sql = this.sqlShown.get(`${m.alias}\u0000${m.key}`);
        if (sql !== undefined) await openSqlDocument(m.alias, m.key, sql);
        return;
      }
    }
  }

  private postSql(r: SqlResult): void {
    this.lastSql = r;
    this.post({ type: 'sql', ...r });
  }

  dispose(): void {
    for (const d of this.subs) d.dispose();
    this.subs.length = 0;
    this.onDispose();
  }
}

export const registerPendingPanel: Feature = (svc: Services) => {
  let current: PendingPanel | undefined;
  const adopt = (panel: vscode.WebviewPanel) => (current = new PendingPanel(panel, svc, () => (current = undefined)));

  svc.snapshots.set('webview', () =>
    current
      ? {
        open: true, visible: current.panel.visible, lastModel: current.lastModel, lastPosted: current.lastPosted, received: [...current.messagesReceived],
        lastSql: current.lastSql ?? null,
      }
      : { open: false },
  );

  return [
    registerCommand(svc, Cmd.showPendingMigrations, async (arg?: unknown) => {
      const a = nodeAlias(arg);
      const project = svc.projects.projects.length ? await svc.projects.pick(a.root) : undefined;
      if (project) await svc.projects.ensureIndex(project).catch(() => undefined);
      if (!current) {
        const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Pending migrations', vscode.ViewColumn.Active, {
          enableScripts: true,
          localResourceRoots: [vscode.Uri.joinPath(svc.context.extensionUri, 'dist', 'webview')],
        });
        adopt(panel);
      }
      // the data model posted to the webview: integration tests assert on it
      return current!.show(project, a.alias ?? null);
    }),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        current?.panel.dispose();
        adopt(panel).restore((state ?? undefined) as PanelViewState | undefined);
      },
    }),
    { dispose: () => current?.panel.dispose() },
  ];
};
