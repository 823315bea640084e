// The `re` module in settings, against CPython's own: each expression's value as python3 computes it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

import { initPython } from '../../src/core/python/parse';
import { ModuleIndex } from '../../src/core/python/modules';
import { loadSettings } from '../../src/core/settings';
import { writeTree } from './support';

before(async () => {
  await initPython();
});

const SOURCE = String.raw`import os
import re
URL = os.environ.get("DATABASE_URL", "postgres://app:s3cr3t@db.internal:5433/shop")
R_MATCH = re.match(r'(?P<schema>\w+):\/\/(?:(?P<user>[\w\d_-]+)(?::(?P<password>[^@]+))?@)?(?P<host>[^:/]+)(?::(?P<port>\d+))?(?:/(?P<database>[\w\d/._-]+))?', URL).groupdict()
R_SQLITE = re.match(r'(?P<schema>\w+):\/\/(?:(?P<user>[\w\d_-]+)(?::(?P<password>[^@]+))?@)?(?P<host>[^:/]+)(?::(?P<port>\d+))?(?:/(?P<database>[\w\d/._-]+))?', "sqlite://localhost/data/db.sqlite3").groupdict()
R_SEARCH = re.search(r"\d+", "abc 123 def").group()
R_NONE = re.match(r"x", "abc") is None
R_FULL = [bool(re.fullmatch(r"a|ab", "ab")), bool(re.fullmatch(r"a", "ab"))]
R_GROUPS = re.match(r"(a)(b)?", "a").groups()
R_GROUPS_D = re.match(r"(a)(b)?", "a").groups("-")
R_GROUP0 = re.match(r"(a)(b)", "abc").group(0, 2)
R_SUB = re.sub(r"(\w+)@(\w+)", r"\2 at \g<1>", "joe@example x@y")
R_SUB_COUNT = re.sub("a", "b", "aaaa", count=2)
R_SUB_EMPTY = re.sub(r"x*", "-", "abc")
R_SPLIT = re.split(r"[,;]\s*", "a, b;c")
R_SPLIT_G = re.split(r"(,)", "a,b")
R_SPLIT_MAX = re.split(",", "a,b,c", maxsplit=1)
R_FINDALL = re.findall(r"(\w)=(\d)", "a=1 b=2")
R_FINDALL1 = re.findall(r"\d", "a1b2")
R_DOLLAR = bool(re.match(r"abc$", "abc\n"))
R_DOT = bool(re.match(r"a.c", "a\rc"))
R_DOT_NL = bool(re.match(r"a.c", "a\nc"))
R_DOTALL = bool(re.match(r"a.c", "a\nc", re.S))
R_IGNORE = bool(re.match(r"ABC", "abc", re.I))
R_INLINE = bool(re.match(r"(?i)ABC", "abc"))
P = re.compile(r"(?P<k>\w+)=(?P<v>\w+)")
R_COMPILED = P.match("key=val").group("k", "v")
R_SPAN = P.search("  a=b").span()
R_PATTERN = P.pattern
R_ESCAPE = re.escape("a.b*c-d e/f")
R_ANCHOR = bool(re.search(r"\Aab\Z", "ab"))
R_MULTI = re.findall(r"^\w", "ab\ncd", re.M)
R_BACKREF = bool(re.match(r"(?P<q>['\"]).*(?P=q)", "'x'"))
R_CLASS = re.findall(r"[]a]", "a]b")
R_BRACE = re.findall(r"a{2}|{x}|b{,2}c|d{1,}", "aa{x}bbcddd")
if re.match(r"postgres", URL):
    ENGINE = "django.db.backends.postgresql"
else:
    ENGINE = "django.db.backends.sqlite3"
m = re.match(r'(?P<schema>\w+)://(?P<user>[^:]+):(?P<password>[^@]+)@(?P<host>[^:/]+):(?P<port>\d+)/(?P<name>.+)', URL)
DATABASES = {"default": {"ENGINE": ENGINE, "HOST": m.group("host"), "PORT": m["port"], "NAME": m.group("name"), "USER": m.group("user"), "PASSWORD": m.group("password")}}
`;

function python(dir: string, env: Record<string, string>): Record<string, unknown> {
  const out = execFileSync('python3', ['-c', `
import json, runpy, sys
g = runpy.run_path(sys.argv[1])
print(json.dumps({k: v for k, v in g.items() if k.isupper() and k != "P"}))
`, path.join(dir, 'conf.py')], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return JSON.parse(out) as Record<string, unknown>;
}

for (const env of [{}, { DATABASE_URL: 'postgresql://u:p%40ss@pg:5432/app_db' }] as Record<string, string>[]) {
  test(`re in settings equals CPython's re (${Object.keys(env).length ? 'DATABASE_URL set' : 'default URL'})`, () => {
    const dir = writeTree({ 'conf.py': SOURCE }, 'dmdb-settings-re-');
    const expected = python(dir, env);
    const s = loadSettings(new ModuleIndex([dir]), 'conf', env);
    for (const [k, v] of Object.entries(expected)) {
      if (k === 'DATABASES') continue;
      assert.deepEqual(s.values[k], v, k);
    }
    const db = (expected.DATABASES as Record<string, Record<string, unknown>>).default!;
    const d = s.databases[0]!;
    assert.deepEqual([d.alias, d.engine, d.host, String(d.port), d.name, d.user], ['default', db.ENGINE, db.HOST, db.PORT, db.NAME, db.USER]);
    assert.deepEqual(s.unknowns.filter(u => u.name.startsWith('R_') || u.name === 'DATABASES'), []);
  });
}

test('re: what is not modelled is unknown, never matched with another meaning', () => {
  const dir = writeTree({ 'conf.py': String.raw`import os, re
VERBOSE = re.match(r"a # comment", "a", re.X)
NONASCII = re.match(r"\w+", "héllo").group()
COND = re.match(r"(a)?(?(1)b|c)", "ab")
UNKNOWN_S = re.match(r"a", os.environ["NOPE_NOT_SET"])
` }, 'dmdb-settings-re-');
  const s = loadSettings(new ModuleIndex([dir]), 'conf', {});
  for (const k of ['VERBOSE', 'NONASCII', 'COND']) {
    assert.equal(s.values[k], undefined, k);
    assert.ok(s.unknowns.some(u => u.name === k), `${k} is said to be unknown`);
  }
});
