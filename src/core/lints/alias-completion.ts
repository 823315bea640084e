// Where the editor completes database alias names: inside the string literal of the positions the unknown-alias
// lint reads (./aliases.ts): `.using("…")`, `.db_manager("…")`, `using="…"` (and a `using="…"` parameter default),
// `connections["…"]`, `call_command(…, database="…")`; and in routers, what `db_for_read`/`db_for_write` return and
// what `allow_migrate` compares its `db` with (`db == "…"`, `db in ("…", …)`). Read from tree-sitter's tree of the text being typed, which
// is often incomplete: when the cursor's string is not closed yet (auto-closing quotes off), the text before the
// cursor is parsed again with the quote and the brackets it lacks added, so that the call reads whole.
import type { Node as TSNode, Tree } from 'web-tree-sitter';
import { initPython, MAX_PARSE_CHARS, unclosedBrackets } from '../python/parse';

export type AliasPosition = '.using(…)' | '.db_manager(…)' | 'using=' | 'using= default' | 'connections[…]' | 'call_command(database=…)'
  | 'db_for_read return' | 'db_for_write return' | 'allow_migrate db';

export interface AliasCompletionContext {
  where: AliasPosition;
  /** offsets (UTF-16, as JS strings and VS Code count) of the literal's content: what a completion replaces */
  start: number;
  end: number;
  /** the content before the cursor */
  typed: string;
  quote: '"' | "'";
}

/** The alias position whose string literal holds `offset`, or null. */
export async function aliasCompletionContext(source: string, offset: number): Promise<AliasCompletionContext | null> {
  if (offset < 1 || offset > source.length || source.length > MAX_PARSE_CHARS) return null;
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  // a completion position is inside a string: no quote before the cursor on its line, no parse
  const line = source.slice(lineStart, offset);
  if (!line.includes('"') && !line.includes("'")) return null;
  const parser = await initPython();
  const tree = parser.parse(source);
  if (!tree) return null;
  try {
    const found = inString(tree, offset);
    if (found?.closed) return contextOf(found.node, offset, source, found.node.lastChild!.startIndex);
  } finally {
    tree.delete();
  }
  // the string is not closed: read the text before the cursor as if it were
  const head = source.slice(0, offset);
  const open = parser.parse(head);
  if (!open) return null;
  let probe: Tree | null = null;
  try {
    const quote = openQuote(open, head, lineStart);
    // the brackets before the open string are tokens of `open` already (the string is its last token)
    if (quote) probe = parser.parse(`${head}${quote}${unclosedBrackets(open)}\n`);
  } finally {
    open.delete();
  }
  if (!probe) return null;
  try {
    const found = inString(probe, offset);
    // what follows the cursor on its line is not known to belong to the name: replace up to the cursor only
    return found?.closed ? contextOf(found.node, offset, source, offset) : null;
  } finally {
    probe.delete();
  }
}

/** The string node of `tree` whose content holds `offset` (closed: it has its closing quote). */
function inString(tree: Tree, offset: number): { node: TSNode; closed: boolean } | null {
  for (let n: TSNode | null = tree.rootNode.descendantForIndex(Math.max(0, offset - 1), offset); n; n = n.parent) {
    if (n.type !== 'string') continue;
    const start = n.firstChild;
    const end = n.lastChild;
    if (!start || start.type !== 'string_start' || offset < start.endIndex) return null;
    const closed = !!end && end.type === 'string_end' && !end.isMissing && end.endIndex > end.startIndex;
    if (closed && offset > end.startIndex) return null;
    return { node: n, closed };
  }
  return null;
}

/**
 * The quote of the string the cursor is in, when tree-sitter saw it open and not close before the cursor (on the
 * cursor's line; an alias is never a multi-line string).
 */
function openQuote(tree: Tree, head: string, lineStart: number): string | null {
  let last: TSNode | null = null;
  const c = tree.walk();
  try {
    // the last string_start token on the cursor's line
    for (;;) {
      if (c.nodeType === 'string_start' && c.startIndex >= lineStart) last = c.currentNode;
      if (c.gotoFirstChild()) continue;
      let up = true;
      while (!c.gotoNextSibling()) if (!c.gotoParent()) { up = false; break; }
      if (!up) break;
    }
  } finally {
    c.delete();
  }
  if (!last) return null;
  const quote = head.slice(last.startIndex, last.endIndex);
  if (quote !== '"' && quote !== "'") return null;
  return head.slice(last.endIndex).includes(quote) ? null : quote;
}

function contextOf(s: TSNode, offset: number, source: string, end: number): AliasCompletionContext | null {
  const start = s.firstChild!;
  const quote = start.text;
  // f-strings, bytes, raw and triple-quoted strings never hold an alias
  if (quote !== '"' && quote !== "'") return null;
  if (s.children.some(c => c?.type === 'interpolation' || c?.type === 'escape_sequence')) return null;
  const where = positionOf(s);
  if (!where) return null;
  return { where, start: start.endIndex, end, typed: source.slice(start.endIndex, offset), quote };
}

/** Which alias position the string `s` is in (the same ones aliasUses reads), or null. */
function positionOf(s: TSNode): AliasPosition | null {
  const p = s.parent;
  if (!p) return null;
  switch (p.type) {
    case 'argument_list': {
      const first = p.namedChildren.find(c => c && c.type !== 'comment');
      const call = p.parent;
      if (first?.id !== s.id || call?.type !== 'call') return null;
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'attribute') return null;
      const name = fn.childForFieldName('attribute')?.text;
      return name === 'using' ? '.using(…)' : name === 'db_manager' ? '.db_manager(…)' : null;
    }
    case 'keyword_argument': {
      const name = p.childForFieldName('name')?.text;
      if (name === 'using') return 'using=';
      if (name !== 'database') return null;
      const call = p.parent?.parent;
      return call?.type === 'call' && calleeName(call.childForFieldName('function')) === 'call_command' ? 'call_command(database=…)' : null;
    }
    case 'subscript': {
      if (p.childForFieldName('subscript')?.id !== s.id) return null;
      const value = p.childForFieldName('value');
      return calleeName(value) === 'connections' && (value?.type === 'identifier' || value?.type === 'attribute') ? 'connections[…]' : null;
    }
    case 'default_parameter':
    case 'typed_default_parameter':
      return p.childForFieldName('name')?.text === 'using' ? 'using= default' : null;
    default:
      return routerPosition(s);
  }
}

/** A router method's alias: `return "…"` in db_for_read/db_for_write, `db == "…"` / `db in (…)` in allow_migrate. */
function routerPosition(s: TSNode): AliasPosition | null {
  let n: TSNode = s;
  let p = s.parent;
  // `return "a" if x else "b"`: either branch, not the condition
  while (p?.type === 'conditional_expression' && p.namedChildren[1]?.id !== n.id) { n = p; p = p.parent; }
  if (p?.type === 'return_statement') {
    const name = enclosingFunction(p)?.childForFieldName('name')?.text;
    return name === 'db_for_read' || name === 'db_for_write' ? `${name} return` : null;
  }
  // `db in ("a", "b")`
  if (s.parent && ['tuple', 'list', 'set'].includes(s.parent.type)) { n = s.parent; p = n.parent; } else { n = s; p = s.parent; }
  if (p?.type !== 'comparison_operator' || p.namedChildren.length !== 2) return null;
  const fn = enclosingFunction(p);
  if (fn?.childForFieldName('name')?.text !== 'allow_migrate') return null;
  // allow_migrate(self, db, app_label, …): Django passes the alias second
  const db = fn.childForFieldName('parameters')?.namedChildren[1];
  const other = p.namedChildren.find(c => c?.id !== n.id);
  const op = p.children.find(c => c && !c.isNamed)?.type;
  return db?.type === 'identifier' && other?.type === 'identifier' && other.text === db.text && ['==', '!=', 'in', 'not in'].includes(op ?? '') ? 'allow_migrate db' : null;
}

function enclosingFunction(n: TSNode): TSNode | null {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return p;
    if (p.type === 'lambda' || p.type === 'class_definition') return null;
  }
  return null;
}

/** `f` → "f", `a.b.f` → "f" (as walk.ts calleeName reads the AST). */
function calleeName(n: TSNode | null): string | null {
  if (!n) return null;
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') return n.childForFieldName('attribute')?.text ?? null;
  return null;
}
