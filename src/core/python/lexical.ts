// Python literals' text → values, shared by the tree-sitter converter (./parse.ts) and the parser of our own
// (./fast-parser.ts), so that both read a number or a string the same way.

/** a decimal literal of at most 15 digits, no leading zero, no underscores */
const DECIMAL = /^(?:0|[1-9]\d{0,14})$/;

export function parseIntLiteral(text: string): number | bigint {
  // (most literals are short decimals, `max_length=100`: read as a number, without a BigInt; 15 digits stay exact)
  if (DECIMAL.test(text)) return Number(text);
  const t = text.replace(/_/g, '').toLowerCase();
  if (/[jl]$/.test(t)) return Number.NaN;
  try {
    let b: bigint;
    if (t.startsWith('0x') || t.startsWith('0o') || t.startsWith('0b')) b = BigInt(t);
    else b = BigInt(t.replace(/^0+(?=\d)/, ''));
    return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b;
  } catch {
    return Number.NaN;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '' };

/** Python string escapes (\n, \x41, \u00e9, \N{...} is kept as written). */
export function decodeEscapes(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch !== '\\' || i === s.length - 1) { out += ch; continue; }
    const nx = s[i + 1]!;
    if (nx === 'x' || nx === 'u' || nx === 'U') {
      const len = nx === 'x' ? 2 : nx === 'u' ? 4 : 8;
      const hex = s.slice(i + 2, i + 2 + len);
      if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === len) { out += String.fromCodePoint(parseInt(hex, 16)); i += 1 + len; continue; }
    }
    if (/[0-7]/.test(nx)) {
      const m = /^[0-7]{1,3}/.exec(s.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length;
      continue;
    }
    if (nx in SIMPLE_ESCAPES) { out += SIMPLE_ESCAPES[nx]; i++; continue; }
    out += ch;
  }
  return out;
}
