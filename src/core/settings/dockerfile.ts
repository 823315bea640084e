// A Dockerfile's `ENV` variables, read with dockerfile-ast (its quoting, continuations and both `ENV K V` and
// `ENV K=V …` forms). The parser and the language-server types it brings (a seventh of a bundle's source) are loaded
// only when a project has a Dockerfile: bundled on their own as dist/dockerfile.js (scripts/build.mjs), next to the
// bundle that runs this; from the sources (unit tests), from node_modules.
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';
import type { DockerfileParser as Parser } from 'dockerfile-ast';

const bundled = path.join(__dirname, 'dockerfile.js');
let parser: typeof Parser | null = null;

function load(): typeof Parser {
  if (!parser) {
    // (a require esbuild does not follow: from the sources only when dockerfile.js is not there)
    const mod = (fs.existsSync(bundled) ? require(bundled) : createRequire(__filename)('dockerfile-ast')) as { DockerfileParser: typeof Parser };
    parser = mod.DockerfileParser;
  }
  return parser;
}

/**
 * The variables a Dockerfile's `ENV`s set: the image `docker build` makes by default, its last stage with the stages
 * it is built `FROM`, first, each variable as its last `ENV` there sets it; then the `ENV`s of the other stages in
 * file order. `line` is 1-based.
 */
export function dockerfileEnv(text: string): { name: string; value: string; line: number }[] {
  let file;
  try {
    file = load().parse(text);
  } catch {
    return [];
  }
  // the last stage, then the stage it is built FROM (`FROM core AS local`), and so on
  const froms = file.getFROMs();
  const inImage = new Set<unknown>();
  for (let i = froms.length - 1; i >= 0;) {
    const from = froms[i]!;
    inImage.add(file.getContainingImage(from.getRange().start));
    const base = from.getImageName()?.toLowerCase();
    let parent = -1;
    for (let j = i - 1; j >= 0 && base; j--) if (froms[j]!.getBuildStage()?.toLowerCase() === base) { parent = j; break; }
    i = parent;
  }
  const final = new Map<string, { name: string; value: string; line: number }>();
  const rest: { name: string; value: string; line: number }[] = [];
  for (const env of file.getENVs()) {
    const stage = file.getContainingImage(env.getRange().start);
    for (const p of env.getProperties()) {
      const value = p.getValue();
      if (value === null) continue;
      const e = { name: p.getName(), value, line: env.getRange().start.line + 1 };
      if (stage && inImage.has(stage)) {
        final.delete(e.name);
        final.set(e.name, e);
      } else rest.push(e);
    }
  }
  return [...final.values(), ...rest];
}
