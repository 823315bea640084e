// Per-alias connection overrides (password, user, host, port, NAME) in VS Code's secret storage. They go to
// the Scanner as `connectionOverrides`; they are never shown, never logged (the log redacts them), never put
// in settings. Which aliases have an override is kept (without values) in workspaceState, because
// SecretStorage cannot list its keys.
//
// A stored password is bound to the destination it was saved for (engine + host + port + NAME,
// core/db/secret-binding.ts): the core withholds it when the settings point the alias elsewhere, and this
// feature asks the user again.
import * as vscode from 'vscode';
import { Cmd, orCancel, registerCommand } from './commands';
import type { Feature, Services } from './services';
import { bindOverride, checkOverride, type ConnectionOverride } from '../core/db/secret-binding';
import { secretsOfDatabases } from '../core/redact';
import type { DatabaseSetting } from '../core/types';

export type { ConnectionOverride };

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

  /** Stores `patch` bound to where `db` (the alias as the settings now describe it) points. */
  async update(root: string, alias: string, patch: ConnectionOverride, db: Pick<DatabaseSetting, 'engine' | 'host' | 'port' | 'name'>): Promise<void> {
    const current = (await this.get(root))[alias];
    const next = bindOverride(db, current, patch);
    if (next.password) this.onSecret(next.password);
    await this.storage.store(this.key(root, alias), JSON.stringify(next));
    await this.setAliases(root, [...this.aliases(root), alias]);
    this.emitter.fire(root);
  }

  /** Aliases whose stored password would now go to another destination, with a password-free description. */
  async stale(root: string, databases: readonly DatabaseSetting[]): Promise<{ alias: string; change: string }[]> {
    const stored = await this.get(root);
    const out: { alias: string; change: string }[] = [];
    for (const db of databases) {
      const c = checkOverride(db, stored[db.alias]);
      if (c.stale) out.push({ alias: db.alias, change: c.change ?? 'the destination changed' });
    }
    return out;
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
    const index = await svc.projects.ensureIndex(project);
    const db = index.settings?.databases.find(d => d.alias === alias);
    if (!db) throw new Error(`'${alias}' is not in settings.DATABASES of ${project.name}.`);
    await svc.secrets.update(project.root, alias, { password }, db);
    svc.log.info(`connection override for '${alias}' updated (password set)`);
    void vscode.window.showInformationMessage(`Password for '${alias}' saved in secret storage.`);
    return { alias, stored: true };
  }),
  watchBindings(svc),
  registerCommand(svc, Cmd.clearDatabaseCredentials, async (arg?: unknown) => {
    const a = argAlias(arg);
    const project = await svc.projects.pick(a.root);
    const alias = a.alias ?? (await svc.projects.pickAlias(project, 'Database whose stored credentials to forget'));
    await svc.secrets.clear(project.root, alias);
    svc.log.info(`connection override for '${alias}' removed`);
    return { alias, cleared: true };
  }),
];

/**
 * After each index: the settings' own passwords join the log's redaction, and a stored password whose alias now
 * points elsewhere is not sent (the core withholds it); ask once per change whether to store it again.
 */
function watchBindings(svc: Services): vscode.Disposable {
  const asked = new Set<string>();
  return svc.projects.onDidChange(() => {
    for (const p of svc.projects.projects) {
      const dbs = p.index?.settings?.databases;
      if (!dbs) continue;
      for (const s of secretsOfDatabases(dbs)) svc.log.addSecret(s);
      void svc.secrets.stale(p.root, dbs).then(list => {
        for (const { alias, change } of list) {
          const key = `${p.root}\0${alias}\0${change}`;
          if (asked.has(key)) continue;
          asked.add(key);
          svc.log.warn(`stored password for '${alias}' not sent: ${change}`);
          void vscode.window
            .showWarningMessage(`The stored password for '${alias}' was not sent: ${change}. Enter it again for the new destination?`, 'Set Password…', 'Forget It')
            .then(choice => {
              if (choice === 'Set Password…') void vscode.commands.executeCommand(Cmd.setDatabasePassword, { root: p.root, alias });
              else if (choice === 'Forget It') void svc.secrets.clear(p.root, alias);
            });
        }
      }, () => {});
    }
  });
}
