// How a long array of the scan worker's reply crosses to the extension host as a patch of the one the host holds
// (scanWorkerProtocol.ts ArrayPatch): runs of the last array, runs of the request's own index (`alt`), edits of a few
// properties, and new items (made tables, wireTable.ts). Kept apart from the worker's message loop so that it can be
// tested alone (test/unit/array-patch.test.ts).
import { isPlainObject, sameValue } from '../core/equal';
import { toTable } from './wireTable';
import type { ArrayPatch } from './scanWorkerProtocol';

/** Where the rows of a request's index stand in its arrays (ALT_KEYS), for ArrayPatch `alt`. */
export interface IndexRows {
  /** the array `of` names */
  array(of: string): readonly unknown[];
  /** the first array (in ALT_KEYS order) holding `x`, and where */
  find(x: unknown): { of: string; at: number } | undefined;
}

/** Arrays shorter than this are sent whole. */
export const PATCH_MIN = 64;
/** how many removed items an equal-value match looks past */
const SKIP_AHEAD = 16;

/**
 * Each object of `items` and where it first stands (kept per array: an index's arrays are never changed once made, and
 * a reply's array is looked up again as the diff base of the next reply, or as the request's rows, ~2 ms a lookup of
 * the 6,000 routing rows).
 */
export function positionsOf(items: readonly unknown[]): Map<unknown, number> {
  let at = POSITIONS.get(items);
  if (!at) POSITIONS.set(items, (at = positionsNow(items)));
  return at;
}

const POSITIONS = new WeakMap<readonly unknown[], Map<unknown, number>>();

function positionsNow(items: readonly unknown[]): Map<unknown, number> {
  const at = new Map<unknown, number>();
  // (from the end: an object's first place is the last one written, one map operation per item instead of a lookup
  // and a write; 20-25 % less time for the 6,000 routing rows of the benchmark project)
  for (let i = items.length - 1; i >= 0; i--) {
    const x = items[i];
    if (isObject(x)) at.set(x, i);
  }
  return at;
}

/**
 * `next` as runs of `prev` and new items (scanWorkerProtocol.ts ArrayPatch), or null when most of it is new. An
 * item counts as `prev`'s when it is the same object or an object equal in value (a re-evaluation makes new objects
 * for unchanged rows: routing after a router or DATABASES edit, findings after routing): the main thread keeps its
 * own, equal, object, so the item is neither sent nor made again there.
 */
export function arrayPatch(prev: readonly unknown[], next: readonly unknown[], alt?: IndexRows): ArrayPatch | null {
  if (next.length < PATCH_MIN) return null;
  // `prev`, the same objects in the same places, with items after them (Django mode's routing after a new model is
  // typed: Django's 6,000 rows, then the new model's static rows): one run of `prev`, and the rest as below without a
  // map of `prev`'s objects (~3 ms of such a merge's reply); an item of the rest that is also one of `prev`'s is sent
  // as `alt`'s or new (equal in value: the main thread makes or takes a copy)
  const appended = next.length > prev.length && prev.length > 0 && next[prev.length - 1] === prev[prev.length - 1] && prev.every((x, i) => next[i] === x);
  const start = appended ? prev.length : 0;
  const at = appended ? new Map<unknown, number>() : positionsOf(prev);
  // `alt`: the request's index's own objects, where they stand in its arrays
  const inAlt = (x: unknown) => alt?.find(x);
  // (`absent`: x is known not to be one of prev's objects)
  const equalAt = (j: number, x: unknown, absent = false) => j < prev.length && isObject(x) && isObject(prev[j]) && (absent || !at.has(x)) && !primitiveDiffers(prev[j] as object, x) && sameValue(prev[j], x);
  // the same object anywhere in prev, or an equal one where the run would continue or a few items after it (items
  // removed before it). Equal items that moved further are sent: looking for them everywhere took 10-50 times longer.
  const find = (x: unknown, expect: number, i: number): number | undefined => {
    const j = at.get(x);
    if (j !== undefined) return j;
    if (!isObject(x)) return undefined;
    for (let d = 0; d <= SKIP_AHEAD; d++) if (equalAt(expect + d, x, true)) return expect + d;
    // where it stands counted from the end (the arrays' lengths differ by what was added or removed before it): after a
    // run of other items in the places of `prev`'s (a merge's routing after a router edit: a block of the index's own
    // flipped decisions, named as `alt`, longer than SKIP_AHEAD), the rest is found again where it was
    const k = i + prev.length - next.length;
    if (k !== expect && k >= 0 && equalAt(k, x, true)) return k;
    return undefined;
  };
  const out: ArrayPatch = appended ? [{ from: 0, len: prev.length }] : [];
  let fresh = 0;
  // where in `prev` the next item is when the arrays keep their order
  let expect = start;
  const limit = next.length / 2;
  // the item where the run would continue, changed in a few properties (a finding's line after a line was typed
  // above it): those properties
  const editAt = (j: number, x: unknown) => j < prev.length && !at.has(x) ? changedProperties(prev[j], x) : null;
  for (let i = start; i < next.length;) {
    const j = find(next[i], expect, i);
    if (j !== undefined) {
      let len = 1;
      while (i + len < next.length && (next[i + len] === prev[j + len] || equalAt(j + len, next[i + len]))) len++;
      out.push({ from: j, len });
      i += len;
      expect = j + len;
      continue;
    }
    const a = inAlt(next[i]);
    if (a !== undefined) {
      const rows = alt!.array(a.of);
      let len = 1;
      while (i + len < next.length && next[i + len] === rows[a.at + len] && !at.has(next[i + len])) len++;
      out.push({ alt: a.at, len, of: a.of });
      i += len;
      continue;
    }
    const set = editAt(expect, next[i]);
    if (set) {
      // (counted as new: a patch of mostly edits is longer than the table of the whole array)
      if (++fresh > limit) return null;
      out.push({ edit: expect++, set });
      i++;
      continue;
    }
    const items: unknown[] = [];
    do items.push(next[i++]); while (i < next.length && fresh + items.length <= limit && find(next[i], expect, i) === undefined && inAlt(next[i]) === undefined && !editAt(expect, next[i]));
    fresh += items.length;
    // most of it is new: sent whole, without looking for equal items in the rest
    if (fresh > limit) return null;
    out.push({ items: toTable(items) ?? items });
  }
  return out;
}

/** An edit changes at most this many properties of an item (and fewer than half of them). */
const EDIT_MAX = 2;

/**
 * Whether a property of `next` holding a string, number or boolean differs from `prev`'s: a rejection on the first
 * such property, before sameValue's walk through every value, nested objects included (arrayPatch tries each new item
 * against up to 17 of `prev`'s: a router edit's thousand re-decided rows spent ~20 ms of a reply there).
 */
function primitiveDiffers(prev: object, next: object): boolean {
  if (Array.isArray(prev) || Array.isArray(next)) return false;
  const a = prev as Record<string, unknown>, b = next as Record<string, unknown>;
  for (const k in b) {
    const v = b[k];
    if ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && v !== a[k] && !(v !== v && a[k] !== a[k])) return true;
  }
  return false;
}

/**
 * The properties in which plain object `next` differs from `prev`, when both have the same keys in the same order
 * and only a few differ; else null.
 */
function changedProperties(prev: unknown, next: unknown): Record<string, unknown> | null {
  if (!isPlainObject(prev) || !isPlainObject(next)) return null;
  const keys = Object.keys(next);
  const before = Object.keys(prev);
  if (keys.length !== before.length || keys.length <= 2 * EDIT_MAX) return null;
  const set: Record<string, unknown> = {};
  let n = 0;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (before[k] !== key) return null;
    if (sameValue(prev[key], next[key])) continue;
    if (++n > EDIT_MAX) return null;
    set[key] = next[key];
  }
  return n ? set : null;
}

export function isObject(x: unknown): x is object {
  return x !== null && typeof x === 'object';
}
