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
import * as v8 from 'v8';

/** per property: its name, its digest ('' when none was asked for), and its length in the body */
export type KeyTable = [key: string, digest: string, length: number][];

/**
 * `value`'s properties serialized one by one, in order, with the table that reads them back. `digests`: with the
 * digest of each (the value is then serialized, read back and serialized again: about twice the time).
 */
export function serializeByKey(value: object, digests: boolean): { table: KeyTable; body: Buffer } {
  const table: KeyTable = [];
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const b = digests ? v8.serialize(v8.deserialize(v8.serialize(v))) : v8.serialize(v);
    table.push([k, digests ? createHash('sha1').update(b).digest('hex') : '', b.length]);
    parts.push(b);
  }
  return { table, body: Buffer.concat(parts) };
}

/** The object `serializeByKey` wrote, from its body (a Buffer holding it from `offset`). */
export function deserializeByKey<T>(table: KeyTable, buf: Buffer, offset = 0): T {
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
