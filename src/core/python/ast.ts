// A small Python AST modelled on CPython's `ast` module (same node names and fields, a subset of them),
// produced from tree-sitter-python's concrete syntax tree by ./parse.ts. The evaluators in the core work on
// this, never on source text.

export interface Pos {
  /** 1-based line */
  line: number;
  /** 0-based column */
  col: number;
  endLine: number;
  /** 0-based column just past the node's end (UTF-8 bytes, like `col`); absent in ASTs cached before it existed */
  endCol?: number;
}

// ---- expressions -----------------------------------------------------------------------------

export type Expr =
  | Name
  | Constant
  | JoinedStr
  | Attribute
  | Subscript
  | Call
  | BinOp
  | UnaryOp
  | BoolOp
  | Compare
  | ListExpr
  | TupleExpr
  | SetExpr
  | DictExpr
  | Starred
  | IfExp
  | Lambda
  | Comprehension
  | NamedExpr
  | Slice
  | Await
  | OtherExpr;

export interface Name extends Pos { type: 'Name'; id: string }
export type ConstantValue = string | number | bigint | boolean | null | { bytes: string } | { ellipsis: true };
export interface Constant extends Pos { type: 'Constant'; value: ConstantValue }
/** f-string: literal parts are Constant strings, replacement fields are FormattedValue */
export interface JoinedStr extends Pos { type: 'JoinedStr'; values: (Constant | FormattedValue)[] }
export interface FormattedValue extends Pos { type: 'FormattedValue'; value: Expr; conversion: string | null; formatSpec: string | null }
export interface Attribute extends Pos { type: 'Attribute'; value: Expr; attr: string }
export interface Subscript extends Pos { type: 'Subscript'; value: Expr; slice: Expr }
export interface Keyword { arg: string | null; value: Expr }
export interface Call extends Pos { type: 'Call'; func: Expr; args: Expr[]; keywords: Keyword[] }
export interface BinOp extends Pos { type: 'BinOp'; left: Expr; op: string; right: Expr }
export interface UnaryOp extends Pos { type: 'UnaryOp'; op: 'not' | '-' | '+' | '~'; operand: Expr }
export interface BoolOp extends Pos { type: 'BoolOp'; op: 'and' | 'or'; values: Expr[] }
export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is' | 'is not' | '<>';
export interface Compare extends Pos { type: 'Compare'; left: Expr; ops: CmpOp[]; comparators: Expr[] }
export interface ListExpr extends Pos { type: 'List'; elts: Expr[] }
export interface TupleExpr extends Pos { type: 'Tuple'; elts: Expr[] }
export interface SetExpr extends Pos { type: 'Set'; elts: Expr[] }
/** `keys[i] === null` means `**values[i]` */
export interface DictExpr extends Pos { type: 'Dict'; keys: (Expr | null)[]; values: Expr[] }
export interface Starred extends Pos { type: 'Starred'; value: Expr; double?: boolean }
export interface IfExp extends Pos { type: 'IfExp'; test: Expr; body: Expr; orelse: Expr }
export interface Lambda extends Pos { type: 'Lambda'; args: Arguments; body: Expr }
export interface ComprehensionFor { target: Expr; iter: Expr; ifs: Expr[]; isAsync: boolean }
export interface Comprehension extends Pos {
  type: 'ListComp' | 'SetComp' | 'GeneratorExp' | 'DictComp';
  elt: Expr;
  /** DictComp only */
  value?: Expr;
  generators: ComprehensionFor[];
}
export interface NamedExpr extends Pos { type: 'NamedExpr'; target: Name; value: Expr }
export interface Slice extends Pos { type: 'Slice'; lower: Expr | null; upper: Expr | null; step: Expr | null }
export interface Await extends Pos { type: 'Await'; value: Expr }
/** anything the converter does not model (yield, ERROR fragments, …); evaluators treat it as unknown */
export interface OtherExpr extends Pos { type: 'OtherExpr'; kind: string; text: string }

// ---- statements ------------------------------------------------------------------------------

export type Stmt =
  | ClassDef
  | FunctionDef
  | Assign
  | AnnAssign
  | AugAssign
  | Return
  | If
  | For
  | While
  | With
  | Try
  | Import
  | ImportFrom
  | ExprStmt
  | Simple
  | Raise
  | Delete
  | Global
  | Assert
  | Match
  | OtherStmt;

export interface Arg { name: string; default: Expr | null; annotation: Expr | null }
export interface Arguments {
  posonly: Arg[];
  args: Arg[];
  vararg: Arg | null;
  kwonly: Arg[];
  kwarg: Arg | null;
}

export interface ClassDef extends Pos {
  type: 'ClassDef';
  name: string;
  bases: Expr[];
  keywords: Keyword[];
  body: Stmt[];
  decorators: Expr[];
}
export interface FunctionDef extends Pos {
  type: 'FunctionDef';
  name: string;
  args: Arguments;
  body: Stmt[];
  decorators: Expr[];
  isAsync: boolean;
}
/** `a = b = value` has targets [a, b] */
export interface Assign extends Pos { type: 'Assign'; targets: Expr[]; value: Expr }
export interface AnnAssign extends Pos { type: 'AnnAssign'; target: Expr; annotation: Expr; value: Expr | null }
export interface AugAssign extends Pos { type: 'AugAssign'; target: Expr; op: string; value: Expr }
export interface Return extends Pos { type: 'Return'; value: Expr | null }
/** elif chains are nested Ifs in `orelse`, as in CPython */
export interface If extends Pos { type: 'If'; test: Expr; body: Stmt[]; orelse: Stmt[] }
export interface For extends Pos { type: 'For'; target: Expr; iter: Expr; body: Stmt[]; orelse: Stmt[]; isAsync: boolean }
export interface While extends Pos { type: 'While'; test: Expr; body: Stmt[]; orelse: Stmt[] }
export interface With extends Pos { type: 'With'; items: { context: Expr; target: Expr | null }[]; body: Stmt[] }
export interface ExceptHandler extends Pos { typeExpr: Expr | null; name: string | null; body: Stmt[] }
export interface Try extends Pos { type: 'Try'; body: Stmt[]; handlers: ExceptHandler[]; orelse: Stmt[]; finalbody: Stmt[] }
export interface Alias { name: string; asname: string | null }
export interface Import extends Pos { type: 'Import'; names: Alias[] }
/** `from ..a.b import c` → module "a.b", level 2; `from x import *` → names [{name:"*"}] */
export interface ImportFrom extends Pos { type: 'ImportFrom'; module: string | null; level: number; names: Alias[] }
export interface ExprStmt extends Pos { type: 'Expr'; value: Expr }
export interface Simple extends Pos { type: 'Pass' | 'Break' | 'Continue' }
export interface Raise extends Pos { type: 'Raise'; exc: Expr | null }
export interface Delete extends Pos { type: 'Delete'; targets: Expr[] }
export interface Global extends Pos { type: 'Global' | 'Nonlocal'; names: string[] }
export interface Assert extends Pos { type: 'Assert'; test: Expr }
/** `match` is kept opaque: evaluators treat its effect as unknown, but its cases' bodies are listed */
/**
 * `match` (3.10): `cases` are the bodies, `patterns` their patterns (same order; absent from ASTs of older builds).
 * Patterns read: literals and dotted values, `_`, captures, `|`, `as`, groups; the others are `other`.
 */
export interface Match extends Pos { type: 'Match'; subject: Expr; cases: Stmt[][]; patterns?: MatchCase[] }
export interface MatchCase { pattern: Pattern; guard: Expr | null }
export type Pattern =
  | { kind: 'value'; value: Expr }
  | { kind: 'wildcard' }
  | { kind: 'capture'; name: string }
  | { kind: 'or'; alts: Pattern[] }
  | { kind: 'as'; pattern: Pattern; name: string }
  | { kind: 'other' };
export interface OtherStmt extends Pos { type: 'OtherStmt'; kind: string }

export interface ParseProblem {
  line: number;
  col: number;
  message: string;
}

/**
 * A limit of ./parse.ts that cut the reading of a file short (a `parse-budget` finding): `size`, a file over the
 * parsing limit (only its beginning read); `time`, the file's time budget ran out; `depth`, code nested deeper
 * than the converter follows. What was read before it is in `body`.
 */
export interface ParseLimit {
  kind: 'size' | 'time' | 'depth';
  /** the first line affected */
  line: number;
  message: string;
  /** a time limit hit on the reduced budget of a scan that had spent its own: the next scan parses it again */
  retry?: boolean;
}

export interface Module {
  type: 'Module';
  path: string;
  body: Stmt[];
  /** syntax errors; lines listed here were skipped, the rest of the file was read */
  problems: ParseProblem[];
  /** set when a limit cut the reading short */
  limit?: ParseLimit;
}
