// Per-alias connection overrides (password, user, host, port, NAME) in VS Code's secret storage. They go to
// the Scanner as `connectionOverrides`; they are never shown, never logged (the log redacts them), never put
// in settings. Which aliases have an override is kept (without values) in workspaceState, because
// SecretStorage cannot list its keys.
import * as vscode from 'vscode';
import { Cmd, orCancel, registerCommand } from './commands';
import type { Feature, Services } from './services';

export interface ConnectionOverride {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  name?: string;
}

const INDEX_KEY = 'djangoMultiDb.connectionOverrides.aliases';

export class ConnectionSecrets implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string>();
  /** fires with the project root whose overrides changed */
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly memento: vscode.Memento,
    private readonly onSecret: (value: string) => void,
  ) {
    this.subs.push(this.emitter);
  }

  private key(root: string, alias: string): string {
    return `djangoMultiDb.connection:${root}:${alias}`;
  }

  private aliases(root: string): string[] {
    return this.memento.get<Record<string, string[]>>(INDEX_KEY, {})[root] ?? [];
  }

  private async setAliases(root: string, list: string[]): Promise<void> {
    const all = { ...this.memento.get<Record<string, string[]>>(INDEX_KEY, {}) };
    if (list.length) all[root] = [...new Set(list)].sort();
    else delete all[root];
    await this.memento.update(INDEX_KEY, all);
  }

  hasOverride(root: string, alias: string): boolean {
    return this.aliases(root).includes(alias);
  }

  async get(root: string): Promise<Record<string, ConnectionOverride>> {
    const out: Record<string, ConnectionOverride> = {};
    for (const alias of this.aliases(root)) {
      const raw = await this.storage.get(this.key(root, alias));
      if (!raw) continue;
      try {
        const o = JSON.parse(raw) as ConnectionOverride;
        if (o.password) this.onSecret(o.password);
        out[alias] = o;
      } catch {
        // a corrupt entry is ignored rather than shown: it may hold a password
      }
    }
    return out;
  }

  async update(root: string, alias: string, patch: ConnectionOverride): Promise<void> {
    const current = (await this.get(root))[alias] ?? {};
    const next = { ...current, ...patch };
    if (next.password) this.onSecret(next.password);
    await this.storage.store(this.key(root, alias), JSON.stringify(next));
    await this.setAliases(root, [...this.aliases(root), alias]);
    this.emitter.fire(root);
  }

  async clear(root: string, alias: string): Promise<void> {
    await this.storage.delete(this.key(root, alias));
    await this.setAliases(root, this.aliases(root).filter(a => a !== alias));
    this.emitter.fire(root);
  }

  dispose(): void {
    for (const d of this.subs) d.dispose();
  }
}

/** `{ alias, password? }` from a test or a tree item (`alias` node). */
function argAlias(arg: unknown): { root?: string; alias?: string; password?: string } {
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as { alias?: unknown; root?: unknown; password?: unknown; project?: { root?: unknown } };
  return {
    alias: typeof a.alias === 'string' ? a.alias : undefined,
    root: typeof a.root === 'string' ? a.root : typeof a.project?.root === 'string' ? a.project.root : undefined,
    password: typeof a.password === 'string' ? a.password : undefined,
  };
}

export const registerSecrets: Feature = (svc: Services) => [
  registerCommand(svc, Cmd.setDatabasePassword, async (arg?: unknown) => {
    const a = argAlias(arg);
    const project = await svc.projects.pick(a.root);
    const alias = a.alias ?? (await svc.projects.pickAlias(project, 'Database whose password to set'));
    const password =
      a.password ??
      orCancel(
        await vscode.window.showInputBox({
          title: `Password for database '${alias}'`,
          prompt: 'Kept in VS Code secret storage and used only to read django_migrations. Never written to settings or logs.',
          password: true,
          ignoreFocusOut: true,
        }),
      );
    await svc.secrets.update(project.root, alias, { password });
    svc.log.info(`connection override for '${alias}' updated (password set)`);
    void vscode.window.showInformationMessage(`Password for '${alias}' saved in secret storage.`);
    return { alias, stored: true };
  }),
  registerCommand(svc, Cmd.clearDatabaseCredentials, async (arg?: unknown) => {
    const a = argAlias(arg);
    const project = await svc.projects.pick(a.root);
    const alias = a.alias ?? (await svc.projects.pickAlias(project, 'Database whose stored credentials to forget'));
    await svc.secrets.clear(project.root, alias);
    svc.log.info(`connection override for '${alias}' removed`);
    return { alias, cleared: true };
  }),
];
