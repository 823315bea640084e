// "Copy Deployment Commands" and "Run Deployment Plan…": the CLI's `plan` (core/deploy.ts) in the editor. The run
// shows the ordered plan first, then migrates each alias through "Migrate Database" (a visible task each), in
// the plan's order, and stops at the first failure. Both need trust: the plan comes from reading the databases.
import * as vscode from 'vscode';
import { deploymentPlan, planToShell, type DeployPlan } from '../core/deploy';
import type { ProjectIndex } from '../core/scan';
import { Cancelled, Cmd, registerCommand } from './commands';
import type { MigrateResult } from './migrate';
import type { DjangoProject } from './project';
import { resolveInterpreter } from './python';
import type { Feature, Services } from './services';
import { nodeAlias } from './tree';

function planOf(p: DjangoProject, index: ProjectIndex): DeployPlan {
  const plan = deploymentPlan({
    databases: index.settings?.databases ?? [], plans: index.plans, applied: index.applied, migrations: index.migrations,
    models: index.models, routing: index.routing, hintRouting: index.hintRouting, baseDir: p.root,
  });
  if (plan.unreachable.length) {
    const names = plan.unreachable.map(u => `'${u.alias}' (${u.error})`).join(', ');
    throw new Error(`Cannot plan the deployment: ${plan.unreachable.length === 1 ? 'database' : 'databases'} ${names} could not be read. Fix the connection or set the password (Set Database Password…), then try again.`);
  }
  return plan;
}

/** The plan of a project with fresh database state, or a message saying why there is none. */
async function freshPlan(svc: Services, arg: unknown, what: string): Promise<{ p: DjangoProject; plan: DeployPlan } | { untrusted: string }> {
  if (!svc.projects.trusted) {
    const message = `${what} reads the databases, which Restricted Mode does not allow: trust the workspace first.`;
    void vscode.window.showWarningMessage(`Django Multi-DB: ${message}`);
    return { untrusted: message };
  }
  const p = await svc.projects.pick(nodeAlias(arg).root);
  await svc.projects.refreshNow(p, { state: true });
  return { p, plan: planOf(p, await svc.projects.ensureIndex(p)) };
}

const stepLine = (s: DeployPlan['steps'][number], i: number) =>
  `${i + 1}. ${s.alias}: ${s.migrations.length} pending${s.after.length ? ` (after ${s.after.map(e => e.alias).join(', ')}: ${s.after[0]!.because.migration} needs ${s.after[0]!.because.dependsOn})` : ''}`;

export const registerDeploy: Feature = svc => [
  registerCommand(svc, Cmd.copyDeploymentCommands, async (arg?: unknown) => {
    const r = await freshPlan(svc, arg, 'Copy Deployment Commands');
    if ('untrusted' in r) return { copied: false, message: r.untrusted };
    const python = r.p.scanner.opts.python ?? (await resolveInterpreter(r.p.folder, r.p.root, r.p.config.pythonPath, svc.log)).command;
    const text = planToShell(r.plan, { python, managePy: 'manage.py', root: r.p.root });
    await vscode.env.clipboard.writeText(text);
    const n = r.plan.steps.length;
    void vscode.window.showInformationMessage(n ? `Django Multi-DB: copied ${n} migrate command${n === 1 ? '' : 's'} (${r.plan.steps.map(s => s.alias).join(' → ')}).` : 'Django Multi-DB: every database is up to date; copied a script that says so.');
    return { copied: true, text, steps: r.plan.steps.map(s => s.alias) };
  }),

  registerCommand(svc, Cmd.runDeploymentPlan, async (arg?: unknown): Promise<{ results: MigrateResult[]; stoppedAt: string | null; message?: string }> => {
    const r = await freshPlan(svc, arg, 'Run Deployment Plan');
    if ('untrusted' in r) return { results: [], stoppedAt: null, message: r.untrusted };
    const { p, plan } = r;
    if (!plan.steps.length) {
      void vscode.window.showInformationMessage('Django Multi-DB: every database is up to date.');
      return { results: [], stoppedAt: null };
    }
    const confirm = !(arg && typeof arg === 'object' && (arg as { confirm?: unknown }).confirm === false);
    if (confirm) {
      const skipped = plan.skipped.filter(s => s.reason !== 'up-to-date').map(s => `${s.alias}: skipped (${s.reason === 'mirror' ? 'mirror of' : 'same database as'} ${s.sameAs})`);
      const cycles = plan.cycles.map(c => `Cross-database needs form a cycle (${c.join(' → ')}): settings order kept.`);
      const pick = await vscode.window.showInformationMessage(
        `Run the deployment plan: migrate ${plan.steps.length} database${plan.steps.length === 1 ? '' : 's'} in this order?`,
        { modal: true, detail: [...plan.steps.map(stepLine), ...skipped, ...cycles, '', 'Each runs as a task; stops at the first failure.'].join('\n') },
        'Run Plan',
      );
      if (pick !== 'Run Plan') throw new Cancelled();
    }
    const results: MigrateResult[] = [];
    for (const step of plan.steps) {
      const res = await vscode.commands.executeCommand<MigrateResult | undefined>(Cmd.migrateDatabase, { root: p.root, alias: step.alias, confirm: false });
      const out = res ?? { alias: step.alias, status: 'failed' as const, message: 'Migrate Database did not run (see the log)' };
      results.push(out);
      if (out.status !== 'ok') return { results, stoppedAt: step.alias };
    }
    return { results, stoppedAt: null };
  }),
];
