// Pure (no `vscode`): the last answer shown for a project, kept on disk in the extension's workspace storage so
// that a returning user sees it at once (marked as cached) while the fresh index and database reads run behind it.
// v8's serializer keeps what JSON would lose (the Sets of applied keys) and is fast to read back; each property is
// serialized on its own with a digest (core/index-by-key.ts).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import type { ProjectIndex } from '../../core/scan';
import { splitDjangoReport } from '../../core/django';
import { deserializeByKey, digestsOf, serializeByKey, type KeyTable } from '../../core/index-by-key';

/** Bump when ProjectIndex or this file's layout changes: an older snapshot is then ignored, never half-read. */
const FORMAT = 2;

/**
 * The file: the header's length (4 bytes), the header, then the index by property (core/index-by-key.ts). The
 * header alone says which values the snapshot holds (their digests): the fresh index is asked for with them before
 * the body is read.
 */
interface Header {
  format: number;
  /** the extension version that wrote it: another version ignores it */
  version: string;
  managePy: string;
  savedAt: number;
  table: KeyTable;
}

export interface Snapshot {
  index: ProjectIndex;
  savedAt: number;
}

/** A snapshot whose header was read: the digest of each property of its index, and the index on demand. */
export interface OpenSnapshot {
  savedAt: number;
  digests: Record<string, string>;
  /** the index (read once; null when the rest of the file cannot be read) */
  index(): ProjectIndex | null;
}

function fileFor(dir: string, managePy: string): string {
  return path.join(dir, `snapshot-${createHash('sha1').update(path.resolve(managePy)).digest('hex').slice(0, 16)}.bin`);
}

/**
 * The header of this project's snapshot written by this extension version, or null (none, unreadable, another
 * version). The file stays open until the index is read: a snapshot written meanwhile (renamed over it) is not mixed in.
 */
export function openSnapshot(dir: string, managePy: string, version: string): OpenSnapshot | null {
  let fd: number | null = null;
  try {
    fd = fs.openSync(fileFor(dir, managePy), 'r');
    const len = Buffer.alloc(4);
    if (fs.readSync(fd, len, 0, 4, 0) !== 4) throw new Error('short');
    const n = len.readUInt32LE(0);
    // (an older layout's first bytes read as a length of hundreds of megabytes)
    if (n > fs.fstatSync(fd).size - 4) throw new Error('not this layout');
    const hb = Buffer.alloc(n);
    if (fs.readSync(fd, hb, 0, n, 4) !== n) throw new Error('short');
    const head = v8.deserialize(hb) as Header;
    if (head.format !== FORMAT || head.version !== version || head.managePy !== path.resolve(managePy) || !Array.isArray(head.table)) throw new Error('other');
    const digests = digestsOf(head.table);
    const open = fd;
    fd = null;
    let read: ProjectIndex | null | undefined;
    return {
      savedAt: head.savedAt,
      digests,
      index: () => {
        if (read !== undefined) return read;
        try {
          const size = head.table.reduce((sum, [, , l]) => sum + l, 0);
          const body = Buffer.alloc(size);
          if (fs.readSync(open, body, 0, size, 4 + n) !== size) return (read = null);
          return (read = deserializeByKey<ProjectIndex>(head.table, body));
        } catch {
          return (read = null);
        } finally {
          fs.closeSync(open);
        }
      },
    };
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** The snapshot of this project written by this extension version, or null (none, unreadable, another version). */
export function loadSnapshot(dir: string, managePy: string, version: string): Snapshot | null {
  const open = openSnapshot(dir, managePy, version);
  const index = open?.index();
  return open && index ? { index, savedAt: open.savedAt } : null;
}

/** What a SnapshotWrite (scanWorkerProtocol.ts) makes of a kept index: some properties replaced, findings added. */
export function snapshotOf(index: ProjectIndex, write: { extras: Partial<ProjectIndex>; moreFindings?: ProjectIndex['findings'] }): ProjectIndex {
  const out = { ...index, ...write.extras };
  return write.moreFindings?.length ? { ...out, findings: [...out.findings, ...write.moreFindings] } : out;
}

/**
 * Write the snapshot (atomically: a reader never sees half a file). Django's raw report is left out: it is only
 * needed to merge Django's answer into a newer static index, which a new session asks Django for anyway.
 */
export function saveSnapshot(dir: string, managePy: string, version: string, index: ProjectIndex, now = Date.now()): void {
  const { table, body } = serializeByKey(splitDjangoReport(index).index, true);
  const head = v8.serialize({ format: FORMAT, version, managePy: path.resolve(managePy), savedAt: now, table } satisfies Header);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  fs.mkdirSync(dir, { recursive: true });
  const file = fileFor(dir, managePy);
  const tmp = `${file}.${process.pid}.tmp`;
  // it holds the settings as read, database passwords too (like the scan worker's caches): readable by the user only
  fs.writeFileSync(tmp, Buffer.concat([len, head, body]), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
