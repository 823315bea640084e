// The abstract value domain of the static Python evaluator (./evaluate.ts). A value is either known exactly
// (str, number, bool, None, containers, paths, modules, classes, functions, instances) or `Unknown`, which
// carries why it is unknown and where: nothing is ever guessed.
import type * as A from './ast';
import type { Loc } from '../types';

export interface StrV {
  kind: 'str'; v: string;
  /**
   * the environment variable the value was listed from (`os.environ.items()`, `.values()`): shown as
   * `os.environ['NAME']`, never as the value, which may be a secret (a message quoting the value is redacted)
   */
  env?: string;
}
export interface NumV { kind: 'num'; v: number; float?: boolean }
export interface BoolV { kind: 'bool'; v: boolean }
export interface NoneV { kind: 'none' }
export interface SeqV {
  kind: 'list' | 'tuple' | 'set';
  items: Value[];
  /**
   * the collection may hold more items than `items` (known ones kept, e.g. after `.extend(<unknown>)` or
   * appends in a loop over something unknown): why and where the additions come from
   */
  more?: UnknownV;
  /** shown as this, not as its items (`os.environ.items()`: the environment's values are never printed) */
  label?: string;
  /**
   * the additions `more` stands for may be anywhere, not only after `items` (one path inserted before known items:
   * `DATABASE_ROUTERS.insert(0, …)` in a branch); order matters to some settings (routers are asked in order)
   */
  moreAnywhere?: boolean;
  /** a named tuple's field names (`sys.version_info`, `typing.NamedTuple` instances) */
  fields?: string[];
}
export interface DictEntry { k: Value; v: Value; /** where the key was (last) set */ loc?: Loc }
export interface DictV {
  kind: 'dict';
  map: Map<string, DictEntry>;
  /** keys may exist that are not in `map` (e.g. after `.update(<unknown>)`): a missing key is unknown, not a KeyError */
  inexact?: UnknownV;
  /** collections.defaultdict's default_factory: called for a key that is missing (and the result stored) */
  factory?: Value;
}
/**
 * a pathlib.PurePosixPath-like value; `p` is the path string as Python would print it. `strSub`: path.py's Path
 * instead (`from path import Path`, Open edX's settings), a str subclass: `p` kept as given (not normalised), `/` is
 * os.path.join, and it is a str to `+`, `==`, hashing and isinstance
 */
export interface PathV { kind: 'path'; p: string; strSub?: true }

export interface Namespace {
  vars: Map<string, Value>;
  module: string;
  file: string | null;
  isPackage: boolean;
  /** a `from x import *` of something unknown happened: unbound names are unknown, not errors */
  starUnknown?: { reason: string; loc?: Loc };
  /**
   * code not known statically may have set any name here after it was bound (`exec()` of an unknown source,
   * `globals().update()` / `vars().update()` of an unknown mapping): bound names may have been replaced
   */
  overlaid?: { reason: string; loc?: Loc };
}

/** Code not known statically may have bound or replaced any name of `ns`. */
export function overlayUnknown(ns: Namespace, reason: string, loc?: Loc): void {
  ns.overlaid ??= { reason, ...(loc ? { loc } : {}) };
  // the same object: names unbound only because of the overlay are told apart from a `from x import *`'s
  ns.starUnknown ??= ns.overlaid;
}

export interface ModuleV { kind: 'module'; name: string; ns: Namespace | null; special?: string }
export interface ClassV {
  kind: 'class';
  name: string;
  module: string;
  def: A.ClassDef | null;
  /** class body namespace (attributes, methods) */
  ns: Map<string, Value>;
  bases: Value[];
  globals: Namespace | null;
  loc?: Loc;
  /** natively modelled classes, e.g. "object", "django.db.models.Model", "Exception" */
  special?: string;
  /**
   * derives from threading.local (asgiref's Local): what its instances hold is per thread, set at run time (edX's
   * read-replica router storage sets `db_name = None` in `__init__`, `read_queries_only()` sets it per request)
   */
  threadLocal?: true;
  /** C3 linearisation, computed lazily (./evaluate.ts) */
  mro?: ClassV[];
  /** a base class that is not statically known: attributes not found in `mro` are unknown */
  opaqueBase?: UnknownV;
  /** a `typing.NamedTuple` or `@dataclass` class: its fields in order (instances bind them from arguments) */
  fields?: { kind: 'namedtuple' | 'dataclass'; names: string[] };
}
export interface FuncV {
  kind: 'function';
  name: string;
  def: A.FunctionDef | A.Lambda;
  globals: Namespace;
  /** class the function was defined in (for super()) */
  cls: ClassV | null;
  defaults: Map<string, Value>;
  decorator?: 'staticmethod' | 'classmethod' | 'property';
  loc: Loc;
  /** enclosing function's locals (closures) */
  closure?: Map<string, Value>;
}
export interface BoundV { kind: 'bound'; fn: FuncV; self: Value }
/** a natively implemented function or method (`self` for methods of str/list/dict/objects) */
export interface BuiltinV { kind: 'builtin'; name: string; self?: Value }
export interface InstanceV { kind: 'instance'; cls: ClassV; attrs: Map<string, Value> }
/** a native object with attributes (os.environ, an environ.Env, a model's _meta, django settings…) */
export interface ObjV {
  kind: 'obj';
  type: string;
  attrs: Map<string, Value>;
  /** what a missing attribute is: unknown, or an AttributeError */
  missing: 'unknown' | 'absent';
  data?: unknown;
}
export interface SuperV { kind: 'super'; cls: ClassV; self: Value }
export interface UnknownV {
  kind: 'unknown';
  reason: string;
  loc?: Loc;
  /** known truthiness of an otherwise unknown value (e.g. `x or True`) */
  truthy?: boolean;
  /** picked at run time (random.choice, a cycle's next()): each process or call may give another of its choices */
  picked?: true;
  /**
   * the known values it is one of: what the paths of an `if` (or a conditional expression) on an unknown condition
   * left, every path counted (never a loop's: those are not all run). A comparison they all answer alike is known.
   */
  choices?: Value[];
  /**
   * a dict's item that one path set and the other did not: the value it has where it is there (codecov's
   * `if replica_enabled(): DATABASES["default_read"] = {…}`: the alias's ENGINE and NAME are known, its existence not)
   */
  ifPresent?: Value;
}

export type Value =
  | StrV | NumV | BoolV | NoneV | SeqV | DictV | PathV | ModuleV | ClassV | FuncV | BoundV | BuiltinV
  | InstanceV | ObjV | SuperV | UnknownV;

// ---- constructors --------------------------------------------------------------------------------

export const NONE: NoneV = { kind: 'none' };
/**
 * What a modelled object's `attr` returns for an attribute it knows is not there (AttributeError, getattr's default),
 * where its other missing attributes are unknown (a model's `_meta`: routers/index.ts); never a value of the program.
 */
export const ABSENT_ATTR: UnknownV = { kind: 'unknown', reason: 'no such attribute' };
export const TRUE: BoolV = { kind: 'bool', v: true };
export const FALSE: BoolV = { kind: 'bool', v: false };
export const str = (v: string): StrV => ({ kind: 'str', v });
export const num = (v: number, float = false): NumV => (float ? { kind: 'num', v, float } : { kind: 'num', v });
export const bool = (v: boolean): BoolV => (v ? TRUE : FALSE);
export const list = (items: Value[]): SeqV => ({ kind: 'list', items });
export const tuple = (items: Value[]): SeqV => ({ kind: 'tuple', items });
/** `depends on <reason>`, once: a reason that already says what it depends on is not wrapped again (onadata's docker.py) */
/** "may come from X, which is not installed …" of a reason "X is not installed …" (else "may come from <reason>"). */
export function mayComeFrom(reason: string): string {
  return `may come from ${whichIs(reason)}`;
}

function whichIs(reason: string): string {
  const m = /^([^,;:()]+?) (is|are) (not .*)$/.exec(reason);
  return m ? `${m[1]}, which ${m[2]} ${m[3]}` : reason;
}

export function dependsOn(reason: string): string {
  // "tzlocal is not installed in …" reads "depends on tzlocal, which is not installed in …"
  return reason.startsWith('depends on ') ? reason : `depends on ${whichIs(reason)}`;
}

export const unknown = (reason: string, loc?: Loc, truthy?: boolean): UnknownV =>
  truthy === undefined ? { kind: 'unknown', reason, loc } : { kind: 'unknown', reason, loc, truthy };
export function dict(entries: [Value, Value][] = []): DictV {
  const d: DictV = { kind: 'dict', map: new Map() };
  for (const [k, v] of entries) dictSet(d, k, v);
  return d;
}

export function isUnknown(v: Value): v is UnknownV {
  return v.kind === 'unknown';
}

// ---- dicts & hashing -------------------------------------------------------------------------------

/** A key for Python hashing/equality of a hashable known value, or null (unknown / unhashable). */
export function hashKey(v: Value): string | null {
  switch (v.kind) {
    case 'str': return 's:' + v.v;
    case 'num': return 'n:' + v.v;
    case 'bool': return 'n:' + (v.v ? 1 : 0);
    case 'none': return 'None';
    case 'tuple': {
      const parts: string[] = [];
      for (const it of v.items) {
        const k = hashKey(it);
        if (k === null) return null;
        parts.push(k);
      }
      return 't:(' + parts.map(p => p.length + ':' + p).join(',') + ')';
    }
    case 'path': return (v.strSub ? 's:' : 'p:') + v.p;
    case 'class': return 'c:' + v.module + '.' + v.name + '@' + (v.loc ? v.loc.path + ':' + v.loc.line : '');
    case 'function': return 'f:' + v.loc.path + ':' + v.loc.line + ':' + v.name;
    case 'module': return 'm:' + v.name;
    case 'builtin': return v.self ? null : 'b:' + v.name;
    default: return null;
  }
}

export function dictGet(d: DictV, k: Value): Value | undefined {
  const h = hashKey(k);
  return h === null ? undefined : d.map.get(h)?.v;
}

export function dictSet(d: DictV, k: Value, v: Value, loc?: Loc): boolean {
  const h = hashKey(k);
  if (h === null) return false;
  const prev = d.map.get(h);
  const e: DictEntry = { k: prev ? prev.k : k, v };
  const l = loc ?? prev?.loc;
  if (l) e.loc = l;
  d.map.set(h, e);
  return true;
}

// ---- truthiness & equality -------------------------------------------------------------------------

/** Python truthiness; null when unknown. */
export function truthy(v: Value): boolean | null {
  switch (v.kind) {
    case 'str': return v.v.length > 0;
    case 'path': return v.strSub ? v.p.length > 0 : true;
    case 'num': return v.v !== 0;
    case 'bool': return v.v;
    case 'none': return false;
    case 'list': case 'tuple': case 'set': return v.items.length > 0 ? true : v.more ? null : false;
    case 'dict': return v.map.size > 0 ? true : v.inexact ? null : false;
    case 'unknown': return v.truthy ?? null;
    case 'instance': return v.cls.ns.has('__bool__') || v.cls.ns.has('__len__') ? null : true;
    default: return true;
  }
}

/** Python `==`; null when unknown. */
/**
 * What a model object the routers see (`model`, a native 'model' object) can tell of a class value, where the
 * router evaluation gives it (core/routers): `model is SyncQueue`, `issubclass(model, NetworkLocation)`.
 */
export interface ModelIdentity {
  /** the model is this class: true / false, null when not known */
  sameClass?: (c: ClassV) => boolean | null;
  /** issubclass(model, c): true / false, null when not known */
  subclassOf?: (c: ClassV) => boolean | null;
}

/** `a is b` / `a == b` of a router's model object and a class (undefined when they are not such a pair). */
export function modelVsClass(a: Value, b: Value): boolean | null | undefined {
  const o = a.kind === 'obj' && b.kind === 'class' ? a : b.kind === 'obj' && a.kind === 'class' ? b : null;
  if (!o || o.type !== 'model') return undefined;
  const same = (o.data as ModelIdentity | undefined)?.sameClass;
  return same ? same((o === a ? b : a) as ClassV) : null;
}

export function pyEquals(a: Value, b: Value): boolean | null {
  if (a.kind === 'unknown' || b.kind === 'unknown') return null;
  // path.py's Path compares as the str it is
  if (a.kind === 'path' && a.strSub) a = str(a.p);
  if (b.kind === 'path' && b.strSub) b = str(b.p);
  const mc = modelVsClass(a, b);
  if (mc !== undefined) return mc;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== null && nb !== null) return na === nb;
  if (na !== null || nb !== null) {
    // number vs non-number: never equal for the kinds we model
    return isPlainData(a) && isPlainData(b) ? false : null;
  }
  if (a.kind !== b.kind) {
    // list == tuple is False in Python; str == list False, etc.
    if (isPlainData(a) && isPlainData(b)) return false;
    if (a === b) return true;
    return (a.kind === 'instance' || b.kind === 'instance') ? null : false;
  }
  switch (a.kind) {
    case 'str': return a.v === (b as StrV).v;
    case 'none': return true;
    case 'path': return a.p === (b as PathV).p;
    case 'list': case 'tuple': {
      if (a.more || (b as SeqV).more) return null;
      const bi = (b as SeqV).items;
      if (a.items.length !== bi.length) return false;
      let res: boolean | null = true;
      for (let i = 0; i < bi.length; i++) {
        const e = pyEquals(a.items[i]!, bi[i]!);
        if (e === false) return false;
        if (e === null) res = null;
      }
      return res;
    }
    case 'set': {
      const bs = b as SeqV;
      if (a.more || bs.more) return null;
      const ka = setKeys(a);
      const kb = setKeys(bs);
      if (!ka || !kb) return null;
      if (ka.size !== kb.size) return false;
      for (const k of ka) if (!kb.has(k)) return false;
      return true;
    }
    case 'dict': {
      const bd = b as DictV;
      if (a.inexact || bd.inexact) return null;
      if (a.map.size !== bd.map.size) return false;
      let res: boolean | null = true;
      for (const [k, e] of a.map) {
        const o = bd.map.get(k);
        if (!o) return false;
        const r = pyEquals(e.v, o.v);
        if (r === false) return false;
        if (r === null) res = null;
      }
      return res;
    }
    case 'instance':
      return a === b ? true : null;
    default:
      return a === b || (hashKey(a) !== null && hashKey(a) === hashKey(b));
  }
}

function setKeys(s: SeqV): Set<string> | null {
  const out = new Set<string>();
  for (const it of s.items) {
    const k = hashKey(it);
    if (k === null) return null;
    out.add(k);
  }
  return out;
}

function numeric(v: Value): number | null {
  if (v.kind === 'num') return v.v;
  if (v.kind === 'bool') return v.v ? 1 : 0;
  return null;
}

function isPlainData(v: Value): boolean {
  return ['str', 'num', 'bool', 'none', 'list', 'tuple', 'set', 'dict', 'path'].includes(v.kind);
}

/** Structural identity used when merging branches: same known value (deeply), or the same object. */
export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'unknown') return false;
  if (isPlainData(a)) {
    if (a.kind === 'num' && (a.float ?? false) !== ((b as NumV).float ?? false)) return false;
    return pyEquals(a, b) === true && deepKnown(a) && deepKnown(b);
  }
  if (a.kind === 'instance') return false;
  if (a.kind === 'obj') return a.type === (b as ObjV).type && a.data === (b as ObjV).data && a.attrs === (b as ObjV).attrs;
  const ha = hashKey(a);
  return ha !== null && ha === hashKey(b);
}

function deepKnown(v: Value): boolean {
  switch (v.kind) {
    case 'unknown': return false;
    case 'list': case 'tuple': case 'set': return !v.more && v.items.every(deepKnown);
    case 'dict': if (v.inexact) return false; for (const e of v.map.values()) if (!deepKnown(e.v)) return false; return true;
    default: return true;
  }
}

// ---- cloning & merging (for evaluating both branches of an unknown condition) ------------------------

/** Deep copy of mutable containers and instances, preserving aliasing through `memo`. */
export function cloneValue(v: Value, memo: Map<Value, Value>): Value {
  switch (v.kind) {
    case 'list': case 'set': case 'dict': case 'instance': case 'tuple': {
      const hit = memo.get(v);
      if (hit) return hit;
      if (v.kind === 'dict') {
        const d: DictV = { kind: 'dict', map: new Map() };
        if (v.inexact) d.inexact = v.inexact;
        memo.set(v, d);
        for (const [h, e] of v.map) d.map.set(h, e.loc ? { k: e.k, v: cloneValue(e.v, memo), loc: e.loc } : { k: e.k, v: cloneValue(e.v, memo) });
        return d;
      }
      if (v.kind === 'instance') {
        const inst: InstanceV = { kind: 'instance', cls: v.cls, attrs: new Map() };
        memo.set(v, inst);
        for (const [k, x] of v.attrs) inst.attrs.set(k, cloneValue(x, memo));
        return inst;
      }
      const s: SeqV = { kind: v.kind, items: [] };
      if (v.more) s.more = v.more;
      if (v.moreAnywhere) s.moreAnywhere = true;
      if (v.fields) s.fields = v.fields;
      memo.set(v, s);
      for (const it of v.items) s.items.push(cloneValue(it, memo));
      return s;
    }
    default:
      return v;
  }
}

export function cloneVars(vars: Map<string, Value>, memo = new Map<Value, Value>()): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [k, v] of vars) out.set(k, cloneValue(v, memo));
  return out;
}

/**
 * Merge the values two branches left: equal values stay, dicts are merged key by key (a key only one
 * branch set becomes unknown), lists/tuples of equal length element-wise, anything else becomes unknown.
 */
/** A dict item one path has and the other has not: unknown, with its value where it is there. */
function oneBranchOnly(e: DictEntry, reason: string, loc: Loc | undefined): UnknownV {
  const u = unknown(`${reason} (key ${repr(e.k)} set in one branch only)`, loc);
  const known = e.v.kind === 'unknown' ? e.v.ifPresent : e.v;
  if (known) u.ifPresent = known;
  return u;
}

export function mergeValues(a: Value, b: Value, reason: string, loc: Loc | undefined, depth = 0, choices = false, memo: MergeMemo = new Map()): Value {
  if (sameValue(a, b)) return a;
  // each pair of objects is merged once: objects that refer to each other (Mayan's settings and their namespace,
  // `setting.namespace = self`) are merged into objects that refer to each other, not walked again down every path
  // (47 settings took 8 s); aliasing between the two states is kept
  const done = memo.get(a)?.get(b);
  if (done) return done;
  const remember = (out: Value): void => {
    let m = memo.get(a);
    if (!m) memo.set(a, (m = new Map()));
    m.set(b, out);
  };
  if (depth < 8 && a.kind === 'dict' && b.kind === 'dict') {
    const out: DictV = { kind: 'dict', map: new Map() };
    remember(out);
    const inexact = a.inexact ?? b.inexact;
    if (inexact) out.inexact = inexact;
    for (const [h, e] of a.map) {
      const o = b.map.get(h);
      const v = o ? mergeValues(e.v, o.v, reason, loc, depth + 1, choices, memo) : oneBranchOnly(e, reason, loc);
      const l = e.loc ?? o?.loc;
      out.map.set(h, l ? { k: e.k, v, loc: l } : { k: e.k, v });
    }
    for (const [h, e] of b.map) {
      if (!a.map.has(h)) out.map.set(h, { k: e.k, v: oneBranchOnly(e, reason, loc), ...(e.loc ? { loc: e.loc } : {}) });
    }
    return out;
  }
  if (depth < 8 && (a.kind === 'list' || a.kind === 'tuple') && b.kind === a.kind && a.items.length === (b as SeqV).items.length) {
    const out: SeqV = { kind: a.kind, items: [] };
    remember(out);
    out.items = a.items.map((x, i) => mergeValues(x, (b as SeqV).items[i]!, reason, loc, depth + 1, choices, memo));
    const more = a.more ?? (b as SeqV).more;
    if (more) out.more = more;
    return out;
  }
  if (depth < 8 && (a.kind === 'list' || a.kind === 'tuple') && b.kind === a.kind) {
    // one path added items the other did not (appends in a loop, a branch): keep the common known prefix
    // and mark the rest as possible additions
    // (or removed some: `INSTALLED_APPS.remove("debug_toolbar")` on one path): keep the items both paths
    // have, when the shorter list is a subsequence of the longer, and mark the rest as possible additions
    const bs = b as SeqV;
    const [short, long] = a.items.length < bs.items.length ? [a, bs] : [bs, a];
    let j = 0;
    const extra: Value[] = [];
    // whether an addition comes before a kept item (not only appended after them)
    let before = false;
    for (const x of long.items) {
      if (j < short.items.length && sameValue(short.items[j]!, x)) j++;
      else { extra.push(x); if (j < short.items.length) before = true; }
    }
    if (j === short.items.length) {
      const u = extra.find(isUnknown);
      const out: SeqV = { kind: a.kind, items: short.items.slice(), more: short.more ?? long.more ?? unknown(u ? u.reason : reason, u?.loc ?? loc) };
      if (before || short.moreAnywhere || long.moreAnywhere) out.moreAnywhere = true;
      return out;
    }
  }
  if (depth < 8 && a.kind === 'instance' && b.kind === 'instance' && a.cls === b.cls) {
    // an object that one path changed (`self.config = …` in a branch): attribute by attribute, like a dict's keys
    const out: InstanceV = { kind: 'instance', cls: a.cls, attrs: new Map() };
    remember(out);
    for (const [k, v] of a.attrs) {
      const o = b.attrs.get(k);
      out.attrs.set(k, o === undefined ? unknown(`${reason} (attribute ${k} set in one branch only)`, loc) : v === o ? v : mergeValues(v, o, reason, loc, depth + 1, choices, memo));
    }
    for (const [k] of b.attrs) if (!a.attrs.has(k)) out.attrs.set(k, unknown(`${reason} (attribute ${k} set in one branch only)`, loc));
    return out;
  }
  const ta = truthy(a);
  const tb = truthy(b);
  const u = unknown(reason, loc, ta !== null && ta === tb ? ta : undefined);
  if (choices) {
    const of = (v: Value): Value[] | null => (v.kind === 'unknown' ? v.choices ?? null : [v]);
    const ca = of(a);
    const cb = of(b);
    if (ca && cb) {
      const all: Value[] = [];
      for (const v of [...ca, ...cb]) if (!all.some(x => sameValue(x, v))) all.push(v);
      if (all.length <= 8) u.choices = all;
    }
  }
  return u;
}

const ENUM_CLASSES = new Map<string, ClassV>();

/** enum.Enum and its kin: a class deriving from one has members for attributes (calls.ts enumMember). */
export function enumClass(name: string): ClassV {
  let c = ENUM_CLASSES.get(name);
  if (!c) ENUM_CLASSES.set(name, (c = { kind: 'class', name, module: 'enum', def: null, ns: new Map(), bases: [], globals: null, special: 'enum' }));
  return c;
}

/** Objects already merged in one merge of two states: a → b → their merge. */
export type MergeMemo = Map<Value, Map<Value, Value>>;

/** One path's state after a fork, and the copies it ran on (original object -> copy; null: it ran on the originals). */
export interface ForkState { vars: Map<string, Value>; copies: Map<Value, Value> | null }

/**
 * After a fork (an unknown condition, a loop over something unknown): the objects the frame held before it
 * (`before`) are made to hold what the merged state holds, in place, wherever every path kept them (each path's
 * value there is that object or its copy for the path). Other frames hold those objects too (a caller that passed
 * a dict to the function that forked, the owner of `self`), not the copies the paths ran on: without this they
 * kept what the path run on the originals left, as if the other paths had never run. `merged` is updated.
 */
export function adoptMerged(before: Map<string, Value>, merged: Map<string, Value>, states: ForkState[]): void {
  const seen = new Set<Value>();
  for (const [k, m] of merged) {
    const o = before.get(k);
    if (o === undefined || o === m) continue;
    const r = adopt(o, m, states.map(s => s.vars.get(k)), states, seen);
    if (r !== m) merged.set(k, r);
  }
}

function adopt(orig: Value, merged: Value, at: (Value | undefined)[], states: ForkState[], seen: Set<Value>): Value {
  if (orig === merged) return orig;
  if (orig.kind !== merged.kind || (orig.kind !== 'dict' && orig.kind !== 'list' && orig.kind !== 'set' && orig.kind !== 'tuple' && orig.kind !== 'instance')) return merged;
  // a path that put another object here (`x = {}` in a branch): the original is not what it holds
  for (let i = 0; i < states.length; i++) if (at[i] !== (states[i]!.copies?.get(orig) ?? orig)) return merged;
  if (seen.has(orig)) return orig;
  seen.add(orig);
  if (orig.kind === 'dict') {
    const m = merged as DictV;
    const next: [string, DictEntry][] = [];
    for (const [h, e] of m.map) {
      const oe = orig.map.get(h);
      const v = oe ? adopt(oe.v, e.v, at.map(x => (x as DictV).map.get(h)?.v), states, seen) : e.v;
      next.push([h, e.loc ? { k: e.k, v, loc: e.loc } : { k: e.k, v }]);
    }
    orig.map.clear();
    for (const [h, e] of next) orig.map.set(h, e);
    if (m.inexact) orig.inexact = m.inexact;
    else delete orig.inexact;
    return orig;
  }
  if (orig.kind === 'instance') {
    const m = merged as InstanceV;
    if (m.cls !== orig.cls) return merged;
    const next: [string, Value][] = [];
    for (const [k, v] of m.attrs) {
      const ov = orig.attrs.get(k);
      next.push([k, ov ? adopt(ov, v, at.map(x => (x as InstanceV).attrs.get(k)), states, seen) : v]);
    }
    orig.attrs.clear();
    for (const [k, v] of next) orig.attrs.set(k, v);
    return orig;
  }
  const m = merged as SeqV;
  const o = orig as SeqV;
  const items = m.items.map((x, i) => (i < o.items.length ? adopt(o.items[i]!, x, at.map(y => (y as SeqV).items[i]), states, seen) : x));
  o.items.length = 0;
  o.items.push(...items);
  if (m.more) o.more = m.more;
  else delete o.more;
  if (m.moreAnywhere) o.moreAnywhere = true;
  else delete o.moreAnywhere;
  return orig;
}

// ---- conversions -----------------------------------------------------------------------------------

/** Python repr() of a known value (best effort for others). */
export function repr(v: Value, depth = 0): string {
  if (depth > 6) return '…';
  switch (v.kind) {
    case 'str': return v.env !== undefined ? `os.environ[${pyStrRepr(v.env)}]` : pyStrRepr(v.v);
    case 'num': return numToStr(v);
    case 'bool': return v.v ? 'True' : 'False';
    case 'none': return 'None';
    case 'list': if (v.label) return v.label; return '[' + v.items.map(x => repr(x, depth + 1)).concat(v.more ? ['…'] : []).join(', ') + ']';
    case 'tuple': return '(' + v.items.map(x => repr(x, depth + 1)).join(', ') + (v.items.length === 1 ? ',)' : ')');
    case 'set': return v.items.length ? '{' + v.items.map(x => repr(x, depth + 1)).join(', ') + '}' : 'set()';
    case 'dict': return '{' + [...v.map.values()].map(e => repr(e.k, depth + 1) + ': ' + repr(e.v, depth + 1)).join(', ') + '}';
    case 'path': return v.strSub ? `Path(${pyStrRepr(v.p)})` : `PosixPath(${pyStrRepr(v.p)})`;
    case 'module': return `<module '${v.name}'>`;
    case 'class': return `<class '${v.module}.${v.name}'>`;
    case 'function': return `<function ${v.name}>`;
    case 'bound': return `<bound method ${v.fn.name}>`;
    case 'builtin': return `<built-in ${v.name}>`;
    case 'instance': return `<${v.cls.name} object>`;
    case 'obj': return `<${v.type}>`;
    case 'super': return `<super: ${v.cls.name}>`;
    case 'unknown': return `<unknown: ${v.reason}>`;
  }
}

export function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else out += ch;
  }
  return out + q;
}

export function numToStr(v: NumV): string {
  if (!v.float) return String(v.v);
  if (Number.isInteger(v.v) && Math.abs(v.v) < 1e16) return v.v.toFixed(1);
  if (Number.isNaN(v.v)) return 'nan';
  if (!Number.isFinite(v.v)) return v.v > 0 ? 'inf' : '-inf';
  return String(v.v);
}

/** Python str() of a known value; null when not statically known. */
export function pyStr(v: Value): string | null {
  switch (v.kind) {
    case 'str': return v.v;
    case 'path': return v.p;
    case 'unknown': return null;
    case 'list': case 'tuple': case 'set': case 'dict':
      return deepKnown(v) ? repr(v) : null;
    case 'instance': return null;
    default: return repr(v);
  }
}

/** A plain JS value (string, number, boolean, null, arrays, objects) or `undefined` when not fully known. */
export function toJS(v: Value, depth = 0): unknown {
  if (depth > 16) return undefined;
  switch (v.kind) {
    case 'str': return v.v;
    case 'num': return v.v;
    case 'bool': return v.v;
    case 'none': return null;
    case 'path': return v.p;
    case 'list': case 'tuple': case 'set': {
      if (v.more) return undefined;
      const out: unknown[] = [];
      for (const it of v.items) {
        const j = toJS(it, depth + 1);
        if (j === undefined) return undefined;
        out.push(j);
      }
      return out;
    }
    case 'dict': {
      if (v.inexact) return undefined;
      const out: Record<string, unknown> = {};
      for (const e of v.map.values()) {
        if (e.k.kind !== 'str' && e.k.kind !== 'num' && e.k.kind !== 'bool') return undefined;
        const j = toJS(e.v, depth + 1);
        if (j === undefined) return undefined;
        out[String(e.k.kind === 'bool' ? (e.k.v ? 'True' : 'False') : e.k.v)] = j;
      }
      return out;
    }
    default: return undefined;
  }
}

/** Like toJS, but unknown parts become null (for partially known data such as OPTIONS). */
export function toJSLoose(v: Value, depth = 0): unknown {
  if (depth > 16) return null;
  switch (v.kind) {
    case 'list': case 'tuple': case 'set': return v.items.map(x => toJSLoose(x, depth + 1));
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const e of v.map.values()) {
        const key = e.k.kind === 'str' ? e.k.v : pyStr(e.k);
        if (key !== null) out[key] = toJSLoose(e.v, depth + 1);
      }
      return out;
    }
    default: {
      const j = toJS(v, depth);
      return j === undefined ? null : j;
    }
  }
}

/** A JS value (from SettingsInfo / ModelInfo) as a Python value. Arrays become lists, objects dicts. */
export function fromJS(x: unknown, depth = 0): Value {
  if (x === null) return NONE;
  if (x === undefined) return unknown('not known');
  if (typeof x === 'string') return str(x);
  if (typeof x === 'number') return num(x, !Number.isInteger(x));
  if (typeof x === 'boolean') return bool(x);
  if (typeof x === 'bigint') return num(Number(x));
  if (depth > 16) return unknown('too deep');
  if (Array.isArray(x)) return list(x.map(i => fromJS(i, depth + 1)));
  if (x instanceof Set) return { kind: 'set', items: [...x].map(i => fromJS(i, depth + 1)) };
  if (typeof x === 'object') {
    const d = dict();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) dictSet(d, str(k), fromJS(v, depth + 1));
    return d;
  }
  return unknown('not representable');
}

export function typeName(v: Value): string {
  switch (v.kind) {
    case 'num': return v.float ? 'float' : 'int';
    case 'none': return 'NoneType';
    case 'instance': return v.cls.name;
    case 'obj': return v.type;
    default: return v.kind;
  }
}

/** The elements of a known iterable, or null. Dicts iterate keys, strings characters. */
export function iterate(v: Value): Value[] | null {
  switch (v.kind) {
    case 'list': case 'tuple': case 'set': return v.more ? null : v.items;
    case 'dict': return v.inexact ? null : [...v.map.values()].map(e => e.k);
    case 'str': return [...v.v].map(c => str(c));
    // an open() file read: its lines, as `for line in f` gives them (onadata's RESERVED_USERNAMES)
    case 'obj': return v.type === 'file' ? (v.data as { text: string }).text.split(/(?<=\n)/).filter(Boolean).map(x => str(x)) : null;
    default: return null;
  }
}

/** A copy of a sequence with the same "may contain more" mark. */
export function seqLike(kind: SeqV['kind'], items: Value[], more: UnknownV | undefined): SeqV {
  return more ? { kind, items, more } : { kind, items };
}

/**
 * One of `items`, not known which (`reason`): the value itself when they are all the same, else an unknown value with
 * them as its choices (up to 8: what a comparison all of them answer alike decides).
 */
/** `v` marked as picked at run time (UnknownV.picked), when it is unknown */
export function picked(v: Value): Value {
  if (v.kind === 'unknown') v.picked = true;
  return v;
}

export function oneOf(items: Value[], reason: string, loc: Loc | undefined): Value {
  const distinct = new Map<string, Value>();
  for (const v of items) {
    const values = v.kind === 'unknown' ? v.choices : [v];
    if (!values) return unknown(reason, loc);
    for (const x of values) if (!distinct.has(repr(x))) distinct.set(repr(x), x);
  }
  if (distinct.size === 1) return [...distinct.values()][0]!;
  const u = unknown(reason, loc);
  if (distinct.size <= 8) u.choices = [...distinct.values()];
  return u;
}
