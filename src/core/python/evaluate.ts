// A static evaluator of Python over ./ast.ts and the value domain of ./values.ts. It runs a module's top-level
// statements into a namespace (settings modules, router modules) and calls functions/methods with concrete
// arguments (routers' allow_migrate). Whatever cannot be known becomes an `Unknown` carrying why and where;
// conditions that are unknown make both branches run, and what the branches leave behind is merged (equal
// values stay, others become unknown). Work is bounded (fuel, call depth, import depth) so that bad input
// cannot hang it. Django's and third-party modules are never executed: the few names that matter are modelled
// natively in ./eval-modules.ts; builtins and methods of str/list/dict/… are in ./eval-builtins.ts.
import type * as A from './ast';
import type { Loc } from '../types';
import { ModuleIndex } from './modules';
import {
  type Value, type Namespace, type ClassV, type FuncV, type InstanceV, type ModuleV, type DictV, type SeqV, type UnknownV,
  type StrV, type BuiltinV, NONE, TRUE, FALSE, str, num, bool, list, tuple, unknown, dict, dictGet, dictSet, hashKey, truthy,
  pyEquals, sameValue, cloneVars, mergeValues, repr, pyStr, iterate, typeName,
} from './values';
import { BUILTINS, callBuiltin, valueAttr, binaryOp, containsOp, compareOrder, formatValue, isExceptionSubclass, exceptionClass } from './eval-builtins';
import { modeledModule, isOpaqueModule, modeledCall } from './eval-modules';
import type { PythonFacts } from './environment';

/** A Python exception raised while evaluating (also used to signal an AttributeError to getattr()). */
export class PyErr {
  /** raised by a `raise` statement of the code (vs. an error of evaluating it); see Interp.assume */
  explicit = false;
  constructor(public readonly type: string, public readonly msg: string, public readonly loc?: Loc, public readonly cls?: ClassV) {}
  toString(): string {
    return `${this.type}${this.msg ? ': ' + this.msg : ''}`;
  }
}

/** The work bound was exceeded. */
export class BudgetErr extends Error {
  /** the whole evaluation's fuel is spent (vs. one loop or call chain that was too long) */
  constructor(message: string, public readonly fatal = false) {
    super(message);
  }
}

export interface Abrupt {
  kind: 'return' | 'raise' | 'break' | 'continue';
  loc: Loc;
  value?: Value;
  exc?: PyErr;
  /** the path's variables when it left (break/continue/raise) */
  vars?: Map<string, Value>;
}
export interface Res { normal: boolean; abrupt: Abrupt[] }
const OK: Res = { normal: true, abrupt: [] };

export interface Scope { vars: Map<string, Value> }

export interface Frame {
  scope: Scope;
  globals: Namespace;
  fn: FuncV | null;
  /** class being defined (class body frames) */
  cls: ClassV | null;
  /** enclosing frame for comprehensions */
  parent: Frame | null;
  closure: Map<string, Value> | null;
  globalNames: Set<string> | null;
  file: string;
  /** the exception being handled (bare `raise`) */
  handling: PyErr | null;
}

export interface Fork { reason: string; loc?: Loc }

export interface InterpOptions {
  /** environment variables for os.environ (copied; `os.environ.setdefault` writes to the copy) */
  env: Record<string, string | undefined>;
  /** execute modules found outside the project (site-packages); Django's own modules never are */
  external?: boolean;
  /** what `django.conf.settings` is */
  settings?: Value;
  /** total evaluation steps before giving up */
  fuel?: number;
  /** the Python environment in use, read from disk (sys.version_info, importlib.metadata) */
  python?: PythonFacts;
  /** `django.conf.global_settings.NAME` (Django's defaults), when known */
  globalSettings?: (name: string) => Value | undefined;
}

export interface RunResult {
  returns: { value: Value; loc: Loc }[];
  raises: PyErr[];
  fellOff: boolean;
  /** unknown conditions that made both branches run */
  forks: Fork[];
}

const MAX_CALL_DEPTH = 40;
const MAX_IMPORT_DEPTH = 30;
const MAX_ITERATIONS = 5000;
/** nesting of one expression (CPython's own parser stops near 200 nested parentheses) */
const MAX_EXPR_DEPTH = 400;

export function locOf(file: string, n: { line: number; col?: number }): Loc {
  return n.col === undefined ? { path: file, line: n.line } : { path: file, line: n.line, column: n.col };
}

export function shortLoc(l: Loc | undefined): string {
  if (!l) return '?';
  const parts = l.path.split(/[\\/]/);
  return `${parts[parts.length - 1]}:${l.line}`;
}

export class Interp {
  readonly env: Record<string, string | undefined>;
  readonly external: boolean;
  readonly python: PythonFacts | undefined;
  readonly globalSettings: ((name: string) => Value | undefined) | undefined;
  settingsValue: Value;
  fuel: number;
  private readonly moduleVals = new Map<string, ModuleV>();
  private importDepth = 0;
  private callDepth = 0;
  private evalDepth = 0;
  /** forks recorded since the last reset (router explanations) */
  forks: Fork[] = [];
  /** identity of input values → observation key (router result caching) */
  inputs: Map<Value, string> | null = null;
  observe: ((key: string, v: Value) => void) | null = null;
  /** problems of module top-levels (raised exceptions), per module */
  readonly moduleErrors = new Map<string, { reason: string; loc?: Loc }[]>();
  /**
   * Paths assumed not taken because they can only end in an explicit `raise` while another path goes on
   * (principle: the project starts), with where the raise is.
   */
  readonly assumptions: { reason: string; loc?: Loc }[] = [];
  private readonly assumed = new Set<string>();
  /** modules imported that are neither in the project nor in the environment (opaque values) */
  readonly missingModules = new Map<string, Loc | undefined>();
  /** > 0 while a `try` whose handlers catch ImportError runs: a missing module then also raises */
  private catchingImport = 0;
  /** an import that failed inside such a `try`: the statement also continues with an opaque module */
  private importFailure: PyErr | null = null;

  constructor(public readonly index: ModuleIndex, opts: InterpOptions) {
    this.env = { ...opts.env };
    this.external = !!opts.external;
    this.python = opts.python;
    this.globalSettings = opts.globalSettings;
    this.settingsValue = opts.settings ?? { kind: 'obj', type: 'django.conf.settings', attrs: new Map(), missing: 'unknown' };
    this.fuel = opts.fuel ?? 2_000_000;
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

  /**
   * A module that is not installed: an opaque value (every attribute unknown), unless a `try` around it
   * catches ImportError, where the import statement also raises (both paths run).
   */
  private missingModule(name: string, loc?: Loc): ModuleV {
    const top = name.split('.')[0]!;
    if (!this.missingModules.has(top)) this.missingModules.set(top, loc);
    const mv: ModuleV = { kind: 'module', name, ns: null, special: 'missing' };
    this.moduleVals.set(name, mv);
    if (this.catchingImport > 0 && !this.importFailure) this.importFailure = new PyErr('ModuleNotFoundError', `No module named '${name}'`, loc);
    return mv;
  }

  /** Import a module by absolute dotted name (parents first). A module not found is opaque ('missing'). */
  importModule(name: string, loc?: Loc): ModuleV {
    const hit = this.moduleVals.get(name);
    if (hit) {
      if (hit.special === 'missing' && this.catchingImport > 0 && !this.importFailure) this.importFailure = new PyErr('ModuleNotFoundError', `No module named '${name}'`, loc);
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
      if (!r && parent?.ns && !isExternalPath(parent.ns.file ?? '')) throw new PyErr('ModuleNotFoundError', `No module named '${name}'`, loc);
      if (!r) return this.missingModule(name, loc);
      if (!this.external && isExternalPath(r.file ?? r.packageDir ?? '')) {
        mv = { kind: 'module', name, ns: null, special: 'opaque' };
      } else {
        const ns: Namespace = { vars: new Map(), module: name, file: r.file, isPackage: r.packageDir !== null };
        ns.vars.set('__name__', str(name));
        if (r.file) ns.vars.set('__file__', str(r.file));
        ns.vars.set('__package__', str(r.packageDir !== null ? name : parts.slice(0, -1).join('.')));
        mv = { kind: 'module', name, ns };
        this.moduleVals.set(name, mv);
        if (parent?.ns) parent.ns.vars.set(parts[parts.length - 1]!, mv);
        if (r.file) {
          if (this.importDepth >= MAX_IMPORT_DEPTH) {
            ns.starUnknown = { reason: `imports nested too deeply at ${name}`, loc };
          } else {
            const mod = this.index.parseFile(r.file);
            if (mod) {
              this.importDepth++;
              // an ImportError inside the imported module is that module's own business
              const catching = this.catchingImport;
              this.catchingImport = 0;
              try {
                this.execModule(ns, mod);
              } finally {
                this.importDepth--;
                this.catchingImport = catching;
              }
            } else ns.starUnknown = { reason: `cannot read ${r.file}`, loc };
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
    const errors: { reason: string; loc?: Loc }[] = this.moduleErrors.get(ns.module) ?? [];
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
        else errors.push({ reason: `raised ${a.exc}`, loc: a.exc?.loc ?? a.loc });
      }
      if (!r.normal) {
        const last = raised[raised.length - 1];
        if (last?.vars) ns.vars = last.vars;
        const why = last?.exc ? `${last.exc} at ${shortLoc(last.exc.loc ?? last.loc)}` : 'statement did not complete';
        havocStmt(this, s, f, unknown(why, last?.exc?.loc ?? locOf(file, s)));
      }
    }
  }

  // ---- statements ----------------------------------------------------------------------------------

  execBlock(stmts: A.Stmt[], f: Frame): Res {
    let abrupt: Abrupt[] | null = null;
    for (const s of stmts) {
      const r = this.execStmt(s, f);
      if (r.abrupt.length) abrupt = abrupt ? abrupt.concat(r.abrupt) : r.abrupt.slice();
      if (!r.normal) return { normal: false, abrupt: abrupt ?? [] };
    }
    return abrupt ? { normal: true, abrupt } : OK;
  }

  execStmt(s: A.Stmt, f: Frame): Res {
    this.tick();
    try {
      const r = this.execStmtInner(s, f);
      if (this.importFailure && (s.type === 'Import' || s.type === 'ImportFrom')) {
        const exc = this.importFailure;
        this.importFailure = null;
        const vars = cloneVars(f.scope.vars);
        for (const n of assignedNames([s])) vars.delete(n);
        return { normal: r.normal, abrupt: [...r.abrupt, { kind: 'raise', exc, loc: locOf(f.file, s), vars }] };
      }
      return r;
    } catch (e) {
      if (e instanceof PyErr) {
        return { normal: false, abrupt: [{ kind: 'raise', exc: e.loc ? e : new PyErr(e.type, e.msg, locOf(f.file, s), e.cls), loc: locOf(f.file, s), vars: f.scope.vars }] };
      }
      throw e;
    }
  }

  private execStmtInner(s: A.Stmt, f: Frame): Res {
    const loc = locOf(f.file, s);
    switch (s.type) {
      case 'Expr':
        this.eval(s.value, f);
        return OK;
      case 'Assign': {
        const v = this.eval(s.value, f);
        for (const t of s.targets) this.assign(t, v, f, loc);
        return OK;
      }
      case 'AnnAssign':
        if (s.value) this.assign(s.target, this.eval(s.value, f), f, loc);
        return OK;
      case 'AugAssign':
        this.augAssign(s, f, loc);
        return OK;
      case 'Pass':
        return OK;
      case 'Return':
        return { normal: false, abrupt: [{ kind: 'return', value: s.value ? this.eval(s.value, f) : NONE, loc }] };
      case 'Break':
      case 'Continue':
        return { normal: false, abrupt: [{ kind: s.type === 'Break' ? 'break' : 'continue', loc, vars: f.scope.vars }] };
      case 'If':
        return this.execIf(s, f, loc);
      case 'For':
        return this.execFor(s, f, loc);
      case 'While':
        return this.execWhile(s, f, loc);
      case 'Try':
        return this.execTry(s, f, loc);
      case 'With': {
        for (const it of s.items) {
          const c = this.eval(it.context, f);
          if (it.target) this.assign(it.target, unknown(`value of a with-statement (${repr(c)})`, loc), f, loc);
        }
        return this.execBlock(s.body, f);
      }
      case 'Raise': {
        if (!s.exc) throw f.handling ?? new PyErr('RuntimeError', 'No active exception to reraise', loc);
        const e = this.eval(s.exc, f);
        const err = this.toPyErr(e, loc);
        err.explicit = true;
        throw err;
      }
      case 'Assert': {
        const t = truthy(this.eval(s.test, f));
        if (t === false) throw new PyErr('AssertionError', '', loc);
        return OK;
      }
      case 'Import':
        for (const a of s.names) {
          const m = this.importModule(a.name, loc);
          if (a.asname) this.setName(a.asname, m, f);
          else this.setName(a.name.split('.')[0]!, this.importModule(a.name.split('.')[0]!, loc), f);
        }
        return OK;
      case 'ImportFrom':
        this.execImportFrom(s, f, loc);
        return OK;
      case 'FunctionDef': {
        const fn = this.makeFunction(s, f, loc);
        this.setName(s.name, fn, f);
        return OK;
      }
      case 'ClassDef':
        this.setName(s.name, this.makeClass(s, f, loc), f);
        return OK;
      case 'Delete':
        for (const t of s.targets) this.deleteTarget(t, f, loc);
        return OK;
      case 'Global':
        f.globalNames = f.globalNames ?? new Set();
        for (const n of s.names) f.globalNames.add(n);
        return OK;
      case 'Nonlocal':
        return OK;
      case 'Match': {
        const u = unknown('match statement is not evaluated', loc);
        havocStmt(this, s, f, u);
        const rets = [...walkStmts(s.cases.flat())].some(x => x.type === 'Return');
        return rets ? { normal: true, abrupt: [{ kind: 'return', value: u, loc }] } : OK;
      }
      default:
        return OK;
    }
  }

  private execIf(s: A.If, f: Frame, loc: Loc): Res {
    const tv = this.eval(s.test, f);
    const t = this.truth(tv);
    if (t === true) return this.execBlock(s.body, f);
    if (t === false) return this.execBlock(s.orelse, f);
    const why = (tv as UnknownV).reason ?? 'unknown condition';
    const wloc = (tv as UnknownV).loc ?? loc;
    this.forks.push({ reason: why, loc: wloc });
    return this.fork(f, [ff => this.execBlock(s.body, ff), ff => this.execBlock(s.orelse, ff)], `depends on ${why}`, wloc);
  }

  /** Run alternatives from the same state; normal exits are merged. */
  fork(f: Frame, alts: ((f: Frame) => Res)[], reason: string, loc: Loc | undefined): Res {
    const saved = f.scope.vars;
    const normals: Map<string, Value>[] = [];
    let abrupt: Abrupt[] = [];
    alts.forEach((run, i) => {
      f.scope.vars = i === alts.length - 1 ? saved : cloneVars(saved);
      const r = run(f);
      if (r.normal) normals.push(f.scope.vars);
      abrupt = abrupt.concat(r.abrupt);
    });
    if (!normals.length) { f.scope.vars = saved; return { normal: false, abrupt }; }
    f.scope.vars = mergeVarsAll(normals, reason, loc);
    return { normal: true, abrupt };
  }

  private execFor(s: A.For, f: Frame, loc: Loc): Res {
    const itv = this.eval(s.iter, f);
    const items = this.iter(itv);
    if (items === null) return this.loopUnknown(s, f, itv as UnknownV, loc);
    let abrupt: Abrupt[] = [];
    const exits: Map<string, Value>[] = [];
    let alive = true;
    let n = 0;
    for (const item of items) {
      if (++n > MAX_ITERATIONS) throw new BudgetErr('too many loop iterations');
      this.assign(s.target, item, f, loc);
      const r = this.execBlock(s.body, f);
      const conts: Map<string, Value>[] = r.normal ? [f.scope.vars] : [];
      for (const a of r.abrupt) {
        if (a.kind === 'break') exits.push(a.vars!);
        else if (a.kind === 'continue') conts.push(a.vars!);
        else abrupt.push(a);
      }
      if (!conts.length) { alive = false; break; }
      f.scope.vars = conts.length === 1 ? conts[0]! : mergeVarsAll(conts, 'depends on a loop condition', loc);
    }
    if (alive) {
      const r = this.execBlock(s.orelse, f);
      abrupt = abrupt.concat(r.abrupt);
      if (r.normal) exits.push(f.scope.vars);
    }
    if (!exits.length) return { normal: false, abrupt };
    f.scope.vars = exits.length === 1 ? exits[0]! : mergeVarsAll(exits, 'depends on a loop condition', loc);
    return { normal: true, abrupt };
  }

  /**
   * A loop over something unknown: the body runs once with the loop variable unknown, and the state after it
   * is merged with the state before it (zero iterations). Lists that only grew keep their known items and a
   * "may contain more" mark (the INSTALLED_APPS-from-entry-points pattern); other changed names become unknown.
   */
  private loopUnknown(s: A.For | A.While, f: Frame, why: UnknownV, loc: Loc): Res {
    const reason = `loop over ${why.reason}`;
    const wloc = why.loc ?? loc;
    this.forks.push({ reason: why.reason, loc: wloc });
    const saved = f.scope.vars;
    f.scope.vars = cloneVars(saved);
    if (s.type === 'For') this.assign(s.target, unknown(reason, wloc), f, loc);
    const states: Map<string, Value>[] = [saved];
    const r = this.execBlock(s.body, f);
    if (r.normal) states.push(f.scope.vars);
    const abrupt: Abrupt[] = [];
    for (const a of r.abrupt) {
      if ((a.kind === 'break' || a.kind === 'continue') && a.vars) states.push(a.vars);
      else abrupt.push(a);
    }
    f.scope.vars = mergeVarsAll(states, reason, wloc);
    const r2 = this.execBlock(s.orelse, f);
    return { normal: r2.normal || !s.orelse.length, abrupt: abrupt.concat(r2.abrupt) };
  }

  private execWhile(s: A.While, f: Frame, loc: Loc): Res {
    let abrupt: Abrupt[] = [];
    const exits: Map<string, Value>[] = [];
    for (let n = 0; ; n++) {
      if (n > MAX_ITERATIONS) throw new BudgetErr('too many loop iterations');
      const tv = this.eval(s.test, f);
      const t = this.truth(tv);
      if (t === null) {
        const r = this.loopUnknown(s, f, tv as UnknownV, loc);
        abrupt = abrupt.concat(r.abrupt);
        exits.push(f.scope.vars);
        break;
      }
      if (!t) {
        const r = this.execBlock(s.orelse, f);
        abrupt = abrupt.concat(r.abrupt);
        if (r.normal) exits.push(f.scope.vars);
        break;
      }
      const r = this.execBlock(s.body, f);
      const conts: Map<string, Value>[] = r.normal ? [f.scope.vars] : [];
      for (const a of r.abrupt) {
        if (a.kind === 'break') exits.push(a.vars!);
        else if (a.kind === 'continue') conts.push(a.vars!);
        else abrupt.push(a);
      }
      if (!conts.length) break;
      f.scope.vars = conts.length === 1 ? conts[0]! : mergeVarsAll(conts, 'depends on a loop condition', loc);
    }
    if (!exits.length) return { normal: false, abrupt };
    f.scope.vars = exits.length === 1 ? exits[0]! : mergeVarsAll(exits, 'depends on a loop condition', loc);
    return { normal: true, abrupt };
  }

  private execTry(s: A.Try, f: Frame, loc: Loc): Res {
    const catches = s.handlers.some(h => catchesImportError(h.typeExpr));
    if (catches) this.catchingImport++;
    let r: Res;
    try {
      r = this.execBlock(s.body, f);
    } finally {
      if (catches) this.catchingImport--;
    }
    const normals: Map<string, Value>[] = [];
    let abrupt: Abrupt[] = [];
    if (r.normal) {
      const r2 = this.execBlock(s.orelse, f);
      abrupt = abrupt.concat(r2.abrupt);
      if (r2.normal) normals.push(f.scope.vars);
    }
    for (const a of r.abrupt) {
      if (a.kind !== 'raise' || !s.handlers.length) { abrupt.push(a); continue; }
      const exc = a.exc!;
      let handled = false;
      for (const h of s.handlers) {
        f.scope.vars = a.vars ?? f.scope.vars;
        const m = this.matchHandler(h, exc, f);
        if (m === false) continue;
        const vars = m === null ? cloneVars(a.vars ?? f.scope.vars) : (a.vars ?? f.scope.vars);
        f.scope.vars = vars;
        if (h.name) this.setName(h.name, { kind: 'instance', cls: exc.cls ?? exceptionClass(exc.type), attrs: new Map([['args', tuple([str(exc.msg)])]]) }, f);
        const prev = f.handling;
        f.handling = exc;
        const hr = this.execBlock(h.body, f);
        f.handling = prev;
        abrupt = abrupt.concat(hr.abrupt);
        if (hr.normal) normals.push(f.scope.vars);
        if (m === true) { handled = true; break; }
        // unknown whether it matches: it may also propagate
        this.forks.push({ reason: `whether ${exc.type} is caught`, loc: locOf(f.file, h) });
      }
      if (!handled) abrupt.push(a);
    }
    if (s.finalbody.length) {
      // run `finally` on the normal path only (its effects on abrupt paths are not modelled)
      if (normals.length) {
        f.scope.vars = normals.length === 1 ? normals[0]! : mergeVarsAll(normals, 'depends on whether an exception was raised', loc);
        const fr = this.execBlock(s.finalbody, f);
        abrupt = abrupt.concat(fr.abrupt);
        if (!fr.normal) return { normal: false, abrupt };
        return { normal: true, abrupt };
      }
    }
    if (!normals.length) return { normal: false, abrupt };
    f.scope.vars = normals.length === 1 ? normals[0]! : mergeVarsAll(normals, 'depends on whether an exception was raised', loc);
    return { normal: true, abrupt };
  }

  private matchHandler(h: A.ExceptHandler, exc: PyErr, f: Frame): boolean | null {
    if (!h.typeExpr) return true;
    let tv: Value;
    try {
      tv = this.eval(h.typeExpr, f);
    } catch (e) {
      if (e instanceof PyErr) return null;
      throw e;
    }
    const types = tv.kind === 'tuple' ? tv.items : [tv];
    let res: boolean | null = false;
    for (const t of types) {
      if (t.kind === 'class') {
        if (exc.cls && this.mro(exc.cls).includes(t)) return true;
        if (t.special === 'exception' && isExceptionSubclass(exc.type, t.name)) return true;
        if (exc.cls && this.mro(exc.cls).some(c => c.special === 'exception' && isExceptionSubclass(c.name, t.name) && t.special === 'exception')) return true;
        if (t.opaqueBase) res = null;
      } else res = null;
    }
    return res;
  }

  private execImportFrom(s: A.ImportFrom, f: Frame, loc: Loc): void {
    if (s.module === '__future__') return;
    const g = f.globals;
    const abs = ModuleIndex.absoluteName(g.module, g.isPackage, s.level, s.module);
    if (!abs) throw new PyErr('ImportError', 'attempted relative import beyond top-level package', loc);
    const m = this.importModule(abs, loc);
    for (const a of s.names) {
      if (a.name === '*') {
        this.importStar(m, f, loc);
        continue;
      }
      let v: Value;
      if (m.ns && m.ns.vars.has(a.name)) v = m.ns.vars.get(a.name)!;
      else if (!m.ns || m.special === 'modeled') v = this.moduleAttr(m, a.name, loc, true);
      else {
        try {
          v = this.importModule(`${abs}.${a.name}`, loc);
        } catch (e) {
          if (!(e instanceof PyErr)) throw e;
          v = this.moduleAttr(m, a.name, loc, true);
        }
      }
      this.setName(a.asname ?? a.name, v, f);
    }
  }

  private importStar(m: ModuleV, f: Frame, loc: Loc): void {
    if (!m.ns) {
      if (m.special === 'missing') f.globals.starUnknown = { reason: missingReason(m.name), loc };
      else if (m.special) f.globals.starUnknown = { reason: `names imported by 'from ${m.name} import *'`, loc };
      return;
    }
    if (m.ns.starUnknown) f.globals.starUnknown = m.ns.starUnknown;
    const all = m.ns.vars.get('__all__');
    const names = all && (all.kind === 'list' || all.kind === 'tuple') && all.items.every(x => x.kind === 'str')
      ? all.items.map(x => (x as StrV).v)
      : [...m.ns.vars.keys()].filter(k => !k.startsWith('_'));
    for (const n of names) {
      const v = m.ns.vars.get(n);
      if (v) this.setName(n, v, f);
    }
  }

  private makeFunction(s: A.FunctionDef | A.Lambda, f: Frame, loc: Loc): Value {
    const defaults = new Map<string, Value>();
    const a = s.args;
    for (const arg of [...a.posonly, ...a.args, ...a.kwonly]) if (arg.default) defaults.set(arg.name, this.eval(arg.default, f));
    const fn: FuncV = {
      kind: 'function', name: s.type === 'FunctionDef' ? s.name : '<lambda>', def: s, globals: f.globals, cls: f.cls, defaults, loc,
    };
    if (f.fn || f.parent) fn.closure = f.scope.vars;
    if (s.type === 'Lambda') return fn;
    let result: Value = fn;
    for (let i = s.decorators.length - 1; i >= 0; i--) {
      const d = this.eval(s.decorators[i]!, f);
      if (d.kind === 'builtin' && (d.name === 'staticmethod' || d.name === 'classmethod' || d.name === 'property' || d.name === 'functools.cached_property')) {
        if (result.kind === 'function') result.decorator = d.name === 'functools.cached_property' ? 'property' : (d.name as FuncV['decorator']);
        continue;
      }
      if (d.kind === 'builtin' && d.name.startsWith('functools.')) continue; // lru_cache, cache, wraps(...)
      result = this.call(d, [result], [], loc);
    }
    return result;
  }

  private makeClass(s: A.ClassDef, f: Frame, loc: Loc): ClassV {
    const bases: Value[] = s.bases.map(b => this.eval(b, f));
    const cls: ClassV = { kind: 'class', name: s.name, module: f.globals.module, def: s, ns: new Map(), bases, globals: f.globals, loc };
    let fieldsKind: 'namedtuple' | 'dataclass' | null = null;
    for (const b of bases) {
      if (b.kind === 'class') {
        if (b.opaqueBase && !cls.opaqueBase) cls.opaqueBase = b.opaqueBase;
        if (b.fields) fieldsKind = b.fields.kind;
        continue;
      }
      if (b.kind === 'builtin' && (b.name === 'object')) continue;
      if (b.kind === 'builtin' && b.name === 'typing.NamedTuple') { fieldsKind = 'namedtuple'; continue; }
      if (!cls.opaqueBase) cls.opaqueBase = b.kind === 'unknown' ? b : unknown(`base class ${repr(b)} is not modelled`, loc);
    }
    cls.ns.set('__module__', str(f.globals.module));
    cls.ns.set('__qualname__', str(s.name));
    const cf: Frame = { scope: { vars: cls.ns }, globals: f.globals, fn: null, cls, parent: null, closure: f.fn ? f.scope.vars : null, globalNames: null, file: f.file, handling: null };
    const r = this.execBlock(s.body, cf);
    cls.ns = cf.scope.vars;
    if (!r.normal) {
      const e = r.abrupt.find(a => a.kind === 'raise');
      if (e?.exc) throw e.exc;
    }
    for (const d of s.decorators) {
      const dv = this.evalSafe(d.type === 'Call' ? d.func : d, f);
      if (dv.kind === 'builtin' && dv.name === 'dataclasses.dataclass') fieldsKind = 'dataclass';
    }
    if (fieldsKind) {
      // fields are the annotated names of the body, after those of the bases (dataclass/NamedTuple order)
      const inherited = bases.flatMap(b => (b.kind === 'class' && b.fields ? b.fields.names : []));
      const own = s.body.filter((x): x is A.AnnAssign => x.type === 'AnnAssign' && x.target.type === 'Name').map(x => (x.target as A.Name).id);
      cls.fields = { kind: fieldsKind, names: [...inherited, ...own.filter(n => !inherited.includes(n))] };
    }
    return cls;
  }

  private augAssign(s: A.AugAssign, f: Frame, loc: Loc): void {
    const cur = this.eval(s.target, f);
    const rhs = this.eval(s.value, f);
    if (s.op === '+' && cur.kind === 'list') {
      const items = this.iter(rhs);
      if (items) { cur.items.push(...items); return; }
      // `+=` of something not known: in place, the known items stay ("may contain more")
      if (rhs.kind === 'unknown' || ((rhs.kind === 'list' || rhs.kind === 'tuple') && rhs.more)) {
        if (rhs.kind !== 'unknown') cur.items.push(...rhs.items);
        cur.more ??= rhs.kind === 'unknown' ? unknown(rhs.reason, rhs.loc ?? loc) : rhs.more;
        return;
      }
    }
    if (s.op === '|' && cur.kind === 'dict' && rhs.kind === 'dict') {
      for (const e of rhs.map.values()) dictSet(cur, e.k, e.v, e.loc ?? loc);
      if (rhs.inexact) cur.inexact = rhs.inexact;
      return;
    }
    if (s.op === '+' && cur.kind === 'unknown' && s.target.type === 'Name') { this.assign(s.target, cur, f, loc); return; }
    this.assign(s.target, binaryOp(this, cur, s.op, rhs, loc), f, loc);
  }

  private deleteTarget(t: A.Expr, f: Frame, loc: Loc): void {
    if (t.type === 'Name') { f.scope.vars.delete(t.id); return; }
    if (t.type === 'Subscript') {
      const c = this.eval(t.value, f);
      const k = this.eval(t.slice, f);
      if (c.kind === 'dict') {
        const h = hashKey(k);
        if (h === null) c.inexact = unknown(`a key was deleted (${repr(k)})`, loc);
        else c.map.delete(h);
      }
      return;
    }
    if (t.type === 'Tuple' || t.type === 'List') for (const x of t.elts) this.deleteTarget(x, f, loc);
  }

  // ---- names & assignment --------------------------------------------------------------------------

  setName(name: string, v: Value, f: Frame): void {
    if (f.globalNames?.has(name)) f.globals.vars.set(name, v);
    else f.scope.vars.set(name, v);
  }

  lookup(name: string, f: Frame, loc: Loc): Value {
    for (let fr: Frame | null = f; fr; fr = fr.parent) {
      const v = fr.scope.vars.get(name);
      if (v !== undefined) return v;
      if (fr.closure) {
        const c = fr.closure.get(name);
        if (c !== undefined) return c;
      }
      if (fr.fn?.closure) {
        const c = fr.fn.closure.get(name);
        if (c !== undefined) return c;
      }
    }
    const g = f.globals.vars.get(name);
    if (g !== undefined) return g;
    const b = BUILTINS.get(name);
    if (b) return b;
    if (f.globals.starUnknown) return unknown(`${name} may come from ${f.globals.starUnknown.reason}`, f.globals.starUnknown.loc ?? loc);
    throw new PyErr('NameError', `name '${name}' is not defined`, loc);
  }

  assign(t: A.Expr, v: Value, f: Frame, loc: Loc): void {
    switch (t.type) {
      case 'Name':
        this.setName(t.id, v, f);
        return;
      case 'Tuple':
      case 'List': {
        const items = this.iter(v);
        const star = t.elts.findIndex(e => e.type === 'Starred');
        if (items === null) {
          for (const e of t.elts) this.assign(e.type === 'Starred' ? e.value : e, v.kind === 'unknown' ? v : unknown(`cannot unpack ${repr(v)}`, loc), f, loc);
          return;
        }
        if (star < 0) {
          if (items.length !== t.elts.length) throw new PyErr('ValueError', `cannot unpack ${items.length} values into ${t.elts.length}`, loc);
          t.elts.forEach((e, i) => this.assign(e, items[i]!, f, loc));
          return;
        }
        const after = t.elts.length - star - 1;
        if (items.length < t.elts.length - 1) throw new PyErr('ValueError', 'not enough values to unpack', loc);
        t.elts.forEach((e, i) => {
          if (i < star) this.assign(e, items[i]!, f, loc);
          else if (i === star) this.assign((e as A.Starred).value, list(items.slice(star, items.length - after)), f, loc);
          else this.assign(e, items[items.length - (t.elts.length - i)]!, f, loc);
        });
        return;
      }
      case 'Starred':
        this.assign(t.value, v, f, loc);
        return;
      case 'Subscript': {
        const c = this.eval(t.value, f);
        const k = this.eval(t.slice, f);
        this.setItem(c, k, v, loc);
        return;
      }
      case 'Attribute': {
        const o = this.eval(t.value, f);
        if (o.kind === 'instance') o.attrs.set(t.attr, v);
        else if (o.kind === 'class') o.ns.set(t.attr, v);
        else if (o.kind === 'module' && o.ns) o.ns.vars.set(t.attr, v);
        else if (o.kind === 'obj') o.attrs.set(t.attr, v);
        return;
      }
      default:
        return;
    }
  }

  setItem(c: Value, k: Value, v: Value, loc: Loc): void {
    if (c.kind === 'dict') {
      if (!dictSet(c, k, v, loc)) c.inexact = unknown(`a key that is not known (${repr(k)}) was set`, k.kind === 'unknown' ? k.loc ?? loc : loc);
      return;
    }
    if (c.kind === 'list') {
      if (k.kind === 'num' || k.kind === 'bool') {
        const n = k.kind === 'num' ? k.v : k.v ? 1 : 0;
        const i = n < 0 ? c.items.length + n : n;
        if (i < 0 || i >= c.items.length) throw new PyErr('IndexError', 'list assignment index out of range', loc);
        c.items[i] = v;
        return;
      }
      const u = k.kind === 'unknown' ? k : unknown(`list item set with ${repr(k)}`, loc);
      for (let i = 0; i < c.items.length; i++) c.items[i] = u;
      return;
    }
    if (c.kind === 'obj' && c.type === 'globals') {
      // globals()[name] = value
      const ns = c.data as Namespace;
      if (k.kind === 'str') ns.vars.set(k.v, v);
      else ns.starUnknown = { reason: `globals() set with ${k.kind === 'unknown' ? k.reason : repr(k)}`, loc };
      return;
    }
    if (c.kind === 'obj' && c.type === 'os.environ') {
      const ks = pyStr(k);
      const vs = v.kind === 'str' ? v.v : undefined;
      if (ks !== null && k.kind === 'str') this.env[ks] = vs;
      return;
    }
    if (c.kind === 'unknown') return;
    if (c.kind === 'str' || c.kind === 'tuple' || c.kind === 'num') throw new PyErr('TypeError', `'${typeName(c)}' object does not support item assignment`, loc);
  }

  // ---- expressions ---------------------------------------------------------------------------------

  eval(e: A.Expr, f: Frame): Value {
    this.tick();
    if (++this.evalDepth > MAX_EXPR_DEPTH) {
      this.evalDepth--;
      throw new BudgetErr(`expression nested more than ${MAX_EXPR_DEPTH} levels deep`);
    }
    let v: Value;
    try {
      v = this.evalInner(e, f);
    } finally {
      this.evalDepth--;
    }
    if (this.inputs !== null) {
      const key = this.inputs.get(v);
      if (key !== undefined) this.observe?.(key, v);
    }
    return v;
  }

  truth(v: Value): boolean | null {
    if (v.kind === 'instance') {
      const b = this.classAttr(v.cls, '__bool__') ?? this.classAttr(v.cls, '__len__');
      if (!b) return v.cls.opaqueBase ? null : true;
      return truthy(this.call(this.bindAttr(b.value, v, b.owner), [], [], undefined));
    }
    return truthy(v);
  }

  private evalInner(e: A.Expr, f: Frame): Value {
    const loc = (): Loc => locOf(f.file, e);
    switch (e.type) {
      case 'Constant': {
        const c = e.value;
        if (typeof c === 'string') return str(c);
        if (typeof c === 'number') return Number.isNaN(c) ? unknown('unsupported number literal', loc()) : num(c, !Number.isInteger(c));
        if (typeof c === 'bigint') return num(Number(c));
        if (typeof c === 'boolean') return bool(c);
        if (c === null) return NONE;
        if ('bytes' in c) return unknown('bytes value', loc());
        return unknown('Ellipsis or complex literal', loc());
      }
      case 'Name':
        return this.lookup(e.id, f, loc());
      case 'JoinedStr': {
        let out = '';
        for (const p of e.values) {
          if (p.type === 'Constant') { out += String(p.value); continue; }
          const v = this.eval(p.value, f);
          const s = formatValue(this, v, p.conversion, p.formatSpec, loc());
          if (s === null) return unknown(v.kind === 'unknown' ? v.reason : `f-string part ${repr(v)}`, v.kind === 'unknown' ? v.loc ?? loc() : loc());
          out += s;
        }
        return str(out);
      }
      case 'Attribute':
        return this.getAttr(this.eval(e.value, f), e.attr, loc());
      case 'Subscript':
        return this.subscript(this.eval(e.value, f), e.slice, f, loc());
      case 'Call':
        return this.evalCall(e, f);
      case 'BinOp': {
        // `1 + 1 + … + 1` nests to the left as deep as it is long: walk the spine instead of recursing
        const spine: A.BinOp[] = [];
        let cur: A.Expr = e;
        while (cur.type === 'BinOp') { spine.push(cur); cur = cur.left; }
        let acc = this.eval(cur, f);
        for (let i = spine.length - 1; i >= 0; i--) {
          const b = spine[i]!;
          this.tick();
          acc = binaryOp(this, acc, b.op, this.eval(b.right, f), locOf(f.file, b));
        }
        return acc;
      }
      case 'UnaryOp': {
        const v = this.eval(e.operand, f);
        if (e.op === 'not') {
          const t = this.truth(v);
          return t === null ? unknown((v as UnknownV).reason ?? `truth of ${repr(v)}`, (v as UnknownV).loc ?? loc(), (v as UnknownV).truthy === undefined ? undefined : !(v as UnknownV).truthy) : bool(!t);
        }
        if (v.kind === 'unknown') return v;
        const n = v.kind === 'num' ? v.v : v.kind === 'bool' ? (v.v ? 1 : 0) : null;
        if (n === null) throw new PyErr('TypeError', `bad operand type for unary ${e.op}: '${typeName(v)}'`, loc());
        if (e.op === '-') return num(-n, v.kind === 'num' && v.float);
        if (e.op === '+') return num(n, v.kind === 'num' && v.float);
        return num(~n);
      }
      case 'BoolOp':
        return this.boolOp(e, f);
      case 'Compare':
        return this.compare(e, f);
      case 'List':
      case 'Tuple':
      case 'Set': {
        const items: Value[] = [];
        for (const x of e.elts) {
          if (x.type === 'Starred') {
            const v = this.eval(x.value, f);
            const it = this.iter(v);
            if (it === null) return v.kind === 'unknown' ? v : unknown(`cannot iterate ${repr(v)}`, loc());
            items.push(...it);
          } else items.push(this.eval(x, f));
        }
        if (e.type === 'Set') return { kind: 'set', items: dedupe(items) };
        return e.type === 'List' ? list(items) : tuple(items);
      }
      case 'Dict': {
        const d = dict();
        for (let i = 0; i < e.keys.length; i++) {
          const k = e.keys[i];
          const ve = e.values[i]!;
          if (!k) {
            const other = this.eval(ve, f);
            if (other.kind === 'dict') {
              for (const en of other.map.values()) dictSet(d, en.k, en.v, en.loc);
              if (other.inexact) d.inexact = other.inexact;
            } else if (other.kind === 'unknown') d.inexact = other;
            else throw new PyErr('TypeError', `'${typeName(other)}' object is not a mapping`, loc());
            continue;
          }
          const kv = this.eval(k, f);
          const vv = this.eval(ve, f);
          if (!dictSet(d, kv, vv, locOf(f.file, k))) d.inexact = kv.kind === 'unknown' ? kv : unknown(`unhashable key ${repr(kv)}`, loc());
        }
        return d;
      }
      case 'IfExp': {
        const tv = this.eval(e.test, f);
        const t = this.truth(tv);
        if (t === true) return this.eval(e.body, f);
        if (t === false) return this.eval(e.orelse, f);
        this.forks.push({ reason: (tv as UnknownV).reason, loc: (tv as UnknownV).loc ?? loc() });
        const a = this.evalSafe(e.body, f);
        const b = this.evalSafe(e.orelse, f);
        return mergeValues(a, b, `depends on ${(tv as UnknownV).reason}`, (tv as UnknownV).loc ?? loc());
      }
      case 'Lambda':
        return this.makeFunction(e, f, loc());
      case 'ListComp':
      case 'SetComp':
      case 'GeneratorExp':
      case 'DictComp':
        return this.comprehension(e, f, loc());
      case 'NamedExpr': {
        const v = this.eval(e.value, f);
        this.setName(e.target.id, v, f);
        return v;
      }
      case 'Starred':
        return this.eval(e.value, f);
      case 'Slice':
        return unknown('slice outside a subscript', loc());
      case 'Await':
        return unknown('await', loc());
      default:
        return unknown(`expression not evaluated (${e.kind})`, loc());
    }
  }

  /** Evaluate; a raised exception becomes an unknown (used where only one of several paths runs). */
  evalSafe(e: A.Expr, f: Frame): Value {
    try {
      return this.eval(e, f);
    } catch (err) {
      if (err instanceof PyErr) return unknown(`may raise ${err}`, err.loc ?? locOf(f.file, e));
      throw err;
    }
  }

  private boolOp(e: A.BoolOp, f: Frame): Value {
    let cur = this.eval(e.values[0]!, f);
    for (let i = 1; i < e.values.length; i++) {
      const t = this.truth(cur);
      if (t !== null) {
        if (e.op === 'and' ? !t : t) return cur;
        cur = this.eval(e.values[i]!, f);
        continue;
      }
      const u = cur as UnknownV;
      const rest = this.evalSafe(e.values[i]!, f);
      const tr = this.truth(rest);
      // `u and x`: u (falsy) or x; `u or x`: u (truthy) or x
      const tt = e.op === 'and' ? (tr === false ? false : undefined) : tr === true ? true : undefined;
      cur = unknown(u.reason, u.loc, tt);
    }
    return cur;
  }

  private compare(e: A.Compare, f: Frame): Value {
    let left = this.eval(e.left, f);
    let result: Value = TRUE;
    for (let i = 0; i < e.ops.length; i++) {
      const right = this.eval(e.comparators[i]!, f);
      const r = this.compareOp(left, e.ops[i]!, right, locOf(f.file, e));
      if (r.kind === 'bool' && !r.v) return r;
      if (r.kind === 'unknown') result = result.kind === 'unknown' ? result : r;
      left = right;
    }
    return result;
  }

  compareOp(a: Value, op: A.CmpOp, b: Value, loc: Loc): Value {
    const unk = (): Value => {
      const u = a.kind === 'unknown' ? a : b.kind === 'unknown' ? b : unknown(`comparison ${repr(a)} ${op} ${repr(b)}`, loc);
      return unknown((u as UnknownV).reason, (u as UnknownV).loc ?? loc);
    };
    if (this.observe && (a.kind === 'obj' || b.kind === 'obj')) {
      // comparing a model with None/str/… does not depend on which model it is
      const other = a.kind === 'obj' ? b : a;
      if (op === 'in' || op === 'not in' || other.kind === 'obj' || other.kind === 'unknown' || other.kind === 'instance' || other.kind === 'class') {
        this.noteIdentity(a);
        this.noteIdentity(b);
      }
    }
    switch (op) {
      case '==': case '!=': case '<>': {
        if (a.kind === 'instance' || b.kind === 'instance') {
          const inst = (a.kind === 'instance' ? a : b) as InstanceV;
          if (!this.classAttr(inst.cls, '__eq__') && !inst.cls.opaqueBase) {
            const same = a === b;
            return bool(op === '==' ? same : !same);
          }
          return unk();
        }
        const r = pyEquals(a, b);
        if (r === null) return unk();
        return bool(op === '==' ? r : !r);
      }
      case 'is': case 'is not': {
        const r = isSame(a, b);
        if (r === null) return unk();
        return bool(op === 'is' ? r : !r);
      }
      case 'in': case 'not in': {
        const r = containsOp(this, b, a, loc);
        if (r === null) return unk();
        return bool(op === 'in' ? r : !r);
      }
      default: {
        const r = compareOrder(a, op, b, loc);
        if (r === null) return unk();
        return bool(r);
      }
    }
  }

  /** Operations that depend on a model's identity (router caching). */
  noteIdentity(v: Value): void {
    if (this.observe && v.kind === 'obj' && (v.type === 'model' || v.type === 'model._meta')) this.observe('model', v);
  }

  private comprehension(e: A.Comprehension, f: Frame, loc: Loc): Value {
    const cf: Frame = { ...f, scope: { vars: new Map() }, parent: f, closure: null, globalNames: null };
    const out: Value[] = [];
    const d = e.type === 'DictComp' ? dict() : null;
    let failed: UnknownV | null = null;
    const gen = (i: number): void => {
      if (failed) return;
      if (i === e.generators.length) {
        if (d) {
          const k = this.eval(e.elt, cf);
          const v = this.eval(e.value!, cf);
          if (!dictSet(d, k, v, loc)) failed = k.kind === 'unknown' ? k : unknown(`unhashable key ${repr(k)}`, loc);
        } else out.push(this.eval(e.elt, cf));
        return;
      }
      const g = e.generators[i]!;
      const itv = this.eval(g.iter, i === 0 ? f : cf);
      const items = this.iter(itv);
      if (items === null) { failed = itv.kind === 'unknown' ? itv : unknown(`cannot iterate ${repr(itv)}`, loc); return; }
      let n = 0;
      for (const item of items) {
        if (++n > MAX_ITERATIONS) throw new BudgetErr('too many loop iterations');
        this.assign(g.target, item, cf, loc);
        let ok: boolean | null = true;
        for (const cond of g.ifs) {
          const cv = this.eval(cond, cf);
          const t = this.truth(cv);
          if (t === null) { failed = unknown((cv as UnknownV).reason, (cv as UnknownV).loc ?? loc); return; }
          if (!t) { ok = false; break; }
        }
        if (ok) gen(i + 1);
        if (failed) return;
      }
    };
    gen(0);
    if (failed) return failed;
    if (d) return d;
    if (e.type === 'SetComp') return { kind: 'set', items: dedupe(out) };
    return list(out);
  }

  private subscript(c: Value, sliceE: A.Expr, f: Frame, loc: Loc): Value {
    if (sliceE.type === 'Slice') {
      const lo = sliceE.lower ? this.eval(sliceE.lower, f) : NONE;
      const hi = sliceE.upper ? this.eval(sliceE.upper, f) : NONE;
      const st = sliceE.step ? this.eval(sliceE.step, f) : NONE;
      return sliceValue(c, lo, hi, st, loc);
    }
    const k = this.eval(sliceE, f);
    return this.getItem(c, k, loc);
  }

  getItem(c: Value, k: Value, loc: Loc): Value {
    switch (c.kind) {
      case 'unknown':
        return c;
      case 'dict': {
        if (k.kind === 'unknown') return unknown(k.reason, k.loc ?? loc);
        const v = dictGet(c, k);
        if (v !== undefined) return v;
        if (c.inexact) return unknown(c.inexact.reason, c.inexact.loc ?? loc);
        if (hashKey(k) === null) return unknown(`lookup of ${repr(k)}`, loc);
        throw new PyErr('KeyError', repr(k), loc);
      }
      case 'list': case 'tuple': case 'str': {
        if (k.kind === 'unknown') return unknown(k.reason, k.loc ?? loc);
        const n = k.kind === 'num' && !k.float ? k.v : k.kind === 'bool' ? (k.v ? 1 : 0) : null;
        if (n === null) throw new PyErr('TypeError', `indices must be integers, not ${typeName(k)}`, loc);
        const len = c.kind === 'str' ? [...c.v].length : c.items.length;
        const i = n < 0 ? len + n : n;
        if (i < 0 || i >= len) throw new PyErr('IndexError', `${c.kind} index out of range`, loc);
        return c.kind === 'str' ? str([...c.v][i]!) : c.items[i]!;
      }
      case 'obj': {
        const r = modeledCall(this, c, '__getitem__', [k], [], loc);
        if (r !== undefined) return r;
        return unknown(`${c.type}[${repr(k)}]`, loc);
      }
      case 'instance': {
        const g = this.classAttr(c.cls, '__getitem__');
        if (g) return this.call(this.bindAttr(g.value, c, g.owner), [k], [], loc);
        return unknown(`item of ${repr(c)}`, loc);
      }
      case 'class': case 'builtin':
        return unknown(`generic alias ${repr(c)}[...]`, loc);
      default:
        throw new PyErr('TypeError', `'${typeName(c)}' object is not subscriptable`, loc);
    }
  }

  private evalCall(e: A.Call, f: Frame): Value {
    const loc = locOf(f.file, e);
    if (e.func.type === 'Name' && e.func.id === 'super' && e.args.length === 0) {
      // zero-argument super(): the class the function was defined in, and its first argument
      const fr = f.fn ? f : null;
      const fn = fr?.fn;
      const first = fn && fn.def.type === 'FunctionDef' ? [...fn.def.args.posonly, ...fn.def.args.args][0] : undefined;
      if (!fn?.cls || !first) throw new PyErr('RuntimeError', 'super(): no arguments', loc);
      return { kind: 'super', cls: fn.cls, self: this.lookup(first.name, f, loc) };
    }
    const fnv: Value = this.eval(e.func, f);
    const args: Value[] = [];
    for (const a of e.args) {
      if (a.type === 'Starred') {
        const v = this.eval(a.value, f);
        const it = this.iter(v);
        if (it === null) return unknown(v.kind === 'unknown' ? v.reason : `*args of ${repr(v)}`, v.kind === 'unknown' ? v.loc ?? loc : loc);
        args.push(...it);
      } else args.push(this.eval(a, f));
    }
    const kwargs: [string, Value][] = [];
    for (const k of e.keywords) {
      const v = this.eval(k.value, f);
      if (k.arg) { kwargs.push([k.arg, v]); continue; }
      if (v.kind !== 'dict' || v.inexact) return unknown(v.kind === 'unknown' ? v.reason : `**kwargs of ${repr(v)}`, v.kind === 'unknown' ? v.loc ?? loc : loc);
      for (const en of v.map.values()) {
        if (en.k.kind !== 'str') throw new PyErr('TypeError', 'keywords must be strings', loc);
        kwargs.push([en.k.v, en.v]);
      }
    }
    return this.call(fnv, args, kwargs, loc, f);
  }

  /** Call any callable value. */
  call(fnv: Value, args: Value[], kwargs: [string, Value][], loc: Loc | undefined, f?: Frame): Value {
    const l = loc ?? { path: '?', line: 0 };
    switch (fnv.kind) {
      case 'unknown':
        return unknown(fnv.reason, fnv.loc ?? l);
      case 'builtin':
        return callBuiltin(this, fnv, args, kwargs, l, f);
      case 'function':
        return this.callFunction(fnv, args, kwargs, l);
      case 'bound':
        return this.callFunction(fnv.fn, [fnv.self, ...args], kwargs, l);
      case 'class':
        return this.instantiate(fnv, args, kwargs, l);
      case 'obj': {
        const r = modeledCall(this, fnv, '__call__', args, kwargs, l);
        if (r !== undefined) return r;
        return unknown(`call of ${fnv.type}`, l);
      }
      case 'instance': {
        const c = this.classAttr(fnv.cls, '__call__');
        if (c) return this.call(this.bindAttr(c.value, fnv, c.owner), args, kwargs, l);
        if (fnv.cls.opaqueBase) return unknown(fnv.cls.opaqueBase.reason, fnv.cls.opaqueBase.loc);
        throw new PyErr('TypeError', `'${fnv.cls.name}' object is not callable`, l);
      }
      default:
        throw new PyErr('TypeError', `'${typeName(fnv)}' object is not callable`, l);
    }
  }

  instantiate(cls: ClassV, args: Value[], kwargs: [string, Value][], loc: Loc): Value {
    if (cls.special === 'exception') {
      return { kind: 'instance', cls, attrs: new Map([['args', tuple(args)]]) };
    }
    if (cls.fields) return this.instantiateFields(cls, cls.fields, args, kwargs, loc);
    const inst: InstanceV = { kind: 'instance', cls, attrs: new Map() };
    const init = this.classAttr(cls, '__init__');
    if (init) {
      this.call(this.bindAttr(init.value, inst, init.owner), args, kwargs, loc);
    } else if (cls.opaqueBase) {
      // the unknown base's __init__ may set anything
      return inst;
    } else if (args.length || kwargs.length) {
      throw new PyErr('TypeError', `${cls.name}() takes no arguments`, loc);
    }
    return inst;
  }

  /** A NamedTuple (a tuple with field names) or a dataclass instance, fields bound like the generated __init__. */
  private instantiateFields(cls: ClassV, fields: NonNullable<ClassV['fields']>, args: Value[], kwargs: [string, Value][], loc: Loc): Value {
    if (args.length > fields.names.length) throw new PyErr('TypeError', `${cls.name}() takes ${fields.names.length} positional arguments but ${args.length} were given`, loc);
    const vals = new Map<string, Value>();
    fields.names.forEach((n, i) => { if (i < args.length) vals.set(n, args[i]!); });
    for (const [k, v] of kwargs) {
      if (!fields.names.includes(k)) throw new PyErr('TypeError', `${cls.name}() got an unexpected keyword argument '${k}'`, loc);
      vals.set(k, v);
    }
    for (const n of fields.names) {
      if (vals.has(n)) continue;
      const d = this.classAttr(cls, n);
      if (!d) throw new PyErr('TypeError', `${cls.name}() missing required argument: '${n}'`, loc);
      vals.set(n, d.value.kind === 'obj' && d.value.type === 'dataclasses.Field' ? (d.value.attrs.get('default') ?? unknown(`${cls.name}.${n} default factory`, loc)) : d.value);
    }
    if (fields.kind === 'namedtuple') return { kind: 'tuple', items: fields.names.map(n => vals.get(n)!), fields: fields.names };
    const inst: InstanceV = { kind: 'instance', cls, attrs: vals };
    const post = this.classAttr(cls, '__post_init__');
    if (post) this.call(this.bindAttr(post.value, inst, post.owner), [], [], loc);
    return inst;
  }

  /** Bind arguments and run a function's body. */
  runFunction(fn: FuncV, args: Value[], kwargs: [string, Value][], loc: Loc): RunResult {
    if (this.callDepth >= MAX_CALL_DEPTH) throw new BudgetErr('calls nested too deeply');
    const def = fn.def;
    const file = fn.loc.path;
    const locals = this.bindArgs(fn, args, kwargs, loc);
    const fr: Frame = { scope: { vars: locals }, globals: fn.globals, fn, cls: null, parent: null, closure: null, globalNames: null, file, handling: null };
    const forksBefore = this.forks.length;
    this.callDepth++;
    try {
      if (def.type === 'Lambda') {
        const v = this.eval(def.body, fr);
        return { returns: [{ value: v, loc: locOf(file, def) }], raises: [], fellOff: false, forks: this.forks.slice(forksBefore) };
      }
      const r = this.execBlock(def.body, fr);
      const returns: { value: Value; loc: Loc }[] = [];
      const raises: PyErr[] = [];
      for (const a of r.abrupt) {
        if (a.kind === 'return') returns.push({ value: a.value ?? NONE, loc: a.loc });
        else if (a.kind === 'raise') raises.push(a.exc!);
      }
      return { returns, raises, fellOff: r.normal, forks: this.forks.slice(forksBefore) };
    } finally {
      this.callDepth--;
    }
  }

  callFunction(fn: FuncV, args: Value[], kwargs: [string, Value][], loc: Loc): Value {
    if (fn.def.type === 'FunctionDef' && isGenerator(fn.def)) return unknown(`generator ${fn.name}()`, fn.loc);
    const r = this.runFunction(fn, args, kwargs, loc);
    const values = r.returns.map(x => x.value);
    if (r.fellOff) values.push(NONE);
    if (!values.length) {
      if (r.raises.length) throw r.raises[0]!;
      return unknown(`${fn.name}() did not return`, fn.loc);
    }
    const fork = r.forks[0];
    if (r.raises.length && r.raises.every(x => x.explicit)) {
      for (const x of r.raises) this.assume(x, fn.loc);
    } else if (r.raises.length) {
      return unknown(`${fn.name}() may raise ${r.raises[0]} at ${shortLoc(r.raises[0]!.loc)}`, r.raises[0]!.loc ?? fn.loc);
    }
    let v = values[0]!;
    for (let i = 1; i < values.length; i++) {
      v = mergeValues(v, values[i]!, fork ? `${fn.name}() result depends on ${fork.reason}` : `${fn.name}() result`, fork?.loc ?? fn.loc);
    }
    return v;
  }

  private bindArgs(fn: FuncV, args: Value[], kwargs: [string, Value][], loc: Loc): Map<string, Value> {
    const a = fn.def.args;
    const out = new Map<string, Value>();
    const positional = [...a.posonly, ...a.args];
    let i = 0;
    for (; i < args.length && i < positional.length; i++) out.set(positional[i]!.name, args[i]!);
    if (a.vararg) out.set(a.vararg.name, tuple(args.slice(i)));
    else if (args.length > positional.length) throw new PyErr('TypeError', `${fn.name}() takes ${positional.length} positional arguments but ${args.length} were given`, loc);
    const extra = a.kwarg ? dict() : null;
    const named = new Set([...a.args, ...a.kwonly].map(x => x.name));
    for (const [k, v] of kwargs) {
      if (named.has(k)) {
        if (out.has(k)) throw new PyErr('TypeError', `${fn.name}() got multiple values for argument '${k}'`, loc);
        out.set(k, v);
      } else if (extra) dictSet(extra, str(k), v);
      else throw new PyErr('TypeError', `${fn.name}() got an unexpected keyword argument '${k}'`, loc);
    }
    for (const p of [...positional, ...a.kwonly]) {
      if (out.has(p.name)) continue;
      const d = fn.defaults.get(p.name);
      if (d === undefined) throw new PyErr('TypeError', `${fn.name}() missing required argument: '${p.name}'`, loc);
      out.set(p.name, d);
    }
    if (a.kwarg && extra) out.set(a.kwarg.name, extra);
    return out;
  }

  // ---- attributes ----------------------------------------------------------------------------------

  /** C3 linearisation of a class. */
  mro(cls: ClassV): ClassV[] {
    if (cls.mro) return cls.mro;
    cls.mro = [cls];
    const seqs: ClassV[][] = [];
    for (const b of cls.bases) if (b.kind === 'class') seqs.push([...this.mro(b)]);
    seqs.push(cls.bases.filter((b): b is ClassV => b.kind === 'class'));
    const out: ClassV[] = [cls];
    for (let guard = 0; guard < 1000; guard++) {
      const nonEmpty = seqs.filter(s => s.length);
      if (!nonEmpty.length) break;
      let head: ClassV | null = null;
      for (const s of nonEmpty) {
        const c = s[0]!;
        if (!nonEmpty.some(o => o.indexOf(c) > 0)) { head = c; break; }
      }
      if (!head) break; // inconsistent: keep what we have
      out.push(head);
      for (const s of nonEmpty) if (s[0] === head) s.shift();
    }
    cls.mro = out;
    return out;
  }

  /** Find an attribute in the class's MRO (`after`: start after this class, for super()). */
  classAttr(cls: ClassV, name: string, after?: ClassV): { value: Value; owner: ClassV } | null {
    const mro = this.mro(cls);
    let i = 0;
    if (after) {
      const j = mro.indexOf(after);
      i = j < 0 ? mro.length : j + 1;
    }
    for (; i < mro.length; i++) {
      const c = mro[i]!;
      const v = c.ns.get(name);
      if (v !== undefined) return { value: v, owner: c };
    }
    return null;
  }

  bindAttr(v: Value, self: Value, _owner: ClassV): Value {
    if (v.kind === 'function') {
      if (v.decorator === 'staticmethod') return v;
      if (v.decorator === 'classmethod') return { kind: 'bound', fn: v, self: self.kind === 'instance' ? self.cls : self };
      if (self.kind === 'class') return v;
      if (v.decorator === 'property') return this.callFunction(v, [self], [], v.loc);
      return { kind: 'bound', fn: v, self };
    }
    return v;
  }

  getAttr(o: Value, name: string, loc: Loc): Value {
    switch (o.kind) {
      case 'unknown':
        return unknown(o.reason, o.loc ?? loc);
      case 'module':
        return this.moduleAttr(o, name, loc, false);
      case 'instance': {
        const own = o.attrs.get(name);
        if (own !== undefined) return own;
        if (name === '__class__') return o.cls;
        const c = this.classAttr(o.cls, name);
        if (c) return this.bindAttr(c.value, o, c.owner);
        if (o.cls.special === 'exception') return unknown(`${o.cls.name}.${name}`, loc);
        if (o.cls.opaqueBase) return unknown(`${o.cls.name}.${name} may come from ${o.cls.opaqueBase.reason}`, o.cls.opaqueBase.loc ?? loc);
        const ga = this.classAttr(o.cls, '__getattr__');
        if (ga) return this.call(this.bindAttr(ga.value, o, ga.owner), [str(name)], [], loc);
        throw new PyErr('AttributeError', `'${o.cls.name}' object has no attribute '${name}'`, loc);
      }
      case 'class': {
        if (name === '__name__') return str(o.name);
        if (name === '__module__' && !o.ns.has(name)) return str(o.module);
        if (name === '__mro__') return tuple(this.mro(o));
        const c = this.classAttr(o, name);
        if (c) return this.bindAttr(c.value, o, c.owner);
        if (o.opaqueBase) return unknown(`${o.name}.${name} may come from ${o.opaqueBase.reason}`, o.opaqueBase.loc ?? loc);
        if (o.special) return unknown(`${o.name}.${name}`, loc);
        throw new PyErr('AttributeError', `type object '${o.name}' has no attribute '${name}'`, loc);
      }
      case 'super': {
        const start = o.self.kind === 'instance' ? o.self.cls : o.self.kind === 'class' ? o.self : null;
        if (!start) return unknown(`super().${name}`, loc);
        const c = this.classAttr(start, name, o.cls);
        if (c) return this.bindAttr(c.value, o.self, c.owner);
        if (start.opaqueBase) return unknown(`super().${name} may come from ${start.opaqueBase.reason}`, start.opaqueBase.loc ?? loc);
        if (name === '__init__') return { kind: 'builtin', name: 'object.__init__' };
        throw new PyErr('AttributeError', `'super' object has no attribute '${name}'`, loc);
      }
      case 'function':
        if (name === '__name__') return str(o.name);
        return unknown(`function attribute ${name}`, loc);
      case 'bound':
        if (name === '__name__') return str(o.fn.name);
        if (name === '__self__') return o.self;
        return unknown(`method attribute ${name}`, loc);
      default: {
        const v = valueAttr(this, o, name, loc);
        if (v !== undefined) return v;
        throw new PyErr('AttributeError', `'${typeName(o)}' object has no attribute '${name}'`, loc);
      }
    }
  }

  moduleAttr(m: ModuleV, name: string, loc: Loc, fromImport: boolean): Value {
    if (m.ns) {
      const v = m.ns.vars.get(name);
      if (v !== undefined) return v;
      const sub = this.loadedModule(`${m.name}.${name}`);
      if (sub) return sub;
      if (this.index.resolve(`${m.name}.${name}`)) {
        try {
          return this.importModule(`${m.name}.${name}`, loc);
        } catch (e) {
          if (!(e instanceof PyErr)) throw e;
        }
      }
      if (m.ns.starUnknown) return unknown(`${m.name}.${name} may come from ${m.ns.starUnknown.reason}`, m.ns.starUnknown.loc ?? loc);
      if (fromImport) throw new PyErr('ImportError', `cannot import name '${name}' from '${m.name}'`, loc);
      throw new PyErr('AttributeError', `module '${m.name}' has no attribute '${name}'`, loc);
    }
    if (m.special === 'missing') {
      const sub = `${m.name}.${name}`;
      return this.moduleVals.get(sub) ?? unknown(missingReason(m.name), this.missingModules.get(m.name.split('.')[0]!) ?? loc);
    }
    const v = modeledCall(this, m, '__getattr__', [str(name)], [], loc);
    if (v !== undefined) return v;
    return unknown(`${m.name}.${name} (not evaluated)`, loc);
  }

  // ---- misc ----------------------------------------------------------------------------------------

  /** Elements of an iterable value, or null when not known. */
  iter(v: Value): Value[] | null {
    if (v.kind === 'obj') {
      if (v.type === 'dict_keys' || v.type === 'dict_values' || v.type === 'dict_items' || v.type === 'range' || v.type === 'iterator') {
        return v.data as Value[];
      }
      return null;
    }
    if (v.kind === 'instance') return null;
    return iterate(v);
  }

  toPyErr(e: Value, loc: Loc): PyErr {
    if (e.kind === 'class') return new PyErr(e.special === 'exception' ? e.name : e.name, '', loc, e.special ? undefined : e);
    if (e.kind === 'instance') {
      const args = e.attrs.get('args');
      const msg = args && args.kind === 'tuple' && args.items[0] ? pyStr(args.items[0]) ?? '' : '';
      return new PyErr(e.cls.name, msg, loc, e.cls.special ? undefined : e.cls);
    }
    if (e.kind === 'unknown') return new PyErr('Exception', `(unknown exception: ${e.reason})`, loc);
    return new PyErr('TypeError', 'exceptions must derive from BaseException', loc);
  }
}

// ---- helpers -----------------------------------------------------------------------------------------

export function isExternalPath(p: string): boolean {
  const n = p.replace(/\\/g, '/');
  return n.includes('/site-packages/') || n.includes('/dist-packages/') || /\/lib\/python\d+(\.\d+)?\//.test(n) || /\/Lib\//.test(n);
}

function isSame(a: Value, b: Value): boolean | null {
  if (a.kind === 'unknown' || b.kind === 'unknown') return null;
  if (a === b) return true;
  if (a.kind === 'none' || b.kind === 'none') return a.kind === b.kind;
  if (a.kind === 'bool' && b.kind === 'bool') return a.v === b.v;
  if (a.kind === 'bool' || b.kind === 'bool') return false;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'str' || a.kind === 'num') return pyEquals(a, b) === true ? null : false;
  if (a.kind === 'class' || a.kind === 'module' || a.kind === 'function' || a.kind === 'builtin') return sameValue(a, b);
  return false;
}

function dedupe(items: Value[]): Value[] {
  const seen = new Set<string>();
  const out: Value[] = [];
  for (const it of items) {
    const k = hashKey(it);
    if (k === null) { out.push(it); continue; }
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(it);
  }
  return out;
}

export function mergeVarsAll(states: Map<string, Value>[], reason: string, loc: Loc | undefined): Map<string, Value> {
  let acc = states[0]!;
  for (let i = 1; i < states.length; i++) acc = mergeVars(acc, states[i]!, reason, loc);
  return acc;
}

function mergeVars(a: Map<string, Value>, b: Map<string, Value>, reason: string, loc: Loc | undefined): Map<string, Value> {
  if (a === b) return a;
  const out = new Map<string, Value>();
  for (const [k, v] of a) {
    const o = b.get(k);
    out.set(k, o === undefined ? unknown(`${reason} (${k} is set on one path only)`, loc) : v === o ? v : mergeValues(v, o, reason, loc));
  }
  for (const [k] of b) if (!a.has(k)) out.set(k, unknown(`${reason} (${k} is set on one path only)`, loc));
  return out;
}

function sliceValue(c: Value, lo: Value, hi: Value, st: Value, loc: Loc): Value {
  if (c.kind === 'unknown') return c;
  for (const x of [lo, hi, st]) if (x.kind === 'unknown') return unknown(x.reason, x.loc ?? loc);
  const n = (x: Value): number | null => (x.kind === 'none' ? null : x.kind === 'num' ? x.v : x.kind === 'bool' ? (x.v ? 1 : 0) : NaN);
  const seq = c.kind === 'str' ? [...c.v] : c.kind === 'list' || c.kind === 'tuple' ? c.items : null;
  if (!seq) return unknown(`slice of ${repr(c)}`, loc);
  const step = n(st) ?? 1;
  if (Number.isNaN(step) || step === 0) throw new PyErr('ValueError', 'slice step cannot be zero', loc);
  const len = seq.length;
  const norm = (x: number | null, def: number): number => {
    if (x === null) return def;
    if (Number.isNaN(x)) throw new PyErr('TypeError', 'slice indices must be integers', loc);
    if (x < 0) x += len;
    return step > 0 ? Math.min(Math.max(x, 0), len) : Math.min(Math.max(x, -1), len - 1);
  };
  const start = norm(n(lo), step > 0 ? 0 : len - 1);
  const stop = norm(n(hi), step > 0 ? len : -1);
  const out: (Value | string)[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(seq[i]!);
  else for (let i = start; i > stop; i += step) out.push(seq[i]!);
  if (c.kind === 'str') return str((out as string[]).join(''));
  return { kind: c.kind as 'list' | 'tuple', items: out as Value[] };
}

function isGenerator(def: A.FunctionDef): boolean {
  const seen = (e: A.Expr): boolean => e.type === 'OtherExpr' && (e.kind === 'yield' || e.text.startsWith('yield'));
  for (const s of walkStmts(def.body)) {
    if (s.type === 'Expr' && seen(s.value)) return true;
    if (s.type === 'Assign' && seen(s.value)) return true;
  }
  return false;
}

/** Statements of a body, nested blocks included (not nested functions/classes). */
export function* walkStmts(body: A.Stmt[]): Generator<A.Stmt> {
  for (const s of body) {
    yield s;
    switch (s.type) {
      case 'If': case 'For': case 'While':
        yield* walkStmts(s.body); yield* walkStmts(s.orelse); break;
      case 'With':
        yield* walkStmts(s.body); break;
      case 'Try':
        yield* walkStmts(s.body);
        for (const h of s.handlers) yield* walkStmts(h.body);
        yield* walkStmts(s.orelse); yield* walkStmts(s.finalbody); break;
      case 'Match':
        for (const c of s.cases) yield* walkStmts(c);
        break;
      default:
        break;
    }
  }
}

/** Names a statement (and nested blocks) may bind; mutated containers (`x[k] = …`, `x.append(…)`) count too. */
export function assignedNames(stmts: A.Stmt[]): Set<string> {
  const out = new Set<string>();
  const target = (t: A.Expr): void => {
    if (t.type === 'Name') out.add(t.id);
    else if (t.type === 'Tuple' || t.type === 'List') t.elts.forEach(target);
    else if (t.type === 'Starred') target(t.value);
    else if (t.type === 'Subscript' || t.type === 'Attribute') {
      let b: A.Expr = t.value;
      while (b.type === 'Subscript' || b.type === 'Attribute') b = b.value;
      if (b.type === 'Name') out.add(b.id);
    }
  };
  for (const s of walkStmts(stmts)) {
    switch (s.type) {
      case 'Assign': s.targets.forEach(target); break;
      case 'AnnAssign': case 'AugAssign': target(s.target); break;
      case 'For': target(s.target); break;
      case 'With': for (const it of s.items) if (it.target) target(it.target); break;
      case 'Import': for (const a of s.names) out.add(a.asname ?? a.name.split('.')[0]!); break;
      case 'ImportFrom': for (const a of s.names) if (a.name !== '*') out.add(a.asname ?? a.name); break;
      case 'FunctionDef': case 'ClassDef': out.add(s.name); break;
      case 'Delete': s.targets.forEach(target); break;
      case 'Try': for (const h of s.handlers) if (h.name) out.add(h.name); break;
      case 'Expr': {
        // x.append(...), x.update(...), x.setdefault(...)
        const v = s.value;
        if (v.type === 'Call' && v.func.type === 'Attribute') target(v.func);
        break;
      }
      default: break;
    }
  }
  return out;
}

/** Make every name a statement may bind unknown (its effect could not be evaluated). */
function havocStmt(_i: Interp, s: A.Stmt, f: Frame, u: UnknownV): void {
  for (const n of assignedNames([s])) {
    if (f.globalNames?.has(n)) f.globals.vars.set(n, u);
    else f.scope.vars.set(n, u);
  }
}

export type { BuiltinV, DictV, SeqV };
export { FALSE };

/** Why values from a module that is not installed are unknown (one reason per top-level package). */
export function missingReason(module: string): string {
  return `${module.split('.')[0]} is not installed in the Python environment used`;
}

/** Does an `except` clause (syntactically) catch ImportError? */
function catchesImportError(t: A.Expr | null): boolean {
  if (!t) return true;
  if (t.type === 'Tuple') return t.elts.some(catchesImportError);
  const n = t.type === 'Name' ? t.id : t.type === 'Attribute' ? t.attr : '';
  return n === 'ImportError' || n === 'ModuleNotFoundError' || n === 'Exception' || n === 'BaseException';
}
