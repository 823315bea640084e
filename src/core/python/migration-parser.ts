// A parser of our own for the migration files Django writes, for a migration-only reading (./parse.ts
// ParseOptions.only): imports, a docstring, top-level assignments and one `class Migration` whose body is
// assignments of literals, names and calls. That is most of a project's Python by size (3,000 of the benchmark
// project's 3,300 files), and tree-sitter's parse plus the conversion of its tree took most of a cold scan's time.
//
// It reads the whole file, as tree-sitter would: every argument of every operation is parsed (a syntax error
// anywhere must send the file to tree-sitter, which reports it), but only what the migration reader reads is
// kept; the rest becomes `not-read` with its place, as the converter's migration-only reading gives it.
//
// It accepts only what it reads in full and knows to be valid Python; anything else (a `def`, an `if`, a
// backslash continuation, an f-string, a lambda, a tab, a syntax error …) returns null and the file goes to
// tree-sitter. What the grammar below does not read (a comprehension's `for`, a walrus, a slice's `:`) fails at the
// next token it expects: a list, a call or a statement takes only `,`, its closing bracket or the line's end. What it returns must equal the converter's migration-only reading, node for node and position for
// position: test/unit/migration-parser.test.ts compares the two on Django's own migrations, the test projects and
// the benchmark generator's, and bench/migration-parser.ts on any project's.
import type * as A from './ast';
import { decodeEscapes, parseIntLiteral } from './lexical';

/** The keyword values of an operation call that a migration-only reading converts (migrations/files.ts reads them). */
const MIGRATION_KEYWORDS = new Set(['name', 'model_name', 'old_name', 'hints', 'database_operations']);

/**
 * How a migration-only reading reads an operation call's keyword argument `arg` (null: `**kw`), here and in the
 * converter (../parse.ts operationCall): as operations (`database_operations`), as an expression, or not at all.
 */
export function keywordReading(arg: string | null): 'operations' | 'read' | 'not-read' {
  if (arg === 'database_operations') return 'operations';
  return arg !== null && MIGRATION_KEYWORDS.has(arg) ? 'read' : 'not-read';
}

/** Thrown (one object, no stack) when the file is not one this parser reads: tree-sitter reads it. */
const UNSUPPORTED = Object.freeze({ unsupported: true });

/** Python's keywords, and Python 2's print and exec (tree-sitter-python has statements for them): never a name here */
const KEYWORDS = new Set([
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass',
  'raise', 'return', 'try', 'while', 'with', 'yield', 'True', 'False', 'None', 'print', 'exec',
]);
/** words that start a statement of their own (soft keywords …) or are one: such a statement is tree-sitter's */
function startsOtherStatement(w: string): boolean {
  return (KEYWORDS.has(w) && w !== 'True' && w !== 'False' && w !== 'None') || w === 'match' || w === 'case' || w === 'type';
}

/** Deeper nesting goes to tree-sitter, which has the limits (../parse.ts MAX_NESTING). */
const MAX_NEST = 100;

const SPACE = 32, HASH = 35, NL = 10, BACKSLASH = 92, QUOTE = 39, DQUOTE = 34;

function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

interface Spans { args: A.Pos[]; keywords: A.Pos[] }

/**
 * tree-sitter-python's precedences (not quite Python's: its `^` binds tighter than `&`; the converter's tree is
 * tree-sitter's, and a reading here must be the same)
 */
const BINARY_PRECEDENCE: Record<string, number | undefined> = Object.assign(Object.create(null) as Record<string, number>, {
  '|': 0, '&': 1, '^': 2, '<<': 3, '>>': 3, '+': 4, '-': 4, '*': 5, '/': 5, '//': 5, '%': 5, '@': 5,
});

/**
 * The statements a migration-only reading of `source` gives (../parse.ts), or null when this parser does not read
 * the file (then tree-sitter does).
 */
export function parseMigrationFile(source: string): A.Stmt[] | null {
  // tabs (indentation), carriage returns, form feeds, a byte order mark, NUL: tree-sitter's reading of them is its own
  if (/[\t\r\f\v\ufeff\0]/.test(source)) return null;
  try {
    return new MigrationParser(source).module();
  } catch (e) {
    if (e === UNSUPPORTED) return null;
    // a stack overflow would be a bug of the depth guard: tree-sitter still reads the file
    if (e instanceof RangeError) return null;
    throw e;
  }
}

class MigrationParser {
  private i = 0;
  /** 1-based line of `i`, and the index where that line starts */
  private line = 1;
  private ls = 0;
  /** open brackets: newlines inside them are whitespace */
  private depth = 0;
  private nest = 0;
  /** where the last token ended */
  private el = 1;
  private ec = 0;
  /** the argument places of the calls read (for their `not-read` arguments), while `record` */
  private spans = new Map<A.Call, Spans>();
  private record = false;

  constructor(private readonly s: string) {}

  // ---- characters and tokens ---------------------------------------------------------------------

  /** Skip spaces and comments (and newlines inside brackets). */
  private skip(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === SPACE) this.i++;
      else if (c === HASH) {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? s.length : nl;
      } else if (c === NL && this.depth > 0) this.newline();
      else if (c === BACKSLASH) throw UNSUPPORTED;
      else return;
    }
  }

  /** A token ends at `i`: note its end and move to the next. */
  private ended(): void {
    this.el = this.line;
    this.ec = this.i - this.ls;
    this.skip();
  }

  private at(c: number): boolean {
    return this.s.charCodeAt(this.i) === c;
  }

  /** the operator (punctuation) starting at `i`: one to three characters ('' at the end of the file) */
  private op(): string {
    const s = this.s, i = this.i;
    const c = s.charCodeAt(i);
    const d = s.charCodeAt(i + 1);
    switch (c) {
      case 42: // *
        if (d === 42) return s.charCodeAt(i + 2) === 61 ? '**=' : '**';
        return d === 61 ? '*=' : '*';
      case 47: // /
        if (d === 47) return s.charCodeAt(i + 2) === 61 ? '//=' : '//';
        return d === 61 ? '/=' : '/';
      case 60: // <
        if (d === 60) return s.charCodeAt(i + 2) === 61 ? '<<=' : '<<';
        return d === 61 ? '<=' : d === 62 ? '<>' : '<';
      case 62: // >
        if (d === 62) return s.charCodeAt(i + 2) === 61 ? '>>=' : '>>';
        return d === 61 ? '>=' : '>';
      case 61: // =
        return d === 61 ? '==' : '=';
      case 33: // !
        return d === 61 ? '!=' : '!';
      case 45: // -
        return d === 62 ? '->' : d === 61 ? '-=' : '-';
      case 58: // :
        return d === 61 ? ':=' : ':';
      case 43: case 37: case 38: case 124: case 94: case 64: // + % & | ^ @
        return d === 61 ? `${s[i]}=` : s[i]!;
      case 46: // .
        return d === 46 && s.charCodeAt(i + 2) === 46 ? '...' : '.';
    }
    return Number.isNaN(c) ? '' : s[i]!;
  }

  private eatOp(o: string): void {
    this.i += o.length;
    if (o === '(' || o === '[' || o === '{') this.depth++;
    else if (o === ')' || o === ']' || o === '}') this.depth--;
    this.ended();
  }

  private expectOp(o: string): void {
    if (this.op() !== o) throw UNSUPPORTED;
    this.eatOp(o);
  }

  /** the identifier (or keyword) at `i`, not consumed; '' if none */
  private word(): string {
    const s = this.s;
    let j = this.i;
    if (!isIdStart(s.charCodeAt(j))) {
      if (s.charCodeAt(j) > 127) throw UNSUPPORTED;
      return '';
    }
    j++;
    while (isIdChar(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) > 127) throw UNSUPPORTED;
    return s.slice(this.i, j);
  }

  private eatWord(w: string): void {
    this.i += w.length;
    this.ended();
  }

  private isWord(w: string): boolean {
    return this.s.charCodeAt(this.i) === w.charCodeAt(0) && this.s.startsWith(w, this.i) && !isIdChar(this.s.charCodeAt(this.i + w.length)) && !(this.s.charCodeAt(this.i + w.length) > 127);
  }

  /** a name that is not a keyword */
  private name(): string {
    const w = this.word();
    if (!w || KEYWORDS.has(w)) throw UNSUPPORTED;
    this.eatWord(w);
    return w;
  }

  private posFrom(line: number, col: number): A.Pos {
    return { line, col, endLine: this.el, endCol: this.ec };
  }

  // ---- statements ----------------------------------------------------------------------------------

  module(): A.Stmt[] {
    const body: A.Stmt[] = [];
    const s = this.s;
    while (this.i < s.length) {
      // at the start of a line
      const c = s.charCodeAt(this.i);
      if (c === NL) {
        this.newline();
        continue;
      }
      if (c === SPACE || c === HASH) {
        this.skip();
        if (this.i >= s.length) break;
        if (this.at(NL)) continue;
        throw UNSUPPORTED; // indented code at the top level
      }
      const w = this.word();
      if (w === 'import') this.importStatement();
      else if (w === 'from') this.fromStatement();
      else if (w === 'class') {
        body.push(this.classDef());
        continue; // the class body ended at the start of a line
      } else {
        if (startsOtherStatement(w)) throw UNSUPPORTED;
        this.exprStatement(false);
      }
      this.endOfStatement();
    }
    return body;
  }

  private newline(): void {
    this.i++;
    this.line++;
    this.ls = this.i;
  }

  /** After a statement (and its comment): the end of the line, or of the file. */
  private endOfStatement(): void {
    if (this.i >= this.s.length) return;
    if (!this.at(NL)) throw UNSUPPORTED;
    this.newline();
  }

  private dotted(): void {
    this.name();
    while (this.op() === '.') {
      this.eatOp('.');
      this.name();
    }
  }

  private importStatement(): void {
    this.eatWord('import');
    for (;;) {
      this.dotted();
      if (this.isWord('as')) {
        this.eatWord('as');
        this.name();
      }
      if (this.op() !== ',') return;
      this.eatOp(',');
    }
  }

  private fromStatement(): void {
    this.eatWord('from');
    let dots = 0;
    for (let o = this.op(); o === '.' || o === '...'; o = this.op()) {
      this.eatOp(o);
      dots += o.length;
    }
    if (!this.isWord('import')) this.dotted();
    else if (!dots) throw UNSUPPORTED;
    if (!this.isWord('import')) throw UNSUPPORTED;
    this.eatWord('import');
    if (this.op() === '*') {
      this.eatOp('*');
      return;
    }
    const paren = this.op() === '(';
    if (paren) this.eatOp('(');
    for (;;) {
      this.name();
      if (this.isWord('as')) {
        this.eatWord('as');
        this.name();
      }
      if (this.op() !== ',') break;
      this.eatOp(',');
      if (paren && this.op() === ')') break;
    }
    if (paren) this.expectOp(')');
  }

  /** `class Migration(…):` and its indented body; ends at the start of the line after it. */
  private classDef(): A.ClassDef {
    const line = this.line, col = this.i - this.ls;
    this.eatWord('class');
    const name = this.name();
    if (name !== 'Migration') throw UNSUPPORTED; // left out, but its body would have to be read for errors
    const bases: A.Expr[] = [];
    const keywords: A.Keyword[] = [];
    if (this.op() === '(') this.callArguments(bases, keywords, null);
    this.expectOp(':');
    if (!this.at(NL)) throw UNSUPPORTED; // a body on the same line
    this.newline();

    const s = this.s;
    const body: A.Stmt[] = [];
    let indent = -1;
    let endLine = 0, endCol = 0;
    /** a comment line less indented than the body came after its last statement */
    let outdentedComment = false;
    while (this.i < s.length) {
      let j = this.i;
      while (s.charCodeAt(j) === SPACE) j++;
      const n = j - this.i;
      const c = s.charCodeAt(j);
      if (c === NL) {
        this.i = j;
        this.newline();
        continue;
      }
      if (c === HASH) {
        // a comment line: one as indented as the body, after its statements, ends the class (tree-sitter keeps it
        // in the block); a less indented one does not, and the code after it must not be in the body
        const nl = s.indexOf('\n', j);
        this.i = nl < 0 ? s.length : nl;
        if (indent >= 0) {
          if (n >= indent && !outdentedComment) {
            endLine = this.line;
            endCol = this.i - this.ls;
          } else outdentedComment = true;
        }
        continue;
      }
      if (j >= s.length) {
        this.i = j;
        break;
      }
      if (n === 0) break;
      if (indent < 0) indent = n;
      else if (n !== indent || outdentedComment) throw UNSUPPORTED;
      this.i = j;
      const w = this.word();
      if (w === 'pass') this.eatWord('pass');
      else {
        if (startsOtherStatement(w)) throw UNSUPPORTED;
        body.push(this.exprStatement(true));
      }
      endLine = this.el;
      endCol = this.ec;
      // a comment after the statement, on its line: tree-sitter's block ends after it
      if (this.hadComment()) endCol = this.i - this.ls;
      this.endOfStatement();
    }
    if (indent < 0) throw UNSUPPORTED; // no body
    return { type: 'ClassDef', line, col, endLine, endCol, name, bases, keywords, body, decorators: [] };
  }

  /** whether a comment lies between the last token's end and `i` (on this line) */
  private hadComment(): boolean {
    if (this.el !== this.line) return false;
    const h = this.s.indexOf('#', this.ls + this.ec);
    return h >= 0 && h < this.i;
  }

  /**
   * An expression statement or an assignment. `convert`: in the Migration class, whose assignments the migration
   * reader reads (else the statement is only checked).
   */
  private exprStatement(convert: boolean): A.Stmt {
    const line = this.line, col = this.i - this.ls;
    const first = this.test();
    // (`a, b`, `x: int`, `x += 1`, `a; b` …: the caller's endOfStatement refuses what is left of the line)
    if (this.op() !== '=') return { type: 'Expr', line, col, endLine: this.el, endCol: this.ec, value: first };
    // a target is a name as written (`(a) = 1` is tree-sitter's: its tree has a pattern there)
    if (!this.bareName(first, line, col)) throw UNSUPPORTED;
    const targets: A.Expr[] = [first];
    let value: A.Expr;
    for (;;) {
      this.eatOp('=');
      const operations = convert && targets.length === 1 && (targets[0] as A.Name).id === 'operations';
      this.record = operations;
      const vl = this.line, vc = this.i - this.ls;
      const v = this.test();
      this.record = false;
      if (this.op() === '=') {
        if (!this.bareName(v, vl, vc)) throw UNSUPPORTED;
        targets.push(v);
        continue;
      }
      value = operations ? this.operations(v) : v;
      break;
    }
    this.spans.clear();
    return { type: 'Assign', line, col, endLine: this.el, endCol: this.ec, targets, value };
  }

  /** `e`, read just now from (line, col), is a name and nothing around it */
  private bareName(e: A.Expr, line: number, col: number): boolean {
    return e.type === 'Name' && e.line === line && e.col === col && this.el === line && this.ec === col + e.id.length;
  }

  // ---- operations ----------------------------------------------------------------------------------

  /** The converter's `operationsValue`: lists, tuples and `+` of operation calls, each call read in part. */
  private operations(e: A.Expr): A.Expr {
    switch (e.type) {
      case 'List':
      case 'Tuple':
        for (let k = 0; k < e.elts.length; k++) e.elts[k] = this.operations(e.elts[k]!);
        return e;
      case 'BinOp':
        e.left = this.operations(e.left);
        e.right = this.operations(e.right);
        return e;
      case 'Call':
        return this.operationCall(e);
      default:
        return e;
    }
  }

  private operationCall(call: A.Call): A.Call {
    const spans = this.spans.get(call);
    if (!spans) throw UNSUPPORTED;
    const notRead = (p: A.Pos): A.OtherExpr => ({ type: 'OtherExpr', ...p, kind: 'not-read', text: '' });
    const args = call.args.map((a, k) => (k === 0 ? this.operations(a) : notRead(spans.args[k]!)));
    const keywords = call.keywords.map((kw, k): A.Keyword => {
      const how = keywordReading(kw.arg);
      return { arg: kw.arg, value: how === 'operations' ? this.operations(kw.value) : how === 'read' ? kw.value : notRead(spans.keywords[k]!) };
    });
    return { type: 'Call', line: call.line, col: call.col, endLine: call.endLine, endCol: call.endCol, func: call.func, args, keywords };
  }

  // ---- expressions ---------------------------------------------------------------------------------

  private enter(): void {
    if (++this.nest > MAX_NEST) throw UNSUPPORTED;
  }

  /** `test`: a conditional expression or below (`lambda`, `yield`, `await` are keywords no atom takes) */
  private test(): A.Expr {
    this.enter();
    const line = this.line, col = this.i - this.ls;
    const body = this.orTest();
    let e = body;
    if (this.isWord('if')) {
      this.eatWord('if');
      const test = this.orTest();
      if (!this.isWord('else')) throw UNSUPPORTED;
      this.eatWord('else');
      const orelse = this.test();
      e = { type: 'IfExp', line, col, endLine: this.el, endCol: this.ec, test, body, orelse };
    }
    this.nest--;
    return e;
  }

  private orTest(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    let acc = this.andTest();
    while (this.isWord('or')) {
      this.eatWord('or');
      acc = this.boolOp('or', acc, this.andTest(), line, col);
    }
    return acc;
  }

  private andTest(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    let acc = this.notTest();
    while (this.isWord('and')) {
      this.eatWord('and');
      acc = this.boolOp('and', acc, this.notTest(), line, col);
    }
    return acc;
  }

  /** `acc op right`, flattened as the converter does (../parse.ts binaryChain): a left operand of the same operator is extended */
  private boolOp(op: 'and' | 'or', acc: A.Expr, right: A.Expr, line: number, col: number): A.BoolOp {
    if (acc.type === 'BoolOp' && acc.op === op) {
      acc.values.push(right);
      acc.line = line;
      acc.col = col;
      acc.endLine = this.el;
      acc.endCol = this.ec;
      return acc;
    }
    return { type: 'BoolOp', line, col, endLine: this.el, endCol: this.ec, op, values: [acc, right] };
  }

  private notTest(): A.Expr {
    if (!this.isWord('not')) return this.comparison();
    this.enter();
    const line = this.line, col = this.i - this.ls;
    this.eatWord('not');
    const operand = this.notTest();
    this.nest--;
    return { type: 'UnaryOp', line, col, endLine: this.el, endCol: this.ec, op: 'not', operand };
  }

  private compareOp(): A.CmpOp | null {
    const o = this.op();
    switch (o) {
      case '<': case '>': case '==': case '>=': case '<=': case '!=':
        this.eatOp(o);
        return o;
      case '<>':
        throw UNSUPPORTED;
    }
    if (this.isWord('in')) {
      this.eatWord('in');
      return 'in';
    }
    if (this.isWord('is')) {
      this.eatWord('is');
      if (this.isWord('not')) {
        this.eatWord('not');
        return 'is not';
      }
      return 'is';
    }
    if (this.isWord('not')) {
      this.eatWord('not');
      if (!this.isWord('in')) throw UNSUPPORTED;
      this.eatWord('in');
      return 'not in';
    }
    return null;
  }

  private comparison(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    const left = this.binary(0);
    let op = this.compareOp();
    if (!op) return left;
    const ops: A.CmpOp[] = [];
    const comparators: A.Expr[] = [];
    while (op) {
      ops.push(op);
      comparators.push(this.binary(0));
      op = this.compareOp();
    }
    return { type: 'Compare', line, col, endLine: this.el, endCol: this.ec, left, ops, comparators };
  }

  /** Binary operators by precedence, loosest first (`**` and unary operators are in `factor`), left-associative. */
  private binary(minPrec: number): A.Expr {
    const line = this.line, col = this.i - this.ls;
    let acc = this.factor();
    for (;;) {
      const o = this.op();
      const prec = BINARY_PRECEDENCE[o];
      if (prec === undefined || prec < minPrec) return acc;
      this.eatOp(o);
      const right = this.binary(prec + 1);
      acc = { type: 'BinOp', line, col, endLine: this.el, endCol: this.ec, left: acc, op: o, right };
    }
  }

  private factor(): A.Expr {
    const o = this.op();
    if (o === '-' || o === '+' || o === '~') {
      this.enter();
      const line = this.line, col = this.i - this.ls;
      this.eatOp(o);
      const operand = this.factor();
      this.nest--;
      return { type: 'UnaryOp', line, col, endLine: this.el, endCol: this.ec, op: o, operand };
    }
    const line = this.line, col = this.i - this.ls;
    const base = this.primary();
    if (this.op() !== '**') return base;
    this.eatOp('**');
    const right = this.factor();
    return { type: 'BinOp', line, col, endLine: this.el, endCol: this.ec, left: base, op: '**', right };
  }

  private primary(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    let e = this.atom();
    for (;;) {
      const o = this.op();
      if (o === '.') {
        this.eatOp('.');
        const attr = this.name();
        e = { type: 'Attribute', line, col, endLine: this.el, endCol: this.ec, value: e, attr };
      } else if (o === '(') {
        const args: A.Expr[] = [];
        const keywords: A.Keyword[] = [];
        const spans: Spans | null = this.record ? { args: [], keywords: [] } : null;
        this.callArguments(args, keywords, spans);
        const call: A.Call = { type: 'Call', line, col, endLine: this.el, endCol: this.ec, func: e, args, keywords };
        if (spans) this.spans.set(call, spans);
        e = call;
      } else if (o === '[') {
        this.enter();
        this.eatOp('[');
        const slice = this.test();
        if (this.op() !== ']') throw UNSUPPORTED; // slices, tuples of subscripts
        this.eatOp(']');
        this.nest--;
        e = { type: 'Subscript', line, col, endLine: this.el, endCol: this.ec, value: e, slice };
      } else return e;
    }
  }

  /** `(args)`: positional, `*a`, `name=v`, `**kw`; `spans`, when given, gets each argument's (value's) place */
  private callArguments(args: A.Expr[], keywords: A.Keyword[], spans: Spans | null): void {
    this.enter();
    this.eatOp('(');
    while (this.op() !== ')') {
      const line = this.line, col = this.i - this.ls;
      const o = this.op();
      if (o === '**') {
        this.eatOp('**');
        const value = this.test();
        keywords.push({ arg: null, value });
        spans?.keywords.push(this.posFrom(line, col));
      } else if (o === '*') {
        this.eatOp('*');
        const value = this.test();
        args.push({ type: 'Starred', line, col, endLine: this.el, endCol: this.ec, value });
        spans?.args.push(this.posFrom(line, col));
      } else {
        const w = this.word();
        const after = w ? this.afterWord(w) : -1;
        if (w && !KEYWORDS.has(w) && this.s.charCodeAt(after) === 61 /* = */ && this.s.charCodeAt(after + 1) !== 61) {
          this.eatWord(w);
          this.eatOp('=');
          const vl = this.line, vc = this.i - this.ls;
          const value = this.test();
          keywords.push({ arg: w, value });
          spans?.keywords.push(this.posFrom(vl, vc));
        } else {
          const value = this.test();
          args.push(value);
          spans?.args.push(this.posFrom(line, col));
        }
      }
      if (this.op() !== ',') break;
      this.eatOp(',');
    }
    this.expectOp(')');
    this.nest--;
  }

  /** the index of the first non-space character after the word at `i` (same line) */
  private afterWord(w: string): number {
    let j = this.i + w.length;
    while (this.s.charCodeAt(j) === SPACE) j++;
    return j;
  }

  /** an element of a list, tuple or set display, `*x` too */
  private element(): A.Expr {
    if (this.op() !== '*') return this.test();
    const line = this.line, col = this.i - this.ls;
    this.eatOp('*');
    const value = this.binary(0);
    return { type: 'Starred', line, col, endLine: this.el, endCol: this.ec, value };
  }

  /** elements up to the closing bracket `close` (eaten); `first` already read */
  private elements(first: A.Expr | null, close: string): A.Expr[] {
    const elts: A.Expr[] = first ? [first] : [];
    if (first) {
      if (this.op() !== ',') {
        this.expectOp(close);
        return elts;
      }
      this.eatOp(',');
    }
    while (this.op() !== close) {
      elts.push(this.element());
      if (this.op() !== ',') break;
      this.eatOp(',');
    }
    this.expectOp(close);
    return elts;
  }

  private atom(): A.Expr {
    this.enter();
    const e = this.atomInner();
    this.nest--;
    return e;
  }

  private atomInner(): A.Expr {
    const s = this.s;
    const line = this.line, col = this.i - this.ls;
    const c = s.charCodeAt(this.i);
    if (this.atString()) return this.strings();
    if (isDigit(c) || (c === 46 /* . */ && isDigit(s.charCodeAt(this.i + 1)))) return this.number();
    const o = this.op();
    switch (o) {
      case '(': {
        this.eatOp('(');
        if (this.op() === ')') {
          this.eatOp(')');
          return { type: 'Tuple', line, col, endLine: this.el, endCol: this.ec, elts: [] };
        }
        const first = this.element();
        if (this.op() === ')' && first.type !== 'Starred') {
          this.eatOp(')');
          return first; // parentheses: the expression itself, as the converter gives it
        }
        if (this.op() !== ',') throw UNSUPPORTED;
        const elts = this.elements(first, ')');
        return { type: 'Tuple', line, col, endLine: this.el, endCol: this.ec, elts };
      }
      case '[': {
        this.eatOp('[');
        const elts = this.elements(null, ']');
        return { type: 'List', line, col, endLine: this.el, endCol: this.ec, elts };
      }
      case '{':
        return this.braces(line, col);
      case '...':
        this.eatOp('...');
        return { type: 'Constant', line, col, endLine: this.el, endCol: this.ec, value: { ellipsis: true } };
    }
    const w = this.word();
    if (!w) throw UNSUPPORTED;
    if (w === 'True' || w === 'False' || w === 'None') {
      this.eatWord(w);
      return { type: 'Constant', line, col, endLine: this.el, endCol: this.ec, value: w === 'None' ? null : w === 'True' };
    }
    if (KEYWORDS.has(w)) throw UNSUPPORTED;
    this.eatWord(w);
    return { type: 'Name', line, col, endLine: this.el, endCol: this.ec, id: w };
  }

  /** `{}`, a dict or a set display */
  private braces(line: number, col: number): A.Expr {
    this.eatOp('{');
    const keys: (A.Expr | null)[] = [];
    const values: A.Expr[] = [];
    if (this.op() === '}') {
      this.eatOp('}');
      return { type: 'Dict', line, col, endLine: this.el, endCol: this.ec, keys, values };
    }
    let first: A.Expr | null = null;
    if (this.op() !== '**') {
      first = this.element();
      if (first.type === 'Starred' && this.op() === ':') throw UNSUPPORTED; // `{*a: 1}`: not Python
      if (this.op() !== ':') {
        const elts = this.elements(first, '}');
        return { type: 'Set', line, col, endLine: this.el, endCol: this.ec, elts };
      }
    }
    for (;;) {
      if (first) {
        this.eatOp(':');
        keys.push(first);
        values.push(this.test());
        first = null;
      } else if (this.op() === '**') {
        this.eatOp('**');
        keys.push(null);
        values.push(this.binary(0));
      } else {
        const k = this.test();
        if (this.op() !== ':') throw UNSUPPORTED;
        first = k;
        continue;
      }
      if (this.op() !== ',') break;
      this.eatOp(',');
      if (this.op() === '}') break;
    }
    this.expectOp('}');
    return { type: 'Dict', line, col, endLine: this.el, endCol: this.ec, keys, values };
  }

  private number(): A.Expr {
    const s = this.s;
    const line = this.line, col = this.i - this.ls;
    let j = this.i;
    let float = false;
    const c1 = s[j + 1];
    if (s[j] === '0' && c1 !== undefined && 'xXoObB'.includes(c1)) {
      j += 2;
      while (/[0-9a-fA-F_]/.test(s[j] ?? '')) j++;
    } else {
      while (isDigit(s.charCodeAt(j)) || s[j] === '_') j++;
      if (s[j] === '.') {
        float = true;
        j++;
        while (isDigit(s.charCodeAt(j)) || s[j] === '_') j++;
      }
      if (s[j] === 'e' || s[j] === 'E') {
        float = true;
        j++;
        if (s[j] === '+' || s[j] === '-') j++;
        if (!isDigit(s.charCodeAt(j))) throw UNSUPPORTED;
        while (isDigit(s.charCodeAt(j)) || s[j] === '_') j++;
      }
    }
    // complex, Python 2 longs, `1if`, non-ASCII …: tree-sitter's
    if (isIdChar(s.charCodeAt(j)) || s.charCodeAt(j) > 127 || s[j] === '.') throw UNSUPPORTED;
    const text = s.slice(this.i, j);
    if (/__|_$|_\.|\._|_[eE]|[eE][+-]?_/.test(text)) throw UNSUPPORTED;
    // Python 3 refuses `0777`
    if (!float && /^0[0-9_]*[1-9]/.test(text)) throw UNSUPPORTED;
    this.i = j;
    this.ended();
    const value = float ? Number(text.replace(/_/g, '')) : parseIntLiteral(text);
    if (typeof value === 'number' && Number.isNaN(value)) throw UNSUPPORTED;
    return { type: 'Constant', line, col, endLine: this.el, endCol: this.ec, value };
  }

  /** one string literal or several side by side (joined, as the converter joins them) */
  private strings(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    const first = this.string();
    if (!this.atString()) return first;
    const parts = [first];
    while (this.atString()) parts.push(this.string());
    let value = '';
    for (const p of parts) {
      if (typeof p.value !== 'string') throw UNSUPPORTED; // bytes side by side: the converter's own reading
      value += p.value;
    }
    return { type: 'Constant', line, col, endLine: this.el, endCol: this.ec, value };
  }

  /** a string literal starts at `i` (quotes, or a prefix and quotes) */
  private atString(): boolean {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === QUOTE || c === DQUOTE) return true;
    const w = this.word();
    return !!w && w.length <= 2 && /^[rRbBuUfF]{1,2}$/.test(w) && (s.charCodeAt(this.i + w.length) === QUOTE || s.charCodeAt(this.i + w.length) === DQUOTE);
  }

  private string(): A.Constant {
    const s = this.s;
    const line = this.line, col = this.i - this.ls;
    let j = this.i;
    let prefix = '';
    while (s.charCodeAt(j) !== QUOTE && s.charCodeAt(j) !== DQUOTE) prefix += s[j++]!.toLowerCase();
    if (prefix.includes('f') || (prefix.includes('u') && prefix.length > 1)) throw UNSUPPORTED;
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    const q = s.charCodeAt(j);
    const triple = s.charCodeAt(j + 1) === q && s.charCodeAt(j + 2) === q;
    j += triple ? 3 : 1;
    const start = j;
    let end: number;
    for (;;) {
      const c = s.charCodeAt(j);
      if (Number.isNaN(c)) throw UNSUPPORTED; // unterminated
      if (c === BACKSLASH) {
        if (s.charCodeAt(j + 1) === NL) {
          this.line++;
          this.ls = j + 2;
        }
        j += 2;
        continue;
      }
      if (c === NL) {
        if (!triple) throw UNSUPPORTED;
        this.line++;
        this.ls = j + 1;
        j++;
        continue;
      }
      if (c > 127 && bytes) throw UNSUPPORTED;
      if (c === q && (!triple || (s.charCodeAt(j + 1) === q && s.charCodeAt(j + 2) === q))) {
        end = j;
        j += triple ? 3 : 1;
        break;
      }
      j++;
    }
    const content = s.slice(start, end);
    this.i = j;
    this.ended();
    const text = raw ? content : decodeEscapes(content);
    return { type: 'Constant', line, col, endLine: this.el, endCol: this.ec, value: bytes ? { bytes: text } : text };
  }
}
