// Expressions of the static evaluator (./evaluate.ts): names, literals, operators, comprehensions, subscripts.
// `X = 1 + 1 + … + 1` is walked along its spine (no recursion per term); any other nesting is bounded by
// MAX_EXPR_DEPTH so that generated or hostile input gets an answer, not a stack overflow.
import type * as A from './ast';
import type { Loc } from '../types';
import {
  type Value, type InstanceV, type UnknownV, type SeqV, NONE, TRUE, str, num, bool, list, tuple, unknown, dict, dictGet, dictSet, hashKey, truthy,
  pyEquals, sameValue, mergeValues, repr, typeName, modelVsClass, dependsOn,
} from './values';
import { type Evaluator, type Frame, PyErr, BudgetErr, MAX_ITERATIONS, MAX_EXPR_DEPTH, locOf } from './runtime';
import { binaryOp, containsOp, compareOrder, formatValue } from './operators';

export function evaluate(it: Evaluator, e: A.Expr, f: Frame): Value {
  it.tick();
  if (++it.evalDepth > MAX_EXPR_DEPTH) {
    it.evalDepth--;
    throw new BudgetErr(`expression nested more than ${MAX_EXPR_DEPTH} levels deep`);
  }
  let v: Value;
  try {
    v = evalInner(it, e, f);
  } finally {
    it.evalDepth--;
  }
  if (it.inputs !== null) {
    const key = it.inputs.get(v);
    if (key !== undefined) it.observe?.(key, v);
  }
  return v;
}

export function truth(it: Evaluator, v: Value): boolean | null {
  if (v.kind === 'instance') {
    const b = it.classAttr(v.cls, '__bool__') ?? it.classAttr(v.cls, '__len__');
    if (!b) return v.cls.opaqueBase ? null : true;
    return truthy(it.call(it.bindAttr(b.value, v, b.owner), [], [], undefined));
  }
  return truthy(v);
}

function evalInner(it: Evaluator, e: A.Expr, f: Frame): Value {
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
      return it.lookup(e.id, f, loc());
    case 'JoinedStr': {
      let out = '';
      for (const p of e.values) {
        if (p.type === 'Constant') { out += String(p.value); continue; }
        const v = it.eval(p.value, f);
        const s = formatValue(it, v, p.conversion, p.formatSpec, loc());
        if (s === null) return unknown(v.kind === 'unknown' ? v.reason : `f-string part ${repr(v)}`, v.kind === 'unknown' ? v.loc ?? loc() : loc());
        out += s;
      }
      return str(out);
    }
    case 'Attribute':
      return it.getAttr(it.eval(e.value, f), e.attr, loc());
    case 'Subscript':
      return subscript(it, it.eval(e.value, f), e.slice, f, loc());
    case 'Call':
      return it.evalCall(e, f);
    case 'BinOp': {
      // `1 + 1 + … + 1` nests to the left as deep as it is long: walk the spine instead of recursing
      const spine: A.BinOp[] = [];
      let cur: A.Expr = e;
      while (cur.type === 'BinOp') { spine.push(cur); cur = cur.left; }
      let acc = it.eval(cur, f);
      for (let i = spine.length - 1; i >= 0; i--) {
        const b = spine[i]!;
        it.tick();
        acc = binaryOp(it, acc, b.op, it.eval(b.right, f), locOf(f.file, b));
      }
      return acc;
    }
    case 'UnaryOp': {
      const v = it.eval(e.operand, f);
      if (e.op === 'not') {
        const t = it.truth(v);
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
      return boolOp(it, e, f);
    case 'Compare':
      return compare(it, e, f);
    case 'List':
    case 'Tuple':
    case 'Set': {
      const items: Value[] = [];
      for (const x of e.elts) {
        if (x.type === 'Starred') {
          const v = it.eval(x.value, f);
          const spread = it.iter(v);
          if (spread === null) return v.kind === 'unknown' ? v : unknown(`cannot iterate ${repr(v)}`, loc());
          items.push(...spread);
        } else items.push(it.eval(x, f));
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
          const other = it.eval(ve, f);
          if (other.kind === 'dict') {
            for (const en of other.map.values()) dictSet(d, en.k, en.v, en.loc);
            if (other.inexact) d.inexact = other.inexact;
          } else if (other.kind === 'unknown') d.inexact = other;
          else throw new PyErr('TypeError', `'${typeName(other)}' object is not a mapping`, loc());
          continue;
        }
        const kv = it.eval(k, f);
        const vv = it.eval(ve, f);
        if (!dictSet(d, kv, vv, locOf(f.file, k))) d.inexact = kv.kind === 'unknown' ? kv : unknown(`unhashable key ${repr(kv)}`, loc());
      }
      return d;
    }
    case 'IfExp': {
      const tv = it.eval(e.test, f);
      const t = it.truth(tv);
      if (t === true) return it.eval(e.body, f);
      if (t === false) return it.eval(e.orelse, f);
      it.forks.push({ reason: (tv as UnknownV).reason, loc: (tv as UnknownV).loc ?? loc() });
      const a = it.evalSafe(e.body, f);
      const b = it.evalSafe(e.orelse, f);
      return mergeValues(a, b, dependsOn((tv as UnknownV).reason), (tv as UnknownV).loc ?? loc(), 0, true);
    }
    case 'Lambda':
      return it.makeFunction(e, f, loc());
    case 'ListComp':
    case 'SetComp':
    case 'GeneratorExp':
    case 'DictComp':
      return comprehension(it, e, f, loc());
    case 'NamedExpr': {
      const v = it.eval(e.value, f);
      it.setName(e.target.id, v, f);
      return v;
    }
    case 'Starred':
      return it.eval(e.value, f);
    case 'Slice':
      return unknown('slice outside a subscript', loc());
    case 'Await':
      return unknown('await', loc());
    default:
      return unknown(`expression not evaluated (${e.kind})`, loc());
  }
}

/** Evaluate; a raised exception becomes an unknown (used where only one of several paths runs). */
export function evalSafe(it: Evaluator, e: A.Expr, f: Frame): Value {
  try {
    return it.eval(e, f);
  } catch (err) {
    if (err instanceof PyErr) return unknown(`may raise ${err}`, err.loc ?? locOf(f.file, e));
    throw err;
  }
}

function boolOp(it: Evaluator, e: A.BoolOp, f: Frame): Value {
  let cur = it.eval(e.values[0]!, f);
  for (let i = 1; i < e.values.length; i++) {
    const t = it.truth(cur);
    if (t !== null) {
      if (e.op === 'and' ? !t : t) return cur;
      cur = it.eval(e.values[i]!, f);
      continue;
    }
    const u = cur as UnknownV;
    const rest = it.evalSafe(e.values[i]!, f);
    const tr = it.truth(rest);
    // `u and x`: u (falsy) or x; `u or x`: u (truthy) or x
    const tt = e.op === 'and' ? (tr === false ? false : undefined) : tr === true ? true : undefined;
    cur = unknown(u.reason, u.loc, tt);
  }
  return cur;
}

function compare(it: Evaluator, e: A.Compare, f: Frame): Value {
  // (the left side a name or an attribute chain, which only fetch a value: a computed one, `MAP.get(app_label,
  // app_label)`, may be the input for some labels and another string for others)
  if (it.observe !== null && it.inputs !== null && e.ops.length === 1 && fetchesOnly(e.left)) {
    const op = e.ops[0]!;
    if (op === 'in' || op === 'not in' || op === '==' || op === '!=') return compareInput(it, e, op, f);
  }
  let left = it.eval(e.left, f);
  let result: Value = TRUE;
  for (let i = 0; i < e.ops.length; i++) {
    const right = it.eval(e.comparators[i]!, f);
    const r = it.compareOp(left, e.ops[i]!, right, locOf(f.file, e));
    if (r.kind === 'bool' && !r.v) return r;
    if (r.kind === 'unknown') result = result.kind === 'unknown' ? result : r;
    left = right;
  }
  return result;
}

/**
 * `app_label in ANALYTICS_APPS`, `db == "analytics"` while a router is asked (Evaluator.inputs): when the left side is
 * an input (app_label, model_name, db, `model._meta.app_label`) and the right side strings known in full, what the
 * run observes of that input is only whether it is one of those strings (`membershipKey`), not its value: the routers'
 * decision trees (routers/index.ts) then branch two ways there, not once per app label (issue 11: an edit of a router
 * whose allow_migrate tests `app_label in SET` ran it again for each of 150 apps and each alias; now for each branch).
 * The right side is evaluated with its own observations as usual; the left's are held until the right is known.
 */
function compareInput(it: Evaluator, e: A.Compare, op: A.CmpOp, f: Frame): Value {
  const outer = it.observe!;
  const held: [string, Value][] = [];
  it.observe = (k, v) => { held.push([k, v]); };
  let left: Value;
  try {
    left = it.eval(e.left, f);
  } catch (err) {
    // (what it raised may depend on what it observed)
    it.observe = outer;
    for (const [k, v] of held) outer(k, v);
    throw err;
  } finally {
    it.observe = outer;
  }
  const base = left.kind === 'str' ? it.inputs!.get(left) : undefined;
  // only the input itself was observed (`model._meta.app_label` notes meta.app_label, then the value app_label)
  const only = base !== undefined && held.every(([k]) => k === base || k === `meta.${base}`);
  if (!only) for (const [k, v] of held) outer(k, v);
  const right = it.eval(e.comparators[0]!, f);
  if (only) {
    const strings = op === '==' || op === '!=' ? (right.kind === 'str' ? [right.v] : null) : knownStrings(right);
    const k = strings ? membershipKey(base, strings) : null;
    // (the value itself when the right side is not strings known in full, e.g. `app_label in settings.X` unknown)
    if (k) outer(k, left);
    else for (const [hk, v] of held) outer(hk, v);
  }
  return it.compareOp(left, op, right, locOf(f.file, e));
}

/** `app_label`, `model._meta.app_label`: a name, or attributes of one. */
function fetchesOnly(e: A.Expr): boolean {
  let cur = e;
  while (cur.type === 'Attribute') cur = cur.value;
  return cur.type === 'Name';
}

/** The strings a container holds when they are all it holds, all known (a str right side is a substring test: null). */
function knownStrings(v: Value): string[] | null {
  if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') {
    if (v.more || v.items.some(x => x.kind !== 'str')) return null;
    return v.items.map(x => (x as { v: string }).v);
  }
  if (v.kind === 'dict') {
    if (v.inexact || v.factory) return null;
    const out: string[] = [];
    for (const en of v.map.values()) {
      if (en.k.kind !== 'str') return null;
      out.push(en.k.v);
    }
    return out;
  }
  return null;
}

const MEMBERSHIP_PREFIX = 'in ';
/** parsed membership keys (their strings as a set), by key */
const MEMBERSHIP = new Map<string, { base: string; set: ReadonlySet<string> }>();

/** The observation key "is input `base` one of `strings`" (its value: membershipValue). */
function membershipKey(base: string, strings: string[]): string {
  const sorted = [...new Set(strings)].sort();
  return `${MEMBERSHIP_PREFIX}${base} ${JSON.stringify(sorted)}`;
}

/**
 * For an observation key made by compareInput: the input it tests and whether a value of it is one of its strings;
 * null for any other key.
 */
export function membershipOf(key: string): { base: string; set: ReadonlySet<string> } | null {
  if (!key.startsWith(MEMBERSHIP_PREFIX)) return null;
  let m = MEMBERSHIP.get(key);
  if (!m) {
    const sp = key.indexOf(' ', MEMBERSHIP_PREFIX.length);
    m = { base: key.slice(MEMBERSHIP_PREFIX.length, sp), set: new Set<string>(JSON.parse(key.slice(sp + 1)) as string[]) };
    // (a bound: the keys of routers edited many times over; parsed again when asked)
    if (MEMBERSHIP.size > 2000) MEMBERSHIP.clear();
    MEMBERSHIP.set(key, m);
  }
  return m;
}

export function compareOp(it: Evaluator, a: Value, op: A.CmpOp, b: Value, loc: Loc): Value {
  // one of a few known values (the paths of an if left them): known when every one of them answers alike
  // (django-tenants' TenantSyncRouter: `app_label not in installed` where installed is SHARED_APPS or TENANT_APPS)
  const ca = a.kind === 'unknown' ? a.choices : undefined;
  const cb = b.kind === 'unknown' ? b.choices : undefined;
  if ((ca || cb) && (ca || a.kind !== 'unknown') && (cb || b.kind !== 'unknown')) {
    let answer: boolean | null = null;
    let same = true;
    for (const x of ca ?? [a]) {
      for (const y of cb ?? [b]) {
        const r = compareOp(it, x, op, y, loc);
        if (r.kind !== 'bool' || (answer !== null && answer !== r.v)) { same = false; break; }
        answer = r.v;
      }
      if (!same) break;
    }
    if (same && answer !== null) return bool(answer);
  }
  const unk = (): Value => {
    const u = a.kind === 'unknown' ? a : b.kind === 'unknown' ? b : unknown(`comparison ${repr(a)} ${op} ${repr(b)}`, loc);
    return unknown((u as UnknownV).reason, (u as UnknownV).loc ?? loc);
  };
  if (it.observe && (a.kind === 'obj' || b.kind === 'obj')) {
    // comparing a model with None/str/… does not depend on which model it is
    const other = a.kind === 'obj' ? b : a;
    if (op === 'in' || op === 'not in' || other.kind === 'obj' || other.kind === 'unknown' || other.kind === 'instance' || other.kind === 'class') {
      it.noteIdentity(a);
      it.noteIdentity(b);
    }
  }
  switch (op) {
    case '==': case '!=': case '<>': {
      if (a.kind === 'instance' || b.kind === 'instance') {
        const inst = (a.kind === 'instance' ? a : b) as InstanceV;
        if (!it.classAttr(inst.cls, '__eq__') && !inst.cls.opaqueBase) {
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
      const r = containsOp(it, b, a, loc);
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
export function noteIdentity(it: Evaluator, v: Value): void {
  if (it.observe && v.kind === 'obj' && (v.type === 'model' || v.type === 'model._meta')) it.observe('model', v);
}

function comprehension(it: Evaluator, e: A.Comprehension, f: Frame, loc: Loc): Value {
  const cf: Frame = { ...f, scope: { vars: new Map() }, parent: f, closure: null, globalNames: null };
  const out: Value[] = [];
  const d = e.type === 'DictComp' ? dict() : null;
  let failed: UnknownV | null = null;
  /** a list that may hold more (Mayan's INSTALLED_APPS = tuple(EXTRA) + (…)): its known items, the rest maybe more */
  let more: SeqV['more'] | undefined;
  let moreAnywhere = false;
  const gen = (i: number): void => {
    if (failed) return;
    if (i === e.generators.length) {
      if (d) {
        const k = it.eval(e.elt, cf);
        const v = it.eval(e.value!, cf);
        if (!dictSet(d, k, v, loc)) failed = k.kind === 'unknown' ? k : unknown(`unhashable key ${repr(k)}`, loc);
      } else out.push(it.eval(e.elt, cf));
      return;
    }
    const g = e.generators[i]!;
    const itv = it.eval(g.iter, i === 0 ? f : cf);
    let items = it.iter(itv);
    if (items === null && !d && e.generators.length === 1 && (itv.kind === 'list' || itv.kind === 'tuple' || itv.kind === 'set') && itv.more) {
      items = itv.items;
      more = itv.more;
      moreAnywhere = !!itv.moreAnywhere;
    }
    if (items === null) { failed = itv.kind === 'unknown' ? itv : unknown(`cannot iterate ${repr(itv)}`, loc); return; }
    let n = 0;
    for (const item of items) {
      if (++n > MAX_ITERATIONS) throw new BudgetErr('too many loop iterations');
      it.assign(g.target, item, cf, loc);
      let ok: boolean | null = true;
      for (const cond of g.ifs) {
        const cv = it.eval(cond, cf);
        const t = it.truth(cv);
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
  const rest = more ? { more, ...(moreAnywhere ? { moreAnywhere } : {}) } : {};
  if (e.type === 'SetComp') return { kind: 'set', items: dedupe(out), ...rest };
  return { ...list(out), ...rest };
}

function subscript(it: Evaluator, c: Value, sliceE: A.Expr, f: Frame, loc: Loc): Value {
  if (sliceE.type === 'Slice') {
    const lo = sliceE.lower ? it.eval(sliceE.lower, f) : NONE;
    const hi = sliceE.upper ? it.eval(sliceE.upper, f) : NONE;
    const st = sliceE.step ? it.eval(sliceE.step, f) : NONE;
    return sliceValue(c, lo, hi, st, loc);
  }
  const k = it.eval(sliceE, f);
  return it.getItem(c, k, loc);
}

export function getItem(it: Evaluator, c: Value, k: Value, loc: Loc): Value {
  switch (c.kind) {
    case 'unknown':
      return c;
    case 'dict': {
      if (k.kind === 'unknown') return unknown(k.reason, k.loc ?? loc);
      const v = dictGet(c, k);
      if (v !== undefined) return v;
      if (c.inexact) return unknown(c.inexact.reason, c.inexact.loc ?? loc);
      if (hashKey(k) === null) return unknown(`lookup of ${repr(k)}`, loc);
      if (c.factory && c.factory.kind !== 'none') {
        // defaultdict.__missing__: the factory's value, stored under the key
        const made = it.call(c.factory, [], [], loc);
        dictSet(c, k, made);
        return made;
      }
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
      const r = it.modeledCall(c, '__getitem__', [k], [], loc);
      if (r !== undefined) return r;
      return unknown(`${c.type}[${repr(k)}]`, loc);
    }
    case 'instance': {
      const g = it.classAttr(c.cls, '__getitem__');
      if (g) return it.call(it.bindAttr(g.value, c, g.owner), [k], [], loc);
      return unknown(`item of ${repr(c)}`, loc);
    }
    case 'class': case 'builtin':
      return unknown(`generic alias ${repr(c)}[...]`, loc);
    default:
      throw new PyErr('TypeError', `'${typeName(c)}' object is not subscriptable`, loc);
  }
}

function isSame(a: Value, b: Value): boolean | null {
  if (a.kind === 'unknown' || b.kind === 'unknown') return null;
  if (a === b) return true;
  if (a.kind === 'none' || b.kind === 'none') return a.kind === b.kind;
  const mc = modelVsClass(a, b);
  if (mc !== undefined) return mc;
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
