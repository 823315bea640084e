// A Python file's "shape" for function-level dependencies (issue 11; vfs.ts `Deps.shapes`): a hash of its AST with
// the bodies of its functions left out (the skeleton: module code, class bodies, signatures, decorators, and the
// positions of everything), and a hash of each function's body. A result computed by running the file's code (the
// routers, see vfs `execReads`) depends on the skeleton and on the bodies of the functions it ran only: a router edit
// inside allow_migrate leaves what db_for_read answered as it was, without evaluating every model's route again.
//
// "Function" here is one not nested in another (a module's functions, the methods of its classes): a function
// defined inside one is part of that one's body. Positions are in the AST (line and column of every node), so an
// edit that moves code (a line added in a body) changes the skeleton; comments are not.
import { createHash } from 'crypto';
import type * as A from './ast';
import { parsePython, readPythonFile } from './parse';
import { setShapeProvider, statFile, type FileShape } from '../vfs';

interface Shape extends FileShape {
  bodies: Map<string, string>;
}

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
  const shape: Shape = { skeleton: '', bodies: new Map() };
  // the functions not nested in another (through classes and compound statements), each with its key
  const seen = new Set<string>();
  let dup = false;
  const visit = (v: unknown, inFunction: string | null): void => {
    if (Array.isArray(v)) { for (const x of v) visit(x, inFunction); return; }
    if (!v || typeof v !== 'object') return;
    const node = v as Record<string, unknown> & { type?: string };
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
  shape.skeleton = hash(JSON.stringify(module, function (this: unknown, k: string, v: unknown) {
    if (k === 'body' && tops.has(this as object)) return BODY;
    if (k === 'endCol') return undefined;
    return plain(k, v);
  }));
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

setShapeProvider({
  ofModule: m => (isNode(m) && m.type === 'Module' ? shapeOfModule(m as A.Module) : null),
  current: currentShape,
  keyOf: def => DEFS.get(def) ?? null,
});
