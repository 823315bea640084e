// Database aliases written as strings in the project's code that DATABASES does not define (issue "Migration
// authoring", item 3): `.using("…")`, `.db_manager("…")`, `using="…"` (save, delete, transaction.atomic, …),
// `connections["…"]`, `call_command(…, database="…")`. Django raises ConnectionDoesNotExist only when that line
// runs, often in production. Only the workspace's own apps are read, and only when DATABASES is fully known.
import { readDir } from '../vfs';
import * as path from 'path';
import type * as A from '../python/ast';
import { parsePython } from '../python/parse';
import { rememberedParse } from '../python/shape';
import type { AppInfo, Finding, FindingFix, SettingsInfo } from '../types';
import { calleeName, childExprs, dotted, stmtParts } from './walk';
import { fileCache } from './file-cache';

export interface AliasUse { line: number; col: number; endCol?: number; endLine: number; alias: string; where: string; quote: string }

/** Folders that hold no app's code (virtualenvs, build output, VCS): never walked for project files. */
export const NON_APP_DIRS = new Set(['node_modules', '__pycache__', 'site-packages', '.venv', 'venv', '.git', '.tox', 'build', 'dist']);
// migration packages: thousands of files in a large project, and only those with RunPython code can name an
// alias; the caller passes those
const SKIP_DIRS = new Set([...NON_APP_DIRS, 'migrations']);
/** substrings a file must hold to be parsed at all */
const MARKERS = ['using', 'db_manager', 'connections[', 'database=', 'databases', 'DATABASES['];

function str(e: A.Expr | undefined): string | null {
  return e && e.type === 'Constant' && typeof e.value === 'string' ? e.value : null;
}

/** The names after which an alias literal is looked for (attribute, keyword, parameter or subscripted name). */
const ALIAS_WORDS = ['using', 'db_manager', 'connections', 'database', 'databases', 'DATABASES'];

/**
 * Whether the source may hold an alias literal where aliasUses looks (a cheap test before parsing: Saleor's
 * apps name 250 files with `using`, 4 MB, and one of them a literal). True when one of ALIAS_WORDS, as a whole
 * identifier, is followed by `(`, `[` or `=` and then a string literal (comments, line continuations and
 * brackets between), or by `:` (a parameter's annotation, then perhaps a default). Only tokens after an
 * identifier are looked at, where `#` starts a comment; it may say yes wrongly (then the file is parsed), never
 * no for a file with such a literal.
 */
export function mayNameAlias(source: string): boolean {
  for (const word of ALIAS_WORDS) {
    for (let at = source.indexOf(word); at >= 0; at = source.indexOf(word, at + 1)) {
      if (at > 0 && isIdentChar(source.charCodeAt(at - 1))) continue;
      let i = skipTrivia(source, at + word.length);
      const c = source[i];
      if (c === ':') return true;
      if (c !== '(' && c !== '[' && c !== '=') continue;
      i++;
      for (;;) {
        i = skipTrivia(source, i);
        if (source[i] !== '(' && source[i] !== '[' && source[i] !== '{') break;
        i++;
      }
      // a string prefix (r, b, u, f and their pairs), then the quote
      let j = i;
      while (j < i + 2 && /[A-Za-z]/.test(source[j] ?? '')) j++;
      if (source[j] === '"' || source[j] === "'") return true;
    }
  }
  return false;
}

export function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

/** Past whitespace, comments and backslash line continuations. */
export function skipTrivia(s: string, i: number): number {
  for (;;) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') i++;
    else if (c === '\\' && (s[i + 1] === '\n' || s[i + 1] === '\r')) i += 2;
    else if (c === '#') {
      const nl = s.indexOf('\n', i);
      if (nl < 0) return s.length;
      i = nl + 1;
    } else return i;
  }
}

/** String aliases in one file's source (`parsed`: its whole parse, when made already). */
export function aliasUses(source: string, file: string, parsed?: A.Module | null): AliasUse[] {
  if (!MARKERS.some(m => source.includes(m)) || !mayNameAlias(source)) return [];
  const mod = parsed ?? parsePython(source, file);
  const lines = source.split('\n');
  const out: AliasUse[] = [];
  // aliases whose use is guarded by a test that the alias exists (`qs.using("read_replica") if "read_replica" in
  // settings.DATABASES else qs`): such code never names a database that is not there
  let guarded: ReadonlySet<string> = new Set();
  // inside `try:` whose handler names ConnectionDoesNotExist, the code expects an alias to be missing (Sentry's
  // SiloRouter: `try: connections["control"] … except (AssertionError, ConnectionDoesNotExist): …`)
  let handled = false;
  const add = (e: A.Expr, where: string) => {
    const v = str(e);
    if (v === null || e.type !== 'Constant' || guarded.has(v) || handled) return;
    out.push({ ...literalSpan(e, lines), alias: v, where });
  };
  const under = <T>(more: Set<string>, fn: () => T): T => {
    if (!more.size) return fn();
    const saved = guarded;
    guarded = new Set([...saved, ...more]);
    try {
      return fn();
    } finally {
      guarded = saved;
    }
  };
  const visit = (e: A.Expr) => {
    if (e.type === 'IfExp') {
      visit(e.test);
      under(existenceTests(e.test), () => visit(e.body));
      visit(e.orelse);
      return;
    }
    if (e.type === 'Call') {
      const name = calleeName(e.func);
      if (e.func.type === 'Attribute' && (name === 'using' || name === 'db_manager') && e.args[0]) add(e.args[0], `.${name}(…)`);
      for (const k of e.keywords) {
        if (k.arg === 'using' && !TEMPLATE_USING.has(name ?? '')) add(k.value, 'using=');
        else if (k.arg === 'database' && name === 'call_command') add(k.value, 'call_command(database=…)');
      }
    } else if (e.type === 'Subscript' && ((e.value.type === 'Name' && e.value.id === 'connections') || (e.value.type === 'Attribute' && e.value.attr === 'connections'))) {
      add(e.slice, 'connections[…]');
    }
    for (const c of childExprs(e)) visit(c);
  };
  // code inside `with self.assertRaises(...)` / `pytest.raises(...)` expects the error on purpose (tests)
  const expectsError = (s: A.Stmt) => s.type === 'With' && s.items.some(i => i.context.type === 'Call' && ['assertRaises', 'assertRaisesMessage', 'raises'].includes(calleeName(i.context.func) ?? ''));
  // code under a mock of the connections or DATABASES (`with patch.object(connections, "databases", mocked):`,
  // `@override_settings(DATABASES=…)`: zamboni's tests) names the aliases of that mock
  const mocksDatabases = (e: A.Expr): boolean => {
    if (e.type !== 'Call' || !['object', 'dict', 'patch', 'override_settings', 'modify_settings'].includes(calleeName(e.func) ?? '')) return false;
    const named = (x: A.Expr) => /(^|\.)(connections|DATABASES|databases)$/.test(dotted(x) ?? '') || (x.type === 'Constant' && typeof x.value === 'string' && /(^|\.)(connections|DATABASES)(\.|$)/.test(x.value));
    return e.args.some(named) || e.keywords.some(k => k.arg === 'DATABASES' || named(k.value));
  };
  const block = (body: A.Stmt[]) => {
    for (const s of body) {
      if (expectsError(s)) continue;
      if (s.type === 'With' && s.items.some(i => mocksDatabases(i.context))) continue;
      if ((s.type === 'FunctionDef' || s.type === 'ClassDef') && s.decorators.some(mocksDatabases)) continue;
      if (s.type === 'If') {
        visit(s.test);
        under(existenceTests(s.test), () => block(s.body));
        block(s.orelse);
        continue;
      }
      if (s.type === 'Try' && !handled && s.handlers.some(h => h.typeExpr && catchesMissingAlias(h.typeExpr))) {
        handled = true;
        try {
          block(s.body);
        } finally {
          handled = false;
        }
        for (const h of s.handlers) block(h.body);
        block(s.orelse);
        block(s.finalbody);
        continue;
      }
      // `settings_module.DATABASES["job_logs"] = …`: code that changes a settings module from outside (nautobot's
      // CLI adds an alias before Django starts): not a use, the alias being made (see ADDED). (A settings file's own
      // `DATABASES["x"] = …` is read with the settings.)
      if (s.type === 'Assign') for (const t of s.targets) if (t.type === 'Subscript' && t.value.type === 'Attribute' && t.value.attr === 'DATABASES') add(t.slice, ADDED);
      const parts = stmtParts(s);
      for (const e of parts.exprs) visit(e);
      // a `using="…"` parameter default names an alias, except an empty one or in the SQL methods of indexes and
      // constraints, where `using` is the index method (Kolibri Studio's Index.create_sql(…, using=""))
      if (s.type === 'FunctionDef' && !/_sql$/.test(s.name) && !TEMPLATE_USING.has(s.name)) for (const a of [...s.args.args, ...s.args.kwonly]) if (a.name === 'using' && a.default && str(a.default) !== '') add(a.default, 'using= default');
      // a test class's `databases = {"default", "replica"}`: Django refuses an alias DATABASES lacks when the
      // class is set up (RapidPro's TembaTest: databases = ("default", "readonly"))
      if (s.type === 'ClassDef' && /Test/.test([s.name, ...s.bases.map(b => dotted(b) ?? '')].join(' '))) {
        for (const x of s.body) {
          if (x.type !== 'Assign' || !x.targets.some(t => t.type === 'Name' && t.id === 'databases')) continue;
          const v = x.value;
          if (v.type === 'Set' || v.type === 'List' || v.type === 'Tuple') for (const el of v.elts) if (str(el) !== '__all__') add(el, 'TestCase.databases');
        }
      }
      for (const b of parts.blocks) block(b);
    }
  };
  block(mod.body);
  return out;
}

/**
 * Django's template functions whose `using=` names a template engine (TEMPLATES' NAME, e.g. "jinja2"), not a
 * database: django.shortcuts.render, django.template.loader.*, TemplateResponse (Pontoon's views).
 */
const TEMPLATE_USING = new Set(['render', 'render_to_response', 'render_to_string', 'get_template', 'select_template', 'TemplateResponse', 'SimpleTemplateResponse']);

/** An `except` clause's type that names ConnectionDoesNotExist (alone, dotted, or in a tuple). */
function catchesMissingAlias(e: A.Expr): boolean {
  if (e.type === 'Tuple') return e.elts.some(catchesMissingAlias);
  return /(^|\.)ConnectionDoesNotExist$/.test(dotted(e) ?? '');
}

/**
 * The aliases a condition checks exist: `"x" in settings.DATABASES`, `"x" in connections`, `settings.DATABASES.get("x")`,
 * `connections.databases.get("x")`, joined by `and`.
 */
function existenceTests(test: A.Expr): Set<string> {
  const out = new Set<string>();
  const names = (e: A.Expr) => { const d = dotted(e) ?? ''; return /(^|\.)(DATABASES|connections|databases)$/.test(d); };
  const walk = (e: A.Expr) => {
    if (e.type === 'BoolOp' && e.op === 'and') { e.values.forEach(walk); return; }
    if (e.type === 'Compare' && e.ops.length === 1 && e.ops[0] === 'in' && names(e.comparators[0]!)) { const v = str(e.left); if (v !== null) out.add(v); return; }
    if (e.type === 'Call' && e.func.type === 'Attribute' && e.func.attr === 'get' && names(e.func.value)) { const v = str(e.args[0]); if (v !== null) out.add(v); }
  };
  walk(test);
  return out;
}

/** Where a string literal is, and its quote; `endCol` only when replacing it textually is safe. */
export function literalSpan(e: A.Expr, lines: string[]): { line: number; col: number; endLine: number; endCol?: number; quote: string } {
  const quote = (lines[e.line - 1] ?? '')[e.col] ?? '"';
  // a fix only for a plain one-line literal on an ASCII line (columns are UTF-8 bytes in the AST)
  const fixable = e.line === e.endLine && (quote === '"' || quote === "'") && e.endCol !== undefined && !/[^\x00-\x7f]/.test(lines[e.line - 1] ?? '');
  return { line: e.line, col: e.col, endLine: e.endLine, ...(fixable ? { endCol: e.endCol } : {}), quote };
}

/** The quick fix of an alias typo: the literal replaced by the suggestion, in the same quotes. */
export function aliasFix(span: { line: number; col: number; endLine: number; endCol?: number; quote: string }, suggestion: string | null): { fix?: FindingFix } {
  if (!suggestion || span.endCol === undefined) return {};
  return { fix: { title: `Change to '${suggestion}'`, edits: [{ line: span.line, col: span.col, endLine: span.endLine, endCol: span.endCol, text: `${span.quote}${suggestion}${span.quote}` }] } };
}

/** Levenshtein distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

export function closestAlias(alias: string, aliases: string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const a of aliases) {
    // another alias of the same family, not a typo of it: 'timeseries_read' where DATABASES has 'timeseries' (an
    // optional replica, codecov), 'replica2' beside 'replica'
    if (affixed(alias.toLowerCase(), a.toLowerCase())) continue;
    const dist = distance(alias.toLowerCase(), a.toLowerCase());
    if (dist < bestD) { best = a; bestD = dist; }
  }
  return best !== null && bestD <= Math.min(3, Math.max(2, Math.floor(alias.length / 3))) ? best : null;
}

/** One name is the other with a part added: `x_read`, `read_x`, `x-2`, `x2`. */
function affixed(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short === long || !short) return false;
  if (long.startsWith(short)) return /^([_\-.]\w+|\d+)$/.test(long.slice(short.length));
  if (long.endsWith(short)) return /^\w+[_\-.]$/.test(long.slice(0, long.length - short.length));
  return false;
}

/** The Python files below `dir` (8 levels at most), without hidden folders and those in `skip`. */
export function* pythonFiles(dir: string, skip: ReadonlySet<string> = SKIP_DIRS, depth = 0): Generator<string> {
  if (depth > 8) return;
  const entries = readDir(dir);
  if (!entries) return;
  for (const e of entries) {
    if (e.isDirectory()) {
      if (!skip.has(e.name) && !e.name.startsWith('.')) yield* pythonFiles(path.join(dir, e.name), skip, depth + 1);
    } else if (e.isFile() && e.name.endsWith('.py')) yield path.join(dir, e.name);
  }
}

const usesCache = fileCache<AliasUse[]>('aliases', []);
/** The alias names a file's code passes (cached per file). */
// (the file as parsed by the index just before, at the same stat: the edited models or routers file is parsed once)
export const usesOf = (file: string): AliasUse[] => usesCache(file, '', (source, st) => aliasUses(source, file, rememberedParse(file, st.mtimeMs, st.size)));

/** Whether every alias of DATABASES is known statically (else an alias that looks unknown may exist). */
export function databasesKnown(settings: SettingsInfo): boolean {
  return settings.databases.length > 0 && !settings.databasesNotConfigured && !settings.unknowns.some(u => u.name === '*' || u.name === 'DATABASES' || u.name.startsWith('DATABASES['));
}

/**
 * Why DATABASES as read here may lack an alias the project has where it runs (kpi: `kobocat` exists only with
 * KC_DATABASE_URL set), or null: an unknown alias is then a warning saying so, not an error.
 */
export function databasesMayDiffer(settings: SettingsInfo): string | null {
  const env = settings.envDependent?.find(e => e.settings.includes('DATABASES') && !e.optionsOnly);
  if (env) return `DATABASES depends on ${env.variables.join(', ')}, not set here`;
  if (settings.partial?.some(p => p.name === 'DATABASES' && !p.overlay)) return 'DATABASES may hold more entries than the known ones';
  if (settings.unknowns.some(u => u.name === 'Any setting')) return 'the settings may be changed at run time by code not known statically';
  return null;
}

/** The alias names each file of the project passes, and the findings about those that DATABASES lacks. */
export interface AliasNames {
  /** every file read, with its uses (in the order read) */
  uses: { file: string; uses: AliasUse[] }[];
  findings: Finding[];
}

/**
 * The alias names the project's files pass that DATABASES lacks (`unknown-alias`), with the uses read (for
 * `aliasNamesAgain`).
 */
export function aliasNames(apps: AppInfo[], settings: SettingsInfo, migrationFiles: string[] = []): AliasNames {
  if (!databasesKnown(settings)) return { uses: [], findings: [] };
  const dirs = [...new Set(apps.filter(a => !a.external && a.dir).map(a => a.dir!))];
  const settingsDir = settings.path ? path.dirname(settings.path) : null;
  if (settingsDir) dirs.push(settingsDir);
  const uses = [...new Set([...dirs.flatMap(d => [...pythonFiles(d)]), ...migrationFiles])].map(file => ({ file, uses: usesOf(file) }));
  return { uses, findings: aliasFindingsOf(uses, settings) };
}

/**
 * `prev` (the same apps, settings and migrations) after edits of `changed` files: only those are read again, and the
 * project's folders are not walked again (an edit changes no listing). Null when a changed file is not one `prev` read.
 */
export function aliasNamesAgain(prev: AliasNames, settings: SettingsInfo, changed: readonly string[]): AliasNames | null {
  if (!databasesKnown(settings)) return prev;
  const edited = new Set(changed);
  let found = 0;
  const uses = prev.uses.map(u => {
    if (!edited.has(u.file)) return u;
    found++;
    return { file: u.file, uses: usesOf(u.file) };
  });
  if (found < edited.size) return null;
  return { uses, findings: aliasFindingsOf(uses, settings) };
}

function aliasFindingsOf(uses: AliasNames['uses'], settings: SettingsInfo): Finding[] {
  const differ = databasesMayDiffer(settings);
  const aliases = settings.databases.map(d => d.alias);
  const known = new Set(aliases);
  const out: Finding[] = [];
  // aliases the project's code adds to a settings module's DATABASES from outside
  const added = new Map<string, { file: string; line: number }>();
  for (const { file, uses: us } of uses) for (const u of us) if (u.where === ADDED && !added.has(u.alias)) added.set(u.alias, { file, line: u.line });
  // (each file's findings kept with its uses while what they read besides is the same: an edit reads one file again)
  const context = `${differ ?? ''}\u0000${aliases.join('\u0001')}\u0000${[...added].map(([a, w]) => `${a}\u0001${w.file}\u0001${w.line}`).join('\u0002')}`;
  for (const { file, uses: us } of uses) {
    if (!us.length) continue;
    const hit = FINDINGS_OF_USES.get(us);
    if (hit?.context === context && hit.file === file) { out.push(...hit.findings); continue; }
    const first = out.length;
    for (const u of us) {
      if (known.has(u.alias) || u.where === ADDED) continue;
      const suggestion = closestAlias(u.alias, aliases);
      const elsewhere = added.get(u.alias);
      const may = elsewhere ? `${path.basename(path.dirname(elsewhere.file))}/${path.basename(elsewhere.file)}:${elsewhere.line} adds it to DATABASES` : differ;
      out.push({
        code: 'unknown-alias', severity: may ? 'warning' : 'error', path: file, line: u.line, alias: u.alias,
        message: `'${u.alias}' (${u.where}) is not a database of DATABASES (${aliases.map(a => `'${a}'`).join(', ')}): Django raises ` +
          `${u.where === 'TestCase.databases' ? 'ImproperlyConfigured when the test class is set up' : 'ConnectionDoesNotExist when this runs'}${suggestion ? `. Did you mean '${suggestion}'?` : '.'}${may ? ` (${may}: it may exist where the project runs)` : ''}`,
        ...aliasFix(u, suggestion),
      });
    }
    FINDINGS_OF_USES.set(us, { context, file, findings: out.slice(first) });
  }
  return out;
}
const FINDINGS_OF_USES = new WeakMap<readonly AliasUse[], { context: string; file: string; findings: Finding[] }>();

/** AliasUse.where of `DATABASES["x"] = …`: an alias made, not used */
const ADDED = 'DATABASES[…] =';
