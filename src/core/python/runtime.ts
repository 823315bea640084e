// The runtime shared by the parts of the static Python evaluator: exceptions (PyErr), the work budget
// (BudgetErr and its limits), frames and statement results, and `Evaluator`, the interface through which
// statements (./statements.ts), expressions (./expressions.ts), calls and classes (./calls.ts), builtins
// (./eval-builtins.ts) and modelled modules (./eval-modules.ts) reach each other. ./evaluate.ts implements it;
// no part imports another part's implementation, so the parts form no import circle.
import * as path from 'path';
import type * as A from './ast';
import type { Loc } from '../types';
import type { ModuleIndex } from './modules';
import type { Value, Namespace, ClassV, FuncV, ModuleV, ObjV } from './values';
import type { PythonFacts } from './environment';

export class PyErr {
  /** raised by a `raise` statement of the code (vs. an error of evaluating it); see Evaluator.assume */
  explicit = false;
  /** an OSError's errno (FileNotFoundError: 2, ENOENT) */
  errno?: number;
  /** the instance raised by `raise X(…)` (what `except … as e` binds: its .args and attributes as set) */
  value?: Value;
  /**
   * an import of a module found nowhere: its name; `certain` when the Python environment read is a Django one (its
   * site-packages known and Django in them), where a module that is not there fails to import as Django would find
   */
  missing?: { module: string; certain: boolean };
  constructor(public readonly type: string, public readonly msg: string, public readonly loc?: Loc, public readonly cls?: ClassV) {}
  toString(): string {
    // on one line: it ends up in a finding's message (PostHog's `sys.exit("…\n")` broke it onto a line of its own)
    const msg = this.msg.replace(/\s*\n\s*/g, ' ').trim();
    return `${this.type}${msg ? ': ' + msg : ''}`;
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
export const OK: Res = { normal: true, abrupt: [] };

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
  /** the working directory taken for relative paths and os.getcwd(): manage.py's folder, where it is run */
  cwd?: string;
}

export interface RunResult {
  returns: { value: Value; loc: Loc }[];
  raises: PyErr[];
  fellOff: boolean;
  /** unknown conditions that made both branches run */
  forks: Fork[];
}

export const MAX_CALL_DEPTH = 40;
/**
 * A function already running this many times, called again with something unknown among its arguments, is not
 * followed: recursion over unknown data (a config merge that recurses into unknown values) has no end, and would
 * otherwise reach MAX_CALL_DEPTH and lose everything evaluated around it.
 */
export const RECURSION_CUT = 2;
export const MAX_IMPORT_DEPTH = 30;
export const MAX_ITERATIONS = 5000;
/** nesting of one expression (CPython's own parser stops near 200 nested parentheses) */
export const MAX_EXPR_DEPTH = 400;

export function locOf(file: string, n: { line: number; col?: number }): Loc {
  return n.col === undefined ? { path: file, line: n.line } : { path: file, line: n.line, column: n.col };
}

/**
 * A place in messages that name where a value came from (a project has dozens of `models.py`: Sentry): its path
 * relative to `root`, the project's folder (ModuleIndex.displayRoot), or inside an installed package from the
 * package's folder (`edx_django_utils/db/read_replica.py:130`), else its folder and file (`db/router.py:123`).
 */
export function shortLoc(l: Loc | undefined, root?: string | null): string {
  if (!l) return '?';
  const p = l.path.replace(/\\/g, '/');
  if (root) {
    const r = root.replace(/\\/g, '/').replace(/\/*$/, '/');
    // (Windows: a drive letter may be written either way)
    if (p.startsWith(r) || (/^[A-Za-z]:/.test(p) && p.toLowerCase().startsWith(r.toLowerCase()))) return `${p.slice(r.length)}:${l.line}`;
  }
  const pkg = /\/(?:site|dist)-packages\/(.+)$/.exec(p);
  if (pkg) return `${pkg[1]}:${l.line}`;
  return `${p.split('/').filter(Boolean).slice(-2).join('/')}:${l.line}`;
}


export function isExternalPath(p: string): boolean {
  const n = p.replace(/\\/g, '/');
  return n.includes('/site-packages/') || n.includes('/dist-packages/') || /\/lib\/python\d+(\.\d+)?\//.test(n) || /\/Lib\//.test(n);
}

/** The search root `p` is or lies under, if any. */
export function rootOf(roots: readonly string[], p: string): string | undefined {
  return roots.find(r => p === r || p.startsWith(r.endsWith('/') ? r : `${r}/`));
}

/** Whether `p` is the project's: an absolute path under a search root, not in an environment's packages. */
export function inProject(roots: readonly string[], p: string): boolean {
  return path.isAbsolute(p) && !isExternalPath(p) && rootOf(roots, p) !== undefined;
}

/** Why values from a module that is not installed are unknown (one reason per top-level package). */
export function missingReason(module: string, python: PythonFacts | undefined): string {
  const top = module.split('.')[0];
  return python?.sitePackages.length ? `${top} is not installed in the Python environment used` : `${top} is not in the project and no Python environment was found`;
}

/** Keyword arguments of a call, in order. */
export type KW = [string, Value][];

export function kwarg(kwargs: KW, name: string): Value | undefined {
  for (const [k, v] of kwargs) if (k === name) return v;
  return undefined;
}

/**
 * A local settings file the settings use where it exists and that is not here (`try: from .local import *`). `ns`:
 * the module that uses it; `bound`: what DATABASES and DATABASE_ROUTERS were bound to there when it was used (what
 * is bound at the end is compared with it: settings/index.ts).
 */
export interface OptionalLocal {
  module: string;
  loc?: Loc;
  ns?: Namespace;
  bound?: { DATABASES: Value | undefined; DATABASE_ROUTERS: Value | undefined };
  /**
   * its names would be bound in the module using it (`from … import *`, a file it runs), not only read from it (a
   * configuration module imported with importlib and read with getattr, as NetBox's configuration.py)
   */
  binds: boolean;
}

/**
 * The evaluator as its parts see it (implemented by ./evaluate.ts `Interp`). Fields below the methods are the
 * evaluator's mutable state that the parts update (depth counters, recorded forks and assumptions).
 */
export interface Evaluator {
  readonly index: ModuleIndex;
  readonly env: Record<string, string | undefined>;
  readonly external: boolean;
  readonly python: PythonFacts | undefined;
  readonly globalSettings: ((name: string) => Value | undefined) | undefined;
  settingsValue: Value;
  /** unknown conditions met since the last reset (router explanations) */
  forks: Fork[];
  inputs: Map<Value, string> | null;
  observe: ((key: string, v: Value) => void) | null;
  /**
   * a `threading.local()` object's attributes are unset: true while a router is asked what it answers during
   * `migrate` (a fresh process, whose middleware and context managers have set nothing); else they are unknown
   */
  threadLocalsUnset: boolean;
  /**
   * the database a RunPython runs on while a router is asked about its queries (its migration's transaction is open
   * there: transaction.get_autocommit(using=it) is False), else null (autocommit not known)
   */
  migratingAlias: string | null;
  /**
   * `django.apps.apps.get_model(…)` while a router is asked about a model: that model's object when the arguments
   * name it (Kolibri Studio's ContentDBRouter), else undefined (unknown)
   */
  getModel: ((args: Value[], kwargs: KW) => Value | undefined) | null;
  /**
   * `django.apps.apps.get_app_configs()` while a router is asked: the AppConfig objects of INSTALLED_APPS, each an
   * instance of its class (`isinstance(c, BlobAppConfig)`, `c.label`), as the settings install them; null or an
   * unknown value when they are not known
   */
  appConfigs: (() => Value) | null;
  /**
   * `Model._meta` of a model class the code names (`SyncQueue._meta.app_label` in a router): Django's ModelBase
   * sets it, and the evaluator does not run Django; the router evaluation answers from the model index
   */
  modelMeta: ((cls: ClassV) => Value | undefined) | null;
  readonly missingModules: Map<string, Loc | undefined>;
  /** > 0 while a `try` whose handlers catch ImportError runs: a missing module then also raises */
  catchingImport: number;
  /** an import being made is `from … import *` (OptionalLocal.binds) */
  importingStar: boolean;
  catchingFileErrors: number;
  /** InterpOptions.cwd, or null */
  readonly cwd: string | null;
  workingDir(loc: Loc): string | null;
  readonly includedFiles: string[];
  readonly includedAt: Map<string, Loc>;
  /** the frames being run, outermost first (a module's top level, then the functions it called): inspect.stack() */
  readonly frames: Frame[];
  /** local settings files the settings use where they exist, and that are not in the workspace */
  readonly optionalLocal: OptionalLocal[];
  /** record a local settings file not here (optionalLocal), with what the module using it had bound then */
  noteOptionalLocal(module: string, loc?: Loc, binds?: boolean): void;
  /** whether a module imported so far other than `ns` has `name` bound to `v` */
  boundElsewhere(ns: Namespace, name: string, v: Value): boolean;
  /** folders the code put on sys.path (`sys.path.insert(0, …)` before the others, `.append(…)` after) */
  readonly sysPathAdded: { dir: string; front: boolean }[];
  /** an import that failed inside such a `try`: the statement also continues with an opaque module */
  importFailure: PyErr | null;
  callDepth: number;
  /** how many calls of each function (its definition) are running: recursion over unknown data is cut (calls.ts) */
  activeCalls: Map<unknown, number>;
  evalDepth: number;

  execBlock(stmts: A.Stmt[], f: Frame): Res;
  execStmt(s: A.Stmt, f: Frame): Res;
  fork(f: Frame, alts: ((f: Frame) => Res)[], reason: string, loc: Loc | undefined): Res;
  setName(name: string, v: Value, f: Frame): void;
  lookup(name: string, f: Frame, loc: Loc): Value;
  assign(t: A.Expr, v: Value, f: Frame, loc: Loc): void;
  setItem(c: Value, k: Value, v: Value, loc: Loc): void;
  eval(e: A.Expr, f: Frame): Value;
  truth(v: Value): boolean | null;
  evalSafe(e: A.Expr, f: Frame): Value;
  compareOp(a: Value, op: A.CmpOp, b: Value, loc: Loc): Value;
  noteIdentity(v: Value): void;
  getItem(c: Value, k: Value, loc: Loc): Value;
  evalCall(e: A.Call, f: Frame): Value;
  makeFunction(s: A.FunctionDef | A.Lambda, f: Frame, loc: Loc): Value;
  makeClass(s: A.ClassDef, f: Frame, loc: Loc): ClassV;
  call(fnv: Value, args: Value[], kwargs: [string, Value][], loc: Loc | undefined, f?: Frame): Value;
  instantiate(cls: ClassV, args: Value[], kwargs: [string, Value][], loc: Loc): Value;
  runFunction(fn: FuncV, args: Value[], kwargs: [string, Value][], loc: Loc): RunResult;
  callFunction(fn: FuncV, args: Value[], kwargs: [string, Value][], loc: Loc): Value;
  mro(cls: ClassV): ClassV[];
  classAttr(cls: ClassV, name: string, after?: ClassV): { value: Value; owner: ClassV } | null;
  bindAttr(v: Value, self: Value, _owner: ClassV): Value;
  getAttr(o: Value, name: string, loc: Loc): Value;
  moduleAttr(m: ModuleV, name: string, loc: Loc, fromImport: boolean): Value;
  /**
   * The file of `module`, a module of Django in the Python environment read (site-packages known, Django there),
   * when it certainly does not define `name` (no binding of it at its top level, no star import, no module
   * `__getattr__`, no such submodule); null otherwise (not certain, or another module).
   */
  djangoLacks(module: string, name: string): string | null;
  toPyErr(e: Value, loc: Loc): PyErr;
  importModule(name: string, loc?: Loc): ModuleV;
  /**
   * The names a module of the environment defines (a package's settings module star-imported by the project's:
   * dc_utils.settings.pipeline), its own top level run though packages outside the project are otherwise opaque;
   * null when it is not such a module or cannot be read.
   */
  externalNamespace(name: string, loc?: Loc): Namespace | null;
  loadedModule(name: string): ModuleV | undefined;
  newModule(name: string, file: string | null): ModuleV;
  execFileInto(m: ModuleV, file: string, loc: Loc): void;
  execModule(ns: Namespace, mod: A.Module): void;
  iter(v: Value): Value[] | null;
  assume(exc: PyErr, fallbackLoc?: Loc): void;
  noteAssumption(reason: string, loc: Loc): void;
  tick(n?: number): void;
  /** natively modelled functions and methods (./eval-modules.ts); undefined when not modelled */
  modeledCall(fn: Value, method: string, args: Value[], kwargs: KW, loc: Loc): Value | undefined;
  modeledAttr(o: ObjV, name: string, loc: Loc): Value | undefined;
}
