// "Go to model", "Go to router", "Open migration", "Refresh", "Show log" and the internal state snapshot.
import * as vscode from 'vscode';
import type { Loc } from '../core/types';
import { Cmd, orCancel, registerCommand } from './commands';
import { aliasesOf, decisionsOf, locLabel, pendingCount, routerLocation, shortRouter } from './model/routing';
import type { Feature, Services } from './services';

export async function openLocation(loc: Loc): Promise<vscode.TextEditor> {
  const line = Math.max(0, loc.line - 1);
  const pos = new vscode.Position(line, loc.column ?? 0);
  return vscode.window.showTextDocument(vscode.Uri.file(loc.path), { selection: new vscode.Range(pos, pos), preview: true });
}

interface ModelArg {
  model?: string;
  alias?: string;
  root?: string;
  router?: string;
}

function readArg(arg: unknown): ModelArg {
  if (typeof arg === 'string') return { model: arg };
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Record<string, unknown> & { project?: { root?: unknown } };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { model: str(a.model), alias: str(a.alias), router: str(a.router), root: str(a.root) ?? str(a.project?.root) };
}

export const registerNavigation: Feature = (svc: Services) => [
  registerCommand(svc, Cmd.goToModel, async (arg?: unknown) => {
    const a = readArg(arg);
    const project = await svc.projects.pick(a.root);
    const index = await svc.projects.ensureIndex(project);
    let key = a.model;
    if (!key) {
      const pick = await vscode.window.showQuickPick(
        index.models.filter(m => !m.abstract).map(m => ({ label: m.name, description: m.app, detail: locLabel(m.loc, index.root), key: m.key })),
        { title: 'Go to Model', placeHolder: 'Model', matchOnDescription: true },
      );
      key = orCancel(pick).key;
    }
    const model = index.models.find(m => m.key === key);
    if (!model) throw new Error(`Model ${key} is not in the index.`);
    await openLocation(model.loc);
    return { path: model.loc.path, line: model.loc.line };
  }),

  registerCommand(svc, Cmd.goToRouter, async (arg?: unknown) => {
    const a = readArg(arg);
    const project = await svc.projects.pick(a.root);
    const index = await svc.projects.ensureIndex(project);
    let loc: Loc | undefined;
    if (a.model && a.alias) loc = routerLocation(index, decisionsOf(index).get(a.alias, a.model));
    if (!loc && a.router) loc = index.routerLocs[a.router]?.allowMigrate ?? index.routerLocs[a.router]?.cls;
    if (!loc) {
      const routers = (index.settings?.routers ?? []).filter((r): r is string => !!r);
      if (!routers.length) {
        // (with the environment read here: DATABASE_ROUTERS may name routers from variables not set)
        const fromEnv = index.settings?.routersEnvDefaults?.variables;
        throw new Error(fromEnv
          ? `settings.DATABASE_ROUTERS is empty with this environment: it reads ${fromEnv.join(', ')}, not set here (set ${fromEnv.length > 1 ? 'them' : 'it'} in the file djangoMultiDb.envFile names).`
          : 'settings.DATABASE_ROUTERS is empty: every model migrates everywhere (Django allows by default).');
      }
      const items = routers.map(r => ({ label: shortRouter(r), description: r, loc: index.routerLocs[r]?.allowMigrate ?? index.routerLocs[r]?.cls }));
      const pick = items.length === 1 && !a.model ? items[0] : await vscode.window.showQuickPick(items, { title: 'Go to Router', placeHolder: 'DATABASE_ROUTERS, in order' });
      loc = orCancel(pick).loc;
      if (!loc) throw new Error(`The source of ${orCancel(pick).description} was not found in the workspace.`);
    }
    await openLocation(loc);
    return { path: loc.path, line: loc.line };
  }),

  registerCommand(svc, Cmd.openMigration, async (arg?: unknown) => {
    const a = (arg && typeof arg === 'object' ? arg : { key: arg }) as { key?: unknown; root?: unknown };
    const project = await svc.projects.pick(typeof a.root === 'string' ? a.root : undefined);
    const index = await svc.projects.ensureIndex(project);
    let key = typeof a.key === 'string' ? a.key : undefined;
    if (!key) {
      const pick = await vscode.window.showQuickPick(
        index.migrations.map(m => ({ label: m.name, description: m.app, key: m.key })),
        { title: 'Open Migration', matchOnDescription: true },
      );
      key = orCancel(pick).key;
    }
    const m = index.migrations.find(x => x.key === key);
    if (!m) throw new Error(`Migration ${key} is not in the index.`);
    await openLocation({ path: m.path, line: 1 });
    return { path: m.path };
  }),

  registerCommand(svc, Cmd.refresh, async () => {
    await svc.projects.refreshNow();
    return svc.projects.projects.map(p => ({ root: p.root, aliases: p.index ? aliasesOf(p.index) : [], error: p.error ?? null }));
  }),

  registerCommand(svc, Cmd.restart, async () => {
    // (the progress lasts until each project's static index is shown; Django's answer and the databases follow)
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: '$(database) Django Multi-DB: Restarting the analysis' }, async () => {
      await svc.projects.restart();
      await Promise.all(svc.projects.projects.map(p => svc.projects.ensureIndex(p).catch(() => undefined)));
    });
    return {
      scanWorkerPid: svc.projects.scanWorkerPid ?? null,
      indexesAskedAgain: svc.projects.indexesAskedAgain,
      projects: svc.projects.projects.map(p => ({ root: p.root, indexed: !!p.index, error: p.error ?? null })),
    };
  }),

  registerCommand(svc, Cmd.showLog, () => svc.log.show(false)),

  // internal, hidden from the palette: what the views and the panel show, as plain JSON, for tests
  registerCommand(svc, Cmd.getState, async (arg?: unknown) => {
    if (!(arg && typeof arg === 'object' && (arg as { wait?: unknown }).wait === false)) await svc.projects.whenIdle();
    const out: Record<string, unknown> = {
      trusted: svc.projects.trusted,
      activationMs: svc.activationMs ?? null,
      activatedAt: svc.activatedAt ?? null,
      // the scan worker's own process (its memory is reported apart from the extension host's)
      scanWorkerPid: svc.projects.scanWorkerPid ?? null,
      scanWorkerStart: svc.projects.scanWorkerStart,
      indexesAskedAgain: svc.projects.indexesAskedAgain,
      // every alias of every project, flattened (tests of a single-project workspace read this)
      aliases: svc.projects.projects.flatMap(p => {
        const index = p.index;
        if (!index) return [];
        return aliasesOf(index).map(alias => {
          const db = index.settings?.databases.find(d => d.alias === alias);
          const st = index.applied[alias];
          return { project: p.name, alias, engine: db?.engine ?? null, reachable: st ? st.reachable : null, error: st?.error ?? null, pending: pendingCount(index, alias) };
        });
      }),
      projects: svc.projects.projects.map(p => ({
        name: p.name,
        root: p.root,
        managePy: p.managePy,
        error: p.error ?? null,
        indexed: !!p.index,
        // the last session's answer is shown (workspace storage) while the fresh one is computed
        cachedAt: p.cachedAt ?? null,
        // when the last session's answer was shown (it stays set once the fresh one replaced it)
        restoredAt: p.restoredAt ?? null,
        startup: p.startup,
        firstIndexFromLast: p.firstIndexFromLast ?? null,
        // the shown answer was written for the next session then, and whether a newer one waits to be written
        snapshotSavedAt: p.snapshotSavedAt ?? null,
        snapshotPending: !!p.snapshotTimer || !!p.snapshotSaving,
        // Django mode: Django is asked again in this many ms (a save's debounce), null = not scheduled
        djangoAskIn: p.djangoTimer ? p.djangoDelayMs : null,
        // Django mode: Django is being asked now (its process runs, or its answer is being merged)
        djangoRunning: !!p.djangoRunning,
        stateReadAt: p.stateReadAt ?? null,
        // djangoMultiDb.run as this project has taken it (a settings change reaches it after the write resolves)
        run: p.config.run,
        editSeenAt: p.editSeenAt ?? null,
        bufferSentAt: p.bufferSentAt ?? null,
        indexAskedAt: p.indexAskedAt ?? null,
        replySentAt: p.replySentAt ?? null,
        replyAt: p.replyAt ?? null,
        indexedAt: p.indexedAt ?? null,
        shownAt: p.shownAt ?? null,
        diagnosticsStartedAt: p.diagnosticsStartedAt ?? null,
        editorDiagnosticsAt: p.editorDiagnosticsAt ?? null,
        diagnosticsAt: p.diagnosticsAt ?? null,
        // the last static index's phases in the scan worker (ms; `total` from start to end)
        timings: p.staticIndex?.timings ?? null,
        plans: p.index?.plans ?? {},
        findings: p.index?.findings.map(f => ({ code: f.code, severity: f.severity, path: f.path, line: f.line, model: f.model, field: f.field, alias: f.alias })) ?? [],
      })),
    };
    // { log: true }: the extension's last log lines (a failing test prints them)
    if (arg && typeof arg === 'object' && (arg as { log?: unknown }).log === true) out.log = svc.log.recent(200);
    // { views: false }: the projects only (a benchmark polling it must not build every view's items each time)
    if (!(arg && typeof arg === 'object' && (arg as { views?: unknown }).views === false)) for (const [k, fn] of svc.snapshots) out[k] = fn();
    return out;
  }),
];
