// `ast.literal_eval` over ./ast.ts: strings (implicit concatenation is already joined by the parser), bytes,
// numbers, True/False/None, tuples, lists, sets, dicts, and unary +/- on numbers (plus `a + bj` complex
// literals, which CPython accepts, are reported as not evaluable). Anything else is `{ ok: false }`.
//
// Python values map to JS as: str → string, int → number (bigint beyond 2**53), float → number, bool → boolean,
// None → null, tuple/list → array, set → array (insertion order, duplicates dropped for primitives),
// dict → plain object when every key is a string, else a `Map`. Bytes stay `{ bytes: string }`.
import type { Expr } from './ast';

export type LiteralResult = { ok: true; value: unknown } | { ok: false };

const FAIL: LiteralResult = { ok: false };

export function literalEval(expr: Expr): LiteralResult {
  try {
    return evalNode(expr, 0);
  } catch {
    return FAIL;
  }
}

/** Convenience: the literal value, or `undefined` when `expr` is not a literal. */
export function literalValue(expr: Expr | null | undefined): unknown {
  if (!expr) return undefined;
  const r = literalEval(expr);
  return r.ok ? r.value : undefined;
}

const MAX_DEPTH = 100;

function evalNode(e: Expr, depth: number): LiteralResult {
  if (depth > MAX_DEPTH) return FAIL;
  switch (e.type) {
    case 'Constant': {
      const v = e.value;
      // the parser represents complex literals and `...` as { ellipsis: true }; literal_eval accepts `...`
      // (it is a Constant in CPython) but we cannot tell it from a complex number here, so refuse both.
      if (v !== null && typeof v === 'object' && 'ellipsis' in v) return FAIL;
      if (typeof v === 'number' && Number.isNaN(v)) return FAIL;
      return { ok: true, value: v };
    }
    case 'UnaryOp': {
      if (e.op !== '-' && e.op !== '+') return FAIL;
      // CPython only allows +/- directly on a numeric Constant
      if (e.operand.type !== 'Constant') return FAIL;
      const v = e.operand.value;
      if (typeof v === 'number') return { ok: true, value: e.op === '-' ? -v : v };
      if (typeof v === 'bigint') return { ok: true, value: e.op === '-' ? -v : v };
      // True/False are ints in Python: -True == -1
      if (typeof v === 'boolean') return { ok: true, value: e.op === '-' ? -Number(v) : Number(v) };
      return FAIL;
    }
    case 'Tuple':
    case 'List': {
      const out: unknown[] = [];
      for (const x of e.elts) {
        const r = evalNode(x, depth + 1);
        if (!r.ok) return FAIL;
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
    case 'Set': {
      const out: unknown[] = [];
      const seen = new Set<unknown>();
      for (const x of e.elts) {
        const r = evalNode(x, depth + 1);
        if (!r.ok) return FAIL;
        const prim = r.value === null || typeof r.value !== 'object';
        if (prim) {
          if (seen.has(r.value)) continue;
          seen.add(r.value);
        }
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
    case 'Dict': {
      const entries: [unknown, unknown][] = [];
      for (let i = 0; i < e.keys.length; i++) {
        const k = e.keys[i];
        if (!k) return FAIL; // `**x`
        const kr = evalNode(k, depth + 1);
        const vr = evalNode(e.values[i]!, depth + 1);
        if (!kr.ok || !vr.ok) return FAIL;
        entries.push([kr.value, vr.value]);
      }
      if (entries.every(([k]) => typeof k === 'string')) {
        const obj: Record<string, unknown> = {};
        for (const [k, v] of entries) Object.defineProperty(obj, k as string, { value: v, enumerable: true, writable: true, configurable: true });
        return { ok: true, value: obj };
      }
      return { ok: true, value: new Map(entries) };
    }
    default:
      return FAIL;
  }
}
