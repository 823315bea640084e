// Which aliases are the same physical database: a second alias with the same ENGINE, HOST, PORT and NAME (a
// "replica" that is really the primary), or a TEST MIRROR (Django's own word for "this alias is a replica of that
// one"). Drift is reported once per physical database and the deployment plan migrates it once.
import type { DatabaseSetting } from '../types';
import { engineKind } from './index';
import { sqliteFilePath, isMemoryName } from './sqlite';
import { str } from './driver-util';

export interface SameDatabase {
  /** the earlier alias (settings order) this one is the same database as */
  sameAs: string;
  why: 'same-database' | 'mirror';
}

/** A key equal for two settings that reach the same database; null when it cannot be known (or in-memory). */
export function physicalKey(db: DatabaseSetting, baseDir?: string): string | null {
  const kind = engineKind(db.engine);
  if (db.name === null || db.name === undefined) return null;
  const name = String(db.name);
  if (kind === 'sqlite') {
    // every in-memory connection is its own database
    if (isMemoryName(name)) return null;
    const file = sqliteFilePath(name, baseDir);
    return file ? `sqlite\u0000${file}` : null;
  }
  const options = (db.options ?? {}) as Record<string, unknown>;
  const host = (str(db.host) || str(options.host) || 'localhost').toLowerCase().replace(/^127\.0\.0\.1$|^::1$/, 'localhost');
  const port = str(db.port) || str(options.port) || '';
  return `${kind}\u0000${host}\u0000${port}\u0000${name}`;
}

/** alias → the earlier alias it is the same database as (aliases not listed are their own database). */
export function sameDatabases(databases: readonly DatabaseSetting[], baseDir?: string): Map<string, SameDatabase> {
  const out = new Map<string, SameDatabase>();
  const firstByKey = new Map<string, string>();
  const known = new Set(databases.map(d => d.alias));
  for (const db of databases) {
    const test = db.raw?.TEST;
    const mirror = test instanceof Map ? str(test.get('MIRROR')) : test && typeof test === 'object' ? str((test as Record<string, unknown>).MIRROR) : undefined;
    if (mirror && mirror !== db.alias && known.has(mirror)) {
      out.set(db.alias, { sameAs: out.get(mirror)?.sameAs ?? mirror, why: 'mirror' });
      continue;
    }
    const key = physicalKey(db, baseDir);
    if (key === null) continue;
    const first = firstByKey.get(key);
    if (first) out.set(db.alias, { sameAs: first, why: 'same-database' });
    else firstByKey.set(key, db.alias);
  }
  return out;
}
