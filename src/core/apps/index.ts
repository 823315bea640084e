// INSTALLED_APPS → app configs, following Django 5.2's `AppConfig.create` (django/apps/config.py) statically:
//
// - an entry that is an importable module is an app module; if `<entry>.apps` exists, the AppConfig
//   subclasses it binds (`inspect.getmembers(mod, inspect.isclass)`, so imported ones too) are the
//   candidates: those without `default = False`; exactly one → it; else the single one with `default = True`
//   (more than one → Django raises); else the plain AppConfig with `name = entry`;
// - otherwise the entry is the dotted path of an AppConfig subclass, whose `name` attribute names the app
//   module;
// - `label` is the class attribute (inherited too) or the last component of `name`.
//
// Migrations module: `MigrationLoader.migrations_module`: MIGRATION_MODULES[label] when the label is a key
// (None disables migrations), else `<app name>.migrations`.
import * as path from 'path';
import type * as A from '../python/ast';
import type { ModuleIndex } from '../python/modules';
import { literalEval } from '../python/literal';
import { SymbolTable, type Ref } from '../python/symbols';
import type { AppInfo, SettingsInfo } from '../types';
import { isWorkspaceFile } from '../models';

export interface AppProblem {
  /** the INSTALLED_APPS entry as written ("<unknown>" for entries that are not statically known) */
  entry: string;
  message: string;
  /** said for the record (an info), not a problem of the entry */
  info?: true;
  /** Django refuses these settings (Apps.populate raises ImproperlyConfigured) */
  fatal?: true;
  /** read as Django before 3.2 reads it: Django 3.2 and later refuse it with this message */
  refusedSince32?: string;
}

export interface AppsResult {
  apps: AppInfo[];
  problems: AppProblem[];
}

type ClassRef = Extract<Ref, { kind: 'class' }>;

const APP_CONFIG = 'django.apps.AppConfig';

export function resolveApps(index: ModuleIndex, settings: SettingsInfo, root: string): AppsResult {
  const sym = new SymbolTable(index);
  const apps: AppInfo[] = [];
  const problems: AppProblem[] = [];
  const labels = new Map<string, string>();
  const names = new Map<string, string>();
  /** labels taken by entries whose label is a guess */
  const guessed = new Set<string>();

  for (const entry of settings.installedApps) {
    if (entry === null) {
      problems.push({ entry: '<unknown>', message: 'an INSTALLED_APPS entry could not be evaluated statically; its models and migrations are not read' });
      continue;
    }
    const created = create(sym, entry);
    if ('error' in created) {
      problems.push({ entry, message: created.error });
      continue;
    }
    for (const note of created.notes) problems.push({ entry, message: note });
    for (const note of created.infos ?? []) problems.push({ entry, message: note, info: true, ...(created.refusedSince32 ? { refusedSince32: created.refusedSince32 } : {}) });
    const { name, configPath } = created;
    let { label } = created;
    // Apps.populate: labels and names must be unique, or Django refuses to start (ImproperlyConfigured)
    if (labels.has(label)) {
      const other = labels.get(label)!;
      if (created.labelGuessed || guessed.has(label)) {
        // a label not known for certain: not a duplicate Django would see, most likely; the entry is kept under its
        // module's name
        const own = name.replace(/\./g, '_');
        problems.push({ entry, message: `its label is not known statically (its AppConfig derives from a class of a package that is not installed, which may set it); '${label}' is already ${other}'s, so the label '${own}' is used here`, info: true });
        label = own;
      } else {
        problems.push({ entry, message: `Application labels aren't unique, duplicates: ${label} (also ${other}): Django refuses to start (ImproperlyConfigured), so every manage.py command fails; this entry is left out here`, fatal: true });
        continue;
      }
    }
    if (names.has(name)) {
      problems.push({ entry, message: `Application names aren't unique, duplicates: ${name}: Django refuses to start (ImproperlyConfigured), so every manage.py command fails; this entry is left out here`, fatal: true });
      continue;
    }
    labels.set(label, entry);
    if (created.labelGuessed) guessed.add(label);
    names.set(name, entry);

    const mod = index.resolve(name);
    const dir = mod ? mod.packageDir ?? (mod.file ? path.dirname(mod.file) : null) : null;

    let migrationsModule: string | null;
    if (Object.prototype.hasOwnProperty.call(settings.migrationModules, label)) migrationsModule = settings.migrationModules[label] ?? null;
    else migrationsModule = `${name}.migrations`;
    let migrationsDir: string | null = null;
    if (migrationsModule) {
      const m = index.resolve(migrationsModule);
      migrationsDir = m?.packageDir ?? null;
    }

    const inWorkspace = !!dir && isWorkspaceFile(root, dir);
    apps.push({
      label,
      module: name,
      entry,
      dir: dir ? path.resolve(dir) : null,
      external: !inWorkspace,
      migrationsModule,
      migrationsDir,
      ...(inWorkspace && migrationsDir && !isWorkspaceFile(root, migrationsDir) ? { migrationsExternal: true as const } : {}),
      appConfig: configPath,
    });
  }
  return { apps, problems };
}

type Created = { name: string; label: string; configPath: string; notes: string[]; infos?: string[]; labelGuessed?: true; refusedSince32?: string } | { error: string };

/** `AppConfig.create(entry)` */
function create(sym: SymbolTable, entry: string): Created {
  const notes: string[] = [];
  const infos: string[] = [];
  let cls: ClassRef | null = null;
  let appName: string | null = null;
  /** apps.py has a class whose base is in a package that is not installed: it may be the app's config */
  let maybeConfig = false;
  let refusedSince32: string | undefined;

  if (isIdentifierPath(entry) && sym.index.resolve(entry)) {
    const appsModule = `${entry}.apps`;
    if (sym.index.resolve(appsModule)?.file) {
      const candidates: { name: string; cls: ClassRef }[] = [];
      for (const n of sym.memberNames(appsModule).sort()) {
        // Speed: names imported from elsewhere are only followed when they look like classes (AppConfig
        // subclasses are CamelCase); resolving `from .checks import check_x` would parse whole modules.
        if (!/^_*[A-Z]/.test(n) && sym.bindingType(appsModule, n) !== 'class') continue;
        const r = sym.member(appsModule, n);
        if (r?.kind !== 'class') continue;
        const is = appConfigBase(sym, r);
        if (typeof is === 'string' && r.module === appsModule) maybeConfig = true;
        if (is !== true) continue;
        candidates.push({ name: n, cls: r });
      }
      const withDefault = candidates.filter(c => truthy(classAttr(sym, c.cls, 'default'), true));
      if (withDefault.length === 1) cls = withDefault[0]!.cls;
      else {
        const explicit = withDefault.filter(c => truthy(classAttr(sym, c.cls, 'default'), false));
        if (explicit.length > 1) {
          return { error: `'${appsModule}' declares more than one default AppConfig: ${explicit.map(c => `'${c.name}'`).join(', ')}.` };
        }
        if (explicit.length === 1) cls = explicit[0]!.cls;
      }
    }
    // Django < 3.2 (and, without a default one in apps.py, up to 4.0): the package's `default_app_config`
    if (!cls) {
      const dflt = moduleString(sym, entry, 'default_app_config');
      const dot = dflt?.lastIndexOf('.') ?? -1;
      const r = dflt && dot > 0 ? sym.member(dflt.slice(0, dot), dflt.slice(dot + 1)) : null;
      if (r?.kind === 'class' && isAppConfigSubclass(sym, r)) cls = r;
    }
    if (!cls) appName = entry;
  }

  if (!cls && appName === null) {
    // import_string(entry): "module.ClassName"
    const dot = entry.lastIndexOf('.');
    if (dot > 0) {
      const r = sym.member(entry.slice(0, dot), entry.slice(dot + 1));
      if (r?.kind === 'class') {
        const is = appConfigBase(sym, r);
        // its base's package is not installed: the entry cannot be read here (Django would import it)
        if (typeof is === 'string') return { error: `No module named '${is}' (the package of ${r.name}'s base class)` };
        if (!is) return { error: `'${entry}' isn't a subclass of AppConfig.` };
        cls = r;
      }
    }
    if (!cls) {
      const clsName = entry.slice(dot + 1);
      if (dot > 0 && /^[A-Z]/.test(clsName)) {
        const modPath = entry.slice(0, dot);
        if (!sym.index.resolve(modPath)) return { error: `No module named '${modPath}' (not found in the project or its Python environment)` };
        return { error: `Module '${modPath}' does not contain a '${clsName}' class.` };
      }
      return { error: `No module named '${entry}' (not found in the project or its Python environment)` };
    }
  }

  let configPath = APP_CONFIG;
  if (cls) {
    configPath = `${cls.module}.${cls.name}`;
    // a subclass of one of Django's own configs that names no app of its own (etools-datamart's and Flagsmith's
    // AdminConfig subclasses) is that app, even where Django is not installed to read its name from
    const n = classAttr(sym, cls, 'name') ?? contribApp(sym, cls);
    if (n === undefined) return { error: `'${entry}' must supply a name attribute.` };
    if (typeof n !== 'string') {
      // a computed name: the app module is most likely the package that holds apps.py
      const guess = appName ?? packageOf(cls.module);
      notes.push(`${configPath}.name cannot be evaluated statically; assuming '${guess}'`);
      appName = guess;
    } else appName = n;
  }
  let name = appName!;
  if (!sym.index.resolve(name)) {
    // an AppConfig Django ≥ 3.2 finds in apps.py by itself, whose name is wrong: only a project on an older Django,
    // which does not look there, runs with it, and its app is then the entry's module (giga-maps on Django 2.2)
    if (cls && appName !== entry && sym.index.resolve(entry) && configPath.startsWith(`${entry}.apps.`)) {
      infos.push(`${configPath}.name is '${name}', which cannot be imported: Django 3.2 and later pick this AppConfig and refuse it ("Cannot import '${name}'"); Django before 3.2 does not pick it, and its app is the module '${entry}', as read here`);
      refusedSince32 = `Cannot import '${name}'. Check that '${configPath}.name' is correct.`;
      name = entry;
      cls = null;
      configPath = APP_CONFIG;
    } else {
      // (Django's own app, inherited from its config: Django is not installed here)
      return { error: cls && !name.startsWith('django.') ? `Cannot import '${name}'. Check that '${configPath}.name' is correct.` : `No module named '${name}'` };
    }
  }

  let label = name.slice(name.lastIndexOf('.') + 1);
  let labelGuessed = !cls && maybeConfig;
  if (cls) {
    const l = classAttr(sym, cls, 'label');
    if (typeof l === 'string') label = l;
    else if (l !== undefined) { notes.push(`${configPath}.label cannot be evaluated statically; assuming '${label}'`); labelGuessed = true; }
    // not set by the class or a base that was read: a base from a package that is not installed may set it (Oscar's
    // dashboard configs: `label = 'catalogue_dashboard'`)
    else if (typeof appConfigBase(sym, cls) === 'string') labelGuessed = true;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(label)) return { error: `The app label '${label}' is not a valid Python identifier.` };
  return { name, label, configPath, notes, infos, ...(labelGuessed ? { labelGuessed: true as const } : {}), ...(refusedSince32 ? { refusedSince32 } : {}) };
}

/** `issubclass(c, AppConfig) and c is not AppConfig`, through resolvable bases. */
function isAppConfigSubclass(sym: SymbolTable, c: ClassRef, depth = 0, seen = new Set<string>()): boolean {
  return appConfigBase(sym, c, depth, seen) === true;
}

/**
 * Django's own app configs (django.contrib.auth.apps.AuthConfig, …admin.apps.SimpleAdminConfig): AppConfig subclasses
 * whether Django is installed where the project is read or not (kuma's `UserConfig(AuthConfig)`)
 */
const CONTRIB_CONFIG = /^django\.contrib\.[\w.]+\.apps\.\w+Config$/;

/** The django.contrib app a config class derives from (`…(AdminConfig)` → 'django.contrib.admin'), if it does. */
function contribApp(sym: SymbolTable, c: ClassRef, depth = 0): string | undefined {
  if (depth > 30) return undefined;
  for (const b of c.def.bases) {
    const r = b.type === 'Name' || b.type === 'Attribute' ? sym.expr(c.module, b) : null;
    const dotted = r?.kind === 'external' ? r.dotted : r ? null : sym.importOrigin(c.module, b);
    if (dotted && CONTRIB_CONFIG.test(dotted)) return dotted.replace(/\.apps\.\w+$/, '');
    if (r?.kind === 'class') {
      const up = contribApp(sym, r, depth + 1);
      if (up) return up;
    }
  }
  return undefined;
}

/**
 * true: an AppConfig subclass; false: not one; a string: not known, because a base comes from this package, which is
 * not installed (Nautobot's `NautobotConstanceConfig(ConstanceConfig)` without `constance`).
 */
function appConfigBase(sym: SymbolTable, c: ClassRef, depth = 0, seen = new Set<string>()): boolean | string {
  if (depth > 30 || seen.has(c.key)) return false;
  seen.add(c.key);
  let missing: string | null = null;
  for (const b of c.def.bases) {
    const r = b.type === 'Name' || b.type === 'Attribute' ? sym.expr(c.module, b) : null;
    if (!r) {
      const origin = sym.importOrigin(c.module, b);
      if (origin && CONTRIB_CONFIG.test(origin)) return true;
      const top = origin?.split('.')[0];
      if (top && !sym.index.resolve(top)) missing ??= top;
      continue;
    }
    if (r.kind === 'external' && (r.dotted === APP_CONFIG || /(^|\.)apps\.AppConfig$/.test(r.dotted) || CONTRIB_CONFIG.test(r.dotted))) return true;
    if (r.kind === 'external') {
      const top = r.dotted.split('.')[0]!;
      // (a django.* base other than AppConfig itself, SimpleAdminConfig, is only known once Django is installed)
      if (!sym.index.resolve(top)) missing ??= top;
    }
    if (r.kind === 'class') {
      const up = appConfigBase(sym, r, depth + 1, seen);
      if (up === true) return true;
      if (typeof up === 'string') missing ??= up;
    }
  }
  return missing ?? false;
}

/** A class attribute through the class and its resolvable bases (depth-first, left to right). */
/** A module-level `name = "literal"` of module `module` (the last one at its top level), or null. */
function moduleString(sym: SymbolTable, module: string, name: string): string | null {
  const scope = sym.scope(module);
  let out: string | null = null;
  for (const s of scope?.module.body ?? []) {
    if (s.type === 'Assign' && s.targets.some(t => t.type === 'Name' && t.id === name)) {
      out = s.value.type === 'Constant' && typeof s.value.value === 'string' ? s.value.value : null;
    }
  }
  return out;
}

function classAttr(sym: SymbolTable, c: ClassRef, attr: string, depth = 0, seen = new Set<string>()): unknown {
  if (depth > 30 || seen.has(c.key)) return undefined;
  seen.add(c.key);
  let expr: A.Expr | null = null;
  for (const s of c.def.body) {
    if (s.type === 'Assign') {
      for (const t of s.targets) if (t.type === 'Name' && t.id === attr) expr = s.value;
    } else if (s.type === 'AnnAssign' && s.target.type === 'Name' && s.target.id === attr && s.value) expr = s.value;
  }
  if (expr) return evaluate(sym, c.module, expr);
  for (const b of c.def.bases) {
    const r = b.type === 'Name' || b.type === 'Attribute' ? sym.expr(c.module, b) : null;
    if (r?.kind === 'class') {
      const v = classAttr(sym, r, attr, depth + 1, seen);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

const UNKNOWN = Symbol('unknown');

function evaluate(sym: SymbolTable, module: string, e: A.Expr, depth = 0): unknown {
  const lit = literalEval(e);
  if (lit.ok) return lit.value;
  if (depth > 10) return UNKNOWN;
  // the module's own name (etools: name = __name__.rpartition('.')[0])
  if (e.type === 'Name' && e.id === '__name__') return module;
  // an imported module's name (django-prometheus: name = django_prometheus.__name__)
  if (e.type === 'Attribute' && e.attr === '__name__' && (e.value.type === 'Name' || e.value.type === 'Attribute')) {
    const r = sym.expr(module, e.value);
    if (r?.kind === 'module') return r.name;
  }
  // str.rpartition / partition / rsplit / split (sep, [maxsplit]) then an index: a package's name from __name__
  if (e.type === 'Subscript' && e.value.type === 'Call' && e.value.func.type === 'Attribute' && e.slice.type === 'Constant' && typeof e.slice.value === 'number') {
    const call = e.value;
    const fn = (call.func as A.Attribute).attr;
    const base = evaluate(sym, module, (call.func as A.Attribute).value, depth + 1);
    const sep = call.args[0] ? evaluate(sym, module, call.args[0], depth + 1) : undefined;
    const i = e.slice.value;
    if (typeof base === 'string' && typeof sep === 'string' && sep && Number.isInteger(i)) {
      let parts: string[] | null = null;
      if (fn === 'rpartition') { const at = base.lastIndexOf(sep); parts = at < 0 ? ['', '', base] : [base.slice(0, at), sep, base.slice(at + sep.length)]; }
      else if (fn === 'partition') { const at = base.indexOf(sep); parts = at < 0 ? [base, '', ''] : [base.slice(0, at), sep, base.slice(at + sep.length)]; }
      else if ((fn === 'split' || fn === 'rsplit') && call.args.length === 1) parts = base.split(sep);
      const v = parts ? parts[i < 0 ? parts.length + i : i] : undefined;
      if (v !== undefined) return v;
    }
  }
  if (e.type === 'Name' || e.type === 'Attribute') {
    const r = sym.expr(module, e);
    if (r?.kind === 'value') return evaluate(sym, r.module, r.expr, depth + 1);
  }
  if (e.type === 'BinOp' && e.op === '+') {
    const l = evaluate(sym, module, e.left, depth + 1);
    const r = evaluate(sym, module, e.right, depth + 1);
    if (typeof l === 'string' && typeof r === 'string') return l + r;
  }
  return UNKNOWN;
}

/** `getattr(c, "default", dflt)` read as a bool; an unknown value counts as true (it is set, usually to True). */
function truthy(v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.length > 0;
  return !!v;
}

function packageOf(module: string): string {
  const i = module.lastIndexOf('.');
  return i > 0 ? module.slice(0, i) : module;
}

function isIdentifierPath(s: string): boolean {
  return s.split('.').every(p => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p));
}


