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
 * Whether `writesIn` may find a write in this source (a cheap test before parsing: Saleor's apps have 399 files that
 * name `_meta`, 9.6 MB, nearly all of them reading it, `cls._meta.fields`; 16 of them pass this test). It may say
 * yes wrongly (the file is parsed), never no where writesIn finds a write. Yes when the file names `Options` (a write
 * to every model's options, `Options.name = …`, in a file that need not name `_meta`), or
 * has an attribute `._meta` (comments, continuations and line breaks around the dots) that is
 * - not followed by `.name`: bound to a name (an alias), passed to setattr or vars, part of a tuple, …;
 * - followed by `.__dict__`;
 * - followed by `.name` and then `=` (not `==`), an augmented assignment, or `:` (an annotation, a slice or a dict
 *   key: parsed anyway); or by `,`, `)` or `]` on a line that then assigns or goes on to the next line (a tuple
 *   target: the line ends with a comma, an opening bracket or a backslash, or the next one begins with a comma or a
 *   closing bracket), or on a `for` line (a loop target).
 * Names bound to a `_meta` (`opts = model._meta`) need such a bare `._meta`: a file without one has no alias.
 */
export function mayWriteMeta(source: string): boolean {
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

/**
 * Whether `_meta` at `at` is an attribute: a `.` before it ('yes'), none ('no'), or a comment line between them that
 * this backward look cannot read past ('maybe').
 */
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
