// The names of the files a project's containers and CI are configured in (Compose files, GitHub workflows,
// .gitlab-ci.yml), which the settings may be read with (./index.ts envFromDeployFiles), and of env files
// (../env/env-candidates.ts). Apart, with nothing else imported, for the extension's file watcher.
import * as path from 'path';

/** Whether `file` is one envFromDeployFiles reads: a Compose file, a GitHub workflow, `.gitlab-ci.yml`, CircleCI's config. */
export function isDeployFile(file: string): boolean {
  const base = path.basename(file);
  return isComposeFile(base) || base === '.gitlab-ci.yml'
    || (/\.ya?ml$/.test(base) && path.basename(path.dirname(file)) === 'workflows' && path.basename(path.dirname(path.dirname(file))) === '.github')
    || (base === 'config.yml' && path.basename(path.dirname(file)) === '.circleci');
}

/** A Docker Compose file's name (`docker-compose.yml`, `compose.prod.yaml`). */
export function isComposeFile(name: string): boolean {
  return /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/.test(name);
}

/** A Dockerfile's name (`Dockerfile`, `Dockerfile.dev`, `Dockerfile-prod`, `Containerfile`, `web.Dockerfile`): ./index.ts reads its `ENV`s. */
export function isDockerfile(name: string): boolean {
  return /^(Dockerfile|Containerfile)([.\-_][\w.\-]+)?$/.test(name) || /^[\w.\-]+\.(Dockerfile|dockerfile|Containerfile)$/.test(name);
}

/**
 * Whether a file's name is one of an env file: `.env`, `.env.local`, `.env-ci`, `.env_dev`, `dev.env`, `env.example`
 * (not `.envrc`, a shell script, nor code or data files named like them: `.env.py`, `env.json`).
 */
export function looksLikeEnvFile(name: string): boolean {
  if (NOT_ENV.test(name)) return false;
  return /^\.env([.\-_][\w.\-]+)?$/.test(name) || /^[\w.\-]+\.env$/.test(name) || /^env\.(example|sample|template|dist|local|dev|development)$/i.test(name);
}

/** (code, data, documents; nor encrypted ones: .env.gpg, .env.vault) */
const NOT_ENV = /\.(py|pyc|js|cjs|mjs|ts|json|ya?ml|toml|sh|bash|ps1|md|rst|txt|cfg|ini|lock|bak|swp|orig|gpg|asc|enc|age|vault|mk)$/i;

/**
 * A file whose edits may change what the settings read: an env file's name, or any file of a `.envs` folder
 * (cookiecutter-django's `.envs/.local/.django`, `.envs/.local/.postgres`, which its Compose services read).
 */
export function looksLikeEnvPath(file: string): boolean {
  return looksLikeEnvFile(path.basename(file)) || (inEnvsFolder(file) && !NOT_ENV.test(file));
}

/** In a `.envs` folder (cookiecutter-django's env files). */
export function inEnvsFolder(file: string): boolean {
  return /(^|[\\/])\.envs[\\/]/.test(file);
}

/** A Makefile's name (`Makefile`, `makefile`, `GNUmakefile`): the env files it includes are a project's. */
export function isMakefile(name: string): boolean {
  return /^(GNU)?makefile$/i.test(name);
}
