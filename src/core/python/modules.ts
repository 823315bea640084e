// Where Python modules live, and a parse cache. Mirrors the import system closely enough for static analysis:
// a dotted name is looked up in each search root in order (the project root first, then the environment's
// sys.path entries), as `a/b.py` or `a/b/__init__.py`; namespace packages (a directory without __init__.py)
// count as packages.
import * as fs from 'fs';
import * as path from 'path';
import type { Module, ParseLimit } from './ast';
import { ParseBudget, parsePython, readPythonFile } from './parse';
import { noteExecModule, readDir, statFile, structureCount } from '../vfs';
import { rememberParse, rememberedParse } from './shape';
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

/**
 * A parsed file as the on-disk cache keeps it (v8.serialize, which brings back a bigint, NaN or ±Infinity in the AST
 * as it was: every entry is kept).
 */
export interface ParsedCacheEntry {
  mtimeMs: number;
  size: number;
  module: Module;
  /** read (from the cache or the file) in this process: entries of files no longer used are not exported */
  used?: boolean;
}

export class ModuleIndex {
  private readonly resolved = new Map<string, ResolvedModule | null>();
  private readonly parsed = new Map<string, ParsedCacheEntry>();
  /**
   * Directory listings (name → kind), kept while a scan runs (`snapshot`): resolving thousands of dotted names
   * against several roots would otherwise stat every candidate path. Python's own FileFinder works the same
   * way (a cached, case-sensitive listing per directory). Outside a snapshot every lookup asks the file system.
   */
  private listings: Map<string, Map<string, EntryKind> | null> | null = null;
  /** files parsed (not served from the cache) since the last `exportParsed()` */
  private parsedSinceExport = 0;
  /** parse time shared by the files of one scan (`startScan`) */
  budget = new ParseBudget();
  /** files read in this scan that a parse limit cut short (a `parse-budget` finding each) */
  private readonly limitedFiles = new Map<string, ParseLimit>();

  private readonly rootSet: Set<string>;
  /** the project's folder: places in messages are shown relative to it (shortLoc) */
  displayRoot: string | null = null;
  /** vfs structure count the resolution results were computed at */
  private resolvedAt = structureCount();

  constructor(
    /** absolute search roots, in order */
    public readonly roots: string[],
    private readonly logger: Logger = nullLogger,
  ) {
    this.rootSet = new Set(roots.map(r => path.resolve(r)));
  }

  /** Resolve "a.b.c" to a file. Cached; call `invalidate()` when files appear or disappear. */
  resolve(name: string): ResolvedModule | null {
    if (this.resolvedAt !== structureCount()) {
      this.resolved.clear();
      this.resolvedAt = structureCount();
    }
    const hit = this.resolved.get(name);
    if (hit !== undefined) return hit;
    let result: ResolvedModule | null = null;
    const parts = name.split('.');
    // (a part may begin with a digit: importlib imports `app.migrations.0001_initial` by name, as Django does)
    if (parts.every(p => /^[A-Za-z0-9_]+$/.test(p))) {
      for (const root of this.roots) {
        const base = path.join(root, ...parts);
        if (this.isFile(base, '__init__.py')) { result = { name, file: path.join(base, '__init__.py'), packageDir: base, root }; break; }
        if (this.isFile(base, '.py')) { result = { name, file: base + '.py', packageDir: null, root }; break; }
      }
      // PEP 420: a directory without __init__.py is a namespace package only if no regular one was found
      if (!result) {
        for (const root of this.roots) {
          const base = path.join(root, ...parts);
          if (this.isDir(base)) { result = { name, file: null, packageDir: base, root }; break; }
        }
      }
    }
    this.resolved.set(name, result);
    return result;
  }

  /** Is `base/__init__.py` (suffix '__init__.py') or `base.py` (suffix '.py') a file? */
  private isFile(base: string, suffix: '__init__.py' | '.py'): boolean {
    if (!this.listings) return isFile(suffix === '.py' ? base + suffix : path.join(base, suffix));
    return suffix === '.py'
      ? this.kindOf(path.dirname(base), path.basename(base) + '.py') === 'file'
      : this.isDir(base) && this.kindOf(base, '__init__.py') === 'file';
  }

  private isDir(p: string): boolean {
    if (!this.listings) return isDir(p);
    const parent = path.dirname(p);
    if (parent === p || this.rootSet.has(p)) return isDir(p);
    return this.kindOf(parent, path.basename(p)) === 'dir';
  }

  /**
   * Run `fn` with the file system taken as unchanging (directory listings are read once), e.g. one whole scan.
   * Files that appear or disappear meanwhile may be missed, as they may be by the resolution cache anyway.
   */
  async snapshot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.listings) return fn();
    this.listings = new Map();
    try {
      return await fn();
    } finally {
      this.listings = null;
    }
  }

  /** What `dir/name` is (symlinks followed, like stat), from the directory's listing (during a snapshot). */
  private kindOf(dir: string, name: string): EntryKind | null {
    let listing = this.listings!.get(dir);
    if (listing === undefined) {
      // below a search root, a directory whose parent lists no such directory is not read at all
      const parent = path.dirname(dir);
      const below = !this.rootSet.has(dir) && parent !== dir;
      listing = below && this.kindOf(parent, path.basename(dir)) !== 'dir' ? null : readListing(dir);
      this.listings!.set(dir, listing);
    }
    if (!listing) return null;
    const kind = listing.get(name);
    if (kind !== 'link') return kind ?? null;
    const target = isFile(path.join(dir, name)) ? 'file' : isDir(path.join(dir, name)) ? 'dir' : 'other';
    listing.set(name, target);
    return target;
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

  /** A new scan: a fresh parse budget, and the files cut short are counted again. */
  startScan(budget = new ParseBudget()): void {
    this.budget = budget;
    this.limitedFiles.clear();
  }

  /** Files read since `startScan` whose reading a parse limit cut short. */
  limits(): Map<string, ParseLimit> {
    return this.limitedFiles;
  }

  /** Whether `file` is parsed already for its current mtime and size (parseFile would cost no parse). */
  hasParse(file: string): boolean {
    const st = statFile(file);
    const cached = st && this.parsed.get(file);
    return !!cached && cached.mtimeMs === st!.mtimeMs && cached.size === st!.size && !cached.module.limit?.retry;
  }

  /** Parse a file (cached by mtime and size). Returns null when it cannot be read. */
  parseFile(file: string): Module | null {
    const st = statFile(file);
    if (!st) return null;
    const cached = this.parsed.get(file);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size && !cached.module.limit?.retry) {
      cached.used = true;
      if (cached.module.limit) this.limitedFiles.set(file, cached.module.limit);
      noteExecModule(file, cached.module);
      return cached.module;
    }
    // (parsed here already: a function-level dependency check read the edited file, python/shape.ts)
    let module = rememberedParse(file, st.mtimeMs, st.size);
    if (!module) {
      const read = readPythonFile(file, st);
      if ('error' in read) {
        this.logger.warn(`cannot read ${file}: ${read.error}`);
        return null;
      }
      module = parsePython(read.source, file, { budget: this.budget, fileSize: read.fileSize });
      rememberParse(file, st.mtimeMs, st.size, module);
    }
    if (module.limit) this.limitedFiles.set(file, module.limit);
    this.parsed.set(file, { mtimeMs: st.mtimeMs, size: st.size, module, used: true });
    this.parsedSinceExport++;
    noteExecModule(file, module);
    return module;
  }

  /**
   * Parsed files for an on-disk cache between processes (v8.serialize), or null when nothing was parsed since the
   * cache was last imported or exported (so the caller need not rewrite it).
   */
  exportParsed(): Record<string, ParsedCacheEntry> | null {
    if (!this.parsedSinceExport) return null;
    this.parsedSinceExport = 0;
    const out: Record<string, ParsedCacheEntry> = {};
    for (const [file, e] of this.parsed) {
      // a file cut short by time may read fully in a later process (with more of the scan's budget left)
      // nor an unsaved buffer's (vfs overlay: a negative pseudo-mtime no file on disk has)
      if (!e.used || e.module.limit?.kind === 'time' || e.mtimeMs < 0) continue;
      out[file] = { mtimeMs: e.mtimeMs, size: e.size, module: e.module };
    }
    return out;
  }

  /**
   * Seed the parse cache from an earlier process. An entry is used only while the file's mtime and size are
   * unchanged, exactly like an in-process hit.
   */
  importParsed(data: unknown): void {
    if (!data || typeof data !== 'object') return;
    for (const [file, e] of Object.entries(data as Record<string, ParsedCacheEntry>)) {
      if (e && typeof e.mtimeMs === 'number' && typeof e.size === 'number' && e.module?.type === 'Module' && !this.parsed.has(file)) {
        this.parsed.set(file, { mtimeMs: e.mtimeMs, size: e.size, module: e.module });
      }
    }
  }

  /** Parse the module's file, or null (namespace package, missing). */
  parseModule(name: string): Module | null {
    const r = this.resolve(name);
    return r?.file ? this.parseFile(r.file) : null;
  }

  /**
   * Forget resolution results (files created/deleted) and, optionally, one parsed file. With a file, resolution
   * is kept unless the vfs saw the structure change (vfs.invalidate, called first, tells).
   */
  invalidate(file?: string): void {
    if (file) {
      this.parsed.delete(file);
      if (this.resolvedAt === structureCount()) return;
    }
    this.resolved.clear();
    this.resolvedAt = structureCount();
    this.listings?.clear();
  }
}

type EntryKind = 'file' | 'dir' | 'link' | 'other';

function readListing(dir: string): Map<string, EntryKind> | null {
  const entries = readDir(dir);
  if (!entries) return null;
  const out = new Map<string, EntryKind>();
  for (const e of entries) out.set(e.name, e.isFile() ? 'file' : e.isDirectory() ? 'dir' : e.isSymbolicLink() ? 'link' : 'other');
  return out;
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
