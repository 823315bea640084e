// The names of the files a project's containers and CI are configured in (Compose files, GitHub workflows,
// .gitlab-ci.yml), which the settings may be read with (./index.ts envFromDeployFiles). Apart, with nothing else
// imported, for the extension's file watcher.
import * as path from 'path';

/** Whether `file` is one envFromDeployFiles reads: a Compose file, a GitHub workflow, `.gitlab-ci.yml`. */
export function isDeployFile(file: string): boolean {
  const base = path.basename(file);
  return /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/.test(base) || base === '.gitlab-ci.yml'
    || (/\.ya?ml$/.test(base) && path.basename(path.dirname(file)) === 'workflows' && path.basename(path.dirname(path.dirname(file))) === '.github');
}
