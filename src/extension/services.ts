// What every feature gets: built once in `activate`, passed to each feature's register function.
import type * as vscode from 'vscode';
import type { Log } from './log';
import type { ProjectService } from './project';
import type { ConnectionSecrets } from './secrets';

export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  projects: ProjectService;
  secrets: ConnectionSecrets;
  /** contributors to the internal `djangoMultiDb.getState` snapshot (tests read it) */
  snapshots: Map<string, () => unknown>;
  /** how long activate() took, in ms (reported by getState) */
  activationMs?: number;
  /** when activate() started (Date.now(); reported by getState: the benchmark times from it) */
  activatedAt?: number;
}

/** A feature registers its providers/commands and returns what must be disposed with the extension. */
export type Feature = (svc: Services) => vscode.Disposable[];
