// Which attributes of a model's `_meta` the project's code sets. A router that reads `getattr(model._meta, "in_db",
// None)` (a Meta option added to `options.DEFAULT_NAMES`, or one a class decorator sets: Sentry's silo_limit) gets
// None for a model whose Meta does not declare it, unless some code sets it at run time. Options' own attributes
// are Django's (routers/index.ts answers or leaves them unknown); for any other name, when no file of the project
// assigns it (`x._meta.name = …`, `setattr(x._meta, "name", …)`, through a variable bound to `x._meta` too), a model
// whose Meta lacks it has no such attribute: `getattr(…, default)` gives the default, `_meta.name` raises
// AttributeError. Code that sets a name not written as a constant (`setattr(opts, key, …)`, `_meta.__dict__`,
// `vars(_meta)`) makes every such name unknown again. Installed third-party packages are not read: that one of them
// sets an attribute the project's routers read is taken as not happening.
import type * as A from '../python/ast';
import { parsePython } from '../python/parse';
import { fileCache } from '../lints/file-cache';
import { isIdentChar, pythonFiles, skipTrivia } from '../lints/aliases';
import { allStmts, childExprs, stmtParts } from '../lints/walk';

export interface MetaWrites {
  /** the attribute names set on some `_meta`, sorted (plain data: a scan after an unrelated edit finds it equal) */
  names: string[];
  /** where code sets a name not known statically (then every name may be set), else null */
  any: { file: string; line: number } | null;
}

interface FileWrites { names: string[]; any: number | null }

const NONE: FileWrites = { names: [], any: null };
const cache = fileCache<FileWrites>('metaWrites', NONE);

/** The files a result was made from, each with its writes, in the order read (what metaWritesAgain starts from). */
const FILES = new WeakMap<MetaWrites, Map<string, FileWrites>>();

/** The `_meta` attributes the Python files below `dirs` set (migrations and virtualenvs left out, as the alias lint). */
export function metaWritesOf(dirs: readonly string[]): MetaWrites {
  const files = new Map<string, FileWrites>();
  for (const dir of dirs) {
    for (const file of pythonFiles(dir)) if (!files.has(file)) files.set(file, writesOfFile(file));
  }
  return resultOf(files);
}

/**
 * The same after an edit of some of the files read (the others' writes kept, not looked at again: an edit of a models
 * file reads that file, not the project's thousands), or null where it cannot tell (a file added or removed).
 */
export function metaWritesAgain(prev: MetaWrites, changed: readonly string[]): MetaWrites | null {
  const before = FILES.get(prev);
  if (!before || changed.some(f => !before.has(f))) return null;
  const files = new Map(before);
  for (const f of changed) files.set(f, writesOfFile(f));
  return resultOf(files);
}

/**
 * The result the scan keeps may be an equal one made earlier (backdated: kept by identity), whose files predate this
 * one's: the files of the newest are given to it, so that the next edit starts from what the files hold now.
 */
export function keepFilesOf(kept: MetaWrites, made: MetaWrites): void {
  const files = FILES.get(made);
  if (kept !== made && files) FILES.set(kept, files);
}

const writesOfFile = (file: string): FileWrites => cache(file, '', source => (mayWriteMeta(source) ? writesIn(parsePython(source, file)) : NONE));

/**
 * Whether `writesIn` may find a write in this source: a cheap test before parsing (Saleor's apps have 399 files that
 * name `_meta`, 9.6 MB, nearly all of them reading it, `cls._meta.fields`; 2 of them pass). It may say yes wrongly
 * (the file is parsed), never no where writesIn finds a write: each of its two steps is such a test, the second more
 * exact and slower, for the files the first lets through.
 */
export function mayWriteMeta(source: string): boolean {
  return roughly(source) && inCode(source);
}

/**
 * The first step, on the text as it is: yes when the file names `Options` (a write to every model's options,
 * `Options.name = …`, in a file that need not name `_meta`), or has an attribute `._meta` (comments, continuations
 * and line breaks around the dots) that is
 * - not followed by `.name`: bound to a name (an alias), passed to setattr or vars, part of a tuple, …;
 * - followed by `.__dict__`;
 * - followed by `.name` and then `=` (not `==`), an augmented assignment, or `:` (an annotation, a slice or a dict
 *   key); or by `,`, `)` or `]` on a line that then assigns or goes on to the next line (a tuple target: the line
 *   ends with a comma, an opening bracket or a backslash, or the next one begins with a comma or a closing
 *   bracket), or on a `for` line (a loop target).
 */
function roughly(source: string): boolean {
  for (let at = source.indexOf('Options'); at >= 0; at = source.indexOf('Options', at + 1)) {
    if ((at === 0 || !isIdentChar(source.charCodeAt(at - 1))) && !isIdentChar(source.charCodeAt(at + 7))) return true;
  }
  for (let at = source.indexOf('_meta'); at >= 0; at = source.indexOf('_meta', at + 1)) {
    if (isIdentChar(source.charCodeAt(at + 5)) || (at > 0 && isIdentChar(source.charCodeAt(at - 1)))) continue;
    const before = dotBefore(source, at);
    if (before === 'no') continue;
    if (before === 'maybe') return true;
    let i = skipTrivia(source, at + 5);
    if (source[i] !== '.') return true;
    i = skipTrivia(source, i + 1);
    const name = /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/.exec(source.slice(i, i + 200))?.[0];
    if (!name || name === '__dict__') return true;
    i = skipTrivia(source, i + name.length);
    const c = source[i], d = source[i + 1], e = source[i + 2];
    if (c === '=' && d !== '=') return true;
    if (c === ':') return true;
    if (d === '=' && c !== undefined && '+-*/%&|^@'.includes(c)) return true;
    if (e === '=' && ((c === '*' && d === '*') || (c === '/' && d === '/') || (c === '<' && d === '<') || (c === '>' && d === '>'))) return true;
    const lineStart = source.lastIndexOf('\n', at) + 1;
    if (/^\s*(async\s+)?for\b/.test(source.slice(lineStart, at))) return true;
    if (c === ',' || c === ')' || c === ']') {
      let end = source.indexOf('\n', i);
      if (end < 0) end = source.length;
      const rest = source.slice(i, end).replace(/#.*$/, '').trimEnd();
      // (`in`: a loop's tuple target in brackets, `for (a,\n x._meta.b) in …`)
      if (/(^|[^=<>!])=(?!=)/.test(rest) || /[\\,([{]$/.test(rest) || /\bin\b/.test(rest)) return true;
      // (inside brackets opened on a line before: the target goes on where the next line begins with a comma or
      // a closing bracket, as it must between the items of a tuple or list)
      const next = /^(?:[ \t\f\r]*(?:#[^\n]*)?\n)*[ \t\f\r]*([,)\]}=])/.exec(source.slice(end + 1, end + 400));
      if (next) return true;
    }
  }
  return false;
}
function dotBefore(s: string, at: number): 'yes' | 'no' | 'maybe' {
  let i = at - 1;
  let crossed = false;
  for (; i >= 0; i--) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') continue;
    if (c === '\n') { crossed = true; if (s[i - 1] === '\\') i--; continue; }
    break;
  }
  if (s[i] === '.') return 'yes';
  // (the line before holds a `#`: its end may be a comment after a dot)
  if (crossed && i >= 0 && s.slice(s.lastIndexOf('\n', i) + 1, i + 1).includes('#')) return 'maybe';
  return 'no';
}

/**
 * The second step: the code with its strings and comments blanked (codeOnly), read statement by statement. Yes for
 * - `Options` (a write to every model's options, `Options.name = …`; the file need not name `_meta`);
 * - a `._meta` not followed by `.name` that may be bound to a name (the end of a statement, `opts = model._meta`),
 *   or passed to `setattr` or `vars` (an argument of a call to either, or of a bracket that is no call);
 * - `._meta.__dict__`;
 * - `._meta.name` followed by `=` or an augmented assignment; by `:` where the statement does not begin with a
 *   keyword (an annotation); by `,`, `)`, `]` or `in` where the statement assigns at its top level after it (a tuple
 *   target) or is a `for` loop;
 * - an f-string naming `setattr`, `vars` or `__dict__` (its expressions are not read here; no statement can be).
 * Names bound to a `_meta` (`opts = model._meta`) need such a bare `._meta`: a file without one has no alias.
 */
function inCode(source: string): boolean {
  const code = codeOnly(source);
  if (code === null) return true;
  if (/(?<![\w\u0080-\uffff])Options(?![\w\u0080-\uffff])/.test(code)) return true;
  if (!code.includes('_meta')) return false;
  // each position's bracket depth within its logical line, and where its statement (piece) begins
  const n = code.length;
  const depth = new Int32Array(n + 1);
  const pieceStart = new Int32Array(n + 1);
  /** for a position inside brackets: where the innermost open bracket is */
  const openAt = new Int32Array(n + 1).fill(-1);
  const stack: number[] = [];
  let start = 0;
  let compound = false;
  let lineStart = true;
  for (let i = 0; i < n; i++) {
    const c = code[i]!;
    if (lineStart && c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r' && c !== '\f' && c !== '\\') {
      lineStart = false;
      compound = /^(?:if|elif|else|while|for|with|try|except|finally|def|class|async|match|case)(?![\w\u0080-\uffff])/.test(code.slice(i, i + 8));
    }
    depth[i] = stack.length;
    pieceStart[i] = start;
    openAt[i] = stack.length ? stack[stack.length - 1]! : -1;
    if (c === '(' || c === '[' || c === '{') stack.push(i);
    else if ((c === ')' || c === ']' || c === '}') && stack.length) stack.pop();
    else if (!stack.length) {
      if (c === '\n' && code[i - 1] !== '\\' && !(code[i - 1] === '\r' && code[i - 2] === '\\')) { start = i + 1; lineStart = true; compound = false; }
      else if (c === ';') start = i + 1;
      else if (c === ':' && compound) { start = i + 1; compound = false; lineStart = true; }
    }
  }
  depth[n] = stack.length;
  pieceStart[n] = start;
  const pieceEnd = (from: number) => {
    for (let i = from; i < n; i++) if (pieceStart[i + 1] !== pieceStart[from] || i + 1 === n) return i + 1;
    return n;
  };
  /** a lone `=` (no comparison, no walrus, no augmented assignment) at the piece's top level after `from` */
  const assignsAfter = (from: number): boolean => {
    const end = pieceEnd(from);
    for (let i = from; i < end; i++) {
      if (code[i] !== '=' || depth[i] !== 0) continue;
      const b = code[i - 1], a = code[i + 1];
      if (a === '=' || (b !== undefined && '=<>!:+-*/%&|^@'.includes(b))) { if (a === '=') i++; continue; }
      return true;
    }
    return false;
  };
  const firstWord = (ps: number) => /^\s*(?:\\\s*)*([A-Za-z_]\w*)/.exec(code.slice(ps, ps + 40))?.[1] ?? '';
  const KEYWORDS = new Set(['if', 'elif', 'while', 'for', 'with', 'async', 'except', 'match', 'case', 'return', 'yield', 'assert', 'del', 'lambda', 'not', 'await', 'raise', 'print', 'global', 'nonlocal', 'import', 'from']);
  const skip = (i: number) => {
    while (i < n && (code[i] === ' ' || code[i] === '\t' || code[i] === '\n' || code[i] === '\r' || code[i] === '\f' || code[i] === '\\')) i++;
    return i;
  };
  for (let at = code.indexOf('_meta'); at >= 0; at = code.indexOf('_meta', at + 1)) {
    if (isIdentChar(code.charCodeAt(at + 5)) || (at > 0 && isIdentChar(code.charCodeAt(at - 1)))) continue;
    let b = at - 1;
    while (b >= 0 && (code[b] === ' ' || code[b] === '\t' || code[b] === '\n' || code[b] === '\r' || code[b] === '\f' || code[b] === '\\')) b--;
    if (code[b] !== '.') continue;
    const ps = pieceStart[at]!;
    const word = firstWord(ps);
    let i = skip(at + 5);
    if (code[i] !== '.') {
      // bare: the end of a statement (an alias: `opts = model._meta`), or an argument
      const c = code[i];
      if (i >= n || pieceStart[i] !== ps || c === ';') return true;
      if (c === ',' || c === ')') {
        const o = openAt[at]!;
        if (o < 0) continue;
        let k = o - 1;
        while (k >= 0 && (code[k] === ' ' || code[k] === '\t' || code[k] === '\\' || code[k] === '\n')) k--;
        let w = k;
        while (w >= 0 && isIdentChar(code.charCodeAt(w))) w--;
        const callee = code.slice(w + 1, k + 1);
        // setattr(x._meta, …), vars(x._meta); a bracket that is no call (a tuple, a parenthesised value) may be bound
        if (callee === 'setattr' || callee === 'vars' || code[o] !== '(' || (!callee && code[k] !== ')' && code[k] !== ']')) return true;
      }
      continue;
    }
    i = skip(i + 1);
    const name = /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/.exec(code.slice(i, i + 200))?.[0];
    if (!name || name === '__dict__') return true;
    i = skip(i + name.length);
    const c = code[i], d = code[i + 1], e = code[i + 2];
    if (c === '=' && d !== '=') return true;
    if (d === '=' && c !== undefined && '+-*/%&|^@'.includes(c)) return true;
    if (e === '=' && ((c === '*' && d === '*') || (c === '/' && d === '/') || (c === '<' && d === '<') || (c === '>' && d === '>'))) return true;
    if (c === ':' && depth[i] === 0 && !KEYWORDS.has(word)) return true;
    const isIn = c === 'i' && d === 'n' && !isIdentChar(code.charCodeAt(i + 2));
    if (c === ',' || c === ')' || c === ']' || isIn) {
      if (word === 'for' || word === 'async') return true;
      if (!KEYWORDS.has(word) && assignsAfter(i)) return true;
    }
  }
  return false;
}

/**
 * `source` with the text of its strings and comments replaced by spaces (line breaks kept), so that brackets, `=`
 * and names are the code's own; null when an f-string names `setattr`, `vars` or `__dict__` (its expressions are
 * code: such a call in one may write).
 */
function codeOnly(source: string): string | null {
  const parts: string[] = [];
  const blank = (from: number, to: number) => parts.push(source.slice(from, to).replace(/[^\n]/g, ' '));
  let kept = 0;
  const n = source.length;
  for (let i = 0; i < n; i++) {
    const c = source[i];
    if (c === '#') {
      let e = source.indexOf('\n', i);
      if (e < 0) e = n;
      parts.push(source.slice(kept, i));
      blank(i, e);
      kept = e;
      i = e - 1;
      continue;
    }
    if (c !== '"' && c !== "'") continue;
    // its prefix (r, b, u, f and their pairs) says whether it is an f-string
    let p = i - 1;
    while (p >= 0 && p >= i - 3 && /[A-Za-z]/.test(source[p]!)) p--;
    const prefix = isIdentChar(source.charCodeAt(p)) ? '' : source.slice(p + 1, i).toLowerCase();
    const triple = source[i + 1] === c && source[i + 2] === c;
    const q = triple ? c + c + c : c;
    let j = i + q.length;
    for (; j < n; j++) {
      if (source[j] === '\\') { j++; continue; }
      if (!triple && source[j] === '\n') break;
      if (source.startsWith(q, j)) break;
    }
    const end = Math.min(n, j + (source.startsWith(q, j) ? q.length : 0));
    // (an f-string's expressions are code, but no statement: only a call or attribute writesIn looks for can be there)
    if (prefix.includes('f') && /setattr|vars|__dict__/.test(source.slice(i, end))) return null;
    parts.push(source.slice(kept, i));
    blank(i, end);
    kept = end;
    i = end - 1;
  }
  parts.push(source.slice(kept));
  return parts.join('');
}

function resultOf(files: Map<string, FileWrites>): MetaWrites {
  const names = new Set<string>();
  let any: MetaWrites['any'] = null;
  for (const [file, w] of files) {
    for (const n of w.names) names.add(n);
    if (w.any !== null && !any) any = { file, line: w.any };
  }
  const out: MetaWrites = { names: [...names].sort(), any };
  FILES.set(out, files);
  return out;
}

/** The `_meta` attributes one module sets, and the line of the first write whose name is not a constant. */
export function writesIn(mod: A.Module): FileWrites {
  const names = new Set<string>();
  let any: number | null = null;
  // names bound to some `_meta` in this file (`opts = model._meta`)
  const aliases = new Set<string>();
  for (const s of allStmts(mod.body)) {
    if (s.type === 'Assign' && isMeta(s.value, aliases)) for (const t of s.targets) if (t.type === 'Name') aliases.add(t.id);
  }
  const target = (t: A.Expr): void => {
    if (t.type === 'Tuple' || t.type === 'List') { t.elts.forEach(target); return; }
    if (t.type === 'Starred') { target(t.value); return; }
    if (t.type === 'Attribute' && isMeta(t.value, aliases)) names.add(t.attr);
    // `Options.name = …`: every model's _meta has it
    if (t.type === 'Attribute' && t.value.type === 'Name' && t.value.id === 'Options') names.add(t.attr);
  };
  const expr = (e: A.Expr): void => {
    if (e.type === 'Call' && e.func.type === 'Name' && e.func.id === 'setattr' && e.args.length >= 2 && (isMeta(e.args[0]!, aliases) || (e.args[0]!.type === 'Name' && e.args[0]!.id === 'Options'))) {
      const n = e.args[1]!;
      if (n.type === 'Constant' && typeof n.value === 'string') names.add(n.value);
      else any ??= e.line;
    }
    // `vars(model._meta)`, `model._meta.__dict__`: written by key
    if (e.type === 'Call' && e.func.type === 'Name' && e.func.id === 'vars' && e.args[0] && isMeta(e.args[0], aliases)) any ??= e.line;
    if (e.type === 'Attribute' && e.attr === '__dict__' && isMeta(e.value, aliases)) any ??= e.line;
    for (const c of childExprs(e)) expr(c);
  };
  for (const s of allStmts(mod.body)) {
    if (s.type === 'Assign') s.targets.forEach(target);
    else if (s.type === 'AugAssign' || s.type === 'AnnAssign') target(s.target);
    else if (s.type === 'For') target(s.target);
    for (const e of stmtParts(s).exprs) expr(e);
  }
  return { names: [...names].sort(), any };
}

function isMeta(e: A.Expr, aliases: ReadonlySet<string>): boolean {
  return (e.type === 'Attribute' && e.attr === '_meta') || (e.type === 'Name' && aliases.has(e.id));
}
