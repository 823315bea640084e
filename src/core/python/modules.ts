// Where Python modules live, and a parse cache. Mirrors the import system closely enough for static analysis:
// a dotted name is looked up in each search root in order (the project root first, then the environment's
// sys.path entries), as `a/b.py` or `a/b/__init__.py`; namespace packages (a directory without __init__.py)
// count as packages.
import * as fs from 'fs';
import * as path from 'path';
import type { Module } from './ast';
import { parsePython } from './parse';
import type { Logger } from '../types';
import { nullLogger } from '../types';

export interface ResolvedModule {
  name: string;
  /** the .py file; for a namespace package, null */
  file: string | null;
  /** the package directory when the module is a package */
  packageDir: string | null;
  root: string;
}

export class ModuleIndex {
  private readonly resolved = new Map<string, ResolvedModule | null>();
  private readonly parsed = new Map<string, { mtimeMs: number; size: number; module: Module }>();

  constructor(
    /** absolute search roots, in order */
    public readonly roots: string[],
    private readonly logger: Logger = nullLogger,
  ) {}

  /** Resolve "a.b.c" to a file. Cached; call `invalidate()` when files appear or disappear. */
  resolve(name: string): ResolvedModule | null {
    const hit = this.resolved.get(name);
    if (hit !== undefined) return hit;
    let result: ResolvedModule | null = null;
    const parts = name.split('.');
    if (parts.every(p => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) {
      for (const root of this.roots) {
        const base = path.join(root, ...parts);
        const init = path.join(base, '__init__.py');
        if (isFile(init)) { result = { name, file: init, packageDir: base, root }; break; }
        if (isFile(base + '.py')) { result = { name, file: base + '.py', packageDir: null, root }; break; }
      }
      // PEP 420: a directory without __init__.py is a namespace package only if no regular one was found
      if (!result) {
        for (const root of this.roots) {
          const base = path.join(root, ...parts);
          if (isDir(base)) { result = { name, file: null, packageDir: base, root }; break; }
        }
      }
    }
    this.resolved.set(name, result);
    return result;
  }

  /** The dotted name a file has under one of the roots, or null. */
  moduleNameOf(file: string): string | null {
    for (const root of this.roots) {
      const rel = path.relative(root, file);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      const noExt = rel.replace(/\.py$/, '');
      const parts = noExt.split(path.sep);
      if (parts[parts.length - 1] === '__init__') parts.pop();
      if (parts.every(p => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return parts.join('.');
    }
    return null;
  }

  /**
   * Resolve a relative import (`from ..x import y` inside `fromModule`), returning the absolute dotted name.
   * `isPackage` tells whether `fromModule` is a package's __init__.
   */
  static absoluteName(fromModule: string, isPackage: boolean, level: number, module: string | null): string | null {
    if (level === 0) return module;
    const parts = fromModule.split('.');
    const drop = isPackage ? level - 1 : level;
    if (drop > parts.length) return null;
    const base = parts.slice(0, parts.length - drop);
    if (module) base.push(module);
    return base.join('.') || null;
  }

  /** Parse a file (cached by mtime and size). Returns null when it cannot be read. */
  parseFile(file: string): Module | null {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return null;
    }
    const cached = this.parsed.get(file);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.module;
    let source: string;
    try {
      source = fs.readFileSync(file, 'utf8');
    } catch (e) {
      this.logger.warn(`cannot read ${file}: ${(e as Error).message}`);
      return null;
    }
    const module = parsePython(source, file);
    this.parsed.set(file, { mtimeMs: st.mtimeMs, size: st.size, module });
    return module;
  }

  /** Parse the module's file, or null (namespace package, missing). */
  parseModule(name: string): Module | null {
    const r = this.resolve(name);
    return r?.file ? this.parseFile(r.file) : null;
  }

  /** Forget resolution results (files created/deleted) and, optionally, one parsed file. */
  invalidate(file?: string): void {
    this.resolved.clear();
    if (file) this.parsed.delete(file);
  }
}

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
