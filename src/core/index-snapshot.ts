// The whole static index of a project, kept on disk with what it was computed from (core/vfs.ts Deps: each
// file's stat, each directory's listing) and the options and environment it depends on. A later process (the
// CLI's next `scan`, the extension's next session) answers from it at once when nothing it read has changed:
// checking thousands of stats costs a few tens of milliseconds, where reading the per-file caches and deriving
// everything again costs seconds on a large project (issue 11's "compact on-disk snapshot").
//
// v8.serialize, not JSON: the index is structured-clone data (it crosses postMessage to the extension host),
// Maps and bigints included, and v8's format reads back several times faster than JSON.parse.
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import type { ProjectIndex } from './scan';
import { unchanged } from './vfs';

/** Bump when ProjectIndex or the rules that produce it change (the extension's version is in the key too). */
const SNAPSHOT_VERSION = 2;

/** What the index was computed from: checked before the index itself is read. */
interface Header {
  version: number;
  key: string;
  files: [string, string | null][];
  dirs: [string, string | null][];
}

/**
 * The stored index when its key matches and every file and directory it read is as it was; else null. The file
 * is the header's length (4 bytes), the header, then the index: a stale snapshot costs the header only.
 */
export function readIndexSnapshot(file: string, key: string): ProjectIndex | null {
  try {
    const buf = fs.readFileSync(file);
    const n = buf.readUInt32LE(0);
    const head = v8.deserialize(buf.subarray(4, 4 + n)) as Header;
    if (!head || head.version !== SNAPSHOT_VERSION || head.key !== key) return null;
    if (!unchanged({ files: new Map(head.files), dirs: new Map(head.dirs) }, true)) return null;
    return (v8.deserialize(buf.subarray(4 + n)) as ProjectIndex) ?? null;
  } catch {
    return null;
  }
}

export function writeIndexSnapshot(file: string, key: string, deps: { files: Map<string, string | null>; dirs: Map<string, string | null> }, index: ProjectIndex): void {
  const head = v8.serialize({ version: SNAPSHOT_VERSION, key, files: [...deps.files], dirs: [...deps.dirs] } satisfies Header);
  const body = v8.serialize(index);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  // it holds the settings as read (database passwords too, like the parse cache holds the settings' source)
  fs.writeFileSync(tmp, Buffer.concat([len, head, body]), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
