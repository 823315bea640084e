// Calls, functions, classes and attributes of the static evaluator (./evaluate.ts): argument binding, C3 MRO,
// super(), NamedTuple/dataclass config objects, and the rule that a function whose paths either return or
// explicitly raise is taken to return (the raises become assumptions: the project starts).
import type * as A from './ast';
import type { Loc } from '../types';
import {
  type Value, type ClassV, type FuncV, type InstanceV, type ModuleV, type UnknownV, NONE, str, tuple, unknown, dict, dictSet, mergeValues, repr, pyStr,
  typeName, dependsOn,
  mayComeFrom,
} from './values';
import { type Evaluator, type Frame, type RunResult, PyErr, BudgetErr, MAX_CALL_DEPTH, RECURSION_CUT, locOf, shortLoc, missingReason } from './runtime';
import { callBuiltin, valueAttr } from './eval-builtins';
import { walkStmts } from './statements';
import { noteExecuted, noteNameRead } from '../vfs';

export function makeFunction(it: Evaluator, s: A.FunctionDef | A.Lambda, f: Frame, loc: Loc): Value {
  const defaults = new Map<string, Value>();
  const a = s.args;
  for (const arg of [...a.posonly, ...a.args, ...a.kwonly]) if (arg.default) defaults.set(arg.name, it.eval(arg.default, f));
  const fn: FuncV = {
    kind: 'function', name: s.type === 'FunctionDef' ? s.name : '<lambda>', def: s, globals: f.globals, cls: f.cls, defaults, loc,
  };
  if (f.fn || f.parent) fn.closure = f.scope.vars;
  // a method of a class defined in a function (a router factory's class): the class body is no scope of its
  // methods, the enclosing function's locals are
  else if (f.closure) fn.closure = f.closure;
  if (s.type === 'Lambda') return fn;
  let result: Value = fn;
  for (let i = s.decorators.length - 1; i >= 0; i--) {
    const d = it.eval(s.decorators[i]!, f);
    if (d.kind === 'builtin' && (d.name === 'staticmethod' || d.name === 'classmethod' || d.name === 'property' || d.name === 'functools.cached_property')) {
      if (result.kind === 'function') result.decorator = d.name === 'functools.cached_property' ? 'property' : (d.name as FuncV['decorator']);
      continue;
    }
    if (d.kind === 'builtin' && d.name.startsWith('functools.')) continue; // lru_cache, cache, wraps(...)
    result = it.call(d, [result], [], loc);
  }
  return result;
}

export function makeClass(it: Evaluator, s: A.ClassDef, f: Frame, loc: Loc): ClassV {
  const bases: Value[] = s.bases.map(b => it.eval(b, f));
  const cls: ClassV = { kind: 'class', name: s.name, module: f.globals.module, def: s, ns: new Map(), bases, globals: f.globals, loc };
  let fieldsKind: 'namedtuple' | 'dataclass' | null = null;
  for (const b of bases) {
    if (b.kind === 'class') {
      if (b.opaqueBase && !cls.opaqueBase) cls.opaqueBase = b.opaqueBase;
      if (b.threadLocal) cls.threadLocal = true;
      if (b.fields) fieldsKind = b.fields.kind;
      continue;
    }
    if (b.kind === 'builtin' && (b.name === 'object')) continue;
    if (b.kind === 'builtin' && b.name === 'typing.NamedTuple') { fieldsKind = 'namedtuple'; continue; }
    if (b.kind === 'builtin' && b.name === 'threading.local') cls.threadLocal = true;
    if (!cls.opaqueBase) cls.opaqueBase = b.kind === 'unknown' ? b : unknown(`base class ${repr(b)} is not modelled`, loc);
  }
  cls.ns.set('__module__', str(f.globals.module));
  cls.ns.set('__qualname__', str(s.name));
  const cf: Frame = { scope: { vars: cls.ns }, globals: f.globals, fn: null, cls, parent: null, closure: f.fn ? f.scope.vars : null, globalNames: null, file: f.file, handling: null };
  const r = it.execBlock(s.body, cf);
  cls.ns = cf.scope.vars;
  if (!r.normal) {
    const e = r.abrupt.find(a => a.kind === 'raise');
    if (e?.exc) throw e.exc;
  }
  for (const d of s.decorators) {
    const dv = it.evalSafe(d.type === 'Call' ? d.func : d, f);
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

export function evalCall(it: Evaluator, e: A.Call, f: Frame): Value {
  const loc = locOf(f.file, e);
  if (e.func.type === 'Name' && e.func.id === 'super' && e.args.length === 0) {
    // zero-argument super(): the class the function was defined in, and its first argument
    const fr = f.fn ? f : null;
    const fn = fr?.fn;
    const first = fn && fn.def.type === 'FunctionDef' ? [...fn.def.args.posonly, ...fn.def.args.args][0] : undefined;
    if (!fn?.cls || !first) throw new PyErr('RuntimeError', 'super(): no arguments', loc);
    return { kind: 'super', cls: fn.cls, self: it.lookup(first.name, f, loc) };
  }
  const fnv: Value = it.eval(e.func, f);
  const args: Value[] = [];
  for (const a of e.args) {
    if (a.type === 'Starred') {
      const v = it.eval(a.value, f);
      const spread = it.iter(v);
      if (spread === null) return unknown(v.kind === 'unknown' ? v.reason : `*args of ${repr(v)}`, v.kind === 'unknown' ? v.loc ?? loc : loc);
      args.push(...spread);
    } else args.push(it.eval(a, f));
  }
  const kwargs: [string, Value][] = [];
  for (const k of e.keywords) {
    const v = it.eval(k.value, f);
    if (k.arg) { kwargs.push([k.arg, v]); continue; }
    if (v.kind !== 'dict' || v.inexact) return unknown(v.kind === 'unknown' ? v.reason : `**kwargs of ${repr(v)}`, v.kind === 'unknown' ? v.loc ?? loc : loc);
    for (const en of v.map.values()) {
      if (en.k.kind !== 'str') throw new PyErr('TypeError', 'keywords must be strings', loc);
      kwargs.push([en.k.v, en.v]);
    }
  }
  return it.call(fnv, args, kwargs, loc, f);
}

/** Call any callable value. */
export function call(it: Evaluator, fnv: Value, args: Value[], kwargs: [string, Value][], loc: Loc | undefined, f?: Frame): Value {
  const l = loc ?? { path: '?', line: 0 };
  switch (fnv.kind) {
    case 'unknown':
      return unknown(fnv.reason, fnv.loc ?? l);
    case 'builtin':
      return callBuiltin(it, fnv, args, kwargs, l, f);
    case 'function':
      return it.callFunction(fnv, args, kwargs, l);
    case 'bound':
      return it.callFunction(fnv.fn, [fnv.self, ...args], kwargs, l);
    case 'class':
      return it.instantiate(fnv, args, kwargs, l);
    case 'obj': {
      const r = it.modeledCall(fnv, '__call__', args, kwargs, l);
      if (r !== undefined) return r;
      return unknown(`call of ${fnv.type}`, l);
    }
    case 'instance': {
      const c = it.classAttr(fnv.cls, '__call__');
      if (c) return it.call(it.bindAttr(c.value, fnv, c.owner), args, kwargs, l);
      if (fnv.cls.opaqueBase) return unknown(fnv.cls.opaqueBase.reason, fnv.cls.opaqueBase.loc);
      throw new PyErr('TypeError', `'${fnv.cls.name}' object is not callable`, l);
    }
    default:
      throw new PyErr('TypeError', `'${typeName(fnv)}' object is not callable`, l);
  }
}

export function instantiate(it: Evaluator, cls: ClassV, args: Value[], kwargs: [string, Value][], loc: Loc): Value {
  if (cls.special === 'exception') {
    return { kind: 'instance', cls, attrs: new Map([['args', tuple(args)]]) };
  }
  if (cls.fields) return instantiateFields(it, cls, cls.fields, args, kwargs, loc);
  const inst: InstanceV = { kind: 'instance', cls, attrs: new Map() };
  const init = it.classAttr(cls, '__init__');
  if (init) {
    it.call(it.bindAttr(init.value, inst, init.owner), args, kwargs, loc);
  } else if (derivesFromException(cls)) {
    // BaseException.__init__ takes any arguments, kept as .args (`class ImproperlyConfigured(Exception): pass`,
    // then `raise ImproperlyConfigured("…")` in PostHog's settings)
    inst.attrs.set('args', tuple(args));
  } else if (cls.opaqueBase) {
    // the unknown base's __init__ may set anything
    return inst;
  } else if (args.length || kwargs.length) {
    throw new PyErr('TypeError', `${cls.name}() takes no arguments`, loc);
  }
  return inst;
}

/** Whether a class has a built-in exception class among its bases (at any depth). */
function derivesFromException(cls: ClassV, depth = 0): boolean {
  if (cls.special === 'exception') return true;
  return depth < 50 && cls.bases.some(b => b.kind === 'class' && derivesFromException(b, depth + 1));
}

/** A NamedTuple (a tuple with field names) or a dataclass instance, fields bound like the generated __init__. */
function instantiateFields(it: Evaluator, cls: ClassV, fields: NonNullable<ClassV['fields']>, args: Value[], kwargs: [string, Value][], loc: Loc): Value {
  if (args.length > fields.names.length) throw new PyErr('TypeError', `${cls.name}() takes ${fields.names.length} positional arguments but ${args.length} were given`, loc);
  const vals = new Map<string, Value>();
  fields.names.forEach((n, i) => { if (i < args.length) vals.set(n, args[i]!); });
  for (const [k, v] of kwargs) {
    if (!fields.names.includes(k)) throw new PyErr('TypeError', `${cls.name}() got an unexpected keyword argument '${k}'`, loc);
    vals.set(k, v);
  }
  for (const n of fields.names) {
    if (vals.has(n)) continue;
    const d = it.classAttr(cls, n);
    if (!d) throw new PyErr('TypeError', `${cls.name}() missing required argument: '${n}'`, loc);
    vals.set(n, d.value.kind === 'obj' && d.value.type === 'dataclasses.Field' ? (d.value.attrs.get('default') ?? unknown(`${cls.name}.${n} default factory`, loc)) : d.value);
  }
  if (fields.kind === 'namedtuple') return { kind: 'tuple', items: fields.names.map(n => vals.get(n)!), fields: fields.names };
  const inst: InstanceV = { kind: 'instance', cls, attrs: vals };
  const post = it.classAttr(cls, '__post_init__');
  if (post) it.call(it.bindAttr(post.value, inst, post.owner), [], [], loc);
  return inst;
}

/** Bind arguments and run a function's body. */
export function runFunction(it: Evaluator, fn: FuncV, args: Value[], kwargs: [string, Value][], loc: Loc): RunResult {
  if (it.callDepth >= MAX_CALL_DEPTH) throw new BudgetErr('calls nested too deeply');
  const def = fn.def;
  const running = it.activeCalls.get(def) ?? 0;
  if (running >= RECURSION_CUT) {
    const all = [...args, ...kwargs.map(([, v]) => v)];
    if (all.some(vague)) {
      // not followed: what it returns is unknown, and what it was given may have been changed
      const why = unknown(`${fn.name}() calls itself on something unknown (not followed further)`, loc);
      for (const a of all) mayChange(a, why);
      return { returns: [{ value: why, loc }], raises: [], fellOff: false, forks: [] };
    }
  }
  const file = fn.loc.path;
  // (a function-level dependency of what is being computed, vfs `execReads`)
  noteExecuted(file, def);
  const locals = bindArgs(it, fn, args, kwargs, loc);
  const fr: Frame = { scope: { vars: locals }, globals: fn.globals, fn, cls: null, parent: null, closure: null, globalNames: null, file, handling: null };
  const forksBefore = it.forks.length;
  it.callDepth++;
  it.activeCalls.set(def, running + 1);
  it.frames.push(fr);
  try {
    if (def.type === 'Lambda') {
      const v = it.eval(def.body, fr);
      return { returns: [{ value: v, loc: locOf(file, def) }], raises: [], fellOff: false, forks: it.forks.slice(forksBefore) };
    }
    const r = it.execBlock(def.body, fr);
    const returns: { value: Value; loc: Loc }[] = [];
    const raises: PyErr[] = [];
    for (const a of r.abrupt) {
      if (a.kind === 'return') returns.push({ value: a.value ?? NONE, loc: a.loc });
      else if (a.kind === 'raise') raises.push(a.exc!);
    }
    return { returns, raises, fellOff: r.normal, forks: it.forks.slice(forksBefore) };
  } finally {
    it.frames.pop();
    it.callDepth--;
    if (running) it.activeCalls.set(def, running);
    else it.activeCalls.delete(def);
  }
}

/** Unknown, or a container that may hold more than what is known of it. */
function vague(v: Value): boolean {
  return v.kind === 'unknown' || (v.kind === 'dict' && !!v.inexact) || ((v.kind === 'list' || v.kind === 'set') && !!v.more);
}

/** A dict or list given to a call that was not followed: it may hold more now. */
function mayChange(v: Value, why: UnknownV): void {
  if (v.kind === 'dict') v.inexact ??= why;
  else if (v.kind === 'list' || v.kind === 'set') v.more ??= why;
}

export function callFunction(it: Evaluator, fn: FuncV, args: Value[], kwargs: [string, Value][], loc: Loc): Value {
  // (whether it is a generator is read from its body)
  noteExecuted(fn.loc.path, fn.def);
  if (fn.def.type === 'FunctionDef' && isGenerator(fn.def)) return unknown(`generator ${fn.name}()`, fn.loc);
  const r = it.runFunction(fn, args, kwargs, loc);
  const values = r.returns.map(x => x.value);
  if (r.fellOff) values.push(NONE);
  if (!values.length) {
    if (r.raises.length) throw r.raises[0]!;
    return unknown(`${fn.name}() did not return`, fn.loc);
  }
  const fork = r.forks[0];
  if (r.raises.length && r.raises.every(x => x.explicit)) {
    for (const x of r.raises) it.assume(x, fn.loc);
  } else if (r.raises.length) {
    return unknown(`${fn.name}() may raise ${r.raises[0]} at ${shortLoc(r.raises[0]!.loc, it.index.displayRoot)}`, r.raises[0]!.loc ?? fn.loc);
  }
  let v = values[0]!;
  for (let i = 1; i < values.length; i++) {
    v = mergeValues(v, values[i]!, fork ? `${fn.name}() result ${dependsOn(fork.reason)}` : `${fn.name}() result`, fork?.loc ?? fn.loc);
  }
  return v;
}

function bindArgs(it: Evaluator, fn: FuncV, args: Value[], kwargs: [string, Value][], loc: Loc): Map<string, Value> {
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

/** C3 linearisation of a class. */
export function mro(it: Evaluator, cls: ClassV): ClassV[] {
  if (cls.mro) return cls.mro;
  cls.mro = [cls];
  const seqs: ClassV[][] = [];
  for (const b of cls.bases) if (b.kind === 'class') seqs.push([...it.mro(b)]);
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

/** Find an attribute in the class's MRO (`after`: start after it class, for super()). */
export function classAttr(it: Evaluator, cls: ClassV, name: string, after?: ClassV): { value: Value; owner: ClassV } | null {
  const mro = it.mro(cls);
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

export function bindAttr(it: Evaluator, v: Value, self: Value, _owner: ClassV): Value {
  if (v.kind === 'function') {
    if (v.decorator === 'staticmethod') return v;
    if (v.decorator === 'classmethod') return { kind: 'bound', fn: v, self: self.kind === 'instance' ? self.cls : self };
    if (self.kind === 'class') return v;
    if (v.decorator === 'property') return it.callFunction(v, [self], [], v.loc);
    return { kind: 'bound', fn: v, self };
  }
  return v;
}

/** Whether `name` of an instance of the thread-local class `cls` is data (its own, or not a method of the class). */
function threadLocalData(it: Evaluator, cls: ClassV, name: string, own: Value | undefined): boolean {
  if (own !== undefined) return true;
  const c = it.classAttr(cls, name);
  return !c || !['function', 'bound', 'builtin', 'class'].includes(c.value.kind);
}

export function getAttr(it: Evaluator, o: Value, name: string, loc: Loc): Value {
  switch (o.kind) {
    case 'unknown':
      return unknown(o.reason, o.loc ?? loc);
    case 'module':
      return it.moduleAttr(o, name, loc, false);
    case 'instance': {
      const own = o.attrs.get(name);
      if (o.cls.threadLocal && name !== '__class__' && threadLocalData(it, o.cls, name, own)) {
        // a thread-local's data is set at run time (its __init__ gives what a thread starts with): unknown, except
        // when the routers are asked about `migrate`, where nothing has set it (as for threading.local() objects)
        it.observe?.('threadlocal', o);
        if (!it.threadLocalsUnset) return unknown(`thread-local ${name} (set at run time)`, loc);
      }
      if (own !== undefined) return own;
      if (name === '__class__') return o.cls;
      const c = it.classAttr(o.cls, name);
      if (c) return it.bindAttr(c.value, o, c.owner);
      if (o.cls.special === 'exception') return unknown(`${o.cls.name}.${name}`, loc);
      if (o.cls.opaqueBase) return unknown(`${o.cls.name}.${name} ${mayComeFrom(o.cls.opaqueBase.reason)}`, o.cls.opaqueBase.loc ?? loc);
      const ga = it.classAttr(o.cls, '__getattr__');
      if (ga) return it.call(it.bindAttr(ga.value, o, ga.owner), [str(name)], [], loc);
      throw new PyErr('AttributeError', `'${o.cls.name}' object has no attribute '${name}'`, loc);
    }
    case 'class': {
      if (name === '__name__') return str(o.name);
      if (name === '__module__' && !o.ns.has(name)) return str(o.module);
      if (name === '__mro__') return tuple(it.mro(o));
      if (name === '__dict__' && !o.special) {
        // the class's own namespace (Kolibri's ChoicesEnum: `for m in cls.__dict__ if m[0] != "_"`)
        const own = dict([[str('__module__'), str(o.module)], [str('__qualname__'), str(o.name)], [str('__doc__'), NONE]]);
        for (const [k, v] of o.ns) dictSet(own, str(k), v);
        return own;
      }
      if (name === '_meta' && it.modelMeta) {
        const meta = it.modelMeta(o);
        if (meta) return meta;
      }
      const c = it.classAttr(o, name);
      if (c) {
        const member = enumMember(it, o, name, c.value, c.owner);
        if (member) return member;
        return it.bindAttr(c.value, o, c.owner);
      }
      if (o.opaqueBase) return unknown(`${o.name}.${name} ${mayComeFrom(o.opaqueBase.reason)}`, o.opaqueBase.loc ?? loc);
      if (o.special) return unknown(`${o.name}.${name}`, loc);
      throw new PyErr('AttributeError', `type object '${o.name}' has no attribute '${name}'`, loc);
    }
    case 'super': {
      const start = o.self.kind === 'instance' ? o.self.cls : o.self.kind === 'class' ? o.self : null;
      if (!start) return unknown(`super().${name}`, loc);
      const c = it.classAttr(start, name, o.cls);
      if (c) return it.bindAttr(c.value, o.self, c.owner);
      if (start.opaqueBase) return unknown(`super().${name} ${mayComeFrom(start.opaqueBase.reason)}`, start.opaqueBase.loc ?? loc);
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
      const v = valueAttr(it, o, name, loc);
      if (v !== undefined) return v;
      throw new PyErr('AttributeError', `'${typeName(o)}' object has no attribute '${name}'`, loc);
    }
  }
}

/**
 * A member of an Enum class (`Mode.EXPIRING`): an object with `.name` and `.value` (its value as written, or
 * unknown for auto()); methods, descriptors and _sunder_/__dunder__ names stay what they are.
 */
function enumMember(it: Evaluator, cls: ClassV, name: string, v: Value, owner: ClassV): Value | null {
  if (name.startsWith('_') || owner.special === 'enum' || !it.mro(cls).some(x => x.special === 'enum')) return null;
  if (v.kind === 'function' || v.kind === 'builtin' || v.kind === 'class' || v.kind === 'bound') return null;
  const members = ENUM_MEMBERS.get(owner) ?? new Map<string, Value>();
  ENUM_MEMBERS.set(owner, members);
  let m = members.get(name);
  if (!m) {
    const value = v.kind === 'obj' && v.type === 'enum.auto' ? unknown(`${owner.name}.${name}'s auto() value`) : v;
    m = { kind: 'obj', type: 'enum.member', attrs: new Map<string, Value>([['name', str(name)], ['value', value], ['_value_', value]]), missing: 'unknown', data: { cls: owner } };
    members.set(name, m);
  }
  return m;
}
const ENUM_MEMBERS = new WeakMap<ClassV, Map<string, Value>>();

export function moduleAttr(it: Evaluator, m: ModuleV, name: string, loc: Loc, fromImport: boolean): Value {
  // the command line the settings see is taken as `manage.py migrate`'s: a check for `test` or `runserver` is read
  // as migrate runs it, and said so
  if (m.special === 'modeled' && m.name === 'sys' && name === 'argv') {
    it.noteAssumption(`sys.argv is read as ['manage.py', 'migrate'] (the command this tool describes): code checking for another command (test, runserver) is read as not running it`, loc);
  }
  if (m.ns) {
    // a name asked of the module by the code calling the evaluator (a router class by its dotted path in the settings)
    // is mentioned by no code: noted, for function-level dependencies (vfs noteNameRead)
    if (m.ns.file) noteNameRead(m.ns.file, name);
    const v = m.ns.vars.get(name);
    if (v !== undefined) return v;
    const sub = it.loadedModule(`${m.name}.${name}`);
    if (sub) return sub;
    if (it.index.resolve(`${m.name}.${name}`)) {
      try {
        return it.importModule(`${m.name}.${name}`, loc);
      } catch (e) {
        if (!(e instanceof PyErr)) throw e;
      }
    }
    // (a member of a module modelled here that is not modelled: said as Django's or a package's code is)
    if (m.special === 'modeled') return unknown(`${m.name}.${name} (not evaluated)`, loc);
    if (m.ns.starUnknown) return unknown(`${m.name}.${name} ${mayComeFrom(m.ns.starUnknown.reason)}`, m.ns.starUnknown.loc ?? loc);
    if (fromImport) throw new PyErr('ImportError', `cannot import name '${name}' from '${m.name}'`, loc);
    throw new PyErr('AttributeError', `module '${m.name}' has no attribute '${name}'`, loc);
  }
  if (m.special === 'missing') {
    const sub = `${m.name}.${name}`;
    return it.loadedModule(sub) ?? unknown(missingReason(m.name, it.python), it.missingModules.get(m.name.split('.')[0]!) ?? loc);
  }
  const v = it.modeledCall(m, '__getattr__', [str(name)], [], loc);
  if (v !== undefined) return v;
  // Django's modules re-export django.db's DEFAULT_DB_ALIAS (kpi: `from django.contrib.auth.management import
  // DEFAULT_DB_ALIAS`); it is "default" wherever it is imported from
  if (name === 'DEFAULT_DB_ALIAS' && (m.name === 'django' || m.name.startsWith('django.'))) return str('default');
  // the app registry: apps.get_model(…) answers for the model a router is asked about (Evaluator.getModel)
  if (name === 'apps' && m.name === 'django.apps') return { kind: 'obj', type: 'django.apps.registry', attrs: new Map(), missing: 'unknown' };
  return unknown(`${m.name}.${name} (not evaluated)`, loc);
}

export function toPyErr(it: Evaluator, e: Value, loc: Loc): PyErr {
  if (e.kind === 'class') return new PyErr(e.special === 'exception' ? e.name : e.name, '', loc, e.special ? undefined : e);
  if (e.kind === 'instance') {
    const args = e.attrs.get('args');
    const msg = args && args.kind === 'tuple' && args.items[0] ? pyStr(args.items[0]) ?? '' : '';
    const err = new PyErr(e.cls.name, msg, loc, e.cls.special ? undefined : e.cls);
    err.value = e;
    return err;
  }
  if (e.kind === 'unknown') return new PyErr('Exception', `(unknown exception: ${e.reason})`, loc);
  return new PyErr('TypeError', 'exceptions must derive from BaseException', loc);
}

function isGenerator(def: A.FunctionDef): boolean {
  const seen = (e: A.Expr): boolean => e.type === 'OtherExpr' && (e.kind === 'yield' || e.text.startsWith('yield'));
  for (const s of walkStmts(def.body)) {
    if (s.type === 'Expr' && seen(s.value)) return true;
    if (s.type === 'Assign' && seen(s.value)) return true;
  }
  return false;
}
