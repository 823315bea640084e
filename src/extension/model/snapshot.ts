// Pure (no `vscode`): the last answer shown for a project, kept on disk in the extension's workspace storage so
// that a returning user sees it at once (marked as cached) while the fresh index and database reads run behind it.
// v8's serializer keeps what JSON would lose (the Sets of applied keys) and is fast to read back; each property is
// serialized on its own with a digest (core/index-by-key.ts).
import { createHash } from 'crypto';
import * as path from 'path';
import type { ProjectIndex } from '../../core/scan';
import { splitDjangoReport } from '../../core/django';
import { digestsOf, openIndexFile, writeIndexFile, type KeyTable } from '../../core/index-by-key';
import { WORKER_ONLY } from '../scanWorkerProtocol';

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
  const f = openIndexFile<Header>(fileFor(dir, managePy));
  if (!f) return null;
  const { head } = f;
  if (head.format !== FORMAT || head.version !== version || head.managePy !== path.resolve(managePy)) { f.close(); return null; }
  let read: ProjectIndex | null | undefined;
  return { savedAt: head.savedAt, digests: digestsOf(head.table), index: () => (read === undefined ? (read = f.body<ProjectIndex>()) : read) };
}

/** The snapshot of this project written by this extension version, or null (none, unreadable, another version). */
export function loadSnapshot(dir: string, managePy: string, version: string): Snapshot | null {
  const open = openSnapshot(dir, managePy, version);
  const index = open?.index();
  return open && index ? { index, savedAt: open.savedAt } : null;
}

/**
 * What a SnapshotWrite (scanWorkerProtocol.ts) makes of a kept index: some properties replaced, findings added, and
 * without what the main thread never reads (WORKER_ONLY: it would hold it from the snapshot).
 */
export function snapshotOf(index: ProjectIndex, write: { extras: Partial<ProjectIndex>; moreFindings?: ProjectIndex['findings'] }): ProjectIndex {
  const out: Record<string, unknown> = { ...index, ...write.extras };
  for (const k of WORKER_ONLY) delete out[k];
  if (write.moreFindings?.length) out.findings = [...(out.findings as ProjectIndex['findings']), ...write.moreFindings];
  return out as unknown as ProjectIndex;
}

/**
 * Write the snapshot (atomically: a reader never sees half a file; readable by the user only: it holds the settings
 * as read, passwords too). Django's raw report is left out: it is only needed to merge Django's answer into a newer
 * static index, which a new session asks Django for anyway.
 */
export function saveSnapshot(dir: string, managePy: string, version: string, index: ProjectIndex, now = Date.now()): void {
  writeIndexFile(fileFor(dir, managePy), { format: FORMAT, version, managePy: path.resolve(managePy), savedAt: now } satisfies Omit<Header, 'table'>, splitDjangoReport(index).index, true);
}
