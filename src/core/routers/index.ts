// Which models migrate where: Django's `Operation.allow_migrate_model` → `ConnectionRouter.allow_migrate_model`
// evaluated statically. Each router class of DATABASE_ROUTERS is resolved and instantiated by the evaluator
// (../python/evaluate.ts), and its `allow_migrate(db, app_label, model_name=…, model=…)` is run with concrete
// inputs; unknown conditions run both branches, and a result that depends on something unknown is reported
// as unknown, never guessed.
//
// `db_for_read(model)` / `db_for_write(model)` are evaluated the same way (evaluateDbRoutes), with Django's chaining
// for them: the first router whose answer is true wins, else `default` (ConnectionRouter._router_func).
//
// Caching: the evaluator reports which inputs a call looked at (db, app_label, model_name, a `_meta` or class
// attribute, the model's identity), in order. Results are kept in a decision tree per router keyed by those
// observations, so models a router treats alike (usually: same app label and alias) are evaluated once.
import * as path from 'path';
import { execReads, mergeDeps, noteDeps, track, unchanged, untracked, type Deps } from '../vfs';
import type * as A from '../python/ast';
import type { Loc, ModelInfo, RouterDecision, SettingsInfo } from '../types';
import type { ModuleIndex } from '../python/modules';
import { Interp, PyErr, BudgetErr, shortLoc, assignedNames } from '../python/evaluate';
import { isExternalPath } from '../python/runtime';
import { membershipOf } from '../python/expressions';
import { type Value, type ObjV, type FuncV, type ClassV, type ModelIdentity, NONE, ABSENT_ATTR, str, dict, dictSet, fromJS, unknown, repr, truthy, dependsOn } from '../python/values';
import type { MetaWrites } from '../models/meta-writes';
import { routerObject, settingsObject, settingsEnv, settingsPython } from '../settings';
import { SymbolTable } from '../python/symbols';
import { appConfigs } from '../python/app-registry';
import { hintKey } from '../migrations/operations';
import { concreteModels, indexDecisions, modelsByKey } from '../findings';
import { sameValue } from '../equal';

export interface RoutingResult {
  decisions: RouterDecision[];
  routerLocs: Record<string, { cls?: Loc; allowMigrate?: Loc }>;
  problems: { router: string; message: string; loc?: Loc }[];
}

type Answer =
  | { kind: 'none' }
  | { kind: 'bool'; v: boolean; loc?: Loc; explanation: string }
  /** db_for_read / db_for_write: the alias a router chose */
  | { kind: 'alias'; v: string; loc?: Loc; explanation: string }
  /**
   * `choices`: the aliases it is one of (db_for_read's random.choice of replicas), when known; `runtime`: it read state
   * set at run time (a thread-local, the connection's transaction), so one asking outside a request gets one case
   */
  | { kind: 'unknown'; loc?: Loc; explanation: string; choices?: string[]; runtime?: true; fallsThrough?: true };

/** Router methods this module evaluates; allow_migrate takes (db, app_label, model_name=…, model=…), the others (model). */
export type RouterMethod = 'allow_migrate' | 'db_for_read' | 'db_for_write';

/** A router's db_for_read / db_for_write as resolved on its instance. */
type MethodSlot =
  | { kind: 'absent' }
  | { kind: 'error'; message: string; loc?: Loc }
  | { kind: 'method'; value: Value; tree: TreeNode };

/**
 * A router method's answers by what it observed of its inputs (`observedKey`): a leaf is shared by every model that
 * observes the same; `byModel` holds answers that name the model they were computed for (an attribute of it not known
 * statically: "depending on catalog.Product._db_group (models.py:6)"), each only for that model where it is defined
 * (one per model: a model that moved is asked again, and its new answer replaces the old).
 */
interface TreeNode { key?: string; children?: Map<string, TreeNode>; leaf?: Answer; byModel?: Map<string, { place: string; ans: Answer }> }

interface Router {
  path: string | null;
  label: string;
  /** the class's name in explanations, with the entry's position when another entry has the same class */
  short: string;
  /** why it cannot be used (unresolvable, raised on instantiation, …) */
  error?: { message: string; loc?: Loc };
  /** the router has no allow_migrate: skipped */
  skip?: boolean;
  method?: Value;
  tree: TreeNode;
  /** the instance Django makes (`import_string(path)()`), for the other methods */
  inst?: Value;
  /** db_for_read / db_for_write, resolved on first use */
  routes?: Map<RouterMethod, MethodSlot>;
  /** the decision trees of db_for_read / db_for_write taken from the context before (carryTrees), for routeSlot */
  carried?: Map<RouterMethod, TreeNode>;
}

/**
 * What each decision tree's answers were computed from (its runs' reads, with the functions they ran): a tree whose
 * runs read nothing that changed is still right in a context made again (carryTrees).
 */
const TREE_DEPS = new WeakMap<TreeNode, Deps>();

interface Ctx {
  index: ModuleIndex;
  interp: Interp;
  routers: Router[];
  routerLocs: Record<string, { cls?: Loc; allowMigrate?: Loc }>;
  problems: RoutingResult['problems'];
  symbols: SymbolTable;
  /** class-body names per model class (file:line), null = not statically known; per evaluateRouting call */
  classNames: Map<string, Set<string> | null>;
  /**
   * every file the routers' code was read from while this context was made and used (core/vfs.ts): when one changes,
   * the context (its interpreter's imported modules, the decision trees) is built anew
   */
  deps: Deps;
  /** what making it read (importing the routers, instantiating them) */
  base: Deps;
  /**
   * what running each method read and ran (its answers are kept in this context: a later computation answered from
   * them depends on that), by method name ('hints': allow_migrate asked with hints)
   */
  used: Map<string, Deps>;
  /**
   * the models of the current call by file and class name (Ctx.interp.modelMeta answers `Model._meta` from them),
   * made when first asked (modelsByClass())
   */
  modelsByClass: Map<string, ModelInfo[]> | null;
  /** the models array modelsByClass was made from */
  modelsFrom: ModelInfo[] | null;
  /** the settings it was made with */
  settings: SettingsInfo;
  /**
   * the routers' code (making them, or a run of theirs) read a setting (`django.conf.settings`) or the environment
   * (`os.environ`): its answers may depend on the settings' values, not only on the files it read
   */
  readSettings: boolean;
  /** the `_meta` attributes the project's code sets (models/meta-writes.ts; null: not read, every other name unknown) */
  metaWrites: MetaWrites | null;
}

const CTX = new WeakMap<SettingsInfo, Ctx>();
const META_WRITES = new WeakMap<ModuleIndex, MetaWrites>();

/**
 * What the project's code sets on models' `_meta` (the scan reads it before routing): `_meta.<name>` of another name
 * than Options' own is then absent for a model whose Meta lacks it. A context made with other writes is not used again.
 */
export function setMetaWrites(index: ModuleIndex, writes: MetaWrites): void {
  META_WRITES.set(index, writes);
}
/** the last context made for a module index (whatever settings it was made with) */
const LAST_CTX = new WeakMap<ModuleIndex, Ctx>();

/**
 * The context to take decision trees from when the settings changed (an edit of DATABASES): the last one made for
 * these modules, when its routers' code read no setting and no environment variable, and the routers are the same
 * (DATABASE_ROUTERS, no router objects the settings made, the same Python environment). Its answers for the aliases
 * that remain are then still right; a new alias is a new branch of each tree, run when asked.
 */
function contextBefore(index: ModuleIndex, settings: SettingsInfo): Ctx | undefined {
  const last = LAST_CTX.get(index);
  if (!last || last.readSettings || last.metaWrites !== (META_WRITES.get(index) ?? null)) return undefined;
  // (never the same settings object: contextOf asks only when it has no context for `settings`)
  const a = last.settings;
  if (a.routerObjects?.length || settings.routerObjects?.length || !sameValue(a.routers, settings.routers)) return undefined;
  if (!sameValue(a.unreadable ?? [], settings.unreadable ?? [])) return undefined;
  if (!sameValue(settingsPython(a) ?? null, settingsPython(settings) ?? null)) return undefined;
  return last;
}

/**
 * Set the models whose classes the routers' code may name (`SyncQueue._meta.app_label`); the same array: as it is.
 * Their map by class is made when the routers' code first names a class (most routers name none: a new models array
 * after each models edit cost ~2 ms of the benchmark project's edits).
 */
function withModels(ctx: Ctx, models: ModelInfo[]): void {
  if (ctx.modelsFrom === models) return;
  ctx.modelsByClass = null;
  ctx.modelsFrom = models;
}

/** The models of `withModels` by `file\0class name`. */
function modelsByClass(ctx: Ctx): Map<string, ModelInfo[]> {
  if (ctx.modelsByClass) return ctx.modelsByClass;
  const by = new Map<string, ModelInfo[]>();
  for (const m of ctx.modelsFrom ?? []) {
    const k = `${m.loc.path}\0${m.name}`;
    const list = by.get(k);
    if (list) list.push(m);
    else by.set(k, [m]);
  }
  return (ctx.modelsByClass = by);
}

/** The model a class value of the routers' code is (its file, name and class statement), if it is one. */
function modelOfClass(ctx: Ctx, cls: ClassV): ModelInfo | undefined {
  const file = cls.globals?.file;
  if (!file || !cls.def) return undefined;
  const found = modelsByClass(ctx).get(`${file}\0${cls.name}`);
  if (!found) return undefined;
  const def = cls.def;
  return found.find(m => m.loc.line === def.line || (def.line - def.decorators.length <= m.loc.line && m.loc.line <= def.line));
}

/** `Model._meta` of a model class named in the routers' code: its facts are constants of the call, not inputs. */
function namedModelMeta(m: ModelInfo, writes: MetaWrites | null): ObjV {
  return {
    kind: 'obj', type: 'model._meta', attrs: new Map(), missing: 'unknown',
    data: { attr: (name: string): Value | undefined => metaValue(m, name, undefined, writes) },
  };
}
const CALL_FUEL = 200_000;

/** The context of these settings, built anew when a file its routers' code came from changed. */
function contextOf(index: ModuleIndex, settings: SettingsInfo, purpose?: string): Ctx {
  let ctx = CTX.get(settings);
  // (strict: the context keeps the parsed code, an edit of a function it has not run yet counts too)
  if (ctx && ctx.index === index && ctx.metaWrites === (META_WRITES.get(index) ?? null) && unchanged(ctx.deps, false, true)) {
    // what a computation asking `purpose` of it depends on: its making, and the answers to `purpose` it keeps
    noteDeps(ctx.base);
    noteUsed(ctx, purpose);
    return ctx;
  }
  const before = ctx ?? contextBefore(index, settings);
  const built = track(() => makeCtx(index, settings));
  ctx = built.value;
  ctx.base = built.deps;
  ctx.deps = { files: new Map(), dirs: new Map(), structure: built.deps.structure };
  mergeDeps(ctx.deps, built.deps);
  if (before && before.index === index) {
    carryTrees(before, ctx);
    // what the trees taken keep answering depends on what their runs read
    noteUsed(ctx, purpose);
  }
  CTX.set(settings, ctx);
  LAST_CTX.set(index, ctx);
  return ctx;
}

/** The computation being recorded depends on the answers to `purpose` the context keeps (undefined: to every purpose). */
function noteUsed(ctx: Ctx, purpose: string | undefined): void {
  const used = purpose === undefined ? undefined : ctx.used.get(purpose);
  if (used) noteDeps(used);
  else if (purpose === undefined) for (const u of ctx.used.values()) noteDeps(u);
}

/** `deps` added to what the context's answers to `purpose` depend on. */
function addUsed(ctx: Ctx, purpose: string, deps: Deps): void {
  let used = ctx.used.get(purpose);
  if (!used) ctx.used.set(purpose, (used = { files: new Map(), dirs: new Map(), structure: deps.structure }));
  mergeDeps(used, deps);
}

/**
 * A context made again (a file its routers' code came from changed) takes the decision trees of the one before that
 * are still right: the same routers in the same places, made from what is unchanged as far as making them ran, each
 * tree's runs having read and run nothing that changed. An edit inside one router's allow_migrate then runs that
 * router again, not every router before it for every model (issue 11: an edit of a router module ran every
 * decision again).
 */
function carryTrees(before: Ctx, ctx: Ctx): void {
  // (unchanged as run: the routers' modules and the functions their making ran, vfs execReads; else nothing is taken)
  if (!before.base.shapes || !unchanged(before.base) || before.metaWrites !== ctx.metaWrites) return;
  const take = (tree: TreeNode, purpose: string): boolean => {
    const d = TREE_DEPS.get(tree);
    if (!d) return false;
    // the files the tree's runs only ran were read when the context before was made: compared as they were then
    // (their stat while that context lived); one it did not know cannot be compared, and the tree is not taken
    const files = new Map(d.files);
    for (const f of d.shapes?.keys() ?? []) {
      if (files.has(f)) continue;
      const k = before.deps.files.get(f);
      if (k === undefined) return false;
      files.set(f, k);
    }
    if (!unchanged({ ...d, files })) return false;
    mergeDeps(ctx.deps, d);
    addUsed(ctx, purpose, d);
    return true;
  };
  ctx.routers.forEach((r, i) => {
    const was = before.routers[i];
    if (!was || was.label !== r.label || was.path !== r.path || !!was.error || !!r.error || !!was.skip !== !!r.skip) return;
    if (r.method && was.method && take(was.tree, 'allow_migrate')) r.tree = was.tree;
    for (const [name, slot] of was.routes ?? []) {
      if (slot.kind === 'method' && take(slot.tree, name)) (r.carried ??= new Map()).set(name, slot.tree);
    }
  });
}

/**
 * Run the routers' code for `purpose` (a method's name), adding what it reads and runs to the context's dependencies
 * (and to those of the decision tree `tree` that keeps its answer).
 */
function evaluating<T>(ctx: Ctx, purpose: string, fn: () => T, tree?: TreeNode): T {
  const r = track(fn);
  mergeDeps(ctx.deps, r.deps);
  // (with the functions run: a later computation answered from the context's caches depends on them too)
  addUsed(ctx, purpose, r.deps);
  if (tree) {
    let d = TREE_DEPS.get(tree);
    if (!d) TREE_DEPS.set(tree, (d = { files: new Map(), dirs: new Map(), structure: r.deps.structure }));
    mergeDeps(d, r.deps);
  }
  return r.value;
}

/**
 * The routers' context for one call over `models`: the models' class bodies are read per call (a models edit gives new
 * ModelInfo objects, not a new context; kept in the context, a class body's names read before its module was edited
 * answered `getattr(model, …)` after it: the fuzzer, on kpi, a write route "depends on thread-local DB_ALIAS" where
 * it "may raise").
 */
function callContext(index: ModuleIndex, settings: SettingsInfo, purpose: string, models: ModelInfo[]): Ctx {
  const ctx = contextOf(index, settings, purpose);
  ctx.classNames = new Map();
  ctx.symbols = new SymbolTable(index);
  withModels(ctx, models);
  return ctx;
}

/**
 * The routers' allow_migrate for every concrete model on every alias. What it reads of the routers' files is by
 * running their code: a result of it depends on the functions run, not on the others' bodies (vfs `execReads`).
 */
export function evaluateRouting(index: ModuleIndex, settings: SettingsInfo, models: ModelInfo[], aliases: string[]): RoutingResult {
  return execReads(() => evaluateRoutingNow(index, settings, models, aliases));
}

function evaluateRoutingNow(index: ModuleIndex, settings: SettingsInfo, models: ModelInfo[], aliases: string[], keep?: { prev: RouterDecision[]; changed: ReadonlySet<string> }): RoutingResult {
  const ctx = callContext(index, settings, 'allow_migrate', models);
  const decisions: RouterDecision[] = [];
  const concrete = concreteModels(models);
  const byKey = modelsByKey(models);
  // (the earlier decisions by alias and model: indexed once per array, its consumers index it too)
  const old = keep ? indexDecisions(keep.prev) : undefined;
  for (const alias of aliases) {
    for (const m of concrete) decisions.push((old && !keep!.changed.has(m.key) ? old.get(alias, m.key) : undefined) ?? decide(ctx, alias, m, byKey));
  }
  return { decisions, routerLocs: ctx.routerLocs, problems: ctx.problems };
}

/**
 * `evaluateRouting` again after some models changed as the routers see them (`changed`: their keys), the routers'
 * code the same: the other models keep their decisions from `prev` (a proxy whose base changed is decided again).
 */
export function evaluateRoutingAgain(index: ModuleIndex, settings: SettingsInfo, models: ModelInfo[], aliases: string[], prev: RouterDecision[], changed: ReadonlySet<string>): RoutingResult {
  RUN_STATS.again++;
  return execReads(() => evaluateRoutingNow(index, settings, models, aliases, { prev, changed: withDescendants(models, changed) }));
}

/**
 * The models `changed` names and those below them (their bases, transitively): what a model's routing may read of
 * others (`_meta.concrete_model`, `issubclass`) is up its bases.
 */
export function withDescendants(models: readonly ModelInfo[], changed: ReadonlySet<string>): Set<string> {
  const all = new Set(changed);
  for (let grew = true, rounds = 0; grew && rounds < 20; rounds++) {
    grew = false;
    for (const m of models) if (m.bases.length && !all.has(m.key) && m.bases.some(b => all.has(b))) { all.add(m.key); grew = true; }
  }
  return all;
}

/** The keys of the entries of `now` that are not the very objects `before` held under the same key (new ones too). */
export function changedEntries(before: readonly { key: string }[], now: readonly { key: string }[]): Set<string> {
  const was = new Map(before.map(v => [v.key, v]));
  return new Set(now.filter(v => was.get(v.key) !== v).map(v => v.key));
}

function makeCtx(index: ModuleIndex, settings: SettingsInfo): Ctx {
  // (a read of a setting or of the environment is noted: contextBefore)
  const reads = { settings: false };
  const settingsValue = settingsObject(settings, () => { reads.settings = true; });
  const env = new Proxy(settingsEnv(settings) ?? {}, {
    get: (t, k) => { reads.settings = true; return Reflect.get(t, k); },
    has: (t, k) => { reads.settings = true; return Reflect.has(t, k); },
    ownKeys: t => { reads.settings = true; return Reflect.ownKeys(t); },
    getOwnPropertyDescriptor: (t, k) => { reads.settings = true; return Reflect.getOwnPropertyDescriptor(t, k); },
  });
  const interp = new Interp(index, { env, external: true, settings: settingsValue, fuel: 5_000_000, python: settingsPython(settings) });
  const ctx: Ctx = {
    index, interp, routers: [], routerLocs: {}, problems: [], symbols: new SymbolTable(index), classNames: new Map(), deps: { files: new Map(), dirs: new Map(), structure: 0 }, base: { files: new Map(), dirs: new Map(), structure: 0 }, used: new Map(), modelsByClass: null, modelsFrom: null,
    settings, get readSettings() { return reads.settings; }, metaWrites: META_WRITES.get(index) ?? null,
  };
  interp.modelMeta = cls => {
    const m = modelOfClass(ctx, cls);
    return m ? namedModelMeta(m, ctx.metaWrites) : undefined;
  };
  // apps.get_app_configs(): INSTALLED_APPS' AppConfig objects, made once (their modules are imported like any other)
  let configs: Value | undefined;
  interp.appConfigs = () => (configs ??= appConfigs(interp, settings));
  const objects = new Set(settings.routerObjects ?? []);
  settings.routers.forEach((p, i) => {
    // two entries of one class (a router factory's objects) are told apart by their position
    const twin = p !== null && settings.routers.filter(x => x === p).length > 1;
    const cls = p?.split('.').pop();
    const r: Router = {
      path: p, label: p === null ? `DATABASE_ROUTERS[${i}]` : twin ? `${p} (DATABASE_ROUTERS[${i}])` : p,
      // (etools-datamart's router_factory("etools", …) and router_factory("prp", …): "InnerRouter.allow_migrate
      // returned False" named neither)
      short: cls === undefined ? `DATABASE_ROUTERS[${i}]` : twin ? `${cls} (DATABASE_ROUTERS[${i}])` : cls,
      tree: {},
    };
    ctx.routers.push(r);
    if (p === null) {
      // DATABASE_ROUTERS itself unreadable: its settings-unknown error says so once
      const whole = settings.unreadable?.includes('DATABASE_ROUTERS');
      // (the label names the entry: the message says why, where the settings know: clubbable's routers chosen by
      // os.environ['X'] gave "DATABASE_ROUTERS[0]: DATABASE_ROUTERS[0] is not statically known")
      const why = settings.partial?.find(x => x.name === 'DATABASE_ROUTERS')?.reason;
      r.error = { message: whole ? 'DATABASE_ROUTERS could not be read statically' : `this entry is not statically known${why ? `: ${why}` : ''}` };
      if (!whole) ctx.problems.push({ router: r.label, message: r.error.message });
      return;
    }
    // an object the settings made (a factory's closure class, a class given arguments): that very object, as
    // Django's ConnectionRouter takes it; a dotted path is imported and instantiated without arguments
    const obj = objects.has(i) ? routerObject(settings, i) : undefined;
    if (obj) useRouter(ctx, r, p, obj, obj.kind === 'instance' ? obj.cls.module : p);
    else resolveRouter(ctx, r, p);
    // a router module that is not there has no file to point at (bustimes: "multidb:1"): the finding has no location
    if (r.error?.loc && !path.isAbsolute(r.error.loc.path)) delete r.error.loc;
    if (r.error) ctx.problems.push({ router: r.label, message: r.error.message, ...(r.error.loc ? { loc: r.error.loc } : {}) });
  });
  return ctx;
}

function resolveRouter(ctx: Ctx, r: Router, p: string): void {
  const interp = ctx.interp;
  const dot = p.lastIndexOf('.');
  if (dot <= 0) { r.error = { message: `${p} is not a dotted path (module.Class)` }; return; }
  const modName = p.slice(0, dot);
  const attr = p.slice(dot + 1);
  interp.fuel = 5_000_000;
  try {
    const m = interp.importModule(modName);
    const errs = interp.moduleErrors.get(modName) ?? [];
    const cls = interp.moduleAttr(m, attr, { path: m.ns?.file ?? modName, line: 1 }, true);
    if (cls.kind === 'unknown') {
      r.error = { message: `${p} is not statically known: ${cls.reason}${errs.length ? ` (${errs[0]!.reason})` : ''}`, ...(cls.loc ? { loc: cls.loc } : {}) };
      return;
    }
    useRouter(ctx, r, p, cls, modName);
  } catch (e) {
    if (e instanceof PyErr) { r.error = { message: `cannot load ${p}: ${e}`, ...(e.loc ? { loc: e.loc } : {}) }; return; }
    if (e instanceof BudgetErr) { r.error = { message: `cannot load ${p}: ${e.message}` }; return; }
    throw e;
  }
}

/** `r` is the router `value`: a class (instantiated without arguments, as Django does with a dotted path) or an object. */
function useRouter(ctx: Ctx, r: Router, p: string, value: Value, modName: string): void {
  const interp = ctx.interp;
  try {
    const locs: { cls?: Loc; allowMigrate?: Loc } = ctx.routerLocs[p] ?? {};
    ctx.routerLocs[p] = locs;
    let inst: Value;
    if (value.kind === 'class') {
      if (value.loc) locs.cls = value.loc;
      inst = interp.instantiate(value, [], [], value.loc ?? { path: modName, line: 1 });
    } else {
      if (value.kind === 'instance' && value.cls.loc) locs.cls = value.cls.loc;
      inst = value;
    }
    r.inst = inst;
    let method: Value;
    try {
      method = interp.getAttr(inst, 'allow_migrate', locs.cls ?? { path: modName, line: 1 });
    } catch (e) {
      if (e instanceof PyErr && e.type === 'AttributeError') { r.skip = true; return; }
      throw e;
    }
    const fn = method.kind === 'bound' ? method.fn : method.kind === 'function' ? method : null;
    if (fn) locs.allowMigrate = fn.loc;
    if (method.kind === 'unknown') { r.error = { message: `allow_migrate of ${r.label} is not statically known: ${method.reason}`, ...(method.loc ? { loc: method.loc } : {}) }; return; }
    r.method = method;
  } catch (e) {
    if (e instanceof PyErr) { r.error = { message: `cannot load ${r.label}: ${e}`, ...(e.loc ? { loc: e.loc } : {}) }; return; }
    if (e instanceof BudgetErr) { r.error = { message: `cannot load ${r.label}: ${e.message}` }; return; }
    throw e;
  }
}

function decide(ctx: Ctx, alias: string, m: ModelInfo, byKey: ReadonlyMap<string, ModelInfo>): RouterDecision {
  const base = { alias, model: m.key };
  if (m.proxy) return { ...base, migrate: false, decidedBy: null, reason: 'proxy', explanation: 'proxy model: migrations never create its table' };
  if (m.swapped) return { ...base, migrate: false, decidedBy: null, reason: 'swapped', explanation: `swapped out for ${m.swappedFor ?? 'another model'} (AUTH_USER_MODEL or similar)` };
  if (!m.managed) return { ...base, migrate: false, decidedBy: null, reason: 'unmanaged', explanation: 'Meta.managed = False: migrations never touch its table' };
  for (const r of ctx.routers) {
    if (r.error) {
      return { ...base, migrate: null, decidedBy: null, reason: 'unknown', explanation: `router ${r.label} cannot be evaluated: ${r.error.message}`, ...(r.error.loc ? { loc: r.error.loc } : {}) };
    }
    if (r.skip || !r.method) continue;
    const a = answer(ctx, r, r.tree, 'allow_migrate', r.method, { alias, model: m, ctx, byKey });
    if (a.kind === 'none') continue;
    if (a.kind === 'bool') return { ...base, migrate: a.v, decidedBy: r.path, reason: 'router', explanation: a.explanation, ...(a.loc ? { loc: a.loc } : {}) };
    return { ...base, migrate: null, decidedBy: null, reason: 'unknown', explanation: a.explanation, ...(a.loc ? { loc: a.loc } : {}) };
  }
  return { ...base, migrate: true, decidedBy: null, reason: 'default', explanation: ctx.routers.length ? 'every router returned None: Django migrates by default' : noRouters(ctx.settings) };
}

/** Why a model migrates everywhere when DATABASE_ROUTERS is empty (here: maybe not where the project runs). */
function noRouters(settings: SettingsInfo): string {
  const env = settings.routersEnvDefaults?.variables;
  return env
    ? `no DATABASE_ROUTERS with this environment (it reads ${env.join(', ')}, not set here): Django migrates every model on every database`
    : 'no DATABASE_ROUTERS: Django migrates every model on every database';
}

// ---- db_for_read / db_for_write -----------------------------------------------------------------------

/** Where Django sends a model's queries (`router.db_for_read(Model)` / `db_for_write(Model)`), decided statically. */
export interface DbRoute {
  /** "app.Model" */
  model: string;
  /** the alias Django uses; null = unknown */
  alias: string | null;
  /** the first router whose method returned an alias (dotted path), else null */
  decidedBy: string | null;
  reason: 'router' | 'default' | 'unknown';
  /** the deciding `return` (or where evaluation gave up) */
  loc?: Loc;
  explanation: string;
  /**
   * with `alias` null: the aliases the router picks one of, each call anew (random.choice, itertools.cycle over
   * replicas), `decidedBy` that router
   */
  choices?: string[];
  /**
   * with `alias` null: the answer reads state set at run time (a thread-local, the transaction), so Django asked
   * outside a request (Django mode) answers one of its cases only, and the route stays unknown (or its `choices`)
   */
  runtime?: true;
  /** who answered: Django (Django mode), else the static reading */
  source?: 'static' | 'django';
}

/**
 * Django's `ConnectionRouter.db_for_read(model)` / `db_for_write(model)` for each concrete model (proxies and
 * unmanaged models too: they are queried; swapped ones are not), as a queryset asks it: no hints. The first
 * router whose method returns a true value wins; when none does, `default` (ConnectionRouter._router_func: the
 * `instance` hint's database applies only to calls with an instance, e.g. `obj.save()` of a loaded object).
 */
export function evaluateDbRoutes(index: ModuleIndex, settings: SettingsInfo, models: ModelInfo[], method: 'db_for_read' | 'db_for_write', opts: { historical?: boolean; only?: ModelInfo[]; migrating?: string | null } = {}): DbRoute[] {
  return execReads(() => evaluateDbRoutesNow(index, settings, models, method, opts));
}

function evaluateDbRoutesNow(index: ModuleIndex, settings: SettingsInfo, models: ModelInfo[], method: 'db_for_read' | 'db_for_write', opts: { historical?: boolean; only?: ModelInfo[]; migrating?: string | null }): DbRoute[] {
  const ctx = callContext(index, settings, method, models);
  const byKey = modelsByKey(models);
  return (opts.only ?? models).filter(m => !m.abstract && !m.swapped).map(m => decideRoute(ctx, m, byKey, method, !!opts.historical, opts.migrating ?? null));
}

/** The functions Django would call as each router's allow_migrate / db_for_read / db_for_write (inherited ones too). */
export function routerMethodDefs(index: ModuleIndex, settings: SettingsInfo): { router: string; method: RouterMethod; fn: FuncV }[] {
  const ctx = contextOf(index, settings);
  const out: { router: string; method: RouterMethod; fn: FuncV }[] = [];
  for (const r of ctx.routers) {
    if (!r.path) continue;
    for (const name of ['allow_migrate', 'db_for_read', 'db_for_write'] as const) {
      const v = name === 'allow_migrate' ? r.method : (() => { const s = routeSlot(ctx, r, name); return s.kind === 'method' ? s.value : undefined; })();
      const fn = v?.kind === 'bound' ? v.fn : v?.kind === 'function' ? v : null;
      if (fn) out.push({ router: r.path, method: name, fn });
    }
  }
  return out;
}

function routeSlot(ctx: Ctx, r: Router, name: RouterMethod): MethodSlot {
  r.routes ??= new Map();
  let slot = r.routes.get(name);
  if (slot) return slot;
  if (!r.inst) slot = { kind: 'error', message: r.error?.message ?? `${r.label} is not statically known`, ...(r.error?.loc ? { loc: r.error.loc } : {}) };
  else {
    const where = ctx.routerLocs[r.path ?? '']?.cls ?? { path: r.label, line: 1 };
    ctx.interp.fuel = CALL_FUEL;
    try {
      const v = ctx.interp.getAttr(r.inst, name, where);
      slot = v.kind === 'unknown'
        ? { kind: 'error', message: `${name} of ${r.label} is not statically known: ${v.reason}`, ...(v.loc ? { loc: v.loc } : {}) }
        : { kind: 'method', value: v, tree: r.carried?.get(name) ?? {} };
    } catch (e) {
      // ConnectionRouter._router_func: a router without the method is skipped
      if (e instanceof PyErr && e.type === 'AttributeError') slot = { kind: 'absent' };
      else if (e instanceof PyErr || e instanceof BudgetErr) slot = { kind: 'error', message: `${name} of ${r.label}: ${e instanceof PyErr ? String(e) : e.message}` };
      else throw e;
    }
  }
  r.routes.set(name, slot);
  return slot;
}

function decideRoute(ctx: Ctx, m: ModelInfo, byKey: ReadonlyMap<string, ModelInfo>, name: 'db_for_read' | 'db_for_write', historical = false, migrating: string | null = null, from = 0): DbRoute {
  const base = { model: m.key };
  for (let i = from; i < ctx.routers.length; i++) {
    const r = ctx.routers[i]!;
    const slot = routeSlot(ctx, r, name);
    if (slot.kind === 'absent') continue;
    if (slot.kind === 'error') {
      return { ...base, alias: null, decidedBy: null, reason: 'unknown', explanation: `router ${r.label} cannot be evaluated: ${slot.message}`, ...(slot.loc ? { loc: slot.loc } : {}) };
    }
    const a = answer(ctx, r, slot.tree, name, slot.value, { alias: '', model: m, ctx, byKey, historical, migrating });
    if (a.kind === 'none') continue;
    if (a.kind === 'alias') return { ...base, alias: a.v, decidedBy: r.path, reason: 'router', explanation: a.explanation, ...(a.loc ? { loc: a.loc } : {}) };
    if (a.kind === 'unknown' && a.choices && a.fallsThrough) {
      // where it returns None, the routers after it (or 'default') answer: their aliases join its choices
      const rest = decideRoute(ctx, m, byKey, name, historical, migrating, i + 1);
      const more = rest.alias !== null ? [rest.alias] : rest.choices ?? null;
      const then = `; where it returns None, ${rest.explanation}`;
      const runtime = a.runtime || rest.runtime ? { runtime: true as const } : {};
      if (!more) return { ...base, alias: null, decidedBy: null, reason: 'unknown', explanation: a.explanation + then, ...(a.loc ? { loc: a.loc } : {}), ...runtime };
      const choices = [...new Set([...a.choices, ...more])];
      // one alias either way (CourtListener without replicas: its list falls back to 'default'): that one, as the
      // routers after it give it
      if (choices.length === 1 && rest.alias === choices[0]) return { ...rest, explanation: a.explanation + then };
      return { ...base, alias: null, decidedBy: r.path, reason: 'unknown', explanation: a.explanation + then, choices, ...(a.loc ? { loc: a.loc } : {}), ...runtime };
    }
    if (a.kind === 'unknown' && a.choices) return { ...base, alias: null, decidedBy: r.path, reason: 'unknown', explanation: a.explanation, choices: a.choices, ...(a.loc ? { loc: a.loc } : {}), ...(a.runtime ? { runtime: true } : {}) };
    return { ...base, alias: null, decidedBy: null, reason: 'unknown', explanation: a.explanation, ...(a.loc ? { loc: a.loc } : {}), ...(a.kind === 'unknown' && a.runtime ? { runtime: true } : {}) };
  }
  return {
    ...base, alias: 'default', decidedBy: null, reason: 'default',
    explanation: ctx.routers.length ? `every router's ${name} returned None: Django uses 'default'` : `no DATABASE_ROUTERS: Django uses 'default'`,
  };
}

// ---- allow_migrate without a model: RunPython, RunSQL and other operations with hints ---------------

/** What the router chain answers for `allow_migrate(db, app_label, **hints)`, as a RouterDecision without a model. */
export type HintDecision = Omit<RouterDecision, 'model' | 'alias'>;

const HINT_MEMO = new WeakMap<Ctx, Map<string, HintDecision>>();

/**
 * Django's `ConnectionRouter.allow_migrate(db, app_label, **hints)` as RunPython/RunSQL call it
 * (`router.allow_migrate(schema_editor.connection.alias, app_label, **self.hints)`): the same chaining as for
 * models, with the hints as keyword arguments and no `model`. Memoised per (alias, app, hints).
 */
export function evaluateHintRouting(index: ModuleIndex, settings: SettingsInfo, alias: string, appLabel: string, hints: Record<string, unknown>, models?: ModelInfo[]): HintDecision {
  return execReads(() => evaluateHintRoutingNow(index, settings, alias, appLabel, hints, models));
}

function evaluateHintRoutingNow(index: ModuleIndex, settings: SettingsInfo, alias: string, appLabel: string, hints: Record<string, unknown>, models?: ModelInfo[]): HintDecision {
  return hintDecider(index, settings, models)(alias, appLabel, hints);
}

/**
 * `evaluateHintRouting` for every query on every alias, keyed by `hintKey`: the context is checked once (a check per
 * call was most of the time of a large project's thousand queries, each answered by the memo).
 */
export function evaluateHintRoutings(index: ModuleIndex, settings: SettingsInfo, queries: readonly { app: string; hints: Record<string, unknown> }[], aliases: readonly string[], models?: ModelInfo[]): Record<string, HintDecision> {
  return execReads(() => {
    const out: Record<string, HintDecision> = {};
    if (!queries.length || !aliases.length) return out;
    const decide = hintDecider(index, settings, models);
    for (const q of queries) {
      for (const alias of aliases) {
        const key = hintKey(alias, q.app, q.hints);
        out[key] = decide(alias, q.app, q.hints, key);
      }
    }
    return out;
  });
}

function hintDecider(index: ModuleIndex, settings: SettingsInfo, models?: ModelInfo[]): (alias: string, appLabel: string, hints: Record<string, unknown>, key?: string) => HintDecision {
  const ctx = contextOf(index, settings, 'hints');
  // the model classes the routers may name (`SyncQueue._meta.app_label`); the memo below is the context's, whose
  // files (those model classes' too) are unchanged
  if (models) withModels(ctx, models);
  let memo = HINT_MEMO.get(ctx);
  if (!memo) HINT_MEMO.set(ctx, (memo = new Map()));
  const known = memo;
  return (alias, appLabel, hints, key = hintKey(alias, appLabel, hints)) => {
    const hit = known.get(key);
    if (hit) return hit;
    const d = evaluating(ctx, 'hints', () => decideHints(ctx, alias, appLabel, hints));
    known.set(key, d);
    return d;
  };
}

function decideHints(ctx: Ctx, alias: string, appLabel: string, hints: Record<string, unknown>): HintDecision {
  for (const r of ctx.routers) {
    if (r.error) return { migrate: null, decidedBy: null, reason: 'unknown', explanation: `router ${r.label} cannot be evaluated: ${r.error.message}`, ...(r.error.loc ? { loc: r.error.loc } : {}) };
    if (r.skip || !r.method) continue;
    const a = runHints(ctx, r, alias, appLabel, hints);
    if (a.kind === 'none') continue;
    if (a.kind === 'bool') return { migrate: a.v, decidedBy: r.path, reason: 'router', explanation: a.explanation, ...(a.loc ? { loc: a.loc } : {}) };
    return { migrate: null, decidedBy: null, reason: 'unknown', explanation: a.explanation, ...(a.loc ? { loc: a.loc } : {}) };
  }
  return { migrate: true, decidedBy: null, reason: 'default', explanation: ctx.routers.length ? 'every router returned None: Django runs it by default' : 'no DATABASE_ROUTERS: Django runs it on every database' };
}

function runHints(ctx: Ctx, r: Router, alias: string, appLabel: string, hints: Record<string, unknown>): Answer {
  DISPLAY_ROOT = ctx.index.displayRoot;
  RUN_STATS.runs++;
  RUN_STATS.byMethod.hints = (RUN_STATS.byMethod.hints ?? 0) + 1;
  const interp = ctx.interp;
  const dbV: Value = { kind: 'str', v: alias };
  const appV: Value = { kind: 'str', v: appLabel };
  const kwargs: [string, Value][] = Object.entries(hints).map(([k, v]) => [k, fromJS(v)]);
  interp.inputs = new Map<Value, string>([[dbV, 'db'], [appV, 'app_label']]);
  interp.observe = null;
  interp.forks = [];
  interp.fuel = CALL_FUEL;
  // allow_migrate is asked during migrate: nothing has set a thread-local there
  interp.threadLocalsUnset = true;
  const label = `${r.short}.allow_migrate`;
  const method = r.method!;
  try {
    if (method.kind === 'bound' || method.kind === 'function') {
      const fn: FuncV = method.kind === 'bound' ? method.fn : method;
      const args = method.kind === 'bound' ? [method.self, dbV, appV] : [dbV, appV];
      if (fn.def.type === 'FunctionDef' && fn.def.isAsync) return { kind: 'unknown', explanation: `${label} is a coroutine function`, loc: fn.loc };
      return classify(label, fn, interp.runFunction(fn, args, kwargs, fn.loc), allowValue);
    }
    return allowValue(label, interp.call(method, [dbV, appV], kwargs, undefined), undefined);
  } catch (e) {
    if (e instanceof PyErr) return { kind: 'unknown', explanation: `${label} raised ${e}${e.loc ? ` at ${shortLoc(e.loc, DISPLAY_ROOT)}` : ''}`, ...(e.loc ? { loc: e.loc } : {}) };
    if (e instanceof BudgetErr) return { kind: 'unknown', explanation: `${label}: ${e.message}` };
    throw e;
  } finally {
    interp.inputs = null;
    interp.threadLocalsUnset = false;
  }
}

// ---- inputs & the decision tree -------------------------------------------------------------------

interface Inputs {
  alias: string;
  model: ModelInfo;
  ctx: Ctx;
  byKey: ReadonlyMap<string, ModelInfo>;
  /**
   * the model as RunPython code has it (`apps.get_model`): a class built from the migration state, which is none
   * of the project's classes (`model is SyncQueue`, `issubclass(model, NetworkLocation)` are False)
   */
  historical?: boolean;
  /** the database the RunPython asking runs on (Evaluator.migratingAlias) */
  migrating?: string | null;
}

/** The value of an observation key for these inputs (must match what the model object reports). */
function observedKey(key: string, inp: Inputs): string {
  switch (key) {
    case 'db': return inp.alias;
    case 'app_label': return inp.model.app;
    case 'model_name': return inp.model.modelName;
    case 'model': return inp.historical ? `${inp.model.key} (historical)` : inp.model.key;
    // thread-locals are unset when the routers are asked about migrate (the historical models), unknown otherwise
    case 'threadlocal': return inp.historical ? 'unset' : 'as asked';
    case 'autocommit': return inp.migrating ?? 'not known';
    // a pick at random (random.choice, a cycle's next()): the same for every input
    case 'random': return 'picked';
    default:
      if (key.startsWith('meta.')) return valueKey(metaValue(inp.model, key.slice(5), inp.byKey, inp.ctx.metaWrites));
      if (key.startsWith('attr.')) return valueKey(modelAttrValue(inp, key.slice(5)));
      {
        // `app_label in ANALYTICS_APPS` (python/expressions.ts compareInput): whether the input is one of them
        const m = membershipOf(key);
        if (m) return m.set.has(observedKey(m.base, inp)) ? 'in' : 'not in';
      }
      return '?';
  }
}

function valueKey(v: Value | undefined): string {
  if (v === undefined || v === ABSENT_ATTR) return 'absent';
  if (v.kind === 'unknown') return 'unknown';
  return repr(v);
}

function answer(ctx: Ctx, r: Router, tree: TreeNode, name: RouterMethod, method: Value, inp: Inputs): Answer {
  let node = tree;
  for (let guard = 0; guard < 200; guard++) {
    if (node.leaf) return node.leaf;
    if (node.byModel) {
      const own = node.byModel.get(observedKey('model', inp));
      if (own && own.place === placeOf(inp.model)) return own.ans;
      break;
    }
    if (!node.key || !node.children) break;
    const next = node.children.get(observedKey(node.key, inp));
    if (!next) break;
    node = next;
  }
  const { ans, obs } = evaluating(ctx, name, () => run(ctx, r, name, method, inp), tree);
  if (obs) insert(tree, obs, ans, namesModel(ans, inp.model) ? { model: observedKey('model', inp), place: placeOf(inp.model) } : null);
  return ans;
}

/** Where a model is defined: what an answer naming it says besides its label (a line typed above it moves it). */
function placeOf(m: ModelInfo): string {
  return `${m.loc.path}:${m.loc.line}`;
}

/**
 * Whether an answer's text or place is the model's own (an unknown attribute of it: its label and where it is
 * defined): another model observing the same (that attribute not known either) has its own answer.
 */
function namesModel(ans: Answer, m: ModelInfo): boolean {
  if (ans.kind === 'none') return false;
  return ans.explanation.includes(m.key) || (!!ans.loc && ans.loc.path === m.loc.path && ans.loc.line === m.loc.line);
}

/** Keep `ans` where `obs` leads: for every model observing the same, or (`own`) for that model only. */
function insert(root: TreeNode, obs: [string, string][], ans: Answer, own: { model: string; place: string } | null): void {
  let node = root;
  for (const [k, v] of obs) {
    if (node.leaf || node.byModel) return;
    if (node.key === undefined) { node.key = k; node.children = new Map(); }
    if (node.key !== k) return; // not deterministic: do not cache
    let c = node.children!.get(v);
    if (!c) { c = {}; node.children!.set(v, c); }
    node = c;
  }
  if (node.key !== undefined || node.leaf) return;
  if (own === null) { if (!node.byModel) node.leaf = ans; return; }
  (node.byModel ??= new Map()).set(own.model, { place: own.place, ans });
}

/** How many times the routers' methods were run (tests of what an edit evaluates again). */
export const RUN_STATS: { runs: number; byMethod: Record<string, number>; byRouter: Record<string, number>; again: number } = { runs: 0, byMethod: {}, byRouter: {}, again: 0 };
/** the project's folder while a router method is run (run, runHints): places in explanations relative to it */
let DISPLAY_ROOT: string | null = null;

function run(ctx: Ctx, r: Router, name: RouterMethod, method: Value, inp: Inputs): { ans: Answer; obs: [string, string][] | null } {
  DISPLAY_ROOT = ctx.index.displayRoot;
  RUN_STATS.runs++;
  const stat = inp.historical ? `${name} (historical)` : name;
  RUN_STATS.byMethod[stat] = (RUN_STATS.byMethod[stat] ?? 0) + 1;
  RUN_STATS.byRouter[r.label] = (RUN_STATS.byRouter[r.label] ?? 0) + 1;
  const interp = ctx.interp;
  const m = inp.model;
  const dbV: Value = { kind: 'str', v: inp.alias };
  const appV: Value = { kind: 'str', v: m.app };
  const nameV: Value = { kind: 'str', v: m.modelName };
  const modelObj = modelObject(inp, appV, nameV);
  const obs: [string, string][] = [];
  const seen = new Set<string>();
  let cacheable = true;
  const migrate = name === 'allow_migrate';
  interp.inputs = new Map<Value, string>(migrate ? [[dbV, 'db'], [appV, 'app_label'], [nameV, 'model_name']] : [[appV, 'app_label'], [nameV, 'model_name']]);
  interp.observe = (key: string, _v: Value) => {
    if (seen.has(key)) return;
    seen.add(key);
    obs.push([key, observedKey(key, inp)]);
  };
  interp.forks = [];
  interp.fuel = CALL_FUEL;
  // allow_migrate, and the routes of historical models, are asked during migrate: nothing has set a thread-local
  interp.threadLocalsUnset = migrate || !!inp.historical;
  interp.migratingAlias = inp.migrating ?? null;
  // apps.get_model(app_label, model_name) of the model asked about: that model (by the input values themselves,
  // or by its label written out)
  // (a function made once per call would make this function's variables a heap context: 2x slower routing)
  ASKED.appV = appV;
  ASKED.nameV = nameV;
  ASKED.model = modelObj;
  ASKED.info = m;
  interp.getModel = registryModel;
  const label = `${r.short}.${name}`;
  // ConnectionRouter.allow_migrate_model: allow_migrate(db, app_label, model_name=…, model=…);
  // ConnectionRouter._router_func: db_for_read(model, **hints), here with no hints (a queryset's own call)
  const callArgs = migrate ? [dbV, appV] : [modelObj];
  const kwargs: [string, Value][] = migrate ? [['model_name', nameV], ['model', modelObj]] : [];
  const valueOf = migrate ? allowValue : routeValue;
  try {
    if (method.kind === 'bound' || method.kind === 'function') {
      const fn: FuncV = method.kind === 'bound' ? method.fn : method;
      const args = method.kind === 'bound' ? [method.self, ...callArgs] : callArgs;
      if (fn.def.type === 'FunctionDef' && fn.def.isAsync) return { ans: { kind: 'unknown', explanation: `${label} is a coroutine function`, loc: fn.loc }, obs };
      const res = interp.runFunction(fn, args, kwargs, fn.loc);
      const ans = classify(label, fn, res, valueOf);
      return { ans: ans.kind === 'unknown' && obs.some(([k]) => RUNTIME_STATE.has(k)) ? { ...ans, runtime: true } : ans, obs: cacheable ? obs : null };
    }
    const v = interp.call(method, callArgs, kwargs, undefined);
    return { ans: valueOf(label, v, undefined), obs };
  } catch (e) {
    if (e instanceof PyErr) return { ans: { kind: 'unknown', explanation: `${label} raised ${e}${e.loc ? ` at ${shortLoc(e.loc, DISPLAY_ROOT)}` : ''}`, ...(e.loc ? { loc: e.loc } : {}) }, obs };
    if (e instanceof BudgetErr) { cacheable = false; return { ans: { kind: 'unknown', explanation: `${label}: ${e.message}` }, obs: null }; }
    throw e;
  } finally {
    interp.inputs = null;
    interp.observe = null;
    interp.threadLocalsUnset = false;
    interp.getModel = null;
    interp.migratingAlias = null;
  }
}

/** observations of state set at run time (a thread-local, whether a transaction is open), not of the inputs */
const RUNTIME_STATE = new Set(['threadlocal', 'autocommit', 'random']);

type ValueOf = (label: string, v: Value, loc: Loc | undefined) => Answer;

/** The model a router is being asked about (run), for apps.get_model(…) of it. */
const ASKED: { appV: Value | null; nameV: Value | null; model: Value | null; info: ModelInfo | null } = { appV: null, nameV: null, model: null, info: null };

/** apps.get_model(app_label, model_name) of the model asked about: that model (by the input values, or its label). */
function registryModel(args: Value[], kwargs: [string, Value][]): Value | undefined {
  const kw = (n: string) => kwargs.find(([k]) => k === n)?.[1];
  let app = args[0] ?? kw('app_label');
  let mn = args[1] ?? kw('model_name');
  if (app?.kind === 'str' && !mn && app.v.includes('.')) [app, mn] = [str(app.v.split('.')[0]!), str(app.v.split('.').slice(1).join('.'))];
  const m = ASKED.info;
  if (!m || !ASKED.model) return undefined;
  if (app === ASKED.appV && mn === ASKED.nameV) return ASKED.model;
  if (app?.kind === 'str' && mn?.kind === 'str' && app.v === m.app && mn.v.toLowerCase() === m.modelName) return ASKED.model;
  return undefined;
}

/**
 * Where to point for an answer: `at` (the code that made it unknown), unless that is a library's code (asgiref's
 * Local, a package's helper), then `own` (the router's return statement or the router method), which the user can edit.
 */
function projectLoc(at: Loc | undefined, own: Loc | undefined): Loc | undefined {
  return at && isExternalPath(at.path) && own && !isExternalPath(own.path) ? own : at ?? own;
}

/** allow_migrate: None falls through (`allow is not None`), anything else counts by its truth. */
function allowValue(label: string, v: Value, loc: Loc | undefined): Answer {
  if (v.kind === 'none') return { kind: 'none' };
  if (v.kind === 'unknown') {
    const at = projectLoc(v.loc, loc);
    return { kind: 'unknown', explanation: `${label} result ${dependsOn(v.reason)}${v.loc ? ` (${shortLoc(v.loc, DISPLAY_ROOT)})` : ''}`, ...(at ? { loc: at } : {}) };
  }
  const t = v.kind === 'instance' ? null : truthy(v);
  if (t === null) return { kind: 'unknown', explanation: `${label} returned ${repr(v)}, whose truth is not known`, ...(loc ? { loc } : {}) };
  return { kind: 'bool', v: t, explanation: `${label} returned ${repr(v)}${loc ? ` at ${shortLoc(loc, DISPLAY_ROOT)}` : ''}`, ...(loc ? { loc } : {}) };
}

/**
 * db_for_read / db_for_write: ConnectionRouter._router_func takes the first answer that is true (`if chosen_db:`),
 * so None, "" and False fall through; a true value that is not a string is not an alias Django can connect to.
 */
function routeValue(label: string, v: Value, loc: Loc | undefined): Answer {
  if (v.kind === 'unknown') {
    let at = projectLoc(v.loc, loc);
    // one of known aliases, or no answer on some paths (None: the next router decides): CourtListener's replica
    // router reads a replica only where its middleware set a ContextVar
    const some = routeChoices(v);
    if (some?.fallsThrough && some.aliases.length) {
      if (at && loc && at.path !== loc.path) at = loc;
      return {
        kind: 'unknown', explanation: `${label} returns one of ${some.aliases.map(c => `'${c}'`).join(', ')}, or None (the next router decides): ${v.reason}${v.loc ? ` (${shortLoc(v.loc, DISPLAY_ROOT)})` : ''}`,
        choices: some.aliases, fallsThrough: true, ...(at ? { loc: at } : {}), ...(some.picked ? { runtime: true as const } : {}),
      };
    }
    // one of known aliases (a replica picked at random): each of them a database Django may use
    const choices = v.choices?.every(c => c.kind === 'str' && c.v) ? v.choices.map(c => (c as { v: string }).v) : null;
    if (choices) {
      // the router's line that chooses, not where a helper it asks made the choice unknown (plane's request_scope.py)
      if (at && loc && at.path !== loc.path) at = loc;
      // (picked at run time: random.choice in the router's __init__, once per process, is seen by no call's observations)
      return { kind: 'unknown', explanation: `${label} returns one of ${choices.map(c => `'${c}'`).join(', ')}: ${v.reason}${v.loc ? ` (${shortLoc(v.loc, DISPLAY_ROOT)})` : ''}`, choices, ...(at ? { loc: at } : {}), ...(v.picked ? { runtime: true as const } : {}) };
    }
    return { kind: 'unknown', explanation: `${label} result ${dependsOn(v.reason)}${v.loc ? ` (${shortLoc(v.loc, DISPLAY_ROOT)})` : ''}`, ...(at ? { loc: at } : {}) };
  }
  if (v.kind === 'str') {
    if (!v.v) return { kind: 'none' };
    return { kind: 'alias', v: v.v, explanation: `${label} returned ${repr(v)}${loc ? ` at ${shortLoc(loc, DISPLAY_ROOT)}` : ''}`, ...(loc ? { loc } : {}) };
  }
  const t = v.kind === 'instance' ? null : truthy(v);
  if (t === false) return { kind: 'none' };
  return { kind: 'unknown', explanation: `${label} returned ${repr(v)}, which is not a database alias`, ...(loc ? { loc } : {}) };
}

/**
 * The aliases a route answer may be (non-empty strings; a "one of" inside a "one of" expanded) and whether it may be
 * no answer (None, "", False: the next router decides); null when an alternative is not known.
 */
function routeChoices(v: Value, depth = 0): { aliases: string[]; fallsThrough: boolean; picked: boolean } | null {
  if (v.kind === 'str') return v.v ? { aliases: [v.v], fallsThrough: false, picked: false } : { aliases: [], fallsThrough: true, picked: false };
  if (v.kind === 'none' || (v.kind === 'bool' && !v.v)) return { aliases: [], fallsThrough: true, picked: false };
  if (v.kind !== 'unknown' || !v.choices?.length || depth > 4) return null;
  const out = { aliases: [] as string[], fallsThrough: false, picked: !!v.picked };
  for (const c of v.choices) {
    const r = routeChoices(c, depth + 1);
    if (!r) return null;
    for (const a of r.aliases) if (!out.aliases.includes(a)) out.aliases.push(a);
    out.fallsThrough ||= r.fallsThrough;
    out.picked ||= r.picked;
  }
  return out;
}

function classify(label: string, fn: FuncV, res: ReturnType<Interp['runFunction']>, valueOf: ValueOf): Answer {
  if (res.raises.length) {
    const e = res.raises[0]!;
    const maybe = res.returns.length || res.fellOff ? 'may raise' : 'raised';
    return { kind: 'unknown', explanation: `${label} ${maybe} ${e}${e.loc ? ` at ${shortLoc(e.loc, DISPLAY_ROOT)}` : ''}`, ...(e.loc ? { loc: e.loc } : {}) };
  }
  const outs: Answer[] = res.returns.map(x => valueOf(label, x.value, x.loc));
  if (res.fellOff) outs.push({ kind: 'none' });
  if (!outs.length) return { kind: 'unknown', explanation: `${label} does not return`, loc: fn.loc };
  const firstUnknown = outs.find(o => o.kind === 'unknown');
  const sig = (a: Answer) => (a.kind === 'bool' ? String(a.v) : a.kind === 'alias' ? `alias:${a.v}` : a.kind);
  const same = outs.every(o => sig(o) === sig(outs[0]!));
  if (same && !firstUnknown) {
    const a = outs[0]!;
    if ((a.kind === 'bool' || a.kind === 'alias') && outs.length > 1) return { ...a, explanation: `${a.explanation} (on every path)` };
    return a;
  }
  if (firstUnknown && (same || !res.forks.length)) return firstUnknown;
  const f = res.forks[0];
  const words: Record<string, string> = { none: 'None', true: 'True', false: 'False', unknown: 'an unknown value' };
  const what = outs.map(sig).filter((x, i, arr) => arr.indexOf(x) === i).map(x => words[x] ?? `'${x.slice('alias:'.length)}'`).join(' or ');
  let at = projectLoc(f?.loc, fn.loc);
  // decided in a helper of another module (plane's request_scope.py): the router's own return that depends on it,
  // the line the user reads the router at (the helper's line is in the explanation)
  if (at && fn.loc && at.path !== fn.loc.path) at = res.returns.find(x => x.loc?.path === fn.loc.path)?.loc ?? fn.loc;
  // db_for_read / db_for_write returning one of some aliases on every path (Plane: "replica" when a request asked
  // for it, else "default"): those aliases are the ones Django may use, as for a replica picked at random
  // (and a path returning one of some aliases, or None on others: the next router decides there; CourtListener)
  const routed = outs.every(o => o.kind === 'alias' || o.kind === 'none' || (o.kind === 'unknown' && o.choices && !o.fallsThrough)) && outs.some(o => o.kind !== 'none');
  const choices = routed ? [...new Set(outs.flatMap(o => (o.kind === 'alias' ? [o.v] : o.kind === 'unknown' ? o.choices! : [])))] : undefined;
  const fallsThrough = routed && outs.some(o => o.kind === 'none');
  const runtime = outs.some(o => o.kind === 'unknown' && o.runtime);
  const named = choices && outs.some(o => o.kind === 'unknown') ? `one of ${choices.map(c => `'${c}'`).join(', ')}${fallsThrough ? ' or None' : ''}` : what;
  return {
    kind: 'unknown',
    explanation: `${label} returns ${named} depending on ${f ? `${f.reason}${f.loc ? ` (${shortLoc(f.loc, DISPLAY_ROOT)})` : ''}` : 'something not known statically'}`,
    ...(f?.loc && at ? { loc: at } : {}),
    ...(choices ? { choices } : {}),
    ...(fallsThrough ? { fallsThrough: true as const } : {}),
    ...(runtime ? { runtime: true as const } : {}),
  };
}

// ---- the model class routers see ------------------------------------------------------------------

const META_DEFAULTS: Record<string, unknown> = {
  required_db_vendor: null, required_db_features: [], db_table_comment: null, get_latest_by: null, order_with_respect_to: null,
  default_related_name: null, base_manager_name: null, default_manager_name: null, select_on_save: false, auto_created: false,
  swappable: null, ordering: [], unique_together: [], index_together: [], permissions: [], default_permissions: ['add', 'change', 'delete', 'view'],
  indexes: [], constraints: [], db_tablespace: '',
};

/**
 * The model `_meta.proxy_for_model` (the model a proxy stands for; null: not a proxy) or `_meta.concrete_model`
 * (the first model up its bases that is no proxy; itself for a concrete model) names; undefined when a base on the way
 * is not in the index. The historical model of a proxy is a proxy of the historical model of its base.
 */
function relatedModel(inp: Inputs, m: ModelInfo, name: 'proxy_for_model' | 'concrete_model'): ModelInfo | null | undefined {
  const parent = (x: ModelInfo): ModelInfo | undefined => {
    for (const b of x.bases) {
      const p = inp.byKey.get(b);
      if (p && !p.abstract) return p;
    }
    return undefined;
  };
  if (name === 'proxy_for_model') return m.proxy ? parent(m) : null;
  let cur: ModelInfo | undefined = m;
  for (let guard = 0; cur && cur.proxy && guard < 20; guard++) cur = parent(cur);
  return cur;
}

function metaValue(m: ModelInfo, name: string, byKey?: ReadonlyMap<string, ModelInfo>, writes?: MetaWrites | null): Value | undefined {
  switch (name) {
    // (the answer cache's key for these: the related model's label)
    case 'proxy_for_model': case 'concrete_model': {
      if (!byKey) return unknown(`${m.key}._meta.${name}`, m.loc);
      const t = relatedModel({ byKey } as Inputs, m, name);
      return t === null ? NONE : t === undefined ? unknown(`${m.key}._meta.${name}`, m.loc) : str(t.key);
    }
    case 'app_label': return str(m.app);
    case 'model_name': return str(m.modelName);
    case 'db_table': return str(m.table);
    case 'managed': return fromJS(m.managed);
    case 'proxy': return fromJS(m.proxy);
    case 'abstract': return fromJS(m.abstract);
    case 'object_name': return str(m.name);
    case 'label': return str(m.key);
    case 'label_lower': return str(`${m.app}.${m.modelName}`);
    case 'swapped': return m.swapped ? str(m.swappedFor ?? '') : NONE;
    default:
      if (Object.prototype.hasOwnProperty.call(m.meta, name)) return fromJS(m.meta[name]);
      if (Object.prototype.hasOwnProperty.call(META_DEFAULTS, name)) return fromJS(META_DEFAULTS[name]);
      // another name than Options' own, which the model's Meta does not declare and no code of the project sets
      // (models/meta-writes.ts): absent (AttributeError; getattr's default)
      if (writes && !writes.any && !writes.names.includes(name) && !OPTIONS_NAMES.has(name) && !name.startsWith('_')) return ABSENT_ATTR;
      return unknown(`${m.key}._meta.${name} is not modelled`, m.loc);
  }
}

/**
 * The names Django's Options has (Django 5.2's class and instance attributes, and older versions' removed ones): never
 * taken as absent, whatever the project sets.
 */
const OPTIONS_NAMES = new Set([
  'FORWARD_PROPERTIES', 'REVERSE_PROPERTIES', 'abstract', 'add_field', 'add_manager', 'all_parents', 'app_config', 'app_label', 'apps',
  'auto_created', 'auto_field', 'base_manager', 'base_manager_name', 'can_migrate', 'concrete_fields', 'concrete_model', 'constraints',
  'contribute_to_class', 'db_returning_fields', 'db_table', 'db_table_comment', 'db_tablespace', 'default_apps', 'default_manager',
  'default_manager_name', 'default_permissions', 'default_related_name', 'fields', 'fields_map', 'get_ancestor_link', 'get_base_chain',
  'get_field', 'get_fields', 'get_latest_by', 'get_parent_list', 'get_path_from_parent', 'get_path_to_parent', 'indexes', 'is_composite_pk',
  'label', 'label_lower', 'local_concrete_fields', 'local_fields', 'local_managers', 'local_many_to_many', 'managed', 'managers',
  'managers_map', 'many_to_many', 'model', 'model_name', 'object_name', 'order_with_respect_to', 'ordering', 'original_attrs', 'parents',
  'permissions', 'pk', 'pk_fields', 'private_fields', 'proxy', 'proxy_for_model', 'related_fkey_lookups', 'related_objects',
  'required_db_features', 'required_db_vendor', 'select_on_save', 'setting_changed', 'setup_pk', 'setup_proxy', 'swappable', 'swapped',
  'total_unique_constraints', 'unique_together', 'verbose_name', 'verbose_name_plural', 'verbose_name_raw',
  // removed since (Django 1.x–5.0)
  'index_together', 'has_auto_field', 'app_cache', 'installed', 'module_name', 'pk_index', 'virtual_fields', 'concrete_managers',
  'abstract_managers', 'proxied_children', 'duplicate_targets', 'get_all_field_names', 'get_field_by_name', 'get_all_related_objects',
  'get_all_related_many_to_many_objects', 'get_fields_with_model', 'get_m2m_with_model', 'init_name_map', 'get_add_permission',
  'get_change_permission', 'get_delete_permission', 'get_ordered_objects', 'local_concrete_fields', 'auto_field', 'default_related_name',
]);

const MODEL_BASE_NAMES = new Set([
  'objects', 'DoesNotExist', 'MultipleObjectsReturned', 'pk', 'save', 'delete', 'full_clean', 'clean', 'check', 'from_db',
  'refresh_from_db', 'get_deferred_fields', 'serializable_value', 'save_base', 'clean_fields', 'validate_unique',
  'validate_constraints', 'date_error_message', 'unique_error_message', 'prepare_database_save', 'get_constraints', 'asave',
  'adelete', 'arefresh_from_db', 'Meta', 'NotUpdated',
]);

/**
 * A name Django's Model defines: its own private names are snake_case (_meta, _state, _do_insert,
 * _get_FIELD_display); `_DATABASE` is the project's (NExtSEEK's router reads getattr(model, "_DATABASE", "default"))
 */
function djangoModelName(name: string): boolean {
  return (name.startsWith('_') && !/[A-Z]/.test(name.replace('FIELD', ''))) || MODEL_BASE_NAMES.has(name);
}

/** A class attribute of the model: its literal value, undefined when it certainly does not exist, else unknown. */
function modelAttrValue(inp: Inputs, name: string): Value | undefined {
  const m = inp.model;
  if (name === '__name__' || name === '__qualname__') return str(m.name);
  if (inp.historical) return historicalAttrValue(inp, name);
  if (name === '__module__') {
    const mod = inp.ctx.index.moduleNameOf(m.loc.path);
    return mod ? str(mod) : unknown(`${m.key}.__module__`, m.loc);
  }
  if (Object.prototype.hasOwnProperty.call(m.attrs, name)) return fromJS(m.attrs[name]);
  if (djangoModelName(name)) return unknown(`${m.key}.${name} (defined by Django's Model)`, m.loc);
  const names = classBodyNames(inp.ctx, m);
  if (names === null) return unknown(`${m.key}.${name}: the model's base classes are not all known`, m.loc);
  if (names.has(name) || fieldDerived(name, names)) return unknown(`${m.key}.${name} is not a literal`, m.loc);
  return undefined;
}

/**
 * A class attribute of the model's historical class (historicalMixinNames): `__module__` is "__fake__", a literal
 * class attribute of the model's own body or of an abstract base is not there (undefined), one of a mixin is; a name
 * the class body binds to something else may be a field or a manager (unknown).
 */
function historicalAttrValue(inp: Inputs, name: string): Value | undefined {
  const m = inp.model;
  if (name === '__module__') return str('__fake__');
  if (djangoModelName(name)) return unknown(`${m.key}.${name} (defined by Django's Model)`, m.loc);
  // a model only the migration state has: what its migrations gave it
  if (m.historicalNames) {
    const given = new Set(m.historicalNames);
    if (given.has(name) || fieldDerived(name, given)) return unknown(`${m.key}.${name} (a field or a manager of the historical model)`, m.loc);
    for (const { path: file, base } of m.historicalMixins ?? []) {
      const names = mixinClassNames(inp.ctx, file, base);
      if (names === null) return unknown(`${m.key}.${name}: a base class of the historical model is not known`, m.loc);
      if (names.has(name)) return unknown(`${m.key}.${name}: a mixin's, on the historical model too`, m.loc);
    }
    return undefined;
  }
  const mixins = historicalMixinNames(inp.ctx, m);
  if (mixins === null) return unknown(`${m.key}.${name}: the historical model's base classes are not all known`, m.loc);
  if (mixins.has(name)) return unknown(`${m.key}.${name}: a mixin's, on the historical model too`, m.loc);
  if (Object.prototype.hasOwnProperty.call(m.attrs, name)) return undefined;
  const names = classBodyNames(inp.ctx, m);
  if (names === null) return unknown(`${m.key}.${name}: the model's base classes are not all known`, m.loc);
  return names.has(name) || fieldDerived(name, names) ? unknown(`${m.key}.${name} is not a literal (a field or a manager is on the historical model too)`, m.loc) : undefined;
}

/**
 * Whether `name` is what Django's Field.contribute_to_class adds for a field among `names`: a relation's attname
 * (`tenant_id`), `get_<f>_display`, `get_next_by_<f>` / `get_previous_by_<f>` (the name may be a field's: not known).
 */
function fieldDerived(name: string, names: ReadonlySet<string>): boolean {
  const m = /^(?:get_(.+)_display|get_(?:next|previous)_by_(.+)|(.+)_id)$/.exec(name);
  const f = m ? m[1] ?? m[2] ?? m[3] : undefined;
  return f !== undefined && names.has(f);
}

let bodyReads = 0;

/**
 * How many times a router evaluation looked at the names a model's class body binds (an attribute that is not a
 * literal class attribute): a result that did not is a function of `routerViews` alone.
 */
export function classBodyReads(): number {
  return bodyReads;
}

const views = new WeakMap<ModelInfo, Omit<ModelInfo, 'fields'>>();

/**
 * The models as the router chain sees them, apart from the names their class bodies bind: everything but their
 * relation fields. Equal views (util.isDeepStrictEqual) give equal routing, unless the routers read class bodies
 * (`classBodyReads`): an edit of a foreign key's target routes nothing again. One object per ModelInfo object,
 * so that unchanged models compare by identity.
 */
export function routerViews(models: ModelInfo[]): Omit<ModelInfo, 'fields'>[] {
  return models.map(m => {
    let v = views.get(m);
    if (!v) {
      const { fields: _f, ...rest } = m;
      views.set(m, (v = rest));
    }
    return v;
  });
}

/** Names bound in the model class body and its bases' bodies (null when a base cannot be resolved). */
function classBodyNames(ctx: Ctx, m: ModelInfo): Set<string> | null {
  bodyReads++;
  const key = `${m.loc.path}:${m.loc.line}`;
  if (ctx.classNames.has(key)) return ctx.classNames.get(key)!;
  // read for this call only (see evaluateRouting): not a dependency of the context
  return untracked(() => classBodyNamesNow(ctx, m, key));
}

function classBodyNamesNow(ctx: Ctx, m: ModelInfo, key: string): Set<string> | null {
  ctx.classNames.set(key, null);
  const found = classDefOf(ctx, m);
  if (!found) return null;
  const out = new Set<string>();
  const ok = collectClass(ctx, found.moduleName, found.def, out, 0);
  const res = ok ? out : null;
  ctx.classNames.set(key, res);
  return res;
}

/** The model's class statement and its module's name, null when not found. */
function classDefOf(ctx: Ctx, m: ModelInfo): { def: A.ClassDef; moduleName: string } | null {
  const mod = ctx.index.parseFile(m.loc.path);
  const moduleName = ctx.index.moduleNameOf(m.loc.path);
  let def: A.ClassDef | null = null;
  const find = (body: A.Stmt[]): void => {
    for (const s of body) {
      if (def) return;
      if (s.type === 'ClassDef') {
        if (s.name === m.name && (s.line === m.loc.line || s.line - s.decorators.length <= m.loc.line && m.loc.line <= s.line)) { def = s; return; }
        find(s.body);
      } else if (s.type === 'If' || s.type === 'Try') {
        find(s.body);
        if (s.type === 'If') find(s.orelse);
      }
    }
  };
  if (mod) find(mod.body);
  if (!def || !moduleName) return null;
  return { def, moduleName };
}

/**
 * The names a model's historical class (`apps.get_model` in RunPython code, the model a router is asked about during
 * migrate) has from classes that are not models. Django's ModelState keeps, of the model's bases, the concrete models
 * (as historical models, by label) and the classes that are not models (mixins, as they are); abstract models are
 * flattened away (ModelState.from_model), and the class is made of the fields, Meta and the managers
 * (ModelState.render): a class attribute of the model or of an abstract base is not there. Null when a base is not
 * known. (Read for this call only, like classBodyNames.)
 */
function historicalMixinNames(ctx: Ctx, m: ModelInfo): Set<string> | null {
  const key = `historical ${m.loc.path}:${m.loc.line}`;
  if (ctx.classNames.has(key)) return ctx.classNames.get(key)!;
  const res = untracked(() => {
    const found = classDefOf(ctx, m);
    if (!found) return null;
    const out = new Set<string>();
    return mixinNames(ctx, found.moduleName, found.def, out, 0) ? out : null;
  });
  ctx.classNames.set(key, res);
  return res;
}

/** The names a base class written in a migration (`bases=(ObjectPermissionMixin, models.Model)`) binds; null when not known. */
function mixinClassNames(ctx: Ctx, file: string, base: A.Expr): Set<string> | null {
  const key = `mixin ${file}:${base.line}:${base.col}`;
  if (ctx.classNames.has(key)) return ctx.classNames.get(key)!;
  const res = untracked(() => {
    // (a migration module's name is no identifier, 0001_initial: Django imports it by its dotted name all the same)
    const pkg = ctx.index.moduleNameOf(path.join(path.dirname(file), '__init__.py'));
    const moduleName = ctx.index.moduleNameOf(file) ?? (pkg ? `${pkg}.${path.basename(file, '.py')}` : null);
    const ref = moduleName ? ctx.symbols.expr(moduleName, base) : null;
    if (!ref || ref.kind !== 'class') return null;
    const out = new Set<string>();
    return collectClass(ctx, ref.module, ref.def, out, 0) ? out : null;
  });
  ctx.classNames.set(key, res);
  return res;
}

function mixinNames(ctx: Ctx, moduleName: string, def: A.ClassDef, out: Set<string>, depth: number): boolean {
  if (depth > 20) return false;
  return eachClassBase(ctx, moduleName, def, ref => {
    const model = isModelClass(ctx, ref.module, ref.def, 0);
    // a model (abstract: flattened; concrete: a historical model too) gives only its own mixins; a mixin all it has
    return model !== null && (model ? mixinNames(ctx, ref.module, ref.def, out, depth + 1) : collectClass(ctx, ref.module, ref.def, out, depth + 1));
  });
}

/**
 * `each` for the classes a class statement's bases name (object and django.db.models.Model passed over); false when
 * a base is not a class known here or `each` says false.
 */
function eachClassBase(ctx: Ctx, moduleName: string, def: A.ClassDef, each: (ref: { module: string; def: A.ClassDef }) => boolean): boolean {
  for (const b of def.bases) {
    if (b.type === 'Name' && b.id === 'object') continue;
    const ref = ctx.symbols.expr(moduleName, b);
    if (!ref) return false;
    if (ref.kind === 'external') {
      if (ref.dotted === 'django.db.models.Model') continue;
      return false;
    }
    if (ref.kind !== 'class' || !each(ref)) return false;
  }
  return true;
}

/** Whether a class derives from django.db.models.Model; null when one of its bases is not known. */
function isModelClass(ctx: Ctx, moduleName: string, def: A.ClassDef, depth: number): boolean | null {
  if (depth > 20) return null;
  let unknownBase = false;
  for (const b of def.bases) {
    if (b.type === 'Name' && b.id === 'object') continue;
    const ref = ctx.symbols.expr(moduleName, b);
    if (!ref) { unknownBase = true; continue; }
    if (ref.kind === 'external') {
      if (ref.dotted === 'django.db.models.Model') return true;
      unknownBase = true;
      continue;
    }
    if (ref.kind !== 'class') { unknownBase = true; continue; }
    const r = isModelClass(ctx, ref.module, ref.def, depth + 1);
    if (r) return true;
    if (r === null) unknownBase = true;
  }
  return unknownBase ? null : false;
}

function collectClass(ctx: Ctx, moduleName: string, def: A.ClassDef, out: Set<string>, depth: number): boolean {
  if (depth > 20) return false;
  for (const n of assignedNames(def.body)) out.add(n);
  return eachClassBase(ctx, moduleName, def, ref => collectClass(ctx, ref.module, ref.def, out, depth + 1));
}

/** The model classes a model inherits from (its bases' keys, transitively): proxies' and children's parents. */
function modelAncestors(byKey: ReadonlyMap<string, ModelInfo>, m: ModelInfo): Set<string> {
  const out = new Set<string>();
  const walk = (x: ModelInfo): void => {
    for (const b of x.bases) {
      if (out.has(b)) continue;
      out.add(b);
      const bm = byKey.get(b);
      if (bm) walk(bm);
    }
  };
  walk(m);
  return out;
}

function modelObject(inp: Inputs, appV: Value, nameV: Value): ObjV {
  const m = inp.model;
  const interp = inp.ctx.interp;
  const meta: ObjV = {
    kind: 'obj', type: 'model._meta', attrs: new Map(), missing: 'unknown',
    data: {
      attr: (name: string): Value | undefined => {
        interp.observe?.('meta.' + name, NONE);
        if (name === 'app_label') return appV;
        if (name === 'model_name') return nameV;
        // `model._meta.proxy_for_model` / `.concrete_model` (HOPE's router swaps a proxy for its model first)
        if (name === 'proxy_for_model' || name === 'concrete_model') {
          const target = relatedModel(inp, m, name);
          if (target === null) return name === 'proxy_for_model' ? NONE : unknown(`${m.key}._meta.${name}: its base is not known`, m.loc);
          if (target === undefined) return unknown(`${m.key}._meta.${name}: its base is not known`, m.loc);
          return target === m ? model : modelObject({ ...inp, model: target }, str(target.app), str(target.modelName));
        }
        return metaValue(m, name, undefined, inp.ctx.metaWrites);
      },
    },
  };
  const model: ObjV = {
    kind: 'obj', type: 'model', attrs: new Map(), missing: 'absent',
    data: {
      attr: (name: string): Value | undefined => {
        if (name === '_meta') return meta;
        interp.observe?.('attr.' + name, NONE);
        return modelAttrValue(inp, name);
      },
      // `model is SyncQueue`, `issubclass(model, NetworkLocation)` (the comparisons note the model's identity)
      sameClass: (c: ClassV): boolean | null => {
        const named = modelOfClass(inp.ctx, c);
        if (named) return !inp.historical && named.key === m.key;
        // a class with every base known is no Django model (their base, Model, is never evaluated)
        return c.opaqueBase || c.special ? null : false;
      },
      subclassOf: (c: ClassV): boolean | null => {
        const named = modelOfClass(inp.ctx, c);
        if (!named) return null;
        return !inp.historical && (named.key === m.key || modelAncestors(inp.byKey, m).has(named.key));
      },
    } satisfies ModelIdentity & { attr: (name: string) => Value | undefined },
  };
  return model;
}

export type { ClassV };
export { dict, dictSet };
