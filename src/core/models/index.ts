// Django models of the installed apps, read statically. Mirrors what importing each app's `models` module
// does in Django 5.2: `ModelBase.__new__` (django/db/models/base.py) and `Options.contribute_to_class`
// (django/db/models/options.py) decide abstract/proxy/managed/db_table/app_label, which fields a class
// inherits from abstract parents, and the `<parent>_ptr` OneToOneField multi-table inheritance adds.
//
// Which classes are models: every class statement executed while `<app>.models` is imported, i.e. the
// module's top-level classes and, following its imports in order, those of the modules it imports that
// belong to an installed app or to the workspace. A class is a model when one of its bases is
// `django.db.models.Model` or a model (resolved through imports and aliases, in any module).
import { isTrusted, noteDeps, noteRead, readDir, statFile, structureCount, track, unchanged, untracked, type Deps } from '../vfs';
import { sameValue } from '../equal';
import * as path from 'path';
import type * as A from '../python/ast';
import type { ModuleIndex } from '../python/modules';
import { literalEval } from '../python/literal';
import { readPythonFile } from '../python/parse';
import { maxNameLength, truncateName } from '../db/names';
import { SymbolTable, dottedName, isOpaqueModule, isTypeChecking, translationTextArg, type ModuleScope, type Ref } from '../python/symbols';
import { Interp } from '../python/evaluate';
import { settingsEnv, settingsObject, settingsPython } from '../settings';
import type { AppInfo, ModelInfo, RelationField, RelationKind, SettingsInfo } from '../types';

export interface ModelProblem {
  /** 'parse-error' for syntax errors and classes that could not be read */
  code?: 'parse-error';
  path: string | null;
  line: number | null;
  /** "app.Model" when the problem is about one model */
  model?: string;
  message: string;
  /** caused by a package missing from the Python environment (the environment's to fix, an info) */
  environment?: true;
  /** a model whose base class is in a package that is not installed: said once per package (scan.ts) */
  unreadBase?: { base: string; model: string; package: string };
}

export interface ModelsResult {
  models: ModelInfo[];
  problems: ModelProblem[];
}

type ClassRef = Extract<Ref, { kind: 'class' }>;

/** A base of a class: a class we can read, or a dotted name we cannot (`null`: not resolvable at all). */
type Base = { node: ClassNode } | { external: string; text: string } | { unresolved: string; origin?: string | null };

interface FieldSpec {
  name: string;
  kind: RelationKind;
  call: A.Call | null;
  /** module whose names the field's expressions are evaluated in */
  module: string;
  line: number;
  file: string;
  parentLink: boolean;
  /** key of the class that declared it */
  declaredIn: ClassNode;
  /** for `<parent>_ptr` fields made by multi-table inheritance */
  autoTarget?: ClassNode;
  inheritedFrom?: ClassNode;
}

/** Meta options only a Django model has (a class with an unreadable base and one of these is read as a model; not
 * `abstract`, which graphene's Meta has too) */
const MODEL_META_KEYS = new Set(['proxy', 'db_table', 'app_label', 'managed', 'unique_together', 'index_together', 'indexes', 'constraints', 'get_latest_by', 'default_related_name', 'db_table_comment', 'base_manager_name', 'default_manager_name', 'order_with_respect_to', 'swappable',
  // (kuma's DocumentTag(TagBase) has a Meta of verbose_name alone; forms', serializers' and tables' Metas name none of these)
  'verbose_name', 'verbose_name_plural', 'permissions', 'default_permissions', 'db_tablespace', 'required_db_features', 'select_on_save']);

/** simple-history's models per model object (the same objects while the model and the user model are unchanged) */
const HISTORICAL = new WeakMap<ModelInfo, { user: string; models: ModelInfo[] }>();

interface ClassNode {
  ref: ClassRef;
  key: string;
  bases: Base[] | null;
  meta: MetaNode | null | undefined;
  isModel?: boolean;
  /** model by heuristics only (a base could not be resolved) */
  guessed?: string | null;
  mro?: (ClassNode | string)[];
  /**
   * what resolving its bases read (resolved or not: a base whose module was half-typed when it was read is no class,
   * and the model reading it must be read again once the module is whole again)
   */
  basesDeps?: Deps;
  localFields?: FieldSpec[];
  allFields?: FieldSpec[];
  bodyNames?: Set<string>;
  abstract?: boolean;
  label?: string | null;
  proxy?: boolean;
  effMeta?: MetaNode | null;
  /** a subclass of django-typed-models' TypedModel (its metaclass), and the typed base it is a proxy of (typedBase) */
  typed?: boolean;
  typedBase?: ClassNode | null;
  /** a base `Owner.field.through`: the model Django creates for that ManyToManyField (autoThrough) */
  autoThrough?: { key: string; table: string } | null;
}

interface MetaNode {
  def: A.ClassDef;
  module: string;
  /** Django sets `Meta.abstract = False` on an abstract model's Meta after creating the class */
  forceAbstractFalse: boolean;
  own: Map<string, A.Expr>;
  bases: MetaNode[];
  /** a base of the Meta class we could not resolve (attributes may be missing) */
  opaqueBase: boolean;
}

const RELATION_CANONICAL: Record<string, RelationKind> = {
  'django.db.models.ForeignKey': 'ForeignKey',
  'django.db.models.OneToOneField': 'OneToOneField',
  'django.db.models.ManyToManyField': 'ManyToManyField',
};
const MODEL_CANONICAL = 'django.db.models.Model';
/** django-typed-models' base class (ModelIndexer.typedBase) */
const TYPED_MODEL = 'typedmodels.models.TypedModel';
const isTypedModel = (n: ClassNode): boolean => n.ref.module === 'typedmodels.models' && n.ref.name === 'TypedModel';

/**
 * Each model's ModelInfo from an earlier indexModels with the same settings and apps, with the files reading it
 * took (its class's, its bases', the modules its names resolved through): kept while those files are unchanged,
 * so an edit of one models file reads again only the models that depend on it (issue 11).
 */
type MemoEntry = {
  def: A.ClassDef; deps: Deps; info: ModelInfo | null; problems: ModelProblem[]; guessed?: boolean;
  /** the model keys (lower-cased) its relations named that no registered model had: read again once one does */
  misses?: string[];
};

/**
 * What walking a module's top level did, in order: a class statement met (a model or not is decided on each run), or
 * an import followed (the modules it would visit, as `followPlan` gives them). Replayed while the module's parse is
 * the same object and no file was created or deleted: an edit of one models file walks only that file again.
 */
type WalkEvent = { cls: A.ClassDef } | { follow: FollowStep[] };
type FollowStep = [module: string, what: 'visit' | 'skip' | 'stop'];

/** A model's entry in the case-insensitive name index (canonicalModelKey), per memo entry that holds its facts. */
interface NameEntry { lower: string; key: string; file: string; deps?: Deps }
const NAME_ENTRIES = new WeakMap<object, NameEntry>();

/**
 * The reference of each class statement met at a module's top level, kept with the statement while its parse lives:
 * every run meets every class of the project again, and its key made again is a new string, hashed again by every map.
 */
const CLASS_REFS = new WeakMap<A.ClassDef, ClassRef>();

export interface ModelMemo {
  /** the settings of the last run (what the next one compares its own with) */
  settings?: SettingsInfo;
  apps?: AppInfo[];
  entries: Map<string, MemoEntry>;
  /** each module's walk (see WalkEvent), with the same lifetime as `entries` */
  walks?: Map<string, { module: A.Module; structure: number; events: WalkEvent[] }>;
  /** the names of the settings (`settings.X`) the entries read, besides the module's name and AUTH_USER_MODEL */
  settingsRead?: Set<string>;
  /** ModelReader.submodules' answers (per folder, package and depth), with the structure count they hold for */
  submodules?: Map<string, { structure: number; index: ModuleIndex; out: string[]; dirs: string[] }>;
  /**
   * One Deps object per distinct set of files read (see internDeps): the models of one module mostly read the same
   * files, and a run checks and notes each distinct set once instead of once per model.
   */
  depsByKey?: Map<string, Deps>;
  /** what the last run (or patch) found, for the next one to patch (ModelReader.patch) */
  last?: LastRun;
}

interface VisitEnd { at: number; seq: number; file: string }

/** What a patch has of LastRun's per-position parts already (keepRun makes the others). */
type KeptRun = Pick<LastRun, 'entries'> & Partial<Pick<LastRun, 'byDeps' | 'modelAt'>>;

/**
 * What the last indexModels of a memo found, for ModelReader.patch: the classes registered, in order, with their facts
 * and memo entries; where each module's walk ended; the problems met before the registry was built.
 */
interface LastRun {
  structure: number;
  index: ModuleIndex;
  apps: AppInfo[];
  result: ModelsResult;
  refs: ClassRef[];
  infos: (ModelInfo | null)[];
  entries: MemoEntry[];
  preProblems: ModelProblem[];
  visitEnds: Map<string, VisitEnd>;
  /** the module each walked file was walked as */
  moduleOfFile: Map<string, string>;
  /** the positions (in `refs`) of the entries that share each Deps object */
  byDeps: Map<Deps, number[]>;
  /** where each position's model is in `result.models` (-1: not there, a conflict or an abstract model) */
  modelAt: Int32Array;
  nameIndex: Map<string, NameEntry> | null;
  unresolvedBases: Set<string>;
  canonicalMisses: Set<string>;
}

/**
 * `deps` as the memo's object with the same files, directories and structure count (a new one is kept), so that
 * entries reading the same files share it. Deps with functions run (`shapes`: their file keys are updated by the
 * check) stay their own.
 */
function internDeps(memo: ModelMemo, deps: Deps): Deps {
  if (deps.shapes) return deps;
  let key = `${deps.structure}`;
  for (const [f, k] of deps.files) key += `\u0000${f}\u0001${k ?? ''}`;
  key += '\u0002';
  for (const [d, k] of deps.dirs) key += `\u0000${d}\u0001${k ?? ''}`;
  const table = (memo.depsByKey ??= new Map());
  const had = table.get(key);
  if (had) return had;
  // (a table grown past twice the entries holds mostly the sets of files before edits: made again from the entries)
  if (table.size > 2 * memo.entries.size + 64) {
    const live = new Set<Deps>([...memo.entries.values()].map(e => e.deps));
    for (const [k, d] of table) if (!live.has(d)) table.delete(k);
  }
  table.set(key, deps);
  return deps;
}

/**
 * Whether the models read with settings `a` (`read`: the names they looked up, ModelMemo.settingsRead) would be read
 * the same with `b`: a settings edit of anything else (DATABASES, say) does not read the models again.
 */
export function sameSettingsForModels(a: SettingsInfo, b: SettingsInfo, read: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (a.module !== b.module || a.authUserModel !== b.authUserModel) return false;
  for (const name of read) if (!sameValue(a.values[name], b.values[name])) return false;
  return true;
}

export function indexModels(index: ModuleIndex, apps: AppInfo[], settings: SettingsInfo, root: string, memo?: ModelMemo): ModelsResult {
  // the entries stay while the apps are the same and so is every setting they read (any name a surviving entry read
  // was read again by this check at every run since, so each entry saw the values these settings have)
  if (memo && (memo.apps !== apps || !memo.settings || !sameSettingsForModels(memo.settings, settings, memo.settingsRead ?? new Set()))) {
    memo.entries.clear();
    memo.walks?.clear();
    memo.submodules?.clear();
    memo.depsByKey?.clear();
    memo.last = undefined;
    memo.apps = apps;
    memo.settingsRead = new Set();
  }
  if (memo) memo.settings = settings;
  return new ModelReader(new SymbolTable(index), apps, settings, root, memo).run();
}

/**
 * indexModels' last result again after an edit of one file, where the edit allows it (ModelReader.patch): the models
 * of that module and those whose facts read it read again, the rest kept without walking the project again. Null:
 * indexModels must run (`prev` is not the memo's last result, the settings or apps differ, or the edit changed what
 * decides which classes are models).
 */
export function patchModels(index: ModuleIndex, apps: AppInfo[], settings: SettingsInfo, root: string, memo: ModelMemo, prev: ModelsResult, changed: readonly string[]): ModelsResult | null {
  const last = memo.last;
  const r = !last || last.result !== prev || memo.apps !== apps || !memo.settings || !sameSettingsForModels(memo.settings, settings, memo.settingsRead ?? new Set())
    ? null
    : new ModelReader(new SymbolTable(index), apps, settings, root, memo).patch(last, changed);
  if (r) memo.settings = settings;
  PATCH_STATS[r ? 'patched' : 'declined']++;
  return r;
}

/** @internal (tests, benchmarks) how many edits patchModels answered, and how many it left to a whole run */
export const PATCH_STATS = { patched: 0, declined: 0 };

/**
 * A django-simple-history model for `info` (HistoricalRecords or register()): `Historical<Model>` in the model's app
 * (or `app=`), its table `<app>_historical<model>` (or `table_name=`), the model's foreign keys copied without
 * constraints and `history_user` to the user model (`user_model=`, else AUTH_USER_MODEL). Null where a name it
 * cannot read decides (a `custom_model_name` function).
 */
function historyModel(info: ModelInfo, kw: (name: string) => A.Expr | undefined, loc: { path: string; line: number }, user: string, appLabel = info.app): ModelInfo | null {
  const lit = (name: string): string | null | undefined => {
    const e = kw(name);
    if (!e) return undefined;
    const v = literalEval(e);
    return v.ok && typeof v.value === 'string' ? v.value : null;
  };
  const custom = lit('custom_model_name'), app = lit('app'), table = lit('table_name'), userArg = lit('user_model');
  if (custom === null || app === null || table === null) return null;
  const name = custom ?? `Historical${info.name}`;
  const label = app ?? appLabel;
  const userModel = userArg ?? (kw('user_model') ? null : user);
  return {
    app: label, name, key: `${label}.${name}`, managed: true, proxy: false, abstract: false, swapped: false,
    table: table ?? `${label}_${name.toLowerCase()}`, modelName: name.toLowerCase(), loc, bases: [],
    fields: [
      ...info.fields.filter(x => x.kind !== 'ManyToManyField' && !x.parentLink).map(x => ({ ...x, kind: 'ForeignKey' as const, dbConstraint: false })),
      ...(userModel ? [{ name: 'history_user', kind: 'ForeignKey' as const, target: userModel, targetRaw: userArg ?? 'settings.AUTH_USER_MODEL', dbConstraint: true, loc }] : []),
    ],
    attrs: {}, meta: {},
  };
}

/** Names of what is no model (a base's or the class's own): serializers, forms, factories, admins, views, tests. */
const NOT_MODEL_NAME = /Serializer|Form|Factory|FilterSet|Admin|Resource|Schema|Table|View|Test/;
/** What a form's or a serializer's Meta names (a model's never does). */
const FORM_META_KEYS = new Set(['model', 'fields', 'exclude']);

/** Django's Model as the evaluator names it where it is imported from (symbols.ts WELL_KNOWN) */
const MODEL_NAMES = ['django.db.models.Model', 'django.db.models.base.Model'];

/** The names a `class Meta:` body assigns. */
function metaKeys(meta: A.ClassDef): string[] {
  return meta.body.flatMap(x => (x.type === 'Assign' ? x.targets.flatMap(t => (t.type === 'Name' ? [t.id] : [])) : []));
}

class ModelReader {
  private readonly nodes = new Map<string, ClassNode>();
  private readonly problems: ModelProblem[] = [];
  private readonly problemKeys = new Set<string>();
  private readonly appsByModule = new Map<string, AppInfo>();
  private readonly labels: Set<string>;
  /** class nodes in registration (import) order */
  private readonly registered: ClassNode[] = [];
  private readonly registeredKeys = new Set<string>();
  private readonly visited = new Set<string>();
  private readonly inProgress = new Set<string>();
  /** where each module's walk ended: how many classes were registered then, and in which order the walks ended */
  private readonly visitEnds = new Map<string, VisitEnd>();
  private visitSeq = 0;
  /** a module was walked that cannot be replayed (an `if` taken by its test): ModelReader.patch does not apply */
  private nonReplayable = false;
  /** the last names of the bases that did not resolve to a class (a class added under one of them may be it) */
  private readonly unresolvedBases = new Set<string>();
  /** the (lower-cased) model keys canonicalModelKey did not find */
  private readonly canonicalMisses = new Set<string>();
  /** those of the model memoModelInfo reads now */
  private missed: string[] | undefined;
  /** a django-simple-history model was made, or register() was called */
  private historiesMade = false;
  private registerCalls = false;

  constructor(
    private readonly sym: SymbolTable,
    private readonly apps: AppInfo[],
    private readonly settings: SettingsInfo,
    private readonly root: string,
    private readonly memo?: ModelMemo,
  ) {
    for (const a of apps) if (!this.appsByModule.has(a.module)) this.appsByModule.set(a.module, a);
    this.labels = new Set(apps.map(a => a.label));
  }

  run(): ModelsResult {
    // Apps.populate imports each app's models module in INSTALLED_APPS order (AppConfig.import_models)
    for (const app of this.apps) {
      const name = `${app.module}.models`;
      const r = this.sym.index.resolve(name);
      if (!r?.file) continue;
      this.visitModule(name);
      // a workspace app's models/ package: its modules hold models even when models/__init__.py does not import them
      // (kpi's languages app: models/language.py, imported by admin.py); Django registers them when anything it
      // imports at start-up does: the app's own modules (admin.py by the admin's autodiscovery, apps.py's ready(),
      // signals). A module nothing imports is never registered (etools-datamart's models/public_old.py beside the
      // public.py its __init__ imports: 242 false conflicts before). A module __init__ imports, in a branch taken or
      // not, is __init__'s to import (django_peeringdb's `if not settings.ABSTRACT_ONLY: from .concrete import *`).
      if (r.packageDir && !app.external) {
        const named = this.importedBy(name);
        const top = (sub: string) => sub.split('.').slice(0, name.split('.').length + 1).join('.');
        const left = this.submodules(r.packageDir, name, 2).filter(sub => !named.has(top(sub)) && !this.visited.has(sub));
        const used = left.length ? this.appImports(app, left) : new Set<string>();
        for (const sub of left) if (used.has(sub)) this.visitModule(sub);
      }
    }
    // a PostGIS database: its backend's operations module imports two unmanaged models of `gis` (geometry_columns,
    // spatial_ref_sys), registered once Django makes the connection (onadata; the other spatial backends import
    // theirs only when asked for them)
    if (this.labels.has('gis') && this.apps.some(a => a.label === 'gis' && a.module === 'django.contrib.gis')
      && this.settings.databases.some(d => d.engine === 'django.contrib.gis.db.backends.postgis')) {
      const name = 'django.contrib.gis.db.backends.postgis.models';
      if (this.sym.index.resolve(name)?.file) this.visitModule(name);
    }
    // a workspace app's other modules named `models` (its `views/models.py`, `export/models.py`): Django registers
    // their models when the app's code imports them at start-up (Baserow: apps.py's ready() imports view_types,
    // which imports views.models: 75 models were missing)
    for (const app of this.apps) {
      if (app.external) continue;
      const dir = this.sym.index.resolve(app.module)?.packageDir;
      if (!dir) continue;
      const own = `${app.module}.models`;
      const depthOf = app.module.split('.').length;
      const candidates = this.submodules(dir, app.module, 4).filter(sub => {
        if (sub === own || sub.startsWith(`${own}.`) || this.visited.has(sub)) return false;
        const rest = sub.split('.').slice(depthOf);
        if (rest.some(p => p === 'tests' || p === 'test' || p === 'migrations' || p.startsWith('test_'))) return false;
        // (a nested app's own models are its own: read in its turn)
        if (this.apps.some(a => a !== app && a.module.startsWith(`${app.module}.`) && sub.startsWith(`${a.module}.`))) return false;
        return rest[rest.length - 1] === 'models' || rest.slice(0, -1).includes('models');
      });
      if (!candidates.length) continue;
      const used = this.appImports(app, candidates);
      for (const sub of candidates) if (used.has(sub)) this.visitModule(sub);
    }

    // each registered class's facts (the problems reading them raised, per class), then the registry Django builds
    // of them in that order; the problems of the second part are said where the first part met them
    const pre = this.problems.length;
    const infos: (ModelInfo | null)[] = [];
    const problemsAt: ModelProblem[][] = [];
    for (const node of this.registered) {
      const before = this.problems.length;
      infos.push(this.memoModelInfo(node));
      problemsAt.push(this.problems.slice(before));
    }
    const preProblems = this.problems.slice(0, pre);
    this.problems.length = pre;
    this.problemKeys.clear();
    for (const p of preProblems) this.problemKeys.add(problemKey(p));
    const refs = this.registered.map(n => n.ref);
    const result: ModelsResult = { models: this.assemble(refs, infos, problemsAt, this.registered).models, problems: inPlaceOrder(this.problems) };
    if (this.memo) {
      dropStaleEntries(this.memo, refs);
      this.keepRun(result, refs, infos, preProblems, this.visitEnds);
    }
    return result;
  }

  /** memo.last for the next run to patch, where it may (see patch). */
  private keepRun(result: ModelsResult, refs: ClassRef[], infos: (ModelInfo | null)[], preProblems: ModelProblem[], visitEnds: Map<string, VisitEnd>,
    before?: LastRun, kept?: KeptRun): void {
    const memo = this.memo!;
    memo.last = undefined;
    if (this.nonReplayable || this.historiesMade || this.registerCalls) return;
    let entries = kept?.entries;
    if (!entries) {
      entries = [];
      for (let i = 0; i < refs.length; i++) {
        const e = memo.entries.get(refs[i]!.key);
        if (!e || e.def !== refs[i]!.def) return;
        entries.push(e);
      }
    }
    let byDeps = kept?.byDeps;
    if (!byDeps) {
      byDeps = new Map();
      for (let i = 0; i < entries.length; i++) {
        const d = entries[i]!.deps;
        const at = byDeps.get(d);
        if (at) at.push(i);
        else byDeps.set(d, [i]);
      }
    }
    let modelAt = kept?.modelAt;
    if (!modelAt) {
      const where = new Map<ModelInfo, number>();
      result.models.forEach((m, i) => where.set(m, i));
      modelAt = new Int32Array(infos.length);
      for (let i = 0; i < infos.length; i++) modelAt[i] = infos[i] ? where.get(infos[i]!) ?? -1 : -1;
    }
    const moduleOfFile = before?.moduleOfFile ?? new Map<string, string>();
    // (a file walked as two modules: '', not patched)
    if (!before) for (const [m, v] of visitEnds) moduleOfFile.set(v.file, moduleOfFile.has(v.file) ? '' : m);
    const union = (a: Set<string> | undefined, b: Set<string>) => {
      if (!a) return new Set(b);
      for (const x of b) a.add(x);
      return a;
    };
    // (what the entries did not find, whether they were read in this run or kept from an earlier one)
    const misses = union(before?.canonicalMisses, this.canonicalMisses);
    for (const e of entries) if (e.misses) for (const l of e.misses) misses.add(l);
    memo.last = {
      structure: structureCount(), index: this.sym.index, apps: this.apps, result, refs, infos, entries, preProblems, visitEnds, moduleOfFile, byDeps, modelAt,
      nameIndex: this.modelNameIndex,
      unresolvedBases: union(before?.unresolvedBases, this.unresolvedBases),
      canonicalMisses: misses,
    };
  }

  /**
   * The last run again after an edit of one file, without walking every module and deciding every class again: where
   * the file is a models module the last run walked (replayably) and the edit left what decides which classes are
   * models, and in which order Django registers them, as it was. That is: the module's top-level statements but
   * functions are the same, but for class bodies (a class's bases, keywords, decorators, nested classes (Meta) and
   * the names its body assigns, with the callables it calls, the same: a field's arguments may change); classes may be
   * added after its last statement; functions may change, or be added or dropped under names the rest of the module
   * does not mention. The module's models and those whose facts read the file are read again (the memo's entries
   * tell), the others kept. Null where this does not apply: the caller runs the whole index.
   */
  patch(last: LastRun, changed: readonly string[]): ModelsResult | null {
    const memo = this.memo;
    if (!memo || changed.length !== 1 || last.structure !== structureCount() || last.index !== this.sym.index || last.apps !== this.apps) return null;
    const file = changed[0]!;
    const name = last.moduleOfFile.get(file);
    const walked = name !== undefined ? memo.walks?.get(name) : undefined;
    const end = name !== undefined ? last.visitEnds.get(name) : undefined;
    if (!name || !walked || !end || walked.structure !== structureCount()) return null;
    const was = walked.module;
    const now = this.sym.index.parseFile(file);
    noteRead(file);
    if (!now || now === was || now.problems.length || was.problems.length || now.limit || was.limit) return null;
    // (an AppConfig's module: its ready() may register models' histories)
    if (this.apps.some(a => a.appConfig && a.appConfig.slice(0, a.appConfig.lastIndexOf('.')) === name)) return null;
    const shape = sameModelShape(was, now);
    const scope = shape && this.sym.scope(name);
    if (!shape || !scope || scope.module !== now) return null;
    // (the modules it imports anywhere: which of its app's modules Django imports at start-up, see run)
    const importsWas = new Set<string>(), importsNow = new Set<string>();
    this.importsOf(was.body, scope, importsWas, true);
    this.importsOf(now.body, scope, importsNow, true);
    if (importsWas.size !== importsNow.size || [...importsNow].some(m => !importsWas.has(m))) return null;
    const defNow = new Map<A.ClassDef, A.ClassDef>(shape.pairs);
    const events: WalkEvent[] = [];
    for (const ev of walked.events) {
      if (!('cls' in ev)) { events.push(ev); continue; }
      const d = defNow.get(ev.cls);
      if (!d) return null;
      events.push({ cls: d });
    }
    for (const c of shape.appended) events.push({ cls: c });

    const refs = last.refs.slice();
    const again = new Set<number>();
    for (let i = 0; i < refs.length; i++) {
      const r = refs[i]!;
      if (r.file !== file) continue;
      const d = defNow.get(r.def);
      if (!d) return null;
      refs[i] = this.classRef(r.module, file, d);
      again.add(i);
    }
    for (const [deps, at] of last.byDeps) if (deps.files.has(file) || deps.shapes?.has(file)) for (const i of at) again.add(i);
    // a class decided by guesses (a base unresolved): decided again, the same way and with the same problem, or the
    // whole index runs
    const said = new Set(last.preProblems.map(problemKey));
    for (const i of again) {
      if (!last.entries[i]!.guessed) continue;
      const node = this.node(refs[i]!);
      const before = this.problems.length;
      if (!this.isModel(node) || !node.guessed || this.problems.slice(before).some(p => !said.has(problemKey(p)))) return null;
    }
    // a function added or dropped under a name a base did not resolve to a class: what that base is changes (a
    // function's name is no class; a name not found may be a guessed model's base)
    if (shape.moved.some(n => last.unresolvedBases.has(n))) return null;
    // the classes added: models, unless one of them may be what a base or a lookup did not find before
    const user = this.settings.authUserModel ?? '';
    const added: ClassNode[] = [];
    const addedKeys: { key: string; lower: string }[] = [];
    for (const c of shape.appended) {
      if (last.unresolvedBases.has(c.name) || user.slice(user.indexOf('.') + 1) === c.name) return null;
      const node = this.node(this.classRef(name, file, c));
      if (!this.isModel(node)) continue;
      const key = this.modelKey(node);
      if (node.guessed || !key) return null;
      const lower = nameKey(key, c.name);
      if (last.canonicalMisses.has(lower)) return null;
      added.push(node);
      addedKeys.push({ key, lower });
    }
    // (undone where the patch gives up: the memo's entries it wrote, the name index it changed)
    const written: string[] = [];
    const named: [string, NameEntry | undefined][] = [];
    const names = last.nameIndex;
    const undo = (): null => {
      for (const k of written) memo.entries.delete(k);
      for (let k = named.length - 1; k >= 0; k--) {
        const [lower, had] = named[k]!;
        if (had) names!.set(lower, had);
        else names!.delete(lower);
      }
      return null;
    };
    const rename = (lower: string, entry: NameEntry) => {
      named.push([lower, names!.get(lower)]);
      names!.set(lower, entry);
    };
    // the name index (canonicalModelKey) as a whole run would build it: the classes read again by their key (read from
    // their file), those kept by their entry's
    const order = [...again].sort((x, y) => x - y);
    if (names) {
      // (in registration order: of two classes of the file under one name, the first is the name's, as in a whole run)
      const renamed = new Set<string>();
      for (const i of order) {
        const r = refs[i]!;
        const key = this.modelKey(this.node(r));
        if (!key) continue;
        const lower = nameKey(key, r.name);
        const had = names.get(lower);
        if (renamed.has(lower) || (had && had.file !== r.file)) continue;
        renamed.add(lower);
        rename(lower, { lower, key, file: r.file });
      }
      for (let k = 0; k < added.length; k++) {
        const { key, lower } = addedKeys[k]!;
        if (names.has(lower)) return undo();
        rename(lower, { lower, key, file: file });
      }
      this.modelNameIndex = names;
    } else {
      const nodes = refs.map(r => this.node(r));
      nodes.splice(end.at, 0, ...added);
      this.registered.push(...nodes);
      // (made now, for the next patch to start from)
      this.nameIndex();
    }
    const infos = last.infos.slice();
    const entries = last.entries.slice();
    /** whether the problems the registry is built with are those of the last run (none added or taken away) */
    let sameProblems = true;
    for (const i of order) {
      const node = this.node(refs[i]!);
      const before = infos[i];
      const info = this.memoModelInfo(node);
      written.push(node.key);
      const e = memo.entries.get(node.key);
      if (!e || !before !== !info || (info && before && (info.key !== before.key || info.abstract !== before.abstract)) || (info && this.historicalModels(node, info).length)) return undo();
      if (e.problems.length || last.entries[i]!.problems.length) sameProblems = false;
      infos[i] = info;
      entries[i] = e;
    }
    const addedInfos: (ModelInfo | null)[] = [];
    const addedEntries: MemoEntry[] = [];
    for (const node of added) {
      const info = this.memoModelInfo(node);
      written.push(node.key);
      const e = memo.entries.get(node.key);
      if (!info || !e || this.historicalModels(node, info).length) return undo();
      addedInfos.push(info);
      addedEntries.push(e);
    }
    let result: ModelsResult;
    let kept: KeptRun = { entries };
    if (!added.length && sameProblems) {
      // the registry as it was (the same keys, none abstract that was not, the same problems): the models read again
      // where theirs were
      const models = last.result.models.slice();
      for (const i of again) if (last.modelAt[i]! >= 0) models[last.modelAt[i]!] = infos[i]!;
      result = { models, problems: last.result.problems };
      // (the positions of the entries read again under their new Deps)
      const byDeps = new Map(last.byDeps);
      for (const i of again) {
        const was = last.entries[i]!.deps, d = entries[i]!.deps;
        if (was === d) continue;
        const from = byDeps.get(was)!.filter(j => j !== i);
        if (from.length) byDeps.set(was, from);
        else byDeps.delete(was);
        byDeps.set(d, [...(byDeps.get(d) ?? []), i]);
      }
      kept = { entries, byDeps, modelAt: last.modelAt };
    } else {
      refs.splice(end.at, 0, ...added.map(n => n.ref));
      infos.splice(end.at, 0, ...addedInfos);
      entries.splice(end.at, 0, ...addedEntries);
      // the registry as a whole run builds it, with the problems met before it as they were
      this.problems.length = 0;
      this.problemKeys.clear();
      for (const p of last.preProblems) this.addProblem({ ...p });
      result = { models: this.assemble(refs, infos, entries.map(e => e.problems), null).models, problems: inPlaceOrder(this.problems) };
    }
    // what the next patch starts from
    if (names) {
      // (the positions after the classes added moved by their number; the classes added are read too)
      const read = order.map(at => (at >= end.at ? at + added.length : at));
      for (let k = 0; k < added.length; k++) read.push(end.at + k);
      for (const i of read) {
        const e = entries[i]!, r = refs[i]!;
        if (!e.info) continue;
        const lower = nameKey(e.info.key, r.name);
        const had = names.get(lower);
        if (had && !had.deps && had.file === r.file && had.key === e.info.key) {
          const entry = { lower, key: e.info.key, file: r.file, deps: e.deps };
          names.set(lower, entry);
          NAME_ENTRIES.set(e, entry);
        }
      }
    }
    let visitEnds = last.visitEnds;
    if (added.length) {
      visitEnds = new Map();
      for (const [m, v] of last.visitEnds) visitEnds.set(m, m === name || v.seq > end.seq ? { ...v, at: v.at + added.length } : v);
    }
    walks(memo).set(name, { module: now, structure: structureCount(), events });
    dropStaleEntries(memo, refs);
    this.keepRun(result, refs, infos, last.preProblems, visitEnds, last, kept);
    return result;
  }

  /** The reference of a class statement of a module's top level, made once per statement (CLASS_REFS). */
  private classRef(moduleName: string, file: string, s: A.ClassDef): ClassRef {
    let ref = CLASS_REFS.get(s);
    if (!ref || ref.module !== moduleName || ref.file !== file) {
      ref = { kind: 'class', module: moduleName, name: s.name, def: s, file, key: `${file}:${s.line}:${s.name}` };
      CLASS_REFS.set(s, ref);
    }
    return ref;
  }

  /**
   * The models Django registers from the classes met (`nodes`, in import order) and their facts: a model per key (an
   * abstract one gives way to a concrete one of its key; a second concrete one is a conflict), grouped by app in
   * INSTALLED_APPS order, with django-simple-history's models where `nodes` (the classes of `refs`) are given (a patch
   * gives none: it applies only where a whole run made no history model).
   */
  private assemble(refs: readonly ClassRef[], infos: readonly (ModelInfo | null)[], problemsAt: readonly (readonly ModelProblem[])[], nodes: readonly ClassNode[] | null): { models: ModelInfo[] } {
    const byApp = new Map<string, ModelInfo[]>();
    const seen = new Map<string, ModelInfo>();
    const infoByNode = new Map<string, ModelInfo>();
    const addHistory = (h: ModelInfo) => {
      if (seen.has(h.key)) return;
      seen.set(h.key, h);
      const hl = byApp.get(h.app) ?? [];
      hl.push(h);
      byApp.set(h.app, hl);
    };
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      for (const p of problemsAt[i]!) this.addProblem({ ...p });
      const info = infos[i];
      if (!info) continue;
      const dup = seen.get(info.key);
      // abstract models are not registered (ModelBase.__new__ returns before register_model): they clash with
      // nothing, and a concrete model of the same name (Kolibri's content.ContentNode over base_models'
      // abstract ContentNode) takes the abstract one's place under the key
      if (dup && info.abstract) continue;
      if (dup?.abstract) {
        const list = byApp.get(dup.app)!;
        list.splice(list.indexOf(dup), 1);
      } else if (dup) {
        this.problem(ref.file, ref.def.line, `Conflicting '${info.modelName}' models in application '${info.app}': ${dup.loc.path}:${dup.loc.line} and this one`, info.key);
        continue;
      }
      seen.set(info.key, info);
      infoByNode.set(ref.key, info);
      const list = byApp.get(info.app) ?? [];
      list.push(info);
      byApp.set(info.app, list);
      // django-simple-history: `history = HistoricalRecords()` registers a Historical<Model> beside it
      if (nodes) for (const h of this.historicalModels(nodes[i]!, info)) { this.historiesMade = true; addHistory(h); }
    }
    // and `register(Model)` (simple_history) where Django runs it
    if (nodes) for (const h of this.registeredHistories(infoByNode, seen)) { this.historiesMade = true; addHistory(h); }
    const models: ModelInfo[] = [];
    for (const app of this.apps) models.push(...(byApp.get(app.label) ?? []));
    return { models };
  }

  private readonly validHits = new Map<string, MemoEntry | null>();
  /** per Deps object (shared by the entries that read the same files, internDeps): unchanged, checked once per run */
  private readonly depsUnchanged = new Map<Deps, boolean>();
  /**
   * the Deps objects of the entries taken from the memo this run, noted once each (memoModelInfo runs at the run's top
   * level only, under the same recorders each time: a set noted once is in every one of them)
   */
  private readonly depsNoted = new Set<Deps>();

  /** The memo's entry for `node` while every file it read is unchanged (checked once per run), else null. */
  private validHit(node: ClassNode): MemoEntry | null {
    let hit = this.validHits.get(node.key);
    if (hit === undefined) {
      const e = this.memo?.entries.get(node.key);
      let same = e && e.def === node.ref.def ? this.depsUnchanged.get(e.deps) : false;
      if (same === undefined) this.depsUnchanged.set(e!.deps, (same = unchanged(e!.deps)));
      hit = same ? e! : null;
      this.validHits.set(node.key, hit);
    }
    return hit;
  }

  /**
   * A model of an earlier run whose facts are still valid (the same class statement, every file they were read from,
   * its bases' included, unchanged): a model still, without resolving its bases again (its facts come from the memo).
   */
  private wasModel(node: ClassNode): boolean {
    // (a model guessed from an unresolvable base is decided again: deciding it reports that base)
    const e = this.memo?.entries.get(node.key);
    return !!e?.info && !e.guessed && !!this.validHit(node)?.info;
  }

  /** modelInfo, or the memo's copy while every file it read is unchanged (see ModelMemo). */
  private memoModelInfo(node: ClassNode): ModelInfo | null {
    let hit = this.validHit(node);
    // (a model it looked up and did not find is registered now: read again, for that target's spelling)
    if (hit?.misses) {
      const names = this.nameIndex();
      if (hit.misses.some(l => names.has(l))) hit = null;
    }
    if (hit) {
      if (!this.depsNoted.has(hit.deps)) { this.depsNoted.add(hit.deps); noteDeps(hit.deps); }
      for (const p of hit.problems) this.addProblem({ ...p });
      return hit.info;
    }
    const before = this.problems.length;
    const missed: string[] = [];
    this.missed = missed;
    const { value, deps } = track(() => {
      let info: ModelInfo | null = null;
      try {
        info = this.modelInfo(node);
      } catch (e) {
        this.problem(node.ref.file, node.ref.def.line, `could not read model ${node.ref.name}: ${(e as Error).message}`);
      }
      // what this scan computed earlier for other models (bases' fields and Meta, kept on their nodes) was read
      // from these files: they are this model's inputs too
      this.noteHierarchy(node);
      return info;
    });
    this.missed = undefined;
    if (this.memo) {
      const entry: MemoEntry = { def: node.ref.def, deps: internDeps(this.memo, deps), info: value, problems: this.problems.slice(before), ...(node.guessed ? { guessed: true } : {}), ...(missed.length ? { misses: [...new Set(missed)] } : {}) };
      this.memo.entries.set(node.key, entry);
      this.validHits.set(node.key, entry);
    }
    return value;
  }

  /** `noteClass` for the class and each class of its MRO that could be resolved. */
  private noteHierarchy(n: ClassNode): void {
    for (const c of this.mro(n)) if (typeof c !== 'string') this.noteClass(c);
  }

  /** Record the files a class's cached facts came from: its own, and its Meta's bases' modules. */
  private noteClass(c: ClassNode): void {
    noteRead(c.ref.file);
    if (c.basesDeps) noteDeps(c.basesDeps);
    const metas = [c.meta, c.effMeta];
    for (let i = 0; i < metas.length && i < 100; i++) {
      const m = metas[i];
      if (!m) continue;
      const f = this.sym.scope(m.module)?.file;
      if (f) noteRead(f);
      metas.push(...m.bases);
    }
  }

  // ---- discovery -------------------------------------------------------------------------------

  /**
   * The models django-simple-history makes for `<name> = HistoricalRecords(...)` in a model's class body (imported
   * from simple_history): `Historical<Model>` in the model's app (or `app=`), its table
   * `<app>_historical<model>` (or `table_name=`), the model's foreign keys copied without constraints and
   * `history_user` to the user model (`user_model=`, else AUTH_USER_MODEL). A name it cannot read (a
   * `custom_model_name` function) leaves the model out. One array per model object, for unchanged identity.
   */
  private historicalModels(node: ClassNode, info: ModelInfo): ModelInfo[] {
    // (HistoricalRecords makes its model as the model class is prepared, whether simple_history is in INSTALLED_APPS
    // or not: openedx/credentials does without)
    if (info.abstract) return [];
    const user = this.settings.authUserModel || 'auth.User';
    const hit = HISTORICAL.get(info);
    if (hit && hit.user === user) return hit.models;
    const out: ModelInfo[] = [];
    // its own class body, then its bases': `HistoricalRecords(inherit=True)` on a base (an abstract one, most
    // often) gives every model below it a history of its own (giga-maps' core.BaseModel)
    const bodies: { c: ClassNode; own: boolean }[] = [{ c: node, own: true }];
    for (const c of this.mro(node).slice(1)) if (typeof c !== 'string') bodies.push({ c, own: false });
    const said = new Set<string>();
    for (const { c, own } of bodies) for (const s of c.ref.def.body) {
      if (s.type !== 'Assign' || s.value.type !== 'Call') continue;
      const call = s.value;
      const f = call.func;
      if (!(f.type === 'Name' || f.type === 'Attribute')) continue;
      const records = this.historicalRecords(c.ref.module, f);
      if (!records) continue;
      // (the keywords of a functools.partial the name stands for count where the call does not give them)
      const kw = (name: string) => call.keywords.find(k => k.arg === name)?.value ?? records.keywords.find(k => k.arg === name)?.value;
      if (!own) {
        const inherit = kw('inherit');
        const v = inherit ? literalEval(inherit) : null;
        if (!v || !v.ok || v.value !== true) continue;
        // a name a base's field binds is bound once (the nearest HistoricalRecords wins)
        const bound = s.targets.map(t => (t.type === 'Name' ? t.id : '')).join(',');
        if (said.has(bound)) continue;
        said.add(bound);
      } else said.add(s.targets.map(t => (t.type === 'Name' ? t.id : '')).join(','));
      const h = historyModel(info, kw, own ? { path: node.ref.file, line: s.line } : { path: node.ref.file, line: node.ref.def.line }, user);
      if (h) out.push(h);
    }
    HISTORICAL.set(info, { user, models: out });
    return out;
  }

  /**
   * The models django-simple-history's `register(Model, app=…, table_name=…)` makes, called at the top level of a
   * models module Django imports (`register(User)` in an app's models.py) or in a workspace app's AppConfig.ready():
   * as HistoricalRecords does, for a model read (`get_user_model()` stands for AUTH_USER_MODEL). Calls in other
   * functions are not read.
   */
  private registeredHistories(infoByNode: Map<string, ModelInfo>, byKey: Map<string, ModelInfo>): ModelInfo[] {
    const out: ModelInfo[] = [];
    const user = this.settings.authUserModel || 'auth.User';
    // the models modules' top level, then each workspace app's AppConfig.ready() (where register() is called once
    // the models are loaded, with the names it imports itself: `from .models import Order`)
    type Place = { scope: ModuleScope; body: A.Stmt[]; local: Map<string, { module: string; name: string }> };
    const places: Place[] = [];
    for (const name of this.visited) {
      const scope = this.sym.scope(name);
      if (scope) places.push({ scope, body: scope.module.body, local: new Map() });
    }
    for (const app of this.apps) {
      if (app.external || !app.appConfig || app.appConfig === 'django.apps.AppConfig') continue;
      const dot = app.appConfig.lastIndexOf('.');
      const ref = dot > 0 ? this.sym.member(app.appConfig.slice(0, dot), app.appConfig.slice(dot + 1)) : null;
      if (ref?.kind !== 'class') continue;
      const ready = ref.def.body.find((st): st is A.FunctionDef => st.type === 'FunctionDef' && st.name === 'ready');
      const scope = this.sym.scope(ref.module);
      if (!ready || !scope) continue;
      const local = new Map<string, { module: string; name: string }>();
      for (const st of ready.body) {
        if (st.type !== 'ImportFrom') continue;
        const from = this.sym.absolute(scope, st.level, st.module);
        if (from) for (const n of st.names) local.set(n.asname ?? n.name, { module: from, name: n.name });
      }
      places.push({ scope, body: ready.body, local });
    }
    // what `e` names: a name the function imports itself, else the module's
    const refOf = (place: Place, e: A.Expr) => {
      const l = e.type === 'Name' ? place.local.get(e.id) : undefined;
      return l ? this.sym.member(l.module, l.name) : this.sym.expr(place.scope.name, e);
    };
    // simple_history's `register` function (read where the package is installed, by where it is imported from if not)
    const isRegister = (place: Place, f: A.Expr) => {
      if (!(f.type === 'Name' || f.type === 'Attribute')) return false;
      const ref = refOf(place, f);
      if (ref?.kind === 'function') return ref.module === 'simple_history' && ref.name === 'register';
      return (ref?.kind === 'external' ? ref.dotted : this.sym.importOrigin(place.scope.name, f)) === 'simple_history.register';
    };
    for (const place of places) {
      const { name, file, isPackage } = place.scope;
      for (const s of place.body) {
        if (s.type !== 'Expr' || s.value.type !== 'Call' || !isRegister(place, s.value.func)) continue;
        this.registerCalls = true;
        const call = s.value;
        const target = call.args[0] ?? call.keywords.find(k => k.arg === 'model')?.value;
        if (!target) continue;
        let info: ModelInfo | undefined;
        if (target.type === 'Call' && ['get_user_model', 'auth.get_user_model'].some(n => dottedName(target.func)?.endsWith(n))) info = byKey.get(user);
        else {
          const ref = refOf(place, target);
          info = ref?.kind === 'class' ? infoByNode.get(ref.key) : undefined;
        }
        if (!info || info.abstract) continue;
        // register()'s `app` names an app's module (the history model's `__module__` is "<app>.models", whose app
        // Django looks up), not a label as HistoricalRecords(app=…) does
        const appArg = call.keywords.find(k => k.arg === 'app')?.value;
        let label = info.app;
        if (appArg) {
          // (`app=__package__`, readthedocs' core/models.py: the package of the module calling it)
          const v = appArg.type === 'Name' && appArg.id === '__package__'
            ? { ok: true, value: isPackage ? name : name.slice(0, Math.max(0, name.lastIndexOf('.'))) }
            : literalEval(appArg);
          const app = v.ok && typeof v.value === 'string' ? this.apps.find(a => a.module === v.value) : undefined;
          if (!app) continue;
          label = app.label;
        }
        const h = historyModel(info, n => (n === 'app' ? undefined : call.keywords.find(k => k.arg === n)?.value), { path: file, line: s.line }, user, label);
        if (h) out.push(h);
      }
    }
    return out;
  }

  /**
   * Whether `f` (in `module`) is simple_history's HistoricalRecords: imported from it, or a name of the project
   * standing for it, `ExtraHistoricalRecords = partial(HistoricalRecords, bases=[…])` (readthedocs) or a subclass;
   * with the keywords such a partial adds. Null: something else.
   */
  private historicalRecords(module: string, f: A.Expr, depth = 0): { keywords: A.Keyword[] } | null {
    if (depth > 4 || !(f.type === 'Name' || f.type === 'Attribute')) return null;
    const ref = this.sym.expr(module, f);
    if (!ref || ref.kind === 'external' || ref.kind === 'module') {
      const from = ref?.kind === 'external' ? ref.dotted : this.sym.importOrigin(module, f) ?? '';
      return from.startsWith('simple_history') && from.endsWith('HistoricalRecords') ? { keywords: [] } : null;
    }
    if (ref.kind === 'value') {
      const e = ref.expr;
      if (e.type === 'Call' && ['partial', 'functools.partial'].includes(dottedName(e.func) ?? '') && e.args[0]) {
        const inner = this.historicalRecords(ref.module, e.args[0], depth + 1);
        return inner ? { keywords: [...e.keywords, ...inner.keywords] } : null;
      }
      return this.historicalRecords(ref.module, e, depth + 1);
    }
    if (ref.kind === 'class') {
      for (const b of ref.def.bases) if (this.historicalRecords(ref.module, b, depth + 1)) return { keywords: [] };
    }
    return null;
  }

  /** The modules a package's __init__ imports anywhere (any branch), as absolute dotted names. */
  private importedBy(pkg: string): Set<string> {
    const out = new Set<string>();
    const scope = this.sym.scope(pkg);
    if (scope) this.importsOf(scope.module.body, { name: pkg, isPackage: true }, out, false);
    return out;
  }

  /**
   * The modules an app's own code imports (anywhere in its files: module level, functions such as ready()), but
   * for its tests and migrations: what Django may import while it starts. Complete for `candidates` (modules of the
   * app), the ones asked about: a module not parsed yet is parsed only when its text may import one of them
   * (mayImportAny). Saleor: the GraphQL app's 600 modules were parsed to learn whether two `dataloaders/models.py`
   * are imported (~750 ms of a cold scan).
   */
  private readonly appImportsOf = new Map<string, Set<string>>();
  private appImports(app: AppInfo, candidates: readonly string[]): Set<string> {
    const key = `${app.module}\u0000${candidates.join('\u0000')}`;
    const known = this.appImportsOf.get(key);
    if (known) return known;
    const out = new Set<string>();
    this.appImportsOf.set(key, out);
    const pkg = this.sym.index.resolve(app.module);
    if (!pkg?.packageDir) return out;
    const testOrMigration = (mod: string) => mod.split('.').slice(app.module.split('.').length).some(p => p === 'tests' || p === 'test' || p === 'migrations' || p === 'conftest' || p.startsWith('test_') || p.endsWith('_tests'));
    const mayImport = (mod: string): boolean => {
      const r = this.sym.index.resolve(mod);
      if (!r?.file || this.sym.index.hasParse(r.file)) return true;
      const st = statFile(r.file);
      const read = st && readPythonFile(r.file, st);
      return !read || 'error' in read || mayImportAny(read.source, candidates, (level, module) => this.sym.absolute({ name: mod, isPackage: r.packageDir !== null }, level, module));
    };
    for (const mod of [app.module, ...this.submodules(pkg.packageDir, app.module, 4)]) {
      if (testOrMigration(mod) || !mayImport(mod)) continue;
      const scope = this.sym.scope(mod);
      if (scope) this.importsOf(scope.module.body, { name: mod, isPackage: scope.isPackage }, out, true);
    }
    return out;
  }

  /**
   * The modules `body` imports, absolute (`from x import y`: x and x.y), in any branch of an `if` or `try`; `deep`:
   * also in functions, classes, loops and `with` blocks.
   */
  private importsOf(body: A.Stmt[], from: { name: string; isPackage: boolean }, out: Set<string>, deep: boolean): void {
    const visit = (b: A.Stmt[]) => this.importsOf(b, from, out, deep);
    for (const s of body) {
      switch (s.type) {
        case 'ImportFrom': {
          const mod = this.sym.absolute(from, s.level, s.module);
          if (mod) {
            out.add(mod);
            for (const a of s.names) out.add(`${mod}.${a.name}`);
          }
          break;
        }
        case 'Import':
          for (const a of s.names) out.add(a.name);
          break;
        case 'If':
          visit(s.body); visit(s.orelse);
          break;
        case 'Try':
          visit(s.body);
          for (const h of s.handlers) visit(h.body);
          visit(s.orelse); visit(s.finalbody);
          break;
        case 'For': case 'While':
          if (deep) { visit(s.body); visit(s.orelse); }
          break;
        case 'FunctionDef': case 'ClassDef': case 'With':
          if (deep) visit(s.body);
          break;
        default:
          break;
      }
    }
  }

  /** Dotted names of the modules in a package folder (`depth` levels of subpackages), in name order. */
  private submodules(dir: string, pkg: string, depth: number): string[] {
    // kept between runs while no file was created or deleted, where listings and stats are kept until a watcher
    // reports a change (the extension's scan worker): the same listings give the same modules
    if (!this.memo || !isTrusted()) return this.listSubmodules(dir, pkg, depth);
    const key = `${dir}\u0000${pkg}\u0000${depth}`;
    const kept = (this.memo.submodules ??= new Map()).get(key);
    if (kept && kept.structure === structureCount() && kept.index === this.sym.index) {
      // (the folders are listed again, from the listings kept: what depends on them notes them)
      for (const d of kept.dirs) readDir(d);
      return kept.out;
    }
    const dirs: string[] = [];
    const out = this.listSubmodules(dir, pkg, depth, dirs);
    this.memo.submodules.set(key, { structure: structureCount(), index: this.sym.index, out, dirs });
    return out;
  }

  private listSubmodules(dir: string, pkg: string, depth: number, dirs?: string[]): string[] {
    dirs?.push(dir);
    const out: string[] = [];
    const entries = [...(readDir(dir) ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.isFile() && e.name.endsWith('.py') && e.name !== '__init__.py' && /^[A-Za-z_]\w*\.py$/.test(e.name)) out.push(`${pkg}.${e.name.slice(0, -3)}`);
      else if (e.isDirectory() && depth > 1 && /^[A-Za-z_]\w*$/.test(e.name) && this.sym.index.resolve(`${pkg}.${e.name}`)?.packageDir) {
        out.push(`${pkg}.${e.name}`, ...this.listSubmodules(path.join(dir, e.name), `${pkg}.${e.name}`, depth - 1, dirs));
      }
    }
    return out;
  }

  private visitModule(name: string): void {
    if (this.visited.has(name)) return;
    this.visited.add(name);
    // the walk of an earlier run, while the module's parse is the same (and no file was created or deleted)
    const walked = this.memo ? walks(this.memo) : undefined;
    const known = walked?.get(name);
    if (known && known.structure === structureCount()) {
      const file = this.sym.index.resolve(name)?.file;
      const module = file ? this.sym.index.parseFile(file) : null;
      if (file && module && module === known.module) {
        for (const p of module.problems) this.problem(file, p.line, `${p.message} (line skipped while reading models)`, undefined, true);
        for (const ev of known.events) {
          if ('cls' in ev) this.classMet(name, file, ev.cls);
          else this.runFollow(ev.follow);
        }
        this.visitEnds.set(name, { at: this.registered.length, seq: this.visitSeq++, file });
        return;
      }
    }
    const scope = this.sym.scope(name);
    if (!scope) return;
    for (const p of scope.module.problems) {
      this.problem(scope.file, p.line, `${p.message} (line skipped while reading models)`, undefined, true);
    }
    const events: WalkEvent[] = [];
    // (a module whose walk took a branch of an `if` by its test is walked again each run: the test may read other files)
    if (this.walk(scope.module.body, name, scope.isPackage, scope.file, events) && walked) {
      walked.set(name, { module: scope.module, structure: structureCount(), events });
    } else {
      walked?.delete(name);
      this.nonReplayable = true;
    }
    this.visitEnds.set(name, { at: this.registered.length, seq: this.visitSeq++, file: scope.file });
  }

  /** A class statement of a module's top level: registered when it is a model (in the order met). */
  private classMet(moduleName: string, file: string, s: A.ClassDef): void {
    const node = this.node(this.classRef(moduleName, file, s));
    if (!this.registeredKeys.has(node.key) && (this.wasModel(node) || this.isModel(node))) {
      this.registeredKeys.add(node.key);
      this.registered.push(node);
    }
  }

  /** Walk a module's top-level statements, recording what it did in `events`; false when the walk cannot be replayed. */
  private walk(body: A.Stmt[], moduleName: string, isPackage: boolean, file: string, events: WalkEvent[]): boolean {
    let replayable = true;
    const follow = (name: string) => {
      const plan = this.followPlan(name);
      events.push({ follow: plan });
      this.runFollow(plan);
    };
    for (const s of body) {
      switch (s.type) {
        case 'ClassDef':
          events.push({ cls: s });
          this.classMet(moduleName, file, s);
          break;
        case 'Import':
          for (const a of s.names) follow(a.name);
          break;
        case 'ImportFrom': {
          const mod = this.sym.absolute({ name: moduleName, isPackage }, s.level, s.module);
          if (!mod) break;
          follow(mod);
          for (const a of s.names) {
            if (a.name === '*') continue;
            // `from pkg import sub` imports the submodule when pkg has no such attribute
            const sub = `${mod}.${a.name}`;
            if (this.sym.index.resolve(sub)) follow(sub);
          }
          break;
        }
        case 'If': {
          if (isTypeChecking(s.test)) break;
          // a test of a setting (django_peeringdb: `if not settings.ABSTRACT_ONLY: from .concrete import *`) takes
          // one branch, as the import does; anything else, both
          const t = this.evaluate(moduleName, s.test);
          if (t.ok) {
            replayable = false;
            this.walk(truthy(t.value) ? s.body : s.orelse, moduleName, isPackage, file, events);
            break;
          }
          replayable = this.walk(s.body, moduleName, isPackage, file, events) && replayable;
          replayable = this.walk(s.orelse, moduleName, isPackage, file, events) && replayable;
          break;
        }
        case 'Try':
          replayable = this.walk(s.body, moduleName, isPackage, file, events) && replayable;
          replayable = this.walk(s.orelse, moduleName, isPackage, file, events) && replayable;
          replayable = this.walk(s.finalbody, moduleName, isPackage, file, events) && replayable;
          break;
        case 'With':
          replayable = this.walk(s.body, moduleName, isPackage, file, events) && replayable;
          break;
        default:
          break;
      }
    }
    return replayable;
  }

  /**
   * Which modules an import of `name` reads, prefix by prefix (Python imports each parent package first): those that
   * can define models we report (installed apps' and the workspace's), skipped, or where resolution stops. Depends
   * on the module files that exist and on the apps only, not on what this run visited.
   */
  private followPlan(name: string): FollowStep[] {
    const parts = name.split('.');
    const plan: FollowStep[] = [];
    for (let i = 1; i <= parts.length; i++) {
      const m = parts.slice(0, i).join('.');
      if (isOpaqueModule(m)) { plan.push([m, 'skip']); continue; }
      const r = this.sym.index.resolve(m);
      if (!r) { plan.push([m, 'stop']); break; }
      // Inside the workspace every imported module is read. Outside it (site-packages) only a models module: an
      // app's, or one an app imports its models from (codecov-api's `core/models.py` is `from
      // shared.django_apps.core.models import *`, whose models name the app by Meta.app_label): following a
      // third-party package's other imports would parse most of the library (admin's models import the whole admin
      // site), and such packages define their models in `models`.
      const file = r.file ?? r.packageDir ?? '';
      const ok = isWorkspaceFile(this.root, file) || this.apps.some(a => m === `${a.module}.models` || m.startsWith(`${a.module}.models.`))
        || (i === parts.length && /(^|\.)models(\.|$)/.test(m));
      plan.push([m, ok ? 'visit' : 'skip']);
    }
    return plan;
  }

  /** Follow an import as planned (a module already visited is passed, as Python finds it in sys.modules). */
  private runFollow(plan: readonly FollowStep[]): void {
    for (const [m, what] of plan) {
      if (this.visited.has(m)) continue;
      if (what === 'stop') return;
      if (what === 'visit') this.visitModule(m);
    }
  }

  // ---- classes -----------------------------------------------------------------------------------

  private node(ref: ClassRef): ClassNode {
    let n = this.nodes.get(ref.key);
    if (!n) {
      n = { ref, key: ref.key, bases: null, meta: undefined };
      this.nodes.set(ref.key, n);
    }
    return n;
  }

  private basesOf(n: ClassNode): Base[] {
    if (n.bases) return n.bases;
    if (this.inProgress.has(n.key)) return [];
    this.inProgress.add(n.key);
    // (read once per run, maybe while another model is read: kept on the node for each model that reads it, noteClass)
    const { value, deps } = track(() => this.basesNow(n));
    noteDeps(deps);
    n.basesDeps = deps;
    n.bases = value;
    return value;
  }

  private basesNow(n: ClassNode): Base[] {
    const out: Base[] = [];
    try {
      for (const b of n.ref.def.bases) {
        const text = dottedName(b) ?? exprText(b);
        const r = b.type === 'Name' || b.type === 'Attribute' ? this.sym.expr(n.ref.module, b) : null;
        if (r?.kind === 'class') {
          // a class cannot be its own base (`class Foo(Foo)` rebinding an imported Foo resolves to itself)
          if (r.key === n.key) out.push({ unresolved: text });
          else out.push({ node: this.node(r) });
        } else if (r?.kind === 'external') out.push({ external: r.dotted, text });
        else if (r?.kind === 'value' && b.type === 'Name' && this.userModelBinding(n.ref.module, b.id)) {
          // `User = get_user_model()` as a base (DefectDojo's Dojo_User): AUTH_USER_MODEL's class
          const u = this.userModelClass();
          if (u && u.key !== n.key) out.push('external' in u ? { external: u.external, text } : { node: u.node });
          else out.push({ unresolved: text });
        } else if (r?.kind === 'value' && b.type === 'Name') {
          // a name bound to what code computes (kitsune's `ModelBase = import_from_setting("TIDINGS_MODEL_BASE",
          // models.Model)`, an import_string of a setting): the class the static evaluator finds it to be
          const c = this.evaluatedBase(r.module, r.name);
          if (c && 'node' in c && c.node.key === n.key) out.push({ unresolved: text });
          else out.push(c ? ('external' in c ? { external: c.external, text } : c) : { unresolved: text });
        } else if (r?.kind === 'module' || r?.kind === 'value' || r?.kind === 'function') out.push({ unresolved: text });
        else if (b.type === 'Name' && BUILTIN_BASES.has(b.id)) continue;
        else out.push({ unresolved: text, origin: this.sym.importOrigin(n.ref.module, b) });
      }
    } finally {
      this.inProgress.delete(n.key);
    }
    return out;
  }

  /** the static evaluator for bases bound to computed values (made when one is met: most projects have none) */
  private interp: Interp | undefined;

  /**
   * The class a module-level name is bound to by code (a call, a subscript): the module is run by the static
   * evaluator, as Python imports it, with the settings (those read are noted for the memo, as `setting` does). Null
   * when the value is not a class known statically.
   */
  private evaluatedBase(module: string, name: string): { node: ClassNode } | { external: string } | null {
    try {
      if (!this.interp) {
        const settingsValue = settingsObject(this.settings, n => this.memo?.settingsRead?.add(n));
        this.interp = new Interp(this.sym.index, { env: settingsEnv(this.settings) ?? {}, external: true, settings: settingsValue, fuel: 1_000_000, python: settingsPython(this.settings) });
      }
      const interp = this.interp;
      interp.fuel = 1_000_000;
      const v = interp.getAttr(interp.importModule(module), name, { path: this.sym.index.resolve(module)?.file ?? module, line: 1 });
      // Django's Model itself (the default of kitsune's import_from_setting): the evaluator leaves django.db.models'
      // members unevaluated (python/calls.ts getAttr), and says which one
      if (v.kind === 'unknown') return MODEL_NAMES.some(d => v.reason === `${d} (not evaluated)`) ? { external: 'django.db.models.Model' } : null;
      if (v.kind !== 'class') return null;
      if (v.special) return v.special === 'django.db.models.Model' ? { external: 'django.db.models.Model' } : null;
      const r = this.sym.member(v.module, v.name);
      return r?.kind === 'class' && r.def === v.def ? { node: this.node(r) } : null;
    } catch {
      // (an exception the module raises, the evaluator's budget spent: not known)
      return null;
    }
  }

  /** Whether `name` is bound at the module's top level to `get_user_model()`. */
  private userModelBinding(module: string, name: string): boolean {
    const file = this.sym.index.resolve(module)?.file;
    const mod = file ? this.sym.index.parseFile(file) : null;
    return !!mod?.body.some(st => st.type === 'Assign' && st.targets.some(t => t.type === 'Name' && t.id === name)
      && st.value.type === 'Call' && !st.value.args.length && (dottedName(st.value.func) ?? '').split('.').pop() === 'get_user_model');
  }

  /** The class AUTH_USER_MODEL names: a class of the app's models module, or Django's own auth.User. */
  private userModelClass(): { node: ClassNode; key: string } | { external: string; key: string } | null {
    const label = String(this.setting('AUTH_USER_MODEL'));
    const [app, name] = label.split('.');
    if (!app || !name) return null;
    const appInfo = this.apps.find(a => a.label === app);
    const module = appInfo ? `${appInfo.module}.models` : app === 'auth' ? 'django.contrib.auth.models' : null;
    if (!module) return null;
    const r = this.sym.member(module, name);
    if (r?.kind === 'class') return { node: this.node(r), key: r.key };
    return app === 'auth' && name === 'User' ? { external: 'django.contrib.auth.models.User', key: 'django.contrib.auth.models.User' } : null;
  }

  /** ModelBase parents: bases that are models (or Model itself) */
  private isModel(n: ClassNode): boolean {
    if (n.isModel !== undefined) return n.isModel;
    if (this.inProgress.has('m:' + n.key)) return false;
    this.inProgress.add('m:' + n.key);
    let result = false;
    let unknownBase: string | null = null;
    /** the top-level package the unresolved base is imported from, when it is not in the environment */
    let missingFrom: string | null = null;
    /** where that base is imported from (its dotted name), when known */
    let unknownFrom: string | null = null;
    let notDjango = false;
    try {
      for (const b of this.basesOf(n)) {
        if ('node' in b) {
          if (this.isModel(b.node)) result = true;
          continue;
        }
        // (a class named so, defined later, may resolve it: ModelReader.patch)
        this.unresolvedBases.add(lastName('external' in b ? b.text : b.unresolved));
        // a class of another modelling library (pydantic's BaseModel, an attrs class), whether its module can be read
        // or not: not a Django model
        const from = 'external' in b ? b.external : b.origin;
        if ('external' in b && isModelRoot(b.external)) result = true;
        else if (from && NOT_DJANGO_MODELS.has(from.split('.')[0]!)) notDjango = true;
        // Django's own machinery holds no models (only Model itself); contrib apps do (AbstractUser)
        else if (!('external' in b) || !isOpaqueModule(b.external.slice(0, Math.max(0, b.external.lastIndexOf('.'))))) {
          const top = from?.split('.')[0];
          if (unknownBase === null && top && !this.sym.index.resolve(top)) missingFrom = top;
          if (unknownBase === null) unknownFrom = from ?? null;
          unknownBase = unknownBase ?? ('external' in b ? b.text : b.unresolved);
        }
      }
      // `Owner.field.through`: the model Django made for a ManyToManyField
      if (!result && unknownBase !== null && this.autoThrough(n)) result = true;
      if (!result && !notDjango && unknownBase !== null && this.looksLikeModel(n, unknownBase, unknownFrom)) {
        result = true;
        n.guessed = unknownBase;
        const why = missingFrom ? ` (${missingFrom} is not installed in the Python environment used)` : '';
        this.addProblem({
          path: n.ref.file, line: n.ref.def.line,
          message: `base class ${unknownBase} of ${n.ref.name} could not be resolved${why}; ${n.ref.name} is read as a model with the options of its own Meta only`,
          ...(missingFrom ? { environment: true as const, unreadBase: { base: unknownBase, model: n.ref.name, package: missingFrom } } : {}),
        });
      }
    } finally {
      this.inProgress.delete('m:' + n.key);
    }
    n.isModel = result;
    return result;
  }

  /**
   * A class with an unreadable base that is probably a model: the one AUTH_USER_MODEL names, a `*Model` base or one
   * from a `models` module, a Meta, or Django fields.
   */
  private looksLikeModel(n: ClassNode, baseText: string, from: string | null = null): boolean {
    // the user model AUTH_USER_MODEL names (etools-datamart's core.User(AbstractUser), Django not in the environment
    // read: it was left out, and nothing said so)
    const dot = this.settings.authUserModel.indexOf('.');
    const userApp = this.apps.find(a => a.label === this.settings.authUserModel.slice(0, dot));
    if (userApp && n.ref.name === this.settings.authUserModel.slice(dot + 1) && (n.ref.module === `${userApp.module}.models` || n.ref.module.startsWith(`${userApp.module}.models.`))) return true;
    let annotations = 0;
    for (const s of n.ref.def.body) {
      if (s.type === 'AnnAssign') annotations++;
      if ((s.type === 'Assign' || s.type === 'AnnAssign') && s.value?.type === 'Call') {
        const func = s.value.func.type === 'Subscript' ? s.value.func.value : s.value.func;
        const d = dottedName(func);
        if (!d) continue;
        if (this.fieldKind(n.ref.module, func)) return true;
        const r = this.sym.expr(n.ref.module, func);
        if (r?.kind === 'external' && /^django\.(db\.models|contrib\.gis\.db\.models|contrib\.postgres\.fields)\./.test(r.dotted) && /Field$|Key$/.test(r.dotted)) return true;
      }
    }
    // fields declared by annotations alone (`width: int | None = None`) and none of Django's: a dataclass-like schema
    // (a ClassVar annotation is a class attribute: openwisp's BaseLocation)
    if (annotations > 0 && n.ref.def.body.some(s => s.type === 'AnnAssign' && !/^(typing\.)?ClassVar\b/.test(dottedName(s.annotation.type === 'Subscript' ? s.annotation.value : s.annotation) ?? ''))) return false;
    const last = baseText.split('.').pop() ?? '';
    if (NOT_MODEL_NAME.test(last)) return false;
    // a class of a `models` module (`from django.contrib.auth.models import AbstractUser` without Django installed,
    // `from somepkg import models as sm` … `sm.Base`): what Django apps keep there
    const fromModule = from && from.includes('.') ? from.slice(0, from.lastIndexOf('.')) : null;
    // (not a form or serializer declared there: its Meta names `model` / `fields`, kuma's TagForm(TagBase))
    const formLike = NOT_MODEL_NAME.test(n.ref.name) || n.ref.def.body.some(st => st.type === 'ClassDef' && st.name === 'Meta' && metaKeys(st).some(k => FORM_META_KEYS.has(k)));
    // (and itself in a models module: kpi's DataCollectorUser(AnonymousUser) in authentication.py is no model; nor a
    // base that models modules keep beside their models: managers, querysets, AnonymousUser)
    const inModels = /(^|\.)models(\.|$)/.test(n.ref.module);
    // (nor fields, metaclasses and other helpers: mptt's TreeForeignKey, MPTTModelBase)
    if (fromModule && /(^|\.)models$/.test(fromModule) && /^[A-Z]/.test(last) && !/Manager$|QuerySet$|^Anonymous|Field$|Key$|ModelBase$|Metaclass$|Descriptor$|Error$|Exception$|Lookup$|Transform$|Expression$|Func$/.test(last) && !formLike && inModels) return true;
    // a model's own options (etools' proxy ActionPointComment of django_comments' Comment), or a manager (etools'
    // Location(AbstractLocation) with managers only): a serializer's or a form's Meta names `model`/`fields`
    for (const s of n.ref.def.body) {
      if (s.type === 'ClassDef' && s.name === 'Meta') {
        const keys = metaKeys(s);
        if (!keys.some(k => FORM_META_KEYS.has(k)) && keys.some(k => MODEL_META_KEYS.has(k))) return true;
        // `abstract = False` (openwisp's swappable sample models: `class Meta(Base.Meta): abstract = False`)
        if (s.body.some(x => x.type === 'Assign' && x.targets.some(t => t.type === 'Name' && t.id === 'abstract') && x.value.type === 'Constant' && x.value.value === false)) return true;
      }
      if (s.type === 'Assign' && s.value.type === 'Call' && /Manager$/.test(dottedName(s.value.func)?.split('.').pop() ?? '') && s.targets.some(t => t.type === 'Name')) return true;
    }
    return /Model$/.test(last) && !/^(Base)?Model(Admin|Form|Serializer|Resource|ViewSet)/.test(last);
  }

  /** C3 linearisation (Python's MRO); unresolvable bases are opaque leaves named by their text. */
  private mro(n: ClassNode, depth = 0): (ClassNode | string)[] {
    if (n.mro) return n.mro;
    if (depth > 50 || this.inProgress.has('o:' + n.key)) return [n];
    this.inProgress.add('o:' + n.key);
    try {
      const bases = this.basesOf(n);
      const seqs: (ClassNode | string)[][] = bases.map(b => ('node' in b ? this.mro(b.node, depth + 1) : ['external' in b ? b.external : b.unresolved]));
      seqs.push(bases.map(b => ('node' in b ? b.node : 'external' in b ? b.external : b.unresolved)));
      const out: (ClassNode | string)[] = [n];
      const id = (x: ClassNode | string) => (typeof x === 'string' ? 'x:' + x : x.key);
      const work = seqs.map(s => [...s]).filter(s => s.length);
      while (work.length) {
        let head: ClassNode | string | null = null;
        for (const s of work) {
          const cand = s[0]!;
          if (!work.some(t => t.slice(1).some(x => id(x) === id(cand)))) {
            head = cand;
            break;
          }
        }
        // inconsistent hierarchy (Python raises TypeError): fall back to the first candidate
        if (head === null) head = work[0]![0]!;
        out.push(head);
        const hid = id(head);
        for (const s of work) if (s.length && id(s[0]!) === hid) s.shift();
        for (let i = work.length - 1; i >= 0; i--) if (!work[i]!.length) work.splice(i, 1);
      }
      n.mro = out;
      return out;
    } finally {
      this.inProgress.delete('o:' + n.key);
    }
  }

  // ---- Meta --------------------------------------------------------------------------------------

  private ownMetaDef(n: ClassNode): A.ClassDef | null {
    let found: A.ClassDef | null = null;
    for (const s of n.ref.def.body) if (s.type === 'ClassDef' && s.name === 'Meta') found = s;
    return found;
  }

  /** The class's own `Meta` as a MetaNode (unforced: as Django reads it while creating this class). */
  private ownMeta(n: ClassNode): MetaNode | null {
    if (n.meta !== undefined) return n.meta;
    const def = this.ownMetaDef(n);
    n.meta = null;
    if (!def) return null;
    const own = new Map<string, A.Expr>();
    for (const s of def.body) {
      if (s.type === 'Assign') {
        for (const t of s.targets) if (t.type === 'Name') own.set(t.id, s.value);
      } else if (s.type === 'AnnAssign' && s.target.type === 'Name' && s.value) own.set(s.target.id, s.value);
    }
    const meta: MetaNode = { def, module: n.ref.module, forceAbstractFalse: false, own, bases: [], opaqueBase: false };
    n.meta = meta;
    for (const b of def.bases) {
      const m = this.metaOfExpr(n.ref.module, b);
      if (m) meta.bases.push(m);
      else if (!(b.type === 'Name' && b.id === 'object')) meta.opaqueBase = true;
    }
    return meta;
  }

  /** `class Meta(Parent.Meta)`: the Meta class `Parent.Meta` names (as Python's attribute lookup finds it). */
  private metaOfExpr(module: string, e: A.Expr): MetaNode | null {
    if (e.type === 'Attribute' && e.attr === 'Meta') {
      const r = this.sym.expr(module, e.value);
      if (r?.kind === 'class') return this.classMetaAttr(this.node(r));
      return null;
    }
    const r = this.sym.expr(module, e);
    if (r?.kind === 'class') {
      // a Meta class defined at module level and used as a base: read it like a Meta
      const fake: ClassNode = this.node({ ...r, key: r.key + ':asmeta' });
      if (fake.meta === undefined) {
        const own = new Map<string, A.Expr>();
        for (const s of r.def.body) if (s.type === 'Assign') for (const t of s.targets) if (t.type === 'Name') own.set(t.id, s.value);
        fake.meta = { def: r.def, module: r.module, forceAbstractFalse: false, own, bases: [], opaqueBase: false };
      }
      return fake.meta;
    }
    return null;
  }

  /**
   * `getattr(cls, "Meta")` after class creation: Django pops `Meta` from a model's namespace and puts it back
   * only for abstract models (with `abstract = False`), so the first class in the MRO that still has one.
   */
  private classMetaAttr(n: ClassNode): MetaNode | null {
    for (const c of this.mro(n)) {
      if (typeof c === 'string') continue;
      const def = this.ownMetaDef(c);
      if (!def) continue;
      if (this.isModel(c)) {
        if (!this.isAbstract(c)) continue;
        const m = this.ownMeta(c)!;
        return { ...m, forceAbstractFalse: true };
      }
      return this.ownMeta(c);
    }
    return null;
  }

  private metaLookup(meta: MetaNode | null, attr: string, depth = 0): { expr: A.Expr; module: string } | { forced: unknown } | undefined {
    if (!meta || depth > 20) return undefined;
    if (attr === 'abstract' && meta.forceAbstractFalse) return { forced: false };
    const e = meta.own.get(attr);
    if (e) return { expr: e, module: meta.module };
    for (const b of meta.bases) {
      const r = this.metaLookup(b, attr, depth + 1);
      if (r) return r;
    }
    return undefined;
  }

  private metaValue(meta: MetaNode | null, attr: string, node: ClassNode): { ok: true; value: unknown } | { ok: false; missing: boolean } {
    const r = this.metaLookup(meta, attr);
    if (!r) return { ok: false, missing: true };
    if ('forced' in r) return { ok: true, value: r.forced };
    const v = this.evaluate(r.module, r.expr);
    if (!v.ok) {
      // an inherited Meta's value is written in its own module (PeeringDB: django_peeringdb's abstract bases)
      const file = r.module === node.ref.module ? node.ref.file : this.sym.index.resolve(r.module)?.file ?? node.ref.file;
      const from = file === node.ref.file ? '' : ` (inherited from ${r.module})`;
      this.problem(file, r.expr.line, `Meta.${attr} of ${node.ref.name}${from} cannot be evaluated statically; Django's default is assumed`);
      return { ok: false, missing: false };
    }
    return v;
  }

  /** The Meta Django uses for `n`: its own, else the inherited `Meta` attribute. */
  private effectiveMeta(n: ClassNode): MetaNode | null {
    if (n.effMeta === undefined) n.effMeta = this.ownMeta(n) ?? this.inheritedMeta(n);
    return n.effMeta;
  }

  private inheritedMeta(n: ClassNode): MetaNode | null {
    for (const c of this.mro(n).slice(1)) {
      if (typeof c === 'string') continue;
      const def = this.ownMetaDef(c);
      if (!def) continue;
      if (this.isModel(c)) {
        if (!this.isAbstract(c)) continue;
        return { ...this.ownMeta(c)!, forceAbstractFalse: true };
      }
      return this.ownMeta(c);
    }
    return null;
  }

  /** `abstract = getattr(attr_meta, "abstract", False)`: only the class's own Meta counts. */
  private isAbstract(n: ClassNode): boolean {
    if (n.abstract !== undefined) return n.abstract;
    n.abstract = false;
    const own = this.ownMeta(n);
    const v = own ? this.metaValue(own, 'abstract', n) : { ok: false as const, missing: true };
    n.abstract = v.ok ? truthy(v.value) : false;
    return n.abstract;
  }

  // ---- app labels, names, tables -----------------------------------------------------------------

  /** `apps.get_containing_app_config(module)`: the installed app whose module is the longest prefix. */
  private containingApp(module: string): AppInfo | null {
    let m = module;
    for (;;) {
      const a = this.appsByModule.get(m);
      if (a) return a;
      const i = m.lastIndexOf('.');
      if (i < 0) return null;
      m = m.slice(0, i);
    }
  }

  private appLabel(n: ClassNode): string | null {
    if (n.label !== undefined) return n.label;
    n.label = null;
    // django-typed-models: a subclass of a typed base takes the base's app label unless its own Meta names one
    const typed = this.typedBase(n);
    if (typed) {
      const own = this.metaValue(this.ownMeta(n), 'app_label', n);
      n.label = own.ok && typeof own.value === 'string' ? own.value : this.appLabel(typed);
      return n.label;
    }
    const v = this.metaValue(this.effectiveMeta(n), 'app_label', n);
    if (v.ok && typeof v.value === 'string') n.label = v.value;
    else n.label = this.containingApp(n.ref.module)?.label ?? null;
    return n.label;
  }

  private modelKey(n: ClassNode): string | null {
    const label = this.appLabel(n);
    return label ? `${label}.${n.ref.name}` : null;
  }

  private isProxy(n: ClassNode): boolean {
    if (n.proxy !== undefined) return n.proxy;
    n.proxy = false;
    const v = this.metaValue(this.effectiveMeta(n), 'proxy', n);
    n.proxy = (v.ok && truthy(v.value)) || this.typedBase(n) !== null;
    return n.proxy;
  }

  /**
   * django-typed-models (`typedmodels.models.TypedModel`, single-table inheritance): its metaclass makes every
   * subclass of a concrete typed model a proxy of it, in the base's app unless the subclass's own Meta names an app
   * (OSF's storage add-ons: `addons.osfstorage.models.OsfStorageFileNode(BaseFileNode)` is the proxy
   * `osf.OsfStorageFileNode`, created by osf's migrations). Returns that concrete typed model, as
   * TypedModelMetaclass finds it: the bases from the last, a proxy's own bases in its place; null for TypedModel's
   * direct subclasses (the typed base itself), other classes, and a subclass whose own Meta says `proxy = True`
   * (an ordinary proxy: the metaclass leaves it as Django makes it).
   */
  private typedBase(n: ClassNode): ClassNode | null {
    if (n.typedBase !== undefined) return n.typedBase;
    n.typedBase = null;
    if (!this.isTyped(n)) return null;
    // (the metaclass reads `proxy` of the class's own Meta, its Meta's bases included; one it cannot be read for is
    // taken as set)
    const own = this.metaValue(this.ownMeta(n), 'proxy', n);
    if (own.ok ? truthy(own.value) : !own.missing) return null;
    const work = [...this.basesOf(n)];
    while (work.length) {
      const b = work.pop()!;
      if (!('node' in b) || isTypedModel(b.node) || !this.isTyped(b.node)) continue;
      if (this.isProxy(b.node)) {
        work.push(...this.basesOf(b.node));
        continue;
      }
      n.typedBase = b.node;
      break;
    }
    return n.typedBase;
  }

  /** Whether `n` derives from django-typed-models' TypedModel (read from the environment, or only named). */
  private isTyped(n: ClassNode): boolean {
    if (n.typed !== undefined) return n.typed;
    n.typed = false;
    n.typed = this.basesOf(n).some(b => ('node' in b ? isTypedModel(b.node) || this.isTyped(b.node) : ('external' in b ? b.external : b.origin) === TYPED_MODEL));
    return n.typed;
  }

  /**
   * A base `Owner.field.through` where `field` is a ManyToManyField of model `Owner` without `through=`: the model
   * Django creates for it (create_many_to_many_intermediary_model), `<app>.<Owner>_<field>`, whose table is the field's
   * `db_table` or `<Owner's table>_<field>` cut as the default database's backend cuts names. CourtListener's
   * `class DocketTags(Docket.tags.through)` proxies (django-pghistory tracks them).
   */
  private autoThrough(n: ClassNode): { key: string; table: string } | null {
    if (n.autoThrough !== undefined) return n.autoThrough;
    n.autoThrough = null;
    for (const b of n.ref.def.bases) {
      if (b.type !== 'Attribute' || b.attr !== 'through' || b.value.type !== 'Attribute') continue;
      const r = this.sym.expr(n.ref.module, b.value.value);
      if (r?.kind !== 'class' || r.key === n.key) continue;
      const owner = this.node(r);
      const label = this.isModel(owner) && !this.isAbstract(owner) ? this.appLabel(owner) : null;
      const f = label ? this.fields(owner).find(x => x.name === (b.value as A.Attribute).attr && x.kind === 'ManyToManyField') : undefined;
      if (!label || !f?.call || kwarg(f.call, 'through')) continue;
      const named = kwarg(f.call, 'db_table');
      const v = named ? this.evaluate(f.module, named) : null;
      if (v && !(v.ok && typeof v.value === 'string' && v.value)) continue;
      const engine = this.settings.databases.find(d => d.alias === 'default')?.engine;
      const table = v?.ok ? String(v.value) : truncateName(`${this.table(owner)}_${f.name}`, maxNameLength(engine));
      n.autoThrough = { key: `${label}.${owner.ref.name}_${f.name}`, table };
      break;
    }
    return n.autoThrough;
  }

  /** Direct bases that are models (ModelBase `parents`). */
  private modelParents(n: ClassNode): ClassNode[] {
    const out: ClassNode[] = [];
    for (const b of this.basesOf(n)) if ('node' in b && this.isModel(b.node)) out.push(b.node);
    return out;
  }

  /** `_meta.concrete_model`: for a proxy, the concrete model of its first non-abstract model parent. */
  private concreteOf(n: ClassNode, depth = 0): ClassNode {
    if (depth > 30 || !this.isProxy(n)) return n;
    for (const p of this.modelParents(n)) if (!this.isAbstract(p)) return this.concreteOf(p, depth + 1);
    return n;
  }

  private table(n: ClassNode, depth = 0): string {
    // Options.setup_proxy: a proxy uses its concrete model's table whatever its own Meta says
    if (this.isProxy(n) && depth < 30) {
      for (const p of this.modelParents(n)) if (!this.isAbstract(p)) return this.table(p, depth + 1);
      const through = this.autoThrough(n);
      if (through) return through.table;
    }
    const v = this.metaValue(this.effectiveMeta(n), 'db_table', n);
    if (v.ok && typeof v.value === 'string' && v.value) return v.value;
    return `${this.appLabel(n) ?? ''}_${n.ref.name.toLowerCase()}`;
  }

  // ---- fields ------------------------------------------------------------------------------------

  /** Names a class body binds (fields, methods, attributes): they shadow inherited abstract fields. */
  private bodyNames(n: ClassNode): Set<string> {
    if (n.bodyNames) return n.bodyNames;
    const out = new Set<string>();
    const add = (body: A.Stmt[]) => {
      for (const s of body) {
        if (s.type === 'Assign') {
          for (const t of s.targets) if (t.type === 'Name') out.add(t.id);
        } else if (s.type === 'AnnAssign' && s.target.type === 'Name') out.add(s.target.id);
        else if (s.type === 'FunctionDef' || s.type === 'ClassDef') out.add(s.name);
        else if (s.type === 'If') {
          add(s.body);
          add(s.orelse);
        }
      }
    };
    add(n.ref.def.body);
    n.bodyNames = out;
    return out;
  }

  /** Relation kind of a field class expression, through subclasses of Django's relation fields. */
  private fieldKind(module: string, func: A.Expr, depth = 0): RelationKind | null {
    if (depth > 20) return null;
    // django-stubs' generic form: models.ForeignKey[Page](…) (dis-wagtail)
    if (func.type === 'Subscript') return this.fieldKind(module, func.value, depth + 1);
    const r = func.type === 'Name' || func.type === 'Attribute' ? this.sym.expr(module, func) : null;
    if (!r) return null;
    if (r.kind === 'external') {
      const k = RELATION_CANONICAL[r.dotted];
      if (k) return k;
      // an unresolvable import named like one of Django's relation fields (or a subclass, e.g. TreeForeignKey)
      const last = r.dotted.split('.').pop() ?? '';
      if (!r.dotted.startsWith('django.')) {
        if (/ForeignKey$/.test(last)) return 'ForeignKey';
        if (/OneToOneField$/.test(last)) return 'OneToOneField';
        if (/ManyToManyField$/.test(last)) return 'ManyToManyField';
      } else if (/^django\.db\.models\.(fields\.related\.)?/.test(r.dotted)) {
        return null;
      } else {
        if (last === 'ForeignKey' || last === 'OneToOneField' || last === 'ManyToManyField') return last;
      }
      return null;
    }
    if (r.kind === 'class') {
      const key = 'f:' + r.key;
      if (this.inProgress.has(key)) return null;
      this.inProgress.add(key);
      try {
        for (const b of r.def.bases) {
          const k = this.fieldKind(r.module, b, depth + 1);
          if (k) return k;
        }
      } finally {
        this.inProgress.delete(key);
      }
    }
    return null;
  }

  private localFields(n: ClassNode): FieldSpec[] {
    if (n.localFields) return n.localFields;
    const out: FieldSpec[] = [];
    const add = (body: A.Stmt[]) => {
      for (const s of body) {
        let name: string | null = null;
        let value: A.Expr | null = null;
        if (s.type === 'Assign' && s.targets.length === 1 && s.targets[0]!.type === 'Name') {
          name = s.targets[0]!.id;
          value = s.value;
        } else if (s.type === 'AnnAssign' && s.target.type === 'Name' && s.value) {
          name = s.target.id;
          value = s.value;
        } else if (s.type === 'If') {
          add(s.body);
          add(s.orelse);
          continue;
        }
        if (!name || value?.type !== 'Call') continue;
        const kind = this.fieldKind(n.ref.module, value.func);
        if (!kind) continue;
        const pl = kwarg(value, 'parent_link');
        out.push({
          name, kind, call: value, module: n.ref.module, line: s.line, file: n.ref.file, declaredIn: n,
          parentLink: kind === 'OneToOneField' && !!pl && pl.type === 'Constant' && pl.value === true,
        });
      }
    };
    add(n.ref.def.body);
    n.localFields = out;
    return out;
  }

  /** Field names a model has (for clash checks with abstract fields): its body, its model ancestors'. */
  private deepNames(n: ClassNode, depth = 0, acc = new Set<string>()): Set<string> {
    if (depth > 30) return acc;
    for (const x of this.bodyNames(n)) acc.add(x);
    for (const p of this.modelParents(n)) this.deepNames(p, depth + 1, acc);
    return acc;
  }

  /**
   * `_meta.local_fields + local_many_to_many` that are relations, as ModelBase.__new__ builds them: own fields,
   * copies of abstract parents' fields not shadowed, and `<parent>_ptr` links to concrete parents.
   */
  private fields(n: ClassNode, depth = 0): FieldSpec[] {
    if (n.allFields) return n.allFields;
    if (depth > 30 || this.inProgress.has('a:' + n.key)) return this.localFields(n);
    this.inProgress.add('a:' + n.key);
    try {
      const out = [...this.localFields(n)];
      const names = this.bodyNames(n);
      const parents = this.modelParents(n);
      const proxy = this.isProxy(n);
      const inherited = new Set<string>();
      // parent links declared explicitly (OneToOneField(parent_link=True)) on this class or abstract parents
      const linkTargets = new Set<string>();
      const collectLinks = (fs: FieldSpec[]) => {
        for (const f of fs) {
          if (!f.parentLink || !f.call) continue;
          const to = toExpr(f.call);
          if (!to) continue;
          const r = to.type === 'Name' || to.type === 'Attribute' ? this.sym.expr(f.module, to) : null;
          if (r?.kind === 'class') linkTargets.add(this.concreteOf(this.node(r)).key);
          else if (to.type === 'Constant' && typeof to.value === 'string') linkTargets.add('str:' + to.value.toLowerCase());
        }
      };
      collectLinks(out);
      for (const p of parents) if (this.isAbstract(p)) collectLinks(this.fields(p, depth + 1));

      for (const c of this.mro(n)) {
        if (typeof c === 'string') continue;
        if (c === n) continue;
        if (!parents.includes(c)) {
          for (const x of this.bodyNames(c)) inherited.add(x);
          continue;
        }
        if (!this.isAbstract(c)) {
          for (const x of this.deepNames(c)) inherited.add(x);
          const concrete = this.concreteOf(c);
          const key = this.modelKey(concrete);
          const linked = linkTargets.has(concrete.key) || (key !== null && (linkTargets.has('str:' + key.toLowerCase()) || linkTargets.has('str:' + concrete.ref.name.toLowerCase())));
          if (!linked && !proxy) {
            const attr = `${concrete.ref.name.toLowerCase()}_ptr`;
            if (!names.has(attr) && !out.some(f => f.name === attr)) {
              out.push({ name: attr, kind: 'OneToOneField', call: null, module: n.ref.module, line: n.ref.def.line, file: n.ref.file, declaredIn: n, parentLink: true, autoTarget: concrete });
            }
          }
        } else {
          for (const f of this.fields(c, depth + 1)) {
            if (names.has(f.name) || inherited.has(f.name) || out.some(g => g.name === f.name)) continue;
            out.push({ ...f, inheritedFrom: f.inheritedFrom ?? f.declaredIn });
          }
        }
      }
      n.allFields = out;
      return out;
    } finally {
      this.inProgress.delete('a:' + n.key);
    }
  }

  /** Resolve a relation target the way `resolve_relation` does, with `scope` the model the field is on. */
  private target(f: FieldSpec, e: A.Expr | null, scopeLabel: string, scopeKey: string): { target: string | null; raw: string } {
    if (!e) return { target: null, raw: '' };
    const fromString = (s: string): string | null => {
      if (s === 'self') return scopeKey;
      const full = s.includes('.') ? s : `${scopeLabel}.${s}`;
      const parts = full.split('.');
      if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
      return `${parts[0]}.${parts[1]}`;
    };
    if (e.type === 'Constant' && typeof e.value === 'string') return { target: fromString(e.value), raw: e.value };
    const raw = dottedName(e) ?? exprText(e);
    if (e.type === 'Name' || e.type === 'Attribute') {
      const setting = this.settingRef(f.module, e);
      if (setting !== undefined) {
        return { target: typeof setting === 'string' ? fromString(setting) : null, raw };
      }
      const r = this.sym.expr(f.module, e);
      if (r?.kind === 'class') {
        const node = this.node(r);
        // whether the class is a model, and its key, are read from it and its bases (computed once per run, maybe for
        // another model first): inputs of the model whose field this is too (the fuzzer, on etools: a base of the
        // target made unresolvable left the field pointing to the model it no longer is)
        this.noteHierarchy(node);
        if (this.isModel(node)) return { target: this.modelKey(node), raw };
        return { target: null, raw };
      }
    }
    const v = this.evaluate(f.module, e);
    if (v.ok && typeof v.value === 'string') return { target: fromString(v.value), raw };
    return { target: null, raw };
  }

  /** `settings.NAME` (django.conf.settings or the project's settings module): the setting's value, if known. */
  private settingRef(module: string, e: A.Expr): unknown {
    if (e.type !== 'Attribute') return undefined;
    const base = this.sym.expr(module, e.value);
    const isSettings = (base?.kind === 'external' && base.dotted === 'django.conf.settings') || (base?.kind === 'module' && base.name === this.settings.module);
    if (!isSettings) return undefined;
    return this.setting(e.attr) ?? null;
  }

  private setting(name: string): unknown {
    if (name === 'AUTH_USER_MODEL') return this.settings.authUserModel || 'auth.User';
    if (name === 'INSTALLED_APPS') return this.settings.installedApps.filter(a => a !== null);
    this.memo?.settingsRead?.add(name);
    return this.settings.values[name];
  }

  /** Small static evaluation: literals, module constants, settings.X, getattr(settings, "X", default), str +. */
  private evaluate(module: string, e: A.Expr, depth = 0): { ok: true; value: unknown } | { ok: false } {
    if (depth > 20) return { ok: false };
    const lit = literalEval(e);
    if (lit.ok) return lit;
    // `app_config.app_name` of a module-level instance of a class of the project: its class attribute, or a
    // property returning a value that can be read (giga-maps: Meta.app_label = app_config.app_name)
    if (e.type === 'Attribute' && (e.value.type === 'Name' || e.value.type === 'Attribute')) {
      const holder = this.sym.expr(module, e.value);
      const cls = holder?.kind === 'value' && holder.expr.type === 'Call' ? this.sym.expr(holder.module, holder.expr.func) : null;
      if (cls?.kind === 'class') {
        for (const st of cls.def.body) {
          if (st.type === 'Assign' && st.targets.some(t => t.type === 'Name' && t.id === e.attr)) return this.evaluate(cls.module, st.value, depth + 1);
          if (st.type === 'FunctionDef' && st.name === e.attr && st.decorators.some(d => d.type === 'Name' && d.id === 'property')) {
            const body = st.body.filter(x => !(x.type === 'Expr' && x.value.type === 'Constant'));
            if (body.length === 1 && body[0]!.type === 'Return' && body[0]!.value) return this.evaluate(cls.module, body[0]!.value, depth + 1);
          }
        }
      }
    }
    if (e.type === 'Name' || e.type === 'Attribute') {
      const s = this.settingRef(module, e);
      if (s !== undefined && s !== null) return { ok: true, value: s };
      if (e.type === 'Name' && (e.id === 'True' || e.id === 'False')) return { ok: true, value: e.id === 'True' };
      const r = this.sym.expr(module, e);
      if (r?.kind === 'value') return this.evaluate(r.module, r.expr, depth + 1);
      // a module constant bound to a setting: `SEEK_DATABASE = settings.SEEK_DATABASE`
      if (r?.kind === 'external' && r.dotted.startsWith('django.conf.settings.') && r.dotted.split('.').length === 4) {
        const v = this.setting(r.dotted.split('.')[3]!);
        if (v !== undefined) return { ok: true, value: v };
      }
      return { ok: false };
    }
    // a translated text, `app_label = _("locations")` (archivematica-storage-service): the text as written (no
    // translation is active while Django registers models)
    if (e.type === 'Call' && (e.func.type === 'Name' || e.func.type === 'Attribute') && e.args.length >= 1) {
      const at = translationTextArg(this.sym.importOrigin(module, e.func) ?? '');
      const text = at === null ? undefined : e.args[at];
      if (text) return this.evaluate(module, text, depth + 1);
    }
    // django-swappable-models: swapper.swappable_setting("aurora", "Record") is the setting's name (HOPE's
    // Meta.swappable), "AURORA_RECORD_MODEL"
    if (e.type === 'Call' && (e.func.type === 'Name' || e.func.type === 'Attribute') && (e.func.type === 'Name' ? e.func.id : e.func.attr) === 'swappable_setting' && e.args.length === 2) {
      const origin = this.sym.importOrigin(module, e.func) ?? (e.func.type === 'Attribute' ? dottedName(e.func.value) : null) ?? '';
      const [a, m] = e.args.map(x => literalEval(x));
      if (origin.startsWith('swapper') && a?.ok && m?.ok && typeof a.value === 'string' && typeof m.value === 'string') {
        return { ok: true, value: a.value === 'auth' && m.value === 'User' ? 'AUTH_USER_MODEL' : `${a.value.toUpperCase()}_${m.value.toUpperCase()}_MODEL` };
      }
    }
    if (e.type === 'Call' && e.func.type === 'Name' && e.func.id === 'getattr' && e.args.length >= 2) {
      const obj = this.sym.expr(module, e.args[0]!);
      const name = literalEval(e.args[1]!);
      if (obj?.kind === 'external' && obj.dotted === 'django.conf.settings' && name.ok && typeof name.value === 'string') {
        const v = this.setting(name.value);
        if (v !== undefined) return { ok: true, value: v };
        if (e.args[2]) return this.evaluate(module, e.args[2], depth + 1);
      }
      return { ok: false };
    }
    if (e.type === 'UnaryOp' && e.op === 'not') {
      const v = this.evaluate(module, e.operand, depth + 1);
      return v.ok ? { ok: true, value: !truthy(v.value) } : { ok: false };
    }
    // DRF's authtoken: `abstract = "rest_framework.authtoken" not in settings.INSTALLED_APPS`, `proxy = … in …`
    if (e.type === 'Compare' && e.ops.length === 1) {
      const l = this.evaluate(module, e.left, depth + 1);
      const r = this.evaluate(module, e.comparators[0]!, depth + 1);
      if (!l.ok || !r.ok) return { ok: false };
      const op = e.ops[0];
      if (op === 'in' || op === 'not in') {
        if (!Array.isArray(r.value) && typeof r.value !== 'string') return { ok: false };
        const has = Array.isArray(r.value) ? r.value.includes(l.value) : typeof l.value === 'string' && r.value.includes(l.value);
        // a list that may hold more (INSTALLED_APPS partly known) answers only what it holds
        if (!has && this.maybeMore(e.comparators[0]!)) return { ok: false };
        return { ok: true, value: op === 'in' ? has : !has };
      }
      if (op === '==' || op === '!=') {
        const same = JSON.stringify(l.value) === JSON.stringify(r.value);
        return { ok: true, value: op === '==' ? same : !same };
      }
      return { ok: false };
    }
    if (e.type === 'BoolOp') {
      let last: unknown = e.op === 'and';
      for (const x of e.values) {
        const v = this.evaluate(module, x, depth + 1);
        if (!v.ok) return { ok: false };
        last = v.value;
        if (e.op === 'and' ? !truthy(v.value) : truthy(v.value)) return { ok: true, value: v.value };
      }
      return { ok: true, value: last };
    }
    if (e.type === 'JoinedStr') {
      // f"{settings.TABLE_PREFIX}organization"
      let out = '';
      for (const part of e.values) {
        if (part.type === 'Constant') { out += String(part.value); continue; }
        if (part.conversion || part.formatSpec) return { ok: false };
        const v = this.evaluate(module, part.value, depth + 1);
        if (!v.ok || (typeof v.value !== 'string' && typeof v.value !== 'number')) return { ok: false };
        out += String(v.value);
      }
      return { ok: true, value: out };
    }
    if (e.type === 'BinOp' && e.op === '+') {
      const l = this.evaluate(module, e.left, depth + 1);
      const r = this.evaluate(module, e.right, depth + 1);
      if (l.ok && r.ok && typeof l.value === 'string' && typeof r.value === 'string') return { ok: true, value: l.value + r.value };
    }
    return { ok: false };
  }

  /** Whether an expression names a collection setting that may hold more than its known entries. */
  private maybeMore(e: A.Expr): boolean {
    const d = dottedName(e) ?? '';
    const name = d.split('.').pop() ?? '';
    return !!this.settings.partial?.some(p => p.name === name) || this.settings.unknowns.some(u => u.name === '*' || u.name === name)
      || (name === 'INSTALLED_APPS' && this.settings.installedApps.includes(null));
  }

  // ---- ModelInfo ---------------------------------------------------------------------------------

  private modelInfo(n: ClassNode): ModelInfo | null {
    const abstract = this.isAbstract(n);
    const label = this.appLabel(n);
    const name = n.ref.name;
    if (!label) {
      if (!abstract) {
        this.problem(n.ref.file, n.ref.def.line, `Model class ${n.ref.module}.${name} doesn't declare an explicit app_label and isn't in an application in INSTALLED_APPS.`);
      }
      return null;
    }
    const key = `${label}.${name}`;
    if (!this.labels.has(label)) {
      if (!abstract) this.problem(n.ref.file, n.ref.def.line, `Model ${key} has app_label '${label}', which is not an installed app; Django does not list it`, key);
      return null;
    }
    const meta = this.effectiveMeta(n);
    const proxy = this.isProxy(n);
    const managedV = this.metaValue(meta, 'managed', n);
    const managed = managedV.ok ? truthy(managedV.value) : true;

    let swapped = false;
    let swappedFor: string | undefined;
    const sw = this.metaValue(meta, 'swappable', n);
    if (sw.ok && typeof sw.value === 'string' && sw.value) {
      // Options.swapped
      const v = this.setting(sw.value);
      if (typeof v === 'string' && v) {
        const parts = v.split('.');
        if (parts.length !== 2 || `${parts[0]}.${parts[1]!.toLowerCase()}` !== `${label}.${name.toLowerCase()}`) {
          swapped = true;
          swappedFor = v;
        }
      }
    }

    let concreteKey: string | undefined;
    if (proxy && !abstract) {
      const parents = this.modelParents(n).filter(p => !this.isAbstract(p));
      const through = parents.length ? null : this.autoThrough(n);
      if (!parents.length && !through) {
        // a base that could not be read (a package not installed here) is the likelier cause than the project's code
        const unreadBases = this.basesOf(n).filter((b): b is { unresolved: string; origin?: string | null } | { external: string; text: string } => !('node' in b) && !('external' in b && b.external === 'django.db.models.Model'));
        const unread = unreadBases.map(b => ('external' in b ? b.text : b.unresolved));
        // (imported from a package the environment read lacks, CourtListener's `User.groups.through` without Django:
        // the environment's to fix, an info beside the one that says the package is missing)
        const missing = unreadBases.map(b => ('external' in b ? b.external : b.origin)?.split('.')[0]).find(top => !!top && !this.sym.index.resolve(top));
        const message = unread.length
          ? `Proxy model '${name}': its base ${unread.join(', ')} could not be resolved${missing ? ` (${missing} is not installed in the Python environment used)` : ''}, so its concrete model (and table) are not known`
          : `Proxy model '${name}' has no non-abstract model base class.`;
        if (missing) this.addProblem({ path: n.ref.file, line: n.ref.def.line, message, model: key, environment: true });
        else this.problem(n.ref.file, n.ref.def.line, message, key);
      }
      const c = this.concreteOf(n);
      concreteKey = (c === n && through ? through.key : this.modelKey(c)) ?? undefined;
    }

    const fields: RelationField[] = [];
    for (const f of abstract || !proxy ? this.fields(n) : this.localFields(n)) {
      fields.push(this.relationField(f, label, key));
    }

    const bases: string[] = [];
    for (const p of this.modelParents(n)) {
      const k = this.modelKey(p);
      if (k) bases.push(k);
    }

    const info: ModelInfo = {
      app: label,
      name,
      key,
      managed,
      proxy,
      abstract,
      swapped,
      table: this.table(n),
      modelName: name.toLowerCase(),
      loc: { path: n.ref.file, line: n.ref.def.line, column: n.ref.def.col },
      bases,
      fields,
      attrs: this.attrs(n),
      meta: this.metaLiterals(meta),
    };
    if (concreteKey) info.concreteModel = concreteKey;
    else if (!abstract) info.concreteModel = key;
    if (swappedFor) info.swappedFor = swappedFor;
    return info;
  }

  private relationField(f: FieldSpec, label: string, key: string): RelationField {
    if (f.autoTarget) {
      const t = this.modelKey(f.autoTarget);
      return {
        name: f.name, kind: 'OneToOneField', target: t, targetRaw: t ?? f.autoTarget.ref.name, dbConstraint: true,
        loc: { path: f.file, line: f.line }, parentLink: true, autoCreated: true,
        ...(f.inheritedFrom ? { inheritedFrom: this.modelKey(f.inheritedFrom) ?? f.inheritedFrom.ref.name } : {}),
      };
    }
    const call = f.call!;
    const { target, raw } = this.target(f, toExpr(call), label, key);
    const dbc = kwarg(call, 'db_constraint');
    let dbConstraint = true;
    if (dbc) {
      const v = this.evaluate(f.module, dbc);
      if (v.ok) dbConstraint = truthy(v.value);
    }
    const out: RelationField = {
      name: f.name, kind: f.kind, target: target ? this.canonicalModelKey(target) : null, targetRaw: raw, dbConstraint,
      loc: { path: f.file, line: f.line },
    };
    if (f.parentLink) out.parentLink = true;
    // the column/table names schema drift (core/drift.ts) looks for; null = written but not known statically
    const named = (kw: string): string | null | undefined => {
      const e = kwarg(call, kw);
      if (!e) return undefined;
      const v = this.evaluate(f.module, e);
      return v.ok && typeof v.value === 'string' && v.value ? v.value : null;
    };
    const dbColumn = f.kind === 'ManyToManyField' ? undefined : named('db_column');
    if (dbColumn !== undefined) out.dbColumn = dbColumn;
    const dbTable = f.kind === 'ManyToManyField' ? named('db_table') : undefined;
    if (dbTable !== undefined) out.dbTable = dbTable;
    if (f.kind === 'ManyToManyField') {
      const th = kwarg(call, 'through');
      if (th) {
        const t = this.target(f, th, label, key);
        out.through = t.target ? this.canonicalModelKey(t.target) : null;
      } else out.through = null;
    }
    if (f.inheritedFrom) out.inheritedFrom = this.modelKey(f.inheritedFrom) ?? f.inheritedFrom.ref.name;
    return out;
  }

  private modelNameIndex: Map<string, NameEntry> | null = null;
  /** Model lookups are case-insensitive (`apps.get_model`): spell the target as the class is named. */
  private canonicalModelKey(k: string): string {
    const names = this.nameIndex();
    const i = k.indexOf('.');
    const lower = k.slice(0, i) + '.' + k.slice(i + 1).toLowerCase();
    const found = names.get(lower);
    if (!found) {
      // (no file tells when such a model comes: the entry says which it did not find, memoModelInfo)
      this.canonicalMisses.add(lower);
      this.missed?.push(lower);
      return k;
    }
    if (found.deps) noteDeps(found.deps);
    else noteRead(found.file);
    return found.key;
  }

  /** The registered models by lower-cased key (canonicalModelKey), made once the classes are all met. */
  private nameIndex(): Map<string, NameEntry> {
    if (!this.modelNameIndex) {
      // untracked: each lookup records what the key of the model it found was read from
      this.modelNameIndex = untracked(() => {
        const index = new Map<string, NameEntry>();
        for (const n of this.registered) {
          // a model the memo keeps has the key it had (an edit recomputes a file's models, not every model's key),
          // and its entry here too (made once per memo entry: 1,500 models are indexed again after each edit)
          const hit = this.validHit(n);
          let entry = hit?.info ? NAME_ENTRIES.get(hit) : undefined;
          if (!entry) {
            const key = hit?.info ? hit.info.key : this.modelKey(n);
            if (!key) continue;
            entry = { lower: nameKey(key, n.ref.name), key, file: n.ref.file, ...(hit?.info ? { deps: hit.deps } : {}) };
            if (hit?.info) NAME_ENTRIES.set(hit, entry);
          }
          if (!index.has(entry.lower)) index.set(entry.lower, entry);
        }
        return index;
      });
    }
    return this.modelNameIndex;
  }

  /** Class attributes with literal values, nearest class in the MRO first. */
  private attrs(n: ClassNode): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const mro = this.mro(n).filter((c): c is ClassNode => typeof c !== 'string');
    for (const c of mro.reverse()) {
      for (const s of c.ref.def.body) {
        if (s.type !== 'Assign') continue;
        // a module constant or a setting as a class attribute (NExtSEEK: _DATABASE = SEEK_DATABASE, which is
        // settings.SEEK_DATABASE), read like Meta options are
        const v = s.value.type === 'Name' || s.value.type === 'Attribute' ? this.evaluate(c.ref.module, s.value) : literalEval(s.value);
        if (!v.ok) continue;
        for (const t of s.targets) if (t.type === 'Name') setProp(out, t.id, v.value);
      }
    }
    return out;
  }

  private metaLiterals(meta: MetaNode | null): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const visit = (m: MetaNode, depth: number) => {
      if (depth > 20) return;
      for (let i = m.bases.length - 1; i >= 0; i--) visit(m.bases[i]!, depth + 1);
      for (const [k, e] of m.own) {
        const v = this.evaluate(m.module, e);
        if (v.ok) setProp(out, k, v.value);
        else delete out[k];
      }
      if (m.forceAbstractFalse) out['abstract'] = false;
    };
    if (meta) visit(meta, 0);
    return out;
  }

  private problem(file: string | null, line: number | null, message: string, model?: string, parse = false): void {
    const p: ModelProblem = { path: file, line, message };
    if (model) p.model = model;
    if (parse) p.code = 'parse-error';
    this.addProblem(p);
  }

  /** A problem, once per place and message (a memo's replay keeps every field of it). */
  private addProblem(p: ModelProblem): void {
    const k = problemKey(p);
    if (this.problemKeys.has(k)) return;
    this.problemKeys.add(k);
    this.problems.push(p);
  }
}

/**
 * The problems in the order of their places (file, line): the order they were met in depends on what the memo kept (a
 * class whose facts it keeps is not decided again, nor are the bases deciding it reads), a scan from scratch's not.
 */
function inPlaceOrder(problems: ModelProblem[]): ModelProblem[] {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return problems.sort((a, b) => cmp(a.path ?? '', b.path ?? '') || (a.line ?? 0) - (b.line ?? 0) || cmp(a.message, b.message));
}

/** A model's entry in the name index (canonicalModelKey): its app label and its class's name, lower-cased. */
function nameKey(key: string, className: string): string {
  return `${key.split('.')[0]}.${className.toLowerCase()}`;
}

/**
 * The memo's entries of the classes registered now only, once it holds more than twice as many and 1,000: a
 * class's key holds its line, and edits above it leave entries under keys no class has any more.
 */
function dropStaleEntries(memo: ModelMemo, registered: readonly ClassRef[]): void {
  if (memo.entries.size <= 2 * registered.length + 1000) return;
  const live = new Map<string, MemoEntry>();
  for (const { key } of registered) {
    const e = memo.entries.get(key);
    if (e) live.set(key, e);
  }
  memo.entries = live;
}

/** A problem's identity: one per place and message (ModelReader.addProblem). */
function problemKey(p: ModelProblem): string {
  return `${p.path}:${p.line}:${p.message}`;
}

/** `Base` of `models.Base`, `Base` of `Base`. */
function lastName(dotted: string): string {
  return dotted.slice(dotted.lastIndexOf('.') + 1);
}

function walks(memo: ModelMemo): NonNullable<ModelMemo['walks']> {
  return (memo.walks ??= new Map());
}

/** An AST part as JSON without its positions (the same code moved by an edit above it is the same). */
function dump(x: unknown): string {
  return JSON.stringify(x, (k, v: unknown) => (k === 'line' || k === 'col' || k === 'endLine' || k === 'endCol' ? undefined : typeof v === 'bigint' ? `${v}n` : v)) ?? '';
}

/**
 * What of a class statement decides whether it is a model, which one and how Django registers it: its name, bases,
 * keywords (metaclass), decorators, nested classes (Meta) and each statement of its body but for the arguments of the
 * calls it assigns (a field's target, its options) and the bodies of its methods.
 */
function classShape(c: A.ClassDef): string {
  const body = c.body.map(st => {
    switch (st.type) {
      case 'FunctionDef': return `def ${st.name} ${dump(st.decorators)}`;
      case 'Assign': return `= ${dump(st.targets)} ${st.value.type === 'Call' ? `call ${dump(st.value.func)}` : dump(st.value)}`;
      case 'AnnAssign': return `: ${dump(st.target)} ${dump(st.annotation)} ${st.value?.type === 'Call' ? `call ${dump(st.value.func)}` : dump(st.value)}`;
      case 'Expr': return st.value.type === 'Constant' ? 'doc' : dump(st);
      default: return dump(st);
    }
  });
  return `${c.name}\u0000${dump(c.bases)}\u0000${dump(c.keywords)}\u0000${dump(c.decorators)}\u0000${body.join('\u0001')}`;
}

/**
 * Whether module `now` registers the classes `was` registered, in the same order and decided the same way (see
 * ModelReader.patch): the classes of both paired, and those `now` adds after its last statement; else null.
 */
function sameModelShape(was: A.Module, now: A.Module): { pairs: [A.ClassDef, A.ClassDef][]; appended: A.ClassDef[]; moved: string[] } | null {
  const a = moduleShape(was), b = moduleShape(now);
  if (b.rest.length < a.rest.length) return null;
  const pairs: [A.ClassDef, A.ClassDef][] = [];
  for (let i = 0; i < b.rest.length; i++) {
    const y = b.rest[i]!;
    const x = a.rest[i];
    if (!x) {
      if (y.type !== 'ClassDef') return null;
      continue;
    }
    if (x.type !== y.type || a.texts[i] !== b.texts[i]) return null;
    if (x.type === 'ClassDef') pairs.push([x, y as A.ClassDef]);
  }
  // functions added, dropped or renamed: under names nothing else here mentions (a name they bind instead of an
  // import or a class could be a base), in a module without a star import (whose names they could hide)
  const count = new Map<string, number>();
  for (const f of a.functions) count.set(f, (count.get(f) ?? 0) + 1);
  for (const f of b.functions) count.set(f, (count.get(f) ?? 0) - 1);
  const moved = [...count].filter(([, n]) => n !== 0).map(([name]) => name);
  const text = b.texts.join('\n');
  const classes = new Set<string>();
  for (const st of [...a.rest, ...b.rest]) if (st.type === 'ClassDef') classes.add(st.name);
  const named = (n: string) => classes.has(n) || text.includes(JSON.stringify(n));
  if (moved.length && (text.includes('"name":"*"') || moved.some(named))) return null;
  // (a function named as a class or an import: which of them the name is depends on their order, kept)
  if ([...count.keys()].some(named) && a.order.join('\n') !== b.order.slice(0, a.order.length).join('\n')) return null;
  // a class added under a name the module binds already (a class, a function, an import): the name is the new class's
  // for whoever imports it now (another module's base, say)
  const appended = b.rest.slice(a.rest.length) as A.ClassDef[];
  if (appended.length) {
    const bound = new Set<string>(a.functions);
    for (const st of a.rest) if (st.type === 'ClassDef') bound.add(st.name);
    const others = a.texts.filter((_t, i) => a.rest[i]!.type !== 'ClassDef').join('\n');
    for (const c of appended) {
      if (bound.has(c.name) || others.includes(JSON.stringify(c.name))) return null;
      bound.add(c.name);
    }
  }
  return { pairs, appended, moved };
}

/** A module's top level for sameModelShape: its statements but functions, each as it compares, and its functions' names. */
interface ModuleShape { rest: A.Stmt[]; texts: string[]; functions: string[]; order: string[] }
const MODULE_SHAPES = new WeakMap<A.Module, ModuleShape>();

function moduleShape(m: A.Module): ModuleShape {
  let shape = MODULE_SHAPES.get(m);
  if (!shape) {
    shape = { rest: [], texts: [], functions: [], order: [] };
    for (const st of m.body) {
      shape.order.push(st.type === 'FunctionDef' ? `def ${st.name}` : st.type === 'ClassDef' ? `class ${st.name}` : '');
      if (st.type === 'FunctionDef') { shape.functions.push(st.name); continue; }
      shape.rest.push(st);
      shape.texts.push(st.type === 'ClassDef' ? classShape(st) : dump(st));
    }
    MODULE_SHAPES.set(m, shape);
  }
  return shape;
}

const BUILTIN_BASES = new Set(['object', 'Exception', 'dict', 'list', 'str', 'int', 'tuple', 'set']);

/** Packages whose classes are models of another kind (schemas, records): a subclass is not a Django model. */
const NOT_DJANGO_MODELS = new Set(['pydantic', 'pydantic_core', 'pydantic_settings', 'ninja', 'msgspec', 'attr', 'attrs', 'marshmallow', 'sqlalchemy', 'dataclasses', 'typing', 'typing_extensions', 'enum']);

function isModelRoot(dotted: string): boolean {
  if (dotted === MODEL_CANONICAL) return true;
  // unresolvable `models.Model` from a re-exporting module (e.g. django.contrib.gis.db.models without Django)
  return !dotted.startsWith('django.db.') && /(^|\.)models\.Model$/.test(dotted);
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (v && typeof v === 'object' && !('bytes' in v)) return Object.keys(v).length > 0;
  if (v && typeof v === 'object' && 'bytes' in v) return (v as { bytes: string }).bytes.length > 0;
  return !!v;
}

function kwarg(call: A.Call, name: string): A.Expr | null {
  for (const k of call.keywords) if (k.arg === name) return k.value;
  return null;
}

/** `to` of a relation field: the `to=` keyword or the first positional argument. */
function toExpr(call: A.Call): A.Expr | null {
  return kwarg(call, 'to') ?? (call.args[0] && call.args[0].type !== 'Starred' ? call.args[0] : null);
}

function exprText(e: A.Expr): string {
  if (e.type === 'OtherExpr') return e.text;
  if (e.type === 'Call') return `${dottedName(e.func) ?? '?'}(…)`;
  if (e.type === 'Subscript') return `${dottedName(e.value) ?? '?'}[…]`;
  return dottedName(e) ?? e.type;
}

function setProp(obj: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Inside the workspace and not in an environment folder of it (a `.venv` inside the workspace is not project code). */
export function isWorkspaceFile(root: string, file: string): boolean {
  if (!file) return false;
  const rel = path.relative(path.resolve(root), path.resolve(file));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const parts = rel.split(path.sep);
  return !parts.includes('site-packages') && !parts.includes('dist-packages');
}

/**
 * Whether a module whose text is `source` may import one of `candidates` as ModelReader.importsOf counts imports (a
 * cheap test before parsing it; `absolute` resolves a relative `from` path in that module). It may say yes wrongly
 * (the module is parsed), never no for a module with such an import. Every `from X import …` in the text (strings
 * and comments too) whose X resolves to a candidate, its package or a module below it says yes, as does an
 * `import …` naming a candidate: an import statement of either kind is one of these spellings, its dotted path
 * possibly broken by spaces or backslash continuations.
 */
export function mayImportAny(source: string, candidates: readonly string[], absolute: (level: number, module: string | null) => string | null): boolean {
  if (!candidates.length) return false;
  const parents = new Set(candidates.map(c => c.slice(0, Math.max(0, c.lastIndexOf('.')))));
  const hit = (mod: string | null) => !!mod && (parents.has(mod) || candidates.some(c => mod === c || mod.startsWith(`${c}.`)));
  const FROM = /(?<![\w.])from(?=[\s\\.])[\s\\]*((?:\.[\s\\]*)*)([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*(?:[\s\\]*\.[\s\\]*[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)*)?[\s\\]*(?=import(?![\w\u0080-\uffff]))/g;
  for (let m = FROM.exec(source); m; m = FROM.exec(source)) {
    const level = (m[1] ?? '').replace(/[\s\\]/g, '').length;
    const module = m[2] ? m[2].replace(/[\s\\]/g, '') : null;
    if (!level && !module) continue;
    if (hit(absolute(level, module))) return true;
  }
  // `import a.b.c` (and `import x, a.b.c as y`): a candidate's dotted name, spaces or continuations around its dots
  if (!/(?<![\w.])import(?![\w\u0080-\uffff])/.test(source)) return false;
  for (const c of candidates) {
    const spelled = c.split('.').map(p => p.replace(/[$]/g, '\\$&')).join('[\\s\\\\]*\\.[\\s\\\\]*');
    if (new RegExp(`(?<![\\w.\\u0080-\\uffff])${spelled}(?![\\w\\u0080-\\uffff])`).test(source)) return true;
  }
  return false;
}
