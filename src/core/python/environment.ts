// What settings may ask about the Python environment in use, read from disk (static mode runs no process):
// the interpreter's version (pyvenv.cfg or the `lib/pythonX.Y` layout of its site-packages), the platform,
// and the installed distributions' `*.dist-info` (`METADATA` for versions, `entry_points.txt` for
// `importlib.metadata.entry_points`). Nothing here guesses: what is not on disk is reported as not known.
import * as fs from 'fs';
import * as path from 'path';

/** The environment the evaluator answers `sys.version_info`, `importlib.metadata…` from. */
export interface PythonFacts {
  /** `sys.version` or pyvenv.cfg's version ("3.12.1"), when known */
  version: string | null;
  /** site-packages folders of the environment; empty when no environment was found */
  sitePackages: string[];
}

export interface PyVersion {
  major: number;
  minor: number;
  /** null when only "X.Y" is known (from a `lib/pythonX.Y` folder) */
  micro: number | null;
  /** the full `sys.version` text when known */
  text: string | null;
}

/** The version from the facts: the version string first, else the `lib/pythonX.Y` folder of site-packages. */
export function pythonVersion(facts: PythonFacts | undefined): PyVersion | null {
  if (!facts) return null;
  const m = facts.version ? /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(facts.version.trim()) : null;
  if (m) return { major: Number(m[1]), minor: Number(m[2]), micro: m[3] !== undefined ? Number(m[3]) : null, text: m[3] !== undefined ? facts.version!.trim() : null };
  for (const sp of facts.sitePackages) {
    const l = /[\\/]lib[\\/]python(\d+)\.(\d+)t?[\\/]/.exec(sp.replace(/\\/g, '/') + '/');
    if (l) return { major: Number(l[1]), minor: Number(l[2]), micro: null, text: null };
  }
  return null;
}

/** `sys.platform` of an interpreter on this machine. */
export function sysPlatform(): string {
  return process.platform === 'win32' ? 'win32' : process.platform === 'darwin' ? 'darwin' : process.platform === 'linux' ? 'linux' : process.platform;
}

export interface Distribution {
  /** the name as METADATA spells it */
  name: string;
  version: string | null;
  dir: string;
}

export interface EntryPoint { name: string; group: string; value: string }

/** PEP 503 normalisation, as importlib.metadata compares distribution names. */
export function normalizeDistName(n: string): string {
  return n.toLowerCase().replace(/[-_.]+/g, '-');
}

const distCache = new Map<string, Distribution[]>();

/** The `*.dist-info` folders of the environment (first site-packages wins for a name, like sys.path). */
export function distributions(facts: PythonFacts): Distribution[] {
  const key = facts.sitePackages.join('\n');
  const hit = distCache.get(key);
  if (hit) return hit;
  const out: Distribution[] = [];
  const seen = new Set<string>();
  for (const sp of facts.sitePackages) {
    let names: string[];
    try {
      names = fs.readdirSync(sp);
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      if (!n.endsWith('.dist-info')) continue;
      const dir = path.join(sp, n);
      const meta = readText(path.join(dir, 'METADATA'));
      const name = (meta && /^Name:\s*(.+)$/m.exec(meta)?.[1]?.trim()) || n.replace(/-[^-]*\.dist-info$/, '');
      const norm = normalizeDistName(name);
      if (seen.has(norm)) continue;
      seen.add(norm);
      out.push({ name, version: (meta && /^Version:\s*(.+)$/m.exec(meta)?.[1]?.trim()) || null, dir });
    }
  }
  distCache.set(key, out);
  return out;
}

export function findDistribution(facts: PythonFacts, name: string): Distribution | null {
  const norm = normalizeDistName(name);
  return distributions(facts).find(d => normalizeDistName(d.name) === norm) ?? null;
}

/** Entry points of every distribution (or of one group), in the order importlib.metadata lists them. */
export function entryPoints(facts: PythonFacts, group?: string): EntryPoint[] {
  const out: EntryPoint[] = [];
  for (const d of distributions(facts)) {
    const text = readText(path.join(d.dir, 'entry_points.txt'));
    if (!text) continue;
    let current: string | null = null;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line || line.startsWith('#') || line.startsWith(';')) continue;
      const sec = /^\[(.+)\]$/.exec(line);
      if (sec) { current = sec[1]!.trim(); continue; }
      const eq = line.indexOf('=');
      if (current === null || eq < 0 || (group !== undefined && current !== group)) continue;
      out.push({ group: current, name: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
    }
  }
  return out;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
