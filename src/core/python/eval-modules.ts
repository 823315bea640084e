// Natively modelled modules for ./evaluate.ts: os, os.path, sys, pathlib, functools, typing, django-environ
// (`environ`), dj-database-url, python-dotenv and the few Django names settings and routers use. Other
// standard-library and Django modules are opaque (importable, every member unknown); they are never executed.
import * as path from 'path';
import * as fs from 'fs';
import { createHash } from 'crypto';
import { parse as parseYaml } from 'yaml';
import type { Loc } from '../types';
import { type Evaluator, type Frame, type KW, PyErr, kwarg, isExternalPath, inProject, rootOf } from './runtime';
import {
  type Value, type ModuleV, type ObjV, type BuiltinV, type ClassV, type Namespace, NONE, TRUE, FALSE, str, num, bool, list, tuple, unknown, dict,
  dictSet, repr, pyStr, truthy, cloneValue, oneOf, picked, fromJS, enumClass, overlayUnknown, seqLike,
} from './values';
import { exceptionClass } from './exceptions';
import { dirNames, fileOrGlobalsCall, globFiles, globalsObj } from './eval-builtins';
import { environPath } from './operators';
import { joinPath, realpath } from './paths';
import { readText, statFile } from '../vfs';
import { ENV_TARGET } from '../env/env-file';
import { DJANGO_GLOBAL_SETTINGS } from '../settings/django-defaults';
import { translationTextArg } from './symbols';
import { reAttr, reCall, reMembers } from './eval-re';
import { INTERPOLATIONS, configparserCall, configparserMembers, isConfigparserObj, newInterpolation, newParser, parserAttr } from './eval-configparser';

import { pythonVersion, sysPlatform, entryPoints, findDistribution, type PyVersion } from './environment';

const HASHES = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
/** django.utils.translation's functions that give a text (whether the environment's Django has each is its own: djangoLacks) */
const TRANSLATION = ['gettext', 'gettext_lazy', 'gettext_noop', 'ugettext', 'ugettext_lazy', 'ugettext_noop', 'pgettext', 'pgettext_lazy', 'ngettext', 'ngettext_lazy', 'ungettext', 'ungettext_lazy', 'npgettext', 'npgettext_lazy'];

function versionInfo(v: PyVersion): Value {
  const u = unknown('the Python micro version (only X.Y is known from the environment)');
  return { kind: 'tuple', items: [num(v.major), num(v.minor), v.micro === null ? u : num(v.micro), v.micro === null ? u : str('final'), v.micro === null ? u : num(0)],
    fields: ['major', 'minor', 'micro', 'releaselevel', 'serial'] };
}

function globalSettingsObj(it: Evaluator): Value {
  const o = obj('django.conf.global_settings', 'unknown');
  o.data = { attr: (n: string) => it.globalSettings?.(n) };
  return o;
}

/** importlib.metadata's EntryPoint, with the attributes settings read. */
function entryPointObj(e: { name: string; group: string; value: string }): Value {
  const colon = e.value.indexOf(':');
  const module = (colon < 0 ? e.value : e.value.slice(0, colon)).trim();
  const attr = colon < 0 ? NONE : str(e.value.slice(colon + 1).replace(/\[.*$/, '').trim());
  const o = obj('importlib.metadata.EntryPoint', 'absent');
  for (const [k, v] of [['name', str(e.name)], ['group', str(e.group)], ['value', str(e.value)], ['module', str(module)], ['attr', attr]] as [string, Value][]) o.attrs.set(k, v);
  return o;
}

function noEnvironment(what: string, loc: Loc): Value {
  return unknown(`${what}: no Python environment (site-packages) was found`, loc);
}

/** importlib.import_module / import_string: a literal name is imported (a module not installed is opaque). */
function importByName(it: Evaluator, name: string, pkg: string | null, loc: Loc): Value {
  let abs = name;
  if (name.startsWith('.')) {
    if (!pkg) throw new PyErr('TypeError', `the 'package' argument is required to perform a relative import for '${name}'`, loc);
    const level = name.length - name.replace(/^\.+/, '').length;
    abs = [...pkg.split('.').slice(0, pkg.split('.').length - (level - 1)), name.slice(level)].filter(x => x).join('.');
  }
  return it.importModule(abs, loc);
}

const b = (name: string, self?: Value): BuiltinV => (self ? { kind: 'builtin', name, self } : { kind: 'builtin', name });
const obj = (type: string, missing: 'unknown' | 'absent' = 'unknown', data?: unknown): ObjV => ({ kind: 'obj', type, attrs: new Map(), missing, data });

const STDLIB = new Set([
  'abc', 'argparse', 'ast', 'asyncio', 'atexit', 'base64', 'binascii', 'builtins', 'calendar', 'codecs', 'collections', 'configparser',
  'contextlib', 'contextvars', 'copy', 'csv', 'ctypes', 'dataclasses', 'datetime', 'decimal', 'difflib', 'email', 'enum', 'errno',
  'fnmatch', 'fractions', 'getpass', 'gettext', 'glob', 'gzip', 'hashlib', 'hmac', 'html', 'http', 'importlib', 'inspect', 'io',
  'ipaddress', 'itertools', 'json', 'locale', 'logging', 'math', 'mimetypes', 'multiprocessing', 'numbers', 'operator', 'pickle',
  'platform', 'pprint', 'queue', 'random', 're', 'secrets', 'select', 'shlex', 'shutil', 'signal', 'site', 'socket', 'sqlite3', 'ssl',
  'stat', 'string', 'struct', 'subprocess', 'sysconfig', 'tempfile', 'textwrap', 'threading', 'time', 'timeit', 'traceback', 'types',
  'unicodedata', 'unittest', 'urllib', 'uuid', 'warnings', 'weakref', 'xml', 'zipfile', 'zlib', 'zoneinfo', 'distutils', 'warnings',
  '__future__', 'posixpath', 'ntpath', 'genericpath',
]);

const MODELED = new Set([
  'os', 'os.path', 'sys', 'pathlib', 'functools', 'typing', 'environ', 'dj_database_url', 'dotenv', 'django.conf', 'django.db',
  'django.core.exceptions', 'django.utils.functional', 'django.core.management.utils', 'platform', 'importlib', 'importlib.metadata',
  'importlib.util', 'django.utils.module_loading', 'warnings', 'datetime', 'dataclasses', 'itertools', 'typing_extensions', 'hashlib',
  'collections', 'decouple', 'environs', 'threading', 'copy', 'random', 'secrets', 'json', 'errno', 'yaml', 'enum', 'dynaconf',
  'split_settings', 'split_settings.tools', 're', 'asgiref.local', 'inspect', 'glob', 'path', 'django.conf.global_settings',
  'configparser', 'django.utils.translation', 'configurations', 'configurations.values', 'contextvars',
]);

export function isOpaqueModule(name: string): boolean {
  const top = name.split('.')[0]!;
  return STDLIB.has(top) || top === 'django';
}

function mod(name: string, members: [string, Value][]): ModuleV {
  const ns: Namespace = { vars: new Map(members), module: name, file: null, isPackage: false, starUnknown: { reason: `${name} members other than the modelled ones` } };
  return { kind: 'module', name, ns, special: 'modeled' };
}

export function modeledModule(it: Evaluator, name: string): ModuleV | null {
  if (!MODELED.has(name)) return null;
  switch (name) {
    case 'os': {
      const environ = obj('os.environ', 'absent');
      return mod('os', [
        ['environ', environ], ['getenv', b('os.getenv')], ['path', it.importModule('os.path')], ['sep', str('/')], ['pathsep', str(':')],
        ['fspath', b('os.fspath')], ['getcwd', b('os.getcwd')], ['name', str('posix')], ['linesep', str('\n')],
        ['pardir', str('..')], ['curdir', str('.')], ['extsep', str('.')], ['altsep', NONE], ['devnull', str('/dev/null')],
        ['SEEK_SET', num(0)], ['SEEK_CUR', num(1)], ['SEEK_END', num(2)],
      ]);
    }
    case 'os.path':
      return mod('os.path', ['join', 'dirname', 'abspath', 'basename', 'realpath', 'normpath', 'exists', 'isfile', 'isdir', 'expanduser', 'splitext', 'split', 'isabs']
        .map(n => [n, b('os.path.' + n)] as [string, Value]).concat([['sep', str('/')], ['pardir', str('..')], ['curdir', str('.')]]));
    case 'sys': {
      const v = pythonVersion(it.python);
      const noVersion = unknown('the Python version (no Python environment was found)');
      return mod('sys', [
        ['argv', list([str('manage.py'), str('migrate')])], ['platform', str(sysPlatform())], ['path', obj('sys.path', 'unknown')],
        ['version_info', v ? versionInfo(v) : noVersion], ['version', v?.text ? str(v.text) : noVersion],
        ['modules', obj('sys.modules', 'unknown')], ['executable', unknown('sys.executable')],
        ['stdout', unknown('sys.stdout')], ['stderr', unknown('sys.stderr')], ['exit', b('sys.exit')], ['_getframe', b('sys._getframe')],
      ]);
    }
    case 'platform':
      return mod('platform', [['python_version', b('platform.python_version')], ['system', b('platform.system')], ['node', b('platform.node')]]);
    case 'importlib':
      return mod('importlib', [['import_module', b('importlib.import_module')], ['metadata', it.importModule('importlib.metadata')], ['util', it.importModule('importlib.util')]]);
    case 'importlib.metadata':
      return mod('importlib.metadata', [['entry_points', b('importlib.metadata.entry_points')], ['version', b('importlib.metadata.version')],
        ['distribution', b('importlib.metadata.distribution')], ['PackageNotFoundError', exceptionClass('PackageNotFoundError')]]);
    case 'importlib.util':
      return mod('importlib.util', [['spec_from_file_location', b('importlib.util.spec_from_file_location')], ['module_from_spec', b('importlib.util.module_from_spec')],
        ['find_spec', b('importlib.util.find_spec')]]);
    case 'django.utils.module_loading':
      return mod('django.utils.module_loading', [['import_string', b('importlib.import_string')]]);
    case 'warnings':
      return mod('warnings', ['warn', 'filterwarnings', 'simplefilter', 'resetwarnings'].map(n => [n, b('warnings.' + n)] as [string, Value]));
    case 'datetime':
      return mod('datetime', [['timedelta', b('datetime.timedelta')]]);
    case 'collections':
      // an OrderedDict is a dict here: this evaluator's dicts keep insertion order (other members stay unknown)
      return mod('collections', [['OrderedDict', b('dict')], ['defaultdict', b('collections.defaultdict')]]);
    case 'dataclasses':
      return mod('dataclasses', [['dataclass', b('dataclasses.dataclass')], ['field', b('dataclasses.field')]]);
    case 're':
      return mod('re', [...reMembers(), ['error', exceptionClass('ValueError')]]);
    case 'hashlib':
      return mod('hashlib', HASHES.map(n => [n, b('hashlib.' + n)] as [string, Value]));
    case 'itertools':
      return mod('itertools', [['chain', b('itertools.chain')], ['cycle', b('itertools.cycle')], ['repeat', b('itertools.repeat')]]);
    case 'random':
      // what a replica router picks (Django's docs: random.choice(['replica1', 'replica2'])): one of known values
      return mod('random', [...['choice', 'shuffle', 'sample', 'choices'].map(n => [n, b('random.' + n)] as [string, Value]),
        ...RANDOM_NUMBERS.map(n => [n, b('random.number')] as [string, Value])]);
    case 'secrets':
      return mod('secrets', [['choice', b('random.choice')]]);
    case 'yaml':
      // PyYAML's loaders (settings reading a YAML configuration: NetBox's release.yaml, eTools' secrets.yml)
      return mod('yaml', [['safe_load', b('yaml.load')], ['load', b('yaml.load')], ['full_load', b('yaml.load')], ['YAMLError', exceptionClass('YAMLError')],
        ...['SafeLoader', 'FullLoader', 'Loader', 'CSafeLoader', 'CLoader', 'BaseLoader'].map(n => [n, obj(`yaml.${n}`)] as [string, Value])]);
    case 'split_settings':
      return mod('split_settings', [['tools', it.importModule('split_settings.tools')]]);
    case 'split_settings.tools':
      // django-split-settings (AWX): include() runs settings files in the including module
      return mod('split_settings.tools', [['include', b('split_settings.include')], ['optional', b('split_settings.optional')]]);
    case 'dynaconf':
      // DjangoDynaconf(__name__) finishes a settings module: any setting may come from its environment variables
      // and settings files (pulpcore: PULP_DATABASES)
      return mod('dynaconf', [['DjangoDynaconf', b('dynaconf.DjangoDynaconf')], ['Dynaconf', b('dynaconf.Dynaconf')], ['LazySettings', b('dynaconf.Dynaconf')], ['Validator', b('dynaconf.Dynaconf')]]);
    case 'enum':
      // Enum classes: their attributes are members with .name and .value (Flagsmith's default=Mode.EXPIRING.value)
      return mod('enum', [...['Enum', 'IntEnum', 'StrEnum', 'Flag', 'IntFlag'].map(n => [n, enumClass(n)] as [string, Value]), ['auto', b('enum.auto')], ['unique', b('enum.unique')]]);
    case 'errno':
      return mod('errno', [['ENOENT', num(2)], ['EACCES', num(13)], ['EEXIST', num(17)], ['ENOTDIR', num(20)], ['EISDIR', num(21)]]);
    case 'json':
      // settings that read a JSON configuration file (Mayan's smart settings, etools-datamart's secrets)
      return mod('json', [['loads', b('json.loads')], ['load', b('json.load')], ['dumps', b('json.dumps')], ['JSONDecodeError', exceptionClass('ValueError')]]);
    case 'typing_extensions':
      return mod('typing_extensions', [['TYPE_CHECKING', FALSE], ['cast', b('typing.cast')], ['NamedTuple', b('typing.NamedTuple')]]);
    case 'path': {
      // path.py (`from path import Path as path`, Open edX's settings: `PROJECT_ROOT = path(__file__).abspath().dirname()`,
      // then `sys.path.append(PROJECT_ROOT / 'djangoapps')`), unless the project has a module of that name
      const r = it.index.resolve('path');
      const at = r?.file ?? r?.packageDir;
      if (at && inProject(it.index.roots, at)) return null;
      return mod('path', [['Path', b('pathpy.Path')], ['path', b('pathpy.Path')]]);
    }
    case 'pathlib':
      return mod('pathlib', ['Path', 'PurePath', 'PosixPath', 'PurePosixPath'].map(n => [n, b('pathlib.Path')] as [string, Value]));
    case 'functools':
      return mod('functools', [['lru_cache', b('functools.lru_cache')], ['cache', b('functools.cache')], ['wraps', b('functools.wraps')],
        ['cached_property', b('functools.cached_property')], ['partial', b('functools.partial')], ['reduce', b('functools.reduce')]]);
    case 'typing':
      return mod('typing', [['TYPE_CHECKING', FALSE], ['cast', b('typing.cast')], ['NamedTuple', b('typing.NamedTuple')]]);
    case 'environ':
      return mod('environ', [['Env', b('environ.Env')], ['Path', b('environ.Path')], ['FileAwareEnv', b('environ.Env')], ['ImproperlyConfigured', exceptionClass('ImproperlyConfigured')]]);
    case 'environs': {
      // environs (marshmallow-based): Env(), the module's own `env`, env.str/bool/int/list/dj_db_url(…), read_env()
      return mod('environs', [['Env', b('environs.Env')], ['FileAwareEnv', b('environs.Env')], ['env', environsEnv()],
        ['EnvError', exceptionClass('EnvError')], ['EnvValidationError', exceptionClass('EnvValidationError')],
        ['EnvNotSetError', exceptionClass('EnvNotSetError')], ['ValidationError', exceptionClass('ValidationError')]]);
    }
    case 'threading':
      return mod('threading', [['local', b('threading.local')]]);
    case 'contextvars':
      return mod('contextvars', [['ContextVar', b('contextvars.ContextVar')]]);
    case 'inspect':
      return mod('inspect', [['getmembers', b('inspect.getmembers')], ['isclass', b('inspect.isclass')], ['isfunction', b('inspect.isfunction')],
        ['stack', b('inspect.stack')], ['currentframe', b('inspect.currentframe')], ['getfile', b('inspect.getfile')]]);
    case 'glob':
      return mod('glob', [['glob', b('glob.glob')], ['iglob', b('glob.iglob')]]);
    case 'asgiref.local':
      // asgiref's Local (Django's own connection handler uses it): a thread-local with context variables beneath,
      // set per request at run time, unset while `migrate` runs (Plane's read-replica flag)
      return mod('asgiref.local', [['Local', b('threading.local')]]);
    case 'copy':
      return mod('copy', [['deepcopy', b('copy.deepcopy')], ['copy', b('copy.copy')]]);
    case 'configurations':
    case 'configurations.values': {
      // django-configurations: settings as classes, the one DJANGO_CONFIGURATION names read as its importer reads it
      // (settings/index.ts applyConfiguration). Not a package of the project's own that has the name (an app).
      const own = it.index.resolve(name);
      if (own && !isExternalPath(own.file ?? own.packageDir ?? '')) return null;
      return name === 'configurations'
        ? mod('configurations', [['Configuration', CONFIGURATION_CLASS], ['values', it.importModule('configurations.values')]])
        : mod('configurations.values', CONFIGURATION_VALUES.map(n => [n, b(`configurations.values.${n}`)] as [string, Value]));
    }
    case 'dj_database_url':
      return mod('dj_database_url', [['config', b('dj_database_url.config')], ['parse', b('dj_database_url.parse')], ['DEFAULT_ENV', str('DATABASE_URL')]]);
    case 'configparser':
      return mod('configparser', configparserMembers(n => b(n), exceptionClass));
    case 'decouple':
      // python-decouple: config("X", default=…, cast=…) reads the environment (and the project's .env, merged in)
      return mod('decouple', [['config', b('decouple.config')], ['Csv', b('decouple.Csv')], ['AutoConfig', b('decouple.AutoConfig')],
        ['Config', b('decouple.AutoConfig')], ['UndefinedValueError', exceptionClass('UndefinedValueError')]]);
    case 'dotenv':
      return mod('dotenv', [['load_dotenv', b('dotenv.load_dotenv')], ['find_dotenv', b('dotenv.find_dotenv')], ['dotenv_values', b('dotenv.dotenv_values')]]);
    case 'django.conf.global_settings': {
      // `from django.conf.global_settings import PASSWORD_HASHERS` (readthedocs): Django's defaults, as
      // django.conf.global_settings.X reads them
      if (!it.globalSettings) return null;
      const members: [string, Value][] = [];
      for (const n of Object.keys(DJANGO_GLOBAL_SETTINGS)) { const v = it.globalSettings(n); if (v) members.push([n, v]); }
      return mod('django.conf.global_settings', members);
    }
    case 'django.conf':
      return mod('django.conf', [['settings', it.settingsValue], ['global_settings', globalSettingsObj(it)]]);
    case 'django.db':
      return mod('django.db', [['connections', obj('django.db.connections', 'unknown')], ['router', obj('django.db.router', 'unknown')],
        ['connection', unknown('django.db.connection (a runtime database connection)')], ['DEFAULT_DB_ALIAS', str('default')],
        ['transaction', obj('django.db.transaction', 'unknown')], ['models', { kind: 'module', name: 'django.db.models', ns: null, special: 'opaque' }]]);
    case 'django.core.exceptions':
      return mod('django.core.exceptions', [['ImproperlyConfigured', exceptionClass('ImproperlyConfigured')]]);
    case 'django.utils.functional':
      return mod('django.utils.functional', [['cached_property', b('functools.cached_property')], ['SimpleLazyObject', b('django.SimpleLazyObject')]]);
    case 'django.core.management.utils':
      return mod('django.core.management.utils', [['get_random_secret_key', b('django.get_random_secret_key')]]);
    case 'django.utils.translation':
      // the text as written (no translation is active while settings and models are read): `app_label =
      // _("locations")` (archivematica-storage-service), LANGUAGES = [("en", _("English"))]
      return mod('django.utils.translation', TRANSLATION.map(n => [n, b(`django.utils.translation.${n}`)] as [string, Value]));
    default:
      return null;
  }
}

/** test runners a settings module may look for in sys.modules */
const TEST_RUNNERS = new Set(['pytest', '_pytest', 'py', 'nose', 'nose2', 'pytest_django']);

const RANDOM_NUMBERS = ['random', 'randint', 'randrange', 'uniform', 'getrandbits', 'gauss', 'triangular'];

/** The rest of an open() file's text, read (its position moved to the end). */
function readRest(f: ObjV): string {
  const d = f.data as { text: string; pos?: number };
  const t = d.text.slice(d.pos ?? 0);
  d.pos = d.text.length;
  return t;
}

/** A parsed YAML document as Python values; timestamps (datetime.date in PyYAML) are not evaluated. */
function fromYaml(x: unknown, loc: Loc, depth = 0): Value {
  if (x instanceof Date) return unknown('a date or time read from YAML (not evaluated)', loc);
  if (depth > 32) return unknown('too deep', loc);
  if (Array.isArray(x)) return list(x.map(i => fromYaml(i, loc, depth + 1)));
  if (x !== null && typeof x === 'object') {
    const d = dict();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) dictSet(d, str(k), fromYaml(v, loc, depth + 1));
    return d;
  }
  return fromJS(x);
}

function s(v: Value | undefined): string | null {
  return v && v.kind === 'str' ? v.v : v && v.kind === 'path' ? v.p : null;
}

/** Attributes of modelled objects (methods are returned as builtins bound to the object). */
export function modeledAttr(_it: Evaluator, o: ObjV, name: string, _loc: Loc): Value | undefined {
  if (isConfigparserObj(o)) return parserAttr(o, name, b);
  switch (o.type) {
    case 'os.environ':
      return ['get', 'setdefault', '__getitem__', 'copy', 'keys', 'items', 'values', 'pop', '__contains__'].includes(name) ? b('os.environ.' + name, o) : undefined;
    case 'environ.Env':
      if (['str', 'bool', 'int', 'float', 'list', 'tuple', 'dict', 'json', 'url', 'db', 'db_url', 'db_url_config', 'cache', 'cache_url', 'path', 'read_env', 'get_value', 'email', 'email_url', 'search_url', 'parse_value'].includes(name)) return b('environ.Env.' + name, o);
      if (name === 'ENVIRON') return obj('os.environ', 'absent');
      return undefined;
    case 'environs.Env':
      return ENVIRONS_METHODS.has(name) ? b('environs.Env.' + name, o) : undefined;
    case 'sys.modules':
      return name === 'get' || name === '__contains__' || name === '__getitem__' ? b('sys.modules.' + name, o) : undefined;
    case 'contextvars.ContextVar':
      return name === 'get' || name === 'set' || name === 'reset' ? b('contextvars.ContextVar.' + name, o) : name === 'name' ? str((o.data as ContextVarData).name) : undefined;
    case 'sys.path':
      return name === 'insert' || name === 'append' ? b('sys.path.' + name, o) : undefined;
    case 'environ.Path':
      return name === 'path' || name === '__call__' || name === 'file' ? b('environ.Path.' + name, o) : undefined;
    case 'django.apps.registry':
      return ['get_model', 'get_app_configs', 'get_app_config', 'is_installed'].includes(name) ? b('django.apps.registry.' + name, o) : undefined;
    case 'django.db.transaction':
      return name === 'get_autocommit' ? b('django.db.transaction.get_autocommit', o) : undefined;
    case 'django.conf.settings':
      return typeof o.data === 'function' ? (o.data as (n: string) => Value | undefined)(name) : undefined;
    case 'hashlib.hash':
      return name === 'hexdigest' || name === 'update' ? b('hashlib.hash.' + name, o) : undefined;
    case 'datetime.timedelta':
      return name === 'total_seconds' ? b('datetime.timedelta.total_seconds', o) : undefined;
    case 'importlib.metadata.EntryPoints':
      return ['select', 'get', '__getitem__'].includes(name) ? b('importlib.metadata.EntryPoints.' + name, o) : undefined;
    case 'importlib.metadata.EntryPoint':
      return name === 'load' ? b('importlib.metadata.EntryPoint.load', o) : undefined;
    case 'importlib.machinery.SourceFileLoader':
      return name === 'exec_module' ? b('importlib.machinery.SourceFileLoader.exec_module', o) : undefined;
    case 'file':
      return ['read', 'readline', 'readlines', 'seek', 'tell', '__enter__', '__exit__', 'close'].includes(name) ? b('file.' + name, o) : undefined;
    case 'django.lazy':
      return _it.getAttr(lazyValue(_it, o), name, _loc);
    case 'globals':
      return ['get', '__getitem__', 'setdefault', 'update', '__contains__', 'keys', 'items', 'values', 'copy'].includes(name) ? b('globals.' + name, o) : undefined;
    case 're.Pattern': case 're.Match':
      return reAttr(o, name);
    case 'bytes':
      return name === 'decode' ? b('bytes.decode', o) : undefined;
    default:
      return typeof o.data === 'object' && o.data !== null && 'attr' in (o.data as object)
        ? (o.data as { attr: (n: string, loc: Loc) => Value | undefined }).attr(name, _loc)
        : undefined;
  }
}

const TRUE_STRINGS = ['true', 'on', 'ok', 'y', 'yes', '1'];

/** A variable's value as the environment holds it, not recorded as read (the interpreter's own writes first). */
function envValues(env: Record<string, string | undefined>): (name: string) => string | undefined {
  const target = (env as Record<symbol, Record<string, string | undefined> | undefined>)[ENV_TARGET];
  return n => (Object.prototype.hasOwnProperty.call(env, n) || !target ? env[n] : target[n]);
}

/** A contextvars.ContextVar: its name and the default it was made with. */
interface ContextVarData { name: string; default: Value | undefined }

/**
 * Calls of modelled functions and methods of modelled objects. `fn` is a builtin (`method` "__call__") or an
 * object (method name). Undefined when not modelled.
 */
export function modeledCall(it: Evaluator, fn: Value, method: string, args: Value[], kwargs: KW, loc: Loc): Value | undefined {
  if (fn.kind === 'obj') return objCall(it, fn, method, args, kwargs, loc);
  if (fn.kind !== 'builtin') return undefined;
  const name = fn.name;
  if (fn.self && fn.self.kind === 'obj') return objCall(it, fn.self, name.slice(fn.self.type.length + 1), args, kwargs, loc);
  const a0 = args[0];
  if (name.startsWith('re.')) return reCall(name.slice(3), undefined, args, kwargs, loc);
  // a django-configurations Value: what it reads is known once the class attribute's name is (configurationValue)
  if (name === 'configurations.Configuration.hook') return NONE;
  if (name.startsWith('configurations.values.')) {
    const kind = name.slice('configurations.values.'.length);
    const v = obj('configurations.Value', 'absent', { kind, args, kwargs, loc } satisfies ConfigurationValueArgs);
    // Value.__new__: one that is not late-binding (the URL values are) with an environment variable of its own, or
    // none and a default, is set up at once, when the class body runs (before DOTENV is read)
    const late = truthy(kwarg(kwargs, 'late_binding') ?? (CONFIGURATION_BACKENDS[kind] || kind === 'EmailURLValue' ? TRUE : FALSE)) === true;
    const environ = truthy(kwarg(kwargs, 'environ') ?? TRUE) !== false;
    const named = s(kwarg(kwargs, 'environ_name') ?? NONE);
    return !late && ((environ && named !== null) || (!environ && truthy(args[0] ?? kwarg(kwargs, 'default') ?? NONE) === true)) ? configurationValue(it, named ?? kind, v) : v;
  }
  switch (name) {
    case 'os.getenv': {
      const k = s(a0);
      if (k === null) return unknown('os.getenv() of an unknown name', loc);
      const v = it.env[k];
      return v !== undefined ? str(v) : (args[1] ?? kwarg(kwargs, 'default') ?? NONE);
    }
    case 'os.fspath': return a0?.kind === 'path' ? str(a0.p) : a0;
    case 'django.utils.translation.gettext': case 'django.utils.translation.gettext_lazy': case 'django.utils.translation.gettext_noop':
    case 'django.utils.translation.ugettext': case 'django.utils.translation.ugettext_lazy': case 'django.utils.translation.ugettext_noop':
    case 'django.utils.translation.pgettext': case 'django.utils.translation.pgettext_lazy':
      return args[translationTextArg(name)!] ?? unknown(`${name}()`, loc);
    case 'django.utils.translation.ngettext': case 'django.utils.translation.ngettext_lazy': case 'django.utils.translation.ungettext': case 'django.utils.translation.ungettext_lazy':
    case 'django.utils.translation.npgettext': case 'django.utils.translation.npgettext_lazy': {
      // (singular, plural, number), after a context for npgettext: English's rule
      const [one, many, n] = name.includes('npgettext') ? args.slice(1) : args;
      return n?.kind === 'num' && one && many ? (n.v === 1 ? one : many) : unknown(`${name}() of a number not known statically`, loc);
    }
    case 'configparser.ConfigParser': case 'configparser.RawConfigParser':
      return newParser(name === 'configparser.RawConfigParser', args, kwargs, loc);
    case 'configparser.Interpolation': case 'configparser.BasicInterpolation': case 'configparser.ExtendedInterpolation': case 'configparser.LegacyInterpolation':
      return INTERPOLATIONS.includes(name.slice('configparser.'.length)) ? newInterpolation(name.slice('configparser.'.length)) : undefined;
    case 'os.getcwd': { const cwd = it.workingDir(loc); return cwd ? str(cwd) : unknown('the working directory', loc); }
    case 'os.path.join': {
      let cur: string | null = null;
      for (const a of args) {
        const x = s(a);
        if (x === null) return a.kind === 'unknown' ? unknown(a.reason, a.loc ?? loc) : unknown(`os.path.join(${repr(a)})`, loc);
        cur = cur === null ? x : x.startsWith('/') ? x : cur === '' || cur.endsWith('/') ? cur + x : cur + '/' + x;
      }
      return str(cur ?? '');
    }
    case 'os.path.dirname': { const x = s(a0); return x === null ? unknown('os.path.dirname()', loc) : str(x.includes('/') ? (x.slice(0, x.lastIndexOf('/')) || '/').replace(/(.)\/+$/, '$1') : ''); }
    case 'os.path.basename': { const x = s(a0); return x === null ? unknown('os.path.basename()', loc) : str(x.slice(x.lastIndexOf('/') + 1)); }
    case 'os.path.abspath': case 'os.path.normpath': case 'os.path.realpath': {
      const x = s(a0);
      if (x === null) return a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown(`${name}()`, loc);
      if (!x.startsWith('/') && name !== 'os.path.normpath') return unknown(`${name}(${repr(a0!)}) depends on the working directory`, loc);
      const n = path.posix.normalize(x);
      return str(name === 'os.path.realpath' ? realpath(n) : n.length > 1 ? n.replace(/\/$/, '') : n);
    }
    case 'os.path.splitext': { const x = s(a0); if (x === null) return unknown('splitext()', loc); const e = path.posix.extname(x); return tuple([str(e ? x.slice(0, -e.length) : x), str(e)]); }
    case 'os.path.split': { const x = s(a0); if (x === null) return unknown('split()', loc); const i = x.lastIndexOf('/'); return tuple([str(i < 0 ? '' : x.slice(0, i) || '/'), str(x.slice(i + 1))]); }
    case 'os.path.isabs': { const x = s(a0); return x === null ? unknown('isabs()', loc) : bool(x.startsWith('/')); }
    case 'os.path.expanduser': { const x = s(a0); return x !== null && !x.startsWith('~') ? str(x) : unknown('the home directory', loc); }
    case 'os.path.exists': case 'os.path.isfile': case 'os.path.isdir': {
      // the project's files are on disk: a path inside it is looked up; others depend on the machine it runs on
      const x = s(a0);
      if (x === null || !x.startsWith('/')) return unknown(`${name}() depends on the file system at run time`, loc);
      const there = fileKind(x, name.slice('os.path.'.length));
      // a Python file of the workspace the settings look for and do not find (Mezzanine's local_settings.py, run
      // with exec() where it exists): kept out of version control, it may set databases where the project runs
      const root = rootOf(it.index.roots, x);
      if (!there && x.endsWith('.py') && root && !isExternalPath(x)) {
        const rel = path.relative(root, x);
        // (a file the settings look for is run into them, Mezzanine's exec(): it binds names)
        it.noteOptionalLocal(rel, loc, true);
      }
      return bool(there);
    }
    case 'sys.exit': {
      // an exit the code asks for, like `raise`: a path that can only end here is assumed not taken
      const e = new PyErr('SystemExit', a0 ? pyStr(a0) ?? '' : '', loc);
      e.explicit = true;
      throw e;
    }
    case 'platform.python_version': {
      const v = pythonVersion(it.python);
      return v && v.micro !== null ? str(`${v.major}.${v.minor}.${v.micro}`) : unknown('the Python version (not known from the environment)', loc);
    }
    case 'platform.node': return unknown('the host name of the machine the project runs on', loc);
    case 'platform.system': return str(process.platform === 'win32' ? 'Windows' : process.platform === 'darwin' ? 'Darwin' : 'Linux');
    case 'importlib.import_module': {
      const n = s(a0);
      if (n === null) return a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown('import_module() of a name that is not known', loc);
      return importByName(it, n, s(args[1] ?? kwarg(kwargs, 'package')), loc);
    }
    case 'importlib.import_string': {
      // Django's import_string("a.b.C"): import a.b, then its attribute C
      const n = s(a0);
      if (n === null) return a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown('import_string() of a name that is not known', loc);
      const dot = n.lastIndexOf('.');
      if (dot < 0) throw new PyErr('ImportError', `${n} doesn't look like a module path`, loc);
      return it.getAttr(it.importModule(n.slice(0, dot), loc), n.slice(dot + 1), loc);
    }
    case 'importlib.util.find_spec': {
      // `if find_spec("debug_toolbar"): INSTALLED_APPS += [...]`: resolvable in the project or the environment
      const n = s(a0);
      if (n === null || n.startsWith('.')) return unknown('find_spec() of a name that is not known', loc);
      if (isOpaqueModule(n) || it.index.resolve(n)) {
        const spec = obj('importlib.machinery.ModuleSpec', 'unknown');
        spec.attrs.set('name', str(n));
        return spec;
      }
      return it.python?.sitePackages.length ? NONE : noEnvironment(`whether ${n} is installed`, loc);
    }
    case 'importlib.util.spec_from_file_location': {
      const n = s(a0 ?? kwarg(kwargs, 'name'));
      const p = s(args[1] ?? kwarg(kwargs, 'location'));
      if (n === null || p === null) return unknown('spec_from_file_location() of a path that is not known', loc);
      const spec = obj('importlib.machinery.ModuleSpec', 'absent', { name: n, path: p });
      spec.attrs.set('name', str(n));
      spec.attrs.set('origin', str(p));
      spec.attrs.set('loader', obj('importlib.machinery.SourceFileLoader', 'absent', { path: p }));
      return spec;
    }
    case 'importlib.util.module_from_spec': {
      const d = a0?.kind === 'obj' && a0.type === 'importlib.machinery.ModuleSpec' ? (a0.data as { name: string; path: string }) : null;
      return d ? it.newModule(d.name, d.path) : unknown('module_from_spec() of a spec that is not known', loc);
    }
    case 'importlib.metadata.entry_points': {
      if (!it.python?.sitePackages.length) return noEnvironment(`entry points${kwarg(kwargs, 'group') ? ` of group ${repr(kwarg(kwargs, 'group')!)}` : ''}`, loc);
      const g = kwarg(kwargs, 'group');
      if (g !== undefined && g.kind !== 'str') return unknown('entry_points() of a group that is not known', loc);
      if (g) return tuple(entryPoints(it.python, g.v).map(entryPointObj));
      return obj('importlib.metadata.EntryPoints', 'absent', entryPoints(it.python));
    }
    case 'importlib.metadata.version': case 'importlib.metadata.distribution': {
      const n = s(a0);
      if (n === null) return unknown(`${name.split('.').pop()}() of a name that is not known`, loc);
      if (!it.python?.sitePackages.length) return noEnvironment(`the version of ${n}`, loc);
      const d = findDistribution(it.python, n);
      if (!d) throw new PyErr('PackageNotFoundError', n, loc, exceptionClass('PackageNotFoundError'));
      const ver = d.version !== null ? str(d.version) : unknown(`the version of ${n}`, loc);
      if (name.endsWith('.version')) return ver;
      const o = obj('importlib.metadata.Distribution', 'unknown');
      o.attrs.set('version', ver);
      o.attrs.set('name', str(d.name));
      return o;
    }
    case 'warnings.warn': case 'warnings.filterwarnings': case 'warnings.simplefilter': case 'warnings.resetwarnings': return NONE;
    case 'datetime.timedelta': {
      const units: Record<string, number> = { weeks: 604800, days: 86400, hours: 3600, minutes: 60, seconds: 1, milliseconds: 1e-3, microseconds: 1e-6 };
      const order = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks'];
      let total = 0;
      const parts: [string, Value][] = [...args.map((v, i) => [order[i]!, v] as [string, Value]), ...kwargs];
      for (const [k, v] of parts) {
        if (v.kind === 'unknown') return unknown(v.reason, v.loc ?? loc);
        if (v.kind !== 'num' || !(k in units)) return unknown(`timedelta(${k}=${repr(v)})`, loc);
        total += v.v * units[k]!;
      }
      const o = obj('datetime.timedelta', 'absent', total);
      o.attrs.set('days', num(Math.floor(total / 86400)));
      o.attrs.set('seconds', num(Math.floor(total - Math.floor(total / 86400) * 86400)));
      return o;
    }
    case 'typing.cast': return args[1] ?? NONE;
    case 'typing.NamedTuple': return unknown('typing.NamedTuple() called as a function', loc);
    case 'dataclasses.dataclass': return a0 ?? b('dataclasses.dataclass');
    case 'dataclasses.field': {
      const f = obj('dataclasses.Field', 'absent');
      const d = kwarg(kwargs, 'default');
      if (d) f.attrs.set('default', d);
      return f;
    }
    case 'hashlib.md5': case 'hashlib.sha1': case 'hashlib.sha224': case 'hashlib.sha256': case 'hashlib.sha384': case 'hashlib.sha512': {
      const data = a0 === undefined ? '' : a0.kind === 'obj' && a0.type === 'bytes' ? (a0.data as string) : null;
      if (data === null) return a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown(`${name}() of ${repr(a0!)}`, loc);
      return obj('hashlib.hash', 'absent', { alg: name.slice('hashlib.'.length), data });
    }
    case 'functools.reduce': {
      const items = args[1] ? it.iter(args[1]) : null;
      if (!a0 || !items) return unknown('functools.reduce() over something not known', loc);
      let acc = args.length > 2 ? args[2]! : items[0];
      if (acc === undefined) throw new PyErr('TypeError', 'reduce() of empty iterable with no initial value', loc);
      for (const x of args.length > 2 ? items : items.slice(1)) acc = it.call(a0, [acc, x], [], loc);
      return acc;
    }
    case 'functools.partial': {
      if (!a0) throw new PyErr('TypeError', 'partial() needs a callable', loc);
      const p = obj('functools.partial', 'absent', { fn: a0, args: args.slice(1), kwargs });
      p.attrs.set('func', a0);
      return p;
    }
    case 'yaml.load': {
      const src = a0 ?? kwarg(kwargs, 'stream');
      const text = src?.kind === 'str' ? src.v : src?.kind === 'obj' && src.type === 'file' ? readRest(src) : null;
      if (text === null) return src?.kind === 'unknown' ? unknown(src.reason, src.loc ?? loc) : unknown(`yaml.load() of ${src ? repr(src) : 'nothing'}`, loc);
      let doc: unknown;
      try {
        // YAML 1.1 as PyYAML reads it (yes/no are booleans)
        doc = parseYaml(text, { version: '1.1' });
      } catch (e) {
        throw new PyErr('YAMLError', (e as Error).message.split('\n')[0]!, loc);
      }
      return fromYaml(doc, loc);
    }
    case 'json.dumps': {
      // Python's default output: ", " and ": " separators, non-ASCII escaped
      const dump = (v: Value, depth: number): string | null => {
        if (depth > 32) return null;
        switch (v.kind) {
          case 'none': return 'null';
          case 'bool': return v.v ? 'true' : 'false';
          case 'num': return Number.isFinite(v.v) ? (v.float && Number.isInteger(v.v) ? `${v.v}.0` : String(v.v)) : null;
          case 'str': return JSON.stringify(v.v).replace(/[\u007f-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
          case 'list': case 'tuple': {
            if (v.more) return null;
            const items = v.items.map(x => dump(x, depth + 1));
            return items.every(x => x !== null) ? `[${items.join(', ')}]` : null;
          }
          case 'dict': {
            if (v.inexact) return null;
            const parts: string[] = [];
            for (const e of v.map.values()) {
              const k = e.k.kind === 'str' ? dump(e.k, depth + 1) : null;
              const x = dump(e.v, depth + 1);
              if (k === null || x === null) return null;
              parts.push(`${k}: ${x}`);
            }
            return `{${parts.join(', ')}}`;
          }
          default: return null;
        }
      };
      if (args.length !== 1 || kwargs.length) return unknown('json.dumps() with options (not evaluated)', loc);
      const out = a0 ? dump(a0, 0) : null;
      return out === null ? (a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown(`json.dumps(${a0 ? repr(a0) : ''})`, loc)) : str(out);
    }
    case 'json.loads': case 'json.load': {
      const text = name === 'json.loads' ? (a0?.kind === 'str' ? a0.v : null) : a0?.kind === 'obj' && a0.type === 'file' ? readRest(a0) : null;
      if (text === null) return a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown(`${name}() of ${a0 ? repr(a0) : 'nothing'}`, loc);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new PyErr('ValueError', `JSONDecodeError: ${(e as Error).message}`, loc);
      }
      return fromJS(parsed);
    }
    case 'dynaconf.DjangoDynaconf': {
      const name = a0?.kind === 'str' ? a0.v : null;
      const ns = name ? it.loadedModule(name)?.ns : null;
      if (ns) overlayUnknown(ns, `dynaconf's DjangoDynaconf(__name__), which may set or replace any setting from environment variables (its prefix, e.g. DJANGO_ or the project's own) and settings files`, loc);
      return unknown('the settings object dynaconf makes', loc);
    }
    case 'dynaconf.Dynaconf':
      return unknown(`a dynaconf settings object (its values come from environment variables and files, not evaluated)`, loc);
    case 'collections.defaultdict': {
      // defaultdict(factory, *dict's arguments): a dict whose missing keys get factory()
      const factory = a0 ?? kwarg(kwargs, 'default_factory') ?? NONE;
      if (factory.kind === 'unknown') return unknown(factory.reason, factory.loc ?? loc);
      const d = it.call(b('dict'), args.slice(1), kwargs.filter(([k]) => k !== 'default_factory'), loc);
      return d.kind === 'dict' ? { ...d, factory } : d;
    }
    case 'inspect.getmembers': {
      // (name, getattr(obj, name)) for each name dir(obj) gives, sorted; a name whose getattr raises AttributeError
      // is left out, as inspect does. The members of `object` itself (its dunder methods) are not modelled.
      if (!a0 || args.length > 1 || kwargs.length) return unknown('inspect.getmembers() with a predicate', loc);
      const names = dirNames(it, a0);
      if (!names) return a0.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown(`inspect.getmembers(${repr(a0)})`, loc);
      const out: Value[] = [];
      for (const n of names.sort()) {
        try {
          out.push(tuple([str(n), it.getAttr(a0, n, loc)]));
        } catch (e) {
          if (!(e instanceof PyErr) || e.type !== 'AttributeError') throw e;
        }
      }
      return list(out);
    }
    case 'inspect.stack': case 'inspect.currentframe': case 'sys._getframe': {
      // the frames being run, innermost first: Kiwi's settings helper execs files into the caller's module,
      // `inspect.stack()[1][0].f_globals`
      const frames = frameObjects(it.frames);
      if (name === 'inspect.stack') return list(frames.map(frameInfo));
      const depth = name === 'sys._getframe' ? (a0 ?? kwarg(kwargs, 'depth')) : undefined;
      if (depth && depth.kind !== 'num') return unknown(`${name}() of a depth not known statically`, loc);
      return frames[depth?.kind === 'num' ? depth.v : 0] ?? (name === 'sys._getframe' ? unknown('a frame deeper than the code run here', loc) : NONE);
    }
    case 'glob.glob': case 'glob.iglob': {
      // the workspace's files (what the project has where it runs, but files kept out of version control); a
      // pattern outside it, relative to the working directory or with wildcards in its folders is not known
      const p = s(a0 ?? kwarg(kwargs, 'pathname'));
      if (p === null) return a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown(`${name}() of a pattern not known statically`, loc);
      if (!inProject(it.index.roots, p) || /[*?[]/.test(path.dirname(p))) return unknown(`${name}(${JSON.stringify(p)}): files not in the workspace, or a pattern not modelled`, loc);
      return list(globFiles(p).map(str));
    }
    case 'inspect.getfile': {
      // a frame's, a module's, a function's or a class's file (arches: inspect.getfile(inspect.currentframe()))
      const file = a0?.kind === 'obj' && a0.type === 'frame' ? (a0.data as { file: string }).file
        : a0?.kind === 'module' ? a0.ns?.file ?? null
          : a0?.kind === 'function' ? a0.loc.path
            : a0?.kind === 'class' ? a0.loc?.path ?? null : null;
      return file && path.isAbsolute(file) ? str(file) : unknown(`inspect.getfile(${a0 ? repr(a0) : ''})`, loc);
    }
    case 'inspect.isclass':
      return a0?.kind === 'class' ? TRUE : a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : FALSE;
    case 'inspect.isfunction':
      return a0?.kind === 'function' ? TRUE : a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : FALSE;
    case 'enum.auto':
      return obj('enum.auto');
    case 'enum.unique':
      return a0 ?? NONE;
    case 'random.choice': {
      const items = a0 ? it.iter(a0) : null;
      if (!items) return unknown(`random.choice() of ${a0 ? repr(a0) : 'nothing'}`, loc);
      if (!items.length) throw new PyErr('IndexError', 'Cannot choose from an empty sequence', loc);
      it.observe?.('random', a0!);
      return picked(oneOf(items, `random.choice(${repr(a0!)}) picks one at random`, loc));
    }
    case 'random.shuffle': {
      // in place: each position holds any of the items now
      if (a0) it.observe?.('random', a0);
      if (a0?.kind === 'list' && !a0.more) {
        const items = a0.items.slice();
        a0.items = items.map(() => picked(oneOf(items, `an item of a list shuffled by random.shuffle (${repr(list(items))})`, loc)));
      } else if (a0?.kind === 'list') a0.items = a0.items.map(() => unknown('an item of a list shuffled by random.shuffle', loc));
      return NONE;
    }
    case 'random.sample': case 'random.choices':
      if (a0) it.observe?.('random', a0);
      return unknown(`${name}() picks at random`, loc);
    case 'random.number':
      it.observe?.('random', NONE);
      return unknown('a random number', loc);
    case 'itertools.cycle': case 'itertools.repeat': {
      // next() of it gives these in turn (cycle) or always this one (repeat)
      const items = name === 'itertools.repeat' ? (a0 ? [a0] : null) : a0 ? it.iter(a0) : null;
      if (!items) return unknown(`${name.slice(10)}(${a0 ? repr(a0) : ''}) of values not known statically`, loc);
      return obj('itertools.cycle', 'absent', { items, what: `${name.slice(10)}(${a0 ? repr(a0) : ''})` });
    }
    case 'itertools.chain': {
      const out: Value[] = [];
      for (const a of args) {
        const items = it.iter(a);
        if (!items) return a.kind === 'unknown' ? unknown(a.reason, a.loc ?? loc) : unknown(`chain(${repr(a)})`, loc);
        out.push(...items);
      }
      return list(out);
    }
    case 'pathpy.Path': {
      if (!a0) return { kind: 'path', p: '.', strSub: true };
      const x = s(a0);
      if (x === null) return a0.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown(`path.Path(${repr(a0)})`, loc);
      return { kind: 'path', p: x, strSub: true };
    }
    case 'pathlib.Path': {
      if (!args.length) return { kind: 'path', p: '.' };
      let cur: string | null = null;
      for (const a of args) {
        const x = s(a);
        if (x === null) return a.kind === 'unknown' ? unknown(a.reason, a.loc ?? loc) : unknown(`Path(${repr(a)})`, loc);
        cur = cur === null ? normPath(x) : joinPath(cur, x);
      }
      return { kind: 'path', p: cur! };
    }
    case 'functools.lru_cache': case 'functools.cache': case 'functools.wraps':
      return a0 && (a0.kind === 'function' || a0.kind === 'bound') ? a0 : b('functools.identity');
    case 'functools.identity': return a0;
    case 'functools.cached_property': return a0;
    // SimpleLazyObject(func): func() on first use (Kolibri's conf.OPTIONS, whose function imports modules that
    // import conf again: calling it now would find conf half-run)
    case 'django.SimpleLazyObject':
      return a0 ? { kind: 'obj', type: 'django.lazy', attrs: new Map(), missing: 'absent', data: { fn: a0, loc } } : unknown('SimpleLazyObject() without a function', loc);
    case 'environ.Env': {
      const e = obj('environ.Env', 'unknown', new Map<string, Value>(kwargs));
      return e;
    }
    case 'environ.Env.read_env_static': return envCall(it, obj('environ.Env'), 'read_env', args, kwargs, loc);
    case 'environ.Env.db_url_config_static': return envCall(it, obj('environ.Env'), 'db_url_config', args, kwargs, loc);
    case 'environ.Path': {
      // environ.Path(start, *paths): an absolute path object; root(…) joins to a str, root.path(…) to a Path
      const parts = args.map(x => s(x));
      if (!parts.length || parts.some(x => x === null)) return unknown(`environ.Path(${args.map(x => repr(x)).join(', ')})`, loc);
      return environPath(path.resolve(...(parts as string[])));
    }
    case 'threading.local': return obj('threading.local', 'unknown');
    case 'contextvars.ContextVar': {
      // a value per request or task (CourtListener's replica router reads one its middleware sets)
      const n = a0 ? s(a0) : null;
      return obj('contextvars.ContextVar', 'unknown', { name: n ?? '?', default: kwarg(kwargs, 'default') } satisfies ContextVarData);
    }
    // copy.deepcopy / copy.copy of the settings' values (Baserow: DATABASES["default-copy"] = deepcopy(DATABASES["default"]))
    case 'copy.deepcopy': return a0 ? cloneValue(a0, new Map()) : unknown('deepcopy() without a value', loc);
    case 'copy.copy': return a0 ? shallowCopy(a0) : unknown('copy() without a value', loc);
    case 'environs.Env': {
      const prefix = kwarg(kwargs, 'prefix');
      return environsEnv(prefix?.kind === 'str' ? prefix.v : '', truthy(kwarg(kwargs, 'expand_vars') ?? FALSE) === true);
    }
    case 'dj_database_url.config': {
      const envName = s(kwarg(kwargs, 'env') ?? str('DATABASE_URL')) ?? 'DATABASE_URL';
      const dflt = kwarg(kwargs, 'default') ?? a0 ?? NONE;
      const fromEnv = it.env[envName];
      const url: Value = fromEnv !== undefined ? str(fromEnv) : dflt;
      if (url.kind === 'none' || (url.kind === 'str' && url.v === '')) return dict();
      return djDatabaseUrlParse(url, kwargs, loc);
    }
    case 'dj_database_url.parse':
      return djDatabaseUrlParse(a0 ?? kwarg(kwargs, 'url') ?? NONE, kwargs, loc);
    case 'decouple.config': return decoupleConfig(it, args, kwargs, loc);
    // AutoConfig(search_path=…) / Config(repository): a config() of its own, read here from the same environment
    case 'decouple.AutoConfig': return b('decouple.config');
    case 'decouple.Csv':
      return obj('decouple.Csv', 'absent', new Map<string, Value>([['cast', args[0] ?? kwarg(kwargs, 'cast') ?? NONE], ['delimiter', args[1] ?? kwarg(kwargs, 'delimiter') ?? str(',')]]));
    case 'dotenv.load_dotenv': {
      const p = s(a0 ?? kwarg(kwargs, 'dotenv_path') ?? NONE);
      const override = kwarg(kwargs, 'override');
      if (p === null) return unknown('load_dotenv() without a known path', loc);
      loadEnvFile(it, p, override?.kind === 'bool' && override.v, loc);
      return TRUE;
    }
    case 'dotenv.find_dotenv': return unknown('find_dotenv() searches the file system', loc);
    case 'django.get_random_secret_key': return unknown('a random secret key', loc);
    default:
      return undefined;
  }
}

/** copy.copy: a new dict, list, tuple or set holding the same items (a deep copy is values.ts cloneValue). */
function shallowCopy(v: Value): Value {
  switch (v.kind) {
    case 'dict': {
      const d: Value = { kind: 'dict', map: new Map([...v.map].map(([k, e]) => [k, { ...e }])) };
      if (v.inexact) d.inexact = v.inexact;
      return d;
    }
    case 'list': case 'tuple': case 'set':
      return { ...v, items: v.items.slice() };
    default:
      return v;
  }
}

/** exists / isfile / isdir of a path on this machine. */
export function fileKind(p: string, kind: string): boolean {
  // a regular file through the file system view: whether it is there is a dependency of the answer (a cached scan
  // is not reused once it appears)
  if (statFile(p)) return kind !== 'isdir' && kind !== 'is_dir';
  try {
    const st = fs.statSync(p);
    return kind === 'isfile' || kind === 'is_file' ? st.isFile() : kind === 'isdir' || kind === 'is_dir' ? st.isDirectory() : true;
  } catch {
    return false;
  }
}

function normPath(p: string): string {
  if (p === '') return '.';
  const abs = p.startsWith('/');
  const parts = p.split('/').filter(x => x && x !== '.');
  return (abs ? '/' : '') + parts.join('/') || (abs ? '/' : '.');
}

function loadEnvFile(it: Evaluator, file: string, override: boolean, loc: Loc): boolean {
  // a relative path is the working directory's (paperless' load_dotenv("../paperless.conf")): manage.py's folder
  if (!path.isAbsolute(file)) {
    const cwd = it.workingDir(loc);
    if (!cwd) return false;
    file = path.join(cwd, file);
  }
  // (through the file system view: the file, or its absence, is a dependency of what the settings give)
  if (!statFile(file)) return false;
  let text: string;
  try {
    text = readText(file);
  } catch {
    return false;
  }
  let parsed: Record<string, string> = {};
  try {
     
    parsed = (require('dotenv') as typeof import('dotenv')).parse(text);
  } catch {
    return false;
  }
  for (const [k, v] of Object.entries(parsed)) if (override || it.env[k] === undefined) it.env[k] = v;
  return true;
}

/** The value of a SimpleLazyObject: its function called once, on first use (raising there: unknown). */
/** Frame objects (f_globals, f_locals at a module's top level, f_back) of `frames`, innermost first. */
function frameObjects(frames: readonly Frame[]): ObjV[] {
  const out: ObjV[] = [];
  let back: Value = NONE;
  for (const fr of frames) {
    const attrs = new Map<string, Value>([
      ['f_globals', globalsObj(fr.globals)], ['f_back', back],
      ['f_locals', fr.fn === null && fr.scope === fr.globals ? globalsObj(fr.globals) : unknown('a function frame\'s f_locals')],
    ]);
    const o: ObjV = { kind: 'obj', type: 'frame', attrs, missing: 'unknown', data: { fn: fr.fn?.name ?? '<module>', file: fr.file } };
    out.unshift(o);
    back = o;
  }
  return out;
}

/** inspect.FrameInfo (frame, filename, lineno, function, code_context, index), by name or position */
function frameInfo(frame: ObjV): ObjV {
  const d = frame.data as { fn: string; file: string };
  const fields: [string, Value][] = [['frame', frame], ['filename', str(d.file)], ['lineno', unknown('the line a frame runs')], ['function', str(d.fn)], ['code_context', NONE], ['index', NONE]];
  return { kind: 'obj', type: 'inspect.FrameInfo', attrs: new Map(fields), missing: 'unknown', data: fields.map(([, v]) => v) };
}

function lazyValue(it: Evaluator, o: ObjV): Value {
  const d = o.data as { fn: Value; loc: Loc; value?: Value };
  if (d.value === undefined) {
    d.value = unknown('SimpleLazyObject being evaluated', d.loc);
    try {
      d.value = it.call(d.fn, [], [], d.loc);
    } catch (e) {
      if (!(e instanceof PyErr)) throw e;
      d.value = unknown(`SimpleLazyObject's function raised ${e}`, e.loc ?? d.loc);
    }
  }
  return d.value;
}

function objCall(it: Evaluator, o: ObjV, method: string, args: Value[], kwargs: KW, loc: Loc): Value | undefined {
  if (o.type === 'file' || o.type === 'globals') return fileOrGlobalsCall(o, method, args, kwargs, loc);
  if (isConfigparserObj(o)) return configparserCall(it, o, method, args, kwargs, loc);
  if (o.type === 're.Pattern' || o.type === 're.Match') return reCall(method, o, args, kwargs, loc);
  if (o.type === 'sys.path' && (method === 'insert' || method === 'append')) {
    // a folder the project's modules are then imported from (`sys.path.insert(0, os.path.join(BASE_DIR, "apps"))`):
    // its apps, models and migrations are read from there (settings/index.ts SettingsInfo.sysPath)
    const d = method === 'insert' ? args[1] : args[0];
    const dir = d ? s(d) : null;
    if (dir !== null && path.isAbsolute(dir)) it.sysPathAdded.push({ dir: path.normalize(dir), front: method === 'insert' && args[0]?.kind === 'num' && args[0].v <= 1 });
    return NONE;
  }
  if (o.type === 'bytes' && method === 'decode') {
    const e = args[0] ?? kwarg(kwargs, 'encoding');
    const enc = e ? s(e) : 'utf-8';
    return enc !== null && /^utf[-_]?8$/i.test(enc) ? str(o.data as string) : unknown(`bytes.decode(${e ? repr(e) : ''})`, loc);
  }
  if (o.type === 'inspect.FrameInfo' && method === '__getitem__' && args[0]?.kind === 'num') {
    const items = o.data as Value[];
    const i = args[0].v < 0 ? items.length + args[0].v : args[0].v;
    if (items[i] === undefined) throw new PyErr('IndexError', 'tuple index out of range', loc);
    return items[i];
  }
  if (o.type === 'django.lazy') {
    const v = lazyValue(it, o);
    if (method === '__getitem__' && args[0]) return it.getItem(v, args[0], loc);
    if (method === '__call__') return it.call(v, args, kwargs, loc);
    return undefined;
  }
  const a0 = args[0];
  if (o.type === 'datetime.timedelta' && method === 'total_seconds' && typeof o.data === 'number') return num(o.data, true);
  if (o.type === 'contextvars.ContextVar') {
    const d = o.data as ContextVarData;
    if (method === 'set') return obj('contextvars.Token', 'unknown');
    if (method === 'reset') return NONE;
    if (method !== 'get') return undefined;
    // what it holds is set at run time (a middleware, a task): unknown, except when the routers are asked about
    // `migrate`, where nothing has set it (as for thread-locals: the same observation for the answer cache)
    it.observe?.('threadlocal', o);
    const fallback = a0 ?? d.default;
    if (it.threadLocalsUnset && fallback) return fallback;
    return unknown(`ContextVar ${d.name} (set per request or task at run time)`, loc);
  }
  if (o.type === 'os.environ') {
    const k = s(a0);
    switch (method) {
      case 'get': case '__getitem__': case 'pop': {
        if (k === null) return a0?.kind === 'unknown' ? unknown(a0.reason, a0.loc ?? loc) : unknown('os.environ lookup of an unknown name', loc);
        const v = it.env[k];
        if (v !== undefined) return str(v);
        // a variable missing here may well be set where the project runs: unknown, not a KeyError
        if (method === '__getitem__' || (method === 'pop' && args.length < 2)) return unknown(`environment variable ${k} is not set`, loc);
        return args[1] ?? kwarg(kwargs, 'default') ?? NONE;
      }
      case 'setdefault': {
        if (k === null) return unknown('os.environ.setdefault() of an unknown name', loc);
        if (it.env[k] === undefined) {
          const v = args[1] ? pyStr(args[1]) : null;
          if (v !== null) it.env[k] = v;
        }
        const v = it.env[k];
        return v !== undefined ? str(v) : unknown(`environment variable ${k}`, loc);
      }
      case '__contains__': return k === null ? unknown('in os.environ', loc) : bool(it.env[k] !== undefined);
      // a copy reads as the environment itself (dis-wagtail: env = os.environ.copy(); if "PG_DB_ADDR" in env:)
      case 'copy': return obj('os.environ', 'absent');
      // the variables set here (the process's and the env file's), and maybe others where the project runs: Baserow's
      // `for key, value in os.environ.items(): if key.startswith("DATABASE_READ_")…` adds a replica for each one set
      case 'keys': case 'items': case 'values': {
        // (the interpreter's own writes over the given environment, its prototype: for…in lists both; the values are
        // read past the recording of each variable: the listing is recorded once, as a digest of them all)
        const raw = envValues(it.env);
        const names: string[] = [];
        for (const n in it.env) if (raw(n) !== undefined) names.push(n);
        names.sort();
        // (a value shows as os.environ['NAME'] wherever it is printed: it may be a secret)
        const value = (n: string): Value => ({ kind: 'str', v: raw(n)!, env: n });
        const items = names.map(n => method === 'keys' ? str(n) : method === 'values' ? value(n) : tuple([str(n), value(n)]));
        // (in the environment's order, which is not known: the variables of the project's environment may come anywhere)
        return { ...seqLike('list', items, unknown('the environment where the project runs, beyond the variables set here', loc)), moreAnywhere: true, label: `os.environ.${method}()` };
      }
      default: return undefined;
    }
  }
  if (o.type === 'environ.Path' && (method === '__call__' || method === 'path' || method === 'file')) {
    const parts = args.map(x => s(x));
    if (parts.some(x => x === null)) return unknown(`a path under ${(o.data as { root: string }).root} not known statically`, loc);
    const joined = path.resolve((o.data as { root: string }).root, ...(parts as string[]));
    return method === 'path' ? environPath(joined) : str(joined);
  }
  if (o.type === 'sys.modules' && (method === '__getitem__' || method === 'get')) {
    // a module already imported (the settings module itself, by `__name__`: readthedocs' class-based settings
    // export their members with `setattr(sys.modules[module_name], …)`)
    const k = s(a0);
    const m = k === null ? undefined : it.loadedModule(k);
    if (m && m.special !== 'missing') return m;
  }
  if (o.type === 'sys.modules' && (method === '__contains__' || method === 'get')) {
    // under manage.py migrate no test runner has been imported (Pontoon: TEST = "pytest" in sys.modules)
    const k = s(a0);
    if (k === null || !TEST_RUNNERS.has(k.split('.')[0]!)) return method === 'get' ? unknown(`sys.modules.get(${a0 ? repr(a0) : ''})`, loc) : unknown('in sys.modules (the modules imported so far)', loc);
    it.noteAssumption(`no test runner is taken to be loaded ('${k}' in sys.modules is False), as under manage.py migrate`, loc);
    return method === 'get' ? (args[1] ?? NONE) : FALSE;
  }
  if (o.type === 'environ.Env') return envCall(it, o, method, args, kwargs, loc);
  if (o.type === 'environs.Env') return environsCall(it, o, method, args, kwargs, loc);
  if (o.type === 'django.db.transaction' && method === 'get_autocommit') {
    // inside a migration's RunPython, the migrated database's connection is in the migration's transaction
    // (dis-wagtail's replica router reads from default while autocommit is off there)
    const using = args[0] ?? kwarg(kwargs, 'using') ?? str('default');
    it.observe?.('autocommit', o);
    if (it.migratingAlias === null || using.kind !== 'str') return unknown('transaction.get_autocommit() (whether a transaction is open, at run time)', loc);
    return bool(using.v !== it.migratingAlias);
  }
  if (o.type === 'django.apps.registry' && method === 'get_model') return it.getModel?.(args, kwargs) ?? unknown('apps.get_model(…) (the app registry is not evaluated)', loc);
  if (o.type === 'django.apps.registry' && (method === 'get_app_configs' || method === 'get_app_config' || method === 'is_installed')) {
    // the AppConfig objects of INSTALLED_APPS (Evaluator.appConfigs): IETF datatracker's blob router finds its apps
    // by `isinstance(c, BlobAppConfig)` among them
    const configs = it.appConfigs?.() ?? unknown('apps.get_app_configs() (the app registry is not evaluated here)', loc);
    if (method === 'get_app_configs') return configs;
    if (configs.kind !== 'list') return unknown(configs.kind === 'unknown' ? configs.reason : 'the app registry', loc);
    const want = a0 ?? kwarg(kwargs, method === 'is_installed' ? 'app_name' : 'app_label');
    if (want?.kind !== 'str') return unknown(`apps.${method}(${want ? repr(want) : ''})`, loc);
    const attr = method === 'is_installed' ? 'name' : 'label';
    let notKnown = false;
    const found = configs.items.find(c => {
      const v = it.getAttr(c, attr, loc);
      if (v.kind === 'unknown') notKnown = true;
      return v.kind === 'str' && v.v === want.v;
    });
    // (an app whose name or label is not known, a package's: it may be the one asked for)
    if (!found && notKnown) return unknown(`apps.${method}(${repr(want)}): an installed app's ${attr} is not known here`, loc);
    if (method === 'is_installed') return bool(!!found);
    if (found) return found;
    throw new PyErr('LookupError', `No installed app with label '${want.v}'.`, loc);
  }
  if (o.type === 'django.db.connections') {
    if (method === '__getitem__') return unknown(`connections[${a0 ? repr(a0) : '…'}] (a runtime database connection)`, loc);
    return unknown(`connections.${method}() (runtime database connections)`, loc);
  }
  if (o.type === 'django.db.router') return unknown(`django.db.router.${method}()`, loc);
  if (o.type === 'hashlib.hash' && (method === 'hexdigest' || method === 'update')) {
    const d = o.data as { alg: string; data: string };
    if (method === 'update') {
      if (a0?.kind !== 'obj' || a0.type !== 'bytes') return unknown('hash update() with something not known', loc);
      d.data += a0.data as string;
      return NONE;
    }
    return str(createHash(d.alg).update(d.data, 'utf8').digest('hex'));
  }
  if (o.type === 'functools.partial' && method === '__call__') {
    const d = o.data as { fn: Value; args: Value[]; kwargs: KW };
    return it.call(d.fn, [...d.args, ...args], [...d.kwargs, ...kwargs], loc);
  }
  if (o.type === 'importlib.machinery.SourceFileLoader' && method === 'exec_module') {
    if (a0?.kind !== 'module') return unknown('exec_module() of a module that is not known', loc);
    it.execFileInto(a0, (o.data as { path: string }).path, loc);
    return NONE;
  }
  if (o.type === 'importlib.metadata.EntryPoint' && method === 'load') {
    // the object it names: `module:attr` imported (pulpcore's plugins: entry_point.load() is their default_app_config)
    const module = o.attrs.get('module');
    const attr = o.attrs.get('attr');
    if (module?.kind !== 'str') return unknown('an entry point not known statically', loc);
    // a string constant of a package's module (not executed here): read from its source
    if (attr?.kind === 'str' && !attr.v.includes('.')) {
      const file = it.index.resolve(module.v)?.file;
      const body = file ? it.index.parseFile(file)?.body ?? [] : [];
      let found: Value | null = null;
      for (const st of body) {
        if (st.type === 'Assign' && st.targets.some(t => t.type === 'Name' && t.id === attr.v)) {
          found = st.value.type === 'Constant' && typeof st.value.value === 'string' ? str(st.value.value) : null;
        }
      }
      if (found) return found;
    }
    let v: Value = it.importModule(module.v, loc);
    if (attr?.kind === 'str') for (const part of attr.v.split('.')) v = it.getAttr(v, part, loc);
    return v;
  }
  if (o.type === 'importlib.metadata.EntryPoints') {
    // entry_points().select(group=…), the old dict form entry_points().get(group, ()) / [group]
    const all = o.data as { name: string; group: string; value: string }[];
    const g = method === 'select' ? kwarg(kwargs, 'group') : a0;
    if (g === undefined) return method === 'select' ? list(all.map(entryPointObj)) : undefined;
    if (g.kind !== 'str') return unknown('entry points of a group that is not known', loc);
    const hits = all.filter(e => e.group === g.v).map(entryPointObj);
    if (method === 'select') return tuple(hits);
    if (method === 'get' || method === '__getitem__') {
      if (!hits.length && method === 'get') return args[1] ?? NONE;
      if (!hits.length) throw new PyErr('KeyError', repr(g), loc);
      return tuple(hits);
    }
    return undefined;
  }
  return undefined;
}

/** django-environ's Env: `env("X", default=…)`, `env.str/bool/int/list/db(…)`, `read_env(…)`. */
function envCall(it: Evaluator, o: ObjV, method: string, args: Value[], kwargs: KW, loc: Loc): Value {
  const scheme = (o.data as Map<string, Value> | undefined) ?? new Map();
  if (method === 'read_env') {
    const p = s(args[0] ?? kwarg(kwargs, 'env_file') ?? NONE);
    const file = p ?? (loc.path !== '?' ? path.join(path.dirname(loc.path), '.env') : null);
    if (file === null) return unknown('read_env() without a known file', loc);
    loadEnvFile(it, file, kwarg(kwargs, 'overwrite')?.kind === 'bool' && (kwarg(kwargs, 'overwrite') as { v: boolean }).v, loc);
    return NONE;
  }
  if (method === 'db_url_config') {
    // Env.db_url_config(url, engine=None): the URL parser itself, given the URL (Treeherder's `upstream` alias)
    const url = args[0] ?? kwarg(kwargs, 'url');
    if (!url) return unknown('db_url_config() without a URL', loc);
    if (url.kind === 'unknown') return unknown(url.reason, url.loc ?? loc);
    if (url.kind !== 'str') return unknown(`db_url_config(${repr(url)})`, loc);
    const engine = args[1] ?? kwarg(kwargs, 'engine');
    return dbUrlConfig(url, 'environ', engine ? [['engine', engine]] : [], loc);
  }
  const defaultVar = method === 'db' || method === 'db_url' ? 'DATABASE_URL' : method === 'cache' || method === 'cache_url' ? 'CACHE_URL' : method === 'email' || method === 'email_url' ? 'EMAIL_URL' : null;
  const varName = s(args[0] ?? kwarg(kwargs, 'var') ?? (defaultVar ? str(defaultVar) : NONE));
  if (varName === null) return unknown('environment lookup of an unknown name', loc);
  let cast: string | null = method === '__call__' || method === 'get_value' ? null : method;
  // Env.list / tuple / dict(var, cast=None, default=NOTSET): the second argument is the items' cast (kpi's
  // env.list('CSP_EXTRA_DEFAULT_SRC', str, [])); the other methods take the default second
  const castFirst = method === 'list' || method === 'tuple' || method === 'dict';
  let dflt: Value | undefined = kwarg(kwargs, 'default') ?? (method === '__call__' ? args[2] ?? (args[1] && !isCast(args[1]) ? args[1] : undefined) : castFirst ? args[2] : args[1]);
  const castKw = kwarg(kwargs, 'cast') ?? (method === '__call__' && args[1] && isCast(args[1]) ? args[1] : undefined);
  if (castKw) cast = castName(castKw);
  const sch = scheme.get(varName);
  if (sch) {
    if (sch.kind === 'tuple' && sch.items.length >= 1) {
      if (!cast) cast = castName(sch.items[0]!);
      if (dflt === undefined && sch.items[1]) dflt = sch.items[1];
    } else if (!cast) cast = castName(sch);
  }
  const raw = it.env[varName];
  // env.email_url(): a dict of Django's EMAIL_* settings, its values not read here (DefectDojo:
  // vars().update(env.email_url(…)) sets these names only, not any setting)
  if ((cast === 'email' || cast === 'email_url') && (raw !== undefined || dflt?.kind === 'str')) {
    const d = dict();
    for (const k of ['EMAIL_FILE_PATH', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_BACKEND']) dictSet(d, str(k), unknown(`${k} from ${varName}'s URL (not evaluated)`, loc));
    return d;
  }
  if (raw === undefined) {
    if (dflt === undefined) return unknown(`environment variable ${varName} is not set`, loc);
    if (cast === 'cache' || cast === 'cache_url' || cast === 'search_url') return unknown(`env.${cast}('${varName}') of the default (not evaluated)`, loc);
    if (cast === 'db' || cast === 'db_url') return dflt.kind === 'str' ? dbUrlConfig(dflt, 'environ', kwargs, loc) : dflt;
    if (cast === 'url') return unknown(`env.url('${varName}') (a parsed URL of the default)`, loc);
    return dflt;
  }
  const value: Value = str(raw);
  switch (cast) {
    case null: case 'str': case 'path': return value;
    // a urllib ParseResult (.geturl(), .scheme…), not a string
    case 'url': return unknown(`env.url('${varName}') (a parsed URL)`, loc);
    case 'bool': return bool(TRUE_STRINGS.includes(raw.trim().toLowerCase()));
    case 'int': { const n = Number(raw.trim()); if (!/^[+-]?\d+$/.test(raw.trim())) throw new PyErr('ValueError', `invalid literal for int(): '${raw}'`, loc); return num(n); }
    case 'float': { const n = Number(raw); if (Number.isNaN(n)) throw new PyErr('ValueError', `could not convert '${raw}'`, loc); return num(n, true); }
    case 'list': case 'tuple': {
      const t = cast === 'tuple' ? raw.replace(/^\(|\)$/g, '') : raw;
      const items = t.split(',').filter(x => x).map(x => str(x.trim()));
      return cast === 'list' ? list(items) : tuple(items);
    }
    case 'db': case 'db_url': return dbUrlConfig(value, 'environ', kwargs, loc);
    default: return unknown(`env.${cast}() is not modelled`, loc);
  }
}

/** An environs Env: its prefix (env.prefixed()), ${VAR} expansion, and what its read_env() loaded (its own, not os.environ). */
export interface EnvironsState { prefix: string; expandVars: boolean; local: Map<string, string> }

const ENVIRONS_METHODS = new Set(['str', 'bool', 'int', 'float', 'decimal', 'list', 'dict', 'json', 'path', 'url', 'log_level',
  'dj_db_url', 'dj_cache_url', 'dj_email_url', 'read_env', 'prefixed', 'datetime', 'date', 'time', 'timedelta', 'uuid', 'enum',
  'seal', 'dump']);

function environsEnv(prefix = '', expandVars = false): ObjV {
  const state: EnvironsState = { prefix, expandVars, local: new Map() };
  return obj('environs.Env', 'unknown', state);
}

const ENVIRONS_TRUE = new Set(['t', 'true', 'on', 'y', 'yes', '1']);
const ENVIRONS_FALSE = new Set(['f', 'false', 'off', 'n', 'no', '0']);

/**
 * environs' Env (15.x): `env("X")`, `env.str/bool/int/float/list/dict/path/log_level(name, default, subcast)`,
 * `env.dj_db_url(name, default, **kw)`, `read_env(path=None, recurse=True, override=False)`, `prefixed(p)`.
 * A variable comes from os.environ, else from what this Env's read_env() loaded; a default is returned as given
 * (environs ≥ 11 does not deserialize it), except dj_db_url's, which is parsed like the variable. An unset variable
 * without a default raises EnvNotSetError where the project runs, where it may well be set: unknown here.
 */
function environsCall(it: Evaluator, o: ObjV, method: string, args: Value[], kwargs: KW, loc: Loc): Value {
  const st = o.data as EnvironsState;
  if (method === 'read_env') return environsReadEnv(it, st, args, kwargs, loc);
  if (method === 'prefixed') {
    const p = s(args[0] ?? kwarg(kwargs, 'prefix') ?? NONE);
    if (p === null) return unknown('env.prefixed() of an unknown prefix', loc);
    // a context manager: `with env.prefixed("DB_"):` sets the prefix of this Env for the block (statements.ts)
    return obj('environs.prefixed', 'absent', { env: o, prefix: p });
  }
  if (method === 'seal') return NONE;
  if (method === 'dump') return unknown('env.dump()', loc);
  const name = s(args[0] ?? kwarg(kwargs, 'name') ?? NONE);
  if (name === null) return unknown('environment lookup of an unknown name', loc);
  const key = st.prefix + name;
  const dflt = args[1] ?? kwarg(kwargs, 'default');
  const raw = environsRaw(it, st, key, loc);
  if (typeof raw === 'object') return raw;
  if (method === 'dj_db_url' || method === 'dj_cache_url' || method === 'dj_email_url') {
    // the parser applies to the default too
    const value = raw !== undefined ? str(raw) : dflt;
    if (value === undefined) return unknown(`environment variable ${key} is not set`, loc);
    if (method !== 'dj_db_url') return unknown(`env.${method}() is not modelled`, loc);
    const rest = kwargs.filter(([k]) => k !== 'default' && k !== 'name');
    return djDatabaseUrlParse(value, rest, loc);
  }
  if (raw === undefined) return dflt ?? unknown(`environment variable ${key} is not set`, loc);
  const invalid = (): never => { throw new PyErr('EnvValidationError', `Environment variable "${key}" invalid`, loc); };
  const cast = (kind: string, v: string): Value => {
    switch (kind) {
      case '__call__': case 'str': return str(v);
      case 'bool': {
        const t = v.trim().toLowerCase();
        return ENVIRONS_TRUE.has(t) ? TRUE : ENVIRONS_FALSE.has(t) ? FALSE : invalid();
      }
      case 'int': return /^\s*[+-]?\d+\s*$/.test(v) ? num(Number(v.trim())) : invalid();
      case 'float': case 'decimal': { const n = Number(v); return v.trim() === '' || Number.isNaN(n) ? invalid() : num(n, true); }
      case 'log_level': {
        if (/^\s*[+-]?\d+\s*$/.test(v)) return num(Number(v.trim()));
        const level = LOG_LEVELS[v.trim().toUpperCase()];
        return level !== undefined ? num(level) : invalid();
      }
      case 'path': return { kind: 'path', p: normPath(v) };
      default: return unknown(`env.${kind}() is not modelled`, loc);
    }
  };
  const itemCast = (sub: Value | undefined, v: string): Value => {
    if (!sub || sub.kind === 'none') return str(v);
    if (sub.kind === 'builtin' && ['str', 'int', 'float', 'bool'].includes(sub.name)) return cast(sub.name, v);
    return it.call(sub, [str(v)], [], loc);
  };
  switch (method) {
    case 'list': {
      const delim = s(kwarg(kwargs, 'delimiter') ?? str(',')) ?? ',';
      const sub = args[2] ?? kwarg(kwargs, 'subcast');
      return list(raw === '' ? [] : raw.split(delim).map(x => itemCast(sub, x)));
    }
    case 'dict': {
      const delim = s(kwarg(kwargs, 'delimiter') ?? str(',')) ?? ',';
      const kv = s(kwarg(kwargs, 'key_value_delimiter') ?? str('=')) ?? '=';
      const d = dict();
      if (raw === '') return d;
      for (const item of raw.split(delim)) {
        const at = item.indexOf(kv);
        if (at < 0) return invalid();
        dictSet(d, itemCast(kwarg(kwargs, 'subcast_keys'), item.slice(0, at).trim()), itemCast(kwarg(kwargs, 'subcast_values'), item.slice(at + kv.length).trim()));
      }
      return d;
    }
    case 'url': return unknown(`env.url('${key}') (a parsed URL)`, loc);
    default: return cast(method, raw);
  }
}

const LOG_LEVELS: Record<string, number> = { CRITICAL: 50, FATAL: 50, ERROR: 40, WARNING: 30, WARN: 30, INFO: 20, DEBUG: 10, NOTSET: 0 };

/** A variable as environs reads it: os.environ first, then this Env's .env; `${VAR}` / `${VAR:-default}` expanded. */
function environsRaw(it: Evaluator, st: EnvironsState, key: string, loc: Loc, depth = 0): string | undefined | Value {
  const raw = it.env[key] ?? st.local.get(key);
  if (raw === undefined || !st.expandVars || !raw.includes('$') || depth > 10) return raw;
  let out = '';
  let at = 0;
  // environs' _EXPANDED_VAR_PATTERN, (?<!\\)\$\{([A-Za-z0-9_]+)(:-[^\}:]*)?\}
  for (const m of raw.matchAll(/(?<!\\)\$\{([A-Za-z0-9_]+)(:-[^}:]*)?\}/g)) {
    const inner = environsRaw(it, st, m[1]!, loc, depth + 1);
    if (typeof inner === 'object') return inner;
    const v = inner ?? (m[2] !== undefined ? m[2].slice(2) : undefined);
    if (v === undefined) return unknown(`environment variable ${m[1]} is not set`, loc);
    out += raw.slice(at, m.index) + v;
    at = m.index + m[0].length;
  }
  return (out + raw.slice(at)).replace(/\\\$/g, '$');
}

/** read_env(path=None, recurse=True, override=False, return_path=False): the first .env from the caller's folder up. */
function environsReadEnv(it: Evaluator, st: EnvironsState, args: Value[], kwargs: KW, loc: Loc): Value {
  const given = args[0] ?? kwarg(kwargs, 'path');
  let start: string;
  if (!given || given.kind === 'none') {
    if (loc.path === '?') return unknown('read_env() outside a file', loc);
    start = path.join(path.dirname(loc.path), '.env');
  } else {
    const p = s(given);
    if (p === null) return given.kind === 'unknown' ? unknown(given.reason, given.loc ?? loc) : unknown(`read_env(${repr(given)})`, loc);
    // a relative path is relative to the working directory the project is started in, not known here
    if (!path.isAbsolute(p)) return unknown(`read_env(${JSON.stringify(p)}): relative to the working directory`, loc);
    start = p;
  }
  const recurse = truthy(kwarg(kwargs, 'recurse') ?? TRUE) !== false;
  const override = truthy(kwarg(kwargs, 'override') ?? FALSE) === true;
  const returnPath = truthy(kwarg(kwargs, 'return_path') ?? FALSE) === true;
  const name = path.basename(start);
  let found: string | null = null;
  for (let dir = path.dirname(start); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, name);
    if (fileKind(candidate, 'isfile')) { found = candidate; break; }
    if (!recurse || path.dirname(dir) === dir) break;
  }
  if (found) {
    try {
      const parsed = (require('dotenv') as typeof import('dotenv')).parse(readText(found));
      for (const [k, v] of Object.entries(parsed)) if (override || !st.local.has(k)) st.local.set(k, v);
    } catch {
      found = null;
    }
  }
  return returnPath ? (found ? str(found) : NONE) : bool(found !== null);
}

/**
 * decouple.config(option, default=undefined, cast=undefined): the variable, else the default (a missing variable
 * without one raises UndefinedValueError where the project runs; here it may be set there: unknown). The cast applies
 * to the default too, as decouple does; bool is decouple's strtobool.
 */
function decoupleConfig(it: Evaluator, args: Value[], kwargs: KW, loc: Loc): Value {
  const name = s(args[0] ?? kwarg(kwargs, 'option') ?? NONE);
  if (name === null) return unknown('decouple config() of an unknown name', loc);
  const dflt = kwarg(kwargs, 'default') ?? args[1];
  const cast = kwarg(kwargs, 'cast') ?? args[2];
  const raw = it.env[name];
  const v: Value | undefined = raw !== undefined ? str(raw) : dflt;
  if (v === undefined) return unknown(`environment variable ${name} is not set (decouple config() without a default)`, loc);
  if (v.kind === 'unknown' || !cast || cast.kind === 'none') return v;
  if (cast.kind === 'builtin' && cast.name === 'bool') {
    if (v.kind !== 'str') return bool(truthy(v) === true);
    const t = v.v.trim().toLowerCase();
    if (['y', 'yes', 't', 'true', 'on', '1'].includes(t)) return TRUE;
    if (['n', 'no', 'f', 'false', 'off', '0', ''].includes(t)) return FALSE;
    throw new PyErr('ValueError', `Invalid truth value: ${t}`, loc);
  }
  if (cast.kind === 'obj' && cast.type === 'decouple.Csv') {
    if (v.kind !== 'str') return v;
    const sub = cast.attrs.get('cast');
    const delim = s(cast.attrs.get('delimiter')) ?? ',';
    const parts = v.v.split(delim).map(x => x.trim()).filter(x => x);
    return list(parts.map(p => (sub && sub.kind !== 'none' ? it.call(sub, [str(p)], [], loc) : str(p))));
  }
  return it.call(cast, [v], [], loc);
}

function isCast(v: Value): boolean {
  return v.kind === 'builtin' && ['str', 'bool', 'int', 'float', 'list', 'tuple', 'dict'].includes(v.name);
}

function castName(v: Value): string | null {
  if (v.kind === 'builtin') return v.name;
  if (v.kind === 'list') return 'list';
  return null;
}

const DJ_SCHEMES: Record<string, string> = {
  postgres: 'django.db.backends.postgresql', postgresql: 'django.db.backends.postgresql', pgsql: 'django.db.backends.postgresql',
  postgis: 'django.contrib.gis.db.backends.postgis', mysql: 'django.db.backends.mysql', mysql2: 'django.db.backends.mysql',
  mysqlgis: 'django.contrib.gis.db.backends.mysql', 'mysql-connector': 'mysql.connector.django', mssql: 'sql_server.pyodbc',
  mssqlms: 'mssql', spatialite: 'django.contrib.gis.db.backends.spatialite', sqlite: 'django.db.backends.sqlite3',
  oracle: 'django.db.backends.oracle', oraclegis: 'django.contrib.gis.db.backends.oracle', redshift: 'django_redshift_backend',
  cockroach: 'django_cockroachdb', timescale: 'timescale.db.backends.postgresql', timescalegis: 'timescale.db.backends.postgis',
};
const ENVIRON_SCHEMES: Record<string, string> = {
  ...DJ_SCHEMES, psql: 'django.db.backends.postgresql', 'postgres+psycopg': 'django.db.backends.postgresql', sqlite3: 'django.db.backends.sqlite3',
  ldap: 'ldapdb.backends.ldap', mysqlgis: 'django.contrib.gis.db.backends.mysql',
};

/** django-configurations' base class: a plain class here (its metaclass adds Django's defaults, which the settings reader adds too) */
const CONFIGURATION_CLASS: ClassV = {
  kind: 'class', name: 'Configuration', module: 'configurations.base', def: null, bases: [], globals: null, special: 'configurations.Configuration',
  // (its hooks, for a subclass's `super().pre_setup()`: the library's pre_setup reads DOTENV, which the env file reading covers)
  ns: new Map(['pre_setup', 'setup', 'post_setup', 'load_dotenv'].map(n => [n, b('configurations.Configuration.hook')] as [string, Value])),
};

/** The Value classes of configurations.values, modelled by what they read from the environment and how they convert it. */
const CONFIGURATION_VALUES = [
  'Value', 'BooleanValue', 'IntegerValue', 'PositiveIntegerValue', 'FloatValue', 'DecimalValue', 'ListValue', 'TupleValue', 'SetValue',
  'SingleNestedListValue', 'SingleNestedTupleValue', 'BackendsValue', 'DictValue', 'EmailValue', 'URLValue', 'IPValue', 'RegexValue',
  'PathValue', 'SecretValue', 'DatabaseURLValue', 'CacheURLValue', 'SearchURLValue', 'EmailURLValue',
];
/** the dict-of-aliases Values (DictBackendMixin): their environment variable, read without a prefix */
const CONFIGURATION_BACKENDS: Record<string, string> = { DatabaseURLValue: 'DATABASE_URL', CacheURLValue: 'CACHE_URL', SearchURLValue: 'SEARCH_URL' };

interface ConfigurationValueArgs { kind: string; args: Value[]; kwargs: KW; loc: Loc }

/**
 * Configuration.load_dotenv (its pre_setup): the file the class's DOTENV names, its variables set where the
 * environment has none (os.environ.setdefault). Null when done or when DOTENV is not set; else why it could not be
 * read (Django stops there: ImproperlyConfigured "Couldn't read .env file").
 */
export function configurationDotenv(it: Evaluator, cls: ClassV, loc: Loc): string | null {
  const v = it.classAttr(cls, 'DOTENV')?.value;
  if (!v || truthy(v) === false) return null;
  const file = v.kind === 'str' ? v.v : v.kind === 'path' ? v.p : null;
  if (file === null) return `DOTENV is ${v.kind === 'unknown' ? v.reason : repr(v)}: the variables it sets are not known`;
  return loadEnvFile(it, file, false, loc) ? null : `DOTENV names ${file}, which cannot be read here: the variables it sets are not known`;
}

/** Whether a class derives from django-configurations' Configuration. */
export function isConfigurationClass(it: Evaluator, cls: ClassV): boolean {
  return it.mro(cls).some(c => c.special === 'configurations.Configuration');
}

/** The environment variable a configurations.values Value set as the class attribute `name` reads (Value.full_environ_name). */
export function configurationVariable(name: string, v: Value): string | null {
  if (v.kind !== 'obj' || v.type !== 'configurations.Value') return null;
  const { kind, kwargs } = v.data as ConfigurationValueArgs;
  const backend = CONFIGURATION_BACKENDS[kind];
  const environName = s(kwarg(kwargs, 'environ_name') ?? NONE) ?? backend ?? (kind === 'EmailURLValue' ? 'EMAIL_URL' : name.toUpperCase());
  const prefixArg = kwarg(kwargs, 'environ_prefix');
  let prefix = prefixArg ? s(prefixArg) : backend || kind === 'EmailURLValue' ? null : 'DJANGO';
  if (prefix?.endsWith('_')) prefix = prefix.slice(0, -1);
  return prefix ? `${prefix}_${environName}` : environName;
}

/**
 * What a configurations.values Value set as the class attribute `name` gives when the configuration is set up
 * (Value.setup): the environment variable `<environ_prefix>_<environ_name or NAME>` (prefix DJANGO, none for the
 * URL values, whose variable is DATABASE_URL, CACHE_URL…) converted by the Value's kind, else its default. Others
 * (a class attribute that is not a Value) as they are.
 */
export function configurationValue(it: Evaluator, name: string, v: Value): Value {
  if (v.kind !== 'obj' || v.type !== 'configurations.Value') return v;
  const { kind, args, kwargs, loc } = v.data as ConfigurationValueArgs;
  const backend = CONFIGURATION_BACKENDS[kind];
  const dflt = args[0] ?? kwarg(kwargs, 'default') ?? NONE;
  const environ = truthy(kwarg(kwargs, 'environ') ?? TRUE) !== false;
  const variable = configurationVariable(name, v)!;
  const what = `${name} (django-configurations' ${kind}${environ ? `, environment variable ${variable}` : ''})`;
  const convert = (x: Value): Value => {
    if (x.kind === 'unknown') return x;
    if (backend) {
      if (x.kind !== 'str') return unknown(`${what}: a default that is not a URL`, loc);
      const alias = s(kwarg(kwargs, 'alias') ?? str('default')) ?? 'default';
      const d = dict();
      dictSet(d, str(alias), kind === 'DatabaseURLValue' ? djDatabaseUrlParse(x, [], loc) : unknown(`${what}: ${kind} (not evaluated)`, loc));
      return d;
    }
    if (x.kind !== 'str') return x;
    const t = x.v.trim();
    switch (kind) {
      case 'BooleanValue': {
        const l = t.toLowerCase();
        return ['yes', 'y', 'true', '1'].includes(l) ? TRUE : ['no', 'n', 'false', '0', ''].includes(l) ? FALSE : unknown(`${what}: ${repr(x)} is not a boolean`, loc);
      }
      case 'IntegerValue': case 'PositiveIntegerValue': return /^[-+]?\d+$/.test(t) ? num(Number(t)) : unknown(`${what}: ${repr(x)} is not an integer`, loc);
      case 'FloatValue': return t !== '' && Number.isFinite(Number(t)) ? num(Number(t)) : unknown(`${what}: ${repr(x)} is not a number`, loc);
      case 'ListValue': case 'BackendsValue': case 'TupleValue': {
        const sep = s(kwarg(kwargs, 'separator') ?? str(',')) ?? ',';
        const items = t.split(sep).map(p => p.trim()).filter(p => p !== '').map(p => str(p));
        return kind === 'TupleValue' ? tuple(items) : list(items);
      }
      case 'Value': case 'SecretValue': case 'EmailValue': case 'URLValue': case 'IPValue': case 'RegexValue': return x;
      default: return unknown(`${what}: ${kind} (not evaluated)`, loc);
    }
  };
  const raw = environ ? it.env[variable] : undefined;
  if (raw !== undefined) return convert(str(raw));
  if (environ && (kind === 'SecretValue' || truthy(kwarg(kwargs, 'environ_required') ?? FALSE) === true)) {
    return unknown(`${what}: required, and ${variable} is not set here`, loc);
  }
  if (backend && dflt.kind === 'none') return dict();
  // (a default is converted as given for the URL values only; the others keep it as it is)
  return backend ? convert(dflt) : dflt;
}

function djDatabaseUrlParse(url: Value, kwargs: KW, loc: Loc): Value {
  if (url.kind !== 'str') return url.kind === 'unknown' ? unknown(url.reason, url.loc ?? loc) : unknown(`database URL ${repr(url)}`, loc);
  return dbUrlConfig(url, 'dj', kwargs, loc);
}

/** A database URL as a DATABASES entry, the way dj-database-url (`dj`) or django-environ (`environ`) build it. */
export function dbUrlConfig(url: Value, flavour: 'dj' | 'environ', kwargs: KW, loc: Loc): Value {
  if (url.kind !== 'str') return url.kind === 'unknown' ? unknown(url.reason, url.loc ?? loc) : unknown(`database URL ${repr(url)}`, loc);
  const u = url.v;
  const engineKw = kwarg(kwargs, 'engine');
  const schemes = flavour === 'dj' ? DJ_SCHEMES : ENVIRON_SCHEMES;
  if (u === 'sqlite://:memory:') return dictOf([['ENGINE', str(schemes.sqlite!)], ['NAME', str(':memory:')]], loc);
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(u);
  if (!m) throw new PyErr('ValueError', `cannot parse database URL ${repr(url)}`, loc);
  const scheme = m[1]!.toLowerCase();
  const engine = engineKw && engineKw.kind === 'str' ? engineKw.v : schemes[scheme];
  if (!engine) throw new PyErr(flavour === 'dj' ? 'UnknownSchemeError' : 'ImproperlyConfigured', `Scheme '${scheme}://' is unknown`, loc);
  const netloc = m[2]!;
  let p = m[3]!.slice(1);
  if (flavour === 'environ' && (scheme === 'sqlite' || scheme === 'sqlite3') && p === '') p = ':memory:';
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : '';
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  const ci = userinfo.indexOf(':');
  const user = ci >= 0 ? userinfo.slice(0, ci) : userinfo;
  const password = ci >= 0 ? userinfo.slice(ci + 1) : '';
  let host = hostport;
  let port: number | null = null;
  const hm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (hm) { host = hm[1]!.replace(/^\[|\]$/g, ''); port = hm[2] ? Number(hm[2]) : null; }
  const dec = (x: string) => { try { return decodeURIComponent(x); } catch { return x; } };
  const entries: [string, Value][] = [];
  if (flavour === 'dj') {
    entries.push(['ENGINE', str(engine)]);
  }
  entries.push(['NAME', str(dec(p))], ['USER', str(dec(user))], ['PASSWORD', str(dec(password))], ['HOST', str(dec(host).toLowerCase())],
    ['PORT', port === null ? str('') : engine.includes('oracle') || engine.includes('mssql') || engine.includes('sql_server') ? str(String(port)) : num(port)]);
  if (flavour === 'dj') {
    entries.push(['CONN_MAX_AGE', kwarg(kwargs, 'conn_max_age') ?? num(0)], ['CONN_HEALTH_CHECKS', kwarg(kwargs, 'conn_health_checks') ?? FALSE],
      ['DISABLE_SERVER_SIDE_CURSORS', kwarg(kwargs, 'disable_server_side_cursors') ?? FALSE]);
  } else entries.push(['ENGINE', str(engine)]);
  const options = dict();
  if (m[4]) {
    for (const part of m[4].split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const k = dec(eq < 0 ? part : part.slice(0, eq));
      const v = dec(eq < 0 ? '' : part.slice(eq + 1));
      dictSet(options, str(k), str(v));
    }
  }
  const ssl = kwarg(kwargs, 'ssl_require');
  if (ssl && ssl.kind === 'bool' && ssl.v) dictSet(options, str('sslmode'), str('require'));
  if (options.map.size) entries.push(['OPTIONS', options]);
  // dj-database-url: `parsed_config["TEST"] = test_options` (Saleor's replica: {"MIRROR": "default"})
  const test = flavour === 'dj' ? kwarg(kwargs, 'test_options') : undefined;
  if (test && test.kind !== 'none') entries.push(['TEST', test]);
  return dictOf(entries, loc);
}

function dictOf(entries: [string, Value][], loc: Loc): Value {
  const d = dict();
  for (const [k, v] of entries) dictSet(d, str(k), v, loc);
  return d;
}

