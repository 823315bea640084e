// The whole static index of a project, kept on disk with what it was computed from (core/vfs.ts Deps: each
// file's stat, each directory's listing) and the options and environment it depends on. A later process (the
// CLI's next `scan`, the extension's next session) answers from it at once when nothing it read has changed:
// checking thousands of stats costs a few tens of milliseconds, where reading the per-file caches and deriving
// everything again costs seconds on a large project (issue 11's "compact on-disk snapshot").
//
// v8.serialize, not JSON: the index is structured-clone data (it crosses postMessage to the extension host),
// Maps and bigints included, and v8's format reads back several times faster than JSON.parse.
import { randomUUID } from 'crypto';
import * as path from 'path';
import type { ProjectIndex } from './scan';
import { unchanged } from './vfs';
import { digestsOf, openIndexFile, writeIndexFile, type KeyTable } from './index-by-key';
import { BUILD_ID } from './build-id';

/** Bump when ProjectIndex or the rules that produce it change (the extension's version is in the key too). */
const SNAPSHOT_VERSION = `5:${BUILD_ID}`;

/** What the index was computed from: checked before the index itself is read. */
interface Header {
  version: string;
  key: string;
  /** new for every snapshot written: what was computed from this index (core/report-cache.ts) names it */
  id: string;
  /** the environment variables the settings read, with the values they had */
  envReads: unknown;
  files: [string, string | null][];
  dirs: [string, string | null][];
  /** the index's properties in the body, each with the digest of its bytes (./index-by-key.ts) */
  table: KeyTable;
}

/** `envOk(reads)`: whether the environment variables the settings read still have the values they had. */
export type EnvCheck = (reads: unknown) => boolean;

/** Whether the header's key matches, the environment variables are as they were, and so is every file and directory it read. */
function validHeader(head: Header | null, key: string, envOk: EnvCheck): boolean {
  try {
    if (!head || head.version !== SNAPSHOT_VERSION || head.key !== key || typeof head.id !== 'string') return false;
    if (!envOk(head.envReads)) return false;
    return unchanged({ files: new Map(head.files), dirs: new Map(head.dirs) }, true);
  } catch {
    return false; // a header of another shape
  }
}

/** Where the snapshot of the project whose files `cacheKey` names is kept. */
export function snapshotFileOf(cacheDir: string, cacheKey: string): string {
  return path.join(cacheDir, `index-${cacheKey}.v8`);
}

/**
 * The stored index (the snapshot's id, and the digest of each of its properties) when its key matches and every
 * file and directory it read is as it was; else null. The header is read first: a stale snapshot costs the header
 * only.
 */
export function readIndexSnapshot(file: string, key: string, envOk: EnvCheck): { index: ProjectIndex; id: string; digests: Record<string, string> } | null {
  const f = openIndexFile<Header>(file);
  if (!f) return null;
  if (!validHeader(f.head, key, envOk)) { f.close(); return null; }
  const index = f.body<ProjectIndex>();
  return index ? { index, id: f.head.id, digests: digestsOf(f.head.table) } : null;
}

/** The id of the stored snapshot when it would answer (readIndexSnapshot), without reading its index. */
export function validSnapshotId(file: string, key: string, envOk: EnvCheck): string | null {
  const f = openIndexFile<Header>(file);
  if (!f) return null;
  f.close();
  return validHeader(f.head, key, envOk) ? f.head.id : null;
}

/** Store `index` with what it was computed from (`digests`: and each property's digest); returns the new snapshot's id. */
export function writeIndexSnapshot(
  file: string, key: string, deps: { files: Map<string, string | null>; dirs: Map<string, string | null> }, envReads: unknown, index: ProjectIndex,
  digests = false,
): string {
  const id = randomUUID();
  writeIndexFile(file, { version: SNAPSHOT_VERSION, key, id, envReads, files: [...deps.files], dirs: [...deps.dirs] } satisfies Omit<Header, 'table'>, index, digests);
  return id;
}
