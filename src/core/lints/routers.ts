// The shape of each router's allow_migrate (issue "Migration authoring", item 3). Django calls
// `allow_migrate(db, app_label, model_name=…, **hints)` and always passes hints (`model=` for model operations,
// RunPython/RunSQL's `hints`): django/db/utils.py ConnectionRouter.allow_migrate_model. A method without
// `**hints`, or the pre-1.8 `allow_migrate(self, db, model)`, raises TypeError during `migrate`.
import type * as A from '../python/ast';
import type { ModuleIndex } from '../python/modules';
import { walkStatements } from '../python/parse';
import type { Finding, SettingsInfo } from '../types';

function isStatic(fn: A.FunctionDef): boolean {
  return fn.decorators.some(d => d.type === 'Name' && d.id === 'staticmethod');
}

/** Whether a module's top level may bind `name` (a class, an assignment, an import; a star import may bind anything). */
function definesName(mod: A.Module, name: string): boolean {
  for (const s of walkStatements(mod.body)) {
    if ((s.type === 'ClassDef' || s.type === 'FunctionDef') && s.name === name) return true;
    if (s.type === 'Assign' && s.targets.some(t => t.type === 'Name' ? t.id === name : t.type === 'Tuple')) return true;
    if (s.type === 'AnnAssign' && s.target.type === 'Name' && s.target.id === name) return true;
    if ((s.type === 'Import' || s.type === 'ImportFrom') && s.names.some(a => a.name === '*' || (a.asname ?? a.name.split('.')[0]) === name)) return true;
    if (s.type === 'Global' || s.type === 'OtherStmt') return true;
  }
  return mod.problems.length > 0; // a line skipped for a syntax error may have defined it
}

/** The last top-level assignment of DATABASE_ROUTERS in the settings file (where the entry is written). */
function routersLine(modules: ModuleIndex, settings: SettingsInfo): number | null {
  const mod = settings.path ? modules.parseFile(settings.path) : null;
  let line: number | null = null;
  for (const s of mod ? walkStatements(mod.body) : []) {
    if ((s.type === 'Assign' && s.targets.some(t => t.type === 'Name' && t.id === 'DATABASE_ROUTERS')) ||
      ((s.type === 'AugAssign' || s.type === 'AnnAssign') && s.target.type === 'Name' && s.target.id === 'DATABASE_ROUTERS')) line = s.line;
  }
  return line;
}

export function routerShapeFindings(modules: ModuleIndex, settings: SettingsInfo): Finding[] {
  const out: Finding[] = [];
  for (const dotted of settings.routers) {
    if (!dotted) continue;
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
    const fn = cls?.body.find((s): s is A.FunctionDef => s.type === 'FunctionDef' && s.name === 'allow_migrate');
    if (!cls || !fn) continue; // inherited or absent: nothing to read here
    const params = [...fn.args.posonly, ...fn.args.args].map(a => a.name).slice(isStatic(fn) ? 0 : 1);
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
