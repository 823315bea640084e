// The shape of each router's allow_migrate (issue "Migration authoring", item 3). Django calls
// `allow_migrate(db, app_label, model_name=…, **hints)` and always passes hints (`model=` for model operations,
// RunPython/RunSQL's `hints`): django/db/utils.py ConnectionRouter.allow_migrate_model. A method without
// `**hints`, or the pre-1.8 `allow_migrate(self, db, model)`, raises TypeError during `migrate`.
import type * as A from '../python/ast';
import type { ModuleIndex } from '../python/modules';
import type { Finding, SettingsInfo } from '../types';

function isStatic(fn: A.FunctionDef): boolean {
  return fn.decorators.some(d => d.type === 'Name' && d.id === 'staticmethod');
}

export function routerShapeFindings(modules: ModuleIndex, settings: SettingsInfo): Finding[] {
  const out: Finding[] = [];
  for (const dotted of settings.routers) {
    if (!dotted) continue;
    const dot = dotted.lastIndexOf('.');
    if (dot <= 0) continue;
    const file = modules.resolve(dotted.slice(0, dot))?.file;
    const mod = file ? modules.parseFile(file) : null;
    // an unresolvable router is reported by the routing evaluation (unknown-routing)
    if (!file || !mod) continue;
    const cls = mod.body.find((s): s is A.ClassDef => s.type === 'ClassDef' && s.name === dotted.slice(dot + 1));
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
