// Pure (no `vscode`): the last answer shown for a project, kept on disk in the extension's workspace storage so
// that a returning user sees it at once (marked as cached) while the fresh index and database reads run behind it.
// v8's serializer keeps what JSON would lose (the Sets of applied keys) and is fast to read back.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import type { ProjectIndex } from '../../core/scan';
import { splitDjangoReport } from '../../core/django';

/** Bump when ProjectIndex changes shape: an older snapshot is then ignored, never half-read. */
const FORMAT = 1;

interface Stored {
  format: number;
  /** the extension version that wrote it: another version ignores it */
  version: string;
  managePy: string;
  savedAt: number;
  index: ProjectIndex;
}

export interface Snapshot {
  index: ProjectIndex;
  savedAt: number;
}

function fileFor(dir: string, managePy: string): string {
  return path.join(dir, `snapshot-${createHash('sha1').update(path.resolve(managePy)).digest('hex').slice(0, 16)}.bin`);
}

/** The snapshot of this project written by this extension version, or null (none, unreadable, another version). */
export function loadSnapshot(dir: string, managePy: string, version: string): Snapshot | null {
  try {
    const data = v8.deserialize(fs.readFileSync(fileFor(dir, managePy))) as Stored;
    if (data.format !== FORMAT || data.version !== version || data.managePy !== path.resolve(managePy) || !data.index) return null;
    return { index: data.index, savedAt: data.savedAt };
  } catch {
    return null;
  }
}

/**
 * Write the snapshot (atomically: a reader never sees half a file). Django's raw report is left out: it is only
 * needed to merge Django's answer into a newer static index, which a new session asks Django for anyway.
 */
export function saveSnapshot(dir: string, managePy: string, version: string, index: ProjectIndex, now = Date.now()): void {
  const stored: Stored = { format: FORMAT, version, managePy: path.resolve(managePy), savedAt: now, index: splitDjangoReport(index).index };
  fs.mkdirSync(dir, { recursive: true });
  const file = fileFor(dir, managePy);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, v8.serialize(stored));
  fs.renameSync(tmp, file);
}
