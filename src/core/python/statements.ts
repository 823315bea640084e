// Statements of the static evaluator (./evaluate.ts): blocks, assignment, if/for/while/try, imports. Unknown
// conditions run both branches and merge what they leave (./values.ts mergeValues); a loop over something
// unknown runs its body once and merges it with the state before (lists that only grew stay partly known).
import * as path from 'path';
import type * as A from './ast';
import type { Loc } from '../types';
import { ModuleIndex } from './modules';
import {
  type Value, type Namespace, type ModuleV, type ObjV, type UnknownV, type StrV, type DictV, NONE, str, num, list, tuple, unknown, dict, dictSet, dictGet, hashKey, truthy,
  cloneVars, mergeValues, type MergeMemo, oneOf, pyEquals, repr, pyStr, typeName, adoptMerged, dependsOn, type ForkState,
  mayComeFrom,
} from './values';
import { type Evaluator, type Frame, type Res, type Abrupt, PyErr, BudgetErr, OK, MAX_ITERATIONS, locOf, missingReason } from './runtime';
import { BUILTINS, PYTHON_BUILTIN_NAMES } from './eval-builtins';
import { binaryOp } from './operators';
import { exceptionClass, isExceptionSubclass } from './exceptions';
import { configparserSetItem, isConfigparserObj } from './eval-configparser';
import { stmtParts } from '../lints/walk';

export function execBlock(it: Evaluator, stmts: A.Stmt[], f: Frame): Res {
  let abrupt: Abrupt[] | null = null;
  for (const s of stmts) {
    const r = it.execStmt(s, f);
    if (r.abrupt.length) abrupt = abrupt ? abrupt.concat(r.abrupt) : r.abrupt.slice();
    if (!r.normal) return { normal: false, abrupt: abrupt ?? [] };
  }
  return abrupt ? { normal: true, abrupt } : OK;
}

export function execStmt(it: Evaluator, s: A.Stmt, f: Frame): Res {
  it.tick();
  try {
    const r = execStmtInner(it, s, f);
    // (an import statement, or importlib.import_module() in any statement: pulpcore's optional apps)
    if (it.importFailure && !(s.type === 'Try' || s.type === 'With' || s.type === 'If' || s.type === 'For' || s.type === 'While' || s.type === 'FunctionDef' || s.type === 'ClassDef')) {
      const exc = it.importFailure;
      it.importFailure = null;
      const vars = cloneVars(f.scope.vars);
      for (const n of assignedNames([s])) vars.delete(n);
      // (certain to fail where the environment read is the project's Django one: the statement never completes)
      return { normal: r.normal && !exc.missing?.certain, abrupt: [...r.abrupt, { kind: 'raise', exc, loc: locOf(f.file, s), vars }] };
    }
    return r;
  } catch (e) {
    if (e instanceof PyErr) {
      return { normal: false, abrupt: [{ kind: 'raise', exc: e.loc ? e : Object.assign(new PyErr(e.type, e.msg, locOf(f.file, s), e.cls), { errno: e.errno, value: e.value }), loc: locOf(f.file, s), vars: f.scope.vars }] };
    }
    throw e;
  }
}

function execStmtInner(it: Evaluator, s: A.Stmt, f: Frame): Res {
  const loc = locOf(f.file, s);
  switch (s.type) {
    case 'Expr':
      if (updateOfUnknown(it, s.value, f, loc)) return OK;
      it.eval(s.value, f);
      return OK;
    case 'Assign': {
      const v = it.eval(s.value, f);
      for (const t of s.targets) it.assign(t, v, f, loc);
      return OK;
    }
    case 'AnnAssign':
      if (s.value) it.assign(s.target, it.eval(s.value, f), f, loc);
      return OK;
    case 'AugAssign':
      augAssign(it, s, f, loc);
      return OK;
    case 'Pass':
      return OK;
    case 'Return':
      return { normal: false, abrupt: [{ kind: 'return', value: s.value ? it.eval(s.value, f) : NONE, loc }] };
    case 'Break':
    case 'Continue':
      return { normal: false, abrupt: [{ kind: s.type === 'Break' ? 'break' : 'continue', loc, vars: f.scope.vars }] };
    case 'If':
      return execIf(it, s, f, loc);
    case 'For':
      return execFor(it, s, f, loc);
    case 'While':
      return execWhile(it, s, f, loc);
    case 'Try':
      return execTry(it, s, f, loc);
    case 'With': {
      // `with suppress(ImportError):` is a try whose handler passes (pulpcore's optional apps)
      const only = s.items.length === 1 && !s.items[0]!.target ? s.items[0]!.context : null;
      if (only?.type === 'Call' && ['suppress', 'contextlib.suppress'].includes(dottedName(only.func) ?? '') && only.args.length && !only.keywords.length) {
        const at = { line: only.line, col: only.col, endLine: only.endLine };
        const typeExpr: A.Expr = only.args.length === 1 ? only.args[0]! : { type: 'Tuple', ...at, elts: only.args };
        const asTry: A.Try = { type: 'Try', line: s.line, col: s.col, endLine: s.endLine, body: s.body, handlers: [{ ...at, typeExpr, name: null, body: [{ type: 'Pass', ...at }] }], orelse: [], finalbody: [] };
        return execTry(it, asTry, f, loc);
      }
      const restore: (() => void)[] = [];
      for (const item of s.items) {
        const c = it.eval(item.context, f);
        let entered: Value;
        // a file open() read returns itself from __enter__
        if (c.kind === 'obj' && c.type === 'file') entered = c;
        else if (c.kind === 'obj' && c.type === 'environs.prefixed') {
          // environs' `with env.prefixed("DB_") as e:` sets the Env's prefix for the block (and yields the Env)
          const { env, prefix } = c.data as { env: ObjV; prefix: string };
          const st = env.data as { prefix: string };
          const old = st.prefix;
          st.prefix = old + prefix;
          restore.push(() => { st.prefix = old; });
          entered = env;
        } else entered = c.kind === 'unknown' ? unknown(c.reason, c.loc ?? loc) : unknown(`value of a with-statement (${repr(c)})`, loc);
        if (item.target) it.assign(item.target, entered, f, loc);
      }
      try {
        return it.execBlock(s.body, f);
      } finally {
        for (const r of restore.reverse()) r();
      }
    }
    case 'Raise': {
      if (!s.exc) throw f.handling ?? new PyErr('RuntimeError', 'No active exception to reraise', loc);
      const e = it.eval(s.exc, f);
      const err = it.toPyErr(e, loc);
      err.explicit = true;
      throw err;
    }
    case 'Assert': {
      const t = truthy(it.eval(s.test, f));
      if (t === false) throw new PyErr('AssertionError', '', loc);
      return OK;
    }
    case 'Import':
      for (const a of s.names) {
        const m = it.importModule(a.name, loc);
        if (a.asname) it.setName(a.asname, m, f);
        else it.setName(a.name.split('.')[0]!, it.importModule(a.name.split('.')[0]!, loc), f);
      }
      return OK;
    case 'ImportFrom':
      execImportFrom(it, s, f, loc);
      return OK;
    case 'FunctionDef': {
      const fn = it.makeFunction(s, f, loc);
      it.setName(s.name, fn, f);
      return OK;
    }
    case 'ClassDef':
      it.setName(s.name, it.makeClass(s, f, loc), f);
      return OK;
    case 'Delete':
      for (const t of s.targets) deleteTarget(it, t, f, loc);
      return OK;
    case 'Global':
      f.globalNames = f.globalNames ?? new Set();
      for (const n of s.names) f.globalNames.add(n);
      return OK;
    case 'Nonlocal':
      return OK;
    case 'Match':
      return execMatch(it, s, f, loc);
    default:
      return OK;
  }
}

function execIf(it: Evaluator, s: A.If, f: Frame, loc: Loc): Res {
  const tv = it.eval(s.test, f);
  const t = it.truth(tv);
  if (t === true) return it.execBlock(s.body, f);
  if (t === false) return it.execBlock(s.orelse, f);
  const why = (tv as UnknownV).reason ?? 'unknown condition';
  const wloc = (tv as UnknownV).loc ?? loc;
  it.forks.push({ reason: why, loc: wloc });
  const n = narrowing(s.test, f);
  const within = (v: Value | null, run: (ff: Frame) => Res) => (ff: Frame): Res => {
    if (n && v) ff.scope.vars.set(n.name, v);
    return run(ff);
  };
  return it.fork(f, [within(n?.yes ?? null, ff => it.execBlock(s.body, ff)), within(n?.no ?? null, ff => it.execBlock(s.orelse, ff))], dependsOn(why), wloc);
}

/**
 * `if x:` / `if not x:` / `if x is None:` on a variable of this scope that is one of known values (an earlier if's
 * paths left them): in each branch, the values it can have there (Mayan: `DATABASES = … if … else None`, then
 * `if not DATABASES: DATABASES = {…}` is the same dict on both paths).
 */
function narrowing(test: A.Expr, f: Frame): { name: string; yes: Value | null; no: Value | null } | null {
  let e = test;
  let negate = false;
  while (e.type === 'UnaryOp' && e.op === 'not') { e = e.operand; negate = !negate; }
  let name: string | null = null;
  let holds: ((v: Value) => boolean | null) | null = null;
  if (e.type === 'Name') { name = e.id; holds = truthy; }
  else if (e.type === 'Compare' && e.ops.length === 1 && e.left.type === 'Name' && e.comparators[0]!.type === 'Constant' && e.comparators[0]!.value === null && (e.ops[0] === 'is' || e.ops[0] === 'is not')) {
    name = e.left.id;
    const is = e.ops[0] === 'is';
    holds = v => (v.kind === 'none') === is;
  }
  if (!name || !holds) return null;
  const v = f.scope.vars.get(name);
  if (!v || v.kind !== 'unknown' || !v.choices) return null;
  const yes: Value[] = [], no: Value[] = [];
  for (const c of v.choices) {
    const h = holds(c);
    if (h === null) return null;
    (h !== negate ? yes : no).push(c);
  }
  const pick = (xs: Value[]): Value | null => (xs.length ? oneOf(xs, v.reason, v.loc) : null);
  return { name, yes: pick(yes), no: pick(no) };
}

/** Run alternatives from the same state; normal exits are merged. */
export function fork(it: Evaluator, f: Frame, alts: ((f: Frame) => Res)[], reason: string, loc: Loc | undefined): Res {
  const saved = f.scope.vars;
  // the variables as they were (the last path runs on `saved` itself and may rebind them)
  const before = new Map(saved);
  const normals: ForkState[] = [];
  let abrupt: Abrupt[] = [];
  // a `return`/`raise` of the path run on the originals holds them as that path left them: they are then not changed
  let originalsHeld = false;
  alts.forEach((run, i) => {
    const copies = i === alts.length - 1 ? null : new Map<Value, Value>();
    f.scope.vars = copies ? cloneVars(saved, copies) : saved;
    const r = run(f);
    if (r.normal) normals.push({ vars: f.scope.vars, copies });
    if (!copies && r.abrupt.length) originalsHeld = true;
    abrupt = abrupt.concat(r.abrupt);
  });
  if (!normals.length) { f.scope.vars = saved; return { normal: false, abrupt }; }
  // (every path of the if or match ran: what they left are the choices of a value they disagree on)
  const merged = mergeVarsAll(normals.map(s => s.vars), reason, loc, true);
  if (!originalsHeld) adoptMerged(before, merged, normals);
  f.scope.vars = merged;
  return { normal: true, abrupt };
}

/**
 * One iteration of a loop body: `break` states go to `exits`, returns/raises to `abrupt`; the states that go on
 * (normal end, `continue`) become the frame's state. False when no path goes on.
 */
function loopBody(it: Evaluator, body: A.Stmt[], f: Frame, exits: Map<string, Value>[], abrupt: Abrupt[], loc: Loc): boolean {
  const r = it.execBlock(body, f);
  const conts: Map<string, Value>[] = r.normal ? [f.scope.vars] : [];
  for (const a of r.abrupt) {
    if (a.kind === 'break') exits.push(a.vars!);
    else if (a.kind === 'continue') conts.push(a.vars!);
    else abrupt.push(a);
  }
  if (!conts.length) return false;
  f.scope.vars = conts.length === 1 ? conts[0]! : mergeVarsAll(conts, 'depends on a loop condition', loc);
  return true;
}

function execFor(it: Evaluator, s: A.For, f: Frame, loc: Loc): Res {
  const itv = it.eval(s.iter, f);
  let items = it.iter(itv);
  // a collection known in part (known items and maybe more): the known ones, then the rest as a loop over something
  // unknown (Baserow's replicas, one per variable of os.environ.items() set in the env file, are known)
  // (where the unknown items may come before the known ones, a body that may leave the loop early is not run on the
  // known ones first: a first-match `break` would give a known answer the run may not give)
  let rest = items === null ? knownPart(itv) : null;
  if (rest?.anywhere && leavesEarly(s.body)) rest = null;
  if (items === null && !rest) return loopUnknown(it, s, f, notKnown(itv), loc);
  if (rest) items = rest.items;
  let abrupt: Abrupt[] = [];
  const exits: Map<string, Value>[] = [];
  let alive = true;
  let n = 0;
  for (const item of items!) {
    if (++n > MAX_ITERATIONS) throw new BudgetErr('too many loop iterations');
    it.assign(s.target, item, f, loc);
    if (!loopBody(it, s.body, f, exits, abrupt, loc)) { alive = false; break; }
  }
  if (alive && rest) {
    const r = loopUnknown(it, s, f, rest.more, loc);
    abrupt = abrupt.concat(r.abrupt);
    if (r.normal) exits.push(f.scope.vars);
  } else if (alive) {
    const r = it.execBlock(s.orelse, f);
    abrupt = abrupt.concat(r.abrupt);
    if (r.normal) exits.push(f.scope.vars);
  }
  if (!exits.length) return { normal: false, abrupt };
  f.scope.vars = exits.length === 1 ? exits[0]! : mergeVarsAll(exits, 'depends on a loop condition', loc);
  return { normal: true, abrupt };
}

/**
 * The known items of a collection known in part, what the rest stands for, and whether the rest may come before
 * them (a set, a dict whose unknown keys may have been set first, a list with items inserted anywhere, the
 * environment's variables); null: not such a collection.
 */
function knownPart(v: Value): { items: Value[]; more: UnknownV; anywhere: boolean } | null {
  if ((v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') && v.more && v.items.length) {
    return { items: v.items, more: v.more, anywhere: v.kind === 'set' || !!v.moreAnywhere };
  }
  if (v.kind === 'dict' && v.inexact && v.map.size) return { items: [...v.map.values()].map(e => e.k), more: v.inexact, anywhere: true };
  return null;
}

/** Whether a loop body may leave the loop before its last item (`break`, `return`), nested functions aside. */
function leavesEarly(body: A.Stmt[]): boolean {
  return body.some(st => {
    if (st.type === 'Break' || st.type === 'Return') return true;
    if (st.type === 'FunctionDef' || st.type === 'ClassDef') return false;
    return stmtParts(st).blocks.some(leavesEarly);
  });
}

/**
 * What makes a loop's iterable (or a while's condition) not known, as an unknown value: its own reason, or what is
 * missing of a value that is partly known (PostHog's `for route in load_product_db_routes(…)`, a tuple of routes read
 * from a YAML file, was a "loop over undefined").
 */
function notKnown(v: Value): UnknownV {
  if (v.kind === 'unknown') return v;
  if ((v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') && v.more) return v.more;
  if (v.kind === 'dict' && v.inexact) return v.inexact;
  return unknown(`a ${typeName(v)} value that is not iterated statically`);
}

/**
 * A loop over something unknown: the body runs once with the loop variable unknown, and the state after it
 * is merged with the state before it (zero iterations). Lists that only grew keep their known items and a
 * "may contain more" mark (the INSTALLED_APPS-from-entry-points pattern); other changed names become unknown.
 */
function loopUnknown(it: Evaluator, s: A.For | A.While, f: Frame, why: UnknownV, loc: Loc): Res {
  // (a loop inside a loop over the same unknown says it once)
  const reason = why.reason.startsWith('a loop over ') ? why.reason : `a loop over something not known (${why.reason})`;
  const wloc = why.loc ?? loc;
  it.forks.push({ reason: why.reason, loc: wloc });
  const saved = f.scope.vars;
  const copies = new Map<Value, Value>();
  f.scope.vars = cloneVars(saved, copies);
  if (s.type === 'For') it.assign(s.target, unknown(reason, wloc), f, loc);
  // the body may not run at all: the state before it is one of the outcomes (`saved`, which the body does not touch)
  const states: ForkState[] = [{ vars: saved, copies: null }];
  const r = it.execBlock(s.body, f);
  if (r.normal) states.push({ vars: f.scope.vars, copies });
  const abrupt: Abrupt[] = [];
  for (const a of r.abrupt) {
    if ((a.kind === 'break' || a.kind === 'continue') && a.vars) states.push({ vars: a.vars, copies });
    else abrupt.push(a);
  }
  const merged = mergeVarsAll(states.map(x => x.vars), reason, wloc);
  adoptMerged(saved, merged, states);
  f.scope.vars = merged;
  const r2 = it.execBlock(s.orelse, f);
  return { normal: r2.normal || !s.orelse.length, abrupt: abrupt.concat(r2.abrupt) };
}

function execWhile(it: Evaluator, s: A.While, f: Frame, loc: Loc): Res {
  let abrupt: Abrupt[] = [];
  const exits: Map<string, Value>[] = [];
  for (let n = 0; ; n++) {
    if (n > MAX_ITERATIONS) throw new BudgetErr('too many loop iterations');
    const tv = it.eval(s.test, f);
    const t = it.truth(tv);
    if (t === null) {
      const r = loopUnknown(it, s, f, notKnown(tv), loc);
      abrupt = abrupt.concat(r.abrupt);
      exits.push(f.scope.vars);
      break;
    }
    if (!t) {
      const r = it.execBlock(s.orelse, f);
      abrupt = abrupt.concat(r.abrupt);
      if (r.normal) exits.push(f.scope.vars);
      break;
    }
    if (!loopBody(it, s.body, f, exits, abrupt, loc)) break;
  }
  if (!exits.length) return { normal: false, abrupt };
  f.scope.vars = exits.length === 1 ? exits[0]! : mergeVarsAll(exits, 'depends on a loop condition', loc);
  return { normal: true, abrupt };
}

/**
 * `match`: the cases whose patterns the subject matches are taken in order (paperless' `match engine: case "sqlite":`,
 * a router's `match app_label:`); a case that may match (an unknown subject, a pattern or guard not read) runs as
 * one path of a fork beside the later cases, and where no case surely matches, not running any is a path too.
 */
function execMatch(it: Evaluator, s: A.Match, f: Frame, loc: Loc): Res {
  const subject = it.eval(s.subject, f);
  const why = `which case of a match on ${subject.kind === 'unknown' ? subject.reason : repr(subject)} runs`;
  const alts: ((ff: Frame) => Res)[] = [];
  let sure = false;
  for (let i = 0; i < s.cases.length && !sure; i++) {
    const body = s.cases[i]!;
    const c = s.patterns?.[i];
    const binds: [string, Value][] = [];
    let m = c ? matchPattern(it, subject, c.pattern, f, binds) : null;
    if (m !== false && c?.guard) {
      // the guard, with the pattern's captures bound (for its reading only: the case's path binds them again)
      const vars = f.scope.vars;
      f.scope.vars = new Map(vars);
      let g: boolean | null;
      try {
        for (const [n, v] of binds) f.scope.vars.set(n, v);
        g = it.truth(it.eval(c.guard, f));
      } finally {
        f.scope.vars = vars;
      }
      if (g === false) m = false;
      else if (g === null) m = null;
    }
    if (m === false) continue;
    alts.push(ff => {
      for (const [n, v] of binds) it.setName(n, v, ff);
      return it.execBlock(body, ff);
    });
    if (m === true) sure = true;
  }
  if (!sure) alts.push(() => OK);
  if (alts.length === 1) return alts[0]!(f);
  it.forks.push({ reason: why, loc });
  return it.fork(f, alts, dependsOn(why), loc);
}

/** Whether `v` matches the pattern: true, false, or null (not known); captures are added to `binds`. */
function matchPattern(it: Evaluator, v: Value, p: A.Pattern, f: Frame, binds: [string, Value][]): boolean | null {
  switch (p.kind) {
    case 'wildcard': return true;
    case 'capture': binds.push([p.name, v]); return true;
    case 'as': {
      const r = matchPattern(it, v, p.pattern, f, binds);
      if (r !== false) binds.push([p.name, v]);
      return r;
    }
    case 'or': {
      let res: boolean | null = false;
      for (const alt of p.alts) {
        const r = matchPattern(it, v, alt, f, []);
        if (r === true) return true;
        if (r === null) res = null;
      }
      return res;
    }
    case 'value': {
      const want = it.eval(p.value, f);
      if (want.kind === 'unknown') return null;
      // one of known values (an earlier if's paths): matched when all match, not when none does
      const of = v.kind === 'unknown' ? v.choices ?? null : [v];
      if (!of) return null;
      const each = of.map(x => pyEquals(x, want));
      return each.every(e => e === true) ? true : each.every(e => e === false) ? false : null;
    }
    default:
      return null;
  }
}

/** `a.b.c` of a Name/Attribute chain, else null. */
function dottedName(e: A.Expr): string | null {
  if (e.type === 'Name') return e.id;
  if (e.type === 'Attribute') { const v = dottedName(e.value); return v === null ? null : `${v}.${e.attr}`; }
  return null;
}

function execTry(it: Evaluator, s: A.Try, f: Frame, loc: Loc): Res {
  const catches = s.handlers.some(h => catchesImportError(h.typeExpr));
  const catchesFile = s.handlers.some(h => catchesFileError(h.typeExpr));
  if (catches) it.catchingImport++;
  if (catchesFile) it.catchingFileErrors++;
  let r: Res;
  try {
    r = it.execBlock(s.body, f);
  } finally {
    if (catches) it.catchingImport--;
    if (catchesFile) it.catchingFileErrors--;
  }
  const normals: Map<string, Value>[] = [];
  let abrupt: Abrupt[] = [];
  if (r.normal) {
    const r2 = it.execBlock(s.orelse, f);
    abrupt = abrupt.concat(r2.abrupt);
    if (r2.normal) normals.push(f.scope.vars);
  }
  // what may have been raised and caught, for the reason of a value that depends on it
  const caught: string[] = [];
  for (const a of r.abrupt) {
    if (a.kind !== 'raise' || !s.handlers.length) { abrupt.push(a); continue; }
    const exc = a.exc!;
    let handled = false;
    const what = exc.missing
      ? `whether ${exc.missing.module} can be imported (${missingReason(exc.missing.module, it.python)})`
      : `whether ${exc} is raised${exc.loc ? ` at ${path.basename(exc.loc.path)}:${exc.loc.line}` : ''}`;
    if (!caught.includes(what)) caught.push(what);
    for (const h of s.handlers) {
      f.scope.vars = a.vars ?? f.scope.vars;
      const m = matchHandler(it, h, exc, f);
      if (m === false) continue;
      const vars = m === null ? cloneVars(a.vars ?? f.scope.vars) : (a.vars ?? f.scope.vars);
      f.scope.vars = vars;
      if (h.name && exc.value) it.setName(h.name, exc.value, f);
      else if (h.name) {
        const attrs = new Map<string, Value>([['args', tuple([str(exc.msg)])]]);
        if (exc.errno !== undefined) attrs.set('errno', num(exc.errno));
        it.setName(h.name, { kind: 'instance', cls: exc.cls ?? exceptionClass(exc.type), attrs }, f);
      }
      const prev = f.handling;
      f.handling = exc;
      const hr = it.execBlock(h.body, f);
      f.handling = prev;
      abrupt = abrupt.concat(hr.abrupt);
      if (hr.normal) normals.push(f.scope.vars);
      if (m === true) { handled = true; break; }
      // unknown whether it matches: it may also propagate
      it.forks.push({ reason: `whether ${exc.type} is caught`, loc: locOf(f.file, h) });
    }
    if (!handled) abrupt.push(a);
  }
  if (s.finalbody.length) {
    // run `finally` on the normal path only (its effects on abrupt paths are not modelled)
    if (normals.length) {
      f.scope.vars = normals.length === 1 ? normals[0]! : mergeVarsAll(normals, caughtReason(caught), loc);
      const fr = it.execBlock(s.finalbody, f);
      abrupt = abrupt.concat(fr.abrupt);
      if (!fr.normal) return { normal: false, abrupt };
      return { normal: true, abrupt };
    }
  }
  if (!normals.length) return { normal: false, abrupt };
  f.scope.vars = normals.length === 1 ? normals[0]! : mergeVarsAll(normals, caughtReason(caught), loc);
  return { normal: true, abrupt };
}

/** Why a value after a try statement is one of several: what its handlers may have caught. */
function caughtReason(caught: string[]): string {
  if (!caught.length) return 'depends on whether an exception was raised';
  return `depends on ${caught.slice(0, 3).join(', and ')}${caught.length > 3 ? ` (and ${caught.length - 3} more)` : ''}`;
}

function matchHandler(it: Evaluator, h: A.ExceptHandler, exc: PyErr, f: Frame): boolean | null {
  if (!h.typeExpr) return true;
  let tv: Value;
  try {
    tv = it.eval(h.typeExpr, f);
  } catch (e) {
    if (e instanceof PyErr) return null;
    throw e;
  }
  const types = tv.kind === 'tuple' ? tv.items : [tv];
  let res: boolean | null = false;
  for (const t of types) {
    if (t.kind === 'class') {
      if (exc.cls && it.mro(exc.cls).includes(t)) return true;
      if (t.special === 'exception' && isExceptionSubclass(exc.type, t.name)) return true;
      if (exc.cls && it.mro(exc.cls).some(c => c.special === 'exception' && isExceptionSubclass(c.name, t.name) && t.special === 'exception')) return true;
      if (t.opaqueBase) res = null;
    } else res = null;
  }
  return res;
}

function execImportFrom(it: Evaluator, s: A.ImportFrom, f: Frame, loc: Loc): void {
  if (s.module === '__future__') return;
  const g = f.globals;
  const abs = ModuleIndex.absoluteName(g.module, g.isPackage, s.level, s.module);
  if (!abs) throw new PyErr('ImportError', 'attempted relative import beyond top-level package', loc);
  const star = it.importingStar;
  it.importingStar = s.names.some(a => a.name === '*');
  let m: ModuleV;
  try {
    m = it.importModule(abs, loc);
  } finally {
    it.importingStar = star;
  }
  for (const a of s.names) {
    if (a.name === '*') {
      importStar(it, m, f, loc);
      continue;
    }
    let v: Value;
    // a name the environment's Django does not have (ugettext_lazy since Django 4.0): Django's own ImportError
    const lacking = (!m.ns && m.special === 'opaque') || m.special === 'modeled' ? it.djangoLacks(abs, a.name) : null;
    if (lacking) throw new PyErr('ImportError', `cannot import name '${a.name}' from '${abs}' (${lacking})`, loc);
    if (m.ns && m.ns.vars.has(a.name)) v = m.ns.vars.get(a.name)!;
    else if (!m.ns || m.special === 'modeled') v = it.moduleAttr(m, a.name, loc, true);
    else {
      try {
        v = it.importModule(`${abs}.${a.name}`, loc);
      } catch (e) {
        if (!(e instanceof PyErr)) throw e;
        v = it.moduleAttr(m, a.name, loc, true);
      }
    }
    it.setName(a.asname ?? a.name, v, f);
  }
}

function importStar(it: Evaluator, m0: ModuleV, f: Frame, loc: Loc): void {
  // a module of a package outside the project (opaque otherwise): its own top level, for the names it defines
  const ext = !m0.ns && m0.special === 'opaque' ? it.externalNamespace(m0.name, loc) : null;
  const m: ModuleV = ext ? { ...m0, ns: ext } : m0;
  if (!m.ns) {
    if (m.special === 'missing') f.globals.starUnknown = { reason: missingReason(m.name, it.python), loc };
    else if (m.special) f.globals.starUnknown = { reason: `names imported by 'from ${m.name} import *'`, loc };
    return;
  }
  // what unknown code may have set in the module (`vars().update(…)`, exec()) comes with its names: Django's
  // defaults stay the answer for the names it alone could set (kuma's common.py, star-imported by local.py)
  if (m.ns.overlaid) f.globals.overlaid ??= m.ns.overlaid;
  if (m.ns.starUnknown && !(f.globals.starUnknown && f.globals.starUnknown !== f.globals.overlaid)) f.globals.starUnknown = m.ns.starUnknown === m.ns.overlaid ? f.globals.overlaid : m.ns.starUnknown;
  const all = m.ns.vars.get('__all__');
  const names = all && (all.kind === 'list' || all.kind === 'tuple') && all.items.every(x => x.kind === 'str')
    ? all.items.map(x => (x as StrV).v)
    : [...m.ns.vars.keys()].filter(k => !k.startsWith('_'));
  for (const n of names) {
    const v = m.ns.vars.get(n);
    if (v) it.setName(n, v, f);
  }
}

function augAssign(it: Evaluator, s: A.AugAssign, f: Frame, loc: Loc): void {
  const cur = it.eval(s.target, f);
  const rhs = it.eval(s.value, f);
  if (s.op === '+' && cur.kind === 'list') {
    const items = it.iter(rhs);
    if (items) { cur.items.push(...items); return; }
    // `+=` of something not known: in place, the known items stay ("may contain more")
    if (rhs.kind === 'unknown' || ((rhs.kind === 'list' || rhs.kind === 'tuple') && rhs.more)) {
      if (rhs.kind !== 'unknown') cur.items.push(...rhs.items);
      cur.more ??= rhs.kind === 'unknown' ? unknown(rhs.reason, rhs.loc ?? loc) : rhs.more;
      return;
    }
  }
  if (s.op === '|' && cur.kind === 'dict' && rhs.kind === 'dict') {
    for (const e of rhs.map.values()) dictSet(cur, e.k, e.v, e.loc ?? loc);
    if (rhs.inexact) cur.inexact = rhs.inexact;
    return;
  }
  if (s.op === '+' && cur.kind === 'unknown' && s.target.type === 'Name') { it.assign(s.target, cur, f, loc); return; }
  it.assign(s.target, binaryOp(it, cur, s.op, rhs, loc), f, loc);
}

function deleteTarget(it: Evaluator, t: A.Expr, f: Frame, loc: Loc): void {
  if (t.type === 'Name') { f.scope.vars.delete(t.id); return; }
  if (t.type === 'Subscript') {
    const c = it.eval(t.value, f);
    const k = it.eval(t.slice, f);
    if (c.kind === 'dict') {
      const h = hashKey(k);
      if (h === null) c.inexact = unknown(`a key was deleted (${repr(k)})`, loc);
      else c.map.delete(h);
    }
    return;
  }
  if (t.type === 'Tuple' || t.type === 'List') for (const x of t.elts) deleteTarget(it, x, f, loc);
}

export function setName(it: Evaluator, name: string, v: Value, f: Frame): void {
  if (f.globalNames?.has(name)) f.globals.vars.set(name, v);
  else f.scope.vars.set(name, v);
}

export function lookup(it: Evaluator, name: string, f: Frame, loc: Loc): Value {
  for (let fr: Frame | null = f; fr; fr = fr.parent) {
    const v = fr.scope.vars.get(name);
    if (v !== undefined) return v;
    if (fr.closure) {
      const c = fr.closure.get(name);
      if (c !== undefined) return c;
    }
    if (fr.fn?.closure) {
      const c = fr.fn.closure.get(name);
      if (c !== undefined) return c;
    }
  }
  const g = f.globals.vars.get(name);
  if (g !== undefined) return g;
  const b = BUILTINS.get(name);
  if (b) return b;
  if (f.globals.starUnknown) return unknown(`${name} ${mayComeFrom(f.globals.starUnknown.reason)}`, f.globals.starUnknown.loc ?? loc);
  if (PYTHON_BUILTIN_NAMES.has(name)) return unknown(`${name} (a Python builtin) is not modelled`, loc);
  throw new PyErr('NameError', `name '${name}' is not defined`, loc);
}

export function assign(it: Evaluator, t: A.Expr, v: Value, f: Frame, loc: Loc): void {
  switch (t.type) {
    case 'Name':
      it.setName(t.id, v, f);
      return;
    case 'Tuple':
    case 'List': {
      const items = it.iter(v);
      const star = t.elts.findIndex(e => e.type === 'Starred');
      if (items === null) {
        for (const e of t.elts) it.assign(e.type === 'Starred' ? e.value : e, v.kind === 'unknown' ? v : unknown(`cannot unpack ${repr(v)}`, loc), f, loc);
        return;
      }
      if (star < 0) {
        if (items.length !== t.elts.length) throw new PyErr('ValueError', `cannot unpack ${items.length} values into ${t.elts.length}`, loc);
        t.elts.forEach((e, i) => it.assign(e, items[i]!, f, loc));
        return;
      }
      const after = t.elts.length - star - 1;
      if (items.length < t.elts.length - 1) throw new PyErr('ValueError', 'not enough values to unpack', loc);
      t.elts.forEach((e, i) => {
        if (i < star) it.assign(e, items[i]!, f, loc);
        else if (i === star) it.assign((e as A.Starred).value, list(items.slice(star, items.length - after)), f, loc);
        else it.assign(e, items[items.length - (t.elts.length - i)]!, f, loc);
      });
      return;
    }
    case 'Starred':
      it.assign(t.value, v, f, loc);
      return;
    case 'Subscript': {
      const c = it.eval(t.value, f);
      const k = it.eval(t.slice, f);
      // a key set in a mapping that is not known (a dict from a library not evaluated): the mapping becomes one
      // whose other keys are not known and this one is (etools: db_config['ENGINE'] = 'django_tenants…')
      if (c.kind === 'unknown' && k.kind === 'str') {
        const d = dict([[k, v]]);
        d.inexact = c;
        if (rebind(it, t.value, d, f, loc)) return;
      }
      it.setItem(c, k, v, loc);
      return;
    }
    case 'Attribute': {
      const o = it.eval(t.value, f);
      if (o.kind === 'instance') o.attrs.set(t.attr, v);
      else if (o.kind === 'class') o.ns.set(t.attr, v);
      else if (o.kind === 'module' && o.ns) o.ns.vars.set(t.attr, v);
      else if (o.kind === 'obj') o.attrs.set(t.attr, v);
      return;
    }
    default:
      return;
  }
}

/**
 * `x = value` for a name, or `parent[key] = value` where the parent is a known dict: what a mapping that was not
 * known becomes once a key is set in it. False for any other target (nothing rebound).
 */
function rebind(it: Evaluator, target: A.Expr, v: Value, f: Frame, loc: Loc): boolean {
  if (target.type === 'Name') { it.assign(target, v, f, loc); return true; }
  if (target.type === 'Subscript') {
    const parent = it.eval(target.value, f);
    const key = it.eval(target.slice, f);
    // (an entry that was there keeps its place: `DATABASES["default"]["CONN_MAX_AGE"] = 0` on an entry read from a
    // variable refines that entry, whose definition is where it was set; kitsune's alias was shown at this line)
    if (parent.kind === 'dict' && key.kind === 'str') return dictSet(parent, key, v, parent.map.get(hashKey(key)!)?.loc ?? loc);
  }
  return false;
}

/**
 * `x.update({...})` / `x.update(KEY=…)` on a mapping that is not known (HOPE: RO = env.db(…); RO.update({"ENGINE": …,
 * "TEST": {"MIRROR": "default"}})): it becomes a mapping with those keys known. False when `e` is no such call.
 */
function updateOfUnknown(it: Evaluator, e: A.Expr, f: Frame, loc: Loc): boolean {
  if (e.type !== 'Call' || e.func.type !== 'Attribute' || e.func.attr !== 'update' || e.args.length > 1) return false;
  if (e.func.value.type !== 'Name' && e.func.value.type !== 'Subscript') return false;
  const c = it.eval(e.func.value, f);
  if (c.kind !== 'unknown') return false;
  const entries: [Value, Value][] = [];
  if (e.args[0]) {
    const a = it.eval(e.args[0], f);
    if (a.kind !== 'dict' || a.inexact) return false;
    for (const x of a.map.values()) entries.push([x.k, x.v]);
  }
  for (const k of e.keywords) {
    if (k.arg === null) return false;
    entries.push([str(k.arg), it.eval(k.value, f)]);
  }
  const d = dict(entries);
  d.inexact = c;
  return rebind(it, e.func.value, d, f, loc);
}

export function setItem(it: Evaluator, c: Value, k: Value, v: Value, loc: Loc): void {
  if (c.kind === 'obj' && isConfigparserObj(c)) { configparserSetItem(c, k, v, loc); return; }
  if (c.kind === 'dict') {
    if (!dictSet(c, k, v, loc)) c.inexact = unknown(k.kind === 'unknown' ? `a key that is not known was set: ${k.reason}` : `a key that is not known (${repr(k)}) was set`, k.kind === 'unknown' ? k.loc ?? loc : loc);
    return;
  }
  if (c.kind === 'list') {
    if (k.kind === 'num' || k.kind === 'bool') {
      const n = k.kind === 'num' ? k.v : k.v ? 1 : 0;
      const i = n < 0 ? c.items.length + n : n;
      if (i < 0 || i >= c.items.length) throw new PyErr('IndexError', 'list assignment index out of range', loc);
      c.items[i] = v;
      return;
    }
    const u = k.kind === 'unknown' ? k : unknown(`list item set with ${repr(k)}`, loc);
    for (let i = 0; i < c.items.length; i++) c.items[i] = u;
    return;
  }
  if (c.kind === 'obj' && c.type === 'globals') {
    // globals()[name] = value
    const ns = c.data as Namespace;
    if (k.kind === 'str') ns.vars.set(k.v, v);
    else ns.starUnknown = { reason: `globals() set with ${k.kind === 'unknown' ? k.reason : repr(k)}`, loc };
    return;
  }
  if (c.kind === 'obj' && c.type === 'os.environ') {
    const ks = pyStr(k);
    const vs = v.kind === 'str' ? v.v : undefined;
    if (ks !== null && k.kind === 'str') it.env[ks] = vs;
    return;
  }
  if (c.kind === 'unknown') return;
  if (c.kind === 'str' || c.kind === 'tuple' || c.kind === 'num') throw new PyErr('TypeError', `'${typeName(c)}' object does not support item assignment`, loc);
}

export function mergeVarsAll(states: Map<string, Value>[], reason: string, loc: Loc | undefined, choices = false): Map<string, Value> {
  let acc = states[0]!;
  for (let i = 1; i < states.length; i++) acc = mergeVars(acc, states[i]!, reason, loc, choices);
  return acc;
}

function mergeVars(a: Map<string, Value>, b: Map<string, Value>, reason: string, loc: Loc | undefined, choices: boolean): Map<string, Value> {
  if (a === b) return a;
  const out = new Map<string, Value>();
  // one memo for the whole state: objects several names hold are merged once, into one object
  const memo: MergeMemo = new Map();
  for (const [k, v] of a) {
    const o = b.get(k);
    out.set(k, o === undefined ? unknown(`${reason} (${k} is set on one path only)`, loc) : v === o ? v : mergeValues(v, o, reason, loc, 0, choices, memo));
  }
  for (const [k] of b) if (!a.has(k)) out.set(k, unknown(`${reason} (${k} is set on one path only)`, loc));
  return out;
}

/** Statements of a body, nested blocks included (not nested functions/classes). */
export function* walkStmts(body: A.Stmt[]): Generator<A.Stmt> {
  for (const s of body) {
    yield s;
    switch (s.type) {
      case 'If': case 'For': case 'While':
        yield* walkStmts(s.body); yield* walkStmts(s.orelse); break;
      case 'With':
        yield* walkStmts(s.body); break;
      case 'Try':
        yield* walkStmts(s.body);
        for (const h of s.handlers) yield* walkStmts(h.body);
        yield* walkStmts(s.orelse); yield* walkStmts(s.finalbody); break;
      case 'Match':
        for (const c of s.cases) yield* walkStmts(c);
        break;
      default:
        break;
    }
  }
}

/** Names a statement (and nested blocks) may bind; mutated containers (`x[k] = …`, `x.append(…)`) count too. */
export function assignedNames(stmts: A.Stmt[]): Set<string> {
  const out = new Set<string>();
  const target = (t: A.Expr): void => {
    if (t.type === 'Name') out.add(t.id);
    else if (t.type === 'Tuple' || t.type === 'List') t.elts.forEach(target);
    else if (t.type === 'Starred') target(t.value);
    else if (t.type === 'Subscript' || t.type === 'Attribute') {
      let b: A.Expr = t.value;
      while (b.type === 'Subscript' || b.type === 'Attribute') b = b.value;
      if (b.type === 'Name') out.add(b.id);
    }
  };
  for (const s of walkStmts(stmts)) {
    switch (s.type) {
      case 'Assign': s.targets.forEach(target); break;
      case 'AnnAssign': case 'AugAssign': target(s.target); break;
      case 'For': target(s.target); break;
      case 'With': for (const item of s.items) if (item.target) target(item.target); break;
      case 'Import': for (const a of s.names) out.add(a.asname ?? a.name.split('.')[0]!); break;
      case 'ImportFrom': for (const a of s.names) if (a.name !== '*') out.add(a.asname ?? a.name); break;
      case 'FunctionDef': case 'ClassDef': out.add(s.name); break;
      case 'Delete': s.targets.forEach(target); break;
      case 'Try': for (const h of s.handlers) if (h.name) out.add(h.name); break;
      case 'Expr': {
        // x.append(...), x.update(...), x.setdefault(...)
        const v = s.value;
        if (v.type === 'Call' && v.func.type === 'Attribute') target(v.func);
        break;
      }
      default: break;
    }
  }
  return out;
}

/** Make every name a statement may bind unknown (its effect could not be evaluated). */
export function havocStmt(_i: Evaluator, s: A.Stmt, f: Frame, u: UnknownV): void {
  for (const n of assignedNames([s])) {
    if (f.globalNames?.has(n)) f.globals.vars.set(n, u);
    else f.scope.vars.set(n, u);
  }
}

/**
 * A module-level statement that raised on every path (Django stops there), read on as if it had not: like
 * havocStmt, but an item set in a known dict (`DATABASES["replica"] = postgres_config(host)`, nested keys too) makes
 * that key unknown and keeps the others, and `.append`/`.extend`/`.update`… of a known list or dict keeps its known
 * items (the collection may hold more). havocStmt made the whole name unknown: PostHog's DATABASES lost `default`
 * when its replica's entry raised.
 */
export function havocStmtKeeping(it: Evaluator, s: A.Stmt, f: Frame, u: UnknownV): void {
  const vars = (n: string) => (f.globalNames?.has(n) ? f.globals.vars : f.scope.vars);
  const whole = new Set<string>();
  // per name, the changes to its value: a key path made unknown, or `more` for a collection that grew
  const parts = new Map<string, (string[] | 'more')[]>();
  const constKey = (e: A.Expr): string | null => (e.type === 'Constant' && typeof e.value === 'string' ? e.value : null);
  const target = (t: A.Expr): void => {
    if (t.type === 'Name') { whole.add(t.id); return; }
    if (t.type === 'Tuple' || t.type === 'List') { t.elts.forEach(target); return; }
    if (t.type === 'Starred') { target(t.value); return; }
    // NAME["a"]["b"] = …: the key path ["a", "b"]
    const keys: string[] = [];
    let b: A.Expr = t;
    while (b.type === 'Subscript') {
      const k = constKey(b.slice as A.Expr);
      if (k === null) break;
      keys.unshift(k);
      b = b.value;
    }
    if (b.type === 'Name' && keys.length && t.type === 'Subscript') { (parts.get(b.id) ?? parts.set(b.id, []).get(b.id)!).push(keys); return; }
    let base: A.Expr = t;
    while (base.type === 'Subscript' || base.type === 'Attribute') base = base.value;
    if (base.type === 'Name') whole.add(base.id);
  };
  const GROW = new Set(['append', 'extend', 'insert', 'update', 'setdefault', 'add']);
  for (const x of walkStmts([s])) {
    switch (x.type) {
      case 'Assign': x.targets.forEach(target); break;
      case 'AnnAssign': case 'AugAssign': target(x.target); break;
      case 'Expr': {
        const v = x.value;
        if (v.type === 'Call' && v.func.type === 'Attribute' && v.func.value.type === 'Name' && GROW.has(v.func.attr)) {
          const n = v.func.value.id;
          (parts.get(n) ?? parts.set(n, []).get(n)!).push('more');
        } else if (v.type === 'Call' && v.func.type === 'Attribute') target(v.func);
        break;
      }
      // (the statements in a compound statement's blocks come one by one from walkStmts: only its own names here)
      case 'For': target(x.target); break;
      case 'With': for (const item of x.items) if (item.target) target(item.target); break;
      case 'Try': for (const h of x.handlers) if (h.name) whole.add(h.name); break;
      case 'Import': case 'ImportFrom': case 'FunctionDef': case 'ClassDef': case 'Delete':
        for (const n of assignedNames([x])) whole.add(n);
        break;
      default: break;
    }
  }
  for (const n of whole) vars(n).set(n, u);
  for (const [n, changes] of parts) {
    if (whole.has(n)) continue;
    let v: Value | undefined = vars(n).get(n);
    for (const c of changes) v = v && keepingKnown(v, c, u);
    vars(n).set(n, v ?? u);
  }
}

/** A copy of `v` with the key path made unknown, or marked as holding more ('more'); undefined where not known. */
function keepingKnown(v: Value, change: string[] | 'more', u: UnknownV): Value | undefined {
  if (change === 'more') {
    if (v.kind === 'list' || v.kind === 'set') return { ...v, items: [...v.items], more: u, moreAnywhere: true };
    if (v.kind === 'dict') return { ...v, map: new Map(v.map), inexact: u };
    return undefined;
  }
  if (v.kind !== 'dict') return undefined;
  const [k, ...rest] = change;
  const out: DictV = { ...v, map: new Map(v.map) };
  const key = str(k!);
  if (!rest.length) { dictSet(out, key, u); return out; }
  const inner = dictGet(v, key);
  const next = inner && keepingKnown(inner, rest, u);
  dictSet(out, key, next ?? u);
  return out;
}

/** Does an `except` clause (syntactically) catch ImportError? */
/** Whether a handler catches FileNotFoundError (open() of a file that is not there). */
function catchesFileError(t: A.Expr | null): boolean {
  if (!t) return true;
  if (t.type === 'Tuple') return t.elts.some(catchesFileError);
  const n = t.type === 'Name' ? t.id : t.type === 'Attribute' ? t.attr : '';
  return ['FileNotFoundError', 'IOError', 'OSError', 'EnvironmentError', 'Exception', 'BaseException'].includes(n);
}

function catchesImportError(t: A.Expr | null): boolean {
  if (!t) return true;
  if (t.type === 'Tuple') return t.elts.some(catchesImportError);
  const n = t.type === 'Name' ? t.id : t.type === 'Attribute' ? t.attr : '';
  return n === 'ImportError' || n === 'ModuleNotFoundError' || n === 'Exception' || n === 'BaseException';
}
