// Django's app registry as code asks it (`apps.get_app_configs()`, `apps.get_app_config(label)`): one AppConfig object
// per INSTALLED_APPS entry, made the way Django's AppConfig.create makes it. IETF datatracker's blob router finds the
// apps it routes by `isinstance(config, BlobAppConfig)` among them.
import type { Loc, SettingsInfo } from '../types';
import { PyErr, type Evaluator } from './runtime';
import { type ClassV, type UnknownV, type Value, list, str, unknown } from './values';

/** AppConfig itself, for an entry whose module has no AppConfig of its own (isinstance of a project class: False). */
const BASE_APP_CONFIG: ClassV = { kind: 'class', name: 'AppConfig', module: 'django.apps.config', def: null, ns: new Map(), bases: [], globals: null };

/**
 * The AppConfig objects of INSTALLED_APPS, in order, each an instance of the class Django would use, with its `name`
 * and `label`; unknown when INSTALLED_APPS is not fully known or an entry cannot be followed.
 */
export function appConfigs(it: Evaluator, settings: Pick<SettingsInfo, 'installedApps' | 'partial' | 'path' | 'installedAppsLoc'>): Value {
  const loc: Loc = settings.installedAppsLoc ?? { path: settings.path ?? '', line: 1 };
  const partial = settings.partial?.find(p => p.name === 'INSTALLED_APPS');
  if (partial) return unknown(`the app registry (INSTALLED_APPS is only partly known: ${partial.reason})`, partial.loc ?? loc);
  const out: Value[] = [];
  for (const entry of settings.installedApps) {
    if (entry === null) return unknown('the app registry (an INSTALLED_APPS entry is not known)', loc);
    let config: Value;
    try {
      config = appConfig(it, entry, loc);
    } catch (e) {
      if (e instanceof PyErr) return unknown(`the app registry (INSTALLED_APPS entry ${entry}: ${e.type}: ${e.msg})`, loc);
      throw e;
    }
    if (config.kind === 'unknown') return config;
    out.push(config);
  }
  return list(out);
}

/** AppConfig.create(entry): the module's one AppConfig (or its `default = True` one), else the class the entry names. */
function appConfig(it: Evaluator, entry: string, loc: Loc): Value {
  let cls: ClassV | null = null;
  const asModule = it.index.resolve(entry);
  if (asModule) {
    const appsModule = it.index.resolve(`${entry}.apps`);
    if (appsModule) {
      const m = it.importModule(`${entry}.apps`, loc);
      if (!m.ns) return notEvaluated(entry, str(entry), loc);
      if (m.ns.starUnknown) return unknown(`the app registry (${entry}.apps: ${m.ns.starUnknown.reason})`, loc);
      // inspect.getmembers(mod, inspect.isclass): the classes it defines or imports, AppConfig subclasses other than
      // AppConfig itself, those that say `default = False` left out; one, else the one with `default = True`
      const candidates: ClassV[] = [];
      for (const v of m.ns.vars.values()) {
        if (v.kind !== 'class') continue;
        const kind = appConfigKind(v);
        if (kind === null) return unknown(`the app registry (whether ${v.name} of ${entry}.apps is an AppConfig)`, v.loc ?? loc);
        if (!kind) continue;
        const dflt = flag(it, v, 'default', true);
        if (dflt === null) return unknown(`the app registry (${v.name}.default of ${entry}.apps)`, v.loc ?? loc);
        if (dflt) candidates.push(v);
      }
      if (candidates.length === 1) cls = candidates[0]!;
      else {
        const chosen = candidates.filter(c => flag(it, c, 'default', false) === true);
        if (chosen.length > 1) throw new PyErr('RuntimeError', `${entry}.apps declares more than one default AppConfig`, loc);
        cls = chosen[0] ?? null;
      }
    }
  } else {
    // a dotted path to an AppConfig class
    const dot = entry.lastIndexOf('.');
    if (dot < 0 || !it.index.resolve(entry.slice(0, dot))) return unknown(`the app registry (INSTALLED_APPS entry ${entry} is not found)`, loc);
    const mod = it.importModule(entry.slice(0, dot), loc);
    if (!mod.ns) return notEvaluated(entry, unknown(`the name of ${entry} (not evaluated)`, loc), loc);
    const v = it.moduleAttr(mod, entry.slice(dot + 1), loc, false);
    if (v.kind !== 'class') return unknown(`the app registry (${entry} is not a class here)`, loc);
    cls = v;
  }
  const nameV = cls ? classString(it, cls, 'name', loc) : str(entry);
  if (nameV === undefined) throw new PyErr('ImproperlyConfigured', `'${entry}' must supply a name attribute.`, loc);
  if (nameV.kind !== 'str') return unknown(`the app registry (the name of ${entry})`, loc);
  const labelV = (cls && classString(it, cls, 'label', loc)) ?? str(nameV.v.slice(nameV.v.lastIndexOf('.') + 1));
  if (labelV.kind !== 'str') return unknown(`the app registry (the label of ${entry})`, loc);
  return { kind: 'instance', cls: cls ?? BASE_APP_CONFIG, attrs: new Map([['name', nameV], ['label', labelV]]) };
}

/**
 * The AppConfig of an installed package the evaluation does not read (django.contrib, third-party apps): an instance
 * of a class of its own, which is none of the project's classes (a package does not derive from the project's code),
 * its label not known (a package may set one).
 */
function notEvaluated(entry: string, name: Value, loc: Loc): Value {
  const cls: ClassV = { kind: 'class', name: `AppConfig of ${entry}`, module: 'django.apps.config', def: null, ns: new Map(), bases: [], globals: null };
  return { kind: 'instance', cls, attrs: new Map([['name', name], ['label', unknown(`the label of ${entry} (its AppConfig is not evaluated)`, loc)]]) };
}

/**
 * Whether a base not evaluated is Django's AppConfig (`from django.apps import AppConfig`, a module of Django the
 * evaluation does not read): a plain class, no metaclass deciding isinstance.
 */
export function isAppConfigBase(base: UnknownV): boolean {
  return /\bAppConfig\b/.test(base.reason);
}

/** Whether `cls` derives from Django's AppConfig: true, false, or null (a base that is not known). */
function appConfigKind(cls: ClassV): boolean | null {
  if (!cls.opaqueBase) return false;
  return isAppConfigBase(cls.opaqueBase) ? true : null;
}

/** A class attribute read as a flag (`default`), `dflt` when it is not set; null when it is not known. */
function flag(it: Evaluator, cls: ClassV, name: string, dflt: boolean): boolean | null {
  const a = it.classAttr(cls, name);
  if (!a) return dflt;
  return a.value.kind === 'bool' ? a.value.v : null;
}

/** A class attribute (`name`, `label`): undefined when the class does not set it. */
function classString(it: Evaluator, cls: ClassV, name: string, loc: Loc): Value | undefined {
  const a = it.classAttr(cls, name);
  if (a) return a.value;
  return cls.opaqueBase && !isAppConfigBase(cls.opaqueBase) ? unknown(`${cls.name}.${name}`, loc) : undefined;
}
