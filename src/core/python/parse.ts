// Python source → ./ast.ts, through tree-sitter-python (WebAssembly, so the same code runs in the CLI, the
// extension host and tests without native builds).
//
// Error tolerance: tree-sitter always returns a tree, but an ERROR node can swallow the statements after a
// half-typed line (e.g. `def f(:` eats the rest of the file). So when a parse has errors we blank the line
// where the first error starts (keeping offsets and line numbers) and parse again, a bounded number of times.
// What remains is read as usual and the blanked lines are reported as problems.
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { Parser, Language, Node as TSNodeClass, type Node as TSNode, type Tree, type ParseOptions as TSParseOptions } from 'web-tree-sitter';
import type * as A from './ast';
import { overlayText, type FileStat } from '../vfs';
import { decodeEscapes, parseIntLiteral } from './lexical';
import { keywordReading, parseMigrationFile, parseModuleFile } from './fast-parser';

let parser: Parser | null = null;
let initPromise: Promise<Parser> | null = null;

/** Find a wasm file: next to the bundle (dist/) first, then in node_modules. */
function wasmFile(name: string, pkgPath: string): string {
  const candidates = [path.join(__dirname, name), path.join(__dirname, 'wasm', name)];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  return require.resolve(pkgPath);
}

/** Load the parser once; every later call is free. */
export function initPython(): Promise<Parser> {
  if (parser) return Promise.resolve(parser);
  if (!initPromise) {
    initPromise = (async () => {
      const runtime = wasmFile('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm');
      await Parser.init({ locateFile: () => runtime });
      const lang = await Language.load(wasmFile('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'));
      memoizeNodeGetters();
      const p = new Parser();
      p.setLanguage(lang);
      parser = p;
      return p;
    })();
  }
  return initPromise;
}

/**
 * web-tree-sitter's Node answers `type`, `endPosition` and `endIndex` with a call into WebAssembly each time it is
 * asked (a 2 MB project asks ~600,000 times for a type, three times per node); a node never changes, so each is
 * asked once per node object and kept on it. About a fifth of the conversion's time.
 */
function memoizeNodeGetters(): void {
  const proto = TSNodeClass.prototype as unknown as Record<string, unknown>;
  for (const [name, slot] of [['type', '_dmdbType'], ['endPosition', '_dmdbEndPosition'], ['endIndex', '_dmdbEndIndex']] as const) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    const get = desc?.get;
    if (!get || (get as { memoized?: boolean }).memoized) continue;
    const memo = function (this: Record<string, unknown>): unknown {
      let v = this[slot];
      if (v === undefined) this[slot] = v = get.call(this);
      return v;
    };
    (memo as { memoized?: boolean }).memoized = true;
    Object.defineProperty(proto, name, { ...desc, get: memo });
  }
}

// ---- limits ---------------------------------------------------------------------------------------------
// Every file gets an answer within a budget, whatever it holds (a data dump, random bytes, 10,000 nested
// parentheses): tree-sitter's error recovery on garbage costs seconds per 100 KB and hundreds of MB, and each
// repair re-parses the whole file. What a limit cut short is said in `Module.limit` (a `parse-budget` finding);
// what was read before it is kept.

/** Files larger than this are parsed only up to HEADER_CHARS (imports, settings, a migration's `dependencies`). */
export const MAX_PARSE_CHARS = 1024 * 1024;
/** How much of an over-large file is read: enough for the header facts of any real migration or models module. */
export const HEADER_CHARS = 128 * 1024;
/** Line repairs per file (each one a whole re-parse). */
const MAX_REPAIRS = 12;
/**
 * A first parse with errors on more lines than this is not repaired at all. Half-typed code has a few; one
 * unbalanced quote can flip a file's strings and put errors on dozens of lines, which repairs from the top do
 * mend; garbage has errors on nearly every line.
 */
const GARBAGE_ROWS = 100;
/**
 * Nesting the converter follows (expressions and blocks). CPython itself refuses more than 200 nested
 * parentheses (tokenizer MAXLEVEL) and 100 indentation levels; left-nested operator chains (`1+1+…+1`,
 * which CPython compiles at any length) are walked without recursion and do not count.
 */
export const MAX_NESTING = 250;

/** CPU time (cpuClock) for one file (parse, repairs, conversion) and for all the files of one scan. */
export const FILE_BUDGET_MS = 3000;
export const SCAN_BUDGET_MS = 20000;
/** Once a scan's budget is spent, each further file still gets this much (plenty for any ordinary file). */
export const SPENT_FILE_BUDGET_MS = 250;
/**
 * Source parsed in full by one scan, a memory bound: the ASTs kept take about ten times the source. A
 * generated project of 200 apps (4,000 migrations) parses 20 MB.
 */
export const SCAN_PARSE_CHARS = 64 * 1024 * 1024;

/**
 * Milliseconds of CPU time of this thread (where Node can tell, else of the process): a budget in CPU time cuts
 * the same files short on a busy machine as on an idle one, so findings do not depend on the machine's load.
 */
const threadClock = typeof (process as NodeJS.Process & { threadCpuUsage?: unknown }).threadCpuUsage === 'function';
export const cpuClock: () => number = (() => {
  const proc = process as NodeJS.Process & { threadCpuUsage?: () => NodeJS.CpuUsage };
  const usage = threadClock ? () => proc.threadCpuUsage!() : () => process.cpuUsage();
  return () => {
    const u = usage();
    return (u.user + u.system) / 1000;
  };
})();

/**
 * cpuClock read again only once a millisecond of wall time has passed since its last reading (else that reading):
 * asking is a system call (~7 µs), twice per file, and most files parse in a third of a millisecond (a large
 * project's cold scan made 6,600 such calls, ~65 ms). A file's charge is off by under a millisecond, and the
 * charges of consecutive files still add up to the time they took: the budget is seconds.
 */
let coarseCpu = 0;
let coarseWall = -Infinity;
function coarseCpuClock(): number {
  const wall = performance.now();
  if (wall - coarseWall < 1) return coarseCpu;
  coarseWall = wall;
  return (coarseCpu = cpuClock());
}

/**
 * How much faster than wall time cpuClock can advance: a thread's CPU time never outruns the wall clock; the
 * process's (the fallback) counts every thread (GC helpers, the thread pool).
 */
const CPU_PER_WALL = threadClock ? 1 : Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

/**
 * Wall time may exceed the CPU budget this many times (a machine so busy that the thread gets less than a
 * quarter of a core): a hang guard, never reached on an ordinary machine.
 */
const WALL_FACTOR = 4;

/**
 * A point in CPU time (cpuClock) and, as a hang guard, in wall time. Asking the CPU clock is a system call
 * (about 10 µs, ~100 ms over a large project's parses); the wall clock is not, and until `cpuFrom` (the wall
 * time at which the CPU time could have reached the deadline at the earliest) the CPU deadline cannot have passed.
 */
class Deadline {
  private cpuFrom: number;

  private constructor(private readonly cpu: number, private readonly wall: number, cpuNow: number, wallNow: number) {
    this.cpuFrom = wallNow + (cpu - cpuNow) / CPU_PER_WALL;
  }

  /** `ms` of CPU time from now; `cpuNow`: cpuClock() read by the caller just before (one system call less) */
  static in(ms: number, cpuNow = cpuClock()): Deadline {
    const wall = performance.now();
    return new Deadline(cpuNow + ms, wall + ms * WALL_FACTOR, cpuNow, wall);
  }

  /** `ms` after this deadline or after now, whichever is later */
  extended(ms: number): Deadline {
    const wall = performance.now();
    // before cpuFrom the CPU clock cannot have reached this deadline: the later of the two is this one, known
    // without asking the clock (a system call per file)
    const cpu = wall < this.cpuFrom ? this.cpu - (this.cpuFrom - wall) * CPU_PER_WALL : cpuClock();
    return new Deadline(Math.max(this.cpu, cpu) + ms, Math.max(this.wall, wall) + ms * WALL_FACTOR, cpu, wall);
  }

  passed(): boolean {
    const wall = performance.now();
    if (wall > this.wall) return true;
    if (wall < this.cpuFrom) return false;
    const cpu = cpuClock();
    if (cpu > this.cpu) return true;
    this.cpuFrom = wall + (this.cpu - cpu) / CPU_PER_WALL;
    return false;
  }
}

/**
 * Parse time shared by the files of one scan. A file gets FILE_BUDGET_MS while the scan has time left, and
 * SPENT_FILE_BUDGET_MS after that: ordinary files still parse, only the costly ones are cut short.
 */
export class ParseBudget {
  private spentMs = 0;
  private chars = 0;
  constructor(
    readonly scanMs = SCAN_BUDGET_MS,
    readonly fileMs = FILE_BUDGET_MS,
    readonly spentFileMs = SPENT_FILE_BUDGET_MS,
    /** source parsed in full per scan; past it, files are read up to HEADER_CHARS (memory: ASTs are ~10x) */
    readonly scanChars = SCAN_PARSE_CHARS,
  ) {}

  /** Characters a file may still have to be parsed in full. */
  charsLeft(): number {
    return this.scanChars - this.chars;
  }

  chargeChars(n: number): void {
    this.chars += n;
  }

  /** The time the next file may take. */
  forFile(): number {
    return Math.max(Math.min(this.spentFileMs, this.fileMs), Math.min(this.fileMs, this.scanMs - this.spentMs));
  }

  charge(ms: number): void {
    this.spentMs += ms;
  }

  get spent(): number {
    return this.spentMs;
  }
}

export interface ParseOptions {
  /** shared by the files of one scan (default: a budget of its own) */
  budget?: ParseBudget;
  /** the file's size in bytes when `source` holds only its beginning (see readPythonFile) */
  fileSize?: number;
  /**
   * 'migration': only what migrations/files.ts reads of a migration file, for speed (most of a migration is field
   * definitions nobody reads). The body holds the `class Migration` statements (in `if`/`try` blocks too) and
   * nothing else; their bodies only the assignments; in `operations`, each operation call keeps its function, its
   * keywords' names, its first positional argument and the values of the keywords it reads (fast-parser.ts
   * keywordReading), and the other arguments are OtherExpr 'not-read'. Syntax errors and limits are those of a
   * full reading.
   */
  only?: 'migration';
  /**
   * Keep the AST for one later `parsePython` of the same file and source (which then takes it instead of
   * parsing again): the migration reader reads the files that the RunPython lints read next.
   */
  keep?: boolean;
  /** a reading by tree-sitter even where ./fast-parser.ts reads the file (its tests compare the two) */
  treeSitter?: boolean;
}


/** ASTs kept (`keep`) for the next parse of the same file, while its source is the same. */
const kept = new Map<string, { source: string; module: A.Module }>();

/** Drop the ASTs kept and not taken (a scan's end: the files the lints did not need). */
export function forgetKeptParses(): void {
  kept.clear();
}

/** Parse Python source. `initPython()` must have resolved before. Never throws on bad input. */
export function parsePython(source: string, filePath = '<string>', opts: ParseOptions = {}): A.Module {
  if (!parser) throw new Error('initPython() has not completed');
  const hit = kept.get(filePath);
  if (hit) {
    kept.delete(filePath);
    if (hit.source === source && !opts.only && opts.fileSize === undefined) return hit.module;
  }
  const budget = opts.budget ?? new ParseBudget();
  const started = coarseCpuClock();
  let module: A.Module;
  try {
    module = parseWithin(parser, source, filePath, opts.fileSize, budget, opts.only ?? null, started, opts.treeSitter === true);
  } finally {
    budget.charge(coarseCpuClock() - started);
  }
  // only a whole reading: a later parse, on a budget of its own, would read a file cut short by a limit further
  if (opts.keep && !opts.only && !module.limit) kept.set(filePath, { source, module });
  return module;
}

/**
 * Read a Python file for parsePython as the index sees it (`st` from core/vfs.ts `statFile`, which admits only
 * regular files): an unsaved editor buffer whole, else the disk file, without loading more of a huge one than
 * will be parsed.
 */
export function readPythonFile(file: string, st: FileStat): { source: string; fileSize?: number } | { error: string } {
  const overlay = overlayText(file);
  if (overlay !== null) return { source: overlay };
  try {
    if (st.size <= MAX_PARSE_CHARS) return { source: fs.readFileSync(file, 'utf8') };
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(HEADER_CHARS);
      const n = fs.readSync(fd, buf, 0, HEADER_CHARS, 0);
      return { source: buf.subarray(0, n).toString('utf8'), fileSize: st.size };
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * Parsing and repairs get two thirds of `budgetMs`, the conversion to ./ast.ts the rest (at least a third of it,
 * so that what was parsed late is still read).
 */
function parseWithin(p: Parser, source: string, filePath: string, fileSize: number | undefined, budget: ParseBudget, only: 'migration' | null, cpuNow: number, treeSitter: boolean): A.Module {
  const budgetMs = budget.forFile();
  const deadline = Deadline.in((budgetMs * 2) / 3, cpuNow);
  const mod = (body: A.Stmt[], problems: A.ParseProblem[], limit?: A.ParseLimit): A.Module => {
    if (!limit) return { type: 'Module', path: filePath, body, problems };
    // cut short on the small budget left once a scan's is spent: a later scan may read it whole
    if (limit.kind === 'time' && budgetMs < budget.fileMs) limit = { ...limit, retry: true };
    return { type: 'Module', path: filePath, body, problems, limit };
  };
  // CPython refuses such a file outright ("source code cannot contain null bytes"): random bytes, a binary
  const nul = source.indexOf('\0');
  if (nul >= 0) {
    const line = lineOf(source, nul);
    return mod([], [{ line, col: 0, message: 'source code cannot contain null bytes (not a Python file?)' }]);
  }
  let text = source;
  let sizeLimit: A.ParseLimit | undefined;
  const size = fileSize ?? source.length;
  const overScan = source.length > HEADER_CHARS && source.length > budget.charsLeft();
  if (fileSize !== undefined || source.length > MAX_PARSE_CHARS || overScan) {
    text = headerOf(source);
    const read = `only its first ${lineOf(text, text.length) - 1} lines were read`;
    sizeLimit = {
      kind: 'size', line: lineOf(text, text.length),
      message: fileSize !== undefined || source.length > MAX_PARSE_CHARS
        ? `file is ${formatSize(size)}, over the ${formatSize(MAX_PARSE_CHARS)} parsing limit: ${read}`
        : `this scan has parsed ${formatSize(budget.scanChars)} of Python, its limit: ${read}`,
    };
  }
  budget.chargeChars(text.length);

  // a file as people write it: read by ./fast-parser.ts, in a fraction of tree-sitter's time
  if (!sizeLimit && !treeSitter) {
    const body = only === 'migration' ? parseMigrationFile(text) : parseModuleFile(text);
    if (body) return mod(body, []);
  }

  let tree = parseBefore(p, text, deadline);
  /** the line of brackets added to close a cut (the statements that reach it were not read whole) */
  let closersLine = 0;
  if (tree && sizeLimit && tree.rootNode.hasError) {
    // the cut ends inside brackets (a migration's `operations = [` list, a data literal): closing them keeps
    // the enclosing class whole, where repairs would blank its first lines
    const closers = unclosedBrackets(tree);
    const closed = closers && parseBefore(p, `${text}${closers}\n`, deadline);
    if (closed) {
      tree.delete();
      tree = closed;
      closersLine = lineOf(text, text.length);
      text = `${text}${closers}\n`;
    }
  }
  if (!tree) {
    // not even one parse in time: try the header alone (ordinary code parses in a fraction of the budget)
    const header = headerOf(text, HEADER_CHARS / 4);
    tree = header.length < text.length ? parseBefore(p, header, Deadline.in(SPENT_FILE_BUDGET_MS)) : null;
    const lines = lineOf(header, header.length) - 1;
    const limit: A.ParseLimit = {
      kind: 'time', line: tree ? lines + 1 : 1,
      message: tree
        ? `parsing took longer than its ${seconds(budgetMs)} budget: only the first ${lines} lines were read`
        : `parsing took longer than its ${seconds(budgetMs)} budget: nothing of the file was read`,
    };
    if (!tree) return mod([], [], limit);
    text = header;
    sizeLimit = limit;
  }

  const problems: A.ParseProblem[] = [];
  let limit = sizeLimit;
  try {
    // Repair: blank the line of the first error and parse again, while that can help and there is time.
    let firstBlanked = Infinity;
    for (let repairs = 0; tree.rootNode.hasError && repairs < MAX_REPAIRS; repairs++) {
      const scan = collectErrors(tree.rootNode, repairs ? 0 : GARBAGE_ROWS);
      // not half-typed code but a mess (or not Python): blanking lines one at a time would cost a whole parse
      // each and fix little; keep what tree-sitter recovered
      if (scan.rows > GARBAGE_ROWS) break;
      const err = firstError(scan, tree.rootNode);
      const row = err ? err.startPosition.row : 0;
      const repaired = blankLine(text, row);
      const next = parseBefore(p, repaired, deadline);
      if (!next) {
        limit ??= { kind: 'time', line: row + 1, message: `repairing syntax errors took longer than its ${seconds(budgetMs)} budget: errors from line ${row + 1} on were not repaired` };
        break;
      }
      // (an error above a line blanked before is the blanking's doing, a decorator left without its `def`: the
      // file parsed up to that line the first time; it is repaired, not reported)
      if (firstBlanked === Infinity || row >= firstBlanked) {
        problems.push({
          line: row + 1,
          col: err ? err.startPosition.column : 0,
          message: err?.isMissing ? `syntax error: missing ${err.type}` : 'syntax error',
        });
      }
      firstBlanked = Math.min(firstBlanked, row);
      tree.delete();
      tree = next;
      text = repaired;
    }
    const root = tree.rootNode;
    if (root.hasError) {
      // the first few errors are enough to name the first (a garbage file has hundreds of thousands)
      const e = firstError(collectErrors(root, 3), root);
      problems.push({ line: (e?.startPosition.row ?? 0) + 1, col: e?.startPosition.column ?? 0, message: 'syntax error' });
    }
    // the last third of the budget, from whenever parsing ended (a header parsed after the first parse ran out)
    const conv = new Converter(text, deadline.extended(budgetMs / 3), budgetMs, only);
    let body: A.Stmt[];
    try {
      body = conv.block(root);
    } catch (e) {
      // MAX_NESTING keeps the converter well inside the stack; this is the last guard should a caller already
      // be deep in its own (the evaluator importing a module, say)
      if (!(e instanceof RangeError)) throw e;
      body = [];
      conv.limit ??= { kind: 'depth', line: 1, message: 'the file is nested too deeply to be read' };
    }
    if (closersLine) markCut(body, closersLine);
    // a file read only in part ends mid-statement: its syntax errors are mostly that cut, and the limit says it
    return mod(body, sizeLimit ? [] : problems, limit ?? conv.limit ?? undefined);
  } finally {
    tree.delete();
  }
}

/**
 * The statements that reach the brackets added at `line` were cut: a list that goes on in the file must not read
 * as complete. Compound statements keep their first statements (a migration's `dependencies` before its
 * `operations`); a cut assignment keeps its targets with a value that is not known; other cut statements go.
 */
function markCut(body: A.Stmt[], line: number): void {
  const i = body.length - 1;
  const s = body[i];
  if (!s || s.endLine < line) return;
  const unknown = (e: A.Pos): A.OtherExpr => ({ type: 'OtherExpr', line: e.line, col: e.col, endLine: e.endLine, kind: 'not-read', text: '' });
  switch (s.type) {
    case 'ClassDef': case 'FunctionDef': case 'With': case 'While':
      markCut(s.body, line);
      break;
    case 'For': case 'If':
      markCut(s.orelse.length ? s.orelse : s.body, line);
      break;
    case 'Try':
      markCut(s.finalbody.length ? s.finalbody : s.orelse.length ? s.orelse : s.handlers.length ? s.handlers[s.handlers.length - 1]!.body : s.body, line);
      break;
    case 'Assign': case 'AugAssign':
      s.value = unknown(s.value);
      break;
    case 'AnnAssign':
      if (s.value) s.value = unknown(s.value);
      break;
    default:
      body.pop();
  }
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** The closing brackets that the text of `tree` lacks at its end, innermost first ('' when none). */
export function unclosedBrackets(tree: Tree): string {
  const open: string[] = [];
  const c = tree.walk();
  try {
    // every token in order (tree-sitter has told brackets from string contents and comments)
    for (;;) {
      if (!c.nodeIsNamed && !c.nodeIsMissing) {
        const t = c.nodeType;
        if (t in CLOSER) open.push(CLOSER[t]!);
        else if (t === ')' || t === ']' || t === '}') {
          if (open[open.length - 1] === t) open.pop();
        }
      }
      if (c.gotoFirstChild()) continue;
      while (!c.gotoNextSibling()) if (!c.gotoParent()) return open.reverse().join('');
    }
  } finally {
    c.delete();
  }
}

/** One parse that tree-sitter abandons at `deadline` (null then). */
function parseBefore(p: Parser, text: string, deadline: Deadline): Tree | null {
  let cancelled = false;
  let calls = 0;
  const tree = p.parse(text, null, {
    // called about every half millisecond; the clock costs a system call, so it is read every 8th time
    progressCallback: () => {
      if (++calls % 8 === 0 && deadline.passed()) cancelled = true;
      return cancelled;
    },
  } as TSParseOptions);
  if (cancelled || !tree) {
    tree?.delete();
    // a cancelled parse is resumed by the next call unless the parser is reset
    p.reset();
    return null;
  }
  return tree;
}

/** The beginning of `text` up to `max` characters, cut after the last complete line. */
function headerOf(text: string, max = HEADER_CHARS): string {
  if (text.length <= max) return text;
  const nl = text.lastIndexOf('\n', max - 1);
  return text.slice(0, nl >= 0 ? nl + 1 : max);
}

/** 1-based line of offset `at`. */
function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB` : `${Math.round(bytes / 1024)} KB`;
}

interface ErrorScan {
  /** ERROR and MISSING nodes, depth first */
  errors: TSNode[];
  /** rows where a class or def starts */
  headers: Set<number>;
  /** distinct rows the errors start on (counting stops past the limit given) */
  rows: number;
}

/**
 * The ERROR and MISSING nodes, depth first, descending only into subtrees that hold errors; without recursion
 * (a file of unclosed brackets nests thousands deep). Stops once errors start on more than `maxRows` rows
 * (0: no limit).
 */
function collectErrors(root: TSNode, maxRows: number): ErrorScan {
  const errors: TSNode[] = [];
  const headers = new Set<number>();
  const rows = new Set<number>();
  const stack: TSNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'class_definition' || n.type === 'function_definition') headers.add(n.startPosition.row);
    if (n.isError || n.isMissing) {
      errors.push(n);
      rows.add(n.startPosition.row);
      if (maxRows && rows.size > maxRows) break;
    }
    if (!n.hasError && !n.isError) continue;
    const children = n.children;
    for (let i = children.length - 1; i >= 0; i--) if (children[i]) stack.push(children[i]!);
  }
  return { errors, headers, rows: rows.size };
}

/**
 * The error to repair first. An ERROR node often starts at an enclosing `class` or `def` header; blanking that
 * line would lose the whole block, while the real mistake (an unclosed call, say) sits on a later line inside
 * it. So the first error (depth-first) that does not start on a block header line wins; failing that, the first.
 */
function firstError(scan: ErrorScan, root: TSNode): TSNode | null {
  const { errors, headers } = scan;
  for (const e of errors) {
    if (!headers.has(e.startPosition.row)) return e;
    // an ERROR starting on a header line: its first child on a later line is where the mistake is
    const inner = e.children.find(c => c && !headers.has(c.startPosition.row) && c.startPosition.row > e.startPosition.row);
    if (inner) return inner;
  }
  return errors[0] ?? (root.hasError ? root : null);
}

/** Replace line `row` (0-based) with spaces, keeping every offset. */
function blankLine(text: string, row: number): string {
  let start = 0;
  for (let r = 0; r < row; r++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return text;
    start = nl + 1;
  }
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}

function pos(n: TSNode): A.Pos {
  const start = n.startPosition, end = n.endPosition;
  return { line: start.row + 1, col: start.column, endLine: end.row + 1, endCol: end.column };
}

/** Nodes tree-sitter puts anywhere (comments, backslash continuations): no part of the code around them. */
const EXTRA_NODES = new Set(['comment', 'line_continuation']);

/** The first named child that is not an extra node. */
function firstNamed(n: TSNode): TSNode | null {
  for (const c of n.namedChildren) if (c && !EXTRA_NODES.has(c.type)) return c;
  return null;
}

const STATEMENT_TYPES = new Set([
  'expression_statement', 'class_definition', 'function_definition', 'decorated_definition', 'if_statement',
  'for_statement', 'while_statement', 'with_statement', 'try_statement', 'return_statement', 'import_statement',
  'import_from_statement', 'future_import_statement', 'pass_statement', 'break_statement', 'continue_statement',
  'raise_statement', 'delete_statement', 'global_statement', 'nonlocal_statement', 'assert_statement',
  'match_statement', 'type_alias_statement', 'print_statement', 'exec_statement',
]);

/** How often (in nodes) the converter looks at the clock. */
const CLOCK_EVERY = 2048;

class Converter {
  /** what cut the conversion short (nesting, time), with the first line affected */
  limit: A.ParseLimit | null = null;
  private depth = 0;
  private nodes = 0;
  /** past the deadline: the statements still to come are left out */
  private stopped = false;
  /** converting the body of a `class Migration` (migration-only reading) */
  private inMigration = false;

  constructor(private readonly src: string, private readonly deadline: Deadline, private readonly budgetMs: number, private readonly only: 'migration' | null = null) {}

  /** A migration-only reading (ParseOptions.only) leaves out the statement `n`. */
  private leftOut(n: TSNode): boolean {
    if (this.inMigration) return n.type !== 'expression_statement';
    switch (n.type) {
      case 'if_statement': case 'try_statement':
        return false;
      case 'class_definition':
        return n.childForFieldName('name')?.text !== 'Migration';
      case 'decorated_definition': {
        const def = n.childForFieldName('definition');
        return def?.type !== 'class_definition' || def.childForFieldName('name')?.text !== 'Migration';
      }
      default:
        return true;
    }
  }

  /** `operations` of a Migration class read migration-only */
  private isOperations(target: A.Expr): boolean {
    return this.inMigration && target.type === 'Name' && target.id === 'operations';
  }

  /** An `operations` value read for migrations/files.ts: lists, tuples, `+` and parentheses around operation calls. */
  private operationsValue(n: TSNode | null): A.Expr {
    if (!n || !this.enter(n)) return this.expr(n);
    try {
      const p = pos(n);
      switch (n.type) {
        case 'list':
        case 'tuple':
          return { type: n.type === 'list' ? 'List' : 'Tuple', ...p, elts: n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type)).map(c => this.operationsValue(c)) };
        case 'parenthesized_expression':
          return this.operationsValue(n.namedChildren.find(c => c && !EXTRA_NODES.has(c.type)) ?? null);
        case 'binary_operator':
          return { type: 'BinOp', ...p, left: this.operationsValue(n.childForFieldName('left')), op: n.childForFieldName('operator')?.text ?? '?', right: this.operationsValue(n.childForFieldName('right')) };
        case 'call':
          return this.operationCall(n, p);
        default:
          return this.expr(n);
      }
    } finally {
      this.depth--;
    }
  }

  /** An operation call: its function, first positional argument and the keywords it reads (keywordReading); the rest not read. */
  private operationCall(n: TSNode, p: A.Pos): A.Call {
    const args: A.Expr[] = [];
    const keywords: A.Keyword[] = [];
    const notRead = (c: TSNode): A.OtherExpr => ({ type: 'OtherExpr', ...pos(c), kind: 'not-read', text: '' });
    const a = n.childForFieldName('arguments');
    if (a?.type === 'argument_list') {
      for (const c of a.namedChildren) {
        if (!c || EXTRA_NODES.has(c.type)) continue;
        if (c.type === 'keyword_argument') {
          const arg = c.childForFieldName('name')?.text ?? null;
          const v = c.childForFieldName('value');
          const how = keywordReading(arg);
          keywords.push({ arg, value: how === 'operations' ? this.operationsValue(v) : how === 'read' || !v ? this.expr(v) : notRead(v) });
        } else if (c.type === 'dictionary_splat') {
          keywords.push({ arg: null, value: notRead(c) });
        } else {
          args.push(args.length ? notRead(c) : this.operationsValue(c));
        }
      }
    } else if (a) args.push(this.expr(a));
    return { type: 'Call', ...p, func: this.expr(n.childForFieldName('function')), args, keywords };
  }

  /** Statements of a module or block; ERROR nodes are searched for whole statements. */
  block(node: TSNode | null): A.Stmt[] {
    const out: A.Stmt[] = [];
    if (!node || !this.enter(node)) return out;
    try {
      for (const c of node.namedChildren) {
        if (!c) continue;
        if (this.stopped) break;
        if (c.type === 'ERROR') {
          out.push(...this.block(c));
        } else if (STATEMENT_TYPES.has(c.type)) {
          const s = this.stmt(c);
          if (s) out.push(...s);
        }
      }
    } finally {
      this.depth--;
    }
    return out;
  }

  /**
   * Count one level of nesting and one node; false (and the limit noted) when `n` is too deep to follow or the
   * time is up. Every `enter` that returns true is paired with `this.depth--`.
   */
  private enter(n: TSNode): boolean {
    if (this.stopped) return false;
    if (++this.nodes % CLOCK_EVERY === 0 && this.deadline.passed()) {
      this.stopped = true;
      this.limit ??= {
        kind: 'time', line: n.startPosition.row + 1,
        message: `reading the file took longer than its ${seconds(this.budgetMs)} budget: it was read up to line ${n.startPosition.row + 1}`,
      };
      return false;
    }
    if (this.depth >= MAX_NESTING) {
      this.limit ??= {
        kind: 'depth', line: n.startPosition.row + 1,
        message: `code nested more than ${MAX_NESTING} levels deep at line ${n.startPosition.row + 1} was not read (CPython itself refuses more than 200 nested brackets or 100 indentation levels)`,
      };
      return false;
    }
    this.depth++;
    return true;
  }

  stmt(n: TSNode): A.Stmt[] | null {
    if (this.only && this.leftOut(n)) return null;
    if (!this.enter(n)) return null;
    try {
      return this.stmtInner(n);
    } finally {
      this.depth--;
    }
  }

  private stmtInner(n: TSNode): A.Stmt[] | null {
    const p = pos(n);
    switch (n.type) {
      case 'expression_statement': {
        const out: A.Stmt[] = [];
        for (const c of n.namedChildren) if (c) out.push(this.exprStatement(c));
        return out;
      }
      case 'class_definition':
        return [this.classDef(n, [])];
      case 'function_definition':
        return [this.functionDef(n, [])];
      case 'decorated_definition': {
        const decorators = n.namedChildren.filter(c => c?.type === 'decorator').map(d => this.expr(firstNamed(d!)));
        const def = n.childForFieldName('definition');
        if (!def) return null;
        if (def.type === 'class_definition') return [this.classDef(def, decorators, p)];
        if (def.type === 'function_definition') return [this.functionDef(def, decorators, p)];
        return null;
      }
      case 'return_statement': {
        const v = firstNamed(n);
        return [{ type: 'Return', ...p, value: v ? this.expr(v) : null }];
      }
      case 'if_statement':
        return [this.ifStmt(n)];
      case 'for_statement':
        return [{
          type: 'For', ...p, target: this.expr(n.childForFieldName('left')), iter: this.expr(n.childForFieldName('right')),
          body: this.block(n.childForFieldName('body')), orelse: this.elseBody(n.childForFieldName('alternative')),
          isAsync: n.children.some(c => c?.type === 'async'),
        }];
      case 'while_statement':
        return [{
          type: 'While', ...p, test: this.expr(n.childForFieldName('condition')), body: this.block(n.childForFieldName('body')),
          orelse: this.elseBody(n.childForFieldName('alternative')),
        }];
      case 'with_statement': {
        const items: { context: A.Expr; target: A.Expr | null }[] = [];
        const clause = n.namedChildren.find(c => c?.type === 'with_clause');
        for (const item of clause?.namedChildren ?? []) {
          if (item?.type !== 'with_item') continue;
          const v = item.childForFieldName('value');
          if (v?.type === 'as_pattern') {
            const target = v.childForFieldName('alias');
            items.push({ context: this.expr(firstNamed(v)), target: target ? this.expr(firstNamed(target) ?? target) : null });
          } else items.push({ context: this.expr(v), target: null });
        }
        return [{ type: 'With', ...p, items, body: this.block(n.childForFieldName('body')) }];
      }
      case 'try_statement': {
        const handlers: A.ExceptHandler[] = [];
        let orelse: A.Stmt[] = [];
        let finalbody: A.Stmt[] = [];
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'except_clause' || c.type === 'except_group_clause') {
            let typeExpr: A.Expr | null = null;
            let name: string | null = null;
            const value = c.childForFieldName('value') ?? c.namedChildren.find(x => x && x.type !== 'block' && !EXTRA_NODES.has(x.type)) ?? null;
            if (value?.type === 'as_pattern') {
              typeExpr = this.expr(firstNamed(value));
              name = value.childForFieldName('alias')?.text ?? null;
            } else if (value) typeExpr = this.expr(value);
            const alias = c.childForFieldName('alias');
            if (alias) name = alias.text;
            handlers.push({ ...pos(c), typeExpr, name, body: this.block(c.namedChildren.find(x => x?.type === 'block') ?? null) });
          } else if (c.type === 'else_clause') orelse = this.block(c.childForFieldName('body'));
          else if (c.type === 'finally_clause') finalbody = this.block(c.namedChildren.find(x => x?.type === 'block') ?? null);
        }
        return [{ type: 'Try', ...p, body: this.block(n.childForFieldName('body')), handlers, orelse, finalbody }];
      }
      case 'import_statement':
        return [{ type: 'Import', ...p, names: n.childrenForFieldName('name').filter(x => !!x).map(x => this.alias(x!)) }];
      case 'future_import_statement':
        return [{ type: 'ImportFrom', ...p, module: '__future__', level: 0, names: n.childrenForFieldName('name').filter(x => !!x).map(x => this.alias(x!)) }];
      case 'import_from_statement': {
        const mod = n.childForFieldName('module_name');
        let module: string | null = null;
        let level = 0;
        if (mod?.type === 'relative_import') {
          for (const c of mod.namedChildren) {
            if (c?.type === 'import_prefix') level = c.text.length;
            else if (c?.type === 'dotted_name') module = dotted(c);
          }
        } else if (mod) module = dotted(mod);
        const names = n.namedChildren.some(c => c?.type === 'wildcard_import')
          ? [{ name: '*', asname: null }]
          : n.childrenForFieldName('name').filter(x => !!x).map(x => this.alias(x!));
        return [{ type: 'ImportFrom', ...p, module, level, names }];
      }
      case 'pass_statement':
        return [{ type: 'Pass', ...p }];
      case 'break_statement':
        return [{ type: 'Break', ...p }];
      case 'continue_statement':
        return [{ type: 'Continue', ...p }];
      case 'raise_statement': {
        const v = firstNamed(n);
        return [{ type: 'Raise', ...p, exc: v ? this.expr(v) : null }];
      }
      case 'delete_statement': {
        const v = firstNamed(n);
        const targets = !v ? [] : v.type === 'expression_list' ? v.namedChildren.map(x => this.expr(x)) : [this.expr(v)];
        return [{ type: 'Delete', ...p, targets }];
      }
      case 'global_statement':
      case 'nonlocal_statement':
        return [{ type: n.type === 'global_statement' ? 'Global' : 'Nonlocal', ...p, names: n.namedChildren.map(c => c?.text ?? '') }];
      case 'assert_statement':
        return [{ type: 'Assert', ...p, test: this.expr(firstNamed(n)) }];
      case 'match_statement': {
        const cases: A.Stmt[][] = [];
        const patterns: A.MatchCase[] = [];
        const body = n.childForFieldName('body');
        for (const c of body?.namedChildren ?? []) {
          if (c?.type !== 'case_clause') continue;
          cases.push(this.block(c.childForFieldName('consequence')));
          const pats = c.namedChildren.filter(x => x?.type === 'case_pattern');
          const guard = c.childForFieldName('guard');
          patterns.push({ pattern: pats.length === 1 ? this.pattern(pats[0]!) : { kind: 'other' }, guard: guard ? this.expr(firstNamed(guard)) : null });
        }
        return [{ type: 'Match', ...p, subject: this.expr(n.childForFieldName('subject')), cases, patterns }];
      }
      default:
        return [{ type: 'OtherStmt', ...p, kind: n.type }];
    }
  }

  private exprStatement(c: TSNode): A.Stmt {
    const p = pos(c);
    if (c.type === 'assignment') {
      const targets: A.Expr[] = [];
      let cur: TSNode | null = c;
      let annotation: TSNode | null = null;
      // `a = b = v` nests as assignment(left=a, right=assignment(left=b, right=v))
      while (cur && cur.type === 'assignment') {
        targets.push(this.expr(cur.childForFieldName('left')));
        annotation = annotation ?? cur.childForFieldName('type');
        cur = cur.childForFieldName('right');
      }
      const value = (v: TSNode) => (targets.length === 1 && this.isOperations(targets[0]!) ? this.operationsValue(v) : this.expr(v));
      if (annotation && targets.length === 1) {
        return { type: 'AnnAssign', ...p, target: targets[0]!, annotation: this.expr(annotation), value: cur ? value(cur) : null };
      }
      if (!cur) return { type: 'OtherStmt', ...p, kind: 'assignment' };
      return { type: 'Assign', ...p, targets, value: value(cur) };
    }
    if (c.type === 'augmented_assignment') {
      const op = c.childForFieldName('operator')?.text ?? '+=';
      const target = this.expr(c.childForFieldName('left'));
      const right = c.childForFieldName('right');
      return { type: 'AugAssign', ...p, target, op: op.slice(0, -1), value: this.isOperations(target) ? this.operationsValue(right) : this.expr(right) };
    }
    return { type: 'Expr', ...p, value: this.expr(c) };
  }

  private ifStmt(n: TSNode): A.If {
    const p = pos(n);
    const alternatives = n.childrenForFieldName('alternative').filter(x => !!x) as TSNode[];
    // elif clauses become nested Ifs in orelse, like CPython's ast
    const build = (i: number): A.Stmt[] => {
      const alt = alternatives[i];
      if (!alt) return [];
      if (alt.type === 'else_clause') return this.block(alt.childForFieldName('body'));
      return [{
        type: 'If', ...pos(alt), test: this.expr(alt.childForFieldName('condition')),
        body: this.block(alt.childForFieldName('consequence')), orelse: build(i + 1),
      }];
    };
    return { type: 'If', ...p, test: this.expr(n.childForFieldName('condition')), body: this.block(n.childForFieldName('consequence')), orelse: build(0) };
  }

  /** A case pattern (a `case_pattern` node or one of its parts). */
  private pattern(n: TSNode, depth = 0): A.Pattern {
    if (depth > 20) return { kind: 'other' };
    if (n.type === 'case_pattern') {
      const inner = n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type));
      if (!inner.length) return { kind: 'wildcard' };
      return inner.length === 1 ? this.pattern(inner[0]!, depth + 1) : { kind: 'other' };
    }
    switch (n.type) {
      case 'string': case 'concatenated_string': case 'integer': case 'float': case 'true': case 'false': case 'none':
        return { kind: 'value', value: this.expr(n) };
      case 'dotted_name': {
        const ids = n.namedChildren.filter(c => c?.type === 'identifier').map(c => c!.text);
        if (ids.length === 1) return ids[0] === '_' ? { kind: 'wildcard' } : { kind: 'capture', name: ids[0]! };
        const p = pos(n);
        let e: A.Expr = { type: 'Name', ...p, id: ids[0]! };
        for (const id of ids.slice(1)) e = { type: 'Attribute', ...p, value: e, attr: id };
        return { kind: 'value', value: e };
      }
      case 'union_pattern':
        return { kind: 'or', alts: n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type)).map(c => this.pattern(c!, depth + 1)) };
      case 'as_pattern': {
        const parts = n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type));
        const name = parts.find(c => c!.type === 'identifier');
        return parts[0] && name ? { kind: 'as', pattern: this.pattern(parts[0], depth + 1), name: name.text } : { kind: 'other' };
      }
      case 'tuple_pattern': {
        // `(a | b)`: a group, not a sequence (one element without a comma)
        const parts = n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type));
        return parts.length === 1 && !n.text.replace(/\s/g, '').endsWith(',)') ? this.pattern(parts[0]!, depth + 1) : { kind: 'other' };
      }
      default:
        return { kind: 'other' };
    }
  }

  private elseBody(n: TSNode | null): A.Stmt[] {
    return n ? this.block(n.childForFieldName('body')) : [];
  }

  private classDef(n: TSNode, decorators: A.Expr[], outer?: A.Pos): A.ClassDef {
    const bases: A.Expr[] = [];
    const keywords: A.Keyword[] = [];
    const sup = n.childForFieldName('superclasses');
    if (sup) this.arguments(sup, bases, keywords);
    const name = n.childForFieldName('name')?.text ?? '';
    const inMigration = this.inMigration;
    this.inMigration = this.only === 'migration';
    try {
      return { type: 'ClassDef', ...(outer ? { ...pos(n), line: pos(n).line } : pos(n)), name, bases, keywords, body: this.block(n.childForFieldName('body')), decorators };
    } finally {
      this.inMigration = inMigration;
    }
  }

  private functionDef(n: TSNode, decorators: A.Expr[], _outer?: A.Pos): A.FunctionDef {
    return {
      type: 'FunctionDef', ...pos(n), name: n.childForFieldName('name')?.text ?? '',
      args: this.parameters(n.childForFieldName('parameters')), body: this.block(n.childForFieldName('body')), decorators,
      isAsync: n.children.some(c => c?.type === 'async'),
    };
  }

  private parameters(n: TSNode | null): A.Arguments {
    const a: A.Arguments = { posonly: [], args: [], vararg: null, kwonly: [], kwarg: null };
    if (!n) return a;
    let afterStar = false;
    for (const c of n.namedChildren) {
      if (!c) continue;
      const push = (arg: A.Arg) => (afterStar ? a.kwonly : a.args).push(arg);
      switch (c.type) {
        case 'identifier':
          push({ name: c.text, default: null, annotation: null });
          break;
        case 'typed_parameter': {
          const inner = firstNamed(c);
          const annotation = this.expr(c.childForFieldName('type'));
          if (inner?.type === 'list_splat_pattern') { a.vararg = { name: firstNamed(inner)?.text ?? '', default: null, annotation }; afterStar = true; }
          else if (inner?.type === 'dictionary_splat_pattern') a.kwarg = { name: firstNamed(inner)?.text ?? '', default: null, annotation };
          else push({ name: inner?.text ?? '', default: null, annotation });
          break;
        }
        case 'default_parameter':
        case 'typed_default_parameter': {
          const t = c.childForFieldName('type');
          push({ name: c.childForFieldName('name')?.text ?? '', default: this.expr(c.childForFieldName('value')), annotation: t ? this.expr(t) : null });
          break;
        }
        case 'list_splat_pattern':
          a.vararg = { name: firstNamed(c)?.text ?? '', default: null, annotation: null };
          afterStar = true;
          break;
        case 'keyword_separator':
          afterStar = true;
          break;
        case 'positional_separator':
          a.posonly.push(...a.args);
          a.args = [];
          break;
        case 'dictionary_splat_pattern':
          a.kwarg = { name: firstNamed(c)?.text ?? '', default: null, annotation: null };
          break;
      }
    }
    return a;
  }

  private alias(n: TSNode): A.Alias {
    if (n.type === 'aliased_import') {
      return { name: dotted(n.childForFieldName('name')), asname: n.childForFieldName('alias')?.text ?? null };
    }
    return { name: dotted(n), asname: null };
  }

  private arguments(n: TSNode, args: A.Expr[], keywords: A.Keyword[]): void {
    for (const c of n.namedChildren) {
      if (!c || EXTRA_NODES.has(c.type)) continue;
      if (c.type === 'keyword_argument') {
        keywords.push({ arg: c.childForFieldName('name')?.text ?? null, value: this.expr(c.childForFieldName('value')) });
      } else if (c.type === 'dictionary_splat') {
        keywords.push({ arg: null, value: this.expr(firstNamed(c)) });
      } else {
        args.push(this.expr(c));
      }
    }
  }

  expr(n: TSNode | null): A.Expr {
    if (!n) return { type: 'OtherExpr', line: 0, col: 0, endLine: 0, kind: 'missing', text: '' };
    if (!this.enter(n)) return { type: 'OtherExpr', ...pos(n), kind: this.stopped ? 'not-read' : 'too-deep', text: '' };
    try {
      return this.exprInner(n);
    } finally {
      this.depth--;
    }
  }

  /**
   * `1 + 1 + … + 1` is a left-nested chain as deep as it is long (CPython compiles thousands of terms): its
   * spine is walked in a loop, so only the right operands recurse.
   */
  private binaryChain(n: TSNode): A.Expr {
    const spine: TSNode[] = [];
    let cur: TSNode | null = n;
    while (cur && cur.type === n.type) {
      spine.push(cur);
      cur = cur.childForFieldName('left');
    }
    let acc = this.expr(cur);
    for (let i = spine.length - 1; i >= 0 && !this.stopped; i--) {
      const s = spine[i]!;
      const right = this.expr(s.childForFieldName('right'));
      if (s.type === 'boolean_operator') {
        const op = (s.childForFieldName('operator')?.text ?? 'and') as 'and' | 'or';
        // flatten `a and b and c` like CPython (acc was built just now: extending it in place keeps this linear)
        if (acc.type === 'BoolOp' && acc.op === op) {
          acc.values.push(right);
          Object.assign(acc, pos(s));
        } else acc = { type: 'BoolOp', ...pos(s), op, values: [acc, right] };
      } else {
        acc = { type: 'BinOp', ...pos(s), left: acc, op: s.childForFieldName('operator')?.text ?? '?', right };
      }
    }
    return acc;
  }

  private exprInner(n: TSNode): A.Expr {
    const p = pos(n);
    switch (n.type) {
      case 'identifier':
        return { type: 'Name', ...p, id: n.text };
      case 'true':
        return { type: 'Constant', ...p, value: true };
      case 'false':
        return { type: 'Constant', ...p, value: false };
      case 'none':
        return { type: 'Constant', ...p, value: null };
      case 'ellipsis':
        return { type: 'Constant', ...p, value: { ellipsis: true } };
      case 'integer':
        return { type: 'Constant', ...p, value: parseIntLiteral(n.text) };
      case 'float': {
        const t = n.text.replace(/_/g, '');
        return { type: 'Constant', ...p, value: /[jJ]$/.test(t) ? { ellipsis: true } : Number(t) };
      }
      case 'string':
        return this.string(n);
      case 'concatenated_string': {
        const parts = n.namedChildren.filter(c => c?.type === 'string').map(c => this.string(c!));
        if (parts.every(x => x.type === 'Constant' && typeof x.value === 'string')) {
          return { type: 'Constant', ...p, value: parts.map(x => (x as A.Constant).value as string).join('') };
        }
        const values: (A.Constant | A.FormattedValue)[] = [];
        for (const part of parts) {
          if (part.type === 'JoinedStr') values.push(...part.values);
          else if (part.type === 'Constant') values.push(part);
        }
        return { type: 'JoinedStr', ...p, values };
      }
      case 'attribute':
        return { type: 'Attribute', ...p, value: this.expr(n.childForFieldName('object')), attr: n.childForFieldName('attribute')?.text ?? '' };
      case 'subscript': {
        const subs = n.childrenForFieldName('subscript').filter(x => !!x).map(x => this.expr(x));
        const slice: A.Expr = subs.length === 1 ? subs[0]! : { type: 'Tuple', ...p, elts: subs };
        return { type: 'Subscript', ...p, value: this.expr(n.childForFieldName('value')), slice };
      }
      case 'call': {
        const args: A.Expr[] = [];
        const keywords: A.Keyword[] = [];
        const a = n.childForFieldName('arguments');
        if (a?.type === 'argument_list') this.arguments(a, args, keywords);
        else if (a) args.push(this.expr(a));
        return { type: 'Call', ...p, func: this.expr(n.childForFieldName('function')), args, keywords };
      }
      case 'binary_operator':
      case 'boolean_operator':
        return this.binaryChain(n);
      case 'unary_operator':
        return { type: 'UnaryOp', ...p, op: (n.childForFieldName('operator')?.text ?? '-') as A.UnaryOp['op'], operand: this.expr(n.childForFieldName('argument')) };
      case 'not_operator':
        return { type: 'UnaryOp', ...p, op: 'not', operand: this.expr(n.childForFieldName('argument')) };
      case 'comparison_operator': {
        const operands: A.Expr[] = [];
        const ops: A.CmpOp[] = [];
        for (const c of n.children) {
          if (!c) continue;
          if (c.isNamed) { if (!EXTRA_NODES.has(c.type)) operands.push(this.expr(c)); }
          else ops.push(c.text.replace(/\s+/g, ' ') as A.CmpOp);
        }
        return { type: 'Compare', ...p, left: operands[0] ?? this.expr(null), ops, comparators: operands.slice(1) };
      }
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find(c => c && !EXTRA_NODES.has(c.type));
        return this.expr(inner ?? null);
      }
      case 'list':
        return { type: 'List', ...p, elts: this.elements(n) };
      case 'tuple':
      case 'expression_list':
      case 'pattern_list':
      case 'tuple_pattern':
        return { type: 'Tuple', ...p, elts: this.elements(n) };
      case 'list_pattern':
        return { type: 'List', ...p, elts: this.elements(n) };
      case 'set':
        return { type: 'Set', ...p, elts: this.elements(n) };
      case 'dictionary': {
        const keys: (A.Expr | null)[] = [];
        const values: A.Expr[] = [];
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'pair') { keys.push(this.expr(c.childForFieldName('key'))); values.push(this.expr(c.childForFieldName('value'))); }
          else if (c.type === 'dictionary_splat') { keys.push(null); values.push(this.expr(firstNamed(c))); }
        }
        return { type: 'Dict', ...p, keys, values };
      }
      case 'list_splat':
      case 'list_splat_pattern':
        return { type: 'Starred', ...p, value: this.expr(firstNamed(n)) };
      case 'dictionary_splat':
        return { type: 'Starred', ...p, value: this.expr(firstNamed(n)), double: true };
      case 'conditional_expression': {
        // (comments and backslash continuations inside are extra nodes: DefectDojo's `… \\\n if … else …`)
        const [body, test, orelse] = n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type));
        return { type: 'IfExp', ...p, body: this.expr(body ?? null), test: this.expr(test ?? null), orelse: this.expr(orelse ?? null) };
      }
      case 'lambda':
        return { type: 'Lambda', ...p, args: this.parameters(n.childForFieldName('parameters')), body: this.expr(n.childForFieldName('body')) };
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension': {
        const kind = ({ list_comprehension: 'ListComp', set_comprehension: 'SetComp', generator_expression: 'GeneratorExp', dictionary_comprehension: 'DictComp' } as const)[n.type];
        const body = n.childForFieldName('body');
        const generators: A.ComprehensionFor[] = [];
        for (const c of n.namedChildren) {
          if (c?.type === 'for_in_clause') {
            generators.push({ target: this.expr(c.childForFieldName('left')), iter: this.expr(c.childForFieldName('right')), ifs: [], isAsync: c.children.some(x => x?.type === 'async') });
          } else if (c?.type === 'if_clause' && generators.length) {
            generators[generators.length - 1]!.ifs.push(this.expr(firstNamed(c)));
          }
        }
        if (kind === 'DictComp' && body?.type === 'pair') {
          return { type: kind, ...p, elt: this.expr(body.childForFieldName('key')), value: this.expr(body.childForFieldName('value')), generators };
        }
        return { type: kind, ...p, elt: this.expr(body), generators };
      }
      case 'named_expression':
        return { type: 'NamedExpr', ...p, target: { type: 'Name', ...p, id: n.childForFieldName('name')?.text ?? '' }, value: this.expr(n.childForFieldName('value')) };
      case 'slice': {
        // children: [lower] ':' [upper] [':' [step]]
        const parts: (A.Expr | null)[] = [null, null, null];
        let i = 0;
        for (const c of n.children) {
          if (!c) continue;
          if (!c.isNamed && c.text === ':') i++;
          else if (c.isNamed && !EXTRA_NODES.has(c.type)) parts[i] = this.expr(c);
        }
        return { type: 'Slice', ...p, lower: parts[0] ?? null, upper: parts[1] ?? null, step: parts[2] ?? null };
      }
      case 'await':
        return { type: 'Await', ...p, value: this.expr(firstNamed(n)) };
      case 'keyword_argument':
        return this.expr(n.childForFieldName('value'));
      case 'type':
        return this.expr(firstNamed(n));
      // an annotation tree-sitter reads as a type (`list[int]`, `A | None`, `a.B`; which reading it takes depends
      // on the state it parses in): the expression it also is, as ./fast-parser.ts reads it
      case 'generic_type': {
        const parts = n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type)) as TSNode[];
        const params = parts.find(c => c.type === 'type_parameter');
        const subs = params ? params.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type)).map(c => this.expr(c)) : [];
        const slice: A.Expr = subs.length === 1 ? subs[0]! : { type: 'Tuple', ...p, elts: subs };
        return { type: 'Subscript', ...p, value: this.expr(parts.find(c => c.type !== 'type_parameter') ?? null), slice };
      }
      case 'union_type': {
        const [left, right] = n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type));
        return { type: 'BinOp', ...p, left: this.expr(left ?? null), op: '|', right: this.expr(right ?? null) };
      }
      case 'member_type': {
        const [value, attr] = n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type));
        return { type: 'Attribute', ...p, value: this.expr(value ?? null), attr: attr?.text ?? '' };
      }
      case 'as_pattern_target':
        return this.expr(firstNamed(n));
      default:
        return { type: 'OtherExpr', ...p, kind: n.type, text: n.text.length > 200 ? n.text.slice(0, 200) : n.text };
    }
  }

  private elements(n: TSNode): A.Expr[] {
    return n.namedChildren.filter(c => c && !EXTRA_NODES.has(c.type)).map(c => this.expr(c));
  }

  private string(n: TSNode): A.Constant | A.JoinedStr {
    const p = pos(n);
    const start = n.namedChildren.find(c => c?.type === 'string_start')?.text ?? '"';
    const prefix = start.replace(/['"]/g, '').toLowerCase();
    const raw = prefix.includes('r');
    const isBytes = prefix.includes('b');
    const values: (A.Constant | A.FormattedValue)[] = [];
    let buf = '';
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') {
        buf += raw ? c.text : decodeEscapes(c.text);
      } else if (c.type === 'escape_sequence') {
        // some grammar versions expose escapes as siblings of string_content
        buf += raw ? c.text : decodeEscapes(c.text);
      } else if (c.type === 'interpolation') {
        if (buf) { values.push({ type: 'Constant', ...p, value: buf }); buf = ''; }
        values.push({
          type: 'FormattedValue', ...pos(c), value: this.expr(c.childForFieldName('expression')),
          conversion: c.childForFieldName('type_conversion')?.text.replace('!', '') ?? null,
          formatSpec: c.childForFieldName('format_specifier')?.text.replace(/^:/, '') ?? null,
        });
      }
    }
    // tree-sitter ends a raw string written `r"\\"` with a string_end of `\\"`: its text before the quotes is content
    const end = n.namedChildren.find(c => c?.type === 'string_end')?.text ?? '';
    const quotes = start.length - prefix.length;
    if (end.length > quotes) buf += raw ? end.slice(0, end.length - quotes) : decodeEscapes(end.slice(0, end.length - quotes));
    if (!values.length || !prefix.includes('f')) {
      const text = values.length ? values.map(v => (v.type === 'Constant' ? String(v.value) : '')).join('') + buf : buf;
      return { type: 'Constant', ...p, value: isBytes ? { bytes: text } : text };
    }
    if (buf) values.push({ type: 'Constant', ...p, value: buf });
    return { type: 'JoinedStr', ...p, values };
  }
}

function dotted(n: TSNode | null): string {
  if (!n) return '';
  if (n.type === 'dotted_name') return n.namedChildren.map(c => c?.text ?? '').join('.');
  return n.text;
}
