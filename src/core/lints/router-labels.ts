// App labels in routers that no installed app has: `route_app_labels = {"auth", "contenttype"}` (Django's own
// example router, one letter off), `if app_label == "analytic":`, `model._meta.app_label in ANALYTICS_APPS`. The
// comparison never matches, so the models the router was written to place are decided by the next router or fall
// through to "allow" on every database, and their queries go to `default`. Reported where the string is one or two
// edits from an installed app's label (a label no app is near may be one of other settings' apps: left alone), with
// a quick fix to that label.
import type * as A from '../python/ast';
import type { ModuleIndex } from '../python/modules';
import type { FuncV } from '../python/values';
import type { AppInfo, Finding, FindingFix, SettingsInfo } from '../types';
import { readText } from '../vfs';
import { closestAlias, literalSpan } from './aliases';
import { childExprs, stmtParts } from './walk';

/** String literals by name: a class body's or a module's top-level assignments of a string or a literal collection of them. */
type Constants = Map<string, A.Constant[]>;

function constantsOf(body: A.Stmt[]): Constants {
  const out: Constants = new Map();
  for (const st of body) {
    if (st.type !== 'Assign' && st.type !== 'AnnAssign') continue;
    const value = st.value;
    if (!value) continue;
    const lits = stringsOf(value);
    if (!lits) continue;
    const targets = st.type === 'Assign' ? st.targets : [st.target];
    for (const t of targets) if (t.type === 'Name') out.set(t.id, lits);
  }
  return out;
}

/** The string literals of `"x"`, `("a", "b")`, `["a"]`, `{"a"}`, `frozenset({"a"})`, `set(["a"])`; null for anything else. */
function stringsOf(e: A.Expr): A.Constant[] | null {
  if (e.type === 'Constant') return typeof e.value === 'string' ? [e] : null;
  if (e.type === 'Tuple' || e.type === 'List' || e.type === 'Set') {
    const lits = e.elts.filter((x): x is A.Constant => x.type === 'Constant' && typeof x.value === 'string');
    return lits.length === e.elts.length ? lits : null;
  }
  if (e.type === 'Call' && e.func.type === 'Name' && (e.func.id === 'frozenset' || e.func.id === 'set') && e.args.length === 1 && !e.keywords.length) return stringsOf(e.args[0]!);
  return null;
}

/** `<anything>._meta.app_label`, or the app_label parameter of allow_migrate. */
function isLabelExpr(e: A.Expr, labelParam: string | null): boolean {
  if (labelParam && e.type === 'Name' && e.id === labelParam) return true;
  return e.type === 'Attribute' && e.attr === 'app_label' && e.value.type === 'Attribute' && e.value.attr === '_meta';
}

export function routerLabelFindings(
  modules: ModuleIndex, settings: SettingsInfo, apps: AppInfo[], defs: { router: string; method: string; fn: FuncV }[],
): Finding[] {
  // every installed app known by its label: not when INSTALLED_APPS is partly unknown or was not read at all
  if (!apps.length || apps.some(a => a.installed === 'discovered')) return [];
  if (settings.partial?.some(p => p.name === 'INSTALLED_APPS') || settings.unknowns.some(u => u.name === 'INSTALLED_APPS' || u.name === '*')) return [];
  const labels = [...new Set(apps.map(a => a.label))];
  const known = new Set(labels);
  const out: Finding[] = [];
  const classes = new Map<A.ClassDef, { router: string; path: string }>();
  for (const d of defs) {
    const def = d.fn.cls?.def;
    if (def && !classes.has(def)) classes.set(def, { router: d.router, path: d.fn.loc.path });
  }
  const seen = new Set<string>();
  for (const [cls, { router, path }] of classes) {
    let lines: string[] | null = null;
    const mod = modules.parseFile(path);
    const moduleConsts = mod ? constantsOf(mod.body) : new Map<string, A.Constant[]>();
    const classConsts = constantsOf(cls.body);
    /** the literals an operand stands for: written there, or a class attribute / module constant it names */
    const literals = (e: A.Expr): A.Constant[] => {
      const direct = stringsOf(e);
      if (direct) return direct;
      if (e.type === 'Attribute' && e.value.type === 'Name' && (e.value.id === 'self' || e.value.id === 'cls' || e.value.id === cls.name)) return classConsts.get(e.attr) ?? moduleConsts.get(e.attr) ?? [];
      if (e.type === 'Name') return moduleConsts.get(e.id) ?? [];
      return [];
    };
    for (const fn of cls.body) {
      if (fn.type !== 'FunctionDef') continue;
      const params = [...fn.args.posonly, ...fn.args.args].map(a => a.name);
      const isStatic = fn.decorators.some(d => d.type === 'Name' && d.id === 'staticmethod');
      // allow_migrate(self, db, app_label, …)
      const labelParam = fn.name === 'allow_migrate' ? params[isStatic ? 1 : 2] ?? null : null;
      const visit = (e: A.Expr): void => {
        if (e.type === 'Compare') {
          const operands = [e.left, ...e.comparators];
          e.ops.forEach((op, i) => {
            if (op !== '==' && op !== '!=' && op !== 'in' && op !== 'not in') return;
            const [a, b] = [operands[i]!, operands[i + 1]!];
            const other = isLabelExpr(a, labelParam) ? b : isLabelExpr(b, labelParam) && (op === '==' || op === '!=') ? a : null;
            if (other) for (const lit of literals(other)) check(lit);
          });
        }
        for (const c of childExprs(e)) visit(c);
      };
      const check = (lit: A.Constant): void => {
        const label = lit.value as string;
        if (known.has(label) || !label) return;
        const suggestion = closestAlias(label, labels);
        if (!suggestion) return;
        // (every literal is in the router's file: the method, the class body or the module's constants)
        const key = `${path}:${lit.line}:${lit.col}`;
        if (seen.has(key)) return;
        seen.add(key);
        lines ??= readText(path).split('\n');
        const span = literalSpan(lit, lines);
        const fix: FindingFix | undefined = span.endCol !== undefined
          ? { title: `Change to '${suggestion}'`, edits: [{ line: span.line, col: span.col, endLine: span.endLine, endCol: span.endCol, text: `${span.quote}${suggestion}${span.quote}` }] }
          : undefined;
        out.push({
          code: 'router-unknown-label', severity: 'warning', path, line: lit.line,
          message: `'${label}' (compared with an app label in ${router}.${fn.name}) is the label of no installed app: the comparison never matches, so the models it was meant to route are decided by the next router, or by Django's default (every database; queries to 'default'). Did you mean '${suggestion}'?`,
          ...(fix ? { fix } : {}),
        });
      };
      const walk = (body: A.Stmt[]): void => {
        for (const st of body) {
          const parts = stmtParts(st);
          parts.exprs.forEach(visit);
          parts.blocks.forEach(walk);
        }
      };
      walk(fn.body);
    }
  }
  return out;
}
