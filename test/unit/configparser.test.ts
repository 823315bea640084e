// The static evaluator's configparser (src/core/python/eval-configparser.ts) against CPython's own: settings that
// build a parser over defaults, read an INI file of the project and ask for options (pretalx, pretix) give the
// values Python gives. The oracle is the python3 on PATH (configparser is in the standard library).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { initPython } from '../../src/core/python/parse';
import { ModuleIndex } from '../../src/core/python/modules';
import { loadSettings } from '../../src/core/settings';
import { writeTree } from './support';

before(async () => { await initPython(); });

/** The UPPERCASE names of `module` as Python sets them (run from `dir`, JSON: tuples as lists, paths as strings). */
function pythonValues(dir: string, module: string): Record<string, unknown> {
  const out = execFileSync('python3', ['-c', `
import json, runpy, sys, pathlib
ns = runpy.run_module(sys.argv[1], run_name="settings")
print(json.dumps({k: v for k, v in ns.items() if k.isupper()}, default=lambda o: str(o) if isinstance(o, pathlib.PurePath) else repr(o)))
`, module], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir, HOME: '/nonexistent' } });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function staticInfo(dir: string, module: string) {
  return loadSettings(new ModuleIndex([dir]), module, {}, { cwd: dir });
}

const INI = `# a comment
; another
[DEFAULT]
Host = db.example.org
timeout = 30

[site]
url = https://%(host)s/app
debug = yes
Ratio: 0.25
multi = first line
    second line

    after a blank line
percent = 100%%
n = 7

[database]
backend = postgresql
name = shop
`;

const SETTINGS = `import configparser
from pathlib import Path

BASE = Path(__file__).resolve().parent
cp = configparser.ConfigParser()
cp.read_dict({"database": {"backend": "sqlite3", "Port": 5432, "debug": True}, "extra": {"x": "1"}})
READ = cp.read([BASE / "site.cfg", BASE / "missing.cfg", "relative.cfg"], encoding="utf-8")
BACKEND = cp.get("database", "backend")
PORT = cp.getint("database", "port")
DB_DEBUG = cp.getboolean("database", "debug")
URL = cp.get("site", "url")
URL_RAW = cp.get("site", "url", raw=True)
DEBUG = cp.getboolean("site", "debug")
RATIO = cp.getfloat("site", "ratio")
MULTI = cp.get("site", "multi")
PERCENT = cp.get("site", "percent")
SECTIONS = cp.sections()
OPTIONS = cp.options("site")
ITEMS = cp.items("database")
HAS = [cp.has_option("site", "url"), cp.has_option("site", "HOST"), cp.has_option("site", "nope"), cp.has_section("site"), cp.has_section("DEFAULT")]
FALLBACK = cp.get("site", "nope", fallback="fb")
FALLBACK_SECTION = cp.get("nosection", "x", fallback=None)
INHERITED = cp.get("extra", "timeout")
PROXY = [cp["site"]["url"], cp["site"].getint("n"), cp["site"].get("nope", "dflt"), "site" in cp, "nosuch" in cp, "url" in cp["site"]]
try:
    cp.get("nosection", "x")
    NO_SECTION = "no error"
except configparser.NoSectionError as e:
    NO_SECTION = "NoSectionError"
try:
    cp.get("site", "nope")
    NO_OPTION = "no error"
except configparser.Error:
    NO_OPTION = "Error"
try:
    cp.getint("site", "url")
    BAD_INT = "no error"
except ValueError:
    BAD_INT = "ValueError"
cp.add_section("added")
cp.set("added", "Key", "v")
ADDED = cp.items("added")
raw = configparser.RawConfigParser()
raw.read_string("[a]\\nx = %(y)s\\ny = 1\\n")
RAW = raw.get("a", "x")
basic = configparser.RawConfigParser(interpolation=configparser.BasicInterpolation())
basic.read_string("[a]\\nh = x\\nu = %(h)s/y\\n")
EXPLICIT_BASIC = basic.get("a", "u")
cp["site"]["added"] = "new"
cp["fresh"] = {"K": "v", "n": "3"}
SET_ITEMS = [cp.get("site", "added"), cp.items("fresh"), cp.getint("fresh", "n")]
cp.read_file(["[lines]", "x = 1", "y = 2\\n"])
FROM_LINES = cp.items("lines", raw=True)
RAW_ITEMS = [v for k, v in cp.items("site", raw=True) if k == "url"]
floats = configparser.ConfigParser()
floats.read_dict({"f": {"a": " 1_000.5 ", "b": "1e3", "c": "-inf", "d": "2."}})
FLOATS = [floats.getfloat("f", k) for k in "abd"]
NEG_INF = floats.getfloat("f", "c") == float("-inf")
try:
    floats.read_dict({"g": {"h": "0x10"}})
    floats.getfloat("g", "h")
    HEX = "no error"
except ValueError:
    HEX = "ValueError"
try:
    cp.options("DEFAULT")
    OPTIONS_DEFAULT = "no error"
except configparser.NoSectionError:
    OPTIONS_DEFAULT = "NoSectionError"
noint = configparser.ConfigParser(interpolation=None)
noint.read_string("[a]\\nx = 100%\\n")
NO_INTERPOLATION = noint.get("a", "x")
withdefaults = configparser.ConfigParser(defaults={"A": "1"})
WITH_DEFAULTS = [withdefaults.defaults() == {"a": "1"}, withdefaults.has_option("DEFAULT", "a")]
`;

describe('configparser, as CPython reads it', () => {
  test('read_dict, read() of the project\'s INI file and of missing ones, get/getint/getfloat/getboolean, interpolation, sections, proxies and errors', () => {
    const dir = writeTree({ 'cfgsite/__init__.py': '', 'cfgsite/settings.py': SETTINGS, 'cfgsite/site.cfg': INI });
    const expected = pythonValues(dir, 'cfgsite.settings');
    const got = staticInfo(dir, 'cfgsite.settings');
    const names = Object.keys(expected);
    assert.ok(names.length >= 25, `names: ${names.join(', ')}`);
    for (const k of names) assert.deepEqual(got.values[k], expected[k], `${k}: ${JSON.stringify(got.values[k])} (static) vs ${JSON.stringify(expected[k])} (Python)`);
    assert.deepEqual(got.unknowns, []);
  });

  test('a file outside the project, or named by a value not known (Path.home()), is read as absent and said; pretalx\'s layers give its DATABASES', () => {
    const dir = writeTree({
      'layered/__init__.py': '',
      'layered/config.py': `import configparser, os
from pathlib import Path
CONFIG = {
    "database": {
        "backend": {"default": "sqlite3", "env": os.getenv("APP_DB_TYPE")},
        "name": {"env": os.getenv("APP_DB_NAME")},
        "host": {"default": "", "env": os.getenv("APP_DB_HOST")},
    },
}


def read_layer(layer_name, config):
    config.read_dict({s: {k: v.get(layer_name) for k, v in c.items() if v.get(layer_name) is not None} for s, c in CONFIG.items()})
    return config


def build_config():
    config = configparser.RawConfigParser()
    config = read_layer("default", config)
    files = config.read([Path("/etc/layered-app-never-there/app.cfg"), Path.home() / ".layered.cfg", Path("layered.cfg")], encoding="utf-8")
    config = read_layer("env", config)
    return config, files
`,
      'layered/settings.py': `from pathlib import Path
from layered.config import build_config
config, CONFIG_FILES = build_config()
BASE_DIR = Path(__file__).resolve().parent
db_backend = config.get("database", "backend")
DATABASES = {"default": {"ENGINE": "django.db.backends." + db_backend, "NAME": config.get("database", "name", fallback=str(BASE_DIR / "db.sqlite3")), "HOST": config.get("database", "host")}}
INSTALLED_APPS = []
# (pretalx writes a secret file when there is none: pathlib's methods that change files are not run, nor an error)
SECRET_FILE = BASE_DIR / ".secret"
if not SECRET_FILE.exists():
    SECRET_FILE.touch()
    SECRET_FILE.chmod(0o600)
`,
    });
    const s = staticInfo(dir, 'layered.settings');
    assert.deepEqual(s.unknowns.filter(u => /AttributeError/.test(u.reason)), []);
    assert.deepEqual(s.databases.map(d => [d.alias, d.engine, d.name]), [['default', 'django.db.backends.sqlite3', path.join(dir, 'layered', 'db.sqlite3')]]);
    assert.deepEqual(s.values.CONFIG_FILES, []);
    const said = (s.assumptions ?? []).map(a => a.reason).join('\n');
    assert.match(said, /configuration files \/etc\/layered-app-never-there\/app\.cfg, a file not known statically \(pathlib\.Path\.home[^)]*\), outside the project, read as absent/);
    // Python agrees where those files are not there (HOME unset for it)
    const py = execFileSync('python3', ['-c', 'import json\nfrom layered.settings import DATABASES, CONFIG_FILES\nprint(json.dumps([DATABASES, CONFIG_FILES]))'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir, HOME: '/nonexistent' } });
    const [dbs, files] = JSON.parse(py) as [Record<string, { ENGINE: string; NAME: string }>, string[]];
    assert.deepEqual([dbs.default!.ENGINE, dbs.default!.NAME, files], ['django.db.backends.sqlite3', path.join(dir, 'layered', 'db.sqlite3'), []]);
    // an environment variable a layer reads takes its place, as in Python
    const pg = loadSettings(new ModuleIndex([dir]), 'layered.settings', { APP_DB_TYPE: 'postgresql', APP_DB_NAME: 'shop', APP_DB_HOST: 'db' }, { cwd: dir });
    assert.deepEqual(pg.databases.map(d => [d.engine, d.name, d.host]), [['django.db.backends.postgresql', 'shop', 'db']]);
  });

  test('a dialect or an attribute this reader does not model leaves the values unknown, never wrong', () => {
    const dir = writeTree({
      'dialect/__init__.py': '',
      'dialect/settings.py': `import configparser
inline = configparser.ConfigParser(inline_comment_prefixes=("#",))
inline.read_string("[a]\\nx = 1 # c\\n")
INLINE = inline.get("a", "x")
cased = configparser.ConfigParser()
cased.optionxform = str
cased.read_string("[a]\\nKey = 1\\n")
CASED = cased.items("a")
INSTALLED_APPS = []
DATABASES = {}
`,
    });
    const s = staticInfo(dir, 'dialect.settings');
    assert.equal(s.values.INLINE, undefined);
    assert.equal(s.values.CASED, undefined);
    assert.ok(s.unknowns.some(u => u.name.includes('INLINE') && /inline_comment_prefixes, which this reader does not model/.test(u.reason)), JSON.stringify(s.unknowns));
    assert.ok(s.unknowns.some(u => u.name.includes('CASED') && /attribute of a configparser set \(optionxform\)/.test(u.reason)), JSON.stringify(s.unknowns));
  });

  test('after a file not known statically, what the parser holds and fallbacks are kept and said, other options are unknown (never Python\'s NoOptionError); a file without a section header is Python\'s error', () => {
    const dir = writeTree({
      'opaque/__init__.py': '',
      'opaque/settings.py': `import configparser, os
cp = configparser.ConfigParser()
cp.read_dict({"database": {"backend": "sqlite3"}})
cp.read_file(open(os.environ["APP_CONFIG"]))
BACKEND = cp.get("database", "backend")
OTHER = cp.get("database", "other", fallback="x")
THIRD = cp.get("database", "third")
INSTALLED_APPS = []
DATABASES = {}
`,
      'broken/__init__.py': '',
      'broken/settings.py': 'import configparser\ncp = configparser.ConfigParser()\ncp.read_string("x = 1\\n")\nINSTALLED_APPS = []\nDATABASES = {}\n',
    });
    const s = staticInfo(dir, 'opaque.settings');
    // what the parser holds is kept, a fallback is taken, and both are said; an option without either is unknown
    assert.equal(s.values.BACKEND, 'sqlite3');
    assert.equal(s.values.OTHER, 'x');
    assert.ok(s.unknowns.some(u => u.name === 'THIRD' && /configparser option database\.third \(configparser read_file\(/.test(u.reason)), JSON.stringify(s.unknowns));
    const said = (s.assumptions ?? []).map(a => a.reason).join('\n');
    assert.match(said, /configparser option database\.backend is read as set before: configparser read_file\(/);
    assert.match(said, /configparser option database\.other is read as not set \(its fallback\)/);
    const b = staticInfo(dir, 'broken.settings');
    assert.ok(b.unknowns.some(u => /MissingSectionHeaderError: File contains no section headers/.test(u.reason)), JSON.stringify(b.unknowns));
    assert.throws(() => execFileSync('python3', ['-c', 'import broken.settings'], { cwd: dir, env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir }, stdio: 'pipe' }), /MissingSectionHeaderError/);
  });
});
