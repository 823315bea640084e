// Reading a Django project's settings without running it: find manage.py, the settings module it names, and
// evaluate that module statically (../python/evaluate.ts) into SettingsInfo. Nothing here throws for bad input:
// what cannot be known is null and explained in `unknowns`.
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import type * as A from '../python/ast';
import { DUMMY_ENGINE, type DatabaseSetting, type Loc, type SettingsInfo } from '../types';
import { ModuleIndex } from '../python/modules';
import { Interp, PyErr, BudgetErr, walkStmts, shortLoc } from '../python/evaluate';
import { inProject, isExternalPath } from '../python/runtime';
import { allStmts, childExprs, dotted, stmtParts } from '../lints/walk';
import {
  type Value, type Namespace, type DictV, type UnknownV, dictGet, str, pyStr, toJS, toJSLoose, repr, fromJS, unknown,
  mayComeFrom,
} from '../python/values';
import { DJANGO_GLOBAL_SETTINGS } from './django-defaults';
import { recordingEnv, type EnvReads } from '../env/env-file';
import { readDir, readText, statFile } from '../vfs';
import { isComposeFile, isDeployFile, isDockerfile } from './deploy-files';
import { dockerfileEnv } from './dockerfile';
import { configurationDotenv, configurationValue, configurationVariable, isConfigurationClass } from '../python/eval-modules';
export { isDeployFile };
import type { PythonFacts } from '../python/environment';

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', 'venv', '.venv', 'env', '.env', '.tox', '.nox', 'site-packages', 'dist', 'build', '.mypy_cache', '.pytest_cache', '.idea', '.vscode']);

/**
 * The folders below `root` breadth-first, in name order, `maxDepth` levels deep, skipping virtualenvs and the
 * folders of SKIP_DIRS; `visit` sees each folder's entries and ends the walk with a result.
 */
/** `dir` and its parents up to `root` (included), nearest first; `dir` alone when it is not inside `root`. */
export function foldersUpTo(dir: string, root: string): string[] {
  const dirs: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    dirs.push(d);
    if (d === root || path.dirname(d) === d || !d.startsWith(root)) break;
  }
  return dirs;
}

export function walkProjectDirs<T>(root: string, maxDepth: number, visit: (dir: string, entries: fs.Dirent[], depth: number) => T | undefined): T | null {
  const queue: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  while (queue.length) {
    const { dir, depth } = queue.shift()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const found = visit(dir, entries, depth);
    if (found !== undefined) return found;
    if (depth + 1 > maxDepth) continue;
    for (const e of entries) {
      if (!e.isDirectory() || SKIP_DIRS.has(e.name) || e.name.startsWith('.')) continue;
      const sub = path.join(dir, e.name);
      if (!isFile(path.join(sub, 'pyvenv.cfg'))) queue.push({ dir: sub, depth: depth + 1 });
    }
  }
  return null;
}

/** root/manage.py, else one level down, else a shallow (depth 3) search; virtualenvs and the like are skipped. */
export function findManagePy(root: string): string | null {
  // (the walk's first answer, without listing the root: every index asks, and the benchmark project's root holds 150
  // folders, ~0.6 ms of each edit's index)
  const direct = path.join(root, 'manage.py');
  if (isFile(direct)) return direct;
  return walkProjectDirs(root, 3, dir => (isFile(path.join(dir, 'manage.py')) ? path.join(dir, 'manage.py') : undefined));
}

/**
 * Without manage.py (Kolibri runs `kolibri manage`): the settings module a WSGI/ASGI entry point of the workspace
 * sets with `os.environ.setdefault("DJANGO_SETTINGS_MODULE", …)`, what the deployed project runs with. The
 * first such file breadth-first (4 levels, the folders findManagePy skips skipped), with the module it names.
 */
/**
 * The settings module pytest-django is configured with (`DJANGO_SETTINGS_MODULE` in pytest.ini's [pytest], tox.ini's
 * [pytest], setup.cfg's [tool:pytest] or pyproject.toml's [tool.pytest.ini_options]), in `dirs` nearest first:
 * Baserow's manage.py names none (its containers set the variable), its backend/pytest.ini does.
 */
export function settingsModuleFromPytestConfig(dirs: string[]): { module: string; file: string } | null {
  const ini = (file: string, section: string): string | null => {
    let text: string;
    try {
      if (!statFile(file)) return null;
      text = readText(file);
    } catch {
      return null;
    }
    let inSection = false;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line.startsWith('[')) { inSection = line === `[${section}]`; continue; }
      // a key at the start of a line (indented lines continue the value before: pytest-env's `env =` list)
      if (!inSection || raw !== raw.trimStart()) continue;
      const eq = line.indexOf('=');
      if (eq > 0 && line.slice(0, eq).trim() === 'DJANGO_SETTINGS_MODULE') return line.slice(eq + 1).trim() || null;
    }
    return null;
  };
  for (const dir of dirs) {
    for (const [name, section] of [['pytest.ini', 'pytest'], ['tox.ini', 'pytest'], ['setup.cfg', 'tool:pytest']] as const) {
      const v = ini(path.join(dir, name), section);
      if (v) return { module: v, file: path.join(dir, name) };
    }
    try {
      if (!statFile(path.join(dir, 'pyproject.toml'))) continue;
      const data = parseToml(readText(path.join(dir, 'pyproject.toml'))) as { tool?: { pytest?: { ini_options?: { DJANGO_SETTINGS_MODULE?: unknown } } } };
      const v = data.tool?.pytest?.ini_options?.DJANGO_SETTINGS_MODULE;
      if (typeof v === 'string' && v) return { module: v, file: path.join(dir, 'pyproject.toml') };
    } catch {
      /* none, or not TOML */
    }
  }
  return null;
}

/** A variable a container or CI file sets: `kind` says which (a container runs the project, CI tests it). */
export interface DeployedVariable {
  name: string;
  value: string;
  file: string;
  kind: 'container' | 'ci';
  /** the line (1-based) of a Dockerfile's ENV */
  line?: number;
}

/**
 * The environment variables the project's containers and CI set: Docker Compose files (`environment:` as a map or as
 * `K=V` items, `${VAR-default}` read as its default), Dockerfiles (`ENV`: the image `docker build` makes, its last
 * stage with the stages it is built `FROM`, first; then the other stages'), GitHub workflows (`env:` maps,
 * `export X=…` and `X=… cmd` in `run:` scripts), `.gitlab-ci.yml` (`variables:`) and `.circleci/config.yml`
 * (`environment:`), in `dirs` nearest first,
 * containers before CI, in file order. Values that are expressions of the CI (`${{ matrix.x }}`) or of the shell
 * (`$HOME`) are left out. RapidPro's manage.py names `temba.settings`, a file each deployment makes (gitignored), its
 * CI runs with `temba.settings_dev`; NetBox's settings import `NETBOX_CONFIGURATION`, whose default module is the
 * deployer's, its CI sets another; Baserow's manage.py names none, its Dockerfile's image sets
 * `baserow.config.settings.base` (its `dev` stage `….dev`).
 */
export function envFromDeployFiles(dirs: string[]): DeployedVariable[] {
  const out: DeployedVariable[] = [];
  let kind: DeployedVariable['kind'] = 'container';
  const add = (name: string, raw: unknown, file: string, line?: number) => {
    if (!/^[A-Za-z_]\w*$/.test(name) || (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')) return;
    // `${DJANGO_SETTINGS_MODULE-config.settings.development}`, `${X:-…}`: the default the file gives
    const v = String(raw).trim().replace(/^"(.*)"$|^'(.*)'$/, '$1$2').replace(/^\$\{\w+:?-(.*)\}$/, '$1');
    if (!v.includes('$')) out.push({ name, value: v, file, kind, ...(line !== undefined ? { line } : {}) });
  };
  const assignments = (node: unknown, file: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'string' && item.includes('=')) add(item.slice(0, item.indexOf('=')).trim(), item.slice(item.indexOf('=') + 1), file);
    } else if (node && typeof node === 'object') {
      // (GitLab: `NAME: {value: …, description: …}`)
      for (const [k, v] of Object.entries(node)) add(k, v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v, file);
    }
  };
  /** Dockerfiles a Compose service is built from (`build: {context, dockerfile}`), read after the Compose files */
  const built: string[] = [];
  const visit = (node: unknown, file: string): void => {
    if (Array.isArray(node)) node.forEach(n => visit(n, file));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'env' || k === 'environment' || k === 'variables') assignments(v, file);
        // a shell script (`run: |`): `DJANGO_SETTINGS_MODULE=x cmd`, `export DJANGO_SETTINGS_MODULE=x`
        else if ((k === 'run' || k === 'script' || k === 'command') && typeof v === 'string') {
          for (const word of v.split(/[\s;&|()]+/)) {
            const eq = word.indexOf('=');
            if (eq > 0 && /^[A-Z_][A-Z0-9_]*$/.test(word.slice(0, eq))) add(word.slice(0, eq), word.slice(eq + 1), file);
          }
        } else if (k === 'build' && kind === 'container') {
          const b: { context?: unknown; dockerfile?: unknown } = v && typeof v === 'object' ? v : { context: v };
          const context = typeof b.context === 'string' && !b.context.includes('://') && !b.context.includes('$') ? b.context : '.';
          const name = typeof b.dockerfile === 'string' && !b.dockerfile.includes('$') ? b.dockerfile : 'Dockerfile';
          built.push(path.resolve(path.dirname(file), context, name));
        } else visit(v, file);
      }
    }
  };
  // (through the file layer: an index, the output cache and the snapshot see these files change, the watcher tells)
  const textOf = (file: string): string | null => {
    if (!statFile(file)) return null;
    try {
      return readText(file);
    } catch {
      return null;
    }
  };
  const read = (file: string) => {
    const text = textOf(file);
    if (text === null) return;
    try {
      for (const doc of parseAllDocuments(text)) visit(doc.toJS({ maxAliasCount: 100 }), file);
    } catch {
      /* not YAML this parser reads: nothing from it */
    }
  };
  const dockerfiles = new Set<string>();
  const readDockerfile = (file: string) => {
    if (dockerfiles.has(file)) return;
    dockerfiles.add(file);
    const text = textOf(file);
    if (text !== null) for (const e of dockerfileEnv(text)) add(e.name, e.value, file, e.line);
  };
  const list = (dir: string): string[] => (readDir(dir) ?? []).map(e => e.name).sort();
  for (const dir of dirs) {
    const names = list(dir);
    // (Compose files: a container's environment; `.gitlab-ci.yml` is CI's, read below with the other CI files)
    for (const f of names) if (isComposeFile(f)) read(path.join(dir, f));
    for (const f of names) if (isDockerfile(f)) readDockerfile(path.join(dir, f));
  }
  for (const f of built) readDockerfile(f);
  kind = 'ci';
  for (const dir of dirs) {
    const wf = path.join(dir, '.github', 'workflows');
    for (const f of list(wf)) if (/\.ya?ml$/.test(f)) read(path.join(wf, f));
    read(path.join(dir, '.gitlab-ci.yml'));
    // (CircleCI: a job's `environment:`, or its docker image's)
    read(path.join(dir, '.circleci', 'config.yml'));
  }
  return out;
}

export { isDockerfile, dockerfileEnv };

/** A dotted module name, as DJANGO_SETTINGS_MODULE takes it (`mysite.settings.dev`). */
export const MODULE_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/** The settings modules the project's containers and CI set DJANGO_SETTINGS_MODULE to (envFromDeployFiles), each once. */
export function settingsModulesFromDeployFiles(dirs: string[]): { module: string; file: string; kind: DeployedVariable['kind']; line?: number }[] {
  const out: { module: string; file: string; kind: DeployedVariable['kind']; line?: number }[] = [];
  for (const e of envFromDeployFiles(dirs)) {
    if (e.name === 'DJANGO_SETTINGS_MODULE' && MODULE_NAME.test(e.value) && !out.some(o => o.module === e.value)) out.push({ module: e.value, file: e.file, kind: e.kind, ...(e.line !== undefined ? { line: e.line } : {}) });
  }
  return out;
}

export function settingsModuleFromEntryPoints(root: string, parse: (file: string) => A.Module | null): { module: string; file: string } | null {
  return walkProjectDirs(root, 4, (dir, entries) => {
    for (const e of entries) {
      if (!e.isFile() || (e.name !== 'wsgi.py' && e.name !== 'asgi.py')) continue;
      const file = path.join(dir, e.name);
      const m = parse(file);
      const module = m ? settingsModuleFromManagePy(m) : null;
      if (module) return { module, file };
    }
    return undefined;
  });
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")` (or an assignment) anywhere in manage.py. The
 * value may be a name the module assigns strings to (etools-datamart: `settings_file = "pkg.settings._%s" % USER`,
 * then `settings_file = "pkg.settings"` unless that file exists): of those strings, the last one `exists` says is a
 * module (without `exists`, the last one).
 */
export function settingsModuleFromManagePy(module: A.Module, exists?: (dotted: string) => boolean, notes?: { alternatives?: string[] }): string | null {
  let found: string | null = null;
  /**
   * `setdefault("DJANGO_SETTINGS_MODULE", args.default_settings)` with `default_settings="lms.envs.devstack"` given as
   * a keyword elsewhere in manage.py (Open edX: argparse sub-commands `lms` and `cms`, each with
   * `set_defaults(default_settings=…)`): the first that exists, the others noted as alternatives
   */
  const fromKeyword = (attr: string): string | null => {
    const strings: string[] = [];
    const add = (e: A.Expr) => { if (e.type === 'Constant' && typeof e.value === 'string' && !strings.includes(e.value)) strings.push(e.value); };
    const visitE = (e: A.Expr | null | undefined): void => {
      if (!e || e.type !== 'Call') return;
      for (const k of e.keywords) if (k.arg === attr) add(k.value);
      e.args.forEach(visitE);
      e.keywords.forEach(k => visitE(k.value));
    };
    // (in functions too: edX's parse_args())
    for (const s of allStmts(module.body)) {
      if (s.type === 'Expr') visitE(s.value);
      else if (s.type === 'Assign') {
        if (s.targets.some(t => t.type === 'Name' && t.id === attr)) add(s.value);
        visitE(s.value);
      }
    }
    const known = (exists ? strings.filter(exists) : strings).filter(x => /^[A-Za-z_][\w.]*$/.test(x));
    if (known.length > 1 && notes) notes.alternatives = known.slice(1);
    return known[0] ?? null;
  };
  const fromName = (name: string): string | null => {
    const strings: string[] = [];
    for (const s of walkStmts(module.body)) {
      if (s.type === 'Assign' && s.value.type === 'Constant' && typeof s.value.value === 'string' && s.targets.some(t => t.type === 'Name' && t.id === name)) strings.push(s.value.value);
    }
    const known = exists ? strings.filter(exists) : strings;
    return known.at(-1) ?? null;
  };
  const visitExpr = (e: A.Expr | null | undefined): void => {
    if (!e || found) return;
    if (e.type === 'Call') {
      const f = e.func;
      if (f.type === 'Attribute' && f.attr === 'setdefault' && isEnviron(f.value) && e.args.length >= 2) {
        const k = e.args[0]!;
        const v = e.args[1]!;
        if (k.type === 'Constant' && k.value === 'DJANGO_SETTINGS_MODULE' && v.type === 'Constant' && typeof v.value === 'string') { found = v.value; return; }
        if (k.type === 'Constant' && k.value === 'DJANGO_SETTINGS_MODULE' && v.type === 'Name') { found = fromName(v.id); if (found) return; }
        if (k.type === 'Constant' && k.value === 'DJANGO_SETTINGS_MODULE' && v.type === 'Attribute') { found = fromKeyword(v.attr); if (found) return; }
      }
      visitExpr(e.func);
      e.args.forEach(visitExpr);
      e.keywords.forEach(k => visitExpr(k.value));
    }
  };
  const visit = (body: A.Stmt[]): void => {
    for (const s of body) {
      if (found) return;
      if (s.type === 'Expr') visitExpr(s.value);
      else if (s.type === 'Assign') {
        for (const t of s.targets) {
          if (t.type === 'Subscript' && isEnviron(t.value) && t.slice.type === 'Constant' && t.slice.value === 'DJANGO_SETTINGS_MODULE'
            && s.value.type === 'Constant' && typeof s.value.value === 'string') { found = s.value.value; return; }
        }
        visitExpr(s.value);
      } else if (s.type === 'If') {
        // `if sys.argv[1] == "test":` (zamboni: test settings for `manage.py test`, else the real ones): the branch
        // `manage.py migrate` takes; both, in order, when the test is about something else
        const taken = argvTest(s.test, ['manage.py', 'migrate']);
        if (taken !== false) visit(s.body);
        if (taken !== true) visit(s.orelse);
      } else for (const b of stmtParts(s).blocks) visit(b);
    }
  };
  visit(module.body);
  return found;
}

/** `os.environ.setdefault("DJANGO_CONFIGURATION", "Dev")` (or an assignment) in manage.py: django-configurations' class. */
export function configurationFromManagePy(module: A.Module): string | null {
  for (const s of allStmts(module.body)) {
    if (s.type === 'Expr' && s.value.type === 'Call') {
      const { func: f, args } = s.value;
      if (f.type === 'Attribute' && f.attr === 'setdefault' && isEnviron(f.value) && args.length >= 2 && args[0]!.type === 'Constant' && args[0]!.value === 'DJANGO_CONFIGURATION'
        && args[1]!.type === 'Constant' && typeof args[1]!.value === 'string') return args[1]!.value;
    } else if (s.type === 'Assign' && s.value.type === 'Constant' && typeof s.value.value === 'string') {
      for (const t of s.targets) if (t.type === 'Subscript' && isEnviron(t.value) && t.slice.type === 'Constant' && t.slice.value === 'DJANGO_CONFIGURATION') return s.value.value;
    }
  }
  return null;
}

/**
 * django-configurations (settings as classes): its importer sets the settings module's names to the uppercase
 * attributes of an instance of the class DJANGO_CONFIGURATION names (properties read, methods called), each
 * `values.*Value` set up from its environment variable, else its default. Without that class, what the settings
 * are is not known: said, with the classes there are.
 */
function applyConfiguration(interp: Interp, ns: Namespace, moduleName: string, info: SettingsInfo, file: string): { unsetDb: string[]; locs: Map<string, Loc> } {
  /** the environment variables DATABASES' Value reads that are not set here */
  const unsetDb: string[] = [];
  /** where each setting is defined: its line in the class that defines it */
  const locs = new Map<string, Loc>();
  const done = { unsetDb, locs };
  const classes = [...ns.vars].filter(([, v]) => v.kind === 'class' && v.special !== 'configurations.Configuration' && isConfigurationClass(interp, v)).map(([n]) => n);
  if (!classes.length) return done;
  const name = interp.env.DJANGO_CONFIGURATION;
  const cls = name ? ns.vars.get(name) : undefined;
  const loc = { path: file, line: (cls?.kind === 'class' ? cls.def?.line : undefined) ?? 1 };
  if (!name || cls?.kind !== 'class' || !isConfigurationClass(interp, cls)) {
    const reason = name
      ? `django-configurations: ${moduleName} has no configuration class ${name} (DJANGO_CONFIGURATION); it has ${classes.join(', ')}`
      : `django-configurations: DJANGO_CONFIGURATION is not set here (manage.py, the environment, an env file), and the settings are the class it names: one of ${classes.join(', ')}`;
    info.unknowns.push({ name: 'DJANGO_CONFIGURATION', reason, loc });
    for (const n of ['DATABASES', 'DATABASE_ROUTERS', 'INSTALLED_APPS']) if (!ns.vars.has(n)) ns.vars.set(n, unknown(reason, loc));
    return done;
  }
  // its hooks, where the project's classes define them (the library's own pre_setup reads DOTENV, which the env file
  // reading covers): pre_setup before the Values are set up, post_setup after the module's names are set
  const hook = (h: 'pre_setup' | 'post_setup'): void => {
    const own = interp.classAttr(cls, h);
    if (!own || own.owner.special === 'configurations.Configuration') return;
    try {
      interp.call(interp.getAttr(cls, h, loc), [], [], loc);
    } catch (e) {
      if (!(e instanceof PyErr) && !(e instanceof BudgetErr)) throw e;
      info.unknowns.push({ name: `(${name}.${h})`, reason: `${name}.${h}() could not be evaluated statically (${e instanceof PyErr ? e.toString() : e.message}): the settings it changes may differ`, loc });
    }
  };
  // (the library's pre_setup: DOTENV's variables where the environment has none)
  const dotenv = configurationDotenv(interp, cls, loc);
  if (dotenv) info.unknowns.push({ name: `(${name}.DOTENV)`, reason: dotenv, loc });
  hook('pre_setup');
  const names = new Set<string>();
  for (const c of interp.mro(cls)) {
    const at = c.def && interp.index.resolve(c.module)?.file;
    for (const k of c.ns.keys()) {
      if (k !== k.toUpperCase() || k.startsWith('_') || names.has(k)) continue;
      names.add(k);
      const st = at ? c.def!.body.find(x => (x.type === 'Assign' && x.targets.some(t => t.type === 'Name' && t.id === k)) || (x.type === 'AnnAssign' && x.target.type === 'Name' && x.target.id === k) || (x.type === 'FunctionDef' && x.name === k)) : undefined;
      if (st && at) locs.set(k, { path: at, line: st.line });
    }
  }
  // (the importer's `cls()`: an __init__ that cannot be run leaves the class's own attributes to read)
  let inst: Value = cls;
  try {
    inst = interp.instantiate(cls, [], [], loc);
  } catch (e) {
    if (!(e instanceof PyErr) && !(e instanceof BudgetErr)) throw e;
  }
  for (const n of names) {
    let v: Value;
    try {
      v = interp.getAttr(inst, n, loc);
      // (an uppercase method is called, and what it returns set up as a Value is)
      if (v.kind === 'bound' || v.kind === 'function') v = interp.call(v, [], [], loc);
      const variable = configurationVariable(n, v);
      if (n === 'DATABASES' && variable && interp.env[variable] === undefined) unsetDb.push(variable);
      v = configurationValue(interp, n, v);
    } catch (e) {
      if (!(e instanceof PyErr) && !(e instanceof BudgetErr)) throw e;
      v = unknown(`${n} of configuration ${name}: ${e instanceof PyErr ? e.toString() : e.message}`, loc);
    }
    ns.vars.set(n, v);
  }
  ns.vars.set('CONFIGURATION', str(`${moduleName}.${name}`));
  hook('post_setup');
  info.configuration = name;
  return done;
}

/**
 * A condition on `sys.argv` (`sys.argv[1] == "test"`, `"test" in sys.argv`, `len(sys.argv) > 1 and …`, `not …`)
 * with `argv` as the command line; null when it tests anything else.
 */
function argvTest(e: A.Expr, argv: string[]): boolean | null {
  const isArgv = (x: A.Expr) => dotted(x) === 'sys.argv';
  const value = (x: A.Expr): string | number | string[] | null | undefined => {
    if (x.type === 'Constant') return typeof x.value === 'string' || typeof x.value === 'number' ? x.value : undefined;
    if (x.type === 'Call' && dotted(x.func) === 'len' && x.args.length === 1 && isArgv(x.args[0]!)) return argv.length;
    if (x.type === 'Subscript' && isArgv(x.value) && x.slice.type === 'Constant' && typeof x.slice.value === 'number') return argv[x.slice.value < 0 ? argv.length + x.slice.value : x.slice.value] ?? null;
    if (isArgv(x)) return argv;
    return undefined;
  };
  if (e.type === 'UnaryOp' && e.op === 'not') { const v = argvTest(e.operand, argv); return v === null ? null : !v; }
  if (e.type === 'BoolOp') {
    const vs = e.values.map(v => argvTest(v, argv));
    if (vs.some(v => v === null)) return null;
    return e.op === 'and' ? vs.every(Boolean) : vs.some(Boolean);
  }
  if (e.type !== 'Compare' || e.ops.length !== 1) return null;
  const l = value(e.left), r = value(e.comparators[0]!);
  if (l === undefined || r === undefined) return null;
  const op = e.ops[0];
  if (op === 'in' || op === 'not in') { const has = Array.isArray(r) && typeof l === 'string' && r.includes(l); return op === 'in' ? has : !has; }
  if (Array.isArray(l) || Array.isArray(r) || l === null || r === null) return op === '==' ? false : op === '!=' ? true : null;
  switch (op) {
    case '==': return l === r;
    case '!=': return l !== r;
    case '>': return l > r;
    case '>=': return l >= r;
    case '<': return l < r;
    case '<=': return l <= r;
    default: return null;
  }
}

/**
 * DJANGO_SETTINGS_MODULE set by a module manage.py imports (authentik: `from authentik.root.setup import setup`,
 * whose module calls `os.environ.setdefault(...)`): the project's own modules it imports, in order, one level deep.
 */
export function settingsModuleFromImports(index: ModuleIndex, managePy: A.Module): string | null {
  const names: string[] = [];
  const visit = (body: A.Stmt[]): void => {
    for (const s of body) {
      if (s.type === 'Import') names.push(...s.names.map(a => a.name));
      else if (s.type === 'ImportFrom' && s.level === 0 && s.module) {
        names.push(s.module);
        // `from pkg import mod`: a submodule too
        for (const a of s.names) if (a.name !== '*') names.push(`${s.module}.${a.name}`);
      } else if (s.type === 'If' || s.type === 'For' || s.type === 'While') { visit(s.body); visit(s.orelse); }
      else if (s.type === 'Try') { visit(s.body); for (const h of s.handlers) visit(h.body); visit(s.orelse); visit(s.finalbody); }
      else if (s.type === 'With' || s.type === 'FunctionDef') visit(s.body);
    }
  };
  visit(managePy.body);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name) || name === 'django' || name.startsWith('django.')) continue;
    seen.add(name);
    const r = index.resolve(name);
    // the project's own modules only: a library's code is not where a project names its settings
    if (!r?.file || isExternalPath(r.file)) continue;
    const m = index.parseFile(r.file);
    const found = m ? settingsModuleFromManagePy(m) ?? settingsModuleEvaluated(index, name, m) : null;
    if (found) return found;
  }
  return null;
}

/**
 * `os.environ.setdefault("DJANGO_SETTINGS_MODULE", <expression>)` in a module manage.py imports, with the expression
 * evaluated in that module as it is imported (AWX: `'awx.settings.%s' % MODE`, MODE set by whether awx.devonly
 * imports). Null when it is not a settings module that exists.
 */
function settingsModuleEvaluated(index: ModuleIndex, name: string, m: A.Module): string | null {
  let expr: A.Expr | null = null;
  for (const st of allStmts(m.body)) {
    if (expr) break;
    const call = st.type === 'Expr' && st.value.type === 'Call' ? st.value : null;
    const f = call?.func;
    if (call && f?.type === 'Attribute' && f.attr === 'setdefault' && isEnviron(f.value) && call.args[0]?.type === 'Constant' && call.args[0].value === 'DJANGO_SETTINGS_MODULE' && call.args[1]) expr = call.args[1];
  }
  if (!expr || expr.type === 'Constant') return null;
  try {
    const interp = new Interp(index, { env: {}, external: false });
    const mv = interp.importModule(name);
    if (!mv.ns) return null;
    const f = { scope: mv.ns, globals: mv.ns, fn: null, cls: null, parent: null, closure: null, globalNames: null, file: m.path, handling: null };
    const v = interp.eval(expr, f);
    return v.kind === 'str' && index.resolve(v.v)?.file ? v.v : null;
  } catch {
    return null;
  }
}

/**
 * DJANGO_SETTINGS_MODULE as manage.py sets it when run as `manage.py migrate`, by the static evaluator (nothing is
 * run): its `if __name__ == "__main__"` block, main(), and what they call (a function that builds the name from an
 * environment variable's default, a file, the command line). Null unless it names a module of `index`.
 */
export function settingsModuleByEvaluation(index: ModuleIndex, file: string, env: Record<string, string | undefined>, cwd: string): { module: string; unset: string[] } | null {
  const m = index.parseFile(file);
  if (!m) return null;
  try {
    const reads: EnvReads = {};
    const interp = new Interp(index, { env: recordingEnv(env, reads), external: false, cwd, fuel: 300_000 });
    const main = interp.newModule('__main__', file);
    interp.execModule(main.ns!, m);
    const v = Object.prototype.hasOwnProperty.call(interp.env, 'DJANGO_SETTINGS_MODULE') ? interp.env.DJANGO_SETTINGS_MODULE : undefined;
    // (the variables it read that are not set here: their defaults chose the module)
    const unset = Object.keys(reads).filter(k => reads[k] === null && k !== 'DJANGO_SETTINGS_MODULE' && k !== '*').sort();
    return typeof v === 'string' && /^[A-Za-z_][\w.]*$/.test(v) && index.resolve(v)?.file ? { module: v, unset } : null;
  } catch (e) {
    if (e instanceof PyErr || e instanceof BudgetErr || e instanceof RangeError) return null;
    throw e;
  }
}

function isEnviron(e: A.Expr): boolean {
  return (e.type === 'Attribute' && e.attr === 'environ' && e.value.type === 'Name' && e.value.id === 'os') || (e.type === 'Name' && e.id === 'environ');
}

// ---- evaluation ------------------------------------------------------------------------------------------

const SETTINGS_NS = new WeakMap<SettingsInfo, { ns: Namespace; interp: Interp }>();

/** The evaluated namespace behind a SettingsInfo made by loadSettings (for routers reading `settings.X`). */
export function settingsNamespace(s: SettingsInfo): Namespace | undefined {
  return SETTINGS_NS.get(s)?.ns;
}

/** The router object at `DATABASE_ROUTERS[i]` as the settings made it (SettingsInfo.routerObjects), if still held. */
export function routerObject(s: SettingsInfo, i: number): Value | undefined {
  const list = SETTINGS_NS.get(s)?.ns.vars.get('DATABASE_ROUTERS');
  // (an unknown router that may come first stands before the known ones in SettingsInfo.routers)
  const v = list && (list.kind === 'list' || list.kind === 'tuple') ? list.items[i - (list.moreAnywhere && s.routers[0] === null ? 1 : 0)] : undefined;
  return v?.kind === 'instance' ? v : undefined;
}

function emptyInfo(moduleName: string | null): SettingsInfo {
  return {
    module: moduleName, path: null, databases: [], routers: [], installedApps: [], migrationModules: {}, authUserModel: 'auth.User',
    values: {}, unknowns: [],
  };
}

export interface LoadSettingsOptions {
  /** the Python environment in use (sys.version_info, importlib.metadata), read from disk */
  python?: PythonFacts;
  /** manage.py's folder: the working directory Django's settings are imported from */
  cwd?: string;
}

export function loadSettings(index: ModuleIndex, moduleName: string, env: Record<string, string | undefined>, opts: LoadSettingsOptions = {}): SettingsInfo {
  const info = emptyInfo(moduleName);
  const r = index.resolve(moduleName);
  if (!r || !r.file) {
    // nothing is known of DATABASES, DATABASE_ROUTERS or AUTH_USER_MODEL (not "none": RapidPro's temba.settings is
    // the deployer's own file, not in the repository)
    const near = settingsModulesNear(index, moduleName);
    const hint = near.length ? `; settings modules near it: ${near.slice(0, 6).join(', ')}${near.length > 6 ? ` and ${near.length - 6} more` : ''} (choose one with --settings, djangoMultiDb.settingsModule)` : '';
    info.unknowns.push({ name: 'DJANGO_SETTINGS_MODULE', reason: `settings module ${moduleName} was not found under ${index.roots.join(', ') || '(no search roots)'}${hint}` });
    info.notFound = true;
    info.unreadable = ['DATABASES', 'DATABASE_ROUTERS'];
    info.routers.push(null);
    return info;
  }
  info.path = r.file;
  // the environment variables the settings read (those not set are named when DATABASES comes out empty)
  const envReads: EnvReads = {};
  const watched = recordingEnv(env, envReads);
  const interp = new Interp(index, {
    env: Object.assign(Object.create(watched) as Record<string, string | undefined>, { DJANGO_SETTINGS_MODULE: env.DJANGO_SETTINGS_MODULE ?? moduleName }), external: false, python: opts.python, ...(opts.cwd ? { cwd: opts.cwd } : {}),
    globalSettings: name => {
      const g = DJANGO_GLOBAL_SETTINGS[name];
      return g === undefined ? undefined : g === null ? unknown(`Django's default for ${name}`) : fromJS(g.v);
    },
  });
  interp.settingsValue = unknown('django.conf.settings read while the settings are being loaded');
  let ns: Namespace | null = null;
  try {
    const m = interp.importModule(moduleName);
    ns = m.ns;
  } catch (e) {
    if (e instanceof PyErr || e instanceof BudgetErr) {
      info.unknowns.push({ name: 'DJANGO_SETTINGS_MODULE', reason: `settings module ${moduleName} could not be imported: ${e instanceof PyErr ? e.toString() : e.message}` });
      return info;
    }
    if (e instanceof RangeError) {
      // a file nested deeper than the reader's stack allows: say so instead of a JS stack trace
      info.unknowns.push({ name: 'DJANGO_SETTINGS_MODULE', reason: `settings module ${moduleName} is nested too deeply to be read statically (${e.message})`, loc: { path: r.file, line: 1 } });
      return info;
    }
    throw e;
  }
  if (!ns) {
    info.unknowns.push({ name: 'DJANGO_SETTINGS_MODULE', reason: `settings module ${moduleName} could not be read` });
    return info;
  }
  const configuration = applyConfiguration(interp, ns, moduleName, info, r.file);
  SETTINGS_NS.set(info, { ns, interp });
  const mod = index.parseFile(r.file);
  // a syntax error in the settings or in a module they execute (`from .base import *`): Django cannot import them
  const executed = new Set([r.file, ...[...interp.moduleErrors.keys()].map(m => index.resolve(m)?.file).filter((f): f is string => !!f)]);
  for (const file of executed) {
    for (const p of (file === r.file ? mod : index.parseFile(file))?.problems ?? []) {
      info.unknowns.push({ name: '(syntax)', reason: `${p.message} at line ${p.line}: that line was skipped`, loc: { path: file, line: p.line, column: p.col }, error: 'SyntaxError' });
    }
  }
  for (const [modName, errs] of interp.moduleErrors) {
    for (const e of errs) {
      const error = e.exc === 'NameError' && e.always ? { error: 'NameError' as const } : {};
      info.unknowns.push({ name: `(${modName})`, reason: e.reason, ...(e.loc ? { loc: e.loc } : {}), ...error });
    }
  }
  const defLocs = definitionLocs(mod, r.file);
  for (const [n, l] of configuration.locs) defLocs.set(n, l);
  const locOfName = (name: string, v?: Value): Loc | undefined => defLocs.get(name) ?? (v && v.kind === 'unknown' ? v.loc : undefined);
  const addUnknown = (name: string, v: Value, fallback: string): void => {
    const u = v as UnknownV;
    const own = locOfName(name.split(/[.[]/)[0]!);
    // a name imported from a module that is not evaluated (`from django.utils.timezone import now`) is unknown
    // where it is imported; the setting is at its own assignment, which is where to point (Kolibri Studio's
    // TWO_WEEKS_AGO = now() - timedelta(days=14), RapidPro's INTERNAL_IPS)
    const fromImport = v.kind === 'unknown' && / \(not evaluated\)$/.test(u.reason) && own && u.loc?.path === own.path;
    const loc = fromImport ? own : u.loc ?? own;
    info.unknowns.push({ name, reason: v.kind === 'unknown' ? u.reason : fallback, ...(loc ? { loc } : {}) });
  };
  const partial: NonNullable<SettingsInfo['partial']> = [];
  const addPartial = (name: string, more: UnknownV): void => {
    const loc = more.loc ?? locOfName(name);
    partial.push({ name, reason: more.reason, ...(loc ? { loc } : {}) });
  };
  // code not known statically that may set any name (exec() of a file outside the project, vars().update(yaml)):
  // a setting it alone could set is Django's default here, and one finding says what may differ
  const overlay = ns.overlaid && ns.starUnknown === ns.overlaid ? ns.overlaid : null;
  const get = (name: string): Value | undefined => {
    const v = ns!.vars.get(name);
    if (v !== undefined) return v;
    if (ns!.starUnknown && !overlay) return unknown(`${name} ${mayComeFrom(ns!.starUnknown.reason)}`, ns!.starUnknown.loc);
    return undefined;
  };

  // DATABASES
  const dbs = get('DATABASES');
  if (dbs !== undefined) {
    if (dbs.kind === 'dict') {
      for (const e of dbs.map.values()) {
        if (e.k.kind !== 'str') continue;
        // an alias set on one path only: said (addUnknown), and read as it is where it is there
        if (e.v.kind === 'unknown' && e.v.ifPresent?.kind === 'dict') {
          addUnknown(`DATABASES[${JSON.stringify(e.k.v)}]`, e.v, 'set on one path only');
          info.databases.push(databaseSetting(e.k.v, e.v.ifPresent, e.loc ?? locOfName('DATABASES'), addUnknown));
        } else info.databases.push(databaseSetting(e.k.v, e.v, e.loc ?? locOfName('DATABASES'), addUnknown));
      }
      if (dbs.inexact) addPartial('DATABASES', dbs.inexact);
    } else {
      addUnknown('DATABASES', dbs, `DATABASES is ${repr(dbs)}`);
      (info.unreadable ??= []).push('DATABASES');
    }
  }

  // DATABASE_ROUTERS
  const routers = get('DATABASE_ROUTERS');
  if (routers !== undefined) {
    if (routers.kind === 'list' || routers.kind === 'tuple') {
      routers.items.forEach((x, i) => {
        const p = routerPath(x);
        if (p === null) addUnknown(`DATABASE_ROUTERS[${i}]`, x, `DATABASE_ROUTERS[${i}] is ${repr(x)}`);
        // an object (ConnectionRouter uses it as it is, not imported again): routers/index.ts takes this very value
        else if (x.kind === 'instance') (info.routerObjects ??= []).push(i);
        info.routers.push(p);
      });
      if (routers.more) {
        addPartial('DATABASE_ROUTERS', routers.more);
        // a router that may come before the known ones (inserted at 0 on one path: Flagsmith's TaskProcessorRouter)
        // may answer first: no answer of the others is definite
        if (routers.moreAnywhere) {
          info.routers.unshift(null);
          if (info.routerObjects) info.routerObjects = info.routerObjects.map(i => i + 1);
        } else info.routers.push(null);
      }
    } else {
      // not "no routers": every routing answer is unknown (a router that cannot be evaluated)
      addUnknown('DATABASE_ROUTERS', routers, `DATABASE_ROUTERS is ${repr(routers)}`);
      (info.unreadable ??= []).push('DATABASE_ROUTERS');
      info.routers.push(null);
    }
  }

  // INSTALLED_APPS
  const apps = get('INSTALLED_APPS');
  if (apps !== undefined) {
    if (apps.kind === 'list' || apps.kind === 'tuple') {
      apps.items.forEach((x, i) => {
        if (x.kind === 'str') info.installedApps.push(x.v);
        else { info.installedApps.push(null); addUnknown(`INSTALLED_APPS[${i}]`, x, `INSTALLED_APPS[${i}] is ${repr(x)}`); }
      });
      if (apps.more) addPartial('INSTALLED_APPS', apps.more);
    } else addUnknown('INSTALLED_APPS', apps, `INSTALLED_APPS is ${repr(apps)}`);
  }

  // MIGRATION_MODULES
  const mm = get('MIGRATION_MODULES');
  if (mm !== undefined) {
    if (mm.kind === 'dict') {
      for (const e of mm.map.values()) {
        if (e.k.kind !== 'str') continue;
        if (e.v.kind === 'str') info.migrationModules[e.k.v] = e.v.v;
        else if (e.v.kind === 'none') info.migrationModules[e.k.v] = null;
        else addUnknown(`MIGRATION_MODULES[${e.k.v}]`, e.v, `MIGRATION_MODULES[${JSON.stringify(e.k.v)}] is ${repr(e.v)}`);
      }
      if (mm.inexact) addPartial('MIGRATION_MODULES', mm.inexact);
    } else if (mm.kind !== 'none') addUnknown('MIGRATION_MODULES', mm, `MIGRATION_MODULES is ${repr(mm)}`);
  }

  // AUTH_USER_MODEL
  const aum = get('AUTH_USER_MODEL');
  if (aum !== undefined) {
    if (aum.kind === 'str') info.authUserModel = aum.v;
    else addUnknown('AUTH_USER_MODEL', aum, `AUTH_USER_MODEL is ${repr(aum)}`);
  }

  // everything else that is UPPERCASE and known
  const handled = new Set(['DATABASES', 'DATABASE_ROUTERS', 'INSTALLED_APPS', 'MIGRATION_MODULES', 'AUTH_USER_MODEL']);
  for (const [k, v] of ns.vars) {
    if (k !== k.toUpperCase() || !/^[A-Z]/.test(k)) continue;
    if (handled.has(k)) {
      if (k !== 'DATABASES') { const j = toJS(v); if (j !== undefined) info.values[k] = j; }
      continue;
    }
    const j = toJS(v);
    if (j !== undefined) info.values[k] = j;
    else if (v.kind === 'unknown') addUnknown(k, v, 'not known');
    else if ((v.kind === 'list' || v.kind === 'tuple') && v.more) addUnknown(k, v.more, 'not known');
  }
  if (ns.overlaid) {
    const o = ns.overlaid;
    info.unknowns.push({ name: 'Any setting', reason: `may be set or replaced at run time by ${o.reason}; what is shown is the settings without it`, ...(o.loc ? { loc: o.loc } : {}) });
    // the databases and routers shown may not be the ones the project runs with (license-manager's production
    // settings: base.py's placeholder DATABASES, replaced from a YAML file): said where they are shown
    for (const n of ['DATABASES', 'DATABASE_ROUTERS']) {
      if (!partial.some(p => p.name === n)) partial.push({ name: n, reason: `may be set or replaced at run time by ${o.reason}`, ...(o.loc ? { loc: o.loc } : {}), overlay: true });
    }
  }
  if (ns.starUnknown && !overlay) info.unknowns.push({ name: '*', reason: `other settings ${mayComeFrom(ns.starUnknown.reason)}`, ...(ns.starUnknown.loc ? { loc: ns.starUnknown.loc } : {}) });
  info.unknowns = groupByCause(info.unknowns);
  if (partial.length) info.partial = partial;
  if (interp.assumptions.length) info.assumptions = interp.assumptions.slice();
  // `try: from .local import * / except ImportError: pass` with no local.py here (SoloTodo: its Redshift alias is
  // there): the settings may hold more databases where the project runs than the ones read
  for (const o of interp.optionalLocal) {
    const uses = `the settings ${o.module.endsWith('.py') ? 'use' : 'import'} ${o.module} where it exists (not in the workspace: a local settings file kept out of version control?)`;
    // a setting bound anew after the file is used, by another module (corpora: `from .local_settings import *`, then
    // a base module star-imported that assigns DATABASES and DATABASE_ROUTERS whole), is not the file's to change; one
    // the same module assigns after it may read names the file sets (`if REPLICA_NAME: DATABASES["replica"] = …`)
    const after = (name: 'DATABASES' | 'DATABASE_ROUTERS') => {
      const now = o.ns?.vars.get(name);
      return !!o.bound && !!o.ns && now !== undefined && now !== o.bound[name] && interp.boundElsewhere(o.ns, name, now);
    };
    if (!partial.some(p => p.name === 'DATABASES') && !after('DATABASES')) partial.push({ name: 'DATABASES', reason: `${uses}, which may add or change databases`, ...(o.loc ? { loc: o.loc } : {}) });
    // (routers too, from a file whose names it binds: "none: every model migrates everywhere" would be said with more
    // confidence than there is; a configuration module read with getattr, NetBox's configuration.py, sets only what is
    // read from it. NetBox's `from .local_settings import *` at the end of settings.py binds anything)
    if (o.binds && !partial.some(p => p.name === 'DATABASE_ROUTERS') && !after('DATABASE_ROUTERS')) partial.push({ name: 'DATABASE_ROUTERS', reason: `${uses}, which may set routers`, ...(o.loc ? { loc: o.loc } : {}) });
  }
  if (partial.length) info.partial = partial;
  // where INSTALLED_APPS is set (the findings about its entries point there)
  const appsLoc = locOfName('INSTALLED_APPS') ?? importedDefinition(index, interp, r.file, 'INSTALLED_APPS');
  if (appsLoc) info.installedAppsLoc = appsLoc;
  const routersLoc = locOfName('DATABASE_ROUTERS') ?? importedDefinition(index, interp, r.file, 'DATABASE_ROUTERS');
  if (routersLoc) info.routersLoc = routersLoc;
  // the environment variables the settings read that are not set here; those that look like a database's (the
  // settings read others too: DEBUG, ALLOWED_HOSTS…)
  const unsetAll = Object.keys(envReads).filter(n => envReads[n] === null && n !== 'DJANGO_SETTINGS_MODULE').sort();
  const projectFiles = [r.file, ...interp.importedFiles().filter(f => f !== r.file && !isExternalPath(f))];
  // the unset variables the statements that set DATABASES read (directly or through names assigned from them);
  // null when something they call cannot be followed: then those whose names look like a database's
  const tuningOnly = new Set<string>();
  const flowing = unsetAll.length ? databaseVariables(index, projectFiles, new Set(unsetAll), tuningOnly) : new Set<string>();
  // (django-configurations: the variable DATABASES' Value reads is the library's, not in the project's code)
  for (const v of configuration.unsetDb) flowing?.add(v);
  const dbLike = unsetAll.filter(looksLikeDatabaseVariable);
  if (unsetAll.length) {
    const dependent = envDependentDatabases(index, projectFiles, new Set(unsetAll), interp.includedAt, info.databasesNotConfigured ? null : info.databases.map(d => d.alias).sort().join(','));
    if (dependent.length) info.envDependent = dependent;
    if (flowing) for (const e of dependent) for (const v of e.variables) { flowing.add(v); tuningOnly.delete(v); }
  }
  const dbVars = flowing ? [...flowing].sort() : dbLike;
  // (where the databases are: not the variables read only for a connection's pool or timeouts)
  const whereVars = flowing ? dbVars.filter(v => !tuningOnly.has(v)) : dbVars;
  if (whereVars.length) info.unsetDatabaseEnv = whereVars;
  // DATABASES values from the defaults of variables not set here (onadata's os.environ.get("DB_NAME", "onadata"),
  // Kolibri Studio's os.getenv("DATA_DB_NAME") or "kolibri-studio"): shown, and said to be defaults
  const conditioned = new Set((info.envDependent ?? []).flatMap(e => e.variables));
  const defaulted = flowing ? dbVars.filter(v => !conditioned.has(v)) : [];
  if (defaulted.length && info.databases.length) {
    const loc = locOfName('DATABASES') ?? importedDefinition(index, interp, r.file, 'DATABASES');
    info.envDefaults = { variables: defaulted, ...(loc ? { loc } : {}) };
  }
  // DATABASE_ROUTERS from the defaults of variables not set here (drycc's `[r for r in
  // os.environ.get('DRYCC_DATABASE_ROUTERS', '').split(',') if r]`: no router without it), those DATABASE_ROUTERS under a
  // condition on them aside (envDependent says so)
  const routerVars = unsetAll.length ? databaseVariables(index, projectFiles, new Set(unsetAll), undefined, 'DATABASE_ROUTERS') : null;
  const routersDefaulted = [...routerVars ?? []].filter(v => !conditioned.has(v)).sort();
  if (routersDefaulted.length) info.routersEnvDefaults = { variables: routersDefaulted, ...(routersLoc ? { loc: routersLoc } : {}) };
  // Django's ConnectionHandler.configure_settings: an empty DATABASES (Django's own default when the settings set none)
  // becomes a `default` of the dummy backend; one without `default` is refused. Only when the settings are known
  // (nothing unknown may have added entries, and Django can import them), and DATABASES was set or INSTALLED_APPS
  // was: settings that set neither are not what the project runs on (apps/discover.ts then looks for the apps).
  const knownDbs = dbs === undefined ? info.installedApps.length > 0 : dbs.kind === 'dict' && !dbs.inexact;
  if (knownDbs && !info.unknowns.some(u => u.error)) {
    // where DATABASES is set: the settings module, else the last module it imported that sets it (`from .base import *`)
    // (settings that never set it, e.g. Pontoon's dev.py doing `from . import base`: the settings module itself, and no
    // environment variable can change that)
    const loc = dbs === undefined ? undefined : locOfName('DATABASES') ?? importedDefinition(index, interp, r.file, 'DATABASES');
    // the variables DATABASES reads (else those that look like a database's, else all)
    const unset = dbs === undefined ? [] : flowing ? dbVars : dbLike.length ? dbLike : unsetAll;
    // settings that never set DATABASES: the modules beside them that do (onadata: common.py sets none, docker.py does)
    const others = dbs === undefined ? settingsSetting(index, r.file, moduleName, 'DATABASES') : [];
    if (!info.databases.length) {
      info.databases.push({ alias: 'default', engine: DUMMY_ENGINE, name: null, ...(loc ? { loc } : {}) });
      info.databasesNotConfigured = { kind: 'empty', ...(loc ? { loc } : {}), unsetEnv: unset, ...(others.length ? { otherModules: others } : {}), ...(dbs === undefined ? { neverSet: true as const } : {}) };
    } else if (!info.databases.some(d => d.alias === 'default')) {
      info.databasesNotConfigured = { kind: 'no-default', ...(loc ? { loc } : {}), unsetEnv: unset };
    }
  }
  // folders put on sys.path, inside the workspace and there (outside, a deployment's: not read)
  const added = interp.sysPathAdded.filter(a => inProject(index.roots, a.dir) && readDir(a.dir) !== null);
  if (added.length) {
    const front = [...new Set(added.filter(a => a.front).map(a => a.dir))].reverse();
    const back = [...new Set(added.filter(a => !a.front).map(a => a.dir))];
    info.sysPath = { front, back };
  }
  // django-multidb-router (multidb._get_replica_list): REPLICA_DATABASES (else SLAVE_DATABASES) become TEST mirrors of
  // default at run time, replicas the primary's schema reaches by replication (zamboni, addons-server)
  if (info.routers.some(p => p?.startsWith('multidb.'))) {
    const setting = 'REPLICA_DATABASES' in info.values ? 'REPLICA_DATABASES' : 'SLAVE_DATABASES';
    const listed = info.values[setting];
    if (Array.isArray(listed)) {
      for (const d of info.databases) if (d.alias !== 'default' && listed.includes(d.alias)) d.mirrorAtRunTime = { of: 'default', setting };
    }
  }
  return info;
}

/**
 * The unset variables (of `unset`) the statements that set DATABASES read: as string constants in them, through
 * names assigned from such reads before (`_db_host = env("DB_HOST", "postgres")` … `"HOST": _db_host`), in the bodies
 * of the same file's functions they call, and DATABASE_URL where a reader that defaults to it is called
 * (dj_database_url.config(), env.db()). Null when they call a function of another module, which is not followed.
 * `tuning` gets those read only for how a connection behaves (OPTIONS, CONN_MAX_AGE…: kitsune's DB_POOL_MAX_SIZE),
 * not for which database it reaches. `setting`: DATABASE_ROUTERS, for the variables its statements read instead.
 */
function databaseVariables(index: ModuleIndex, files: string[], unset: Set<string>, tuning?: Set<string>, setting: 'DATABASES' | 'DATABASE_ROUTERS' = 'DATABASES'): Set<string> | null {
  const out = new Set<string>();
  const tuned = new Set<string>();
  // the lines where a file assigns DATABASES whole: what a file sets before one, and what the modules the settings
  // module imports set when the settings module assigns it whole (Kiwi's devel over common), is replaced
  const wholeLines = (file: string): number[] => {
    const mod = index.parseFile(file);
    return mod ? [...walkStmts(mod.body)].filter(s => s.type === 'Assign' && s.targets.some(t => t.type === 'Name' && t.id === setting)).map(s => s.line) : [];
  };
  const mainWhole = files.length ? wholeLines(files[0]!).length > 0 : false;
  for (const file of files) {
    const mod = index.parseFile(file);
    if (!mod) continue;
    if (file !== files[0] && mainWhole) continue;
    const whole = wholeLines(file);
    const replaced = (line: number) => whole.some(l => l > line);
    const functions = new Map<string, A.FunctionDef>();
    for (const s of mod.body) if (s.type === 'FunctionDef') functions.set(s.name, s);
    const imported = new Set<string>();
    for (const s of walkStmts(mod.body)) if (s.type === 'ImportFrom' || s.type === 'Import') for (const a of s.names) imported.add((a.asname ?? a.name).split('.')[0]!);
    const derived = new Map<string, Set<string>>();
    const reads = (e: A.Expr | null | undefined, acc: Set<string>, depth = 0): void => {
      if (!e) return;
      // a variable's name as an argument of a call (os.environ.get("X"), env("X"), config("X")) or an index of
      // os.environ; not a key of some other mapping (etools' yaml.safe_load(f)['ENVIRONMENT'])
      if (e.type === 'Subscript') {
        const base = dotted(e.value) ?? '';
        if (e.slice.type === 'Constant' && typeof e.slice.value === 'string' && unset.has(e.slice.value) && /(^|\.)environ$/.test(base)) acc.add(e.slice.value);
        reads(e.value, acc, depth);
        if (e.slice.type !== 'Constant') reads(e.slice, acc, depth);
        return;
      }
      if (e.type === 'Call') for (const a of [...e.args, ...e.keywords.map(k => k.value)]) if (a.type === 'Constant' && typeof a.value === 'string' && unset.has(a.value)) acc.add(a.value);
      if (e.type === 'Name') for (const v of derived.get(e.id) ?? []) acc.add(v);
      if (e.type === 'Call') {
        const callee = e.func.type === 'Name' ? e.func.id : e.func.type === 'Attribute' ? e.func.attr : null;
        if (setting === 'DATABASES' && callee && ['config', 'db', 'db_url', 'dj_db_url'].includes(callee) && unset.has('DATABASE_URL') &&
          !e.args.some(a => a.type === 'Constant' && typeof a.value === 'string' && !/:\/\//.test(a.value))) acc.add('DATABASE_URL');
        const fn = e.func.type === 'Name' ? functions.get(e.func.id) : undefined;
        if (fn && depth < 2) for (const s of walkStmts(fn.body)) for (const x of stmtParts(s).exprs) reads(x, acc, depth + 1);
        // (a class of another module builds an object, Env(): not a value read from somewhere)
        else if (e.func.type === 'Name' && imported.has(e.func.id) && !/^[A-Z]/.test(e.func.id) && !['env', 'config'].includes(e.func.id)) acc.add(OPAQUE);
        for (const c of childExprs(e)) if (c !== e.func || c.type !== 'Name') reads(c, acc, depth);
        return;
      }
      for (const c of childExprs(e)) reads(c, acc, depth);
    };
    const setsDatabases = (t: A.Expr): boolean => {
      let x = t;
      while (x.type === 'Subscript' || x.type === 'Attribute') x = x.value;
      return x.type === 'Name' && x.id === setting;
    };
    // how many levels into DATABASES a target sets (DATABASES 0, DATABASES["x"] 1), or -1 when a key on its way is a
    // connection's tuning (DATABASES["default"]["OPTIONS"])
    const levelOf = (t: A.Expr): number => {
      let n = 0;
      for (let x = t; x.type === 'Subscript'; x = x.value, n++) {
        if (x.slice.type === 'Constant' && typeof x.slice.value === 'string' && TUNING_KEYS.has(x.slice.value)) {
          let depth = 0;
          for (let y = x.value; y.type === 'Subscript'; y = y.value) depth++;
          if (depth >= 1) return -1;
        }
      }
      return n;
    };
    // the reads of a value set `level` levels into DATABASES: those under a tuning key of an alias's dict to `tune`
    const readsAt = (e: A.Expr, level: number, acc: Set<string>, tune: Set<string>): void => {
      // an alias's entry from dj-database-url or django-environ: its connection's tuning keywords to `tune` (Saleor's
      // `dj_database_url.config(default=…, conn_max_age=DB_CONN_MAX_AGE)`)
      if (e.type === 'Call' && level <= 1 && e.func.type !== 'Lambda') {
        const callee = e.func.type === 'Name' ? e.func.id : e.func.type === 'Attribute' ? e.func.attr : null;
        const tuned = callee && DB_URL_CALLS.has(callee) ? e.keywords.filter(k => k.arg && DB_URL_TUNING.has(k.arg)) : [];
        if (tuned.length) {
          for (const k of tuned) reads(k.value, tune);
          reads({ ...e, keywords: e.keywords.filter(k => !tuned.includes(k)) }, acc);
          return;
        }
      }
      if (e.type === 'Dict' && level <= 1) {
        e.keys.forEach((k, i) => {
          const v = e.values[i]!;
          if (!k) { reads(v, acc); return; }
          if (level === 1 && k.type === 'Constant' && typeof k.value === 'string' && TUNING_KEYS.has(k.value)) reads(v, tune);
          else { reads(k, acc); readsAt(v, level + 1, acc, tune); }
        });
        return;
      }
      reads(e, acc);
    };
    for (const s of walkStmts(mod.body)) {
      if (s.type === 'Assign' || s.type === 'AugAssign' || s.type === 'AnnAssign') {
        const targets = s.type === 'Assign' ? s.targets : [s.target];
        const acc = new Set<string>();
        const db = targets.find(setsDatabases);
        const level = db ? levelOf(db) : 0;
        if (db && !replaced(s.line) && s.value) {
          const where = new Set<string>();
          const tune = new Set<string>();
          if (level < 0) reads(s.value, tune);
          else readsAt(s.value, level, where, tune);
          for (const v of where) out.add(v);
          for (const v of tune) tuned.add(v);
        }
        reads(s.value, acc);
        for (const t of targets) if (t.type === 'Name' && acc.size) derived.set(t.id, new Set([...(derived.get(t.id) ?? []), ...acc]));
      } else if (s.type === 'Expr' && s.value.type === 'Call' && s.value.func.type === 'Attribute' && setsDatabases(s.value.func.value) && !replaced(s.line)) {
        reads(s.value, out);
      } else if (s.type === 'For') {
        // `for key, value in DB_OVERRIDES.items(): DATABASES["default"][key] = value` (enterprise-catalog): the
        // loop's names carry what its iterable read
        const acc = new Set<string>();
        reads(s.iter, acc);
        if (acc.size) {
          const names: string[] = [];
          const collect = (t: A.Expr): void => { if (t.type === 'Name') names.push(t.id); else if (t.type === 'Tuple' || t.type === 'List') t.elts.forEach(collect); };
          collect(s.target);
          for (const n of names) derived.set(n, new Set([...(derived.get(n) ?? []), ...acc]));
        }
      }
    }
  }
  // a function of another module among the statements (Mathesar's parse_port(POSTGRES_PORT)): the variables seen
  // read around it, when there are some; else null (the caller then takes those that look like a database's)
  // (read for both: it decides where too)
  for (const v of tuned) if (!out.has(v)) { out.add(v); tuning?.add(v); }
  tuning?.delete(OPAQUE);
  if (out.has(OPAQUE)) {
    out.delete(OPAQUE);
    return out.size ? out : null;
  }
  return out;
}

/** In databaseVariables: a value computed by a function of another module, whose reads are not followed. */
const OPAQUE = '\u0000';

/**
 * Keys of a DATABASES entry that say how a connection behaves, not which database it reaches (Django's
 * ConnectionHandler settings; OPTIONS holds a driver's pool and timeouts; a libpq `service` or MySQL
 * `read_default_file` there, which name the server, is rare enough to be read as tuning).
 */
const TUNING_KEYS: ReadonlySet<string> = new Set(['OPTIONS', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'ATOMIC_REQUESTS', 'AUTOCOMMIT', 'TIME_ZONE', 'DISABLE_SERVER_SIDE_CURSORS']);

/** dj-database-url's `config`/`parse` and django-environ's `db`/`db_url`: the functions that make an alias's entry */
const DB_URL_CALLS: ReadonlySet<string> = new Set(['config', 'parse', 'db', 'db_url', 'dj_db_url']);
/** their keywords that tune the connection (TUNING_KEYS' counterparts), not where it goes */
const DB_URL_TUNING: ReadonlySet<string> = new Set(['conn_max_age', 'conn_health_checks', 'ssl_require', 'test_options', 'disable_server_side_cursors']);

/**
 * For a settings module that does not exist (temba.settings): the modules of its package (or, for a missing
 * package, of the package above) that look like settings: named *settings*, or setting DATABASES or INSTALLED_APPS.
 */
function settingsModulesNear(index: ModuleIndex, moduleName: string): string[] {
  const parts = moduleName.split('.');
  for (let n = parts.length - 1; n >= 1; n--) {
    const pkg = parts.slice(0, n).join('.');
    const r = index.resolve(pkg);
    if (!r?.file || path.basename(r.file) !== '__init__.py') continue;
    const dir = path.dirname(r.file);
    const out: string[] = [];
    const consider = (file: string, module: string): void => {
      const named = /settings/i.test(module.split('.').pop()!);
      const mod = named ? null : index.parseFile(file);
      if (named || assignsAtTop(mod, ['DATABASES', 'INSTALLED_APPS'])) out.push(module);
    };
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isFile() && e.name.endsWith('.py') && e.name !== '__init__.py') consider(path.join(dir, e.name), `${pkg}.${e.name.slice(0, -3)}`);
      else if (e.isDirectory() && /settings/i.test(e.name) && fs.existsSync(path.join(dir, e.name, '__init__.py'))) {
        for (const f of fs.readdirSync(path.join(dir, e.name)).sort()) if (f.endsWith('.py') && f !== '__init__.py') consider(path.join(dir, e.name, f), `${pkg}.${e.name}.${f.slice(0, -3)}`);
      }
      if (out.length > 20) break;
    }
    return out.filter(m => m !== moduleName);
  }
  return [];
}

/** Whether a module assigns one of `names` at its top level. */
export function assignsAtTop(mod: A.Module | null, names: string[]): boolean {
  return !!mod?.body.some(s => s.type === 'Assign' && s.targets.some(t => t.type === 'Name' && names.includes(t.id)));
}

/** The modules beside the settings file (same folder) that assign `name` at their top level. */
function settingsSetting(index: ModuleIndex, file: string, module: string, name: string): string[] {
  const dir = path.dirname(file);
  const pkg = path.basename(file) === '__init__.py' ? module : module.split('.').slice(0, -1).join('.');
  let entries: string[];
  try {
    entries = fs.readdirSync(dir).filter(f => f.endsWith('.py') && f !== '__init__.py' && path.join(dir, f) !== file).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const f of entries.slice(0, 40)) {
    if (!assignsAtTop(index.parseFile(path.join(dir, f)), [name])) continue;
    const base = f.slice(0, -3);
    out.push(pkg ? `${pkg}.${base}` : base);
  }
  return out;
}

const DB_WORDS = new Set(['DB', 'DATABASE', 'DATABASES', 'POSTGRES', 'POSTGRESQL', 'MYSQL', 'MARIADB', 'SQL', 'SQLITE', 'ORACLE', 'HOST', 'PORT', 'USER', 'PASSWORD', 'NAME', 'DSN', 'ENGINE']);
/** DATABASE_URL, POSTGRES_DB, DB_HOST, PGPASSWORD, MYSQL_USER: a word of the name is a database word */
function looksLikeDatabaseVariable(name: string): boolean {
  return name.toUpperCase().split(/[^A-Z0-9]+/).some(w => DB_WORDS.has(w) || /^PG[A-Z]*$/.test(w));
}

/**
 * One entry per cause: settings that are unknown for the same reason at the same place (fifteen EMAIL_*
 * settings from one package that is not installed) are listed together, names joined with ", ".
 */
function groupByCause(unknowns: SettingsInfo['unknowns']): SettingsInfo['unknowns'] {
  const groups = new Map<string, SettingsInfo['unknowns'][number]>();
  for (const u of unknowns) {
    // "… (NAME is set on one path only)": the same cause for every NAME an `if` on it sets (thirty settings behind
    // one package that is not installed were thirty warnings)
    const m = ONE_PATH.exec(u.reason);
    const reason = m && m[1] === u.name ? `${u.reason.slice(0, m.index)} (set on one path only)` : u.reason;
    const key = `${reason}\u0000${u.loc?.path ?? ''}:${u.loc?.line ?? ''}`;
    const g = groups.get(key);
    if (g) g.name += `, ${u.name}`;
    else groups.set(key, { ...u, reason });
  }
  return [...groups.values()];
}

const ONE_PATH = / \(([A-Za-z_][A-Za-z0-9_]*) is set on one path only\)$/;

function definitionLocs(mod: A.Module | null, file: string): Map<string, Loc> {
  const out = new Map<string, Loc>();
  if (!mod) return out;
  const top = new Set(mod.body);
  for (const s of walkStmts(mod.body)) {
    // under an `if` (or a loop, a try) only a whole assignment defines a name: a change made there (`+=`, an item
    // set) may not run (enterprise-catalog's `if os.environ.get("ENABLE_DJANGO_TOOLBAR"): INSTALLED_APPS += …`),
    // and the definition is then the one the module imported
    const nested = !top.has(s);
    const names: string[] = [];
    if (s.type === 'Assign') for (const t of s.targets) { if (t.type === 'Name') names.push(t.id); else if (!nested && t.type === 'Subscript' && t.value.type === 'Name' && !out.has(t.value.id)) names.push(t.value.id); }
    if ((s.type === 'AnnAssign' || (s.type === 'AugAssign' && !nested)) && s.target.type === 'Name' && !out.has(s.target.id)) names.push(s.target.id);
    for (const n of names) if ((s.type === 'Assign' && !(nested && out.has(n))) || !out.has(n)) out.set(n, { path: file, line: s.line });
  }
  return out;
}

const DB_SETTINGS = ['DATABASES', 'DATABASE_ROUTERS'];

/**
 * `if` statements at the top of the settings files whose condition reads environment variables that are not set here
 * (their names as string constants in the condition, or names assigned from such reads before) and whose branches set
 * DATABASES or DATABASE_ROUTERS (assigned, an item set, or `.update`/`.append`/`.extend`/`+=`).
 */
function envDependentDatabases(index: ModuleIndex, files: string[], unset: Set<string>, includedAt: ReadonlyMap<string, Loc> = new Map(), aliasesNow: string | null = null): NonNullable<SettingsInfo['envDependent']> {
  const out: NonNullable<SettingsInfo['envDependent']> = [];
  const strings = (e: A.Expr | null | undefined, acc: Set<string>, derived: Map<string, Set<string>>): void => {
    if (!e) return;
    if (e.type === 'Constant' && typeof e.value === 'string' && unset.has(e.value)) acc.add(e.value);
    if (e.type === 'Name') for (const v of derived.get(e.id) ?? []) acc.add(v);
    for (const c of childExprs(e)) strings(c, acc, derived);
  };
  /** the settings the statements set, and whether they may change DATABASES' aliases (not only an entry's OPTIONS) */
  const sets = (body: A.Stmt[]): { names: Set<string>; entries: boolean; keys: string | null } => {
    const names = new Set<string>();
    let entries = false;
    /** the aliases of `DATABASES = {…}` when that is the only change to them here (their keys, sorted), else null */
    let keys: string | null = null;
    let other = false;
    // the setting written, and how deep: DATABASES = … (0), DATABASES["x"] = … (1), DATABASES["x"]["OPTIONS"] = … (2)
    const base = (t: A.Expr): { name: string; depth: number } | null => {
      let x = t;
      let depth = 0;
      while (x.type === 'Subscript' || x.type === 'Attribute') { x = x.value; depth++; }
      return x.type === 'Name' && DB_SETTINGS.includes(x.id) ? { name: x.id, depth } : null;
    };
    const note = (b: { name: string; depth: number } | null, depth: number): void => {
      if (!b) return;
      names.add(b.name);
      if (b.name !== 'DATABASES' || b.depth <= depth) entries = true;
    };
    for (const s of walkStmts(body)) {
      const targets = s.type === 'Assign' ? s.targets : s.type === 'AugAssign' || s.type === 'AnnAssign' ? [s.target] : s.type === 'Delete' ? s.targets : [];
      for (const t of targets) {
        const b = base(t);
        if (b?.name === 'DATABASES' && b.depth <= 1) {
          const k = s.type === 'Assign' && b.depth === 0 && s.value.type === 'Dict' && s.value.keys.every(x => x?.type === 'Constant' && typeof x.value === 'string')
            ? s.value.keys.map(x => (x as { value: string }).value).sort().join(',') : null;
          // (two dicts of different aliases in one branch, an if/elif chain's: the aliases differ)
          if (k === null || (keys !== null && keys !== k)) other = true;
          else keys = k;
        }
      }
      for (const t of targets) note(base(t), 1);
      // DATABASES.update(…) / .pop(…) change the aliases; DATABASES["x"].update(…) an entry
      if (s.type === 'Expr' && s.value.type === 'Call' && s.value.func.type === 'Attribute') {
        const b = base(s.value.func.value);
        if (b?.name === 'DATABASES' && b.depth === 0) other = true;
        note(b, 0);
      }
    }
    return { names, entries, keys: other ? null : keys };
  };
  // the top-level functions of the files, by name: `DATABASES = parse_db_settings(DATA_DIR)` with the function in a
  // helper module (paperless' settings/custom.py)
  const functions = new Map<string, A.FunctionDef>();
  for (const file of files) for (const s of index.parseFile(file)?.body ?? []) if (s.type === 'FunctionDef' && !functions.has(s.name)) functions.set(s.name, s);
  /**
   * The unset variables a function's conditions read (its parameters as the call's arguments, names assigned from
   * such reads, under conditions too), and whether every path returns a dict of the same literal aliases.
   */
  const inFunction = (fn: A.FunctionDef, call: A.Call, outer: Map<string, Set<string>>): { vars: Set<string>; sameAliases: boolean } => {
    const derived = new Map<string, Set<string>>();
    [...fn.args.posonly, ...fn.args.args].forEach((p, i) => {
      const acc = new Set<string>();
      strings(call.args[i], acc, outer);
      for (const k of call.keywords) if (k.arg === p.name) strings(k.value, acc, outer);
      if (acc.size) derived.set(p.name, acc);
    });
    const vars = new Set<string>();
    const keys = new Set<string>();
    let other = false;
    for (const s of allStmts(fn.body)) {
      if (s.type === 'Assign' && s.targets.length === 1 && s.targets[0]!.type === 'Name') {
        const acc = new Set(derived.get(s.targets[0]!.id) ?? []);
        strings(s.value, acc, derived);
        if (acc.size) derived.set(s.targets[0]!.id, acc);
      } else if (s.type === 'If' || s.type === 'While') strings(s.test, vars, derived);
      else if (s.type === 'Return') {
        const v = s.value;
        if (v?.type === 'Dict' && v.keys.every(x => x?.type === 'Constant' && typeof x.value === 'string')) keys.add(v.keys.map(x => (x as { value: string }).value).sort().join(','));
        else other = true;
      }
    }
    return { vars, sameAliases: !other && keys.size === 1 };
  };
  for (const file of files) {
    const mod = index.parseFile(file);
    if (!mod) continue;
    const derived = new Map<string, Set<string>>();
    const visit = (body: A.Stmt[], nested = false): void => {
      for (const s of body) {
        const called = s.type === 'Assign' && s.targets.length === 1 && s.targets[0]!.type === 'Name' && DB_SETTINGS.includes(s.targets[0]!.id)
          && s.value.type === 'Call' && s.value.func.type === 'Name' ? functions.get(s.value.func.id) : undefined;
        if (called && s.type === 'Assign' && s.value.type === 'Call') {
          // DATABASES = helper(…) whose conditions read variables not set here
          const r = inFunction(called, s.value, derived);
          const name = (s.targets[0] as A.Name).id;
          if (r.vars.size) out.push({ settings: [name], variables: [...r.vars].sort(), loc: { path: file, line: s.line }, ...(r.sameAliases && name === 'DATABASES' ? { optionsOnly: true as const } : {}) });
        }
        if (s.type === 'Assign' && s.targets.length === 1 && s.targets[0]!.type === 'Name') {
          const acc = new Set<string>();
          strings(s.value, acc, derived);
          // under a condition the name may keep what it had (paperless: `engine = os.getenv("…DBENGINE")`, then
          // `if engine is None: engine = "postgresql" if "…DBHOST" in os.environ else "sqlite"`): both
          const name = s.targets[0]!.id;
          if (nested) for (const v of derived.get(name) ?? []) acc.add(v);
          if (acc.size) derived.set(name, acc);
        } else if (s.type === 'Expr' && s.value.type === 'Call') {
          // a helper that binds the global named after the variable it reads (PeeringDB's
          // set_option("DATABASE_REPLICA_HOST", ""): globals().setdefault(name, os.environ.get(name, value)))
          for (const a of s.value.args) if (a.type === 'Constant' && typeof a.value === 'string' && unset.has(a.value)) derived.set(a.value, new Set([a.value]));
        } else if (s.type === 'If') {
          const vars = new Set<string>();
          strings(s.test, vars, derived);
          const a = sets(s.body), b = sets(s.orelse);
          const names = new Set([...a.names, ...b.names]);
          // both paths set DATABASES to dicts of the same aliases (wger's `if PS_DATABASE_URI: DATABASES = {"default":
          // …} else: DATABASES = {"default": …}`), and nothing else changes them: only the entries differ
          // or one path leaves DATABASES as the settings have it here and the other sets the same aliases (healthchecks:
          // `if os.getenv("DB") == "postgres": DATABASES = {"default": …}`)
          const keep = (x: typeof a, y: typeof a) => x.keys !== null && x.keys === aliasesNow && !y.names.size && !x.names.has('DATABASE_ROUTERS');
          const sameAliases = (a.keys !== null && a.keys === b.keys && !a.names.has('DATABASE_ROUTERS') && !b.names.has('DATABASE_ROUTERS')) || keep(a, b) || keep(b, a);
          if (vars.size && names.size) {
            out.push({ settings: DB_SETTINGS.filter(n => names.has(n)), variables: [...vars].sort(), loc: { path: file, line: s.line }, ...((a.entries || b.entries) && !sameAliases ? {} : { optionsOnly: true as const }) });
          }
          else { visit(s.body, true); visit(s.orelse, true); }
        } else if (s.type === 'Try') {
          visit(s.body);
        }
      }
    };
    visit(mod.body);
  }
  // a setting assigned whole afterwards (later in the same file, or by the settings module over what it imported:
  // Kiwi's devel settings replace common's DATABASES) no longer depends on the condition
  const reassigned = (file: string, after: number, name: string): boolean => {
    const mod = index.parseFile(file);
    return !!mod?.body.some(s => s.line > after && s.type === 'Assign' && s.targets.some(t => t.type === 'Name' && t.id === name));
  };
  const main = files[0]!;
  return out
    // (a file included from the settings module at a line is replaced only by what comes after that line)
    .map(c => ({ ...c, settings: c.settings.filter(n => !reassigned(c.loc.path, c.loc.line, n) && (c.loc.path === main || !reassigned(main, includedAt.get(c.loc.path)?.path === main ? includedAt.get(c.loc.path)!.line : 0, n))) }))
    .filter(c => c.settings.length);
}

/** Where the last module `interp` imported (other than `main`) that assigns `name` assigns it. */
function importedDefinition(index: ModuleIndex, interp: Interp, main: string, name: string): Loc | undefined {
  for (const file of interp.importedFiles().reverse()) {
    if (file === main) continue;
    const loc = definitionLocs(index.parseFile(file), file).get(name);
    if (loc) return loc;
  }
  return undefined;
}

function routerPath(v: Value): string | null {
  if (v.kind === 'str') return v.v;
  if (v.kind === 'class' && !v.special) return `${v.module}.${v.name}`;
  if (v.kind === 'instance' && !v.cls.special) return `${v.cls.module}.${v.cls.name}`;
  return null;
}

function databaseSetting(alias: string, v: Value, loc: Loc | undefined, addUnknown: (name: string, v: Value, fallback: string) => void): DatabaseSetting {
  const db: DatabaseSetting = { alias, engine: null, name: null };
  if (loc) db.loc = loc;
  const label = `DATABASES[${JSON.stringify(alias)}]`;
  if (v.kind !== 'dict') {
    addUnknown(label, v, `${label} is ${repr(v)}`);
    return db;
  }
  const d = v as DictV;
  const field = (key: string): Value | undefined => {
    const x = dictGet(d, str(key));
    if (x === undefined && d.inexact) return d.inexact;
    return x;
  };
  const text = (key: string, dflt: string | null): string | null => {
    const x = field(key);
    if (x === undefined) return dflt;
    if (x.kind === 'str') return x.v;
    if (x.kind === 'path') return x.p;
    if (x.kind === 'unknown') { addUnknown(`${label}.${key}`, x, 'not known'); return null; }
    if (x.kind === 'none') return null;
    const s = pyStr(x);
    if (s === null) addUnknown(`${label}.${key}`, x, `${key} is ${repr(x)}`);
    return s;
  };
  db.engine = text('ENGINE', DUMMY_ENGINE);
  db.name = text('NAME', '');
  db.host = text('HOST', '');
  const port = field('PORT');
  if (port === undefined) db.port = '';
  else if (port.kind === 'num') db.port = port.v;
  else if (port.kind === 'str') db.port = port.v;
  else if (port.kind === 'none') db.port = null;
  else { db.port = null; addUnknown(`${label}.PORT`, port, 'not known'); }
  db.user = text('USER', '');
  db.password = text('PASSWORD', '');
  const opts = field('OPTIONS');
  if (opts !== undefined) {
    if (opts.kind === 'dict') db.options = toJSLoose(opts) as Record<string, unknown>;
    else addUnknown(`${label}.OPTIONS`, opts, 'not known');
  }
  const raw: Record<string, unknown> = {};
  for (const e of d.map.values()) {
    if (e.k.kind !== 'str' || ['ENGINE', 'NAME', 'HOST', 'PORT', 'USER', 'PASSWORD', 'OPTIONS'].includes(e.k.v)) continue;
    raw[e.k.v] = toJSLoose(e.v);
  }
  if (Object.keys(raw).length) db.raw = raw;
  return db;
}

// ---- the settings object routers see -------------------------------------------------------------------

/**
 * `django.conf.settings` for router evaluation: attributes from the evaluated settings namespace when
 * available (else SettingsInfo.values), then Django's global defaults; names that may exist but are not known
 * are unknown, names that certainly do not exist raise AttributeError (so `getattr(settings, "X", d)` is d).
 * `onRead` is told the name of each setting the evaluated code reads (what a result computed from them depends on).
 */
export function settingsObject(settings: SettingsInfo, onRead?: (name: string) => void): Value {
  const attrs = new Map<string, Value>();
  const unknownNames = new Set(settings.unknowns.flatMap(u => u.name.split(', ')));
  const star = settings.unknowns.find(u => u.name === '*');
  const ns = settingsNamespace(settings);
  const dbs: Record<string, unknown> = {};
  for (const d of settings.databases) {
    const e: Record<string, unknown> = { ...(d.raw ?? {}), ENGINE: d.engine, NAME: d.name, HOST: d.host ?? '', PORT: d.port ?? '', USER: d.user ?? '', PASSWORD: d.password ?? '' };
    if (d.options) e.OPTIONS = d.options;
    dbs[d.alias] = e;
  }
  const base: Record<string, unknown> = {
    ...settings.values, DATABASES: dbs, DATABASE_ROUTERS: settings.routers, INSTALLED_APPS: settings.installedApps,
    MIGRATION_MODULES: settings.migrationModules, AUTH_USER_MODEL: settings.authUserModel,
  };
  const o: Value = { kind: 'obj', type: 'django.conf.settings', attrs, missing: 'absent' };
  const lookup = (name: string): Value | undefined => {
    if (ns) {
      const v = ns.vars.get(name);
      if (v !== undefined && name !== 'DATABASES') return v;
    }
    if (name in base) {
      const v = fromJS(base[name]);
      // a collection that may hold more than its known entries (settings-partial): so may what the routers see
      const p = settings.partial?.find(x => x.name === name);
      if (p) {
        const why = unknown(`settings.${name} may hold more entries: ${p.reason}`, p.loc);
        if (v.kind === 'dict') v.inexact ??= why;
        else if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') v.more ??= why;
      }
      return v;
    }
    if (unknownNames.has(name)) return unknown(`settings.${name} is not known`, settings.unknowns.find(u => u.name.split(', ').includes(name))?.loc);
    if (star) return unknown(`settings.${name} ${mayComeFrom(star.reason)}`, star.loc);
    const g = DJANGO_GLOBAL_SETTINGS[name];
    if (g !== undefined) return g === null ? unknown(`Django's default for settings.${name}`) : fromJS(g.v);
    if (name !== name.toUpperCase()) return unknown(`settings.${name}`);
    return undefined;
  };
  (o as { data?: unknown }).data = onRead ? (name: string) => { onRead(name); return lookup(name); } : lookup;
  return o;
}

export { shortLoc };

/** The environment the settings were evaluated with (after `os.environ.setdefault`, `read_env` …). */
export function settingsEnv(s: SettingsInfo): Record<string, string | undefined> | undefined {
  return SETTINGS_NS.get(s)?.interp.env;
}

/** The Python environment the settings were evaluated with (what other evaluators say of missing packages). */
export function settingsPython(s: SettingsInfo): PythonFacts | undefined {
  return SETTINGS_NS.get(s)?.interp.python;
}
