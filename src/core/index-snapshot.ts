// The whole static index of a project, kept on disk with what it was computed from (core/vfs.ts Deps: each
// file's stat, each directory's listing) and the options and environment it depends on. A later process (the
// CLI's next `scan`, the extension's next session) answers from it at once when nothing it read has changed:
// checking thousands of stats costs a few tens of milliseconds, where reading the per-file caches and deriving
// everything again costs seconds on a large project (issue 11's "compact on-disk snapshot").
//
// v8.serialize, not JSON: the index is structured-clone data (it crosses postMessage to the extension host),
// Maps and bigints included, and v8's format reads back several times faster than JSON.parse.
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import type { ProjectIndex } from './scan';
import { unchanged } from './vfs';
import { deserializeByKey, digestsOf, serializeByKey, type KeyTable } from './index-by-key';

/** Bump when ProjectIndex or the rules that produce it change (the extension's version is in the key too). */
const SNAPSHOT_VERSION = 4;

/** What the index was computed from: checked before the index itself is read. */
interface Header {
  version: number;
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
  if (!head || head.version !== SNAPSHOT_VERSION || head.key !== key || typeof head.id !== 'string') return false;
  if (!envOk(head.envReads)) return false;
  return unchanged({ files: new Map(head.files), dirs: new Map(head.dirs) }, true);
}

/** Where the snapshot of the project whose files `cacheKey` names is kept. */
export function snapshotFileOf(cacheDir: string, cacheKey: string): string {
  return path.join(cacheDir, `index-${cacheKey}.v8`);
}

/**
 * The stored index (the snapshot's id, and the digest of each of its properties) when its key matches and every
 * file and directory it read is as it was; else null. The file is the header's length (4 bytes), the header, then
 * the index: a stale snapshot costs the header only.
 */
export function readIndexSnapshot(file: string, key: string, envOk: EnvCheck): { index: ProjectIndex; id: string; digests: Record<string, string> } | null {
  try {
    const buf = fs.readFileSync(file);
    const n = buf.readUInt32LE(0);
    const head = v8.deserialize(buf.subarray(4, 4 + n)) as Header;
    if (!validHeader(head, key, envOk) || !Array.isArray(head.table)) return null;
    const index = deserializeByKey<ProjectIndex>(head.table, buf, 4 + n);
    return { index, id: head.id, digests: digestsOf(head.table) };
  } catch {
    return null;
  }
}

/** The id of the stored snapshot when it would answer (readIndexSnapshot), without reading its index. */
export function validSnapshotId(file: string, key: string, envOk: EnvCheck): string | null {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const len = Buffer.alloc(4);
    if (fs.readSync(fd, len, 0, 4, 0) !== 4) return null;
    const n = len.readUInt32LE(0);
    const buf = Buffer.alloc(n);
    if (fs.readSync(fd, buf, 0, n, 4) !== n) return null;
    const head = v8.deserialize(buf) as Header;
    return validHeader(head, key, envOk) ? head.id : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Store `index` with what it was computed from (`digests`: and each property's digest); returns the new snapshot's id. */
export function writeIndexSnapshot(
  file: string, key: string, deps: { files: Map<string, string | null>; dirs: Map<string, string | null> }, envReads: unknown, index: ProjectIndex,
  digests = false,
): string {
  const id = randomUUID();
  const { table, body } = serializeByKey(index, digests);
  const head = v8.serialize({ version: SNAPSHOT_VERSION, key, id, envReads, files: [...deps.files], dirs: [...deps.dirs], table } satisfies Header);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  // it holds the settings as read (database passwords too, like the parse cache holds the settings' source)
  fs.writeFileSync(tmp, Buffer.concat([len, head, body]), { mode: 0o600 });
  fs.renameSync(tmp, file);
  return id;
}
