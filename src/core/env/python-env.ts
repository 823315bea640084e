// The project's Python environment: which interpreter, and where its modules live (the search roots the
// ModuleIndex resolves dotted names over).
//
// Interpreter, as docs/scan-json.md says: `--python`, else `$VIRTUAL_ENV`, else a `.venv`/`venv`/`env` folder
// of the workspace (a real venv: it has `pyvenv.cfg`), else `python3` on PATH.
// Search roots: the project root (the folder of manage.py) first, then what the interpreter's `sys.path`
// holds. Reading `pyvenv.cfg`, `lib/pythonX.Y/site-packages` and `.pth` files from disk finds nearly all of it
// and runs nothing: that is all static mode and untrusted workspaces do. Where running is allowed, the
// interpreter is run ONCE with a fixed `-c` snippet, isolated (`-I`: no PYTHON* variables, no user site, no
// script or current directory on sys.path) in a folder outside the project, with execFile (no shell) and a
// timeout. An interpreter that lives inside the project (a committed `.venv/bin/python`, say) is never run
// unless the user chose it (`--python`, the VS Code setting or the Python extension) or trusted the workspace:
// running it would run whatever the repository put there, including `.pth` lines of its site-packages.
// The environment that picks the interpreter is the process's own: a project's `.env` file never does.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { createHash } from 'crypto';

export interface PythonEnvOptions {
  /** project root: the folder of manage.py (first search root) */
  root: string;
  /** workspace folder to look for `.venv`/`venv`/`env` in (default: `root`; both are searched) */
  workspaceRoot?: string;
  /** `--python`: an interpreter path (relative to the workspace) or a command name on PATH */
  python?: string | null;
  /** process environment (VIRTUAL_ENV, PATH, PYTHONPATH, HOME); default: process.env */
  env?: Record<string, string | undefined>;
  /** may the interpreter be run? (false in static mode and in untrusted workspaces) */
  allowPython?: boolean;
  /**
   * May an interpreter found inside the workspace (a `.venv` of the project, a `python3` on a PATH entry inside
   * it) be run without being named in `python`? Default false (the CLI); VS Code passes true once the user has
   * trusted the workspace.
   */
  runWorkspaceInterpreter?: boolean;
  /** default 10 s */
  timeoutMs?: number;
  /** for tests: the platform to assume (default: process.platform) */
  platform?: NodeJS.Platform;
  /**
   * Folder for a small cache of the interpreter's answer. It is reused while the interpreter file, PYTHONPATH
   * and every directory of the answer are unchanged (installing a package or a .pth file changes the
   * site-packages mtime), so a repeated CLI run does not start Python at all.
   */
  cacheDir?: string | null;
}

export type InterpreterSource = 'option' | 'VIRTUAL_ENV' | 'workspace-venv' | 'PATH';

export interface PythonEnvResult {
  /** absolute path of the interpreter used (or that would be used), null when none was found */
  interpreter: string | null;
  source: InterpreterSource | null;
  /** the virtual environment folder (has pyvenv.cfg), when the interpreter belongs to one */
  venv: string | null;
  /** ordered module search roots: the project root, then the environment's sys.path entries */
  roots: string[];
  /** the site-packages / dist-packages folders among `roots` */
  sitePackages: string[];
  /** `sys.version` when the interpreter was run, else the venv's pyvenv.cfg version, else null */
  version: string | null;
  /** how the roots were found */
  method: 'interpreter' | 'static';
  /** human-readable notes: which interpreter and why, why it was not run, … */
  notes: string[];
  /** what went wrong (interpreter failed, timed out, no site-packages found) */
  errors: string[];
}

/**
 * The fixed snippet; nothing else is ever run. Under `-I` the user site is left out of sys.path, so the snippet
 * says where it is when the interpreter is not a venv (Python adds it only then) and the caller adds it back.
 */
export const SYS_PATH_SNIPPET =
  'import sys, json, site; v = sys.prefix != sys.base_prefix; print(json.dumps({"path": sys.path, "version": sys.version, "prefix": sys.prefix, "executable": sys.executable, "usersite": None if v else site.getusersitepackages()}))';

/** The arguments the interpreter is run with: isolated mode, then the snippet. */
export const SYS_PATH_ARGS = ['-I', '-c', SYS_PATH_SNIPPET];

const VENV_DIR_NAMES = ['.venv', 'venv', 'env'];

export async function findSearchRoots(opts: PythonEnvOptions): Promise<PythonEnvResult> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const root = path.resolve(opts.root);
  const notes: string[] = [];
  const errors: string[] = [];
  const sep = platform === 'win32' ? ';' : ':';
  // PYTHONPATH entries come right after the script directory in sys.path; `-I` ignores the variable, so they
  // are added here in both cases
  const pythonPath = (env['PYTHONPATH'] ?? '').split(sep).filter(p => p && isDir(path.resolve(root, p))).map(p => path.resolve(root, p));

  const found = findInterpreter({ ...opts, env, platform }, notes);
  const result: PythonEnvResult = {
    interpreter: found?.interpreter ?? null,
    source: found?.source ?? null,
    venv: found?.venv ?? null,
    roots: [root, ...packageParent(root)],
    sitePackages: [],
    version: null,
    method: 'static',
    notes,
    errors,
  };

  const inside = found ? insideWorkspace(found, [root, path.resolve(opts.workspaceRoot ?? root)]) : false;
  const mayRun = !!found && !!opts.allowPython && (!inside || found.source === 'option' || !!opts.runWorkspaceInterpreter);
  if (found && opts.allowPython && !mayRun) {
    notes.push(`${found.interpreter} lives inside the project: it is not run unless chosen explicitly (--python, or the djangoMultiDb.pythonPath setting in a trusted workspace); site-packages found statically`);
  }
  if (found && mayRun) {
    // kept in this process too: the extension's scan worker has no cache folder, and without it every re-index
    // (each typed edit in Django mode) started the interpreter again (0.1–0.2 s)
    const memoryKey = `${found.interpreter}\0${root}`;
    const cacheFile = opts.cacheDir ? path.join(opts.cacheDir, `syspath-${createHash('sha1').update(memoryKey).digest('hex').slice(0, 16)}.json`) : null;
    const cached = validSysPath(inMemory.get(memoryKey), found.interpreter, env) ?? readSysPathCache(cacheFile, found.interpreter, env, memoryKey);
    const ran = cached ?? await runInterpreter(found.interpreter, root, env, opts.timeoutMs ?? 10_000);
    if (ran.ok && !cached) writeSysPathCache(cacheFile, memoryKey, found.interpreter, env, root, ran);
    if (ran.ok) {
      result.method = 'interpreter';
      result.version = ran.version;
      for (const p of pythonPath) addRoot(result.roots, p);
      for (const m of workspaceMembers(root, notes)) addRoot(result.roots, m);
      for (const s of srcLayout(root, notes)) addRoot(result.roots, s);
      for (const s of installableSources(path.resolve(opts.workspaceRoot ?? root), notes)) addRoot(result.roots, s);
      let userSiteAdded = !ran.userSite || !isDir(ran.userSite);
      for (const entry of ran.path) {
        // isolated mode puts no '' (current directory) entry in; an old cache may hold one
        if (!entry) continue;
        const abs = path.resolve(root, entry);
        if (!isDir(abs)) continue; // zip files and missing entries cannot be read statically
        // Python puts the user site before the system site-packages
        if (!userSiteAdded && isSitePackages(abs)) {
          addRoot(result.roots, ran.userSite!);
          userSiteAdded = true;
        }
        addRoot(result.roots, abs);
      }
      if (!userSiteAdded) addRoot(result.roots, ran.userSite!);
      result.sitePackages = result.roots.filter(isSitePackages);
      notes.push(cached ? `sys.path of ${found.interpreter} reused from the cache (interpreter and its directories unchanged)` : `sys.path read from ${found.interpreter}`);
      return result;
    }
    errors.push(`could not run ${found.interpreter}: ${ran.error}; looking for site-packages statically`);
  } else if (found && !opts.allowPython) {
    notes.push('the Python interpreter is not run (static mode, untrusted workspace or not allowed); site-packages found statically');
  }

  // Static: what sys.path would hold, read from disk
  for (const p of pythonPath) addRoot(result.roots, p);
  for (const m of workspaceMembers(root, notes)) addRoot(result.roots, m);
  for (const s of srcLayout(root, notes)) addRoot(result.roots, s);
  for (const s of installableSources(path.resolve(opts.workspaceRoot ?? root), notes)) addRoot(result.roots, s);
  const sites = found ? staticSitePackages(found, platform, env, notes) : [];
  for (const s of sites) {
    addRoot(result.roots, s);
    for (const extra of pthEntries(s)) addRoot(result.roots, extra);
  }
  result.sitePackages = sites;
  if (found?.venv) result.version = readPyvenvCfg(found.venv)['version'] ?? readPyvenvCfg(found.venv)['version_info'] ?? null;
  // no pyvenv.cfg: the `lib/pythonX.Y/site-packages` layout still says which Python it is
  if (!result.version) result.version = sites.map(s => majorMinor(path.basename(path.dirname(s)).replace(/^python/, ''))).find(v => v) ?? null;
  if (!found) errors.push('no Python interpreter found (--python, VIRTUAL_ENV, a .venv/venv/env folder, python3 on PATH)');
  else if (!sites.length) errors.push(`no site-packages folder found for ${found.interpreter}; apps outside the workspace cannot be read`);
  return result;
}

/**
 * A manage.py inside a package (Baserow's backend/src/baserow/manage.py beside its __init__.py): the project runs
 * with that package installed (pip install -e), so the folder above the outermost package is on sys.path too.
 */
function packageParent(dir: string): string[] {
  if (!isFile(path.join(dir, '__init__.py'))) return [];
  let d = dir;
  for (let guard = 0; guard < 10 && isFile(path.join(d, '__init__.py')); guard++) d = path.dirname(d);
  return d !== dir ? [d] : [];
}

export interface FoundInterpreter {
  interpreter: string;
  source: InterpreterSource;
  venv: string | null;
}

/** Pick the interpreter following the documented order. Does not run anything. */
export function findInterpreter(
  opts: Pick<PythonEnvOptions, 'root' | 'workspaceRoot' | 'python' | 'env' | 'platform'>,
  notes: string[] = [],
): FoundInterpreter | null {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const root = path.resolve(opts.root);
  const ws = path.resolve(opts.workspaceRoot ?? opts.root);

  if (opts.python) {
    const p = opts.python;
    let abs: string | null = null;
    if (path.isAbsolute(p) || p.includes('/') || p.includes('\\')) {
      abs = path.resolve(ws, p);
      if (!fs.existsSync(abs)) abs = null;
    } else {
      abs = whichOnPath(p, env, platform);
    }
    if (abs) {
      notes.push(`interpreter from --python: ${abs}`);
      return { interpreter: abs, source: 'option', venv: venvOfInterpreter(abs) };
    }
    notes.push(`--python ${p} not found; falling back`);
  }

  const ve = env['VIRTUAL_ENV'];
  if (ve) {
    const py = venvPython(ve, platform);
    if (py) {
      notes.push(`interpreter from VIRTUAL_ENV: ${py}`);
      return { interpreter: py, source: 'VIRTUAL_ENV', venv: path.resolve(ve) };
    }
    notes.push(`VIRTUAL_ENV=${ve} has no python; ignored`);
  }

  for (const dir of ws === root ? [root] : [root, ws]) {
    for (const name of VENV_DIR_NAMES) {
      const venv = path.join(dir, name);
      if (!isFile(path.join(venv, 'pyvenv.cfg'))) continue;
      const py = venvPython(venv, platform);
      if (py) {
        notes.push(`interpreter from the workspace virtual environment: ${py}`);
        return { interpreter: py, source: 'workspace-venv', venv };
      }
    }
  }

  const names = platform === 'win32' ? ['python3', 'python', 'py'] : ['python3'];
  for (const n of names) {
    const abs = whichOnPath(n, env, platform);
    if (abs) {
      // a pyenv shim is a shell script that picks a version: follow it on disk, as `pyenv which` would
      const shim = pyenvShimTarget(abs, n, ws, env);
      if (shim) {
        notes.push(`interpreter from PATH: ${abs}, the pyenv shim of ${shim}`);
        return { interpreter: shim, source: 'PATH', venv: venvOfInterpreter(shim) };
      }
      notes.push(`interpreter from PATH: ${abs}`);
      return { interpreter: abs, source: 'PATH', venv: venvOfInterpreter(abs) };
    }
  }
  return null;
}

/**
 * The interpreter a pyenv shim (`$PYENV_ROOT/shims/<name>`) runs, read from disk: the version from
 * PYENV_VERSION, else the nearest `.python-version` from the project up, else `$PYENV_ROOT/version`; the first
 * version listed that is installed. Null when `shim` is not a pyenv shim or nothing resolves ("system").
 */
export function pyenvShimTarget(shim: string, name: string, projectDir: string, env: Record<string, string | undefined>): string | null {
  const shimsDir = path.dirname(shim);
  if (path.basename(shimsDir) !== 'shims') return null;
  const pyenvRoot = path.dirname(shimsDir);
  if (!isDir(path.join(pyenvRoot, 'versions'))) return null;
  const firstLine = (f: string): string | null => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return null;
    }
  };
  let spec = env['PYENV_VERSION'] ?? null;
  for (let dir = path.resolve(projectDir); !spec; dir = path.dirname(dir)) {
    spec = firstLine(path.join(dir, '.python-version'));
    if (path.dirname(dir) === dir) break;
  }
  spec = spec ?? firstLine(path.join(pyenvRoot, 'version'));
  if (!spec) return null;
  for (const v of spec.split(/[\s:]+/).map(x => x.trim()).filter(x => x && !x.startsWith('#'))) {
    if (v === 'system') return null;
    const candidate = path.join(pyenvRoot, 'versions', v, 'bin', name);
    if (isFile(candidate)) return candidate;
  }
  return null;
}

/** `<venv>/bin/python` (or `Scripts\python.exe`), whichever exists. */
export function venvPython(venv: string, platform: NodeJS.Platform = process.platform): string | null {
  const candidates = platform === 'win32'
    ? [path.join(venv, 'Scripts', 'python.exe'), path.join(venv, 'bin', 'python.exe'), path.join(venv, 'bin', 'python')]
    : [path.join(venv, 'bin', 'python'), path.join(venv, 'bin', 'python3'), path.join(venv, 'Scripts', 'python.exe')];
  for (const c of candidates) if (fs.existsSync(c)) return path.resolve(c);
  return null;
}

/**
 * Does the interpreter (as found, symlinks not followed: a venv's `bin/python` links to a system Python, but its
 * site-packages and `.pth` files are the venv's) or its venv lie inside one of the folders?
 */
export function insideWorkspace(found: FoundInterpreter, folders: string[]): boolean {
  const within = (p: string, dir: string) => {
    const rel = path.relative(dir, p);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  const paths = [path.resolve(found.interpreter), ...(found.venv ? [path.resolve(found.venv)] : [])];
  return folders.some(dir => paths.some(p => within(p, path.resolve(dir))));
}

/** The venv an interpreter lives in: `<venv>/bin/python` with `<venv>/pyvenv.cfg`. */
function venvOfInterpreter(py: string): string | null {
  const venv = path.dirname(path.dirname(py));
  return isFile(path.join(venv, 'pyvenv.cfg')) ? venv : null;
}

function whichOnPath(name: string, env: Record<string, string | undefined>, platform: NodeJS.Platform): string | null {
  const sep = platform === 'win32' ? ';' : ':';
  const exts = platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  const PATH = env['PATH'] ?? env['Path'] ?? '';
  for (const dir of PATH.split(sep)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = path.join(dir, name + ext);
      if (isFile(p)) return p;
    }
  }
  return null;
}

type RunResult = { ok: true; path: string[]; version: string | null; userSite: string | null } | { ok: false; error: string };

// `cwd` is the project folder only for resolving relative entries of an old cached answer; the interpreter runs
// in the temporary folder, so nothing of the project (a `json.py` beside manage.py) can shadow the stdlib.
function runInterpreter(py: string, _cwd: string, env: Record<string, string | undefined>, timeoutMs: number): Promise<RunResult> {
  return new Promise(resolve => {
    let child;
    try {
      child = execFile(
        py,
        SYS_PATH_ARGS,
        { cwd: os.tmpdir(), env: env as NodeJS.ProcessEnv, timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 4 * 1024 * 1024, shell: false },
        (err, stdout, stderr) => {
          if (err) {
            const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
            const why = e.killed || e.signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : (String(stderr).trim().split('\n').pop() || e.message);
            resolve({ ok: false, error: why });
            return;
          }
          try {
            // the last line is ours; a sitecustomize may print before it
            const lines = String(stdout).trim().split('\n');
            const data = JSON.parse(lines[lines.length - 1] ?? '') as { path?: unknown; version?: unknown; usersite?: unknown };
            if (!Array.isArray(data.path)) throw new Error('no sys.path in output');
            resolve({
              ok: true, path: data.path.filter((x): x is string => typeof x === 'string'), version: typeof data.version === 'string' ? data.version : null,
              userSite: typeof data.usersite === 'string' ? data.usersite : null,
            });
          } catch (e2) {
            resolve({ ok: false, error: `unexpected output (${(e2 as Error).message})` });
          }
        },
      );
    } catch (e) {
      resolve({ ok: false, error: (e as Error).message });
      return;
    }
    child.on('error', e => resolve({ ok: false, error: e.message }));
  });
}

/** site-packages folders of an environment, found without running it. */
function staticSitePackages(found: FoundInterpreter, platform: NodeJS.Platform, env: Record<string, string | undefined>, notes: string[]): string[] {
  const out: string[] = [];
  if (found.venv) {
    const cfg = readPyvenvCfg(found.venv);
    const ver = majorMinor(cfg['version_info'] ?? cfg['version']);
    out.push(...sitePackagesUnder(found.venv, ver));
    if ((cfg['include-system-site-packages'] ?? '').toLowerCase() === 'true' && cfg['home']) {
      // `home` is the folder of the base interpreter (…/bin); its prefix is one level up
      const prefix = platform === 'win32' ? cfg['home'] : path.dirname(cfg['home']);
      out.push(...sitePackagesUnder(prefix, ver));
    }
    if (!out.length) notes.push(`no lib/python3.*/site-packages under ${found.venv}`);
  } else {
    let real = found.interpreter;
    try {
      real = fs.realpathSync(found.interpreter);
    } catch {
      /* keep the given path */
    }
    const prefix = platform === 'win32' ? path.dirname(real) : path.dirname(path.dirname(real));
    const ver = majorMinor(path.basename(real).replace(/^python/, ''));
    out.push(...sitePackagesUnder(prefix, ver));
    if (platform !== 'win32') {
      // Debian/Ubuntu system Pythons keep packages in dist-packages
      for (const p of ['/usr/local/lib', '/usr/lib']) {
        for (const d of listDir(p)) {
          if (/^python3(\.\d+)?$/.test(d) && (!ver || d === 'python3' || d === `python${ver}`)) {
            const dp = path.join(p, d, 'dist-packages');
            if (isDir(dp)) out.push(dp);
          }
        }
      }
      const home = env['HOME'];
      if (home && ver) {
        const user = path.join(home, '.local', 'lib', `python${ver}`, 'site-packages');
        if (isDir(user)) out.push(user);
      }
    }
  }
  return [...new Set(out)];
}

function sitePackagesUnder(prefix: string, ver: string | null): string[] {
  const out: string[] = [];
  for (const lib of ['lib', 'lib64']) {
    const dirs = listDir(path.join(prefix, lib)).filter(d => /^python3\.\d+t?$/.test(d));
    // the venv's own version first, then the others (a venv normally has exactly one)
    dirs.sort((a, b) => Number(b === `python${ver}`) - Number(a === `python${ver}`) || a.localeCompare(b));
    for (const d of dirs) {
      const sp = path.join(prefix, lib, d, 'site-packages');
      if (isDir(sp)) out.push(sp);
    }
  }
  const win = path.join(prefix, 'Lib', 'site-packages');
  if (isDir(win)) out.push(win);
  // lib64 is often a symlink to lib
  const seen = new Set<string>();
  return out.filter(p => {
    let real = p;
    try {
      real = fs.realpathSync(p);
    } catch {
      /* keep */
    }
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

/**
 * Directories that `.pth` files in a site-packages folder add to sys.path (editable installs, for one).
 * Lines starting with `import` are code: never run, skipped.
 */
function pthEntries(site: string): string[] {
  const out: string[] = [];
  for (const f of listDir(site).filter(n => n.endsWith('.pth')).sort()) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(site, f), 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line || line.startsWith('#') || line.startsWith('import ') || line.startsWith('import\t')) continue;
      const abs = path.resolve(site, line);
      if (isDir(abs)) out.push(abs);
    }
  }
  return out;
}

function readPyvenvCfg(venv: string): Record<string, string> {
  const out: Record<string, string> = {};
  let text = '';
  try {
    text = fs.readFileSync(path.join(venv, 'pyvenv.cfg'), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function majorMinor(v: string | undefined): string | null {
  if (!v) return null;
  const parts = v.split('.');
  if (parts.length >= 2 && /^\d+$/.test(parts[0]!) && /^\d+/.test(parts[1]!)) return `${parts[0]}.${parseInt(parts[1]!, 10)}`;
  return null;
}

function isSitePackages(p: string): boolean {
  const b = path.basename(p);
  return b === 'site-packages' || b === 'dist-packages';
}

/**
 * The import roots of the project's uv workspace members (`[tool.uv.workspace] members` in pyproject.toml, globs
 * allowed, `exclude` honoured): each member's `src` folder when it has one, else the member itself. uv installs them
 * into the project's environment as editable packages; another environment (or none) does not hold them.
 */
export function workspaceMembers(root: string, notes: string[] = []): string[] {
  const file = path.join(root, 'pyproject.toml');
  let data: unknown;
  try {
    data = parseToml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') notes.push(`pyproject.toml not read: ${(e as Error).message.split('\n')[0]}`);
    return [];
  }
  const ws = (data as { tool?: { uv?: { workspace?: { members?: unknown; exclude?: unknown } } } }).tool?.uv?.workspace;
  const list = (x: unknown): string[] => (Array.isArray(x) ? x.filter((m): m is string => typeof m === 'string') : []);
  const members = list(ws?.members);
  if (!members.length) return [];
  const excluded = new Set(list(ws?.exclude).flatMap(g => expandGlob(root, g)));
  const out: string[] = [];
  for (const dir of members.flatMap(g => expandGlob(root, g))) {
    if (excluded.has(dir) || dir === root || !isDir(dir)) continue;
    const src = path.join(dir, 'src');
    out.push(isDir(src) ? src : dir);
  }
  if (out.length) notes.push(`uv workspace members: ${out.map(d => path.relative(root, d)).join(', ')}`);
  return out;
}

/**
 * The src layout (`src/<package>/__init__.py` beside manage.py, PeeringDB's `src/peeringdb_server`): the project's
 * packages live in `src`, which an editable install or the deployment puts on the import path. Searched after the
 * project folder, so a package there wins.
 */
export function srcLayout(root: string, notes: string[] = []): string[] {
  const src = path.join(root, 'src');
  if (!isDir(src)) return [];
  const packages = listDir(src).filter(n => /^[A-Za-z_]\w*$/.test(n) && fs.existsSync(path.join(src, n, '__init__.py')));
  if (!packages.length) return [];
  notes.push(`src layout: ${packages.slice(0, 5).join(', ')}${packages.length > 5 ? ', …' : ''} in src/ are importable, as once installed or deployed`);
  return [src];
}

/**
 * The `src/` folders of the workspace's installable projects (a pyproject.toml, setup.py or setup.cfg beside a src/
 * holding a Django app: Baserow's backend/src, premium/backend/src and enterprise/backend/src), four levels down at
 * most: a monorepo's packages are importable where the project runs (installed together).
 */
const installable = new Map<string, { mtimeMs: number; out: string[] }>();

export function installableSources(workspaceRoot: string, notes: string[] = []): string[] {
  // asked on every index (each typed edit in the extension): kept while the workspace folder's listing is unchanged
  let mtimeMs = -1;
  try {
    mtimeMs = fs.statSync(workspaceRoot).mtimeMs;
  } catch {
    return [];
  }
  const kept = installable.get(workspaceRoot);
  const found = kept && kept.mtimeMs === mtimeMs ? kept.out : findInstallableSources(workspaceRoot);
  if (!kept || kept.out !== found) installable.set(workspaceRoot, { mtimeMs, out: found });
  if (found.length > 1) notes.push(`installable packages of the workspace importable (${found.map(s => path.relative(workspaceRoot, s) || '.').join(', ')}), as installed together`);
  return found.length > 1 ? found : [];
}

function findInstallableSources(workspaceRoot: string): string[] {
  const out: string[] = [];
  const skip = new Set(['node_modules', '.git', '__pycache__', 'site-packages', '.venv', 'venv', 'env', '.tox', 'build', 'dist', 'docs', 'web-frontend']);
  const walk = (dir: string, depth: number): void => {
    if (depth > 4) return;
    const names = listDir(dir);
    if (names.includes('src') && (names.includes('pyproject.toml') || names.includes('setup.py') || names.includes('setup.cfg'))) {
      const src = path.join(dir, 'src');
      const apps = listDir(src).filter(n => /^[A-Za-z_]\w*$/.test(n) && isFile(path.join(src, n, '__init__.py')) &&
        (isFile(path.join(src, n, 'apps.py')) || isFile(path.join(src, n, 'models.py')) || isDir(path.join(src, n, 'migrations')) ||
          listDir(path.join(src, n)).some(m => isFile(path.join(src, n, m, 'apps.py')))));
      if (apps.length) out.push(src);
    }
    // (a Python package holds no installable project: not walked, which keeps this to a few folders)
    for (const n of names) if (!n.startsWith('.') && !skip.has(n) && n !== 'src' && isDir(path.join(dir, n)) && !isFile(path.join(dir, n, '__init__.py'))) walk(path.join(dir, n), depth + 1);
  };
  walk(workspaceRoot, 0);
  return out;
}

/** Folders matching a relative glob of `*` and `?` segments (uv's member patterns), below `root`. */
function expandGlob(root: string, glob: string): string[] {
  let dirs = [root];
  for (const seg of glob.split('/').filter(x => x && x !== '.')) {
    if (!/[*?[]/.test(seg)) { dirs = dirs.map(d => path.join(d, seg)); continue; }
    const re = new RegExp(`^${seg.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    dirs = dirs.flatMap(d => listDir(d).filter(n => re.test(n) && !n.startsWith('.')).map(n => path.join(d, n)));
  }
  return dirs.map(d => path.resolve(d));
}

function addRoot(roots: string[], p: string): void {
  const abs = path.resolve(p);
  if (!roots.includes(abs)) roots.push(abs);
}

function listDir(p: string): string[] {
  try {
    return fs.readdirSync(p);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The interpreter's answer, kept between runs

interface SysPathCache {
  version: 2;
  interpreter: string;
  interpreterMtimeMs: number;
  pythonPath: string;
  /** every existing directory of sys.path with its mtime when the answer was read */
  dirs: [string, number][];
  path: string[];
  pyVersion: string | null;
  userSite: string | null;
}

function mtimeOf(p: string): number | null {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return null;
  }
}

/** the last answer per interpreter and project folder in this process (valid under the same checks as the file) */
const inMemory = new Map<string, SysPathCache>();

/** The cached answer while the interpreter, PYTHONPATH and every directory of sys.path are unchanged. */
function validSysPath(c: SysPathCache | undefined, interpreter: string, env: Record<string, string | undefined>): RunResult | null {
  if (!c || c.version !== 2 || c.interpreter !== interpreter || c.pythonPath !== (env.PYTHONPATH ?? '')) return null;
  if (mtimeOf(interpreter) !== c.interpreterMtimeMs) return null;
  for (const [dir, mtime] of c.dirs) if (mtimeOf(dir) !== mtime) return null;
  return { ok: true, path: c.path, version: c.pyVersion, userSite: c.userSite };
}

function readSysPathCache(file: string | null, interpreter: string, env: Record<string, string | undefined>, memoryKey: string): RunResult | null {
  if (!file) return null;
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as SysPathCache;
    const valid = validSysPath(c, interpreter, env);
    if (valid) inMemory.set(memoryKey, c);
    return valid;
  } catch {
    return null;
  }
}

function writeSysPathCache(file: string | null, memoryKey: string, interpreter: string, env: Record<string, string | undefined>, root: string, ran: RunResult & { ok: true }): void {
  try {
    const dirs: [string, number][] = [];
    for (const entry of ran.path) {
      // '' is the project folder itself (the script directory): its own files are not what sys.path depends on
      if (!entry) continue;
      const abs = path.resolve(root, entry);
      const m = mtimeOf(abs);
      if (m !== null) dirs.push([abs, m]);
    }
    const data: SysPathCache = {
      version: 2, interpreter, interpreterMtimeMs: mtimeOf(interpreter) ?? -1, pythonPath: env.PYTHONPATH ?? '', dirs, path: ran.path, pyVersion: ran.version,
      userSite: ran.userSite,
    };
    inMemory.set(memoryKey, data);
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, file);
  } catch { /* a cache only */ }
}
