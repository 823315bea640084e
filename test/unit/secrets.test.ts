// Issue 8 item 3: a password in settings never reaches any output — the redaction module by itself, every CLI
// output format in static and Django mode (a failing settings line is quoted in Python's traceback), the helper's
// own traceback — and a stored password is bound to the destination it was saved for.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Redactor, redact, redactMessages, redactPatterns, secretsOfDatabases, MASK } from '../../src/core/redact';
import { bindOverride, checkOverride, secretTarget } from '../../src/core/db/secret-binding';
import { runDjangoHelper } from '../../src/core/django';
import { cli, djangoPython, NO_DJANGO } from '../oracle/helpers';
import { writeTree } from './support';

const PW = ['Hunter2Secret', 'UrlPw9876', 'OptPw5555', 'OptPasswd777', 'EnvPw4242'];

function assertClean(text: string, where: string): void {
  for (const pw of PW) assert.ok(!text.includes(pw), `${where} contains ${pw}:\n${text.slice(0, 3000)}`);
}

describe('redact: the patterns', () => {
  test('URL userinfo, in code and in messages', () => {
    assert.equal(redactPatterns("parse('postgres://u:UrlPw9876@db.example/app', conn_max_age=int(os.environ['X']))"),
      `parse('postgres://u:${MASK}@db.example/app', conn_max_age=int(os.environ['X']))`);
    assert.equal(redactPatterns('mysql://:p@ss@h:3306/x'), `mysql://:${MASK}@h:3306/x`);
    // no userinfo password: unchanged
    assert.equal(redactPatterns('https://example.com/a:b@c and postgres://u@h/db'), 'https://example.com/a:b@c and postgres://u@h/db');
  });

  test('a function named as why a password is not known stays readable (Tandoor: PASSWORD: re.match (not evaluated))', () => {
    assert.equal(redactPatterns('DATABASES["default"].USER, DATABASES["default"].PASSWORD: re.match (not evaluated)'), 'DATABASES["default"].USER, DATABASES["default"].PASSWORD: re.match (not evaluated)');
    assert.equal(redactPatterns('PASSWORD: hunter2 and more'), `PASSWORD: ${MASK} and more`);
  });

  test('PASSWORD-like keys in Python, JSON, env and DSN syntax', () => {
    assert.equal(redactPatterns(`{'ENGINE': 'x', 'PASSWORD': 'Hunter2Secret', 'PORT': int(os.environ['XPORT'])}`),
      `{'ENGINE': 'x', 'PASSWORD': '${MASK}', 'PORT': int(os.environ['XPORT'])}`);
    assert.equal(redactPatterns('"OPTIONS": {"password": "a\\"b", "passwd": "OptPasswd777"}'), `"OPTIONS": {"password": "${MASK}", "passwd": "${MASK}"}`);
    assert.equal(redactPatterns('DB_PASSWORD=EnvPw4242\nPGPASSWORD=x1 next'), `DB_PASSWORD=${MASK}\nPGPASSWORD=${MASK} next`);
    assert.equal(redactPatterns('host=h password=OptPw5555 dbname=d'), `host=h password=${MASK} dbname=d`);
    assert.equal(redactPatterns('dict(PASSWORD="Hunter2Secret")'), `dict(PASSWORD="${MASK}")`);
    // code, not a secret: stays readable
    assert.equal(redactPatterns("'PASSWORD': os.environ['DB_PW'],"), "'PASSWORD': os.environ['DB_PW'],");
    assert.equal(redactPatterns("'PASSWORD': '',"), "'PASSWORD': '',");
    // words about passwords are not values
    assert.equal(redactPatterns("DATABASES['x']['PASSWORD'] could not be evaluated"), "DATABASES['x']['PASSWORD'] could not be evaluated");
  });

  test('known values, raw, URL-encoded, JSON- and Python-escaped, longest first', () => {
    const r = new Redactor(['p@ss "word"', 'abc', 'ab']);
    assert.equal(r.redact('x p@ss "word" y'), `x ${MASK} y`);
    assert.equal(r.redact(`x ${encodeURIComponent('p@ss "word"')} y`), `x ${MASK} y`);
    assert.equal(r.redact(JSON.stringify({ v: 'p@ss "word"' })), `{"v":"${MASK}"}`);
    assert.equal(r.redact('abc ab'), `${MASK} ab`, 'secrets shorter than 3 are left to the patterns');
    // a short or letters-only secret is masked where it stands alone, not inside another word
    assert.equal(r.redact('abcd xabc abc.'), `abcd xabc ${MASK}.`);
    assert.equal(redact('say Hunter2Secret', ['Hunter2Secret']), `say ${MASK}`);
    assert.deepEqual(r.redactValue({ a: ['abc', 1, { b: 'x abc' }] }), { a: [MASK, 1, { b: `x ${MASK}` }] });
  });

  test('the secrets of DATABASES: PASSWORD, OPTIONS password/passwd, TEST.PASSWORD', () => {
    const s = secretsOfDatabases([
      { password: 'Hunter2Secret', options: { password: 'OptPw5555', passwd: 'OptPasswd777', sslmode: 'require' } },
      { password: null, raw: { TEST: { PASSWORD: 'EnvPw4242' } } },
    ]);
    assert.deepEqual(s.sort(), ['EnvPw4242', 'Hunter2Secret', 'OptPasswd777', 'OptPw5555']);
  });
});

describe('secret binding: a stored password goes only where it was saved for', () => {
  const db = { engine: 'django.db.backends.postgresql', host: 'db.internal', port: '5432', name: 'app' };
  test('same destination: the password is used', () => {
    const stored = bindOverride(db, undefined, { password: 'Hunter2Secret' });
    assert.deepEqual(stored.target, { engine: db.engine, host: 'db.internal', port: '5432', name: 'app' });
    const c = checkOverride({ ...db, host: 'DB.internal', port: 5432 }, stored);
    assert.equal(c.stale, false);
    assert.equal(c.override.password, 'Hunter2Secret');
  });
  for (const [what, change] of [
    ['host', { host: 'evil.example' }], ['port', { port: '6543' }], ['NAME', { name: 'other' }], ['ENGINE', { engine: 'django.db.backends.mysql' }],
  ] as const) {
    test(`${what} changed: the password is withheld and the change is described without it`, () => {
      const stored = bindOverride(db, undefined, { password: 'Hunter2Secret', user: 'u' });
      const c = checkOverride({ ...db, ...change }, stored);
      assert.equal(c.stale, true);
      assert.equal(c.override.password, undefined);
      assert.equal(c.override.user, 'u');
      assert.ok(c.change && !c.change.includes('Hunter2Secret'), c.change ?? '');
    });
  }
  test('an override that moves the host itself is bound to the overridden host', () => {
    const stored = bindOverride(db, undefined, { host: 'replica.internal', password: 'Hunter2Secret' });
    assert.equal(stored.target!.host, 'replica.internal');
    assert.equal(checkOverride({ ...db, host: 'anything-else' }, stored).stale, false);
    assert.deepEqual(secretTarget(db, { host: 'replica.internal' }), stored.target);
  });
  test('an entry saved before binding existed is not trusted; no password, nothing to check', () => {
    assert.equal(checkOverride(db, { password: 'Hunter2Secret' }).stale, true);
    assert.equal(checkOverride(db, { user: 'u' }).stale, false);
    assert.equal(checkOverride(db, undefined).stale, false);
  });
});

describe('no output contains a password (CLI, static and Django mode)', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
  function project(): string {
    const dir = writeTree({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
      'proj/__init__.py': '',
      // stands in for dj_database_url: the failing call is what is quoted
      'proj/dburl.py': 'def parse(url, **kw):\n    return {"ENGINE": "django.db.backends.postgresql", "NAME": "db", "HOST": "127.0.0.1", "PORT": 1}\n',
      'proj/settings.py': [
        'import os',
        'from proj import dburl as dj_database_url',
        "SECRET_KEY = 'x'",
        "INSTALLED_APPS = ['django.contrib.contenttypes']",
        'DATABASES = {',
        "    'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'db', 'HOST': '127.0.0.1', 'USER': 'u', 'PASSWORD': 'Hunter2Secret', 'PORT': int(os.environ['XPORT'])},",
        "    'other': dj_database_url.parse('postgres://u:UrlPw9876@127.0.0.1:1/db', conn_max_age=int(os.environ['X'])),",
        "    'opts': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'db', 'HOST': '127.0.0.1', 'PORT': 1, 'OPTIONS': {'password': 'OptPw5555', 'passwd': 'OptPasswd777'}},",
        "    'envpw': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'db', 'HOST': '127.0.0.1', 'PORT': 1, 'PASSWORD': os.environ.get('DB_PW', '')},",
        '}',
        '',
      ].join('\n'),
      '.env': 'DB_PW=EnvPw4242\n',
    }, 'dmdb-secrets-');
    dirs.push(dir);
    return dir;
  }
  const formats: string[][] = [
    ['scan'], ['scan', '--json'], ['check'], ['check', '--format', 'github'], ['check', '--format', 'sarif'], ['check', '--format', 'json'],
  ];
  // failing settings (X, XPORT missing) and working settings (unreachable servers, errors quote the connection)
  for (const env of [{}, { X: '1', XPORT: '1' }] as Record<string, string>[]) {
    const label = Object.keys(env).length ? 'settings load, servers unreachable' : 'settings line fails';
    test(`static mode, ${label}: tables, --json, check text/github/sarif/json, --verbose`, () => {
      const dir = project();
      for (const f of formats) {
        const r = cli([...f, dir, '--no-python', '--timeout', '1500', '--verbose'], { env });
        assert.ok(r.status >= 0 && r.status <= 2, `${f.join(' ')}: status ${r.status}\n${r.stderr}`);
        assertClean(r.stdout, `${f.join(' ')} stdout`);
        assertClean(r.stderr, `${f.join(' ')} stderr`);
      }
    });
    test(`Django mode, ${label}: the helper's traceback quotes the line, masked`, { skip: djangoPython() ? false : NO_DJANGO }, () => {
      const dir = project();
      const py = djangoPython()!;
      for (const f of formats) {
        const r = cli([...f, dir, '--mode', 'django', '--python', py, '--timeout', '1500', '--verbose'], { env });
        assert.ok(r.status >= 0 && r.status <= 2, `${f.join(' ')}: status ${r.status}\n${r.stderr}`);
        assertClean(r.stdout, `${f.join(' ')} stdout`);
        assertClean(r.stderr, `${f.join(' ')} stderr`);
        if (!Object.keys(env).length && f.length === 1 && f[0] === 'scan') {
          // the failure is visible, only the secret is gone
          assert.match(r.stderr, /KeyError/);
          assert.match(r.stderr, /'PASSWORD': '\*{8}'|postgres:\/\/u:\*{8}@/);
        }
      }
    });
  }

  test('the helper itself returns a masked traceback', { skip: djangoPython() ? false : NO_DJANGO }, async () => {
    const dir = project();
    const r = await runDjangoHelper({
      root: dir, managePy: path.join(dir, 'manage.py'), python: djangoPython()!, settingsModule: 'proj.settings',
      env: { ...process.env, XPORT: '1' }, readDatabases: false,
    });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.reason, 'settings');
    assert.ok(r.traceback && /KeyError: 'X'/.test(r.traceback), r.traceback ?? '');
    assert.match(r.traceback!, /postgres:\/\/u:\*{8}@/);
    assertClean(JSON.stringify(r), 'helper failure');
  });
});

test('a password equal to a word of the project (its user, its database name, a folder) does not garble paths', () => {
  const r = new Redactor().exemptWords(['work', 'real', 'saleor']).addDatabases([{ alias: 'default', name: 'saleor', user: 'saleor', password: 'saleor' }]);
  assert.equal(r.redact('/work/real/saleor/saleor/settings.py'), '/work/real/saleor/saleor/settings.py');
  // where it stands as a password it is still masked
  assert.equal(r.redact('postgres://saleor:saleor@localhost/saleor'), 'postgres://saleor:********@localhost/saleor');
  assert.match(r.redact("'PASSWORD': 'saleor'"), /'PASSWORD': '\*+'/);
  // a real secret is masked everywhere
  const s = new Redactor().exemptWords(['work']).addDatabases([{ alias: 'default', name: 'shop', user: 'app', password: 'Hunter2Secret' }]);
  assert.equal(s.redact('failed for Hunter2Secret at /work'), 'failed for ******** at /work');
});

test('a word-like password is masked where it stands alone, not inside names, modules and paths (Kolibri Studio\'s fallback "kolibri")', () => {
  const r = new Redactor().addDatabases([{ alias: 'default', name: 'kolibri-studio', user: 'learningequality', password: 'kolibri' }]);
  for (const text of ['kolibri_content.router.ContentDBRouter', 'contentcuration/kolibri_content/router.py', 'kolibri-studio', 'kolibri_public.ContentTag', 'le.kolibri.x']) {
    assert.equal(r.redact(text), text);
  }
  assert.equal(r.redact('postgres://learningequality:kolibri@db/kolibri-studio'), 'postgres://learningequality:********@db/kolibri-studio');
  assert.equal(r.redact("'PASSWORD': 'kolibri'"), "'PASSWORD': '********'");
  assert.equal(r.redact('the password is kolibri.'), 'the password is ********.');
  assert.equal(r.redact('password=kolibri;host=db'), 'password=********;host=db');
  // a long secret with digits or symbols is masked inside other text too
  assert.equal(new Redactor(['Hunter2Secret']).redact('xHunter2Secretx'), `x${MASK}x`);
});

test('findings keep the names of the project\'s apps when the password equals one ("shop" / "shop")', async () => {
  const dir = writeTree({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'import os\nSECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shopdb", "PASSWORD": os.getenv("PW") or "shop"}, "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": "other.sqlite3"}}\nDATABASE_ROUTERS = ["proj.routers.R"]\n',
    'proj/routers.py': 'class R:\n    def allow_migrate(self, db, app_label, **hints):\n        return None\n',
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\n\n\nclass Item(models.Model):\n    pass\n',
  }, 'dmdb-shop-pw-');
  try {
    const r = cli(['scan', dir, '--no-db', '--no-python', '--json']);
    const text = JSON.stringify(r.json);
    const messages = r.json.diagnostics.map((d: { message: string }) => d.message).join('\n');
    assert.match(messages, /App 'shop' has no migrations/);
    assert.ok(!/\*{8}\.Item/.test(text), 'no masked app label');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a reason after a PASSWORD key is not taken for the password (dis-wagtail: "PASSWORD: depends on the whole environment")', () => {
  assert.equal(redactPatterns('DATABASES["default"].PASSWORD: depends on the whole environment'), 'DATABASES["default"].PASSWORD: depends on the whole environment');
  assert.equal(redactPatterns('PASSWORD: s3cretvalue'), `PASSWORD: ${MASK}`);
});

test('redactMessages with what an earlier call made: the same objects are not matched again, a redactor of another signature gives its own answers', () => {
  const a = new Redactor(['s3cret-pw']);
  const findings = [{ code: 'x', message: 'NAME uses s3cret-pw here' }, { code: 'y', message: 'nothing to hide' }];
  const done = new WeakMap<typeof findings[number], typeof findings[number]>();
  const first = redactMessages(findings, a, done);
  assert.equal(first[0]!.message, `NAME uses ${MASK} here`);
  assert.equal(first[1], findings[1], 'a message without secrets: the object itself');
  const again = redactMessages(findings, a, done);
  assert.equal(again[0], first[0], 'the same object: the answer made before');
  // (the signature names what decides the answers: the same secrets, the same signature; another secret, another)
  assert.equal(new Redactor(['s3cret-pw']).signature, a.signature);
  assert.notEqual(new Redactor(['other-pw']).signature, a.signature);
});
