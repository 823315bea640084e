// A scan's printed output, kept on disk with everything it was computed from, so that the next identical scan
// prints it without deriving it again (the CLI's `scan --json`, issue 11's "warm scan" figure).
//
// It is a cache, never a guess: it answers only when
// - the index snapshot it was computed from (core/index-snapshot.ts, named by its id) would answer: its key, every
//   file stat and directory listing it read, and the environment variables the settings read are as they were;
// - the options that shape the output (the caller's key) are the same;
// - each database, read again now in the same read-only way, holds exactly what it held (a digest of the rows of
//   django_migrations, the schema and the row counts read, or the same error); a SQLite database whose files have
//   not been written since it was read (db/sqlite.ts sqliteFileIdentity) is not read again.
// Other databases are always read: what is pending can change without any file of the project changing.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import type { AppliedState } from './types';
import type { StateReadInputs } from './scan';
import { BUILD_ID } from './build-id';

/** Bump when the entry's shape changes. */
const ENTRY_VERSION = `2:${BUILD_ID}`;

export interface OutputEntry {
  version: string;
  /** the caller's key (the options that shape the output) and the snapshot's key */
  key: string;
  /** the index snapshot the output was computed from */
  snapshotId: string;
  /**
   * how the databases were read (null: not read), its schemas' fingerprints, and per alias the digest of what was read
   * and (SQLite) the identity of its files when it was read (db/sqlite.ts)
   */
  read: { inputs: StateReadInputs; fingerprints: Record<string, string>; digests: Record<string, string>; files: Record<string, string> } | null;
  /** the output, as printed (already redacted), UTF-8 */
  output: Uint8Array;
}

/**
 * A digest of what the databases held: the same rows, schema, counts and errors give the same digest. A schema
 * with a fingerprint (SQLite) counts by it and its row counts, so a read that skipped the columns
 * (`unlessFingerprint`) digests like the full read it matched.
 */
export function digestOfState(applied: Record<string, AppliedState>): string {
  const sorted = Object.keys(applied).sort().map(a => {
    // the rows in any order (a server returns them in its storage order, which VACUUM may change)
    const st = { ...applied[a]!, appliedKeys: [...applied[a]!.appliedKeys].sort() };
    const s = st.schema;
    if (!s?.fingerprint) return st;
    const counts = [...s.tables].filter(([, t]) => t.rows !== undefined).map(([n, t]) => [n, t.rows, !!t.rowsEstimated, !!t.rowsAtLeast]);
    return { ...st, schema: { fingerprint: s.fingerprint, foldCase: !!s.foldCase, counts } };
  });
  return createHash('sha256').update(v8.serialize(sorted)).digest('hex');
}

/** The schema fingerprints of what was read, per alias (the next read skips the columns when they match). */
export function fingerprintsOf(applied: Record<string, AppliedState>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [a, st] of Object.entries(applied)) if (st.schema?.fingerprint) out[a] = st.schema.fingerprint;
  return out;
}

export function outputCacheFile(cacheDir: string, cacheKey: string): string {
  return path.join(cacheDir, `output-${cacheKey}.v8`);
}

export function readOutputEntry(file: string): OutputEntry | null {
  try {
    const e = v8.deserialize(fs.readFileSync(file)) as OutputEntry;
    return e && e.version === ENTRY_VERSION && e.output instanceof Uint8Array ? e : null;
  } catch {
    return null;
  }
}

export function writeOutputEntry(file: string, entry: Omit<OutputEntry, 'version'>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  // it holds how the databases are reached (passwords too, as the index snapshot does): the owner's only
  fs.writeFileSync(tmp, v8.serialize({ version: ENTRY_VERSION, ...entry } satisfies OutputEntry), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
