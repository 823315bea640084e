// Command ids and the one wrapper every handler goes through. Ids are `djangoMultiDb.verbNoun`; each must also
// be declared in package.json `contributes.commands` (with the "Django Multi-DB" category).
import * as vscode from 'vscode';
import type { Services } from './services';

export const Cmd = {
  refresh: 'djangoMultiDb.refresh',
  restart: 'djangoMultiDb.restart',
  showPendingMigrations: 'djangoMultiDb.showPendingMigrations',
  migrateDatabase: 'djangoMultiDb.migrateDatabase',
  migrateAllDatabases: 'djangoMultiDb.migrateAllDatabases',
  showMigrations: 'djangoMultiDb.showMigrations',
  goToModel: 'djangoMultiDb.goToModel',
  goToRouter: 'djangoMultiDb.goToRouter',
  openMigration: 'djangoMultiDb.openMigration',
  showMigrationSql: 'djangoMultiDb.showMigrationSql',
  setDatabasePassword: 'djangoMultiDb.setDatabasePassword',
  clearDatabaseCredentials: 'djangoMultiDb.clearDatabaseCredentials',
  showLog: 'djangoMultiDb.showLog',
  showStatus: 'djangoMultiDb.showStatus',
  showMigrationState: 'djangoMultiDb.showMigrationState',
  newMigration: 'djangoMultiDb.newMigration',
  newDataMigration: 'djangoMultiDb.newDataMigration',
  copyDeploymentCommands: 'djangoMultiDb.copyDeploymentCommands',
  runDeploymentPlan: 'djangoMultiDb.runDeploymentPlan',
  chooseSettingsModule: 'djangoMultiDb.chooseSettingsModule',
  chooseEnvFile: 'djangoMultiDb.chooseEnvFile',
  /** internal: a plain snapshot of what the views show, for integration tests */
  getState: 'djangoMultiDb.getState',
} as const;
export type CommandId = (typeof Cmd)[keyof typeof Cmd];

/** Thrown when the user dismisses a prompt: the wrapper turns it into silence. */
export class Cancelled extends Error {
  /** `at`: the prompt that was dismissed (the log says it: "why did nothing happen?") */
  constructor(at = 'a prompt') {
    super(`cancelled at ${at}`);
    this.name = 'Cancelled';
  }
}

/** `await orCancel(showQuickPick(...), 'the alias pick')`: undefined (Escape) becomes a silent cancellation. */
export function orCancel<T>(value: T | undefined, at?: string): T {
  if (value === undefined) throw new Cancelled(at);
  return value;
}

export function isCancellation(e: unknown): boolean {
  return e instanceof Cancelled || e instanceof vscode.CancellationError || (e instanceof Error && e.name === 'Canceled');
}

/**
 * Registers a command whose handler takes `unknown` arguments (a tree item, a plain object from a test, or
 * nothing). Errors become one message with an "Open log" action; the promise resolves to undefined then, so
 * a caller (test) sees the failure in the log and the message rather than as a rejection of executeCommand.
 */
export function registerCommand(svc: Services, id: CommandId, handler: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (e) {
      if (isCancellation(e)) {
        svc.log.info(`${id}: ${e instanceof Cancelled ? e.message : 'cancelled'}`);
        return undefined;
      }
      const msg = e instanceof Error ? e.message : String(e);
      svc.log.error(`${id} failed: ${e instanceof Error && e.stack ? e.stack : msg}`);
      void vscode.window.showErrorMessage(`Django Multi-DB: ${msg}`, 'Open log').then(pick => {
        if (pick) svc.log.show(false);
      });
      return undefined;
    }
  });
}
