// A Python file's "shape" for function-level dependencies (issue 11; vfs.ts `Deps.shapes`): a hash of its AST with
// the bodies of its functions left out (the skeleton: module code, class bodies, signatures, decorators, and the
// positions of everything), and a hash of each function's body. A result computed by running the file's code (the
// routers, see vfs `execReads`) depends on the skeleton and on the bodies of the functions it ran only: a router edit
// inside allow_migrate leaves what db_for_read answered as it was, without evaluating every model's route again.
//
// "Function" here is one not nested in another (a module's functions, the methods of its classes): a function
// defined inside one is part of that one's body. Positions are in the AST (line and column of every node), so an
// edit that moves code (a line added in a body) changes the skeleton; a comment, not in the AST, changes nothing.
// Each top-level statement is hashed too, with the names each part mentions, so that a plain function added or
// dropped that nothing the computation read names can be left out of the comparison (`sameBut`).
import { createHash } from 'crypto';
import type * as A from './ast';
import { parsePython, readPythonFile } from './parse';
import { setShapeProvider, statFile, type FileShape } from '../vfs';

interface Shape extends FileShape {
  bodies: Map<string, string>;
  /**
   * The module's top-level statements, each with its hash (function bodies left out, positions in), and for a plain
   * function definition (no decorators, constant defaults) its name and key: what `sameBut` may leave out.
   */
  statements: { hash: string; plain: { name: string; key: string } | null }[];
  /** the names each part of the file mentions (names, attributes, strings, imports), by body key ('' = the skeleton) */
  names: Map<string, Set<string>>;
  /** the parts that may look a name up by a computed string (getattr, globals(), a star import, …), by key */
  dynamic: Set<string>;
}

/** Ways to look up a module's names by a string made at run time: a name added or dropped may be found by them. */
const DYNAMIC = new Set(['getattr', 'setattr', 'hasattr', 'delattr', 'globals', 'vars', 'locals', 'dir', 'eval', 'exec', 'compile',
  '__import__', 'import_module', '__dict__', 'getmembers', 'modules', '__getattr__', '__getattribute__', 'reload']);

const SHAPES = new WeakMap<object, Shape | null>();
/** each function (and lambda) of a shaped module → the key of the body it is in ('' = the skeleton), and that shape */
const DEFS = new WeakMap<object, { key: string; shape: Shape }>();

const hash = (text: string): string => createHash('sha1').update(text).digest('base64');

/** JSON for hashing: bigint and non-finite numbers (which JSON cannot carry) told apart, not thrown on */
function plain(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

function isNode(v: unknown): v is { type: string } {
  return !!v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string';
}

/** The module's shape (null for a parse cut short by a limit: compared whole). */
export function shapeOfModule(module: A.Module): Shape | null {
  const known = SHAPES.get(module);
  if (known !== undefined) return known;
  if (module.limit) {
    SHAPES.set(module, null);
    return null;
  }
  const tops = new Map<object, string>();
  const shape: Shape = { skeleton: '', bodies: new Map(), statements: [], names: new Map([['', new Set()]]), dynamic: new Set() };
  // the functions not nested in another (through classes and compound statements), each with its key
  const seen = new Set<string>();
  let dup = false;
  // the names each part mentions (a top-level function's own name is its statement's, not a use)
  const mention = (part: string | null, name: string) => {
    const key = part ?? '';
    let set = shape.names.get(key);
    if (!set) shape.names.set(key, (set = new Set()));
    set.add(name);
    if (DYNAMIC.has(name)) shape.dynamic.add(key);
  };
  const visit = (v: unknown, inFunction: string | null): void => {
    if (Array.isArray(v)) { for (const x of v) visit(x, inFunction); return; }
    if (!v || typeof v !== 'object') return;
    const node = v as Record<string, unknown> & { type?: string };
    switch (node.type) {
      case 'Name': mention(inFunction, String(node.id)); break;
      case 'Attribute': mention(inFunction, String(node.attr)); break;
      case 'Constant': if (typeof node.value === 'string') mention(inFunction, node.value); break;
      case 'OtherExpr': shape.dynamic.add(inFunction ?? ''); break;
      case 'Import': case 'ImportFrom':
        for (const a of (node.names as A.Alias[])) {
          if (a.name === '*') shape.dynamic.add(inFunction ?? '');
          for (const part of a.name.split('.')) mention(inFunction, part);
          if (a.asname) mention(inFunction, a.asname);
        }
        if (typeof node.module === 'string') for (const part of node.module.split('.')) mention(inFunction, part);
        break;
      default: break;
    }
    if (node.type === 'FunctionDef' || node.type === 'Lambda') {
      if (inFunction === null && node.type === 'FunctionDef') {
        const key = `${String(node.line)}:${String(node.name)}`;
        if (seen.has(key)) dup = true;
        seen.add(key);
        tops.set(node, key);
        DEFS.set(node, { key, shape });
        for (const [k, x] of Object.entries(node)) visit(x, k === 'body' ? key : null);
        return;
      }
      // a lambda outside any function is skeleton code; a def or lambda inside one is that one's body
      DEFS.set(node, { key: inFunction ?? '', shape });
    }
    for (const x of Object.values(node)) if (typeof x === 'object') visit(x, inFunction);
  };
  visit(module.body, null);
  // two functions with one key (line and name) cannot be told apart: the file is compared whole
  if (dup) {
    SHAPES.set(module, null);
    return null;
  }
  const BODY = '\u0000body';
  // (without end columns: where a function ends, and so the class or block around it, is where its body ends)
  const skeletonOf = (x: unknown) => JSON.stringify(x, function (this: unknown, k: string, v: unknown) {
    if (k === 'body' && tops.has(this as object)) return BODY;
    if (k === 'endCol') return undefined;
    return plain(k, v);
  });
  shape.skeleton = hash(skeletonOf(module));
  for (const st of module.body) {
    const f = st.type === 'FunctionDef' ? st : null;
    const isPlain = !!f && !f.decorators.length && [...f.args.posonly, ...f.args.args, ...f.args.kwonly].every(a => !a.default || a.default.type === 'Constant');
    shape.statements.push({ hash: hash(skeletonOf(st)), plain: isPlain ? { name: f!.name, key: tops.get(f!)! } : null });
  }
  for (const [node, key] of tops) shape.bodies.set(key, hash(JSON.stringify((node as A.FunctionDef).body, plain)));
  SHAPES.set(module, shape);
  return shape;
}

/** The last parse of each file seen here (ModuleIndex.parseFile tells), by its stat: what `current` compares. */
const lastParse = new Map<string, { key: string; module: A.Module }>();

/** ModuleIndex.parseFile parsed `file` at this stat. */
export function rememberParse(file: string, mtimeMs: number, size: number, module: A.Module): void {
  if (!module.limit) lastParse.set(file, { key: `${mtimeMs}:${size}`, module });
}

/** A parse of `file` at this stat made here before, if any. */
export function rememberedParse(file: string, mtimeMs: number, size: number): A.Module | null {
  const hit = lastParse.get(file);
  return hit && hit.key === `${mtimeMs}:${size}` ? hit.module : null;
}

/** The shape of `file` as it is now (an unsaved buffer's text included), null when it cannot be read or parsed whole. */
function currentShape(file: string): Shape | null {
  const st = statFile(file);
  if (!st) return null;
  let module = rememberedParse(file, st.mtimeMs, st.size);
  if (!module) {
    const read = readPythonFile(file, st);
    if ('error' in read) return null;
    try {
      module = parsePython(read.source, file, { fileSize: read.fileSize });
    } catch {
      return null; // the parser is not started (no index is running): compared whole
    }
    rememberParse(file, st.mtimeMs, st.size, module);
  }
  return shapeOfModule(module);
}

/**
 * Whether `now` is `was` as far as a computation that ran the functions `executed` goes, but for plain functions it
 * never ran, added, changed or dropped, whose names nothing it read mentions: `others` are the shapes of the other files
 * it only ran, with what it ran of each. (The benchmark types a function into a router module with each edit: without
 * this, that re-ran every router method of every model.) Conservative: any part that may look a name up by a string
 * made at run time (getattr, globals(), a star import, code not parsed into nodes) refuses it.
 */
function sameBut(was: Shape, now: Shape, executed: ReadonlySet<string>, others: Iterable<{ shape: FileShape; executed: ReadonlySet<string> }>): boolean {
  const leftOut = (st: Shape['statements'][number]) => !!st.plain && !executed.has(st.plain.key);
  const a = was.statements.filter(st => !leftOut(st)), b = now.statements.filter(st => !leftOut(st));
  if (a.length !== b.length || a.some((st, i) => st.hash !== b[i]!.hash)) return false;
  // the plain functions added, changed or dropped (by name: each name's definitions, compared)
  const defs = (sh: Shape) => {
    const m = new Map<string, string[]>();
    for (const st of sh.statements) if (leftOut(st)) m.set(st.plain!.name, [...(m.get(st.plain!.name) ?? []), st.hash]);
    return m;
  };
  const da = defs(was), db = defs(now);
  const changed = [...new Set([...da.keys(), ...db.keys()])].filter(n => (da.get(n) ?? []).join() !== (db.get(n) ?? []).join());
  // (a module's own __getattr__ and the like change how any name is found; a name looked up by a string, vfs
  // noteNameRead, is one the computation read)
  if (changed.some(n => n.startsWith('__') || executed.has(`name:${n}`))) return false;
  // mentioned by what the computation read (the skeleton parts, the bodies it ran), or any of those able to look a name
  // up by a string: not the same
  const refuses = (sh: Shape, ran: ReadonlySet<string>): boolean => {
    for (const part of ['', ...ran]) {
      if (sh.dynamic.has(part)) return true;
      const names = sh.names.get(part);
      if (names && changed.some(n => names.has(n))) return true;
    }
    return false;
  };
  if (refuses(was, executed) || refuses(now, executed)) return false;
  for (const o of others) if (refuses(o.shape as Shape, o.executed)) return false;
  return true;
}

setShapeProvider({
  sameBut: (was, now, executed, others) => sameBut(was as Shape, now as Shape, executed, others),
  ofModule: m => (isNode(m) && m.type === 'Module' ? shapeOfModule(m as A.Module) : null),
  current: currentShape,
  keyOf: def => DEFS.get(def) ?? null,
});
