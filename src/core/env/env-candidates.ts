// The env files a project keeps beside its code (`.env-local`, `.env.example`, `.env.dev`, `dev.env`), and who uses
// each: a Makefile's `include`, a Compose service's `env_file:`. Settings driven by environment variables are the rule
// in real projects (Flagsmith's DATABASE_URL, ANALYTICS_DATABASE_URL and CLICKHOUSE_* in api/.env-local, which its
// Makefile includes); without them the scan shows the configuration without those databases. The "Choose Env File…"
// command and `django-multidb env-files` list them with what each gives; the findings that say a database depends on
// an unset variable name the file that sets it; where DATABASES cannot be read at all, the settings are read with the
// first of them that gives it, whole (never a production one), before the values Compose and CI files set
// (scan.ts loadSettingsOrAsDeployed, settings/index.ts envFromDeployFiles).
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { readDir, readText, statFile } from '../vfs';
import { isDeployFile, isMakefile, looksLikeEnvFile } from '../settings/deploy-files';
import type { SettingsChoice } from '../settings/candidates';
import { parseEnvText } from './env-file';

export { looksLikeEnvFile };

/** Why an env file is offered. */
export type EnvFileSource =
  | { kind: 'in-use' }
  | { kind: 'configured' } // djangoMultiDb.envFile / --env-file
  | { kind: 'makefile'; file: string } // `include .env-local` / `-include .env`
  | { kind: 'compose'; file: string } // a Compose service's `env_file:`
  | { kind: 'found' }; // a dotenv-named file in manage.py's folder or one above it

export interface EnvFileCandidate {
  file: string;
  sources: EnvFileSource[];
  /** the variables it sets, in its order (names only: values may be secrets) */
  variables: string[];
  /** its values as written, `${VAR}` not expanded (never shown; the scan reads the settings with them) */
  values: Record<string, string>;
  /** production-like by its name (`.env.production`, `prod.env`): never read unless chosen */
  production: boolean;
  /** a test or CI file by its name (`.env.test`, `.env.ci`): its settings module comes after pytest's */
  testing?: boolean;
}

/** An env file as the settings read with it give them (Scanner.envFileCandidates): names, never values. */
export interface EnvFileChoice {
  file: string;
  sources: EnvFileSource[];
  variables: string[];
  /** of `variables`, those the settings read */
  settingsVariables: string[];
  /** the settings module read with it (its DJANGO_SETTINGS_MODULE, unless one is configured); null: none known */
  module: string | null;
  reads: SettingsChoice['reads'];
}

/** at most this many env files listed (each is a settings evaluation in the command's list) */
export const ENV_FILES_MAX = 12;
/** larger files are not env files (nor Makefiles, Compose files) a project keeps by hand */
const MAX_BYTES = 256 * 1024;

/**
 * The text of a regular file of at most MAX_BYTES, read through the file layer (its stat is an input of what reads it:
 * an edit makes the index, the snapshot and the output cache read it again); null otherwise. A FIFO or device named
 * like one is never opened: reading it could block.
 */
function smallText(file: string): string | null {
  const st = statFile(file);
  if (!st || st.size > MAX_BYTES) return null;
  try {
    if (!fs.statSync(file).isFile()) return null;
    const text = readText(file);
    return text.includes('\0') ? null : text;
  } catch {
    return null;
  }
}

/** How early a name is listed: the developer's own first, the production ones last (PRODUCTION_RANK). */
const PRODUCTION_RANK = 5;
const TESTING_RANK = 4;
const OTHER_RANK = 3;
const PRODUCTION = /(^|[.\-_])(prod|production|staging|stage|live)([.\-_]|$)/;
/**
 * The rank of a file by its name, else by its folder's (cookiecutter-django's `.envs/.local/.postgres` is the
 * developer's, `.envs/.production/.postgres` a production one): a production folder among the last two makes any
 * file in it a production one.
 */
function nameRank(file: string): number {
  const dirs = path.dirname(file).split(/[\\/]/).slice(-2).map(d => d.toLowerCase());
  if (dirs.some(d => PRODUCTION.test(d))) return PRODUCTION_RANK;
  const n = path.basename(file).toLowerCase();
  const own = rankOfName(n);
  if (own !== OTHER_RANK || n === '.env') return own;
  for (const d of dirs.reverse()) {
    const r = rankOfName(d);
    if (r !== OTHER_RANK) return r;
  }
  return OTHER_RANK;
}
function rankOfName(n: string): number {
  if (n === '.env') return 0;
  if (/(^|[.\-_])(local|dev|develop|development)([.\-_]|$)/.test(n)) return 1;
  if (/(^|[.\-_])(example|sample|template|dist|default|defaults)([.\-_]|$)/.test(n)) return 2;
  if (PRODUCTION.test(n)) return PRODUCTION_RANK;
  if (/(^|[.\-_])(test|tests|testing|ci)([.\-_]|$)/.test(n)) return TESTING_RANK;
  return OTHER_RANK;
}

/** KEY=VALUE pairs of a file read as dotenv does (nothing executed); null when it is not one (unreadable, too big, empty). */
function parseEnv(file: string): Record<string, string> | null {
  const text = smallText(file);
  if (text === null) return null;
  try {
    const values = parseEnvText(text);
    return Object.keys(values).some(k => /^[A-Za-z_]\w*$/.test(k)) ? values : null;
  } catch {
    return null;
  }
}

/** The env files a Makefile includes (`include`, `-include`, `sinclude`; not other makefiles), relative to its folder. */
function makefileIncludes(file: string): string[] {
  const text = smallText(file);
  if (text === null) return [];
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const words = raw.trim().split(/\s+/);
    if (!['include', '-include', 'sinclude'].includes(words[0] ?? '')) continue;
    for (const w of words.slice(1)) {
      if (w.startsWith('#')) break;
      if (!w.includes('$') && looksLikeEnvFile(path.basename(w))) out.push(path.resolve(path.dirname(file), w));
    }
  }
  return out;
}

/** The env files Compose services read (`env_file: .env.dev`, a list, `- path: …`), relative to the Compose file. */
function composeEnvFiles(file: string): string[] {
  const text = smallText(file);
  if (text === null) return [];
  const out: string[] = [];
  const add = (v: unknown) => {
    const p = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { path?: unknown }).path === 'string' ? (v as { path: string }).path : null;
    if (p && !p.includes('$')) out.push(path.resolve(path.dirname(file), p));
  };
  try {
    for (const doc of parseAllDocuments(text)) {
      const services = (doc.toJS({ maxAliasCount: 100 }) as { services?: unknown } | null)?.services;
      if (!services || typeof services !== 'object') continue;
      for (const svc of Object.values(services as Record<string, unknown>)) {
        const ef = svc && typeof svc === 'object' ? (svc as { env_file?: unknown }).env_file : undefined;
        if (Array.isArray(ef)) ef.forEach(add);
        else add(ef);
      }
    }
  } catch {
    /* not YAML this parser reads */
  }
  return out;
}

/**
 * The env files of a project: the one in use and the configured one first, then those a Makefile or a Compose file
 * of `dirs` (manage.py's folder up to the workspace's, nearest first) reads, then the others found there, the
 * developer's own (`.env`, `local`, `dev`) before templates (`example`), tests and production ones. Each file once,
 * with every reason it is offered.
 */
export function envFileCandidates(dirs: string[], inUse: string | null, configured: boolean): EnvFileCandidate[] {
  const out = new Map<string, EnvFileCandidate>();
  const order = new Map<string, number>();
  const add = (file: string, source: EnvFileSource, rank: number): void => {
    const key = path.resolve(file);
    let c = out.get(key);
    if (!c) {
      const values = parseEnv(key);
      if (!values) return;
      const rank = nameRank(key);
      c = { file: key, sources: [], variables: Object.keys(values), values, production: rank === PRODUCTION_RANK, ...(rank === TESTING_RANK ? { testing: true } : {}) };
      out.set(key, c);
    }
    if (!c.sources.some(s => s.kind === source.kind && ('file' in s ? s.file === (source as { file?: string }).file : true))) c.sources.push(source);
    order.set(key, Math.min(order.get(key) ?? Infinity, rank));
  };
  if (inUse) add(inUse, configured ? { kind: 'configured' } : { kind: 'in-use' }, 0);
  if (inUse && configured) out.get(path.resolve(inUse))?.sources.unshift({ kind: 'in-use' });
  dirs.forEach((dir, depth) => {
    // (files and links to them: `.env -> .env.local`; what a link points to is checked when it is read)
    const entries = (readDir(dir) ?? []).filter(e => e.isFile() || e.isSymbolicLink());
    for (const e of entries) {
      const file = path.join(dir, e.name);
      if (isMakefile(e.name)) for (const f of makefileIncludes(file)) add(f, { kind: 'makefile', file }, 100 + depth * 10);
      else if (isDeployFile(file)) for (const f of composeEnvFiles(file)) add(f, { kind: 'compose', file }, 100 + depth * 10 + 1);
    }
    for (const e of entries) if (looksLikeEnvFile(e.name)) add(path.join(dir, e.name), { kind: 'found' }, 1000 + depth * 10 + nameRank(e.name));
  });
  return [...out.values()].sort((a, b) => order.get(a.file)! - order.get(b.file)! || nameRank(a.file) - nameRank(b.file) || a.file.localeCompare(b.file));
}

/** One line: who uses an env file (`Makefile`, `docker-compose.yml`, `found beside manage.py`). */
export function describeEnvSources(sources: EnvFileSource[], root: string): string[] {
  const rel = (f: string) => path.relative(root, f) || f;
  return sources.map(s => {
    switch (s.kind) {
      case 'in-use': return 'in use';
      case 'configured': return 'configured (djangoMultiDb.envFile / --env-file)';
      case 'makefile': return `included by ${rel(s.file)}`;
      case 'compose': return `env_file of ${rel(s.file)}`;
      case 'found': return 'found in the project';
    }
  });
}

/**
 * The first env file of `candidates` (their order) other than `except` that sets one of `variables`, with the ones it
 * sets; null when none does.
 */
export function envFileSetting(candidates: readonly EnvFileCandidate[], variables: readonly string[], except: string | null): { file: string; sets: string[] } | null {
  // (a production file last: the developer's or a template is the one to suggest)
  for (const c of [...candidates.filter(x => !x.production), ...candidates.filter(x => x.production)]) {
    if (except && c.file === path.resolve(except)) continue;
    const sets = variables.filter(v => !!c.values[v]);
    if (sets.length) return { file: c.file, sets };
  }
  return null;
}
