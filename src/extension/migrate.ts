// "Migrate database…", "Migrate all databases" and "Show migrations for database…": `manage.py` runs in a
// VS Code task the user sees, with the project's interpreter and env file. Restricted Mode runs nothing.
import * as path from 'path';
import * as vscode from 'vscode';
import type { MigrationFileInfo } from '../core/types';
import type { ProjectIndex } from '../core/scan';
import { Cancelled, Cmd, orCancel, registerCommand } from './commands';
import { readConfig } from './config';
import { buildPendingModel } from './model/pending';
import { checkMigrateTarget, managePyProcess, migrateAllPlan, migrateArgs, migrateLockKey } from './model/migrateArgs';
import { aliasesOf, pendingCount } from './model/routing';
import type { DjangoProject } from './project';
import { aliasStatusText } from './project';
import { envFileOf, projectEnvironment, readEnvFile } from '../core/env/env-file';
import { resolveInterpreter } from './python';
import type { Feature, Services } from './services';
import { nodeAlias } from './tree';

export const TASK_TYPE = 'djangoMultiDb';

export interface MigrateResult {
  alias: string;
  status: 'ok' | 'failed' | 'refused' | 'untrusted' | 'cancelled';
  /** exit code of manage.py; undefined when it did not run or the task ended without one */
  exitCode?: number;
  /** the manage.py arguments that ran */
  args?: string[];
  /** pending count on the alias after the run (refreshed), when known */
  pendingAfter?: number | null;
  message?: string;
}

interface TaskArgs {
  root?: string;
  alias?: string;
  app?: string;
  target?: string;
  /** false: no prompts and no preview (tests, the webview's own confirmation) */
  confirm?: boolean;
}

/**
 * Arguments, by caller: nothing (palette) → every prompt; a tree node or `{ alias }` (webview) → only the plan
 * preview; a bare alias string or `{ alias, confirm: false }` (tests, keybinding args) → no prompt at all.
 */
function readArgs(arg: unknown): TaskArgs {
  if (typeof arg === 'string') return { alias: arg, confirm: false };
  const base = nodeAlias(arg);
  if (!arg || typeof arg !== 'object') return base;
  const a = arg as { app?: unknown; target?: unknown; confirm?: unknown };
  return {
    ...base,
    app: typeof a.app === 'string' ? a.app : undefined,
    target: typeof a.target === 'string' ? a.target : undefined,
    confirm: typeof a.confirm === 'boolean' ? a.confirm : undefined,
  };
}

/**
 * Runs manage.py subcommands as tasks; at most one per (project, physical database) at a time: aliases that reach
 * the same database, or mirror another, share a lock (migrateLockKey).
 */
export class ManagePyRunner {
  private readonly running = new Set<string>();
  private seq = 0;

  constructor(private readonly svc: Services) {}

  isRunning(p: DjangoProject, alias: string): boolean {
    return this.running.has(migrateLockKey(p.index ?? null, p.root, alias));
  }

  /** Resolves with the process exit code when the task ends. */
  async run(p: DjangoProject, alias: string, args: string[], label: string, lock = true): Promise<number | undefined> {
    const key = migrateLockKey(p.index ?? null, p.root, alias);
    if (lock) {
      if (this.running.has(key)) throw new Error(`A manage.py command is already running on '${alias}'.`);
      this.running.add(key);
    }
    try {
      const cfg = readConfig(p.folder);
      const python = await resolveInterpreter(p.folder, p.root, cfg.pythonPath, this.svc.log);
      // what manage.py sees in a terminal: the process environment over the project's env file (the core's rule)
      const env: Record<string, string> = Object.fromEntries(Object.entries(projectEnvironment(process.env, readEnvFile(envFileOf(p.root, cfg.envFile), this.svc.log))).filter((e): e is [string, string] => typeof e[1] === 'string'));
      if (cfg.settingsModule) env.DJANGO_SETTINGS_MODULE = cfg.settingsModule;
      // (django-configurations: the class the views show; manage.py's setdefault leaves it as it is)
      if (cfg.configuration) env.DJANGO_CONFIGURATION = cfg.configuration;
      const runId = `${Date.now()}-${++this.seq}`;
      const definition = { type: TASK_TYPE, command: args[0] ?? '', alias, runId };
      // an argument vector, no shell: no value (an alias, a path with an apostrophe) is ever parsed as a command
      const spec = managePyProcess(python.command, p.managePy, args);
      const execution = new vscode.ProcessExecution(spec.process, spec.args, { cwd: p.root, env });
      const task = new vscode.Task(definition, p.folder, label, 'Django Multi-DB', execution, []);
      task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, showReuseMessage: false };
      // env values are not logged: an env file may hold secrets
      this.svc.log.info(`running ${python.command} (${python.source}) ${path.basename(p.managePy)} ${args.join(' ')} in ${p.root}`);
      const ended = new Promise<number | undefined>(resolve => {
        let done = false;
        const subs: vscode.Disposable[] = [];
        const finish = (code: number | undefined) => {
          if (done) return;
          done = true;
          subs.forEach(d => d.dispose());
          resolve(code);
        };
        const mine = (e: { execution: vscode.TaskExecution }) => (e.execution.task.definition as { runId?: string }).runId === runId;
        subs.push(
          vscode.tasks.onDidEndTaskProcess(e => mine(e) && finish(e.exitCode)),
          // a task whose process never started ends without an exit code
          vscode.tasks.onDidEndTask(e => mine(e) && setTimeout(() => finish(undefined), 500)),
        );
      });
      await vscode.tasks.executeTask(task);
      const code = await ended;
      this.svc.log.info(`${args.join(' ')} ended with exit code ${code ?? 'unknown'}`);
      return code;
    } finally {
      if (lock) this.running.delete(key);
    }
  }
}

function untrusted(alias: string, what: string): MigrateResult {
  void vscode.window
    .showWarningMessage(
      `Django Multi-DB: ${what} runs manage.py, which executes the project's code. This workspace is in Restricted Mode; trust it to run commands.`,
      'Manage Workspace Trust',
    )
    .then(pick => pick && vscode.commands.executeCommand('workbench.trust.manage'));
  return { alias, status: 'untrusted', message: 'Restricted Mode: nothing was run.' };
}

/** Migrations reachable backwards (dependencies) from `keys`, with `__first__`/`__latest__` resolved loosely. */
function ancestors(index: ProjectIndex, keys: string[]): Set<string> {
  const byKey = new Map(index.migrations.map(m => [m.key, m]));
  const byApp = new Map<string, MigrationFileInfo[]>();
  for (const m of index.migrations) byApp.set(m.app, [...(byApp.get(m.app) ?? []), m]);
  const out = new Set<string>();
  const stack = [...keys];
  while (stack.length) {
    const k = stack.pop()!;
    if (out.has(k)) continue;
    out.add(k);
    for (const [app, name] of byKey.get(k)?.dependencies ?? []) {
      if (name === '__first__' || name === '__latest__') {
        const list = byApp.get(app) ?? [];
        const picked = name === '__latest__' ? list : list.filter(m => !m.dependencies.some(([a]) => a === app));
        stack.push(...picked.map(m => m.key));
      } else stack.push(`${app}.${name}`);
    }
  }
  return out;
}

/** What `migrate --database=alias [app [target]]` would apply, from the alias's plan (Django's --plan is exact). */
export function previewPlan(index: ProjectIndex, alias: string, app?: string, target?: string): { apply: string[]; unapply: string[] } {
  const plan = index.plans[alias] ?? [];
  if (!app) return { apply: plan, unapply: [] };
  const appMigrations = index.migrations.filter(m => m.app === app);
  if (target === 'zero') {
    const applied = index.applied[alias]?.appliedKeys;
    return { apply: [], unapply: appMigrations.filter(m => applied?.has(m.key)).map(m => m.key).reverse() };
  }
  const goal = target ? [`${app}.${target}`] : appMigrations.map(m => m.key);
  const needed = ancestors(index, goal);
  const apply = plan.filter(k => needed.has(k));
  const applied = index.applied[alias]?.appliedKeys;
  const unapply = target ? appMigrations.filter(m => applied?.has(m.key) && !needed.has(m.key)).map(m => m.key).reverse() : [];
  return { apply, unapply };
}

export const registerMigrate: Feature = (svc: Services) => {
  const runner = new ManagePyRunner(svc);

  /** A database that did not answer the last read: migrate could only fail; what can help is offered instead. */
  const refuseUnreachable = (p: DjangoProject, alias: string): MigrateResult | null => {
    const st = p.index?.applied[alias];
    if (!st || st.reachable) return null;
    void vscode.window.showWarningMessage(`Django Multi-DB: '${alias}' is unreachable (${st.error ?? 'no answer'}): migrate would fail.`, 'Retry Connection', 'Set Database Password…')
      .then(pick => pick === 'Retry Connection' ? svc.projects.refreshNow(p, { state: true })
        : pick ? vscode.commands.executeCommand(Cmd.setDatabasePassword, { root: p.root, alias }) : undefined);
    svc.log.info(`migrate --database=${alias} not run: the last read found it unreachable (${st.error ?? 'no answer'})`);
    return { alias, status: 'refused', message: `'${alias}' is unreachable` };
  };

  const migrateOne = async (p: DjangoProject, alias: string, app: string | undefined, target: string | undefined): Promise<MigrateResult> => {
    const refused = refuseUnreachable(p, alias);
    if (refused) return refused;
    if (runner.isRunning(p, alias)) {
      void vscode.window.showWarningMessage(`Django Multi-DB: migrate is already running on '${alias}' (or on an alias of the same database).`);
      svc.log.info(`migrate --database=${alias} not run: a migrate is already running on it (or on an alias of the same database)`);
      return { alias, status: 'refused', message: `already running on '${alias}'` };
    }
    const args = migrateArgs({ alias, app, target });
    const code = await runner.run(p, alias, args, `migrate --database=${alias}${app ? ` ${app}` : ''}${target ? ` ${target}` : ''}`);
    await svc.projects.refreshNow(p, { state: true });
    const pendingAfter = p.index ? pendingCount(p.index, alias) : null;
    if (code === 0) {
      void vscode.window.showInformationMessage(`Django Multi-DB: migrated '${alias}'${pendingAfter !== null ? ` — ${pendingAfter} pending now` : ''}.`);
      return { alias, status: 'ok', exitCode: 0, args, pendingAfter };
    }
    void vscode.window.showErrorMessage(`Django Multi-DB: migrate --database=${alias} failed (exit code ${code ?? 'unknown'}). See the task's terminal.`);
    return { alias, status: 'failed', exitCode: code, args, pendingAfter };
  };

  const previewText = (index: ProjectIndex, alias: string, app?: string, target?: string): { count: number; detail: string } => {
    const { apply, unapply } = previewPlan(index, alias, app, target);
    const model = buildPendingModel(index, { project: '', trusted: true });
    const col = model.aliases.findIndex(a => a.alias === alias);
    const rows = new Map(model.migrations.map(r => [r.key, r]));
    const line = (k: string, i: number) => {
      const r = rows.get(k);
      const note = r?.notes[col];
      const marks = [note ? (r?.effects[col] === 's' || r?.effects[col] === 'n' ? `${note.tag}: only recorded` : note.tag) : '', r?.replaces.length ? 'squashed' : '', r?.conflict ? 'conflict' : ''].filter(Boolean);
      return `${i + 1}. ${k}${marks.length ? ` (${marks.join(', ')})` : ''}`;
    };
    // one line first: how many migrations change the database and how many are only recorded there
    const recorded = apply.filter(k => { const e = rows.get(k)?.effects[col]; return e === 's' || e === 'n'; }).length;
    const summary = apply.length
      ? `${apply.length - recorded} to apply with operations, ${recorded} only recorded (their operations do not run on '${alias}')${unapply.length ? `; ${unapply.length} to unapply` : ''}.`
      : '';
    const lines = [
      ...(unapply.length ? ['Unapply:', ...unapply.slice(0, 15).map(line)] : []),
      ...(apply.length ? [unapply.length ? 'Apply:' : '', ...apply.slice(0, 25).map(line)] : []),
    ].filter(Boolean);
    const more = apply.length > 25 ? [`… and ${apply.length - 25} more`] : [];
    const note = app ? ["The list is derived from the plan; Django's --plan output is exact."] : [];
    return { count: apply.length + unapply.length, detail: [...(summary ? [summary, ''] : []), ...lines, ...more, '', ...note].join('\n') };
  };

  const confirmRun = async (p: DjangoProject, index: ProjectIndex, alias: string, app?: string, target?: string): Promise<boolean> => {
    for (;;) {
      const { count, detail } = previewText(index, alias, app, target);
      // (a database not read, or whose read failed: no plan says there is nothing to apply)
      const read = index.applied[alias]?.reachable === true;
      const title = count
        ? `Migrate '${alias}': ${count} migration${count === 1 ? '' : 's'}${app ? ` (${app}${target ? ` → ${target}` : ''})` : ''}?`
        : read ? `Nothing to apply on '${alias}' according to the current plan. Run migrate anyway?`
          : `'${alias}' was not read, so what migrate will apply there is not known. Run migrate anyway?`;
      const pick = await vscode.window.showInformationMessage(title, { modal: true, detail }, 'Migrate', "Show Django's --plan");
      if (pick === 'Migrate') return true;
      if (pick !== "Show Django's --plan") return false;
      await runner.run(p, alias, migrateArgs({ alias, app, target, plan: true }), `migrate --plan --database=${alias}`);
    }
  };

  return [
    registerCommand(svc, Cmd.migrateDatabase, async (arg?: unknown): Promise<MigrateResult> => {
      const a = readArgs(arg);
      if (!svc.projects.trusted) return untrusted(a.alias ?? '', 'Migrate database');
      const p = await svc.projects.pick(a.root);
      const index = await svc.projects.ensureIndex(p);
      const alias = a.alias ?? (await svc.projects.pickAlias(p, 'Migrate database…'));
      if (!aliasesOf(index).includes(alias)) throw new Error(`'${alias}' is not in settings.DATABASES.`);
      // said right after the alias is chosen, not after an app pick and a preview of a plan that was never read
      const refused = refuseUnreachable(p, alias);
      if (refused) return refused;
      let app = a.app;
      let target = a.target;
      // app and target are asked only from the palette; a tree item or the webview already chose the alias
      if (a.confirm !== false && !a.alias && !a.app) {
        const apps = [...new Set(index.migrations.map(m => m.app))].sort();
        const plan = index.plans[alias] ?? [];
        const appPick = orCancel(
          await vscode.window.showQuickPick(
            [
              { label: '$(database) All apps', description: aliasStatusText(index, alias), app: undefined as string | undefined },
              ...apps.map(x => {
                const n = plan.filter(k => k.startsWith(`${x}.`)).length;
                return { label: x, description: n ? `${n} pending` : '', app: x as string | undefined };
              }),
            ],
            // a step of a multi-step flow: a view refreshing beside it (the pending webview) must not cancel it
            { title: `Migrate '${alias}': which app?`, placeHolder: 'All apps, or one app (then a target migration)', ignoreFocusOut: true },
          ),
          'the app pick',
        );
        app = appPick.app;
        if (app) {
          const applied = index.applied[alias]?.appliedKeys;
          const names = index.migrations.filter(m => m.app === app).sort((x, y) => (x.name < y.name ? -1 : 1));
          const t = orCancel(
            await vscode.window.showQuickPick(
              [
                { label: '$(arrow-up) Latest', description: `every migration of ${app}`, target: undefined as string | undefined },
                ...names.reverse().map(m => ({ label: m.name, description: applied ? (applied.has(m.key) ? 'applied' : 'pending') : '', target: m.name as string | undefined })),
                { label: '$(discard) zero', description: `unapply every migration of ${app}`, target: 'zero' as string | undefined },
              ],
              { title: `Migrate '${alias}' ${app} to…`, placeHolder: 'Target migration (migrating backwards unapplies later ones)', ignoreFocusOut: true },
            ),
            'the target pick',
          );
          target = t.target;
        }
      }
      // a caller (the webview, a keybinding, a test) may pass anything: only an app of the index and one of its
      // migrations (or zero) reach manage.py
      const checked = checkMigrateTarget(index, app, target);
      if (!checked.ok) {
        void vscode.window.showErrorMessage(`Django Multi-DB: ${checked.message}`);
        return { alias, status: 'refused', message: checked.message };
      }
      target = checked.target;
      if (a.confirm !== false && !(await confirmRun(p, index, alias, app, target))) throw new Cancelled('the plan preview');
      return migrateOne(p, alias, app, target);
    }),

    registerCommand(svc, Cmd.migrateAllDatabases, async (arg?: unknown): Promise<{ results: MigrateResult[]; stoppedAt: string | null; skipped?: string[] }> => {
      const a = readArgs(arg);
      if (!svc.projects.trusted) return { results: [untrusted('', 'Migrate all databases')], stoppedAt: null };
      const p = await svc.projects.pick(a.root);
      await svc.projects.refreshNow(p, { state: true });
      const index = await svc.projects.ensureIndex(p);
      // DATABASES order, like running `migrate --database=<alias>` for each alias by hand, once per physical
      // database: an alias of the same database, or a mirror (replica), is served by its primary's run
      const { aliases, skipped } = migrateAllPlan(index);
      const skippedText = skipped.map(s => `${s.alias}: ${s.why === 'mirror' ? `mirror of ${s.via} (${s.by})` : `same database as ${s.via}`}, not migrated separately`);
      if (skipped.length) svc.log.info(`migrate all: ${skippedText.join('; ')}`);
      if (!aliases.length) {
        void vscode.window.showInformationMessage('Django Multi-DB: every database is up to date.');
        return { results: [], stoppedAt: null, skipped: skipped.map(s => s.alias) };
      }
      if (a.confirm !== false) {
        const detail = [...aliases.map(alias => `${alias}: ${aliasStatusText(index, alias)}`), ...skippedText].join('\n');
        const pick = await vscode.window.showInformationMessage(`Migrate ${aliases.length} database${aliases.length === 1 ? '' : 's'} in DATABASES order?`, { modal: true, detail: `${detail}\n\nStops at the first failure.` }, 'Migrate All');
        if (pick !== 'Migrate All') throw new Cancelled();
      }
      const results: MigrateResult[] = [];
      for (const alias of aliases) {
        const r = await migrateOne(p, alias, undefined, undefined);
        results.push(r);
        if (r.status !== 'ok') return { results, stoppedAt: alias, skipped: skipped.map(s => s.alias) };
      }
      return { results, stoppedAt: null, skipped: skipped.map(s => s.alias) };
    }),

    registerCommand(svc, Cmd.showMigrations, async (arg?: unknown): Promise<MigrateResult> => {
      const a = readArgs(arg);
      if (!svc.projects.trusted) return untrusted(a.alias ?? '', 'Show migrations');
      const p = await svc.projects.pick(a.root);
      const alias = a.alias ?? (await svc.projects.pickAlias(p, 'Show migrations for database…'));
      const args = ['showmigrations', `--database=${alias}`];
      const code = await runner.run(p, alias, args, `showmigrations --database=${alias}`, false);
      return { alias, status: code === 0 ? 'ok' : 'failed', exitCode: code, args };
    }),
  ];
};
