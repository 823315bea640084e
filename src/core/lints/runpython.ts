// Lints of migration files for multi-database projects (issue "Migration authoring", item 2), over the Python AST:
//
// - runpython-alias: in a RunPython function (and the helpers of the same module it calls), a query or write that
//   is not bound to `schema_editor.connection.alias`. `migrate --database=other` runs the function with a schema
//   editor of `other`, but `Model.objects.…`, `obj.save()`, `django.db.connection`, `transaction.atomic()` go to
//   the router's choice or `default` (Django's docs, "Data migrations and multiple databases").
// - runpython-model-import: a model imported from an app's models module used in RunPython code instead of the
//   historical model from `apps.get_model(...)`.
// - missing-reverse: RunPython without `reverse_code`, RunSQL without `reverse_sql`: `migrate` backwards stops
//   with IrreversibleError.
//
// The source-level part (`lintMigrationSource`) knows nothing of the project; `migrationLintFindings` gives it
// the apps and the routing (severity) and caches results per file (mtime + size).
import { createHash } from 'crypto';
import * as path from 'path';
import type * as A from '../python/ast';
import { parsePython } from '../python/parse';
import { allStmts, calleeName, calls, childExprs, dotted, stmtParts } from './walk';
import { fileCache } from './file-cache';
import { findMigrationClass } from '../migrations/files';
import { declaredMirror } from '../db/identity';
import { isExternalPath } from '../python/runtime';
import type { AppInfo, DatabaseSetting, Finding, FindingFix, MigrationFileInfo, ModelInfo, RouterDecision, TextEdit } from '../types';

export type MigrationLintCode = 'runpython-alias' | 'runpython-model-import' | 'missing-reverse';

/** A lint of one file, before the project decides its severity. */
export interface RawLint {
  code: MigrationLintCode;
  line: number;
  message: string;
  fix?: FindingFix;
  /** the function the problem is in (RunPython code or a helper it calls) */
  fn?: string;
  /** the line of the RunPython operation whose code this is (runpython-alias: where it runs decides the severity) */
  op?: number;
  /**
   * runpython-alias: where the flagged code goes instead of the database being migrated: the router's choice for
   * a model ("app.Model" as written), or an alias of its own ('default' for transaction.atomic(), django.db.connection)
   */
  goesTo?: { model: string; access?: 'read' | 'write' } | { alias: string };
  /** this lint's own edits in its function's fix (a fix binds every query of the function) */
  edits?: TextEdit[];
  /**
   * the code runs inside `with <call>:` of a context manager not known to bind nothing (kpi's `use_db(alias)`,
   * which sets the thread-local alias its router returns): what the router chooses there is not known statically
   */
  inContext?: string;
  /**
   * the query is the queryset of a `Prefetch(…)`: Django gives it the objects it is attached to as the instance hint,
   * so where no router decides it runs on their database (RapidPro tickets.0086), not on 'default'
   */
  prefetch?: boolean;
  /**
   * the code runs only when the database being migrated is this alias: the function checks
   * `schema_editor.connection.alias` (`if db_alias != "default": return`, frePPLe's common.0014)
   */
  onlyOn?: string;
  /**
   * runpython-model-import: the app whose historical model the advice names, which this migration's own
   * dependencies do not name: the advice holds only if no migration it depends on (transitively) is of that app
   */
  needsApp?: string;
  /** runpython-model-import: the class imported (its module and name), to tell it is a model at all */
  imported?: { module: string; name: string };
}

/** The words for "the router's choice" in a raw lint, replaced by the alias when the project tells it. */
export const ROUTER_CHOICE_WORDS = '(`default` without routers)';
/** The model a RunPython function's `User = get_user_model()` queries: settings.AUTH_USER_MODEL of today. */
export const USER_MODEL = 'get_user_model()';
/** The historical model `apps.get_model(settings.AUTH_USER_MODEL)` names (etools last_mile.0009) */
export const USER_MODEL_SETTING = 'settings.AUTH_USER_MODEL';
/** Whether a model label of a lint is the user model (routed as settings.AUTH_USER_MODEL names it). */
export function isUserModelLabel(label: string): boolean {
  return label === USER_MODEL || label === USER_MODEL_SETTING;
}

// QuerySet methods Django's Manager proxies (django/db/models/manager.py BaseManager._get_queryset_methods) that
// hit the database or build a query; `.using()` after the manager is right for all of them.
const QUERYSET_METHODS = new Set([
  'all', 'filter', 'exclude', 'get', 'create', 'get_or_create', 'update_or_create', 'bulk_create', 'bulk_update',
  'update', 'delete', 'count', 'exists', 'first', 'last', 'latest', 'earliest', 'in_bulk', 'iterator', 'values',
  'values_list', 'order_by', 'distinct', 'aggregate', 'annotate', 'select_related', 'prefetch_related', 'only',
  'defer', 'raw', 'none', 'select_for_update', 'extra', 'reverse', 'dates', 'datetimes', 'union', 'intersection',
  'difference', 'contains', 'explain', 'alias', 'complex_filter', 'aget', 'acreate', 'acount', 'aexists', 'afirst',
  'alast', 'aupdate', 'adelete', 'abulk_create', 'abulk_update', 'aget_or_create', 'aupdate_or_create', 'aiterator',
]);
const MANAGER_ATTRS = new Set(['objects', '_default_manager', '_base_manager']);
/** QuerySet methods that write (Django routes them with db_for_write); the others read */
const WRITE_METHODS = new Set([
  'create', 'get_or_create', 'update_or_create', 'bulk_create', 'bulk_update', 'update', 'delete', 'select_for_update',
  'acreate', 'aget_or_create', 'aupdate_or_create', 'abulk_create', 'abulk_update', 'aupdate', 'adelete',
]);
/** attributes of a model class that are not managers */
const NOT_MANAGERS = new Set(['_meta', 'DoesNotExist', 'MultipleObjectsReturned', '__name__', '__class__', '__module__']);
const INSTANCE_WRITES = new Set(['save', 'delete', 'refresh_from_db', 'asave', 'adelete', 'arefresh_from_db']);

interface ModuleCtx {
  file: string;
  lines: string[];
  functions: Map<string, A.FunctionDef>;
  /** local name → "module.Name" of a class imported from an app's models module */
  importedModels: Map<string, { module: string; name: string; line: number; inFunction?: boolean; userModel?: boolean; registry?: { via: string; label: string } }>;
  /** local names of Django's global app registry (`from django.apps import apps as global_apps`) */
  registry: Set<string>;
  /** local names of modules `x.models` imported with `import x.models` (root name → dotted) */
  modelModules: Set<string>;
  connection: Set<string>;
  connections: Set<string>;
  transaction: Set<string>;
  atomic: Set<string>;
  callCommand: Set<string>;
  defaultAlias: Set<string>;
  out: RawLint[];
  seen: Set<string>;
  /** the line of the RunPython operation being analysed */
  op: number | null;
  /** the migration's own dotted module (relative imports) */
  ownModule: string;
  /** the app labels the Migration's dependencies name (null: not all readable) */
  depApps: Set<string> | null;
  /** `with <call>:` blocks of the function being analysed: lines, and the call as written */
  contexts: { line: number; endLine: number; text: string }[];
  /** inside the queryset argument of a Prefetch(…) (RawLint.prefetch) */
  prefetch: number;
  /** lines of the function being analysed that run only when migrating `alias` (aliasGuards) */
  guards: AliasGuard[];
}

/** Lines [line, endLine] of a function that run only when the database being migrated is `alias`. */
interface AliasGuard { line: number; endLine: number; alias: string }

interface FnEnv {
  apps: string | null;
  se: string | null;
  /** names holding the alias (`db_alias = schema_editor.connection.alias`, or a helper's parameter) */
  alias: Set<string>;
  /** names holding a model class, with what to call it in messages */
  models: Map<string, string>;
  /** names holding an instance built with `Model(...)`: no database yet, save() goes to the router/default */
  instances: Map<string, string>;
  /** names holding a model's manager (`sources = TimetableDataSource.objects`), with the model's name */
  managers?: Map<string, string>;
  /** loop names over literal strings (`for name in ("Course", "CourseRun"):`), with those strings */
  strings?: Map<string, string[]>;
  /** the RunPython function this one is (or is called from), in words: "forward function forwards" */
  root: string;
  /** a helper called where the caller runs only when migrating this alias */
  onlyOn?: string;
}

/** Lint one migration file's source. `appModules`: dotted module → app label, to name historical models in fixes. */
export function lintMigrationSource(source: string, file: string, appModules: Map<string, string> = new Map(), ownModule = ''): RawLint[] {
  const mod = parsePython(source, file);
  const ctx: ModuleCtx = {
    file, lines: source.split('\n'), functions: new Map(), importedModels: new Map(), registry: new Set(), modelModules: new Set(),
    connection: new Set(), connections: new Set(), transaction: new Set(), atomic: new Set(), callCommand: new Set(),
    defaultAlias: new Set(), out: [], seen: new Set(), op: null, ownModule, depApps: null, contexts: [], prefetch: 0, guards: [],
  };
  for (const s of mod.body) {
    if (s.type === 'FunctionDef') ctx.functions.set(s.name, s);
    else if (s.type === 'ImportFrom') readImportFrom(ctx, s, ownModule);
    else if (s.type === 'Import') for (const a of s.names) if (a.name.endsWith('.models') && !a.asname && !a.name.startsWith('django.db')) ctx.modelModules.add(a.name.split('.')[0]!);
  }
  todaysModelBindings(ctx, mod.body, false);
  const migration = findMigrationClass(mod.body);
  if (!migration) return [];
  ctx.depApps = dependencyApps(migration);
  // functions defined in `class Migration` itself, passed to RunPython there by their bare name
  for (const s of migration.body) if (s.type === 'FunctionDef' && !ctx.functions.has(s.name)) ctx.functions.set(s.name, s);
  // RunPython/RunSQL anywhere in the module: operations lists are also built by functions (per Django version) or
  // module constants, not only written in `Migration.operations`
  for (const s of allStmts(mod.body)) for (const e of stmtParts(s).exprs) for (const call of calls(e)) operation(ctx, call, appModules);
  return ctx.out;
}

/** The app labels of `dependencies = [("app", "0001_x"), migrations.swappable_dependency(...)]` (null: unreadable). */
function dependencyApps(migration: A.ClassDef): Set<string> | null {
  for (const s of migration.body) {
    if (s.type !== 'Assign' || !s.targets.some(t => t.type === 'Name' && t.id === 'dependencies')) continue;
    if (s.value.type !== 'List' && s.value.type !== 'Tuple') return null;
    const out = new Set<string>();
    for (const e of s.value.elts) {
      const first = (e.type === 'Tuple' || e.type === 'List') ? e.elts[0] : null;
      if (first?.type === 'Constant' && typeof first.value === 'string') out.add(first.value);
      else if (e.type === 'Call' && ['swappable_dependency', 'dependency'].includes(calleeName(e.func) ?? '')) out.add('*');
      else return null;
    }
    return out;
  }
  return new Set();
}

function readImportFrom(ctx: ModuleCtx, s: A.ImportFrom, ownModule: string, inFunction = false): void {
  const m = s.module ?? '';
  if (s.level === 0 && m === 'django.apps') for (const a of s.names) if (a.name === 'apps') ctx.registry.add(a.asname ?? a.name);
  if (s.level === 0 && (m === 'django.db' || m === 'django.db.transaction' || m === 'django.core.management' || m === 'django.db.utils')) {
    for (const a of s.names) {
      const local = a.asname ?? a.name;
      if (m === 'django.db.transaction') { if (a.name === 'atomic') ctx.atomic.add(local); continue; }
      if (a.name === 'connection') ctx.connection.add(local);
      else if (a.name === 'connections') ctx.connections.add(local);
      else if (a.name === 'transaction') ctx.transaction.add(local);
      else if (a.name === 'call_command') ctx.callCommand.add(local);
      else if (a.name === 'DEFAULT_DB_ALIAS') ctx.defaultAlias.add(local);
    }
    return;
  }
  // `from shop.models import Order`, `from ..models import Order`, `from shop.models.order import Order` (a models
  // package's submodule, onadata): a model class of today, not the historical one
  if (!m.split('.').includes('models') || m.startsWith('django.db')) return;
  let module = m;
  if (s.level > 0) {
    const base = ownModule.split('.');
    module = [...base.slice(0, Math.max(0, base.length - s.level)), m].filter(Boolean).join('.');
  }
  for (const a of s.names) {
    if (a.name === '*' || !/^[A-Z]/.test(a.name)) continue;
    ctx.importedModels.set(a.asname ?? a.name, { module, name: a.name, line: s.line, ...(inFunction ? { inFunction } : {}) });
  }
}


function kw(c: A.Call, name: string): A.Expr | undefined {
  return c.keywords.find(k => k.arg === name)?.value;
}

function isNone(e: A.Expr | undefined): boolean {
  return !!e && ((e.type === 'Constant' && e.value === null) || (e.type === 'Name' && e.id === 'None'));
}

// ---- operations -------------------------------------------------------------------------------------

function operation(ctx: ModuleCtx, c: A.Call, appModules: Map<string, string>): void {
  const kind = calleeName(c.func);
  if (kind !== 'RunPython' && kind !== 'RunSQL') return;
  const prefix = c.func.type === 'Attribute' ? `${dotted(c.func) ?? kind}` : kind;
  const reverseName = kind === 'RunPython' ? 'reverse_code' : 'reverse_sql';
  const reverse = kw(c, reverseName) ?? c.args[1];
  if (!reverse || isNone(reverse)) missingReverse(ctx, c, kind, prefix, reverseName);
  if (kind !== 'RunPython') return;
  ctx.op = c.line;
  for (const [i, fnExpr] of [kw(c, 'code') ?? c.args[0], reverse].entries()) {
    if (!fnExpr || isNone(fnExpr)) continue;
    const role = i === 0 ? 'forward' : 'reverse';
    if (fnExpr.type === 'Name') {
      const fn = ctx.functions.get(fnExpr.id);
      if (fn) analyzeFunction(ctx, fn, runPythonEnv(fn.args, `${role} function ${fn.name}`), appModules, `${role} function ${fn.name}`);
    } else if (fnExpr.type === 'Lambda') {
      const env = runPythonEnv(fnExpr.args, `${role} lambda`);
      walkExpr(ctx, fnExpr.body, env, appModules, null, `${role} lambda`);
    }
  }
}

function missingReverse(ctx: ModuleCtx, c: A.Call, kind: string, prefix: string, reverseName: string): void {
  const edits: TextEdit[] = [];
  // `RunPython(forwards, None)`: the None is the reverse, given positionally; it is replaced (a keyword beside it
  // would be the same argument twice: TypeError, AWX main.0081)
  const given = c.args[1] ?? kw(c, reverseName);
  const positional = given && isNone(given) ? rangeOf(ctx, given) : null;
  if (positional) edits.push({ ...positional, text: `${prefix}.noop` });
  else {
    const last = [...c.args, ...c.keywords.map(k => k.value)].sort((a, b) => a.endLine - b.endLine || (a.endCol ?? 0) - (b.endCol ?? 0)).pop();
    const end = last ? endOf(ctx, last) : null;
    if (end) edits.push({ ...end, endLine: end.line, endCol: end.col, text: `, ${reverseName}=${prefix}.noop` });
  }
  ctx.out.push({
    code: 'missing-reverse', line: c.line,
    message: `${kind} without ${reverseName}: migrating backwards past this migration stops with IrreversibleError on every database. ` +
      `Give it a reverse (${prefix}.noop when undoing needs no work).`,
    ...(edits.length ? { fix: { title: `Add ${reverseName}=${prefix}.noop`, edits } } : {}),
  });
}

function runPythonEnv(args: A.Arguments, root: string): FnEnv {
  const params = [...args.posonly, ...args.args].map(a => a.name);
  return { apps: params[0] ?? null, se: params[1] ?? null, alias: new Set(), models: new Map(), instances: new Map(), root };
}

// ---- functions --------------------------------------------------------------------------------------

interface FnState {
  fn: A.FunctionDef | null;
  env: FnEnv;
  /** problems of this function that a fix binding to db_alias can repair: edits without the db_alias line */
  fixable: { lint: RawLint; edits: TextEdit[] }[];
  /** the name the fix uses for the alias (an existing alias variable, else `db_alias`) */
  aliasName: string;
  needsAliasLine: boolean;
  /** imported model names used here, for the model-import fix */
  importedUsed: Map<string, number>;
  /** imported model names whose own methods are called here (`Parameter.getValue(…)`), with the first method */
  importedMethods: Map<string, string>;
  /** imported model names queried here through a manager */
  importedQueried: Set<string>;
  /** `global_apps.get_model("shop", "Item")` called inline (today's model, from Django's global registry) */
  registryCalls: { call: A.Call; registry: A.Name; label: string }[];
}

function analyzeFunction(ctx: ModuleCtx, fn: A.FunctionDef, env: FnEnv, appModules: Map<string, string>, where: string): void {
  const key = `${fn.name}|${env.apps}|${env.se}|${[...env.alias].join(',')}|${[...env.models.keys()].join(',')}|${env.onlyOn ?? ''}`;
  if (ctx.seen.has(key)) return;
  ctx.seen.add(key);
  // `from shop.models import Order` inside the function (Kolibri device.0003): today's class too
  for (const s of allStmts(fn.body)) if (s.type === 'ImportFrom') readImportFrom(ctx, s, ctx.ownModule, true);
  const outer = ctx.contexts;
  ctx.contexts = [...outer];
  for (const s of allStmts(fn.body)) {
    if (s.type !== 'With') continue;
    for (const item of s.items) {
      const c = item.context;
      if (c.type !== 'Call' || isAtomicRef(ctx, c.func) || (c.func.type === 'Name' && c.func.id === 'open')) continue;
      ctx.contexts.push({ line: s.line, endLine: s.endLine, text: `${dotted(c.func) ?? calleeName(c.func) ?? '…'}(…)` });
    }
  }
  collectBindings(fn.body, env);
  todaysModelBindings(ctx, fn.body, true);
  const outerGuards = ctx.guards;
  ctx.guards = aliasGuards(ctx, fn.body, env);
  const existingAlias = [...env.alias][0];
  const st: FnState = { fn, env, fixable: [], aliasName: existingAlias ?? 'db_alias', needsAliasLine: !existingAlias, importedUsed: new Map(), importedMethods: new Map(), importedQueried: new Set(), registryCalls: [] };
  for (const d of fn.decorators) decorator(ctx, d, st, where);
  const embedded = embeddedAssignments(fn.body);
  for (const s of allStmts(fn.body)) {
    if (s.type === 'Assign' && embedded.has(s)) {
      // `sub = Model.objects.filter(…)[:1]` used only inside other queries (`Subquery(sub)`, `id__in=sub`): it runs
      // as part of them, where they run (Plane 0112)
      for (const t of s.targets) walkExpr(ctx, t, env, appModules, st, where);
      walkArgument(ctx, s.value, env, appModules, st, where);
      continue;
    }
    for (const e of stmtParts(s).exprs) walkExpr(ctx, e, env, appModules, st, where);
  }
  finishFixes(ctx, st);
  modelImportFixes(ctx, st, appModules, where);
  ctx.contexts = outer;
  ctx.guards = outerGuards;
}

/**
 * The parts of a function that run only when migrating one alias: the body of `if <alias> == "x":` (also with
 * `and …`), the else of `if <alias> != "x":`, and what follows `if <alias> != "x": return` in the same block,
 * where <alias> is schema_editor.connection.alias or a name holding it and "x" a literal or DEFAULT_DB_ALIAS.
 */
function aliasGuards(ctx: ModuleCtx, body: A.Stmt[], env: FnEnv): AliasGuard[] {
  const out: AliasGuard[] = [];
  /** eq: the test is true only on `alias`; !eq: it is false only there */
  const test = (e: A.Expr): { eq: boolean; alias: string } | null => {
    if (e.type === 'UnaryOp' && e.op === 'not') { const t = test(e.operand); return t && { eq: !t.eq, alias: t.alias }; }
    if (e.type === 'BoolOp') {
      // `a == "x" and …` is true only on x; `a != "x" or …` false only there
      for (const v of e.values) { const t = test(v); if (t && t.eq === (e.op === 'and')) return t; }
      return null;
    }
    if (e.type !== 'Compare' || e.ops.length !== 1) return null;
    const r = e.comparators[0]!;
    const lit = isAliasExpr(e.left, env) && isLiteralAlias(ctx, r) ? r : isAliasExpr(r, env) && isLiteralAlias(ctx, e.left) ? e.left : null;
    if (!lit) return null;
    const op = e.ops[0];
    if (op === '==' || op === 'is') return { eq: true, alias: literalAlias(lit).alias };
    if (op === '!=' || op === 'is not') return { eq: false, alias: literalAlias(lit).alias };
    return null;
  };
  const span = (b: A.Stmt[], alias: string) => { if (b.length) out.push({ line: b[0]!.line, endLine: b[b.length - 1]!.endLine, alias }); };
  const exits = (b: A.Stmt[]) => b.length > 0 && (b[b.length - 1]!.type === 'Return' || b[b.length - 1]!.type === 'Raise');
  const walk = (stmts: A.Stmt[]): void => {
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i]!;
      if (s.type === 'If') {
        const t = test(s.test);
        if (t?.eq) span(s.body, t.alias);
        else if (t) {
          span(s.orelse, t.alias);
          if (exits(s.body)) span(stmts.slice(i + 1), t.alias);
        }
      }
      if (s.type === 'FunctionDef' || s.type === 'ClassDef') continue;
      for (const b of stmtParts(s).blocks) walk(b);
    }
  };
  walk(body);
  return out;
}

/** Names bound in the function: alias variables, models from apps.get_model, instances built from them. */
function collectBindings(body: A.Stmt[], env: FnEnv): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const s of allStmts(body)) {
      // `for model in [Ticket, HistoricalTicket]:` over models bound before: the loop name is each of them
      if (s.type === 'For' && s.target.type === 'Name' && (s.iter.type === 'List' || s.iter.type === 'Tuple') && s.iter.elts.length) {
        const labels = s.iter.elts.map(x => (x.type === 'Name' ? env.models.get(x.id) ?? null : x.type === 'Call' && calleeName(x.func) === 'get_model' ? modelLabel(x) : null));
        if (labels.every((l): l is string => l !== null)) env.models.set(s.target.id, [...new Set(labels)].join(' / '));
        // `for model_name in ("Course", "CourseRun"): apps.get_model("course_metadata", model_name)` (course-discovery)
        const strs = s.iter.elts.map(x => (x.type === 'Constant' && typeof x.value === 'string' ? x.value : null));
        if (strs.every((x): x is string => x !== null)) (env.strings ??= new Map()).set(s.target.id, strs);
        continue;
      }
      if (s.type !== 'Assign') continue;
      const pairs: [A.Expr, A.Expr][] = [];
      for (const t of s.targets) {
        if (t.type === 'Tuple' && s.value.type === 'Tuple' && t.elts.length === s.value.elts.length) t.elts.forEach((x, i) => pairs.push([x, (s.value as A.TupleExpr).elts[i]!]));
        else pairs.push([t, s.value]);
      }
      for (const [t, v] of pairs) {
        if (t.type !== 'Name') continue;
        if (isAliasExpr(v, env)) env.alias.add(t.id);
        else if (v.type === 'Call' && calleeName(v.func) === 'get_model') env.models.set(t.id, modelLabel(v, env) ?? t.id);
        else if (v.type === 'Attribute' && MANAGER_ATTRS.has(v.attr) && v.value.type === 'Name' && env.models.has(v.value.id)) (env.managers ??= new Map()).set(t.id, env.models.get(v.value.id)!);
        else if (v.type === 'Call' && v.func.type === 'Name' && env.models.has(v.func.id) && !mayCarryDatabase(v)) env.instances.set(t.id, env.models.get(v.func.id)!);
      }
    }
  }
}

/**
 * Names bound to today's model classes, read as imported models: `User = get_user_model()` (onadata logger.0023), and
 * a model taken from Django's global app registry.
 */
function todaysModelBindings(ctx: ModuleCtx, body: A.Stmt[], inFunction: boolean): void {
  for (const s of inFunction ? allStmts(body) : body) {
    // `Item = global_apps.get_model("shop", "Item")` with django.apps' registry: today's model too (openedx/ecommerce
    // through Oscar's get_model)
    if (s.type === 'Assign' && s.value.type === 'Call' && s.value.func.type === 'Attribute' && s.value.func.attr === 'get_model'
      && s.value.func.value.type === 'Name' && ctx.registry.has(s.value.func.value.id)) {
      const label = modelLabel(s.value);
      if (label && label !== USER_MODEL_SETTING) {
        const via = `${s.value.func.value.id}.get_model`;
        for (const t of s.targets) {
          if (t.type === 'Name') ctx.importedModels.set(t.id, { module: 'django.apps', name: label.split('.')[1]!, line: s.line, registry: { via, label }, ...(inFunction ? { inFunction } : {}) });
        }
      }
      continue;
    }
    if (s.type !== 'Assign' || s.value.type !== 'Call' || calleeName(s.value.func) !== 'get_user_model' || s.value.args.length) continue;
    for (const t of s.targets) {
      if (t.type === 'Name') ctx.importedModels.set(t.id, { module: 'django.contrib.auth', name: USER_MODEL, line: s.line, userModel: true, ...(inFunction ? { inFunction } : {}) });
    }
  }
}

function modelLabel(c: A.Call, env?: FnEnv): string | null {
  if (c.args.length === 1 && dotted(c.args[0]!) === 'settings.AUTH_USER_MODEL') return USER_MODEL_SETTING;
  const strs = c.args.map(a => (a.type === 'Constant' && typeof a.value === 'string' ? a.value : null));
  if (strs.length === 2 && strs[0] && strs[1]) return `${strs[0]}.${strs[1]}`;
  // a loop name over literal names: one of those models
  const looped = strs.length === 2 && strs[0] && c.args[1]!.type === 'Name' ? env?.strings?.get((c.args[1] as A.Name).id) : undefined;
  if (looped?.length) return [...new Set(looped.map(n => `${strs[0]}.${n}`))].join(' / ');
  if (strs.length === 1 && strs[0]) return strs[0];
  // apps.get_model("dojo", name) in a loop (DefectDojo's 0227): some model of the app, routed as all of them are
  if (strs.length === 2 && strs[0] && !strs[1]) return `${strs[0]}.*`;
  return null;
}

/**
 * `Line(order=o)`: a related object given to the constructor sets the new instance's database to its own
 * (ForwardManyToOneDescriptor.__set__), and save() writes there (wger 0019; tested with Django): such an instance is
 * not one without a database. Any argument that is not a literal may be one.
 */
function mayCarryDatabase(c: A.Call): boolean {
  const literal = (e: A.Expr): boolean => e.type === 'Constant' || e.type === 'JoinedStr' || ((e.type === 'List' || e.type === 'Tuple' || e.type === 'Set') && e.elts.every(literal)) || (e.type === 'Dict' && e.values.every(literal));
  return [...c.args, ...c.keywords.map(k => k.value)].some(a => !literal(a));
}

function isAliasExpr(e: A.Expr, env: FnEnv): boolean {
  if (e.type === 'Name') return env.alias.has(e.id);
  // schema_editor.connection.alias
  return e.type === 'Attribute' && e.attr === 'alias' && e.value.type === 'Attribute' && e.value.attr === 'connection' &&
    e.value.value.type === 'Name' && e.value.value.id === env.se;
}

function decorator(ctx: ModuleCtx, d: A.Expr, st: FnState, where: string): void {
  if (isAtomicRef(ctx, d)) {
    push(ctx, st, d.line, `${where}: @${dotted(d)} opens its transaction on 'default', not on the database being migrated; use \`with transaction.atomic(using=${st.env.se ?? 'schema_editor'}.connection.alias):\` inside it`, { alias: 'default' });
  }
}

function isAtomicRef(ctx: ModuleCtx, e: A.Expr): boolean {
  if (e.type === 'Name') return ctx.atomic.has(e.id);
  if (e.type === 'Attribute' && e.attr === 'atomic') {
    const d = dotted(e.value);
    return !!d && (ctx.transaction.has(d) || d === 'django.db.transaction');
  }
  return false;
}

function isConnectionRef(ctx: ModuleCtx, e: A.Expr): boolean {
  if (e.type === 'Name') return ctx.connection.has(e.id);
  return dotted(e) === 'django.db.connection';
}

function isConnectionsRef(ctx: ModuleCtx, e: A.Expr): boolean {
  if (e.type === 'Name') return ctx.connections.has(e.id);
  return dotted(e) === 'django.db.connections';
}

/** A model class: a name from apps.get_model, or one imported from an app's models. */
function modelRef(ctx: ModuleCtx, e: A.Expr, env: FnEnv, st: FnState | null): string | null {
  // apps.get_model("shop", "Order").objects…, chained (HOPE)
  if (e.type === 'Call' && calleeName(e.func) === 'get_model' && e.func.type === 'Attribute' && e.func.value.type === 'Name' && e.func.value.id === env.apps) return modelLabel(e, env);
  // global_apps.get_model("shop", "Order").objects… with Django's global registry: today's model, inline
  if (e.type === 'Call' && e.func.type === 'Attribute' && e.func.attr === 'get_model' && e.func.value.type === 'Name' && ctx.registry.has(e.func.value.id) && e.func.value.id !== env.apps) {
    const label = modelLabel(e, env);
    if (label && label !== USER_MODEL_SETTING && st && !st.registryCalls.some(r => r.call === e)) st.registryCalls.push({ call: e, registry: e.func.value, label });
    return label;
  }
  if (e.type === 'Name') {
    if (env.models.has(e.id)) return env.models.get(e.id)!;
    const imp = ctx.importedModels.get(e.id);
    if (imp) {
      if (st && !st.importedUsed.has(e.id)) st.importedUsed.set(e.id, e.line);
      return imp.name;
    }
    return null;
  }
  if (e.type === 'Attribute' && e.value.type === 'Attribute' && e.value.attr === 'models') {
    const d = dotted(e.value);
    if (d && ctx.modelModules.has(d.split('.')[0]!) && /^[A-Z]/.test(e.attr)) return e.attr;
  }
  return null;
}

/** "app.Model" of a model imported from an app's models module, when the module's app is known. */
function importedLabel(ctx: ModuleCtx, e: A.Expr, appModules: Map<string, string>): string | null {
  if (e.type !== 'Name') return null;
  const imp = ctx.importedModels.get(e.id);
  if (!imp || imp.userModel) return null;
  if (imp.registry) return imp.registry.label;
  const label = importedModelApp(imp, appModules);
  return label ? `${label}.${imp.name}` : null;
}

/**
 * The app label of a model class imported from `module`: its `Meta.app_label` where that names another app than the
 * module's (Sentry's discover.models.DiscoverSavedQuery, app_label "sentry": the `module:Class` entries of
 * appModules, see modelAppEntries), else the app whose models module it is.
 */
function importedModelApp(imp: { module: string; name: string }, appModules: Map<string, string>): string | undefined {
  return appModules.get(`${imp.module}:${imp.name}`) ?? appModules.get(imp.module.replace(/\.models(\..*)?$/, ''));
}

/**
 * `module:Class` → app label for the models whose `Meta.app_label` is not the app of the module that defines them
 * (appModules' extra entries, read by importedModelApp; few or none in most projects, so the lint cache key, a
 * digest of appModules, stays as it was).
 */
export function modelAppEntries(apps: readonly AppInfo[], models: readonly ModelInfo[]): [string, string][] {
  // (asked by every migration lint pass with the index's arrays, the same between edits of migrations: kept per pair)
  const hit = appEntriesMemo.get(models);
  if (hit && hit.apps === apps) return hit.out;
  const out: [string, string][] = [];
  // (the app folder of each file once: a models file holds many models; kept while the apps are the same)
  if (appHomes?.apps !== apps) {
    const dirs = apps.filter(a => a.dir).map(a => ({ dir: a.dir! + path.sep, app: a })).sort((x, y) => y.dir.length - x.dir.length);
    appHomes = { apps, dirs, homes: new Map() };
  }
  const { dirs, homes } = appHomes;
  for (const m of models) {
    const file = m.loc?.path;
    if (!file) continue;
    let home = homes.get(file);
    if (home === undefined && !homes.has(file)) homes.set(file, home = dirs.find(d => file.startsWith(d.dir)));
    if (!home || home.app.label === m.app) continue;
    const rel = file.slice(home.dir.length).replace(/\.py$/, '').split(path.sep).filter(p => p !== '__init__');
    out.push([[home.app.module, ...rel].join('.') + `:${m.name}`, m.app]);
  }
  appEntriesMemo.set(models, { apps, out });
  return out;
}
const appEntriesMemo = new WeakMap<readonly ModelInfo[], { apps: readonly AppInfo[]; out: [string, string][] }>();
type AppHome = { dir: string; app: AppInfo };
let appHomes: { apps: readonly AppInfo[]; dirs: AppHome[]; homes: Map<string, AppHome | undefined> } | undefined;

interface ChainStep { attr: string; call: A.Call | null; node: A.Attribute | A.Name }

/** `root.a(…).b.c(…)` → root and its steps, from the root outwards. */
function unchain(e: A.Expr): { root: A.Expr; steps: ChainStep[] } {
  const steps: ChainStep[] = [];
  let cur: A.Expr = e;
  for (;;) {
    // `apps.get_model(…)` is the root of a chain that queries the model it returns
    if (cur.type === 'Call' && cur.func.type === 'Attribute' && cur.func.attr === 'get_model' && steps.length) break;
    if (cur.type === 'Call' && cur.func.type === 'Attribute') {
      steps.unshift({ attr: cur.func.attr, call: cur, node: cur.func });
      cur = cur.func.value;
    } else if (cur.type === 'Attribute') {
      steps.unshift({ attr: cur.attr, call: null, node: cur });
      cur = cur.value;
    } else break;
  }
  return { root: cur, steps };
}

function walkExpr(ctx: ModuleCtx, e: A.Expr, env: FnEnv, appModules: Map<string, string>, st: FnState | null, where: string): void {
  if (e.type === 'Call' && calleeName(e.func) === 'Prefetch') {
    const qs = kw(e, 'queryset') ?? e.args[1];
    for (const a of [...e.args, ...e.keywords.map(k => k.value)]) {
      if (a !== qs) { walkExpr(ctx, a, env, appModules, st, where); continue; }
      ctx.prefetch++;
      try {
        walkExpr(ctx, a, env, appModules, st, where);
      } finally {
        ctx.prefetch--;
      }
    }
    return;
  }
  const handled = checkExpr(ctx, e, env, appModules, st, where);
  if (handled === 'chain') {
    // the arguments of the chain's calls may hold queries of their own
    for (const step of unchain(e).steps) if (step.call) for (const a of [...step.call.args, ...step.call.keywords.map(k => k.value)]) walkArgument(ctx, a, env, appModules, st, where);
    return;
  }
  for (const c of childExprs(e)) walkExpr(ctx, c, env, appModules, st, where);
}

/** QuerySet methods that return another QuerySet without running it */
const LAZY_METHODS = new Set([
  'all', 'filter', 'exclude', 'values', 'values_list', 'order_by', 'distinct', 'annotate', 'alias', 'select_related',
  'prefetch_related', 'only', 'defer', 'none', 'reverse', 'extra', 'union', 'intersection', 'difference', 'dates',
  'datetimes', 'select_for_update', 'using',
]);

/**
 * The assignments `name = …` (the function's only binding of `name`) whose name is used only as a queryset
 * compiled into another query: the first argument of `Subquery(…)`/`Exists(…)` or a `…__in=` keyword's value,
 * sliced or not. Such a value is checked as walkArgument checks an argument, not as a query of its own.
 */
function embeddedAssignments(body: A.Stmt[]): Set<A.Stmt> {
  // each name's bindings: the one `name = …` statement, or null when bound otherwise or more than once
  const binding = new Map<string, A.Assign | null>();
  const targets = new Set<A.Expr>();
  const bind = (id: string, s: A.Assign | null) => binding.set(id, binding.has(id) ? null : s);
  for (const s of allStmts(body)) {
    const names: A.Expr[] = s.type === 'Assign' ? s.targets : s.type === 'AugAssign' || s.type === 'AnnAssign' || s.type === 'For' ? [s.target] : s.type === 'With' ? s.items.flatMap(i => (i.target ? [i.target] : [])) : [];
    for (const t of names) {
      targets.add(t);
      if (t.type === 'Name') bind(t.id, s.type === 'Assign' && s.targets.length === 1 ? s : null);
      else if (t.type === 'Tuple' || t.type === 'List') for (const x of t.elts) if (x.type === 'Name') { targets.add(x); bind(x.id, null); }
    }
    if (s.type === 'FunctionDef' || s.type === 'ClassDef') bind(s.name, null);
  }
  // per name: whether every use is compiled into another query
  const embeddedOnly = new Map<string, boolean>();
  const visit = (e: A.Expr, embedded: boolean): void => {
    if (e.type === 'Name') {
      if (!targets.has(e)) embeddedOnly.set(e.id, (embeddedOnly.get(e.id) ?? true) && embedded);
      return;
    }
    if (e.type === 'Subscript') {
      visit(e.value, embedded);
      visit(e.slice, false);
      return;
    }
    if (e.type === 'Call') {
      const compiled = ['Subquery', 'Exists'].includes(calleeName(e.func) ?? '');
      visit(e.func, false);
      e.args.forEach((a, i) => visit(a, compiled && i === 0));
      for (const k of e.keywords) visit(k.value, !!k.arg?.endsWith('__in'));
      return;
    }
    for (const c of childExprs(e)) visit(c, false);
  };
  for (const s of allStmts(body)) for (const e of stmtParts(s).exprs) visit(e, false);
  const out = new Set<A.Stmt>();
  for (const [id, s] of binding) if (s && embeddedOnly.get(id) === true) out.add(s);
  return out;
}

/**
 * An argument of a query's call: a queryset given as it is (`id__in=Book.objects.filter(…)`, `Subquery(…)`,
 * `Exists(…)`, sliced) is compiled into that query and runs where it runs (bookwyrm 0104); anything else, e.g.
 * `list(qs)` or `qs.count()`, runs on its own and is checked as such.
 */
function walkArgument(ctx: ModuleCtx, a: A.Expr, env: FnEnv, appModules: Map<string, string>, st: FnState | null, where: string): void {
  let e = a;
  while (e.type === 'Subscript') e = e.value;
  if (e.type === 'Call' && ['Subquery', 'Exists'].includes(calleeName(e.func) ?? '') && e.args[0]) {
    for (const x of [...e.args.slice(1), ...e.keywords.map(k => k.value)]) walkExpr(ctx, x, env, appModules, st, where);
    walkArgument(ctx, e.args[0], env, appModules, st, where);
    return;
  }
  if (e.type === 'Call' || e.type === 'Attribute') {
    const { root, steps } = unchain(e);
    const lazy = steps.length >= 2 && MANAGER_ATTRS.has(steps[0]!.attr) && steps.slice(1).every(s => !s.call || LAZY_METHODS.has(s.attr)) && !!modelRef(ctx, root, env, st);
    if (lazy) {
      for (const step of steps) if (step.call) for (const x of [...step.call.args, ...step.call.keywords.map(k => k.value)]) walkArgument(ctx, x, env, appModules, st, where);
      return;
    }
  }
  walkExpr(ctx, a, env, appModules, st, where);
}

function checkExpr(ctx: ModuleCtx, e: A.Expr, env: FnEnv, appModules: Map<string, string>, st: FnState | null, where: string): 'chain' | null {
  const se = env.se ?? 'schema_editor';
  // Model.objects.….method(…): a manager chain; `sources.filter(…)` on a name holding a manager (bustimes)
  if (e.type === 'Call' || e.type === 'Attribute') {
    const chain = unchain(e);
    const held = chain.root.type === 'Name' ? env.managers?.get(chain.root.id) : undefined;
    // the name holding the manager stands where `Model.objects` would
    const { root, steps } = held && chain.root.type === 'Name'
      ? { root: chain.root, steps: [{ attr: chain.root.id, call: null, node: chain.root }, ...chain.steps] }
      : chain;
    const isQuery = steps.length >= 2 && !NOT_MANAGERS.has(steps[0]!.attr) && (MANAGER_ATTRS.has(steps[0]!.attr) || (!!steps[1]!.call && QUERYSET_METHODS.has(steps[1]!.attr)));
    // only a query or a call marks an imported model as used (a class attribute such as `RealPage.steplen` is no
    // query; Kolibri's `ContentCacheKey.update_cache_key()` is a classmethod of today's class that queries)
    if (!isQuery && steps.length >= 1 && steps[0]!.call && !steps[0]!.attr.startsWith('_') && modelRef(ctx, root, env, st) && root.type === 'Name' && st && !st.importedMethods.has(root.id)) st.importedMethods.set(root.id, steps[0]!.attr);
    const model = held && isQuery ? held : isQuery ? modelRef(ctx, root, env, st) : null;
    if (model && !held && root.type === 'Name' && st) st.importedQueried.add(root.id);
    if (model) {
      const binding = steps.find(s => (s.attr === 'using' || s.attr === 'db_manager') && s.call);
      const arg = binding?.call ? (binding.call.args[0] ?? kw(binding.call, 'alias') ?? kw(binding.call, 'using')) : undefined;
      const hits = steps.some(s => s.call);
      if (hits && (!binding || (arg && isLiteralAlias(ctx, arg)))) {
        const manager = steps[0]!;
        const method = steps[1]!.attr;
        // the chain's calls (`.only(…).update(…)`: the update is the write, kpi's trackers.0004), the first and the last
        // of a longer one
        const calls = steps.slice(1).filter(x => x.call).map(x => `${x.attr}()`);
        const chain = calls.length <= 3 ? calls.join('.') : `${calls[0]}….${calls[calls.length - 1]}`;
        const text = held ? `${manager.attr}.${chain} (${model}'s manager)` : `${model}.${manager.attr}.${chain}`;
        // an imported model named by its app's label, which the routing knows it by (Kolibri Studio's ContentNode)
        const routed = importedLabel(ctx, root, appModules) ?? model;
        const bound = binding && arg ? `is bound to ${literalText(arg)}` : `runs on the router's choice for ${routed} ${ROUTER_CHOICE_WORDS}`;
        // `.filter(…).update(…)`: a write anywhere in the chain goes where db_for_write sends it (QuerySet._for_write)
        const writes = steps.some((st, i) => i >= 1 && !!st.call && WRITE_METHODS.has(st.attr));
        const goesTo = binding && arg ? literalAlias(arg) : { model: routed, access: writes ? 'write' as const : 'read' as const };
        const lint = push(ctx, st, e.line, `${where}: ${text} ${bound}, not on the database being migrated; bind it with .using(${se}.connection.alias)`, goesTo);
        if (st && env.se && !binding) {
          const at = endOf(ctx, manager.node);
          if (at) {
            const useMethod = QUERYSET_METHODS.has(method) ? 'using' : 'db_manager';
            st.fixable.push({ lint, edits: [{ ...at, endLine: at.line, endCol: at.col, text: `.${useMethod}(${st.aliasName})` }] });
          }
        }
        return 'chain';
      }
      if (binding) return 'chain';
    }
  }
  if (e.type === 'Call') {
    const f = e.func;
    // obj.save() / Model(...).save() on an instance that has no database yet
    if (f.type === 'Attribute' && INSTANCE_WRITES.has(f.attr) && !kw(e, 'using')) {
      const target = f.value;
      const isInstance = (target.type === 'Name' && env.instances.has(target.id)) ||
        (target.type === 'Call' && !mayCarryDatabase(target) && !!modelRef(ctx, target.func, env, st));
      if (isInstance) {
        const model = target.type === 'Name' ? env.instances.get(target.id) ?? null : modelRef(ctx, (target as A.Call).func, env, st);
        const lint = push(ctx, st, e.line, `${where}: ${dotted(target) ?? 'Model(...)'}.${f.attr}() without using= writes to the router's choice ${ROUTER_CHOICE_WORDS}, not to the database being migrated`, model ? { model, access: 'write' } : undefined);
        if (st && env.se) {
          const edit = addKeyword(ctx, e, `using=${st.aliasName}`);
          if (edit) st.fixable.push({ lint, edits: [edit] });
        }
      }
    }
    // transaction.atomic() without using
    if (isAtomicRef(ctx, f) && !kw(e, 'using') && !e.args.length) {
      const lint = push(ctx, st, e.line, `${where}: ${dotted(f)}() without using= opens its transaction on 'default', not on the database being migrated`, { alias: 'default' });
      if (st && env.se) {
        const edit = addKeyword(ctx, e, `using=${st.aliasName}`);
        if (edit) st.fixable.push({ lint, edits: [edit] });
      }
    }
    // connection.cursor() of django.db
    if (f.type === 'Attribute' && isConnectionRef(ctx, f.value)) {
      const lint = push(ctx, st, e.line, `${where}: django.db.connection is the 'default' database, not the one being migrated; use ${se}.connection`, { alias: 'default' });
      if (st && env.se) {
        const r = rangeOf(ctx, f.value);
        if (r) st.fixable.push({ lint, edits: [{ ...r, text: `${env.se}.connection` }] });
      }
      return null;
    }
    // call_command("loaddata", ...) without database=
    if (f.type === 'Name' && ctx.callCommand.has(f.id) && !kw(e, 'database')) {
      const cmd = e.args[0];
      if (cmd && cmd.type === 'Constant' && typeof cmd.value === 'string' && ['loaddata', 'flush', 'dumpdata', 'createcachetable'].includes(cmd.value)) {
        const lint = push(ctx, st, e.line, `${where}: call_command('${cmd.value}') without database= works on 'default', not on the database being migrated`, { alias: 'default' });
        if (st && env.se) {
          const edit = addKeyword(ctx, e, `database=${st.aliasName}`);
          if (edit) st.fixable.push({ lint, edits: [edit] });
        }
      }
    }
    // helpers of the same module: analysed with what they receive
    if (f.type === 'Name' && ctx.functions.has(f.id) && st) {
      const helper = ctx.functions.get(f.id)!;
      const params = [...helper.args.posonly, ...helper.args.args].map(a => a.name);
      const onlyOn = env.onlyOn ?? guardAt(ctx, e.line);
      const henv: FnEnv = { apps: null, se: null, alias: new Set(), models: new Map(), instances: new Map(), root: env.root, ...(onlyOn ? { onlyOn } : {}) };
      const give = (p: string | undefined, a: A.Expr) => {
        if (!p) return;
        if (a.type === 'Name' && a.id === env.apps) henv.apps = p;
        else if (a.type === 'Name' && a.id === env.se) henv.se = p;
        else if (isAliasExpr(a, env)) henv.alias.add(p);
        else if (a.type === 'Name' && env.models.has(a.id)) henv.models.set(p, env.models.get(a.id)!);
      };
      e.args.forEach((a, i) => give(params[i], a));
      for (const k of e.keywords) if (k.arg) give(k.arg, k.value);
      analyzeFunction(ctx, helper, henv, appModules, `${helper.name} (called from the ${env.root})`);
    }
  }
  // connections["default"] / connections[DEFAULT_DB_ALIAS]
  if (e.type === 'Subscript' && isConnectionsRef(ctx, e.value) && isLiteralAlias(ctx, e.slice)) {
    const lint = push(ctx, st, e.line, `${where}: connections[${literalText(e.slice)}] is not the database being migrated; use ${se}.connection`, literalAlias(e.slice));
    if (st && env.se) {
      const r = rangeOf(ctx, e);
      if (r) st.fixable.push({ lint, edits: [{ ...r, text: `${env.se}.connection` }] });
    }
  }
  return null;
}

function isLiteralAlias(ctx: ModuleCtx, e: A.Expr): boolean {
  return (e.type === 'Constant' && typeof e.value === 'string') || (e.type === 'Name' && ctx.defaultAlias.has(e.id)) || dotted(e) === 'django.db.DEFAULT_DB_ALIAS';
}

/** The alias a literal (isLiteralAlias) names: the string, or 'default' for DEFAULT_DB_ALIAS. */
function literalAlias(e: A.Expr): { alias: string } {
  if (e.type === 'Constant' && typeof e.value === 'string') return { alias: e.value };
  return { alias: 'default' };
}

function literalText(e: A.Expr): string {
  return e.type === 'Constant' && typeof e.value === 'string' ? `'${e.value}'` : (dotted(e) ?? '?');
}

/** The alias a line runs only for: the `if db_alias == 'x':` guard it is under, if any. */
function guardAt(ctx: ModuleCtx, line: number): string | undefined {
  return ctx.guards.find(g => g.line <= line && line <= g.endLine)?.alias;
}

function push(ctx: ModuleCtx, st: FnState | null, line: number, message: string, goesTo?: RawLint['goesTo']): RawLint {
  const within = ctx.contexts.find(c => c.line < line && line <= c.endLine);
  const onlyOn = st?.env.onlyOn ?? guardAt(ctx, line);
  const lint: RawLint = {
    code: 'runpython-alias', line, message, ...(st?.fn ? { fn: st.fn.name } : {}), ...(ctx.op !== null ? { op: ctx.op } : {}), ...(goesTo ? { goesTo } : {}),
    ...(within ? { inContext: within.text } : {}), ...(ctx.prefetch > 0 ? { prefetch: true } : {}), ...(onlyOn !== undefined ? { onlyOn } : {}),
  };
  // code that runs only when migrating 'x' and goes to 'x' (`.using(DEFAULT_DB_ALIAS)` under `if db == DEFAULT_DB_ALIAS:`)
  // is on the database being migrated
  if (onlyOn !== undefined && goesTo && 'alias' in goesTo && goesTo.alias === onlyOn) return lint;
  // one finding per line and message (a helper called twice is analysed once per distinct binding)
  if (!ctx.out.some(o => o.line === line && o.message === message)) ctx.out.push(lint);
  return lint;
}

/** One fix per function: the db_alias line (when there is no alias variable yet) and every binding edit. */
function finishFixes(ctx: ModuleCtx, st: FnState): void {
  // (the lints push() left out, on the database being migrated anyway, are not rebound)
  st.fixable = st.fixable.filter(f => ctx.out.includes(f.lint) || ctx.out.some(o => o.line === f.lint.line && o.message === f.lint.message));
  if (!st.fixable.length || !st.fn || !st.env.se) return;
  const edits = st.fixable.flatMap(f => f.edits);
  if (st.needsAliasLine) {
    const first = firstCodeStmt(st.fn);
    if (!first || first.line === st.fn.line) return; // a one-line def: no safe place for the line
    const lineText = ctx.lines[first.line - 1] ?? '';
    const indent = /^\s*/.exec(lineText)![0];
    edits.unshift({ line: first.line, col: 0, endLine: first.line, endCol: 0, text: `${indent}${st.aliasName} = ${st.env.se}.connection.alias\n` });
  }
  const fix: FindingFix = { title: `Bind ${st.fn.name}'s queries to ${st.env.se}.connection.alias`, edits };
  for (const f of st.fixable) {
    const own = ctx.out.find(o => o === f.lint) ?? ctx.out.find(o => o.line === f.lint.line && o.message === f.lint.message);
    if (own) {
      own.fix = fix;
      own.edits = f.edits;
    }
  }
}

function firstCodeStmt(fn: A.FunctionDef): A.Stmt | null {
  const body = fn.body;
  const isDoc = (s: A.Stmt | undefined) => s?.type === 'Expr' && s.value.type === 'Constant' && typeof s.value.value === 'string';
  return (isDoc(body[0]) ? body[1] : body[0]) ?? null;
}

function modelImportFixes(ctx: ModuleCtx, st: FnState, appModules: Map<string, string>, where: string): void {
  if (!st.fn) return;
  const apps = st.env.apps;
  for (const { call, registry, label } of st.registryCalls) {
    const [app, model] = label.includes('.') ? [label.slice(0, label.indexOf('.')), label.slice(label.indexOf('.') + 1)] : [label, ''];
    // (one of several models, a name from a loop: the same arguments, on the function's apps)
    const get = /[*/]/.test(label) ? `${apps ?? 'apps'}.get_model(…)` : `${apps ?? 'apps'}.get_model("${app}"${model ? `, "${model}"` : ''})`;
    const message = `${where}: ${registry.id}.get_model(…) is today's model class from Django's global app registry, whose fields and managers may ` +
      `not match the database at this migration; use ${get} of the function's apps argument`;
    // (the registry's name replaced by the function's apps argument: the same call, on the historical registry)
    const fix: FindingFix | undefined = apps && registry.endCol !== undefined && registry.line === registry.endLine
      ? { title: `Use the historical model: ${get}`, edits: [{ line: registry.line, col: charCol(ctx, registry.line, registry.col), endLine: registry.line, endCol: charCol(ctx, registry.line, registry.endCol), text: apps }] }
      : undefined;
    if (!ctx.out.some(o => o.line === call.line && o.message === message)) ctx.out.push({ code: 'runpython-model-import', line: call.line, message, fn: st.fn.name, ...(fix ? { fix } : {}) });
  }
  const first = firstCodeStmt(st.fn);
  for (const [local, line] of st.importedUsed) {
    const imp = ctx.importedModels.get(local)!;
    if (imp.userModel) {
      const message = `${where}: ${local} = get_user_model() (line ${imp.line}) is today's user model class, whose fields and managers ` +
        `may not match the database at this migration; use ${st.env.apps ?? 'apps'}.get_model(settings.AUTH_USER_MODEL)`;
      if (!ctx.out.some(o => o.line === line && o.message === message)) ctx.out.push({ code: 'runpython-model-import', line, message, fn: st.fn.name, imported: { module: imp.module, name: imp.name } });
      continue;
    }
    if (imp.registry) {
      const message = `${where}: ${local} = ${imp.registry.via}(…) (line ${imp.line}) is today's model class from Django's global app registry, ` +
        `whose fields and managers may not match the database at this migration; use ${st.env.apps ?? 'apps'}.get_model("${imp.registry.label.split('.')[0]}", "${imp.name}") of the function's apps argument`;
      if (!ctx.out.some(o => o.line === line && o.message === message)) ctx.out.push({ code: 'runpython-model-import', line, message, fn: st.fn.name });
      continue;
    }
    const label = importedModelApp(imp, appModules);
    const apps = st.env.apps;
    // only its own methods called (frePPLe's Parameter.getValue(), a staticmethod): a historical model has none of
    // them, so apps.get_model() is no replacement
    const method = st.importedMethods.get(local);
    if (method && !st.importedQueried.has(local)) {
      const message = `${where}: ${local} is imported from ${imp.module} (line ${imp.line}) and its method ${method}() is called: RunPython code runs today's class, ` +
        `whose fields and managers may not match the database at this migration. A historical model (${apps ?? 'apps'}.get_model()) has no custom methods: copy what ${method}() does into the migration, using the historical models`;
      if (!ctx.out.some(o => o.line === line && o.message === message)) ctx.out.push({ code: 'runpython-model-import', line, message, fn: st.fn.name });
      continue;
    }
    const get = label ? `${apps ?? 'apps'}.get_model("${label}", "${imp.name}")` : `${apps ?? 'apps'}.get_model(<app label>, "${imp.name}")`;
    let fix: FindingFix | undefined;
    // the historical model exists only for the apps this migration depends on (kpi.0055 reads main.UserProfile and
    // depends on no main migration: get_model would raise LookupError when migrated on its own)
    const ownLabel = appModules.get(ctx.ownModule.replace(/\.migrations(\.[^.]+)?$/, '')) ?? null;
    const unreachable = !!label && !!ownLabel && label !== ownLabel && !!ctx.depApps && !ctx.depApps.has(label) && !ctx.depApps.has('*');
    // (an import inside the function would bind the name again after a line put first: no fix then)
    if (label && apps && first && first.line !== st.fn.line && !imp.inFunction) {
      const indent = /^\s*/.exec(ctx.lines[first.line - 1] ?? '')![0];
      fix = { title: `Use the historical model: ${local} = ${get}`, edits: [{ line: first.line, col: 0, endLine: first.line, endCol: 0, text: `${indent}${local} = ${get}\n` }] };
    }
    const message = `${where}: ${local} is imported from ${imp.module} (line ${imp.line}): RunPython code gets today's model class, ` +
      `whose fields and managers may not match the database at this migration; use ${get}`;
    // (whether a migration of that app is among this one's dependencies through others is the graph's: see
    // migrationLintFindings)
    if (!ctx.out.some(o => o.line === line && o.message === message)) ctx.out.push({ code: 'runpython-model-import', line, message, fn: st.fn.name, imported: { module: imp.module, name: imp.name }, ...(fix ? { fix } : {}), ...(unreachable ? { needsApp: label } : {}) });
  }
}

// ---- positions --------------------------------------------------------------------------------------

/** Byte column (tree-sitter) → JS string index on that line. */
function charCol(ctx: ModuleCtx, line: number, byteCol: number): number {
  const text = ctx.lines[line - 1] ?? '';
  if (/^[\x00-\x7f]*$/.test(text)) return byteCol;
  return Buffer.from(text, 'utf8').subarray(0, byteCol).toString('utf8').length;
}

function endOf(ctx: ModuleCtx, n: A.Pos): { line: number; col: number } | null {
  if (n.endCol === undefined) return null;
  return { line: n.endLine, col: charCol(ctx, n.endLine, n.endCol) };
}

function rangeOf(ctx: ModuleCtx, n: A.Pos): Omit<TextEdit, 'text'> | null {
  if (n.endCol === undefined) return null;
  return { line: n.line, col: charCol(ctx, n.line, n.col), endLine: n.endLine, endCol: charCol(ctx, n.endLine, n.endCol) };
}

/** Insert `keyword` as the call's last argument. */
function addKeyword(ctx: ModuleCtx, c: A.Call, keyword: string): TextEdit | null {
  const last = [...c.args, ...c.keywords.map(k => k.value)].sort((a, b) => a.endLine - b.endLine || (a.endCol ?? 0) - (b.endCol ?? 0)).pop();
  if (last) {
    const at = endOf(ctx, last);
    return at ? { ...at, endLine: at.line, endCol: at.col, text: `, ${keyword}` } : null;
  }
  // no arguments: just before the closing parenthesis
  const end = endOf(ctx, c);
  return end && end.col > 0 ? { line: end.line, col: end.col - 1, endLine: end.line, endCol: end.col - 1, text: keyword } : null;
}

// ---- the project -------------------------------------------------------------------------------------

const LINTED_KINDS = new Set(['RunPython', 'RunSQL', 'SeparateDatabaseAndState']);

/** Whether a migration may hold RunPython/RunSQL (or could not be read fully), from what the migration reader knows. */
export function runsCode(m: MigrationFileInfo): boolean {
  let r = RUNS_CODE.get(m);
  if (r === undefined) RUNS_CODE.set(m, (r = !!m.partial || m.operations.some(o => LINTED_KINDS.has(o.kind))));
  return r;
}
/** runsCode per migration object (asked of every migration of the project after each edit) */
const RUNS_CODE = new WeakMap<MigrationFileInfo, boolean>();

const lintCache = fileCache<RawLint[]>('runpython', []);

/** Whether a file can have findings at all: only files with a RunPython or RunSQL are parsed. */
export function mayHaveLints(source: string): boolean {
  return source.includes('RunPython') || source.includes('RunSQL');
}

export function lintFile(file: string, appModules: Map<string, string>, ownModule: string): RawLint[] {
  // the lints name historical models by their apps' labels: kept while the installed apps are the same too
  return lintCache(file, lintKey(ownModule, appModules), source => (mayHaveLints(source) ? lintMigrationSource(source, file, appModules, ownModule) : []));
}

/** The lint cache's key of a migration file (its dotted module, the installed apps). */
export function lintKey(ownModule: string, appModules: Map<string, string>): string {
  return `${ownModule}\0${appModulesKey(appModules)}`;
}

const APP_MODULES_KEYS = new WeakMap<Map<string, string>, string>();

/** A short digest of the installed apps' modules and labels (per map object). */
function appModulesKey(appModules: Map<string, string>): string {
  let k = APP_MODULES_KEYS.get(appModules);
  if (k === undefined) {
    k = createHash('sha1').update(JSON.stringify([...appModules].sort())).digest('hex').slice(0, 12);
    APP_MODULES_KEYS.set(appModules, k);
  }
  return k;
}

/**
 * The lints of the workspace's own migrations (with `includeEnvironment`, third-party apps' too, as infos). `runpython-alias` is a warning
 * where the app's models migrate on an alias other than `default` (RunPython runs there too unless a router
 * denies the app), an info in a single-database project or where the app stays on `default` (TEST MIRROR
 * aliases, replicas, do not count).
 */
function isMirror(d: DatabaseSetting): boolean {
  return declaredMirror(d) !== undefined;
}

/** What the project's routing says of a RunPython operation and of the models its code queries. */
export interface LintRoutes {
  /** the aliases where the RunPython operation at `line` of `m` may run (Django runs it or may), null when not known */
  runsOn(m: MigrationFileInfo, line: number): string[] | null;
  /** the alias the routers send a model's reads or writes to ('both': the one both go to), null when not known or not one */
  /** (`at`: the migration asking, whose ancestors alone make the state of a model only the migrations have) */
  choice(model: string, access: 'read' | 'write' | 'both', migrating?: string | null, at?: string): string | null;
  /** the aliases the router picks among at run time when `choice` is null (a replica at random), else null */
  choices?(model: string, access: 'read' | 'write' | 'both', migrating?: string | null, at?: string): { of: string[]; random: boolean } | null;
  /** whether migrations create the model's table on the alias, null when not known */
  migrates(model: string, alias: string): boolean | null;
  /** whether DATABASE_ROUTERS names any router (or cannot be read) */
  routers: boolean;
  /** AUTH_USER_MODEL ("app_label.ModelName"), the model `get_user_model()` stands for */
  userModel?: string;
  /**
   * why the router's choice for a model is not known, when a router cannot be read at all (its package is not in the
   * environment read: Django imports it where the project runs), else null
   */
  unreadable?(model: string, access: 'read' | 'write' | 'both', migrating?: string | null, at?: string): string | null;
  /** the first alias that reaches the same physical database as `alias` (the one the lints count), when another does */
  sameAs?(alias: string): string | null;
}

const REBIND = /, not on the database being migrated; bind it with \.using\([^)]*\)$/;
/** "…, not on (to) the database being migrated" of a runpython-alias message */
const NOT_THE_MIGRATED = /, not (?:on|to) the database being migrated/;
/** the same at the message's end, with its "; bind it with .using(…)" if any */
const ONE_DATABASE = new RegExp(`${NOT_THE_MIGRATED.source}(; bind it with \\.using\\([^)]*\\))?$`);

/**
 * A runpython-alias lint as the project's routing makes it: harmless (info) where the RunPython runs only on the
 * database the flagged code goes to anyway, deliberate (info, no fix) where it reads a model from the only database
 * that has its table, a warning otherwise; the router's choice named where known.
 */
function routedLint(l: RawLint, m: MigrationFileInfo, given: Set<string>, routes: LintRoutes, severity: Finding['severity']): { severity: Finding['severity']; message: string; fix: FindingFix | undefined } {
  let message = l.message;
  let fix = l.fix;
  const goesTo = l.goesTo;
  const model = goesTo && 'model' in goesTo ? goesTo.model : null;
  // inside `with use_db(alias):` a thread-local the routers read may be set: what they answer during migrate with
  // nothing set (routes.choice) is not what they answer there
  // the router's choice as a RunPython that runs on one database sees it (its migration's transaction open there)
  // code the function runs only when migrating one alias (it checks schema_editor.connection.alias) runs there or nowhere
  const only = (xs: string[] | null): string[] | null => l.onlyOn === undefined ? xs : given.has(l.onlyOn) && (xs === null || xs.includes(l.onlyOn)) ? [l.onlyOn] : [];
  const runsOnly = l.op === undefined ? null : only(routes.runsOn(m, l.op)?.filter(a => given.has(a)) ?? null);
  const migrating = runsOnly?.length === 1 ? runsOnly[0]! : null;
  const target = !goesTo ? null : 'alias' in goesTo ? goesTo.alias : l.inContext ? null : routes.choice(goesTo.model, goesTo.access ?? 'both', migrating, m.key);
  // `User = get_user_model()`: the router is asked about AUTH_USER_MODEL (onadata logger.0023), named so
  if (model === USER_MODEL && routes.userModel) message = message.replace(`the router's choice for ${USER_MODEL} `, `the router's choice for ${USER_MODEL} (${routes.userModel}) `);
  if (target !== null) message = message.replace(ROUTER_CHOICE_WORDS, routes.routers ? `('${target}')` : `('${target}': no routers)`);
  else {
    const among = goesTo && 'model' in goesTo && !l.inContext ? routes.choices?.(goesTo.model, goesTo.access ?? 'both', migrating, m.key) ?? null : null;
    const named = among ? `(one of ${among.of.map(a => `'${a}'`).join(', ')}, ${among.random ? 'chosen at random' : 'which one not known statically'})` : null;
    message = message.replace(ROUTER_CHOICE_WORDS, named ?? (routes.routers ? '(not known statically)' : "('default': no routers)"));
    // a choice not known is not known to differ (Sentry's SiloRouter sends each RunPython and its model to one silo)
    if ((among || routes.routers) && given.size > 1) message = message.replace(NOT_THE_MIGRATED, ', which may not be the database being migrated');
  }
  // one database (or none known): nothing for the routing to tell apart. With one, "not on the database being
  // migrated" is not true today (treeherder: `default` alone unless UPSTREAM_DATABASE_URL is set): said as what it is
  if (given.size === 1) {
    const only = `'${[...given][0]}' is the only physical database known here, so that is the database being migrated and this works today`;
    message = message.replace(ONE_DATABASE, (_m0: string, bind: string | undefined) => `: ${only}${bind ? `; ${bind.slice(2).replace(/^bind/, 'binding')} keeps it so where DATABASES holds more` : ''}`);
  }
  if (given.size <= 1) return { severity, message, fix };
  // inside `with use_db(alias):` the routers may choose the database being migrated: an info, said so
  if (l.inContext && target === null) return { severity: 'info', message: `${message} (inside \`with ${l.inContext}\`, which may choose the database the routers return)`, fix };
  const on = l.op === undefined ? null : only(routes.runsOn(m, l.op)?.filter(a => given.has(a)) ?? null);
  // the database the router's choice reaches, as the lints count databases: AlertaDengue's `default` is its `dados`
  // (the same NAME, HOST and PORT), where a RunPython migrating `dados` writes to `default` as to itself
  const physical = target === null ? null : routes.sameAs?.(target) ?? target;
  const oneDatabase = physical !== target ? ` ('${target}' and '${physical}' are one database)` : '';
  // the routers choose a database not known statically (bustimes: reads round-robin over replicas): a warning
  // wherever the RunPython runs, not only where the app's models migrate elsewhere
  // (a router that cannot be read here, whose package the environment read lacks, is the environment's: an info
  // where the RunPython runs on one database, giga-maps' dynamic_db_router)
  const unreadable = target === null && model && on?.length === 1 ? routes.unreadable?.(model, goesTo && 'model' in goesTo ? goesTo.access ?? 'both' : 'both', migrating, m.key) ?? null : null;
  if (unreadable) return { severity: 'info', message: `${message} (${unreadable})`, fix };
  // the router sends it to a database where migrations never create its table (a read replica without TEST MIRROR,
  // license-manager's): the query fails there whichever database is migrated
  if (model && target !== null && routes.migrates(model, target) === false) {
    return { severity: 'warning', message: `${message} (the routers send it to '${target}', where migrations never create its table: "no such table" there)`, fix };
  }
  if (target === null && routes.routers && (on?.length ?? 1) > 0) return { severity: 'warning', message, fix };
  if (!on) return { severity, message, fix };
  if (!on.length) return { severity: 'info', message: `${message} (the routers let this RunPython run on none of the databases)`, fix };
  if (target !== null && on.every(a => a === physical)) {
    const only = `'${physical}' is the only database the routers let this RunPython run on${oneDatabase}, so this works today`;
    message = REBIND.test(message)
      ? message.replace(REBIND, (m0: string) => `: ${only}; ${m0.slice(m0.indexOf('bind it with')).replace(/^bind/, 'binding')} keeps it so if the routing changes`)
      : `${message} (harmless today: ${only})`;
    return { severity: 'info', message, fix };
  }
  if (model && target !== null && on.every(a => a === physical || routes.migrates(model, a) === false)) {
    const away = on.filter(a => a !== physical).map(a => `'${a}'`).join(', ');
    const why = `: its table is not created on ${away}, where this RunPython runs, so it is queried where it lives; binding it to the database being migrated would fail there`;
    message = REBIND.test(message) ? message.replace(REBIND, why) : `${message} (${why.slice(2)})`;
    fix = undefined;
    return { severity: 'info', message, fix };
  }
  // which migrate runs it elsewhere (course-discovery: "not on the database being migrated" named none)
  const elsewhere = target !== null && on ? on.filter(a => a !== physical) : [];
  const names = (xs: string[]) => xs.map(a => `'${a}'`).join(', ');
  if (elsewhere.length && physical !== target && on?.includes(physical!)) {
    message = `${message} (this RunPython runs on ${names(on)}: on '${physical}', the same database as '${target}', this works; on ${names(elsewhere)} it still goes to '${target}')`;
  } else if (elsewhere.length) message = `${message} (this RunPython runs on ${names(elsewhere)} too, where it still goes to '${target}')`;
  return { severity, message, fix };
}

export function migrationLintFindings(apps: AppInfo[], migrations: MigrationFileInfo[], databases: DatabaseSetting[], routing: RouterDecision[], includeEnvironment = false, routes?: LintRoutes, models?: ModelInfo[]): Finding[] {
  // the model classes of the workspace's apps by app label: a class imported from one of their models modules that
  // none of them is, is no model (AWX's ManagedCredentialType(SimpleNamespace)): no runpython-model-import
  const modelNames = new Map<string, Set<string>>();
  for (const x of models ?? []) (modelNames.get(x.app) ?? modelNames.set(x.app, new Set()).get(x.app)!).add(x.name);
  const notAModel = (imp: { module: string; name: string }): boolean => {
    if (!models) return false;
    if (appModules.has(`${imp.module}:${imp.name}`)) return false;
    const app = apps.find(a => imp.module === a.module || imp.module.startsWith(`${a.module}.`));
    if (!app || app.external) return false;
    return !modelNames.get(app.label)?.has(imp.name);
  };
  const appByLabel = new Map(apps.map(a => [a.label, a]));
  const appModules = new Map<string, string>([...apps.map(a => [a.module, a.label] as [string, string]), ...modelAppEntries(apps, models ?? [])]);
  // a TEST MIRROR alias (a replica) is the same database in tests and is not migrated on its own
  const mirrors = new Set(databases.filter(d => isMirror(d)).map(d => d.alias));
  const aliases = databases.map(d => d.alias).filter(a => !mirrors.has(a));
  const elsewhere = new Set<string>();
  // (only the databases given: mirrors and aliases of the same physical database are left out by the caller or here)
  const given = new Set(aliases);
  for (const d of routing) if (d.alias !== 'default' && given.has(d.alias) && d.migrate !== false) elsewhere.add(d.model.slice(0, d.model.indexOf('.')));
  const out: Finding[] = [];
  const editKey = (e: TextEdit) => `${e.line}:${e.col}:${e.endLine}:${e.endCol}:${e.text}`;
  // migrations a squashed migration on disk replaces: Django runs them only on a database that applied some, not
  // all, of what it replaces (onadata's logger.0001_pre-django-3-upgrade replaces 0001–0064)
  const replacedBy = new Map<string, string>();
  for (const m of migrations) for (const [a, n] of m.replaces) if (!replacedBy.has(`${a}.${n}`)) replacedBy.set(`${a}.${n}`, m.key);
  // the apps a migration depends on through its dependencies, transitively (frePPLe's forecast.0006 reaches
  // common.0014 through forecast.0001 → input.0071 → …), memoised
  // (made when a lint first asks: most edits lint no file that needs it)
  let byKey: Map<string, MigrationFileInfo> | undefined;
  const reached = new Map<string, Set<string>>();
  const appsBelow = (key: string): Set<string> => {
    let r = reached.get(key);
    if (r) return r;
    r = new Set();
    reached.set(key, r);
    const stack = [key];
    const seen = new Set([key]);
    while (stack.length) {
      const k = stack.pop()!;
      const mig = (byKey ??= new Map(migrations.map(x => [x.key, x]))).get(k);
      if (!mig) continue;
      for (const [a, n] of mig.dependencies) {
        r.add(a);
        const dep = n === '__first__' || n === '__latest__' ? null : `${a}.${n}`;
        if (dep && !seen.has(dep)) { seen.add(dep); stack.push(dep); }
      }
    }
    return r;
  };
  const reaches = (key: string, app: string): boolean => appsBelow(key).has(app);
  for (const m of migrations) {
    // the migration reader already knows the operations: only files that may hold RunPython/RunSQL are read again
    if (!runsCode(m)) continue;
    const owner = appByLabel.get(m.app);
    // a migration file of an installed package is the package's, whoever's app it belongs to (MIGRATION_MODULES
    // naming a package's migrations for a workspace app: codecov's apps on `shared`)
    const app = owner && !owner.external && (owner.migrationsExternal || isExternalPath(m.path)) ? { ...owner, external: true } : owner;
    if (!app || (app.external && !includeEnvironment)) continue;
    const ownModule = app.migrationsModule ?? `${app.module}.migrations`;
    const first = out.length;
    /** edits of lints whose binding would be wrong (a model read where its table is): out of every fix */
    const dropped = new Set<string>();
    for (const l of lintFile(m.path, appModules, `${ownModule}.${m.name}`)) {
      if (l.imported && notAModel(l.imported)) continue;
      // a Prefetch queryset follows the objects it is attached to where no router decides: nothing to report
      // without routers (the outer query is reported when it is not bound)
      if (l.prefetch && routes && !routes.routers) {
        for (const e of l.edits ?? []) dropped.add(editKey(e));
        continue;
      }
      // a package's migrations are the package's to fix: listed (what `migrate --database=X` will do), never blocking
      // (runpython-model-import is no multi-database problem: an info where there is one database, as runpython-alias)
      let severity: Finding['severity'] = l.code === 'missing-reverse' || app.external ? 'info'
        : l.code === 'runpython-alias' && (aliases.length <= 1 || !elsewhere.has(m.app)) ? 'info'
          : l.code === 'runpython-model-import' && aliases.length <= 1 ? 'info' : 'warning';
      let { message, fix } = l as { message: string; fix?: FindingFix };
      if (l.code === 'runpython-alias' && routes) {
        ({ severity, message, fix } = routedLint(l, m, given, routes, severity));
        if (l.onlyOn !== undefined) message += ` (this code runs only when migrating '${l.onlyOn}')`;
        if (l.fix && !fix) for (const e of l.edits ?? []) dropped.add(editKey(e));
      }
      if (l.prefetch) message += ' (a Prefetch queryset: where no router decides, it runs on the database of the objects it is attached to)';
      // the historical model of an app none of the migrations this one depends on (transitively) is of: get_model
      // raises LookupError when it is migrated on its own
      if (l.needsApp && !reaches(m.key, l.needsApp)) {
        message += ` after adding a dependency on a migration of '${l.needsApp}' (this migration depends on none, so the historical model may not exist)`;
        fix = undefined;
      }
      const squash = replacedBy.get(m.key);
      if (squash && l.code !== 'missing-reverse') {
        severity = 'info';
        message += ` (replaced by ${squash}: this migration runs only on a database that applied part of what ${squash} replaces)`;
      }
      const where = app.external ? `${m.key} (third-party app ${app.module})` : m.key;
      out.push({
        code: l.code, severity, path: m.path, line: l.line, app: m.app, migrations: [m.key], message: `${where}: ${message}`,
        ...(fix && !app.external ? { fix } : {}), ...(app.external ? { environment: true } : {}),
      });
    }
    if (dropped.size) {
      for (const f of out.slice(first)) {
        if (!f.fix) continue;
        const edits = f.fix.edits.filter(e => !dropped.has(editKey(e)));
        // what is left may be the db_alias line alone (an insertion at a line's start binding nothing)
        const binds = edits.some(e => !(e.col === 0 && e.endCol === 0 && e.line === e.endLine && e.text.endsWith('.connection.alias\n')));
        if (binds) f.fix = { ...f.fix, edits };
        else delete f.fix;
      }
    }
  }
  return out;
}
