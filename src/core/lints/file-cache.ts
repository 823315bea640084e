// Lint results per file, kept while the file's mtime and size (and the inputs named by `key`) are unchanged:
// a scan after an edit re-reads only the edited files. The results are small plain data, so they are also kept
// between processes (the CLI's on-disk cache, next to the migration and module caches): a warm `scan` of a large
// project parses none of the files whose lints did not change (Saleor: hundreds of files that call `.using(`).
import { readText, statFile, type FileStat } from '../vfs';

interface Entry<T> { mtimeMs: number; size: number; key: string; value: T }

const named = new Map<string, Map<string, Entry<unknown>>>();
let changed = false;

/** `compute` is given the file's text and the stat it is kept under. */
export function fileCache<T>(name: string, empty: T): (file: string, key: string, compute: (source: string, st: FileStat) => T) => T {
  let entries = named.get(name) as Map<string, Entry<T>> | undefined;
  if (!entries) named.set(name, (entries = new Map()) as Map<string, Entry<unknown>>);
  const map = entries;
  return (file, key, compute) => {
    const st = statFile(file);
    if (!st) return empty;
    const hit = map.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size && hit.key === key) return hit.value;
    let value = empty;
    try {
      value = compute(readText(file), st);
    } catch {
      // unreadable (deleted meanwhile, permissions): nothing to report for it
    }
    map.set(file, { mtimeMs: st.mtimeMs, size: st.size, key, value });
    changed = true;
    return value;
  };
}

/** Put a value computed elsewhere (../prefetch.ts, from the same source) into a cache, as if computed here. */
export function seedFileCache<T>(name: string, file: string, entry: Entry<T>): void {
  let entries = named.get(name);
  if (!entries) named.set(name, (entries = new Map()));
  entries.set(file, entry);
  changed = true;
}

/** Every lint cache as plain JSON, for the on-disk cache; clears the "changed" mark. */
export function exportLintCaches(): Record<string, Record<string, Entry<unknown>>> {
  changed = false;
  return Object.fromEntries([...named].map(([name, m]) => [name, Object.fromEntries(m)]));
}

/** Whether a lint was computed since the caches were imported or exported. */
export function lintCachesChanged(): boolean {
  return changed;
}

/** Seed the caches from an earlier process; entries are used only while mtime, size and key still match. */
export function importLintCaches(data: unknown): void {
  if (!data || typeof data !== 'object') return;
  for (const [name, entries] of Object.entries(data as Record<string, Record<string, Entry<unknown>>>)) {
    if (!entries || typeof entries !== 'object') continue;
    let m = named.get(name);
    if (!m) named.set(name, (m = new Map()));
    for (const [file, e] of Object.entries(entries)) {
      if (e && typeof e.mtimeMs === 'number' && typeof e.size === 'number' && typeof e.key === 'string' && !m.has(file)) m.set(file, e);
    }
  }
}
