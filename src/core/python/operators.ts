// Python operators and string formatting for the static evaluator: + - * / // % ** | & on known values,
// comparisons and `in`, f-string/format()/% formatting, and the size budget on values (`[0] * 10**9` is refused
// with a reason instead of exhausting memory).
import * as path from 'path';
import type { Loc } from '../types';
import { type Evaluator, type KW, PyErr, BudgetErr, kwarg } from './runtime';
import {
  type Value, type SeqV, type UnknownV, str, num, bool, list, unknown, dict, dictGet, dictSet, hashKey, pyEquals, repr, pyStr, typeName,
  seqLike,
} from './values';
import { joinPath } from './paths';

/** the largest str (characters) or list (items) a settings expression may build */
export const MAX_VALUE_SIZE = 1_000_000;

export function unk(v: Value, fallback: string, loc: Loc): UnknownV {
  return v.kind === 'unknown' ? unknown(v.reason, v.loc ?? loc) : unknown(fallback, loc);
}

export function firstUnknown(vals: Value[]): UnknownV | null {
  for (const v of vals) if (v.kind === 'unknown') return v;
  return null;
}

export function toInt(v: Value): number | null {
  if (v.kind === 'num' && !v.float) return v.v;
  if (v.kind === 'bool') return v.v ? 1 : 0;
  return null;
}

/** str(v) as Python would print it, or null when not known. Instances with __str__ are called. */
export function toStr(it: Evaluator, v: Value, loc: Loc): string | null {
  if (v.kind === 'instance') {
    const s = it.classAttr(v.cls, '__str__') ?? it.classAttr(v.cls, '__repr__');
    if (s) {
      const r = it.call(it.bindAttr(s.value, v, s.owner), [], [], loc);
      return r.kind === 'str' ? r.v : null;
    }
    if (v.cls.special === 'exception') {
      const a = v.attrs.get('args');
      return a && a.kind === 'tuple' && a.items.length === 1 ? toStr(it, a.items[0]!, loc) : null;
    }
    return null;
  }
  if (v.kind === 'obj') {
    const r = it.modeledCall(v, '__str__', [], [], loc);
    return r && r.kind === 'str' ? r.v : null;
  }
  it.noteIdentity(v);
  return pyStr(v);
}

export function formatValue(it: Evaluator, v: Value, conversion: string | null, spec: string | null, loc: Loc): string | null {
  let s: string | null;
  if (conversion === 'r') s = v.kind === 'unknown' ? null : repr(v);
  else if (spec) {
    s = formatSpec(v, spec);
  } else s = toStr(it, v, loc);
  return s;
}

function formatSpec(v: Value, spec: string): string | null {
  // a small subset: [[fill]align][width][.precision][type] for str and numbers
  const m = /^(?:(.)?([<>^]))?(\d+)?(?:\.(\d+))?([sdf])?$/.exec(spec);
  if (!m) return null;
  let s: string | null;
  if (m[5] === 'd' || (v.kind === 'num' && !v.float && !m[4])) s = v.kind === 'num' || v.kind === 'bool' ? String(toInt(v) ?? (v.kind === 'num' ? Math.trunc(v.v) : 0)) : null;
  else if (m[5] === 'f' || m[4]) s = v.kind === 'num' ? v.v.toFixed(m[4] ? Number(m[4]) : 6) : null;
  else s = pyStr(v);
  if (s === null) return null;
  const width = m[3] ? Number(m[3]) : 0;
  const fill = m[1] ?? ' ';
  const align = m[2] ?? (v.kind === 'num' ? '>' : '<');
  if (s.length < width) {
    const pad = width - s.length;
    if (align === '<') s = s + fill.repeat(pad);
    else if (align === '>') s = fill.repeat(pad) + s;
    else s = fill.repeat(Math.floor(pad / 2)) + s + fill.repeat(Math.ceil(pad / 2));
  }
  return s;
}

// ---- operators ---------------------------------------------------------------------------------------

export function compareOrder(a: Value, op: string, b: Value, loc: Loc): boolean | null {
  if (a.kind === 'unknown' || b.kind === 'unknown') return null;
  const na = a.kind === 'num' ? a.v : a.kind === 'bool' ? (a.v ? 1 : 0) : null;
  const nb = b.kind === 'num' ? b.v : b.kind === 'bool' ? (b.v ? 1 : 0) : null;
  let c: number | null = null;
  if (na !== null && nb !== null) c = na < nb ? -1 : na > nb ? 1 : 0;
  else if (a.kind === 'str' && b.kind === 'str') c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  else if ((a.kind === 'tuple' || a.kind === 'list') && a.kind === b.kind) {
    const ai = a.items;
    const bi = (b as SeqV).items;
    for (let i = 0; i < Math.min(ai.length, bi.length); i++) {
      const eq = pyEquals(ai[i]!, bi[i]!);
      if (eq === null) return null;
      if (!eq) return compareOrder(ai[i]!, op, bi[i]!, loc);
    }
    c = ai.length - bi.length;
  } else if (a.kind === 'set' && b.kind === 'set') {
    return null;
  } else if (a.kind === 'obj' && b.kind === 'obj' && a.type === 'datetime.timedelta' && b.type === 'datetime.timedelta' && typeof a.data === 'number' && typeof b.data === 'number') {
    c = a.data < b.data ? -1 : a.data > b.data ? 1 : 0;
  } else if (a.kind === 'obj' || b.kind === 'obj' || a.kind === 'instance' || b.kind === 'instance') {
    // objects modelled in part (a datetime, a Decimal) or of the project's classes (__lt__): not known, never a TypeError
    // Python would not raise (osf's `assert timedelta(days=10) > timedelta(days=2)`)
    return null;
  } else {
    throw new PyErr('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`, loc);
  }
  switch (op) {
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
    default: return null;
  }
}

/** `needle in hay`; null when unknown. */
export function containsOp(it: Evaluator, hay: Value, needle: Value, loc: Loc): boolean | null {
  switch (hay.kind) {
    case 'unknown': return null;
    case 'path':
      // path.py's Path is a str (a pathlib path supports no `in`)
      if (!hay.strSub) throw new PyErr('TypeError', `argument of type 'PosixPath' is not iterable`, loc);
      return containsOp(it, str(hay.p), needle, loc);
    case 'str':
      if (needle.kind === 'path' && needle.strSub) return hay.v.includes(needle.p);
      if (needle.kind === 'str') return hay.v.includes(needle.v);
      if (needle.kind === 'unknown') return null;
      throw new PyErr('TypeError', `'in <string>' requires string as left operand, not ${typeName(needle)}`, loc);
    case 'dict': {
      if (needle.kind === 'unknown') return null;
      it.noteIdentity(needle);
      const h = hashKey(needle);
      if (h === null) return null;
      if (hay.map.has(h)) return true;
      return hay.inexact ? null : false;
    }
    case 'list': case 'tuple': case 'set': {
      it.noteIdentity(needle);
      let res: boolean | null = false;
      for (const x of hay.items) {
        let e = pyEquals(x, needle);
        // an item that is one of a few known values (an if's paths left it): equal only if one of them is
        if (e === null && x.kind === 'unknown' && x.choices && needle.kind !== 'unknown') {
          const each = x.choices.map(c => pyEquals(c, needle));
          e = each.every(v => v === false) ? false : each.every(v => v === true) ? true : null;
        }
        if (e === true) return true;
        if (e === null) res = null;
      }
      return res === false && hay.more ? null : res;
    }
    case 'obj': {
      const items = it.iter(hay);
      if (items) return containsOp(it, list(items), needle, loc);
      const r = it.modeledCall(hay, '__contains__', [needle], [], loc);
      if (r && r.kind === 'bool') return r.v;
      return null;
    }
    case 'instance': {
      const c = it.classAttr(hay.cls, '__contains__');
      if (c) {
        const r = it.call(it.bindAttr(c.value, hay, c.owner), [needle], [], loc);
        return it.truth(r);
      }
      return null;
    }
    default:
      return null;
  }
}

/** A django-environ Path object: its root (absolute, normalised) as data. */
export function environPath(root: string): Value {
  return { kind: 'obj', type: 'environ.Path', attrs: new Map([['root', str(root)]]), missing: 'unknown', data: { root } };
}

export function binaryOp(it: Evaluator, a: Value, op: string, b: Value, loc: Loc): Value {
  // path.py's Path (a str subclass): `/` and `+` give a Path again, anything else is the str's
  if ((a.kind === 'path' && a.strSub) || (b.kind === 'path' && b.strSub)) {
    const sa = a.kind === 'path' && a.strSub ? str(a.p) : a;
    const sb = b.kind === 'path' && b.strSub ? str(b.p) : b;
    if ((op === '/' || op === '+') && sa.kind === 'str' && sb.kind === 'str') {
      const joined = op === '+' ? sa.v + sb.v : sb.v.startsWith('/') ? sb.v : sa.v === '' || sa.v.endsWith('/') ? sa.v + sb.v : `${sa.v}/${sb.v}`;
      return { kind: 'path', p: joined, strSub: true };
    }
    if (sa !== a || sb !== b) return binaryOp(it, sa, op, sb, loc);
  }
  // a known list plus an unknown one keeps the known items (principle: one unknown never erases its neighbours)
  if (op === '+' && (a.kind === 'list' || a.kind === 'tuple') && b.kind === 'unknown') return seqLike(a.kind, a.items.slice(), a.more ?? unknown(b.reason, b.loc ?? loc));
  if (op === '+' && (b.kind === 'list' || b.kind === 'tuple') && a.kind === 'unknown') return seqLike(b.kind, b.items.slice(), unknown(a.reason, a.loc ?? loc));
  if (a.kind === 'unknown') return unknown(a.reason, a.loc ?? loc);
  if (b.kind === 'unknown') return unknown(b.reason, b.loc ?? loc);
  // django-environ's Path: `environ.Path(__file__) - 3` goes up three parts, `+ "sub"` joins
  if (a.kind === 'obj' && a.type === 'environ.Path') {
    const root = (a.data as { root: string }).root;
    if (op === '-' && b.kind === 'num' && Number.isInteger(b.v) && b.v >= 0) return environPath(path.resolve(root, ...Array<string>(b.v).fill('..')));
    if (op === '+' && b.kind === 'str') return environPath(path.resolve(root, b.v));
  }
  const na = a.kind === 'num' ? a.v : a.kind === 'bool' ? (a.v ? 1 : 0) : null;
  const nb = b.kind === 'num' ? b.v : b.kind === 'bool' ? (b.v ? 1 : 0) : null;
  if (na !== null && nb !== null) {
    const fl = (a.kind === 'num' && !!a.float) || (b.kind === 'num' && !!b.float);
    switch (op) {
      case '+': return num(na + nb, fl);
      case '-': return num(na - nb, fl);
      case '*': return num(na * nb, fl);
      case '/': if (nb === 0) throw new PyErr('ZeroDivisionError', 'division by zero', loc); return num(na / nb, true);
      case '//': if (nb === 0) throw new PyErr('ZeroDivisionError', 'division by zero', loc); return num(Math.floor(na / nb), fl);
      case '%': if (nb === 0) throw new PyErr('ZeroDivisionError', 'modulo by zero', loc); return num(((na % nb) + nb) % nb, fl);
      case '**': return num(na ** nb, fl || nb < 0);
      case '|': return a.kind === 'bool' && b.kind === 'bool' ? bool(a.v || b.v) : num(na | nb);
      case '&': return a.kind === 'bool' && b.kind === 'bool' ? bool(a.v && b.v) : num(na & nb);
      case '^': return num(na ^ nb);
      case '<<': return num(na << nb);
      case '>>': return num(na >> nb);
    }
  }
  if (op === '+') {
    if (a.kind === 'str' && b.kind === 'str') return str(a.v + b.v);
    if ((a.kind === 'list' || a.kind === 'tuple') && b.kind === a.kind) return seqLike(a.kind, [...a.items, ...(b as SeqV).items], a.more ?? (b as SeqV).more);
  }
  if (op === '*') {
    const [s, n] = na !== null ? [b, na] : [a, nb];
    if (n !== null && (s.kind === 'str' || s.kind === 'list' || s.kind === 'tuple')) {
      const size = (s.kind === 'str' ? s.v.length : s.items.length) * Math.max(0, n);
      if (size > MAX_VALUE_SIZE) throw new BudgetErr(`a value of ${size.toLocaleString('en-US')} ${s.kind === 'str' ? 'characters' : 'items'} is larger than the evaluation allows (${MAX_VALUE_SIZE.toLocaleString('en-US')})`);
    }
    if (n !== null && s.kind === 'str') return str(s.v.repeat(Math.max(0, n)));
    if (n !== null && (s.kind === 'list' || s.kind === 'tuple')) {
      const out: Value[] = [];
      for (let i = 0; i < n; i++) out.push(...s.items);
      return { kind: s.kind, items: out };
    }
  }
  if (op === '%' && a.kind === 'str') {
    const r = percentFormat(it, a.v, b, loc);
    return r === null ? unknown(`'%' formatting of ${repr(a)}`, loc) : str(r);
  }
  if (op === '/' && a.kind === 'path') {
    const s = b.kind === 'path' ? b.p : b.kind === 'str' ? b.v : null;
    if (s === null) throw new PyErr('TypeError', `unsupported operand type(s) for /: 'PosixPath' and '${typeName(b)}'`, loc);
    return { kind: 'path', p: joinPath(a.p, s) };
  }
  if (op === '/' && a.kind === 'str' && b.kind === 'path') return { kind: 'path', p: joinPath(a.v, b.p) };
  if (op === '|' && a.kind === 'dict' && b.kind === 'dict') {
    const d = dict();
    for (const e of a.map.values()) dictSet(d, e.k, e.v, e.loc);
    for (const e of b.map.values()) dictSet(d, e.k, e.v, e.loc);
    if (a.inexact || b.inexact) d.inexact = a.inexact ?? b.inexact;
    return d;
  }
  if (a.kind === 'set' && b.kind === 'set' && (op === '|' || op === '&' || op === '-' || op === '^')) {
    const inB = (x: Value) => b.items.some(y => pyEquals(x, y) === true);
    const inA = (x: Value) => a.items.some(y => pyEquals(x, y) === true);
    if (op === '|') return { kind: 'set', items: [...a.items, ...b.items.filter(x => !inA(x))] };
    if (op === '&') return { kind: 'set', items: a.items.filter(inB) };
    if (op === '-') return { kind: 'set', items: a.items.filter(x => !inB(x)) };
    return { kind: 'set', items: [...a.items.filter(x => !inB(x)), ...b.items.filter(x => !inA(x))] };
  }
  if (op === '|' && isTypeLike(a) && isTypeLike(b)) return { kind: 'obj', type: 'types.UnionType', attrs: new Map(), missing: 'unknown' };
  if (a.kind === 'instance' || b.kind === 'instance' || a.kind === 'obj' || b.kind === 'obj') return unknown(`${repr(a)} ${op} ${repr(b)}`, loc);
  throw new PyErr('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`, loc);
}

/** `int | None`, `MyClass | str`: a PEP 604 union in an annotation or alias */
function isTypeLike(v: Value): boolean {
  return v.kind === 'none' || v.kind === 'class' || (v.kind === 'builtin' && !v.self) || (v.kind === 'obj' && v.type === 'types.UnionType');
}

function percentFormat(it: Evaluator, fmt: string, v: Value, loc: Loc): string | null {
  const args = v.kind === 'tuple' ? v.items : [v];
  let i = 0;
  let out = '';
  for (let p = 0; p < fmt.length; p++) {
    const ch = fmt[p]!;
    if (ch !== '%') { out += ch; continue; }
    let key: string | null = null;
    let q = p + 1;
    if (fmt[q] === '(') {
      const end = fmt.indexOf(')', q);
      if (end < 0) return null;
      key = fmt.slice(q + 1, end);
      q = end + 1;
    }
    while (q < fmt.length && '-+ #0123456789.'.includes(fmt[q]!)) q++;
    const conv = fmt[q];
    if (conv === '%') { out += '%'; p = q; continue; }
    let val: Value | undefined;
    if (key !== null) val = v.kind === 'dict' ? dictGet(v, str(key)) : undefined;
    else val = args[i++];
    if (!val) throw new PyErr('TypeError', 'not enough arguments for format string', loc);
    if (val.kind === 'unknown') return null;
    if (conv === 's') { const s = toStr(it, val, loc); if (s === null) return null; out += s; }
    else if (conv === 'r') out += repr(val);
    else if (conv === 'd' || conv === 'i') { const n = toInt(val) ?? (val.kind === 'num' ? Math.trunc(val.v) : null); if (n === null) return null; out += String(n); }
    else return null;
    p = q;
  }
  return out;
}

/** str.format with positional and named fields (no format specs beyond the simple ones). */
export function strFormat(it: Evaluator, fmt: string, args: Value[], kwargs: KW, loc: Loc): string | null {
  let out = '';
  let auto = 0;
  for (let p = 0; p < fmt.length; p++) {
    const ch = fmt[p]!;
    if (ch === '{' && fmt[p + 1] === '{') { out += '{'; p++; continue; }
    if (ch === '}' && fmt[p + 1] === '}') { out += '}'; p++; continue; }
    if (ch !== '{') { out += ch; continue; }
    const end = fmt.indexOf('}', p);
    if (end < 0) return null;
    const field = fmt.slice(p + 1, end);
    p = end;
    const m = /^([^!:]*)(?:!([rs]))?(?::(.*))?$/.exec(field);
    if (!m) return null;
    const name = m[1]!;
    let val: Value | undefined;
    const [head, ...attrs] = name.split('.');
    if (head === '') val = args[auto++];
    else if (/^\d+$/.test(head!)) val = args[Number(head)];
    else val = kwarg(kwargs, head!);
    if (!val) throw new PyErr('KeyError', head ?? '', loc);
    for (const at of attrs) val = it.getAttr(val, at, loc);
    if (val.kind === 'unknown') return null;
    const s = formatValue(it, val, m[2] ?? null, m[3] ?? null, loc);
    if (s === null) return null;
    out += s;
  }
  return out;
}

