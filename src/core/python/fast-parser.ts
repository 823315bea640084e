// A parser of our own for Python files as people write them: models, apps, settings, routers, and the migrations
// Django writes. It gives ./parse.ts's reading of a file (../python/ast.ts), the converter's from tree-sitter's
// tree, in a fraction of tree-sitter's time: parsing the project's modules with tree-sitter and converting the trees
// took most of a cold scan (the collector's work on web-tree-sitter's node objects a good part of it).
//
// Two readings: a whole one (parseModuleFile), and a migration-only one (parseMigrationFile, ../parse.ts
// ParseOptions.only): the statements the converter keeps of a migration file (`class Migration`, in `if`/`try` blocks
// too; its body's expression statements; in `operations`, each call's function, first argument and the keywords
// that keywordReading reads, the rest `not-read` with its place).
//
// It reads the whole file, as tree-sitter would: a syntax error anywhere must send the file to tree-sitter, which
// reports it. It accepts only what it reads in full and knows to be valid Python; anything else (a tab, a
// semicolon, a `match` statement, `{{` in an f-string, `*a.b` in a display, a syntax error …) returns null and
// the file goes to tree-sitter. What the grammar below does not read fails at the next token it expects: a list, a
// call or a statement takes only `,`, its closing bracket or the line's end.
//
// What it returns must equal the converter's reading, node for node and position for position, tree-sitter's
// quirks included (its `^` binds tighter than `&`, `await` is a unary operator, a block ends after the comments
// indented as deep as its body …): test/unit/fast-parser.test.ts compares the two on Django's own modules, the
// test projects and the benchmark generator's, and bench/fast-parser.ts on any project's.
import type * as A from './ast';
import { decodeEscapes, parseIntLiteral } from './lexical';

/** The keyword values of an operation call that a migration-only reading converts (migrations/files.ts reads them). */
const MIGRATION_KEYWORDS = new Set(['name', 'model_name', 'old_name', 'new_name', 'hints', 'database_operations']);

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

/** Deeper nesting goes to tree-sitter, which has the limits (../parse.ts MAX_NESTING, 250 of its levels). */
const MAX_NEST = 100;

const SPACE = 32, HASH = 35, NL = 10, BACKSLASH = 92, QUOTE = 39, DQUOTE = 34, LPAREN = 40, LBRACE = 123, RBRACE = 125;

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

/** where a block or statement ends, for the block around it (a comment after its last line included) */
interface End { line: number; col: number }

/**
 * Which statements a block keeps. Whole reading: all. Migration-only reading (the converter's `leftOut`): outside a
 * Migration class, `if`/`try` statements and `class Migration`; in its body, expression statements; in the blocks of
 * statements left out, none (they are still read, for errors).
 */
const enum Keep { All, MigrationOutside, MigrationClass, None }

/**
 * tree-sitter-python's precedences (not quite Python's: its `^` binds tighter than `&`; the converter's tree is
 * tree-sitter's, and a reading here must be the same)
 */
const BINARY_PRECEDENCE: Record<string, number | undefined> = Object.assign(Object.create(null) as Record<string, number>, {
  '|': 0, '&': 1, '^': 2, '<<': 3, '>>': 3, '+': 4, '-': 4, '*': 5, '/': 5, '//': 5, '%': 5, '@': 5,
});

/** what `*` may star in a display besides a name and a parenthesized expression (./fast-parser.ts starred) */
const STARRED_DISPLAYS = new Set(['List', 'Tuple', 'Set', 'Dict', 'ListComp', 'SetComp', 'DictComp', 'GeneratorExp']);

const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=', '>>=', '<<=', '&=', '^=', '|=', '@=']);

/** The converter's whole reading of `source` (../parse.ts), or null when this parser does not read the file. */
export function parseModuleFile(source: string): A.Stmt[] | null {
  return run(source, false);
}

/**
 * The statements a migration-only reading of `source` gives (../parse.ts), or null when this parser does not read
 * the file (then tree-sitter does).
 */
export function parseMigrationFile(source: string): A.Stmt[] | null {
  return run(source, true);
}

function run(source: string, migration: boolean): A.Stmt[] | null {
  // tabs (indentation), carriage returns, form feeds, a byte order mark, NUL: tree-sitter's reading of them is its own
  if (/[\t\r\f\v\ufeff\0]/.test(source)) return null;
  try {
    return new FastParser(source, migration).module();
  } catch (e) {
    if (e === UNSUPPORTED) return null;
    // a stack overflow would be a bug of the depth guard: tree-sitter still reads the file
    if (e instanceof RangeError) return null;
    throw e;
  }
}

class FastParser {
  private i = 0;
  /** 1-based line of `i`, and the index where that line starts */
  private line = 1;
  private ls = 0;
  /** open brackets: newlines inside them are whitespace */
  private depth = 0;
  private nest = 0;
  /** where the last token ended: line, column, index */
  private el = 1;
  private ec = 0;
  private ei = 0;
  /** the indentation of the code line at `i` once a statement has been read (-1: the end of the file) */
  private nextIndent = 0;
  /** the comment lines since the last line of code: indentation, line, end column (three numbers each) */
  private readonly pending: number[] = [];
  /** expressions written in parentheses (no assignment target) */
  private readonly parenthesized = new Set<A.Expr>();
  /** the last tuple exprList read without brackets (`del a, b` deletes two targets, `del (a, b)` one) */
  private bareTuple: A.TupleExpr | null = null;
  /** the argument places of the calls read (for their `not-read` arguments), while `record` */
  private readonly spans = new Map<A.Call, Spans>();
  private record = false;

  constructor(private readonly s: string, private readonly migration: boolean) {}

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
      else if (c === BACKSLASH) {
        // a backslash continuation: the line goes on (tree-sitter's line_continuation, an extra node)
        if (s.charCodeAt(this.i + 1) !== NL) throw UNSUPPORTED;
        this.i++;
        this.newline();
      } else return;
    }
  }

  /** A token ends at `i`: note its end and move to the next. */
  private ended(): void {
    this.el = this.line;
    this.ec = this.i - this.ls;
    this.ei = this.i;
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

  private expectWord(w: string): void {
    if (!this.isWord(w)) throw UNSUPPORTED;
    this.eatWord(w);
  }

  /** a name that is not a keyword */
  private name(): string {
    const w = this.word();
    if (!w || KEYWORDS.has(w)) throw UNSUPPORTED;
    this.eatWord(w);
    return w;
  }

  /** `print(` and `exec(`: a call of Python 3's functions (tree-sitter's print and exec statements have no bracket there) */
  private isCallOfKeyword(w: string): boolean {
    return (w === 'print' || w === 'exec') && this.s.charCodeAt(this.i + w.length) === LPAREN;
  }

  /** the index of the first non-space character after the word at `i` (same line) */
  private afterWord(w: string): number {
    let j = this.i + w.length;
    while (this.s.charCodeAt(j) === SPACE) j++;
    return j;
  }

  /** whether an expression can start at `i` */
  private startsExpression(): boolean {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (isIdStart(c)) {
      const w = this.word();
      if (!KEYWORDS.has(w)) return true;
      return w === 'not' || w === 'lambda' || w === 'await' || w === 'None' || w === 'True' || w === 'False' || this.isCallOfKeyword(w);
    }
    if (isDigit(c) || c === QUOTE || c === DQUOTE) return true;
    switch (this.op()) {
      case '(': case '[': case '{': case '-': case '+': case '~': case '*': case '...':
        return true;
      case '.':
        return isDigit(s.charCodeAt(this.i + 1));
    }
    return false;
  }

  private newline(): void {
    this.i++;
    this.line++;
    this.ls = this.i;
  }

  // ---- lines and blocks ----------------------------------------------------------------------------

  /**
   * At the start of a line: skip blank lines and comment lines (noted in `pending`) up to the first code character.
   * Its indentation, or -1 at the end of the file.
   */
  private nextCodeLine(): number {
    const s = this.s;
    for (;;) {
      let j = this.i;
      while (s.charCodeAt(j) === SPACE) j++;
      if (j >= s.length) {
        this.i = j;
        return -1;
      }
      const c = s.charCodeAt(j);
      if (c === NL) {
        this.i = j;
        this.newline();
      } else if (c === HASH) {
        const nl = s.indexOf('\n', j);
        const end = nl < 0 ? s.length : nl;
        this.pending.push(j - this.i, this.line, end - this.ls);
        this.i = end;
        if (nl >= 0) this.newline();
      } else if (c === BACKSLASH) {
        throw UNSUPPORTED;
      } else {
        const indent = j - this.i;
        this.i = j;
        return indent;
      }
    }
  }

  /**
   * Where a block of `indent` ends, its last statement ending at `end`: after the comment lines that follow it as
   * deeply indented, up to the first less indented one (tree-sitter's scanner puts the block's end there).
   */
  private withComments(indent: number, end: End): End {
    const p = this.pending;
    for (let k = 0; k < p.length; k += 3) {
      if (p[k]! < indent) break;
      end = { line: p[k + 1]!, col: p[k + 2]! };
    }
    return end;
  }

  /** After a simple statement: its end for the block around it (a comment on its line included); on to the next code line. */
  private finishLine(): End {
    const end = this.hadComment() ? { line: this.line, col: this.i - this.ls } : { line: this.el, col: this.ec };
    if (this.i < this.s.length) {
      if (!this.at(NL)) throw UNSUPPORTED; // `;`, or what no statement takes
      this.newline();
    }
    this.nextIndent = this.nextCodeLine();
    return end;
  }

  /** whether a comment lies between the last token's end and `i` (on this line, or after backslash continuations) */
  private hadComment(): boolean {
    const h = this.s.indexOf('#', this.ei);
    return h >= 0 && h < this.i;
  }

  module(): A.Stmt[] {
    const n = this.nextCodeLine();
    if (n < 0) return [];
    if (n > 0) throw UNSUPPORTED; // indented code at the top level
    return this.block(0, this.migration ? Keep.MigrationOutside : Keep.All).body;
  }

  /** The statements of a block at `indent`, the first starting at `i`; ends at the first code line less indented. */
  private block(indent: number, keep: Keep): { body: A.Stmt[]; end: End } {
    this.nest += 2;
    if (this.nest > MAX_NEST) throw UNSUPPORTED;
    const body: A.Stmt[] = [];
    let end: End;
    do {
      this.pending.length = 0;
      end = this.statement(body, indent, keep);
    } while (this.nextIndent === indent);
    if (this.nextIndent > indent) throw UNSUPPORTED; // an unexpected indent
    this.nest -= 2;
    return { body, end: this.withComments(indent, end) };
  }

  /** A compound statement's body, after its `:`: the rest of the line, or an indented block. */
  private suite(indent: number, keep: Keep): { body: A.Stmt[]; end: End } {
    if (this.i < this.s.length && !this.at(NL)) {
      const body: A.Stmt[] = [];
      this.nest += 2;
      if (this.nest > MAX_NEST) throw UNSUPPORTED;
      this.simpleStatement(body, keep, this.line, this.i - this.ls, this.word());
      this.nest -= 2;
      return { body, end: this.finishLine() };
    }
    this.finishLine();
    if (this.nextIndent <= indent) throw UNSUPPORTED; // no indented block
    return this.block(this.nextIndent, keep);
  }

  /** `keep` of a compound statement's blocks: `if`/`try` keep as their block does, the others whole or nothing */
  private static inner(keep: Keep, conditional: boolean): Keep {
    if (keep === Keep.All) return Keep.All;
    return conditional && keep === Keep.MigrationOutside ? keep : Keep.None;
  }

  private push(body: A.Stmt[], keep: Keep, s: A.Stmt, expression: boolean): void {
    switch (keep) {
      case Keep.All:
        break;
      case Keep.MigrationOutside:
        if (s.type === 'If' || s.type === 'Try' || (s.type === 'ClassDef' && s.name === 'Migration')) break;
        return;
      case Keep.MigrationClass:
        if (expression) break;
        return;
      default:
        return;
    }
    body.push(s);
  }

  /** One statement at `i`, a code line at `indent`: its end for the block. */
  private statement(body: A.Stmt[], indent: number, keep: Keep): End {
    const line = this.line, col = this.i - this.ls;
    if (this.op() === '@') return this.decorated(body, indent, keep);
    const w = this.word();
    switch (w) {
      case 'class': case 'def': case 'if': case 'for': case 'while': case 'with': case 'try': case 'async':
        return this.compound(body, indent, keep, line, col, w, []);
      case 'match': case 'case': case 'type':
        if (!this.softKeywordIsName(w)) throw UNSUPPORTED; // a match or type statement: tree-sitter's
    }
    this.simpleStatement(body, keep, line, col, w);
    return this.finishLine();
  }

  /** `match.group()`, `type(x)`, `case = …`: the soft keyword `w` at a statement's start is a name */
  private softKeywordIsName(w: string): boolean {
    const c = this.s.charCodeAt(this.i + w.length);
    if (c === 46 || c === LPAREN) return true;
    const j = this.afterWord(w);
    return this.s.charCodeAt(j) === 61 && this.s.charCodeAt(j + 1) !== 61;
  }

  private decorated(body: A.Stmt[], indent: number, keep: Keep): End {
    const decorators: A.Expr[] = [];
    while (this.op() === '@') {
      this.eatOp('@');
      decorators.push(this.namedTest());
      this.finishLine();
      if (this.nextIndent !== indent) throw UNSUPPORTED;
      // a comment less indented than the decorators, before the next one or the definition: tree-sitter's scanner
      // ends the block there (a syntax error)
      for (let k = 0; k < this.pending.length; k += 3) if (this.pending[k]! < indent) throw UNSUPPORTED;
      this.pending.length = 0;
    }
    const line = this.line, col = this.i - this.ls;
    const w = this.word();
    if (w !== 'class' && w !== 'def' && w !== 'async') throw UNSUPPORTED;
    return this.compound(body, indent, keep, line, col, w, decorators);
  }

  private compound(body: A.Stmt[], indent: number, keep: Keep, line: number, col: number, w: string, decorators: A.Expr[]): End {
    let isAsync = false;
    if (w === 'async') {
      this.eatWord('async');
      isAsync = true;
      w = this.word();
      if (w !== 'def' && (decorators.length || (w !== 'for' && w !== 'with'))) throw UNSUPPORTED;
    }
    if (decorators.length && w !== 'def' && w !== 'class') throw UNSUPPORTED;
    let r: { stmt: A.Stmt; end: End };
    switch (w) {
      case 'class': r = this.classDef(line, col, indent, keep, decorators); break;
      case 'def': r = this.functionDef(line, col, indent, keep, decorators, isAsync); break;
      case 'if': r = this.ifStatement(line, col, indent, keep, false); break;
      case 'for': r = this.forStatement(line, col, indent, keep, isAsync); break;
      case 'while': r = this.whileStatement(line, col, indent, keep); break;
      case 'with': r = this.withStatement(line, col, indent, keep); break;
      case 'try': r = this.tryStatement(line, col, indent, keep); break;
      default: throw UNSUPPORTED;
    }
    this.push(body, keep, r.stmt, false);
    return r.end;
  }

  /** a clause (`elif`, `else`, `except`, `finally`) of the statement at `indent` follows */
  private clause(indent: number, w: string): boolean {
    if (this.nextIndent !== indent || !this.isWord(w)) return false;
    this.pending.length = 0;
    return true;
  }

  private classDef(line: number, col: number, indent: number, keep: Keep, decorators: A.Expr[]): { stmt: A.ClassDef; end: End } {
    this.eatWord('class');
    const name = this.name();
    const bases: A.Expr[] = [];
    const keywords: A.Keyword[] = [];
    if (this.op() === '(') this.callArguments(bases, keywords, null, false);
    this.expectOp(':');
    const inner = keep === Keep.All ? Keep.All : keep === Keep.MigrationOutside && name === 'Migration' ? Keep.MigrationClass : Keep.None;
    const { body, end } = this.suite(indent, inner);
    return { stmt: { type: 'ClassDef', line, col, endLine: end.line, endCol: end.col, name, bases, keywords, body, decorators }, end };
  }

  private functionDef(line: number, col: number, indent: number, keep: Keep, decorators: A.Expr[], isAsync: boolean): { stmt: A.FunctionDef; end: End } {
    this.eatWord('def');
    const name = this.name();
    this.expectOp('(');
    const args = this.parameters(')', true);
    this.expectOp(')');
    if (this.op() === '->') {
      this.eatOp('->');
      this.test();
    }
    this.expectOp(':');
    const { body, end } = this.suite(indent, FastParser.inner(keep, false));
    return { stmt: { type: 'FunctionDef', line, col, endLine: end.line, endCol: end.col, name, args, body, decorators, isAsync }, end };
  }

  /** Parameters up to `close` (not eaten), as the converter's `parameters` reads them; `annotations` in a def. */
  private parameters(close: string, annotations: boolean): A.Arguments {
    const a: A.Arguments = { posonly: [], args: [], vararg: null, kwonly: [], kwarg: null };
    let afterStar = false;
    const annotation = (): A.Expr | null => {
      if (!annotations || this.op() !== ':') return null;
      this.eatOp(':');
      return this.test();
    };
    while (this.op() !== close) {
      const o = this.op();
      if (o === '*') {
        this.eatOp('*');
        afterStar = true;
        if (this.op() !== ',' && this.op() !== close) {
          const name = this.name();
          a.vararg = { name, default: null, annotation: annotation() };
        }
      } else if (o === '**') {
        this.eatOp('**');
        const name = this.name();
        a.kwarg = { name, default: null, annotation: annotation() };
      } else if (o === '/') {
        this.eatOp('/');
        a.posonly.push(...a.args);
        a.args = [];
      } else {
        const name = this.name();
        const ann = annotation();
        let dflt: A.Expr | null = null;
        if (this.op() === '=') {
          this.eatOp('=');
          dflt = this.test();
        }
        (afterStar ? a.kwonly : a.args).push({ name, default: dflt, annotation: ann });
      }
      if (this.op() !== ',') break;
      this.eatOp(',');
    }
    return a;
  }

  private ifStatement(line: number, col: number, indent: number, keep: Keep, elif: boolean): { stmt: A.If; end: End } {
    this.eatWord(elif ? 'elif' : 'if');
    const test = this.namedTest();
    this.expectOp(':');
    const inner = FastParser.inner(keep, true);
    const { body, end: own } = this.suite(indent, inner);
    let orelse: A.Stmt[] = [];
    let end = own;
    if (this.clause(indent, 'elif')) {
      const r = this.ifStatement(this.line, this.i - this.ls, indent, keep, true);
      orelse = [r.stmt];
      end = r.end;
    } else if (this.clause(indent, 'else')) {
      ({ body: orelse, end } = this.elseClause(indent, inner));
    }
    // an elif's If ends with its own block (the converter's `pos(alt)`), the statement with its last clause
    const e = elif ? own : end;
    return { stmt: { type: 'If', line, col, endLine: e.line, endCol: e.col, test, body, orelse }, end };
  }

  private elseClause(indent: number, keep: Keep): { body: A.Stmt[]; end: End } {
    this.eatWord('else');
    this.expectOp(':');
    return this.suite(indent, keep);
  }

  private forStatement(line: number, col: number, indent: number, keep: Keep, isAsync: boolean): { stmt: A.For; end: End } {
    this.eatWord('for');
    const target = this.targetList();
    this.expectWord('in');
    const iter = this.exprList(false);
    this.expectOp(':');
    const { body, orelse, end } = this.loopBody(indent, keep);
    return { stmt: { type: 'For', line, col, endLine: end.line, endCol: end.col, target, iter, body, orelse, isAsync }, end };
  }

  private whileStatement(line: number, col: number, indent: number, keep: Keep): { stmt: A.While; end: End } {
    this.eatWord('while');
    const test = this.namedTest();
    this.expectOp(':');
    const { body, orelse, end } = this.loopBody(indent, keep);
    return { stmt: { type: 'While', line, col, endLine: end.line, endCol: end.col, test, body, orelse }, end };
  }

  /** a `for`'s or `while`'s body after its `:`, and its `else` clause if one follows */
  private loopBody(indent: number, keep: Keep): { body: A.Stmt[]; orelse: A.Stmt[]; end: End } {
    const inner = FastParser.inner(keep, false);
    const { body, end } = this.suite(indent, inner);
    if (!this.clause(indent, 'else')) return { body, orelse: [], end };
    const e = this.elseClause(indent, inner);
    return { body, orelse: e.body, end: e.end };
  }

  private withStatement(line: number, col: number, indent: number, keep: Keep): { stmt: A.With; end: End } {
    this.eatWord('with');
    if (this.op() === '(') throw UNSUPPORTED; // `with (a as b, c):` or a parenthesized context: tree-sitter's
    const items: { context: A.Expr; target: A.Expr | null }[] = [];
    for (;;) {
      const context = this.test();
      let target: A.Expr | null = null;
      if (this.isWord('as')) {
        this.eatWord('as');
        target = this.targetElement();
        this.target(target);
      }
      items.push({ context, target });
      if (this.op() !== ',') break;
      this.eatOp(',');
    }
    this.expectOp(':');
    const { body, end } = this.suite(indent, FastParser.inner(keep, false));
    return { stmt: { type: 'With', line, col, endLine: end.line, endCol: end.col, items, body }, end };
  }

  private tryStatement(line: number, col: number, indent: number, keep: Keep): { stmt: A.Try; end: End } {
    this.eatWord('try');
    this.expectOp(':');
    const inner = FastParser.inner(keep, true);
    const suite = this.suite(indent, inner);
    const body = suite.body;
    let end = suite.end;
    const handlers: A.ExceptHandler[] = [];
    let orelse: A.Stmt[] = [];
    let finalbody: A.Stmt[] = [];
    while (this.clause(indent, 'except')) {
      const hl = this.line, hc = this.i - this.ls;
      this.eatWord('except');
      if (this.op() === '*') throw UNSUPPORTED; // except*
      let typeExpr: A.Expr | null = null;
      let name: string | null = null;
      if (this.op() !== ':') {
        typeExpr = this.test();
        if (this.isWord('as')) {
          this.eatWord('as');
          name = this.name();
        }
      }
      this.expectOp(':');
      const h = this.suite(indent, inner);
      end = h.end;
      handlers.push({ line: hl, col: hc, endLine: end.line, endCol: end.col, typeExpr, name, body: h.body });
    }
    if (handlers.length && this.clause(indent, 'else')) ({ body: orelse, end } = this.elseClause(indent, inner));
    if (this.clause(indent, 'finally')) {
      this.eatWord('finally');
      this.expectOp(':');
      ({ body: finalbody, end } = this.suite(indent, inner));
    } else if (!handlers.length) throw UNSUPPORTED;
    return { stmt: { type: 'Try', line, col, endLine: end.line, endCol: end.col, body, handlers, orelse, finalbody }, end };
  }

  // ---- simple statements ---------------------------------------------------------------------------

  /** the end of a simple statement's line (its comment skipped), or `;` (refused by finishLine) */
  private atLineEnd(): boolean {
    return this.i >= this.s.length || this.at(NL) || this.at(59);
  }

  private simpleStatement(body: A.Stmt[], keep: Keep, line: number, col: number, w: string): void {
    const here = (): A.Pos => ({ line, col, endLine: this.el, endCol: this.ec });
    let s: A.Stmt;
    switch (w) {
      case 'pass':
      case 'break':
      case 'continue':
        this.eatWord(w);
        s = { type: w === 'pass' ? 'Pass' : w === 'break' ? 'Break' : 'Continue', ...here() };
        break;
      case 'return': {
        this.eatWord(w);
        const value = this.atLineEnd() ? null : this.exprList(true);
        s = { type: 'Return', ...here(), value };
        break;
      }
      case 'raise': {
        this.eatWord(w);
        let exc: A.Expr | null = null;
        if (!this.atLineEnd()) {
          exc = this.test();
          if (this.isWord('from')) {
            this.eatWord('from');
            this.test();
          }
        }
        s = { type: 'Raise', ...here(), exc };
        break;
      }
      case 'del': {
        this.eatWord(w);
        const v = this.exprList(false);
        s = { type: 'Delete', ...here(), targets: v.type === 'Tuple' && v === this.bareTuple ? v.elts : [v] };
        break;
      }
      case 'global':
      case 'nonlocal': {
        this.eatWord(w);
        const names = [this.name()];
        while (this.op() === ',') {
          this.eatOp(',');
          names.push(this.name());
        }
        s = { type: w === 'global' ? 'Global' : 'Nonlocal', ...here(), names };
        break;
      }
      case 'assert': {
        this.eatWord(w);
        const test = this.test();
        if (this.op() === ',') {
          this.eatOp(',');
          this.test();
        }
        s = { type: 'Assert', ...here(), test };
        break;
      }
      case 'import':
        s = this.importStatement(line, col);
        break;
      case 'from':
        s = this.fromStatement(line, col);
        break;
      default:
        this.expressionStatement(body, keep, line, col);
        return;
    }
    this.push(body, keep, s, false);
  }

  private dotted(): string {
    let name = this.name();
    while (this.op() === '.') {
      this.eatOp('.');
      name += `.${this.name()}`;
    }
    return name;
  }

  private alias(dotted: boolean): A.Alias {
    const name = dotted ? this.dotted() : this.name();
    if (!this.isWord('as')) return { name, asname: null };
    this.eatWord('as');
    return { name, asname: this.name() };
  }

  private importStatement(line: number, col: number): A.Import {
    this.eatWord('import');
    const names = [this.alias(true)];
    while (this.op() === ',') {
      this.eatOp(',');
      names.push(this.alias(true));
    }
    return { type: 'Import', line, col, endLine: this.el, endCol: this.ec, names };
  }

  private fromStatement(line: number, col: number): A.ImportFrom {
    this.eatWord('from');
    let level = 0;
    const dots = this.i;
    for (let o = this.op(); o === '.' || o === '...'; o = this.op()) {
      this.eatOp(o);
      level += o.length;
    }
    // `from . . a import b`: the converter counts the prefix's characters, spaces too
    if (level && this.ei - dots !== level) throw UNSUPPORTED;
    let module: string | null = null;
    if (!this.isWord('import')) module = this.dotted();
    else if (!level) throw UNSUPPORTED;
    this.expectWord('import');
    const names: A.Alias[] = [];
    if (this.op() === '*') {
      this.eatOp('*');
      names.push({ name: '*', asname: null });
    } else {
      const paren = this.op() === '(';
      if (paren) this.eatOp('(');
      for (;;) {
        names.push(this.alias(false));
        if (this.op() !== ',') break;
        this.eatOp(',');
        if (paren && this.op() === ')') break;
      }
      if (paren) this.expectOp(')');
    }
    return { type: 'ImportFrom', line, col, endLine: this.el, endCol: this.ec, module, level, names };
  }

  /** An expression statement (`a, b` is two), an assignment, an annotated or an augmented one. */
  private expressionStatement(body: A.Stmt[], keep: Keep, line: number, col: number): void {
    const first = this.isWord('yield') ? this.yieldExpression() : this.element();
    let lhs = first;
    /** each element's place, for `a, b` (two statements) */
    const places: A.Pos[] = [{ line, col, endLine: this.el, endCol: this.ec }];
    if (this.op() === ',') {
      const elts = [first];
      while (this.op() === ',') {
        this.eatOp(',');
        if (!this.startsExpression()) break;
        const l = this.line, c = this.i - this.ls;
        elts.push(this.element());
        places.push({ line: l, col: c, endLine: this.el, endCol: this.ec });
      }
      lhs = { type: 'Tuple', line, col, endLine: this.el, endCol: this.ec, elts };
    }
    const o = this.op();
    const inClass = keep === Keep.MigrationClass;
    let s: A.Stmt;
    if (o === '=') {
      this.target(lhs);
      const targets: A.Expr[] = [lhs];
      let value: A.Expr;
      for (;;) {
        this.eatOp('=');
        const operations = inClass && targets.length === 1 && FastParser.isOperations(lhs);
        this.record = operations;
        const v = this.rightHandSide();
        this.record = false;
        if (this.op() === '=') {
          this.target(v);
          targets.push(v);
          continue;
        }
        value = operations ? this.operationsValue(v) : v;
        break;
      }
      this.spans.clear();
      s = { type: 'Assign', line, col, endLine: this.el, endCol: this.ec, targets, value };
    } else if (o === ':' && lhs === first) {
      this.single(lhs);
      this.eatOp(':');
      const annotation = this.test();
      let value: A.Expr | null = null;
      if (this.op() === '=') {
        this.eatOp('=');
        this.record = inClass && FastParser.isOperations(lhs);
        const v = this.rightHandSide();
        value = this.record ? this.operationsValue(v) : v;
        this.record = false;
        this.spans.clear();
      }
      s = { type: 'AnnAssign', line, col, endLine: this.el, endCol: this.ec, target: lhs, annotation, value };
    } else if (AUGMENTED.has(o) && lhs === first) {
      this.single(lhs);
      this.eatOp(o);
      this.record = inClass && FastParser.isOperations(lhs);
      const v = this.rightHandSide();
      const value = this.record ? this.operationsValue(v) : v;
      this.record = false;
      this.spans.clear();
      s = { type: 'AugAssign', line, col, endLine: this.el, endCol: this.ec, target: lhs, op: o.slice(0, -1), value };
    } else {
      if (lhs.type === 'Tuple' && lhs !== first) {
        // `a, b`: tree-sitter's expression statement has two expressions, the converter a statement for each
        lhs.elts.forEach((e, k) => {
          if (e.type === 'Starred') throw UNSUPPORTED;
          this.push(body, keep, { type: 'Expr', ...places[k]!, value: e }, true);
        });
        return;
      }
      if (first.type === 'Starred') throw UNSUPPORTED;
      s = { type: 'Expr', line, col, endLine: this.el, endCol: this.ec, value: first };
    }
    this.push(body, keep, s, true);
  }

  private static isOperations(e: A.Expr): boolean {
    return e.type === 'Name' && e.id === 'operations';
  }

  /** what follows `=`: a yield, an expression or a tuple without brackets */
  private rightHandSide(): A.Expr {
    return this.isWord('yield') ? this.yieldExpression() : this.exprList(true);
  }

  /** An assignment target as tree-sitter's patterns have it: names, attributes, subscripts, tuples and lists of them, `*x`. */
  private target(e: A.Expr): void {
    if (this.parenthesized.has(e)) throw UNSUPPORTED;
    switch (e.type) {
      case 'Name': case 'Attribute': case 'Subscript':
        return;
      case 'Tuple': case 'List':
        for (const x of e.elts) this.target(x);
        return;
      case 'Starred':
        if (e.double) throw UNSUPPORTED;
        this.target(e.value);
        return;
    }
    throw UNSUPPORTED;
  }

  /** the target of an annotated or augmented assignment */
  private single(e: A.Expr): void {
    if (this.parenthesized.has(e) || (e.type !== 'Name' && e.type !== 'Attribute' && e.type !== 'Subscript')) throw UNSUPPORTED;
  }

  // ---- operations ----------------------------------------------------------------------------------

  /** An `operations` value: a tuple without brackets the converter reads whole (its `operationsValue` takes no `expression_list`). */
  private operationsValue(v: A.Expr): A.Expr {
    return v === this.bareTuple ? v : this.operations(v);
  }

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

  /** `test`: a lambda, a conditional expression or below */
  private test(): A.Expr {
    this.enter();
    let e: A.Expr;
    if (this.isWord('lambda')) e = this.lambda();
    else {
      const line = this.line, col = this.i - this.ls;
      const body = this.orTest();
      e = body;
      if (this.isWord('if')) {
        this.eatWord('if');
        const test = this.orTest();
        this.expectWord('else');
        const orelse = this.test();
        e = { type: 'IfExp', line, col, endLine: this.el, endCol: this.ec, test, body, orelse };
      }
    }
    this.nest--;
    return e;
  }

  /** `name := value` (its target placed as the whole expression, as the converter places it) or a test */
  private namedTest(): A.Expr {
    const w = this.word();
    if (w && !KEYWORDS.has(w)) {
      const j = this.afterWord(w);
      if (this.s.charCodeAt(j) === 58 && this.s.charCodeAt(j + 1) === 61) {
        this.enter();
        const line = this.line, col = this.i - this.ls;
        this.eatWord(w);
        this.eatOp(':=');
        const value = this.test();
        this.nest--;
        const p = { line, col, endLine: this.el, endCol: this.ec };
        return { type: 'NamedExpr', ...p, target: { type: 'Name', ...p, id: w }, value };
      }
    }
    return this.test();
  }

  private lambda(): A.Lambda {
    const line = this.line, col = this.i - this.ls;
    this.eatWord('lambda');
    const args = this.parameters(':', false);
    this.expectOp(':');
    const body = this.test();
    return { type: 'Lambda', line, col, endLine: this.el, endCol: this.ec, args, body };
  }

  /** `yield`, `yield x, y`, `yield from x`: an OtherExpr with its text, as the converter gives it */
  private yieldExpression(): A.OtherExpr {
    this.enter();
    const start = this.i, line = this.line, col = this.i - this.ls;
    this.eatWord('yield');
    if (this.isWord('from')) {
      this.eatWord('from');
      this.test();
    } else if (this.startsExpression()) this.exprList(true);
    const text = this.s.slice(start, this.ei);
    this.nest--;
    return { type: 'OtherExpr', line, col, endLine: this.el, endCol: this.ec, kind: 'yield', text: text.length > 200 ? text.slice(0, 200) : text };
  }

  /** An expression, or a tuple without brackets (`a, b`, placed from its first element to its last comma). */
  private exprList(star: boolean): A.Expr {
    const line = this.line, col = this.i - this.ls;
    const first = star ? this.element() : this.test();
    if (this.op() !== ',') return first;
    const elts = [first];
    while (this.op() === ',') {
      this.eatOp(',');
      if (!this.startsExpression()) break;
      elts.push(star ? this.element() : this.test());
    }
    const t: A.TupleExpr = { type: 'Tuple', line, col, endLine: this.el, endCol: this.ec, elts };
    this.bareTuple = t;
    return t;
  }

  /** the targets of a `for` (a tuple without brackets too) */
  private targetList(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    const first = this.targetElement();
    let e = first;
    if (this.op() === ',') {
      const elts = [first];
      while (this.op() === ',') {
        this.eatOp(',');
        if (this.isWord('in')) break;
        elts.push(this.targetElement());
      }
      e = { type: 'Tuple', line, col, endLine: this.el, endCol: this.ec, elts };
    }
    this.target(e);
    return e;
  }

  private targetElement(): A.Expr {
    if (this.op() !== '*') return this.binary(0);
    return this.starred();
  }

  /**
   * `*x` in a display or a target. Only of a name, a display or an expression in parentheses: tree-sitter reads
   * `*a.b` there as an attribute of `*a`, or not, by the state it parses in.
   */
  private starred(): A.Starred {
    const line = this.line, col = this.i - this.ls;
    this.eatOp('*');
    const value = this.binary(0);
    const ok = this.parenthesized.has(value) ? value.type !== 'Name' : value.type === 'Name' || STARRED_DISPLAYS.has(value.type);
    if (!ok) throw UNSUPPORTED;
    return { type: 'Starred', line, col, endLine: this.el, endCol: this.ec, value };
  }

  private orTest(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    let acc = this.andTest();
    while (this.isWord('or')) {
      this.eatWord('or');
      this.enter();
      acc = this.boolOp('or', acc, this.andTest(), line, col);
      this.nest--;
    }
    return acc;
  }

  private andTest(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    let acc = this.notTest();
    while (this.isWord('and')) {
      this.eatWord('and');
      this.enter();
      acc = this.boolOp('and', acc, this.notTest(), line, col);
      this.nest--;
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
        this.noCommentSince();
        this.eatWord('not');
        return 'is not';
      }
      return 'is';
    }
    if (this.isWord('not')) {
      this.eatWord('not');
      if (!this.isWord('in')) throw UNSUPPORTED;
      this.noCommentSince();
      this.eatWord('in');
      return 'not in';
    }
    return null;
  }

  /** the two words of `not in` / `is not` have no comment between them (the converter takes the operator's text) */
  private noCommentSince(): void {
    if (this.s.slice(this.ei, this.i).includes('#')) throw UNSUPPORTED;
  }

  private comparison(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    const left = this.binary(0);
    let op = this.compareOp();
    if (!op) return left;
    const ops: A.CmpOp[] = [];
    const comparators: A.Expr[] = [];
    this.enter();
    while (op) {
      ops.push(op);
      comparators.push(this.binary(0));
      op = this.compareOp();
    }
    this.nest--;
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
      this.enter();
      const right = this.binary(prec + 1);
      this.nest--;
      acc = { type: 'BinOp', line, col, endLine: this.el, endCol: this.ec, left: acc, op: o, right };
    }
  }

  /** unary operators, `await` (tree-sitter's is one), `**` */
  private factor(): A.Expr {
    const o = this.op();
    const line = this.line, col = this.i - this.ls;
    if (o === '-' || o === '+' || o === '~') {
      this.enter();
      this.eatOp(o);
      const operand = this.factor();
      this.nest--;
      return { type: 'UnaryOp', line, col, endLine: this.el, endCol: this.ec, op: o, operand };
    }
    if (this.isWord('await')) {
      this.enter();
      this.eatWord('await');
      const value = this.factor();
      this.nest--;
      return { type: 'Await', line, col, endLine: this.el, endCol: this.ec, value };
    }
    const base = this.primary();
    if (this.op() !== '**') return base;
    this.eatOp('**');
    this.enter();
    const right = this.factor();
    this.nest--;
    return { type: 'BinOp', line, col, endLine: this.el, endCol: this.ec, left: base, op: '**', right };
  }

  private primary(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    let e = this.atom();
    /** the converter nests a level for each attribute, call and subscript of a chain */
    const nest = this.nest;
    for (;;) {
      const o = this.op();
      if (o === '.') {
        this.enter();
        this.eatOp('.');
        // `console.print(…)`: Python 2's statement words are names after a dot
        const w = this.word();
        const attr = w === 'print' || w === 'exec' ? (this.eatWord(w), w) : this.name();
        e = { type: 'Attribute', line, col, endLine: this.el, endCol: this.ec, value: e, attr };
      } else if (o === '(') {
        this.enter();
        const args: A.Expr[] = [];
        const keywords: A.Keyword[] = [];
        const spans: Spans | null = this.record ? { args: [], keywords: [] } : null;
        this.callArguments(args, keywords, spans, true);
        const call: A.Call = { type: 'Call', line, col, endLine: this.el, endCol: this.ec, func: e, args, keywords };
        if (spans) this.spans.set(call, spans);
        e = call;
      } else if (o === '[') {
        this.enter();
        this.eatOp('[');
        const items: A.Expr[] = [];
        for (;;) {
          items.push(this.subscriptItem());
          if (this.op() !== ',') break;
          this.eatOp(',');
          if (this.op() === ']') break;
        }
        this.expectOp(']');
        // several: a tuple placed as the whole subscript (the converter's)
        const slice: A.Expr = items.length === 1 ? items[0]! : { type: 'Tuple', line, col, endLine: this.el, endCol: this.ec, elts: items };
        e = { type: 'Subscript', line, col, endLine: this.el, endCol: this.ec, value: e, slice };
      } else {
        this.nest = nest;
        return e;
      }
    }
  }

  /** an index or a slice (`a:b:c`, placed from its first token to its last) */
  private subscriptItem(): A.Expr {
    const line = this.line, col = this.i - this.ls;
    let lower: A.Expr | null = null;
    if (this.op() !== ':') {
      lower = this.test();
      if (this.op() !== ':') return lower;
    }
    this.eatOp(':');
    const end = (): boolean => {
      const o = this.op();
      return o === ':' || o === ',' || o === ']';
    };
    const upper = end() ? null : this.test();
    let step: A.Expr | null = null;
    if (this.op() === ':') {
      this.eatOp(':');
      const o = this.op();
      if (o !== ',' && o !== ']') step = this.test();
    }
    return { type: 'Slice', line, col, endLine: this.el, endCol: this.ec, lower, upper, step };
  }

  /**
   * `(args)`: positional, `*a`, `name=v`, `**kw`, and (`generator`) one generator expression, placed as the
   * brackets; `spans`, when given, gets each argument's (value's) place
   */
  private callArguments(args: A.Expr[], keywords: A.Keyword[], spans: Spans | null, generator: boolean): void {
    this.enter();
    const pl = this.line, pc = this.i - this.ls;
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
          const value = this.namedTest();
          if (generator && !args.length && !keywords.length && this.atComprehension()) {
            // f(x for x in y): the call's one argument, a generator expression in the call's brackets
            args.push(this.comprehension('GeneratorExp', pl, pc, value, undefined, ')'));
            spans?.args.push(this.posFrom(pl, pc));
            this.nest--;
            return;
          }
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

  private posFrom(line: number, col: number): A.Pos {
    return { line, col, endLine: this.el, endCol: this.ec };
  }

  /** `for … in … if …` clauses of a comprehension, up to its closing bracket `close` (eaten) */
  private comprehension(type: A.Comprehension['type'], line: number, col: number, elt: A.Expr, value: A.Expr | undefined, close: string): A.Comprehension {
    if (elt.type === 'Starred') throw UNSUPPORTED;
    const generators: A.ComprehensionFor[] = [];
    do {
      const isAsync = this.isWord('async');
      if (isAsync) this.eatWord('async');
      this.expectWord('for');
      const target = this.targetList();
      this.expectWord('in');
      const iter = this.orTest();
      const ifs: A.Expr[] = [];
      while (this.isWord('if')) {
        this.eatWord('if');
        ifs.push(this.orTest());
      }
      generators.push({ target, iter, ifs, isAsync });
    } while (this.atComprehension());
    this.expectOp(close);
    const p = { line, col, endLine: this.el, endCol: this.ec };
    return value ? { type, ...p, elt, value, generators } : { type, ...p, elt, generators };
  }

  /** an element of a list, tuple or set display, `*x` and `name := x` too */
  private element(): A.Expr {
    return this.op() === '*' ? this.starred() : this.namedTest();
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

  private atComprehension(): boolean {
    return this.isWord('for') || this.isWord('async');
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
        if (this.isWord('yield')) {
          const y = this.yieldExpression();
          this.expectOp(')');
          this.parenthesized.add(y);
          return y;
        }
        const first = this.element();
        if (this.atComprehension()) return this.comprehension('GeneratorExp', line, col, first, undefined, ')');
        if (this.op() === ')' && first.type !== 'Starred') {
          this.eatOp(')');
          this.parenthesized.add(first);
          return first; // parentheses: the expression itself, as the converter gives it
        }
        if (this.op() !== ',') throw UNSUPPORTED;
        const elts = this.elements(first, ')');
        return { type: 'Tuple', line, col, endLine: this.el, endCol: this.ec, elts };
      }
      case '[': {
        this.eatOp('[');
        if (this.op() === ']') {
          this.eatOp(']');
          return { type: 'List', line, col, endLine: this.el, endCol: this.ec, elts: [] };
        }
        const first = this.element();
        if (this.atComprehension()) return this.comprehension('ListComp', line, col, first, undefined, ']');
        const elts = this.elements(first, ']');
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
    if (KEYWORDS.has(w) && !this.isCallOfKeyword(w)) throw UNSUPPORTED;
    this.eatWord(w);
    return { type: 'Name', line, col, endLine: this.el, endCol: this.ec, id: w };
  }

  /** `{}`, a dict or a set display, a dict or set comprehension */
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
        if (this.atComprehension()) return this.comprehension('SetComp', line, col, first, undefined, '}');
        const elts = this.elements(first, '}');
        return { type: 'Set', line, col, endLine: this.el, endCol: this.ec, elts };
      }
      if (first.type === 'NamedExpr' && !this.parenthesized.has(first)) throw UNSUPPORTED;
      this.eatOp(':');
      const value = this.test();
      if (this.atComprehension()) return this.comprehension('DictComp', line, col, first, value, '}');
      keys.push(first);
      values.push(value);
      if (this.op() !== ',') {
        this.expectOp('}');
        return { type: 'Dict', line, col, endLine: this.el, endCol: this.ec, keys, values };
      }
      this.eatOp(',');
    }
    while (this.op() !== '}') {
      if (this.op() === '**') {
        this.eatOp('**');
        keys.push(null);
        values.push(this.binary(0));
      } else {
        keys.push(this.test());
        this.expectOp(':');
        values.push(this.test());
      }
      if (this.op() !== ',') break;
      this.eatOp(',');
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
    const p = { line, col, endLine: this.el, endCol: this.ec };
    let value = '';
    let joined = true;
    for (const part of parts) {
      if (part.type === 'Constant' && typeof part.value !== 'string') throw UNSUPPORTED; // bytes side by side: the converter's own reading
      if (part.type === 'Constant') value += part.value as string;
      else joined = false;
    }
    if (joined) return { type: 'Constant', ...p, value };
    const values: (A.Constant | A.FormattedValue)[] = [];
    for (const part of parts) {
      if (part.type === 'JoinedStr') values.push(...part.values);
      else values.push(part);
    }
    return { type: 'JoinedStr', ...p, values };
  }

  /** a string literal starts at `i` (quotes, or a prefix and quotes) */
  private atString(): boolean {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === QUOTE || c === DQUOTE) return true;
    const w = this.word();
    return !!w && w.length <= 2 && /^[rRbBuUfF]{1,2}$/.test(w) && (s.charCodeAt(this.i + w.length) === QUOTE || s.charCodeAt(this.i + w.length) === DQUOTE);
  }

  private string(): A.Constant | A.JoinedStr {
    const s = this.s;
    const line = this.line, col = this.i - this.ls;
    let j = this.i;
    let prefix = '';
    while (s.charCodeAt(j) !== QUOTE && s.charCodeAt(j) !== DQUOTE) prefix += s[j++]!.toLowerCase();
    if (prefix.includes('u') && prefix.length > 1) throw UNSUPPORTED;
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    const f = prefix.includes('f');
    if (f && bytes) throw UNSUPPORTED;
    const q = s.charCodeAt(j);
    const triple = s.charCodeAt(j + 1) === q && s.charCodeAt(j + 2) === q;
    j += triple ? 3 : 1;
    /** an f-string's parts: its literal text (placed later, as the whole string) and replacement fields */
    const values: (A.Constant | A.FormattedValue)[] = [];
    let start = j;
    let text = '';
    for (;;) {
      const c = s.charCodeAt(j);
      if (Number.isNaN(c)) throw UNSUPPORTED; // unterminated
      if (c === BACKSLASH) {
        const d = s.charCodeAt(j + 1);
        // `\{`, `\N{…}` in an f-string: tree-sitter's reading of them is its own
        if (f && (d === LBRACE || d === RBRACE || d === 78)) throw UNSUPPORTED;
        if (d === NL) {
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
      if (c === q && (!triple || (s.charCodeAt(j + 1) === q && s.charCodeAt(j + 2) === q))) break;
      if (f && c === RBRACE) throw UNSUPPORTED; // `}}` (the converter keeps both) or a lone `}`
      if (f && c === LBRACE) {
        if (s.charCodeAt(j + 1) === LBRACE) throw UNSUPPORTED; // `{{`: the converter keeps both
        const piece = s.slice(start, j);
        text += raw ? piece : decodeEscapes(piece);
        if (text) values.push({ type: 'Constant', line: 0, col: 0, endLine: 0, endCol: 0, value: text });
        text = '';
        this.i = j;
        values.push(this.replacementField(q, triple));
        j = start = this.i;
        continue;
      }
      j++;
    }
    const piece = s.slice(start, j);
    text += raw ? piece : decodeEscapes(piece);
    this.i = j + (triple ? 3 : 1);
    this.ended();
    const p = { line, col, endLine: this.el, endCol: this.ec };
    if (!values.length) return { type: 'Constant', ...p, value: bytes ? { bytes: text } : text };
    if (text) values.push({ type: 'Constant', ...p, value: text });
    for (const v of values) if (v.type === 'Constant') Object.assign(v, p);
    return { type: 'JoinedStr', ...p, values };
  }

  /**
   * `{expression=!r:spec}` of an f-string quoted by `q`, from `i` at its `{` to just after its `}`. Refused: the
   * string's own quote, a backslash or a comment inside it, a newline in a one-line string, a nested field in the spec.
   */
  private replacementField(q: number, triple: boolean): A.FormattedValue {
    const s = this.s;
    const line = this.line, col = this.i - this.ls;
    // where it ends, for the checks: brackets counted, strings of the other quote skipped
    let j = this.i + 1;
    let depth = 0;
    for (;; j++) {
      const c = s.charCodeAt(j);
      if (Number.isNaN(c) || c === q || c === BACKSLASH || c === HASH || (c === NL && !triple)) throw UNSUPPORTED;
      if (c === QUOTE || c === DQUOTE) {
        const close = s.indexOf(s[j]!, j + 1);
        if (close < 0) throw UNSUPPORTED;
        const inner = s.slice(j + 1, close);
        if (inner.includes('\\') || inner.includes('\n') || inner.includes(String.fromCharCode(q))) throw UNSUPPORTED;
        j = close;
      } else if (c === 40 || c === 91 || c === LBRACE) depth++;
      else if (c === 41 || c === 93) depth--;
      else if (c === RBRACE) {
        if (depth === 0) break;
        depth--;
      }
    }
    const fieldEnd = j;
    this.i++;
    this.depth++;
    this.skip();
    const value = this.test();
    if (this.op() === '=') this.eatOp('=');
    let conversion: string | null = null;
    if (this.at(33 /* ! */)) {
      const k = s[this.i + 1];
      if (k !== 'r' && k !== 's' && k !== 'a') throw UNSUPPORTED;
      conversion = k;
      this.i += 2;
    }
    let formatSpec: string | null = null;
    if (this.at(58 /* : */)) {
      if (s.charCodeAt(this.i + 1) === 61) throw UNSUPPORTED; // `{a:=…}`: tree-sitter reads a walrus, or fails
      formatSpec = s.slice(this.i + 1, fieldEnd);
      if (!formatSpec || /[{}\n'"]/.test(formatSpec)) throw UNSUPPORTED;
      this.i = fieldEnd;
    }
    this.depth--;
    if (this.i !== fieldEnd) throw UNSUPPORTED;
    this.i++;
    this.el = this.line;
    this.ec = this.i - this.ls;
    this.ei = this.i;
    return { type: 'FormattedValue', line, col, endLine: this.el, endCol: this.ec, value, conversion, formatSpec };
  }
}
