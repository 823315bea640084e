// Lint results per file, kept while the file's mtime and size (and the inputs named by `key`) are unchanged:
// a scan after an edit re-reads only the edited files.
import * as fs from 'fs';

export function fileCache<T>(empty: T): (file: string, key: string, compute: (source: string) => T) => T {
  const entries = new Map<string, { mtimeMs: number; size: number; key: string; value: T }>();
  return (file, key, compute) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return empty;
    }
    const hit = entries.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size && hit.key === key) return hit.value;
    let value = empty;
    try {
      value = compute(fs.readFileSync(file, 'utf8'));
    } catch {
      // unreadable (deleted meanwhile, permissions): nothing to report for it
    }
    entries.set(file, { mtimeMs: st.mtimeMs, size: st.size, key, value });
    return value;
  };
}
