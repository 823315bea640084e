// A static evaluator of Python over ./ast.ts and the value domain of ./values.ts. It runs a module's top-level
// statements into a namespace (settings modules, router modules) and calls functions/methods with concrete
// arguments (routers' allow_migrate). Whatever cannot be known becomes an `Unknown` carrying why and where;
// conditions that are unknown make both branches run, and what the branches leave behind is merged (equal
// values stay, others become unknown). Work is bounded (fuel, call depth, import depth, expression depth, value
// size) so that bad input cannot hang it. Django's and third-party modules are never executed: the few names
// that matter are modelled natively in ./eval-modules.ts; a package that is not installed is an opaque module.
//
// Where things are: this file holds `Interp` (module loading and the evaluator's state); the interpreter's parts
// are ./statements.ts, ./expressions.ts and ./calls.ts; ./runtime.ts has PyErr, frames, the budget and the
// `Evaluator` interface the parts share; ./eval-builtins.ts builtin functions and methods, ./operators.ts
// operators and formatting, ./exceptions.ts the exception classes, ./environment.ts what is read from the
// Python environment on disk.
import * as path from 'path';
import type * as A from './ast';
import type { Loc } from '../types';
import { ModuleIndex } from './modules';
import { type Value, type Namespace, type ModuleV, type ObjV, type ClassV, str, list, unknown, iterate } from './values';
import {
  type Abrupt, type Evaluator, type OptionalLocal, type Frame, type Fork, type InterpOptions, type KW, type Res, PyErr, BudgetErr, MAX_IMPORT_DEPTH, locOf, shortLoc,
  isExternalPath,
} from './runtime';
import { modeledModule, isOpaqueModule, modeledCall, modeledAttr } from './eval-modules';
import type { PythonFacts } from './environment';
import * as S from './statements';
import * as E from './expressions';
import * as C from './calls';
import { havocStmt, havocStmtKeeping } from './statements';

type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

export {
  PyErr, BudgetErr, locOf, shortLoc, isExternalPath, missingReason, type Frame, type Fork, type Res, type Abrupt, type RunResult,
  type InterpOptions, type Scope, type Evaluator,
} from './runtime';
export { walkStmts, assignedNames, mergeVarsAll } from './statements';

/** A module's namespace before its code runs: `__name__`, `__file__`, `__package__`, a package's `__path__`. */
function moduleNamespace(name: string, r: { file: string | null; packageDir: string | null }): Namespace {
  const ns: Namespace = { vars: new Map(), module: name, file: r.file, isPackage: r.packageDir !== null };
  ns.vars.set('__name__', str(name));
  if (r.file) ns.vars.set('__file__', str(r.file));
  ns.vars.set('__package__', str(r.packageDir !== null ? name : name.split('.').slice(0, -1).join('.')));
  // a package's __path__ (namespace-package idiom: `__path__ = pkgutil.extend_path(__path__, __name__)`)
  if (r.packageDir !== null) ns.vars.set('__path__', list([str(r.packageDir)]));
  return ns;
}

/**
 * Whether what a module statement raised was raised in another module (a helper it calls: PostHog's get_from_env in
 * settings/utils.py): the finding then goes where the module calls it, which is what the user can change, and names
 * where it raised.
 */
function raisedElsewhere(a: Abrupt): boolean {
  return !!(a.exc?.loc && a.loc && a.exc.loc.path !== a.loc.path);
}

/** A top-level module name a project keeps its machine's own settings in (local_settings, settings_local, secrets). */
const LOCAL_SETTINGS_MODULE = /^(local|secrets?|(\w+_)?local_?settings|settings_?local(_\w+)?|\w+_local|local_\w+)$/i;

export class Interp implements Evaluator {
  readonly env: Record<string, string | undefined>;
  readonly external: boolean;
  readonly python: PythonFacts | undefined;
  readonly globalSettings: ((name: string) => Value | undefined) | undefined;
  settingsValue: Value;
  fuel: number;
  private readonly moduleVals = new Map<string, ModuleV>();
  /** Whether a module imported so far other than `ns` has `name` bound to `v` (a value made there, star-imported). */
  boundElsewhere(ns: Namespace, name: string, v: Value): boolean {
    for (const m of this.moduleVals.values()) if (m.ns && m.ns !== ns && m.ns.vars.get(name) === v) return true;
    return false;
  }
  /** the files of the modules imported so far, in the order their import started */
  importedFiles(): string[] {
    const files = [...this.moduleVals.values()].map(m => m.ns?.file).filter((f): f is string => !!f);
    return [...files, ...this.includedFiles.filter(f => !files.includes(f))];
  }
  /** files run into a module's namespace (django-split-settings' include(), exec() of a file) */
  readonly includedFiles: string[] = [];
  readonly frames: Frame[] = [];
  /** where each of includedFiles was run from (the include() or exec() call) */
  readonly includedAt = new Map<string, Loc>();
  private importDepth = 0;
  callDepth = 0;
  activeCalls = new Map<unknown, number>();
  evalDepth = 0;
  /** forks recorded since the last reset (router explanations) */
  forks: Fork[] = [];
  /** identity of input values → observation key (router result caching) */
  inputs: Map<Value, string> | null = null;
  observe: ((key: string, v: Value) => void) | null = null;
  threadLocalsUnset = false;
  migratingAlias: string | null = null;
  /** modules of the project's packages that are not there, imported where ImportError is caught (missingModule) */
  readonly optionalLocal: OptionalLocal[] = [];

  noteOptionalLocal(module: string, loc?: Loc, binds = this.importingStar): void {
    if (this.optionalLocal.some(o => o.module === module)) return;
    const ns = this.frames[this.frames.length - 1]?.globals;
    this.optionalLocal.push({
      module, binds, ...(loc ? { loc } : {}),
      ...(ns ? { ns, bound: { DATABASES: ns.vars.get('DATABASES'), DATABASE_ROUTERS: ns.vars.get('DATABASE_ROUTERS') } } : {}),
    });
  }
  readonly sysPathAdded: { dir: string; front: boolean }[] = [];
  getModel: ((args: Value[], kwargs: KW) => Value | undefined) | null = null;
  appConfigs: (() => Value) | null = null;
  modelMeta: ((cls: ClassV) => Value | undefined) | null = null;
  /** problems of module top-levels (raised exceptions), per module */
  readonly moduleErrors = new Map<string, { reason: string; loc?: Loc; exc?: string; always?: boolean }[]>();
  /**
   * Paths assumed not taken because they can only end in an explicit `raise` while another path goes on
   * (principle: the project starts), with where the raise is.
   */
  readonly assumptions: { reason: string; loc?: Loc }[] = [];
  private readonly assumed = new Set<string>();
  /** modules imported that are neither in the project nor in the environment (opaque values) */
  readonly missingModules = new Map<string, Loc | undefined>();
  /** > 0 while a `try` whose handlers catch ImportError runs: a missing module then also raises */
  catchingImport = 0;
  importingStar = false;
  /** inside try blocks whose handlers catch FileNotFoundError (open() of a missing file raises it there) */
  catchingFileErrors = 0;
  /** an import that failed inside such a `try`: the statement also continues with an opaque module */
  importFailure: PyErr | null = null;

  constructor(public readonly index: ModuleIndex, opts: InterpOptions) {
    // writes (os.environ[...] = …, load_dotenv) stay in this interpreter; reads fall through to the given
    // environment (a prototype, not a copy: the Scanner records which variables the settings read)
    this.env = Object.assign(Object.create(opts.env ?? null) as Record<string, string | undefined>, {});
    this.external = !!opts.external;
    this.python = opts.python;
    this.globalSettings = opts.globalSettings;
    this.settingsValue = opts.settings ?? { kind: 'obj', type: 'django.conf.settings', attrs: new Map(), missing: 'unknown' };
    this.fuel = opts.fuel ?? 2_000_000;
    this.cwd = opts.cwd ?? null;
  }

  readonly cwd: string | null;

  /** The working directory, said once per file as an assumption (null: not known). */
  workingDir(loc: Loc): string | null {
    if (this.cwd) this.noteAssumption(`the working directory is taken as manage.py's folder (${path.basename(this.cwd) || this.cwd}), where manage.py is usually run: relative paths and os.getcwd() are read from there`, loc);
    return this.cwd;
  }

  tick(n = 1): void {
    this.fuel -= n;
    if (this.fuel < 0) throw new BudgetErr('evaluation budget exceeded', true);
  }

  // ---- modules -------------------------------------------------------------------------------------

  /** Record that a path ending in `exc` is assumed not taken (once per place). */
  assume(exc: PyErr, fallbackLoc?: Loc): void {
    const loc = exc.loc ?? fallbackLoc;
    const key = `${loc?.path}:${loc?.line}:${exc.type}`;
    if (this.assumed.has(key)) return;
    this.assumed.add(key);
    this.assumptions.push({ reason: `assumed not to happen (the project is taken to start): ${exc}`, ...(loc ? { loc } : {}) });
  }

  /** Record that the code is read under an assumption about how Django runs it (once per file and reason). */
  noteAssumption(reason: string, loc: Loc): void {
    const key = `${loc.path}:${reason}`;
    if (this.assumed.has(key)) return;
    this.assumed.add(key);
    this.assumptions.push({ reason, loc });
  }

  /**
   * A module that is not installed: an opaque value (every attribute unknown), unless a `try` around it
   * catches ImportError, where the import statement also raises (both paths run).
   */
  private missingModule(name: string, loc?: Loc): ModuleV {
    const top = name.split('.')[0]!;
    if (!this.missingModules.has(top)) this.missingModules.set(top, loc);
    const mv: ModuleV = { kind: 'module', name, ns: null, special: 'missing' };
    this.moduleVals.set(name, mv);
    if (this.catchingImport > 0 && !this.importFailure) this.importFailure = this.importError(name, loc);
    return mv;
  }

  private djangoEnvironment: boolean | undefined;

  /** The ModuleNotFoundError of importing a module found nowhere (see PyErr.missing). */
  private importError(name: string, loc?: Loc): PyErr {
    if (this.djangoEnvironment === undefined) {
      const d = this.python?.sitePackages.length ? this.index.resolve('django') : null;
      this.djangoEnvironment = !!d?.packageDir && isExternalPath(d.packageDir);
    }
    const e = new PyErr('ModuleNotFoundError', `No module named '${name}'`, loc);
    e.missing = { module: name, certain: this.djangoEnvironment };
    return e;
  }

  /** per module of Django: the names its top level binds, or null when that cannot be certain */
  private readonly djangoNames = new Map<string, { file: string; names: Set<string> } | null>();

  djangoLacks(module: string, name: string): string | null {
    if (module.split('.')[0] !== 'django') return null;
    if (this.djangoEnvironment === undefined) {
      const d = this.python?.sitePackages.length ? this.index.resolve('django') : null;
      this.djangoEnvironment = !!d?.packageDir && isExternalPath(d.packageDir);
    }
    if (!this.djangoEnvironment) return null;
    let known = this.djangoNames.get(module);
    if (known === undefined) {
      known = null;
      const r = this.index.resolve(module);
      const mod = r?.file && isExternalPath(r.file) ? this.index.parseFile(r.file) : null;
      if (r?.file && mod && !mod.problems.length && !mod.limit) {
        const names = topLevelNames(mod.body);
        if (names) known = { file: r.file, names };
      }
      this.djangoNames.set(module, known);
    }
    if (!known || known.names.has(name) || this.index.resolve(`${module}.${name}`)) return null;
    return known.file;
  }

  private readonly externalNs = new Map<string, Namespace | null>();

  externalNamespace(name: string, _loc?: Loc): Namespace | null {
    if (this.externalNs.has(name)) return this.externalNs.get(name)!;
    this.externalNs.set(name, null);
    if (isOpaqueModule(name) || this.importDepth >= MAX_IMPORT_DEPTH) return null;
    const r = this.index.resolve(name);
    if (!r?.file || !isExternalPath(r.file)) return null;
    const mod = this.index.parseFile(r.file);
    if (!mod) return null;
    const ns = moduleNamespace(name, r);
    this.runImported(ns, mod);
    this.externalNs.set(name, ns);
    return ns;
  }

  /** Run a module's top level as an import does: one level deeper, its own ImportErrors its own business. */
  private runImported(ns: Namespace, mod: A.Module): void {
    this.importDepth++;
    const catching = this.catchingImport;
    const star = this.importingStar;
    this.catchingImport = 0;
    this.importingStar = false;
    try {
      this.execModule(ns, mod);
    } finally {
      this.importDepth--;
      this.catchingImport = catching;
      this.importingStar = star;
    }
  }

  /** Import a module by absolute dotted name (parents first). A module not found is opaque ('missing'). */
  importModule(name: string, loc?: Loc): ModuleV {
    const hit = this.moduleVals.get(name);
    if (hit) {
      if (hit.special === 'missing' && this.catchingImport > 0 && !this.importFailure) this.importFailure = this.importError(name, loc);
      return hit;
    }
    const modeled = modeledModule(this, name);
    if (modeled) { this.moduleVals.set(name, modeled); return modeled; }
    const parts = name.split('.');
    let parent: ModuleV | null = null;
    if (parts.length > 1) parent = this.importModule(parts.slice(0, -1).join('.'), loc);
    let mv: ModuleV;
    if (parent?.special === 'missing') return this.missingModule(name, loc);
    if (isOpaqueModule(name) || parent?.special === 'opaque') {
      mv = { kind: 'module', name, ns: null, special: 'opaque' };
    } else {
      const r = this.index.resolve(name);
      // a module of the project's own packages that does not exist is really missing (`from .local_settings
      // import *` in a try); one of a package that is not installed is opaque
      if (!r && parent?.ns && !isExternalPath(parent.ns.file ?? '')) {
        // (caught: where the project runs it may exist and set anything: SoloTodo's settings/local.py)
        if (this.catchingImport > 0) this.noteOptionalLocal(name, loc);
        throw new PyErr('ModuleNotFoundError', `No module named '${name}'`, loc);
      }
      // `try: from local_settings import * / except ImportError: pass` with no such module in the workspace or the
      // environment (NAV, whose config folder sys.path gets where it runs): a local settings file kept out of version
      // control, as `.local` of the project's package above: it raises here, and may exist where the project runs
      if (!r && parts.length === 1 && this.catchingImport > 0 && LOCAL_SETTINGS_MODULE.test(name)) {
        this.noteOptionalLocal(name, loc);
        throw new PyErr('ModuleNotFoundError', `No module named '${name}'`, loc);
      }
      if (!r) return this.missingModule(name, loc);
      if (!this.external && isExternalPath(r.file ?? r.packageDir ?? '')) {
        mv = { kind: 'module', name, ns: null, special: 'opaque' };
      } else {
        const ns = moduleNamespace(name, r);
        mv = { kind: 'module', name, ns };
        this.moduleVals.set(name, mv);
        if (parent?.ns) parent.ns.vars.set(parts[parts.length - 1]!, mv);
        if (r.file) {
          if (this.importDepth >= MAX_IMPORT_DEPTH) {
            ns.starUnknown = { reason: `imports nested too deeply at ${name}`, loc };
          } else {
            const mod = this.index.parseFile(r.file);
            if (mod) this.runImported(ns, mod);
            else ns.starUnknown = { reason: `cannot read ${r.file}`, loc };
          }
        }
        return mv;
      }
    }
    this.moduleVals.set(name, mv);
    if (parent?.ns && !parent.ns.vars.has(parts[parts.length - 1]!)) parent.ns.vars.set(parts[parts.length - 1]!, mv);
    return mv;
  }

  /** A fresh module object for `name` at `file` (importlib.util.module_from_spec); run it with execFileInto. */
  newModule(name: string, file: string | null): ModuleV {
    const ns: Namespace = { vars: new Map(), module: name, file, isPackage: false };
    ns.vars.set('__name__', str(name));
    if (file) ns.vars.set('__file__', str(file));
    return { kind: 'module', name, ns };
  }

  /** spec.loader.exec_module(module): evaluate `file` into the module's namespace. */
  execFileInto(m: ModuleV, file: string, loc: Loc): void {
    if (!m.ns) return;
    const mod = this.index.parseFile(file);
    if (!mod) throw new PyErr('FileNotFoundError', `No such file or directory: '${file}'`, loc);
    if (this.importDepth >= MAX_IMPORT_DEPTH) { m.ns.starUnknown = { reason: `imports nested too deeply at ${m.name}`, loc }; return; }
    this.importDepth++;
    try {
      this.execModule(m.ns, mod);
    } finally {
      this.importDepth--;
    }
  }

  /** Already-imported module value, if any. */
  loadedModule(name: string): ModuleV | undefined {
    return this.moduleVals.get(name);
  }

  /** Evaluate a parsed module's top level into `ns`. Raised exceptions are recorded and evaluation goes on. */
  execModule(ns: Namespace, mod: A.Module): void {
    const file = mod.path;
    const f: Frame = { scope: ns, globals: ns, fn: null, cls: null, parent: null, closure: null, globalNames: null, file, handling: null };
    this.frames.push(f);
    try {
      this.execModuleBody(ns, mod, f);
    } finally {
      this.frames.pop();
    }
  }

  private execModuleBody(ns: Namespace, mod: A.Module, f: Frame): void {
    const file = mod.path;
    const errors: { reason: string; loc?: Loc; exc?: string; always?: boolean }[] = this.moduleErrors.get(ns.module) ?? [];
    this.moduleErrors.set(ns.module, errors);
    for (const s of mod.body) {
      let r: Res;
      try {
        r = this.execStmt(s, f);
      } catch (e) {
        if (e instanceof BudgetErr) {
          errors.push({ reason: e.message, loc: locOf(file, s) });
          havocStmt(this, s, f, unknown(e.message, locOf(file, s)));
          if (!e.fatal) continue;
          ns.starUnknown = { reason: e.message, loc: locOf(file, s) };
          return;
        }
        if (e instanceof RangeError) {
          // the JS stack or an array ran out on a pathological statement: that statement is unknown, the rest goes on
          const why = `statement too large or too deeply nested to evaluate (${e.message})`;
          errors.push({ reason: why, loc: locOf(file, s) });
          havocStmt(this, s, f, unknown(why, locOf(file, s)));
          continue;
        }
        throw e;
      }
      if (r.normal && !r.abrupt.length) continue;
      const raised = r.abrupt.filter(a => a.kind === 'raise');
      for (const a of raised) {
        if (r.normal && a.exc?.explicit) this.assume(a.exc, a.loc);
        // `always`: the statement raises on every path, so importing the module fails (not only under some condition)
        else {
          const elsewhere = raisedElsewhere(a);
          errors.push({ reason: `raised ${a.exc}${elsewhere ? ` (at ${shortLoc(a.exc!.loc!, this.index.displayRoot)})` : ''}`, loc: elsewhere ? a.loc : a.exc?.loc ?? a.loc, exc: a.exc?.type, always: !r.normal });
        }
      }
      if (!r.normal) {
        const last = raised[raised.length - 1];
        if (last?.vars) ns.vars = last.vars;
        const why = last?.exc ? `${last.exc} at ${shortLoc(last.exc.loc ?? last.loc, this.index.displayRoot)}` : 'statement did not complete';
        const at = last && raisedElsewhere(last) ? last.loc : last?.exc?.loc ?? locOf(file, s);
        havocStmtKeeping(this, s, f, unknown(why, at));
      }
    }
  }

  // ---- statements ----------------------------------------------------------------------------------

  // ---- names & assignment --------------------------------------------------------------------------

  // ---- expressions ---------------------------------------------------------------------------------

  // ---- attributes ----------------------------------------------------------------------------------

  // ---- misc ----------------------------------------------------------------------------------------

  /** Elements of an iterable value, or null when not known. */
  iter(v: Value): Value[] | null {
    if (v.kind === 'obj') {
      if (v.type === 'dict_keys' || v.type === 'dict_values' || v.type === 'dict_items' || v.type === 'range' || v.type === 'iterator') {
        return v.data as Value[];
      }
      return iterate(v);
    }
    if (v.kind === 'instance') return null;
    return iterate(v);
  }

  // ---- the parts (statements.ts, expressions.ts, calls.ts), bound to this evaluator ---------------------

  execBlock(...a: Tail<Parameters<typeof S.execBlock>>): ReturnType<typeof S.execBlock> {
    return S.execBlock(this, ...a);
  }

  execStmt(...a: Tail<Parameters<typeof S.execStmt>>): ReturnType<typeof S.execStmt> {
    return S.execStmt(this, ...a);
  }

  fork(...a: Tail<Parameters<typeof S.fork>>): ReturnType<typeof S.fork> {
    return S.fork(this, ...a);
  }

  setName(...a: Tail<Parameters<typeof S.setName>>): ReturnType<typeof S.setName> {
    return S.setName(this, ...a);
  }

  lookup(...a: Tail<Parameters<typeof S.lookup>>): ReturnType<typeof S.lookup> {
    return S.lookup(this, ...a);
  }

  assign(...a: Tail<Parameters<typeof S.assign>>): ReturnType<typeof S.assign> {
    return S.assign(this, ...a);
  }

  setItem(...a: Tail<Parameters<typeof S.setItem>>): ReturnType<typeof S.setItem> {
    return S.setItem(this, ...a);
  }

  eval(...a: Tail<Parameters<typeof E.evaluate>>): ReturnType<typeof E.evaluate> {
    return E.evaluate(this, ...a);
  }

  truth(...a: Tail<Parameters<typeof E.truth>>): ReturnType<typeof E.truth> {
    return E.truth(this, ...a);
  }

  evalSafe(...a: Tail<Parameters<typeof E.evalSafe>>): ReturnType<typeof E.evalSafe> {
    return E.evalSafe(this, ...a);
  }

  compareOp(...a: Tail<Parameters<typeof E.compareOp>>): ReturnType<typeof E.compareOp> {
    return E.compareOp(this, ...a);
  }

  noteIdentity(...a: Tail<Parameters<typeof E.noteIdentity>>): ReturnType<typeof E.noteIdentity> {
    return E.noteIdentity(this, ...a);
  }

  getItem(...a: Tail<Parameters<typeof E.getItem>>): ReturnType<typeof E.getItem> {
    return E.getItem(this, ...a);
  }

  evalCall(...a: Tail<Parameters<typeof C.evalCall>>): ReturnType<typeof C.evalCall> {
    return C.evalCall(this, ...a);
  }

  makeFunction(...a: Tail<Parameters<typeof C.makeFunction>>): ReturnType<typeof C.makeFunction> {
    return C.makeFunction(this, ...a);
  }

  makeClass(...a: Tail<Parameters<typeof C.makeClass>>): ReturnType<typeof C.makeClass> {
    return C.makeClass(this, ...a);
  }

  call(...a: Tail<Parameters<typeof C.call>>): ReturnType<typeof C.call> {
    return C.call(this, ...a);
  }

  instantiate(...a: Tail<Parameters<typeof C.instantiate>>): ReturnType<typeof C.instantiate> {
    return C.instantiate(this, ...a);
  }

  runFunction(...a: Tail<Parameters<typeof C.runFunction>>): ReturnType<typeof C.runFunction> {
    return C.runFunction(this, ...a);
  }

  callFunction(...a: Tail<Parameters<typeof C.callFunction>>): ReturnType<typeof C.callFunction> {
    return C.callFunction(this, ...a);
  }

  mro(...a: Tail<Parameters<typeof C.mro>>): ReturnType<typeof C.mro> {
    return C.mro(this, ...a);
  }

  classAttr(...a: Tail<Parameters<typeof C.classAttr>>): ReturnType<typeof C.classAttr> {
    return C.classAttr(this, ...a);
  }

  bindAttr(...a: Tail<Parameters<typeof C.bindAttr>>): ReturnType<typeof C.bindAttr> {
    return C.bindAttr(this, ...a);
  }

  getAttr(...a: Tail<Parameters<typeof C.getAttr>>): ReturnType<typeof C.getAttr> {
    return C.getAttr(this, ...a);
  }

  moduleAttr(...a: Tail<Parameters<typeof C.moduleAttr>>): ReturnType<typeof C.moduleAttr> {
    return C.moduleAttr(this, ...a);
  }

  toPyErr(...a: Tail<Parameters<typeof C.toPyErr>>): ReturnType<typeof C.toPyErr> {
    return C.toPyErr(this, ...a);
  }

  modeledCall(fn: Value, method: string, args: Value[], kwargs: KW, loc: Loc): Value | undefined {
    return modeledCall(this, fn, method, args, kwargs, loc);
  }

  modeledAttr(o: ObjV, name: string, loc: Loc): Value | undefined {
    return modeledAttr(this, o, name, loc);
  }
}

/**
 * The names a module's top level binds, in any branch (assignments, definitions, imports, loop and `with`
 * targets, exception names); null when it may bind others (a star import, `globals()`, a module `__getattr__`).
 */
function topLevelNames(body: A.Stmt[]): Set<string> | null {
  const out = new Set<string>();
  const target = (t: A.Expr): void => {
    if (t.type === 'Name') out.add(t.id);
    else if (t.type === 'Tuple' || t.type === 'List') t.elts.forEach(target);
    else if (t.type === 'Starred') target(t.value);
  };
  let open = false;
  const visit = (b: A.Stmt[]): void => {
    for (const s of b) {
      switch (s.type) {
        case 'Assign': s.targets.forEach(target); if (usesGlobals(s.value)) open = true; break;
        case 'AnnAssign': case 'AugAssign': target(s.target); break;
        case 'FunctionDef': out.add(s.name); if (s.name === '__getattr__') open = true; break;
        case 'ClassDef': out.add(s.name); break;
        case 'Import': for (const a of s.names) out.add(a.asname ?? a.name.split('.')[0]!); break;
        case 'ImportFrom': for (const a of s.names) { if (a.name === '*') open = true; else out.add(a.asname ?? a.name); } break;
        case 'If': visit(s.body); visit(s.orelse); break;
        case 'For': case 'While': if (s.type === 'For') target(s.target); visit(s.body); visit(s.orelse); break;
        case 'With': for (const w of s.items) if (w.target) target(w.target); visit(s.body); break;
        case 'Try': visit(s.body); for (const h of s.handlers) { if (h.name) out.add(h.name); visit(h.body); } visit(s.orelse); visit(s.finalbody); break;
        case 'Expr': if (usesGlobals(s.value)) open = true; break;
        default: break;
      }
    }
  };
  visit(body);
  return open ? null : out;
}

/** whether an expression names globals() or vars() (which may bind any name) */
function usesGlobals(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 64) return false;
  const n = e as { type?: string; id?: string };
  if (n.type === 'Name' && (n.id === 'globals' || n.id === 'vars')) return true;
  for (const v of Object.values(e)) {
    if (Array.isArray(v) ? v.some(x => usesGlobals(x, depth + 1)) : typeof v === 'object' && usesGlobals(v, depth + 1)) return true;
  }
  return false;
}
