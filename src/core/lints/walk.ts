// Walking the Python AST (../python/ast.ts) for the lints: every expression of a statement, every call, every
// statement of a block, and dotted names.
import type * as A from '../python/ast';

export function childExprs(e: A.Expr): A.Expr[] {
  switch (e.type) {
    case 'Attribute': return [e.value];
    case 'Subscript': return [e.value, e.slice];
    case 'Call': return [e.func, ...e.args, ...e.keywords.map(k => k.value)];
    case 'BinOp': return [e.left, e.right];
    case 'UnaryOp': return [e.operand];
    case 'BoolOp': return e.values;
    case 'Compare': return [e.left, ...e.comparators];
    case 'List': case 'Tuple': case 'Set': return e.elts;
    case 'Dict': return [...e.keys.filter((k): k is A.Expr => !!k), ...e.values];
    case 'Starred': return [e.value];
    case 'IfExp': return [e.test, e.body, e.orelse];
    case 'Lambda': return [e.body];
    case 'ListComp': case 'SetComp': case 'GeneratorExp': case 'DictComp':
      return [e.elt, ...(e.value ? [e.value] : []), ...e.generators.flatMap(g => [g.iter, g.target, ...g.ifs])];
    case 'NamedExpr': return [e.target, e.value];
    case 'Slice': return [e.lower, e.upper, e.step].filter((x): x is A.Expr => !!x);
    case 'Await': return [e.value];
    case 'JoinedStr': return e.values.filter((v): v is A.FormattedValue => 'value' in v && typeof v.value === 'object' && v.value !== null && 'type' in v.value).map(v => v.value);
    default: return [];
  }
}

/** Every Call in an expression, outermost first. */
export function calls(e: A.Expr): A.Call[] {
  const out: A.Call[] = [];
  const visit = (x: A.Expr) => {
    if (x.type === 'Call') out.push(x);
    for (const c of childExprs(x)) visit(c);
  };
  visit(e);
  return out;
}

/** The expressions of a statement itself (not of its nested blocks), and its nested blocks. */
export function stmtParts(s: A.Stmt): { exprs: A.Expr[]; blocks: A.Stmt[][] } {
  switch (s.type) {
    case 'Expr': return { exprs: [s.value], blocks: [] };
    case 'Assign': return { exprs: [...s.targets, s.value], blocks: [] };
    case 'AnnAssign': return { exprs: s.value ? [s.target, s.value] : [s.target], blocks: [] };
    case 'AugAssign': return { exprs: [s.target, s.value], blocks: [] };
    case 'Return': return { exprs: s.value ? [s.value] : [], blocks: [] };
    case 'If': return { exprs: [s.test], blocks: [s.body, s.orelse] };
    case 'For': return { exprs: [s.target, s.iter], blocks: [s.body, s.orelse] };
    case 'While': return { exprs: [s.test], blocks: [s.body, s.orelse] };
    case 'With': return { exprs: s.items.flatMap(i => (i.target ? [i.context, i.target] : [i.context])), blocks: [s.body] };
    case 'Try': return { exprs: s.handlers.flatMap(h => (h.typeExpr ? [h.typeExpr] : [])), blocks: [s.body, ...s.handlers.map(h => h.body), s.orelse, s.finalbody] };
    case 'Raise': return { exprs: s.exc ? [s.exc] : [], blocks: [] };
    case 'Delete': return { exprs: s.targets, blocks: [] };
    case 'Assert': return { exprs: [s.test], blocks: [] };
    case 'Match': return { exprs: [s.subject], blocks: s.cases };
    case 'FunctionDef': return { exprs: s.decorators, blocks: [s.body] };
    case 'ClassDef': return { exprs: [...s.bases, ...s.decorators], blocks: [s.body] };
    default: return { exprs: [], blocks: [] };
  }
}

export function* allStmts(body: A.Stmt[]): Generator<A.Stmt> {
  for (const s of body) {
    yield s;
    for (const b of stmtParts(s).blocks) yield* allStmts(b);
  }
}

export function calleeName(f: A.Expr): string | null {
  if (f.type === 'Name') return f.id;
  if (f.type === 'Attribute') return f.attr;
  return null;
}

export function dotted(e: A.Expr): string | null {
  if (e.type === 'Name') return e.id;
  if (e.type === 'Attribute') {
    const b = dotted(e.value);
    return b ? `${b}.${e.attr}` : null;
  }
  return null;
}
