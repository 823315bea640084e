// The "Django Databases" views: `djangoMultiDb.databases` (alias → app → model) and `djangoMultiDb.models`
// (app → model → alias). Every node keeps its parent so that `getParent` (and so `TreeView.reveal`) works.
import * as vscode from 'vscode';
import type { ModelInfo, RouterDecision } from '../core/types';
import type { ProjectIndex } from '../core/scan';
import { twinsOf } from '../core/scan';
import { Cmd } from './commands';
import { choosesEnvFile } from './envFile';
import type { DjangoProject } from './project';
import { aliasStatusText } from './project';
import {
  STATE_LABEL, aliasesOf, concreteModels, dummyKind, decisionsOf, explainDecision, locLabel, modelState, pendingCount, routerLocation, shortEngine, shortRouter, totalPending,
  tableText, twinText, type ModelState,
} from './model/routing';
import {
  decisionSource, disagreementLabel, disagreementMarkdown, disagreementOf, modeExplanation, modeLabel, modelDisagreements,
} from './model/django';
import type { Feature, Services } from './services';
import { thirdPartyConsequence, thirdPartyMigrations, thirdPartySummary } from './model/thirdParty';

export type Node =
  | { kind: 'project'; id: string; project: DjangoProject; parent?: undefined }
  | { kind: 'alias'; id: string; project: DjangoProject; alias: string; parent?: Node }
  | { kind: 'app'; id: string; project: DjangoProject; app: string; alias?: string; parent?: Node }
  | { kind: 'model'; id: string; project: DjangoProject; model: string; alias?: string; parent: Node }
  | { kind: 'decision'; id: string; project: DjangoProject; model: string; alias: string; parent: Node }
  | { kind: 'message'; id: string; label: string; detail?: string; tooltip?: string; icon?: string; command?: vscode.Command; parent?: Node }
  /** "Third-party migrations" (model/thirdParty.ts): the group, an app of it, a finding of that app */
  | { kind: 'thirdParty'; id: string; project: DjangoProject; app?: string; finding?: number; parent?: Node };

export const VIEW_DATABASES = 'djangoMultiDb.databases';
export const VIEW_MODELS = 'djangoMultiDb.models';

const STATE_ICON: Record<ModelState, [string, string]> = {
  migrates: ['pass-filled', 'charts.green'],
  skipped: ['circle-slash', 'disabledForeground'],
  unknown: ['question', 'list.warningForeground'],
  unmanaged: ['lock', 'disabledForeground'],
  proxy: ['references', 'disabledForeground'],
  swapped: ['arrow-swap', 'disabledForeground'],
};

function icon([name, color]: [string, string]): vscode.ThemeIcon {
  return new vscode.ThemeIcon(name, new vscode.ThemeColor(color));
}

function fileLink(loc: { path: string; line: number } | undefined, root: string): string {
  if (!loc) return '';
  const uri = vscode.Uri.file(loc.path).with({ fragment: `L${loc.line}` });
  return `[${locLabel(loc, root)}](${uri.toString()})`;
}

/**
 * Tooltip text explaining a routing decision (shared by both views and the hovers). `staticIndex`: the static
 * answer the project keeps next to Django's, to say what the static evaluation said where the two disagree.
 */
export function decisionMarkdown(index: ProjectIndex, model: ModelInfo, alias: string, d: RouterDecision | undefined, staticIndex?: ProjectIndex): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const state = modelState(d);
  md.appendMarkdown(`**${model.key}** on \`${alias}\`: **${STATE_LABEL[state]}**\n\n`);
  md.appendMarkdown(`${explainDecision(d, index.root)}\n\n`);
  // Django asks no router for proxy, unmanaged or swapped models (`Operation.allow_migrate_model`)
  const byMeta = d?.reason === 'proxy' || d?.reason === 'unmanaged' || d?.reason === 'swapped';
  if (byMeta) md.appendMarkdown(`Source: the model's \`Meta\`${d?.source === 'django' ? ', as the project\'s own Django reports it' : ''}: no router is asked.\n\n`);
  else if (d?.source === 'django') md.appendMarkdown(`Source: **Django** — \`ConnectionRouter.allow_migrate\` asked by the project's own Django${index.django ? ` ${index.django.django}` : ''}.\n\n`);
  else md.appendMarkdown(`Source: **static analysis** of the router code${index.mode?.reason ? ` (Django not used: ${index.mode.reason})` : ''}.\n\n`);
  const dis = disagreementOf(index, alias, model.key);
  if (dis) {
    const sd = staticIndex && staticIndex !== index ? decisionsOf(staticIndex).get(alias, model.key) : undefined;
    md.appendMarkdown(`$(warning) ${disagreementMarkdown(dis, index.root, sd, model.loc)}\n\n`);
  }
  // the sentence above names the router and its line already; the link is what this adds
  if (d?.decidedBy) md.appendMarkdown(`[Open \`${shortRouter(d.decidedBy)}\`](${vscode.Uri.file(routerLocation(index, d)?.path ?? '').with({ fragment: `L${routerLocation(index, d)?.line ?? 1}` }).toString()})\n\n`);
  else if (d?.reason === 'default' && index.settings?.routers.length) md.appendMarkdown(`Routers asked: ${index.settings.routers.map(r => `\`${shortRouter(r)}\``).join(' → ')}\n\n`);
  md.appendMarkdown(`Table ${tableText(model)} · defined at ${fileLink(model.loc, index.root)}`);
  return md;
}

abstract class BaseTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  protected readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(protected readonly svc: Services) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  dispose(): void {
    this.emitter.dispose();
  }

  getParent(node: Node): Node | undefined {
    return node.parent;
  }

  /** the Databases view (its rows are the aliases): says when the settings configure none */
  protected readonly listsDatabases: boolean = false;

  protected roots(make: (p: DjangoProject, parent?: Node) => Node[]): Node[] {
    const { projects } = this.svc;
    if (!projects.isDiscovered) return [];
    const list = projects.projects;
    if (list.length === 0) return []; // viewsWelcome explains
    if (list.length > 1) return list.map(p => ({ kind: 'project', id: `project:${p.root}`, project: p }));
    const p = list[0]!;
    return this.projectChildren(p, undefined, make);
  }

  protected projectChildren(p: DjangoProject, parent: Node | undefined, make: (p: DjangoProject, parent?: Node) => Node[]): Node[] {
    if (!p.index) {
      if (p.error) return [{ kind: 'message', id: `err:${p.root}`, label: 'Could not index the project', detail: p.error, icon: 'error', parent }];
      return [{ kind: 'message', id: `loading:${p.root}`, label: 'Indexing…', icon: 'loading~spin', parent }];
    }
    const choose: vscode.Command = { command: Cmd.chooseSettingsModule, title: 'Choose Settings Module…', arguments: [{ root: p.root }] };
    if (!p.index.settings) return [{ kind: 'message', id: `nosettings:${p.root}`, label: 'Settings module not found', detail: 'Choose Settings Module…', tooltip: 'No manage.py, WSGI/ASGI entry point, pytest configuration or container file names DJANGO_SETTINGS_MODULE: choose the module the project runs with (djangoMultiDb.settingsModule).', icon: 'warning', command: choose, parent }];
    // settings that set no DATABASES (Django's dummy `default`): the module in use is likely not the one the project
    // runs with (onadata's common.py, which its docker.py and CI settings import)
    const notConfigured: Node[] = this.listsDatabases && p.index.settings.databasesNotConfigured?.kind === 'empty' ? [{
      kind: 'message', id: `noconfig:${p.root}`, label: 'Choose Settings Module…', detail: 'no DATABASES here', icon: 'settings-gear',
      tooltip: `${p.index.settings.module ?? 'The settings module in use'} sets no DATABASES: Django then has only a dummy 'default'. Choose the settings module the project runs with${p.index.settings.databasesNotConfigured.otherModules?.length ? ` (${p.index.settings.databasesNotConfigured.otherModules.slice(0, 3).join(', ')}${p.index.settings.databasesNotConfigured.otherModules.length > 3 ? ', …' : ''} set DATABASES)` : ''}.`,
      command: choose, parent,
    }] : [];
    // a database or router that depends on variables one of the project's env files sets (Flagsmith's analytics
    // database and api/.env-local): the choice of that file, above the aliases
    const envHint = this.listsDatabases ? p.index.findings.find(choosesEnvFile) : undefined;
    const envFile: Node[] = envHint ? [{
      kind: 'message', id: `envfile:${p.root}`, label: 'Choose Env File…', detail: envHint.code === 'settings-unknown' ? 'databases read from a project env file' : 'settings depend on variables an env file sets',
      tooltip: envHint.message, icon: 'symbol-variable', command: { command: Cmd.chooseEnvFile, title: 'Choose Env File…', arguments: [{ root: p.root }] }, parent,
    }] : [];
    // DATABASES / DATABASE_ROUTERS not readable statically: said first, so that an empty or all-unknown tree is not
    // taken for "no databases" or "no routers"
    const unreadable: Node[] = (p.index.settings.unreadable ?? []).map(name => ({
      kind: 'message', id: `unreadable:${p.root}:${name}`, label: `${name} could not be read statically`, detail: 'see Problems',
      tooltip: `${name} could not be evaluated without running the project: what depends on it is unknown. Django mode (djangoMultiDb.mode) asks the project's own Django.`,
      icon: 'warning', command: { command: 'workbench.actions.view.problems', title: 'Show Problems' }, parent,
    }));
    // a module named (manage.py, the setting) that is in neither the workspace nor the environment: nothing is known
    if (p.index.settings.notFound) {
      return [{
        kind: 'message', id: `notfound:${p.root}`, label: `${p.index.settings.module ?? 'The settings module'} not found`, detail: 'Choose Settings Module…', icon: 'warning',
        tooltip: `${p.index.settings.module ?? 'The settings module named'} is in neither the workspace nor the Python environment (a deployment's own file, kept out of version control?): choose the module the project runs with.`,
        command: choose, parent,
      }, ...make(p, parent)];
    }
    return [...notConfigured, ...envFile, ...unreadable, ...make(p, parent)];
  }

  abstract getChildren(node?: Node): Node[];

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(node.project.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('root-folder');
        item.description = node.project.error ? 'error' : undefined;
        item.tooltip = node.project.managePy;
        item.contextValue = 'project';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.detail;
        item.tooltip = node.tooltip ?? node.detail;
        if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
        if (node.command) item.command = node.command;
        item.contextValue = 'message';
        return item;
      }
      case 'alias':
        return this.aliasItem(node);
      case 'app':
        return this.appItem(node);
      case 'model':
        return this.modelItem(node);
      case 'decision':
        return this.decisionItem(node);
      case 'thirdParty':
        return thirdPartyItem(node);
    }
  }

  protected aliasItem(node: Extract<Node, { kind: 'alias' }>): vscode.TreeItem {
    const index = node.project.index!;
    const db = index.settings?.databases.find(d => d.alias === node.alias);
    const st = index.applied[node.alias];
    const pending = pendingCount(index, node.alias);
    const item = new vscode.TreeItem(node.alias, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    const engine = shortEngine(db?.engine);
    let status: string;
    // (the settings set no DATABASES, or this entry has no ENGINE: `'default': {}`)
    const dummy = dummyKind(index, node.alias);
    const noDatabases = dummy === 'no-databases';
    if (dummy) status = noDatabases ? 'not configured' : 'no ENGINE';
    else if (!st) status = this.svc.projects.trusted ? 'not read' : 'restricted';
    else if (!st.reachable) status = 'unreachable';
    else status = pending ? `${pending} pending` : 'up to date';
    const twin = twinText(index, node.alias);
    // what the database holds against routing and its applied migrations (core/drift.ts)
    const drift = index.findings.filter(f => f.alias === node.alias && (f.code === 'schema-drift' || f.code === 'stray-table' || f.code === 'unmanaged-table-missing'));
    const driftText = drift.length ? `${drift.length} drift` : '';
    item.description = `${engine} · ${status}${twin ? ` · ${twin}` : ''}${driftText ? ` · ${driftText}` : ''}`;
    item.iconPath = dummy
      ? icon(['database', 'list.warningForeground'])
      : !st
      ? new vscode.ThemeIcon('database')
      : !st.reachable
        ? icon(['database', 'list.errorForeground'])
        : pending
          ? icon(['database', 'list.warningForeground'])
          : icon(['database', 'charts.green']);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${node.alias}** — \`${db?.engine ?? 'unknown engine'}\`\n\n`);
    if (db?.name) md.appendMarkdown(`NAME: \`${db.name}\`\n\n`);
    if (db?.host) md.appendMarkdown(`HOST: \`${db.host}${db.port ? `:${db.port}` : ''}\`\n\n`);
    const t = twinsOf(index).get(node.alias);
    if (t?.sameAs) md.appendMarkdown(`$(link) Same physical database as \`${t.sameAs}\` (same engine, host, port and name${db?.engine?.includes('sqlite') ? ': the same file' : ''}): one \`django_migrations\` table, so its pending migrations are counted once, on \`${t.sameAs}\`, and "Migrate all databases" migrates it through \`${t.sameAs}\`.\n\n`);
    if (t?.mirrorOf) md.appendMarkdown(`$(mirror) Mirror of \`${t.mirrorOf}\` (\`${t.mirrorBy ?? 'TEST["MIRROR"]'}\`): a replica that gets its schema from \`${t.mirrorOf}\`; its pending migrations are counted there and "Migrate all databases" does not migrate it.\n\n`);
    if (this.svc.secrets.hasOverride(node.project.root, node.alias)) md.appendMarkdown('Connection override from secret storage in use.\n\n');
    if (drift.length) md.appendMarkdown(`$(warning) **Schema drift** (the Problems panel has each):\n\n${drift.slice(0, 5).map(f => `- ${f.message}`).join('\n')}${drift.length > 5 ? `\n- … and ${drift.length - 5} more` : ''}\n\n`);
    md.appendMarkdown(`${aliasStatusText(index, node.alias)}${st?.reachable ? ` · ${st.applied} applied` : ''}\n\n`);
    if (!st && !this.svc.projects.trusted) md.appendMarkdown('Restricted Mode: databases are not read until the workspace is trusted.\n\n');
    if (noDatabases) {
      md.isTrusted = { enabledCommands: [Cmd.chooseSettingsModule] };
      md.appendMarkdown(`$(warning) The settings module in use (\`${index.settings?.module ?? '?'}\`) sets no DATABASES: Django then has only this dummy \`default\`, which nothing can read or migrate. [Choose Settings Module…](command:${Cmd.chooseSettingsModule}?${encodeURIComponent(JSON.stringify([{ root: node.project.root }]))})\n\n`);
    } else if (dummy) {
      md.appendMarkdown(`$(warning) \`${node.alias}\` has no ENGINE: Django gives it the dummy backend (a placeholder entry), which nothing can read or migrate.\n\n`);
    } else if (st && !st.reachable) md.appendMarkdown('No plan: the database did not answer the last read.\n\n');
    // (edX's SQLite file that does not exist yet: nothing was read, every migration is pending, migrate makes it)
    else if (st && !st.exists && db?.engine?.includes('sqlite')) md.appendMarkdown('The database file does not exist yet: `migrate` creates it, so every migration is pending.\n\n');
    else if (st && !st.exists) md.appendMarkdown('The database has no `django_migrations` table yet: nothing was migrated there, so every migration is pending.\n\n');
    else if (st) md.appendMarkdown(`Plan and state from ${index.django?.planSource[node.alias] === 'django' ? '**Django** (MigrationExecutor)' : '**the static analysis** (django_migrations read directly)'}.\n\n`);
    const plan = index.plans[node.alias];
    if (plan?.length) {
      md.appendMarkdown(`Plan (Django's order):\n\n${plan.slice(0, 10).map((k, i) => `${i + 1}. \`${k}\``).join('\n')}\n`);
      if (plan.length > 10) md.appendMarkdown(`\n… and ${plan.length - 10} more`);
    }
    item.tooltip = md;
    // (Django's dummy backend: no migrate, no password, nothing to read; the settings choice when DATABASES is not set)
    item.contextValue = dummy ? `dummyAlias${noDatabases ? '.unconfigured' : ''}` : `alias${pending ? '.pending' : ''}${this.svc.projects.trusted ? '.trusted' : ''}`;
    item.accessibilityInformation = { label: `Database ${node.alias}, ${engine}, ${status}${twin ? `, ${twin}` : ''}` };
    return item;
  }

  protected appItem(node: Extract<Node, { kind: 'app' }>): vscode.TreeItem {
    const index = node.project.index!;
    const item = new vscode.TreeItem(node.app, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon('package');
    const models = concreteModels(index, node.project.config.showUnmanaged).filter(m => m.app === node.app);
    if (node.alias) {
      const n = models.filter(m => decisionsOf(index).get(node.alias!, m.key)?.migrate === true).length;
      item.description = `${n}/${models.length} migrate`;
    } else item.description = `${models.length} model${models.length === 1 ? '' : 's'}`;
    const app = index.apps.find(a => a.label === node.app);
    // Django mode found model changes without a migration (makemigrations --check would fail)
    const missing = index.findings.find(f => f.code === 'missing-migration' && f.app === node.app);
    if (missing) {
      item.description = `${item.description} · changes without a migration`;
      item.iconPath = new vscode.ThemeIcon('package', new vscode.ThemeColor('list.warningForeground'));
    }
    if (app?.installed === 'discovered') {
      item.description = `${item.description} · discovered`;
      item.iconPath = new vscode.ThemeIcon('package', new vscode.ThemeColor('list.warningForeground'));
    }
    // what "n/m migrate" means, on a database's app
    const counted = node.alias ? `\n${item.description?.toString().split(' · ')[0]}: of its ${models.length} model${models.length === 1 ? '' : 's'} with a table, those whose table migrations create on '${node.alias}' (allow_migrate)` : '';
    item.tooltip = app
      ? `${app.module}${app.external ? ' (outside the workspace)' : ''}${counted}${app.installed === 'discovered' ? '\nDiscovered: INSTALLED_APPS could not be evaluated, so this app was found in the workspace (an AppConfig in apps.py or a migrations package) and may not be installed. See the "apps-discovered" finding.' : ''}`
      : `${node.app}${counted}`;
    item.contextValue = 'app';
    return item;
  }

  protected modelItem(node: Extract<Node, { kind: 'model' }>): vscode.TreeItem {
    const index = node.project.index!;
    const model = index.models.find(m => m.key === node.model)!;
    const item = new vscode.TreeItem(model.name, node.alias ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    if (node.alias) {
      const d = decisionsOf(index).get(node.alias, model.key);
      const state = modelState(d);
      const dis = disagreementOf(index, node.alias, model.key);
      item.description = dis ? `${STATE_LABEL[state]} ${disagreementLabel(dis)}` : STATE_LABEL[state];
      item.iconPath = icon(STATE_ICON[state]);
      item.tooltip = decisionMarkdown(index, model, node.alias, d, node.project.staticIndex);
      item.contextValue = `model${routerLocation(index, d) ? '.router' : ''}${dis ? '.disagreement' : ''}`;
      item.accessibilityInformation = { label: `${model.name}: ${STATE_LABEL[state]} on ${node.alias}${dis ? `, ${disagreementLabel(dis)}` : ''}` };
    } else {
      const aliases = aliasesOf(index);
      const n = aliases.filter(a => decisionsOf(index).get(a, model.key)?.migrate === true).length;
      const dis = modelDisagreements(index, model.key);
      item.description = (!model.managed ? 'unmanaged' : model.proxy ? 'proxy' : `migrates on ${n}/${aliases.length}`) + (dis.length ? ` · static differs on ${dis.length}` : '');
      // Django's answer contradicted or completed the static one: a warning-coloured class icon draws the eye
      item.iconPath = dis.length ? new vscode.ThemeIcon('symbol-class', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('symbol-class');
      const source = index.mode?.used === 'django' ? 'routing from Django' : 'routing from the static analysis';
      item.tooltip = `${model.key} · table ${tableText(model).replace(/`/g, '')} · ${locLabel(model.loc, index.root)} · ${source}${dis.length ? `\nThe static evaluation was unknown or wrong on: ${dis.map(x => `${x.alias} ${disagreementLabel(x)}`).join(', ')}` : ''}`;
      item.contextValue = `model${dis.length ? '.disagreement' : ''}`;
    }
    item.command = { command: Cmd.goToModel, title: 'Go to Model', arguments: [node] };
    return item;
  }

  protected decisionItem(node: Extract<Node, { kind: 'decision' }>): vscode.TreeItem {
    const index = node.project.index!;
    const model = index.models.find(m => m.key === node.model)!;
    const d = decisionsOf(index).get(node.alias, node.model);
    const state = modelState(d);
    const item = new vscode.TreeItem(node.alias, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    const dis = disagreementOf(index, node.alias, node.model);
    // three levels deep in a default-width sidebar: the description names who decided (the router in full), the icon
    // and the accessible label carry the state
    const who = d?.decidedBy ? `${state === 'unknown' ? 'unknown · ' : ''}${shortRouter(d.decidedBy)}` : d?.reason === 'default' ? 'allowed by default' : STATE_LABEL[state];
    item.description = `${who}${dis ? ` ${disagreementLabel(dis)}` : ''}`;
    item.accessibilityInformation = { label: `${node.alias}: ${STATE_LABEL[state]}, ${who}${dis ? `, ${disagreementLabel(dis)}` : ''}` };
    item.iconPath = icon(STATE_ICON[state]);
    item.tooltip = decisionMarkdown(index, model, node.alias, d, node.project.staticIndex);
    item.contextValue = `decision${routerLocation(index, d) ? '.router' : ''}${dis ? '.disagreement' : ''}`;
    const loc = routerLocation(index, d);
    if (loc) item.command = { command: Cmd.goToRouter, title: 'Go to Router', arguments: [node] };
    return item;
  }
}

export class DatabasesTree extends BaseTree {
  protected override readonly listsDatabases = true;
  getChildren(node?: Node): Node[] {
    if (!node) return [...this.banners(), ...this.roots((p, parent) => this.aliases(p, parent))];
    switch (node.kind) {
      case 'project':
        return this.projectChildren(node.project, node, (p, parent) => this.aliases(p, parent));
      case 'alias': {
        const index = node.project.index!;
        const models = concreteModels(index, node.project.config.showUnmanaged);
        // the apps with tables on this database first, then those not known statically, then the others (readthedocs'
        // telemetry: the one app that migrates there was under twenty that do not); each group by name
        const decisions = decisionsOf(index);
        const rank = new Map<string, number>();
        for (const m of models) {
          const d = decisions.get(node.alias, m.key)?.migrate;
          rank.set(m.app, Math.min(rank.get(m.app) ?? 2, d === true ? 0 : d === null || d === undefined ? 1 : 2));
        }
        const apps = [...rank.keys()].sort((a, b) => rank.get(a)! - rank.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
        return apps.map(app => ({ kind: 'app', id: `db:${node.project.root}:${node.alias}:${app}`, project: node.project, app, alias: node.alias, parent: node }));
      }
      case 'app': {
        const index = node.project.index!;
        return concreteModels(index, node.project.config.showUnmanaged)
          .filter(m => m.app === node.app)
          .map(m => ({ kind: 'model', id: `${node.id}:${m.name}`, project: node.project, model: m.key, alias: node.alias, parent: node }));
      }
      case 'thirdParty':
        return thirdPartyChildren(node);
      default:
        return [];
    }
  }

  /** What the user can act on before the databases: trust the workspace; a cached answer being refreshed. */
  private banners(): Node[] {
    const out: Node[] = [];
    const list = this.svc.projects.projects;
    if (!list.length) return out;
    if (!this.svc.projects.trusted) {
      // the action is the label: a default-width sidebar cuts a description (the view's message says why)
      out.push({
        kind: 'message', id: 'banner:trust', label: 'Manage Workspace Trust…', icon: 'shield',
        tooltip: 'Restricted Mode: databases are not read and nothing is run until the workspace is trusted.',
        command: { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' },
      });
    }
    // Django's answer asked for but not possible with this interpreter (no Django in it, or no interpreter): the
    // fix is the project's own environment. The Python extension's picker when it is installed (resolveInterpreter
    // follows it), else the setting.
    if (this.svc.projects.trusted) {
      for (const p of list) {
        if (p.django.effective === 'static' || p.django.used !== 'static' || p.django.running) continue;
        if (p.django.failure !== 'django' && p.django.failure !== 'missing-interpreter') continue;
        const python = !!vscode.extensions.getExtension('ms-python.python');
        out.push({
          kind: 'message', id: `banner:python:${p.root}`, label: `Select Python Interpreter…${list.length > 1 ? ` (${p.name})` : ''}`, icon: 'snake',
          tooltip: `Django's own answer (routing, plans) needs the interpreter the project runs with, where Django is installed. ${p.django.failure === 'django' ? 'The one used cannot import Django' : 'No interpreter was found'}; until then the static analysis is shown.`,
          command: python
            ? { command: 'python.setInterpreter', title: 'Select Python Interpreter' }
            : { command: 'workbench.action.openSettings', title: 'Open Settings', arguments: ['djangoMultiDb.pythonPath'] },
        });
      }
    }
    for (const p of list) {
      if (!p.cachedAt) continue;
      // "refreshing" in the label, the date in the tooltip: a long description is cut in a default-width sidebar
      out.push({
        kind: 'message', id: `banner:cached:${p.root}`, label: `Last known state${list.length > 1 ? ` of ${p.name}` : ''} · refreshing…`, icon: 'history',
        tooltip: `Saved ${new Date(p.cachedAt).toLocaleString()} by the last session; the databases are being read again.`,
      });
    }
    return out;
  }

  /** The aliases, then "Third-party migrations" when the environment has apps with migrations. */
  private aliases(p: DjangoProject, parent?: Node): Node[] {
    const nodes: Node[] = aliasesOf(p.index!).map(alias => ({ kind: 'alias', id: `db:${p.root}:${alias}`, project: p, alias, parent }));
    if (thirdPartyMigrations(p.index!)) nodes.push({ kind: 'thirdParty', id: `thirdparty:${p.root}`, project: p, parent });
    return nodes;
  }

  /** The node of an alias (for `reveal`). */
  aliasNode(p: DjangoProject, alias: string): Node {
    const parent: Node | undefined = this.svc.projects.projects.length > 1 ? { kind: 'project', id: `project:${p.root}`, project: p } : undefined;
    return { kind: 'alias', id: `db:${p.root}:${alias}`, project: p, alias, parent };
  }
}

function thirdPartyChildren(node: Extract<Node, { kind: 'thirdParty' }>): Node[] {
  const t = node.project.index && thirdPartyMigrations(node.project.index);
  if (!t || node.finding !== undefined) return [];
  if (node.app === undefined) return t.apps.map(a => ({ kind: 'thirdParty', id: `${node.id}:${a.label}`, project: node.project, app: a.label, parent: node }));
  const app = t.apps.find(a => a.label === node.app);
  return (app?.findings ?? []).map((_, i) => ({ kind: 'thirdParty', id: `${node.id}:${i}`, project: node.project, app: node.app, finding: i, parent: node }));
}

function thirdPartyItem(node: Extract<Node, { kind: 'thirdParty' }>): vscode.TreeItem {
  const t = thirdPartyMigrations(node.project.index!)!;
  const app = node.app === undefined ? undefined : t.apps.find(a => a.label === node.app);
  const f = node.finding === undefined ? undefined : app?.findings[node.finding];
  let item: vscode.TreeItem;
  if (f) {
    item = new vscode.TreeItem(f.migration.slice(f.migration.indexOf('.') + 1), vscode.TreeItemCollapsibleState.None);
    item.description = `${f.title}${f.line ? ` · line ${f.line}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(f.code === 'runpython-alias' && f.misdirected.length ? 'warning' : 'info');
    item.tooltip = new vscode.MarkdownString(`**${f.migration}** — ${thirdPartyConsequence(f)}

${f.message}

Where it runs: ${f.runs}.`);
    item.command = { command: 'vscode.open', title: 'Open Migration', arguments: [vscode.Uri.file(f.path), { selection: new vscode.Range(Math.max(0, (f.line ?? 1) - 1), 0, Math.max(0, (f.line ?? 1) - 1), 0) }] };
    item.contextValue = 'thirdParty.finding';
  } else if (app) {
    item = new vscode.TreeItem(app.module, vscode.TreeItemCollapsibleState.Collapsed);
    item.description = `${app.findings.length} finding${app.findings.length === 1 ? '' : 's'}${app.module !== app.label ? ` · ${app.label}` : ''}`;
    item.iconPath = new vscode.ThemeIcon('package');
    item.tooltip = `${app.module} (app label ${app.label}), installed in the project's environment`;
    item.contextValue = 'thirdParty.app';
  } else {
    item = new vscode.TreeItem('Third-party migrations', t.findings ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = thirdPartySummary(t);
    item.iconPath = new vscode.ThemeIcon('library', t.apps.some(a => a.findings.some(x => x.misdirected.length)) ? new vscode.ThemeColor('list.warningForeground') : undefined);
    item.tooltip = new vscode.MarkdownString('The migrations of the apps installed in the project\'s environment (packages), read with the same lints as ' +
      'the project\'s own (`check --include-environment` on the command line). They run on your databases when you `migrate`, ' +
      'but they are the package\'s to fix, so they are listed here and not in the Problems panel.');
    item.contextValue = 'thirdParty';
  }
  item.id = node.id;
  return item;
}

export class ModelsTree extends BaseTree {
  getChildren(node?: Node): Node[] {
    if (!node) return this.roots((p, parent) => this.apps(p, parent));
    switch (node.kind) {
      case 'project':
        return this.projectChildren(node.project, node, (p, parent) => this.apps(p, parent));
      case 'app':
        return concreteModels(node.project.index!, node.project.config.showUnmanaged)
          .filter(m => m.app === node.app)
          .map(m => ({ kind: 'model', id: `${node.id}:${m.name}`, project: node.project, model: m.key, parent: node }));
      case 'model':
        return aliasesOf(node.project.index!).map(alias => ({ kind: 'decision', id: `${node.id}:${alias}`, project: node.project, model: node.model, alias, parent: node }));
      default:
        return [];
    }
  }

  private apps(p: DjangoProject, parent?: Node): Node[] {
    const apps = [...new Set(concreteModels(p.index!, p.config.showUnmanaged).map(m => m.app))].sort();
    return apps.map(app => ({ kind: 'app', id: `models:${p.root}:${app}`, project: p, app, parent }));
  }
}

/** Plain data of what a tree shows, for tests (`djangoMultiDb.getState`). */
export interface TreeSnapshot {
  label: string;
  description?: string;
  contextValue?: string;
  tooltip?: string;
  children?: TreeSnapshot[];
}

/** `text` cut at a word boundary after at most `max` characters, saying where the rest is. */
function brief(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max).replace(/\s+\S*$/, '');
  return `${cut}… (the whole message is in the log: Django Multi-DB: Show Log)`;
}

function snapshot(tree: BaseTree, node?: Node, depth = 0): TreeSnapshot[] {
  return tree.getChildren(node).map(n => {
    const item = tree.getTreeItem(n);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
    const s: TreeSnapshot = { label, description: typeof item.description === 'string' ? item.description : undefined, contextValue: item.contextValue, tooltip };
    if (item.collapsibleState !== vscode.TreeItemCollapsibleState.None && depth < 4) s.children = snapshot(tree, n, depth + 1);
    return s;
  });
}

export const registerTrees: Feature = (svc: Services) => {
  const databases = new DatabasesTree(svc);
  const models = new ModelsTree(svc);
  const dbView = vscode.window.createTreeView(VIEW_DATABASES, { treeDataProvider: databases, showCollapseAll: true });
  const modelsView = vscode.window.createTreeView(VIEW_MODELS, { treeDataProvider: models, showCollapseAll: true });

  const update = () => {
    databases.refresh();
    models.refresh();
    let total = 0;
    for (const p of svc.projects.projects) if (p.index) total += totalPending(p.index).total;
    dbView.badge = total > 0 ? { value: total, tooltip: `${total} pending migration${total === 1 ? '' : 's'}` } : undefined;
    const list = svc.projects.projects;
    const errors = list.filter(p => p.error).map(p => `${p.name}: ${p.error}`);
    const restricted = !svc.projects.trusted && list.length > 0;
    // why Django is not used although the setting asks for it (Restricted Mode has its own sentence)
    const modeNotes = restricted ? [] : list
      .filter(p => p.django.effective !== 'static' && p.django.used === 'static' && !p.django.running && p.django.failure)
      // (a line or two above the tree: a long traceback message took a third of the view; the log has it whole)
      .map(p => `${list.length > 1 ? `${p.name}: ` : ''}${brief(modeExplanation(p.django, Math.round(p.config.djangoTimeoutMs / 1000)) ?? '', 180)}`);
    // the last resort of the static analysis: say once, above the tree, that the apps are a guess
    const discovered = list
      .filter(p => p.index?.apps.some(a => a.installed === 'discovered'))
      .map(p => `${list.length > 1 ? `${p.name}: ` : ''}INSTALLED_APPS could not be read; showing the apps found in the workspace (marked "discovered").`);
    const notes = [...modeNotes, ...discovered];
    const message = errors.length
      ? `Could not index: ${errors.join('; ')}`
      : restricted
        ? 'Restricted Mode: routing is read from the files (static analysis); databases are not read and nothing is run.'
        : notes.length ? notes.join(' ') : undefined;
    dbView.message = message;
    // the Models view repeats only what concerns it: Restricted Mode and discovered apps, not why Django was not asked
    modelsView.message = restricted ? message : discovered.length ? discovered.join(' ') : undefined;
    // "Django 5.2" / "static" next to the view titles: whose answer the views show
    const labels = [...new Set(list.map(p => modeLabel(p.django)))];
    const description = list.length ? (restricted ? 'static · Restricted Mode' : labels.join(' / ')) : undefined;
    dbView.description = description;
    modelsView.description = description;
  };
  svc.snapshots.set('databases', () => snapshot(databases));
  svc.snapshots.set('models', () => snapshot(models));
  svc.snapshots.set('badge', () => dbView.badge?.value ?? 0);
  svc.snapshots.set('view', () => ({ description: dbView.description ?? null, message: dbView.message ?? null }));
  // Django mode, per project: which answer is shown, why, and every routing decision with its source
  svc.snapshots.set('django', () => svc.projects.projects.map(p => {
    const index = p.index;
    return {
      project: p.name,
      root: p.root,
      ...p.django,
      lastWarning: p.lastWarning ?? null,
      planSource: index?.django?.planSource ?? {},
      disagreements: (index?.django?.disagreements ?? []).map(d => ({
        kind: d.kind, alias: d.alias ?? null, model: d.model ?? null, migration: d.migration ?? null, note: d.note,
        label: d.kind === 'routing' ? disagreementLabel(d) : null,
      })),
      routing: (index?.routing ?? []).map(d => {
        const x = index && disagreementOf(index, d.alias, d.model);
        return { alias: d.alias, model: d.model, migrate: d.migrate, decidedBy: d.decidedBy, source: decisionSource(d) === 'Django' ? 'django' : 'static', disagreement: x ? disagreementLabel(x) : null };
      }),
    };
  }));

  return [databases, models, dbView, modelsView, svc.projects.onDidChange(update)];
};

/** A tree node (or a plain `{ alias, root }` from a test) as an alias. */
export function nodeAlias(arg: unknown): { alias?: string; root?: string } {
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as { alias?: unknown; root?: unknown; project?: { root?: unknown } };
  return {
    alias: typeof a.alias === 'string' ? a.alias : undefined,
    root: typeof a.root === 'string' ? a.root : typeof a.project?.root === 'string' ? (a.project.root as string) : undefined,
  };
}
