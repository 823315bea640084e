// An index on disk as its top-level properties, each serialized (v8) on its own with a digest of its bytes. Two
// snapshots written by different processes (the scan worker's index snapshot, the extension's start-up snapshot)
// can then tell which properties hold the same value without reading either: a returning user's fresh index is
// sent to the extension host as the properties that differ from the answer it already shows (issue 11).
//
// The digest is of v8's serialization of the value as read back: v8 writes an array it built (dense) otherwise than
// one it read (sparse), and a value read back is written the same way every time. Equal digests mean values that
// read back equal. Equal values may still have different digests (another key order, other shared references):
// that only sends a property that was not needed.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';

/** per property: its name, its digest ('' when none was asked for), and its length in the body */
export type KeyTable = [key: string, digest: string, length: number][];

/**
 * `value`'s properties serialized one by one, in order, with the table that reads them back (the parts are kept
 * apart: they are written one after another, never copied into one buffer). `digests`: with the digest of each (the
 * value is then serialized, read back and serialized again: about twice the time).
 */
function serializeByKey(value: object, digests: boolean): { table: KeyTable; parts: Buffer[] } {
  const table: KeyTable = [];
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const b = digests ? v8.serialize(v8.deserialize(v8.serialize(v))) : v8.serialize(v);
    table.push([k, digests ? createHash('sha1').update(b).digest('hex') : '', b.length]);
    parts.push(b);
  }
  return { table, parts };
}

/** The object `serializeByKey` wrote, from its body (a Buffer holding it from `offset`). */
function deserializeByKey<T>(table: KeyTable, buf: Buffer, offset = 0): T {
  const out: Record<string, unknown> = {};
  let at = offset;
  for (const [k, , len] of table) {
    out[k] = v8.deserialize(buf.subarray(at, at + len));
    at += len;
  }
  return out as T;
}

/** property → digest (those that have one) */
export function digestsOf(table: KeyTable): Record<string, string> {
  return Object.fromEntries(table.filter(([, d]) => d).map(([k, d]) => [k, d]));
}

/**
 * Write `index` by property with `header` (and the table that reads it back) in front: the header's length (4 bytes),
 * the header, then the body, so that a reader can check the header alone. Atomically (a reader never sees half a
 * file), readable by the user only: an index holds the settings as read, database passwords too.
 */
export function writeIndexFile(file: string, header: object, index: object, digests: boolean): void {
  const { table, parts } = serializeByKey(index, digests);
  const head = v8.serialize({ ...header, table });
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    // the parts as they are (a Buffer.concat of a large index copied 10-20 MB first)
    for (const b of [len, head, ...parts]) {
      for (let at = 0; at < b.length;) at += fs.writeSync(fd, b, at, b.length - at);
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** A file `writeIndexFile` wrote, its header read; it stays open until its body is read or it is closed. */
export interface IndexFile<H> {
  head: H & { table: KeyTable };
  /** the index (null when the rest of the file cannot be read); the file is closed after */
  body<T>(): T | null;
  close(): void;
}

/** The header of a file `writeIndexFile` wrote, or null (missing, unreadable, another layout). */
export function openIndexFile<H>(file: string): IndexFile<H> | null {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const len = Buffer.alloc(4);
    if (fs.readSync(fd, len, 0, 4, 0) !== 4) throw new Error('short');
    const n = len.readUInt32LE(0);
    // (another layout's first bytes may read as a length of hundreds of megabytes)
    if (n > fs.fstatSync(fd).size - 4) throw new Error('not this layout');
    const hb = Buffer.alloc(n);
    if (fs.readSync(fd, hb, 0, n, 4) !== n) throw new Error('short');
    const head = v8.deserialize(hb) as H & { table: KeyTable };
    if (!head || !Array.isArray(head.table)) throw new Error('not this layout');
    const open = fd;
    fd = null;
    let closed = false;
    const close = () => { if (!closed) { closed = true; fs.closeSync(open); } };
    return {
      head,
      close,
      body: <T>() => {
        try {
          const size = head.table.reduce((sum, [, , l]) => sum + l, 0);
          const body = Buffer.alloc(size);
          return fs.readSync(open, body, 0, size, 4 + n) === size ? deserializeByKey<T>(head.table, body) : null;
        } catch {
          return null;
        } finally {
          close();
        }
      },
    };
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
