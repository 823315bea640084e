// The project's Python environment (src/core/env/python-env): interpreter choice, sys.path from the
// interpreter when allowed, static site-packages otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findSearchRoots, findInterpreter, workspaceMembers } from '../../src/core/env/python-env';
import { djangoPython, NO_DJANGO } from '../oracle/helpers';

const PY = djangoPython();

function tmp(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-env-')));
}

/** A fake venv: pyvenv.cfg, bin/python (a script), lib/python3.X/site-packages. */
function fakeVenv(dir: string, opts: { version?: string; script?: string; windows?: boolean } = {}): { venv: string; site: string; python: string } {
  const version = opts.version ?? '3.12';
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'pyvenv.cfg'), `home = /usr/bin\ninclude-system-site-packages = false\nversion = ${version}.1\n`);
  const site = opts.windows ? path.join(dir, 'Lib', 'site-packages') : path.join(dir, 'lib', `python${version}`, 'site-packages');
  fs.mkdirSync(site, { recursive: true });
  const python = opts.windows ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python');
  fs.mkdirSync(path.dirname(python), { recursive: true });
  fs.writeFileSync(python, opts.script ?? '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  return { venv: dir, site, python };
}

test('interpreter order: --python, VIRTUAL_ENV, workspace .venv/venv/env, python3 on PATH', () => {
  const root = tmp();
  const ws = fakeVenv(path.join(root, '.venv'));
  const active = fakeVenv(path.join(tmp(), 'active'));
  const explicit = fakeVenv(path.join(tmp(), 'explicit'));
  const binDir = tmp();
  fs.writeFileSync(path.join(binDir, 'python3'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  const env = { PATH: binDir, VIRTUAL_ENV: active.venv };

  assert.deepEqual(findInterpreter({ root, python: explicit.python, env }), { interpreter: explicit.python, source: 'option', venv: explicit.venv });
  // a relative --python is relative to the workspace
  assert.equal(findInterpreter({ root, python: '.venv/bin/python', env })?.interpreter, ws.python);
  assert.deepEqual(findInterpreter({ root, env }), { interpreter: active.python, source: 'VIRTUAL_ENV', venv: active.venv });
  assert.deepEqual(findInterpreter({ root, env: { PATH: binDir } }), { interpreter: ws.python, source: 'workspace-venv', venv: ws.venv });
  fs.rmSync(path.join(root, '.venv', 'pyvenv.cfg')); // not a venv any more
  assert.deepEqual(findInterpreter({ root, env: { PATH: binDir } }), { interpreter: path.join(binDir, 'python3'), source: 'PATH', venv: null });
  const venv2 = fakeVenv(path.join(root, 'env'));
  assert.equal(findInterpreter({ root, env: { PATH: binDir } })?.interpreter, venv2.python);
  assert.equal(findInterpreter({ root, env: { PATH: '' } })?.source, 'workspace-venv');
  fs.rmSync(path.join(root, 'env'), { recursive: true });
  assert.equal(findInterpreter({ root, env: { PATH: '' } }), null);
});

test('untrusted: site-packages found statically under the venv, .pth entries, PYTHONPATH; nothing is run', async () => {
  const root = tmp();
  const marker = path.join(root, 'ran');
  const v = fakeVenv(path.join(root, '.venv'), { version: '3.11', script: `#!/bin/sh\ntouch ${marker}\n` });
  const editable = path.join(root, 'src');
  fs.mkdirSync(editable);
  fs.writeFileSync(path.join(v.site, '_editable.pth'), `# comment\n${editable}\nimport sys; print("code")\n/does/not/exist\n`);
  const extra = tmp();
  const r = await findSearchRoots({ root, env: { PATH: '', PYTHONPATH: extra }, allowPython: false });
  assert.equal(fs.existsSync(marker), false);
  assert.equal(r.method, 'static');
  assert.equal(r.interpreter, v.python);
  assert.deepEqual(r.roots, [root, extra, v.site, editable]);
  assert.deepEqual(r.sitePackages, [v.site]);
  assert.equal(r.version, '3.11.1');
  assert.ok(r.notes.some(n => n.includes('not run')), r.notes.join('\n'));
  assert.deepEqual(r.errors, []);
});

test('Windows venv layout (Scripts/python.exe, Lib/site-packages)', async () => {
  const root = tmp();
  const v = fakeVenv(path.join(root, 'venv'), { windows: true });
  const r = await findSearchRoots({ root, env: { Path: '' }, allowPython: false, platform: 'win32' });
  assert.equal(r.interpreter, v.python);
  assert.deepEqual(r.roots, [root, v.site]);
});

test('a failing or hanging interpreter falls back to the static search and says why', async () => {
  const root = tmp();
  const v = fakeVenv(path.join(root, '.venv'), { script: '#!/bin/sh\necho boom >&2\nexit 3\n' });
  const r = await findSearchRoots({ root, env: { PATH: '' }, allowPython: true, runWorkspaceInterpreter: true, timeoutMs: 5000 });
  assert.equal(r.method, 'static');
  assert.deepEqual(r.roots, [root, v.site]);
  assert.match(r.errors.join('\n'), /could not run .*boom/);

  const slowRoot = tmp();
  fakeVenv(path.join(slowRoot, '.venv'), { script: '#!/bin/sh\nwhile :; do :; done\n' });
  const t0 = Date.now();
  const s = await findSearchRoots({ root: slowRoot, env: { PATH: '' }, allowPython: true, runWorkspaceInterpreter: true, timeoutMs: 300 });
  assert.ok(Date.now() - t0 < 5000);
  assert.match(s.errors.join('\n'), /timed out after 300 ms/);

  const garbage = tmp();
  fakeVenv(path.join(garbage, '.venv'), { script: '#!/bin/sh\necho not json\n' });
  const g = await findSearchRoots({ root: garbage, env: { PATH: '' }, allowPython: true, runWorkspaceInterpreter: true });
  assert.match(g.errors.join('\n'), /unexpected output/);
});

test('no interpreter at all: the project root only, with an error', async () => {
  const root = tmp();
  const r = await findSearchRoots({ root, env: { PATH: '' }, allowPython: true });
  assert.equal(r.interpreter, null);
  assert.deepEqual(r.roots, [root]);
  assert.match(r.errors.join('\n'), /no Python interpreter found/);
});

test('trusted: sys.path of the real interpreter (Django venv)', async t => {
  if (!PY) return t.skip(NO_DJANGO);
  const root = tmp();
  const r = await findSearchRoots({ root, python: PY, env: { ...process.env, PYTHONPATH: '' }, allowPython: true, timeoutMs: 20000 });
  assert.equal(r.method, 'interpreter', r.errors.join('\n'));
  assert.equal(r.roots[0], root);
  assert.ok(r.sitePackages.some(s => fs.existsSync(path.join(s, 'django', '__init__.py'))), r.roots.join('\n'));
  assert.match(r.version ?? '', /^3\.\d+/);
  // the same venv read statically gives its site-packages too
  const s = await findSearchRoots({ root, python: PY, env: { PATH: '' }, allowPython: false });
  assert.ok(s.sitePackages.some(x => fs.existsSync(path.join(x, 'django', '__init__.py'))), s.roots.join('\n'));
});

test('a pyenv shim on PATH is followed on disk to the version it would run (PYENV_VERSION, .python-version, global)', () => {
  const root = tmp();
  const pyenv = tmp();
  fs.mkdirSync(path.join(pyenv, 'shims'));
  fs.writeFileSync(path.join(pyenv, 'shims', 'python3'), '#!/usr/bin/env bash\nexec pyenv exec "$0" "$@"\n', { mode: 0o755 });
  for (const v of ['3.11.7', '3.12.4']) {
    fs.mkdirSync(path.join(pyenv, 'versions', v, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(pyenv, 'versions', v, 'bin', 'python3'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  }
  fs.writeFileSync(path.join(pyenv, 'version'), '3.11.7\n');
  const env = { PATH: path.join(pyenv, 'shims') };
  assert.equal(findInterpreter({ root, env })?.interpreter, path.join(pyenv, 'versions', '3.11.7', 'bin', 'python3'));
  fs.writeFileSync(path.join(root, '.python-version'), '3.12.4\n');
  assert.equal(findInterpreter({ root, env })?.interpreter, path.join(pyenv, 'versions', '3.12.4', 'bin', 'python3'));
  assert.equal(findInterpreter({ root, env: { ...env, PYENV_VERSION: '3.11.7' } })?.interpreter, path.join(pyenv, 'versions', '3.11.7', 'bin', 'python3'));
  // "system", or a version that is not installed: the shim itself
  assert.equal(findInterpreter({ root, env: { ...env, PYENV_VERSION: 'system' } })?.interpreter, path.join(pyenv, 'shims', 'python3'));
});

test('uv workspace members are import roots (their src folder when they have one); exclude and a bad pyproject.toml are honoured', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-uvws-'));
  try {
    const w = (rel: string, text = '') => { fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true }); fs.writeFileSync(path.join(dir, rel), text); };
    w('pyproject.toml', '[project]\nname = "app"\n\n[tool.uv.workspace]\nmembers = ["packages/*", "tools/cli"]\nexclude = ["packages/skip"]\n');
    w('packages/ak-guardian/guardian/__init__.py');
    w('packages/cache/src/postgres_cache/__init__.py');
    w('packages/skip/skip_pkg/__init__.py');
    w('tools/cli/cli_pkg/__init__.py');
    w('manage.py');
    assert.deepEqual(workspaceMembers(dir).map(p => path.relative(dir, p)).sort(), ['packages/ak-guardian', 'packages/cache/src', 'tools/cli']);
    const r = await findSearchRoots({ root: dir, allowPython: false, env: {} });
    assert.ok(r.roots.includes(path.join(dir, 'packages/cache/src')));
    assert.equal(r.roots[0], dir);
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.uv.workspace\nmembers = [');
    const notes: string[] = [];
    assert.deepEqual(workspaceMembers(dir, notes), []);
    assert.match(notes.join('\n'), /pyproject.toml not read/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the src layout: src/ holding packages is an import root after the project folder (PeeringDB); a src/ of other files is not', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-srclayout-'));
  try {
    const w = (rel: string, text = '') => { fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true }); fs.writeFileSync(path.join(dir, rel), text); };
    w('manage.py');
    w('mainsite/__init__.py');
    w('src/peeringdb_server/__init__.py');
    const r = await findSearchRoots({ root: dir, allowPython: false, env: {} });
    assert.deepEqual(r.roots.slice(0, 2), [dir, path.join(dir, 'src')]);
    assert.match(r.notes.join('\n'), /src layout: peeringdb_server/);
    fs.rmSync(path.join(dir, 'src/peeringdb_server'), { recursive: true });
    w('src/app.js');
    const r2 = await findSearchRoots({ root: dir, allowPython: false, env: {} });
    assert.ok(!r2.roots.includes(path.join(dir, 'src')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
