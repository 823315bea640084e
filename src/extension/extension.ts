// Entry point: builds the services, registers every feature from one list, and does little else.
import * as vscode from 'vscode';
import { registerAuthoring } from './authoring';
import { registerCodeActions } from './codeActions';
import { registerCodeLens } from './codeLens';
import { registerCompletion } from './completion';
import { registerDeploy } from './deploy';
import { registerDiagnostics } from './diagnostics';
import { registerHovers } from './hovers';
import { registerIdleCollect } from './idleCollect';
import { Log } from './log';
import { registerMigrate } from './migrate';
import { registerNavigation } from './navigation';
import { registerPendingPanel } from './pendingPanel';
import { ProjectService, registerProjectLifecycle } from './project';
import { ConnectionSecrets, registerSecrets } from './secrets';
import { registerSettingsModule } from './settingsModule';
import { registerEnvFile } from './envFile';
import { registerSql } from './sql';
import type { Feature, Services } from './services';
import { registerStatus } from './status';
import { registerStatusBar } from './statusBar';
import { registerTrees } from './tree';
import { registerWatchers } from './watcher';

const FEATURES: Feature[] = [
  svc => registerProjectLifecycle(svc),
  registerTrees,
  registerPendingPanel,
  registerStatusBar,
  registerDiagnostics,
  registerHovers,
  registerCodeActions,
  registerCodeLens,
  registerCompletion,
  registerAuthoring,
  registerNavigation,
  registerMigrate,
  registerDeploy,
  registerSql,
  registerSecrets,
  registerSettingsModule,
  registerEnvFile,
  registerStatus,
  registerWatchers,
  registerIdleCollect,
];

let services: Services | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = Date.now();
  const log = new Log();
  context.subscriptions.push(log);
  try {
    const secrets = new ConnectionSecrets(context.secrets, context.workspaceState, s => log.addSecret(s));
    // workspace storage: the last answer per project, shown at once by the next session (model/snapshot.ts)
    const snapshotDir = (context.storageUri ?? context.globalStorageUri).fsPath;
    const projects = new ProjectService(log, secrets, snapshotDir, String(context.extension.packageJSON.version ?? '0'));
    context.subscriptions.push(secrets, projects);
    services = { context, log, projects, secrets, snapshots: new Map(), activatedAt: started };
    for (const feature of FEATURES) context.subscriptions.push(...feature(services));
    // indexing runs after activation returns: views show "Indexing…" meanwhile
    void projects.reload();
    services.activationMs = Date.now() - started;
    log.info(`activated in ${services.activationMs} ms (VS Code ${vscode.version}, trusted: ${vscode.workspace.isTrusted})`);
  } catch (e) {
    // a failed activation is otherwise only visible in the extension host log
    log.error(e instanceof Error ? e : String(e));
    void vscode.window.showErrorMessage(`Django Multi-DB failed to start: ${e instanceof Error ? e.message : String(e)}`, 'Open log').then(pick => pick && log.show(false));
    throw e;
  }
}

export async function deactivate(): Promise<void> {
  // database reads in progress hold connections: let them finish before the host unloads us
  await services?.projects.close();
  services = undefined;
}
