// The text edit that adds `db_constraint=False` to a relation field's call (the cross-database foreign key quick
// fix), on one line or across lines (Black's layout: one argument per line, the `)` on a line of its own). Pure:
// unit-tested without VS Code.

const FIELD_CALL = /\b(ForeignKey|OneToOneField|ManyToManyField)\s*\(/;

export interface LineEdit {
  /** 0-based line and column of the range replaced */
  line: number; col: number; endLine: number; endCol: number;
  text: string;
}

/**
 * Where the call that starts on `start` closes: its `)` (line, column), and whether it already passes db_constraint.
 * Strings (with escapes and triple quotes) and comments are skipped. Null when it does not close within 60 lines.
 */
function callEnd(lines: readonly string[], start: number): { line: number; col: number; hasDbConstraint: boolean } | null {
  const first = lines[start] ?? '';
  const m = FIELD_CALL.exec(first);
  if (!m) return null;
  let depth = 0;
  let quote: string | null = null;
  let text = '';
  for (let l = start; l < Math.min(lines.length, start + 60); l++) {
    const s = lines[l]!;
    for (let i = l === start ? m.index + m[0].length - 1 : 0; i < s.length; i++) {
      const c = s[i]!;
      if (quote) {
        if (c === '\\') i++;
        else if (s.startsWith(quote, i)) { i += quote.length - 1; quote = null; }
        continue;
      }
      if (c === '#') break;
      if (c === '"' || c === "'") { quote = s.startsWith(c.repeat(3), i) ? c.repeat(3) : c; if (quote.length === 3) i += 2; continue; }
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return { line: l, col: i, hasDbConstraint: /\bdb_constraint\s*=/.test(text) };
      if (depth === 1) text += c;
    }
    // (a string that spans lines is only a triple-quoted one)
    if (quote && quote.length === 1) quote = null;
    text += '\n';
  }
  return null;
}

/** The edit adding `db_constraint=False` to the field call starting on `start`, or null (none, or already there). */
export function dbConstraintEdit(lines: readonly string[], start: number): LineEdit | null {
  const end = callEnd(lines, start);
  if (!end || end.hasDbConstraint) return null;
  const closeLine = lines[end.line]!;
  if (end.line === start || closeLine.slice(0, end.col).trim()) {
    // `)` after an argument on its line: `, db_constraint=False` (or nothing before it but the `(`)
    const inner = closeLine.slice(0, end.col).trimEnd();
    const sep = inner.endsWith('(') ? '' : inner.endsWith(',') ? ' ' : ', ';
    return { line: end.line, col: inner.length, endLine: end.line, endCol: end.col, text: `${sep}db_constraint=False` };
  }
  // `)` on a line of its own: a line of its own for the argument too, indented as the one before, after a comma
  let prev = end.line - 1;
  while (prev > start && !lines[prev]!.trim()) prev--;
  const prevText = lines[prev]!;
  const code = prevText.replace(/\s+#.*$/, '');
  const indent = prev === start ? `${/^\s*/.exec(closeLine)![0]}    ` : /^\s*/.exec(prevText)![0];
  const comma = code.trimEnd().endsWith(',') || code.trimEnd().endsWith('(') ? '' : ',';
  if (comma) {
    // the comma goes after the previous argument (before a trailing comment)
    const at = code.trimEnd().length;
    return { line: prev, col: at, endLine: end.line, endCol: 0, text: `${comma}${prevText.slice(at)}\n${indent}db_constraint=False,\n` };
  }
  return { line: end.line, col: 0, endLine: end.line, endCol: 0, text: `${indent}db_constraint=False,\n` };
}
