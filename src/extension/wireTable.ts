// Long arrays of flat rows as they cross between the scan worker and the extension host (scanWorker.ts, scannerClient.ts).
//
// A router or DATABASES edit changes most routing decisions: 6,000 objects on the benchmark project, which repeat a
// few dozen explanations, router paths and locations. V8's serialiser writes every string again (it only shares
// objects), so such an array was 1.2 MB to write in the worker and to read on the host's busy thread. As a table
// each distinct value crosses once, and a row is a few numbers.
//
// Only arrays of plain objects whose values are primitives, flat plain objects (a `loc`), arrays of primitives (a
// hint's keys) or arrays of such rows (a planned migration's operations) are tables; anything else crosses as it is.
// Decoding gives objects equal to the rows (same keys in the same order, nested objects and arrays of values copied
// per row), as the serialiser's copy would have been.

import { isPlainObject } from '../core/equal';

/** An array of rows as its shapes (key lists), distinct values, and per row: the shape, then a value per key. */
export interface WireTable {
  $wire: 'table';
  shapes: string[][];
  values: unknown[];
  rows: Uint32Array;
}

/** Arrays shorter than this cross as they are. */
const TABLE_MIN = 64;

/** A value index that says "an array of rows follows": its length, then its rows (their own shape and values). */
const ROWS = 0xffffffff;

/**
 * `rows` as a WireTable, or null when they are short, not flat rows, or do not repeat their values. A row's value
 * may be an array of such rows itself (Django's planned migrations and their operations): those are written in
 * the same table, after the row's own index for them.
 */
export function toTable(rows: readonly unknown[]): WireTable | null {
  if (rows.length < TABLE_MIN) return null;
  const shapes: string[][] = [];
  const shapeAt = new Map<string, number>();
  const values: unknown[] = [];
  const valueAt = new Map<unknown, number>();
  const objectAt = new Map<string, number>();
  // (rows often share the very object: a decision tree's leaf gives every row it decides the same `loc`)
  const sameObject = new Map<object, number>();
  // (a typed buffer: pushing 50,000 numbers onto an array took most of the time)
  let out = new Uint32Array(rows.length * 8);
  let p = 0;
  let last: string[] | undefined;
  let lastShape = -1;
  let written = 0;
  const room = (n: number) => {
    if (p + n <= out.length) return;
    const grown = new Uint32Array(out.length * 2 + n);
    grown.set(out);
    out = grown;
  };
  const writeRows = (list: readonly unknown[]): boolean => {
    for (const row of list) {
      if (!isPlainObject(row)) return false;
      // rows that repeat few of their values (more than one distinct value in two places: rows each with its own
      // message, place and name) are no smaller as a table
      if (++written % TABLE_MIN === 0 && values.length * 2 > p) return false;
      // (rows mostly have the shape of the row before)
      let k = 0;
      let same = !!last;
      for (const key in row) {
        if (same && last![k] !== key) same = false;
        k++;
      }
      if (!same || k !== last!.length) {
        const keys = Object.keys(row);
        const sig = keys.join('\0');
        let s = shapeAt.get(sig);
        if (s === undefined) { s = shapes.push(keys) - 1; shapeAt.set(sig, s); }
        last = shapes[s]!;
        lastShape = s;
      }
      const keys = last!;
      const shape = lastShape;
      room(keys.length + 1);
      out[p++] = shape;
      for (const key of keys) {
        const v = row[key];
        let i: number | undefined;
        if (Array.isArray(v) && (!v.length || isPlainObject(v[0]))) {
          room(2);
          out[p++] = ROWS;
          out[p++] = v.length;
          if (!writeRows(v)) return false;
          continue;
        }
        if (typeof v === 'object' && v !== null) {
          i = sameObject.get(v);
          if (i === undefined) {
            if (!isFlatObject(v) && !isFlatArray(v)) return false;
            const json = JSON.stringify(v);
            i = objectAt.get(json);
            if (i === undefined) { i = values.push(v) - 1; objectAt.set(json, i); }
            sameObject.set(v, i);
          }
        } else {
          if (!isPrimitive(v)) return false;
          i = valueAt.get(v);
          if (i === undefined) { i = values.push(v) - 1; valueAt.set(v, i); }
        }
        room(1);
        out[p++] = i;
      }
      // (a nested list changed `last`: the next row of this list compares with this row again)
      last = keys;
      lastShape = shape;
    }
    return true;
  };
  if (!writeRows(rows)) return null;
  return { $wire: 'table', shapes, values, rows: out.slice(0, p) };
}

export function isTable(x: unknown): x is WireTable {
  return typeof x === 'object' && x !== null && (x as { $wire?: unknown }).$wire === 'table';
}

/** The rows a WireTable describes (a value that is not one is returned as it is). */
export function fromTable<T>(x: T | WireTable): T {
  if (!isTable(x)) return x;
  const { shapes, values, rows } = x;
  let p = 0;
  const readRow = (): Record<string, unknown> => {
    const keys = shapes[rows[p++]!]!;
    const row: Record<string, unknown> = {};
    for (const k of keys) {
      const at = rows[p++]!;
      if (at === ROWS) {
        const list: Record<string, unknown>[] = [];
        for (let n = rows[p++]!; n > 0; n--) list.push(readRow());
        row[k] = list;
        continue;
      }
      const v = values[at];
      row[k] = Array.isArray(v) ? v.slice() : typeof v === 'object' && v !== null ? { ...v } : v;
    }
    return row;
  };
  const out: Record<string, unknown>[] = [];
  while (p < rows.length) out.push(readRow());
  return out as T;
}

/** A value kept exactly by a Map key (not -0, which a Map does not tell from 0) */
function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === 'undefined' || t === 'string' || t === 'boolean' || (t === 'number' && !Object.is(v, -0));
}

/** A plain object that JSON gives back exactly: strings, finite numbers, booleans and null, one level */
function isFlatObject(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k) || !isJsonPrimitive(v[k])) return false;
  }
  return true;
}

/** An array of such values (a dense one, without other properties: JSON gives it back exactly) */
function isFlatArray(v: unknown): v is unknown[] {
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype || Object.keys(v).length !== v.length) return false;
  for (const x of v) if (!isJsonPrimitive(x)) return false;
  return true;
}

function isJsonPrimitive(x: unknown): boolean {
  const t = typeof x;
  return x === null || t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(x) && !Object.is(x, -0));
}
