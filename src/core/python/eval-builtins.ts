// Builtin functions (len, sorted, getattr, isinstance, dir, globals, …) and the methods of str/list/dict/set/path
// values for the static evaluator. Operators and formatting are in ./operators.ts, exception classes in
// ./exceptions.ts; calls that reach a modelled module go through the Evaluator (./eval-modules.ts).
import * as path from 'path';
import type { Loc } from '../types';
import { type Evaluator, type Frame, type KW, PyErr, kwarg, inProject, rootOf } from './runtime';
import { parsePython } from './parse';
import { readDir, readText, statFile } from '../vfs';
import {
  type Value, type SeqV, type StrV, type BuiltinV, type DictV, type PathV, type UnknownV, type ModelIdentity, NONE, ABSENT_ATTR, TRUE, FALSE, str, num, bool, list, tuple, unknown, dict,
  dictGet, dictSet, hashKey, pyEquals, repr, typeName, overlayUnknown, type Namespace, type ObjV, type ClassV, oneOf, picked,
  mayComeFrom,
} from './values';
import { EXC_PARENT, NOT_BUILTIN, exceptionClass } from './exceptions';
import { isAppConfigBase } from './app-registry';
import { joinPath, pathParent, realpath } from './paths';
import { unk, firstUnknown, toInt, toStr, formatValue, compareOrder, containsOp, strFormat } from './operators';

const b = (name: string, self?: Value): BuiltinV => (self ? { kind: 'builtin', name, self } : { kind: 'builtin', name });

// ---- the builtins namespace -------------------------------------------------------------------------

const BUILTIN_FUNCS = [
  'len', 'str', 'int', 'float', 'bool', 'list', 'tuple', 'set', 'frozenset', 'dict', 'sorted', 'reversed', 'enumerate',
  'zip', 'range', 'min', 'max', 'sum', 'any', 'all', 'isinstance', 'issubclass', 'getattr', 'hasattr', 'setattr', 'print',
  'repr', 'type', 'callable', 'map', 'filter', 'object', 'staticmethod', 'classmethod', 'property', 'abs', 'round',
  'iter', 'next', 'open', '__import__', 'id', 'hash', 'vars', 'globals', 'locals', 'format', 'ord', 'chr', 'divmod', 'pow',
  'dir', 'bin', 'hex', 'oct', 'ascii', 'bytes', 'delattr', 'exec', 'compile',
];

/** Every name of CPython 3.13's `builtins` module: one the evaluator does not model is unknown, never a NameError. */
export const PYTHON_BUILTIN_NAMES: ReadonlySet<string> = new Set((
  'ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError BrokenPipeError BufferError ' +
  'BytesWarning ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError ' +
  'DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception ExceptionGroup False FileExistsError ' +
  'FileNotFoundError FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError ' +
  'IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError ' +
  'NameError None NotADirectoryError NotImplemented NotImplementedError OSError OverflowError PendingDeprecationWarning ' +
  'PermissionError ProcessLookupError PythonFinalizationError RecursionError ReferenceError ResourceWarning RuntimeError ' +
  'RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError ' +
  'True TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning ' +
  'UserWarning ValueError Warning ZeroDivisionError __build_class__ __debug__ __doc__ __import__ __loader__ __name__ ' +
  '__package__ __spec__ abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile ' +
  'complex copyright credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals ' +
  'hasattr hash help hex id input int isinstance issubclass iter len license list locals map max memoryview min next object ' +
  'oct open ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple ' +
  'type vars zip __file__ __builtins__'
).split(' '));

export const BUILTINS = new Map<string, Value>();
for (const n of BUILTIN_FUNCS) BUILTINS.set(n, b(n));
for (const n of Object.keys(EXC_PARENT)) if (!NOT_BUILTIN.has(n)) BUILTINS.set(n, exceptionClass(n));
BUILTINS.set('__debug__', TRUE);
BUILTINS.set('NotImplemented', { kind: 'obj', type: 'NotImplementedType', attrs: new Map(), missing: 'absent' });
BUILTINS.set('Ellipsis', { kind: 'obj', type: 'ellipsis', attrs: new Map(), missing: 'absent' });

function isinstanceOf(it: Evaluator, v: Value, t: Value): boolean | null {
  if (t.kind === 'tuple') {
    let res: boolean | null = false;
    for (const x of t.items) {
      const r = isinstanceOf(it, v, x);
      if (r === true) return true;
      if (r === null) res = null;
    }
    return res;
  }
  if (v.kind === 'unknown' || t.kind === 'unknown') return null;
  if (t.kind === 'builtin') {
    switch (t.name) {
      case 'str': return v.kind === 'str' || (v.kind === 'path' && !!v.strSub);
      case 'int': return (v.kind === 'num' && !v.float) || v.kind === 'bool';
      case 'float': return v.kind === 'num' && !!v.float;
      case 'bool': return v.kind === 'bool';
      case 'list': return v.kind === 'list';
      case 'tuple': return v.kind === 'tuple';
      case 'set': return v.kind === 'set';
      case 'dict': return v.kind === 'dict';
      case 'object': return true;
      // pathlib's classes (all one builtin here): a Path value is one, a str or another known value is not (frePPLe)
      case 'pathlib.Path': return v.kind === 'path' ? !v.strSub : v.kind === 'str' || v.kind === 'num' || v.kind === 'none' || v.kind === 'bool' || v.kind === 'list' || v.kind === 'tuple' || v.kind === 'dict' ? false : null;
      default: return null;
    }
  }
  if (t.kind === 'class') {
    if (v.kind === 'instance') {
      if (it.mro(v.cls).includes(t)) return true;
      // (a class with a base not evaluated may check instances its own way, an ABC's register(); Django's AppConfig,
      // a plain class, does not: apps.get_app_configs() filtered by isinstance of a project's AppConfig class)
      const plain = (c: ClassV) => !c.opaqueBase || isAppConfigBase(c.opaqueBase);
      return plain(v.cls) && plain(t) ? false : null;
    }
    // a class is an instance of its metaclass, which derives from `type`: a class whose bases are all modelled does not
    if (v.kind === 'class') return t.opaqueBase ? null : false;
    if (v.kind === 'obj') return null;
    return t.special ? null : false;
  }
  return null;
}

export function callBuiltin(it: Evaluator, fn: BuiltinV, args: Value[], kwargs: KW, loc: Loc, _f?: Frame): Value {
  if (fn.self !== undefined) return callMethod(it, fn, fn.self, args, kwargs, loc);
  const a0 = args[0];
  switch (fn.name) {
    case 'dict.fromkeys': {
      // dict.fromkeys(iterable, value=None): the keys in order, each with the same value
      const part = a0 ? knownPart(a0) : null;
      const items = a0 ? (it.iter(a0) ?? part?.items ?? null) : null;
      if (!items) return unk(a0 ?? NONE, 'dict.fromkeys()', loc);
      const d = dict();
      for (const k of items) dictSet(d, k, args[1] ?? NONE);
      if (part) d.inexact = part.more;
      return d;
    }
    case 'len': {
      if (!a0) throw new PyErr('TypeError', 'len() takes exactly one argument', loc);
      if (a0.kind === 'str') return num([...a0.v].length);
      if (a0.kind === 'dict' && !a0.inexact) return num(a0.map.size);
      const items = it.iter(a0);
      if (items && a0.kind !== 'obj') return num(items.length);
      if (a0.kind === 'obj' && items) return num(items.length);
      return unk(a0, `len(${repr(a0)})`, loc);
    }
    case 'str': {
      if (!a0) return str('');
      const s = toStr(it, a0, loc);
      return s === null ? unk(a0, `str(${repr(a0)})`, loc) : str(s);
    }
    case 'repr':
      return a0 && a0.kind !== 'unknown' && a0.kind !== 'instance' ? str(repr(a0)) : unk(a0 ?? NONE, 'repr()', loc);
    case 'int': {
      if (!a0) return num(0);
      if (a0.kind === 'num') return num(Math.trunc(a0.v));
      if (a0.kind === 'bool') return num(a0.v ? 1 : 0);
      if (a0.kind === 'str') {
        const base = args[1] ? toInt(args[1]) : 10;
        const t = a0.v.trim().replace(/_/g, '');
        if (base === 10 && /^[+-]?\d+$/.test(t)) return num(parseInt(t, 10));
        if (base !== null && base !== 10) { const n = parseInt(t, base); if (!Number.isNaN(n)) return num(n); }
        throw new PyErr('ValueError', `invalid literal for int() with base 10: ${repr(a0)}`, loc);
      }
      return unk(a0, `int(${repr(a0)})`, loc);
    }
    case 'float': {
      if (!a0) return num(0, true);
      if (a0.kind === 'num') return num(a0.v, true);
      if (a0.kind === 'bool') return num(a0.v ? 1 : 0, true);
      if (a0.kind === 'str') {
        const n = parseFloatPy(a0.v);
        if (n === null) throw new PyErr('ValueError', `could not convert string to float: ${repr(a0)}`, loc);
        return num(n, true);
      }
      return unk(a0, `float(${repr(a0)})`, loc);
    }
    case 'bool': {
      if (!a0) return FALSE;
      const t = it.truth(a0);
      return t === null ? unk(a0, `bool(${repr(a0)})`, loc) : bool(t);
    }
    case 'list': case 'tuple': case 'set': case 'frozenset': case 'sorted': case 'reversed': {
      if (!a0) return fn.name === 'tuple' ? tuple([]) : fn.name === 'set' || fn.name === 'frozenset' ? { kind: 'set', items: [] } : list([]);
      const items = it.iter(a0);
      if (items === null) {
        // a collection that may hold more than its known items: so does the copy (INSTALLED_APPS built up in a loop)
        const part = fn.name === 'list' || fn.name === 'tuple' ? knownPart(a0) : null;
        if (part) return { kind: fn.name as 'list' | 'tuple', items: [...part.items], more: part.more };
        return unk(a0, `${fn.name}(${repr(a0)})`, loc);
      }
      if (fn.name === 'list') return list([...items]);
      if (fn.name === 'tuple') return tuple([...items]);
      if (fn.name === 'reversed') return list([...items].reverse());
      if (fn.name === 'sorted') {
        const key = kwarg(kwargs, 'key');
        const rev = kwarg(kwargs, 'reverse');
        if (key && key.kind !== 'none') return unknown('sorted() with a key function', loc);
        const out = sortValues(items, loc);
        if (!out) return unknown(`sorted(${repr(a0)})`, loc);
        if (rev && it.truth(rev)) out.reverse();
        return list(out);
      }
      const seen = new Set<string>();
      const out: Value[] = [];
      for (const x of items) {
        const h = hashKey(x);
        if (h === null) return unk(x, `unhashable ${repr(x)}`, loc);
        if (!seen.has(h)) { seen.add(h); out.push(x); }
      }
      return { kind: 'set', items: out };
    }
    case 'dict': {
      const d = dict();
      if (a0) {
        if (a0.kind === 'dict') { for (const e of a0.map.values()) dictSet(d, e.k, e.v, e.loc); if (a0.inexact) d.inexact = a0.inexact; }
        else {
          const items = it.iter(a0);
          if (items === null) return unk(a0, `dict(${repr(a0)})`, loc);
          for (const p of items) {
            const kv = it.iter(p);
            if (!kv || kv.length !== 2) return unk(p, `dict() item ${repr(p)}`, loc);
            if (!dictSet(d, kv[0]!, kv[1]!, loc)) d.inexact = unk(kv[0]!, 'unhashable key', loc);
          }
        }
      }
      for (const [k, v] of kwargs) dictSet(d, str(k), v, loc);
      return d;
    }
    case 'enumerate': {
      const items = a0 ? it.iter(a0) : null;
      if (!items) return unk(a0 ?? NONE, 'enumerate()', loc);
      // enumerate(x, 1) or enumerate(x, start=1) (Flagsmith's replica_{i} aliases)
      const s = args[1] ?? kwarg(kwargs, 'start');
      if (s && toInt(s) === null) return unk(s, 'enumerate() start', loc);
      const start = s ? toInt(s)! : 0;
      return list(items.map((x, i) => tuple([num(i + start), x])));
    }
    case 'zip': {
      const seqs = args.map(x => it.iter(x));
      if (seqs.some(s => s === null)) return unk(firstUnknown(args) ?? NONE, 'zip()', loc);
      const n = Math.min(...seqs.map(s => s!.length));
      const out: Value[] = [];
      for (let i = 0; i < n; i++) out.push(tuple(seqs.map(s => s![i]!)));
      return list(out);
    }
    case 'range': {
      const ns = args.map(toInt);
      if (ns.some(x => x === null)) return unk(firstUnknown(args) ?? NONE, 'range()', loc);
      const [start, stop, step] = ns.length === 1 ? [0, ns[0]!, 1] : [ns[0]!, ns[1]!, ns[2] ?? 1];
      if (step === 0) throw new PyErr('ValueError', 'range() arg 3 must not be zero', loc);
      const out: Value[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
        out.push(num(i));
        if (out.length > 10000) return unknown('range() too large', loc);
      }
      return { kind: 'obj', type: 'range', attrs: new Map(), missing: 'absent', data: out };
    }
    case 'min': case 'max': case 'sum': case 'any': case 'all': {
      const items = args.length === 1 ? it.iter(a0!) : args;
      if (!items) return unk(a0 ?? NONE, `${fn.name}()`, loc);
      if (fn.name === 'any' || fn.name === 'all') {
        let res: boolean | null = fn.name === 'all';
        for (const x of items) {
          const t = it.truth(x);
          if (t === null) res = null;
          else if (fn.name === 'any' ? t : !t) return bool(fn.name === 'any');
        }
        return res === null ? unk(firstUnknown(items) ?? NONE, `${fn.name}()`, loc) : bool(res);
      }
      if (fn.name === 'sum') {
        let s = 0;
        let fl = false;
        for (const x of items) {
          if (x.kind === 'num') { s += x.v; fl = fl || !!x.float; } else if (x.kind === 'bool') s += x.v ? 1 : 0;
          else return unk(x, 'sum()', loc);
        }
        return num(s, fl);
      }
      const sorted = sortValues(items, loc);
      // (the unknown item's own reason: `max(multiprocessing.cpu_count(), 1)` is the CPU count's, not max()'s)
      if (!sorted || !sorted.length) return unk(firstUnknown(items) ?? NONE, `${fn.name}()`, loc);
      return fn.name === 'min' ? sorted[0]! : sorted[sorted.length - 1]!;
    }
    case 'isinstance': {
      const r = isinstanceOf(it, a0!, args[1]!);
      return r === null ? unk(firstUnknown(args) ?? NONE, `isinstance(${repr(a0!)}, ${repr(args[1]!)})`, loc) : bool(r);
    }
    case 'issubclass': {
      const c = a0!;
      const t = args[1]!;
      if (c.kind === 'class' && t.kind === 'class') {
        if (it.mro(c).includes(t)) return TRUE;
        if (!c.opaqueBase) return FALSE;
      }
      // a router's model object and model classes the router names (Kolibri: issubclass(model, NetworkLocation))
      const sub = c.kind === 'obj' && c.type === 'model' ? (c.data as ModelIdentity | undefined)?.subclassOf : undefined;
      if (sub) {
        it.noteIdentity(c);
        const targets = t.kind === 'tuple' ? t.items : [t];
        let res: boolean | null = false;
        for (const x of targets) {
          const r = x.kind === 'class' ? sub(x) : null;
          if (r === true) return TRUE;
          if (r === null) res = null;
        }
        if (res === false) return FALSE;
      }
      return unk(firstUnknown(args) ?? NONE, `issubclass(${repr(c)}, ${repr(t)})`, loc);
    }
    case 'getattr': case 'hasattr': {
      const o = a0!;
      const name = args[1]!;
      if (name.kind !== 'str') return unk(name, 'getattr() with an unknown name', loc);
      try {
        const v = it.getAttr(o, name.v, loc);
        return fn.name === 'hasattr' ? (v.kind === 'unknown' ? unknown(v.reason, v.loc) : TRUE) : v;
      } catch (e) {
        if (e instanceof PyErr && e.type === 'AttributeError') {
          if (fn.name === 'hasattr') return FALSE;
          if (args.length > 2) return args[2]!;
        }
        throw e;
      }
    }
    case 'setattr': case 'delattr': {
      const n = args[1]?.kind === 'str' ? args[1].v : null;
      if (n === null || !a0) return NONE;
      const target = a0.kind === 'instance' || a0.kind === 'obj' ? a0.attrs : a0.kind === 'class' ? a0.ns : a0.kind === 'module' && a0.ns ? a0.ns.vars : null;
      if (target && fn.name === 'setattr') target.set(n, args[2] ?? NONE);
      else if (target) target.delete(n);
      return NONE;
    }
    case 'dir': {
      const names = a0 ? dirNames(it, a0) : _f ? [..._f.scope.vars.keys()] : null;
      return names ? list(names.sort().map(str)) : unk(a0 ?? NONE, `dir(${a0 ? repr(a0) : ''})`, loc);
    }
    case 'globals':
      return _f ? globalsObj(_f.globals) : unknown('globals()', loc);
    case 'vars': case 'locals':
      // at module level both are the module's namespace (settings: `vars().update(yaml.safe_load(f))`)
      if (!a0 && _f && _f.scope === _f.globals) return globalsObj(_f.globals);
      return unknown(`${fn.name}()`, loc);
    case 'open':
      return openFile(it, a0 ?? kwarg(kwargs, 'file'), args[1] ?? kwarg(kwargs, 'mode'), loc);
    case 'compile': {
      // compile(source, filename, "exec"): the source, run by exec() below
      const mode = args[2] ?? kwarg(kwargs, 'mode');
      const src = a0 ?? kwarg(kwargs, 'source');
      if (src?.kind !== 'str' || (mode && mode.kind === 'str' && mode.v !== 'exec')) return unk(src ?? NONE, 'compile()', loc);
      const file = args[1] ?? kwarg(kwargs, 'filename');
      return { kind: 'obj', type: 'code', attrs: new Map(), missing: 'absent', data: { source: src.v, filename: file?.kind === 'str' ? file.v : '<string>' } };
    }
    case 'exec':
      return execCode(it, a0, args[1] ?? kwarg(kwargs, 'globals'), loc, _f);
    case 'split_settings.optional':
      return { kind: 'obj', type: 'split_settings.optional', attrs: new Map(), missing: 'unknown', data: a0 ?? NONE };
    case 'split_settings.include':
      return includeSettings(it, args, kwarg(kwargs, 'scope'), loc, _f);
    case 'bin': case 'hex': case 'oct': {
      const n = a0 ? toInt(a0) : null;
      if (n === null) return unk(a0 ?? NONE, `${fn.name}()`, loc);
      const [base, prefix] = fn.name === 'bin' ? [2, '0b'] : fn.name === 'hex' ? [16, '0x'] : [8, '0o'];
      return str((n < 0 ? '-' : '') + prefix + Math.abs(n).toString(base));
    }
    case 'print':
      return NONE;
    case 'type':
      if (args.length === 1) {
        if (a0!.kind === 'instance') return a0!.cls;
        if (a0!.kind === 'str' || a0!.kind === 'list' || a0!.kind === 'dict' || a0!.kind === 'tuple' || a0!.kind === 'set' || a0!.kind === 'bool') return b(a0!.kind);
        if (a0!.kind === 'num') return b(a0!.float ? 'float' : 'int');
      }
      return unk(a0 ?? NONE, 'type()', loc);
    case 'callable':
      if (!a0 || a0.kind === 'unknown' || a0.kind === 'instance' || a0.kind === 'obj') return unk(a0 ?? NONE, 'callable()', loc);
      return bool(['function', 'bound', 'builtin', 'class'].includes(a0.kind));
    case 'map': case 'filter': {
      const items = args[1] ? it.iter(args[1]) : null;
      if (!items) return unk(args[1] ?? NONE, `${fn.name}()`, loc);
      const out: Value[] = [];
      for (const x of items) {
        if (fn.name === 'map') out.push(it.call(a0!, [x], [], loc));
        else {
          const t = a0!.kind === 'none' ? it.truth(x) : it.truth(it.call(a0!, [x], [], loc));
          if (t === null) return unknown(`${fn.name}() condition`, loc);
          if (t) out.push(x);
        }
      }
      return list(out);
    }
    case 'abs':
      return a0?.kind === 'num' ? num(Math.abs(a0.v), a0.float) : unk(a0 ?? NONE, 'abs()', loc);
    case 'round':
      return a0?.kind === 'num' && !args[1] ? num(Math.round(a0.v)) : unk(a0 ?? NONE, 'round()', loc);
    case 'iter':
      return a0 ? { kind: 'obj', type: 'iterator', attrs: new Map(), missing: 'absent', data: it.iter(a0) ?? undefined } : NONE;
    case 'next': {
      if (a0?.kind === 'obj' && a0.type === 'iterator' && Array.isArray(a0.data)) {
        const d = a0.data as Value[];
        if (d.length) return d.shift()!;
        if (args[1]) return args[1];
        throw new PyErr('StopIteration', '', loc);
      }
      if (a0?.kind === 'obj' && a0.type === 'itertools.cycle') {
        const d = a0.data as { items: Value[]; what: string };
        if (!d.items.length) {
          if (args[1]) return args[1];
          throw new PyErr('StopIteration', '', loc);
        }
        it.observe?.('random', a0);
        return picked(oneOf(d.items, `next() of ${d.what}: each call the next one`, loc));
      }
      return unk(a0 ?? NONE, 'next()', loc);
    }
    case 'object':
      return { kind: 'obj', type: 'object', attrs: new Map(), missing: 'absent' };
    case 'staticmethod': case 'classmethod': case 'property':
      return a0 ?? NONE;
    case 'object.__init__':
      return NONE;
    case 'ord':
      return a0?.kind === 'str' && a0.v.length === 1 ? num(a0.v.codePointAt(0)!) : unk(a0 ?? NONE, 'ord()', loc);
    case 'chr':
      return a0?.kind === 'num' ? str(String.fromCodePoint(a0.v)) : unk(a0 ?? NONE, 'chr()', loc);
    case 'format':
      return a0 ? (s => (s === null ? unk(a0, 'format()', loc) : str(s)))(formatValue(it, a0, null, args[1]?.kind === 'str' ? args[1].v : null, loc)) : str('');
    default: {
      const r = it.modeledCall(fn, '__call__', args, kwargs, loc);
      if (r !== undefined) return r;
      return unknown(`${fn.name}() is not modelled`, loc);
    }
  }
}

function sortValues(items: Value[], loc: Loc): Value[] | null {
  const out = [...items];
  let bad = false;
  out.sort((x, y) => {
    const lt = compareOrder(x, '<', y, loc);
    const gt = compareOrder(y, '<', x, loc);
    if (lt === null || gt === null) { bad = true; return 0; }
    return lt ? -1 : gt ? 1 : 0;
  });
  return bad ? null : out;
}

// ---- methods -----------------------------------------------------------------------------------------

const STR_METHODS = new Set([
  'startswith', 'endswith', 'lower', 'upper', 'split', 'rsplit', 'strip', 'lstrip', 'rstrip', 'replace', 'format', 'join',
  'partition', 'rpartition', 'casefold', 'title', 'capitalize', 'isdigit', 'isalpha', 'isalnum', 'isidentifier', 'count', 'find', 'rfind',
  'index', 'removeprefix', 'removesuffix', 'splitlines', 'encode', 'zfill', 'isupper', 'islower', 'swapcase', '__contains__',
  'ljust', 'rjust', 'center', 'isspace', 'isnumeric', 'isdecimal', 'istitle', 'expandtabs', 'format_map',
]);
const LIST_METHODS = new Set(['append', 'extend', 'insert', 'remove', 'pop', 'index', 'count', 'copy', 'sort', 'reverse', 'clear']);
const DICT_METHODS = new Set(['get', 'keys', 'values', 'items', 'update', 'setdefault', 'pop', 'copy', 'clear', '__contains__', '__getitem__']);
const SET_METHODS = new Set(['add', 'update', 'union', 'intersection', 'difference', 'issubset', 'issuperset', 'discard', 'remove', 'copy', 'isdisjoint']);
const PATH_METHODS = new Set(['resolve', 'absolute', 'joinpath', 'as_posix', 'with_name', 'with_suffix', 'exists', 'is_dir', 'is_file', 'expanduser', 'relative_to', 'is_absolute', '__fspath__', 'mkdir', 'iterdir', 'glob', 'read_text', 'open',
  // pathlib.Path's others: what they give depends on the file system, and those that change it are never run
  // (pretalx's settings write a secret file: `SECRET_FILE.chmod(0o600)` was an AttributeError Python never raises)
  'chmod', 'lchmod', 'touch', 'unlink', 'write_text', 'write_bytes', 'read_bytes', 'rename', 'replace', 'symlink_to', 'hardlink_to', 'rmdir',
  'stat', 'lstat', 'owner', 'group', 'samefile', 'is_symlink', 'is_socket', 'is_fifo', 'is_block_device', 'is_char_device', 'is_mount',
  'rglob', 'readlink', 'with_stem', 'is_relative_to', 'match']);

/** path.py's Path as the str it is (other values as they are). */
function asStr(x: Value): Value {
  return x.kind === 'path' && x.strSub ? str(x.p) : x;
}

function valueAttrStr(o: StrV, name: string): Value | undefined {
  return STR_METHODS.has(name) ? b('str.' + name, o) : undefined;
}

/** Attributes of str/list/dict/set/path/number/obj values; undefined = AttributeError. */
export function valueAttr(it: Evaluator, o: Value, name: string, loc: Loc): Value | undefined {
  switch (o.kind) {
    case 'str': return valueAttrStr(o, name);
    case 'list': return LIST_METHODS.has(name) ? b('list.' + name, o) : undefined;
    case 'tuple': {
      const i = o.fields?.indexOf(name) ?? -1;
      if (i >= 0) return o.items[i];
      if (o.fields && name === '_asdict') return b('tuple._asdict', o);
      return name === 'index' || name === 'count' ? b('list.' + name, o) : undefined;
    }
    case 'dict': return DICT_METHODS.has(name) ? b('dict.' + name, o) : undefined;
    case 'set': return SET_METHODS.has(name) ? b('set.' + name, o) : undefined;
    case 'num': case 'bool':
      if (name === 'real') return o;
      if (name === 'imag') return num(0);
      return undefined;
    case 'none': return undefined;
    case 'path': {
      if (o.strSub) return pathPyAttr(it, o, name, loc);
      switch (name) {
        case 'parent': return { kind: 'path', p: pathParent(o.p) };
        case 'name': return str(path.posix.basename(o.p));
        case 'stem': { const n = path.posix.basename(o.p); const e = path.posix.extname(n); return str(e ? n.slice(0, -e.length) : n); }
        case 'suffix': return str(path.posix.extname(path.posix.basename(o.p)));
        case 'parents': {
          const out: Value[] = [];
          let p = o.p;
          for (let i = 0; i < 100; i++) { const q = pathParent(p); if (q === p) break; out.push({ kind: 'path', p: q }); p = q; }
          return tuple(out);
        }
        case 'parts': return tuple(o.p.split('/').filter((x, i) => x || i === 0).map((x, i) => str(i === 0 && x === '' ? '/' : x)));
        default: return PATH_METHODS.has(name) ? b('path.' + name, o) : undefined;
      }
    }
    case 'obj': {
      const own = o.attrs.get(name);
      if (own !== undefined) return own;
      const m = it.modeledAttr(o, name, loc);
      if (m !== undefined) return m === ABSENT_ATTR ? undefined : m;
      if (o.type === 'threading.local') {
        // what a thread-local holds is set at run time (request middleware, `with in_database(…)`): unknown, except
        // when the routers are asked about `migrate`, where nothing has set it (an observation for the answer cache)
        it.observe?.('threadlocal', o);
        return it.threadLocalsUnset ? undefined : unknown(`thread-local ${name} (set at run time)`, loc);
      }
      return o.missing === 'unknown' ? unknown(`${o.type}.${name}`, loc) : undefined;
    }
    case 'builtin':
      if (o.name === 'environ.Env' && name === 'read_env') return b('environ.Env.read_env_static');
      if (o.name === 'environ.Env' && name === 'db_url_config') return b('environ.Env.db_url_config_static');
      if (o.name === 'dict' && name === 'fromkeys') return b('dict.fromkeys');
      return unknown(`${o.name}.${name}`, loc);
    default:
      return undefined;
  }
}

function callMethod(it: Evaluator, fn: BuiltinV, self: Value, args: Value[], kwargs: KW, loc: Loc): Value {
  const name = fn.name.slice(fn.name.indexOf('.') + 1);
  const allArgs = [...args, ...kwargs.map(k => k[1])];
  if (self.kind === 'str' && !['format', 'join'].includes(name)) {
    const u = firstUnknown(allArgs);
    if (u) return unknown(u.reason, u.loc ?? loc);
    return strMethod(it, self, name, args, kwargs, loc);
  }
  switch (self.kind) {
    case 'str':
      if (name === 'format') {
        const r = strFormat(it, self.v, args, kwargs, loc);
        if (r === null) { const u = firstUnknown(allArgs); return u ? unknown(u.reason, u.loc ?? loc) : unknown(`${repr(self)}.format()`, loc); }
        return str(r);
      } else {
        const items = args[0] ? it.iter(args[0]) : null;
        if (!items) return unk(args[0] ?? NONE, 'str.join()', loc);
        const parts: string[] = [];
        for (const item of items) {
          const x = asStr(item);
          if (x.kind === 'unknown') return unknown(x.reason, x.loc ?? loc);
          if (x.kind !== 'str') throw new PyErr('TypeError', `sequence item: expected str instance, ${typeName(x)} found`, loc);
          parts.push(x.v);
        }
        return str(parts.join(self.v));
      }
    case 'list': case 'tuple': return listMethod(it, self, name, args, loc);
    case 'dict': return dictMethod(it, self, name, args, kwargs, loc);
    case 'set': return setMethod(it, self, name, args, loc);
    case 'path': return self.strSub ? pathPyMethod(it, self, name, args, loc) : pathMethod(it, self, name, args, loc);
    case 'obj': {
      const r = it.modeledCall(fn, '__call__', args, kwargs, loc);
      if (r !== undefined) return r;
      return unknown(`${fn.name}() is not modelled`, loc);
    }
    default:
      return unknown(`${fn.name}()`, loc);
  }
}

function strMethod(it: Evaluator, s: StrV, name: string, argsIn: Value[], kwargs: KW, loc: Loc): Value {
  const v = s.v;
  // path.py's Path is a str
  const args = argsIn.map(asStr);
  const a = args.map(x => (x.kind === 'str' ? x.v : null));
  const strArgs = (): string[] | null => {
    const x = args[0];
    if (!x) return null;
    if (x.kind === 'str') return [x.v];
    if (x.kind === 'tuple' && x.items.every(i => i.kind === 'str')) return x.items.map(i => (i as StrV).v);
    throw new PyErr('TypeError', `${name} arg must be str or a tuple of str, not ${typeName(x)}`, loc);
  };
  switch (name) {
    case 'startswith': { const p = strArgs(); return bool(!!p && p.some(x => v.startsWith(x))); }
    case 'endswith': { const p = strArgs(); return bool(!!p && p.some(x => v.endsWith(x))); }
    case 'lower': case 'casefold': return str(v.toLowerCase());
    case 'upper': return str(v.toUpperCase());
    case 'swapcase': return str([...v].map(c => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''));
    case 'title': return str(v.replace(/[A-Za-z]+/g, w => w[0]!.toUpperCase() + w.slice(1).toLowerCase()));
    case 'capitalize': return str(v ? v[0]!.toUpperCase() + v.slice(1).toLowerCase() : v);
    case 'strip': case 'lstrip': case 'rstrip': {
      const chars = args[0] && args[0].kind === 'str' ? args[0].v : null;
      const isStrip = (c: string) => (chars === null ? /\s/.test(c) : chars.includes(c));
      let i = 0;
      let j = v.length;
      if (name !== 'rstrip') while (i < j && isStrip(v[i]!)) i++;
      if (name !== 'lstrip') while (j > i && isStrip(v[j - 1]!)) j--;
      return str(v.slice(i, j));
    }
    case 'split': case 'rsplit': {
      const sepV = args[0] ?? kwarg(kwargs, 'sep');
      const maxV = args[1] ?? kwarg(kwargs, 'maxsplit');
      const max = maxV ? toInt(maxV) ?? -1 : -1;
      const sep = sepV && sepV.kind === 'str' ? sepV.v : null;
      if (sep === '') throw new PyErr('ValueError', 'empty separator', loc);
      let parts: string[];
      if (sep === null) {
        parts = v.trim().split(/\s+/).filter(x => x);
        if (max >= 0 && parts.length > max + 1) {
          if (name === 'split') { const head = parts.slice(0, max); const rest = v.trim().split(/\s+/).slice(max).join(' '); parts = [...head, rest]; } else return unknown('rsplit() with maxsplit', loc);
        }
      } else {
        parts = v.split(sep);
        if (max >= 0 && parts.length > max + 1) {
          parts = name === 'split' ? [...parts.slice(0, max), parts.slice(max).join(sep)] : [parts.slice(0, parts.length - max).join(sep), ...parts.slice(parts.length - max)];
        }
      }
      return list(parts.map(str));
    }
    case 'splitlines': return list(v.split(/\r?\n/).filter((x, i, arr) => i < arr.length - 1 || x !== '').map(str));
    case 'replace': if (a[0] === null || a[1] === null) return unknown('replace()', loc); return str(v.split(a[0]!).join(a[1]!));
    case 'partition': case 'rpartition': {
      const sep = a[0]!;
      const i = name === 'partition' ? v.indexOf(sep) : v.lastIndexOf(sep);
      if (i < 0) return name === 'partition' ? tuple([str(v), str(''), str('')]) : tuple([str(''), str(''), str(v)]);
      return tuple([str(v.slice(0, i)), str(sep), str(v.slice(i + sep.length))]);
    }
    case 'encode': {
      // bytes are kept as the text they encode (enough for hashlib digests of settings values)
      const enc = (a[0] ?? 'utf-8').toLowerCase().replace('_', '-');
      if (!['utf-8', 'utf8', 'ascii'].includes(enc) || (enc === 'ascii' && /[^\x00-\x7f]/.test(v))) return unknown(`${repr(s)}.encode(${repr(args[0] ?? str('utf-8'))})`, loc);
      return { kind: 'obj', type: 'bytes', attrs: new Map(), missing: 'absent', data: v };
    }
    case 'isspace': return bool(v.length > 0 && /^\s+$/.test(v));
    case 'isnumeric': case 'isdecimal': return bool(v.length > 0 && /^\d+$/.test(v));
    case 'format_map': {
      if (args[0]?.kind !== 'dict') return unknown('format_map() of something not known', loc);
      const r = strFormat(it, v, [], [...args[0].map.values()].filter(e => e.k.kind === 'str').map(e => [(e.k as StrV).v, e.v] as [string, Value]), loc);
      return r === null ? unknown(`${repr(s)}.format_map()`, loc) : str(r);
    }
    case 'isdigit': return bool(v.length > 0 && /^\d+$/.test(v));
    case 'isalpha': return bool(v.length > 0 && /^[A-Za-z]+$/.test(v));
    case 'isalnum': return bool(v.length > 0 && /^[A-Za-z0-9]+$/.test(v));
    case 'isidentifier': return bool(/^[A-Za-z_][A-Za-z0-9_]*$/.test(v));
    case 'isupper': return bool(/[A-Z]/.test(v) && v === v.toUpperCase());
    case 'islower': return bool(/[a-z]/.test(v) && v === v.toLowerCase());
    case 'count': return num(a[0] ? v.split(a[0]).length - 1 : v.length + 1);
    case 'find': return num(v.indexOf(a[0] ?? ''));
    case 'rfind': return num(v.lastIndexOf(a[0] ?? ''));
    case 'index': { const i = v.indexOf(a[0] ?? ''); if (i < 0) throw new PyErr('ValueError', 'substring not found', loc); return num(i); }
    case 'removeprefix': return str(a[0] && v.startsWith(a[0]) ? v.slice(a[0].length) : v);
    case 'removesuffix': return str(a[0] && v.endsWith(a[0]) ? v.slice(0, -a[0].length) : v);
    case 'ljust': case 'rjust': case 'center': {
      const n = toInt(args[0] ?? NONE) ?? 0;
      const fill = a[1] ?? ' ';
      return str(name === 'ljust' ? v.padEnd(n, fill) : name === 'rjust' ? v.padStart(n, fill) : v.padStart(v.length + Math.floor((n - v.length) / 2), fill).padEnd(n, fill));
    }
    case 'zfill': { const n = toInt(args[0] ?? NONE) ?? 0; return str(v.padStart(n, '0')); }
    case '__contains__': return bool(a[0] !== null && v.includes(a[0]!));
    default: return unknown(`str.${name}()`, loc);
  }
}

function listMethod(it: Evaluator, l: SeqV, name: string, args: Value[], loc: Loc): Value {
  switch (name) {
    case 'append': l.items.push(args[0]!); return NONE;
    case 'extend': {
      const items = it.iter(args[0]!);
      // the known items stay; what extend() adds is "may contain more"
      if (!items) { l.more ??= unk(args[0]!, 'extend()', loc); return NONE; }
      l.items.push(...items);
      return NONE;
    }
    case 'insert': {
      const i = toInt(args[0]!);
      if (i === null) return unknown('insert() position', loc);
      l.items.splice(i < 0 ? Math.max(0, l.items.length + i) : i, 0, args[1]!);
      return NONE;
    }
    case 'remove': {
      const i = l.items.findIndex(x => pyEquals(x, args[0]!) === true);
      if (i < 0) {
        if (l.items.some(x => pyEquals(x, args[0]!) === null)) return unknown('remove()', loc);
        throw new PyErr('ValueError', 'list.remove(x): x not in list', loc);
      }
      l.items.splice(i, 1);
      return NONE;
    }
    case 'pop': {
      if (!l.items.length) throw new PyErr('IndexError', 'pop from empty list', loc);
      const i = args[0] ? toInt(args[0]) : -1;
      if (i === null) return unknown('pop() index', loc);
      const j = i < 0 ? l.items.length + i : i;
      return l.items.splice(j, 1)[0] ?? NONE;
    }
    case 'index': {
      const i = l.items.findIndex(x => pyEquals(x, args[0]!) === true);
      if (i < 0) throw new PyErr('ValueError', 'not in list', loc);
      return num(i);
    }
    case 'count': return num(l.items.filter(x => pyEquals(x, args[0]!) === true).length);
    case 'copy': return list([...l.items]);
    case 'reverse': l.items.reverse(); return NONE;
    case 'clear': l.items.length = 0; return NONE;
    case 'sort': { const s = sortValues(l.items, loc); if (!s) return unknown('sort()', loc); l.items.splice(0, l.items.length, ...s); return NONE; }
    default: return unknown(`list.${name}()`, loc);
  }
}

function dictMethod(it: Evaluator, d: DictV, name: string, args: Value[], kwargs: KW, loc: Loc): Value {
  switch (name) {
    case 'get': case '__getitem__': {
      const k = args[0]!;
      it.noteIdentity(k);
      if (k.kind === 'unknown') return unknown(k.reason, k.loc ?? loc);
      const v = dictGet(d, k);
      if (v !== undefined) return v;
      if (d.inexact) return unknown(d.inexact.reason, d.inexact.loc ?? loc);
      if (name === '__getitem__') throw new PyErr('KeyError', repr(k), loc);
      return args[1] ?? NONE;
    }
    case '__contains__': { const r = containsOp(it, d, args[0]!, loc); return r === null ? unknown('in', loc) : bool(r); }
    case 'keys': case 'values': case 'items': {
      if (d.inexact) return unknown(d.inexact.reason, d.inexact.loc ?? loc);
      const data = [...d.map.values()].map(e => (name === 'keys' ? e.k : name === 'values' ? e.v : tuple([e.k, e.v])));
      return { kind: 'obj', type: 'dict_' + name, attrs: new Map(), missing: 'absent', data };
    }
    case 'update': {
      const src = args[0];
      if (src) {
        if (src.kind === 'dict') { for (const e of src.map.values()) dictSet(d, e.k, e.v, e.loc ?? loc); if (src.inexact) d.inexact = src.inexact; }
        else {
          const items = it.iter(src);
          if (!items) { d.inexact = unk(src, `update(${repr(src)})`, loc); }
          else for (const p of items) { const kv = it.iter(p); if (kv && kv.length === 2) dictSet(d, kv[0]!, kv[1]!, loc); else d.inexact = unknown('update() item', loc); }
        }
      }
      for (const [k, v] of kwargs) dictSet(d, str(k), v, loc);
      return NONE;
    }
    case 'setdefault': {
      const k = args[0]!;
      const v = dictGet(d, k);
      if (v !== undefined) return v;
      if (d.inexact) return unknown(d.inexact.reason, d.inexact.loc ?? loc);
      const dv = args[1] ?? NONE;
      if (!dictSet(d, k, dv, loc)) d.inexact = unk(k, 'setdefault() key', loc);
      return dv;
    }
    case 'pop': {
      const k = args[0]!;
      const h = hashKey(k);
      if (h === null) return unk(k, 'pop() key', loc);
      const e = d.map.get(h);
      if (e) { d.map.delete(h); return e.v; }
      if (d.inexact) return unknown(d.inexact.reason, d.inexact.loc ?? loc);
      if (args[1]) return args[1];
      throw new PyErr('KeyError', repr(k), loc);
    }
    case 'copy': {
      const c = dict();
      for (const e of d.map.values()) dictSet(c, e.k, e.v, e.loc);
      if (d.inexact) c.inexact = d.inexact;
      return c;
    }
    case 'clear': d.map.clear(); delete d.inexact; return NONE;
    default: return unknown(`dict.${name}()`, loc);
  }
}

function setMethod(it: Evaluator, s: SeqV, name: string, args: Value[], loc: Loc): Value {
  const other = (): Value[] | null => (args[0] ? it.iter(args[0]) : []);
  const has = (xs: Value[], x: Value) => xs.some(y => pyEquals(x, y) === true);
  switch (name) {
    case 'add': if (!has(s.items, args[0]!)) s.items.push(args[0]!); return NONE;
    case 'update': { const o = other(); if (!o) { s.items.push(unk(args[0]!, 'set.update()', loc)); return NONE; } for (const x of o) if (!has(s.items, x)) s.items.push(x); return NONE; }
    case 'discard': case 'remove': { const i = s.items.findIndex(x => pyEquals(x, args[0]!) === true); if (i >= 0) s.items.splice(i, 1); else if (name === 'remove') throw new PyErr('KeyError', repr(args[0]!), loc); return NONE; }
    case 'copy': return { kind: 'set', items: [...s.items] };
    default: {
      const o = other();
      if (!o) return unk(args[0]!, `set.${name}()`, loc);
      if (name === 'union') return { kind: 'set', items: [...s.items, ...o.filter(x => !has(s.items, x))] };
      if (name === 'intersection') return { kind: 'set', items: s.items.filter(x => has(o, x)) };
      if (name === 'difference') return { kind: 'set', items: s.items.filter(x => !has(o, x)) };
      if (name === 'issubset') return bool(s.items.every(x => has(o, x)));
      if (name === 'issuperset') return bool(o.every(x => has(s.items, x)));
      if (name === 'isdisjoint') return bool(!s.items.some(x => has(o, x)));
      return unknown(`set.${name}()`, loc);
    }
  }
}

// ---- path.py's Path (`from path import Path`): a str subclass whose methods are os.path's ----

const PATHPY_METHODS = new Set(['abspath', 'normpath', 'realpath', 'dirname', 'basename', 'expanduser', 'expand', 'expandvars', 'joinpath', 'splitext', 'exists', 'isdir', 'isfile', 'isabs', 'relpath', '__fspath__']);

function pathPyAttr(it: Evaluator, o: PathV, name: string, loc: Loc): Value | undefined {
  switch (name) {
    // (path.py's properties are its methods': os.path's dirname and basename)
    case 'parent': return pathPyMethod(it, o, 'dirname', [], loc);
    case 'name': return pathPyMethod(it, o, 'basename', [], loc);
    case 'stem': case 'ext': {
      const base = o.p.slice(o.p.lastIndexOf('/') + 1);
      const ext = path.posix.extname(base);
      return str(name === 'ext' ? ext : ext ? base.slice(0, -ext.length) : base);
    }
    case 'drive': return str('');
  }
  if (PATHPY_METHODS.has(name)) return b('path.' + name, o);
  // the str methods (a str subclass): of the str it is
  return valueAttrStr(str(o.p), name);
}

function pathPyMethod(it: Evaluator, p: PathV, name: string, args: Value[], loc: Loc): Value {
  const osPath = (fn: string, more: Value[] = []): Value => it.modeledCall(b('os.path.' + fn), '__call__', [str(p.p), ...more], [], loc) ?? unknown(`os.path.${fn}()`, loc);
  const asPath = (v: Value): Value => (v.kind === 'str' ? { kind: 'path', p: v.v, strSub: true } : v);
  switch (name) {
    case 'abspath': case 'normpath': case 'realpath': case 'dirname': case 'basename': case 'expanduser': return asPath(osPath(name));
    case 'joinpath': return asPath(osPath('join', args));
    case 'expand': {
      // expanduser, expandvars, normpath
      if (p.p.includes('$')) return unknown(`${repr(p)}.expand(): environment variables in a path`, loc);
      const u = osPath('expanduser');
      return u.kind === 'str' ? asPath(it.modeledCall(b('os.path.normpath'), '__call__', [u], [], loc) ?? u) : u;
    }
    case 'expandvars': return p.p.includes('$') ? unknown(`${repr(p)}.expandvars()`, loc) : p;
    case 'splitext': {
      const r = osPath('splitext');
      return r.kind === 'tuple' ? tuple([asPath(r.items[0]!), r.items[1]!]) : r;
    }
    case 'exists': case 'isdir': case 'isfile': case 'isabs': return osPath(name);
    case '__fspath__': return str(p.p);
    default: return unknown(`${repr(p)}.${name}()`, loc);
  }
}

function pathMethod(it: Evaluator, p: PathV, name: string, args: Value[], loc: Loc): Value {
  switch (name) {
    // as os.path's: a file of the project is looked up (healthchecks: `if (BASE_DIR / "hc/local_settings.py").exists():
    // from .local_settings import *`), others depend on the machine
    case 'exists': case 'is_file': case 'is_dir':
      return it.modeledCall(b(`os.path.${name.replace('_', '')}`), '__call__', [str(p.p)], [], loc) ?? unknown(`${repr(p)}.${name}()`, loc);
    case 'resolve': case 'absolute': {
      if (!p.p.startsWith('/')) return unknown(`${repr(p)}.${name}() depends on the working directory`, loc);
      if (name === 'absolute') return p;
      return { kind: 'path', p: realpath(p.p) };
    }
    case 'joinpath': {
      let cur = p.p;
      for (const a of args) {
        const s = a.kind === 'str' ? a.v : a.kind === 'path' ? a.p : null;
        if (s === null) return unk(a, 'joinpath()', loc);
        cur = joinPath(cur, s);
      }
      return { kind: 'path', p: cur };
    }
    case 'as_posix': case '__fspath__': return str(p.p);
    // a file of the project read as open() reads it (PostHog's `config_path.open()` of products/db_routing.yaml,
    // whose entries add databases and a router)
    case 'open': return openFile(it, p, args[0], loc);
    case 'read_text': {
      const f = openFile(it, p, undefined, loc);
      return f.kind === 'obj' && f.type === 'file' ? str((f.data as { text: string }).text) : f;
    }
    case 'is_absolute': return bool(p.p.startsWith('/'));
    case 'with_name': return args[0]?.kind === 'str' ? { kind: 'path', p: joinPath(pathParent(p.p), args[0].v) } : unknown('with_name()', loc);
    case 'with_suffix': {
      if (args[0]?.kind !== 'str') return unknown('with_suffix()', loc);
      const ext = path.posix.extname(p.p);
      return { kind: 'path', p: (ext ? p.p.slice(0, -ext.length) : p.p) + args[0].v };
    }
    case 'relative_to': {
      const o = args[0]?.kind === 'path' ? args[0].p : args[0]?.kind === 'str' ? args[0].v : null;
      if (o === null) return unknown('relative_to()', loc);
      const r = path.posix.relative(o, p.p);
      if (r.startsWith('..')) throw new PyErr('ValueError', `${repr(p)} is not in the subpath of ${o}`, loc);
      return { kind: 'path', p: r || '.' };
    }
    default:
      return unknown(`${repr(p)}.${name}() depends on the file system`, loc);
  }
}


/** The known items of a list, tuple or set that may hold more (`more`), or of a dict's keys that may be more (`inexact`). */
function knownPart(v: Value): { items: Value[]; more: UnknownV } | null {
  if ((v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') && v.more) return { items: v.items, more: v.more };
  if (v.kind === 'dict' && v.inexact) return { items: [...v.map.values()].map(e => e.k), more: v.inexact };
  return null;
}

// ---- files and exec (settings that run another file: `exec(compile(open(f).read(), f, "exec"), globals())`) ----

/** The largest file settings may open() and have read (configuration, not data). */
const OPEN_MAX_BYTES = 1024 * 1024;

/**
 * `open(path)` for reading text: a file of the project (under the index's roots, not an installed package's) is
 * read as the index reads files (editor buffers first, the read recorded for invalidation); anything else, another
 * mode, or a file that is not there is unknown (it may exist where the project runs).
 */
function openFile(it: Evaluator, p: Value | undefined, mode: Value | undefined, loc: Loc): Value {
  let file = p?.kind === 'str' ? p.v : p?.kind === 'path' ? p.p : null;
  if (file === null) return unk(p ?? NONE, 'open() of a path not known statically', loc);
  // a relative path is the working directory's (bookwyrm's open("VERSION")): manage.py's folder
  if (!path.isAbsolute(file)) {
    const cwd = it.workingDir(loc);
    if (cwd) file = path.join(cwd, file);
  }
  if (mode && !(mode.kind === 'str' && ['r', 'rt', 'rb'].includes(mode.v))) return unknown(`open(${JSON.stringify(file)}, ${repr(mode)})`, loc);
  // 'rb': read() gives bytes, which exec() and .decode() take (Kiwi's settings exec each file's bytes)
  const binary = mode?.kind === 'str' && mode.v === 'rb';
  if (!inProject(it.index.roots, file)) return unknown(`open(${JSON.stringify(file)}): a file outside the project`, loc);
  const st = statFile(file);
  if (!st) {
    // where the code expects it may be missing (`except IOError:` around it, Mayan's config.yml): what Django does
    // with this checkout, said so
    if (it.catchingFileErrors > 0) {
      const root = rootOf(it.index.roots, file);
      it.noteAssumption(`${root ? path.relative(root, file) : file} is not there (kept out of version control, or made when the project first runs?): read as Django reads the settings without it`, loc);
      const err = new PyErr('FileNotFoundError', `[Errno 2] No such file or directory: '${file}'`, loc);
      err.errno = 2;
      throw err;
    }
    return unknown(`open(${JSON.stringify(file)}): the file is not there (it may be where the project runs)`, loc);
  }
  // settings read configuration, not data: a large file is left unread
  if (st.size > OPEN_MAX_BYTES) return unknown(`open(${JSON.stringify(file)}): ${Math.round(st.size / 1024)} KB, more than the settings reader reads`, loc);
  let text: string;
  try {
    text = readText(file);
  } catch (e) {
    return unknown(`open(${JSON.stringify(file)}): ${(e as Error).message}`, loc);
  }
  // (methods other than those modelled are not known: never an AttributeError a real file would not raise)
  return { kind: 'obj', type: 'file', attrs: new Map(), missing: 'unknown', data: { path: file, text, pos: 0, ...(binary ? { binary } : {}) } };
}

/**
 * `dir(v)`'s names, unsorted, of a module, an instance or a class known in full (no opaque base, no unknown star
 * import); null otherwise. The members of `object` itself are not modelled.
 */
export function dirNames(it: Evaluator, v: Value): string[] | null {
  if (v.kind === 'module') return v.ns && !v.ns.starUnknown ? [...v.ns.vars.keys()] : null;
  if (v.kind === 'instance') return v.cls.opaqueBase ? null : [...new Set([...v.attrs.keys(), ...it.mro(v.cls).flatMap(c => [...c.ns.keys()])])];
  if (v.kind === 'class') return v.opaqueBase ? null : [...new Set(it.mro(v).flatMap(c => [...c.ns.keys()]))];
  return null;
}

/** A module's namespace as `globals()` gives it (exec() and include() run code into it). */
export function globalsObj(ns: Namespace): ObjV {
  return { kind: 'obj', type: 'globals', attrs: new Map(), missing: 'absent', data: ns };
}

/** The text of bytes read from a file opened 'rb' (an obj 'bytes'), as UTF-8 */
export function bytesValue(text: string): Value {
  return { kind: 'obj', type: 'bytes', attrs: new Map(), missing: 'unknown', data: text };
}

/**
 * `exec(code)` at module level or `exec(code, globals())`: a source known statically (a string, compile() of one,
 * a project file's text) runs in that namespace; an unknown one may have set or replaced any of its names.
 */
function execCode(it: Evaluator, code: Value | undefined, where: Value | undefined, loc: Loc, f: Frame | undefined): Value {
  let ns: Namespace | null = null;
  if (where?.kind === 'obj' && where.type === 'globals') ns = where.data as Namespace;
  else if (!where && f && f.scope === f.globals) ns = f.globals;
  if (!ns) {
    // a namespace not known (a caller's globals reached some way not modelled): it may be the module being run,
    // whose names the code may then set or replace
    const top = where?.kind === 'unknown' ? [...it.frames].reverse().find(x => x.fn === null && x.scope === x.globals) : undefined;
    if (top) overlayUnknown(top.globals, `exec() into a namespace not known statically (${where!.kind === 'unknown' ? where!.reason : ''})`, loc);
    return unknown('exec() into a namespace not known statically', loc);
  }
  const src = code?.kind === 'str' ? { source: code.v, filename: '<string>' }
    : code?.kind === 'obj' && code.type === 'bytes' ? { source: code.data as string, filename: '<string>' }
    : code?.kind === 'obj' && code.type === 'code' ? code.data as { source: string; filename: string } : null;
  if (!src) {
    overlayUnknown(ns, `exec() of code not known statically (${code?.kind === 'unknown' ? code.reason : repr(code ?? NONE)})`, loc);
    return NONE;
  }
  const file = src.filename !== '<string>' && path.isAbsolute(src.filename) ? src.filename : `${loc.path}:${loc.line} <exec>`;
  if (file === src.filename && !it.includedFiles.includes(file)) { it.includedFiles.push(file); it.includedAt.set(file, loc); }
  it.execModule(ns, parsePython(src.source, file));
  return NONE;
}

/**
 * django-split-settings' `include(*files, scope=None)`: each file (a path relative to the including file, glob patterns
 * allowed, `optional(…)` ones may be missing) runs in the scope, the caller's module by default. A file outside the
 * workspace (AWX's /etc/tower/settings.py) may exist where the project runs and set anything there.
 */
function includeSettings(it: Evaluator, args: Value[], scope: Value | undefined, loc: Loc, f: Frame | undefined): Value {
  const ns = scope?.kind === 'obj' && scope.type === 'globals' ? scope.data as Namespace : !scope && f ? f.globals : null;
  if (!ns) return unknown('include() into a namespace not known statically', loc);
  const saved = ns.vars.get('__included_file__');
  const including = saved?.kind === 'str' ? saved.v : (() => { const v = ns.vars.get('__file__'); return v?.kind === 'str' ? v.v : null; })();
  if (!including) return unknown('include() from a module whose file is not known', loc);
  try {
    for (const a of args) {
      const optional = a.kind === 'obj' && a.type === 'split_settings.optional';
      const p = optional ? a.data as Value : a;
      const rel = p.kind === 'str' ? p.v : p.kind === 'path' ? p.p : null;
      if (rel === null) { overlayUnknown(ns, `include() of a path not known statically (${p.kind === 'unknown' ? p.reason : repr(p)})`, loc); continue; }
      const pattern = path.resolve(path.dirname(including), rel);
      const inWorkspace = inProject(it.index.roots, pattern);
      const files = globFiles(pattern);
      if (!files.length) {
        if (!inWorkspace) { overlayUnknown(ns, `include(${JSON.stringify(rel)}), a file outside the workspace that may exist where the project runs`, loc); continue; }
        if (optional) continue;
        throw new PyErr('OSError', `No such file: ${pattern}`, loc);
      }
      for (const file of files) {
        const mod = it.index.parseFile(file);
        if (!mod) { overlayUnknown(ns, `include() of ${file}, which cannot be read`, loc); continue; }
        ns.vars.set('__included_file__', str(file));
        if (!it.includedFiles.includes(file)) { it.includedFiles.push(file); it.includedAt.set(file, loc); }
        it.execModule(ns, mod);
      }
    }
  } finally {
    if (saved) ns.vars.set('__included_file__', saved);
    else ns.vars.delete('__included_file__');
  }
  return NONE;
}

/** The files a glob pattern (`*`, `?`, `[…]` in its last part; a literal folder) names, sorted as glob.glob's are. */
export function globFiles(pattern: string): string[] {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  if (!/[*?[]/.test(base)) return statFile(pattern) ? [pattern] : [];
  if (/[*?[]/.test(dir)) return [];
  const re = new RegExp(`^${base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const entries = readDir(dir) ?? [];
  return entries.filter(e => !e.name.startsWith('.') && re.test(e.name) && statFile(path.join(dir, e.name))).map(e => path.join(dir, e.name)).sort();
}

/** Methods of open() files and of globals() / module-level vars(). */
export function fileOrGlobalsCall(o: ObjV, method: string, args: Value[], kwargs: KW, loc: Loc): Value | undefined {
  if (o.type === 'file') {
    // a position in characters (Mayan's smart settings seek to the end to test for an empty file)
    const d = o.data as { text: string; pos?: number };
    const text = d.text;
    const pos = Math.min(d.pos ?? 0, text.length);
    if (method === 'read') {
      const n = args[0]?.kind === 'num' && args[0].v >= 0 ? args[0].v : text.length;
      d.pos = Math.min(text.length, pos + n);
      return (d as { binary?: boolean }).binary ? bytesValue(text.slice(pos, d.pos)) : str(text.slice(pos, d.pos));
    }
    if ((d as { binary?: boolean }).binary) return undefined;
    if (method === 'readline') {
      const nl = text.indexOf('\n', pos);
      d.pos = nl < 0 ? text.length : nl + 1;
      return str(text.slice(pos, d.pos));
    }
    if (method === 'readlines') { d.pos = text.length; return list(text.slice(pos).split(/(?<=\n)/).filter(Boolean).map(str)); }
    if (method === 'tell') return num(pos);
    if (method === 'seek') {
      const off = args[0]?.kind === 'num' ? args[0].v : null;
      const whence = args[1]?.kind === 'num' ? args[1].v : args[1] ? null : 0;
      if (off === null || whence === null) return unknown('seek() to a position not known statically', loc);
      d.pos = Math.max(0, Math.min(text.length, whence === 0 ? off : whence === 1 ? pos + off : text.length + off));
      return num(d.pos);
    }
    if (method === '__enter__') return o;
    if (method === 'close' || method === '__exit__') return NONE;
    return undefined;
  }
  if (o.type !== 'globals') return undefined;
  const ns = o.data as Namespace;
  const k = args[0]?.kind === 'str' ? args[0].v : null;
  switch (method) {
    case 'get': case '__getitem__': case 'setdefault': {
      if (k === null) return unk(args[0] ?? NONE, `globals().${method}() of a name not known statically`, loc);
      const v = ns.vars.get(k);
      if (v !== undefined) return v;
      if (ns.starUnknown) return unknown(`${k} ${mayComeFrom(ns.starUnknown.reason)}`, ns.starUnknown.loc ?? loc);
      if (method === '__getitem__') throw new PyErr('KeyError', `'${k}'`, loc);
      const d = args[1] ?? kwarg(kwargs, 'default') ?? NONE;
      if (method === 'setdefault') ns.vars.set(k, d);
      return d;
    }
    case 'update': {
      const src = args[0];
      for (const [name, v] of kwargs) ns.vars.set(name, v);
      if (!src) return NONE;
      if (src.kind === 'dict' && !src.inexact && [...src.map.values()].every(e => e.k.kind === 'str')) {
        for (const e of src.map.values()) ns.vars.set((e.k as { v: string }).v, e.v);
        return NONE;
      }
      // (never the value itself: a URL with a password, DefectDojo's EMAIL_URL default)
      overlayUnknown(ns, `an update() of the module's names (globals(), vars()) from a mapping not known statically (${src.kind === 'unknown' ? src.reason : `a ${typeName(src)}`})`, loc);
      return NONE;
    }
    case '__contains__':
      if (k === null) return unk(args[0] ?? NONE, 'in globals()', loc);
      return ns.vars.has(k) ? TRUE : ns.starUnknown ? unknown(`${k} ${mayComeFrom(ns.starUnknown.reason)}`, loc) : FALSE;
    case 'keys': case 'items': case 'values': case 'copy':
      return unknown(`globals().${method}()`, loc);
    default:
      return undefined;
  }
}

/**
 * Python's float() of a string: a decimal literal with `_` between digits, or inf / infinity / nan in any case, with
 * a sign and surrounding whitespace; null where Python raises ValueError (JS's Number() took "0x10" and "Infinity"
 * only in that case, and refused "inf", which settings use: `[...] + [float("inf")]`).
 */
export function parseFloatPy(text: string): number | null {
  const m = /^([+-]?)(?:(inf(?:inity)?)|(nan)|((?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?)((?:[eE][+-]?\d(?:_?\d)*)?))$/i.exec(text.trim());
  if (!m) return null;
  const sign = m[1] === '-' ? -1 : 1;
  if (m[2]) return sign * Infinity;
  if (m[3]) return NaN;
  if (!/\d/.test(m[4] ?? '')) return null;
  return sign * Number(`${m[4]}${m[5]}`.replace(/_/g, ''));
}
