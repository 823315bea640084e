// Static name resolution over the ModuleIndex: what does the name `X` (or the expression `a.b.C`) in module `m`
// refer to? Follows `import`, `from … import …` (relative too), `from … import *` (honouring a literal
// `__all__`), plain aliases (`Base = models.Model`) and submodules, the way Python's import system binds
// names at module level. Used by the apps and models readers to find AppConfig and Model subclasses without
// running any code.
//
// A few names are "well known" and short-circuit resolution (Django's Model, relation fields, AppConfig,
// `django.conf.settings`): they are recognised whether or not Django is installed in the environment, and
// Django's own large modules need not be parsed to find them.
import type * as A from './ast';
import { noteRead } from '../vfs';
import { ModuleIndex } from './modules';

export type Ref =
  /** a class statement somewhere */
  | { kind: 'class'; module: string; name: string; def: A.ClassDef; file: string; key: string }
  /** a module (resolvable) */
  | { kind: 'module'; name: string }
  /** a dotted name we cannot (or need not) look into: an unresolvable module or a well-known name */
  | { kind: 'external'; dotted: string }
  /** a module-level assignment that is not itself a class or module alias */
  | { kind: 'value'; module: string; name: string; expr: A.Expr }
  /** a function definition */
  | { kind: 'function'; module: string; name: string; def: A.FunctionDef };

/** Well-known dotted names → canonical name. Different import paths of the same object map to one canonical. */
export const WELL_KNOWN: Record<string, string> = {
  'django.db.models.Model': 'django.db.models.Model',
  'django.db.models.base.Model': 'django.db.models.Model',
  'django.db.models.ForeignKey': 'django.db.models.ForeignKey',
  'django.db.models.fields.related.ForeignKey': 'django.db.models.ForeignKey',
  'django.db.models.OneToOneField': 'django.db.models.OneToOneField',
  'django.db.models.fields.related.OneToOneField': 'django.db.models.OneToOneField',
  'django.db.models.ManyToManyField': 'django.db.models.ManyToManyField',
  'django.db.models.fields.related.ManyToManyField': 'django.db.models.ManyToManyField',
  'django.db.models.ForeignObject': 'django.db.models.ForeignObject',
  'django.db.models.fields.related.ForeignObject': 'django.db.models.ForeignObject',
  'django.apps.AppConfig': 'django.apps.AppConfig',
  'django.apps.config.AppConfig': 'django.apps.AppConfig',
  'django.conf.settings': 'django.conf.settings',
};

/**
 * Django's own machinery (not its contrib apps): never parsed, any member is reported as `external`
 * `module.member`. Nothing in there is a model or an AppConfig subclass except the well-known names, and
 * these modules are large.
 */
const OPAQUE_PREFIXES = [
  'django.db', 'django.conf', 'django.apps', 'django.utils', 'django.core', 'django.forms', 'django.http',
  'django.template', 'django.views', 'django.urls', 'django.middleware', 'django.test', 'django.dispatch',
  'django.shortcuts', 'django.templatetags', 'django.contrib.admin.options', 'django.contrib.admin.sites',
];
const opaqueCache = new Map<string, boolean>();
export function isOpaqueModule(name: string): boolean {
  // asked for every name lookup in every module: remembered (the answer only depends on the name)
  let hit = opaqueCache.get(name);
  if (hit === undefined) {
    hit = OPAQUE_PREFIXES.some(p => name === p || name.startsWith(p + '.'));
    if (opaqueCache.size < 100_000) opaqueCache.set(name, hit);
  }
  return hit;
}
/**
 * For a function of django.utils.translation that gives one text (`gettext_lazy("x")`, `pgettext("ctx", "x")`), the
 * position of that text among its arguments; null for the others (ngettext's depends on a number). The static
 * evaluator (eval-modules.ts) and the model reader's Meta values (models/index.ts) both read the text as written.
 */
export function translationTextArg(dotted: string): number | null {
  const m = /^django\.utils\.translation\.(u?gettext(?:_lazy|_noop)?|pgettext(?:_lazy)?)$/.exec(dotted);
  return m ? (m[1]!.startsWith('p') ? 1 : 0) : null;
}

const OPAQUE_MODULES = { has: isOpaqueModule };

/**
 * What `from <opaque module> import *` binds, where a module that is read re-exports one: django.db.models' `__all__`
 * (Django 5.2). GeoDjango's `from django.contrib.gis.db import models` star-imports it: `models.TextChoices` there
 * is Django's, not a base that "could not be resolved" (bustimes.org's vehicle type choices were read as models).
 */
const OPAQUE_EXPORTS: Record<string, ReadonlySet<string>> = {
  'django.db.models': new Set([
  'Aggregate', 'AutoField', 'Avg', 'BLANK_CHOICE_DASH', 'BaseConstraint', 'BigAutoField', 'BigIntegerField',
  'BinaryField', 'BooleanField', 'CASCADE', 'Case', 'CharField', 'CheckConstraint', 'Choices',
  'CommaSeparatedIntegerField', 'CompositePrimaryKey', 'Count', 'DEFERRED', 'DO_NOTHING', 'DateField',
  'DateTimeField', 'DecimalField', 'Deferrable', 'DurationField', 'EmailField', 'Empty', 'Exists', 'Expression',
  'ExpressionList', 'ExpressionWrapper', 'F', 'Field', 'FileField', 'FilePathField', 'FilteredRelation',
  'FloatField', 'ForeignKey', 'ForeignObject', 'ForeignObjectRel', 'Func', 'GeneratedField', 'GenericIPAddressField',
  'IPAddressField', 'ImageField', 'Index', 'IntegerChoices', 'IntegerField', 'JSONField', 'Lookup', 'Manager',
  'ManyToManyField', 'ManyToManyRel', 'ManyToOneRel', 'Max', 'Min', 'Model', 'NOT_PROVIDED', 'NullBooleanField',
  'ObjectDoesNotExist', 'OneToOneField', 'OneToOneRel', 'OrderBy', 'OrderWrt', 'OuterRef', 'PROTECT',
  'PositiveBigIntegerField', 'PositiveIntegerField', 'PositiveSmallIntegerField', 'Prefetch', 'ProtectedError', 'Q',
  'QuerySet', 'RESTRICT', 'RestrictedError', 'RowRange', 'SET', 'SET_DEFAULT', 'SET_NULL', 'SlugField',
  'SmallAutoField', 'SmallIntegerField', 'StdDev', 'Subquery', 'Sum', 'TextChoices', 'TextField', 'TimeField',
  'Transform', 'URLField', 'UUIDField', 'UniqueConstraint', 'Value', 'ValueRange', 'Variance', 'When', 'Window',
  'WindowFrame', 'WindowFrameExclusion', 'aprefetch_related_objects', 'prefetch_related_objects', 'signals',
  ]),
};

type Binding =
  | { type: 'class'; def: A.ClassDef }
  | { type: 'function'; def: A.FunctionDef }
  | { type: 'module'; name: string }
  | { type: 'from'; module: string | null; name: string }
  | { type: 'assign'; expr: A.Expr }
  | { type: 'unknown' };

export interface ModuleScope {
  name: string;
  file: string;
  isPackage: boolean;
  module: A.Module;
  bindings: Map<string, Binding>;
  /** absolute module names of `from m import *`, in order */
  stars: string[];
  /** literal `__all__`, when present */
  all: string[] | null;
}

const MAX_DEPTH = 40;

/**
 * Module scopes by the parse they were made from (ModuleIndex keeps a file's parse while the file is unchanged) and
 * the module's name, file and kind: never changed once made, so tables of later indexes share them.
 */
const SHARED_SCOPES = new WeakMap<A.Module, Map<string, ModuleScope>>();

export class SymbolTable {
  private readonly scopes = new Map<string, ModuleScope | null>();

  constructor(public readonly index: ModuleIndex) {}

  /** Bindings of a module's top level (if/try/with bodies included). Null when the module has no source. */
  scope(moduleName: string): ModuleScope | null {
    const hit = this.scopes.get(moduleName);
    if (hit !== undefined) {
      // a result that read this module depends on its file, however often the scope was asked (core/vfs.ts)
      if (hit) noteRead(hit.file);
      return hit;
    }
    let result: ModuleScope | null = null;
    const r = this.index.resolve(moduleName);
    if (r?.file) {
      const mod = this.index.parseFile(r.file);
      if (mod) {
        const isPackage = r.packageDir !== null;
        // the same parse of the same module gives the same bindings: another table's (an earlier index's) is reused
        let byModule = SHARED_SCOPES.get(mod);
        if (!byModule) SHARED_SCOPES.set(mod, (byModule = new Map()));
        const key = `${moduleName}\u0000${r.file}\u0000${isPackage}`;
        result = byModule.get(key) ?? null;
        if (!result) {
          result = { name: moduleName, file: r.file, isPackage, module: mod, bindings: new Map(), stars: [], all: null };
          collectBindings(mod.body, result);
          byModule.set(key, result);
        }
      }
    }
    this.scopes.set(moduleName, result);
    return result;
  }

  /** Absolute module name of a (possibly relative) `from` import inside `scope`. */
  absolute(scope: Pick<ModuleScope, 'name' | 'isPackage'>, level: number, module: string | null): string | null {
    return ModuleIndex.absoluteName(scope.name, scope.isPackage, level, module);
  }

  /** What `name` is bound to at the top level of `moduleName` (attribute lookup on the module, then submodule). */
  member(moduleName: string, name: string, depth = 0): Ref | null {
    if (depth > MAX_DEPTH) return null;
    const dotted = `${moduleName}.${name}`;
    const wk = WELL_KNOWN[dotted];
    if (wk) return { kind: 'external', dotted: wk };
    if (OPAQUE_MODULES.has(moduleName)) return { kind: 'external', dotted };
    const scope = this.scope(moduleName);
    if (scope) {
      const b = scope.bindings.get(name);
      if (b) return this.fromBinding(scope, name, b, depth + 1);
      for (let i = scope.stars.length - 1; i >= 0; i--) {
        const starMod = scope.stars[i]!;
        if (!this.exportsName(starMod, name)) continue;
        const r = this.member(starMod, name, depth + 1);
        if (r) return r;
      }
    }
    // `from pkg import sub` / `pkg.sub` after `import pkg.sub`
    const sub = this.index.resolve(dotted);
    if (sub) return { kind: 'module', name: dotted };
    if (!scope && !this.index.resolve(moduleName)) return { kind: 'external', dotted };
    return null;
  }

  /**
   * Where a name used in `moduleName` was imported from, as written (`from pydantic import BaseModel as B` → B is
   * "pydantic.BaseModel"; `import pydantic` → pydantic.BaseModel is itself), whether or not that module can be read.
   */
  importOrigin(moduleName: string, e: A.Expr): string | null {
    const parts: string[] = [];
    let x = e;
    while (x.type === 'Attribute') { parts.unshift(x.attr); x = x.value; }
    if (x.type !== 'Name') return null;
    const scope = this.scope(moduleName);
    const b = scope?.bindings.get(x.id);
    if (!scope || !b) return null;
    if (b.type === 'module') return [b.name, ...parts].join('.');
    if (b.type === 'from') return b.module ? [b.module, b.name, ...parts].join('.') : null;
    return null;
  }

  /** The kind of top-level binding `name` has in `moduleName` (without resolving it), or null. */
  bindingType(moduleName: string, name: string): Binding['type'] | null {
    return this.scope(moduleName)?.bindings.get(name)?.type ?? null;
  }

  /** Whether `from moduleName import *` binds `name`. */
  private exportsName(moduleName: string, name: string): boolean {
    if (OPAQUE_MODULES.has(moduleName)) return WELL_KNOWN[`${moduleName}.${name}`] !== undefined || !!OPAQUE_EXPORTS[moduleName]?.has(name);
    const scope = this.scope(moduleName);
    if (!scope) return !this.index.resolve(moduleName); // unresolvable: assume it may
    if (scope.all) return scope.all.includes(name);
    if (name.startsWith('_')) return false;
    if (scope.bindings.has(name)) return true;
    return scope.stars.some(s => this.exportsName(s, name));
  }

  /** Every name `moduleName` binds at top level (for `inspect.getmembers`-like scans), star imports expanded. */
  memberNames(moduleName: string, seen = new Set<string>()): string[] {
    if (seen.has(moduleName)) return [];
    seen.add(moduleName);
    const scope = this.scope(moduleName);
    if (!scope) return [];
    const names = new Set(scope.bindings.keys());
    for (const s of scope.stars) {
      const starScope = this.scope(s);
      const exported = starScope?.all ?? this.memberNames(s, seen).filter(n => !n.startsWith('_'));
      for (const n of exported) names.add(n);
    }
    return [...names];
  }

  private fromBinding(scope: ModuleScope, name: string, b: Binding, depth: number): Ref | null {
    switch (b.type) {
      case 'class':
        return { kind: 'class', module: scope.name, name: b.def.name, def: b.def, file: scope.file, key: `${scope.file}:${b.def.line}:${b.def.name}` };
      case 'function':
        return { kind: 'function', module: scope.name, name, def: b.def };
      case 'module':
        return this.moduleRef(b.name);
      case 'from': {
        if (!b.module) return null;
        return this.member(b.module, b.name, depth);
      }
      case 'assign': {
        const r = this.expr(scope.name, b.expr, depth);
        if (r) return r;
        return { kind: 'value', module: scope.name, name, expr: b.expr };
      }
      default:
        return null;
    }
  }

  moduleRef(name: string): Ref {
    const wk = WELL_KNOWN[name];
    if (wk) return { kind: 'external', dotted: wk };
    return this.index.resolve(name) || OPAQUE_MODULES.has(name) ? { kind: 'module', name } : { kind: 'external', dotted: name };
  }

  /** Resolve a Name/Attribute expression evaluated at the top level of `moduleName`. */
  expr(moduleName: string, e: A.Expr, depth = 0): Ref | null {
    if (depth > MAX_DEPTH) return null;
    if (e.type === 'Name') {
      return this.member(moduleName, e.id, depth + 1);
    }
    if (e.type === 'Attribute') {
      const base = this.expr(moduleName, e.value, depth + 1);
      if (!base) return null;
      if (base.kind === 'module') return this.member(base.name, e.attr, depth + 1);
      if (base.kind === 'external') {
        const dotted = `${base.dotted}.${e.attr}`;
        return { kind: 'external', dotted: WELL_KNOWN[dotted] ?? dotted };
      }
      if (base.kind === 'class') {
        // a nested class (`Outer.Inner`), e.g. `class Meta(Parent.Meta)`
        for (const s of base.def.body) {
          if (s.type === 'ClassDef' && s.name === e.attr) {
            return { kind: 'class', module: base.module, name: `${base.name}.${s.name}`, def: s, file: base.file, key: `${base.file}:${s.line}:${base.name}.${s.name}` };
          }
        }
        return null;
      }
      return null;
    }
    return null;
  }
}

/** The dotted text of a Name/Attribute chain (`models.ForeignKey`), or null. */
export function dottedName(e: A.Expr): string | null {
  if (e.type === 'Name') return e.id;
  if (e.type === 'Attribute') {
    const v = dottedName(e.value);
    return v === null ? null : `${v}.${e.attr}`;
  }
  return null;
}

/** Is this `if` test `TYPE_CHECKING` / `typing.TYPE_CHECKING` (code that never runs)? */
export function isTypeChecking(test: A.Expr): boolean {
  return (test.type === 'Name' && test.id === 'TYPE_CHECKING') || (test.type === 'Attribute' && test.attr === 'TYPE_CHECKING');
}

function collectBindings(body: A.Stmt[], scope: ModuleScope): void {
  const bind = (name: string, b: Binding) => {
    scope.bindings.set(name, b);
  };
  for (const s of body) {
    switch (s.type) {
      case 'ClassDef':
        bind(s.name, { type: 'class', def: s });
        break;
      case 'FunctionDef':
        bind(s.name, { type: 'function', def: s });
        break;
      case 'Import':
        for (const a of s.names) {
          if (a.asname) bind(a.asname, { type: 'module', name: a.name });
          else {
            const first = a.name.split('.')[0]!;
            bind(first, { type: 'module', name: first });
          }
        }
        break;
      case 'ImportFrom': {
        const mod = ModuleIndex.absoluteName(scope.name, scope.isPackage, s.level, s.module);
        for (const a of s.names) {
          if (a.name === '*') {
            if (mod) scope.stars.push(mod);
            continue;
          }
          bind(a.asname ?? a.name, { type: 'from', module: mod, name: a.name });
        }
        break;
      }
      case 'Assign':
        for (const t of s.targets) {
          if (t.type === 'Name') {
            bind(t.id, { type: 'assign', expr: s.value });
            if (t.id === '__all__') scope.all = stringList(s.value);
          } else if (t.type === 'Tuple' || t.type === 'List') {
            for (const x of t.elts) if (x.type === 'Name') bind(x.id, { type: 'unknown' });
          }
        }
        break;
      case 'AnnAssign':
        if (s.target.type === 'Name' && s.value) bind(s.target.id, { type: 'assign', expr: s.value });
        break;
      case 'AugAssign':
        if (s.target.type === 'Name' && s.target.id === '__all__' && scope.all) {
          const more = stringList(s.value);
          scope.all = more ? [...scope.all, ...more] : null;
        }
        break;
      case 'If':
        if (isTypeChecking(s.test)) break;
        collectBindings(s.body, scope);
        collectBindings(s.orelse, scope);
        break;
      case 'Try': {
        // `try: from x import y / except ImportError: y = None`: the try body normally wins, so handlers only
        // bind names the body did not
        collectBindings(s.body, scope);
        collectBindings(s.orelse, scope);
        const before = new Set(scope.bindings.keys());
        const saved = new Map(scope.bindings);
        for (const h of s.handlers) collectBindings(h.body, scope);
        for (const k of before) scope.bindings.set(k, saved.get(k)!);
        collectBindings(s.finalbody, scope);
        break;
      }
      case 'With':
        collectBindings(s.body, scope);
        break;
      default:
        break;
    }
  }
}

function stringList(e: A.Expr): string[] | null {
  if (e.type !== 'List' && e.type !== 'Tuple') return null;
  const out: string[] = [];
  for (const x of e.elts) {
    if (x.type !== 'Constant' || typeof x.value !== 'string') return null;
    out.push(x.value);
  }
  return out;
}
