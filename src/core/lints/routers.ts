// The shape of each router's allow_migrate (issue "Migration authoring", item 3). Django calls
// `allow_migrate(db, app_label, model_name=…, **hints)` and always passes hints (`model=` for model operations,
// RunPython/RunSQL's `hints`): django/db/utils.py ConnectionRouter.allow_migrate_model. A method without
// `**hints`, or the pre-1.8 `allow_migrate(self, db, model)`, raises TypeError during `migrate`.
import * as fs from 'fs';
import type * as A from '../python/ast';
import type { ModuleIndex } from '../python/modules';
import { walkStmts } from '../python/statements';
import type { FuncV } from '../python/values';
import type { DbRoute, RouterMethod } from '../routers';
import type { Finding, FindingFix, SettingsInfo } from '../types';
import { readText } from '../vfs';
import { isExternalPath } from '../python/runtime';
import { routerMethodDefs } from '../routers';
import { aliasFix, closestAlias, databasesKnown, databasesMayDiffer, distance, literalSpan } from './aliases';
import { allStmts, childExprs, stmtParts } from './walk';

function isStatic(fn: A.FunctionDef): boolean {
  return fn.decorators.some(d => d.type === 'Name' && d.id === 'staticmethod');
}

/** Whether a module's top level may bind `name` (a class, an assignment, an import; a star import may bind anything). */
function definesName(mod: A.Module, name: string): boolean {
  for (const s of walkStmts(mod.body)) {
    if ((s.type === 'ClassDef' || s.type === 'FunctionDef') && s.name === name) return true;
    if (s.type === 'Assign' && s.targets.some(t => t.type === 'Name' ? t.id === name : t.type === 'Tuple')) return true;
    if (s.type === 'AnnAssign' && s.target.type === 'Name' && s.target.id === name) return true;
    if ((s.type === 'Import' || s.type === 'ImportFrom') && s.names.some(a => a.name === '*' || (a.asname ?? a.name.split('.')[0]) === name)) return true;
    if (s.type === 'Global' || s.type === 'OtherStmt') return true;
  }
  return mod.problems.length > 0; // a line skipped for a syntax error may have defined it
}

/** The last top-level assignment of DATABASE_ROUTERS in the settings file (where the entry is written). */
export function routersLine(modules: ModuleIndex, settings: SettingsInfo): number | null {
  const mod = settings.path ? modules.parseFile(settings.path) : null;
  let line: number | null = null;
  for (const s of mod ? walkStmts(mod.body) : []) {
    if ((s.type === 'Assign' && s.targets.some(t => t.type === 'Name' && t.id === 'DATABASE_ROUTERS')) ||
      ((s.type === 'AugAssign' || s.type === 'AnnAssign') && s.target.type === 'Name' && s.target.id === 'DATABASE_ROUTERS')) line = s.line;
  }
  return line;
}

export function routerShapeFindings(modules: ModuleIndex, settings: SettingsInfo): Finding[] {
  const out: Finding[] = [];
  const objects = new Set(settings.routerObjects ?? []);
  for (const [i, dotted] of settings.routers.entries()) {
    // an object the settings made is not imported by its class's name (a factory's class lives in a function)
    if (!dotted || objects.has(i)) continue;
    const dot = dotted.lastIndexOf('.');
    if (dot <= 0) continue;
    const modName = dotted.slice(0, dot);
    const attr = dotted.slice(dot + 1);
    const file = modules.resolve(modName)?.file;
    const mod = file ? modules.parseFile(file) : null;
    const top = modules.resolve(modName.split('.')[0]!);
    const where = { path: settings.path, line: routersLine(modules, settings) };
    if (!file || !mod) {
      // the package is there but not this module: a typo (Django raises ImportError when it loads the routers).
      // A package that cannot be found at all may just be missing from the environment read: not reported here.
      if (top) out.push({ code: 'router-unresolved', severity: 'error', ...where, message: `DATABASE_ROUTERS entry '${dotted}': module ${modName} does not exist (package ${top.name} does): Django raises ImportError when it loads the routers.` });
      continue;
    }
    if (!definesName(mod, attr)) {
      out.push({ code: 'router-unresolved', severity: 'error', ...where, message: `DATABASE_ROUTERS entry '${dotted}': ${modName} (${file}) defines no ${attr}: Django raises ImportError when it loads the routers.` });
      continue;
    }
    const cls = mod.body.find((s): s is A.ClassDef => s.type === 'ClassDef' && s.name === attr);
    // the methods Django calls that the router has, its base classes' included (the evaluated router)
    let has: Set<string> | null = null;
    const hasMethod = (name: string): boolean => {
      if (cls!.body.some(x => x.type === 'FunctionDef' && x.name === name)) return true;
      // (no base but object: nothing inherited)
      if (!cls!.bases.some(b => !(b.type === 'Name' && b.id === 'object'))) return false;
      has ??= new Set(routerMethodDefs(modules, settings).filter(d => d.router === dotted).map(d => d.method));
      // allow_relation is not evaluated: a base class may define it
      return has.has(name) || name === 'allow_relation';
    };
    // a method named almost as one Django calls (osf's NoMigrationRouter.allow_migration, "Don't allow migrations"):
    // Django never calls it, and the router decides nothing it was written to decide
    for (const m of cls?.body ?? []) {
      if (m.type !== 'FunctionDef') continue;
      const meant = nearMethod(m.name);
      if (!meant || hasMethod(meant)) continue;
      out.push({
        code: 'router-signature', severity: 'error', path: file, line: m.line,
        message: m.name === 'allow_syncdb'
          // (Django 1.7 renamed it allow_migrate and 1.9 stopped calling it: an old logger router's "keep the log
          // app off the other databases" no longer holds, and its tables are made everywhere)
          ? `${dotted}.allow_syncdb() is the router method of Django < 1.7: Django 1.9 and later never call it, so this router keeps no model off any database and migrate creates its models' tables everywhere. Write it as def allow_migrate(self, db, app_label, model_name=None, **hints) (the model, where there is one, is hints.get("model")).`
          : `${dotted}.${m.name}() is not a method Django's routers have: Django calls ${meant}(), which this router does not define, so ${m.name}() is never called. Did you mean ${meant}?`,
      });
    }
    const fn = cls?.body.find((s): s is A.FunctionDef => s.type === 'FunctionDef' && s.name === 'allow_migrate');
    if (!cls || !fn) continue; // inherited or absent: nothing to read here
    const params = [...fn.args.posonly, ...fn.args.args].map(a => a.name).slice(isStatic(fn) ? 0 : 1);
    // (not in a router of an installed package: its code is not the project's to change)
    if (!isExternalPath(file)) out.push(...aliasReturns(fn, dotted, params[0] ?? null, file));
    if (fn.args.kwarg) continue;
    const old = params.length === 2 && params[1] === 'model';
    out.push({
      code: 'router-signature', severity: 'error', path: file, line: fn.line,
      message: old
        ? `${dotted}.allow_migrate(${params.join(', ')}) has the signature of Django < 1.8: Django calls allow_migrate(db, app_label, model_name=…, **hints), so migrate fails with TypeError. Use def allow_migrate(self, db, app_label, model_name=None, **hints).`
        : `${dotted}.allow_migrate(${params.join(', ')}) takes no **hints: Django always passes hints (model=… for model operations, the hints of RunPython/RunSQL), so migrate fails with TypeError. Add **hints.`,
    });
  }
  return out;
}

/**
 * `return "analytics"` in allow_migrate: an alias where Django wants True, False or None. Django takes any answer that
 * is not None (`if allow is not None: return allow`) by its truth, so a non-empty string allows the model on every
 * database, the one named too: the router meant `return db == "analytics"` (what db_for_read/db_for_write return,
 * written in the wrong method). The quick fix writes that comparison.
 */
function aliasReturns(fn: A.FunctionDef, dotted: string, db: string | null, file: string): Finding[] {
  const out: Finding[] = [];
  let lines: string[] | null = null;
  /** `if db == "analytics":` around the return: there the string allows only the database it names */
  const onlyThere = (test: A.Expr, value: unknown): boolean => {
    if (test.type === 'BoolOp' && test.op === 'and') return test.values.some(v => onlyThere(v, value));
    if (test.type !== 'Compare' || test.ops.length !== 1 || test.ops[0] !== '==') return false;
    const [a, b] = [test.left, test.comparators[0]!];
    const isDb = (e: A.Expr) => e.type === 'Name' && e.id === db;
    const isValue = (e: A.Expr) => e.type === 'Constant' && e.value === value;
    return (isDb(a) && isValue(b)) || (isDb(b) && isValue(a));
  };
  const visit = (body: A.Stmt[], guards: A.Expr[]): void => {
    for (const st of body) {
      // (a nested function's returns are its own)
      if (st.type === 'FunctionDef' || st.type === 'ClassDef') continue;
      if (st.type === 'If') {
        visit(st.body, [...guards, st.test]);
        visit(st.orelse, guards);
        continue;
      }
      if (st.type === 'Return' && st.value && isAliasLiteral(st.value) && !(st.value.type === 'Constant' && guards.some(g => onlyThere(g, (st.value as A.Constant).value)))) {
        const text = st.value.type === 'Constant' ? JSON.stringify(st.value.value) : 'an f-string';
        let fix: FindingFix | undefined;
        if (db && st.value.type === 'Constant') {
          lines ??= readText(file).split('\n');
          const span = literalSpan(st.value, lines);
          if (span.endCol !== undefined) {
            const literal = lines[span.line - 1]!.slice(span.col, span.endCol);
            fix = { title: `Change to return ${db} == ${literal}`, edits: [{ line: span.line, col: span.col, endLine: span.endLine, endCol: span.endCol, text: `${db} == ${literal}` }] };
          }
        }
        out.push({
          code: 'router-migrate-alias', severity: 'error', path: file, line: st.line,
          message: `${dotted}.allow_migrate returns ${text}, a string where Django wants True, False or None: Django reads it as True, so the model is migrated on every database, not only on ${st.value.type === 'Constant' ? `'${String(st.value.value)}'` : 'the one it names'}. Return whether \`${db ?? 'db'}\` may hold it: return ${db ?? 'db'} == ${st.value.type === 'Constant' ? JSON.stringify(st.value.value) : '…'}.`,
          ...(fix ? { fix } : {}),
        });
      }
      for (const b of stmtParts(st).blocks) visit(b, guards);
    }
  };
  visit(fn.body, []);
  return out;
}

/** A non-empty string literal (or an f-string): what db_for_read returns, never an allow_migrate answer. */
function isAliasLiteral(e: A.Expr): boolean {
  return (e.type === 'Constant' && typeof e.value === 'string' && e.value !== '') || e.type === 'JoinedStr';
}

const ROUTER_METHODS = ['allow_migrate', 'db_for_read', 'db_for_write', 'allow_relation'];

/** The router method Django calls that `name` is a misspelling of (one or two edits, or a plural/-ion ending), or null. */
function nearMethod(name: string): string | null {
  // (a private helper, `_allow_migrate`, is the router's own)
  if (ROUTER_METHODS.includes(name) || name.startsWith('_')) return null;
  if (name === 'allow_syncdb') return 'allow_migrate';
  for (const m of ROUTER_METHODS) {
    const stem = m.replace(/e$/, '');
    if (name.startsWith(stem) && /^(e|es|ed|s|ion|ions)$/.test(name.slice(stem.length))) return m;
    if (Math.abs(name.length - m.length) <= 2 && distance(name, m) <= 2) return m;
  }
  return null;
}

// ---- database aliases in routers ----------------------------------------------------------------------
// A router that sends a model to an alias DATABASES does not define ("analytcs"): Django raises
// ConnectionDoesNotExist on every query it routes there. One that compares `db` with such an alias in
// allow_migrate never matches it, so the models it meant to place are migrated by the next router or nowhere.

/** String literals a router method returns (db_for_*) or compares its `db` argument with (allow_migrate). */
function routerLiterals(fn: FuncV, method: RouterMethod): { expr: A.Expr; value: string; how: 'returned' | 'compared' }[] {
  if (fn.def.type !== 'FunctionDef') return [];
  const out: { expr: A.Expr; value: string; how: 'returned' | 'compared' }[] = [];
  const strs = (e: A.Expr): A.Expr[] =>
    e.type === 'Constant' && typeof e.value === 'string' ? [e]
      : e.type === 'IfExp' ? [...strs(e.body), ...strs(e.orelse)]
        : [];
  const params = [...fn.def.args.posonly, ...fn.def.args.args].map(a => a.name);
  const db = fn.decorator === 'staticmethod' ? params[0] : params[1];
  const isDb = (e: A.Expr) => e.type === 'Name' && e.id === db;
  const compared = (e: A.Expr, op: A.CmpOp): A.Expr[] =>
    op === '==' || op === '!=' ? strs(e)
      : (op === 'in' || op === 'not in') && (e.type === 'Tuple' || e.type === 'List' || e.type === 'Set') ? e.elts.flatMap(strs)
        : [];
  const visit = (e: A.Expr): void => {
    if (e.type === 'Compare') {
      const operands = [e.left, ...e.comparators];
      e.ops.forEach((op, i) => {
        const [a, b] = [operands[i]!, operands[i + 1]!];
        const lits = isDb(a) ? compared(b, op) : isDb(b) && (op === '==' || op === '!=') ? compared(a, op) : [];
        for (const l of lits) out.push({ expr: l, value: (l as A.Constant).value as string, how: 'compared' });
      });
    }
    for (const c of childExprs(e)) visit(c);
  };
  for (const s of allStmts(fn.def.body)) {
    if (method !== 'allow_migrate') {
      if (s.type === 'Return' && s.value) for (const l of strs(s.value)) out.push({ expr: l, value: (l as A.Constant).value as string, how: 'returned' });
    } else if (db) {
      for (const e of stmtParts(s).exprs) visit(e);
    }
  }
  return out;
}

/**
 * Aliases not in DATABASES that routers return or compare `db` with. Every alias a db_for_read/db_for_write
 * answers with for some model is an error (evaluated, so a literal behind `if "x" in settings.DATABASES` counts
 * only when that path is taken, and an alias read from settings counts too). A literal that allow_migrate compares
 * `db` with only when it is one typo away from an alias: a router shared by several settings modules may well
 * name an alias this one does not define.
 */
export function routerAliasFindings(
  settings: SettingsInfo,
  defs: { router: string; method: RouterMethod; fn: FuncV }[],
  routes: Partial<Record<'db_for_read' | 'db_for_write', DbRoute[]>>,
): Finding[] {
  if (!databasesKnown(settings) || settings.partial?.some(p => p.name === 'DATABASES')) return [];
  const aliases = settings.databases.map(d => d.alias);
  const known = new Set(aliases);
  const list = aliases.map(a => `'${a}'`).join(', ');
  const out: Finding[] = [];
  const seen = new Set<string>();
  const lines = new Map<string, string[]>();
  const linesOf = (file: string): string[] => {
    let l = lines.get(file);
    if (!l) {
      try { l = fs.readFileSync(file, 'utf8').split('\n'); } catch { l = []; }
      lines.set(file, l);
    }
    return l;
  };
  // the literal behind an evaluated answer, when the `return` itself writes it
  const literals = defs.flatMap(d => routerLiterals(d.fn, d.method).map(l => ({ ...l, path: d.fn.loc.path, router: d.router, method: d.method })));
  const literalAt = new Map(literals.map(l => [`${l.path}:${l.expr.line}:${l.value}`, l]));
  const differ = databasesMayDiffer(settings);
  const report = (alias: string, path: string, line: number, what: string, consequence: string, expr?: A.Expr, harmless = false) => {
    const key = `${path}:${line}:${alias}`;
    if (seen.has(key)) return;
    seen.add(key);
    const suggestion = closestAlias(alias, aliases);
    out.push({
      // (a comparison that never matches breaks nothing by itself: a warning; a route to it fails every query)
      code: 'router-unknown-alias', severity: differ || harmless ? 'warning' : 'error', path, line, alias,
      message: `'${alias}' (${what}) is not a database of DATABASES (${list}): ${consequence}${suggestion ? `. Did you mean '${suggestion}'?` : '.'}${differ ? ` (${differ}: it may exist where the project runs)` : ''}`,
      ...(expr ? aliasFix(literalSpan(expr, linesOf(path)), suggestion) : {}),
    });
  };
  for (const method of ['db_for_read', 'db_for_write'] as const) {
    const byAnswer = new Map<string, DbRoute[]>();
    for (const r of routes[method] ?? []) {
      if (r.reason !== 'router' || r.alias === null || known.has(r.alias) || !r.loc) continue;
      const k = `${r.loc.path}:${r.loc.line}:${r.alias}`;
      byAnswer.set(k, [...(byAnswer.get(k) ?? []), r]);
    }
    for (const [k, rs] of byAnswer) {
      const r = rs[0]!;
      const lit = literalAt.get(k);
      const models = rs.map(x => x.model);
      report(r.alias!, r.loc!.path, r.loc!.line, `returned by ${r.decidedBy}.${method} for ${models.slice(0, 3).join(', ')}${models.length > 3 ? ` and ${models.length - 3} more` : ''}`,
        `Django raises ConnectionDoesNotExist on every ${method === 'db_for_read' ? 'read' : 'write'} it routes there`, lit?.expr);
    }
  }
  // a literal returned on a path no model takes is left alone: dead (`if "x" in settings.DATABASES`) or harmless today
  for (const l of literals) {
    if (l.how !== 'compared' || known.has(l.value) || !closestAlias(l.value, aliases)) continue;
    report(l.value, l.path, l.expr.line, `compared with db in ${l.router}.allow_migrate`, 'the comparison never matches a database Django migrates', l.expr, true);
  }
  return out;
}
