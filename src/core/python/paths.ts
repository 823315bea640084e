// pathlib/os.path string operations on POSIX paths, shared by the operators (`/`) and the modelled modules.
import * as path from 'path';
import * as fs from 'fs';

export function joinPath(base: string, rel: string): string {
  if (rel.startsWith('/')) return path.posix.normalize(rel);
  if (!base || base === '.') return path.posix.normalize(rel) || '.';
  const j = base.endsWith('/') ? base + rel : base + '/' + rel;
  // pathlib collapses '//' and '.' but keeps '..'
  return j.split('/').filter((p, i) => p !== '.' && (p !== '' || i === 0)).join('/') || '/';
}

export function pathParent(p: string): string {
  if (p === '/' || p === '.' || p === '') return p || '.';
  const d = path.posix.dirname(p);
  return d;
}

export function realpath(p: string): string {
  const norm = path.posix.normalize(p);
  try {
    return fs.realpathSync.native(norm).replace(/\\/g, '/');
  } catch {
    // resolve() is not strict: resolve the longest existing prefix
    const parent = path.posix.dirname(norm);
    if (parent === norm) return norm;
    return path.posix.join(realpath(parent), path.posix.basename(norm));
  }
}
