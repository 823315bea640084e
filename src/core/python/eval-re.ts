// The `re` module for ./eval-modules.ts: settings that take a database URL apart with a regular expression
// (Tandoor: `re.match(r'(?P<schema>\w+)://…', DATABASE_URL).groupdict()`). Python's syntax is translated to
// JavaScript's where the two mean the same (named groups, \A, \Z, inline flags at the start); a pattern that
// uses anything else is not evaluated (unknown), never matched with another meaning.
import type { Loc } from '../types';
import { type KW, PyErr, kwarg } from './runtime';
import { type Value, type ObjV, type BuiltinV, NONE, str, num, tuple, list, unknown, dict, repr } from './values';

/** re's flags, as Python numbers them */
const FLAGS: [string, number][] = [
  ['I', 2], ['IGNORECASE', 2], ['L', 4], ['LOCALE', 4], ['M', 8], ['MULTILINE', 8], ['S', 16], ['DOTALL', 16],
  ['U', 32], ['UNICODE', 32], ['X', 64], ['VERBOSE', 64], ['A', 256], ['ASCII', 256],
];

const FUNCTIONS = ['compile', 'match', 'search', 'fullmatch', 'sub', 'split', 'findall', 'escape'];

const b = (name: string, self?: Value): BuiltinV => (self ? { kind: 'builtin', name, self } : { kind: 'builtin', name });

/** The members of the module (flags as numbers, functions as builtins named `re.<name>`). */
export function reMembers(): [string, Value][] {
  return [...FUNCTIONS.map(n => [n, b('re.' + n)] as [string, Value]), ...FLAGS.map(([n, v]) => [n, num(v)] as [string, Value])];
}

/** `flags`: the user's and the pattern's inline ones */
interface Compiled { source: string; flags: number; re: RegExp; names: string[] }

/**
 * Python's pattern as a JavaScript RegExp (global, sticky variants made per use), or why not. Only syntax both
 * read alike is accepted: anything Python-only (conditionals, `(?x)` verbose mode, `\Z` inside a class, locale
 * flags) or JavaScript would read otherwise makes the value unknown.
 */
function compile(source: string, flags: number): Compiled | string {
  let f = flags;
  let p = source;
  // leading inline flags: (?aiLmsux)
  const inline = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (inline) {
    for (const c of inline[1]!) f |= { a: 256, i: 2, L: 4, m: 8, s: 16, u: 32, x: 64 }[c as 'a'] ?? 0;
    p = p.slice(inline[0].length);
  }
  if (f & (4 | 64)) return 'a verbose or locale-dependent regular expression';
  let out = '';
  let inClass = false;
  const names: string[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) return 'a pattern ending in a backslash';
      if (!inClass && n === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && n === 'Z') out += '(?![\\s\\S])';
      // escapes both read alike; a letter or digit escape JavaScript reads otherwise (\u, \x, \N, \0…) is refused
      else if (/[dDwWsSbBntrfv\\.^$*+?()[\]{}|\-/'"#&~:!,<>=@%`;_ ]/.test(n)) out += c + n;
      else if (/[1-9]/.test(n) && !inClass) out += c + n;
      else return `the escape \\${n}`;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '[') out += '\\';
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') { out += '^'; i++; }
      // a `]` first in a class is a literal in Python
      if (p[i + 1] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i + 2);
      const named = /^P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) { names.push(named[1]!); out += `(?<${named[1]}>`; i += 1 + named[0].length; continue; }
      const backref = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
      if (backref) { out += `\\k<${backref[1]}>`; i += 1 + backref[0].length; continue; }
      if (/^(?::|=|!|<=|<!)/.test(rest)) { out += c; continue; }
      return 'a group syntax only Python has';
    }
    // Python's `.`, `^` and `$` (only \n ends a line; `$` also matches before a final \n), spelled out: JavaScript's
    // also take \r, \u2028 and \u2029 for line ends
    if (c === '.') { out += f & 16 ? '[\\s\\S]' : '[^\\n]'; continue; }
    if (c === '^') { out += f & 8 ? '(?:(?<![\\s\\S])|(?<=\\n))' : '(?<![\\s\\S])'; continue; }
    if (c === '$') { out += f & 8 ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))'; continue; }
    if (c === '{') {
      // a quantifier ({m}, {m,}, {m,n}, {,n}: JavaScript spells the last {0,n}); any other brace is a literal
      const q = /^\{(\d*)(,\d*)?\}/.exec(p.slice(i));
      if (q && (q[1] || (q[2] && q[2].length > 1))) { out += `{${q[1] || '0'}${q[2] ?? ''}}`; i += q[0].length - 1; continue; }
      out += '\\{';
      continue;
    }
    if (c === '}') { out += '\\}'; continue; }
    out += c;
  }
  if (inClass) return 'an unterminated character set';
  const jsFlags = f & 2 ? 'i' : '';
  try {
    return { source, flags: f, re: new RegExp(out, jsFlags), names };
  } catch (e) {
    return `a pattern JavaScript cannot read (${(e as Error).message})`;
  }
}

function patternObj(c: Compiled): ObjV {
  return { kind: 'obj', type: 're.Pattern', attrs: new Map<string, Value>([['pattern', str(c.source)], ['flags', num(c.flags)]]), missing: 'unknown', data: c };
}

function matchObj(c: Compiled, m: RegExpExecArray, s: string): ObjV {
  return { kind: 'obj', type: 're.Match', attrs: new Map<string, Value>([['string', str(s)], ['re', patternObj(c)]]), missing: 'unknown', data: { c, m, s } };
}

/** Attributes of re's objects (methods as builtins bound to the object). */
export function reAttr(o: ObjV, name: string): Value | undefined {
  if (o.type === 're.Pattern') return ['match', 'search', 'fullmatch', 'sub', 'split', 'findall'].includes(name) ? b('re.Pattern.' + name, o) : undefined;
  if (o.type === 're.Match') return ['group', 'groups', 'groupdict', 'start', 'end', 'span', '__getitem__'].includes(name) ? b('re.Match.' + name, o) : undefined;
  return undefined;
}

const text = (v: Value | undefined): string | null => (v?.kind === 'str' ? v.v : null);

/** `re.<name>(...)`, or the method `name` of a Pattern or Match object (`self`); undefined: not modelled. */
export function reCall(name: string, self: ObjV | undefined, args: Value[], kwargs: KW, loc: Loc): Value | undefined {
  const unknownArg = args.find(a => a.kind === 'unknown');
  if (self?.type === 're.Match') return matchCall(name, self, args, loc);
  let c: Compiled | string;
  let rest: Value[];
  if (self?.type === 're.Pattern') {
    c = self.data as Compiled;
    rest = args;
  } else {
    if (name === 'escape') {
      const s = text(args[0]);
      // (Python 3.7+: only the characters special in a pattern)
      return s === null ? unknown('re.escape() of a value not known statically', loc) : str(s.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, ch => `\\${ch}`));
    }
    const p = args[0];
    if (p?.kind === 'obj' && p.type === 're.Pattern') c = p.data as Compiled;
    else {
      const src = text(p);
      if (src === null) return unknownArg ? unknown(unknownArg.kind === 'unknown' ? unknownArg.reason : '', loc) : unknown(`re.${name}() of ${p ? repr(p) : 'nothing'}`, loc);
      const fl = kwarg(kwargs, 'flags') ?? (name === 'compile' ? args[1] : name === 'sub' ? args[4] : name === 'split' ? args[3] : args[2]);
      if (fl && fl.kind !== 'num') return unknown(`re.${name}() with flags not known statically`, loc);
      c = compile(src, fl?.kind === 'num' ? fl.v : 0);
    }
    if (typeof c === 'string') return unknown(`re.${name}() of ${c} (not evaluated)`, loc);
    if (name === 'compile') return patternObj(c);
    rest = args.slice(1);
  }
  const s = name === 'sub' ? text(rest[1] ?? kwarg(kwargs, 'string')) : text(rest[0] ?? kwarg(kwargs, 'string'));
  if (s === null) return unknown(`${name}() of a string not known statically`, loc);
  // Python's \w, \d, \s, \b and case folding are Unicode's: on ASCII text they are JavaScript's
  if (!(c.flags & 256) && /[^\x00-\x7f]/.test(s)) return unknown(`${name}() of non-ASCII text (not evaluated)`, loc);
  switch (name) {
    case 'match': case 'search': case 'fullmatch': {
      const re = new RegExp(name === 'fullmatch' ? `(?:${c.re.source})(?![\\s\\S])` : c.re.source, c.re.flags + (name === 'search' ? 'g' : 'y'));
      re.lastIndex = 0;
      const m = re.exec(s);
      return m ? matchObj(c, m, s) : NONE;
    }
    case 'findall': {
      const re = new RegExp(c.re.source, c.re.flags + 'g');
      const out: Value[] = [];
      for (const m of s.matchAll(re)) {
        const groups = m.slice(1).map(g => str(g ?? ''));
        out.push(groups.length === 0 ? str(m[0]) : groups.length === 1 ? groups[0]! : tuple(groups));
      }
      return list(out);
    }
    case 'split': {
      const max = rest[1] ?? kwarg(kwargs, 'maxsplit');
      if (max && max.kind !== 'num') return unknown('split() with a maxsplit not known statically', loc);
      const re = new RegExp(c.re.source, c.re.flags + 'g');
      const out: Value[] = [];
      let last = 0;
      let n = 0;
      for (const m of s.matchAll(re)) {
        if (max?.kind === 'num' && max.v > 0 && n >= max.v) break;
        out.push(str(s.slice(last, m.index)), ...m.slice(1).map(g => (g === undefined ? NONE : str(g))));
        last = m.index + m[0].length;
        n++;
      }
      out.push(str(s.slice(last)));
      return list(out);
    }
    case 'sub': {
      const repl = text(rest[0]);
      const count = rest[2] ?? kwarg(kwargs, 'count');
      if (repl === null || (count && count.kind !== 'num')) return unknown('re.sub() with a replacement not known statically', loc);
      // Python's replacement syntax: \1, \g<name>, \g<1>; a lone backslash before anything else is an error there
      let bad = false;
      const re = new RegExp(c.re.source, c.re.flags + 'g');
      let done = 0;
      const out = s.replace(re, (...m: unknown[]) => {
        const groups = m.slice(0, -2).filter(x => typeof x !== 'object') as (string | undefined)[];
        if (count?.kind === 'num' && count.v > 0 && done >= count.v) return groups[0]!;
        done++;
        const named = (m.at(-1) && typeof m.at(-1) === 'object' ? m.at(-1) : {}) as Record<string, string | undefined>;
        return repl.replace(/\\(?:g<([^>]+)>|(\d{1,2})|(.))/g, (_x, g: string | undefined, d: string | undefined, other: string | undefined) => {
          if (other !== undefined) {
            const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
            if (esc[other] === undefined) bad = true;
            return esc[other] ?? '';
          }
          const key = g ?? d!;
          return (/^\d+$/.test(key) ? groups[Number(key)] : named[key]) ?? '';
        });
      });
      return bad ? unknown('re.sub() with a replacement escape not modelled', loc) : str(out);
    }
    default:
      return undefined;
  }
}

function matchCall(name: string, self: ObjV, args: Value[], loc: Loc): Value | undefined {
  const { c, m } = self.data as { c: Compiled; m: RegExpExecArray; s: string };
  const group = (k: Value | undefined): Value => {
    if (k === undefined) return str(m[0]);
    if (k.kind === 'num' && Number.isInteger(k.v) && k.v >= 0 && k.v < m.length) return m[k.v] === undefined ? NONE : str(m[k.v]!);
    if (k.kind === 'str' && c.names.includes(k.v)) { const g = m.groups?.[k.v]; return g === undefined ? NONE : str(g); }
    if (k.kind === 'unknown') return unknown(k.reason, k.loc ?? loc);
    throw new PyErr('IndexError', 'no such group', loc);
  };
  const method = name;
  switch (method) {
    case 'group': case '__getitem__':
      return args.length <= 1 ? group(args[0]) : tuple(args.map(group));
    case 'groups': {
      const dflt = args[0] ?? NONE;
      return tuple(m.slice(1).map(g => (g === undefined ? dflt : str(g))));
    }
    case 'groupdict': {
      const dflt = args[0] ?? NONE;
      return dict(c.names.map(n => [str(n), m.groups?.[n] === undefined ? dflt : str(m.groups[n]!)]));
    }
    case 'start': case 'end': case 'span': {
      if (args.length) return unknown(`Match.${method}() of a group`, loc);
      const start = m.index, end = m.index + m[0].length;
      return method === 'start' ? num(start) : method === 'end' ? num(end) : tuple([num(start), num(end)]);
    }
    default:
      return undefined;
  }
}
