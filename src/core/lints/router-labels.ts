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
import { isExternalPath } from '../python/runtime';
import { distance, literalSpan } from './aliases';
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
  // each router class with the classes its evaluated methods are defined in (a base router's methods read the
  // subclass's attributes: `self.route_app_labels` is the router's own where it sets one)
  // (per router: its own class, and each class defining a method of it with that class's file)
  const classes = new Map<string, { router: string; own: { cls: A.ClassDef; path: string } | null; owners: Map<A.ClassDef, string> }>();
  for (const d of defs) {
    const def = d.fn.cls?.def;
    if (!def) continue;
    let c = classes.get(d.router);
    if (!c) classes.set(d.router, (c = { router: d.router, own: routerClass(modules, d.router), owners: new Map() }));
    c.owners.set(def, d.fn.loc.path);
  }
  const seen = new Set<string>();
  const texts = new Map<string, string[]>();
  const linesOf = (file: string): string[] => {
    let l = texts.get(file);
    if (!l) texts.set(file, (l = readText(file).split('\n')));
    return l;
  };
  for (const { router, own, owners } of classes.values()) for (const [cls, path] of owners) {
    // (a router of an installed package: its code is not the project's to change)
    if (isExternalPath(path)) continue;
    const mod = modules.parseFile(path);
    const moduleConsts = mod ? constantsOf(mod.body) : new Map<string, A.Constant[]>();
    const ownConsts = own && own.cls !== cls ? constantsOf(own.cls.body) : new Map<string, A.Constant[]>();
    const classConsts = constantsOf(cls.body);
    /** the literals an operand stands for, and their file: written there, or a class attribute / module constant it names */
    const literals = (e: A.Expr): { lits: A.Constant[]; file: string } => {
      const here = (lits: A.Constant[] | undefined) => ({ lits: lits ?? [], file: path });
      const direct = stringsOf(e);
      if (direct) return here(direct);
      if (e.type === 'Attribute' && e.value.type === 'Name' && (e.value.id === 'self' || e.value.id === 'cls')) {
        // the router's own attribute where it sets one (a subclass of the class whose method reads it)
        if (own && ownConsts.has(e.attr)) return { lits: ownConsts.get(e.attr)!, file: own.path };
        return here(classConsts.get(e.attr) ?? moduleConsts.get(e.attr));
      }
      if (e.type === 'Attribute' && e.value.type === 'Name' && e.value.id === cls.name) return here(classConsts.get(e.attr) ?? moduleConsts.get(e.attr));
      if (e.type === 'Name') return here(moduleConsts.get(e.id));
      return here([]);
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
            if (other) {
              const { lits, file } = literals(other);
              for (const lit of lits) check(lit, op === '!=' || op === 'not in', file);
            }
          });
        }
        for (const c of childExprs(e)) visit(c);
      };
      const check = (lit: A.Constant, negated: boolean, file: string): void => {
        if (isExternalPath(file)) return;
        const label = lit.value as string;
        if (known.has(label) || !label) return;
        const suggestion = closestLabel(label, labels);
        if (!suggestion) return;
        // (the method's file, or the router's own class's where it sets the attribute)
        const key = `${file}:${lit.line}:${lit.col}`;
        if (seen.has(key)) return;
        seen.add(key);
        const span = literalSpan(lit, linesOf(file));
        const fix: FindingFix | undefined = span.endCol !== undefined
          ? { title: `Change to '${suggestion}'`, edits: [{ line: span.line, col: span.col, endLine: span.endLine, endCol: span.endCol, text: `${span.quote}${suggestion}${span.quote}` }] }
          : undefined;
        out.push({
          code: 'router-unknown-label', severity: 'warning', path: file, line: lit.line,
          message: negated
            ? `'${label}' (compared with an app label in ${router}.${fn.name}) is the label of no installed app: the test that an app is not it is true for every app, the one meant included, so that app takes the path written for the others. Did you mean '${suggestion}'?`
            : `'${label}' (compared with an app label in ${router}.${fn.name}) is the label of no installed app: the comparison never matches, so the models it was meant to route are decided by the next router, or by Django's default (every database; queries to 'default'). Did you mean '${suggestion}'?`,
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

/** The installed label at most two edits from `label` (the closest; none when two are as close), or null. */
function closestLabel(label: string, labels: string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  let tie = false;
  for (const l of labels) {
    const d = distance(label.toLowerCase(), l.toLowerCase());
    if (d < bestD) { best = l; bestD = d; tie = false; } else if (d === bestD) tie = true;
  }
  return best !== null && bestD <= 2 && !tie ? best : null;
}

/** The class a DATABASE_ROUTERS entry names, and its file, when its module defines it at top level. */
function routerClass(modules: ModuleIndex, dotted: string): { cls: A.ClassDef; path: string } | null {
  const dot = dotted.lastIndexOf('.');
  const file = dot > 0 ? modules.resolve(dotted.slice(0, dot))?.file : null;
  const mod = file ? modules.parseFile(file) : null;
  const cls = mod?.body.find((s): s is A.ClassDef => s.type === 'ClassDef' && s.name === dotted.slice(dot + 1));
  return cls && file ? { cls, path: file } : null;
}
