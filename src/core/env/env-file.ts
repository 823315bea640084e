// The project's env file (`.env` beside manage.py unless configured): read, never executed, by every part that
// needs it — static evaluation of the settings, the Django helper, manage.py tasks — so they all see the same
// environment. The file never chooses the interpreter (python-env.ts reads only the process environment).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Logger } from '../types';

/** The env file a project uses: the configured one (absolute, or relative to the project folder), else `<projectDir>/.env`. */
export function envFileOf(projectDir: string, configured?: string | null): string {
  return configured ? path.resolve(projectDir, configured) : path.join(projectDir, '.env');
}

/**
 * KEY=VALUE pairs of the env file, parsed with dotenv, nothing executed; {} when absent or unreadable. `${NAME}`
 * and `${NAME:-default}` in values are expanded as python-dotenv's `load_dotenv()` expands them (its default,
 * `interpolate=True`): NAME from `processEnv` first, then from the file's lines above, else the default or "";
 * `$NAME` without braces is kept as written (docs/env-files: Plane's `DATABASE_URL=postgresql://${POSTGRES_USER}…`).
 */
export function readEnvFile(file: string | null | undefined, logger?: Pick<Logger, 'warn'>, processEnv: Record<string, string | undefined> = process.env): Record<string, string> {
  if (!file) return {};
  try {
    return expandEnvValues(parseEnvText(fs.readFileSync(file)), processEnv);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') logger?.warn(`cannot read env file ${file}: ${(e as Error).message}`);
    return {};
  }
}

/** KEY=VALUE pairs of an env file's text, as dotenv parses them (nothing expanded, nothing executed). */
export function parseEnvText(text: string | Buffer): Record<string, string> {
  // required lazily: the extension host loads this module before any project is scanned
  const dotenv = require('dotenv') as typeof import('dotenv');
  return dotenv.parse(text);
}

/** python-dotenv's `${NAME}` / `${NAME:-default}` (variables.py), in the file's order (see readEnvFile). */
export function expandEnvValues(values: Record<string, string>, processEnv: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = v.replace(/\$\{([^}:]*)(?::-([^}]*))?\}/g, (_m, name: string, dflt: string | undefined) => processEnv[name] ?? out[name] ?? dflt ?? '');
  }
  return out;
}

/**
 * The environment Django sees: the env file's values under the process environment. A variable already set wins,
 * as with python-dotenv's `load_dotenv()` and django-environ's `read_env()` defaults.
 */
export function projectEnvironment(processEnv: Record<string, string | undefined>, envFileValues: Record<string, string>): Record<string, string | undefined> {
  return { ...envFileValues, ...processEnv };
}

/**
 * The environment variables the settings read (name → value, null: unset); a '*' entry: they listed them all (its
 * value: envDigest of the environment then).
 */
export type EnvReads = Record<string, string | null>;

/**
 * The variables set in `env`, names and values, as one digest (the '*' entry of EnvReads: a listing of them all is
 * valid while they are all the same; the snapshot keeps the digest, never the values).
 */
export function envDigest(env: Record<string, string | undefined>): string {
  const h = createHash('sha256');
  for (const n of Object.keys(env).sort()) if (env[n] !== undefined) h.update(`${n}\0${env[n]}\0`);
  return h.digest('hex');
}

/** Through a recording environment, the environment itself: what a listing of every variable reads, unrecorded. */
export const ENV_TARGET = Symbol('the recorded environment');

/**
 * `env` as the settings see it, recording each variable read into `reads` (listing them all: '*'). The index
 * snapshot keeps them (core/scan.ts); the settings name the database variables that were read unset.
 */
export function recordingEnv(env: Record<string, string | undefined>, r: EnvReads): Record<string, string | undefined> {
  return new Proxy(env, {
    get(target, k) {
      // (through every layer: the settings record their reads over the Scanner's recording)
      if (k === ENV_TARGET) return (target as Record<symbol, unknown>)[ENV_TARGET] ?? target;
      if (typeof k === 'string') r[k] = target[k] ?? null;
      return target[k as string];
    },
    has(target, k) {
      if (typeof k === 'string') r[k] = target[k] ?? null;
      return k in target;
    },
    ownKeys(target) {
      // (what depends on the whole list is valid while the same variables are set: scan.ts sameEnvReads)
      r['*'] = envDigest((target as Record<symbol, Record<string, string | undefined> | undefined>)[ENV_TARGET] ?? target);
      return Reflect.ownKeys(target);
    },
  });
}
