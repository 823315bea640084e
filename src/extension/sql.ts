// "Show SQL of Migration…": what `manage.py sqlmigrate APP NAME --database ALIAS` prints, asked through the
// read-only Django helper with the project's interpreter. Used by the command (an untitled `sql` document) and by
// the pending-migrations panel (shown inline). Needs a trusted workspace and a mode other than `static`.
import * as vscode from 'vscode';
import { DjangoHelperError, sqlForMigration } from '../core/django';
import { Cmd, orCancel, registerCommand } from './commands';
import { failureKindOf, failureSentence, sqlAvailability } from './model/django';
import type { DjangoProject } from './project';
import { envFileOf, projectEnvironment, readEnvFile } from '../core/env/env-file';
import { resolveInterpreter } from './python';
import type { Feature, Services } from './services';
import { nodeAlias } from './tree';

/** The SQL of one migration on one alias. Throws an Error with a sentence the user can act on. */
export async function migrationSql(svc: Services, p: DjangoProject, alias: string, key: string): Promise<string> {
  const avail = sqlAvailability(svc.projects.trusted, p.django.effective);
  if (!avail.available) throw new Error(avail.reason ?? 'Showing the SQL is not available.');
  const index = await svc.projects.ensureIndex(p);
  const m = index.migrations.find(x => x.key === key);
  if (!m) throw new Error(`Migration ${key} is not in the index.`);
  if (!index.settings?.databases.some(d => d.alias === alias)) throw new Error(`'${alias}' is not in settings.DATABASES.`);
  const python = p.scanner.opts.python ?? (await resolveInterpreter(p.folder, p.root, p.config.pythonPath, svc.log)).command;
  try {
    return await sqlForMigration({
      root: index.root,
      managePy: index.managePy,
      python,
      settingsModule: index.settings.module ?? p.config.settingsModule,
      env: projectEnvironment(process.env, readEnvFile(envFileOf(p.root, p.config.envFile), svc.log)),
      timeoutMs: p.config.djangoTimeoutMs,
      logger: svc.log,
    }, m.app, m.name, alias);
  } catch (e) {
    if (!(e instanceof DjangoHelperError)) throw e;
    const f = e.failure;
    svc.log.error(`sqlmigrate ${m.app} ${m.name} --database=${alias} failed (${f.reason}): ${f.message}${f.traceback ? `\n${f.traceback}` : ''}`);
    const reason = `${f.reason}: ${f.message}`;
    throw new Error(`sqlmigrate ${m.app} ${m.name} --database=${alias}: ${failureSentence(failureKindOf(reason) ?? 'other', reason, Math.round(p.config.djangoTimeoutMs / 1000))}.`);
  }
}

/** Open SQL as an untitled, unsaved `sql` document beside the current editor. */
export async function openSqlDocument(alias: string, key: string, sql: string): Promise<void> {
  const [app, name] = [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
  const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: `-- manage.py sqlmigrate ${app} ${name} --database=${alias}\n${sql.endsWith('\n') ? sql : `${sql}\n`}` });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

interface SqlArgs {
  root?: string;
  alias?: string;
  key?: string;
  /** false: return the SQL without opening a document (tests) */
  open?: boolean;
}

function readArgs(arg: unknown): SqlArgs {
  const base = nodeAlias(arg);
  if (!arg || typeof arg !== 'object') return base;
  const a = arg as { key?: unknown; open?: unknown };
  return { ...base, key: typeof a.key === 'string' ? a.key : undefined, open: typeof a.open === 'boolean' ? a.open : undefined };
}

export const registerSql: Feature = (svc: Services) => [
  registerCommand(svc, Cmd.showMigrationSql, async (arg?: unknown) => {
    const a = readArgs(arg);
    const p = await svc.projects.pick(a.root);
    const avail = sqlAvailability(svc.projects.trusted, p.django.effective);
    if (!avail.available) {
      void vscode.window.showInformationMessage(`Django Multi-DB: ${avail.reason}`);
      return { status: svc.projects.trusted ? 'static' : 'untrusted', message: avail.reason };
    }
    const index = await svc.projects.ensureIndex(p);
    const alias = a.alias ?? (await svc.projects.pickAlias(p, 'Show SQL for database…'));
    let key = a.key;
    if (!key) {
      // pending migrations first (what the user is about to run), then every other migration
      const plan = index.plans[alias] ?? [];
      const planned = new Set(plan);
      const items = [
        ...plan.map(k => ({ label: k, description: 'pending', key: k })),
        ...index.migrations.filter(m => !planned.has(m.key)).map(m => ({ label: m.key, description: index.applied[alias]?.appliedKeys.has(m.key) ? 'applied' : '', key: m.key })),
      ];
      key = orCancel(await vscode.window.showQuickPick(items, { title: `Show SQL on '${alias}'`, placeHolder: 'Migration (sqlmigrate)' })).key;
    }
    const sql = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Django Multi-DB: sqlmigrate ${key} --database=${alias}…` },
      () => migrationSql(svc, p, alias, key),
    );
    if (a.open !== false) await openSqlDocument(alias, key, sql);
    return { status: 'ok', alias, key, sql };
  }),
];
