// Long arrays of flat rows as they cross between the scan worker and the extension host (scanWorker.ts, scannerClient.ts).
//
// A router or DATABASES edit changes most routing decisions: 6,000 objects on the benchmark project, which repeat a
// few dozen explanations, router paths and locations. V8's serialiser writes every string again (it only shares
// objects), so such an array was 1.2 MB to write in the worker and to read on the host's busy thread. As a table
// each distinct value crosses once, and a row is a few numbers.
//
// Only arrays of plain objects whose values are primitives or flat plain objects (a `loc`) are tables; anything else
// crosses as it is. Decoding gives objects equal to the rows (same keys in the same order, nested objects copied
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

/** `rows` as a WireTable, or null when they are short, not flat rows, or do not repeat their values. */
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
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!isPlainObject(row)) return null;
    // rows that repeat few of their values (findings: each its own message and place) are no smaller as a table
    if (r > 0 && r % TABLE_MIN === 0 && values.length * 4 > p) return null;
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
    if (p + last!.length + 1 > out.length) {
      const grown = new Uint32Array(out.length * 2 + last!.length + 1);
      grown.set(out);
      out = grown;
    }
    out[p++] = lastShape;
    for (const key of last!) {
      const v = row[key];
      let i: number | undefined;
      if (typeof v === 'object' && v !== null) {
        i = sameObject.get(v);
        if (i === undefined) {
          if (!isFlatObject(v)) return null;
          const json = JSON.stringify(v);
          i = objectAt.get(json);
          if (i === undefined) { i = values.push(v) - 1; objectAt.set(json, i); }
          sameObject.set(v, i);
        }
      } else {
        if (!isPrimitive(v)) return null;
        i = valueAt.get(v);
        if (i === undefined) { i = values.push(v) - 1; valueAt.set(v, i); }
      }
      out[p++] = i;
    }
  }
  return { $wire: 'table', shapes, values, rows: out.slice(0, p) };
}

export function isTable(x: unknown): x is WireTable {
  return typeof x === 'object' && x !== null && (x as { $wire?: unknown }).$wire === 'table';
}

/** The rows a WireTable describes (a value that is not one is returned as it is). */
export function fromTable<T>(x: T | WireTable): T {
  if (!isTable(x)) return x;
  const { shapes, values, rows } = x;
  const out: Record<string, unknown>[] = [];
  for (let p = 0; p < rows.length;) {
    const keys = shapes[rows[p++]!]!;
    const row: Record<string, unknown> = {};
    for (const k of keys) {
      const v = values[rows[p++]!];
      row[k] = typeof v === 'object' && v !== null ? { ...v } : v;
    }
    out.push(row);
  }
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
    if (!Object.prototype.hasOwnProperty.call(v, k)) return false;
    const x = v[k];
    const t = typeof x;
    if (!(x === null || t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(x) && !Object.is(x, -0)))) return false;
  }
  return true;
}
